//! `list`: every task list in the namespace, one line each.

use clap::Args;

use super::app::App;
use super::error::CliResult;
use super::render;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::ListsView;

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
    let hidden = entries.iter().filter(|e| e.result.as_ref().is_ok_and(|s| s.summary.archived));
    let (create, list_all) = (app.command("create TITLE --task ID"), app.command("list --all"));
    let ns = app.tl.store().namespace().to_string();
    write_text(app.out, &view, hidden.count(), app.color, &ns, &create, &list_all)?;
    for u in &view.unreadable {
        eprintln!("warning: {}", u.error);
    }
    Ok(())
}

/// Writes `list`'s text for `view` (the unreadable lists are the caller's
/// to report); `hidden` archived lists left out, `create` and `list_all`
/// the commands suggested when nothing is shown.
pub fn write_text(
    out: &mut dyn std::io::Write,
    view: &ListsView,
    hidden: usize,
    color: bool,
    namespace: &str,
    create: &str,
    list_all: &str,
) -> CliResult {
    if view.lists.is_empty() && view.unreadable.is_empty() {
        match hidden {
            0 => writeln!(out, "No task lists under {namespace}; create one with: {create}")?,
            n => writeln!(out, "No open task lists; {n} archived (show them with: {list_all})")?,
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
            out,
            "{}  {}  {title}",
            render::paint(color, render::Style::Cyan, &id),
            render::pad(&prog, prog_w)
        )?;
    }
    Ok(())
}
