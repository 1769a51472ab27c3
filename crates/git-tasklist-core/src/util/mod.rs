//! The bottom layer: text for terminals and programs, bounded file reads,
//! and the deferral of signals around writes. Nothing here knows a task list.

pub mod file;
pub mod interrupt;
pub mod text;
