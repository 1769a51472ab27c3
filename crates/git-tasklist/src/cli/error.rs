//! Failures as the command line reports them: the exit codes, and the one
//! place a library error becomes an exit code and a hint in this front
//! end's words (its flags and commands).

use std::io;

use git_tasklist_core::model::ModelError;
use git_tasklist_core::store::{DEFAULT_NAMESPACE, StoreError};
use git_tasklist_core::workflow::command::{Action, Command};
use git_tasklist_core::{Error, ErrorKind, Hint};

use crate::words::{command_line, tasklist_command};

/// Success.
pub const EXIT_OK: u8 = 0;
/// Bad input, unreadable data, git failure.
pub const EXIT_ERROR: u8 = 1;
/// Command-line usage error.
pub const EXIT_USAGE: u8 = 2;
/// A list or task was not found.
pub const EXIT_NOT_FOUND: u8 = 3;
/// Conflict: claimed by another session, guarded transition, race not resolvable.
pub const EXIT_CONFLICT: u8 = 4;
/// Verification failed.
pub const EXIT_VERIFY: u8 = 5;

/// What the exit code says about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Exit 1.
    Error,
    /// Exit 2.
    Usage,
    /// Exit 3.
    NotFound,
    /// Exit 4.
    Conflict,
    /// Exit 5.
    Verify,
}

impl Kind {
    /// The exit code.
    pub fn code(self) -> u8 {
        match self {
            Kind::Error => EXIT_ERROR,
            Kind::Usage => EXIT_USAGE,
            Kind::NotFound => EXIT_NOT_FOUND,
            Kind::Conflict => EXIT_CONFLICT,
            Kind::Verify => EXIT_VERIFY,
        }
    }
}

/// A failure as the user sees it: one sentence, an optional hint, an exit code.
#[derive(Debug)]
pub struct CliError {
    /// Decides the exit code.
    pub kind: Kind,
    /// The one-sentence message.
    pub message: String,
    /// What to do about it, worded.
    pub hint: Option<String>,
    /// The library's hint, as data, until it is worded ([`CliError::worded`]):
    /// its commands must reach the lists of the namespace the command used.
    pub typed_hint: Option<Box<Hint>>,
    /// A stable name for the kind of failure (see [`Error::code`]).
    pub code: &'static str,
    /// The failed write's own words (code `output_failed`), for a sentence
    /// that wraps them.
    pub cause: Option<Box<str>>,
    /// The reader of our output went away (`git tasklist log | head`): exit quietly.
    pub broken_pipe: bool,
    /// The library error's whole cause chain, kept when [`DEBUG_VAR`] is set.
    pub debug: Option<String>,
}

/// With this variable set, a failure also prints the library error's whole
/// cause chain (`debug: …`), which the one-sentence message leaves out.
pub const DEBUG_VAR: &str = "GIT_TASKLIST_DEBUG";

impl CliError {
    /// A new error of `kind`.
    pub fn new(kind: Kind, message: impl Into<String>) -> CliError {
        let code = match kind {
            Kind::Usage => "usage",
            Kind::Verify => "verify_failed",
            Kind::NotFound => "not_found",
            Kind::Conflict => "conflict",
            Kind::Error => "error",
        };
        CliError {
            kind,
            message: message.into(),
            hint: None,
            typed_hint: None,
            code,
            cause: None,
            broken_pipe: false,
            debug: None,
        }
    }

    /// Adds a hint line.
    pub fn hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    /// Words the library's hint, if it is not worded yet, with commands
    /// that reach the lists of `namespace` (`--namespace NS` when that is
    /// not the default).
    pub fn worded(mut self, namespace: &str) -> CliError {
        if let Some(h) = self.typed_hint.take()
            && self.hint.is_none()
        {
            self.hint = hint_text(*h, namespace);
        }
        self
    }

    /// The hint as printed: the worded one, else the library's worded for
    /// the default namespace (a failure before the lists were opened).
    pub fn shown_hint(&self) -> Option<String> {
        self.hint
            .clone()
            .or_else(|| self.typed_hint.clone().and_then(|h| hint_text(*h, DEFAULT_NAMESPACE)))
    }
}

impl From<Error> for CliError {
    /// The one place a library error becomes an exit code (DESIGN §4) and
    /// gets the hint that names this front end's flags and commands.
    fn from(e: Error) -> CliError {
        let kind = match e.kind() {
            ErrorKind::Usage => Kind::Usage,
            ErrorKind::NotFound => Kind::NotFound,
            ErrorKind::Conflict => Kind::Conflict,
            // Invalid, and any kind a later library adds: exit 1.
            _ => Kind::Error,
        };
        let debug = std::env::var_os(DEBUG_VAR).is_some().then(|| format!("{e:?}"));
        CliError {
            kind,
            message: e.to_string(),
            hint: None,
            typed_hint: e.hint().map(Box::new),
            code: e.code(),
            cause: None,
            broken_pipe: false,
            debug,
        }
    }
}

/// A hint in this front end's terms: its flags and commands, each
/// runnable as printed on the lists of `namespace`.
fn hint_text(h: Hint, namespace: &str) -> Option<String> {
    Some(match h {
        Hint::ListLists => {
            return Some(format!("`{}` shows every list", tasklist_command(namespace, "list")));
        }
        Hint::LongerPrefix => "give more characters of the id",
        Hint::FullId => "name the list by its full id, one of those listed (-l ID)",
        Hint::Repository => "run inside a git repository or pass --repo PATH",
        Hint::ShowTasks { list } => {
            let show = Command::new(namespace, &list, Action::Show);
            return Some(format!("`{}` lists the tasks", command_line(&show)));
        }
        Hint::TakeOver => "pass --take-over to take it",
        Hint::Reopen => "pass --reopen to change it",
        Hint::OutOfOrder => "finish that first or pass --out-of-order",
        Hint::Title => "pass a TITLE, or --template NAME / --from LIST",
        Hint::StatusOrNote => "pass --status S and/or --note TEXT",
        Hint::ReplaceTaskFiles => {
            "pass --force to replace its *.json task files and .highwatermark"
        }
        Hint::ClaudeTasksDir => "Claude Code keeps a list's task files in ~/.claude/tasks/<list>/",
        Hint::FixTaskFileCycle => "fix blockedBy/blocks in those task files, then import again",
        Hint::NetworkTimeout => {
            "allow more time with `git config tasklist.networkTimeout SECONDS` or GIT_TASKLIST_NETWORK_TIMEOUT (0: no bound)"
        }
        Hint::SyncAgain => "sync again",
        // A hint this front end does not know yet: the message stands alone.
        _ => return None,
    }
    .to_string())
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> CliError {
        Error::from(e).into()
    }
}

impl From<ModelError> for CliError {
    fn from(e: ModelError) -> CliError {
        Error::from(e).into()
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        let mut err = CliError::new(Kind::Error, format!("Output failed: {e}"));
        err.code = "output_failed";
        err.cause = Some(e.to_string().into());
        err.broken_pipe = e.kind() == io::ErrorKind::BrokenPipe;
        err
    }
}

/// Result alias for commands.
pub type CliResult<T = ()> = Result<T, CliError>;
