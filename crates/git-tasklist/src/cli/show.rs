//! `show`: one list, its tasks in plan order.

use clap::Args;

use super::app::{App, ListArg};
use super::error::CliResult;
use super::render;
use git_tasklist_core::view::ListView;

/// Show a task list: tasks in order with status, owner, what each waits for, and notes
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    list: ListArg,
    /// Show the copy last fetched from this remote by sync (a teammate's state, before merging)
    #[arg(long, value_name = "R")]
    remote: Option<String>,
}

/// Runs `show`.
pub fn run(app: &mut App, args: ShowArgs) -> CliResult {
    let query = app.list_query(args.list.which.as_deref())?;
    let snap = match &args.remote {
        Some(r) => app.tl.remote(r)?.show(&query)?,
        None => app.tl.show(&query)?,
    };
    let reference = match &args.remote {
        Some(r) => format!("{}/{r}/{}", git_tasklist_core::sync::TRACKING_PREFIX, snap.list.id),
        None => app.tl.ref_name(&snap.list.id),
    };
    let view = ListView::of(&snap, &reference, app.tl.session());
    if app.json {
        return app.print_json(&view);
    }
    let empty = no_tasks_line(app);
    let continued = render::continued_lines(&app.tl.continuations(&view.continued_in), app.color);
    write_text(app.out, &view, app.color, &empty, &continued)
}

/// Writes `show`'s text for `l`; `empty` stands in for the tasks of a list
/// that has none.
pub fn write_text(
    out: &mut dyn std::io::Write,
    l: &ListView,
    color: bool,
    empty: &str,
    continued: &[String],
) -> CliResult {
    writeln!(out, "{}", render::header(l, color))?;
    for line in continued {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    if l.tasks.is_empty() {
        writeln!(out, "  {empty}")?;
    }
    for line in render::task_lines(l, color) {
        writeln!(out, "{line}")?;
    }
    match render::Next::of_list(l) {
        render::Next::Task(line) => {
            writeln!(out)?;
            writeln!(out, "Next: {line}")?;
        }
        render::Next::Waiting(what) => {
            writeln!(out)?;
            writeln!(out, "No task is ready; waiting: {what}")?;
        }
        render::Next::Done => {}
    }
    Ok(())
}

/// The line shown in place of the tasks of a list that has none.
pub fn no_tasks_line(app: &App) -> String {
    format!("(no tasks yet; add one with: {})", app.command("add ID --title T"))
}
