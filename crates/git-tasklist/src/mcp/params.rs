//! The tools' parameters, as an MCP client sends them (camelCase, with the
//! aliases agents reach for).

use schemars::JsonSchema;
use serde::Deserialize;

/// A task for `TaskListCreate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewTaskParams {
    /// Task id (slug); default: from the subject.
    #[serde(default, alias = "taskId")]
    pub id: Option<String>,
    /// What the task is (its title).
    #[serde(alias = "title")]
    pub subject: String,
    /// Task ids it waits for.
    #[serde(default, alias = "depends_on", alias = "dependsOn")]
    pub blocked_by: Vec<String>,
}

/// `TaskListCreate` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateParams {
    /// The list's title (default: the template's).
    #[serde(default)]
    pub title: Option<String>,
    /// Tasks in plan order.
    #[serde(default)]
    pub tasks: Vec<NewTaskParams>,
    /// Template: migration, feature, bugfix, refactor, release, …
    #[serde(default)]
    pub template: Option<String>,
    /// Copy the tasks of this list.
    #[serde(default)]
    pub from: Option<String>,
    /// Each task waits for the previous.
    #[serde(default)]
    pub sequential: bool,
}

/// A list reference.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
}

/// `TaskListList` parameters.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct AllParams {
    /// Include archived lists.
    #[serde(default)]
    pub all: bool,
}

/// `TaskCreate` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// What the task is (its title).
    #[serde(alias = "title")]
    pub subject: String,
    /// Stored as the task's note.
    #[serde(default)]
    pub description: Option<String>,
    /// Task id (slug); default: from the subject.
    #[serde(default, alias = "id")]
    pub task_id: Option<String>,
    /// Insert after this task (default: at the end).
    #[serde(default)]
    pub after: Option<String>,
    /// Task ids it waits for.
    #[serde(default, alias = "depends_on", alias = "dependsOn")]
    pub blocked_by: Vec<String>,
}

/// `TaskUpdate` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// The task id.
    #[serde(alias = "id", alias = "task")]
    pub task_id: String,
    /// pending | in_progress | completed | blocked | cancelled.
    #[serde(default)]
    pub status: Option<String>,
    /// Replaces the task's note.
    #[serde(default, alias = "description")]
    pub note: Option<String>,
    /// Allow leaving completed.
    #[serde(default)]
    pub reopen: bool,
    /// Take a task another session holds.
    #[serde(default, alias = "take_over")]
    pub take_over: bool,
    /// Start or finish before its prerequisites.
    #[serde(default, alias = "out_of_order")]
    pub out_of_order: bool,
}

/// `TaskListVerify` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct VerifyParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// TASK=STATUS seen last session.
    #[serde(default)]
    pub expect: Vec<String>,
    /// Commit whose failure to accept (with note), if the user agreed.
    #[serde(default)]
    pub accept: Option<String>,
    /// Why it is acceptable.
    #[serde(default)]
    pub note: Option<String>,
}

/// `TaskListHandoff` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HandoffParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// Where things stand; what next.
    #[serde(default)]
    pub note: String,
}
