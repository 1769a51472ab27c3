//! Helpers for the multi-session tests: commands run as a given session,
//! the seed scenario's first session, and commits written behind the tool's
//! back with git plumbing.

use crate::common::{TestRepo, created_id, stdout};

/// The note session 1 leaves in the seed scenario.
pub const NOTE: &str = "models done; queries in src/db/ next";

/// The binary run as session `session` on list `id`, given only through the
/// environment (`TASKLIST_ID`, `TASKLIST_SESSION`), like a fresh process that
/// knows nothing but the id.
pub fn as_session(repo: &TestRepo, session: &str, id: &str) -> assert_cmd::Command {
    let mut c = repo.cmd();
    c.env("TASKLIST_ID", id).env("TASKLIST_SESSION", session);
    c
}

/// Runs the command, asserts exit code `code` and returns stdout.
pub fn run_code(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    stdout(&out)
}

/// Session 1 of the seed scenario: creates "Database migration" from the
/// `migration` template, completes `database-migration` (with a note), starts
/// `application-migration` and hands off with [`NOTE`]. Returns the list id
/// and what `handoff` printed.
pub fn session_one(repo: &TestRepo) -> (String, String) {
    let id = created_id(repo.cmd().env("TASKLIST_SESSION", "s1").args([
        "create",
        "Database migration",
        "--template",
        "migration",
    ]));
    as_session(repo, "s1", &id).args(["start", "database-migration"]).assert().success();
    as_session(repo, "s1", &id)
        .args(["done", "database-migration", "--note", "schema v2 applied"])
        .assert()
        .success();
    as_session(repo, "s1", &id).args(["start", "application-migration"]).assert().success();
    let doc = run_code(as_session(repo, "s1", &id).args(["handoff", "--note", NOTE]), 0);
    (id, doc)
}

/// `git ls-tree` of the list's tip with `tasklist.toml` replaced by `content`
/// (other entries such as `HANDOFF.md` kept), written as a commit on top of the
/// tip with plain git plumbing (no `Op:` trailer) and published with
/// `update-ref NEW OLD`. Returns the new commit id.
pub fn commit_behind_back(repo: &TestRepo, id: &str, content: &str, message: &str) -> String {
    let r = format!("refs/tasklists/{id}");
    let old = repo.tip(id);
    let blob = repo.git_stdin(&["hash-object", "-w", "--stdin"], content.as_bytes());
    let mut entries = String::new();
    for line in repo.git(&["ls-tree", &old]).lines() {
        let (meta, name) = line.split_once('\t').unwrap();
        if name == "tasklist.toml" {
            entries.push_str(&format!("100644 blob {}\ttasklist.toml\n", blob.trim()));
        } else {
            entries.push_str(&format!("{meta}\t{name}\n"));
        }
    }
    let tree = repo.git_stdin(&["mktree"], entries.as_bytes());
    let new = repo.git(&["commit-tree", tree.trim(), "-p", &old, "-m", message]);
    let new = new.trim().to_string();
    repo.git(&["update-ref", &r, &new, &old]);
    new
}

/// `tasklist.toml` text with the `status` of task `task` set to `status`
/// (the first `status = …` line after the task's `id = …` line).
pub fn with_status(toml: &str, task: &str, status: &str) -> String {
    let id_line = format!("id = \"{task}\"");
    let mut in_task = false;
    let mut done = false;
    let mut out = String::new();
    for line in toml.lines() {
        if line == id_line {
            in_task = true;
        }
        if in_task && !done && line.starts_with("status = ") {
            out.push_str(&format!("status = \"{status}\"\n"));
            done = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(done, "task {task} has no status line in:\n{toml}");
    out
}

/// The `Session:` trailers of every commit on a ref, newest first.
pub fn session_trailers(repo: &TestRepo, rev: &str) -> Vec<String> {
    repo.git(&["log", "--format=%(trailers:key=Session,valueonly,separator=%x2C)", rev])
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}
