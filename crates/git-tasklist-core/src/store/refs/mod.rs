//! The refs of the lists behind one seam, [`Backend`]: the files backend
//! ([`files`], gix itself) or reftable ([`reftable`], git's plumbing, which
//! gix cannot read); nothing above the store knows which one is in use.
//! [`lookup`] lists refs, resolves what a user typed to an id and finds the
//! tip a read or a write starts from; the compare-and-swap that moves a ref
//! is [`Backend::cas`]; [`packed`] sets or deletes many refs in one write
//! of `packed-refs`.

pub(super) mod backend;
mod files;
mod lookup;
mod packed;
mod reftable;
pub(super) mod types;

#[cfg(test)]
pub(super) use files::tests;
pub(super) use files::{Stamp, mid_listing, stable_listing};
pub(crate) use packed::PackedEdit;
