//! `sync`: exchange the lists with a git remote, merging where both changed.

use clap::Args;

use super::app::App;
use super::error::{CliError, CliResult, Kind};
use super::render;
use std::io::IsTerminal as _;

use git_tasklist_core::sync::{Action, SyncOptions, SyncProgress};
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{InitView, SyncView};

/// Exchange task lists with a git remote: fetch, merge, push (never forced)
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The remote (default: the current branch's upstream remote, else origin)
    remote: Option<String>,
    /// Fetch and merge, but do not push
    #[arg(long)]
    no_push: bool,
    /// Say what would happen; change nothing here or on the remote
    #[arg(long)]
    dry_run: bool,
    /// The remote side's ref prefix, e.g. refs/heads/claude/tasklists for hosts that accept only branches [git config: tasklist.remotePrefix] [default: the namespace]
    #[arg(long, value_name = "P")]
    remote_prefix: Option<String>,
    /// Report how far pushing has come on stderr even when it is not a terminal (as git's --progress)
    #[arg(long)]
    progress: bool,
}

/// Add the fetch refspec so a plain `git fetch` brings teammates' lists too
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The remote (default: the current branch's upstream remote, else origin)
    #[arg(long, value_name = "R")]
    remote: Option<String>,
    /// The remote side's ref prefix (as for sync)
    #[arg(long, value_name = "P")]
    remote_prefix: Option<String>,
}

/// Runs `init`.
pub fn run_init(app: &mut App, a: InitArgs) -> CliResult {
    let done = app.tl.init(a.remote.as_deref(), a.remote_prefix.as_deref())?;
    let done = InitView { remote: done.remote, refspec: done.refspec, added: done.added };
    if app.json {
        return app.print_json(&done);
    }
    let what = if done.added { "Added" } else { "Already there:" };
    writeln!(
        app.out,
        "{what} fetch refspec {} on remote {}; `git fetch {}` now brings its task lists too",
        done.refspec,
        escape(&done.remote),
        escape(&done.remote)
    )?;
    Ok(())
}

/// Runs `sync`.
pub fn run(app: &mut App, a: SyncArgs) -> CliResult {
    let opts = SyncOptions {
        remote: a.remote,
        no_push: a.no_push,
        dry_run: a.dry_run,
        remote_prefix: a.remote_prefix,
    };
    let started = std::time::Instant::now();
    // As git: progress on a terminal once the work takes over a second,
    // or always with --progress.
    let tty = std::io::stderr().is_terminal();
    let mut progress = |p: SyncProgress| {
        if a.progress || (tty && started.elapsed() >= PROGRESS_AFTER) {
            eprintln!("sync: pushed {} of {} lists", thousands(p.pushed), thousands(p.total));
        }
    };
    let report = SyncView::of(&app.tl.sync_with_progress(&opts, &mut progress)?);
    if app.json {
        app.print_json(&report)?;
        return skipped(&report);
    }
    if report.lists.is_empty() {
        writeln!(app.out, "No task lists here or on {}", escape(&report.remote))?;
    }
    let would = if opts.dry_run { "would be " } else { "" };
    for l in &report.lists {
        let what = match l.action {
            Action::UpToDate => "up to date".to_string(),
            Action::New => format!("{would}new from the remote"),
            Action::FastForward => format!("{would}fast-forwarded"),
            Action::Merged => {
                let n = l.conflicts.len();
                format!("{would}merged — {n} conflict{} resolved", if n == 1 { "" } else { "s" })
            }
            Action::Pushed if !l.pushed => "ahead of the remote (not pushed)".to_string(),
            Action::Pushed => format!("{would}pushed"),
            Action::Skipped => format!("skipped — {}", l.detail.as_deref().unwrap_or("")),
            // An outcome added later: told by `--json`.
            _ => format!("{would}synced"),
        };
        let pushed = if l.pushed && l.action == Action::Merged && !opts.dry_run && !opts.no_push {
            ", pushed"
        } else {
            ""
        };
        // An up-to-date list is not read: no title, and no gap for one.
        let title = l.title.as_deref().map(|t| format!("{}  ", escape(t))).unwrap_or_default();
        writeln!(
            app.out,
            "{}  {title}{what}{pushed}",
            render::paint(app.color, render::Style::Cyan, &escape(&l.id)),
        )?;
    }
    skipped(&report)
}

/// How long a sync works before it reports progress on a terminal.
const PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// `n` with a comma between thousands (`20,000`).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Exit 1 when a list was skipped (after every other list was synced and
/// the rows were printed), saying how many and what the remote said.
fn skipped(report: &SyncView) -> CliResult {
    let n = report.skipped;
    if n == 0 {
        return Ok(());
    }
    let total = report.lists.len();
    let said = match &report.remote_message {
        Some(m) => format!("; the remote said: {m}"),
        None => String::new(),
    };
    let mut e = CliError::new(
        Kind::Error,
        format!(
            "{n} of {total} task list{} {} skipped (see {}); the others were synced{said}",
            if total == 1 { "" } else { "s" },
            if n == 1 { "was" } else { "were" },
            if n == 1 { "its row" } else { "their rows" },
        ),
    );
    e.code = "lists_skipped";
    Err(e)
}
