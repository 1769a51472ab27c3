//! The board's views: the index of every list and one list's page.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::history::LogEntryView;
use super::list::{ListSummaryView, ListView, NextView, TaskView, UnreadableView};
use super::sync::{TrackingMap, TrackingView, tracking_views};
use crate::domain::model::{NextState, Status, TaskList};
use crate::store::{ListEntry, LogEntry, Snapshot};

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
    /// The index over `entries`; archived lists only when `all` (`hidden`
    /// archived lists were left out of `entries` already). `last` gives the
    /// last commit of a list.
    pub fn new(
        entries: &[ListEntry],
        hidden: usize,
        namespace: &str,
        all: bool,
        session: Option<&str>,
        last: impl Fn(&Snapshot) -> Option<LogEntry>,
        tracking: &TrackingMap,
    ) -> BoardView {
        let mut lists = Vec::with_capacity(entries.len());
        let mut unreadable = Vec::new();
        let mut archived_hidden = hidden;
        for e in entries {
            let s = match &e.result {
                Ok(s) => s,
                Err(err) => {
                    unreadable.push(UnreadableView::new(&e.id, namespace, err));
                    continue;
                }
            };
            if s.list.archived && !all {
                archived_hidden += 1;
                continue;
            }
            let summary = ListSummaryView::of(s, &format!("{namespace}/{}", s.list.id), session);
            let l = &s.list;
            let step = l.next_step(session);
            let index = l.index();
            let with = |st: Status| {
                let of = |t| TaskView::of(t, &index);
                l.tasks.iter().filter(|t| t.status == st).map(of).collect::<Vec<_>>()
            };
            lists.push(BoardEntryView {
                summary,
                sequential: l.sequential,
                counts: StatusCountsView::of(l),
                in_progress: with(Status::InProgress),
                blocked: with(Status::Blocked),
                next_task: step.task().map(|t| TaskView::of(t, &index)),
                held_by: step.held_by().map(String::from),
                state: step.state(),
                last_change: last(s).as_ref().map(LogEntryView::of),
                remotes: tracking_views(tracking.get(&l.id)),
            });
        }
        BoardView { lists, unreadable, archived_hidden }
    }
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
            waits_for: snap
                .list
                .waits_for()
                .into_iter()
                .map(|(t, waits)| {
                    (t.id.to_string(), waits.iter().map(|p| p.id.to_string()).collect())
                })
                .collect(),
            history: history.iter().map(LogEntryView::of).collect(),
            history_complete: complete,
            handoff_document,
            handoff_error,
            resume_command,
            remotes: tracking_views(tracking.get(&snap.list.id)),
        }
    }
}
