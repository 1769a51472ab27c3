//! `--json` of every command on a fixed repository, snapshotted (one file per
//! call in `snapshots/json/`) so a schema change is reviewed, never
//! accidental; and the JSON schema of each view (one file per view in
//! `snapshots/schema/`), checked against what the commands print.

use serde_json::Value;

use crate::common::{TestRepo, stderr, stdout};
use crate::snapshot_support::SnapshotFiles;

/// Runs `--json ARGS`, checks the exit code, returns the parsed object (from
/// stdout, or from stderr for a failure).
fn json(repo: &TestRepo, args: &[&str], code: i32) -> Value {
    let out = repo.cmd().arg("--json").args(args).assert().code(code).get_output().clone();
    let text = if code == 0 { stdout(&out) } else { stderr(&out) };
    assert_eq!(text.lines().count(), 1, "--json {args:?} is not one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("--json {args:?}: {e}: {text}"))
}

/// Every key of `v` is a property of `schema` and every required property is
/// there, recursively through objects and arrays of objects.
pub fn conforms(v: &Value, schema: &Value, defs: &Value, path: &str) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &defs[r.rsplit('/').next().unwrap()],
        None => schema,
    };
    if let Some(any) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        // Option<T> is T or null; untagged enums are one of their variants.
        let options = any.as_array().unwrap();
        if v.is_null() && options.iter().any(|o| o["type"] == "null") {
            return;
        }
        for o in options.iter().filter(|o| o["type"] != "null") {
            if std::panic::catch_unwind(|| conforms(v, o, defs, path)).is_ok() {
                return;
            }
        }
        panic!("{path}: {v} matches none of {any}");
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let obj = v.as_object().unwrap_or_else(|| panic!("{path}: {v} is not an object"));
        for k in obj.keys() {
            assert!(props.contains_key(k), "{path}: key '{k}' is not in the schema");
        }
        for r in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let r = r.as_str().unwrap();
            assert!(obj.contains_key(r), "{path}: required key '{r}' is missing");
        }
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                conforms(x, sub, defs, &format!("{path}.{k}"));
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            conforms(x, items, defs, &format!("{path}[{i}]"));
        }
    }
}

#[test]
fn snapshot_json_of_every_command() {
    let schemas = serde_json::to_value(git_tasklist_core::view::schemas()).unwrap();
    let repo = TestRepo::new();
    let mut snapshots = SnapshotFiles::of_repo("json", &repo);
    let mut record = |name: &str, args: &[&str], code: i32, schema: &str| {
        let v = json(&repo, args, code);
        let s = &schemas[schema];
        conforms(&v, s, &s["$defs"], schema);
        let shown: Vec<&str> =
            args.iter().map(|a| if a.len() == 36 { "<ID>" } else { a }).collect();
        let text = format!(
            "$ git tasklist --json {}\n{}\n",
            shown.join(" "),
            serde_json::to_string_pretty(&v).unwrap()
        );
        snapshots.check(&format!("{name}.txt"), &text);
        v
    };
    let created = record(
        "create",
        &["create", "Migration", "--sequential", "-t", "schema=Migrate the schema", "-t", "code"],
        0,
        "change",
    );
    let id = created["id"].as_str().unwrap().to_string();
    let l = id.as_str();
    record(
        "add",
        &["-l", l, "add", "docs", "--title", "Write docs", "--depends-on", "schema"],
        0,
        "change",
    );
    record("start", &["--session", "s1", "-l", l, "start", "schema"], 0, "change");
    let done = ["--session", "s1", "-l", l, "done", "schema", "--note", "v2 applied"];
    record("done", &done, 0, "change");
    record("start_second", &["--session", "s1", "-l", l, "start", "code"], 0, "change");
    record("block", &["-l", l, "block", "docs", "--reason", "waiting for review"], 0, "change");
    let handoff = ["--session", "s1", "-l", l, "handoff", "--note", "code half done"];
    record("handoff", &handoff, 0, "handoff");
    record("show", &["--session", "s2", "show", l], 0, "list");
    record("next", &["--session", "s2", "-l", l, "next"], 0, "next");
    record("list", &["--session", "s2", "list"], 0, "lists");
    record("log", &["-l", l, "log", "-n", "2"], 0, "log");
    record("resume", &["--session", "s2", "resume", l], 0, "resume");
    record("verify", &["-l", l, "verify", "--expect", "schema=completed"], 0, "verify");
    record("archive", &["archive", l], 0, "change");
    record("list_after_archive", &["list"], 0, "lists");
    record("list_all", &["list", "--all"], 0, "lists");
    record("unarchive", &["unarchive", l], 0, "change");
    record("templates", &["templates"], 0, "templates");
    record("error_held_by_other", &["--session", "s2", "-l", l, "done", "code"], 4, "error");
    let reopen = ["-l", l, "update", "schema", "--status", "pending"];
    record("error_needs_reopen", &reopen, 4, "error");
    record("error_list_not_found", &["show", "nope"], 3, "error");
    let claude = repo.root().join("claude-tasks");
    std::fs::create_dir(&claude).unwrap();
    std::fs::write(claude.join("1.json"), r#"{"id":"1","subject":"Plan","status":"completed"}"#)
        .unwrap();
    std::fs::write(claude.join("2.json"), r#"{"id":2,"subject":"Build","blockedBy":["1","9"]}"#)
        .unwrap();
    std::fs::write(claude.join("3.json"), "[]").unwrap();
    let claude = claude.to_str().unwrap();
    let import = ["import", "claude", claude, "--title", "From Claude Code"];
    record("import_claude", &import, 0, "import");
    let exported = repo.root().join("exported");
    record(
        "export_claude",
        &["-l", l, "export", "claude", exported.to_str().unwrap()],
        0,
        "export",
    );
}

/// The JSON schema of every view, one file per view.
#[test]
fn snapshot_json_schema() {
    let mut snapshots = SnapshotFiles::new("schema");
    for (view, schema) in git_tasklist_core::view::schemas() {
        let text = serde_json::to_string_pretty(&schema).unwrap();
        snapshots.check(&format!("{view}.json"), &format!("{text}\n"));
    }
}
