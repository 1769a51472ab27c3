//! Views of lists for people (aligned text, symbols, optional colour) and for
//! programs (the JSON schema documented in the README).

use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

use crate::model::{Status, Task, TaskList, escape, escape_multiline, timestamp};
use gix::ObjectId;

use crate::store::{Committed, LogEntry};

/// ANSI styles used in text output.
#[derive(Clone, Copy)]
pub enum Style {
    /// Bold.
    Bold,
    /// Dimmed.
    Dim,
    /// Green.
    Green,
    /// Yellow.
    Yellow,
    /// Red.
    Red,
    /// Cyan.
    Cyan,
}

/// Wraps `s` in the ANSI codes for `style` when `color` is on.
pub fn paint(color: bool, style: Style, s: &str) -> String {
    if !color {
        return s.to_string();
    }
    let style = match style {
        Style::Bold => anstyle::Style::new().bold(),
        Style::Dim => anstyle::Style::new().dimmed(),
        Style::Green => anstyle::AnsiColor::Green.on_default(),
        Style::Yellow => anstyle::AnsiColor::Yellow.on_default(),
        Style::Red => anstyle::AnsiColor::Red.on_default(),
        Style::Cyan => anstyle::AnsiColor::Cyan.on_default(),
    };
    format!("{}{s}{}", style.render(), style.render_reset())
}

/// The symbol shown for a status.
pub fn symbol(status: Status) -> &'static str {
    match status {
        Status::Pending => "○",
        Status::InProgress => "▶",
        Status::Completed => "✓",
        Status::Blocked => "✗",
        Status::Cancelled => "⊘",
    }
}

/// The colour of a status.
pub fn status_style(status: Status) -> Style {
    match status {
        Status::Pending => Style::Dim,
        Status::InProgress => Style::Yellow,
        Status::Completed => Style::Green,
        Status::Blocked => Style::Red,
        Status::Cancelled => Style::Dim,
    }
}

/// The columns `s` takes on a terminal: a CJK character or an emoji takes two,
/// a combining mark none. Columns are aligned by this, not by `chars().count()`.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Pads `s` with spaces to `cols` terminal columns.
pub fn pad(s: &str, cols: usize) -> String {
    let n = width(s);
    if n >= cols { s.to_string() } else { format!("{s}{}", " ".repeat(cols - n)) }
}

/// `s` as one shell word: unchanged when it is safe as it is, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_=./:@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Multi-line text escaped for a terminal, every line after the first
/// indented by `indent` spaces.
pub fn indented(s: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let lines: Vec<String> = escape_multiline(s)
        .split('\n')
        .enumerate()
        .map(|(i, l)| if i == 0 || l.is_empty() { l.to_string() } else { format!("{pad}{l}") })
        .collect();
    lines.join("\n")
}

/// A `[####----] 2/4` progress bar.
pub fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("[{}{}] {done}/{total}", "#".repeat(filled), "-".repeat(width - filled))
}

/// A task as JSON.
pub fn task_json(t: &Task) -> Value {
    json!({
        "id": t.id.as_str(),
        "title": t.title,
        "status": t.status.as_str(),
        "updated": timestamp(&t.updated),
        "owner": t.owner,
        "depends_on": t.depends_on.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "note": t.note,
    })
}

/// The outcome of a change command as JSON: the list after it, plus
/// `changed` (false when the change was a no-op and wrote nothing).
pub fn change_json(done: &Committed, ref_name: &str, session: Option<&str>) -> Value {
    let mut v = list_json(&done.list, done.tip, ref_name, session);
    v["changed"] = done.changed.into();
    v
}

/// A whole list as JSON: the schema of `show`, `create` and the change commands.
/// `next` is the next task for `session` ([`TaskList::next_for`]).
pub fn list_json(l: &TaskList, tip: ObjectId, ref_name: &str, session: Option<&str>) -> Value {
    let (done, total) = l.progress();
    json!({
        "id": l.id,
        "ref": ref_name,
        "tip": tip.to_string(),
        "title": l.title,
        "created": timestamp(&l.created),
        "updated": timestamp(&l.updated),
        "template": l.template,
        "from": l.from,
        "sequential": l.sequential,
        "progress": { "done": done, "total": total },
        "next": l.next_for(session).map(|t| t.id.as_str()),
        "handoff": l.handoff.as_ref().map(|h| json!({
            "at": timestamp(&h.at),
            "session": h.session,
            "note": h.note,
        })),
        "tasks": l.tasks.iter().map(task_json).collect::<Vec<_>>(),
    })
}

/// A history entry as JSON.
pub fn log_json(e: &LogEntry) -> Value {
    let trailers: serde_json::Map<String, Value> =
        e.trailers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    json!({
        "commit": e.commit.to_string(),
        "time": chrono::DateTime::from_timestamp(e.time, 0).map(|t| timestamp(&t)),
        "author": e.author,
        "email": e.email,
        "subject": e.subject,
        "op": e.op,
        "session": e.session,
        "trailers": trailers,
        "parents": e.parents.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
    })
}

/// Text lines for the tasks of a list: symbol, id, title, status details
/// (the session holding an in-progress task, the unsettled prerequisites of an
/// unsettled one), then the note, one entry per task.
pub fn task_lines(l: &TaskList, color: bool) -> Vec<String> {
    let id_w = l.tasks.iter().map(|t| width(t.id.as_str())).max().unwrap_or(0);
    let titles: Vec<String> = l.tasks.iter().map(|t| escape(&t.title)).collect();
    let title_w = titles.iter().map(|t| width(t)).max().unwrap_or(0).min(48);
    let mut lines = Vec::with_capacity(l.tasks.len());
    for (i, (t, title)) in l.tasks.iter().zip(&titles).enumerate() {
        let style = status_style(t.status);
        let mut detail = t.status.as_str().to_string();
        if let Some(o) = &t.owner {
            if t.status == Status::InProgress {
                detail.push_str(&format!(" · session {}", escape(o)));
            }
        }
        let mut detail = paint(color, style, &detail);
        if !t.status.is_settled() {
            let waits: Vec<&str> =
                l.unsettled_prerequisites(i).iter().map(|p| p.id.as_str()).collect();
            if !waits.is_empty() {
                let text = format!(" · waits for {}", waits.join(", "));
                detail.push_str(&paint(color, Style::Dim, &text));
            }
        }
        let mut line = format!(
            "  {} {}  {}  {detail}",
            paint(color, style, symbol(t.status)),
            paint(color, Style::Bold, &pad(t.id.as_str(), id_w)),
            pad(title, title_w),
        );
        if let Some(n) = &t.note {
            line.push_str(&format!(
                "\n    {} {}",
                paint(color, Style::Dim, "note:"),
                indented(n, 4)
            ));
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The header line of a list: title, id, progress and flags.
pub fn header(l: &TaskList, color: bool) -> String {
    let (done, total) = l.progress();
    let mut meta = vec![format!("id {}", l.id), progress_bar(done, total, 10)];
    if l.sequential {
        meta.push("sequential".into());
    }
    if let Some(t) = &l.template {
        meta.push(format!("template {}", escape(t)));
    }
    if let Some(f) = &l.from {
        meta.push(format!("from {}", escape(f)));
    }
    format!(
        "{}\n{}",
        paint(color, Style::Bold, &escape(&l.title)),
        paint(color, Style::Dim, &meta.join(" · "))
    )
}

/// The next task for a session, or why there is none.
pub enum Next<'a> {
    /// A task to work on; `held_by` names the other session holding it, if one does.
    Task {
        /// The task.
        task: &'a Task,
        /// The session that holds it in progress, when that is not the caller.
        held_by: Option<&'a str>,
    },
    /// Every task is completed or cancelled (or there are none).
    Done,
    /// No task is ready: each open task is blocked or waits for one, as `id (why)`.
    Waiting(Vec<String>),
}

impl Next<'_> {
    /// `next_for(session)` with the reason when there is none.
    pub fn of<'a>(l: &'a TaskList, session: Option<&str>) -> Next<'a> {
        match l.next_for(session) {
            Some(task) => Next::Task { task, held_by: held_by(task, session) },
            None if l.all_settled() => Next::Done,
            None => Next::Waiting(l.stuck()),
        }
    }

    /// The `state` JSON field: `ready`, `done` or `waiting`.
    pub fn state(&self) -> &'static str {
        match self {
            Next::Task { .. } => "ready",
            Next::Done => "done",
            Next::Waiting(_) => "waiting",
        }
    }

    /// The task, if there is one.
    pub fn task(&self) -> Option<&Task> {
        match self {
            Next::Task { task, .. } => Some(task),
            _ => None,
        }
    }
}

/// The session other than `session` that holds `t` in progress, if any.
pub fn held_by<'a>(t: &'a Task, session: Option<&str>) -> Option<&'a str> {
    if t.status != Status::InProgress {
        return None;
    }
    t.owner.as_deref().filter(|o| Some(*o) != session)
}

/// `  (held by session S; pass --take-over)`, or nothing.
pub fn held_note(held_by: Option<&str>) -> String {
    held_by
        .map(|s| format!("  (held by session {}; pass --take-over)", escape(s)))
        .unwrap_or_default()
}

/// The open tasks that cannot start now, as JSON: blocked ones and those whose
/// prerequisites are unsettled (`waits_for`), in plan order.
pub fn waiting_json(l: &TaskList) -> Value {
    let items: Vec<Value> = l
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.status, Status::Pending | Status::Blocked))
        .filter_map(|(i, t)| {
            let waits: Vec<&str> =
                l.unsettled_prerequisites(i).iter().map(|p| p.id.as_str()).collect();
            (t.status == Status::Blocked || !waits.is_empty()).then(
                || json!({ "id": t.id.as_str(), "status": t.status.as_str(), "waits_for": waits }),
            )
        })
        .collect();
    Value::Array(items)
}
