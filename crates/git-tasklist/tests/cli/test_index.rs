//! The summary index (`<common git dir>/tasklist-index/`): derived data,
//! checked against the refs on every read, rebuilt when damaged or gone,
//! shared by worktrees, never pushed.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::Value;

use crate::common::{TestRepo, stdout, toml_for};

fn index_file(repo: &TestRepo) -> PathBuf {
    repo.git_dir().join("tasklist-index").join("refs%tasklists")
}

fn list_json(repo: &TestRepo, all: bool) -> Value {
    let mut c = repo.cmd();
    c.args(["--json", "list"]);
    if all {
        c.arg("--all");
    }
    serde_json::from_slice(&c.assert().success().get_output().stdout).unwrap()
}

/// The `list --all` entry of list `id`.
fn entry(repo: &TestRepo, id: &str) -> Value {
    let v = list_json(repo, true);
    v["lists"].as_array().unwrap().iter().find(|l| l["id"] == id).cloned().unwrap_or(Value::Null)
}

#[test]
fn a_list_moved_by_plain_git_is_read_again_at_once() {
    let repo = TestRepo::new();
    let id = repo.create("Moved", &["t1", "t2"]);
    let first = repo.tip(&id);
    repo.cmd().args(["-l", &id, "done", "t1"]).assert().success();
    assert_eq!(entry(&repo, &id)["progress"]["done"], 1);
    assert!(index_file(&repo).is_file(), "list leaves the index built");

    // Back to the first commit with plain git: the index's entry is stale.
    repo.git(&["update-ref", &format!("refs/tasklists/{id}"), &first]);
    let e = entry(&repo, &id);
    assert_eq!(e["progress"]["done"], 0);
    assert_eq!(e["tip"], first.as_str());

    // A commit made by hand with another title.
    let planted = repo.plant(
        &format!("refs/tasklists/{id}"),
        toml_for(&id, "archived = true\n").replace("Planted", "Hand made").as_bytes(),
    );
    let e = entry(&repo, &id);
    assert_eq!(e["title"], "Hand made");
    assert_eq!(e["archived"], true);
    assert_eq!(e["tip"], planted.as_str());
    assert_eq!(list_json(&repo, false)["lists"].as_array().unwrap().len(), 0);
    // Title resolution sees it too.
    let shown = repo.show_json("Hand made");
    assert_eq!(shown["id"], id.as_str());

    // Packing the refs and gc change no tip: same answer.
    let before = list_json(&repo, true);
    repo.git(&["pack-refs", "--all"]);
    repo.git(&["gc", "-q"]);
    assert_eq!(list_json(&repo, true), before);
    // A deleted ref is gone from the list at once.
    repo.git(&["update-ref", "-d", &format!("refs/tasklists/{id}")]);
    assert_eq!(list_json(&repo, true)["lists"].as_array().unwrap().len(), 0);
    repo.fsck();
}

#[test]
fn a_damaged_or_deleted_index_gives_the_right_answer_and_is_rebuilt() {
    let repo = TestRepo::new();
    let a = repo.create("Alpha", &["t1", "t2"]);
    let b = repo.create("Beta", &["t1"]);
    repo.cmd().args(["-l", &b, "start", "t1"]).assert().success();
    let want = list_json(&repo, true);
    let good = std::fs::read(index_file(&repo)).unwrap();
    assert!(good.len() > 100);
    let flipped = {
        let mut f = good.clone();
        let at = f.len() / 2;
        f[at] ^= 0x20;
        f
    };
    let future = {
        let mut f = good.clone();
        f[8] = 99;
        f
    };
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("a flipped byte", flipped),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("garbage", b"not an index at all\n".to_vec()),
        ("another version", future),
    ];
    for (what, bytes) in damages {
        std::fs::write(index_file(&repo), &bytes).unwrap();
        assert_eq!(list_json(&repo, true), want, "{what}");
        assert_eq!(std::fs::read(index_file(&repo)).unwrap(), good, "{what}: rebuilt");
    }
    // Another namespace's index in its place is not taken.
    let other = TestRepo::new();
    other.create("Gamma", &["t1"]);
    other.cmd().args(["list"]).assert().success();
    std::fs::copy(index_file(&other), index_file(&repo)).unwrap();
    assert_eq!(list_json(&repo, true), want, "another repository's index");
    // Deleting it is safe.
    std::fs::remove_dir_all(repo.git_dir().join("tasklist-index")).unwrap();
    assert_eq!(list_json(&repo, true), want, "deleted");
    assert_eq!(std::fs::read(index_file(&repo)).unwrap(), good, "deleted: rebuilt");
    // `create` warns of a same title with the index in place, and without.
    for remove in [false, true] {
        if remove {
            std::fs::remove_file(index_file(&repo)).unwrap();
        }
        let out = repo.cmd().args(["create", "Alpha", "--task", "t1"]).assert().success();
        let err = crate::common::stderr(out.get_output());
        assert!(err.contains("Alpha"), "no duplicate-title warning: {err}");
    }
    let _ = a;
    repo.fsck();
}

#[test]
fn an_unreadable_list_stays_reported_on_every_read() {
    let repo = TestRepo::new();
    repo.create("Fine", &["t1"]);
    let bad = "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e";
    repo.plant(&format!("refs/tasklists/{bad}"), b"format = 1\nthis is not toml [[\n");
    for _ in 0..2 {
        let out = repo.cmd().arg("list").assert().success();
        let err = crate::common::stderr(out.get_output());
        assert!(err.contains(bad), "the unreadable list is reported: {err}");
        let v = list_json(&repo, true);
        assert_eq!(v["lists"].as_array().unwrap().len(), 1);
        assert_eq!(v["unreadable"][0]["id"], bad);
    }
}

#[test]
fn concurrent_writers_and_readers_never_see_a_wrong_answer() {
    let repo = TestRepo::new();
    let tasks: Vec<String> = (1..=6).map(|i| format!("t{i}")).collect();
    let task_refs: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let ids: Vec<String> = (0..4).map(|i| repo.create(&format!("L{i}"), &task_refs)).collect();
    repo.cmd().arg("list").assert().success();
    // Every list gets all its tasks done by its own process, one `done`
    // process after another, each followed by a `list`, while we list too.
    let mut children = Vec::new();
    for id in &ids {
        let ids = id.clone();
        let tasks = tasks.clone();
        let procs: Vec<std::process::Command> = tasks
            .iter()
            .flat_map(|t| {
                let mut done = repo.std_cmd();
                done.args(["-l", &ids, "done", t]);
                let mut list = repo.std_cmd();
                list.arg("list");
                [done, list]
            })
            .collect();
        children.push(std::thread::spawn(move || {
            procs.into_iter().all(|mut c| {
                c.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
            })
        }));
    }
    for _ in 0..10 {
        let v = list_json(&repo, true);
        assert_eq!(v["lists"].as_array().unwrap().len(), ids.len());
        assert!(v["unreadable"].as_array().unwrap().is_empty());
    }
    for c in children {
        assert!(c.join().unwrap(), "every process succeeded");
    }
    let v = list_json(&repo, true);
    for id in &ids {
        let e = v["lists"].as_array().unwrap().iter().find(|l| l["id"] == id.as_str()).unwrap();
        assert_eq!(e["progress"]["done"], 6, "{id}");
        assert_eq!(e["tip"], repo.tip(id).as_str());
    }
    repo.fsck();
}

#[test]
fn a_linked_worktree_shares_the_index_and_sees_changes_at_once() {
    let repo = TestRepo::with_work();
    let wt = repo.root().join("wt");
    repo.git(&["worktree", "add", "-q", wt.to_str().unwrap()]);
    let id = repo.create("Shared", &["t1"]);
    repo.cmd().arg("list").assert().success();
    let out = repo.cmd_in(&wt).args(["-l", &id, "done", "t1"]).assert().success();
    assert!(stdout(out.get_output()).contains("t1"));
    let v = list_json(&repo, false);
    assert_eq!(v["lists"][0]["progress"]["done"], 1);
    assert!(index_file(&repo).is_file());
    let per_worktree = repo.git_dir().join("worktrees").join("wt").join("tasklist-index");
    assert!(!per_worktree.exists(), "one index, in the common git dir");
}

#[test]
fn the_index_is_never_pushed_or_fetched() {
    let team = crate::test_sync::team();
    let id = team.create(&team.a, &["Pushed", "--task", "t1"]);
    team.tl(&team.a, &["list"]);
    assert!(team.a.join(".git").join("tasklist-index").is_dir());
    team.tl(&team.a, &["sync"]);
    let remote = team.repo.root().join("remote.git");
    assert!(!remote.join("tasklist-index").exists());
    let advertised = team.repo.git_in(&team.a, &["ls-remote", "origin"]);
    assert!(advertised.contains(&id));
    assert!(!advertised.contains("index"), "{advertised}");
    // The other clone fetches the list, not the index, and lists it.
    team.tl(&team.b, &["sync"]);
    let listed = team.tl(&team.b, &["list"]);
    assert!(listed.contains("Pushed"), "{listed}");
    team.fsck(&team.a);
}

/// `git pack-refs` writes the new `packed-refs`, then deletes the loose refs
/// it packed: a reader that took the old `packed-refs` and then found a loose
/// ref gone once lost that list without a word. Here every ref exists at
/// every moment while another process packs the refs again and again; every
/// `list` (warm index and cold) must show every list.
#[test]
fn a_list_never_misses_refs_that_pack_refs_moves() {
    if !crate::common::Formats::from_env()
        .files_refs_only("a_list_never_misses_refs_that_pack_refs_moves")
    {
        return;
    }
    const LISTS: usize = 200;
    const PACKS: usize = 8;
    let repo = TestRepo::new();
    let mut stream = String::new();
    let mut refs = Vec::new();
    for i in 0..LISTS {
        let id = uuid::Uuid::now_v7().to_string();
        let body = toml_for(
            &id,
            &format!("[[tasks]]\nid = \"t{i}\"\ntitle = \"Task\"\nstatus = \"pending\"\n"),
        );
        stream.push_str(&format!(
            "blob\nmark :{m}\ndata {}\n{body}\ncommit refs/tasklists/{id}\ncommitter T <t@example.com> 0 +0000\ndata 7\nplanted\nM 100644 :{m} tasklist.toml\n\n",
            body.len(),
            m = i + 1,
        ));
        refs.push(id);
    }
    repo.git_stdin(&["fast-import", "--quiet"], stream.as_bytes());
    let tips: Vec<(PathBuf, String)> = refs
        .iter()
        .map(|id| (repo.git_dir().join("refs/tasklists").join(id), repo.tip(id)))
        .collect();
    assert_eq!(list_json(&repo, true)["lists"].as_array().unwrap().len(), LISTS);
    // Another process packs the refs; before each pack every ref is made
    // loose again (same target, written by rename), so none is ever absent.
    let mut packer = repo.std_cmd();
    packer.arg("--version");
    let git_dir = repo.git_dir();
    let env: Vec<(String, String)> = packer
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.into(), v?.to_str()?.into())))
        .collect();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let packs = std::thread::spawn(move || {
        let ok = (0..PACKS).all(|_| {
            // git prunes the emptied directory; the new file is written
            // outside the refs and renamed in, as git writes a ref.
            let tmp = git_dir.join("ref.tmp");
            std::fs::create_dir_all(git_dir.join("refs/tasklists")).unwrap();
            for (path, tip) in &tips {
                std::fs::write(&tmp, format!("{tip}\n")).unwrap();
                std::fs::rename(&tmp, path).unwrap();
            }
            std::process::Command::new("git")
                .args(["pack-refs", "--all"])
                .current_dir(&git_dir)
                .envs(env.iter().map(|(k, v)| (k, v)))
                .status()
                .is_ok_and(|s| s.success())
        });
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        ok
    });
    let mut reads = 0;
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        if reads % 2 == 1 {
            let _ = std::fs::remove_file(index_file(&repo));
        }
        let v = list_json(&repo, true);
        let shown = v["lists"].as_array().unwrap().len();
        assert_eq!(shown, LISTS, "read {reads} showed {shown} of {LISTS} lists");
        assert_eq!(v["unreadable"], serde_json::json!([]), "read {reads}");
        reads += 1;
    }
    assert!(packs.join().unwrap(), "every pack-refs succeeded");
    assert!(reads > 0);
    repo.fsck();
}

/// `list` with the index's debug line; returns (stdout, the debug line).
fn debug_list(repo: &TestRepo) -> (String, String) {
    let out = repo.cmd().env("GIT_TASKLIST_DEBUG", "1").args(["list", "--all"]).assert().success();
    let err = crate::common::stderr(out.get_output());
    let line = err.lines().find(|l| l.starts_with("debug: summary index:")).unwrap_or("");
    (stdout(out.get_output()), line.to_string())
}

/// Sets `packed-refs`' mtime to `secs` seconds before now (its ctime stays
/// now), so it is old enough to be trusted by its identity.
fn age_packed(repo: &TestRepo, secs: u64) -> std::time::SystemTime {
    let path = repo.git_dir().join("packed-refs");
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    set_mtime(&path, t);
    t
}

fn set_mtime(path: &std::path::Path, t: std::time::SystemTime) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(t).unwrap();
}

#[test]
fn an_unchanged_packed_refs_is_trusted_and_every_change_is_still_seen() {
    if !crate::common::Formats::from_env()
        .files_refs_only("an_unchanged_packed_refs_is_trusted_and_every_change_is_still_seen")
    {
        return;
    }
    let repo = TestRepo::new();
    let a = repo.create("Alpha", &["t1", "t2"]);
    let b = repo.create("Beta", &["t1"]);
    let c = repo.create("Gamma", &["t1"]);
    let a0 = repo.tip(&a);
    repo.cmd().args(["-l", &a, "done", "t1"]).assert().success();
    let a1 = repo.tip(&a);
    repo.git(&["pack-refs", "--all"]);
    let packed = repo.git_dir().join("packed-refs");
    let old = age_packed(&repo, 60);
    let (_, line) = debug_list(&repo);
    assert!(line.contains("1 full check"), "a changed packed-refs is checked fully: {line}");
    let (_, line) = debug_list(&repo);
    assert!(
        line.contains("0 list(s) read") && line.contains("3 served") && line.contains("0 full"),
        "an unchanged packed-refs is trusted: {line}"
    );
    let done = |id: &str| entry(&repo, id)["progress"]["done"].clone();

    // A plain `git update-ref` writes a loose ref: seen at once, and only
    // that list is read.
    repo.git(&["update-ref", &format!("refs/tasklists/{a}"), &a0]);
    let (_, line) = debug_list(&repo);
    assert!(line.contains("1 list(s) read") && line.contains("0 full"), "{line}");
    assert_eq!(done(&a), 0);
    // That loose file removed by hand: the packed copy counts again.
    std::fs::remove_file(repo.git_dir().join("refs/tasklists").join(&a)).unwrap();
    assert_eq!(done(&a), 1);
    assert_eq!(repo.tip(&a), a1);

    // A loose ref that hid a packed one when the index was written, then
    // removed by hand: the packed copy is not in the index, so the check
    // is full and finds it.
    repo.git(&["update-ref", &format!("refs/tasklists/{a}"), &a0]);
    set_mtime(&packed, old - std::time::Duration::from_secs(5));
    let (_, line) = debug_list(&repo);
    assert!(line.contains("1 full check"), "{line}");
    assert_eq!(done(&a), 0);
    std::fs::remove_file(repo.git_dir().join("refs/tasklists").join(&a)).unwrap();
    let (listed, line) = debug_list(&repo);
    assert!(line.contains("1 full check"), "{line}");
    assert!(listed.contains(&a), "{listed}");
    assert_eq!(done(&a), 1);

    // packed-refs rewritten in place, same size, its mtime set back to
    // what it was (a change within the same timestamp tick): the ctime
    // differs, so the check is full.
    let (_, line) = debug_list(&repo);
    assert!(line.contains("0 full"), "trusted again: {line}");
    let mtime = std::fs::metadata(&packed).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&packed).unwrap();
    assert!(text.contains(&a1));
    std::fs::write(&packed, text.replace(&a1, &a0)).unwrap();
    set_mtime(&packed, mtime);
    let (_, line) = debug_list(&repo);
    assert!(line.contains("1 full check"), "{line}");
    assert_eq!(done(&a), 0);

    // `git pack-refs` rewriting packed-refs to the same size with the
    // same mtime: another file (inode, ctime), checked fully.
    repo.git(&["update-ref", &format!("refs/tasklists/{a}"), &a1]);
    let mtime = age_packed(&repo, 30);
    assert_eq!(done(&a), 1);
    let size = std::fs::metadata(&packed).unwrap().len();
    repo.git(&["update-ref", &format!("refs/tasklists/{a}"), &a0]);
    repo.git(&["pack-refs", "--all"]);
    assert_eq!(std::fs::metadata(&packed).unwrap().len(), size);
    set_mtime(&packed, mtime);
    assert_eq!(done(&a), 0);

    // A packed list deleted: gone at once; the other lists are intact.
    repo.git(&["update-ref", "-d", &format!("refs/tasklists/{b}")]);
    let v = list_json(&repo, true);
    let ids: Vec<&str> =
        v["lists"].as_array().unwrap().iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(ids.len(), 2, "{v}");
    assert!(ids.contains(&a.as_str()) && ids.contains(&c.as_str()), "{v}");
    repo.fsck();
}

#[test]
fn a_packed_refs_written_just_now_is_checked_fully_every_time() {
    if !crate::common::Formats::from_env()
        .files_refs_only("a_packed_refs_written_just_now_is_checked_fully_every_time")
    {
        return;
    }
    let repo = TestRepo::new();
    let a = repo.create("Alpha", &["t1"]);
    repo.git(&["pack-refs", "--all"]);
    for _ in 0..2 {
        let (listed, line) = debug_list(&repo);
        assert!(listed.contains(&a));
        assert!(line.contains("1 full check"), "a racy packed-refs is not trusted: {line}");
    }
    // Our own writes go to the journal; the title warning sees them.
    let out = repo.cmd().args(["create", "Alpha", "--task", "t1"]).assert().success();
    assert!(crate::common::stderr(out.get_output()).contains("Alpha"));
    age_packed(&repo, 60);
    let (_, line) = debug_list(&repo);
    assert!(line.contains("1 full check"), "{line}");
    let (listed, line) = debug_list(&repo);
    assert!(line.contains("0 full") && line.contains("0 list(s) read"), "{line}");
    assert_eq!(listed.matches("Alpha").count(), 2, "{listed}");
    let out = repo.cmd().args(["create", "Alpha", "--task", "t1"]).assert().success();
    assert!(crate::common::stderr(out.get_output()).contains("Alpha"));
    let (listed, line) = debug_list(&repo);
    assert!(line.contains("0 full") && line.contains("0 list(s) read"), "{line}");
    assert_eq!(listed.matches("Alpha").count(), 3, "{listed}");
    assert!(repo.git_dir().join("tasklist-index").join("refs%tasklists.journal").is_file());
}

/// A fast-import stream of `n` lists (`List {k}` titled, task t1 in
/// progress for every third, every fifth archived), ids in order; `from`
/// adds a commit on the lists' current tips instead of new lists.
fn many_lists(ids: &[String], title: &str, from: bool) -> String {
    let mut stream = String::new();
    for (k, id) in ids.iter().enumerate() {
        let status = if k % 3 == 0 { "in_progress\"\nowner = \"s1" } else { "pending" };
        let archived = if k % 5 == 0 { "archived = true\n" } else { "" };
        let body = toml_for(
            id,
            &format!(
                "{archived}\n[[tasks]]\nid = \"t1\"\ntitle = \"Task\"\nstatus = \"{status}\"\n\n[[tasks]]\nid = \"t2\"\ntitle = \"Two\"\nstatus = \"completed\"\n"
            ),
        )
        .replace("title = \"Planted\"", &format!("title = \"{title} {k}\""));
        let parent = if from { format!("from refs/tasklists/{id}^0\n") } else { String::new() };
        stream.push_str(&format!(
            "commit refs/tasklists/{id}\ncommitter T <t@example.com> {k} +0000\ndata 7\nplanted\n{parent}M 100644 inline tasklist.toml\ndata {}\n{body}\n\n",
            body.len(),
        ));
    }
    stream
}

/// Checks `v` (`--json list --all`) names every list of `ids` once, in id
/// order, each with its own title and progress, and `bad` as unreadable.
fn check_many(v: &Value, ids: &[String], title: &str, bad: &[&str]) {
    let lists = v["lists"].as_array().unwrap();
    let got: Vec<&str> = lists.iter().map(|l| l["id"].as_str().unwrap()).collect();
    let want: Vec<&str> = ids.iter().map(String::as_str).collect();
    let first_diff = got.iter().zip(&want).position(|(g, w)| g != w);
    assert!(
        got == want,
        "every list once, in id order: {} of {} lists, first difference at {first_diff:?}",
        got.len(),
        want.len()
    );
    for (k, l) in lists.iter().enumerate() {
        assert_eq!(l["title"], format!("{title} {k}"), "list {k}");
        assert_eq!(l["archived"], k % 5 == 0, "list {k}");
        assert_eq!(l["progress"]["done"], 1, "list {k}");
    }
    let unreadable: Vec<&str> =
        v["unreadable"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(unreadable, bad);
}

/// A read of hundreds of lists at once (a deleted index; a fetch that moved
/// them) is split over two threads: the answer is every list with its own
/// summary, in order, unreadable lists reported, as a read served from the
/// index gives.
#[test]
fn a_read_of_many_lists_at_once_gives_each_list_its_own_summary() {
    const LISTS: usize = 600;
    let repo = TestRepo::new();
    let mut ids: Vec<String> = (0..LISTS).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    ids.sort();
    repo.git_stdin(&["fast-import", "--quiet"], many_lists(&ids, "List", false).as_bytes());
    // An unreadable list in each half of the ids.
    let bad = ["01000000-0000-7000-8000-000000000000", "ffffffff-0000-7000-8000-000000000000"];
    for id in bad {
        repo.plant(&format!("refs/tasklists/{id}"), b"format = 1\nthis is not toml [[\n");
    }
    repo.git(&["pack-refs", "--all"]);
    let (_, line) = debug_list(&repo);
    assert!(line.contains(&format!("{} list(s) read from git", LISTS + 2)), "{line}");
    let cold = list_json(&repo, true);
    check_many(&cold, &ids, "List", &bad);
    // Served from the index: the same answer.
    let (_, line) = debug_list(&repo);
    assert!(line.contains(&format!("2 list(s) read from git, {LISTS} served")), "{line}");
    assert_eq!(list_json(&repo, true), cold);
    // Every list moved by plain git (loose refs now, an old packed-refs so
    // the index trusts it): each read again, each with its new title.
    let name = "a_read_of_many_lists_at_once_gives_each_list_its_own_summary (moved)";
    if !crate::common::Formats::from_env().files_refs_only(name) {
        return;
    }
    age_packed(&repo, 3600);
    assert!(debug_list(&repo).1.ends_with("1 full check(s)"));
    repo.git_stdin(&["fast-import", "--quiet"], many_lists(&ids, "Moved", true).as_bytes());
    let (_, line) = debug_list(&repo);
    assert!(line.contains(&format!("{} list(s) read from git", LISTS + 2)), "{line}");
    assert!(line.ends_with("0 full check(s)"), "{line}");
    check_many(&list_json(&repo, true), &ids, "Moved", &bad);
    repo.fsck();
}
