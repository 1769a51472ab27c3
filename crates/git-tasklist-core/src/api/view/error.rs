//! The view of a failure.

use schemars::JsonSchema;
use serde::Serialize;

/// A failure, as `--json` prints it on stderr.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorView {
    /// One sentence.
    pub error: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The process exit code.
    pub exit_code: u8,
    /// A stable name for the kind of failure (`held_by_other`, `needs_reopen`,
    /// `list_not_found` …), for programs to match on.
    pub code: String,
}
