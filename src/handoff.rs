//! The handoff document: `templates/handoff.md` (or a repository's
//! `.tasklist/templates/handoff.md`) rendered with minijinja from a list's
//! state, and recorded together with the note in one commit.

use std::path::{Path, PathBuf};

use minijinja::value::Serde;
use serde::Serialize;

use crate::model::{Status, TaskList, timestamp};
use crate::op::Op;
use crate::store::{BoxError, Committed, DEFAULT_NAMESPACE, Files, Store};
use crate::text::{escape, escape_multiline, one_line, tasklist_command};

/// The built-in handoff template.
pub const BUILTIN_TEMPLATE: &str = include_str!("../templates/handoff.md");

/// File name of a repository's own handoff template, beside its task list
/// templates in [`crate::template::REPO_TEMPLATE_DIR`].
pub const REPO_TEMPLATE_NAME: &str = "handoff.md";

/// Name of the document in the list's tree.
pub const HANDOFF_FILE: &str = "HANDOFF.md";

/// Errors loading or rendering a handoff template.
#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    /// The repository's template file cannot be read.
    #[error("Handoff template {} cannot be read: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The template does not parse.
    #[error("Handoff template {origin} is invalid: {}", one_line(&source.to_string()))]
    Invalid {
        /// Where it came from.
        origin: String,
        /// What minijinja reported.
        #[source]
        source: minijinja::Error,
    },
    /// Rendering failed.
    #[error("Handoff template {origin} failed to render: {}", one_line(&source.to_string()))]
    Render {
        /// Where it came from.
        origin: String,
        /// What minijinja reported.
        #[source]
        source: minijinja::Error,
    },
}

/// A handoff template, ready to render.
#[derive(Debug, Clone)]
pub struct HandoffTemplate {
    /// The template text.
    pub source: String,
    /// Where it came from (`None` for the built-in).
    pub path: Option<PathBuf>,
}

impl HandoffTemplate {
    /// The repository's override if there is one, else the built-in.
    pub fn load(workdir: Option<&Path>) -> Result<HandoffTemplate, HandoffError> {
        let repo_template =
            workdir.map(|w| w.join(crate::template::REPO_TEMPLATE_DIR).join(REPO_TEMPLATE_NAME));
        if let Some(p) = repo_template.filter(|p| p.is_file()) {
            let source = std::fs::read_to_string(&p)
                .map_err(|source| HandoffError::Unreadable { path: p.clone(), source })?;
            let t = HandoffTemplate { source, path: Some(p) };
            t.env()?;
            return Ok(t);
        }
        Ok(HandoffTemplate { source: BUILTIN_TEMPLATE.to_string(), path: None })
    }

    fn origin(&self) -> String {
        self.path.as_ref().map_or("templates/handoff.md".into(), |p| p.display().to_string())
    }

    fn env(&self) -> Result<minijinja::Environment<'_>, HandoffError> {
        let mut env = minijinja::Environment::new();
        let invalid = |source| HandoffError::Invalid { origin: self.origin(), source };
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(invalid)?;
        env.set_syntax(syntax);
        env.add_template("handoff", &self.source).map_err(invalid)?;
        Ok(env)
    }

    /// Renders the document for `list` (whose `[handoff]` holds the note).
    pub fn render(&self, list: &TaskList, ref_name: &str) -> Result<String, HandoffError> {
        let env = self.env()?;
        let tmpl = env
            .get_template("handoff")
            .map_err(|source| HandoffError::Invalid { origin: self.origin(), source })?;
        tmpl.render(Serde(Context::new(list, ref_name)))
            .map_err(|source| HandoffError::Render { origin: self.origin(), source })
    }
}

/// A recorded handoff: the commit and the document committed with it.
#[derive(Debug, Clone)]
pub struct HandedOff {
    /// The commit that recorded the note and `HANDOFF.md`.
    pub committed: Committed,
    /// The document, exactly as committed.
    pub document: String,
}

/// Records `note` on list `id` as `session` and commits the rendered
/// document as `HANDOFF.md` in the same commit.
pub fn record(
    store: &Store,
    id: &str,
    note: &str,
    session: Option<&str>,
) -> crate::Result<HandedOff> {
    let template = HandoffTemplate::load(store.workdir())?;
    let ref_name = store.ref_name(id);
    // The document committed is the one returned: the closure keeps the
    // rendering of the last attempt (a lost race renders again).
    let rendered = std::cell::RefCell::new(String::new());
    let render = |l: &TaskList| -> Result<Files, BoxError> {
        let doc = template.render(l, &ref_name)?;
        let file = (HANDOFF_FILE.to_string(), doc.clone().into_bytes());
        *rendered.borrow_mut() = doc;
        Ok(vec![file])
    };
    let op = Op::Handoff { note: note.to_string() };
    let committed = store.transact(id, &op, session, &render)?;
    Ok(HandedOff { committed, document: rendered.into_inner() })
}

/// Every string in the context is escaped: the document is printed to a
/// terminal and shown by `git show`, so stored text must not carry control
/// characters into it.
#[derive(Serialize)]
struct TaskView {
    id: String,
    title: String,
    status: &'static str,
    owner: Option<String>,
    note: Option<String>,
}

#[derive(Serialize)]
struct Context {
    id: String,
    title: String,
    reference: String,
    done: usize,
    total: usize,
    sequential: bool,
    at: String,
    session: Option<String>,
    note: String,
    done_tasks: Vec<TaskView>,
    open_tasks: Vec<TaskView>,
    next: Option<TaskView>,
    resume_command: String,
}

fn view(t: &crate::model::Task) -> TaskView {
    TaskView {
        id: t.id.to_string(),
        title: escape(&t.title),
        status: t.status.as_str(),
        owner: t.owner.as_deref().map(escape),
        note: t.note.as_deref().map(escape_multiline),
    }
}

impl Context {
    fn new(list: &TaskList, ref_name: &str) -> Context {
        let (done, total) = list.progress();
        let h = list.handoff.as_ref();
        Context {
            id: escape(&list.id),
            title: escape(&list.title),
            reference: escape(ref_name),
            done,
            total,
            sequential: list.sequential,
            at: timestamp(&h.map_or(list.updated, |h| h.at)),
            session: h.and_then(|h| h.session.as_deref()).map(escape),
            note: h.map_or(String::new(), |h| escape_multiline(&h.note)),
            done_tasks: list
                .tasks
                .iter()
                .filter(|t| t.status == Status::Completed)
                .map(view)
                .collect(),
            open_tasks: list.tasks.iter().filter(|t| !t.status.is_settled()).map(view).collect(),
            next: list.next_for(h.and_then(|h| h.session.as_deref())).map(view),
            resume_command: escape(&tasklist_command(
                ref_name.strip_suffix(&format!("/{}", list.id)).unwrap_or(DEFAULT_NAMESPACE),
                &format!("resume -l {}", list.id),
            )),
        }
    }
}
