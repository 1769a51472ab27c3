//! SIGINT, SIGTERM and SIGHUP at random moments of real writes: the process
//! dies by the signal (or finishes), and leaves no ref lock, no temporary
//! file, and every list writable. The moment is random (uniform over the
//! length of an undisturbed run); the tallies show that signals did land
//! while the writes were under way.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};

use crate::common::TestRepo;
use crate::test_sync::team;

/// A small xorshift generator; the seed is printed with every failure.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        Rng(u64::from(nanos) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

const SIGNALS: [(Signal, i32); 3] = [(Signal::INT, 2), (Signal::TERM, 15), (Signal::HUP, 1)];

/// Lock files and temporary files anywhere under `dir`.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else if name.ends_with(".lock")
                || name.starts_with("tmp_")
                || name.starts_with(".tmp")
            {
                found.push(e.path());
            }
        }
    }
    found
}

/// Sends `signal` to `child` after `delay`, then waits for it: `Some(n)`
/// when it died by signal n, `None` when it exited 0; any other end fails.
fn signal_after(mut child: Child, delay: Duration, signal: Signal, what: &str) -> Option<i32> {
    // A closed stdin ends a server by itself: it stays open until the end.
    let stdin = child.stdin.take();
    std::thread::sleep(delay);
    let _ = kill_process(Pid::from_child(&child), signal);
    let status = child.wait().unwrap();
    drop(stdin);
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    assert!(
        status.success() || status.signal().is_some(),
        "{what}: neither done nor ended by the signal: {status:?} {err}"
    );
    status.signal()
}

/// How long an undisturbed run of `run` takes (the slower of two).
fn duration_of(mut run: impl FnMut()) -> Duration {
    (0..2)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .max()
        .unwrap()
}

#[test]
fn signals_during_updates_leave_no_lock_and_every_list_writable() {
    let repo = TestRepo::new();
    let tasks: Vec<String> = (0..2000).map(|i| format!("t{i}")).collect();
    let tasks: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let id = repo.create("Big", &tasks);
    let other = repo.create("Other", &["x"]);
    let mut rng = Rng::new();
    let seed = rng.0;
    let update = |n: u64| {
        let mut c = repo.std_cmd();
        c.args(["-l", &id, "update", &format!("t{}", n % 2000), "--note", &format!("n{n}")]);
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        c
    };
    let span = duration_of(|| assert!(update(0).status().unwrap().success()));
    let (mut by_signal, mut after_write, runs) = (0, 0, 60);
    for run in 0..runs {
        let (signal, number) = SIGNALS[run % 3];
        let before = repo.tip(&id);
        let delay = Duration::from_micros(rng.below(span.as_micros() as u64));
        let child = update(run as u64 + 1).spawn().unwrap();
        let what = format!("seed {seed} run {run} signal {number} after {delay:?}");
        if let Some(n) = signal_after(child, delay, signal, &what) {
            assert_eq!(n, number, "{what}");
            by_signal += 1;
            if repo.tip(&id) != before {
                after_write += 1;
            }
        } else {
            // It finished before the signal: its change landed.
            assert_ne!(repo.tip(&id), before, "{what}: exited 0 without a commit");
        }
        let left = leftovers(&repo.git_dir());
        assert!(left.is_empty(), "{what}: left behind {left:?}");
        // Still writable, both lists, at once (no lock waits for anyone).
        for list in [&id, &other] {
            let mut c = repo.cmd();
            c.args(["-l", list, "update", if list == &id { "t1" } else { "x" }]);
            c.args(["--note", &format!("check {run}")]).assert().success();
        }
    }
    eprintln!("updates: {by_signal} of {runs} ended by the signal, {after_write} after the write");
    assert!(by_signal >= runs / 5, "seed {seed}: only {by_signal} of {runs} runs met the signal");
    assert!(after_write >= 1, "seed {seed}: no signal landed once the write was under way");
    repo.cmd().args(["-l", &id, "verify"]).assert().success();
    repo.fsck();
}

#[test]
fn signals_during_a_sync_of_many_lists_leave_no_lock_and_sync_again() {
    let t = team();
    for n in 0..20 {
        t.tl(&t.b, &["create", &format!("List {n}"), "-t", "x"]);
    }
    t.tl(&t.b, &["sync"]);
    let a = t.a.clone();
    let git_dir = a.join(".git");
    // Back to a clone that has none of the lists, and one of its own to push.
    let reset = |n: usize| {
        let refs = t.repo.git_in(
            &a,
            &[
                "for-each-ref",
                "--format=delete %(refname)",
                "refs/tasklists/",
                "refs/tasklists-remote/",
            ],
        );
        t.repo.git_stdin_in(&a, &["update-ref", "--stdin"], refs.as_bytes());
        t.tl(&a, &["create", &format!("Own {n}"), "-t", "x"]);
    };
    let sync = || {
        let mut c = t.repo.std_cmd();
        c.current_dir(&a).arg("sync").stdout(Stdio::null()).stderr(Stdio::piped());
        c
    };
    let mut rng = Rng::new();
    let seed = rng.0;
    // The sync alone (each after a reset, which is not timed): a span that
    // took the reset in too put most signals after the sync had ended.
    let span = (0..2)
        .map(|_| {
            reset(0);
            let started = Instant::now();
            assert!(sync().status().unwrap().success());
            started.elapsed()
        })
        .max()
        .unwrap();
    let (mut by_signal, runs) = (0, 60);
    for run in 0..runs {
        let (signal, number) = SIGNALS[run % 3];
        reset(run + 1);
        let delay = Duration::from_micros(rng.below(span.as_micros() as u64));
        let what = format!("seed {seed} run {run} signal {number} after {delay:?}");
        if let Some(n) = signal_after(sync().spawn().unwrap(), delay, signal, &what) {
            assert_eq!(n, number, "{what}");
            by_signal += 1;
        }
        let left = leftovers(&git_dir);
        assert!(left.is_empty(), "{what}: left behind {left:?}");
        // The next sync works and brings everything.
        let out = sync().output().unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        if run % 10 == 9 {
            t.fsck(&a);
        }
    }
    eprintln!("syncs: {by_signal} of {runs} ended by the signal");
    assert!(by_signal >= runs / 5, "seed {seed}: only {by_signal} of {runs} runs met the signal");
    // Every list of the remote is here, and every list of ours is there.
    let names = |dir: &Path| {
        t.repo
            .git_in(dir, &["for-each-ref", "--format=%(refname) %(objectname)", "refs/tasklists/"])
    };
    assert_eq!(names(&a), names(&t.repo.root().join("remote.git")));
    assert!(names(&a).lines().count() > 20 + runs, "{}", names(&a));
    t.fsck(&a);
    t.fsck(&t.repo.root().join("remote.git"));
}

#[test]
fn sigterm_lets_the_mcp_call_in_flight_finish() {
    use std::io::Write;
    let repo = TestRepo::new();
    let id = repo.create("Served", &["a"]);
    let mut rng = Rng::new();
    let seed = rng.0;
    // TaskCreate with a description is two writes (the task, then its
    // note): a call cut in the middle would leave the task without it.
    let request = |n: usize| {
        let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
        let inited = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let call = serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "TaskCreate", "arguments":
                {"list": id, "subject": format!("Task {n}"), "taskId": format!("t{n}"),
                 "description": format!("note {n}")}}});
        format!("{init}\n{inited}\n{call}\n")
    };
    let serve = |n: usize| {
        let mut c = repo.std_cmd();
        c.arg("mcp").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        child.stdin.as_mut().unwrap().write_all(request(n).as_bytes()).unwrap();
        child
    };
    // An undisturbed call: the time until its answer.
    let span = duration_of(|| {
        use std::io::BufRead;
        let mut child = serve(0);
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        assert!(lines.nth(1).unwrap().unwrap().contains("\"result\""));
        child.kill().unwrap();
        child.wait().unwrap();
    });
    let (mut by_signal, mut landed, runs) = (0, 0, 30);
    for run in 1..=runs {
        let delay = Duration::from_micros(rng.below(span.as_micros() as u64));
        let what = format!("seed {seed} run {run} after {delay:?}");
        let child = serve(run);
        // stdin stays open: only the signal ends the server.
        let ended = signal_after(child, delay, Signal::TERM, &what);
        assert_eq!(ended, Some(15), "{what}");
        by_signal += 1;
        let left = leftovers(&repo.git_dir());
        assert!(left.is_empty(), "{what}: left behind {left:?}");
        let v = repo.show_json(&id);
        let task = v["tasks"].as_array().unwrap().iter().find(|t| t["id"] == format!("t{run}"));
        if let Some(task) = task {
            assert_eq!(task["note"], format!("note {run}"), "{what}: the call stopped halfway");
            landed += 1;
        }
    }
    eprintln!("mcp: {landed} of {by_signal} calls landed whole before SIGTERM ended the server");
    assert!(landed >= 1, "seed {seed}: no call was in flight when the signal came");
    repo.cmd().args(["-l", &id, "add", "after", "--title", "still writable"]).assert().success();
    repo.fsck();
}
