//! The refs of the lists: listing them, resolving what a user typed to an
//! id, and the tip a read or a write starts from.

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::error::{Lookup, Problem, StoreError, StoreResult, git_err};
use super::open::Store;
use super::types::{MIN_PREFIX, cid};
use crate::domain::id::CommitId;
use crate::domain::model::is_uuid;
use crate::util::text::escape;

impl Store {
    /// Every name directly under the namespace with the commit its ref
    /// points to (`None` when it cannot be resolved), from the refs alone:
    /// no list is read. Names that are not list ids ([`is_uuid`]) are in
    /// here too, for a caller to report.
    pub fn list_tips(&self) -> StoreResult<Vec<(String, Option<CommitId>)>> {
        let tips = self.refs_with_prefix(&self.local(), "", true)?;
        let mut tips: Vec<_> =
            tips.into_iter().map(|(id, tip)| (id, tip.map(|t| cid(&t)))).collect();
        tips.sort();
        Ok(tips)
    }

    /// Refs directly under the namespace whose id starts with `prefix`, with
    /// their tips when `peel` (else `None`: names alone, nothing else read).
    fn refs_with_prefix(
        &self,
        repo: &gix::Repository,
        prefix: &str,
        peel: bool,
    ) -> StoreResult<Vec<(String, Option<ObjectId>)>> {
        let dir = format!("{}/", self.namespace);
        let full = format!("{dir}{prefix}");
        let platform = repo.references().map_err(|e| git_err("reading refs", e))?;
        let iter = platform.prefixed(full.as_str()).map_err(|e| git_err("reading refs", e))?;
        let mut out = Vec::new();
        for r in iter {
            let Ok(mut r) = r else { continue };
            let name = r.name().as_bstr().to_str_lossy().into_owned();
            // Only refs directly under the namespace are lists; deeper ones
            // belong to another namespace nested inside this one.
            let Some(id) = name.strip_prefix(&dir).filter(|id| !id.contains('/')) else {
                continue;
            };
            let id = id.to_string();
            let tip = if peel { r.peel_to_id().ok().map(|i| i.detach()) } else { None };
            out.push((id, tip));
        }
        Ok(out)
    }

    /// The full names of the refs under `prefix` (a directory such as
    /// `refs/tasklists-remote/`), with their tips; refs that cannot be
    /// peeled have `None`. Names only: nothing else is read.
    pub fn refs_under(&self, prefix: &str) -> StoreResult<Vec<(String, Option<CommitId>)>> {
        let repo = self.local();
        let platform = repo.references().map_err(|e| git_err("reading refs", e))?;
        let iter = platform.prefixed(prefix).map_err(|e| git_err("reading refs", e))?;
        let mut out = Vec::new();
        for r in iter {
            let Ok(mut r) = r else { continue };
            let name = r.name().as_bstr().to_str_lossy().into_owned();
            out.push((name, r.peel_to_id().ok().map(|i| cid(&i))));
        }
        out.sort();
        Ok(out)
    }

    /// Resolves what a user typed to a list id, trying in order: a full id,
    /// a unique id prefix of at least [`MIN_PREFIX`] characters (matched
    /// against ref names alone), an exact title (read only when no id matches).
    pub fn resolve(&self, query: &str) -> StoreResult<String> {
        let q = query.trim();
        if q.is_empty() {
            return Err(StoreError::ListNotFound(String::new()));
        }
        let repo = self.local();
        // A list this process wrote lately exists: no ref read.
        if is_uuid(q) && (self.recent.has_list(q) || self.ref_exists(&repo, q)?) {
            return Ok(q.to_string());
        }
        let lower = q.to_ascii_lowercase();
        let id_like = lower.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        if id_like && q.len() >= MIN_PREFIX {
            let hits = self.ids_with_prefix(&repo, &lower)?;
            match hits.len() {
                1 => return Ok(hits.into_iter().next().unwrap_or_default()),
                0 => {}
                _ => {
                    return Err(StoreError::Ambiguous {
                        query: escape(query),
                        by: Lookup::Prefix,
                        candidates: hits.iter().map(|id| self.describe(&repo, id)).collect(),
                    });
                }
            }
        }
        // Titles come from the summary index (see `index.rs`).
        let mut hits = self.ids_titled(query)?;
        match hits.len() {
            1 => Ok(hits.remove(0)),
            0 if id_like
                && q.len() < MIN_PREFIX
                && !self.ids_with_prefix(&repo, &lower)?.is_empty() =>
            {
                Err(StoreError::PrefixTooShort(escape(query)))
            }
            0 => Err(StoreError::ListNotFound(escape(query))),
            _ => {
                hits.sort();
                Err(StoreError::Ambiguous {
                    query: escape(query),
                    by: Lookup::Title,
                    candidates: hits.iter().map(|id| self.describe(&repo, id)).collect(),
                })
            }
        }
    }

    /// Ids of the lists whose id starts with `prefix`, from ref names alone:
    /// the entries of the namespace's loose-ref directory (names only, no
    /// file is opened) and a binary search of `packed-refs`. At 10,000 lists
    /// this costs a directory listing, where iterating refs reads every file.
    fn ids_with_prefix(
        &self,
        repo: &gix::Repository,
        prefix: &str,
    ) -> StoreResult<std::collections::BTreeSet<String>> {
        let mut ids = std::collections::BTreeSet::new();
        let dir = self.common_dir.join(&self.namespace);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name();
                let Some(name) = name.to_str() else { continue };
                let is_file = e.file_type().is_ok_and(|t| t.is_file());
                if is_file && name.starts_with(prefix) && is_uuid(name) {
                    ids.insert(name.to_string());
                }
            }
        }
        let packed =
            repo.refs.cached_packed_buffer().map_err(|e| git_err("reading packed refs", e))?;
        if let Some(packed) = packed {
            let full = format!("{}/{prefix}", self.namespace);
            let iter = packed
                .iter_prefixed(full.clone().into())
                .map_err(|e| git_err("reading packed refs", e))?;
            let dir = format!("{}/", self.namespace);
            for r in iter.flatten() {
                let name = r.name.as_bstr().to_str_lossy();
                if let Some(id) = name.strip_prefix(&dir).filter(|id| is_uuid(id)) {
                    ids.insert(id.to_string());
                }
            }
        }
        Ok(ids)
    }

    fn describe(&self, repo: &gix::Repository, id: &str) -> String {
        let snap =
            self.tip_with(repo, id).ok().flatten().and_then(|t| self.read_with(repo, id, t).ok());
        match snap {
            Some(s) => format!("{id} ({})", escape(&s.list.title)),
            None => id.to_string(),
        }
    }

    /// The tip commit of a list, if its ref exists.
    pub fn tip(&self, id: &str) -> StoreResult<Option<CommitId>> {
        Ok(self.tip_with(&self.local(), id)?.map(|t| cid(&t)))
    }

    /// Whether list `id` has a ref, read without peeling it (which would
    /// read the object it points to: a reader does that next anyway).
    fn ref_exists(&self, repo: &gix::Repository, id: &str) -> StoreResult<bool> {
        let name = self.ref_name(id);
        let r = repo.try_find_reference(name.as_str()).map_err(|e| git_err("reading a ref", e))?;
        Ok(r.is_some())
    }

    pub(crate) fn tip_with(
        &self,
        repo: &gix::Repository,
        id: &str,
    ) -> StoreResult<Option<ObjectId>> {
        let name = self.ref_name(id);
        let r = repo.try_find_reference(name.as_str()).map_err(|e| git_err("reading a ref", e))?;
        match r {
            None => Ok(None),
            // A commit this process wrote needs no peeling (which
            // would read it to see whether it is a tag).
            Some(r) if r.target().try_id().is_some_and(|oid| self.recent.has(oid)) => {
                Ok(r.target().try_id().map(|oid| oid.to_owned()))
            }
            Some(mut r) => {
                r.peel_to_id().map(|i| Some(i.detach())).map_err(|e| StoreError::Unreadable {
                    list: escape(id),
                    commit: "(none)".into(),
                    problem: Problem::BadRef(Box::new(e)),
                })
            }
        }
    }

    /// The object a list's ref points straight at, for a write: a symbolic
    /// ref is refused by name (a compare-and-swap on what it leads to could
    /// never succeed); so is an annotated tag, when [`load`] finds one.
    pub(crate) fn write_tip(
        &self,
        repo: &gix::Repository,
        id: &str,
    ) -> StoreResult<Option<ObjectId>> {
        let name = self.ref_name(id);
        let Some(r) =
            repo.try_find_reference(name.as_str()).map_err(|e| git_err("reading a ref", e))?
        else {
            return Ok(None);
        };
        let odd =
            |what: String| StoreError::OddRef { list: escape(id), reference: name.clone(), what };
        let target = match r.target() {
            gix::refs::TargetRef::Symbolic(to) => {
                return Err(odd(format!(
                    "a symbolic ref (to {})",
                    escape(&to.as_bstr().to_str_lossy())
                )));
            }
            gix::refs::TargetRef::Object(oid) => oid.to_owned(),
        };
        Ok(Some(target))
    }
}
