//! The server's end of stdio: one JSON-RPC message per line, as rmcp's own
//! line transport reads them, except that a line the server cannot take is
//! answered instead of dropped: a request longer than [`MAX_LINE`] bytes (not
//! kept in memory; its `id` is found on the way), one that is not UTF-8, not
//! JSON, or not a JSON-RPC message gets a JSON-RPC error naming its `id`
//! when it has one (`null` when not), and the server reads on. Notifications
//! are never answered. Every line written is [`json_safe`]: no raw C1 control
//! or bidirectional override reaches whoever reads the stream.

use std::future::Future;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

use git_tasklist_core::text::{MAX_ECHO, clip, json_safe};

/// The longest message read, in bytes (rmcp's own bound).
pub const MAX_LINE: usize = 16 << 20;
/// JSON-RPC: the text is not JSON.
const PARSE_ERROR: i64 = -32700;
/// JSON-RPC: the JSON is not a valid request.
const INVALID_REQUEST: i64 = -32600;

/// What is written, and what is still to write: a whole line is added to
/// the buffer at once and the buffer drained from its front, so a write cut
/// short (the future dropped) leaves no half line for another to follow.
struct Out<W> {
    writer: W,
    pending: Vec<u8>,
}

impl<W: AsyncWrite + Unpin> Out<W> {
    async fn drain(&mut self) -> std::io::Result<()> {
        while !self.pending.is_empty() {
            let n = self.writer.write(&self.pending).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            self.pending.drain(..n);
        }
        self.writer.flush().await
    }
}

/// Adds `message` as one line to `out` and writes what is pending.
async fn write_line<W: AsyncWrite + Unpin>(
    out: &Mutex<Out<W>>,
    message: &str,
) -> std::io::Result<()> {
    let mut out = out.lock().await;
    out.pending.extend_from_slice(json_safe(message).as_bytes());
    out.pending.push(b'\n');
    out.drain().await
}

/// The transport over a reader and a writer (stdin and stdout).
pub struct Lines<R, W> {
    read: BufReader<R>,
    /// The line read so far.
    line: Vec<u8>,
    /// Set while the rest of a line too long to keep is skipped.
    skipping: Option<IdScan>,
    /// An answer to a line the server could not take, until it is queued.
    answer: Option<String>,
    out: Arc<Mutex<Out<W>>>,
}

impl<R, W> Lines<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    /// A transport reading `reader` and writing `writer`.
    pub fn new(reader: R, writer: W) -> Lines<R, W> {
        Lines {
            read: BufReader::new(reader),
            line: Vec::new(),
            skipping: None,
            answer: None,
            out: Arc::new(Mutex::new(Out { writer, pending: Vec::new() })),
        }
    }

    /// Reads to the end of the next line. `None` at the end of the input or
    /// on a read error. Everything it needs to resume lives in `self`: the
    /// read can be dropped at any await (rmcp polls it beside its writes).
    async fn next_line(&mut self) -> Option<Read> {
        loop {
            let available = self.read.fill_buf().await.ok()?;
            if available.is_empty() {
                return None;
            }
            let newline = available.iter().position(|b| *b == b'\n');
            let take = newline.map_or(available.len(), |i| i + 1);
            let chunk = &available[..take];
            if let Some(scan) = self.skipping.as_mut() {
                scan.feed(chunk);
            } else if self.line.len() + take > MAX_LINE {
                let mut scan = IdScan::default();
                scan.feed(&self.line);
                scan.feed(chunk);
                self.line = Vec::new();
                self.skipping = Some(scan);
            } else {
                self.line.extend_from_slice(chunk);
            }
            self.read.consume(take);
            if newline.is_some() {
                return Some(match self.skipping.take() {
                    Some(scan) => Read::TooLong(scan.id),
                    None => Read::Line(std::mem::take(&mut self.line)),
                });
            }
        }
    }
}

/// A line read.
enum Read {
    /// A whole line (with its newline).
    Line(Vec<u8>),
    /// A line over [`MAX_LINE`], skipped, and the `id` it carried.
    TooLong(Value),
}

/// What one line is: a message, nothing to answer, or an error answer.
fn parse(line: &[u8]) -> Result<Option<RxJsonRpcMessage<RoleServer>>, String> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let Ok(text) = std::str::from_utf8(line) else {
        // The id, if the rest is JSON: the answer names the request.
        let lossy = String::from_utf8_lossy(line);
        let id = serde_json::from_str::<Value>(&lossy).map(|v| id_of(&v)).unwrap_or(Value::Null);
        return Err(error(id, PARSE_ERROR, "Parse error: the message is not valid UTF-8"));
    };
    match serde_json::from_str::<RxJsonRpcMessage<RoleServer>>(text) {
        Ok(message) => Ok(Some(message)),
        Err(e) => match serde_json::from_str::<Value>(text) {
            Err(_) => Err(error(Value::Null, PARSE_ERROR, "Parse error: the message is not JSON")),
            // A notification (or a response) is never answered.
            Ok(v) if v.get("id").is_none_or(Value::is_null) => Ok(None),
            Ok(v) => {
                let why = format!("Invalid request: {}", clip(&e.to_string(), MAX_ECHO));
                Err(error(id_of(&v), INVALID_REQUEST, &why))
            }
        },
    }
}

/// A request's `id` when it is one JSON-RPC allows (a string or a number).
fn id_of(v: &Value) -> Value {
    match v.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        _ => Value::Null,
    }
}

/// A JSON-RPC error answer.
fn error(id: Value, code: i64, message: &str) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }).to_string()
}

impl<R, W> rmcp::transport::Transport<RoleServer> for Lines<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let out = self.out.clone();
        async move {
            let text = serde_json::to_string(&item).map_err(std::io::Error::other)?;
            write_line(&out, &text).await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            if let Some(answer) = self.answer.as_deref() {
                let mut out = self.out.lock().await;
                out.pending.extend_from_slice(json_safe(answer).as_bytes());
                out.pending.push(b'\n');
                self.answer = None;
                // A failed write shows in the next send, which ends the session.
                let _ = out.drain().await;
            }
            match self.next_line().await? {
                Read::Line(line) => match parse(&line) {
                    Ok(Some(message)) => return Some(message),
                    Ok(None) => {}
                    Err(answer) => self.answer = Some(answer),
                },
                Read::TooLong(id) => {
                    let why = format!(
                        "Invalid request: the message is over {} MiB and was not read",
                        MAX_LINE >> 20
                    );
                    self.answer = Some(error(id, INVALID_REQUEST, &why));
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        let mut out = self.out.lock().await;
        out.drain().await?;
        out.writer.shutdown().await
    }
}

/// Finds the `id` of a JSON-RPC object streamed through it in pieces, in
/// bounded memory and one pass: the member `"id"` of the outermost object,
/// when its value is a string or a number (JSON-RPC's ids). Clients put it
/// anywhere (the TypeScript SDK writes it last, after the parameters).
#[derive(Debug, Default)]
struct IdScan {
    /// Open objects and arrays.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Where the scan is in the outermost object.
    at: Member,
    /// The first bytes of the key being read (enough to tell `id`).
    key: Vec<u8>,
    /// Whether the member being read is `"id"`.
    is_id: bool,
    /// The raw value of `"id"`, while it is read (bounded).
    value: Vec<u8>,
    /// The id found: `null` until one is.
    id: Value,
}

/// Where a scan is within a member of the outermost object.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Member {
    /// Before a key.
    #[default]
    Key,
    /// Reading a key.
    InKey,
    /// After a key, before its colon.
    Colon,
    /// Reading the value.
    Value,
}

/// The longest id kept.
const MAX_ID: usize = 256;

impl IdScan {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        let outer_value = self.depth == 1 && self.at == Member::Value;
        if self.in_string {
            if self.at == Member::InKey && self.depth == 1 {
                if (self.escaped || b != b'"') && self.key.len() < 3 {
                    self.key.push(b);
                }
            } else if outer_value && self.is_id {
                self.keep(b);
            }
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
                if self.at == Member::InKey && self.depth == 1 {
                    self.is_id = self.key == b"id";
                    self.at = Member::Colon;
                }
            }
            return;
        }
        match b {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.at == Member::Key {
                    self.at = Member::InKey;
                    self.key.clear();
                } else if outer_value && self.is_id {
                    self.keep(b);
                }
            }
            b'{' | b'[' => {
                if outer_value && self.is_id {
                    // An object or an array is no id.
                    self.is_id = false;
                    self.value.clear();
                }
                self.depth += 1;
            }
            b'}' | b']' => {
                if outer_value {
                    self.end_member();
                }
                self.depth = self.depth.saturating_sub(1);
            }
            b':' if self.depth == 1 && self.at == Member::Colon => {
                self.at = Member::Value;
                self.value.clear();
            }
            b',' if outer_value => {
                self.end_member();
                self.at = Member::Key;
            }
            _ if outer_value && self.is_id && !b.is_ascii_whitespace() => self.keep(b),
            _ => {}
        }
    }

    fn keep(&mut self, b: u8) {
        if self.value.len() < MAX_ID {
            self.value.push(b);
        } else {
            self.is_id = false;
        }
    }

    fn end_member(&mut self) {
        if self.is_id
            && self.id.is_null()
            && let Ok(v @ (Value::String(_) | Value::Number(_))) =
                serde_json::from_slice::<Value>(&self.value)
        {
            self.id = v;
        }
        self.is_id = false;
        self.value.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(pieces: &[&str]) -> Value {
        let mut s = IdScan::default();
        for p in pieces {
            s.feed(p.as_bytes());
        }
        s.id
    }

    #[test]
    fn the_scan_finds_the_outer_id_wherever_it_is_and_in_any_pieces() {
        assert_eq!(scan(&[r#"{"jsonrpc":"2.0","id":7,"method":"x"}"#]), json!(7));
        let late = r#"{"method":"tools/call","params":{"id":"inner","a":[{"id":1}],"s":"\"id\": 9"},"jsonrpc":"2.0","id":"abc"}"#;
        assert_eq!(scan(&[late]), json!("abc"));
        let pieces: Vec<String> = late.chars().map(String::from).collect();
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        assert_eq!(scan(&pieces), json!("abc"), "byte by byte");
        assert_eq!(scan(&[r#"{ "id" : 12 }"#]), json!(12));
        assert_eq!(scan(&[r#"{"id":{"a":1},"x":2}"#]), Value::Null, "an object is no id");
        assert_eq!(scan(&[r#"{"idx":3}"#]), Value::Null);
        assert_eq!(scan(&[r#"{"i\"d":3}"#]), Value::Null);
        assert_eq!(scan(&[r#"["id", 3]"#]), Value::Null);
    }

    #[test]
    fn a_line_that_is_not_a_message_is_answered_with_its_id() {
        let answer =
            |line: &[u8]| parse(line).err().map(|a| serde_json::from_str::<Value>(&a).unwrap());
        let bad_utf8 = b"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"\xff\"}}\n";
        let a = answer(bad_utf8).unwrap();
        assert_eq!((a["id"].clone(), a["error"]["code"].clone()), (json!(4), json!(PARSE_ERROR)));
        assert_eq!(answer(b"not json\n").unwrap()["id"], Value::Null);
        let a = answer(b"{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":5}\n").unwrap();
        assert_eq!(
            (a["id"].clone(), a["error"]["code"].clone()),
            (json!("x"), json!(INVALID_REQUEST))
        );
        assert!(matches!(
            parse(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/odd\",\"params\":7}\n"),
            Ok(None)
        ));
        assert!(matches!(parse(b"  \r\n"), Ok(None)));
    }
}
