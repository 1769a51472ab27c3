//! `install`: Claude Code's hooks, MCP server and skill; Codex's MCP server;
//! an `AGENTS.md` section. The planning and writing are `crate::install`'s.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::error::{CliError, CliResult, Kind};
use crate::install::{self, Action, Claude, Codex, InstallError, Planned};
use git_tasklist_core::Tasklists;
use git_tasklist_core::text::escape;
use git_tasklist_core::view::{InstallView, InstalledFileView};

/// Install into an agent: Claude Code (hooks, MCP server, skill, or a plugin), Codex, AGENTS.md
#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(subcommand)]
    agent: Agent,
}

#[derive(Debug, Subcommand)]
enum Agent {
    Claude(ClaudeArgs),
    Codex(CodexArgs),
    AgentsMd(AgentsMdArgs),
}

/// Claude Code: hooks in .claude/settings.json, the MCP server in .mcp.json, the skill in .claude/skills/ (idempotent; other settings kept)
#[derive(Debug, Args)]
struct ClaudeArgs {
    /// Install for the user: ~/.claude/settings.json, ~/.claude.json (only its mcpServers.tasklist), ~/.claude/skills/
    #[arg(long, conflicts_with = "plugin")]
    user: bool,
    /// Write nothing; print what would change as a unified diff per file
    #[arg(long)]
    dry_run: bool,
    /// Write a Claude Code plugin into DIR instead: .claude-plugin/plugin.json, hooks/hooks.json, .mcp.json, skills/
    #[arg(long, value_name = "DIR")]
    plugin: Option<PathBuf>,
}

/// Codex: the MCP server as [mcp_servers.tasklist] in .codex/config.toml (the rest of the file kept byte for byte)
#[derive(Debug, Args)]
struct CodexArgs {
    /// Install for the user: ~/.codex/config.toml
    #[arg(long)]
    user: bool,
    /// Write nothing; print what would change as a unified diff
    #[arg(long)]
    dry_run: bool,
}

/// Print an AGENTS.md section telling an agent how to use git-tasklist (writes nothing)
#[derive(Debug, Args)]
struct AgentsMdArgs {}

/// Runs `install`; `repo` is `--repo`, for the project's work tree.
pub fn run(args: InstallArgs, repo: Option<&Path>, json: bool, out: &mut dyn Write) -> CliResult {
    let program = install::program().map_err(error)?;
    let (agent, scope, dry_run, plans) = match args.agent {
        Agent::AgentsMd(_) => {
            if json {
                return Err(CliError::new(Kind::Usage, "The AGENTS.md section has no JSON output")
                    .hint("run `git tasklist install agents-md` without --json"));
            }
            out.write_all(install::agents_md(&program).map_err(error)?.as_bytes())?;
            return Ok(());
        }
        Agent::Claude(a) => {
            let (scope, dest) = match (a.plugin, a.user) {
                (Some(dir), _) => ("plugin", Claude::Plugin(absolute(&dir)?)),
                (None, true) => ("user", Claude::User(install::home().map_err(error)?)),
                (None, false) => ("project", Claude::Project(work_tree(repo)?)),
            };
            ("claude", scope, a.dry_run, install::plan_claude(&dest, &program).map_err(error)?)
        }
        Agent::Codex(a) => {
            let (scope, dest) = if a.user {
                ("user", Codex::User(install::home().map_err(error)?))
            } else {
                ("project", Codex::Project(work_tree(repo)?))
            };
            ("codex", scope, a.dry_run, install::plan_codex(&dest, &program).map_err(error)?)
        }
    };
    if !dry_run {
        install::write(&plans).map_err(error)?;
    }
    if json {
        let view = InstallView {
            agent: agent.to_string(),
            scope: scope.to_string(),
            program: program.clone(),
            dry_run,
            files: plans
                .iter()
                .map(|p| InstalledFileView {
                    path: p.path.display().to_string(),
                    action: p.action(),
                    diff: dry_run.then(|| p.diff()),
                })
                .collect(),
        };
        let text = serde_json::to_string(&view)
            .map_err(|e| CliError::new(Kind::Error, format!("Output failed: {e}")))?;
        writeln!(out, "{}", git_tasklist_core::text::json_safe(&text))?;
        return Ok(());
    }
    print_text(out, &plans, dry_run)
}

fn print_text(out: &mut dyn Write, plans: &[Planned], dry_run: bool) -> CliResult {
    for p in plans {
        let path = escape(&p.path.display().to_string());
        let word = match (p.action(), dry_run) {
            (Action::Unchanged, _) => "unchanged",
            (Action::Created, true) => "would create",
            (Action::Updated, true) => "would update",
            (action, _) => action.as_str(),
        };
        writeln!(out, "{word} {path}")?;
        if dry_run {
            // The diff shows the files' own text: only control characters a
            // terminal would obey are escaped, line by line.
            for line in p.diff().lines() {
                writeln!(out, "{}", escape(line))?;
            }
        }
    }
    if dry_run {
        writeln!(out, "Dry run: nothing was written")?;
    }
    Ok(())
}

/// The top of the repository's work tree (of this worktree).
fn work_tree(repo: Option<&Path>) -> CliResult<PathBuf> {
    let tl = Tasklists::open(repo, None).map_err(|e| {
        CliError::from(e)
            .hint("run inside a git repository, pass --repo PATH, or install with --user")
    })?;
    let dir = tl.workdir().ok_or_else(|| {
        CliError::new(
            Kind::Error,
            format!(
                "Repository {} has no work tree to install into",
                escape(&tl.git_dirs()[0].display().to_string())
            ),
        )
        .hint("install with --user (or --plugin DIR for Claude Code)")
    })?;
    absolute(dir)
}

fn absolute(dir: &Path) -> CliResult<PathBuf> {
    std::path::absolute(dir).map_err(|e| {
        CliError::new(
            Kind::Error,
            format!("Cannot use {}: {e}", escape(&dir.display().to_string())),
        )
    })
}

/// An install error as the user sees it.
fn error(e: InstallError) -> CliError {
    let (code, hint) = match &e {
        InstallError::NotJson { .. }
        | InstallError::NotToml { .. }
        | InstallError::Shape { .. } => {
            ("invalid_config", Some("fix the file or move it away, then run the command again"))
        }
        InstallError::Changed { .. } => ("conflict", None),
        InstallError::Outside { .. } => (
            "install_failed",
            Some("replace the symlink with a real file or directory, or point it inside"),
        ),
        InstallError::NoHome => ("install_failed", Some("set HOME, or install into a project")),
        _ => ("install_failed", None),
    };
    let mut err =
        CliError::new(if code == "conflict" { Kind::Conflict } else { Kind::Error }, e.to_string());
    err.code = code;
    match hint {
        Some(h) => err.hint(h),
        None => err,
    }
}
