//! `add`: append, insert after, dependencies.

use crate::common::{TestRepo, expect_error};

fn task_ids(repo: &TestRepo, id: &str) -> Vec<String> {
    let v: toml::Value = toml::from_str(&repo.file_at(id)).unwrap();
    v["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn add_appends_and_inserts_after() {
    let repo = TestRepo::new();
    let id = repo.create("Adds", &["a", "c"]);
    repo.cmd().args(["-l", &id, "add", "d", "--title", "Last one"]).assert().success();
    repo.cmd().args(["-l", &id, "add", "b", "--after", "a"]).assert().success();
    assert_eq!(task_ids(&repo, &id), ["a", "b", "c", "d"]);
    let v = repo.show_json(&id);
    assert_eq!(v["tasks"][3]["title"], "Last one");
    assert_eq!(v["tasks"][1]["title"], "b");
    assert_eq!(v["tasks"][1]["status"], "pending");
    assert_eq!(repo.commit_count(&id), 3);
    let r = format!("refs/tasklists/{id}");
    assert!(repo.trailers(&r).contains(&("Op".into(), "add-task".into())));
    assert!(repo.git(&["log", "-1", "--format=%s", &r]).contains("add b"));
    repo.fsck();
}

#[test]
fn add_with_dependencies() {
    let repo = TestRepo::new();
    let id = repo.create("Deps", &["a", "b"]);
    repo.cmd()
        .args(["-l", &id, "add", "c", "--depends-on", "a", "--depends-on", "b"])
        .assert()
        .success();
    assert_eq!(repo.show_json(&id)["tasks"][2]["depends_on"], serde_json::json!(["a", "b"]));
    assert!(repo.file_at(&id).contains("depends_on = [\"a\", \"b\"]"));
}

#[test]
fn add_refuses_unknown_references_and_duplicates() {
    let repo = TestRepo::new();
    let id = repo.create("Refs", &["a"]);
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["-l", &id, "add", "x", "--after", "ghost"]), 3);
    assert!(err.contains("ghost"), "{err}");
    let err = expect_error(repo.cmd().args(["-l", &id, "add", "x", "--depends-on", "ghost"]), 3);
    assert!(err.contains("ghost"), "{err}");
    let err = expect_error(repo.cmd().args(["-l", &id, "add", "a"]), 4);
    assert!(err.contains("'a'") && err.contains("already exists"), "{err}");
    expect_error(repo.cmd().args(["-l", &id, "add", "x", "--depends-on", "x"]), 1);
    assert_eq!(repo.refs(), refs);
    assert_eq!(task_ids(&repo, &id), ["a"]);
}
