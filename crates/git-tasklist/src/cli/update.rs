//! `update`, `start`, `done`, `block`: change one task's status or note.

use clap::Args;

use super::app::{App, task_id};
use super::error::CliResult;
use super::render;
use git_tasklist_core::model::{Status, TaskId};
use git_tasklist_core::op::TaskChange;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{ChangeView, TaskChangeView};
use git_tasklist_core::{Changed, Error};

/// Flags shared by the commands that change a task.
#[derive(Debug, Args)]
pub struct Guards {
    /// Act on a task another session holds in progress
    #[arg(long)]
    take_over: bool,
    /// Start or finish a task before its prerequisites are done (recorded in the commit)
    #[arg(long)]
    out_of_order: bool,
    /// Let a git remote arbitrate the claim: apply it on the remote's tip and push it (default remote: the branch's upstream, else origin)
    #[arg(long, value_name = "REMOTE", num_args = 0..=1, default_missing_value = "")]
    sync: Option<String>,
}

/// Change a task's status and/or note
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The task's id
    task: String,
    /// New status: pending, in_progress, completed, blocked, cancelled (aliases accepted)
    #[arg(long, short = 's', value_name = "S")]
    status: Option<String>,
    /// Replace the task's note
    #[arg(long, allow_hyphen_values = true)]
    note: Option<String>,
    /// Allow a completed task to change status (recorded as a reopen)
    #[arg(long)]
    reopen: bool,
    #[command(flatten)]
    guards: Guards,
}

/// Start a task: in_progress, owned by this session
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The task's id
    task: String,
    /// Replace the task's note
    #[arg(long, allow_hyphen_values = true)]
    note: Option<String>,
    /// Allow restarting a completed task (recorded as a reopen)
    #[arg(long)]
    reopen: bool,
    #[command(flatten)]
    guards: Guards,
}

/// Mark a task completed
#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The task's id
    task: String,
    /// Replace the task's note
    #[arg(long, allow_hyphen_values = true)]
    note: Option<String>,
    #[command(flatten)]
    guards: Guards,
}

/// Mark a task blocked, with the reason
#[derive(Debug, Args)]
pub struct BlockArgs {
    /// The task's id
    task: String,
    /// Why it is blocked (stored as the task's note)
    #[arg(long, allow_hyphen_values = true)]
    reason: String,
    /// Allow blocking a completed task (recorded as a reopen)
    #[arg(long)]
    reopen: bool,
    #[command(flatten)]
    guards: Guards,
}

/// Runs `update`.
pub fn run_update(app: &mut App, a: UpdateArgs) -> CliResult {
    let status =
        a.status.as_deref().map(|s| s.parse::<Status>()).transpose().map_err(Error::from)?;
    change(app, &a.task, status, a.note, a.reopen, &a.guards)
}

/// Runs `start`.
pub fn run_start(app: &mut App, a: StartArgs) -> CliResult {
    change(app, &a.task, Some(Status::InProgress), a.note, a.reopen, &a.guards)
}

/// Runs `done`.
pub fn run_done(app: &mut App, a: DoneArgs) -> CliResult {
    change(app, &a.task, Some(Status::Completed), a.note, false, &a.guards)
}

/// Runs `block`.
pub fn run_block(app: &mut App, a: BlockArgs) -> CliResult {
    let tid = task_id(&a.task)?;
    let query = app.list_query(None)?;
    let done = app.tl.block(&query, &tid, &a.reason, guarded(a.reopen, &a.guards))?;
    report(app, &tid, &done, a.guards.take_over)
}

fn guarded(reopen: bool, guards: &Guards) -> TaskChange {
    TaskChange {
        reopen,
        take_over: guards.take_over,
        out_of_order: guards.out_of_order,
        ..Default::default()
    }
}

fn change(
    app: &mut App,
    task: &str,
    status: Option<Status>,
    note: Option<String>,
    reopen: bool,
    guards: &Guards,
) -> CliResult {
    let tid = task_id(task)?;
    let query = app.list_query(None)?;
    let change = TaskChange { status, note, ..guarded(reopen, guards) };
    let done = match guards.sync.as_deref() {
        None => app.tl.update(&query, &tid, change)?,
        Some(remote) => {
            let remote = Some(remote).filter(|r| !r.is_empty());
            app.tl.update_synced(&query, &tid, change, remote)?
        }
    };
    report(app, &tid, &done, guards.take_over)
}

/// Prints the outcome of a change to task `tid` (`take_over`: asked to take it over).
fn report(app: &mut App, tid: &TaskId, done: &Changed, take_over: bool) -> CliResult {
    let view = ChangeView::of_task(
        &done.committed,
        &app.tl.ref_name(&done.id),
        app.session(),
        tid.as_str(),
        take_over,
    );
    print_change(app, done, &view)
}

/// The summary line of a change to one task, from its view.
fn task_summary(view: &ChangeView, t: &TaskChangeView) -> String {
    let id = &t.id;
    match (t.before, t.after, &t.taken_over_from) {
        (None, _, _) => format!("Added {id}"),
        (Some(o), Some(n), Some(holder)) if view.changed && o == n => {
            format!("{id}: {n}, taken over from session {holder}")
        }
        (_, n, _) if !view.changed => {
            format!("{id} unchanged ({})", n.map(|s| s.as_str()).unwrap_or("?"))
        }
        (Some(o), Some(n), _) if o != n => format!("{id}: {o} → {n}"),
        _ => format!("{id}: updated"),
    }
}

/// Prints the outcome of a change: `view` as JSON, or one summary line
/// worded from it.
pub fn print_change(app: &mut App, done: &Changed, view: &ChangeView) -> CliResult {
    app.committed(&done.committed);
    if app.json {
        return app.print_json(view);
    }
    let l = &view.list;
    let (summary, status) = match &view.changed_task {
        Some(t) if t.before.is_some() => (task_summary(view, t), t.after),
        Some(t) => (task_summary(view, t), None),
        None => {
            let what = if l.archived { "archived" } else { "unarchived" };
            let already = if view.changed { "" } else { "already " };
            (format!("Task list {already}{what}"), None)
        }
    };
    let sym = status.map(render::symbol).unwrap_or("•");
    let style = status.map(render::status_style).unwrap_or(render::Style::Bold);
    writeln!(
        app.out,
        "{} {}  ({}/{} done, {})",
        render::paint(app.color, style, sym),
        escape(&summary),
        l.progress.done,
        l.progress.total,
        escape(&l.title)
    )?;
    Ok(())
}
