//! The only module that touches git: open a repository, resolve and read
//! lists; the write path is in [`transact`](mod@transact) and history in
//! [`history`].
//!
//! Layout: each list is `tasklist.toml` (plus any other files, which are kept)
//! in the tree of the commit that `<namespace>/<list-id>` points to. Objects are
//! written straight into the object database and the ref is moved with a CAS on
//! the old tip; HEAD, the index, the working tree and branches are never touched.
//!
//! A [`Store`] is `Send + Sync`: it holds gix's thread-safe repository and
//! each operation works on a handle local to the calling thread, so an async
//! server can share one store between its tasks.

pub mod history;
mod loose;
pub mod transact;

use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;

pub use crate::domain::model::new_list_id;
use crate::domain::model::{ModelError, STATE_FILE, TaskList, is_uuid};
use crate::domain::op::OpError;
use crate::util::text::{escape, one_line};

pub use history::LogEntry;
pub use transact::{Committed, ExtraFiles, Files, no_files};

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

/// Why a repository could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum NotARepo {
    /// The starting directory does not exist.
    #[error("no such directory")]
    NoDirectory,
    /// No `.git` at or above the starting directory.
    #[error("no .git found here or in any parent directory")]
    NotFound,
    /// The repository uses SHA-256 object ids.
    #[error("it uses SHA-256 object ids, which this build does not support")]
    Sha256,
    /// Anything else gix reported.
    #[error("{}", one_line(&.0.to_string()))]
    Other(#[source] BoxError),
}

/// What is wrong with a list that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The ref does not point to any object.
    #[error("the ref does not point to an object")]
    NoTarget,
    /// The ref cannot be peeled to an object.
    #[error("the ref cannot be resolved ({})", one_line(&.0.to_string()))]
    BadRef(#[source] BoxError),
    /// The ref points to something other than a commit.
    #[error("the ref points to a {0}, not a commit")]
    NotACommit(gix::object::Kind),
    /// The object the ref points to is missing or corrupt.
    #[error("the object cannot be read ({})", one_line(&.0.to_string()))]
    Missing(#[source] BoxError),
    /// A ref nested deeper than the namespace (lists sit directly under it).
    #[error("{0} is not a list: list refs sit directly under the namespace")]
    Nested(String),
    /// A ref directly under the namespace whose name is not a UUID.
    #[error("its name is not a list id (a UUID)")]
    NotAnId,
    /// A loose ref file whose content is not a ref.
    #[error("the ref file cannot be decoded")]
    BadRefFile,
    /// The tip commit is listed but cannot be read.
    #[error("the tip commit cannot be read")]
    MissingTip,
    /// The commit's tree cannot be read.
    #[error("its tree cannot be read ({})", one_line(&.0.to_string()))]
    Tree(#[source] BoxError),
    /// The tree has no `tasklist.toml`.
    #[error("its tree has no {STATE_FILE}")]
    NoStateFile,
    /// `tasklist.toml` is a tree, a link or a submodule.
    #[error("{STATE_FILE} is not a file")]
    StateNotAFile,
    /// The blob cannot be read.
    #[error("{STATE_FILE} cannot be read ({})", one_line(&.0.to_string()))]
    StateUnreadable(#[source] BoxError),
    /// The file is over [`MAX_STATE_BYTES`].
    #[error("{STATE_FILE} is {size} bytes, over the {limit} MiB limit", size = .0, limit = MAX_STATE_BYTES >> 20)]
    TooBig(u64),
    /// The file is not UTF-8.
    #[error("{STATE_FILE} is not UTF-8")]
    NotUtf8,
    /// The file does not parse or holds invalid values.
    #[error("{}", format_problem(.0))]
    Format(#[source] ModelError),
    /// Another file of the tree (such as `HANDOFF.md`) cannot be used.
    #[error("{name} {what}")]
    File {
        /// The file.
        name: String,
        /// What is wrong with it.
        what: String,
    },
    /// The file's id is not the ref's name.
    #[error("{STATE_FILE} says id = \"{found}\" but the ref is named {expected}")]
    IdMismatch {
        /// The id in the file.
        found: String,
        /// The ref's last component.
        expected: String,
    },
}

fn format_problem(e: &ModelError) -> String {
    match e {
        ModelError::NewerFormat { .. } => e.to_string(),
        e => format!("{STATE_FILE}: {e}"),
    }
}

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No repository at or above the given path.
    #[error("Not a git repository: {} ({reason})", path.display())]
    NotARepo {
        /// Where discovery started.
        path: PathBuf,
        /// Why it failed.
        #[source]
        reason: NotARepo,
    },
    /// An id prefix shorter than [`MIN_PREFIX`] characters.
    #[error("Task list prefix '{0}' is too short; give at least 4 characters of the id")]
    PrefixTooShort(String),
    /// No list matches.
    #[error("Task list '{0}' not found")]
    ListNotFound(String),
    /// More than one list matches.
    #[error("Task list '{query}' is ambiguous; it matches {}", candidates.join(", "))]
    Ambiguous {
        /// What was asked for.
        query: String,
        /// `<id> (<title>)` of each match.
        candidates: Vec<String>,
    },
    /// The ref holds something that is not a readable list.
    #[error("Task list {list} at commit {commit} is unreadable: {}", escape(&problem.to_string()))]
    Unreadable {
        /// The list id (the ref's last component).
        list: String,
        /// The commit (or object) the ref points to, abbreviated.
        commit: String,
        /// What is wrong.
        #[source]
        problem: Problem,
    },
    /// The op does not fit the list.
    #[error(transparent)]
    Op(#[from] OpError),
    /// A lock file blocks the ref update.
    #[error("Reference lock {} is held{}; if no git or git-tasklist process is running, delete it", path.display(), if *stale { " by a process that seems to be gone" } else { "" })]
    LockHeld {
        /// The lock file.
        path: PathBuf,
        /// Whether the lock is old enough to be stale.
        stale: bool,
    },
    /// The ref is something a write cannot compare-and-swap: a symbolic
    /// ref or an annotated tag (reads peel through both).
    #[error(
        "Task list {list} cannot be changed: its ref {reference} is {what}; only a ref that points straight at a commit can be written"
    )]
    OddRef {
        /// The list id.
        list: String,
        /// The ref.
        reference: String,
        /// What it is instead.
        what: String,
    },
    /// Another sync holds the repository's sync lock.
    #[error(
        "Another sync is running in this repository (lock file {}); if no git-tasklist process is running, delete it",
        path.display()
    )]
    SyncRunning {
        /// The lock file.
        path: PathBuf,
    },
    /// Lost the race too often.
    #[error(
        "Task list {list} changed under {attempts} consecutive attempts to update it; try again"
    )]
    RaceLost {
        /// The list id.
        list: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The change would make the state file larger than the store reads.
    #[error("The change would make task list {list} {bytes} bytes, over the {} MiB limit; nothing was written", MAX_STATE_BYTES >> 20)]
    TooLarge {
        /// The list id.
        list: String,
        /// The size the file would have had.
        bytes: usize,
    },
    /// The repository keeps its refs in a format this build cannot write.
    #[error(
        "{0} uses the reftable ref format, which git-tasklist does not support yet; use a repository with the files ref format"
    )]
    Reftable(String),
    /// The namespace is not a usable ref prefix.
    #[error(
        "Namespace '{0}' is not valid; use a ref prefix such as refs/tasklists, outside the namespaces git manages itself"
    )]
    BadNamespace(String),
    /// Computing a file for the commit (e.g. rendering `HANDOFF.md`) failed.
    #[error("{}", one_line(&.0.to_string()))]
    Render(#[source] BoxError),
    /// Any other git failure.
    #[error("Git failed while {context}: {}", cause_chain(source.as_ref()))]
    Git {
        /// What the store was doing.
        context: String,
        /// The error gix reported.
        #[source]
        source: BoxError,
    },
}

/// Result alias for store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// An error and its sources on one line, `outer: inner: …`, without repeats.
fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![one_line(&e.to_string())];
    let mut next = e.source();
    while let Some(s) = next {
        let text = one_line(&s.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = s.source();
    }
    parts.join(": ")
}

pub(crate) fn git_err(
    context: impl Into<String>,
    e: impl std::error::Error + Send + Sync + 'static,
) -> StoreError {
    StoreError::Git { context: context.into(), source: Box::new(e) }
}

/// Bytes of recently read objects a handle keeps: a command reads the tip
/// commit, its tree and the state more than once.
const OBJECT_CACHE: usize = 1 << 20;

fn with_cache(mut repo: gix::Repository) -> gix::Repository {
    repo.object_cache_size_if_unset(OBJECT_CACHE);
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

/// A list as read from its tip.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The state.
    pub list: TaskList,
    /// The commit the ref points to.
    pub tip: ObjectId,
}

/// One entry of [`Store::list_all`]: a readable list or why it is not.
#[derive(Debug)]
pub struct ListEntry {
    /// The ref's last component.
    pub id: String,
    /// The list, or the error reading it.
    pub result: StoreResult<Snapshot>,
}

/// An open repository plus the namespace the lists live in.
pub struct Store {
    repo: gix::ThreadSafeRepository,
    /// Thread-local handles not in use, kept so that their caches (the
    /// object database's index of packs, recently read objects) serve the
    /// next call instead of being built again.
    pool: std::sync::Mutex<Vec<gix::Repository>>,
    namespace: String,
    git_dir: PathBuf,
    common_dir: PathBuf,
    objects_dir: PathBuf,
    workdir: Option<PathBuf>,
    recent: Recent,
    /// Commits this process wrote: housekeeping is checked on the first
    /// and then every few (see `maybe_gc`).
    writes: std::sync::atomic::AtomicU64,
    /// The author's and the committer's name and address, once looked up.
    identities: [std::sync::OnceLock<(String, String)>; 2],
}

/// Lists this process wrote lately, by commit, most recent last: a
/// long-lived process (the MCP server) takes the state it has just written
/// from here on its next read or change instead of reading three objects
/// and parsing the TOML again. Reads do not add to it (a `list` would clone
/// every list for nothing). A commit never changes, so an entry never goes
/// stale; a list of another id in the same commit is never taken.
#[derive(Default)]
struct Recent(std::sync::Mutex<Vec<RecentList>>);

/// One entry of [`Recent`].
struct RecentList {
    commit: ObjectId,
    tree: ObjectId,
    /// The commit's root tree, decoded (`None` when a subtree was edited).
    tree_entries: Option<gix::objs::Tree>,
    list: TaskList,
}

/// Entries [`Recent`] keeps.
const RECENT_LISTS: usize = 4;
/// Lists with more tasks than this are not kept (a clone would cost more
/// than it saves, and memory stays small).
const RECENT_MAX_TASKS: usize = 2_000;

impl Recent {
    fn get(&self, id: &str, commit: ObjectId) -> Option<(TaskList, ObjectId)> {
        let entries = self.0.lock().ok()?;
        let hit = entries.iter().find(|e| e.commit == commit && e.list.id == id)?;
        Some((hit.list.clone(), hit.tree))
    }

    fn has_list(&self, id: &str) -> bool {
        self.0.lock().is_ok_and(|entries| entries.iter().any(|e| e.list.id == id))
    }

    fn has(&self, commit: &gix::oid) -> bool {
        self.0.lock().is_ok_and(|entries| entries.iter().any(|e| e.commit == commit))
    }

    fn tree(&self, tree: ObjectId) -> Option<gix::objs::Tree> {
        let entries = self.0.lock().ok()?;
        entries.iter().rev().find(|e| e.tree == tree).and_then(|e| e.tree_entries.clone())
    }

    fn put(
        &self,
        commit: ObjectId,
        tree: ObjectId,
        tree_entries: Option<gix::objs::Tree>,
        list: &TaskList,
    ) {
        if list.tasks.len() > RECENT_MAX_TASKS {
            return;
        }
        let Ok(mut entries) = self.0.lock() else { return };
        entries.retain(|e| e.commit != commit);
        if entries.len() >= RECENT_LISTS {
            entries.remove(0);
        }
        entries.push(RecentList { commit, tree, tree_entries, list: list.clone() });
    }
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
            debug_cause(&e);
            let shown = match (path, std::env::var_os("GIT_DIR")) {
                (None, Some(dir)) => PathBuf::from(dir),
                _ => start.clone(),
            };
            StoreError::NotARepo { path: shown.clone(), reason: why_not_a_repo(&shown, e) }
        })?;
        let local = repo.to_thread_local();
        let config = local.config_snapshot();
        let ref_format = config.string("extensions.refStorage");
        if ref_format.is_some_and(|f| f.eq_ignore_ascii_case(b"reftable")) {
            return Err(StoreError::Reftable(local.git_dir().display().to_string()));
        }
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
            pool,
            namespace,
            git_dir,
            common_dir,
            objects_dir,
            workdir,
            recent: Recent::default(),
            writes: Default::default(),
            identities: Default::default(),
        })
    }

    /// The same repository with the lists under another namespace (for
    /// example the remote-tracking copies `sync` fetches).
    pub fn with_namespace(&self, namespace: &str) -> StoreResult<Store> {
        Ok(Store {
            repo: self.repo.clone(),
            pool: std::sync::Mutex::new(Vec::new()),
            namespace: validate_namespace(namespace)?,
            git_dir: self.git_dir.clone(),
            common_dir: self.common_dir.clone(),
            objects_dir: self.objects_dir.clone(),
            workdir: self.workdir.clone(),
            recent: Recent::default(),
            writes: Default::default(),
            identities: Default::default(),
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
        let head = self.local().head_name().ok()??;
        let name = head.as_bstr().to_str().ok()?;
        Some(name.strip_prefix("refs/heads/").unwrap_or(name).to_string())
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

    /// The directory shared by all worktrees (refs and objects live here).
    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    /// Every name directly under the namespace with the commit its ref
    /// points to (`None` when it cannot be resolved), from the refs alone:
    /// no list is read. Names that are not list ids ([`is_uuid`]) are in
    /// here too, for a caller to report.
    pub fn list_tips(&self) -> StoreResult<Vec<(String, Option<ObjectId>)>> {
        let mut tips = self.refs_with_prefix(&self.local(), "", true)?;
        tips.sort();
        Ok(tips)
    }

    /// Refs directly under the namespace whose id starts with `prefix`, with
    /// their tips when `peel` (else `None`: names alone, nothing else read).
    fn refs_with_prefix(
        &self,
        repo: &gix::Repository,
        prefix: &str,
        peel: bool,
    ) -> StoreResult<Vec<(String, Option<ObjectId>)>> {
        let dir = format!("{}/", self.namespace);
        let full = format!("{dir}{prefix}");
        let platform = repo.references().map_err(|e| git_err("reading refs", e))?;
        let iter = platform.prefixed(full.as_str()).map_err(|e| git_err("reading refs", e))?;
        let mut out = Vec::new();
        for r in iter {
            let Ok(mut r) = r else { continue };
            let name = r.name().as_bstr().to_str_lossy().into_owned();
            // Only refs directly under the namespace are lists; deeper ones
            // belong to another namespace nested inside this one.
            let Some(id) = name.strip_prefix(&dir).filter(|id| !id.contains('/')) else {
                continue;
            };
            let id = id.to_string();
            let tip = if peel { r.peel_to_id().ok().map(|i| i.detach()) } else { None };
            out.push((id, tip));
        }
        Ok(out)
    }

    /// The full names of the refs under `prefix` (a directory such as
    /// `refs/tasklists-remote/`), with their tips; refs that cannot be
    /// peeled have `None`. Names only: nothing else is read.
    pub fn refs_under(&self, prefix: &str) -> StoreResult<Vec<(String, Option<ObjectId>)>> {
        let repo = self.local();
        let platform = repo.references().map_err(|e| git_err("reading refs", e))?;
        let iter = platform.prefixed(prefix).map_err(|e| git_err("reading refs", e))?;
        let mut out = Vec::new();
        for r in iter {
            let Ok(mut r) = r else { continue };
            let name = r.name().as_bstr().to_str_lossy().into_owned();
            out.push((name, r.peel_to_id().ok().map(|i| i.detach())));
        }
        out.sort();
        Ok(out)
    }

    /// A file of the tree of `commit` (for example `HANDOFF.md`), when it is
    /// there as a blob of at most `max` bytes of UTF-8; `None` when it is
    /// absent. Never reads more than `max` bytes into memory.
    pub fn file_at(
        &self,
        id: &str,
        commit: ObjectId,
        name: &str,
        max: u64,
    ) -> StoreResult<Option<String>> {
        let repo = self.local();
        let bad = |problem| unreadable(id, commit, problem);
        let c = repo.find_commit(commit).map_err(|e| bad(Problem::Missing(Box::new(e))))?;
        let tree = c.tree().map_err(|e| bad(Problem::Tree(Box::new(e))))?;
        let Some(entry) = tree.find_entry(name) else { return Ok(None) };
        if !entry.mode().is_blob() {
            return Ok(None);
        }
        let blob_id = entry.oid().to_owned();
        let file = |what: String| bad(Problem::File { name: name.to_string(), what });
        let header = repo
            .find_header(blob_id)
            .map_err(|e| file(format!("cannot be read ({})", one_line(&e.to_string()))))?;
        if header.size() > max {
            return Err(file(format!("is {} bytes, over the {max} byte limit", header.size())));
        }
        let mut blob = repo
            .find_blob(blob_id)
            .map_err(|e| file(format!("cannot be read ({})", one_line(&e.to_string()))))?;
        String::from_utf8(std::mem::take(&mut blob.data))
            .map(Some)
            .map_err(|_| file("is not UTF-8".into()))
    }

    /// Reads every list in the namespace, sorted by id; unreadable ones carry
    /// their error.
    pub fn list_all(&self) -> StoreResult<Vec<ListEntry>> {
        let repo = self.local();
        let dir = format!("{}/", self.namespace);
        let platform = repo.references().map_err(|e| git_err("reading refs", e))?;
        let iter = platform.prefixed(dir.as_str()).map_err(|e| git_err("reading refs", e))?;
        let none = |id: &str, problem| StoreError::Unreadable {
            list: escape(id),
            commit: "(none)".into(),
            problem,
        };
        let mut out: Vec<ListEntry> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in iter {
            // An undecodable loose ref is found below, by its file name.
            let Ok(mut r) = r else { continue };
            let name = r.name().as_bstr().to_str_lossy().into_owned();
            let Some(id) = name.strip_prefix(&dir) else { continue };
            let id = id.to_string();
            seen.insert(id.clone());
            let result = if let Some((_, last)) = id.rsplit_once('/') {
                // A list of a namespace nested in this one is that
                // namespace's business; anything else down there is reported.
                let tip = r.peel_to_id().ok().map(|t| t.detach());
                let nested_list =
                    is_uuid(last) && tip.is_some_and(|t| self.read_with(&repo, last, t).is_ok());
                if nested_list {
                    continue;
                }
                Err(none(&id, Problem::Nested(name.clone())))
            } else {
                match r.peel_to_id() {
                    Ok(tip) if !is_uuid(&id) => {
                        Err(unreadable(&id, tip.detach(), Problem::NotAnId))
                    }
                    Ok(tip) => self.read_with(&repo, &id, tip.detach()),
                    Err(e) => Err(none(&id, Problem::BadRef(Box::new(e)))),
                }
            };
            out.push(ListEntry { id, result });
        }
        if let Ok(entries) = std::fs::read_dir(self.common_dir.join(&self.namespace)) {
            for e in entries.flatten() {
                let Some(name) = e.file_name().to_str().map(String::from) else { continue };
                let is_file = e.file_type().is_ok_and(|t| t.is_file());
                if is_file && !name.ends_with(".lock") && !seen.contains(&name) {
                    out.push(ListEntry { result: Err(none(&name, Problem::BadRefFile)), id: name });
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Resolves what a user typed to a list id, trying in order: a full id,
    /// a unique id prefix of at least [`MIN_PREFIX`] characters (matched
    /// against ref names alone), an exact title (read only when no id matches).
    pub fn resolve(&self, query: &str) -> StoreResult<String> {
        let q = query.trim();
        if q.is_empty() {
            return Err(StoreError::ListNotFound(String::new()));
        }
        let repo = self.local();
        // A list this process wrote lately exists: no ref read.
        if is_uuid(q) && (self.recent.has_list(q) || self.ref_exists(&repo, q)?) {
            return Ok(q.to_string());
        }
        let lower = q.to_ascii_lowercase();
        let id_like = lower.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        if id_like && q.len() >= MIN_PREFIX {
            let hits = self.ids_with_prefix(&repo, &lower)?;
            match hits.len() {
                1 => return Ok(hits.into_iter().next().unwrap_or_default()),
                0 => {}
                _ => {
                    return Err(StoreError::Ambiguous {
                        query: escape(query),
                        candidates: hits.iter().map(|id| self.describe(&repo, id)).collect(),
                    });
                }
            }
        }
        let mut hits: Vec<String> = Vec::new();
        for (id, tip) in self.refs_with_prefix(&repo, "", true)? {
            let Some(tip) = tip.filter(|_| is_uuid(&id)) else { continue };
            if self.read_with(&repo, &id, tip).is_ok_and(|s| s.list.title == query) {
                hits.push(id);
            }
        }
        match hits.len() {
            1 => Ok(hits.remove(0)),
            0 if id_like
                && q.len() < MIN_PREFIX
                && !self.ids_with_prefix(&repo, &lower)?.is_empty() =>
            {
                Err(StoreError::PrefixTooShort(escape(query)))
            }
            0 => Err(StoreError::ListNotFound(escape(query))),
            _ => {
                hits.sort();
                Err(StoreError::Ambiguous {
                    query: escape(query),
                    candidates: hits.iter().map(|id| self.describe(&repo, id)).collect(),
                })
            }
        }
    }

    /// Ids of the lists whose id starts with `prefix`, from ref names alone:
    /// the entries of the namespace's loose-ref directory (names only, no
    /// file is opened) and a binary search of `packed-refs`. At 10,000 lists
    /// this costs a directory listing, where iterating refs reads every file.
    fn ids_with_prefix(
        &self,
        repo: &gix::Repository,
        prefix: &str,
    ) -> StoreResult<std::collections::BTreeSet<String>> {
        let mut ids = std::collections::BTreeSet::new();
        let dir = self.common_dir.join(&self.namespace);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name();
                let Some(name) = name.to_str() else { continue };
                let is_file = e.file_type().is_ok_and(|t| t.is_file());
                if is_file && name.starts_with(prefix) && is_uuid(name) {
                    ids.insert(name.to_string());
                }
            }
        }
        let packed =
            repo.refs.cached_packed_buffer().map_err(|e| git_err("reading packed refs", e))?;
        if let Some(packed) = packed {
            let full = format!("{}/{prefix}", self.namespace);
            let iter = packed
                .iter_prefixed(full.clone().into())
                .map_err(|e| git_err("reading packed refs", e))?;
            let dir = format!("{}/", self.namespace);
            for r in iter.flatten() {
                let name = r.name.as_bstr().to_str_lossy();
                if let Some(id) = name.strip_prefix(&dir).filter(|id| is_uuid(id)) {
                    ids.insert(id.to_string());
                }
            }
        }
        Ok(ids)
    }

    fn describe(&self, repo: &gix::Repository, id: &str) -> String {
        let snap =
            self.tip_with(repo, id).ok().flatten().and_then(|t| self.read_with(repo, id, t).ok());
        match snap {
            Some(s) => format!("{id} ({})", escape(&s.list.title)),
            None => id.to_string(),
        }
    }

    /// The tip commit of a list, if its ref exists.
    pub fn tip(&self, id: &str) -> StoreResult<Option<ObjectId>> {
        self.tip_with(&self.local(), id)
    }

    /// Whether list `id` has a ref, read without peeling it (which would
    /// read the object it points to: a reader does that next anyway).
    fn ref_exists(&self, repo: &gix::Repository, id: &str) -> StoreResult<bool> {
        let name = self.ref_name(id);
        let r = repo.try_find_reference(name.as_str()).map_err(|e| git_err("reading a ref", e))?;
        Ok(r.is_some())
    }

    pub(crate) fn tip_with(
        &self,
        repo: &gix::Repository,
        id: &str,
    ) -> StoreResult<Option<ObjectId>> {
        let name = self.ref_name(id);
        let r = repo.try_find_reference(name.as_str()).map_err(|e| git_err("reading a ref", e))?;
        match r {
            None => Ok(None),
            // A commit this process wrote needs no peeling (which
            // would read it to see whether it is a tag).
            Some(r) if r.target().try_id().is_some_and(|oid| self.recent.has(oid)) => {
                Ok(r.target().try_id().map(|oid| oid.to_owned()))
            }
            Some(mut r) => {
                r.peel_to_id().map(|i| Some(i.detach())).map_err(|e| StoreError::Unreadable {
                    list: escape(id),
                    commit: "(none)".into(),
                    problem: Problem::BadRef(Box::new(e)),
                })
            }
        }
    }

    /// The object a list's ref points straight at, for a write: a symbolic
    /// ref is refused by name (a compare-and-swap on what it leads to could
    /// never succeed); so is an annotated tag, when [`load`] finds one.
    pub(crate) fn write_tip(
        &self,
        repo: &gix::Repository,
        id: &str,
    ) -> StoreResult<Option<ObjectId>> {
        let name = self.ref_name(id);
        let Some(r) =
            repo.try_find_reference(name.as_str()).map_err(|e| git_err("reading a ref", e))?
        else {
            return Ok(None);
        };
        let odd =
            |what: String| StoreError::OddRef { list: escape(id), reference: name.clone(), what };
        let target = match r.target() {
            gix::refs::TargetRef::Symbolic(to) => {
                return Err(odd(format!(
                    "a symbolic ref (to {})",
                    escape(&to.as_bstr().to_str_lossy())
                )));
            }
            gix::refs::TargetRef::Object(oid) => oid.to_owned(),
        };
        Ok(Some(target))
    }

    /// Reads a list's current state from its tip (never walks history).
    pub fn read(&self, id: &str) -> StoreResult<Snapshot> {
        let repo = self.local();
        let tip = self.tip_with(&repo, id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        self.read_with(&repo, id, tip)
    }

    /// Reads the list stored in commit `commit`.
    pub fn read_at(&self, id: &str, commit: ObjectId) -> StoreResult<Snapshot> {
        self.read_with(&self.local(), id, commit)
    }

    pub(crate) fn read_with(
        &self,
        repo: &gix::Repository,
        id: &str,
        commit: ObjectId,
    ) -> StoreResult<Snapshot> {
        self.load(repo, id, commit).map(|(snap, _)| snap)
    }

    /// [`load`], served from the lists this process wrote last when
    /// `commit` is one of them.
    pub(crate) fn load(
        &self,
        repo: &gix::Repository,
        id: &str,
        commit: ObjectId,
    ) -> StoreResult<(Snapshot, ObjectId)> {
        if let Some((list, tree)) = self.recent.get(id, commit) {
            return Ok((Snapshot { list, tip: commit }, tree));
        }
        load(repo, id, commit)
    }

    /// Remembers the list just written in `commit`, with its root tree
    /// (see [`Recent`]).
    pub(crate) fn remember(
        &self,
        commit: ObjectId,
        tree: ObjectId,
        tree_entries: Option<gix::objs::Tree>,
        list: &TaskList,
    ) {
        self.recent.put(commit, tree, tree_entries, list);
    }

    /// The root tree `tree`, if this process wrote it lately.
    pub(crate) fn recent_tree(&self, tree: ObjectId) -> Option<gix::objs::Tree> {
        self.recent.tree(tree)
    }
}

/// The file `sync` holds while it runs, in the common git directory.
pub const SYNC_LOCK: &str = "tasklist-sync.lock";

/// The repository's sync lock (see [`Store::lock_sync`]); released when
/// dropped, and removed when a signal ends the process.
#[derive(Debug)]
pub struct SyncLock {
    _file: crate::util::interrupt::LockFile,
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
            match crate::util::interrupt::LockFile::create(&path) {
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

/// Reads the list in `commit` plus the commit's tree id, which a write edits.
pub(crate) fn load(
    repo: &gix::Repository,
    id: &str,
    commit: ObjectId,
) -> StoreResult<(Snapshot, ObjectId)> {
    let state = repo.find_commit(commit).map_err(|e| Problem::Missing(Box::new(e))).and_then(|c| {
        let tree = c.tree_id().map_err(|e| Problem::Tree(Box::new(e)))?;
        Ok((commit_state(repo, id, &c)?, tree.detach()))
    });
    match state {
        Ok((list, tree)) => Ok((Snapshot { list, tip: commit }, tree)),
        Err(Problem::Missing(e)) => {
            let problem = match repo.find_header(commit) {
                Ok(h) => Problem::NotACommit(h.kind()),
                Err(_) => Problem::Missing(e),
            };
            Err(unreadable(id, commit, problem))
        }
        Err(problem) => Err(unreadable(id, commit, problem)),
    }
}

pub(crate) fn unreadable(id: &str, commit: ObjectId, problem: Problem) -> StoreError {
    StoreError::Unreadable {
        list: escape(id),
        commit: commit.to_hex_with_len(12).to_string(),
        problem,
    }
}

/// The list stored in a commit's tree, or what is wrong with it.
pub(crate) fn commit_state(
    repo: &gix::Repository,
    id: &str,
    commit: &gix::Commit<'_>,
) -> Result<TaskList, Problem> {
    let text = state_text(repo, commit)?;
    let list = TaskList::from_toml(&text).map_err(Problem::Format)?;
    if list.id != id {
        return Err(Problem::IdMismatch { found: list.id, expected: id.to_string() });
    }
    Ok(list)
}

/// The raw `tasklist.toml` of a commit, size-checked before it is loaded.
fn state_text(repo: &gix::Repository, commit: &gix::Commit<'_>) -> Result<String, Problem> {
    let tree = commit.tree().map_err(|e| Problem::Tree(Box::new(e)))?;
    let entry = tree.find_entry(STATE_FILE).ok_or(Problem::NoStateFile)?;
    if !entry.mode().is_blob() {
        return Err(Problem::StateNotAFile);
    }
    let blob_id = entry.oid().to_owned();
    let header = repo.find_header(blob_id).map_err(|e| Problem::StateUnreadable(Box::new(e)))?;
    if header.size() > MAX_STATE_BYTES {
        return Err(Problem::TooBig(header.size()));
    }
    let mut blob = repo.find_blob(blob_id).map_err(|e| Problem::StateUnreadable(Box::new(e)))?;
    String::from_utf8(std::mem::take(&mut blob.data)).map_err(|_| Problem::NotUtf8)
}

/// Why discovery failed, told from what is on disk rather than from the
/// wording of gix's error: a `.git` that declares SHA-256 object ids, no
/// `.git` at all, or whatever else gix reported.
fn why_not_a_repo(start: &Path, e: gix::Error) -> NotARepo {
    let Ok((found, _trust)) = gix::discover::upwards(start) else {
        return NotARepo::NotFound;
    };
    let (git_dir, _) = found.into_repository_and_work_tree_directories();
    let config = gix::config::File::from_path_no_includes(
        git_dir.join("config"),
        gix::config::Source::Local,
    );
    let sha256 = config.ok().is_some_and(|c| {
        c.string("extensions.objectFormat").is_some_and(|f| f.eq_ignore_ascii_case(b"sha256"))
    });
    if sha256 {
        NotARepo::Sha256
    } else if e.is_not_found() {
        NotARepo::NotFound
    } else {
        NotARepo::Other(Box::new(e))
    }
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
        && gix::refs::FullName::try_from(format!("{trimmed}/x").as_str()).is_ok()
        && !trimmed.split('/').any(|c| c.is_empty());
    if valid { Ok(trimmed.to_string()) } else { Err(StoreError::BadNamespace(escape(ns))) }
}

/// With `GIT_TASKLIST_DEBUG` set, prints an error's full cause chain, which
/// the one-line message leaves out.
fn debug_cause(e: &dyn std::fmt::Debug) {
    if std::env::var_os("GIT_TASKLIST_DEBUG").is_some() {
        eprintln!("debug: {e:?}");
    }
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
