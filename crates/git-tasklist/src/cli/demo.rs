//! `demo`: the two-session migration played in a throwaway repository, each
//! command printed before its output.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use clap::Args;

use super::error::{CliError, CliResult, Kind};
use super::render;

/// Play the whole two-session workflow in a throwaway repository
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo repository and print its path
    #[arg(long)]
    keep: bool,
}

/// Variables that would point the demo's commands somewhere else.
const DEMO_UNSET: [&str; 8] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_TASKLIST_NAMESPACE",
    "TASKLIST_ID",
    "TASKLIST_SESSION",
    "GIT_CEILING_DIRECTORIES",
];

struct Player<'a> {
    out: &'a mut dyn Write,
    color: bool,
    dir: &'a Path,
    env: Vec<(&'static str, String)>,
}

impl Player<'_> {
    fn say(&mut self, text: &str) -> CliResult {
        writeln!(self.out)?;
        writeln!(
            self.out,
            "{}",
            render::paint(self.color, render::Style::Cyan, &format!("# {text}"))
        )?;
        Ok(())
    }

    fn export(&mut self, key: &'static str, value: &str) -> CliResult {
        writeln!(
            self.out,
            "{}",
            render::paint(self.color, render::Style::Bold, &format!("$ export {key}={value}"))
        )?;
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.to_string()));
        Ok(())
    }

    /// Prints `$ PROGRAM ARGS` (quoted for a shell) and returns the quoted arguments.
    fn announce(&mut self, program: &str, args: &[&str]) -> CliResult<String> {
        let shown = args
            .iter()
            .map(|a| git_tasklist_core::text::shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        let line = format!("$ {program} {shown}");
        writeln!(self.out, "{}", render::paint(self.color, render::Style::Bold, &line))?;
        Ok(shown)
    }

    /// Runs `git tasklist ARGS` (this binary) and prints the command and its output.
    fn tl(&mut self, args: &[&str], expect_ok: bool) -> CliResult<String> {
        let shown = self.announce("git tasklist", args)?;
        let exe = std::env::current_exe()
            .map_err(|e| CliError::new(Kind::Error, format!("Cannot find this program: {e}")))?;
        let mut cmd = Command::new(exe);
        cmd.args(args).current_dir(self.dir).env("NO_COLOR", "1");
        self.run(cmd, &shown, expect_ok)
    }

    fn git(&mut self, args: &[&str]) -> CliResult<String> {
        let shown = self.announce("git", args)?;
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(self.dir);
        self.run(cmd, &shown, true)
    }

    fn run(&mut self, mut cmd: Command, shown: &str, expect_ok: bool) -> CliResult<String> {
        // The demo's repository is its own: the caller's repository, namespace,
        // list and session (a git hook's GIT_DIR, say) must not leak into it.
        for k in DEMO_UNSET {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let output = cmd.output().map_err(|e| {
            CliError::new(Kind::Error, format!("Demo step '{shown}' could not start: {e}"))
        })?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        self.out.write_all(stdout.as_bytes())?;
        self.out.write_all(&output.stderr)?;
        if output.status.success() != expect_ok {
            return Err(CliError::new(
                Kind::Error,
                format!("Demo step '{shown}' exited with {}", output.status),
            ));
        }
        Ok(stdout)
    }
}

/// Runs `demo`.
pub fn run(args: DemoArgs, color: bool, out: &mut dyn Write) -> CliResult {
    let tmp = tempfile::Builder::new().prefix("git-tasklist-demo-").tempdir().map_err(|e| {
        CliError::new(Kind::Error, format!("Cannot create a temporary directory: {e}"))
    })?;
    let dir = tmp.path().to_path_buf();
    let mut p = Player { out, color, dir: &dir, env: Vec::new() };
    writeln!(p.out, "A throwaway repository: {}", dir.display())?;
    p.git(&["init", "-q"])?;

    p.say("Session 1: plan the migration from the built-in template and start working")?;
    p.export("TASKLIST_SESSION", "session-1")?;
    let created = p.tl(&["create", "--template", "migration", "Database migration"], true)?;
    let id = created.lines().next().unwrap_or_default().trim().to_string();
    p.export("TASKLIST_ID", &id)?;
    p.tl(&["start", "database-migration"], true)?;
    p.tl(
        &["done", "database-migration", "--note", "Schema v2 applied: 14 tables, 3 new indexes"],
        true,
    )?;
    p.tl(&["start", "application-migration"], true)?;
    p.say("Session 1 stops halfway through phase 2 and leaves a note")?;
    p.tl(
        &[
            "handoff",
            "--note",
            "Models moved to schema v2; queries in src/db/ still use the old column names",
        ],
        true,
    )?;

    p.say("Session 2: a new process that knows only the list id")?;
    p.export("TASKLIST_SESSION", "session-2")?;
    p.tl(&["resume"], true)?;
    p.say("Prove nothing was lost since session 1")?;
    p.tl(&["verify", "--expect", "database-migration=completed"], true)?;
    p.say("Phase 2 is still held by session 1: take it over, finish, continue")?;
    p.tl(&["start", "application-migration"], false)?;
    p.tl(&["start", "application-migration", "--take-over"], true)?;
    p.tl(&["done", "application-migration"], true)?;
    p.tl(&["start", "data-validation"], true)?;
    p.tl(&["done", "data-validation", "--note", "Row counts and checksums match"], true)?;
    p.tl(&["verify"], true)?;

    p.say("Every change is a commit on the list's own ref; HEAD and the working tree were never touched")?;
    p.git(&["log", "--format=%h %s", &format!("refs/tasklists/{id}")])?;
    p.git(&["status", "--short", "--branch"])?;

    if args.keep {
        let kept = tmp.keep();
        writeln!(p.out)?;
        writeln!(p.out, "Kept the demo repository: {}", kept.display())?;
    }
    Ok(())
}
