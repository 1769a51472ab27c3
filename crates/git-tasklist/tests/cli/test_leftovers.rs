//! Temporary files of writers killed mid-write: never read as what they
//! were about to replace, and removed by a later writer once old.

use std::path::Path;

use serde_json::Value;

use crate::common::TestRepo;

/// Sets the modification time of `path` to an hour ago (`touch -d`).
fn age(path: &Path) {
    let ok = std::process::Command::new("touch")
        .args(["-d", "1 hour ago"])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "touch -d failed");
}

fn titles(repo: &TestRepo) -> Vec<String> {
    let out = repo.cmd().args(["--json", "list"]).assert().success().get_output().clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["lists"].as_array().unwrap().iter().map(|l| l["title"].as_str().unwrap().into()).collect()
}

#[test]
fn the_index_writer_removes_old_temporary_files_and_never_reads_them() {
    let repo = TestRepo::new();
    repo.create("Alpha", &["t1"]);
    let dir = repo.git_dir().join("tasklist-index");
    assert_eq!(titles(&repo), ["Alpha"]);
    let index = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|e| !e.file_name().to_string_lossy().starts_with('.'));
    let index = index.expect("list leaves the index built").path();
    // What a writer killed mid-write leaves: the start of an index of
    // another state (one with a list "Ghost"), under a temporary name.
    let ghost = TestRepo::new();
    ghost.create("Ghost", &["t1"]);
    assert_eq!(titles(&ghost), ["Ghost"]);
    let ghost_dir = ghost.git_dir().join("tasklist-index");
    let ghost_index = std::fs::read_dir(&ghost_dir).unwrap().flatten().next().unwrap().path();
    let whole = std::fs::read(ghost_index).unwrap();
    let stale = dir.join(".tmp-killed1");
    let stale_whole = dir.join(".tmp-killed2");
    let fresh = dir.join(".tmp-writing");
    std::fs::write(&stale, &whole[..whole.len() / 2]).unwrap();
    std::fs::write(&stale_whole, &whole).unwrap();
    std::fs::write(&fresh, &whole).unwrap();
    age(&stale);
    age(&stale_whole);
    // A read with the index in place: the temporary files are not read.
    assert_eq!(titles(&repo), ["Alpha"]);
    // The next write of the index removes the old ones, keeps a fresh one
    // (a live writer's), and the answer is still this repository's.
    std::fs::remove_file(&index).unwrap();
    assert_eq!(titles(&repo), ["Alpha"]);
    assert!(index.is_file(), "rebuilt");
    assert!(!stale.exists(), "an old torn temporary file is removed");
    assert!(!stale_whole.exists(), "an old whole temporary file is removed");
    assert!(fresh.exists(), "a fresh temporary file may be a live writer's: kept");
    repo.create("Beta", &["t1"]);
    assert_eq!(titles(&repo), ["Alpha", "Beta"]);
    repo.fsck();
}

#[test]
fn an_index_writer_killed_with_sigkill_leaves_a_state_the_next_run_answers_right() {
    use std::process::Stdio;
    let repo = TestRepo::new();
    let mut stream = String::new();
    for i in 0..3_000 {
        let id = format!("01900000-0000-7000-8000-{i:012x}");
        let file = crate::common::toml_for(&id, "").replace("Planted", &format!("List {i}"));
        let msg = "Create\n";
        stream.push_str(&format!(
            "commit refs/tasklists/{id}\ncommitter T <t@example.com> 1767225600 +0000\ndata {}\n{msg}\nM 100644 inline tasklist.toml\ndata {}\n{file}\n",
            msg.len(),
            file.len()
        ));
    }
    repo.git_stdin(&["fast-import", "--quiet"], stream.as_bytes());
    let dir = repo.git_dir().join("tasklist-index");
    // Each round: no index, a `list` that builds it, killed with SIGKILL
    // as soon as the index directory shows any file (a temporary one or
    // the index itself), or never if it finishes first.
    for _ in 0..5 {
        let _ = std::fs::remove_dir_all(&dir);
        let mut child = repo.std_cmd();
        let mut child =
            child.arg("list").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        loop {
            let seen = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
            if seen || child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.kill();
        let _ = child.wait();
        // Whatever was left, the next run answers right and leaves the index.
        let listed = titles(&repo);
        assert_eq!(listed.len(), 3_000);
        assert_eq!(listed[7], "List 7");
    }
}
