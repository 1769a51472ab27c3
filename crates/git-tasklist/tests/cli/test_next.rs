//! `next`: the in-progress task, else the first ready one.

use serde_json::Value;

use crate::common::{TestRepo, stdout};

fn next_json(repo: &TestRepo, id: &str) -> Value {
    let out = repo.cmd().args(["--json", "-l", id, "next"]).assert().success().get_output().clone();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn next_text(repo: &TestRepo, id: &str) -> String {
    stdout(&repo.cmd().args(["-l", id, "next"]).assert().success().get_output().clone())
}

#[test]
fn next_follows_the_plan() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a=First step", "b=Second step", "c"]);
    let v = next_json(&repo, &id);
    assert_eq!(v["list"], id.as_str());
    assert_eq!(v["task"]["id"], "a");
    assert_eq!(v["task"]["title"], "First step");
    assert_eq!(v["task"]["status"], "pending");
    assert!(next_text(&repo, &id).starts_with("a  First step"));

    // An in-progress task comes first, wherever it is.
    repo.cmd().args(["-l", &id, "start", "c"]).assert().success();
    assert_eq!(next_json(&repo, &id)["task"]["id"], "c");
    repo.cmd().args(["-l", &id, "done", "c"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    assert_eq!(next_json(&repo, &id)["task"]["id"], "b");
    assert!(next_text(&repo, &id).starts_with("b  Second step"));
    assert_eq!(repo.show_json(&id)["next"], "b");
}

#[test]
fn next_when_everything_is_done() {
    let repo = TestRepo::new();
    let id = repo.create("Finished", &["a", "b", "c"]);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "b"]).assert().success();
    repo.cmd().args(["-l", &id, "update", "c", "--status", "cancelled"]).assert().success();
    let v = next_json(&repo, &id);
    assert!(v["task"].is_null(), "{v}");
    let text = next_text(&repo, &id);
    assert!(text.contains("Nothing left"), "{text}");
    assert!(text.contains("2/2"), "{text}");
    assert!(repo.show_json(&id)["next"].is_null());
}

#[test]
fn next_when_nothing_is_ready() {
    let repo = TestRepo::new();
    let id = repo.create_with("Stuck", &["a", "b"], &["--sequential"]);
    repo.cmd().args(["-l", &id, "block", "a", "--reason", "waiting for ops"]).assert().success();
    let v = next_json(&repo, &id);
    assert!(v["task"].is_null(), "{v}");
    let text = next_text(&repo, &id);
    assert!(text.contains("No task is ready"), "{text}");
    assert!(text.contains("a (blocked), b (waits for 'a' (blocked))"), "{text}");
}

#[test]
fn next_respects_depends_on() {
    let repo = TestRepo::new();
    let id = repo.create("Deps", &["a"]);
    repo.cmd().args(["-l", &id, "add", "b", "--depends-on", "a"]).assert().success();
    repo.cmd()
        .args(["-l", &id, "add", "c", "--after", "a", "--depends-on", "b"])
        .assert()
        .success();
    repo.cmd().args(["-l", &id, "block", "a", "--reason", "r"]).assert().success();
    assert!(next_json(&repo, &id)["task"].is_null());
    repo.cmd().args(["-l", &id, "update", "a", "--status", "done"]).assert().success();
    // c comes before b in the plan, but waits for b.
    assert_eq!(next_json(&repo, &id)["task"]["id"], "b");
}

#[test]
fn next_json_tells_done_from_waiting() {
    let repo = TestRepo::new();
    let id = crate::test_resume::stuck_list(&repo);
    let v = next_json(&repo, &id);
    assert_eq!(v["state"], "waiting", "{v}");
    assert!(v["task"].is_null());
    assert_eq!(
        v["waiting"],
        serde_json::json!([
            {"id": "a", "status": "blocked", "waits_for": []},
            {"id": "b", "status": "pending", "waits_for": ["a"]},
        ])
    );
    repo.cmd().args(["-l", &id, "update", "a", "--status", "pending"]).assert().success();
    let v = next_json(&repo, &id);
    assert_eq!(v["state"], "ready", "{v}");
    assert_eq!(v["task"]["id"], "a");
    assert_eq!(
        v["waiting"],
        serde_json::json!([{"id": "b", "status": "pending", "waits_for": ["a"]}])
    );
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "b"]).assert().success();
    let v = next_json(&repo, &id);
    assert_eq!(v["state"], "done", "{v}");
    assert!(v["task"].is_null());
    assert_eq!(v["waiting"], serde_json::json!([]));
}

#[test]
fn next_does_not_steer_a_second_session_onto_a_held_task() {
    let repo = TestRepo::new();
    let id = repo.create("Two", &["a=First", "b=Second"]);
    let as_s = |s: &str| {
        let mut c = repo.cmd();
        c.args(["--session", s, "-l", &id]);
        c
    };
    as_s("s1").args(["start", "a"]).assert().success();
    let text = |s: &str| stdout(&as_s(s).arg("next").assert().success().get_output().clone());
    let json = |s: &str| -> Value {
        serde_json::from_slice(
            &as_s(s).args(["--json", "next"]).assert().success().get_output().stdout,
        )
        .unwrap()
    };
    assert_eq!(text("s2"), "b  Second\n");
    assert_eq!(json("s2")["task"]["id"], "b");
    assert_eq!(json("s2")["held_by"], Value::Null);
    assert_eq!(text("s1"), "a  First\n");
    // Only another session's task is left: named, with what to do.
    as_s("s1").args(["start", "b"]).assert().success();
    assert_eq!(text("s2"), "a  First  (held by session s1; pass --take-over)\n");
    let v = json("s2");
    assert_eq!(
        (&v["task"]["id"], &v["state"], &v["held_by"]),
        (&"a".into(), &"ready".into(), &"s1".into())
    );
    // Without a session, a held task is held against the caller too.
    let v = next_json(&repo, &id);
    assert_eq!(v["held_by"], "s1");
}

/// `next`'s text is worded from the view `next --json` prints: each waiting
/// task with the status of what it waits for, through a chain and a task
/// waiting for two.
#[test]
fn next_text_and_json_agree_on_what_waits() {
    let repo = TestRepo::new();
    let id = repo.create_with("Chain", &["a", "b", "c"], &["--sequential"]);
    repo.cmd()
        .args(["-l", &id, "add", "d", "--depends-on", "a", "--depends-on", "b"])
        .assert()
        .success();
    repo.cmd().args(["-l", &id, "block", "a", "--reason", "r"]).assert().success();
    let text = next_text(&repo, &id);
    assert_eq!(
        text,
        "No task is ready; waiting: a (blocked), b (waits for 'a' (blocked)), \
         c (waits for 'b' (pending)), d (waits for 'c' (pending), 'a' (blocked), 'b' (pending))\n"
    );
    let v = next_json(&repo, &id);
    assert_eq!(v["state"], "waiting");
    let waiting: Vec<&str> =
        v["waiting"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(waiting, ["a", "b", "c", "d"]);
    let show = repo.cmd().args(["-l", &id, "show"]).assert().success().get_output().clone();
    let show = crate::common::stdout(&show);
    assert!(show.ends_with(&format!("\n\n{text}")), "{show}");
}
