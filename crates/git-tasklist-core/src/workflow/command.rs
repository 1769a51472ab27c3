//! What a briefing, a document or a check tells the caller to do next, as
//! data: a [`Command`] to run and the explicit [`Choice`]s a caller can make.
//! The library names no command line and no flag: each front end words
//! these through its [`Words`] (the command line as `git tasklist …` and
//! flags, the MCP server as its parameter names), and [`Plain`] words them
//! for a program that sets none.

use crate::store::DEFAULT_NAMESPACE;

/// A command the next session is told to run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Command {
    /// The namespace of the lists, when it is not the default one.
    pub namespace: Option<String>,
    /// The list's id.
    pub list: String,
    /// What to do on it.
    pub action: Action,
}

/// What a [`Command`] does on its list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Print the briefing a new session needs.
    Resume,
    /// Show the list's tasks.
    Show,
    /// Start a task, taking it over from the session holding it when `take_over`.
    Start {
        /// The task.
        task: String,
        /// Take it over from the session holding it (explicitly).
        take_over: bool,
    },
    /// Mark a task completed.
    Done {
        /// The task.
        task: String,
    },
}

impl Command {
    /// `action` on list `list` of `namespace` (the default namespace is not named).
    pub fn new(namespace: &str, list: &str, action: Action) -> Command {
        let namespace = (namespace != DEFAULT_NAMESPACE).then(|| namespace.to_string());
        Command { namespace, list: list.to_string(), action }
    }
}

/// A choice a caller makes explicitly, which checks and messages name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Choice {
    /// Reopening a completed task.
    Reopen,
    /// Completing a task before its prerequisites.
    OutOfOrder,
    /// The statuses the caller saw last session, to check against.
    Expect,
    /// Taking a task over from the session holding it.
    TakeOver,
}

/// How a front end words [`Command`]s and [`Choice`]s for its users.
pub trait Words: Send + Sync {
    /// `command` as the user runs it.
    fn command(&self, command: &Command) -> String;
    /// `choice` as the user makes it.
    fn choice(&self, choice: Choice) -> String;
}

/// Plain words, for a program that sets none: no command line, no flag.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl Words for Plain {
    fn command(&self, c: &Command) -> String {
        let what = match &c.action {
            Action::Resume => "resume".to_string(),
            Action::Show => "show".to_string(),
            Action::Start { task, take_over: false } => format!("start task {task}"),
            Action::Start { task, take_over: true } => format!("take over task {task}"),
            Action::Done { task } => format!("complete task {task}"),
        };
        match &c.namespace {
            Some(ns) => format!("{what} in list {} under {ns}", c.list),
            None => format!("{what} in list {}", c.list),
        }
    }

    fn choice(&self, choice: Choice) -> String {
        match choice {
            Choice::Reopen => "an explicit reopen",
            Choice::OutOfOrder => "an explicit out-of-order mark",
            Choice::Expect => "the expected statuses",
            Choice::TakeOver => "an explicit take-over",
        }
        .to_string()
    }
}
