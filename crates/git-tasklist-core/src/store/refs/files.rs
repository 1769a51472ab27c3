//! The files ref backend (loose refs and `packed-refs`), read and written
//! by gix itself.

use std::path::Path;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::types::{CasFailure, Listed, RefTarget, commit_by_header};
use crate::domain::model::is_uuid;
use crate::store::error::{StoreResult, git_err};

/// How many times a listing is read again because `packed-refs` was
/// replaced while it ran, before the read gives up.
const LISTING_ATTEMPTS: u32 = 16;

/// A file's identity: if it is the same, so is the file (git replaces
/// `packed-refs` by a rename, which changes the inode and the times).
/// Off Unix only the size and modification time are known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// Whether the file exists (every other field is zero when not).
    pub(crate) present: bool,
    /// Its size in bytes.
    pub(crate) size: u64,
    /// Modification time: seconds since the epoch and nanoseconds.
    pub(crate) mtime: (i64, u32),
    /// Change time (Unix), as `mtime`.
    pub(crate) ctime: (i64, u32),
    /// Inode number (Unix).
    pub(crate) ino: u64,
    /// Device number (Unix).
    pub(crate) dev: u64,
}

impl Stamp {
    /// The stamp of the file at `path` now (a default, not present, when
    /// there is none); `None` when it cannot be read.
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        match std::fs::metadata(path) {
            Ok(m) => Some(Stamp::from_meta(&m)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Stamp::default()),
            Err(_) => None,
        }
    }

    #[cfg(unix)]
    fn from_meta(m: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            present: true,
            size: m.len(),
            mtime: (m.mtime(), u32::try_from(m.mtime_nsec()).unwrap_or(0)),
            ctime: (m.ctime(), u32::try_from(m.ctime_nsec()).unwrap_or(0)),
            ino: m.ino(),
            dev: m.dev(),
        }
    }

    #[cfg(not(unix))]
    fn from_meta(m: &std::fs::Metadata) -> Stamp {
        let mtime = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        Stamp {
            present: true,
            size: m.len(),
            mtime: mtime.map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos())),
            ..Stamp::default()
        }
    }
}

/// Runs `read`, a listing of loose refs and `packed-refs`, until no
/// `packed-refs` was written while it ran. `git pack-refs` (and `git gc`)
/// writes the new `packed-refs` before it deletes the loose refs it packed,
/// so a listing that read the old `packed-refs` and then found a loose ref
/// gone would miss that ref; when `packed-refs` is the same version before
/// and after the listing, every ref the listing missed was really deleted.
pub(crate) fn stable_listing<T>(
    common_dir: &Path,
    mut read: impl FnMut() -> StoreResult<T>,
) -> StoreResult<T> {
    for _ in 0..LISTING_ATTEMPTS {
        let packed = common_dir.join("packed-refs");
        let before = Stamp::of(&packed);
        let out = read()?;
        if Stamp::of(&packed) == before {
            return Ok(out);
        }
    }
    Err(git_err(
        "reading refs",
        std::io::Error::other(format!(
            "packed-refs was rewritten during {LISTING_ATTEMPTS} consecutive reads"
        )),
    ))
}

/// Every ref whose full name starts with `prefix`, with its tip peeled
/// through symbolic refs and tags. A ref naming a commit is taken as it is
/// after a look at the object's header (its kind), without inflating the
/// object or looking at `packed-refs` again, as peeling each would: at
/// 100,000 refs that was most of a sync with nothing to do.
pub(super) fn list(repo: &gix::Repository, prefix: &str) -> StoreResult<Vec<Listed>> {
    stable_listing(repo.common_dir(), || list_once(repo, prefix))
}

/// One read of [`list`], which may miss refs `git pack-refs` moved meanwhile.
fn list_once(repo: &gix::Repository, prefix: &str) -> StoreResult<Vec<Listed>> {
    let platform = repo.references().map_err(|e| git_err("reading refs", e))?;
    let iter = platform.prefixed(prefix).map_err(|e| git_err("reading refs", e))?;
    mid_listing();
    let mut out = Vec::new();
    let mut failed = false;
    for r in iter {
        // An undecodable loose ref is reported by its file name elsewhere.
        let Ok(r) = r else {
            failed = true;
            continue;
        };
        out.push(listed(repo, r));
    }
    if failed {
        recover_packed(repo, prefix, &mut out)?;
    }
    Ok(out)
}

/// A ref as listed: its name, its tip peeled, whether it is symbolic.
fn listed(repo: &gix::Repository, mut r: gix::Reference<'_>) -> Listed {
    let name = r.name().as_bstr().to_str_lossy().into_owned();
    let symbolic = matches!(r.target(), gix::refs::TargetRef::Symbolic(_));
    let direct = r.target().try_id().and_then(|id| commit_by_header(repo, id));
    let tip = match direct {
        Some(id) => Ok(id),
        None => r.peel_to_id().map(|i| i.detach()).map_err(|e| e.into()),
    };
    Listed { name, tip, symbolic }
}

/// Adds to `out` the packed refs under `prefix` it lacks because their loose
/// file failed to read: `git pack-refs` deletes a loose ref after the new
/// `packed-refs` (which holds it) is in place, so a listing can find the
/// loose file, fail to open it, and skip the packed entry it shadowed. Each
/// is looked up again; one whose loose file is really undecodable still
/// fails and stays out (it is reported by its file name).
fn recover_packed(repo: &gix::Repository, prefix: &str, out: &mut Vec<Listed>) -> StoreResult<()> {
    let have: std::collections::HashSet<String> = out.iter().map(|l| l.name.clone()).collect();
    let missing: Vec<String> =
        packed_names(repo, prefix)?.into_iter().filter(|name| !have.contains(name)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    for name in missing {
        if let Ok(Some(r)) = repo.try_find_reference(name.as_str()) {
            out.push(listed(repo, r));
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(())
}

/// The full names of the refs in `packed-refs` that start with `prefix`
/// (a binary search, then the run of them); none without the file.
fn packed_names(repo: &gix::Repository, prefix: &str) -> StoreResult<Vec<String>> {
    let packed = repo.refs.cached_packed_buffer().map_err(|e| git_err("reading packed refs", e))?;
    let Some(packed) = packed else { return Ok(Vec::new()) };
    let iter = packed
        .iter_prefixed(prefix.as_bytes().into())
        .map_err(|e| git_err("reading packed refs", e))?;
    Ok(iter.flatten().map(|r| r.name.as_bstr().to_str_lossy().into_owned()).collect())
}

/// What ref `name` points at, without peeling it.
pub(super) fn find(repo: &gix::Repository, name: &str) -> StoreResult<Option<RefTarget>> {
    let r = repo.try_find_reference(name).map_err(|e| git_err("reading a ref", e))?;
    Ok(r.map(|r| match r.target() {
        gix::refs::TargetRef::Symbolic(to) => {
            RefTarget::Symbolic(to.as_bstr().to_str_lossy().into_owned())
        }
        gix::refs::TargetRef::Object(oid) => RefTarget::Object(oid.to_owned()),
    }))
}

/// Ref `name` peeled through symbolic refs and tags (`None`: no such ref).
/// A ref pointing straight at an object `known` is not peeled.
pub(super) fn peel(
    repo: &gix::Repository,
    name: &str,
    known: &dyn Fn(&gix::oid) -> bool,
) -> StoreResult<Option<Result<ObjectId, crate::store::types::BoxError>>> {
    let r = repo.try_find_reference(name).map_err(|e| git_err("reading a ref", e))?;
    Ok(r.map(|mut r| match r.target().try_id() {
        Some(oid) if known(oid) => Ok(oid.to_owned()),
        _ => r.peel_to_id().map(|i| i.detach()).map_err(|e| e.into()),
    }))
}

/// Names of the refs directly under `dir` (with its trailing slash) that
/// start with `dir` + `prefix` and are list ids: the entries of the loose-ref
/// directory (names only, no file is opened) and a binary search of
/// `packed-refs`.
pub(super) fn ids_with_prefix(
    repo: &gix::Repository,
    common_dir: &std::path::Path,
    dir: &str,
    prefix: &str,
) -> StoreResult<std::collections::BTreeSet<String>> {
    let mut ids = std::collections::BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(common_dir.join(dir.trim_end_matches('/'))) {
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            if is_file && name.starts_with(prefix) && is_uuid(name) {
                ids.insert(name.to_string());
            }
        }
    }
    for name in packed_names(repo, &format!("{dir}{prefix}"))? {
        if let Some(id) = name.strip_prefix(dir).filter(|id| is_uuid(id)) {
            ids.insert(id.to_string());
        }
    }
    Ok(ids)
}

/// The compare-and-swap of ref `name`: point it at `new` if it points at
/// `expected` (`None`: if it does not exist).
pub(super) fn cas(
    repo: &gix::Repository,
    name: &str,
    new: ObjectId,
    expected: Option<ObjectId>,
    why: &str,
    committer: &gix::actor::Signature,
) -> Result<(), CasFailure> {
    let full: gix::refs::FullName =
        name.try_into().map_err(|e| CasFailure::Failed(git_err(format!("updating {name}"), e)))?;
    let edit = RefEdit {
        name: full,
        deref: false,
        change: Change::Update {
            new: gix::refs::Target::Object(new),
            expected: match expected {
                Some(p) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(p)),
                None => PreviousValue::MustNotExist,
            },
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: format!("tasklist: {why}").into(),
            },
        },
    };
    let mut time_buf = gix::date::parse::TimeBuf::default();
    match repo.edit_references_as(Some(edit), Some(committer.to_ref(&mut time_buf))) {
        Ok(_) => Ok(()),
        Err(e) if e.is_conflict() => Err(CasFailure::Conflict),
        Err(e) if e.is_not_found() => Err(CasFailure::NotFound),
        Err(e) if e.is_retryable() => Err(CasFailure::Busy),
        Err(e) => Err(CasFailure::Failed(git_err(format!("updating {name}"), e))),
    }
}

/// The branch HEAD names, in full (`None`: detached or unreadable).
pub(super) fn head_name(repo: &gix::Repository) -> Option<String> {
    let head = repo.head_name().ok()??;
    head.as_bstr().to_str().ok().map(String::from)
}

/// Runs the hook a test set, once, between a listing's read of
/// `packed-refs` and its read of the loose refs.
#[cfg(test)]
pub(crate) fn mid_listing() {
    tests::MID_LISTING.with(|m| {
        if let Some(f) = m.borrow_mut().take() {
            f()
        }
    })
}

/// Nothing to run between a listing's two reads outside tests.
#[cfg(not(test))]
#[inline(always)]
pub(crate) fn mid_listing() {}

#[cfg(test)]
pub(crate) mod tests {
    //! Repositories with loose list refs, and the hook that moves refs in
    //! the middle of a listing.

    use std::cell::RefCell;
    use std::path::Path;

    thread_local! {
        /// What [`super::mid_listing`] runs next, once.
        pub(crate) static MID_LISTING: RefCell<Option<Box<dyn FnOnce()>>> =
            RefCell::new(None);
    }

    /// Has the next listing on this thread run `f` between its two reads.
    pub(crate) fn on_mid_listing(f: impl FnOnce() + 'static) {
        MID_LISTING.with(|m| *m.borrow_mut() = Some(Box::new(f)));
    }

    /// Runs git in `dir` without the machine's config; returns stdout.
    pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// A repository with `n` loose refs under `refs/tasklists/` (sorted ids).
    pub(crate) fn repo_with_loose_lists(n: usize) -> (tempfile::TempDir, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "--ref-format=files"]);
        let tree = git(dir.path(), &["hash-object", "-t", "tree", "-w", "/dev/null"]);
        let commit = git(dir.path(), &["commit-tree", tree.trim(), "-m", "x"]);
        let mut ids: Vec<String> =
            (0..n).map(|i| format!("0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d{i:02}")).collect();
        ids.sort();
        for id in &ids {
            git(dir.path(), &["update-ref", &format!("refs/tasklists/{id}"), commit.trim()]);
        }
        (dir, ids)
    }

    /// `git pack-refs` between the read of `packed-refs` and of the loose
    /// refs: the listing still names every ref.
    #[test]
    fn a_listing_survives_pack_refs_between_its_reads() {
        let (dir, ids) = repo_with_loose_lists(3);
        let repo = gix::open(dir.path()).unwrap();
        let path = dir.path().to_path_buf();
        on_mid_listing(move || {
            git(&path, &["pack-refs", "--all"]);
        });
        let listed = super::list(&repo, "refs/tasklists/").unwrap();
        let names: Vec<String> = listed.into_iter().map(|l| l.name).collect();
        let want: Vec<String> = ids.iter().map(|id| format!("refs/tasklists/{id}")).collect();
        assert_eq!(names, want);
    }
}
