//! `create`: the id, the ref, the file, the commit, the JSON, and nothing else touched.

use crate::common::{TestRepo, stdout};

#[test]
fn create_prints_a_uuid_v7_and_writes_the_ref() {
    let repo = TestRepo::with_work();
    let before = repo.snapshot();
    let out = repo
        .cmd()
        .args(["create", "Database migration", "--task", "schema=Migrate the schema"])
        .args(["--task", "backfill", "--task", "cutover=Cut over"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout(&out);
    let id = text.lines().next().unwrap().to_string();
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(uuid.get_version_num(), 7, "{id} is not a UUID v7");
    assert_eq!(uuid.hyphenated().to_string(), id, "id is not in canonical form");

    // The ref exists and points at a commit with no parent.
    let refs = repo.git(&["for-each-ref", "--format=%(refname) %(objecttype)", "refs/tasklists"]);
    assert_eq!(refs.trim(), format!("refs/tasklists/{id} commit"));
    assert_eq!(repo.commit_count(&id), 1);
    let tree = repo.git(&["ls-tree", "--name-only", &format!("refs/tasklists/{id}")]);
    assert_eq!(tree.trim(), "tasklist.toml");

    // The file: format 1, the id, the tasks in order, native TOML datetimes.
    let file = repo.file_at(&id);
    assert!(file.starts_with("format = 1\n"), "{file}");
    let v: toml::Value = toml::from_str(&file).unwrap();
    assert_eq!(v["format"].as_integer(), Some(1));
    assert_eq!(v["id"].as_str(), Some(id.as_str()));
    assert_eq!(v["title"].as_str(), Some("Database migration"));
    assert!(v["created"].is_datetime(), "created is not a native TOML datetime: {file}");
    assert!(v["updated"].is_datetime(), "updated is not a native TOML datetime: {file}");
    assert!(file.lines().any(|l| l.starts_with("created = 20") && l.ends_with('Z')), "{file}");
    let tasks = v["tasks"].as_array().unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["schema", "backfill", "cutover"]);
    assert_eq!(tasks[0]["title"].as_str(), Some("Migrate the schema"));
    assert_eq!(tasks[1]["title"].as_str(), Some("backfill"));
    assert!(tasks.iter().all(|t| t["status"].as_str() == Some("pending")));

    // The commit: a readable subject and the trailers.
    let subject = repo.git(&["log", "-1", "--format=%s", &format!("refs/tasklists/{id}")]);
    assert!(subject.contains("Database migration"), "{subject}");
    let msg = repo.message(&format!("refs/tasklists/{id}"));
    assert!(msg.contains(&format!("\nTasklist: {id}\n")), "{msg}");
    assert!(msg.contains("\nOp: create\n"), "{msg}");
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.contains(&("Tasklist".into(), id.clone())), "{trailers:?}");
    assert!(trailers.contains(&("Op".into(), "create".into())), "{trailers:?}");

    // Nothing outside the namespace moved.
    assert_eq!(repo.snapshot(), before);
    assert!(repo.git(&["status", "--porcelain"]).contains("A  staged.txt"));
    repo.fsck();
}

#[test]
fn create_in_an_empty_repository_leaves_head_unborn() {
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let id = repo.create("Empty repo", &["a"]);
    assert_eq!(repo.snapshot(), before);
    let head = repo.git_output_in(&repo.path, &["rev-parse", "--verify", "-q", "HEAD"]);
    assert!(!head.status.success(), "HEAD was born");
    assert_eq!(repo.git(&["for-each-ref", "refs/heads"]), "");
    assert_eq!(repo.commit_count(&id), 1);
    repo.fsck();
}

#[test]
fn create_json_has_the_documented_schema() {
    let repo = TestRepo::new();
    let out = repo
        .cmd()
        .args(["--json", "create", "Release", "--task", "build=Build it", "--task", "ship"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "archived",
            "branch",
            "changed",
            "changed_task",
            "continued_in",
            "created",
            "from",
            "handoff",
            "id",
            "next",
            "next_step",
            "progress",
            "ref",
            "sequential",
            "tasks",
            "template",
            "tip",
            "title",
            "updated"
        ]
    );
    assert_eq!(v["ref"], format!("refs/tasklists/{id}"));
    assert_eq!(v["tip"].as_str().unwrap(), repo.tip(&id));
    assert_eq!(v["title"], "Release");
    assert_eq!(v["changed"], true);
    assert_eq!(v["sequential"], false);
    assert!(v["template"].is_null() && v["from"].is_null() && v["handoff"].is_null());
    assert_eq!(v["progress"], serde_json::json!({"done": 0, "total": 2}));
    assert_eq!(v["next"], "build");
    let created = v["created"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok(), "{created}");
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    for t in tasks {
        let mut k: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        assert_eq!(
            k,
            ["depends_on", "id", "note", "owner", "status", "title", "updated", "waits_for"]
        );
        assert_eq!(t["status"], "pending");
        assert!(t["owner"].is_null() && t["note"].is_null());
        assert_eq!(t["depends_on"], serde_json::json!([]));
        assert_eq!(t["waits_for"], serde_json::json!([]));
    }
    assert_eq!(tasks[0]["id"], "build");
    assert_eq!(tasks[0]["title"], "Build it");
    assert_eq!(tasks[1]["title"], "ship");

    // show --json agrees with what create printed and with the file.
    let shown = repo.show_json(&id);
    assert_eq!(shown["tip"], v["tip"]);
    assert_eq!(shown["tasks"], v["tasks"]);
    let file: toml::Value = toml::from_str(&repo.file_at(&id)).unwrap();
    assert_eq!(file["created"].to_string(), created);
}

#[test]
fn create_sequential_is_stored() {
    let repo = TestRepo::new();
    let id = repo.create_with("Phased", &["a", "b"], &["--sequential"]);
    let v: toml::Value = toml::from_str(&repo.file_at(&id)).unwrap();
    assert_eq!(v["sequential"].as_bool(), Some(true));
    assert_eq!(repo.show_json(&id)["sequential"], true);
}

#[test]
fn create_gives_each_list_its_own_ref() {
    let repo = TestRepo::new();
    let a = repo.create("One", &["x"]);
    let b = repo.create("Two", &[]);
    assert_ne!(a, b);
    let refs = repo.git(&["for-each-ref", "--format=%(refname)", "refs/tasklists"]);
    let mut expect = vec![format!("refs/tasklists/{a}"), format!("refs/tasklists/{b}")];
    expect.sort();
    assert_eq!(refs.lines().collect::<Vec<_>>(), expect);
    let listed = repo.cmd().args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let ids: Vec<&str> =
        v["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a.as_str()) && ids.contains(&b.as_str()));
    assert_eq!(v["unreadable"], serde_json::json!([]));
}

#[test]
fn create_text_output_names_the_ref() {
    let repo = TestRepo::new();
    let out =
        repo.cmd().args(["create", "Text", "-t", "a"]).assert().success().get_output().clone();
    let text = stdout(&out);
    let id = text.lines().next().unwrap();
    assert!(text.contains(&format!("refs/tasklists/{id}")), "{text}");
}

#[test]
fn create_takes_titles_and_task_specs_starting_with_a_hyphen() {
    let repo = TestRepo::new();
    let id = repo.create_with("-x title", &["a=-first"], &["--sequential"]);
    let v = repo.show_json(&id);
    assert_eq!((&v["title"], &v["sequential"]), (&"-x title".into(), &true.into()));
    assert_eq!(v["tasks"][0]["title"], "-first");
    // A task spec is read as one, and its id checked as such.
    let err = crate::common::expect_error(repo.cmd().args(["create", "T", "--task", "-a"]), 1);
    assert!(err.contains("'-a' is not a slug"), "{err}");
    // A lone option-like word is a mistyped option, not a title...
    let refs = repo.refs();
    let out = repo.cmd().args(["create", "--sequental", "--task", "a"]).assert().code(2);
    let err = crate::common::stderr(out.get_output());
    assert!(err.contains("'--sequental'") && err.contains("create -- --sequental"), "{err}");
    assert_eq!(repo.refs(), refs);
    // ...unless it comes after `--`.
    let out = repo.cmd().args(["create", "--task", "a", "--", "--literal"]).assert().success();
    let id = stdout(out.get_output()).lines().next().unwrap().to_string();
    assert_eq!(repo.show_json(&id)["title"], "--literal");
}

#[test]
fn create_says_how_to_resume_with_a_command_that_works() {
    let repo = TestRepo::new();
    let out = repo.cmd().args(["create", "Plan", "--task", "a"]).assert().success();
    let text = stdout(out.get_output());
    let id = text.lines().next().unwrap();
    let line = text.lines().find(|l| l.starts_with("Resume it anywhere with: ")).unwrap();
    assert_eq!(line, format!("Resume it anywhere with: git tasklist resume -l {id}"));
    let args: Vec<&str> = line.split_whitespace().skip(6).collect();
    let out = repo.cmd().args(&args).assert().success();
    assert!(stdout(out.get_output()).contains("Next: a  a"));
}

#[test]
fn create_from_does_not_reuse_the_source_title() {
    let repo = TestRepo::new();
    let old = repo.create("Migration", &["a", "b"]);
    let out = repo.cmd().args(["create", "--from", &old]).assert().success();
    let new = stdout(out.get_output()).lines().next().unwrap().to_string();
    assert_eq!(crate::common::stderr(out.get_output()), "");
    assert_eq!(repo.show_json(&new)["title"], "Migration (continued)");
    // Both titles still resolve, each to its own list.
    assert_eq!(repo.show_json("Migration")["id"], old.as_str());
    assert_eq!(repo.show_json("Migration (continued)")["id"], new.as_str());
}

#[test]
fn create_warns_when_the_title_is_taken() {
    let repo = TestRepo::new();
    let first = repo.create("Same", &["a"]);
    let out = repo.cmd().args(["create", "Same", "--task", "a"]).assert().success();
    let second = stdout(out.get_output()).lines().next().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(
        crate::common::stderr(out.get_output()),
        "warning: another task list is titled 'Same'; refer to this one by its id\n"
    );
    let out = repo.cmd().args(["create", "Other", "--task", "a"]).assert().success();
    assert_eq!(crate::common::stderr(out.get_output()), "");
    let out = repo.cmd().args(["--json", "create", "--from", &first, "Same"]).assert().success();
    assert!(crate::common::stderr(out.get_output()).starts_with("warning: another task list"));
}
