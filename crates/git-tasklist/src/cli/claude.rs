//! `import claude DIR` / `export claude DIR`: Claude Code's task files
//! (`~/.claude/tasks/<list>/`) into a new list, and a list out as them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::app::App;
use super::error::CliResult;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{ExportView, ImportView};

/// Where tasks come from or go to.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Claude Code's task files: DIR/1.json, 2.json, …, .highwatermark
    Claude,
}

/// Import Claude Code task files (DIR/*.json, e.g. ~/.claude/tasks/<list>) into a new list, in one commit
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The format of the files
    #[arg(value_enum)]
    format: Format,
    /// The directory holding them
    dir: PathBuf,
    /// The new list's title (default: "Claude Code tasks (<dir name>)")
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    title: Option<String>,
}

/// Export a list (-l / TASKLIST_ID) as Claude Code task files into DIR (created if missing)
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The format of the files
    #[arg(value_enum)]
    format: Format,
    /// The directory to write them to
    dir: PathBuf,
    /// Replace the *.json task files and .highwatermark already in DIR (other files are kept)
    #[arg(long)]
    force: bool,
}

/// Runs `import`.
pub fn run_import(app: &mut App, args: ImportArgs) -> CliResult {
    let Format::Claude = args.format;
    let done = app.tl.import_claude(&args.dir, args.title.as_deref())?;
    app.committed(&done.committed);
    let reference = app.tl.ref_name(&done.id);
    if app.json {
        return app.print_json(&ImportView::of(&done, &reference, app.session()));
    }
    for w in &done.warnings {
        eprintln!("warning: {w}");
    }
    let list = &done.committed.list;
    let n = list.tasks.len();
    writeln!(app.out, "{}", done.id)?;
    writeln!(
        app.out,
        "Imported {n} task{} from Claude Code ({}) as '{}' on {reference}",
        if n == 1 { "" } else { "s" },
        escape(&done.dir.display().to_string()),
        escape(&list.title),
    )?;
    if done.deleted > 0 || !done.warnings.is_empty() {
        writeln!(
            app.out,
            "Left out {} deleted task{}; {} warning{} (on stderr)",
            done.deleted,
            if done.deleted == 1 { "" } else { "s" },
            done.warnings.len(),
            if done.warnings.len() == 1 { "" } else { "s" },
        )?;
    }
    writeln!(
        app.out,
        "Resume it anywhere with: {}",
        app.command(&format!("resume -l {}", done.id))
    )?;
    Ok(())
}

/// Runs `export`.
pub fn run_export(app: &mut App, args: ExportArgs) -> CliResult {
    let Format::Claude = args.format;
    let query = app.list_query(None)?;
    let (snap, done) = app.tl.export_claude(&query, &args.dir, args.force)?;
    if app.json {
        return app.print_json(&ExportView::of(&snap.list, &done));
    }
    let n = done.tasks.len();
    let files = match (done.tasks.first(), done.tasks.last()) {
        (Some(a), Some(b)) if n > 1 => format!("{} … {}, ", a.file, b.file),
        (Some(a), _) => format!("{}, ", a.file),
        _ => String::new(),
    };
    writeln!(
        app.out,
        "Exported {n} task{} of '{}' to {}: {files}.highwatermark = {}",
        if n == 1 { "" } else { "s" },
        escape(&snap.list.title),
        escape(&done.dir.display().to_string()),
        done.highwatermark,
    )?;
    if !done.removed.is_empty() {
        let shown: Vec<String> = done.removed.iter().map(|r| escape(r)).collect();
        writeln!(app.out, "Removed old task files: {}", shown.join(", "))?;
    }
    Ok(())
}
