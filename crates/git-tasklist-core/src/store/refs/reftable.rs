//! The reftable ref backend, which gix cannot read or write: refs go
//! through git's own plumbing while objects stay with gix (the object
//! database is the same). A compare-and-swap is one `git update-ref --stdin`
//! transaction (`start`, `update <ref> <new> <old>`, `prepare`, `commit`);
//! listing is `git for-each-ref`. The update and lookup helpers
//! (`update-ref --stdin`, `cat-file --batch-check`) stay open for the life
//! of the store, so a long-running process (the MCP server, the board,
//! `watch`) starts each once, not once a call; a helper that died (a
//! transaction git refused ends the process) is started again on next use.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use gix::ObjectId;

use super::types::{CasFailure, Listed, RefTarget};
use crate::domain::model::is_uuid;
use crate::store::error::{StoreError, StoreResult};
use crate::store::types::BoxError;
use crate::util::text::one_line;

/// How long a write waits for another writer's lock on the table list
/// before it reports the lock busy.
const LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(250);

/// The git helper processes of a reftable repository.
pub(crate) struct Reftable {
    git_dir: PathBuf,
    /// `git cat-file --batch-check`: ref name in, object id out.
    lookup: Mutex<Option<Helper>>,
    /// `git update-ref --stdin`: one transaction after another.
    update: Mutex<Option<Helper>>,
}

/// A git process fed on stdin and read line by line.
struct Helper {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Helper {
    fn spawn(git_dir: &Path, args: &[&str]) -> std::io::Result<Helper> {
        let mut child = git(git_dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(std::io::Error::other("git started without pipes"));
        };
        Ok(Helper { child, stdin: Some(stdin), stdout: BufReader::new(stdout) })
    }

    /// Sends `input` and reads one line back per expected answer.
    fn ask(&mut self, input: &str, answers: usize) -> std::io::Result<Vec<String>> {
        let stdin = self.stdin.as_mut().ok_or_else(|| std::io::Error::other("closed"))?;
        stdin.write_all(input.as_bytes())?;
        stdin.flush()?;
        let mut out = Vec::with_capacity(answers);
        for _ in 0..answers {
            let mut line = String::new();
            if self.stdout.read_line(&mut line)? == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "git exited"));
            }
            out.push(line.trim_end_matches('\n').to_string());
        }
        Ok(out)
    }

    /// What the process wrote to stderr, once it has exited.
    fn finish(mut self) -> String {
        drop(self.stdin.take());
        let mut text = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut text);
        }
        let _ = self.child.wait();
        text
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        // EOF ends either helper (no transaction is ever left open).
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// `git` run on `git_dir`, whatever the environment says.
fn git(git_dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir").arg(git_dir);
    cmd
}

fn failed(context: &str, e: impl Into<BoxError>) -> StoreError {
    StoreError::Git { context: context.to_string(), source: e.into() }
}

impl Reftable {
    /// The backend of the repository at `git_dir` (a worktree's own git
    /// dir: refs shared between worktrees are git's business).
    pub(crate) fn new(git_dir: &Path) -> Reftable {
        Reftable {
            git_dir: git_dir.to_path_buf(),
            lookup: Mutex::new(None),
            update: Mutex::new(None),
        }
    }

    /// Runs a one-off git command and returns its stdout.
    fn run(&self, context: &str, args: &[&str]) -> StoreResult<Vec<u8>> {
        let out = git(&self.git_dir)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| failed(context, e))?;
        if !out.status.success() {
            let msg = String::from_utf8_lossy(&out.stderr);
            return Err(failed(context, one_line(msg.trim())));
        }
        Ok(out.stdout)
    }

    /// Every ref under directory `prefix` (ending in `/`), with its tip
    /// peeled through symbolic refs (by git) and tags (by gix).
    pub(super) fn list(&self, repo: &gix::Repository, prefix: &str) -> StoreResult<Vec<Listed>> {
        let out = self
            .run("reading refs", &["for-each-ref", "--format=%(refname) %(objectname)", prefix])?;
        let mut listed = Vec::new();
        for line in String::from_utf8_lossy(&out).lines() {
            let Some((name, hex)) = line.rsplit_once(' ') else { continue };
            if !name.starts_with(prefix) {
                continue;
            }
            listed.push(Listed { name: name.to_string(), tip: peel_tags(repo, hex) });
        }
        Ok(listed)
    }

    /// What ref `name` points at, without peeling it.
    pub(super) fn find(&self, name: &str) -> StoreResult<Option<RefTarget>> {
        let out = self.run(
            "reading a ref",
            &["for-each-ref", "--format=%(refname) %(objectname) %(symref)", name],
        )?;
        for line in String::from_utf8_lossy(&out).lines() {
            let mut parts = line.split(' ');
            let (Some(found), Some(hex)) = (parts.next(), parts.next()) else { continue };
            if found != name {
                continue;
            }
            let target = match parts.next().filter(|s| !s.is_empty()) {
                Some(to) => RefTarget::Symbolic(to.to_string()),
                None => RefTarget::Object(
                    ObjectId::from_hex(hex.as_bytes()).map_err(|e| failed("reading a ref", e))?,
                ),
            };
            return Ok(Some(target));
        }
        Ok(None)
    }

    /// Ref `name` peeled through symbolic refs and tags (`None`: no such
    /// ref), asked of the long-lived `cat-file --batch-check`.
    pub(super) fn peel(
        &self,
        repo: &gix::Repository,
        name: &str,
    ) -> StoreResult<Option<Result<ObjectId, BoxError>>> {
        let answer =
            self.with_helper(&self.lookup, &["cat-file", "--batch-check=%(objectname)"], |h| {
                h.ask(&format!("{name}\n"), 1)
            });
        let line = answer.map_err(|e| failed("reading a ref", e))?.pop().unwrap_or_default();
        if line.ends_with(" missing") || line.ends_with(" ambiguous") {
            // Missing: no ref, or a ref to an object that is not here,
            // which for-each-ref tells apart.
            return Ok(match self.find(name)? {
                None => None,
                Some(RefTarget::Symbolic(to)) => {
                    Some(Err(format!("symbolic ref to {to} cannot be resolved").into()))
                }
                Some(RefTarget::Object(oid)) => Some(peel_tags(repo, &oid.to_string())),
            });
        }
        Ok(Some(peel_tags(repo, &line)))
    }

    /// Runs `f` on the helper in `slot`, started when there is none; one
    /// that fails is dropped and `f` is tried once more on a fresh one
    /// (a helper may have exited since its last use).
    fn with_helper<T>(
        &self,
        slot: &Mutex<Option<Helper>>,
        args: &[&str],
        mut f: impl FnMut(&mut Helper) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        let mut guard = slot.lock().map_err(|_| std::io::Error::other("helper lock poisoned"))?;
        for attempt in 0..2 {
            if guard.is_none() {
                *guard = Some(Helper::spawn(&self.git_dir, args)?);
            }
            let Some(helper) = guard.as_mut() else { continue };
            match f(helper) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    *guard = None;
                    if attempt == 1 {
                        return Err(e);
                    }
                }
            }
        }
        Err(std::io::Error::other("git helper failed"))
    }

    /// Names of the refs directly under `dir` (ending in `/`) that start
    /// with `dir` + `prefix` and are list ids.
    pub(super) fn ids_with_prefix(
        &self,
        dir: &str,
        prefix: &str,
    ) -> StoreResult<std::collections::BTreeSet<String>> {
        let pattern = format!("{dir}{prefix}*");
        let out = self.run("reading refs", &["for-each-ref", "--format=%(refname)", &pattern])?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|name| name.strip_prefix(dir))
            .filter(|id| id.starts_with(prefix) && is_uuid(id))
            .map(String::from)
            .collect())
    }

    /// The compare-and-swap of ref `name` as one `update-ref --stdin`
    /// transaction: point it at `new` if it points at `expected` (`None`:
    /// if it does not exist). A refusal maps to the same outcomes as the
    /// files backend's: lost race, ref gone, lock busy.
    pub(super) fn cas(
        &self,
        name: &str,
        new: ObjectId,
        expected: Option<ObjectId>,
    ) -> Result<(), CasFailure> {
        // git 2.47 gives up at once when another writer holds the table
        // list's lock (later gits wait `reftable.lockTimeout`, 100 ms): wait
        // here as they do, so a busy lock costs a wait, not an attempt.
        let started = std::time::Instant::now();
        let mut pause = 1u64;
        // Writers that met on the lock must not retry in step.
        let mut seed = u64::from(std::process::id()) | 1;
        loop {
            match self.cas_once(name, new, expected) {
                Err(CasFailure::Busy) if started.elapsed() < LOCK_TIMEOUT => {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let micros = 250 + seed % (pause * 1000);
                    std::thread::sleep(std::time::Duration::from_micros(micros));
                    pause = (pause * 2).min(16);
                }
                done => return done,
            }
        }
    }

    fn cas_once(
        &self,
        name: &str,
        new: ObjectId,
        expected: Option<ObjectId>,
    ) -> Result<(), CasFailure> {
        let old = expected.unwrap_or_else(|| ObjectId::null(new.kind()));
        let input = format!("start\nupdate {name} {new} {old}\nprepare\ncommit\n");
        let context = format!("updating {name}");
        let mut guard = self
            .update
            .lock()
            .map_err(|_| CasFailure::Failed(failed(&context, "helper lock poisoned")))?;
        for attempt in 0..2 {
            if guard.is_none() {
                let helper = Helper::spawn(&self.git_dir, &["update-ref", "--no-deref", "--stdin"])
                    .map_err(|e| CasFailure::Failed(failed(&context, e)))?;
                *guard = Some(helper);
            }
            let Some(helper) = guard.as_mut() else { continue };
            // A helper that exited since its last use fails on the write:
            // nothing was sent, so a fresh one gets the whole transaction.
            let sent = helper.stdin.as_mut().map(|s| s.write_all(input.as_bytes()).and(s.flush()));
            if !matches!(sent, Some(Ok(()))) {
                *guard = None;
                if attempt == 0 {
                    continue;
                }
                return Err(CasFailure::Failed(failed(&context, "git update-ref exited")));
            }
            let mut answers = Vec::new();
            for _ in 0..3 {
                let mut line = String::new();
                match helper.stdout.read_line(&mut line) {
                    Ok(n) if n > 0 => answers.push(line.trim_end().to_string()),
                    _ => break,
                }
            }
            if answers == ["start: ok", "prepare: ok", "commit: ok"] {
                return Ok(());
            }
            // git refused the transaction and exited: its stderr says why.
            let stderr = guard.take().map(Helper::finish).unwrap_or_default();
            return Err(classify(&context, &stderr));
        }
        Err(CasFailure::Failed(failed(&context, "git update-ref exited")))
    }

    /// The branch HEAD names, in full (`None`: detached or unreadable).
    pub(super) fn head_name(&self) -> Option<String> {
        let out = self.run("reading HEAD", &["symbolic-ref", "-q", "HEAD"]).ok()?;
        let name = String::from_utf8(out).ok()?;
        Some(name.trim_end().to_string()).filter(|n| !n.is_empty())
    }
}

/// Maps git's refusal of a ref transaction to the outcome it stands for.
fn classify(context: &str, stderr: &str) -> CasFailure {
    let text = one_line(stderr.trim());
    if text.contains("but expected") || text.contains("reference already exists") {
        CasFailure::Conflict
    } else if text.contains("unable to resolve reference") || text.contains("reference is missing")
    {
        CasFailure::NotFound
    } else if text.contains("lock") {
        CasFailure::Busy
    } else {
        CasFailure::Failed(failed(
            context,
            if text.is_empty() { "git update-ref failed".into() } else { text },
        ))
    }
}

/// The object `hex` names, peeled through annotated tags.
fn peel_tags(repo: &gix::Repository, hex: &str) -> Result<ObjectId, BoxError> {
    let oid = ObjectId::from_hex(hex.trim().as_bytes())?;
    let object = repo.find_object(oid)?;
    Ok(object.peel_tags_to_end()?.id)
}
