//! `handoff`: record a note for the next session and write HANDOFF.md.

use std::path::{Path, PathBuf};

use clap::Args;

use super::app::{App, ListArg};
use super::error::{CliError, CliResult, Kind};
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{ChangeView, HandoffView};

/// Record a handoff note and render the handoff document (committed as HANDOFF.md)
#[derive(Debug, Args)]
pub struct HandoffArgs {
    #[command(flatten)]
    list: ListArg,
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
    let query = app.list_query(args.list.which.as_deref())?;
    if let Some(p) = &args.output {
        check_writable(app, p)?;
    }
    let (id, done) = app.tl.handoff(&query, &args.note.unwrap_or_default())?;
    app.committed(&done.committed);
    if let Some(p) = &args.output {
        write_doc(p, &done.document, &done.committed.tip.to_string())?;
    }
    let view = HandoffView {
        change: ChangeView::of(&done.committed, &app.tl.ref_name(&id), app.session()),
        document: done.document.clone(),
        output: args.output.as_ref().map(|p| p.display().to_string()),
    };
    if app.json {
        return app.print_json(&view);
    }
    match &view.output {
        Some(p) => writeln!(
            app.out,
            "Handoff recorded on {}; document written to {p}",
            view.change.list.reference
        )?,
        None => write!(app.out, "{}", view.document)?,
    }
    Ok(())
}

/// Refuses, before anything is committed, an output path that cannot or
/// must not be written: a directory, a FIFO or device (writing one blocks or
/// fails after the commit), a symbolic link (it may point anywhere, a
/// committed `HANDOFF.md` link into `.git` included), a missing directory,
/// or a place inside the repository's git directory.
fn check_writable(app: &App, path: &Path) -> CliResult {
    let refuse = |why: &str| {
        CliError::new(
            Kind::Error,
            format!(
                "Cannot write the handoff document to {}: {why}",
                escape(&path.display().to_string())
            ),
        )
        .hint("nothing was committed; pass another --output, or leave it out to print the document")
    };
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let t = meta.file_type();
        if t.is_symlink() {
            return Err(refuse("it is a symbolic link"));
        }
        if !t.is_file() {
            return Err(refuse(if t.is_dir() {
                "it is a directory"
            } else {
                "it is not a regular file"
            }));
        }
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(parent) = parent.canonicalize() else {
        return Err(refuse("its directory does not exist"));
    };
    for git in app.tl.git_dirs() {
        if git.canonicalize().is_ok_and(|g| parent.starts_with(g)) {
            return Err(refuse("it is inside the repository's git directory"));
        }
    }
    Ok(())
}

/// Writes the document through a temporary file in the same directory and
/// a rename, so a reader never sees half a document and no link is followed.
fn write_doc(path: &Path, doc: &str, commit: &str) -> CliResult {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // A signal waits for the rename: no temporary file is left beside it.
    let _hold = git_tasklist_core::interrupt::hold();
    let written = tempfile::NamedTempFile::new_in(parent).and_then(|mut tmp| {
        use std::io::Write as _;
        tmp.write_all(doc.as_bytes())?;
        tmp.as_file().sync_data()?;
        tmp.persist(path).map(|_| ()).map_err(|e| e.error)
    });
    written.map_err(|e| {
        CliError::new(
            Kind::Error,
            format!(
                "The handoff was committed ({commit}), but {} cannot be written: {e}",
                escape(&path.display().to_string())
            ),
        )
        .hint(format!(
            "do not repeat the handoff; `git show {commit}:HANDOFF.md` prints the document"
        ))
    })
}
