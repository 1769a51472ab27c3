//! Listing the lists' refs, resolving what a user typed to an id, and the
//! tip a read or a write starts from, through whichever [`Backend`] the
//! repository uses.

use gix::ObjectId;

use super::backend::Backend;
use super::files;
use super::types::RefTarget;
use crate::domain::id::CommitId;
use crate::domain::model::is_uuid;
use crate::store::error::{Lookup, Problem, StoreError, StoreResult};
use crate::store::open::Store;
use crate::store::types::{MIN_PREFIX, cid};
use crate::util::text::escape;

impl Store {
    /// Every name directly under the namespace with the commit its ref
    /// points to (`None` when it cannot be resolved), from the refs alone:
    /// no list is read. Names that are not list ids ([`is_uuid`]) are in
    /// here too, for a caller to report.
    pub fn list_tips(&self) -> StoreResult<Vec<(String, Option<CommitId>)>> {
        let tips = self.refs_with_prefix(&self.local())?;
        let mut tips: Vec<_> =
            tips.into_iter().map(|(id, tip)| (id, tip.map(|t| cid(&t)))).collect();
        tips.sort();
        Ok(tips)
    }

    /// Refs directly under the namespace, with their tips (`None` when a
    /// ref cannot be resolved).
    fn refs_with_prefix(
        &self,
        repo: &gix::Repository,
    ) -> StoreResult<Vec<(String, Option<ObjectId>)>> {
        let dir = format!("{}/", self.namespace);
        let mut out = Vec::new();
        for listed in self.refs.list(repo, &dir)? {
            // Only refs directly under the namespace are lists; deeper ones
            // belong to another namespace nested inside this one.
            let Some(id) = listed.name.strip_prefix(&dir).filter(|id| !id.contains('/')) else {
                continue;
            };
            out.push((id.to_string(), listed.tip.ok()));
        }
        Ok(out)
    }

    /// The full names of the refs under `prefix` (a directory such as
    /// `refs/tasklists-remote/`), with their tips; refs that cannot be
    /// peeled have `None`. Names only: nothing else is read.
    pub fn refs_under(&self, prefix: &str) -> StoreResult<Vec<(String, Option<CommitId>)>> {
        let repo = self.local();
        let mut out: Vec<_> = self
            .refs
            .list(&repo, prefix)?
            .into_iter()
            .map(|l| (l.name, l.tip.ok().map(|t| cid(&t))))
            .collect();
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

    /// Ids of the lists whose id starts with `prefix`, from ref names alone.
    /// Files backend: the entries of the namespace's loose-ref directory
    /// (names only, no file is opened) and a binary search of `packed-refs`;
    /// at 10,000 lists this costs a directory listing, where iterating refs
    /// reads every file.
    fn ids_with_prefix(
        &self,
        repo: &gix::Repository,
        prefix: &str,
    ) -> StoreResult<std::collections::BTreeSet<String>> {
        let dir = format!("{}/", self.namespace);
        match &self.refs {
            Backend::Files => files::ids_with_prefix(repo, &self.common_dir, &dir, prefix),
            Backend::Reftable(r) => r.ids_with_prefix(repo, &dir, prefix),
        }
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

    /// Whether list `id` has a ref, read without peeling it (a reader
    /// reads the object it points to next anyway).
    fn ref_exists(&self, repo: &gix::Repository, id: &str) -> StoreResult<bool> {
        Ok(self.refs.find(repo, &self.ref_name(id))?.is_some())
    }

    /// The tip of list `id` peeled to the object beneath (`None`: no ref).
    pub(crate) fn tip_with(
        &self,
        repo: &gix::Repository,
        id: &str,
    ) -> StoreResult<Option<ObjectId>> {
        let name = self.ref_name(id);
        // A commit this process wrote needs no peeling (which would read
        // it to see whether it is a tag).
        match self.refs.peel(repo, &name, &|oid| self.recent.has(oid))? {
            None => Ok(None),
            Some(Ok(oid)) => Ok(Some(oid)),
            Some(Err(e)) => Err(StoreError::Unreadable {
                list: escape(id),
                commit: "(none)".into(),
                problem: Problem::BadRef(e),
            }),
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
        let Some(target) = self.refs.find(repo, &name)? else {
            return Ok(None);
        };
        let odd =
            |what: String| StoreError::OddRef { list: escape(id), reference: name.clone(), what };
        let target = match target {
            RefTarget::Symbolic(to) => {
                return Err(odd(format!("a symbolic ref (to {})", escape(&to))));
            }
            RefTarget::Object(oid) => oid,
        };
        Ok(Some(target))
    }
}
