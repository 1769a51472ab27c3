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
        let mut c = cmd(bin(), &clone);
        c.arg("sync");
        let cmds = git_commands(c, &trace)?;
        if cmds != ["fetch"] {
            return Err(format!("j: sync with nothing to do ran git {cmds:?}, expected one fetch"));
        }
        eprintln!("j sync: nothing to do at {lists} lists, {} interleaved runs", s.sync_runs);
        let spec = "+refs/tasklists/*:refs/tasklists-remote/origin/*";
        let [ours, fetch] = interleaved(1, s.sync_runs, |side, _| {
            if side == 0 {
                let mut c = cmd(bin(), &clone);
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
