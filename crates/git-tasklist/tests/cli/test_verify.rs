//! `verify`'s seamless-continuation line when there is no current phase.

use crate::common::TestRepo;
use crate::session_support::run_code;

#[test]
fn verify_does_not_call_a_blocked_plan_settled() {
    let repo = TestRepo::new();
    let id = crate::test_resume::stuck_list(&repo);
    let out = run_code(repo.cmd().args(["-l", &id, "verify"]), 0);
    assert!(
        out.contains(
            "seamless continuation  in order; no task is ready; waiting: a (blocked), b (waits for 'a' (blocked))\n"
        ),
        "{out}"
    );
    assert!(!out.contains("every task is settled"), "{out}");
    let brief = run_code(repo.cmd().args(["-l", &id, "resume"]), 0);
    assert!(brief.contains("in order; no task is ready; waiting: a (blocked)"), "{brief}");

    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "update", "b", "--status", "cancelled"]).assert().success();
    let out = run_code(repo.cmd().args(["-l", &id, "verify"]), 0);
    assert!(out.contains("seamless continuation  in order; every task is settled\n"), "{out}");
}
