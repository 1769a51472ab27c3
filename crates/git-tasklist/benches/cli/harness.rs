//! The harness: how much each scenario does, processes run with a clean
//! environment and timed (alone or interleaved), temporary repositories,
//! and the report (series, targets, the table).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for this bench (in the `bench` profile).
pub(crate) const BUILT: &str = env!("CARGO_BIN_EXE_git-tasklist");

/// The binary measured: `BENCH_BIN` when it is set (another build of
/// `git-tasklist`, such as the `dist` profile's; `bench/profiles.sh` compares
/// two), else [`BUILT`]. Its file name must be `git-tasklist`, as `git
/// tasklist` finds it on PATH by that name (scenario k).
pub(crate) fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("BENCH_BIN").ok().filter(|b| !b.is_empty()).unwrap_or_else(|| BUILT.into())
    })
}
/// The git-plumbing baseline for scenario a.
pub(crate) const PLUMBING: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/plumbing-update.sh");
/// Where the figures are written (git-ignored).
pub(crate) const OUT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/out");
/// The tasks of every list the benchmark creates.
pub(crate) const TASKS: [&str; 5] = [
    "t1=Phase 1: prepare",
    "t2=Phase 2: migrate the schema",
    "t3=Phase 3: port the code",
    "t4=Phase 4: verify",
    "t5=Phase 5: release",
];
pub(crate) const NAME: &str = "Bench";
pub(crate) const EMAIL: &str = "bench@example.com";

pub(crate) type Res<T> = Result<T, String>;

/// How much work each scenario does.
pub(crate) struct Sizes {
    pub(crate) quick: bool,
    /// Measured runs per side in scenario a.
    pub(crate) update_runs: usize,
    /// Unmeasured runs before each series.
    pub(crate) warmup: usize,
    /// Commits on the long list in scenario b (and verify in f).
    pub(crate) history_commits: usize,
    /// Commits on the resume list in scenario e.
    pub(crate) resume_commits: usize,
    /// Measured runs per side in scenario f.
    pub(crate) verify_runs: usize,
    /// Lists in the repository of scenarios b and c (long + others + fresh).
    pub(crate) lists: usize,
    /// Measured runs per side of each comparison in scenario b.
    pub(crate) read_runs: usize,
    /// Measured runs per side in scenario c.
    pub(crate) list_runs: usize,
    /// Concurrent processes in scenario d.
    pub(crate) procs: usize,
    /// Updates per process in scenario d.
    pub(crate) per_proc: usize,
    /// Lists in the repository of scenario g.
    pub(crate) resolve_lists: usize,
    /// Task counts of the hostile chains of scenario h.
    pub(crate) chains: &'static [usize],
    /// Runs of each `show` in scenario h.
    pub(crate) chain_runs: usize,
    /// Interleaved runs per side in scenario j.
    pub(crate) sync_runs: usize,
    /// Lists of scenario j's large series (no-op sync; first push of this
    /// many, and of a tenth of them, to an empty remote).
    pub(crate) sync_scale: usize,
    /// Interleaved runs per side of scenario j's large no-op series.
    pub(crate) sync_scale_runs: usize,
    /// Calls per side in scenario k.
    pub(crate) mcp_calls: usize,
    /// Index requests (and `list` runs) in scenario l.
    pub(crate) board_runs: usize,
    /// Commits whose event latency scenario l measures.
    pub(crate) board_events: usize,
    /// (lists, nine in ten archived) of the repositories of scenario n.
    pub(crate) scale: &'static [(usize, bool)],
    /// Measured runs of each command in scenario n.
    pub(crate) scale_runs: usize,
    /// Interleaved `update` runs per side in scenario o.
    pub(crate) reftable_runs: usize,
    /// MCP calls per ref format in scenario o.
    pub(crate) reftable_mcp_calls: usize,
    /// Alternating batches per side for scenario i's CPU times.
    pub(crate) floor_batches: usize,
    /// Processes per batch in scenario i.
    pub(crate) floor_batch: usize,
}

impl Sizes {
    pub(crate) fn new(quick: bool) -> Sizes {
        if quick {
            Sizes {
                quick,
                update_runs: 20,
                warmup: 2,
                history_commits: 2_000,
                resume_commits: 500,
                verify_runs: 2,
                lists: 100,
                read_runs: 10,
                list_runs: 10,
                procs: 8,
                per_proc: 5,
                resolve_lists: 500,
                chains: &[1_000, 4_000],
                chain_runs: 2,
                sync_runs: 3,
                sync_scale: 5_000,
                sync_scale_runs: 2,
                mcp_calls: 50,
                floor_batches: 2,
                floor_batch: 10,
                board_runs: 5,
                board_events: 5,
                scale: &[(1_000, false), (2_000, true)],
                scale_runs: 2,
                reftable_runs: 10,
                reftable_mcp_calls: 20,
            }
        } else {
            Sizes {
                quick,
                update_runs: 200,
                warmup: 5,
                history_commits: 100_000,
                resume_commits: 10_000,
                verify_runs: 5,
                lists: 1_000,
                read_runs: 100,
                list_runs: 50,
                procs: 8,
                per_proc: 30,
                resolve_lists: 10_000,
                chains: &[4_000, 8_000, 16_000, 32_000, 60_000],
                chain_runs: 7,
                sync_runs: 15,
                sync_scale: 100_000,
                sync_scale_runs: 3,
                mcp_calls: 1_000,
                floor_batches: 8,
                floor_batch: 50,
                board_runs: 30,
                board_events: 30,
                scale: &[(10_000, false), (100_000, true)],
                scale_runs: 3,
                reftable_runs: 60,
                reftable_mcp_calls: 200,
            }
        }
    }
}

// ---------------------------------------------------------------- processes

/// A command with a clean, fixed environment: no user or system git config,
/// a fixed identity, nothing from the caller that selects a repo or a list.
pub(crate) fn cmd(program: &str, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .stdin(Stdio::null())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", NAME)
        .env("GIT_AUTHOR_EMAIL", EMAIL)
        .env("GIT_COMMITTER_NAME", NAME)
        .env("GIT_COMMITTER_EMAIL", EMAIL)
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C")
        .env("TZ", "UTC");
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_COMMON_DIR",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_DATE",
        "GIT_CONFIG",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
        "GIT_TRACE",
        "TASKLIST_ID",
        "TASKLIST_SESSION",
        "GIT_TASKLIST_NAMESPACE",
        "GIT_TASKLIST_DEBUG",
    ] {
        c.env_remove(var);
    }
    c
}

/// Runs a command to completion; its stdout on success, a sentence otherwise.
pub(crate) fn run(mut c: Command) -> Res<String> {
    let out = c.output().map_err(|e| format!("cannot run {c:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{c:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{c:?} printed non-UTF-8"))
}

pub(crate) fn git(dir: &Path, args: &[&str]) -> Res<String> {
    let mut c = cmd("git", dir);
    c.args(args);
    run(c)
}

pub(crate) fn tl(dir: &Path, args: &[&str]) -> Res<String> {
    let mut c = cmd(bin(), dir);
    c.args(args);
    run(c)
}

/// Wall time of one process run (stdout discarded); an error if it fails.
pub(crate) fn timed(c: &mut Command) -> Res<Duration> {
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let out = c.output().map_err(|e| format!("cannot run {c:?}: {e}"))?;
    let took = start.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{c:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(took)
}

/// Times two commands alternately (`runs` each after `warmup`), swapping
/// which goes first every other round so drift and caching hit both alike.
/// `make(side, round)` builds side 0's or side 1's command for a round.
pub(crate) fn interleaved(
    warmup: usize,
    runs: usize,
    mut make: impl FnMut(usize, usize) -> Command,
) -> Res<[Vec<Duration>; 2]> {
    let mut times = [Vec::with_capacity(runs), Vec::with_capacity(runs)];
    for round in 0..warmup + runs {
        let order = if (round / 2) % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let took = timed(&mut make(side, round))?;
            if round >= warmup {
                times[side].push(took);
            }
        }
    }
    Ok(times)
}

/// Temporary directories to remove when the whole run is over.
static CLEANUP: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A temporary directory, removed when the run ends (not when its scenario
/// does: deleting thousands of files slows every file created in the next
/// minutes on an ext4 without a journal, and would tax the scenarios after
/// it), and kept if `BENCH_KEEP` is set.
pub(crate) fn tempdir() -> Res<tempfile::TempDir> {
    let keep = std::env::var_os("BENCH_KEEP").is_some_and(|v| !v.is_empty());
    let dir = tempfile::Builder::new()
        .prefix("git-tasklist-bench-")
        .disable_cleanup(true)
        .tempdir()
        .map_err(|e| format!("cannot create a temp dir: {e}"))?;
    if keep {
        eprintln!("  kept: {}", dir.path().display());
    } else if let Ok(mut dirs) = CLEANUP.lock() {
        dirs.push(dir.path().to_path_buf());
    }
    Ok(dir)
}

/// Removes the run's temporary directories.
pub(crate) fn cleanup() {
    let dirs = CLEANUP.lock().map(|mut d| std::mem::take(&mut *d)).unwrap_or_default();
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

pub(crate) fn init_repo(dir: &Path) -> Res<()> {
    git(dir, &["init", "-q", "-b", "main"]).map(drop)
}

/// `create TITLE --task …` with [`TASKS`]; the new list's id.
pub(crate) fn create(dir: &Path, title: &str) -> Res<String> {
    let mut args = vec!["create", title];
    for t in TASKS {
        args.extend(["--task", t]);
    }
    let out = tl(dir, &args)?;
    let id = out.lines().next().unwrap_or("").trim().to_string();
    if id.len() != 36 {
        return Err(format!("create printed '{id}' instead of an id"));
    }
    Ok(id)
}

pub(crate) fn commit_count(dir: &Path, id: &str) -> Res<usize> {
    let n = git(dir, &["rev-list", "--count", &format!("refs/tasklists/{id}")])?;
    n.trim().parse().map_err(|_| format!("rev-list --count printed '{}'", n.trim()))
}

// ---------------------------------------------------------------- report

/// Summary of one series of timings, in milliseconds.
pub(crate) struct Stats {
    pub(crate) n: usize,
    pub(crate) median: f64,
    pub(crate) p90: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

pub(crate) fn stats(times: &[Duration]) -> Stats {
    let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    if n == 0 {
        return Stats { n, median: f64::NAN, p90: f64::NAN, min: f64::NAN, max: f64::NAN };
    }
    let median = if n % 2 == 1 { ms[n / 2] } else { (ms[n / 2 - 1] + ms[n / 2]) / 2.0 };
    let p90 = ms[((n * 9).div_ceil(10)).clamp(1, n) - 1];
    Stats { n, median, p90, min: ms[0], max: ms[n - 1] }
}

struct Row {
    label: String,
    stats: Stats,
}

pub(crate) struct Target {
    scenario: &'static str,
    goal: String,
    actual: String,
    pub(crate) pass: bool,
}

#[derive(Default)]
pub(crate) struct Report {
    rows: Vec<Row>,
    pub(crate) targets: Vec<Target>,
    pub(crate) notes: Vec<String>,
}

impl Report {
    pub(crate) fn row(&mut self, label: impl Into<String>, times: &[Duration]) -> f64 {
        let stats = stats(times);
        let median = stats.median;
        self.rows.push(Row { label: label.into(), stats });
        median
    }

    pub(crate) fn target(
        &mut self,
        scenario: &'static str,
        goal: String,
        actual: String,
        pass: bool,
    ) {
        eprintln!("  {scenario}: {goal}: {actual} {}", if pass { "PASS" } else { "MISSED" });
        self.targets.push(Target { scenario, goal, actual, pass });
    }

    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        let w = self.rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0).max(8);
        let _ = writeln!(
            s,
            "{:<w$}  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}",
            "series", "runs", "median", "p90", "min", "max"
        );
        for r in &self.rows {
            let st = &r.stats;
            let _ = writeln!(
                s,
                "{:<w$}  {:>5}  {:>6.2} ms  {:>6.2} ms  {:>6.2} ms  {:>6.2} ms",
                r.label, st.n, st.median, st.p90, st.min, st.max
            );
        }
        s.push('\n');
        let gw = self.targets.iter().map(|t| t.goal.chars().count()).max().unwrap_or(0).max(6);
        let aw = self.targets.iter().map(|t| t.actual.chars().count()).max().unwrap_or(0).max(6);
        let _ = writeln!(s, "{:<3} {:<gw$}  {:<aw$}  result", "", "target", "actual");
        for t in &self.targets {
            let _ = writeln!(
                s,
                "{:<3} {:<gw$}  {:<aw$}  {}",
                t.scenario,
                t.goal,
                t.actual,
                if t.pass { "PASS" } else { "MISSED" }
            );
        }
        for n in &self.notes {
            let _ = writeln!(s, "note: {n}");
        }
        let missed = self.targets.iter().filter(|t| !t.pass).count();
        s.push('\n');
        if missed == 0 {
            let _ = writeln!(s, "all {} targets met", self.targets.len());
        } else {
            let _ = writeln!(s, "MISSED: {missed} of {} targets", self.targets.len());
        }
        s
    }
}
