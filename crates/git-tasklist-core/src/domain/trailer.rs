//! Commit trailers: every key the tool writes, how a message is put together
//! from a subject and trailers, and how one is taken apart again. Nothing
//! else spells a trailer key.

use crate::util::text::escape;

/// The list a commit belongs to.
pub const TASKLIST: &str = "Tasklist";
/// The op that made the commit (`create`, `set-status`, `reopen` …).
pub const OP: &str = "Op";
/// The session that made the commit.
pub const SESSION: &str = "Session";
/// A task an explicit reopen took out of `completed`.
pub const REOPENED: &str = "Reopened";
/// A task started or finished before its prerequisites.
pub const OUT_OF_ORDER: &str = "Out-Of-Order";
/// The session a task was taken over from.
pub const TOOK_OVER: &str = "Took-Over";
/// The remote tip a merge joined.
pub const MERGED: &str = "Merged";
/// The list that continues this one (`create --from`).
pub const CONTINUED_IN: &str = "Continued-In";
/// The commit an acceptance accepts: a verification failure, full id.
pub const ACCEPTS: &str = "Accepts";
/// Why a verification failure was accepted.
pub const NOTE: &str = "Note";
/// A field both sides of a merge changed, and the rule that decided it.
pub const CONFLICT: &str = "Conflict";

/// A commit message: the subject, a blank line, then one `Key: value` line
/// per trailer. Values are escaped so a trailer stays on one line.
pub fn message(subject: &str, trailers: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(subject.len() + 32 * (trailers.len() + 1));
    out.push_str(subject);
    out.push_str("\n\n");
    for (k, v) in trailers {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(&escape(v));
        out.push('\n');
    }
    out
}

/// Splits a commit message into its subject and the trailers of its last
/// paragraph (none unless every line of it is `Key: value`).
pub fn parse(message: &str) -> (String, Vec<(String, String)>) {
    let subject = message.lines().next().unwrap_or("").trim().to_string();
    let body = message.trim_end();
    if !body.contains("\n\n") {
        return (subject, Vec::new());
    }
    let last_para = body.rsplit("\n\n").next().unwrap_or("");
    let mut trailers = Vec::new();
    for line in last_para.lines() {
        match line.split_once(": ") {
            Some((k, v))
                if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                trailers.push((k.to_string(), v.trim().to_string()));
            }
            _ => return (subject, Vec::new()),
        }
    }
    (subject, trailers)
}

/// The value of the first trailer named `key` (case-insensitive).
pub fn find<'a>(trailers: &'a [(String, String)], key: &str) -> Option<&'a str> {
    trailers.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
}

/// Whether a trailer `key: value` is present (key case-insensitive).
pub fn has(trailers: &[(String, String)], key: &str, value: &str) -> bool {
    trailers.iter().any(|(k, v)| k.eq_ignore_ascii_case(key) && v == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_messages_parse_back() {
        let m = message("Subj", &[(TASKLIST, "x"), (OP, "set-status"), (SESSION, "s\n1")]);
        assert_eq!(m, "Subj\n\nTasklist: x\nOp: set-status\nSession: s\\n1\n");
        let (s, t) = parse(&m);
        assert_eq!(s, "Subj");
        assert_eq!(find(&t, "op"), Some("set-status"));
        assert!(has(&t, TASKLIST, "x"));
    }

    #[test]
    fn only_a_trailer_paragraph_counts() {
        let (s, t) = parse("Subj\n\nbody text\n\nTasklist: x\nOp: set-status\nSession: s1\n");
        assert_eq!(s, "Subj");
        assert_eq!(t.len(), 3);
        assert_eq!(t[1], ("Op".to_string(), "set-status".to_string()));
        assert!(parse("Only a subject\n").1.is_empty());
        assert!(parse("Subj\n\nnot a trailer\nOp: x\n").1.is_empty());
    }
}
