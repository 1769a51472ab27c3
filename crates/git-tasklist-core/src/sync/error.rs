//! The errors of a sync, an init and a claim.

use crate::store::StoreError;

/// Errors talking to a remote.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// The remote's object format is not this repository's: git cannot
    /// move commits between a SHA-1 and a SHA-256 repository.
    #[error(
        "Remote '{remote}' uses {theirs} object ids and this repository uses {ours}; git cannot sync between a SHA-1 and a SHA-256 repository"
    )]
    ObjectFormats {
        /// The remote.
        remote: String,
        /// This repository's format.
        ours: String,
        /// The remote's format.
        theirs: String,
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
    /// The push batch size is not a whole number of lists above zero.
    #[error("{from} '{value}' is not a number of lists (1 or more)")]
    BadBatch {
        /// Where it came from (the variable or the config key).
        from: &'static str,
        /// The value, escaped.
        value: String,
    },
    /// The `git` command could not be run.
    #[error("Cannot run git: {0}")]
    Git(#[from] std::io::Error),
    /// `git config` refused to add the fetch refspec.
    #[error("Adding the fetch refspec of the task lists to remote '{remote}' failed: {message}")]
    Config {
        /// The remote.
        remote: String,
        /// What git said.
        message: String,
    },
    /// Reading or writing a list here failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Result alias for sync.
pub type SyncResult<T> = Result<T, SyncError>;

fn said(message: Option<&str>) -> String {
    message.map(|m| format!("; it said: {m}")).unwrap_or_default()
}
