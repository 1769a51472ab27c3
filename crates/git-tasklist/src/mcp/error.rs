//! A failed tool call as the agent gets it.

use rmcp::ErrorData;
use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use serde::Serialize;

use git_tasklist_core::text::{MAX_ECHO, clip};
use git_tasklist_core::{Error, Hint};

/// A failed call as the agent gets it: the library's sentence, its stable
/// code, and what to do about it in the tool's own parameter names.
#[derive(Debug, Clone, Serialize)]
pub struct ToolError {
    /// One sentence.
    pub error: String,
    /// A stable name for the kind of failure (`held_by_other`, `needs_reopen`,
    /// `list_not_found` …): the library's [`Error::code`].
    pub code: String,
    /// What to do about it, if something.
    pub hint: Option<String>,
}

/// The longest error sentence returned (a sentence can quote what the agent
/// sent, such as a list name).
pub(super) const MAX_ERROR: usize = 4 * MAX_ECHO;

impl ToolError {
    /// A failure that is no library error, such as an argument of the wrong shape.
    pub(super) fn invalid(message: String, hint: &str) -> ToolError {
        ToolError { error: message, code: "invalid_argument".into(), hint: Some(hint.into()) }
    }
}

impl From<Error> for ToolError {
    fn from(e: Error) -> ToolError {
        let hint = e.hint().and_then(|h| match h {
            Hint::ListLists => Some("TaskListList shows every list with its id and title"),
            Hint::LongerPrefix => Some("give more characters of the id in list"),
            Hint::FullId => Some("give list the full id of one of those listed"),
            Hint::Repository => {
                Some("start the server inside a git repository, or with --repo PATH")
            }
            Hint::ShowTasks { .. } => Some("TaskListGet shows the list's tasks and their ids"),
            Hint::TakeOver => Some("pass takeOver: true to take it over"),
            Hint::Reopen => Some("pass reopen: true to change it"),
            Hint::OutOfOrder => Some("finish that task first, or pass outOfOrder: true"),
            Hint::Title => Some("pass title, template or from"),
            Hint::StatusOrNote => Some("pass status and/or note"),
            // No tool imports, exports or syncs.
            Hint::ReplaceTaskFiles
            | Hint::ClaudeTasksDir
            | Hint::FixTaskFileCycle
            | Hint::NetworkTimeout
            | Hint::SyncAgain => None,
            _ => None,
        });
        ToolError {
            error: clip(&e.to_string(), MAX_ERROR),
            code: e.code().into(),
            hint: hint.map(String::from),
        }
    }
}

impl IntoCallToolResult for ToolError {
    fn into_call_tool_result(self) -> Result<CallToolResponse, ErrorData> {
        let mut text = format!("{}\nCode: {}", self.error, self.code);
        if let Some(h) = &self.hint {
            text.push_str(&format!("\nHint: {h}"));
        }
        let value = serde_json::to_value(&self)
            .map_err(|e| ErrorData::internal_error(format!("Output failed: {e}"), None))?;
        let mut result = CallToolResult::structured_error(value);
        result.content = vec![ContentBlock::text(text)];
        Ok(result.into())
    }
}
