//! Snapshots of the text users read: the help texts (`snapshots/help/`), the
//! error output (`snapshots/errors/`) and what `handoff`, `resume` and `verify`
//! (passing and failing) print in the seed scenario (`snapshots/seed/`), one
//! file per command, redacted as `snapshot_support` says. Rewrite them with
//! `SNAPSHOTS=overwrite cargo test --test cli snapshot` and review `git diff`.

use std::path::Path;

use snapbox::assert::Action;

use crate::common::TestRepo;
use crate::session_support::{as_session, commit_behind_back, run_code, session_one, with_status};
use crate::snapshot_support::{SnapshotFiles, compare, redact, snapshots_dir};

#[test]
fn snapshot_seed_scenario_outputs() {
    let repo = TestRepo::new();
    let mut snapshots = SnapshotFiles::of_repo("seed", &repo);
    let (id, doc) = session_one(&repo);
    snapshots.check("handoff.txt", &doc);

    let resume = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    snapshots.check("resume.txt", &resume);

    let verify = run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "database-migration=completed"]),
        0,
    );
    snapshots.check("verify_pass.txt", &verify);

    let toml = with_status(&repo.file_at(&id), "database-migration", "pending");
    commit_behind_back(&repo, &id, &toml, "Reset database-migration by hand");
    let verify = run_code(
        as_session(&repo, "s2", &id).args(["verify", "--expect", "database-migration=completed"]),
        5,
    );
    snapshots.check("verify_fail.txt", &verify);

    let resume = run_code(as_session(&repo, "s2", &id).arg("resume"), 0);
    snapshots.check("resume_fail.txt", &resume);
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

/// A snapshot that differs fails with a line diff naming the file, and an
/// inserted line shows as one added line, not as every later line changed.
#[test]
fn snapshot_mismatch_fails_with_a_diff() {
    let file = snapshots_dir().join("seed/verify_pass.txt");
    let want = std::fs::read_to_string(&file).unwrap();
    assert!(want.starts_with("Verifying"), "{want}");
    // Always compared here, whatever SNAPSHOTS says: this must never write.
    let msg = compare(&file, "something else\n", Action::Verify).expect_err("a wrong text passed");
    assert!(msg.contains("snapshots/seed/verify_pass.txt"), "the file is named: {msg}");
    assert!(msg.contains("+ something else"), "{msg}");
    assert!(msg.contains("1      - Verifying"), "{msg}");
    assert!(msg.contains("SNAPSHOTS=overwrite"), "{msg}");
    let inserted = format!("an inserted line\n{want}");
    let msg = compare(&file, &inserted, Action::Verify).expect_err("an inserted line passed");
    let changed: Vec<&str> = msg
        .lines()
        .filter(|l| l.get(10..12).is_some_and(|sign| sign == "+ " || sign == "- "))
        .collect();
    assert_eq!(changed, ["        1 + an inserted line"], "{msg}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), want, "the file was written");
}

/// The help texts, one file per command: drift in what users read is
/// reviewed, not accidental.
#[test]
fn snapshot_help_texts() {
    let repo = TestRepo::new();
    let mut snapshots = SnapshotFiles::new("help");
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
        let text = format!(
            "$ git tasklist {} --help\n{}",
            cmd.join(" "),
            String::from_utf8_lossy(&out.stdout)
        );
        snapshots.check(&format!("{}.txt", cmd.first().unwrap_or(&"git-tasklist")), &text);
    }
}

/// The error output users and agents see most: message, hint, exit code,
/// one file per case.
#[test]
fn snapshot_error_output() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let mut snapshots = SnapshotFiles::of_repo("errors", &repo);
    for (name, args) in [
        ("list_not_found", vec!["show", "nope"]),
        ("no_list_given", vec!["next"]),
        ("task_not_found", vec!["-l", &id, "update", "zz", "--status", "done"]),
        ("needs_reopen", vec!["-l", &id, "update", "a", "--status", "pending"]),
        ("unknown_status", vec!["-l", &id, "update", "b", "--status", "finito"]),
        ("bad_task_id", vec!["-l", &id, "add", "../x"]),
        ("needs_reopen_json", vec!["--json", "-l", &id, "start", "a"]),
    ] {
        let out = repo.cmd().args(&args).output().unwrap();
        let text = format!(
            "$ git tasklist {}\nexit {}\n{}",
            args.join(" "),
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr)
        );
        snapshots.check(&format!("{name}.txt"), &text);
    }
}
