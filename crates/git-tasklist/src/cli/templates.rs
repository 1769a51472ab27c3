//! `templates`: the task list templates `create --template` can use.

use clap::Args;

use super::app::App;
use super::error::CliResult;
use super::render;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{TemplateEntryView, TemplateView, TemplatesView};

/// List the available task list templates (repository's own, then built-in)
#[derive(Debug, Args)]
pub struct TemplatesArgs {}

/// Runs `templates`.
pub fn run(app: &mut App, _args: TemplatesArgs) -> CliResult {
    let view = TemplatesView::of(&app.tl.templates());
    if app.json {
        return app.print_json(&view);
    }
    let ok: Vec<&TemplateView> = view
        .templates
        .iter()
        .filter_map(|t| match t {
            TemplateEntryView::Ok(t) => Some(t),
            _ => None,
        })
        .collect();
    let name_w = ok.iter().map(|t| render::width(&escape(&t.name))).max().unwrap_or(0);
    let origins: Vec<String> = ok.iter().map(|t| escape(&t.origin)).collect();
    let origin_w = origins.iter().map(|o| render::width(o)).max().unwrap_or(0);
    for (t, origin) in ok.iter().zip(&origins) {
        let ids: Vec<&str> = t.tasks.iter().map(|x| x.id.as_str()).collect();
        writeln!(
            app.out,
            "{}  {}  {}",
            render::paint(app.color, render::Style::Bold, &render::pad(&escape(&t.name), name_w)),
            render::pad(origin, origin_w),
            escape(&t.description)
        )?;
        writeln!(
            app.out,
            "{}  {}",
            " ".repeat(name_w),
            render::paint(
                app.color,
                render::Style::Dim,
                &format!("{}{}", if t.sequential { "sequential: " } else { "" }, ids.join(" → "))
            )
        )?;
    }
    for t in &view.templates {
        if let TemplateEntryView::Broken { error } = t {
            eprintln!("warning: {error}");
        }
    }
    writeln!(app.out)?;
    writeln!(app.out, "Use one with: {}", app.command("create --template NAME [TITLE]"))?;
    Ok(())
}
