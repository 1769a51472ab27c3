//! `show`: what each task waits for, and the line under the tasks.

use crate::common::{TestRepo, stdout};

fn show(repo: &TestRepo, args: &[&str]) -> String {
    stdout(&repo.cmd().args(args).arg("show").assert().success().get_output().clone())
}

fn task_line<'a>(text: &'a str, task: &str) -> &'a str {
    text.lines().find(|l| l.split_whitespace().nth(1) == Some(task)).unwrap()
}

#[test]
fn show_says_what_an_unsettled_task_waits_for() {
    let repo = TestRepo::new();
    let id = repo.create_with("Deps", &["a", "b", "c"], &["--sequential"]);
    repo.cmd().args(["-l", &id, "add", "d", "--depends-on", "a"]).assert().success();
    let out = show(&repo, &["-l", &id]);
    assert!(task_line(&out, "a").ends_with("pending"), "{out}");
    assert!(task_line(&out, "b").ends_with("pending · waits for a"), "{out}");
    assert!(task_line(&out, "c").ends_with("pending · waits for b"), "{out}");
    // d waits for c (sequential) and a (depends_on).
    assert!(task_line(&out, "d").ends_with("pending · waits for c, a"), "{out}");
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let out = show(&repo, &["-l", &id]);
    assert!(task_line(&out, "b").ends_with("pending"), "{out}");
    assert!(task_line(&out, "d").ends_with("pending · waits for c"), "{out}");
}

#[test]
fn show_says_when_no_task_is_ready() {
    let repo = TestRepo::new();
    let id = crate::test_resume::stuck_list(&repo);
    let out = show(&repo, &["-l", &id]);
    assert!(
        out.ends_with("\n\nNo task is ready; waiting: a (blocked), b (waits for 'a' (blocked))\n"),
        "{out}"
    );
    assert!(!out.contains("Next:"), "{out}");
}

#[test]
fn show_next_is_the_next_task_for_this_session() {
    let repo = TestRepo::new();
    let id = repo.create("Two", &["a=First", "b=Second"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    let s2 = ["--session", "s2", "-l", &id];
    assert!(show(&repo, &s2).ends_with("\nNext: b  Second\n"));
    assert!(show(&repo, &["--session", "s1", "-l", &id]).ends_with("\nNext: a  First\n"));
    let v: serde_json::Value = serde_json::from_slice(
        &repo.cmd().args(s2).args(["--json", "show"]).assert().success().get_output().stdout,
    )
    .unwrap();
    assert_eq!(v["next"], "b");
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "b"]).assert().success();
    assert!(
        show(&repo, &s2).ends_with("\nNext: a  First  (held by session s1; pass --take-over)\n")
    );
}
