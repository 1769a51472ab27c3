//! Writing a commit: the state's blob, the root tree (built here for files
//! at the top, by gix's tree editor for deeper ones) and the commit object,
//! as loose objects; no ref moves here.

use gix::ObjectId;

use super::error::StoreError;
use super::error::{StoreResult, git_err};
use super::open::Store;
use super::types::MAX_STATE_BYTES;
use crate::domain::model::{STATE_FILE, TaskList};
use crate::domain::op::Applied;
use crate::domain::trailer;
use crate::util::text::escape;

/// What [`Store::write_commit`] wrote.
pub(super) struct Written {
    /// The commit.
    pub(super) commit: ObjectId,
    /// Its root tree.
    pub(super) tree: ObjectId,
    /// That tree decoded, when it was built here (not by gix's tree editor).
    pub(super) tree_entries: Option<gix::objs::Tree>,
    /// Its committer, for the ref's log.
    pub(super) committer: gix::actor::Signature,
}

impl Store {
    /// Writes the blob (refusing one the store could not read back), tree
    /// and commit for an applied change on `base_tree`;
    /// returns the commit id and its committer (reused for the ref update).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn write_commit(
        &self,
        repo: &gix::Repository,
        id: &str,
        (parent, merged): (Option<ObjectId>, &[ObjectId]),
        base_tree: ObjectId,
        applied: &Applied,
        files: &[(String, Vec<u8>)],
        session: Option<&str>,
    ) -> StoreResult<Written> {
        let text = applied.list.to_toml();
        // The state written is the state a later read parses (which is what
        // lets [`Store::remember`] keep it).
        debug_assert!(
            TaskList::from_toml(&text).is_ok_and(|read| read == applied.list),
            "the TOML written does not read back as the same list"
        );
        if text.len() as u64 > MAX_STATE_BYTES {
            return Err(StoreError::TooLarge { list: escape(id), bytes: text.len() });
        }
        let write = |kind, data: &[u8], what: &'static str| {
            super::loose::write(&self.objects_dir, repo.object_hash(), kind, data)
                .map_err(|e| git_err(what, e))
        };
        let blob = write(gix::object::Kind::Blob, text.as_bytes(), "writing a blob")?;
        let mut entries: Vec<(&str, ObjectId)> = vec![(STATE_FILE, blob)];
        for (path, data) in files {
            entries.push((path.as_str(), write(gix::object::Kind::Blob, data, "writing a blob")?));
        }
        let mut written_tree = None;
        let tree = if entries.iter().all(|(p, _)| !p.contains('/')) {
            let base = match self.recent_tree(base_tree) {
                Some(t) => t,
                None => read_tree(repo, base_tree)?,
            };
            let tree = root_tree(base, &entries);
            let mut bytes = Vec::with_capacity(64 * tree.entries.len());
            gix::objs::WriteTo::write_to(&tree, &mut bytes)
                .map_err(|e| git_err("writing a tree", e))?;
            let id = write(gix::object::Kind::Tree, &bytes, "writing a tree")?;
            written_tree = Some(tree);
            id
        } else {
            // Files in subdirectories: gix's tree editor builds the subtrees.
            let mut editor = repo.edit_tree(base_tree).map_err(|e| git_err("reading a tree", e))?;
            for (path, oid) in &entries {
                editor
                    .upsert(*path, gix::objs::tree::EntryKind::Blob, *oid)
                    .map_err(|e| git_err("editing a tree", e))?;
            }
            editor.write().map_err(|e| git_err("writing a tree", e))?.detach()
        };

        let mut trailers: Vec<(&str, &str)> =
            vec![(trailer::TASKLIST, id), (trailer::OP, applied.name.as_str())];
        if let Some(s) = session {
            trailers.push((trailer::SESSION, s));
        }
        trailers.extend(applied.trailers.iter().map(|(k, v)| (*k, v.as_str())));
        let message = trailer::message(&applied.subject, &trailers);
        let seconds = applied.list.updated.timestamp();
        let author = self.signature(repo, true, seconds);
        let committer = self.signature(repo, false, seconds);
        let commit = gix::objs::Commit {
            tree,
            parents: parent.into_iter().chain(merged.iter().copied()).collect(),
            author,
            committer: committer.clone(),
            encoding: None,
            message: message.into(),
            extra_headers: vec![],
        };
        let mut bytes = Vec::with_capacity(512 + commit.message.len());
        gix::objs::WriteTo::write_to(&commit, &mut bytes)
            .map_err(|e| git_err("writing a commit", e))?;
        let id = write(gix::object::Kind::Commit, &bytes, "writing a commit")?;
        Ok(Written { commit: id, tree, tree_entries: written_tree, committer })
    }
}

/// The tree `id`, decoded.
fn read_tree(repo: &gix::Repository, id: ObjectId) -> StoreResult<gix::objs::Tree> {
    if id == ObjectId::empty_tree(repo.object_hash()) {
        return Ok(gix::objs::Tree::empty());
    }
    let t = repo.find_tree(id).map_err(|e| git_err("reading a tree", e))?;
    let decoded = t.decode().map_err(|e| git_err("reading a tree", e))?;
    Ok(gix::objs::Tree::from(decoded))
}

/// The root tree `tree` with each `(name, blob)` of `files` put in (as a
/// regular file, replacing an entry of the same name), in git's order.
fn root_tree(mut tree: gix::objs::Tree, files: &[(&str, ObjectId)]) -> gix::objs::Tree {
    for (name, oid) in files {
        let name: &gix::bstr::BStr = name.as_bytes().into();
        tree.entries.retain(|e| e.filename != name);
        tree.entries.push(gix::objs::tree::Entry {
            mode: gix::objs::tree::EntryKind::Blob.into(),
            filename: name.to_owned(),
            oid: *oid,
        });
    }
    tree.entries.sort();
    tree
}
