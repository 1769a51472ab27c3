//! `install` and the files around it: symlinks never carry a write outside
//! the project (or HOME), an install is all or nothing, and the user's
//! bytes — numbers, escapes, CRLF, a BOM, order, spacing — stay as written.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{TestRepo, expect_error, stdout};
use crate::test_install::{program, read};

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Every file under `dir` (following nothing), with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                todo.push(p);
            } else if m.file_type().is_symlink() {
                out.push((
                    p.clone(),
                    std::fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes(),
                ));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A relative symlink at `link` to `to`, as a repository would ship it
/// (`../../../../tmp/…/bashrc`).
#[cfg(unix)]
fn relative_link(to: &Path, link: &Path) {
    let depth = link.parent().unwrap().components().count() - 1;
    let up = "../".repeat(depth);
    let rel = format!("{up}{}", to.strip_prefix("/").unwrap().display());
    std::os::unix::fs::symlink(rel, link).unwrap();
}

#[cfg(unix)]
#[test]
fn a_symlinked_skill_is_replaced_and_its_target_left_alone() {
    let repo = TestRepo::new();
    let bashrc = repo.root().join("bashrc");
    let mine = b"export PATH=$HOME/bin:$PATH\n# mine\n";
    std::fs::write(&bashrc, mine).unwrap();
    let dir = repo.path.join(".claude/skills/multi-session-orchestrator");
    std::fs::create_dir_all(&dir).unwrap();
    let skill = dir.join("SKILL.md");
    relative_link(&bashrc, &skill);
    assert_eq!(std::fs::read(&skill).unwrap(), mine, "the link reaches the file");
    // A dry run shows the link being replaced, and not the target's content.
    let out = repo.cmd().args(["install", "claude", "--dry-run"]).assert().success();
    let text = stdout(out.get_output());
    assert!(text.contains("a symlink to ../"), "{text}");
    assert!(!text.contains("# mine"), "{text}");
    repo.cmd().args(["install", "claude"]).assert().success();
    assert_eq!(std::fs::read(&bashrc).unwrap(), mine, "the link's target changed");
    assert!(!is_link(&skill), "SKILL.md is still a symlink");
    assert!(read(&skill).contains("name: multi-session-orchestrator"));
    // Idempotent from there on.
    let out = repo.cmd().args(["install", "claude"]).assert().success();
    assert!(stdout(out.get_output()).contains(&format!("unchanged {}", skill.display())));
}

#[cfg(unix)]
#[test]
fn a_symlinked_claude_dir_leading_outside_is_refused_and_nothing_is_written() {
    let repo = TestRepo::new();
    let elsewhere = repo.root().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("settings.json"), "{\"theirs\": 1}\n").unwrap();
    relative_link(&elsewhere, &repo.path.join(".claude"));
    let before = tree(&elsewhere);
    let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
    let settings = repo.path.join(".claude/settings.json");
    assert!(err.contains(&settings.display().to_string()), "names the file: {err}");
    assert!(
        err.contains(&format!("leads to {}", elsewhere.join("settings.json").display())),
        "names where it points: {err}"
    );
    assert!(err.contains("outside the project's work tree"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(tree(&elsewhere), before);
    assert!(!repo.path.join(".mcp.json").exists());
    // The skill alone would also have gone there: refused the same way.
    std::fs::remove_file(elsewhere.join("settings.json")).unwrap();
    std::fs::remove_file(repo.path.join(".claude")).unwrap();
    std::fs::create_dir(repo.path.join(".claude")).unwrap();
    relative_link(&elsewhere, &repo.path.join(".claude/skills"));
    let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
    assert!(err.contains("SKILL.md leads to"), "{err}");
    assert!(tree(&elsewhere).is_empty());
    assert!(!repo.path.join(".claude/settings.json").exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_mcp_json_leading_outside_is_refused() {
    let repo = TestRepo::new();
    let target = repo.root().join("outside.json");
    std::fs::write(&target, "{\"mcpServers\": {}}").unwrap();
    relative_link(&target, &repo.path.join(".mcp.json"));
    let out = repo.cmd().args(["--json", "install", "claude"]).assert().code(1);
    let e: Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    let msg = e["error"].as_str().unwrap();
    assert!(msg.contains(".mcp.json leads to") && msg.contains("outside.json"), "{msg}");
    assert!(e["hint"].as_str().unwrap().contains("symlink"), "{e}");
    assert_eq!(read(&target), "{\"mcpServers\": {}}");
    assert!(!repo.path.join(".claude").exists());
    // A dry run is refused the same way: the file is not even read.
    std::fs::write(&target, "{\"secret\": \"s3cr3t\"}").unwrap();
    let out = repo.cmd().args(["install", "claude", "--dry-run"]).assert().code(1);
    assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains("s3cr3t"));
}

#[cfg(unix)]
#[test]
fn symlinks_that_stay_inside_the_project_are_followed() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path.join("config/claude")).unwrap();
    std::fs::write(repo.path.join("config/mcp.json"), "{\"other\": true}\n").unwrap();
    std::os::unix::fs::symlink("config/mcp.json", repo.path.join(".mcp.json")).unwrap();
    std::os::unix::fs::symlink("config/claude", repo.path.join(".claude")).unwrap();
    repo.cmd().args(["install", "claude"]).assert().success();
    assert!(is_link(&repo.path.join(".mcp.json")) && is_link(&repo.path.join(".claude")));
    let mcp: Value = serde_json::from_str(&read(&repo.path.join("config/mcp.json"))).unwrap();
    assert_eq!(mcp["other"], true);
    assert_eq!(mcp["mcpServers"]["tasklist"]["args"], serde_json::json!(["mcp"]));
    assert!(repo.path.join("config/claude/settings.json").is_file());
    assert!(repo.path.join("config/claude/skills/multi-session-orchestrator/SKILL.md").is_file());
}

#[cfg(unix)]
#[test]
fn user_installs_follow_symlinks_inside_home_only() {
    let repo = TestRepo::new();
    let home = repo.home();
    // Inside HOME (a dotfiles repository in ~/dotfiles): followed.
    std::fs::create_dir(home.join("dotfiles")).unwrap();
    std::fs::write(home.join("dotfiles/claude.json"), "{\"userID\": \"abc\"}\n").unwrap();
    std::os::unix::fs::symlink("dotfiles/claude.json", home.join(".claude.json")).unwrap();
    repo.cmd().args(["install", "claude", "--user"]).assert().success();
    assert!(is_link(&home.join(".claude.json")));
    let v: Value = serde_json::from_str(&read(&home.join("dotfiles/claude.json"))).unwrap();
    assert_eq!(v["mcpServers"]["tasklist"]["command"], program());
    // Outside HOME: refused, for Claude Code and for Codex.
    let outside = repo.root().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("config.toml"), "model = \"o3\"\n").unwrap();
    std::os::unix::fs::symlink(&outside, home.join(".codex")).unwrap();
    let err = expect_error(repo.cmd().args(["install", "codex", "--user"]), 1);
    assert!(err.contains("outside your home directory"), "{err}");
    assert_eq!(read(&outside.join("config.toml")), "model = \"o3\"\n");
    std::fs::remove_file(home.join(".claude.json")).unwrap();
    std::fs::write(outside.join("claude.json"), "{}").unwrap();
    std::os::unix::fs::symlink(outside.join("claude.json"), home.join(".claude.json")).unwrap();
    let before = tree(&home.join(".claude"));
    let err = expect_error(repo.cmd().args(["install", "claude", "--user"]), 1);
    assert!(err.contains(".claude.json leads to") && err.contains("outside your home"), "{err}");
    assert_eq!(read(&outside.join("claude.json")), "{}");
    assert_eq!(tree(&home.join(".claude")), before);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_in_the_way_is_refused() {
    let repo = TestRepo::new();
    std::os::unix::fs::symlink("/nonexistent/place", repo.path.join(".claude")).unwrap();
    let err = expect_error(repo.cmd().args(["install", "claude"]), 1);
    assert!(err.contains("symlink to a file that does not exist"), "{err}");
    assert!(!repo.path.join(".mcp.json").exists());
}

/// `install claude` in `repo` with writes over `kib` KiB failing with
/// EFBIG (RLIMIT_FSIZE, which binds root too; SIGXFSZ ignored, as the
/// ignored disposition survives exec).
#[cfg(unix)]
fn install_with_file_size_limit(repo: &TestRepo, kib: u32) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("git-tasklist");
    std::process::Command::new("bash")
        .args(["-c", &format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" install claude")])
        .arg(bin)
        .current_dir(&repo.path)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", repo.home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn a_failure_while_writing_leaves_no_half_install() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".claude")).unwrap();
    repo.write(".claude/settings.json", "{\"model\": \"opus\"}\n");
    let before = tree(&repo.path);
    // settings.json and .mcp.json fit in 4 KiB; the skill does not, and is
    // written last: the two before it were staged already.
    let out = install_with_file_size_limit(&repo, 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("Cannot write") && err.contains("SKILL.md"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(tree(&repo.path), before, "a file, a temporary file or a directory was left");
    // Without the limit the same install goes through.
    repo.cmd().args(["install", "claude"]).assert().success();
    assert!(repo.path.join(".claude/skills/multi-session-orchestrator/SKILL.md").is_file());
}

#[test]
fn json_files_keep_every_byte_we_do_not_change() {
    let repo = TestRepo::new();
    let original = "\u{feff}{\r\n\t\"numbers\": [12345678901234567890123, 0.1000000000000000055511151231257827, 1E+2, -0.0],\r\n\t\"esc\" : \"\\u00e9\\/\\ud83d\\ude00\",\r\n\t\"mcpServers\": {\r\n\t\t\"other\": {\"command\": \"x\",   \"args\": []}\r\n\t},\r\n\t\"z\": 1\r\n}\r\n";
    repo.write(".mcp.json", original);
    repo.cmd().args(["install", "claude"]).assert().success();
    let ours = format!(
        ",\r\n\t\t\"tasklist\": {{\r\n\t\t\t\"command\": \"{}\",\r\n\t\t\t\"args\": [\r\n\t\t\t\t\"mcp\"\r\n\t\t\t]\r\n\t\t}}",
        program()
    );
    let at = original.find("[]}").unwrap() + 3;
    let expected = format!("{}{ours}{}", &original[..at], &original[at..]);
    assert_eq!(read(&repo.path.join(".mcp.json")), expected);

    // A settings file on one line with our hooks half there: the user's
    // handler fields and everything around stay as written.
    let settings = r#"{"n":1.50,"hooks":{"Stop":[{"hooks":[{"type":"command","command":"/old/git-tasklist hook stop","timeout":1e1}]}]},"big":12345678901234567890123}"#;
    repo.write(".claude/settings.json", settings);
    repo.cmd().args(["install", "claude"]).assert().success();
    let text = read(&repo.path.join(".claude/settings.json"));
    assert!(
        text.starts_with(&format!(
            "{{\"n\":1.50,\"hooks\":{{\"Stop\":[{{\"hooks\":[{{\"type\":\"command\",\"command\":\"{} hook stop\",\"timeout\":1e1}}]}}]",
            program()
        )),
        "{text}"
    );
    assert!(text.ends_with("]},\"big\":12345678901234567890123}"), "{text}");
    assert!(!text.contains('\n'), "a one-line file stays on one line: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["hooks"]["SessionStart"][0]["hooks"][0]["type"], "command");
    // And a second run changes nothing.
    let again = [read(&repo.path.join(".mcp.json")), text];
    repo.cmd().args(["install", "claude"]).assert().success();
    assert_eq!(
        again,
        [read(&repo.path.join(".mcp.json")), read(&repo.path.join(".claude/settings.json"))]
    );
}

#[test]
fn toml_files_keep_crlf_a_bom_and_every_byte_we_do_not_change() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path.join(".codex")).unwrap();
    let original = "\u{feff}# mine\r\nmodel = \"o3\"   # the model\r\nratio = 1.50\r\nbig = 9223372036854775807\r\n\r\n[profiles.fast]\r\nmodel = \"o4-mini\"\r\n";
    repo.write(".codex/config.toml", original);
    repo.cmd().args(["install", "codex"]).assert().success();
    let text = read(&repo.path.join(".codex/config.toml"));
    let expected = format!(
        "{original}\r\n[mcp_servers.tasklist]\r\ncommand = \"{}\"\r\nargs = [\"mcp\"]\r\n",
        program()
    );
    assert_eq!(text, expected);
    // Our table already there with an old command: that line alone changes.
    let moved = "\u{feff}[mcp_servers.tasklist]\r\ncommand = \"/old\"  # moved\r\nargs = [\"mcp\"]\r\nx = 1.50\r\n";
    repo.write(".codex/config.toml", moved);
    repo.cmd().args(["install", "codex"]).assert().success();
    let text = read(&repo.path.join(".codex/config.toml"));
    assert_eq!(text, moved.replace("\"/old\"", &format!("\"{}\"", program())));
}
