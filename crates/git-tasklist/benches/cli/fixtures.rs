//! The repositories scenarios measure: the history repository of b, c, e,
//! f and m (generated with `git fast-import`, cached when slow to make),
//! spread-out list ids, canonical list files and one-commit lists streamed
//! into a new repository.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git_tasklist_core::model::TaskList;

use crate::harness::*;

/// Bump when the generated history changes shape, to invalidate the cache.
const HISTORY_VERSION: u32 = 2;
/// Generation slower than this is cached under `target/bench-cache`.
const CACHE_AFTER: Duration = Duration::from_secs(30);
/// Start of the generated histories' clock (2026-01-01T00:00:00Z).
pub(crate) const T0: i64 = 1_767_225_600;

// ---------------------------------------------------------------- the history repository (b, c, e, f, m)

/// A `tasklist.toml` written by the tool, split so fields can be replaced.
pub(crate) struct Template {
    /// Top-level lines, then one line list per `[[tasks]]` block.
    header: Vec<String>,
    tasks: Vec<Vec<String>>,
}

const TASK_SEP: &str = "\n[[tasks]]\n";

impl Template {
    pub(crate) fn parse(text: &str) -> Res<Template> {
        let mut parts = text.split(TASK_SEP).map(|p| p.lines().map(String::from).collect());
        let header = parts.next().ok_or("empty template")?;
        let tasks: Vec<Vec<String>> = parts.collect();
        if tasks.len() != TASKS.len() {
            return Err(format!("template has {} tasks, expected {}", tasks.len(), TASKS.len()));
        }
        Ok(Template { header, tasks })
    }

    /// The file with the given id, title, times and per-task (status, updated, note).
    pub(crate) fn render(
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
pub(crate) struct TaskState {
    pub(crate) status: &'static str,
    pub(crate) updated: i64,
    pub(crate) note: Option<String>,
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
    uuid_v7_shaped(0x0190_0000_0000u64 + n, n)
}

/// A UUID v7 shape: the time `ms` in its first 48 bits, the rest from `n`.
fn uuid_v7_shaped(ms: u64, n: u64) -> String {
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
pub(crate) fn check_generated(text: &str, id: &str) -> Res<()> {
    let l = TaskList::from_toml(text)
        .map_err(|e| format!("generated tasklist.toml does not parse: {e}\n{text}"))?;
    if l.id != id || l.to_toml() != text {
        return Err(format!("generated tasklist.toml is not canonical:\n{text}"));
    }
    Ok(())
}

/// FNV-1a, for a cache key that changes when the tool's file format does.
pub(crate) fn fnv(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// One `fast-import` commit that sets `tasklist.toml` on a list's ref.
pub(crate) fn emit(
    out: &mut impl std::io::Write,
    id: &str,
    when: i64,
    message: &str,
    file: &str,
) -> Res<()> {
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
pub(crate) struct HistoryRepo {
    pub(crate) _tmp: tempfile::TempDir,
    pub(crate) path: PathBuf,
    pub(crate) long: String,
    pub(crate) fresh: String,
    /// The list with `resume_commits` commits (scenario e).
    pub(crate) resumable: String,
}

/// The template of generated lists: the file the tool itself writes for a
/// `create` (in a scratch repository).
pub(crate) fn created_template() -> Res<Template> {
    let scratch = tempdir()?;
    init_repo(scratch.path())?;
    let tid = create(scratch.path(), "Template")?;
    let text =
        git(scratch.path(), &["cat-file", "blob", &format!("refs/tasklists/{tid}:tasklist.toml")])?;
    Template::parse(&text)
}

pub(crate) fn history_repo(s: &Sizes) -> Res<HistoryRepo> {
    let tmp = tempdir()?;
    let path = tmp.path().join("repo");

    let template = created_template()?;
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
    let cache = cache_dir(&key);
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

/// Where a generated repository with cache key `key` is kept.
pub(crate) fn cache_dir(key: &str) -> Option<PathBuf> {
    Path::new(BUILT)
        .parent()
        .and_then(Path::parent)
        .map(|target| target.join("bench-cache").join(key))
}

pub(crate) fn store_cache(repo: &Path, cache: &Path) -> Res<()> {
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
pub(crate) fn require_commits(repo: &Path, id: &str, min: usize, what: &str) -> Res<usize> {
    let commits = commit_count(repo, id)?;
    if commits < min {
        return Err(format!("{what} has {commits} commits, expected {min}"));
    }
    Ok(commits)
}

/// `100k` for 100,000, `10` for 10: how the report names history lengths.
pub(crate) fn count_label(n: usize) -> String {
    if n >= 1000 { format!("{}k", n / 1000) } else { n.to_string() }
}

// ---------------------------------------------------------------- lists made with git fast-import (g, h, j, l)

/// A list id whose first 8 characters differ for every `n`, as for lists
/// created more than a minute apart (a UUID v7 starts with the time in ms).
pub(crate) fn spread_id(n: u64) -> String {
    uuid_v7_shaped(0x0190_0000_0000u64 + (n << 17) + 0x1_2345, n)
}

pub(crate) fn toml_header(id: &str, title: &str) -> String {
    format!(
        "format = 1\nid = \"{id}\"\ntitle = \"{title}\"\ncreated = 2026-01-01T00:00:00Z\nupdated = 2026-01-01T00:00:00Z\n"
    )
}

/// A new repository at `path` with what `write` streams into `git fast-import`.
pub(crate) fn fast_import(
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
pub(crate) fn import_lists(
    path: &Path,
    files: impl Iterator<Item = Res<(String, String)>>,
) -> Res<()> {
    fast_import(path, |w| {
        for item in files {
            let (id, file) = item?;
            let msg = format!("Create\n\nTasklist: {id}\nOp: create\n");
            emit(w, &id, T0, &msg, &file)?;
        }
        Ok(())
    })
}
