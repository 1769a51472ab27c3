//! `verify`: the cross-session persistence checks over a list's whole history.

use clap::Args;

use super::app::{App, ListArg, task_id};
use super::error::{CliError, CliResult, Kind};
use super::render;
use git_tasklist_core::Error;
use git_tasklist_core::model::{Status, TaskList};
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{VerdictView, VerifyView};
use git_tasklist_core::workflow::verify::{Check, Expect, Verdict};

/// Check a list's whole history: id continuity, status preserved, seamless continuation (exit 5 on failure)
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    list: ListArg,
    /// A status you saw last session, e.g. database-migration=completed (repeatable)
    #[arg(long = "expect", value_name = "TASK=STATUS")]
    expect: Vec<String>,
}

/// Parses `TASK=STATUS`.
fn parse_expect(s: &str) -> CliResult<Expect> {
    let (task, status) = s.split_once('=').ok_or_else(|| {
        CliError::new(Kind::Usage, format!("--expect '{}' is not TASK=STATUS", escape(s)))
    })?;
    let task = task_id(task.trim())?;
    let status: Status = status.parse().map_err(Error::from)?;
    Ok(Expect { task: task.to_string(), status })
}

/// Text lines for a verdict: one per check, then one per failure. `now` is the
/// list's current state, which tells "every task is settled" from "no task is
/// ready" when there is no current phase.
pub fn verdict_lines(v: &Verdict, now: Option<&TaskList>, color: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for check in Check::ALL {
        let fails: Vec<_> = v.failures.iter().filter(|f| f.check == check).collect();
        let detail = if !fails.is_empty() {
            format!("{} problem{}", fails.len(), if fails.len() == 1 { "" } else { "s" })
        } else {
            match check {
                Check::IdContinuity => format!(
                    "{} commit{} read, id matches the ref",
                    v.commits,
                    if v.commits == 1 { "" } else { "s" }
                ),
                Check::StatusPreserved => {
                    "no completed task went back without --reopen".to_string()
                }
                _ if !v.tip_readable => "current state unreadable".to_string(),
                _ => match (&v.current_phase, now) {
                    (Some(p), _) => format!("in order; current phase: {p}"),
                    (None, Some(l)) if l.all_settled() => {
                        "in order; every task is settled".to_string()
                    }
                    (None, Some(l)) => {
                        format!("in order; no task is ready; waiting: {}", l.stuck().join(", "))
                    }
                    (None, None) => "in order; no current phase".to_string(),
                },
            }
        };
        let (sym, style) = if fails.is_empty() {
            ("✓", render::Style::Green)
        } else {
            ("✗", render::Style::Red)
        };
        lines.push(format!(
            "  {} {}  {}",
            render::paint(color, style, sym),
            render::pad(check.name(), 21),
            detail
        ));
        for f in fails {
            let at = match (&f.commit, &f.subject) {
                (Some(c), Some(s)) => {
                    format!("commit {} \"{}\": ", c.short(12), escape(s))
                }
                (Some(c), None) => format!("commit {}: ", c.short(12)),
                _ => String::new(),
            };
            lines.push(format!("      {at}{}", escape(&f.message)));
        }
    }
    lines
}

/// The closing line of a verdict.
pub fn verdict_summary(v: &Verdict, color: bool) -> String {
    if v.ok() {
        format!(
            "Cross-session persistence: {}",
            render::paint(color, render::Style::Green, "VERIFIED")
        )
    } else {
        let n = v.failures.len();
        format!(
            "Cross-session persistence: {} ({n} problem{})",
            render::paint(color, render::Style::Red, "FAILED"),
            if n == 1 { "" } else { "s" }
        )
    }
}

/// Runs `verify`.
pub fn run(app: &mut App, args: VerifyArgs) -> CliResult {
    let expects = args.expect.iter().map(|s| parse_expect(s)).collect::<CliResult<Vec<_>>>()?;
    let query = app.list_query(args.list.which.as_deref())?;
    let (id, verdict, now) = app.tl.verify(&query, &expects)?;
    if app.json {
        app.print_json(&VerifyView { list: id.clone(), verdict: VerdictView::of(&verdict) })?;
    } else {
        match &now {
            Some(s) => writeln!(app.out, "Verifying '{}' ({id})", escape(&s.list.title))?,
            None => writeln!(app.out, "Verifying task list {id}")?,
        }
        for line in verdict_lines(&verdict, now.as_ref().map(|s| &s.list), app.color) {
            writeln!(app.out, "{line}")?;
        }
        writeln!(app.out, "{}", verdict_summary(&verdict, app.color))?;
    }
    if verdict.ok() {
        Ok(())
    } else {
        Err(CliError::new(Kind::Verify, format!("Verification of task list {id} failed")))
    }
}
