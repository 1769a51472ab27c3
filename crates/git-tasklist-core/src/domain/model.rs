//! The TaskList data model: lists, tasks, statuses and ids, and the queries
//! every front end asks (progress, prerequisites, the next task). Pure: no git,
//! no file format (that is [`crate::domain::format`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use crate::util::text::escape;

/// The newest file format this build reads and writes.
pub const FORMAT: i64 = 1;

/// Name of the state file in each commit's tree.
pub const STATE_FILE: &str = "tasklist.toml";

/// Longest task id accepted (in bytes).
pub const MAX_TASK_ID_LEN: usize = 64;

/// Longest session id accepted.
pub const MAX_SESSION_LEN: usize = 128;

/// Errors found while reading or validating a TaskList.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The TOML did not parse or did not have the expected shape.
    #[error("{0}")]
    Syntax(String),
    /// The file was written by a newer version of the tool.
    #[error(
        "format {found} is newer than this git-tasklist understands (format {FORMAT}); upgrade git-tasklist"
    )]
    NewerFormat {
        /// The format number found in the file.
        found: i64,
    },
    /// A field holds a value that is not allowed.
    #[error("{0}")]
    Invalid(String),
    /// The tasks' dependencies are not valid.
    #[error(transparent)]
    Dependencies(#[from] DependencyError),
}

/// Why the dependencies of a list's tasks are not valid (see [`check_dependencies`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DependencyError {
    /// Two tasks have the same id.
    #[error("task id '{0}' appears twice")]
    Duplicate(TaskId),
    /// A task depends on a task that is not in the list.
    #[error("task '{task}' depends on unknown task '{missing}'")]
    Unknown {
        /// The task.
        task: TaskId,
        /// The id it names.
        missing: TaskId,
    },
    /// The dependencies go round in a circle.
    #[error("depends_on forms a cycle: {0}")]
    Cycle(Cycle),
}

/// The tasks of a dependency cycle, in order, the first one again at the
/// end; shown as `a → b → a`, at most [`Cycle::SHOWN`] of them by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle(pub Vec<TaskId>);

impl Cycle {
    /// How many tasks of a cycle its text names.
    pub const SHOWN: usize = 8;
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(TaskId::as_str).collect();
        if names.len() > Cycle::SHOWN {
            let tail = names.len() - 1;
            write!(
                f,
                "{} → … ({} more) → {}",
                names[..Cycle::SHOWN - 1].join(" → "),
                tail - (Cycle::SHOWN - 1),
                names[tail]
            )
        } else {
            f.write_str(&names.join(" → "))
        }
    }
}

/// Result alias for model operations.
pub type ModelResult<T> = Result<T, ModelError>;

/// Where a task stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not started.
    Pending,
    /// Being worked on.
    InProgress,
    /// Finished.
    Completed,
    /// Waiting on something outside the list.
    Blocked,
    /// Dropped from the plan; counts as settled for ordering.
    Cancelled,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 5] = [
        Status::Pending,
        Status::InProgress,
        Status::Completed,
        Status::Blocked,
        Status::Cancelled,
    ];

    /// The canonical lowercase name written to files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Blocked => "blocked",
            Status::Cancelled => "cancelled",
        }
    }

    /// True for statuses that let dependent tasks go ahead.
    pub fn is_settled(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name that matches no status or alias.
#[derive(Debug, thiserror::Error)]
#[error(
    "Unknown status '{0}'; use one of pending, in_progress, completed, blocked, cancelled (aliases: todo, in-progress, started, done, complete, canceled, skipped)"
)]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    /// Case-insensitive, with `-`, ` ` and `_` treated alike, plus common aliases.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .chars()
            .filter_map(|c| match c {
                '-' | ' ' | '_' => None,
                c => Some(c.to_ascii_lowercase()),
            })
            .collect();
        Ok(match norm.as_str() {
            "pending" | "todo" | "open" | "notstarted" => Status::Pending,
            "inprogress" | "started" | "active" | "doing" | "wip" | "running" => Status::InProgress,
            "completed" | "complete" | "done" | "finished" | "closed" => Status::Completed,
            "blocked" | "waiting" | "onhold" => Status::Blocked,
            "cancelled" | "canceled" | "skipped" | "dropped" | "wontdo" => Status::Cancelled,
            _ => return Err(UnknownStatus(s.to_string())),
        })
    }
}

/// A validated task id: a slug `[a-z0-9][a-z0-9._-]{0,63}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(String);

impl TaskId {
    /// Validates `s` as a task id.
    pub fn parse(s: &str) -> ModelResult<TaskId> {
        let bytes = s.as_bytes();
        let ok_first = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let ok_rest = |b: u8| ok_first(b) || matches!(b, b'.' | b'_' | b'-');
        if s.is_empty() {
            return Err(ModelError::Invalid("Task id is empty".into()));
        }
        if s.len() > MAX_TASK_ID_LEN {
            return Err(ModelError::Invalid(format!(
                "Task id '{}…' is longer than {MAX_TASK_ID_LEN} characters",
                escape(&s.chars().take(20).collect::<String>())
            )));
        }
        if !ok_first(bytes[0]) || !bytes[1..].iter().all(|&b| ok_rest(b)) {
            return Err(ModelError::Invalid(format!(
                "Task id '{}' is not a slug; use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit",
                escape(s)
            )));
        }
        Ok(TaskId(s.to_string()))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A slug of `subject` for a task id: lowercase letters and digits, runs
/// of anything else as one `-`, at most [`MAX_TASK_ID_LEN`] characters
/// (`task` when nothing is left).
pub fn slug(subject: &str) -> String {
    let mut out = String::new();
    for c in subject.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= MAX_TASK_ID_LEN {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "task".into() } else { out }
}

/// A task id from `subject` ([`slug`]) that is not in `used`: the slug, else
/// the slug cut to fit and suffixed `-2`, `-3` …
pub(crate) fn unique_slug(subject: &str, used: &HashSet<String>) -> TaskId {
    let base = slug(subject);
    let mut n = 1usize;
    loop {
        let candidate = if n == 1 {
            base.clone()
        } else {
            let suffix = format!("-{n}");
            let keep = base.len().min(MAX_TASK_ID_LEN - suffix.len());
            format!("{}{suffix}", base[..keep].trim_end_matches(['-', '.', '_']))
        };
        if !used.contains(&candidate)
            && let Ok(id) = TaskId::parse(&candidate)
        {
            return id;
        }
        n += 1;
    }
}

/// Keys this version does not know, kept as they were read: a newer
/// version's fields survive a read-modify-write by this one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extra(pub(crate) BTreeMap<String, toml::Value>);

impl Extra {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The value of `key`, when it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(toml::Value::as_str)
    }

    /// Sets `key` to the string `value`.
    pub fn set_str(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), toml::Value::String(value.into()));
    }
}

/// The latest handoff note of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    /// When the handoff was written.
    pub at: DateTime<Utc>,
    /// The session that wrote it, if known.
    pub session: Option<String>,
    /// The commit the handoff was written on: the state the session left.
    pub base: Option<String>,
    /// The note for the next session.
    pub note: String,
    /// Commits that failed verification and were not accepted when the
    /// handoff was written (full ids): what the next session's bounded
    /// check carries forward, so it agrees with the full one.
    pub unverified: Vec<String>,
    /// Keys this version does not know, kept as they were.
    pub extra: Extra,
}

/// One phase of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Unique slug within the list.
    pub id: TaskId,
    /// Human title.
    pub title: String,
    /// Current status.
    pub status: Status,
    /// Last change to this task.
    pub updated: DateTime<Utc>,
    /// Session that claimed the task, if any.
    pub owner: Option<String>,
    /// Tasks that must be settled before this one starts.
    pub depends_on: Vec<TaskId>,
    /// Free-form note (the block reason for blocked tasks).
    pub note: Option<String>,
    /// Keys this version does not know, kept as they were.
    pub extra: Extra,
}

impl Task {
    /// The session other than `session` that holds this task in progress, if any.
    pub fn held_by_other(&self, session: Option<&str>) -> Option<&str> {
        if self.status != Status::InProgress {
            return None;
        }
        self.owner.as_deref().filter(|o| Some(*o) != session)
    }

    /// A new pending task.
    pub fn new(id: TaskId, title: String, now: DateTime<Utc>) -> Task {
        Task {
            id,
            title,
            status: Status::Pending,
            updated: now,
            owner: None,
            depends_on: Vec::new(),
            note: None,
            extra: Extra::default(),
        }
    }
}

/// A TaskList: the whole state stored at the tip of one ref.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskList {
    /// A UUID (v7; v5 for a Claude Code session's mirror list); equals the ref's last component.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change to the list.
    pub updated: DateTime<Utc>,
    /// Template the list was created from, if any.
    pub template: Option<String>,
    /// List this one was copied from, if any.
    pub from: Option<String>,
    /// Each task implicitly depends on the one before.
    pub sequential: bool,
    /// Hidden from `list` unless asked for; still readable and writable.
    pub archived: bool,
    /// The branch checked out where the list was created (`None`: detached
    /// HEAD, a bare repository, or a list from before branches were recorded).
    pub branch: Option<String>,
    /// The lists that continue this one (`create --from`), oldest first.
    pub continued_in: Vec<String>,
    /// The latest handoff note.
    pub handoff: Option<Handoff>,
    /// Tasks in plan order.
    pub tasks: Vec<Task>,
    /// Top-level keys this version does not know, kept as they were.
    pub extra: Extra,
}

impl TaskList {
    /// Finds a task by id (a scan; for many look-ups use [`TaskList::index`]).
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id.as_str() == id)
    }

    /// Index of a task by id (a scan; for many look-ups use [`TaskList::index`]).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.id.as_str() == id)
    }

    /// A map from task id to position, for queries over every task: each of
    /// them costs time linear in the list (plus its dependencies), never
    /// quadratic, however large a list a teammate pushes.
    pub fn index(&self) -> Index<'_> {
        let mut by_id = HashMap::with_capacity(self.tasks.len());
        for (i, t) in self.tasks.iter().enumerate() {
            by_id.entry(t.id.as_str()).or_insert(i);
        }
        Index { list: self, by_id }
    }

    /// Number of completed tasks and the number of tasks that count
    /// (cancelled tasks are left out of both).
    pub fn progress(&self) -> (usize, usize) {
        let counted = self.tasks.iter().filter(|t| t.status != Status::Cancelled);
        let total = counted.clone().count();
        let done = counted.filter(|t| t.status == Status::Completed).count();
        (done, total)
    }

    /// The prerequisites of `self.tasks[idx]` that are not settled yet.
    pub fn unsettled_prerequisites(&self, idx: usize) -> Vec<&Task> {
        self.index().unsettled(idx)
    }

    /// True when every task is completed or cancelled (or there are none).
    pub fn all_settled(&self) -> bool {
        self.tasks.iter().all(|t| t.status.is_settled())
    }

    /// Tasks that are neither settled nor ready: blocked, or waiting for a
    /// prerequisite, as `id (why)` — what to report when nothing is ready.
    pub fn stuck(&self) -> Vec<String> {
        let index = self.index();
        self.tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.status.is_settled() && t.status != Status::InProgress)
            .filter_map(|(i, t)| {
                if t.status == Status::Blocked {
                    return Some(format!("{} (blocked)", t.id));
                }
                let waiting = index.waiting_for(i);
                (!waiting.is_empty())
                    .then(|| format!("{} (waits for {})", t.id, waiting.join(", ")))
            })
            .collect()
    }

    /// The next task for `session`: an in-progress task it holds (or that
    /// nobody holds), else the first ready pending task, else an in-progress
    /// task another session holds.
    pub fn next_for(&self, session: Option<&str>) -> Option<&Task> {
        let in_progress = |t: &&Task| t.status == Status::InProgress;
        let mine = |t: &&Task| t.owner.is_none() || t.owner.as_deref() == session;
        if let Some(t) = self.tasks.iter().filter(in_progress).find(mine) {
            return Some(t);
        }
        let index = self.index();
        let ready = self
            .tasks
            .iter()
            .enumerate()
            .find_map(|(i, t)| (t.status == Status::Pending && index.ready(i)).then_some(t));
        ready.or_else(|| self.tasks.iter().find(in_progress))
    }

    /// [`TaskList::next_for`] with the reason when there is no next task.
    pub fn next_step(&self, session: Option<&str>) -> NextStep<'_> {
        match self.next_for(session) {
            Some(task) => NextStep::Task { task, held_by: task.held_by_other(session) },
            None if self.all_settled() => NextStep::Done,
            None => NextStep::Waiting(self.stuck()),
        }
    }

    /// The open tasks that cannot start now, in plan order: blocked ones and
    /// pending ones with unsettled prerequisites, each with those prerequisites.
    pub fn waiting(&self) -> Vec<(&Task, Vec<&Task>)> {
        let index = self.index();
        self.tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.status, Status::Pending | Status::Blocked))
            .filter_map(|(i, t)| {
                let waits = index.unsettled(i);
                (t.status == Status::Blocked || !waits.is_empty()).then_some((t, waits))
            })
            .collect()
    }

    /// Each unsettled task with unsettled prerequisites (explicit, or the
    /// task before in a sequential list), with those prerequisites, in plan
    /// order.
    pub fn waits_for(&self) -> Vec<(&Task, Vec<&Task>)> {
        let index = self.index();
        self.tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.status.is_settled())
            .filter_map(|(i, t)| {
                let waits = index.unsettled(i);
                (!waits.is_empty()).then_some((t, waits))
            })
            .collect()
    }

    /// In-progress tasks that `session` holds.
    pub fn held_by<'a>(&'a self, session: &'a str) -> impl Iterator<Item = &'a Task> {
        self.tasks
            .iter()
            .filter(move |t| t.status == Status::InProgress && t.owner.as_deref() == Some(session))
    }

    /// In-progress tasks held by a session other than `session` (for the
    /// session resuming the list: what an earlier session left open).
    pub fn left_open(&self, session: Option<&str>) -> Vec<&Task> {
        self.tasks
            .iter()
            .filter(|t| {
                t.status == Status::InProgress && t.owner.is_some() && t.owner.as_deref() != session
            })
            .collect()
    }
}

/// Task look-ups by id in constant time, built once by [`TaskList::index`].
pub struct Index<'a> {
    list: &'a TaskList,
    by_id: HashMap<&'a str, usize>,
}

impl<'a> Index<'a> {
    /// The task with this id.
    pub fn get(&self, id: &str) -> Option<&'a Task> {
        self.by_id.get(id).map(|&i| &self.list.tasks[i])
    }

    /// The position of the task with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Tasks that `tasks[idx]` must wait for: its `depends_on` (each once,
    /// unknown ids skipped), plus its predecessor in a sequential list.
    pub fn prerequisites(&self, idx: usize) -> Vec<&'a Task> {
        let tasks = &self.list.tasks;
        let Some(task) = tasks.get(idx) else { return Vec::new() };
        let mut picked: Vec<usize> = Vec::with_capacity(task.depends_on.len() + 1);
        if self.list.sequential && idx > 0 {
            picked.push(idx - 1);
        }
        picked.extend(task.depends_on.iter().filter_map(|d| self.position(d.as_str())));
        // Each prerequisite once, in order: a scan for the usual handful, a
        // set for a hostile fan-out.
        if picked.len() <= 16 {
            let mut out: Vec<&'a Task> = Vec::with_capacity(picked.len());
            for (k, &j) in picked.iter().enumerate() {
                if !picked[..k].contains(&j) {
                    out.push(&tasks[j]);
                }
            }
            return out;
        }
        let mut seen: HashSet<usize> = HashSet::with_capacity(picked.len());
        picked.into_iter().filter(|j| seen.insert(*j)).map(|j| &tasks[j]).collect()
    }

    /// Whether every prerequisite of `tasks[idx]` is settled (no allocation).
    pub fn ready(&self, idx: usize) -> bool {
        let tasks = &self.list.tasks;
        let Some(task) = tasks.get(idx) else { return false };
        let before = self.list.sequential && idx > 0;
        (!before || tasks[idx - 1].status.is_settled())
            && task
                .depends_on
                .iter()
                .all(|d| self.get(d.as_str()).is_none_or(|p| p.status.is_settled()))
    }

    /// The prerequisites of `tasks[idx]` that are not settled yet.
    pub fn unsettled(&self, idx: usize) -> Vec<&'a Task> {
        self.prerequisites(idx).into_iter().filter(|p| !p.status.is_settled()).collect()
    }

    /// The unsettled prerequisites of `tasks[idx]`, as `'id' (status)`.
    pub fn waiting_for(&self, idx: usize) -> Vec<String> {
        self.unsettled(idx).iter().map(|p| format!("'{}' ({})", p.id, p.status)).collect()
    }
}

/// What a session should do next on a list.
#[derive(Debug, Clone)]
pub enum NextStep<'a> {
    /// A task to work on; `held_by` names the other session holding it, if one does.
    Task {
        /// The task.
        task: &'a Task,
        /// The session that holds it in progress, when that is not the caller.
        held_by: Option<&'a str>,
    },
    /// Every task is completed or cancelled (or there are none).
    Done,
    /// No task is ready: each open task is blocked or waits for one, as `id (why)`.
    Waiting(Vec<String>),
}

impl NextStep<'_> {
    /// Which of the three cases this is.
    pub fn state(&self) -> NextState {
        match self {
            NextStep::Task { .. } => NextState::Ready,
            NextStep::Done => NextState::Done,
            NextStep::Waiting(_) => NextState::Waiting,
        }
    }

    /// The task, if there is one.
    pub fn task(&self) -> Option<&Task> {
        match self {
            NextStep::Task { task, .. } => Some(task),
            _ => None,
        }
    }

    /// The other session holding the task, if one does.
    pub fn held_by(&self) -> Option<&str> {
        match self {
            NextStep::Task { held_by, .. } => *held_by,
            _ => None,
        }
    }
}

/// `ready` (a task to work on), `done` (every task settled) or `waiting`
/// (nothing can start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NextState {
    /// A task to work on.
    Ready,
    /// Every task is completed or cancelled.
    Done,
    /// Every open task is blocked or waits for another.
    Waiting,
}

/// Task ids are unique, every `depends_on` names a task of the list, and the
/// dependencies form no cycle (a cycle would leave its tasks waiting forever).
///
/// Linear in the tasks and their dependencies, and iterative: a hostile
/// chain of 100,000 tasks each depending on the next is a loop, not a
/// recursion that runs out of stack.
pub fn check_dependencies(tasks: &[Task]) -> Result<(), DependencyError> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(tasks.len());
    for (i, t) in tasks.iter().enumerate() {
        if index.insert(t.id.as_str(), i).is_some() {
            return Err(DependencyError::Duplicate(t.id.clone()));
        }
    }
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(tasks.len());
    for t in tasks {
        let mut out = Vec::with_capacity(t.depends_on.len());
        for d in &t.depends_on {
            match index.get(d.as_str()) {
                Some(&j) => out.push(j),
                None => {
                    return Err(DependencyError::Unknown {
                        task: t.id.clone(),
                        missing: d.clone(),
                    });
                }
            }
        }
        edges.push(out);
    }
    // Depth-first search with colours (0 new, 1 on the current path, 2 done)
    // and an explicit stack of (task, next dependency to look at).
    let mut colour = vec![0u8; tasks.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..tasks.len() {
        if colour[root] != 0 {
            continue;
        }
        colour[root] = 1;
        stack.push((root, 0));
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&dep) = edges[node].get(*next) else {
                colour[node] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            match colour[dep] {
                0 => {
                    colour[dep] = 1;
                    stack.push((dep, 0));
                }
                1 => {
                    let start = stack.iter().position(|&(n, _)| n == dep).unwrap_or(0);
                    let mut ids: Vec<TaskId> =
                        stack[start..].iter().map(|&(n, _)| tasks[n].id.clone()).collect();
                    ids.push(tasks[dep].id.clone());
                    return Err(DependencyError::Cycle(Cycle(ids)));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Whether `s` is a valid session id: 1 to [`MAX_SESSION_LEN`] bytes of
/// visible characters without spaces.
pub fn session_ok(s: &str) -> bool {
    !(s.is_empty()
        || s.len() > MAX_SESSION_LEN
        || s.chars().any(|c| c.is_control() || c.is_whitespace()))
}

/// Whether `s` has the shape of a UUID (the form list ids take).
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

/// A new list id: a UUID v7, so ids sort by creation time.
pub(crate) fn new_list_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Renders a time as the file and JSON show it: RFC 3339, UTC, whole seconds.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The current time, truncated to whole seconds as stored.
pub fn now() -> DateTime<Utc> {
    let n = Utc::now();
    Utc.timestamp_opt(n.timestamp(), 0).single().unwrap_or(n)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A list with two tasks, a handoff and awkward text, for round trips.
    pub(crate) fn sample() -> TaskList {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 11, 30, 0).unwrap();
        let mut a =
            Task::new(TaskId::parse("database-migration").unwrap(), "Migrate \"db\"".into(), t0);
        a.status = Status::Completed;
        a.owner = Some("s1".into());
        a.note = Some("line1\nline2\u{1b}".into());
        let mut b = Task::new(TaskId::parse("app").unwrap(), "App".into(), t0);
        b.depends_on = vec![a.id.clone()];
        TaskList {
            id: "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e".into(),
            title: "Database migration".into(),
            created: t0,
            updated: t0,
            template: Some("migration".into()),
            from: None,
            sequential: true,
            archived: false,
            branch: None,
            continued_in: vec![],
            handoff: Some(Handoff {
                at: t0,
                session: Some("s1".into()),
                base: Some("abc".into()),
                unverified: vec![],
                note: "half".into(),
                extra: Extra::default(),
            }),
            tasks: vec![a, b],
            extra: Extra::default(),
        }
    }

    #[test]
    fn status_aliases() {
        for (s, want) in [
            ("IN_PROGRESS", Status::InProgress),
            ("in-progress", Status::InProgress),
            ("Done", Status::Completed),
            ("complete", Status::Completed),
            ("canceled", Status::Cancelled),
            ("todo", Status::Pending),
        ] {
            assert_eq!(s.parse::<Status>().unwrap(), want, "{s}");
        }
        assert!("nope".parse::<Status>().is_err());
    }

    #[test]
    fn unique_slugs() {
        let mut used = HashSet::new();
        assert_eq!(unique_slug("Fix the bug!", &used).as_str(), "fix-the-bug");
        used.insert("fix-the-bug".to_string());
        assert_eq!(unique_slug("fix the bug", &used).as_str(), "fix-the-bug-2");
        assert_eq!(unique_slug("", &used).as_str(), "task");
        let long = "x".repeat(100);
        used.insert("x".repeat(64));
        let id = unique_slug(&long, &used);
        assert_eq!(id.as_str(), format!("{}-2", "x".repeat(62)));
    }

    #[test]
    fn task_ids() {
        for ok in ["a", "database-migration", "v1.2_x", &"a".repeat(64)] {
            assert!(TaskId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../x", "a b", "A", "-a", &"a".repeat(65), "é", "a/b"] {
            let e = TaskId::parse(bad).unwrap_err();
            assert!(matches!(e, ModelError::Invalid(_)), "{bad}: {e:?}");
        }
    }

    #[test]
    fn next_respects_order_and_dependencies() {
        let mut l = sample();
        l.tasks[0].status = Status::Pending;
        assert_eq!(l.next_for(None).unwrap().id.as_str(), "database-migration");
        l.tasks[0].status = Status::Completed;
        assert_eq!(l.next_for(None).unwrap().id.as_str(), "app");
        l.tasks[1].status = Status::Completed;
        assert!(l.next_for(None).is_none());
    }

    #[test]
    fn next_for_prefers_own_and_ready_work() {
        let mut l = sample();
        l.sequential = false;
        l.tasks[0].status = Status::InProgress;
        l.tasks[0].owner = Some("s1".into());
        l.tasks[1].depends_on.clear();
        assert_eq!(l.next_for(Some("s1")).unwrap().id.as_str(), "database-migration");
        assert_eq!(l.next_for(Some("s2")).unwrap().id.as_str(), "app");
        l.tasks[1].status = Status::Blocked;
        assert_eq!(l.next_for(Some("s2")).unwrap().id.as_str(), "database-migration");
        assert_eq!(l.stuck(), vec!["app (blocked)".to_string()]);
        assert!(!l.all_settled());
    }
}
