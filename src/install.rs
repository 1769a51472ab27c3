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

use crate::file::{ReadError, read_bounded};
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
    /// A file changed between planning and writing.
    #[error("{} changed while installing; run the command again", escape(&.path.display().to_string()))]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// Writing a file failed.
    #[error("Cannot write {}: {source}", escape(&.path.display().to_string()))]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
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

/// What an install does (or would do) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The file is new.
    Created,
    /// The file changed.
    Updated,
    /// The file already says what it should.
    Unchanged,
}

impl Action {
    /// The word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
        }
    }
}

/// One file's planned write: where, what it holds now, what it will hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The file.
    pub path: PathBuf,
    /// Its text now (`None`: it does not exist).
    pub old: Option<String>,
    /// Its text after the install.
    pub new: String,
}

impl Planned {
    /// What writing it does.
    pub fn action(&self) -> Action {
        match &self.old {
            None => Action::Created,
            Some(old) if *old == self.new => Action::Unchanged,
            Some(_) => Action::Updated,
        }
    }

    /// A unified diff from the old text to the new (a new file: all added;
    /// empty when unchanged).
    pub fn diff(&self) -> String {
        if self.action() == Action::Unchanged {
            return String::new();
        }
        let shown = escape(&self.path.display().to_string());
        let old = self.old.as_deref().unwrap_or("");
        let from = if self.old.is_some() { shown.clone() } else { "/dev/null".into() };
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
    let (settings, mcp, skill_path) = match dest {
        Claude::Project(root) => (
            root.join(".claude").join("settings.json"),
            root.join(".mcp.json"),
            root.join(".claude").join("skills").join(SKILL_NAME).join("SKILL.md"),
        ),
        Claude::User(home) => (
            home.join(".claude").join("settings.json"),
            home.join(".claude.json"),
            home.join(".claude").join("skills").join(SKILL_NAME).join("SKILL.md"),
        ),
        Claude::Plugin(dir) => {
            let manifest = plan_json(&dir.join(".claude-plugin").join("plugin.json"), |top| {
                set(top, "name", Json::str(PLUGIN_NAME));
                set(top, "version", Json::str(env!("CARGO_PKG_VERSION")));
                set(top, "description", Json::str(DESCRIPTION));
                set(top, "author", Json::object(vec![("name", Json::str(PLUGIN_AUTHOR))]));
                set(top, "license", Json::str(env!("CARGO_PKG_LICENSE")));
                Ok(())
            })?;
            let hooks = plan_json(&dir.join("hooks").join("hooks.json"), |top| {
                entry(top, "description", || Json::str(DESCRIPTION));
                merge_hooks(top, program)
            })?;
            let mcp = plan_json(&dir.join(".mcp.json"), |top| merge_mcp(top, program))?;
            let skill_path = dir.join("skills").join(SKILL_NAME).join("SKILL.md");
            let skill = plan_text(&skill_path, plugin_skill(program)?)?;
            return Ok(vec![manifest, hooks, mcp, skill]);
        }
    };
    Ok(vec![
        plan_json(&settings, |top| merge_hooks(top, program))?,
        plan_json(&mcp, |top| merge_mcp(top, program))?,
        plan_text(&skill_path, skill(program)?)?,
    ])
}

/// Plans `install codex` into `dest` with `program` as the binary.
pub fn plan_codex(dest: &Codex, program: &str) -> InstallResult<Vec<Planned>> {
    let path = match dest {
        Codex::Project(root) | Codex::User(root) => root.join(".codex").join("config.toml"),
    };
    Ok(vec![plan_toml(&path, program)?])
}

/// Writes every planned file that changes, each through a temporary file
/// renamed into place (beside a symlink's target, so dotfile links stay).
/// First checks that none changed since it was planned.
pub fn write(plans: &[Planned]) -> InstallResult<()> {
    let changing: Vec<&Planned> =
        plans.iter().filter(|p| p.action() != Action::Unchanged).collect();
    for p in &changing {
        if read_existing(&p.path)? != p.old {
            return Err(InstallError::Changed { path: p.path.clone() });
        }
    }
    for p in changing {
        write_one(p).map_err(|source| InstallError::Write { path: p.path.clone(), source })?;
    }
    Ok(())
}

fn write_one(p: &Planned) -> std::io::Result<()> {
    let target = match std::fs::symlink_metadata(&p.path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&p.path)?,
        _ => p.path.clone(),
    };
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = target.file_name().and_then(OsStr::to_str).unwrap_or("file");
    let mut tmp =
        tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(p.new.as_bytes())?;
    let perms = match std::fs::metadata(&target) {
        Ok(m) => m.permissions(),
        Err(_) => default_permissions(tmp.as_file().metadata()?.permissions()),
    };
    tmp.as_file().set_permissions(perms)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
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

/// Plans a file we own entirely.
fn plan_text(path: &Path, new: String) -> InstallResult<Planned> {
    check_dirs(path)?;
    Ok(Planned { path: path.to_path_buf(), old: read_existing(path)?, new })
}

/// Plans a JSON file: its top-level object (empty when the file is new or
/// blank) edited by `edit`. Unchanged content keeps the file's own text;
/// changed content is printed with the file's indentation.
fn plan_json(
    path: &Path,
    edit: impl FnOnce(&mut Vec<(String, Json)>) -> Result<(), String>,
) -> InstallResult<Planned> {
    check_dirs(path)?;
    let old = read_existing(path)?;
    let mut doc = match old.as_deref() {
        None => Json::Object(Vec::new()),
        Some(text) if text.trim().is_empty() => Json::Object(Vec::new()),
        Some(text) => Json::parse(text).map_err(|e| InstallError::NotJson {
            path: path.to_path_buf(),
            detail: escape(&one_line(&e.to_string())),
        })?,
    };
    let before = doc.clone();
    let Some(top) = doc.as_object_mut() else {
        return Err(InstallError::Shape {
            path: path.to_path_buf(),
            what: format!("it holds {}, not an object", before.kind()),
        });
    };
    edit(top).map_err(|what| InstallError::Shape { path: path.to_path_buf(), what })?;
    let pretty = |indent: &str, newline: bool| {
        doc.to_pretty(indent, newline).map_err(|e| InstallError::Shape {
            path: path.to_path_buf(),
            what: format!("it cannot be printed again ({e})"),
        })
    };
    let new = match old.as_deref() {
        Some(text) if doc == before => text.to_string(),
        Some(text) => {
            pretty(&json::indent_of(text), text.ends_with('\n') || text.trim().is_empty())?
        }
        None => pretty("  ", true)?,
    };
    Ok(Planned { path: path.to_path_buf(), old, new })
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
fn plan_toml(path: &Path, program: &str) -> InstallResult<Planned> {
    use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value, value};
    check_dirs(path)?;
    let old = read_existing(path)?;
    let text = old.as_deref().unwrap_or("");
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
        ours.insert("command", value(program));
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
    let new = if changed { doc.to_string() } else { text.to_string() };
    Ok(Planned { path: path.to_path_buf(), old, new })
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
        let text = Json::Object(top).to_pretty("  ", false).unwrap();
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
        let text = Json::Object(top).to_pretty("", false).unwrap().replace('\n', "");
        assert!(
            text.contains(r#""SessionStart": [{"hooks": [{"type": "command","command": "git-tasklist hook session-start"}]},{"matcher": "startup","hooks": [{"type": "command","command": "mine"}]}]"#),
            "{text}"
        );
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
