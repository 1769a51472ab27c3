//! `watch`: the board in a terminal — `show` of one list or `list` of all,
//! redrawn whenever a list ref moves, until `q` or Ctrl-C.

use std::io::{IsTerminal, Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use clap::Args;
use crossterm::{cursor, execute, terminal};

use super::app::App;
use super::error::{CliError, CliResult, Kind};
use super::list;
use super::show;
use git_tasklist_core::Poller;
use git_tasklist_core::view::{ListView, ListsView};

/// How often the ref tips are compared (and the terminal size checked).
const POLL: Duration = Duration::from_millis(200);

/// Watch one list (or all of them) live in the terminal; q or Ctrl-C quits
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The list (default: -l / TASKLIST_ID; without one, every list)
    #[arg(value_name = "LIST")]
    which: Option<String>,
    /// With every list: include archived ones
    #[arg(long, short = 'a')]
    all: bool,
}

/// Puts the terminal back however `watch` ends: raw mode off, main screen,
/// cursor shown, line wrap on.
struct Screen;

impl Screen {
    fn enter() -> CliResult<Screen> {
        terminal::enable_raw_mode().map_err(|e| {
            CliError::new(Kind::Error, format!("Cannot put the terminal in raw mode: {e}"))
        })?;
        let screen = Screen;
        execute!(
            std::io::stdout(),
            terminal::EnterAlternateScreen,
            terminal::DisableLineWrap,
            cursor::Hide
        )?;
        Ok(screen)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = execute!(
            std::io::stdout(),
            terminal::EnableLineWrap,
            cursor::Show,
            terminal::LeaveAlternateScreen
        );
        let _ = terminal::disable_raw_mode();
    }
}

/// Runs `watch`.
pub fn run(app: &mut App, args: WatchArgs) -> CliResult {
    if app.json {
        return Err(CliError::new(Kind::Usage, "Watch has no --json output").hint(format!(
            "`{}` serves /api/lists and /events for programs",
            app.command("serve")
        )));
    }
    // A list named once is followed by its id, whatever its title becomes.
    let list = match app.list_given(args.which.as_deref())? {
        Some(q) => Some(app.tl.resolve(&q)?),
        None => None,
    };
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(CliError::new(Kind::Usage, "Watch needs a terminal").hint(match &list {
            Some(id) => format!(
                "run it in a terminal; `{}` prints the list once",
                app.command(&format!("show {id}"))
            ),
            None => {
                format!("run it in a terminal; `{}` prints the lists once", app.command("list"))
            }
        }));
    }
    let (keys_tx, keys) = mpsc::channel();
    #[cfg(unix)]
    let keys_tx_signal = keys_tx.clone();
    // Keys arrive on a thread of their own; it ends with the process.
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdin.read(&mut byte) {
            // q, Q, Ctrl-C (raw mode turns it into a byte), Ctrl-D.
            if matches!(byte[0], b'q' | b'Q' | 0x03 | 0x04) && keys_tx.send(()).is_err() {
                return;
            }
        }
    });
    #[cfg(unix)]
    on_termination(keys_tx_signal);
    let _screen = Screen::enter()?;
    // The library's poller, the one the board uses: a redraw when a ref
    // moved (refs that cannot be read keep the screen) or the terminal
    // changed size.
    let mut poller = Poller::new();
    let mut last_size = None;
    loop {
        let moved = poller.changed(&app.tl).unwrap_or(false);
        let size = terminal::size().unwrap_or((80, 24));
        if moved || last_size != Some(size) {
            let frame = frame(app, list.as_deref(), args.all, size);
            let mut out = std::io::stdout().lock();
            out.write_all(frame.as_bytes())?;
            out.flush()?;
            last_size = Some(size);
        }
        match keys.recv_timeout(POLL) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    Ok(())
}

/// Sends on `quit` when the process gets SIGTERM or SIGHUP, so that `watch`
/// ends as on `q` and gives the terminal back (raw mode would otherwise
/// outlive a `kill`).
#[cfg(unix)]
fn on_termination(quit: mpsc::Sender<()>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_io().build() else {
        return;
    };
    // Registered here, before the terminal changes mode; awaited on a thread.
    let signals = {
        let _runtime = rt.enter();
        (signal(SignalKind::terminate()), signal(SignalKind::hangup()))
    };
    let (Ok(mut term), Ok(mut hup)) = signals else { return };
    std::thread::spawn(move || {
        rt.block_on(async {
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
        });
        let _ = quit.send(());
    });
}

/// One screenful: home, the text of `show` or `list` cut to the terminal's
/// height, each line cleared to its end, then a status line.
fn frame(app: &App, list: Option<&str>, all: bool, (_, rows): (u16, u16)) -> String {
    let mut text = Vec::new();
    let drawn = match list {
        Some(id) => draw_show(app, id, &mut text),
        None => draw_list(app, all, &mut text),
    };
    if let Err(e) = drawn {
        text.clear();
        let _ = writeln!(text, "Error: {}", e.message);
    }
    let text = String::from_utf8_lossy(&text);
    let keep = usize::from(rows.max(2)) - 1;
    let mut out = String::from("\x1b[H");
    for line in text.lines().take(keep) {
        out.push_str(line);
        out.push_str("\x1b[K\r\n");
    }
    out.push_str("\x1b[J");
    let status = format!(
        "watching {} · {} · q quits",
        list.map(|id| format!("list {id}")).unwrap_or_else(|| "every list".into()),
        chrono::Local::now().format("%H:%M:%S")
    );
    let status = super::render::paint(app.color, super::render::Style::Dim, &status);
    out.push_str(&format!("\x1b[{rows};1H{status}"));
    out
}

fn draw_show(app: &App, id: &str, out: &mut Vec<u8>) -> CliResult {
    let snap = app.tl.show(id)?;
    let view = ListView::of(&snap, &app.tl.ref_name(&snap.list.id), app.session());
    let continued =
        super::render::continued_lines(&app.tl.continuations(&view.continued_in), app.color);
    show::write_text(out, &view, app.color, &show::no_tasks_line(app), &continued)
}

fn draw_list(app: &App, all: bool, out: &mut Vec<u8>) -> CliResult {
    let entries = app.tl.list()?;
    let ns = app.tl.namespace();
    let view = ListsView::new(&entries, ns, all, app.session());
    let empty = if view.lists.is_empty() {
        list::empty_line(app, view.archived_hidden)
    } else {
        String::new()
    };
    list::write_text(out, &view, app.color, &empty)?;
    for u in &view.unreadable {
        writeln!(out, "warning: {}", u.error)?;
    }
    Ok(())
}
