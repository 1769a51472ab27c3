//! `verify --accept COMMIT --note WHY`: the way back from a failed verify,
//! recorded as its own commit; `verify`, `resume` and the session-start
//! briefing agree before and after, across handoffs.

use serde_json::Value;

use crate::common::{TestRepo, expect_error, stdout};
use crate::session_support::{as_session, commit_behind_back, run_code, with_status};

/// The session-start hook's briefing of list `id` (its `additionalContext`).
fn briefing(repo: &TestRepo, id: &str) -> String {
    let input = serde_json::json!({"session_id": "hook", "cwd": repo.path,
        "hook_event_name": "SessionStart", "source": "startup"});
    let out = repo
        .cmd()
        .env("TASKLIST_ID", id)
        .args(["hook", "session-start"])
        .write_stdin(input.to_string())
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    v["hookSpecificOutput"]["additionalContext"].as_str().unwrap().to_string()
}

/// Asserts `verify`, `resume` and the briefing all say `verified` (or all fail).
fn all_agree(repo: &TestRepo, id: &str, verified: bool, when: &str) -> (String, String, String) {
    let verify = run_code(as_session(repo, "s3", id).arg("verify"), if verified { 0 } else { 5 });
    let resume = run_code(as_session(repo, "s3", id).arg("resume"), 0);
    let brief = briefing(repo, id);
    let word = if verified { "VERIFIED" } else { "FAILED" };
    for (what, text) in [("verify", &verify), ("resume", &resume), ("briefing", &brief)] {
        assert!(
            text.contains(&format!("Cross-session persistence: {word}")),
            "{when}: {what}:\n{text}"
        );
    }
    (verify, resume, brief)
}

/// Session 1 completes `one` and hands off; then `one` is reset behind the
/// tool's back. Returns the list id and the resetting commit.
fn reset_after_handoff(repo: &TestRepo) -> (String, String) {
    let id = repo.create("Plan", &["one", "two"]);
    as_session(repo, "s1", &id).args(["start", "one"]).assert().success();
    as_session(repo, "s1", &id).args(["done", "one"]).assert().success();
    as_session(repo, "s1", &id).args(["handoff", "--note", "one done"]).assert().success();
    let toml = with_status(&repo.file_at(&id), "one", "pending");
    let bad = commit_behind_back(repo, &id, &toml, "reset by hand");
    (id, bad)
}

#[test]
fn accepting_a_reset_makes_verify_resume_and_the_briefing_agree() {
    let repo = TestRepo::new();
    let (id, bad) = reset_after_handoff(&repo);
    let r = format!("refs/tasklists/{id}");

    let (verify, resume, brief) = all_agree(&repo, &id, false, "after the reset");
    for text in [&verify, &resume, &brief] {
        assert!(text.contains(&bad[..12]), "{text}");
    }

    // The old bug: the next handoff hid the failure from resume and the briefing.
    as_session(&repo, "s2", &id).args(["handoff", "--note", "still broken"]).assert().success();
    let (_, resume, brief) = all_agree(&repo, &id, false, "after the next handoff");
    assert!(resume.contains(&bad[..12]) && brief.contains(&bad[..12]), "{resume}\n{brief}");
    // Recording the task again does not launder it either.
    as_session(&repo, "s2", &id).args(["done", "one"]).assert().success();
    all_agree(&repo, &id, false, "after recording the task again");

    let before = repo.commit_count(&id);
    let out = run_code(
        as_session(&repo, "s2", &id).args([
            "verify",
            "--accept",
            &bad[..8],
            "--note",
            "reset by a script; one re-done since",
        ]),
        0,
    );
    assert!(out.contains(&format!("Accepted the failure of commit {}", &bad[..12])), "{out}");
    assert!(out.contains("Cross-session persistence: VERIFIED (1 failure accepted)"), "{out}");
    assert_eq!(repo.commit_count(&id), before + 1, "exactly one commit");
    let tip = repo.tip(&id);
    let trailers = repo.trailers(&tip);
    assert!(trailers.contains(&("Op".into(), "accept".into())), "{trailers:?}");
    assert!(trailers.contains(&("Accepts".into(), bad.clone())), "{trailers:?}");
    assert!(trailers.contains(&("Session".into(), "s2".into())), "{trailers:?}");
    assert!(
        trailers.contains(&("Note".into(), "reset by a script; one re-done since".into())),
        "{trailers:?}"
    );
    // Nothing rewritten: the resetting commit is still in the history.
    repo.git(&["merge-base", "--is-ancestor", &bad, &r]);
    repo.fsck();

    let (verify, resume, brief) = all_agree(&repo, &id, true, "after the acceptance");
    for text in [&verify, &resume] {
        assert!(text.contains(&bad[..12]), "{text}");
        assert!(text.contains("accepted by"), "{text}");
        assert!(text.contains("reset by a script; one re-done since"), "{text}");
        assert!(text.contains("(1 failure accepted)"), "{text}");
    }
    assert!(brief.contains("(1 failure accepted)"), "{brief}");

    // JSON carries the accepted failure.
    let json: Value =
        serde_json::from_str(&run_code(repo.cmd().args(["--json", "-l", &id, "verify"]), 0))
            .unwrap();
    assert_eq!(json["verified"], true);
    let a = &json["accepted"][0];
    assert_eq!(a["failure"]["commit"], bad.as_str(), "{json}");
    assert_eq!(a["check"], "status preserved");
    assert_eq!(a["accepted_in"], tip.as_str());
    assert_eq!(a["session"], "s2");
    assert_eq!(a["note"], "reset by a script; one re-done since");

    // Still agreed after one more handoff.
    as_session(&repo, "s3", &id).args(["handoff", "--note", "fine now"]).assert().success();
    all_agree(&repo, &id, true, "after a handoff past the acceptance");
}

#[test]
fn accepting_before_the_next_handoff_keeps_them_agreed() {
    let repo = TestRepo::new();
    let (id, bad) = reset_after_handoff(&repo);
    run_code(repo.cmd().args(["-l", &id, "verify", "--accept", &bad, "--note", "ok"]), 0);
    let (_, resume, _) = all_agree(&repo, &id, true, "accepted before the handoff");
    assert!(resume.contains("accepted by"), "{resume}");
    as_session(&repo, "s2", &id).args(["handoff", "--note", "next"]).assert().success();
    all_agree(&repo, &id, true, "after the handoff");
    assert!(!repo.file_at(&id).contains("unverified"), "{}", repo.file_at(&id));
}

#[test]
fn a_failure_carried_by_a_handoff_is_named_in_the_list_file() {
    let repo = TestRepo::new();
    let (id, bad) = reset_after_handoff(&repo);
    as_session(&repo, "s2", &id).args(["handoff", "--note", "n"]).assert().success();
    assert!(
        repo.file_at(&id).contains(&format!("unverified = [\"{bad}\"]")),
        "{}",
        repo.file_at(&id)
    );
    run_code(repo.cmd().args(["-l", &id, "verify", "--accept", &bad[..12], "--note", "ok"]), 0);
    assert!(!repo.file_at(&id).contains("unverified"), "{}", repo.file_at(&id));
    all_agree(&repo, &id, true, "accepted after being carried");
}

#[test]
fn bad_acceptances_are_refused_and_write_nothing() {
    let repo = TestRepo::new();
    let (id, bad) = reset_after_handoff(&repo);
    let first = repo.git(&["rev-list", "--max-parents=0", &format!("refs/tasklists/{id}")]);
    let first = first.trim();
    let count = repo.commit_count(&id);
    let run = |args: &[&str], code: i32| {
        let mut c = repo.cmd();
        c.args(["-l", &id, "verify"]).args(args);
        let err = expect_error(&mut c, code);
        assert_eq!(repo.commit_count(&id), count, "{args:?} wrote a commit");
        err
    };
    let err = run(&["--accept", "deadbeefdead", "--note", "x"], 3);
    assert!(err.contains("No commit deadbeefdead in the history"), "{err}");
    let err = run(&["--accept", &first[..10], "--note", "x"], 1);
    assert!(err.contains("did not fail verification"), "{err}");
    let err = run(&["--accept", "ab", "--note", "x"], 1);
    assert!(err.contains("not a commit id"), "{err}");
    let err = run(&["--accept", "not-hex!", "--note", "x"], 1);
    assert!(err.contains("not a commit id"), "{err}");
    let err = run(&["--accept", &bad, "--note", "  "], 1);
    assert!(err.contains("needs a note"), "{err}");
    for args in [vec!["--accept", bad.as_str()], vec!["--note", "why"]] {
        repo.cmd().args(["-l", &id, "verify"]).args(&args).assert().code(2);
        assert_eq!(repo.commit_count(&id), count, "{args:?} wrote a commit");
    }
    // Accepted once; a second time is refused.
    run_code(repo.cmd().args(["-l", &id, "verify", "--accept", &bad, "--note", "ok"]), 0);
    let count = repo.commit_count(&id);
    let err = expect_error(
        repo.cmd().args(["-l", &id, "verify", "--accept", &bad, "--note", "again"]),
        1,
    );
    assert!(err.contains("already accepted"), "{err}");
    assert_eq!(repo.commit_count(&id), count);
    repo.fsck();
}
