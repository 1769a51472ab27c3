//! git-tasklist: resumable multi-session task lists stored as TOML on
//! dedicated git refs (`refs/tasklists/<id>`), one commit per change.
//!
//! Data flows one way: command-line arguments become an [`op::Op`], which
//! [`store::Store::transact`] applies to the tip it reads and commits with a
//! compare-and-swap; reads go ref → [`model::TaskList`] → a view.

#![warn(missing_docs)]

pub mod cli;
pub mod handoff;
pub mod model;
pub mod op;
pub mod session;
pub mod store;
pub mod template;
