//! Control characters in stored text: escaped in the file, never printed raw.

use crate::common::{TestRepo, stderr, stdout};

const EVIL: &str = "Evil \x1b[31mred\nsecond line";

fn no_escape_byte(what: &str, bytes: &[u8]) {
    assert!(
        !bytes.contains(&0x1b),
        "{what} contains a raw ESC byte: {:?}",
        String::from_utf8_lossy(bytes)
    );
}

#[test]
fn control_characters_are_escaped_in_file_and_output() {
    let repo = TestRepo::new();
    let spec = format!("a={EVIL}");
    let id = repo.create_with(EVIL, &[&spec, "b"], &[]);
    repo.cmd().args(["-l", &id, "update", "b", "--note", EVIL]).assert().success();

    // The file: one line per key, escapes for the control characters, same text back.
    let file = repo.file_at(&id);
    no_escape_byte("tasklist.toml", file.as_bytes());
    let titles: Vec<&str> = file.lines().filter(|l| l.starts_with("title = ")).collect();
    assert_eq!(titles.len(), 3, "{file}");
    assert!(file.lines().all(|l| !l.starts_with("second line")), "raw newline in: {file}");
    let v: toml::Value = toml::from_str(&file).unwrap();
    assert_eq!(v["title"].as_str(), Some(EVIL));
    assert_eq!(v["tasks"][0]["title"].as_str(), Some(EVIL));
    assert_eq!(v["tasks"][1]["note"].as_str(), Some(EVIL));

    // The commit subject stays one line and escaped.
    let subject = repo.git(&["log", "-1", "--format=%s", &format!("refs/tasklists/{id}~1")]);
    no_escape_byte("commit subject", subject.as_bytes());
    let raw = repo.git(&["cat-file", "commit", &format!("refs/tasklists/{id}")]);
    no_escape_byte("commit object", raw.as_bytes());

    for args in [
        vec!["show", id.as_str()],
        vec!["list"],
        vec!["-l", &id, "log"],
        vec!["-l", &id, "next"],
        vec!["-l", &id, "done", "a"],
        vec!["--json", "show", &id],
        vec!["--json", "list"],
        vec!["--json", "-l", &id, "log"],
    ] {
        let out = repo.cmd().args(&args).assert().success().get_output().clone();
        no_escape_byte(&format!("stdout of {args:?}"), &out.stdout);
        no_escape_byte(&format!("stderr of {args:?}"), &out.stderr);
        if args[0] != "--json" {
            let text = stdout(&out);
            assert!(text.lines().all(|l| !l.starts_with("second line")), "{args:?}: {text}");
        }
    }
    let shown = stdout(&repo.cmd().args(["show", &id]).assert().success().get_output().clone());
    assert!(shown.contains("Evil \\u{1b}[31mred\\nsecond line"), "{shown}");
    // JSON carries the real text.
    assert_eq!(repo.show_json(&id)["title"], EVIL);
}

#[test]

fn task_not_found_error_escapes_the_list_title() {
    let repo = TestRepo::new();
    let id = repo.create(EVIL, &["a"]);
    let out = repo.cmd().args(["-l", &id, "done", "nope"]).assert().code(3).get_output().clone();
    no_escape_byte("stderr", &out.stderr);
    assert_eq!(stderr(&out).lines().filter(|l| l.starts_with("Error:")).count(), 1);
}

#[test]

fn unreadable_list_error_escapes_stored_bytes() {
    let repo = TestRepo::new();
    let bad = "01900000-0000-7000-8000-00000000e5c0";
    repo.plant(&format!("refs/tasklists/{bad}"), b"x = \"\x1b[31m\nformat = 1\n");
    let out = repo.cmd().args(["show", bad]).assert().code(1).get_output().clone();
    no_escape_byte("show stderr", &out.stderr);
    let out = repo.cmd().args(["list"]).assert().success().get_output().clone();
    no_escape_byte("list stderr", &out.stderr);
    let out = repo.cmd().args(["--json", "list"]).assert().success().get_output().clone();
    no_escape_byte("list --json stdout", &out.stdout);
}
