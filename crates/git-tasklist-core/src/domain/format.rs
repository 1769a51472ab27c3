//! The TOML format of a list (format 1): a general reader with precise
//! errors, a fast path for files in the tool's own canonical layout, the
//! deterministic writer and the validation both readers share.
//!
//! Parsing is strict about what it understands (ids, statuses, `format`) and
//! keeps what it does not (unknown keys survive a read-modify-write), and
//! serialization is deterministic: the same state always gives the same bytes,
//! one `key = value` per line, so a status change diffs as a line or two.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::domain::model::{
    Extra, FORMAT, Handoff, ModelError, ModelResult, Status, Task, TaskId, TaskList, UnknownStatus,
    check_dependencies, timestamp,
};
use crate::util::text::{MAX_ECHO, clip, escape, one_line};

mod canonical;

impl TaskList {
    /// Parses a `tasklist.toml`, checking format, ids and statuses.
    pub fn from_toml(text: &str) -> ModelResult<TaskList> {
        if let Some(list) = canonical::parse(text) {
            return Ok(list);
        }
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| ModelError::Syntax(clip(&one_line(&e.to_string()), MAX_ECHO)))?;
        list_from_table(table)
    }

    /// Serializes deterministically to TOML.
    pub fn to_toml(&self) -> String {
        let mut out = String::with_capacity(256 + self.tasks.len() * 160);
        kv(&mut out, "format", &FORMAT.to_string());
        kv(&mut out, "id", &quote(&self.id));
        kv(&mut out, "title", &quote(&self.title));
        kv(&mut out, "created", &timestamp(&self.created));
        kv(&mut out, "updated", &timestamp(&self.updated));
        if let Some(t) = &self.template {
            kv(&mut out, "template", &quote(t));
        }
        if let Some(f) = &self.from {
            kv(&mut out, "from", &quote(f));
        }
        if self.sequential {
            kv(&mut out, "sequential", "true");
        }
        if self.archived {
            kv(&mut out, "archived", "true");
        }
        if let Some(b) = &self.branch {
            kv(&mut out, "branch", &quote(b));
        }
        if !self.continued_in.is_empty() {
            let ids: Vec<String> = self.continued_in.iter().map(|c| quote(c)).collect();
            kv(&mut out, "continued_in", &format!("[{}]", ids.join(", ")));
        }
        extras(&mut out, &self.extra);
        if let Some(h) = &self.handoff {
            out.push_str("\n[handoff]\n");
            kv(&mut out, "at", &timestamp(&h.at));
            if let Some(s) = &h.session {
                kv(&mut out, "session", &quote(s));
            }
            if let Some(b) = &h.base {
                kv(&mut out, "base", &quote(b));
            }
            kv(&mut out, "note", &quote(&h.note));
            if !h.unverified.is_empty() {
                let commits: Vec<String> = h.unverified.iter().map(|c| quote(c)).collect();
                kv(&mut out, "unverified", &format!("[{}]", commits.join(", ")));
            }
            extras(&mut out, &h.extra);
        }
        for t in &self.tasks {
            out.push_str("\n[[tasks]]\n");
            kv(&mut out, "id", &quote(t.id.as_str()));
            kv(&mut out, "title", &quote(&t.title));
            kv(&mut out, "status", &quote(t.status.as_str()));
            kv(&mut out, "updated", &timestamp(&t.updated));
            if let Some(o) = &t.owner {
                kv(&mut out, "owner", &quote(o));
            }
            if !t.depends_on.is_empty() {
                let deps: Vec<String> = t.depends_on.iter().map(|d| quote(d.as_str())).collect();
                kv(&mut out, "depends_on", &format!("[{}]", deps.join(", ")));
            }
            if let Some(n) = &t.note {
                kv(&mut out, "note", &quote(n));
            }
            extras(&mut out, &t.extra);
        }
        out
    }
}

fn kv(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(" = ");
    out.push_str(value);
    out.push('\n');
}

fn extras(out: &mut String, extra: &Extra) {
    for (k, v) in &extra.0 {
        let key = if is_bare_key(k) { k.clone() } else { quote(k) };
        kv(out, &key, &inline_value(v));
    }
}

fn is_bare_key(k: &str) -> bool {
    !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A TOML basic string on one line: quotes, backslashes and control characters escaped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders any TOML value inline (tables become inline tables).
fn inline_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => quote(s),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => {
            if f.is_nan() {
                "nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 { "inf".into() } else { "-inf".into() }
            } else {
                let s = f.to_string();
                if s.contains(['.', 'e', 'E']) { s } else { format!("{s}.0") }
            }
        }
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(inline_value).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(t) => {
            let items: Vec<String> = t
                .iter()
                .map(|(k, v)| {
                    let key = if is_bare_key(k) { k.clone() } else { quote(k) };
                    format!("{key} = {}", inline_value(v))
                })
                .collect();
            if items.is_empty() { "{}".into() } else { format!("{{ {} }}", items.join(", ")) }
        }
    }
}

/// Takes a key out of a table (so what is left over are unknown keys).
struct Fields {
    table: toml::Table,
    what: String,
}

impl Fields {
    fn new(table: toml::Table, what: impl Into<String>) -> Fields {
        Fields { table, what: what.into() }
    }

    fn invalid(&self, key: &str, expected: &str) -> ModelError {
        ModelError::Invalid(format!("'{key}'{} must be {expected}", self.what))
    }

    fn string(&mut self, key: &str) -> ModelResult<Option<String>> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.invalid(key, "a string")),
        }
    }

    fn required_string(&mut self, key: &str) -> ModelResult<String> {
        self.string(key)?
            .ok_or_else(|| ModelError::Invalid(format!("missing '{key}'{}", self.what)))
    }

    fn time(&mut self, key: &str) -> ModelResult<Option<DateTime<Utc>>> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(v) => parse_time(&v, &format!("'{key}'{}", self.what)).map(Some),
        }
    }

    fn required_time(&mut self, key: &str) -> ModelResult<DateTime<Utc>> {
        self.time(key)?.ok_or_else(|| ModelError::Invalid(format!("missing '{key}'{}", self.what)))
    }

    fn boolean(&mut self, key: &str) -> ModelResult<bool> {
        match self.table.remove(key) {
            None => Ok(false),
            Some(toml::Value::Boolean(b)) => Ok(b),
            Some(_) => Err(self.invalid(key, "true or false")),
        }
    }

    fn strings(&mut self, key: &str) -> ModelResult<Vec<String>> {
        match self.table.remove(key) {
            None => Ok(Vec::new()),
            Some(toml::Value::Array(a)) => a
                .into_iter()
                .map(|v| match v {
                    toml::Value::String(s) => Ok(s),
                    _ => Err(self.invalid(key, "a list of strings")),
                })
                .collect(),
            Some(_) => Err(self.invalid(key, "a list of strings")),
        }
    }

    fn rest(self) -> Extra {
        Extra(self.table.into_iter().collect())
    }
}

fn list_from_table(table: toml::Table) -> ModelResult<TaskList> {
    let mut f = Fields::new(table, "");
    match f.table.remove("format") {
        Some(toml::Value::Integer(FORMAT)) => {}
        Some(toml::Value::Integer(found)) if found > FORMAT => {
            return Err(ModelError::NewerFormat { found });
        }
        Some(toml::Value::Integer(found)) => {
            return Err(ModelError::Invalid(format!("unsupported format {found}")));
        }
        Some(_) => return Err(f.invalid("format", "an integer")),
        None => return Err(ModelError::Invalid("missing 'format' key".into())),
    }
    let id = f.required_string("id")?;
    let title = f.required_string("title")?;
    let created = f.required_time("created")?;
    let updated = f.required_time("updated")?;
    let template = f.string("template")?;
    let from = f.string("from")?;
    let sequential = f.boolean("sequential")?;
    let archived = f.boolean("archived")?;
    let branch = f.string("branch")?;
    let continued_in = f.strings("continued_in")?;
    let handoff = match f.table.remove("handoff") {
        None => None,
        Some(toml::Value::Table(t)) => {
            let mut h = Fields::new(t, " in [handoff]");
            Some(Handoff {
                at: h.required_time("at")?,
                session: h.string("session")?,
                base: h.string("base")?,
                note: h.string("note")?.unwrap_or_default(),
                unverified: h.strings("unverified")?,
                extra: h.rest(),
            })
        }
        Some(_) => return Err(f.invalid("handoff", "a table")),
    };
    let raw_tasks = match f.table.remove("tasks") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a,
        Some(_) => return Err(f.invalid("tasks", "an array of tables ([[tasks]])")),
    };
    let mut tasks: Vec<Task> = Vec::with_capacity(raw_tasks.len());
    for (n, raw) in raw_tasks.into_iter().enumerate() {
        let toml::Value::Table(t) = raw else {
            return Err(ModelError::Invalid(format!("task {} is not a table", n + 1)));
        };
        let mut tf = Fields::new(t, format!(" of task {}", n + 1));
        let id = TaskId::parse(&tf.required_string("id")?)?;
        tf.what = format!(" of task '{id}'");
        let status: Status = tf
            .required_string("status")?
            .parse()
            .map_err(|e: UnknownStatus| ModelError::Invalid(format!("task '{id}': {e}")))?;
        let depends_on = tf
            .strings("depends_on")?
            .iter()
            .map(|d| TaskId::parse(d))
            .collect::<ModelResult<_>>()?;
        tasks.push(Task {
            title: tf.string("title")?.unwrap_or_default(),
            status,
            updated: tf.time("updated")?.unwrap_or(updated),
            owner: tf.string("owner")?,
            depends_on,
            note: tf.string("note")?,
            extra: tf.rest(),
            id,
        });
    }
    check_dependencies(&tasks)?;
    Ok(TaskList {
        id,
        title,
        created,
        updated,
        template,
        from,
        sequential,
        archived,
        branch,
        continued_in,
        handoff,
        tasks,
        extra: f.rest(),
    })
}

/// Accepts a native TOML datetime with an offset, or an RFC 3339 string.
fn parse_time(v: &toml::Value, what: &str) -> ModelResult<DateTime<Utc>> {
    let bad = |text: &str| {
        ModelError::Invalid(format!(
            "{what} = {} is not an RFC 3339 date-time with a zone",
            escape(text)
        ))
    };
    match v {
        toml::Value::Datetime(d) => {
            let (Some(date), Some(time), Some(offset)) = (d.date, d.time, d.offset) else {
                return Err(bad(&d.to_string()));
            };
            let minutes = match offset {
                toml::value::Offset::Z => 0,
                toml::value::Offset::Custom { minutes } => i32::from(minutes),
            };
            chrono::NaiveDate::from_ymd_opt(
                i32::from(date.year),
                date.month.into(),
                date.day.into(),
            )
            .and_then(|day| {
                day.and_hms_nano_opt(
                    time.hour.into(),
                    time.minute.into(),
                    time.second.unwrap_or(0).into(),
                    time.nanosecond.unwrap_or(0),
                )
            })
            .and_then(|local| chrono::FixedOffset::east_opt(minutes * 60).map(|o| (local, o)))
            .and_then(|(local, o)| local.and_local_timezone(o).single())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| bad(&d.to_string()))
        }
        toml::Value::String(s) => {
            DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).map_err(|_| bad(s))
        }
        _ => Err(ModelError::Invalid(format!("{what} is not a date-time"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::tests::sample;
    use crate::domain::model::{Cycle, DependencyError, TaskId};

    #[test]
    fn round_trip_is_exact_and_deterministic() {
        let l = sample();
        let text = l.to_toml();
        let back = TaskList::from_toml(&text).unwrap();
        assert_eq!(back, l);
        assert_eq!(back.to_toml(), text);
        assert!(text.contains("created = 2026-11-24T11:30:00Z\n"), "{text}");
        assert!(text.lines().all(|line| !line.contains('\u{1b}')));
    }

    #[test]
    fn unverified_commits_round_trip_on_both_paths() {
        let mut l = sample();
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        l.handoff.as_mut().unwrap().unverified = vec![a.clone(), b.clone()];
        let text = l.to_toml();
        assert!(text.contains(&format!("unverified = [\"{a}\", \"{b}\"]\n")), "{text}");
        assert_eq!(canonical::parse(&text).unwrap(), l);
        assert_eq!(TaskList::from_toml(&text).unwrap(), l);
        // The general parser reads what a person may write instead.
        let spaced = text.replace(&format!("[\"{a}\", \"{b}\"]"), &format!("[ \"{a}\",\"{b}\" ]"));
        assert_eq!(TaskList::from_toml(&spaced).unwrap(), l);
    }

    #[test]
    fn unknown_keys_survive() {
        let mut text = sample().to_toml();
        text = text.replacen(
            "sequential = true\n",
            "sequential = true\nfuture = { a = [1, 2], b = \"x\" }\n",
            1,
        );
        text.push_str("priority = 3\n");
        let l = TaskList::from_toml(&text).unwrap();
        assert_eq!(l.extra.len(), 1);
        assert_eq!(l.tasks[1].extra.0.get("priority"), Some(&toml::Value::Integer(3)));
        let again = TaskList::from_toml(&l.to_toml()).unwrap();
        assert_eq!(again, l);
    }

    #[test]
    fn newer_format_is_refused() {
        let text = sample().to_toml().replacen("format = 1", "format = 2", 1);
        assert!(matches!(TaskList::from_toml(&text), Err(ModelError::NewerFormat { found: 2 })));
    }

    #[test]
    fn dependency_cycles_are_refused() {
        let mut text = sample().to_toml();
        text = text.replacen(
            "id = \"database-migration\"\n",
            "id = \"database-migration\"\ndepends_on = [\"app\"]\n",
            1,
        );
        let e = TaskList::from_toml(&text).unwrap_err();
        let cycle = ["database-migration", "app", "database-migration"];
        let cycle = Cycle(cycle.iter().map(|t| TaskId::parse(t).unwrap()).collect());
        let want = DependencyError::Cycle(cycle);
        assert!(matches!(&e, ModelError::Dependencies(d) if *d == want), "{e:?}");
        let e = e.to_string();
        assert!(e.contains("cycle: database-migration → app → database-migration"), "{e}");
        let leading_zero = sample().to_toml().replacen("format = 1", "format = 01", 1);
        let e = TaskList::from_toml(&leading_zero).unwrap_err();
        assert!(matches!(e, ModelError::Syntax(_)), "01 is not a TOML integer: {e:?}");
    }

    /// Parses with the general TOML parser only.
    fn slow(text: &str) -> TaskList {
        list_from_table(toml::from_str(text).unwrap()).unwrap()
    }

    #[test]
    fn canonical_fast_path_agrees_with_toml() {
        let weird = [
            "",
            "plain",
            "quote \" and \\ back",
            "tab\tnew\nline\r",
            "\u{1b}[31m",
            "ünï ✓ 🚀",
            "a = b",
            "[[tasks]]",
            "x\u{7f}y",
            ", \"",
            "\u{0}",
        ];
        let mut l = sample();
        for (i, w) in weird.iter().enumerate() {
            l.title = format!("T{w}");
            l.tasks[0].note = Some(w.to_string());
            l.tasks[1].title = w.to_string();
            l.handoff.as_mut().unwrap().note = w.to_string();
            l.sequential = i % 2 == 0;
            l.archived = i % 3 == 1;
            l.tasks[1].owner = (i % 3 == 0).then(|| format!("s{i}"));
            let text = l.to_toml();
            let fast = canonical::parse(&text).expect("canonical output takes the fast path");
            assert_eq!(fast, l, "{text}");
            assert_eq!(slow(&text), l, "{text}");
        }
        // Anything unusual defers to the TOML parser, which still reads it.
        let text = sample().to_toml();
        for variant in [
            text.replacen("format = 1\n", "format = 1 # note\n", 1),
            text.replacen("title = ", "title =  ", 1),
            format!("# comment\n{text}"),
            format!("{text}priority = 3\n"),
            text.replacen(
                "created = 2026-11-24T11:30:00Z",
                "created = 2026-11-24T12:30:00+01:00",
                1,
            ),
        ] {
            assert!(canonical::parse(&variant).is_none(), "{variant}");
            assert_eq!(TaskList::from_toml(&variant).unwrap().tasks.len(), 2, "{variant}");
        }
    }
}
