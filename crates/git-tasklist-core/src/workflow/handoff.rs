//! The handoff document: `templates/handoff.md` (or a repository's
//! `.tasklist/templates/handoff.md`) rendered with minijinja from a list's
//! state, and recorded together with the note in one commit.

use std::path::{Path, PathBuf};

use minijinja::value::Serde;
use serde::Serialize;

use super::command::{Action, Command, Words};
use super::resume::verify_since_handoff;
use super::template::REPO_TEMPLATE_DIR;
use crate::domain::id::CommitId;
use crate::domain::model::{Status, Task, TaskList, timestamp};
use crate::domain::op::{self, Applied, Ctx, Op};
use crate::store::{BoxError, Committed, Files, Store, StoreError};
use crate::util::text::{MAX_ECHO, clip, escape, escape_document, escape_multiline, one_line};

/// The built-in handoff template.
const BUILTIN_TEMPLATE: &str = include_str!("../../templates/handoff.md");

/// File name of a repository's own handoff template, beside its task list
/// templates in [`REPO_TEMPLATE_DIR`].
const REPO_TEMPLATE_NAME: &str = "handoff.md";

/// Name of the document in the list's tree.
pub const HANDOFF_FILE: &str = "HANDOFF.md";

/// Largest handoff template read from a repository.
pub const MAX_TEMPLATE_BYTES: u64 = 64 << 10;
/// Largest document a template may render.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Instructions a render may spend (minijinja's fuel): far more than any
/// real document needs, far less than a loop that never ends.
const FUEL: u64 = 2_000_000;
/// Stack for compiling and rendering: minijinja's parser and compiler
/// recurse on an expression's depth, which a 64 KiB template bounds.
const RENDER_STACK: usize = 256 << 20;

/// Errors loading or rendering a handoff template.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandoffError {
    /// The repository's template file cannot be read.
    #[error("Handoff template {} cannot be read: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::util::file::ReadError,
    },
    /// The repository's template is a symlink leading out of the work tree.
    #[error("Handoff template {} leads to {} through a symlink, outside the repository's work tree; it was not read", escape(&path.display().to_string()), escape(&target.display().to_string()))]
    Outside {
        /// The file.
        path: PathBuf,
        /// Where it leads.
        target: PathBuf,
    },
    /// The template does not parse.
    #[error("Handoff template {origin} is invalid: {}", clip(&one_line(&source.to_string()), MAX_ECHO))]
    Invalid {
        /// Where it came from.
        origin: String,
        /// What minijinja reported.
        #[source]
        source: BoxError,
    },
    /// Rendering failed (or ran out of fuel).
    #[error("Handoff template {origin} failed to render: {}", clip(&one_line(&source.to_string()), MAX_ECHO))]
    Render {
        /// Where it came from.
        origin: String,
        /// What minijinja reported.
        #[source]
        source: BoxError,
    },
    /// The document would be larger than [`MAX_DOCUMENT_BYTES`].
    #[error("Handoff template {origin} renders a document over {limit} KiB", origin = .0, limit = MAX_DOCUMENT_BYTES >> 10)]
    TooLarge(String),
    /// The rendering thread could not start or died.
    #[error("Handoff template {0} could not be rendered: the rendering thread failed")]
    Thread(String),
    /// Recording the handoff failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A handoff template, ready to render.
#[derive(Debug, Clone)]
struct HandoffTemplate {
    /// The template text.
    pub source: String,
    /// Where it came from (`None` for the built-in).
    pub path: Option<PathBuf>,
}

impl HandoffTemplate {
    /// The repository's override if there is one, else the built-in. The
    /// override is read only if it is a regular file of at most
    /// [`MAX_TEMPLATE_BYTES`], and must compile.
    pub fn load(workdir: Option<&Path>) -> Result<HandoffTemplate, HandoffError> {
        let repo_template = workdir.map(|w| w.join(REPO_TEMPLATE_DIR).join(REPO_TEMPLATE_NAME));
        if let Some(p) = repo_template.filter(|p| p.exists()) {
            // A clone's committed symlink must not turn a file of the
            // user's into a document that is committed and pushed.
            if let (Ok(target), Some(w)) = (std::fs::canonicalize(&p), workdir) {
                let root = std::fs::canonicalize(w).unwrap_or_else(|_| w.to_path_buf());
                if !target.starts_with(&root) {
                    return Err(HandoffError::Outside { path: p, target });
                }
            }
            let source = crate::util::file::read_bounded(&p, MAX_TEMPLATE_BYTES)
                .map_err(|source| HandoffError::Unreadable { path: p.clone(), source })?;
            let t = HandoffTemplate { source, path: Some(p) };
            t.with_env(|_| Ok(()))?;
            return Ok(t);
        }
        Ok(HandoffTemplate { source: BUILTIN_TEMPLATE.to_string(), path: None })
    }

    fn origin(&self) -> String {
        escape(
            &self.path.as_ref().map_or("templates/handoff.md".into(), |p| p.display().to_string()),
        )
    }

    /// Compiles the template and runs `f` with it, on a thread with a stack
    /// large enough for the deepest expression a bounded template can hold.
    fn with_env<T: Send>(
        &self,
        f: impl FnOnce(&minijinja::Environment<'_>) -> Result<T, HandoffError> + Send,
    ) -> Result<T, HandoffError> {
        let origin = self.origin();
        std::thread::scope(|scope| {
            let worker =
                std::thread::Builder::new().stack_size(RENDER_STACK).spawn_scoped(scope, || {
                    let mut env = minijinja::Environment::new();
                    let invalid = |e: minijinja::Error| HandoffError::Invalid {
                        origin: self.origin(),
                        source: Box::new(e),
                    };
                    let syntax = minijinja::syntax::SyntaxConfig::builder()
                        .trim_blocks(true)
                        .lstrip_blocks(true)
                        .keep_trailing_newline(true)
                        .build()
                        .map_err(invalid)?;
                    env.set_syntax(syntax);
                    env.set_fuel(Some(FUEL));
                    env.add_template("handoff", &self.source).map_err(invalid)?;
                    f(&env)
                });
            match worker {
                Ok(handle) => {
                    handle.join().unwrap_or_else(|_| Err(HandoffError::Thread(origin.clone())))
                }
                Err(_) => Err(HandoffError::Thread(origin.clone())),
            }
        })
    }

    /// Renders the document for `list` (whose `[handoff]` holds the note):
    /// bounded in work (fuel) and size, with every control character but
    /// line breaks and tabs escaped, whatever the template wrote;
    /// `resume_command` is the command that resumes the list.
    pub fn render(
        &self,
        list: &TaskList,
        ref_name: &str,
        resume_command: &str,
    ) -> Result<String, HandoffError> {
        let context = Context::new(list, ref_name, resume_command);
        let origin = self.origin();
        self.with_env(|env| {
            let tmpl = env.get_template("handoff").map_err(|e| HandoffError::Invalid {
                origin: origin.clone(),
                source: Box::new(e),
            })?;
            let mut out = Bounded { bytes: Vec::new(), over: false };
            let rendered = tmpl.render_captured_to(Serde(&context), &mut out).map(|_| ());
            if out.over {
                return Err(HandoffError::TooLarge(origin.clone()));
            }
            rendered.map_err(|e| HandoffError::Render {
                origin: origin.clone(),
                source: Box::new(e),
            })?;
            let doc = String::from_utf8_lossy(&out.bytes).into_owned();
            Ok(escape_document(&doc))
        })
    }
}

/// A writer that refuses to grow past [`MAX_DOCUMENT_BYTES`].
struct Bounded {
    bytes: Vec<u8>,
    over: bool,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_DOCUMENT_BYTES {
            self.over = true;
            return Err(std::io::Error::other("the document is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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
/// document as `HANDOFF.md` in the same commit; its resume command is in `words`.
pub(crate) fn record(
    store: &Store,
    id: &str,
    note: &str,
    session: Option<&str>,
    words: &dyn Words,
) -> Result<HandedOff, HandoffError> {
    let template = HandoffTemplate::load(store.workdir())?;
    let ref_name = store.ref_name(id);
    let resume = words.command(&Command::new(store.namespace(), id, Action::Resume));
    // The document committed is the one returned: the closure keeps the
    // rendering of the last attempt (a lost race renders again).
    let rendered = std::cell::RefCell::new(String::new());
    let render = |l: &TaskList| -> Result<Files, BoxError> {
        let doc = template.render(l, &ref_name, &resume)?;
        let file = (HANDOFF_FILE.to_string(), doc.clone().into_bytes());
        *rendered.borrow_mut() = doc;
        Ok(vec![file])
    };
    // The failures not accepted at the tip the handoff lands on ride along,
    // so the next session's bounded check still reports them; a lost race
    // works them out again on the new tip.
    let change = |before: Option<&TaskList>, ctx: &Ctx| -> Result<Applied, StoreError> {
        let unverified = match (before, ctx.tip) {
            (Some(_), Some(tip)) => unverified_at(store, id, tip)?,
            _ => Vec::new(),
        };
        let op = Op::Handoff { note: note.to_string(), unverified };
        Ok(op::apply(before, &op, ctx)?)
    };
    let committed = store.transact_with(id, false, session, change, &render, &[])?;
    Ok(HandedOff { committed, document: rendered.into_inner() })
}

/// The commits whose verification failures are not accepted, as a session
/// resuming at `tip` would be told.
fn unverified_at(store: &Store, id: &str, tip: CommitId) -> Result<Vec<CommitId>, StoreError> {
    let snap = store.read_at(id, tip)?;
    // Only the failures' commits are kept, not their wording.
    let (verdict, _) = verify_since_handoff(store, &snap, &super::command::Plain)?;
    let mut out: Vec<CommitId> = Vec::new();
    for c in verdict.failures.iter().filter_map(|f| f.commit) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
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

fn view(t: &Task) -> TaskView {
    TaskView {
        id: t.id.to_string(),
        title: escape(&t.title),
        status: t.status.as_str(),
        owner: t.owner.as_deref().map(escape),
        note: t.note.as_deref().map(escape_multiline),
    }
}

impl Context {
    fn new(list: &TaskList, ref_name: &str, resume_command: &str) -> Context {
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
            resume_command: escape(resume_command),
        }
    }
}
