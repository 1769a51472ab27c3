//! Sync with a git remote: one `git fetch` of the remote's lists into a
//! remote-tracking namespace, then per list a new copy, a fast-forward, a
//! merge or a push, and one `git push` (never forced) of what changed. The
//! network goes through the `git` command, so credentials, SSH, proxies and
//! `insteadOf` work as they do for the user; everything local goes through
//! the store.
//!
//! One list's failure never stops the others: it is that list's row
//! (`Action::Skipped` and why). Every `git` that talks to the remote runs
//! for a bounded time ([`NETWORK_TIMEOUT_CONFIG_KEY`]); a sync holds the
//! repository's sync lock, so two never fetch into the same refs at once.

mod claim;
mod error;
mod exchange;
mod reconcile;
mod remote;
mod tracking;
mod transport;
mod types;

pub(crate) use claim::claim;
pub use error::{SyncError, SyncResult};
pub(crate) use exchange::sync;
pub(crate) use remote::{count_remote_lists, init, remote_lists};
pub(crate) use tracking::tracking;
pub use types::{
    Action, DEFAULT_NETWORK_TIMEOUT, DEFAULT_PUSH_BATCH, Initialized, ListSync,
    NETWORK_TIMEOUT_CONFIG_KEY, NETWORK_TIMEOUT_ENV, PUSH_BATCH_CONFIG_KEY, PUSH_BATCH_ENV,
    REMOTE_PREFIX_CONFIG_KEY, RemoteLists, SyncOptions, SyncProgress, SyncReport, TRACKING_PREFIX,
    Tracking,
};
