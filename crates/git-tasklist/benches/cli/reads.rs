//! Reads on the history repository: `show`/`update` on a long history (b),
//! `list` (c), `resume` (e), `verify` (f) and `hook session-start` (m).

use std::process::Stdio;

use crate::fixtures::*;
use crate::harness::*;

// ---------------------------------------------------------------- b: history

pub(crate) fn bench_history(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
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
        let mut c = cmd(bin(), repo);
        c.args(["-l", ids[side], "show"]);
        c
    })?;
    let status = |round: usize| if round.is_multiple_of(2) { "in_progress" } else { "pending" };
    let [upd_long, upd_fresh] = interleaved(s.warmup, s.read_runs, |side, round| {
        let mut c = cmd(bin(), repo);
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

/// git's own fastest read of every list's file.
pub(crate) const BASELINE_LIST: &str = "git for-each-ref --format='%(objectname):tasklist.toml' refs/tasklists \
                             | git cat-file --batch > /dev/null";

pub(crate) fn bench_list(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
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
            let mut c = cmd(bin(), repo);
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

// ---------------------------------------------------------------- e: resume

pub(crate) fn bench_resume(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
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
            let mut c = cmd(bin(), repo);
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

pub(crate) fn bench_verify(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
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
            let mut c = cmd(bin(), repo);
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

// ---------------------------------------------------------------- m: hook

pub(crate) fn bench_hook(s: &Sizes, h: &HistoryRepo, r: &mut Report) -> Res<()> {
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
    let mut c = cmd(bin(), repo);
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
        let mut c = cmd(bin(), repo);
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
