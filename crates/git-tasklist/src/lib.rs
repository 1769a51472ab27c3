//! The front ends of git-tasklist, over the library
//! [`git_tasklist_core`]: the command line ([`cli`]), the MCP server
//! ([`mcp`]), Claude Code's hooks ([`hook`]), the installers ([`install`])
//! and the web board ([`board`]). Each parses its input, calls the library,
//! renders the result and maps its errors; none calls another.

#![warn(missing_docs)]

pub mod agents;
pub mod board;
pub mod cli;
pub mod hook;
pub mod install;
pub mod mcp;
pub mod signals;
pub mod words;
