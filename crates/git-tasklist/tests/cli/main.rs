//! Integration tests: the real `git-tasklist` binary on real temp repositories,
//! checked with the real `git`.

// Helpers outside #[test] functions panic on failure by design.
#![allow(clippy::unwrap_used)]

mod agent_support;
mod board_support;
mod common;
mod mcp_support;
mod session_support;
mod snapshot_support;
mod test_accept;
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
mod test_continued;
mod test_create;
mod test_escape;
mod test_handoff;
mod test_help;
mod test_hints;
mod test_hook;
mod test_hostile;
mod test_hostile_remote;
mod test_hostile_repo;
mod test_housekeeping;
mod test_index;
mod test_install;
mod test_install_safety;
mod test_json;
mod test_layers;
mod test_leftovers;
mod test_library;
mod test_library_words;
mod test_log;
mod test_mcp;
mod test_mcp_claude;
mod test_namespace;
mod test_next;
mod test_order;
mod test_repo_formats;
mod test_repo_kinds;
mod test_resolve;
mod test_resume;
mod test_sessions;
mod test_show;
mod test_signals;
mod test_snapshots;
mod test_store_edges;
mod test_sync;
mod test_sync_batches;
mod test_templates;
mod test_terminal;
mod test_update;
mod test_verify;
mod test_watch;
mod test_wide_chars;

/// Every `test_*.rs` and `*_support.rs` file here is a module of this binary:
/// one left out of the list above would never be compiled or run, silently.
#[test]
fn every_test_file_is_a_module_of_the_test_binary() {
    use std::collections::BTreeSet;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    let wanted = |name: &str| name.starts_with("test_") || name.ends_with("_support");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let modules: BTreeSet<String> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .filter(|m| wanted(m))
        .map(String::from)
        .collect();
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".rs").map(String::from))
        .filter(|name| wanted(name))
        .collect();
    let forgotten: Vec<&String> = files.difference(&modules).collect();
    assert!(forgotten.is_empty(), "not a `mod` in tests/cli/main.rs, so never run: {forgotten:?}");
    assert_eq!(files, modules, "tests/cli/main.rs and the directory disagree");
}
