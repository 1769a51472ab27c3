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
