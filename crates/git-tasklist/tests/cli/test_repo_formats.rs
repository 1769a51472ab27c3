//! Every repository kind git makes: files or reftable refs × SHA-1 or
//! SHA-256 object ids, each also from a linked worktree; the write
//! guarantee and sync on each.

use std::path::Path;

use serde_json::json;

use crate::common::{Formats, TestRepo, created_id, stdout};

/// The formats `git` reports for the repository at `dir`.
fn formats_of(repo: &TestRepo, dir: &Path) -> (String, String) {
    let out = repo.git_in(dir, &["rev-parse", "--show-object-format", "--show-ref-format"]);
    let mut lines = out.lines().map(String::from);
    (lines.next().unwrap_or_default(), lines.next().unwrap_or_default())
}

/// create/start/done/handoff/resume/verify/list/log in `dir`, checked
/// through git; returns the list's id.
fn workflow(repo: &TestRepo, dir: &Path, title: &str) -> String {
    let hex = repo.formats.hex_len();
    let id = created_id(repo.cmd_in(dir).args(["create", title, "--task", "a", "--task", "b"]));
    let session = ["--session", "s1", "-l", &id];
    repo.cmd_in(dir).args(session).args(["start", "a"]).assert().success();
    repo.cmd_in(dir).args(session).args(["done", "a"]).assert().success();
    repo.cmd_in(dir).args(session).args(["handoff", "-m", "over to you"]).assert().success();
    let out = repo.cmd_in(dir).args(["--session", "s2", "-l", &id, "resume"]).assert().success();
    assert!(stdout(out.get_output()).contains("over to you"), "resume shows the handoff");
    repo.cmd_in(dir).args(["-l", &id, "verify"]).assert().success();
    let out = repo.cmd_in(dir).args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = v["lists"].as_array().unwrap().iter().any(|l| l["id"] == id.as_str());
    assert!(listed, "{v}");
    let out = repo.cmd_in(dir).args(["--json", "-l", &id, "log"]).assert().success();
    let log: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let entries = log.as_array().or_else(|| log["entries"].as_array()).unwrap().clone();
    assert_eq!(entries.len(), 4, "{log}");
    // The tip the tool reports is git's, at this format's length.
    let out = repo.cmd_in(dir).args(["--json", "show", &id]).assert().success();
    let shown: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let git_tip = repo.git_in(dir, &["rev-parse", &format!("refs/tasklists/{id}")]);
    assert_eq!(shown["tip"].as_str().unwrap(), git_tip.trim());
    assert_eq!(git_tip.trim().len(), hex, "{git_tip}");
    assert_eq!(repo.git_in(dir, &["rev-list", "--count", git_tip.trim()]).trim(), "4");
    // Each commit's trailers name its parent by a full id of this format.
    let parents = repo.git_in(dir, &["log", "--format=%P", &format!("refs/tasklists/{id}")]);
    assert!(parents.lines().all(|p| p.is_empty() || p.len() == hex), "{parents}");
    id
}

#[test]
fn every_format_runs_the_workflow_in_the_repo_and_a_linked_worktree() {
    for formats in Formats::all() {
        let repo = TestRepo::new_with(formats.clone());
        repo.write("README.md", "x\n");
        repo.git(&["add", "README.md"]);
        repo.git(&["commit", "-q", "-m", "init"]);
        let want = (formats.object.clone(), formats.refs.clone());
        assert_eq!(formats_of(&repo, &repo.path), want);
        let wt = repo.root().join("wt");
        repo.git(&["worktree", "add", "-q", "-b", "feature", wt.to_str().unwrap()]);
        let before = repo.snapshot();

        let main = workflow(&repo, &repo.path, "From main");
        let linked = workflow(&repo, &wt, "From worktree");
        // Each list is seen from the other checkout.
        repo.cmd_in(&wt).args(["-l", &main, "show"]).assert().success();
        repo.cmd().args(["-l", &linked, "show"]).assert().success();
        // HEAD, index, branches of the main checkout are untouched.
        assert_eq!(repo.snapshot(), before, "{formats:?}");
        let refs = repo.git(&["for-each-ref", "--format=%(refname)", "refs/tasklists"]);
        assert_eq!(refs.lines().count(), 2, "{formats:?}: {refs}");
        repo.fsck();
    }
}

#[test]
fn every_format_keeps_eight_times_thirty_updates() {
    for formats in Formats::all() {
        crate::test_concurrency::hammer(&TestRepo::new_with(formats));
    }
}

#[test]
fn every_format_syncs_two_clones() {
    for formats in Formats::all() {
        let t = crate::test_sync::team_with(formats.clone());
        assert_eq!(formats_of(&t.repo, &t.a), (formats.object.clone(), formats.refs.clone()));
        let id = t.create(&t.a, &["Plan", "-t", "a", "-t", "b"]);
        assert_eq!(crate::test_sync::action(&t.json(&t.a, &["sync"]), &id), "pushed");
        assert_eq!(crate::test_sync::action(&t.json(&t.b, &["sync"]), &id), "new");
        t.tl(&t.a, &["--session", "sa", "-l", &id, "done", "a"]);
        t.tl(&t.b, &["--session", "sb", "-l", &id, "start", "b"]);
        assert_eq!(crate::test_sync::action(&t.json(&t.a, &["sync"]), &id), "pushed");
        assert_eq!(crate::test_sync::action(&t.json(&t.b, &["sync"]), &id), "merged");
        assert_eq!(crate::test_sync::action(&t.json(&t.a, &["sync"]), &id), "fast_forward");
        assert_eq!(t.tip(&t.a, &id), t.tip(&t.b, &id), "{formats:?}");
        assert_eq!(t.tip(&t.a, &id).len(), formats.hex_len());
        let v = t.json(&t.a, &["show", &id]);
        assert_eq!(v["tasks"][0]["status"], "completed", "{formats:?}");
        assert_eq!(v["tasks"][1]["status"], "in_progress", "{formats:?}");
        t.fsck(&t.a);
        t.fsck(&t.b);
    }
}

/// `sync` (with `extra` arguments) from a repository of object format
/// `ours` to an empty bare remote of format `theirs`: a clear error naming
/// both, nothing written here or there.
fn sync_across_formats(ours: &str, theirs: &str, extra: &[&str]) {
    let repo = TestRepo::new_with(Formats { object: ours.into(), refs: "files".into() });
    let id = repo.create("Plan", &["a"]);
    let remote = repo.root().join("remote.git");
    let format = format!("--object-format={theirs}");
    let out = repo.git_output_in(repo.root(), &["init", "-q", "--bare", &format, "remote.git"]);
    // The helper adds its own --object-format first; git takes the last one.
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(formats_of(&repo, &remote).0, theirs);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    let before = repo.refs();
    let out =
        repo.cmd().arg("--json").arg("sync").args(extra).assert().code(1).get_output().clone();
    let text = if out.stdout.is_empty() { &out.stderr } else { &out.stdout };
    let v: serde_json::Value = serde_json::from_slice(text).unwrap();
    let message = v["error"].as_str().unwrap();
    assert!(message.contains("SHA-256") && message.contains("SHA-1"), "{extra:?}: {v}");
    assert!(message.contains("'origin'"), "{v}");
    assert_eq!(v["code"], "unsupported_repository", "{v}");
    assert_eq!(repo.refs(), before, "nothing written");
    assert_eq!(repo.git_in(&remote, &["for-each-ref"]), "", "nothing pushed");
    repo.cmd().args(["-l", &id, "show"]).assert().success();
}

#[test]
fn syncing_a_sha1_clone_with_a_sha256_remote_names_both_formats() {
    sync_across_formats("sha1", "sha256", &[]);
    sync_across_formats("sha256", "sha1", &[]);
}

#[test]
fn a_dry_run_sync_across_object_formats_names_both_as_a_sync_would() {
    sync_across_formats("sha1", "sha256", &["--dry-run"]);
    sync_across_formats("sha256", "sha1", &["--dry-run"]);
}

#[test]
fn a_partial_clone_fetches_a_missing_list_tree_or_blob_or_names_the_remote() {
    let repo = TestRepo::new();
    repo.write("README.md", "x\n");
    repo.git(&["add", "README.md"]);
    repo.git(&["commit", "-q", "-m", "init"]);
    repo.git(&["config", "uploadpack.allowFilter", "true"]);
    repo.git(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
    let id = repo.create("Plan", &["a", "b"]);
    repo.cmd().args(["-l", &id, "start", "a"]).assert().success();
    let url = format!("file://{}", repo.path.display());
    let fetch_lists = ["fetch", "-q", "origin", "refs/tasklists/*:refs/tasklists/*"];
    let missing = |dir: &Path| {
        let objects = repo.git_in(
            dir,
            &["rev-list", "--objects", "--missing=print", &format!("refs/tasklists/{id}")],
        );
        objects.lines().filter_map(|l| l.strip_prefix('?')).map(String::from).collect::<Vec<_>>()
    };
    // blob:none leaves the list blobs out; tree:0 their trees too.
    let tree = repo.git(&["rev-parse", &format!("refs/tasklists/{id}^{{tree}}")]);
    for (filter, tree_absent) in [("blob:none", false), ("tree:0", true)] {
        let filter_arg = format!("--filter={filter}");
        for name in ["on-demand", "remote-gone"] {
            let name = format!("{name}-{filter}");
            repo.git_in(repo.root(), &["clone", "-q", &filter_arg, &url, &name]);
            repo.git_in(&repo.root().join(&name), &fetch_lists);
            let here = repo.root().join(&name);
            // Two blobs, or two trees (whose blobs git cannot name).
            let absent = missing(&here);
            assert_eq!(absent.len(), 2, "{filter}: the list's objects are not local");
            let tree = tree.trim().to_string();
            assert_eq!(absent.contains(&tree), tree_absent, "{filter}: the tip's tree");
        }
    }

    // Fetched on demand through git, from the promisor remote.
    for filter in ["blob:none", "tree:0"] {
        let here = repo.root().join(format!("on-demand-{filter}"));
        let out = repo.cmd_in(&here).args(["--json", "-l", &id, "show"]).assert().success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(v["tasks"][0]["status"], "in_progress", "{filter}: {v}");
        repo.cmd_in(&here).args(["-l", &id, "verify"]).assert().success();
        assert_eq!(missing(&here), Vec::<String>::new(), "{filter}");
        repo.cmd_in(&here).args(["-l", &id, "done", "a"]).assert().success();
    }

    // With the remote gone: a clear error naming it, not a crash.
    std::fs::rename(&repo.path, repo.root().join("moved")).unwrap();
    for filter in ["blob:none", "tree:0"] {
        let gone = repo.root().join(format!("remote-gone-{filter}"));
        let err = crate::common::expect_error(repo.cmd_in(&gone).args(["-l", &id, "show"]), 1);
        assert!(err.contains("partial clone") && err.contains("'origin'"), "{filter}: {err}");
    }
}

#[test]
fn a_repository_git_refuses_for_its_owner_gets_gits_explanation() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    // Another user's repository: only root can make one here.
    let chown = std::process::Command::new("chown").args(["-R", "nobody"]).arg(&repo.path).output();
    if !chown.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: chown to another user needs root");
        return;
    }
    let before = repo.git_output_in(&repo.path, &["status"]);
    assert!(!before.status.success(), "git itself refuses the repository");
    let err = crate::common::expect_error(repo.cmd().args(["-l", &id, "show"]), 1);
    assert!(err.contains("dubious ownership") && err.contains("safe.directory"), "{err}");
    // Marked safe, as git's own message says, it works again.
    repo.cmd()
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "safe.directory")
        .env("GIT_CONFIG_VALUE_0", "*")
        .args(["-l", &id, "show"])
        .assert()
        .success();
}

/// git processes the trace file at `path` records as started.
fn git_starts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| l.contains("trace: built-in: git") || l.contains("trace: exec: git"))
        .map(String::from)
        .collect()
}

#[test]
fn an_mcp_server_on_reftable_starts_its_git_helpers_once() {
    let formats = Formats { object: "sha1".into(), refs: "reftable".into() };
    let repo = TestRepo::new_with(formats);
    let id = repo.create("Plan", &["a", "b"]);
    let trace = repo.root().join("git-trace");
    let mut cmd = repo.std_cmd();
    cmd.env("TASKLIST_SESSION", "agent").env("GIT_TRACE", &trace).arg("mcp");
    let mut server = crate::mcp_support::Raw::start(cmd);
    crate::mcp_support::claude_open(&mut server);
    let mut call = 0;
    let mut calls = |server: &mut crate::mcp_support::Raw, n: usize| {
        for _ in 0..n {
            call += 1;
            let note = format!("n{call}");
            let args = json!({ "list": id, "taskId": "a", "note": note });
            let out = server.tool(call, "TaskUpdate", args);
            assert_eq!(out["isError"], false, "{out}");
            let out = server.tool(1000 + call, "TaskListGet", json!({ "list": id }));
            assert_eq!(out["isError"], false, "{out}");
        }
    };
    calls(&mut server, 2);
    let warm = git_starts(&trace);
    calls(&mut server, 20);
    let after = git_starts(&trace);
    assert_eq!(after.len(), warm.len(), "git started again for later calls: {after:#?}");
    assert!(warm.iter().any(|l| l.contains("update-ref")), "{warm:#?}");
    assert_eq!(server.finish(), Some(0));
    assert_eq!(repo.commit_count(&id), 23);
    assert_eq!(repo.show_json(&id)["tasks"][0]["note"], "n22");
}

#[test]
fn reftable_writes_the_reflog_messages_files_does() {
    let logs: Vec<String> = ["files", "reftable"]
        .into_iter()
        .map(|refs| {
            let repo = TestRepo::new_with(Formats { object: "sha1".into(), refs: refs.into() });
            repo.git(&["config", "core.logAllRefUpdates", "always"]);
            let id = repo.create("Plan", &["a", "b"]);
            repo.cmd().args(["-l", &id, "start", "a"]).assert().success();
            repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
            repo.cmd().args(["-l", &id, "update", "b", "--note", "x"]).assert().success();
            let log = repo.git(&[
                "reflog",
                "show",
                "--format=%gs|%gn|%ge",
                &format!("refs/tasklists/{id}"),
            ]);
            assert_eq!(log.lines().count(), 4, "{refs}: {log}");
            log
        })
        .collect();
    assert_eq!(logs[0], logs[1]);
    assert!(logs[1].starts_with("tasklist: "), "{}", logs[1]);
}

#[test]
fn a_symbolic_list_ref_is_read_and_refused_alike_on_files_and_reftable() {
    let seen: Vec<(Vec<String>, String)> = ["files", "reftable"]
        .into_iter()
        .map(|refs| {
            let repo = TestRepo::new_with(Formats { object: "sha1".into(), refs: refs.into() });
            repo.create("Plain", &["a"]);
            let id = repo.create("Linked", &["a"]);
            // The list's commits kept under another ref, its own name a
            // symbolic ref to that one.
            let r = format!("refs/tasklists/{id}");
            repo.git(&["update-ref", "refs/kept/linked", &repo.tip(&id)]);
            repo.git(&["update-ref", "--no-deref", "-d", &r]);
            repo.git(&["symbolic-ref", &r, "refs/kept/linked"]);
            let titles = || {
                let v: serde_json::Value = serde_json::from_slice(
                    &repo.cmd().args(["--json", "list"]).assert().success().get_output().stdout,
                )
                .unwrap();
                let mut t: Vec<String> = v["lists"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["title"].as_str().unwrap().to_string())
                    .collect();
                t.sort();
                t
            };
            let cold = titles();
            assert_eq!(titles(), cold, "{refs}: the summary index answers as the full read");
            let before = repo.git(&["rev-parse", "refs/kept/linked"]);
            let err = crate::common::expect_error(repo.cmd().args(["-l", &id, "done", "a"]), 1);
            assert!(err.contains("is a symbolic ref (to refs/kept/linked)"), "{refs}: {err}");
            assert_eq!(repo.git(&["rev-parse", "refs/kept/linked"]), before, "nothing written");
            let target = repo.git(&["symbolic-ref", &r]);
            assert_eq!(target.trim(), "refs/kept/linked", "{refs}: the ref stays symbolic");
            (cold, err.replace(&id, "ID"))
        })
        .collect();
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0].0, ["Linked", "Plain"]);
}
