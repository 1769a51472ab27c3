//! A hostile or unlucky remote: names that are not list ids, names that
//! drive a terminal, pushes it refuses (a hook, a branch in the way), a
//! remote that moves under every push. Refs on the remote are written by
//! plumbing; every answer is one clear sentence and nothing is lost.

use std::path::Path;

use crate::common::{expect_error, stderr, stdout, toml_for};
use crate::test_sync::{Team, action, daemon, team};

/// Writes a commit whose tree holds `tasklist.toml` = `content` into the
/// repository at `dir` (bare or not) and points `refname` at it.
fn plant_in(t: &Team, dir: &Path, refname: &str, content: &str) -> String {
    let blob = t.repo.git_stdin_in(dir, &["hash-object", "-w", "--stdin"], content.as_bytes());
    let entry = format!("100644 blob {}\ttasklist.toml\n", blob.trim());
    let tree = t.repo.git_stdin_in(dir, &["mktree"], entry.as_bytes());
    let commit = t.repo.git_in(dir, &["commit-tree", tree.trim(), "-m", "planted"]);
    t.repo.git_in(dir, &["update-ref", refname, commit.trim()]);
    commit.trim().to_string()
}

/// Installs `hook` (a shell script) in the bare remote.
fn hook(t: &Team, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = t.repo.root().join("remote.git/hooks").join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Lines the remote's hooks appended to `remote.git/<file>`.
fn count(t: &Team, file: &str) -> usize {
    std::fs::read_to_string(t.repo.root().join("remote.git").join(file))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

fn no_raw_controls(text: &str) {
    for c in ['\u{9b}', '\u{202e}', '\u{1b}'] {
        assert!(!text.contains(c), "raw {c:?} in {text}");
    }
}

#[test]
fn only_uuid_names_from_a_remote_are_lists_and_every_name_is_escaped() {
    let t = team();
    let id = t.create(&t.a, &["Real", "-t", "a"]);
    t.tl(&t.a, &["sync"]);
    let remote = t.repo.root().join("remote.git");
    // Someone with push access plants an 8-character prefix of the real id,
    // a name with a C1 CSI and a bidi override, and a nested ref.
    let short = id[..8].to_string();
    plant_in(&t, &remote, &format!("refs/tasklists/{short}"), &toml_for(&short, ""));
    let hostile = "x\u{9b}31m\u{202e}y";
    plant_in(&t, &remote, &format!("refs/tasklists/{hostile}"), &toml_for(hostile, ""));
    let nested = "01900000-0000-7000-8000-00000000000b";
    plant_in(&t, &remote, &format!("refs/tasklists/team/{nested}"), &toml_for(nested, ""));

    // Names that are not lists are rows of their own, but not skipped
    // lists: one stray ref must not make every later sync fail.
    let out = t.repo.cmd_in(&t.b).arg("sync").assert().success().get_output().clone();
    let (text, err) = (stdout(&out), stderr(&out));
    no_raw_controls(&text);
    no_raw_controls(&err);
    assert!(text.contains(&format!("{id}  Real  new from the remote")), "{text}");
    let not_a_list = "skipped — its name is not a list id (a UUID); left alone";
    // (No title is known for them: no gap is left for one.)
    assert!(text.contains(&format!("{short}  {not_a_list}")), "{text}");
    assert!(text.contains(&format!("x\\u{{9b}}31m\\u{{202e}}y  {not_a_list}")), "{text}");
    assert!(!text.contains(nested), "a nested namespace is not this one's: {text}");
    assert!(!err.contains("skipped"), "{err}");
    // Nothing but the real list was imported here.
    let local = t.repo.git_in(&t.b, &["for-each-ref", "--format=%(refname)", "refs/tasklists"]);
    assert_eq!(local, format!("refs/tasklists/{id}\n"));
    // So TASKLIST_ID with the 8 characters is still the real list.
    let mut shown = t.repo.cmd_in(&t.b);
    shown.env("TASKLIST_ID", &short).args(["--json", "show"]);
    let v: serde_json::Value =
        serde_json::from_slice(&shown.assert().success().get_output().stdout).unwrap();
    assert_eq!(v["id"], id.as_str());
    // JSON: the same strings to a parser, nothing a terminal obeys.
    let (v, err) = t.json_exit(&t.b, &["sync"], 0);
    assert_eq!(action(&v, hostile), "skipped");
    assert_eq!(action(&v, &short), "skipped");
    assert!(!err.contains("lists_skipped"), "{err}");
    let raw = t.repo.cmd_in(&t.b).args(["--json", "sync"]).assert().success().get_output().clone();
    no_raw_controls(&stdout(&raw));
    // The copies last fetched: the real one listed, the others reported, escaped.
    let out = t.repo.cmd_in(&t.b).args(["list", "--remote", "origin"]).assert().success();
    let out = out.get_output().clone();
    assert!(stdout(&out).contains("Real"));
    let err = stderr(&out);
    no_raw_controls(&err);
    assert!(err.contains("x\\u{9b}31m\\u{202e}y") && err.contains("not a list id"), "{err}");
    // The remote keeps what was planted: nothing is deleted there either.
    let there = t.repo.git_in(&remote, &["for-each-ref", "--format=%(refname)"]);
    assert!(there.contains(&short) && there.contains(nested), "{there}");
    t.fsck(&t.b);
}

#[test]
fn a_remote_list_named_like_a_prefix_cannot_shadow_a_list_of_ours() {
    let t = team();
    let id = t.create(&t.a, &["Mine", "-t", "a"]);
    let remote = t.repo.root().join("remote.git");
    plant_in(&t, &remote, &format!("refs/tasklists/{}", &id[..8]), &toml_for(&id[..8], ""));
    t.repo.cmd_in(&t.a).arg("sync").assert().success();
    // The list is pushed all the same, and resolves by its first 8 characters.
    let on_remote = t.repo.git_in(&remote, &["rev-parse", &format!("refs/tasklists/{id}")]);
    assert_eq!(on_remote.trim(), t.tip(&t.a, &id));
    t.repo.cmd_in(&t.a).env("TASKLIST_ID", &id[..8]).args(["start", "a"]).assert().success();
    t.fsck(&t.a);
}

const REFUSING_HOOK: &str = "#!/bin/sh\n\
    echo run >> pre-receive-runs\n\
    echo 'protected: task lists are read-only here' >&2\n\
    printf 'evil \\302\\233 31m \\342\\200\\256 txt\\n' >&2\n\
    exit 1\n";

/// Asserts the remote's own words, escaped, are in `err`.
fn says_protected(err: &str) {
    no_raw_controls(err);
    assert!(err.contains("protected: task lists are read-only here"), "{err}");
    assert!(err.contains("evil \\u{9b} 31m \\u{202e} txt"), "{err}");
}

fn refused_push_is_reported_once(t: &Team, remote: &str) {
    let a = t.create(&t.a, &["One", "-t", "x"]);
    let b = t.create(&t.a, &["Two", "-t", "y"]);
    let before = t.repo.git_in(&t.a, &["for-each-ref"]);
    let out = t.repo.cmd_in(&t.a).args(["sync", remote]).assert().code(1).get_output().clone();
    let (text, err) = (stdout(&out), stderr(&out));
    for id in [&a, &b] {
        assert!(
            text.contains(&format!("{id}  "))
                && text.contains("skipped — the remote refused it (pre-receive hook declined)"),
            "{text}"
        );
    }
    assert!(err.starts_with("Error: 2 of 2 task lists were skipped"), "{err}");
    says_protected(&err);
    assert!(!err.contains("try again"), "a refusal is not a race: {err}");
    assert_eq!(count(t, "pre-receive-runs"), 1, "a refused push is not retried");
    // Nothing moved here (no tracking ref claims the remote took it).
    assert_eq!(t.repo.git_in(&t.a, &["for-each-ref"]), before);
    let (v, _) = t.json_exit(&t.a, &["sync", remote], 1);
    assert_eq!(action(&v, &a), "skipped");
    assert!(v["remote_message"].as_str().unwrap().contains("read-only here"), "{v}");
    // A claim the remote refuses: its words, exit 1, no claim left here.
    let tip = t.tip(&t.a, &a);
    let err = expect_error(
        t.repo.cmd_in(&t.a).args(["--session", "s", "-l", &a, "start", "x", "--sync", remote]),
        1,
    );
    assert!(err.contains(&format!("refused task list {a} (pre-receive hook declined)")), "{err}");
    says_protected(&err);
    assert_eq!(count(t, "pre-receive-runs"), 3, "sync, sync --json and the claim: once each");
    assert_eq!(t.tip(&t.a, &a), tip, "no claim left here");
    t.fsck(&t.a);
}

#[test]
fn a_push_refused_by_a_hook_shows_the_remotes_words_and_is_not_retried() {
    let t = team();
    hook(&t, "pre-receive", REFUSING_HOOK);
    refused_push_is_reported_once(&t, "origin");
}

#[test]
fn a_push_refused_over_the_git_protocol_too() {
    let t = team();
    hook(&t, "pre-receive", REFUSING_HOOK);
    let d = daemon(&t.repo, t.repo.root());
    let url = format!("git://127.0.0.1:{}/remote.git", d.port);
    t.repo.git_in(&t.a, &["remote", "add", "daemon", &url]);
    refused_push_is_reported_once(&t, "daemon");
}

#[test]
fn a_branch_in_the_way_under_the_remote_prefix_is_a_refusal_not_a_race() {
    let t = team();
    // The host has a branch named like the prefix: no ref can go under it.
    let prefix = "refs/heads/claude/tasklists";
    t.repo.git_in(&t.a, &["push", "-q", "origin", &format!("HEAD:{prefix}")]);
    hook(&t, "pre-receive", "#!/bin/sh\necho run >> pre-receive-runs\n");
    let id = t.create(&t.a, &["Plan", "-t", "x"]);
    let mut sync = t.repo.cmd_in(&t.a);
    sync.args(["sync", "--remote-prefix", prefix]);
    let out = sync.assert().code(1).get_output().clone();
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(
        text.contains(&format!(
            "{id}  Plan  skipped — the remote refused it (failed to update ref)"
        )),
        "{text}"
    );
    // git's own reason, as each ref backend words it on the remote.
    let files = err.contains("cannot lock ref") && err.contains("exists");
    let reftable = err.contains("' exists; cannot create '");
    assert!(files || reftable, "{err}");
    assert_eq!(count(&t, "pre-receive-runs"), 1, "not retried as a race");
    t.fsck(&t.a);
}

/// An `update` hook that moves the ref on the remote before each push
/// lands: every push (but a new ref's) loses a real race.
const BUMPING_HOOK: &str = "#!/bin/sh\n\
    case \"$2\" in 0000000000000000000000000000000000000000) exit 0;; esac\n\
    new=$(git commit-tree \"$2^{tree}\" -p \"$2\" -m bump) || exit 1\n\
    git update-ref \"$1\" \"$new\" \"$2\" && echo bump >> bumps\n";

#[test]
fn a_remote_that_moves_under_every_push_gives_the_real_attempt_counts() {
    let t = team();
    let id = t.create(&t.a, &["Plan", "-t", "x", "-t", "y"]);
    t.tl(&t.a, &["sync"]);
    hook(&t, "update", BUMPING_HOOK);
    // A claim makes 8 rounds, and says 8.
    let err = expect_error(
        t.repo.cmd_in(&t.a).args(["--session", "s", "-l", &id, "start", "x", "--sync"]),
        4,
    );
    assert!(err.contains("changed under 8 consecutive attempts"), "{err}");
    assert_eq!(count(&t, "bumps"), 8);
    // A sync makes 3, and its row says 3.
    t.tl(&t.a, &["-l", &id, "update", "y", "--note", "n"]);
    let out = t.repo.cmd_in(&t.a).arg("sync").assert().code(1).get_output().clone();
    let text = stdout(&out);
    assert!(
        text.contains(
            "skipped — the remote changed under 3 consecutive attempts to push it; sync again"
        ),
        "{text}"
    );
    assert_eq!(count(&t, "bumps"), 11);
    // Once the remote stops moving, the next sync goes through, nothing lost.
    std::fs::remove_file(t.repo.root().join("remote.git/hooks/update")).unwrap();
    t.tl(&t.a, &["sync"]);
    let s = t.json(&t.a, &["show", &id]);
    assert_eq!(s["tasks"][1]["note"], "n");
    t.repo.cmd_in(&t.a).args(["-l", &id, "verify"]).assert().success();
    t.fsck(&t.a);
}
