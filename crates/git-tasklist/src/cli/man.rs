//! `man`: the manual pages, generated from the clap definition, so that
//! `git tasklist --help` (which git turns into `man git-tasklist`) finds one.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use clap_mangen::Man;

use super::error::{CliError, CliResult, Kind};

/// Print the git-tasklist(1) man page, or write every page into a directory
///
/// Install the pages where `man` looks, for example next to a `cargo install`ed binary:
/// `git tasklist man --dir ~/.cargo/share/man/man1` (man-db searches ../share/man of each
/// directory on PATH). Then `git tasklist --help` and `man git-tasklist-create` open them.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write git-tasklist.1 and one page per command (git-tasklist-create.1, …) into DIR,
    /// creating it if needed
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// The command the pages describe: every command, without clap's `help`.
fn command(cmd: clap::Command) -> clap::Command {
    let mut cmd = cmd.disable_help_subcommand(true);
    // Building names the subcommands' pages: `git-tasklist-create`.
    cmd.build();
    cmd
}

/// Runs `man`.
/// (`cmd` is the whole command line's clap command, from the dispatcher.)
pub fn run(a: ManArgs, cmd: clap::Command, out: &mut dyn Write) -> CliResult {
    let cmd = command(cmd);
    let Some(dir) = a.dir else {
        out.write_all(&render(cmd)?)?;
        return Ok(());
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::new(Kind::Error, format!("Cannot create {}: {e}", dir.display())))?;
    let mut pages = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    for page in pages {
        let path = write_page(page, &dir)?;
        writeln!(out, "{}", path.display())?;
    }
    Ok(())
}

/// The roff text of one page. The top page's closing lines (clap's
/// `after_help`, which clap_mangen would run together into one paragraph
/// under EXTRA) become sections of their own: EXIT STATUS and SEE ALSO,
/// which names where the documentation is.
fn render(cmd: clap::Command) -> CliResult<Vec<u8>> {
    let top = cmd.get_after_help().is_some();
    let cmd = cmd.after_help(None::<&str>).after_long_help(None::<&str>);
    let mut roff = Vec::new();
    Man::new(cmd)
        .render(&mut roff)
        .map_err(|e| CliError::new(Kind::Error, format!("Cannot render the man page: {e}")))?;
    if top {
        roff.extend_from_slice(EXIT_STATUS.as_bytes());
        roff.extend_from_slice(see_also().as_bytes());
    }
    Ok(roff)
}

/// The EXIT STATUS section (docs/exit-codes.md has the stable codes).
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
0
Success.
.TP
1
Error: bad input, unreadable data, a git failure.
.TP
2
Usage error.
.TP
3
Not found: no such list or task.
.TP
4
Conflict: a task another session holds, a guarded transition, a race not resolvable.
.TP
5
Verification failed (\fBverify\fR).
"#;

/// Text for a roff line: backslashes and hyphens escaped, and a leading
/// period or quote kept from being read as a request.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') { format!("\\&{s}") } else { s }
}

/// The SEE ALSO section: the commands that teach the tool, and where the
/// reference is — `docs/` of the source, with the path of the tree this
/// binary was built from when it is still there (a `cargo install --path`
/// checkout), and the repository's address when the package names one.
fn see_also() -> String {
    let mut s = String::from(
        ".SH \"SEE ALSO\"\n\
         \\fBgit tasklist demo\\fR plays the whole workflow in a throwaway repository; \
         \\fBgit tasklist\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR prints a command's options; \
         \\fBgit\\-tasklist\\-\\fR\\fICOMMAND\\fR(1) is its page.\n\
         .PP\n\
         The reference is in the \\fIdocs/\\fR directory of the git\\-tasklist source: \
         commands.md, concepts.md, sessions.md (resume, verify, handoff), sync.md, agents.md, \
         board.md, json.md (the \\fB\\-\\-json\\fR output), exit\\-codes.md, storage.md.\n",
    );
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    if let Ok(docs) = docs.join("commands.md").canonicalize() {
        let dir = docs.parent().unwrap_or(&docs).display().to_string();
        s.push_str(&format!(
            ".PP\nThis program was built from a source tree whose documentation is in:\n.RS\n{}\n.RE\n",
            roff_text(&dir)
        ));
    }
    let repository = env!("CARGO_PKG_REPOSITORY");
    if !repository.is_empty() {
        s.push_str(&format!(".PP\nThe source: {}\n", roff_text(repository)));
    }
    s
}

/// Writes the page of `cmd` into `dir`; returns its path.
fn write_page(cmd: clap::Command, dir: &Path) -> CliResult<PathBuf> {
    let path = dir.join(Man::new(cmd.clone()).get_filename());
    std::fs::write(&path, render(cmd)?)
        .map_err(|e| CliError::new(Kind::Error, format!("Cannot write {}: {e}", path.display())))?;
    Ok(path)
}
