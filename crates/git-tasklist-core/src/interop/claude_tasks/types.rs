//! The limits and names the task files' reading and writing share.

use crate::store::MAX_STATE_BYTES;

/// Largest task file read. Claude Code's are a few hundred bytes, but an
/// export of the largest list writes more: a title is written twice
/// (`subject`, `activeForm`) and JSON escapes the invisible characters that
/// TOML keeps raw (`\u202e`: 6 bytes for 3), so one task of a list at the
/// 8 MiB limit can take up to 4 × 8 MiB. With room for the fields around,
/// every file an export writes is read back.
pub const MAX_FILE_BYTES: u64 = 4 * MAX_STATE_BYTES + (1 << 20);
/// Most task files one import reads.
pub const MAX_FILES: usize = 10_000;
/// The file holding the highest task id issued, as text.
pub const HIGHWATERMARK: &str = ".highwatermark";
/// How many skipped files the error of an import that read none names.
pub(super) const WHY_SHOWN: usize = 3;
/// The key of a task's `extra` holding its Claude Code id after an import.
pub const CLAUDE_ID_KEY: &str = "claude_id";
/// The source named in the import's commit subject.
pub const SOURCE: &str = "Claude Code";
