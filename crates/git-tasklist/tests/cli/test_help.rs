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

/// The sections of a help text: heading → the lines under it.
fn sections(help: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in help.lines() {
        if let Some(h) = line.strip_suffix(':').filter(|h| !h.starts_with(' ') && !h.is_empty()) {
            out.push((h.to_string(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut()
            && !line.is_empty()
        {
            lines.push(line.to_string());
        }
    }
    out
}

#[test]
fn help_groups_the_commands_and_puts_global_options_under_their_own_heading() {
    let repo = TestRepo::new();
    let every = [
        "create",
        "list",
        "show",
        "add",
        "update",
        "start",
        "done",
        "block",
        "next",
        "log",
        "resume",
        "verify",
        "handoff",
        "sync",
        "init",
        "archive",
        "unarchive",
        "templates",
        "import",
        "export",
        "demo",
        "completions",
        "install",
        "mcp",
        "hook",
        "man",
        "serve",
        "watch",
        "help",
    ];
    let globals = ["--repo", "--namespace", "--json", "--color", "--list", "--session"];
    // `help` too: the grouped template is built only when help is shown.
    for flag in ["-h", "--help", "help"] {
        let out = repo.cmd().arg(flag).assert().code(0).get_output().clone();
        let help = stdout(&out);
        let sections = sections(&help);
        let headings: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(
            headings,
            [
                "Plan & work",
                "Hand over",
                "Teammates",
                "Agents",
                "Look",
                "Housekeeping",
                "Global options"
            ],
            "{help}"
        );
        // Each command under exactly one heading, once.
        let mut listed: Vec<String> = sections[..6]
            .iter()
            .flat_map(|(_, lines)| lines.iter())
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect();
        listed.sort();
        let mut want: Vec<String> = every.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(listed, want, "{help}");
        let global = sections[6].1.join("\n");
        for g in globals {
            assert!(global.contains(g), "{g} not under Global options: {help}");
        }
    }
    // A command's own options apart from the global ones.
    for cmd in ["verify", "block", "show", "list"] {
        let out = repo.cmd().args([cmd, "-h"]).assert().code(0).get_output().clone();
        let help = stdout(&out);
        let sections = sections(&help);
        let find = |name: &str| {
            sections.iter().find(|(h, _)| h == name).map(|(_, l)| l.join("\n")).unwrap_or_default()
        };
        let (own, global) = (find("Options"), find("Global options"));
        for g in globals {
            assert!(global.contains(g), "{cmd}: {g} not under Global options: {help}");
            assert!(!own.contains(g), "{cmd}: {g} among the command's options: {help}");
        }
        assert!(own.contains("--help"), "{cmd}: {help}");
    }
}
