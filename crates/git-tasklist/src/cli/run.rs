//! The command line: global options, one `match` over the commands, and the
//! single place where errors become exit codes.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use git_tasklist_core::Tasklists;
use git_tasklist_core::model::{MAX_SESSION_LEN, session_ok};
use git_tasklist_core::text::{escape, json_safe};
use git_tasklist_core::view::ErrorView;
use git_tasklist_core::workflow::command::Words;

use super::app::App;
use super::color::ColorWhen;
use super::error::{CliError, CliResult, DEBUG_VAR, EXIT_OK, EXIT_USAGE, Kind};
use super::help::{self, GLOBAL_OPTIONS};
use super::{
    add, archive, claude, completions, create, demo, handoff, install, list, log, man, next,
    resume, serve, show, sync, templates, update, verify, watch,
};
use crate::words::Wording;

/// Resumable multi-session task lists, stored as TOML on dedicated git refs.
///
/// Each task list lives on its own ref (refs/tasklists/<id>); every change is one
/// commit there. Your HEAD, index, working tree and branches are never touched.
#[derive(Debug, Parser)]
#[command(
    name = "git-tasklist",
    version,
    bin_name = "git tasklist",
    after_help = "See the whole workflow: git tasklist demo\n\
                  Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 conflict, 5 verification failed"
)]
pub struct Cli {
    /// Repository to use (default: discovered from the current directory)
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS, value_name = "PATH")]
    repo: Option<PathBuf>,
    /// Ref namespace holding the lists [env: GIT_TASKLIST_NAMESPACE] [git config: tasklist.namespace] [default: refs/tasklists]
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS, value_name = "NS")]
    namespace: Option<String>,
    /// Print machine-readable JSON, one object per line (its shapes: docs/json.md in the source)
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    json: bool,
    /// When to colour text output; auto: on a terminal, honouring NO_COLOR, CLICOLOR, CLICOLOR_FORCE and TERM=dumb
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// The task list: full id, unique id prefix (4+ characters) or exact title
    #[arg(
        short = 'l',
        long = "list",
        global = true, help_heading = GLOBAL_OPTIONS,
        env = "TASKLIST_ID",
        hide_env_values = true,
        value_name = "LIST"
    )]
    list: Option<String>,
    /// Session id recorded in commits and as the owner of started tasks
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS, env = "TASKLIST_SESSION", hide_env_values = true, value_name = "S")]
    session: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Create(create::CreateArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Add(add::AddArgs),
    Update(update::UpdateArgs),
    Start(update::StartArgs),
    Done(update::DoneArgs),
    Block(update::BlockArgs),
    Next(next::NextArgs),
    Log(log::LogArgs),
    Resume(resume::ResumeArgs),
    Verify(verify::VerifyArgs),
    Handoff(handoff::HandoffArgs),
    Sync(sync::SyncArgs),
    Init(sync::InitArgs),
    Archive(archive::ArchiveArgs),
    Unarchive(archive::UnarchiveArgs),
    Templates(templates::TemplatesArgs),
    Import(claude::ImportArgs),
    Export(claude::ExportArgs),
    Demo(demo::DemoArgs),
    Completions(completions::CompletionsArgs),
    Install(install::InstallArgs),
    Mcp(McpArgs),
    Hook(HookArgs),
    Man(man::ManArgs),
    Serve(serve::ServeArgs),
    Watch(watch::WatchArgs),
}

/// Serve the task lists to an AI agent over MCP (stdio): TaskListCreate, TaskListGet, TaskUpdate, …
#[derive(Debug, clap::Args)]
struct McpArgs {}

/// Claude Code hook: reads the hook's JSON on stdin, prints context for the agent; always exits 0
#[derive(Debug, clap::Args)]
struct HookArgs {
    /// session-start, stop, pre-compact, session-end, task-created or task-completed
    event: String,
}

/// Runs a hook: whatever goes wrong, it says less and exits 0.
fn run_hook(cli: Cli, event: &str) -> ExitCode {
    let input = crate::hook::read_input(io::stdin(), crate::hook::INPUT_WAIT);
    let parsed = serde_json::from_str::<serde_json::Value>(&input).ok();
    let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k)?.as_str().map(String::from));
    let repo = cli.repo.clone().or(field("cwd").map(PathBuf::from));
    // The session: --session / TASKLIST_SESSION, else Claude Code's
    // (CLAUDE_CODE_SESSION_ID, else the hook's session_id), as the MCP
    // server chooses it, so that what a hook records is that session's.
    let session = crate::agents::session(cli.session.as_deref(), field("session_id").as_deref());
    let tl = open(repo.as_deref(), cli.namespace.as_deref(), Wording::CommandLine)
        .ok()
        .and_then(|tl| tl.with_session(session.as_deref()).ok());
    let env_file = std::env::var_os("CLAUDE_ENV_FILE").filter(|f| !f.is_empty()).map(PathBuf::from);
    let reminder = std::env::var(crate::hook::REMINDER_VAR).ok();
    let setting = crate::hook::Setting {
        list: cli.list.as_deref().filter(|l| !l.is_empty()),
        reminder: crate::hook::Reminder::named(reminder.as_deref()),
        env_file: env_file.as_deref(),
    };
    let input = parsed.unwrap_or(serde_json::Value::Null);
    if let Some(text) = crate::hook::respond(event, &input, &setting, tl.as_ref()) {
        let _ = writeln!(io::stdout().lock(), "{text}");
    }
    if let Some(tl) = &tl {
        debug_index(tl);
    }
    ExitCode::from(EXIT_OK)
}

/// Refuses an invalid session id, naming where it came from.
fn check_session(s: &str, from: &str) -> CliResult<()> {
    if !session_ok(s) {
        return Err(CliError::new(
            Kind::Error,
            format!(
                "Session id '{}' from {from} is not valid; use 1 to {MAX_SESSION_LEN} visible characters without spaces",
                escape(s)
            ),
        )
        .hint(format!("fix {from}, or leave it out to write without a session")));
    }
    Ok(())
}

impl Command {
    /// Commands that commit: they record the session, so it must be valid.
    /// The others only read it to tell "yours" from "another session's", and
    /// ignore one that is not valid.
    fn writes(&self) -> bool {
        matches!(
            self,
            Command::Create(_)
                | Command::Add(_)
                | Command::Update(_)
                | Command::Start(_)
                | Command::Done(_)
                | Command::Block(_)
                | Command::Handoff(_)
                | Command::Archive(_)
                | Command::Sync(_)
                | Command::Mcp(_)
                | Command::Unarchive(_)
                | Command::Import(_)
        )
    }
}

/// Whether the command line asks for JSON: `--json` before any `--`. Only
/// used when clap rejects the line, to report that in the same form.
fn json_requested(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    args.skip(1).take_while(|a| a != "--").any(|a| a == "--json")
}

/// A clap error as our own usage error: clap's first paragraph as the message,
/// its tips (or the usage line) as the hint.
fn usage_error(e: &clap::Error) -> CliError {
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let mut blocks = text.split("\n\n").map(str::trim).filter(|b| !b.is_empty());
    let first = blocks.next().unwrap_or("invalid command line");
    let mut message = first.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    if let Some(c) = message.get(..1) {
        message = format!("{}{}", c.to_uppercase(), &message[1..]);
    }
    let mut tips = Vec::new();
    let mut usage = None;
    for block in blocks {
        for line in block.lines().map(str::trim) {
            if let Some(tip) = line.strip_prefix("tip: ") {
                tips.push(tip.to_string());
            } else if let Some(u) = line.strip_prefix("Usage: ") {
                usage = Some(format!("usage: {u}"));
            }
        }
    }
    let hint = if tips.is_empty() {
        usage.unwrap_or_else(|| "`git tasklist -h` shows the usage".to_string())
    } else {
        tips.join("; ")
    };
    CliError::new(Kind::Usage, message).hint(hint)
}

/// The whole command line's clap command, with the grouped help.
fn command() -> clap::Command {
    help::grouped(Cli::command())
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    // The shell's completion function runs us to ask for candidates.
    completions::answer_if_asked(command);
    let clap_color = ColorWhen::requested(std::env::args_os()).clap();
    // The grouped help's template is built only when help is shown: writing
    // it needs a built copy of the whole command tree, which cost every
    // command about 40% of its start (callgrind, `show`: 3.1 M instructions
    // with it, 1.8 M without).
    let mut cmd = Cli::command().color(clap_color);
    let parsed = cmd
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    // The command tree is not needed again and the process is short-lived:
    // its memory goes back with the process instead of being freed piece by
    // piece (another eighth of a short command's instructions).
    std::mem::forget(cmd);
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            use clap::error::ErrorKind::{
                DisplayHelp, DisplayHelpOnMissingArgumentOrSubcommand, DisplayVersion,
            };
            // Help is shown: the same parse with the grouped template gives
            // the same help for a subcommand and the grouped one at the top.
            let shows_help =
                matches!(e.kind(), DisplayHelp | DisplayHelpOnMissingArgumentOrSubcommand);
            let e = if shows_help {
                command().color(clap_color).try_get_matches().err().unwrap_or(e)
            } else {
                e
            };
            if matches!(e.kind(), DisplayHelp | DisplayVersion) {
                let _ = e.print();
                return ExitCode::from(EXIT_OK);
            }
            if json_requested(std::env::args_os()) {
                report(&usage_error(&e), true);
            } else {
                let _ = e.print();
            }
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let list_flag = matches.value_source("list") == Some(ValueSource::CommandLine);
    let session_from = match matches.value_source("session") {
        Some(ValueSource::EnvVariable) => "TASKLIST_SESSION",
        _ => "--session",
    };
    let json = cli.json;
    let color = cli.color.stdout();
    // A command that writes dies by SIGINT, SIGTERM or SIGHUP only between
    // writes (see `interrupt`); read-only commands keep the default.
    if cli.command.writes() || matches!(cli.command, Command::Hook(_)) {
        let _ = crate::signals::install();
    }
    if let Command::Hook(h) = &cli.command {
        let event = h.event.clone();
        return run_hook(cli, &event);
    }
    if let Command::Mcp(_) = cli.command {
        // The server owns stdout (its JSON-RPC stream): it must not be locked here.
        return match run_mcp(cli, session_from) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(e) => {
                report(&e, json);
                ExitCode::from(e.kind.code())
            }
        };
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut committed = None;
    let result = run(cli, session_from, list_flag, color, &mut out, &mut committed)
        .and_then(|()| out.flush().map_err(CliError::from));
    // Printing failed after a change was committed: say so, with the commit,
    // so that a caller does not make the change again.
    let result = result.map_err(|e| match (&committed, e.code) {
        (Some((commit, show)), "output_failed") if !e.broken_pipe => CliError::new(
            Kind::Error,
            format!(
                "The change was committed ({commit}), but output failed: {}",
                e.cause.as_deref().unwrap_or_default()
            ),
        )
        .hint(format!("do not repeat the command; `{show}` shows the list as it is now")),
        _ => e,
    });
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) if e.broken_pipe => ExitCode::from(EXIT_OK),
        Err(e) => {
            let _ = out.flush();
            report(&e, json);
            ExitCode::from(e.kind.code())
        }
    }
}

/// Runs `mcp`: the server on stdin/stdout until the client goes away.
fn run_mcp(cli: Cli, session_from: &str) -> CliResult {
    if cli.json {
        return Err(CliError::new(Kind::Usage, "The MCP server has no --json output")
            .hint("run `git tasklist mcp` without --json; its results are JSON already"));
    }
    if let Some(s) = cli.session.as_deref().filter(|s| !s.is_empty()) {
        check_session(s, session_from)?;
    }
    // The server's session tags its commits and owns what it starts: the
    // one given, else Claude Code's; else the server makes one from its
    // client's name on the first request.
    let session = crate::agents::session(cli.session.as_deref().filter(|s| !s.is_empty()), None);
    let given = session.is_some();
    let tl = open(cli.repo.as_deref(), cli.namespace.as_deref(), Wording::ToolParams)?
        .with_session(session.as_deref())?;
    crate::mcp::serve(tl, given).map_err(|e| CliError::new(Kind::Error, e))
}

/// The repository's lists as this program uses them: commands and choices
/// in `words`, and git's housekeeping started when due, as git commands do.
fn open(
    repo: Option<&std::path::Path>,
    namespace: Option<&str>,
    words: impl Words + 'static,
) -> Result<Tasklists, git_tasklist_core::Error> {
    Ok(Tasklists::open(repo, namespace)?
        .with_words(std::sync::Arc::new(words))
        .with_housekeeping(true))
}

fn report(e: &CliError, json: bool) {
    let mut err = io::stderr().lock();
    if let Some(chain) = &e.debug {
        let _ = writeln!(err, "debug: {chain}");
    }
    if json {
        let v = ErrorView {
            error: e.message.clone(),
            hint: e.shown_hint(),
            exit_code: e.kind.code(),
            code: e.code.to_string(),
        };
        if let Ok(text) = serde_json::to_string(&v) {
            let _ = writeln!(err, "{}", json_safe(&text));
        }
    } else {
        let _ = writeln!(err, "Error: {}", e.message);
        if let Some(h) = &e.shown_hint() {
            let _ = writeln!(err, "Hint: {h}");
        }
    }
}

fn run(
    cli: Cli,
    session_from: &str,
    list_flag: bool,
    color: bool,
    out: &mut dyn Write,
    committed: &mut Option<(String, String)>,
) -> CliResult {
    if cli.session.as_deref() == Some("") && session_from == "--session" {
        return Err(CliError::new(Kind::Usage, "Session id is empty")
            .hint("give --session a value, or leave it out to write without a session"));
    }
    let mut session = cli.session.filter(|s| !s.is_empty());
    if let Some(s) = session.as_deref() {
        if cli.command.writes() {
            check_session(s, session_from)?;
        } else if !session_ok(s) {
            session = None;
        }
    }
    // Run by Claude Code (its Bash tool, a hook): its session, as the MCP
    // server and the hooks take it.
    let session = session.or_else(|| crate::agents::session(None, None));
    if let Command::Demo(a) = cli.command {
        if cli.json {
            return Err(CliError::new(Kind::Usage, "Demo has no JSON output")
                .hint("run `git tasklist demo` without --json"));
        }
        return demo::run(a, color, out);
    }
    // Like demo, these need no repository: they describe the program itself.
    match cli.command {
        Command::Completions(_) if cli.json => {
            return Err(CliError::new(Kind::Usage, "Completions have no JSON output")
                .hint("run `git tasklist completions SHELL` without --json"));
        }
        Command::Completions(a) => return completions::run(a, out),
        Command::Man(_) if cli.json => {
            return Err(CliError::new(Kind::Usage, "The man page has no JSON output")
                .hint("run `git tasklist man` without --json"));
        }
        Command::Man(a) => return man::run(a, command(), out),
        // Writes agents' configuration, not lists: only the work tree is needed.
        Command::Install(_) if cli.namespace.is_some() => {
            return Err(CliError::new(Kind::Usage, "Install records no namespace")
                .hint("set `git config tasklist.namespace NS` in the repository instead: every command, hook and the MCP server read it"));
        }
        Command::Install(a) => return install::run(a, cli.repo.as_deref(), cli.json, out),
        _ => {}
    }
    let tl = open(cli.repo.as_deref(), cli.namespace.as_deref(), Wording::CommandLine)?
        .with_session(session.as_deref())?;
    if let Command::Serve(a) = cli.command {
        // The server owns the library handle, shared by its tasks.
        return serve::run(tl, cli.json, out, a);
    }
    let namespace = tl.namespace().to_string();
    let list = cli.list.filter(|l| !l.is_empty());
    let mut app = App { tl, json: cli.json, color, list, list_flag, out, committed };
    // The library's hints name commands (`git tasklist list`): worded here,
    // they reach the same lists.
    let done = dispatch(&mut app, cli.command).map_err(|e| e.worded(&namespace));
    debug_index(&app.tl);
    done
}

/// With [`DEBUG_VAR`] set, what the summary index did, on stderr (one
/// line, when it was used): lists read from git, served from the index,
/// full checks of the refs.
fn debug_index(tl: &Tasklists) {
    let s = tl.index_stats();
    if std::env::var_os(DEBUG_VAR).is_some() && s != Default::default() {
        eprintln!(
            "debug: summary index: {} list(s) read from git, {} served from the index, {} full check(s)",
            s.read, s.served, s.full_checks
        );
    }
}

fn dispatch(app: &mut App, command: Command) -> CliResult {
    match command {
        Command::Create(a) => create::run(app, a),
        Command::List(a) => list::run(app, a),
        Command::Show(a) => show::run(app, a),
        Command::Add(a) => add::run(app, a),
        Command::Update(a) => update::run_update(app, a),
        Command::Start(a) => update::run_start(app, a),
        Command::Done(a) => update::run_done(app, a),
        Command::Block(a) => update::run_block(app, a),
        Command::Next(a) => next::run(app, a),
        Command::Log(a) => log::run(app, a),
        Command::Resume(a) => resume::run(app, a),
        Command::Verify(a) => verify::run(app, a),
        Command::Handoff(a) => handoff::run(app, a),
        Command::Sync(a) => sync::run(app, a),
        Command::Init(a) => sync::run_init(app, a),
        Command::Archive(a) => archive::run(app, a.list.which.as_deref(), true),
        Command::Unarchive(a) => archive::run(app, a.list.which.as_deref(), false),
        Command::Templates(a) => templates::run(app, a),
        Command::Import(a) => claude::run_import(app, a),
        Command::Export(a) => claude::run_export(app, a),
        Command::Watch(a) => watch::run(app, a),
        Command::Demo(_)
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Install(_)
        | Command::Mcp(_)
        | Command::Serve(_)
        | Command::Hook(_) => Ok(()),
    }
}
