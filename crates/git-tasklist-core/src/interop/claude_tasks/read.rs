//! Reading a directory of task files into tasks, forgivingly, and the
//! import that makes a list of them in one commit.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::error::{ClaudeError, ClaudeResult};
use super::files::{ClaudeStatus, check_dir, claude_order, json_names, shown};
use super::types::{CLAUDE_ID_KEY, MAX_FILE_BYTES, MAX_FILES, SOURCE, WHY_SHOWN};
use crate::domain::model::{
    self, DependencyError, Status, Task, TaskId, check_dependencies, new_list_id, session_ok,
};
use crate::domain::op::Op;
use crate::store::{Committed, MAX_STATE_BYTES, Store, no_files};
use crate::util::file::{self, ReadError};
use crate::util::text::{MAX_ECHO, clip, escape, one_line};

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

/// One task file as read.
#[derive(Debug)]
struct Raw {
    file: String,
    id: String,
    subject: String,
    description: Option<String>,
    status: ClaudeStatus,
    /// Claude Code ids this task blocks (each once, at most [`MAX_FILES`]).
    blocks: Vec<String>,
    /// Claude Code ids this task waits for (likewise).
    blocked_by: Vec<String>,
    owner: Option<String>,
    /// `metadata.task` written by an export: our id, reused when it is free.
    our_id: Option<String>,
    /// `metadata.tasklist_status` written by an export.
    our_status: Option<Status>,
    /// Plan positions of the tasks this one waits for (`blockedBy`).
    after: Vec<usize>,
    /// Plan positions of the tasks that wait for this one (`blocks`).
    before: Vec<usize>,
}

impl Raw {
    /// The bytes this task takes in a list at least (its title, note and
    /// Claude Code id are stored whole), for the list's size limit.
    fn weight(&self) -> u64 {
        (self.subject.len() + self.description.as_ref().map_or(0, String::len) + self.id.len())
            as u64
    }
}

/// Reads the task files of `dir` (see the module docs for what is accepted).
///
/// Memory stays bounded by one list and one file, however many files the
/// directory holds: one file at a time is read into one reused buffer and
/// parsed into the few fields an import uses (`activeForm`, unknown fields
/// and anything of the wrong shape are skipped while parsing, never held),
/// in two passes. The
/// first keeps only each usable file's id and whether it is deleted; the
/// second reads the tasks again one at a time, keeps their text — counted
/// against what one list can hold, stopping past it — and turns their
/// `blocks`/`blockedBy` into plan positions at once, so ids naming no task
/// read are dropped instead of kept.
pub fn read(dir: &Path) -> ClaudeResult<Read> {
    check_dir(dir)?;
    let names = json_names(dir, MAX_FILES)?;
    if names.len() > MAX_FILES {
        return Err(ClaudeError::TooMany { dir: shown(dir) });
    }
    let mut warnings = Vec::new();
    let mut repeated = Vec::new();
    // Why files were skipped, for the error when none is left.
    let mut skipped: Vec<String> = Vec::new();
    // First pass: (file, id) of the tasks to import. Files are read in
    // Claude Code's order, so of two files with one id the first counts.
    let mut index: Vec<(&String, String)> = Vec::new();
    let mut seen = HashSet::new();
    let mut deleted_ids = HashSet::new();
    let mut buf = Vec::new();
    for name in &names {
        let warn = |message: String| Warning { file: Some(name.clone()), message };
        let (raw, warning) = match read_file(dir, name, &mut buf) {
            Ok(parsed) => parsed,
            Err(why) => {
                skipped.push(format!("{}: {why}", escape(name)));
                warnings.push(warn(format!("{why}; skipped")));
                continue;
            }
        };
        warnings.extend(warning.map(warn));
        if !seen.insert(raw.id.clone()) {
            repeated.push(Warning {
                file: Some(raw.file.clone()),
                message: format!(
                    "task id '{}' was read from another file already; skipped",
                    clip(&escape(&raw.id), MAX_ECHO)
                ),
            });
            continue;
        }
        if raw.status == ClaudeStatus::Deleted {
            deleted_ids.insert(raw.id);
            continue;
        }
        index.push((name, raw.id));
    }
    warnings.extend(repeated);
    if index.is_empty() {
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
    // The plan order: Claude Code's order of the ids.
    index.sort_by(|a, b| claude_order(&a.1, &b.1));
    let position: HashMap<&str, usize> =
        index.iter().enumerate().map(|(i, (_, id))| (id.as_str(), i)).collect();
    // Second pass: the tasks themselves.
    let mut tasks: Vec<Option<Raw>> = Vec::new();
    tasks.resize_with(index.len(), || None);
    let mut text: u64 = 0;
    let mut links: u64 = 0;
    for (i, (name, id)) in index.iter().enumerate() {
        let changed = || ClaudeError::Changed { dir: shown(dir), file: escape(name) };
        let mut raw = match read_file(dir, name, &mut buf) {
            Ok((raw, _)) if raw.id == *id && raw.status != ClaudeStatus::Deleted => raw,
            _ => return Err(changed()),
        };
        let mut unknown = |key: &str, names: Vec<&String>| {
            if let Some(message) = unknown_ids(key, &names) {
                warnings.push(Warning { file: Some(raw.file.clone()), message });
            }
        };
        let (after, missing) = positions(&raw.blocked_by, i, &position, &deleted_ids);
        unknown("blockedBy", missing);
        let (before, missing) = positions(&raw.blocks, i, &position, &deleted_ids);
        unknown("blocks", missing);
        raw.blocks = Vec::new();
        raw.blocked_by = Vec::new();
        raw.after = after;
        raw.before = before;
        // Each dependency is at least a few bytes of the list (`"a", `),
        // and one may be named from both ends: 1.5 bytes per link is less
        // than any list spends on it.
        text += raw.weight();
        links += (raw.after.len() + raw.before.len()) as u64;
        if 2 * text + 3 * links > 2 * MAX_STATE_BYTES {
            return Err(ClaudeError::TooBig { dir: shown(dir) });
        }
        tasks[i] = Some(raw);
    }
    let kept: Vec<Raw> = tasks.into_iter().flatten().collect();
    let tasks = build(&kept, &mut warnings);
    match check_dependencies(&tasks) {
        Ok(()) => {}
        Err(DependencyError::Cycle(cycle)) => {
            return Err(ClaudeError::Cycle { dir: shown(dir), cycle });
        }
        Err(source) => return Err(ClaudeError::Tasks { dir: shown(dir), source }),
    }
    Ok(Read { tasks, title: default_title(dir), warnings, deleted: deleted_ids.len() })
}

/// One task file of `dir`, parsed; `Err` says why it cannot be used. The
/// file's bytes go into `buf` (one buffer for every file of an import: it
/// holds one file at a time, its capacity the largest file read).
fn read_file(dir: &Path, name: &str, buf: &mut Vec<u8>) -> Result<(Raw, Option<String>), String> {
    use std::io::Read as _;
    buf.clear();
    let read = file::open_bounded(&dir.join(name), MAX_FILE_BYTES)
        .and_then(|mut r| r.read_to_end(buf).map_err(ReadError::from));
    match read {
        Ok(n) if n as u64 > MAX_FILE_BYTES => {
            Err(format!("it is over {} MiB", MAX_FILE_BYTES >> 20))
        }
        Ok(_) => parse(name, buf),
        Err(ReadError::TooBig(max)) => Err(format!("it is over {} MiB", max >> 20)),
        Err(e) => Err(format!("cannot be read: {e}")),
    }
}

/// The plan positions of `ids` (the task at `me` excepted: a task blocking
/// itself is ignored), and the ids that name no task read (deleted ones
/// are dropped quietly).
fn positions<'a>(
    ids: &'a [String],
    me: usize,
    position: &HashMap<&str, usize>,
    deleted: &HashSet<String>,
) -> (Vec<usize>, Vec<&'a String>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        match position.get(id.as_str()) {
            Some(&j) if j != me => found.push(j),
            Some(_) => {}
            None if deleted.contains(id) => {}
            None => missing.push(id),
        }
    }
    (found, missing)
}

/// The warning for ids under `key` that name no task read: each one when
/// there are a few, else the first few and how many more.
fn unknown_ids(key: &str, ids: &[&String]) -> Option<String> {
    let shown: Vec<String> =
        ids.iter().take(WHY_SHOWN).map(|id| format!("'{}'", clip(&escape(id), MAX_ECHO))).collect();
    match ids.len() {
        0 => None,
        1 => Some(format!(
            "'{key}' names task {}, which is not among the tasks read; dropped",
            shown[0]
        )),
        n if n <= WHY_SHOWN => Some(format!(
            "'{key}' names tasks {}, which are not among the tasks read; dropped",
            shown.join(", ")
        )),
        n => Some(format!(
            "'{key}' names tasks {} and {} more, which are not among the tasks read; dropped",
            shown.join(", "),
            n - WHY_SHOWN
        )),
    }
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

/// The longest task id read (Claude Code's are small numbers): the ids of
/// every file are held while importing, so each one is bounded.
const MAX_ID_BYTES: usize = 1024;

/// A field of a task file as read: strings and whole numbers kept, anything
/// else only named (an array or object is skipped while parsing, not held).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Null,
    Str(String),
    Whole(u64),
    Other,
}

impl Field {
    /// A Claude Code id: a string, or a whole number written as one.
    fn id(self) -> Option<String> {
        match self {
            Field::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Field::Whole(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// An optional string: absent or null is `None`, another type an error.
    fn string(v: Option<Field>, key: &str) -> Result<Option<String>, String> {
        match v {
            None | Some(Field::Null) => Ok(None),
            Some(Field::Str(s)) => Ok(Some(s)),
            Some(_) => Err(format!("'{key}' is not a string")),
        }
    }
}

/// A value read whatever JSON the file holds: each shape of JSON becomes a
/// `Self` (by default [`Lenient::other`]), and an array or object not
/// wanted is skipped while parsing, not kept.
trait Lenient<'de>: Sized {
    /// What any value without a method of its own becomes.
    fn other() -> Self;
    fn null() -> Self {
        Self::other()
    }
    fn text(_: String) -> Self {
        Self::other()
    }
    fn whole(_: u64) -> Self {
        Self::other()
    }
    fn seq<A: serde::de::SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }
    fn map<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }
}

/// The serde visitor of a [`Lenient`] type.
struct LenientVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Lenient<'de>> serde::de::Visitor<'de> for LenientVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_i64<E>(self, v: i64) -> Result<T, E> {
        Ok(u64::try_from(v).map_or_else(|_| T::other(), T::whole))
    }
    fn visit_u64<E>(self, v: u64) -> Result<T, E> {
        Ok(T::whole(v))
    }
    fn visit_f64<E>(self, _: f64) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_str<E>(self, v: &str) -> Result<T, E> {
        Ok(T::text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<T, E> {
        Ok(T::text(v))
    }
    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::null())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::map(map)
    }
}

/// Deserializes a [`Lenient`] type.
fn lenient<'de, T: Lenient<'de>, D: serde::Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(LenientVisitor(std::marker::PhantomData))
}

impl<'de> Lenient<'de> for Field {
    fn other() -> Field {
        Field::Other
    }
    fn null() -> Field {
        Field::Null
    }
    fn text(s: String) -> Field {
        Field::Str(s)
    }
    fn whole(n: u64) -> Field {
        Field::Whole(n)
    }
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        lenient(d)
    }
}

/// `blocks` or `blockedBy` as read: the ids (each once, at most
/// [`MAX_FILES`]: no task can name more), or why they are not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ids {
    List(Vec<String>),
    NotList,
    BadItem,
    TooMany,
}

impl<'de> Lenient<'de> for Ids {
    fn other() -> Ids {
        Ids::NotList
    }
    fn null() -> Ids {
        Ids::List(Vec::new())
    }
    fn seq<A: serde::de::SeqAccess<'de>>(mut seq: A) -> Result<Ids, A::Error> {
        let mut ids = Vec::new();
        let mut seen = HashSet::new();
        let mut outcome = None;
        while let Some(item) = seq.next_element::<Field>()? {
            if outcome.is_some() {
                continue;
            }
            match item.id() {
                Some(id) if seen.contains(&id) => {}
                Some(_) if ids.len() >= MAX_FILES => outcome = Some(Ids::TooMany),
                Some(id) => {
                    seen.insert(id.clone());
                    ids.push(id);
                }
                None => outcome = Some(Ids::BadItem),
            }
        }
        Ok(outcome.unwrap_or(Ids::List(ids)))
    }
}

impl<'de> serde::Deserialize<'de> for Ids {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ids, D::Error> {
        lenient(d)
    }
}

impl Ids {
    fn of(v: Option<Ids>, key: &str) -> Result<Vec<String>, String> {
        match v {
            None => Ok(Vec::new()),
            Some(Ids::List(ids)) => Ok(ids),
            Some(Ids::NotList) => Err(format!("'{key}' is not a list of ids")),
            Some(Ids::BadItem) => Err(format!("'{key}' holds something that is not an id")),
            Some(Ids::TooMany) => Err(format!("'{key}' names more than {MAX_FILES} tasks")),
        }
    }
}

/// `metadata` as an export writes it: the two keys an import reads back
/// (anything but an object is no metadata of ours, and is skipped).
#[derive(Debug, Default)]
struct Meta {
    task: Option<Field>,
    status: Option<Field>,
}

impl<'de> Lenient<'de> for Meta {
    fn other() -> Meta {
        Meta::default()
    }
    fn map<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Meta, A::Error> {
        let mut m = Meta::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "task" => m.task = Some(map.next_value()?),
                "tasklist_status" => m.status = Some(map.next_value()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(m)
    }
}

impl<'de> serde::Deserialize<'de> for Meta {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Meta, D::Error> {
        lenient(d)
    }
}

/// The fields of a task file an import uses; everything else in the file
/// is skipped while parsing, not kept.
#[derive(Debug, Default)]
struct TaskFile {
    id: Option<Field>,
    subject: Option<Field>,
    description: Option<Field>,
    status: Option<Field>,
    owner: Option<Field>,
    blocks: Option<Ids>,
    blocked_by: Option<Ids>,
    metadata: Option<Meta>,
}

impl<'de> serde::Deserialize<'de> for TaskFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TaskFile, D::Error> {
        d.deserialize_map(TaskFileVisitor)
    }
}

struct TaskFileVisitor;

impl<'de> serde::de::Visitor<'de> for TaskFileVisitor {
    type Value = TaskFile;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a task object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TaskFile, A::Error> {
        let mut t = TaskFile::default();
        // A repeated key: the last one counts, as for any JSON object.
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "id" => t.id = Some(map.next_value()?),
                "subject" => t.subject = Some(map.next_value()?),
                "description" => t.description = Some(map.next_value()?),
                "status" => t.status = Some(map.next_value()?),
                "owner" => t.owner = Some(map.next_value()?),
                "blocks" => t.blocks = Some(map.next_value()?),
                "blockedBy" => t.blocked_by = Some(map.next_value()?),
                "metadata" => t.metadata = Some(map.next_value()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(t)
    }
}

/// Parses one task file from its `bytes`, with a warning about what was
/// changed; `Err` says why it cannot be used.
fn parse(name: &str, bytes: &[u8]) -> Result<(Raw, Option<String>), String> {
    let obj: TaskFile = match serde_json::from_slice(bytes) {
        Ok(t) => t,
        Err(_) if bytes.iter().all(u8::is_ascii_whitespace) => return Err("it is empty".into()),
        Err(e) if e.is_data() => return Err("it is not a JSON object".into()),
        Err(e) => {
            return Err(format!("it is not JSON ({})", clip(&one_line(&e.to_string()), MAX_ECHO)));
        }
    };
    let id = match obj.id {
        None | Some(Field::Null) => name.strip_suffix(".json").unwrap_or(name).to_string(),
        Some(v) => v.id().ok_or("'id' is not a string or a whole number")?,
    };
    if id.len() > MAX_ID_BYTES {
        return Err(format!("'id' is longer than {MAX_ID_BYTES} bytes"));
    }
    let subject = match obj.subject {
        Some(Field::Str(s)) if !s.trim().is_empty() => s,
        Some(Field::Str(_)) => return Err("'subject' is empty".into()),
        None | Some(Field::Null) => return Err("it has no 'subject'".into()),
        Some(_) => return Err("'subject' is not a string".into()),
    };
    let description = Field::string(obj.description, "description")?.filter(|d| !d.is_empty());
    let mut warning = None;
    let status = match Field::string(obj.status, "status")?.as_deref() {
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
    // An owner too long to be a session is left out anyway: keep only
    // enough of it to say so.
    let owner = Field::string(obj.owner, "owner")?
        .filter(|o| !o.is_empty())
        .map(|o| if o.len() > MAX_ECHO { clip(&o, MAX_ECHO) } else { o });
    let meta = obj.metadata.unwrap_or_default();
    let our_id = match meta.task {
        Some(Field::Str(s)) if s.len() <= model::MAX_TASK_ID_LEN => Some(s),
        _ => None,
    };
    let our_status = match meta.status {
        Some(Field::Str(s)) => s.parse().ok(),
        _ => None,
    };
    let raw = Raw {
        file: name.to_string(),
        id,
        subject,
        description,
        status,
        blocks: Ids::of(obj.blocks, "blocks")?,
        blocked_by: Ids::of(obj.blocked_by, "blockedBy")?,
        owner,
        our_id,
        our_status,
        after: Vec::new(),
        before: Vec::new(),
    };
    Ok((raw, warning))
}

/// The tasks of `raws` (in plan order) with new ids and dependencies.
fn build(raws: &[Raw], warnings: &mut Vec<Warning>) -> Vec<Task> {
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
    // blockedBy, then the reverse of every `blocks`, each once.
    let mut deps: Vec<Vec<usize>> = raws.iter().map(|r| r.after.clone()).collect();
    for (i, r) in raws.iter().enumerate() {
        for &j in &r.before {
            deps[j].push(i);
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
            task.extra.set_str(CLAUDE_ID_KEY, r.id.clone());
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

/// A list made from a directory of task files.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The new list's id.
    pub id: String,
    /// The one commit that created it.
    pub committed: Committed,
    /// The directory read.
    pub dir: PathBuf,
    /// What was skipped or changed.
    pub warnings: Vec<Warning>,
    /// Tasks marked `deleted` in Claude Code, left out.
    pub deleted: usize,
}

/// Reads the task files of `dir` and creates a list of them as `session`
/// in one commit (title: `title`, else `Claude Code tasks (<dir name>)`).
pub(crate) fn import(
    store: &Store,
    dir: &Path,
    title: Option<&str>,
    session: Option<&str>,
) -> ClaudeResult<Imported> {
    let read = read(dir)?;
    let id = new_list_id();
    let op = Op::Import {
        id: id.clone(),
        title: title.map_or(read.title, String::from),
        tasks: read.tasks,
        source: SOURCE.to_string(),
        branch: store.current_branch(),
    };
    let committed = store.transact(&id, &op, session, &no_files)?;
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
                after: vec![],
                before: vec![],
            };
            assert_eq!(status(&raw), s, "{s} comes back");
            let moved = Raw { status: ClaudeStatus::InProgress, ..raw };
            assert_eq!(status(&moved), Status::InProgress, "Claude Code's change wins");
        }
    }

    #[test]
    fn forgiving_parse() {
        let (r, w) =
            parse("7.json", r#"{"id":7,"subject":"S","status":"weird","x":1}"#.as_bytes()).unwrap();
        assert_eq!((r.id.as_str(), r.status), ("7", ClaudeStatus::Pending));
        assert!(w.unwrap().contains("unknown status 'weird'"));
        let (r, _) =
            parse("a.json", r#"{"subject":"S","blockedBy":[1,"2",1],"owner":null}"#.as_bytes())
                .unwrap();
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
            let e = parse("1.json", bad.as_bytes()).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
