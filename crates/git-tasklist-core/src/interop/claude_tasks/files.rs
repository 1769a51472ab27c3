//! The task files themselves: their names, their order, the directory
//! they sit in, and the statuses Claude Code writes.

use std::path::Path;

use super::error::{ClaudeError, ClaudeResult};
use crate::domain::model::Status;
use crate::util::text::escape;

/// A status as Claude Code writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClaudeStatus {
    Pending,
    InProgress,
    Completed,
    Deleted,
}

impl ClaudeStatus {
    pub(super) fn as_str(self) -> &'static str {
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
    pub(super) fn of(s: Status) -> ClaudeStatus {
        match s {
            Status::Pending | Status::Blocked => ClaudeStatus::Pending,
            Status::InProgress => ClaudeStatus::InProgress,
            Status::Completed | Status::Cancelled => ClaudeStatus::Completed,
        }
    }
}

/// `path` for a message.
pub(super) fn shown(path: &Path) -> String {
    escape(&path.display().to_string())
}

/// Checks that `dir` is a directory.
pub(super) fn check_dir(dir: &Path) -> ClaudeResult<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(ClaudeError::NotADir(shown(dir))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ClaudeError::NoDir(shown(dir))),
        Err(source) => Err(ClaudeError::Dir { dir: shown(dir), source }),
    }
}

/// The names of the `*.json` entries of `dir`, sorted, at most `max` + 1.
pub(super) fn json_names(dir: &Path, max: usize) -> ClaudeResult<Vec<String>> {
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
pub(super) fn claude_order(a: &str, b: &str) -> std::cmp::Ordering {
    let num = |s: &str| s.strip_suffix(".json").unwrap_or(s).parse::<u64>();
    match (num(a), num(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Whether `name` is a task file's name as Claude Code gives them:
/// `<digits>.json`. Only these count as task files already there, and only
/// these does `--force` replace or remove: a `notes.json` is someone else's.
pub(crate) fn is_task_file_name(name: &str) -> bool {
    name.strip_suffix(".json")
        .is_some_and(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
}

/// The task files (`<digits>.json`, see [`is_task_file_name`]) in `dir`,
/// not directories, sorted.
pub(super) fn task_files(dir: &Path) -> ClaudeResult<Vec<String>> {
    let err = |source| ClaudeError::Dir { dir: shown(dir), source };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_task_file_name(&name) && entry.file_type().is_ok_and(|t| !t.is_dir()) {
            names.push(name);
        }
    }
    names.sort_by(|a, b| claude_order(a, b));
    Ok(names)
}
