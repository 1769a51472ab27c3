//! The reftable ref backend, which gix cannot read or write: refs go
//! through git's own plumbing while objects stay with gix (the object
//! database is the same). A compare-and-swap is one `git update-ref --stdin`
//! transaction (`start`, `update <ref> <new> <old>`, `prepare`, `commit`);
//! reading and listing refs is `ls-refs` asked of `git upload-pack`
//! (protocol v2, which serves one request after another and names a
//! symbolic ref's target). Both helpers stay open for the life of the
//! store, so a command starts at most two git processes and a long-running
//! process (the MCP server, the board, `watch`) starts each once, not once
//! a call; a helper that died (a transaction git refused ends the process)
//! is started again on next use.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::types::{CasFailure, Listed, RefTarget, commit_by_header};
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
    /// `git upload-pack` (protocol v2): lists refs, with symbolic refs'
    /// targets, one `ls-refs` request after another.
    lister: Mutex<Option<Helper>>,
    /// `git update-ref --stdin`: one transaction after another, with the
    /// reflog message it was started with (see [`Reftable::cas`]).
    update: Mutex<Option<(Helper, String)>>,
    /// Held by a write of this process from reading the tip to moving the
    /// ref (see [`Reftable::serialize`]).
    writing: Mutex<()>,
}

/// A git process fed on stdin and read line by line.
struct Helper {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Helper {
    fn start(mut cmd: Command) -> std::io::Result<Helper> {
        let mut child =
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(std::io::Error::other("git started without pipes"));
        };
        Ok(Helper { child, stdin: Some(stdin), stdout: BufReader::new(stdout) })
    }

    /// Sends a pkt-line `request` and reads the answer's lines up to the
    /// flush packet that ends it.
    fn request(&mut self, request: &[u8]) -> std::io::Result<Vec<String>> {
        let stdin = self.stdin.as_mut().ok_or_else(|| std::io::Error::other("closed"))?;
        stdin.write_all(request)?;
        stdin.flush()?;
        self.read_until_flush()
    }

    /// The pkt-lines up to the next flush packet, without their newlines.
    fn read_until_flush(&mut self) -> std::io::Result<Vec<String>> {
        let mut lines = Vec::new();
        loop {
            let mut len = [0u8; 4];
            self.stdout.read_exact(&mut len)?;
            let len = std::str::from_utf8(&len)
                .ok()
                .and_then(|l| usize::from_str_radix(l, 16).ok())
                .ok_or_else(|| std::io::Error::other("git sent a bad pkt-line"))?;
            match len {
                0 => return Ok(lines),
                1..=3 => continue,
                _ => {
                    let mut data = vec![0u8; len - 4];
                    self.stdout.read_exact(&mut data)?;
                    let line = String::from_utf8_lossy(&data);
                    lines.push(line.trim_end_matches('\n').to_string());
                }
            }
        }
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
            lister: Mutex::new(None),
            update: Mutex::new(None),
            writing: Mutex::new(()),
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
        let refs = self.ls_refs(repo, prefix).map_err(|e| failed("reading refs", e))?;
        Ok(refs
            .into_iter()
            .filter(|r| r.name.starts_with(prefix))
            .map(|r| Listed {
                tip: peel_tags(repo, &r.hex),
                symbolic: r.symref.is_some(),
                name: r.name,
            })
            .collect())
    }

    /// What ref `name` points at, without peeling it.
    pub(super) fn find(
        &self,
        repo: &gix::Repository,
        name: &str,
    ) -> StoreResult<Option<RefTarget>> {
        let Some(found) = self.one(repo, name)? else { return Ok(None) };
        Ok(Some(match found.symref {
            Some(to) => RefTarget::Symbolic(to),
            None => RefTarget::Object(
                ObjectId::from_hex(found.hex.as_bytes()).map_err(|e| failed("reading a ref", e))?,
            ),
        }))
    }

    /// Ref `name` peeled through symbolic refs and tags (`None`: no such
    /// ref); a ref pointing straight at an object `known` to be a commit is
    /// not peeled.
    pub(super) fn peel(
        &self,
        repo: &gix::Repository,
        name: &str,
        known: &dyn Fn(&gix::oid) -> bool,
    ) -> StoreResult<Option<Result<ObjectId, BoxError>>> {
        let Some(found) = self.one(repo, name)? else { return Ok(None) };
        match ObjectId::from_hex(found.hex.as_bytes()) {
            Ok(oid) if found.symref.is_none() && known(&oid) => Ok(Some(Ok(oid))),
            _ => Ok(Some(peel_tags(repo, &found.hex))),
        }
    }

    /// Ref `name` as the lister sees it (`None`: no such ref).
    fn one(&self, repo: &gix::Repository, name: &str) -> StoreResult<Option<LsRef>> {
        let refs = self.ls_refs(repo, name).map_err(|e| failed("reading a ref", e))?;
        Ok(refs.into_iter().find(|r| r.name == name))
    }

    /// The refs whose names start with `prefix`, asked of the long-lived
    /// lister (`git upload-pack` speaking protocol v2 to us: its `ls-refs`
    /// command names each ref's object and, for a symbolic ref, its target;
    /// one process answers any number of requests).
    fn ls_refs(&self, repo: &gix::Repository, prefix: &str) -> std::io::Result<Vec<LsRef>> {
        let format = match repo.object_hash() {
            gix::hash::Kind::Sha1 => "sha1",
            _ => "sha256",
        };
        let mut request = Vec::new();
        for line in ["command=ls-refs\n", &format!("object-format={format}\n")] {
            pkt_line(&mut request, line);
        }
        request.extend_from_slice(b"0001");
        for line in ["symrefs\n", &format!("ref-prefix {prefix}\n")] {
            pkt_line(&mut request, line);
        }
        request.extend_from_slice(b"0000");
        let mut guard =
            self.lister.lock().map_err(|_| std::io::Error::other("helper lock poisoned"))?;
        for attempt in 0..2 {
            if guard.is_none() {
                *guard = Some(self.spawn_lister()?);
            }
            let Some(helper) = guard.as_mut() else { continue };
            match helper.request(&request) {
                Ok(lines) => return Ok(lines.iter().filter_map(|l| LsRef::parse(l)).collect()),
                Err(e) => {
                    // Why git stopped, when it says so.
                    let why = guard.take().map(Helper::finish).unwrap_or_default();
                    if attempt == 1 {
                        let why = one_line(why.trim());
                        return Err(if why.is_empty() { e } else { std::io::Error::other(why) });
                    }
                }
            }
        }
        Err(std::io::Error::other("git upload-pack failed"))
    }

    /// Starts the lister and reads past its greeting (the capabilities).
    fn spawn_lister(&self) -> std::io::Result<Helper> {
        // Refs are listed whatever the repository hides from fetchers: the
        // last `hideRefs` entry that matches wins, and `!refs` matches all.
        let mut cmd = Command::new("git");
        cmd.args(["-c", "transfer.hideRefs=!refs", "upload-pack"])
            .arg(&self.git_dir)
            .env("GIT_PROTOCOL", "version=2")
            .env_remove("GIT_NAMESPACE");
        let mut helper = Helper::start(cmd)?;
        helper.read_until_flush()?;
        Ok(helper)
    }

    /// Serializes this process's writes: git ends `update-ref --stdin` on
    /// a refused transaction, so writers of one process (the MCP server's
    /// concurrent calls) that lost races to each other would each cost a
    /// new helper; one table lock serializes every reftable write anyway.
    pub(super) fn serialize(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        // A writer that panicked left nothing half-done behind this lock.
        Some(self.writing.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Names of the refs directly under `dir` (ending in `/`) that start
    /// with `dir` + `prefix` and are list ids.
    pub(super) fn ids_with_prefix(
        &self,
        repo: &gix::Repository,
        dir: &str,
        prefix: &str,
    ) -> StoreResult<std::collections::BTreeSet<String>> {
        let refs =
            self.ls_refs(repo, &format!("{dir}{prefix}")).map_err(|e| failed("reading refs", e))?;
        Ok(refs
            .iter()
            .filter_map(|r| r.name.strip_prefix(dir))
            .filter(|id| id.starts_with(prefix) && is_uuid(id))
            .map(String::from)
            .collect())
    }

    /// The compare-and-swap of ref `name` as one `update-ref --stdin`
    /// transaction: point it at `new` if it points at `expected` (`None`:
    /// if it does not exist). A refusal maps to the same outcomes as the
    /// files backend's: lost race, ref gone, lock busy.
    ///
    /// The reflog message is `tasklist: <why>` by `committer`, as gix
    /// writes it with files; but git 2.47 takes one message per
    /// `update-ref` process (`-m`), none per transaction, so a kept-open
    /// helper writes the message of the write that started it. Where git
    /// logs every ref (`core.logAllRefUpdates = always`) a write with
    /// another message starts a new helper; elsewhere list refs have no
    /// reflog unless one was made by hand, and the helper is kept.
    pub(super) fn cas(
        &self,
        repo: &gix::Repository,
        name: &str,
        (new, expected): (ObjectId, Option<ObjectId>),
        why: &str,
        committer: &gix::actor::Signature,
    ) -> Result<(), CasFailure> {
        let log_all = repo
            .config_snapshot()
            .string("core.logAllRefUpdates")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"always"));
        let write = Swap { name, new, expected, message: format!("tasklist: {why}"), log_all };
        // git 2.47 gives up at once when another writer holds the table
        // list's lock (later gits wait `reftable.lockTimeout`, 100 ms): wait
        // here as they do, so a busy lock costs a wait, not an attempt.
        let started = std::time::Instant::now();
        let mut pause = 1u64;
        // Writers that met on the lock must not retry in step.
        let mut seed = u64::from(std::process::id()) | 1;
        loop {
            match self.cas_once(&write, committer) {
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

    fn cas_once(&self, w: &Swap<'_>, committer: &gix::actor::Signature) -> Result<(), CasFailure> {
        let old = w.expected.unwrap_or_else(|| ObjectId::null(w.new.kind()));
        let input = format!("start\nupdate {} {} {old}\nprepare\ncommit\n", w.name, w.new);
        let context = format!("updating {}", w.name);
        let mut guard = self
            .update
            .lock()
            .map_err(|_| CasFailure::Failed(failed(&context, "helper lock poisoned")))?;
        if w.log_all && guard.as_ref().is_some_and(|(_, m)| *m != w.message) {
            *guard = None;
        }
        for attempt in 0..2 {
            if guard.is_none() {
                let mut cmd = git(&self.git_dir);
                cmd.args(["update-ref", "-m", &w.message, "--no-deref", "--stdin"])
                    .env("GIT_COMMITTER_NAME", committer.name.to_str_lossy().as_ref())
                    .env("GIT_COMMITTER_EMAIL", committer.email.to_str_lossy().as_ref());
                let helper =
                    Helper::start(cmd).map_err(|e| CasFailure::Failed(failed(&context, e)))?;
                *guard = Some((helper, w.message.clone()));
            }
            let Some((helper, _)) = guard.as_mut() else { continue };
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
            let stderr = guard.take().map(|(h, _)| h.finish()).unwrap_or_default();
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

/// The object `hex` names, peeled through annotated tags (a commit is
/// told from its header, without reading it).
fn peel_tags(repo: &gix::Repository, hex: &str) -> Result<ObjectId, BoxError> {
    let oid = ObjectId::from_hex(hex.trim().as_bytes())?;
    if let Some(commit) = commit_by_header(repo, &oid) {
        return Ok(commit);
    }
    let object = repo.find_object(oid)?;
    Ok(object.peel_tags_to_end()?.id)
}

/// One compare-and-swap, as [`Reftable::cas`] was asked for it.
struct Swap<'a> {
    name: &'a str,
    new: ObjectId,
    expected: Option<ObjectId>,
    /// The reflog message.
    message: String,
    /// Whether git writes a reflog for every ref.
    log_all: bool,
}

/// One ref as `ls-refs` names it.
struct LsRef {
    name: String,
    /// The object it points at (through a symbolic ref: the target's).
    hex: String,
    /// The ref a symbolic ref points at.
    symref: Option<String>,
}

impl LsRef {
    /// `<oid> <name>[ symref-target:<ref>]`.
    fn parse(line: &str) -> Option<LsRef> {
        let mut parts = line.split(' ');
        let (hex, name) = (parts.next()?, parts.next()?);
        let symref = parts.find_map(|p| p.strip_prefix("symref-target:")).map(String::from);
        Some(LsRef { name: name.to_string(), hex: hex.to_string(), symref })
    }
}

/// Appends `line` to `out` as one pkt-line (its length in four hex digits,
/// the four included, then the data).
fn pkt_line(out: &mut Vec<u8>, line: &str) {
    out.extend_from_slice(format!("{:04x}", line.len() + 4).as_bytes());
    out.extend_from_slice(line.as_bytes());
}
