//! Housekeeping: git's own `gc --auto` once loose objects pile up, and
//! `pack-refs` once the namespace's loose refs do.

use super::open::Store;

/// [`Store::maybe_pack_refs`]).
const PACK_REFS_AFTER: usize = 512;
/// Loose-object threshold git uses when `gc.auto` is unset.
const DEFAULT_GC_AUTO: i64 = 6700;
/// A process that writes many commits checks for housekeeping on its first
/// write and then on every this many.
const GC_CHECK_EVERY: u64 = 8;

impl Store {
    /// Packs the namespace's refs (`git pack-refs --include NS/*`, in the
    /// background as git's auto-gc runs) once more than [`PACK_REFS_AFTER`]
    /// of them are loose. Resolving an id prefix lists the loose-ref
    /// directory, which at 10,000 loose refs costs more than the rest of a
    /// command; packed refs are found by a binary search. Checked on create
    /// only: that is when the directory grows.
    pub(super) fn maybe_pack_refs(&self, repo: &gix::Repository) {
        // Reftable compacts its own tables on each write.
        if !self.refs.is_files() {
            return;
        }
        let dir = self.common_dir.join(&self.namespace);
        let loose =
            std::fs::read_dir(&dir).map(|d| d.take(PACK_REFS_AFTER + 1).count()).unwrap_or(0);
        if loose <= PACK_REFS_AFTER {
            return;
        }
        let spawned = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&self.common_dir)
            .args(["pack-refs", "--include"])
            .arg(format!("{}/*", self.namespace))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        // In the foreground when git's own housekeeping is (gc.autoDetach = false).
        let detach = repo.config_snapshot().boolean("gc.autoDetach").unwrap_or(true);
        if let (Ok(mut child), false) = (spawned, detach) {
            let _ = child.wait();
        }
    }

    /// Starts git's own housekeeping (`git gc --auto`) once loose
    /// objects pass git's `gc.auto` threshold, estimated the way git does:
    /// from the number of objects in the `objects/17` fan-out directory.
    pub(super) fn maybe_gc(&self, repo: &gix::Repository) {
        // A process writing many commits (the MCP server) looks every few
        // writes, not on each: the estimate moves by three objects a commit.
        let n = self.writes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if !n.is_multiple_of(GC_CHECK_EVERY) {
            return;
        }
        let config = repo.config_snapshot();
        let limit = config.integer("gc.auto").unwrap_or(DEFAULT_GC_AUTO);
        if limit <= 0 {
            return;
        }
        let per_dir = (limit + 255) / 256;
        let dir = self.common_dir.join("objects").join("17");
        let count =
            std::fs::read_dir(&dir).map(|d| d.filter(|e| e.is_ok()).count() as i64).unwrap_or(0);
        if count <= per_dir {
            return;
        }
        let spawned = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&self.common_dir)
            .args(["gc", "--auto", "--quiet"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        // git detaches its own auto-gc unless gc.autoDetach is false, in which
        // case it runs in the foreground, as it would after any git command.
        let detach = config.boolean("gc.autoDetach").unwrap_or(true);
        if let (Ok(mut child), false) = (spawned, detach) {
            let _ = child.wait();
        }
    }

    /// Packs the refs directly under each directory of `dirs` (such as
    /// `refs/tasklists-remote/origin`) with `git pack-refs --include`, in
    /// the foreground, when more than [`PACK_REFS_AFTER`] of them are loose.
    /// A sync that brought or pushed thousands of lists leaves one file per
    /// ref, and every later fetch and read would open them all. Cheap when
    /// they are packed already: one directory listing each, cut short.
    pub(crate) fn pack_loose_refs(&self, dirs: &[&str]) {
        if !self.refs.is_files() {
            return;
        }
        let loose = |dir: &str| {
            std::fs::read_dir(self.common_dir.join(dir))
                .map(|d| d.take(PACK_REFS_AFTER + 1).count())
                .unwrap_or(0)
        };
        let many: Vec<&&str> = dirs.iter().filter(|d| loose(d) > PACK_REFS_AFTER).collect();
        if many.is_empty() {
            return;
        }
        // A signal waits for it, as for a write: git's lock is gone when we are.
        let _hold = crate::util::interrupt::hold();
        let mut cmd = std::process::Command::new("git");
        cmd.arg("--git-dir").arg(&self.common_dir).arg("pack-refs");
        for dir in many {
            cmd.arg("--include").arg(format!("{dir}/*"));
        }
        let _ = cmd
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}
