//! `update`, `start`, `done`, `block`: change one task's status or note.

use clap::Args;

use super::{App, CliError, CliResult, Kind, render, task_id};
use crate::model::{Status, escape};
use crate::op::{Op, TaskChange};
use crate::store::Committed;

/// Flags shared by the commands that change a task.
#[derive(Debug, Args)]
pub struct Guards {
    /// Act on a task another session holds in progress
    #[arg(long)]
    take_over: bool,
    /// Start or finish a task before its prerequisites are done (recorded in the commit)
    #[arg(long)]
    out_of_order: bool,
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
    let status = a
        .status
        .as_deref()
        .map(|s| s.parse::<Status>())
        .transpose()
        .map_err(|e| CliError::new(Kind::Error, e.to_string()))?;
    if status.is_none() && a.note.is_none() {
        return Err(CliError::new(Kind::Usage, "Nothing to update")
            .hint("pass --status S and/or --note TEXT"));
    }
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
    if a.reason.trim().is_empty() {
        return Err(CliError::new(Kind::Error, "Block reason is empty"));
    }
    change(app, &a.task, Some(Status::Blocked), Some(a.reason), a.reopen, &a.guards)
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
    let id = app.list_id(None)?;
    let op = Op::Update {
        task: tid.clone(),
        change: TaskChange {
            status,
            note,
            reopen,
            take_over: guards.take_over,
            out_of_order: guards.out_of_order,
        },
    };
    let session = app.session.clone();
    let done = app.store.transact(&id, &op, session.as_deref(), &crate::store::no_files)?;
    let new = done.list.task(tid.as_str()).map(|t| t.status);
    let old_task = done.before.as_ref().and_then(|b| b.task(tid.as_str()));
    let old = old_task.map(|t| t.status);
    let holder = old_task.and_then(|t| t.owner.clone());
    let summary = match (old, new) {
        (Some(o), Some(n)) if done.changed && o == n && guards.take_over && holder.is_some() => {
            format!("{tid}: {n}, taken over from session {}", holder.unwrap_or_default())
        }
        _ if !done.changed => {
            format!("{tid} unchanged ({})", new.map(|s| s.as_str()).unwrap_or("?"))
        }
        (Some(o), Some(n)) if o != n => format!("{tid}: {o} → {n}"),
        _ => format!("{tid}: updated"),
    };
    print_change(app, &id, &done, new, &summary)
}

/// Prints the outcome of a change: the list as JSON, or one summary line.
pub fn print_change(
    app: &mut App,
    id: &str,
    done: &Committed,
    status: Option<Status>,
    summary: &str,
) -> CliResult {
    if app.json {
        let v = render::change_json(done, &app.store.ref_name(id), app.session.as_deref());
        writeln!(app.out, "{v}")?;
        return Ok(());
    }

    let (d, t) = done.list.progress();
    let sym = status.map(render::symbol).unwrap_or("•");
    let style = status.map(render::status_style).unwrap_or(render::Style::Bold);
    writeln!(
        app.out,
        "{} {}  ({d}/{t} done, {})",
        render::paint(app.color, style, sym),
        escape(summary),
        escape(&done.list.title)
    )?;
    Ok(())
}
