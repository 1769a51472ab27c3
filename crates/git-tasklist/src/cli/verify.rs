//! `verify`: the cross-session persistence checks over a list's whole history.

use clap::Args;

use super::app::{App, ListArg, task_id};
use super::error::{CliError, CliResult, Kind};
use super::render;
use git_tasklist_core::Error;
use git_tasklist_core::model::Status;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{AcceptedView, FailureView, VerdictView, VerifyView, WaitingView};
use git_tasklist_core::workflow::verify::Expect;

/// Check a list's whole history: id continuity, status preserved, seamless continuation (exit 5 on failure)
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    list: ListArg,
    /// A status you saw last session, e.g. database-migration=completed (repeatable)
    #[arg(long = "expect", value_name = "TASK=STATUS")]
    expect: Vec<String>,
    /// Accept the failure of COMMIT (full id or 4+ hex digits, as verify names it): one commit, nothing rewritten
    #[arg(long, value_name = "COMMIT", requires = "note")]
    accept: Option<String>,
    /// Why the failure is acceptable (required with --accept)
    #[arg(long, value_name = "TEXT", requires = "accept")]
    note: Option<String>,
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

/// Text lines for a verdict: one per check, then one per failure.
/// `waiting` is what waits now in the list (`None` when its current state
/// cannot be read), which tells "every task is settled" from "no task is
/// ready" when there is no current phase.
pub fn verdict_lines(v: &VerdictView, waiting: Option<&[WaitingView]>, color: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for check in &v.checks {
        let fails = &check.failures;
        let accepted: Vec<&AcceptedView> =
            v.accepted.iter().filter(|a| a.check == check.name).collect();
        let detail = if !fails.is_empty() {
            format!("{} problem{}", fails.len(), if fails.len() == 1 { "" } else { "s" })
        } else {
            match check.name.as_str() {
                "id continuity" => format!(
                    "{} commit{} read, id matches the ref",
                    v.commits,
                    if v.commits == 1 { "" } else { "s" }
                ),
                "status preserved" => "no completed task went back without --reopen".to_string(),
                _ => match (&v.current_phase, waiting) {
                    (_, None) => "current state unreadable".to_string(),
                    (Some(p), _) => format!("in order; current phase: {p}"),
                    (None, Some([])) => "in order; every task is settled".to_string(),
                    (None, Some(w)) => {
                        format!("in order; no task is ready; waiting: {}", render::waiting(w))
                    }
                },
            }
        };
        let detail = match accepted.len() {
            0 => detail,
            n => format!("{detail}; {n} accepted failure{}", if n == 1 { "" } else { "s" }),
        };
        let (sym, style) = if fails.is_empty() {
            ("✓", render::Style::Green)
        } else {
            ("✗", render::Style::Red)
        };
        lines.push(format!(
            "  {} {}  {}",
            render::paint(color, style, sym),
            render::pad(&check.name, 21),
            detail
        ));
        for f in fails {
            lines.push(format!("      {}", failure_line(f)));
        }
        for a in accepted {
            lines.push(format!("      {}", failure_line(&a.failure)));
            lines.push(format!("        {}", accepted_line(a, color)));
        }
    }
    lines
}

/// `commit 1a2b3c4d5e6f "subject": message`.
fn failure_line(f: &FailureView) -> String {
    let at = match (&f.commit, &f.subject) {
        (Some(c), Some(s)) => format!("commit {} \"{}\": ", render::short(c), escape(s)),
        (Some(c), None) => format!("commit {}: ", render::short(c)),
        _ => String::new(),
    };
    format!("{at}{}", escape(&f.message))
}

/// `accepted by Ann at 2026-…Z in commit 9f8e7d6c5b4a: "why"`.
fn accepted_line(a: &AcceptedView, color: bool) -> String {
    let when = a.at.as_ref().map(|t| format!(" at {t}")).unwrap_or_default();
    let session =
        a.session.as_ref().map(|s| format!(" (session {})", escape(s))).unwrap_or_default();
    format!(
        "{} by {}{session}{when} in commit {}: \"{}\"",
        render::paint(color, render::Style::Yellow, "accepted"),
        escape(&a.by),
        render::short(&a.accepted_in),
        escape(&a.note)
    )
}

/// The closing line of a verdict.
pub fn verdict_summary(v: &VerdictView, color: bool) -> String {
    if v.verified {
        let accepted = match v.accepted.len() {
            0 => String::new(),
            n => format!(" ({n} failure{} accepted)", if n == 1 { "" } else { "s" }),
        };
        format!(
            "Cross-session persistence: {}{accepted}",
            render::paint(color, render::Style::Green, "VERIFIED")
        )
    } else {
        let n: usize = v.checks.iter().map(|c| c.failures.len()).sum();
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
    let accepted_now = match (&args.accept, &args.note) {
        (Some(commit), Some(note)) => Some(app.tl.accept(&query, commit, note)?.1),
        _ => None,
    };
    let (id, verdict, now) = app.tl.verify(&query, &expects)?;
    let view = VerifyView::new(&id, &verdict, now.as_ref(), accepted_now.as_ref());
    if app.json {
        app.print_json(&view)?;
    } else {
        if let Some(commit) = &view.accepted_now {
            // The failures this call accepted: those its commit answers.
            let now: Vec<&AcceptedView> =
                view.verdict.accepted.iter().filter(|a| a.accepted_in == *commit).collect();
            if let Some(accepts) = now.first().and_then(|a| a.failure.commit.as_deref()) {
                writeln!(
                    app.out,
                    "Accepted the failure{} of commit {} in commit {}",
                    if now.len() == 1 { "" } else { "s" },
                    render::short(accepts),
                    render::short(commit)
                )?;
            }
        }
        match &view.title {
            Some(t) => writeln!(app.out, "Verifying '{}' ({id})", escape(t))?,
            None => writeln!(app.out, "Verifying task list {id}")?,
        }
        let waiting = view.next_step.as_ref().map(|s| s.waiting.as_slice());
        for line in verdict_lines(&view.verdict, waiting, app.color) {
            writeln!(app.out, "{line}")?;
        }
        writeln!(app.out, "{}", verdict_summary(&view.verdict, app.color))?;
    }
    if view.verdict.verified {
        Ok(())
    } else {
        Err(CliError::new(Kind::Verify, format!("Verification of task list {id} failed")))
    }
}
