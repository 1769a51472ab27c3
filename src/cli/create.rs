//! `create`: a new task list on its own ref.

use clap::Args;

use super::{App, CliError, CliResult, Kind, render, task_id};
use crate::model::escape;
use crate::op::{NewTask, Op};
use crate::store::{self, Snapshot};

/// Create a task list; prints its id as the first line
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The list's title
    title: String,
    /// A task, in plan order: ID or ID=TITLE (repeatable)
    #[arg(long = "task", short = 't', value_name = "ID[=TITLE]")]
    tasks: Vec<String>,
    /// Each task depends on the one before (start/done out of order needs --out-of-order)
    #[arg(long)]
    sequential: bool,
}

/// Splits `ID[=TITLE]` and validates the id.
pub fn parse_task_spec(spec: &str) -> CliResult<NewTask> {
    let (id, title) = match spec.split_once('=') {
        Some((id, title)) => (id.trim(), title.trim()),
        None => (spec.trim(), ""),
    };
    Ok(NewTask { id: task_id(id)?, title: title.to_string(), depends_on: Vec::new() })
}

/// Runs `create`.
pub fn run(app: &mut App, args: CreateArgs) -> CliResult {
    if args.title.trim().is_empty() {
        return Err(CliError::new(Kind::Error, "Task list title is empty"));
    }
    let tasks = args.tasks.iter().map(|s| parse_task_spec(s)).collect::<CliResult<Vec<_>>>()?;
    let id = store::new_list_id();
    let op = Op::Create {
        id: id.clone(),
        title: args.title,
        tasks,
        template: None,
        from: None,
        sequential: args.sequential,
    };
    let session = app.session.clone();
    let done = app.store.transact(&id, &op, session.as_deref(), &|_| Vec::new())?;
    let snap = Snapshot { list: done.list, tip: done.tip };
    if app.json {
        let mut v = render::list_json(&snap, &app.store.ref_name(&id));
        v["changed"] = true.into();
        writeln!(app.out, "{v}")?;
    } else {
        let n = snap.list.tasks.len();
        writeln!(app.out, "{id}")?;
        writeln!(
            app.out,
            "Created '{}' with {n} task{} on {}",
            escape(&snap.list.title),
            if n == 1 { "" } else { "s" },
            app.store.ref_name(&id)
        )?;
        writeln!(app.out, "Resume it anywhere with: git tasklist show -l {id}")?;
    }
    Ok(())
}
