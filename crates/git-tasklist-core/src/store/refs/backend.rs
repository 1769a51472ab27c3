//! The ref-backend seam: what a backend answers (listing, lookup, peeling,
//! compare-and-swap, HEAD) and the types it answers with.

use gix::ObjectId;

use super::files;
use super::reftable;
use super::types::{CasFailure, Listed, RefTarget};
use crate::store::error::StoreResult;
use crate::store::types::BoxError;

/// How a repository stores its refs.
pub(crate) enum Backend {
    /// Loose ref files and `packed-refs`, read and written by gix.
    Files,
    /// Reftable, through git's own plumbing.
    Reftable(Box<reftable::Reftable>),
}

impl Backend {
    /// The backend of the repository `repo`, as its `extensions.refStorage`
    /// says (files when unset).
    pub(crate) fn of(repo: &gix::Repository) -> Backend {
        let format = repo.config_snapshot().string("extensions.refStorage");
        if format.is_some_and(|f| f.eq_ignore_ascii_case(b"reftable")) {
            Backend::Reftable(Box::new(reftable::Reftable::new(repo.git_dir())))
        } else {
            Backend::Files
        }
    }

    /// Every ref under directory `prefix` (ending in `/`), with its tip.
    pub(crate) fn list(&self, repo: &gix::Repository, prefix: &str) -> StoreResult<Vec<Listed>> {
        match self {
            Backend::Files => files::list(repo, prefix),
            Backend::Reftable(r) => r.list(repo, prefix),
        }
    }

    /// What ref `name` points at, unpeeled (`None`: no such ref).
    pub(crate) fn find(
        &self,
        repo: &gix::Repository,
        name: &str,
    ) -> StoreResult<Option<RefTarget>> {
        match self {
            Backend::Files => files::find(repo, name),
            Backend::Reftable(r) => r.find(repo, name),
        }
    }

    /// Ref `name` peeled through symbolic refs and tags (`None`: no such
    /// ref); a ref pointing straight at an object `known` to be a commit is
    /// not peeled where that saves a read.
    pub(crate) fn peel(
        &self,
        repo: &gix::Repository,
        name: &str,
        known: &dyn Fn(&gix::oid) -> bool,
    ) -> StoreResult<Option<Result<ObjectId, BoxError>>> {
        match self {
            Backend::Files => files::peel(repo, name, known),
            Backend::Reftable(r) => r.peel(repo, name, known),
        }
    }

    /// Point ref `name` at `new` if it points at `expected` (`None`: if it
    /// does not exist); `why` is the reflog message where one is written.
    pub(crate) fn cas(
        &self,
        repo: &gix::Repository,
        name: &str,
        (new, expected): (ObjectId, Option<ObjectId>),
        why: &str,
        committer: &gix::actor::Signature,
    ) -> Result<(), CasFailure> {
        match self {
            Backend::Files => files::cas(repo, name, new, expected, why, committer),
            Backend::Reftable(r) => r.cas(repo, name, (new, expected), why, committer),
        }
    }

    /// The branch HEAD names, in full (`None`: detached or unreadable).
    pub(crate) fn head_name(&self, repo: &gix::Repository) -> Option<String> {
        match self {
            Backend::Files => files::head_name(repo),
            Backend::Reftable(r) => r.head_name(),
        }
    }

    /// A guard a write holds from reading the tip to the compare-and-swap
    /// where the backend wants this process's writers one at a time.
    pub(crate) fn serialize(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        match self {
            Backend::Files => None,
            Backend::Reftable(r) => r.serialize(),
        }
    }

    /// Whether this is the files backend (loose refs to pack, lock files
    /// to name).
    pub(crate) fn is_files(&self) -> bool {
        matches!(self, Backend::Files)
    }

    /// How long a write keeps retrying a ref store that other writers keep
    /// locked before it names the lock. Reftable has one lock for every
    /// ref, held through git's compaction of the tables after a write, so
    /// under many writers a live lock is busy far longer than a loose ref's.
    pub(crate) fn max_lock_wait(&self) -> std::time::Duration {
        match self {
            Backend::Files => std::time::Duration::from_secs(3),
            Backend::Reftable(_) => std::time::Duration::from_secs(30),
        }
    }

    /// The file a busy writer of ref `name` waits on.
    pub(crate) fn lock_path(&self, common_dir: &std::path::Path, name: &str) -> std::path::PathBuf {
        match self {
            Backend::Files => {
                let loose = common_dir.join(format!("{name}.lock"));
                let packed = common_dir.join("packed-refs.lock");
                if !loose.exists() && packed.exists() { packed } else { loose }
            }
            Backend::Reftable(_) => common_dir.join("reftable").join("tables.list.lock"),
        }
    }
}
