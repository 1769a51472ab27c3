//! Ordering: sequential lists and explicit `depends_on`.

use crate::common::{TestRepo, expect_error};

#[test]
fn sequential_list_refuses_to_skip_ahead() {
    let repo = TestRepo::new();
    let id = repo.create_with("Release", &["build", "test", "ship"], &["--sequential"]);
    let refs = repo.refs();
    for args in [&["start", "test"][..], &["done", "test"], &["update", "ship", "--status", "done"]]
    {
        let err = expect_error(repo.cmd().args(["-l", &id]).args(args), 4);
        assert!(err.contains("--out-of-order"), "{err}");
        assert_eq!(repo.refs(), refs, "{args:?} wrote something");
    }
    let err = expect_error(repo.cmd().args(["-l", &id, "start", "test"]), 4);
    assert!(err.contains("build"), "error does not name the prerequisite: {err}");
    // Once the predecessor is settled (completed or cancelled), it works.
    repo.cmd().args(["-l", &id, "done", "build"]).assert().success();
    repo.cmd().args(["-l", &id, "start", "test"]).assert().success();
    repo.cmd().args(["-l", &id, "update", "test", "--status", "cancelled"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "ship"]).assert().success();
    assert!(!repo.message(&format!("refs/tasklists/{id}")).contains("Out-Of-Order"));
}

#[test]
fn out_of_order_is_recorded() {
    let repo = TestRepo::new();
    let id = repo.create_with("Release", &["build", "test"], &["--sequential"]);
    repo.cmd().args(["-l", &id, "start", "test", "--out-of-order"]).assert().success();
    assert_eq!(repo.status(&id, "test"), "in_progress");
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.iter().any(|(k, v)| k == "Out-Of-Order" && v == "test"), "{trailers:?}");
}

#[test]
fn non_sequential_lists_follow_only_depends_on() {
    let repo = TestRepo::new();
    let id = repo.create("Loose", &["a", "b"]);
    // No order without dependencies.
    repo.cmd().args(["-l", &id, "start", "b"]).assert().success();
    repo.cmd().args(["-l", &id, "add", "c", "--depends-on", "a"]).assert().success();
    assert_eq!(repo.show_json(&id)["tasks"][2]["depends_on"], serde_json::json!(["a"]));
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["-l", &id, "start", "c"]), 4);
    assert!(err.contains("'a'"), "{err}");
    expect_error(repo.cmd().args(["-l", &id, "done", "c"]), 4);
    assert_eq!(repo.refs(), refs);
    repo.cmd().args(["-l", &id, "done", "c", "--out-of-order"]).assert().success();
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.iter().any(|(k, v)| k == "Out-Of-Order" && v == "c"), "{trailers:?}");
    let v: toml::Value = toml::from_str(&repo.file_at(&id)).unwrap();
    assert_eq!(v["tasks"][2]["depends_on"].as_array().unwrap()[0].as_str(), Some("a"));
}
