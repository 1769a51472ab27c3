//! Sync with a git remote: one `git fetch` of the remote's lists into a
//! remote-tracking namespace, then per list a new copy, a fast-forward, a
//! merge or a push, and one `git push` (never forced) of what changed. The
//! network goes through the `git` command, so credentials, SSH, proxies and
//! `insteadOf` work as they do for the user; everything local goes through
//! the store.
//!
//! One list's failure never stops the others: it is that list's row
//! (`Action::Skipped` and why). Every `git` that talks to the remote runs
//! for a bounded time ([`NETWORK_TIMEOUT_CONFIG_KEY`]); a sync holds the
//! repository's sync lock, so two never fetch into the same refs at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Command, Output};
use std::time::Duration;

use gix::ObjectId;

use crate::domain::merge::{self, Conflict, Reopened};
use crate::domain::model::is_uuid;
use crate::domain::op::Applied;
use crate::domain::trailer;
use crate::store::{Store, StoreError};
use crate::util::interrupt::{self, Finished};
use crate::util::text::{MAX_ECHO, clip, escape, one_line};

/// Where fetched lists are kept: `refs/tasklists-remote/<remote>/<id>`,
/// outside `refs/remotes`, so `git branch -a` does not show them.
pub const TRACKING_PREFIX: &str = "refs/tasklists-remote";
/// Git config key for the remote's ref prefix (default: the local namespace).
pub const REMOTE_PREFIX_CONFIG_KEY: &str = "tasklist.remotePrefix";
/// Git config key: how many seconds one network operation (a `git fetch`
/// or `git push`) may take; 0 for no bound.
pub const NETWORK_TIMEOUT_CONFIG_KEY: &str = "tasklist.networkTimeout";
/// Environment variable that overrides [`NETWORK_TIMEOUT_CONFIG_KEY`].
pub const NETWORK_TIMEOUT_ENV: &str = "GIT_TASKLIST_NETWORK_TIMEOUT";
/// Seconds a network operation may take when nothing is configured.
pub const DEFAULT_NETWORK_TIMEOUT: u64 = 60;
/// Rounds of fetch, merge and push a sync makes while the remote moves.
const MAX_ROUNDS: u32 = 3;
/// Fetch-apply-push rounds a claim makes before giving up.
const MAX_CLAIM_ROUNDS: u32 = 8;
/// How long a lock file left by a stopped `git` must stay before it is
/// taken as left behind (git waits 100 ms for a busy ref lock).
const LOCK_SETTLE: Duration = Duration::from_millis(150);
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
    /// `git push` failed as a whole (unreachable, authentication, …).
    #[error("Pushing task lists to '{remote}' failed: {message}")]
    Push {
        /// The remote.
        remote: String,
        /// What git said.
        message: String,
    },
    /// The remote refused a list's push: a hook, a protected ref, a clash
    /// with a ref it has. Not a race: trying again changes nothing.
    #[error("The remote '{remote}' refused task list {list} ({reason}){}", said(.message.as_deref()))]
    Rejected {
        /// The remote.
        remote: String,
        /// The list.
        list: String,
        /// git's summary of the refusal (`pre-receive hook declined` …).
        reason: String,
        /// What the remote itself said, escaped.
        message: Option<String>,
    },
    /// The remote moved under every attempt to push.
    #[error(
        "The remote '{remote}' changed under {attempts} consecutive attempts to push; try again"
    )]
    Raced {
        /// The remote.
        remote: String,
        /// The attempts made.
        attempts: u32,
    },
    /// A network operation did not finish in time; git was stopped.
    #[error("{what} '{remote}' did not finish within {seconds} s; git was stopped")]
    TimedOut {
        /// The remote.
        remote: String,
        /// What was under way (`Fetching task lists from` …).
        what: &'static str,
        /// The bound.
        seconds: u64,
    },
    /// The network timeout is not a number of seconds.
    #[error("{from} '{value}' is not a number of seconds")]
    BadTimeout {
        /// Where it came from (the variable or the config key).
        from: &'static str,
        /// The value, escaped.
        value: String,
    },
    /// The `git` command could not be run.
    #[error("Cannot run git: {0}")]
    Git(#[from] std::io::Error),
}

fn said(message: Option<&str>) -> String {
    message.map(|m| format!("; it said: {m}")).unwrap_or_default()
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
    /// Left alone (unreadable, not a list, refused, or failed on its own); `detail` says why.
    Skipped,
}

/// One list's outcome.
#[derive(Debug, Clone)]
pub struct ListSync {
    /// The list id (as the ref names it: escape it to print it).
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

impl ListSync {
    fn new(id: &str) -> ListSync {
        ListSync {
            id: id.to_string(),
            title: None,
            action: Action::UpToDate,
            pushed: false,
            conflicts: Vec::new(),
            detail: None,
        }
    }

    fn skip(&mut self, why: impl Into<String>) {
        self.action = Action::Skipped;
        self.pushed = false;
        self.detail = Some(why.into());
    }
}

/// The outcome of a sync.
#[derive(Debug, Clone)]
pub struct SyncReport {
    /// The remote.
    pub remote: String,
    /// Every list, sorted by id.
    pub lists: Vec<ListSync>,
    /// What the remote said when it refused a push (its own words,
    /// escaped and cut short), if it did.
    pub remote_message: Option<String>,
}

impl SyncReport {
    /// How many lists were skipped. A row whose name is not a list id is
    /// not a list and does not count: one stray ref on a remote must not
    /// make every later sync fail.
    pub fn skipped(&self) -> usize {
        self.lists.iter().filter(|l| l.action == Action::Skipped && is_uuid(&l.id)).count()
    }
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
        if let Some(tip) = tip.filter(|_| crate::domain::model::is_uuid(id)) {
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

/// `git ARGS` on the repository. No automatic maintenance after a fetch:
/// it would outlive the fetch (beyond the network bound and the signal
/// passed on, holding `objects/maintenance.lock`), and the store runs git's
/// own housekeeping when objects pile up.
fn git_cmd(store: &Store, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir").arg(store.common_dir());
    cmd.args(["-c", "maintenance.auto=false"]).args(args);
    cmd
}

/// Runs a local `git` command (config, remote names): no network, no bound.
fn git(store: &Store, args: &[&str]) -> Result<Output, SyncError> {
    match interrupt::output(&mut git_cmd(store, args), None, &|| {})? {
        Finished::Exited(out) => Ok(out),
        Finished::TimedOut => Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()),
    }
}

fn git_text(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    one_line(&escape(&lines.join("; ")))
}

/// A remote and the bound on each network operation with it.
struct Net<'a> {
    store: &'a Store,
    remote: &'a str,
    /// `None`: no bound.
    limit: Option<Duration>,
}

/// What a network operation does, as a timeout names it.
const FETCHING: &str = "Fetching task lists from";
const LISTING: &str = "Listing the task lists of";
const PUSHING: &str = "Pushing task lists to";

impl<'a> Net<'a> {
    /// The remote with the bound from the environment
    /// ([`NETWORK_TIMEOUT_ENV`]), else git config
    /// ([`NETWORK_TIMEOUT_CONFIG_KEY`]), else [`DEFAULT_NETWORK_TIMEOUT`].
    fn new(store: &'a Store, remote: &'a str) -> Result<Net<'a>, SyncError> {
        let from_env = std::env::var(NETWORK_TIMEOUT_ENV).ok().filter(|v| !v.trim().is_empty());
        let (from, value) = match from_env {
            Some(v) => (NETWORK_TIMEOUT_ENV, v),
            None => {
                let out = git(store, &["config", "--get", NETWORK_TIMEOUT_CONFIG_KEY])?;
                (NETWORK_TIMEOUT_CONFIG_KEY, String::from_utf8_lossy(&out.stdout).into_owned())
            }
        };
        let value = value.trim();
        let seconds = if value.is_empty() {
            DEFAULT_NETWORK_TIMEOUT
        } else {
            value.parse::<u64>().map_err(|_| SyncError::BadTimeout {
                from,
                value: clip(&escape(value), MAX_ECHO),
            })?
        };
        let limit = (seconds > 0).then(|| Duration::from_secs(seconds));
        Ok(Net { store, remote, limit })
    }

    /// Runs `git args` (which talk to the remote) within the bound; when
    /// it runs out, git is stopped and `what` names what was under way.
    fn run(&self, what: &'static str, args: &[&str]) -> Result<Output, SyncError> {
        let started = std::time::SystemTime::now();
        let tidy = || self.remove_left_locks(started);
        match interrupt::output(&mut git_cmd(self.store, args), self.limit, &tidy)? {
            Finished::Exited(out) => Ok(out),
            Finished::TimedOut => Err(SyncError::TimedOut {
                remote: escape(self.remote),
                what,
                seconds: self.limit.map_or(0, |d| d.as_secs()),
            }),
        }
    }

    /// Removes the lock files a `git` stopped by a signal left behind (git
    /// does, now and then, when a signal lands while it updates refs): those
    /// of this remote's tracking refs and `packed-refs.lock`, created since
    /// `started` and still there a moment later (a live writer holds a lock
    /// for milliseconds; the sync lock keeps other syncs out).
    fn remove_left_locks(&self, started: std::time::SystemTime) {
        let since = started - Duration::from_secs(1);
        let common = self.store.common_dir();
        let mut locks = vec![common.join("packed-refs.lock")];
        let mut dirs = vec![common.join(TRACKING_PREFIX).join(self.remote)];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for e in entries.flatten() {
                match e.file_type() {
                    Ok(t) if t.is_dir() => dirs.push(e.path()),
                    Ok(_) if e.file_name().to_string_lossy().ends_with(".lock") => {
                        locks.push(e.path());
                    }
                    _ => {}
                }
            }
        }
        let fresh = |p: &std::path::Path| {
            std::fs::metadata(p).and_then(|m| m.modified()).is_ok_and(|t| t >= since)
        };
        locks.retain(|p| fresh(p));
        if locks.is_empty() {
            return;
        }
        std::thread::sleep(LOCK_SETTLE);
        for lock in locks.iter().filter(|p| fresh(p)) {
            let _ = std::fs::remove_file(lock);
        }
    }

    /// How long to wait for another sync to finish: one network bound.
    fn lock_wait(&self) -> Duration {
        self.limit.unwrap_or(Duration::from_secs(24 * 60 * 60))
    }

    /// Fetches `specs` into the tracking refs (pruning those the remote no
    /// longer has), or with `dry_run` only the objects, moving no ref.
    fn fetch(&self, specs: &[String], dry_run: bool) -> Result<(), SyncError> {
        let mut args = vec!["fetch", "--quiet", "--no-tags"];
        args.push(if dry_run { "--dry-run" } else { "--prune" });
        args.push(self.remote);
        args.extend(specs.iter().map(String::as_str));
        let out = self.run(FETCHING, &args)?;
        if out.status.success() {
            Ok(())
        } else {
            Err(SyncError::Fetch { remote: escape(self.remote), message: git_text(&out) })
        }
    }
}

/// The remote's own words on a push (its `remote:` lines), escaped, on one
/// line and cut short; `None` when it said nothing.
fn remote_said(out: &Output) -> Option<String> {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("remote:"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    (!lines.is_empty()).then(|| clip(&one_line(&escape(&lines.join("; "))), MAX_ECHO))
}

/// What the remote did with one ref of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pushed {
    /// It took it (or had it already).
    Taken,
    /// It had moved: not a fast-forward. The only race.
    Raced,
    /// It refused it for another reason (git's summary of why).
    Refused(String),
    /// It could not update the ref: a race if the ref moved meanwhile, else
    /// a refusal (see [`push`]).
    Unsure(String),
}

/// Each pushed ref's outcome, by the remote's ref name, from the output of
/// `git push --porcelain` (`<flag>\t<from>:<to>\t<summary>`).
fn push_results(out: &Output) -> HashMap<String, Pushed> {
    let mut results = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut fields = line.split('\t');
        let (Some(flag), Some(refs), summary) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some((_, to)) = refs.rsplit_once(':') else { continue };
        let summary = summary.unwrap_or("").trim();
        let outcome = if flag != "!" {
            Pushed::Taken
        } else {
            // `[rejected] (fetch first)`, `[remote rejected] (hook declined)` …
            let reason = summary
                .rsplit_once('(')
                .map(|(_, r)| r.trim_end_matches(')'))
                .unwrap_or(summary.trim_matches(|c| c == '[' || c == ']'));
            let race = summary.starts_with("[rejected]")
                && matches!(reason, "fetch first" | "non-fast-forward");
            let reason = one_line(&escape(reason));
            match reason.as_str() {
                _ if race => Pushed::Raced,
                // The remote could not move its ref: another push moved it
                // first (a race), or something there stands in the way.
                "failed to update ref" | "failed to lock" => Pushed::Unsure(reason),
                _ => Pushed::Refused(reason),
            }
        };
        results.insert(to.to_string(), outcome);
    }
    results
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

/// [`fetch_spec`], plus a negative refspec for each configured remote named
/// `<remote>/<x>`: its tracking refs sit inside this remote's
/// (`refs/tasklists-remote/<remote>/<x>/…`), and a fetch of this remote must
/// neither prune nor overwrite them.
fn fetch_specs(store: &Store, prefix: &str, remote: &str) -> Result<Vec<String>, SyncError> {
    let mut specs = vec![fetch_spec(prefix, remote)];
    let names = git(store, &["remote"])?;
    let inner = format!("{remote}/");
    for name in String::from_utf8_lossy(&names.stdout).lines() {
        if let Some(rest) = name.trim().strip_prefix(&inner).filter(|r| !r.is_empty()) {
            specs.push(format!("^{prefix}/{rest}/*"));
        }
    }
    Ok(specs)
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

/// Syncs every list with the remote. A list that cannot be synced (not
/// a list, unreadable, locked, a merge over the size limit, refused by the
/// remote) is skipped with the reason in its row; the others are synced.
pub fn sync(store: &Store, session: Option<&str>, opts: &SyncOptions) -> crate::Result<SyncReport> {
    let remote = pick_remote(store, opts.remote.as_deref())?;
    known_remote(store, &remote)?;
    let tracking = format!("{TRACKING_PREFIX}/{remote}");
    let tracked =
        store.with_namespace(&tracking).map_err(|_| SyncError::BadName(escape(&remote)))?;
    let prefix = remote_prefix(store, opts.remote_prefix.as_deref())?;
    let net = Net::new(store, &remote)?;
    let specs = fetch_specs(store, &prefix, &remote)?;
    if opts.dry_run {
        return dry_run(store, session, &net, &prefix, &specs);
    }
    let _lock = store.lock_sync(net.lock_wait())?;
    let mut rows: BTreeMap<String, ListSync> = BTreeMap::new();
    // Lists the remote refused: not offered again this sync.
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut raced: BTreeSet<String> = BTreeSet::new();
    let mut remote_message = None;
    for round in 1..=MAX_ROUNDS {
        net.fetch(&specs, false)?;
        let local = store.list_tips()?;
        let theirs = tracked.list_tips()?;
        let before: HashMap<&str, Option<ObjectId>> =
            theirs.iter().map(|(id, tip)| (id.as_str(), *tip)).collect();
        let mut pushing: Vec<Offer> = Vec::new();
        let was_raced = std::mem::take(&mut raced);
        for row in reconcile(store, session, &remote, &local, &theirs, false) {
            if refused.contains(&row.id) {
                continue;
            }
            // A list settled in an earlier round reads as up to date now:
            // its row stays as that round had it.
            let settled = rows.contains_key(&row.id) && !was_raced.contains(&row.id);
            if row.action == Action::UpToDate && settled {
                continue;
            }
            if row.pushed && !opts.no_push {
                match store.tip(&row.id) {
                    Ok(Some(tip)) => {
                        let seen = before.get(row.id.as_str()).copied().flatten();
                        pushing.push((row.id.clone(), tip, seen));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let mut row = row;
                        row.skip(one_line(&e.to_string()));
                        rows.insert(row.id.clone(), row);
                        continue;
                    }
                }
            }
            rows.insert(row.id.clone(), row);
        }
        if opts.no_push {
            for row in rows.values_mut() {
                row.pushed = false;
            }
        }
        if pushing.is_empty() {
            break;
        }
        for chunk in pushing.chunks(PUSH_CHUNK) {
            let pushed = push(&net, &prefix, chunk)?;
            if pushed.said.is_some() {
                remote_message = pushed.said.clone();
            }
            for (id, tip, seen) in chunk {
                match pushed.results.get(&format!("{prefix}/{id}")) {
                    None => {
                        if let Some(row) = rows.get_mut(id) {
                            row.skip("git push did not report on it; sync again");
                        }
                    }
                    Some(Pushed::Taken) => {
                        // A fetch may have moved it meanwhile: then that one stands.
                        let _ = tracked.move_ref(id, *tip, *seen, "sync: pushed");
                    }
                    Some(Pushed::Raced | Pushed::Unsure(_)) => {
                        raced.insert(id.clone());
                    }
                    Some(Pushed::Refused(reason)) => {
                        refused.insert(id.clone());
                        if let Some(row) = rows.get_mut(id) {
                            row.skip(format!("the remote refused it ({reason})"));
                        }
                    }
                }
            }
        }
        if raced.is_empty() {
            break;
        }
        if round == MAX_ROUNDS {
            for id in &raced {
                if let Some(row) = rows.get_mut(id) {
                    row.skip(format!(
                        "the remote changed under {MAX_ROUNDS} consecutive attempts to push it; sync again"
                    ));
                }
            }
        }
    }
    Ok(SyncReport { remote, lists: rows.into_values().collect(), remote_message })
}

/// What one `git push` did.
struct PushOutcome {
    /// Each ref's outcome, by the remote's ref name.
    results: HashMap<String, Pushed>,
    /// What the remote said, when it refused something.
    said: Option<String>,
}

/// Pushes each list's commit by its id (so that what the remote took is
/// known exactly) to `<prefix>/<id>`; each list comes with the tip the
/// remote was seen at (`None`: it had none). A push that fails as a whole
/// (no outcome per ref: unreachable, authentication …) is an error. When
/// the remote could not update a ref, a look at it tells a race (it moved
/// from the tip seen) from a refusal (it did not).
fn push(net: &Net<'_>, prefix: &str, lists: &[Offer]) -> Result<PushOutcome, SyncError> {
    let specs: Vec<String> =
        lists.iter().map(|(id, tip, _)| format!("{tip}:{prefix}/{id}")).collect();
    let mut args = vec!["push", "--porcelain", net.remote];
    args.extend(specs.iter().map(String::as_str));
    let out = net.run(PUSHING, &args)?;
    let mut results = push_results(&out);
    if !out.status.success() && !results.values().any(|r| *r != Pushed::Taken) {
        return Err(SyncError::Push { remote: escape(net.remote), message: git_text(&out) });
    }
    let unsure: Vec<String> = lists
        .iter()
        .map(|(id, _, _)| format!("{prefix}/{id}"))
        .filter(|name| matches!(results.get(name), Some(Pushed::Unsure(_))))
        .collect();
    if !unsure.is_empty() {
        let mut args = vec!["ls-remote", "--refs", net.remote];
        args.extend(unsure.iter().map(String::as_str));
        let listed = net.run(LISTING, &args)?;
        let now: HashMap<String, ObjectId> = remote_tips(&listed).into_iter().collect();
        for (id, _, seen) in lists {
            let name = format!("{prefix}/{id}");
            if let Some(Pushed::Unsure(reason)) = results.get(&name) {
                let moved = now.get(&name).copied() != *seen;
                let outcome = if moved { Pushed::Raced } else { Pushed::Refused(reason.clone()) };
                results.insert(name, outcome);
            }
        }
    }
    let refused = results.values().any(|r| matches!(r, Pushed::Refused(_)));
    Ok(PushOutcome { said: if refused { remote_said(&out) } else { None }, results })
}

/// A list offered to the remote: its id, the commit, and the remote's tip
/// when last seen.
type Offer = (String, ObjectId, Option<ObjectId>);

/// `(ref name, tip)` of each line of `git ls-remote`.
fn remote_tips(out: &Output) -> Vec<(String, ObjectId)> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (oid, name) = line.split_once('\t')?;
            Some((name.to_string(), ObjectId::from_hex(oid.trim().as_bytes()).ok()?))
        })
        .collect()
}

/// `sync --dry-run`: what the remote has comes from `git ls-remote`, and
/// the objects needed to tell what would happen from `git fetch --dry-run`;
/// no ref moves, here or there.
fn dry_run(
    store: &Store,
    session: Option<&str>,
    net: &Net<'_>,
    prefix: &str,
    specs: &[String],
) -> crate::Result<SyncReport> {
    let pattern = format!("{prefix}/*");
    let listed = net.run(LISTING, &["ls-remote", "--refs", net.remote, &pattern])?;
    if !listed.status.success() {
        let message = git_text(&listed);
        return Err(SyncError::Fetch { remote: escape(net.remote), message }.into());
    }
    let dir = format!("{prefix}/");
    let mut theirs: Vec<(String, Option<ObjectId>)> = Vec::new();
    for (name, tip) in remote_tips(&listed) {
        // Only names directly under the prefix (`ls-remote` matches tails).
        if let Some(id) = name.strip_prefix(&dir).filter(|id| !id.contains('/')) {
            theirs.push((id.to_string(), Some(tip)));
        }
    }
    net.fetch(specs, true)?;
    let local = store.list_tips()?;
    let lists = reconcile(store, session, net.remote, &local, &theirs, true);
    Ok(SyncReport { remote: net.remote.to_string(), lists, remote_message: None })
}

/// Decides and applies, per list, what the local and remote tips call for.
/// Only the refs are compared; a list is read only when it is created,
/// fast-forwarded or merged here. A list's failure is its own row.
fn reconcile(
    store: &Store,
    session: Option<&str>,
    remote: &str,
    local: &[(String, Option<ObjectId>)],
    theirs: &[(String, Option<ObjectId>)],
    dry_run: bool,
) -> Vec<ListSync> {
    let mut ids: BTreeMap<&str, Tips> = BTreeMap::new();
    for (id, tip) in local {
        ids.entry(id.as_str()).or_default().0 = Some(*tip);
    }
    for (id, tip) in theirs {
        ids.entry(id.as_str()).or_default().1 = Some(*tip);
    }
    let mut out = Vec::with_capacity(ids.len());
    for (id, tips) in ids {
        let mut item = ListSync::new(id);
        if !is_uuid(id) {
            item.skip("its name is not a list id (a UUID); left alone");
        } else if let Err(e) = settle(store, session, remote, id, tips, dry_run, &mut item) {
            item.skip(one_line(&e.to_string()));
        }
        out.push(item);
    }
    out
}

/// A list's tip here and on the remote: `None` when there is no ref, `Some(None)`
/// when the ref cannot be resolved.
type Tips = (Option<Option<ObjectId>>, Option<Option<ObjectId>>);

/// What one list calls for, done (unless `dry_run`) and recorded in `item`.
fn settle(
    store: &Store,
    session: Option<&str>,
    remote: &str,
    id: &str,
    (mine, other): Tips,
    dry_run: bool,
    item: &mut ListSync,
) -> crate::Result<()> {
    match (mine, other) {
        (None, None) => {}
        (Some(None), _) => item.skip("its ref here cannot be resolved"),
        (_, Some(None)) => item.skip("the remote's ref cannot be resolved"),
        (None, Some(Some(o))) => match store.read_at(id, o) {
            Err(e) => item.skip(format!("the remote's copy is unreadable: {e}")),
            Ok(s) => {
                item.title = Some(s.list.title);
                item.action = Action::New;
                if !dry_run && !store.move_ref(id, o, None, "sync: new")? {
                    item.skip("it was created here meanwhile; sync again");
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
            (_, Err(e)) => item.skip(format!("the remote's copy is unreadable: {e}")),
            (Err(e), _) => item.skip(e.to_string()),
            (Ok(_), Ok(theirs)) if store.is_ancestor(m, o) => {
                item.title = Some(theirs.list.title);
                item.action = Action::FastForward;
                if !dry_run && !store.move_ref(id, o, Some(m), "sync: fast-forward")? {
                    item.skip("it changed here meanwhile; sync again");
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
    Ok(())
}

/// The merge of our state at `tip` with theirs at `remote_tip`.
fn plan_merge(
    store: &Store,
    tip: ObjectId,
    ours: &crate::domain::model::TaskList,
    remote_tip: ObjectId,
    theirs: &crate::domain::model::TaskList,
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
    let change = |before: Option<&crate::domain::model::TaskList>, ctx: &crate::domain::op::Ctx| {
        let ours = before.ok_or(crate::domain::op::OpError::NoList)?;
        let tip = ctx.tip.as_deref().and_then(|t| ObjectId::from_hex(t.as_bytes()).ok());
        let merged = match tip {
            Some(tip) => plan_merge(store, tip, ours, remote_tip, &theirs),
            None => Ok(merge::merge(None, ours, &theirs, &Reopened::default())),
        };
        let merged = merged.map_err(|_| crate::domain::op::OpError::NoList)?;
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
            StoreError::Op(crate::domain::op::OpError::NoList) => {
                StoreError::ListNotFound(escape(id))
            }
            e => e,
        },
    )?;
    Ok(resolved.into_inner())
}

/// Claims a task with the remote as the arbiter: fetch the list, apply the
/// change on top of the remote's tip (merged with this clone's first), push
/// that commit — the remote's refusal of a non-fast-forward push is the
/// compare-and-swap — and only then make it here. A push that lost the race
/// fetches and applies the change again on the new remote tip; the pending
/// claim is never merged with someone else's. When another session now
/// holds the task, the error names it and no claim is left here; a push the
/// remote refuses for another reason is an error with its own words.
pub fn claim(
    store: &Store,
    session: Option<&str>,
    remote: Option<&str>,
    id: &str,
    op: &crate::domain::op::Op,
) -> crate::Result<crate::store::Committed> {
    let remote = pick_remote(store, remote)?;
    known_remote(store, &remote)?;
    let prefix = remote_prefix(store, None)?;
    let tracking = format!("{TRACKING_PREFIX}/{remote}");
    let tracked =
        store.with_namespace(&tracking).map_err(|_| SyncError::BadName(escape(&remote)))?;
    let net = Net::new(store, &remote)?;
    let _lock = store.lock_sync(net.lock_wait())?;
    for _ in 0..MAX_CLAIM_ROUNDS {
        let spec = format!("+{prefix}/{id}:{tracking}/{id}");
        let fetched = net.run(FETCHING, &["fetch", "--quiet", "--no-tags", &remote, &spec])?;
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
        let pushed = push(&net, &prefix, &[(id.to_string(), done.tip, theirs)])?;
        match pushed.results.get(&format!("{prefix}/{id}")) {
            Some(Pushed::Raced | Pushed::Unsure(_)) => continue,
            Some(Pushed::Refused(reason)) => {
                return Err(SyncError::Rejected {
                    remote: escape(&remote),
                    list: escape(id),
                    reason: reason.clone(),
                    message: pushed.said,
                }
                .into());
            }
            Some(Pushed::Taken) | None => {}
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
    Err(SyncError::Raced { remote: escape(&remote), attempts: MAX_CLAIM_ROUNDS }.into())
}
