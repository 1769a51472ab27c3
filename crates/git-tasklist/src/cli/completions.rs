//! `completions`: the shell completion script for `git-tasklist`, and the
//! completion mode it calls.
//!
//! The script is clap_complete's dynamic registration: on TAB the shell runs
//! `COMPLETE=SHELL git-tasklist -- WORDS…`, and the binary answers from the
//! clap definition (commands, options, values: they never drift) and, for a
//! LIST or a TASK, from the repository through the library: list ids and
//! titles, task ids. Completion mode only reads; it never writes.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::Args;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::Shells;
use clap_complete::{CompleteEnv, Shell};
use git_tasklist_core::Tasklists;

use super::error::{CliError, CliResult, Kind};

/// Print the shell completion script for SHELL to stdout
///
/// The script asks git-tasklist itself on each TAB, so it completes commands, options, list
/// ids and titles (LIST, -l, --from) and task ids (of the list -l or TASKLIST_ID names).
///
/// bash: `git tasklist completions bash > ~/.local/share/bash-completion/completions/git-tasklist`
/// with the bash-completion package, or source the script from ~/.bashrc after git's own
/// completion. It completes `git-tasklist …` and, through git's completion, `git tasklist …`.
///
/// zsh: `git tasklist completions zsh > ~/.zfunc/_git-tasklist`, with `fpath+=~/.zfunc` before
/// `compinit` in ~/.zshrc.
///
/// fish: `git tasklist completions fish > ~/.config/fish/completions/git-tasklist.fish`.
///
/// elvish, powershell: source the output from the shell's startup file.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for
    #[arg(value_enum)]
    shell: Shell,
}

/// The name completions are generated for: the binary git runs for `git tasklist`.
const BIN_NAME: &str = "git-tasklist";

/// Defines `_git_tasklist`, the function git's bash completion
/// (contrib/completion/git-completion.bash) calls for `git tasklist …`. It
/// hands the words from `tasklist` up to the cursor on to clap's completer
/// `_clap_complete_git_tasklist` as if `git-tasklist …` had been typed. git's completion
/// has split the line into `words`/`cword`/`cur` and set `__git_cmd_idx` to
/// the index of `tasklist` (git 2.32 and later; older ones are searched). It
/// keeps `--color=al` as one word where bash splits at `=`: the option goes
/// before the cursor so the value completes. It registers `git` with
/// `-o nospace`; clap's function turns the space after a completed word back
/// on itself.
const GIT_BASH_SHIM: &str = r#"
# `git tasklist <TAB>`: git's bash completion calls _git_tasklist.
_git_tasklist() {
    local i start="${__git_cmd_idx-}" word="${cur-}"
    if [[ -z "$start" ]]; then
        for ((i = 1; i < cword; i++)); do
            if [[ "${words[i]}" == tasklist ]]; then
                start=$i
                break
            fi
        done
    fi
    [[ -n "$start" ]] || return 0
    local COMP_WORDS=(git-tasklist "${words[@]:start+1:cword-start-1}")
    if [[ "$word" == --*=* ]]; then
        COMP_WORDS+=("${word%%=*}")
        word="${word#*=}"
    fi
    COMP_WORDS+=("$word")
    local COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _clap_complete_git_tasklist git-tasklist "$word" "${COMP_WORDS[COMP_CWORD-1]}"
}
"#;

/// Makes the zsh script work as an autoloaded `_git-tasklist` from `fpath`
/// (which zsh's git completion also calls for `git tasklist`): the first call
/// defines the function and must complete too.
const ZSH_AUTOLOAD: &str = r#"
if [[ ${funcstack[1]-} == _git-tasklist ]]; then
    _clap_dynamic_completer_git_tasklist "$@"
fi
"#;

/// The variable that puts the binary in completion mode (clap_complete's).
const COMPLETE_VAR: &str = "COMPLETE";

/// The shell completion mode answers for, once known.
static SHELL: OnceLock<String> = OnceLock::new();

/// Writes the completion script for `a.shell` to `out`.
pub fn run(a: CompletionsArgs, out: &mut dyn Write) -> CliResult {
    let name = a.shell.to_string();
    let shells = Shells::builtins();
    let Some(shell) = shells.completer(&name) else {
        return Err(CliError::new(Kind::Usage, format!("No completion script for {name}")));
    };
    let mut script = Vec::new();
    shell.write_registration(COMPLETE_VAR, BIN_NAME, BIN_NAME, BIN_NAME, &mut script)?;
    out.write_all(&script)?;
    match a.shell {
        Shell::Bash => out.write_all(GIT_BASH_SHIM.as_bytes())?,
        Shell::Zsh => out.write_all(ZSH_AUTOLOAD.as_bytes())?,
        _ => {}
    }
    Ok(())
}

/// Completion mode: when the shell's completion function runs the binary
/// (`COMPLETE=SHELL git-tasklist -- WORDS…`), prints the candidates for the
/// last word and exits; otherwise returns at once.
/// (`factory` gives the whole command line's clap command.)
pub fn answer_if_asked(factory: fn() -> clap::Command) {
    let shell = std::env::var(COMPLETE_VAR).unwrap_or_default();
    if shell.is_empty() || shell == "0" {
        return;
    }
    let _ = SHELL.set(shell);
    CompleteEnv::with_factory(move || with_completers(factory()))
        .var(COMPLETE_VAR)
        .bin(BIN_NAME)
        .completer(BIN_NAME)
        .complete();
}

/// `cmd` with completers for the values that name a list or a task.
fn with_completers(cmd: clap::Command) -> clap::Command {
    let lists = || ArgValueCompleter::new(|cur: &OsStr| lists(&cur.to_string_lossy()));
    let tasks = || ArgValueCompleter::new(|cur: &OsStr| tasks(&cur.to_string_lossy()));
    let cmd = cmd.mut_arg("list", |a| a.add(lists()));
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    names.iter().fold(cmd, |cmd, name| {
        cmd.mut_subcommand(name, |mut sub| {
            let ids: Vec<String> = sub.get_arguments().map(|a| a.get_id().to_string()).collect();
            for id in ids {
                sub = match (name.as_str(), id.as_str()) {
                    (_, "which") | ("create", "from") => sub.mut_arg(id, |a| a.add(lists())),
                    // `add TASK` names a new task: nothing to complete.
                    ("add", "task") => sub,
                    (_, "task" | "after" | "depends_on") => sub.mut_arg(id, |a| a.add(tasks())),
                    _ => sub,
                };
            }
            sub
        })
    })
}

/// The words of the command line being completed (after `--`).
fn words() -> Vec<String> {
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    match args.iter().position(|a| a == "--") {
        Some(i) => args[i + 1..].to_vec(),
        None => Vec::new(),
    }
}

/// The last value given to `long` (or `short`) among `words`, the word
/// being completed left out.
fn option(words: &[String], short: Option<&str>, long: &str) -> Option<String> {
    let before = &words[..words.len().saturating_sub(1)];
    let mut found = None;
    let mut it = before.iter();
    while let Some(w) = it.next() {
        if w == "--" {
            break;
        } else if let Some(v) = w.strip_prefix(long).and_then(|v| v.strip_prefix('=')) {
            found = Some(v.to_string());
        } else if w == long || short.is_some_and(|s| w == s) {
            found = it.next().cloned();
        } else if let Some(v) =
            short.and_then(|s| w.strip_prefix(s)).filter(|_| !w.starts_with("--"))
        {
            found = Some(v.to_string());
        }
    }
    found.filter(|v| !v.is_empty())
}

/// The repository's lists as the command line being completed names them
/// (`--repo`, `--namespace`); `None` when it cannot be opened.
fn open(words: &[String]) -> Option<Tasklists> {
    let repo = option(words, None, "--repo").map(PathBuf::from);
    let namespace = option(words, None, "--namespace");
    Tasklists::open(repo.as_deref(), namespace.as_deref()).ok()
}

/// A value as the shell inserts it: bash inserts candidates as they are, so
/// a title's spaces and quotes are escaped there; other shells quote themselves.
fn quoted(value: &str) -> String {
    if SHELL.get().map(String::as_str) != Some("bash") {
        return value.to_string();
    }
    let mut out = String::new();
    for c in value.chars() {
        if !(c.is_alphanumeric() || "-_./,:@%+=".contains(c)) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// List ids (each with its title as help) starting with `cur`, and the
/// titles starting with it once something is typed.
fn lists(cur: &str) -> Vec<CompletionCandidate> {
    let words = words();
    let Some(tl) = open(&words) else { return Vec::new() };
    let Ok(entries) = tl.list() else { return Vec::new() };
    let lower = cur.to_lowercase();
    let mut ids = Vec::new();
    let mut titles = Vec::new();
    for e in &entries {
        let Ok(snap) = &e.result else { continue };
        let title = &snap.summary.title;
        if e.id.starts_with(&lower) {
            ids.push(CompletionCandidate::new(&e.id).help(Some(title.clone().into())));
        }
        if !cur.is_empty() && title.to_lowercase().starts_with(&lower) {
            let help = format!("list {}", e.id);
            titles.push(CompletionCandidate::new(quoted(title)).help(Some(help.into())));
        }
    }
    ids.extend(titles);
    ids
}

/// Task ids starting with `cur` of the list `-l` (or `TASKLIST_ID`) names,
/// each with its status and title as help.
fn tasks(cur: &str) -> Vec<CompletionCandidate> {
    let words = words();
    let list = option(&words, Some("-l"), "--list")
        .or_else(|| std::env::var("TASKLIST_ID").ok().filter(|l| !l.is_empty()));
    let Some(list) = list else { return Vec::new() };
    let Some(tl) = open(&words) else { return Vec::new() };
    let Ok(snap) = tl.show(&list) else { return Vec::new() };
    snap.list
        .tasks
        .iter()
        .filter(|t| t.id.as_str().starts_with(cur))
        .map(|t| {
            let help = format!("{}  {}", t.status, t.title);
            CompletionCandidate::new(t.id.as_str()).help(Some(help.into()))
        })
        .collect()
}
