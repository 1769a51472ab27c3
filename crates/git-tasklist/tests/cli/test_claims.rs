//! Claims: a session that starts a task holds it against everyone else.

use crate::common::{TestRepo, expect_error};

#[test]
fn start_records_the_owner() {
    let repo = TestRepo::new();
    let id = repo.create("Claims", &["a"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    assert_eq!(repo.show_json(&id)["tasks"][0]["owner"], "s1");
    let v: toml::Value = toml::from_str(&repo.file_at(&id)).unwrap();
    assert_eq!(v["tasks"][0]["owner"].as_str(), Some("s1"));
}

#[test]
fn another_session_or_no_session_is_refused() {
    let repo = TestRepo::new();
    let id = repo.create("Claims", &["a"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    let refs = repo.refs();
    let attempts: [&[&str]; 5] = [
        &["--session", "s2", "start", "a"],
        &["--session", "s2", "done", "a"],
        &["start", "a"],
        &["done", "a"],
        &["--session", "s2", "update", "a", "--note", "mine now"],
    ];
    for args in attempts {
        let err = expect_error(repo.cmd().args(["-l", &id]).args(args), 4);
        assert!(err.contains("s1"), "{args:?}: error does not name the holder: {err}");
        assert!(err.contains("--take-over"), "{err}");
        assert_eq!(repo.refs(), refs, "{args:?} wrote something");
    }
    // The holder itself may go on.
    repo.cmd().args(["--session", "s1", "-l", &id, "done", "a"]).assert().success();
    assert_eq!(repo.status(&id, "a"), "completed");
}

#[test]
fn take_over_is_recorded() {
    let repo = TestRepo::new();
    let id = repo.create("Claims", &["a", "b"]);
    let r = format!("refs/tasklists/{id}");
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    repo.cmd().args(["--session", "s2", "-l", &id, "start", "a", "--take-over"]).assert().success();
    let v = repo.show_json(&id);
    assert_eq!(v["tasks"][0]["owner"], "s2");
    let trailers = repo.trailers(&r);
    assert!(trailers.contains(&("Took-Over".into(), "s1".into())), "{trailers:?}");
    assert!(trailers.contains(&("Session".into(), "s2".into())), "{trailers:?}");
    // Now s1 is the outsider.
    expect_error(repo.cmd().args(["--session", "s1", "-l", &id, "done", "a"]), 4);
    // done --take-over without a session.
    repo.cmd().args(["-l", &id, "done", "a", "--take-over"]).assert().success();
    assert_eq!(repo.status(&id, "a"), "completed");
    assert!(repo.trailers(&r).contains(&("Took-Over".into(), "s2".into())));
}

#[test]
fn an_ownerless_task_conflicts_with_no_one() {
    let repo = TestRepo::new();
    let id = repo.create("Claims", &["a"]);
    repo.cmd().args(["-l", &id, "start", "a"]).assert().success();
    assert!(repo.show_json(&id)["tasks"][0]["owner"].is_null());
    repo.cmd().args(["--session", "s9", "-l", &id, "done", "a"]).assert().success();
    assert_eq!(repo.status(&id, "a"), "completed");
}
