//! `git-tasklist mcp`: the library as an MCP server on stdio (rmcp). Each
//! tool is one library call, run off the server's thread (a long call never
//! holds up another); its result is the same typed view `--json` prints, as
//! structured content that validates against the tool's output schema. A
//! failure is a tool result with `isError: true`: the library's sentence,
//! its stable code and a hint in the tool's own parameter names, as text and
//! as structured content. The session is settled on the first request of
//! any kind (MCP 2026-07-28 clients send no `initialize`). Logs go to stderr
//! only: stdout is the JSON-RPC stream.

mod error;
mod params;
mod schema;
mod server;
mod transport;

pub use error::ToolError;
pub use params::{
    AddParams, AllParams, CreateParams, HandoffParams, ListParams, NewTaskParams, UpdateParams,
    VerifyParams,
};
pub use server::{Server, client_session, serve, slug};
pub use transport::MAX_LINE;
