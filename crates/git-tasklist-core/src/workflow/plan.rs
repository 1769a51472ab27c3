//! Building new lists: from a title and tasks, a template, or another list
//! (`create --from`: the old plan reset to pending).

use super::template::{self, TemplateError};
use crate::domain::model::new_list_id;
use crate::domain::op::{NewTask, Op};
use crate::store::{self, Committed, Store, StoreError};

/// Why a list could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A new list without a title, a template or a source list.
    #[error("Task list title is missing")]
    NoTitle,
    /// A new list from both a template and another list.
    #[error("A task list starts from a template or from another list, not both")]
    TemplateAndFrom,
    /// The template cannot be found or used.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Reading the source list or writing the new one failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The new list was created, but recording on the source list that it
    /// continues there failed.
    #[error(
        "Task list {created} was created from {from}, but recording on {from} that it continues in {created} failed: {source}"
    )]
    NotRecorded {
        /// The new list's id.
        created: String,
        /// The source list's id.
        from: String,
        /// Why the record failed.
        #[source]
        source: Box<StoreError>,
    },
}

/// Result alias for creating lists.
type PlanResult<T> = Result<T, PlanError>;

/// What a new list starts from.
#[derive(Debug, Clone, Default)]
pub struct CreateRequest {
    /// The title (default: the template's; with `from`, "<source title> (continued)").
    pub title: Option<String>,
    /// Tasks, in plan order, appended after the template's or the source's.
    pub tasks: Vec<NewTask>,
    /// Each task depends on the one before.
    pub sequential: bool,
    /// A template name or a path to a template file.
    pub template: Option<String>,
    /// A list (id, prefix or title) whose tasks to start from.
    pub from: Option<String>,
}

/// A new list.
#[derive(Debug, Clone)]
pub struct Created {
    /// Its id.
    pub id: String,
    /// The commit that created it.
    pub committed: Committed,
    /// Whether another list already has the same title (then `-l TITLE` is
    /// ambiguous, and the new list is best referred to by its id).
    pub same_title: bool,
}

/// Creates a list as `session` from `req`.
pub(crate) fn create(
    store: &Store,
    req: &CreateRequest,
    session: Option<&str>,
) -> PlanResult<Created> {
    if req.template.is_some() && req.from.is_some() {
        return Err(PlanError::TemplateAndFrom);
    }
    let mut tasks = Vec::new();
    let mut title = None;
    let mut template_name = None;
    let mut from = None;
    let mut sequential = req.sequential;
    if let Some(spec) = &req.template {
        let t = template::find(spec, store.workdir())?;
        title = t.title.clone();
        sequential |= t.sequential;
        tasks = t.tasks;
        template_name = Some(t.name);
    }
    if let Some(src) = &req.from {
        let src_id = store.resolve(src)?;
        let old = store.read(&src_id)?.list;
        // Not the source's own title: `-l TITLE` would become ambiguous.
        title = Some(format!("{} (continued)", old.title));
        sequential |= old.sequential;
        template_name = old.template.clone();
        tasks = old
            .tasks
            .iter()
            .map(|t| NewTask {
                id: t.id.clone(),
                title: t.title.clone(),
                depends_on: t.depends_on.clone(),
                note: None,
            })
            .collect();
        from = Some(src_id);
    }
    tasks.extend(req.tasks.iter().cloned());
    let title = req.title.clone().or(title).ok_or(PlanError::NoTitle)?;
    let id = new_list_id();
    let branch = store.current_branch();
    let op = Op::Create {
        id: id.clone(),
        title,
        tasks,
        template: template_name,
        from,
        sequential,
        branch,
    };
    let committed = store.transact(&id, &op, session, &store::no_files)?;
    // The old list names the new one only once it exists: a crash between
    // the two commits leaves a new list whose `from` is the only link, never
    // an old list pointing at nothing.
    if let Some(src) = &committed.list.from {
        let op = Op::Continued { by: id.clone(), title: committed.list.title.clone() };
        if let Err(source) = store.transact(src, &op, session, &store::no_files) {
            let source = Box::new(source);
            return Err(PlanError::NotRecorded { created: id, from: src.clone(), source });
        }
    }
    let same_title =
        store.ids_titled(&committed.list.title).is_ok_and(|ids| ids.iter().any(|i| *i != id));
    Ok(Created { id, committed, same_title })
}
