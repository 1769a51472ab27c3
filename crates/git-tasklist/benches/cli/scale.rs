//! Many lists and huge lists: resolving a list among 10,000 (g) and lists
//! of tens of thousands of chained tasks (h).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use git_tasklist_core::model::TaskList;

use crate::fixtures::*;
use crate::harness::*;

// ---------------------------------------------------------------- g: resolve

/// `show` at `resolve_lists` lists by full id, by an 8-character prefix and
/// by title, interleaved.
pub(crate) fn bench_resolve(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let path = tmp.path().join("repo");
    let template = created_template()?;
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
        let mut c = cmd(bin(), &path);
        c.args(["show", &queries[side]]);
        c
    })?;
    let [by_id2, by_title] = interleaved(s.warmup, s.read_runs / 5, |side, _| {
        let mut c = cmd(bin(), &path);
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

/// `show` of hostile chains of growing length, and `list` of 1,000 ordinary
/// lists plus the 60,000-task chain.
pub(crate) fn bench_hostile(s: &Sizes, r: &mut Report) -> Res<()> {
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
            let mut c = cmd(bin(), &chains);
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
        let mut c = cmd(bin(), &many);
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

// ---------------------------------------------------------------- n: scale

/// Bump when the scale repositories change shape, to invalidate the cache.
const SCALE_VERSION: u32 = 1;

/// A repository of `lists` one-commit lists made with `git fast-import` from
/// the file a real `create` wrote (titles `List k`), archived as `archived`
/// says, refs packed; built once and kept under `target/bench-cache`, then
/// copied for each run.
pub(crate) fn scale_repo(
    path: &Path,
    lists: usize,
    archived: impl Fn(u64) -> bool,
    tag: &str,
) -> Res<String> {
    let template = created_template()?;
    let probe = template.render(&spread_id(0), "List 0", T0, T0, &[]);
    let key = format!("scale-v{SCALE_VERSION}-{lists}-{tag}-{:016x}", fnv(&probe));
    let cache = cache_dir(&key);
    let use_cache = std::env::var_os("BENCH_NO_CACHE").is_none_or(|v| v.is_empty());
    if let Some(c) = cache.as_ref().filter(|c| use_cache && c.join("complete").exists()) {
        eprintln!("  scale repo: copying the cache {}", c.display());
        let mut cp = Command::new("cp");
        cp.arg("-a").arg(c.join("repo")).arg(path);
        run(cp)?;
        age_packed_refs(path)?;
        return Ok(key);
    }
    let started = Instant::now();
    let n = TASKS.len();
    fast_import(path, |w| {
        for i in 0..lists as u64 {
            let (id, title, t) = (spread_id(i), format!("List {i}"), T0 + i as i64);
            let st = vec![TaskState { status: "pending", updated: t, note: None }; n];
            let mut file = template.render(&id, &title, t, t, &st);
            if archived(i) {
                file = with_archived(&file);
            }
            if i < 10 {
                check_generated(&file, &id)?;
            }
            let msg = format!("Create '{title}' with {n} tasks\n\nTasklist: {id}\nOp: create\n");
            emit(w, &id, t, &msg, &file)?;
        }
        Ok(())
    })?;
    git(path, &["pack-refs", "--all"])?;
    eprintln!("  scale repo: {lists} lists generated in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(c) = cache {
        store_cache(path, &c)?;
    }
    age_packed_refs(path)?;
    Ok(key)
}

/// Sets `packed-refs`' modification time an hour back, as in a repository
/// packed a while ago: one written seconds ago is not trusted by the summary
/// index (racy timestamps), so every read would check every ref in full
/// until it is a few seconds old, and a freshly generated repository would
/// measure that instead of the steady state.
fn age_packed_refs(path: &Path) -> Res<()> {
    let packed = path.join(".git").join("packed-refs");
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&packed)
        .and_then(|f| f.set_modified(hour_ago))
        .map_err(|e| format!("n: ageing {}: {e}", packed.display()))
}

/// `file` with `archived = true` in its canonical place (before `branch`,
/// else at the end of the top-level lines).
fn with_archived(file: &str) -> String {
    let (head, tasks) = file.split_once("\n[[tasks]]").unwrap_or((file, ""));
    let mut out = String::with_capacity(file.len() + 20);
    let mut placed = false;
    for line in head.lines() {
        if !placed && line.starts_with("branch = ") {
            out.push_str("archived = true\n");
            placed = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !placed {
        out.push_str("archived = true\n");
    }
    if !tasks.is_empty() {
        out.push_str("\n[[tasks]]");
        out.push_str(tasks);
    }
    out
}

/// `create` (whose duplicate-title warning reads every title), `show -l
/// TITLE`, `hook session-start` and `list` at 10,000 lists (every tenth
/// archived) and at 100,000 (nine in ten archived), beside git's own batch
/// read of the same lists.
pub(crate) fn bench_scale(s: &Sizes, r: &mut Report) -> Res<()> {
    for &(lists, mostly_archived) in s.scale {
        let tmp = tempdir()?;
        let path = tmp.path().join("repo");
        let (tag, archived): (&str, fn(u64) -> bool) = if mostly_archived {
            ("archived90", |i| i % 10 != 0)
        } else {
            ("archived10", |i| i % 10 == 9)
        };
        scale_repo(&path, lists, archived, tag)?;
        let label =
            format!("{}k lists, {}% archived", lists / 1000, if mostly_archived { 90 } else { 10 });
        let k = lists / 2;
        let title = format!("List {k}");
        // create duplicates another title, so `show -l TITLE` stays unambiguous.
        let dup = format!("List {}", k + 1);
        let shown = tl(&path, &["show", "-l", &title])?;
        if !shown.contains(&spread_id(k as u64)) {
            return Err(format!("n: `show -l {title}` did not show list {k}"));
        }
        // The duplicate-title warning must be there (it reads every title).
        let mut c = cmd(bin(), &path);
        c.args(["create", &dup, "--task", "t1"]);
        let out = c.output().map_err(|e| format!("n: create: {e}"))?;
        if !out.status.success() || !String::from_utf8_lossy(&out.stderr).contains(&dup) {
            return Err(format!(
                "n: create gave no duplicate-title warning: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let input = serde_json::json!({
            "session_id": "bench", "cwd": path, "hook_event_name": "SessionStart", "source": "startup"
        })
        .to_string();
        let stdin_file = path.join(".git").join("bench-hook-input.json");
        std::fs::write(&stdin_file, &input).map_err(|e| format!("n: writing the input: {e}"))?;
        let mut failed = None;
        let sides = 5;
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); sides];
        for round in 0..s.warmup.min(1) + s.scale_runs {
            for (side, series) in times.iter_mut().enumerate() {
                let mut c = match side {
                    0 => {
                        let mut c = cmd(bin(), &path);
                        c.args(["create", &dup, "--task", "t1"]);
                        c
                    }
                    1 => {
                        let mut c = cmd(bin(), &path);
                        c.args(["show", "-l", &title]);
                        c
                    }
                    2 => {
                        let mut c = cmd(bin(), &path);
                        c.args(["hook", "session-start"]);
                        match std::fs::File::open(&stdin_file) {
                            Ok(f) => {
                                c.stdin(f);
                            }
                            Err(e) => failed = Some(format!("n: opening the input: {e}")),
                        }
                        c
                    }
                    3 => {
                        let mut c = cmd(bin(), &path);
                        c.arg("list");
                        c
                    }
                    _ => {
                        let mut c = cmd("sh", &path);
                        c.args(["-c", crate::reads::BASELINE_LIST]);
                        c
                    }
                };
                let took = timed(&mut c)?;
                if round >= s.warmup.min(1) {
                    series.push(took);
                }
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        let names = [
            "create (duplicate-title warning)",
            "show -l TITLE",
            "hook session-start",
            "list",
            "for-each-ref | cat-file --batch",
        ];
        let mut m = [0.0; 5];
        for (i, name) in names.iter().enumerate() {
            m[i] = r.row(format!("n {name} ({label})"), &times[i]);
        }
        for (i, name) in names.iter().enumerate().take(3) {
            r.target(
                "n",
                format!("{name} <= 30 ms ({label})"),
                format!("{:.1} ms", m[i]),
                m[i] <= 30.0,
            );
        }
        let ratio = m[3] / m[4];
        r.target(
            "n",
            format!("list / for-each-ref|cat-file <= 0.25x ({label})"),
            format!("{ratio:.2}x ({:.1} / {:.1} ms)", m[3], m[4]),
            ratio <= 0.25,
        );
        if mostly_archived {
            index_series(&path, lists, &label, s.scale_runs, r)?;
        }
    }
    created_lists(s, r)
}

/// The summary index at the large size: the first `list` with the index
/// deleted (it must leave it built), interleaved with git's batch read of
/// the same lists, against `list` before the index (2.48x git's read, issue
/// 18); `list`'s peak memory (GNU time's maximum resident set), and the
/// first `list` after 1,000 lists moved with git alone (`git fast-import`
/// adds a commit to each), which must read exactly those 1,000 (the count
/// `GIT_TASKLIST_DEBUG` prints).
fn index_series(path: &Path, lists: usize, label: &str, runs: usize, r: &mut Report) -> Res<()> {
    let index = path.join(".git").join("tasklist-index");
    let (mut cold, mut baseline) = (Vec::new(), Vec::new());
    for round in 0..runs {
        for side in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            if side == 1 {
                let mut c = cmd("sh", path);
                c.args(["-c", crate::reads::BASELINE_LIST]);
                baseline.push(timed(&mut c)?);
                continue;
            }
            std::fs::remove_dir_all(&index).map_err(|e| format!("n: removing the index: {e}"))?;
            let mut c = cmd(bin(), path);
            c.arg("list");
            cold.push(timed(&mut c)?);
            if !index.join("refs%tasklists").is_file() {
                return Err("n: the first list left no index".into());
            }
        }
    }
    let m_cold = r.row(format!("n list, index deleted ({label})"), &cold);
    let m_git = r.row(format!("n for-each-ref | cat-file --batch, beside it ({label})"), &baseline);
    let ratio = m_cold / m_git;
    r.target(
        "n",
        format!("list with the index deleted / for-each-ref|cat-file <= 2.48x, before the index ({label})"),
        format!("{ratio:.2}x ({m_cold:.1} / {m_git:.1} ms)"),
        ratio <= 2.48,
    );
    let mut c = cmd("/usr/bin/time", path);
    c.args(["-f", "%M", bin(), "list"]);
    let out = c.output().map_err(|e| format!("n: /usr/bin/time: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    let kib: Option<u64> = err.lines().last().and_then(|l| l.trim().parse().ok());
    match kib {
        Some(kib) if out.status.success() => r.target(
            "n",
            format!("list's peak resident memory, stated ({label})"),
            format!("{:.1} MB", kib as f64 / 1024.0),
            true,
        ),
        _ => r.notes.push(format!("n: no peak memory from /usr/bin/time: {err}")),
    }
    // 1,000 lists spread over the repository get a commit each.
    let moved = 1000.min(lists);
    let mut child = cmd("git", path)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("n: git fast-import: {e}"))?;
    let mut w = child.stdin.take().ok_or("n: git fast-import has no stdin")?;
    let mut text = String::new();
    for k in 0..moved {
        let id = spread_id((k * (lists / moved)) as u64);
        let msg = format!("Moved by plain git\n\nTasklist: {id}\n");
        text.push_str(&format!(
            "commit refs/tasklists/{id}\ncommitter Bench <bench@example.com> {} +0000\n\
             data {}\n{msg}from refs/tasklists/{id}^0\n\n",
            T0 + 1_000_000,
            msg.len()
        ));
    }
    std::io::Write::write_all(&mut w, text.as_bytes())
        .map_err(|e| format!("n: writing to git fast-import: {e}"))?;
    drop(w);
    let out = child.wait_with_output().map_err(|e| format!("n: git fast-import: {e}"))?;
    if !out.status.success() {
        return Err(format!("n: git fast-import: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let mut c = cmd(bin(), path);
    c.env("GIT_TASKLIST_DEBUG", "1").arg("list");
    let started = Instant::now();
    let out = c.output().map_err(|e| format!("n: list: {e}"))?;
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    let read: Option<u64> = err
        .lines()
        .find_map(|l| l.strip_prefix("debug: summary index: "))
        .and_then(|l| l.split(' ').next()?.parse().ok());
    if !out.status.success() || read != Some(moved as u64) {
        return Err(format!("n: the list after {moved} lists moved read {read:?} lists: {err}"));
    }
    r.row(format!("n list after {moved} lists moved by git, reading {moved} ({label})"), &[took]);
    let mut again = Vec::new();
    for _ in 0..3 {
        let mut c = cmd(bin(), path);
        c.arg("list");
        again.push(timed(&mut c)?);
    }
    r.row(format!("n list after that, {moved} loose refs ({label})"), &again);
    Ok(())
}

/// `list` over 1,000 lists made by `create` processes (loose objects, the
/// refs as housekeeping left them) vs the same after `git gc`, 10 runs of
/// each state after a warm-up (gc goes one way, so they cannot alternate);
/// beads_rust lists 1,000 issues in 62 ms on this machine class.
fn created_lists(s: &Sizes, r: &mut Report) -> Res<()> {
    let n = if s.scale_runs > 2 { 1000 } else { 100 };
    let tmp = tempdir()?;
    let path = tmp.path().join("created");
    std::fs::create_dir_all(&path).map_err(|e| format!("n: {e}"))?;
    init_repo(&path)?;
    eprintln!("n scale: {n} lists made by create");
    for i in 0..n {
        let mut c = cmd(bin(), &path);
        c.args(["create", &format!("Created {i}"), "--task", "t1", "--task", "t2"]);
        timed(&mut c)?;
    }
    let series = |r: &mut Report, what: &str| -> Res<f64> {
        let mut times = Vec::new();
        for round in 0..1 + s.read_runs.min(10) {
            let mut c = cmd(bin(), &path);
            c.arg("list");
            let took = timed(&mut c)?;
            if round > 0 {
                times.push(took);
            }
        }
        Ok(r.row(format!("n list, {n} lists made by create, {what}"), &times))
    };
    let loose = series(r, "loose objects")?;
    git(&path, &["gc", "-q"])?;
    let packed = series(r, "after git gc")?;
    r.target(
        "n",
        format!("list of {n} lists made by create, before gc <= 62 ms"),
        format!("{loose:.1} ms ({:.2}x the packed case, {packed:.1} ms)", loose / packed),
        loose <= 62.0,
    );
    Ok(())
}
