//! The commands a briefing or a document tells the next session to run.

use crate::store::DEFAULT_NAMESPACE;
use crate::util::text::shell_quote;

/// `git tasklist REST` as a user types it to reach the lists of `namespace`:
/// with `--namespace NS` when that is not the default.
pub fn tasklist_command(namespace: &str, rest: &str) -> String {
    if namespace == DEFAULT_NAMESPACE {
        format!("git tasklist {rest}")
    } else {
        format!("git tasklist --namespace {} {rest}", shell_quote(namespace))
    }
}
