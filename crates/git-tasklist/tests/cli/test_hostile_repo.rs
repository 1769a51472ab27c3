//! Hostile repository content: committed templates, odd refs, output
//! destinations, reserved namespaces, undecodable refs, text that drives a
//! terminal. Each is one clear sentence, the DESIGN exit code, nothing
//! written, and every other list and command still works.

use std::os::unix::fs::symlink;
use std::process::Command;

use crate::common::{TestRepo, expect_error, stderr, stdout};

fn templates_dir(repo: &TestRepo) -> std::path::PathBuf {
    let d = repo.path.join(".tasklist/templates");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn mkfifo(path: &std::path::Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Runs `handoff` with `template` as the repository's handoff template;
/// returns (exit code, stderr), asserting a clean exit (no crash) and that
/// a failure committed nothing.
fn handoff_with(template: &str) -> (i32, String, TestRepo, String) {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    std::fs::write(templates_dir(&repo).join("handoff.md"), template).unwrap();
    let before = repo.commit_count(&id);
    let out = repo.cmd().args(["-l", &id, "handoff", "-m", "n"]).output().unwrap();
    let code = out.status.code().expect("handoff was killed by a signal");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    if code != 0 {
        assert_eq!(repo.commit_count(&id), before, "a failed handoff committed");
        assert_eq!(err.lines().filter(|l| l.starts_with("Error: ")).count(), 1, "{err}");
        assert!(err.len() < 1000, "a short error: {} bytes", err.len());
    }
    (code, err, repo, id)
}

/// The `HANDOFF.md` committed on the list's tip.
fn handoff_document(repo: &TestRepo, id: &str) -> String {
    repo.git(&["show", &format!("refs/tasklists/{id}:HANDOFF.md")])
}

#[test]
fn hostile_handoff_templates_cannot_crash_or_flood() {
    // 50,000 nested unary minuses: the parser recurses on it.
    // The render runs on a thread with a stack of its own that holds it.
    let deep = format!("{{{{ {}1 }}}}\n", "-".repeat(50_000));
    let (code, err, repo, id) = handoff_with(&deep);
    assert_eq!(code, 0, "{err}");
    assert_eq!(handoff_document(&repo, &id), "1\n");
    // 100,000 chained filters: over the size bound, refused unread.
    let chained = format!("{{{{ 1{} }}}}\n", "|abs".repeat(100_000));
    let (code, err, ..) = handoff_with(&chained);
    assert_eq!(code, 1);
    assert!(err.contains("over 64 KiB"), "{err}");
    // 10,000 chained filters fit the bound and render or fail cleanly.
    let (code, err, repo, id) = handoff_with(&format!("{{{{ 1{} }}}}\n", "|abs".repeat(10_000)));
    assert_eq!(code, 0, "{err}");
    assert_eq!(handoff_document(&repo, &id), "1\n");
    // A 100 MB document is refused, and so is one just over 1 MiB.
    let (code, err, ..) = handoff_with("{{ \"x\" * 100000000 }}\n");
    assert_eq!(code, 1, "{err}");
    let (code, err, ..) = handoff_with("{{ \"x\" * 2000000 }}\n");
    assert_eq!(code, 1);
    assert!(err.contains("over 1024 KiB"), "{err}");
    // A loop that never ends runs out of fuel.
    let (code, err, ..) = handoff_with(
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    );
    assert_eq!(code, 1);
    assert!(err.contains("failed to render"), "{err}");
}

#[test]
fn control_characters_in_a_template_are_escaped_everywhere() {
    let (code, err, repo, id) =
        handoff_with("# \x1b[31mRed\x1b[0m {{ title }}\n\ttabbed\r\nbell\x07\n");
    assert_eq!(code, 0, "{err}");
    let doc = handoff_document(&repo, &id);
    assert_eq!(doc, "# \\u{1b}[31mRed\\u{1b}[0m Plan\n\ttabbed\nbell\\u{7}\n");
    let out = repo.cmd().args(["-l", &id, "handoff"]).assert().success().get_output().clone();
    assert!(!stdout(&out).contains('\x1b') && !stdout(&out).contains('\x07'));
}

#[test]
fn templates_read_only_regular_files() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let dir = templates_dir(&repo);
    symlink("/dev/zero", dir.join("zero.toml")).unwrap();
    mkfifo(&dir.join("fifo.toml"));
    std::fs::write(dir.join("ok.toml"), "[[tasks]]\nid = \"x\"\n").unwrap();
    // `templates` lists the good one and warns about the others, promptly.
    let out = repo
        .cmd()
        .arg("templates")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(stdout(&out).contains("ok "), "{}", stdout(&out));
    let err = stderr(&out);
    // A symlink out of the work tree is not even opened.
    assert!(
        err.contains("zero") && err.contains("/dev/zero is outside the repository's work tree"),
        "{err}"
    );
    assert!(err.contains("fifo") && err.contains("not a regular file (a FIFO)"), "{err}");
    let refs = repo.refs();
    for (name, why) in [
        ("zero", "/dev/zero is outside the repository's work tree"),
        ("fifo", "cannot be read: it is not a regular file (a FIFO)"),
    ] {
        let err = expect_error(
            repo.cmd()
                .args(["create", "--template", name])
                .timeout(std::time::Duration::from_secs(20)),
            1,
        );
        assert!(err.starts_with(&format!("Error: Template '{name}' ")), "{err}");
        assert!(err.contains(why), "{err}");
    }
    assert_eq!(repo.refs(), refs, "nothing written");
    // A FIFO as the handoff template does not hang handoff either.
    mkfifo(&dir.join("handoff.md"));
    let err = expect_error(
        repo.cmd().args(["-l", &id, "handoff"]).timeout(std::time::Duration::from_secs(20)),
        1,
    );
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
    assert_eq!(repo.refs(), refs);
}

#[test]
fn a_list_ref_that_is_a_tag_or_a_symbolic_ref_is_named_on_write() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let other = repo.create("Other", &["b"]);
    let tip = repo.tip(&id);
    let r = format!("refs/tasklists/{id}");
    repo.git(&["tag", "-a", "-m", "tag", "t1", &tip]);
    let tag = repo.git(&["rev-parse", "t1"]).trim().to_string();
    repo.git(&["update-ref", &r, &tag]);
    assert_eq!(repo.show_json(&id)["tasks"][0]["id"], "a", "reads peel the tag");
    let err = expect_error(repo.cmd().args(["-l", &id, "done", "a"]), 1);
    assert!(err.contains("is an annotated tag"), "{err}");
    assert_eq!(repo.git(&["rev-parse", &r]).trim(), tag, "nothing written");

    repo.git(&["update-ref", "--no-deref", "-d", &r]);
    repo.git(&["symbolic-ref", &r, &format!("refs/tasklists/{other}")]);
    let err = expect_error(repo.cmd().args(["-l", &id, "done", "b"]), 1);
    assert!(err.contains("is a symbolic ref"), "{err}");
    assert_eq!(repo.status(&other, "b"), "pending");
    repo.cmd().args(["-l", &other, "done", "b"]).assert().success();
}

#[test]
fn output_that_fails_after_a_commit_says_it_was_committed() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = repo.std_cmd().args(["-l", &id, "done", "a"]).stdout(full).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let tip = repo.tip(&id);
    assert!(err.contains(&format!("The change was committed ({tip})")), "{err}");
    assert!(err.contains("do not repeat"), "{err}");
    assert_eq!(repo.status(&id, "a"), "completed");
}

#[test]
fn handoff_output_is_checked_before_the_commit() {
    let repo = TestRepo::with_work();
    let id = repo.create("Plan", &["a"]);
    let n = repo.commit_count(&id);
    let fifo = repo.root().join("fifo");
    mkfifo(&fifo);
    let link = repo.path.join("HANDOFF.md");
    symlink(repo.git_dir().join("config"), &link).unwrap();
    let config = std::fs::read(repo.git_dir().join("config")).unwrap();
    for (dest, why) in [
        ("/dev/full".to_string(), "not a regular file"),
        (fifo.display().to_string(), "not a regular file"),
        (link.display().to_string(), "symbolic link"),
        (
            repo.git_dir().join("x.md").display().to_string(),
            "inside the repository's git directory",
        ),
        (repo.root().join("no/such/dir/x.md").display().to_string(), "does not exist"),
    ] {
        let err = expect_error(
            repo.cmd()
                .args(["-l", &id, "handoff", "-o", &dest])
                .timeout(std::time::Duration::from_secs(20)),
            1,
        );
        assert!(err.contains(why), "{dest}: {err}");
        assert!(err.contains("nothing was committed"), "{err}");
    }
    assert_eq!(repo.commit_count(&id), n, "nothing committed");
    assert_eq!(std::fs::read(repo.git_dir().join("config")).unwrap(), config);
    // A regular file is replaced whole.
    let dest = repo.root().join("notes.md");
    std::fs::write(&dest, "old").unwrap();
    repo.cmd().args(["-l", &id, "handoff", "-o"]).arg(&dest).assert().success();
    assert!(std::fs::read_to_string(&dest).unwrap().contains("Plan"));
}

#[test]
fn namespaces_git_manages_itself_are_refused() {
    let repo = TestRepo::new();
    let refs = repo.refs();
    for ns in [
        "refs/bisect",
        "refs/stash",
        "refs/replace",
        "refs/notes",
        "refs/original",
        "refs/prefetch",
        "refs/notes/x",
    ] {
        let err = expect_error(repo.cmd().args(["--namespace", ns, "create", "X"]), 1);
        assert!(err.contains("Namespace"), "{ns}: {err}");
    }
    assert_eq!(repo.refs(), refs);
}

#[test]
fn list_reports_nested_and_undecodable_refs() {
    if !crate::common::Formats::from_env()
        .files_refs_only("list_reports_nested_and_undecodable_refs")
    {
        return;
    }
    let repo = TestRepo::new();
    let id = repo.create("Good", &["a"]);
    let tip = repo.tip(&id);
    repo.git(&["update-ref", "refs/tasklists/a/b", &tip]);
    std::fs::write(repo.git_dir().join("refs/tasklists/garbage"), "not a ref\n").unwrap();
    let out = repo.cmd().arg("list").assert().success().get_output().clone();
    assert!(stdout(&out).contains("Good"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("a/b") && err.contains("sit directly under the namespace"), "{err}");
    assert!(err.contains("garbage") && err.contains("cannot be decoded"), "{err}");
    let out = repo.cmd().args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad: Vec<&str> =
        v["unreadable"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(bad, ["a/b", "garbage"]);
}

#[test]
fn a_deeply_nested_toml_line_gives_a_short_error() {
    let repo = TestRepo::new();
    repo.create("Neighbour", &["a"]);
    let id = "01900000-0000-7000-8000-00000000000a";
    let text = crate::common::toml_for(
        id,
        &format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    repo.plant(&format!("refs/tasklists/{id}"), text.as_bytes());
    let err = expect_error(repo.cmd().args(["show", id]), 1);
    assert!(err.len() < 2000, "{} bytes", err.len());
    let out = repo.cmd().arg("list").assert().success().get_output().clone();
    assert!(stderr(&out).len() < 2000 && stdout(&out).contains("Neighbour"));
}

#[test]
fn json_escapes_what_a_terminal_would_obey() {
    let repo = TestRepo::new();
    let title = "evil \u{9b}31m \u{85} \u{202e}txt.exe";
    let id = repo.create(title, &["a"]);
    let out = repo.cmd().args(["--json", "show", &id]).assert().success().get_output().clone();
    let text = stdout(&out);
    for c in ['\u{9b}', '\u{85}', '\u{202e}'] {
        assert!(!text.contains(c), "raw {c:?} in {text}");
    }
    assert!(text.contains("\\u009b") && text.contains("\\u202e"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["title"], title, "the same string to a parser");
}

#[test]
fn an_empty_session_flag_is_a_usage_error() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let err = expect_error(repo.cmd().args(["--session", "", "-l", &id, "start", "a"]), 2);
    assert!(err.contains("Session id is empty"), "{err}");
    assert_eq!(repo.status(&id, "a"), "pending");
    // An empty TASKLIST_SESSION still means no session.
    repo.cmd().env("TASKLIST_SESSION", "").args(["-l", &id, "start", "a"]).assert().success();
}

#[test]
fn writes_land_while_git_gc_packs_beside_them() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b", "c", "d"]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gc = {
        let (stop, dir) = (stop.clone(), repo.path.clone());
        let env_repo = repo.std_cmd();
        let envs: Vec<(std::ffi::OsString, std::ffi::OsString)> = env_repo
            .get_envs()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
            .collect();
        std::thread::spawn(move || {
            let mut runs = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let st = Command::new("git")
                    .env_clear()
                    .envs(envs.iter().cloned())
                    .current_dir(&dir)
                    // Packs and deletes the loose objects (and their emptied
                    // fan-out directories) while writers add new ones; the
                    // default prune grace keeps objects not yet referenced.
                    .args(["gc", "--quiet"])
                    .status()
                    .unwrap();
                runs += usize::from(st.success());
            }
            runs
        })
    };
    let writers: Vec<_> = ["a", "b", "c", "d"]
        .iter()
        .map(|t| {
            let mut cmds = Vec::new();
            for n in 0..25 {
                let mut c = repo.std_cmd();
                c.args(["-l", &id, "update", t, "--note", &format!("{t}{n}")]);
                cmds.push(c);
            }
            std::thread::spawn(move || {
                cmds.into_iter()
                    .map(|mut c| c.output().unwrap())
                    .filter(|o| !o.status.success())
                    .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let failures: Vec<String> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let runs = gc.join().unwrap();
    assert!(runs > 0, "gc ran");
    assert!(failures.is_empty(), "{} writes failed: {failures:?}", failures.len());
    assert_eq!(repo.commit_count(&id), 101);
    repo.fsck();
}

#[test]
fn a_handoff_template_symlinked_out_of_the_work_tree_is_not_read() {
    // A clone shipping `.tasklist/templates/handoff.md` as a link to a file
    // of the user's would have it rendered, committed and pushed.
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let key = repo.home().join("id_rsa");
    std::fs::write(&key, "-----BEGIN OPENSSH PRIVATE KEY-----\nS3CRET\n").unwrap();
    symlink(&key, templates_dir(&repo).join("handoff.md")).unwrap();
    let refs = repo.refs();
    let err = expect_error(repo.cmd().args(["-l", &id, "handoff", "--note", "n"]), 1);
    assert!(err.contains("outside the repository's work tree"), "{err}");
    assert!(!err.contains("S3CRET"), "{err}");
    assert_eq!(repo.refs(), refs, "nothing committed");
    // A link inside the work tree is followed.
    repo.write("handoff-template.md", "NOTE={{ note }}\n");
    std::fs::remove_file(templates_dir(&repo).join("handoff.md")).unwrap();
    symlink("../../handoff-template.md", templates_dir(&repo).join("handoff.md")).unwrap();
    let out = repo.cmd().args(["-l", &id, "handoff", "--note", "n"]).assert().success();
    assert!(stdout(out.get_output()).contains("NOTE=n"));
}

#[test]
fn only_uuid_names_are_lists_and_names_are_escaped() {
    let repo = TestRepo::new();
    let id = repo.create("Real", &["a"]);
    // A readable list file under a name that is an 8-character prefix of a
    // real id, and one whose name drives a terminal (C1 CSI, bidi override).
    let short = &id[..8];
    repo.plant(&format!("refs/tasklists/{short}"), crate::common::toml_for(short, "").as_bytes());
    let hostile = "x\u{9b}31m\u{202e}y";
    repo.plant(
        &format!("refs/tasklists/{hostile}"),
        crate::common::toml_for(hostile, "").as_bytes(),
    );
    let refs = repo.refs();
    // TASKLIST_ID set to the 8 characters still means the real list.
    let out = repo.cmd().env("TASKLIST_ID", short).args(["--json", "show"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["id"], id.as_str());
    expect_error(repo.cmd().args(["show", hostile]), 3);
    // list shows the real one, reports the others by escaped name.
    let out = repo.cmd().arg("list").assert().success().get_output().clone();
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(text.contains(&id) && !text.contains("Planted"), "{text}");
    assert!(err.contains(short) && err.contains("not a list id (a UUID)"), "{err}");
    assert!(err.contains("x\\u{9b}31m\\u{202e}y"), "{err}");
    for c in ['\u{9b}', '\u{202e}'] {
        assert!(!text.contains(c) && !err.contains(c), "raw {c:?}: {text}{err}");
    }
    let out = repo.cmd().args(["--json", "list"]).assert().success().get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> =
        v["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    let bad: Vec<&str> =
        v["unreadable"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(bad, [short, hostile], "the same strings to a JSON parser");
    assert!(!stdout(&out).contains('\u{9b}'), "raw C1 in JSON");
    assert_eq!(repo.refs(), refs, "nothing written");
    repo.fsck();
}
