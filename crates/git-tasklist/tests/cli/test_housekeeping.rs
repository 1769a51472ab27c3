//! Housekeeping: past git's `gc.auto` threshold a write starts `git gc --auto`.

use crate::common::TestRepo;

/// A figure from `git count-objects -v` (`count`, `in-pack`, `packs` …).
fn objects(repo: &TestRepo, key: &str) -> usize {
    let out = repo.git(&["count-objects", "-v"]);
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

/// Writes `n` distinct loose blobs (fixed contents, so the fan-out is fixed).
fn write_loose_blobs(repo: &TestRepo, n: usize) {
    let dir = repo.root().join("blobs");
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = String::new();
    for i in 0..n {
        let p = dir.join(format!("b{i}"));
        std::fs::write(&p, format!("loose blob {i}\n")).unwrap();
        paths.push_str(p.to_str().unwrap());
        paths.push('\n');
    }
    repo.git_stdin(&["hash-object", "-w", "--stdin-paths"], paths.as_bytes());
}

#[test]
fn a_write_past_gc_auto_runs_git_gc() {
    let repo = TestRepo::new();
    let id = repo.create("Busy", &["a"]);
    // 256 per fan-out directory is git's estimate unit: gc.auto = 256 means
    // "more than one object in objects/17", which 3,000 blobs exceed.
    repo.git(&["config", "gc.auto", "256"]);
    repo.git(&["config", "gc.autoDetach", "false"]);
    write_loose_blobs(&repo, 3000);
    assert_eq!(objects(&repo, "packs"), 0);
    repo.cmd().args(["-l", &id, "start", "a"]).assert().success();
    // gc packed everything reachable: the list's 2 commits, trees and blobs
    // (the unreachable test blobs stay loose until gc.pruneExpire).
    assert_eq!(objects(&repo, "packs"), 1, "git gc --auto did not run");
    assert_eq!(objects(&repo, "in-pack"), 6);
    // The list and its history survived gc.
    assert_eq!(repo.commit_count(&id), 2);
    assert_eq!(repo.status(&id, "a"), "in_progress");
    repo.fsck();
}

#[test]
fn gc_auto_zero_turns_housekeeping_off() {
    let repo = TestRepo::new();
    let id = repo.create("Quiet", &["a"]);
    repo.git(&["config", "gc.auto", "0"]);
    repo.git(&["config", "gc.autoDetach", "false"]);
    write_loose_blobs(&repo, 3000);
    repo.cmd().args(["-l", &id, "start", "a"]).assert().success();
    assert_eq!(objects(&repo, "packs"), 0, "objects were packed although gc.auto = 0");
}

/// The library starts no git of its own unless asked: the same write
/// through `Tasklists` leaves the objects loose, and with housekeeping
/// turned on (as the binary does) packs them.
#[test]
fn the_library_runs_housekeeping_only_when_asked() {
    use git_tasklist_core::Tasklists;
    use git_tasklist_core::model::{Status, TaskId};
    use git_tasklist_core::op::TaskChange;
    let repo = TestRepo::new();
    let id = repo.create("Library", &["a", "b"]);
    repo.git(&["config", "gc.auto", "256"]);
    repo.git(&["config", "gc.autoDetach", "false"]);
    write_loose_blobs(&repo, 3000);
    let start = || TaskChange { status: Some(Status::InProgress), ..Default::default() };
    let tl = Tasklists::open(Some(&repo.path), None).unwrap();
    tl.update(&id, &TaskId::parse("a").unwrap(), start()).unwrap();
    assert_eq!(objects(&repo, "packs"), 0, "the library ran git gc without being asked");
    let tl = Tasklists::open(Some(&repo.path), None).unwrap().with_housekeeping(true);
    tl.update(&id, &TaskId::parse("b").unwrap(), start()).unwrap();
    assert_eq!(objects(&repo, "packs"), 1, "housekeeping turned on did not run git gc");
    repo.fsck();
}
