//! Many refs set or deleted in one write of `packed-refs`, as git's own
//! `pack-refs` writes it: under `packed-refs.lock`, renamed into place. A
//! sync that stages or records thousands of refs would otherwise create a
//! loose file (and a lock file) per ref, which costs far more than the push
//! itself on some file systems; one rewrite of `packed-refs` costs what its
//! size does.
//!
//! A ref that has a loose file is never touched here (the loose file wins
//! over `packed-refs`, so writing the packed copy would change nothing):
//! it is handed back for the caller to move the ordinary way.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::domain::id::CommitId;
use crate::store::error::{StoreResult, git_err};
use crate::store::open::Store;
use crate::util::file::retry_while_held;

/// How long to wait for another writer's `packed-refs.lock` (git's
/// `core.packedRefsTimeout` default).
const LOCK_WAIT: Duration = Duration::from_millis(1000);

/// The header git writes: every entry sorted, annotated tags peeled.
const HEADER: &[u8] = b"# pack-refs with: peeled fully-peeled sorted \n";

/// One ref to set or delete in `packed-refs`.
#[derive(Debug, Clone)]
pub(crate) struct PackedEdit {
    /// The ref's full name (`refs/…`).
    pub(crate) name: String,
    /// The commit to point it at; `None` deletes it.
    pub(crate) new: Option<CommitId>,
    /// What it must point at now for the edit to apply (`Some(None)`: it
    /// must not exist); `None`: whatever it points at.
    pub(crate) expected: Option<Option<CommitId>>,
}

impl Store {
    /// Applies `edits` in one rewrite of `packed-refs`. Returns the names
    /// of the edits not applied: the ref has a loose file, or it did not
    /// point where `expected` says. `None` when the repository does not
    /// keep refs in files (reftable): nothing was done.
    pub(crate) fn edit_packed(&self, edits: &[PackedEdit]) -> StoreResult<Option<Vec<String>>> {
        if !self.refs.is_files() {
            return Ok(None);
        }
        if edits.is_empty() {
            return Ok(Some(Vec::new()));
        }
        // A signal waits for the rewrite: `packed-refs.lock` is ours to remove.
        let _hold = crate::util::interrupt::hold();
        let path = self.common_dir.join("packed-refs");
        let lock = path.with_extension("lock");
        let io = |what: &str, e: std::io::Error| git_err(format!("{what} {}", path.display()), e);
        let mut file = acquire(&lock).map_err(|e| io("locking", e))?;
        let written = (|| {
            let old = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(io("reading", e)),
            };
            let (header, mut entries) = parse(&old);
            let mut left = Vec::new();
            for edit in edits {
                let loose = self.common_dir.join(&edit.name);
                let now = entries.get(edit.name.as_bytes()).and_then(|e| tip_of(e));
                let moved = edit.expected.is_some_and(|want| want != now);
                if moved || std::fs::symlink_metadata(&loose).is_ok() {
                    left.push(edit.name.clone());
                    continue;
                }
                match edit.new {
                    Some(tip) => {
                        entries.insert(
                            edit.name.as_bytes().to_vec(),
                            format!("{tip} {}\n", edit.name).into_bytes(),
                        );
                    }
                    None => {
                        entries.remove(edit.name.as_bytes());
                    }
                }
            }
            if left.len() == edits.len() {
                return Ok(None);
            }
            let mut out = Vec::with_capacity(old.len() + edits.len() * 100);
            // Without a header of its own, a file of entries may hold tags
            // without their peeled lines: then ours must not promise them.
            let fallback: &[u8] =
                if old.is_empty() { HEADER } else { b"# pack-refs with: sorted \n" };
            out.extend_from_slice(header.unwrap_or(fallback));
            for entry in entries.values() {
                out.extend_from_slice(entry);
            }
            file.write_all(&out).map_err(|e| io("writing", e))?;
            Ok(Some(left))
        })();
        drop(file);
        match written {
            Ok(Some(left)) => match std::fs::rename(&lock, &path) {
                Ok(()) => {
                    // This process's handles reload `packed-refs` only when
                    // its time moved on, which a rewrite within the same
                    // clock tick as the last read does not show.
                    let _ = self.local().refs.force_refresh_packed_buffer();
                    Ok(Some(left))
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&lock);
                    Err(io("replacing", e))
                }
            },
            Ok(None) => {
                let _ = std::fs::remove_file(&lock);
                Ok(Some(edits.iter().map(|e| e.name.clone()).collect()))
            }
            Err(e) => {
                let _ = std::fs::remove_file(&lock);
                Err(e)
            }
        }
    }
}

/// Creates `lock`, waiting a while for another writer to let it go.
fn acquire(lock: &Path) -> std::io::Result<std::fs::File> {
    let (first, most) = (Duration::from_millis(1), Duration::from_millis(100));
    retry_while_held(LOCK_WAIT, first, most, || {
        std::fs::OpenOptions::new().write(true).create_new(true).open(lock)
    })
}

/// The entries of `packed-refs` by ref name: each with its lines.
type Entries = BTreeMap<Vec<u8>, Vec<u8>>;

/// The header line of a `packed-refs` text, if it has one, and its entries
/// by name, each with its lines (the ref's and a `^peeled` line after it).
fn parse(text: &[u8]) -> (Option<&[u8]>, Entries) {
    let mut header = None;
    let mut entries = Entries::new();
    let mut last: Option<Vec<u8>> = None;
    for line in text.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"#") {
            header = Some(line);
        } else if line.starts_with(b"^") {
            if let Some(e) = last.as_ref().and_then(|name| entries.get_mut(name)) {
                e.extend_from_slice(line);
            }
        } else if let Some(space) = line.iter().position(|b| *b == b' ') {
            let name = line[space + 1..].strip_suffix(b"\n").unwrap_or(&line[space + 1..]);
            let mut entry = line.to_vec();
            if !entry.ends_with(b"\n") {
                entry.push(b'\n');
            }
            entries.insert(name.to_vec(), entry);
            last = Some(name.to_vec());
        }
    }
    (header.filter(|h| h.ends_with(b"\n")), entries)
}

/// The commit an entry's first line names.
fn tip_of(entry: &[u8]) -> Option<CommitId> {
    let space = entry.iter().position(|b| *b == b' ')?;
    std::str::from_utf8(&entry[..space]).ok()?.parse().ok()
}
