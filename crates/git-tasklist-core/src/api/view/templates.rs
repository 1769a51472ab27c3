//! The view of the templates `create` can use.

use schemars::JsonSchema;
use serde::Serialize;

use crate::workflow::template::{Template, TemplateResult};

/// A task of a template.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TemplateTaskView {
    /// The task id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Earlier tasks it depends on.
    pub depends_on: Vec<String>,
}

/// A template `create --template` can use.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TemplateView {
    /// Its name.
    pub name: String,
    /// `built-in` or the file it was read from.
    pub origin: String,
    /// One-line description.
    pub description: String,
    /// The default list title.
    pub title: Option<String>,
    /// Whether lists from it are sequential.
    pub sequential: bool,
    /// Its tasks.
    pub tasks: Vec<TemplateTaskView>,
}

/// A template, or why a repository template cannot be used.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
#[non_exhaustive]
pub enum TemplateEntryView {
    /// A usable template.
    Ok(TemplateView),
    /// A broken one.
    Broken {
        /// One sentence naming the template and the problem.
        error: String,
    },
}

/// The output of `templates`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TemplatesView {
    /// Repository templates first, then the built-ins.
    pub templates: Vec<TemplateEntryView>,
}

impl TemplatesView {
    /// The view of the available templates.
    pub fn of(all: &[TemplateResult<Template>]) -> TemplatesView {
        let templates = all
            .iter()
            .map(|t| match t {
                Ok(t) => TemplateEntryView::Ok(TemplateView {
                    name: t.name.clone(),
                    origin: t.origin.to_string(),
                    description: t.description.clone(),
                    title: t.title.clone(),
                    sequential: t.sequential,
                    tasks: t
                        .tasks
                        .iter()
                        .map(|x| TemplateTaskView {
                            id: x.id.to_string(),
                            title: x.title.clone(),
                            depends_on: x.depends_on.iter().map(|d| d.to_string()).collect(),
                        })
                        .collect(),
                }),
                Err(e) => TemplateEntryView::Broken { error: e.to_string() },
            })
            .collect();
        TemplatesView { templates }
    }
}
