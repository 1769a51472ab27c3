//! The repository's sync lock: two syncs never fetch into the same refs at once.

use super::error::{StoreError, StoreResult, git_err};
use super::open::Store;
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
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            match LockFile::create(&path) {
                Ok(file) => return Ok(SyncLock { _file: file }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(git_err(format!("creating {}", path.display()), e)),
            }
            let left = wait.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(StoreError::SyncRunning { path });
            }
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(std::time::Duration::from_millis(200));
        }
    }
}
