//! `log`: a list's history, newest first.

use crate::common::{TestRepo, stdout};

fn setup() -> (TestRepo, String) {
    let repo = TestRepo::new();
    let id = repo.create("History", &["a", "b"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    repo.cmd().args(["--session", "s1", "-l", &id, "done", "a"]).assert().success();
    repo.cmd()
        .args(["--session", "s2", "-l", &id, "update", "b", "--note", "later"])
        .assert()
        .success();
    (repo, id)
}

#[test]
fn log_text_is_newest_first_with_sessions() {
    let (repo, id) = setup();
    let out = repo.cmd().args(["-l", &id, "log"]).assert().success().get_output().clone();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let commits = repo.git(&["rev-list", &format!("refs/tasklists/{id}")]);
    for (line, commit) in lines.iter().zip(commits.lines()) {
        assert!(line.starts_with(&commit[..12]), "{line} vs {commit}");
    }
    assert!(lines[0].contains("[s2]") && lines[0].contains("note on b"), "{}", lines[0]);
    assert!(
        lines[1].contains("[s1]") && lines[1].contains("a in_progress → completed"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("[s1]") && lines[2].contains("a pending → in_progress"));
    assert!(!lines[3].contains('[') && lines[3].contains("History"), "{}", lines[3]);
    assert!(lines[0].contains("Test User"), "{}", lines[0]);

    let out =
        repo.cmd().args(["-l", &id, "log", "-n", "1"]).assert().success().get_output().clone();
    let one = stdout(&out);
    assert_eq!(one.lines().count(), 1);
    assert_eq!(one.lines().next(), lines.first().copied());
}

#[test]
fn log_json_entries() {
    let (repo, id) = setup();
    let out = repo.cmd().args(["--json", "-l", &id, "log"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["list"], id.as_str());
    let entries = v["entries"].as_array().unwrap();
    let commits: Vec<String> = repo
        .git(&["rev-list", &format!("refs/tasklists/{id}")])
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(entries.len(), commits.len());
    for (e, c) in entries.iter().zip(&commits) {
        assert_eq!(e["commit"].as_str().unwrap(), c);
        let subject = repo.git(&["log", "-1", "--format=%s", c]);
        assert_eq!(e["subject"].as_str().unwrap(), subject.trim());
        assert_eq!(e["trailers"]["Tasklist"], id.as_str());
        assert_eq!(e["trailers"]["Op"], e["op"]);
        assert_eq!(e["author"], "Test User");
        assert_eq!(e["email"], "test@example.com");
        let ct: i64 = repo.git(&["log", "-1", "--format=%ct", c]).trim().parse().unwrap();
        let t = chrono::DateTime::parse_from_rfc3339(e["time"].as_str().unwrap()).unwrap();
        assert_eq!(t.timestamp(), ct);
    }
    let ops: Vec<&str> = entries.iter().map(|e| e["op"].as_str().unwrap()).collect();
    assert_eq!(ops, ["note", "set-status", "set-status", "create"]);
    let sessions: Vec<Option<&str>> = entries.iter().map(|e| e["session"].as_str()).collect();
    assert_eq!(sessions, [Some("s2"), Some("s1"), Some("s1"), None]);
    assert_eq!(entries[0]["trailers"]["Session"], "s2");
    for (e, c) in entries.iter().zip(&commits) {
        let parents = repo.git(&["log", "-1", "--format=%P", c]);
        let parents: Vec<&str> = parents.split_whitespace().collect();
        assert_eq!(e["parents"], serde_json::json!(parents), "parents of {c}");
    }
    assert_eq!(entries[3]["parents"], serde_json::json!([]));

    let out = repo
        .cmd()
        .args(["--json", "-l", &id, "log", "-n", "2"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v2: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v2["entries"].as_array().unwrap().as_slice(), &entries[..2]);
}

#[test]

fn log_of_a_ref_to_a_blob_names_the_list() {
    let repo = TestRepo::new();
    let bad = "01900000-0000-7000-8000-00000000b10b";
    let blob = repo.git_stdin(&["hash-object", "-w", "--stdin"], b"not a commit\n");
    repo.git(&["update-ref", &format!("refs/tasklists/{bad}"), blob.trim()]);
    let err = crate::common::expect_error(repo.cmd().args(["-l", bad, "log"]), 1);
    assert!(err.contains(bad), "error does not name the list: {err}");
}

/// `git tasklist show | head -1`: the reader goes away after one line while
/// more than a pipe buffer of output is still to come; the tool must exit 0
/// without an error message.
#[test]
fn closed_pipe_exits_quietly() {
    use std::io::{BufRead, BufReader};
    let repo = TestRepo::new();
    let mut args = vec!["create".to_string(), "Huge".to_string()];
    for i in 0..3000 {
        args.push("--task".into());
        args.push(format!("task-{i}=A task title long enough to fill the pipe buffer quickly"));
    }
    let out = repo.cmd().args(&args).assert().success().get_output().clone();
    let id = stdout(&out).lines().next().unwrap().to_string();
    let mut child = repo
        .std_cmd()
        .args(["-l", &id, "show"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "Huge");
    // The reader (and the pipe's read end) is dropped here.
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success(), "exit {:?}", done.status);
    assert_eq!(String::from_utf8_lossy(&done.stderr), "");
}
