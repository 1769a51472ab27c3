//! The only module that touches git: open a repository, read a list's tip,
//! write one commit per change with compare-and-swap, and walk history.
//!
//! Layout: each list is `tasklist.toml` (plus any other files, which are kept)
//! in the tree of the commit that `<namespace>/<list-id>` points to. Objects are
//! written straight into the object database and the ref is moved with a CAS on
//! the old tip; HEAD, the index, the working tree and branches are never touched.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::refs::Target;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use crate::model::{self, ModelError, STATE_FILE, TaskList, escape, one_line};
use crate::op::{self, Applied, Ctx, Op, OpError};

/// The namespace used when none is configured.
pub const DEFAULT_NAMESPACE: &str = "refs/tasklists";
/// Git config key that overrides [`DEFAULT_NAMESPACE`].
pub const NAMESPACE_CONFIG_KEY: &str = "tasklist.namespace";
/// Environment variable that overrides the git config key.
pub const NAMESPACE_ENV: &str = "GIT_TASKLIST_NAMESPACE";

/// Largest `tasklist.toml` the store will read; anything bigger is refused unread.
pub const MAX_STATE_BYTES: u64 = 8 << 20;

/// Name and email used when git has no identity configured.
pub const FALLBACK_IDENTITY: (&str, &str) = ("git-tasklist", "git-tasklist@localhost");

/// Attempts at one write before giving up. Under 8 concurrent writers a commit
/// needs about two attempts on average, and each lost race means another writer
/// made progress, so 64 attempts with jittered backoff make a refusal
/// practically impossible while still bounding a pathological livelock.
const MAX_ATTEMPTS: u32 = 64;
/// Longest backoff between attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(40);
/// Longest time spent waiting for busy ref locks before naming the lock
/// (each attempt already waits `core.filesRefLockTimeout`, 100 ms by default).
const MAX_LOCK_WAIT: Duration = Duration::from_secs(3);
/// A lock file older than this is taken to be left by a killed process.
const STALE_LOCK_AGE: Duration = Duration::from_secs(10);
/// Loose-object threshold git uses when `gc.auto` is unset.
const DEFAULT_GC_AUTO: i64 = 6700;

/// Files (path, content) to put beside `tasklist.toml` in a commit's tree.
pub type Files = Vec<(String, Vec<u8>)>;

/// Computes extra files for a commit's tree from the new state; an error
/// aborts the write.
pub type ExtraFiles<'a> = &'a dyn Fn(&TaskList) -> Result<Files, String>;

/// No extra files.
pub fn no_files(_: &TaskList) -> Result<Files, String> {
    Ok(Vec::new())
}

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No repository at or above the given path.
    #[error("Not a git repository: {path} ({cause})")]
    NotARepo {
        /// Where discovery started.
        path: PathBuf,
        /// Why it failed.
        cause: String,
    },
    /// An id prefix shorter than 4 characters.
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
    #[error("Task list {list} at commit {commit} is unreadable: {}", escape(problem))]
    Unreadable {
        /// The list id (the ref's last component).
        list: String,
        /// The commit (or object) the ref points to.
        commit: String,
        /// What is wrong.
        problem: String,
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
    #[error("Namespace '{0}' is not valid; use a ref prefix such as refs/tasklists")]
    BadNamespace(String),
    /// Rendering a file for the commit failed.
    #[error("{0}")]
    Render(String),
    /// Any other git failure.
    #[error("Git failed: {0}")]
    Git(String),
}

/// Result alias for store operations.
pub type StoreResult<T> = Result<T, StoreError>;

fn git_err(context: &str, e: impl std::fmt::Debug + std::fmt::Display) -> StoreError {
    StoreError::Git(format!("{context}: {}", one_line(&e.to_string())))
}

/// A list as read from its tip.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The state.
    pub list: TaskList,
    /// The commit the ref points to.
    pub tip: ObjectId,
}

/// The outcome of a transaction.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The state after the op.
    pub list: TaskList,
    /// The ref's tip afterwards (the new commit, or the old tip when unchanged).
    pub tip: ObjectId,
    /// Whether a commit was written.
    pub changed: bool,
    /// Lost races before the write landed.
    pub retries: u32,
    /// The state the op was applied to (None for a create).
    pub before: Option<TaskList>,
}

/// One entry of a list's history.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The commit id.
    pub commit: ObjectId,
    /// Committer time (seconds since the epoch).
    pub time: i64,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// The commit subject.
    pub subject: String,
    /// The `Op:` trailer, if present.
    pub op: Option<String>,
    /// The `Session:` trailer, if present.
    pub session: Option<String>,
    /// Every trailer, in order.
    pub trailers: Vec<(String, String)>,
    /// Parent commits (two or more for merges).
    pub parents: Vec<ObjectId>,
}

/// One entry of `list`: a readable list or why it is not.
#[derive(Debug)]
pub struct ListEntry {
    /// The ref's last component.
    pub id: String,
    /// The list, or the error reading it.
    pub result: StoreResult<Snapshot>,
}

/// An open repository plus the namespace the lists live in.
pub struct Store {
    repo: gix::Repository,
    namespace: String,
}

impl Store {
    /// Discovers the repository at or above `path` (default: the current
    /// directory) and settles the namespace: `namespace`, else the
    /// `GIT_TASKLIST_NAMESPACE` variable, else git config `tasklist.namespace`,
    /// else `refs/tasklists`.
    pub fn open(path: Option<&Path>, namespace: Option<&str>) -> StoreResult<Store> {
        let start = path.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        if !start.exists() {
            return Err(StoreError::NotARepo { path: start, cause: "no such directory".into() });
        }
        // Without --repo, honour GIT_DIR (and GIT_WORK_TREE, GIT_CEILING_DIRECTORIES …)
        // like git does: git hooks run with GIT_DIR set to the repository they
        // act on. An explicit --repo wins.
        let found = match path {
            Some(_) => gix::discover(&start),
            None => gix::discover_with_environment_overrides(&start),
        };
        let repo = found.map_err(|e| {
            debug_cause(&e);
            let shown = match (path, std::env::var_os("GIT_DIR")) {
                (None, Some(dir)) => PathBuf::from(dir),
                _ => start.clone(),
            };
            let text = e.to_string();
            let chain = format!("{e:?}").to_ascii_lowercase();
            let cause = if chain.contains("sha256") {
                "it uses SHA-256 object ids, which this build does not support".to_string()
            } else if e.is_not_found() || text.contains("not a git repository") {
                "no .git found here or in any parent directory".to_string()
            } else {
                one_line(&text)
            };
            StoreError::NotARepo { path: shown, cause }
        })?;
        let ref_format = repo.config_snapshot().string("extensions.refStorage");
        if ref_format.is_some_and(|f| f.eq_ignore_ascii_case(b"reftable")) {
            return Err(StoreError::Reftable(repo.git_dir().display().to_string()));
        }
        let from_env = std::env::var(NAMESPACE_ENV).ok().filter(|s| !s.is_empty());
        let from_config = repo
            .config_snapshot()
            .string(NAMESPACE_CONFIG_KEY)
            .map(|s| s.to_str_lossy().into_owned());
        let ns = namespace
            .map(String::from)
            .or(from_env)
            .or(from_config)
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
        let ns = validate_namespace(&ns)?;
        Ok(Store { repo, namespace: ns })
    }

    /// Opens the repository at `git_dir` directly (no discovery) with a
    /// namespace already settled: for helper threads of an open store.
    pub fn open_git_dir(git_dir: &Path, namespace: &str) -> StoreResult<Store> {
        let repo = gix::open(git_dir).map_err(|e| git_err("opening repository", e))?;
        Ok(Store { repo, namespace: namespace.to_string() })
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
        self.repo.workdir()
    }

    /// The repository's git directory (per worktree).
    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// Ids of every ref directly under the namespace, with their tips (unsorted).
    pub fn list_refs(&self) -> StoreResult<Vec<(String, Option<ObjectId>)>> {
        let prefix = format!("{}/", self.namespace);
        let platform = self.repo.references().map_err(|e| git_err("reading refs", e))?;
        let iter = platform.prefixed(prefix.as_str()).map_err(|e| git_err("reading refs", e))?;
        let mut out = Vec::new();
        for r in iter {
            let Ok(mut r) = r else { continue };
            let name = r.name().as_bstr().to_str_lossy().into_owned();
            // Only refs directly under the namespace are lists; deeper ones
            // belong to another namespace nested inside this one.
            let Some(id) = name.strip_prefix(&prefix).filter(|id| !id.contains('/')) else {
                continue;
            };
            let id = id.to_string();
            let tip = r.peel_to_id().ok().map(|i| i.detach());
            out.push((id, tip));
        }
        Ok(out)
    }

    /// Reads every list in the namespace; unreadable ones carry their error.
    pub fn list_all(&self) -> StoreResult<Vec<ListEntry>> {
        let mut out: Vec<ListEntry> = self
            .list_refs()?
            .into_iter()
            .map(|(id, tip)| {
                let result = match tip {
                    Some(tip) => self.read_at(&id, tip),
                    None => Err(StoreError::Unreadable {
                        list: id.clone(),
                        commit: "(none)".into(),
                        problem: "the ref does not point to an object".into(),
                    }),
                };
                ListEntry { id, result }
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Resolves a full id, a unique id prefix (at least 4 characters) or an
    /// exact title to a list id.
    pub fn resolve(&self, query: &str) -> StoreResult<String> {
        let query_trim = query.trim();
        if query_trim.is_empty() {
            return Err(StoreError::ListNotFound(String::new()));
        }
        if is_uuid(query_trim) && self.tip(query_trim)?.is_some() {
            return Ok(query_trim.to_string());
        }
        let refs = self.list_refs()?;
        let lower = query_trim.to_ascii_lowercase();
        let short_prefix =
            query_trim.len() < 4 && refs.iter().any(|(id, _)| id.starts_with(&lower));
        if query_trim.len() >= 4 {
            let hits: Vec<&String> =
                refs.iter().map(|(id, _)| id).filter(|id| id.starts_with(&lower)).collect();
            match hits.len() {
                1 => return Ok(hits[0].clone()),
                0 => {}
                _ => {
                    return Err(StoreError::Ambiguous {
                        query: escape(query),
                        candidates: hits.iter().map(|id| self.describe(id)).collect(),
                    });
                }
            }
        }
        let mut hits: Vec<String> = Vec::new();
        for (id, tip) in &refs {
            let Some(tip) = tip else { continue };
            if let Ok(s) = self.read_at(id, *tip) {
                if s.list.title == query {
                    hits.push(id.clone());
                }
            }
        }
        match hits.len() {
            1 => Ok(hits.remove(0)),
            0 if short_prefix => Err(StoreError::PrefixTooShort(escape(query))),
            0 => Err(StoreError::ListNotFound(escape(query))),
            _ => {
                hits.sort();
                Err(StoreError::Ambiguous {
                    query: escape(query),
                    candidates: hits.iter().map(|id| self.describe(id)).collect(),
                })
            }
        }
    }

    fn describe(&self, id: &str) -> String {
        match self.read(id) {
            Ok(s) => format!("{id} ({})", escape(&s.list.title)),
            Err(_) => id.to_string(),
        }
    }

    /// The tip commit of a list, if its ref exists.
    pub fn tip(&self, id: &str) -> StoreResult<Option<ObjectId>> {
        let name = self.ref_name(id);
        let r =
            self.repo.try_find_reference(name.as_str()).map_err(|e| git_err("reading ref", e))?;
        match r {
            None => Ok(None),
            Some(mut r) => {
                r.peel_to_id().map(|i| Some(i.detach())).map_err(|e| StoreError::Unreadable {
                    list: id.to_string(),
                    commit: "(none)".into(),
                    problem: format!("the ref cannot be resolved ({e})"),
                })
            }
        }
    }

    /// Reads a list's current state from its tip (never walks history).
    pub fn read(&self, id: &str) -> StoreResult<Snapshot> {
        let tip = self.tip(id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        self.read_at(id, tip)
    }

    /// Reads the list stored in commit `commit`.
    pub fn read_at(&self, id: &str, commit: ObjectId) -> StoreResult<Snapshot> {
        self.load(id, commit).map(|(snap, _)| snap)
    }

    /// [`Store::read_at`] plus the commit's tree id, which a write edits.
    fn load(&self, id: &str, commit: ObjectId) -> StoreResult<(Snapshot, ObjectId)> {
        let state = self
            .repo
            .find_commit(commit)
            .map_err(|_| "the ref does not point to a commit".to_string())
            .and_then(|c| {
                let tree = c.tree_id().map_err(|e| format!("its tree cannot be read ({e})"))?;
                Ok((self.commit_state(id, &c)?, tree.detach()))
            });
        match state {
            Ok((list, tree)) => Ok((Snapshot { list, tip: commit }, tree)),
            Err(problem) => Err(StoreError::Unreadable {
                list: escape(id),
                commit: commit.to_hex_with_len(12).to_string(),
                problem,
            }),
        }
    }

    /// The list stored in a commit's tree, or what is wrong with it.
    fn commit_state(&self, id: &str, commit: &gix::Commit<'_>) -> Result<TaskList, String> {
        let text = self.state_text(commit)?;
        let list = TaskList::from_toml(&text).map_err(|e| match e {
            ModelError::NewerFormat { .. } => e.to_string(),
            e => format!("{STATE_FILE}: {e}"),
        })?;
        if list.id != id {
            return Err(format!(
                "{STATE_FILE} says id = \"{}\" but the ref is named {id}",
                escape(&list.id)
            ));
        }
        Ok(list)
    }

    /// The raw `tasklist.toml` of a commit, size-checked before it is loaded.
    fn state_text(&self, commit: &gix::Commit<'_>) -> Result<String, String> {
        let tree = commit.tree().map_err(|e| format!("its tree cannot be read ({e})"))?;
        let entry =
            tree.find_entry(STATE_FILE).ok_or_else(|| format!("its tree has no {STATE_FILE}"))?;
        if !entry.mode().is_blob() {
            return Err(format!("{STATE_FILE} is not a file"));
        }
        let blob_id = entry.oid().to_owned();
        let header = self
            .repo
            .find_header(blob_id)
            .map_err(|e| format!("{STATE_FILE} cannot be read ({e})"))?;
        if header.size() > MAX_STATE_BYTES {
            return Err(format!(
                "{STATE_FILE} is {} bytes, over the {} MiB limit",
                header.size(),
                MAX_STATE_BYTES >> 20
            ));
        }
        let mut blob = self
            .repo
            .find_blob(blob_id)
            .map_err(|e| format!("{STATE_FILE} cannot be read ({e})"))?;
        String::from_utf8(std::mem::take(&mut blob.data))
            .map_err(|_| format!("{STATE_FILE} is not UTF-8"))
    }

    /// The one write path: read the tip, apply `op`, write blob → tree →
    /// commit, and move the ref with a compare-and-swap; on a lost race,
    /// re-read and re-apply on the new tip. `extra_files` computes further
    /// files for the commit's tree from the new state (e.g. `HANDOFF.md`).
    pub fn transact(
        &self,
        id: &str,
        op: &Op,
        session: Option<&str>,
        extra_files: ExtraFiles<'_>,
    ) -> StoreResult<Committed> {
        let name = self.ref_name(id);
        let is_create = matches!(op, Op::Create { .. });
        let started = std::time::Instant::now();
        let mut rng = Jitter::new();
        for attempt in 0..MAX_ATTEMPTS {
            let ctx = Ctx { session: session.map(String::from), now: model::now(), tip: None };
            let (before, parent, base_tree) = if is_create {
                if self.tip(id)?.is_some() {
                    return Err(OpError::Conflict(format!("Task list {id} already exists")).into());
                }
                (None, None, ObjectId::empty_tree(self.repo.object_hash()))
            } else {
                let tip = self.tip(id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
                let (snap, tree) = self.load(id, tip)?;
                (Some(snap.list), Some(tip), tree)
            };
            let ctx = Ctx { tip: parent.map(|p| p.to_string()), ..ctx };
            let applied = op::apply(before.as_ref(), op, &ctx)?;
            if !applied.changed {
                return Ok(Committed {
                    list: applied.list,
                    tip: parent.unwrap_or_else(|| ObjectId::null(self.repo.object_hash())),
                    changed: false,
                    retries: attempt,
                    before,
                });
            }
            let files = extra_files(&applied.list).map_err(StoreError::Render)?;
            let (commit, committer) =
                self.write_commit(id, parent, base_tree, &applied, &files, ctx.session.as_deref())?;
            let expected = match parent {
                Some(p) => PreviousValue::MustExistAndMatch(Target::Object(p)),
                None => PreviousValue::MustNotExist,
            };
            let edit = RefEdit {
                name: name
                    .as_str()
                    .try_into()
                    .map_err(|_| StoreError::BadNamespace(self.namespace.clone()))?,
                deref: false,
                change: Change::Update {
                    new: Target::Object(commit),
                    expected,
                    log: LogChange {
                        mode: RefLog::AndReference,
                        force_create_reflog: false,
                        message: format!("tasklist: {}", applied.name).into(),
                    },
                },
            };
            let mut time_buf = gix::date::parse::TimeBuf::default();
            match self.repo.edit_references_as(Some(edit), Some(committer.to_ref(&mut time_buf))) {
                Ok(_) => {
                    self.maybe_gc();
                    return Ok(Committed {
                        list: applied.list,
                        tip: commit,
                        changed: true,
                        retries: attempt,
                        before,
                    });
                }
                Err(e) if e.is_conflict() => {
                    if is_create {
                        return Err(
                            OpError::Conflict(format!("Task list {id} already exists")).into()
                        );
                    }
                }
                Err(e) if e.is_not_found() => return Err(StoreError::ListNotFound(id.to_string())),
                Err(e) if e.is_retryable() => {
                    let lock = self.lock_path(&name);
                    let stale = lock_age(&lock).is_some_and(|a| a > STALE_LOCK_AGE);
                    if stale || started.elapsed() > MAX_LOCK_WAIT {
                        return Err(StoreError::LockHeld { path: lock, stale });
                    }
                }
                Err(e) => return Err(git_err(&format!("updating {name}"), format!("{e:?}"))),
            }
            let cap = (1u64 << attempt.min(10)).min(MAX_BACKOFF.as_micros() as u64 / 1000).max(1);
            std::thread::sleep(Duration::from_micros(rng.below(cap * 1000)));
        }
        Err(StoreError::RaceLost { list: id.to_string(), attempts: MAX_ATTEMPTS })
    }

    /// Writes the blob (refusing one the store could not read back), tree
    /// and commit for an applied op on `base_tree`;
    /// returns the commit id and its committer (reused for the ref update).
    fn write_commit(
        &self,
        id: &str,
        parent: Option<ObjectId>,
        base_tree: ObjectId,
        applied: &Applied,
        files: &[(String, Vec<u8>)],
        session: Option<&str>,
    ) -> StoreResult<(ObjectId, gix::actor::Signature)> {
        let repo = &self.repo;
        let text = applied.list.to_toml();
        if text.len() as u64 > MAX_STATE_BYTES {
            return Err(StoreError::TooLarge { list: id.to_string(), bytes: text.len() });
        }
        let blob =
            repo.write_blob(text.as_bytes()).map_err(|e| git_err("writing blob", e))?.detach();
        let mut editor = repo.edit_tree(base_tree).map_err(|e| git_err("reading tree", e))?;
        editor
            .upsert(STATE_FILE, gix::objs::tree::EntryKind::Blob, blob)
            .map_err(|e| git_err("editing tree", e))?;
        for (path, data) in files {
            let b = repo.write_blob(data).map_err(|e| git_err("writing blob", e))?.detach();
            editor
                .upsert(path.as_str(), gix::objs::tree::EntryKind::Blob, b)
                .map_err(|e| git_err("editing tree", e))?;
        }
        let tree = editor.write().map_err(|e| git_err("writing tree", e))?.detach();

        let mut message = applied.subject.clone();
        message.push_str("\n\n");
        message.push_str(&format!("Tasklist: {id}\nOp: {}\n", applied.name));
        if let Some(s) = session {
            message.push_str(&format!("Session: {}\n", escape(s)));
        }
        for (k, v) in &applied.trailers {
            message.push_str(&format!("{k}: {}\n", escape(v)));
        }
        let seconds = applied.list.updated.timestamp();
        let (author, committer) = (self.signature(true, seconds), self.signature(false, seconds));
        let commit = gix::objs::Commit {
            tree,
            parents: parent.into_iter().collect(),
            author,
            committer: committer.clone(),
            encoding: None,
            message: message.into(),
            extra_headers: vec![],
        };
        let id = repo.write_object(&commit).map_err(|e| git_err("writing commit", e))?.detach();
        Ok((id, committer))
    }

    /// The configured author or committer, else the fallback identity, with
    /// the given time. Resolved like git: `GIT_AUTHOR_*`/`GIT_COMMITTER_*`,
    /// then `author.*`/`committer.*`, then `user.*`, then `EMAIL` for the
    /// address. (gix's own persona lookup is avoided on purpose: it also
    /// computes the local time zone, which scans the zone database on every
    /// process start, and caches a time fixed when the repository is opened.)
    fn signature(&self, author: bool, seconds: i64) -> gix::actor::Signature {
        let (env_prefix, section) =
            if author { ("GIT_AUTHOR", "author") } else { ("GIT_COMMITTER", "committer") };
        let config = self.repo.config_snapshot();
        let lookup = |what: &str| -> Option<String> {
            let from_env = std::env::var(format!("{env_prefix}_{}", what.to_uppercase())).ok();
            from_env
                .or_else(|| {
                    config
                        .string(format!("{section}.{what}").as_str())
                        .map(|v| v.to_str_lossy().into_owned())
                })
                .or_else(|| {
                    config
                        .string(format!("user.{what}").as_str())
                        .map(|v| v.to_str_lossy().into_owned())
                })
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let name = lookup("name").unwrap_or_else(|| FALLBACK_IDENTITY.0.to_string());
        let email = lookup("email")
            .or_else(|| std::env::var("EMAIL").ok().filter(|e| !e.trim().is_empty()))
            .unwrap_or_else(|| FALLBACK_IDENTITY.1.to_string());
        gix::actor::Signature {
            name: name.into(),
            email: email.into(),
            time: gix::date::Time::new(seconds, 0),
        }
    }

    fn lock_path(&self, ref_name: &str) -> PathBuf {
        let loose = self.repo.common_dir().join(format!("{ref_name}.lock"));
        let packed = self.repo.common_dir().join("packed-refs.lock");
        if !loose.exists() && packed.exists() { packed } else { loose }
    }

    /// Starts git's own housekeeping (`git gc --auto`) once loose
    /// objects pass git's `gc.auto` threshold, estimated the way git does:
    /// from the number of objects in the `objects/17` fan-out directory.
    fn maybe_gc(&self) {
        let limit = self.repo.config_snapshot().integer("gc.auto").unwrap_or(DEFAULT_GC_AUTO);
        if limit <= 0 {
            return;
        }
        let per_dir = (limit + 255) / 256;
        let dir = self.repo.common_dir().join("objects").join("17");
        let count =
            std::fs::read_dir(&dir).map(|d| d.filter(|e| e.is_ok()).count() as i64).unwrap_or(0);
        if count <= per_dir {
            return;
        }
        let spawned = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(self.repo.common_dir())
            .args(["gc", "--auto", "--quiet"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        // git detaches its own auto-gc unless gc.autoDetach is false, in which
        // case it runs in the foreground, as it would after any git command.
        let detach = self.repo.config_snapshot().boolean("gc.autoDetach").unwrap_or(true);
        if let (Ok(mut child), false) = (spawned, detach) {
            let _ = child.wait();
        }
    }

    /// The tip of a list, checked to be a commit (history walks need one).
    pub fn commit_tip(&self, id: &str) -> StoreResult<ObjectId> {
        let tip = self.tip(id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        match self.repo.find_header(tip) {
            Ok(h) if h.kind() == gix::object::Kind::Commit => Ok(tip),
            Ok(h) => Err(StoreError::Unreadable {
                list: escape(id),
                commit: tip.to_hex_with_len(12).to_string(),
                problem: format!("the ref points to a {}, not a commit", h.kind()),
            }),
            Err(e) => Err(StoreError::Unreadable {
                list: escape(id),
                commit: tip.to_hex_with_len(12).to_string(),
                problem: format!("the object cannot be read ({e})"),
            }),
        }
    }

    /// Whether a commit is present in the object database.
    pub fn has_commit(&self, commit: ObjectId) -> bool {
        self.repo.find_header(commit).is_ok_and(|h| h.kind() == gix::object::Kind::Commit)
    }

    /// A commit's history entry and the list stored in it (or why it cannot
    /// be read), reading the commit once.
    pub fn entry_and_state(
        &self,
        id: &str,
        commit: ObjectId,
    ) -> StoreResult<(LogEntry, Result<TaskList, String>)> {
        let c = self.repo.find_commit(commit).map_err(|e| git_err("reading commit", e))?;
        let entry = log_entry(commit, &c)?;
        let state = self.commit_state(id, &c);
        Ok((entry, state))
    }

    /// The first-parent chain from the list's tip, newest first, as
    /// `(commit, [first parent])`, at most `limit` commits; the walk alone,
    /// without building history entries. It ends quietly where the objects
    /// end (a shallow clone).
    pub fn first_parents(
        &self,
        id: &str,
        limit: usize,
    ) -> StoreResult<Vec<(ObjectId, Vec<ObjectId>)>> {
        let walk = self.first_parent_walk(id)?;
        Ok(walk
            .take(limit)
            .map_while(Result::ok)
            .map(|info| (info.id, info.parent_ids.iter().copied().take(1).collect()))
            .collect())
    }

    /// A walk of the list's first-parent chain from its tip, newest first.
    fn first_parent_walk(&self, id: &str) -> StoreResult<gix::revision::Walk<'_>> {
        let tip = self.commit_tip(id)?;
        self.repo
            .rev_walk([tip])
            .first_parent_only()
            .all()
            .map_err(|e| git_err("walking history", e))
    }

    /// The best common ancestor of two commits, if they have one.
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Option<ObjectId> {
        self.repo.merge_base(a, b).ok().flatten().map(|id| id.detach())
    }

    /// The list's history from its tip, newest first, following first parents;
    /// at most `limit` entries when given.
    pub fn log(&self, id: &str, limit: Option<usize>) -> StoreResult<Vec<LogEntry>> {
        let walk = self.first_parent_walk(id)?;
        let mut out = Vec::new();
        for info in walk {
            if limit.is_some_and(|n| out.len() >= n) {
                break;
            }
            // History cut short (a shallow or partial clone) ends the log
            // where the objects end; only a tip that cannot be read is an error.
            let found = info.ok().and_then(|i| self.repo.find_commit(i.id).ok().map(|c| (i.id, c)));
            let Some((cid, commit)) = found else {
                if out.is_empty() {
                    return Err(git_err("reading history", "the tip commit cannot be read"));
                }
                break;
            };
            out.push(log_entry(cid, &commit)?);
        }
        Ok(out)
    }
}

fn log_entry(id: ObjectId, commit: &gix::Commit<'_>) -> StoreResult<LogEntry> {
    let decoded = commit.decode().map_err(|e| git_err("reading commit", e))?;
    let author = decoded.author().map_err(|e| git_err("reading commit", e))?;
    let committer = decoded.committer().map_err(|e| git_err("reading commit", e))?;
    let time = committer.time().map(|t| t.seconds).unwrap_or(0);
    let message = decoded.message.to_str_lossy();
    let (subject, trailers) = parse_message(&message);
    let find = |k: &str| {
        trailers.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone())
    };
    Ok(LogEntry {
        commit: id,
        time,
        author: author.name.to_str_lossy().into_owned(),
        email: author.email.to_str_lossy().into_owned(),
        op: find("Op"),
        session: find("Session"),
        subject,
        trailers: trailers.clone(),
        parents: decoded.parents().collect(),
    })
}

/// A chunk of `(commit, parents)` from [`stream_ancestry`], or why the walk
/// stopped early (a shallow or partial clone).
pub type AncestryChunk = Result<Vec<(ObjectId, Vec<ObjectId>)>, String>;

/// Walks every commit reachable from `tip` (all parents, newest first) in
/// the repository at `git_dir` and sends them in chunks of `chunk`; meant to
/// run on its own thread (it opens its own repository handle) while the
/// receiver reads and checks what was sent. Stops quietly when the receiver
/// goes away.
pub fn stream_ancestry(
    git_dir: &Path,
    tip: ObjectId,
    chunk: usize,
    tx: &std::sync::mpsc::SyncSender<AncestryChunk>,
) {
    let repo = match gix::open(git_dir) {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Err(one_line(&e.to_string())));
            return;
        }
    };
    let walk = match repo.rev_walk([tip]).all() {
        Ok(w) => w,
        Err(e) => {
            let _ = tx.send(Err(one_line(&e.to_string())));
            return;
        }
    };
    let mut batch = Vec::with_capacity(chunk);
    for info in walk {
        match info {
            Ok(info) => batch.push((info.id, info.parent_ids.iter().copied().collect())),
            Err(e) => {
                if !batch.is_empty() && tx.send(Ok(std::mem::take(&mut batch))).is_err() {
                    return;
                }
                let _ = tx.send(Err(one_line(&e.to_string())));
                return;
            }
        }
        if batch.len() == chunk && tx.send(Ok(std::mem::take(&mut batch))).is_err() {
            return;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
}

/// Splits a commit message into its subject and the trailers of its last paragraph.
pub fn parse_message(message: &str) -> (String, Vec<(String, String)>) {
    let subject = message.lines().next().unwrap_or("").trim().to_string();
    let body = message.trim_end();
    let last_para = body.rsplit("\n\n").next().unwrap_or("");
    if !body.contains("\n\n") {
        return (subject, Vec::new());
    }
    let mut trailers = Vec::new();
    for line in last_para.lines() {
        match line.split_once(": ") {
            Some((k, v))
                if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                trailers.push((k.to_string(), v.trim().to_string()));
            }
            _ => return (subject, Vec::new()),
        }
    }
    (subject, trailers)
}

fn lock_age(path: &Path) -> Option<Duration> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    SystemTime::now().duration_since(modified).ok()
}

/// Whether `s` has the shape of a UUID (the form list ids take).
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

/// A new list id: a UUID v7, so ids sort by creation time.
pub fn new_list_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn validate_namespace(ns: &str) -> StoreResult<String> {
    let trimmed = ns.trim_end_matches('/');
    // Branches, tags and remote-tracking refs are git's own: lists there would
    // show up as branches or be clobbered by fetch.
    let reserved = ["refs/heads", "refs/tags", "refs/remotes"]
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

/// A small xorshift generator seeded from the process and the clock, for
/// backoff jitter only (two racing processes must not sleep in lockstep).
struct Jitter(u64);

impl Jitter {
    fn new() -> Jitter {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        if let Ok(d) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
            h.write_u128(d.as_nanos());
        }
        Jitter(h.finish() | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { self.0 % n }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_parse() {
        let (s, t) =
            parse_message("Subj\n\nbody text\n\nTasklist: x\nOp: set-status\nSession: s1\n");
        assert_eq!(s, "Subj");
        assert_eq!(t.len(), 3);
        assert_eq!(t[1], ("Op".to_string(), "set-status".to_string()));
        let (_, none) = parse_message("Only a subject\n");
        assert!(none.is_empty());
    }

    #[test]
    fn namespaces() {
        assert_eq!(validate_namespace("refs/tasklists/").unwrap(), "refs/tasklists");
        assert!(validate_namespace("refs/x/y").is_ok());
        for bad in
            ["tasklists", "refs/", "refs//x", "refs/a b", "refs/x..y", "refs/heads", "refs/tags/x"]
        {
            assert!(validate_namespace(bad).is_err(), "{bad}");
        }
    }
}
