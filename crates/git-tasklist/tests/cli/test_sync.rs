//! `sync` against a bare remote on a plain path, with two clones editing.

use std::path::{Path, PathBuf};

use crate::common::{TestRepo, expect_error, stdout};

/// A bare remote and two clones of it, all in one temp dir.
pub(crate) struct Team {
    pub(crate) repo: TestRepo,
    pub(crate) a: PathBuf,
    pub(crate) b: PathBuf,
}

pub(crate) fn team() -> Team {
    team_with(crate::common::Formats::from_env())
}

/// [`team`] with every repository in `formats`.
pub(crate) fn team_with(formats: crate::common::Formats) -> Team {
    let repo = TestRepo::new_with(formats);
    repo.write("README.md", "x\n");
    repo.git(&["add", "README.md"]);
    repo.git(&["commit", "-q", "-m", "init"]);
    let root = repo.root().to_path_buf();
    repo.git_in(&root, &["clone", "-q", "--bare", "repo", "remote.git"]);
    repo.git_in(&root, &["clone", "-q", "remote.git", "a"]);
    repo.git_in(&root, &["clone", "-q", "remote.git", "b"]);
    Team { a: root.join("a"), b: root.join("b"), repo }
}

impl Team {
    pub(crate) fn tl(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.repo.cmd_in(dir).args(args).assert().success().get_output().clone();
        stdout(&out)
    }

    pub(crate) fn json(&self, dir: &Path, args: &[&str]) -> serde_json::Value {
        let out =
            self.repo.cmd_in(dir).arg("--json").args(args).assert().success().get_output().clone();
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `create ARGS` in `dir`; returns the new list's id.
    pub(crate) fn create(&self, dir: &Path, args: &[&str]) -> String {
        self.tl(dir, &[&["create"], args].concat()).lines().next().unwrap().to_string()
    }

    /// `--json ARGS` that exits with `code`: the JSON on stdout and stderr.
    pub(crate) fn json_exit(
        &self,
        dir: &Path,
        args: &[&str],
        code: i32,
    ) -> (serde_json::Value, String) {
        let out = self.repo.cmd_in(dir).arg("--json").args(args).assert().code(code);
        let out = out.get_output().clone();
        (serde_json::from_slice(&out.stdout).unwrap(), crate::common::stderr(&out))
    }

    /// `--json ARGS` that exits with `code`: stdout and stderr as text.
    pub(crate) fn json_exit_err(&self, dir: &Path, args: &[&str], code: i32) -> (String, String) {
        let out = self.repo.cmd_in(dir).arg("--json").args(args).assert().code(code);
        let out = out.get_output().clone();
        (stdout(&out), crate::common::stderr(&out))
    }

    pub(crate) fn tip(&self, dir: &Path, id: &str) -> String {
        self.repo.git_in(dir, &["rev-parse", &format!("refs/tasklists/{id}")]).trim().to_string()
    }

    /// `git fsck --strict` in `dir`: success, and no error or warning.
    pub(crate) fn fsck(&self, dir: &Path) {
        let out = self.repo.git_output_in(dir, &["fsck", "--strict", "--no-progress"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        let bad = err.lines().any(|l| l.starts_with("error") || l.starts_with("warning"));
        assert!(!bad, "git fsck --strict: {err}");
    }
}

pub(crate) fn action(v: &serde_json::Value, id: &str) -> String {
    let l = v["lists"].as_array().unwrap().iter().find(|l| l["id"] == id).unwrap();
    l["action"].as_str().unwrap().to_string()
}

#[test]
fn two_clones_exchange_and_merge_their_progress() {
    let t = team();
    let created = t.tl(&t.a, &["create", "Plan", "-t", "a", "-t", "b", "-t", "c"]);
    let id = created.lines().next().unwrap().to_string();
    let v = t.json(&t.a, &["sync"]);
    assert_eq!(action(&v, &id), "pushed");
    let remote = t.repo.root().join("remote.git");
    let on_remote = t.repo.git_in(&remote, &["rev-parse", &format!("refs/tasklists/{id}")]);
    assert_eq!(on_remote.trim(), t.tip(&t.a, &id));
    // Not a branch anywhere.
    assert!(!t.repo.git_in(&t.b, &["branch", "-a"]).contains("tasklist"));

    let v = t.json(&t.b, &["sync"]);
    assert_eq!(action(&v, &id), "new");
    assert_eq!(t.tip(&t.b, &id), t.tip(&t.a, &id));

    // Both sides change different tasks, and the same note.
    t.tl(&t.a, &["--session", "sa", "-l", &id, "done", "a", "--note", "from a"]);
    t.tl(&t.b, &["--session", "sb", "-l", &id, "start", "b"]);
    t.tl(&t.b, &["--session", "sb", "-l", &id, "update", "a", "--note", "from b"]);
    t.tl(&t.b, &["-l", &id, "add", "d", "--title", "Added in b"]);
    // When each side last changed task a (whole seconds), for the note's rule below.
    let a_changed = |dir: &Path| {
        let s = t.json(dir, &["show", &id]);
        let a = s["tasks"].as_array().unwrap().iter().find(|x| x["id"] == "a").unwrap().clone();
        a["updated"].as_str().unwrap().to_string()
    };
    let (changed_in_a, changed_in_b) = (a_changed(&t.a), a_changed(&t.b));
    assert_eq!(action(&t.json(&t.a, &["sync"]), &id), "pushed");
    let v = t.json(&t.b, &["sync"]);
    assert_eq!(action(&v, &id), "merged");
    let l = v["lists"].as_array().unwrap().iter().find(|l| l["id"] == id.as_str()).unwrap().clone();
    assert_eq!(l["pushed"], true);
    assert_eq!(l["conflicts"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(action(&t.json(&t.a, &["sync"]), &id), "fast_forward");
    assert_eq!(t.tip(&t.a, &id), t.tip(&t.b, &id));
    assert_eq!(action(&t.json(&t.a, &["sync"]), &id), "up_to_date");

    // The merged state has everything either side wrote.
    let s = t.json(&t.a, &["show", &id]);
    let task =
        |k: &str| s["tasks"].as_array().unwrap().iter().find(|x| x["id"] == k).unwrap().clone();
    assert_eq!(task("a")["status"], "completed");
    assert_eq!(task("b")["status"], "in_progress");
    assert_eq!(task("b")["owner"], "sb");
    assert_eq!(task("d")["title"], "Added in b");
    // Both set a's note: the later change wins (within one second, the
    // side where the task is further along: completed, so "from a").
    let later = if changed_in_b > changed_in_a { "from b" } else { "from a" };
    assert_eq!(task("a")["note"], later, "a changed at {changed_in_a}, b at {changed_in_b}");
    // The merge commit has both parents and names its conflict.
    let tip = t.tip(&t.a, &id);
    let parents = t.repo.git_in(&t.a, &["rev-list", "--parents", "-n", "1", &tip]);
    assert_eq!(parents.split_whitespace().count(), 3, "{parents}");
    let msg = t.repo.git_in(&t.a, &["log", "-1", "--format=%B", &tip]);
    assert!(
        msg.contains("Op: merge") && msg.contains("Conflict: a note: the later change wins"),
        "{msg}"
    );
    for dir in [&t.a, &t.b] {
        t.repo.cmd_in(dir).args(["-l", &id, "verify"]).assert().success();
        t.fsck(dir);
    }
}

#[test]
fn sync_errors_are_clear_and_change_nothing() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a"]);
    let tip = t.tip(&t.a, &id);
    let err = crate::common::expect_error(t.repo.cmd_in(&t.a).args(["sync", "nowhere"]), 1);
    assert!(err.contains("Remote 'nowhere' is not configured"), "{err}");
    t.repo.git_in(&t.a, &["remote", "add", "gone", "/nonexistent/remote.git"]);
    let err = crate::common::expect_error(t.repo.cmd_in(&t.a).args(["sync", "gone"]), 1);
    assert!(err.contains("Fetching task lists from 'gone' failed"), "{err}");
    assert_eq!(t.tip(&t.a, &id), tip);
    // --dry-run and --no-push leave the remote alone.
    let v = t.json(&t.a, &["sync", "--dry-run"]);
    assert_eq!(action(&v, &id), "pushed");
    let v = t.json(&t.a, &["sync", "--no-push"]);
    assert_eq!(v["lists"][0]["pushed"], false);
    let remote = t.repo.root().join("remote.git");
    let refs = t.repo.git_in(&remote, &["for-each-ref", "refs/tasklists"]);
    assert_eq!(refs, "", "nothing was pushed");
}

#[test]
fn init_adds_one_glob_fetch_refspec_and_a_plain_fetch_brings_the_lists() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a"]);
    t.tl(&t.a, &["sync"]);
    let before = t.repo.git_in(&t.b, &["config", "--get-all", "remote.origin.fetch"]);
    let out = t.tl(&t.b, &["init"]);
    assert!(
        out.starts_with("Added fetch refspec +refs/tasklists/*:refs/tasklists-remote/origin/*"),
        "{out}"
    );
    assert!(t.tl(&t.b, &["init"]).starts_with("Already there:"), "idempotent");
    let after = t.repo.git_in(&t.b, &["config", "--get-all", "remote.origin.fetch"]);
    assert_eq!(after, format!("{before}+refs/tasklists/*:refs/tasklists-remote/origin/*\n"));
    assert!(
        t.repo
            .git_output_in(&t.b, &["config", "--get-all", "remote.origin.push"])
            .stdout
            .is_empty()
    );
    // A plain git fetch now brings the list, into the tracking namespace only.
    t.repo.git_in(&t.b, &["fetch", "-q"]);
    let tracked =
        t.repo.git_in(&t.b, &["rev-parse", &format!("refs/tasklists-remote/origin/{id}")]);
    assert_eq!(tracked.trim(), t.tip(&t.a, &id));
    let local = t
        .repo
        .git_output_in(&t.b, &["rev-parse", "-q", "--verify", &format!("refs/tasklists/{id}")]);
    assert!(!local.status.success(), "fetch never writes the local namespace");
    // show/list --remote read that copy.
    assert_eq!(t.json(&t.b, &["show", "--remote", "origin", &id])["title"], "Plan");
    assert_eq!(t.json(&t.b, &["list", "--remote", "origin"])["lists"][0]["id"], id.as_str());
    // Plain git push still pushes branches.
    t.repo.git_in(&t.b, &["commit", "-q", "--allow-empty", "-m", "work"]);
    t.repo.git_in(&t.b, &["push", "-q"]);
    crate::common::expect_error(t.repo.cmd_in(&t.b).args(["init", "--remote", "nowhere"]), 1);
}

#[test]
fn a_remote_prefix_keeps_the_lists_in_branches_on_the_remote() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a"]);
    let prefix = "refs/heads/claude/tasklists";
    t.tl(&t.a, &["sync", "--remote-prefix", prefix]);
    let remote = t.repo.root().join("remote.git");
    let on_remote = t.repo.git_in(&remote, &["for-each-ref", "--format=%(refname)"]);
    assert!(on_remote.contains(&format!("{prefix}/{id}")), "{on_remote}");
    assert!(!on_remote.contains("refs/tasklists/"), "{on_remote}");
    t.repo.git_in(&t.b, &["config", "tasklist.remotePrefix", prefix]);
    assert_eq!(action(&t.json(&t.b, &["sync"]), &id), "new");
    assert_eq!(t.tip(&t.b, &id), t.tip(&t.a, &id));
    let err = crate::common::expect_error(
        t.repo.cmd_in(&t.a).args(["sync", "--remote-prefix", "heads/x"]),
        1,
    );
    assert!(err.contains("cannot be used"), "{err}");
}

#[test]
fn the_remote_arbitrates_claims_and_the_loser_keeps_no_claim() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a", "-t", "b"]);
    t.tl(&t.a, &["sync"]);
    t.tl(&t.b, &["sync"]);
    // a claims through the remote; b's local copy does not know yet.
    t.tl(&t.a, &["--session", "sa", "-l", &id, "start", "a", "--sync"]);
    let remote = t.repo.root().join("remote.git");
    let on_remote = t.repo.git_in(&remote, &["rev-parse", &format!("refs/tasklists/{id}")]);
    assert_eq!(on_remote.trim(), t.tip(&t.a, &id), "the claim is on the remote");
    let before = t.tip(&t.b, &id);
    let err = crate::common::expect_error(
        t.repo.cmd_in(&t.b).args(["--session", "sb", "-l", &id, "start", "a", "--sync"]),
        4,
    );
    assert!(err.contains("held by session 'sa'"), "{err}");
    let s = t.json(&t.b, &["show", &id]);
    assert_eq!(s["tasks"][0]["owner"], "sa", "b now knows who holds it");
    assert_ne!(t.tip(&t.b, &id), before);
    assert!(
        !t.repo
            .git_in(&t.b, &["log", "--format=%s", &format!("refs/tasklists/{id}")])
            .contains("claimed")
    );
    // Another task is free: b's claim lands on top of a's.
    t.tl(&t.b, &["--session", "sb", "-l", &id, "start", "b", "--sync"]);
    assert_eq!(action(&t.json(&t.a, &["sync"]), &id), "fast_forward");
    let s = t.json(&t.a, &["show", &id]);
    assert_eq!(
        (s["tasks"][0]["owner"].as_str(), s["tasks"][1]["owner"].as_str()),
        (Some("sa"), Some("sb"))
    );
}

#[test]
fn two_clones_racing_for_one_task_have_exactly_one_winner() {
    for _round in 0..3 {
        let t = team();
        let id = t.create(&t.a, &["Plan", "-t", "x"]);
        t.tl(&t.a, &["sync"]);
        t.tl(&t.b, &["sync"]);
        let spawn = |dir: &Path, session: &str| {
            let mut c = t.repo.std_cmd();
            c.current_dir(dir).args(["--session", session, "-l", &id, "start", "x", "--sync"]);
            c.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (pa, pb) = (spawn(&t.a, "sa"), spawn(&t.b, "sb"));
        let (oa, ob) = (pa.wait_with_output().unwrap(), pb.wait_with_output().unwrap());
        let codes = [oa.status.code(), ob.status.code()];
        assert!(
            codes.contains(&Some(0)) && codes.contains(&Some(4)),
            "{codes:?}: {} {}",
            String::from_utf8_lossy(&oa.stderr),
            String::from_utf8_lossy(&ob.stderr)
        );
        let winner = if codes[0] == Some(0) { "sa" } else { "sb" };
        let remote = t.repo.root().join("remote.git");
        let shown =
            t.repo.git_in(&remote, &["show", &format!("refs/tasklists/{id}:tasklist.toml")]);
        assert!(shown.contains(&format!("owner = \"{winner}\"")), "{shown}");
        for dir in [&t.a, &t.b] {
            t.tl(dir, &["sync"]);
            assert_eq!(t.json(dir, &["show", &id])["tasks"][0]["owner"], winner);
        }
    }
}

#[test]
fn nothing_is_lost_a_deleted_remote_list_returns_and_a_broken_one_is_left_alone() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a"]);
    let other = t.create(&t.a, &["Other", "-t", "b"]);
    t.tl(&t.a, &["sync"]);
    let remote = t.repo.root().join("remote.git");
    // Someone deletes the list on the remote: it is pushed again, never deleted here.
    t.repo.git_in(&remote, &["update-ref", "-d", &format!("refs/tasklists/{id}")]);
    assert_eq!(action(&t.json(&t.a, &["sync"]), &id), "pushed");
    assert!(t.repo.git_in(&remote, &["for-each-ref", "refs/tasklists"]).contains(&id));
    // Someone pushes garbage for the other list: reported, left alone, the rest syncs.
    let planted = {
        let dir = t.repo.root().join("c");
        t.repo.git_in(t.repo.root(), &["clone", "-q", "remote.git", "c"]);
        std::fs::write(dir.join("tasklist.toml"), "garbage = [\n").unwrap();
        let blob = t.repo.git_in(&dir, &["hash-object", "-w", "tasklist.toml"]);
        t.repo.git_in(&dir, &["read-tree", "--empty"]);
        let info = format!("100644,{},tasklist.toml", blob.trim());
        t.repo.git_in(&dir, &["update-index", "--add", "--cacheinfo", &info]);
        let tree = t.repo.git_in(&dir, &["write-tree"]);
        let commit = t.repo.git_in(&dir, &["commit-tree", tree.trim(), "-m", "broken"]);
        let spec = format!("+{}:refs/tasklists/{other}", commit.trim());
        t.repo.git_in(&dir, &["push", "-q", "origin", &spec]);
        commit.trim().to_string()
    };
    t.tl(&t.a, &["-l", &id, "done", "a"]);
    let (v, err) = t.json_exit(&t.a, &["sync"], 1);
    assert_eq!(action(&v, &other), "skipped");
    assert_eq!(action(&v, &id), "pushed");
    assert!(err.contains("\"code\":\"lists_skipped\""), "{err}");
    let on_remote = t.repo.git_in(&remote, &["rev-parse", &format!("refs/tasklists/{other}")]);
    assert_eq!(on_remote.trim(), planted, "the broken list is left alone on the remote");
    assert_eq!(t.json(&t.a, &["show", &other])["title"], "Other", "and here");
}

#[test]
fn archive_and_reopen_travel_and_merge() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a", "-t", "b"]);
    t.tl(&t.a, &["-l", &id, "done", "a"]);
    t.tl(&t.a, &["sync"]);
    t.tl(&t.b, &["sync"]);
    t.tl(&t.a, &["archive", &id]);
    t.tl(&t.b, &["-l", &id, "update", "a", "--status", "pending", "--reopen"]);
    t.tl(&t.a, &["sync"]);
    assert_eq!(action(&t.json(&t.b, &["sync"]), &id), "merged");
    t.tl(&t.a, &["sync"]);
    for dir in [&t.a, &t.b] {
        let s = t.json(dir, &["show", &id]);
        assert_eq!(s["archived"], true);
        assert_eq!(s["tasks"][0]["status"], "pending", "the explicit reopen is honoured");
        t.repo.cmd_in(dir).args(["-l", &id, "verify"]).assert().success();
    }
    assert_eq!(t.tip(&t.a, &id), t.tip(&t.b, &id));
}

#[test]
fn three_clones_syncing_at_once_converge() {
    let t = team();
    let root = t.repo.root().to_path_buf();
    t.repo.git_in(&root, &["clone", "-q", "remote.git", "c"]);
    let c = root.join("c");
    let id = t
        .tl(&t.a, &["create", "Plan", "-t", "a", "-t", "b", "-t", "c"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    t.tl(&t.a, &["sync"]);
    let dirs = [t.a.clone(), t.b.clone(), c.clone()];
    for d in &dirs[1..] {
        t.tl(d, &["sync"]);
    }
    for (d, task) in dirs.iter().zip(["a", "b", "c"]) {
        t.tl(d, &["-l", &id, "update", task, "--note", &format!("by {task}")]);
        t.tl(d, &["create", &format!("Own {task}"), "-t", "x"]);
    }
    let children: Vec<_> = dirs
        .iter()
        .map(|d| {
            let mut cmd = t.repo.std_cmd();
            cmd.current_dir(d).arg("sync").stdout(std::process::Stdio::null());
            cmd.stderr(std::process::Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for ch in children {
        let out = ch.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // Two more rounds in turn bring everyone to the same state.
    for _ in 0..2 {
        for d in &dirs {
            t.tl(d, &["sync"]);
        }
    }
    let tip = t.tip(&t.a, &id);
    for d in &dirs {
        assert_eq!(t.tip(d, &id), tip);
        let s = t.json(d, &["show", &id]);
        for (i, task) in ["a", "b", "c"].iter().enumerate() {
            assert_eq!(s["tasks"][i]["note"], format!("by {task}"), "nothing lost");
        }
        assert_eq!(t.json(d, &["list"])["lists"].as_array().unwrap().len(), 4);
        t.fsck(d);
    }
}

/// A `git daemon` serving `base` on a free 127.0.0.1 port, stopped on drop.
pub(crate) struct Daemon {
    child: std::process::Child,
    pub(crate) port: u16,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn daemon(repo: &TestRepo, base: &Path) -> Daemon {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new("git")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", repo.home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", base.display()))
        .arg(base)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let d = Daemon { child, port };
    // Ready when `git ls-remote` answers (bounded: 10 s).
    let url = format!("git://127.0.0.1:{port}/remote.git");
    let start = std::time::Instant::now();
    while !repo.git_output_in(base, &["ls-remote", &url]).status.success() {
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "git daemon did not start");
        std::thread::yield_now();
    }
    d
}

#[test]
fn sync_works_over_git_protocol_from_a_daemon() {
    let t = team();
    let d = daemon(&t.repo, t.repo.root());
    let url = format!("git://127.0.0.1:{}/remote.git", d.port);
    for dir in [&t.a, &t.b] {
        t.repo.git_in(dir, &["remote", "add", "daemon", &url]);
    }
    let id = t.create(&t.a, &["Plan", "-t", "a", "-t", "b"]);
    assert_eq!(action(&t.json(&t.a, &["sync", "daemon"]), &id), "pushed");
    assert_eq!(action(&t.json(&t.b, &["sync", "daemon"]), &id), "new");
    t.tl(&t.a, &["-l", &id, "done", "a"]);
    t.tl(&t.b, &["-l", &id, "update", "b", "--note", "from b"]);
    t.tl(&t.a, &["sync", "daemon"]);
    assert_eq!(action(&t.json(&t.b, &["sync", "daemon"]), &id), "merged");
    assert_eq!(action(&t.json(&t.a, &["sync", "daemon"]), &id), "fast_forward");
    assert_eq!(t.tip(&t.a, &id), t.tip(&t.b, &id));
    t.tl(&t.b, &["--session", "sb", "-l", &id, "start", "b", "--sync", "daemon"]);
    let err = crate::common::expect_error(
        t.repo.cmd_in(&t.a).args(["--session", "sa", "-l", &id, "start", "b", "--sync", "daemon"]),
        4,
    );
    assert!(err.contains("held by session 'sb'"), "{err}");
    for dir in [&t.a, &t.b] {
        t.fsck(dir);
    }
}

#[test]
fn a_push_moves_the_remote_tracking_ref_to_what_the_remote_took() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a", "-t", "b"]);
    let tracking = |dir: &Path| {
        t.repo
            .git_in(
                dir,
                &[
                    "for-each-ref",
                    "--format=%(objectname)",
                    &format!("refs/tasklists-remote/origin/{id}"),
                ],
            )
            .trim()
            .to_string()
    };
    let remote_tip = || {
        let remote = t.repo.root().join("remote.git");
        t.repo.git_in(&remote, &["rev-parse", &format!("refs/tasklists/{id}")]).trim().to_string()
    };
    // A new list: pushed, and its tracking ref is there at once, not after the next fetch.
    t.tl(&t.a, &["sync"]);
    assert_eq!(tracking(&t.a), t.tip(&t.a, &id));
    assert_eq!(tracking(&t.a), remote_tip());
    // A change pushed by sync, then a claim pushed by start --sync.
    t.tl(&t.a, &["-l", &id, "update", "a", "--note", "n"]);
    t.tl(&t.a, &["sync"]);
    assert_eq!((tracking(&t.a), remote_tip()), (t.tip(&t.a, &id), t.tip(&t.a, &id)));
    t.tl(&t.a, &["--session", "sa", "-l", &id, "start", "b", "--sync"]);
    assert_eq!((tracking(&t.a), remote_tip()), (t.tip(&t.a, &id), t.tip(&t.a, &id)));
    // With a remote prefix the remote's ref has another name; the tracking ref follows it.
    let prefix = "refs/heads/claude/tasklists";
    t.tl(&t.a, &["-l", &id, "update", "a", "--note", "m"]);
    t.tl(&t.a, &["sync", "--remote-prefix", prefix]);
    let remote = t.repo.root().join("remote.git");
    let prefixed = t.repo.git_in(&remote, &["rev-parse", &format!("{prefix}/{id}")]);
    assert_eq!(prefixed.trim(), t.tip(&t.a, &id));
    assert_eq!(tracking(&t.a), t.tip(&t.a, &id));
    t.fsck(&t.a);
}

/// Commits `edit(tasklist.toml)` on top of list `id` in the clone at `dir`
/// by plumbing (for states the commands refuse to write); returns the commit.
fn commit_by_hand(t: &Team, dir: &Path, id: &str, edit: impl Fn(&str) -> String) -> String {
    let old = t.tip(dir, id);
    let text = t.repo.git_in(dir, &["show", &format!("{old}:tasklist.toml")]);
    let blob = t.repo.git_stdin_in(dir, &["hash-object", "-w", "--stdin"], edit(&text).as_bytes());
    let entry = format!("100644 blob {}\ttasklist.toml\n", blob.trim());
    let tree = t.repo.git_stdin_in(dir, &["mktree"], entry.as_bytes());
    let new = t.repo.git_in(dir, &["commit-tree", tree.trim(), "-p", &old, "-m", "by hand"]);
    t.repo.git_in(dir, &["update-ref", &format!("refs/tasklists/{id}"), new.trim(), &old]);
    new.trim().to_string()
}

/// `text` with a note of `bytes` bytes on task `task`.
fn with_big_note(text: &str, task: &str, bytes: usize) -> String {
    let line = format!("id = \"{task}\"\n");
    text.replacen(&line, &format!("{line}note = \"{}\"\n", "n".repeat(bytes)), 1)
}

#[test]
fn one_lists_failure_never_stops_the_others() {
    if !crate::common::Formats::from_env()
        .files_refs_only("one_lists_failure_never_stops_the_others")
    {
        return;
    }
    let t = team();
    let big = t.create(&t.a, &["Big", "-t", "a", "-t", "b"]);
    let locked = t.create(&t.a, &["Locked", "-t", "x"]);
    let behind = t.create(&t.a, &["Behind", "-t", "x"]);
    t.tl(&t.a, &["sync"]);
    t.tl(&t.b, &["sync"]);
    // Each side adds a 4.5 MB note: the merge would be over the 8 MiB limit.
    commit_by_hand(&t, &t.a, &big, |s| with_big_note(s, "a", 4_500_000));
    commit_by_hand(&t, &t.b, &big, |s| with_big_note(s, "b", 4_500_000));
    t.tl(&t.b, &["-l", &locked, "done", "x"]);
    t.tl(&t.b, &["-l", &behind, "done", "x"]);
    t.tl(&t.b, &["sync"]);
    // In a: a lock file on one list that needs a fast-forward, and a new list to push.
    let lock = t.a.join(format!(".git/refs/tasklists/{locked}.lock"));
    std::fs::write(&lock, "").unwrap();
    let new = t.create(&t.a, &["New", "-t", "x"]);
    let (v, err) = t.json_exit(&t.a, &["sync"], 1);
    let row =
        |id: &str| v["lists"].as_array().unwrap().iter().find(|l| l["id"] == id).unwrap().clone();
    assert_eq!(row(&big)["action"], "skipped");
    let why = row(&big)["detail"].as_str().unwrap().to_string();
    assert!(why.contains("over the 8 MiB limit") && why.contains("nothing was written"), "{why}");
    assert_eq!(row(&locked)["action"], "skipped");
    let why = row(&locked)["detail"].as_str().unwrap().to_string();
    assert!(why.contains(&format!("{locked}.lock")) && why.contains("is held"), "{why}");
    assert_eq!(row(&behind)["action"], "fast_forward");
    assert_eq!(
        (row(&new)["action"].as_str(), row(&new)["pushed"].as_bool()),
        (Some("pushed"), Some(true))
    );
    assert!(err.contains("2 of 4 task lists were skipped"), "{err}");
    assert!(err.contains("\"exit_code\":1") && err.contains("lists_skipped"), "{err}");
    // The others really went through; the failed ones were left as they were.
    assert_eq!(t.tip(&t.a, &behind), t.tip(&t.b, &behind));
    let remote = t.repo.root().join("remote.git");
    let pushed = t.repo.git_in(&remote, &["rev-parse", &format!("refs/tasklists/{new}")]);
    assert_eq!(pushed.trim(), t.tip(&t.a, &new));
    assert_eq!(t.json(&t.a, &["show", &locked])["tasks"][0]["status"], "pending");
    // Text rows say the same; once the lock is gone the list syncs.
    let out = t.repo.cmd_in(&t.a).arg("sync").assert().code(1).get_output().clone();
    assert!(stdout(&out).contains(&format!("{locked}  ")), "{}", stdout(&out));
    assert!(
        crate::common::stderr(&out).starts_with("Error: 2 of 4"),
        "{}",
        crate::common::stderr(&out)
    );
    std::fs::remove_file(&lock).unwrap();
    let (v, _) = t.json_exit(&t.a, &["sync"], 1);
    assert_eq!(action(&v, &locked), "fast_forward");
    assert_eq!(action(&v, &big), "skipped", "still too large, still only that one");
    t.fsck(&t.a);
    t.fsck(&t.b);
}

/// A TCP listener on 127.0.0.1 that accepts connections and never answers;
/// `closed` reports when the peer closed its end (the git process is gone).
struct Silent {
    port: u16,
    closed: std::sync::mpsc::Receiver<()>,
}

fn silent_server() -> Silent {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, closed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // Reads, never writes, until the peer goes away.
                while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
                let _ = tx.send(());
            });
        }
    });
    Silent { port, closed }
}

#[test]
fn a_remote_that_never_answers_is_given_up_on_in_time() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "x"]);
    let silent = silent_server();
    let url = format!("git://127.0.0.1:{}/remote.git", silent.port);
    t.repo.git_in(&t.a, &["remote", "add", "mute", &url]);
    let before = t.repo.git_in(&t.a, &["for-each-ref"]);
    let started = std::time::Instant::now();
    let mut sync = t.repo.cmd_in(&t.a);
    sync.env("GIT_TASKLIST_NETWORK_TIMEOUT", "1").args(["sync", "mute"]);
    let err = expect_error(&mut sync, 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    assert!(
        err.contains("Fetching task lists from 'mute' did not finish within 1 s; git was stopped"),
        "{err}"
    );
    assert!(
        err.contains("Hint: allow more time with `git config tasklist.networkTimeout"),
        "{err}"
    );
    // The git process was stopped: its connection is closed.
    silent.closed.recv_timeout(std::time::Duration::from_secs(10)).expect("git still connected");
    // start --sync is bounded the same way, here through git config.
    t.repo.git_in(&t.a, &["config", "tasklist.networkTimeout", "1"]);
    let err =
        expect_error(t.repo.cmd_in(&t.a).args(["-l", &id, "start", "x", "--sync", "mute"]), 1);
    assert!(err.contains("'mute' did not finish within 1 s"), "{err}");
    silent.closed.recv_timeout(std::time::Duration::from_secs(10)).expect("git still connected");
    assert_eq!(t.repo.git_in(&t.a, &["for-each-ref"]), before, "nothing moved");
    assert_eq!(t.json(&t.a, &["show", &id])["tasks"][0]["status"], "pending");
    // A value that is not a number of seconds is named.
    t.repo.git_in(&t.a, &["config", "tasklist.networkTimeout", "soon"]);
    let err = expect_error(t.repo.cmd_in(&t.a).args(["sync", "mute"]), 1);
    assert!(err.contains("tasklist.networkTimeout 'soon' is not a number of seconds"), "{err}");
    let mut sync = t.repo.cmd_in(&t.a);
    sync.env("GIT_TASKLIST_NETWORK_TIMEOUT", "-1").args(["sync", "mute"]);
    let err = expect_error(&mut sync, 1);
    assert!(err.contains("GIT_TASKLIST_NETWORK_TIMEOUT '-1'"), "{err}");
    t.fsck(&t.a);
}

/// Every ref and FETCH_HEAD of a clone: what a dry run must leave alone.
fn local_state(t: &Team, dir: &Path) -> (String, Option<Vec<u8>>) {
    (t.repo.git_in(dir, &["for-each-ref"]), std::fs::read(dir.join(".git/FETCH_HEAD")).ok())
}

#[test]
fn a_dry_run_moves_nothing_not_even_the_remote_tracking_refs() {
    let t = team();
    let both = t.create(&t.a, &["Both", "-t", "x", "-t", "y"]);
    let ahead = t.create(&t.a, &["Ahead", "-t", "x"]);
    t.tl(&t.a, &["sync"]);
    t.tl(&t.b, &["sync"]);
    // The remote moves on in b; a changes too, and has a list of its own.
    t.tl(&t.b, &["-l", &both, "done", "x"]);
    t.tl(&t.b, &["-l", &ahead, "done", "x"]);
    let from_b = t.create(&t.b, &["From b", "-t", "x"]);
    t.tl(&t.b, &["sync"]);
    t.tl(&t.a, &["-l", &both, "update", "y", "--note", "a"]);
    let only_a = t.create(&t.a, &["Only a", "-t", "x"]);
    let remote = t.repo.root().join("remote.git");
    let there = t.repo.git_in(&remote, &["for-each-ref"]);
    let here = local_state(&t, &t.a);
    let v = t.json(&t.a, &["sync", "--dry-run"]);
    assert_eq!(action(&v, &both), "merged");
    assert_eq!(action(&v, &ahead), "fast_forward");
    assert_eq!(action(&v, &from_b), "new");
    assert_eq!(action(&v, &only_a), "pushed");
    let text = t.tl(&t.a, &["sync", "--dry-run"]);
    assert!(
        text.contains("would be merged") && text.contains("would be new from the remote"),
        "{text}"
    );
    assert_eq!(local_state(&t, &t.a), here, "no ref moved here, FETCH_HEAD untouched");
    assert_eq!(t.repo.git_in(&remote, &["for-each-ref"]), there, "nor there");
    // The real sync then does what the dry run said.
    let v = t.json(&t.a, &["sync"]);
    assert_eq!(
        [&both, &ahead, &from_b, &only_a].map(|id| action(&v, id)),
        ["merged", "fast_forward", "new", "pushed"]
    );
    t.fsck(&t.a);
}

#[test]
fn syncing_remote_o_leaves_the_tracking_refs_of_remote_o_x_alone() {
    let t = team();
    let root = t.repo.root().to_path_buf();
    t.repo.git_in(&root, &["init", "-q", "--bare", "other.git"]);
    let id = t.create(&t.a, &["Plan", "-t", "x"]);
    let other = t.create(&t.b, &["Other", "-t", "x"]);
    t.repo.git_in(
        &t.b,
        &[
            "push",
            "-q",
            &root.join("other.git").display().to_string(),
            &format!("refs/tasklists/{other}"),
        ],
    );
    t.repo.git_in(&t.a, &["remote", "add", "o", &root.join("remote.git").display().to_string()]);
    t.repo.git_in(&t.a, &["remote", "add", "o/x", &root.join("other.git").display().to_string()]);
    t.tl(&t.a, &["sync", "o"]);
    assert_eq!(action(&t.json(&t.a, &["sync", "o/x"]), &other), "new");
    let tracked = |dir: &Path| {
        t.repo.git_in(
            dir,
            &["for-each-ref", "--format=%(objectname) %(refname)", "refs/tasklists-remote/o/x/"],
        )
    };
    let both = tracked(&t.a);
    assert!(both.contains(&format!("refs/tasklists-remote/o/x/{other}")), "{both}");
    assert!(both.contains(&format!("refs/tasklists-remote/o/x/{id}")), "{both}");
    // A sync of o neither prunes o/x's copies nor lets o overwrite them
    // (o has a nested ref of the same name, planted by plumbing).
    let remote = root.join("remote.git");
    let planted = t.tip(&t.a, &id);
    t.repo.git_in(&remote, &["update-ref", &format!("refs/tasklists/x/{other}"), &planted]);
    t.tl(&t.a, &["sync", "o"]);
    assert_eq!(tracked(&t.a), both);
    let theirs = t.repo.git_in(&t.a, &["rev-parse", &format!("refs/tasklists-remote/o/x/{other}")]);
    assert_eq!(theirs.trim(), t.tip(&t.a, &other), "o/x's copy is o/x's");
    let listed = t.json(&t.a, &["list", "--remote", "o/x"]);
    assert!(listed["lists"].as_array().unwrap().iter().any(|l| l["id"] == other.as_str()));
    t.fsck(&t.a);
}

#[test]
fn two_syncs_at_once_in_one_clone_both_work() {
    let t = team();
    let ids: Vec<String> =
        (0..12).map(|n| t.create(&t.b, &[&format!("B{n}"), "-t", "x"])).collect();
    t.tl(&t.b, &["sync"]);
    t.tl(&t.a, &["sync"]);
    let rounds = 5;
    for round in 0..rounds {
        // The remote moves every list, so that both syncs fetch new tips
        // into the same remote-tracking refs (without the sync lock, git's
        // "cannot lock ref … is at X but expected Y"), and a has its own
        // list to push.
        for id in &ids {
            t.tl(&t.b, &["-l", id, "update", "x", "--note", &format!("round {round}")]);
        }
        t.tl(&t.b, &["sync"]);
        t.tl(&t.a, &["create", &format!("A{round}"), "-t", "x"]);
        let spawn = || {
            let mut c = t.repo.std_cmd();
            c.current_dir(&t.a).arg("sync").stdout(std::process::Stdio::null());
            c.stderr(std::process::Stdio::piped()).spawn().unwrap()
        };
        let (p, q) = (spawn(), spawn());
        for out in [p.wait_with_output().unwrap(), q.wait_with_output().unwrap()] {
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            assert!(out.status.success(), "round {round}: {err}");
            assert!(err.is_empty(), "round {round}: {err}");
        }
        for id in &ids {
            assert_eq!(t.tip(&t.a, id), t.tip(&t.b, id), "round {round}");
        }
    }
    // Everything got everywhere.
    t.tl(&t.b, &["sync"]);
    let lists = |dir: &Path| t.json(dir, &["list"])["lists"].as_array().unwrap().len();
    assert_eq!((lists(&t.a), lists(&t.b)), (12 + rounds, 12 + rounds));
    t.fsck(&t.a);
}

#[test]
fn a_sync_lock_left_behind_is_named_in_one_sentence() {
    let t = team();
    t.tl(&t.a, &["create", "Plan", "-t", "x"]);
    let lock = t.a.join(".git/tasklist-sync.lock");
    std::fs::write(&lock, "").unwrap();
    let before = t.repo.git_in(&t.a, &["for-each-ref"]);
    let mut sync = t.repo.cmd_in(&t.a);
    sync.env("GIT_TASKLIST_NETWORK_TIMEOUT", "1").arg("sync");
    let err = expect_error(&mut sync, 1);
    assert!(
        err.contains("Another sync is running in this repository (lock file")
            && err
                .contains("tasklist-sync.lock); if no git-tasklist process is running, delete it"),
        "{err}"
    );
    assert_eq!(t.repo.git_in(&t.a, &["for-each-ref"]), before);
    assert!(lock.exists(), "someone else's lock is not ours to remove");
    std::fs::remove_file(&lock).unwrap();
    t.tl(&t.a, &["sync"]);
    t.fsck(&t.a);
}

/// Regression: a merge that cannot be planned (history on one side that
/// cannot be read) was reported as "Task list … not found".
#[test]
fn a_merge_that_cannot_be_planned_says_why_not_list_not_found() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a", "-t", "b"]);
    t.tl(&t.a, &["sync"]);
    t.tl(&t.b, &["sync"]);
    t.tl(&t.a, &["-l", &id, "done", "a"]);
    // b's change is a commit git-tasklist cannot decode: a header line after
    // the committer (which a history walk does not read) that is not
    // `key value`. Pushed with plain git, which does not check it.
    let old = t.tip(&t.b, &id);
    let tree = t.repo.git_in(&t.b, &["rev-parse", &format!("{old}^{{tree}}")]);
    let raw = format!(
        "tree {}\nparent {old}\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\nx\n\nby hand\n",
        tree.trim()
    );
    let bad = t.repo.git_stdin_in(
        &t.b,
        &["hash-object", "-t", "commit", "--literally", "-w", "--stdin"],
        raw.as_bytes(),
    );
    t.repo.git_in(&t.b, &["update-ref", &format!("refs/tasklists/{id}"), bad.trim(), &old]);
    t.repo.git_in(&t.b, &["push", "-q", "origin", &format!("refs/tasklists/{id}")]);
    let before = t.tip(&t.a, &id);
    let (v, _) = t.json_exit(&t.a, &["sync"], 1);
    let row = v["lists"].as_array().unwrap().iter().find(|l| l["id"] == id.as_str()).unwrap();
    assert_eq!(row["action"], "skipped", "{row}");
    let why = row["detail"].as_str().unwrap();
    assert!(!why.contains("not found"), "{why}");
    assert!(why.contains("reading a commit"), "{why}");
    assert_eq!(t.tip(&t.a, &id), before, "nothing merged");
}

/// Regression: a `git config --add` that failed in `init` was reported as
/// "Pushing task lists to … failed".
#[test]
fn init_that_cannot_write_the_config_says_so() {
    let t = team();
    let lock = t.b.join(".git/config.lock");
    std::fs::write(&lock, "").unwrap();
    let out = t.repo.cmd_in(&t.b).args(["--json", "init"]).assert().code(1).get_output().clone();
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    let message = err["error"].as_str().unwrap();
    assert!(
        message.starts_with("Adding the fetch refspec of the task lists to remote 'origin' failed"),
        "{message}"
    );
    assert!(message.contains("config"), "{message}");
    assert!(!message.contains("Pushing"), "{message}");
    assert_eq!(err["code"], "config_failed");
    std::fs::remove_file(&lock).unwrap();
    let fetch = t.repo.git_in(&t.b, &["config", "--get-all", "remote.origin.fetch"]);
    assert!(!fetch.contains("tasklists"), "nothing was added: {fetch}");
}

#[test]
fn a_fresh_clone_is_told_to_sync_not_to_create_and_an_unknown_remote_exits_1() {
    let t = team();
    let a_id = t.create(&t.a, &["Plan A", "-t", "a"]);
    let b_id = t.create(&t.a, &["Plan B", "-t", "b"]);
    // sync prints each pushed list's title.
    let out = t.tl(&t.a, &["sync"]);
    assert!(out.contains(&format!("{a_id}  Plan A  pushed")), "{out}");
    assert!(out.contains(&format!("{b_id}  Plan B  pushed")), "{out}");
    let out = t.tl(&t.a, &["sync"]);
    assert!(out.contains(&format!("{a_id}  up to date")), "{out}");
    assert_eq!(t.json(&t.a, &["sync", "--dry-run"])["lists"][0]["title"], serde_json::Value::Null);
    // A teammate's fresh clone: nothing here, nothing fetched; sync, not create.
    let root = t.repo.root().to_path_buf();
    t.repo.git_in(&root, &["clone", "-q", "remote.git", "c"]);
    let c = root.join("c");
    let refs = t.repo.git_in(&c, &["for-each-ref"]);
    let out = t.tl(&c, &["list"]);
    assert_eq!(
        out,
        "No task lists under refs/tasklists; get those of origin with: git tasklist sync origin; \
         or create one with: git tasklist create TITLE --task ID\n"
    );
    // --remote asks the remote (the user asked about it).
    let out = t.tl(&c, &["list", "--remote", "origin"]);
    assert_eq!(
        out,
        "origin has 2 task lists, none fetched yet; bring them here with: git tasklist sync origin\n"
    );
    // JSON stays what it was: no lists, no network.
    assert_eq!(t.json(&c, &["list", "--remote", "origin"])["lists"], serde_json::json!([]));
    // An unknown remote is an error, exit 1, for list and show alike.
    for args in [&["list", "--remote", "nosuch"][..], &["show", "--remote", "nosuch", &a_id]] {
        let err = expect_error(t.repo.cmd_in(&c).args(args), 1);
        assert_eq!(
            err, "Error: Remote 'nosuch' is not configured; `git remote -v` lists the remotes\n",
            "{args:?}"
        );
        let (_, err) = t.json_exit_err(&c, args, 1);
        assert!(err.contains("\"code\":\"unknown_remote\""), "{err}");
    }
    assert_eq!(t.repo.git_in(&c, &["for-each-ref"]), refs, "list wrote something");
    // init, then a plain fetch: fetched but not here yet.
    t.tl(&c, &["init"]);
    t.repo.git_in(&c, &["fetch", "-q"]);
    let out = t.tl(&c, &["list"]);
    assert_eq!(
        out,
        "No task lists under refs/tasklists yet, but 2 were fetched from origin; \
         bring them here with: git tasklist sync origin\n"
    );
    // A remote with no lists at all, and one that cannot be reached.
    let empty = root.join("empty.git");
    t.repo.git_in(&root, &["init", "-q", "--bare", "empty.git"]);
    t.repo.git_in(&c, &["remote", "add", "empty", empty.to_str().unwrap()]);
    let out = t.tl(&c, &["list", "--remote", "empty"]);
    assert_eq!(out, "No task lists on empty; share yours with it: git tasklist sync empty\n");
    t.repo.git_in(&c, &["remote", "add", "gone", "/nonexistent/remote.git"]);
    let out = t.tl(&c, &["list", "--remote", "gone"]);
    assert_eq!(
        out,
        "No task lists fetched from gone yet; fetch them with: git tasklist sync gone\n"
    );
    // After sync, the lists are here.
    t.tl(&c, &["sync"]);
    let out = t.tl(&c, &["list"]);
    assert!(out.contains("Plan A") && out.contains("Plan B"), "{out}");
    // A repository with no remote keeps the plain suggestion.
    let lone = TestRepo::new();
    let out = lone.cmd().arg("list").assert().success().get_output().clone();
    assert_eq!(
        stdout(&out),
        "No task lists under refs/tasklists; create one with: git tasklist create TITLE --task ID\n"
    );
}

/// The git commands a run of `c` started, by a `GIT_TRACE` into `trace`,
/// apart from those the remote's side of a local fetch starts.
fn git_commands(mut c: assert_cmd::Command, trace: &Path) -> Vec<String> {
    let _ = std::fs::remove_file(trace);
    c.env("GIT_TRACE", trace).assert().success();
    std::fs::read_to_string(trace)
        .unwrap()
        .lines()
        .filter_map(|l| l.split("built-in: git ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| w != "upload-pack" && w != "rev-list")
        .collect()
}

#[test]
fn sync_reads_the_config_once_with_gits_rules() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "a"]);
    t.tl(&t.a, &["sync"]);
    // Nothing to do: one read of the configuration, one fetch.
    let trace = t.repo.root().join("trace");
    let mut c = t.repo.cmd_in(&t.a);
    c.arg("sync");
    // (gix cannot read reftable: there the store asks git for HEAD.)
    let format = t.repo.git_in(&t.a, &["rev-parse", "--show-ref-format"]);
    let expected: &[&str] = match format.trim() {
        "reftable" => &["config", "symbolic-ref", "fetch"],
        _ => &["config", "fetch"],
    };
    assert_eq!(git_commands(c, &trace), expected);

    // The branch's upstream remote, with section and key names in any case.
    let remote = t.repo.root().join("remote.git");
    t.repo.git_in(&t.b, &["config", "Remote.Up.URL", remote.to_str().unwrap()]);
    let branch = t.repo.git_in(&t.b, &["symbolic-ref", "--short", "HEAD"]);
    t.repo.git_in(&t.b, &["config", &format!("BRANCH.{}.Remote", branch.trim()), "Up"]);
    let v = t.json(&t.b, &["sync"]);
    assert_eq!(v["remote"], "Up", "{v}");
    assert_eq!(action(&v, &id), "new");
    // Subsections are exact: `up` is not `Up`.
    let err = expect_error(t.repo.cmd_in(&t.b).args(["sync", "up"]), 1);
    assert!(err.contains("Remote 'up' is not configured"), "{err}");
    // A remote given only for one command (GIT_CONFIG_*) is not the
    // repository's, as for `git remote get-url`; a setting is.
    let mut c = t.repo.cmd_in(&t.b);
    c.env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "remote.passing.url")
        .env("GIT_CONFIG_VALUE_0", remote.to_str().unwrap())
        .args(["sync", "passing"]);
    let err = expect_error(&mut c, 1);
    assert!(err.contains("Remote 'passing' is not configured"), "{err}");
    let mut c = t.repo.cmd_in(&t.b);
    c.env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "tasklist.networkTimeout")
        .env("GIT_CONFIG_VALUE_0", "later")
        .arg("sync");
    let err = expect_error(&mut c, 1);
    assert!(err.contains("tasklist.networkTimeout 'later' is not a number of seconds"), "{err}");
    // Included files count; the last value wins.
    std::fs::write(t.b.join(".git").join("extra.cfg"), "[tasklist]\n\tpushBatch = 5\n").unwrap();
    t.repo.git_in(&t.b, &["config", "tasklist.pushBatch", "nope"]);
    t.repo.git_in(&t.b, &["config", "--add", "include.path", "extra.cfg"]);
    t.tl(&t.b, &["sync"]);
    std::fs::write(t.b.join(".git").join("extra.cfg"), "[TaskList]\n\tPushBatch = none\n").unwrap();
    let err = expect_error(t.repo.cmd_in(&t.b).arg("sync"), 1);
    assert!(err.contains("tasklist.pushBatch 'none' is not a number of lists"), "{err}");
}
