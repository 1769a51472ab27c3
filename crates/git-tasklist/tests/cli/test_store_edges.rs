//! Edges of the store: size limits, ref formats, namespaces, history that is
//! cut short or unreadable in the middle, and hand-edited dependencies.

use crate::common::{TestRepo, created_id, expect_error, stdout};
use crate::session_support::{commit_behind_back, with_status};

#[test]
fn a_write_over_the_size_limit_is_refused_and_nothing_is_written() {
    let repo = TestRepo::new();
    let id = repo.create("Big", &["a", "b"]);
    // Grow the file to just under 8 MiB by hand, then let the tool add 200 KB.
    let filler = "x".repeat((8 << 20) - 4096);
    let big = repo.file_at(&id).replacen(
        "id = \"a\"\n",
        &format!("id = \"a\"\nnote = \"{filler}\"\n"),
        1,
    );
    commit_behind_back(&repo, &id, &big, "grow");
    repo.cmd().args(["-l", &id, "show"]).assert().success();
    let before = repo.refs();
    let note = "y".repeat(100_000);
    let err = expect_error(repo.cmd().args(["-l", &id, "update", "b", "--note", &note]), 1);
    assert!(err.contains("over the 8 MiB limit") && err.contains("nothing was written"), "{err}");
    assert_eq!(repo.refs(), before);
    // The list is still usable.
    repo.cmd().args(["-l", &id, "start", "b"]).assert().success();
}

#[test]
fn git_namespaces_are_not_list_namespaces() {
    let repo = TestRepo::new();
    for ns in ["refs/heads", "refs/heads/lists", "refs/tags", "refs/remotes/origin"] {
        let err = expect_error(repo.cmd().args(["--namespace", ns, "create", "X"]), 1);
        assert!(err.contains("Namespace"), "{ns}: {err}");
    }
    assert_eq!(repo.refs(), "");
}

#[test]
fn a_note_from_another_session_does_not_claim_the_task() {
    let repo = TestRepo::new();
    let id = repo.create("Notes", &["a"]);
    repo.cmd().args(["-l", &id, "start", "a"]).assert().success();
    repo.cmd()
        .args(["-l", &id, "--session", "s9", "update", "a", "--note", "hi"])
        .assert()
        .success();
    let msg = repo.git(&["log", "-1", "--format=%B", &format!("refs/tasklists/{id}")]);
    assert!(msg.contains("Op: note"), "{msg}");
    // The session-less worker can still finish it.
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
}

#[test]
fn verify_sees_a_reset_across_an_unreadable_commit() {
    let repo = TestRepo::new();
    let id = repo.create("Gap", &["a", "b"]);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let good = repo.file_at(&id);
    let garbage = commit_behind_back(&repo, &id, "garbage = [\n", "garbage");
    let reset = commit_behind_back(&repo, &id, &with_status(&good, "a", "pending"), "reset a");
    let out = repo.cmd().args(["-l", &id, "verify"]).assert().code(5).get_output().clone();
    let text = stdout(&out);
    assert!(text.contains(&garbage[..12]), "the unreadable commit is named:\n{text}");
    assert!(text.contains(&reset[..12]) && text.contains("'a' went completed → pending"), "{text}");
}

#[test]
fn resume_catches_a_reset_since_the_handoff() {
    let repo = TestRepo::new();
    let id = repo.create("Short", &["a", "b"]);
    repo.cmd().args(["-l", &id, "handoff", "-m", "h"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let reset =
        commit_behind_back(&repo, &id, &with_status(&repo.file_at(&id), "a", "pending"), "reset");
    // Pending at the handoff and pending now: only the commits in between show it.
    let out = repo.cmd().args(["-l", &id, "resume"]).assert().success().get_output().clone();
    let text = stdout(&out);
    assert!(text.contains("FAILED") && text.contains(&reset[..12]), "{text}");
}

#[test]
fn a_shallow_history_is_reported_not_a_git_error() {
    let repo = TestRepo::new();
    let id = repo.create("Deep", &["a", "b"]);
    for s in ["in_progress", "pending", "in_progress"] {
        repo.cmd().args(["-l", &id, "update", "a", "--status", s]).assert().success();
    }
    let clone = repo.root().join("shallow");
    std::fs::create_dir(&clone).unwrap();
    repo.git_in(&clone, &["init", "-q"]);
    let url = format!("file://{}", repo.path.display());
    repo.git_in(
        &clone,
        &["fetch", "-q", "--depth", "2", &url, "refs/tasklists/*:refs/tasklists/*"],
    );
    repo.cmd_in(&clone).args(["-l", &id, "show"]).assert().success();
    let log = repo.cmd_in(&clone).args(["-l", &id, "log"]).assert().success().get_output().clone();
    assert_eq!(stdout(&log).lines().count(), 2, "{}", stdout(&log));
    let out = repo.cmd_in(&clone).args(["-l", &id, "verify"]).assert().code(5).get_output().clone();
    let text = stdout(&out);
    assert!(text.contains("shallow"), "{text}");
    repo.cmd_in(&clone).args(["-l", &id, "resume"]).assert().success();
}

#[test]
fn a_short_prefix_says_so() {
    let repo = TestRepo::new();
    let id = repo.create("P", &["a"]);
    let err = expect_error(repo.cmd().args(["show", &id[..3]]), 3);
    assert!(err.contains("too short"), "{err}");
}

#[test]
fn a_dependency_cycle_in_a_hand_edit_is_named() {
    let repo = TestRepo::new();
    let id = repo.create("Cycle", &["a", "b"]);
    let text = repo
        .file_at(&id)
        .replacen("id = \"a\"\n", "id = \"a\"\ndepends_on = [\"b\"]\n", 1)
        .replacen("id = \"b\"\n", "id = \"b\"\ndepends_on = [\"a\"]\n", 1);
    commit_behind_back(&repo, &id, &text, "cycle");
    let err = expect_error(repo.cmd().args(["-l", &id, "show"]), 1);
    assert!(err.contains("cycle: a → b → a"), "{err}");
}

#[test]
fn the_handoff_resume_command_names_a_custom_namespace() {
    let repo = TestRepo::new();
    let id = created_id(repo.cmd().args([
        "--namespace",
        "refs/team/tasks",
        "create",
        "NS",
        "--task",
        "a",
    ]));
    let doc = repo
        .cmd()
        .args(["--namespace", "refs/team/tasks", "-l", &id, "handoff", "-m", "n"])
        .assert()
        .success()
        .get_output()
        .clone();
    let want = format!("git tasklist --namespace refs/team/tasks resume -l {id}");
    assert!(stdout(&doc).contains(&want), "{}", stdout(&doc));
    // Run as printed, it resumes the list.
    let args: Vec<&str> = want.split(' ').skip(2).collect();
    repo.cmd().args(&args).assert().success();
}
