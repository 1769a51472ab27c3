//! `install codex`: Codex's MCP server table, in a project or the user's
//! `~/.codex/config.toml`, with the rest of the file kept byte for byte.

use std::path::{Path, PathBuf};

use git_tasklist_core::text::{escape, one_line};

use super::error::{InstallError, InstallResult};
use super::files::{Bounds, Planned, read_existing};
use super::skill::SERVER_NAME;

/// Where `install codex` writes.
#[derive(Debug, Clone)]
pub enum Codex {
    /// A project: `.codex/config.toml` under its work tree.
    Project(PathBuf),
    /// The user: `~/.codex/config.toml`.
    User(PathBuf),
}

/// Plans `install codex` into `dest` with `program` as the binary.
pub fn plan_codex(dest: &Codex, program: &str) -> InstallResult<Vec<Planned>> {
    let (root, what) = match dest {
        Codex::Project(root) => (root, "the project's work tree"),
        Codex::User(home) => (home, "your home directory"),
    };
    let b = Bounds::new(root, what)?;
    Ok(vec![plan_toml(&b, &root.join(".codex").join("config.toml"), program)?])
}

/// Plans a TOML file with our `[mcp_servers.tasklist]`: toml_edit keeps
/// the rest of the file byte for byte, comments included.
fn plan_toml(b: &Bounds, path: &Path, program: &str) -> InstallResult<Planned> {
    use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value, value};
    let (target, _) = b.place(path, false)?;
    let old = read_existing(&target)?;
    let with_bom = old.as_deref().unwrap_or("");
    let text = with_bom.strip_prefix('\u{feff}').unwrap_or(with_bom);
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        // Not the error's Display: that quotes the offending line of the file.
        let at = e.span().map(|span| {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: ")
        });
        InstallError::NotToml {
            path: path.to_path_buf(),
            detail: escape(&one_line(&format!("{}{}", at.unwrap_or_default(), e.message()))),
        }
    })?;
    let shape = |what: String| InstallError::Shape { path: path.to_path_buf(), what };
    let root = doc.as_table_mut();
    if !root.contains_key("mcp_servers") {
        let mut t = Table::new();
        t.set_implicit(true);
        root.insert("mcp_servers", Item::Table(t));
    }
    let (servers, inline): (&mut dyn TableLike, bool) = match root.get_mut("mcp_servers") {
        Some(Item::Table(t)) => (t, false),
        Some(Item::Value(Value::InlineTable(t))) => (t, true),
        Some(other) => {
            return Err(shape(format!("mcp_servers is a TOML {}, not a table", other.type_name())));
        }
        None => return Err(shape("mcp_servers cannot be added".into())),
    };
    let has_table = matches!(
        servers.get(SERVER_NAME),
        Some(Item::Table(_)) | Some(Item::Value(Value::InlineTable(_)))
    );
    if !has_table {
        let fresh = if inline {
            Item::Value(Value::InlineTable(InlineTable::new()))
        } else {
            Item::Table(Table::new())
        };
        servers.insert(SERVER_NAME, fresh);
    }
    let ours: &mut dyn TableLike = match servers.get_mut(SERVER_NAME) {
        Some(Item::Table(t)) => t,
        Some(Item::Value(Value::InlineTable(t))) => t,
        _ => return Err(shape(format!("mcp_servers.{SERVER_NAME} cannot be added"))),
    };
    let mut changed = !has_table;
    if ours.get("command").and_then(Item::as_str) != Some(program) {
        // In place, keeping the spaces and comment around the old value.
        match ours.get_mut("command").and_then(Item::as_value_mut) {
            Some(v) => {
                let decor = v.decor().clone();
                *v = Value::from(program);
                *v.decor_mut() = decor;
            }
            None => {
                ours.insert("command", value(program));
            }
        }
        changed = true;
    }
    let args_ok = ours
        .get("args")
        .and_then(Item::as_array)
        .is_some_and(|a| a.len() == 1 && a.get(0).and_then(Value::as_str) == Some("mcp"));
    if !args_ok {
        let mut args = Array::new();
        args.push("mcp");
        ours.insert("args", value(args));
        changed = true;
    }
    let new = match changed {
        true => format!(
            "{}{}",
            &with_bom[..with_bom.len() - text.len()],
            keep_lines(text, &doc.to_string())
        ),
        false => with_bom.to_string(),
    };
    Ok(Planned { path: path.to_path_buf(), old, new, target, link: None, whole: false })
}

/// `new` (toml_edit's printing of `old` with our table) with every line it
/// did not change taken from `old` as written, and the lines it added ended
/// like `old`'s: toml_edit keeps a document's text except its line breaks,
/// which it prints as `\n`, so CRLF files stay CRLF.
fn keep_lines(old: &str, new: &str) -> String {
    let nl = match old.find('\n') {
        Some(i) if old[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let bare: Vec<String> = old_lines
        .iter()
        .map(|l| match l.strip_suffix("\r\n") {
            Some(body) => format!("{body}\n"),
            None => l.to_string(),
        })
        .collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let bare_refs: Vec<&str> = bare.iter().map(String::as_str).collect();
    let mut out = String::with_capacity(new.len() + new_lines.len());
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &bare_refs, &new_lines) {
        let (tag, from, to) = op.as_tag_tuple();
        match tag {
            similar::DiffTag::Equal => old_lines[from].iter().for_each(|l| out.push_str(l)),
            similar::DiffTag::Delete => {}
            similar::DiffTag::Insert | similar::DiffTag::Replace => {
                for line in &new_lines[to] {
                    match line.strip_suffix('\n') {
                        Some(body) if !body.ends_with('\r') => {
                            out.push_str(body);
                            out.push_str(nl);
                        }
                        _ => out.push_str(line),
                    }
                }
            }
        }
    }
    out
}
