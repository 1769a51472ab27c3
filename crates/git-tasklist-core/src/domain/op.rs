//! Every mutation as a value: [`Op`], its pure [`apply`], and the commit it describes.
//!
//! `apply` never touches git. The store calls it on the tip it read, and calls it
//! again on the new tip when it loses a race, so an op must be a description of
//! intent ("start task x as session s"), never a precomputed state.

use chrono::{DateTime, Utc};

use crate::domain::id::CommitId;
use crate::domain::model::{
    DependencyError, Handoff, Status, Task, TaskId, TaskList, check_dependencies,
};
use crate::domain::trailer;
use crate::util::text::escape;

/// Errors an op raises when it does not fit the list it is applied to. Each
/// names what a caller needs to decide what to do; none names a command-line
/// flag (each front end words its own hint).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OpError {
    /// The task named by the op is not in the list.
    #[error("Task '{task}' not found in task list '{}'", escape(list))]
    TaskNotFound {
        /// The task id asked for.
        task: String,
        /// The list's title.
        list: String,
        /// The list's id.
        id: String,
    },
    /// Another session holds the task in progress.
    #[error("Task '{task}' is in progress, held by session '{}'", escape(holder))]
    HeldByOther {
        /// The task.
        task: TaskId,
        /// The session holding it.
        holder: String,
    },
    /// The task is completed; leaving that status needs an explicit reopen.
    #[error("Task '{task}' is completed; changing it to {wanted} needs an explicit reopen")]
    NeedsReopen {
        /// The task.
        task: TaskId,
        /// The status asked for.
        wanted: Status,
    },
    /// The task's prerequisites are not settled.
    #[error("Task '{task}' waits for {}", waits_text(waits_for))]
    OutOfOrder {
        /// The task.
        task: TaskId,
        /// Each unsettled prerequisite and its status.
        waits_for: Vec<(TaskId, Status)>,
    },
    /// A task with that id is already in the list.
    #[error("Task '{task}' already exists in task list '{}'", escape(list))]
    TaskExists {
        /// The task id.
        task: TaskId,
        /// The list's title.
        list: String,
    },
    /// A list with that id already exists.
    #[error("Task list {0} already exists")]
    ListExists(String),
    /// The op is applied to a list that does not exist.
    #[error("Task list does not exist yet")]
    NoList,
    /// The same task id is given twice when creating a list.
    #[error("Task '{0}' is given twice")]
    DuplicateTask(TaskId),
    /// A task would depend on itself.
    #[error("Task '{0}' cannot depend on itself")]
    SelfDependency(TaskId),
    /// A list title that is empty or only whitespace.
    #[error("Task list title is empty")]
    EmptyTitle,
    /// Imported tasks that do not make a valid list (ids twice, unknown
    /// dependencies, a dependency cycle).
    #[error("The imported tasks are not a valid list: {0}")]
    InvalidTasks(#[source] DependencyError),
}

/// How many prerequisites an error names before it counts the rest.
const WAITS_SHOWN: usize = 5;

/// `'a' (pending), 'b' (blocked)`, and `and N more` past [`WAITS_SHOWN`].
fn waits_text(waits: &[(TaskId, Status)]) -> String {
    let shown: Vec<String> =
        waits.iter().take(WAITS_SHOWN).map(|(t, s)| format!("'{t}' ({s})")).collect();
    match waits.len().saturating_sub(WAITS_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Result alias for applying ops.
type OpResult<T> = Result<T, OpError>;

/// Who applies an op, and when.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The session tagging this change, if known.
    pub session: Option<String>,
    /// The time recorded for this change.
    pub now: DateTime<Utc>,
    /// The commit the change is applied on (None when creating).
    pub tip: Option<CommitId>,
}

/// A task to add: id, title, explicit dependencies, and a note it starts with.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// The new task's id.
    pub id: TaskId,
    /// Its title (the id when empty).
    pub title: String,
    /// Tasks it waits for.
    pub depends_on: Vec<TaskId>,
    /// Its note, if it starts with one (an empty note is none).
    pub note: Option<String>,
}

/// A change to one task's status and/or note.
#[derive(Debug, Clone, Default)]
pub struct TaskChange {
    /// The target status, if the status changes.
    pub status: Option<Status>,
    /// A new note, replacing the old one.
    pub note: Option<String>,
    /// Allows leaving `completed`.
    pub reopen: bool,
    /// Allows acting on a task another session holds.
    pub take_over: bool,
    /// Allows starting or finishing before the prerequisites are settled.
    pub out_of_order: bool,
}

/// A mutation of a TaskList.
#[derive(Debug, Clone)]
pub enum Op {
    /// Create a new list.
    Create {
        /// The new list's id (UUID v7).
        id: String,
        /// Its title.
        title: String,
        /// Its tasks, in order.
        tasks: Vec<NewTask>,
        /// Template name, when created from one.
        template: Option<String>,
        /// Source list id, when copied from one.
        from: Option<String>,
        /// Whether each task depends on the one before.
        sequential: bool,
        /// The branch checked out where it is created.
        branch: Option<String>,
    },
    /// Create a new list from tasks as another tool had them: statuses,
    /// owners and notes land in the list's first commit.
    Import {
        /// The new list's id (UUID v7).
        id: String,
        /// Its title.
        title: String,
        /// Its tasks, in order (their `updated` is set to the time of the import).
        tasks: Vec<Task>,
        /// Where they came from, for the commit subject (e.g. `Claude Code`).
        source: String,
        /// The branch checked out where it is imported.
        branch: Option<String>,
    },
    /// Add a task.
    AddTask {
        /// The task to add.
        task: NewTask,
        /// Insert after this task (default: at the end).
        after: Option<TaskId>,
    },
    /// Change a task's status and/or note.
    Update {
        /// The task to change.
        task: TaskId,
        /// What to change.
        change: TaskChange,
    },
    /// Record a handoff note.
    Handoff {
        /// The note for the next session.
        note: String,
        /// The verification failures not accepted at the tip it is applied
        /// on, carried forward for the next session's bounded check.
        unverified: Vec<CommitId>,
    },
    /// Record that another list continues this one (`create --from`).
    Continued {
        /// The id of the list that continues it.
        by: String,
        /// That list's title, for the commit subject.
        title: String,
    },
    /// Accept a verification failure: the commit that broke a check stays
    /// in the history; this records, as its own commit, that it was seen
    /// and why it is acceptable, so verification passes again.
    Accept {
        /// The commit that failed verification.
        commit: CommitId,
        /// Why it is accepted (required, non-empty).
        note: String,
    },
    /// Archive (hide from `list`) or unarchive the list.
    Archive {
        /// The new value of `archived`.
        archived: bool,
    },
    /// Record a task as another tool's task list has it (Claude Code's own
    /// task tools): the task of the same title (case and surrounding space
    /// aside), else a new one with a slug of the title as its id; completed
    /// when the other tool completed it (out of order if need be: the work is
    /// done), never over a task another session holds. One event, one commit.
    Mirror {
        /// The task's title (the other tool's subject).
        title: String,
        /// A new task's note (the other tool's description).
        note: Option<String>,
        /// Whether the other tool completed it.
        completed: bool,
        /// The list to create when there is none yet, with the task as its
        /// first; `None`: the list must exist.
        create: Option<ListSeed>,
    },
}

/// What a list created by an op other than [`Op::Create`] starts as.
#[derive(Debug, Clone)]
pub struct ListSeed {
    /// Its id (a UUID).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The branch checked out where it is created.
    pub branch: Option<String>,
}

/// The result of applying an op: the new state and how to describe it.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The state after the op.
    pub list: TaskList,
    /// Whether anything changed (an unchanged op writes no commit).
    pub changed: bool,
    /// The commit subject.
    pub subject: String,
    /// What the change was (the `Op:` trailer).
    pub name: OpName,
    /// Further trailers, e.g. `Out-Of-Order` or `Took-Over`.
    pub trailers: Vec<(&'static str, String)>,
}

impl Applied {
    /// A change to `list`, described by `subject`, without further trailers.
    pub fn new(list: TaskList, name: OpName, subject: String) -> Applied {
        Applied { list, changed: true, subject, name, trailers: vec![] }
    }

    /// The result of an op that changes nothing: no commit is written.
    pub fn unchanged(list: &TaskList) -> Applied {
        Applied {
            list: list.clone(),
            changed: false,
            subject: String::new(),
            name: OpName::Noop,
            trailers: vec![],
        }
    }
}

/// What a commit did, as its `Op:` trailer names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpName {
    /// Nothing (no commit is written).
    Noop,
    /// A new list.
    Create,
    /// A new list from another tool's tasks.
    Import,
    /// A task added.
    AddTask,
    /// A task's status changed.
    SetStatus,
    /// A completed task reopened.
    Reopen,
    /// A task claimed without a status change.
    Claim,
    /// A task's note changed.
    Note,
    /// A handoff note recorded.
    Handoff,
    /// The list archived.
    Archive,
    /// The list unarchived.
    Unarchive,
    /// Two histories joined (sync).
    Merge,
    /// A verification failure accepted.
    Accept,
    /// Another list recorded as this one's continuation.
    Continued,
}

impl OpName {
    /// The trailer's value: `create`, `set-status`, `reopen` …
    pub fn as_str(self) -> &'static str {
        match self {
            OpName::Noop => "noop",
            OpName::Create => "create",
            OpName::Import => "import",
            OpName::AddTask => "add-task",
            OpName::SetStatus => "set-status",
            OpName::Reopen => "reopen",
            OpName::Claim => "claim",
            OpName::Note => "note",
            OpName::Handoff => "handoff",
            OpName::Archive => "archive",
            OpName::Unarchive => "unarchive",
            OpName::Merge => "merge",
            OpName::Accept => "accept",
            OpName::Continued => "continued",
        }
    }
}

const SUBJECT_TITLE_MAX: usize = 60;

/// A list title fit for a one-line commit subject.
fn subject_title(title: &str) -> String {
    let t = escape(title);
    if t.chars().count() > SUBJECT_TITLE_MAX {
        let cut: String = t.chars().take(SUBJECT_TITLE_MAX - 1).collect();
        format!("{cut}…")
    } else {
        t
    }
}

/// Applies `op` to `before` (`None` only for [`Op::Create`] and [`Op::Import`]).
pub fn apply(before: Option<&TaskList>, op: &Op, ctx: &Ctx) -> OpResult<Applied> {
    match (op, before) {
        (Op::Create { id, title, tasks, template, from, sequential, branch }, None) => {
            let mut applied = create(id, title, tasks, template, from, *sequential, ctx)?;
            applied.list.branch = branch.clone();
            Ok(applied)
        }
        (Op::Import { id, title, tasks, source, branch }, None) => {
            let mut applied = import(id, title, tasks, source, ctx)?;
            applied.list.branch = branch.clone();
            Ok(applied)
        }
        (Op::Create { .. } | Op::Import { .. }, Some(l)) => Err(OpError::ListExists(l.id.clone())),
        (Op::Mirror { title, note, completed, create: Some(seed) }, None) => {
            mirror(None, title, note, *completed, Some(seed), ctx)
        }
        (_, None) => Err(OpError::NoList),
        (Op::Mirror { title, note, completed, .. }, Some(l)) => {
            mirror(Some(l), title, note, *completed, None, ctx)
        }
        (Op::AddTask { task, after }, Some(l)) => add_task(l, task, after.as_ref(), ctx),
        (Op::Update { task, change }, Some(l)) => update(l, task, change, ctx),
        (Op::Archive { archived }, Some(l)) => Ok(archive(l, *archived, ctx)),
        (Op::Accept { commit, note }, Some(l)) => Ok(accept(l, commit, note, ctx)),
        (Op::Continued { by, title }, Some(l)) => {
            if l.continued_in.contains(by) {
                return Ok(Applied::unchanged(l));
            }
            let mut list = l.clone();
            list.continued_in.push(by.clone());
            list.updated = ctx.now;
            let subject = format!(
                "{}: continued in {} ({})",
                subject_title(&list.title),
                by,
                subject_title(title)
            );
            let mut applied = Applied::new(list, OpName::Continued, subject);
            applied.trailers = vec![(trailer::CONTINUED_IN, by.clone())];
            Ok(applied)
        }
        (Op::Handoff { note, unverified }, Some(l)) => {
            let mut list = l.clone();
            list.handoff = Some(Handoff {
                at: ctx.now,
                session: ctx.session.clone(),
                base: ctx.tip.map(|t| t.to_string()),
                note: note.clone(),
                unverified: unverified.iter().map(ToString::to_string).collect(),
                extra: Default::default(),
            });
            list.updated = ctx.now;
            let subject = format!("{}: handoff", subject_title(&list.title));
            Ok(Applied::new(list, OpName::Handoff, subject))
        }
    }
}

/// How much of an acceptance note a commit subject shows.
const SUBJECT_NOTE_MAX: usize = 50;

fn accept(l: &TaskList, commit: &CommitId, note: &str, ctx: &Ctx) -> Applied {
    let mut list = l.clone();
    let full = commit.to_string();
    if let Some(h) = list.handoff.as_mut() {
        h.unverified.retain(|c| *c != full);
    }
    list.updated = ctx.now;
    let note_line = escape(note);
    let shown = if note_line.chars().count() > SUBJECT_NOTE_MAX {
        let cut: String = note_line.chars().take(SUBJECT_NOTE_MAX - 1).collect();
        format!("{cut}…")
    } else {
        note_line
    };
    let subject = format!(
        "{}: accept verify failure {}: {shown}",
        subject_title(&list.title),
        commit.short(12)
    );
    let mut applied = Applied::new(list, OpName::Accept, subject);
    applied.trailers = vec![(trailer::ACCEPTS, full), (trailer::NOTE, note.to_string())];
    applied
}

fn archive(l: &TaskList, archived: bool, ctx: &Ctx) -> Applied {
    let (name, what) =
        if archived { (OpName::Archive, "archived") } else { (OpName::Unarchive, "unarchived") };
    if l.archived == archived {
        return Applied::unchanged(l);
    }
    let mut list = l.clone();
    list.archived = archived;
    list.updated = ctx.now;
    let subject = format!("{}: {what}", subject_title(&list.title));
    Applied::new(list, name, subject)
}

fn create(
    id: &str,
    title: &str,
    tasks: &[NewTask],
    template: &Option<String>,
    from: &Option<String>,
    sequential: bool,
    ctx: &Ctx,
) -> OpResult<Applied> {
    if title.trim().is_empty() {
        return Err(OpError::EmptyTitle);
    }
    let mut list = TaskList {
        id: id.to_string(),
        title: title.to_string(),
        created: ctx.now,
        updated: ctx.now,
        template: template.clone(),
        from: from.clone(),
        sequential,
        archived: false,
        branch: None,
        continued_in: vec![],
        handoff: None,
        tasks: Vec::with_capacity(tasks.len()),
        extra: Default::default(),
    };
    // Each task may depend only on tasks before it, so a create is checked
    // in one pass with a set of the ids seen so far (linear, whatever its size).
    let mut seen: std::collections::HashSet<&TaskId> = std::collections::HashSet::new();
    for t in tasks {
        if !seen.insert(&t.id) {
            return Err(OpError::DuplicateTask(t.id.clone()));
        }
        for d in &t.depends_on {
            if d == &t.id {
                return Err(OpError::SelfDependency(d.clone()));
            }
            if !seen.contains(d) {
                return Err(OpError::TaskNotFound {
                    task: d.to_string(),
                    list: title.to_string(),
                    id: id.to_string(),
                });
            }
        }
        list.tasks.push(new_task(t, ctx));
    }
    let n = list.tasks.len();
    let subject =
        format!("Create '{}' with {n} task{}", subject_title(title), if n == 1 { "" } else { "s" });
    Ok(Applied::new(list, OpName::Create, subject))
}

/// A new list holding `tasks` as they are. Dependencies may point forward
/// (the source orders by its own ids), so they are checked as a whole
/// (unknown ids, cycles); a task completed while a prerequisite is not is
/// recorded as out of order, as `done --out-of-order` would be, so `verify`
/// does not take the import for a skipped step.
fn import(id: &str, title: &str, tasks: &[Task], source: &str, ctx: &Ctx) -> OpResult<Applied> {
    if title.trim().is_empty() {
        return Err(OpError::EmptyTitle);
    }
    let tasks: Vec<Task> = tasks.iter().map(|t| Task { updated: ctx.now, ..t.clone() }).collect();
    for t in &tasks {
        if t.depends_on.contains(&t.id) {
            return Err(OpError::SelfDependency(t.id.clone()));
        }
    }
    check_dependencies(&tasks).map_err(OpError::InvalidTasks)?;
    let list = TaskList {
        id: id.to_string(),
        title: title.to_string(),
        created: ctx.now,
        updated: ctx.now,
        template: None,
        from: None,
        sequential: false,
        archived: false,
        branch: None,
        continued_in: vec![],
        handoff: None,
        tasks,
        extra: Default::default(),
    };
    let index = list.index();
    let trailers = list
        .tasks
        .iter()
        .enumerate()
        .filter(|(i, t)| t.status == Status::Completed && !index.unsettled(*i).is_empty())
        .map(|(_, t)| (trailer::OUT_OF_ORDER, t.id.to_string()))
        .collect();
    let n = list.tasks.len();
    let subject = format!(
        "Import '{}' with {n} task{} from {}",
        subject_title(title),
        if n == 1 { "" } else { "s" },
        escape(source)
    );
    Ok(Applied { trailers, ..Applied::new(list, OpName::Import, subject) })
}

fn push_task(list: &mut TaskList, t: &NewTask, after: Option<&TaskId>, ctx: &Ctx) -> OpResult<()> {
    if list.task(t.id.as_str()).is_some() {
        return Err(OpError::TaskExists { task: t.id.clone(), list: list.title.clone() });
    }
    for d in &t.depends_on {
        if d == &t.id {
            return Err(OpError::SelfDependency(d.clone()));
        }
        if list.task(d.as_str()).is_none() {
            return Err(OpError::TaskNotFound {
                task: d.to_string(),
                list: list.title.clone(),
                id: list.id.clone(),
            });
        }
    }
    let task = new_task(t, ctx);
    let at = match after {
        None => list.tasks.len(),
        Some(a) => {
            list.position(a.as_str()).ok_or_else(|| OpError::TaskNotFound {
                task: a.to_string(),
                list: list.title.clone(),
                id: list.id.clone(),
            })? + 1
        }
    };
    list.tasks.insert(at, task);
    Ok(())
}

/// The task a [`NewTask`] describes: pending, the id as the title when it
/// has none, each dependency once.
fn new_task(t: &NewTask, ctx: &Ctx) -> Task {
    let title = if t.title.trim().is_empty() { t.id.to_string() } else { t.title.clone() };
    let mut task = Task::new(t.id.clone(), title, ctx.now);
    let mut seen = std::collections::HashSet::new();
    task.depends_on = t.depends_on.iter().filter(|d| seen.insert(*d)).cloned().collect();
    task.note = t.note.clone().filter(|n| !n.is_empty());
    task
}

fn add_task(l: &TaskList, t: &NewTask, after: Option<&TaskId>, ctx: &Ctx) -> OpResult<Applied> {
    let mut list = l.clone();
    push_task(&mut list, t, after, ctx)?;
    list.updated = ctx.now;
    let subject = format!("{}: add {}", subject_title(&list.title), t.id);
    Ok(Applied::new(list, OpName::AddTask, subject))
}

/// [`Op::Mirror`] on `l`, or on no list yet (then `seed` says what to create).
fn mirror(
    l: Option<&TaskList>,
    title: &str,
    note: &Option<String>,
    completed: bool,
    seed: Option<&ListSeed>,
    ctx: &Ctx,
) -> OpResult<Applied> {
    let want = title.trim().to_lowercase();
    let found = l.and_then(|l| l.tasks.iter().find(|t| t.title.trim().to_lowercase() == want));
    if let (Some(l), Some(task)) = (l, found) {
        if !completed {
            return Ok(Applied::unchanged(l));
        }
        let change = TaskChange {
            status: Some(Status::Completed),
            out_of_order: true,
            ..Default::default()
        };
        return update(l, &task.id, &change, ctx);
    }
    let used = l.map(|l| l.tasks.iter().map(|t| t.id.to_string()).collect()).unwrap_or_default();
    let new = NewTask {
        id: crate::domain::model::unique_slug(title, &used),
        title: title.trim().to_string(),
        depends_on: vec![],
        note: note.clone(),
    };
    let mut applied = match (l, seed) {
        (Some(l), _) => add_task(l, &new, None, ctx)?,
        (None, Some(seed)) => {
            let mut a = create(&seed.id, &seed.title, &[new], &None, &None, false, ctx)?;
            a.list.branch = seed.branch.clone();
            a
        }
        (None, None) => return Err(OpError::NoList),
    };
    if completed {
        let at = applied.list.tasks.len() - 1;
        let waits = !applied.list.unsettled_prerequisites(at).is_empty();
        let task = &mut applied.list.tasks[at];
        task.status = Status::Completed;
        task.owner = ctx.session.clone();
        if waits {
            applied.trailers.push((trailer::OUT_OF_ORDER, task.id.to_string()));
        }
        applied.subject.push_str(", completed");
    }
    Ok(applied)
}

fn update(l: &TaskList, id: &TaskId, change: &TaskChange, ctx: &Ctx) -> OpResult<Applied> {
    let idx = l.position(id.as_str()).ok_or_else(|| OpError::TaskNotFound {
        task: id.to_string(),
        list: l.title.clone(),
        id: l.id.clone(),
    })?;
    let old = &l.tasks[idx];
    let mut trailers = Vec::new();

    // A session's claim holds against everyone else while the task is in progress.
    if let Some(holder) = &old.owner {
        let held = old.status == Status::InProgress && ctx.session.as_deref() != Some(holder);
        if held {
            if !change.take_over {
                return Err(OpError::HeldByOther { task: id.clone(), holder: holder.clone() });
            }
            trailers.push((trailer::TOOK_OVER, holder.clone()));
        }
    }

    let new_status = change.status.unwrap_or(old.status);
    let status_changes = new_status != old.status;
    let note_changes = change.note.as_ref().is_some_and(|n| old.note.as_ref() != Some(n));
    // Only asking for in_progress (start, update --status in_progress) claims;
    // a note never does.
    let claim_changes = change.status == Some(Status::InProgress)
        && ctx.session.is_some()
        && old.owner != ctx.session;
    if !status_changes && !note_changes && !claim_changes {
        return Ok(Applied::unchanged(l));
    }

    let mut name = if status_changes { OpName::SetStatus } else { OpName::Note };
    if status_changes && old.status == Status::Completed {
        if !change.reopen {
            return Err(OpError::NeedsReopen { task: id.clone(), wanted: new_status });
        }
        name = OpName::Reopen;
        trailers.push((trailer::REOPENED, id.to_string()));
    }
    if claim_changes && !status_changes {
        name = OpName::Claim;
    }
    if status_changes && matches!(new_status, Status::InProgress | Status::Completed) {
        let waiting = l.unsettled_prerequisites(idx);
        if !waiting.is_empty() {
            if !change.out_of_order {
                let waits_for = waiting.iter().map(|p| (p.id.clone(), p.status)).collect();
                return Err(OpError::OutOfOrder { task: id.clone(), waits_for });
            }
            trailers.push((trailer::OUT_OF_ORDER, id.to_string()));
        }
    }

    let mut list = l.clone();
    let task = &mut list.tasks[idx];
    task.status = new_status;
    if let Some(n) = &change.note {
        task.note = Some(n.clone());
    }
    // The owner is the session that last moved the task (None when unknown,
    // so nobody is credited with a change they did not make); a pending task
    // has no owner.
    if status_changes || claim_changes {
        task.owner = match new_status {
            Status::Pending => None,
            _ => ctx.session.clone(),
        };
    }
    task.updated = ctx.now;
    list.updated = ctx.now;
    let title = subject_title(&list.title);
    let subject = if status_changes {
        format!("{title}: {id} {} → {new_status}", old.status)
    } else if claim_changes {
        format!("{title}: {id} claimed")
    } else {
        format!("{title}: note on {id}")
    };
    Ok(Applied { trailers, ..Applied::new(list, name, subject) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::Cycle;
    use chrono::TimeZone;

    fn ctx(session: Option<&str>) -> Ctx {
        Ctx {
            session: session.map(String::from),
            now: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap(),
            tip: None,
        }
    }

    fn tid(s: &str) -> TaskId {
        TaskId::parse(s).unwrap()
    }

    fn list(sequential: bool) -> TaskList {
        let op = Op::Create {
            id: "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e".into(),
            title: "Migration".into(),
            tasks: ["a", "b", "c"]
                .iter()
                .map(|i| NewTask {
                    id: tid(i),
                    title: String::new(),
                    depends_on: vec![],
                    note: None,
                })
                .collect(),
            template: None,
            from: None,
            sequential,
            branch: None,
        };
        apply(None, &op, &ctx(None)).unwrap().list
    }

    fn set(l: &TaskList, task: &str, status: Status, session: Option<&str>) -> OpResult<Applied> {
        let change = TaskChange { status: Some(status), ..Default::default() };
        apply(Some(l), &Op::Update { task: tid(task), change }, &ctx(session))
    }

    #[test]
    fn completed_needs_reopen() {
        let l = set(&list(false), "a", Status::Completed, None).unwrap().list;
        assert_eq!(
            set(&l, "a", Status::Pending, None).unwrap_err(),
            OpError::NeedsReopen { task: tid("a"), wanted: Status::Pending }
        );
        let change =
            TaskChange { status: Some(Status::Pending), reopen: true, ..Default::default() };
        let r = apply(Some(&l), &Op::Update { task: tid("a"), change }, &ctx(None)).unwrap();
        assert_eq!(r.name.as_str(), "reopen");
        assert_eq!(r.list.tasks[0].status, Status::Pending);
    }

    #[test]
    fn claims_hold_against_other_sessions() {
        let l = set(&list(false), "a", Status::InProgress, Some("s1")).unwrap().list;
        assert_eq!(l.tasks[0].owner.as_deref(), Some("s1"));
        let held = OpError::HeldByOther { task: tid("a"), holder: "s1".into() };
        assert_eq!(set(&l, "a", Status::Completed, Some("s2")).unwrap_err(), held);
        assert_eq!(set(&l, "a", Status::Completed, None).unwrap_err(), held);
        assert!(set(&l, "a", Status::Completed, Some("s1")).is_ok());
        let change =
            TaskChange { status: Some(Status::InProgress), take_over: true, ..Default::default() };
        let r = apply(Some(&l), &Op::Update { task: tid("a"), change }, &ctx(Some("s2"))).unwrap();
        assert_eq!(r.list.tasks[0].owner.as_deref(), Some("s2"));
        assert_eq!(r.trailers, vec![("Took-Over", "s1".to_string())]);
    }

    #[test]
    fn owner_is_who_last_moved_the_task() {
        let l = set(&list(false), "a", Status::InProgress, Some("s1")).unwrap().list;
        let change =
            TaskChange { status: Some(Status::Completed), take_over: true, ..Default::default() };
        let done = apply(Some(&l), &Op::Update { task: tid("a"), change }, &ctx(None)).unwrap();
        assert_eq!(done.list.tasks[0].owner, None, "a session-less change credits nobody");
        let note = TaskChange { note: Some("n".into()), ..Default::default() };
        let l = set(&list(false), "b", Status::Completed, Some("s2")).unwrap().list;
        let noted = apply(Some(&l), &Op::Update { task: tid("b"), change: note }, &ctx(None));
        assert_eq!(noted.unwrap().list.tasks[1].owner.as_deref(), Some("s2"), "a note keeps it");
    }

    #[test]
    fn a_note_never_claims() {
        let l = set(&list(false), "a", Status::InProgress, None).unwrap().list;
        let note = TaskChange { note: Some("hi".into()), ..Default::default() };
        let r = apply(Some(&l), &Op::Update { task: tid("a"), change: note }, &ctx(Some("s9")));
        let r = r.unwrap();
        assert_eq!(r.name.as_str(), "note");
        assert_eq!(r.list.tasks[0].owner, None);
    }

    #[test]
    fn sequential_order_is_enforced() {
        let l = list(true);
        assert_eq!(
            set(&l, "b", Status::InProgress, None).unwrap_err(),
            OpError::OutOfOrder { task: tid("b"), waits_for: vec![(tid("a"), Status::Pending)] }
        );
        let change = TaskChange {
            status: Some(Status::InProgress),
            out_of_order: true,
            ..Default::default()
        };
        let r = apply(Some(&l), &Op::Update { task: tid("b"), change }, &ctx(None)).unwrap();
        assert_eq!(r.trailers, vec![("Out-Of-Order", "b".to_string())]);
        // Non-sequential lists only follow explicit dependencies.
        assert!(set(&list(false), "b", Status::InProgress, None).is_ok());
    }

    #[test]
    fn repeating_a_change_writes_nothing() {
        let l = set(&list(false), "a", Status::InProgress, Some("s1")).unwrap().list;
        let again = set(&l, "a", Status::InProgress, Some("s1")).unwrap();
        assert!(!again.changed);
    }

    #[test]
    fn unknown_task_is_not_found() {
        assert_eq!(
            set(&list(false), "zz", Status::Completed, None).unwrap_err(),
            OpError::TaskNotFound {
                task: "zz".into(),
                list: "Migration".into(),
                id: "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e".into()
            }
        );
    }

    #[test]
    fn import_keeps_statuses_and_refuses_cycles() {
        let t0 = ctx(None).now;
        let mut a = Task::new(tid("a"), "A".into(), t0);
        let mut b = Task::new(tid("b"), "B".into(), t0);
        a.status = Status::Completed;
        a.depends_on = vec![tid("b")]; // forward, and b is not done
        b.owner = Some("lead".into());
        let op = |tasks: Vec<Task>| Op::Import {
            id: "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e".into(),
            title: "Imported".into(),
            tasks,
            source: "Claude Code".into(),
            branch: None,
        };
        let r = apply(None, &op(vec![a.clone(), b.clone()]), &ctx(None)).unwrap();
        assert_eq!(r.name.as_str(), "import");
        assert_eq!(r.list.tasks[0].status, Status::Completed);
        assert_eq!(r.list.tasks[1].owner.as_deref(), Some("lead"));
        assert_eq!(r.trailers, vec![(trailer::OUT_OF_ORDER, "a".to_string())]);
        assert_eq!(r.subject, "Import 'Imported' with 2 tasks from Claude Code");
        b.depends_on = vec![tid("a")];
        let e = apply(None, &op(vec![a, b]), &ctx(None)).unwrap_err();
        assert!(e.to_string().contains("cycle: a → b → a"), "{e}");
        let cycle = Cycle(vec![tid("a"), tid("b"), tid("a")]);
        assert_eq!(e, OpError::InvalidTasks(DependencyError::Cycle(cycle)));
    }

    #[test]
    fn add_after_and_duplicate() {
        let l = list(false);
        let t = NewTask { id: tid("x"), title: "X".into(), depends_on: vec![tid("a")], note: None };
        let r =
            apply(Some(&l), &Op::AddTask { task: t.clone(), after: Some(tid("a")) }, &ctx(None))
                .unwrap();
        let ids: Vec<&str> = r.list.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a", "x", "b", "c"]);
        assert_eq!(
            apply(Some(&r.list), &Op::AddTask { task: t, after: None }, &ctx(None)).unwrap_err(),
            OpError::TaskExists { task: tid("x"), list: "Migration".into() }
        );
    }
}
