//! `next`: the task to work on now.

use clap::Args;
use serde_json::json;

use super::{App, CliResult, render};
use crate::model::escape;
use render::Next;

/// Print the next task: one in progress that is yours (or nobody's), else the first ready pending task, else one another session holds
#[derive(Debug, Args)]
pub struct NextArgs {}

/// Runs `next`.
pub fn run(app: &mut App, _args: NextArgs) -> CliResult {
    let id = app.list_id(None)?;
    let snap = app.store.read(&id)?;
    let l = &snap.list;
    let next = Next::of(l, app.session.as_deref());
    if app.json {
        let held_by = match &next {
            Next::Task { held_by, .. } => *held_by,
            _ => None,
        };
        let v = json!({
            "list": l.id,
            "task": next.task().map(render::task_json),
            "state": next.state(),
            "held_by": held_by,
            "waiting": render::waiting_json(l),
        });
        writeln!(app.out, "{v}")?;
        return Ok(());
    }
    match next {
        Next::Task { task, held_by } => {
            writeln!(
                app.out,
                "{}  {}{}",
                task.id,
                escape(&task.title),
                render::held_note(held_by)
            )?;
        }
        Next::Done => {
            let (done, total) = l.progress();
            writeln!(app.out, "Nothing left to do: {done}/{total} tasks completed")?;
        }
        Next::Waiting(stuck) => {
            writeln!(app.out, "No task is ready; waiting: {}", stuck.join(", "))?;
        }
    }
    Ok(())
}
