//! The lists this process wrote lately, kept by commit (see [`Recent`]).

use gix::ObjectId;

use crate::domain::model::TaskList;

/// Lists this process wrote lately, by commit, most recent last: a
/// long-lived process (the MCP server) takes the state it has just written
/// from here on its next read or change instead of reading three objects
/// and parsing the TOML again. Reads do not add to it (a `list` would clone
/// every list for nothing). A commit never changes, so an entry never goes
/// stale; a list of another id in the same commit is never taken.
#[derive(Default)]
pub(super) struct Recent(std::sync::Mutex<Vec<RecentList>>);

/// One entry of [`Recent`].
struct RecentList {
    commit: ObjectId,
    tree: ObjectId,
    /// The commit's root tree, decoded (`None` when a subtree was edited).
    tree_entries: Option<gix::objs::Tree>,
    list: TaskList,
}

/// Entries [`Recent`] keeps.
const RECENT_LISTS: usize = 4;
/// Lists with more tasks than this are not kept (a clone would cost more
/// than it saves, and memory stays small).
const RECENT_MAX_TASKS: usize = 2_000;

impl Recent {
    pub(super) fn get(&self, id: &str, commit: ObjectId) -> Option<(TaskList, ObjectId)> {
        let entries = self.0.lock().ok()?;
        let hit = entries.iter().find(|e| e.commit == commit && e.list.id == id)?;
        Some((hit.list.clone(), hit.tree))
    }

    pub(super) fn has_list(&self, id: &str) -> bool {
        self.0.lock().is_ok_and(|entries| entries.iter().any(|e| e.list.id == id))
    }

    pub(super) fn has(&self, commit: &gix::oid) -> bool {
        self.0.lock().is_ok_and(|entries| entries.iter().any(|e| e.commit == commit))
    }

    pub(super) fn tree(&self, tree: ObjectId) -> Option<gix::objs::Tree> {
        let entries = self.0.lock().ok()?;
        entries.iter().rev().find(|e| e.tree == tree).and_then(|e| e.tree_entries.clone())
    }

    pub(super) fn put(
        &self,
        commit: ObjectId,
        tree: ObjectId,
        tree_entries: Option<gix::objs::Tree>,
        list: &TaskList,
    ) {
        if list.tasks.len() > RECENT_MAX_TASKS {
            return;
        }
        let Ok(mut entries) = self.0.lock() else { return };
        entries.retain(|e| e.commit != commit);
        if entries.len() >= RECENT_LISTS {
            entries.remove(0);
        }
        entries.push(RecentList { commit, tree, tree_entries, list: list.clone() });
    }
}
