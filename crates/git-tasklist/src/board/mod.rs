//! The board: a local, read-only web view of the lists (axum on tokio); see
//! [`serve`].

mod markdown;
mod server;

pub use server::{BUILDS, HISTORY, POLL, serve};
