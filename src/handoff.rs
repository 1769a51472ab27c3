//! The handoff document: `templates/handoff.md` (or a repository's
//! `.tasklist/templates/handoff.md`) rendered with minijinja from a list's state.

use std::path::{Path, PathBuf};

use minijinja::value::Serde;
use serde::Serialize;

use crate::model::{Status, TaskList, escape, escape_multiline, timestamp};
use crate::store::DEFAULT_NAMESPACE;

/// The built-in handoff template.
pub const BUILTIN_TEMPLATE: &str = include_str!("../templates/handoff.md");

/// File name of a repository's own handoff template, beside its task list
/// templates in [`crate::template::REPO_TEMPLATE_DIR`].
pub const REPO_TEMPLATE_NAME: &str = "handoff.md";

/// Name of the document in the list's tree.
pub const HANDOFF_FILE: &str = "HANDOFF.md";

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
    pub fn load(workdir: Option<&Path>) -> Result<HandoffTemplate, String> {
        let repo_template =
            workdir.map(|w| w.join(crate::template::REPO_TEMPLATE_DIR).join(REPO_TEMPLATE_NAME));
        if let Some(p) = repo_template.filter(|p| p.is_file()) {
            let source = std::fs::read_to_string(&p)
                .map_err(|e| format!("Handoff template {} cannot be read: {e}", p.display()))?;
            let t = HandoffTemplate { source, path: Some(p) };
            t.env()?;
            return Ok(t);
        }
        Ok(HandoffTemplate { source: BUILTIN_TEMPLATE.to_string(), path: None })
    }

    fn origin(&self) -> String {
        self.path.as_ref().map_or("templates/handoff.md".into(), |p| p.display().to_string())
    }

    fn env(&self) -> Result<minijinja::Environment<'_>, String> {
        let mut env = minijinja::Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| format!("Handoff template setup failed: {e}"))?;
        env.set_syntax(syntax);
        env.add_template("handoff", &self.source)
            .map_err(|e| format!("Handoff template {} is invalid: {e}", self.origin()))?;
        Ok(env)
    }

    /// Renders the document for `list` (whose `[handoff]` holds the note).
    pub fn render(&self, list: &TaskList, ref_name: &str) -> Result<String, String> {
        let env = self.env()?;
        let tmpl = env
            .get_template("handoff")
            .map_err(|e| format!("Handoff template {} is invalid: {e}", self.origin()))?;
        tmpl.render(Serde(Context::new(list, ref_name)))
            .map_err(|e| format!("Handoff template {} failed to render: {e}", self.origin()))
    }
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

/// The command that resumes the list, with `--namespace` when the list is
/// not in the default namespace (so it works as printed).
fn resume_command(id: &str, ref_name: &str) -> String {
    let namespace = ref_name.strip_suffix(&format!("/{id}")).unwrap_or(DEFAULT_NAMESPACE);
    if namespace == DEFAULT_NAMESPACE {
        return format!("git tasklist resume -l {id}");
    }
    let plain = namespace.chars().all(|c| c.is_ascii_alphanumeric() || "/_.:@%+,=-".contains(c));
    let shown = if plain {
        namespace.to_string()
    } else {
        format!("'{}'", namespace.replace('\'', "'\\''"))
    };
    format!("git tasklist --namespace {} resume -l {id}", escape(&shown))
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
            resume_command: resume_command(&list.id, ref_name),
        }
    }
}
