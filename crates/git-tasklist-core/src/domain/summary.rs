//! [`Summary`]: what the list of every list needs of one list (title,
//! archived, branch, progress, next task, holders, last change), small
//! enough to keep for 100,000 lists and to answer every session's "next".

use chrono::{DateTime, Utc};

use super::model::{Status, TaskList};

/// One in-progress task: its id and the session holding it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The task's id.
    pub task: String,
    /// The session that holds it.
    pub owner: Option<String>,
}

/// The summary of a list (see the module header). [`Summary::next_for`]
/// gives the same answer as [`TaskList::next_for`] for every session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The list id.
    pub id: String,
    /// The title.
    pub title: String,
    /// Whether it is archived.
    pub archived: bool,
    /// The branch checked out where it was created.
    pub branch: Option<String>,
    /// Its last change.
    pub updated: DateTime<Utc>,
    /// Tasks by status: pending, in progress, completed, blocked, cancelled.
    pub counts: [u32; 5],
    /// The first pending task whose prerequisites are settled.
    pub first_ready: Option<String>,
    /// The tasks in progress, in plan order, with their holders.
    pub in_progress: Vec<Held>,
}

impl Summary {
    /// The summary of `l`.
    pub fn of(l: &TaskList) -> Summary {
        let mut counts = [0u32; 5];
        for t in &l.tasks {
            let slot = match t.status {
                Status::Pending => 0,
                Status::InProgress => 1,
                Status::Completed => 2,
                Status::Blocked => 3,
                Status::Cancelled => 4,
            };
            counts[slot] = counts[slot].saturating_add(1);
        }
        let in_progress = l
            .tasks
            .iter()
            .filter(|t| t.status == Status::InProgress)
            .map(|t| Held { task: t.id.to_string(), owner: t.owner.clone() })
            .collect();
        // With no in-progress task, next_for(any session) is the first ready
        // pending task; that is the one to keep.
        let first_ready = l
            .next_for(None)
            .filter(|t| t.status == Status::Pending)
            .map(|t| t.id.to_string())
            .or_else(|| first_ready_pending(l));
        Summary {
            id: l.id.clone(),
            title: l.title.clone(),
            archived: l.archived,
            branch: l.branch.clone(),
            updated: l.updated,
            counts,
            first_ready,
            in_progress,
        }
    }

    /// Done and counted tasks, as [`TaskList::progress`].
    pub fn progress(&self) -> (usize, usize) {
        let [pending, in_progress, completed, blocked, _] = self.counts.map(|c| c as usize);
        (completed, pending + in_progress + completed + blocked)
    }

    /// True when every task is completed or cancelled, as [`TaskList::all_settled`].
    pub fn all_settled(&self) -> bool {
        self.counts[0] == 0 && self.counts[1] == 0 && self.counts[3] == 0
    }

    /// The id of the next task for `session`, as [`TaskList::next_for`].
    pub fn next_for(&self, session: Option<&str>) -> Option<&str> {
        let mine = |h: &&Held| h.owner.is_none() || h.owner.as_deref() == session;
        if let Some(h) = self.in_progress.iter().find(mine) {
            return Some(&h.task);
        }
        self.first_ready.as_deref().or_else(|| self.in_progress.first().map(|h| h.task.as_str()))
    }

    /// The in-progress tasks `session` holds, as [`TaskList::held_by`].
    pub fn held_by<'a>(&'a self, session: &'a str) -> impl Iterator<Item = &'a str> {
        self.in_progress
            .iter()
            .filter(move |h| h.owner.as_deref() == Some(session))
            .map(|h| h.task.as_str())
    }
}

/// The first pending task whose prerequisites are settled.
fn first_ready_pending(l: &TaskList) -> Option<String> {
    let mut probe = l.clone();
    // next_for(None) skips to ready pending work once no task is in progress.
    for t in &mut probe.tasks {
        if t.status == Status::InProgress {
            t.status = Status::Blocked;
        }
    }
    probe.next_for(None).filter(|t| t.status == Status::Pending).map(|t| t.id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::TaskList;

    fn list(text: &str) -> TaskList {
        TaskList::from_toml(text).unwrap()
    }

    #[test]
    fn next_for_matches_the_list_for_every_session() {
        let base = "format = 1\nid = \"0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e\"\ntitle = \"T\"\ncreated = 2026-01-01T00:00:00Z\nupdated = 2026-01-01T00:00:00Z\n";
        let task = |id: &str, status: &str, owner: Option<&str>, dep: Option<&str>| {
            let mut s = format!(
                "\n[[tasks]]\nid = \"{id}\"\ntitle = \"{id}\"\nstatus = \"{status}\"\nupdated = 2026-01-01T00:00:00Z\n"
            );
            if let Some(o) = owner {
                s.push_str(&format!("owner = \"{o}\"\n"));
            }
            if let Some(d) = dep {
                s.push_str(&format!("depends_on = [\"{d}\"]\n"));
            }
            s
        };
        let cases = [
            vec![task("a", "in_progress", Some("s1"), None), task("b", "pending", None, None)],
            vec![task("a", "in_progress", Some("s1"), None), task("b", "blocked", None, None)],
            vec![task("a", "pending", None, Some("b")), task("b", "pending", None, None)],
            vec![task("a", "in_progress", None, None), task("b", "pending", None, None)],
            vec![task("a", "completed", None, None), task("b", "cancelled", None, None)],
            vec![
                task("a", "in_progress", Some("s2"), None),
                task("b", "in_progress", Some("s1"), None),
                task("c", "pending", None, Some("a")),
            ],
        ];
        for tasks in cases {
            let l = list(&format!("{base}{}", tasks.concat()));
            let s = Summary::of(&l);
            for session in [None, Some("s1"), Some("s2"), Some("s3")] {
                assert_eq!(
                    s.next_for(session),
                    l.next_for(session).map(|t| t.id.as_str()),
                    "{session:?} in {tasks:?}"
                );
            }
            assert_eq!(s.progress(), l.progress());
            assert_eq!(s.all_settled(), l.all_settled());
            let held: Vec<_> = s.held_by("s1").collect();
            let want: Vec<_> = l.held_by("s1").map(|t| t.id.as_str()).collect();
            assert_eq!(held, want);
        }
    }
}
