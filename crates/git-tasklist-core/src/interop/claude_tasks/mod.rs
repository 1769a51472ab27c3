//! Claude Code's task files (`~/.claude/tasks/<list>/1.json`, `2.json`, …,
//! `.highwatermark`, `.lock`): read into a new list, and a list written out
//! as them.
//!
//! The layout is Claude Code's undocumented internal state, so reading is
//! forgiving (ids as strings or numbers, optional fields missing, unknown
//! fields ignored; a file that cannot be used is reported and skipped) and
//! writing is strict (every field Claude Code writes, with the types it
//! writes them in).

mod error;
mod export;
mod files;
pub mod mirror;
mod read;
mod types;

pub use error::{ClaudeError, ClaudeResult};
pub use export::{Exported, ExportedTask, export};
pub(crate) use read::import;
pub use read::{Imported, Read, Warning, read};
pub use types::{CLAUDE_ID_KEY, HIGHWATERMARK, MAX_FILE_BYTES, MAX_FILES, SOURCE};
