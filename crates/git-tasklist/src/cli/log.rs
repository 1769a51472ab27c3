//! `log`: a list's history, newest first.

use clap::Args;

use super::app::{App, ListArg};
use super::error::CliResult;
use super::render;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{LogEntryView, LogView};

/// Show a list's history, newest first: commit, time, author, session, change
#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    list: ListArg,
    /// Show at most N entries
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    max: Option<usize>,
}

/// Runs `log`.
pub fn run(app: &mut App, args: LogArgs) -> CliResult {
    let query = app.list_query(args.list.which.as_deref())?;
    let (id, entries) = app.tl.log(&query, args.max)?;
    let view = LogView { list: id, entries: entries.into_iter().map(LogEntryView::from).collect() };
    if app.json {
        return app.print_json(&view);
    }
    let author_w =
        view.entries.iter().map(|e| render::width(&escape(&e.author))).max().unwrap_or(0).min(20);
    for e in &view.entries {
        let when = render::time(e.time.as_deref(), true);
        let session = e.session.as_deref().map(|s| format!("[{}] ", escape(s))).unwrap_or_default();
        writeln!(
            app.out,
            "{}  {}  {}  {}{}",
            render::paint(app.color, render::Style::Yellow, render::short(&e.commit)),
            render::paint(app.color, render::Style::Dim, &when),
            render::pad(&escape(&e.author), author_w),
            render::paint(app.color, render::Style::Cyan, &session),
            escape(&e.subject)
        )?;
    }
    Ok(())
}
