//! The domain: task lists and their queries, every mutation as a value, the
//! TOML format, the three-way merge and commit trailers. Pure: no git.

pub mod format;
pub mod id;
pub mod merge;
pub mod model;
pub mod op;
pub mod summary;
pub mod trailer;
