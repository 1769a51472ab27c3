//! Sync with a git remote: one `git fetch` of the remote's lists into a
//! remote-tracking namespace, then per list a new copy, a fast-forward, a
//! merge or a push, and one `git push` (never forced) of what changed. The
//! network goes through the `git` command, so credentials, SSH, proxies and
//! `insteadOf` work as they do for the user; everything local goes through
//! the store.

use std::process::Command;

use gix::ObjectId;

use crate::merge::{self, Conflict, Reopened};
use crate::op::Applied;
use crate::store::{Store, StoreError};
use crate::text::{escape, one_line};
use crate::trailer;

/// Where fetched lists are kept: `refs/tasklists-remote/<remote>/<id>`,
/// outside `refs/remotes`, so `git branch -a` does not show them.
pub const TRACKING_PREFIX: &str = "refs/tasklists-remote";
/// Git config key for the remote's ref prefix (default: the local namespace).
pub const REMOTE_PREFIX_CONFIG_KEY: &str = "tasklist.remotePrefix";
/// Pushes that find the remote moved, before giving up.
const MAX_ROUNDS: usize = 3;
/// Refspecs per `git push` (some hosts fail a push of thousands of refs).
const PUSH_CHUNK: usize = 500;

/// Errors talking to a remote.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No remote by that name.
    #[error("Remote '{0}' is not configured; `git remote -v` lists the remotes")]
    UnknownRemote(String),
    /// The remote name or prefix cannot be used in a ref.
    #[error("'{0}' cannot be used as a remote name or ref prefix")]
    BadName(String),
    /// `git fetch` failed (unreachable, authentication, …).
    #[error("Fetching task lists from '{remote}' failed: {message}")]
    Fetch {
        /// The remote.
        remote: String,
        /// What git said.
        message: String,
    },
    /// `git push` failed for another reason than a moved remote.
    #[error("Pushing task lists to '{remote}' failed: {message}")]
    Push {
        /// The remote.
        remote: String,
        /// What git said.
        message: String,
    },
    /// The remote kept moving.
    #[error("The remote '{remote}' changed under {MAX_ROUNDS} attempts to push; try again")]
    Refused {
        /// The remote.
        remote: String,
    },
    /// The `git` command could not be run.
    #[error("Cannot run git: {0}")]
    Git(#[from] std::io::Error),
}

/// What happened to one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Both sides have the same tip.
    UpToDate,
    /// New from the remote: created here.
    New,
    /// The remote was ahead: moved forward here.
    FastForward,
    /// Both sides changed: merged here.
    Merged,
    /// Only here, or ahead here: pushed.
    Pushed,
    /// Left alone (unreadable, or it changed here meanwhile).
    Skipped,
}

/// One list's outcome.
#[derive(Debug, Clone)]
pub struct ListSync {
    /// The list id.
    pub id: String,
    /// Its title, when readable.
    pub title: Option<String>,
    /// What happened.
    pub action: Action,
    /// Whether its tip was pushed.
    pub pushed: bool,
    /// The conflicts a merge resolved.
    pub conflicts: Vec<Conflict>,
    /// Why it was skipped.
    pub detail: Option<String>,
}

/// The outcome of a sync.
#[derive(Debug, Clone)]
pub struct SyncReport {
    /// The remote.
    pub remote: String,
    /// Every list, sorted by id.
    pub lists: Vec<ListSync>,
}

/// How to sync.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// The remote (default: the current branch's upstream remote, else `origin`).
    pub remote: Option<String>,
    /// Fetch and merge only.
    pub no_push: bool,
    /// Say what would happen; change nothing here or there.
    pub dry_run: bool,
    /// The remote side's ref prefix (default: `tasklist.remotePrefix`, else
    /// the local namespace), e.g. `refs/heads/claude/tasklists` for hosts
    /// that accept branches only.
    pub remote_prefix: Option<String>,
}

/// How a list stands against a remote's copy, as last fetched by `sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tracking {
    /// Both have the same tip.
    UpToDate,
    /// Commits here the remote lacks: the next sync pushes them.
    Ahead,
    /// Commits there not here yet: the next sync fast-forwards.
    Behind,
    /// Both sides changed: the next sync merges.
    Diverged,
    /// The remote had no copy when it was last fetched.
    LocalOnly,
}

/// Per list id of `local` (each with its tip), how it stands against each
/// remote whose copies `sync` fetched (`refs/tasklists-remote/<remote>/<id>`),
/// by remote name. Lists with no fetched remote are absent; so is everything
/// when sync never ran. Only ref tips are compared, plus an ancestry check
/// where they differ.
pub fn tracking(
    store: &Store,
    local: &[(&str, ObjectId)],
) -> crate::Result<std::collections::BTreeMap<String, Vec<(String, Tracking)>>> {
    use std::collections::BTreeMap;
    let dir = format!("{TRACKING_PREFIX}/");
    let mut remotes: BTreeMap<String, BTreeMap<String, ObjectId>> = BTreeMap::new();
    for (name, tip) in store.refs_under(&dir)? {
        let Some(rest) = name.strip_prefix(&dir) else { continue };
        let Some((remote, id)) = rest.rsplit_once('/') else { continue };
        if let Some(tip) = tip.filter(|_| crate::store::is_uuid(id)) {
            remotes.entry(remote.to_string()).or_default().insert(id.to_string(), tip);
        }
    }
    let mut out: BTreeMap<String, Vec<(String, Tracking)>> = BTreeMap::new();
    if remotes.is_empty() {
        return Ok(out);
    }
    for &(id, tip) in local {
        for (remote, theirs) in &remotes {
            let state = match theirs.get(id) {
                None => Tracking::LocalOnly,
                Some(t) if *t == tip => Tracking::UpToDate,
                Some(t) if store.is_ancestor(*t, tip) => Tracking::Ahead,
                Some(t) if store.is_ancestor(tip, *t) => Tracking::Behind,
                Some(_) => Tracking::Diverged,
            };
            out.entry(id.to_string()).or_default().push((remote.clone(), state));
        }
    }
    Ok(out)
}

fn git(store: &Store, args: &[&str]) -> Result<std::process::Output, SyncError> {
    Ok(Command::new("git")
        .arg("--git-dir")
        .arg(store.common_dir())
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()?)
}

fn git_text(out: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    one_line(&escape(&lines.join("; ")))
}

/// The remote to use: `remote`, else the current branch's upstream remote,
/// else `origin`.
fn pick_remote(store: &Store, remote: Option<&str>) -> Result<String, SyncError> {
    if let Some(r) = remote {
        return Ok(r.to_string());
    }
    let head = git(store, &["symbolic-ref", "--short", "-q", "HEAD"])?;
    let branch = String::from_utf8_lossy(&head.stdout).trim().to_string();
    if !branch.is_empty() {
        let key = format!("branch.{branch}.remote");
        let up = git(store, &["config", "--get", &key])?;
        let up = String::from_utf8_lossy(&up.stdout).trim().to_string();
        if !up.is_empty() && up != "." {
            return Ok(up);
        }
    }
    Ok("origin".into())
}

/// The remote side's ref prefix: `given`, else git config
/// `tasklist.remotePrefix`, else the local namespace.
fn remote_prefix(store: &Store, given: Option<&str>) -> Result<String, SyncError> {
    let prefix = match given {
        Some(p) => p.to_string(),
        None => {
            let configured = git(store, &["config", "--get", REMOTE_PREFIX_CONFIG_KEY])?;
            String::from_utf8_lossy(&configured.stdout).trim().to_string()
        }
    };
    let prefix = prefix.trim_end_matches('/').to_string();
    let prefix = if prefix.is_empty() { store.namespace().to_string() } else { prefix };
    let valid = prefix.starts_with("refs/")
        && !prefix.split('/').any(str::is_empty)
        && gix::refs::FullName::try_from(format!("{prefix}/x").as_str()).is_ok();
    if valid { Ok(prefix) } else { Err(SyncError::BadName(escape(&prefix))) }
}

/// Checks that `remote` is configured.
fn known_remote(store: &Store, remote: &str) -> Result<(), SyncError> {
    let known = git(store, &["remote", "get-url", remote])?;
    if known.status.success() { Ok(()) } else { Err(SyncError::UnknownRemote(escape(remote))) }
}

/// The fetch refspec that brings the remote's lists into the tracking namespace.
fn fetch_spec(prefix: &str, remote: &str) -> String {
    format!("+{prefix}/*:{TRACKING_PREFIX}/{remote}/*")
}

/// What `init` did.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// The remote.
    pub remote: String,
    /// The fetch refspec.
    pub refspec: String,
    /// False when it was there already.
    pub added: bool,
}

/// Adds the glob fetch refspec of the lists to `remote`, so that a plain
/// `git fetch` brings teammates' lists into the tracking namespace.
/// Idempotent; harmless on a remote with no lists (a glob refspec that
/// matches nothing is no error); never a forced refspec into the local
/// namespace (that would destroy unpushed work) and never a push refspec
/// (that would stop a plain `git push` from pushing branches).
pub fn init(
    store: &Store,
    remote: Option<&str>,
    prefix: Option<&str>,
) -> crate::Result<Initialized> {
    let remote = pick_remote(store, remote)?;
    known_remote(store, &remote)?;
    store
        .with_namespace(&format!("{TRACKING_PREFIX}/{remote}"))
        .map_err(|_| SyncError::BadName(escape(&remote)))?;
    let refspec = fetch_spec(&remote_prefix(store, prefix)?, &remote);
    let key = format!("remote.{remote}.fetch");
    let have = git(store, &["config", "--get-all", &key])?;
    let added = !String::from_utf8_lossy(&have.stdout).lines().any(|l| l.trim() == refspec);
    if added {
        let out = git(store, &["config", "--add", &key, &refspec])?;
        if !out.status.success() {
            return Err(SyncError::Push { remote: escape(&remote), message: git_text(&out) }.into());
        }
    }
    Ok(Initialized { remote, refspec, added })
}

/// Syncs every list with the remote.
pub fn sync(store: &Store, session: Option<&str>, opts: &SyncOptions) -> crate::Result<SyncReport> {
    let remote = pick_remote(store, opts.remote.as_deref())?;
    known_remote(store, &remote)?;
    let tracking = format!("{TRACKING_PREFIX}/{remote}");
    let tracked =
        store.with_namespace(&tracking).map_err(|_| SyncError::BadName(escape(&remote)))?;
    let prefix = remote_prefix(store, opts.remote_prefix.as_deref())?;
    for round in 0..MAX_ROUNDS {
        let spec = fetch_spec(&prefix, &remote);
        let fetched = git(store, &["fetch", "--quiet", "--no-tags", "--prune", &remote, &spec])?;
        if !fetched.status.success() {
            return Err(
                SyncError::Fetch { remote: escape(&remote), message: git_text(&fetched) }.into()
            );
        }
        let local = store.list_tips()?;
        let theirs = tracked.list_tips()?;
        let mut lists = reconcile(store, session, &remote, &local, &theirs, opts.dry_run)?;
        let to_push: Vec<&ListSync> = lists.iter().filter(|l| l.pushed).collect();
        if opts.no_push || opts.dry_run || to_push.is_empty() {
            if opts.no_push {
                for l in &mut lists {
                    l.pushed = false;
                }
            }
            return Ok(SyncReport { remote, lists });
        }
        // Each list's commit is pushed by its id, so that what the remote
        // took is known exactly: its remote-tracking ref then points there
        // (as `git push` does for branches), without waiting for a fetch.
        let mut pushing: Vec<(&str, ObjectId)> = Vec::with_capacity(to_push.len());
        for l in &to_push {
            if let Some(tip) = store.tip(&l.id)? {
                pushing.push((l.id.as_str(), tip));
            }
        }
        let before: std::collections::HashMap<&str, Option<ObjectId>> =
            theirs.iter().map(|(id, tip)| (id.as_str(), *tip)).collect();
        let mut moved = false;
        for chunk in pushing.chunks(PUSH_CHUNK) {
            let specs: Vec<String> =
                chunk.iter().map(|(id, tip)| format!("{tip}:{prefix}/{id}")).collect();
            let mut args = vec!["push", "--porcelain", "--quiet", remote.as_str()];
            args.extend(specs.iter().map(String::as_str));
            let out = git(store, &args)?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let rejected = stdout.lines().any(|l| l.starts_with('!'));
            if rejected {
                moved = true;
            } else if !out.status.success() {
                return Err(
                    SyncError::Push { remote: escape(&remote), message: git_text(&out) }.into()
                );
            }
            if rejected {
                // The next round fetches, which settles the tracking refs.
                continue;
            }
            for &(id, tip) in chunk {
                let old = before.get(id).copied().flatten();
                // A fetch may have moved it meanwhile: then that one stands.
                let _ = tracked.move_ref(id, tip, old, "sync: pushed");
            }
        }
        if !moved {
            return Ok(SyncReport { remote, lists });
        }
        if round + 1 == MAX_ROUNDS {
            break;
        }
    }
    Err(SyncError::Refused { remote: escape(&remote) }.into())
}

/// Decides and applies, per list, what the local and remote tips call for.
/// Only the refs are compared; a list is read only when it is created,
/// fast-forwarded or merged here.
fn reconcile(
    store: &Store,
    session: Option<&str>,
    remote: &str,
    local: &[(String, Option<ObjectId>)],
    theirs: &[(String, Option<ObjectId>)],
    dry_run: bool,
) -> crate::Result<Vec<ListSync>> {
    use std::collections::BTreeMap;
    type Tips = (Option<Option<ObjectId>>, Option<Option<ObjectId>>);
    let mut ids: BTreeMap<&str, Tips> = BTreeMap::new();
    for (id, tip) in local {
        ids.entry(id.as_str()).or_default().0 = Some(*tip);
    }
    for (id, tip) in theirs {
        ids.entry(id.as_str()).or_default().1 = Some(*tip);
    }
    let mut out = Vec::new();
    for (id, (mine, other)) in ids {
        let mut item = ListSync {
            id: id.to_string(),
            title: None,
            action: Action::UpToDate,
            pushed: false,
            conflicts: Vec::new(),
            detail: None,
        };
        let mut skip = |why: String| {
            item.action = Action::Skipped;
            item.detail = Some(why);
        };
        match (mine, other) {
            (None, None) => continue,
            (Some(None), _) => skip("its ref here cannot be resolved".into()),
            (_, Some(None)) => skip("the remote's ref cannot be resolved".into()),
            (None, Some(Some(o))) => match store.read_at(id, o) {
                Err(e) => skip(format!("the remote's copy is unreadable: {e}")),
                Ok(s) => {
                    item.title = Some(s.list.title);
                    item.action = Action::New;
                    if !dry_run && !store.move_ref(id, o, None, "sync: new")? {
                        item.action = Action::Skipped;
                        item.detail = Some("it was created here meanwhile; sync again".into());
                    }
                }
            },
            (Some(Some(_)), None) => {
                item.action = Action::Pushed;
                item.pushed = true;
            }
            (Some(Some(m)), Some(Some(o))) if m == o => {}
            (Some(Some(m)), Some(Some(o))) if store.is_ancestor(o, m) => {
                item.action = Action::Pushed;
                item.pushed = true;
            }
            (Some(Some(m)), Some(Some(o))) => match (store.read_at(id, m), store.read_at(id, o)) {
                (_, Err(e)) => skip(format!("the remote's copy is unreadable: {e}")),
                (Err(e), _) => skip(e.to_string()),
                (Ok(mine), Ok(theirs)) if store.is_ancestor(m, o) => {
                    item.title = Some(theirs.list.title);
                    drop(mine);
                    item.action = Action::FastForward;
                    if !dry_run && !store.move_ref(id, o, Some(m), "sync: fast-forward")? {
                        item.action = Action::Skipped;
                        item.detail = Some("it changed here meanwhile; sync again".into());
                    }
                }
                (Ok(mine), Ok(theirs)) => {
                    item.title = Some(mine.list.title.clone());
                    item.action = Action::Merged;
                    item.pushed = true;
                    item.conflicts = if dry_run {
                        plan_merge(store, m, &mine.list, o, &theirs.list)?.conflicts
                    } else {
                        merge_into(store, session, remote, id, o)?
                    };
                }
            },
        }
        out.push(item);
    }
    Ok(out)
}

/// The merge of our state at `tip` with theirs at `remote_tip`.
fn plan_merge(
    store: &Store,
    tip: ObjectId,
    ours: &crate::model::TaskList,
    remote_tip: ObjectId,
    theirs: &crate::model::TaskList,
) -> crate::Result<merge::Merged> {
    let base_commit = store.merge_base(tip, remote_tip);
    let base = base_commit.and_then(|b| store.read_at(&ours.id, b).ok()).map(|s| s.list);
    let reopened = Reopened {
        ours: store.reopened_since(tip, base_commit)?,
        theirs: store.reopened_since(remote_tip, base_commit)?,
    };
    Ok(merge::merge(base.as_ref(), ours, theirs, &reopened))
}

/// Merges the remote's tip into the local list with a two-parent commit
/// (`Op: merge`, one `Conflict:` trailer per conflict), through the store's
/// write path: a lost race merges again on the new local tip.
fn merge_into(
    store: &Store,
    session: Option<&str>,
    remote: &str,
    id: &str,
    remote_tip: ObjectId,
) -> crate::Result<Vec<Conflict>> {
    let theirs = store.read_at(id, remote_tip)?.list;
    let resolved = std::cell::RefCell::new(Vec::new());
    let change = |before: Option<&crate::model::TaskList>, ctx: &crate::op::Ctx| {
        let ours = before.ok_or(crate::op::OpError::NoList)?;
        let tip = ctx.tip.as_deref().and_then(|t| ObjectId::from_hex(t.as_bytes()).ok());
        let merged = match tip {
            Some(tip) => plan_merge(store, tip, ours, remote_tip, &theirs),
            None => Ok(merge::merge(None, ours, &theirs, &Reopened::default())),
        };
        let merged = merged.map_err(|_| crate::op::OpError::NoList)?;
        let mut trailers = vec![(trailer::MERGED, remote_tip.to_string())];
        for c in &merged.conflicts {
            let what = match &c.task {
                Some(t) => format!("{t} {}: {}", c.field, c.rule),
                None => format!("{}: {}", c.field, c.rule),
            };
            trailers.push((trailer::CONFLICT, what));
        }
        let n = merged.conflicts.len();
        *resolved.borrow_mut() = merged.conflicts;
        let mut list = merged.list;
        list.updated = list.updated.max(ctx.now);
        Ok(Applied {
            subject: format!(
                "{}: merge {remote} ({n} conflict{} resolved)",
                escape(&list.title),
                if n == 1 { "" } else { "s" }
            ),
            list,
            changed: true,
            name: "merge",
            trailers,
            merged: vec![remote_tip],
        })
    };
    store.transact_with(id, false, session, change, &crate::store::no_files).map_err(
        |e| match e {
            StoreError::Op(crate::op::OpError::NoList) => StoreError::ListNotFound(escape(id)),
            e => e,
        },
    )?;
    Ok(resolved.into_inner())
}

/// Claims a task with the remote as the arbiter: fetch the list, apply the
/// change on top of the remote's tip (merged with this clone's first), push
/// that commit — the remote's refusal of a non-fast-forward push is the
/// compare-and-swap — and only then make it here. A refused push fetches and
/// applies the change again on the new remote tip; the pending claim is
/// never merged with someone else's. When another session now holds the
/// task, the error names it and no claim is left here.
pub fn claim(
    store: &Store,
    session: Option<&str>,
    remote: Option<&str>,
    id: &str,
    op: &crate::op::Op,
) -> crate::Result<crate::store::Committed> {
    let remote = pick_remote(store, remote)?;
    known_remote(store, &remote)?;
    let prefix = remote_prefix(store, None)?;
    let tracking = format!("{TRACKING_PREFIX}/{remote}");
    let tracked =
        store.with_namespace(&tracking).map_err(|_| SyncError::BadName(escape(&remote)))?;
    for _ in 0..MAX_CLAIM_ROUNDS {
        let spec = format!("+{prefix}/{id}:{tracking}/{id}");
        let fetched = git(store, &["fetch", "--quiet", "--no-tags", &remote, &spec])?;
        // A list the remote does not have yet is offered as it is here.
        let theirs = if fetched.status.success() { tracked.tip(id)? } else { None };
        let ours = store.tip(id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        let base = match theirs {
            None => ours,
            Some(r) if store.is_ancestor(ours, r) => {
                store.move_ref(id, r, Some(ours), "sync: fast-forward")?;
                r
            }
            Some(r) if store.is_ancestor(r, ours) => ours,
            Some(r) => {
                merge_into(store, session, &remote, id, r)?;
                store.tip(id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?
            }
        };
        let Some(done) = store.commit_on(id, base, op, session)? else {
            // Nothing to change (already claimed by this session).
            let snap = store.read(id)?;
            return Ok(crate::store::Committed {
                list: snap.list,
                tip: snap.tip,
                changed: false,
                retries: 0,
                before: None,
            });
        };
        let spec = format!("{}:{prefix}/{id}", done.tip);
        let out = git(store, &["push", "--porcelain", "--quiet", &remote, &spec])?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if stdout.lines().any(|l| l.starts_with('!')) {
            continue;
        }
        if !out.status.success() {
            return Err(SyncError::Push { remote: escape(&remote), message: git_text(&out) }.into());
        }
        let _ = tracked.move_ref(id, done.tip, theirs, "sync: pushed");
        // The remote took it: make it here too.
        let now = store.tip(id)?;
        if now == Some(base) && store.move_ref(id, done.tip, Some(base), "sync: claim")? {
            return Ok(done);
        }
        merge_into(store, session, &remote, id, done.tip)?;
        return Ok(done);
    }
    Err(SyncError::Refused { remote: escape(&remote) }.into())
}

/// Fetch-apply-push rounds a claim makes before giving up.
const MAX_CLAIM_ROUNDS: usize = 8;
