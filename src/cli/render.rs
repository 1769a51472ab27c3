//! Views of lists for people (aligned text, symbols, optional colour) and for
//! programs (the JSON schema documented in the README).

use serde_json::{Value, json};

use crate::model::{Status, Task, TaskList, escape, timestamp};
use crate::store::{LogEntry, Snapshot};

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
    let code = match style {
        Style::Bold => "1",
        Style::Dim => "2",
        Style::Green => "32",
        Style::Yellow => "33",
        Style::Red => "31",
        Style::Cyan => "36",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
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

/// Pads `s` with spaces to `width` characters.
pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width { s.to_string() } else { format!("{s}{}", " ".repeat(width - n)) }
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

/// A whole list as JSON: the schema of `show`, `create` and the change commands.
pub fn list_json(snap: &Snapshot, ref_name: &str) -> Value {
    let l = &snap.list;
    let (done, total) = l.progress();
    json!({
        "id": l.id,
        "ref": ref_name,
        "tip": snap.tip.to_string(),
        "title": l.title,
        "created": timestamp(&l.created),
        "updated": timestamp(&l.updated),
        "template": l.template,
        "from": l.from,
        "sequential": l.sequential,
        "progress": { "done": done, "total": total },
        "next": l.next_task().map(|t| t.id.as_str()),
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

/// Text lines for the tasks of a list: symbol, id, title, status details.
pub fn task_lines(l: &TaskList, color: bool) -> Vec<String> {
    let id_w = l.tasks.iter().map(|t| t.id.as_str().chars().count()).max().unwrap_or(0);
    let titles: Vec<String> = l.tasks.iter().map(|t| escape(&t.title)).collect();
    let title_w = titles.iter().map(|t| t.chars().count()).max().unwrap_or(0).min(48);
    let mut lines = Vec::with_capacity(l.tasks.len());
    for (t, title) in l.tasks.iter().zip(&titles) {
        let style = status_style(t.status);
        let mut detail = t.status.as_str().to_string();
        if let Some(o) = &t.owner {
            if t.status == Status::InProgress {
                detail.push_str(&format!(" · session {}", escape(o)));
            }
        }
        let mut line = format!(
            "  {} {}  {}  {}",
            paint(color, style, symbol(t.status)),
            paint(color, Style::Bold, &pad(t.id.as_str(), id_w)),
            pad(title, title_w),
            paint(color, style, &detail),
        );
        if let Some(n) = &t.note {
            line.push_str(&format!("\n    {} {}", paint(color, Style::Dim, "note:"), escape(n)));
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
