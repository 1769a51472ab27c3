//! Helpers for the board tests: a `serve` process on a free loopback port
//! (killed when the guard drops) and a small HTTP/1.1 client over a plain
//! `TcpStream`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestRepo;

/// A running `git-tasklist serve --port 0`; killed and reaped on drop.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The port.
    pub port: u16,
    /// The server's stderr, for the tests that read its warnings.
    pub stderr: Option<ChildStderr>,
}

impl Server {
    /// Starts the board on `repo` with `extra` arguments after `serve --port 0`,
    /// and waits for the URL line.
    pub fn start(repo: &TestRepo, extra: &[&str]) -> Server {
        let mut cmd = repo.std_cmd();
        cmd.args(["serve", "--port", "0"]).args(extra);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take();
        let mut line = String::new();
        // The first line is the URL; the pipe stays open while the server runs.
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let mut server = Server { child, addr: String::new(), port: 0, stderr };
        let url = line
            .trim()
            .strip_prefix("Serving the board on http://")
            .and_then(|u| u.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line from serve: {line:?}"));
        server.addr = url.to_string();
        server.port = url.rsplit(':').next().unwrap().parse().unwrap();
        server
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A GET of `path` with this server's Host.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &self.addr)
    }

    /// A request with any method and Host header.
    pub fn request(&self, method: &str, path: &str, host: &str) -> Response {
        request(&self.addr, method, path, Some(host))
    }

    /// Opens `/events` and reads up to its `ready` event.
    pub fn events(&self) -> EventStream {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "GET /events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut stream = EventStream { reader: BufReader::new(s) };
        let head = stream.read_head();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: text/event-stream"), "{head}");
        stream.next_event(Duration::from_secs(5)).expect("a ready event");
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status code, header block (lowercase names) and body.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The header lines, lowercased.
    pub headers: String,
    /// The body, de-chunked.
    pub body: String,
}

impl Response {
    /// The value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')).map(str::trim))
    }
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`);
/// `host` `None` sends no Host header.
pub fn request(addr: &str, method: &str, path: &str, host: Option<&str>) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    let body = if method == "POST" { "Content-Length: 0\r\n" } else { "" };
    write!(s, "{method} {path} HTTP/1.1\r\n{host}{body}Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers = head.lines().skip(1).collect::<Vec<_>>().join("\n").to_ascii_lowercase();
    let body = if headers.contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    Response { status, headers, body }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// An open `/events` stream.
pub struct EventStream {
    reader: BufReader<TcpStream>,
}

impl EventStream {
    fn read_head(&mut self) -> String {
        self.reader.get_ref().set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut head = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                return head;
            }
            head.push_str(&line);
        }
    }

    /// The name of the next event, waiting at most `limit`; `None` on timeout.
    /// (The body is chunked: chunk-size lines and keep-alive comments are skipped.)
    pub fn next_event(&mut self, limit: Duration) -> Option<String> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            self.reader
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .ok()?;
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {
                    if let Some(name) = line.trim().strip_prefix("event:") {
                        return Some(name.trim().to_string());
                    }
                }
                Err(_) => return None,
            }
        }
    }
}
