//! The server: one tool per library call, each run off the server's thread,
//! and the session settled on the first request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::{IntoCallToolResult, ToolCallContext};
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientNotification, ClientRequest, ContentBlock,
    ServerCapabilities, ServerConfig, ServerResult,
};
use rmcp::service::{NotificationContext, RequestContext, Service};
use rmcp::{ErrorData, RoleServer};
use rmcp::{ServerHandler, ServiceExt, tool, tool_handler, tool_router};

use super::error::{MAX_ERROR, ToolError};
use super::params::{
    AddParams, AllParams, CreateParams, HandoffParams, ListParams, UpdateParams, VerifyParams,
};
use super::{schema, transport};
use git_tasklist_core::model::{Status, TaskId};
use git_tasklist_core::op::{NewTask, TaskChange};
use git_tasklist_core::text::{MAX_ECHO, clip, escape, json_safe};
use git_tasklist_core::view::{
    ChangeView, HandoffView, ListView, ListsView, ResumeView, VerifyView,
};
use git_tasklist_core::workflow::verify::Expect;
use git_tasklist_core::{CreateRequest, Error, Tasklists};

/// What a tool returns (spelt out in the tools' signatures, where rmcp's
/// macro reads the output schema from `Json<T>`).
type ToolResult<T> = Result<Json<T>, ToolError>;

/// The server: one shared library handle for every call, and the tools,
/// built once (their schemas are compacted at start, not per call).
#[derive(Clone)]
pub struct Server {
    /// The library as this server's session sees it; the session is
    /// settled on the first request, unless it was given.
    tl: Arc<std::sync::RwLock<Tasklists>>,
    /// Whether the session is settled (given, or made on the first request).
    settled: Arc<AtomicBool>,
    /// When the server started, for a session id made from the client's name.
    started: chrono::DateTime<chrono::Utc>,
    tools: Arc<ToolRouter<Server>>,
}

pub use git_tasklist_core::model::slug;

fn task_id(given: Option<&str>, subject: &str) -> Result<TaskId, ToolError> {
    TaskId::parse(given.map_or_else(|| slug(subject), String::from).as_str())
        .map_err(|e| Error::from(e).into())
}

fn ids(raw: &[String]) -> Result<Vec<TaskId>, ToolError> {
    raw.iter().map(|d| TaskId::parse(d).map_err(|e| Error::from(e).into())).collect()
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
    /// The library for a call. Only [`Server::settle`] writes it, once, and
    /// never panics while it does; a poisoned lock is taken as it is.
    fn tl(&self) -> std::sync::RwLockReadGuard<'_, Tasklists> {
        self.tl.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Settles the session, when none was given, from the client's name
    /// (`None`: the client gave none) and the start time. Only the first
    /// call does anything; a call racing it waits until it is done.
    fn settle(&self, client: Option<&str>) {
        if self.settled.load(Ordering::SeqCst) {
            return;
        }
        let mut tl = self.tl.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.settled.swap(true, Ordering::SeqCst) {
            return;
        }
        let session = client_session(client.unwrap_or_default(), self.started);
        // A made-up id is valid by construction; if not, the server stays
        // without a session rather than failing the client.
        let _ = tl.set_session(Some(&session));
    }

    /// Runs a tool's body on a blocking thread, so that a long call (a
    /// verify of a long history) never holds up the server's other calls.
    async fn run<T: Send + 'static>(
        &self,
        body: impl FnOnce(&Server) -> Result<T, ToolError> + Send + 'static,
    ) -> ToolResult<T> {
        let server = self.clone();
        match tokio::task::spawn_blocking(move || body(&server)).await {
            Ok(result) => result.map(Json),
            Err(e) => Err(ToolError {
                error: format!("The tool call failed: {e}"),
                code: "internal".into(),
                hint: None,
            }),
        }
    }

    /// The view of a change to task `task`, as the task tools return it
    /// (the same view as the command line's `--json`).
    fn change_view(
        &self,
        done: &git_tasklist_core::Changed,
        task: &TaskId,
        take_over: bool,
    ) -> ChangeView {
        let tl = self.tl();
        ChangeView::of_task(
            &done.committed,
            &tl.ref_name(&done.id),
            tl.session(),
            task.as_str(),
            take_over,
        )
    }

    /// The tools, with compact schemas.
    fn tool_router() -> ToolRouter<Server> {
        let mut router = Self::raw_tool_router();
        for route in router.map.values_mut() {
            // A call in flight finishes before a signal ends the server.
            let call = route.call.clone();
            route.call = Arc::new(move |ctx| {
                let hold = git_tasklist_core::interrupt::hold();
                let done = call(ctx);
                Box::pin(async move { (done.await, drop(hold)).0 })
            });
            if let Some(output) = route.attr.output_schema.take() {
                route.attr.output_schema = Some(Arc::new(schema::output(&output)));
            }
            route.attr.input_schema = Arc::new(schema::input(&route.attr.input_schema));
        }
        router
    }

    fn do_create(&self, p: CreateParams) -> Result<ChangeView, ToolError> {
        let mut tasks = Vec::new();
        for t in &p.tasks {
            let id = task_id(t.id.as_deref(), &t.subject)?;
            let depends_on = ids(&t.blocked_by)?;
            tasks.push(NewTask { id, title: t.subject.clone(), depends_on, note: None });
        }
        let req = CreateRequest {
            title: p.title,
            tasks,
            sequential: p.sequential,
            template: p.template,
            from: p.from,
        };
        let tl = self.tl();
        let created = tl.create(&req)?;
        Ok(ChangeView::of(&created.committed, &tl.ref_name(&created.id), tl.session()))
    }

    fn do_add(&self, p: AddParams) -> Result<ChangeView, ToolError> {
        let id = task_id(p.task_id.as_deref(), &p.subject)?;
        let depends_on = ids(&p.blocked_by)?;
        let task = NewTask { id, title: p.subject, depends_on, note: p.description };
        let after = p.after.as_deref().map(TaskId::parse).transpose().map_err(Error::from)?;
        let tid = task.id.clone();
        let done = self.tl().add(&p.list, task, after)?;
        Ok(self.change_view(&done, &tid, false))
    }

    fn do_update(&self, p: UpdateParams) -> Result<ChangeView, ToolError> {
        let task = TaskId::parse(&p.task_id).map_err(Error::from)?;
        let status =
            p.status.as_deref().map(str::parse::<Status>).transpose().map_err(Error::from)?;
        let change = TaskChange {
            status,
            note: p.note,
            reopen: p.reopen,
            take_over: p.take_over,
            out_of_order: p.out_of_order,
        };
        let done = self.tl().update(&p.list, &task, change)?;
        Ok(self.change_view(&done, &task, p.take_over))
    }

    fn do_verify(&self, p: VerifyParams) -> Result<VerifyView, ToolError> {
        let mut expects = Vec::new();
        for e in &p.expect {
            let Some((task, status)) = e.split_once('=') else {
                let why = format!("expect '{}' is not TASK=STATUS", clip(&escape(e), MAX_ECHO));
                return Err(ToolError::invalid(why, "give each expect as TASK=STATUS"));
            };
            let status = status.parse::<Status>().map_err(Error::from)?;
            expects.push(Expect { task: task.trim().to_string(), status });
        }
        let accepted_now = match (&p.accept, &p.note) {
            (Some(commit), Some(note)) => Some(self.tl().accept(&p.list, commit, note)?.1),
            (Some(_), None) => {
                let why = "accept needs a note saying why the failure is acceptable";
                return Err(ToolError::invalid(why.into(), "give note together with accept"));
            }
            (None, Some(_)) => {
                let why = "note is only for accept";
                return Err(ToolError::invalid(
                    why.into(),
                    "give accept (the failing commit) with note",
                ));
            }
            (None, None) => None,
        };
        let (id, verdict, now) = self.tl().verify(&p.list, &expects)?;
        Ok(VerifyView::new(&id, &verdict, now.as_ref(), accepted_now.as_ref()))
    }
}

#[tool_router(router = raw_tool_router)]
impl Server {
    /// A server over `tl`; `session_given` says whether `tl`'s session was
    /// given, else it is made from the client's name on the first request.
    pub fn new(tl: Tasklists, session_given: bool) -> Server {
        Server {
            tl: Arc::new(std::sync::RwLock::new(tl)),
            settled: Arc::new(AtomicBool::new(session_given)),
            started: chrono::Utc::now(),
            tools: Arc::new(Self::tool_router()),
        }
    }

    #[tool(
        name = "TaskListCreate",
        description = "Create a task list from tasks, a template or another list."
    )]
    async fn create(
        &self,
        Parameters(p): Parameters<CreateParams>,
    ) -> Result<Json<ChangeView>, ToolError> {
        self.run(move |s| s.do_create(p)).await
    }

    #[tool(
        name = "TaskListGet",
        description = "A task list: tasks, status, owner, notes, next task."
    )]
    async fn get(
        &self,
        Parameters(p): Parameters<ListParams>,
    ) -> Result<Json<ListView>, ToolError> {
        self.run(move |s| {
            let tl = s.tl();
            let snap = tl.show(&p.list)?;
            Ok(ListView::of(&snap, &tl.ref_name(&snap.list.id), tl.session()))
        })
        .await
    }

    #[tool(name = "TaskListList", description = "Every task list: id, title, progress, next task.")]
    async fn list(
        &self,
        Parameters(p): Parameters<AllParams>,
    ) -> Result<Json<ListsView>, ToolError> {
        self.run(move |s| {
            let tl = s.tl();
            let entries = tl.list()?;
            Ok(ListsView::new(&entries, tl.namespace(), p.all, tl.session()))
        })
        .await
    }

    #[tool(
        name = "TaskCreate",
        description = "Add a task to a list (at the end, or after another)."
    )]
    async fn add(
        &self,
        Parameters(p): Parameters<AddParams>,
    ) -> Result<Json<ChangeView>, ToolError> {
        self.run(move |s| s.do_add(p)).await
    }

    #[tool(
        name = "TaskUpdate",
        description = "Change a task's status (in_progress claims it) and/or note."
    )]
    async fn update(
        &self,
        Parameters(p): Parameters<UpdateParams>,
    ) -> Result<Json<ChangeView>, ToolError> {
        self.run(move |s| s.do_update(p)).await
    }

    #[tool(
        name = "TaskListResume",
        description = "Briefing to pick a list up: tasks, next step, handoff, history, checks."
    )]
    async fn resume(
        &self,
        Parameters(p): Parameters<ListParams>,
    ) -> Result<Json<ResumeView>, ToolError> {
        self.run(move |s| {
            let tl = s.tl();
            let b = tl.resume(&p.list)?;
            Ok(ResumeView::of(&b, &tl.ref_name(&b.snapshot.list.id)))
        })
        .await
    }

    #[tool(
        name = "TaskListVerify",
        description = "Check the whole history of a list (persistence checks)."
    )]
    async fn verify(
        &self,
        Parameters(p): Parameters<VerifyParams>,
    ) -> Result<Json<VerifyView>, ToolError> {
        self.run(move |s| s.do_verify(p)).await
    }

    #[tool(
        name = "TaskListHandoff",
        description = "Record a handoff note for the next session (commits HANDOFF.md)."
    )]
    async fn handoff(
        &self,
        Parameters(p): Parameters<HandoffParams>,
    ) -> Result<Json<HandoffView>, ToolError> {
        self.run(move |s| {
            let tl = s.tl();
            let (id, done) = tl.handoff(&p.list, &p.note)?;
            Ok(HandoffView {
                change: ChangeView::of(&done.committed, &tl.ref_name(&id), tl.session()),
                document: done.document,
                output: None,
            })
        })
        .await
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

    /// Calls a tool. Arguments that do not fit the tool's parameters are a
    /// failed call like any other, with a code and a hint (an unknown tool
    /// stays a protocol error); text content is [`json_safe`].
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let call = ToolCallContext::new(self, request, context);
        let mut response = self.tools.call(call).await?;
        if let CallToolResponse::Complete(result) = &mut response {
            // rmcp's own failure (arguments that do not fit) has text only.
            if result.is_error == Some(true) && result.structured_content.is_none() {
                let text = result.content.iter().filter_map(|c| c.as_text()).map(|t| &t.text);
                let why = clip(&text.cloned().collect::<Vec<_>>().join(" "), MAX_ERROR);
                let hint = "the tool's inputSchema lists its parameters";
                if let CallToolResponse::Complete(ours) =
                    ToolError::invalid(why, hint).into_call_tool_result()?
                {
                    *result = ours;
                }
            }
            for block in &mut result.content {
                if let ContentBlock::Text(t) = block {
                    t.text = json_safe(&t.text);
                }
            }
        }
        Ok(response)
    }
}

/// The server as the transport sees it: each request first settles the
/// session (from `initialize`'s client name, else the name a request
/// carries in `_meta`, MCP 2026-07-28), then goes to the server.
struct Session(Server);

impl Service<RoleServer> for Session {
    async fn handle_request(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        let client = match &request {
            ClientRequest::InitializeRequest(r) => Some(r.params.client_info.name.clone()),
            _ => context.meta.client_info().map(|info| info.name),
        };
        self.0.settle(client.as_deref());
        Service::handle_request(&self.0, request, context).await
    }

    async fn handle_notification(
        &self,
        notification: ClientNotification,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        Service::handle_notification(&self.0, notification, context).await
    }

    fn get_info(&self) -> ServerConfig {
        ServerHandler::get_info(&self.0)
    }

    fn supported_protocol_versions(
        &self,
    ) -> std::borrow::Cow<'static, [rmcp::model::ProtocolVersion]> {
        ServerHandler::supported_protocol_versions(&self.0)
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
        let server = Session(Server::new(tl, session_given));
        let (reader, writer): (Reader, Writer) = match pipes() {
            Some(pipes) => pipes,
            None => (Box::new(tokio::io::stdin()), Box::new(tokio::io::stdout())),
        };
        let service = server
            .serve(transport::Lines::new(reader, writer))
            .await
            .map_err(|e| format!("The MCP session failed to start: {e}"))?;
        service.waiting().await.map_err(|e| format!("The MCP session ended with an error: {e}"))?;
        Ok(())
    })
}

/// Where requests come from.
type Reader = Box<dyn tokio::io::AsyncRead + Unpin + Send>;
/// Where answers go.
type Writer = Box<dyn tokio::io::AsyncWrite + Unpin + Send>;

/// Stdin and stdout as asynchronous pipes, when both are pipes (as a client
/// that starts the server makes them): each message is then read and
/// written on the server's own thread, where tokio's stdin and stdout hand
/// every read and write to a thread of their own. `None` (then those) for a
/// terminal, a file or a socket.
#[cfg(unix)]
fn pipes() -> Option<(Reader, Writer)> {
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
    Some((Box::new(reader), Box::new(writer)))
}

/// Where pipes are not Unix pipes: tokio's stdin and stdout.
#[cfg(not(unix))]
fn pipes() -> Option<(Reader, Writer)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_names_every_tool_the_router_serves() {
        let mut served: Vec<String> =
            Server::tool_router().list_all().into_iter().map(|t| t.name.to_string()).collect();
        let mut named: Vec<String> = crate::agents::TOOLS.iter().map(|t| t.to_string()).collect();
        served.sort();
        named.sort();
        assert_eq!(served, named);
    }
}
