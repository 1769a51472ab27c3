//! `sync` against a remote (j).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::fixtures::*;
use crate::harness::*;

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
pub(crate) fn bench_sync(s: &Sizes, r: &mut Report) -> Res<()> {
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
        noop_against_fetch(&clone, &trace, s.sync_runs, 2.0, r)?;
        if lists != s.lists {
            continue;
        }
        // 100 lists changed here: one push.
        let changed = 100.min(lists);
        for id in &ids[..changed] {
            tl(&clone, &["-l", id, "update", "t1", "--note", "here"])?;
        }
        let mut c = cmd(bin(), &clone);
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

/// `sync` with nothing to do in `clone` (one fetch, checked with a trace
/// into `trace`) against the same `git fetch` alone, `runs` interleaved
/// runs each; the target is a ratio of at most `limit`.
fn noop_against_fetch(
    clone: &Path,
    trace: &Path,
    runs: usize,
    limit: f64,
    r: &mut Report,
) -> Res<()> {
    let lists = git(clone, &["for-each-ref", "--format=x", "refs/tasklists"])?.lines().count();
    let label = if lists >= 100_000 { count_label(lists) } else { lists.to_string() };
    let mut c = cmd(bin(), clone);
    c.arg("sync");
    let cmds = git_commands(c, trace)?;
    if cmds != ["fetch"] {
        return Err(format!("j: sync with nothing to do ran git {cmds:?} at {label} lists"));
    }
    eprintln!("j sync: nothing to do at {label} lists, {runs} interleaved runs");
    let spec = "+refs/tasklists/*:refs/tasklists-remote/origin/*";
    let [ours, fetch] = interleaved(1, runs, |side, _| {
        if side == 0 {
            let mut c = cmd(bin(), clone);
            c.arg("sync");
            c
        } else {
            let mut c = cmd("git", clone);
            c.args(["fetch", "--quiet", "--no-tags", "--prune", "origin", spec]);
            c
        }
    })?;
    let m_ours = r.row(format!("j sync, nothing to do ({label} lists)"), &ours);
    let m_fetch = r.row(format!("j git fetch alone ({label} lists)"), &fetch);
    let ratio = m_ours / m_fetch;
    r.target(
        "j",
        format!("sync with nothing to do / its git fetch <= {limit}x ({label} lists; one fetch, no push)"),
        format!("{ratio:.2}x ({m_ours:.1} / {m_fetch:.1} ms)"),
        ratio <= limit,
    );
    Ok(())
}

/// Adds a remote-tracking ref `refs/tasklists-remote/origin/<id>` beside
/// every packed `refs/tasklists/<id>` of `repo`, in `packed-refs` itself: the
/// state one sync leaves in a clone that has every list (git's own fetch of
/// 100,000 new refs writes them loose, which takes minutes on a loaded
/// machine; sync packs them afterwards).
fn track_all_packed(repo: &Path) -> Res<usize> {
    let file = repo.join(".git").join("packed-refs");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("j: {}: {e}", file.display()))?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("# pack-refs with: peeled fully-peeled sorted ");
    let mut refs: Vec<String> = lines.map(str::to_string).collect();
    let tracking: Vec<String> = refs
        .iter()
        .filter(|l| l.contains(" refs/tasklists/"))
        .map(|l| l.replacen(" refs/tasklists/", " refs/tasklists-remote/origin/", 1))
        .collect();
    let n = tracking.len();
    refs.extend(tracking);
    refs.sort_by(|a, b| a.split_once(' ').map(|x| x.1).cmp(&b.split_once(' ').map(|x| x.1)));
    let mut out = format!("{header}\n");
    for l in refs {
        out.push_str(&l);
        out.push('\n');
    }
    std::fs::write(&file, out).map_err(|e| format!("j: writing {}: {e}", file.display()))?;
    Ok(n)
}

/// The CPU seconds (user + system) of this process's waited-for children
/// so far, from `/proc/self/stat` (`None` where there is none).
fn children_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command's closing parenthesis: cutime and cstime
    // are the 14th and 15th, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(13)?.parse::<f64>().ok()? + f.get(14)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A row of the CPU time (user + system, children included) of the run
/// `label` names, when known: steadier than wall time on a busy machine.
fn cpu_row(r: &mut Report, label: &str, cpu: Option<f64>) {
    if let Some(cpu) = cpu {
        r.row(format!("{label}, CPU"), &[std::time::Duration::from_secs_f64(cpu.max(0.0))]);
    }
}

/// [`timed`], keeping what `c` wrote on stderr.
fn timed_stderr(c: &mut Command) -> Res<(std::time::Duration, String)> {
    c.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let out = c.output().map_err(|e| format!("cannot run {c:?}: {e}"))?;
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(format!("{c:?} failed ({}): {}", out.status, err.trim()));
    }
    Ok((took, err))
}

/// The large series of j: `sync` with nothing to do at `s.sync_scale` lists
/// against its `git fetch` alone, interleaved; then the first sync pushing
/// a tenth of them and all of them to an empty remote, per list.
pub(crate) fn bench_sync_scale(s: &Sizes, r: &mut Report) -> Res<()> {
    let lists = s.sync_scale;
    let label = count_label(lists);
    let tmp = tempdir()?;
    let remote = tmp.path().join("remote");
    let clone = tmp.path().join("clone");
    let archived90: fn(u64) -> bool = |i| i % 10 != 0;
    crate::scale::scale_repo(&remote, lists, archived90, "archived90")?;
    crate::scale::scale_repo(&clone, lists, archived90, "archived90")?;
    git(&clone, &["remote", "add", "origin", "../remote"])?;
    let tracked = track_all_packed(&clone)?;
    if tracked != lists {
        return Err(format!("j: {tracked} tracking refs made for {lists} lists"));
    }
    noop_against_fetch(&clone, &tmp.path().join("trace"), s.sync_scale_runs, 1.5, r)?;
    drop(tmp);

    // The first sync to an empty remote: every list pushed, in batches;
    // at the full size also git's own push of the same refs, alone.
    let mut per_list = Vec::new();
    for n in [lists / 10, lists] {
        let tmp = tempdir()?;
        let here = tmp.path().join("here");
        if n == lists {
            crate::scale::scale_repo(&here, n, archived90, "archived90")?;
        } else {
            crate::scale::scale_repo(&here, n, |i| i % 10 == 9, "archived10")?;
        }
        git(tmp.path(), &["init", "-q", "--bare", "empty.git"])?;
        git(&here, &["remote", "add", "origin", "../empty.git"])?;
        let n_label = count_label(n);
        eprintln!("j sync: first push of {n_label} lists to an empty remote");
        let mut c = cmd(bin(), &here);
        c.args(["sync", "--progress"]);
        let cpu = children_cpu();
        let (took, err) = timed_stderr(&mut c)?;
        let cpu = cpu.zip(children_cpu()).map(|(a, b)| b - a);
        let landed = git(&here, &["ls-remote", "origin", "refs/tasklists/*"])?.lines().count();
        if landed != n {
            return Err(format!("j: the first sync landed {landed} of {n} lists"));
        }
        let pushes = err.lines().filter(|l| l.starts_with("sync: pushed")).count();
        eprintln!("j sync: {n_label} lists pushed in {pushes} pushes");
        let label = format!("j first sync pushing {n_label} lists to an empty remote");
        r.row(label.clone(), &[took]);
        cpu_row(r, &label, cpu);
        per_list.push(took.as_secs_f64() * 1e6 / n as f64);
        if n == lists {
            git(tmp.path(), &["init", "-q", "--bare", "alone.git"])?;
            let mut c = cmd("git", &here);
            c.args(["push", "-q", "../alone.git", "refs/tasklists/*:refs/tasklists/*"]);
            let cpu = children_cpu();
            let took = timed(&mut c)?;
            let cpu = cpu.zip(children_cpu()).map(|(a, b)| b - a);
            let label = format!("j git push of the same {n_label} lists alone (one push)");
            r.row(label.clone(), &[took]);
            cpu_row(r, &label, cpu);
        }
    }
    let growth = per_list[1] / per_list[0];
    r.target(
        "j",
        format!("first push: cost per list at {label} / at a tenth <= 1.5x (linear)"),
        format!("{growth:.2}x ({:.0} / {:.0} µs a list)", per_list[1], per_list[0]),
        growth <= 1.5,
    );
    Ok(())
}
