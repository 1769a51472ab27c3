//! Why an install cannot be planned or written.

use std::path::PathBuf;

use git_tasklist_core::file::ReadError;
use git_tasklist_core::text::escape;

/// Why an install cannot be planned or written.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// An existing file that cannot be read.
    #[error("Cannot read {}: {source}", escape(&.path.display().to_string()))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: ReadError,
    },
    /// An existing JSON file that does not parse.
    #[error("{} is not valid JSON ({detail}); nothing was written", escape(&.path.display().to_string()))]
    NotJson {
        /// The file.
        path: PathBuf,
        /// The parser's words.
        detail: String,
    },
    /// An existing TOML file that does not parse.
    #[error("{} is not valid TOML ({detail}); nothing was written", escape(&.path.display().to_string()))]
    NotToml {
        /// The file.
        path: PathBuf,
        /// The parser's words.
        detail: String,
    },
    /// An existing file whose structure has no room for our entries.
    #[error("Cannot install into {}: {what}; nothing was written", escape(&.path.display().to_string()))]
    Shape {
        /// The file.
        path: PathBuf,
        /// What is in the way.
        what: String,
    },
    /// Something that should be a directory is not.
    #[error("{} is not a directory; nothing was written", escape(&.path.display().to_string()))]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A symlink to nothing where a file goes.
    #[error("{} is a symlink to a file that does not exist; nothing was written", escape(&.path.display().to_string()))]
    Dangling {
        /// The symlink.
        path: PathBuf,
    },
    /// A file reached through a symlink that leads outside where the install writes.
    #[error(
        "{} leads to {} through a symlink, outside {what} {}; nothing was written",
        escape(&.path.display().to_string()),
        escape(&.target.display().to_string()),
        escape(&.root.display().to_string())
    )]
    Outside {
        /// The file.
        path: PathBuf,
        /// Where it leads.
        target: PathBuf,
        /// What the install stays inside: `the project's work tree` ….
        what: &'static str,
        /// That directory.
        root: PathBuf,
    },
    /// A file changed between planning and writing.
    #[error("{} changed while installing; run the command again", escape(&.path.display().to_string()))]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// Writing a file failed; nothing was changed.
    #[error("Cannot write {}: {source}; nothing was written", escape(&.path.display().to_string()))]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing a file failed, and so did putting back what was written before it.
    #[error(
        "Cannot write {}: {source}; and {} could not be put back as {} was",
        escape(&.path.display().to_string()),
        .left.iter().map(|p| escape(&p.display().to_string())).collect::<Vec<_>>().join(", "),
        if .left.len() == 1 { "it" } else { "they" }
    )]
    HalfWritten {
        /// The file whose write failed.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// Files written before it that still hold the new text.
        left: Vec<PathBuf>,
    },
    /// No home directory to install into.
    #[error("HOME is not set, so the user's configuration cannot be found")]
    NoHome,
    /// The program's own path cannot be used.
    #[error("Cannot tell where this program is: {0}")]
    Program(String),
    /// A shipped template did not render (a bug).
    #[error("The shipped template {name} did not render: {detail}")]
    Render {
        /// Which one.
        name: &'static str,
        /// minijinja's words.
        detail: String,
    },
}

/// Result alias for installs.
pub type InstallResult<T> = Result<T, InstallError>;
