//! `handoff`: record a note for the next session and write HANDOFF.md.

use std::path::PathBuf;

use clap::Args;

use super::{App, CliError, CliResult, Kind};
use crate::view::{ChangeView, HandoffView};

/// Record a handoff note and render the handoff document (committed as HANDOFF.md)
#[derive(Debug, Args)]
pub struct HandoffArgs {
    /// The note for the next session: where things stand, what to do next
    #[arg(long, short = 'm', allow_hyphen_values = true)]
    note: Option<String>,
    /// Write the document to FILE instead of printing it ('-': print it, the default)
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `handoff`.
pub fn run(app: &mut App, mut args: HandoffArgs) -> CliResult {
    // `-o -` is standard output, as for most tools: the document is printed.
    args.output = args.output.filter(|p| p.as_os_str() != "-");
    let query = app.list_query(None)?;
    if let Some(p) = &args.output {
        check_writable(p)?;
    }
    let (id, done) = app.tl.handoff(&query, &args.note.unwrap_or_default())?;
    let ref_name = app.tl.ref_name(&id);
    if let Some(p) = &args.output {
        write_doc(p, &done.document)?;
    }
    if app.json {
        let view = HandoffView {
            change: ChangeView::of(&done.committed, &ref_name, app.session()),
            document: done.document.clone(),
            output: args.output.as_ref().map(|p| p.display().to_string()),
        };
        return app.print_json(&view);
    }
    match &args.output {
        Some(p) => writeln!(
            app.out,
            "Handoff recorded on {ref_name}; document written to {}",
            p.display()
        )?,
        None => write!(app.out, "{}", done.document)?,
    }
    Ok(())
}

/// Refuses an output path that cannot be written, before anything is committed.
fn check_writable(path: &std::path::Path) -> CliResult {
    let parent =
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if path.is_dir() || !parent.is_dir() {
        return Err(CliError::new(
            Kind::Error,
            format!(
                "Cannot write the handoff document to {}: not a file in an existing directory",
                path.display()
            ),
        ));
    }
    Ok(())
}

fn write_doc(path: &std::path::Path, doc: &str) -> CliResult {
    std::fs::write(path, doc).map_err(|e| {
        CliError::new(Kind::Error, format!("Cannot write {}: {e}", path.display()))
            .hint("the handoff itself was committed; rerun with another --output or without it")
    })
}
