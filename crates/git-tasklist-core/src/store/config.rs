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

    /// The value of `key` (`git config --get`), trimmed; empty when unset.
    pub(crate) fn config_get(&self, key: &str) -> io::Result<String> {
        let out = self.git_local(&["config", "--get", key])?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Every value of `key` (`git config --get-all`), each trimmed.
    pub(crate) fn config_get_all(&self, key: &str) -> io::Result<Vec<String>> {
        let out = self.git_local(&["config", "--get-all", key])?;
        Ok(String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim().to_string()).collect())
    }

    /// Adds `value` to `key` (`git config --add`); `Ok(Err(what git said))`
    /// when git refused.
    pub(crate) fn config_add(&self, key: &str, value: &str) -> io::Result<Result<(), String>> {
        let out = self.git_local(&["config", "--add", key, value])?;
        Ok(if out.status.success() { Ok(()) } else { Err(stderr_text(&out)) })
    }

    /// The branch HEAD names, short (`git symbolic-ref --short -q HEAD`);
    /// empty when HEAD is detached.
    pub(crate) fn head_branch(&self) -> io::Result<String> {
        let out = self.git_local(&["symbolic-ref", "--short", "-q", "HEAD"])?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The configured remotes' names (`git remote`).
    pub(crate) fn remote_names(&self) -> io::Result<Vec<String>> {
        let out = self.git_local(&["remote"])?;
        Ok(String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim().to_string()).collect())
    }

    /// Whether `remote` is configured (`git remote get-url` succeeds).
    pub(crate) fn has_remote(&self, remote: &str) -> io::Result<bool> {
        Ok(self.git_local(&["remote", "get-url", remote])?.status.success())
    }
}

/// What git said on stderr, escaped, on one line.
fn stderr_text(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    one_line(&escape(&lines.join("; ")))
}
