//! Signals and writes: SIGINT, SIGTERM and SIGHUP end the process as they
//! would have (it dies by that signal, so a shell sees 128 + n), but never
//! in the middle of a write, so no ref lock (`<ref>.lock`,
//! `packed-refs.lock`) and no temporary object file is left behind.
//!
//! Nothing happens until a front end calls [`install`]; the library itself
//! never touches signal handling. After that, a signal that arrives while a
//! [`Hold`] is open (the store opens one around each write; the MCP server
//! around each call) waits until the last hold closes, and the process then
//! dies by it; a signal that arrives with no hold open ends the process at
//! once.
//!
//! Why not gix's own handler (`gix::interrupt`, gix-tempfile's `signals`):
//! it deletes the lock files from inside the signal handler while the write
//! goes on, skips the deletion when the registry is busy at that instant,
//! covers neither SIGHUP nor our temporary object files nor a `git` child,
//! cannot let a call in flight finish, and installing it needs `unsafe`,
//! which this crate forbids. Deferring the signal makes a write either land
//! whole or never start.

use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The signals that end the process only between writes.
const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// What the signal thread and the writers share.
struct State {
    /// Holds open now.
    holds: usize,
    /// The first signal that arrived, once one did.
    pending: Option<i32>,
    /// `git` processes this process waits for, told of a signal too.
    children: Vec<u32>,
}

static STATE: Mutex<State> = Mutex::new(State { holds: 0, pending: None, children: Vec::new() });

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes SIGINT, SIGTERM and SIGHUP wait for open [`Hold`]s (see the module
/// documentation). Call once, early; later calls do nothing. A signal the
/// process was started with ignored (`nohup`) stays ignored.
pub fn install() -> std::io::Result<()> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    let wanted: Vec<i32> = SIGNALS.into_iter().filter(|s| !ignored(*s)).collect();
    let mut signals = signal_hook::iterator::Signals::new(&wanted)?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for sig in signals.forever() {
            arrived(sig);
        }
    })?;
    let _ = INSTALLED.set(());
    Ok(())
}

/// Whether `sig` was ignored when the process started (as `nohup` does
/// for SIGHUP), read from `/proc/self/status`; false where that is absent.
fn ignored(sig: i32) -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return false };
    let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).map(str::trim);
    let mask = mask.and_then(|m| u64::from_str_radix(m, 16).ok()).unwrap_or(0);
    (1..=64).contains(&sig) && mask & (1 << (sig - 1)) != 0
}

/// A signal arrived: pass it on to the `git` processes, and end the
/// process now unless a write or one of those is still under way.
fn arrived(sig: i32) {
    let mut st = state();
    st.pending.get_or_insert(sig);
    for &pid in &st.children {
        forward(pid, sig);
    }
    if st.holds == 0 && st.children.is_empty() {
        die(sig);
    }
}

/// Ends the process by `sig`, as if no handler had been installed. Any
/// lock file still registered with gix (the sync lock) is removed first.
fn die(sig: i32) -> ! {
    gix::tempfile::registry::cleanup_tempfiles();
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    std::process::exit(128 + sig)
}

/// Ends the process if a signal waits and nothing holds it any more.
fn settle(st: &State) {
    if let (Some(sig), 0, true) = (st.pending, st.holds, st.children.is_empty()) {
        die(sig);
    }
}

fn forward(pid: u32, sig: i32) {
    use rustix::process::{Pid, Signal, kill_process};
    let signal = match sig {
        SIGINT => Signal::INT,
        SIGHUP => Signal::HUP,
        _ => Signal::TERM,
    };
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = kill_process(pid, signal);
    }
}

/// While it lives, SIGINT, SIGTERM and SIGHUP wait (see [`install`]); when
/// the last one drops and a signal came meanwhile, the process dies by it.
/// Holds nest. A writer opens one around each write; a server opens one
/// around each call so that a call in flight finishes before it exits.
#[must_use = "a hold lasts as long as the value"]
pub struct Hold(());

/// Opens a [`Hold`]. When a signal already waits, the process dies by it
/// here, before anything is written.
pub fn hold() -> Hold {
    let mut st = state();
    if let Some(sig) = st.pending {
        die(sig);
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
