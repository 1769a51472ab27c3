//! The first sync of thousands of lists to an empty remote: pushed in
//! batches (`GIT_TASKLIST_PUSH_BATCH`), with progress on stderr when
//! forced, every ref landed; a batch the remote refuses is finished by the
//! next sync.

use std::path::Path;

use crate::common::{expect_error, stderr, stdout, toml_for};
use crate::test_sync::{Team, team};

/// `n` one-commit lists made in `dir` with `git fast-import`; their ids.
fn import_lists(t: &Team, dir: &Path, n: usize) -> Vec<String> {
    let mut stream = String::new();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("01900000-0000-7000-8000-{i:012x}");
        let file = toml_for(&id, "");
        let msg = format!("Create\n\nTasklist: {id}\nOp: create\n");
        stream.push_str(&format!(
            "commit refs/tasklists/{id}\ncommitter T <t@example.com> 1767225600 +0000\ndata {}\n{msg}\nM 100644 inline tasklist.toml\ndata {}\n{file}\n",
            msg.len(),
            file.len()
        ));
        ids.push(id);
    }
    t.repo.git_stdin_in(dir, &["fast-import", "--quiet"], stream.as_bytes());
    ids
}

/// How many lists the remote has (`git ls-remote`, as a teammate would see them).
fn remote_lists(t: &Team) -> usize {
    let remote = t.repo.root().join("remote.git");
    t.repo.git_in(&remote, &["ls-remote", ".", "refs/tasklists/*"]).lines().count()
}

#[test]
fn first_sync_pushes_thousands_of_lists_in_batches_with_progress() {
    let t = team();
    let ids = import_lists(&t, &t.a, 2_500);
    let out = t
        .repo
        .cmd_in(&t.a)
        .env("GIT_TASKLIST_PUSH_BATCH", "1000")
        .args(["sync", "--progress"])
        .assert()
        .success()
        .get_output()
        .clone();
    let rows = stdout(&out);
    assert_eq!(rows.lines().filter(|l| l.ends_with("  pushed")).count(), 2_500, "{rows}");
    let err = stderr(&out);
    let progress: Vec<&str> = err.lines().collect();
    assert_eq!(
        progress,
        [
            "sync: pushed 1,000 of 2,500 lists",
            "sync: pushed 2,000 of 2,500 lists",
            "sync: pushed 2,500 of 2,500 lists"
        ],
        "{err}"
    );
    assert_eq!(remote_lists(&t), 2_500);
    t.fsck(&t.repo.root().join("remote.git"));
    // Every pushed list is recorded as the remote's: the next sync has
    // nothing to push, and says nothing on stderr (not a terminal).
    let again = t.repo.cmd_in(&t.a).arg("sync").assert().success().get_output().clone();
    assert!(stderr(&again).is_empty(), "{}", stderr(&again));
    let up = stdout(&again).lines().filter(|l| l.ends_with("  up to date")).count();
    assert_eq!(up, 2_500);
    // A teammate gets them all.
    let b = t.tl(&t.b, &["sync"]);
    assert_eq!(b.lines().filter(|l| l.contains("new from the remote")).count(), 2_500);
    assert_eq!(t.tip(&t.b, &ids[2_499]), t.tip(&t.a, &ids[2_499]));
}

#[test]
fn without_progress_and_not_on_a_terminal_sync_says_nothing_on_stderr() {
    let t = team();
    import_lists(&t, &t.a, 30);
    let out = t
        .repo
        .cmd_in(&t.a)
        .env("GIT_TASKLIST_PUSH_BATCH", "10")
        .arg("sync")
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(remote_lists(&t), 30);
}

#[test]
fn a_refused_batch_is_pushed_by_the_next_sync() {
    let t = team();
    import_lists(&t, &t.a, 1_200);
    // The remote takes the first push and refuses every later one.
    let hooks = t.repo.root().join("remote.git").join("hooks");
    let counter = t.repo.root().join("pushes");
    let hook = hooks.join("pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nif [ -e '{0}' ]; then echo 'no more today' >&2; exit 1; fi\ntouch '{0}'\n",
            counter.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut c = t.repo.cmd_in(&t.a);
    c.env("GIT_TASKLIST_PUSH_BATCH", "500").arg("sync");
    let err = expect_error(&mut c, 1);
    assert!(err.contains("700 of 1200 task lists were skipped"), "{err}");
    assert!(err.contains("no more today"), "{err}");
    assert_eq!(remote_lists(&t), 500);
    // The remote takes pushes again: the next sync pushes exactly the rest.
    std::fs::remove_file(&hook).unwrap();
    let out = t
        .repo
        .cmd_in(&t.a)
        .env("GIT_TASKLIST_PUSH_BATCH", "500")
        .arg("sync")
        .assert()
        .success()
        .get_output()
        .clone();
    let rows = stdout(&out);
    assert_eq!(rows.lines().filter(|l| l.ends_with("  pushed")).count(), 700, "{rows}");
    assert_eq!(rows.lines().filter(|l| l.ends_with("  up to date")).count(), 500, "{rows}");
    assert_eq!(remote_lists(&t), 1_200);
    t.fsck(&t.repo.root().join("remote.git"));
}

#[test]
fn a_bad_push_batch_is_an_error_and_changes_nothing() {
    let t = team();
    t.create(&t.a, &["Mine", "--task", "t1"]);
    for (value, shown) in [("0", "'0'"), ("lots", "'lots'"), ("-5", "'-5'")] {
        let mut c = t.repo.cmd_in(&t.a);
        c.env("GIT_TASKLIST_PUSH_BATCH", value).arg("sync");
        let err = expect_error(&mut c, 1);
        assert!(
            err.contains(&format!("GIT_TASKLIST_PUSH_BATCH {shown} is not a number of lists")),
            "{err}"
        );
    }
    t.repo.git_in(&t.a, &["config", "tasklist.pushBatch", "none"]);
    let err = expect_error(t.repo.cmd_in(&t.a).arg("sync"), 1);
    assert!(err.contains("tasklist.pushBatch 'none' is not a number of lists"), "{err}");
    assert_eq!(remote_lists(&t), 0);
    let tracking = t.repo.git_in(&t.a, &["for-each-ref", "refs/tasklists-remote"]);
    assert!(tracking.is_empty(), "{tracking}");
}

/// The files under `dir` (a directory of `.git`), recursively: loose refs.
fn loose_refs(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else {
                found.push(e.path().display().to_string());
            }
        }
    }
    found
}

#[test]
fn unconfigured_batches_grow_and_leave_no_loose_refs_behind() {
    let t = team();
    let ids = import_lists(&t, &t.a, 7_000);
    // An annotated tag, packed with its peeled line, which every rewrite
    // of packed-refs must keep.
    t.repo.git_in(&t.a, &["tag", "-a", "-m", "v1", "v1", "HEAD"]);
    t.repo.git_in(&t.a, &["pack-refs", "--all"]);
    // (Reftable keeps no packed-refs and no loose refs: those checks are
    // for the files backend.)
    let files = t.repo.git_in(&t.a, &["rev-parse", "--show-ref-format"]).trim() == "files";
    let peeled_line = |t: &crate::test_sync::Team| {
        let packed = std::fs::read_to_string(t.a.join(".git").join("packed-refs"));
        let packed = packed.unwrap_or_default();
        let mut lines = packed.lines().skip_while(|l| !l.ends_with(" refs/tags/v1"));
        (lines.next().map(String::from), lines.next().map(String::from))
    };
    let tag_before = peeled_line(&t);
    let peeled = tag_before.1.as_deref().is_some_and(|l| l.starts_with('^'));
    assert!(peeled || !files, "{tag_before:?}");
    // What an interrupted sync may leave: a loose staging ref of a list
    // that is not to be pushed.
    let stray = ids[0].replacen("0190", "0191", 1);
    let tip = t.tip(&t.a, &ids[0]);
    t.repo.git_in(&t.a, &["update-ref", &format!("refs/tasklists-push/{stray}"), &tip]);
    // No network bound: each push carries twice as many as the last (with
    // one, while a push takes under a quarter of it).
    let out = t
        .repo
        .cmd_in(&t.a)
        .env("GIT_TASKLIST_NETWORK_TIMEOUT", "0")
        .args(["sync", "--progress"])
        .assert()
        .success()
        .get_output()
        .clone();
    let err = stderr(&out);
    let progress: Vec<&str> = err.lines().collect();
    assert_eq!(
        progress,
        [
            "sync: pushed 2,000 of 7,000 lists",
            "sync: pushed 6,000 of 7,000 lists",
            "sync: pushed 7,000 of 7,000 lists"
        ],
        "{err}"
    );
    assert_eq!(remote_lists(&t), 7_000);
    let remote = t.repo.root().join("remote.git");
    let stray_there = t.repo.git_in(&remote, &["for-each-ref", &format!("refs/tasklists/{stray}")]);
    assert!(stray_there.is_empty(), "{stray_there}");
    // Nothing staged is left, and the tracking refs went straight into
    // packed-refs, each at the pushed commit.
    let staged = t.repo.git_in(&t.a, &["for-each-ref", "refs/tasklists-push"]);
    assert!(staged.is_empty(), "{staged}");
    let git = t.a.join(".git");
    for dir in ["refs/tasklists-push", "refs/tasklists-remote"] {
        let loose = loose_refs(&git.join(dir));
        assert!(loose.is_empty(), "{dir}: {} loose, e.g. {:?}", loose.len(), loose.first());
    }
    let tracked = t.repo.git_in(
        &t.a,
        &[
            "for-each-ref",
            "--format=%(refname:lstrip=3) %(objectname)",
            "refs/tasklists-remote/origin",
        ],
    );
    let local = t.repo.git_in(
        &t.a,
        &["for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/tasklists"],
    );
    assert_eq!(tracked.lines().count(), 7_000);
    assert_eq!(tracked, local);
    assert_eq!(peeled_line(&t), tag_before);
    t.fsck(&t.a);
    // The next sync has nothing to push.
    let again = t.tl(&t.a, &["sync"]);
    assert_eq!(again.lines().filter(|l| l.ends_with("  up to date")).count(), 7_000);
}
