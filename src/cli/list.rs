//! `list`: every task list in the namespace, one line each.

use clap::Args;
use serde_json::json;

use super::{App, CliResult, render};
use crate::model::escape;

/// List all task lists: id, progress, title
#[derive(Debug, Args)]
pub struct ListArgs {}

/// Runs `list`. Unreadable lists are reported (stderr, or `unreadable` in
/// JSON) without hiding the readable ones.
pub fn run(app: &mut App, _args: ListArgs) -> CliResult {
    let entries = app.store.list_all()?;
    let mut readable = Vec::new();
    let mut broken = Vec::new();
    for e in entries {
        match e.result {
            Ok(s) => readable.push(s),
            Err(err) => broken.push((e.id, err.to_string())),
        }
    }
    if app.json {
        let lists: Vec<_> = readable
            .iter()
            .map(|s| {
                let (done, total) = s.list.progress();
                json!({
                    "id": s.list.id,
                    "ref": app.store.ref_name(&s.list.id),
                    "tip": s.tip.to_string(),
                    "title": s.list.title,
                    "updated": crate::model::timestamp(&s.list.updated),
                    "progress": { "done": done, "total": total },
                    "next": s.list.next_for(app.session.as_deref()).map(|t| t.id.as_str()),
                })
            })
            .collect();
        let unreadable: Vec<_> = broken
            .iter()
            .map(|(id, err)| json!({ "id": id, "ref": app.store.ref_name(id), "error": err }))
            .collect();
        writeln!(app.out, "{}", json!({ "lists": lists, "unreadable": unreadable }))?;
    } else {
        if readable.is_empty() && broken.is_empty() {
            writeln!(
                app.out,
                "No task lists under {}; create one with: {}",
                app.store.namespace(),
                app.command("create TITLE --task ID")
            )?;
        }
        let rows: Vec<(String, String, String)> = readable
            .iter()
            .map(|s| {
                let (done, total) = s.list.progress();
                (s.list.id.clone(), format!("{done}/{total}"), escape(&s.list.title))
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
        for (_, err) in &broken {
            eprintln!("warning: {err}");
        }
    }
    Ok(())
}
