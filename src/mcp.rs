//! `git-tasklist mcp`: the library as an MCP server on stdio (rmcp). Each
//! tool is one library call; its result is the same typed view `--json`
//! prints, as structured content with its JSON schema as the tool's output
//! schema. A failure is a tool result with `isError: true` and the CLI's
//! sentence, never a protocol error. Logs go to stderr only: stdout is the
//! JSON-RPC stream.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{InitializeRequestParams, InitializeResult, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use rmcp::{ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::model::{Status, TaskId};
use crate::op::{NewTask, TaskChange};
use crate::session::Expect;
use crate::view::{
    ChangeView, HandoffView, ListView, ListsView, ResumeView, VerdictView, VerifyView,
};
use crate::{CreateRequest, Error, Tasklists};

/// A task for `TaskListCreate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewTaskParams {
    /// Task id (slug); default: from the subject.
    #[serde(default, alias = "taskId")]
    pub id: Option<String>,
    /// What the task is (its title).
    #[serde(alias = "title")]
    pub subject: String,
    /// Task ids it waits for.
    #[serde(default, alias = "depends_on", alias = "dependsOn")]
    pub blocked_by: Vec<String>,
}

/// `TaskListCreate` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateParams {
    /// The list's title (default: the template's).
    #[serde(default)]
    pub title: Option<String>,
    /// Tasks in plan order.
    #[serde(default)]
    pub tasks: Vec<NewTaskParams>,
    /// Template: migration, feature, bugfix, refactor, release, …
    #[serde(default)]
    pub template: Option<String>,
    /// Copy the tasks of this list.
    #[serde(default)]
    pub from: Option<String>,
    /// Each task waits for the previous.
    #[serde(default)]
    pub sequential: bool,
}

/// A list reference.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
}

/// `TaskListList` parameters.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct AllParams {
    /// Include archived lists.
    #[serde(default)]
    pub all: bool,
}

/// `TaskCreate` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// What the task is (its title).
    #[serde(alias = "title")]
    pub subject: String,
    /// Stored as the task's note.
    #[serde(default)]
    pub description: Option<String>,
    /// Task id (slug); default: from the subject.
    #[serde(default, alias = "id")]
    pub task_id: Option<String>,
    /// Insert after this task (default: at the end).
    #[serde(default)]
    pub after: Option<String>,
    /// Task ids it waits for.
    #[serde(default, alias = "depends_on", alias = "dependsOn")]
    pub blocked_by: Vec<String>,
}

/// `TaskUpdate` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// The task id.
    #[serde(alias = "id", alias = "task")]
    pub task_id: String,
    /// pending | in_progress | completed | blocked | cancelled.
    #[serde(default)]
    pub status: Option<String>,
    /// Replaces the task's note.
    #[serde(default, alias = "description")]
    pub note: Option<String>,
    /// Allow leaving completed.
    #[serde(default)]
    pub reopen: bool,
    /// Take a task another session holds.
    #[serde(default, alias = "take_over")]
    pub take_over: bool,
}

/// `TaskListVerify` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct VerifyParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// TASK=STATUS seen last session.
    #[serde(default)]
    pub expect: Vec<String>,
}

/// `TaskListHandoff` parameters.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HandoffParams {
    /// List id, id prefix or title.
    #[serde(alias = "taskListId", alias = "listId")]
    pub list: String,
    /// Where things stand; what next.
    #[serde(default)]
    pub note: String,
}

/// The tools' names, as clients call them (checked against the router in
/// a test): what the installers and the skill name.
pub const TOOLS: [&str; 8] = [
    "TaskListCreate",
    "TaskListGet",
    "TaskListList",
    "TaskCreate",
    "TaskUpdate",
    "TaskListResume",
    "TaskListVerify",
    "TaskListHandoff",
];

/// The server: one shared library handle for every call, and the tools,
/// built once (their schemas are compacted at start, not per call).
#[derive(Clone)]
pub struct Server {
    /// The library as this server's session sees it; the session is
    /// settled when the client initializes, unless it was given.
    tl: Arc<std::sync::RwLock<Tasklists>>,
    /// Whether the session is settled (given, or made at initialize).
    settled: Arc<std::sync::atomic::AtomicBool>,
    /// When the server started, for a session id made from the client's name.
    started: chrono::DateTime<chrono::Utc>,
    tools: Arc<ToolRouter<Server>>,
}

/// An error as the tool result's text: the library's sentence.
fn fail(e: Error) -> String {
    e.to_string()
}

pub use crate::model::slug;

fn task_id(given: Option<&str>, subject: &str) -> Result<TaskId, String> {
    TaskId::parse(given.map_or_else(|| slug(subject), String::from).as_str())
        .map_err(|e| fail(e.into()))
}

fn ids(raw: &[String]) -> Result<Vec<TaskId>, String> {
    raw.iter().map(|d| TaskId::parse(d).map_err(|e| fail(e.into()))).collect()
}

/// A view's schema cut to its top level: each field with its JSON type
/// (`object` for a nested view, the types of an optional field with
/// `null`), and which fields are required. The full schemas, with every
/// nested view and field description, are `git_tasklist::view::schemas()`
/// and the README; agents pay for every byte of `tools/list`.
fn compact(
    schema: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::{Value, json};
    fn kind(v: &Value) -> Value {
        if let Some(t) = v.get("type") {
            return t.clone();
        }
        if v.get("$ref").is_some() || v.get("properties").is_some() {
            return json!("object");
        }
        let options = v.get("anyOf").or_else(|| v.get("oneOf")).and_then(Value::as_array);
        if let Some(options) = options {
            let mut types: Vec<Value> = Vec::new();
            for o in options {
                match kind(o) {
                    Value::Array(many) => types.extend(many),
                    Value::Null => {}
                    one => types.push(one),
                }
            }
            types.dedup();
            return Value::Array(types);
        }
        Value::Null
    }
    let mut properties = serde_json::Map::new();
    // A flattened view's fields sit in `allOf` parts or in `$defs` behind a `$ref`.
    let defs = schema.get("$defs").and_then(Value::as_object);
    let mut parts: Vec<&serde_json::Map<String, Value>> = vec![schema];
    let mut required: Vec<Value> = Vec::new();
    while let Some(part) = parts.pop() {
        if let Some(props) = part.get("properties").and_then(Value::as_object) {
            for (name, v) in props {
                let t = kind(v);
                let entry = if t.is_null() { json!({}) } else { json!({ "type": t }) };
                properties.insert(name.clone(), entry);
            }
        }
        if let Some(r) = part.get("required").and_then(Value::as_array) {
            required.extend(r.iter().cloned());
        }
        for sub in part.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            let target = sub
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .and_then(|name| defs.and_then(|d| d.get(name)))
                .unwrap_or(sub);
            if let Some(m) = target.as_object() {
                parts.push(m);
            }
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    out.insert("required".into(), Value::Array(required));
    out
}

/// Removes each parameter's empty default (null, false, "", []): an
/// optional parameter is one not `required`, and its empty default says
/// nothing more.
fn drop_empty_defaults(schema: &mut serde_json::Map<String, serde_json::Value>) {
    let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for p in props.values_mut().filter_map(|p| p.as_object_mut()) {
        let empty = p.get("default").is_some_and(|d| {
            d.is_null()
                || d == false
                || d.as_str() == Some("")
                || d.as_array().is_some_and(Vec::is_empty)
        });
        if empty {
            p.remove("default");
        }
    }
}

/// A session id for a server without one: the MCP client's name (cut to
/// the characters a session id may hold) and the server's start time, e.g.
/// `claude-code-20261202T011500Z`.
pub fn client_session(client: &str, started: chrono::DateTime<chrono::Utc>) -> String {
    let mut name: String = client
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() {
        name = "mcp".into();
    }
    format!("{name}-{}", started.format("%Y%m%dT%H%M%SZ"))
}

impl Server {
    /// The library for a call. Only `initialize` writes it, once, and
    /// never panics while it does; a poisoned lock is taken as it is.
    fn tl(&self) -> std::sync::RwLockReadGuard<'_, Tasklists> {
        self.tl.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Settles the session, when none was given, from the client's name and
    /// the start time.
    fn settle(&self, client: &str) {
        use std::sync::atomic::Ordering;
        if self.settled.swap(true, Ordering::SeqCst) {
            return;
        }
        let session = client_session(client, self.started);
        let mut tl = self.tl.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A made-up id is valid by construction; if not, the server stays
        // without a session rather than failing the client.
        let _ = tl.set_session(Some(&session));
    }

    /// The view of a change, as every writing tool returns it.
    fn change_view(&self, done: &crate::Changed) -> Json<ChangeView> {
        let reference = self.tl().ref_name(&done.id);
        Json(ChangeView::of(&done.committed, &reference, self.tl().session()))
    }

    /// The tools, with compact output schemas.
    fn tool_router() -> ToolRouter<Server> {
        let mut router = Self::raw_tool_router();
        for route in router.map.values_mut() {
            // A call in flight finishes before a signal ends the server.
            let call = route.call.clone();
            route.call = Arc::new(move |ctx| {
                let hold = crate::interrupt::hold();
                let done = call(ctx);
                Box::pin(async move { (done.await, drop(hold)).0 })
            });
            if let Some(schema) = route.attr.output_schema.take() {
                route.attr.output_schema = Some(Arc::new(compact(&schema)));
            }
            let mut input = (*route.attr.input_schema).clone();
            input.remove("$schema");
            input.remove("title");
            drop_empty_defaults(&mut input);
            let defs = input.get_mut("$defs").and_then(|d| d.as_object_mut());
            for def in defs.into_iter().flat_map(|d| d.values_mut()) {
                if let Some(def) = def.as_object_mut() {
                    def.remove("description");
                    drop_empty_defaults(def);
                }
            }
            route.attr.input_schema = Arc::new(input);
        }
        router
    }
}

#[tool_router(router = raw_tool_router)]
impl Server {
    /// A server over `tl`; `session_given` says whether `tl`'s session was
    /// given, else it is made from the client's name at initialize.
    pub fn new(tl: Tasklists, session_given: bool) -> Server {
        Server {
            tl: Arc::new(std::sync::RwLock::new(tl)),
            settled: Arc::new(std::sync::atomic::AtomicBool::new(session_given)),
            started: chrono::Utc::now(),
            tools: Arc::new(Self::tool_router()),
        }
    }

    #[tool(
        name = "TaskListCreate",
        description = "Create a task list from tasks, a template or another list."
    )]
    fn create(&self, Parameters(p): Parameters<CreateParams>) -> Result<Json<ChangeView>, String> {
        let mut tasks = Vec::new();
        for t in &p.tasks {
            let id = task_id(t.id.as_deref(), &t.subject)?;
            tasks.push(NewTask { id, title: t.subject.clone(), depends_on: ids(&t.blocked_by)? });
        }
        let req = CreateRequest {
            title: p.title,
            tasks,
            sequential: p.sequential,
            template: p.template,
            from: p.from,
        };
        let created = self.tl().create(&req).map_err(fail)?;
        let reference = self.tl().ref_name(&created.id);
        Ok(Json(ChangeView::of(&created.committed, &reference, self.tl().session())))
    }

    #[tool(
        name = "TaskListGet",
        description = "A task list: tasks, status, owner, notes, next task."
    )]
    fn get(&self, Parameters(p): Parameters<ListParams>) -> Result<Json<ListView>, String> {
        let snap = self.tl().show(&p.list).map_err(fail)?;
        let reference = self.tl().ref_name(&snap.list.id);
        Ok(Json(ListView::of(&snap, &reference, self.tl().session())))
    }

    #[tool(name = "TaskListList", description = "Every task list: id, title, progress, next task.")]
    fn list(&self, Parameters(p): Parameters<AllParams>) -> Result<Json<ListsView>, String> {
        let entries = self.tl().list().map_err(fail)?;
        Ok(Json(ListsView::new(
            &entries,
            self.tl().store().namespace(),
            p.all,
            self.tl().session(),
        )))
    }

    #[tool(
        name = "TaskCreate",
        description = "Add a task to a list (at the end, or after another)."
    )]
    fn add(&self, Parameters(p): Parameters<AddParams>) -> Result<Json<ChangeView>, String> {
        let id = task_id(p.task_id.as_deref(), &p.subject)?;
        let task = NewTask { id: id.clone(), title: p.subject, depends_on: ids(&p.blocked_by)? };
        let after =
            p.after.as_deref().map(TaskId::parse).transpose().map_err(|e| fail(e.into()))?;
        let mut done = self.tl().add(&p.list, task, after).map_err(fail)?;
        if let Some(note) = p.description.filter(|d| !d.is_empty()) {
            let change = TaskChange { note: Some(note), ..Default::default() };
            done = self.tl().update(&done.id, &id, change).map_err(fail)?;
        }
        Ok(self.change_view(&done))
    }

    #[tool(
        name = "TaskUpdate",
        description = "Change a task's status (in_progress claims it) and/or note."
    )]
    fn update(&self, Parameters(p): Parameters<UpdateParams>) -> Result<Json<ChangeView>, String> {
        let task = TaskId::parse(&p.task_id).map_err(|e| fail(e.into()))?;
        let status = p
            .status
            .as_deref()
            .map(str::parse::<Status>)
            .transpose()
            .map_err(|e| fail(e.into()))?;
        let change = TaskChange {
            status,
            note: p.note,
            reopen: p.reopen,
            take_over: p.take_over,
            out_of_order: false,
        };
        let done = self.tl().update(&p.list, &task, change).map_err(fail)?;
        Ok(self.change_view(&done))
    }

    #[tool(
        name = "TaskListResume",
        description = "Briefing to pick a list up: tasks, next step, handoff, history, checks."
    )]
    fn resume(&self, Parameters(p): Parameters<ListParams>) -> Result<Json<ResumeView>, String> {
        let b = self.tl().resume(&p.list).map_err(fail)?;
        let reference = self.tl().ref_name(&b.snapshot.list.id);
        Ok(Json(ResumeView::of(&b, &reference)))
    }

    #[tool(
        name = "TaskListVerify",
        description = "Check the whole history of a list (persistence checks)."
    )]
    fn verify(&self, Parameters(p): Parameters<VerifyParams>) -> Result<Json<VerifyView>, String> {
        let mut expects = Vec::new();
        for e in &p.expect {
            let (task, status) =
                e.split_once('=').ok_or_else(|| format!("expect '{e}' is not TASK=STATUS"))?;
            let status = status.parse::<Status>().map_err(|e| fail(e.into()))?;
            expects.push(Expect { task: task.trim().to_string(), status });
        }
        let (id, verdict, _) = self.tl().verify(&p.list, &expects).map_err(fail)?;
        Ok(Json(VerifyView { list: id, verdict: VerdictView::of(&verdict) }))
    }

    #[tool(
        name = "TaskListHandoff",
        description = "Record a handoff note for the next session (commits HANDOFF.md)."
    )]
    fn handoff(
        &self,
        Parameters(p): Parameters<HandoffParams>,
    ) -> Result<Json<HandoffView>, String> {
        let (id, done) = self.tl().handoff(&p.list, &p.note).map_err(fail)?;
        let reference = self.tl().ref_name(&id);
        Ok(Json(HandoffView {
            change: ChangeView::of(&done.committed, &reference, self.tl().session()),
            document: done.document,
            output: None,
        }))
    }
}

#[tool_handler(router = self.tools)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(rmcp::model::Implementation::new("git-tasklist", env!("CARGO_PKG_VERSION")))
            .with_instructions(
            "Resumable task lists in git: create a list, update tasks as you work, handoff before you stop; a later session resumes from the list id.",
        )
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        self.settle(&request.client_info.name);
        context.peer.set_peer_info(request.clone());
        self.negotiate_initialize(&request)
    }
}

/// Serves `tl` on stdin/stdout until the client goes away. Without a
/// `session_given`, the session is the client's name and the start time.
pub fn serve(tl: Tasklists, session_given: bool) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("Cannot start the MCP server: {e}"))?;
    runtime.block_on(async move {
        let server = Server::new(tl, session_given);
        let started = match pipes() {
            Some(pipes) => server.serve(pipes).await,
            None => server.serve(rmcp::transport::stdio()).await,
        };
        let service = started.map_err(|e| format!("The MCP session failed to start: {e}"))?;
        service.waiting().await.map_err(|e| format!("The MCP session ended with an error: {e}"))?;
        Ok(())
    })
}

/// Stdin and stdout as asynchronous pipes, when both are pipes (as a client
/// that starts the server makes them): each message is then read and
/// written on the server's own thread, where tokio's stdin and stdout hand
/// every read and write to a thread of their own. `None` (then those) for a
/// terminal, a file or a socket.
fn pipes() -> Option<(tokio::net::unix::pipe::Receiver, tokio::net::unix::pipe::Sender)> {
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::FileTypeExt;
    // Both must be pipes before either is made non-blocking, so that a
    // fallback never reads a non-blocking stdin.
    let fifo = |fd: OwnedFd| {
        let file = std::fs::File::from(fd);
        let is_fifo = file.metadata().is_ok_and(|m| m.file_type().is_fifo());
        is_fifo.then(|| OwnedFd::from(file))
    };
    let stdin = fifo(std::io::stdin().as_fd().try_clone_to_owned().ok()?)?;
    let stdout = fifo(std::io::stdout().as_fd().try_clone_to_owned().ok()?)?;
    let reader = tokio::net::unix::pipe::Receiver::from_owned_fd(stdin).ok()?;
    let writer = tokio::net::unix::pipe::Sender::from_owned_fd(stdout).ok()?;
    Some((reader, writer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_names_every_tool_the_router_serves() {
        let mut served: Vec<String> =
            Server::tool_router().list_all().into_iter().map(|t| t.name.to_string()).collect();
        let mut named: Vec<String> = TOOLS.iter().map(|t| t.to_string()).collect();
        served.sort();
        named.sort();
        assert_eq!(served, named);
    }
}
