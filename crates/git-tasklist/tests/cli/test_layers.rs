//! The layers of ARCHITECTURE.md, checked on the source: every `crate::`,
//! `super::` and `self::` path of both crates is resolved to the file it
//! names, and
//! - the library's folders import only the folders below them (util ←
//!   domain ← store ← workflow | sync | interop ← api), never a peer, never
//!   the crate root;
//! - the binary's front ends (cli, mcp, hook, install, board) import the
//!   library and the shared modules (agents, signals, poll), never one
//!   another, except that the command line starts each of them;
//! - no file imports its own folder's face (`mod.rs`), and faces (`mod.rs`,
//!   `lib.rs`) only declare and re-export;
//! - the graph of files has no cycle;
//! - one data path: the command line's text is rendered from the views its
//!   `--json` prints. Every file of `cli/` but the plumbing (`mod.rs`,
//!   `app.rs`, `run.rs`, `error.rs`: opening the library, exit codes) names
//!   the library (`git_tasklist_core::…`, in `use` trees and inline paths)
//!   only through `view::…` and `text::…` (escaping), or through one item
//!   of [`CLI_MAY_NAME`]: the API's door and results handed straight to a
//!   view constructor, the inputs a command builds, and the enums the views
//!   carry. A domain type (`TaskList`, `Task`, `NextStep`, `Verdict`,
//!   `LogEntry`, `Snapshot`, `SyncReport`, `Template` …) named there fails
//!   the test.
//!
//! Run alone: `cargo test -p git-tasklist --test cli layers`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path from the crate root (`["store", "open"]`); empty for the root.
type Module = Vec<String>;

/// The files of one crate: module path → (file, source with comments and
/// string literals blanked).
struct Crate {
    name: &'static str,
    files: BTreeMap<Module, (PathBuf, String)>,
}

impl Crate {
    fn read(name: &'static str, src: &Path) -> Crate {
        let mut files = BTreeMap::new();
        let mut todo = vec![src.to_path_buf()];
        while let Some(dir) = todo.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let rel = p.strip_prefix(src).unwrap();
                    let mut m: Module =
                        rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
                    let last = m.pop().unwrap();
                    match last.as_str() {
                        "mod.rs" | "lib.rs" => {}
                        // The binary target: a root of its own, checked as a front end.
                        "main.rs" => m.push("main".into()),
                        other => m.push(other.trim_end_matches(".rs").to_string()),
                    }
                    let text = std::fs::read_to_string(&p).unwrap();
                    files.insert(m, (p, blank(&text)));
                }
            }
        }
        Crate { name, files }
    }

    /// The file a path names: the longest prefix of it that is a file's module.
    fn resolve(&self, path: &[String]) -> Option<Module> {
        (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| self.files.contains_key(m))
    }

    /// Each file's imports, resolved to files (itself left out).
    fn edges(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let mut out = BTreeMap::new();
        for (m, (_, text)) in &self.files {
            let mut to = BTreeSet::new();
            for path in references(m, text) {
                if let Some(t) = self.resolve(&path)
                    && t != *m
                {
                    to.insert(t);
                }
            }
            // A face depends on the files it declares.
            for child in declared_mods(text) {
                let mut c = m.clone();
                c.push(child);
                if self.files.contains_key(&c) {
                    to.insert(c);
                }
            }
            out.insert(m.clone(), to);
        }
        out
    }

    fn is_face(&self, m: &Module) -> bool {
        let (path, _) = &self.files[m];
        matches!(path.file_name().and_then(|f| f.to_str()), Some("mod.rs" | "lib.rs"))
    }
}

/// `text` with comments and the contents of string and char literals
/// replaced by spaces (line breaks kept), so that only code is searched.
fn blank(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let keep = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < b.len() {
        let c = b[i];
        if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            while i < b.len() && !(b[i] == '*' && b.get(i + 1) == Some(&'/')) {
                keep(&mut out, b[i]);
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (b.get(i + 1) == Some(&'#') || b.get(i + 1) == Some(&'"'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push('"');
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (1..=hashes).all(|k| b.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                keep(&mut out, b[j]);
                j += 1;
            }
            out.push('"');
            i = j;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    keep(&mut out, b[i]);
                    i += 1;
                }
                if i < b.len() {
                    keep(&mut out, b[i]);
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1b}') or a lifetime ('a).
            let close = if b.get(i + 1) == Some(&'\\') {
                (i + 2..b.len().min(i + 12)).find(|&j| b[j] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(j) => {
                    out.push_str("' '");
                    i = j + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Names of the modules `text` declares (`mod x;`, `pub mod x;`).
fn declared_mods(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").or_else(|| l.strip_prefix("pub(crate) ")).unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';').map(|n| n.trim().to_string())
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path in `text` that starts with `crate`, `super` or `self`, made
/// absolute from the module `file` (inline modules such as `mod tests { … }`
/// are followed, so their `super` is the file's own module). A `use` tree
/// `a::{b, c::d}` gives `a::b` and `a::c::d`.
fn references(file: &Module, text: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    // The inline modules open, with the brace depth each one closes at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let boundary = i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':';
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth = depth.saturating_sub(1);
            while inline.last().is_some_and(|(_, d)| *d > depth) {
                inline.pop();
            }
        }
        let rest: String = chars[i..chars.len().min(i + 200)].iter().collect();
        if boundary && let Some(after) = rest.strip_prefix("mod ") {
            let name: String = after.chars().take_while(|c| is_ident(*c)).collect();
            let tail = after[name.len()..].trim_start();
            if !name.is_empty() && tail.starts_with('{') {
                inline.push((name, depth + 1));
            }
        }
        let here: Module =
            file.iter().cloned().chain(inline.iter().map(|(n, _)| n.clone())).collect();
        if boundary {
            if rest.starts_with("use ") {
                let end = text_from(&chars, i + 4, ';');
                let tree: String = chars[i + 4..end].iter().collect();
                for p in expand_tree(&tree) {
                    if let Some(abs) = absolute(&here, &p) {
                        out.push(abs);
                    }
                }
                i = end;
                continue;
            }
            for start in ["crate::", "super::", "self::"] {
                if rest.starts_with(start) {
                    let len = rest.chars().take_while(|c| is_ident(*c) || *c == ':').count();
                    let path: Vec<String> = rest[..len]
                        .split("::")
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect();
                    if let Some(abs) = absolute(&here, &path) {
                        out.push(abs);
                    }
                    i += len;
                    break;
                }
            }
        }
        i += 1;
    }
    out
}

/// The index of the first `stop` at or after `from`.
fn text_from(chars: &[char], from: usize, stop: char) -> usize {
    (from..chars.len()).find(|&j| chars[j] == stop).unwrap_or(chars.len())
}

/// The paths of a `use` tree.
fn expand_tree(tree: &str) -> Vec<Vec<String>> {
    // Without whitespace, but with each ` as ` kept as `@` (a name may hold "as").
    let t = tree.split_whitespace().collect::<Vec<_>>().join(" ").replace(" as ", "@");
    let t: String = t.split_whitespace().collect();
    let mut out = Vec::new();
    expand(&t, &[], &mut out);
    out
}

fn expand(t: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    // Split at the top-level commas.
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in t.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&t[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&t[start..]);
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        let part = part.split('@').next().unwrap_or(part);
        match part.find('{') {
            Some(open) => {
                let head = part[..open].trim_end_matches("::");
                let inner = &part[open + 1..part.rfind('}').unwrap_or(part.len())];
                let mut p = prefix.to_vec();
                p.extend(head.split("::").filter(|s| !s.is_empty()).map(String::from));
                expand(inner, &p, out);
            }
            None => {
                let mut p = prefix.to_vec();
                p.extend(part.split("::").filter(|s| !s.is_empty()).map(String::from));
                out.push(p);
            }
        }
    }
}

/// `path` (starting with `crate`, `super` or `self`) from the root; `None`
/// for any other path (an external crate, a local name).
fn absolute(here: &Module, path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "super" | "self" => here.clone(),
        _ => return None,
    };
    let mut rest = path;
    if rest[0] == "crate" {
        rest = &rest[1..];
    }
    while let Some(first) = rest.first() {
        match first.as_str() {
            "super" => {
                base.pop()?;
            }
            "self" => {}
            _ => break,
        }
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|s| s.as_str() != "self" && s.as_str() != "*").cloned());
    Some(base)
}

/// A cycle in `edges`, if there is one (files named as paths).
fn cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    // Iterative depth-first search with colours.
    let mut colour: BTreeMap<&Module, u8> = BTreeMap::new();
    for root in edges.keys() {
        if colour.get(root).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&Module, Vec<&Module>)> =
            vec![(root, edges[root].iter().collect::<Vec<_>>())];
        colour.insert(root, 1);
        while let Some((node, next)) = stack.last_mut() {
            let Some(to) = next.pop() else {
                colour.insert(node, 2);
                stack.pop();
                continue;
            };
            match colour.get(to).copied().unwrap_or(0) {
                0 => {
                    colour.insert(to, 1);
                    let succ = edges.get(to).map(|s| s.iter().collect()).unwrap_or_default();
                    stack.push((to, succ));
                }
                1 => {
                    let at = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                    let mut c: Vec<Module> =
                        stack[at..].iter().map(|(n, _)| (*n).clone()).collect();
                    c.push(to.clone());
                    return Some(c);
                }
                _ => {}
            }
        }
    }
    None
}

fn shown(m: &Module) -> String {
    if m.is_empty() { "crate root".into() } else { m.join("::") }
}

/// The folder (first component) of a module; the root's is "".
fn top(m: &Module) -> &str {
    m.first().map_or("", String::as_str)
}

/// What each of the library's folders may import (besides itself).
fn library_allows(from: &str, to: &str) -> bool {
    let below: &[&str] = match from {
        "util" => &[],
        "domain" => &["util"],
        "store" => &["domain", "util"],
        "workflow" | "sync" | "interop" => &["store", "domain", "util"],
        "api" => &["workflow", "sync", "interop", "store", "domain", "util"],
        // The crate root is the face: it re-exports everything.
        "" => return true,
        other => panic!("library folder {other} is in no layer of ARCHITECTURE.md"),
    };
    from == to || below.contains(&to)
}

/// What each of the binary's modules may import (besides itself).
fn binary_allows(from: &str, to: &str) -> bool {
    const SHARED: [&str; 4] = ["agents", "signals", "poll", "words"];
    const FRONT_ENDS: [&str; 5] = ["cli", "mcp", "hook", "install", "board"];
    match from {
        "" | "main" => true,
        // The command line starts every front end (`mcp`, `hook`, `serve`, `install`).
        "cli" => !to.is_empty() && to != "main",
        f if FRONT_ENDS.contains(&f) => from == to || SHARED.contains(&to),
        s if SHARED.contains(&s) => from == to || (SHARED.contains(&to) && to < s),
        other => panic!("binary module {other} is neither a front end nor a shared module"),
    }
}

fn check(krate: &Crate, allows: fn(&str, &str) -> bool) -> Vec<String> {
    let mut problems = Vec::new();
    let edges = krate.edges();
    for (from, tos) in &edges {
        for to in tos {
            let parent_face = !to.is_empty() && from.starts_with(to) && krate.is_face(to);
            if parent_face && from.len() > to.len() && !krate.is_face(from) {
                problems.push(format!(
                    "{}: {} imports its own folder's face {} (name the file instead)",
                    krate.name,
                    shown(from),
                    shown(to)
                ));
            }
            let declared = to.len() == from.len() + 1 && to.starts_with(from);
            if !declared && !allows(top(from), top(to)) {
                problems.push(format!(
                    "{}: {} imports {}, which its layer may not",
                    krate.name,
                    shown(from),
                    shown(to)
                ));
            }
        }
    }
    for m in krate.files.keys().filter(|m| krate.is_face(m)) {
        let (path, text) = &krate.files[m];
        for line in text.lines().map(str::trim) {
            let line = line
                .strip_prefix("pub(crate) ")
                .or_else(|| line.strip_prefix("pub "))
                .unwrap_or(line);
            let item = [
                "fn ", "struct ", "enum ", "impl ", "impl<", "const ", "static ", "type ", "trait ",
            ]
            .iter()
            .any(|k| line.starts_with(k));
            if item {
                problems.push(format!(
                    "{}: the face {} defines `{line}`; faces only declare and re-export",
                    krate.name,
                    path.display()
                ));
            }
        }
    }
    if let Some(c) = cycle(&edges) {
        let c: Vec<String> = c.iter().map(shown).collect();
        problems.push(format!("{}: import cycle {}", krate.name, c.join(" → ")));
    }
    problems
}

/// What a command file of `cli/` may name from the library besides
/// `view::…` and `text::…` (see the module's header).
const CLI_MAY_NAME: &[&str] = &[
    // The API's door, its error, and results handed to a view constructor.
    "Tasklists",
    "Poller",
    "Error",
    "Changed",
    "interrupt::hold",
    // Inputs a command builds from its arguments.
    "CreateRequest",
    "model::TaskId",
    "op::NewTask",
    "op::TaskChange",
    "workflow::verify::Expect",
    "sync::SyncOptions",
    "sync::TRACKING_PREFIX",
    // What a long sync reports while it runs (a progress line, not output).
    "sync::SyncProgress",
    // Enums the views carry.
    "model::Status",
    "model::NextState",
    "sync::Action",
];

/// The files of `cli/` that are plumbing rather than a command's output.
const CLI_PLUMBING: &[&str] = &["mod", "app", "run", "error"];

/// Each path into the library `text` names (without the crate name): the
/// paths of `use git_tasklist_core::…` trees and inline `git_tasklist_core::…` paths.
fn library_paths(text: &str) -> Vec<String> {
    const LIB: &str = "git_tasklist_core::";
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(LIB).map(|i| i + from) {
        let before = text[..at].chars().next_back();
        from = at + LIB.len();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        if text[..at].trim_end().ends_with("use") {
            let end = text[at..].find(';').map_or(text.len(), |i| i + at);
            for p in expand_tree(&text[from..end]) {
                out.push(p.join("::"));
            }
            from = end;
        } else {
            let len = text[from..].chars().take_while(|c| is_ident(*c) || *c == ':').count();
            out.push(text[from..from + len].trim_end_matches(':').to_string());
        }
    }
    out
}

/// Whether a command file of `cli/` may name library path `p`.
fn cli_may_name(p: &str) -> bool {
    p.starts_with("view::") || p.starts_with("text::") || CLI_MAY_NAME.contains(&p)
}

#[test]
fn cli_text_is_rendered_from_the_views() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = Crate::read("git-tasklist", &here.join("src"));
    let mut problems = Vec::new();
    let mut checked = 0;
    for (m, (path, text)) in &binary.files {
        let (Some(first), Some(last)) = (m.first(), m.last()) else { continue };
        if first != "cli" || m.len() == 1 || CLI_PLUMBING.contains(&last.as_str()) {
            continue;
        }
        checked += 1;
        for p in library_paths(text).into_iter().filter(|p| !cli_may_name(p)) {
            problems.push(format!(
                "{}: names git_tasklist_core::{p}; render from a view (add the field to it)",
                path.display()
            ));
        }
    }
    assert!(checked > 20, "the command files were found ({checked})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_view_rule_sees_what_it_checks() {
    let text = blank(
        "use git_tasklist_core::model::{Status, TaskList};\nuse git_tasklist_core::view::{\n    ListView,\n};\n\
         fn f(l: &git_tasklist_core::workflow::verify::Verdict) {}\n\
         // git_tasklist_core::store::Snapshot\nuse my_git_tasklist_core::x;\n",
    );
    let got = library_paths(&text);
    assert_eq!(
        got,
        ["model::Status", "model::TaskList", "view::ListView", "workflow::verify::Verdict"]
    );
    let bad: Vec<&String> = got.iter().filter(|p| !cli_may_name(p)).collect();
    assert_eq!(bad, ["model::TaskList", "workflow::verify::Verdict"]);
}

#[test]
fn layers_have_no_cycle_and_no_import_running_up() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let library = Crate::read("git-tasklist-core", &here.join("../git-tasklist-core/src"));
    let binary = Crate::read("git-tasklist", &here.join("src"));
    assert!(library.files.len() > 40 && binary.files.len() > 30, "the sources were found");
    let mut problems = check(&library, library_allows);
    problems.extend(check(&binary, binary_allows));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_what_it_checks() {
    // A use tree, a super path from a test module, a path in an expression,
    // and nothing from comments or strings.
    let text = blank(
        "use crate::store::{self, open::Store};\nfn f() { crate::sync::TRACKING_PREFIX; }\n\
         use crate::api::tasklists::{Tasklists, Changed as C};\n\
         // use crate::api::Error;\nconst S: &str = \"crate::api::Error\";\n\
         mod tests { use super::*; use super::super::files::{commit, stage_all}; }\n",
    );
    let here: Module = vec!["install".into(), "claude".into()];
    let got = references(&here, &text);
    let want: Vec<Vec<&str>> = vec![
        vec!["store"],
        vec!["store", "open", "Store"],
        vec!["sync", "TRACKING_PREFIX"],
        vec!["api", "tasklists", "Tasklists"],
        vec!["api", "tasklists", "Changed"],
        vec!["install", "claude"],
        vec!["install", "files", "commit"],
        vec!["install", "files", "stage_all"],
    ];
    let got: Vec<Vec<&str>> = got.iter().map(|p| p.iter().map(String::as_str).collect()).collect();
    assert_eq!(got, want);
    // A cycle is found, a chain is not.
    let m = |s: &str| vec![s.to_string()];
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    edges.insert(m("a"), [m("b")].into());
    edges.insert(m("b"), [m("c")].into());
    edges.insert(m("c"), BTreeSet::new());
    assert!(cycle(&edges).is_none());
    edges.insert(m("c"), [m("a")].into());
    assert_eq!(cycle(&edges).map(|c| c.len()), Some(4));
    assert!(!library_allows("store", "workflow") && library_allows("workflow", "store"));
    assert!(!library_allows("sync", "interop") && !library_allows("domain", ""));
    assert!(!binary_allows("install", "mcp") && binary_allows("install", "agents"));
}
