//! Bare repositories, linked worktrees, and commit identity.

use crate::common::{EMAIL, NAME, TestRepo, created_id, stdout};

#[test]
fn bare_repository_works_with_repo_flag() {
    let repo = TestRepo::new_bare();
    let head = std::fs::read_to_string(repo.git_dir().join("HEAD")).unwrap();
    let id = repo.create("Bare", &["a", "b"]);
    repo.cmd().args(["-l", &id, "start", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    assert_eq!(repo.commit_count(&id), 3);
    assert_eq!(repo.status(&id, "a"), "completed");
    let out = repo.cmd().arg("list").assert().success().get_output().clone();
    assert!(stdout(&out).contains(&id));
    assert_eq!(std::fs::read_to_string(repo.git_dir().join("HEAD")).unwrap(), head);
    assert_eq!(repo.git(&["for-each-ref", "refs/heads"]), "");
    assert!(!repo.git_dir().join("index").exists(), "an index appeared in a bare repository");
    // Also from inside the bare directory without --repo.
    let out = repo.cmd_in(&repo.path).args(["show", &id]).assert().success().get_output().clone();
    assert!(stdout(&out).contains("Bare"));
    repo.fsck();
}

#[test]
fn linked_worktrees_share_lists() {
    let repo = TestRepo::with_work();
    let wt = repo.root().join("wt");
    repo.git(&["worktree", "add", "-q", "-b", "feature", wt.to_str().unwrap()]);
    let before = repo.snapshot();
    let wt_head = repo.git_in(&wt, &["rev-parse", "HEAD"]);
    let wt_status = repo.git_in(&wt, &["status", "--porcelain"]);

    // Created in the worktree, seen and changed from the main checkout.
    let from_wt = created_id(repo.cmd_in(&wt).args(["create", "From worktree", "--task", "a"]));
    repo.cmd().args(["-l", &from_wt, "done", "a"]).assert().success();
    assert_eq!(repo.status(&from_wt, "a"), "completed");

    // Created in the main checkout, seen and changed from the worktree.
    let from_main = repo.create("From main", &["b"]);
    repo.cmd_in(&wt).args(["-l", "From main", "start", "b"]).assert().success();
    let out = repo.cmd_in(&wt).args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> =
        v["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&from_wt.as_str()) && ids.contains(&from_main.as_str()), "{v}");
    assert_eq!(repo.status(&from_main, "b"), "in_progress");

    // Only the shared namespace changed: not the worktree's HEAD or files.
    let refs = repo.git(&["for-each-ref", "--format=%(refname)", "refs/tasklists"]);
    assert_eq!(refs.lines().count(), 2);
    assert!(!wt.join(".git").is_dir());
    assert_eq!(repo.snapshot(), before);
    assert_eq!(repo.git_in(&wt, &["rev-parse", "HEAD"]), wt_head);
    assert_eq!(repo.git_in(&wt, &["status", "--porcelain"]), wt_status);
    repo.fsck();
}

#[test]
fn fallback_identity_when_none_is_configured() {
    let repo = TestRepo::new();
    let id = created_id(repo.cmd_no_identity().args(["create", "No identity", "--task", "a"]));
    repo.cmd_no_identity().args(["-l", &id, "done", "a"]).assert().success();
    let who = repo.git(&["log", "--format=%an <%ae>|%cn <%ce>", &format!("refs/tasklists/{id}")]);
    for line in who.lines() {
        assert_eq!(
            line,
            "git-tasklist <git-tasklist@localhost>|git-tasklist <git-tasklist@localhost>"
        );
    }
    assert_eq!(who.lines().count(), 2);
    repo.fsck();
}

#[test]
fn repository_config_identity_is_used() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.name", "Config Person"]);
    repo.git(&["config", "user.email", "config@example.org"]);
    let id = created_id(repo.cmd_no_identity().args(["create", "Configured", "--task", "a"]));
    let who =
        repo.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>", &format!("refs/tasklists/{id}")]);
    assert_eq!(who.trim(), "Config Person <config@example.org>|Config Person <config@example.org>");
    let out = repo
        .cmd_no_identity()
        .args(["--json", "-l", &id, "log"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entries"][0]["author"], "Config Person");
    assert_eq!(v["entries"][0]["email"], "config@example.org");
}

#[test]
fn environment_identity_is_used() {
    let repo = TestRepo::new();
    let id = repo.create("Env identity", &["a"]);
    let who =
        repo.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>", &format!("refs/tasklists/{id}")]);
    assert_eq!(who.trim(), format!("{NAME} <{EMAIL}>|{NAME} <{EMAIL}>"));
}

#[test]
fn commit_time_is_now_not_repository_open_time() {
    let repo = TestRepo::new();
    let before =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let id = repo.create("Time", &["a"]);
    let after =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let t: u64 = repo
        .git(&["log", "-1", "--format=%ct", &format!("refs/tasklists/{id}")])
        .trim()
        .parse()
        .unwrap();
    assert!(before <= t && t <= after, "{before} <= {t} <= {after}");
    let v = repo.show_json(&id);
    let created = chrono::DateTime::parse_from_rfc3339(v["created"].as_str().unwrap()).unwrap();
    assert_eq!(created.timestamp() as u64, t);
}

/// git hooks run with GIT_DIR set: the repository comes from there, not from
/// the current directory.
#[test]
fn git_dir_environment_selects_the_repository() {
    let repo = TestRepo::new();
    let outside = repo.root().join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    let git_dir = repo.path.join(".git");
    let id = created_id(repo.cmd_in(&outside).env("GIT_DIR", &git_dir).args([
        "create",
        "From a hook",
        "--task",
        "a",
    ]));
    assert_eq!(repo.commit_count(&id), 1);
    // Without GIT_DIR the same directory is not a repository.
    repo.cmd_in(&outside).arg("list").assert().code(1);
}
