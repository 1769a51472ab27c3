//! `install claude|codex|agents-md`: idempotent merges that keep the user's
//! settings, dry runs, refusals that write nothing, the plugin layout, and a
//! skill whose every command parses.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{TestRepo, expect_error, stderr, stdout};

/// The files `install claude` writes in a project.
fn project_files(repo: &TestRepo) -> [PathBuf; 3] {
    [
        repo.path.join(".claude/settings.json"),
        repo.path.join(".mcp.json"),
        repo.path.join(".claude/skills/multi-session-orchestrator/SKILL.md"),
    ]
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The binary's own absolute path, as an install not on PATH writes it.
pub(crate) fn program() -> String {
    let exe = assert_cmd::cargo::cargo_bin("git-tasklist");
    std::fs::canonicalize(exe).unwrap().to_str().unwrap().to_string()
}

/// PATH with the binary's directory first, so the install writes its name.
fn path_with_binary() -> std::ffi::OsString {
    let exe = assert_cmd::cargo::cargo_bin("git-tasklist");
    let dir = exe.parent().unwrap().to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(&rest))).unwrap()
}

/// The commands of each event's handlers in `settings["hooks"]`.
fn hook_commands(settings: &Value, event: &str) -> Vec<String> {
    settings["hooks"][event]
        .as_array()
        .unwrap_or_else(|| panic!("no hooks.{event}: {settings}"))
        .iter()
        .flat_map(|g| g["hooks"].as_array().unwrap().iter())
        .map(|h| h["command"].as_str().unwrap().to_string())
        .collect()
}

/// Asserts `needles` occur in `text` in this order.
fn in_order(text: &str, needles: &[&str]) {
    let mut at = 0;
    for n in needles {
        let found =
            text[at..].find(n).unwrap_or_else(|| panic!("{n} missing or out of order in {text}"));
        at += found + n.len();
    }
}

const EVENTS: [(&str, &str); 6] = [
    ("SessionStart", "session-start"),
    ("Stop", "stop"),
    ("PreCompact", "pre-compact"),
    ("SessionEnd", "session-end"),
    ("TaskCreated", "task-created"),
    ("TaskCompleted", "task-completed"),
];

#[test]
fn install_claude_twice_gives_identical_files() {
    let repo = TestRepo::new();
    let out = repo.cmd().args(["install", "claude"]).assert().success().get_output().clone();
    let files = project_files(&repo);
    let text = stdout(&out);
    for f in &files {
        assert!(text.contains(&format!("created {}", f.display())), "{text}");
    }
    let first: Vec<String> = files.iter().map(|f| read(f)).collect();
    let out = repo.cmd().args(["install", "claude"]).assert().success().get_output().clone();
    let second: Vec<String> = files.iter().map(|f| read(f)).collect();
    assert_eq!(first, second);
    assert_eq!(stdout(&out).matches("unchanged ").count(), 3, "{}", stdout(&out));

    let settings = json(&files[0]);
    let bin = program();
    for (event, arg) in EVENTS {
        assert_eq!(hook_commands(&settings, event), vec![format!("{bin} hook {arg}")]);
        let group = &settings["hooks"][event][0];
        assert!(group.get("matcher").is_none(), "{event} has a matcher: {group}");
        assert_eq!(group["hooks"][0]["type"], "command");
    }
    let mcp = json(&files[1]);
    assert_eq!(mcp["mcpServers"]["tasklist"]["command"], bin.as_str());
    assert_eq!(mcp["mcpServers"]["tasklist"]["args"], serde_json::json!(["mcp"]));
    assert!(first[2].contains(&format!("`{bin} resume <id>`")), "{}", first[2]);
}

#[test]
fn install_from_a_subdirectory_writes_at_the_top_of_the_work_tree() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path.join("src/deep")).unwrap();
    repo.cmd_in(&repo.path.join("src/deep")).args(["install", "claude"]).assert().success();
    for f in project_files(&repo) {
        assert!(f.is_file(), "{} missing", f.display());
    }
    assert!(!repo.path.join("src/deep/.claude").exists());
}

#[test]
fn unrelated_settings_survive_with_their_order() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".claude")).unwrap();
    let settings = r#"{
  "permissions": {"allow": ["Bash(ls)"], "deny": []},
  "model": "opus",
  "hooks": {
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh", "timeout": 5}]}]
  },
  "env": {"Z": "1", "A": "2"},
  "cleanupPeriodDays": 30
}
"#;
    repo.write(".claude/settings.json", settings);
    repo.write(
        ".mcp.json",
        r#"{"mcpServers": {"zeta": {"command": "zeta-server", "args": ["--stdio"], "env": {"K": "v"}}, "alpha": {"type": "http", "url": "https://example.com/mcp"}}, "other": 1}"#,
    );
    repo.cmd().args(["install", "claude"]).assert().success();
    let files = project_files(&repo);
    let text = read(&files[0]);
    in_order(
        &text,
        &[
            "\"permissions\"",
            "Bash(ls)",
            "\"model\"",
            "\"hooks\"",
            "\"Stop\"",
            "notify-send done",
            "hook stop",
            "\"PreToolUse\"",
            "guard.sh",
            "\"timeout\": 5",
            "\"SessionStart\"",
            "\"env\"",
            "\"Z\"",
            "\"A\"",
            "\"cleanupPeriodDays\": 30",
        ],
    );
    let v = json(&files[0]);
    assert_eq!(
        hook_commands(&v, "Stop"),
        vec!["notify-send done".to_string(), format!("{} hook stop", program())]
    );
    assert_eq!(hook_commands(&v, "PreToolUse"), vec!["guard.sh".to_string()]);
    assert_eq!(v["hooks"]["PreToolUse"][0]["matcher"], "Bash");
    assert_eq!(v["permissions"]["allow"], serde_json::json!(["Bash(ls)"]));

    let mcp_text = read(&files[1]);
    in_order(
        &mcp_text,
        &[
            "\"zeta\"",
            "zeta-server",
            "--stdio",
            "\"K\"",
            "\"alpha\"",
            "example.com",
            "\"tasklist\"",
            "\"other\": 1",
        ],
    );
    let mcp = json(&files[1]);
    assert_eq!(mcp["mcpServers"]["alpha"]["type"], "http");
    assert_eq!(mcp["other"], 1);

    // And a second run leaves all of it as it is.
    let before = [read(&files[0]), read(&files[1])];
    repo.cmd().args(["install", "claude"]).assert().success();
    assert_eq!(before, [read(&files[0]), read(&files[1])]);
}

#[test]
fn a_file_already_holding_our_entries_is_left_as_written() {
    let repo = TestRepo::new();
    let bin = program();
    let compact =
        format!(r#"{{"mcpServers":{{"tasklist":{{"command":"{bin}","args":["mcp"]}}}}}}"#);
    repo.write(".mcp.json", &compact);
    let out = repo.cmd().args(["install", "claude"]).assert().success().get_output().clone();
    assert_eq!(read(&repo.path.join(".mcp.json")), compact);
    assert!(stdout(&out).contains("unchanged "), "{}", stdout(&out));
}

#[test]
fn a_moved_binary_replaces_its_hooks_and_keeps_what_the_user_added() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".claude")).unwrap();
    repo.write(
        ".claude/settings.json",
        r#"{"hooks": {"Stop": [
            {"hooks": [{"type": "command", "command": "/old/place/git-tasklist hook stop", "timeout": 7}]},
            {"hooks": [{"type": "command", "command": "git tasklist hook stop"}]},
            {"hooks": [{"type": "command", "command": "mine"}]}
        ]},
        "mcpServers": {}}"#,
    );
    repo.write(".mcp.json", r#"{"mcpServers": {"tasklist": {"command": "/old/place/git-tasklist", "args": ["mcp"], "alwaysLoad": true}}}"#);
    repo.cmd().args(["install", "claude"]).assert().success();
    let v = json(&repo.path.join(".claude/settings.json"));
    let bin = program();
    assert_eq!(hook_commands(&v, "Stop"), vec![format!("{bin} hook stop"), "mine".to_string()]);
    assert_eq!(v["hooks"]["Stop"][0]["hooks"][0]["timeout"], 7);
    let mcp = json(&repo.path.join(".mcp.json"));
    assert_eq!(mcp["mcpServers"]["tasklist"]["command"], bin.as_str());
    assert_eq!(mcp["mcpServers"]["tasklist"]["alwaysLoad"], true);
}

#[test]
fn the_program_is_its_name_when_path_finds_it() {
    let repo = TestRepo::new();
    let out = repo
        .cmd()
        .env("PATH", path_with_binary())
        .args(["--json", "install", "claude"])
        .assert()
        .success()
        .get_output()
        .clone();
    let view: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(view["program"], "git-tasklist");
    let v = json(&repo.path.join(".claude/settings.json"));
    assert_eq!(hook_commands(&v, "SessionStart"), vec!["git-tasklist hook session-start"]);
    // Installing again from elsewhere (an absolute path) replaces, never duplicates.
    repo.cmd().args(["install", "claude"]).assert().success();
    let v = json(&repo.path.join(".claude/settings.json"));
    assert_eq!(
        hook_commands(&v, "SessionStart"),
        vec![format!("{} hook session-start", program())]
    );
}

#[test]
fn dry_run_writes_nothing_and_shows_a_diff() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".claude")).unwrap();
    let settings = "{\n  \"model\": \"opus\"\n}\n";
    repo.write(".claude/settings.json", settings);
    let before = repo.snapshot();
    let out =
        repo.cmd().args(["install", "claude", "--dry-run"]).assert().success().get_output().clone();
    let text = stdout(&out);
    let files = project_files(&repo);
    assert!(text.contains(&format!("would update {}", files[0].display())), "{text}");
    assert!(text.contains(&format!("--- {}", files[0].display())), "{text}");
    assert!(text.contains(&format!("+++ {}", files[0].display())), "{text}");
    assert!(text.contains("\n-  \"model\": \"opus\"\n+  \"model\": \"opus\",\n"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with('+')
            && l.ends_with(&format!("\"command\": \"{} hook stop\"", program()))),
        "{text}"
    );
    assert!(text.contains(&format!("would create {}", files[1].display())), "{text}");
    assert!(text.contains("--- /dev/null"), "{text}");
    assert!(text.contains("\n+name: multi-session-orchestrator\n"), "{text}");
    assert!(text.ends_with("Dry run: nothing was written\n"), "{text}");
    assert_eq!(read(&files[0]), settings);
    assert!(!files[1].exists() && !files[2].exists());
    assert_eq!(repo.snapshot(), before);

    let out = repo
        .cmd()
        .args(["--json", "install", "claude", "--dry-run"])
        .assert()
        .success()
        .get_output()
        .clone();
    let view: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(view["dry_run"], true);
    assert_eq!(view["files"][0]["action"], "updated");
    assert_eq!(view["files"][1]["action"], "created");
    assert!(view["files"][1]["diff"].as_str().unwrap().contains("+    \"tasklist\": {"));
    assert!(!files[1].exists());

    // Once installed, a dry run shows nothing to change.
    repo.cmd().args(["install", "claude"]).assert().success();
    let out =
        repo.cmd().args(["install", "claude", "--dry-run"]).assert().success().get_output().clone();
    let text = stdout(&out);
    assert_eq!(text.matches("unchanged ").count(), 3, "{text}");
    assert!(!text.contains("@@"), "{text}");
}

#[test]
fn malformed_settings_is_an_error_naming_the_file_and_nothing_is_written() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".claude")).unwrap();
    let files = project_files(&repo);
    for (bad, says) in [
        ("{\"model\": \"opus\",, }", "is not valid JSON"),
        ("[1, 2]", "it holds an array, not an object"),
        ("{\"hooks\": []}", "\"hooks\" is an array, not an object"),
        ("{\"hooks\": {\"Stop\": {\"x\": 1}}}", "\"hooks.Stop\" is an object, not an array"),
        ("{\"model\": 1} // comment", "is not valid JSON"),
    ] {
        repo.write(".claude/settings.json", bad);
        let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
        assert!(err.contains(&files[0].display().to_string()), "{err}");
        assert!(err.contains(says), "{bad}: {err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(read(&files[0]), bad);
        assert!(!files[1].exists(), "{} written", files[1].display());
        assert!(!files[2].exists(), "{} written", files[2].display());
    }
    // The same for .mcp.json: the settings, valid, are not written either.
    repo.write(".claude/settings.json", "{}");
    repo.write(".mcp.json", "{\"mcpServers\": \"x\"}");
    let out =
        repo.cmd().args(["--json", "install", "claude"]).assert().code(1).get_output().clone();
    let e: Value = serde_json::from_str(&stderr(&out)).unwrap();
    assert_eq!(e["code"], "invalid_config");
    assert!(
        e["error"].as_str().unwrap().contains("\"mcpServers\" is a string, not an object"),
        "{e}"
    );
    assert_eq!(read(&files[0]), "{}");
    assert!(!files[2].exists());
}

#[test]
fn a_file_where_a_directory_goes_is_an_error_and_nothing_is_written() {
    let repo = TestRepo::new();
    repo.write(".claude", "not a directory");
    let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
    assert!(err.contains("is not a directory"), "{err}");
    assert!(!repo.path.join(".mcp.json").exists());
}

#[test]
fn a_bare_repository_or_no_repository_is_refused_with_a_way_out() {
    let repo = TestRepo::new_bare();
    let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
    assert!(err.contains("has no work tree"), "{err}");
    assert!(err.contains("--user"), "{err}");
    let plain = tempfile::tempdir().unwrap();
    let err = expect_error(repo.cmd_in(plain.path()).args(["install", "codex"]), 1);
    assert!(err.contains("--user"), "{err}");
    repo.cmd_in(plain.path())
        .args(["install", "claude", "--user", "--plugin", "x"])
        .assert()
        .code(2);
}

#[test]
fn plugin_dir_has_the_plugin_layout() {
    let repo = TestRepo::new();
    let dir = repo.root().join("plugin");
    // No repository needed: run from outside one.
    let outside = repo.root().join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    repo.cmd_in(&outside).args(["install", "claude", "--plugin"]).arg(&dir).assert().success();
    let manifest = json(&dir.join(".claude-plugin/plugin.json"));
    assert_eq!(manifest["name"], "git-tasklist");
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert!(!manifest["description"].as_str().unwrap().is_empty());
    // `claude plugin validate --strict` warns (an error, strict) without an author.
    assert!(!manifest["author"]["name"].as_str().unwrap().is_empty(), "{manifest}");
    assert_eq!(manifest["license"], env!("CARGO_PKG_LICENSE"));
    let hooks = json(&dir.join("hooks/hooks.json"));
    assert!(!hooks["description"].as_str().unwrap().is_empty());
    for (event, arg) in EVENTS {
        assert_eq!(hook_commands(&hooks, event), vec![format!("{} hook {arg}", program())]);
    }
    let mcp = json(&dir.join(".mcp.json"));
    assert_eq!(mcp["mcpServers"]["tasklist"]["args"], serde_json::json!(["mcp"]));
    let skill = read(&dir.join("skills/multi-session-orchestrator/SKILL.md"));
    assert!(skill.starts_with("---\nname: multi-session-orchestrator\n"));
    // Claude Code names a plugin's tools mcp__plugin_<plugin>_<server>__<Tool>.
    for tool in git_tasklist::agents::TOOLS {
        let name = format!("`mcp__plugin_git-tasklist_tasklist__{tool}`");
        assert!(skill.contains(&name), "{name} missing from the plugin's skill");
    }
    assert!(!skill.contains("mcp__tasklist__"), "{skill}");
    let mut all: Vec<String> =
        walk(&dir).iter().map(|p| p.strip_prefix(&dir).unwrap().display().to_string()).collect();
    all.sort();
    assert_eq!(
        all,
        [
            ".claude-plugin/plugin.json",
            ".mcp.json",
            "hooks/hooks.json",
            "skills/multi-session-orchestrator/SKILL.md"
        ]
    );
    let before: Vec<String> = walk(&dir).iter().map(|p| read(p)).collect();
    let out = repo
        .cmd_in(&outside)
        .args(["install", "claude", "--plugin"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout(&out).matches("unchanged ").count(), 4);
    assert_eq!(before, walk(&dir).iter().map(|p| read(p)).collect::<Vec<_>>());
    assert!(!repo.path.join(".claude").exists() && !repo.path.join(".mcp.json").exists());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> =
            std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out.sort();
    out
}

#[test]
fn user_install_writes_under_home_and_touches_only_our_key_of_claude_json() {
    let repo = TestRepo::new();
    let home = repo.home();
    let state = r#"{
  "numStartups": 12,
  "projects": {
    "/some/project": {"allowedTools": [], "history": [{"display": "hi", "pastedContents": {}}]}
  },
  "mcpServers": {
    "other": {"command": "other-mcp", "args": []}
  },
  "userID": "abc",
  "tipsHistory": {"x": 1.5}
}"#;
    std::fs::write(home.join(".claude.json"), state).unwrap();
    let outside = repo.root().join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    repo.cmd_in(&outside).args(["install", "claude", "--user"]).assert().success();
    let text = read(&home.join(".claude.json"));
    in_order(
        &text,
        &[
            "\"numStartups\": 12",
            "\"projects\"",
            "\"/some/project\"",
            "\"pastedContents\"",
            "\"mcpServers\"",
            "\"other\"",
            "\"tasklist\"",
            "\"userID\": \"abc\"",
            "\"tipsHistory\"",
            "1.5",
        ],
    );
    assert!(!text.ends_with('\n'), "a final line break was added");
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut expected: Value = serde_json::from_str(state).unwrap();
    expected["mcpServers"]["tasklist"] = serde_json::json!({"command": program(), "args": ["mcp"]});
    assert_eq!(v, expected);
    let settings = json(&home.join(".claude/settings.json"));
    assert_eq!(hook_commands(&settings, "Stop"), vec![format!("{} hook stop", program())]);
    assert!(home.join(".claude/skills/multi-session-orchestrator/SKILL.md").is_file());
    assert!(!repo.path.join(".claude").exists());
    let before = read(&home.join(".claude.json"));
    repo.cmd_in(&outside).args(["install", "claude", "--user"]).assert().success();
    assert_eq!(read(&home.join(".claude.json")), before);
}

#[cfg(unix)]
#[test]
fn a_symlinked_settings_file_stays_a_symlink_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    let home = repo.home();
    // A dotfiles repository inside HOME (one outside is refused: see
    // test_install_safety).
    let dotfiles = home.join("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    std::fs::write(dotfiles.join("claude.json"), "{\"userID\": \"abc\"}\n").unwrap();
    std::fs::set_permissions(dotfiles.join("claude.json"), std::fs::Permissions::from_mode(0o600))
        .unwrap();
    std::os::unix::fs::symlink(dotfiles.join("claude.json"), home.join(".claude.json")).unwrap();
    repo.cmd().args(["install", "claude", "--user"]).assert().success();
    assert!(std::fs::symlink_metadata(home.join(".claude.json")).unwrap().file_type().is_symlink());
    let v = json(&dotfiles.join("claude.json"));
    assert_eq!(v["userID"], "abc");
    assert_eq!(v["mcpServers"]["tasklist"]["args"], serde_json::json!(["mcp"]));
    let mode = std::fs::metadata(dotfiles.join("claude.json")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let mode = std::fs::metadata(home.join(".claude/settings.json")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn codex_keeps_comments_and_other_tables() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".codex")).unwrap();
    let config = "# My Codex settings\nmodel = \"o3\"   # the model\n\n[mcp_servers.other]\ncommand = \"other\"  # keep me\nargs = [ \"a\",  \"b\" ]\n\n[profiles.fast]\nmodel = \"o4-mini\"\n";
    repo.write(".codex/config.toml", config);
    let path = repo.path.join(".codex/config.toml");
    let out = repo.cmd().args(["install", "codex"]).assert().success().get_output().clone();
    assert!(stdout(&out).contains(&format!("updated {}", path.display())));
    let text = read(&path);
    // Every line of the file is still there, byte for byte and in order.
    let lines: Vec<&str> = config.lines().collect();
    in_order(&text, &lines.iter().map(|l| &**l).filter(|l| !l.is_empty()).collect::<Vec<_>>());
    let v: toml::Table = text.parse().unwrap();
    assert_eq!(v["mcp_servers"]["tasklist"]["command"].as_str(), Some(program().as_str()));
    assert_eq!(v["mcp_servers"]["tasklist"]["args"], toml::Value::Array(vec!["mcp".into()]));
    assert_eq!(v["mcp_servers"]["other"]["command"].as_str(), Some("other"));
    repo.cmd().args(["install", "codex"]).assert().success();
    assert_eq!(read(&path), text);

    // Our own table with other keys: only command and args are ours.
    let mine = "[mcp_servers.tasklist]\ncommand = \"/old/git-tasklist\" # moved\nargs = [\"mcp\"]\nenv = { A = \"1\" }\n";
    repo.write(".codex/config.toml", mine);
    repo.cmd().args(["install", "codex"]).assert().success();
    let text = read(&path);
    assert!(text.contains("env = { A = \"1\" }"), "{text}");
    assert!(text.contains(&format!("command = \"{}\"", program())), "{text}");
    assert!(text.contains("args = [\"mcp\"]"), "{text}");

    // An inline table of servers stays inline.
    repo.write(".codex/config.toml", "mcp_servers = { other = { command = \"x\" } }\n");
    repo.cmd().args(["install", "codex"]).assert().success();
    let v: toml::Table = read(&path).parse().unwrap();
    assert_eq!(v["mcp_servers"]["tasklist"]["args"], toml::Value::Array(vec!["mcp".into()]));
    assert_eq!(v["mcp_servers"]["other"]["command"].as_str(), Some("x"));

    for (bad, says) in [
        ("model = \n", "is not valid TOML (line 1, column 9: "),
        ("a = 1\nx = \"\u{1b}[31m\n", "is not valid TOML (line 2"),
        ("mcp_servers = 3\n", "mcp_servers is a TOML integer, not a table"),
    ] {
        repo.write(".codex/config.toml", bad);
        let err = expect_error(repo.cmd().args(["install", "codex"]), 1);
        assert!(err.contains(&path.display().to_string()) && err.contains(says), "{err}");
        assert_eq!(read(&path), bad);
    }
}

#[test]
fn codex_user_and_dry_run() {
    let repo = TestRepo::new();
    let path = repo.home().join(".codex/config.toml");
    let out = repo
        .cmd()
        .args(["install", "codex", "--user", "--dry-run"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(stdout(&out).contains("+[mcp_servers.tasklist]"), "{}", stdout(&out));
    assert!(!path.exists());
    repo.cmd().args(["install", "codex", "--user"]).assert().success();
    assert_eq!(
        read(&path),
        format!("[mcp_servers.tasklist]\ncommand = \"{}\"\nargs = [\"mcp\"]\n", program())
    );
    assert!(!repo.path.join(".codex").exists());
}

/// The `git-tasklist …` commands quoted in `text` (code spans), split into words.
fn commands_in(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, span) in text.split('`').enumerate() {
        if i % 2 == 1
            && let Some(rest) = span.strip_prefix("git-tasklist ")
        {
            out.push(words(rest));
        }
    }
    out
}

/// Words of a command line: whitespace-separated, "…" and '…' quoted.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => out.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(quote.is_none(), "unbalanced quotes in {s}");
    out.extend(word);
    out
}

/// Every command must exist with those flags: clap checks each word up to
/// `--help` (an unknown flag or a bad value fails before help is shown).
fn assert_commands_parse(repo: &TestRepo, text: &str, at_least: usize) {
    let commands = commands_in(text);
    assert!(commands.len() >= at_least, "only {} commands found in {text}", commands.len());
    for args in commands {
        let out = repo.cmd().args(&args).arg("--help").output().unwrap();
        assert!(out.status.success(), "git-tasklist {args:?} does not parse: {}", stderr(&out));
        assert!(stdout(&out).contains("Usage: git tasklist"), "{args:?}");
    }
}

fn rendered_skill(repo: &TestRepo) -> String {
    repo.cmd().env("PATH", path_with_binary()).args(["install", "claude"]).assert().success();
    read(&project_files(repo)[2])
}

#[test]
fn skill_front_matter_is_within_the_limits() {
    let repo = TestRepo::new();
    let skill = rendered_skill(&repo);
    let rest = skill.strip_prefix("---\n").expect("front matter first");
    let (front, body) = rest.split_once("\n---\n").expect("front matter closed");
    let mut keys = std::collections::BTreeMap::new();
    for line in front.lines() {
        let (k, v) = line.split_once(": ").unwrap_or_else(|| panic!("not `key: value`: {line}"));
        keys.insert(k, v);
    }
    assert_eq!(keys.keys().copied().collect::<Vec<_>>(), ["description", "name"]);
    let name = keys["name"];
    assert!(
        name.len() <= 64
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "{name}"
    );
    assert_eq!(name, "multi-session-orchestrator");
    let description = keys["description"];
    assert!(
        !description.is_empty() && description.chars().count() <= 1024,
        "{} chars",
        description.len()
    );
    assert!(description.contains("Use when"), "says when: {description}");
    // A plain YAML scalar: no `: ` or ` #` inside, no indicator first.
    assert!(!description.contains(": ") && !description.contains(" #"), "{description}");
    assert!(
        !description
            .starts_with(['"', '\'', '[', '{', '&', '*', '!', '|', '>', '%', '@', '`', '-'])
    );
    for needed in [
        "git-tasklist templates",
        "git-tasklist create --template",
        "start <task>",
        "done <task>",
        "next",
        "handoff --note",
        "git-tasklist resume <id>",
        "verify --expect",
        "git-tasklist list",
        "git-tasklist create --from <id>",
    ] {
        assert!(body.contains(needed), "{needed} missing from the skill");
    }
}

#[test]
fn every_command_in_the_skill_parses_and_every_tool_exists() {
    let repo = TestRepo::new();
    let skill = rendered_skill(&repo);
    assert_commands_parse(&repo, &skill, 20);
    let mcp_source = include_str!("../../src/mcp/server.rs");
    let mut tools = 0;
    for piece in skill.split("mcp__tasklist__").skip(1) {
        let name: String = piece.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        assert!(mcp_source.contains(&format!("name = \"{name}\"")), "no MCP tool {name}");
        tools += 1;
    }
    assert!(tools >= 8, "{tools} tool mentions");
}

#[test]
fn agents_md_prints_a_section_and_writes_nothing() {
    let repo = TestRepo::with_work();
    let before = repo.snapshot();
    let out = repo
        .cmd()
        .env("PATH", path_with_binary())
        .args(["install", "agents-md"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout(&out);
    assert!(text.starts_with("## Task lists (git-tasklist)\n"), "{text}");
    assert!(text.contains("TaskListHandoff"), "{text}");
    assert_commands_parse(&repo, &text, 12);
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.path.join("AGENTS.md").exists());
    repo.cmd().args(["--json", "install", "agents-md"]).assert().code(2);
}

#[test]
fn every_mcp_example_in_the_skill_is_a_valid_call() {
    use git_tasklist::mcp::{
        AddParams, AllParams, CreateParams, HandoffParams, ListParams, UpdateParams, VerifyParams,
    };
    fn check<T: serde::de::DeserializeOwned>(tool: &str, example: &str) {
        if let Err(e) = serde_json::from_str::<T>(example) {
            panic!("{tool} example {example} is not a valid call: {e}");
        }
    }
    let repo = TestRepo::new();
    let skill = rendered_skill(&repo);
    let mut checked = 0;
    for piece in skill.split("`mcp__tasklist__").skip(1) {
        let (tool, rest) = piece.split_once('`').unwrap();
        let Some(rest) = rest.strip_prefix(" with `{") else { continue };
        let example = format!("{{{}", rest.split_once('`').unwrap().0);
        match tool {
            "TaskListCreate" => check::<CreateParams>(tool, &example),
            "TaskListGet" | "TaskListResume" => check::<ListParams>(tool, &example),
            "TaskListList" => check::<AllParams>(tool, &example),
            "TaskCreate" => check::<AddParams>(tool, &example),
            "TaskUpdate" => check::<UpdateParams>(tool, &example),
            "TaskListVerify" => check::<VerifyParams>(tool, &example),
            "TaskListHandoff" => check::<HandoffParams>(tool, &example),
            other => panic!("no example expected for {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} MCP examples checked");
}

#[test]
fn a_directory_where_a_file_goes_and_hostile_text_in_errors() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".mcp.json")).unwrap();
    let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
    assert!(err.contains(".mcp.json") && err.contains("not a regular file"), "{err}");
    assert!(!repo.path.join(".claude").exists());
    std::fs::remove_dir(repo.path.join(".mcp.json")).unwrap();
    repo.write(".mcp.json", "{\"a\": \"\u{1b}]0;pwned\u{7}\" x}");
    let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("is not valid JSON"), "{err}");
}

#[test]
fn install_json_conforms_to_its_schema() {
    let schemas = serde_json::to_value(git_tasklist_core::view::schemas()).unwrap();
    let schema = &schemas["install"];
    let repo = TestRepo::new();
    for args in [
        &["install", "claude", "--dry-run"][..],
        &["install", "claude"],
        &["install", "codex", "--dry-run"],
        &["install", "codex", "--user"],
    ] {
        let out = repo.cmd().arg("--json").args(args).assert().success().get_output().clone();
        let text = stdout(&out);
        assert_eq!(text.lines().count(), 1, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        crate::test_json::conforms(&v, schema, &schema["$defs"], "install");
        assert_eq!(v["dry_run"], args.contains(&"--dry-run"));
        assert_eq!(v["files"][0]["diff"].is_string(), args.contains(&"--dry-run"), "{v}");
    }
}

#[test]
fn install_in_a_linked_worktree_writes_into_that_worktree() {
    let repo = TestRepo::with_work();
    let other = repo.root().join("other");
    repo.git(&["worktree", "add", "-q", "-b", "feature", other.to_str().unwrap()]);
    repo.cmd_in(&other).args(["install", "claude"]).assert().success();
    assert!(other.join(".claude/settings.json").is_file());
    assert!(other.join(".mcp.json").is_file());
    assert!(!repo.path.join(".mcp.json").exists());
}

#[test]
fn a_namespace_flag_is_refused_rather_than_silently_dropped() {
    let repo = TestRepo::new();
    let err = expect_error(repo.cmd().args(["--namespace", "refs/x", "install", "claude"]), 2);
    assert!(err.contains("git config tasklist.namespace"), "{err}");
    assert!(!repo.path.join(".mcp.json").exists());
}
