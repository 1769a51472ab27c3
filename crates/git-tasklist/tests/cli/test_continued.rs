//! `create --from OLD`: the old list records which list continued it (one
//! commit, written after the new list exists), and `resume`/`show` say so.

use crate::common::{TestRepo, created_id, expect_error, stdout};
use crate::session_support::run_code;

#[test]
fn create_from_records_the_continuation_on_the_old_list() {
    let repo = TestRepo::new();
    let old = repo.create("Migration", &["schema", "code"]);
    repo.cmd().args(["-l", &old, "done", "schema"]).assert().success();
    let before = repo.commit_count(&old);
    let new = created_id(repo.cmd().args(["--session", "s2", "create", "--from", &old]));

    assert_eq!(repo.commit_count(&old), before + 1, "exactly one commit on the old list");
    let tip = repo.tip(&old);
    let trailers = repo.trailers(&tip);
    assert!(trailers.contains(&("Op".into(), "continued".into())), "{trailers:?}");
    assert!(trailers.contains(&("Continued-In".into(), new.clone())), "{trailers:?}");
    assert!(trailers.contains(&("Session".into(), "s2".into())), "{trailers:?}");
    assert!(repo.file_at(&old).contains(&format!("continued_in = [\"{new}\"]\n")));
    // The new list existed before the old one named it.
    let made = repo.git(&["log", "-1", "--format=%ct", &format!("refs/tasklists/{new}")]);
    let named = repo.git(&["log", "-1", "--format=%ct", &tip]);
    assert!(made.trim() <= named.trim(), "{made} {named}");
    assert_eq!(repo.show_json(&new)["from"], old.as_str());
    repo.fsck();

    let line = format!("continued in {new} (Migration (continued))");
    let resume = run_code(repo.cmd().args(["resume", &old]), 0);
    assert!(resume.contains(&line), "{resume}");
    let show = run_code(repo.cmd().args(["show", &old]), 0);
    assert!(show.contains(&line), "{show}");
    assert_eq!(repo.show_json(&old)["continued_in"][0], new.as_str());
    // The old list still verifies: the record is an ordinary commit.
    run_code(repo.cmd().args(["-l", &old, "verify"]), 0);

    // A second continuation is recorded beside the first.
    let third = created_id(repo.cmd().args(["create", "--from", &old, "Migration, again"]));
    let show = run_code(repo.cmd().args(["show", &old]), 0);
    assert!(show.contains(&line), "{show}");
    assert!(show.contains(&format!("continued in {third} (Migration, again)")), "{show}");
}

#[test]
fn a_failed_record_on_the_old_list_is_named_and_the_new_list_stays() {
    let repo = TestRepo::new();
    let old = repo.create("Migration", &["schema"]);
    let count = repo.commit_count(&old);
    let lock = repo.git_dir().join("refs").join("tasklists").join(format!("{old}.lock"));
    std::fs::write(&lock, "").unwrap();
    let err = expect_error(repo.cmd().args(["create", "--from", &old]), 1);
    std::fs::remove_file(&lock).unwrap();
    assert!(err.contains(&format!("was created from {old}, but recording on {old}")), "{err}");
    assert_eq!(repo.commit_count(&old), count, "the old list moved");
    let new = err
        .split_whitespace()
        .find(|w| w.len() == 36 && *w != old)
        .unwrap_or_else(|| panic!("{err}"))
        .to_string();
    assert_eq!(repo.show_json(&new)["from"], old.as_str());
    let out = repo.cmd().args(["show", &old]).output().unwrap();
    assert!(!stdout(&out).contains("continued in"), "{}", stdout(&out));
    repo.fsck();
}
