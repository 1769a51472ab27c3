//! `create`: a new task list on its own ref.

use clap::Args;

use super::app::{App, task_id};
use super::error::{CliError, CliResult, Kind};
use git_tasklist_core::CreateRequest;
use git_tasklist_core::op::NewTask;
use git_tasklist_core::text::{escape, shell_quote};
use git_tasklist_core::view::ChangeView;

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
    Ok(NewTask { id: task_id(id)?, title: title.to_string(), depends_on: Vec::new(), note: None })
}

/// Runs `create`.
pub fn run(app: &mut App, args: CreateArgs) -> CliResult {
    if let Some(t) = args.title.as_deref().filter(|t| looks_like_option(t))
        && !std::env::args_os().any(|a| a == "--")
    {
        return Err(CliError::new(
            Kind::Usage,
            format!("Unexpected option '{}' for create", escape(t)),
        )
        .hint(format!(
            "if it is the title, put -- before it: {}",
            app.command(&format!("create -- {}", shell_quote(t)))
        )));
    }
    let req = CreateRequest {
        title: args.title,
        tasks: args.tasks.iter().map(|t| parse_task_spec(t)).collect::<CliResult<_>>()?,
        sequential: args.sequential,
        template: args.template,
        from: args.from,
    };
    let created = app.tl.create(&req)?;
    app.committed(&created.committed);
    let view = ChangeView::of(&created.committed, &app.tl.ref_name(&created.id), app.session());
    let l = &view.list;
    if created.same_title {
        eprintln!(
            "warning: another task list is titled '{}'; refer to this one by its id",
            escape(&l.title)
        );
    }
    if app.json {
        return app.print_json(&view);
    }
    let (id, n) = (&l.id, l.tasks.len());
    writeln!(app.out, "{id}")?;
    writeln!(
        app.out,
        "Created '{}' with {n} task{} on {}",
        escape(&l.title),
        if n == 1 { "" } else { "s" },
        l.reference
    )?;
    writeln!(app.out, "Resume it anywhere with: {}", app.command(&format!("resume -l {id}")))?;
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
