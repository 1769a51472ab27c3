//! Typed views: what every front end shows a program. The CLI's `--json`
//! prints them, the MCP server returns them as structured content, and their
//! JSON schema (schemars) is the output schema of both. Fields are only ever
//! added; times are RFC 3339 UTC strings; absent optional values are `null`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::domain::model::{NextState, Status, Task, TaskList, timestamp};
use crate::store::{Committed, ListEntry, LogEntry, Snapshot};
use crate::workflow::template::{Template, TemplateResult};
use crate::workflow::verify::{Check, Verdict};

/// Done and counted tasks (cancelled ones are left out of both).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProgressView {
    /// Completed tasks.
    pub done: usize,
    /// Tasks that count.
    pub total: usize,
}

impl ProgressView {
    fn of(l: &TaskList) -> ProgressView {
        let (done, total) = l.progress();
        ProgressView { done, total }
    }
}

/// One task.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskView {
    /// The task's id (a slug).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: Status,
    /// Its last change.
    pub updated: String,
    /// The session that last moved it, if known.
    pub owner: Option<String>,
    /// Tasks it waits for explicitly.
    pub depends_on: Vec<String>,
    /// Its note (the reason, for a blocked task).
    pub note: Option<String>,
}

impl TaskView {
    /// The view of a task.
    pub fn of(t: &Task) -> TaskView {
        TaskView {
            id: t.id.to_string(),
            title: t.title.clone(),
            status: t.status,
            updated: timestamp(&t.updated),
            owner: t.owner.clone(),
            depends_on: t.depends_on.iter().map(|d| d.to_string()).collect(),
            note: t.note.clone(),
        }
    }
}

/// The latest handoff note.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HandoffNoteView {
    /// When it was written.
    pub at: String,
    /// The session that wrote it.
    pub session: Option<String>,
    /// The note.
    pub note: String,
}

/// A whole list: the output of `show`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListView {
    /// The list id (a UUID: v7, or v5 for a Claude Code session's mirror list).
    pub id: String,
    /// The ref it lives on.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The commit the ref points to.
    pub tip: String,
    /// The title.
    pub title: String,
    /// When it was created.
    pub created: String,
    /// Its last change.
    pub updated: String,
    /// The template it was created from.
    pub template: Option<String>,
    /// The list it was copied from.
    pub from: Option<String>,
    /// Whether each task depends on the one before.
    pub sequential: bool,
    /// Whether it is archived (hidden from `list`).
    pub archived: bool,
    /// The branch checked out where it was created.
    pub branch: Option<String>,
    /// Done and counted tasks.
    pub progress: ProgressView,
    /// The id of the next task for the caller's session.
    pub next: Option<String>,
    /// The latest handoff note.
    pub handoff: Option<HandoffNoteView>,
    /// The tasks, in plan order.
    pub tasks: Vec<TaskView>,
}

impl ListView {
    /// The view of `l` at commit `tip` on ref `reference`, with `next` for `session`.
    pub fn new(
        l: &TaskList,
        tip: &gix::ObjectId,
        reference: &str,
        session: Option<&str>,
    ) -> ListView {
        ListView {
            id: l.id.clone(),
            reference: reference.to_string(),
            tip: tip.to_string(),
            title: l.title.clone(),
            created: timestamp(&l.created),
            updated: timestamp(&l.updated),
            template: l.template.clone(),
            from: l.from.clone(),
            sequential: l.sequential,
            archived: l.archived,
            branch: l.branch.clone(),
            progress: ProgressView::of(l),
            next: l.next_for(session).map(|t| t.id.to_string()),
            handoff: l.handoff.as_ref().map(|h| HandoffNoteView {
                at: timestamp(&h.at),
                session: h.session.clone(),
                note: h.note.clone(),
            }),
            tasks: l.tasks.iter().map(TaskView::of).collect(),
        }
    }

    /// The view of a snapshot.
    pub fn of(snap: &Snapshot, reference: &str, session: Option<&str>) -> ListView {
        ListView::new(&snap.list, &snap.tip, reference, session)
    }
}

/// The outcome of a change (`create`, `add`, `update`, `start`, `done`,
/// `block`, `archive`, `unarchive`): the list after it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChangeView {
    /// The list after the change.
    #[serde(flatten)]
    pub list: ListView,
    /// False when the change was a no-op and wrote nothing.
    pub changed: bool,
}

impl ChangeView {
    /// The view of a committed change.
    pub fn of(done: &Committed, reference: &str, session: Option<&str>) -> ChangeView {
        ChangeView {
            list: ListView::new(&done.list, &done.tip, reference, session),
            changed: done.changed,
        }
    }
}

/// The outcome of `handoff`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HandoffView {
    /// The list after the handoff.
    #[serde(flatten)]
    pub change: ChangeView,
    /// The rendered document, as committed in `HANDOFF.md`.
    pub document: String,
    /// The file the document was also written to, if any.
    pub output: Option<String>,
}

/// One line of `list`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListSummaryView {
    /// The list id.
    pub id: String,
    /// The ref it lives on.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The commit the ref points to.
    pub tip: String,
    /// The title.
    pub title: String,
    /// Its last change.
    pub updated: String,
    /// Whether it is archived.
    pub archived: bool,
    /// The branch checked out where it was created.
    pub branch: Option<String>,
    /// Done and counted tasks.
    pub progress: ProgressView,
    /// The id of the next task for the caller's session.
    pub next: Option<String>,
}

impl ListSummaryView {
    /// The summary of a snapshot on ref `reference`, with `next` for `session`.
    pub fn of(s: &Snapshot, reference: &str, session: Option<&str>) -> ListSummaryView {
        ListSummaryView {
            id: s.list.id.clone(),
            reference: reference.to_string(),
            tip: s.tip.to_string(),
            title: s.list.title.clone(),
            updated: timestamp(&s.list.updated),
            archived: s.list.archived,
            branch: s.list.branch.clone(),
            progress: ProgressView::of(&s.list),
            next: s.list.next_for(session).map(|t| t.id.to_string()),
        }
    }
}

/// A list that cannot be read, and why.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnreadableView {
    /// The ref's last component.
    pub id: String,
    /// The ref.
    #[serde(rename = "ref")]
    pub reference: String,
    /// One sentence naming the list, the commit and the problem.
    pub error: String,
}

/// The output of `list`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListsView {
    /// Readable lists, sorted by id (archived ones only when asked for).
    pub lists: Vec<ListSummaryView>,
    /// Lists that cannot be read.
    pub unreadable: Vec<UnreadableView>,
}

impl ListsView {
    /// The view of `entries`; archived lists only when `all`.
    pub fn new(
        entries: &[ListEntry],
        namespace: &str,
        all: bool,
        session: Option<&str>,
    ) -> ListsView {
        let reference = |id: &str| format!("{namespace}/{id}");
        let mut lists = Vec::new();
        let mut unreadable = Vec::new();
        for e in entries {
            match &e.result {
                Ok(s) if s.list.archived && !all => {}
                Ok(s) => lists.push(ListSummaryView::of(s, &reference(&s.list.id), session)),
                Err(err) => unreadable.push(UnreadableView {
                    id: e.id.clone(),
                    reference: reference(&e.id),
                    error: err.to_string(),
                }),
            }
        }
        ListsView { lists, unreadable }
    }
}

/// An open task that cannot start now.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WaitingView {
    /// The task.
    pub id: String,
    /// Its status (`pending` or `blocked`).
    pub status: Status,
    /// Its unsettled prerequisites.
    pub waits_for: Vec<String>,
}

fn waiting(l: &TaskList) -> Vec<WaitingView> {
    l.waiting()
        .into_iter()
        .map(|(t, waits)| WaitingView {
            id: t.id.to_string(),
            status: t.status,
            waits_for: waits.iter().map(|p| p.id.to_string()).collect(),
        })
        .collect()
}

/// The output of `next`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NextView {
    /// The list id.
    pub list: String,
    /// The next task for the caller's session.
    pub task: Option<TaskView>,
    /// `ready`, `done` (every task settled) or `waiting` (none can start).
    pub state: NextState,
    /// The other session holding `task` in progress, if one does.
    pub held_by: Option<String>,
    /// The blocked tasks and those with unsettled prerequisites, in plan order.
    pub waiting: Vec<WaitingView>,
}

impl NextView {
    /// The next step on `l` for `session`.
    pub fn new(l: &TaskList, session: Option<&str>) -> NextView {
        let step = l.next_step(session);
        NextView {
            list: l.id.clone(),
            task: step.task().map(TaskView::of),
            state: step.state(),
            held_by: step.held_by().map(String::from),
            waiting: waiting(l),
        }
    }
}

/// One commit of a list's history.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogEntryView {
    /// The commit id.
    pub commit: String,
    /// Committer time.
    pub time: Option<String>,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// The commit subject.
    pub subject: String,
    /// The `Op:` trailer.
    pub op: Option<String>,
    /// The `Session:` trailer.
    pub session: Option<String>,
    /// Every trailer.
    pub trailers: BTreeMap<String, String>,
    /// Parent commits (two or more for a merge).
    pub parents: Vec<String>,
}

impl LogEntryView {
    /// The view of a history entry.
    pub fn of(e: &LogEntry) -> LogEntryView {
        LogEntryView {
            commit: e.commit.to_string(),
            time: chrono::DateTime::from_timestamp(e.time, 0).map(|t| timestamp(&t)),
            author: e.author.clone(),
            email: e.email.clone(),
            subject: e.subject.clone(),
            op: e.op.clone(),
            session: e.session.clone(),
            trailers: e.trailers.iter().cloned().collect(),
            parents: e.parents.iter().map(|p| p.to_string()).collect(),
        }
    }
}

/// The output of `log`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogView {
    /// The list id.
    pub list: String,
    /// Newest first.
    pub entries: Vec<LogEntryView>,
}

/// One problem a check found.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FailureView {
    /// The commit that broke the check (null for `--expect` on the current state).
    pub commit: Option<String>,
    /// That commit's subject.
    pub subject: Option<String>,
    /// The task concerned.
    pub task: Option<String>,
    /// One sentence.
    pub message: String,
}

/// One of the three checks.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckView {
    /// `id continuity`, `status preserved` or `seamless continuation`.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// What it found.
    pub failures: Vec<FailureView>,
}

/// A verdict over a range of history.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerdictView {
    /// True when every check passed.
    pub verified: bool,
    /// Whether the whole history was examined.
    pub complete: bool,
    /// Commits examined.
    pub commits: usize,
    /// The next task to work on.
    pub current_phase: Option<String>,
    /// The three checks, in order.
    pub checks: Vec<CheckView>,
}

impl VerdictView {
    /// The view of a verdict.
    pub fn of(v: &Verdict) -> VerdictView {
        VerdictView {
            verified: v.ok(),
            complete: v.complete,
            commits: v.commits,
            current_phase: v.current_phase.clone(),
            checks: Check::ALL
                .iter()
                .map(|&check| {
                    let failures: Vec<FailureView> = v
                        .failures
                        .iter()
                        .filter(|f| f.check == check)
                        .map(|f| FailureView {
                            commit: f.commit.map(|c| c.to_string()),
                            subject: f.subject.clone(),
                            task: f.task.clone(),
                            message: f.message.clone(),
                        })
                        .collect();
                    CheckView { name: check.name().to_string(), ok: failures.is_empty(), failures }
                })
                .collect(),
        }
    }
}

/// The output of `verify`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerifyView {
    /// The list id.
    pub list: String,
    /// The verdict over the whole history.
    #[serde(flatten)]
    pub verdict: VerdictView,
}

/// The bounded verdict in a resume briefing.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResumeVerdictView {
    /// The verdict over the history since the last handoff.
    #[serde(flatten)]
    pub verdict: VerdictView,
    /// The commit the last handoff was written on, where the check started.
    pub since_handoff: Option<String>,
}

/// An in-progress task an earlier session left.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LeftOpenView {
    /// The task.
    pub id: String,
    /// The session holding it.
    pub owner: Option<String>,
}

/// The output of `resume`: what a new session needs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResumeView {
    /// The list.
    pub list: ListView,
    /// The resuming session.
    pub session: Option<String>,
    /// The next task for it.
    pub next: Option<TaskView>,
    /// `ready`, `done` or `waiting`.
    pub state: NextState,
    /// The tasks that cannot start now.
    pub waiting: Vec<WaitingView>,
    /// The command that continues the work.
    pub next_command: Option<String>,
    /// In-progress tasks held by other sessions.
    pub left_open: Vec<LeftOpenView>,
    /// The last few history entries, newest first.
    pub history: Vec<LogEntryView>,
    /// The bounded verdict.
    pub verify: ResumeVerdictView,
}

impl ResumeView {
    /// The view of a briefing.
    pub fn of(b: &crate::workflow::resume::Briefing, reference: &str) -> ResumeView {
        let l = &b.snapshot.list;
        let session = b.session.as_deref();
        let step = l.next_step(session);
        ResumeView {
            list: ListView::of(&b.snapshot, reference, session),
            session: b.session.clone(),
            next: step.task().map(TaskView::of),
            state: step.state(),
            waiting: waiting(l),
            next_command: b.next_command.clone(),
            left_open: l
                .left_open(session)
                .iter()
                .map(|t| LeftOpenView { id: t.id.to_string(), owner: t.owner.clone() })
                .collect(),
            history: b.history.iter().map(LogEntryView::of).collect(),
            verify: ResumeVerdictView {
                verdict: VerdictView::of(&b.verdict),
                since_handoff: b.since_handoff.map(|c| c.to_string()),
            },
        }
    }
}

/// A task of a template.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TemplateTaskView {
    /// The task id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Earlier tasks it depends on.
    pub depends_on: Vec<String>,
}

/// A template `create --template` can use.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TemplateView {
    /// Its name.
    pub name: String,
    /// `built-in` or the file it was read from.
    pub origin: String,
    /// One-line description.
    pub description: String,
    /// The default list title.
    pub title: Option<String>,
    /// Whether lists from it are sequential.
    pub sequential: bool,
    /// Its tasks.
    pub tasks: Vec<TemplateTaskView>,
}

/// A template, or why a repository template cannot be used.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TemplateEntryView {
    /// A usable template.
    Ok(TemplateView),
    /// A broken one.
    Broken {
        /// One sentence naming the template and the problem.
        error: String,
    },
}

/// The output of `templates`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TemplatesView {
    /// Repository templates first, then the built-ins.
    pub templates: Vec<TemplateEntryView>,
}

impl TemplatesView {
    /// The view of the available templates.
    pub fn of(all: &[TemplateResult<Template>]) -> TemplatesView {
        let templates = all
            .iter()
            .map(|t| match t {
                Ok(t) => TemplateEntryView::Ok(TemplateView {
                    name: t.name.clone(),
                    origin: t.origin.to_string(),
                    description: t.description.clone(),
                    title: t.title.clone(),
                    sequential: t.sequential,
                    tasks: t
                        .tasks
                        .iter()
                        .map(|x| TemplateTaskView {
                            id: x.id.to_string(),
                            title: x.title.clone(),
                            depends_on: x.depends_on.iter().map(|d| d.to_string()).collect(),
                        })
                        .collect(),
                }),
                Err(e) => TemplateEntryView::Broken { error: e.to_string() },
            })
            .collect();
        TemplatesView { templates }
    }
}

/// A failure, as `--json` prints it on stderr.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorView {
    /// One sentence.
    pub error: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The process exit code.
    pub exit_code: u8,
    /// A stable name for the kind of failure (`held_by_other`, `needs_reopen`,
    /// `list_not_found` …), for programs to match on.
    pub code: String,
}

/// Something `import` skipped or changed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImportWarningView {
    /// The file it is about (its name in the directory), if one.
    pub file: Option<String>,
    /// What happened.
    pub message: String,
}

/// The outcome of `import claude`: the new list, and what was left out.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImportView {
    /// The new list.
    #[serde(flatten)]
    pub change: ChangeView,
    /// The directory read.
    pub dir: String,
    /// Tasks imported.
    pub imported: usize,
    /// Tasks marked `deleted` in Claude Code, left out.
    pub deleted: usize,
    /// Files skipped, references dropped, values changed.
    pub warnings: Vec<ImportWarningView>,
}

impl ImportView {
    /// The view of an import.
    pub fn of(
        done: &crate::interop::claude_tasks::Imported,
        reference: &str,
        session: Option<&str>,
    ) -> ImportView {
        ImportView {
            change: ChangeView::of(&done.committed, reference, session),
            dir: done.dir.display().to_string(),
            imported: done.committed.list.tasks.len(),
            deleted: done.deleted,
            warnings: done
                .warnings
                .iter()
                .map(|w| ImportWarningView { file: w.file.clone(), message: w.message.clone() })
                .collect(),
        }
    }
}

/// One task file `export claude` wrote.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExportedTaskView {
    /// The file, e.g. `1.json`.
    pub file: String,
    /// Its Claude Code id, e.g. `1`.
    pub claude_id: String,
    /// Our task id.
    pub task: String,
    /// The status Claude Code got: `pending`, `in_progress` or `completed`.
    pub status: String,
}

/// The outcome of `export claude`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExportView {
    /// The list id.
    pub list: String,
    /// The list's title.
    pub title: String,
    /// The directory written.
    pub dir: String,
    /// The task files, in plan order.
    pub tasks: Vec<ExportedTaskView>,
    /// The value written to `.highwatermark`.
    pub highwatermark: usize,
    /// Old task files removed (with `--force`).
    pub removed: Vec<String>,
}

impl ExportView {
    /// The view of an export of `list`.
    pub fn of(list: &TaskList, done: &crate::interop::claude_tasks::Exported) -> ExportView {
        ExportView {
            list: list.id.clone(),
            title: list.title.clone(),
            dir: done.dir.display().to_string(),
            tasks: done
                .tasks
                .iter()
                .map(|t| ExportedTaskView {
                    file: t.file.clone(),
                    claude_id: t.claude_id.clone(),
                    task: t.task.to_string(),
                    status: t.claude_status.to_string(),
                })
                .collect(),
            highwatermark: done.highwatermark,
            removed: done.removed.clone(),
        }
    }
}

/// The JSON schema of every view, by name: what `--json` prints and what the
/// MCP tools declare as their output schema.
pub fn schemas() -> BTreeMap<&'static str, schemars::Schema> {
    let mut out = BTreeMap::new();
    out.insert("list", schemars::schema_for!(ListView));
    out.insert("change", schemars::schema_for!(ChangeView));
    out.insert("handoff", schemars::schema_for!(HandoffView));
    out.insert("lists", schemars::schema_for!(ListsView));
    out.insert("next", schemars::schema_for!(NextView));
    out.insert("log", schemars::schema_for!(LogView));
    out.insert("verify", schemars::schema_for!(VerifyView));
    out.insert("resume", schemars::schema_for!(ResumeView));
    out.insert("templates", schemars::schema_for!(TemplatesView));
    out.insert("error", schemars::schema_for!(ErrorView));
    out.insert("sync", schemars::schema_for!(SyncView));
    out.insert("init", schemars::schema_for!(InitView));
    out.insert("import", schemars::schema_for!(ImportView));
    out.insert("export", schemars::schema_for!(ExportView));
    out.insert("install", schemars::schema_for!(InstallView));
    out.insert("board", schemars::schema_for!(BoardView));
    out.insert("board_list", schemars::schema_for!(BoardListView));
    out
}

/// A conflict a merge resolved.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConflictView {
    /// The task, or null for a field of the list.
    pub task: Option<String>,
    /// The field.
    pub field: String,
    /// The rule that decided it.
    pub rule: String,
}

/// One list's outcome of `sync`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListSyncView {
    /// The list id.
    pub id: String,
    /// Its title, when readable.
    pub title: Option<String>,
    /// What happened.
    pub action: crate::sync::Action,
    /// Whether its tip was pushed.
    pub pushed: bool,
    /// The conflicts a merge resolved.
    pub conflicts: Vec<ConflictView>,
    /// Why it was skipped.
    pub detail: Option<String>,
}

/// The output of `sync`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SyncView {
    /// The remote.
    pub remote: String,
    /// Every list, sorted by id.
    pub lists: Vec<ListSyncView>,
    /// What the remote said when it refused a push (escaped), else null.
    pub remote_message: Option<String>,
}

impl SyncView {
    /// The view of a sync report.
    pub fn of(r: &crate::sync::SyncReport) -> SyncView {
        SyncView {
            remote: r.remote.clone(),
            lists: r
                .lists
                .iter()
                .map(|l| ListSyncView {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    action: l.action,
                    pushed: l.pushed,
                    conflicts: l
                        .conflicts
                        .iter()
                        .map(|c| ConflictView {
                            task: c.task.clone(),
                            field: c.field.to_string(),
                            rule: c.rule.to_string(),
                        })
                        .collect(),
                    detail: l.detail.clone(),
                })
                .collect(),
            remote_message: r.remote_message.clone(),
        }
    }
}

/// The output of `init`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InitView {
    /// The remote.
    pub remote: String,
    /// The fetch refspec of the lists.
    pub refspec: String,
    /// False when it was configured already.
    pub added: bool,
}

/// One file of an install.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InstalledFileView {
    /// The file.
    pub path: String,
    /// What the install did (or, with --dry-run, would do) to it.
    pub action: InstallAction,
    /// With --dry-run: the unified diff (empty when unchanged); else null.
    pub diff: Option<String>,
}

/// The output of `install claude` and `install codex`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InstallView {
    /// The agent: `claude` or `codex`.
    pub agent: String,
    /// Where: `project`, `user` or `plugin`.
    pub scope: String,
    /// The program written into hooks and MCP entries (a name found on
    /// PATH, else an absolute path).
    pub program: String,
    /// True when nothing was written.
    pub dry_run: bool,
    /// Every file, in the order written.
    pub files: Vec<InstalledFileView>,
}

/// What an install does (or would do) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Action")]
pub enum InstallAction {
    /// The file is new.
    Created,
    /// The file changed.
    Updated,
    /// The file already says what it should.
    Unchanged,
}

impl InstallAction {
    /// The word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            InstallAction::Created => "created",
            InstallAction::Updated => "updated",
            InstallAction::Unchanged => "unchanged",
        }
    }
}

/// Tasks of a list by status.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct StatusCountsView {
    /// Pending tasks.
    pub pending: usize,
    /// Tasks in progress.
    pub in_progress: usize,
    /// Completed tasks.
    pub completed: usize,
    /// Blocked tasks.
    pub blocked: usize,
    /// Cancelled tasks.
    pub cancelled: usize,
}

impl StatusCountsView {
    /// The counts of `l`'s tasks.
    pub fn of(l: &TaskList) -> StatusCountsView {
        let mut c = StatusCountsView::default();
        for t in &l.tasks {
            *match t.status {
                Status::Pending => &mut c.pending,
                Status::InProgress => &mut c.in_progress,
                Status::Completed => &mut c.completed,
                Status::Blocked => &mut c.blocked,
                Status::Cancelled => &mut c.cancelled,
            } += 1;
        }
        c
    }
}

/// How a list stands against one remote, as `sync` last fetched it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrackingView {
    /// The remote.
    pub remote: String,
    /// `up_to_date`, `ahead`, `behind`, `diverged` or `local_only`.
    pub state: crate::sync::Tracking,
}

fn tracking_views(t: Option<&Vec<(String, crate::sync::Tracking)>>) -> Vec<TrackingView> {
    t.map(|v| {
        v.iter()
            .map(|(remote, state)| TrackingView { remote: remote.clone(), state: *state })
            .collect()
    })
    .unwrap_or_default()
}

/// The remote-tracking state of every list, by list id, then by remote.
pub type TrackingMap = BTreeMap<String, Vec<(String, crate::sync::Tracking)>>;

/// One list on the board's index.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BoardEntryView {
    /// What `list` shows of it.
    #[serde(flatten)]
    pub summary: ListSummaryView,
    /// Whether each task depends on the one before.
    pub sequential: bool,
    /// Its tasks by status.
    pub counts: StatusCountsView,
    /// The tasks in progress, with who holds them (`owner`).
    pub in_progress: Vec<TaskView>,
    /// The blocked tasks, with their reasons (`note`).
    pub blocked: Vec<TaskView>,
    /// The next task to work on.
    pub next_task: Option<TaskView>,
    /// The session holding `next_task` in progress, if another one does.
    pub held_by: Option<String>,
    /// `ready`, `done` or `waiting`.
    pub state: NextState,
    /// The last commit on its ref (time, author, session, subject).
    pub last_change: Option<LogEntryView>,
    /// Its state against each remote `sync` fetched.
    pub remotes: Vec<TrackingView>,
}

/// The board's index: every list with what is going on in it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BoardView {
    /// Readable lists, sorted by id (archived ones only when asked for).
    pub lists: Vec<BoardEntryView>,
    /// Lists that cannot be read.
    pub unreadable: Vec<UnreadableView>,
    /// Archived lists left out.
    pub archived_hidden: usize,
}

impl BoardView {
    /// The index over `entries`; archived lists only when `all`. `last`
    /// gives the last commit of a list.
    pub fn new(
        entries: &[ListEntry],
        namespace: &str,
        all: bool,
        session: Option<&str>,
        last: impl Fn(&Snapshot) -> Option<LogEntry>,
        tracking: &TrackingMap,
    ) -> BoardView {
        let base = ListsView::new(entries, namespace, all, session);
        let mut lists = Vec::with_capacity(base.lists.len());
        let mut summaries = base.lists.into_iter();
        let mut archived_hidden = 0;
        for e in entries {
            let Ok(s) = &e.result else { continue };
            if s.list.archived && !all {
                archived_hidden += 1;
                continue;
            }
            let Some(summary) = summaries.next() else { break };
            let l = &s.list;
            let step = l.next_step(session);
            let with = |st: Status| {
                l.tasks.iter().filter(|t| t.status == st).map(TaskView::of).collect::<Vec<_>>()
            };
            lists.push(BoardEntryView {
                summary,
                sequential: l.sequential,
                counts: StatusCountsView::of(l),
                in_progress: with(Status::InProgress),
                blocked: with(Status::Blocked),
                next_task: step.task().map(TaskView::of),
                held_by: step.held_by().map(String::from),
                state: step.state(),
                last_change: last(s).as_ref().map(LogEntryView::of),
                remotes: tracking_views(tracking.get(&l.id)),
            });
        }
        BoardView { lists, unreadable: base.unreadable, archived_hidden }
    }
}

fn waits_for(l: &TaskList) -> BTreeMap<String, Vec<String>> {
    let index = l.index();
    let mut out = BTreeMap::new();
    for (i, t) in l.tasks.iter().enumerate() {
        if t.status.is_settled() {
            continue;
        }
        let waits: Vec<String> = index.unsettled(i).iter().map(|p| p.id.to_string()).collect();
        if !waits.is_empty() {
            out.insert(t.id.to_string(), waits);
        }
    }
    out
}

/// One list's page on the board.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BoardListView {
    /// The list, as `show` gives it.
    pub list: ListView,
    /// Its tasks by status.
    pub counts: StatusCountsView,
    /// The next step, and the tasks that cannot start now.
    pub next: NextView,
    /// For each unsettled task with unsettled prerequisites, those
    /// prerequisites (explicit, or the task before in a sequential list).
    pub waits_for: BTreeMap<String, Vec<String>>,
    /// The history, newest first.
    pub history: Vec<LogEntryView>,
    /// False when older history was left out.
    pub history_complete: bool,
    /// The `HANDOFF.md` committed with the last handoff, if any.
    pub handoff_document: Option<String>,
    /// Why `HANDOFF.md` cannot be shown, when it cannot.
    pub handoff_error: Option<String>,
    /// The command a new session runs to pick the work up.
    pub resume_command: String,
    /// Its state against each remote `sync` fetched.
    pub remotes: Vec<TrackingView>,
}

impl BoardListView {
    /// The page of `snap`; `history` newest first, `complete` when it is all
    /// of it; `handoff` the committed document or why it cannot be read.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        snap: &Snapshot,
        reference: &str,
        session: Option<&str>,
        history: &[LogEntry],
        complete: bool,
        handoff: Result<Option<String>, String>,
        resume_command: String,
        tracking: &TrackingMap,
    ) -> BoardListView {
        let (handoff_document, handoff_error) = match handoff {
            Ok(doc) => (doc, None),
            Err(e) => (None, Some(e)),
        };
        BoardListView {
            list: ListView::of(snap, reference, session),
            counts: StatusCountsView::of(&snap.list),
            next: NextView::new(&snap.list, session),
            waits_for: waits_for(&snap.list),
            history: history.iter().map(LogEntryView::of).collect(),
            history_complete: complete,
            handoff_document,
            handoff_error,
            resume_command,
            remotes: tracking_views(tracking.get(&snap.list.id)),
        }
    }
}
