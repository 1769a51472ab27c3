//! LIST resolution: full id, unique prefix (4+), exact title, TASKLIST_ID.

use crate::common::{TestRepo, expect_error, stderr, stdout};

fn shown_id(repo: &TestRepo, args: &[&str], env: Option<(&str, &str)>) -> String {
    let mut c = repo.cmd();
    if let Some((k, v)) = env {
        c.env(k, v);
    }
    let out = c.arg("--json").args(args).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["id"].as_str().unwrap().to_string()
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

#[test]
fn a_list_resolves_by_id_prefix_title_and_env() {
    let repo = TestRepo::new();
    let a = repo.create("Alpha plan", &["x"]);
    let b = repo.create("Beta plan", &["y"]);
    let shared = common_prefix(&a, &b);
    // A prefix one character past the shared part is unique.
    let pa = &a[..(shared + 1).max(4)];
    assert_eq!(shown_id(&repo, &["show", &a], None), a);
    assert_eq!(shown_id(&repo, &["show", pa], None), a);
    assert_eq!(shown_id(&repo, &["show", &pa.to_uppercase()], None), a);
    assert_eq!(shown_id(&repo, &["-l", &b[..(shared + 1).max(4)], "show"], None), b);
    assert_eq!(shown_id(&repo, &["show", "Beta plan"], None), b);
    assert_eq!(shown_id(&repo, &["--list", "Alpha plan", "show"], None), a);
    assert_eq!(shown_id(&repo, &["show"], Some(("TASKLIST_ID", &b))), b);
    assert_eq!(shown_id(&repo, &["show"], Some(("TASKLIST_ID", "Alpha plan"))), a);
    // -l wins over the environment.
    assert_eq!(shown_id(&repo, &["-l", &a, "show"], Some(("TASKLIST_ID", &b))), a);
    // Writes resolve the same way.
    repo.cmd().env("TASKLIST_ID", &a[..(shared + 1).max(4)]).args(["done", "x"]).assert().success();
    assert_eq!(repo.status(&a, "x"), "completed");
    repo.cmd().args(["-l", "Beta plan", "done", "y"]).assert().success();
    assert_eq!(repo.status(&b, "y"), "completed");
}

#[test]
fn ambiguous_prefix_lists_the_candidates() {
    let repo = TestRepo::new();
    let a = repo.create("First", &[]);
    let b = repo.create("Second", &[]);
    let shared = common_prefix(&a, &b);
    assert!(shared >= 4, "ids created a moment apart share their time prefix: {a} {b}");
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["show", &a[..shared]]), 1);
    assert!(err.contains(&a) && err.contains(&b), "candidates not listed: {err}");
    assert!(err.contains("First") && err.contains("Second"), "{err}");
    expect_error(repo.cmd().args(["-l", &a[..4], "add", "z"]), 1);
    assert_eq!(repo.refs(), refs);
}

#[test]
fn ambiguous_title_lists_the_candidates() {
    let repo = TestRepo::new();
    let a = repo.create("Same title", &["t"]);
    let b = repo.create("Same title", &["t"]);
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["-l", "Same title", "done", "t"]), 1);
    assert!(err.contains(&a) && err.contains(&b), "candidates not listed: {err}");
    assert_eq!(repo.refs(), refs);
}

#[test]
fn unknown_and_short_queries_are_not_found() {
    let repo = TestRepo::new();
    let a = repo.create("Only", &["t"]);
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["show", "no such list"]), 3);
    assert!(err.contains("no such list"), "{err}");
    // A well-formed id that does not exist.
    expect_error(repo.cmd().args(["show", "01900000-0000-7000-8000-000000000000"]), 3);
    // A prefix shorter than 4 characters does not resolve, even when unique.
    expect_error(repo.cmd().args(["show", &a[..3]]), 3);
    expect_error(repo.cmd().args(["-l", &a[..3], "done", "t"]), 3);
    // Titles are exact.
    expect_error(repo.cmd().args(["show", "only"]), 3);
    assert_eq!(repo.refs(), refs);
}

#[test]
fn no_list_given_is_a_usage_error() {
    let repo = TestRepo::new();
    repo.create("Any", &["t"]);
    let refs = repo.refs();
    for args in [&["show"][..], &["done", "t"], &["next"], &["log"], &["add", "u"]] {
        let err = expect_error(repo.cmd().args(args), 2);
        assert_eq!(
            err,
            "Error: No task list given\n\
             Hint: pass -l LIST (id, id prefix or title) or set TASKLIST_ID\n",
            "{args:?}"
        );
    }
    assert_eq!(repo.refs(), refs);
    let out = repo.cmd().args(["list"]).assert().success().get_output().clone();
    assert!(stdout(&out).contains("Any"));
}

/// Every command that acts on one list and takes no other positional argument
/// takes the list as LIST, as `-l` or from `TASKLIST_ID`, the same way.
const LIST_COMMANDS: &[&[&str]] = &[
    &["show"],
    &["resume"],
    &["verify"],
    &["log"],
    &["next"],
    &["handoff", "-m", "note"],
    &["archive"],
    &["unarchive"],
];

/// The `id` field of a command's `--json` output, or of its `list` field.
fn json_list_id(out: &std::process::Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = v.get("id").or_else(|| v.get("list")).unwrap();
    let id = if id.is_object() { &id["id"] } else { id };
    id.as_str().unwrap().to_string()
}

#[test]
fn every_list_command_takes_the_list_as_argument_flag_or_environment() {
    let repo = TestRepo::new();
    let a = repo.create("Alpha plan", &["x"]);
    let b = repo.create("Beta plan", &["y"]);
    for cmd in LIST_COMMANDS {
        let name = cmd[0];
        let rest = &cmd[1..];
        // As LIST.
        let out = repo.cmd().arg("--json").arg(name).arg("Alpha plan").args(rest).output().unwrap();
        assert!(out.status.success(), "{name} LIST: {}", stderr(&out));
        assert_eq!(json_list_id(&out), a, "{name} LIST");
        // As -l, before or after the command.
        let out = repo.cmd().args(["--json", "-l", "Beta plan", name]).args(rest).output().unwrap();
        assert!(out.status.success(), "-l LIST {name}: {}", stderr(&out));
        assert_eq!(json_list_id(&out), b, "-l LIST {name}");
        // LIST wins over TASKLIST_ID, as -l does.
        let out = repo
            .cmd()
            .env("TASKLIST_ID", &b)
            .args(["--json", name, &a])
            .args(rest)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name} LIST with TASKLIST_ID: {}", stderr(&out));
        assert_eq!(json_list_id(&out), a, "{name} LIST with TASKLIST_ID");
        let out =
            repo.cmd().env("TASKLIST_ID", &b).args(["--json", name]).args(rest).output().unwrap();
        assert!(out.status.success(), "TASKLIST_ID {name}: {}", stderr(&out));
        assert_eq!(json_list_id(&out), b, "TASKLIST_ID {name}");
    }
}

#[test]
fn a_list_given_both_as_argument_and_as_flag_is_a_usage_error() {
    let repo = TestRepo::new();
    let a = repo.create("Alpha plan", &["x"]);
    repo.create("Beta plan", &["y"]);
    let refs = repo.refs();
    let mut commands = LIST_COMMANDS.to_vec();
    commands.push(&["watch"]);
    for cmd in commands {
        for (flag_first, same) in [(true, false), (false, false), (false, true)] {
            let flag = if same { "Alpha plan" } else { "Beta plan" };
            let mut c = repo.cmd();
            if flag_first {
                c.args(["-l", flag]).arg(cmd[0]).arg(&a);
            } else {
                c.arg(cmd[0]).arg(&a).args(["--list", flag]);
            }
            let err = expect_error(c.args(&cmd[1..]), 2);
            assert_eq!(
                err,
                format!(
                    "Error: The task list is given twice: as LIST '{a}' and as -l '{flag}'\n\
                     Hint: give the list once: as the LIST argument or with -l\n"
                ),
                "{cmd:?}"
            );
        }
    }
    assert_eq!(repo.refs(), refs, "a usage error wrote something");
}

#[test]
fn an_id_prefix_wins_over_a_title_and_titles_are_read_only_when_no_id_matches() {
    let repo = TestRepo::new();
    let a = repo.create("First", &["x"]);
    // A list titled with the first list's id prefix: the prefix still means the id.
    let b = repo.create(&a[..24], &["y"]);
    assert_eq!(repo.show_json(&a[..24])["id"], a.as_str());
    // A title that looks like an id prefix but matches no id resolves by title.
    let c = repo.create("feedface", &["z"]);
    if !a.starts_with("feedface") && !b.starts_with("feedface") && !c.starts_with("feedface") {
        assert_eq!(repo.show_json("feedface")["id"], c.as_str());
    }
    // A short prefix that matches an id is too short; a short title still resolves.
    let d = repo.create("abc", &["w"]);
    assert_eq!(repo.show_json("abc")["id"], d.as_str());
    let err = crate::common::expect_error(repo.cmd().args(["show", &a[..3]]), 3);
    assert!(err.contains("too short"), "{err}");
}

#[test]
fn prefixes_resolve_from_packed_and_loose_refs_alike() {
    let repo = TestRepo::new();
    let a = repo.create("Packed", &["x"]);
    repo.git(&["pack-refs", "--all"]);
    assert!(!repo.git_dir().join("refs/tasklists").join(&a).exists(), "the ref is packed");
    let b = repo.create("Loose", &["y"]);
    let n = common_prefix(&a, &b) + 1;
    assert_eq!(repo.show_json(&a[..n.max(4)])["id"], a.as_str());
    assert_eq!(repo.show_json(&b[..n.max(4)])["id"], b.as_str());
    // A shared prefix is ambiguous across both places.
    if n > 4 {
        let err = crate::common::expect_error(repo.cmd().args(["show", &a[..n - 1]]), 1);
        assert!(err.contains(&a) && err.contains(&b), "{err}");
    }
    // A nested namespace's refs are not lists of this one.
    repo.git(&["update-ref", &format!("refs/tasklists/{}/nested", &a[..8]), &repo.tip(&a)]);
    assert_eq!(repo.show_json(&a)["id"], a.as_str());
}

#[test]
fn a_create_packs_the_namespace_once_many_refs_are_loose() {
    if !crate::common::Formats::from_env()
        .files_refs_only("a_create_packs_the_namespace_once_many_refs_are_loose")
    {
        return;
    }
    let repo = TestRepo::new();
    let first = repo.create("First", &["a"]);
    let tip = repo.tip(&first);
    let mut stdin = String::new();
    for i in 0..600u32 {
        stdin.push_str(&format!("create refs/tasklists/01900000-0000-7000-8000-{i:012x} {tip}\n"));
    }
    repo.git_stdin(&["update-ref", "--stdin"], stdin.as_bytes());
    repo.git(&["config", "gc.autoDetach", "false"]);
    let id = repo.create("After", &["b"]);
    let packed = std::fs::read_to_string(repo.git_dir().join("packed-refs")).unwrap();
    assert!(packed.lines().filter(|l| l.contains(" refs/tasklists/")).count() >= 602, "packed");
    assert!(!packed.contains("refs/heads/"), "only the namespace is packed");
    let loose = std::fs::read_dir(repo.git_dir().join("refs/tasklists")).unwrap().count();
    assert_eq!(loose, 0, "no loose refs are left");
    // Everything still resolves and writes.
    assert_eq!(repo.show_json(&id[..24])["id"], id.as_str());
    repo.cmd().args(["-l", &first, "done", "a"]).assert().success();
    assert_eq!(repo.status(&first, "a"), "completed");
}
