//! Help and usage errors.

use crate::common::{TestRepo, stderr, stdout};

#[test]
fn help_exits_zero_for_every_command() {
    let repo = TestRepo::new();
    let out = repo.cmd().arg("--help").assert().code(0).get_output().clone();
    let text = stdout(&out);
    for cmd in ["create", "list", "show", "add", "update", "start", "done", "block", "next", "log"]
    {
        assert!(text.contains(cmd), "--help does not mention {cmd}");
        let sub = repo.cmd().args([cmd, "--help"]).assert().code(0).get_output().clone();
        assert!(stdout(&sub).contains("Usage:"), "{cmd} --help");
    }
    repo.cmd().arg("--version").assert().code(0);
    assert_eq!(repo.git(&["for-each-ref"]), "");
}

#[test]
fn usage_errors_exit_two() {
    let repo = TestRepo::new();
    for args in [
        &["frobnicate"][..],
        &[],
        &["create"],
        &["block", "a"],
        &["list", "--no-such-flag"],
        &["log", "-n", "many"],
    ] {
        let out = repo.cmd().args(args).assert().code(2).get_output().clone();
        assert!(!stderr(&out).is_empty(), "{args:?}: no message");
        assert!(out.stdout.is_empty(), "{args:?}: usage error on stdout");
    }
    assert_eq!(repo.git(&["for-each-ref"]), "");
}

#[test]
fn usage_errors_with_json_are_one_json_object() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    for args in [
        &["--json", "frobnicate"][..],
        &["--json"],
        &["--json", "list", "--no-such-flag"],
        &["-l", &id, "block", "a", "--json"],
        &["-l", &id, "--json", "update", "a", "--note"],
        &["--json", "log", "-n", "many"],
        &["--json", "demo"],
    ] {
        let out = repo.cmd().args(args).assert().code(2).get_output().clone();
        assert!(out.stdout.is_empty(), "{args:?}: output on stdout");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
        let v: serde_json::Value = serde_json::from_str(&err).unwrap();
        assert_eq!(v["exit_code"], 2, "{args:?}");
        let message = v["error"].as_str().unwrap();
        assert!(!message.is_empty() && !message.starts_with("error"), "{args:?}: {v}");
        assert!(v["hint"].is_string(), "{args:?}: {v}");
    }
    let out = repo.cmd().args(["--json", "frobnicate"]).assert().code(2).get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["error"], "Unrecognized subcommand 'frobnicate'");
    // Without --json, clap's own text; --help and --version are unchanged.
    let out = repo.cmd().args(["frobnicate"]).assert().code(2).get_output().clone();
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    let out = repo.cmd().args(["--json", "--help"]).assert().code(0).get_output().clone();
    assert!(stdout(&out).contains("Usage:"));
    let out = repo.cmd().args(["--json", "--version"]).assert().code(0).get_output().clone();
    assert!(stdout(&out).starts_with("git-tasklist "));
    // A --json after `--` is a value, not the option.
    let out = repo
        .cmd()
        .args(["create", "--bogus", "--", "--json"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
}

#[test]
fn demo_has_no_json_mode() {
    let repo = TestRepo::new();
    let out = repo.cmd().args(["demo", "--json"]).assert().code(2).get_output().clone();
    assert!(out.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["error"], "Demo has no JSON output");
}
