//! Every hint works as printed: the command a `Hint:` line (or a briefing,
//! or a handoff document) names is run exactly as printed and does what the
//! hint says, in the default namespace and in another.

use crate::common::{TestRepo, expect_error};

/// The `git tasklist …` command quoted in `text` (between backticks, or to
/// the end of the line), as the arguments after `git tasklist`.
fn printed_command(text: &str) -> Vec<String> {
    let start = text.find("git tasklist ").unwrap_or_else(|| panic!("no command in {text}"));
    let rest = &text[start + "git tasklist ".len()..];
    let end = rest.find(['`', '\n']).unwrap_or(rest.len());
    rest[..end].split_whitespace().map(|w| w.trim_matches('\'').to_string()).collect()
}

/// The `Hint:` line of an error.
fn hint(err: &str) -> &str {
    err.lines().find_map(|l| l.strip_prefix("Hint: ")).unwrap_or_else(|| panic!("no hint: {err}"))
}

/// Runs a printed command in `repo`; asserts success, returns stdout.
fn run_printed(repo: &TestRepo, args: &[String], env: &[(&str, &str)]) -> String {
    let out =
        repo.cmd().envs(env.iter().copied()).args(args).assert().success().get_output().clone();
    String::from_utf8(out.stdout).unwrap()
}

/// The default namespace, and another.
const NAMESPACES: [Option<&str>; 2] = [None, Some("refs/other-lists")];

/// A repository with list "Plan" of one task in namespace `ns`: the repo,
/// the arguments that name the namespace, the list's id.
fn plan_in(ns: Option<&'static str>, task: &str) -> (TestRepo, Vec<&'static str>, String) {
    let repo = TestRepo::new();
    let ns_args: Vec<&str> = ns.map(|n| vec!["--namespace", n]).unwrap_or_default();
    let mut create = repo.cmd();
    create.args(&ns_args).args(["create", "Plan", "--task", task]);
    let id = crate::common::created_id(&mut create);
    (repo, ns_args, id)
}

#[test]
fn task_not_found_hint_shows_that_lists_tasks() {
    for ns in NAMESPACES {
        let (repo, ns_args, id) = plan_in(ns, "alpha");
        let err = expect_error(
            repo.cmd().args(&ns_args).args(["-l", "Plan", "update", "zz", "--status", "done"]),
            3,
        );
        let command = printed_command(hint(&err));
        assert!(command.contains(&id), "the hint names the list: {err}");
        let shown = run_printed(&repo, &command, &[]);
        assert!(shown.contains("alpha"), "{command:?} did not list the tasks: {shown}");
    }
}

#[test]
fn ambiguous_title_hint_says_to_use_a_full_id_and_one_works() {
    let repo = TestRepo::new();
    let a = repo.create("Same title", &["t"]);
    let b = repo.create("Same title", &["t"]);
    let err = expect_error(repo.cmd().args(["-l", "Same title", "done", "t"]), 1);
    let h = hint(&err);
    assert!(!h.contains("more characters"), "{err}");
    assert!(h.contains("full id"), "{err}");
    // The full ids are listed in the message; one of them, as -l, works.
    assert!(err.contains(&a) && err.contains(&b), "{err}");
    repo.cmd().args(["-l", &a, "done", "t"]).assert().success();
    assert_eq!(repo.status(&a, "t"), "completed");
    assert_eq!(repo.status(&b, "t"), "pending");
}

#[test]
fn ambiguous_prefix_hint_asks_for_more_of_the_id() {
    let repo = TestRepo::new();
    let a = repo.create("First", &[]);
    let b = repo.create("Second", &[]);
    let shared = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let err = expect_error(repo.cmd().args(["show", &a[..shared]]), 1);
    assert!(hint(&err).contains("more characters of the id"), "{err}");
    repo.cmd().args(["show", &a[..shared + 1]]).assert().success();
}

#[test]
fn list_not_found_hint_lists_the_lists() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let err = expect_error(repo.cmd().args(["show", "nope"]), 3);
    let listed = run_printed(&repo, &printed_command(hint(&err)), &[]);
    assert!(listed.contains(&id[..8]) && listed.contains("Plan"), "{listed}");
}

#[test]
fn held_task_hint_and_next_command_run_as_printed() {
    for ns in NAMESPACES {
        let (repo, ns_args, id) = plan_in(ns, "a");
        repo.cmd()
            .args(&ns_args)
            .args(["--session", "s1", "-l", &id, "start", "a"])
            .assert()
            .success();
        let s2 = [("TASKLIST_SESSION", "s2")];
        // The briefing's command for the next session takes the task over.
        let out = repo
            .cmd()
            .envs(s2)
            .args(&ns_args)
            .args(["--json", "-l", &id, "resume"])
            .assert()
            .success()
            .get_output()
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let next = v["next_command"].as_str().unwrap();
        assert!(next.contains("--take-over"), "{next}");
        if let Some(n) = ns {
            assert!(next.contains(&format!("--namespace {n}")), "{next}");
        }
        run_printed(&repo, &printed_command(next), &s2);
        let reference = format!("{}/{id}", ns.unwrap_or("refs/tasklists"));
        let last = repo.git(&["log", "-1", "--format=%B", &reference]);
        assert!(last.contains("Session: s2"), "the take-over was not s2's: {last}");
    }
}

#[test]
fn handoff_documents_resume_command_runs_as_printed() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let out = repo
        .cmd()
        .args(["-l", &id, "handoff", "--note", "half done"])
        .assert()
        .success()
        .get_output()
        .clone();
    let doc = String::from_utf8(out.stdout).unwrap();
    let line =
        doc.lines().find(|l| l.contains("git tasklist resume")).unwrap_or_else(|| panic!("{doc}"));
    let briefing = run_printed(&repo, &printed_command(line), &[]);
    assert!(briefing.contains("half done"), "{briefing}");
}

#[test]
fn list_not_found_hint_reaches_the_same_namespace_in_the_cli_and_mcp() {
    for ns in NAMESPACES {
        let (repo, ns_args, id) = plan_in(ns, "alpha");
        // The command line: the hint's command names the namespace exactly
        // when it is not the default, and lists the list as printed.
        let err = expect_error(repo.cmd().args(&ns_args).args(["show", "nope"]), 3);
        let command = printed_command(hint(&err));
        match ns {
            Some(n) => assert!(command.windows(2).any(|w| w == ["--namespace", n]), "{err}"),
            None => assert!(!command.contains(&"--namespace".to_string()), "{err}"),
        }
        let listed = run_printed(&repo, &command, &[]);
        assert!(listed.contains(&id[..8]) && listed.contains("Plan"), "{listed}");
        // --json carries the same words.
        let out = repo.cmd().args(&ns_args).args(["--json", "show", "nope"]).assert().code(3);
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
        assert_eq!(v["hint"], hint(&err), "{v}");
        // The MCP server opened on that namespace words the same hint as its
        // own tool, which then lists the list.
        let mut server = repo.std_cmd();
        server.args(&ns_args).arg("mcp");
        let mut raw = crate::mcp_support::Raw::start(server);
        crate::mcp_support::claude_open(&mut raw);
        let failed = raw.tool(1, "TaskListGet", serde_json::json!({ "list": "nope" }));
        assert_eq!(failed["isError"], true, "{failed}");
        let h = failed["structuredContent"]["hint"].as_str().unwrap_or_default();
        assert!(h.contains("TaskListList") && !h.contains("git tasklist"), "{failed}");
        let lists = raw.tool(2, "TaskListList", serde_json::json!({}));
        assert!(lists["structuredContent"].to_string().contains(&id), "{lists}");
    }
}
