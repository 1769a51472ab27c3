//! `demo`: the two-session migration played in a throwaway repository — a
//! handoff, a resume, a reset `verify` catches and the way back — each
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

/// The subject of the commit the demo writes behind the tool's back.
const RESET_SUBJECT: &str = "Reset by a script";

impl Player<'_> {
    /// Runs `git ARGS` in the demo repository without printing it; `input`
    /// goes to its stdin. Returns its stdout, trimmed.
    fn quiet_git(&mut self, args: &[&str], input: Option<&str>) -> CliResult<String> {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(self.dir);
        for k in DEMO_UNSET {
            cmd.env_remove(k);
        }
        // The script has an identity of its own, so it runs where git has none.
        for (k, v) in [
            ("GIT_AUTHOR_NAME", "A script"),
            ("GIT_AUTHOR_EMAIL", "script@example.com"),
            ("GIT_COMMITTER_NAME", "A script"),
            ("GIT_COMMITTER_EMAIL", "script@example.com"),
        ] {
            cmd.env(k, v);
        }
        cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        let fail = |e: String| {
            CliError::new(Kind::Error, format!("Demo step 'git {}' failed: {e}", args.join(" ")))
        };
        let mut child = cmd.spawn().map_err(|e| fail(e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.unwrap_or("").as_bytes()).map_err(|e| fail(e.to_string()))?;
        }
        let output = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
        if !output.status.success() {
            return Err(fail(output.status.to_string()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// Sets the first completed task of list `id` back to pending with plain
    /// git, as a script that knows nothing of the tool would, and returns
    /// the commit it wrote.
    fn reset_behind_the_back(&mut self, id: &str) -> CliResult<String> {
        let r = format!("refs/tasklists/{id}");
        let old = self.quiet_git(&["rev-parse", &r], None)?;
        let toml = self.quiet_git(&["show", &format!("{old}:tasklist.toml")], None)?;
        let toml = toml.replacen("status = \"completed\"", "status = \"pending\"", 1) + "\n";
        let blob = self.quiet_git(&["hash-object", "-w", "--stdin"], Some(&toml))?;
        let mut entries = String::new();
        for line in self.quiet_git(&["ls-tree", &old], None)?.lines() {
            match line.split_once('\t') {
                Some((_, "tasklist.toml")) => {
                    entries.push_str(&format!("100644 blob {blob}\ttasklist.toml\n"))
                }
                _ => entries.push_str(&format!("{line}\n")),
            }
        }
        let tree = self.quiet_git(&["mktree"], Some(&entries))?;
        let new = self.quiet_git(&["commit-tree", &tree, "-p", &old, "-m", RESET_SUBJECT], None)?;
        self.quiet_git(&["update-ref", &r, &new, &old], None)?;
        Ok(new)
    }
}

/// Runs `demo`.
pub fn run(args: DemoArgs, color: bool, out: &mut dyn Write) -> CliResult {
    let tmp = tempfile::Builder::new().prefix("git-tasklist-demo-").tempdir().map_err(|e| {
        CliError::new(Kind::Error, format!("Cannot create a temporary directory: {e}"))
    })?;
    // The repository is a folder of the temporary directory, so the handoff
    // document can be written beside it, outside the working tree.
    let dir = tmp.path().join("project");
    std::fs::create_dir(&dir).map_err(|e| {
        CliError::new(Kind::Error, format!("Cannot create the demo repository: {e}"))
    })?;
    let mut p = Player { out, color, dir: &dir, env: Vec::new() };
    writeln!(p.out, "A throwaway repository: {}", dir.display())?;
    p.git(&["init", "-q"])?;

    p.say("Session 1 plans the migration (a built-in template), finishes phase 1, starts phase 2")?;
    p.export("TASKLIST_SESSION", "session-1")?;
    let created = p.tl(&["create", "--template", "migration", "Database migration"], true)?;
    let id = created.lines().next().unwrap_or_default().trim().to_string();
    p.export("TASKLIST_ID", &id)?;
    p.tl(&["done", "database-migration", "--note", "Schema v2 applied"], true)?;
    p.tl(&["start", "application-migration"], true)?;
    p.say("Session 1 stops halfway and hands off: a note and HANDOFF.md, committed")?;
    p.tl(
        &[
            "handoff",
            "--note",
            "Models on schema v2; queries in src/db/ still old",
            "-o",
            "../HANDOFF.md",
        ],
        true,
    )?;

    p.say("Session 2, a new process that knows only the list id, resumes")?;
    p.export("TASKLIST_SESSION", "session-2")?;
    p.tl(&["resume"], true)?;
    p.tl(&["start", "application-migration", "--take-over"], true)?;

    p.say("A script resets phase 1 behind the tool's back (plain git: commit-tree, update-ref); verify catches it")?;
    let bad = p.reset_behind_the_back(&id)?;
    p.tl(&["verify"], false)?;
    p.say("The way back: record the real status, then accept the reset: one more commit, nothing rewritten")?;
    p.tl(&["done", "database-migration", "--note", "Recorded again after the reset"], true)?;
    let short = bad.get(..12).unwrap_or(&bad).to_string();
    p.tl(
        &["verify", "--accept", &short, "--note", "A cleanup script; schema v2 is in place"],
        true,
    )?;
    p.git(&["log", "--format=%h %s", "-3", &format!("refs/tasklists/{id}")])?;

    p.say("Every list, with its progress; HEAD and the working tree were never touched")?;
    p.tl(&["list"], true)?;
    p.git(&["status", "--short", "--branch"])?;

    writeln!(p.out)?;
    if args.keep {
        let kept = tmp.keep();
        writeln!(p.out, "Kept the demo repository: {}", kept.join("project").display())?;
        writeln!(
            p.out,
            "Next: look around there (git log --glob='refs/tasklists/*'), or set up an agent in your repository: git tasklist install claude"
        )?;
    } else {
        writeln!(
            p.out,
            "Next: git tasklist demo --keep keeps the demo repository to look around; git tasklist install claude sets up Claude Code in yours"
        )?;
    }
    Ok(())
}
