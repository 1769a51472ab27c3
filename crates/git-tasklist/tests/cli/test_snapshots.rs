//! Snapshots of the text output of `handoff`, `resume` and `verify` (passing
//! and failing) in the seed scenario, compared with `tests/cli/snapshots/*.txt`
//! after redacting ids, commit ids, times and temp paths. Rewrite them with
//! `UPDATE_SNAPSHOTS=1 cargo test --test cli snapshot`.

use std::path::Path;

use crate::common::TestRepo;
use crate::session_support::{
    as_session, assert_snapshot, commit_behind_back, redact, run_code, session_one, with_status,
};

/// Redacts and checks that nothing run-specific is left.
fn clean(repo: &TestRepo, id: &str, text: &str) -> String {
    let out = redact(text, &[repo.root()]);
    assert!(!out.contains(id) && !out.contains(&id[..8]), "id left in:\n{out}");
    for c in repo.git(&["rev-list", "--all"]).lines() {
        assert!(!out.contains(&c[..7]), "commit {c} left in:\n{out}");
    }
    assert!(!out.contains(repo.root().to_str().unwrap()), "temp path left in:\n{out}");
    out
}

#[test]
fn snapshot_seed_scenario_outputs() {
    let repo = TestRepo::new();
    let (id, doc) = session_one(&repo);
    assert_snapshot("handoff", &clean(&repo, &id, &doc));

    let resume = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    assert_snapshot("resume", &clean(&repo, &id, &resume));

    let verify = run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "database-migration=completed"]),
        0,
    );
    assert_snapshot("verify_pass", &clean(&repo, &id, &verify));

    let toml = with_status(&repo.file_at(&id), "database-migration", "pending");
    commit_behind_back(&repo, &id, &toml, "Reset database-migration by hand");
    let verify = run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "database-migration=completed"]),
        5,
    );
    assert_snapshot("verify_fail", &clean(&repo, &id, &verify));

    let resume = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    assert_snapshot("resume_fail", &clean(&repo, &id, &resume));
}

#[test]
fn redaction_replaces_what_varies_and_nothing_else() {
    let id = "01a20e09-7eb9-749a-9c29-23cae57919e8";
    let full = "08e937378b29c3306388683804607a8109e36601";
    let input = format!(
        "id {id} · `{id}`\n\
         on 08e937378b29) and commit {full}: x\n\
         c732a45 Database migration: handoff\n\
         at 2026-11-24T14:50:33Z by s1\n\
         \x20 2026-11-24 14:50  s1  Create 'Database migration'\n\
         written to /tmp/root/x/notes.md\n\
         keep: deadbeef facade added accede 1/3 2026 12:34 abc1234x sha-{full}9\n"
    );
    let got = redact(&input, &[Path::new("/tmp/root")]);
    let want = format!(
        "id <ID> · `<ID>`\n\
         on <COMMIT>) and commit <COMMIT>: x\n\
         <COMMIT> Database migration: handoff\n\
         at <TIME> by s1\n\
         \x20 <TIME>  s1  Create 'Database migration'\n\
         written to <TMP>/x/notes.md\n\
         keep: deadbeef facade added accede 1/3 2026 12:34 abc1234x sha-{full}9\n"
    );
    assert_eq!(got, want);
}

#[test]
fn snapshot_mismatch_fails_with_a_diff() {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        return; // would overwrite the file with the wrong text
    }
    let err = std::panic::catch_unwind(|| assert_snapshot("verify_pass", "something else\n"))
        .expect_err("a wrong snapshot passed");
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("   1 + something else"), "{msg}");
    assert!(msg.contains("   1 - Verifying"), "{msg}");
    assert!(msg.contains("UPDATE_SNAPSHOTS=1"), "{msg}");
}

/// The help texts: drift in what users read is reviewed, not accidental.
#[test]
fn snapshot_help_texts() {
    let repo = TestRepo::new();
    let mut all = String::new();
    for cmd in [
        &[][..],
        &["create"],
        &["update"],
        &["start"],
        &["done"],
        &["block"],
        &["resume"],
        &["verify"],
        &["handoff"],
    ] {
        let out = repo.cmd().args(cmd).arg("--help").assert().success().get_output().clone();
        all.push_str(&format!("$ git tasklist {} --help\n", cmd.join(" ")));
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push('\n');
    }
    assert_snapshot("help", &all);
}

/// The error output users and agents see most: message, hint, exit code.
#[test]
fn snapshot_error_output() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let mut all = String::new();
    for args in [
        vec!["show", "nope"],
        vec!["next"],
        vec!["-l", &id, "update", "zz", "--status", "done"],
        vec!["-l", &id, "update", "a", "--status", "pending"],
        vec!["-l", &id, "update", "b", "--status", "finito"],
        vec!["-l", &id, "add", "../x"],
        vec!["--json", "-l", &id, "start", "a"],
    ] {
        let out = repo.cmd().args(&args).output().unwrap();
        all.push_str(&format!(
            "$ git tasklist {}\nexit {}\n{}\n",
            args.join(" "),
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    assert_snapshot("errors", &clean(&repo, &id, &all));
}
