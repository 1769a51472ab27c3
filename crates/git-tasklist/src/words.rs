//! How this program words the library's structured commands and choices
//! ([`git_tasklist_core::workflow::command`]): a command as the `git
//! tasklist …` line a user runs, whichever front end names it (a handoff
//! document is the same whoever wrote it, and an agent has a shell); a
//! choice as the command line's flag, or as the MCP server's parameter.

use git_tasklist_core::store::DEFAULT_NAMESPACE;
use git_tasklist_core::text::shell_quote;
use git_tasklist_core::workflow::command::{Action, Choice, Command, Words};

/// `git tasklist REST` as a user types it to reach the lists of `namespace`:
/// with `--namespace NS` when that is not the default.
pub fn tasklist_command(namespace: &str, rest: &str) -> String {
    if namespace == DEFAULT_NAMESPACE {
        format!("git tasklist {rest}")
    } else {
        format!("git tasklist --namespace {} {rest}", shell_quote(namespace))
    }
}

/// `command` as the command line runs it.
pub fn command_line(c: &Command) -> String {
    let id = &c.list;
    let rest = match &c.action {
        Action::Show => format!("show {id}"),
        Action::Start { task, take_over } => {
            format!("-l {id} start {task}{}", if *take_over { " --take-over" } else { "" })
        }
        Action::Done { task } => format!("-l {id} done {task}"),
        // Resume, and any action a later library adds: the briefing says what next.
        _ => format!("resume -l {id}"),
    };
    tasklist_command(c.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE), &rest)
}

/// The command line's flag for `choice`.
pub fn flag(choice: Choice) -> &'static str {
    match choice {
        Choice::Reopen => "--reopen",
        Choice::OutOfOrder => "--out-of-order",
        Choice::Expect => "--expect",
        Choice::TakeOver => "--take-over",
        // A choice a later library adds: no flag for it yet.
        _ => "an explicit choice",
    }
}

/// This program's words: commands always as command lines, choices as
/// the front end's own (flags, or tool parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// The command line's: choices as flags.
    CommandLine,
    /// The MCP server's: choices as its tools' parameters.
    ToolParams,
}

impl Words for Wording {
    fn command(&self, c: &Command) -> String {
        command_line(c)
    }

    fn choice(&self, choice: Choice) -> String {
        if *self == Wording::CommandLine {
            return flag(choice).to_string();
        }
        match choice {
            Choice::Reopen => "reopen: true",
            Choice::OutOfOrder => "outOfOrder: true",
            Choice::Expect => "expect",
            Choice::TakeOver => "takeOver: true",
            _ => "an explicit choice",
        }
        .to_string()
    }
}
