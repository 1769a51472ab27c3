//! The library prints nothing and names no flag of the command line: every
//! string literal of the library crate's source (outside `#[cfg(test)]`
//! items) is checked against the long options of the binary's clap command
//! (every subcommand's, global ones included), and no `println!`,
//! `eprintln!`, `print!`, `eprint!` or `dbg!` is called. The front ends
//! word the library's typed hints, commands and choices themselves.
//!
//! Run alone: `cargo test -p git-tasklist --test cli library_words`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

/// git's own options the library passes to the `git` command that happen to
/// be spelled like one of ours; each only as a whole literal (an argument),
/// never inside a sentence.
const GIT_OPTIONS: &[&str] = &["--quiet", "--dry-run"];

/// Macros that write to stdout or stderr.
const PRINTING: &[&str] = &["println", "eprintln", "print", "eprint", "dbg"];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String, usize),
    Punct(char),
}

/// The tokens of Rust source that matter here: identifiers, punctuation and
/// string literals (with their line); comments and char literals dropped.
fn tokens(src: &str) -> Vec<Token> {
    let b: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let at = |i: usize| b.get(i).copied().unwrap_or('\0');
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(b[i] == '\n');
                    i += 1;
                }
            }
        } else if (c == 'r' || c == 'b' || c == 'c')
            && (at(i + 1) == '"' || at(i + 1) == '#' || (at(i + 1) == 'r' && c == 'b'))
            && raw_or_prefixed(&b, i).is_some()
        {
            let (start, end, skip) = raw_or_prefixed(&b, i).unwrap();
            let text: String = b[start..end].iter().collect();
            out.push(Token::Str(text.clone(), line));
            line += text.matches('\n').count();
            i = end + skip;
        } else if c == '"' {
            let start = i + 1;
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            let text: String = b[start..i.min(b.len())].iter().collect();
            out.push(Token::Str(text.clone(), line));
            line += text.matches('\n').count();
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(b[start..i].iter().collect()));
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c));
            }
            i += 1;
        }
    }
    out
}

/// A raw (`r"…"`, `r#"…"#`) or prefixed (`b"…"`, `br"…"`, `c"…"`) string
/// at `i`: where its text starts and ends, and how much closes it.
fn raw_or_prefixed(b: &[char], i: usize) -> Option<(usize, usize, usize)> {
    let mut j = i;
    while j < b.len() && (b[j] == 'b' || b[j] == 'c') && j < i + 1 {
        j += 1;
    }
    let raw = b.get(j) == Some(&'r');
    if raw {
        j += 1;
    }
    let mut hashes = 0;
    while raw && b.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if b.get(j) != Some(&'"') || (j == i && !raw) {
        return None;
    }
    let start = j + 1;
    let mut k = start;
    while k < b.len() {
        if !raw && b[k] == '\\' {
            k += 2;
            continue;
        }
        if b[k] == '"' && (0..hashes).all(|h| b.get(k + 1 + h) == Some(&'#')) {
            return Some((start, k, 1 + hashes));
        }
        k += 1;
    }
    None
}

/// The tokens outside `#[cfg(test)]` items.
fn outside_tests(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    let is = |i: usize, t: &Token| tokens.get(i) == Some(t);
    let ident = |s: &str| Token::Ident(s.into());
    while i < tokens.len() {
        let cfg_test = is(i, &Token::Punct('#'))
            && is(i + 1, &Token::Punct('['))
            && is(i + 2, &ident("cfg"))
            && is(i + 3, &Token::Punct('('))
            && is(i + 4, &ident("test"))
            && is(i + 5, &Token::Punct(')'))
            && is(i + 6, &Token::Punct(']'));
        if !cfg_test {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        // Skip the item: up to its first `;` or its `{ … }`.
        i += 7;
        while i < tokens.len() && !is(i, &Token::Punct('{')) && !is(i, &Token::Punct(';')) {
            i += 1;
        }
        if is(i, &Token::Punct('{')) {
            let mut depth = 0;
            while i < tokens.len() {
                match tokens[i] {
                    Token::Punct('{') => depth += 1,
                    Token::Punct('}') => depth -= 1,
                    _ => {}
                }
                i += 1;
                if depth == 0 {
                    break;
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The long options `--name` in `text`, each with whether it is the whole text.
fn long_options(text: &str) -> Vec<(String, bool)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-');
        if boundary && b[i] == b'-' && b[i + 1] == b'-' && b[i + 2].is_ascii_lowercase() {
            let mut j = i + 2;
            while j < b.len()
                && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit() || b[j] == b'-')
            {
                j += 1;
            }
            out.push((text[i..j].to_string(), i == 0 && j == b.len()));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Every long option of the binary's command line, across its subcommands.
fn cli_options() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        for a in cmd.get_arguments() {
            if let Some(l) = a.get_long() {
                out.insert(format!("--{l}"));
            }
            for l in a.get_all_aliases().unwrap_or_default() {
                out.insert(format!("--{l}"));
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, out);
        }
    }
    let mut out = BTreeSet::new();
    let mut cmd = git_tasklist::cli::Cli::command();
    cmd.build();
    walk(&cmd, &mut out);
    out
}

/// What the rules find in one file's source, as `file:line: what` lines.
fn problems(file: &str, src: &str, options: &BTreeSet<String>) -> Vec<String> {
    let toks = outside_tests(tokens(src));
    let mut out = Vec::new();
    let mut line = 0;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Token::Str(text, l) => {
                line = *l;
                for (opt, whole) in long_options(text) {
                    let git_own = whole && GIT_OPTIONS.contains(&opt.as_str());
                    if options.contains(&opt) && !git_own {
                        out.push(format!("{file}:{l}: names the command line's {opt}: \"{text}\""));
                    }
                }
            }
            Token::Ident(name)
                if PRINTING.contains(&name.as_str())
                    && toks.get(i + 1) == Some(&Token::Punct('!')) =>
            {
                out.push(format!("{file}:~{line}: prints with {name}!"));
            }
            _ => {}
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_library_prints_nothing_and_names_no_flag_of_the_command_line() {
    let options = cli_options();
    for known in ["--reopen", "--take-over", "--out-of-order", "--expect", "--namespace", "--json"]
    {
        assert!(options.contains(known), "{known} not among {options:?}");
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../git-tasklist-core/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 40, "the library's source at {}", src.display());
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(&src).unwrap().display().to_string();
        found.extend(problems(&name, &text, &options));
    }
    assert!(found.is_empty(), "the library names flags or prints:\n{}", found.join("\n"));
}

/// The scanner finds what it should, and only there.
#[test]
fn the_library_scan_finds_flags_in_messages_and_printing_outside_tests() {
    let options: BTreeSet<String> =
        ["--reopen", "--quiet", "--namespace"].iter().map(|s| s.to_string()).collect();
    let src = r##"
        // "--reopen" in a comment is fine; /* "--reopen" */ too.
        fn a() -> String { format!("task went back without --reopen") }
        fn b() { git(&["fetch", "--quiet"]); let c = '"'; let l: &'static str = r#"--namespace x"#; }
        fn d() { eprintln!("x"); std::println!("y"); }
        #[cfg(test)]
        mod tests { fn t() { println!("--reopen"); } }
        fn e() -> &'static str { "--reopened --reopen-later" }
    "##;
    let found = problems("x.rs", src, &options);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].contains("--reopen: \"task went back"), "{found:#?}");
    assert!(found[1].contains("--namespace"), "{found:#?}");
    assert!(found[2].contains("eprintln!") && found[3].contains("println!"), "{found:#?}");
}
