//! Helpers for the tests that drive the real agent clients (Claude Code and
//! Codex from npm, which `.ci/run` installs into `target/e2e-npm`): where the
//! clients are, a guard that kills a client's whole process group, and a
//! scripted stand-in for the Anthropic Messages API on 127.0.0.1 that logs
//! every request.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The clients' `node_modules/.bin`, as `.ci/run` installs it.
pub fn clients_bin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-npm/node_modules/.bin")
}

/// The path of client `name` (`claude`, `codex`); panics with what to run
/// when it is not installed.
pub fn client(name: &str) -> PathBuf {
    let path = clients_bin().join(name);
    assert!(
        path.is_file(),
        "{} is missing: .ci/run installs the pinned clients (tests/e2e-npm) there",
        path.display()
    );
    path
}

/// A client started in a process group of its own; `wait` gives it a time
/// limit, and dropping the guard kills the group (the client and the hooks and
/// MCP servers it started), finished or not, so nothing outlives the test.
pub struct Running {
    child: Child,
    what: String,
}

impl Running {
    /// Spawns `cmd` (stdin from /dev/null) as the leader of a new process group.
    pub fn spawn(mut cmd: Command, what: &str) -> Running {
        cmd.stdin(Stdio::null()).process_group(0);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        Running { child, what: what.to_string() }
    }

    /// Waits for the exit, at most `limit`; past it the group is killed and the
    /// test fails.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                self.kill_group();
                panic!("{} did not finish within {limit:?}", self.what);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill_group(&mut self) {
        // The group's id is the leader's pid (process_group(0)); its members may
        // outlive the leader, so the group is signalled even after it exited.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_group();
    }
}

/// One block of a scripted assistant reply.
#[derive(Clone, Debug)]
pub enum Block {
    /// Text.
    Text(String),
    /// A tool call.
    ToolUse {
        /// The call's id (`toolu_…`), which the tool result names.
        id: String,
        /// The tool's name as the client offers it.
        name: String,
        /// The arguments.
        input: Value,
    },
}

/// Decides the reply to a Messages request; `None` for a request the script
/// does not expect (answered with plain text and reported by
/// [`MockApi::unexpected`]).
pub type Script = Box<dyn Fn(&Value) -> Option<Vec<Block>> + Send + Sync>;

/// One request the mock received, with what it answered.
#[derive(Clone, Debug)]
pub struct Logged {
    /// `POST /v1/messages?beta=true` …
    pub line: String,
    /// The body, parsed (`Null` when it is not JSON).
    pub body: Value,
    /// Whether the script expected it.
    pub expected: bool,
    /// The reply's blocks, for the failure report.
    pub reply: Vec<Block>,
}

/// A scripted model API on 127.0.0.1 — Anthropic's Messages API (streaming
/// SSE or plain JSON) and OpenAI's Responses API — every request logged.
/// Stopped when dropped.
pub struct MockApi {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: Arc<Mutex<Vec<Logged>>>,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<JoinHandle<()>>,
    addr: std::net::SocketAddr,
}

impl MockApi {
    /// Listens on a free port and answers with `script`.
    pub fn start(script: Script) -> MockApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let accept = {
            let (log, stop, conns) = (log.clone(), stop.clone(), conns.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if let Ok(clone) = stream.try_clone() {
                        conns.lock().unwrap().push(clone);
                    }
                    let (log, script) = (log.clone(), script.clone());
                    std::thread::spawn(move || serve(stream, &log, &script));
                }
            })
        };
        MockApi { url: format!("http://{addr}"), log, stop, conns, accept: Some(accept), addr }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    /// The model requests (the model's turns), in order.
    pub fn turns(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|l| l.expected || l.line.starts_with("POST /v1/"))
            .map(|l| l.body)
            .collect()
    }

    /// The requests the script did not expect.
    pub fn unexpected(&self) -> Vec<Logged> {
        self.requests().into_iter().filter(|l| !l.expected).collect()
    }

    /// The whole log, one request a paragraph (the last message or input item
    /// of each body, and the reply), for failure messages.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for (n, l) in self.requests().iter().enumerate() {
            let items = l.body.get("messages").or_else(|| l.body.get("input"));
            let last = items.and_then(Value::as_array).and_then(|m| m.last()).cloned();
            let last = serde_json::to_string(&last).unwrap_or_default();
            let cut: String = last.chars().take(1_500).collect();
            let _ = writeln!(
                out,
                "#{n} {} expected={}\n  last message: {cut}\n  reply: {:?}",
                l.line, l.expected, l.reply
            );
        }
        out
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop, then close every connection so their threads end.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for c in self.conns.lock().unwrap().iter() {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Serves the requests of one keep-alive connection until it closes.
fn serve(stream: TcpStream, log: &Mutex<Vec<Logged>>, script: &Script) {
    let Ok(mut out) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = line.trim_end().to_string();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut raw = vec![0u8; length];
        if reader.read_exact(&mut raw).is_err() {
            return;
        }
        let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        let response = respond(&line, &body, log, script);
        if out.write_all(&response).is_err() {
            return;
        }
    }
}

/// The HTTP response to one request; logs it. `POST /v1/messages` is
/// Anthropic's Messages API, `POST /v1/responses` OpenAI's Responses API (what
/// Codex speaks); anything else is unexpected and gets a 404.
fn respond(line: &str, body: &Value, log: &Mutex<Vec<Logged>>, script: &Script) -> Vec<u8> {
    let path = line.split_whitespace().nth(1).unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let known = line.starts_with("POST ") && matches!(path, "/v1/messages" | "/v1/responses");
    let planned = if known && body.is_object() { script(body) } else { None };
    let expected = planned.is_some();
    let reply = planned.unwrap_or_else(|| {
        vec![Block::Text("The mock has no reply scripted for this request.".into())]
    });
    let n = {
        let mut log = log.lock().unwrap();
        log.push(Logged {
            line: line.to_string(),
            body: body.clone(),
            expected,
            reply: reply.clone(),
        });
        log.len()
    };
    if !known {
        let b = json!({"type": "error", "error": {"type": "not_found_error", "message": line}});
        return http(404, "application/json", &b.to_string());
    }
    let model = body["model"].as_str().unwrap_or("mock");
    if path == "/v1/responses" {
        http(200, "text/event-stream", &responses_sse(n, &reply))
    } else if body["stream"] == true {
        http(200, "text/event-stream", &sse(n, model, &reply))
    } else {
        http(200, "application/json", &message(n, model, &reply).to_string())
    }
}

/// A Responses API stream: response.created, one output_item.done per block
/// (a tool named `mcp__server__Tool` is sent as Codex names it: namespace
/// `mcp__server`, name `Tool`), response.completed.
fn responses_sse(n: usize, blocks: &[Block]) -> String {
    let id = format!("resp_mock_{n}");
    let mut events = vec![json!({"type": "response.created", "response": {"id": id}})];
    for (index, b) in blocks.iter().enumerate() {
        let item = match b {
            Block::Text(t) => json!({"type": "message", "role": "assistant",
                "id": format!("msg_mock_{n}_{index}"),
                "content": [{"type": "output_text", "text": t, "annotations": []}]}),
            Block::ToolUse { id, name, input } => {
                let (namespace, tool) = match name.rsplit_once("__") {
                    Some((ns, tool)) => (Value::from(ns), tool),
                    None => (Value::Null, name.as_str()),
                };
                json!({"type": "function_call", "id": format!("fc_mock_{n}_{index}"),
                    "call_id": id, "name": tool, "namespace": namespace,
                    "arguments": input.to_string()})
            }
        };
        events.push(
            json!({"type": "response.output_item.done", "output_index": index, "item": item}),
        );
    }
    events.push(json!({"type": "response.completed", "response": {"id": id, "usage": {
        "input_tokens": 1, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 2}}}));
    events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap_or_default()))
        .collect()
}

fn http(status: u16, kind: &str, body: &str) -> Vec<u8> {
    let reason = if status == 200 { "OK" } else { "Not Found" };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn stop_reason(blocks: &[Block]) -> &'static str {
    if blocks.iter().any(|b| matches!(b, Block::ToolUse { .. })) { "tool_use" } else { "end_turn" }
}

fn usage() -> Value {
    json!({"input_tokens": 1, "output_tokens": 1})
}

/// A non-streaming reply.
fn message(n: usize, model: &str, blocks: &[Block]) -> Value {
    let content: Vec<Value> = blocks
        .iter()
        .map(|b| match b {
            Block::Text(t) => json!({"type": "text", "text": t}),
            Block::ToolUse { id, name, input } => {
                json!({"type": "tool_use", "id": id, "name": name, "input": input})
            }
        })
        .collect();
    json!({"id": format!("msg_mock_{n}"), "type": "message", "role": "assistant", "model": model,
        "content": content, "stop_reason": stop_reason(blocks), "stop_sequence": null, "usage": usage()})
}

/// A streamed reply: message_start, each block's start, delta and stop,
/// message_delta with the stop reason, message_stop.
fn sse(n: usize, model: &str, blocks: &[Block]) -> String {
    let mut events = vec![json!({"type": "message_start", "message": {
        "id": format!("msg_mock_{n}"), "type": "message", "role": "assistant", "model": model,
        "content": [], "stop_reason": null, "stop_sequence": null, "usage": usage()}})];
    for (index, b) in blocks.iter().enumerate() {
        let (start, delta) = match b {
            Block::Text(t) => {
                (json!({"type": "text", "text": ""}), json!({"type": "text_delta", "text": t}))
            }
            Block::ToolUse { id, name, input } => (
                json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                json!({"type": "input_json_delta", "partial_json": input.to_string()}),
            ),
        };
        events.push(json!({"type": "content_block_start", "index": index, "content_block": start}));
        events.push(json!({"type": "content_block_delta", "index": index, "delta": delta}));
        events.push(json!({"type": "content_block_stop", "index": index}));
    }
    events.push(json!({"type": "message_delta",
        "delta": {"stop_reason": stop_reason(blocks), "stop_sequence": null},
        "usage": {"output_tokens": 1}}));
    events.push(json!({"type": "message_stop"}));
    events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap_or_default()))
        .collect()
}

/// One scripted step: the blocks of one assistant reply, computed from the
/// request (which carries every earlier tool result).
pub type Step = Box<dyn Fn(&Value) -> Vec<Block> + Send + Sync>;

/// The id of step `n`'s `k`-th tool call.
pub fn call_id(n: usize, k: usize) -> String {
    format!("toolu_step{n:02}_{k}")
}

/// A tool call for step `n` (its `k`-th).
pub fn call(n: usize, k: usize, name: &str, input: Value) -> Block {
    Block::ToolUse { id: call_id(n, k), name: name.to_string(), input }
}

/// A script that plays `steps` in order. Step 0 answers a conversation with
/// no assistant turn yet; step n+1 answers one whose last assistant turn is
/// step n's tool calls with every result present. Anything else — a turn
/// after the last step, a reply to text, a side request — is unexpected.
pub fn scripted(steps: Vec<Step>) -> Script {
    Box::new(move |req| {
        let messages = req["messages"].as_array()?;
        let Some(at) = messages.iter().rposition(|m| m["role"] == "assistant") else {
            return steps.first().map(|s| s(req));
        };
        let calls: Vec<&str> = messages[at]["content"]
            .as_array()?
            .iter()
            .filter(|b| b["type"] == "tool_use")
            .filter_map(|b| b["id"].as_str())
            .collect();
        let n: usize =
            calls.first()?.strip_prefix("toolu_step")?.split('_').next()?.parse().ok()?;
        let answered = calls.iter().all(|id| tool_result(req, id).is_some());
        let next = steps.get(n + 1)?;
        answered.then(|| next(req))
    })
}

/// The tool_result block answering call `id`, from a request's messages.
pub fn tool_result<'a>(req: &'a Value, id: &str) -> Option<&'a Value> {
    req["messages"]
        .as_array()?
        .iter()
        .filter(|m| m["role"] == "user")
        .filter_map(|m| m["content"].as_array())
        .flatten()
        .find(|b| b["type"] == "tool_result" && b["tool_use_id"] == id)
}

/// The text of a tool_result block (a string, or its text blocks joined).
pub fn result_text(block: &Value) -> String {
    match &block["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect(),
        _ => String::new(),
    }
}

/// What the model is told outside the conversation: the `system` blocks and
/// the system-role messages (where this Claude Code version puts hook context
/// and the deferred tools).
pub fn system_prompt(req: &Value) -> String {
    let mut out = String::new();
    for b in req["system"].as_array().into_iter().flatten() {
        out.push_str(b["text"].as_str().unwrap_or_default());
        out.push('\n');
    }
    for m in req["messages"].as_array().into_iter().flatten().filter(|m| m["role"] == "system") {
        match &m["content"] {
            Value::String(s) => out.push_str(s),
            Value::Array(parts) => {
                parts.iter().filter_map(|p| p["text"].as_str()).for_each(|t| out.push_str(t))
            }
            _ => {}
        }
        out.push('\n');
    }
    out
}

/// Runs `cmd` to its end (at most `limit`) and returns its status, stdout and
/// stderr.
pub fn finish(mut cmd: Command, what: &str, limit: Duration) -> (ExitStatus, String, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut running = Running::spawn(cmd, what);
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(running.child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = drain(running.child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let status = running.wait(limit);
    drop(running);
    (status, out.join().unwrap(), err.join().unwrap())
}
