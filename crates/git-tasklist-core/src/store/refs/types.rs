//! The types a ref backend answers with, and the peeling both backends
//! share.

use gix::ObjectId;

use crate::store::error::StoreError;
use crate::store::types::BoxError;

/// What a ref points at, unpeeled.
pub(crate) enum RefTarget {
    /// An object id.
    Object(ObjectId),
    /// Another ref, by full name.
    Symbolic(String),
}

/// A ref as listed: its full name and its tip peeled through symbolic refs
/// and tags, or why it cannot be.
pub(crate) struct Listed {
    /// The full ref name.
    pub(crate) name: String,
    /// The peeled tip.
    pub(crate) tip: Result<ObjectId, BoxError>,
    /// Whether the ref is symbolic (its tip is another ref's).
    pub(crate) symbolic: bool,
}

/// Why a compare-and-swap did not move the ref.
pub(crate) enum CasFailure {
    /// The ref did not hold the expected value (or exists when it must not).
    Conflict,
    /// The ref was expected but is gone.
    NotFound,
    /// The ref store is locked by another writer for longer than git waits.
    Busy,
    /// Anything else.
    Failed(StoreError),
}

/// `oid` when it names a commit, told from the object's header alone:
/// listing a ref that points straight at a commit (nearly every list ref)
/// needs no inflated object, which at 100,000 refs is most of the work.
pub(crate) fn commit_by_header(repo: &gix::Repository, oid: &gix::oid) -> Option<ObjectId> {
    let header = repo.find_header(oid).ok()?;
    (header.kind() == gix::object::Kind::Commit).then(|| oid.to_owned())
}
