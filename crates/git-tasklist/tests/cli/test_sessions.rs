//! The multi-session workflow: the seed scenario (session 1 works and hands
//! off, session 2 resumes with only the id, verifies and finishes), the ways
//! `verify` must fail, `handoff`, and `demo`.

use serde_json::Value;

use crate::common::{TestRepo, expect_error, stderr, stdout};
use crate::session_support::{
    NOTE, as_session, commit_behind_back, run_code, session_one, session_trailers, with_status,
};

fn json_out(cmd: &mut assert_cmd::Command, code: i32) -> Value {
    let text = run_code(cmd, code);
    assert_eq!(text.lines().count(), 1, "JSON is not one line: {text}");
    serde_json::from_str(&text).unwrap()
}

fn check<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

// ------------------------------------------------------------ seed scenario

#[test]
fn seed_scenario_second_session_resumes_verifies_and_finishes() {
    let repo = TestRepo::with_work();
    let before = repo.snapshot();
    let (id, _) = session_one(&repo);
    let r = format!("refs/tasklists/{id}");
    let toml = repo.file_at(&id);
    assert!(toml.contains("\ntemplate = \"migration\"\n"), "{toml}");
    assert!(toml.contains("\nsequential = true\n"), "{toml}");
    let tasks: Vec<String> = repo.show_json(&id)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].to_string())
        .collect();
    assert_eq!(
        tasks,
        [r#""database-migration""#, r#""application-migration""#, r#""data-validation""#]
    );

    // Session 2: a new process that knows only the id (TASKLIST_ID).
    let brief = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    assert!(brief.contains(&format!("id {id}")), "{brief}");
    assert!(brief.contains("1/3"), "{brief}");
    let app_line = brief.lines().find(|l| l.contains("▶ application-migration")).unwrap();
    assert!(app_line.contains("left open by an earlier session"), "{brief}");
    assert!(app_line.contains("s1"), "{brief}");
    let db_line = brief.lines().find(|l| l.contains("database-migration ")).unwrap();
    assert!(!db_line.contains("left open"), "{brief}");
    assert!(brief.contains("Next: application-migration"), "{brief}");
    assert!(brief.contains(&format!("  {NOTE}\n")), "{brief}");
    let history: Vec<&str> = brief
        .lines()
        .skip_while(|l| *l != "Recent history:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(history.len(), 5, "{brief}");
    assert!(history.iter().all(|l| l.contains("  s1  ")), "{brief}");
    assert!(history[0].ends_with("Database migration: handoff"), "{brief}");
    assert!(brief.contains("Cross-session persistence: VERIFIED\n"), "{brief}");
    assert!(
        brief.contains(&format!(
            "Continue with: git tasklist -l {id} start application-migration --take-over\n"
        )),
        "{brief}"
    );
    // resume only reads: no commit.
    assert_eq!(repo.commit_count(&id), 5);

    let out = run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "database-migration=completed"]),
        0,
    );
    assert!(out.contains(&format!("Verifying 'Database migration' ({id})")), "{out}");
    assert!(out.ends_with("Cross-session persistence: VERIFIED\n"), "{out}");

    // Session 1 still holds phase 2: s2 must take it over, then finishes.
    let err =
        expect_error(as_session(&repo, "s2", &id).args(["start", "application-migration"]), 4);
    assert!(err.contains("s1"), "{err}");
    as_session(&repo, "s2", &id)
        .args(["start", "application-migration", "--take-over"])
        .assert()
        .success();
    assert!(repo.trailers(&r).contains(&("Took-Over".into(), "s1".into())));
    for step in [
        &["done", "application-migration"][..],
        &["start", "data-validation"],
        &["done", "data-validation", "--note", "row counts match"],
    ] {
        as_session(&repo, "s2", &id).args(step).assert().success();
    }
    let out = run_code(as_session(&repo, "s2", &id).arg("verify"), 0);
    assert!(out.contains("9 commits read"), "{out}");
    assert!(out.contains("every task is settled"), "{out}");
    assert!(out.ends_with("Cross-session persistence: VERIFIED\n"), "{out}");
    assert_eq!(repo.show_json(&id)["progress"], serde_json::json!({"done": 3, "total": 3}));

    let sessions = session_trailers(&repo, &r);
    assert_eq!(sessions.len(), 9, "every commit is tagged: {sessions:?}");
    assert_eq!(sessions[..4], ["s2", "s2", "s2", "s2"]);
    assert!(sessions[4..].iter().all(|s| s == "s1"), "{sessions:?}");
    let log = repo.git(&["log", "--format=%B", &r]);
    assert!(log.contains("Session: s1") && log.contains("Session: s2"), "{log}");
    assert_eq!(repo.snapshot(), before, "HEAD, index or work tree touched");
    repo.fsck();
}

#[test]
fn resume_by_unique_prefix_and_by_exact_title() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let other = repo.create("Something else", &["a"]);
    // UUID v7 ids made in the same millisecond share a long prefix.
    let common = id.chars().zip(other.chars()).take_while(|(a, b)| a == b).count();
    let prefix = &id[..(common + 1).max(4)];
    let full = run_code(repo.cmd().args(["resume", &id]), 0);
    assert!(full.contains(&format!("id {id}")), "{full}");
    let by_prefix = run_code(repo.cmd().args(["resume", prefix]), 0);
    let by_title = run_code(repo.cmd().args(["resume", "Database migration"]), 0);
    let by_flag = run_code(repo.cmd().args(["-l", prefix, "resume"]), 0);
    for out in [&by_prefix, &by_title, &by_flag] {
        assert_eq!(*out, full);
    }
    if common >= 4 {
        let err = expect_error(repo.cmd().args(["resume", &id[..common]]), 1);
        assert!(err.contains(&id) && err.contains(&other), "lists the candidates: {err}");
    }
    expect_error(repo.cmd().args(["resume", "No such title"]), 3);
}

#[test]
fn resume_by_the_holding_session_does_not_flag_its_own_task() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let brief = run_code(as_session(&repo, "s1", &id).arg("resume"), 0);
    assert!(!brief.contains("left open"), "{brief}");
    assert!(
        brief
            .contains(&format!("Continue with: git tasklist -l {id} done application-migration\n")),
        "{brief}"
    );
    let v = json_out(as_session(&repo, "s1", &id).args(["--json", "resume"]), 0);
    assert_eq!(v["left_open"], serde_json::json!([]));
    assert_eq!(v["session"], "s1");
}

#[test]
fn resume_without_a_handoff_checks_recent_commits() {
    let repo = TestRepo::new();
    let id = repo.create_with("Plan", &["one", "two"], &["--sequential"]);
    repo.cmd().args(["-l", &id, "done", "one"]).assert().success();
    let brief = run_code(repo.cmd().args(["resume", &id]), 0);
    assert!(brief.contains("(no handoff yet): last 2 commits"), "{brief}");
    assert!(brief.contains("Cross-session persistence: VERIFIED"), "{brief}");
    assert!(!brief.contains("Last handoff"), "{brief}");
    let bad =
        commit_behind_back(&repo, &id, &with_status(&repo.file_at(&id), "one", "pending"), "oops");
    let brief = run_code(repo.cmd().args(["resume", &id]), 0);
    assert!(brief.contains("Cross-session persistence: FAILED"), "{brief}");
    assert!(brief.contains(&bad[..12]), "{brief}");
}

// ------------------------------------------------------------ failure modes

#[test]
fn reset_behind_the_tools_back_fails_verify_naming_task_and_commit() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let toml = with_status(&repo.file_at(&id), "database-migration", "pending");
    let bad = commit_behind_back(&repo, &id, &toml, "reset by hand");
    assert_eq!(repo.status(&id, "database-migration"), "pending");
    repo.fsck();

    let out = run_code(as_session(&repo, "s2", &id).arg("verify"), 5);
    let line = out.lines().find(|l| l.contains(&bad[..12])).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("database-migration"), "{out}");
    assert!(line.contains("\"reset by hand\""), "{out}");
    assert!(out.contains("✗ status preserved"), "{out}");
    assert!(out.contains("✓ id continuity"), "{out}");
    assert!(out.contains("✓ seamless continuation"), "{out}");
    assert!(out.contains("Cross-session persistence: FAILED (1 problem)"), "{out}");
    assert!(!out.contains("VERIFIED"), "{out}");
    assert!(
        stderr(&as_session(&repo, "s2", &id).arg("verify").output().unwrap())
            .starts_with("Error: ")
    );

    // resume reports it but still succeeds.
    let brief = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    assert!(brief.contains("Cross-session persistence: FAILED"), "{brief}");
    assert!(brief.contains(&bad[..12]), "{brief}");
    assert!(brief.contains("0/3"), "{brief}");

    // The tool cannot launder it: completing the task again keeps verify failing.
    as_session(&repo, "s2", &id)
        .args(["done", "database-migration", "--take-over"])
        .assert()
        .success();
    let out = run_code(as_session(&repo, "s2", &id).arg("verify"), 5);
    assert!(out.contains(&bad[..12]), "{out}");
}

#[test]
fn a_legitimate_reopen_passes_verify_but_fails_expect() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let r = format!("refs/tasklists/{id}");
    // Without --reopen the guard refuses.
    expect_error(
        as_session(&repo, "s3", &id).args(["update", "database-migration", "--status", "pending"]),
        4,
    );
    as_session(&repo, "s3", &id)
        .args(["update", "database-migration", "--status", "pending", "--reopen"])
        .assert()
        .success();
    let t = repo.trailers(&r);
    assert!(t.contains(&("Op".into(), "reopen".into())), "{t:?}");
    assert!(t.contains(&("Reopened".into(), "database-migration".into())), "{t:?}");

    let out = run_code(as_session(&repo, "s2", &id).arg("verify"), 0);
    assert!(out.contains("Cross-session persistence: VERIFIED"), "{out}");
    let out = run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "database-migration=completed"]),
        5,
    );
    let line = out.lines().find(|l| l.contains("was expected")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("database-migration") && line.contains("pending"), "{out}");
    assert!(out.contains("✗ status preserved"), "{out}");
    assert!(out.contains("Cross-session persistence: FAILED"), "{out}");
    // Several expectations: one met, one not; alias input.
    let out = run_code(
        as_session(&repo, "s2", &id).args([
            "verify",
            "--expect",
            "application-migration=started",
            "--expect",
            "database-migration=DONE",
        ]),
        5,
    );
    assert!(!out.contains("'application-migration' was expected"), "{out}");
    assert!(out.contains("'database-migration' was expected"), "{out}");
}

#[test]
fn expect_is_met_by_progress_made_since() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    as_session(&repo, "s2", &id)
        .args(["done", "application-migration", "--take-over"])
        .assert()
        .success();
    run_code(
        as_session(&repo, "s2", &id).args([
            "verify",
            "--expect",
            "application-migration=in_progress",
        ]),
        0,
    );
    run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "data-validation=pending"]),
        0,
    );
    let out = run_code(
        as_session(&repo, "s2", &id).args([
            "verify",
            "--expect",
            "application-migration=cancelled",
        ]),
        5,
    );
    assert!(
        out.contains("'application-migration' was expected cancelled but is completed"),
        "{out}"
    );
    let out = run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "no-such-task=pending"]),
        5,
    );
    assert!(out.contains("no-such-task"), "{out}");
}

#[test]
fn completing_ahead_of_the_previous_phase_fails_seamless_continuation() {
    let repo = TestRepo::new();
    let id = repo.create_with("Migration", &[], &["--template", "migration"]);
    let toml = with_status(&repo.file_at(&id), "application-migration", "completed");
    let bad = commit_behind_back(&repo, &id, &toml, "skip ahead");
    let out = run_code(repo.cmd().args(["-l", &id, "verify"]), 5);
    assert!(out.contains("✗ seamless continuation"), "{out}");
    assert!(out.contains("✓ status preserved"), "{out}");
    let line = out.lines().find(|l| l.contains(&bad[..12])).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("application-migration") && line.contains("database-migration"), "{out}");
    let v = json_out(repo.cmd().args(["--json", "-l", &id, "verify"]), 5);
    let c = check(&v, "seamless continuation");
    assert_eq!(c["ok"], false);
    assert_eq!(c["failures"][0]["commit"], bad.as_str());
    assert_eq!(c["failures"][0]["task"], "application-migration");
    assert_eq!(v["current_phase"], "database-migration");
}

#[test]
fn out_of_order_written_by_the_tool_passes_verify() {
    let repo = TestRepo::new();
    let id = repo.create_with("Migration", &[], &["--template", "migration"]);
    expect_error(repo.cmd().args(["-l", &id, "done", "data-validation"]), 4);
    repo.cmd().args(["-l", &id, "done", "data-validation", "--out-of-order"]).assert().success();
    let t = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(t.contains(&("Out-Of-Order".into(), "data-validation".into())), "{t:?}");
    let out = run_code(repo.cmd().args(["-l", &id, "verify"]), 0);
    assert!(out.contains("current phase: database-migration"), "{out}");
    assert!(out.contains("Cross-session persistence: VERIFIED"), "{out}");
}

#[test]
fn unreadable_commit_in_the_middle_fails_id_continuity() {
    let repo = TestRepo::new();
    let id = repo.create_with("Migration", &[], &["--template", "migration"]);
    repo.cmd().args(["-l", &id, "start", "database-migration"]).assert().success();
    let good = repo.file_at(&id);
    let garbage = commit_behind_back(&repo, &id, "this is = = not toml\n", "garbage");
    commit_behind_back(&repo, &id, &good, "restore");
    // The tool works on top again.
    repo.cmd().args(["-l", &id, "done", "database-migration"]).assert().success();
    let out = run_code(repo.cmd().args(["-l", &id, "verify"]), 5);
    assert!(out.contains("✗ id continuity"), "{out}");
    let line = out.lines().find(|l| l.contains(&garbage[..12])).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("cannot be read"), "{out}");
    assert!(out.contains("✓ seamless continuation"), "{out}");
    let v = json_out(repo.cmd().args(["--json", "-l", &id, "verify"]), 5);
    let c = check(&v, "id continuity");
    assert_eq!(c["failures"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(c["failures"][0]["commit"], garbage.as_str());
    assert_eq!(v["commits"], 5);
}

#[test]
fn commit_storing_another_lists_id_fails_id_continuity() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["one"]);
    let other = repo.create("Other", &["one"]);
    let good = repo.file_at(&id);
    let foreign = commit_behind_back(&repo, &id, &good.replace(&id, &other), "foreign");
    commit_behind_back(&repo, &id, &good, "restore");
    let v = json_out(repo.cmd().args(["--json", "-l", &id, "verify"]), 5);
    let c = check(&v, "id continuity");
    assert_eq!(c["ok"], false, "{v}");
    assert_eq!(c["failures"][0]["commit"], foreign.as_str(), "{v}");
    run_code(repo.cmd().args(["-l", &other, "verify"]), 0);
}

#[test]
fn expect_with_bad_syntax_or_unknown_status() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let tip = repo.tip(&id);
    let err = expect_error(as_session(&repo, "s2", &id).args(["verify", "--expect", "x"]), 2);
    assert!(err.contains("TASK=STATUS"), "{err}");
    let err = expect_error(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "database-migration=nope"]),
        1,
    );
    assert!(err.contains("nope"), "{err}");
    expect_error(as_session(&repo, "s2", &id).args(["verify", "--expect", "Bad Id=completed"]), 1);
    assert_eq!(repo.tip(&id), tip);
}

#[test]
fn verify_and_resume_json() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let base = repo.tip(&id);
    let v = json_out(as_session(&repo, "s2", &id).args(["--json", "verify"]), 0);
    assert_eq!(v["list"], id.as_str());
    assert_eq!(v["verified"], true);
    assert_eq!(v["complete"], true);
    assert_eq!(v["commits"], 5);
    assert_eq!(v["current_phase"], "application-migration");
    let names: Vec<&str> =
        v["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["id continuity", "status preserved", "seamless continuation"]);
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true && c["failures"] == serde_json::json!([]))
    );

    let handoff_base = repo.git(&["rev-parse", &format!("{base}^")]).trim().to_string();
    let toml = with_status(&repo.file_at(&id), "database-migration", "pending");
    let bad = commit_behind_back(&repo, &id, &toml, "reset by hand");
    let v = json_out(as_session(&repo, "s2", &id).args(["--json", "verify"]), 5);
    assert_eq!(v["verified"], false);
    let c = check(&v, "status preserved");
    assert_eq!(c["ok"], false);
    assert_eq!(c["failures"].as_array().unwrap().len(), 1);
    assert_eq!(c["failures"][0]["commit"], bad.as_str());
    assert_eq!(c["failures"][0]["task"], "database-migration");
    assert_eq!(c["failures"][0]["subject"], "reset by hand");
    assert_eq!(check(&v, "id continuity")["ok"], true);
    assert_eq!(check(&v, "seamless continuation")["ok"], true);

    let r = json_out(as_session(&repo, "s2", &id).args(["--json", "resume"]), 0);
    assert_eq!(r["list"]["id"], id.as_str());
    assert_eq!(r["list"]["progress"], serde_json::json!({"done": 0, "total": 3}));
    assert_eq!(r["list"]["handoff"]["note"], NOTE);
    assert_eq!(r["session"], "s2");
    // The reset made database-migration ready again: s2 is steered there, not
    // onto the task s1 holds.
    assert_eq!(r["next"]["id"], "database-migration");
    assert_eq!(r["left_open"], serde_json::json!([{"id": "application-migration", "owner": "s1"}]));
    assert!(r["next_command"].as_str().unwrap().ends_with("start database-migration"));
    let h = r["history"].as_array().unwrap();
    assert_eq!(h.len(), 5);
    assert_eq!(h[0]["commit"], bad.as_str());
    assert_eq!(h[1]["op"], "handoff");
    assert_eq!(h[1]["session"], "s1");
    assert_eq!(r["verify"]["verified"], false);
    assert_eq!(r["verify"]["complete"], false);
    assert_eq!(r["verify"]["since_handoff"], handoff_base.as_str());
    assert_eq!(check(&r["verify"], "status preserved")["failures"][0]["commit"], bad.as_str());
}

// ------------------------------------------------------------------ handoff

#[test]
fn handoff_is_one_commit_with_the_document_in_the_tree() {
    let repo = TestRepo::new();
    let (id, doc) = session_one(&repo);
    let r = format!("refs/tasklists/{id}");
    assert_eq!(repo.commit_count(&id), 5);
    let t = repo.trailers(&r);
    assert!(t.contains(&("Op".into(), "handoff".into())), "{t:?}");
    assert!(t.contains(&("Session".into(), "s1".into())), "{t:?}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s", &r]).trim(), "Database migration: handoff");
    let parent = repo.git(&["rev-parse", &format!("{r}^")]).trim().to_string();
    // Only HANDOFF.md and the state changed.
    let changed = repo.git(&["diff", "--name-only", &parent, &r]);
    assert_eq!(changed, "HANDOFF.md\ntasklist.toml\n");
    let stored = repo.git(&["show", &format!("{r}:HANDOFF.md")]);
    assert_eq!(stored, doc, "printed document differs from the committed one");
    assert_eq!(repo.git(&["cat-file", "-t", &format!("{r}:HANDOFF.md")]).trim(), "blob");
    for needle in [
        id.as_str(),
        "1/3",
        NOTE,
        "database-migration",
        "schema v2 applied",
        "application-migration",
        "data-validation",
        &format!("git tasklist resume -l {id}"),
    ] {
        assert!(doc.contains(needle), "handoff lacks {needle:?}:\n{doc}");
    }
    let done = doc.split("## Done").nth(1).unwrap().split("## Open").next().unwrap();
    assert!(done.contains("database-migration") && done.contains("schema v2 applied"), "{doc}");
    let open = doc.split("## Open").nth(1).unwrap().split("## Next").next().unwrap();
    assert!(open.contains("application-migration") && open.contains("data-validation"), "{doc}");
    assert!(!open.contains("database-migration"), "{doc}");
    let next = doc.split("## Next step").nth(1).unwrap();
    assert!(next.trim_start().starts_with("`application-migration`"), "{doc}");

    let state: toml::Table = toml::from_str(&repo.file_at(&id)).unwrap();
    let h = state["handoff"].as_table().unwrap();
    assert_eq!(h["session"].as_str(), Some("s1"));
    assert_eq!(h["note"].as_str(), Some(NOTE));
    assert_eq!(h["base"].as_str(), Some(parent.as_str()), "base is not the handoff's parent");
    let at = h["at"].to_string();
    assert_eq!(at.len(), 20, "{at}");
    assert!(at.ends_with('Z'), "{at}");
    repo.fsck();

    // A second handoff builds on the first.
    let first = repo.tip(&id);
    let v = json_out(as_session(&repo, "s2", &id).args(["--json", "handoff", "-m", "second"]), 0);
    assert_eq!(v["changed"], true);
    assert_eq!(v["output"], Value::Null);
    assert_eq!(v["handoff"]["note"], "second");
    assert_eq!(v["handoff"]["session"], "s2");
    assert_eq!(v["document"].as_str().unwrap(), repo.git(&["show", &format!("{r}:HANDOFF.md")]));
    let state: toml::Table = toml::from_str(&repo.file_at(&id)).unwrap();
    assert_eq!(state["handoff"]["base"].as_str(), Some(first.as_str()));
}

#[test]
fn handoff_output_file() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let r = format!("refs/tasklists/{id}");
    let out = run_code(
        as_session(&repo, "s1", &id).args(["handoff", "-m", "to file", "-o", "notes.md"]),
        0,
    );
    assert_eq!(out, format!("Handoff recorded on {r}; document written to notes.md\n"));
    let written = std::fs::read_to_string(repo.path.join("notes.md")).unwrap();
    assert_eq!(written, repo.git(&["show", &format!("{r}:HANDOFF.md")]));
    assert!(written.contains("to file"), "{written}");

    let count = repo.commit_count(&id);
    let target = repo.root().join("missing/dir/x.md");
    let err = expect_error(
        as_session(&repo, "s1", &id).args(["handoff", "-m", "lost"]).arg("--output").arg(&target),
        1,
    );
    assert!(err.contains("missing/dir/x.md"), "{err}");
    assert_eq!(repo.commit_count(&id), count, "a failed handoff wrote a commit");
    assert!(!target.exists());
    // A directory is not a file either.
    expect_error(as_session(&repo, "s1", &id).args(["handoff", "-o", ".git"]), 1);
    assert_eq!(repo.commit_count(&id), count);
}

#[test]
fn handoff_template_override_and_broken_overrides() {
    let repo = TestRepo::new();
    let (id, _) = session_one(&repo);
    let r = format!("refs/tasklists/{id}");
    std::fs::create_dir_all(repo.path.join(".tasklist/templates")).unwrap();
    repo.write(".tasklist/templates/handoff.md", "NOTE={{ note }} ID={{ id }}\n");
    let out = run_code(as_session(&repo, "s1", &id).args(["handoff", "-m", "hi"]), 0);
    assert_eq!(out, format!("NOTE=hi ID={id}\n"));
    assert_eq!(repo.git(&["show", &format!("{r}:HANDOFF.md")]), out);

    let count = repo.commit_count(&id);
    for broken in ["{% for %}\n", "{{ missing.attr }}\n", "{{ note | no_such_filter }}\n"] {
        repo.write(".tasklist/templates/handoff.md", broken);
        let err = expect_error(as_session(&repo, "s1", &id).args(["handoff", "-m", "x"]), 1);
        assert!(err.contains("handoff.md"), "{broken}: {err}");
        assert_eq!(repo.commit_count(&id), count, "{broken}: a commit was written");
    }
    assert_eq!(repo.git(&["show", &format!("{r}:HANDOFF.md")]), out);
}

// --------------------------------------------------------------------- demo

#[test]
fn demo_plays_the_whole_workflow() {
    let repo = TestRepo::new();
    let out = run_code(repo.cmd().arg("demo"), 0);
    assert!(out.contains("Cross-session persistence: VERIFIED"), "{out}");
    assert!(out.contains("$ git tasklist resume"), "{out}");
    assert!(out.contains("$ git tasklist handoff"), "{out}");
    assert!(out.contains("left open by an earlier session"), "{out}");
    // verify catches the reset, and the way back makes it pass again.
    let failed = out.find("Cross-session persistence: FAILED (1 problem)").expect(&out);
    let accepted =
        out.find("Cross-session persistence: VERIFIED (1 failure accepted)").expect(&out);
    assert!(failed < accepted, "{out}");
    assert!(out.contains("$ git tasklist verify --accept "), "{out}");
    assert!(out.contains("Reset by a script"), "{out}");
    assert!(out.contains("$ git tasklist list\n"), "{out}");
    let last = out.lines().last().unwrap();
    assert!(last.contains("--keep") && last.contains("install claude"), "{last}");
    // About a screen and a half.
    assert!(out.lines().count() <= 90, "{} lines", out.lines().count());
    // It plays in a throwaway repository, not the current one.
    assert_eq!(repo.refs(), "");
    let demo_dir = out.lines().next().unwrap().rsplit(' ').next().unwrap();
    assert!(!std::path::Path::new(demo_dir).exists(), "demo left {demo_dir} behind");
}

#[test]
fn commands_do_not_need_an_identity() {
    // The seed flow under CI-like conditions: no user.name anywhere.
    let repo = TestRepo::new();
    let out = repo.cmd_no_identity().args(["create", "--template", "migration"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).lines().next().unwrap().to_string();
    repo.cmd_no_identity().args(["-l", &id, "handoff", "-m", "n"]).assert().success();
    repo.cmd_no_identity().args(["-l", &id, "verify"]).assert().success();
}

// ----------------------------------------------------------- known bugs

#[test]

fn handoff_never_prints_raw_control_characters() {
    let repo = TestRepo::new();
    let id = repo.create("Evil \x1b[31mred", &["a=Task \x1b[2J title"]);
    let out =
        repo.cmd().args(["-l", &id, "handoff", "-m", "note \x1b]0;owned\x07"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        !out.stdout.iter().any(|b| *b == 0x1b || *b == 0x07),
        "raw control bytes on stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]

fn verify_on_an_unreadable_tip_does_not_claim_every_task_settled() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    commit_behind_back(&repo, &id, "garbage = =\n", "garbage");
    let out = run_code(repo.cmd().args(["-l", &id, "verify"]), 5);
    assert!(out.contains("✗ id continuity"), "{out}");
    assert!(!out.contains("every task is settled"), "{out}");
    assert!(!out.contains("Verifying ''"), "{out}");
}

#[test]

fn merge_that_drops_a_completion_fails_verify() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    let r = format!("refs/tasklists/{id}");
    let base = repo.tip(&id);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let ours = repo.tip(&id);
    // A teammate's commit on the old base that changes only b's note, with a pending.
    let stale = repo.file_at(&id).replace("status = \"completed\"", "status = \"pending\"");
    let stale = stale.replacen("id = \"b\"\n", "id = \"b\"\nnote = \"teammate\"\n", 1);
    let blob = repo.git_stdin(&["hash-object", "-w", "--stdin"], stale.as_bytes());
    let tree = repo
        .git_stdin(&["mktree"], format!("100644 blob {}\ttasklist.toml\n", blob.trim()).as_bytes());
    let theirs = repo.git(&["commit-tree", tree.trim(), "-p", &base, "-m", "teammate"]);
    let merge =
        repo.git(&["commit-tree", tree.trim(), "-p", &ours, "-p", theirs.trim(), "-m", "merge"]);
    repo.git(&["update-ref", &r, merge.trim(), &ours]);
    assert_eq!(repo.status(&id, "a"), "pending");
    let out = run_code(repo.cmd().args(["-l", &id, "verify"]), 5);
    assert!(out.contains(&merge.trim()[..12]), "{out}");
}

#[test]
fn demo_keep_leaves_a_sound_repository_with_the_whole_story() {
    let repo = TestRepo::new();
    let out = run_code(repo.cmd().args(["demo", "--keep"]), 0);
    let kept = out
        .lines()
        .find_map(|l| l.strip_prefix("Kept the demo repository: "))
        .unwrap_or_else(|| panic!("{out}"));
    let kept = std::path::PathBuf::from(kept);
    assert!(kept.join(".git").is_dir(), "{out}");
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git").current_dir(&kept).args(args).output().unwrap();
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    git(&["fsck", "--strict"]);
    let ops = git(&["log", "--glob=refs/tasklists/*", "--format=%(trailers:key=Op,valueonly)"]);
    assert!(ops.contains("accept"), "{ops}");
    assert!(out.lines().last().unwrap().contains("install claude"), "{out}");
    std::fs::remove_dir_all(kept.parent().unwrap()).unwrap();
}

#[test]
fn demo_ignores_the_callers_repository_namespace_list_and_session() {
    // As from a git hook: GIT_DIR points at the caller's repository.
    let repo = TestRepo::new();
    let id = repo.create("Mine", &["a"]);
    let refs = repo.refs();
    let out = run_code(
        repo.cmd()
            .env("GIT_DIR", repo.git_dir())
            .env("GIT_TASKLIST_NAMESPACE", "refs/elsewhere")
            .env("TASKLIST_ID", &id)
            .env("TASKLIST_SESSION", "caller")
            .arg("demo"),
        0,
    );
    assert!(out.contains("Cross-session persistence: VERIFIED"), "{out}");
    assert!(!out.contains("caller") && !out.contains(&id), "{out}");
    assert_eq!(repo.refs(), refs);
}
