//! Signals and writes: a front end that handles SIGINT, SIGTERM and SIGHUP
//! (the binary's `signals` module) passes each one to [`arrived`]; the
//! process then ends as it would have (it dies by that signal, so a shell
//! sees 128 + n), but never in the middle of a write, so no ref lock
//! (`<ref>.lock`, `packed-refs.lock`) and no temporary object file is left
//! behind.
//!
//! A `LockFile` (the sync lock) is removed on the way out.
//!
//! The library itself never touches signal handling: nothing happens until
//! a front end calls [`arrived`]. A signal that arrives while a [`Hold`] is
//! open (the store opens one around each write; the MCP server around each
//! call) waits until the last hold closes, and the process then dies by it
//! (through the function given to [`set_exit`]); a signal that arrives with
//! no hold open ends the process at once. The `git` processes that
//! `output` runs (fetch, push) are told of the signal too, so that they
//! remove their own locks, and waited for.
//!
//! Why not gix's own handler (`gix::interrupt`, gix-tempfile's `signals`):
//! it deletes the lock files from inside the signal handler while the write
//! goes on, skips the deletion when the registry is busy at that instant,
//! covers neither SIGHUP nor our temporary object files nor a `git` child,
//! cannot let a call in flight finish, and installing it needs `unsafe`,
//! which this crate forbids. Deferring the signal makes a write either land
//! whole or never start. (git itself, stopped by a signal while it updates
//! refs, now and then leaves a ref lock: `output` lets its caller tidy up.)

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

#[cfg(unix)]
use rustix::process::Signal;

/// How long a `git` process that ran out of time gets to remove its locks
/// after SIGTERM before it is killed outright.
const GRACE: Duration = Duration::from_secs(2);

/// What the signal thread and the writers share.
struct State {
    /// Holds open now.
    holds: usize,
    /// The first signal that arrived, once one did.
    pending: Option<i32>,
    /// `git` processes started by [`output`] and not yet finished.
    children: Vec<u32>,
    /// Files to remove when a signal ends the process ([`LockFile`]).
    files: Vec<PathBuf>,
}

static STATE: Mutex<State> =
    Mutex::new(State { holds: 0, pending: None, children: Vec::new(), files: Vec::new() });

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How the process ends by a signal once nothing holds it (see [`set_exit`]).
static EXIT: OnceLock<fn(i32) -> !> = OnceLock::new();

/// Sets how the process ends by a signal once no [`Hold`] is open: the
/// front end's way to die by it as if no handler had been installed. Only
/// the first call counts. Without one, the process exits with 128 + the
/// signal's number.
pub fn set_exit(exit: fn(i32) -> !) {
    let _ = EXIT.set(exit);
}

/// A signal arrived (the front end that handles signals says so): pass it
/// on to the `git` processes, and end the process now unless a write or one
/// of those is still under way.
pub fn arrived(sig: i32) {
    let mut st = state();
    st.pending.get_or_insert(sig);
    for &pid in &st.children {
        forward(pid, sig);
    }
    if st.holds == 0 && st.children.is_empty() {
        die(&st, sig);
    }
}

/// Ends the process by `sig`, as if no handler had been installed, once
/// the [`LockFile`]s it holds are removed.
fn die(st: &State, sig: i32) -> ! {
    for file in &st.files {
        let _ = std::fs::remove_file(file);
    }
    match EXIT.get() {
        Some(exit) => exit(sig),
        None => std::process::exit(128 + sig),
    }
}

/// Ends the process if a signal waits and nothing holds it any more.
fn settle(st: &State) {
    if let (Some(sig), 0, true) = (st.pending, st.holds, st.children.is_empty()) {
        die(st, sig);
    }
}

/// Passes `sig` on to process `pid` (as SIGINT, SIGHUP or SIGTERM).
#[cfg(unix)]
fn forward(pid: u32, sig: i32) {
    use rustix::process::{Pid, kill_process};
    let signal = match Signal::from_named_raw(sig) {
        Some(s) if s == Signal::INT || s == Signal::HUP => s,
        _ => Signal::TERM,
    };
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = kill_process(pid, signal);
    }
}

/// Where there are no signals to pass on, the process is killed at its time
/// limit instead (see [`output`]).
#[cfg(not(unix))]
fn forward(_pid: u32, _sig: i32) {}

/// The signal that asks a process to end (SIGTERM).
#[cfg(unix)]
const TERM: i32 = Signal::TERM.as_raw();
/// Unused where there are no signals ([`forward`] does nothing there).
#[cfg(not(unix))]
const TERM: i32 = 15;

/// While it lives, SIGINT, SIGTERM and SIGHUP wait (see [`arrived`]); when
/// the last one drops and a signal came meanwhile, the process dies by it.
/// Holds nest. A writer opens one around each write; a server opens one
/// around each call so that a call in flight finishes before it exits.
#[must_use = "a hold lasts as long as the value"]
pub struct Hold(());

/// Opens a [`Hold`]. When a signal already waits and nothing else holds
/// it, the process dies by it here, before anything is written; inside
/// another hold (a write within a server's call) it goes on.
pub fn hold() -> Hold {
    let mut st = state();
    if let (Some(sig), 0) = (st.pending, st.holds) {
        die(&st, sig);
    }
    st.holds += 1;
    Hold(())
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut st = state();
        st.holds = st.holds.saturating_sub(1);
        settle(&st);
    }
}

/// A lock file this process created (`create_new`): removed when dropped,
/// and when a signal ends the process.
#[derive(Debug)]
pub(crate) struct LockFile {
    path: PathBuf,
}

impl LockFile {
    /// Creates `path`, which must not exist yet (`AlreadyExists` when it does).
    pub fn create(path: &Path) -> std::io::Result<LockFile> {
        let _hold = hold();
        std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
        state().files.push(path.to_path_buf());
        Ok(LockFile { path: path.to_path_buf() })
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _hold = hold();
        let _ = std::fs::remove_file(&self.path);
        state().files.retain(|f| *f != self.path);
    }
}

/// How a process run by [`output`] ended.
#[derive(Debug)]
pub(crate) enum Finished {
    /// It exited (or died by a signal) by itself.
    Exited(Output),
    /// It ran out of time and was stopped: SIGTERM, then SIGKILL after a
    /// grace period.
    TimedOut,
}

/// Runs `cmd` (stdin from `/dev/null`, stdout and stderr captured) for at
/// most `limit`. A signal for this process is passed on to it, and the
/// process dies by that signal once `cmd` has ended. When `cmd` was ended
/// by a signal (passed on, or at the time limit), `tidy` runs before
/// anything else (a pending signal waits for it): git does not always
/// remove its lock files then.
pub(crate) fn output(
    cmd: &mut Command,
    limit: Option<Duration>,
    tidy: &dyn Fn(),
) -> std::io::Result<Finished> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = {
        // Spawned and registered under the lock: a signal cannot slip in
        // between and miss the child.
        let mut st = state();
        if let Some(sig) = st.pending {
            die(&st, sig);
        }
        let child = cmd.spawn()?;
        st.children.push(child.id());
        child
    };
    let pid = child.id();
    let readers = [child.stdout.take().map(drain), child.stderr.take().map(drain)];
    let timed_out = match wait_for(&child, limit) {
        Some(()) => false,
        None => {
            forward(pid, TERM);
            if wait_for(&child, Some(GRACE)).is_none() {
                let _ = child.kill();
            }
            // Whatever happens to it now, it ends.
            let _ = wait_for(&child, None);
            true
        }
    };
    // It has exited but is not reaped yet, so its pid cannot have been
    // reused by another process while it was still listed. Until `tidy`
    // has run, a signal waits as for a write.
    let status = {
        let mut st = state();
        st.children.retain(|&p| p != pid);
        st.holds += 1;
        child.wait()
    };
    let hold = Hold(());
    #[cfg(unix)]
    let by_signal = status.as_ref().is_ok_and(|s| {
        use std::os::unix::process::ExitStatusExt;
        s.signal().is_some()
    });
    #[cfg(not(unix))]
    let by_signal = false;
    if timed_out || by_signal {
        tidy();
    }
    drop(hold);
    let status = status?;
    let [stdout, stderr] = readers.map(|r| r.and_then(|r| r.join().ok()).unwrap_or_default());
    if timed_out {
        return Ok(Finished::TimedOut);
    }
    Ok(Finished::Exited(Output { status, stdout, stderr }))
}

/// Reads a pipe to its end on a thread of its own.
fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Waits until `child` has exited, without reaping it, for at most `limit`
/// (`None`: as long as it takes). `None` when the time ran out.
#[cfg(unix)]
fn wait_for(child: &Child, limit: Option<Duration>) -> Option<()> {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let pid = Pid::from_child(child);
    let waiting = move || loop {
        match waitid(WaitId::Pid(pid), WaitIdOptions::EXITED | WaitIdOptions::NOWAIT) {
            Err(rustix::io::Errno::INTR) => continue,
            _ => return,
        }
    };
    let Some(limit) = limit else {
        waiting();
        return Some(());
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        waiting();
        let _ = tx.send(());
    });
    rx.recv_timeout(limit).ok()
}

/// Where a child cannot be waited for without reaping it: no time limit
/// (the caller's `wait` then waits as long as it takes).
#[cfg(not(unix))]
fn wait_for(_child: &Child, _limit: Option<Duration>) -> Option<()> {
    Some(())
}
