//! The data behind the `resume` briefing: the state, the recent history,
//! the bounded check since the last handoff, and the command that
//! continues the work.

use crate::domain::id::CommitId;

use super::command::{Action, Command, Words};
use super::verify::{Check, Failure, Verdict, check_range};
use crate::domain::model::Status;
use crate::store::{LogEntry, Snapshot, Store, StoreResult};

/// How many history entries a briefing carries.
pub const HISTORY_SHOWN: usize = 5;

/// How many commits `resume` reads at most to explain a change against the handoff.
const RESUME_WINDOW: usize = 200;

/// How many commits `resume` checks one by one (since the handoff, or the last ones).
const RESUME_NO_HANDOFF_WINDOW: usize = 20;

/// The bounded check `resume` runs over the history since the last handoff.
///
/// The commits since the handoff's base (the state the last session left)
/// are checked one by one when there are at most [`RESUME_NO_HANDOFF_WINDOW`]
/// of them; on a longer history the base state is compared with the state
/// now, and only when that shows a completed task gone back, or a task
/// completed ahead of its prerequisites, are up to [`RESUME_WINDOW`] commits
/// read to find the one responsible. Without a handoff, the last
/// [`RESUME_NO_HANDOFF_WINDOW`] commits are checked. Either way the cost does
/// not grow with the length of the history. Returns the verdict and the
/// handoff base it started from, if any.
///
/// The failures the last handoff carried forward (those not accepted when it
/// was written: [`crate::domain::model::Handoff::unverified`]) are checked
/// again, one commit each, and so are the commits the acceptances in the
/// range name: the briefing reports every failure and acceptance that
/// `verify` does, as long as each stretch between handoffs was read whole.
pub(crate) fn verify_since_handoff(
    store: &Store,
    snap: &Snapshot,
    words: &dyn Words,
) -> StoreResult<(Verdict, Option<CommitId>)> {
    let (mut verdict, base) = bounded_since_handoff(store, snap, words)?;
    let id = snap.list.id.as_str();
    let known = |v: &Verdict, c: CommitId| {
        v.failures.iter().any(|f| f.commit == Some(c))
            || v.accepted.iter().any(|a| a.failure.commit == Some(c))
    };
    let carried = snap.list.handoff.iter().flat_map(|h| &h.unverified);
    let named = verdict.acceptances.iter().map(|a| a.accepts);
    let mut again: Vec<CommitId> = Vec::new();
    for c in carried.filter_map(|c| c.parse::<CommitId>().ok()).chain(named) {
        if !known(&verdict, c) && !again.contains(&c) {
            again.push(c);
        }
    }
    let mut found = Vec::new();
    for c in again {
        // A carried commit gone from the object database (a teammate's
        // rewritten push) cannot be checked again; verify names what is left.
        let Ok(entry) = store.entry(c) else { continue };
        let one = check_range(store, id, &[(c, entry.parents.clone())], true, &[], words)?;
        found.extend(one.failures.into_iter().filter(|f| f.commit == Some(c)));
    }
    let acceptances = verdict.acceptances.clone();
    verdict.failures.extend(found);
    verdict.apply_acceptances(&acceptances);
    verdict.failures.sort_by_key(|f| f.check);
    Ok((verdict, base))
}

/// The check of the commits since the last handoff alone (see
/// [`verify_since_handoff`]).
fn bounded_since_handoff(
    store: &Store,
    snap: &Snapshot,
    words: &dyn Words,
) -> StoreResult<(Verdict, Option<CommitId>)> {
    let id = snap.list.id.as_str();
    let base = snap
        .list
        .handoff
        .as_ref()
        .and_then(|h| h.base.as_deref())
        .and_then(|b| b.parse::<CommitId>().ok());
    let left = base.and_then(|b| store.read_at(id, b).ok().map(|s| (b, s.list)));
    // +1: the base itself is the oldest commit of a complete window.
    let recent = first_parent_chain(store, id, base, RESUME_NO_HANDOFF_WINDOW + 1)?;
    let Some((base, left)) = left else {
        let recent: Vec<_> = recent.into_iter().take(RESUME_NO_HANDOFF_WINDOW).collect();
        return Ok((check_range(store, id, &recent, false, &[], words)?, None));
    };
    if recent.last().map(|(c, _)| *c) == Some(base) {
        return Ok((check_range(store, id, &recent, false, &[], words)?, Some(base)));
    }
    let mut verdict = check_range(store, id, &recent, false, &[], words)?;
    let now = &snap.list;
    let (now_ix, left_ix) = (now.index(), left.index());
    let reset = left.tasks.iter().any(|t| {
        t.status == Status::Completed
            && now_ix.get(t.id.as_str()).map(|n| n.status) != Some(Status::Completed)
    });
    let early = now.tasks.iter().enumerate().any(|(i, t)| {
        t.status == Status::Completed
            && left_ix.get(t.id.as_str()).map(|l| l.status) != Some(Status::Completed)
            && !now_ix.unsettled(i).is_empty()
    });
    if !verdict.ok() || (!reset && !early) {
        return Ok((verdict, Some(base)));
    }
    let chain = first_parent_chain(store, id, Some(base), RESUME_WINDOW)?;
    verdict = check_range(store, id, &chain, false, &[], words)?;
    if chain.last().map(|(c, _)| *c) != Some(base) && verdict.ok() {
        verdict.failures.push(Failure {
            check: Check::StatusPreserved,
            commit: None,
            subject: None,
            task: None,
            message: format!(
                "a task changed against the handoff more than {RESUME_WINDOW} commits back, beyond what this bounded check reads; the full check of the history names the commit"
            ),
        });
    }
    Ok((verdict, Some(base)))
}

/// The first-parent chain from the tip, newest first, down to `stop`
/// (inclusive) or `limit` commits.
fn first_parent_chain(
    store: &Store,
    id: &str,
    stop: Option<CommitId>,
    limit: usize,
) -> StoreResult<Vec<(CommitId, Vec<CommitId>)>> {
    let mut chain = store.first_parents(id, limit)?;
    if let Some(end) = stop.and_then(|s| chain.iter().position(|(c, _)| *c == s)) {
        chain.truncate(end + 1);
    }
    Ok(chain)
}

/// What a new session needs to pick up a list: the state, the recent
/// history, a bounded verdict, and the command that continues the work.
#[derive(Debug, Clone)]
pub struct Briefing {
    /// The list at its tip.
    pub snapshot: Snapshot,
    /// The resuming session.
    pub session: Option<String>,
    /// The last [`HISTORY_SHOWN`] history entries, newest first.
    pub history: Vec<LogEntry>,
    /// The verdict over the history since the last handoff.
    pub verdict: Verdict,
    /// The commit the last handoff was written on, where the verdict starts.
    pub since_handoff: Option<CommitId>,
    /// The command that continues the work.
    pub next: Option<Command>,
    /// That command in the caller's [`Words`].
    pub next_command: Option<String>,
}

/// The briefing for `session` resuming list `id`, its command and checks
/// in the caller's `words`.
pub(crate) fn resume(
    store: &Store,
    id: &str,
    session: Option<&str>,
    words: &dyn Words,
) -> StoreResult<Briefing> {
    let snapshot = store.read(id)?;
    let history = store.log(id, Some(HISTORY_SHOWN))?;
    let (verdict, since_handoff) = verify_since_handoff(store, &snapshot, words)?;
    let l = &snapshot.list;
    let left_open = l.left_open(session);
    let next = l.next_for(session).map(|t| {
        let held = left_open.iter().any(|o| o.id == t.id);
        let task = t.id.to_string();
        let action = if t.status == Status::InProgress && !held {
            Action::Done { task }
        } else {
            Action::Start { task, take_over: held }
        };
        Command::new(store.namespace(), &l.id, action)
    });
    let next_command = next.as_ref().map(|c| words.command(c));
    Ok(Briefing {
        session: session.map(String::from),
        history,
        verdict,
        since_handoff,
        next,
        next_command,
        snapshot,
    })
}
