//! `show`: one list, its tasks in plan order.

use clap::Args;

use super::{App, CliResult, render};
use crate::model::escape;
use render::Next;

/// Show a task list: tasks in order with status, owner, what each waits for, and notes
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
    let session = app.session.as_deref();
    if app.json {
        writeln!(
            app.out,
            "{}",
            render::list_json(&snap.list, snap.tip, &app.store.ref_name(&id), session)
        )?;
        return Ok(());
    }
    let l = &snap.list;
    writeln!(app.out, "{}", render::header(l, app.color))?;
    writeln!(app.out)?;
    if l.tasks.is_empty() {
        writeln!(app.out, "  {}", no_tasks_line(app))?;
    }
    for line in render::task_lines(l, app.color) {
        writeln!(app.out, "{line}")?;
    }
    match Next::of(l, session) {
        Next::Task { task, held_by } => {
            writeln!(app.out)?;
            writeln!(
                app.out,
                "Next: {}  {}{}",
                task.id,
                escape(&task.title),
                render::held_note(held_by)
            )?;
        }
        Next::Waiting(stuck) => {
            writeln!(app.out)?;
            writeln!(app.out, "No task is ready; waiting: {}", stuck.join(", "))?;
        }
        Next::Done => {}
    }
    Ok(())
}

/// The line shown in place of the tasks of a list that has none.
pub fn no_tasks_line(app: &App) -> String {
    format!("(no tasks yet; add one with: {})", app.command("add ID --title T"))
}
