//! Bad input and bad data: one `Error:` line, the documented exit code, and
//! nothing written.

use crate::common::{TestRepo, expect_error, stderr, stdout, toml_for};

const BAD_IDS: [&str; 7] = ["../x", "a b", "", "A", "_x", ".x", "a/b"];

fn long_id() -> String {
    "a".repeat(65)
}

#[test]
fn task_ids_that_are_not_slugs_are_refused_everywhere() {
    let repo = TestRepo::new();
    let id = repo.create("Slugs", &["ok"]);
    let before = repo.refs();
    let long = long_id();
    let mut bad: Vec<&str> = BAD_IDS.to_vec();
    bad.push(&long);
    for t in bad {
        let spec = format!("{t}=Title");
        let cases: Vec<Vec<&str>> = vec![
            vec!["create", "New", "--task", t],
            vec!["create", "New", "--task", &spec],
            vec!["-l", &id, "add", t],
            vec!["-l", &id, "add", "fine", "--after", t],
            vec!["-l", &id, "add", "fine", "--depends-on", t],
            vec!["-l", &id, "update", t, "--status", "done"],
            vec!["-l", &id, "start", t],
            vec!["-l", &id, "done", t],
            vec!["-l", &id, "block", t, "--reason", "r"],
        ];
        for args in cases {
            let err = expect_error(repo.cmd().args(&args), 1);
            assert!(err.to_lowercase().contains("task id"), "{args:?}: {err}");
            assert_eq!(repo.refs(), before, "{args:?} wrote something");
        }
    }
    let err = expect_error(repo.cmd().args(["-l", &id, "add", &long_id()]), 1);
    assert!(err.contains("64"), "{err}");
    // 64 characters is fine.
    repo.cmd().args(["-l", &id, "add", &"b".repeat(64)]).assert().success();
}

#[test]
fn unknown_task_is_not_found_and_writes_nothing() {
    let repo = TestRepo::new();
    let id = repo.create("Tasks", &["a"]);
    let before = repo.refs();
    for args in [
        &["update", "nope", "--status", "done"][..],
        &["start", "nope"],
        &["done", "nope"],
        &["block", "nope", "--reason", "r"],
        &["add", "x", "--after", "nope"],
        &["add", "x", "--depends-on", "nope"],
    ] {
        let err = expect_error(repo.cmd().args(["-l", &id]).args(args), 3);
        assert!(err.contains("nope"), "{err}");
        assert_eq!(repo.refs(), before, "{args:?} wrote something");
    }
}

#[test]
fn not_a_git_repository() {
    let repo = TestRepo::new();
    let plain = repo.root().join("plain");
    std::fs::create_dir(&plain).unwrap();
    for args in [&["list"][..], &["create", "X", "--task", "a"], &["show", "X"]] {
        let err = expect_error(repo.cmd().arg("--repo").arg(&plain).args(args), 1);
        assert!(err.contains("Not a git repository"), "{err}");
    }
    // Run from inside the plain directory without --repo.
    expect_error(repo.cmd_in(&plain).args(["list"]), 1);
    // A path that does not exist.
    expect_error(repo.cmd().arg("--repo").arg(repo.root().join("missing")).arg("list"), 1);
    assert_eq!(std::fs::read_dir(&plain).unwrap().count(), 0, "something was written");
    // The cause chain, on request: printed by the command line, not the library.
    let err = expect_error(repo.cmd().arg("--repo").arg(&plain).arg("list"), 1);
    assert!(!err.contains("debug:"), "{err}");
    let out = repo
        .cmd()
        .env("GIT_TASKLIST_DEBUG", "1")
        .arg("--repo")
        .arg(&plain)
        .arg("list")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("debug: Store(NotARepo {"), "{err}");
    assert!(err.contains("NotFound("), "{err}");
    assert!(err.contains("\nError: Not a git repository"), "{err}");
}

/// A good list plus a ref whose `tasklist.toml` is `content`.
fn with_planted(content: &[u8]) -> (TestRepo, String, String, String) {
    let repo = TestRepo::new();
    let good = repo.create("Good list", &["a"]);
    let bad = "01900000-0000-7000-8000-00000000bad0".to_string();
    let commit = repo.plant(&format!("refs/tasklists/{bad}"), content);
    (repo, good, bad, commit)
}

fn assert_list_survives(repo: &TestRepo, good: &str, bad: &str) {
    let out = repo.cmd().arg("list").assert().success().get_output().clone();
    assert!(stdout(&out).contains(good), "readable list missing: {}", stdout(&out));
    assert!(stdout(&out).contains("Good list"));
    let err = stderr(&out);
    assert!(err.to_lowercase().contains("warning") && err.contains(bad), "{err}");
    let out = repo.cmd().args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lists = v["lists"].as_array().unwrap();
    assert_eq!(lists.len(), 1, "{v}");
    assert_eq!(lists[0]["id"], good);
    let unreadable = v["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1, "{v}");
    assert_eq!(unreadable[0]["id"], bad);
    assert_eq!(unreadable[0]["ref"], format!("refs/tasklists/{bad}"));
    assert!(unreadable[0]["error"].as_str().unwrap().contains(bad));
}

fn assert_refused(repo: &TestRepo, bad: &str, commit: &str, expect: &str) {
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["show", bad]), 1);
    assert!(err.contains(bad), "error does not name the list: {err}");
    assert!(err.contains(&commit[..12]), "error does not name the commit: {err}");
    assert!(err.contains(expect), "expected '{expect}' in: {err}");
    for args in [&["update", "a", "--status", "done"][..], &["done", "a"], &["add", "b"], &["next"]]
    {
        let err = expect_error(repo.cmd().args(["-l", bad]).args(args), 1);
        assert!(err.contains(bad), "{args:?}: {err}");
    }
    assert_eq!(repo.refs(), refs, "the unreadable ref was moved");
}

#[test]
fn garbage_toml_is_a_clear_error() {
    let (repo, good, bad, commit) = with_planted(b"this is [not toml\n");
    assert_refused(&repo, &bad, &commit, "tasklist.toml");
    assert_list_survives(&repo, &good, &bad);
    // The good list still works.
    repo.cmd().args(["-l", &good, "done", "a"]).assert().success();
}

#[test]
fn invalid_data_in_valid_toml_is_a_clear_error() {
    for (rest, expect) in [
        ("[[tasks]]\nid = \"../x\"\nstatus = \"pending\"\n", "../x"),
        ("[[tasks]]\nid = \"a\"\nstatus = \"weird\"\n", "weird"),
        (
            "[[tasks]]\nid = \"a\"\nstatus = \"pending\"\n[[tasks]]\nid = \"a\"\nstatus = \"pending\"\n",
            "twice",
        ),
    ] {
        let bad = "01900000-0000-7000-8000-00000000bad0";
        let (repo, good, bad, commit) = with_planted(toml_for(bad, rest).as_bytes());
        assert_refused(&repo, &bad, &commit, expect);
        assert_list_survives(&repo, &good, &bad);
    }
}

#[test]
fn a_ref_to_a_blob_is_a_clear_error() {
    let repo = TestRepo::new();
    let good = repo.create("Good list", &["a"]);
    let bad = "01900000-0000-7000-8000-00000000b10b";
    let blob = repo.git_stdin(&["hash-object", "-w", "--stdin"], toml_for(bad, "").as_bytes());
    repo.git(&["update-ref", &format!("refs/tasklists/{bad}"), blob.trim()]);
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["show", bad]), 1);
    assert!(err.contains(bad) && err.contains("commit"), "{err}");
    expect_error(repo.cmd().args(["-l", bad, "done", "a"]), 1);
    assert_eq!(repo.refs(), refs);
    assert_list_survives(&repo, &good, bad);
}

#[test]
fn a_newer_format_asks_for_an_upgrade() {
    let bad = "01900000-0000-7000-8000-00000000f002";
    let text = toml_for(bad, "[[tasks]]\nid = \"a\"\nstatus = \"pending\"\n")
        .replace("format = 1", "format = 2");
    let (repo, good, bad, commit) = with_planted(text.as_bytes());
    assert_refused(&repo, &bad, &commit, "upgrade");
    let err = expect_error(repo.cmd().args(["show", &bad]), 1);
    assert!(err.contains("newer"), "{err}");
    assert_list_survives(&repo, &good, &bad);
}

#[test]
fn a_huge_file_is_refused_unread() {
    let bad = "01900000-0000-7000-8000-0000000b1960";
    let mut text = toml_for(bad, "");
    let filler = "# padding padding padding padding padding padding padding padding\n";
    while text.len() < 9 << 20 {
        text.push_str(filler);
    }
    let (repo, good, bad, commit) = with_planted(text.as_bytes());
    assert_refused(&repo, &bad, &commit, "limit");
    let err = expect_error(repo.cmd().args(["show", &bad]), 1);
    assert!(err.contains("over the") && err.contains("limit"), "{err}");
    assert_list_survives(&repo, &good, &bad);
}

#[test]
fn a_stored_id_that_differs_from_the_ref_name() {
    let repo = TestRepo::new();
    let good = repo.create("Good list", &["a"]);
    // The good list's commit, copied under another name.
    let bad = "01900000-0000-7000-8000-0000000c0b1e";
    let tip = repo.tip(&good);
    repo.git(&["update-ref", &format!("refs/tasklists/{bad}"), &tip]);
    assert_refused(&repo, bad, &tip, &good);
    // `list` shows the good one and flags the copy.
    let out = repo.cmd().args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["lists"].as_array().unwrap().len(), 1);
    assert_eq!(v["unreadable"][0]["id"], bad);
}

#[test]
fn a_tree_without_tasklist_toml() {
    let repo = TestRepo::new();
    let good = repo.create("Good list", &["a"]);
    let bad = "01900000-0000-7000-8000-0000000e0e0e";
    let tree = repo.git_stdin(&["mktree"], b"");
    let commit = repo.git(&["commit-tree", tree.trim(), "-m", "empty"]);
    repo.git(&["update-ref", &format!("refs/tasklists/{bad}"), commit.trim()]);
    assert_refused(&repo, bad, commit.trim(), "tasklist.toml");
    assert_list_survives(&repo, &good, bad);
}

#[test]
fn empty_titles_and_reasons_are_refused() {
    let repo = TestRepo::new();
    let id = repo.create("Titles", &["a"]);
    let refs = repo.refs();
    expect_error(repo.cmd().args(["create", "  "]), 1);
    expect_error(repo.cmd().args(["-l", &id, "block", "a", "--reason", " "]), 1);
    assert_eq!(repo.refs(), refs);
}

#[test]
fn bad_session_ids_are_refused() {
    let repo = TestRepo::new();
    let id = repo.create("Sessions", &["a"]);
    let refs = repo.refs();
    expect_error(repo.cmd().args(["--session", "two words", "-l", &id, "start", "a"]), 1);
    expect_error(repo.cmd().args(["--session", &"s".repeat(129), "-l", &id, "start", "a"]), 1);
    assert_eq!(repo.refs(), refs);
}

#[test]

fn duplicate_task_ids_in_create_are_bad_input() {
    let repo = TestRepo::new();
    let err = expect_error(repo.cmd().args(["create", "Dup", "--task", "a", "--task", "a"]), 1);
    assert!(err.contains("'a'"), "{err}");
    assert_eq!(repo.git(&["for-each-ref", "refs/tasklists"]), "");
}

#[test]
fn an_invalid_session_only_stops_commands_that_write() {
    let repo = TestRepo::new();
    let id = repo.create("Sessions", &["a", "b"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    let refs = repo.refs();
    for reader in [
        &["list"][..],
        &["show"],
        &["log"],
        &["next"],
        &["verify"],
        &["templates"],
        &["resume"],
        &["--json", "next"],
    ] {
        let out = repo
            .cmd()
            .env("TASKLIST_SESSION", "two words")
            .args(["-l", &id])
            .args(reader)
            .assert()
            .success();
        assert_eq!(crate::common::stderr(out.get_output()), "", "{reader:?}");
        repo.cmd().args(["--session", "bad\tsession", "-l", &id]).args(reader).assert().success();
    }
    // Read as no session: s1's task is held against the caller.
    let out = repo
        .cmd()
        .env("TASKLIST_SESSION", "two words")
        .args(["-l", &id, "next"])
        .assert()
        .success();
    assert_eq!(crate::common::stdout(out.get_output()), "b  b\n");

    for writer in [
        &["start", "b"][..],
        &["done", "b"],
        &["update", "b", "--note", "n"],
        &["block", "b", "--reason", "r"],
        &["add", "c"],
        &["handoff"],
        &["create", "New"],
    ] {
        let err = expect_error(
            repo.cmd().env("TASKLIST_SESSION", "two words").args(["-l", &id]).args(writer),
            1,
        );
        assert!(
            err.contains("'two words' from TASKLIST_SESSION is not valid"),
            "{writer:?}: {err}"
        );
        let err = expect_error(repo.cmd().args(["--session", "x y", "-l", &id]).args(writer), 1);
        assert!(err.contains("'x y' from --session is not valid"), "{writer:?}: {err}");
    }
    assert_eq!(repo.refs(), refs);
}
