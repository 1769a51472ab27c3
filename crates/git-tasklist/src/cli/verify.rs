//! `verify`: the cross-session persistence checks over a list's whole history.

use clap::Args;

use super::app::{App, ListArg, task_id};
use super::error::{CliError, CliResult, Kind};
use super::render;
use git_tasklist_core::Error;
use git_tasklist_core::model::timestamp;
use git_tasklist_core::model::{Status, TaskList};
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{VerdictView, VerifyView};
use git_tasklist_core::workflow::verify::{Accepted, Check, Expect, Failure, Verdict};

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

/// Text lines for a verdict: one per check, then one per failure. `now` is the
/// list's current state, which tells "every task is settled" from "no task is
/// ready" when there is no current phase.
pub fn verdict_lines(v: &Verdict, now: Option<&TaskList>, color: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for check in Check::ALL {
        let fails: Vec<_> = v.failures.iter().filter(|f| f.check == check).collect();
        let accepted = v.accepted.iter().filter(|a| a.failure.check == check).count();
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
        let detail = match accepted {
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
            render::pad(check.name(), 21),
            detail
        ));
        for f in fails {
            lines.push(format!("      {}", failure_line(f)));
        }
        for a in v.accepted.iter().filter(|a| a.failure.check == check) {
            lines.push(format!("      {}", failure_line(&a.failure)));
            lines.push(format!("        {}", accepted_line(a, color)));
        }
    }
    lines
}

/// `commit 1a2b3c4d5e6f "subject": message`.
fn failure_line(f: &Failure) -> String {
    let at = match (&f.commit, &f.subject) {
        (Some(c), Some(s)) => format!("commit {} \"{}\": ", c.short(12), escape(s)),
        (Some(c), None) => format!("commit {}: ", c.short(12)),
        _ => String::new(),
    };
    format!("{at}{}", escape(&f.message))
}

/// `accepted by Ann at 2026-…Z in commit 9f8e7d6c5b4a: "why"`.
fn accepted_line(a: &Accepted, color: bool) -> String {
    let x = &a.acceptance;
    let when = chrono::DateTime::from_timestamp(x.time, 0)
        .map(|t| format!(" at {}", timestamp(&t)))
        .unwrap_or_default();
    let session =
        x.session.as_ref().map(|s| format!(" (session {})", escape(s))).unwrap_or_default();
    format!(
        "{} by {}{session}{when} in commit {}: \"{}\"",
        render::paint(color, render::Style::Yellow, "accepted"),
        escape(&x.by),
        x.commit.short(12),
        escape(&x.note)
    )
}

/// The closing line of a verdict.
pub fn verdict_summary(v: &Verdict, color: bool) -> String {
    if v.ok() {
        let accepted = match v.accepted.len() {
            0 => String::new(),
            n => format!(" ({n} failure{} accepted)", if n == 1 { "" } else { "s" }),
        };
        format!(
            "Cross-session persistence: {}{accepted}",
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
    let accepted_now = match (&args.accept, &args.note) {
        (Some(commit), Some(note)) => Some(app.tl.accept(&query, commit, note)?),
        _ => None,
    };
    let (id, verdict, now) = app.tl.verify(&query, &expects)?;
    if app.json {
        app.print_json(&VerifyView {
            list: id.clone(),
            verdict: VerdictView::of(&verdict),
            accepted_now: accepted_now.as_ref().map(|(_, a)| a.committed.tip.to_string()),
        })?;
    } else {
        if let Some((_, a)) = &accepted_now {
            let n = a.failures.len();
            writeln!(
                app.out,
                "Accepted the failure{} of commit {} in commit {}",
                if n == 1 { "" } else { "s" },
                a.accepts.short(12),
                a.committed.tip.short(12)
            )?;
        }
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
