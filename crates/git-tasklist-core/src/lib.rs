//! git-tasklist: resumable multi-session task lists stored as TOML on
//! dedicated git refs (`refs/tasklists/<id>`), one commit per change.
//!
//! [`Tasklists`] is the whole product: each method is one command's work and
//! returns data, and [`view`] turns that data into the typed views every
//! front end shows programs. Data flows one way: a call becomes an
//! [`Op`], which the store applies to the tip it reads and commits with a
//! compare-and-swap; reads go ref → [`TaskList`] → a view. The types a
//! program names are re-exported here; the modules below hold the rest of
//! each layer's public items (errors, constants, helpers front ends share).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use git_tasklist_core::{CreateRequest, NewTask, Status, TaskChange, TaskId, Tasklists, view};
//!
//! let dir = tempfile::tempdir()?;
//! std::process::Command::new("git").arg("init").arg("-q").arg(dir.path()).status()?;
//!
//! // Session 1 plans the work and finishes the first phase.
//! let tl = Tasklists::open(Some(dir.path()), None)?.with_session(Some("s1"))?;
//! let schema = TaskId::parse("schema")?;
//! let request = CreateRequest {
//!     title: Some("Migration".into()),
//!     tasks: vec![
//!         NewTask { id: schema.clone(), title: "Migrate the schema".into(), depends_on: vec![], note: None },
//!         NewTask { id: TaskId::parse("code")?, title: "Port the code".into(), depends_on: vec![], note: None },
//!     ],
//!     sequential: true,
//!     ..Default::default()
//! };
//! let id = tl.create(&request)?.id;
//! let done = TaskChange { status: Some(Status::Completed), ..Default::default() };
//! tl.update(&id, &schema, done)?;
//!
//! // Session 2 knows only the id.
//! let tl = Tasklists::open(Some(dir.path()), None)?.with_session(Some("s2"))?;
//! let briefing = tl.resume(&id)?;
//! assert_eq!(briefing.snapshot.list.next_for(tl.session()).map(|t| t.id.as_str()), Some("code"));
//! assert!(briefing.verdict.ok());
//!
//! // Programs get typed views (the JSON of `--json`).
//! let json = serde_json::to_value(view::ResumeView::of(&briefing, &tl.ref_name(&id)))?;
//! assert_eq!(json["list"]["progress"]["done"], 1);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod api;
pub mod domain;
pub mod interop;
pub mod store;
pub mod sync;
pub mod util;
pub mod workflow;

pub use domain::{format, merge, model, op, trailer};
pub use interop::claude_tasks;
pub use util::{file, interrupt, text};
pub use workflow::{handoff, plan, template};

pub use api::{
    Changed, Error, ErrorKind, Fingerprint, Hint, Poller, Result, Tasklists, error, view,
};

// The vocabulary: what a program names to call [`Tasklists`] and to read
// what it returns.
pub use domain::id::CommitId;
pub use domain::model::{NextStep, Status, Task, TaskId, TaskList};
pub use domain::op::{NewTask, Op, OpName, TaskChange};
pub use store::{Committed, IndexStats, ListEntry, LogEntry, Snapshot};
pub use sync::{SyncOptions, SyncReport};
pub use workflow::handoff::HandedOff;
pub use workflow::plan::{CreateRequest, Created};
pub use workflow::resume::Briefing;
pub use workflow::verify::{Expect, Verdict};
