//! `serve`: the board over HTTP, each test against its own server on a free
//! loopback port — pages against what the CLI shows, escaping, the Host
//! check, 404 and 405, unreadable lists, and live events.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::board_support::{Server, request};
use crate::common::{TestRepo, stdout};

/// A list with every kind of task: done, in progress (session s1), blocked
/// with a reason, waiting on the blocked one, and a handoff.
fn busy_list(repo: &TestRepo) -> String {
    let id = repo.create("Release 2.0", &["build=Build it", "test=Test it", "ship=Ship it"]);
    repo.cmd()
        .args(["-l", &id, "add", "docs", "--title", "Write docs", "--depends-on", "test"])
        .assert()
        .success();
    repo.cmd().args(["-l", &id, "done", "build", "--session", "s0"]).assert().success();
    repo.cmd().args(["-l", &id, "start", "ship", "--session", "s1"]).assert().success();
    repo.cmd().args(["-l", &id, "block", "test", "--reason", "CI is red"]).assert().success();
    repo.cmd()
        .args(["-l", &id, "handoff", "--note", "build is green", "--session", "s1"])
        .assert()
        .success();
    id
}

fn json(repo: &TestRepo, args: &[&str]) -> Value {
    let out = repo.cmd().arg("--json").args(args).assert().success().get_output().clone();
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn index_shows_every_open_list_as_list_does() {
    let repo = TestRepo::new();
    let id = busy_list(&repo);
    let other = repo.create("Small chores", &["a", "b"]);
    let server = Server::start(&repo, &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let listed = json(&repo, &["list"]);
    for l in listed["lists"].as_array().unwrap() {
        let (lid, title) = (l["id"].as_str().unwrap(), l["title"].as_str().unwrap());
        assert!(page.body.contains(lid), "index lacks {lid}");
        assert!(page.body.contains(title), "index lacks {title}");
        let (done, total) = (&l["progress"]["done"], &l["progress"]["total"]);
        assert!(page.body.contains(&format!("<progress value=\"{done}\" max=\"{total}\">")));
        assert!(page.body.contains(&format!("{done}/{total}")));
    }
    assert!(page.body.contains(&format!("href=\"/list/{id}\"")));
    assert!(page.body.contains(&format!("href=\"/list/{other}\"")));
    // The task in progress and its holder, the blocked one and why, the next one.
    assert!(page.body.contains("<code>ship</code> Ship it"), "{}", page.body);
    assert!(page.body.contains("held by session <code>s1</code>"));
    assert!(page.body.contains("<code>test</code> Test it"));
    assert!(page.body.contains("CI is red"));
    assert!(page.body.contains("Next: <code>a</code> a"));
    // The next task of the release is the one s1 holds: shown once, as in progress.
    assert!(!page.body.contains("Next: <code>ship</code>"), "{}", page.body);
    // The last change: the handoff, by session s1.
    assert!(page.body.contains("Release 2.0: handoff"), "{}", page.body);
    assert!(page.body.contains("1 in progress"));
    assert!(page.body.contains("1 blocked"));
    // The same through the JSON endpoint.
    let api: Value = serde_json::from_str(&server.get("/api/lists").body).unwrap();
    let ids: Vec<&str> =
        api["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    let cli: Vec<&str> =
        listed["lists"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, cli);
    let busy = api["lists"].as_array().unwrap().iter().find(|l| l["id"] == id.as_str()).unwrap();
    assert_eq!(busy["in_progress"][0]["owner"], "s1");
    assert_eq!(busy["next_task"]["id"], "ship");
    assert_eq!(busy["held_by"], "s1");
    assert_eq!(busy["blocked"][0]["note"], "CI is red");
    assert_eq!(busy["last_change"]["session"], "s1");
    assert_eq!(busy["counts"]["completed"], 1);
    conforms_to(&api, "board");
}

/// `v` has the shape of view `name` in `view::schemas()`.
fn conforms_to(v: &Value, name: &str) {
    let schemas = serde_json::to_value(git_tasklist_core::view::schemas()).unwrap();
    let s = &schemas[name];
    crate::test_json::conforms(v, s, &s["$defs"], name);
}

#[test]
fn list_page_shows_tasks_history_handoff_and_resume_command() {
    let repo = TestRepo::new();
    let id = busy_list(&repo);
    let server = Server::start(&repo, &[]);
    let page = server.get(&format!("/list/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let shown = json(&repo, &["show", &id]);
    let mut at = 0;
    for t in shown["tasks"].as_array().unwrap() {
        let tid = t["id"].as_str().unwrap();
        let row = format!("data-task=\"{tid}\" data-status=\"{}\"", t["status"].as_str().unwrap());
        // Tasks in plan order, with their status.
        let found =
            page.body[at..].find(&row).unwrap_or_else(|| panic!("{row} missing or out of order"));
        at += found;
        assert!(page.body.contains(t["title"].as_str().unwrap()));
    }
    assert!(page.body.contains("<td><code>s1</code></td>"), "owner of ship");
    assert!(page.body.contains("<td class=\"note\">CI is red</td>"));
    // docs waits for test (blocked).
    assert!(page.body.contains("<td>test</td>"), "{}", page.body);
    assert!(page.body.contains(&format!("git tasklist resume -l {id}")));
    assert!(page.body.contains("started on branch <code>main</code>"), "{}", page.body);
    // The handoff document as committed.
    let doc = repo.git(&["show", &format!("refs/tasklists/{id}:HANDOFF.md")]);
    assert!(page.body.contains("<pre class=\"handoff\"># Handoff: Release 2.0"));
    assert!(page.body.contains("<h1>Handoff: Release 2.0</h1>"), "rendered: {}", page.body);
    assert!(doc.contains("build is green") && page.body.contains("build is green"));
    // Every commit of the log, newest first, with its session.
    let log = json(&repo, &["log", "-l", &id]);
    let mut at = 0;
    for e in log["entries"].as_array().unwrap() {
        let short = &e["commit"].as_str().unwrap()[..8];
        let found =
            page.body[at..].find(&format!("<code class=\"commit\">{short}</code>")).unwrap();
        at += found;
    }
    assert!(page.body.contains("session <code>s1</code>"));
    // The JSON endpoint is the same page's data.
    let api: Value = serde_json::from_str(&server.get(&format!("/api/list/{id}")).body).unwrap();
    assert_eq!(api["list"]["tasks"], shown["tasks"]);
    assert_eq!(api["history"].as_array().unwrap().len(), log["entries"].as_array().unwrap().len());
    assert_eq!(api["waits_for"]["docs"][0], "test");
    assert_eq!(api["handoff_document"].as_str().unwrap(), doc);
    conforms_to(&api, "board_list");
    // A fragment is the content alone, what the page's script swaps in.
    let frag = server.get(&format!("/list/{id}?fragment=1"));
    assert!(!frag.body.contains("<html") && frag.body.contains("data-task=\"build\""));
}

#[test]
fn merges_are_marked_in_the_timeline() {
    let repo = TestRepo::new();
    let id = repo.create("Merged", &["a"]);
    let tip = repo.tip(&id);
    let tree = repo.git(&["rev-parse", &format!("{tip}^{{tree}}")]);
    let side = repo.git(&["commit-tree", tree.trim(), "-p", &tip, "-m", "side"]);
    let merge = repo.git(&[
        "commit-tree",
        tree.trim(),
        "-p",
        &tip,
        "-p",
        side.trim(),
        "-m",
        "Merge from origin",
    ]);
    repo.git(&["update-ref", &format!("refs/tasklists/{id}"), merge.trim()]);
    let server = Server::start(&repo, &[]);
    let page = server.get(&format!("/list/{id}"));
    assert!(page.body.contains("<li class=\"merge\">"), "{}", page.body);
    assert!(page.body.contains("<span class=\"badge\">merge</span>"));
}

#[test]
fn hostile_strings_are_shown_as_text() {
    let repo = TestRepo::new();
    let title = "<script>alert(1)</script>";
    let id = repo.create(title, &["x"]);
    repo.cmd()
        .args([
            "-l",
            &id,
            "--session",
            "<b>s",
            "start",
            "x",
            "--note",
            "\"><img src=x onerror=alert(2)> & 'q'",
        ])
        .assert()
        .success();
    let note = "<iframe src=//evil> [c](javascript:alert(3)) ![t](https://evil.example/t.png)";
    repo.cmd().args(["-l", &id, "handoff", "--note", note]).assert().success();
    let server = Server::start(&repo, &[]);
    for path in ["/".to_string(), format!("/list/{id}"), format!("/list/{id}?fragment=1")] {
        let page = server.get(&path);
        assert_eq!(page.status, 200);
        for raw in ["<script>alert", "<img", "<iframe", "onerror=alert(2)>", "href=\"javascript:"] {
            assert!(!page.body.contains(raw), "{path} has raw {raw}: {}", page.body);
        }
        assert!(page.body.contains("&lt;script&gt;alert(1)"), "{path}: {}", page.body);
        assert!(page.header("content-security-policy").unwrap().contains("script-src 'self'"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    }
    let page = server.get(&format!("/list/{id}"));
    assert!(
        page.body.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &#x27;q&#x27;"),
        "{}",
        page.body
    );
    assert!(page.body.contains("&lt;iframe src=&#x2f;&#x2f;evil&gt;"));
    assert!(page.body.contains("<code>&lt;b&gt;s</code>") && !page.body.contains("<b>s"));
}

#[test]
fn host_header_must_name_this_server() {
    let repo = TestRepo::new();
    repo.create("Plan", &["a"]);
    let server = Server::start(&repo, &[]);
    let port = server.port;
    for host in
        [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("LocalHost:{port}")]
    {
        assert_eq!(server.request("GET", "/", &host).status, 200, "{host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("localhost:{}", port.wrapping_add(1)),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("localhost.evil.example:{port}"),
        "localhost".to_string(),
    ] {
        for path in ["/", "/api/lists", "/events", "/style.css"] {
            let r = server.request("GET", path, &host);
            assert_eq!(r.status, 403, "{host} {path}");
            assert!(!r.body.contains("Plan"));
        }
    }
    // No Host at all.
    assert_eq!(request(&server.addr, "GET", "/", None).status, 403);
}

#[test]
fn unknown_paths_are_404_and_writes_405() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let server = Server::start(&repo, &[]);
    for path in [
        "/nope",
        "/list/",
        "/list/0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e",
        "/list/..%2f..%2fetc",
        "/list/Plan",
        "/api/list/0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e",
        "/index.html",
        "/api",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        for path in ["/".to_string(), format!("/list/{id}"), "/events".into(), "/api/lists".into()]
        {
            let r = server.request(method, &path, &server.addr);
            assert_eq!(r.status, 405, "{method} {path}");
            assert_eq!(r.header("allow"), Some("get, head"));
        }
    }
    let head = server.request("HEAD", "/", &server.addr);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // Nothing was written.
    assert_eq!(repo.commit_count(&id), 1);
}

#[test]
fn an_unreadable_list_is_shown_as_such_and_the_rest_works() {
    let repo = TestRepo::new();
    let id = repo.create("Fine list", &["a"]);
    let bad = "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e";
    repo.plant(&format!("refs/tasklists/{bad}"), b"format = 1\nid = \"<script>x</script>\"\n");
    let blob = repo.git_stdin(&["hash-object", "-w", "--stdin"], b"not a commit");
    repo.git(&["update-ref", "refs/tasklists/0193f5a2-7c1e-7b3a-9d1e-000000000000", blob.trim()]);
    let server = Server::start(&repo, &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Fine list"));
    assert_eq!(page.body.matches("Unreadable list").count(), 2, "{}", page.body);
    assert!(page.body.contains(bad));
    assert!(!page.body.contains("<script>x"));
    let r = server.get(&format!("/list/{bad}"));
    assert_eq!(r.status, 500);
    assert!(r.body.contains(bad));
    assert_eq!(server.get(&format!("/list/{id}")).status, 200);
    // A prefix both ids share names two lists: the asker's to narrow.
    let r = server.get("/list/0193f5a2");
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("0193f5a2-7c1e-7b3a-9d1e-000000000000"), "{}", r.body);
    assert_eq!(server.get("/list/0000000000").status, 404);
}

#[test]
fn archived_lists_are_behind_a_toggle() {
    let repo = TestRepo::new();
    repo.create("Open one", &["a"]);
    let old = repo.create("Old one", &["a"]);
    repo.cmd().args(["archive", &old]).assert().success();
    let server = Server::start(&repo, &[]);
    let page = server.get("/");
    assert!(page.body.contains("Open one") && !page.body.contains("Old one"));
    assert!(page.body.contains("1 archived (<a href=\"/?all=1\">show</a>)"));
    let all = server.get("/?all=1");
    assert!(
        all.body.contains("Old one") && all.body.contains("<span class=\"badge\">archived</span>")
    );
}

#[test]
fn remote_tracking_state_shows_after_sync() {
    let repo = TestRepo::new();
    let id = repo.create("Shared", &["a", "b"]);
    let remote = repo.root().join("remote.git");
    repo.git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    let server = Server::start(&repo, &[]);
    assert!(!server.get("/").body.contains("origin:"));
    // The first sync pushes the list (its fetch, before, brought nothing);
    // the second fetches it back.
    repo.cmd().args(["sync"]).assert().success();
    repo.cmd().args(["sync"]).assert().success();
    assert!(server.get("/").body.contains("origin: up to date"));
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let page = server.get("/");
    assert!(
        page.body.contains("<span class=\"remote tr-ahead\">origin: ahead</span>"),
        "{}",
        page.body
    );
    assert!(server.get(&format!("/list/{id}")).body.contains("origin: ahead"));
    // Behind: after the change is pushed and fetched back, the local ref
    // moved back one commit (as if a teammate's commit had been fetched but
    // not merged yet).
    repo.cmd().args(["sync"]).assert().success();
    repo.cmd().args(["sync"]).assert().success();
    assert!(server.get("/").body.contains("origin: up to date"));
    repo.git(&["update-ref", &format!("refs/tasklists/{id}"), &format!("refs/tasklists/{id}~1")]);
    assert!(server.get("/").body.contains("origin: behind"), "{}", server.get("/").body);
    // Diverged: a change here on top of that older commit.
    repo.cmd().args(["-l", &id, "done", "b"]).assert().success();
    assert!(
        server.get("/").body.contains("<span class=\"remote tr-diverged\">origin: diverged</span>")
    );
    let other = repo.create("Not pushed", &["x"]);
    let api: Value = serde_json::from_str(&server.get("/api/lists").body).unwrap();
    let entry =
        api["lists"].as_array().unwrap().iter().find(|l| l["id"] == other.as_str()).unwrap();
    assert_eq!(entry["remotes"][0]["state"], "local_only");
}

#[test]
fn a_write_by_another_process_reaches_an_open_event_stream_within_a_second() {
    let repo = TestRepo::new();
    let id = repo.create("Live", &["a", "b"]);
    let server = Server::start(&repo, &[]);
    let mut events = server.events();
    let mut second = server.events();
    for (task, status) in [("a", "in_progress"), ("a", "completed"), ("b", "blocked")] {
        let mut update = repo.cmd();
        update.args(["-l", &id, "update", task, "--status", status, "--note", "why"]);
        update.assert().success();
        let committed = Instant::now();
        let got = events.next_event(Duration::from_secs(1));
        assert_eq!(got.as_deref(), Some("change"), "no change event within 1 s of {task} {status}");
        assert!(committed.elapsed() < Duration::from_secs(1));
        assert_eq!(second.next_event(Duration::from_secs(1)).as_deref(), Some("change"));
        // What the page fetches then shows the change.
        let page = server.get(&format!("/list/{id}?fragment=1"));
        assert!(page.body.contains(&format!("data-task=\"{task}\" data-status=\"{status}\"")));
    }
    // A new list is a change too.
    repo.create("Another", &["x"]);
    assert_eq!(events.next_event(Duration::from_secs(1)).as_deref(), Some("change"));
}

#[test]
fn a_change_while_no_page_listens_is_reported_to_the_next_stream() {
    let repo = TestRepo::new();
    let id = repo.create("Quiet", &["a"]);
    let server = Server::start(&repo, &[]);
    // The poller has seen the tips once a stream has come and gone.
    drop(server.events());
    let page = server.get(&format!("/list/{id}"));
    assert!(page.body.contains("data-status=\"pending\""));
    // Written after the page was rendered, before its script subscribed.
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    let mut events = server.events();
    assert_eq!(events.next_event(Duration::from_secs(1)).as_deref(), Some("change"));
}

#[test]
fn bind_elsewhere_warns_and_serve_refuses_json() {
    let repo = TestRepo::new();
    let mut server = Server::start(&repo, &["--bind", "0.0.0.0"]);
    let mut line = String::new();
    BufReader::new(server.stderr.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("warning: serving on 0.0.0.0"), "{line}");
    assert!(server.addr.starts_with("0.0.0.0:"));
    let port = server.port;
    let local = format!("127.0.0.1:{port}");
    assert_eq!(request(&local, "GET", "/", Some(&local)).status, 200);
    assert_eq!(request(&local, "GET", "/", Some(&format!("attacker.example:{port}"))).status, 403);
    let out =
        repo.cmd().args(["--json", "serve", "--port", "0"]).assert().code(2).get_output().clone();
    assert!(crate::common::stderr(&out).contains("no --json output"));
}

#[test]
fn an_oversized_or_odd_handoff_document_is_named_not_loaded() {
    let repo = TestRepo::new();
    let id = repo.create("Big handoff", &["a"]);
    let tip = repo.tip(&id);
    let state = repo.git(&["rev-parse", &format!("{tip}:tasklist.toml")]);
    let big = "x".repeat(2 << 20);
    let doc = repo.git_stdin(&["hash-object", "-w", "--stdin"], big.as_bytes());
    let tree = repo.git_stdin(
        &["mktree"],
        format!(
            "100644 blob {}\tHANDOFF.md\n100644 blob {}\ttasklist.toml\n",
            doc.trim(),
            state.trim()
        )
        .as_bytes(),
    );
    let commit = repo.git(&["commit-tree", tree.trim(), "-p", &tip, "-m", "big handoff"]);
    repo.git(&["update-ref", &format!("refs/tasklists/{id}"), commit.trim()]);
    let server = Server::start(&repo, &[]);
    let page = server.get(&format!("/list/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("HANDOFF.md is {} bytes", 2 << 20)), "{}", page.body);
    assert!(!page.body.contains("xxxxxxxxxx"));
    assert!(page.body.contains("data-task=\"a\""));
    // HANDOFF.md as a directory: no document, no error.
    let sub = repo.git_stdin(&["mktree"], format!("100644 blob {}\tx\n", state.trim()).as_bytes());
    let tree = repo.git_stdin(
        &["mktree"],
        format!(
            "040000 tree {}\tHANDOFF.md\n100644 blob {}\ttasklist.toml\n",
            sub.trim(),
            state.trim()
        )
        .as_bytes(),
    );
    let commit = repo.git(&["commit-tree", tree.trim(), "-p", commit.trim(), "-m", "odd"]);
    repo.git(&["update-ref", &format!("refs/tasklists/{id}"), commit.trim()]);
    let page = server.get(&format!("/list/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No handoff yet."), "{}", page.body);
}

/// Sends `head` (the request line and headers, without the blank line) on
/// a fresh connection; returns the status code.
fn raw_status(addr: &str, head: &str) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "{head}Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    text.split_whitespace().nth(1).unwrap_or("0").parse().unwrap()
}

#[test]
fn a_second_host_header_or_a_foreign_authority_is_refused() {
    let repo = TestRepo::new();
    repo.create("Plan", &["a"]);
    let server = Server::start(&repo, &[]);
    let ours = &server.addr;
    assert_eq!(raw_status(ours, &format!("GET / HTTP/1.1\r\nHost: {ours}\r\n")), 200);
    for (what, head) in [
        ("foreign second", format!("GET / HTTP/1.1\r\nHost: {ours}\r\nHost: evil.example\r\n")),
        ("foreign first", format!("GET / HTTP/1.1\r\nHost: evil.example\r\nHost: {ours}\r\n")),
        ("ours twice", format!("GET /api/lists HTTP/1.1\r\nHost: {ours}\r\nHost: {ours}\r\n")),
        ("absolute form", format!("GET http://evil.example/ HTTP/1.1\r\nHost: {ours}\r\n")),
    ] {
        assert_eq!(raw_status(ours, &head), 403, "{what}");
    }
    assert_eq!(raw_status(ours, &format!("GET http://{ours}/ HTTP/1.1\r\nHost: {ours}\r\n")), 200);
}

#[test]
fn invisible_characters_reach_the_page_visibly_escaped() {
    let repo = TestRepo::new();
    let title =
        "Plan \u{202e}gnp.exe\u{202c} \u{2066}x\u{2069} z\u{200b}w \u{feff}b \u{1b}[31m \u{9b}c";
    let id = repo.create(title, &["a"]);
    repo.cmd()
        .args(["-l", &id, "update", "a", "--note", "line one\nline \u{202d}two\u{202a}\u{202b}"])
        .assert()
        .success();
    repo.cmd()
        .args(["-l", &id, "handoff", "--note", "see \u{2067}here\u{2068} `\u{202e}code`"])
        .assert()
        .success();
    let server = Server::start(&repo, &[]);
    let raw: Vec<char> = ('\u{202a}'..='\u{202e}')
        .chain('\u{2066}'..='\u{2069}')
        .chain('\u{200b}'..='\u{200f}')
        .chain(['\u{feff}', '\u{1b}', '\u{9b}'])
        .collect();
    for path in ["/".to_string(), format!("/list/{id}"), format!("/list/{id}?fragment=1")] {
        let page = server.get(&path);
        assert_eq!(page.status, 200);
        for c in &raw {
            assert!(!page.body.contains(*c), "{path} holds U+{:04X} raw", *c as u32);
        }
        assert!(page.body.contains("Plan \\u{202e}gnp.exe\\u{202c}"), "{path}: {}", page.body);
    }
    let page = server.get(&format!("/list/{id}"));
    for shown in ["\\u{2066}x\\u{2069}", "z\\u{200b}w", "\\u{feff}b", "\\u{1b}[31m", "\\u{9b}c"] {
        assert!(page.body.contains(shown), "{shown} not shown: {}", page.body);
    }
    assert!(page.body.contains("line one\nline \\u{202d}two\\u{202a}\\u{202b}"), "{}", page.body);
    assert!(page.body.contains("\\u{2067}here\\u{2068}"), "the handoff: {}", page.body);
    // The JSON keeps the strings as they are, escaped as JSON.
    let api = server.get(&format!("/api/list/{id}"));
    assert!(!raw.iter().any(|c| api.body.contains(*c)), "{}", api.body);
    let v: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["list"]["title"], title);
}

#[test]
fn pages_follow_every_change_though_built_pages_are_shared() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let server = Server::start(&repo, &[]);
    let path = format!("/list/{id}?fragment=1");
    for n in 0..5 {
        let note = format!("note number {n}");
        repo.cmd().args(["-l", &id, "update", "a", "--note", &note]).assert().success();
        // Twice at the same state: the same page.
        let (one, two) = (server.get(&path), server.get(&path));
        assert!(one.body.contains(&note), "{n}: {}", one.body);
        assert_eq!(one.body, two.body);
        let api = server.get(&format!("/api/list/{id}"));
        assert!(api.body.contains(&note), "{n}");
    }
    // Many at once at one state: every one gets the whole page.
    let bodies: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> =
            (0..20).map(|_| s.spawn(|| server.get(&format!("/list/{id}")))).collect();
        handles.into_iter().map(|h| h.join().unwrap().body).collect()
    });
    assert!(bodies.iter().all(|b| b == &bodies[0] && b.contains("note number 4")));
}

/// The loose object file of `oid` in `repo`.
fn loose_object(repo: &TestRepo, oid: &str) -> std::path::PathBuf {
    repo.git_dir().join("objects").join(&oid[..2]).join(&oid[2..])
}

#[test]
fn the_index_rereads_only_the_lists_whose_tips_moved() {
    let repo = TestRepo::new();
    let still = repo.create("Untouched", &["a", "b"]);
    let moving = repo.create("Moving", &["a", "b"]);
    let server = Server::start(&repo, &[]);
    let first: Value = serde_json::from_str(&server.get("/api/lists").body).unwrap();
    assert_eq!(first["lists"].as_array().unwrap().len(), 2, "{first}");
    // The untouched list's file is gone from the object store: reading it
    // again would make it unreadable. The other list moves.
    let blob = repo.git(&["rev-parse", &format!("refs/tasklists/{still}:tasklist.toml")]);
    let blob = blob.trim();
    let file = loose_object(&repo, blob);
    assert!(file.is_file(), "create leaves loose objects");
    let kept = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    repo.cmd().args(["-l", &moving, "done", "a"]).assert().success();
    let api: Value = serde_json::from_str(&server.get("/api/lists").body).unwrap();
    let lists = api["lists"].as_array().unwrap();
    assert!(api["unreadable"].as_array().is_none_or(|u| u.is_empty()), "{api}");
    let by_id = |id: &str| lists.iter().find(|l| l["id"] == id).cloned().unwrap();
    assert_eq!(by_id(&still)["title"], "Untouched", "{api}");
    assert_eq!(by_id(&moving)["counts"]["completed"], 1, "{api}");
    // The page of a list reads it in full, as it must.
    assert_eq!(server.get(&format!("/api/list/{still}")).status, 500);
    drop(server);
    std::fs::write(&file, kept).unwrap();
    repo.fsck();
}
