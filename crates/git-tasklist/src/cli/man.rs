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

/// The roff text of one page.
fn render(cmd: clap::Command) -> CliResult<Vec<u8>> {
    let mut roff = Vec::new();
    Man::new(cmd)
        .render(&mut roff)
        .map_err(|e| CliError::new(Kind::Error, format!("Cannot render the man page: {e}")))?;
    Ok(roff)
}

/// Writes the page of `cmd` into `dir`; returns its path.
fn write_page(cmd: clap::Command, dir: &Path) -> CliResult<PathBuf> {
    let path = dir.join(Man::new(cmd.clone()).get_filename());
    std::fs::write(&path, render(cmd)?)
        .map_err(|e| CliError::new(Kind::Error, format!("Cannot write {}: {e}", path.display())))?;
    Ok(path)
}
