//! `handoff`: record a note for the next session and write HANDOFF.md.

use std::path::PathBuf;

use clap::Args;

use super::{App, CliError, CliResult, Kind};
use crate::handoff::{HANDOFF_FILE, HandoffTemplate};
use crate::op::Op;

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
    let id = app.list_id(None)?;
    if let Some(p) = &args.output {
        check_writable(p)?;
    }
    let template =
        HandoffTemplate::load(app.store.workdir()).map_err(|e| CliError::new(Kind::Error, e))?;
    let ref_name = app.store.ref_name(&id);
    // The document committed is the one printed: the closure keeps the
    // rendering of the last attempt (a lost race renders again).
    let rendered = std::cell::RefCell::new(String::new());
    let render = |l: &crate::model::TaskList| -> Result<crate::store::Files, String> {
        let doc = template.render(l, &ref_name)?;
        let file = (HANDOFF_FILE.to_string(), doc.clone().into_bytes());
        *rendered.borrow_mut() = doc;
        Ok(vec![file])
    };
    let op = Op::Handoff { note: args.note.unwrap_or_default() };
    let session = app.session.clone();
    let done = app.store.transact(&id, &op, session.as_deref(), &render)?;
    let doc = rendered.into_inner();
    if app.json {
        let mut v = super::render::change_json(&done, &ref_name, session.as_deref());
        v["document"] = doc.clone().into();
        v["output"] = args.output.as_ref().map(|p| p.display().to_string()).into();
        if let Some(p) = &args.output {
            write_doc(p, &doc)?;
        }
        writeln!(app.out, "{v}")?;
        return Ok(());
    }
    match &args.output {
        Some(p) => {
            write_doc(p, &doc)?;
            writeln!(
                app.out,
                "Handoff recorded on {ref_name}; document written to {}",
                p.display()
            )?;
        }
        None => write!(app.out, "{doc}")?,
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
