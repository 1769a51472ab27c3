//! `resume`: the one-screen briefing a new session needs to pick up a list.

use clap::Args;

use super::app::{App, ListArg};
use super::error::CliResult;
use super::render;
use super::verify::{verdict_lines, verdict_summary};
use git_tasklist_core::model::{NextState, Status};
use git_tasklist_core::text::escape;
use git_tasklist_core::view::ResumeView;

/// Brief a new session: progress, tasks, next step, last handoff, recent history, bounded verify
#[derive(Debug, Args)]
pub struct ResumeArgs {
    #[command(flatten)]
    list: ListArg,
}

/// Runs `resume`.
pub fn run(app: &mut App, args: ResumeArgs) -> CliResult {
    let query = app.list_query(args.list.which.as_deref())?;
    let b = app.tl.resume(&query)?;
    let view = ResumeView::of(&b, &app.tl.ref_name(&b.snapshot.list.id));
    if app.json {
        return app.print_json(&view);
    }
    let l = &view.list;
    let c = app.color;
    writeln!(app.out, "{}", render::header(l, c))?;
    for line in render::continued_lines(&app.tl.continuations(&l.continued_in), c) {
        writeln!(app.out, "{line}")?;
    }
    writeln!(app.out)?;
    if l.tasks.is_empty() {
        writeln!(app.out, "  {}", super::show::no_tasks_line(app))?;
    }
    for (t, line) in l.tasks.iter().zip(render::task_lines(l, c)) {
        let mut line = line;
        let first_end = line.find('\n').unwrap_or(line.len());
        let mut extra = String::new();
        if t.status != Status::InProgress
            && let Some(o) = &t.owner
        {
            extra.push_str(&format!(" · by {}", escape(o)));
        }
        if view.left_open.iter().any(|o| o.id == t.id) {
            extra.push_str(&render::paint(
                c,
                render::Style::Red,
                " · left open by an earlier session",
            ));
        }
        line.insert_str(first_end, &extra);
        writeln!(app.out, "{line}")?;
    }
    match (view.state, &view.next) {
        _ if l.tasks.is_empty() => {}
        (NextState::Ready, Some(task)) => {
            writeln!(app.out)?;
            writeln!(
                app.out,
                "Next: {}  {}{}",
                render::paint(c, render::Style::Bold, &task.id),
                escape(&task.title),
                render::held_note(l.next_step.held_by.as_deref())
            )?;
        }
        (NextState::Waiting, _) => {
            writeln!(app.out)?;
            writeln!(
                app.out,
                "Next: no task is ready; waiting: {}",
                render::waiting(&view.waiting)
            )?;
        }
        _ => {
            writeln!(app.out)?;
            writeln!(app.out, "Next: nothing left, every task is settled")?;
        }
    }
    if let Some(h) = &l.handoff {
        writeln!(app.out)?;
        let who =
            h.session.as_deref().map(|s| format!(" by session {}", escape(s))).unwrap_or_default();
        writeln!(app.out, "Last handoff ({}{who}):", h.at)?;
        let note =
            if h.note.is_empty() { "(no note)".to_string() } else { render::indented(&h.note, 2) };
        writeln!(app.out, "  {note}")?;
    }
    writeln!(app.out)?;
    writeln!(app.out, "Recent history:")?;
    for e in &view.history {
        let when = render::time(e.time.as_deref(), false);
        let who = e.session.as_deref().map(escape).unwrap_or_else(|| escape(&e.author));
        writeln!(
            app.out,
            "  {}  {}  {}",
            render::paint(c, render::Style::Dim, &when),
            render::paint(c, render::Style::Cyan, &who),
            escape(&e.subject)
        )?;
    }
    writeln!(app.out)?;
    let verdict = &view.verify.verdict;
    let scope = match &view.verify.since_handoff {
        Some(b) => format!(
            "since the last handoff (written on {}): {} commits",
            render::short(b),
            verdict.commits
        ),
        None => format!("(no handoff yet): last {} commits", verdict.commits),
    };
    writeln!(app.out, "Verify {scope} (`{}` checks all history):", app.command("verify"))?;
    for line in verdict_lines(verdict, Some(&view.waiting), c) {
        writeln!(app.out, "{line}")?;
    }
    writeln!(app.out, "{}", verdict_summary(verdict, c))?;
    if let Some(cmd) = &view.next_command {
        writeln!(app.out)?;
        writeln!(app.out, "Continue with: {cmd}")?;
    }
    Ok(())
}
