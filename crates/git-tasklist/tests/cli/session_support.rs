//! Helpers for the multi-session tests: commands run as a given session,
//! the seed scenario's first session, commits written behind the tool's back
//! with git plumbing, and snapshot files with redaction.

use std::path::Path;

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

// ---------------------------------------------------------------- snapshots

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `s` starts with `pat`, where in `pat` `h` is a lowercase hex digit,
/// `d` a decimal digit, and any other character itself.
fn starts_with_pattern(s: &[char], pat: &str) -> bool {
    let pat: Vec<char> = pat.chars().collect();
    s.len() >= pat.len()
        && pat.iter().zip(s).all(|(p, c)| match p {
            'h' => c.is_ascii_digit() || ('a'..='f').contains(c),
            'd' => c.is_ascii_digit(),
            p => p == c,
        })
}

/// Replaces what varies between runs: temp paths (`<TMP>`), UUIDs (`<ID>`),
/// times `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DD HH:MM` (`<TIME>`) and commit
/// ids (`<COMMIT>`: a whole word of 7 to 40 lowercase hex digits that is 12 or
/// 40 long or holds a decimal digit, so English words are left alone).
pub fn redact(text: &str, paths: &[&Path]) -> String {
    let mut text = text.to_string();
    for p in paths {
        text = text.replace(p.to_str().unwrap(), "<TMP>");
    }
    const UUID: &str = "hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh";
    const TIMES: [&str; 2] = ["dddd-dd-ddTdd:dd:ddZ", "dddd-dd-dd dd:dd"];
    let s: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < s.len() {
        let at_start = i == 0 || !is_word(s[i - 1]);
        let ends_word = |n: usize| i + n == s.len() || !is_word(s[i + n]);
        if at_start {
            if starts_with_pattern(&s[i..], UUID) && ends_word(UUID.len()) {
                out.push_str("<ID>");
                i += UUID.len();
                continue;
            }
            if let Some(p) = TIMES.iter().find(|p| starts_with_pattern(&s[i..], p)) {
                out.push_str("<TIME>");
                i += p.len();
                continue;
            }
            let n = s[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || ('a'..='f').contains(*c))
                .count();
            let digit = s[i..i + n].iter().any(char::is_ascii_digit);
            if (7..=40).contains(&n) && ends_word(n) && (n == 12 || n == 40 || digit) {
                out.push_str("<COMMIT>");
                i += n;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// Compares `actual` with `tests/cli/snapshots/<name>.txt`; with
/// `UPDATE_SNAPSHOTS=1` rewrites the file instead.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "snapshot {} cannot be read ({e}); create it with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    let (exp, act): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut diff = String::new();
    for n in 0..exp.len().max(act.len()) {
        let (e, a) = (exp.get(n), act.get(n));
        if e != a {
            if let Some(e) = e {
                diff.push_str(&format!("{:>4} - {e}\n", n + 1));
            }
            if let Some(a) = a {
                diff.push_str(&format!("{:>4} + {a}\n", n + 1));
            }
        }
    }
    if diff.is_empty() {
        diff.push_str("(the lines are equal; the files differ in trailing newlines)\n");
    }
    panic!(
        "snapshot {name} differs from {} (- expected, + actual; rerun with UPDATE_SNAPSHOTS=1 to accept):\n{diff}\n--- actual ---\n{actual}",
        path.display()
    );
}
