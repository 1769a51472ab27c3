//! The command line: global options, one `match` over the commands, and the
//! single place where errors become exit codes.
//!
//! [`main`] parses the command line and runs one command (`run.rs`); each
//! command is a file of its own over the [`App`](app::App) it is given;
//! failures become exit codes in `error.rs`.

mod add;
mod app;
mod archive;
mod claude;
mod color;
mod completions;
mod create;
mod demo;
mod error;
mod handoff;
mod help;
mod install;
mod list;
mod log;
mod man;
mod next;
pub mod render;
mod resume;
mod run;
mod serve;
mod show;
mod sync;
mod templates;
mod update;
mod verify;
mod watch;

pub use error::{
    CliError, CliResult, EXIT_CONFLICT, EXIT_ERROR, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE,
    EXIT_VERIFY, Kind,
};
pub use run::{Cli, main};
