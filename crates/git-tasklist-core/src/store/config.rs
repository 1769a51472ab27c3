//! The repository's local git configuration and its remotes, for sync:
//! read and written with the `git` command, so git's own rules apply
//! (includes, `GIT_CONFIG_*` variables, what another process changed a
//! moment ago), never over the network and never for longer than git takes.

use std::io;
use std::process::{Command, Output};

use super::open::Store;
use crate::util::interrupt::{self, Finished};
use crate::util::text::{escape, one_line};

impl Store {
    /// `git ARGS` on the repository: local only, no network, no bound. No
    /// automatic maintenance (the store runs git's housekeeping itself).
    fn git_local(&self, args: &[&str]) -> io::Result<Output> {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir").arg(&self.common_dir);
        cmd.args(["-c", "maintenance.auto=false"]).args(args);
        match interrupt::output(&mut cmd, None, &|| {})? {
            Finished::Exited(out) => Ok(out),
            Finished::TimedOut => Err(io::Error::from(io::ErrorKind::TimedOut)),
        }
    }

    /// The whole configuration, read once (`git config --list`, so with
    /// git's includes, `GIT_CONFIG_*` variables and `-c` values), for the
    /// [`GitConfig`] queries.
    pub(crate) fn read_config(&self) -> io::Result<GitConfig> {
        // `-l` is `--list`.
        let out = self.git_local(&["config", "-z", "-l", "--show-scope"])?;
        if !out.status.success() {
            return Err(io::Error::other(stderr_text(&out)));
        }
        let mut config = GitConfig::parse(&out.stdout);
        // The legacy remotes git still reads: `remotes/<name>` and
        // `branches/<name>` files of the repository.
        for dir in ["remotes", "branches"] {
            let Ok(entries) = std::fs::read_dir(self.common_dir.join(dir)) else { continue };
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_file()) {
                    config.file_remotes.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        Ok(config)
    }

    /// Adds `value` to `key` (`git config --add`); `Ok(Err(what git said))`
    /// when git refused.
    pub(crate) fn config_add(&self, key: &str, value: &str) -> io::Result<Result<(), String>> {
        let out = self.git_local(&["config", "--add", key, value])?;
        Ok(if out.status.success() { Ok(()) } else { Err(stderr_text(&out)) })
    }

    /// The branch this worktree's HEAD names, short (as `git symbolic-ref
    /// --short HEAD`); empty when HEAD is detached.
    pub(crate) fn head_branch(&self) -> String {
        self.current_branch().unwrap_or_default()
    }
}

/// One entry of the configuration: its scope (`local`, `global`,
/// `command` …), the key's section (lower case), subsection (as written)
/// and name (lower case), and the value (empty when it has none).
struct Entry {
    scope: String,
    section: String,
    subsection: Option<String>,
    name: String,
    value: String,
}

/// The repository's git configuration as one `git config --list` read
/// it, queried with git's rules: section and key names case-insensitive,
/// subsections exact, the last value wins.
pub(crate) struct GitConfig {
    entries: Vec<Entry>,
    /// Remotes defined by files in `remotes/` or `branches/`.
    file_remotes: Vec<String>,
}

/// `key` split as git does: `section[.subsection].name`, section and
/// name in lower case; `None` when it has no name.
fn split_key(key: &str) -> Option<(String, Option<&str>, String)> {
    let (head, name) = key.rsplit_once('.')?;
    let (section, subsection) = match head.split_once('.') {
        Some((s, sub)) => (s, Some(sub)),
        None => (head, None),
    };
    Some((section.to_ascii_lowercase(), subsection, name.to_ascii_lowercase()))
}

impl GitConfig {
    /// The entries of `git config -z --list --show-scope`'s output: each
    /// `scope NUL key [LF value] NUL`.
    fn parse(out: &[u8]) -> GitConfig {
        let text = String::from_utf8_lossy(out);
        let mut fields = text.split('\0');
        let mut entries = Vec::new();
        while let (Some(scope), Some(item)) = (fields.next(), fields.next()) {
            let (key, value) = item.split_once('\n').unwrap_or((item, ""));
            if let Some((section, subsection, name)) = split_key(key) {
                entries.push(Entry {
                    scope: scope.to_string(),
                    section,
                    subsection: subsection.map(String::from),
                    name,
                    value: value.to_string(),
                });
            }
        }
        GitConfig { entries, file_remotes: Vec::new() }
    }

    /// Every value of `key`, in git's order, each trimmed.
    pub(crate) fn get_all(&self, key: &str) -> Vec<String> {
        let Some((section, subsection, name)) = split_key(key) else { return Vec::new() };
        self.entries
            .iter()
            .filter(|e| {
                e.section == section && e.subsection.as_deref() == subsection && e.name == name
            })
            .map(|e| e.value.trim().to_string())
            .collect()
    }

    /// The value of `key` (the last one, as `git config --get`), trimmed;
    /// empty when unset.
    pub(crate) fn get(&self, key: &str) -> String {
        self.get_all(key).pop().unwrap_or_default()
    }

    /// The configured remotes' names, sorted, as `git remote` lists them:
    /// any `remote.<name>.*` key in any scope, and the legacy files.
    pub(crate) fn remote_names(&self) -> Vec<String> {
        let mut names: std::collections::BTreeSet<String> = self
            .entries
            .iter()
            .filter(|e| e.section == "remote")
            .filter_map(|e| e.subsection.clone())
            .filter(|n| !n.starts_with('/'))
            .collect();
        names.extend(self.file_remotes.iter().cloned());
        names.into_iter().collect()
    }

    /// Whether `remote` is configured in the repository itself, as `git
    /// remote get-url` asks: a `remote.<name>.*` key of the repository's
    /// own configuration (not the user's or the command line's), or a
    /// legacy file.
    pub(crate) fn has_remote(&self, remote: &str) -> bool {
        let in_repo = |e: &&Entry| matches!(e.scope.as_str(), "local" | "worktree");
        !remote.starts_with('/')
            && (self
                .entries
                .iter()
                .filter(in_repo)
                .any(|e| e.section == "remote" && e.subsection.as_deref() == Some(remote))
                || self.file_remotes.iter().any(|n| n == remote))
    }
}

/// What git said on stderr, escaped, on one line.
fn stderr_text(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    one_line(&escape(&lines.join("; ")))
}
