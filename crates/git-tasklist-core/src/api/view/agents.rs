//! The views of the agent front ends' commands: importing and exporting
//! Claude Code task files, and installing into an agent's configuration.

use schemars::JsonSchema;
use serde::Serialize;

use super::list::ChangeView;
use crate::domain::model::TaskList;
use crate::interop::claude_tasks::{Exported, Imported};

/// Something `import` skipped or changed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImportWarningView {
    /// The file it is about (its name in the directory), if one.
    pub file: Option<String>,
    /// What happened.
    pub message: String,
}

/// The outcome of `import claude`: the new list, and what was left out.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImportView {
    /// The new list.
    #[serde(flatten)]
    pub change: ChangeView,
    /// The directory read.
    pub dir: String,
    /// Tasks imported.
    pub imported: usize,
    /// Tasks marked `deleted` in Claude Code, left out.
    pub deleted: usize,
    /// Files skipped, references dropped, values changed.
    pub warnings: Vec<ImportWarningView>,
}

impl ImportView {
    /// The view of an import.
    pub fn of(done: &Imported, reference: &str, session: Option<&str>) -> ImportView {
        ImportView {
            change: ChangeView::of(&done.committed, reference, session),
            dir: done.dir.display().to_string(),
            imported: done.committed.list.tasks.len(),
            deleted: done.deleted,
            warnings: done
                .warnings
                .iter()
                .map(|w| ImportWarningView { file: w.file.clone(), message: w.message.clone() })
                .collect(),
        }
    }
}

/// One task file `export claude` wrote.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExportedTaskView {
    /// The file, e.g. `1.json`.
    pub file: String,
    /// Its Claude Code id, e.g. `1`.
    pub claude_id: String,
    /// Our task id.
    pub task: String,
    /// The status Claude Code got: `pending`, `in_progress` or `completed`.
    pub status: String,
}

/// The outcome of `export claude`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExportView {
    /// The list id.
    pub list: String,
    /// The list's title.
    pub title: String,
    /// The directory written.
    pub dir: String,
    /// The task files, in plan order.
    pub tasks: Vec<ExportedTaskView>,
    /// The value written to `.highwatermark`.
    pub highwatermark: usize,
    /// Old task files removed (with `--force`).
    pub removed: Vec<String>,
}

impl ExportView {
    /// The view of an export of `list`.
    pub fn of(list: &TaskList, done: &Exported) -> ExportView {
        ExportView {
            list: list.id.clone(),
            title: list.title.clone(),
            dir: done.dir.display().to_string(),
            tasks: done
                .tasks
                .iter()
                .map(|t| ExportedTaskView {
                    file: t.file.clone(),
                    claude_id: t.claude_id.clone(),
                    task: t.task.to_string(),
                    status: t.claude_status.to_string(),
                })
                .collect(),
            highwatermark: done.highwatermark,
            removed: done.removed.clone(),
        }
    }
}

/// One file of an install.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InstalledFileView {
    /// The file.
    pub path: String,
    /// What the install did (or, with --dry-run, would do) to it.
    pub action: InstallAction,
    /// With --dry-run: the unified diff (empty when unchanged); else null.
    pub diff: Option<String>,
}

/// The output of `install claude` and `install codex`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InstallView {
    /// The agent: `claude` or `codex`.
    pub agent: String,
    /// Where: `project`, `user` or `plugin`.
    pub scope: String,
    /// The program written into hooks and MCP entries (a name found on
    /// PATH, else an absolute path).
    pub program: String,
    /// True when nothing was written.
    pub dry_run: bool,
    /// Every file, in the order written.
    pub files: Vec<InstalledFileView>,
}

/// What an install does (or would do) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Action")]
#[non_exhaustive]
pub enum InstallAction {
    /// The file is new.
    Created,
    /// The file changed.
    Updated,
    /// The file already says what it should.
    Unchanged,
}

impl InstallAction {
    /// The word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            InstallAction::Created => "created",
            InstallAction::Updated => "updated",
            InstallAction::Unchanged => "unchanged",
        }
    }
}
