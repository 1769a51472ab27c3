//! `next`: the task to work on now.

use clap::Args;
use serde_json::json;

use super::{App, CliResult, render};
use crate::model::{Status, escape};

/// Print the next task: the one in progress, else the first pending task whose prerequisites are done
#[derive(Debug, Args)]
pub struct NextArgs {}

/// Runs `next`.
pub fn run(app: &mut App, _args: NextArgs) -> CliResult {
    let id = app.list_id(None)?;
    let snap = app.store.read(&id)?;
    let l = &snap.list;
    let next = l.next_task();
    if app.json {
        writeln!(app.out, "{}", json!({ "list": l.id, "task": next.map(render::task_json) }))?;
        return Ok(());
    }
    match next {
        Some(t) => {
            writeln!(app.out, "{}  {}", t.id, escape(&t.title))?;
        }
        None if l.tasks.iter().all(|t| t.status.is_settled()) => {
            let (done, total) = l.progress();
            writeln!(app.out, "Nothing left to do: {done}/{total} tasks completed")?;
        }
        None => {
            let waiting: Vec<String> = l
                .tasks
                .iter()
                .filter(|t| matches!(t.status, Status::Blocked | Status::Pending))
                .map(|t| format!("{} ({})", t.id, t.status))
                .collect();
            writeln!(app.out, "No task is ready; waiting: {}", waiting.join(", "))?;
        }
    }
    Ok(())
}
