//! The real Codex CLI (pinned, from npm) reading what `install codex` wrote:
//! the project's server is listed once the user trusts the project, and
//! headless `codex exec` calls its tools once they are approved.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::agent_support::{Block, MockApi, call, call_id, client, finish};
use crate::common::{TestRepo, base_env};

/// Codex with a clean environment and the test's own HOME, in the repository.
fn codex(repo: &TestRepo) -> Command {
    let mut c = Command::new(client("codex"));
    c.env_clear().envs(base_env(&repo.home())).current_dir(&repo.path);
    c
}

/// Writes the user's `~/.codex/config.toml`: `extra`, then the project trusted.
fn trust(repo: &TestRepo, extra: &str) {
    let folder = std::fs::canonicalize(&repo.path).unwrap();
    let config = repo.home().join(".codex/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let trust = format!("{extra}[projects.\"{}\"]\ntrust_level = \"trusted\"\n", folder.display());
    std::fs::write(&config, trust).unwrap();
}

/// `codex mcp list --json` in the repository, with the test's own HOME.
fn servers(repo: &TestRepo) -> Value {
    let mut c = codex(repo);
    c.args(["mcp", "list", "--json"]);
    let (status, out, err) = finish(c, "codex mcp list", Duration::from_secs(60));
    assert!(status.success(), "codex mcp list: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

#[test]
#[ignore = "needs Codex from npm: .ci/run installs it"]
fn codex_lists_the_project_server_once_the_project_is_trusted() {
    let repo = TestRepo::new();
    repo.cmd().args(["install", "codex"]).assert().success();
    assert_eq!(servers(&repo), json!([]), "an untrusted project's servers are not read");

    trust(&repo, "");
    let listed = servers(&repo);
    let exe = std::fs::canonicalize(assert_cmd::cargo::cargo_bin("git-tasklist")).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let server = &listed[0];
    assert_eq!((&server["name"], &server["enabled"]), (&json!("tasklist"), &json!(true)));
    assert_eq!(server["transport"]["command"], exe.to_str().unwrap());
    assert_eq!(server["transport"]["args"], json!(["mcp"]));
}

/// The output Codex sent back to the model for call `id` in its last request
/// that carries one (a string, or its text parts joined).
fn call_output(api: &MockApi, id: &str) -> String {
    let turns = api.turns();
    let output = turns
        .iter()
        .rev()
        .filter_map(|t| t["input"].as_array())
        .flatten()
        .find(|i| i["type"] == "function_call_output" && i["call_id"] == id)
        .map(|i| match &i["output"] {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect(),
            other => other.to_string(),
        });
    output.unwrap_or_else(|| panic!("no output for {id}:\n{}", api.report()))
}

#[test]
#[ignore = "needs Codex from npm: .ci/run installs it"]
fn headless_codex_exec_calls_the_tools_once_the_server_s_tools_are_approved() {
    let repo = TestRepo::new();
    let id = repo.create("Release", &["build"]);
    repo.cmd().args(["install", "codex"]).assert().success();
    // One call of TaskListList, then a closing text, answered by the mock model.
    let api = MockApi::start(Box::new(|req: &Value| {
        let answered = req["input"].as_array()?.iter().any(|i| i["type"] == "function_call_output");
        Some(if answered {
            vec![Block::Text("Listed.".into())]
        } else {
            vec![call(0, 0, "mcp__tasklist__TaskListList", json!({}))]
        })
    }));
    let provider = format!(
        "model = \"mock-model\"\nmodel_provider = \"mock\"\n\n[model_providers.mock]\nname = \"mock\"\nbase_url = \"{}/v1\"\nwire_api = \"responses\"\n\n",
        api.url
    );
    trust(&repo, &provider);
    let exec = || {
        let mut c = codex(&repo);
        c.args(["exec", "List the task lists."]);
        let (status, out, err) = finish(c, "codex exec", Duration::from_secs(120));
        assert!(status.success(), "codex exec: {out}{err}\n{}", api.report());
    };

    // Headless exec never asks, so an unapproved MCP call is refused.
    exec();
    let refused = call_output(&api, &call_id(0, 0));
    assert!(
        refused.contains("MCP tool call requires approval, but approval policy is never"),
        "{refused}"
    );
    assert!(!refused.contains(&id), "{refused}");

    // Approved for this server (the README's setting), which a later install keeps.
    let project = repo.path.join(".codex/config.toml");
    let mut config = std::fs::read_to_string(&project).unwrap();
    config.push_str("default_tools_approval_mode = \"approve\"\n");
    std::fs::write(&project, &config).unwrap();
    repo.cmd().args(["install", "codex"]).assert().success();
    assert_eq!(std::fs::read_to_string(&project).unwrap(), config);
    let api_turns = api.turns().len();
    exec();
    assert_eq!(api.turns().len(), api_turns + 2, "{}", api.report());
    let output = call_output(&api, &call_id(0, 0));
    let json = output.split_once("Output:\n").map(|(_, j)| j).unwrap_or_else(|| panic!("{output}"));
    let listed: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {output}"));
    assert_eq!(listed["lists"][0]["id"], id.as_str(), "{listed}");
    assert_eq!(listed["lists"][0]["next"], "build", "{listed}");
    assert!(api.unexpected().is_empty(), "{}", api.report());
}
