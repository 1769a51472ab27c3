//! The network: every `git` that talks to the remote (fetch, ls-remote,
//! push), each within the network bound, and what git said about a push.

use std::collections::HashMap;
use std::process::{Command, Output};
use std::time::Duration;

use crate::domain::id::CommitId;

use super::error::SyncError;
use super::types::{
    DEFAULT_NETWORK_TIMEOUT, DEFAULT_PUSH_BATCH, NETWORK_TIMEOUT_CONFIG_KEY, NETWORK_TIMEOUT_ENV,
    PUSH_BATCH_CONFIG_KEY, PUSH_BATCH_ENV, TRACKING_PREFIX,
};
use crate::store::{GitConfig, PackedEdit, Store};
use crate::util::interrupt::{self, Finished};
use crate::util::text::{MAX_ECHO, clip, escape, one_line};

/// How long a lock file left by a stopped `git` must stay before it is
/// taken as left behind (git waits 100 ms for a busy ref lock).
const LOCK_SETTLE: Duration = Duration::from_millis(150);

/// `git ARGS` on the repository. No automatic maintenance after a fetch:
/// it would outlive the fetch (beyond the network bound and the signal
/// passed on, holding `objects/maintenance.lock`), and the store runs git's
/// own housekeeping when objects pile up.
pub(super) fn git_cmd(store: &Store, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir").arg(store.common_dir());
    cmd.args(["-c", "maintenance.auto=false"]).args(args);
    cmd
}

pub(super) fn git_text(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    one_line(&escape(&lines.join("; ")))
}

/// A remote and the bound on each network operation with it.
pub(super) struct Net<'a> {
    store: &'a Store,
    pub(super) remote: &'a str,
    /// The configuration read at the start of the sync.
    config: &'a GitConfig,
    /// `None`: no bound.
    limit: Option<Duration>,
}

/// What a network operation does, as a timeout names it.
pub(super) const FETCHING: &str = "Fetching task lists from";
pub(super) const LISTING: &str = "Listing the task lists of";
pub(super) const PUSHING: &str = "Pushing task lists to";

impl<'a> Net<'a> {
    /// The remote with the bound from the environment
    /// ([`NETWORK_TIMEOUT_ENV`]), else git config
    /// ([`NETWORK_TIMEOUT_CONFIG_KEY`]), else [`DEFAULT_NETWORK_TIMEOUT`].
    pub(super) fn new(
        store: &'a Store,
        config: &'a GitConfig,
        remote: &'a str,
    ) -> Result<Net<'a>, SyncError> {
        let from_env = std::env::var(NETWORK_TIMEOUT_ENV).ok().filter(|v| !v.trim().is_empty());
        let (from, value) = match from_env {
            Some(v) => (NETWORK_TIMEOUT_ENV, v),
            None => (NETWORK_TIMEOUT_CONFIG_KEY, config.get(NETWORK_TIMEOUT_CONFIG_KEY)),
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
        Ok(Net { store, remote, config, limit })
    }

    /// Runs `git args` (which talk to the remote) within the bound; when
    /// it runs out, git is stopped and `what` names what was under way.
    pub(super) fn run(&self, what: &'static str, args: &[&str]) -> Result<Output, SyncError> {
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
    /// of this remote's tracking refs, `packed-refs.lock` and a reftable
    /// repository's (`reftable/*.lock`), created since
    /// `started` and still there a moment later (a live writer holds a lock
    /// for milliseconds; the sync lock keeps other syncs out).
    fn remove_left_locks(&self, started: std::time::SystemTime) {
        let since = started - Duration::from_secs(1);
        let common = self.store.common_dir();
        // In a reftable repository, the table list's lock and those of the
        // tables being compacted (git 2.47's reftable code does not remove
        // them when a signal ends git).
        let mut locks = vec![common.join("packed-refs.lock")];
        let mut dirs =
            vec![common.join(TRACKING_PREFIX).join(self.remote), common.join("reftable")];
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

    /// Lists per `git push`: the environment ([`PUSH_BATCH_ENV`]), else
    /// git config ([`PUSH_BATCH_CONFIG_KEY`]), each a fixed size; else
    /// [`DEFAULT_PUSH_BATCH`] to start with, growing (see [`Net::next_batch`]).
    pub(super) fn push_batch(&self) -> Result<PushBatch, SyncError> {
        let from_env = std::env::var(PUSH_BATCH_ENV).ok().filter(|v| !v.trim().is_empty());
        let (from, value) = match from_env {
            Some(v) => (PUSH_BATCH_ENV, v),
            None => (PUSH_BATCH_CONFIG_KEY, self.config.get(PUSH_BATCH_CONFIG_KEY)),
        };
        let value = value.trim();
        if value.is_empty() {
            return Ok(PushBatch { first: DEFAULT_PUSH_BATCH, grows: true });
        }
        match value.parse::<usize>() {
            Ok(n) if n > 0 => Ok(PushBatch { first: n, grows: false }),
            _ => Err(SyncError::BadBatch { from, value: clip(&escape(value), MAX_ECHO) }),
        }
    }

    /// The size of the batch after one of `size` lists that took `took`:
    /// twice as large (up to [`MAX_GROWN_BATCH`]) while a push takes under
    /// a quarter of the network bound, so that the remote's advertisement
    /// of every ref it has, which each push starts with, is read a few
    /// times rather than once per 2,000 lists; half as large (not below
    /// the first) once one takes over half of it.
    pub(super) fn next_batch(&self, batch: PushBatch, size: usize, took: Duration) -> usize {
        if !batch.grows {
            return size;
        }
        match self.limit {
            Some(limit) if took * 2 > limit => (size / 2).max(batch.first),
            Some(limit) if took * 4 > limit => size,
            _ => size.saturating_mul(2).min(MAX_GROWN_BATCH.max(batch.first)),
        }
    }

    /// How long to wait for another sync to finish: one network bound.
    pub(super) fn lock_wait(&self) -> Duration {
        self.limit.unwrap_or(Duration::from_secs(24 * 60 * 60))
    }

    /// Fetches `specs` into the tracking refs (pruning those the remote no
    /// longer has), or with `dry_run` only the objects, moving no ref.
    pub(super) fn fetch(&self, specs: &[String], dry_run: bool) -> Result<(), SyncError> {
        let mut args = vec!["fetch", "--quiet", "--no-tags"];
        args.push(if dry_run { "--dry-run" } else { "--prune" });
        args.push(self.remote);
        args.extend(specs.iter().map(String::as_str));
        let out = self.run(FETCHING, &args)?;
        if out.status.success() {
            Ok(())
        } else {
            Err(self.formats_differ(&out).unwrap_or_else(|| SyncError::Fetch {
                remote: escape(self.remote),
                message: git_text(&out),
            }))
        }
    }

    /// The error for a git run that failed because the remote's object
    /// format is not ours (git says so in a few wordings, by direction).
    pub(super) fn formats_differ(&self, out: &std::process::Output) -> Option<SyncError> {
        let text = String::from_utf8_lossy(&out.stderr);
        let mismatch = ["mismatched algorithms", "hash algorithm", "object format"]
            .iter()
            .any(|w| text.contains(w));
        if !mismatch {
            return None;
        }
        let ours = self.store.object_format();
        let theirs = if ours == "SHA-1" { "SHA-256" } else { "SHA-1" };
        Some(SyncError::ObjectFormats {
            remote: escape(self.remote),
            ours: ours.into(),
            theirs: theirs.into(),
        })
    }
}

/// The largest push an unconfigured sync grows to: some hosts fail one
/// push of many more refs.
const MAX_GROWN_BATCH: usize = 10_000;

/// How many lists a sync's pushes carry.
#[derive(Debug, Clone, Copy)]
pub(super) struct PushBatch {
    /// Lists in the first push.
    pub(super) first: usize,
    /// Whether later pushes carry more (nothing configured) or as many.
    pub(super) grows: bool,
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
pub(super) enum Pushed {
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

/// What one `git push` did.
pub(super) struct PushOutcome {
    /// Each ref's outcome, by the remote's ref name.
    pub(super) results: HashMap<String, Pushed>,
    /// What the remote said, when it refused something.
    pub(super) said: Option<String>,
}

/// Pushes each list's commit by its id (so that what the remote took is
/// known exactly) to `<prefix>/<id>`; each list comes with the tip the
/// remote was seen at (`None`: it had none). A push that fails as a whole
/// (no outcome per ref: unreachable, authentication …) is an error. When
/// the remote could not update a ref, a look at it tells a race (it moved
/// from the tip seen) from a refusal (it did not).
pub(super) fn push(net: &Net<'_>, prefix: &str, lists: &[Offer]) -> Result<PushOutcome, SyncError> {
    let staged = lists.len() > STAGE_OVER;
    let specs: Vec<String> = if staged {
        stage(net.store, lists)?;
        vec![format!("{STAGING}/*:{prefix}/*")]
    } else {
        lists.iter().map(|(id, tip, _)| format!("{tip}:{prefix}/{id}")).collect()
    };
    let mut args = vec!["push", "--porcelain", net.remote];
    args.extend(specs.iter().map(String::as_str));
    let pushed = net.run(PUSHING, &args);
    if staged {
        // Whatever the push did: the next one stages afresh.
        let deletes: Vec<PackedEdit> = lists
            .iter()
            .map(|(id, _, _)| PackedEdit {
                name: format!("{STAGING}/{id}"),
                new: None,
                expected: None,
            })
            .collect();
        edit_refs(net.store, &deletes)?;
    }
    let out = pushed?;
    let mut results = push_results(&out);
    if !out.status.success() && !results.values().any(|r| *r != Pushed::Taken) {
        return Err(net.formats_differ(&out).unwrap_or_else(|| SyncError::Push {
            remote: escape(net.remote),
            message: git_text(&out),
        }));
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
        let now: HashMap<String, CommitId> = remote_tips(&listed).into_iter().collect();
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

/// Where a batch of lists waits to be pushed: `git push` matches each
/// explicit refspec against every local ref (at 10,000 lists, 500 refspecs
/// took 10 s of CPU), while one glob refspec over these refs is matched
/// once. Under the sync lock, so no other sync uses it meanwhile.
const STAGING: &str = "refs/tasklists-push";
/// Pushes of more lists than this go through [`STAGING`].
const STAGE_OVER: usize = 20;

/// Points `refs/tasklists-push/<id>` at each list's commit, in one write
/// that also deletes whatever an interrupted sync left there (so the glob
/// pushes exactly `lists`).
fn stage(store: &Store, lists: &[Offer]) -> Result<(), SyncError> {
    let batch: std::collections::HashSet<&str> =
        lists.iter().map(|(id, _, _)| id.as_str()).collect();
    let mut edits = Vec::with_capacity(lists.len());
    for (name, _) in store.refs_under(&format!("{STAGING}/"))? {
        let left = name.strip_prefix(&format!("{STAGING}/")).is_none_or(|id| !batch.contains(id));
        if left {
            edits.push(PackedEdit { name, new: None, expected: None });
        }
    }
    for (id, tip, _) in lists {
        let name = format!("{STAGING}/{id}");
        edits.push(PackedEdit { name, new: Some(*tip), expected: None });
    }
    edit_refs(store, &edits)
}

/// Applies `edits` (none with an expected value) in one write of
/// `packed-refs`; what that cannot do (reftable, a loose ref) goes through
/// one `git update-ref --stdin`.
fn edit_refs(store: &Store, edits: &[PackedEdit]) -> Result<(), SyncError> {
    // Reftable, or `packed-refs` held by another writer past git's wait:
    // every edit the ordinary way.
    let left: Vec<&PackedEdit> = match store.edit_packed(edits) {
        Ok(Some(names)) => {
            let names: std::collections::HashSet<String> = names.into_iter().collect();
            edits.iter().filter(|e| names.contains(&e.name)).collect()
        }
        Ok(None) | Err(_) => edits.iter().collect(),
    };
    if left.is_empty() {
        return Ok(());
    }
    let input: String = left
        .iter()
        .map(|e| match e.new {
            Some(tip) => format!("update {} {tip}\n", e.name),
            None => format!("delete {}\n", e.name),
        })
        .collect();
    update_refs(store, &input)
}

/// Points the remote-tracking ref of each list the remote took (`id`,
/// the commit pushed, the remote's tip seen before) at that commit, in
/// one write of `packed-refs` (reftable: one transaction); a ref that is
/// loose, or that a fetch moved meanwhile, is moved the ordinary way, and
/// then one a fetch moved stands.
pub(super) fn record_taken(tracked: &Store, taken: &[Offer]) {
    let edits: Vec<PackedEdit> = taken
        .iter()
        .map(|(id, tip, seen)| PackedEdit {
            name: tracked.ref_name(id),
            new: Some(*tip),
            expected: Some(*seen),
        })
        .collect();
    let left: Option<std::collections::HashSet<String>> = match tracked.edit_packed(&edits) {
        Ok(Some(names)) => Some(names.into_iter().collect()),
        // Reftable: one transaction of them all, when none moved meanwhile.
        Ok(None) => {
            let input: String = edits
                .iter()
                .map(|e| match (e.new, e.expected.flatten()) {
                    (Some(tip), Some(old)) => format!("update {} {tip} {old}\n", e.name),
                    (Some(tip), None) => format!("create {} {tip}\n", e.name),
                    (None, _) => String::new(),
                })
                .collect();
            update_refs(tracked, &input).ok().map(|()| Default::default())
        }
        Err(_) => None,
    };
    for (id, tip, seen) in taken {
        if left.as_ref().is_none_or(|l| l.contains(&tracked.ref_name(id))) {
            let _ = tracked.move_ref(id, *tip, *seen, "sync: pushed");
        }
    }
}

/// `git update-ref --stdin` with `input`: one local transaction.
fn update_refs(store: &Store, input: &str) -> Result<(), SyncError> {
    use std::io::Write as _;
    // A signal waits for the transaction: a process that died at once would
    // leave git writing on, its lock in place after we are gone.
    let _hold = interrupt::hold();
    let mut cmd = git_cmd(store, &["update-ref", "--stdin"]);
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(SyncError::Git(std::io::Error::other(git_text(&out))))
    }
}

/// A list offered to the remote: its id, the commit, and the remote's tip
/// when last seen.
pub(super) type Offer = (String, CommitId, Option<CommitId>);

/// `(ref name, tip)` of each line of `git ls-remote`.
pub(super) fn remote_tips(out: &Output) -> Vec<(String, CommitId)> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (oid, name) = line.split_once('\t')?;
            Some((name.to_string(), oid.trim().parse().ok()?))
        })
        .collect()
}
