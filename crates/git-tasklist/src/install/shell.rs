//! The program and the shell: which program the configuration runs, the
//! hook command line, and telling our hooks from others' by what they run.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use git_tasklist_core::text::{escape, shell_quote};

use super::error::{InstallError, InstallResult};

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

#[cfg(test)]
mod tests {
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
