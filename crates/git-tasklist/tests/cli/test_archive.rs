//! `archive` / `unarchive`: a commit that hides a list from `list`, never a delete.

use crate::common::{TestRepo, stdout};

fn list_ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let out =
        repo.cmd().arg("--json").arg("list").args(args).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn archive_hides_a_list_from_list_until_unarchived() {
    let repo = TestRepo::new();
    let done = repo.create("Finished work", &["a"]);
    let open = repo.create("Open work", &["b"]);
    repo.cmd().args(["-l", &done, "done", "a"]).assert().success();
    let before = repo.commit_count(&done);

    let out = repo.cmd().args(["archive", &done]).assert().success().get_output().clone();
    assert!(stdout(&out).contains("Task list archived"), "{}", stdout(&out));
    assert_eq!(repo.commit_count(&done), before + 1, "archive is one commit");
    assert!(repo.file_at(&done).contains("\narchived = true\n"));
    let trailers = repo.trailers(&format!("refs/tasklists/{done}"));
    assert!(trailers.contains(&("Op".to_string(), "archive".to_string())), "{trailers:?}");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", &format!("refs/tasklists/{done}")]),
        "Finished work: archived\n"
    );

    assert_eq!(list_ids(&repo, &[]), vec![open.clone()]);
    let mut all = list_ids(&repo, &["--all"]);
    all.sort();
    let mut want = vec![done.clone(), open.clone()];
    want.sort();
    assert_eq!(all, want);
    let text = stdout(&repo.cmd().args(["list", "--all"]).assert().success().get_output().clone());
    assert!(text.contains("Finished work  (archived)"), "{text}");
    let text = stdout(&repo.cmd().arg("list").assert().success().get_output().clone());
    assert!(!text.contains("Finished work"), "{text}");

    // Still resolves by id, prefix and title, reads and writes.
    for q in [done.as_str(), &done[..24], "Finished work"] {
        let v = repo.show_json(q);
        assert_eq!(v["archived"], true, "{q}");
    }
    let show = stdout(&repo.cmd().args(["show", &done]).assert().success().get_output().clone());
    assert!(show.lines().nth(1).unwrap().contains("archived"), "{show}");
    repo.cmd().args(["-l", &done, "add", "c"]).assert().success();

    // Archiving again changes nothing and writes nothing.
    let n = repo.commit_count(&done);
    let out = repo.cmd().args(["--json", "archive", &done]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["changed"], false);
    assert_eq!(repo.commit_count(&done), n);

    repo.cmd().args(["-l", &done, "unarchive"]).assert().success();
    assert!(!repo.file_at(&done).contains("archived"));
    assert_eq!(list_ids(&repo, &[]).len(), 2);
    repo.fsck();
}

#[test]
fn list_says_when_everything_is_archived() {
    let repo = TestRepo::new();
    let id = repo.create("Only", &["a"]);
    repo.cmd().args(["archive", &id]).assert().success();
    let text = stdout(&repo.cmd().arg("list").assert().success().get_output().clone());
    assert!(text.starts_with("No open task lists; 1 archived"), "{text}");
}

#[test]
fn archive_of_an_unknown_list_is_not_found_and_writes_nothing() {
    let repo = TestRepo::new();
    repo.create("Plan", &["a"]);
    let refs = repo.refs();
    crate::common::expect_error(repo.cmd().args(["archive", "nope"]), 3);
    assert_eq!(repo.refs(), refs);
}
