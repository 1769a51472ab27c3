//! `next`: the task to work on now.

use clap::Args;

use super::app::{App, ListArg};
use super::error::CliResult;
use super::render;
use git_tasklist_core::model::NextStep;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::NextView;

/// Print the next task: one in progress that is yours (or nobody's), else the first ready pending task, else one another session holds
#[derive(Debug, Args)]
pub struct NextArgs {
    #[command(flatten)]
    list: ListArg,
}

/// Runs `next`.
pub fn run(app: &mut App, args: NextArgs) -> CliResult {
    let query = app.list_query(args.list.which.as_deref())?;
    let snap = app.tl.show(&query)?;
    let l = &snap.list;
    if app.json {
        return app.print_json(&NextView::new(l, app.session()));
    }
    let next = l.next_step(app.session());
    match next {
        NextStep::Task { task, held_by } => {
            writeln!(
                app.out,
                "{}  {}{}",
                task.id,
                escape(&task.title),
                render::held_note(held_by)
            )?;
        }
        NextStep::Done => {
            let (done, total) = l.progress();
            writeln!(app.out, "Nothing left to do: {done}/{total} tasks completed")?;
        }
        NextStep::Waiting(stuck) => {
            writeln!(app.out, "No task is ready; waiting: {}", stuck.join(", "))?;
        }
    }
    Ok(())
}
