//! `git-tasklist hook EVENT`: Claude Code hooks. The hook's JSON arrives on
//! stdin; what the agent should know goes back as `additionalContext`,
//! written as facts. A hook never fails the agent: bad input, no
//! repository or an unreadable list make it say less, and it exits 0.

use serde_json::{Value, json};

use crate::Tasklists;
use crate::model::Status;
use crate::text::escape;

/// Longest context a hook returns (Claude Code files longer ones away).
pub const MAX_CONTEXT: usize = 10_000;
/// Lists an index names at most.
const INDEX_LISTS: usize = 30;

/// What a hook prints on stdout for `event`, given its stdin, the list and
/// session from the environment, and the repository opened at the hook's
/// `cwd` (`None` outside one). `None`: print nothing.
pub fn respond(
    event: &str,
    input: &str,
    list: Option<&str>,
    tl: Option<&Tasklists>,
) -> Option<String> {
    let input: Value = serde_json::from_str(input).unwrap_or(Value::Null);
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
        _ => return None,
    };
    let context: String = crate::text::clip(&context, MAX_CONTEXT);
    let out =
        json!({ "hookSpecificOutput": { "hookEventName": name, "additionalContext": context } });
    serde_json::to_string(&out).ok().map(|s| crate::text::json_safe(&s))
}

/// The briefing of the list named by `TASKLIST_ID`, else an index of the
/// open lists.
fn session_start(tl: &Tasklists, list: Option<&str>) -> Option<String> {
    if let Some(q) = list {
        let Ok(b) = tl.resume(q) else {
            return Some(format!(
                "git-tasklist: the task list '{}' (TASKLIST_ID) cannot be read.",
                escape(q)
            ));
        };
        let l = &b.snapshot.list;
        let (done, total) = l.progress();
        let mut out = format!(
            "git-tasklist: task list \"{}\" (id {}) is resumed: {done} of {total} tasks completed.\n",
            escape(&l.title),
            l.id
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
        return Some(out);
    }
    let entries = tl.list().ok()?;
    let open: Vec<_> = entries
        .iter()
        .filter_map(|e| e.result.as_ref().ok())
        .filter(|s| !s.list.archived && !s.list.all_settled())
        .collect();
    if open.is_empty() {
        return None;
    }
    let mut out = format!("git-tasklist: {} open task list(s) in this repository:\n", open.len());
    for s in open.iter().take(INDEX_LISTS) {
        let (done, total) = s.list.progress();
        let next =
            s.list.next_for(tl.session()).map(|t| format!(", next {}", t.id)).unwrap_or_default();
        out.push_str(&format!(
            "- {} \"{}\": {done}/{total} done{next}\n",
            s.list.id,
            escape(&s.list.title)
        ));
    }
    if open.len() > INDEX_LISTS {
        out.push_str(&format!("… and {} more (git tasklist list).\n", open.len() - INDEX_LISTS));
    }
    out.push_str("`git tasklist resume -l ID` gives one list's briefing.\n");
    Some(out)
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
        for t in &s.list.tasks {
            if t.status == Status::InProgress && t.owner.as_deref() == Some(session) {
                held.push(format!("'{}' of \"{}\" ({})", t.id, escape(&s.list.title), s.list.id));
            }
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
                .filter(|s| {
                    s.list.tasks.iter().any(|t| {
                        t.status == Status::InProgress && t.owner.as_deref() == Some(session)
                    })
                })
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
