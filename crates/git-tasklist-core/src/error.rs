//! The library's error: every failure a front end can meet, typed so a
//! caller can match on what happened (held by another session, needs a
//! reopen, not found …) instead of on text, with one [`ErrorKind`] that each
//! front end maps to its own signal (the CLI to an exit code).

pub use crate::domain::model::session_ok;
use crate::domain::model::{MAX_SESSION_LEN, ModelError, UnknownStatus};
use crate::domain::op::OpError;
use crate::store::StoreError;
use crate::workflow::handoff::HandoffError;
use crate::workflow::plan::PlanError;
use crate::workflow::template::TemplateError;

/// Any failure of a library call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Git, the store, or an op that does not fit the list.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A template that cannot be found or used.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Talking to a git remote failed.
    #[error(transparent)]
    Sync(crate::sync::SyncError),
    /// A handoff template that cannot be used.
    #[error(transparent)]
    Handoff(HandoffError),
    /// A value that is not valid (a task id that is not a slug …).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Claude Code task files that cannot be imported or exported.
    #[error(transparent)]
    Claude(#[from] crate::claude_tasks::ClaudeError),
    /// A status name that matches no status.
    #[error(transparent)]
    Status(#[from] UnknownStatus),
    /// A session id that is empty, too long or has spaces or control characters.
    #[error(
        "Session id '{}' is not valid; use 1 to {MAX_SESSION_LEN} visible characters without spaces",
        crate::util::text::escape(.0)
    )]
    InvalidSession(String),
    /// A new list without a title, a template or a source list.
    #[error("Task list title is missing")]
    NoTitle,
    /// A new list from both a template and another list.
    #[error("A task list starts from a template or from another list, not both")]
    TemplateAndFrom,
    /// Blocking a task without saying why.
    #[error("Block reason is empty")]
    EmptyReason,
    /// A change that names nothing to change.
    #[error("Nothing to update")]
    NothingToChange,
}

/// Result alias for library calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<PlanError> for Error {
    /// The errors of the layers below keep their own variants.
    fn from(e: PlanError) -> Error {
        match e {
            PlanError::Store(e) => Error::Store(e),
            PlanError::Template(e) => Error::Template(e),
            PlanError::NoTitle => Error::NoTitle,
            PlanError::TemplateAndFrom => Error::TemplateAndFrom,
        }
    }
}

impl From<HandoffError> for Error {
    /// A store error keeps its own variant.
    fn from(e: HandoffError) -> Error {
        match e {
            HandoffError::Store(e) => Error::Store(e),
            e => Error::Handoff(e),
        }
    }
}

impl From<crate::sync::SyncError> for Error {
    /// A store error keeps its own variant.
    fn from(e: crate::sync::SyncError) -> Error {
        match e {
            crate::sync::SyncError::Store(e) => Error::Store(e),
            e => Error::Sync(e),
        }
    }
}

impl From<OpError> for Error {
    fn from(e: OpError) -> Error {
        Error::Store(StoreError::Op(e))
    }
}

/// What kind of failure an [`Error`] is: the one decision every front end
/// maps to its own signal (DESIGN §4: exit 1, 2, 3 or 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input, unreadable data, a git failure.
    Invalid,
    /// The request is incomplete (nothing to change, no title).
    Usage,
    /// A list, task or template was not found.
    NotFound,
    /// Held by another session, a guarded transition, a race not resolvable.
    Conflict,
}

impl Error {
    /// The op error inside, if this is one.
    pub fn op(&self) -> Option<&OpError> {
        match self {
            Error::Store(StoreError::Op(e)) => Some(e),
            _ => None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind::*;
        match self {
            Error::Store(StoreError::ListNotFound(_) | StoreError::PrefixTooShort(_)) => NotFound,
            Error::Store(StoreError::RaceLost { .. })
            | Error::Sync(crate::sync::SyncError::Raced { .. }) => Conflict,
            Error::Store(StoreError::Op(e)) => match e {
                OpError::TaskNotFound { .. } | OpError::NoList => NotFound,
                OpError::HeldByOther { .. }
                | OpError::NeedsReopen { .. }
                | OpError::OutOfOrder { .. }
                | OpError::TaskExists { .. }
                | OpError::ListExists(_) => Conflict,
                OpError::DuplicateTask(_)
                | OpError::SelfDependency(_)
                | OpError::EmptyTitle
                | OpError::InvalidTasks(_) => Invalid,
            },
            Error::Template(TemplateError::NotFound { .. }) => NotFound,
            Error::NoTitle | Error::NothingToChange | Error::TemplateAndFrom => Usage,
            _ => Invalid,
        }
    }

    /// A stable name for this kind of failure, for programs to match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Store(e) => match e {
                StoreError::NotARepo { .. } => "not_a_repository",
                StoreError::PrefixTooShort(_) => "prefix_too_short",
                StoreError::ListNotFound(_) => "list_not_found",
                StoreError::Ambiguous { .. } => "ambiguous",
                StoreError::Unreadable { .. } => "unreadable",
                StoreError::Op(op) => match op {
                    OpError::TaskNotFound { .. } => "task_not_found",
                    OpError::HeldByOther { .. } => "held_by_other",
                    OpError::NeedsReopen { .. } => "needs_reopen",
                    OpError::OutOfOrder { .. } => "out_of_order",
                    OpError::TaskExists { .. } => "task_exists",
                    OpError::ListExists(_) => "list_exists",
                    OpError::NoList => "list_not_found",
                    OpError::DuplicateTask(_) => "duplicate_task",
                    OpError::SelfDependency(_) => "self_dependency",
                    OpError::EmptyTitle => "empty_title",
                    OpError::InvalidTasks(_) => "invalid_tasks",
                },
                StoreError::LockHeld { .. } => "lock_held",
                StoreError::SyncRunning { .. } => "sync_running",
                StoreError::RaceLost { .. } => "race_lost",
                StoreError::OddRef { .. } => "odd_ref",
                StoreError::TooLarge { .. } => "too_large",
                StoreError::Reftable(_) => "unsupported_repository",
                StoreError::BadNamespace(_) => "bad_namespace",
                StoreError::Render(_) => "render_failed",
                StoreError::Git { .. } => "git_failed",
            },
            Error::Template(TemplateError::NotFound { .. }) => "template_not_found",
            Error::Template(TemplateError::Invalid { .. }) => "template_invalid",
            Error::Template(TemplateError::Refused { .. }) => "template_refused",
            Error::Handoff(_) => "handoff_template",
            Error::Sync(crate::sync::SyncError::UnknownRemote(_)) => "unknown_remote",
            Error::Sync(crate::sync::SyncError::Fetch { .. }) => "fetch_failed",
            Error::Sync(crate::sync::SyncError::Push { .. }) => "push_failed",
            Error::Sync(crate::sync::SyncError::Rejected { .. }) => "push_refused",
            Error::Sync(crate::sync::SyncError::Raced { .. }) => "push_raced",
            Error::Sync(crate::sync::SyncError::TimedOut { .. }) => "network_timeout",
            Error::Sync(crate::sync::SyncError::BadTimeout { .. }) => "invalid_value",
            Error::Sync(crate::sync::SyncError::Config { .. }) => "config_failed",
            Error::Sync(_) => "sync_failed",
            Error::Model(_) => "invalid_value",
            Error::Claude(e) => {
                use crate::claude_tasks::ClaudeError as C;
                match e {
                    C::NoDir(_) => "no_directory",
                    C::NotADir(_) => "not_a_directory",
                    C::Dir { .. } => "directory_unreadable",
                    C::NoTasks { .. } => "no_tasks",
                    C::TooMany { .. } => "too_many_tasks",
                    C::Cycle { .. } => "dependency_cycle",
                    C::Tasks { .. } => "invalid_tasks",
                    C::Exists { .. } => "task_files_exist",
                    C::Write { .. } | C::HalfWritten { .. } => "write_failed",
                    C::TooBig { .. } => "too_large",
                    C::Changed { .. } => "changed",
                }
            }
            Error::Status(_) => "unknown_status",
            Error::InvalidSession(_) => "invalid_session",
            Error::NoTitle => "no_title",
            Error::TemplateAndFrom => "template_and_from",
            Error::EmptyReason => "empty_reason",
            Error::NothingToChange => "nothing_to_change",
        }
    }
}

/// What a caller can do about a failure, as data: each front end words it
/// in its own terms (the CLI as flags and commands, the MCP server as tool
/// parameters), so the library names neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Listing every list (ids and titles) shows the one meant.
    ListLists,
    /// More characters of the id name one list.
    LongerPrefix,
    /// Work inside a git repository, or name one.
    Repository,
    /// Showing the list names the tasks it has.
    ShowTasks,
    /// The task can be taken over from the session holding it, explicitly.
    TakeOver,
    /// A completed task changes only when reopened, explicitly.
    Reopen,
    /// Finish the prerequisites first, or go ahead out of order, explicitly.
    OutOfOrder,
    /// A new list needs a title, a template or a list to copy.
    Title,
    /// A change needs a status and/or a note.
    StatusOrNote,
    /// The task files already there can be replaced, explicitly.
    ReplaceTaskFiles,
    /// Where Claude Code keeps a list's task files.
    ClaudeTasksDir,
    /// The task files' `blockedBy`/`blocks` form a cycle to fix.
    FixTaskFileCycle,
    /// The network operation may be given more time.
    NetworkTimeout,
    /// Another sync ran at the same time: sync again.
    SyncAgain,
}

impl Error {
    /// What a caller can do about this failure, if something.
    pub fn hint(&self) -> Option<Hint> {
        use crate::claude_tasks::ClaudeError as C;
        Some(match self {
            Error::Store(StoreError::ListNotFound(_)) => Hint::ListLists,
            Error::Store(StoreError::Ambiguous { .. }) => Hint::LongerPrefix,
            Error::Store(StoreError::NotARepo { .. }) => Hint::Repository,
            Error::Store(StoreError::Op(op)) => match op {
                OpError::TaskNotFound { .. } => Hint::ShowTasks,
                OpError::HeldByOther { .. } => Hint::TakeOver,
                OpError::NeedsReopen { .. } => Hint::Reopen,
                OpError::OutOfOrder { .. } => Hint::OutOfOrder,
                _ => return None,
            },
            Error::NoTitle => Hint::Title,
            Error::NothingToChange => Hint::StatusOrNote,
            Error::Claude(C::Exists { .. }) => Hint::ReplaceTaskFiles,
            Error::Claude(C::NoDir(_) | C::NoTasks { .. }) => Hint::ClaudeTasksDir,
            Error::Claude(C::Cycle { .. }) => Hint::FixTaskFileCycle,
            Error::Sync(crate::sync::SyncError::TimedOut { .. }) => Hint::NetworkTimeout,
            Error::Sync(crate::sync::SyncError::Raced { .. }) => Hint::SyncAgain,
            _ => return None,
        })
    }
}
