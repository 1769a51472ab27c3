//! Text for people: aligned columns, status symbols, optional colour. (What
//! programs get is in [`git_tasklist_core::view`].)

use unicode_width::UnicodeWidthStr;

use git_tasklist_core::model::{NextState, Status};
use git_tasklist_core::text::{escape, escape_multiline, escaped};
use git_tasklist_core::view::{ListView, NextView, TaskView, WaitingView};

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
    // Printable ASCII takes one column a byte; only other text needs the tables.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.len();
    }
    UnicodeWidthStr::width(s)
}

/// Pads `s` with spaces to `cols` terminal columns.
pub fn pad(s: &str, cols: usize) -> String {
    pad_known(s, width(s), cols)
}

/// [`pad`] for text whose width `n` is known already.
fn pad_known(s: &str, n: usize, cols: usize) -> String {
    if n >= cols { s.to_string() } else { format!("{s}{}", " ".repeat(cols - n)) }
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

/// Text lines for the tasks of a list: symbol, id, title, status details
/// (the session holding an in-progress task, the unsettled prerequisites of an
/// unsettled one), then the note, one entry per task.
pub fn task_lines(l: &ListView, color: bool) -> Vec<String> {
    let id_w = l.tasks.iter().map(|t| width(&t.id)).max().unwrap_or(0);
    let titles: Vec<(std::borrow::Cow<'_, str>, usize)> = l
        .tasks
        .iter()
        .map(|t| {
            let title = escaped(&t.title);
            let w = width(&title);
            (title, w)
        })
        .collect();
    let title_w = titles.iter().map(|t| t.1).max().unwrap_or(0).min(48);
    let mut lines = Vec::with_capacity(l.tasks.len());
    for (t, (title, title_cols)) in l.tasks.iter().zip(&titles) {
        let style = status_style(t.status);
        let mut detail = t.status.as_str().to_string();
        if let Some(o) = &t.owner
            && t.status == Status::InProgress
        {
            detail.push_str(&format!(" · session {}", escape(o)));
        }
        let mut detail = paint(color, style, &detail);
        if !t.waits_for.is_empty() {
            let text = format!(" · waits for {}", t.waits_for.join(", "));
            detail.push_str(&paint(color, Style::Dim, &text));
        }
        let mut line = format!(
            "  {} {}  {}  {detail}",
            paint(color, style, symbol(t.status)),
            paint(color, Style::Bold, &pad(&t.id, id_w)),
            pad_known(title, *title_cols, title_w),
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
pub fn header(l: &ListView, color: bool) -> String {
    let mut meta =
        vec![format!("id {}", l.id), progress_bar(l.progress.done, l.progress.total, 10)];
    if l.sequential {
        meta.push("sequential".into());
    }
    if l.archived {
        meta.push("archived".into());
    }
    if let Some(t) = &l.template {
        meta.push(format!("template {}", escape(t)));
    }
    if let Some(f) = &l.from {
        meta.push(format!("from {}", escape(f)));
    }
    if let Some(b) = &l.branch {
        meta.push(format!("branch {}", escape(b)));
    }
    format!(
        "{}\n{}",
        paint(color, Style::Bold, &escape(&l.title)),
        paint(color, Style::Dim, &meta.join(" · "))
    )
}

/// The first 12 hex digits of a commit id, as text output names commits.
pub fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// An RFC 3339 time of a view as `YYYY-MM-DD HH:MM[:SS]` in UTC, or nothing
/// when absent or not a time.
pub fn time(rfc3339: Option<&str>, seconds: bool) -> String {
    let Some(t) = rfc3339 else { return String::new() };
    // The views' own form (`2026-12-05T09:30:00Z`) is cut, not parsed: `log`
    // shows one per entry.
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let canonical = b.len() == 20
        && [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'Z')]
            .iter()
            .all(|&(i, c)| b[i] == c)
        && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19].into_iter().all(digits);
    let end = if seconds { 19 } else { 16 };
    if canonical {
        return format!("{} {}", &t[..10], &t[11..end]);
    }
    let format = if seconds { "%Y-%m-%d %H:%M:%S" } else { "%Y-%m-%d %H:%M" };
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|t| t.with_timezone(&chrono::Utc).format(format).to_string())
        .unwrap_or_default()
}

/// `continued in <id> (<title>)`, one line per list that continues this one.
pub fn continued_lines(continued: &[(String, Option<String>)], color: bool) -> Vec<String> {
    continued
        .iter()
        .map(|(id, title)| {
            let title = match title {
                Some(t) => escape(t),
                None => "not in this repository; sync fetches it".to_string(),
            };
            paint(color, Style::Yellow, &format!("continued in {id} ({title})"))
        })
        .collect()
}

/// `  (held by session S; pass --take-over)`, or nothing.
pub fn held_note(held_by: Option<&str>) -> String {
    held_by
        .map(|s| format!("  (held by session {}; pass --take-over)", escape(s)))
        .unwrap_or_default()
}

/// The next step as `next` and `show` word it, from the same view `--json`
/// prints (so the two cannot disagree): the task (`ID  TITLE`, and who
/// holds it), or nothing left, or what every open task waits for.
pub enum Next {
    /// `ID  TITLE  (held by …)`.
    Task(String),
    /// Every task is settled.
    Done,
    /// `a (blocked), b (waits for 'a' (blocked))`.
    Waiting(String),
}

impl Next {
    /// The wording of `v`.
    pub fn of(v: &NextView) -> Next {
        Next::word(v.state, v.task.as_ref(), v.held_by.as_deref(), &v.waiting)
    }

    /// The wording of the next step in `l`.
    pub fn of_list(l: &ListView) -> Next {
        let task = l.next.as_deref().and_then(|id| l.tasks.iter().find(|t| t.id == id));
        let step = &l.next_step;
        Next::word(step.state, task, step.held_by.as_deref(), &step.waiting)
    }

    fn word(
        state: NextState,
        task: Option<&TaskView>,
        held_by: Option<&str>,
        waits: &[WaitingView],
    ) -> Next {
        match (state, task) {
            (NextState::Ready, Some(t)) => {
                Next::Task(format!("{}  {}{}", t.id, escape(&t.title), held_note(held_by)))
            }
            (NextState::Waiting, _) => Next::Waiting(waiting(waits)),
            _ => Next::Done,
        }
    }
}

/// `id (blocked)` or `id (waits for 'p' (status), …)` for each waiting task.
/// When no task is ready, every unsettled prerequisite is itself waiting
/// (a ready or in-progress one would be the next task), so its status is
/// in `waiting` too.
pub fn waiting(waiting: &[WaitingView]) -> String {
    let status =
        |id: &str| waiting.iter().find(|w| w.id == id).map_or(Status::Pending, |w| w.status);
    let each: Vec<String> = waiting
        .iter()
        .map(|w| {
            if w.status == Status::Blocked {
                return format!("{} (blocked)", w.id);
            }
            let why: Vec<String> =
                w.waits_for.iter().map(|p| format!("'{p}' ({})", status(p))).collect();
            format!("{} (waits for {})", w.id, why.join(", "))
        })
        .collect();
    each.join(", ")
}

#[cfg(test)]
mod tests {
    use super::time;

    #[test]
    fn a_time_is_cut_when_canonical_and_parsed_otherwise() {
        let z = Some("2026-12-05T09:30:07Z");
        assert_eq!(time(z, true), "2026-12-05 09:30:07");
        assert_eq!(time(z, false), "2026-12-05 09:30");
        // Another offset is turned to UTC; fractions are dropped.
        assert_eq!(time(Some("2026-12-05T11:30:07.5+02:00"), true), "2026-12-05 09:30:07");
        for bad in ["", "2026-12-05", "2026-12-05T09:30:0xZ", "2026-1x-05T09:30:07Z", "é"] {
            assert_eq!(time(Some(bad), true), "", "{bad}");
        }
        assert_eq!(time(None, false), "");
    }
}
