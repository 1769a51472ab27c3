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
    let v = hook(&repo, "session-start", &start_input(&repo), &[]).unwrap();
    let ctx = v["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(ctx.contains("2 open task list(s)") && ctx.contains("Other work"), "{ctx}");
    assert!(ctx.len() <= 10_000);
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
fn stop_reminds_of_held_tasks_and_honours_stop_hook_active() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    repo.cmd().args(["--session", "s1", "-l", &id, "start", "a"]).assert().success();
    let input = serde_json::json!({"cwd": repo.path, "stop_hook_active": false}).to_string();
    let v = hook(&repo, "stop", &input, &[("TASKLIST_SESSION", "s1")]).unwrap();
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "Stop");
    assert!(v.get("decision").is_none(), "never blocks");
    let ctx = v["hookSpecificOutput"]["additionalContext"].as_str().unwrap();
    assert!(ctx.contains("'a' of \"Plan\""), "{ctx}");
    assert!(hook(&repo, "stop", &input, &[("TASKLIST_SESSION", "s2")]).is_none(), "not s2's");
    let active = serde_json::json!({"cwd": repo.path, "stop_hook_active": true}).to_string();
    assert!(hook(&repo, "stop", &active, &[("TASKLIST_SESSION", "s1")]).is_none());
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
