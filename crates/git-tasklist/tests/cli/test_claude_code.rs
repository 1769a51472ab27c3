//! The real Claude Code CLI (pinned, from npm) driven headless against a
//! scripted stand-in for the Messages API: `install claude` in a temporary
//! repository, every MCP tool and Claude Code's own task tools called, and the
//! outcome read from the logged requests, the CLI's stream-json output and git.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::agent_support::{
    Block, MockApi, Running, Step, call, call_id, client, finish, result_text, scripted,
    system_prompt, tool_result,
};
use crate::common::{TestRepo, base_env, identity_env};
use git_tasklist::agents::TOOLS;

/// How long one headless run may take before the test gives up on it.
const LIMIT: Duration = Duration::from_secs(120);

/// The note of the automatic handoff a session end records.
const SESSION_END_NOTE: &str = "Automatic handoff, recorded as the session ended.";

fn mcp(tool: &str) -> String {
    format!("mcp__tasklist__{tool}")
}

/// The binary under test, as `install` writes it when it is not on PATH.
fn program() -> String {
    let exe = assert_cmd::cargo::cargo_bin("git-tasklist");
    std::fs::canonicalize(exe).unwrap().to_str().unwrap().to_string()
}

/// Claude Code with a clean environment, its own HOME, the test's git
/// identity and configuration, the mock as its API, and no traffic elsewhere.
fn claude(repo: &TestRepo, api_url: &str) -> Command {
    let mut c = Command::new(client("claude"));
    c.env_clear()
        .envs(base_env(&repo.home()))
        .envs(identity_env())
        .env("ANTHROPIC_BASE_URL", api_url)
        .env("ANTHROPIC_API_KEY", "anything")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        // Its own task tools are switched off for the newest models unless asked for.
        .env("CLAUDE_CODE_ENABLE_TODO_TOOLS", "1")
        .current_dir(&repo.path);
    c
}

/// One finished headless session.
struct Session {
    /// Claude Code's session id (from the stream's `init` event).
    id: String,
    /// Every stream-json event.
    events: Vec<Value>,
    /// Its stderr, for failure messages.
    stderr: String,
}

impl Session {
    /// The hook runs of `event` (`hook_response` events), in order.
    fn hook_outputs(&self, event: &str) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["subtype"] == "hook_response" && e["hook_event"] == event)
            .map(|e| e["output"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// `claude -p PROMPT --output-format stream-json --verbose` in the repository,
/// with `extra` arguments; asserts a successful result.
fn run(repo: &TestRepo, api: &MockApi, name: &str, prompt: &str, extra: &[&str]) -> Session {
    let out = repo.root().join(format!("{name}.jsonl"));
    let err = repo.root().join(format!("{name}.stderr"));
    let mut c = claude(repo, &api.url);
    c.args(["-p", prompt, "--output-format", "stream-json", "--verbose", "--include-hook-events"])
        .args(extra)
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err).unwrap()));
    let mut running = Running::spawn(c, &format!("claude ({name})"));
    let status = running.wait(LIMIT);
    drop(running);
    let stdout = std::fs::read_to_string(&out).unwrap();
    let stderr = std::fs::read_to_string(&err).unwrap();
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(status.success(), "claude ({name}) exited {status}: {stderr}\n{stdout}");
    let result = events.iter().rfind(|e| e["type"] == "result");
    assert_eq!(
        result.map(|r| r["subtype"].clone()),
        Some(json!("success")),
        "claude ({name}): {stdout}\n{stderr}\nrequests:\n{}",
        api.report()
    );
    let id = events
        .iter()
        .find(|e| e["type"] == "system" && e["subtype"] == "init")
        .and_then(|e| e["session_id"].as_str())
        .unwrap_or_else(|| panic!("no init event: {stdout}"))
        .to_string();
    Session { id, events, stderr }
}

/// Asserts the script ran to its end and nothing else was asked of the model.
fn assert_played(api: &MockApi, steps: usize, session: &Session) {
    let unexpected = api.unexpected();
    assert!(
        unexpected.is_empty() && api.turns().len() == steps,
        "{} request(s) the script did not expect, {} turns for {steps} steps; stderr: {}\nrequests:\n{}",
        unexpected.len(),
        api.turns().len(),
        session.stderr,
        api.report()
    );
}

/// The list id in step 1's `TaskListCreate` result.
fn list_id(req: &Value) -> String {
    let block = tool_result(req, &call_id(1, 0)).expect("the TaskListCreate result");
    let v: Value = serde_json::from_str(&result_text(block)).expect("a JSON result");
    v["id"].as_str().expect("an id").to_string()
}

/// The id Claude Code gave the task created as `subject` in step 9
/// ("Task #N created successfully: SUBJECT").
fn claude_task_id(req: &Value, subject: &str) -> String {
    (0..2)
        .filter_map(|k| tool_result(req, &call_id(9, k)))
        .map(result_text)
        .find(|t| t.ends_with(&format!(": {subject}")))
        .and_then(|t| {
            let n = t.strip_prefix("Task #")?;
            Some(n[..n.find(' ')?].to_string())
        })
        .unwrap_or_else(|| panic!("no task '{subject}' among the TaskCreate results"))
}

/// Session 1's script: load the tools, call all eight, start a task, then
/// Claude Code's own TaskCreate (twice, in parallel) and TaskUpdate, and stop.
fn first_session() -> Vec<Step> {
    fn with_list(tool: &'static str, n: usize, args: Value) -> Step {
        Box::new(move |r| {
            let mut a = args.clone();
            a["list"] = json!(list_id(r));
            vec![call(n, 0, &mcp(tool), a)]
        })
    }
    let mut names: Vec<String> = TOOLS.iter().map(|t| mcp(t)).collect();
    names.extend(["TaskCreate".into(), "TaskUpdate".into()]);
    let select = format!("select:{}", names.join(","));
    vec![
        Box::new(move |_| {
            vec![call(0, 0, "ToolSearch", json!({"query": select, "max_results": 10}))]
        }),
        Box::new(|_| {
            vec![call(
                1,
                0,
                &mcp("TaskListCreate"),
                json!({"title": "E2E release", "tasks": [
                {"subject": "Write the code", "id": "code"},
                {"subject": "Ship it", "id": "ship", "blockedBy": ["code"]}]}),
            )]
        }),
        with_list("TaskListGet", 2, json!({})),
        Box::new(|_| vec![call(3, 0, &mcp("TaskListList"), json!({}))]),
        with_list(
            "TaskCreate",
            4,
            json!({"subject": "Write the docs", "description": "For the users", "taskId": "docs"}),
        ),
        with_list("TaskListHandoff", 5, json!({"note": "Planned: code, then ship; docs any time"})),
        with_list("TaskUpdate", 6, json!({"taskId": "code", "status": "in_progress"})),
        with_list("TaskListResume", 7, json!({})),
        with_list("TaskListVerify", 8, json!({"expect": ["code=in_progress", "docs=pending"]})),
        Box::new(|_| {
            vec![
                call(
                    9,
                    0,
                    "TaskCreate",
                    json!({"subject": "Mirror one", "description": "First mirrored task"}),
                ),
                call(
                    9,
                    1,
                    "TaskCreate",
                    json!({"subject": "Mirror two", "description": "Second mirrored task"}),
                ),
            ]
        }),
        Box::new(|r| {
            let id = claude_task_id(r, "Mirror one");
            vec![call(10, 0, "TaskUpdate", json!({"taskId": id, "status": "completed"}))]
        }),
        Box::new(|_| vec![Block::Text("The code is under way; stopping here.".into())]),
    ]
}

/// The structured result of step `n`'s MCP call, after asserting Claude Code
/// passed it to the model as a success (no client-side schema error).
fn mcp_result(last: &Value, n: usize, report: &str) -> Value {
    let block =
        tool_result(last, &call_id(n, 0)).unwrap_or_else(|| panic!("no result for step {n}"));
    let text = result_text(block);
    assert_ne!(block["is_error"], true, "step {n} came back as an error: {text}\n{report}");
    assert!(!text.contains("output schema"), "step {n}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("step {n}: not JSON ({e}): {text}"))
}

/// The values of trailer `key` of every commit of `refs/tasklists/<id>`, oldest first.
fn trailer_values(repo: &TestRepo, id: &str, key: &str) -> Vec<String> {
    let format = format!("--format=%(trailers:key={key},valueonly,separator=%x2C)");
    repo.git(&["log", "--reverse", &format, &format!("refs/tasklists/{id}")])
        .lines()
        .map(str::to_string)
        .collect()
}

/// The ids of every list, read with `git for-each-ref`.
fn list_ids(repo: &TestRepo) -> Vec<String> {
    repo.git(&["for-each-ref", "--format=%(refname:lstrip=2)", "refs/tasklists"])
        .lines()
        .map(str::to_string)
        .collect()
}

/// The lines of one list's SessionStart briefing (from its heading to the
/// verdict) in a system prompt.
fn briefing<'a>(prompt: &'a str, title: &str, id: &str) -> &'a str {
    let head = format!("git-tasklist: task list \"{title}\" (id {id}");
    let start = prompt.find(&head).unwrap_or_else(|| panic!("no briefing of {title}: {prompt}"));
    let rest = &prompt[start..];
    let end = rest.find("Cross-session persistence").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
#[ignore = "needs Claude Code from npm: .ci/run installs it"]
fn claude_code_calls_every_tool_and_its_hooks_share_the_server_s_session() {
    let repo = TestRepo::new();
    repo.cmd().args(["install", "claude"]).assert().success();
    // The hooks and the server Claude Code runs are the binary under test.
    let mcp_json: Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path.join(".mcp.json")).unwrap())
            .unwrap();
    assert_eq!(mcp_json["mcpServers"]["tasklist"]["command"], program().as_str());
    let settings = std::fs::read_to_string(repo.path.join(".claude/settings.json")).unwrap();
    assert_eq!(settings.matches(&format!("{} hook ", program())).count(), 6, "{settings}");
    let plan =
        repo.create_with("Plan", &["first=First thing", "second=Second thing"], &["--sequential"]);

    // Session 1: every tool, a task started through MCP, Claude Code's own tasks.
    let steps = first_session();
    let count = steps.len();
    let api = MockApi::start(scripted(steps));
    let allowed = ["--allowedTools", "mcp__tasklist TaskCreate TaskUpdate"];
    let one = run(&repo, &api, "session-1", "Start the release.", &allowed);
    assert_played(&api, count, &one);
    let report = api.report();
    let turns = api.turns();
    let sid = one.id.clone();

    // The SessionStart briefing of the open list is in the first request's prompt.
    let prompt = system_prompt(&turns[0]);
    let plan_briefing = briefing(&prompt, "Plan", &plan);
    assert!(plan_briefing.contains("Next task: first (First thing)."), "{plan_briefing}");
    // All eight tools are named as deferred, and defined once ToolSearch loaded them.
    for t in TOOLS {
        assert!(prompt.lines().any(|l| l == mcp(t)), "{} not among the deferred tools", mcp(t));
    }
    let loaded = tool_result(&turns[1], &call_id(0, 0)).unwrap();
    let refs: Vec<&str> = loaded["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["tool_name"].as_str())
        .collect();
    let defined: Vec<&Value> = turns[1]["tools"].as_array().unwrap().iter().collect();
    for t in TOOLS {
        let name = mcp(t);
        assert!(refs.contains(&name.as_str()), "ToolSearch did not load {name}: {refs:?}");
        let tool = defined.iter().find(|d| d["name"] == name.as_str());
        let tool = tool.unwrap_or_else(|| panic!("{name} is not offered after ToolSearch"));
        assert_eq!(tool["input_schema"]["type"], "object", "{tool}");
    }

    // Every MCP result reached the model as a success, with the values asked for.
    let last = turns.last().unwrap();
    let results: Vec<&Value> = last["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_array())
        .flatten()
        .filter(|b| b["type"] == "tool_result")
        .collect();
    assert_eq!(results.len(), 12, "one result per call: {report}");
    for r in &results {
        assert_ne!(r["is_error"], true, "{r}");
    }
    let created = mcp_result(last, 1, &report);
    let id = created["id"].as_str().unwrap().to_string();
    let ids: Vec<&Value> = created["tasks"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
    assert_eq!(ids, [&json!("code"), &json!("ship")]);
    assert_eq!(created["tasks"][1]["depends_on"], json!(["code"]));
    let got = mcp_result(last, 2, &report);
    assert_eq!((&got["id"], &got["progress"]), (&json!(id), &json!({"done": 0, "total": 2})));
    let listed = mcp_result(last, 3, &report);
    let mut seen: Vec<&str> =
        listed["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    seen.sort_unstable();
    let mut want = vec![plan.as_str(), id.as_str()];
    want.sort_unstable();
    assert_eq!(seen, want);
    let added = mcp_result(last, 4, &report);
    assert_eq!(
        (&added["tasks"][2]["id"], &added["tasks"][2]["note"]),
        (&json!("docs"), &json!("For the users"))
    );
    let handed = mcp_result(last, 5, &report);
    assert!(
        handed["document"].as_str().unwrap().contains("Planned: code, then ship; docs any time")
    );
    assert_eq!(handed["handoff"]["session"], sid.as_str(), "{handed}");
    let started = mcp_result(last, 6, &report);
    assert_eq!(started["tasks"][0]["status"], "in_progress");
    assert_eq!(started["tasks"][0]["owner"], sid.as_str(), "the server's session is Claude Code's");
    let resumed = mcp_result(last, 7, &report);
    assert_eq!(resumed["session"], sid.as_str());
    assert_eq!((&resumed["state"], &resumed["next"]["id"]), (&json!("ready"), &json!("code")));
    let verified = mcp_result(last, 8, &report);
    assert_eq!(verified["verified"], true, "{verified}");
    // Claude Code's own tools worked too.
    for k in 0..2 {
        let r = tool_result(last, &call_id(9, k)).unwrap();
        assert_ne!(r["is_error"], true, "{r}");
        assert!(result_text(r).contains("created successfully"), "{r}");
    }
    let updated = tool_result(last, &call_id(10, 0)).unwrap();
    assert!(result_text(updated).starts_with("Updated task #"), "{updated}");

    // The Stop hook reminded the user of the held task, without another model turn
    // (assert_played: no request after the last step).
    let stops = one.hook_outputs("Stop");
    assert_eq!(stops.len(), 1, "{stops:?}");
    let stop: Value = serde_json::from_str(&stops[0]).unwrap_or_else(|e| panic!("{e}: {stops:?}"));
    let reminder = stop["systemMessage"].as_str().unwrap_or_else(|| panic!("{stop}"));
    assert!(reminder.contains(&format!("'code' of \"E2E release\" ({id})")), "{reminder}");
    assert!(stop["hookSpecificOutput"]["additionalContext"].is_null(), "{stop}");

    // In git: one commit per call, each by Claude Code's session, and the
    // session end's automatic handoff last.
    assert_eq!(
        trailer_values(&repo, &id, "Op"),
        ["create", "add-task", "handoff", "set-status", "handoff"],
        "{}",
        repo.git(&["log", "--format=%B", &format!("refs/tasklists/{id}")])
    );
    assert_eq!(trailer_values(&repo, &id, "Session"), vec![sid.clone(); 5]);
    let after = repo.show_json(&id);
    assert_eq!(after["handoff"]["note"], SESSION_END_NOTE, "{after}");
    assert_eq!(after["handoff"]["session"], sid.as_str());
    assert_eq!(after["tasks"][0]["owner"], sid.as_str());

    // Claude Code's own tasks: one list, one commit per task event.
    let mirrors: Vec<String> =
        list_ids(&repo).into_iter().filter(|l| *l != plan && *l != id).collect();
    assert_eq!(mirrors.len(), 1, "{mirrors:?}");
    let mirror = repo.show_json(&mirrors[0]);
    let tasks: Vec<(String, String, String)> = mirror["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("status"), s("note"))
        })
        .collect();
    let mut tasks = tasks;
    tasks.sort();
    assert_eq!(
        tasks,
        [
            ("mirror-one".into(), "completed".into(), "First mirrored task".into()),
            ("mirror-two".into(), "pending".into(), "Second mirrored task".into()),
        ]
    );
    assert_eq!(trailer_values(&repo, &mirrors[0], "Session"), vec![sid.clone(); 3]);
    drop(api);

    // Session 2: its briefing names the next task, and what session 1 holds.
    let tip = repo.tip(&id);
    let api = MockApi::start(scripted(vec![Box::new(|_| vec![Block::Text("Noted.".into())])]));
    let two = run(&repo, &api, "session-2", "What is next?", &[]);
    assert_played(&api, 1, &two);
    assert_ne!(two.id, sid);
    let prompt = system_prompt(&api.turns()[0]);
    let b = briefing(&prompt, "E2E release", &id);
    assert!(b.contains(&format!("- code [in_progress, owner {sid}]: Write the code")), "{b}");
    assert!(b.contains("Next task: docs (Write the docs)."), "{b}");
    assert!(b.contains(&format!("Last handoff note: {SESSION_END_NOTE}")), "{b}");
    // It holds nothing: no reminder, no handoff.
    assert_eq!(two.hook_outputs("Stop"), [""]);
    assert_eq!(repo.tip(&id), tip);
    repo.fsck();
}

/// `claude ARGS…` in the repository (no model needed); status and stdout.
fn claude_cli(repo: &TestRepo, args: &[&str]) -> (bool, String) {
    let mut c = claude(repo, "http://127.0.0.1:9");
    c.args(args);
    let (status, out, err) = finish(c, &format!("claude {}", args.join(" ")), LIMIT);
    (status.success(), format!("{out}{err}"))
}

/// Writes `value` as JSON to `path` (creating its directory).
fn write_json(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

#[test]
#[ignore = "needs Claude Code from npm: .ci/run installs it"]
fn claude_code_connects_the_project_server_once_the_folder_is_trusted_and_the_server_approved() {
    let repo = TestRepo::new();
    repo.cmd().args(["install", "claude"]).assert().success();
    let pending = "Status: ⏸ Pending approval";
    let (ok, text) = claude_cli(&repo, &["mcp", "get", "tasklist"]);
    assert!(ok && text.contains(pending), "{text}");
    assert!(text.contains(&format!("Command: {}\n", program())), "{text}");
    assert!(text.contains("Args: mcp\n"), "{text}");

    // The README's two steps, each alone not enough: trust the folder (what
    // the trust dialog records in ~/.claude.json) …
    let folder = std::fs::canonicalize(&repo.path).unwrap();
    let user = repo.home().join(".claude.json");
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&user).unwrap()).unwrap();
    state["projects"] = json!({folder.to_str().unwrap(): {"hasTrustDialogAccepted": true}});
    write_json(&user, &state);
    let (ok, text) = claude_cli(&repo, &["mcp", "get", "tasklist"]);
    assert!(ok && text.contains(pending), "trusted, not approved: {text}");
    // … and approve the server (what "Use this MCP server" writes).
    let local = repo.path.join(".claude/settings.local.json");
    write_json(&local, &json!({"enabledMcpjsonServers": ["tasklist"]}));
    let (ok, text) = claude_cli(&repo, &["mcp", "get", "tasklist"]);
    assert!(ok && text.contains("Status: ✔ Connected"), "{text}");
    let (ok, text) = claude_cli(&repo, &["mcp", "list"]);
    assert!(ok && text.contains(&format!("tasklist: {} mcp - ✔ Connected", program())), "{text}");
    // Approving every server of the project does it too.
    write_json(&local, &json!({"enableAllProjectMcpServers": true}));
    let (ok, text) = claude_cli(&repo, &["mcp", "get", "tasklist"]);
    assert!(ok && text.contains("Status: ✔ Connected"), "{text}");

    // Approved but no longer trusted: pending again.
    state["projects"] = json!({});
    write_json(&user, &state);
    let (ok, text) = claude_cli(&repo, &["mcp", "get", "tasklist"]);
    assert!(ok && text.contains(pending), "approved, not trusted: {text}");
}

#[test]
#[ignore = "needs Claude Code from npm: .ci/run installs it"]
fn the_plugin_passes_strict_validation_and_its_skill_names_the_tools_claude_code_offers() {
    let repo = TestRepo::new();
    let dir = repo.root().join("plugin");
    repo.cmd().args(["install", "claude", "--plugin"]).arg(&dir).assert().success();
    let (ok, text) = claude_cli(&repo, &["plugin", "validate", "--strict", dir.to_str().unwrap()]);
    assert!(ok, "{text}");
    assert!(text.contains("Validation passed") && !text.contains("Found 1 warning"), "{text}");
    assert!(
        text.contains(&format!("mcpServers: tasklist stdio {} [\"mcp\"]", program())),
        "{text}"
    );

    // Loaded as a plugin, its tools are offered under the plugin's prefix, and
    // the skill names exactly those.
    let api = MockApi::start(scripted(vec![Box::new(|_| vec![Block::Text("Noted.".into())])]));
    let dir_arg = dir.to_str().unwrap();
    let session = run(&repo, &api, "plugin", "Hello.", &["--plugin-dir", dir_arg]);
    assert_played(&api, 1, &session);
    let prompt = system_prompt(&api.turns()[0]);
    let offered: Vec<&str> = prompt.lines().filter(|l| l.starts_with("mcp__")).collect();
    let want: Vec<String> =
        TOOLS.iter().map(|t| format!("mcp__plugin_git-tasklist_tasklist__{t}")).collect();
    let mut sorted = want.clone();
    sorted.sort();
    assert_eq!(offered, sorted, "{prompt}");
    let skill =
        std::fs::read_to_string(dir.join("skills/multi-session-orchestrator/SKILL.md")).unwrap();
    let named: std::collections::BTreeSet<&str> = skill
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| w.starts_with("mcp__"))
        .collect();
    assert_eq!(named, want.iter().map(String::as_str).collect(), "{skill}");
}

#[test]
#[ignore = "needs Claude Code from npm: .ci/run installs it"]
fn a_user_install_s_server_connects_without_approval() {
    let repo = TestRepo::new();
    repo.cmd().args(["install", "claude", "--user"]).assert().success();
    let (ok, text) = claude_cli(&repo, &["mcp", "get", "tasklist"]);
    assert!(ok, "{text}");
    assert!(text.contains("Scope: User config"), "{text}");
    assert!(text.contains("Status: ✔ Connected"), "{text}");
}

#[test]
#[ignore = "needs Claude Code from npm: .ci/run installs it"]
fn headless_claude_code_calls_the_tools_only_with_permission() {
    let repo = TestRepo::new();
    let id = repo.create("Release", &["build"]);
    repo.cmd().args(["install", "claude"]).assert().success();
    let script = || {
        let list: Step = Box::new(|_| vec![call(1, 0, &mcp("TaskListList"), json!({}))]);
        scripted(vec![
            Box::new(|_| {
                let select = format!("select:{}", mcp("TaskListList"));
                vec![call(0, 0, "ToolSearch", json!({"query": select, "max_results": 1}))]
            }),
            list,
            Box::new(|_| vec![Block::Text("Listed.".into())]),
        ])
    };
    let listed = |api: &MockApi| {
        let last = api.turns().last().cloned().unwrap();
        tool_result(&last, &call_id(1, 0)).cloned().unwrap()
    };

    // No permission: the call is refused (the untrusted, unapproved folder does
    // not matter to `-p`).
    let api = MockApi::start(script());
    let session = run(&repo, &api, "no-permission", "List them.", &[]);
    assert_played(&api, 3, &session);
    let refused = listed(&api);
    assert_eq!(refused["is_error"], true, "{refused}");
    let want = format!("Claude requested permissions to use {}", mcp("TaskListList"));
    assert!(result_text(&refused).contains(&want), "{refused}");

    // Allowed in the project's local settings (the README's line).
    write_json(
        &repo.path.join(".claude/settings.local.json"),
        &json!({"permissions": {"allow": ["mcp__tasklist"]}}),
    );
    let api = MockApi::start(script());
    let session = run(&repo, &api, "permission", "List them.", &[]);
    assert_played(&api, 3, &session);
    let ok = listed(&api);
    assert_ne!(ok["is_error"], true, "{ok}");
    let v: Value = serde_json::from_str(&result_text(&ok)).unwrap();
    assert_eq!(v["lists"][0]["id"], id.as_str(), "{v}");
}
