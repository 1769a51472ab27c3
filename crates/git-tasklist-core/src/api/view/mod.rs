//! Typed views: what every front end shows a program. The CLI's `--json`
//! prints them, the MCP server returns them as structured content, and their
//! JSON schema (schemars) is the output schema of both. Fields are only ever
//! added; times are RFC 3339 UTC strings; absent optional values are `null`.
//!
//! One file per feature: [`list`] (a list, its summaries, a change, the
//! next step), [`history`] (the log, the checks, the resume briefing),
//! [`templates`], [`sync`], [`board`], [`agents`] (Claude Code files and
//! installs), [`error`], and [`schema`] (the JSON schema of each).

pub mod agents;
pub mod board;
pub mod error;
pub mod history;
pub mod list;
pub mod schema;
pub mod sync;
pub mod templates;

pub use agents::{
    ExportView, ExportedTaskView, ImportView, ImportWarningView, InstallAction, InstallView,
    InstalledFileView,
};
pub use board::{BoardEntryView, BoardListView, BoardView, StatusCountsView};
pub use error::ErrorView;
pub use history::{
    AcceptedView, CheckView, FailureView, LeftOpenView, LogEntryView, LogView, ResumeVerdictView,
    ResumeView, VerdictView, VerifyView,
};
pub use list::{
    ChangeView, HandoffNoteView, HandoffView, ListSummaryView, ListView, ListsView, NextStepView,
    NextView, ProgressView, TaskChangeView, TaskView, UnreadableView, WaitingView,
};
pub use schema::schemas;
pub use sync::{ConflictView, InitView, ListSyncView, SyncView, TrackingView};
pub use templates::{TemplateEntryView, TemplateTaskView, TemplateView, TemplatesView};
