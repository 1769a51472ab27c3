//! The only module that touches git: open a repository, resolve and read
//! lists ([`open`](mod@open), [`refs`], [`read`]); the write path is in
//! [`transact`](mod@transact) (with the objects in `commit` and the
//! identity in `identity`) and history in [`history`].
//!
//! Layout: each list is `tasklist.toml` (plus any other files, which are kept)
//! in the tree of the commit that `<namespace>/<list-id>` points to. Objects are
//! written straight into the object database and the ref is moved with a CAS on
//! the old tip; HEAD, the index, the working tree and branches are never touched.
//!
//! A [`Store`] is `Send + Sync`: it holds gix's thread-safe repository and
//! each operation works on a handle local to the calling thread, so an async
//! server can share one store between its tasks.

mod cache;
mod commit;
mod config;
mod error;
pub mod history;
mod housekeeping;
mod identity;
mod lock;
mod loose;
mod open;
mod promisor;
mod read;
mod refs;
pub mod transact;
mod types;

pub use crate::domain::model::new_list_id;
pub use error::{NotARepo, ObjectKind, Problem, StoreError, StoreResult};
pub use history::LogEntry;
pub use identity::FALLBACK_IDENTITY;
pub use lock::{SYNC_LOCK, SyncLock};
pub use open::{Store, valid_ref_prefix};
pub use read::ListEntry;
pub use types::{
    BoxError, Committed, DEFAULT_NAMESPACE, ExtraFiles, Files, MAX_STATE_BYTES, MIN_PREFIX,
    NAMESPACE_CONFIG_KEY, NAMESPACE_ENV, Snapshot, no_files,
};
