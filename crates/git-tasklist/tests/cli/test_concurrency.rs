//! Concurrent writers and lock files.

use std::collections::HashMap;

use crate::common::{TestRepo, expect_error};

const WRITERS: usize = 8;
const UPDATES: usize = 30;

#[test]
fn eight_processes_times_thirty_updates_all_land() {
    hammer(&TestRepo::new());
}

/// 8 processes × 30 updates of one list in `repo`: every one lands, once,
/// in each writer's order, in a linear history.
pub(crate) fn hammer(repo: &TestRepo) {
    let id = repo.create("Hammer", &["t0", "t1", "t2", "t3"]);
    let threads: Vec<_> = (0..WRITERS)
        .map(|i| {
            let mut cmds: Vec<std::process::Command> = (0..UPDATES)
                .map(|j| {
                    let mut c = repo.std_cmd();
                    c.args(["-l", &id, "update", &format!("t{}", i % 4), "--note"])
                        .arg(format!("p{i}-{j}"));
                    c
                })
                .collect();
            std::thread::spawn(move || {
                cmds.iter_mut()
                    .map(|c| c.output().unwrap())
                    .filter(|o| !o.status.success())
                    .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let failures: Vec<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert!(failures.is_empty(), "{} updates failed: {failures:?}", failures.len());

    let r = format!("refs/tasklists/{id}");
    assert_eq!(repo.commit_count(&id), 1 + WRITERS * UPDATES);
    let first_parent = repo.git(&["rev-list", "--count", "--first-parent", &r]);
    assert_eq!(first_parent.trim(), "241");
    assert_eq!(repo.git(&["rev-list", "--merges", &r]), "", "merge commits in a linear history");

    // Every note is in the history exactly once, and each writer's notes
    // appear in the order it wrote them.
    let log = repo.git(&["log", "--reverse", "-p", "--format=commit %H", &r]);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); WRITERS];
    // The last note each task got, in the order the history has them.
    let mut last_note: HashMap<usize, String> = HashMap::new();
    for line in log.lines() {
        let Some(note) = line.strip_prefix("+note = \"").and_then(|l| l.strip_suffix('"')) else {
            continue;
        };
        *seen.entry(note.to_string()).or_default() += 1;
        let (i, j) = note.trim_start_matches('p').split_once('-').unwrap();
        let writer = i.parse::<usize>().unwrap();
        order[writer].push(j.parse().unwrap());
        last_note.insert(writer % 4, note.to_string());
    }
    for (i, order) in order.iter().enumerate() {
        for j in 0..UPDATES {
            assert_eq!(seen.get(&format!("p{i}-{j}")), Some(&1), "note p{i}-{j} in history");
        }
        assert_eq!(*order, (0..UPDATES).collect::<Vec<_>>(), "writer {i}'s notes out of order");
    }
    assert_eq!(seen.len(), WRITERS * UPDATES);
    // Every commit is a note commit with its trailers.
    let ops = repo.git(&["log", "--format=%(trailers:key=Op,valueonly)", &r]);
    let ops: Vec<&str> = ops.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(ops.iter().filter(|o| **o == "note").count(), WRITERS * UPDATES);
    assert_eq!(ops.len(), WRITERS * UPDATES + 1);

    // The final note of each task is the last write of one of its two
    // writers: the one its history ends with.
    let v = repo.show_json(&id);
    for k in 0..4 {
        let note = v["tasks"][k]["note"].as_str().unwrap();
        let last = UPDATES - 1;
        assert_eq!(Some(note), last_note.get(&k).map(String::as_str), "t{k}");
        assert!(
            note == format!("p{k}-{last}") || note == format!("p{}-{last}", k + 4),
            "t{k} ends with {note}"
        );
    }
    repo.fsck();
}

#[test]
fn a_stale_lock_is_named_and_nothing_moves() {
    if !crate::common::Formats::from_env()
        .files_refs_only("a_stale_lock_is_named_and_nothing_moves")
    {
        return;
    }
    let repo = TestRepo::new();
    let id = repo.create("Locked", &["a"]);
    let lock = repo.git_dir().join("refs").join("tasklists").join(format!("{id}.lock"));
    std::fs::write(&lock, "").unwrap();
    let touched =
        std::process::Command::new("touch").args(["-d", "1 hour ago"]).arg(&lock).status().unwrap();
    assert!(touched.success());
    let tip = repo.tip(&id);
    let err = expect_error(repo.cmd().args(["-l", &id, "done", "a"]), 1);
    assert!(err.contains(&format!("refs/tasklists/{id}.lock")), "lock file not named: {err}");
    assert_eq!(repo.tip(&id), tip);
    assert_eq!(repo.status(&id, "a"), "pending");
    assert!(lock.exists(), "the lock was removed behind the user's back");
    // Once it is removed, the update goes through.
    std::fs::remove_file(&lock).unwrap();
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    assert_eq!(repo.commit_count(&id), 2);
}
