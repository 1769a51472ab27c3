//! `add`: append or insert a task.

use clap::Args;

use super::app::{App, task_id};
use super::error::CliResult;
use super::update::print_change;
use git_tasklist_core::op::NewTask;
use git_tasklist_core::view::ChangeView;

/// Add a task to a list
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The new task's id (a slug: lowercase letters, digits, '.', '_', '-')
    task: String,
    /// Its title (default: the id)
    #[arg(long, allow_hyphen_values = true)]
    title: Option<String>,
    /// Insert after this task (default: at the end)
    #[arg(long, value_name = "TASK")]
    after: Option<String>,
    /// A task this one waits for (repeatable)
    #[arg(long = "depends-on", value_name = "TASK")]
    depends_on: Vec<String>,
}

/// Runs `add`.
pub fn run(app: &mut App, args: AddArgs) -> CliResult {
    let task = NewTask {
        id: task_id(&args.task)?,
        title: args.title.unwrap_or_default(),
        depends_on: args.depends_on.iter().map(|d| task_id(d)).collect::<CliResult<_>>()?,
        note: None,
    };
    let after = args.after.as_deref().map(task_id).transpose()?;
    let tid = task.id.clone();
    let query = app.list_query(None)?;
    let done = app.tl.add(&query, task, after)?;
    let reference = app.tl.ref_name(&done.id);
    let view = ChangeView::of_task(&done.committed, &reference, app.session(), tid.as_str(), false);
    print_change(app, &done, &view)
}
