//! The summary index: a [`Summary`] of every list, keyed by the ref target
//! it was read at, in one file under the common git directory
//! (`<common>/tasklist-index/<namespace>`), shared by every worktree and
//! never under `refs/`, so nothing pushes or fetches it.
//!
//! It is derived data only, like git's commit-graph: every read takes the
//! namespace's ref targets (packed-refs parsed once, loose ref files only
//! where they exist) and serves a list from the index only when its entry
//! was read at the target the ref has now; any other list is read from git
//! and the index rewritten. A missing, truncated, corrupt (checksum),
//! foreign (namespace, object format) or other-version file is ignored and
//! rebuilt. Writes go to a temporary file renamed over the old one, so a
//! reader sees the old or the new file, never a torn one; two writers
//! racing lose one's update, which costs the next reader a re-read, never a
//! wrong answer. Entries over [`MAX_BODY`] bytes and unreadable lists are
//! not kept (they are read every time), so the file is bounded by the
//! number of lists. Deleting it is always safe.
//!
//! Format (little-endian): magic `TLSUMIDX`, version `u32`, hash length
//! `u8`, namespace (`u16` length + bytes), entry count `u32`, the entries
//! sorted by id, then a 64-bit checksum of everything before it. An entry:
//! id (`u8` length + bytes), target and tip (hash length each), body
//! length `u32` and body: title, archived `u8`, branch, updated (seconds
//! `i64`, nanoseconds `u32`), five status counts `u32`, first ready task,
//! in-progress count `u32` and per task its id and owner. Strings are a
//! `u32` length and UTF-8; optional strings a `u8` tag first.

use std::collections::HashMap;
use std::path::PathBuf;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::error::{StoreResult, git_err};
use super::open::Store;
use super::read::ListEntry;
use super::types::cid;
use crate::domain::id::CommitId;
use crate::domain::model::is_uuid;
use crate::domain::summary::{Held, Summary};

const MAGIC: &[u8; 8] = b"TLSUMIDX";
/// The format version; a file of another version is rebuilt.
const VERSION: u32 = 1;
/// Largest encoded summary kept; bigger ones are read every time.
const MAX_BODY: usize = 4096;
/// The directory under the common git directory.
pub const INDEX_DIR: &str = "tasklist-index";

/// A list's summary and the commit it was read at.
#[derive(Debug, Clone)]
pub struct Summarized {
    /// The summary.
    pub summary: Summary,
    /// The commit the list was read at.
    pub tip: CommitId,
}

/// One entry of the summary index's answer (what [`crate::Tasklists::list`]
/// returns): a list's summary or why it cannot be read.
#[derive(Debug)]
pub struct SummaryEntry {
    /// The ref's name below the namespace.
    pub id: String,
    /// The summary, or the error reading the list.
    pub result: StoreResult<Summarized>,
}

/// A list served from the index file (borrowed) or read now. Rows live
/// for one read; boxing the larger variant would cost an allocation per
/// fresh list for nothing.
#[allow(clippy::large_enum_variant)]
enum Row<'a> {
    Cached {
        id: &'a str,
        target: &'a [u8],
        tip: &'a [u8],
        body: &'a [u8],
    },
    /// `body` is the encoded summary when it is kept in the index.
    Fresh {
        id: String,
        target: ObjectId,
        result: StoreResult<Summarized>,
        body: Option<Vec<u8>>,
    },
}

impl Store {
    /// Every list's summary, sorted by id, served from the summary index
    /// where the list's ref still points where it was read, read from git
    /// otherwise (and the index brought up to date); unreadable lists carry
    /// their error, as in [`Store::list_all_but`].
    pub fn summaries(&self) -> StoreResult<Vec<SummaryEntry>> {
        let buf = self.read_index();
        let (rows, odd) = self.rows(&buf)?;
        let mut out: Vec<SummaryEntry> = Vec::with_capacity(rows.len());
        for row in rows {
            match row {
                Row::Cached { id, target, tip, body } => {
                    let decoded = decode_summary(id, body).zip(ObjectId::try_from(tip).ok());
                    let result = match (decoded, ObjectId::try_from(target)) {
                        (Some((summary, tip)), _) => Ok(Summarized { summary, tip: cid(&tip) }),
                        // A damaged entry is read again.
                        (None, Ok(target)) => self.summarize(&self.local(), id, target),
                        (None, Err(e)) => Err(git_err("reading the summary index", e)),
                    };
                    out.push(SummaryEntry { id: id.to_string(), result });
                }
                Row::Fresh { id, result, .. } => out.push(SummaryEntry { id, result }),
            }
        }
        if odd {
            let odd = self.odd_entries(out.iter().map(|e| e.id.as_str()))?;
            out.extend(odd);
            out.sort_by(|a, b| a.id.cmp(&b.id));
        }
        Ok(out)
    }

    /// The ids of the lists titled exactly `title`, sorted, from the index
    /// where it is current (only titles are decoded).
    pub fn ids_titled(&self, title: &str) -> StoreResult<Vec<String>> {
        let buf = self.read_index();
        let (rows, odd) = self.rows(&buf)?;
        let mut hits = Vec::new();
        if odd {
            let served = rows.iter().map(|r| match r {
                Row::Cached { id, .. } => *id,
                Row::Fresh { id, .. } => id.as_str(),
            });
            for e in self.odd_entries(served)? {
                if e.result.is_ok_and(|s| s.summary.title == title && is_uuid(&e.id)) {
                    hits.push(e.id);
                }
            }
        }
        for row in rows {
            match row {
                Row::Cached { id, body, .. } => {
                    if read_str(&mut Cursor(body)) == Some(title) {
                        hits.push(id.to_string());
                    }
                }
                Row::Fresh { id, result: Ok(s), .. } if s.summary.title == title => hits.push(id),
                Row::Fresh { .. } => {}
            }
        }
        hits.sort();
        Ok(hits)
    }

    /// The lists under the namespace that are not plain (a name that is
    /// not an id, a nested ref, a ref file that cannot be decoded, a
    /// symbolic ref, a tag), read and reported by [`Store::list_all_but`]'s rules.
    fn odd_entries<'a>(
        &self,
        plain: impl Iterator<Item = &'a str>,
    ) -> StoreResult<Vec<SummaryEntry>> {
        let served: std::collections::HashSet<&str> = plain.collect();
        let odd = self.list_all_but(|id| served.contains(id))?;
        Ok(odd
            .into_iter()
            .map(|ListEntry { id, result }| SummaryEntry {
                id,
                result: result.map(|s| Summarized { summary: Summary::of(&s.list), tip: s.tip }),
            })
            .collect())
    }

    /// Where this namespace's index lives.
    fn index_path(&self) -> PathBuf {
        self.common_dir.join(INDEX_DIR).join(self.namespace.replace('/', "%"))
    }

    /// The index file's bytes (empty when there is none).
    fn read_index(&self) -> Vec<u8> {
        std::fs::read(self.index_path()).unwrap_or_default()
    }

    /// The plain lists (sorted by id) as rows, and whether odd refs exist
    /// under the namespace; writes the index when a list was read.
    fn rows<'a>(&self, buf: &'a [u8]) -> StoreResult<(Vec<Row<'a>>, bool)> {
        let repo = self.local();
        let hash_len = repo.object_hash().len_in_bytes();
        let (tips, odd) = self.plain_tips(&repo)?;
        let cached = parse_index(buf, hash_len, &self.namespace).unwrap_or_default();
        let mut rows = Vec::with_capacity(tips.len());
        let mut changed = false;
        let mut k = 0;
        for (id, target) in tips {
            while k < cached.len() && cached[k].0 < id.as_str() {
                k += 1;
                changed = true;
            }
            if let Some(&(cid_, t, tip, body)) = cached.get(k).filter(|c| c.0 == id.as_str()) {
                k += 1;
                if t == target.as_bytes() {
                    rows.push(Row::Cached { id: cid_, target: t, tip, body });
                    continue;
                }
                // A stale entry goes, whatever the read gives now.
                changed = true;
            }
            let result = self.summarize(&repo, &id, target);
            let body = result.as_ref().ok().and_then(|s| {
                let mut body = Vec::new();
                encode_summary(&s.summary, &mut body);
                (body.len() <= MAX_BODY && id.len() <= 255 && s.tip.as_bytes().len() == hash_len)
                    .then_some(body)
            });
            changed |= body.is_some();
            rows.push(Row::Fresh { id, target, result, body });
        }
        changed |= k < cached.len();
        if changed {
            // Best effort: the index only saves work.
            let _ = self.write_index(&rows, hash_len);
        }
        Ok((rows, odd))
    }

    /// Reads list `id` at ref target `target` (peeling a tag if the ref
    /// holds one) and summarises it.
    fn summarize(
        &self,
        repo: &gix::Repository,
        id: &str,
        target: ObjectId,
    ) -> StoreResult<Summarized> {
        let snap = match self.read_with(repo, id, target) {
            Ok(s) => s,
            Err(e) => match self.tip_with(repo, id)? {
                Some(peeled) if peeled != target => self.read_with(repo, id, peeled)?,
                _ => return Err(e),
            },
        };
        Ok(Summarized { summary: Summary::of(&snap.list), tip: snap.tip })
    }

    /// The ref targets of the lists directly under the namespace whose
    /// refs are plain (an id naming a ref that holds an object id), sorted
    /// by id; `true` when anything else is there too. packed-refs is parsed
    /// once; loose refs are read only where their files exist.
    fn plain_tips(&self, repo: &gix::Repository) -> StoreResult<(Vec<(String, ObjectId)>, bool)> {
        let dir = format!("{}/", self.namespace);
        if !self.refs.is_files() {
            return self.listed_tips(repo, &dir);
        }
        let mut odd = false;
        let mut tips: HashMap<String, Option<ObjectId>> = HashMap::new();
        let packed =
            repo.refs.cached_packed_buffer().map_err(|e| git_err("reading packed refs", e))?;
        let mut sorted: Vec<(String, ObjectId)> = Vec::new();
        if let Some(packed) = &packed {
            let iter = packed
                .iter_prefixed(dir.clone().into())
                .map_err(|e| git_err("reading packed refs", e))?;
            for r in iter {
                let Ok(r) = r else {
                    odd = true;
                    continue;
                };
                let name = r.name.as_bstr();
                let plain = name
                    .strip_prefix(dir.as_bytes())
                    .and_then(|id| id.to_str().ok())
                    .filter(|id| is_uuid(id) && r.object.is_none());
                let target = plain.and_then(|_| ObjectId::from_hex(r.target).ok());
                match (plain, target) {
                    (Some(id), Some(t)) => sorted.push((id.to_string(), t)),
                    _ => odd = true,
                }
            }
        }
        let loose_dir = self.common_dir.join(&self.namespace);
        if let Ok(entries) = std::fs::read_dir(&loose_dir) {
            for e in entries.flatten() {
                let name = e.file_name();
                let Some(name) = name.to_str() else {
                    odd = true;
                    continue;
                };
                if name.ends_with(".lock") {
                    continue;
                }
                let is_file = e.file_type().is_ok_and(|t| t.is_file());
                let target = if is_file && is_uuid(name) {
                    std::fs::read(e.path()).ok().and_then(|text| {
                        ObjectId::from_hex(text.trim_ascii()).ok().filter(|_| text.len() < 80)
                    })
                } else {
                    None
                };
                if target.is_none() {
                    odd = true;
                }
                // A loose ref overrides its packed copy.
                tips.insert(name.to_string(), target);
            }
        }
        if !tips.is_empty() {
            sorted.retain(|(id, _)| !tips.contains_key(id));
            sorted.extend(tips.into_iter().filter_map(|(id, t)| t.map(|t| (id, t))));
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok((sorted, odd))
    }

    /// [`Store::plain_tips`] through the ref backend's own listing, where
    /// refs are not files (reftable: one `git for-each-ref`). A ref whose
    /// name is not an id directly under the namespace, or that cannot be
    /// peeled, is left to the full reader, as with files.
    fn listed_tips(
        &self,
        repo: &gix::Repository,
        dir: &str,
    ) -> StoreResult<(Vec<(String, ObjectId)>, bool)> {
        let mut odd = false;
        let mut sorted: Vec<(String, ObjectId)> = Vec::new();
        for listed in self.refs.list(repo, dir)? {
            let id = listed.name.strip_prefix(dir).filter(|id| is_uuid(id));
            match (id, listed.tip) {
                (Some(id), Ok(tip)) => sorted.push((id.to_string(), tip)),
                _ => odd = true,
            }
        }
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((sorted, odd))
    }

    /// Writes the index of `rows` to a temporary file renamed over the old one.
    fn write_index(&self, rows: &[Row<'_>], hash_len: usize) -> std::io::Result<()> {
        let mut out = Vec::with_capacity(64 + rows.len() * 160);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(hash_len as u8);
        let ns = self.namespace.as_bytes();
        out.extend_from_slice(&(ns.len() as u16).to_le_bytes());
        out.extend_from_slice(ns);
        let count_at = out.len();
        out.extend_from_slice(&0u32.to_le_bytes());
        let mut count = 0u32;
        for row in rows {
            let (id, target, tip, body) = match row {
                Row::Cached { id, target, tip, body } => (*id, *target, *tip, *body),
                Row::Fresh { id, target, result: Ok(s), body: Some(body) } => {
                    (id.as_str(), target.as_bytes(), s.tip.as_bytes(), body.as_slice())
                }
                Row::Fresh { .. } => continue,
            };
            if body.len() > MAX_BODY || id.len() > 255 || tip.len() != hash_len {
                continue;
            }
            out.push(id.len() as u8);
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(target);
            out.extend_from_slice(tip);
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(body);
            count += 1;
        }
        out[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        let path = self.index_path();
        let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent"))?;
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
        std::io::Write::write_all(&mut tmp, &out)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        // Those of writers killed mid-write.
        crate::util::file::remove_stale_temps(dir, ".tmp-");
        Ok(())
    }
}

/// The entries of an index file, `(id, target, tip, body)` sorted by id;
/// `None` when it is missing, torn, corrupt or of another kind.
#[allow(clippy::type_complexity)]
fn parse_index<'a>(
    buf: &'a [u8],
    hash_len: usize,
    namespace: &str,
) -> Option<Vec<(&'a str, &'a [u8], &'a [u8], &'a [u8])>> {
    let (data, sum) = buf.split_at_checked(buf.len().checked_sub(8)?)?;
    if checksum(data).to_le_bytes() != sum {
        return None;
    }
    let mut c = Cursor(data);
    if c.take(8)? != MAGIC || c.u32()? != VERSION || usize::from(c.u8()?) != hash_len {
        return None;
    }
    let ns_len = u16::from_le_bytes(c.take(2)?.try_into().ok()?);
    if c.take(usize::from(ns_len))? != namespace.as_bytes() {
        return None;
    }
    let count = c.u32()? as usize;
    let mut out = Vec::with_capacity(count.min(data.len() / 32));
    let mut last: &str = "";
    for _ in 0..count {
        let id_len = usize::from(c.u8()?);
        let id = std::str::from_utf8(c.take(id_len)?).ok()?;
        if id <= last && !out.is_empty() {
            return None;
        }
        last = id;
        let target = c.take(hash_len)?;
        let tip = c.take(hash_len)?;
        let body_len = c.u32()? as usize;
        out.push((id, target, tip, c.take(body_len)?));
    }
    c.0.is_empty().then_some(out)
}

/// A reader over a byte slice; every read is `None` past the end.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes)
    }
    fn i64(&mut self) -> Option<i64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(i64::from_le_bytes)
    }
}

fn read_str<'a>(c: &mut Cursor<'a>) -> Option<&'a str> {
    let n = c.u32()? as usize;
    std::str::from_utf8(c.take(n)?).ok()
}

fn read_opt<'a>(c: &mut Cursor<'a>) -> Option<Option<&'a str>> {
    match c.u8()? {
        0 => Some(None),
        1 => read_str(c).map(Some),
        _ => None,
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn encode_summary(s: &Summary, out: &mut Vec<u8>) {
    put_str(out, &s.title);
    out.push(u8::from(s.archived));
    put_opt(out, s.branch.as_deref());
    out.extend_from_slice(&s.updated.timestamp().to_le_bytes());
    out.extend_from_slice(&s.updated.timestamp_subsec_nanos().to_le_bytes());
    for n in s.counts {
        out.extend_from_slice(&n.to_le_bytes());
    }
    put_opt(out, s.first_ready.as_deref());
    out.extend_from_slice(&(s.in_progress.len() as u32).to_le_bytes());
    for h in &s.in_progress {
        put_str(out, &h.task);
        put_opt(out, h.owner.as_deref());
    }
}

fn decode_summary(id: &str, body: &[u8]) -> Option<Summary> {
    let mut c = Cursor(body);
    let title = read_str(&mut c)?.to_string();
    let archived = match c.u8()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let branch = read_opt(&mut c)?.map(String::from);
    let (secs, nanos) = (c.i64()?, c.u32()?);
    let updated = chrono::DateTime::from_timestamp(secs, nanos)?;
    let mut counts = [0u32; 5];
    for n in &mut counts {
        *n = c.u32()?;
    }
    let first_ready = read_opt(&mut c)?.map(String::from);
    let held = c.u32()? as usize;
    let mut in_progress = Vec::with_capacity(held.min(body.len()));
    for _ in 0..held {
        let task = read_str(&mut c)?.to_string();
        let owner = read_opt(&mut c)?.map(String::from);
        in_progress.push(Held { task, owner });
    }
    c.0.is_empty().then(|| Summary {
        id: id.to_string(),
        title,
        archived,
        branch,
        updated,
        counts,
        first_ready,
        in_progress,
    })
}

/// A fast 64-bit checksum (eight bytes a step), enough to catch a torn,
/// truncated or hand-edited file.
fn checksum(data: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = K ^ data.len() as u64;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_round_trips_and_damage_is_refused() {
        let s = Summary {
            id: "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e".into(),
            title: "Migrate ✓".into(),
            archived: true,
            branch: Some("main".into()),
            updated: chrono::DateTime::from_timestamp(1_767_225_600, 5).unwrap(),
            counts: [1, 2, 3, 4, 5],
            first_ready: Some("t1".into()),
            in_progress: vec![
                Held { task: "t2".into(), owner: None },
                Held { task: "t3".into(), owner: Some("s".into()) },
            ],
        };
        let mut body = Vec::new();
        encode_summary(&s, &mut body);
        assert_eq!(decode_summary(&s.id, &body).as_ref(), Some(&s));
        for cut in 0..body.len() {
            assert!(decode_summary(&s.id, &body[..cut]).is_none(), "cut at {cut}");
        }
        assert_ne!(checksum(b"abcdefgh1"), checksum(b"abcdefgh2"));
        assert!(parse_index(b"short", 20, "refs/tasklists").is_none());
    }
}
