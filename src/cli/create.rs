//! `create`: a new task list on its own ref.

use clap::Args;

use super::{App, CliError, CliResult, Kind, render, task_id};
use crate::model::escape;
use crate::op::{NewTask, Op};
use crate::store;
use crate::template;

/// Create a task list; prints its id as the first line
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The list's title (default: the template's title; with --from, "<source title> (continued)")
    #[arg(allow_hyphen_values = true)]
    title: Option<String>,
    /// A task, in plan order: ID or ID=TITLE (repeatable)
    #[arg(long = "task", short = 't', value_name = "ID[=TITLE]", allow_hyphen_values = true)]
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
    if let Some(t) = args.title.as_deref().filter(|t| looks_like_option(t)) {
        if !std::env::args_os().any(|a| a == "--") {
            return Err(CliError::new(
                Kind::Usage,
                format!("Unexpected option '{}' for create", escape(t)),
            )
            .hint(format!(
                "if it is the title, put -- before it: {}",
                app.command(&format!("create -- {}", render::shell_quote(t)))
            )));
        }
    }
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
        // Not the source's own title: `-l TITLE` would become ambiguous.
        title = Some(format!("{} (continued)", old.title));
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
    warn_same_title(app, &id, &done.list.title);
    if app.json {
        let v = render::change_json(&done, &app.store.ref_name(&id), session.as_deref());
        writeln!(app.out, "{v}")?;
    } else {
        let n = done.list.tasks.len();
        writeln!(app.out, "{id}")?;
        writeln!(
            app.out,
            "Created '{}' with {n} task{} on {}",
            escape(&done.list.title),
            if n == 1 { "" } else { "s" },
            app.store.ref_name(&id)
        )?;
        writeln!(app.out, "Resume it anywhere with: {}", app.command(&format!("resume -l {id}")))?;
    }
    Ok(())
}

/// A one-word TITLE starting with '-' (`--sequental`, `-s`): more likely a
/// mistyped option than a title. TITLE takes values starting with '-' so that
/// "-x title" works, which would otherwise turn such a typo into a list.
fn looks_like_option(title: &str) -> bool {
    let word = title.trim_start_matches('-');
    title.starts_with('-')
        && title.len() - word.len() <= 2
        && word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=')
}

/// Warns on stderr when another list has the same title: `-l TITLE` is then
/// ambiguous, so the new list is best referred to by its id.
fn warn_same_title(app: &App, id: &str, title: &str) {
    let Ok(all) = app.store.list_all() else { return };
    let twin =
        all.iter().any(|e| e.id != id && e.result.as_ref().is_ok_and(|s| s.list.title == title));
    if twin {
        eprintln!(
            "warning: another task list is titled '{}'; refer to this one by its id",
            escape(title)
        );
    }
}
