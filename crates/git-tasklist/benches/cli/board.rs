//! The board: `serve`'s index, its event stream and its memory (l).

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::fixtures::*;
use crate::harness::*;

// ---------------------------------------------------------------- l: board

/// A `serve --port 0` process; killed when dropped.
struct Served {
    child: std::process::Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(repo: &Path) -> Res<Served> {
    use std::io::BufRead as _;
    let mut c = cmd(bin(), repo);
    c.args(["serve", "--port", "0"]).stdin(Stdio::null()).stdout(Stdio::piped());
    let mut child = c.spawn().map_err(|e| format!("cannot start serve: {e}"))?;
    let stdout = child.stdout.take().ok_or("serve has no stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("serve: {e}"))?;
    let addr = line
        .trim()
        .strip_prefix("Serving the board on http://")
        .and_then(|u| u.strip_suffix('/'))
        .ok_or_else(|| format!("serve printed {line:?}"))?
        .to_string();
    Ok(Served { child, addr })
}

/// One GET over a fresh connection; the body (the board sends lengths, not chunks).
fn http_get(addr: &str, path: &str) -> Res<String> {
    use std::io::Read as _;
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("GET {path}: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("GET {path}: {e}"))?;
    let text = String::from_utf8(raw).map_err(|_| format!("GET {path}: not UTF-8"))?;
    if !text.starts_with("HTTP/1.1 200") {
        return Err(format!("GET {path}: {}", text.lines().next().unwrap_or("")));
    }
    Ok(text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

/// Reads an event stream up to the next `event:` line.
fn next_event(r: &mut impl std::io::BufRead) -> Res<String> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).map_err(|e| format!("/events: {e}"))? == 0 {
            return Err("/events ended".into());
        }
        if let Some(name) = line.trim().strip_prefix("event:") {
            return Ok(name.trim().to_string());
        }
    }
}

fn rss_kib(pid: u32, field: &str) -> Res<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
}

/// The board over 1,000 lists: the index served against `list` on the same
/// repository, a commit's way to an open event stream and to the page's new
/// content, and the server's resident memory.
pub(crate) fn bench_board(s: &Sizes, r: &mut Report) -> Res<()> {
    let tmp = tempdir()?;
    let repo = tmp.path().join("board");
    let ids: Vec<String> = (0..s.lists as u64).map(spread_id).collect();
    let files = ids.iter().enumerate().map(|(i, id)| {
        let mut text = toml_header(id, &format!("Board list {i}"));
        for t in 1..=5 {
            let (status, extra) = match (i + t) % 5 {
                0 => ("completed", String::new()),
                1 => ("in_progress", format!("owner = \"session-{i}\"\n")),
                2 => ("blocked", "note = \"waiting for review\"\n".to_string()),
                _ => ("pending", String::new()),
            };
            text.push_str(&format!(
                "\n[[tasks]]\nid = \"t{t}\"\ntitle = \"Phase {t}\"\nstatus = \"{status}\"\nupdated = 2026-01-01T00:00:00Z\n{extra}"
            ));
        }
        Ok((id.clone(), text))
    });
    import_lists(&repo, files)?;
    let server = serve(&repo)?;
    let page = http_get(&server.addr, "/")?;
    let shown = page.matches("<article class=\"list").count();
    if shown != s.lists {
        return Err(format!("l: the index shows {shown} lists of {}", s.lists));
    }
    eprintln!(
        "l board: {} interleaved index requests and `list` runs over {} lists",
        s.board_runs, s.lists
    );
    let (mut served, mut listed) = (Vec::new(), Vec::new());
    for round in 0..s.warmup + s.board_runs {
        let t = Instant::now();
        http_get(&server.addr, "/")?;
        let took = t.elapsed();
        let mut c = cmd(bin(), &repo);
        c.arg("list");
        let list = timed(&mut c)?;
        if round >= s.warmup {
            served.push(took);
            listed.push(list);
        }
    }
    let m_served = r.row(format!("l board: GET / ({} lists)", s.lists), &served);
    let m_list = r.row(format!("l board: git-tasklist list ({} lists)", s.lists), &listed);
    let ratio = m_served / m_list;
    r.target(
        "l",
        format!("board: index served / list <= 3.0x ({} lists)", s.lists),
        format!("{ratio:.2}x ({m_served:.2} / {m_list:.2} ms)"),
        ratio <= 3.0,
    );
    let pid = server.child.id();
    let (rss, hwm) = (rss_kib(pid, "VmRSS:")?, rss_kib(pid, "VmHWM:")?);
    r.target(
        "l",
        format!("board: server RSS after serving the index <= 50 MB ({} lists)", s.lists),
        format!("{:.1} MB (peak {:.1} MB)", rss as f64 / 1024.0, hwm as f64 / 1024.0),
        rss <= 50 * 1024,
    );
    // Commit → change event → the fragment the page fetches shows it.
    let mut stream = std::net::TcpStream::connect(&server.addr).map_err(|e| format!("l: {e}"))?;
    write!(stream, "GET /events HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr)
        .map_err(|e| format!("l: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| format!("l: {e}"))?;
    let mut events = std::io::BufReader::new(stream);
    if next_event(&mut events)? != "ready" {
        return Err("l: /events did not start with ready".into());
    }
    let id = &ids[0];
    let (mut to_event, mut to_page) = (Vec::new(), Vec::new());
    for n in 0..s.board_events {
        let note = format!("note {n}");
        let mut c = cmd(bin(), &repo);
        c.args(["-l", id, "--session", "session-0", "update", "t1", "--note", &note]);
        timed(&mut c)?;
        let committed = Instant::now();
        if next_event(&mut events)? != "change" {
            return Err("l: expected a change event".into());
        }
        to_event.push(committed.elapsed());
        let fragment = http_get(&server.addr, &format!("/list/{id}?fragment=1"))?;
        if !fragment.contains(&note) {
            return Err(format!("l: the page lacks {note:?} after the change event"));
        }
        to_page.push(committed.elapsed());
    }
    r.row("l board: commit -> change event", &to_event);
    let page = r.row("l board: commit -> event -> new page content", &to_page);
    let worst = stats(&to_page).max;
    r.target(
        "l",
        "board: commit to new page content <= 1 s (max)".into(),
        format!("max {worst:.0} ms (median {page:.0} ms)"),
        worst <= 1000.0,
    );
    Ok(())
}
