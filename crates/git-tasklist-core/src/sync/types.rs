//! What a sync reports and takes: the outcome per list, the options, the
//! tracking state, and the names and keys sync uses.

use crate::domain::merge::Conflict;
use crate::domain::model::is_uuid;

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
/// Git config key: how many lists one `git push` carries at most.
pub const PUSH_BATCH_CONFIG_KEY: &str = "tasklist.pushBatch";
/// Environment variable that overrides [`PUSH_BATCH_CONFIG_KEY`].
pub const PUSH_BATCH_ENV: &str = "GIT_TASKLIST_PUSH_BATCH";
/// Lists per `git push` when nothing is configured.
pub const DEFAULT_PUSH_BATCH: usize = 2_000;

/// How far a sync's pushing has come: reported after each `git push`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncProgress {
    /// Lists pushed (or settled by the remote's answer) so far this round.
    pub pushed: usize,
    /// Lists this round pushes in all.
    pub total: usize,
}

/// What happened to one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
    pub(super) fn new(id: &str) -> ListSync {
        ListSync {
            id: id.to_string(),
            title: None,
            action: Action::UpToDate,
            pushed: false,
            conflicts: Vec::new(),
            detail: None,
        }
    }

    pub(super) fn skip(&mut self, why: impl Into<String>) {
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
#[non_exhaustive]
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

/// What this repository knows of a remote's lists without asking the
/// remote: enough to tell someone with no lists here where theirs may be.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RemoteLists {
    /// The remote's name.
    pub remote: String,
    /// Whether git config names it (`git remote` lists it).
    pub configured: bool,
    /// Whether its fetch refspec for the lists is there (`init`), so that a
    /// plain `git fetch` brings them.
    pub fetch_configured: bool,
    /// How many lists its last fetch brought (under `refs/tasklists-remote/<remote>/`).
    pub fetched: usize,
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
