//! `sync` against a bare remote on a plain path, with two clones editing.

use std::path::{Path, PathBuf};

use crate::common::{TestRepo, stdout};

/// A bare remote and two clones of it, all in one temp dir.
struct Team {
    repo: TestRepo,
    a: PathBuf,
    b: PathBuf,
}

fn team() -> Team {
    let repo = TestRepo::new();
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
    fn tl(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.repo.cmd_in(dir).args(args).assert().success().get_output().clone();
        stdout(&out)
    }

    fn json(&self, dir: &Path, args: &[&str]) -> serde_json::Value {
        let out =
            self.repo.cmd_in(dir).arg("--json").args(args).assert().success().get_output().clone();
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn tip(&self, dir: &Path, id: &str) -> String {
        self.repo.git_in(dir, &["rev-parse", &format!("refs/tasklists/{id}")]).trim().to_string()
    }

    fn fsck(&self, dir: &Path) {
        let out = self.repo.git_output_in(dir, &["fsck", "--strict", "--no-progress"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

fn action(v: &serde_json::Value, id: &str) -> String {
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
    let note = task("a")["note"].as_str().unwrap().to_string();
    assert!(note == "from a" || note == "from b", "{note}");
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
    let id = t.tl(&t.a, &["create", "Plan", "-t", "a"]).lines().next().unwrap().to_string();
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
    let id = t.tl(&t.a, &["create", "Plan", "-t", "a"]).lines().next().unwrap().to_string();
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
    let id = t.tl(&t.a, &["create", "Plan", "-t", "a"]).lines().next().unwrap().to_string();
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
    let id =
        t.tl(&t.a, &["create", "Plan", "-t", "a", "-t", "b"]).lines().next().unwrap().to_string();
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
        let id = t.tl(&t.a, &["create", "Plan", "-t", "x"]).lines().next().unwrap().to_string();
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
