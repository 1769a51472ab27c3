//! `git-tasklist hook EVENT`: Claude Code hooks. The hook's JSON arrives on
//! stdin; what the agent should know goes back as `additionalContext`,
//! written as facts. A hook never fails the agent: bad input, no
//! repository or an unreadable list make it say less, and it exits 0.

use serde_json::{Value, json};

use crate::Tasklists;
use crate::model::{Status, TaskId, TaskList, unique_slug};
use crate::op::{NewTask, TaskChange};
use crate::store::Snapshot;
use crate::text::escape;

/// Longest context a hook returns (Claude Code files longer ones away).
pub const MAX_CONTEXT: usize = 10_000;
/// Lists an index names at most.
const INDEX_LISTS: usize = 30;
/// Lists of the current branch briefed in full at most (the others are
/// named in the index).
const BRANCH_BRIEFINGS: usize = 3;
/// The events this command answers, as `hook EVENT` takes them.
pub const EVENTS: &[&str] =
    &["session-start", "stop", "pre-compact", "session-end", "task-created", "task-completed"];

/// What a hook prints on stdout for `event`, given its stdin as JSON (null
/// when it was none), the list and session from the environment, and the
/// repository opened at the hook's `cwd` (`None` outside one). `None`:
/// print nothing.
pub fn respond(
    event: &str,
    input: &Value,
    list: Option<&str>,
    tl: Option<&Tasklists>,
) -> Option<String> {
    let tl = tl?;
    let (name, context) = match event {
        "session-start" => ("SessionStart", session_start(tl, list)?),
        "stop" => {
            if input.get("stop_hook_active").and_then(Value::as_bool) == Some(true) {
                return None;
            }
            ("Stop", stop(tl, list)?)
        }
        "pre-compact" | "session-end" => {
            auto_handoff(tl, list, event);
            return None;
        }
        "task-created" | "task-completed" => {
            if let Err(e) = mirror_task(tl, list, input, event == "task-completed") {
                eprintln!("git-tasklist hook {event}: {e}");
            }
            return None;
        }
        _ => return None,
    };
    let context: String = crate::text::clip(&context, MAX_CONTEXT);
    let out =
        json!({ "hookSpecificOutput": { "hookEventName": name, "additionalContext": context } });
    serde_json::to_string(&out).ok().map(|s| crate::text::json_safe(&s))
}

/// The briefing of the list named by `TASKLIST_ID`, else the briefings of
/// the open lists started on the branch checked out here (the most recently
/// changed first), else an index of the open lists.
fn session_start(tl: &Tasklists, list: Option<&str>) -> Option<String> {
    if let Some(q) = list {
        return Some(briefing(tl, q).unwrap_or_else(|| {
            format!("git-tasklist: the task list '{}' (TASKLIST_ID) cannot be read.", escape(q))
        }));
    }
    let entries = tl.list().ok()?;
    let mut open: Vec<&Snapshot> = entries
        .iter()
        .filter_map(|e| e.result.as_ref().ok())
        .filter(|s| !s.list.archived && !s.list.all_settled())
        .collect();
    if open.is_empty() {
        return None;
    }
    let branch = tl.store().current_branch();
    let (mut here, others): (Vec<&Snapshot>, Vec<&Snapshot>) =
        open.drain(..).partition(|s| branch.is_some() && s.list.branch == branch);
    if here.is_empty() {
        return Some(index(tl, "in this repository", &others));
    }
    here.sort_by_key(|s| std::cmp::Reverse(s.list.updated));
    let branch = escape(branch.as_deref().unwrap_or_default());
    let mut out = String::new();
    for s in here.iter().take(BRANCH_BRIEFINGS) {
        if let Some(b) = briefing(tl, &s.list.id) {
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
    if let Some(h) = l.handoff.as_ref().filter(|h| !h.note.is_empty()) {
        out.push_str(&format!("Last handoff note: {}\n", escape(&h.note)));
    }
    let verdict = if b.verdict.ok() { "VERIFIED" } else { "FAILED" };
    out.push_str(&format!("Cross-session persistence since the last handoff: {verdict}.\n"));
    if let Some(cmd) = &b.next_command {
        out.push_str(&format!("The command that continues: {cmd}\n"));
    }
    Some(out)
}

/// A short index of `lists`, "N open task list(s) `where`: …".
fn index(tl: &Tasklists, place: &str, lists: &[&Snapshot]) -> String {
    let mut out = format!("git-tasklist: {} open task list(s) {place}:\n", lists.len());
    for s in lists.iter().take(INDEX_LISTS) {
        let (done, total) = s.list.progress();
        let next =
            s.list.next_for(tl.session()).map(|t| format!(", next {}", t.id)).unwrap_or_default();
        out.push_str(&format!(
            "- {} \"{}\": {done}/{total} done{next}\n",
            s.list.id,
            escape(&s.list.title)
        ));
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
    let snaps: Vec<_> = match list {
        Some(q) => tl.show(q).ok().into_iter().collect(),
        None => tl.list().ok()?.into_iter().filter_map(|e| e.result.ok()).collect(),
    };
    let mut held = Vec::new();
    for s in &snaps {
        for t in s.list.held_by(session) {
            held.push(format!("'{}' of \"{}\" ({})", t.id, escape(&s.list.title), s.list.id));
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
fn auto_handoff(tl: &Tasklists, list: Option<&str>, event: &str) {
    let ids: Vec<String> = match list {
        Some(q) => tl.resolve(q).ok().into_iter().collect(),
        None => {
            let Some(session) = tl.session() else { return };
            let Ok(entries) = tl.list() else { return };
            entries
                .into_iter()
                .filter_map(|e| e.result.ok())
                .filter(|s| s.list.held_by(session).next().is_some())
                .map(|s| s.list.id)
                .collect()
        }
    };
    let why = if event == "pre-compact" {
        "before the context was compacted"
    } else {
        "as the session ended"
    };
    for id in ids {
        let last = tl.store().log(&id, Some(1)).ok().and_then(|l| l.into_iter().next());
        if last.is_none_or(|e| e.op.as_deref() == Some("handoff")) {
            continue;
        }
        let _ = tl.handoff(&id, &format!("Automatic handoff, recorded {why}."));
    }
}

/// The title of the list a Claude Code session's own tasks are mirrored
/// into when no `TASKLIST_ID` names one.
pub fn session_list_title(claude_session: &str) -> String {
    format!("Claude Code session {claude_session}")
}

/// Mirrors a `TaskCreated` or `TaskCompleted` event of Claude Code's own
/// task tools into the list of `TASKLIST_ID`, else into the session's list
/// ([`session_list_title`]; created on the first event). A task is matched
/// by its subject (the event's `task_subject`) to a task of the same title,
/// so the events of one task meet the same entry; a new one gets a slug of
/// the subject as its id. Completing is recorded out of order if need be
/// (the agent has finished it), never over a task another session holds.
fn mirror_task(
    tl: &Tasklists,
    list: Option<&str>,
    input: &Value,
    completed: bool,
) -> Result<(), String> {
    let field = |k: &str| input.get(k).and_then(Value::as_str).map(str::trim);
    let subject = field("task_subject").filter(|s| !s.is_empty()).ok_or("no task_subject")?;
    let description = field("task_description").filter(|s| !s.is_empty());
    let id = match list {
        Some(q) => tl.resolve(q).map_err(|e| e.to_string())?,
        None => {
            let claude = field("session_id")
                .filter(|s| !s.is_empty())
                .ok_or("no TASKLIST_ID and no session_id")?;
            let title = session_list_title(claude);
            match tl.resolve(&title) {
                Ok(id) => id,
                Err(e) if e.kind() == crate::ErrorKind::NotFound => {
                    let req = crate::CreateRequest { title: Some(title), ..Default::default() };
                    tl.create(&req).map_err(|e| e.to_string())?.id
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    };
    let snap = tl.show(&id).map_err(|e| e.to_string())?;
    let task = match find_by_title(&snap.list, subject) {
        Some(t) => t,
        None => {
            let used = snap.list.tasks.iter().map(|t| t.id.to_string()).collect();
            let task = NewTask {
                id: unique_slug(subject, &used),
                title: subject.into(),
                depends_on: vec![],
                note: None,
            };
            let tid = task.id.clone();
            tl.add(&id, task, None).map_err(|e| e.to_string())?;
            if let Some(d) = description {
                let change = TaskChange { note: Some(d.into()), ..Default::default() };
                tl.update(&id, &tid, change).map_err(|e| e.to_string())?;
            }
            tid
        }
    };
    if completed {
        let change = TaskChange {
            status: Some(Status::Completed),
            out_of_order: true,
            ..Default::default()
        };
        tl.update(&id, &task, change).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The task titled `subject` (ignoring case and surrounding space).
fn find_by_title(list: &TaskList, subject: &str) -> Option<TaskId> {
    let want = subject.to_lowercase();
    list.tasks.iter().find(|t| t.title.trim().to_lowercase() == want).map(|t| t.id.clone())
}
