//! Writing a list out as Claude Code task files, all or nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::{ClaudeError, ClaudeResult};
use super::files::{ClaudeStatus, shown, task_files};
use super::types::HIGHWATERMARK;
use crate::domain::model::{TaskId, TaskList};
use crate::util::file;
use crate::util::text::{escape, json_safe};

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
pub(crate) fn active_form(title: &str) -> String {
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

/// The files of one export, staged beside their places and then swapped in
/// together (see [`export`]).
struct Swap<'a> {
    dir: &'a Path,
    /// Each new file's name and its staged text (a temporary file in `dir`).
    new: Vec<(String, tempfile::TempPath)>,
    /// Each file about to be replaced or removed, and a hard link to it.
    old: HashMap<String, tempfile::TempPath>,
}

impl<'a> Swap<'a> {
    /// Stages `files` in `dir` and links aside every file among `names`
    /// there now; nothing visible changes, and a failure leaves nothing
    /// (the temporary files and links go when dropped).
    fn stage(dir: &'a Path, files: &[(String, Vec<u8>)], names: &[&str]) -> ClaudeResult<Swap<'a>> {
        let fail = |name: &str, source| ClaudeError::Write { path: shown(&dir.join(name)), source };
        // Those of an export killed mid-write.
        crate::util::file::remove_stale_temps(dir, ".tasklist-export-");
        let mut swap = Swap { dir, new: Vec::new(), old: HashMap::new() };
        for (name, data) in files {
            let mut tmp = tempfile::Builder::new()
                .prefix(".tasklist-export-")
                .suffix(".tmp")
                .tempfile_in(dir)
                .map_err(|e| fail(name, e))?;
            tmp.write_all(data).map_err(|e| fail(name, e))?;
            tmp.as_file().sync_all().map_err(|e| fail(name, e))?;
            swap.new.push((name.clone(), tmp.into_temp_path()));
        }
        for name in names {
            let path = dir.join(name);
            if !std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                continue;
            }
            // A hard link of the file itself (a symlink stays a symlink).
            let link = tempfile::Builder::new()
                .prefix(".tasklist-export-old-")
                .make_in(dir, |at| std::fs::hard_link(&path, at))
                .map_err(|e| fail(name, e))?;
            swap.old.insert(name.to_string(), link.into_temp_path());
        }
        Ok(swap)
    }

    /// Renames each staged file into place (a reader sees the old file or
    /// the new), then removes `stale`. On a failure, puts back every file
    /// already replaced or removed before returning the error.
    fn commit(mut self, stale: &[String]) -> ClaudeResult<()> {
        let dir = self.dir;
        let mut placed: Vec<String> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        let mut failure = None;
        for (name, tmp) in std::mem::take(&mut self.new) {
            if let Err(e) = tmp.persist(dir.join(&name)) {
                failure = Some((name, e.error));
                break;
            }
            placed.push(name);
        }
        if failure.is_none() {
            for name in stale {
                if let Err(e) = std::fs::remove_file(dir.join(name)) {
                    failure = Some((name.clone(), e));
                    break;
                }
                gone.push(name.clone());
            }
        }
        let Some((name, source)) = failure else { return Ok(()) };
        let path = shown(&dir.join(&name));
        let mut left = Vec::new();
        for name in placed.iter().rev().chain(gone.iter().rev()) {
            let back = match self.old.remove(name) {
                Some(link) => link.persist(dir.join(name)).map_err(|e| e.error),
                None => std::fs::remove_file(dir.join(name)),
            };
            if back.is_err() {
                left.push(escape(name));
            }
        }
        Err(match left.is_empty() {
            true => ClaudeError::Write { path, source },
            false => ClaudeError::HalfWritten { path, source, left: left.join(", ") },
        })
    }
}

/// Writes `list` into `dir` as Claude Code task files: `1.json` … in plan
/// order and `.highwatermark`. `dir` is created if missing; task files in it
/// already make it refuse unless `force`, which replaces the task files
/// (`<digits>.json`) and `.highwatermark` (nothing else in `dir` is touched).
///
/// All or nothing: every file is first written beside its place and every
/// file to be replaced or removed hard-linked aside; then the new files are
/// renamed into place and the old task files the list no longer needs
/// removed. A failure while staging leaves `dir` as it was (a directory the
/// export made is removed); a failure while renaming puts the old files
/// back.
pub fn export(list: &TaskList, dir: &Path, force: bool) -> ClaudeResult<Exported> {
    let mut made = Vec::new();
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => return Err(ClaudeError::NotADir(shown(dir))),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            file::make_dirs(dir, &mut made)
                .map_err(|source| ClaudeError::Dir { dir: shown(dir), source })?;
        }
        Err(source) => return Err(ClaudeError::Dir { dir: shown(dir), source }),
    }
    let result = export_into(list, dir, force);
    if result.is_err() {
        file::remove_dirs(&made);
    }
    result
}

fn export_into(list: &TaskList, dir: &Path, force: bool) -> ClaudeResult<Exported> {
    let existing = task_files(dir)?;
    if !existing.is_empty() && !force {
        return Err(ClaudeError::Exists { dir: shown(dir), count: existing.len() });
    }
    let (files, tasks) = files_for(list);
    let highwatermark = tasks.len();
    let mut files: Vec<(String, Vec<u8>)> =
        files.into_iter().map(|(n, text)| (n, text.into_bytes())).collect();
    files.push((HIGHWATERMARK.to_string(), highwatermark.to_string().into_bytes()));
    let written: HashSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let removed: Vec<String> =
        existing.iter().filter(|n| !written.contains(n.as_str())).cloned().collect();
    let touched: Vec<&str> =
        written.iter().copied().chain(removed.iter().map(String::as_str)).collect();
    Swap::stage(dir, &files, &touched)?.commit(&removed)?;
    Ok(Exported { dir: dir.to_path_buf(), tasks, highwatermark, removed })
}
