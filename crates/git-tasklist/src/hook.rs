//! `git-tasklist hook EVENT`: Claude Code hooks. The hook's JSON arrives on
//! stdin; what the agent should know goes back as `additionalContext`,
//! written as facts, and the Stop reminder as a `systemMessage` shown to the
//! user (so it costs no model turn) unless asked otherwise. A hook never
//! fails the agent: bad input, no repository or an unreadable list make it
//! say less, and it exits 0.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::agents::HookEvent;
use git_tasklist_core::claude_tasks::mirror;
use git_tasklist_core::domain::summary::Summary;
use git_tasklist_core::text::{MAX_ECHO, clip, escape, shell_quote};
use git_tasklist_core::{OpName, Tasklists};

/// Longest context a hook returns (Claude Code files longer ones away).
pub const MAX_CONTEXT: usize = 10_000;
/// Lists an index names at most.
const INDEX_LISTS: usize = 30;
/// Most verification failures a briefing names (`verify` names them all).
const FAILURES_SHOWN: usize = 5;
/// Lists of the current branch briefed in full at most (the others are
/// named in the index).
const BRANCH_BRIEFINGS: usize = 3;
/// The most a hook reads of its input.
pub const MAX_INPUT: usize = 1 << 20;
/// How long a hook waits for its input to end. Claude Code writes it at once
/// and closes stdin; a hook whose stdin stays open goes on with what it has
/// read by then (and a complete JSON object ends the wait at once).
pub const INPUT_WAIT: Duration = Duration::from_secs(2);
/// The variable the session-start hook writes to Claude Code's
/// `CLAUDE_ENV_FILE`, so that the model's shell commands are the session too.
pub const SESSION_VAR: &str = "TASKLIST_SESSION";
/// The variable that says where the Stop reminder goes (see [`Reminder`]).
pub const REMINDER_VAR: &str = "TASKLIST_STOP_REMINDER";

/// Where the Stop hook's reminder goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reminder {
    /// To the user, as a `systemMessage`: Claude Code shows it and the turn
    /// ends (`user`, the default).
    #[default]
    User,
    /// To the model, as `additionalContext`: Claude Code runs one more model
    /// turn with it (`model`).
    Model,
    /// Nowhere (`off`).
    Off,
}

impl Reminder {
    /// The choice named by `value` ([`REMINDER_VAR`]); the default for
    /// anything else.
    pub fn named(value: Option<&str>) -> Reminder {
        match value.map(str::trim) {
            Some("model") => Reminder::Model,
            Some("off") => Reminder::Off,
            _ => Reminder::User,
        }
    }
}

/// What a hook knows besides its input and the repository.
#[derive(Debug, Clone, Default)]
pub struct Setting<'a> {
    /// The list named by `TASKLIST_ID`.
    pub list: Option<&'a str>,
    /// Where the Stop reminder goes.
    pub reminder: Reminder,
    /// Claude Code's `CLAUDE_ENV_FILE` (session-start only).
    pub env_file: Option<&'a Path>,
}

/// What a hook prints on stdout for `event`, given its stdin as JSON (null
/// when it was none), what the environment says, and the repository opened
/// at the hook's `cwd` (`None` outside one). `None`: print nothing.
pub fn respond(
    event: &str,
    input: &Value,
    setting: &Setting<'_>,
    tl: Option<&Tasklists>,
) -> Option<String> {
    let tl = tl?;
    let list = setting.list;
    let event = HookEvent::from_arg(event)?;
    let out = match event {
        HookEvent::SessionStart => {
            if let (Some(path), Some(session)) = (setting.env_file, tl.session()) {
                // The model's shell commands then act as this session; a
                // file that cannot be written changes nothing else.
                let _ = export_session(path, session);
            }
            context("SessionStart", &session_start(tl, list)?)
        }
        HookEvent::Stop => {
            if input.get("stop_hook_active").and_then(Value::as_bool) == Some(true) {
                return None;
            }
            match setting.reminder {
                Reminder::Off => return None,
                Reminder::Model => context("Stop", &stop(tl, list)?),
                Reminder::User => {
                    json!({ "systemMessage": clip_to(&stop(tl, list)?, MAX_CONTEXT) })
                }
            }
        }
        HookEvent::PreCompact | HookEvent::SessionEnd => {
            auto_handoff(tl, list, event);
            if event == HookEvent::SessionEnd
                && let Some(claude) = claude_session(input)
            {
                let _ = tl.archive_settled_mirror(&claude);
            }
            return None;
        }
        HookEvent::TaskCreated | HookEvent::TaskCompleted => {
            if let Err(e) = mirror_task(tl, list, input, event == HookEvent::TaskCompleted) {
                eprintln!("git-tasklist hook {}: {}", event.arg(), clip(&e, 2 * MAX_ECHO));
            }
            return None;
        }
    };
    serde_json::to_string(&out).ok().map(|s| git_tasklist_core::text::json_safe(&s))
}

/// `{"hookSpecificOutput": {"hookEventName": event, "additionalContext": …}}`,
/// the context cut to [`MAX_CONTEXT`] characters.
fn context(event: &str, text: &str) -> Value {
    let text = clip_to(text, MAX_CONTEXT);
    json!({ "hookSpecificOutput": { "hookEventName": event, "additionalContext": text } })
}

/// `text` cut to at most `max` bytes (so as many characters at most),
/// saying so at its end when it was cut.
fn clip_to(text: &str, max: usize) -> String {
    const MARK: &str = "… (cut here: `git tasklist resume -l ID` gives all of one list)";
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max - MARK.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{MARK}", &text[..end])
}

/// Claude Code's own session id, as its hooks give it (`session_id`).
fn claude_session(input: &Value) -> Option<String> {
    let s = input.get("session_id")?.as_str()?.trim();
    git_tasklist_core::model::session_ok(s).then(|| s.to_string())
}

/// `q` (the value of `TASKLIST_ID`) as a hook may echo it: escaped, and cut
/// short when it is long.
fn shown(q: &str) -> String {
    clip(&escape(q), MAX_ECHO)
}

/// Reads a hook's input from `source`: at most [`MAX_INPUT`] bytes, until
/// it ends, a complete JSON value has arrived, or `wait` has passed.
pub fn read_input(source: impl Read + Send + 'static, wait: Duration) -> String {
    /// Attempts at parsing what has arrived before its end (each costs the
    /// length read so far, so a writer dripping `}` cannot make it quadratic).
    const PARSES: usize = 16;
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut source = source.take(MAX_INPUT as u64);
        let mut chunk = vec![0u8; 64 << 10];
        while let Ok(n) = source.read(&mut chunk) {
            if n == 0 || tx.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + wait;
    let mut data = Vec::new();
    let mut parses = 0;
    while let Ok(chunk) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        data.extend_from_slice(&chunk);
        let ends = data.iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b'}');
        if ends && parses < PARSES {
            parses += 1;
            if serde_json::from_slice::<Value>(&data).is_ok() {
                break;
            }
        }
    }
    // The reader is left blocked on a stdin that stays open; the process
    // ends without it.
    drop(reader);
    String::from_utf8_lossy(&data).into_owned()
}

/// Appends `export TASKLIST_SESSION=<session>` (shell-quoted) to `path`,
/// Claude Code's `CLAUDE_ENV_FILE`, on a line of its own, unless that line
/// is there already. The file is opened without following a symlink or
/// waiting on a FIFO, and only a regular file is written; lines already
/// there are kept.
pub fn export_session(path: &Path, session: &str) -> std::io::Result<()> {
    /// How much of the file is read to find the line already there.
    const LOOK: u64 = 64 << 10;
    let line = format!("export {SESSION_VAR}={}", shell_quote(session));
    let mut open = std::fs::OpenOptions::new();
    open.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = open.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let len = meta.len();
    let mut text = Vec::new();
    (&mut file).take(LOOK).read_to_end(&mut text)?;
    if text.split(|b| *b == b'\n').any(|l| l == line.as_bytes()) {
        return Ok(());
    }
    let mut last = [0u8; 1];
    let newline = len == 0 || {
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        last[0] == b'\n'
    };
    let out = format!("{}{line}\n", if newline { "" } else { "\n" });
    file.write_all(out.as_bytes())
}

/// The briefing of the list named by `TASKLIST_ID`, else the briefings of
/// the open lists started on the branch checked out here (the most recently
/// changed first), else an index of the open lists. Lists that mirror
/// Claude Code sessions' own tasks are only counted: each session has its
/// own, and none is the plan of the next.
fn session_start(tl: &Tasklists, list: Option<&str>) -> Option<String> {
    if let Some(q) = list {
        return Some(briefing(tl, q).unwrap_or_else(|| {
            format!("git-tasklist: the task list '{}' (TASKLIST_ID) cannot be read.", shown(q))
        }));
    }
    let entries = tl.list_open().ok()?;
    let (mirrors, mut open): (Vec<&Summary>, Vec<&Summary>) = entries
        .iter()
        .filter_map(|e| e.result.as_ref().ok().map(|s| &s.summary))
        .filter(|s| !s.archived && !s.all_settled())
        .partition(|s| mirror::session_of_titled(&s.title, &s.id).is_some());
    let mirrored = (!mirrors.is_empty()).then(|| {
        format!(
            "{} list(s) mirroring earlier Claude Code sessions' own tasks have open tasks (git tasklist list).\n",
            mirrors.len()
        )
    });
    if open.is_empty() {
        return mirrored.map(|m| format!("git-tasklist: {m}"));
    }
    let branch = tl.current_branch();
    let (mut here, others): (Vec<&Summary>, Vec<&Summary>) =
        open.drain(..).partition(|s| branch.is_some() && s.branch == branch);
    let mut out = String::new();
    if here.is_empty() {
        out.push_str(&index(tl, "in this repository", &others));
    } else {
        here.sort_by_key(|s| std::cmp::Reverse(s.updated));
        let branch = escape(branch.as_deref().unwrap_or_default());
        for s in here.iter().take(BRANCH_BRIEFINGS) {
            if let Some(b) = briefing(tl, &s.id) {
                out.push_str(&b);
                out.push('\n');
            }
        }
        if here.len() > BRANCH_BRIEFINGS {
            let rest = &here[BRANCH_BRIEFINGS..];
            out.push_str(&index(tl, &format!("more started on branch {branch}"), rest));
        }
        if !others.is_empty() {
            out.push_str(&format!(
                "{} other open task list(s) were started elsewhere (git tasklist list).\n",
                others.len()
            ));
        }
    }
    out.push_str(mirrored.as_deref().unwrap_or_default());
    Some(out)
}

/// The resume briefing of one list, as facts; `None` when it cannot be read.
fn briefing(tl: &Tasklists, q: &str) -> Option<String> {
    let b = tl.resume(q).ok()?;
    let l = &b.snapshot.list;
    let (done, total) = l.progress();
    let on = l.branch.as_deref().map(|b| format!(", started on branch {}", escape(b)));
    let mut out = format!(
        "git-tasklist: task list \"{}\" (id {}{}) is resumed: {done} of {total} tasks completed.\n",
        escape(&l.title),
        l.id,
        on.unwrap_or_default()
    );
    for t in &l.tasks {
        let owner =
            t.owner.as_deref().map(|o| format!(", owner {}", escape(o))).unwrap_or_default();
        out.push_str(&format!("- {} [{}{owner}]: {}\n", t.id, t.status, escape(&t.title)));
    }
    match l.next_step(tl.session()).task() {
        Some(t) => out.push_str(&format!("Next task: {} ({}).\n", t.id, escape(&t.title))),
        None => out.push_str("No task is ready.\n"),
    }
    for (id, title) in tl.continuations(&l.continued_in) {
        let title = title.map(|t| format!(" ({})", escape(&t))).unwrap_or_default();
        out.push_str(&format!("This list was continued in {id}{title}.\n"));
    }
    if let Some(h) = l.handoff.as_ref().filter(|h| !h.note.is_empty()) {
        out.push_str(&format!("Last handoff note: {}\n", escape(&h.note)));
    }
    // The same verdict `resume` prints: the history since the last handoff
    // plus the failures that handoff carried, less the accepted ones.
    let v = &b.verdict;
    let verdict = if v.ok() { "VERIFIED" } else { "FAILED" };
    let accepted = match v.accepted.len() {
        0 => String::new(),
        n => format!(" ({n} failure{} accepted)", if n == 1 { "" } else { "s" }),
    };
    out.push_str(&format!("Cross-session persistence: {verdict}{accepted}.\n"));
    for f in v.failures.iter().take(FAILURES_SHOWN) {
        let at = f.commit.map(|c| format!("commit {}: ", c.short(12))).unwrap_or_default();
        out.push_str(&format!("- {at}{}\n", escape(&f.message)));
    }
    if let Some(cmd) = &b.next_command {
        out.push_str(&format!("The command that continues: {cmd}\n"));
    }
    Some(out)
}

/// A short index of `lists`, "N open task list(s) `where`: …".
fn index(tl: &Tasklists, place: &str, lists: &[&Summary]) -> String {
    let mut out = format!("git-tasklist: {} open task list(s) {place}:\n", lists.len());
    for s in lists.iter().take(INDEX_LISTS) {
        let (done, total) = s.progress();
        let next = s.next_for(tl.session()).map(|t| format!(", next {t}")).unwrap_or_default();
        out.push_str(&format!("- {} \"{}\": {done}/{total} done{next}\n", s.id, escape(&s.title)));
    }
    if lists.len() > INDEX_LISTS {
        out.push_str(&format!("… and {} more (git tasklist list).\n", lists.len() - INDEX_LISTS));
    }
    out.push_str("`git tasklist resume -l ID` gives one list's briefing.\n");
    out
}

/// A reminder of the tasks this session still holds in progress.
fn stop(tl: &Tasklists, list: Option<&str>) -> Option<String> {
    let session = tl.session()?;
    let lists: Vec<Summary> = match list {
        Some(q) => tl.show(q).ok().map(|s| Summary::of(&s.list)).into_iter().collect(),
        None => {
            tl.list().ok()?.into_iter().filter_map(|e| e.result.ok()).map(|s| s.summary).collect()
        }
    };
    let mut held = Vec::new();
    for s in &lists {
        for t in s.held_by(session) {
            held.push(format!("'{t}' of \"{}\" ({})", escape(&s.title), s.id));
        }
    }
    if held.is_empty() {
        return None;
    }
    Some(format!(
        "git-tasklist: session {} still holds in progress: {}. Its status is recorded as in_progress until it is updated.",
        escape(session),
        held.join(", ")
    ))
}

/// Records an automatic handoff (local only) on the list of `TASKLIST_ID`,
/// else on every list where this session holds a task in progress — each
/// only if it changed since its last handoff.
fn auto_handoff(tl: &Tasklists, list: Option<&str>, event: HookEvent) {
    let ids: Vec<String> = match list {
        Some(q) => tl.resolve(q).ok().into_iter().collect(),
        None => {
            let Some(session) = tl.session() else { return };
            let Ok(entries) = tl.list() else { return };
            entries
                .into_iter()
                .filter_map(|e| e.result.ok())
                .filter(|s| s.summary.held_by(session).next().is_some())
                .map(|s| s.summary.id)
                .collect()
        }
    };
    let why = if event == HookEvent::PreCompact {
        "before the context was compacted"
    } else {
        "as the session ended"
    };
    for id in ids {
        let last = tl.log(&id, Some(1)).ok().and_then(|(_, l)| l.into_iter().next());
        if last.is_none_or(|e| e.op.as_deref() == Some(OpName::Handoff.as_str())) {
            continue;
        }
        let _ = tl.handoff(&id, &format!("Automatic handoff, recorded {why}."));
    }
}

/// Mirrors a `TaskCreated` or `TaskCompleted` event of Claude Code's own
/// task tools into the list of `TASKLIST_ID`, else into the session's
/// mirror list (created by its first event): one commit per event (see
/// [`Tasklists::mirror_claude_task`]).
fn mirror_task(
    tl: &Tasklists,
    list: Option<&str>,
    input: &Value,
    completed: bool,
) -> Result<(), String> {
    let field = |k: &str| input.get(k).and_then(Value::as_str).map(str::trim);
    let subject = field("task_subject").filter(|s| !s.is_empty()).ok_or("no task_subject")?;
    let description = field("task_description").filter(|s| !s.is_empty());
    let claude = claude_session(input);
    if list.is_none() && claude.is_none() {
        return Err("no TASKLIST_ID and no session_id".into());
    }
    tl.mirror_claude_task(
        list,
        claude.as_deref().unwrap_or_default(),
        subject,
        description,
        completed,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}
