//! The library's error: every failure a front end can meet, typed so a
//! caller can match on what happened (held by another session, needs a
//! reopen, not found …) instead of on text, with one [`ErrorKind`] that each
//! front end maps to its own signal (the CLI to an exit code), a stable
//! [`code`](Error::code) and a typed [`Hint`] each front end words.
//!
//! The modules below have their own errors; this one aggregates them. An
//! error of a lower layer carried by a module's error (a store error inside
//! a sync error …) becomes that layer's own variant here, so one failure has
//! one variant whichever call met it. Kind, code and hint come from one
//! place: [`Error::class`], one arm per variant.

use crate::domain::model::{MAX_SESSION_LEN, ModelError, UnknownStatus};
use crate::domain::op::OpError;
use crate::interop::claude_tasks::ClaudeError;
use crate::store::{Lookup, StoreError};
use crate::sync::SyncError;
use crate::util::text::escape;
use crate::workflow::accept::AcceptError;
use crate::workflow::handoff::HandoffError;
use crate::workflow::plan::PlanError;
use crate::workflow::template::TemplateError;

/// Any failure of a library call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Git, the store, or an op that does not fit the list.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A template that cannot be found or used.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A new list that cannot be planned (no title, a template and a list).
    #[error(transparent)]
    Plan(PlanError),
    /// Talking to a git remote failed.
    #[error(transparent)]
    Sync(SyncError),
    /// A handoff template that cannot be used.
    #[error(transparent)]
    Handoff(HandoffError),
    /// A value that is not valid (a task id that is not a slug …).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Claude Code task files that cannot be imported or exported.
    #[error(transparent)]
    Claude(ClaudeError),
    /// A status name that matches no status.
    #[error(transparent)]
    Status(#[from] UnknownStatus),
    /// A session id that is empty, too long or has spaces or control characters.
    #[error(
        "Session id '{}' is not valid; use 1 to {MAX_SESSION_LEN} visible characters without spaces",
        escape(.0)
    )]
    InvalidSession(String),
    /// Blocking a task without saying why.
    #[error("Block reason is empty")]
    EmptyReason,
    /// A change that names nothing to change.
    #[error("Nothing to update")]
    NothingToChange,
    /// An acceptance of a verification failure was refused.
    #[error(transparent)]
    Accept(AcceptError),
}

impl From<AcceptError> for Error {
    fn from(e: AcceptError) -> Error {
        match e {
            AcceptError::Store(e) => Error::Store(e),
            e => Error::Accept(e),
        }
    }
}

/// Result alias for library calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<PlanError> for Error {
    /// The errors of the layers below keep their own variants.
    fn from(e: PlanError) -> Error {
        match e {
            PlanError::Store(e) => Error::Store(e),
            PlanError::Template(e) => Error::Template(e),
            e => Error::Plan(e),
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

impl From<SyncError> for Error {
    /// A store error keeps its own variant.
    fn from(e: SyncError) -> Error {
        match e {
            SyncError::Store(e) => Error::Store(e),
            e => Error::Sync(e),
        }
    }
}

impl From<ClaudeError> for Error {
    /// A store error keeps its own variant.
    fn from(e: ClaudeError) -> Error {
        match e {
            ClaudeError::Store(e) => Error::Store(e),
            e => Error::Claude(e),
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
#[non_exhaustive]
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

/// What a caller can do about a failure, as data: each front end words it
/// in its own terms (the CLI as flags and commands, the MCP server as tool
/// parameters), so the library names neither.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Listing every list (ids and titles) shows the one meant.
    ListLists,
    /// More characters of the id name one list.
    LongerPrefix,
    /// Several lists have that title: the full id (each is in the message) names one.
    FullId,
    /// Work inside a git repository, or name one.
    Repository,
    /// Showing the list names the tasks it has.
    ShowTasks {
        /// The list's id.
        list: String,
    },
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

/// How a failure is classified: its kind, its stable code and its hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// What kind of failure it is.
    pub kind: ErrorKind,
    /// A stable name for it, for programs to match on.
    pub code: &'static str,
    /// What a caller can do about it, if something.
    pub hint: Option<Hint>,
}

const fn class(kind: ErrorKind, code: &'static str, hint: Option<Hint>) -> Class {
    Class { kind, code, hint }
}

/// An invalid-input failure without a hint.
const fn invalid(code: &'static str) -> Class {
    class(ErrorKind::Invalid, code, None)
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
        self.class().kind
    }

    /// A stable name for this kind of failure, for programs to match on.
    pub fn code(&self) -> &'static str {
        self.class().code
    }

    /// What a caller can do about this failure, if something.
    pub fn hint(&self) -> Option<Hint> {
        self.class().hint
    }

    /// Kind, code and hint together: the one place they are decided.
    pub fn class(&self) -> Class {
        use ErrorKind::*;
        match self {
            Error::Store(e) => store_class(e),
            Error::Template(e) => template_class(e),
            Error::Plan(e) => match e {
                PlanError::NoTitle => class(Usage, "no_title", Some(Hint::Title)),
                PlanError::TemplateAndFrom => class(Usage, "template_and_from", None),
                PlanError::Template(e) => template_class(e),
                PlanError::Store(e) => store_class(e),
                PlanError::NotRecorded { .. } => invalid("continuation_not_recorded"),
            },
            Error::Handoff(HandoffError::Store(e)) => store_class(e),
            Error::Handoff(_) => invalid("handoff_template"),
            Error::Sync(e) => sync_class(e),
            Error::Model(_) => invalid("invalid_value"),
            Error::Claude(e) => claude_class(e),
            Error::Status(_) => invalid("unknown_status"),
            Error::InvalidSession(_) => invalid("invalid_session"),
            Error::EmptyReason => invalid("empty_reason"),
            Error::NothingToChange => class(Usage, "nothing_to_change", Some(Hint::StatusOrNote)),
            Error::Accept(e) => accept_class(e),
        }
    }
}

fn accept_class(e: &AcceptError) -> Class {
    match e {
        AcceptError::EmptyNote => invalid("empty_note"),
        AcceptError::BadCommit(_) => invalid("invalid_commit"),
        AcceptError::UnknownCommit { .. } => class(ErrorKind::NotFound, "commit_not_found", None),
        AcceptError::Ambiguous { .. } => invalid("ambiguous_commit"),
        AcceptError::NotAFailure { .. } => invalid("not_a_failure"),
        AcceptError::AlreadyAccepted { .. } => invalid("already_accepted"),
        AcceptError::Store(e) => store_class(e),
    }
}

fn template_class(e: &TemplateError) -> Class {
    match e {
        TemplateError::NotFound { .. } => class(ErrorKind::NotFound, "template_not_found", None),
        TemplateError::Invalid { .. } => invalid("template_invalid"),
        TemplateError::Refused { .. } => invalid("template_refused"),
    }
}

fn store_class(e: &StoreError) -> Class {
    use ErrorKind::*;
    match e {
        StoreError::NotARepo { .. } => class(Invalid, "not_a_repository", Some(Hint::Repository)),
        StoreError::PrefixTooShort(_) => class(NotFound, "prefix_too_short", None),
        StoreError::ListNotFound(_) => class(NotFound, "list_not_found", Some(Hint::ListLists)),
        StoreError::Ambiguous { by: Lookup::Title, .. } => {
            class(Invalid, "ambiguous", Some(Hint::FullId))
        }
        StoreError::Ambiguous { .. } => class(Invalid, "ambiguous", Some(Hint::LongerPrefix)),
        StoreError::Unreadable { .. } => invalid("unreadable"),
        StoreError::Op(e) => op_class(e),
        StoreError::LockHeld { .. } => invalid("lock_held"),
        StoreError::SyncRunning { .. } => invalid("sync_running"),
        StoreError::RaceLost { .. } => class(Conflict, "race_lost", None),
        StoreError::OddRef { .. } => invalid("odd_ref"),
        StoreError::TooLarge { .. } => invalid("too_large"),
        StoreError::BadNamespace(_) => invalid("bad_namespace"),
        StoreError::Render(_) => invalid("render_failed"),
        StoreError::Git { .. } => invalid("git_failed"),
    }
}

fn op_class(e: &OpError) -> Class {
    use ErrorKind::*;
    match e {
        OpError::TaskNotFound { id, .. } => {
            class(NotFound, "task_not_found", Some(Hint::ShowTasks { list: id.clone() }))
        }
        OpError::HeldByOther { .. } => class(Conflict, "held_by_other", Some(Hint::TakeOver)),
        OpError::NeedsReopen { .. } => class(Conflict, "needs_reopen", Some(Hint::Reopen)),
        OpError::OutOfOrder { .. } => class(Conflict, "out_of_order", Some(Hint::OutOfOrder)),
        OpError::TaskExists { .. } => class(Conflict, "task_exists", None),
        OpError::ListExists(_) => class(Conflict, "list_exists", None),
        OpError::NoList => class(NotFound, "list_not_found", None),
        OpError::DuplicateTask(_) => invalid("duplicate_task"),
        OpError::SelfDependency(_) => invalid("self_dependency"),
        OpError::EmptyTitle => invalid("empty_title"),
        OpError::InvalidTasks(_) => invalid("invalid_tasks"),
    }
}

fn sync_class(e: &SyncError) -> Class {
    use ErrorKind::*;
    match e {
        SyncError::UnknownRemote(_) => invalid("unknown_remote"),
        SyncError::BadName(_) => invalid("sync_failed"),
        SyncError::Fetch { .. } => invalid("fetch_failed"),
        SyncError::Push { .. } => invalid("push_failed"),
        SyncError::ObjectFormats { .. } => invalid("unsupported_repository"),
        SyncError::Rejected { .. } => invalid("push_refused"),
        SyncError::Raced { .. } => class(Conflict, "push_raced", Some(Hint::SyncAgain)),
        SyncError::TimedOut { .. } => class(Invalid, "network_timeout", Some(Hint::NetworkTimeout)),
        SyncError::BadTimeout { .. } | SyncError::BadBatch { .. } => invalid("invalid_value"),
        SyncError::Git(_) => invalid("sync_failed"),
        SyncError::Config { .. } => invalid("config_failed"),
        SyncError::Store(e) => store_class(e),
    }
}

fn claude_class(e: &ClaudeError) -> Class {
    use ClaudeError as C;
    match e {
        C::NoDir(_) => class(ErrorKind::Invalid, "no_directory", Some(Hint::ClaudeTasksDir)),
        C::NotADir(_) => invalid("not_a_directory"),
        C::Dir { .. } => invalid("directory_unreadable"),
        C::NoTasks { .. } => class(ErrorKind::Invalid, "no_tasks", Some(Hint::ClaudeTasksDir)),
        C::Changed { .. } => invalid("changed"),
        C::TooBig { .. } => invalid("too_large"),
        C::TooMany { .. } => invalid("too_many_tasks"),
        C::Cycle { .. } => {
            class(ErrorKind::Invalid, "dependency_cycle", Some(Hint::FixTaskFileCycle))
        }
        C::Tasks { .. } => invalid("invalid_tasks"),
        C::Exists { .. } => {
            class(ErrorKind::Invalid, "task_files_exist", Some(Hint::ReplaceTaskFiles))
        }
        C::Write { .. } | C::HalfWritten { .. } => invalid("write_failed"),
        C::Store(e) => store_class(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store error carried by a module's error is the store's variant
    /// here, classified as if the store had returned it.
    #[test]
    fn a_lower_layers_error_keeps_its_variant_and_class() {
        let carried = [
            Error::from(SyncError::Store(StoreError::ListNotFound("x".into()))),
            Error::from(ClaudeError::Store(StoreError::ListNotFound("x".into()))),
            Error::from(HandoffError::Store(StoreError::ListNotFound("x".into()))),
            Error::from(PlanError::Store(StoreError::ListNotFound("x".into()))),
        ];
        for e in carried {
            assert!(matches!(e, Error::Store(StoreError::ListNotFound(_))), "{e:?}");
            assert_eq!(
                (e.kind(), e.code(), e.hint()),
                (ErrorKind::NotFound, "list_not_found", Some(Hint::ListLists))
            );
        }
    }

    /// A failed `git config --add` is its own failure, not a push's.
    #[test]
    fn a_config_failure_is_not_a_push_failure() {
        let e = Error::from(SyncError::Config { remote: "o".into(), message: "locked".into() });
        assert_eq!((e.kind(), e.code()), (ErrorKind::Invalid, "config_failed"));
        assert!(e.to_string().starts_with("Adding the fetch refspec"), "{e}");
    }

    /// The message of a lower layer's error reaches the caller whole.
    #[test]
    fn messages_are_not_rewritten_on_the_way_up() {
        let inner = StoreError::RaceLost { list: "l".into(), attempts: 3 };
        let text = inner.to_string();
        assert_eq!(Error::from(SyncError::Store(inner)).to_string(), text);
    }
}
