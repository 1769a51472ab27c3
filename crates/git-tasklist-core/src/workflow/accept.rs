//! The way back from a failed verification: an explicit acceptance of the
//! commit that broke a check, recorded as its own commit (`Op: accept`).
//! Nothing is rewritten: the failing commit stays in the history, and
//! `verify` reports it as accepted (by whom, when, why) instead of failing.

use crate::domain::id::CommitId;
use crate::domain::op::Op;
use crate::store::{Committed, Store, StoreError};
use crate::util::text::{MAX_ECHO, clip, escape};

use super::verify::{Failure, verify};

/// The fewest hex digits that name a commit to accept.
pub const MIN_COMMIT_PREFIX: usize = 4;

/// Why an acceptance was refused; nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// The note is empty or only whitespace.
    #[error("An acceptance needs a note saying why the failure is acceptable")]
    EmptyNote,
    /// The commit is not a hex id of at least [`MIN_COMMIT_PREFIX`] digits.
    #[error("'{}' is not a commit id: give at least {MIN_COMMIT_PREFIX} hex digits of it", clip(&escape(.0), MAX_ECHO))]
    BadCommit(String),
    /// No commit of the list's history starts with the given digits.
    #[error("No commit {commit} in the history of task list {list}")]
    UnknownCommit {
        /// The digits given.
        commit: String,
        /// The list id.
        list: String,
    },
    /// More than one failing commit starts with the given digits.
    #[error("Commit {commit} is ambiguous in task list {list}: {}", candidates.join(", "))]
    Ambiguous {
        /// The digits given.
        commit: String,
        /// The list id.
        list: String,
        /// The commits it could be (12 digits each).
        candidates: Vec<String>,
    },
    /// The commit is in the history but no check failed on it.
    #[error(
        "Commit {commit} of task list {list} did not fail verification; only a commit verification names as failing can be accepted"
    )]
    NotAFailure {
        /// The commit (12 digits).
        commit: String,
        /// The list id.
        list: String,
    },
    /// The failure was accepted already.
    #[error("The failure of commit {commit} was already accepted by {by} in commit {accepted_in}")]
    AlreadyAccepted {
        /// The commit (12 digits).
        commit: String,
        /// Who accepted it.
        by: String,
        /// The commit that accepted it (12 digits).
        accepted_in: String,
    },
    /// Reading or writing the list failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A recorded acceptance: the commit written and the failures it answers.
#[derive(Debug, Clone)]
pub struct AcceptedNow {
    /// The acceptance's commit.
    pub committed: Committed,
    /// The commit accepted.
    pub accepts: CommitId,
    /// The failures that commit caused, now accepted.
    pub failures: Vec<Failure>,
}

/// Accepts the verification failure of the commit `commit` names (a full
/// id or at least [`MIN_COMMIT_PREFIX`] hex digits of one, resolved among
/// the list's history) with `note`, as `session`: one commit, written only
/// when the whole history's check names that commit as failing and not
/// accepted yet.
pub(crate) fn accept(
    store: &Store,
    id: &str,
    commit: &str,
    note: &str,
    session: Option<&str>,
) -> Result<AcceptedNow, AcceptError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AcceptError::EmptyNote);
    }
    let prefix = commit.trim().to_ascii_lowercase();
    if prefix.len() < MIN_COMMIT_PREFIX
        || prefix.len() > 64
        || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(AcceptError::BadCommit(commit.to_string()));
    }
    let matches = |c: &CommitId| c.to_string().starts_with(&prefix);
    // Only the failures' commits are used here, not their wording.
    let verdict = verify(store, id, &[], &super::command::Plain)?;
    let mut failing: Vec<CommitId> = Vec::new();
    for c in verdict.failures.iter().filter_map(|f| f.commit).filter(matches) {
        if !failing.contains(&c) {
            failing.push(c);
        }
    }
    match failing.as_slice() {
        [] => {}
        [c] => {
            let c = *c;
            let op = Op::Accept { commit: c, note: note.to_string() };
            let committed = store.transact(id, &op, session, &crate::store::no_files)?;
            let failures = verdict.failures.into_iter().filter(|f| f.commit == Some(c)).collect();
            return Ok(AcceptedNow { committed, accepts: c, failures });
        }
        many => {
            return Err(AcceptError::Ambiguous {
                commit: prefix,
                list: id.to_string(),
                candidates: many.iter().map(|c| c.short(12)).collect(),
            });
        }
    }
    if let Some(a) = verdict.accepted.iter().find(|a| a.failure.commit.is_some_and(|c| matches(&c)))
    {
        return Err(AcceptError::AlreadyAccepted {
            commit: a.acceptance.accepts.short(12),
            by: escape(&a.acceptance.by),
            accepted_in: a.acceptance.commit.short(12),
        });
    }
    // Only a refusal reads the log: to tell a commit that passed from one
    // that is not there.
    let log = store.log(id, None)?;
    match log.iter().find(|e| matches(&e.commit)) {
        Some(e) => {
            Err(AcceptError::NotAFailure { commit: e.commit.short(12), list: id.to_string() })
        }
        None => Err(AcceptError::UnknownCommit { commit: prefix, list: id.to_string() }),
    }
}
