//! The summary index: a [`Summary`] of every list, keyed by the ref target
//! it was read at, in one file under the common git directory
//! (`<common>/tasklist-index/<namespace>`), shared by every worktree and
//! never under `refs/`, so nothing pushes or fetches it.
//!
//! It is derived data only, like git's commit-graph: every read checks
//! the namespace's ref targets and serves a list from the index only when
//! its entry was read at the target the ref has now; any other list is read
//! from git and the index rewritten. A missing, damaged (checksums),
//! foreign (namespace, object format) or other-version file is ignored and
//! rebuilt. Writes go to a temporary file renamed over the old one, so a
//! reader sees the old or the new file, never a torn one; two writers
//! racing lose one's update, which costs the next reader a re-read, never a
//! wrong answer. Entries over [`MAX_BODY`] bytes and unreadable lists are
//! kept without a summary (read every time), so the files are bounded by
//! the number of lists. Deleting them is always safe.
//!
//! Two files. The main file holds the lists whose refs were packed when it
//! was written (on the files backend; every list on others) and the
//! identity of `packed-refs` then (size, times to the nanosecond, inode,
//! device). The journal beside it holds the lists whose refs are loose
//! files, for that main file. A check is full (packed-refs parsed once,
//! every target compared, both files rewritten when anything differs)
//! unless `packed-refs` has the recorded identity and had it for longer
//! than [`RACY_SECS`] when recorded (a change within the same timestamp
//! tick would otherwise go unseen, as in git's racy-index rule): then the
//! packed refs are as recorded, and only the loose ref files (one
//! directory listing, a few small files) are compared, with the journal;
//! only the journal is rewritten, so a write of ours costs a small file.
//! A loose ref that hid a packed copy when the main file was written must
//! still be there (else the check is full).
//!
//! The main file (little-endian): magic `TLSUMIDX`, version `u32`, hash
//! length `u8`, namespace (`u16` length + bytes), nonce `u64` (the journal
//! names it), the `packed-refs` identity, trusted `u8`, packed refs that
//! are not plain lists `u8`, four sections (offset and length `u64`: the
//! lists not archived, the lists kept without a summary, the archived
//! lists, the titles table), the titles table's checksum, the hidden lists
//! (`u32` count, ids), the header's checksum; then the sections. A section
//! is records sorted by id, each with its own checksum: payload length
//! `u32`, payload (id length `u8`, id, target, kept `u8`, then tip and
//! body), checksum `u64`. So a title lookup reads the titles table (a
//! 64-bit FNV hash of the title and a record's offset, sorted) and the
//! records it names; the session-start index reads only the lists not
//! archived. A body: title, archived `u8`, branch, updated (seconds `i64`,
//! nanoseconds `u32`), five status counts `u32`, first ready task,
//! in-progress count `u32` and per task its id and owner. Strings are a
//! `u32` length and UTF-8; optional strings a `u8` tag first. The journal:
//! magic `TLSUMJNL`, version, hash length, namespace, the main file's
//! nonce, records, a checksum of everything before it.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::error::{StoreResult, git_err};
use super::open::Store;
use super::read::ListEntry;
use super::refs::{Stamp, stable_listing};
use super::types::cid;
use crate::domain::id::CommitId;
use crate::domain::model::is_uuid;
use crate::domain::summary::{Held, Summary};

const MAGIC: &[u8; 8] = b"TLSUMIDX";
const JOURNAL_MAGIC: &[u8; 8] = b"TLSUMJNL";
/// The format version; a file of another version is rebuilt.
const VERSION: u32 = 2;
/// Largest encoded summary kept; bigger ones are read every time.
const MAX_BODY: usize = 4096;
/// The directory under the common git directory.
pub const INDEX_DIR: &str = "tasklist-index";
/// A `packed-refs` changed less than this many seconds before it was
/// looked at is not trusted by its identity alone (racy timestamps).
const RACY_SECS: i64 = 2;
/// The most bytes a header can take (the namespace is at most `u16::MAX`).
const MAX_HEAD: u64 = 70_000;
/// Sections of the main file, in file order.
const OPEN: usize = 0;
const BARE: usize = 1;
const ARCHIVED: usize = 2;
const TITLES: usize = 3;

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

/// What the summary index did in this process so far: lists read from git,
/// lists served from the index, and full checks (every ref target compared)
/// as opposed to checks that trusted `packed-refs`' unchanged identity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Lists read from git (their ref moved, or they were not indexed).
    pub read: u64,
    /// Lists served from the index.
    pub served: u64,
    /// Reads that compared every ref target with the index.
    pub full_checks: u64,
}

/// Which lists a read must produce. Any read may produce more (a full
/// check produces every list); callers filter.
#[derive(Debug, Clone, Copy)]
enum Want<'t> {
    All,
    /// Every list not known to be archived.
    Open,
    /// Every list that may be titled so.
    Titled(&'t str),
}

/// A list served from the index (borrowed) or read now (boxed: rows are
/// moved and sorted, and nearly all are served). `loose`: the ref is a
/// loose ref file (it goes to the journal, not the main file).
enum Row<'a> {
    Cached { id: &'a str, target: &'a [u8], tip: &'a [u8], body: &'a [u8], loose: bool },
    Fresh(Box<Fresh>),
}

/// A list read now; `body` is the encoded summary when it is kept.
struct Fresh {
    id: String,
    target: ObjectId,
    result: StoreResult<Summarized>,
    body: Option<Vec<u8>>,
    loose: bool,
}

impl Row<'_> {
    fn id(&self) -> &str {
        match self {
            Row::Cached { id, .. } => id,
            Row::Fresh(f) => &f.id,
        }
    }
    fn loose(&self) -> bool {
        match self {
            Row::Cached { loose, .. } => *loose,
            Row::Fresh(f) => f.loose,
        }
    }
    /// `(id, target, tip, body)` when the row is kept in the index.
    fn kept(&self) -> Option<Kept<'_>> {
        match self {
            Row::Cached { id, target, tip, body, .. } => Some((id, target, tip, body)),
            Row::Fresh(f) => match (&f.result, &f.body) {
                (Ok(s), Some(body)) => Some((&f.id, f.target.as_bytes(), s.tip.as_bytes(), body)),
                _ => None,
            },
        }
    }
}

/// `packed-refs`' identity now and whether it is too recent to be trusted
/// (always, off Unix, where the identity is too thin: every read checks
/// fully there); `None` where it cannot be told (a failed `stat`).
fn packed_stamp(path: &Path) -> Option<(Stamp, bool)> {
    // The clock is read first: any change after the stat is newer than it.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
    let now = i64::try_from(now.as_secs()).ok()?;
    let stamp = Stamp::of(path)?;
    // A later change gets a later mtime (or, if the mtime is set back by
    // hand, a later ctime, which is compared too).
    let racy = !cfg!(unix) || (stamp.present && stamp.mtime.0.saturating_add(RACY_SECS) >= now);
    Some((stamp, racy))
}

/// Lists read at once from this many on are read on [`READ_THREADS`]
/// threads (a cold index, a fetch that moved thousands).
const PARALLEL_READS: usize = 256;
/// Threads that read lists (machines with two cores are common).
const READ_THREADS: usize = 2;

/// The main file's header.
#[derive(Debug, Clone)]
struct Head {
    nonce: u64,
    stamp: Stamp,
    /// The stamp may stand for the packed refs (files backend, not racy).
    trusted: bool,
    /// `packed-refs` held refs under the namespace that are not plain lists.
    packed_odd: bool,
    /// `(offset, length)` of each section.
    sections: [(u64, u64); 4],
    titles_sum: u64,
    /// Lists whose loose ref hid a packed copy when the file was written:
    /// the packed copy is not in the file, so each must still be loose.
    hidden: Vec<String>,
}

/// What one read of the index loaded from disk, decided before any list
/// is read: the main file's header and the parts wanted, the journal.
struct Loaded {
    head: Option<Head>,
    /// `packed-refs`' identity before anything was read, and racy.
    stamp: Option<(Stamp, bool)>,
    /// Whether the packed refs are trusted unchanged (see the module header).
    fast: bool,
    /// Runs of whole records from the main file.
    chunks: Vec<Vec<u8>>,
    journal: Vec<u8>,
    /// The plain loose refs (sorted by id), when `fast`.
    loose: Vec<(String, ObjectId)>,
}

impl Store {
    /// Every list's summary, sorted by id, served from the summary index
    /// where the list's ref still points where it was read, read from git
    /// otherwise (and the index brought up to date); unreadable lists carry
    /// their error, as in [`Store::list_all_but`].
    pub fn summaries(&self) -> StoreResult<Vec<SummaryEntry>> {
        self.summaries_of(Want::All)
    }

    /// [`Store::summaries`] of the lists that are not archived (the index
    /// skips archived ones unread; an archived list may still be in the
    /// answer, so filter on [`Summary::archived`]).
    pub fn open_summaries(&self) -> StoreResult<Vec<SummaryEntry>> {
        self.summaries_of(Want::Open)
    }

    fn summaries_of(&self, want: Want<'_>) -> StoreResult<Vec<SummaryEntry>> {
        let loaded = self.load_index(want, true)?;
        let (rows, odd) = self.rows(&loaded)?;
        let mut out: Vec<SummaryEntry> = Vec::with_capacity(rows.len());
        for row in rows {
            match row {
                Row::Cached { id, target, tip, body, .. } => {
                    let decoded = decode_summary(id, body).zip(ObjectId::try_from(tip).ok());
                    let result = match (decoded, ObjectId::try_from(target)) {
                        (Some((summary, tip)), _) => Ok(Summarized { summary, tip: cid(&tip) }),
                        // A damaged entry is read again.
                        (None, Ok(target)) => self.summarize(&self.local(), id, target),
                        (None, Err(e)) => Err(git_err("reading the summary index", e)),
                    };
                    out.push(SummaryEntry { id: id.to_string(), result });
                }
                Row::Fresh(f) => {
                    let Fresh { id, result, .. } = *f;
                    out.push(SummaryEntry { id, result });
                }
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
    /// where it is current (only titles are compared; with `packed-refs`
    /// unchanged, only the entries whose titles hash alike are read).
    pub fn ids_titled(&self, title: &str) -> StoreResult<Vec<String>> {
        let loaded = self.load_index(Want::Titled(title), true)?;
        let (rows, odd) = self.rows(&loaded)?;
        let mut hits = Vec::new();
        if odd {
            for e in self.odd_entries(rows.iter().map(Row::id))? {
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
                Row::Fresh(f) => {
                    if f.result.as_ref().is_ok_and(|s| s.summary.title == title) {
                        hits.push(f.id);
                    }
                }
            }
        }
        hits.sort();
        hits.dedup();
        Ok(hits)
    }

    /// What the summary index did in this process so far.
    pub fn index_stats(&self) -> IndexStats {
        let c = &self.index_counters;
        IndexStats {
            read: c.read.load(Ordering::Relaxed),
            served: c.served.load(Ordering::Relaxed),
            full_checks: c.full.load(Ordering::Relaxed),
        }
    }

    /// The lists under the namespace that are not plain (a name that is
    /// not an id, a nested ref, a ref file that cannot be decoded, a
    /// symbolic ref, a tag), read and reported by [`Store::list_all_but`]'s rules.
    fn odd_entries<'a>(
        &self,
        plain: impl Iterator<Item = &'a str>,
    ) -> StoreResult<Vec<SummaryEntry>> {
        let served: HashSet<&str> = plain.collect();
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

    /// Where the main file's journal lives: the lists whose refs are loose
    /// files, rewritten on its own so that a write of ours costs a small file.
    fn journal_path(&self) -> PathBuf {
        let mut name = self.namespace.replace('/', "%");
        name.push_str(".journal");
        self.common_dir.join(INDEX_DIR).join(name)
    }

    /// The repository's object format.
    fn object_hash(&self) -> gix::hash::Kind {
        self.local().object_hash()
    }

    fn packed_path(&self) -> PathBuf {
        self.common_dir.join("packed-refs")
    }

    /// Reads what a read of `want` needs from disk and settles whether the
    /// packed refs can be trusted unchanged (`fast`). `packed-refs`'
    /// identity is taken first, so a change after it only makes a later
    /// check full. With `use_main` false the main file is ignored (it is
    /// damaged).
    fn load_index(&self, want: Want<'_>, use_main: bool) -> StoreResult<Loaded> {
        let hash_len = self.object_hash().len_in_bytes();
        let stamp = if self.refs.is_files() { packed_stamp(&self.packed_path()) } else { None };
        let mut file = if use_main { std::fs::File::open(self.index_path()).ok() } else { None };
        let head = file.as_mut().and_then(|f| {
            let mut buf = Vec::new();
            f.take(MAX_HEAD).read_to_end(&mut buf).ok()?;
            parse_head(&buf, hash_len, &self.namespace)
        });
        let mut loaded = Loaded {
            head,
            stamp,
            fast: false,
            chunks: Vec::new(),
            journal: Vec::new(),
            loose: Vec::new(),
        };
        let (Some(head), Some(f)) = (loaded.head.clone(), file.as_mut()) else {
            return Ok(loaded);
        };
        loaded.journal = std::fs::read(self.journal_path()).unwrap_or_default();
        let unchanged = |stamp: Option<(Stamp, bool)>| stamp.is_some_and(|(s, _)| s == head.stamp);
        if head.trusted && unchanged(stamp) && !head.packed_odd {
            super::refs::mid_listing();
            let (loose, odd) = self.loose_tips();
            // `git pack-refs` writes `packed-refs`, then deletes the loose
            // refs it packed: if it ran since the stamp, loose refs may be
            // missing here that the old stamp's entries do not hold.
            let still = unchanged(packed_stamp(&self.packed_path()));
            let is_loose = |id: &String| loose.binary_search_by(|(l, _)| l.cmp(id)).is_ok();
            loaded.fast = still && !odd && head.hidden.iter().all(is_loose);
            loaded.loose = loose;
        }
        let wanted: &[usize] = match (loaded.fast, want) {
            (false, _) | (true, Want::All) => &[OPEN, BARE, ARCHIVED],
            (true, Want::Open) => &[OPEN, BARE],
            (true, Want::Titled(_)) => &[BARE, TITLES],
        };
        let mut ok = true;
        for &s in wanted {
            let (at, len) = head.sections[s];
            let Some(bytes) = read_at(f, at, len) else {
                ok = false;
                break;
            };
            if s != TITLES {
                ok &= parse_records(&bytes, hash_len).is_some();
                loaded.chunks.push(bytes);
                continue;
            }
            let Want::Titled(title) = want else { continue };
            ok &= checksum(&bytes) == head.titles_sum;
            for at in titled_at(&bytes, title) {
                match read_record_at(f, at).filter(|r| parse_records(r, hash_len).is_some()) {
                    Some(rec) => loaded.chunks.push(rec),
                    None => ok = false,
                }
            }
        }
        if !ok {
            return self.load_index(want, false);
        }
        Ok(loaded)
    }

    /// `packed-refs` opened afresh (not a cached copy, which could be older
    /// than the identity taken before), `None` when there is none.
    fn open_packed(&self) -> StoreResult<Option<gix::refs::packed::Buffer>> {
        let path = self.packed_path();
        match gix::refs::packed::Buffer::open(path.clone(), 32 * 1024, self.object_hash()) {
            Ok(b) => Ok(Some(b)),
            Err(_) if !path.exists() => Ok(None),
            Err(e) => Err(git_err("reading packed refs", e)),
        }
    }

    /// The plain lists as rows, sorted by id (see [`Want`] for which), and
    /// whether odd refs exist under the namespace; writes the index when a
    /// list was read.
    fn rows<'a>(&self, loaded: &'a Loaded) -> StoreResult<(Vec<Row<'a>>, bool)> {
        let hash_len = self.object_hash().len_in_bytes();
        let mut recs: Vec<Rec<'a>> = Vec::new();
        for chunk in &loaded.chunks {
            // Checked when loaded.
            recs.extend(parse_records_checked(chunk, hash_len, false).unwrap_or_default());
        }
        let journal = loaded
            .head
            .as_ref()
            .and_then(|h| parse_journal(&loaded.journal, hash_len, &self.namespace, h.nonce))
            .unwrap_or_default();
        if loaded.fast {
            return self.fast_rows(loaded, recs, &journal).map(|rows| (rows, false));
        }
        self.full_rows(loaded, recs, &journal)
    }

    /// Rows when the packed refs are unchanged since the main file was
    /// written: its entries stand for them, except where a loose ref now
    /// overrides one; loose refs are checked against the journal. Only the
    /// journal is rewritten.
    fn fast_rows<'a>(
        &self,
        loaded: &'a Loaded,
        recs: Vec<Rec<'a>>,
        journal: &[Rec<'a>],
    ) -> StoreResult<Vec<Row<'a>>> {
        let hash_len = self.object_hash().len_in_bytes();
        let by_id: HashMap<&str, &Rec<'a>> = journal.iter().map(|r| (r.id, r)).collect();
        // A journal entry with no loose ref now: that ref is gone.
        let mut changed = journal
            .iter()
            .any(|r| loaded.loose.binary_search_by(|(l, _)| l.as_str().cmp(r.id)).is_err());
        // Rows served from the index, and a gap (`None`) for each list to read.
        let mut slots: Vec<Option<Row<'a>>> = Vec::with_capacity(recs.len() + loaded.loose.len());
        let mut to_read: Vec<Tip> = Vec::new();
        let mut served = 0u64;
        for (id, target) in &loaded.loose {
            if let Some(Rec { id, target: t, kept: Some((tip, body)) }) =
                by_id.get(id.as_str()).copied().copied()
                && t == target.as_bytes()
            {
                slots.push(Some(Row::Cached { id, target: t, tip, body, loose: true }));
                served += 1;
                continue;
            }
            changed |= by_id.contains_key(id.as_str());
            to_read.push((id.clone(), *target, true));
            slots.push(None);
        }
        let is_loose =
            |id: &str| loaded.loose.binary_search_by(|(l, _)| l.as_str().cmp(id)).is_ok();
        for r in recs {
            if is_loose(r.id) {
                continue;
            }
            match r.kept {
                Some((tip, body)) => {
                    slots.push(Some(Row::Cached {
                        id: r.id,
                        target: r.target,
                        tip,
                        body,
                        loose: false,
                    }));
                    served += 1;
                }
                None => {
                    // Unreadable or too big to keep: read every time.
                    let Ok(target) = ObjectId::try_from(r.target) else { continue };
                    to_read.push((r.id.to_string(), target, false));
                    slots.push(None);
                }
            }
        }
        let read = to_read.len() as u64;
        let mut fresh = self.read_rows(to_read, hash_len).into_iter();
        let mut rows = Vec::with_capacity(slots.len());
        for slot in slots {
            let Some(row) = slot.or_else(|| fresh.next()) else { continue };
            // A loose list read now and kept goes to the journal.
            changed |= matches!(&row, Row::Fresh(f) if f.loose && f.body.is_some());
            rows.push(row);
        }
        rows.sort_by(|a, b| a.id().cmp(b.id()));
        rows.dedup_by(|a, b| a.id() == b.id());
        self.count(read, served, false);
        if changed && let Some(head) = &loaded.head {
            // Best effort: the index only saves work.
            let _ = self.write_journal(rows.iter().filter(|r| r.loose()), head.nonce, hash_len);
        }
        Ok(rows)
    }

    /// Rows when every ref target is compared with the index: the namespace's
    /// refs read (packed-refs parsed once, loose files where they exist, or
    /// the ref backend's listing); the main file and journal are rewritten
    /// when anything differs.
    fn full_rows<'a>(
        &self,
        loaded: &'a Loaded,
        recs: Vec<Rec<'a>>,
        journal: &[Rec<'a>],
    ) -> StoreResult<(Vec<Row<'a>>, bool)> {
        let repo = self.local();
        let hash_len = repo.object_hash().len_in_bytes();
        let (tips, hidden, packed_odd, odd) = self.plain_tips(&repo)?;
        // Back to the pool, for the reads below.
        drop(repo);
        let mut main: HashMap<&str, Rec<'a>> = recs.iter().map(|r| (r.id, *r)).collect();
        let mut side: HashMap<&str, Rec<'a>> = journal.iter().map(|r| (r.id, *r)).collect();
        // Rows served from the index, and a gap (`None`) for each list to
        // read, with what its entry was: (filed at all, filed bare at this target).
        let mut slots: Vec<Option<Row<'a>>> = Vec::with_capacity(tips.len());
        let mut to_read: Vec<Tip> = Vec::new();
        let mut filed_as: Vec<(bool, bool)> = Vec::new();
        let mut changed = false;
        let mut served = 0u64;
        for (id, target, loose) in tips {
            let from_main = main.remove(id.as_str());
            let from_side = side.remove(id.as_str());
            // Where the entry is filed must match where the ref is now.
            let (filed, other) =
                if loose { (from_side, from_main) } else { (from_main, from_side) };
            let current = |r: &Rec<'a>| r.target == target.as_bytes();
            let hit = [filed, other].into_iter().flatten().find(|r| current(r) && r.kept.is_some());
            if let Some(Rec { id, target, kept: Some((tip, body)) }) = hit {
                changed |= !filed.is_some_and(|f| current(&f) && f.kept.is_some());
                slots.push(Some(Row::Cached { id, target, tip, body, loose }));
                served += 1;
                continue;
            }
            filed_as
                .push((filed.is_some(), filed.is_some_and(|f| current(&f) && f.kept.is_none())));
            to_read.push((id, target, loose));
            slots.push(None);
        }
        let read = to_read.len() as u64;
        let mut fresh = self.read_rows(to_read, hash_len).into_iter().zip(filed_as);
        let mut rows = Vec::with_capacity(slots.len());
        for slot in slots {
            let Some(row) = slot.or_else(|| {
                let (row, (filed, filed_bare)) = fresh.next()?;
                changed |= match &row {
                    Row::Fresh(f) if f.body.is_some() => true,
                    // An unreadable packed list is filed bare in the main file.
                    Row::Fresh(f) if !f.loose => !filed_bare,
                    _ => filed,
                };
                Some(row)
            }) else {
                continue;
            };
            rows.push(row);
        }
        changed |= !main.is_empty() || !side.is_empty();
        self.count(read, served, true);
        let trusted = loaded.stamp.is_some_and(|(_, racy)| !racy);
        let stale = match (&loaded.head, loaded.stamp) {
            (Some(h), Some((s, _))) => {
                h.stamp != s || h.packed_odd != packed_odd || (trusted && !h.trusted)
            }
            (Some(_), None) => false,
            // No file yet: worth writing once there is a list.
            (None, _) => !rows.is_empty(),
        };
        if changed || stale {
            // Best effort: the index only saves work.
            let stamp = loaded.stamp.map(|(s, _)| s).unwrap_or_default();
            let mains = (stamp, trusted, packed_odd, hidden.as_slice());
            if let Ok(nonce) = self.write_main(&rows, mains, hash_len) {
                let _ = self.write_journal(rows.iter().filter(|r| r.loose()), nonce, hash_len);
            }
        }
        Ok((rows, odd))
    }

    /// Rows for the lists `tips` read now, in their order. Many are read
    /// on two threads, each a contiguous run (packed lists are deltas of
    /// their neighbours, which each thread's delta cache then holds).
    fn read_rows(&self, tips: Vec<Tip>, hash_len: usize) -> Vec<Row<'static>> {
        let threads = if tips.len() >= PARALLEL_READS {
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(READ_THREADS)
        } else {
            1
        };
        let run = |part: &[Tip]| -> Vec<Row<'static>> {
            let repo = self.local();
            part.iter()
                .map(|(id, target, loose)| self.fresh(&repo, id.clone(), *target, *loose, hash_len))
                .collect()
        };
        if threads <= 1 {
            return run(&tips);
        }
        let (first, rest) = tips.split_at(tips.len().div_ceil(threads));
        std::thread::scope(|s| {
            let other = s.spawn(|| run(rest));
            let mut rows = run(first);
            match other.join() {
                Ok(more) => rows.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            rows
        })
    }

    /// A row for list `id` read now at ref target `target`.
    fn fresh(
        &self,
        repo: &gix::Repository,
        id: String,
        target: ObjectId,
        loose: bool,
        hash_len: usize,
    ) -> Row<'static> {
        let result = self.summarize(repo, &id, target);
        let body = result.as_ref().ok().and_then(|s| {
            let mut body = Vec::new();
            encode_summary(&s.summary, &mut body);
            (body.len() <= MAX_BODY && id.len() <= 255 && s.tip.as_bytes().len() == hash_len)
                .then_some(body)
        });
        Row::Fresh(Box::new(Fresh { id, target, result, body, loose }))
    }

    fn count(&self, read: u64, served: u64, full: bool) {
        let c = &self.index_counters;
        c.read.fetch_add(read, Ordering::Relaxed);
        c.served.fetch_add(served, Ordering::Relaxed);
        c.full.fetch_add(u64::from(full), Ordering::Relaxed);
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

    /// The plain loose refs directly under the namespace (an id naming a
    /// file that holds an object id), sorted by id, and `true` when
    /// anything else is in that directory.
    fn loose_tips(&self) -> (Vec<(String, ObjectId)>, bool) {
        let (tips, odd, _) = self.loose_refs();
        (tips, odd)
    }

    /// [`Store::loose_tips`], plus the names of the entries that are not
    /// plain (they hide a packed ref of the same name).
    fn loose_refs(&self) -> (Vec<(String, ObjectId)>, bool, Vec<String>) {
        let mut odd = false;
        let mut shadow = Vec::new();
        let mut tips = Vec::new();
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
                match target {
                    Some(t) => tips.push((name.to_string(), t)),
                    None => {
                        odd = true;
                        shadow.push(name.to_string());
                    }
                }
            }
        }
        tips.sort_by(|a, b| a.0.cmp(&b.0));
        (tips, odd, shadow)
    }

    /// The ref targets of the lists directly under the namespace whose
    /// refs are plain (an id naming a ref that holds an object id), sorted
    /// by id, each with whether it is a loose ref file; then the lists
    /// whose loose ref hides a packed one, whether `packed-refs` holds
    /// anything else under the namespace, and whether anything else is
    /// there at all. packed-refs is parsed once; loose refs are read only
    /// where their files exist.
    #[allow(clippy::type_complexity)]
    fn plain_tips(
        &self,
        repo: &gix::Repository,
    ) -> StoreResult<(Vec<Tip>, Vec<String>, bool, bool)> {
        let dir = format!("{}/", self.namespace);
        if !self.refs.is_files() {
            let (tips, odd) = self.listed_tips(repo, &dir)?;
            let tips = tips.into_iter().map(|(id, t)| (id, t, false)).collect();
            return Ok((tips, Vec::new(), odd, odd));
        }
        stable_listing(&self.common_dir, || self.plain_tips_once(&dir))
    }

    /// One read of [`Store::plain_tips`] on the files backend, which may
    /// miss refs `git pack-refs` moved meanwhile.
    #[allow(clippy::type_complexity)]
    fn plain_tips_once(&self, dir: &str) -> StoreResult<(Vec<Tip>, Vec<String>, bool, bool)> {
        let mut packed_odd = false;
        let mut hidden = Vec::new();
        let mut sorted: Vec<Tip> = Vec::new();
        if let Some(packed) = self.open_packed()? {
            let iter =
                packed.iter_prefixed(dir.into()).map_err(|e| git_err("reading packed refs", e))?;
            for r in iter {
                let Ok(r) = r else {
                    packed_odd = true;
                    continue;
                };
                let name = r.name.as_bstr();
                let plain = name
                    .strip_prefix(dir.as_bytes())
                    .and_then(|id| id.to_str().ok())
                    .filter(|id| is_uuid(id) && r.object.is_none());
                let target = plain.and_then(|_| ObjectId::from_hex(r.target).ok());
                match (plain, target) {
                    (Some(id), Some(t)) => sorted.push((id.to_string(), t, false)),
                    _ => packed_odd = true,
                }
            }
        }
        super::refs::mid_listing();
        let (loose, loose_odd, shadow) = self.loose_refs();
        if !loose.is_empty() || !shadow.is_empty() {
            // A loose ref overrides its packed copy.
            let names: HashSet<&str> = loose
                .iter()
                .map(|(id, _)| id.as_str())
                .chain(shadow.iter().map(String::as_str))
                .collect();
            sorted.retain(|(id, _, _)| {
                let hid = names.contains(id.as_str());
                if hid {
                    hidden.push(id.clone());
                }
                !hid
            });
            sorted.extend(loose.iter().map(|(id, t)| (id.clone(), *t, true)));
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok((sorted, hidden, packed_odd, packed_odd || loose_odd))
    }

    /// [`Store::plain_tips`] through the ref backend's own listing, where
    /// refs are not files (reftable: one `ls-refs`). A ref whose name is
    /// not an id directly under the namespace, that is symbolic or that
    /// cannot be peeled, is left to the full reader, as with files.
    fn listed_tips(
        &self,
        repo: &gix::Repository,
        dir: &str,
    ) -> StoreResult<(Vec<(String, ObjectId)>, bool)> {
        let mut odd = false;
        let mut sorted: Vec<(String, ObjectId)> = Vec::new();
        for listed in self.refs.list(repo, dir)? {
            let id = listed.name.strip_prefix(dir).filter(|id| is_uuid(id) && !listed.symbolic);
            match (id, listed.tip) {
                (Some(id), Ok(tip)) => sorted.push((id.to_string(), tip)),
                _ => odd = true,
            }
        }
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((sorted, odd))
    }

    /// Writes the main file: the rows whose refs are packed (or, off the
    /// files backend, every row), by section, to a temporary file renamed
    /// over the old one; returns its nonce, which the journal names.
    fn write_main(
        &self,
        rows: &[Row<'_>],
        (stamp, trusted, packed_odd, hidden): (Stamp, bool, bool, &[String]),
        hash_len: usize,
    ) -> std::io::Result<u64> {
        let ns = self.namespace.as_bytes();
        let hidden_len: usize = hidden.iter().map(|id| 1 + id.len()).sum::<usize>() + 4;
        // Too many to keep in the header: every read checks fully.
        let (trusted, hidden) = if hidden_len > 60_000 || hidden.iter().any(|id| id.len() > 255) {
            (false, &[][..])
        } else {
            (trusted, hidden)
        };
        let hidden_len: usize = hidden.iter().map(|id| 1 + id.len()).sum::<usize>() + 4;
        let mut head = Vec::with_capacity(160 + ns.len());
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&VERSION.to_le_bytes());
        head.push(hash_len as u8);
        head.extend_from_slice(&(ns.len() as u16).to_le_bytes());
        head.extend_from_slice(ns);
        let head_len = head.len() + HEAD_FIXED + hidden_len;
        let mut sections: [Vec<u8>; 3] = Default::default();
        for row in rows.iter().filter(|r| !r.loose()) {
            // Every packed list is filed (a list missing here would be
            // missing from a trusted read): kept, or bare (read every time).
            match row.kept() {
                Some((id, target, tip, body))
                    if body.len() <= MAX_BODY && id.len() <= 255 && tip.len() == hash_len =>
                {
                    let mut c = Cursor(body);
                    let _title = read_str(&mut c);
                    let s = if c.u8() == Some(1) { ARCHIVED } else { OPEN };
                    put_record(&mut sections[s], id, target, Some((tip, body)));
                }
                _ => {
                    let (id, target) = match row {
                        Row::Cached { id, target, .. } => (*id, *target),
                        Row::Fresh(f) => (f.id.as_str(), f.target.as_bytes()),
                    };
                    if id.len() > 255 {
                        // Not a list id: nothing can be trusted without it.
                        return Err(std::io::Error::other("an id too long to index"));
                    }
                    put_record(&mut sections[BARE], id, target, None);
                }
            }
        }
        // Offsets: sections in the order OPEN, BARE, ARCHIVED, then TITLES.
        let open_at = head_len as u64;
        let bare_at = open_at + sections[OPEN].len() as u64;
        let archived_at = bare_at + sections[BARE].len() as u64;
        let titles_at = archived_at + sections[ARCHIVED].len() as u64;
        let mut titles: Vec<(u64, u64)> = Vec::new();
        for (s, base) in [(OPEN, open_at), (ARCHIVED, archived_at)] {
            let mut at = 0u64;
            for rec in parse_records(&sections[s], hash_len).unwrap_or_default() {
                let len = record_len(&rec);
                if let Some((_, body)) = rec.kept {
                    let title = read_str(&mut Cursor(body)).unwrap_or_default();
                    titles.push((fnv(title.as_bytes()), base + at));
                }
                at += len;
            }
        }
        let mut table = Vec::with_capacity(titles.len() * 16);
        titles.sort_unstable();
        for (h, at) in &titles {
            table.extend_from_slice(&h.to_le_bytes());
            table.extend_from_slice(&at.to_le_bytes());
        }
        // The same content gives the same file (the journal's entries are
        // checked against the refs anyway; the nonce only pairs the files).
        let mut sums = Vec::with_capacity(32);
        for part in [&sections[OPEN], &sections[BARE], &sections[ARCHIVED], &table] {
            sums.extend_from_slice(&checksum(part).to_le_bytes());
        }
        let nonce = checksum(&sums);
        head.extend_from_slice(&nonce.to_le_bytes());
        put_stamp(&mut head, &stamp);
        head.push(u8::from(trusted));
        head.push(u8::from(packed_odd));
        for (at, len) in [
            (open_at, sections[OPEN].len()),
            (bare_at, sections[BARE].len()),
            (archived_at, sections[ARCHIVED].len()),
            (titles_at, table.len()),
        ] {
            head.extend_from_slice(&at.to_le_bytes());
            head.extend_from_slice(&(len as u64).to_le_bytes());
        }
        head.extend_from_slice(&checksum(&table).to_le_bytes());
        head.extend_from_slice(&(hidden.len() as u32).to_le_bytes());
        for id in hidden {
            head.push(id.len() as u8);
            head.extend_from_slice(id.as_bytes());
        }
        let sum = checksum(&head);
        head.extend_from_slice(&sum.to_le_bytes());
        debug_assert_eq!(head.len(), head_len);
        let parts = [&head[..], &sections[OPEN], &sections[BARE], &sections[ARCHIVED], &table];
        self.replace(&self.index_path(), &parts)?;
        Ok(nonce)
    }

    /// Writes the journal: the rows of loose refs that are kept, for the
    /// main file of `nonce`.
    fn write_journal<'r, 'a: 'r>(
        &self,
        rows: impl Iterator<Item = &'r Row<'a>>,
        nonce: u64,
        hash_len: usize,
    ) -> std::io::Result<()> {
        let ns = self.namespace.as_bytes();
        let mut out = Vec::new();
        out.extend_from_slice(JOURNAL_MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(hash_len as u8);
        out.extend_from_slice(&(ns.len() as u16).to_le_bytes());
        out.extend_from_slice(ns);
        out.extend_from_slice(&nonce.to_le_bytes());
        for (id, target, tip, body) in rows.filter_map(Row::kept) {
            if body.len() <= MAX_BODY && id.len() <= 255 && tip.len() == hash_len {
                put_record(&mut out, id, target, Some((tip, body)));
            }
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        self.replace(&self.journal_path(), &[&out])
    }

    /// Writes `parts` to a temporary file renamed over `path`.
    fn replace(&self, path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
        let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent"))?;
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        for p in parts {
            std::io::Write::write_all(&mut w, p)?;
        }
        std::io::Write::flush(&mut w)?;
        drop(w);
        tmp.persist(path).map_err(|e| e.error)?;
        // Those of writers killed mid-write.
        crate::util::file::remove_stale_temps(dir, ".tmp-");
        Ok(())
    }
}

/// A kept row: id, target, tip, body.
type Kept<'a> = (&'a str, &'a [u8], &'a [u8], &'a [u8]);

/// A plain list's id, ref target and whether its ref is a loose file.
type Tip = (String, ObjectId, bool);

/// Bytes of the header after the namespace, but for the hidden lists:
/// nonce, stamp, two flags, four sections, the titles' checksum, the
/// header's checksum.
const HEAD_FIXED: usize = 8 + STAMP_LEN + 2 + 4 * 16 + 8 + 8;
const STAMP_LEN: usize = 1 + 8 + 12 + 12 + 8 + 8;

fn put_stamp(out: &mut Vec<u8>, s: &Stamp) {
    out.push(u8::from(s.present));
    out.extend_from_slice(&s.size.to_le_bytes());
    for (secs, nanos) in [s.mtime, s.ctime] {
        out.extend_from_slice(&secs.to_le_bytes());
        out.extend_from_slice(&nanos.to_le_bytes());
    }
    out.extend_from_slice(&s.ino.to_le_bytes());
    out.extend_from_slice(&s.dev.to_le_bytes());
}

fn read_stamp(c: &mut Cursor<'_>) -> Option<Stamp> {
    let present = c.u8()? == 1;
    let size = c.u64()?;
    let mtime = (c.i64()?, c.u32()?);
    let ctime = (c.i64()?, c.u32()?);
    Some(Stamp { present, size, mtime, ctime, ino: c.u64()?, dev: c.u64()? })
}

/// The main file's header from its first bytes; `None` when it is not a
/// current, intact header of this namespace and object format.
fn parse_head(buf: &[u8], hash_len: usize, namespace: &str) -> Option<Head> {
    let mut c = Cursor(buf);
    if c.take(8)? != MAGIC || c.u32()? != VERSION || usize::from(c.u8()?) != hash_len {
        return None;
    }
    let ns_len = u16::from_le_bytes(c.take(2)?.try_into().ok()?);
    if c.take(usize::from(ns_len))? != namespace.as_bytes() {
        return None;
    }
    let nonce = c.u64()?;
    let stamp = read_stamp(&mut c)?;
    let trusted = c.u8()? == 1;
    let packed_odd = c.u8()? == 1;
    let mut sections = [(0u64, 0u64); 4];
    for s in &mut sections {
        *s = (c.u64()?, c.u64()?);
    }
    let titles_sum = c.u64()?;
    let n = c.u32()? as usize;
    let mut hidden = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let len = usize::from(c.u8()?);
        hidden.push(std::str::from_utf8(c.take(len)?).ok()?.to_string());
    }
    let end = buf.len() - c.0.len();
    let sum = c.u64()?;
    (checksum(&buf[..end]) == sum).then_some(Head {
        nonce,
        stamp,
        trusted,
        packed_odd,
        sections,
        titles_sum,
        hidden,
    })
}

/// A record of the index: a list's id, the ref target it was read at and,
/// when kept, the tip and the encoded summary (else the list is read every
/// time: unreadable, or too big).
#[derive(Debug, Clone, Copy)]
struct Rec<'a> {
    id: &'a str,
    target: &'a [u8],
    kept: Option<(&'a [u8], &'a [u8])>,
}

/// Appends a record: payload length `u32`, payload (id length `u8`, id,
/// target, kept `u8`, then tip and body), the payload's checksum `u64`.
fn put_record(out: &mut Vec<u8>, id: &str, target: &[u8], kept: Option<(&[u8], &[u8])>) {
    let len = 1 + id.len() + target.len() + 1 + kept.map_or(0, |(t, b)| t.len() + b.len());
    out.extend_from_slice(&(len as u32).to_le_bytes());
    let start = out.len();
    out.push(id.len() as u8);
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(target);
    out.push(u8::from(kept.is_some()));
    if let Some((tip, body)) = kept {
        out.extend_from_slice(tip);
        out.extend_from_slice(body);
    }
    let sum = checksum(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// The bytes a record takes in its file.
fn record_len(r: &Rec<'_>) -> u64 {
    let payload =
        1 + r.id.len() + r.target.len() + 1 + r.kept.map_or(0, |(t, b)| t.len() + b.len());
    (4 + payload + 8) as u64
}

fn parse_payload(payload: &[u8], hash_len: usize) -> Option<Rec<'_>> {
    let mut c = Cursor(payload);
    let id_len = usize::from(c.u8()?);
    let id = std::str::from_utf8(c.take(id_len)?).ok()?;
    let target = c.take(hash_len)?;
    let kept = match c.u8()? {
        0 if c.0.is_empty() => None,
        1 => Some((c.take(hash_len)?, c.0)),
        _ => return None,
    };
    Some(Rec { id, target, kept })
}

/// The records of a run of whole records, checked; `None` if any is damaged.
fn parse_records(buf: &[u8], hash_len: usize) -> Option<Vec<Rec<'_>>> {
    parse_records_checked(buf, hash_len, true)
}

/// [`parse_records`], without the checksums when `check` is false (bytes
/// checked once already).
fn parse_records_checked(buf: &[u8], hash_len: usize, check: bool) -> Option<Vec<Rec<'_>>> {
    let mut c = Cursor(buf);
    let mut out = Vec::new();
    while !c.0.is_empty() {
        let len = c.u32()? as usize;
        let payload = c.take(len)?;
        let sum = c.u64()?;
        if check && checksum(payload) != sum {
            return None;
        }
        out.push(parse_payload(payload, hash_len)?);
    }
    Some(out)
}

/// The journal's records, when it is intact and belongs to the main file
/// of `nonce` (else it is ignored: its lists are read again).
fn parse_journal<'a>(
    buf: &'a [u8],
    hash_len: usize,
    namespace: &str,
    nonce: u64,
) -> Option<Vec<Rec<'a>>> {
    let (data, sum) = buf.split_at_checked(buf.len().checked_sub(8)?)?;
    if checksum(data).to_le_bytes() != sum {
        return None;
    }
    let mut c = Cursor(data);
    if c.take(8)? != JOURNAL_MAGIC || c.u32()? != VERSION || usize::from(c.u8()?) != hash_len {
        return None;
    }
    let ns_len = u16::from_le_bytes(c.take(2)?.try_into().ok()?);
    if c.take(usize::from(ns_len))? != namespace.as_bytes() || c.u64()? != nonce {
        return None;
    }
    parse_records(c.0, hash_len)
}

/// `len` bytes of `f` at `at`.
fn read_at(f: &mut std::fs::File, at: u64, len: u64) -> Option<Vec<u8>> {
    f.seek(SeekFrom::Start(at)).ok()?;
    let mut buf = vec![0; usize::try_from(len).ok()?];
    f.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// The whole record at `at` of `f`.
fn read_record_at(f: &mut std::fs::File, at: u64) -> Option<Vec<u8>> {
    let len = read_at(f, at, 4)?;
    let len = u64::from(u32::from_le_bytes(len.try_into().ok()?));
    // No record is longer: id, two hashes, a kept body and their lengths.
    if len > (MAX_BODY + 255 + 2 * 64 + 16) as u64 {
        return None;
    }
    read_at(f, at, 4 + len + 8)
}

/// The offsets of the records whose title hashes as `title` does, from the
/// titles table (pairs of hash and offset, sorted).
fn titled_at(table: &[u8], title: &str) -> Vec<u64> {
    let want = fnv(title.as_bytes());
    let pair = |i: usize| -> (u64, u64) {
        let p = &table[i * 16..i * 16 + 16];
        let h = u64::from_le_bytes(p[..8].try_into().unwrap_or_default());
        (h, u64::from_le_bytes(p[8..].try_into().unwrap_or_default()))
    };
    let n = table.len() / 16;
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pair(mid).0 < want {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo..n).map(pair).take_while(|(h, _)| *h == want).map(|(_, at)| at).collect()
}

/// FNV-1a, 64 bits: the titles table's hash (stable across builds).
fn fnv(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
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
    fn u64(&mut self) -> Option<u64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)
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
        assert!(parse_head(b"short", 20, "refs/tasklists").is_none());
        let mut recs = Vec::new();
        put_record(&mut recs, &s.id, &[1; 20], Some((&[2; 20], &body)));
        put_record(&mut recs, "x", &[3; 20], None);
        let parsed = parse_records(&recs, 20).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(record_len(&parsed[0]) + record_len(&parsed[1]), recs.len() as u64);
        assert_eq!(parsed[0].kept, Some((&[2u8; 20][..], &body[..])));
        assert!(parsed[1].kept.is_none());
        for cut in 0..recs.len() {
            assert!(parse_records(&recs[..cut], 20).is_none_or(|r| r.len() < 2), "cut at {cut}");
        }
        let mut flipped = recs.clone();
        flipped[10] ^= 1;
        assert!(parse_records(&flipped, 20).is_none());
    }

    /// `git pack-refs` between the read of `packed-refs` and of the loose
    /// refs (a full check): the tips still name every list.
    #[test]
    fn tips_survive_pack_refs_between_packed_and_loose_reads() {
        let (dir, ids) = crate::store::refs::tests::repo_with_loose_lists(3);
        let store = Store::open(Some(dir.path()), None).unwrap();
        let repo = store.local();
        let path = dir.path().to_path_buf();
        crate::store::refs::tests::on_mid_listing(move || {
            crate::store::refs::tests::git(&path, &["pack-refs", "--all"]);
        });
        let (tips, _, _, odd) = store.plain_tips(&repo).unwrap();
        assert!(!odd);
        assert_eq!(tips.into_iter().map(|(id, _, _)| id).collect::<Vec<_>>(), ids);
    }

    /// `git pack-refs` between the index's trust in an unchanged
    /// `packed-refs` and its read of the loose refs: every list is still
    /// there (the loose refs it finds gone were packed, not deleted).
    #[test]
    fn a_trusted_index_survives_pack_refs_before_its_loose_read() {
        let (dir, ids) = crate::store::refs::tests::repo_with_loose_lists(3);
        let git = |args: &[&str]| crate::store::refs::tests::git(dir.path(), args);
        // An old packed-refs (out of the racy window) holding another ref.
        let tip = git(&["rev-parse", &format!("refs/tasklists/{}", ids[0])]);
        git(&["update-ref", "refs/heads/other", tip.trim()]);
        git(&["pack-refs", "--include", "refs/heads/*"]);
        let packed = dir.path().join(".git/packed-refs");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&packed).unwrap().set_modified(old).unwrap();
        let store = Store::open(Some(dir.path()), None).unwrap();
        let ids_of = |e: Vec<SummaryEntry>| e.into_iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(ids_of(store.summaries().unwrap()), ids);
        let path = dir.path().to_path_buf();
        crate::store::refs::tests::on_mid_listing(move || {
            crate::store::refs::tests::git(&path, &["pack-refs", "--all"]);
        });
        assert_eq!(ids_of(Store::open(Some(dir.path()), None).unwrap().summaries().unwrap()), ids);
    }
}
