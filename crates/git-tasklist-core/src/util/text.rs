//! Text for people and programs: escaping stored strings for a terminal,
//! collapsing messages to one line, quoting words for a shell.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Replaces control characters (and other invisible formatting characters)
/// with visible escapes, so stored text can never drive the terminal.
pub fn escape(s: &str) -> String {
    escaped(s).into_owned()
}

/// [`escape`] without a copy when there is nothing to escape (the usual case).
pub fn escaped(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], but keeps line breaks (`\n`, and `\r\n` as `\n`): for
/// multi-line text shown as text, such as notes in a Markdown document.
pub fn escape_multiline(s: &str) -> String {
    s.replace("\r\n", "\n").split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// Like [`escape_multiline`], but also keeps tabs: for a whole document
/// (`HANDOFF.md`), where a template's indentation is its own business but
/// no control character may reach a terminal or `git show`.
pub fn escape_document(s: &str) -> String {
    if !document_needs_escape(s) {
        return s.to_string();
    }
    s.replace("\r\n", "\n")
        .split('\n')
        .map(|line| line.split('\t').map(escape).collect::<Vec<_>>().join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether [`escape_document`] would change `s` (a control character other
/// than a line break or tab, a bidirectional or zero-width character).
pub fn document_needs_escape(s: &str) -> bool {
    s.chars().any(|c| c != '\n' && c != '\t' && needs_escape(c))
}

/// JSON text with every invisible or terminal-driving character that JSON
/// allows raw (C1 controls such as U+009B, line and paragraph separators,
/// bidirectional overrides, zero-width characters) written as a `\uXXXX`
/// escape instead: the same string to a parser, harmless on a terminal.
/// (serde_json already escapes the C0 controls.)
pub fn json_safe(json: &str) -> String {
    let unsafe_char = |c: char| {
        matches!(c as u32, 0x7F..=0x9F | 0x2028 | 0x2029) || (needs_escape(c) && !c.is_ascii())
    };
    // Every character it escapes is DEL or not ASCII: most JSON is neither,
    // and a byte scan clears it (the MCP server writes every line through here).
    if !json.bytes().any(|b| b >= 0x7F) || !json.chars().any(unsafe_char) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// How much of a file's text an error echoes.
pub const MAX_ECHO: usize = 300;

/// `s` cut to at most `max` bytes (on a character boundary), saying how
/// much was left out: a hostile file cannot make an error message huge.
pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &s[..end], s.len() - end)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF)
}

/// Collapses whitespace, line breaks included: errors here are one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` as one shell word: unchanged when it is safe as it is, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_=./:@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_multiline_keeps_line_breaks_only() {
        assert_eq!(escape_multiline("a\r\nb\n\u{1b}c\td"), "a\nb\n\\u{1b}c\\td");
    }

    #[test]
    fn escape_makes_controls_visible() {
        assert_eq!(escape("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(escape("plain ✓"), "plain ✓");
    }

    #[test]
    fn json_safe_escapes_what_a_terminal_would_obey() {
        let raw = serde_json::to_string("a\u{9b}31m\u{85}\u{202e}b\u{feff}é✓").unwrap();
        let safe = json_safe(&raw);
        assert_eq!(safe, "\"a\\u009b31m\\u0085\\u202eb\\ufeffé✓\"");
        // Plain ASCII passes as it is; DEL, ASCII too, does not.
        assert_eq!(json_safe(r#"{"a":"b c"}"#), r#"{"a":"b c"}"#);
        assert_eq!(json_safe("\"a\u{7f}b\""), "\"a\\u007fb\"");
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{9b}31m\u{85}\u{202e}b\u{feff}é✓"
        );
    }

    #[test]
    fn clip_cuts_on_a_character_boundary() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("ééé", 3), "é… (4 more bytes)");
    }

    #[test]
    fn shell_quote_quotes_only_what_needs_it() {
        assert_eq!(shell_quote("refs/tasklists"), "refs/tasklists");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
