//! The write path: `update` against git plumbing (a), concurrent writers
//! on one list (d), and `update` against `show` on one small list (i).

use std::process::Stdio;
use std::time::{Duration, Instant};

use git_tasklist_core::model::TaskList;

use crate::harness::*;

// ---------------------------------------------------------------- a: update

pub(crate) fn bench_update(s: &Sizes, r: &mut Report) -> Res<()> {
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
            let mut c = cmd(bin(), repo);
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

// ---------------------------------------------------------------- d: concurrent

/// One process's wall time and its failure (exit code, stderr), if any.
type Outcome = (Duration, Result<(), (Option<i32>, String)>);

pub(crate) fn bench_concurrent(s: &Sizes, r: &mut Report) -> Res<()> {
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
                            let mut c = cmd(bin(), repo);
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
pub(crate) fn bench_floor(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).map_err(|e| format!("creating {}: {e}", repo.display()))?;
    init_repo(&repo)?;
    let id = create(&repo, "Floor")?;
    let statuses = ["in_progress", "pending"];
    let command = |side: usize, n: usize| {
        let mut c = cmd(bin(), &repo);
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
