//! What the agent front ends share: who is working, the MCP tools' names and
//! Claude Code's hook events. The MCP server, the hooks and the installers
//! each take these from here, never from one another.
//!
//! The session: the MCP server, the hooks and the command line choose a
//! session id in one order, so that in a default `install claude` the server
//! Claude Code starts, its hooks and the model's shell commands are one
//! session: the tasks one starts are held by that session, the Stop reminder
//! names them, the automatic handoff records them.

use git_tasklist_core::model::session_ok;

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

/// The MCP tools' names, as clients call them (the server checks its router
/// against this list in a test): what the installers and the skill name.
pub const TOOLS: [&str; 8] = [
    "TaskListCreate",
    "TaskListGet",
    "TaskListList",
    "TaskCreate",
    "TaskUpdate",
    "TaskListResume",
    "TaskListVerify",
    "TaskListHandoff",
];

/// A Claude Code hook event that `git-tasklist hook EVENT` answers and
/// `install claude` registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    /// A session starts (or resumes, or is cleared).
    SessionStart,
    /// The model stops its turn.
    Stop,
    /// The context is about to be compacted.
    PreCompact,
    /// The session ends.
    SessionEnd,
    /// Claude Code's own task tools created a task.
    TaskCreated,
    /// Claude Code's own task tools completed a task.
    TaskCompleted,
}

impl HookEvent {
    /// Every event, in the order the installers write them.
    pub const ALL: [HookEvent; 6] = [
        HookEvent::SessionStart,
        HookEvent::Stop,
        HookEvent::PreCompact,
        HookEvent::SessionEnd,
        HookEvent::TaskCreated,
        HookEvent::TaskCompleted,
    ];

    /// Claude Code's name for it (`SessionStart` …), a key of its `hooks`.
    pub fn claude_name(self) -> &'static str {
        self.names().0
    }

    /// The argument of `git-tasklist hook` that answers it (`session-start` …).
    pub fn arg(self) -> &'static str {
        self.names().1
    }

    /// The event `hook ARG` answers, if any.
    pub fn from_arg(arg: &str) -> Option<HookEvent> {
        HookEvent::ALL.into_iter().find(|e| e.arg() == arg)
    }

    /// The one table of names.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            HookEvent::SessionStart => ("SessionStart", "session-start"),
            HookEvent::Stop => ("Stop", "stop"),
            HookEvent::PreCompact => ("PreCompact", "pre-compact"),
            HookEvent::SessionEnd => ("SessionEnd", "session-end"),
            HookEvent::TaskCreated => ("TaskCreated", "task-created"),
            HookEvent::TaskCompleted => ("TaskCompleted", "task-completed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_installed_hook_is_one_the_hook_command_answers() {
        let installed: Vec<&str> = HookEvent::ALL.iter().map(|e| e.arg()).collect();
        assert_eq!(
            installed,
            [
                "session-start",
                "stop",
                "pre-compact",
                "session-end",
                "task-created",
                "task-completed"
            ]
        );
        for e in HookEvent::ALL {
            assert_eq!(HookEvent::from_arg(e.arg()), Some(e), "{e:?}");
        }
        assert_eq!(HookEvent::from_arg("SessionStart"), None);
    }
}
