//! `hook session-start` and `hook stop`: the documented stdin JSON in, the
//! hook's JSON out, exit 0 whatever happens.

use serde_json::Value;

use crate::common::{TestRepo, stdout};

fn hook(repo: &TestRepo, event: &str, input: &str, env: &[(&str, &str)]) -> Option<Value> {
    let mut c = repo.cmd();
    c.args(["hook", event]).write_stdin(input.to_string());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.assert().code(0).get_output().clone();
    let text = stdout(&out);
    if text.trim().is_empty() {
        return None;
    }
    assert_eq!(text.lines().count(), 1, "{text}");
    Some(serde_json::from_str(&text).unwrap())
}

fn start_input(repo: &TestRepo) -> String {
    serde_json::json!({"session_id": "abc", "cwd": repo.path, "hook_event_name": "SessionStart", "source": "startup"}).to_string()
}

#[test]
fn session_start_briefs_the_list_of_tasklist_id_or_indexes_the_open_ones() {
    let repo = TestRepo::new();
    let id = repo.create("Migration", &["schema=Migrate the schema", "code"]);
    repo.create("Other work", &["x"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "done", "schema"]).assert().success();
    let v = hook(&repo, "session-start", &start_input(&repo), &[("TASKLIST_ID", &id)]).unwrap();
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "SessionStart");
    let ctx = v["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(ctx.contains("\"Migration\"") && ctx.contains("1 of 2 tasks completed"), "{ctx}");
    assert!(ctx.contains("Next task: code"), "{ctx}");
    assert!(ctx.contains("VERIFIED"), "{ctx}");
    // Without TASKLIST_ID: both lists were started on this branch, so both
    // are briefed.
    let v = hook(&repo, "session-start", &start_input(&repo), &[]).unwrap();
    let ctx = v["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(ctx.contains("\"Migration\" (id") && ctx.contains("\"Other work\" (id"), "{ctx}");
    assert!(ctx.contains("started on branch main"), "{ctx}");
    assert!(ctx.len() <= 10_000);
}

#[test]
fn session_start_briefs_only_the_lists_of_the_worktree_s_branch() {
    let repo = TestRepo::new();
    repo.git(&["commit", "-q", "--allow-empty", "-m", "init"]);
    let main_list = repo.create("Main work", &["a"]);
    let wt = repo.root().join("wt");
    repo.git(&["worktree", "add", "-q", "-b", "feature/x", wt.to_str().unwrap()]);
    let out = repo.cmd_in(&wt).args(["create", "Feature work", "-t", "f"]).assert().success();
    let feature_list = stdout(out.get_output()).lines().next().unwrap().to_string();
    assert!(
        repo.file_at(&feature_list).contains("branch = \"feature/x\""),
        "the branch is recorded at create"
    );
    let input = |dir: &std::path::Path| {
        serde_json::json!({"session_id": "abc", "cwd": dir, "source": "startup"}).to_string()
    };
    let mut c = repo.cmd_in(&wt);
    let out = c.args(["hook", "session-start"]).write_stdin(input(&wt)).assert().code(0);
    let v: Value = serde_json::from_str(&stdout(out.get_output())).unwrap();
    let ctx = v["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(ctx.contains(&format!("\"Feature work\" (id {feature_list}")), "{ctx}");
    assert!(!ctx.contains("Main work"), "no leak from the other worktree: {ctx}");
    assert!(ctx.contains("1 other open task list(s) were started elsewhere"), "{ctx}");
    let v = hook(&repo, "session-start", &input(&repo.path), &[]).unwrap();
    let ctx = v["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(ctx.contains(&format!("\"Main work\" (id {main_list}")), "{ctx}");
    assert!(!ctx.contains("Feature work"), "{ctx}");
    // A branch with no list of its own gets the index of every open list.
    repo.git(&["switch", "-q", "-c", "empty"]);
    let v = hook(&repo, "session-start", &input(&repo.path), &[]).unwrap();
    let ctx = v["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(ctx.contains("2 open task list(s) in this repository"), "{ctx}");
}

fn task_event(repo: &TestRepo, event: &str, subject: &str, env: &[(&str, &str)]) {
    let name = if event == "task-created" { "TaskCreated" } else { "TaskCompleted" };
    let input = serde_json::json!({
        "session_id": "claude-1", "cwd": repo.path, "hook_event_name": name,
        "task_id": "1", "task_subject": subject, "task_description": "Details of it"
    })
    .to_string();
    assert!(hook(repo, event, &input, env).is_none(), "task hooks print nothing");
}

#[test]
fn task_created_and_completed_are_mirrored_into_the_list() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["schema=Migrate the schema"]);
    let env = [("TASKLIST_ID", id.as_str())];
    task_event(&repo, "task-created", "Write the tests", &env);
    let v = repo.show_json(&id);
    let t = &v["tasks"][1];
    assert_eq!(
        (t["id"].as_str(), t["status"].as_str()),
        (Some("write-the-tests"), Some("pending"))
    );
    assert_eq!(t["note"], "Details of it");
    // Completing matches the task by its subject, whatever the case.
    task_event(&repo, "task-completed", "write the TESTS", &env);
    let v = repo.show_json(&id);
    assert_eq!(v["tasks"].as_array().unwrap().len(), 2, "no duplicate: {v}");
    assert_eq!(v["tasks"][1]["status"], "completed");
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.contains(&("Session".into(), "claude-1".into())), "{trailers:?}");
    // An event for a planned task completes it.
    task_event(&repo, "task-completed", "Migrate the schema", &env);
    assert_eq!(repo.show_json(&id)["tasks"][0]["status"], "completed");
    repo.fsck();
}

#[test]
fn task_events_without_tasklist_id_go_to_the_session_s_own_list() {
    let repo = TestRepo::new();
    task_event(&repo, "task-created", "First", &[]);
    task_event(&repo, "task-created", "Second", &[]);
    task_event(&repo, "task-completed", "First", &[]);
    let refs = repo.refs();
    assert_eq!(refs.lines().count(), 1, "one list for the session: {refs}");
    let v = repo.show_json("Claude Code session claude-1");
    let tasks: Vec<_> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap().to_string(), t["status"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(tasks, [("first".into(), "completed".into()), ("second".into(), "pending".into())]);
    // Input without a subject, or garbage: exit 0, nothing written.
    let before = repo.tip(v["id"].as_str().unwrap());
    assert!(hook(&repo, "task-created", "{\"session_id\": \"claude-1\"}", &[]).is_none());
    assert!(hook(&repo, "task-completed", "][", &[]).is_none());
    assert_eq!(repo.tip(v["id"].as_str().unwrap()), before);
}

#[test]
fn hooks_exit_zero_on_garbage_outside_a_repository_and_beside_a_hostile_list() {
    let repo = TestRepo::new();
    assert!(
        hook(&repo, "session-start", "not json {{{", &[]).is_none(),
        "no lists: nothing to say"
    );
    let outside = repo.root().join("home");
    let input = serde_json::json!({"cwd": outside, "source": "startup"}).to_string();
    let mut c = repo.cmd_in(&outside);
    let out =
        c.args(["hook", "session-start"]).write_stdin(input).assert().code(0).get_output().clone();
    assert_eq!(stdout(&out), "");
    let id = "01900000-0000-7000-8000-0000000000bb";
    repo.plant(&format!("refs/tasklists/{id}"), b"garbage = [\n");
    repo.create("Good", &["a"]);
    let v = hook(&repo, "session-start", &start_input(&repo), &[]).unwrap();
    assert!(v["hookSpecificOutput"]["additionalContext"].as_str().unwrap().contains("Good"));
    let v = hook(&repo, "session-start", &start_input(&repo), &[("TASKLIST_ID", id)]).unwrap();
    assert!(
        v["hookSpecificOutput"]["additionalContext"].as_str().unwrap().contains("cannot be read")
    );
    assert!(hook(&repo, "no-such-event", "{}", &[]).is_none());
}

#[test]
fn stop_reminds_the_user_of_held_tasks_by_default_and_the_model_only_when_asked() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    let input = serde_json::json!({"cwd": repo.path, "stop_hook_active": false}).to_string();
    // By default a systemMessage: shown to the user, no model turn.
    let v = hook(&repo, "stop", &input, &[("TASKLIST_SESSION", "s1")]).unwrap();
    assert!(v.get("hookSpecificOutput").is_none(), "no additionalContext: {v}");
    assert!(v.get("decision").is_none(), "never blocks");
    let msg = v["systemMessage"].as_str().unwrap();
    assert!(msg.contains("'a' of \"Plan\"") && msg.contains("session s1"), "{msg}");
    assert!(hook(&repo, "stop", &input, &[("TASKLIST_SESSION", "s2")]).is_none(), "not s2's");
    // TASKLIST_STOP_REMINDER=model: additionalContext, which Claude Code
    // feeds to the model for one more turn.
    let model = [("TASKLIST_SESSION", "s1"), ("TASKLIST_STOP_REMINDER", "model")];
    let v = hook(&repo, "stop", &input, &model).unwrap();
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "Stop");
    assert_eq!(v["hookSpecificOutput"]["additionalContext"].as_str(), Some(msg));
    assert!(v.get("systemMessage").is_none(), "{v}");
    let off = [("TASKLIST_SESSION", "s1"), ("TASKLIST_STOP_REMINDER", "off")];
    assert!(hook(&repo, "stop", &input, &off).is_none());
    let active = serde_json::json!({"cwd": repo.path, "stop_hook_active": true}).to_string();
    assert!(hook(&repo, "stop", &active, &[("TASKLIST_SESSION", "s1")]).is_none());
    assert!(hook(&repo, "stop", &active, &model).is_none(), "never a second model turn");
}

#[test]
fn pre_compact_and_session_end_record_a_handoff_only_when_the_list_changed() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    let input = serde_json::json!({"cwd": repo.path, "trigger": "auto"}).to_string();
    let n = repo.commit_count(&id);
    assert!(
        hook(&repo, "pre-compact", &input, &[("TASKLIST_ID", &id)]).is_none(),
        "prints nothing"
    );
    assert_eq!(repo.commit_count(&id), n + 1);
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.contains(&("Op".to_string(), "handoff".to_string())), "{trailers:?}");
    assert!(
        repo.file_at(&id).contains("Automatic handoff, recorded before the context was compacted.")
    );
    // Nothing changed since: no second handoff.
    hook(&repo, "pre-compact", &input, &[("TASKLIST_ID", &id)]);
    assert_eq!(repo.commit_count(&id), n + 1);
    // session-end finds the lists this session holds work in.
    repo.cmd()
        .args(["--session", "s1", "-l", &id, "update", "a", "--note", "more"])
        .assert()
        .success();
    hook(&repo, "session-end", "{\"reason\": \"other\"}", &[("TASKLIST_SESSION", "s1")]);
    assert_eq!(repo.commit_count(&id), n + 3);
    assert!(repo.file_at(&id).contains("as the session ended"));
    repo.fsck();
}
