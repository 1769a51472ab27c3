//! The MCP server against processes (k).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::harness::*;

// ---------------------------------------------------------------- k: mcp

/// `s.mcp_calls` `TaskUpdate` calls over one MCP connection against as many
/// `update` processes, on one list each; every commit must land.
pub(crate) fn bench_mcp(s: &Sizes, r: &mut Report) -> Res<()> {
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
        let mut c = cmd(bin(), &repo);
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
    let bin_dir = Path::new(bin()).parent().ok_or("k: the binary has no directory")?;
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
                cmd(bin(), &repo)
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
