//! The real Codex CLI (pinned, from npm) reading what `install codex` wrote:
//! the project's server is listed once the user trusts the project.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::agent_support::{client, finish};
use crate::common::{TestRepo, base_env};

/// `codex mcp list --json` in the repository, with the test's own HOME.
fn servers(repo: &TestRepo) -> Value {
    let mut c = Command::new(client("codex"));
    c.env_clear().envs(base_env(&repo.home())).current_dir(&repo.path);
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

    let folder = std::fs::canonicalize(&repo.path).unwrap();
    let config = repo.home().join(".codex/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let trust = format!("[projects.\"{}\"]\ntrust_level = \"trusted\"\n", folder.display());
    std::fs::write(&config, trust).unwrap();
    let listed = servers(&repo);
    let exe = std::fs::canonicalize(assert_cmd::cargo::cargo_bin("git-tasklist")).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let server = &listed[0];
    assert_eq!((&server["name"], &server["enabled"]), (&json!("tasklist"), &json!(true)));
    assert_eq!(server["transport"]["command"], exe.to_str().unwrap());
    assert_eq!(server["transport"]["args"], json!(["mcp"]));
}
