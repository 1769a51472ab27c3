//! `install claude`: Claude Code's hooks, MCP server and skill, in a
//! project, the user's home or a plugin directory.

use std::path::PathBuf;

use super::error::InstallResult;
use super::files::{Bounds, Planned, plan_json, plan_text};
use super::json::{Json, entry, set};
use super::shell::{hook_command, runs_our_hook};
use super::skill::{PLUGIN_NAME, SERVER_NAME, SKILL_NAME, plugin_skill, skill};
use crate::agents::HookEvent;

/// Who the plugin says made it.
const PLUGIN_AUTHOR: &str = "git-tasklist contributors";
/// What the plugin and its hooks file say about themselves.
const DESCRIPTION: &str = "Resumable multi-session task lists in git: briefing at session start, automatic handoffs, MCP tools and the multi-session-orchestrator skill";

/// Where `install claude` writes.
#[derive(Debug, Clone)]
pub enum Claude {
    /// A project: `.claude/settings.json`, `.mcp.json`, `.claude/skills/` under its work tree.
    Project(PathBuf),
    /// The user: `~/.claude/settings.json`, `~/.claude.json`, `~/.claude/skills/`.
    User(PathBuf),
    /// A plugin directory: `.claude-plugin/plugin.json`, `hooks/hooks.json`, `.mcp.json`, `skills/`.
    Plugin(PathBuf),
}

/// Plans `install claude` into `dest` with `program` as the binary.
pub fn plan_claude(dest: &Claude, program: &str) -> InstallResult<Vec<Planned>> {
    let (settings, mcp, skill_path, b) = match dest {
        Claude::Project(root) => (
            root.join(".claude").join("settings.json"),
            root.join(".mcp.json"),
            root.join(".claude").join("skills").join(SKILL_NAME).join("SKILL.md"),
            Bounds::new(root, "the project's work tree")?,
        ),
        Claude::User(home) => (
            home.join(".claude").join("settings.json"),
            home.join(".claude.json"),
            home.join(".claude").join("skills").join(SKILL_NAME).join("SKILL.md"),
            Bounds::new(home, "your home directory")?,
        ),
        Claude::Plugin(dir) => {
            let b = Bounds::new(dir, "the plugin directory")?;
            let manifest = plan_json(&b, &dir.join(".claude-plugin").join("plugin.json"), |top| {
                set(top, "name", Json::str(PLUGIN_NAME));
                set(top, "version", Json::str(env!("CARGO_PKG_VERSION")));
                set(top, "description", Json::str(DESCRIPTION));
                set(top, "author", Json::object(vec![("name", Json::str(PLUGIN_AUTHOR))]));
                set(top, "license", Json::str(env!("CARGO_PKG_LICENSE")));
                Ok(())
            })?;
            let hooks = plan_json(&b, &dir.join("hooks").join("hooks.json"), |top| {
                entry(top, "description", || Json::str(DESCRIPTION));
                merge_hooks(top, program)
            })?;
            let mcp = plan_json(&b, &dir.join(".mcp.json"), |top| merge_mcp(top, program))?;
            let skill_path = dir.join("skills").join(SKILL_NAME).join("SKILL.md");
            let skill = plan_text(&b, &skill_path, plugin_skill(program)?)?;
            return Ok(vec![manifest, hooks, mcp, skill]);
        }
    };
    Ok(vec![
        plan_json(&b, &settings, |top| merge_hooks(top, program))?,
        plan_json(&b, &mcp, |top| merge_mcp(top, program))?,
        plan_text(&b, &skill_path, skill(program)?)?,
    ])
}

/// Adds (or corrects) our MCP server under `mcpServers`; other servers and
/// the other keys of ours (`env`, `alwaysLoad` …) stay.
fn merge_mcp(top: &mut Vec<(String, Json)>, program: &str) -> Result<(), String> {
    let servers = entry(top, "mcpServers", || Json::Object(Vec::new()));
    let kind = servers.kind();
    let servers = servers
        .as_object_mut()
        .ok_or_else(|| format!("\"mcpServers\" is {kind}, not an object"))?;
    let ours = entry(servers, SERVER_NAME, || Json::Object(Vec::new()));
    if ours.as_object_mut().is_none() {
        *ours = Json::Object(Vec::new());
    }
    if let Some(ours) = ours.as_object_mut() {
        set(ours, "command", Json::str(program));
        set(ours, "args", Json::Array(vec![Json::str("mcp")]));
    }
    Ok(())
}

/// Adds (or corrects) our handler for each [`HookEvent`] under `hooks`.
fn merge_hooks(top: &mut Vec<(String, Json)>, program: &str) -> Result<(), String> {
    let hooks = entry(top, "hooks", || Json::Object(Vec::new()));
    let kind = hooks.kind();
    let hooks =
        hooks.as_object_mut().ok_or_else(|| format!("\"hooks\" is {kind}, not an object"))?;
    for event in HookEvent::ALL {
        let (event, arg) = (event.claude_name(), event.arg());
        let groups = entry(hooks, event, || Json::Array(Vec::new()));
        let Json::Array(groups) = groups else {
            return Err(format!("\"hooks.{event}\" is {}, not an array", groups.kind()));
        };
        place_hook(groups, arg, program);
    }
    Ok(())
}

/// The handlers of a matcher group, when it has an array of them.
fn handlers_mut(group: &mut Json) -> Option<&mut Vec<Json>> {
    match group.as_object_mut()?.iter_mut().find(|(k, _)| k == "hooks") {
        Some((_, Json::Array(handlers))) => Some(handlers),
        _ => None,
    }
}

/// Whether a matcher group fires for every source of its event.
fn matches_all(group: &Json) -> bool {
    match group.get("matcher") {
        None => true,
        Some(m) => matches!(m.as_str(), Some("" | "*")),
    }
}

/// Makes one handler of ours run `PROGRAM hook ARG` in `groups`: the first
/// one found keeps its place (and any field a user added, like `timeout`)
/// when its group matches everything; other copies go, and so do groups
/// left empty by that. Without one, ours is appended as a group of its own.
fn place_hook(groups: &mut Vec<Json>, arg: &str, program: &str) {
    let command = hook_command(program, arg);
    let ours = |h: &Json| {
        h.get("command").and_then(Json::as_str).is_some_and(|c| runs_our_hook(c, arg, program))
            && h.get("type").is_none_or(|t| t.as_str() == Some("command"))
    };
    let mut found = Vec::new();
    for (gi, group) in groups.iter_mut().enumerate() {
        if let Some(handlers) = handlers_mut(group) {
            found.extend(
                handlers.iter().enumerate().filter(|(_, h)| ours(h)).map(|(hi, _)| (gi, hi)),
            );
        }
    }
    let canonical = Json::object(vec![(
        "hooks",
        Json::Array(vec![Json::object(vec![
            ("type", Json::str("command")),
            ("command", Json::str(&command)),
        ])]),
    )]);
    let Some(&(g0, h0)) = found.first() else {
        groups.push(canonical);
        return;
    };
    let keep = matches_all(&groups[g0]).then_some((g0, h0));
    // From the back, so the positions still to visit stay valid; a group
    // can only become empty at its last (lowest) removal.
    let mut emptied = Vec::new();
    for &(gi, hi) in found.iter().rev() {
        if Some((gi, hi)) == keep {
            continue;
        }
        if let Some(handlers) = handlers_mut(&mut groups[gi]) {
            handlers.remove(hi);
            if handlers.is_empty() {
                emptied.push(gi);
            }
        }
    }
    for gi in emptied {
        groups.remove(gi);
    }
    // Nothing before g0 was removed: it is the first group holding ours.
    match keep {
        Some(_) => {
            if let Some(handler) = handlers_mut(&mut groups[g0]).and_then(|h| h.get_mut(h0))
                && let Some(pairs) = handler.as_object_mut()
            {
                set(pairs, "type", Json::str("command"));
                set(pairs, "command", Json::str(&command));
            }
        }
        None => groups.insert(g0, canonical),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::error::InstallError;
    use super::super::files::{commit, stage_all};
    use super::*;

    #[test]
    fn hooks_are_placed_once_and_moved_binaries_replace_theirs() {
        let mut top = Vec::new();
        merge_hooks(&mut top, "/a/git-tasklist").unwrap();
        let once = Json::Object(top.clone());
        merge_hooks(&mut top, "/a/git-tasklist").unwrap();
        assert_eq!(Json::Object(top.clone()), once);
        merge_hooks(&mut top, "git-tasklist").unwrap();
        let text = Json::Object(top).to_pretty("  ", false);
        assert!(!text.contains("/a/git-tasklist"), "{text}");
        assert_eq!(text.matches("git-tasklist hook stop").count(), 1, "{text}");
    }

    #[test]
    fn a_hook_of_ours_in_a_group_with_a_matcher_moves_to_its_own_group() {
        let doc = Json::parse(
            r#"{"hooks": {"SessionStart": [{"matcher": "startup", "hooks": [
                {"type": "command", "command": "mine"},
                {"type": "command", "command": "git-tasklist hook session-start"}]}]}}"#,
        )
        .unwrap();
        let Json::Object(mut top) = doc else { panic!() };
        merge_hooks(&mut top, "git-tasklist").unwrap();
        let text = Json::Object(top).to_pretty("", false).replace('\n', "");
        assert!(
            text.contains(r#""SessionStart": [{"hooks": [{"type": "command","command": "git-tasklist hook session-start"}]},{"matcher": "startup","hooks": [{"type": "command","command": "mine"}]}]"#),
            "{text}"
        );
    }

    /// Every file under `dir` with its bytes.
    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_rename_that_fails_puts_back_the_files_renamed_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join(".claude")).unwrap();
        std::fs::write(root.join(".claude/settings.json"), "{\"model\": \"opus\"}\n").unwrap();
        let plans = plan_claude(&Claude::Project(root.clone()), "git-tasklist").unwrap();
        let changing: Vec<&Planned> = plans.iter().collect();
        let before = files(&root);
        let mut made = Vec::new();
        let staged = stage_all(&changing, &mut made).unwrap();
        assert!(!made.is_empty(), "the skill's directories were made");
        // Something takes .mcp.json's place between staging and renaming:
        // settings.json is renamed in first, then .mcp.json's rename fails.
        std::fs::create_dir(root.join(".mcp.json")).unwrap();
        std::fs::write(root.join(".mcp.json/in-the-way"), "x").unwrap();
        let err = commit(&changing, staged, &made).unwrap_err();
        assert!(matches!(&err, InstallError::Write { path, .. } if path.ends_with(".mcp.json")));
        std::fs::remove_dir_all(root.join(".mcp.json")).unwrap();
        assert_eq!(files(&root), before, "settings.json back, nothing staged or made left");
        assert!(!root.join(".claude/skills").exists());
    }
}
