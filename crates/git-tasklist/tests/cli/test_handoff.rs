//! `handoff`: the document's next step, multi-line notes, `-o -`, notes that
//! start with '-'.

use crate::common::{TestRepo, stdout};
use crate::session_support::run_code;

#[test]
fn handoff_tells_a_stuck_plan_from_a_complete_one() {
    let repo = TestRepo::new();
    let id = crate::test_resume::stuck_list(&repo);
    let doc = run_code(repo.cmd().args(["-l", &id, "handoff", "-m", "ops must unblock a"]), 0);
    assert!(
        doc.contains("## Next step\n\nNo task is ready: every open task is blocked or waiting.\n"),
        "{doc}"
    );
    assert!(!doc.contains("plan is complete"), "{doc}");

    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "b"]).assert().success();
    let doc = run_code(repo.cmd().args(["-l", &id, "handoff"]), 0);
    assert!(doc.contains("## Next step\n\nNothing left: the plan is complete.\n"), "{doc}");
    let stored = repo.git(&["show", &format!("refs/tasklists/{id}:HANDOFF.md")]);
    assert_eq!(stored, doc);
}

#[test]
fn handoff_keeps_multi_line_task_notes_inside_their_list_item() {
    let repo = TestRepo::new();
    let id = repo.create("Notes", &["a", "b"]);
    repo.cmd().args(["-l", &id, "done", "a", "--note", "first\nsecond"]).assert().success();
    repo.cmd().args(["-l", &id, "block", "b", "--reason", "one\ntwo"]).assert().success();
    let doc = run_code(repo.cmd().args(["-l", &id, "handoff"]), 0);
    assert!(doc.contains("- [x] `a` a — first\n  second\n"), "{doc}");
    assert!(doc.contains("- [ ] `b` b — blocked — one\n  two\n"), "{doc}");
}

#[test]
fn handoff_output_dash_prints_to_stdout() {
    let repo = TestRepo::new();
    let id = repo.create("Dash", &["a"]);
    let out = repo.cmd().args(["-l", &id, "handoff", "-m", "note", "-o", "-"]).assert().success();
    let doc = stdout(out.get_output());
    assert!(doc.starts_with("# Handoff: Dash\n"), "{doc}");
    assert!(!repo.path.join("-").exists(), "a file named '-' was written");
    let stored = repo.git(&["show", &format!("refs/tasklists/{id}:HANDOFF.md")]);
    assert_eq!(stored, doc);
    let out = repo.cmd().args(["--json", "-l", &id, "handoff", "--output", "-"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["output"], serde_json::Value::Null);
    assert!(v["document"].as_str().unwrap().starts_with("# Handoff: Dash\n"));
    assert!(!repo.path.join("-").exists());
}

#[test]
fn handoff_note_may_start_with_a_hyphen() {
    let repo = TestRepo::new();
    let id = repo.create("Bullets", &["a"]);
    let doc = run_code(repo.cmd().args(["-l", &id, "handoff", "-m", "- bullet", "-o", "-"]), 0);
    assert!(doc.contains("\n- bullet\n"), "{doc}");
    assert_eq!(repo.show_json(&id)["handoff"]["note"], "- bullet");
}
