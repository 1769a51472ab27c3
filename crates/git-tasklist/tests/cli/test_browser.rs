//! The board in a real browser: headless Chromium renders the index and a
//! list page (`--dump-dom`), and, driven over the DevTools protocol on a pipe,
//! shows a change made after the page loaded without reloading it.
//!
//! They need Chromium, so they are `#[ignore]`d: `cargo test` lists them as
//! ignored, and `.ci/run` installs Chromium and runs them with `-- --ignored`,
//! where a missing Chromium fails them.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::board_support::Server;
use crate::common::TestRepo;

/// Chromium's path; the test fails when it is not installed.
fn chromium() -> PathBuf {
    let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
    candidates.iter().map(PathBuf::from).find(|p| p.exists()).unwrap_or_else(|| {
        panic!(
            "Chromium is not installed (looked for {candidates:?}); \
             .ci/run installs it (apt-get install chromium)"
        )
    })
}

/// The flags of a quiet, sandbox-less headless run with its own profile.
fn flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// The DOM Chromium renders for `url` once it has loaded.
fn dump_dom(chrome: &Path, repo: &TestRepo, url: &str) -> String {
    let profile = repo.root().join(format!("profile-dump-{}", url.len()));
    let out = Command::new(chrome)
        .args(flags(&profile))
        .arg("--dump-dom")
        .arg(url)
        .env("HOME", repo.home())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "needs Chromium: .ci/run installs it"]
fn chromium_renders_the_board_and_a_list_page() {
    let chrome = chromium();
    let repo = TestRepo::new();
    let id = repo.create("Release <script>alert(1)</script>", &["build=Build it", "test", "ship"]);
    repo.cmd().args(["-l", &id, "done", "build"]).assert().success();
    repo.cmd().args(["-l", &id, "--session", "s1", "start", "test"]).assert().success();
    let server = Server::start(&repo, &[]);
    let dom = dump_dom(&chrome, &repo, &server.url("/"));
    assert!(dom.contains("<progress value=\"1\" max=\"3\"></progress>"), "{dom}");
    assert!(dom.contains("1/3"));
    assert!(dom.contains("Release &lt;script&gt;alert(1)&lt;/script&gt;"), "{dom}");
    assert!(dom.contains("held by session <code>s1</code>"));
    assert!(!dom.contains("<script>alert"));
    let dom = dump_dom(&chrome, &repo, &server.url(&format!("/list/{id}")));
    for (task, status) in [("build", "completed"), ("test", "in_progress"), ("ship", "pending")] {
        assert!(dom.contains(&format!("data-task=\"{task}\" data-status=\"{status}\"")), "{dom}");
    }
    assert!(dom.contains("Build it"));
    assert!(dom.contains("<progress value=\"1\" max=\"3\"></progress>"));
    assert!(dom.contains(&format!("git tasklist resume -l {id}")));
}

/// Chromium driven over `--remote-debugging-pipe` (fds 3 and 4, wired to
/// two FIFOs by `sh`); closed and reaped on drop.
struct Browser {
    child: Child,
    to: File,
    from: mpsc::Receiver<Value>,
    next: u64,
    session: Option<String>,
}

impl Browser {
    fn open(chrome: &Path, repo: &TestRepo, url: &str) -> Browser {
        let dir = repo.root().join("cdp");
        std::fs::create_dir_all(&dir).unwrap();
        let (cmd_fifo, out_fifo) = (dir.join("in"), dir.join("out"));
        for f in [&cmd_fifo, &out_fifo] {
            assert!(Command::new("mkfifo").arg(f).status().unwrap().success());
        }
        let child = Command::new("sh")
            .arg("-c")
            .arg("exec \"$@\" 3<\"$CDP_IN\" 4>\"$CDP_OUT\"")
            .arg("sh")
            .arg(chrome)
            .args(flags(&dir.join("profile")))
            .arg("--remote-debugging-pipe")
            .arg(url)
            .env("CDP_IN", &cmd_fifo)
            .env("CDP_OUT", &out_fifo)
            .env("HOME", repo.home())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The shell opens `in` then `out`; open them in the same order.
        let to = File::create(&cmd_fifo).unwrap();
        let mut reader = File::open(&out_fifo).unwrap();
        let (tx, from) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|&b| b == 0) {
                    let msg: Vec<u8> = buf.drain(..=end).collect();
                    if let Ok(v) = serde_json::from_slice(&msg[..msg.len() - 1])
                        && tx.send(v).is_err()
                    {
                        return;
                    }
                }
            }
        });
        let mut b = Browser { child, to, from, next: 0, session: None };
        let targets = b.call("Target.getTargets", json!({}));
        let page = targets["targetInfos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .unwrap_or_else(|| panic!("no page target: {targets}"))["targetId"]
            .clone();
        let attached =
            b.call("Target.attachToTarget", json!({ "targetId": page, "flatten": true }));
        b.session = attached["sessionId"].as_str().map(String::from);
        b
    }

    /// Sends a command (to the attached page once there is one) and returns its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.checked_duration_since(Instant::now()).expect("chromium answers");
            let reply = self.from.recv_timeout(left).expect("chromium answers");
            if reply["id"] == id {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true }));
        r["result"]["value"].clone()
    }

    /// Polls `expression` until it is true (at most `limit`); returns how long it took.
    fn wait_until(&mut self, expression: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            if self.eval(expression) == json!(true) {
                return start.elapsed();
            }
            assert!(start.elapsed() < limit, "never true: {expression}");
            std::thread::yield_now();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.session = None;
        self.next += 1;
        let msg = json!({ "id": self.next, "method": "Browser.close" });
        let _ =
            self.to.write_all(&[serde_json::to_vec(&msg).unwrap_or_default(), vec![0]].concat());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::yield_now();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs Chromium: .ci/run installs it"]
fn chromium_shows_a_change_made_after_the_page_loaded_without_a_reload() {
    let chrome = chromium();
    let repo = TestRepo::new();
    let id = repo.create("Live plan", &["build", "ship"]);
    let server = Server::start(&repo, &[]);
    let mut page = Browser::open(&chrome, &repo, &server.url(&format!("/list/{id}")));
    let status =
        |task: &str| format!("document.querySelector('[data-task=\"{task}\"]').dataset.status");
    // Loaded and listening to /events.
    page.wait_until("document.body.dataset.live === '1'", Duration::from_secs(20));
    assert_eq!(page.eval(&status("build")), json!("pending"));
    assert_eq!(page.eval("document.querySelector('progress').getAttribute('value')"), json!("0"));
    // A mark that a reload would wipe.
    page.eval("window.notReloaded = true");
    repo.cmd().args(["-l", &id, "--session", "s7", "done", "build"]).assert().success();
    let took =
        page.wait_until(&format!("{} === 'completed'", status("build")), Duration::from_secs(10));
    eprintln!("the change reached the page {took:?} after the commit");
    assert_eq!(page.eval("window.notReloaded === true"), json!(true), "the page was reloaded");
    assert_eq!(page.eval("document.querySelector('progress').getAttribute('value')"), json!("1"));
    assert!(page.eval("Number(document.body.dataset.updates) >= 1") == json!(true));
    // And again: the page keeps following.
    repo.cmd().args(["-l", &id, "--session", "s7", "start", "ship"]).assert().success();
    page.wait_until(&format!("{} === 'in_progress'", status("ship")), Duration::from_secs(10));
    assert_eq!(page.eval("window.notReloaded === true"), json!(true));
    assert!(page.eval("document.body.textContent.includes('s7')") == json!(true));
}
