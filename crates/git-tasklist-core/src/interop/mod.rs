//! Other tools' task lists: Claude Code's task files, read into a list and
//! written from one, and the lists its sessions' own tasks are mirrored into.

pub mod claude_tasks;
