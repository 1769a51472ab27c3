//! What the agent front ends share: who is working. The MCP server, the
//! hooks and the command line choose a session id in one order, so that in
//! a default `install claude` the server Claude Code starts, its hooks and
//! the model's shell commands are one session: the tasks one starts are
//! held by that session, the Stop reminder names them, the automatic
//! handoff records them.

use crate::model::session_ok;

/// The variable Claude Code sets for the MCP servers and hooks it starts:
/// its session id (equal to the hooks' `session_id`).
pub const CLAUDE_SESSION_VAR: &str = "CLAUDE_CODE_SESSION_ID";

/// The session to act as: `given` (`--session`, else `TASKLIST_SESSION`),
/// else Claude Code's session id ([`CLAUDE_SESSION_VAR`]), else `own` (a
/// hook's `session_id`); the first that is a valid session id. `None`: the
/// MCP server then makes one from its client's name and start time.
pub fn session(given: Option<&str>, own: Option<&str>) -> Option<String> {
    let claude = std::env::var(CLAUDE_SESSION_VAR).ok();
    [given, claude.as_deref(), own].into_iter().flatten().find(|s| session_ok(s)).map(String::from)
}
