//! Planned writes, all or nothing: each file read, merged and rendered
//! before anything is written; then staged beside its place and renamed in,
//! with what was there put back should a rename fail. Writes stay inside
//! the directory an install is for, whatever symlinks a repository ships.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use git_tasklist_core::file::{ReadError, make_dirs, read_bounded, remove_dirs};
use git_tasklist_core::text::escape;

use super::error::{InstallError, InstallResult};
use super::json::{self, Json};

/// The largest configuration file read (`~/.claude.json` holds Claude
/// Code's whole state and grows with every project).
const MAX_CONFIG: u64 = 64 << 20;

/// What an install does (or would do) to one file (the view's own enum).
pub use git_tasklist_core::view::InstallAction as Action;

/// One file's planned write: where, what it holds now, what it will hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The file.
    pub path: PathBuf,
    /// Its text now (`None`: it does not exist, or is a symlink we replace).
    pub old: Option<String>,
    /// Its text after the install.
    pub new: String,
    /// Where the bytes go: `path` itself, or the file a merged file's
    /// symlinks lead to (inside the install's directory, checked).
    pub(super) target: PathBuf,
    /// A symlink at `path` that a file we own whole replaces (what it says).
    pub(super) link: Option<PathBuf>,
    /// Whether we own the file whole (the skill) rather than merge into it.
    pub(super) whole: bool,
}

impl Planned {
    /// What writing it does.
    pub fn action(&self) -> Action {
        match &self.old {
            _ if self.link.is_some() => Action::Updated,
            None => Action::Created,
            Some(old) if *old == self.new => Action::Unchanged,
            Some(_) => Action::Updated,
        }
    }

    /// A unified diff from the old text to the new (a new file, or a
    /// symlink being replaced: all added; empty when unchanged).
    pub fn diff(&self) -> String {
        if self.action() == Action::Unchanged {
            return String::new();
        }
        let shown = escape(&self.path.display().to_string());
        let old = self.old.as_deref().unwrap_or("");
        let from = match (&self.link, &self.old) {
            (Some(to), _) => format!(
                "{shown} (a symlink to {}, replaced by a file)",
                escape(&to.display().to_string())
            ),
            (None, Some(_)) => shown.clone(),
            (None, None) => "/dev/null".into(),
        };
        similar::TextDiff::from_lines(old, &self.new)
            .unified_diff()
            .context_radius(3)
            .header(&from, &shown)
            .to_string()
    }
}

/// The directory an install writes inside (the project's work tree, the
/// home directory, the plugin directory), with its symlinks resolved.
pub(super) struct Bounds {
    root: PathBuf,
    real: PathBuf,
    what: &'static str,
}

impl Bounds {
    pub(super) fn new(root: &Path, what: &'static str) -> InstallResult<Bounds> {
        Ok(Bounds { root: root.to_path_buf(), real: resolve(root)?, what })
    }

    /// Where the bytes for `path` go, and the symlink a whole file
    /// replaces. A file we own whole (`whole`) is never followed: a symlink
    /// there is replaced by the file. A merged file is written where its
    /// symlinks lead. Either way every directory on the way is resolved,
    /// and the place must be inside the root: a repository cannot send our
    /// writes to the user's other files by shipping a symlink.
    pub(super) fn place(
        &self,
        path: &Path,
        whole: bool,
    ) -> InstallResult<(PathBuf, Option<PathBuf>)> {
        check_dirs(path)?;
        let (target, link) = locate(path, whole)?;
        if !target.starts_with(&self.real) {
            return Err(InstallError::Outside {
                path: path.to_path_buf(),
                target,
                what: self.what,
                root: self.root.clone(),
            });
        }
        Ok((target, link))
    }
}

/// Where the bytes for `path` go (see [`Bounds::place`]), unchecked.
fn locate(path: &Path, whole: bool) -> InstallResult<(PathBuf, Option<PathBuf>)> {
    if !whole {
        return Ok((resolve(path)?, None));
    }
    let link = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Some(std::fs::read_link(path).map_err(|e| {
            InstallError::Unreadable { path: path.to_path_buf(), source: ReadError::Io(e) }
        })?),
        _ => None,
    };
    let target = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => resolve(dir)?.join(name),
        _ => path.to_path_buf(),
    };
    Ok((target, link))
}

/// `path` with every symlink on the way resolved: its deepest existing
/// ancestor made canonical, the components that do not exist yet appended.
fn resolve(path: &Path) -> InstallResult<PathBuf> {
    let mut missing: Vec<&OsStr> = Vec::new();
    let mut at = path;
    loop {
        match std::fs::canonicalize(at) {
            Ok(real) => return Ok(missing.iter().rev().fold(real, |p, c| p.join(c))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if std::fs::symlink_metadata(at).is_ok() {
                    return Err(InstallError::Dangling { path: at.to_path_buf() });
                }
                match (at.parent(), at.file_name()) {
                    (Some(parent), Some(name)) => {
                        missing.push(name);
                        at = parent;
                    }
                    _ => return Ok(path.to_path_buf()),
                }
            }
            Err(e) => {
                return Err(InstallError::Unreadable {
                    path: at.to_path_buf(),
                    source: ReadError::Io(e),
                });
            }
        }
    }
}

/// Writes every planned file that changes, all or nothing.
///
/// First checks that none changed since it was planned (content, and where
/// its symlinks lead). Then every new text goes into a temporary file
/// beside its target (directories made as needed); a failure there removes
/// the temporary files and the directories made, and nothing has changed.
/// Only then is each renamed into place, in order: a rename is atomic, so a
/// reader sees the old file or the new, never half. Should a rename fail,
/// the files already renamed get their old text back (a replaced symlink
/// is made again, a new file removed) before the error is returned.
pub fn write(plans: &[Planned]) -> InstallResult<()> {
    let changing: Vec<&Planned> =
        plans.iter().filter(|p| p.action() != Action::Unchanged).collect();
    for p in &changing {
        let now = locate(&p.path, p.whole)?;
        let old = if now.1.is_some() { None } else { read_existing(&now.0)? };
        if now != (p.target.clone(), p.link.clone()) || old != p.old {
            return Err(InstallError::Changed { path: p.path.clone() });
        }
    }
    let mut made: Vec<PathBuf> = Vec::new();
    let staged = stage_all(&changing, &mut made)?;
    commit(&changing, staged, &made)
}

/// Stages every file ([`stage`]); on a failure removes what was staged and
/// the directories made, so nothing has changed.
pub(super) fn stage_all(
    changing: &[&Planned],
    made: &mut Vec<PathBuf>,
) -> InstallResult<Vec<tempfile::NamedTempFile>> {
    let mut staged = Vec::with_capacity(changing.len());
    for p in changing {
        match stage(p, made) {
            Ok(tmp) => staged.push(tmp),
            Err(source) => {
                drop(staged);
                remove_dirs(made);
                return Err(InstallError::Write { path: p.path.clone(), source });
            }
        }
    }
    Ok(staged)
}

/// Renames each staged file into place, in order; on a failure puts back
/// the files already renamed and removes the directories made.
pub(super) fn commit(
    changing: &[&Planned],
    staged: Vec<tempfile::NamedTempFile>,
    made: &[PathBuf],
) -> InstallResult<()> {
    let mut done: Vec<&Planned> = Vec::new();
    let mut staged = staged.into_iter();
    for p in changing {
        let Some(tmp) = staged.next() else { break };
        if let Err(tempfile::PersistError { error, file }) = tmp.persist(&p.target) {
            // The temporary files go first, so the directories made are empty.
            drop(file);
            drop(staged);
            let left: Vec<PathBuf> =
                done.iter().rev().filter(|d| restore(d).is_err()).map(|d| d.path.clone()).collect();
            remove_dirs(made);
            let path = p.path.clone();
            return Err(match left.is_empty() {
                true => InstallError::Write { path, source: error },
                false => InstallError::HalfWritten { path, source: error, left },
            });
        }
        done.push(p);
    }
    Ok(())
}

/// Writes `p`'s new text into a temporary file beside its target, with the
/// target's permissions (a new file's: `0644`), making missing directories
/// (each one recorded in `made`, outermost first).
fn stage(p: &Planned, made: &mut Vec<PathBuf>) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = p.target.parent().unwrap_or(Path::new("."));
    make_dirs(dir, made)?;
    let name = p.target.file_name().and_then(OsStr::to_str).unwrap_or("file");
    let mut tmp =
        tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(p.new.as_bytes())?;
    let perms = match std::fs::metadata(&p.target) {
        Ok(m) if p.link.is_none() => m.permissions(),
        _ => default_permissions(tmp.as_file().metadata()?.permissions()),
    };
    tmp.as_file().set_permissions(perms)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Puts back what `p` replaced: its old text (through a temporary file and
/// a rename, with the permissions it had), the symlink it replaced, or no
/// file at all.
fn restore(p: &Planned) -> std::io::Result<()> {
    match (&p.link, &p.old) {
        (Some(link), _) => {
            std::fs::remove_file(&p.path)?;
            symlink(link, &p.path)
        }
        (None, Some(old)) => {
            let dir = p.target.parent().unwrap_or(Path::new("."));
            let mut tmp = tempfile::Builder::new().prefix(".restore.").tempfile_in(dir)?;
            tmp.write_all(old.as_bytes())?;
            tmp.as_file().set_permissions(std::fs::metadata(&p.target)?.permissions())?;
            tmp.as_file().sync_all()?;
            tmp.persist(&p.target).map_err(|e| e.error)?;
            Ok(())
        }
        (None, None) => std::fs::remove_file(&p.target),
    }
}

#[cfg(unix)]
fn symlink(link: &Path, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(link, at)
}

#[cfg(not(unix))]
fn symlink(link: &Path, at: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(link, at)
}

/// A new file is readable by all, as an editor would create it (a
/// temporary file starts private).
fn default_permissions(p: std::fs::Permissions) -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = p;
        std::fs::Permissions::from_mode(0o644)
    }
    #[cfg(not(unix))]
    p
}

/// A file's text, `None` when it does not exist.
pub(super) fn read_existing(path: &Path) -> InstallResult<Option<String>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Ok(m) if m.file_type().is_symlink() && std::fs::metadata(path).is_err() => {
            return Err(InstallError::Dangling { path: path.to_path_buf() });
        }
        _ => {}
    }
    match read_bounded(path, MAX_CONFIG) {
        Ok(text) => Ok(Some(text)),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(InstallError::Unreadable { path: path.to_path_buf(), source }),
    }
}

/// Every existing ancestor of `path` must be a directory, or the write fails halfway.
fn check_dirs(path: &Path) -> InstallResult<()> {
    for dir in path.ancestors().skip(1).filter(|d| !d.as_os_str().is_empty()) {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => return Err(InstallError::NotADirectory { path: dir.to_path_buf() }),
            Err(_) => continue,
        }
    }
    Ok(())
}

/// Plans a file we own entirely. A symlink there is not read: it is
/// replaced.
pub(super) fn plan_text(b: &Bounds, path: &Path, new: String) -> InstallResult<Planned> {
    let (target, link) = b.place(path, true)?;
    let old = if link.is_some() { None } else { read_existing(&target)? };
    Ok(Planned { path: path.to_path_buf(), old, new, target, link, whole: true })
}

/// Plans a JSON file: its top-level object (empty when the file is new or
/// blank) edited by `edit`. The new text is the old with only the values
/// that changed spliced in (see [`json`]); a new file is printed with two
/// spaces.
pub(super) fn plan_json(
    b: &Bounds,
    path: &Path,
    edit: impl FnOnce(&mut Vec<(String, Json)>) -> Result<(), String>,
) -> InstallResult<Planned> {
    let (target, _) = b.place(path, false)?;
    let old = read_existing(&target)?;
    let bom = |t: &str| t.strip_prefix('\u{feff}').map(|_| "\u{feff}").unwrap_or("");
    let blank = |t: &str| t.trim_start_matches('\u{feff}').trim().is_empty();
    let parsed = match old.as_deref() {
        Some(text) if !blank(text) => Some(json::Document::parse(text).map_err(|e| {
            InstallError::NotJson { path: path.to_path_buf(), detail: escape(&e.to_string()) }
        })?),
        _ => None,
    };
    let mut doc = parsed.as_ref().map_or(Json::Object(Vec::new()), |d| d.value.clone());
    let kind = doc.kind();
    let Some(top) = doc.as_object_mut() else {
        return Err(InstallError::Shape {
            path: path.to_path_buf(),
            what: format!("it holds {kind}, not an object"),
        });
    };
    edit(top).map_err(|what| InstallError::Shape { path: path.to_path_buf(), what })?;
    let new = match (&parsed, old.as_deref()) {
        (Some(parsed), _) => parsed.render(&doc),
        (None, Some(text)) => format!("{}{}", bom(text), doc.to_pretty("  ", true)),
        (None, None) => doc.to_pretty("  ", true),
    };
    Ok(Planned { path: path.to_path_buf(), old, new, target, link: None, whole: false })
}
