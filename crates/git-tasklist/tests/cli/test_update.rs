//! `update`, `start`, `done`, `block`: one commit per change, status aliases,
//! the reopen guard.

use crate::common::{TestRepo, expect_error, stdout};

fn parent(repo: &TestRepo, rev: &str) -> String {
    repo.git(&["rev-parse", &format!("{rev}^")]).trim().to_string()
}

#[test]
fn each_change_is_one_commit_on_the_previous_tip() {
    let repo = TestRepo::with_work();
    let before = repo.snapshot();
    let id = repo.create("Database migration", &["schema", "backfill", "cutover"]);
    let r = format!("refs/tasklists/{id}");
    let steps: [&[&str]; 4] = [
        &["start", "schema"],
        &["done", "schema"],
        &["update", "backfill", "--status", "in_progress", "--note", "half way"],
        &["block", "cutover", "--reason", "waiting for ops"],
    ];
    for (n, step) in steps.iter().enumerate() {
        let old = repo.tip(&id);
        repo.cmd().arg("-l").arg(&id).args(*step).assert().success();
        let new = repo.tip(&id);
        assert_ne!(old, new, "{step:?} wrote no commit");
        assert_eq!(parent(&repo, &r), old, "{step:?}: parent is not the previous tip");
        assert_eq!(repo.commit_count(&id), n + 2);
        assert_eq!(repo.count_ref(&format!("{new}^@")), n + 1, "more than one parent");
    }
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", &format!("{r}~3")]).trim(),
        "Database migration: schema pending → in_progress"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", &format!("{r}~2")]).trim(),
        "Database migration: schema in_progress → completed"
    );
    assert!(repo.message(&format!("{r}~2")).contains("\nOp: set-status\n"));
    let v = repo.show_json(&id);
    let st: Vec<&str> =
        v["tasks"].as_array().unwrap().iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(st, ["completed", "in_progress", "blocked"]);
    assert_eq!(v["tasks"][1]["note"], "half way");
    assert_eq!(v["tasks"][2]["note"], "waiting for ops");
    assert_eq!(v["progress"], serde_json::json!({"done": 1, "total": 3}));
    // The file changed by a line or two per status change.
    let diff = repo.git(&["diff", "--numstat", &format!("{r}~3"), &format!("{r}~2")]);
    let (added, removed) = {
        let mut f = diff.split_whitespace();
        (f.next().unwrap().parse::<u32>().unwrap(), f.next().unwrap().parse::<u32>().unwrap())
    };
    assert!(added <= 3 && removed <= 3, "a status change rewrote the file: {diff}");
    assert_eq!(repo.snapshot(), before);
    repo.fsck();
}

#[test]
fn repeating_start_by_the_same_session_writes_nothing() {
    let repo = TestRepo::new();
    let id = repo.create("Repeat", &["a"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    let tip = repo.tip(&id);
    let out = repo
        .cmd()
        .args(["--session", "s1", "--json", "-l", &id, "start", "a"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["changed"], false);
    assert_eq!(v["tip"].as_str().unwrap(), tip);
    assert_eq!(repo.tip(&id), tip);
    assert_eq!(repo.commit_count(&id), 2);
    // The same status through `update` with an alias is a no-op too.
    repo.cmd()
        .args(["--session", "s1", "-l", &id, "update", "a", "--status", "in-progress"])
        .assert()
        .success();
    assert_eq!(repo.commit_count(&id), 2);
}

#[test]
fn session_trailer_from_flag_and_from_env() {
    let repo = TestRepo::new();
    let id = repo.create("Sessions", &["a", "b"]);
    let r = format!("refs/tasklists/{id}");
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    assert!(repo.trailers(&r).contains(&("Session".into(), "s1".into())), "{}", repo.message(&r));
    repo.cmd().env("TASKLIST_SESSION", "s2").args(["-l", &id, "start", "b"]).assert().success();
    assert!(repo.trailers(&r).contains(&("Session".into(), "s2".into())), "{}", repo.message(&r));
    assert_eq!(repo.show_json(&id)["tasks"][1]["owner"], "s2");
    // No session: no Session trailer (the create commit was made without one).
    assert!(!repo.message(&format!("{r}~2")).contains("Session:"));
    assert_eq!(repo.count_ref(&r), 3);
}

#[test]
fn status_aliases_are_stored_canonically() {
    let repo = TestRepo::new();
    let id = repo.create("Aliases", &["a", "b", "c", "d", "e"]);
    for (task, input, canonical) in [
        ("a", "IN_PROGRESS", "in_progress"),
        ("b", "in-progress", "in_progress"),
        ("c", "done", "completed"),
        ("d", "complete", "completed"),
        ("e", "Canceled", "cancelled"),
    ] {
        repo.cmd().args(["-l", &id, "update", task, "--status", input]).assert().success();
        let file = repo.file_at(&id);
        let v: toml::Value = toml::from_str(&file).unwrap();
        let t =
            v["tasks"].as_array().unwrap().iter().find(|t| t["id"].as_str() == Some(task)).unwrap();
        assert_eq!(t["status"].as_str(), Some(canonical), "{input}");
        assert!(file.contains(&format!("status = \"{canonical}\"")), "{file}");
        assert_eq!(repo.status(&id, task), canonical);
    }
    assert_eq!(repo.commit_count(&id), 6);
}

#[test]
fn unknown_status_writes_nothing() {
    let repo = TestRepo::new();
    let id = repo.create("Unknown status", &["a"]);
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["-l", &id, "update", "a", "--status", "finito"]), 1);
    assert!(err.contains("finito"), "{err}");
    assert_eq!(repo.refs(), refs);
    assert_eq!(repo.commit_count(&id), 1);
}

#[test]
fn reopen_needs_the_flag_and_is_recorded() {
    let repo = TestRepo::new();
    let id = repo.create("Reopen", &["a"]);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let refs = repo.refs();
    for args in [
        &["update", "a", "--status", "pending"][..],
        &["update", "a", "--status", "PENDING"],
        &["start", "a"],
        &["block", "a", "--reason", "x"],
    ] {
        let err = expect_error(repo.cmd().args(["-l", &id]).args(args), 4);
        assert!(err.contains("--reopen"), "{err}");
        assert_eq!(repo.refs(), refs, "{args:?} wrote something");
    }
    assert_eq!(repo.status(&id, "a"), "completed");
    repo.cmd()
        .args(["-l", &id, "update", "a", "--status", "pending", "--reopen"])
        .assert()
        .success();
    assert_eq!(repo.status(&id, "a"), "pending");
    let r = format!("refs/tasklists/{id}");
    assert!(repo.trailers(&r).contains(&("Op".into(), "reopen".into())), "{}", repo.message(&r));
    assert_eq!(repo.commit_count(&id), 3);
    // start --reopen works too.
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "start", "a", "--reopen"]).assert().success();
    assert_eq!(repo.status(&id, "a"), "in_progress");
    assert!(repo.trailers(&r).contains(&("Op".into(), "reopen".into())));
}

#[test]
fn update_needs_something_to_change() {
    let repo = TestRepo::new();
    let id = repo.create("Nothing", &["a"]);
    let refs = repo.refs();
    expect_error(repo.cmd().args(["-l", &id, "update", "a"]), 2);
    assert_eq!(repo.refs(), refs);
}

#[test]
fn text_output_reports_the_change() {
    let repo = TestRepo::new();
    let id = repo.create("Text", &["a", "b"]);
    let out = repo.cmd().args(["-l", &id, "done", "a"]).assert().success().get_output().clone();
    let text = stdout(&out);
    assert!(text.contains("a: pending → completed"), "{text}");
    assert!(text.contains("1/2"), "{text}");
}

#[test]
fn updates_work_on_packed_refs_and_after_gc() {
    let repo = TestRepo::new();
    let id = repo.create("Packed", &["a", "b"]);
    repo.git(&["pack-refs", "--all"]);
    assert!(!repo.git_dir().join("refs/tasklists").join(&id).exists(), "ref still loose");
    let tip = repo.tip(&id);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    assert_eq!(repo.git(&["rev-parse", &format!("refs/tasklists/{id}^")]).trim(), tip);
    repo.git(&["gc", "-q"]);
    repo.cmd().args(["-l", &id, "start", "b"]).assert().success();
    assert_eq!(repo.commit_count(&id), 3);
    assert_eq!(repo.status(&id, "a"), "completed");
    assert_eq!(repo.status(&id, "b"), "in_progress");
    repo.fsck();
}

#[test]
fn values_starting_with_a_hyphen_are_accepted() {
    let repo = TestRepo::new();
    let id = repo.create("Hyphens", &["x", "y"]);
    let note = |task: &str| {
        let v = repo.show_json(&id);
        let t = v["tasks"].as_array().unwrap().iter().find(|t| t["id"] == task).unwrap().clone();
        t["note"].as_str().unwrap_or_default().to_string()
    };
    repo.cmd().args(["-l", &id, "update", "x", "--note", "-1 failing test"]).assert().success();
    assert_eq!(note("x"), "-1 failing test");
    // Flags after such a value still parse.
    repo.cmd()
        .args(["-l", &id, "update", "x", "--note", "-2", "--status", "started"])
        .assert()
        .success();
    assert_eq!((note("x"), repo.status(&id, "x")), ("-2".to_string(), "in_progress".to_string()));
    repo.cmd()
        .args(["-l", &id, "done", "x", "--note", "--all green", "--take-over"])
        .assert()
        .success();
    assert_eq!(
        (note("x"), repo.status(&id, "x")),
        ("--all green".to_string(), "completed".to_string())
    );
    repo.cmd().args(["-l", &id, "block", "y", "--reason", "--force needed"]).assert().success();
    assert_eq!(
        (note("y"), repo.status(&id, "y")),
        ("--force needed".to_string(), "blocked".to_string())
    );
    repo.cmd().args(["-l", &id, "start", "y", "--note", "-", "--out-of-order"]).assert().success();
    assert_eq!(note("y"), "-");
    repo.cmd().args(["-l", &id, "add", "z", "--title", "-x", "--after", "x"]).assert().success();
    let v = repo.show_json(&id);
    let ids: Vec<&str> =
        v["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["x", "z", "y"]);
    assert_eq!(v["tasks"][1]["title"], "-x");
}
