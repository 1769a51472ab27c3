//! `next`: the task to work on now.

use clap::Args;

use super::app::{App, ListArg};
use super::error::CliResult;
use super::render;

/// Print the next task: one in progress that is yours (or nobody's), else the first ready pending task, else one another session holds
#[derive(Debug, Args)]
pub struct NextArgs {
    #[command(flatten)]
    list: ListArg,
}

/// Runs `next`.
pub fn run(app: &mut App, args: NextArgs) -> CliResult {
    let query = app.list_query(args.list.which.as_deref())?;
    let view = app.tl.next(&query)?;
    if app.json {
        return app.print_json(&view);
    }
    match render::Next::of(&view) {
        render::Next::Task(line) => writeln!(app.out, "{line}")?,
        render::Next::Done => {
            let (done, total) = (view.progress.done, view.progress.total);
            writeln!(app.out, "Nothing left to do: {done}/{total} tasks completed")?;
        }
        render::Next::Waiting(what) => writeln!(app.out, "No task is ready; waiting: {what}")?,
    }
    Ok(())
}
