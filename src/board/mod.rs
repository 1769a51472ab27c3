//! The board: a local, read-only web view of the lists (axum on tokio).
//!
//! Pages are minijinja templates over the same views `--json` prints
//! ([`crate::view::BoardView`], [`crate::view::BoardListView`]), with HTML
//! auto-escaping on, so every stored string reaches the page as text. One
//! poller compares the namespace's ref tips every [`POLL`] and tells every open
//! `/events` stream (Server-Sent Events) when they moved; the page's few lines
//! of JavaScript then fetch their content again and swap it in.
//!
//! A local server is reachable by any page the user's browser opens, so it
//! answers only requests whose `Host` is its own address or `localhost` (a
//! DNS-rebinding page sends its own name), only `GET` and `HEAD`, and never
//! writes anything.

mod markdown;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::watch;

use crate::{ErrorKind, Tasklists};

/// How often the poller compares the ref tips.
pub const POLL: Duration = Duration::from_millis(200);
/// History entries on a list's page.
pub const HISTORY: usize = 200;

const LAYOUT: &str = include_str!("layout.html");
const INDEX: &str = include_str!("index.html");
const LIST: &str = include_str!("list.html");
const ERROR: &str = include_str!("error.html");
const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("board.js");

/// Shared by every request: the library, the templates, who may ask, and
/// the counter of changes the poller bumps.
struct Board {
    tl: Arc<Tasklists>,
    env: minijinja::Environment<'static>,
    addr: SocketAddr,
    changes: watch::Sender<u64>,
}

/// Serves the board of `tl` on `listener` until the process ends; `ready`
/// gets the address once it accepts connections.
pub fn serve(
    tl: Tasklists,
    listener: std::net::TcpListener,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let addr = listener.local_addr().map_err(|e| format!("Cannot read the bound address: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| format!("Cannot serve on {addr}: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("Cannot start the board: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| format!("Cannot serve on {addr}: {e}"))?;
        let (changes, _) = watch::channel(0u64);
        let board =
            Arc::new(Board { tl: Arc::new(tl), env: templates()?, addr, changes: changes.clone() });
        tokio::spawn(poll(board.tl.clone(), changes));
        let app = axum::Router::new().fallback(handle).with_state(board);
        ready(addr);
        axum::serve(listener, app).await.map_err(|e| format!("The board stopped: {e}"))
    })
}

/// The templates, with HTML auto-escaping (their names end in `.html`).
fn templates() -> Result<minijinja::Environment<'static>, String> {
    let mut env = minijinja::Environment::new();
    for (name, src) in
        [("layout.html", LAYOUT), ("index.html", INDEX), ("list.html", LIST), ("error.html", ERROR)]
    {
        env.add_template(name, src).map_err(|e| format!("Board template {name}: {e}"))?;
    }
    env.add_filter("when", when);
    env.add_filter("short", |s: String| s.chars().take(8).collect::<String>());
    env.add_filter("markdown", |s: String| {
        minijinja::Value::from_safe_string(markdown::to_html(&s))
    });
    Ok(env)
}

/// `2026-11-24T12:00:00Z` as `2026-11-24 12:00:00 UTC`.
fn when(s: String) -> String {
    match s.strip_suffix('Z') {
        Some(t) => format!("{} UTC", t.replacen('T', " ", 1)),
        None => s,
    }
}

/// Compares the ref tips of the namespace (and of the remote-tracking
/// copies) every [`POLL`] while a client listens; bumps the counter when
/// they moved. One poller serves every client: each `/events` stream
/// watches the counter.
async fn poll(tl: Arc<Tasklists>, changes: watch::Sender<u64>) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = None;
    loop {
        tick.tick().await;
        // Nobody listening: no work. The tips seen last are kept, so the
        // first poll after a page subscribes reports what changed meanwhile
        // (also between the page's render and its subscription).
        if changes.receiver_count() == 0 && last.is_some() {
            continue;
        }
        let tl = tl.clone();
        let tips = tokio::task::spawn_blocking(move || {
            let store = tl.store();
            let local = store.list_tips().ok()?;
            let tracking = store.refs_under(&format!("{}/", crate::sync::TRACKING_PREFIX)).ok()?;
            Some((local, tracking))
        })
        .await
        .ok()
        .flatten();
        let Some(tips) = tips else { continue };
        if last.as_ref() != Some(&tips) {
            if last.is_some() {
                changes.send_modify(|n| *n += 1);
            }
            last = Some(tips);
        }
    }
}

/// Every request: the Host check, the method check, then the route.
async fn handle(State(board): State<Arc<Board>>, req: Request) -> Response {
    let (req, _body) = req.into_parts();
    let mut res = route(&board, &req).await;
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Nothing inline runs: even a string that escaped escaping could not.
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    res
}

async fn route(board: &Arc<Board>, req: &axum::http::request::Parts) -> Response {
    if !host_allowed(&req.headers, board.addr) {
        return plain(StatusCode::FORBIDDEN, "Forbidden: the Host header is not this board's\n");
    }
    if req.method != Method::GET && req.method != Method::HEAD {
        let mut res = plain(StatusCode::METHOD_NOT_ALLOWED, "The board is read-only\n");
        res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let path = req.uri.path();
    let query = req.uri.query().unwrap_or("");
    let all = query_flag(query, "all");
    let fragment = query_flag(query, "fragment");
    match path {
        "/" => {
            let tl = board.tl.clone();
            match blocking(move || tl.board(all)).await {
                Ok(view) => page(board, "index.html", &view, all, fragment, "Task lists"),
                Err(e) => error_page(board, e),
            }
        }
        "/api/lists" => {
            let tl = board.tl.clone();
            match blocking(move || tl.board(all)).await {
                Ok(view) => json(&view),
                Err(e) => json_error(e),
            }
        }
        "/events" => events(board, req.method == Method::HEAD),
        "/style.css" => asset("text/css; charset=utf-8", STYLE),
        "/board.js" => asset("text/javascript; charset=utf-8", SCRIPT),
        _ => {
            if let Some(id) = path.strip_prefix("/list/").filter(|id| list_id_ok(id)) {
                let (tl, id) = (board.tl.clone(), id.to_string());
                match blocking(move || tl.board_list(&id, HISTORY)).await {
                    Ok(view) => {
                        let title = view.list.title.clone();
                        page(board, "list.html", &view, all, fragment, &title)
                    }
                    Err(e) => error_page(board, e),
                }
            } else if let Some(id) = path.strip_prefix("/api/list/").filter(|id| list_id_ok(id)) {
                let (tl, id) = (board.tl.clone(), id.to_string());
                match blocking(move || tl.board_list(&id, HISTORY)).await {
                    Ok(view) => json(&view),
                    Err(e) => json_error(e),
                }
            } else {
                not_found(board)
            }
        }
    }
}

/// A list id in a path: a full id or a prefix, nothing a ref name or a
/// title could smuggle in.
fn list_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// Whether `name=1` (or `name` alone) is in the query.
fn query_flag(query: &str, name: &str) -> bool {
    query.split('&').any(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, "1"));
        k == name && !matches!(v, "0" | "false" | "")
    })
}

/// Whether the `Host` header names this server: `localhost:PORT`, or the
/// bound address with its port (any IP address with the port when bound to
/// all addresses: an IP literal cannot be rebound by DNS; a name can).
fn host_allowed(headers: &HeaderMap, addr: SocketAddr) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    if host == format!("localhost:{}", addr.port()) {
        return true;
    }
    match host.parse::<SocketAddr>() {
        Ok(a) => a.port() == addr.port() && (a.ip() == addr.ip() || addr.ip().is_unspecified()),
        Err(_) => false,
    }
}

/// Runs a library call on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, Failure> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure::from(e)),
        Err(_) => Err(Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "The request failed".into(),
        }),
    }
}

/// A library error as the board shows it.
struct Failure {
    status: StatusCode,
    message: String,
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Failure {
        // An id prefix that names several lists is the asker's to narrow
        // (409, the candidates in the message); a list that cannot be read
        // is the repository's problem (500).
        let status = match e.kind() {
            _ if e.code() == "ambiguous" => StatusCode::CONFLICT,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Usage => StatusCode::BAD_REQUEST,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Invalid => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure { status, message: e.to_string() }
    }
}

/// A page: the content template inside the layout (or the content alone
/// for `?fragment=1`, what the page's script swaps in).
fn page(
    board: &Board,
    name: &str,
    view: &impl Serialize,
    all: bool,
    fragment: bool,
    title: &str,
) -> Response {
    let ctx = minijinja::context! { page => minijinja::Value::from(minijinja::value::Serde(view)), all => all };
    let content = match board.env.get_template(name).and_then(|t| t.render(&ctx)) {
        Ok(c) => c,
        Err(e) => {
            return plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("Rendering failed: {e}\n"));
        }
    };
    if fragment {
        return html(StatusCode::OK, content);
    }
    layout(board, StatusCode::OK, title, content)
}

fn layout(board: &Board, status: StatusCode, title: &str, content: String) -> Response {
    let ctx = minijinja::context! {
        title => title,
        content => minijinja::Value::from_safe_string(content),
    };
    match board.env.get_template("layout.html").and_then(|t| t.render(&ctx)) {
        Ok(body) => html(status, body),
        Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("Rendering failed: {e}\n")),
    }
}

fn error_page(board: &Board, e: Failure) -> Response {
    let ctx = minijinja::context! { message => e.message, status => e.status.as_u16() };
    match board.env.get_template("error.html").and_then(|t| t.render(&ctx)) {
        Ok(content) => layout(board, e.status, "Error", content),
        Err(err) => plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("Rendering failed: {err}\n")),
    }
}

fn not_found(board: &Board) -> Response {
    error_page(board, Failure { status: StatusCode::NOT_FOUND, message: "Nothing here".into() })
}

fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn plain(status: StatusCode, body: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body.to_string())
        .into_response()
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn json(view: &impl Serialize) -> Response {
    match serde_json::to_string(view) {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], crate::text::json_safe(&text))
            .into_response(),
        Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("Output failed: {e}\n")),
    }
}

fn json_error(e: Failure) -> Response {
    let body = serde_json::json!({ "error": e.message }).to_string();
    (e.status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `/events`: a `ready` event at once, then a `change` event each time the
/// poller saw the refs move.
fn events(board: &Board, head: bool) -> Response {
    if head {
        return ([(header::CONTENT_TYPE, "text/event-stream")], Body::empty()).into_response();
    }
    let mut rx = board.changes.subscribe();
    let first = *rx.borrow_and_update();
    let ready = Event::default().event("ready").data(first.to_string());
    let start = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(ready) });
    let changes = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.changed().await.ok()?;
        let n = *rx.borrow_and_update();
        Some((Ok(Event::default().event("change").data(n.to_string())), rx))
    });
    use futures_util::StreamExt;
    Sse::new(start.chain(changes)).keep_alive(KeepAlive::default()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        h
    }

    #[test]
    fn host_check_accepts_only_this_server() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(host_allowed(&headers("127.0.0.1:8080"), addr));
        assert!(host_allowed(&headers("localhost:8080"), addr));
        assert!(host_allowed(&headers("LOCALHOST:8080"), addr));
        assert!(!host_allowed(&headers("localhost:8081"), addr));
        assert!(!host_allowed(&headers("localhost"), addr));
        assert!(!host_allowed(&headers("evil.example:8080"), addr));
        assert!(!host_allowed(&headers("127.0.0.2:8080"), addr));
        assert!(!host_allowed(&HeaderMap::new(), addr));
        let v6: SocketAddr = "[::1]:9000".parse().unwrap();
        assert!(host_allowed(&headers("[::1]:9000"), v6));
        let any: SocketAddr = "0.0.0.0:9000".parse().unwrap();
        assert!(host_allowed(&headers("192.168.1.5:9000"), any));
        assert!(!host_allowed(&headers("rebind.example:9000"), any));
    }

    #[test]
    fn query_flags() {
        assert!(query_flag("all=1", "all"));
        assert!(query_flag("x=2&all", "all"));
        assert!(!query_flag("all=0", "all"));
        assert!(!query_flag("tall=1", "all"));
    }

    #[test]
    fn templates_parse() {
        templates().unwrap();
    }
}
