//! `show`: one list, its tasks in plan order.

use clap::Args;

use super::{App, CliResult, render};
use crate::model::escape;

/// Show a task list: tasks in order with status, owner and notes
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The list (default: -l / TASKLIST_ID)
    #[arg(value_name = "LIST")]
    which: Option<String>,
}

/// Runs `show`.
pub fn run(app: &mut App, args: ShowArgs) -> CliResult {
    let id = app.list_id(args.which.as_deref())?;
    let snap = app.store.read(&id)?;
    if app.json {
        writeln!(app.out, "{}", render::list_json(&snap, &app.store.ref_name(&id)))?;
        return Ok(());
    }
    let l = &snap.list;
    writeln!(app.out, "{}", render::header(l, app.color))?;
    writeln!(app.out)?;
    if l.tasks.is_empty() {
        writeln!(app.out, "  (no tasks yet; add one with: git tasklist add ID --title T)")?;
    }
    for line in render::task_lines(l, app.color) {
        writeln!(app.out, "{line}")?;
    }
    if let Some(t) = l.next_task() {
        writeln!(app.out)?;
        writeln!(app.out, "Next: {}  {}", t.id, escape(&t.title))?;
    }
    Ok(())
}
