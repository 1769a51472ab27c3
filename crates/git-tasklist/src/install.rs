//! `install`: puts git-tasklist into an agent's configuration — Claude Code's
//! hooks, MCP server and skill (in a project, the user's home or a plugin
//! directory) and Codex's MCP server table. Planning is pure reading: every
//! file is read, merged and rendered before anything is written, so a file
//! that cannot be merged stops the whole install with nothing written.
//! Merging keeps every key we do not own, in its order; our hooks are found
//! by what they run (`… hook <event>`), so a second run changes nothing and a
//! moved binary replaces its old entries instead of adding new ones.

mod json;

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use json::{Json, entry, set};

use crate::file::{ReadError, make_dirs, read_bounded, remove_dirs};
use crate::text::{escape, one_line, shell_quote};

/// The skill's name (its directory under `skills/`).
pub const SKILL_NAME: &str = "multi-session-orchestrator";
/// The plugin's name (`install claude --plugin`).
pub const PLUGIN_NAME: &str = "git-tasklist";
/// Who the plugin says made it.
const PLUGIN_AUTHOR: &str = "git-tasklist contributors";
/// The name of our MCP server in every configuration.
pub const SERVER_NAME: &str = "tasklist";
/// The skill's template.
pub const SKILL_TEMPLATE: &str = include_str!("../templates/skill.md");
/// The `AGENTS.md` section's template.
pub const AGENTS_TEMPLATE: &str = include_str!("../templates/agents.md");
/// Claude Code's hook events and the `hook` argument each one runs.
pub const HOOKS: [(&str, &str); 6] = [
    ("SessionStart", "session-start"),
    ("Stop", "stop"),
    ("PreCompact", "pre-compact"),
    ("SessionEnd", "session-end"),
    ("TaskCreated", "task-created"),
    ("TaskCompleted", "task-completed"),
];
/// The largest configuration file read (`~/.claude.json` holds Claude
/// Code's whole state and grows with every project).
const MAX_CONFIG: u64 = 64 << 20;
/// What the plugin and its hooks file say about themselves.
const DESCRIPTION: &str = "Resumable multi-session task lists in git: briefing at session start, automatic handoffs, MCP tools and the multi-session-orchestrator skill";

/// Why an install cannot be planned or written.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// An existing file that cannot be read.
    #[error("Cannot read {}: {source}", escape(&.path.display().to_string()))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: ReadError,
    },
    /// An existing JSON file that does not parse.
    #[error("{} is not valid JSON ({detail}); nothing was written", escape(&.path.display().to_string()))]
    NotJson {
        /// The file.
        path: PathBuf,
        /// The parser's words.
        detail: String,
    },
    /// An existing TOML file that does not parse.
    #[error("{} is not valid TOML ({detail}); nothing was written", escape(&.path.display().to_string()))]
    NotToml {
        /// The file.
        path: PathBuf,
        /// The parser's words.
        detail: String,
    },
    /// An existing file whose structure has no room for our entries.
    #[error("Cannot install into {}: {what}; nothing was written", escape(&.path.display().to_string()))]
    Shape {
        /// The file.
        path: PathBuf,
        /// What is in the way.
        what: String,
    },
    /// Something that should be a directory is not.
    #[error("{} is not a directory; nothing was written", escape(&.path.display().to_string()))]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A symlink to nothing where a file goes.
    #[error("{} is a symlink to a file that does not exist; nothing was written", escape(&.path.display().to_string()))]
    Dangling {
        /// The symlink.
        path: PathBuf,
    },
    /// A file reached through a symlink that leads outside where the install writes.
    #[error(
        "{} leads to {} through a symlink, outside {what} {}; nothing was written",
        escape(&.path.display().to_string()),
        escape(&.target.display().to_string()),
        escape(&.root.display().to_string())
    )]
    Outside {
        /// The file.
        path: PathBuf,
        /// Where it leads.
        target: PathBuf,
        /// What the install stays inside: `the project's work tree` ….
        what: &'static str,
        /// That directory.
        root: PathBuf,
    },
    /// A file changed between planning and writing.
    #[error("{} changed while installing; run the command again", escape(&.path.display().to_string()))]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// Writing a file failed; nothing was changed.
    #[error("Cannot write {}: {source}; nothing was written", escape(&.path.display().to_string()))]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing a file failed, and so did putting back what was written before it.
    #[error(
        "Cannot write {}: {source}; and {} could not be put back as {} was",
        escape(&.path.display().to_string()),
        .left.iter().map(|p| escape(&p.display().to_string())).collect::<Vec<_>>().join(", "),
        if .left.len() == 1 { "it" } else { "they" }
    )]
    HalfWritten {
        /// The file whose write failed.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// Files written before it that still hold the new text.
        left: Vec<PathBuf>,
    },
    /// No home directory to install into.
    #[error("HOME is not set, so the user's configuration cannot be found")]
    NoHome,
    /// The program's own path cannot be used.
    #[error("Cannot tell where this program is: {0}")]
    Program(String),
    /// A shipped template did not render (a bug).
    #[error("The shipped template {name} did not render: {detail}")]
    Render {
        /// Which one.
        name: &'static str,
        /// minijinja's words.
        detail: String,
    },
}

/// Result alias for installs.
pub type InstallResult<T> = Result<T, InstallError>;

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
    target: PathBuf,
    /// A symlink at `path` that a file we own whole replaces (what it says).
    link: Option<PathBuf>,
    /// Whether we own the file whole (the skill) rather than merge into it.
    whole: bool,
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

/// Where `install claude` writes.
#[derive(Debug, Clone)]
pub enum Claude {
    /// A project: `.claude/settings.json`, `.mcp.json`, `.claude/skills/` under its work tree.
    Project(PathBuf),
    /// The user: `~/.claude/settings.json`, `~/.claude.json`, `~/.claude/skills/`.
    User(PathBuf),
    /// A plugin directory: `.claude-plugin/plugin.json`, `hooks/hooks.json`, `.mcp.json`, `skills/`.
    Plugin(PathBuf),
}

/// Where `install codex` writes.
#[derive(Debug, Clone)]
pub enum Codex {
    /// A project: `.codex/config.toml` under its work tree.
    Project(PathBuf),
    /// The user: `~/.codex/config.toml`.
    User(PathBuf),
}

/// The user's home directory (`$HOME`).
pub fn home() -> InstallResult<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or(InstallError::NoHome)
}

/// The program to write into hooks and MCP entries: this executable's file
/// name when that name, looked up on `PATH`, is this very file (so the
/// configuration survives upgrades in place); else its absolute path.
pub fn program() -> InstallResult<String> {
    let exe = std::env::current_exe().map_err(|e| InstallError::Program(e.to_string()))?;
    program_for(&exe, std::env::var_os("PATH").as_deref())
}

/// [`program`] for the executable `exe` and the search path `path_var`.
pub fn program_for(exe: &Path, path_var: Option<&OsStr>) -> InstallResult<String> {
    let exe = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
    let text = |p: &Path| {
        p.to_str().map(String::from).ok_or_else(|| {
            InstallError::Program(format!(
                "its path {} is not UTF-8",
                escape(&p.display().to_string())
            ))
        })
    };
    if let (Some(name), Some(path_var)) = (exe.file_name(), path_var) {
        let first = std::env::split_paths(path_var)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(name))
            .find(|candidate| is_executable(candidate));
        if let Some(found) = first
            && std::fs::canonicalize(&found).is_ok_and(|f| f == exe)
        {
            return text(Path::new(name));
        }
    }
    text(&exe)
}

/// Whether a shell looking `path` up on PATH would run it.
fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    meta.is_file()
}

/// The command a hook runs: `PROGRAM hook ARG`, the program shell-quoted.
pub fn hook_command(program: &str, arg: &str) -> String {
    format!("{} hook {arg}", shell_quote(program))
}

/// Plans `install claude` into `dest` with `program` as the binary.
pub fn plan_claude(dest: &Claude, program: &str) -> InstallResult<Vec<Planned>> {
    let (settings, mcp, skill_path, b) = match dest {
        Claude::Project(root) => (
            root.join(".claude").join("settings.json"),
            root.join(".mcp.json"),
            root.join(".claude").join("skills").join(SKILL_NAME).join("SKILL.md"),
            Bounds::new(root, "the project's work tree")?,
        ),
        Claude::User(home) => (
            home.join(".claude").join("settings.json"),
            home.join(".claude.json"),
            home.join(".claude").join("skills").join(SKILL_NAME).join("SKILL.md"),
            Bounds::new(home, "your home directory")?,
        ),
        Claude::Plugin(dir) => {
            let b = Bounds::new(dir, "the plugin directory")?;
            let manifest = plan_json(&b, &dir.join(".claude-plugin").join("plugin.json"), |top| {
                set(top, "name", Json::str(PLUGIN_NAME));
                set(top, "version", Json::str(env!("CARGO_PKG_VERSION")));
                set(top, "description", Json::str(DESCRIPTION));
                set(top, "author", Json::object(vec![("name", Json::str(PLUGIN_AUTHOR))]));
                set(top, "license", Json::str(env!("CARGO_PKG_LICENSE")));
                Ok(())
            })?;
            let hooks = plan_json(&b, &dir.join("hooks").join("hooks.json"), |top| {
                entry(top, "description", || Json::str(DESCRIPTION));
                merge_hooks(top, program)
            })?;
            let mcp = plan_json(&b, &dir.join(".mcp.json"), |top| merge_mcp(top, program))?;
            let skill_path = dir.join("skills").join(SKILL_NAME).join("SKILL.md");
            let skill = plan_text(&b, &skill_path, plugin_skill(program)?)?;
            return Ok(vec![manifest, hooks, mcp, skill]);
        }
    };
    Ok(vec![
        plan_json(&b, &settings, |top| merge_hooks(top, program))?,
        plan_json(&b, &mcp, |top| merge_mcp(top, program))?,
        plan_text(&b, &skill_path, skill(program)?)?,
    ])
}

/// Plans `install codex` into `dest` with `program` as the binary.
pub fn plan_codex(dest: &Codex, program: &str) -> InstallResult<Vec<Planned>> {
    let (root, what) = match dest {
        Codex::Project(root) => (root, "the project's work tree"),
        Codex::User(home) => (home, "your home directory"),
    };
    let b = Bounds::new(root, what)?;
    Ok(vec![plan_toml(&b, &root.join(".codex").join("config.toml"), program)?])
}

/// The directory an install writes inside (the project's work tree, the
/// home directory, the plugin directory), with its symlinks resolved.
struct Bounds {
    root: PathBuf,
    real: PathBuf,
    what: &'static str,
}

impl Bounds {
    fn new(root: &Path, what: &'static str) -> InstallResult<Bounds> {
        Ok(Bounds { root: root.to_path_buf(), real: resolve(root)?, what })
    }

    /// Where the bytes for `path` go, and the symlink a whole file
    /// replaces. A file we own whole (`whole`) is never followed: a symlink
    /// there is replaced by the file. A merged file is written where its
    /// symlinks lead. Either way every directory on the way is resolved,
    /// and the place must be inside the root: a repository cannot send our
    /// writes to the user's other files by shipping a symlink.
    fn place(&self, path: &Path, whole: bool) -> InstallResult<(PathBuf, Option<PathBuf>)> {
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
fn stage_all(
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
fn commit(
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
fn read_existing(path: &Path) -> InstallResult<Option<String>> {
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
fn plan_text(b: &Bounds, path: &Path, new: String) -> InstallResult<Planned> {
    let (target, link) = b.place(path, true)?;
    let old = if link.is_some() { None } else { read_existing(&target)? };
    Ok(Planned { path: path.to_path_buf(), old, new, target, link, whole: true })
}

/// Plans a JSON file: its top-level object (empty when the file is new or
/// blank) edited by `edit`. The new text is the old with only the values
/// that changed spliced in (see [`json`]); a new file is printed with two
/// spaces.
fn plan_json(
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

/// Adds (or corrects) our MCP server under `mcpServers`; other servers and
/// the other keys of ours (`env`, `alwaysLoad` …) stay.
fn merge_mcp(top: &mut Vec<(String, Json)>, program: &str) -> Result<(), String> {
    let servers = entry(top, "mcpServers", || Json::Object(Vec::new()));
    let kind = servers.kind();
    let servers = servers
        .as_object_mut()
        .ok_or_else(|| format!("\"mcpServers\" is {kind}, not an object"))?;
    let ours = entry(servers, SERVER_NAME, || Json::Object(Vec::new()));
    if ours.as_object_mut().is_none() {
        *ours = Json::Object(Vec::new());
    }
    if let Some(ours) = ours.as_object_mut() {
        set(ours, "command", Json::str(program));
        set(ours, "args", Json::Array(vec![Json::str("mcp")]));
    }
    Ok(())
}

/// Adds (or corrects) our handler for each of [`HOOKS`] under `hooks`.
fn merge_hooks(top: &mut Vec<(String, Json)>, program: &str) -> Result<(), String> {
    let hooks = entry(top, "hooks", || Json::Object(Vec::new()));
    let kind = hooks.kind();
    let hooks =
        hooks.as_object_mut().ok_or_else(|| format!("\"hooks\" is {kind}, not an object"))?;
    for (event, arg) in HOOKS {
        let groups = entry(hooks, event, || Json::Array(Vec::new()));
        let Json::Array(groups) = groups else {
            return Err(format!("\"hooks.{event}\" is {}, not an array", groups.kind()));
        };
        place_hook(groups, arg, program);
    }
    Ok(())
}

/// The handlers of a matcher group, when it has an array of them.
fn handlers_mut(group: &mut Json) -> Option<&mut Vec<Json>> {
    match group.as_object_mut()?.iter_mut().find(|(k, _)| k == "hooks") {
        Some((_, Json::Array(handlers))) => Some(handlers),
        _ => None,
    }
}

/// Whether a matcher group fires for every source of its event.
fn matches_all(group: &Json) -> bool {
    match group.get("matcher") {
        None => true,
        Some(m) => matches!(m.as_str(), Some("" | "*")),
    }
}

/// Makes one handler of ours run `PROGRAM hook ARG` in `groups`: the first
/// one found keeps its place (and any field a user added, like `timeout`)
/// when its group matches everything; other copies go, and so do groups
/// left empty by that. Without one, ours is appended as a group of its own.
fn place_hook(groups: &mut Vec<Json>, arg: &str, program: &str) {
    let command = hook_command(program, arg);
    let ours = |h: &Json| {
        h.get("command").and_then(Json::as_str).is_some_and(|c| runs_our_hook(c, arg, program))
            && h.get("type").is_none_or(|t| t.as_str() == Some("command"))
    };
    let mut found = Vec::new();
    for (gi, group) in groups.iter_mut().enumerate() {
        if let Some(handlers) = handlers_mut(group) {
            found.extend(
                handlers.iter().enumerate().filter(|(_, h)| ours(h)).map(|(hi, _)| (gi, hi)),
            );
        }
    }
    let canonical = Json::object(vec![(
        "hooks",
        Json::Array(vec![Json::object(vec![
            ("type", Json::str("command")),
            ("command", Json::str(&command)),
        ])]),
    )]);
    let Some(&(g0, h0)) = found.first() else {
        groups.push(canonical);
        return;
    };
    let keep = matches_all(&groups[g0]).then_some((g0, h0));
    // From the back, so the positions still to visit stay valid; a group
    // can only become empty at its last (lowest) removal.
    let mut emptied = Vec::new();
    for &(gi, hi) in found.iter().rev() {
        if Some((gi, hi)) == keep {
            continue;
        }
        if let Some(handlers) = handlers_mut(&mut groups[gi]) {
            handlers.remove(hi);
            if handlers.is_empty() {
                emptied.push(gi);
            }
        }
    }
    for gi in emptied {
        groups.remove(gi);
    }
    // Nothing before g0 was removed: it is the first group holding ours.
    match keep {
        Some(_) => {
            if let Some(handler) = handlers_mut(&mut groups[g0]).and_then(|h| h.get_mut(h0))
                && let Some(pairs) = handler.as_object_mut()
            {
                set(pairs, "type", Json::str("command"));
                set(pairs, "command", Json::str(&command));
            }
        }
        None => groups.insert(g0, canonical),
    }
}

/// Whether a hook command runs `hook ARG` of git-tasklist: `[VAR=value …]
/// PROGRAM [options] hook ARG`, where PROGRAM is `program`, anything named
/// git-tasklist (another install's path), or `git tasklist`.
pub fn runs_our_hook(command: &str, arg: &str, program: &str) -> bool {
    let Some(words) = shell_words(command) else { return false };
    let words: Vec<&str> =
        words.iter().map(String::as_str).skip_while(|w| is_assignment(w)).collect();
    let n = words.len();
    if n < 3 || words[n - 1] != arg || words[n - 2] != "hook" {
        return false;
    }
    let base = |w: &str| Path::new(w).file_name().and_then(OsStr::to_str).map(String::from);
    let first = words[0];
    let name = base(first);
    first == program
        || name.is_some() && name == base(program)
        || matches!(name.as_deref(), Some("git-tasklist" | "git-tasklist.exe"))
        || name.as_deref() == Some("git") && words[1] == "tasklist"
}

/// `NAME=value`, as a shell reads an assignment before a command.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Splits a command line into words as a POSIX shell would for simple
/// commands: whitespace, '…', "…" with `\` escapes, `\` outside quotes.
/// `None` for an unterminated quote.
fn shell_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => w.push(c),
                            '\n' => {}
                            c => {
                                w.push('\\');
                                w.push(c);
                            }
                        },
                        c => w.push(c),
                    }
                }
            }
            '\\' => {
                if let Some(c) = chars.next() {
                    word.get_or_insert_with(String::new).push(c);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

/// Plans a TOML file with our `[mcp_servers.tasklist]`: toml_edit keeps
/// the rest of the file byte for byte, comments included.
fn plan_toml(b: &Bounds, path: &Path, program: &str) -> InstallResult<Planned> {
    use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value, value};
    let (target, _) = b.place(path, false)?;
    let old = read_existing(&target)?;
    let with_bom = old.as_deref().unwrap_or("");
    let text = with_bom.strip_prefix('\u{feff}').unwrap_or(with_bom);
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        // Not the error's Display: that quotes the offending line of the file.
        let at = e.span().map(|span| {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: ")
        });
        InstallError::NotToml {
            path: path.to_path_buf(),
            detail: escape(&one_line(&format!("{}{}", at.unwrap_or_default(), e.message()))),
        }
    })?;
    let shape = |what: String| InstallError::Shape { path: path.to_path_buf(), what };
    let root = doc.as_table_mut();
    if !root.contains_key("mcp_servers") {
        let mut t = Table::new();
        t.set_implicit(true);
        root.insert("mcp_servers", Item::Table(t));
    }
    let (servers, inline): (&mut dyn TableLike, bool) = match root.get_mut("mcp_servers") {
        Some(Item::Table(t)) => (t, false),
        Some(Item::Value(Value::InlineTable(t))) => (t, true),
        Some(other) => {
            return Err(shape(format!("mcp_servers is a TOML {}, not a table", other.type_name())));
        }
        None => return Err(shape("mcp_servers cannot be added".into())),
    };
    let has_table = matches!(
        servers.get(SERVER_NAME),
        Some(Item::Table(_)) | Some(Item::Value(Value::InlineTable(_)))
    );
    if !has_table {
        let fresh = if inline {
            Item::Value(Value::InlineTable(InlineTable::new()))
        } else {
            Item::Table(Table::new())
        };
        servers.insert(SERVER_NAME, fresh);
    }
    let ours: &mut dyn TableLike = match servers.get_mut(SERVER_NAME) {
        Some(Item::Table(t)) => t,
        Some(Item::Value(Value::InlineTable(t))) => t,
        _ => return Err(shape(format!("mcp_servers.{SERVER_NAME} cannot be added"))),
    };
    let mut changed = !has_table;
    if ours.get("command").and_then(Item::as_str) != Some(program) {
        // In place, keeping the spaces and comment around the old value.
        match ours.get_mut("command").and_then(Item::as_value_mut) {
            Some(v) => {
                let decor = v.decor().clone();
                *v = Value::from(program);
                *v.decor_mut() = decor;
            }
            None => {
                ours.insert("command", value(program));
            }
        }
        changed = true;
    }
    let args_ok = ours
        .get("args")
        .and_then(Item::as_array)
        .is_some_and(|a| a.len() == 1 && a.get(0).and_then(Value::as_str) == Some("mcp"));
    if !args_ok {
        let mut args = Array::new();
        args.push("mcp");
        ours.insert("args", value(args));
        changed = true;
    }
    let new = match changed {
        true => format!(
            "{}{}",
            &with_bom[..with_bom.len() - text.len()],
            keep_lines(text, &doc.to_string())
        ),
        false => with_bom.to_string(),
    };
    Ok(Planned { path: path.to_path_buf(), old, new, target, link: None, whole: false })
}

/// `new` (toml_edit's printing of `old` with our table) with every line it
/// did not change taken from `old` as written, and the lines it added ended
/// like `old`'s: toml_edit keeps a document's text except its line breaks,
/// which it prints as `\n`, so CRLF files stay CRLF.
fn keep_lines(old: &str, new: &str) -> String {
    let nl = match old.find('\n') {
        Some(i) if old[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let bare: Vec<String> = old_lines
        .iter()
        .map(|l| match l.strip_suffix("\r\n") {
            Some(body) => format!("{body}\n"),
            None => l.to_string(),
        })
        .collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let bare_refs: Vec<&str> = bare.iter().map(String::as_str).collect();
    let mut out = String::with_capacity(new.len() + new_lines.len());
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &bare_refs, &new_lines) {
        let (tag, from, to) = op.as_tag_tuple();
        match tag {
            similar::DiffTag::Equal => old_lines[from].iter().for_each(|l| out.push_str(l)),
            similar::DiffTag::Delete => {}
            similar::DiffTag::Insert | similar::DiffTag::Replace => {
                for line in &new_lines[to] {
                    match line.strip_suffix('\n') {
                        Some(body) if !body.ends_with('\r') => {
                            out.push_str(body);
                            out.push_str(nl);
                        }
                        _ => out.push_str(line),
                    }
                }
            }
        }
    }
    out
}

/// What the templates are rendered with.
#[derive(serde::Serialize)]
struct Context {
    /// The program as a shell word.
    bin: String,
    /// The MCP tools by our name for them, as Claude Code names them.
    tools: std::collections::BTreeMap<&'static str, String>,
    /// The MCP server's name.
    server: &'static str,
}

/// What Claude Code calls our MCP tools: `mcp__<server>__<Tool>` for a
/// server in a settings file, `mcp__plugin_<plugin>_<server>__<Tool>` for a
/// plugin's.
fn tool_prefix(plugin: bool) -> String {
    if plugin {
        format!("mcp__plugin_{PLUGIN_NAME}_{SERVER_NAME}__")
    } else {
        format!("mcp__{SERVER_NAME}__")
    }
}

fn context(program: &str, plugin: bool) -> Context {
    let prefix = tool_prefix(plugin);
    let tools = crate::mcp::TOOLS.into_iter().map(|t| (t, format!("{prefix}{t}"))).collect();
    Context { bin: shell_quote(program), tools, server: SERVER_NAME }
}

fn render(name: &'static str, source: &str, program: &str, plugin: bool) -> InstallResult<String> {
    let fail = |e: minijinja::Error| InstallError::Render { name, detail: e.to_string() };
    let mut env = minijinja::Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(fail)?;
    env.set_syntax(syntax);
    env.add_template(name, source).map_err(fail)?;
    env.get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(context(program, plugin))))
        .map_err(fail)
}

/// The skill (`SKILL.md`), for `program`.
pub fn skill(program: &str) -> InstallResult<String> {
    render("skill.md", SKILL_TEMPLATE, program, false)
}

/// The skill of the plugin (`install claude --plugin`), for `program`: the
/// same, with the tools named as Claude Code names a plugin's.
pub fn plugin_skill(program: &str) -> InstallResult<String> {
    render("skill.md", SKILL_TEMPLATE, program, true)
}

/// The `AGENTS.md` section, for `program`.
pub fn agents_md(program: &str) -> InstallResult<String> {
    render("agents.md", AGENTS_TEMPLATE, program, false)
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_installed_hook_is_one_the_hook_command_answers() {
        let installed: Vec<&str> = HOOKS.iter().map(|(_, ours)| *ours).collect();
        assert_eq!(installed, crate::hook::EVENTS);
    }

    use super::*;

    #[test]
    fn our_hooks_are_recognised_by_what_they_run() {
        let p = "/opt/bin/git-tasklist";
        assert!(runs_our_hook("git-tasklist hook stop", "stop", p));
        assert!(runs_our_hook("/old/place/git-tasklist hook stop", "stop", p));
        assert!(runs_our_hook("'/my dir/git-tasklist' hook stop", "stop", p));
        assert!(runs_our_hook("TASKLIST_ID=x git tasklist hook stop", "stop", p));
        assert!(runs_our_hook("/opt/bin/git-tasklist --namespace refs/x hook stop", "stop", p));
        assert!(!runs_our_hook("git-tasklist hook session-start", "stop", p));
        assert!(!runs_our_hook("other-tool hook stop", "stop", p));
        assert!(!runs_our_hook("git-tasklist hook stop; rm -rf x", "stop", p));
        assert!(!runs_our_hook("'unterminated hook stop", "stop", p));
        assert!(runs_our_hook("renamed hook stop", "stop", "/x/renamed"));
    }

    #[test]
    fn shell_words_follow_the_shell() {
        assert_eq!(
            shell_words(r#"a 'b c' "d \"e\"" f\ g"#).unwrap(),
            vec!["a", "b c", "d \"e\"", "f g"]
        );
        assert_eq!(shell_words("''").unwrap(), vec![""]);
        assert!(shell_words("\"open").is_none());
    }

    #[test]
    fn hooks_are_placed_once_and_moved_binaries_replace_theirs() {
        let mut top = Vec::new();
        merge_hooks(&mut top, "/a/git-tasklist").unwrap();
        let once = Json::Object(top.clone());
        merge_hooks(&mut top, "/a/git-tasklist").unwrap();
        assert_eq!(Json::Object(top.clone()), once);
        merge_hooks(&mut top, "git-tasklist").unwrap();
        let text = Json::Object(top).to_pretty("  ", false);
        assert!(!text.contains("/a/git-tasklist"), "{text}");
        assert_eq!(text.matches("git-tasklist hook stop").count(), 1, "{text}");
    }

    #[test]
    fn a_hook_of_ours_in_a_group_with_a_matcher_moves_to_its_own_group() {
        let doc = Json::parse(
            r#"{"hooks": {"SessionStart": [{"matcher": "startup", "hooks": [
                {"type": "command", "command": "mine"},
                {"type": "command", "command": "git-tasklist hook session-start"}]}]}}"#,
        )
        .unwrap();
        let Json::Object(mut top) = doc else { panic!() };
        merge_hooks(&mut top, "git-tasklist").unwrap();
        let text = Json::Object(top).to_pretty("", false).replace('\n', "");
        assert!(
            text.contains(r#""SessionStart": [{"hooks": [{"type": "command","command": "git-tasklist hook session-start"}]},{"matcher": "startup","hooks": [{"type": "command","command": "mine"}]}]"#),
            "{text}"
        );
    }

    /// Every file under `dir` with its bytes.
    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_rename_that_fails_puts_back_the_files_renamed_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join(".claude")).unwrap();
        std::fs::write(root.join(".claude/settings.json"), "{\"model\": \"opus\"}\n").unwrap();
        let plans = plan_claude(&Claude::Project(root.clone()), "git-tasklist").unwrap();
        let changing: Vec<&Planned> = plans.iter().collect();
        let before = files(&root);
        let mut made = Vec::new();
        let staged = stage_all(&changing, &mut made).unwrap();
        assert!(!made.is_empty(), "the skill's directories were made");
        // Something takes .mcp.json's place between staging and renaming:
        // settings.json is renamed in first, then .mcp.json's rename fails.
        std::fs::create_dir(root.join(".mcp.json")).unwrap();
        std::fs::write(root.join(".mcp.json/in-the-way"), "x").unwrap();
        let err = commit(&changing, staged, &made).unwrap_err();
        assert!(matches!(&err, InstallError::Write { path, .. } if path.ends_with(".mcp.json")));
        std::fs::remove_dir_all(root.join(".mcp.json")).unwrap();
        assert_eq!(files(&root), before, "settings.json back, nothing staged or made left");
        assert!(!root.join(".claude/skills").exists());
    }

    #[cfg(unix)]
    #[test]
    fn program_is_the_name_only_when_path_finds_this_file() {
        use std::os::unix::fs::PermissionsExt;
        let exe = |p: &Path, mode| {
            std::fs::write(p, "").unwrap();
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("git-tasklist");
        exe(&bin, 0o755);
        let bin = std::fs::canonicalize(&bin).unwrap();
        let other = tempfile::tempdir().unwrap();
        exe(&other.path().join("git-tasklist"), 0o755);
        let plain = tempfile::tempdir().unwrap();
        exe(&plain.path().join("git-tasklist"), 0o644);
        let path = |dirs: &[&Path]| std::env::join_paths(dirs).unwrap();
        assert_eq!(program_for(&bin, Some(&path(&[dir.path()]))).unwrap(), "git-tasklist");
        // A file the shell would not run is passed over, as the shell does.
        let skipped = path(&[plain.path(), dir.path()]);
        assert_eq!(program_for(&bin, Some(&skipped)).unwrap(), "git-tasklist");
        // Another git-tasklist first on PATH: the name would run that one.
        let shadowed = path(&[other.path(), dir.path()]);
        assert_eq!(program_for(&bin, Some(&shadowed)).unwrap(), bin.to_str().unwrap());
        assert_eq!(program_for(&bin, None).unwrap(), bin.to_str().unwrap());
    }
}
