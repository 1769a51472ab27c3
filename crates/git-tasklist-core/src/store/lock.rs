//! The repository's sync lock: two syncs never fetch into the same refs at once.

use std::time::Duration;

use super::error::{StoreError, StoreResult, git_err};
use super::open::Store;
use crate::util::file::retry_while_held;
use crate::util::interrupt::LockFile;

/// The file `sync` holds while it runs, in the common git directory.
pub(crate) const SYNC_LOCK: &str = "tasklist-sync.lock";

/// The repository's sync lock (see `Store::lock_sync`); released when
/// dropped, and removed when a signal ends the process.
#[derive(Debug)]
pub(crate) struct SyncLock {
    _file: LockFile,
}

impl Store {
    /// Takes the repository's sync lock ([`SYNC_LOCK`]), waiting up to
    /// `wait` for another sync to release it: two syncs never fetch into the
    /// same remote-tracking refs at once.
    pub fn lock_sync(&self, wait: std::time::Duration) -> StoreResult<SyncLock> {
        let path = self.common_dir.join(SYNC_LOCK);
        let (first, most) = (Duration::from_millis(5), Duration::from_millis(200));
        match retry_while_held(wait, first, most, || LockFile::create(&path)) {
            Ok(file) => Ok(SyncLock { _file: file }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(StoreError::SyncRunning { path })
            }
            Err(e) => Err(git_err(format!("creating {}", path.display()), e)),
        }
    }
}
