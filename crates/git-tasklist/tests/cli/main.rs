//! Integration tests: the real `git-tasklist` binary on real temp repositories,
//! checked with the real `git`.

// Helpers outside #[test] functions panic on failure by design.
#![allow(clippy::unwrap_used)]

mod agent_support;
mod board_support;
mod common;
mod mcp_support;
mod session_support;
mod test_add;
mod test_agents;
mod test_archive;
mod test_bad_input;
mod test_board;
mod test_browser;
mod test_claims;
mod test_claude_code;
mod test_claude_tasks;
mod test_codex;
mod test_concurrency;
mod test_create;
mod test_escape;
mod test_handoff;
mod test_help;
mod test_hook;
mod test_hostile;
mod test_hostile_remote;
mod test_hostile_repo;
mod test_housekeeping;
mod test_install;
mod test_install_safety;
mod test_json;
mod test_layers;
mod test_library;
mod test_log;
mod test_mcp;
mod test_mcp_claude;
mod test_namespace;
mod test_next;
mod test_order;
mod test_repo_kinds;
mod test_resolve;
mod test_resume;
mod test_sessions;
mod test_show;
mod test_signals;
mod test_snapshots;
mod test_store_edges;
mod test_sync;
mod test_templates;
mod test_terminal;
mod test_update;
mod test_verify;
mod test_watch;
mod test_wide_chars;
