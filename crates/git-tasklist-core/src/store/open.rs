//! Opening a repository: discovery, the namespace, the pooled handles, and
//! the paths and names a caller asks for.

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;

use super::cache::Recent;
use super::error::{NotARepo, StoreError, StoreResult};
use super::refs::backend::Backend;
use super::types::{DEFAULT_NAMESPACE, NAMESPACE_CONFIG_KEY, NAMESPACE_ENV};
use crate::util::text::escape;

/// Bytes of recently read objects a handle keeps: a command reads the tip
/// commit, its tree and the state more than once.
const OBJECT_CACHE: usize = 1 << 20;

/// Bytes of decoded delta results a handle keeps (git's delta base cache):
/// packed lists are deltas of one another in chains up to 50 long, and
/// without it every read inflates its whole chain again. A list read after
/// its base (as a read of every list in id order does after `git
/// fast-import`) inflates one delta.
const PACK_CACHE: usize = 8 << 20;

fn with_cache(mut repo: gix::Repository) -> gix::Repository {
    repo.object_cache_size_if_unset(OBJECT_CACHE);
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(PACK_CACHE))
    });
    repo
}

/// A pooled repository handle (see [`Store::local`]).
pub(crate) struct Handle<'a> {
    store: &'a Store,
    repo: Option<gix::Repository>,
}

impl std::ops::Deref for Handle<'_> {
    type Target = gix::Repository;

    fn deref(&self) -> &gix::Repository {
        // Always Some until drop.
        self.repo.as_ref().unwrap_or_else(|| unreachable!("a handle is taken only on drop"))
    }
}

impl Drop for Handle<'_> {
    fn drop(&mut self) {
        if let (Some(repo), Ok(mut pool)) = (self.repo.take(), self.store.pool.lock()) {
            pool.push(repo);
        }
    }
}

/// An open repository plus the namespace the lists live in.
pub(crate) struct Store {
    pub(super) repo: gix::ThreadSafeRepository,
    /// Where refs are read and written: gix's files backend or git's reftable.
    pub(super) refs: Backend,
    /// Thread-local handles not in use, kept so that their caches (the
    /// object database's index of packs, recently read objects) serve the
    /// next call instead of being built again.
    pub(super) pool: std::sync::Mutex<Vec<gix::Repository>>,
    pub(super) namespace: String,
    pub(super) git_dir: PathBuf,
    pub(super) common_dir: PathBuf,
    pub(super) objects_dir: PathBuf,
    pub(super) workdir: Option<PathBuf>,
    pub(super) recent: Recent,
    /// Commits this process wrote: housekeeping is checked on the first
    /// and then every few (see `maybe_gc`).
    pub(super) writes: std::sync::atomic::AtomicU64,
    /// The author's and the committer's name and address, once looked up.
    pub(super) identities: [std::sync::OnceLock<(String, String)>; 2],
    /// Whether writes start git's housekeeping (see [`Store::set_housekeeping`]).
    pub(super) housekeeping: bool,
    /// What the summary index did (see [`Store::index_stats`]).
    pub(super) index_counters: super::types::IndexCounters,
}

impl Store {
    /// Discovers the repository at or above `path` (default: the current
    /// directory, honouring `GIT_DIR` like git) and settles the namespace:
    /// `namespace`, else the `GIT_TASKLIST_NAMESPACE` variable, else git
    /// config `tasklist.namespace`, else `refs/tasklists`.
    pub fn open(path: Option<&Path>, namespace: Option<&str>) -> StoreResult<Store> {
        let start = path.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        if !start.exists() {
            return Err(StoreError::NotARepo { path: start, reason: NotARepo::NoDirectory });
        }
        // Without --repo, honour GIT_DIR (and GIT_WORK_TREE, GIT_CEILING_DIRECTORIES …)
        // like git does: git hooks run with GIT_DIR set to the repository they
        // act on. An explicit --repo wins.
        // From an absolute path, gix's paths are absolute too: nothing a
        // write does needs the current directory again.
        let from = std::path::absolute(&start).unwrap_or_else(|_| start.clone());
        let found = match path {
            Some(_) => gix::ThreadSafeRepository::discover(&from),
            None => gix::ThreadSafeRepository::discover_with_environment_overrides(&from),
        };
        let repo = found.map_err(|e| {
            let shown = match (path, std::env::var_os("GIT_DIR")) {
                (None, Some(dir)) => PathBuf::from(dir),
                _ => start.clone(),
            };
            StoreError::NotARepo { path: shown.clone(), reason: why_not_a_repo(&shown, e) }
        })?;
        let local = repo.to_thread_local();
        // gix opens a repository another user owns (with reduced trust, or
        // fully when we are root), where git refuses it unless
        // safe.directory says otherwise: then refuse it too, in git's words.
        let refused = owned_by_another(local.git_dir())
            .then(|| git_refuses(local.workdir().unwrap_or(local.git_dir())))
            .flatten();
        if let Some(why) = refused {
            return Err(StoreError::NotARepo { path: start, reason: NotARepo::Other(why) });
        }
        let refs = Backend::of(&local);
        let config = local.config_snapshot();
        let from_env = std::env::var(NAMESPACE_ENV).ok().filter(|s| !s.is_empty());
        let from_config =
            config.string(NAMESPACE_CONFIG_KEY).map(|s| s.to_str_lossy().into_owned());
        let ns = namespace
            .map(String::from)
            .or(from_env)
            .or(from_config)
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
        let namespace = validate_namespace(&ns)?;
        let (git_dir, common_dir) =
            (local.git_dir().to_path_buf(), local.common_dir().to_path_buf());
        let workdir = local.workdir().map(Path::to_path_buf);
        let pool = std::sync::Mutex::new(vec![with_cache(local)]);
        let objects_dir = repo.objects_dir().to_path_buf();
        Ok(Store {
            repo,
            refs,
            pool,
            namespace,
            git_dir,
            common_dir,
            objects_dir,
            workdir,
            recent: Recent::default(),
            writes: Default::default(),
            identities: Default::default(),
            housekeeping: false,
            index_counters: Default::default(),
        })
    }

    /// The same repository with the lists under another namespace (for
    /// example the remote-tracking copies `sync` fetches).
    pub fn with_namespace(&self, namespace: &str) -> StoreResult<Store> {
        let local = self.local();
        let refs = Backend::of(&local);
        drop(local);
        Ok(Store {
            repo: self.repo.clone(),
            refs,
            pool: std::sync::Mutex::new(Vec::new()),
            namespace: validate_namespace(namespace)?,
            git_dir: self.git_dir.clone(),
            common_dir: self.common_dir.clone(),
            objects_dir: self.objects_dir.clone(),
            workdir: self.workdir.clone(),
            recent: Recent::default(),
            writes: Default::default(),
            identities: Default::default(),
            housekeeping: self.housekeeping,
            index_counters: Default::default(),
        })
    }

    /// A repository handle for the calling thread, from the pool when one
    /// is free; it goes back to the pool when dropped.
    pub(crate) fn local(&self) -> Handle<'_> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let repo = pooled.unwrap_or_else(|| with_cache(self.repo.to_thread_local()));
        Handle { store: self, repo: Some(repo) }
    }

    /// The branch checked out in this worktree (`None`: detached HEAD or a
    /// HEAD that cannot be read).
    pub fn current_branch(&self) -> Option<String> {
        let name = self.refs.head_name(&self.local())?;
        Some(name.strip_prefix("refs/heads/").unwrap_or(&name).to_string())
    }

    /// The object format of the repository's ids: `SHA-1` or `SHA-256`.
    pub fn object_format(&self) -> &'static str {
        match self.local().object_hash() {
            gix::hash::Kind::Sha256 => "SHA-256",
            _ => "SHA-1",
        }
    }

    /// The namespace lists live under, without a trailing slash.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The full ref name of a list.
    pub fn ref_name(&self, id: &str) -> String {
        format!("{}/{id}", self.namespace)
    }

    /// The working tree of the repository, if it has one (not for bare repos).
    pub fn workdir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    /// The repository's git directory (per worktree).
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// Lets writes start git's own housekeeping in the background, as git
    /// commands do: `git gc --auto` once loose objects pass `gc.auto`, and
    /// `git pack-refs` once the namespace's loose refs pile up. Off by
    /// default: a program using the library decides whether it spawns git.
    pub fn set_housekeeping(&mut self, on: bool) {
        self.housekeeping = on;
    }

    /// The directory shared by all worktrees (refs and objects live here).
    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }
}

/// Why discovery failed, told from what is on disk rather than from the
/// wording of gix's error: no `.git` at all, or whatever else gix reported.
fn why_not_a_repo(start: &Path, e: gix::Error) -> NotARepo {
    if gix::discover::upwards(start).is_err() {
        return NotARepo::NotFound(Box::new(e));
    }
    if e.is_not_found() { NotARepo::NotFound(Box::new(e)) } else { NotARepo::Other(Box::new(e)) }
}

/// Whether `git_dir` belongs to a user other than the one we run as.
fn owned_by_another(git_dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    std::fs::metadata(git_dir).is_ok_and(|m| m.uid() != me)
}

/// What git says when it refuses to work in `dir` (`safe.directory`: the
/// repository belongs to another user); `None` when git accepts it. Git
/// checks ownership when it discovers a repository, so it is run in `dir`.
fn git_refuses(dir: &Path) -> Option<super::types::BoxError> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--git-dir"])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stderr).trim().to_string().into())
}

/// Whether `prefix` followed by `/x` is a valid full ref name.
pub(crate) fn valid_ref_prefix(prefix: &str) -> bool {
    gix::refs::FullName::try_from(format!("{prefix}/x").as_str()).is_ok()
}

fn validate_namespace(ns: &str) -> StoreResult<String> {
    let trimmed = ns.trim_end_matches('/');
    // Branches, tags and remote-tracking refs are git's own: lists there would
    // show up as branches or be clobbered by fetch; and git manages other
    // namespaces itself (`git bisect reset` deletes refs/bisect, `git stash`
    // owns refs/stash, refs/replace rewrites objects, refs/worktree and
    // refs/rewritten are per worktree, gc and fetch prune refs/prefetch …).
    let reserved = [
        "refs/heads",
        "refs/tags",
        "refs/remotes",
        "refs/bisect",
        "refs/stash",
        "refs/replace",
        "refs/notes",
        "refs/original",
        "refs/prefetch",
        "refs/worktree",
        "refs/rewritten",
    ]
    .iter()
    .any(|r| trimmed == *r || trimmed.starts_with(&format!("{r}/")));
    let valid = trimmed.starts_with("refs/")
        && !reserved
        && trimmed.len() > "refs/".len()
        && valid_ref_prefix(trimmed)
        && !trimmed.split('/').any(|c| c.is_empty());
    if valid { Ok(trimmed.to_string()) } else { Err(StoreError::BadNamespace(escape(ns))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        assert_eq!(validate_namespace("refs/tasklists/").unwrap(), "refs/tasklists");
        assert!(validate_namespace("refs/x/y").is_ok());
        for bad in [
            "tasklists",
            "refs/",
            "refs//x",
            "refs/a b",
            "refs/x..y",
            "refs/heads",
            "refs/tags/x",
            "refs/bisect",
            "refs/stash",
            "refs/replace/x",
            "refs/notes",
            "refs/original",
            "refs/prefetch/tasklists",
        ] {
            assert!(validate_namespace(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn store_is_shareable_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Store>();
    }
}
