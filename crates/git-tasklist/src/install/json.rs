//! JSON for the files `install` merges into, edited so that the user's bytes
//! stay: the file is parsed into values *and* the place of each value in
//! the text, our entries are merged into the values, and the new text is
//! the old text with only the values that changed spliced in. Everything
//! else — numbers as written (`12345678901234567890123`, `1.50`), escapes,
//! key order, spacing, CRLF line breaks, a UTF-8 BOM — is copied byte for
//! byte.
//!
//! Why not serde_json's `preserve_order` and `arbitrary_precision`: they
//! are crate-wide features (they would change every schema and every
//! number the rest of the program prints), and a parse-and-print keeps the
//! values but not the text: indentation, spacing inside lines, escapes and
//! line endings would still be the printer's. Splicing keeps all of it.
//!
//! The parser is a loop over an explicit stack (a hostile file cannot
//! overflow ours), nesting is capped at [`MAX_DEPTH`] as serde_json caps
//! it, so the recursive comparisons and printing below stay bounded.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;

/// The deepest nesting a file may have (serde_json's own limit).
pub const MAX_DEPTH: usize = 128;

/// A JSON value whose objects keep their keys in order and whose numbers
/// keep their text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: its keys in the file's order (a repeated key keeps its
    /// first place and its last value, as JavaScript's `JSON.parse` does).
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A string value.
    pub fn str(s: &str) -> Json {
        Json::String(s.to_string())
    }

    /// An object of `pairs`.
    pub fn object(pairs: Vec<(&str, Json)>) -> Json {
        Json::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// The string inside, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The pairs inside, if this is an object.
    pub fn as_object_mut(&mut self) -> Option<&mut Vec<(String, Json)>> {
        match self {
            Json::Object(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// A short name of the value's type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// Parses `text` (a leading UTF-8 BOM is allowed).
    #[cfg(test)]
    pub fn parse(text: &str) -> Result<Json, ParseError> {
        Document::parse(text).map(|d| d.value)
    }

    /// Printed with `indent` per level (serde_json's pretty layout), and a
    /// final line break when `newline`.
    pub fn to_pretty(&self, indent: &str, newline: bool) -> String {
        let style = Style { unit: indent.to_string(), nl: "\n", multiline: true };
        let mut out = String::new();
        fresh(self, Some(""), &style, &mut out);
        if newline {
            out.push('\n');
        }
        out
    }
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The line (from 1).
    pub line: usize,
    /// The column in characters (from 1).
    pub column: usize,
    /// What is wrong there.
    pub message: &'static str,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

/// Where a value sits in the text, and where its members do.
#[derive(Debug, Clone)]
struct Src {
    span: Range<usize>,
    items: Items,
}

#[derive(Debug, Clone)]
enum Items {
    Leaf,
    Array(Vec<Src>),
    /// Every member as written, repeated keys included: key, key span, value.
    Object(Vec<(String, Range<usize>, Src)>),
}

/// A parsed file: its text, its value, and where each value sits.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    text: &'a str,
    /// The value.
    pub value: Json,
    src: Src,
}

/// One open array or object while parsing.
enum Frame {
    Array { start: usize, values: Vec<Json>, srcs: Vec<Src> },
    Object { start: usize, pairs: Vec<(String, Json)>, members: Vec<(String, Range<usize>, Src)> },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn fail<T>(&self, message: &'static str) -> Result<T, ParseError> {
        let before = &self.text[..floor_char(self.text, self.at)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Err(ParseError { line, column, message })
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, b: u8, message: &'static str) -> Result<(), ParseError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            self.fail(message)
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        // At the opening quote.
        self.at += 1;
        let mut out = String::new();
        loop {
            let run = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[run..self.at]);
            match self.peek() {
                None => return self.fail("EOF while parsing a string"),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.at += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.bytes.get(self.at..self.at + 2) != Some(b"\\u") {
                                    return self.fail("lone leading surrogate in a \\u escape");
                                }
                                self.at += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.fail("invalid \\u escape");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => return self.fail("invalid \\u escape"),
                            }
                            continue;
                        }
                        _ => return self.fail("invalid escape"),
                    };
                    self.at += 1;
                    out.push(c);
                }
                Some(_) => return self.fail("control character in a string"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self.bytes.get(self.at..self.at + 4).and_then(|d| std::str::from_utf8(d).ok());
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) if digits.is_some_and(|d| d.bytes().all(|b| b.is_ascii_hexdigit())) => {
                self.at += 4;
                Ok(v)
            }
            _ => self.fail("invalid \\u escape"),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<(), ParseError> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.fail("invalid number"),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return self.fail("invalid number");
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return self.fail("invalid number");
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Result<(), ParseError> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            self.fail("expected a value")
        }
    }
}

/// `at` moved back onto a character boundary of `text`.
fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl<'a> Document<'a> {
    /// Parses `text`: values, and where each one is.
    pub fn parse(text: &'a str) -> Result<Document<'a>, ParseError> {
        let mut p = Parser { text, bytes: text.as_bytes(), at: 0 };
        if text.starts_with('\u{feff}') {
            p.at = '\u{feff}'.len_utf8();
        }
        let mut stack: Vec<Frame> = Vec::new();
        let (value, src) = 'document: loop {
            // A value starts here: a scalar completes at once, a container
            // opens a frame (or completes when empty).
            p.skip_ws();
            let start = p.at;
            let mut done: (Json, Src) = match p.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if stack.len() >= MAX_DEPTH {
                        return p.fail("nested too deep");
                    }
                    p.at += 1;
                    p.skip_ws();
                    let close = if open == b'{' { b'}' } else { b']' };
                    if p.peek() == Some(close) {
                        p.at += 1;
                        let (value, items) = if open == b'{' {
                            (Json::Object(Vec::new()), Items::Object(Vec::new()))
                        } else {
                            (Json::Array(Vec::new()), Items::Array(Vec::new()))
                        };
                        (value, Src { span: start..p.at, items })
                    } else if open == b'[' {
                        stack.push(Frame::Array { start, values: Vec::new(), srcs: Vec::new() });
                        continue;
                    } else {
                        stack.push(Frame::Object { start, pairs: Vec::new(), members: Vec::new() });
                        key(&mut p, &mut stack)?;
                        continue;
                    }
                }
                Some(b'"') => {
                    let s = p.string()?;
                    (Json::String(s), Src { span: start..p.at, items: Items::Leaf })
                }
                Some(b'-' | b'0'..=b'9') => {
                    p.number()?;
                    let raw = text[start..p.at].to_string();
                    (Json::Number(raw), Src { span: start..p.at, items: Items::Leaf })
                }
                Some(b't') => {
                    p.literal("true")?;
                    (Json::Bool(true), Src { span: start..p.at, items: Items::Leaf })
                }
                Some(b'f') => {
                    p.literal("false")?;
                    (Json::Bool(false), Src { span: start..p.at, items: Items::Leaf })
                }
                Some(b'n') => {
                    p.literal("null")?;
                    (Json::Null, Src { span: start..p.at, items: Items::Leaf })
                }
                None => return p.fail("EOF while parsing a value"),
                Some(_) => return p.fail("expected a value"),
            };
            // Hand the finished value to its container; close containers
            // that end here.
            loop {
                let Some(frame) = stack.last_mut() else { break 'document done };
                p.skip_ws();
                match frame {
                    Frame::Array { values, srcs, .. } => {
                        values.push(done.0);
                        srcs.push(done.1);
                        match p.peek() {
                            Some(b',') => {
                                p.at += 1;
                                continue 'document;
                            }
                            Some(b']') => p.at += 1,
                            _ => return p.fail("expected `,` or `]`"),
                        }
                    }
                    Frame::Object { pairs, members, .. } => {
                        let Some((name, _, _)) = members.last_mut() else {
                            return p.fail("expected a key");
                        };
                        let name = name.clone();
                        set(pairs, &name, done.0);
                        if let Some(last) = members.last_mut() {
                            last.2 = done.1;
                        }
                        match p.peek() {
                            Some(b',') => {
                                p.at += 1;
                                key(&mut p, &mut stack)?;
                                continue 'document;
                            }
                            Some(b'}') => p.at += 1,
                            _ => return p.fail("expected `,` or `}`"),
                        }
                    }
                }
                done = match stack.pop() {
                    Some(Frame::Array { start, values, srcs }) => {
                        (Json::Array(values), Src { span: start..p.at, items: Items::Array(srcs) })
                    }
                    Some(Frame::Object { start, pairs, members }) => (
                        Json::Object(pairs),
                        Src { span: start..p.at, items: Items::Object(members) },
                    ),
                    // The frame handled above is still there.
                    None => return p.fail("expected a value"),
                };
            }
        };
        p.skip_ws();
        if p.at < text.len() {
            return p.fail("trailing characters");
        }
        Ok(Document { text, value, src })
    }

    /// The text of this document with its value replaced by `new`: every
    /// value equal to the old one keeps its bytes, changed members are
    /// spliced in, new ones take the file's indentation and line breaks.
    pub fn render(&self, new: &Json) -> String {
        let style = Style::of(self.text);
        let mut out = String::with_capacity(self.text.len() + 1024);
        out.push_str(&self.text[..self.src.span.start]);
        splice(self.text, &self.value, &self.src, new, &style, &mut out);
        out.push_str(&self.text[self.src.span.end..]);
        out
    }
}

/// After `{` or `,` in an object: reads `"key":` and records the member
/// (its value comes next).
fn key(p: &mut Parser, stack: &mut [Frame]) -> Result<(), ParseError> {
    p.skip_ws();
    if p.peek() != Some(b'"') {
        return p.fail("expected a key");
    }
    let start = p.at;
    let name = p.string()?;
    let span = start..p.at;
    p.expect(b':', "expected `:`")?;
    if let Some(Frame::Object { members, .. }) = stack.last_mut() {
        members.push((name, span, Src { span: 0..0, items: Items::Leaf }));
    }
    Ok(())
}

/// How new text is laid out: the file's indentation unit and line break.
struct Style {
    unit: String,
    nl: &'static str,
    /// Whether new containers are laid out over lines (the file is).
    multiline: bool,
}

impl Style {
    fn of(text: &str) -> Style {
        let nl = match text.find('\n') {
            Some(i) if text[..i].ends_with('\r') => "\r\n",
            _ => "\n",
        };
        Style { unit: indent_of(text), nl, multiline: text.trim_end().contains('\n') }
    }
}

/// The indentation of `text`'s first indented line (spaces or tabs), else
/// two spaces (what Claude Code writes).
pub fn indent_of(text: &str) -> String {
    text.lines()
        .skip(1)
        .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
        .find(|i| !i.is_empty())
        .unwrap_or("  ")
        .to_string()
}

/// The leading spaces and tabs of the line holding `at`.
fn line_indent(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// `v` printed anew: on one line (`base` is `None`) or over lines, each
/// nested level one unit deeper than `base`.
fn fresh(v: &Json, base: Option<&str>, style: &Style, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(raw) => out.push_str(raw),
        Json::String(s) => quote(s, out),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Object(pairs) if pairs.is_empty() => out.push_str("{}"),
        Json::Array(items) => {
            let inner = base.map(|b| format!("{b}{}", style.unit));
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                open_item(i, inner.as_deref(), style, out);
                fresh(item, inner.as_deref(), style, out);
            }
            close(base, style, out);
            out.push(']');
        }
        Json::Object(pairs) => {
            let inner = base.map(|b| format!("{b}{}", style.unit));
            out.push('{');
            for (i, (k, item)) in pairs.iter().enumerate() {
                open_item(i, inner.as_deref(), style, out);
                quote(k, out);
                out.push_str(": ");
                fresh(item, inner.as_deref(), style, out);
            }
            close(base, style, out);
            out.push('}');
        }
    }
}

fn open_item(i: usize, inner: Option<&str>, style: &Style, out: &mut String) {
    if i > 0 {
        out.push(',');
    }
    match inner {
        Some(inner) => {
            out.push_str(style.nl);
            out.push_str(inner);
        }
        None if i > 0 => out.push(' '),
        None => {}
    }
}

fn close(base: Option<&str>, style: &Style, out: &mut String) {
    if let Some(base) = base {
        out.push_str(style.nl);
        out.push_str(base);
    }
}

/// `s` as a JSON string (serde_json's escaping: quotes, backslashes, C0).
fn quote(s: &str, out: &mut String) {
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        // Serializing a str cannot fail; keep the output valid anyway.
        Err(_) => out.push_str("\"\""),
    }
}

/// One member or element of a container being rebuilt.
enum Piece<'n> {
    /// Kept as written: the original's member or element `i`.
    Kept(usize),
    /// The original's `i`, its value changed to this.
    Changed(usize, &'n Json),
    /// New: (key for an object member, value).
    New(Option<&'n str>, &'n Json),
}

/// Writes `new` where `old` (at `src`) was: the old text when equal, else
/// the container rebuilt around its kept parts, else `new` printed anew.
fn splice(text: &str, old: &Json, src: &Src, new: &Json, style: &Style, out: &mut String) {
    if old == new {
        out.push_str(&text[src.span.clone()]);
        return;
    }
    match (old, &src.items, new) {
        (Json::Object(old_pairs), Items::Object(members), Json::Object(new_pairs)) => {
            // The member that counts for a repeated key is its last one.
            let mut last: HashMap<&str, usize> = HashMap::new();
            for (i, (k, _, _)) in members.iter().enumerate() {
                last.insert(k, i);
            }
            let new_of: HashMap<&str, &Json> =
                new_pairs.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let old_of: HashMap<&str, &Json> =
                old_pairs.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let mut pieces = Vec::new();
            for (i, (k, _, _)) in members.iter().enumerate() {
                if last.get(k.as_str()) != Some(&i) {
                    if new_of.contains_key(k.as_str()) {
                        pieces.push(Piece::Kept(i));
                    }
                    continue;
                }
                match new_of.get(k.as_str()) {
                    Some(v) if old_of.get(k.as_str()) == Some(v) => pieces.push(Piece::Kept(i)),
                    Some(v) => pieces.push(Piece::Changed(i, v)),
                    None => {}
                }
            }
            for (k, v) in new_pairs {
                if !last.contains_key(k.as_str()) {
                    pieces.push(Piece::New(Some(k), v));
                }
            }
            let spans: Vec<(Range<usize>, Range<usize>)> =
                members.iter().map(|(_, ks, v)| (ks.clone(), v.span.clone())).collect();
            let values: Vec<(&Json, &Src)> = members
                .iter()
                .map(|(k, _, s)| (old_of.get(k.as_str()).copied().unwrap_or(&Json::Null), s))
                .collect();
            rebuild(text, src, b'{', &spans, &values, &pieces, style, out);
        }
        (Json::Array(old_items), Items::Array(srcs), Json::Array(new_items)) => {
            let pieces = align(old_items, new_items);
            let spans: Vec<(Range<usize>, Range<usize>)> =
                srcs.iter().map(|s| (s.span.clone(), s.span.clone())).collect();
            let values: Vec<(&Json, &Src)> = old_items.iter().zip(srcs).collect();
            rebuild(text, src, b'[', &spans, &values, &pieces, style, out);
        }
        _ => {
            let base = style.multiline.then(|| line_indent(text, src.span.start));
            fresh(new, base, style, out);
        }
    }
}

/// The new elements of an array in order, each kept (equal to an old one,
/// matched in order), changed (in the place of an unmatched old one, so its
/// own kept parts stay) or new. Linear: old elements are found by hash.
fn align<'n>(old: &[Json], new: &'n [Json]) -> Vec<Piece<'n>> {
    let mut at: HashMap<&Json, VecDeque<usize>> = HashMap::new();
    for (i, v) in old.iter().enumerate() {
        at.entry(v).or_default().push_back(i);
    }
    let mut matched: Vec<Option<usize>> = vec![None; new.len()];
    let mut next = 0;
    for (j, v) in new.iter().enumerate() {
        if let Some(q) = at.get_mut(v) {
            while q.front().is_some_and(|&i| i < next) {
                q.pop_front();
            }
            if let Some(i) = q.pop_front() {
                matched[j] = Some(i);
                next = i + 1;
            }
        }
    }
    // Between two matches, the unmatched old and new elements pair up in
    // order: a changed element keeps its place and what did not change.
    let mut pieces = Vec::with_capacity(new.len());
    let mut free = 0;
    let mut j = 0;
    while j < new.len() {
        if let Some(i) = matched[j] {
            pieces.push(Piece::Kept(i));
            free = i + 1;
            j += 1;
            continue;
        }
        let end = (j..new.len()).find(|&k| matched[k].is_some()).unwrap_or(new.len());
        let stop = end_of_gap(&matched, end, old.len());
        for (k, v) in new[j..end].iter().enumerate() {
            if free + k < stop {
                pieces.push(Piece::Changed(free + k, v));
            } else {
                pieces.push(Piece::New(None, v));
            }
        }
        j = end;
    }
    pieces
}

/// The old index where the gap ending at new position `end` stops.
fn end_of_gap(matched: &[Option<usize>], end: usize, old_len: usize) -> usize {
    matched.get(end).copied().flatten().unwrap_or(old_len)
}

/// Writes a container (`{` or `[` at `src`) holding `pieces`: the old text
/// between members where two kept ones were neighbours, the file's own
/// separator elsewhere, new values laid out like their neighbours.
#[allow(clippy::too_many_arguments)]
fn rebuild(
    text: &str,
    src: &Src,
    open: u8,
    spans: &[(Range<usize>, Range<usize>)],
    values: &[(&Json, &Src)],
    pieces: &[Piece],
    style: &Style,
    out: &mut String,
) {
    let (open_c, close_c) = if open == b'{' { ('{', '}') } else { ('[', ']') };
    if pieces.is_empty() {
        out.push(open_c);
        out.push(close_c);
        return;
    }
    let inner_start = src.span.start + 1;
    let inner_end = src.span.end - 1;
    let (lead, trail, sep, kv) = match (spans.first(), spans.last()) {
        (Some(first), Some(last)) => {
            let lead = &text[inner_start..first.0.start];
            let trail = text[last.1.end..inner_end].to_string();
            let sep = match spans.get(1) {
                Some(second) => text[first.1.end..second.0.start].to_string(),
                None if lead.contains('\n') => format!(",{lead}"),
                None => ", ".to_string(),
            };
            let kv = if open == b'{' {
                text[first.0.end..first.1.start].to_string()
            } else {
                String::new()
            };
            (lead.to_string(), trail, sep, kv)
        }
        _ if style.multiline => {
            let base = line_indent(text, src.span.start);
            let lead = format!("{}{base}{}", style.nl, style.unit);
            (lead.clone(), format!("{}{base}", style.nl), format!(",{lead}"), ": ".to_string())
        }
        _ => (String::new(), String::new(), ", ".to_string(), ": ".to_string()),
    };
    // New values sit at their line's indentation (or on one line).
    let base = lead.rfind('\n').map(|i| lead[i + 1..].to_string());
    out.push(open_c);
    out.push_str(&lead);
    let mut prev: Option<usize> = None;
    for (n, piece) in pieces.iter().enumerate() {
        let here = match piece {
            Piece::Kept(i) | Piece::Changed(i, _) => Some(*i),
            Piece::New(..) => None,
        };
        if n > 0 {
            match (prev, here) {
                (Some(a), Some(b)) if b == a + 1 => {
                    out.push_str(&text[spans[a].1.end..spans[b].0.start]);
                }
                _ => out.push_str(&sep),
            }
        }
        match piece {
            Piece::Kept(i) => out.push_str(&text[spans[*i].0.start..spans[*i].1.end]),
            Piece::Changed(i, v) => {
                out.push_str(&text[spans[*i].0.start..spans[*i].1.start]);
                let (old, old_src) = values[*i];
                splice(text, old, old_src, v, style, out);
            }
            Piece::New(k, v) => {
                if let Some(k) = k {
                    quote(k, out);
                    out.push_str(&kv);
                }
                fresh(v, base.as_deref(), style, out);
            }
        }
        prev = here;
    }
    out.push_str(&trail);
    out.push(close_c);
}

/// The value of `key` in `pairs`, inserted at the end as `default()` when
/// missing.
pub fn entry<'a>(
    pairs: &'a mut Vec<(String, Json)>,
    key: &str,
    default: impl FnOnce() -> Json,
) -> &'a mut Json {
    let at = match pairs.iter().position(|(k, _)| k == key) {
        Some(i) => i,
        None => {
            pairs.push((key.to_string(), default()));
            pairs.len() - 1
        }
    };
    &mut pairs[at].1
}

/// Sets `key` to `value` in `pairs`: in its place when present, else at the end.
pub fn set(pairs: &mut Vec<(String, Json)>, key: &str, value: Json) {
    *entry(pairs, key, || Json::Null) = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with `edit` applied to its top-level object, as installed.
    fn edited(text: &str, edit: impl FnOnce(&mut Vec<(String, Json)>)) -> String {
        let doc = Document::parse(text).unwrap();
        let mut value = doc.value.clone();
        edit(value.as_object_mut().unwrap());
        doc.render(&value)
    }

    #[test]
    fn keeps_key_order_and_prints_like_serde_json() {
        let text = "{\n  \"z\": 1,\n  \"a\": [true, null, 2.5, \"x\"],\n  \"m\": {}\n}";
        let doc = Json::parse(text).unwrap();
        assert_eq!(
            doc.to_pretty("  ", false),
            "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null,\n    2.5,\n    \"x\"\n  ],\n  \"m\": {}\n}"
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_last_value() {
        let doc = Json::parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(doc.to_pretty("", false).replace('\n', ""), r#"{"a": 3,"b": 2}"#);
    }

    #[test]
    fn indent_is_taken_from_the_file() {
        assert_eq!(indent_of("{\n    \"a\": 1\n}"), "    ");
        assert_eq!(indent_of("{\n\t\"a\": 1\n}"), "\t");
        assert_eq!(indent_of("{\"a\": 1}"), "  ");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let e = Json::parse(&text).unwrap_err();
        assert_eq!(e.message, "nested too deep");
        assert!(Json::parse(&format!("{}{}", "[".repeat(128), "]".repeat(128))).is_ok());
    }

    #[test]
    fn what_serde_json_refuses_is_refused() {
        for bad in [
            "",
            "{",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "[1,]",
            "01",
            "1.",
            "-",
            "1e",
            "\"\\x\"",
            "\"a\nb\"",
            "\"\\ud800\"",
            "tru",
            "{} x",
            "{'a': 1}",
            "{\"a\": 1} // c",
        ] {
            assert!(Json::parse(bad).is_err(), "{bad:?} parsed");
            assert!(serde_json::from_str::<serde_json::Value>(bad).is_err(), "{bad:?}");
        }
        for good in
            ["0", "-0.5e+3", "\"\\ud83d\\ude00 \\u00e9\\n\"", "[]", "{\"\": null}", " true "]
        {
            let ours = Json::parse(good).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(good).unwrap();
            if let (Json::String(a), serde_json::Value::String(b)) = (&ours, &theirs) {
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn errors_say_where() {
        let e = Json::parse("{\n  \"a\": 1,,\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 10), "{e}");
        assert_eq!(e.to_string(), "expected a key at line 2 column 10");
    }

    #[test]
    fn an_unchanged_document_is_its_own_text() {
        let text =
            "\u{feff}{ \"n\" : 12345678901234567890123 ,\r\n\"f\":1.10,\"s\":\"\\u00e9\" }\r\n";
        assert_eq!(edited(text, |_| {}), text);
    }

    #[test]
    fn only_the_changed_value_is_spliced_in() {
        let text = "\u{feff}{\r\n    \"big\": 12345678901234567890123,\r\n    \"f\": 0.1000000000000000055511151231257827,\r\n    \"e\": \"\\u00e9\",\r\n    \"x\": {\"keep\": 1e400, \"v\": \"old\"}\r\n}";
        let out = edited(text, |top| {
            let x = entry(top, "x", || Json::Null).as_object_mut().unwrap();
            set(x, "v", Json::str("new"));
        });
        assert_eq!(out, text.replace("\"old\"", "\"new\""));
    }

    #[test]
    fn a_new_member_takes_the_files_layout() {
        let text = "{\r\n\t\"a\": 1.50,\r\n\t\"b\": [ ]\r\n}\r\n";
        let out = edited(text, |top| {
            set(top, "c", Json::object(vec![("d", Json::Array(vec![Json::str("x")]))]));
        });
        assert_eq!(
            out,
            "{\r\n\t\"a\": 1.50,\r\n\t\"b\": [ ],\r\n\t\"c\": {\r\n\t\t\"d\": [\r\n\t\t\t\"x\"\r\n\t\t]\r\n\t}\r\n}\r\n"
        );
        // A file on one line stays on one line.
        let out = edited(r#"{"a":{}}"#, |top| {
            let a = entry(top, "a", || Json::Null).as_object_mut().unwrap();
            set(a, "k", Json::Array(vec![Json::str("x"), Json::str("y")]));
        });
        assert_eq!(out, r#"{"a":{"k": ["x", "y"]}}"#);
        // An empty object in a multi-line file opens up at its line's indent.
        let out = edited("{\n  \"m\": {}\n}", |top| {
            let m = entry(top, "m", || Json::Null).as_object_mut().unwrap();
            set(m, "k", Json::str("v"));
        });
        assert_eq!(out, "{\n  \"m\": {\n    \"k\": \"v\"\n  }\n}");
    }

    #[test]
    fn array_edits_keep_the_elements_they_do_not_touch() {
        let text = "[\n  {\"a\": 1,  \"keep\": 1.0},\n  2,\n  {\"b\": 3}\n]";
        let doc = Document::parse(text).unwrap();
        let Json::Array(mut items) = doc.value.clone() else { panic!() };
        // Change the first element's `a`, remove the second, append one.
        if let Json::Object(pairs) = &mut items[0] {
            set(pairs, "a", Json::str("changed"));
        }
        items.remove(1);
        items.push(Json::Null);
        let out = doc.render(&Json::Array(items));
        assert_eq!(out, "[\n  {\"a\": \"changed\",  \"keep\": 1.0},\n  {\"b\": 3},\n  null\n]");
        // Inserting at the front.
        let doc = Document::parse("[1, 2]").unwrap();
        let out = doc.render(&Json::Array(vec![
            Json::Null,
            Json::Number("1".into()),
            Json::Number("2".into()),
        ]));
        assert_eq!(out, "[null, 1, 2]");
        // Emptied.
        assert_eq!(Document::parse("[ 1 ]").unwrap().render(&Json::Array(vec![])), "[]");
    }

    #[test]
    fn a_repeated_key_is_changed_where_it_counts() {
        let text = r#"{"a": 1, "b": 2, "a": 3}"#;
        let out = edited(text, |top| set(top, "a", Json::str("x")));
        assert_eq!(out, r#"{"a": 1, "b": 2, "a": "x"}"#);
    }
}
