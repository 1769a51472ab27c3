//! What every command gets: the library, the options, and where to write.

use std::io::Write;

use git_tasklist_core::Tasklists;
use git_tasklist_core::model::TaskId;
use git_tasklist_core::text::json_safe;
use git_tasklist_core::workflow::command::tasklist_command;

use super::error::{CliError, CliResult, Kind};

/// What every command gets: the library, the options, and where to write.
pub struct App<'a> {
    /// The repository's lists, as this session sees them.
    pub tl: Tasklists,
    /// `--json` was given.
    pub json: bool,
    /// Colour the text output.
    pub color: bool,
    /// `-l/--list` or `TASKLIST_ID`.
    pub list: Option<String>,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// The commit a change wrote, once it did: reported when printing fails.
    pub committed: &'a mut Option<String>,
}

impl App<'_> {
    /// The list given by `explicit`, else `-l`/`TASKLIST_ID`, as typed.
    pub fn list_query(&self, explicit: Option<&str>) -> CliResult<String> {
        explicit.or(self.list.as_deref()).map(String::from).ok_or_else(|| {
            CliError::new(Kind::Usage, "No task list given")
                .hint("pass -l LIST (id, id prefix or title) or set TASKLIST_ID")
        })
    }

    /// The session, if any.
    pub fn session(&self) -> Option<&str> {
        self.tl.session()
    }

    /// `git tasklist REST` as the user should type it to reach the same lists:
    /// with `--namespace NS` when they are not in the default namespace.
    pub fn command(&self, rest: &str) -> String {
        tasklist_command(self.tl.namespace(), rest)
    }

    /// Prints `view` as one line of JSON, with the characters a terminal
    /// would obey escaped ([`json_safe`]).
    pub fn print_json(&mut self, view: &impl serde::Serialize) -> CliResult {
        let text = serde_json::to_string(view)
            .map_err(|e| CliError::new(Kind::Error, format!("Output failed: {e}")))?;
        writeln!(self.out, "{}", json_safe(&text))?;
        Ok(())
    }

    /// Records that a change was committed (before its result is printed).
    pub fn committed(&mut self, done: &git_tasklist_core::store::Committed) {
        if done.changed {
            *self.committed = Some(done.tip.to_string());
        }
    }
}

/// Parses a task id given on the command line.
pub fn task_id(s: &str) -> CliResult<TaskId> {
    TaskId::parse(s).map_err(CliError::from)
}
