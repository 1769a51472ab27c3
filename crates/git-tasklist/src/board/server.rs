//! The board: a local, read-only web view of the lists (axum on tokio).
//!
//! Pages are minijinja templates over the same views `--json` prints
//! ([`git_tasklist_core::view::BoardView`], [`git_tasklist_core::view::BoardListView`]), with HTML
//! auto-escaping on, so every stored string reaches the page as text. One
//! poller compares the namespace's ref tips every [`POLL`] and tells every open
//! `/events` stream (Server-Sent Events) when they moved; the page's few lines
//! of JavaScript then fetch their content again and swap it in.
//!
//! A local server is reachable by any page the user's browser opens, so it
//! answers only requests with one `Host`, naming its own address or
//! `localhost` (a DNS-rebinding page sends its own name), only `GET` and
//! `HEAD`, and never writes anything. Stored strings reach the page as
//! text, with the characters a reader cannot see (bidirectional overrides,
//! zero-width characters, controls) shown as `\u{202e}`, as the CLI shows
//! them.
//!
//! A page is a function of the refs (the lists' tips and their
//! remote-tracking copies): requests for one page at one state share one
//! build (and the last few built are kept), and at most [`BUILDS`] pages
//! are built at once, so a hundred loads of a large list cost one page's
//! memory, not a hundred.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::{OnceCell, Semaphore, watch};

use git_tasklist_core::{ErrorKind, Poller, Tasklists};

/// How often the poller compares the ref tips.
pub const POLL: Duration = Duration::from_millis(200);
/// History entries on a list's page.
pub const HISTORY: usize = 200;
/// Pages built at once; more requests wait their turn. Building a large
/// list's page holds its view, the template's values and the text.
pub const BUILDS: usize = 2;
/// Built pages kept for requests at the same state (the page a script
/// fetches again after each change, several tabs on one list).
const KEPT: usize = 4;

const LAYOUT: &str = include_str!("layout.html");
const INDEX: &str = include_str!("index.html");
const LIST: &str = include_str!("list.html");
const ERROR: &str = include_str!("error.html");
const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("board.js");

/// Shared by every request: the library, the templates, who may ask, the
/// counter of changes the poller bumps, and the pages being built or kept.
struct Board {
    tl: Arc<Tasklists>,
    env: minijinja::Environment<'static>,
    addr: SocketAddr,
    changes: watch::Sender<u64>,
    builds: Arc<Semaphore>,
    pages: Mutex<Pages>,
    hasher: std::collections::hash_map::RandomState,
}

/// Pages by what was asked and the state of the refs: those being built
/// (requests for the same one wait for it) and the last few built.
#[derive(Default)]
struct Pages {
    building: HashMap<(Page, u64), Arc<OnceCell<Built>>>,
    kept: VecDeque<((Page, u64), Built)>,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Page {
    Index { all: bool, fragment: bool },
    IndexJson { all: bool },
    List { id: String, all: bool, fragment: bool },
    ListJson { id: String },
}

/// A response built once and shared by every request for it.
#[derive(Debug, Clone)]
struct Built {
    status: StatusCode,
    kind: &'static str,
    body: Bytes,
}

impl Built {
    fn new(status: StatusCode, kind: &'static str, body: impl Into<Bytes>) -> Built {
        Built { status, kind, body: body.into() }
    }
}

impl IntoResponse for Built {
    fn into_response(self) -> Response {
        (self.status, [(header::CONTENT_TYPE, self.kind)], Body::from(self.body)).into_response()
    }
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
        let board = Arc::new(Board {
            tl: Arc::new(tl),
            env: templates()?,
            addr,
            changes: changes.clone(),
            builds: Arc::new(Semaphore::new(BUILDS)),
            pages: Mutex::new(Pages::default()),
            hasher: std::collections::hash_map::RandomState::new(),
        });
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
        minijinja::Value::from_safe_string(super::markdown::to_html(
            &git_tasklist_core::text::escape_document(&s),
        ))
    });
    // Every string shown is text (auto-escaping) and visible: what a reader
    // cannot see becomes `\u{202e}` first, as on the terminal.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(s) if !value.is_safe() && git_tasklist_core::text::document_needs_escape(s) => {
            let shown = minijinja::Value::from(git_tasklist_core::text::escape_document(s));
            minijinja::escape_formatter(out, state, &shown)
        }
        _ => minijinja::escape_formatter(out, state, value),
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
/// copies) every [`POLL`] while a client listens, with the library's
/// [`Poller`] (the one `watch` uses); bumps the counter when they moved.
/// One poller serves every client: each `/events` stream watches the counter.
async fn poll(tl: Arc<Tasklists>, changes: watch::Sender<u64>) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut poller = Poller::new();
    loop {
        tick.tick().await;
        // Nobody listening: no work. The tips seen last are kept, so the
        // first poll after a page subscribes reports what changed meanwhile
        // (also between the page's render and its subscription).
        if changes.receiver_count() == 0 && poller.primed() {
            continue;
        }
        let primed = poller.primed();
        let tl = tl.clone();
        let looked = tokio::task::spawn_blocking(move || {
            let changed = poller.changed(&tl).unwrap_or(false);
            (poller, changed)
        })
        .await;
        // The look panicked (it cannot otherwise fail): start over.
        let Ok((seen, changed)) = looked else {
            poller = Poller::new();
            continue;
        };
        poller = seen;
        if primed && changed {
            changes.send_modify(|n| *n += 1);
        }
    }
}

/// The state of every ref a page is made from — the lists' tips and the
/// remote-tracking copies — as a hash with `keys` (random per process, so
/// ref names cannot be chosen to collide); `None` when they cannot be read.
fn tips(tl: &Tasklists, keys: &std::collections::hash_map::RandomState) -> Option<u64> {
    Some(keys.hash_one(tl.fingerprint().ok()?))
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
    if !host_allowed(&req.headers, board.addr) || !authority_allowed(&req.uri, board.addr) {
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
    let page = match path {
        "/" => Page::Index { all, fragment },
        "/api/lists" => Page::IndexJson { all },
        "/events" => return events(board, req.method == Method::HEAD),
        "/style.css" => return asset("text/css; charset=utf-8", STYLE),
        "/board.js" => return asset("text/javascript; charset=utf-8", SCRIPT),
        _ => {
            if let Some(id) = path.strip_prefix("/list/").filter(|id| list_id_ok(id)) {
                Page::List { id: id.to_string(), all, fragment }
            } else if let Some(id) = path.strip_prefix("/api/list/").filter(|id| list_id_ok(id)) {
                Page::ListJson { id: id.to_string() }
            } else {
                return board.not_found().into_response();
            }
        }
    };
    shared(board, page).await.into_response()
}

/// `page` as built for the refs as they are now: shared with every request
/// for the same page at the same state (one build, one body), built at most
/// [`BUILDS`] at a time.
async fn shared(board: &Arc<Board>, page: Page) -> Built {
    let b = board.clone();
    let state = tokio::task::spawn_blocking(move || tips(&b.tl, &b.hasher)).await.ok().flatten();
    let Some(state) = state else {
        // Refs that cannot be read: no state to share a page at.
        return build(board.clone(), page).await;
    };
    let key = (page, state);
    let cell = {
        let Ok(mut pages) = board.pages.lock() else {
            return build(board.clone(), key.0).await;
        };
        if let Some((_, built)) = pages.kept.iter().find(|(k, _)| *k == key) {
            return built.clone();
        }
        pages.building.entry(key.clone()).or_default().clone()
    };
    let waiting = Waiting { board, key, cell };
    waiting.cell.get_or_init(|| build(board.clone(), waiting.key.0.clone())).await.clone()
}

/// A request waiting for a page being built. However it ends — the page
/// built, or the client gone — the entry leaves `building` once nobody
/// waits for it, and a page built moves to `kept`.
struct Waiting<'a> {
    board: &'a Board,
    key: (Page, u64),
    cell: Arc<OnceCell<Built>>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let Ok(mut pages) = self.board.pages.lock() else { return };
        if !pages.building.get(&self.key).is_some_and(|c| Arc::ptr_eq(c, &self.cell)) {
            return;
        }
        match self.cell.get() {
            Some(built) => {
                let built = built.clone();
                pages.building.remove(&self.key);
                pages.kept.retain(|(k, _)| *k != self.key);
                pages.kept.push_back((self.key.clone(), built));
                while pages.kept.len() > KEPT {
                    pages.kept.pop_front();
                }
            }
            // The map's and ours: no one else waits.
            None if Arc::strong_count(&self.cell) <= 2 => {
                pages.building.remove(&self.key);
            }
            None => {}
        }
    }
}

/// Builds `page` on the blocking pool once a build slot is free. The slot
/// goes with the build, not with the request: a client that leaves does not
/// free it while its page is still being built.
async fn build(board: Arc<Board>, page: Page) -> Built {
    let failed = || Built::new(StatusCode::INTERNAL_SERVER_ERROR, TEXT, "The request failed\n");
    let Ok(slot) = board.builds.clone().acquire_owned().await else { return failed() };
    let b = board.clone();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        b.render(&page)
    })
    .await
    .unwrap_or_else(|_| failed())
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
    // Exactly one Host: with two, a proxy or a later check could read the
    // other one (HTTP/1.1 forbids more than one).
    let mut hosts = headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return false;
    };
    let Ok(host) = host.to_str() else { return false };
    name_allowed(host, addr)
}

/// Whether a request in absolute form (`GET http://host:port/ …`) names
/// this server too; the usual origin form has no authority to check.
fn authority_allowed(uri: &axum::http::Uri, addr: SocketAddr) -> bool {
    uri.authority().is_none_or(|a| name_allowed(a.as_str(), addr))
}

/// Whether `host` (`name:port`) names this server.
fn name_allowed(host: &str, addr: SocketAddr) -> bool {
    let host = host.trim().to_ascii_lowercase();
    if host == format!("localhost:{}", addr.port()) {
        return true;
    }
    match host.parse::<SocketAddr>() {
        Ok(a) => a.port() == addr.port() && (a.ip() == addr.ip() || addr.ip().is_unspecified()),
        Err(_) => false,
    }
}

/// A library error as the board shows it.
struct Failure {
    status: StatusCode,
    message: String,
}

impl From<git_tasklist_core::Error> for Failure {
    fn from(e: git_tasklist_core::Error) -> Failure {
        // An id prefix that names several lists is the asker's to narrow
        // (409, the candidates in the message); a list that cannot be read
        // is the repository's problem (500).
        let status = match e.kind() {
            _ if e.code() == "ambiguous" => StatusCode::CONFLICT,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Usage => StatusCode::BAD_REQUEST,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Invalid => StatusCode::INTERNAL_SERVER_ERROR,
            // A kind added later: the server's to explain.
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure { status, message: e.to_string() }
    }
}

const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";

impl Board {
    /// Builds `page` from the lists as they are now (on the blocking pool).
    fn render(&self, page: &Page) -> Built {
        match page {
            Page::Index { all, fragment } => match self.tl.board(*all) {
                Ok(view) => self.page("index.html", &view, *all, *fragment, "Task lists"),
                Err(e) => self.error_page(e.into()),
            },
            Page::IndexJson { all } => match self.tl.board(*all) {
                Ok(view) => json(&view),
                Err(e) => json_error(e.into()),
            },
            Page::List { id, all, fragment } => match self.tl.board_list(id, HISTORY) {
                Ok(view) => {
                    let title = view.list.title.clone();
                    self.page("list.html", &view, *all, *fragment, &title)
                }
                Err(e) => self.error_page(e.into()),
            },
            Page::ListJson { id } => match self.tl.board_list(id, HISTORY) {
                Ok(view) => json(&view),
                Err(e) => json_error(e.into()),
            },
        }
    }

    /// A page: the content template inside the layout (or the content
    /// alone for `?fragment=1`, what the page's script swaps in).
    fn page(
        &self,
        name: &str,
        view: &impl Serialize,
        all: bool,
        fragment: bool,
        title: &str,
    ) -> Built {
        let ctx = minijinja::context! { page => minijinja::Value::from(minijinja::value::Serde(view)), all => all };
        let content = match self.env.get_template(name).and_then(|t| t.render(&ctx)) {
            Ok(c) => c,
            Err(e) => return rendering_failed(e),
        };
        if fragment {
            return Built::new(StatusCode::OK, HTML, content);
        }
        self.layout(StatusCode::OK, title, content)
    }

    fn layout(&self, status: StatusCode, title: &str, content: String) -> Built {
        let ctx = minijinja::context! {
            title => title,
            content => minijinja::Value::from_safe_string(content),
        };
        match self.env.get_template("layout.html").and_then(|t| t.render(&ctx)) {
            Ok(body) => Built::new(status, HTML, body),
            Err(e) => rendering_failed(e),
        }
    }

    fn error_page(&self, e: Failure) -> Built {
        let ctx = minijinja::context! { message => e.message, status => e.status.as_u16() };
        match self.env.get_template("error.html").and_then(|t| t.render(&ctx)) {
            Ok(content) => self.layout(e.status, "Error", content),
            Err(err) => rendering_failed(err),
        }
    }

    fn not_found(&self) -> Built {
        self.error_page(Failure { status: StatusCode::NOT_FOUND, message: "Nothing here".into() })
    }
}

fn rendering_failed(e: minijinja::Error) -> Built {
    Built::new(StatusCode::INTERNAL_SERVER_ERROR, TEXT, format!("Rendering failed: {e}\n"))
}

fn plain(status: StatusCode, body: &str) -> Response {
    Built::new(status, TEXT, body.to_string()).into_response()
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn json(view: &impl Serialize) -> Built {
    match serde_json::to_string(view) {
        Ok(text) => Built::new(StatusCode::OK, JSON, git_tasklist_core::text::json_safe(&text)),
        Err(e) => {
            Built::new(StatusCode::INTERNAL_SERVER_ERROR, TEXT, format!("Output failed: {e}\n"))
        }
    }
}

fn json_error(e: Failure) -> Built {
    let body = serde_json::json!({ "error": e.message }).to_string();
    Built::new(e.status, JSON, git_tasklist_core::text::json_safe(&body))
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
