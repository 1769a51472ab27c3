//! `import claude DIR` and `export claude DIR`: Claude Code's task files, of
//! the shapes seen in the wild, read forgivingly into one commit; a list
//! written out strictly; and the round trip between the two.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestRepo, expect_error, stderr, stdout};

/// A directory like `~/.claude/tasks/<list>/` under the test's temp dir.
fn tasks_dir(repo: &TestRepo, name: &str) -> PathBuf {
    let dir = repo.home().join(".claude/tasks").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn put(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Every list ref, as `git for-each-ref` shows them.
fn list_refs(repo: &TestRepo) -> String {
    repo.git(&["for-each-ref", "refs/tasklists"])
}

/// `import claude DIR ARGS…`: asserts success; returns (id, stdout, stderr).
fn import(repo: &TestRepo, dir: &Path, args: &[&str]) -> (String, String, String) {
    let out = repo
        .cmd()
        .args(["import", "claude"])
        .arg(dir)
        .args(args)
        // A guard against a hang, not a speed test: a debug build importing
        // thousands of files on a loaded 2-core machine took over 20 s.
        .timeout(Duration::from_secs(120))
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout(&out);
    let id = text.lines().next().unwrap().to_string();
    (id, text, stderr(&out))
}

/// The task of `show --json` with this id.
fn task<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["tasks"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap_or_else(|| {
        panic!("no task '{id}' in {v}");
    })
}

fn ids(v: &Value) -> Vec<String> {
    v["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

/// The files shapes seen in the wild: string and numeric ids, optional fields
/// missing, unknown ones, nested metadata, a deleted task, and the files
/// beside the tasks (`.lock`, `.highwatermark`).
fn wild_dir(repo: &TestRepo) -> PathBuf {
    let dir = tasks_dir(repo, "0b6c2d9e-session");
    put(
        &dir,
        "1.json",
        r#"{"id":"1","subject":"Fix the parser","description":"It drops the last line","activeForm":"Fixing the parser","status":"completed","blocks":["2","10"],"blockedBy":[]}"#,
    );
    // Numeric id, no `blocks`, `blockedBy` only, an owner, nested metadata,
    // a field nobody knows.
    put(
        &dir,
        "2.json",
        r#"{"id":2,"subject":"Write tests","status":"in_progress","blockedBy":[1],"owner":"team-lead","metadata":{"source":{"pr":[12,{"x":null}]}},"futureField":{"a":1}}"#,
    );
    put(&dir, "3.json", r#"{"id":"3","subject":"Old idea","status":"deleted","blocks":["10"]}"#);
    // Only `subject`: the id comes from the file name, status pending.
    put(&dir, "4.json", r#"{"subject":"Update the docs"}"#);
    // Blocked by 2 twice over (blockedBy here, blocks there), and by 1
    // through 1's `blocks`; by a deleted task; by one that does not exist.
    put(
        &dir,
        "10.json",
        r#"{"id":"10","subject":"Release","description":"","activeForm":"Releasing","status":"pending","blocks":[],"blockedBy":["2","2","3","99"]}"#,
    );
    put(&dir, "notes.json", r#"{"id":"notes","subject":"Fix the parser","status":"pending"}"#);
    put(&dir, ".highwatermark", "10");
    put(&dir, ".lock", "");
    put(&dir, "README.txt", "not a task");
    dir
}

/// Adds the malformed files: none of them may stop the import.
fn add_malformed(dir: &Path) {
    put(dir, "5.json", "this is not JSON {");
    put(dir, "6.json", r#"[{"id":"6","subject":"in an array"}]"#);
    put(dir, "7.json", "");
    // Over the 33 MiB a task file may have (sparse: nothing is written).
    std::fs::File::create(dir.join("8.json")).unwrap().set_len(34 << 20).unwrap();
    put(dir, "9.json", r#"{"id":"9","subject":["not","a","string"]}"#);
    put(dir, "11.json", r#"{"id":"11","status":"pending"}"#);
    put(dir, "12.json", &format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)));
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    put(dir, "17.json", &format!(r#"{{"id":"17","subject":{deep}}}"#));
    std::os::unix::fs::symlink("/dev/zero", dir.join("13.json")).unwrap();
    let fifo = dir.join("14.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::create_dir(dir.join("15.json")).unwrap();
}

#[test]
fn import_reads_the_shapes_seen_in_the_wild_and_skips_what_it_cannot() {
    let repo = TestRepo::new();
    let dir = wild_dir(&repo);
    add_malformed(&dir);
    let (id, out, err) = import(&repo, &dir, &[]);
    assert!(out.contains("Imported 5 tasks from Claude Code"), "{out}");
    assert!(out.contains("'Claude Code tasks (0b6c2d9e-session)'"), "{out}");
    assert!(out.contains("Left out 1 deleted task"), "{out}");

    // Every malformed file is named, once, and skipped.
    for (file, why) in [
        ("5.json", "not JSON"),
        ("6.json", "not a JSON object"),
        ("7.json", "empty"),
        ("8.json", "over 33 MiB"),
        ("9.json", "'subject' is not a string"),
        ("11.json", "no 'subject'"),
        ("12.json", "not a JSON object"),
        ("17.json", "'subject' is not a string"),
        ("13.json", "not a regular file (a device)"),
        ("14.json", "not a regular file (a FIFO)"),
        ("15.json", "not a regular file (a directory)"),
    ] {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("warning: {file}: ")))
            .unwrap_or_else(|| panic!("no warning for {file}: {err}"));
        assert!(line.contains(why) && line.ends_with("skipped"), "{file}: {line}");
    }
    assert!(
        err.contains(
            "warning: 10.json: 'blockedBy' names task '99', which is not among the tasks read; dropped"
        ),
        "{err}"
    );
    assert!(!err.contains("'3'"), "a deleted task's references go quietly: {err}");
    assert_eq!(err.lines().count(), 12, "{err}");

    let v = repo.show_json(&id);
    // Numeric ids in numeric order (10 after 4), then the others by name.
    assert_eq!(
        ids(&v),
        ["fix-the-parser", "write-tests", "update-the-docs", "release", "fix-the-parser-2"]
    );
    let fix = task(&v, "fix-the-parser");
    assert_eq!(fix["status"], "completed");
    assert_eq!(fix["note"], "It drops the last line");
    assert_eq!(fix["depends_on"], serde_json::json!([]));
    let tests = task(&v, "write-tests");
    assert_eq!(tests["status"], "in_progress");
    assert_eq!(tests["owner"], "team-lead");
    assert_eq!(tests["depends_on"], serde_json::json!(["fix-the-parser"]));
    assert_eq!(task(&v, "update-the-docs")["status"], "pending");
    let release = task(&v, "release");
    assert_eq!(release["note"], Value::Null, "an empty description is no note");
    assert_eq!(
        release["depends_on"],
        serde_json::json!(["write-tests", "fix-the-parser"]),
        "blockedBy, then blocks reversed, each once"
    );
    assert_eq!(task(&v, "fix-the-parser-2")["title"], "Fix the parser");

    // One commit, with the statuses in it, checked with git itself.
    assert_eq!(repo.commit_count(&id), 1);
    let tip = format!("refs/tasklists/{id}");
    assert_eq!(
        repo.git(&["log", "--format=%s", &tip]).trim(),
        "Import 'Claude Code tasks (0b6c2d9e-session)' with 5 tasks from Claude Code"
    );
    let trailers = repo.trailers(&tip);
    assert!(trailers.contains(&("Op".to_string(), "import".to_string())), "{trailers:?}");
    assert!(trailers.contains(&("Tasklist".to_string(), id.clone())), "{trailers:?}");
    let toml = repo.file_at(&id);
    assert!(
        toml.contains("id = \"write-tests\"\ntitle = \"Write tests\"\nstatus = \"in_progress\""),
        "{toml}"
    );
    assert!(toml.contains("owner = \"team-lead\""), "{toml}");
    assert!(toml.contains("claude_id = \"10\""), "the Claude Code id is kept: {toml}");
    repo.fsck();

    // The import passes verify, and the list works as any other.
    repo.cmd().args(["-l", &id, "verify"]).assert().success();
    repo.cmd().args(["-l", &id, "done", "update-the-docs"]).assert().success();
    // The source directory is untouched.
    assert_eq!(std::fs::read_to_string(dir.join(".highwatermark")).unwrap(), "10");
}

#[test]
fn import_json_names_the_new_list_and_every_warning() {
    let repo = TestRepo::new();
    let dir = wild_dir(&repo);
    put(&dir, "5.json", "[]");
    put(&dir, "20.json", r#"{"id":"20","subject":"Odd","status":"waiting_for_review"}"#);
    let out = repo
        .cmd()
        .args(["--session", "s1", "--json", "import", "claude"])
        .arg(&dir)
        .args(["--title", "From Claude"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stderr(&out), "", "JSON carries the warnings");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "From Claude");
    assert_eq!(v["changed"], true);
    assert_eq!(v["imported"], 6);
    assert_eq!(v["deleted"], 1);
    assert_eq!(v["dir"], dir.display().to_string());
    let id = v["id"].as_str().unwrap();
    assert_eq!(v["ref"], format!("refs/tasklists/{id}"));
    assert_eq!(v["tip"].as_str().unwrap(), repo.tip(id));
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert_eq!(warnings[0]["file"], "5.json");
    assert_eq!(warnings[0]["message"], "it is not a JSON object; skipped");
    let odd = warnings.iter().find(|w| w["file"] == "20.json").unwrap();
    assert_eq!(odd["message"], "unknown status 'waiting_for_review'; imported as pending");
    assert_eq!(task(&v, "odd")["status"], "pending");
    // The schema describes it.
    let schemas = serde_json::to_value(git_tasklist_core::view::schemas()).unwrap();
    let props = schemas["import"]["properties"].as_object().unwrap();
    for k in v.as_object().unwrap().keys() {
        assert!(props.contains_key(k), "'{k}' is not in the import schema");
    }
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.contains(&("Session".to_string(), "s1".to_string())), "{trailers:?}");
}

#[test]
fn a_completed_task_ahead_of_its_blocker_is_recorded_out_of_order() {
    let repo = TestRepo::new();
    let dir = tasks_dir(&repo, "l");
    put(&dir, "1.json", r#"{"id":"1","subject":"First","status":"pending"}"#);
    put(&dir, "2.json", r#"{"id":"2","subject":"Second","status":"completed","blockedBy":["1"]}"#);
    let (id, _, _) = import(&repo, &dir, &[]);
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.contains(&("Out-Of-Order".to_string(), "second".to_string())), "{trailers:?}");
    repo.cmd().args(["-l", &id, "verify"]).assert().success();
}

#[test]
fn a_cycle_in_blocked_by_is_refused_and_nothing_is_written() {
    let repo = TestRepo::new();
    let dir = tasks_dir(&repo, "cyclic");
    put(&dir, "1.json", r#"{"id":"1","subject":"Build","blockedBy":["3"]}"#);
    put(&dir, "2.json", r#"{"id":"2","subject":"Test","blockedBy":["1"]}"#);
    // 3 waits for 2 through 2's `blocks`: 1 → 3 → 2 → 1.
    put(&dir, "3.json", r#"{"id":"3","subject":"Ship"}"#);
    put(&dir, "2.json", r#"{"id":"2","subject":"Test","blockedBy":["1"],"blocks":["3"]}"#);
    let err = expect_error(repo.cmd().args(["import", "claude"]).arg(&dir), 1);
    assert!(err.contains("block each other in a cycle (build → ship → test → build)"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(list_refs(&repo), "");

    let json = repo.cmd().args(["--json", "import", "claude"]).arg(&dir).assert().code(1);
    let v: Value = serde_json::from_slice(&json.get_output().stderr).unwrap();
    assert_eq!(v["code"], "dependency_cycle");
    assert_eq!(list_refs(&repo), "");
}

#[test]
fn no_task_file_or_no_directory_is_an_error_and_writes_nothing() {
    let repo = TestRepo::new();
    let empty = tasks_dir(&repo, "empty");
    put(&empty, ".lock", "");
    put(&empty, ".highwatermark", "4");
    let err = expect_error(repo.cmd().args(["import", "claude"]).arg(&empty), 1);
    assert!(err.starts_with("Error: No Claude Code task file in '"), "{err}");
    assert!(err.contains("Hint: Claude Code keeps a list's task files in ~/.claude/tasks/<list>/"));

    let bad = tasks_dir(&repo, "bad");
    put(&bad, "1.json", "{");
    put(&bad, "2.json", "null");
    let err = expect_error(repo.cmd().args(["import", "claude"]).arg(&bad), 1);
    assert!(err.contains("None of the 2 Claude Code task files in '"), "{err}");
    assert!(
        err.contains("can be used (1.json: it is not JSON (EOF while parsing an object at line 1 column 1); 2.json: it is not a JSON object); nothing was imported"),
        "the skipped files are named: {err}"
    );

    let gone = tasks_dir(&repo, "gone");
    put(&gone, "1.json", r#"{"id":"1","subject":"Old","status":"deleted"}"#);
    let err = expect_error(repo.cmd().args(["import", "claude"]).arg(&gone), 1);
    assert!(err.contains("gone' is deleted (1); nothing was imported"), "{err}");

    let missing = repo.root().join("no-such-dir");
    let err = expect_error(repo.cmd().args(["import", "claude"]).arg(&missing), 1);
    assert!(err.contains("no-such-dir' does not exist"), "{err}");

    let file = repo.root().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = expect_error(repo.cmd().args(["import", "claude"]).arg(&file), 1);
    assert!(err.contains("a-file' is not a directory"), "{err}");

    let usage = repo.cmd().args(["import", "jira"]).arg(&empty).assert().code(2);
    assert!(stderr(usage.get_output()).contains("invalid value 'jira'"));
    assert_eq!(list_refs(&repo), "");
}

#[test]
fn more_task_files_than_an_import_takes_are_refused() {
    let repo = TestRepo::new();
    let dir = tasks_dir(&repo, "many");
    for n in 1..=10_001 {
        put(&dir, &format!("{n}.json"), "{}");
    }
    let err = expect_error(repo.cmd().args(["import", "claude"]).arg(&dir), 1);
    assert!(err.contains("holds more than 10000 task files; nothing was imported"), "{err}");
    assert_eq!(list_refs(&repo), "");
}

#[test]
fn ids_given_twice_and_invalid_owners_are_reported() {
    let repo = TestRepo::new();
    let dir = tasks_dir(&repo, "dup");
    put(&dir, "1.json", r#"{"id":"1","subject":"One"}"#);
    put(&dir, "copy.json", r#"{"id":1,"subject":"One again"}"#);
    put(&dir, "2.json", r#"{"id":"2","subject":"Two","owner":"two words\u001b[31m"}"#);
    let (id, _, err) = import(&repo, &dir, &["--title", "-dashed title"]);
    assert!(
        err.contains("warning: copy.json: task id '1' was read from another file already; skipped"),
        "{err}"
    );
    assert!(err.contains("owner 'two words\\u{1b}[31m' has spaces or control characters"), "{err}");
    assert!(!err.contains('\u{1b}'), "escaped: {err:?}");
    let v = repo.show_json(&id);
    assert_eq!(v["title"], "-dashed title");
    assert_eq!(ids(&v), ["one", "two"]);
    assert_eq!(task(&v, "two")["owner"], Value::Null);
}

/// A list with every status, notes, dependencies and an owner.
fn rich_list(repo: &TestRepo, title: &str) -> String {
    let id =
        repo.create(title, &["schema=Migrate the schema", "code=Port the code", "docs", "old"]);
    let l = id.as_str();
    repo.cmd()
        .args(["-l", l, "add", "ship", "--title", "Ship it"])
        .args(["--depends-on", "code", "--depends-on", "docs"])
        .assert()
        .success();
    repo.cmd()
        .args(["--session", "s1", "-l", l, "done", "schema", "--note", "v2 applied"])
        .assert()
        .success();
    repo.cmd().args(["--session", "s1", "-l", l, "start", "code"]).assert().success();
    repo.cmd()
        .args(["-l", l, "block", "docs", "--reason", "waiting for review"])
        .assert()
        .success();
    repo.cmd().args(["-l", l, "update", "old", "--status", "cancelled"]).assert().success();
    id
}

fn json_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn export_writes_the_layout_claude_code_reads_exactly() {
    let repo = TestRepo::new();
    let id = rich_list(&repo, "Migration");
    let dir = repo.home().join(".claude/tasks/migration");
    let out = repo
        .cmd()
        .args(["-l", &id, "export", "claude"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        stdout(&out),
        format!(
            "Exported 5 tasks of 'Migration' to {}: 1.json … 5.json, .highwatermark = 5\n",
            dir.display()
        )
    );
    assert_eq!(
        json_files(&dir),
        [".highwatermark", "1.json", "2.json", "3.json", "4.json", "5.json"]
    );
    assert_eq!(std::fs::read_to_string(dir.join(".highwatermark")).unwrap(), "5");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join("1.json")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "task state is private");

    let want = [
        // (subject, description, status, blocks, blockedBy, owner, our status, our id)
        (
            "Migrate the schema",
            "v2 applied",
            "completed",
            vec![],
            vec![],
            Some("s1"),
            "completed",
            "schema",
        ),
        ("Port the code", "", "in_progress", vec!["5"], vec![], Some("s1"), "in_progress", "code"),
        ("docs", "waiting for review", "pending", vec!["5"], vec![], None, "blocked", "docs"),
        ("old", "", "completed", vec![], vec![], None, "cancelled", "old"),
        ("Ship it", "", "pending", vec![], vec!["2", "3"], None, "pending", "ship"),
    ];
    for (n, (subject, description, status, blocks, blocked_by, owner, ours, task)) in
        want.iter().enumerate()
    {
        let n = n + 1;
        let text = std::fs::read_to_string(dir.join(format!("{n}.json"))).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let obj = v.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        let mut expected = vec![
            "activeForm",
            "blockedBy",
            "blocks",
            "description",
            "id",
            "metadata",
            "status",
            "subject",
        ];
        if owner.is_some() {
            expected.push("owner");
        }
        expected.sort();
        assert_eq!(keys, expected, "{n}.json: {text}");
        assert_eq!(v["id"], Value::String(n.to_string()), "string ids");
        assert_eq!(v["subject"], *subject);
        assert_eq!(v["description"], *description);
        assert_eq!(v["activeForm"], format!("Working on: {subject}"));
        assert_eq!(v["status"], *status);
        assert_eq!(v["blocks"], serde_json::json!(blocks), "{n}.json");
        assert_eq!(v["blockedBy"], serde_json::json!(blocked_by), "{n}.json");
        if let Some(o) = owner {
            assert_eq!(v["owner"], *o);
        }
        assert_eq!(
            v["metadata"],
            serde_json::json!({"tasklist": id, "task": task, "tasklist_status": ours})
        );
    }

    let json = repo
        .cmd()
        .args(["--json", "-l", &id, "export", "claude"])
        .arg(&dir)
        .arg("--force")
        .assert()
        .success()
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["list"], id.as_str());
    assert_eq!(v["highwatermark"], 5);
    assert_eq!(
        v["tasks"][1],
        serde_json::json!({"file": "2.json", "claude_id": "2", "task": "code", "status": "in_progress"})
    );
    assert_eq!(v["removed"], serde_json::json!([]));
    let schemas = serde_json::to_value(git_tasklist_core::view::schemas()).unwrap();
    let props = schemas["export"]["properties"].as_object().unwrap();
    for k in v.as_object().unwrap().keys() {
        assert!(props.contains_key(k), "'{k}' is not in the export schema");
    }
}

#[test]
fn a_sequential_list_exports_its_order_as_blocked_by() {
    let repo = TestRepo::new();
    let id = repo.create_with("Steps", &["a", "b", "c"], &["--sequential"]);
    let dir = repo.root().join("out");
    repo.cmd().args(["-l", &id, "export", "claude"]).arg(&dir).assert().success();
    let read = |n: u32| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{n}.json"))).unwrap())
            .unwrap()
    };
    assert_eq!(read(1)["blocks"], serde_json::json!(["2"]));
    assert_eq!(read(2)["blockedBy"], serde_json::json!(["1"]));
    assert_eq!(read(2)["blocks"], serde_json::json!(["3"]));
    assert_eq!(read(3)["blockedBy"], serde_json::json!(["2"]));
}

#[test]
fn export_refuses_task_files_already_there_unless_forced() {
    let repo = TestRepo::new();
    let id = repo.create("Two", &["a", "b"]);
    let dir = tasks_dir(&repo, "taken");
    put(&dir, "1.json", r#"{"id":"1","subject":"theirs"}"#);
    put(&dir, "7.json", r#"{"id":"7","subject":"theirs too"}"#);
    put(&dir, ".highwatermark", "7");
    put(&dir, ".lock", "lock");
    put(&dir, "notes.txt", "keep me");
    let before: Vec<(String, Vec<u8>)> = json_files(&dir)
        .into_iter()
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect();

    let err = expect_error(repo.cmd().args(["-l", &id, "export", "claude"]).arg(&dir), 1);
    assert!(err.contains("already holds 2 Claude Code task files; nothing was written"), "{err}");
    assert!(err.contains("Hint: pass --force"), "{err}");
    let after: Vec<(String, Vec<u8>)> = json_files(&dir)
        .into_iter()
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect();
    assert_eq!(before, after, "nothing was written");

    let out = repo
        .cmd()
        .args(["-l", &id, "export", "claude", "--force"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(stdout(&out).contains("Removed old task files: 7.json"), "{}", stdout(&out));
    assert_eq!(json_files(&dir), [".highwatermark", ".lock", "1.json", "2.json", "notes.txt"]);
    assert_eq!(std::fs::read_to_string(dir.join(".lock")).unwrap(), "lock");
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(dir.join(".highwatermark")).unwrap(), "2");
    let one: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("1.json")).unwrap()).unwrap();
    assert_eq!(one["subject"], "a");

    // A task file that is a symlink is replaced, its target left alone.
    let target = repo.root().join("elsewhere.json");
    std::fs::write(&target, "precious").unwrap();
    std::fs::remove_file(dir.join("2.json")).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("2.json")).unwrap();
    repo.cmd().args(["-l", &id, "export", "claude", "--force"]).arg(&dir).assert().success();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert!(!std::fs::symlink_metadata(dir.join("2.json")).unwrap().file_type().is_symlink());
}

#[test]
fn export_needs_a_list_and_a_directory_it_can_use() {
    let repo = TestRepo::new();
    let dir = repo.root().join("out");
    let err = expect_error(repo.cmd().args(["export", "claude"]).arg(&dir), 2);
    assert!(err.contains("No task list given"), "{err}");
    expect_error(repo.cmd().args(["-l", "nope", "export", "claude"]).arg(&dir), 3);
    assert!(!dir.exists(), "nothing was created");
    let id = repo.create("L", &["a"]);
    let file = repo.root().join("file");
    std::fs::write(&file, "x").unwrap();
    let err = expect_error(repo.cmd().args(["-l", &id, "export", "claude"]).arg(&file), 1);
    assert!(err.contains("is not a directory"), "{err}");
    // TASKLIST_ID works as for every command; DIR is created with its parents.
    let deep = repo.root().join("a/b/c");
    repo.cmd().env("TASKLIST_ID", &id).args(["export", "claude"]).arg(&deep).assert().success();
    assert_eq!(json_files(&deep), [".highwatermark", "1.json"]);
}

#[test]
fn a_hostile_title_stays_data_in_the_json() {
    let repo = TestRepo::new();
    let title = "evil\n\"quoted\" \\ \u{1b}[31mred\u{7} \u{9b}2J \u{2028} end";
    let id = repo.create("Hostile", &["t"]);
    repo.cmd().args(["-l", &id, "add", "x", "--title", title]).assert().success();
    repo.cmd()
        .args(["-l", &id, "update", "x", "--note", "note\r\nwith\tcontrols\u{1b}"])
        .assert()
        .success();
    let dir = repo.root().join("out");
    repo.cmd().args(["-l", &id, "export", "claude"]).arg(&dir).assert().success();
    let bytes = std::fs::read(dir.join("2.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "raw controls: {text:?}");
    assert!(!text.contains('\u{9b}') && !text.contains('\u{2028}'), "{text:?}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["subject"], title);
    assert_eq!(v["activeForm"], format!("Working on: {title}"));
    assert_eq!(v["description"], "note\r\nwith\tcontrols\u{1b}");
    // And back: the same title, the same note.
    let (back, _, _) = import(&repo, &dir, &[]);
    let v = repo.show_json(&back);
    assert_eq!(task(&v, "x")["title"], title);
    assert_eq!(task(&v, "x")["note"], "note\r\nwith\tcontrols\u{1b}");
}

#[test]
fn export_then_import_gives_the_same_tasks() {
    let repo = TestRepo::new();
    let id = rich_list(&repo, "Round trip");
    let dir = repo.root().join("out");
    repo.cmd().args(["-l", &id, "export", "claude"]).arg(&dir).assert().success();
    let (back, _, err) = import(&repo, &dir, &["--title", "Round trip again"]);
    assert_eq!(err, "");
    let strip = |v: &Value| -> Vec<Value> {
        v["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                serde_json::json!([
                    t["id"],
                    t["title"],
                    t["status"],
                    t["owner"],
                    t["depends_on"],
                    t["note"]
                ])
            })
            .collect()
    };
    let (a, b) = (repo.show_json(&id), repo.show_json(&back));
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(b["progress"], a["progress"]);
    assert_eq!(repo.commit_count(&back), 1);
    // An edit made in Claude Code wins over the status the export recorded.
    let mut docs: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("3.json")).unwrap()).unwrap();
    docs["status"] = "completed".into();
    put(&dir, "3.json", &docs.to_string());
    let (edited, _, _) = import(&repo, &dir, &[]);
    assert_eq!(repo.status(&edited, "docs"), "completed");
    assert_eq!(repo.status(&edited, "old"), "cancelled");
}

/// Every entry of `dir` with its bytes (a directory as its name only).
fn dir_state(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut out: Vec<(String, Option<Vec<u8>>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let bytes = e.file_type().unwrap().is_file().then(|| std::fs::read(e.path()).unwrap());
            (name, bytes)
        })
        .collect();
    out.sort();
    out
}

/// A list planted with `git` whose one task has `title` and `note`.
fn planted_list(repo: &TestRepo, title: &str, note: &str) -> String {
    let id = "01a2b3c4-0000-7000-8000-000000000001";
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let rest = format!(
        "[[tasks]]\nid = \"big\"\ntitle = {}\nstatus = \"pending\"\nupdated = 2026-01-01T00:00:00Z\nnote = {}\n",
        quote(title),
        quote(note)
    );
    repo.plant(&format!("refs/tasklists/{id}"), crate::common::toml_for(id, &rest).as_bytes());
    id.to_string()
}

#[test]
fn a_400_kb_note_survives_export_and_import() {
    let repo = TestRepo::new();
    let note: String = (0..400_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let id = planted_list(&repo, "Big note", &note);
    let dir = repo.root().join("out");
    repo.cmd().args(["-l", &id, "export", "claude"]).arg(&dir).assert().success();
    assert!(std::fs::metadata(dir.join("1.json")).unwrap().len() > 400_000);
    let (back, _, err) = import(&repo, &dir, &[]);
    assert_eq!(err, "", "nothing skipped");
    assert_eq!(task(&repo.show_json(&back), "big")["note"], note.as_str());
}

#[test]
fn the_largest_task_a_list_can_hold_comes_back_from_its_export() {
    // A title of right-to-left overrides near the 8 MiB limit: TOML keeps
    // them raw (3 bytes), JSON escapes them (6), and the title is written
    // twice (subject, activeForm): the largest file an export writes.
    let repo = TestRepo::new();
    let title = "\u{202e}".repeat((8 << 20) / 3 - 400);
    let id = planted_list(&repo, &title, "n");
    let dir = repo.root().join("out");
    repo.cmd()
        .args(["-l", &id, "export", "claude"])
        .arg(&dir)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let size = std::fs::metadata(dir.join("1.json")).unwrap().len();
    assert!(size > 31 << 20, "the worst case is what it claims: {size}");
    let (back, _, err) = import(&repo, &dir, &[]);
    assert_eq!(err, "", "nothing skipped");
    let v = repo.show_json(&back);
    assert_eq!(task(&v, "big")["title"].as_str().map(str::len), Some(title.len()));
}

#[test]
fn an_import_over_what_a_list_holds_stops_early_and_writes_nothing() {
    let repo = TestRepo::new();
    let dir = tasks_dir(&repo, "huge");
    let note = "x".repeat(3 << 20);
    for n in 1..=3 {
        put(&dir, &format!("{n}.json"), &format!(r#"{{"subject":"T{n}","description":"{note}"}}"#));
    }
    let out = repo.cmd().args(["--json", "import", "claude"]).arg(&dir).assert().code(1);
    let e: Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(e["code"], "too_large");
    assert!(e["error"].as_str().unwrap().contains("more than 8 MiB of titles and notes"), "{e}");
    assert_eq!(list_refs(&repo), "");
}

#[test]
fn what_an_import_does_not_use_is_skipped_not_held() {
    // Big or deep fields nobody reads (activeForm, unknown ones, metadata)
    // and ids named over and over cost nothing kept.
    let repo = TestRepo::new();
    let dir = tasks_dir(&repo, "junk");
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let many = vec!["1"; 200_000].join(",");
    put(
        &dir,
        "2.json",
        &format!(
            r#"{{"subject":"Two","activeForm":"{}","futureField":{deep},"metadata":{deep},"blockedBy":[{many}],"blocks":[7,8,9,10]}}"#,
            "y".repeat(10 << 20)
        ),
    );
    put(&dir, "1.json", r#"{"subject":"One"}"#);
    let (id, _, err) = import(&repo, &dir, &[]);
    assert_eq!(
        err,
        "warning: 2.json: 'blocks' names tasks '7', '8', '9' and 1 more, which are not among the tasks read; dropped\n"
    );
    let v = repo.show_json(&id);
    assert_eq!(task(&v, "two")["depends_on"], serde_json::json!(["one"]));
}

#[test]
fn export_force_replaces_only_task_files() {
    let repo = TestRepo::new();
    let id = repo.create("Two", &["a", "b"]);
    let dir = tasks_dir(&repo, "mixed");
    put(&dir, "notes.json", "{\"mine\": true}");
    put(&dir, "config.json", "not even JSON");
    put(&dir, "1a.json", "{}");
    // Files that are not task files are no reason to refuse.
    repo.cmd().args(["-l", &id, "export", "claude"]).arg(&dir).assert().success();
    put(&dir, "7.json", r#"{"id":"7","subject":"old"}"#);
    let out = repo
        .cmd()
        .args(["--json", "-l", &id, "export", "claude", "--force"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .clone();
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["removed"], serde_json::json!(["7.json"]));
    let names: Vec<String> = dir_state(&dir).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [".highwatermark", "1.json", "1a.json", "2.json", "config.json", "notes.json"]
    );
    assert_eq!(std::fs::read_to_string(dir.join("notes.json")).unwrap(), "{\"mine\": true}");
    assert_eq!(std::fs::read_to_string(dir.join("config.json")).unwrap(), "not even JSON");
    assert_eq!(std::fs::read_to_string(dir.join("1a.json")).unwrap(), "{}");
}

#[test]
fn a_failed_export_leaves_the_directory_as_it_was() {
    let repo = TestRepo::new();
    let id = repo.create("Three", &["a", "b", "c"]);
    let dir = tasks_dir(&repo, "half");
    put(&dir, "1.json", r#"{"id":"1","subject":"theirs"}"#);
    put(&dir, "5.json", r#"{"id":"5","subject":"stale"}"#);
    put(&dir, ".highwatermark", "5");
    put(&dir, ".lock", "");
    // 3.json cannot be replaced: a directory (with something in it) is
    // there. 1.json and 2.json are renamed into place before that fails.
    std::fs::create_dir(dir.join("3.json")).unwrap();
    put(&dir.join("3.json"), "inside", "x");
    let before = dir_state(&dir);
    let err =
        expect_error(repo.cmd().args(["-l", &id, "export", "claude", "--force"]).arg(&dir), 1);
    assert!(err.contains("3.json") && err.contains("nothing was written"), "{err}");
    assert_eq!(dir_state(&dir), before, "a file was left written, removed or staged");
    // Without the obstacle the same export goes through.
    std::fs::remove_dir_all(dir.join("3.json")).unwrap();
    repo.cmd().args(["-l", &id, "export", "claude", "--force"]).arg(&dir).assert().success();
    let names: Vec<String> = dir_state(&dir).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, [".highwatermark", ".lock", "1.json", "2.json", "3.json"]);
}
