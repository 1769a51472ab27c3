//! The agent front ends together, as a default `install claude` runs them:
//! the MCP server and the hooks of one Claude Code session are one session;
//! the session-start hook hands it to the model's shell commands through
//! `CLAUDE_ENV_FILE`; Claude Code's own task events are mirrored one commit
//! each, into one list per session, however many hooks fire at once; hook
//! output and input stay within their bounds.

use std::io::Write as _;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::common::{TestRepo, stderr, stdout};
use crate::mcp_support::{Raw, claude_open};

const SESSION: &str = "8c50451b-494a-4d66-b0c8-6eaf5bc15956";

/// Runs `hook EVENT` with `input` on stdin and `env`; asserts exit 0 and
/// returns (stdout, stderr).
fn hook(repo: &TestRepo, event: &str, input: &Value, env: &[(&str, &str)]) -> (String, String) {
    let mut c = repo.cmd();
    c.args(["hook", event]).write_stdin(input.to_string());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.assert().code(0).get_output().clone();
    (stdout(&out), stderr(&out))
}

fn parsed(out: &str) -> Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_server_and_the_hooks_of_one_claude_code_session_are_one_session() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    // Claude Code starts the server with its session id in the environment
    // and speaks MCP 2026-07-28 to it.
    let mut c = repo.std_cmd();
    c.arg("mcp").env("CLAUDE_CODE_SESSION_ID", SESSION);
    let mut raw = Raw::start(c);
    claude_open(&mut raw);
    let r = raw.tool(1, "TaskUpdate", json!({"list": id, "taskId": "a", "status": "in_progress"}));
    assert_eq!(r["isError"], false, "{r}");
    raw.finish();
    assert_eq!(repo.show_json(&id)["tasks"][0]["owner"], SESSION);
    // Its hooks get the same id twice: in the environment and as session_id.
    let env = [("CLAUDE_CODE_SESSION_ID", SESSION)];
    let input = json!({"session_id": SESSION, "cwd": repo.path, "stop_hook_active": false});
    for env in [&env[..], &[][..]] {
        let (out, _) = hook(&repo, "stop", &input, env);
        let msg = parsed(&out)["systemMessage"].as_str().unwrap().to_string();
        assert!(msg.contains(&format!("session {SESSION} still holds")), "{msg}");
        assert!(msg.contains("'a' of \"Plan\""), "{msg}");
    }
    // Another session's stop has nothing to say.
    let other = json!({"session_id": "other", "cwd": repo.path});
    assert_eq!(hook(&repo, "stop", &other, &[]).0, "");
    // The end of the session records the handoff on the list it works on.
    let n = repo.commit_count(&id);
    let end = json!({"session_id": SESSION, "cwd": repo.path, "reason": "other"});
    hook(&repo, "session-end", &end, &env);
    assert_eq!(repo.commit_count(&id), n + 1);
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.contains(&("Op".into(), "handoff".into())), "{trailers:?}");
    assert!(trailers.contains(&("Session".into(), SESSION.into())), "{trailers:?}");
    // The model's shell commands, run by Claude Code, are the session too.
    repo.cmd()
        .env("CLAUDE_CODE_SESSION_ID", SESSION)
        .args(["-l", &id, "start", "b"])
        .assert()
        .success();
    assert_eq!(repo.show_json(&id)["tasks"][1]["owner"], SESSION);
    repo.fsck();
}

#[test]
fn session_start_hands_the_session_to_the_shell_through_claude_env_file() {
    let repo = TestRepo::new();
    repo.create("Plan", &["a"]);
    let file = repo.root().join("env.sh");
    std::fs::write(&file, "export FOO=1").unwrap();
    let input = json!({"session_id": SESSION, "cwd": repo.path, "source": "startup"});
    let env = [("CLAUDE_ENV_FILE", file.to_str().unwrap())];
    let (out, _) = hook(&repo, "session-start", &input, &env);
    assert!(out.contains("SessionStart"), "the briefing still comes: {out}");
    let want = format!("export FOO=1\nexport TASKLIST_SESSION={SESSION}\n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), want);
    // Resume and compact fire it again: the line is there once.
    hook(&repo, "session-start", &input, &env);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), want);
    // A session id with shell characters is quoted: the shell reads it back.
    let odd = "it's-$(id)-`x`";
    let fresh = repo.root().join("fresh.sh");
    let env = [("CLAUDE_ENV_FILE", fresh.to_str().unwrap()), ("TASKLIST_SESSION", odd)];
    hook(&repo, "session-start", &input, &env);
    let shell = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#". "$1" && printf %s "$TASKLIST_SESSION""#)
        .arg("sh")
        .arg(&fresh)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(shell.stdout).unwrap(), odd);
    // Never through a symlink, never waiting on a FIFO, never outside.
    let target = repo.root().join("target.txt");
    std::fs::write(&target, "mine\n").unwrap();
    let link = repo.root().join("link.sh");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    hook(&repo, "session-start", &input, &[("CLAUDE_ENV_FILE", link.to_str().unwrap())]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine\n");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let fifo = repo.root().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (out, _) =
        hook(&repo, "session-start", &input, &[("CLAUDE_ENV_FILE", fifo.to_str().unwrap())]);
    assert!(out.contains("SessionStart"), "{out}");
    let missing = repo.root().join("no/such/dir/env.sh");
    hook(&repo, "session-start", &input, &[("CLAUDE_ENV_FILE", missing.to_str().unwrap())]);
    assert!(!missing.exists());
}

/// The mirror list of Claude Code session `s`.
fn mirror_id(s: &str) -> String {
    git_tasklist_core::claude_tasks::mirror::list_id(s)
}

fn task_event(session: &str, repo: &TestRepo, subject: &str, description: &str) -> Value {
    json!({
        "session_id": session, "cwd": repo.path, "task_id": "1",
        "task_subject": subject, "task_description": description
    })
}

#[test]
fn each_mirrored_task_event_is_one_commit_in_the_session_s_own_list() {
    let repo = TestRepo::new();
    let s = "mirror-1";
    let id = mirror_id(s);
    let steps: [(&str, &str, usize); 5] = [
        ("task-created", "Write the parser", 1),
        ("task-created", "Test the parser", 2),
        ("task-completed", "write the PARSER", 3),
        // Completing a task never seen adds it completed, in one commit.
        ("task-completed", "Fix the build", 4),
        // A task created again changes nothing.
        ("task-created", "Test the parser", 4),
    ];
    for (event, subject, commits) in steps {
        let (out, err) = hook(&repo, event, &task_event(s, &repo, subject, "details"), &[]);
        assert_eq!((out.as_str(), err.as_str()), ("", ""));
        assert_eq!(repo.commit_count(&id), commits, "after {event} {subject}");
    }
    let v = repo.show_json(&id);
    assert_eq!(v["title"], format!("Claude Code session {s}"));
    let tasks: Vec<(&str, &str)> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        tasks,
        [
            ("write-the-parser", "completed"),
            ("test-the-parser", "pending"),
            ("fix-the-build", "completed")
        ]
    );
    assert_eq!(v["tasks"][0]["note"], "details", "the description is the note, in the same commit");
    let log = repo.git(&[
        "log",
        "--format=%(trailers:key=Op,valueonly)",
        &format!("refs/tasklists/{id}"),
    ]);
    let ops: Vec<&str> = log.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(ops, ["add-task", "set-status", "add-task", "create"]);
    repo.cmd().args(["-l", &id, "verify"]).assert().success();
    repo.fsck();
}

#[test]
fn simultaneous_task_created_hooks_of_a_new_session_make_one_list_and_lose_no_task() {
    let repo = TestRepo::new();
    for round in 0..5 {
        let s = format!("parallel-{round}");
        let mut children = Vec::new();
        // Every hook is started and waits on its stdin; then all get their
        // input at once, as Claude Code fires them for parallel TaskCreate calls.
        for i in 0..8 {
            let mut c = repo.std_cmd();
            c.args(["hook", "task-created"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            children.push((i, c.spawn().unwrap()));
        }
        for (i, child) in &mut children {
            let input = task_event(&s, &repo, &format!("Task {i}"), "d");
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(input.to_string().as_bytes()).unwrap();
        }
        for (_, child) in children {
            let out = child.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0));
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "round {round}");
        }
        let refs = repo.git(&["for-each-ref", "--format=%(refname)", "refs/tasklists"]);
        assert_eq!(refs.lines().count(), round + 1, "one list per session: {refs}");
        let id = mirror_id(&s);
        let v = repo.show_json(&id);
        let mut titles: Vec<&str> =
            v["tasks"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
        titles.sort();
        let want: Vec<String> = (0..8).map(|i| format!("Task {i}")).collect();
        assert_eq!(titles, want, "round {round}");
        assert_eq!(repo.commit_count(&id), 8, "one commit per event, round {round}");
    }
    repo.fsck();
}

#[test]
fn a_settled_mirror_list_is_archived_when_its_session_ends_and_mirrors_stay_out_of_the_briefing() {
    let repo = TestRepo::new();
    repo.create("The plan", &["a"]);
    let done = "ended-done";
    hook(&repo, "task-created", &task_event(done, &repo, "One", ""), &[]);
    hook(&repo, "task-completed", &task_event(done, &repo, "One", ""), &[]);
    let open = "ended-open";
    hook(&repo, "task-created", &task_event(open, &repo, "Two", ""), &[]);
    for s in [done, open] {
        hook(
            &repo,
            "session-end",
            &json!({"session_id": s, "cwd": repo.path, "reason": "other"}),
            &[],
        );
    }
    assert_eq!(repo.show_json(&mirror_id(done))["archived"], true);
    assert_eq!(repo.show_json(&mirror_id(open))["archived"], false, "open work stays in view");
    let list = stdout(repo.cmd().args(["list"]).assert().success().get_output());
    assert!(!list.contains(done) && list.contains(open), "{list}");
    // The next session's briefing is about the plan; the open mirror is counted.
    let start = json!({"session_id": "next", "cwd": repo.path, "source": "startup"});
    let (out, _) = hook(&repo, "session-start", &start, &[]);
    let ctx = parsed(&out)["hookSpecificOutput"]["additionalContext"].as_str().unwrap().to_string();
    assert!(ctx.contains("\"The plan\""), "{ctx}");
    assert!(!ctx.contains(open) && !ctx.contains(done), "{ctx}");
    assert!(ctx.contains("1 list(s) mirroring earlier Claude Code sessions' own tasks"), "{ctx}");
}

#[test]
fn hook_context_stays_within_10000_characters_in_the_worst_case() {
    let repo = TestRepo::new();
    // Long titles full of characters that escaping makes longer, many
    // tasks, many lists on this branch and elsewhere, a long handoff note.
    let long = "\u{1b}[31m".repeat(20) + &"x".repeat(200);
    let tasks: Vec<String> = (0..300).map(|i| format!("t{i}={long}")).collect();
    let tasks: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(repo.create(&format!("{long} {n}"), &tasks));
    }
    let note = "\u{202e}".repeat(5000);
    repo.cmd().args(["-l", &ids[0], "handoff", "--note", &note]).assert().success();
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/elsewhere"]);
    for n in 0..40 {
        repo.create(&format!("{long} elsewhere {n}"), &["a"]);
    }
    let start = json!({"session_id": "s", "cwd": repo.path, "source": "startup"});
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("TASKLIST_ID", ids[0].as_str())], "one list's briefing"),
        (vec![], "the index of this branch"),
    ];
    for (env, what) in &cases {
        let (out, _) = hook(&repo, "session-start", &start, env);
        let ctx =
            parsed(&out)["hookSpecificOutput"]["additionalContext"].as_str().unwrap().to_string();
        let n = ctx.chars().count();
        assert!(n <= 10_000, "{what}: {n} characters");
        assert!(n > 9_000, "{what} is cut near the bound, not far below it: {n}");
        assert!(ctx.ends_with("gives all of one list)"), "{what}: {}", &ctx[ctx.len() - 80..]);
    }
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
    let (out, _) = hook(&repo, "session-start", &start, &[]);
    let ctx = parsed(&out)["hookSpecificOutput"]["additionalContext"].as_str().unwrap().to_string();
    assert!(ctx.chars().count() <= 10_000, "three briefings: {}", ctx.chars().count());
}

#[test]
fn hooks_never_echo_a_long_tasklist_id_in_full() {
    let repo = TestRepo::new();
    repo.create("Plan", &["a"]);
    // As long as one environment variable may be (128 KiB on Linux).
    let huge = format!("\u{9b}{}", "q".repeat(100_000));
    let start = json!({"session_id": "s", "cwd": repo.path, "source": "startup"});
    let (out, err) = hook(&repo, "session-start", &start, &[("TASKLIST_ID", &huge)]);
    let ctx = parsed(&out)["hookSpecificOutput"]["additionalContext"].as_str().unwrap().to_string();
    assert!(ctx.contains("cannot be read") && ctx.len() < 1_000, "{} bytes", ctx.len());
    assert!(!ctx.contains('\u{9b}') && ctx.contains("\\u{9b}"), "escaped: {}", &ctx[..80]);
    assert_eq!(err, "");
    let (out, err) =
        hook(&repo, "task-created", &task_event("s", &repo, "X", ""), &[("TASKLIST_ID", &huge)]);
    assert_eq!(out, "");
    assert!(err.starts_with("git-tasklist hook task-created: "), "{err}");
    assert!(err.len() < 1_000 && !err.contains('\u{9b}'), "{} bytes", err.len());
}

#[test]
fn a_hook_whose_stdin_never_closes_goes_on_with_what_it_read() {
    let repo = TestRepo::new();
    repo.create("Plan", &["a"]);
    let run = |input: &[u8]| {
        let mut c = repo.std_cmd();
        c.args(["hook", "session-start"]).stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
        stdin.flush().unwrap();
        // stdin stays open until the hook has ended (or the test gives up
        // on it: a bound against hanging the suite, not a timing check).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
        let out = rx.recv_timeout(crate::mcp_support::STUCK).expect("the hook waits forever");
        drop(stdin);
        out
    };
    // A whole object, the pipe left open: the hook answers from it.
    let input = json!({"session_id": "s", "cwd": repo.path, "source": "startup"}).to_string();
    let out = run(input.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\\\"Plan\\\""), "{out:?}");
    // Half an object and nothing more: the hook gives up waiting (after
    // INPUT_WAIT) and says what it can from where it runs.
    let out = run(br#"{"session_id": "s", "cwd": "#);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("SessionStart"), "{out:?}");
}
