//! The one write path: read the tip, apply a change, write blob → tree →
//! commit, and move the ref with a compare-and-swap; on a lost race, read
//! and apply again on the new tip.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gix::ObjectId;

use super::error::{ObjectKind, Problem, StoreError, StoreResult, object_id};
use super::open::Store;
use super::refs::types::CasFailure;
use super::types::{Committed, ExtraFiles, cid};
use crate::domain::id::CommitId;
use crate::domain::model::{self, TaskList};
use crate::domain::op::{self, Applied, Ctx, Op, OpError};
use crate::util::text::escape;

/// Attempts at one write before giving up. Under 8 concurrent writers a commit
/// needs about two attempts on average, and each lost race means another writer
/// made progress, so 64 attempts with jittered backoff make a refusal
/// practically impossible while still bounding a pathological livelock.
const MAX_ATTEMPTS: u32 = 64;
/// Object writes that may fail (git gc running beside us) before one is reported.
const MAX_WRITE_RETRIES: u32 = 8;
/// Longest backoff between attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(40);
/// A lock file older than this is taken to be left by a killed process.
const STALE_LOCK_AGE: Duration = Duration::from_secs(10);

/// What a write expects of the list's ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tip {
    /// The list is created: the ref must not exist.
    New,
    /// The list is changed: the ref must exist.
    Existing,
    /// Created when the ref does not exist, else changed.
    Either,
}

impl Store {
    /// Applies `op` to the list `id` as `session` and commits the result
    /// (see [`Store::transact_with`]).
    pub fn transact(
        &self,
        id: &str,
        op: &Op,
        session: Option<&str>,
        extra_files: ExtraFiles<'_>,
    ) -> StoreResult<Committed> {
        let tip = match op {
            Op::Create { .. } | Op::Import { .. } => Tip::New,
            Op::Mirror { create: Some(_), .. } => Tip::Either,
            _ => Tip::Existing,
        };
        let change = |before: Option<&TaskList>, ctx: &Ctx| {
            op::apply(before, op, ctx).map_err(StoreError::from)
        };
        self.transact_on(id, tip, session, change, extra_files, &[])
    }

    /// The one write path. `change` gets the state at the tip (`None` when
    /// `create`, which requires that the ref does not exist yet) and returns
    /// the new state and its commit description; `extra_files` computes
    /// further files for the commit's tree from the new state (e.g.
    /// `HANDOFF.md`). On a lost race `change` runs again on the new tip, so it
    /// must describe an intent, never carry a precomputed state. An error
    /// of `change` (of the caller's own type) ends the write and is returned
    /// as it is. Not for front ends: the op guards (claims, reopen, order)
    /// are [`Store::transact`]'s. `merged` are the commit's parents beside
    /// the tip it is applied on: the other tips a merge joins.
    pub(crate) fn transact_with<E: From<StoreError>>(
        &self,
        id: &str,
        create: bool,
        session: Option<&str>,
        change: impl FnMut(Option<&TaskList>, &Ctx) -> Result<Applied, E>,
        extra_files: ExtraFiles<'_>,
        merged: &[CommitId],
    ) -> Result<Committed, E> {
        let tip = if create { Tip::New } else { Tip::Existing };
        let merged: Vec<ObjectId> =
            merged.iter().map(|m| object_id(id, *m)).collect::<StoreResult<_>>()?;
        self.transact_on(id, tip, session, change, extra_files, &merged)
    }

    /// [`Store::transact_with`], with `tip` saying whether the list must be
    /// new, must exist, or may be either: then the first writer creates it
    /// (the ref's compare-and-swap on "does not exist") and every other,
    /// having lost that race, applies its change on the list just made.
    fn transact_on<E: From<StoreError>>(
        &self,
        id: &str,
        tip_wanted: Tip,
        session: Option<&str>,
        mut change: impl FnMut(Option<&TaskList>, &Ctx) -> Result<Applied, E>,
        extra_files: ExtraFiles<'_>,
        merged: &[ObjectId],
    ) -> Result<Committed, E> {
        let repo = self.local();
        let name = self.ref_name(id);
        let started = std::time::Instant::now();
        let mut rng = Jitter::new();
        let mut write_failures = 0;
        // Waits on a busy lock (another writer's, not a lost race) do not
        // count as attempts: the lock wait is bounded by time instead.
        let (mut next, mut busy) = (0, 0);
        while next < MAX_ATTEMPTS + busy {
            let attempt = next - busy;
            next += 1;
            // A signal waits until this attempt has written its objects and
            // moved the ref (or given up): no lock or temporary file is left.
            let hold = crate::util::interrupt::hold();
            let serial = self.refs.serialize();
            let tip = self.write_tip(&repo, id)?;
            let (before, parent, base_tree) = match (tip_wanted, tip) {
                (Tip::New, Some(_)) => {
                    return Err(StoreError::from(OpError::ListExists(id.to_string())).into());
                }
                (Tip::New | Tip::Either, None) => {
                    (None, None, ObjectId::empty_tree(repo.object_hash()))
                }
                (Tip::Existing, None) => return Err(StoreError::ListNotFound(escape(id)).into()),
                (Tip::Existing | Tip::Either, Some(tip)) => {
                    let (snap, tree) = self.load(&repo, id, tip).map_err(|e| match e {
                        StoreError::Unreadable {
                            problem: Problem::NotACommit(ObjectKind::Tag),
                            ..
                        } => StoreError::OddRef {
                            list: escape(id),
                            reference: name.clone(),
                            what: "an annotated tag".into(),
                        },
                        e => e,
                    })?;
                    (Some(snap.list), Some(tip), tree)
                }
            };
            let ctx = Ctx {
                session: session.map(String::from),
                now: model::now(),
                tip: parent.map(|p| cid(&p)),
            };
            let applied = change(before.as_ref(), &ctx)?;
            if !applied.changed {
                return Ok(Committed {
                    list: applied.list,
                    tip: cid(&parent.unwrap_or_else(|| ObjectId::null(repo.object_hash()))),
                    changed: false,
                    retries: attempt,
                    before,
                });
            }
            let files = extra_files(&applied.list).map_err(StoreError::Render)?;
            // Writing an object can fail for a moment while git gc packs and
            // prunes beside us ("could not persist loose object"): a
            // transient failure, retried like a lost race.
            let written = match self.write_commit(
                &repo,
                id,
                (parent, merged),
                base_tree,
                &applied,
                &files,
                session,
            ) {
                Ok(written) => written,
                Err(StoreError::Git { .. }) if write_failures < MAX_WRITE_RETRIES => {
                    write_failures += 1;
                    std::thread::sleep(Duration::from_millis(rng.below(20) + 5));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let commit = written.commit;
            let swap = (commit, parent);
            match self.refs.cas(&repo, &name, swap, applied.name.as_str(), &written.committer) {
                Ok(_) => {
                    self.remember(commit, written.tree, written.tree_entries, &applied.list);
                    // Housekeeping may wait for git gc: no longer a write of ours.
                    drop((serial, hold));
                    if self.housekeeping {
                        self.maybe_gc(&repo);
                        if parent.is_none() {
                            self.maybe_pack_refs(&repo);
                        }
                    }
                    return Ok(Committed {
                        list: applied.list,
                        tip: cid(&commit),
                        changed: true,
                        retries: attempt,
                        before,
                    });
                }
                Err(CasFailure::Conflict) => {
                    if tip_wanted == Tip::New {
                        return Err(StoreError::from(OpError::ListExists(id.to_string())).into());
                    }
                }
                Err(CasFailure::NotFound) => {
                    return Err(StoreError::ListNotFound(escape(id)).into());
                }
                Err(CasFailure::Busy) => {
                    let lock = self.lock_path(&name);
                    let stale = lock_age(&lock).is_some_and(|a| a > STALE_LOCK_AGE);
                    if stale || started.elapsed() > self.refs.max_lock_wait() {
                        return Err(StoreError::LockHeld { path: lock, stale }.into());
                    }
                    busy += 1;
                }
                Err(CasFailure::Failed(e)) => return Err(e.into()),
            }
            drop((serial, hold));
            let cap = (1u64 << attempt.min(10)).min(MAX_BACKOFF.as_micros() as u64 / 1000).max(1);
            std::thread::sleep(Duration::from_micros(rng.below(cap * 1000)));
        }
        Err(StoreError::RaceLost { list: escape(id), attempts: MAX_ATTEMPTS }.into())
    }

    /// Applies `op` on top of commit `parent` of list `id` and writes the
    /// commit, without moving any ref: a change to offer a remote before it
    /// is made here. `None` when the op changes nothing.
    pub fn commit_on(
        &self,
        id: &str,
        parent: CommitId,
        op: &Op,
        session: Option<&str>,
    ) -> StoreResult<Option<Committed>> {
        let tip = parent;
        let parent = object_id(id, parent)?;
        let repo = self.local();
        let _hold = crate::util::interrupt::hold();
        let (snap, tree) = self.load(&repo, id, parent)?;
        let ctx = Ctx { session: session.map(String::from), now: model::now(), tip: Some(tip) };
        let applied = op::apply(Some(&snap.list), op, &ctx)?;
        if !applied.changed {
            return Ok(None);
        }
        let written =
            self.write_commit(&repo, id, (Some(parent), &[]), tree, &applied, &[], session)?;
        Ok(Some(Committed {
            list: applied.list,
            tip: cid(&written.commit),
            changed: true,
            retries: 0,
            before: Some(snap.list),
        }))
    }

    /// Points the list's ref at `to`, if it still points at `expected`
    /// (`None`: if it does not exist yet): a fast-forward or a new list from
    /// a remote. Returns false when the ref moved meanwhile.
    pub fn move_ref(
        &self,
        id: &str,
        to: CommitId,
        expected: Option<CommitId>,
        why: &str,
    ) -> StoreResult<bool> {
        let to = object_id(id, to)?;
        let expected = expected.map(|e| object_id(id, e)).transpose()?;
        let repo = self.local();
        let name = self.ref_name(id);
        let committer = self.signature(&repo, false, model::now().timestamp());
        let _hold = crate::util::interrupt::hold();
        match self.refs.cas(&repo, &name, (to, expected), why, &committer) {
            Ok(()) => Ok(true),
            Err(CasFailure::Conflict | CasFailure::NotFound) => Ok(false),
            Err(CasFailure::Busy) => {
                let path = self.lock_path(&name);
                let stale = lock_age(&path).is_some_and(|a| a > STALE_LOCK_AGE);
                Err(StoreError::LockHeld { path, stale })
            }
            Err(CasFailure::Failed(e)) => Err(e),
        }
    }

    fn lock_path(&self, ref_name: &str) -> PathBuf {
        self.refs.lock_path(&self.common_dir, ref_name)
    }
}

fn lock_age(path: &Path) -> Option<Duration> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    SystemTime::now().duration_since(modified).ok()
}

/// A small xorshift generator seeded from the process and the clock, for
/// backoff jitter only (two racing processes must not sleep in lockstep).
struct Jitter(u64);

impl Jitter {
    fn new() -> Jitter {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        if let Ok(d) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
            h.write_u128(d.as_nanos());
        }
        Jitter(h.finish() | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { self.0 % n }
    }
}
