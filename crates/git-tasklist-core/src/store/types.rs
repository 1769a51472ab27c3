//! The store's plain types: where lists live, size limits, a list as read
//! and the outcome of a write.

use gix::ObjectId;

use crate::domain::id::CommitId;
use crate::domain::model::TaskList;

/// The namespace used when none is configured.
pub const DEFAULT_NAMESPACE: &str = "refs/tasklists";
/// Git config key that overrides [`DEFAULT_NAMESPACE`].
pub const NAMESPACE_CONFIG_KEY: &str = "tasklist.namespace";
/// Environment variable that overrides the git config key.
pub const NAMESPACE_ENV: &str = "GIT_TASKLIST_NAMESPACE";

/// Largest `tasklist.toml` the store will read; anything bigger is refused unread.
pub const MAX_STATE_BYTES: u64 = 8 << 20;

/// Shortest id prefix that resolves a list.
pub const MIN_PREFIX: usize = 4;

/// Any error, boxed, as a source kept behind one of ours.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A list as read from its tip.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The state.
    pub list: TaskList,
    /// The commit the ref points to.
    pub tip: CommitId,
}

/// Files (path, content) to put beside `tasklist.toml` in a commit's tree.
pub(crate) type Files = Vec<(String, Vec<u8>)>;

/// Computes extra files for a commit's tree from the new state; an error
/// aborts the write.
pub(crate) type ExtraFiles<'a> = &'a dyn Fn(&TaskList) -> Result<Files, BoxError>;

/// No extra files.
pub(crate) fn no_files(_: &TaskList) -> Result<Files, BoxError> {
    Ok(Vec::new())
}

/// The outcome of a transaction.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The state after the change.
    pub list: TaskList,
    /// The ref's tip afterwards (the new commit, or the old tip when unchanged).
    pub tip: CommitId,
    /// Whether a commit was written.
    pub changed: bool,
    /// Lost races before the write landed.
    pub retries: u32,
    /// The state the change was applied to (None for a create).
    pub before: Option<TaskList>,
}

/// The [`CommitId`] of a gix object id.
pub(crate) fn cid(oid: &gix::oid) -> CommitId {
    // gix ids are 20 or 32 bytes, the two lengths a CommitId holds.
    CommitId::from_bytes(oid.as_bytes()).unwrap_or_else(|| unreachable!("a gix object id"))
}

/// The gix object id of a [`CommitId`]; `None` for an id of a length this
/// build's object format does not have (a SHA-256 id in a SHA-1 repository).
pub(crate) fn oid(id: CommitId) -> Option<ObjectId> {
    ObjectId::try_from(id.as_bytes()).ok()
}

/// What the summary index did in this process (see `Store::index_stats`):
/// lists read from git, lists served from the index, full checks.
#[derive(Debug, Default)]
pub(crate) struct IndexCounters {
    pub(super) read: std::sync::atomic::AtomicU64,
    pub(super) served: std::sync::atomic::AtomicU64,
    pub(super) full: std::sync::atomic::AtomicU64,
}
