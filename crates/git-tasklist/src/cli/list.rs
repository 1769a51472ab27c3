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
    let view = ListsView::new(&entries, tl.namespace(), args.all, app.session());
    if app.json {
        return app.print_json(&view);
    }
    let hidden = view.archived_hidden;
    let empty = if view.lists.is_empty() && view.unreadable.is_empty() {
        match args.remote.as_deref() {
            Some(r) => remote_empty_line(app, r, hidden),
            None => empty_line(app, hidden),
        }
    } else {
        String::new()
    };
    write_text(app.out, &view, app.color, &empty)?;
    for u in &view.unreadable {
        eprintln!("warning: {}", u.error);
    }
    Ok(())
}

/// The line `list` prints when it shows no list: `hidden` archived ones
/// left out, else lists a remote may hold (sync brings them: no network
/// is asked, only git config and the tracking refs), else how to create one.
pub fn empty_line(app: &App, hidden: usize) -> String {
    if hidden > 0 {
        let list_all = app.command("list --all");
        return format!("No open task lists; {hidden} archived (show them with: {list_all})");
    }
    let ns = app.tl.namespace().to_string();
    let create = app.command("create TITLE --task ID");
    // A teammate's fresh clone: the lists are on the remote, not here yet.
    match app.tl.remote_lists(None).ok().flatten() {
        Some(r) if r.fetched > 0 => format!(
            "No task lists under {ns} yet, but {} {} fetched from {}; bring {} here with: {}",
            r.fetched,
            if r.fetched == 1 { "was" } else { "were" },
            escape(&r.remote),
            if r.fetched == 1 { "it" } else { "them" },
            app.command(&format!("sync {}", escape(&r.remote)))
        ),
        Some(r) => format!(
            "No task lists under {ns}; get those of {} with: {}; or create one with: {create}",
            escape(&r.remote),
            app.command(&format!("sync {}", escape(&r.remote)))
        ),
        None => format!("No task lists under {ns}; create one with: {create}"),
    }
}

/// The line `list --remote R` prints when it shows no list: the archived
/// ones left out, else what the remote holds, asked over the network (the
/// user asked about the remote) within sync's bound.
fn remote_empty_line(app: &App, remote: &str, hidden: usize) -> String {
    let name = escape(remote);
    let sync = app.command(&format!("sync {name}"));
    if hidden > 0 {
        let list_all = app.command(&format!("list --remote {name} --all"));
        return format!(
            "No open task lists from {name}; {hidden} archived (show them with: {list_all})"
        );
    }
    match app.tl.count_remote_lists(remote) {
        Ok(0) => format!("No task lists on {name}; share yours with it: {sync}"),
        Ok(n) => format!(
            "{name} has {n} task list{}, none fetched yet; bring {} here with: {sync}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" },
        ),
        Err(_) => format!("No task lists fetched from {name} yet; fetch them with: {sync}"),
    }
}

/// Writes `list`'s text for `view` (the unreadable lists are the caller's
/// to report); `empty` is the line printed when it holds no list.
pub fn write_text(
    out: &mut dyn std::io::Write,
    view: &ListsView,
    color: bool,
    empty: &str,
) -> CliResult {
    if view.lists.is_empty() && view.unreadable.is_empty() {
        writeln!(out, "{empty}")?;
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
