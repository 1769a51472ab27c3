//! TaskList templates: built-in plans embedded from `templates/*.toml`, a
//! repository's own `.tasklist/templates/*.toml` (shared with the code), and
//! a template file given by path.
//!
//! A template file is read only when its name ends in `.toml` and its place
//! — symlinks resolved — is inside the repository's work tree: a `template`
//! parameter (an MCP client's, a script's) cannot make us open
//! `~/.ssh/id_rsa` or a committed symlink's target outside the project. And
//! an error about a template names the line, the column and what is wrong,
//! never the file's text.
//!
//! A template file:
//!
//! ```toml
//! description = "Database migration: schema, application code, data validation"
//! title = "Migration"          # default list title
//! sequential = true            # optional
//!
//! [[tasks]]
//! id = "database-migration"
//! title = "Migrate the database schema"
//! depends_on = []              # optional
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::model::TaskId;
use crate::domain::op::NewTask;
use crate::util::text::{MAX_ECHO, clip, escape, one_line};

/// Directory (relative to the working tree) holding a repository's own templates.
pub const REPO_TEMPLATE_DIR: &str = ".tasklist/templates";

/// Built-in templates: name and TOML text.
const BUILTIN: &[(&str, &str)] = &[
    ("bugfix", include_str!("../../templates/bugfix.toml")),
    ("feature", include_str!("../../templates/feature.toml")),
    ("migration", include_str!("../../templates/migration.toml")),
    ("refactor", include_str!("../../templates/refactor.toml")),
    ("release", include_str!("../../templates/release.toml")),
];

/// Largest template file read.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// Errors finding or reading a template.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// No template by that name or path.
    #[error("Template '{name}' not found; available: {available}")]
    NotFound {
        /// What was asked for.
        name: String,
        /// Names that exist.
        available: String,
    },
    /// A path that is not a template file we may read; it was not opened.
    #[error("Template '{name}' cannot be used: {reason}; nothing was read")]
    Refused {
        /// What was asked for.
        name: String,
        /// Why.
        reason: String,
    },
    /// The template exists but is not valid.
    #[error("Template '{name}' ({origin}): {problem}")]
    Invalid {
        /// The template's name.
        name: String,
        /// Where it came from.
        origin: String,
        /// What is wrong.
        problem: String,
    },
}

/// Result alias for template operations.
pub type TemplateResult<T> = Result<T, TemplateError>;

/// Where a template comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary.
    BuiltIn,
    /// The repository's `.tasklist/templates/`.
    Repo(PathBuf),
    /// A file given by path.
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in"),
            Origin::Repo(p) | Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A parsed, validated template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Name used to refer to it (file stem for files).
    pub name: String,
    /// Where it came from.
    pub origin: Origin,
    /// One-line description.
    pub description: String,
    /// Default title for lists created from it.
    pub title: Option<String>,
    /// Whether lists from it are sequential.
    pub sequential: bool,
    /// Its tasks in order.
    pub tasks: Vec<NewTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    #[serde(default)]
    description: String,
    title: Option<String>,
    #[serde(default)]
    sequential: bool,
    #[serde(default)]
    tasks: Vec<RawTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    depends_on: Vec<String>,
}

/// Parses and validates a template's text.
pub fn parse(name: &str, origin: Origin, text: &str) -> TemplateResult<Template> {
    let invalid = |problem: String| TemplateError::Invalid {
        name: escape(name),
        origin: escape(&origin.to_string()),
        problem,
    };
    let raw: RawTemplate = toml::from_str(text).map_err(|e| invalid(toml_problem(text, &e)))?;
    if raw.tasks.is_empty() {
        return Err(invalid("it has no [[tasks]]".into()));
    }
    let mut tasks: Vec<NewTask> = Vec::with_capacity(raw.tasks.len());
    let mut seen: std::collections::HashSet<TaskId> = std::collections::HashSet::new();
    for t in raw.tasks {
        let id = TaskId::parse(&t.id).map_err(|e| invalid(e.to_string()))?;
        if !seen.insert(id.clone()) {
            return Err(invalid(format!("task id '{id}' appears twice")));
        }
        let mut depends_on = Vec::new();
        for d in &t.depends_on {
            let d = TaskId::parse(d).map_err(|e| invalid(e.to_string()))?;
            if d == id || !seen.contains(&d) {
                return Err(invalid(format!(
                    "task '{id}' depends on '{d}', which is not an earlier task"
                )));
            }
            depends_on.push(d);
        }
        tasks.push(NewTask { id, title: t.title, depends_on, note: None });
    }
    Ok(Template {
        name: name.to_string(),
        origin,
        description: raw.description,
        title: raw.title,
        sequential: raw.sequential,
        tasks,
    })
}

/// What a TOML error says, where: `line 3, column 7: unknown field …`.
/// Not the error's Display, which quotes the lines around the error.
fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let at = e.span().map(|span| {
        let before = text.get(..span.start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}: ")
    });
    let message = e.message();
    // serde's type errors quote the value (`invalid type: string "…",
    // expected a boolean`): say only what was expected.
    let message = match message.split_once(", expected ") {
        Some((what, expected)) if what.starts_with("invalid type") => {
            format!("wrong type, expected {expected}")
        }
        Some((what, expected)) if what.starts_with("invalid value") => {
            format!("invalid value, expected {expected}")
        }
        _ => message.to_string(),
    };
    clip(&escape(&one_line(&format!("{}{message}", at.unwrap_or_default()))), MAX_ECHO)
}

/// Checks that `path` may be read as a template: its name ends in `.toml`
/// and, symlinks resolved, it is inside `workdir`.
fn check_place(spec: &str, path: &Path, workdir: Option<&Path>) -> TemplateResult<()> {
    let refused = |reason: String| TemplateError::Refused { name: escape(spec), reason };
    if path.extension().and_then(|e| e.to_str()) != Some("toml") {
        return Err(refused("a template file's name ends in .toml".into()));
    }
    let Some(workdir) = workdir else {
        return Err(refused(
            "a template file is read only from a repository's work tree, and this one has none"
                .into(),
        ));
    };
    let real = std::fs::canonicalize(path);
    let root = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    match real {
        Ok(real) if real.starts_with(&root) => Ok(()),
        Ok(real) => Err(refused(format!(
            "{} is outside the repository's work tree {}; copy it into {REPO_TEMPLATE_DIR}/",
            escape(&real.display().to_string()),
            escape(&workdir.display().to_string())
        ))),
        Err(e) => Err(refused(format!("it cannot be opened ({e})"))),
    }
}

fn read_file(name: &str, origin: Origin, path: &Path) -> TemplateResult<Template> {
    let invalid = |problem: String| TemplateError::Invalid {
        name: escape(name),
        origin: escape(&path.display().to_string()),
        problem,
    };
    let text = crate::util::file::read_bounded(path, MAX_TEMPLATE_BYTES)
        .map_err(|e| invalid(format!("cannot be read: {e}")))?;
    parse(name, origin, &text)
}

fn repo_dir(workdir: Option<&Path>) -> Option<PathBuf> {
    workdir.map(|w| w.join(REPO_TEMPLATE_DIR)).filter(|d| d.is_dir())
}

/// Every available template: the repository's own first (they override a
/// built-in of the same name), then the built-ins. Broken repository
/// templates are returned as errors so they can be reported.
pub fn available(workdir: Option<&Path>) -> Vec<TemplateResult<Template>> {
    let mut out = Vec::new();
    let mut repo_names = Vec::new();
    if let Some(dir) = repo_dir(workdir) {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.sort();
        for p in paths {
            if p.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else { continue };
            repo_names.push(stem.to_string());
            out.push(
                check_place(stem, &p, workdir)
                    .and_then(|()| read_file(stem, Origin::Repo(p.clone()), &p)),
            );
        }
    }
    for (name, text) in BUILTIN {
        if !repo_names.iter().any(|n| n == name) {
            out.push(parse(name, Origin::BuiltIn, text));
        }
    }
    out
}

/// Finds a template by path (anything with a `/` or ending in `.toml`) or by
/// name (repository templates first, then built-ins). A path is read only
/// when it ends in `.toml` and leads inside the work tree (see the module
/// docs); a relative one is taken from the current directory.
pub fn find(spec: &str, workdir: Option<&Path>) -> TemplateResult<Template> {
    let looks_like_path = spec.contains('/') || spec.contains('\\') || spec.ends_with(".toml");
    if looks_like_path {
        let path = PathBuf::from(spec);
        if std::fs::symlink_metadata(&path).is_err() {
            return Err(TemplateError::NotFound {
                name: escape(spec),
                available: "no such file".into(),
            });
        }
        check_place(spec, &path, workdir)?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("template").to_string();
        return read_file(&name, Origin::File(path.clone()), &path);
    }
    if let Some(dir) = repo_dir(workdir) {
        let p = dir.join(format!("{spec}.toml"));
        if !spec.is_empty() && std::fs::symlink_metadata(&p).is_ok() {
            check_place(spec, &p, workdir)?;
            return read_file(spec, Origin::Repo(p.clone()), &p);
        }
    }
    if let Some((name, text)) = BUILTIN.iter().find(|(n, _)| *n == spec) {
        return parse(name, Origin::BuiltIn, text);
    }
    let names: Vec<String> =
        available(workdir).into_iter().filter_map(|t| t.ok().map(|t| t.name)).collect();
    Err(TemplateError::NotFound { name: escape(spec), available: names.join(", ") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse() {
        for (name, text) in BUILTIN {
            let t = parse(name, Origin::BuiltIn, text).unwrap();
            assert!(!t.tasks.is_empty(), "{name}");
            assert!(!t.description.is_empty(), "{name}");
        }
        let m = find("migration", None).unwrap();
        let ids: Vec<&str> = m.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["database-migration", "application-migration", "data-validation"]);
        assert!(m.sequential);
    }

    #[test]
    fn bad_templates_are_clear_errors() {
        let bad_id = "[[tasks]]\nid = \"Bad Id\"\n";
        let e = parse("x", Origin::BuiltIn, bad_id).unwrap_err().to_string();
        assert!(e.contains("not a slug"), "{e}");
        let typo = "[[tasks]]\nid = \"a\"\ntitel = \"x\"\n";
        assert!(parse("x", Origin::BuiltIn, typo).is_err());
        let dep = "[[tasks]]\nid = \"a\"\ndepends_on = [\"b\"]\n[[tasks]]\nid = \"b\"\n";
        assert!(parse("x", Origin::BuiltIn, dep).is_err());
        assert!(matches!(find("nope", None), Err(TemplateError::NotFound { .. })));
    }
}
