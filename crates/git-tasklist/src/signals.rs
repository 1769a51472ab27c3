//! The front end of signal handling: SIGINT, SIGTERM and SIGHUP are caught
//! on a thread of their own and handed to the library's
//! [`interrupt`](git_tasklist_core::interrupt), which lets a write or a call
//! in flight finish before the process dies by the signal (see there).

#[cfg(unix)]
use std::sync::OnceLock;

#[cfg(unix)]
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

#[cfg(unix)]
use git_tasklist_core::interrupt;

/// The signals that end the process only between writes.
#[cfg(unix)]
const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Makes SIGINT, SIGTERM and SIGHUP wait for the library's open holds (see
/// [`interrupt`]). Call once, early; later calls do nothing. A signal the
/// process was started with ignored (`nohup`) stays ignored.
#[cfg(unix)]
pub fn install() -> std::io::Result<()> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    interrupt::set_exit(die_by);
    let wanted: Vec<i32> = SIGNALS.into_iter().filter(|s| !ignored(*s)).collect();
    let mut signals = signal_hook::iterator::Signals::new(&wanted)?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for sig in signals.forever() {
            interrupt::arrived(sig);
        }
    })?;
    let _ = INSTALLED.set(());
    Ok(())
}

/// Where there are no such signals (Windows' Ctrl-C ends the process as
/// before): nothing to install.
#[cfg(not(unix))]
pub fn install() -> std::io::Result<()> {
    Ok(())
}

/// Ends the process by `sig`, as if no handler had been installed.
#[cfg(unix)]
fn die_by(sig: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    std::process::exit(128 + sig)
}

/// Whether `sig` was ignored when the process started (as `nohup` does
/// for SIGHUP), read from `/proc/self/status`; false where that is absent.
#[cfg(unix)]
fn ignored(sig: i32) -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return false };
    let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).map(str::trim);
    let mask = mask.and_then(|m| u64::from_str_radix(m, 16).ok()).unwrap_or(0);
    (1..=64).contains(&sig) && mask & (1 << (sig - 1)) != 0
}
