//! What the reftable ref format costs (o): `update` on reftable vs files vs
//! the same commit through git plumbing on reftable; `list` and `show` at
//! 1,000 lists on each; `TaskUpdate` calls over one MCP connection on each.
//! Each pair is measured interleaved in one run, so load drift hits both.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::fixtures::{import_lists, spread_id, toml_header};
use crate::harness::*;

/// The two ref formats, files first.
const FORMATS: [&str; 2] = ["files", "reftable"];

/// A new repository of ref format `format` at `dir`.
fn init_format(dir: &Path, format: &str) -> Res<()> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    git(dir, &["init", "-q", "-b", "main", &format!("--ref-format={format}")]).map(drop)
}

pub(crate) fn bench_reftable(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let runs = s.reftable_runs;
    eprintln!("o reftable: {runs} interleaved runs of update (files, reftable, plumbing)");
    let mut lists = Vec::new();
    for format in FORMATS {
        let dir = tmp.path().join(format!("u-{format}"));
        init_format(&dir, format)?;
        lists.push((dir.clone(), create(&dir, "Updated")?));
    }
    let plumbed = create(&lists[1].0, "Updated by plumbing")?;
    let status = |round: usize| if round.is_multiple_of(2) { "in_progress" } else { "pending" };
    let mut times: [Vec<Duration>; 3] = Default::default();
    for round in 0..s.warmup + runs {
        // Each side goes first, second and third in turn.
        for k in 0..3 {
            let side = (round + k) % 3;
            let mut c = match side {
                0 | 1 => {
                    let (dir, id) = &lists[side];
                    let mut c = cmd(bin(), dir);
                    c.args(["-l", id, "update", "t1", "--status", status(round)]);
                    c
                }
                _ => {
                    let mut c = cmd("bash", &lists[1].0);
                    let name = format!("refs/tasklists/{plumbed}");
                    c.args([PLUMBING, ".", &name, "t1", status(round)]);
                    c
                }
            };
            let took = timed(&mut c)?;
            if round >= s.warmup {
                times[side].push(took);
            }
        }
    }
    for (dir, id) in lists.iter().chain([(lists[1].0.clone(), plumbed.clone())].iter()) {
        let n = commit_count(dir, id)?;
        if n != s.warmup + runs + 1 {
            return Err(format!("o: {id} has {n} commits, expected {}", s.warmup + runs + 1));
        }
    }
    let files = r.row("o update: files", &times[0]);
    let reftable = r.row("o update: reftable", &times[1]);
    r.row("o update: bench/plumbing-update.sh on reftable", &times[2]);
    r.target(
        "o",
        "update: reftable / files <= 2.0x".into(),
        format!("{:.2}x ({reftable:.2} / {files:.2} ms)", reftable / files),
        reftable / files <= 2.0,
    );

    // list and show at s.lists lists, made by git fast-import.
    eprintln!("o reftable: list and show at {} lists, {} runs each", s.lists, s.list_runs);
    let mut many = Vec::new();
    for format in FORMATS {
        let dir = tmp.path().join(format!("l-{format}"));
        init_format(&dir, format)?;
        let files = (0..s.lists as u64).map(|i| {
            let id = spread_id(i);
            let mut text = toml_header(&id, &format!("List {i}"));
            text.push_str(
                "\n[[tasks]]\nid = \"t1\"\ntitle = \"Phase 1\"\nstatus = \"pending\"\nupdated = 2026-01-01T00:00:00Z\n",
            );
            Ok((id, text))
        });
        import_lists(&dir, files)?;
        let listed = tl(&dir, &["list"])?;
        if listed.lines().count() != s.lists {
            return Err(format!("o: list on {format} did not show {} lists", s.lists));
        }
        many.push(dir);
    }
    let shown = spread_id(s.lists as u64 / 2);
    for (what, args) in [("list", vec!["list"]), ("show", vec!["-l", &shown, "show"])] {
        let [t_files, t_reftable] = interleaved(s.warmup, s.list_runs, |side, _| {
            let mut c = cmd(bin(), &many[side]);
            c.args(&args);
            c
        })?;
        let f = r.row(format!("o {what}, {} lists: files", s.lists), &t_files);
        let t = r.row(format!("o {what}, {} lists: reftable", s.lists), &t_reftable);
        r.notes.push(format!("o: {what} at {} lists, reftable / files: {:.2}x", s.lists, t / f));
    }

    // MCP: one server per format, calls alternating in blocks.
    let n = s.reftable_mcp_calls;
    eprintln!("o reftable: {n} TaskUpdate calls over one MCP connection per format");
    let per_call = mcp_calls(&lists, n)?;
    let f = r.row("o MCP TaskUpdate per call: files", &per_call[0]);
    let t = r.row("o MCP TaskUpdate per call: reftable", &per_call[1]);
    r.target(
        "o",
        "MCP TaskUpdate: reftable / files <= 2.0x".into(),
        format!("{:.2}x ({t:.2} / {f:.2} ms)", t / f),
        t / f <= 2.0,
    );
    // The floor under a reftable write: git's own transaction, in a
    // kept-open `update-ref --stdin` as the server uses it.
    let floor = transactions(&lists[1].0, &lists[1].1, n)?;
    let g = r.row("o git update-ref --stdin transaction alone: reftable", &floor);
    r.notes.push(format!(
        "o: MCP TaskUpdate on reftable minus git's own transaction: {:.2} ms (files: {f:.2} ms)",
        t - g
    ));
    Ok(())
}

/// `n` compare-and-swap transactions through one `git update-ref --stdin`
/// in `dir`, moving a scratch ref between list `id`'s two latest commits;
/// each one's wall time.
fn transactions(dir: &Path, id: &str, n: usize) -> Res<Vec<Duration>> {
    use std::io::{BufRead, Write};
    let tip = format!("refs/tasklists/{id}");
    let commits = [git(dir, &["rev-parse", &tip])?, git(dir, &["rev-parse", &format!("{tip}~1")])?];
    let commits = commits.map(|c| c.trim().to_string());
    git(dir, &["update-ref", "refs/bench/floor", &commits[0]])?;
    let mut child = cmd("git", dir)
        .args(["update-ref", "--no-deref", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("o: git update-ref: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("o: no stdin")?;
    let mut stdout = std::io::BufReader::new(child.stdout.take().ok_or("o: no stdout")?);
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let (old, new) = (&commits[i % 2], &commits[(i + 1) % 2]);
        let start = Instant::now();
        write!(stdin, "start\nupdate refs/bench/floor {new} {old}\nprepare\ncommit\n")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("o: git update-ref: {e}"))?;
        for _ in 0..3 {
            let mut line = String::new();
            stdout.read_line(&mut line).map_err(|e| format!("o: git update-ref: {e}"))?;
            if !line.ends_with(": ok\n") {
                return Err(format!("o: git update-ref answered {line:?}"));
            }
        }
        times.push(start.elapsed());
    }
    drop(stdin);
    let _ = child.wait();
    Ok(times)
}

/// `n` TaskUpdate calls on each of `lists` (files, reftable) through one
/// server each, alternating in blocks of 10; each call's wall time.
fn mcp_calls(lists: &[(std::path::PathBuf, String)], n: usize) -> Res<[Vec<Duration>; 2]> {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("o: tokio: {e}"))?;
    runtime.block_on(async {
        let mut clients = Vec::new();
        for (dir, _) in lists {
            let mut c = cmd(bin(), dir);
            c.env("TASKLIST_SESSION", "bench").arg("mcp");
            let transport =
                rmcp::transport::TokioChildProcess::new(tokio::process::Command::from(c))
                    .map_err(|e| format!("o: cannot start the server: {e}"))?;
            clients.push(().serve(transport).await.map_err(|e| format!("o: initialize: {e}"))?);
        }
        let mut times: [Vec<Duration>; 2] = Default::default();
        for block in 0..n.div_ceil(10) {
            for k in 0..2 {
                let side = (block + k) % 2;
                for i in 0..10.min(n - block * 10) {
                    let note = format!("n{block}-{i}");
                    let args =
                        serde_json::json!({"list": lists[side].1, "taskId": "t2", "note": note});
                    let params = CallToolRequestParams::new("TaskUpdate")
                        .with_arguments(args.as_object().cloned().unwrap_or_default());
                    let start = Instant::now();
                    let res = clients[side]
                        .call_tool(params)
                        .await
                        .map_err(|e| format!("o: call: {e}"))?;
                    times[side].push(start.elapsed());
                    if res.is_error == Some(true) {
                        return Err(format!("o: TaskUpdate failed: {res:?}"));
                    }
                }
            }
        }
        for client in clients {
            let _ = client.cancel().await;
        }
        Ok(times)
    })
}
