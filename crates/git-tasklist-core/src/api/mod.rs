//! The API: [`Tasklists`], one method per command, the one error every call
//! returns ([`Error`]), and the typed views front ends show ([`view`]).

pub mod error;
mod poll;
mod tasklists;
pub mod view;

pub use error::{Class, Error, ErrorKind, Hint, Result};
pub use poll::{Fingerprint, Poller};
pub use tasklists::{Changed, Tasklists};
