//! The store's errors: why a repository cannot be opened, why a list cannot
//! be read, and every failure of a read or a write.

use std::path::PathBuf;

use gix::ObjectId;

use super::types::{BoxError, MAX_STATE_BYTES, oid};
use crate::domain::id::CommitId;
use crate::domain::model::{ModelError, STATE_FILE};
use crate::domain::op::OpError;
use crate::util::text::{escape, one_line};

/// Why a repository could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotARepo {
    /// The starting directory does not exist.
    #[error("no such directory")]
    NoDirectory,
    /// No `.git` at or above the starting directory (with what gix reported).
    #[error("no .git found here or in any parent directory")]
    NotFound(#[source] BoxError),
    /// Anything else gix reported.
    #[error("{}", one_line(&.0.to_string()))]
    Other(#[source] BoxError),
}

/// What kind of object a ref points to, when it is not a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectKind {
    /// A tree.
    Tree,
    /// A blob.
    Blob,
    /// An annotated tag.
    Tag,
    /// A commit.
    Commit,
}

impl ObjectKind {
    /// The kind of a gix object.
    pub(crate) fn of(kind: gix::object::Kind) -> ObjectKind {
        match kind {
            gix::object::Kind::Tree => ObjectKind::Tree,
            gix::object::Kind::Blob => ObjectKind::Blob,
            gix::object::Kind::Tag => ObjectKind::Tag,
            gix::object::Kind::Commit => ObjectKind::Commit,
        }
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ObjectKind::Tree => "tree",
            ObjectKind::Blob => "blob",
            ObjectKind::Tag => "tag",
            ObjectKind::Commit => "commit",
        })
    }
}

/// What is wrong with a list that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The ref does not point to any object.
    #[error("the ref does not point to an object")]
    NoTarget,
    /// The ref cannot be peeled to an object.
    #[error("the ref cannot be resolved ({})", one_line(&.0.to_string()))]
    BadRef(#[source] BoxError),
    /// The ref points to something other than a commit.
    #[error("the ref points to a {0}, not a commit")]
    NotACommit(ObjectKind),
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

/// How a list was looked up by what a user typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// As the start of its id.
    Prefix,
    /// By its exact title.
    Title,
}

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// An id prefix shorter than [`MIN_PREFIX`](crate::store::MIN_PREFIX) characters.
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
        /// What it matched: the start of several ids, or several titles.
        by: Lookup,
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

pub(crate) fn unreadable(id: &str, commit: ObjectId, problem: Problem) -> StoreError {
    StoreError::Unreadable {
        list: escape(id),
        commit: commit.to_hex_with_len(12).to_string(),
        problem,
    }
}

/// The object id of `commit` in this repository, else list `id`'s
/// unreadable error (an id of another object format).
pub(crate) fn object_id(id: &str, commit: CommitId) -> StoreResult<ObjectId> {
    oid(commit).ok_or_else(|| StoreError::Unreadable {
        list: escape(id),
        commit: commit.short(12),
        problem: Problem::Missing("it is not an object id of this repository".into()),
    })
}

/// The object id of `commit` in this repository, else a git error: an id
/// of another object format names no commit here.
pub(crate) fn commit_object(commit: CommitId) -> StoreResult<ObjectId> {
    oid(commit).ok_or_else(|| StoreError::Git {
        context: "reading a commit".into(),
        source: format!("{commit} is not an object id of this repository").into(),
    })
}
