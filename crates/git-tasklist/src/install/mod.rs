//! `install`: puts git-tasklist into an agent's configuration — Claude Code's
//! hooks, MCP server and skill (in a project, the user's home or a plugin
//! directory) and Codex's MCP server table. Planning is pure reading: every
//! file is read, merged and rendered before anything is written, so a file
//! that cannot be merged stops the whole install with nothing written.
//! Merging keeps every key we do not own, in its order; our hooks are found
//! by what they run (`… hook <event>`), so a second run changes nothing and a
//! moved binary replaces its old entries instead of adding new ones.

mod claude;
mod codex;
mod error;
mod files;
mod json;
mod shell;
mod skill;

pub use claude::{Claude, plan_claude};
pub use codex::{Codex, plan_codex};
pub use error::{InstallError, InstallResult};
pub use files::{Action, Planned, write};
pub use shell::{home, hook_command, program, program_for, runs_our_hook};
pub use skill::{
    AGENTS_TEMPLATE, PLUGIN_NAME, SERVER_NAME, SKILL_NAME, SKILL_TEMPLATE, agents_md, plugin_skill,
    skill,
};
