//! Claude Code's task files (`~/.claude/tasks/<list>/1.json`, `2.json`, …,
//! `.highwatermark`, `.lock`): read into a new list, and a list written out
//! as them.
//!
//! The layout is Claude Code's undocumented internal state, so reading is
//! forgiving (ids as strings or numbers, optional fields missing, unknown
//! fields ignored; a file that cannot be used is reported and skipped) and
//! writing is strict (every field Claude Code writes, with the types it
//! writes them in).

pub mod mirror;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::session_ok;
use crate::file::{self, ReadError};
use crate::model::{self, Status, Task, TaskId, TaskList};
use crate::text::{MAX_ECHO, clip, escape, json_safe, one_line};

/// Largest task file read; Claude Code's are a few hundred bytes.
pub const MAX_FILE_BYTES: u64 = 256 << 10;
/// Most task files one import reads.
pub const MAX_FILES: usize = 10_000;
/// The file holding the highest task id issued, as text.
pub const HIGHWATERMARK: &str = ".highwatermark";
/// How many skipped files the error of an import that read none names.
const WHY_SHOWN: usize = 3;
/// The key of a task's `extra` holding its Claude Code id after an import.
pub const CLAUDE_ID_KEY: &str = "claude_id";
/// The source named in the import's commit subject.
pub const SOURCE: &str = "Claude Code";

/// Why an import or an export did not happen (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ClaudeError {
    /// The directory is not there.
    #[error("Directory '{0}' does not exist")]
    NoDir(String),
    /// The path is there but is no directory.
    #[error("'{0}' is not a directory")]
    NotADir(String),
    /// Listing or creating the directory failed.
    #[error("Cannot read directory '{dir}': {source}")]
    Dir {
        /// The directory.
        dir: String,
        /// What the file system said.
        source: std::io::Error,
    },
    /// Not one usable task file.
    #[error("{}", no_tasks(dir, *skipped, *deleted, why))]
    NoTasks {
        /// The directory.
        dir: String,
        /// Task files that were there but could not be used.
        skipped: usize,
        /// Tasks marked `deleted`.
        deleted: usize,
        /// Why the first of them could not (`1.json: it is empty; …`).
        why: String,
    },
    /// More task files than one import takes.
    #[error("'{dir}' holds more than {MAX_FILES} task files; nothing was imported")]
    TooMany {
        /// The directory.
        dir: String,
    },
    /// `blockedBy`/`blocks` go round in a circle.
    #[error(
        "The Claude Code tasks in '{dir}' block each other in a cycle ({detail}); nothing was imported"
    )]
    Cycle {
        /// The directory.
        dir: String,
        /// The tasks of the cycle, by their new ids.
        detail: String,
    },
    /// Exporting over task files that are there already.
    #[error("'{dir}' already holds {count} Claude Code task file{}; nothing was written", if *.count == 1 { "" } else { "s" })]
    Exists {
        /// The directory.
        dir: String,
        /// How many `*.json` files it holds.
        count: usize,
    },
    /// Writing a file failed.
    #[error("Cannot write '{path}': {source}")]
    Write {
        /// The file.
        path: String,
        /// What the file system said.
        source: std::io::Error,
    },
}

/// The message of [`ClaudeError::NoTasks`].
fn no_tasks(dir: &str, skipped: usize, deleted: usize, why: &str) -> String {
    match skipped {
        0 if deleted > 0 => format!(
            "Every Claude Code task in '{dir}' is deleted ({deleted}); nothing was imported"
        ),
        0 => format!("No Claude Code task file in '{dir}'; nothing was imported"),
        1 => format!(
            "The one Claude Code task file in '{dir}' cannot be used ({why}); nothing was imported"
        ),
        n => format!(
            "None of the {n} Claude Code task files in '{dir}' can be used ({why}); nothing was imported"
        ),
    }
}

/// Result alias for this module.
pub type ClaudeResult<T> = Result<T, ClaudeError>;

/// Something an import skipped or changed, naming the file it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file (its name in the directory), when the warning is about one.
    pub file: Option<String>,
    /// What happened, as one sentence.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}: {}", escape(file), self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The tasks read from a directory, ready to become a list.
#[derive(Debug, Clone)]
pub struct Read {
    /// The tasks in plan order (Claude Code id order), with their new ids.
    pub tasks: Vec<Task>,
    /// The default title: `Claude Code tasks (<dir name>)`.
    pub title: String,
    /// What was skipped or changed.
    pub warnings: Vec<Warning>,
    /// Tasks marked `deleted` in Claude Code, left out.
    pub deleted: usize,
}

/// A status as Claude Code writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClaudeStatus {
    Pending,
    InProgress,
    Completed,
    Deleted,
}

impl ClaudeStatus {
    fn as_str(self) -> &'static str {
        match self {
            ClaudeStatus::Pending => "pending",
            ClaudeStatus::InProgress => "in_progress",
            ClaudeStatus::Completed => "completed",
            ClaudeStatus::Deleted => "deleted",
        }
    }

    /// What an export writes for `s`: Claude Code knows no blocked (still to
    /// do: pending) and no cancelled (settled, dependents may go ahead:
    /// completed).
    fn of(s: Status) -> ClaudeStatus {
        match s {
            Status::Pending | Status::Blocked => ClaudeStatus::Pending,
            Status::InProgress => ClaudeStatus::InProgress,
            Status::Completed | Status::Cancelled => ClaudeStatus::Completed,
        }
    }
}

/// One task file as read.
#[derive(Debug)]
struct Raw {
    file: String,
    id: String,
    subject: String,
    description: Option<String>,
    status: ClaudeStatus,
    blocks: Vec<String>,
    blocked_by: Vec<String>,
    owner: Option<String>,
    /// `metadata.task` written by an export: our id, reused when it is free.
    our_id: Option<String>,
    /// `metadata.tasklist_status` written by an export.
    our_status: Option<Status>,
}

/// `path` for a message.
fn shown(path: &Path) -> String {
    escape(&path.display().to_string())
}

/// Checks that `dir` is a directory.
fn check_dir(dir: &Path) -> ClaudeResult<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(ClaudeError::NotADir(shown(dir))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ClaudeError::NoDir(shown(dir))),
        Err(source) => Err(ClaudeError::Dir { dir: shown(dir), source }),
    }
}

/// The names of the `*.json` entries of `dir`, sorted, at most `max` + 1.
fn json_names(dir: &Path, max: usize) -> ClaudeResult<Vec<String>> {
    let err = |source| ClaudeError::Dir { dir: shown(dir), source };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.starts_with('.') {
            names.push(name);
            if names.len() > max {
                break;
            }
        }
    }
    names.sort_by(|a, b| claude_order(a, b));
    Ok(names)
}

/// Claude Code's order: numeric ids (or names) by number, then the others
/// by name. The plan order of an import, and the order of its warnings.
fn claude_order(a: &str, b: &str) -> std::cmp::Ordering {
    let num = |s: &str| s.strip_suffix(".json").unwrap_or(s).parse::<u64>();
    match (num(a), num(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Reads the task files of `dir` (see the module docs for what is accepted).
pub fn read(dir: &Path) -> ClaudeResult<Read> {
    check_dir(dir)?;
    let names = json_names(dir, MAX_FILES)?;
    if names.len() > MAX_FILES {
        return Err(ClaudeError::TooMany { dir: shown(dir) });
    }
    let mut warnings = Vec::new();
    // Why files were skipped, for the error when none is left.
    let mut skipped: Vec<String> = Vec::new();
    let mut raws = Vec::new();
    for name in &names {
        let warn = |message: String| Warning { file: Some(name.clone()), message };
        let parsed = match file::read_bounded(&dir.join(name), MAX_FILE_BYTES) {
            Ok(text) => parse(name, &text),
            Err(ReadError::TooBig(max)) => Err(format!("it is over {} KiB", max >> 10)),
            Err(e) => Err(format!("cannot be read: {e}")),
        };
        match parsed {
            Ok((raw, warning)) => {
                warnings.extend(warning.map(warn));
                raws.push(raw);
            }
            Err(why) => {
                skipped.push(format!("{}: {why}", escape(name)));
                warnings.push(warn(format!("{why}; skipped")));
            }
        }
    }
    raws.sort_by(|a, b| claude_order(&a.id, &b.id));
    let mut seen = HashSet::new();
    let mut deleted_ids = HashSet::new();
    let mut kept = Vec::with_capacity(raws.len());
    for raw in raws {
        if !seen.insert(raw.id.clone()) {
            warnings.push(Warning {
                file: Some(raw.file.clone()),
                message: format!(
                    "task id '{}' was read from another file already; skipped",
                    clip(&escape(&raw.id), MAX_ECHO)
                ),
            });
            continue;
        }
        if raw.status == ClaudeStatus::Deleted {
            deleted_ids.insert(raw.id.clone());
            continue;
        }
        kept.push(raw);
    }
    if kept.is_empty() {
        let mut why: Vec<String> = skipped.iter().take(WHY_SHOWN).cloned().collect();
        if skipped.len() > WHY_SHOWN {
            why.push(format!("{} more", skipped.len() - WHY_SHOWN));
        }
        return Err(ClaudeError::NoTasks {
            dir: shown(dir),
            skipped: skipped.len(),
            deleted: deleted_ids.len(),
            why: why.join("; "),
        });
    }
    let tasks = build(&kept, &deleted_ids, &mut warnings);
    if let Err(e) = crate::format::check_dependencies(&tasks) {
        let detail = e.to_string();
        let detail = detail.strip_prefix("depends_on forms a cycle: ").unwrap_or(&detail);
        return Err(ClaudeError::Cycle { dir: shown(dir), detail: detail.to_string() });
    }
    Ok(Read { tasks, title: default_title(dir), warnings, deleted: deleted_ids.len() })
}

/// `Claude Code tasks (<dir name>)`.
fn default_title(dir: &Path) -> String {
    let full = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| full.display().to_string());
    format!("Claude Code tasks ({})", one_line(&name))
}

/// A Claude Code id: a string, or a whole number written as one.
fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// An optional string field: absent or null is `None`, another type an error.
fn opt_string(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("'{key}' is not a string")),
    }
}

/// An optional list of ids.
fn ids(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| id_of(v).ok_or_else(|| format!("'{key}' holds something that is not an id")))
            .collect(),
        Some(_) => Err(format!("'{key}' is not a list of ids")),
    }
}

/// Parses one task file, with a warning about what was changed; `Err` says
/// why it cannot be used.
fn parse(name: &str, text: &str) -> Result<(Raw, Option<String>), String> {
    if text.trim().is_empty() {
        return Err("it is empty".into());
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("it is not JSON ({})", clip(&one_line(&e.to_string()), MAX_ECHO)))?;
    let Value::Object(obj) = value else {
        return Err("it is not a JSON object".into());
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => name.strip_suffix(".json").unwrap_or(name).to_string(),
        Some(v) => id_of(v).ok_or("'id' is not a string or a whole number")?,
    };
    let subject = match obj.get("subject") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => return Err("'subject' is empty".into()),
        None | Some(Value::Null) => return Err("it has no 'subject'".into()),
        Some(_) => return Err("'subject' is not a string".into()),
    };
    let description = opt_string(&obj, "description")?.filter(|d| !d.is_empty());
    let mut warning = None;
    let status = match opt_string(&obj, "status")?.as_deref() {
        None | Some("pending") => ClaudeStatus::Pending,
        Some("in_progress") => ClaudeStatus::InProgress,
        Some("completed") => ClaudeStatus::Completed,
        Some("deleted") => ClaudeStatus::Deleted,
        Some(other) => {
            warning = Some(format!(
                "unknown status '{}'; imported as pending",
                clip(&escape(other), MAX_ECHO)
            ));
            ClaudeStatus::Pending
        }
    };
    let owner = opt_string(&obj, "owner")?.filter(|o| !o.is_empty());
    let (our_id, our_status) = match obj.get("metadata") {
        Some(Value::Object(m)) => (
            m.get("task").and_then(Value::as_str).map(String::from),
            m.get("tasklist_status").and_then(Value::as_str).and_then(|s| s.parse().ok()),
        ),
        _ => (None, None),
    };
    let raw = Raw {
        file: name.to_string(),
        id,
        subject,
        description,
        status,
        blocks: ids(&obj, "blocks")?,
        blocked_by: ids(&obj, "blockedBy")?,
        owner,
        our_id,
        our_status,
    };
    Ok((raw, warning))
}

/// The tasks of `raws` (in plan order) with new ids and dependencies.
fn build(raws: &[Raw], deleted: &HashSet<String>, warnings: &mut Vec<Warning>) -> Vec<Task> {
    // Ids an export wrote come back first, so a round trip keeps them; then
    // slugs of the subjects, made unique.
    let mut used: HashSet<String> = HashSet::new();
    let mut new_ids: Vec<Option<TaskId>> = raws
        .iter()
        .map(|r| {
            let id = r.our_id.as_deref().and_then(|i| TaskId::parse(i).ok())?;
            used.insert(id.to_string()).then_some(id)
        })
        .collect();
    for (slot, r) in new_ids.iter_mut().zip(raws) {
        if slot.is_none() {
            let id = model::unique_slug(&r.subject, &used);
            used.insert(id.to_string());
            *slot = Some(id);
        }
    }
    let new_ids: Vec<TaskId> = new_ids.into_iter().flatten().collect();
    let by_claude: HashMap<&str, usize> =
        raws.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();

    // blockedBy, then the reverse of every `blocks`, each once.
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); raws.len()];
    let unknown = |r: &Raw, key: &str, other: &str, warnings: &mut Vec<Warning>| {
        if !deleted.contains(other) {
            warnings.push(Warning {
                file: Some(r.file.clone()),
                message: format!(
                    "'{key}' names task '{}', which is not among the tasks read; dropped",
                    clip(&escape(other), MAX_ECHO)
                ),
            });
        }
    };
    for (i, r) in raws.iter().enumerate() {
        for b in &r.blocked_by {
            match by_claude.get(b.as_str()) {
                Some(&j) if j != i => deps[i].push(j),
                Some(_) => {}
                None => unknown(r, "blockedBy", b, warnings),
            }
        }
    }
    for (i, r) in raws.iter().enumerate() {
        for b in &r.blocks {
            match by_claude.get(b.as_str()) {
                Some(&j) if j != i => deps[j].push(i),
                Some(_) => {}
                None => unknown(r, "blocks", b, warnings),
            }
        }
    }
    let now = model::now();
    raws.iter()
        .zip(&new_ids)
        .zip(deps)
        .map(|((r, id), dep)| {
            let mut seen = HashSet::new();
            let depends_on: Vec<TaskId> =
                dep.into_iter().filter(|j| seen.insert(*j)).map(|j| new_ids[j].clone()).collect();
            let mut task = Task::new(id.clone(), r.subject.clone(), now);
            task.status = status(r);
            task.depends_on = depends_on;
            task.note = r.description.clone();
            task.owner = match &r.owner {
                Some(o) if session_ok(o) => Some(o.clone()),
                Some(o) => {
                    warnings.push(Warning {
                        file: Some(r.file.clone()),
                        message: format!(
                            "owner '{}' has spaces or control characters; left out",
                            clip(&escape(o), MAX_ECHO)
                        ),
                    });
                    None
                }
                None => None,
            };
            task.extra.insert(CLAUDE_ID_KEY.to_string(), toml::Value::String(r.id.clone()));
            task
        })
        .collect()
}

/// Our status for a task read: Claude Code's, except that the status an
/// export recorded comes back when Claude Code's is still the one written
/// for it (a blocked task exported as pending is blocked again; one since
/// completed in Claude Code is completed).
fn status(r: &Raw) -> Status {
    let theirs = match r.status {
        ClaudeStatus::Pending => Status::Pending,
        ClaudeStatus::InProgress => Status::InProgress,
        ClaudeStatus::Completed => Status::Completed,
        ClaudeStatus::Deleted => Status::Pending,
    };
    if let Some(ours) = r.our_status
        && ClaudeStatus::of(ours) == r.status
    {
        return ours;
    }
    theirs
}

/// One task file as an export writes it: every field Claude Code writes.
#[derive(Debug, serde::Serialize)]
struct FileOut<'a> {
    id: String,
    subject: &'a str,
    description: &'a str,
    #[serde(rename = "activeForm")]
    active_form: String,
    status: &'static str,
    blocks: Vec<String>,
    #[serde(rename = "blockedBy")]
    blocked_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    metadata: BTreeMap<&'static str, Value>,
}

/// One task as exported.
#[derive(Debug, Clone)]
pub struct ExportedTask {
    /// The file written (`1.json` …).
    pub file: String,
    /// Its Claude Code id (`1` …).
    pub claude_id: String,
    /// Our task id.
    pub task: TaskId,
    /// The status Claude Code gets.
    pub claude_status: &'static str,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The directory.
    pub dir: PathBuf,
    /// The tasks, in plan order.
    pub tasks: Vec<ExportedTask>,
    /// The value written to `.highwatermark` (the highest id).
    pub highwatermark: usize,
    /// Task files that were there before and are gone now (`--force`).
    pub removed: Vec<String>,
}

/// `activeForm`, the line Claude Code shows while a task is in progress.
pub fn active_form(title: &str) -> String {
    format!("Working on: {title}")
}

/// The task files for `list`, in plan order: (file name, JSON text).
fn files_for(list: &TaskList) -> (Vec<(String, String)>, Vec<ExportedTask>) {
    let index = list.index();
    let number = |i: usize| (i + 1).to_string();
    // Dependencies, with a sequential list's implicit one on the task before.
    let prereqs: Vec<Vec<usize>> = (0..list.tasks.len())
        .map(|i| {
            index.prerequisites(i).iter().filter_map(|p| index.position(p.id.as_str())).collect()
        })
        .collect();
    let mut blocks: Vec<Vec<usize>> = vec![Vec::new(); list.tasks.len()];
    for (i, ps) in prereqs.iter().enumerate() {
        for &p in ps {
            blocks[p].push(i);
        }
    }
    let mut files = Vec::with_capacity(list.tasks.len());
    let mut tasks = Vec::with_capacity(list.tasks.len());
    for (i, t) in list.tasks.iter().enumerate() {
        let status = ClaudeStatus::of(t.status).as_str();
        let mut metadata = BTreeMap::new();
        metadata.insert("tasklist", Value::String(list.id.clone()));
        metadata.insert("task", Value::String(t.id.to_string()));
        metadata.insert("tasklist_status", Value::String(t.status.as_str().to_string()));
        let out = FileOut {
            id: number(i),
            subject: &t.title,
            description: t.note.as_deref().unwrap_or(""),
            active_form: active_form(&t.title),
            status,
            blocks: blocks[i].iter().map(|&j| number(j)).collect(),
            blocked_by: prereqs[i].iter().map(|&j| number(j)).collect(),
            owner: t.owner.as_deref(),
            metadata,
        };
        // Serializing plain strings and maps cannot fail.
        let text = serde_json::to_string_pretty(&out).unwrap_or_default();
        let file = format!("{}.json", number(i));
        files.push((file.clone(), format!("{}\n", json_safe(&text))));
        tasks.push(ExportedTask {
            file,
            claude_id: number(i),
            task: t.id.clone(),
            claude_status: status,
        });
    }
    (files, tasks)
}

/// Writes `data` to `dir/name` through a temporary file and a rename, so a
/// reader sees the old file or the new one, never half of one.
fn write_file(dir: &Path, name: &str, data: &[u8]) -> ClaudeResult<()> {
    let path = dir.join(name);
    let err = |source| ClaudeError::Write { path: shown(&path), source };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tasklist-export-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(data).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(&path).map_err(|e| err(e.error))?;
    Ok(())
}

/// Writes `list` into `dir` as Claude Code task files: `1.json` … in plan
/// order and `.highwatermark`. `dir` is created if missing; task files in it
/// already make it refuse unless `force`, which replaces the `*.json` files
/// and `.highwatermark` (nothing else in `dir` is touched).
pub fn export(list: &TaskList, dir: &Path, force: bool) -> ClaudeResult<Exported> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => return Err(ClaudeError::NotADir(shown(dir))),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)
                .map_err(|source| ClaudeError::Dir { dir: shown(dir), source })?;
        }
        Err(source) => return Err(ClaudeError::Dir { dir: shown(dir), source }),
    }
    let existing = json_names(dir, usize::MAX)?;
    if !existing.is_empty() && !force {
        return Err(ClaudeError::Exists { dir: shown(dir), count: existing.len() });
    }
    let (files, tasks) = files_for(list);
    for (name, text) in &files {
        write_file(dir, name, text.as_bytes())?;
    }
    let highwatermark = tasks.len();
    write_file(dir, HIGHWATERMARK, highwatermark.to_string().as_bytes())?;
    let written: HashSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut removed = Vec::new();
    for name in existing.into_iter().filter(|n| !written.contains(n.as_str())) {
        let path = dir.join(&name);
        // Only files (or links) named like task files; a directory stays.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&path)
                .map_err(|source| ClaudeError::Write { path: shown(&path), source })?;
            removed.push(name);
        }
    }
    Ok(Exported { dir: dir.to_path_buf(), tasks, highwatermark, removed })
}

/// A list made from a directory of task files.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The new list's id.
    pub id: String,
    /// The one commit that created it.
    pub committed: crate::store::Committed,
    /// The directory read.
    pub dir: PathBuf,
    /// What was skipped or changed.
    pub warnings: Vec<Warning>,
    /// Tasks marked `deleted` in Claude Code, left out.
    pub deleted: usize,
}

/// Reads the task files of `dir` and creates a list of them as `session`
/// in one commit (title: `title`, else `Claude Code tasks (<dir name>)`).
pub fn import(
    store: &crate::store::Store,
    dir: &Path,
    title: Option<&str>,
    session: Option<&str>,
) -> crate::Result<Imported> {
    let read = read(dir)?;
    let id = crate::store::new_list_id();
    let op = crate::op::Op::Import {
        id: id.clone(),
        title: title.map_or(read.title, String::from),
        tasks: read.tasks,
        source: SOURCE.to_string(),
        branch: store.current_branch(),
    };
    let committed = store.transact(&id, &op, session, &crate::store::no_files)?;
    Ok(Imported {
        id,
        committed,
        dir: dir.to_path_buf(),
        warnings: read.warnings,
        deleted: read.deleted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_both_ways() {
        for s in Status::ALL {
            let raw = Raw {
                file: "1.json".into(),
                id: "1".into(),
                subject: "x".into(),
                description: None,
                status: ClaudeStatus::of(s),
                blocks: vec![],
                blocked_by: vec![],
                owner: None,
                our_id: None,
                our_status: Some(s),
            };
            assert_eq!(status(&raw), s, "{s} comes back");
            let moved = Raw { status: ClaudeStatus::InProgress, ..raw };
            assert_eq!(status(&moved), Status::InProgress, "Claude Code's change wins");
        }
    }

    #[test]
    fn forgiving_parse() {
        let (r, w) = parse("7.json", r#"{"id":7,"subject":"S","status":"weird","x":1}"#).unwrap();
        assert_eq!((r.id.as_str(), r.status), ("7", ClaudeStatus::Pending));
        assert!(w.unwrap().contains("unknown status 'weird'"));
        let (r, _) =
            parse("a.json", r#"{"subject":"S","blockedBy":[1,"2"],"owner":null}"#).unwrap();
        assert_eq!((r.id.as_str(), r.blocked_by.clone()), ("a", vec!["1".into(), "2".into()]));
        for (bad, why) in [
            ("", "empty"),
            ("[1]", "not a JSON object"),
            ("{", "not JSON"),
            (r#"{"id":"1"}"#, "no 'subject'"),
            (r#"{"subject":3}"#, "'subject' is not a string"),
            (r#"{"subject":"s","blocks":"2"}"#, "'blocks' is not a list"),
            (r#"{"subject":"s","id":1.5}"#, "'id' is not"),
            (r#"{"subject":"s","description":[]}"#, "'description' is not a string"),
        ] {
            let e = parse("1.json", bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
