//! `archive` / `unarchive`: hide a finished list from `list`, or show it again.

use clap::Args;

use super::app::{App, ListArg};
use super::error::CliResult;
use super::update::print_change;
use git_tasklist_core::view::ChangeView;

/// Archive a list: hidden from `list` unless --all, still readable (one commit, so it syncs)
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    #[command(flatten)]
    pub list: ListArg,
}

/// Unarchive a list: shown by `list` again
#[derive(Debug, Args)]
pub struct UnarchiveArgs {
    #[command(flatten)]
    pub list: ListArg,
}

/// Runs `archive` (`archived` true) or `unarchive`.
pub fn run(app: &mut App, which: Option<&str>, archived: bool) -> CliResult {
    let query = app.list_query(which)?;
    let done = app.tl.archive(&query, archived)?;
    let view = ChangeView::of(&done.committed, &app.tl.ref_name(&done.id), app.session());
    print_change(app, &done, &view)
}
