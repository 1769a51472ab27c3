//! `--namespace`, `GIT_TASKLIST_NAMESPACE` and git config `tasklist.namespace`.

use crate::common::{TestRepo, created_id, expect_error, stdout};

fn listed(repo: &TestRepo, extra: &[&str], env: Option<&str>) -> Vec<String> {
    let mut c = repo.cmd();
    if let Some(ns) = env {
        c.env("GIT_TASKLIST_NAMESPACE", ns);
    }
    let out = c.args(extra).args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unreadable"], serde_json::json!([]), "{v}");
    v["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect()
}

fn refs_under(repo: &TestRepo, prefix: &str) -> Vec<String> {
    repo.git(&["for-each-ref", "--format=%(refname)", prefix]).lines().map(String::from).collect()
}

#[test]
fn namespace_flag_and_env_put_lists_elsewhere() {
    let repo = TestRepo::new();
    let default = repo.create("Default", &["a"]);
    let out = repo
        .cmd()
        .args(["--namespace", "refs/other", "--json", "create", "Other", "--task", "a"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let other = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["ref"], format!("refs/other/{other}"));
    let from_env = created_id(
        repo.cmd()
            .env("GIT_TASKLIST_NAMESPACE", "refs/env-ns")
            .args(["create", "From env", "--task", "a"]),
    );

    assert_eq!(refs_under(&repo, "refs/tasklists"), [format!("refs/tasklists/{default}")]);
    assert_eq!(refs_under(&repo, "refs/other"), [format!("refs/other/{other}")]);
    assert_eq!(refs_under(&repo, "refs/env-ns"), [format!("refs/env-ns/{from_env}")]);
    assert_eq!(listed(&repo, &[], None), std::slice::from_ref(&default));
    assert_eq!(listed(&repo, &["--namespace", "refs/other"], None), std::slice::from_ref(&other));
    assert_eq!(listed(&repo, &[], Some("refs/env-ns")), std::slice::from_ref(&from_env));
    // The flag beats the environment.
    assert_eq!(
        listed(&repo, &["--namespace", "refs/other"], Some("refs/env-ns")),
        std::slice::from_ref(&other)
    );

    // A list is only found in its own namespace; writes stay there.
    expect_error(repo.cmd().args(["show", &other]), 3);
    repo.cmd().args(["--namespace", "refs/other", "-l", &other, "done", "a"]).assert().success();
    assert_eq!(repo.count_ref(&format!("refs/other/{other}")), 2);
    let msg = repo.message(&format!("refs/other/{other}"));
    assert!(msg.contains(&format!("Tasklist: {other}")), "{msg}");
    repo.fsck();
}

#[test]
fn namespace_from_git_config() {
    let repo = TestRepo::new();
    repo.git(&["config", "tasklist.namespace", "refs/configured"]);
    let id = repo.create("Configured", &["a"]);
    assert_eq!(refs_under(&repo, "refs/configured"), [format!("refs/configured/{id}")]);
    assert!(refs_under(&repo, "refs/tasklists").is_empty());
    // The environment beats the config.
    assert!(listed(&repo, &[], Some("refs/tasklists")).is_empty());
}

#[test]
fn invalid_namespaces_are_refused() {
    let repo = TestRepo::new();
    let refs = repo.refs();
    for ns in ["tasklists", "refs/", "refs//x", "refs/a b", "refs/x..y", "refs/x~"] {
        let err =
            expect_error(repo.cmd().args(["--namespace", ns, "create", "X", "--task", "a"]), 1);
        assert!(err.contains("Namespace"), "{ns}: {err}");
        expect_error(repo.cmd().env("GIT_TASKLIST_NAMESPACE", ns).arg("list"), 1);
    }
    assert_eq!(repo.refs(), refs);
}

#[test]

fn nested_namespace_does_not_leak_into_the_parent() {
    let repo = TestRepo::new();
    let id = repo.create("Default", &["a"]);
    repo.cmd()
        .args(["--namespace", "refs/tasklists/archive", "create", "Archived"])
        .assert()
        .success();
    let out = repo.cmd().arg("list").assert().success().get_output().clone();
    assert_eq!(crate::common::stderr(&out), "", "warning for a list of another namespace");
    assert_eq!(listed(&repo, &[], None), [id]);
}

/// `git tasklist …` printed in `text` on the line starting with `label`, as arguments.
fn printed_command(text: &str, label: &str) -> Vec<String> {
    let line = text.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("{text}"));
    let cmd = line[label.len()..].trim();
    assert!(cmd.starts_with("git tasklist "), "{line}");
    cmd.split_whitespace().skip(2).map(String::from).collect()
}

#[test]
fn printed_commands_name_a_namespace_that_is_not_the_default() {
    let repo = TestRepo::new();
    let out = repo
        .cmd()
        .env("GIT_TASKLIST_NAMESPACE", "refs/other")
        .args(["create", "Plan", "--task", "a", "--task", "b"])
        .assert()
        .success();
    let text = stdout(out.get_output());
    let id = text.lines().next().unwrap().to_string();
    let resume = printed_command(&text, "Resume it anywhere with: ");
    assert_eq!(resume, ["--namespace", "refs/other", "resume", "-l", &id]);
    // Run as printed, by a session without the variable.
    let out = repo.cmd().args(&resume).assert().success();
    let text = stdout(out.get_output());
    let cont = printed_command(&text, "Continue with: ");
    assert_eq!(cont, ["--namespace", "refs/other", "-l", &id, "start", "a"]);
    assert!(text.contains("(`git tasklist --namespace refs/other verify` checks all history)"));
    repo.cmd().args(&cont).assert().success();
    assert_eq!(refs_under(&repo, "refs/tasklists"), Vec::<String>::new());

    let empty = repo.create_with("Empty", &[], &["--namespace", "refs/other"]);
    for cmd in ["show", "resume"] {
        let out =
            repo.cmd().args(["--namespace", "refs/other", "-l", &empty, cmd]).assert().success();
        assert!(
            stdout(out.get_output()).contains(
                "(no tasks yet; add one with: git tasklist --namespace refs/other add ID --title T)"
            ),
            "{cmd}"
        );
    }
    let out = repo.cmd().args(["--namespace", "refs/none", "list"]).assert().success();
    assert!(
        stdout(out.get_output())
            .contains("create one with: git tasklist --namespace refs/none create"),
        "{}",
        stdout(out.get_output())
    );
    let out = repo.cmd().args(["--namespace", "refs/other", "templates"]).assert().success();
    assert!(
        stdout(out.get_output()).contains("git tasklist --namespace refs/other create --template")
    );
    let err = expect_error(repo.cmd().args(["--namespace", "refs/other", "show", "nope"]), 3);
    assert!(
        err.contains("Hint: `git tasklist --namespace refs/other list` shows every list"),
        "{err}"
    );
    // The default namespace is left out.
    let err = expect_error(repo.cmd().args(["show", "nope"]), 3);
    assert!(err.contains("Hint: `git tasklist list` shows every list"), "{err}");
}
