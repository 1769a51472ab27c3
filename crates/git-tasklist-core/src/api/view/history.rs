//! The views of history: the log, the verdict of the checks, and the
//! resume briefing.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::list::{ListView, NextStepView, TaskView, WaitingView, waiting};
use crate::domain::model::{NextState, timestamp};
use crate::store::{LogEntry, Snapshot};
use crate::workflow::accept::AcceptedNow;
use crate::workflow::resume::Briefing;
use crate::workflow::verify::{Check, Failure, Verdict};

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
        LogEntryView::from(e.clone())
    }
}

impl From<LogEntry> for LogEntryView {
    /// The view of a history entry, taking its text instead of copying it
    /// (`log` makes one per commit).
    fn from(e: LogEntry) -> LogEntryView {
        LogEntryView {
            commit: e.commit.to_string(),
            time: chrono::DateTime::from_timestamp(e.time, 0).map(|t| timestamp(&t)),
            author: e.author,
            email: e.email,
            subject: e.subject,
            op: e.op,
            session: e.session,
            trailers: e.trailers.into_iter().collect(),
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

/// A failure that was accepted: it no longer fails the verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AcceptedView {
    /// The check it broke: `id continuity`, `status preserved` or `seamless continuation`.
    pub check: String,
    /// The failure as the check found it.
    pub failure: FailureView,
    /// The commit that recorded the acceptance (`Op: accept`).
    pub accepted_in: String,
    /// Who accepted it (the commit's author).
    pub by: String,
    /// The session that accepted it, if known.
    pub session: Option<String>,
    /// When (the commit's time), RFC 3339 UTC.
    pub at: Option<String>,
    /// Why.
    pub note: String,
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
    /// Failures answered by an acceptance (`verify --accept`), oldest check first.
    pub accepted: Vec<AcceptedView>,
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
                    let failures: Vec<FailureView> =
                        v.failures.iter().filter(|f| f.check == check).map(failure_view).collect();
                    CheckView { name: check.name().to_string(), ok: failures.is_empty(), failures }
                })
                .collect(),
            accepted: v
                .accepted
                .iter()
                .map(|a| AcceptedView {
                    check: a.failure.check.name().to_string(),
                    failure: failure_view(&a.failure),
                    accepted_in: a.acceptance.commit.to_string(),
                    by: a.acceptance.by.clone(),
                    session: a.acceptance.session.clone(),
                    at: chrono::DateTime::from_timestamp(a.acceptance.time, 0)
                        .map(|t| timestamp(&t)),
                    note: a.acceptance.note.clone(),
                })
                .collect(),
        }
    }
}

fn failure_view(f: &Failure) -> FailureView {
    FailureView {
        commit: f.commit.map(|c| c.to_string()),
        subject: f.subject.clone(),
        task: f.task.clone(),
        message: f.message.clone(),
    }
}

/// The output of `verify`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerifyView {
    /// The list id.
    pub list: String,
    /// The list's title now; null when its current state cannot be read.
    pub title: Option<String>,
    /// The verdict over the whole history.
    #[serde(flatten)]
    pub verdict: VerdictView,
    /// The next step now, for no particular session (as `current_phase`);
    /// null when the current state cannot be read.
    pub next_step: Option<NextStepView>,
    /// The acceptance this call recorded (`verify --accept`), its commit id;
    /// null when it recorded none.
    pub accepted_now: Option<String>,
}

impl VerifyView {
    /// The view of `verdict` on list `id`, whose state now is `now` (`None`
    /// when unreadable); `accepted_now` is the acceptance this call recorded.
    pub fn new(
        id: &str,
        verdict: &Verdict,
        now: Option<&Snapshot>,
        accepted_now: Option<&AcceptedNow>,
    ) -> VerifyView {
        VerifyView {
            list: id.to_string(),
            title: now.map(|s| s.list.title.clone()),
            verdict: VerdictView::of(verdict),
            next_step: now.map(|s| NextStepView::of(&s.list, &s.list.next_step(None))),
            accepted_now: accepted_now.map(|a| a.committed.tip.to_string()),
        }
    }
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
    pub fn of(b: &Briefing, reference: &str) -> ResumeView {
        let l = &b.snapshot.list;
        let session = b.session.as_deref();
        let step = l.next_step(session);
        ResumeView {
            list: ListView::of(&b.snapshot, reference, session),
            session: b.session.clone(),
            next: step.task().map(|t| TaskView::of(t, &l.index())),
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
