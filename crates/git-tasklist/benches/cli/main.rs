//! `cargo bench --bench cli`: the performance targets of issue 2 ("Numbers"),
//! measured on the release binary as separate processes in real temporary git
//! repositories.
//!
//! | scenario | measures | target |
//! |---|---|---|
//! | `update` (a) | `update TASK --status S` vs `bench/plumbing-update.sh`, interleaved | ours ≥ 4× faster |
//! | `history` (b) | `show` / `update` on a list with 100,000 commits among 1,000 lists vs a fresh list | ≤ 1.5× |
//! | `list` (c) | `list` over 1,000 lists vs `git for-each-ref \| git cat-file --batch` | ≤ 3× |
//! | `concurrent` (d) | 8 processes × 30 `update --note` on one list | 240/240 land, 0 refused |
//! | `hostile` (h) | `show` of chains of 4k … 60k tasks each depending on the next; `list` of 1,000 lists plus the 60k chain | 32k ≤ 0.2 s, 60k ≤ 0.5 s, list ≤ 1 s |
//! | `sync` (j) | `sync` with nothing to do vs its `git fetch` alone, at 1,000 and 10,000 lists (≤ 2×) and 100,000 (≤ 1.5×); 100 changed lists (one push); 100 diverged lists (merged in one process); the first sync pushing 10,000 and 100,000 lists to an empty remote (wall and CPU), beside git's own push of the 100,000 alone | one fetch, no push; cost per list grows ≤ 1.5× |
//! | `mcp` (k) | 1,000 `TaskUpdate` calls over one MCP connection vs 1,000 `update` processes | ≥ 10× |
//! | `hook` (m) | `hook session-start` (its stdin JSON piped in) vs `list`, at 1,000 lists | ≤ 2× |
//! | `floor` (i) | `update` vs `show` on one small list, wall and CPU per process | ≤ 1.3× |
//! | `board` (l) | `serve`: the index of 1,000 lists over HTTP vs `list`; commit → `/events` → new page content; the server's RSS | ≤ 3×, ≤ 1 s, ≤ 50 MB |
//! | `scale` (n) | `create`, `show -l TITLE`, `hook session-start`, `list` at 10,000 and 100,000 lists (90% archived) beside `for-each-ref \| cat-file --batch`; the first `list` with the index deleted beside the same read | ≤ 30 ms; list ≤ 0.25×; cold list ≤ 2.48× |
//! | `reftable` (o) | `update` on reftable vs files vs `bench/plumbing-update.sh` on reftable, interleaved; `list`/`show` at 1,000 lists on each; `TaskUpdate` per call over one MCP connection on each | ≤ 2× files |
//! | `resolve` (g) | `show` by an 8-character id prefix vs by full id at 10,000 lists (and by title) | ≤ 1.5× |
//!
//! `cargo bench --bench cli -- NAME` runs one scenario; `BENCH_QUICK=1` is a
//! small smoke run; `BENCH_NO_CACHE=1` regenerates the history repository
//! instead of reusing `target/bench-cache`; `BENCH_KEEP=1` keeps the temporary
//! repositories for inspection; `BENCH_BIN=PATH` measures another build of
//! `git-tasklist` than the one cargo built. The table goes to stdout and to
//! `bench/out/cli-latest.txt`; the exit code is 1 when a target is missed.
//!
//! Files: this one picks the scenarios and prints the table; `harness.rs`
//! runs and times processes and keeps the report; `fixtures.rs` makes the
//! repositories; one file per scenario group: `writes.rs` (a, d, i),
//! `reads.rs` (b, c, e, f, m on the history repository), `scale.rs` (g, h),
//! `sync.rs` (j), `mcp.rs` (k), `board.rs` (l) and `reftable.rs` (o).

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::board::bench_board;
use crate::fixtures::{HistoryRepo, history_repo};
use crate::harness::{BUILT, OUT_DIR, Report, Res, Sizes, bin, cleanup, git};
use crate::mcp::bench_mcp;
use crate::reads::{bench_history, bench_hook, bench_list, bench_resume, bench_verify};
use crate::reftable::bench_reftable;
use crate::scale::{bench_hostile, bench_resolve, bench_scale};
use crate::sync::{bench_sync, bench_sync_scale};
use crate::writes::{bench_concurrent, bench_floor, bench_update};

mod board;
mod fixtures;
mod harness;
mod mcp;
mod reads;
mod reftable;
mod scale;
mod sync;
mod writes;

const SCENARIOS: [(&str, &str); 15] = [
    ("a", "update"),
    ("b", "history"),
    ("c", "list"),
    ("d", "concurrent"),
    ("e", "resume"),
    ("f", "verify"),
    ("g", "resolve"),
    ("h", "hostile"),
    ("i", "floor"),
    ("j", "sync"),
    ("k", "mcp"),
    ("l", "board"),
    ("m", "hook"),
    ("n", "scale"),
    ("o", "reftable"),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes --bench; `cargo test --benches` does not: skip then.
    if !args.iter().any(|a| a == "--bench") {
        println!("cli bench: run it with `cargo bench --bench cli` (see bench/README.md)");
        return ExitCode::SUCCESS;
    }
    let filter: Vec<&str> =
        args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let selected: Vec<&str> = SCENARIOS
        .iter()
        .filter(|(letter, name)| {
            filter.is_empty() || filter.iter().any(|f| f == letter || name.starts_with(f))
        })
        .map(|(_, name)| *name)
        .collect();
    if selected.is_empty() {
        eprintln!(
            "unknown scenario {filter:?}; choose from: {}",
            SCENARIOS.map(|(l, n)| format!("{n} ({l})")).join(", ")
        );
        return ExitCode::from(2);
    }
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let sizes = Sizes::new(quick);
    let mut report = Report::default();
    let start = Instant::now();
    let result = run_all(&sizes, &selected, &mut report);
    cleanup();
    if let Err(e) = result {
        eprintln!("ERROR: {e}");
        return ExitCode::FAILURE;
    }
    let git_version = git(Path::new("."), &["--version"]).unwrap_or_default();
    let measured = if bin() == BUILT { String::new() } else { format!("; BENCH_BIN {}", bin()) };
    let header = format!(
        "git-tasklist cli bench{}: {} ({}, {}; repositories in {}{measured}; {:.0} s)\n\n",
        if sizes.quick { " (BENCH_QUICK: smoke sizes, targets not meaningful)" } else { "" },
        selected.join(", "),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        git_version.trim(),
        std::env::temp_dir().display(),
        start.elapsed().as_secs_f64()
    );
    let table = format!("{header}{}", report.render());
    println!("\n{table}");
    let file =
        Path::new(OUT_DIR).join(if sizes.quick { "cli-quick.txt" } else { "cli-latest.txt" });
    if let Err(e) = std::fs::create_dir_all(OUT_DIR).and_then(|()| std::fs::write(&file, &table)) {
        eprintln!("warning: cannot write {}: {e}", file.display());
    }
    let _ = std::io::stdout().flush();
    if report.targets.iter().all(|t| t.pass) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn run_all(s: &Sizes, selected: &[&str], r: &mut Report) -> Res<()> {
    let mut history: Option<HistoryRepo> = None;
    for name in selected {
        match *name {
            "update" => bench_update(s, r)?,
            "concurrent" => bench_concurrent(s, r)?,
            "resolve" => bench_resolve(s, r)?,
            "hostile" => bench_hostile(s, r)?,
            "floor" => bench_floor(s, r)?,
            "sync" => {
                bench_sync(s, r)?;
                bench_sync_scale(s, r)?;
            }
            "mcp" => bench_mcp(s, r)?,
            "board" => bench_board(s, r)?,
            "scale" => bench_scale(s, r)?,
            "reftable" => bench_reftable(s, r)?,
            "history" | "list" | "resume" | "verify" | "hook" => {
                if history.is_none() {
                    eprintln!("preparing the repository for b/c ({} lists)", s.lists);
                    history = Some(history_repo(s)?);
                }
                let h = history.as_ref().ok_or("no history repo")?;
                match *name {
                    "history" => bench_history(s, h, r)?,
                    "list" => bench_list(s, h, r)?,
                    "resume" => bench_resume(s, h, r)?,
                    "hook" => bench_hook(s, h, r)?,
                    _ => bench_verify(s, h, r)?,
                }
            }
            other => return Err(format!("unknown scenario {other}")),
        }
    }
    Ok(())
}
