//! Reading lists: a list at its tip or at a commit, every list of the
//! namespace, and other files of a commit's tree.

use gix::ObjectId;

use super::error::{ObjectKind, Problem, StoreError, StoreResult, object_id, unreadable};
use super::open::Store;
use super::types::{MAX_STATE_BYTES, Snapshot, cid};
use crate::domain::id::CommitId;
use crate::domain::model::{STATE_FILE, TaskList, is_uuid};
use crate::util::text::{escape, one_line};

/// One entry of [`crate::Tasklists::list`]: a readable list or why it is not.
#[derive(Debug)]
pub struct ListEntry {
    /// The ref's last component.
    pub id: String,
    /// The list, or the error reading it.
    pub result: StoreResult<Snapshot>,
}

impl Store {
    /// A file of the tree of `commit` (for example `HANDOFF.md`), when it is
    /// there as a blob of at most `max` bytes of UTF-8; `None` when it is
    /// absent. Never reads more than `max` bytes into memory.
    pub fn file_at(
        &self,
        id: &str,
        commit: CommitId,
        name: &str,
        max: u64,
    ) -> StoreResult<Option<String>> {
        let commit = object_id(id, commit)?;
        let repo = self.local();
        let bad = |problem| unreadable(id, commit, problem);
        let c = repo.find_commit(commit).map_err(|e| bad(Problem::Missing(Box::new(e))))?;
        let tree = c.tree().map_err(|e| bad(Problem::Tree(Box::new(e))))?;
        let Some(entry) = tree.find_entry(name) else { return Ok(None) };
        if !entry.mode().is_blob() {
            return Ok(None);
        }
        let blob_id = entry.oid().to_owned();
        let file = |what: String| bad(Problem::File { name: name.to_string(), what });
        let header = repo
            .find_header(blob_id)
            .map_err(|e| file(format!("cannot be read ({})", one_line(&e.to_string()))))?;
        if header.size() > max {
            return Err(file(format!("is {} bytes, over the {max} byte limit", header.size())));
        }
        let mut blob = repo
            .find_blob(blob_id)
            .map_err(|e| file(format!("cannot be read ({})", one_line(&e.to_string()))))?;
        String::from_utf8(std::mem::take(&mut blob.data))
            .map(Some)
            .map_err(|_| file("is not UTF-8".into()))
    }

    /// Reads every list in the namespace, sorted by id, but those directly
    /// under the namespace whose id `skip` says another reader serves
    /// (nothing is read of them and they are left out); unreadable ones carry
    /// their error.
    pub(crate) fn list_all_but(&self, skip: impl Fn(&str) -> bool) -> StoreResult<Vec<ListEntry>> {
        let repo = self.local();
        let dir = format!("{}/", self.namespace);
        let none = |id: &str, problem| StoreError::Unreadable {
            list: escape(id),
            commit: "(none)".into(),
            problem,
        };
        let mut out: Vec<ListEntry> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in self.refs.list(&repo, &dir)? {
            // An undecodable loose ref is found below, by its file name.
            let name = r.name;
            let Some(id) = name.strip_prefix(&dir) else { continue };
            let id = id.to_string();
            seen.insert(id.clone());
            let result = if let Some((_, last)) = id.rsplit_once('/') {
                // A list of a namespace nested in this one is that
                // namespace's business; anything else down there is reported.
                let tip = r.tip.as_ref().ok().copied();
                let nested_list =
                    is_uuid(last) && tip.is_some_and(|t| self.read_with(&repo, last, t).is_ok());
                if nested_list {
                    continue;
                }
                Err(none(&id, Problem::Nested(name.clone())))
            } else if skip(&id) {
                continue;
            } else {
                match r.tip {
                    Ok(tip) if !is_uuid(&id) => Err(unreadable(&id, tip, Problem::NotAnId)),
                    Ok(tip) => self.read_with(&repo, &id, tip),
                    Err(e) => Err(none(&id, Problem::BadRef(e))),
                }
            };
            out.push(ListEntry { id, result });
        }
        if let Ok(entries) = std::fs::read_dir(self.common_dir.join(&self.namespace)) {
            for e in entries.flatten() {
                let Some(name) = e.file_name().to_str().map(String::from) else { continue };
                let is_file = e.file_type().is_ok_and(|t| t.is_file());
                if is_file && !name.ends_with(".lock") && !seen.contains(&name) {
                    out.push(ListEntry { result: Err(none(&name, Problem::BadRefFile)), id: name });
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Reads a list's current state from its tip (never walks history).
    pub fn read(&self, id: &str) -> StoreResult<Snapshot> {
        let repo = self.local();
        let tip = self.tip_with(&repo, id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        self.read_with(&repo, id, tip)
    }

    /// Reads the list stored in commit `commit`.
    pub fn read_at(&self, id: &str, commit: CommitId) -> StoreResult<Snapshot> {
        self.read_with(&self.local(), id, object_id(id, commit)?)
    }

    pub(crate) fn read_with(
        &self,
        repo: &gix::Repository,
        id: &str,
        commit: ObjectId,
    ) -> StoreResult<Snapshot> {
        self.load(repo, id, commit).map(|(snap, _)| snap)
    }

    /// [`load`], served from the lists this process wrote last when
    /// `commit` is one of them.
    pub(crate) fn load(
        &self,
        repo: &gix::Repository,
        id: &str,
        commit: ObjectId,
    ) -> StoreResult<(Snapshot, ObjectId)> {
        if let Some((list, tree)) = self.recent.get(id, commit) {
            return Ok((Snapshot { list, tip: cid(&commit) }, tree));
        }
        load(repo, id, commit)
    }

    /// Remembers the list just written in `commit`, with its root tree
    /// (see [`Recent`]).
    pub(crate) fn remember(
        &self,
        commit: ObjectId,
        tree: ObjectId,
        tree_entries: Option<gix::objs::Tree>,
        list: &TaskList,
    ) {
        self.recent.put(commit, tree, tree_entries, list);
    }

    /// The root tree `tree`, if this process wrote it lately.
    pub(crate) fn recent_tree(&self, tree: ObjectId) -> Option<gix::objs::Tree> {
        self.recent.tree(tree)
    }
}

/// Reads the list in `commit` plus the commit's tree id, which a write edits.
pub(crate) fn load(
    repo: &gix::Repository,
    id: &str,
    commit: ObjectId,
) -> StoreResult<(Snapshot, ObjectId)> {
    let state = repo.find_commit(commit).map_err(|e| Problem::Missing(Box::new(e))).and_then(|c| {
        let tree = c.tree_id().map_err(|e| Problem::Tree(Box::new(e)))?;
        Ok((commit_state(repo, id, &c)?, tree.detach()))
    });
    match state {
        Ok((list, tree)) => Ok((Snapshot { list, tip: cid(&commit) }, tree)),
        Err(Problem::Missing(e)) => {
            let problem = match repo.find_header(commit) {
                Ok(h) => Problem::NotACommit(ObjectKind::of(h.kind())),
                Err(_) => Problem::Missing(e),
            };
            Err(unreadable(id, commit, problem))
        }
        Err(problem) => Err(unreadable(id, commit, problem)),
    }
}

/// The list stored in a commit's tree, or what is wrong with it.
pub(crate) fn commit_state(
    repo: &gix::Repository,
    id: &str,
    commit: &gix::Commit<'_>,
) -> Result<TaskList, Problem> {
    let text = state_text(repo, commit)?;
    let list = TaskList::from_toml(&text).map_err(Problem::Format)?;
    if list.id != id {
        return Err(Problem::IdMismatch { found: list.id, expected: id.to_string() });
    }
    Ok(list)
}

/// The raw `tasklist.toml` of a commit, size-checked before it is loaded.
fn state_text(repo: &gix::Repository, commit: &gix::Commit<'_>) -> Result<String, Problem> {
    let tree = match commit.tree() {
        Ok(tree) => tree,
        // In a partial clone (`--filter=tree:0`) the tree may be on the
        // promisor remote only.
        Err(e) => {
            let tree_id = commit.tree_id().map_err(|e| Problem::Tree(Box::new(e)))?.detach();
            match super::promisor::fetch_missing(repo, tree_id) {
                None => return Err(Problem::Tree(Box::new(e))),
                Some(Err(why)) => return Err(Problem::Tree(why)),
                Some(Ok(())) => commit.tree().map_err(|e| Problem::Tree(Box::new(e)))?,
            }
        }
    };
    let entry = tree.find_entry(STATE_FILE).ok_or(Problem::NoStateFile)?;
    if !entry.mode().is_blob() {
        return Err(Problem::StateNotAFile);
    }
    let blob_id = entry.oid().to_owned();
    let header = match repo.find_header(blob_id) {
        Ok(h) => h,
        // In a partial clone the blob may be on the promisor remote only.
        Err(e) => match super::promisor::fetch_missing(repo, blob_id) {
            None => return Err(Problem::StateUnreadable(Box::new(e))),
            Some(Err(why)) => return Err(Problem::StateUnreadable(why)),
            Some(Ok(())) => {
                repo.find_header(blob_id).map_err(|e| Problem::StateUnreadable(Box::new(e)))?
            }
        },
    };
    if header.size() > MAX_STATE_BYTES {
        return Err(Problem::TooBig(header.size()));
    }
    let mut blob = repo.find_blob(blob_id).map_err(|e| Problem::StateUnreadable(Box::new(e)))?;
    String::from_utf8(std::mem::take(&mut blob.data)).map_err(|_| Problem::NotUtf8)
}
