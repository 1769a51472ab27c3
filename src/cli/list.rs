//! `list`: every task list in the namespace, one line each.

use clap::Args;

use super::{App, CliResult, render};
use crate::text::escape;
use crate::view::ListsView;

/// List all task lists: id, progress, title (archived ones with --all)
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include archived lists
    #[arg(long, short = 'a')]
    all: bool,
    /// List the copies last fetched from this remote by sync
    #[arg(long, value_name = "R")]
    remote: Option<String>,
}

/// Runs `list`. Unreadable lists are reported (stderr, or `unreadable` in
/// JSON) without hiding the readable ones.
pub fn run(app: &mut App, args: ListArgs) -> CliResult {
    let remote = args.remote.as_deref().map(|r| app.tl.remote(r)).transpose()?;
    let tl = remote.as_ref().unwrap_or(&app.tl);
    let entries = tl.list()?;
    let view = ListsView::new(&entries, tl.store().namespace(), args.all, app.session());
    if app.json {
        return app.print_json(&view);
    }
    if view.lists.is_empty() && view.unreadable.is_empty() {
        let hidden = entries.iter().filter(|e| e.result.as_ref().is_ok_and(|s| s.list.archived));
        match hidden.count() {
            0 => writeln!(
                app.out,
                "No task lists under {}; create one with: {}",
                app.tl.store().namespace(),
                app.command("create TITLE --task ID")
            )?,
            n => writeln!(
                app.out,
                "No open task lists; {n} archived (show them with: {})",
                app.command("list --all")
            )?,
        }
    }
    let rows: Vec<(String, String, String)> = view
        .lists
        .iter()
        .map(|s| {
            let flag = if s.archived { "  (archived)" } else { "" };
            let prog = format!("{}/{}", s.progress.done, s.progress.total);
            (s.id.clone(), prog, format!("{}{flag}", escape(&s.title)))
        })
        .collect();
    let prog_w = rows.iter().map(|r| render::width(&r.1)).max().unwrap_or(0);
    for (id, prog, title) in rows {
        writeln!(
            app.out,
            "{}  {}  {title}",
            render::paint(app.color, render::Style::Cyan, &id),
            render::pad(&prog, prog_w)
        )?;
    }
    for u in &view.unreadable {
        eprintln!("warning: {}", u.error);
    }
    Ok(())
}
