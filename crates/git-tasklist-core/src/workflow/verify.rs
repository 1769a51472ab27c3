//! `verify`: the three persistence checks over a list's history.
//!
//! The checks compare each commit's state with its parents' states:
//! - **id continuity**: every commit parses and stores the id its ref is named after;
//! - **status preserved**: a task that was `completed` stays completed unless
//!   the commit is an explicit reopen of that task (`Reopened:` trailer), so a
//!   hand edit or a teammate's push that resets a task is caught;
//! - **seamless continuation**: no task becomes `completed` while a
//!   prerequisite (its `depends_on`, or its predecessor in a sequential list)
//!   is unsettled, unless the commit recorded an out-of-order completion.
//!
//! Messages name the caller's explicit choices (a reopen, an out-of-order
//! completion, the expected statuses) in the caller's [`Words`].

use std::collections::HashMap;

use crate::domain::id::CommitId;

use crate::domain::model::{Status, TaskList};
use crate::domain::trailer;
use crate::store::history::{HistoryEnd, HistoryItem};
use crate::store::{LogEntry, Store, StoreResult};
use crate::workflow::command::{Choice, Words};

/// One of the three checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Check {
    /// Every commit parses and stores the id its ref is named after.
    IdContinuity,
    /// A completed task stays completed unless explicitly reopened.
    StatusPreserved,
    /// No task completes while a prerequisite is unsettled, unless marked
    /// out of order.
    SeamlessContinuation,
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 3] =
        [Check::IdContinuity, Check::StatusPreserved, Check::SeamlessContinuation];

    /// Its name: `id continuity`, `status preserved` or `seamless continuation`.
    pub fn name(self) -> &'static str {
        match self {
            Check::IdContinuity => "id continuity",
            Check::StatusPreserved => "status preserved",
            Check::SeamlessContinuation => "seamless continuation",
        }
    }
}

/// One problem found by a check.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The check that failed.
    pub check: Check,
    /// The commit that broke it (None for an expected status on the current state).
    pub commit: Option<CommitId>,
    /// The commit's subject.
    pub subject: Option<String>,
    /// The task concerned, if any.
    pub task: Option<String>,
    /// One sentence.
    pub message: String,
}

/// An acceptance of a verification failure, as recorded by its own commit
/// (`Op: accept`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// The commit accepted: the one that broke a check.
    pub accepts: CommitId,
    /// The commit that records the acceptance.
    pub commit: CommitId,
    /// Who accepted it (the commit's author name).
    pub by: String,
    /// The session that accepted it, if known.
    pub session: Option<String>,
    /// When (seconds since the epoch, the commit's time).
    pub time: i64,
    /// Why (the `Note:` trailer, escaped to one line).
    pub note: String,
}

impl Acceptance {
    /// The acceptance a history entry records, if it is an `Op: accept` commit.
    pub fn of(entry: &LogEntry) -> Option<Acceptance> {
        if entry.op.as_deref() != Some("accept") {
            return None;
        }
        let value = |key: &str| entry.trailers.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        Some(Acceptance {
            accepts: value(trailer::ACCEPTS)?.parse().ok()?,
            commit: entry.commit,
            by: entry.author.clone(),
            session: entry.session.clone(),
            time: entry.time,
            note: value(trailer::NOTE).cloned().unwrap_or_default(),
        })
    }
}

/// A failure that an acceptance answers: reported, but not failing the verdict.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The failure as the checks found it.
    pub failure: Failure,
    /// Who accepted it, when and why.
    pub acceptance: Acceptance,
}

/// The result of verifying a range of history.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Commits examined.
    pub commits: usize,
    /// Whether the whole history was examined (false for resume's bounded check).
    pub complete: bool,
    /// Every failure found.
    pub failures: Vec<Failure>,
    /// The current phase: the next task to work on.
    pub current_phase: Option<String>,
    /// Whether the newest commit examined could be read.
    pub tip_readable: bool,
    /// Failures answered by an acceptance: they no longer fail the verdict.
    pub accepted: Vec<Accepted>,
    /// Every acceptance recorded in the commits examined, newest first.
    pub acceptances: Vec<Acceptance>,
}

impl Verdict {
    /// Moves each failure an acceptance in `acceptances` names from
    /// `failures` to `accepted` (the newest acceptance wins). Failures of
    /// the current state (`--expect`) name no commit and are never accepted.
    pub fn apply_acceptances(&mut self, acceptances: &[Acceptance]) {
        let failures = std::mem::take(&mut self.failures);
        for f in failures {
            match f.commit.and_then(|c| acceptances.iter().find(|a| a.accepts == c)) {
                Some(a) => self.accepted.push(Accepted { failure: f, acceptance: a.clone() }),
                None => self.failures.push(f),
            }
        }
    }

    /// True when no check failed.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// An expectation: a status the caller saw last session.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The task.
    pub task: String,
    /// The status the caller saw.
    pub status: Status,
}

/// Whether the current status satisfies an expectation: the same status, or
/// `completed` when anything short of completed or cancelled was expected
/// (progress made since is not a loss).
fn expectation_met(expected: Status, now: Status) -> bool {
    expected == now || (now == Status::Completed && expected != Status::Cancelled)
}

/// Verifies the whole history of a list, reading it with the store's
/// pipelined history reader and checking the commits in walk order.
pub(crate) fn verify(
    store: &Store,
    id: &str,
    expects: &[Expect],
    words: &dyn Words,
) -> StoreResult<Verdict> {
    let mut checker = Checker::new(store, id, true, None, words);
    let end = store.read_history(id, |commits, states| checker.chunk_read(commits, states))?;
    let seen = checker.seen;
    let mut verdict = checker.finish(expects);
    if let HistoryEnd::Cut { problem, last } = end {
        verdict.complete = false;
        verdict.failures.insert(0, Failure {
            check: Check::IdContinuity,
            commit: last,
            subject: None,
            task: None,
            message: format!(
                "the history ends early (a shallow or partial clone?): {problem}; only the {seen} commits present were checked"
            ),
        });
    }
    Ok(verdict)
}

/// Runs the checks over `commits` (newest first). Parents outside the range
/// are read on demand; the oldest commit of a bounded range is only compared
/// with its parent when `complete` is true or the parent is in the range.
/// Ranges here are short (resume's), so commits are simply read one by one.
pub(super) fn check_range(
    store: &Store,
    id: &str,
    commits: &[(CommitId, Vec<CommitId>)],
    complete: bool,
    expects: &[Expect],
    words: &dyn Words,
) -> StoreResult<Verdict> {
    let range = commits.iter().map(|(c, _)| *c).collect();
    let mut checker = Checker::new(store, id, complete, Some(range), words);
    for (commit, parents) in commits {
        checker.commit(commit, parents)?;
    }
    Ok(checker.finish(expects))
}

/// The state of a check in progress over commits fed newest first.
struct Checker<'a> {
    store: &'a Store,
    id: &'a str,
    /// Compare the oldest commits with parents outside the range too.
    complete: bool,
    /// The commits being checked; `None` when it is everything reachable.
    range: Option<std::collections::HashSet<CommitId>>,
    /// States read ahead as parents, waiting for their own turn (one in a linear history).
    pending: HashMap<CommitId, HistoryItem>,
    failures: Vec<Failure>,
    /// The newest state (the tip's), when readable.
    current: Option<TaskList>,
    /// Commits checked so far.
    seen: usize,
    /// How messages name the caller's choices.
    words: &'a dyn Words,
    /// Acceptances recorded by the commits checked, newest first.
    acceptances: Vec<Acceptance>,
}

impl<'a> Checker<'a> {
    fn new(
        store: &'a Store,
        id: &'a str,
        complete: bool,
        range: Option<std::collections::HashSet<CommitId>>,
        words: &'a dyn Words,
    ) -> Checker<'a> {
        Checker {
            store,
            id,
            complete,
            range,
            pending: HashMap::new(),
            failures: Vec::new(),
            current: None,
            seen: 0,
            words,
            acceptances: Vec::new(),
        }
    }

    fn in_range(&self, c: &CommitId) -> bool {
        self.range.as_ref().is_none_or(|r| r.contains(c))
    }

    /// Checks a chunk whose states were read elsewhere (same order as `commits`).
    fn chunk_read(
        &mut self,
        commits: &[(CommitId, Vec<CommitId>)],
        states: Vec<HistoryItem>,
    ) -> StoreResult<()> {
        for ((c, _), got) in commits.iter().zip(states) {
            self.pending.entry(*c).or_insert(got);
        }
        for (commit, parents) in commits {
            self.commit(commit, parents)?;
        }
        Ok(())
    }

    fn commit(&mut self, commit: &CommitId, parents: &[CommitId]) -> StoreResult<()> {
        self.seen += 1;
        let (entry, state) = match self.pending.remove(commit) {
            Some(x) => x,
            None => self.store.entry_and_state(self.id, *commit)?,
        };
        self.acceptances.extend(Acceptance::of(&entry));
        let state = match state {
            Ok(s) => s,
            Err(problem) => {
                self.failures.push(Failure {
                    check: Check::IdContinuity,
                    commit: Some(*commit),
                    subject: Some(entry.subject.clone()),
                    task: None,
                    message: format!("the list cannot be read: {problem}"),
                });
                for p in parents {
                    if self.in_range(p)
                        && !self.pending.contains_key(p)
                        && let Ok(got) = self.store.entry_and_state(self.id, *p)
                    {
                        self.pending.insert(*p, got);
                    }
                }
                return Ok(());
            }
        };
        if self.seen == 1 {
            self.current = Some(state.clone());
        }
        let compared: Vec<CommitId> =
            parents.iter().copied().filter(|p| self.complete || self.in_range(p)).collect();
        for p in &compared {
            if !self.pending.contains_key(p) {
                match self.store.entry_and_state(self.id, *p) {
                    Ok(got) => {
                        self.pending.insert(*p, got);
                    }
                    // A parent that is not there: the history was cut (shallow clone).
                    Err(_) if !self.store.has_commit(*p) => self.failures.push(Failure {
                        check: Check::IdContinuity,
                        commit: Some(*commit),
                        subject: Some(entry.subject.clone()),
                        task: None,
                        message: format!(
                            "its parent {} is missing (a shallow or partial clone?), so the history before it was not checked",
                            p.short(12)
                        ),
                    }),
                    Err(e) => return Err(e),
                }
            }
        }
        // An unreadable parent is stood in for by its nearest readable
        // first-parent ancestor, so a reset is still caught across it.
        let mut stand_ins: Vec<TaskList> = Vec::new();
        for p in &compared {
            if let Some((entry, Err(_))) = self.pending.get(p)
                && let Some(l) = readable_ancestor(self.store, self.id, entry)?
            {
                stand_ins.push(l);
            }
        }
        let parent_states: Vec<&TaskList> = compared
            .iter()
            .filter_map(|p| self.pending.get(p)?.1.as_ref().ok())
            .chain(stand_ins.iter())
            .collect();
        // A merge is judged against the merge base: a parent's value only
        // wins over a completion when that parent changed it since the base.
        let base = match compared.as_slice() {
            [a, b, ..] => {
                self.store.merge_base(*a, *b).and_then(|m| self.store.read_at(self.id, m).ok())
            }
            _ => None,
        };
        check_commit(
            &entry,
            &state,
            &parent_states,
            base.as_ref().map(|s| &s.list),
            self.words,
            &mut self.failures,
        );
        for p in &compared {
            if !self.in_range(p) {
                self.pending.remove(p);
            }
        }
        Ok(())
    }

    fn finish(mut self, expects: &[Expect]) -> Verdict {
        let commits = self.seen;
        let complete = self.complete;
        let current = self.current.take();
        let mut failures = std::mem::take(&mut self.failures);
        let current_phase =
            current.as_ref().and_then(|l| l.next_for(None)).map(|t| t.id.to_string());
        if current.is_none() && !expects.is_empty() {
            failures.push(Failure {
                check: Check::StatusPreserved,
                commit: None,
                subject: None,
                task: None,
                message: format!(
                    "the current state cannot be read, so {} cannot be checked",
                    self.words.choice(Choice::Expect)
                ),
            });
        }
        if let Some(now) = &current {
            for e in expects {
                match now.task(&e.task) {
                    None => failures.push(Failure {
                        check: Check::StatusPreserved,
                        commit: None,
                        subject: None,
                        task: Some(e.task.clone()),
                        message: format!("task '{}' was expected {} but is gone", e.task, e.status),
                    }),
                    Some(t) if !expectation_met(e.status, t.status) => failures.push(Failure {
                        check: Check::StatusPreserved,
                        commit: None,
                        subject: None,
                        task: Some(e.task.clone()),
                        message: format!(
                            "task '{}' was expected {} but is {}",
                            e.task, e.status, t.status
                        ),
                    }),
                    Some(_) => {}
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        failures.retain(|f| seen.insert((f.check, f.commit, f.task.clone(), f.message.clone())));
        failures.sort_by_key(|f| f.check);
        let tip_readable = current.is_some();
        let acceptances = std::mem::take(&mut self.acceptances);
        let mut verdict = Verdict {
            commits,
            complete,
            failures,
            current_phase,
            tip_readable,
            accepted: Vec::new(),
            acceptances,
        };
        let acceptances = verdict.acceptances.clone();
        verdict.apply_acceptances(&acceptances);
        verdict
    }
}

/// How far `verify` looks past unreadable commits for a state to compare with.
const MAX_UNREADABLE_RUN: usize = 64;

/// The state of the nearest readable first-parent ancestor of an unreadable commit.
fn readable_ancestor(
    store: &Store,
    id: &str,
    unreadable: &LogEntry,
) -> StoreResult<Option<TaskList>> {
    let mut next = unreadable.parents.first().copied();
    for _ in 0..MAX_UNREADABLE_RUN {
        let Some(c) = next else { return Ok(None) };
        let Ok((entry, state)) = store.entry_and_state(id, c) else { return Ok(None) };
        if let Ok(l) = state {
            return Ok(Some(l));
        }
        next = entry.parents.first().copied();
    }
    Ok(None)
}

fn check_commit(
    entry: &LogEntry,
    state: &TaskList,
    parents: &[&TaskList],
    base: Option<&TaskList>,
    words: &dyn Words,
    out: &mut Vec<Failure>,
) {
    let fail = |check: Check, task: Option<&str>, message: String| Failure {
        check,
        commit: Some(entry.commit),
        subject: Some(entry.subject.clone()),
        task: task.map(String::from),
        message,
    };
    let how = if entry.op.is_none() { " (no Op trailer: not written by git-tasklist)" } else { "" };
    // One index per state: each look-up below is constant time, so a commit
    // costs time linear in its list, however many tasks a teammate pushed.
    let state_ix = state.index();
    let base_ix = base.map(TaskList::index);
    let parent_ix: Vec<_> = parents.iter().map(|p| p.index()).collect();
    // Status preserved: completed stays completed unless explicitly reopened.
    // In a merge, a value that another parent changed to since the merge base
    // is that side's change (checked on that side's own commits).
    for (pi, parent) in parents.iter().enumerate() {
        for pt in parent.tasks.iter().filter(|t| t.status == Status::Completed) {
            let id = pt.id.as_str();
            let now = state_ix.get(id).map(|t| t.status);
            if now == Some(Status::Completed) || entry.has_trailer(trailer::REOPENED, id) {
                continue;
            }
            let base_status = base_ix.as_ref().and_then(|b| b.get(id)).map(|t| t.status);
            let from_other_parent = parent_ix.iter().enumerate().any(|(oi, o)| {
                let theirs = o.get(id).map(|t| t.status);
                oi != pi && theirs == now && (base.is_none() || base_status != theirs)
            });
            if from_other_parent {
                continue;
            }
            let what = match now {
                Some(s) => format!("went completed → {s}"),
                None => "was completed and has been removed".to_string(),
            };
            out.push(fail(
                Check::StatusPreserved,
                Some(id),
                format!("task '{id}' {what} without {}{how}", words.choice(Choice::Reopen)),
            ));
        }
    }
    // Seamless continuation: nothing completes before its prerequisites.
    let first = parent_ix.first();
    for (i, t) in state.tasks.iter().enumerate() {
        if t.status != Status::Completed {
            continue;
        }
        let was_completed = first
            .and_then(|p| p.get(t.id.as_str()))
            .is_some_and(|pt| pt.status == Status::Completed);
        let from_other_parent = parent_ix
            .iter()
            .skip(1)
            .any(|o| o.get(t.id.as_str()).is_some_and(|ot| ot.status == Status::Completed));
        if was_completed
            || from_other_parent
            || entry.has_trailer(trailer::OUT_OF_ORDER, t.id.as_str())
        {
            continue;
        }
        let waiting = state_ix.waiting_for(i);
        if !waiting.is_empty() {
            out.push(fail(
                Check::SeamlessContinuation,
                Some(t.id.as_str()),
                format!(
                    "task '{}' was completed while {} was not done, without {}{how}",
                    t.id,
                    waiting.join(", "),
                    words.choice(Choice::OutOfOrder)
                ),
            ));
        }
    }
}
