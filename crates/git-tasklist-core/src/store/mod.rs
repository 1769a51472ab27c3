//! The only module that touches git: open a repository, resolve and read
//! lists (`open`, `refs`, `read`); the write path is in
//! [`transact`](mod@transact) (with the objects in `commit` and the
//! identity in `identity`) and history in [`history`]. Programs reach it
//! through [`crate::Tasklists`]; what is public here is what its answers
//! and errors are made of.
//!
//! Layout: each list is `tasklist.toml` (plus any other files, which are kept)
//! in the tree of the commit that `<namespace>/<list-id>` points to. Objects are
//! written straight into the object database and the ref is moved with a CAS on
//! the old tip; HEAD, the index, the working tree and branches are never touched.
//!
//! A `Store` is `Send + Sync`: it holds gix's thread-safe repository and
//! each operation works on a handle local to the calling thread, so an async
//! server can share one store between its tasks.

mod cache;
mod commit;
mod config;
mod error;
pub mod history;
mod housekeeping;
mod identity;
mod index;
mod lock;
mod loose;
mod open;
mod promisor;
mod read;
mod refs;
pub mod transact;
mod types;

pub(crate) use config::GitConfig;
pub use error::{Lookup, NotARepo, ObjectKind, Problem, StoreError, StoreResult};
pub use history::LogEntry;
pub use index::{INDEX_DIR, IndexStats, Summarized, SummaryEntry};
pub(crate) use open::Store;
pub(crate) use open::valid_ref_prefix;
pub use read::ListEntry;
pub(crate) use refs::PackedEdit;
pub(crate) use types::{BoxError, Files, no_files};
pub use types::{
    Committed, DEFAULT_NAMESPACE, MAX_STATE_BYTES, MIN_PREFIX, NAMESPACE_CONFIG_KEY, NAMESPACE_ENV,
    Snapshot,
};
