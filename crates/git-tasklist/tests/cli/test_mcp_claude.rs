//! `git-tasklist mcp` as Claude Code drives it (MCP 2026-07-28: no
//! `initialize`, the client in each request's `_meta`) and as any client
//! checks it: every result of every tool, failures included, validates
//! against the tool's own output schema with a real JSON Schema validator;
//! every example the skill gives validates against the input schema; a slow
//! call does not hold up a quick one; lines the server cannot take are
//! answered.

use std::io::Write as _;

use serde_json::{Value, json};

use crate::common::TestRepo;
use crate::mcp_support::{
    Raw, assert_invalid, assert_valid, claude_open, claude_request, tool_named,
};
use crate::session_support::{commit_behind_back, with_status};

/// The server as Claude Code starts it: with `CLAUDE_CODE_SESSION_ID` when
/// `claude` is given.
fn server(repo: &TestRepo, claude: Option<&str>) -> Raw {
    let mut c = repo.std_cmd();
    c.arg("mcp");
    if let Some(s) = claude {
        c.env("CLAUDE_CODE_SESSION_ID", s);
    }
    Raw::start(c)
}

/// A server under test, its tools, and the number of calls made (each
/// call's id).
struct Calls {
    raw: Raw,
    tools: Vec<Value>,
    n: i64,
}

impl Calls {
    /// Calls `tool` and checks its structured content against its output
    /// schema; returns the result.
    fn ok(&mut self, tool: &str, args: Value) -> Value {
        self.n += 1;
        let result = self.raw.tool(self.n, tool, args);
        let content = &result["structuredContent"];
        assert!(content.is_object(), "{tool}: no structured content: {result}");
        assert_valid(&tool_named(&self.tools, tool)["outputSchema"], content, tool);
        result
    }

    /// [`Calls::ok`] for a call that must fail with `code`: `isError`, and
    /// the sentence, the code and the hint both as text and as structured
    /// content, which is returned.
    fn fails(&mut self, tool: &str, args: Value, code: &str) -> Value {
        let result = self.ok(tool, args);
        assert_eq!(result["isError"], true, "{tool}: {result}");
        let s = &result["structuredContent"];
        assert_eq!(s["code"], code, "{tool}: {result}");
        let text = result["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with(s["error"].as_str().unwrap()), "{text}");
        assert!(text.contains(&format!("Code: {code}")), "{text}");
        if let Some(hint) = s["hint"].as_str() {
            assert!(text.contains(&format!("Hint: {hint}")), "{text}");
        }
        s.clone()
    }
}

#[test]
fn every_result_of_every_tool_validates_against_the_tool_s_output_schema() {
    let repo = TestRepo::new();
    let stuck = repo.create("Stuck", &["x"]);
    repo.cmd().args(["-l", &stuck, "block", "x", "--reason", "no key"]).assert().success();
    let finished = repo.create("Finished", &["y"]);
    repo.cmd().args(["-l", &finished, "done", "y"]).assert().success();
    let empty = repo.create("Empty", &[]);
    let old = repo.create("Old", &["z"]);
    repo.cmd().args(["-l", &old, "archive"]).assert().success();
    let broken = repo.create("Broken", &["a"]);
    repo.cmd().args(["-l", &broken, "done", "a"]).assert().success();
    let toml = with_status(&repo.file_at(&broken), "a", "pending");
    commit_behind_back(&repo, &broken, &toml, "reset a behind the tool's back");
    repo.plant("refs/tasklists/01900000-0000-7000-8000-0000000000cc", b"garbage = [\n");
    let seq = repo.create_with("Steps", &["one", "two"], &["--sequential"]);

    let mut raw = server(&repo, Some("cc-session-1"));
    let tools = claude_open(&mut raw);
    assert_eq!(tools.len(), 8);
    let listed = serde_json::to_string(&tools).unwrap();
    // 7,962 before the one-data-path fields the text needs (a list's `next_step`,
    // a change's `changed_task`, verify's `title` and `next_step`, list's
    // `archived_hidden`) added 429.
    assert!(listed.len() <= 8_400, "tools/list is {} characters", listed.len());
    let mut c = Calls { raw, tools, n: 0 };

    let tasks = json!([
        {"subject": "Migrate the schema", "id": "schema"}, {"subject": "Port the code", "id": "code"}
    ]);
    let created =
        c.ok("TaskListCreate", json!({"title": "Migration", "sequential": true, "tasks": tasks}));
    let id = created["structuredContent"]["id"].as_str().unwrap().to_string();
    c.ok("TaskListGet", json!({"list": id}));
    let before = repo.commit_count(&id);
    let added = c
        .ok("TaskCreate", json!({"list": id, "subject": "Write docs", "description": "for users"}));
    assert_eq!(added["structuredContent"]["tasks"][2]["note"], "for users");
    assert_eq!(repo.commit_count(&id), before + 1, "a task with a note is one commit");
    let started =
        c.ok("TaskUpdate", json!({"list": id, "taskId": "schema", "status": "in_progress"}));
    assert_eq!(started["structuredContent"]["tasks"][0]["owner"], "cc-session-1");

    // resume: ready, waiting, done, and a list without tasks.
    for (list, state) in [(&id, "ready"), (&stuck, "waiting"), (&finished, "done")] {
        let r = c.ok("TaskListResume", json!({"list": list}));
        assert_eq!(r["structuredContent"]["state"], state, "{r}");
    }
    let r = c.ok("TaskListResume", json!({"list": empty}));
    assert_eq!(r["structuredContent"]["next"], Value::Null, "{r}");
    // verify: passing, and with failures.
    let v = c.ok("TaskListVerify", json!({"list": id}));
    assert_eq!(v["structuredContent"]["verified"], true);
    let v = c.ok("TaskListVerify", json!({"list": broken}));
    assert_eq!(v["structuredContent"]["verified"], false, "{v}");
    assert!(!v["structuredContent"]["checks"][1]["failures"].as_array().unwrap().is_empty());
    c.ok("TaskListHandoff", json!({"list": id, "note": "schema half done"}));
    let all = c.ok("TaskListList", json!({"all": true}));
    assert_eq!(all["structuredContent"]["unreadable"].as_array().unwrap().len(), 1, "{all}");
    assert!(all["structuredContent"]["lists"].to_string().contains(&old));

    // Failures, each with its code and, where there is something to do,
    // the hint in the tool's own parameters.
    repo.cmd()
        .args(["--session", "other", "-l", &id, "start", "code", "--out-of-order"])
        .assert()
        .success();
    let nowhere = json!({"list": "no-such-list"});
    let failures = [
        (
            "TaskUpdate",
            json!({"list": id, "taskId": "code", "status": "completed"}),
            "held_by_other",
            Some("pass takeOver: true to take it over"),
        ),
        (
            "TaskUpdate",
            json!({"list": finished, "taskId": "y", "status": "pending"}),
            "needs_reopen",
            Some("pass reopen: true to change it"),
        ),
        (
            "TaskUpdate",
            json!({"list": seq, "taskId": "two", "status": "in_progress"}),
            "out_of_order",
            Some("finish that task first, or pass outOfOrder: true"),
        ),
        ("TaskListGet", nowhere.clone(), "list_not_found", Some("TaskListList shows every list")),
        ("TaskListCreate", json!({"template": "no-such"}), "template_not_found", None),
        ("TaskListList", json!({"all": "yes"}), "invalid_argument", Some("inputSchema")),
        (
            "TaskCreate",
            json!({"list": id, "subject": "x", "after": "nope"}),
            "task_not_found",
            Some("TaskListGet shows the list's tasks"),
        ),
        ("TaskListResume", nowhere.clone(), "list_not_found", None),
        (
            "TaskListVerify",
            json!({"list": id, "expect": ["bad"]}),
            "invalid_argument",
            Some("TASK=STATUS"),
        ),
        ("TaskListHandoff", nowhere, "list_not_found", None),
        ("TaskUpdate", json!({"list": id}), "invalid_argument", None),
    ];
    for (tool, args, code, hint) in failures {
        let e = c.fails(tool, args, code);
        if let Some(hint) = hint {
            assert!(e["hint"].as_str().unwrap_or_default().contains(hint), "{tool}: {e}");
        }
    }
    // Doing what the hint says works.
    let ok = c.ok(
        "TaskUpdate",
        json!({"list": seq, "taskId": "two", "status": "in_progress", "outOfOrder": true}),
    );
    assert_eq!(ok["isError"], false, "{ok}");
    let tools = c.tools.clone();
    assert_eq!(c.raw.finish(), Some(0));

    // The schemas are not so loose that anything passes.
    for t in &tools {
        assert_invalid(&t["outputSchema"], &json!({}), t["name"].as_str().unwrap());
    }
    let resume = &tool_named(&tools, "TaskListResume")["outputSchema"];
    assert_invalid(resume, &json!({"list": {}, "state": {"ready": true}}), "state as an object");
    assert_invalid(resume, &json!({"list": {}, "state": "started"}), "state not one of its values");
    let get = &tool_named(&tools, "TaskListGet")["outputSchema"];
    assert_invalid(get, &json!({"id": "x", "handoff": "no"}), "handoff as a string");
    assert_valid(get, &json!({"id": "x", "handoff": null}), "handoff null");
}

/// Every JSON object in a backtick span of the skill after a tool's name,
/// with that tool: `(tool, example)`.
fn skill_examples() -> Vec<(String, Value)> {
    let text = include_str!("../../templates/skill.md");
    let mut out = Vec::new();
    let mut tool: Option<String> = None;
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else { break };
        let span = &after[..end];
        if let Some(name) = span.strip_prefix("{{ tools.").and_then(|s| s.strip_suffix(" }}")) {
            tool = Some(name.to_string());
        } else if span.starts_with('{') && !span.starts_with("{{") {
            let example: Value = serde_json::from_str(span)
                .unwrap_or_else(|e| panic!("the skill's example {span} is not JSON: {e}"));
            out.push((tool.clone().expect("an example before any tool"), example));
        }
        rest = &after[end + 1..];
    }
    out
}

#[test]
fn every_example_in_the_skill_validates_against_the_tool_s_input_schema() {
    let repo = TestRepo::new();
    let mut raw = server(&repo, None);
    let tools = claude_open(&mut raw);
    let examples = skill_examples();
    assert!(examples.len() >= 10, "{examples:?}");
    let mut seen: Vec<&str> = Vec::new();
    for (tool, example) in &examples {
        assert_valid(
            &tool_named(&tools, tool)["inputSchema"],
            example,
            &format!("{tool} {example}"),
        );
        seen.push(tool);
    }
    for t in git_tasklist::agents::TOOLS {
        assert!(seen.contains(&t), "the skill gives no example for {t}");
    }
    // And the schemas refuse what the tools refuse.
    let update = &tool_named(&tools, "TaskUpdate")["inputSchema"];
    assert_invalid(update, &json!({"list": "x"}), "TaskUpdate without taskId");
    raw.finish();
}

#[test]
fn without_initialize_the_session_is_claude_code_s_else_its_name_and_the_start_time() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    // Claude Code gives its session id to the servers it starts.
    let mut raw = server(&repo, Some("8c50451b-494a-4d66-b0c8-6eaf5bc15956"));
    claude_open(&mut raw);
    let r = raw.tool(1, "TaskUpdate", json!({"list": id, "taskId": "a", "status": "in_progress"}));
    assert_eq!(r["isError"], false, "{r}");
    raw.finish();
    assert_eq!(repo.show_json(&id)["tasks"][0]["owner"], "8c50451b-494a-4d66-b0c8-6eaf5bc15956");
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    let session = ("Session".to_string(), "8c50451b-494a-4d66-b0c8-6eaf5bc15956".to_string());
    assert!(trailers.contains(&session), "{trailers:?}");
    // Without it: the client's name from the first request's _meta (here a
    // tools/call, with no discover before it) and the server's start time.
    let before = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let mut raw = server(&repo, None);
    let r = raw.tool(1, "TaskUpdate", json!({"list": id, "taskId": "b", "status": "in_progress"}));
    assert_eq!(r["isError"], false, "{r}");
    raw.finish();
    let owner = repo.show_json(&id)["tasks"][1]["owner"].as_str().unwrap().to_string();
    let stamp = owner.strip_prefix("claude-code-").unwrap_or_else(|| panic!("{owner}"));
    assert!(stamp >= before.as_str() && stamp.len() == before.len(), "{owner}");
    // TASKLIST_SESSION comes before Claude Code's session.
    let mut c = repo.std_cmd();
    c.arg("mcp").env("CLAUDE_CODE_SESSION_ID", "cc").env("TASKLIST_SESSION", "mine");
    let mut raw = Raw::start(c);
    claude_open(&mut raw);
    let r = raw.tool(
        1,
        "TaskUpdate",
        json!({"list": id, "taskId": "a", "status": "in_progress", "takeOver": true}),
    );
    assert_eq!(r["structuredContent"]["tasks"][0]["owner"], "mine", "{r}");
    raw.finish();
}

#[test]
fn an_older_client_that_initializes_gets_claude_code_s_session_too() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut c = repo.std_cmd();
        c.arg("mcp").env("CLAUDE_CODE_SESSION_ID", "cc-2");
        let transport =
            rmcp::transport::TokioChildProcess::new(tokio::process::Command::from(c)).unwrap();
        let client = ().serve(transport).await.unwrap();
        let args = json!({"list": id, "taskId": "a", "status": "in_progress"});
        let params = CallToolRequestParams::new("TaskUpdate")
            .with_arguments(args.as_object().unwrap().clone());
        let r = client.call_tool(params).await.unwrap();
        assert_ne!(r.is_error, Some(true), "{r:?}");
        client.cancel().await.unwrap();
    });
    assert_eq!(repo.show_json(&id)["tasks"][0]["owner"], "cc-2");
}

/// A FIFO that a process waits on; opened for it when the test ends, however
/// it ends, so that a failed test leaves no process waiting behind.
struct Gate(std::path::PathBuf);

impl Drop for Gate {
    fn drop(&mut self) {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking: with nobody waiting, there is nothing to do.
        let open =
            std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(&self.0);
        if let Ok(mut f) = open {
            let _ = f.write_all(b"go\n");
        }
    }
}

/// The `git` the tests run, found on `PATH`.
fn real_git() -> std::path::PathBuf {
    let path = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&path).map(|d| d.join("git")).find(|g| g.is_file()).unwrap()
}

#[test]
fn a_slow_call_does_not_hold_up_a_quick_one() {
    let repo = TestRepo::new();
    let slow = repo.create("Slow", &["a"]);
    let quick = repo.create("Quick", &["b"]);
    // A write ends with git's housekeeping when loose objects pass gc.auto,
    // in the foreground under gc.autoDetach=false, as git runs it. Here the
    // threshold is passed, and the `git` the server finds first waits for
    // the test before `gc`: the write's call is in progress, on its own
    // thread, for as long as the test wants.
    repo.git(&["config", "gc.auto", "1"]);
    repo.git(&["config", "gc.autoDetach", "false"]);
    let fanout = repo.git_dir().join("objects").join("17");
    std::fs::create_dir_all(&fanout).unwrap();
    for n in 0..2 {
        std::fs::write(fanout.join(format!("not-an-object-{n}")), "").unwrap();
    }
    let bin = repo.root().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let gate = repo.root().join("gate");
    assert!(std::process::Command::new("mkfifo").arg(&gate).status().unwrap().success());
    let _release = Gate(gate.clone());
    let script = format!(
        "#!/bin/sh\ncase \" $* \" in *\" gc \"*) read go < '{}'; exit 0;; esac\nexec '{}' \"$@\"\n",
        gate.display(),
        real_git().display()
    );
    std::fs::write(bin.join("git"), script).unwrap();
    std::process::Command::new("chmod").arg("+x").arg(bin.join("git")).status().unwrap();
    let mut c = repo.std_cmd();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    c.arg("mcp").env("CLAUDE_CODE_SESSION_ID", "s").env("PATH", path);
    let mut raw = Raw::start(c);
    claude_open(&mut raw);
    let call = |id: i64, tool: &str, args: Value| {
        claude_request(json!(id), "tools/call", json!({"name": tool, "arguments": args}))
    };
    raw.send(&call(1, "TaskUpdate", json!({"list": slow, "taskId": "a", "status": "in_progress"})));
    raw.send(&call(2, "TaskListGet", json!({"list": quick})));
    // The quick answer comes while the slow call still waits.
    let first = raw.recv();
    assert_eq!(first["id"], 2, "the quick call was answered first: {first}");
    assert_eq!(first["result"]["structuredContent"]["title"], "Quick");
    // Let the housekeeping go (opening the gate waits for the `git` that
    // reads it: the slow call was indeed there).
    std::fs::OpenOptions::new().write(true).open(&gate).unwrap().write_all(b"go\n").unwrap();
    let second = raw.recv();
    assert_eq!(second["id"], 1, "{second}");
    assert_eq!(second["result"]["structuredContent"]["tasks"][0]["owner"], "s", "{second}");
    assert_eq!(raw.finish(), Some(0));
    for n in 0..2 {
        std::fs::remove_file(fanout.join(format!("not-an-object-{n}"))).unwrap();
    }
    repo.fsck();
}

#[test]
fn a_line_the_server_cannot_take_is_answered_and_the_server_serves_on() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let mut raw = server(&repo, Some("s"));
    claude_open(&mut raw);
    // Over 16 MiB, with its id last, as Claude Code writes ids.
    let huge = "x".repeat(17 << 20);
    let text = format!(
        r#"{{"method":"tools/call","params":{{"name":"TaskListGet","arguments":{{"list":"{huge}"}},"_meta":{}}},"jsonrpc":"2.0","id":41}}"#,
        crate::mcp_support::claude_meta()
    );
    raw.send_bytes(text.as_bytes());
    let a = raw.recv();
    assert_eq!((a["id"].clone(), a["error"]["code"].clone()), (json!(41), json!(-32600)), "{a}");
    assert!(a["error"]["message"].as_str().unwrap().contains("16 MiB"), "{a}");
    // Not UTF-8: the id is still found.
    let mut bad = br#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"TaskListGet","arguments":{"list":""#.to_vec();
    bad.extend_from_slice(b"\xff\xfe\"}}}");
    raw.send_bytes(&bad);
    let a = raw.recv();
    assert_eq!((a["id"].clone(), a["error"]["code"].clone()), (json!(42), json!(-32700)), "{a}");
    // Not JSON at all: answered with a null id, as JSON-RPC says.
    raw.send_bytes(b"{this is not json");
    let a = raw.recv();
    assert_eq!((a["id"].clone(), a["error"]["code"].clone()), (Value::Null, json!(-32700)), "{a}");
    // And the server goes on.
    let r = raw.tool(43, "TaskListGet", json!({"list": id}));
    assert_eq!(r["structuredContent"]["title"], "Plan");
    assert_eq!(raw.finish(), Some(0));
}

#[test]
fn c1_controls_and_bidi_overrides_are_escaped_in_text_content() {
    let repo = TestRepo::new();
    let title = "Plan \u{9b}31m red \u{202e}txet";
    let id = repo.create(title, &["a"]);
    let mut raw = server(&repo, Some("s"));
    claude_open(&mut raw);
    let ask = claude_request(
        json!(1),
        "tools/call",
        json!({"name": "TaskListGet", "arguments": {"list": id}}),
    );
    raw.send(&ask);
    let line = raw.line();
    for raw_char in ['\u{9b}', '\u{202e}'] {
        assert!(!line.contains(raw_char), "a raw {raw_char:?} on the wire: {line}");
    }
    let answer: Value = serde_json::from_str(&line).unwrap();
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert!(!text.contains('\u{9b}') && !text.contains('\u{202e}'), "{text}");
    assert!(text.contains(r"\u009b") && text.contains(r"\u202e"), "{text}");
    // The data is intact: the text is still the same JSON, the structured
    // content the same title.
    let parsed: Value = serde_json::from_str(text).unwrap();
    assert_eq!(parsed["title"], title);
    assert_eq!(answer["result"]["structuredContent"]["title"], title);
    raw.finish();
}
