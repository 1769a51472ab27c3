//! The terminal side: `--color` and the colour environment.

use std::process::{Command, Output, Stdio};

use crate::common::{TestRepo, stderr, stdout};

const ESC: u8 = 0x1b;

/// The binary with the test environment but without NO_COLOR.
fn colour_cmd(repo: &TestRepo) -> assert_cmd::Command {
    let mut c = repo.cmd();
    c.env_remove("NO_COLOR");
    c
}

fn has_escapes(out: &Output) -> bool {
    out.stdout.contains(&ESC)
}

/// `s` without `ESC [ … m` sequences.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('m').expect("an escape sequence ends with m");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A list with a task in progress, one completed and one pending: every style is used.
fn list_with_states(repo: &TestRepo) -> String {
    let id = repo.create("Plan", &["a", "b", "c"]);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "--session", "s1", "start", "b"]).assert().success();
    id
}

#[test]
fn color_always_colours_a_pipe_never_and_no_color_do_not() {
    let repo = TestRepo::new();
    let id = list_with_states(&repo);
    for args in [vec!["show", id.as_str()], vec!["list"]] {
        let run = |extra: &[&str], env: Option<(&str, &str)>| {
            let mut c = colour_cmd(&repo);
            if let Some((k, v)) = env {
                c.env(k, v);
            }
            c.args(extra).args(&args).assert().success().get_output().clone()
        };
        let always = run(&["--color", "always"], None);
        assert!(has_escapes(&always), "{args:?}: --color always gave no colour");
        let never = run(&["--color", "never"], None);
        assert!(!has_escapes(&never), "{args:?}: --color never gave colour");
        // Colour only adds escapes: the text is the same.
        assert_eq!(strip_sgr(&stdout(&always)), stdout(&never), "{args:?}");
        // auto into a pipe: none, with or without NO_COLOR.
        assert!(!has_escapes(&run(&[], None)), "{args:?}: auto coloured a pipe");
        assert!(!has_escapes(&run(&["--color=auto"], Some(("NO_COLOR", "1")))), "{args:?}");
        // The option beats the environment.
        assert!(has_escapes(&run(&["--color=always"], Some(("NO_COLOR", "1")))), "{args:?}");
    }
    // The option may come after the command too; JSON is never coloured.
    let out = colour_cmd(&repo).args(["show", &id, "--color", "always"]).output().unwrap();
    assert!(has_escapes(&out));
    let out =
        colour_cmd(&repo).args(["--json", "--color", "always", "show", &id]).output().unwrap();
    assert!(out.status.success() && !has_escapes(&out), "{}", stdout(&out));
}

#[test]
fn clicolor_force_colours_a_pipe_unless_no_color_or_never() {
    let repo = TestRepo::new();
    let id = list_with_states(&repo);
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut c = colour_cmd(&repo);
        c.envs(env.iter().copied()).args(extra).args(["show", &id]);
        c.assert().success().get_output().clone()
    };
    assert!(has_escapes(&run(&[("CLICOLOR_FORCE", "1")], &[])));
    assert!(has_escapes(&run(&[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")], &[])));
    assert!(!has_escapes(&run(&[("CLICOLOR_FORCE", "")], &[])), "empty CLICOLOR_FORCE is unset");
    assert!(!has_escapes(&run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[])));
    assert!(!has_escapes(&run(&[("CLICOLOR_FORCE", "1")], &["--color", "never"])));
    assert!(!has_escapes(&run(&[("TERM", "dumb")], &[])), "TERM=dumb into a pipe");
}

/// Runs the binary with `args` on a terminal (a pty from util-linux
/// `script`), in the repository, with a clean environment plus `env`;
/// returns what it printed there.
fn on_terminal(repo: &TestRepo, args: &str, env: &[(&str, &str)]) -> String {
    let bin = assert_cmd::cargo::cargo_bin("git-tasklist");
    let line = format!("'{}' {args}", bin.display());
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", repo.home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .current_dir(&repo.path)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `script` (util-linux) to give the test a terminal: {e}")
        });
    assert!(out.status.success(), "script {line}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn auto_colours_a_terminal_unless_term_dumb_no_color_or_clicolor_zero() {
    let repo = TestRepo::new();
    let id = list_with_states(&repo);
    let show = format!("show {id}");
    let xterm = ("TERM", "xterm-256color");
    assert!(on_terminal(&repo, &show, &[xterm]).contains('\x1b'), "auto on a terminal");
    let plain = on_terminal(&repo, &show, &[("TERM", "dumb")]);
    assert!(!plain.contains('\x1b'), "TERM=dumb: {plain:?}");
    assert!(plain.contains("Plan"), "{plain:?}");
    assert!(!on_terminal(&repo, &show, &[xterm, ("NO_COLOR", "1")]).contains('\x1b'));
    assert!(!on_terminal(&repo, &show, &[xterm, ("CLICOLOR", "0")]).contains('\x1b'));
    assert!(!on_terminal(&repo, &format!("--color never {show}"), &[xterm]).contains('\x1b'));
    assert!(
        on_terminal(&repo, &format!("--color always {show}"), &[("TERM", "dumb")]).contains('\x1b')
    );
}

#[test]
fn invalid_color_is_a_usage_error() {
    let repo = TestRepo::new();
    for args in [&["--color", "bogus", "list"][..], &["list", "--color=yes"], &["--color"]] {
        let out = repo.cmd().args(args).assert().code(2).get_output().clone();
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains("--color"), "{args:?}: {}", stderr(&out));
    }
    let out = repo.cmd().args(["--json", "--color", "bogus", "list"]).assert().code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["exit_code"], 2);
    assert!(v["error"].as_str().unwrap().contains("bogus"), "{v}");
}

#[test]
fn clap_help_and_usage_errors_follow_color() {
    let repo = TestRepo::new();
    let help = |args: &[&str]| colour_cmd(&repo).args(args).assert().success().get_output().clone();
    assert!(has_escapes(&help(&["--color", "always", "--help"])));
    assert!(has_escapes(&help(&["show", "--help", "--color=always"])));
    assert!(!has_escapes(&help(&["--color", "never", "--help"])));
    assert!(!has_escapes(&help(&["--help"])), "auto into a pipe");
    let error = |args: &[&str]| {
        let out = colour_cmd(&repo).args(args).assert().code(2).get_output().clone();
        out.stderr.contains(&ESC)
    };
    assert!(error(&["--color", "always", "frobnicate"]));
    assert!(!error(&["--color", "never", "frobnicate"]));
    assert!(!error(&["frobnicate"]));
    // A JSON usage error is one clean JSON line whatever the colour.
    let out =
        colour_cmd(&repo).args(["--json", "--color", "always", "frobnicate"]).assert().code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["error"], "Unrecognized subcommand 'frobnicate'");
}
