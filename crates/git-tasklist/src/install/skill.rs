//! The skill (`SKILL.md`) and the `AGENTS.md` section: the shipped
//! templates, rendered with the program and the MCP tools' names as the
//! agent calls them.

use git_tasklist_core::text::shell_quote;

use super::error::{InstallError, InstallResult};
use crate::agents::TOOLS;

/// The skill's name (its directory under `skills/`).
pub const SKILL_NAME: &str = "multi-session-orchestrator";
/// The plugin's name (`install claude --plugin`).
pub const PLUGIN_NAME: &str = "git-tasklist";
/// The name of our MCP server in every configuration.
pub const SERVER_NAME: &str = "tasklist";
/// The skill's template.
pub const SKILL_TEMPLATE: &str = include_str!("../../templates/skill.md");
/// The `AGENTS.md` section's template.
pub const AGENTS_TEMPLATE: &str = include_str!("../../templates/agents.md");

/// What the templates are rendered with.
#[derive(serde::Serialize)]
struct Context {
    /// The program as a shell word.
    bin: String,
    /// The MCP tools by our name for them, as Claude Code names them.
    tools: std::collections::BTreeMap<&'static str, String>,
    /// The MCP server's name.
    server: &'static str,
}

/// What Claude Code calls our MCP tools: `mcp__<server>__<Tool>` for a
/// server in a settings file, `mcp__plugin_<plugin>_<server>__<Tool>` for a
/// plugin's.
fn tool_prefix(plugin: bool) -> String {
    if plugin {
        format!("mcp__plugin_{PLUGIN_NAME}_{SERVER_NAME}__")
    } else {
        format!("mcp__{SERVER_NAME}__")
    }
}

fn context(program: &str, plugin: bool) -> Context {
    let prefix = tool_prefix(plugin);
    let tools = TOOLS.into_iter().map(|t| (t, format!("{prefix}{t}"))).collect();
    Context { bin: shell_quote(program), tools, server: SERVER_NAME }
}

fn render(name: &'static str, source: &str, program: &str, plugin: bool) -> InstallResult<String> {
    let fail = |e: minijinja::Error| InstallError::Render { name, detail: e.to_string() };
    let mut env = minijinja::Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(fail)?;
    env.set_syntax(syntax);
    env.add_template(name, source).map_err(fail)?;
    env.get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(context(program, plugin))))
        .map_err(fail)
}

/// The skill (`SKILL.md`), for `program`.
pub fn skill(program: &str) -> InstallResult<String> {
    render("skill.md", SKILL_TEMPLATE, program, false)
}

/// The skill of the plugin (`install claude --plugin`), for `program`: the
/// same, with the tools named as Claude Code names a plugin's.
pub fn plugin_skill(program: &str) -> InstallResult<String> {
    render("skill.md", SKILL_TEMPLATE, program, true)
}

/// The `AGENTS.md` section, for `program`.
pub fn agents_md(program: &str) -> InstallResult<String> {
    render("agents.md", AGENTS_TEMPLATE, program, false)
}
