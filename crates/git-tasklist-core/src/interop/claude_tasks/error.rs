//! Why an import or an export of Claude Code task files did not happen.

use super::types::MAX_FILES;
use crate::domain::model::{Cycle, DependencyError};
use crate::store::{MAX_STATE_BYTES, StoreError};

/// Why an import or an export did not happen (nothing was written).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClaudeError {
    /// The directory is not there.
    #[error("Directory '{0}' does not exist")]
    NoDir(String),
    /// The path is there but is no directory.
    #[error("'{0}' is not a directory")]
    NotADir(String),
    /// Listing or creating the directory failed.
    #[error("Cannot read directory '{dir}': {source}")]
    Dir {
        /// The directory.
        dir: String,
        /// What the file system said.
        source: std::io::Error,
    },
    /// Not one usable task file.
    #[error("{}", no_tasks(dir, *skipped, *deleted, why))]
    NoTasks {
        /// The directory.
        dir: String,
        /// Task files that were there but could not be used.
        skipped: usize,
        /// Tasks marked `deleted`.
        deleted: usize,
        /// Why the first of them could not (`1.json: it is empty; …`).
        why: String,
    },
    /// A file changed between the two reads of an import.
    #[error("'{file}' in '{dir}' changed while it was read; nothing was imported")]
    Changed {
        /// The directory.
        dir: String,
        /// The file.
        file: String,
    },
    /// More titles and notes than one list can hold.
    #[error(
        "The Claude Code tasks in '{dir}' hold more than {} MiB of titles and notes, more than one list can hold; nothing was imported",
        MAX_STATE_BYTES >> 20
    )]
    TooBig {
        /// The directory.
        dir: String,
    },
    /// More task files than one import takes.
    #[error("'{dir}' holds more than {MAX_FILES} task files; nothing was imported")]
    TooMany {
        /// The directory.
        dir: String,
    },
    /// `blockedBy`/`blocks` go round in a circle.
    #[error(
        "The Claude Code tasks in '{dir}' block each other in a cycle ({cycle}); nothing was imported"
    )]
    Cycle {
        /// The directory.
        dir: String,
        /// The tasks of the cycle, by their new ids.
        cycle: Cycle,
    },
    /// The tasks' dependencies are not valid otherwise.
    #[error(
        "The Claude Code tasks in '{dir}' do not make a valid list ({source}); nothing was imported"
    )]
    Tasks {
        /// The directory.
        dir: String,
        /// What is wrong.
        source: DependencyError,
    },
    /// Exporting over task files that are there already.
    #[error("'{dir}' already holds {count} Claude Code task file{}; nothing was written", if *.count == 1 { "" } else { "s" })]
    Exists {
        /// The directory.
        dir: String,
        /// How many `*.json` files it holds.
        count: usize,
    },
    /// Writing a file failed; nothing was changed.
    #[error("Cannot write '{path}': {source}; nothing was written")]
    Write {
        /// The file.
        path: String,
        /// What the file system said.
        source: std::io::Error,
    },
    /// Creating the list failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing a file failed, and so did putting back what was there.
    #[error("Cannot write '{path}': {source}; and {left} could not be put back as they were")]
    HalfWritten {
        /// The file.
        path: String,
        /// What the file system said.
        source: std::io::Error,
        /// The files left changed.
        left: String,
    },
}

/// The message of [`ClaudeError::NoTasks`].
pub(super) fn no_tasks(dir: &str, skipped: usize, deleted: usize, why: &str) -> String {
    match skipped {
        0 if deleted > 0 => format!(
            "Every Claude Code task in '{dir}' is deleted ({deleted}); nothing was imported"
        ),
        0 => format!("No Claude Code task file in '{dir}'; nothing was imported"),
        1 => format!(
            "The one Claude Code task file in '{dir}' cannot be used ({why}); nothing was imported"
        ),
        n => format!(
            "None of the {n} Claude Code task files in '{dir}' can be used ({why}); nothing was imported"
        ),
    }
}

/// Result alias for this module.
pub type ClaudeResult<T> = Result<T, ClaudeError>;
