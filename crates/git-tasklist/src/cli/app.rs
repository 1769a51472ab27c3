//! What every command gets: the library, the options, and where to write.

use std::io::Write;

use git_tasklist_core::Tasklists;
use git_tasklist_core::model::TaskId;
use git_tasklist_core::text::{escape, json_safe};

use super::error::{CliError, CliResult, Kind};
use crate::words::tasklist_command;

/// The optional LIST argument of the commands that act on one list and
/// take no other positional argument (`show`, `resume`, `verify`, `log`,
/// `next`, `handoff`, `archive`, `unarchive`); commands whose arguments name
/// a task or a directory take the list only by `-l`/`TASKLIST_ID`.
#[derive(Debug, clap::Args)]
pub struct ListArg {
    /// The list (default: -l / TASKLIST_ID)
    #[arg(value_name = "LIST")]
    pub which: Option<String>,
}

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
    /// `list` came from `-l/--list` on the command line (not `TASKLIST_ID`).
    pub list_flag: bool,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// The commit a change wrote, once it did, and the command that shows
    /// its list: reported when printing fails.
    pub committed: &'a mut Option<(String, String)>,
}

impl App<'_> {
    /// The list a command acts on, as typed: its LIST argument, else
    /// `-l`/`TASKLIST_ID`. A LIST argument and `-l` together are a usage
    /// error (which one was meant?); a LIST argument overrides `TASKLIST_ID`,
    /// as `-l` does.
    pub fn list_query(&self, positional: Option<&str>) -> CliResult<String> {
        self.list_given(positional)?.ok_or_else(|| {
            CliError::new(Kind::Usage, "No task list given")
                .hint("pass -l LIST (id, id prefix or title) or set TASKLIST_ID")
        })
    }

    /// As [`App::list_query`], but no list at all is not an error (`watch`:
    /// every list).
    pub fn list_given(&self, positional: Option<&str>) -> CliResult<Option<String>> {
        match (positional, self.list.as_deref()) {
            (Some(p), Some(l)) if self.list_flag => Err(CliError::new(
                Kind::Usage,
                format!(
                    "The task list is given twice: as LIST '{}' and as -l '{}'",
                    escape(p),
                    escape(l)
                ),
            )
            .hint("give the list once: as the LIST argument or with -l")),
            (Some(p), _) => Ok(Some(p.to_string())),
            (None, l) => Ok(l.map(String::from)),
        }
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
            let show = self.command(&format!("show {}", done.list.id));
            *self.committed = Some((done.tip.to_string(), show));
        }
    }
}

/// Parses a task id given on the command line.
pub fn task_id(s: &str) -> CliResult<TaskId> {
    TaskId::parse(s).map_err(CliError::from)
}
