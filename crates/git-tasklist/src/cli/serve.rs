//! `serve`: the board, a local read-only web view of the lists (see [`crate::board`]).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Args;

use super::error::{CliError, CliResult, Kind};
use git_tasklist_core::Tasklists;

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7717;

/// Serve a live, read-only board of the lists in the browser (127.0.0.1 only unless --bind)
///
/// Prints the URL as its first line, then serves until interrupted. Pages update
/// as any process (CLI, MCP server, sync) writes a list. Only requests whose Host is
/// this address or localhost are answered; nothing is ever written.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, short = 'p', default_value_t = DEFAULT_PORT, value_name = "P")]
    port: u16,
    /// Address to listen on; anything but loopback lets others on the network read every list
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Open the board in the default browser
    #[arg(long)]
    open: bool,
}

/// Runs `serve` over `tl` until the process is interrupted; the URL goes to `out`.
pub fn run(tl: Tasklists, json: bool, out: &mut dyn Write, args: ServeArgs) -> CliResult {
    if json {
        return Err(CliError::new(Kind::Usage, "The board has no --json output")
            .hint("run `git tasklist serve` without --json; /api/lists serves the JSON"));
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: serving on {}: anyone who can reach this address can read every task list",
            args.bind
        );
    }
    let listener =
        std::net::TcpListener::bind(SocketAddr::new(args.bind, args.port)).map_err(|e| {
            CliError::new(Kind::Error, format!("Cannot listen on {}:{}: {e}", args.bind, args.port))
                .hint("pass --port 0 to pick a free port")
        })?;
    let mut printed: std::io::Result<()> = Ok(());
    let open = args.open;
    crate::board::serve(tl, listener, |addr| {
        let url = format!("http://{addr}/");
        printed = writeln!(out, "Serving the board on {url}").and_then(|()| out.flush());
        if open {
            open_browser(&url);
        }
    })
    .map_err(|e| CliError::new(Kind::Error, e))?;
    printed.map_err(CliError::from)
}

/// Opens `url` in the desktop's browser; a failure is only a warning.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("warning: cannot open a browser ({opener}: {e}); open {url}");
    }
}
