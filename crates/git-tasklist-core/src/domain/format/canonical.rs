//! A fast path for files in exactly the form [`TaskList::to_toml`] writes.
//!
//! `verify` parses every commit of a list's history, and a general TOML parser
//! spends most of that time building a document tree. Files this tool wrote are
//! a few fixed line shapes, so they are read directly; anything else — a
//! comment, an unknown key, another layout, an invalid value — makes
//! [`parse`] return `None` and the general parser decides,
//! with its precise errors. The unit tests check both paths agree.

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::model::{Extra, FORMAT, Handoff, Task, TaskId, TaskList, check_dependencies};

enum Section {
    Top,
    Handoff,
    Task,
}

#[derive(Default)]
struct RawTask {
    id: Option<String>,
    title: Option<String>,
    status: Option<String>,
    updated: Option<DateTime<Utc>>,
    owner: Option<String>,
    depends_on: Option<Vec<String>>,
    note: Option<String>,
}

/// Parses a canonical file, or returns `None` to defer to the TOML parser.
pub(super) fn parse(text: &str) -> Option<TaskList> {
    let mut section = Section::Top;
    let (mut format, mut id, mut title, mut created, mut updated) = (None, None, None, None, None);
    let (mut template, mut from, mut sequential, mut archived) = (None, None, None, None);
    let mut branch = None;
    let mut continued_in = None;
    let (mut h_at, mut h_session, mut h_base, mut h_note, mut saw_handoff) =
        (None, None, None, None, false);
    let mut h_unverified = None;
    let mut raw: Vec<RawTask> = Vec::new();
    for line in text.split('\n') {
        if line.is_empty() {
            continue;
        }
        match line {
            "[handoff]" if !saw_handoff && raw.is_empty() => {
                saw_handoff = true;
                section = Section::Handoff;
                continue;
            }
            "[[tasks]]" => {
                raw.push(RawTask::default());
                section = Section::Task;
                continue;
            }
            _ => {}
        }
        // Keys have no spaces: the first space must start " = ".
        let sp = line.find(' ')?;
        let (key, value) = (&line[..sp], line[sp..].strip_prefix(" = ")?);
        match section {
            Section::Top => match key {
                "format" if value == "1" => set(&mut format, FORMAT)?,
                "id" => set(&mut id, string(value)?)?,
                "title" => set(&mut title, string(value)?)?,
                "created" => set(&mut created, time(value)?)?,
                "updated" => set(&mut updated, time(value)?)?,
                "template" => set(&mut template, string(value)?)?,
                "from" => set(&mut from, string(value)?)?,
                "sequential" => set(&mut sequential, boolean(value)?)?,
                "archived" => set(&mut archived, boolean(value)?)?,
                "branch" => set(&mut branch, string(value)?)?,
                "continued_in" => set(&mut continued_in, strings(value)?)?,
                _ => return None,
            },
            Section::Handoff => match key {
                "at" => set(&mut h_at, time(value)?)?,
                "session" => set(&mut h_session, string(value)?)?,
                "base" => set(&mut h_base, string(value)?)?,
                "note" => set(&mut h_note, string(value)?)?,
                "unverified" => set(&mut h_unverified, strings(value)?)?,
                _ => return None,
            },
            Section::Task => {
                let t = raw.last_mut()?;
                match key {
                    "id" => set(&mut t.id, string(value)?)?,
                    "title" => set(&mut t.title, string(value)?)?,
                    "status" => set(&mut t.status, string(value)?)?,
                    "updated" => set(&mut t.updated, time(value)?)?,
                    "owner" => set(&mut t.owner, string(value)?)?,
                    "depends_on" => set(&mut t.depends_on, strings(value)?)?,
                    "note" => set(&mut t.note, string(value)?)?,
                    _ => return None,
                }
            }
        }
    }
    if format? != FORMAT {
        return None;
    }
    let updated = updated?;
    let handoff = if saw_handoff {
        Some(Handoff {
            at: h_at?,
            session: h_session,
            base: h_base,
            note: h_note.unwrap_or_default(),
            unverified: h_unverified.unwrap_or_default(),
            extra: Extra::default(),
        })
    } else {
        None
    };
    let mut tasks: Vec<Task> = Vec::with_capacity(raw.len());
    for r in raw {
        let tid = TaskId::parse(&r.id?).ok()?;
        let depends_on = r
            .depends_on
            .unwrap_or_default()
            .iter()
            .map(|d| TaskId::parse(d).ok())
            .collect::<Option<Vec<_>>>()?;
        tasks.push(Task {
            id: tid,
            title: r.title.unwrap_or_default(),
            status: r.status?.parse().ok()?,
            updated: r.updated.unwrap_or(updated),
            owner: r.owner,
            depends_on,
            note: r.note,
            extra: Extra::default(),
        });
    }
    check_dependencies(&tasks).ok()?;
    Some(TaskList {
        id: id?,
        title: title?,
        created: created?,
        updated,
        template,
        from,
        sequential: sequential.unwrap_or(false),
        archived: archived.unwrap_or(false),
        branch,
        continued_in: continued_in.unwrap_or_default(),
        handoff,
        tasks,
        extra: Extra::default(),
    })
}

/// Sets a field once; a repeated key defers to the TOML parser.
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

fn boolean(v: &str) -> Option<bool> {
    match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the only shape the tool writes.
fn time(v: &str) -> Option<DateTime<Utc>> {
    let b = v.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = v.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let t = date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    Some(Utc.from_utc_datetime(&t))
}

/// A basic string on one line, with the escapes `quote` writes.
fn string(v: &str) -> Option<String> {
    let inner = v.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next()? {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    if hex.len() != 4 {
                        return None;
                    }
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                _ => return None,
            },
            c if c.is_control() && c != '\t' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// `["a", "b"]` of simple strings.
fn strings(v: &str) -> Option<Vec<String>> {
    let inner = v.strip_prefix('[')?.strip_suffix(']')?;
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(", ")
        .map(|item| {
            let s = string(item)?;
            (!s.contains(['"', ',', '\\'])).then_some(s)
        })
        .collect()
}
