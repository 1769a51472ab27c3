//! The lists Claude Code sessions' own tasks are mirrored into (its
//! `TaskCreated` and `TaskCompleted` hook events), when no list is named:
//! one per Claude Code session, titled `Claude Code session <session id>`,
//! under an id derived from the session id (a UUID v5), so that the hooks
//! of one session, fired together for parallel task calls, all find the
//! same list and the first of them creates it (the ref's compare-and-swap
//! on "does not exist" picks one creator; the others add to what it made).

use uuid::Uuid;

use crate::domain::model::TaskList;

/// The namespace of the mirror lists' ids (fixed: an id must come out the
/// same in every process and on every machine).
const NAMESPACE: Uuid = Uuid::from_u128(0x32641b9b_8023_4e16_b867_9a9b1f44f12a);
/// What a mirror list's title starts with, before the session id.
const TITLE_PREFIX: &str = "Claude Code session ";

/// The title of Claude Code session `session`'s mirror list.
pub fn title(session: &str) -> String {
    format!("{TITLE_PREFIX}{session}")
}

/// The id of Claude Code session `session`'s mirror list.
pub fn list_id(session: &str) -> String {
    Uuid::new_v5(&NAMESPACE, session.as_bytes()).to_string()
}

/// The Claude Code session `l` mirrors, if it is a mirror list: its title
/// names a session whose mirror list has `l`'s id.
pub fn session_of(l: &TaskList) -> Option<&str> {
    session_of_titled(&l.title, &l.id)
}

/// [`session_of`] for the list `id` titled `title` (as a summary has them).
pub fn session_of_titled<'a>(title: &'a str, id: &str) -> Option<&'a str> {
    title.strip_prefix(TITLE_PREFIX).filter(|s| list_id(s) == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_session_one_id_and_only_its_own_list_is_a_mirror() {
        let id = list_id("8c50451b-494a-4d66-b0c8-6eaf5bc15956");
        assert_eq!(id, list_id("8c50451b-494a-4d66-b0c8-6eaf5bc15956"));
        assert_ne!(id, list_id("another"));
        assert!(crate::domain::model::is_uuid(&id), "{id}");
        let seed = crate::domain::op::ListSeed {
            id: id.clone(),
            title: title("8c50451b-494a-4d66-b0c8-6eaf5bc15956"),
            branch: None,
        };
        let op = crate::domain::op::Op::Mirror {
            title: "Write the tests".into(),
            note: None,
            completed: true,
            create: Some(seed),
        };
        let ctx = crate::domain::op::Ctx {
            session: Some("s".into()),
            now: crate::domain::model::now(),
            tip: None,
        };
        let mut l = crate::domain::op::apply(None, &op, &ctx).unwrap().list;
        assert_eq!(l.tasks[0].status, crate::domain::model::Status::Completed);
        assert_eq!(session_of(&l), Some("8c50451b-494a-4d66-b0c8-6eaf5bc15956"));
        l.title = title("another");
        assert_eq!(session_of(&l), None, "a title alone does not make a mirror list");
    }
}
