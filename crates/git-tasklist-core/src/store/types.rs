//! The store's plain types: where lists live, size limits, a list as read
//! and the outcome of a write.

use gix::ObjectId;

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
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A list as read from its tip.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The state.
    pub list: TaskList,
    /// The commit the ref points to.
    pub tip: ObjectId,
}

/// Files (path, content) to put beside `tasklist.toml` in a commit's tree.
pub type Files = Vec<(String, Vec<u8>)>;

/// Computes extra files for a commit's tree from the new state; an error
/// aborts the write.
pub type ExtraFiles<'a> = &'a dyn Fn(&TaskList) -> Result<Files, BoxError>;

/// No extra files.
pub fn no_files(_: &TaskList) -> Result<Files, BoxError> {
    Ok(Vec::new())
}

/// The outcome of a transaction.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The state after the change.
    pub list: TaskList,
    /// The ref's tip afterwards (the new commit, or the old tip when unchanged).
    pub tip: ObjectId,
    /// Whether a commit was written.
    pub changed: bool,
    /// Lost races before the write landed.
    pub retries: u32,
    /// The state the change was applied to (None for a create).
    pub before: Option<TaskList>,
}
