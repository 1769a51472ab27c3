//! `create`: a new task list on its own ref.

use clap::Args;

use super::{App, CliError, CliResult, Kind, render, task_id};
use crate::model::escape;
use crate::op::{NewTask, Op};
use crate::store::{self, Snapshot};
use crate::template;

/// Create a task list; prints its id as the first line
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The list's title (default with --template/--from: the template's or source list's title)
    title: Option<String>,
    /// A task, in plan order: ID or ID=TITLE (repeatable)
    #[arg(long = "task", short = 't', value_name = "ID[=TITLE]")]
    tasks: Vec<String>,
    /// Each task depends on the one before (start/done out of order needs --out-of-order)
    #[arg(long)]
    sequential: bool,
    /// Start from a template: a name (see `git tasklist templates`) or a path to a .toml file
    #[arg(long, value_name = "NAME|PATH", conflicts_with = "from")]
    template: Option<String>,
    /// Start from another list's tasks (titles, order, dependencies), reset to pending
    #[arg(long, value_name = "LIST")]
    from: Option<String>,
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
    let mut tasks = Vec::new();
    let mut title = None;
    let mut template = None;
    let mut from = None;
    let mut sequential = args.sequential;
    if let Some(spec) = &args.template {
        let t = template::find(spec, app.store.workdir()).map_err(|e| {
            let kind = match e {
                template::TemplateError::NotFound { .. } => Kind::NotFound,
                template::TemplateError::Invalid { .. } => Kind::Error,
            };
            CliError::new(kind, e.to_string())
        })?;
        title = t.title.clone();
        sequential |= t.sequential;
        tasks = t.tasks;
        template = Some(t.name);
    }
    if let Some(src) = &args.from {
        let src_id = app.store.resolve(src)?;
        let old = app.store.read(&src_id)?.list;
        title = Some(old.title.clone());
        sequential |= old.sequential;
        template = old.template.clone();
        tasks = old
            .tasks
            .iter()
            .map(|t| NewTask {
                id: t.id.clone(),
                title: t.title.clone(),
                depends_on: t.depends_on.clone(),
            })
            .collect();
        from = Some(src_id);
    }
    for spec in &args.tasks {
        tasks.push(parse_task_spec(spec)?);
    }
    let Some(title) = args.title.or(title) else {
        return Err(CliError::new(Kind::Usage, "Task list title is missing")
            .hint("pass a TITLE, or --template NAME / --from LIST"));
    };
    if title.trim().is_empty() {
        return Err(CliError::new(Kind::Error, "Task list title is empty"));
    }
    let id = store::new_list_id();
    let op = Op::Create { id: id.clone(), title, tasks, template, from, sequential };
    let session = app.session.clone();
    let done = app.store.transact(&id, &op, session.as_deref(), &crate::store::no_files)?;
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
