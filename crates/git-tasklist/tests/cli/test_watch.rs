//! `watch` in a real terminal: tmux (a private server per test) runs it in a
//! pane; the test reads the pane, writes a list from outside, and quits with
//! `q` or Ctrl-C, then checks the terminal was given back as it was.
//!
//! The tests that need tmux are `#[ignore]`d: `.ci/run` installs tmux and
//! runs them with `-- --ignored`, where a missing tmux fails them.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{TestRepo, expect_error};

/// A tmux server of its own (socket in the test's temp dir); killed on drop.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Starts `script` (a shell script) in a detached 100x30 session.
    fn start(repo: &TestRepo, script: &str) -> Tmux {
        let dir = repo.root().join("tmux");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("run.sh");
        std::fs::write(&path, script).unwrap();
        let tmux = Tmux { socket: dir.join("socket") };
        let sh = format!("sh {}", path.display());
        let out = tmux.run(&["-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", &sh]);
        assert!(out.status.success(), "tmux: {}", String::from_utf8_lossy(&out.stderr));
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run tmux ({e}); .ci/run installs it (apt-get install tmux)")
            })
    }

    /// The pane's text (`escapes`: with colour as SGR sequences).
    fn screen(&self, escapes: bool) -> String {
        let args: &[&str] =
            if escapes { &["capture-pane", "-p", "-e"] } else { &["capture-pane", "-p"] };
        String::from_utf8_lossy(&self.run(args).stdout).into_owned()
    }

    /// A pane format variable, e.g. `alternate_on`.
    fn var(&self, name: &str) -> String {
        let out = self.run(&["display-message", "-p", &format!("#{{{name}}}")]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits (polling, at most 5 s) until the pane shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let screen = self.screen(false);
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "the pane never showed {text:?}:\n{screen}");
            std::thread::yield_now();
        }
    }

    /// The process the pane's shell is running (`watch`).
    fn child_pid(&self) -> String {
        let sh = self.var("pane_pid");
        let children = std::fs::read_to_string(format!("/proc/{sh}/task/{sh}/children")).unwrap();
        children.split_whitespace().next().expect("the shell runs watch").to_string()
    }

    fn keys(&self, keys: &str) {
        assert!(self.run(&["send-keys", keys]).status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// A script that runs `watch ARGS` with the test environment, then reports
/// its exit code and the terminal modes, and stays so the pane can be read.
fn script(repo: &TestRepo, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("git-tasklist");
    format!(
        "cd '{repo}'\nexport HOME='{home}' GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LC_ALL=C.UTF-8\n\
         printf 'before watch\\n'\n'{bin}' watch {args}\necho \"exit=$?\"\n\
         stty -a | tr ' ;' '\\n\\n' | grep -x -e '-*icanon' -e '-*echo' | tr '\\n' ' '\necho\nsleep 60\n",
        repo = repo.path.display(),
        home = repo.home().display(),
        bin = bin.display(),
    )
}

/// After quitting: the exit code, the main screen back, the cursor shown,
/// the line discipline cooked again.
fn assert_restored(tmux: &Tmux) {
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(screen.contains("before watch"), "main screen not restored:\n{screen}");
    assert!(!screen.contains("q quits"), "watch output left on the main screen:\n{screen}");
    let modes = tmux.wait_for("icanon");
    assert!(modes.contains("icanon echo") && !modes.contains("-icanon"), "{modes}");
    assert_eq!(tmux.var("alternate_on"), "0");
    assert_eq!(tmux.var("cursor_flag"), "1");
}

#[test]
#[ignore = "needs tmux: .ci/run installs it"]
fn watch_draws_a_list_redraws_on_a_change_and_quits_on_q() {
    let repo = TestRepo::new();
    let id = repo.create("Watched plan", &["build=Build it", "ship=Ship it"]);
    let tmux = Tmux::start(&repo, &script(&repo, &format!("--color always {id}")));
    let screen = tmux.wait_for("q quits");
    assert!(screen.contains("Watched plan") && screen.contains("Build it"), "{screen}");
    assert!(screen.contains("Ship it"), "{screen}");
    assert!(screen.contains("[----------] 0/2"), "{screen}");
    assert!(screen.contains(&format!("watching list {id}")), "{screen}");
    assert_eq!(tmux.var("alternate_on"), "1");
    assert_eq!(tmux.var("cursor_flag"), "0");
    // Colour as `show --color always` paints it: the pending symbol dimmed.
    assert!(tmux.screen(true).contains('\x1b'), "no colour");
    repo.cmd().args(["-l", &id, "done", "build"]).assert().success();
    tmux.wait_for("[#####-----] 1/2");
    tmux.wait_for("✓ build");
    repo.cmd().args(["-l", &id, "--session", "s9", "start", "ship"]).assert().success();
    tmux.wait_for("in_progress · session s9");
    tmux.keys("q");
    assert_restored(&tmux);
}

#[test]
#[ignore = "needs tmux: .ci/run installs it"]
fn watch_of_every_list_shows_new_lists_and_quits_on_ctrl_c() {
    let repo = TestRepo::new();
    let first = repo.create("First list", &["a"]);
    let tmux = Tmux::start(&repo, &script(&repo, "--color never"));
    let screen = tmux.wait_for("watching every list");
    assert!(screen.contains(&first) && screen.contains("First list"), "{screen}");
    let second = repo.create("Second list", &["a", "b"]);
    let screen = tmux.wait_for("Second list");
    assert!(screen.contains(&second) && screen.contains("0/2"), "{screen}");
    assert!(!tmux.screen(true).contains("\x1b[3"), "--color never gave colour");
    tmux.keys("C-c");
    assert_restored(&tmux);
}

#[test]
fn watch_needs_a_terminal_and_a_known_list() {
    let repo = TestRepo::new();
    repo.create("Plan", &["a"]);
    let err = expect_error(repo.cmd().args(["watch"]), 2);
    assert!(err.contains("Watch needs a terminal"), "{err}");
    let err = expect_error(repo.cmd().args(["watch", "no-such-list"]), 3);
    assert!(err.contains("not found"), "{err}");
    repo.cmd().args(["--json", "watch"]).assert().code(2);
}

#[test]
#[ignore = "needs tmux: .ci/run installs it"]
fn watch_killed_with_sigterm_gives_the_terminal_back() {
    let repo = TestRepo::new();
    let id = repo.create("Killed", &["a"]);
    let tmux = Tmux::start(&repo, &script(&repo, &id));
    tmux.wait_for("q quits");
    let pid = tmux.child_pid();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    assert_restored(&tmux);
}

#[test]
#[ignore = "needs tmux: .ci/run installs it"]
fn watch_shows_a_name_that_is_not_a_list_escaped() {
    let repo = TestRepo::new();
    let id = repo.create("Real list", &["a"]);
    let hostile = "x\u{9b}31m\u{202e}y";
    let text = crate::common::toml_for(hostile, "");
    repo.plant(&format!("refs/tasklists/{hostile}"), text.as_bytes());
    let tmux = Tmux::start(&repo, &script(&repo, "--color never"));
    let screen = tmux.wait_for("watching every list");
    assert!(screen.contains(&id) && screen.contains("Real list"), "{screen}");
    assert!(screen.contains("x\\u{9b}31m\\u{202e}y"), "{screen}");
    assert!(screen.contains("is unreadable: its name is not a list"), "{screen}");
    assert!(!screen.contains('\u{202e}') && !screen.contains("Planted"), "{screen}");
    tmux.keys("q");
    assert_restored(&tmux);
}
