//! The one write path: read the tip, apply a change, write blob → tree →
//! commit, and move the ref with a compare-and-swap; on a lost race, read
//! and apply again on the new tip.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::{BoxError, MAX_STATE_BYTES, Problem, Store, StoreError, StoreResult, git_err};
use crate::domain::model::{self, STATE_FILE, TaskList};
use crate::domain::op::{self, Applied, Ctx, Op, OpError, OpResult};
use crate::domain::trailer;
use crate::util::text::escape;

/// Name and email used when git has no identity configured.
pub const FALLBACK_IDENTITY: (&str, &str) = ("git-tasklist", "git-tasklist@localhost");

/// Attempts at one write before giving up. Under 8 concurrent writers a commit
/// needs about two attempts on average, and each lost race means another writer
/// made progress, so 64 attempts with jittered backoff make a refusal
/// practically impossible while still bounding a pathological livelock.
const MAX_ATTEMPTS: u32 = 64;
/// Object writes that may fail (git gc running beside us) before one is reported.
const MAX_WRITE_RETRIES: u32 = 8;
/// Longest backoff between attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(40);
/// Longest time spent waiting for busy ref locks before naming the lock
/// (each attempt already waits `core.filesRefLockTimeout`, 100 ms by default).
const MAX_LOCK_WAIT: Duration = Duration::from_secs(3);
/// A lock file older than this is taken to be left by a killed process.
const STALE_LOCK_AGE: Duration = Duration::from_secs(10);
/// Loose refs in the namespace past which a create packs them (see
/// [`Store::maybe_pack_refs`]).
const PACK_REFS_AFTER: usize = 512;
/// Loose-object threshold git uses when `gc.auto` is unset.
const DEFAULT_GC_AUTO: i64 = 6700;
/// A process that writes many commits checks for housekeeping on its first
/// write and then on every this many.
const GC_CHECK_EVERY: u64 = 8;

/// What a write expects of the list's ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tip {
    /// The list is created: the ref must not exist.
    New,
    /// The list is changed: the ref must exist.
    Existing,
    /// Created when the ref does not exist, else changed.
    Either,
}

/// What [`Store::write_commit`] wrote.
struct Written {
    /// The commit.
    commit: ObjectId,
    /// Its root tree.
    tree: ObjectId,
    /// That tree decoded, when it was built here (not by gix's tree editor).
    tree_entries: Option<gix::objs::Tree>,
    /// Its committer, for the ref's log.
    committer: gix::actor::Signature,
}

/// Files (path, content) to put beside `tasklist.toml` in a commit's tree.
pub type Files = Vec<(String, Vec<u8>)>;

/// Computes extra files for a commit's tree from the new state; an error
/// aborts the write.
pub type ExtraFiles<'a> = &'a dyn Fn(&TaskList) -> Result<Files, BoxError>;

/// No extra files.
pub fn no_files(_: &TaskList) -> Result<Files, BoxError> {
    Ok(Vec::new())
}

/// The outcome of a transaction.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The state after the change.
    pub list: TaskList,
    /// The ref's tip afterwards (the new commit, or the old tip when unchanged).
    pub tip: ObjectId,
    /// Whether a commit was written.
    pub changed: bool,
    /// Lost races before the write landed.
    pub retries: u32,
    /// The state the change was applied to (None for a create).
    pub before: Option<TaskList>,
}

impl Store {
    /// Applies `op` to the list `id` as `session` and commits the result
    /// (see [`Store::transact_with`]).
    pub fn transact(
        &self,
        id: &str,
        op: &Op,
        session: Option<&str>,
        extra_files: ExtraFiles<'_>,
    ) -> StoreResult<Committed> {
        let tip = match op {
            Op::Create { .. } | Op::Import { .. } => Tip::New,
            Op::Mirror { create: Some(_), .. } => Tip::Either,
            _ => Tip::Existing,
        };
        self.transact_on(id, tip, session, |before, ctx| op::apply(before, op, ctx), extra_files)
    }

    /// The one write path. `change` gets the state at the tip (`None` when
    /// `create`, which requires that the ref does not exist yet) and returns
    /// the new state and its commit description; `extra_files` computes
    /// further files for the commit's tree from the new state (e.g.
    /// `HANDOFF.md`). On a lost race `change` runs again on the new tip, so it
    /// must describe an intent, never carry a precomputed state.
    pub fn transact_with(
        &self,
        id: &str,
        create: bool,
        session: Option<&str>,
        change: impl FnMut(Option<&TaskList>, &Ctx) -> OpResult<Applied>,
        extra_files: ExtraFiles<'_>,
    ) -> StoreResult<Committed> {
        let tip = if create { Tip::New } else { Tip::Existing };
        self.transact_on(id, tip, session, change, extra_files)
    }

    /// [`Store::transact_with`], with `tip` saying whether the list must be
    /// new, must exist, or may be either: then the first writer creates it
    /// (the ref's compare-and-swap on "does not exist") and every other,
    /// having lost that race, applies its change on the list just made.
    fn transact_on(
        &self,
        id: &str,
        tip_wanted: Tip,
        session: Option<&str>,
        mut change: impl FnMut(Option<&TaskList>, &Ctx) -> OpResult<Applied>,
        extra_files: ExtraFiles<'_>,
    ) -> StoreResult<Committed> {
        let repo = self.local();
        let name = self.ref_name(id);
        let full_name = self.full_name(&name)?;
        let started = std::time::Instant::now();
        let mut rng = Jitter::new();
        let mut write_failures = 0;
        for attempt in 0..MAX_ATTEMPTS {
            // A signal waits until this attempt has written its objects and
            // moved the ref (or given up): no lock or temporary file is left.
            let hold = crate::util::interrupt::hold();
            let tip = self.write_tip(&repo, id)?;
            let (before, parent, base_tree) = match (tip_wanted, tip) {
                (Tip::New, Some(_)) => return Err(OpError::ListExists(id.to_string()).into()),
                (Tip::New | Tip::Either, None) => {
                    (None, None, ObjectId::empty_tree(repo.object_hash()))
                }
                (Tip::Existing, None) => return Err(StoreError::ListNotFound(escape(id))),
                (Tip::Existing | Tip::Either, Some(tip)) => {
                    let (snap, tree) = self.load(&repo, id, tip).map_err(|e| match e {
                        StoreError::Unreadable {
                            problem: Problem::NotACommit(gix::object::Kind::Tag),
                            ..
                        } => StoreError::OddRef {
                            list: escape(id),
                            reference: name.clone(),
                            what: "an annotated tag".into(),
                        },
                        e => e,
                    })?;
                    (Some(snap.list), Some(tip), tree)
                }
            };
            let ctx = Ctx {
                session: session.map(String::from),
                now: model::now(),
                tip: parent.map(|p| p.to_string()),
            };
            let applied = change(before.as_ref(), &ctx)?;
            if !applied.changed {
                return Ok(Committed {
                    list: applied.list,
                    tip: parent.unwrap_or_else(|| ObjectId::null(repo.object_hash())),
                    changed: false,
                    retries: attempt,
                    before,
                });
            }
            let files = extra_files(&applied.list).map_err(StoreError::Render)?;
            // Writing an object can fail for a moment while git gc packs and
            // prunes beside us ("could not persist loose object"): a
            // transient failure, retried like a lost race.
            let written =
                match self.write_commit(&repo, id, parent, base_tree, &applied, &files, session) {
                    Ok(written) => written,
                    Err(StoreError::Git { .. }) if write_failures < MAX_WRITE_RETRIES => {
                        write_failures += 1;
                        std::thread::sleep(Duration::from_millis(rng.below(20) + 5));
                        continue;
                    }
                    Err(e) => return Err(e),
                };
            let commit = written.commit;
            let edit = cas_edit(full_name.clone(), commit, parent, applied.name);
            let mut time_buf = gix::date::parse::TimeBuf::default();
            let committer = written.committer.to_ref(&mut time_buf);
            match repo.edit_references_as(Some(edit), Some(committer)) {
                Ok(_) => {
                    self.remember(commit, written.tree, written.tree_entries, &applied.list);
                    // Housekeeping may wait for git gc: no longer a write of ours.
                    drop(hold);
                    self.maybe_gc(&repo);
                    if parent.is_none() {
                        self.maybe_pack_refs(&repo);
                    }
                    return Ok(Committed {
                        list: applied.list,
                        tip: commit,
                        changed: true,
                        retries: attempt,
                        before,
                    });
                }
                Err(e) if e.is_conflict() => {
                    if tip_wanted == Tip::New {
                        return Err(OpError::ListExists(id.to_string()).into());
                    }
                }
                Err(e) if e.is_not_found() => return Err(StoreError::ListNotFound(escape(id))),
                Err(e) if e.is_retryable() => {
                    let lock = self.lock_path(&name);
                    let stale = lock_age(&lock).is_some_and(|a| a > STALE_LOCK_AGE);
                    if stale || started.elapsed() > MAX_LOCK_WAIT {
                        return Err(StoreError::LockHeld { path: lock, stale });
                    }
                }
                Err(e) => return Err(git_err(format!("updating {name}"), e)),
            }
            drop(hold);
            let cap = (1u64 << attempt.min(10)).min(MAX_BACKOFF.as_micros() as u64 / 1000).max(1);
            std::thread::sleep(Duration::from_micros(rng.below(cap * 1000)));
        }
        Err(StoreError::RaceLost { list: escape(id), attempts: MAX_ATTEMPTS })
    }

    /// Applies `op` on top of commit `parent` of list `id` and writes the
    /// commit, without moving any ref: a change to offer a remote before it
    /// is made here. `None` when the op changes nothing.
    pub fn commit_on(
        &self,
        id: &str,
        parent: ObjectId,
        op: &Op,
        session: Option<&str>,
    ) -> StoreResult<Option<Committed>> {
        let repo = self.local();
        let _hold = crate::util::interrupt::hold();
        let (snap, tree) = self.load(&repo, id, parent)?;
        let ctx = Ctx {
            session: session.map(String::from),
            now: model::now(),
            tip: Some(parent.to_string()),
        };
        let applied = op::apply(Some(&snap.list), op, &ctx)?;
        if !applied.changed {
            return Ok(None);
        }
        let written = self.write_commit(&repo, id, Some(parent), tree, &applied, &[], session)?;
        Ok(Some(Committed {
            list: applied.list,
            tip: written.commit,
            changed: true,
            retries: 0,
            before: Some(snap.list),
        }))
    }

    /// Points the list's ref at `to`, if it still points at `expected`
    /// (`None`: if it does not exist yet): a fast-forward or a new list from
    /// a remote. Returns false when the ref moved meanwhile.
    pub fn move_ref(
        &self,
        id: &str,
        to: ObjectId,
        expected: Option<ObjectId>,
        why: &str,
    ) -> StoreResult<bool> {
        let repo = self.local();
        let name = self.ref_name(id);
        let edit = cas_edit(self.full_name(&name)?, to, expected, why);
        let committer = self.signature(&repo, false, model::now().timestamp());
        let mut time_buf = gix::date::parse::TimeBuf::default();
        let _hold = crate::util::interrupt::hold();
        match repo.edit_references_as(Some(edit), Some(committer.to_ref(&mut time_buf))) {
            Ok(_) => Ok(true),
            Err(e) if e.is_conflict() || e.is_not_found() => Ok(false),
            Err(e) if e.is_retryable() => {
                let path = self.lock_path(&name);
                let stale = lock_age(&path).is_some_and(|a| a > STALE_LOCK_AGE);
                Err(StoreError::LockHeld { path, stale })
            }
            Err(e) => Err(git_err(format!("updating {name}"), e)),
        }
    }

    /// Writes the blob (refusing one the store could not read back), tree
    /// and commit for an applied change on `base_tree`;
    /// returns the commit id and its committer (reused for the ref update).
    #[allow(clippy::too_many_arguments)]
    fn write_commit(
        &self,
        repo: &gix::Repository,
        id: &str,
        parent: Option<ObjectId>,
        base_tree: ObjectId,
        applied: &Applied,
        files: &[(String, Vec<u8>)],
        session: Option<&str>,
    ) -> StoreResult<Written> {
        let text = applied.list.to_toml();
        // The state written is the state a later read parses (which is what
        // lets [`Store::remember`] keep it).
        debug_assert!(
            TaskList::from_toml(&text).is_ok_and(|read| read == applied.list),
            "the TOML written does not read back as the same list"
        );
        if text.len() as u64 > MAX_STATE_BYTES {
            return Err(StoreError::TooLarge { list: escape(id), bytes: text.len() });
        }
        let write = |kind, data: &[u8], what: &'static str| {
            super::loose::write(&self.objects_dir, repo.object_hash(), kind, data)
                .map_err(|e| git_err(what, e))
        };
        let blob = write(gix::object::Kind::Blob, text.as_bytes(), "writing a blob")?;
        let mut entries: Vec<(&str, ObjectId)> = vec![(STATE_FILE, blob)];
        for (path, data) in files {
            entries.push((path.as_str(), write(gix::object::Kind::Blob, data, "writing a blob")?));
        }
        let mut written_tree = None;
        let tree = if entries.iter().all(|(p, _)| !p.contains('/')) {
            let base = match self.recent_tree(base_tree) {
                Some(t) => t,
                None => read_tree(repo, base_tree)?,
            };
            let tree = root_tree(base, &entries);
            let mut bytes = Vec::with_capacity(64 * tree.entries.len());
            gix::objs::WriteTo::write_to(&tree, &mut bytes)
                .map_err(|e| git_err("writing a tree", e))?;
            let id = write(gix::object::Kind::Tree, &bytes, "writing a tree")?;
            written_tree = Some(tree);
            id
        } else {
            // Files in subdirectories: gix's tree editor builds the subtrees.
            let mut editor = repo.edit_tree(base_tree).map_err(|e| git_err("reading a tree", e))?;
            for (path, oid) in &entries {
                editor
                    .upsert(*path, gix::objs::tree::EntryKind::Blob, *oid)
                    .map_err(|e| git_err("editing a tree", e))?;
            }
            editor.write().map_err(|e| git_err("writing a tree", e))?.detach()
        };

        let mut trailers: Vec<(&str, &str)> =
            vec![(trailer::TASKLIST, id), (trailer::OP, applied.name)];
        if let Some(s) = session {
            trailers.push((trailer::SESSION, s));
        }
        trailers.extend(applied.trailers.iter().map(|(k, v)| (*k, v.as_str())));
        let message = trailer::message(&applied.subject, &trailers);
        let seconds = applied.list.updated.timestamp();
        let author = self.signature(repo, true, seconds);
        let committer = self.signature(repo, false, seconds);
        let commit = gix::objs::Commit {
            tree,
            parents: parent.into_iter().chain(applied.merged.iter().copied()).collect(),
            author,
            committer: committer.clone(),
            encoding: None,
            message: message.into(),
            extra_headers: vec![],
        };
        let mut bytes = Vec::with_capacity(512 + commit.message.len());
        gix::objs::WriteTo::write_to(&commit, &mut bytes)
            .map_err(|e| git_err("writing a commit", e))?;
        let id = write(gix::object::Kind::Commit, &bytes, "writing a commit")?;
        Ok(Written { commit: id, tree, tree_entries: written_tree, committer })
    }

    /// The configured author or committer, else the fallback identity, with
    /// the given time. Resolved like git: `GIT_AUTHOR_*`/`GIT_COMMITTER_*`,
    /// then `author.*`/`committer.*`, then `user.*`, then `EMAIL` for the
    /// address. (gix's own persona lookup is avoided on purpose: it also
    /// computes the local time zone, which scans the zone database on every
    /// process start, and caches a time fixed when the repository is opened.)
    fn signature(
        &self,
        repo: &gix::Repository,
        author: bool,
        seconds: i64,
    ) -> gix::actor::Signature {
        let cell = &self.identities[usize::from(!author)];
        let (name, email) = cell.get_or_init(|| Self::identity(repo, author));
        gix::actor::Signature {
            name: name.as_str().into(),
            email: email.as_str().into(),
            time: gix::date::Time::new(seconds, 0),
        }
    }

    /// The author's or committer's name and address (see [`Store::signature`]),
    /// looked up once per process: the configuration is read once too.
    fn identity(repo: &gix::Repository, author: bool) -> (String, String) {
        use gix::bstr::ByteSlice;
        let (env_prefix, section) =
            if author { ("GIT_AUTHOR", "author") } else { ("GIT_COMMITTER", "committer") };
        let config = repo.config_snapshot();
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
        (name, email)
    }

    fn lock_path(&self, ref_name: &str) -> PathBuf {
        let loose = self.common_dir.join(format!("{ref_name}.lock"));
        let packed = self.common_dir.join("packed-refs.lock");
        if !loose.exists() && packed.exists() { packed } else { loose }
    }

    /// Packs the namespace's refs (`git pack-refs --include NS/*`, in the
    /// background as git's auto-gc runs) once more than [`PACK_REFS_AFTER`]
    /// of them are loose. Resolving an id prefix lists the loose-ref
    /// directory, which at 10,000 loose refs costs more than the rest of a
    /// command; packed refs are found by a binary search. Checked on create
    /// only: that is when the directory grows.
    fn maybe_pack_refs(&self, repo: &gix::Repository) {
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
    fn maybe_gc(&self, repo: &gix::Repository) {
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
}

/// The tree `id`, decoded.
fn read_tree(repo: &gix::Repository, id: ObjectId) -> StoreResult<gix::objs::Tree> {
    if id == ObjectId::empty_tree(repo.object_hash()) {
        return Ok(gix::objs::Tree::empty());
    }
    let t = repo.find_tree(id).map_err(|e| git_err("reading a tree", e))?;
    let decoded = t.decode().map_err(|e| git_err("reading a tree", e))?;
    Ok(gix::objs::Tree::from(decoded))
}

/// The root tree `tree` with each `(name, blob)` of `files` put in (as a
/// regular file, replacing an entry of the same name), in git's order.
fn root_tree(mut tree: gix::objs::Tree, files: &[(&str, ObjectId)]) -> gix::objs::Tree {
    for (name, oid) in files {
        let name: &gix::bstr::BStr = name.as_bytes().into();
        tree.entries.retain(|e| e.filename != name);
        tree.entries.push(gix::objs::tree::Entry {
            mode: gix::objs::tree::EntryKind::Blob.into(),
            filename: name.to_owned(),
            oid: *oid,
        });
    }
    tree.entries.sort();
    tree
}

/// The compare-and-swap of a list ref: point it at `new` if it points at
/// `expected` (`None`: if it does not exist).
fn cas_edit(
    name: gix::refs::FullName,
    new: ObjectId,
    expected: Option<ObjectId>,
    why: &str,
) -> RefEdit {
    RefEdit {
        name,
        deref: false,
        change: Change::Update {
            new: Target::Object(new),
            expected: match expected {
                Some(p) => PreviousValue::MustExistAndMatch(Target::Object(p)),
                None => PreviousValue::MustNotExist,
            },
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: format!("tasklist: {why}").into(),
            },
        },
    }
}

impl Store {
    /// `name` as a full ref name (the namespace was validated at open).
    fn full_name(&self, name: &str) -> StoreResult<gix::refs::FullName> {
        name.try_into().map_err(|_| StoreError::BadNamespace(self.namespace.clone()))
    }
}

fn lock_age(path: &Path) -> Option<Duration> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    SystemTime::now().duration_since(modified).ok()
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
