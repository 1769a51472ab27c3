//! The files ref backend (loose refs and `packed-refs`), read and written
//! by gix itself.

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::types::{CasFailure, Listed, RefTarget};
use crate::domain::model::is_uuid;
use crate::store::error::{StoreResult, git_err};

/// Every ref whose full name starts with `prefix`, with its tip peeled
/// through symbolic refs and tags. A ref naming a commit is taken as it is
/// after a look at the object's header (its kind), without inflating the
/// object or looking at `packed-refs` again, as peeling each would: at
/// 100,000 refs that was most of a sync with nothing to do.
pub(super) fn list(repo: &gix::Repository, prefix: &str) -> StoreResult<Vec<Listed>> {
    let platform = repo.references().map_err(|e| git_err("reading refs", e))?;
    let iter = platform.prefixed(prefix).map_err(|e| git_err("reading refs", e))?;
    let mut out = Vec::new();
    for r in iter {
        // An undecodable loose ref is reported by its file name elsewhere.
        let Ok(mut r) = r else { continue };
        let name = r.name().as_bstr().to_str_lossy().into_owned();
        let direct = r.target().try_id().map(ToOwned::to_owned).filter(|id| {
            repo.find_header(*id).is_ok_and(|h| h.kind() == gix::object::Kind::Commit)
        });
        let tip = match direct {
            Some(id) => Ok(id),
            None => r.peel_to_id().map(|i| i.detach()).map_err(|e| e.into()),
        };
        out.push(Listed { name, tip });
    }
    Ok(out)
}

/// What ref `name` points at, without peeling it.
pub(super) fn find(repo: &gix::Repository, name: &str) -> StoreResult<Option<RefTarget>> {
    let r = repo.try_find_reference(name).map_err(|e| git_err("reading a ref", e))?;
    Ok(r.map(|r| match r.target() {
        gix::refs::TargetRef::Symbolic(to) => {
            RefTarget::Symbolic(to.as_bstr().to_str_lossy().into_owned())
        }
        gix::refs::TargetRef::Object(oid) => RefTarget::Object(oid.to_owned()),
    }))
}

/// Ref `name` peeled through symbolic refs and tags (`None`: no such ref).
/// A ref pointing straight at an object `known` is not peeled.
pub(super) fn peel(
    repo: &gix::Repository,
    name: &str,
    known: &dyn Fn(&gix::oid) -> bool,
) -> StoreResult<Option<Result<ObjectId, crate::store::types::BoxError>>> {
    let r = repo.try_find_reference(name).map_err(|e| git_err("reading a ref", e))?;
    Ok(r.map(|mut r| match r.target().try_id() {
        Some(oid) if known(oid) => Ok(oid.to_owned()),
        _ => r.peel_to_id().map(|i| i.detach()).map_err(|e| e.into()),
    }))
}

/// Names of the refs directly under `dir` (with its trailing slash) that
/// start with `dir` + `prefix` and are list ids: the entries of the loose-ref
/// directory (names only, no file is opened) and a binary search of
/// `packed-refs`.
pub(super) fn ids_with_prefix(
    repo: &gix::Repository,
    common_dir: &std::path::Path,
    dir: &str,
    prefix: &str,
) -> StoreResult<std::collections::BTreeSet<String>> {
    let mut ids = std::collections::BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(common_dir.join(dir.trim_end_matches('/'))) {
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            if is_file && name.starts_with(prefix) && is_uuid(name) {
                ids.insert(name.to_string());
            }
        }
    }
    let packed = repo.refs.cached_packed_buffer().map_err(|e| git_err("reading packed refs", e))?;
    if let Some(packed) = packed {
        let full = format!("{dir}{prefix}");
        let iter =
            packed.iter_prefixed(full.into()).map_err(|e| git_err("reading packed refs", e))?;
        for r in iter.flatten() {
            let name = r.name.as_bstr().to_str_lossy();
            if let Some(id) = name.strip_prefix(dir).filter(|id| is_uuid(id)) {
                ids.insert(id.to_string());
            }
        }
    }
    Ok(ids)
}

/// The compare-and-swap of ref `name`: point it at `new` if it points at
/// `expected` (`None`: if it does not exist).
pub(super) fn cas(
    repo: &gix::Repository,
    name: &str,
    new: ObjectId,
    expected: Option<ObjectId>,
    why: &str,
    committer: &gix::actor::Signature,
) -> Result<(), CasFailure> {
    let full: gix::refs::FullName =
        name.try_into().map_err(|e| CasFailure::Failed(git_err(format!("updating {name}"), e)))?;
    let edit = RefEdit {
        name: full,
        deref: false,
        change: Change::Update {
            new: gix::refs::Target::Object(new),
            expected: match expected {
                Some(p) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(p)),
                None => PreviousValue::MustNotExist,
            },
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: format!("tasklist: {why}").into(),
            },
        },
    };
    let mut time_buf = gix::date::parse::TimeBuf::default();
    match repo.edit_references_as(Some(edit), Some(committer.to_ref(&mut time_buf))) {
        Ok(_) => Ok(()),
        Err(e) if e.is_conflict() => Err(CasFailure::Conflict),
        Err(e) if e.is_not_found() => Err(CasFailure::NotFound),
        Err(e) if e.is_retryable() => Err(CasFailure::Busy),
        Err(e) => Err(CasFailure::Failed(git_err(format!("updating {name}"), e))),
    }
}

/// The branch HEAD names, in full (`None`: detached or unreadable).
pub(super) fn head_name(repo: &gix::Repository) -> Option<String> {
    let head = repo.head_name().ok()??;
    head.as_bstr().to_str().ok().map(String::from)
}
