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
//! | `sync` (j) | `sync` with nothing to do vs its `git fetch` alone, at 1,000 and 10,000 lists; 100 changed lists (one push); 100 diverged lists (merged in one process) | ≤ 2×, one fetch, no push |
//! | `mcp` (k) | 1,000 `TaskUpdate` calls over one MCP connection vs 1,000 `update` processes | ≥ 10× |
//! | `hook` (m) | `hook session-start` (its stdin JSON piped in) vs `list`, at 1,000 lists | ≤ 2× |
//! | `floor` (i) | `update` vs `show` on one small list, wall and CPU per process | ≤ 1.3× |
//! | `board` (l) | `serve`: the index of 1,000 lists over HTTP vs `list`; commit → `/events` → new page content; the server's RSS | ≤ 3×, ≤ 1 s, ≤ 50 MB |
//! | `resolve` (g) | `show` by an 8-character id prefix vs by full id at 10,000 lists (and by title) | ≤ 1.5× |
//!
//! `cargo bench --bench cli -- NAME` runs one scenario; `BENCH_QUICK=1` is a
//! small smoke run; `BENCH_NO_CACHE=1` regenerates the history repository
//! instead of reusing `target/bench-cache`; `BENCH_KEEP=1` keeps the temporary
//! repositories for inspection. The table goes to stdout and to
//! `bench/out/cli-latest.txt`; the exit code is 1 when a target is missed.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use git_tasklist_core::model::TaskList;

/// The release binary cargo built for this bench.
const BIN: &str = env!("CARGO_BIN_EXE_git-tasklist");
/// The git-plumbing baseline for scenario a.
const PLUMBING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/plumbing-update.sh");
/// Where the figures are written (git-ignored).
const OUT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/out");
/// Bump when the generated history changes shape, to invalidate the cache.
const HISTORY_VERSION: u32 = 2;
/// Generation slower than this is cached under `target/bench-cache`.
const CACHE_AFTER: Duration = Duration::from_secs(30);
/// Start of the generated histories' clock (2026-01-01T00:00:00Z).
const T0: i64 = 1_767_225_600;
/// The tasks of every list the benchmark creates.
const TASKS: [&str; 5] = [
    "t1=Phase 1: prepare",
    "t2=Phase 2: migrate the schema",
    "t3=Phase 3: port the code",
    "t4=Phase 4: verify",
    "t5=Phase 5: release",
];
const NAME: &str = "Bench";
const EMAIL: &str = "bench@example.com";

type Res<T> = Result<T, String>;

/// How much work each scenario does.
struct Sizes {
    quick: bool,
    /// Measured runs per side in scenario a.
    update_runs: usize,
    /// Unmeasured runs before each series.
    warmup: usize,
    /// Commits on the long list in scenario b (and verify in f).
    history_commits: usize,
    /// Commits on the resume list in scenario e.
    resume_commits: usize,
    /// Measured runs per side in scenario f.
    verify_runs: usize,
    /// Lists in the repository of scenarios b and c (long + others + fresh).
    lists: usize,
    /// Measured runs per side of each comparison in scenario b.
    read_runs: usize,
    /// Measured runs per side in scenario c.
    list_runs: usize,
    /// Concurrent processes in scenario d.
    procs: usize,
    /// Updates per process in scenario d.
    per_proc: usize,
    /// Lists in the repository of scenario g.
    resolve_lists: usize,
    /// Task counts of the hostile chains of scenario h.
    chains: &'static [usize],
    /// Runs of each `show` in scenario h.
    chain_runs: usize,
    /// Interleaved runs per side in scenario j.
    sync_runs: usize,
    /// Calls per side in scenario k.
    mcp_calls: usize,
    /// Index requests (and `list` runs) in scenario l.
    board_runs: usize,
    /// Commits whose event latency scenario l measures.
    board_events: usize,
    /// Alternating batches per side for scenario i's CPU times.
    floor_batches: usize,
    /// Processes per batch in scenario i.
    floor_batch: usize,
}

impl Sizes {
    fn new(quick: bool) -> Sizes {
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
                mcp_calls: 50,
                floor_batches: 2,
                floor_batch: 10,
                board_runs: 5,
                board_events: 5,
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
                mcp_calls: 1_000,
                floor_batches: 8,
                floor_batch: 50,
                board_runs: 30,
                board_events: 30,
            }
        }
    }
}

// ---------------------------------------------------------------- processes

/// A command with a clean, fixed environment: no user or system git config,
/// a fixed identity, nothing from the caller that selects a repo or a list.
fn cmd(program: &str, dir: &Path) -> Command {
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
fn run(mut c: Command) -> Res<String> {
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

fn git(dir: &Path, args: &[&str]) -> Res<String> {
    let mut c = cmd("git", dir);
    c.args(args);
    run(c)
}

fn tl(dir: &Path, args: &[&str]) -> Res<String> {
    let mut c = cmd(BIN, dir);
    c.args(args);
    run(c)
}

/// Wall time of one process run (stdout discarded); an error if it fails.
fn timed(c: &mut Command) -> Res<Duration> {
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
fn interleaved(
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
fn tempdir() -> Res<tempfile::TempDir> {
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
fn cleanup() {
    let dirs = CLEANUP.lock().map(|mut d| std::mem::take(&mut *d)).unwrap_or_default();
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn init_repo(dir: &Path) -> Res<()> {
    git(dir, &["init", "-q", "-b", "main"]).map(drop)
}

/// `create TITLE --task …` with [`TASKS`]; the new list's id.
fn create(dir: &Path, title: &str) -> Res<String> {
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

fn commit_count(dir: &Path, id: &str) -> Res<usize> {
    let n = git(dir, &["rev-list", "--count", &format!("refs/tasklists/{id}")])?;
    n.trim().parse().map_err(|_| format!("rev-list --count printed '{}'", n.trim()))
}

// ---------------------------------------------------------------- report

/// Summary of one series of timings, in milliseconds.
struct Stats {
    n: usize,
    median: f64,
    p90: f64,
    min: f64,
    max: f64,
}

fn stats(times: &[Duration]) -> Stats {
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

struct Target {
    scenario: &'static str,
    goal: String,
    actual: String,
    pass: bool,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    targets: Vec<Target>,
    notes: Vec<String>,
}

impl Report {
    fn row(&mut self, label: impl Into<String>, times: &[Duration]) -> f64 {
        let stats = stats(times);
        let median = stats.median;
        self.rows.push(Row { label: label.into(), stats });
        median
    }

    fn target(&mut self, scenario: &'static str, goal: String, actual: String, pass: bool) {
        eprintln!("  {scenario}: {goal}: {actual} {}", if pass { "PASS" } else { "MISSED" });
        self.targets.push(Target { scenario, goal, actual, pass });
    }

    fn render(&self) -> String {
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

// ---------------------------------------------------------------- a: update

fn bench_update(s: &Sizes, r: &mut Report) -> Res<()> {
    eprintln!("a update: {} interleaved runs each (after {} warm-up)", s.update_runs, s.warmup);
    let tmp = tempdir()?;
    let repo = tmp.path();
    init_repo(repo)?;
    let ours = create(repo, "Updated by git-tasklist")?;
    let base = create(repo, "Updated by plumbing")?;
    let base_ref = format!("refs/tasklists/{base}");
    let status = |round: usize| if round.is_multiple_of(2) { "in_progress" } else { "pending" };
    let [t_ours, t_base] = interleaved(s.warmup, s.update_runs, |side, round| {
        if side == 0 {
            let mut c = cmd(BIN, repo);
            c.args(["-l", &ours, "update", "t1", "--status", status(round)]);
            c
        } else {
            let mut c = cmd("bash", repo);
            c.args([PLUMBING, ".", &base_ref, "t1", status(round)]);
            c
        }
    })?;

    // Both sides committed every run, and the baseline's file reads back.
    let total = s.warmup + s.update_runs;
    for (who, id) in [("git-tasklist", &ours), ("plumbing", &base)] {
        let n = commit_count(repo, id)?;
        if n != total + 1 {
            return Err(format!("a: {who} made {} commits, expected {total}", n - 1));
        }
    }
    let text = git(repo, &["cat-file", "blob", &format!("{base_ref}:tasklist.toml")])?;
    let parsed = TaskList::from_toml(&text)
        .map_err(|e| format!("a: the baseline wrote an unreadable tasklist.toml: {e}"))?;
    if parsed.to_toml() != text {
        return Err("a: the baseline's tasklist.toml is not in canonical form".into());
    }
    let shown = tl(repo, &["--json", "-l", &base, "show"])?;
    let shown: serde_json::Value =
        serde_json::from_str(&shown).map_err(|e| format!("a: `show --json` output: {e}"))?;
    let last = status(total - 1);
    if shown["tasks"][0]["status"] != last {
        return Err(format!("a: `show` after the baseline does not show t1 {last}: {shown}"));
    }

    let m_ours = r.row("a update: git-tasklist update", &t_ours);
    let m_base = r.row("a update: bench/plumbing-update.sh", &t_base);
    let ratio = m_base / m_ours;
    r.target(
        "a",
        "update: plumbing / git-tasklist >= 4.0x".into(),
        format!("{ratio:.2}x ({m_base:.2} / {m_ours:.2} ms)"),
        ratio >= 4.0,
    );
    Ok(())
}

// ---------------------------------------------------------------- b/c: history repo

/// A `tasklist.toml` written by the tool, split so fields can be replaced.
struct Template {
    /// Top-level lines, then one line list per `[[tasks]]` block.
    header: Vec<String>,
    tasks: Vec<Vec<String>>,
}

const TASK_SEP: &str = "\n[[tasks]]\n";

impl Template {
    fn parse(text: &str) -> Res<Template> {
        let mut parts = text.split(TASK_SEP).map(|p| p.lines().map(String::from).collect());
        let header = parts.next().ok_or("empty template")?;
        let tasks: Vec<Vec<String>> = parts.collect();
        if tasks.len() != TASKS.len() {
            return Err(format!("template has {} tasks, expected {}", tasks.len(), TASKS.len()));
        }
        Ok(Template { header, tasks })
    }

    /// The file with the given id, title, times and per-task (status, updated, note).
    fn render(
        &self,
        id: &str,
        title: &str,
        created: i64,
        updated: i64,
        tasks: &[TaskState],
    ) -> String {
        let mut out = String::with_capacity(1024);
        for line in &self.header {
            let key = line.split(" = ").next().unwrap_or("");
            match key {
                "id" => push_line(&mut out, &format!("id = \"{id}\"")),
                "title" => push_line(&mut out, &format!("title = \"{title}\"")),
                "created" => push_line(&mut out, &format!("created = {}", ts(created))),
                "updated" => push_line(&mut out, &format!("updated = {}", ts(updated))),
                _ => push_line(&mut out, line),
            }
        }
        for (block, st) in self.tasks.iter().zip(tasks) {
            out.push_str(TASK_SEP);
            for line in block {
                let key = line.split(" = ").next().unwrap_or("");
                match key {
                    "status" => push_line(&mut out, &format!("status = \"{}\"", st.status)),
                    "updated" => push_line(&mut out, &format!("updated = {}", ts(st.updated))),
                    _ => push_line(&mut out, line),
                }
            }
            if let Some(note) = &st.note {
                push_line(&mut out, &format!("note = \"{note}\""));
            }
        }
        out
    }
}

#[derive(Clone)]
struct TaskState {
    status: &'static str,
    updated: i64,
    note: Option<String>,
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

fn ts(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A deterministic UUID v7-shaped list id.
fn list_id(n: u64) -> String {
    let ms = 0x0190_0000_0000u64 + n;
    format!(
        "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
        ms >> 16,
        ms & 0xffff,
        n & 0xfff,
        0x8000 | (n & 0x3fff),
        n
    )
}

/// Checks that a generated file is one the tool reads and writes identically.
fn check_generated(text: &str, id: &str) -> Res<()> {
    let l = TaskList::from_toml(text)
        .map_err(|e| format!("generated tasklist.toml does not parse: {e}\n{text}"))?;
    if l.id != id || l.to_toml() != text {
        return Err(format!("generated tasklist.toml is not canonical:\n{text}"));
    }
    Ok(())
}

/// FNV-1a, for a cache key that changes when the tool's file format does.
fn fnv(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// One `fast-import` commit that sets `tasklist.toml` on a list's ref.
fn emit(out: &mut impl std::io::Write, id: &str, when: i64, message: &str, file: &str) -> Res<()> {
    let io = |e: std::io::Error| format!("writing to git fast-import: {e}");
    write!(
        out,
        "commit refs/tasklists/{id}\nauthor {NAME} <{EMAIL}> {when} +0000\n\
         committer {NAME} <{EMAIL}> {when} +0000\ndata {}\n{message}\n\
         M 100644 inline tasklist.toml\ndata {}\n{file}\n",
        message.len(),
        file.len()
    )
    .map_err(io)
}

/// The repository of scenarios b and c: one list with a long history, the
/// others short, plus a fresh list made with `create` in this run.
struct HistoryRepo {
    _tmp: tempfile::TempDir,
    path: PathBuf,
    long: String,
    fresh: String,
    /// The list with `resume_commits` commits (scenario e).
    resumable: String,
}

fn history_repo(s: &Sizes) -> Res<HistoryRepo> {
    let tmp = tempdir()?;
    let path = tmp.path().join("repo");

    // The template: the file the tool itself writes for a `create`.
    let scratch = tempdir()?;
    init_repo(scratch.path())?;
    let tid = create(scratch.path(), "Template")?;
    let text =
        git(scratch.path(), &["cat-file", "blob", &format!("refs/tasklists/{tid}:tasklist.toml")])?;
    let template = Template::parse(&text)?;
    let pending = TaskState { status: "pending", updated: T0, note: None };
    let long = list_id(0);
    let first = template.render(&long, "Long history", T0, T0, &vec![pending.clone(); TASKS.len()]);
    check_generated(&first, &long)?;

    let key = format!(
        "history-v{HISTORY_VERSION}-{}x{}-{:016x}",
        s.history_commits,
        s.lists,
        fnv(&first)
    );
    let cache = Path::new(BIN)
        .parent()
        .and_then(Path::parent)
        .map(|target| target.join("bench-cache").join(&key));
    let use_cache = std::env::var_os("BENCH_NO_CACHE").is_none_or(|v| v.is_empty());
    match &cache {
        Some(c) if use_cache && c.join("complete").exists() => {
            eprintln!("  history repo: copying the cache {}", c.display());
            let mut cp = Command::new("cp");
            cp.arg("-a").arg(c.join("repo")).arg(&path);
            run(cp)?;
        }
        _ => {
            let start = Instant::now();
            generate(s, &template, &path, &long, &first)?;
            let took = start.elapsed();
            eprintln!("  history repo: generated in {:.1} s", took.as_secs_f64());
            if let Some(c) = cache.filter(|_| took > CACHE_AFTER) {
                store_cache(&path, &c)?;
            }
        }
    }
    let fresh = create(&path, "Fresh list")?;
    Ok(HistoryRepo { _tmp: tmp, path, long, fresh, resumable: list_id(1) })
}

fn store_cache(repo: &Path, cache: &Path) -> Res<()> {
    let staging = cache.with_extension("partial");
    let _ = std::fs::remove_dir_all(&staging);
    let _ = std::fs::remove_dir_all(cache);
    std::fs::create_dir_all(&staging)
        .map_err(|e| format!("creating {}: {e}", staging.display()))?;
    let mut cp = Command::new("cp");
    cp.arg("-a").arg(repo).arg(staging.join("repo"));
    run(cp)?;
    std::fs::write(staging.join("complete"), "")
        .map_err(|e| format!("writing {}: {e}", staging.display()))?;
    std::fs::rename(&staging, cache)
        .map_err(|e| format!("renaming to {}: {e}", cache.display()))?;
    eprintln!("  history repo: cached in {}", cache.display());
    Ok(())
}

/// Streams the long list (`history_commits` commits) and `lists - 2` short
/// lists (3 commits each) into a new repository with `git fast-import`.
fn generate(s: &Sizes, template: &Template, path: &Path, long: &str, first: &str) -> Res<()> {
    eprintln!(
        "  history repo: streaming {} commits on one list and {} other lists into git fast-import",
        s.history_commits,
        s.lists - 2
    );
    fast_import(path, |w| {
        emit_walk(w, template, long, "Long history", first, s.history_commits, T0)?;
        let n = TASKS.len();
        let create_msg = |title: &str, id: &str| {
            format!("Create '{title}' with {n} tasks\n\nTasklist: {id}\nOp: create\n")
        };

        // The other lists: create, t1 started, t1 completed.
        let base = T0 + s.history_commits as i64 + 10;
        for i in 1..s.lists.saturating_sub(1) as u64 {
            let id = list_id(i);
            let title = format!("List {i}");
            let t = base + 3 * i as i64;
            if i == 1 {
                // The list of scenario e: `resume_commits` commits of work.
                let title = "Resume history";
                let st = vec![TaskState { status: "pending", updated: t, note: None }; n];
                let file = template.render(&id, title, t, t, &st);
                emit_walk(w, template, &id, title, &file, s.resume_commits, t)?;
                continue;
            }
            let mut st = vec![TaskState { status: "pending", updated: t, note: None }; n];
            let file = template.render(&id, &title, t, t, &st);
            if i == 1 {
                check_generated(&file, &id)?;
            }
            emit(w, &id, t, &create_msg(&title, &id), &file)?;
            for (step, (from, to)) in
                [("pending", "in_progress"), ("in_progress", "completed")].into_iter().enumerate()
            {
                let when = t + 1 + step as i64;
                st[0] = TaskState { status: to, updated: when, note: None };
                let file = template.render(&id, &title, t, when, &st);
                let msg = format!("{title}: t1 {from} → {to}\n\nTasklist: {id}\nOp: set-status\n");
                emit(w, &id, when, &msg, &file)?;
            }
        }
        Ok(())
    })?;
    let refs = git(path, &["for-each-ref", "--format=%(refname)", "refs/tasklists"])?;
    if refs.lines().count() != s.lists - 1 {
        return Err(format!(
            "fast-import made {} lists, expected {}",
            refs.lines().count(),
            s.lists - 1
        ));
    }
    Ok(())
}

/// Streams `commits` commits of one list: a create, then every commit
/// changes one task's status and note, the way a session works through a
/// plan; no task ever completes (so `verify` passes).
fn emit_walk(
    w: &mut impl std::io::Write,
    template: &Template,
    id: &str,
    title: &str,
    first: &str,
    commits: usize,
    t0: i64,
) -> Res<()> {
    let n = TASKS.len();
    let mut state = vec![TaskState { status: "pending", updated: t0, note: None }; n];
    let mut turns = vec![0usize; n];
    let create_msg = format!("Create '{title}' with {n} tasks\n\nTasklist: {id}\nOp: create\n");
    emit(w, id, t0, &create_msg, first)?;
    const CYCLE: [&str; 3] = ["in_progress", "blocked", "pending"];
    for k in 1..commits {
        let when = t0 + k as i64;
        let j = k % n;
        let old = state[j].status;
        state[j] = TaskState {
            status: CYCLE[turns[j] % CYCLE.len()],
            updated: when,
            note: Some(format!("step {k}")),
        };
        turns[j] += 1;
        let file = template.render(id, title, t0, when, &state);
        if k % 997 == 1 {
            check_generated(&file, id)?;
        }
        let msg = format!(
            "{title}: t{} {old} → {}\n\nTasklist: {id}\nOp: set-status\n",
            j + 1,
            state[j].status
        );
        emit(w, id, when, &msg, &file)?;
    }
    Ok(())
}

/// The commit count of a generated list, or an error when it has fewer than `min`.
fn require_commits(repo: &Path, id: &str, min: usize, what: &str) -> Res<usize> {
    let commits = commit_count(repo, id)?;
    if commits < min {
        return Err(format!("{what} has {commits} commits, expected {min}"));
    }
    Ok(commits)
}

/// `100k` for 100,000, `10` for 10: how the report names history lengths.
fn count_label(n: usize) -> String {
    if n >= 1000 { format!("{}k", n / 1000) } else { n.to_string() }
}

// ---------------------------------------------------------------- b: history

fn bench_history(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
    let repo = &h.path;
    let commits = require_commits(repo, &h.long, s.history_commits, "b: the long list")?;
    let lists =
        git(repo, &["for-each-ref", "--format=%(refname)", "refs/tasklists"])?.lines().count();
    eprintln!(
        "b history: show/update, {} interleaved runs each, long list ({commits} commits) vs fresh list, {lists} lists",
        s.read_runs
    );
    let ids = [h.long.as_str(), h.fresh.as_str()];
    let [show_long, show_fresh] = interleaved(s.warmup, s.read_runs, |side, _| {
        let mut c = cmd(BIN, repo);
        c.args(["-l", ids[side], "show"]);
        c
    })?;
    let status = |round: usize| if round.is_multiple_of(2) { "in_progress" } else { "pending" };
    let [upd_long, upd_fresh] = interleaved(s.warmup, s.read_runs, |side, round| {
        let mut c = cmd(BIN, repo);
        c.args(["-l", ids[side], "update", "t1", "--status", status(round)]);
        c
    })?;
    let label = count_label(commits);
    let m_sl = r.row(format!("b show: list with {label} commits"), &show_long);
    let m_sf = r.row("b show: fresh list", &show_fresh);
    let m_ul = r.row(format!("b update: list with {label} commits"), &upd_long);
    let m_uf = r.row("b update: fresh list", &upd_fresh);
    for (what, long, fresh) in [("show", m_sl, m_sf), ("update", m_ul, m_uf)] {
        let ratio = long / fresh;
        r.target(
            "b",
            format!("{what}: {label}-commit list / fresh list <= 1.5x ({lists} lists)"),
            format!("{ratio:.2}x ({long:.2} / {fresh:.2} ms)"),
            ratio <= 1.5,
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- c: list

const BASELINE_LIST: &str = "git for-each-ref --format='%(objectname):tasklist.toml' refs/tasklists \
                             | git cat-file --batch > /dev/null";

fn bench_list(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
    let repo = &h.path;
    let lists =
        git(repo, &["for-each-ref", "--format=%(refname)", "refs/tasklists"])?.lines().count();
    let shown = tl(repo, &["list"])?.lines().count();
    if shown != lists {
        return Err(format!("c: `list` printed {shown} lines for {lists} lists"));
    }
    eprintln!("c list: {} interleaved runs each over {lists} lists", s.list_runs);
    let [ours, base] = interleaved(s.warmup, s.list_runs, |side, _| {
        if side == 0 {
            let mut c = cmd(BIN, repo);
            c.arg("list");
            c
        } else {
            let mut c = cmd("sh", repo);
            c.args(["-c", BASELINE_LIST]);
            c
        }
    })?;
    let m_ours = r.row(format!("c list: git-tasklist list ({lists} lists)"), &ours);
    let m_base = r.row("c list: for-each-ref | cat-file --batch", &base);
    let ratio = m_ours / m_base;
    r.target(
        "c",
        format!("list: git-tasklist / for-each-ref|cat-file <= 3.0x ({lists} lists)"),
        format!("{ratio:.2}x ({m_ours:.2} / {m_base:.2} ms)"),
        ratio <= 3.0,
    );
    Ok(())
}

// ---------------------------------------------------------------- m: hook

fn bench_hook(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
    let repo = &h.path;
    let lists =
        git(repo, &["for-each-ref", "--format=%(refname)", "refs/tasklists"])?.lines().count();
    let input = serde_json::json!({
        "session_id": "bench", "cwd": repo, "hook_event_name": "SessionStart", "source": "startup"
    })
    .to_string();
    let stdin_file = repo.join(".git").join("bench-hook-input.json");
    std::fs::write(&stdin_file, &input).map_err(|e| format!("m: writing the input: {e}"))?;
    let open_stdin =
        || std::fs::File::open(&stdin_file).map_err(|e| format!("m: opening the input: {e}"));
    // What the hook says, once: the briefing must be there and within bounds.
    let mut c = cmd(BIN, repo);
    c.args(["hook", "session-start"]).stdin(open_stdin()?).stdout(Stdio::piped());
    let out = c.output().map_err(|e| format!("m: hook: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !text.contains("additionalContext") {
        return Err(format!("m: the hook printed no context: {text}"));
    }
    eprintln!(
        "m hook: session-start vs list, {} interleaved runs each over {lists} lists",
        s.list_runs
    );
    let mut failed = None;
    let [hook, list] = interleaved(s.warmup, s.list_runs, |side, _| {
        let mut c = cmd(BIN, repo);
        if side == 0 {
            c.args(["hook", "session-start"]);
            match open_stdin() {
                Ok(f) => {
                    c.stdin(f);
                }
                Err(e) => failed = Some(e),
            }
        } else {
            c.arg("list");
        }
        c
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    let m_hook = r.row(format!("m hook session-start ({lists} lists)"), &hook);
    let m_list = r.row("m list", &list);
    let ratio = m_hook / m_list;
    r.target(
        "m",
        format!("hook session-start / list <= 2.0x ({lists} lists)"),
        format!("{ratio:.2}x ({m_hook:.2} / {m_list:.2} ms)"),
        ratio <= 2.0,
    );
    Ok(())
}

// ---------------------------------------------------------------- d: concurrent

/// One process's wall time and its failure (exit code, stderr), if any.
type Outcome = (Duration, Result<(), (Option<i32>, String)>);

fn bench_concurrent(s: &Sizes, r: &mut Report) -> Res<()> {
    let (procs, per) = (s.procs, s.per_proc);
    eprintln!("d concurrent: {procs} processes x {per} updates to one list");
    let tmp = tempdir()?;
    let repo = tmp.path();
    init_repo(repo)?;
    let id = create(repo, "Contended list")?;
    let start = Instant::now();
    let results: Vec<Outcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..procs)
            .map(|p| {
                let id = &id;
                scope.spawn(move || {
                    (0..per)
                        .map(|j| {
                            let mut c = cmd(BIN, repo);
                            c.args(["-l", id, "update", "t1", "--note", &format!("p{p}-{j}")]);
                            c.stdin(Stdio::null()).stdout(Stdio::null());
                            let t = Instant::now();
                            let res = match c.output() {
                                Ok(o) if o.status.success() => Ok(()),
                                Ok(o) => Err((
                                    o.status.code(),
                                    String::from_utf8_lossy(&o.stderr).trim().to_string(),
                                )),
                                Err(e) => Err((None, e.to_string())),
                            };
                            (t.elapsed(), res)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
    });
    let wall = start.elapsed();
    let expected = procs * per;
    let times: Vec<Duration> = results.iter().map(|(t, _)| *t).collect();
    let failed: Vec<&(Option<i32>, String)> =
        results.iter().filter_map(|(_, res)| res.as_ref().err()).collect();
    let refused = failed.iter().filter(|(code, _)| *code == Some(4)).count();
    for (code, msg) in failed.iter().take(3) {
        r.notes.push(format!("d: update failed (exit {code:?}): {msg}"));
    }
    let landed = commit_count(repo, &id)?.saturating_sub(1);
    r.row(format!("d concurrent: one update under {procs}-way contention"), &times);
    r.target(
        "d",
        format!("concurrent {procs}x{per}: {expected}/{expected} landed, 0 refused"),
        format!(
            "{landed}/{expected} landed, {} failed ({refused} refused), wall {:.2} s",
            failed.len(),
            wall.as_secs_f64()
        ),
        landed == expected && failed.is_empty() && results.len() == expected,
    );
    Ok(())
}

// ---------------------------------------------------------------- e: resume

fn bench_resume(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
    let repo = &h.path;
    let commits = require_commits(repo, &h.resumable, s.resume_commits, "e: the resume list")?;
    // A short list: create plus 9 changes, 10 commits.
    let short = create(repo, "Short history")?;
    for k in 0..9 {
        let status = if k % 2 == 0 { "in_progress" } else { "pending" };
        tl(repo, &["-l", &short, "update", "t1", "--status", status])?;
    }
    let short_commits = commit_count(repo, &short)?;
    eprintln!(
        "e resume: {} interleaved runs, {commits}-commit list vs {short_commits}-commit list, without and after a handoff",
        s.read_runs
    );
    let ids = [h.resumable.as_str(), short.as_str()];
    let label = count_label(commits);
    for phase in ["no handoff", "after a handoff"] {
        if phase == "after a handoff" {
            for id in ids {
                tl(repo, &["-l", id, "--session", "bench", "handoff", "--note", "bench"])?;
            }
        }
        let [long, short_t] = interleaved(s.warmup, s.read_runs, |side, _| {
            let mut c = cmd(BIN, repo);
            c.args(["-l", ids[side], "resume"]);
            c
        })?;
        let m_long = r.row(format!("e resume ({phase}): {label} commits"), &long);
        let m_short = r.row(format!("e resume ({phase}): {short_commits} commits"), &short_t);
        let ratio = m_long / m_short;
        r.target(
            "e",
            format!("resume ({phase}): {label}-commit / {short_commits}-commit list <= 1.5x"),
            format!("{ratio:.2}x ({m_long:.2} / {m_short:.2} ms)"),
            ratio <= 1.5,
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- f: verify

fn bench_verify(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
    let repo = &h.path;
    let commits = commit_count(repo, &h.long)?;
    let reference = format!("refs/tasklists/{}", h.long);
    eprintln!(
        "f verify: {} interleaved runs, verify vs git log -p over {commits} commits",
        s.verify_runs
    );
    let out = tl(repo, &["-l", &h.long, "verify"])?;
    if !out.contains("Cross-session persistence: VERIFIED") {
        return Err(format!("f: verify did not pass on the generated history:\n{out}"));
    }
    let [ours, git_log] = interleaved(1, s.verify_runs, |side, _| {
        if side == 0 {
            let mut c = cmd(BIN, repo);
            c.args(["-l", &h.long, "verify"]);
            c
        } else {
            let mut c = cmd("git", repo);
            c.args(["log", "-p", &reference]);
            c
        }
    })?;
    let label = count_label(commits);
    let m_ours = r.row(format!("f verify: {label} commits"), &ours);
    let m_git = r.row(format!("f git log -p: {label} commits"), &git_log);
    let ratio = m_ours / m_git;
    r.target(
        "f",
        format!("verify / git log -p over {label} commits <= 1.0x"),
        format!("{ratio:.2}x ({m_ours:.0} / {m_git:.0} ms)"),
        ratio <= 1.0,
    );
    Ok(())
}

// ---------------------------------------------------------------- g: resolve

/// A list id whose first 8 characters differ for every `n`, as for lists
/// created more than a minute apart (a UUID v7 starts with the time in ms).
fn spread_id(n: u64) -> String {
    let ms = 0x0190_0000_0000u64 + (n << 17) + 0x1_2345;
    format!(
        "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
        ms >> 16,
        ms & 0xffff,
        n & 0xfff,
        0x8000 | (n & 0x3fff),
        n
    )
}

/// `show` at `resolve_lists` lists by full id, by an 8-character prefix and
/// by title, interleaved.
fn bench_resolve(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let path = tmp.path().join("repo");
    let scratch = tempdir()?;
    init_repo(scratch.path())?;
    let tid = create(scratch.path(), "Template")?;
    let text =
        git(scratch.path(), &["cat-file", "blob", &format!("refs/tasklists/{tid}:tasklist.toml")])?;
    let template = Template::parse(&text)?;
    eprintln!("g resolve: streaming {} one-commit lists into git fast-import", s.resolve_lists);
    fast_import(&path, |w| {
        let n = TASKS.len();
        for i in 0..s.resolve_lists as u64 {
            let (id, title, t) = (spread_id(i), format!("List {i}"), T0 + i as i64);
            let st = vec![TaskState { status: "pending", updated: t, note: None }; n];
            let file = template.render(&id, &title, t, t, &st);
            if i == 0 {
                check_generated(&file, &id)?;
            }
            let msg = format!("Create '{title}' with {n} tasks\n\nTasklist: {id}\nOp: create\n");
            emit(w, &id, t, &msg, &file)?;
        }
        Ok(())
    })?;
    // The next create finds more than 512 loose refs and packs them in the
    // background, as it would in a repository that grew to this size.
    create(&path, "The create that packs")?;
    let packed = path.join(".git").join("packed-refs");
    let started = Instant::now();
    while std::fs::read_to_string(&packed).map_or(0, |t| t.lines().count()) < s.resolve_lists {
        if started.elapsed() > Duration::from_secs(60) {
            return Err("g: the refs were not packed within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let lists =
        git(&path, &["for-each-ref", "--format=%(refname)", "refs/tasklists"])?.lines().count();
    // A list in the middle, so neither end of the ref directory is favoured.
    let k = s.resolve_lists as u64 / 2;
    let id = spread_id(k);
    let title = format!("List {k}");
    let queries = [id.clone(), id[..8].to_string(), title];
    for q in &queries {
        let shown = tl(&path, &["show", q])?;
        if !shown.contains(&id) {
            return Err(format!("g: `show {q}` did not show {id}:\n{shown}"));
        }
    }
    eprintln!("g resolve: {} interleaved runs each at {lists} lists", s.read_runs);
    let [by_id, by_prefix] = interleaved(s.warmup, s.read_runs, |side, _| {
        let mut c = cmd(BIN, &path);
        c.args(["show", &queries[side]]);
        c
    })?;
    let [by_id2, by_title] = interleaved(s.warmup, s.read_runs / 5, |side, _| {
        let mut c = cmd(BIN, &path);
        c.args(["show", &queries[side * 2]]);
        c
    })?;
    let m_id = r.row(format!("g show by full id ({lists} lists)"), &by_id);
    let m_prefix = r.row("g show by 8-character prefix", &by_prefix);
    r.row("g show by full id (title series)", &by_id2);
    r.row("g show by exact title", &by_title);
    let ratio = m_prefix / m_id;
    r.target(
        "g",
        format!("show by 8-char prefix / by full id <= 1.5x ({lists} lists)"),
        format!("{ratio:.2}x ({m_prefix:.2} / {m_id:.2} ms)"),
        ratio <= 1.5,
    );
    Ok(())
}

// ---------------------------------------------------------------- h: hostile

/// The `tasklist.toml` of a hostile list: `n` tasks, each depending on the
/// next, in the tool's canonical layout (about 115 bytes a task, so 60,000
/// tasks make the 6.9 MB a teammate could push under the 8 MiB limit).
fn chain_file(id: &str, n: usize) -> Res<String> {
    let mut text = toml_header(id, &format!("Hostile chain of {n}"));
    for i in 0..n {
        text.push_str(&format!(
            "\n[[tasks]]\nid = \"t{i}\"\ntitle = \"Task {i} of a hostile chain\"\nstatus = \"pending\"\nupdated = 2026-01-01T00:00:00Z\n"
        ));
        if i + 1 < n {
            text.push_str(&format!("depends_on = [\"t{}\"]\n", i + 1));
        }
    }
    let l = TaskList::from_toml(&text).map_err(|e| format!("h: the chain does not parse: {e}"))?;
    if l.to_toml() != text {
        return Err("h: the generated chain is not canonical".into());
    }
    Ok(text)
}

fn toml_header(id: &str, title: &str) -> String {
    format!(
        "format = 1\nid = \"{id}\"\ntitle = \"{title}\"\ncreated = 2026-01-01T00:00:00Z\nupdated = 2026-01-01T00:00:00Z\n"
    )
}

/// A new repository at `path` with what `write` streams into `git fast-import`.
fn fast_import(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::process::ChildStdin>) -> Res<()>,
) -> Res<()> {
    std::fs::create_dir_all(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    init_repo(path)?;
    let mut child = cmd("git", path)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start git fast-import: {e}"))?;
    let stdin = child.stdin.take().ok_or("git fast-import has no stdin")?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, stdin);
    write(&mut w)?;
    w.flush().map_err(|e| format!("writing to git fast-import: {e}"))?;
    drop(w);
    let out = child.wait_with_output().map_err(|e| format!("git fast-import: {e}"))?;
    if !out.status.success() {
        return Err(format!("git fast-import failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

/// Streams `files` (id, tasklist.toml) as one-commit lists into a new repository.
fn import_lists(path: &Path, files: impl Iterator<Item = Res<(String, String)>>) -> Res<()> {
    fast_import(path, |w| {
        for item in files {
            let (id, file) = item?;
            let msg = format!("Create\n\nTasklist: {id}\nOp: create\n");
            emit(w, &id, T0, &msg, &file)?;
        }
        Ok(())
    })
}

/// `show` of hostile chains of growing length, and `list` of 1,000 ordinary
/// lists plus the 60,000-task chain.
fn bench_hostile(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let chains = tmp.path().join("chains");
    let sizes: Vec<usize> = s.chains.to_vec();
    eprintln!("h hostile: chains of {sizes:?} tasks, and {} lists plus the longest", s.lists);
    let files = sizes.iter().enumerate().map(|(k, &n)| {
        let id = spread_id(900_000 + k as u64);
        chain_file(&id, n).map(|f| (id, f))
    });
    import_lists(&chains, files)?;
    let mut longest = (0.0, 0);
    for (k, &n) in sizes.iter().enumerate() {
        let id = spread_id(900_000 + k as u64);
        let shown = tl(&chains, &["show", &id])?;
        if shown.lines().filter(|l| l.starts_with("  ○ t")).count() != n {
            return Err(format!("h: show of the {n}-task chain did not show every task"));
        }
        let mut times = Vec::new();
        for _ in 0..s.chain_runs {
            let mut c = cmd(BIN, &chains);
            c.args(["show", &id]);
            times.push(timed(&mut c)?);
        }
        let m = r.row(format!("h show: chain of {n} tasks"), &times);
        if n == 32_000 {
            r.target(
                "h",
                "show of a 32,000-task chain <= 200 ms".into(),
                format!("{m:.1} ms"),
                m <= 200.0,
            );
        }
        if n >= longest.1 {
            longest = (m, n);
        }
    }
    let (m, n) = longest;
    r.target("h", format!("show of a {n}-task chain <= 500 ms"), format!("{m:.1} ms"), m <= 500.0);

    let many = tmp.path().join("many");
    let (long_n, long_id) = (n, spread_id(999_999));
    let ordinary = (0..s.lists as u64).map(|i| {
        let id = spread_id(i);
        let mut text = toml_header(&id, &format!("List {i}"));
        for t in 1..=5 {
            text.push_str(&format!(
                "\n[[tasks]]\nid = \"t{t}\"\ntitle = \"Phase {t}\"\nstatus = \"pending\"\nupdated = 2026-01-01T00:00:00Z\n"
            ));
        }
        Ok((id, text))
    });
    let hostile = std::iter::once(chain_file(&long_id, long_n).map(|f| (long_id.clone(), f)));
    import_lists(&many, ordinary.chain(hostile))?;
    let listed = tl(&many, &["list"])?;
    if listed.lines().count() != s.lists + 1 || !listed.contains(&format!("0/{long_n}")) {
        return Err("h: list did not show every list".into());
    }
    let mut times = Vec::new();
    for _ in 0..s.chain_runs {
        let mut c = cmd(BIN, &many);
        c.arg("list");
        times.push(timed(&mut c)?);
    }
    let m = r.row(format!("h list: {} lists + the {long_n}-task chain", s.lists), &times);
    r.target(
        "h",
        format!("list of {} lists + a {long_n}-task chain <= 1 s", s.lists),
        format!("{m:.1} ms"),
        m <= 1000.0,
    );
    Ok(())
}

// ---------------------------------------------------------------- i: floor

/// CPU time (user + system) of this process's waited-for children, from
/// /proc/self/stat (clock ticks of 10 ms: summed over a series it is exact
/// enough, one process at a time it is not).
fn children_cpu() -> Res<Duration> {
    let stat =
        std::fs::read_to_string("/proc/self/stat").map_err(|e| format!("/proc/self/stat: {e}"))?;
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or("bad /proc/self/stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 16 and 17 of stat(5) are cutime and cstime; `after` starts at field 3.
    let ticks =
        |i: usize| fields.get(i - 3).and_then(|v| v.parse::<u64>().ok()).ok_or("bad stat field");
    Ok(Duration::from_millis((ticks(16)? + ticks(17)?) * 10))
}

/// `update` against `show` on one small list, interleaved: wall time per
/// process and CPU time per process (summed over the series).
fn bench_floor(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).map_err(|e| format!("creating {}: {e}", repo.display()))?;
    init_repo(&repo)?;
    let id = create(&repo, "Floor")?;
    let statuses = ["in_progress", "pending"];
    let command = |side: usize, n: usize| {
        let mut c = cmd(BIN, &repo);
        if side == 0 {
            c.args(["-l", &id, "update", "t1", "--status", statuses[n % 2]]);
        } else {
            c.args(["-l", &id, "show"]);
        }
        c
    };
    eprintln!("i floor: update vs show, {} interleaved runs each", s.update_runs);
    let wall = interleaved(s.warmup, s.update_runs, command)?;
    // CPU time comes from the kernel in clock ticks (10 ms) summed over
    // waited-for children, so it is read around batches of one side, not
    // around each 2 ms process: the rounding then stays within a few per cent.
    let (batches, per_batch) = (s.floor_batches, s.floor_batch);
    let mut cpu = [Duration::ZERO, Duration::ZERO];
    let mut made = 0;
    for round in 0..batches {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let before = children_cpu()?;
            for _ in 0..per_batch {
                // Continues the status alternation, so every update commits.
                timed(&mut command(side, s.warmup + s.update_runs + made))?;
                if side == 0 {
                    made += 1;
                }
            }
            cpu[side] += children_cpu()? - before;
        }
    }
    let m_update = r.row("i update (one commit)", &wall[0]);
    let m_show = r.row("i show", &wall[1]);
    let ratio = m_update / m_show;
    r.target(
        "i",
        "update / show, wall (medians) <= 1.3x".into(),
        format!("{ratio:.2}x ({m_update:.2} / {m_show:.2} ms)"),
        ratio <= 1.3,
    );
    let n = (batches * per_batch) as f64;
    let (cu, cs) = (cpu[0].as_secs_f64() * 1000.0 / n, cpu[1].as_secs_f64() * 1000.0 / n);
    let ratio = cu / cs.max(f64::MIN_POSITIVE);
    r.target(
        "i",
        format!(
            "update / show, CPU per process <= 1.3x ({batches} alternating batches of {per_batch})"
        ),
        format!("{ratio:.2}x ({cu:.2} / {cs:.2} ms)"),
        ratio <= 1.3,
    );
    let expected = 1 + s.warmup + s.update_runs + made;
    let commits = commit_count(&repo, &id)?;
    if commits != expected {
        return Err(format!("i: {commits} commits, expected {expected}"));
    }
    Ok(())
}

// ---------------------------------------------------------------- j: sync

/// The git commands a traced run of `c` started (`GIT_TRACE` lines naming
/// a built-in), e.g. `["fetch", "push"]`.
fn git_commands(mut c: Command, trace: &Path) -> Res<Vec<String>> {
    let _ = std::fs::remove_file(trace);
    c.env("GIT_TRACE", trace);
    run(c)?;
    let text = std::fs::read_to_string(trace).unwrap_or_default();
    Ok(text
        .lines()
        .filter_map(|l| l.split("built-in: git ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| w == "fetch" || w == "push")
        .collect())
}

/// `sync` with nothing to do against the same `git fetch` alone, at
/// `s.lists` and `s.resolve_lists` lists; then 100 lists changed here (one
/// push) and 100 diverged (merged in one process).
fn bench_sync(s: &Sizes, r: &mut Report) -> Res<()> {
    for lists in [s.lists, s.resolve_lists] {
        let tmp = tempdir()?;
        let remote = tmp.path().join("remote.git");
        let ids: Vec<String> = (0..lists as u64).map(spread_id).collect();
        let files = ids.iter().enumerate().map(|(i, id)| {
            let mut text = toml_header(id, &format!("List {i}"));
            for t in 1..=5 {
                text.push_str(&format!(
                    "\n[[tasks]]\nid = \"t{t}\"\ntitle = \"Phase {t}\"\nstatus = \"pending\"\nupdated = 2026-01-01T00:00:00Z\n"
                ));
            }
            Ok((id.clone(), text))
        });
        import_lists(&remote, files)?;
        let clone = tmp.path().join("clone");
        git(tmp.path(), &["clone", "-q", "remote.git", "clone"])?;
        let first = tl(&clone, &["sync"])?;
        if first.lines().filter(|l| l.contains("new from the remote")).count() != lists {
            return Err(format!("j: the first sync did not bring {lists} lists"));
        }
        let trace = tmp.path().join("trace");
        let mut c = cmd(BIN, &clone);
        c.arg("sync");
        let cmds = git_commands(c, &trace)?;
        if cmds != ["fetch"] {
            return Err(format!("j: sync with nothing to do ran git {cmds:?}, expected one fetch"));
        }
        eprintln!("j sync: nothing to do at {lists} lists, {} interleaved runs", s.sync_runs);
        let spec = "+refs/tasklists/*:refs/tasklists-remote/origin/*";
        let [ours, fetch] = interleaved(1, s.sync_runs, |side, _| {
            if side == 0 {
                let mut c = cmd(BIN, &clone);
                c.arg("sync");
                c
            } else {
                let mut c = cmd("git", &clone);
                c.args(["fetch", "--quiet", "--no-tags", "--prune", "origin", spec]);
                c
            }
        })?;
        let m_ours = r.row(format!("j sync, nothing to do ({lists} lists)"), &ours);
        let m_fetch = r.row(format!("j git fetch alone ({lists} lists)"), &fetch);
        let ratio = m_ours / m_fetch;
        r.target(
            "j",
            format!(
                "sync with nothing to do / its git fetch <= 2x ({lists} lists; one fetch, no push)"
            ),
            format!("{ratio:.2}x ({m_ours:.1} / {m_fetch:.1} ms)"),
            ratio <= 2.0,
        );
        if lists != s.lists {
            continue;
        }
        // 100 lists changed here: one push.
        let changed = 100.min(lists);
        for id in &ids[..changed] {
            tl(&clone, &["-l", id, "update", "t1", "--note", "here"])?;
        }
        let mut c = cmd(BIN, &clone);
        c.arg("sync");
        let started = Instant::now();
        let cmds = git_commands(c, &trace)?;
        let pushed_in = started.elapsed();
        if cmds != ["fetch", "push"] {
            return Err(format!(
                "j: sync of {changed} changed lists ran git {cmds:?}, expected fetch, push"
            ));
        }
        r.row(format!("j sync pushing {changed} changed lists (one push)"), &[pushed_in]);
        // 100 lists diverged: the remote moved too.
        let other = tmp.path().join("other");
        git(tmp.path(), &["clone", "-q", "remote.git", "other"])?;
        tl(&other, &["sync"])?;
        for id in &ids[..changed] {
            tl(&other, &["-l", id, "update", "t2", "--note", "there"])?;
            tl(&clone, &["-l", id, "update", "t3", "--note", "here again"])?;
        }
        tl(&other, &["sync"])?;
        let started = Instant::now();
        let out = tl(&clone, &["sync"])?;
        let merged_in = started.elapsed();
        let merged = out.lines().filter(|l| l.contains("merged")).count();
        if merged != changed {
            return Err(format!("j: {merged} of {changed} diverged lists were merged"));
        }
        r.row(format!("j sync merging {changed} diverged lists (one process)"), &[merged_in]);
    }
    Ok(())
}

// ---------------------------------------------------------------- k: mcp

/// `s.mcp_calls` `TaskUpdate` calls over one MCP connection against as many
/// `update` processes, on one list each; every commit must land.
fn bench_mcp(s: &Sizes, r: &mut Report) -> Res<()> {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let tmp = tempdir()?;
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).map_err(|e| format!("creating {}: {e}", repo.display()))?;
    init_repo(&repo)?;
    let via_mcp = create(&repo, "Over MCP")?;
    let via_git = create(&repo, "Over git tasklist")?;
    let via_bin = create(&repo, "Over git-tasklist")?;
    let n = s.mcp_calls;
    eprintln!(
        "k mcp: {n} TaskUpdate calls over one connection vs {n} `git tasklist update` and {n} `git-tasklist update` processes"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("k: tokio: {e}"))?;
    let took = runtime.block_on(async {
        let mut c = cmd(BIN, &repo);
        c.env("TASKLIST_SESSION", "bench").arg("mcp");
        let transport = rmcp::transport::TokioChildProcess::new(tokio::process::Command::from(c))
            .map_err(|e| format!("k: cannot start the server: {e}"))?;
        let client = ().serve(transport).await.map_err(|e| format!("k: initialize: {e}"))?;
        let start = Instant::now();
        for i in 0..n {
            let args =
                serde_json::json!({"list": via_mcp, "taskId": "t1", "note": format!("n{i}")});
            let params = CallToolRequestParams::new("TaskUpdate")
                .with_arguments(args.as_object().cloned().unwrap_or_default());
            let res = client.call_tool(params).await.map_err(|e| format!("k: call: {e}"))?;
            if res.is_error == Some(true) {
                return Err(format!("k: TaskUpdate failed: {res:?}"));
            }
        }
        let took = start.elapsed();
        let _ = client.cancel().await;
        Ok::<Duration, String>(took)
    })?;
    // `git tasklist update`, as the README and agents type it: git finds
    // git-tasklist on PATH and runs it.
    let bin_dir = Path::new(BIN).parent().ok_or("k: the binary has no directory")?;
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::var_os("PATH").iter().flat_map(std::env::split_paths)),
    )
    .map_err(|e| format!("k: PATH: {e}"))?;
    let series = |via: &str, through_git: bool| -> Res<Duration> {
        let start = Instant::now();
        for i in 0..n {
            let note = format!("n{i}");
            let mut c = if through_git {
                let mut c = cmd("git", &repo);
                c.env("PATH", &path).arg("tasklist");
                c
            } else {
                cmd(BIN, &repo)
            };
            c.args(["-l", via, "update", "t1", "--note", &note]);
            timed(&mut c)?;
        }
        Ok(start.elapsed())
    };
    let took_git = series(&via_git, true)?;
    let took_bin = series(&via_bin, false)?;
    for (id, what) in [(&via_mcp, "MCP"), (&via_git, "git tasklist"), (&via_bin, "git-tasklist")] {
        let commits = commit_count(&repo, id)?;
        if commits != n + 1 {
            return Err(format!("k: {what} made {commits} commits, expected {}", n + 1));
        }
    }
    r.row(format!("k {n} TaskUpdate calls over one MCP connection"), &[took]);
    r.row(format!("k {n} `git tasklist update` processes"), &[took_git]);
    r.row(format!("k {n} `git-tasklist update` processes (no git in front)"), &[took_bin]);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ratio = took_git.as_secs_f64() / took.as_secs_f64();
    let direct = took_bin.as_secs_f64() / took.as_secs_f64();
    r.target(
        "k",
        format!(
            "{n} updates: `git tasklist update` processes / one MCP connection >= 10x (every commit landed)"
        ),
        format!(
            "{ratio:.1}x ({:.0} / {:.0} ms; git-tasklist run directly: {direct:.1}x)",
            ms(took_git),
            ms(took)
        ),
        ratio >= 10.0,
    );
    Ok(())
}

// ---------------------------------------------------------------- l: board

/// A `serve --port 0` process; killed when dropped.
struct Served {
    child: std::process::Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(repo: &Path) -> Res<Served> {
    use std::io::BufRead as _;
    let mut c = cmd(BIN, repo);
    c.args(["serve", "--port", "0"]).stdin(Stdio::null()).stdout(Stdio::piped());
    let mut child = c.spawn().map_err(|e| format!("cannot start serve: {e}"))?;
    let stdout = child.stdout.take().ok_or("serve has no stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("serve: {e}"))?;
    let addr = line
        .trim()
        .strip_prefix("Serving the board on http://")
        .and_then(|u| u.strip_suffix('/'))
        .ok_or_else(|| format!("serve printed {line:?}"))?
        .to_string();
    Ok(Served { child, addr })
}

/// One GET over a fresh connection; the body (the board sends lengths, not chunks).
fn http_get(addr: &str, path: &str) -> Res<String> {
    use std::io::Read as _;
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("GET {path}: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("GET {path}: {e}"))?;
    let text = String::from_utf8(raw).map_err(|_| format!("GET {path}: not UTF-8"))?;
    if !text.starts_with("HTTP/1.1 200") {
        return Err(format!("GET {path}: {}", text.lines().next().unwrap_or("")));
    }
    Ok(text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

/// Reads an event stream up to the next `event:` line.
fn next_event(r: &mut impl std::io::BufRead) -> Res<String> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).map_err(|e| format!("/events: {e}"))? == 0 {
            return Err("/events ended".into());
        }
        if let Some(name) = line.trim().strip_prefix("event:") {
            return Ok(name.trim().to_string());
        }
    }
}

fn rss_kib(pid: u32, field: &str) -> Res<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
}

/// The board over 1,000 lists: the index served against `list` on the same
/// repository, a commit's way to an open event stream and to the page's new
/// content, and the server's resident memory.
fn bench_board(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let repo = tmp.path().join("board");
    let ids: Vec<String> = (0..s.lists as u64).map(spread_id).collect();
    let files = ids.iter().enumerate().map(|(i, id)| {
        let mut text = toml_header(id, &format!("Board list {i}"));
        for t in 1..=5 {
            let (status, extra) = match (i + t) % 5 {
                0 => ("completed", String::new()),
                1 => ("in_progress", format!("owner = \"session-{i}\"\n")),
                2 => ("blocked", "note = \"waiting for review\"\n".to_string()),
                _ => ("pending", String::new()),
            };
            text.push_str(&format!(
                "\n[[tasks]]\nid = \"t{t}\"\ntitle = \"Phase {t}\"\nstatus = \"{status}\"\nupdated = 2026-01-01T00:00:00Z\n{extra}"
            ));
        }
        Ok((id.clone(), text))
    });
    import_lists(&repo, files)?;
    let server = serve(&repo)?;
    let page = http_get(&server.addr, "/")?;
    let shown = page.matches("<article class=\"list").count();
    if shown != s.lists {
        return Err(format!("l: the index shows {shown} lists of {}", s.lists));
    }
    eprintln!(
        "l board: {} interleaved index requests and `list` runs over {} lists",
        s.board_runs, s.lists
    );
    let (mut served, mut listed) = (Vec::new(), Vec::new());
    for round in 0..s.warmup + s.board_runs {
        let t = Instant::now();
        http_get(&server.addr, "/")?;
        let took = t.elapsed();
        let mut c = cmd(BIN, &repo);
        c.arg("list");
        let list = timed(&mut c)?;
        if round >= s.warmup {
            served.push(took);
            listed.push(list);
        }
    }
    let m_served = r.row(format!("l board: GET / ({} lists)", s.lists), &served);
    let m_list = r.row(format!("l board: git-tasklist list ({} lists)", s.lists), &listed);
    let ratio = m_served / m_list;
    r.target(
        "l",
        format!("board: index served / list <= 3.0x ({} lists)", s.lists),
        format!("{ratio:.2}x ({m_served:.2} / {m_list:.2} ms)"),
        ratio <= 3.0,
    );
    let pid = server.child.id();
    let (rss, hwm) = (rss_kib(pid, "VmRSS:")?, rss_kib(pid, "VmHWM:")?);
    r.target(
        "l",
        format!("board: server RSS after serving the index <= 50 MB ({} lists)", s.lists),
        format!("{:.1} MB (peak {:.1} MB)", rss as f64 / 1024.0, hwm as f64 / 1024.0),
        rss <= 50 * 1024,
    );
    // Commit → change event → the fragment the page fetches shows it.
    let mut stream = std::net::TcpStream::connect(&server.addr).map_err(|e| format!("l: {e}"))?;
    write!(stream, "GET /events HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr)
        .map_err(|e| format!("l: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| format!("l: {e}"))?;
    let mut events = std::io::BufReader::new(stream);
    if next_event(&mut events)? != "ready" {
        return Err("l: /events did not start with ready".into());
    }
    let id = &ids[0];
    let (mut to_event, mut to_page) = (Vec::new(), Vec::new());
    for n in 0..s.board_events {
        let note = format!("note {n}");
        let mut c = cmd(BIN, &repo);
        c.args(["-l", id, "--session", "session-0", "update", "t1", "--note", &note]);
        timed(&mut c)?;
        let committed = Instant::now();
        if next_event(&mut events)? != "change" {
            return Err("l: expected a change event".into());
        }
        to_event.push(committed.elapsed());
        let fragment = http_get(&server.addr, &format!("/list/{id}?fragment=1"))?;
        if !fragment.contains(&note) {
            return Err(format!("l: the page lacks {note:?} after the change event"));
        }
        to_page.push(committed.elapsed());
    }
    r.row("l board: commit -> change event", &to_event);
    let page = r.row("l board: commit -> event -> new page content", &to_page);
    let worst = stats(&to_page).max;
    r.target(
        "l",
        "board: commit to new page content <= 1 s (max)".into(),
        format!("max {worst:.0} ms (median {page:.0} ms)"),
        worst <= 1000.0,
    );
    Ok(())
}

// ---------------------------------------------------------------- main

const SCENARIOS: [(&str, &str); 13] = [
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
    let header = format!(
        "git-tasklist cli bench{}: {} ({}, {}; repositories in {}; {:.0} s)\n\n",
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
            "sync" => bench_sync(s, r)?,
            "mcp" => bench_mcp(s, r)?,
            "board" => bench_board(s, r)?,
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
