//! The multi-session workflow over the store: creating lists (from a title
//! and tasks, a template or another list), handoffs, the persistence checks
//! and the resume briefing.

pub mod accept;
pub mod command;
pub mod handoff;
pub mod plan;
pub mod resume;
pub mod template;
pub mod verify;
