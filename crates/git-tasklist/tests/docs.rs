//! The examples of `README.md` and `docs/*.md`, run: every command a `console` block
//! shows is run with the real binary in a fresh git repository, and its output and
//! exit code must be what the block shows, so the documentation cannot drift.
//!
//! The blocks use trycmd's syntax (`$ ` starts a command, `> ` continues it, `? N`
//! is the exit code, the lines after it are stdout and stderr as they interleave;
//! `[..]` matches within a line, `...` alone on a line matches lines). Commands are
//! split like shell words but not run by a shell: `NAME=value` words before the
//! program set variables, `export NAME=value` sets them for the rest of the file,
//! and the program is `git` or `git-tasklist` (`sh` only inside an HTML comment,
//! for hidden set-up steps). Every block of one file runs
//! in order in one repository (branch `main`, one commit), with a fixed
//! environment: `TZ=UTC`, `LC_ALL=C`, `NO_COLOR=1`, no git configuration, the
//! identity `Ada <ada@example.com>`, its own `HOME`, nothing else inherited.
//!
//! What varies from run to run is redacted the same way on both sides, so the
//! documentation can show real output: list ids (UUIDs), commit ids of 12 or 40
//! hex digits and times (`2026-12-05 01:08`, `2026-12-05T01:08:55Z`). The
//! repository is shown as `/home/ada/project` and `HOME` as `/home/ada`.
//! A commit id a command is given (`verify --accept 1a2b3c4d5e6f`) is the one an
//! earlier output of the file showed: each commit id of a documented output is
//! paired, in order, with the one the run printed there, and a later command's
//! words have the documented ids replaced by the real ones.
//!
//! Every other fenced block must name its language (`sh`, `toml`, `json`, `text`
//! …): those are not run. `GIT_TASKLIST_DOCS=overwrite cargo test --test docs`
//! writes the actual output into the blocks that differ (check the diff).
//!
//! Relative links between the documents are checked too: the file must exist and a
//! `#fragment` must name one of its headings.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The workspace root (where README.md is).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// README.md and every `*.md` under docs/, as paths relative to the root.
fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_string()];
    let mut more: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// What a command must exit with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Success,
    Failed,
    Code(i32),
}

/// One command of a `console` block.
#[derive(Debug)]
struct Step {
    /// 1-based line of the `$ ` line.
    line: usize,
    /// `NAME=value` words before the program.
    env: Vec<(String, String)>,
    /// The program and its arguments; empty for `export NAME=value…`, which sets
    /// the variables for the rest of the file's commands, as a shell would.
    argv: Vec<String>,
    status: Status,
    /// The output lines the block shows (0-based, end exclusive).
    output: std::ops::Range<usize>,
}

/// The programs a block may run, and where.
const PROGRAMS: &[&str] = &["git", "git-tasklist"];

/// Parses a document's fenced blocks; errors name the line.
fn parse(name: &str, text: &str) -> Result<Vec<Step>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut steps = Vec::new();
    let mut in_comment = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let fence_len = line.len() - line.trim_start_matches('`').len();
        if fence_len < 3 {
            // HTML comments outside code blocks hide set-up steps from readers.
            let mut rest = line;
            loop {
                if in_comment {
                    match rest.find("-->") {
                        Some(at) => {
                            in_comment = false;
                            rest = &rest[at + 3..];
                        }
                        None => break,
                    }
                } else {
                    match rest.find("<!--") {
                        Some(at) => {
                            in_comment = true;
                            rest = &rest[at + 4..];
                        }
                        None => break,
                    }
                }
            }
            i += 1;
            continue;
        }
        let fence = &line[..fence_len];
        let info = line[fence_len..].trim();
        let lang = info.split([',', ' ']).next().unwrap_or("");
        if lang.is_empty() {
            return Err(format!(
                "{name}:{}: a code block without a language: write `console` (run and checked) or `sh`, `text`, `toml`, `json` …",
                i + 1
            ));
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].starts_with(fence) {
            end += 1;
        }
        if end == lines.len() {
            return Err(format!("{name}:{}: the code block is never closed", i + 1));
        }
        if lang == "console" {
            if info != "console" {
                return Err(format!(
                    "{name}:{}: `{info}`: every console block is run; use `sh` for one that is not",
                    i + 1
                ));
            }
            steps.extend(parse_console(name, &lines, start, end, in_comment)?);
        }
        i = end + 1;
    }
    Ok(steps)
}

/// The steps of one `console` block, lines `start..end`.
fn parse_console(
    name: &str,
    lines: &[&str],
    start: usize,
    end: usize,
    hidden: bool,
) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut i = start;
    while i < end {
        let Some(command) = lines[i].strip_prefix("$ ") else {
            return Err(format!(
                "{name}:{}: a console block's lines start with `$ ` (or follow one as its output)",
                i + 1
            ));
        };
        let line = i + 1;
        let mut words = shlex::split(command.trim())
            .ok_or_else(|| format!("{name}:{line}: unbalanced quotes"))?;
        i += 1;
        while i < end {
            let Some(more) = lines[i].strip_prefix("> ") else { break };
            words.extend(
                shlex::split(more.trim())
                    .ok_or_else(|| format!("{name}:{}: unbalanced quotes", i + 1))?,
            );
            i += 1;
        }
        let mut status = Status::Success;
        if i < end
            && let Some(code) = lines[i].strip_prefix("? ")
        {
            status = match code.trim() {
                "success" => Status::Success,
                "failed" => Status::Failed,
                n => Status::Code(
                    n.parse()
                        .map_err(|_| format!("{name}:{}: `? {n}` is not an exit code", i + 1))?,
                ),
            };
            i += 1;
        }
        let out_start = i;
        while i < end && !lines[i].starts_with("$ ") {
            i += 1;
        }
        let export = words.first().is_some_and(|w| w == "export");
        if export {
            words.remove(0);
        }
        let mut env = Vec::new();
        while let Some((key, value)) = words.first().and_then(|w| w.split_once('=')) {
            env.push((key.to_string(), value.to_string()));
            words.remove(0);
        }
        if export {
            if !words.is_empty() || env.is_empty() || out_start != i || status != Status::Success {
                return Err(format!(
                    "{name}:{line}: `export` takes NAME=value words only, and prints nothing"
                ));
            }
            steps.push(Step { line, env, argv: vec![], status, output: out_start..i });
            continue;
        }
        let program = words.first().map(String::as_str).unwrap_or("");
        if !(PROGRAMS.contains(&program) || (hidden && program == "sh")) {
            return Err(format!(
                "{name}:{line}: `{program}` cannot be run: a console block runs `git` or `git-tasklist` (and `sh` in hidden set-up steps only)"
            ));
        }
        steps.push(Step { line, env, argv: words, status, output: out_start..i });
    }
    Ok(steps)
}

/// The redactions applied to both the actual and the documented output.
fn redactions() -> snapbox::Redactions {
    let mut r = snapbox::Redactions::new();
    let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    r.insert("[ID]", regex::Regex::new(&format!(r"(?<redacted>{uuid})")).unwrap()).unwrap();
    r.insert(
        "[COMMIT]",
        regex::Regex::new(r"\b(?<redacted>[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{12})\b").unwrap(),
    )
    .unwrap();
    r.insert(
        "[TIME]",
        regex::Regex::new(
            r"(?<redacted>[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)",
        )
        .unwrap(),
    )
    .unwrap();
    r
}

/// Where the repository of the examples is shown to be: the temporary
/// directory's path is replaced with it in what the commands print.
const WORK: &str = "/home/ada/project";
/// Where `HOME` is shown to be.
const HOME: &str = "/home/ada";

/// The fixed environment of every command.
fn environment(home: &Path) -> Vec<(String, String)> {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-tasklist"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    );
    [
        ("PATH", path.as_str()),
        ("HOME", &home.display().to_string()),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("TZ", "UTC"),
        ("LC_ALL", "C"),
        ("NO_COLOR", "1"),
        ("GIT_AUTHOR_NAME", "Ada"),
        ("GIT_AUTHOR_EMAIL", "ada@example.com"),
        ("GIT_COMMITTER_NAME", "Ada"),
        ("GIT_COMMITTER_EMAIL", "ada@example.com"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A failed step: where, and what differs.
struct Failure {
    message: String,
    /// The document's output lines to replace, and the actual output.
    fix: Option<(std::ops::Range<usize>, String)>,
}

/// Runs every step of one document in a fresh repository; returns how many ran.
fn check(name: &str, text: &str) -> Result<usize, Vec<Failure>> {
    let steps = parse(name, text).map_err(|message| vec![Failure { message, fix: None }])?;
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let work = dir.path().join("work");
    std::fs::create_dir(&home).unwrap();
    std::fs::create_dir(&work).unwrap();
    let env = environment(&home);
    let setup = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&work)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    setup(&["init", "-q", "-b", "main"]);
    std::fs::write(work.join("README.md"), "A project\n").unwrap();
    setup(&["add", "README.md"]);
    setup(&["commit", "-q", "-m", "Initial commit"]);

    let redactions = redactions();
    let assert = snapbox::Assert::new()
        .redact_with(redactions.clone())
        .normalize_paths(false)
        .action(snapbox::assert::Action::Verify);
    let mut failures = Vec::new();
    let mut exported: Vec<(String, String)> = Vec::new();
    let mut commits: Vec<(String, String)> = Vec::new();
    for step in &steps {
        if step.argv.is_empty() {
            exported.extend(step.env.iter().cloned());
            continue;
        }
        let shown = step.argv.join(" ");
        let argv: Vec<String> = step
            .argv
            .iter()
            .map(|w| commits.iter().fold(w.clone(), |w, (doc, real)| w.replace(doc, real)))
            .collect();
        let output = snapbox::cmd::Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(&work)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .envs(exported.iter().map(|(k, v)| (k, v)))
            .envs(step.env.iter().map(|(k, v)| (k, v)))
            .stderr_to_stdout()
            .timeout(Duration::from_secs(60))
            .output();
        let output = match output {
            Ok(o) => o,
            Err(e) => {
                failures.push(Failure {
                    message: format!("{name}:{}: `{shown}` could not run: {e}", step.line),
                    fix: None,
                });
                continue;
            }
        };
        let actual = String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .replace(&work.display().to_string(), WORK)
            .replace(&home.display().to_string(), HOME)
            .replace(&dir.path().display().to_string(), "/tmp/docs");
        let expected = lines[step.output.clone()].join("\n").trim_end().to_string();
        let (doc_ids, real_ids) = (commit_ids(&expected), commit_ids(&actual));
        if doc_ids.len() == real_ids.len() {
            commits.extend(doc_ids.into_iter().zip(real_ids).filter(|(d, r)| d != r));
        }
        let code = output.status.code();
        let status_ok = match step.status {
            Status::Success => code == Some(0),
            Status::Failed => matches!(code, Some(c) if c != 0),
            Status::Code(n) => code == Some(n),
        };
        if !status_ok {
            failures.push(Failure {
                message: format!(
                    "{name}:{}: `{shown}` exited with {}, the document says {:?}; it printed:\n{actual}",
                    step.line,
                    code.map_or("a signal".to_string(), |c| c.to_string()),
                    step.status
                ),
                fix: None,
            });
            continue;
        }
        let expected_data = snapbox::Data::text(redactions.redact(&expected));
        if let Err(e) = assert.try_eq(None, snapbox::Data::text(actual.clone()), expected_data) {
            failures.push(Failure {
                message: format!("{name}:{}: `{shown}` printed something else:\n{e}", step.line),
                fix: Some((step.output.clone(), actual)),
            });
        }
    }
    let commands = steps.iter().filter(|s| !s.argv.is_empty()).count();
    if failures.is_empty() { Ok(commands) } else { Err(failures) }
}

/// The commit ids (12 or 40 hex digits) in `text`, in order.
fn commit_ids(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r"\b([0-9a-f]{40}|[0-9a-f]{12})\b").unwrap();
    re.find_iter(text).map(|m| m.as_str().to_string()).collect()
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a document's headings (outside code blocks), with GitHub's
/// `-1`, `-2` … for repeats.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let ticks = line.len() - line.trim_start_matches('`').len();
        if ticks >= 3 {
            match &fence {
                Some(f) if line.starts_with(f.as_str()) && line.trim() == f => fence = None,
                None => fence = Some(line[..ticks].to_string()),
                _ => {}
            }
            continue;
        }
        if fence.is_some() {
            continue;
        }
        let hashes = line.len() - line.trim_start_matches('#').len();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = slug(&line[hashes..]);
            let mut anchor = base.clone();
            let mut n = 0;
            while seen.contains(&anchor) {
                n += 1;
                anchor = format!("{base}-{n}");
            }
            seen.insert(anchor);
        }
    }
    seen
}

/// Relative links `](target)` of a document that lead nowhere.
fn broken_links(name: &str, text: &str) -> Vec<String> {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let base = root().join(name).parent().unwrap().to_path_buf();
    let mut broken = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for cap in link.captures_iter(line) {
            let target = &cap[1];
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target, None),
            };
            let path = if file.is_empty() { root().join(name) } else { base.join(file) };
            if !path.exists() {
                broken.push(format!("{name}:{}: `{target}`: no such file", n + 1));
                continue;
            }
            if let Some(fragment) = fragment
                && path.extension().is_some_and(|e| e == "md")
                && !anchors(&std::fs::read_to_string(&path).unwrap()).contains(fragment)
            {
                broken.push(format!("{name}:{}: `{target}`: no such heading", n + 1));
            }
        }
    }
    broken
}

/// Writes the actual output over the blocks that differ.
fn overwrite(name: &str, text: &str, failures: &[Failure]) {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fixes: Vec<_> = failures.iter().filter_map(|f| f.fix.clone()).collect();
    fixes.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    for (range, actual) in fixes {
        let new: Vec<String> =
            if actual.is_empty() { vec![] } else { actual.lines().map(String::from).collect() };
        lines.splice(range, new);
    }
    std::fs::write(root().join(name), lines.join("\n") + "\n").unwrap();
}

#[test]
fn docs_examples() {
    let overwriting = std::env::var("GIT_TASKLIST_DOCS").is_ok_and(|v| v == "overwrite");
    let docs = documents();
    let results: Vec<(String, String, Result<usize, Vec<Failure>>)> = std::thread::scope(|s| {
        let handles: Vec<_> = docs
            .iter()
            .map(|name| {
                s.spawn(move || {
                    let text = std::fs::read_to_string(root().join(name)).unwrap();
                    let result = check(name, &text);
                    (name.clone(), text, result)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut report = Vec::new();
    let mut ran = 0;
    for (name, text, result) in &results {
        match result {
            Ok(n) => ran += n,
            Err(failures) => {
                report.extend(failures.iter().map(|f| f.message.clone()));
                if overwriting {
                    overwrite(name, text, failures);
                }
            }
        }
        report.extend(broken_links(name, text));
    }
    assert!(
        report.is_empty(),
        "{}\n\n{} problem(s) in the documentation",
        report.join("\n\n"),
        report.len()
    );
    assert!(ran > 0, "no example was run");
    println!("{ran} documented commands checked in {} files", docs.len());
}

/// The harness itself: a changed output, a wrong exit code and a command that
/// cannot be checked each fail.
#[test]
fn docs_examples_catch_drift() {
    let good = "```console\n$ git tasklist next\n? 2\nError: [..]\n...\n```\n";
    assert_eq!(check("good.md", good).ok(), Some(1));

    let fails = [
        (
            "```console\n$ git tasklist templates\nbugfix  something else\n```\n",
            "printed something else",
        ),
        ("```console\n$ git tasklist next\nError: [..]\n...\n```\n", "exited with 2"),
        ("```console\n$ cat README.md\nA project\n```\n", "`cat` cannot be run"),
        ("```\n$ git tasklist list\n```\n", "without a language"),
        ("```console\n$ export TASKLIST_ID=x\nsomething\n```\n", "prints nothing"),
    ];
    for (doc, why) in fails {
        let failures = check("drift.md", doc).err().unwrap_or_default();
        let first = failures.first().map_or("it passed", |f| f.message.as_str());
        assert!(first.contains(why), "{doc}: {first}");
    }

    // Ids, commits and times are redacted on both sides.
    let ids =
        "```console\n$ git tasklist create Plan\n0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e\n...\n```\n";
    assert_eq!(check("ids.md", ids).ok(), Some(1));
}
