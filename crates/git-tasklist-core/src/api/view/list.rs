//! The views of lists: a whole list (`show`), a change, the summaries of
//! `list`, and the next step.

use schemars::JsonSchema;
use serde::Serialize;

use crate::domain::id::CommitId;
use crate::domain::model::{Index, NextState, NextStep, Status, Task, TaskList, timestamp};
use crate::domain::summary::Summary;
use crate::store::{Committed, Snapshot, StoreError, Summarized, SummaryEntry};

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

    fn of_summary(s: &Summary) -> ProgressView {
        let (done, total) = s.progress();
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
    /// Its unsettled prerequisites (explicit, or the task before in a
    /// sequential list); empty for a settled task.
    pub waits_for: Vec<String>,
}

impl TaskView {
    /// The view of task `t` of the list `index` indexes.
    pub fn of(t: &Task, index: &Index<'_>) -> TaskView {
        let waits_for = match index.position(t.id.as_str()) {
            Some(i) if !t.status.is_settled() => {
                index.unsettled(i).iter().map(|p| p.id.to_string()).collect()
            }
            _ => Vec::new(),
        };
        TaskView {
            id: t.id.to_string(),
            title: t.title.clone(),
            status: t.status,
            updated: timestamp(&t.updated),
            owner: t.owner.clone(),
            depends_on: t.depends_on.iter().map(|d| d.to_string()).collect(),
            note: t.note.clone(),
            waits_for,
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
    /// The lists that continue this one (`create --from`), oldest first.
    pub continued_in: Vec<String>,
    /// Done and counted tasks.
    pub progress: ProgressView,
    /// The id of the next task for the caller's session.
    pub next: Option<String>,
    /// Whether a task is ready, who holds it, and what waits.
    pub next_step: NextStepView,
    /// The latest handoff note.
    pub handoff: Option<HandoffNoteView>,
    /// The tasks, in plan order.
    pub tasks: Vec<TaskView>,
}

impl ListView {
    /// The view of `l` at commit `tip` on ref `reference`, with `next` for `session`.
    pub fn new(l: &TaskList, tip: &CommitId, reference: &str, session: Option<&str>) -> ListView {
        let step = l.next_step(session);
        let index = l.index();
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
            continued_in: l.continued_in.clone(),
            progress: ProgressView::of(l),
            next: step.task().map(|t| t.id.to_string()),
            next_step: NextStepView::of(l, &step),
            handoff: l.handoff.as_ref().map(|h| HandoffNoteView {
                at: timestamp(&h.at),
                session: h.session.clone(),
                note: h.note.clone(),
            }),
            tasks: l.tasks.iter().map(|t| TaskView::of(t, &index)).collect(),
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
    /// The task the change was about (`add`, `update`, `start`, `done`,
    /// `block`); null for a change of the whole list.
    pub changed_task: Option<TaskChangeView>,
}

/// What a change did to one task.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskChangeView {
    /// The task.
    pub id: String,
    /// Its status before the change; null for a task the change added.
    pub before: Option<Status>,
    /// Its status after the change.
    pub after: Option<Status>,
    /// When the change was asked to take the task over and wrote something:
    /// the session that held it before.
    pub taken_over_from: Option<String>,
}

impl ChangeView {
    /// The view of a committed change.
    pub fn of(done: &Committed, reference: &str, session: Option<&str>) -> ChangeView {
        ChangeView {
            list: ListView::new(&done.list, &done.tip, reference, session),
            changed: done.changed,
            changed_task: None,
        }
    }

    /// The view of a committed change to task `task` (`take_over`: the
    /// change was asked to take it over from the session holding it).
    pub fn of_task(
        done: &Committed,
        reference: &str,
        session: Option<&str>,
        task: &str,
        take_over: bool,
    ) -> ChangeView {
        let before = done.before.as_ref().and_then(|b| b.task(task));
        let changed_task = TaskChangeView {
            id: task.to_string(),
            before: before.map(|t| t.status),
            after: done.list.task(task).map(|t| t.status),
            taken_over_from: before
                .and_then(|t| t.owner.clone())
                .filter(|_| take_over && done.changed),
        };
        ChangeView { changed_task: Some(changed_task), ..ChangeView::of(done, reference, session) }
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

    /// The same from a list's [`Summary`], read at `tip`.
    pub fn of_summary(s: &Summarized, reference: &str, session: Option<&str>) -> ListSummaryView {
        let l = &s.summary;
        ListSummaryView {
            id: l.id.clone(),
            reference: reference.to_string(),
            tip: s.tip.to_string(),
            title: l.title.clone(),
            updated: timestamp(&l.updated),
            archived: l.archived,
            branch: l.branch.clone(),
            progress: ProgressView::of_summary(l),
            next: l.next_for(session).map(String::from),
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
    /// Archived lists left out (none when archived ones were asked for).
    pub archived_hidden: usize,
}

impl UnreadableView {
    /// The view of list `id` under `namespace`, unreadable for `err`.
    pub fn new(id: &str, namespace: &str, err: &StoreError) -> UnreadableView {
        UnreadableView {
            id: id.to_string(),
            reference: format!("{namespace}/{id}"),
            error: err.to_string(),
        }
    }
}

impl ListsView {
    /// The view of `entries`; archived lists only when `all`.
    pub fn new(
        entries: &[SummaryEntry],
        namespace: &str,
        all: bool,
        session: Option<&str>,
    ) -> ListsView {
        let mut lists = Vec::new();
        let mut unreadable = Vec::new();
        let mut archived_hidden = 0;
        for e in entries {
            match &e.result {
                Ok(s) if s.summary.archived && !all => archived_hidden += 1,
                Ok(s) => {
                    let reference = format!("{namespace}/{}", s.summary.id);
                    lists.push(ListSummaryView::of_summary(s, &reference, session));
                }
                Err(err) => unreadable.push(UnreadableView::new(&e.id, namespace, err)),
            }
        }
        ListsView { lists, unreadable, archived_hidden }
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

pub(super) fn waiting(l: &TaskList) -> Vec<WaitingView> {
    l.waiting()
        .into_iter()
        .map(|(t, waits)| WaitingView {
            id: t.id.to_string(),
            status: t.status,
            waits_for: waits.iter().map(|p| p.id.to_string()).collect(),
        })
        .collect()
}

/// Why the next step is what it is: whether a task is ready, who else
/// holds it, and what waits.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NextStepView {
    /// `ready` (there is a next task), `done` (every task settled) or
    /// `waiting` (none can start).
    pub state: NextState,
    /// The other session holding the next task in progress, if one does.
    pub held_by: Option<String>,
    /// The blocked tasks and those with unsettled prerequisites, in plan order.
    pub waiting: Vec<WaitingView>,
}

impl NextStepView {
    /// The view of `step`, the next step on `l`.
    pub fn of(l: &TaskList, step: &NextStep<'_>) -> NextStepView {
        NextStepView {
            state: step.state(),
            held_by: step.held_by().map(String::from),
            waiting: waiting(l),
        }
    }
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
    /// Done and counted tasks.
    pub progress: ProgressView,
}

impl NextView {
    /// The next step on `l` for `session`.
    pub fn new(l: &TaskList, session: Option<&str>) -> NextView {
        let step = l.next_step(session);
        NextView {
            list: l.id.clone(),
            task: step.task().map(|t| TaskView::of(t, &l.index())),
            state: step.state(),
            held_by: step.held_by().map(String::from),
            waiting: waiting(l),
            progress: ProgressView::of(l),
        }
    }
}
