//! `resume` text and JSON: what it says when nothing is ready, multi-line
//! notes, empty lists, and which task it steers a session to.

use serde_json::Value;

use crate::common::{TestRepo, stdout};
use crate::session_support::{as_session, run_code};

fn json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.assert().success().get_output().clone();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A sequential list `a`, `b` whose first task is blocked: nothing is ready,
/// but nothing is finished either.
pub fn stuck_list(repo: &TestRepo) -> String {
    let id = repo.create_with("Stuck", &["a", "b"], &["--sequential"]);
    repo.cmd().args(["-l", &id, "block", "a", "--reason", "waiting for ops"]).assert().success();
    id
}

#[test]
fn resume_does_not_call_a_blocked_plan_settled() {
    let repo = TestRepo::new();
    let id = stuck_list(&repo);
    let out = run_code(repo.cmd().args(["-l", &id, "resume"]), 0);
    assert!(
        out.contains(
            "\nNext: no task is ready; waiting: a (blocked), b (waits for 'a' (blocked))\n"
        ),
        "{out}"
    );
    assert!(!out.contains("every task is settled"), "{out}");
    assert!(!out.contains("Continue with"), "{out}");
    let v = json(repo.cmd().args(["--json", "-l", &id, "resume"]));
    assert_eq!(v["next"], Value::Null);
    assert_eq!(v["state"], "waiting");
    assert_eq!(v["waiting"][0]["id"], "a");
    assert_eq!(v["waiting"][1]["waits_for"], serde_json::json!(["a"]));

    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "b"]).assert().success();
    let out = run_code(repo.cmd().args(["-l", &id, "resume"]), 0);
    assert!(out.contains("\nNext: nothing left, every task is settled\n"), "{out}");
    assert_eq!(json(repo.cmd().args(["--json", "-l", &id, "resume"]))["state"], "done");
}

#[test]
fn resume_shows_multi_line_notes_as_indented_lines() {
    let repo = TestRepo::new();
    let id = repo.create("Notes", &["a", "b"]);
    repo.cmd()
        .args(["-l", &id, "done", "a", "--note", "schema applied\nindexes next"])
        .assert()
        .success();
    repo.cmd()
        .args(["-l", &id, "handoff", "-m", "models done\r\nqueries next\n\x1b[31mred"])
        .assert()
        .success();
    let out = run_code(repo.cmd().args(["-l", &id, "resume"]), 0);
    assert!(out.contains("\n    note: schema applied\n    indexes next\n"), "{out}");
    assert!(out.contains(":\n  models done\n  queries next\n  \\u{1b}[31mred\n"), "{out}");
    assert!(!out.contains("\\n") && !out.contains('\x1b') && !out.contains('\r'), "{out}");
    // show lays out task notes the same way.
    let shown = stdout(&repo.cmd().args(["show", &id]).assert().success().get_output().clone());
    assert!(shown.contains("\n    note: schema applied\n    indexes next\n"), "{shown}");
}

#[test]
fn resume_of_an_empty_list_says_how_to_add_a_task() {
    let repo = TestRepo::new();
    let id = repo.create("Empty", &[]);
    let out = run_code(repo.cmd().args(["-l", &id, "resume"]), 0);
    assert!(
        out.contains(
            "\n\n  (no tasks yet; add one with: git tasklist add ID --title T)\n\nRecent history:\n"
        ),
        "{out}"
    );
    assert!(!out.contains("\n\n\n"), "{out}");
    assert!(!out.contains("Next:"), "{out}");
}

#[test]
fn resume_steers_a_second_session_to_ready_work() {
    let repo = TestRepo::new();
    let id = repo.create("Two", &["a", "b"]);
    as_session(&repo, "s1", &id).args(["start", "a"]).assert().success();
    let out = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    assert!(out.contains("\nNext: b  b\n"), "{out}");
    assert!(out.contains(&format!("Continue with: git tasklist -l {id} start b\n")), "{out}");
    // s1 is told to finish what it holds.
    let out = run_code(as_session(&repo, "s1", &id).arg("resume"), 0);
    assert!(out.contains("\nNext: a  a\n"), "{out}");
    assert!(out.contains(&format!("Continue with: git tasklist -l {id} done a\n")), "{out}");
    // When the only candidate is held by another session, resume says so.
    as_session(&repo, "s1", &id).args(["start", "b"]).assert().success();
    let out = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    assert!(out.contains("\nNext: a  a  (held by session s1; pass --take-over)\n"), "{out}");
    assert!(out.contains("start a --take-over\n"), "{out}");
}
