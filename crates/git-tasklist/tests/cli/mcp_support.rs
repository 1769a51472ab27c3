//! Driving `git-tasklist mcp` with raw JSON-RPC lines, as Claude Code does,
//! and checking results with a real JSON Schema validator.

use std::io::{BufRead, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::{Value, json};

/// How long a test waits for a line before it calls the server stuck (a
/// bound against hanging the suite, not a timing assertion).
pub const STUCK: Duration = Duration::from_secs(120);

/// The `_meta` Claude Code 2.1.328 puts on every request (captured from its
/// `claude mcp get` health check): it sends no `initialize`.
pub fn claude_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {
            "name": "claude-code", "title": "Claude Code", "version": "2.1.328",
            "description": "Anthropic's agentic coding tool",
            "websiteUrl": "https://claude.com/claude-code"
        },
        "io.modelcontextprotocol/clientCapabilities": {
            "roots": {"listChanged": true}, "elicitation": {"form": {}, "url": {}}
        }
    })
}

/// A request as Claude Code writes it: `method`, `params` with its `_meta`,
/// `jsonrpc` and `id` last.
pub fn claude_request(id: Value, method: &str, mut params: Value) -> Value {
    params["_meta"] = claude_meta();
    json!({ "method": method, "params": params, "jsonrpc": "2.0", "id": id })
}

/// A running server and its lines.
pub struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Raw {
    /// Starts `cmd` (which runs `git-tasklist … mcp`) with piped stdio.
    pub fn start(mut cmd: std::process::Command) -> Raw {
        let mut child =
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Raw { child, stdin, lines }
    }

    /// Writes `bytes` and a newline.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Writes one message.
    pub fn send(&mut self, message: &Value) {
        self.send_bytes(message.to_string().as_bytes());
    }

    /// The next line the server writes, as written.
    pub fn line(&self) -> String {
        match self.lines.recv_timeout(STUCK) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("the server wrote nothing for {STUCK:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// The next message the server writes.
    pub fn recv(&self) -> Value {
        serde_json::from_str(&self.line()).unwrap()
    }

    /// Sends a request and returns the answer with its id (there is no other
    /// traffic in these tests).
    pub fn call(&mut self, message: &Value) -> Value {
        self.send(message);
        let answer = self.recv();
        assert_eq!(answer["id"], message["id"], "{answer}");
        answer
    }

    /// Claude Code's `tools/call` of `tool` with `arguments`: the result.
    pub fn tool(&mut self, id: i64, tool: &str, arguments: Value) -> Value {
        let params = json!({ "name": tool, "arguments": arguments });
        let answer = self.call(&claude_request(json!(id), "tools/call", params));
        assert!(answer.get("error").is_none(), "a protocol error: {answer}");
        answer["result"].clone()
    }

    /// Closes stdin and waits for the server to end; returns its exit code.
    pub fn finish(mut self) -> Option<i32> {
        drop(self.stdin.take());
        self.child.wait().unwrap().code()
    }
}

impl Drop for Raw {
    /// A test that failed leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Claude Code's opening: `server/discover`, then `tools/list`. Returns the
/// tools listed.
pub fn claude_open(raw: &mut Raw) -> Vec<Value> {
    let discover = claude_request(json!("server-discover-probe-1"), "server/discover", json!({}));
    let found = raw.call(&discover);
    assert!(found["result"]["supportedVersions"].to_string().contains("2026-07-28"), "{found}");
    let listed = raw.call(&claude_request(json!(0), "tools/list", json!({})));
    listed["result"]["tools"].as_array().unwrap().clone()
}

/// The tool named `name` of a `tools/list`.
pub fn tool_named<'a>(tools: &'a [Value], name: &str) -> &'a Value {
    tools.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("no tool {name}"))
}

/// Asserts `instance` validates against `schema` (JSON Schema 2020-12).
pub fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what} does not match its schema: {errors:?}\n{instance}");
}

/// Asserts `instance` does not validate against `schema`.
pub fn assert_invalid(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema).unwrap();
    assert!(!validator.is_valid(instance), "{what} should not match its schema: {instance}");
}
