//! A list's history: the log, first-parent walks, merge bases, and the
//! pipelined reader `verify` checks every commit with.

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::error::{
    ObjectKind, Problem, StoreError, StoreResult, commit_object, git_err, object_id, unreadable,
};
use super::open::Store;
use super::read::commit_state;
use super::types::{cid, oid};
use crate::domain::id::CommitId;
use crate::domain::model::TaskList;
use crate::domain::trailer;
use crate::util::text::escape;

/// A chunk of `(commit, parents)` from the walker, or why the walk stopped.
type Walked = Result<Vec<(ObjectId, Vec<ObjectId>)>, String>;

/// Commits per chunk handed from the history walker to the readers.
const CHUNK: usize = 2048;

/// One entry of a list's history.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The commit id.
    pub commit: CommitId,
    /// Committer time (seconds since the epoch).
    pub time: i64,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// The commit subject.
    pub subject: String,
    /// The `Op:` trailer, if present.
    pub op: Option<String>,
    /// The `Session:` trailer, if present.
    pub session: Option<String>,
    /// Every trailer, in order.
    pub trailers: Vec<(String, String)>,
    /// Parent commits (two or more for merges).
    pub parents: Vec<CommitId>,
}

impl LogEntry {
    /// Whether the commit carries the trailer `key: value`.
    pub fn has_trailer(&self, key: &str, value: &str) -> bool {
        trailer::has(&self.trailers, key, value)
    }
}

/// A commit of a list's history: its entry and the state it stores (or
/// why that cannot be read).
pub(crate) type HistoryItem = (LogEntry, Result<TaskList, Problem>);

/// How a walk of the whole history ended.
#[derive(Debug)]
pub(crate) enum HistoryEnd {
    /// Every reachable commit was read.
    Complete,
    /// The walk stopped early (a shallow or partial clone): why, and the
    /// last commit delivered before it stopped.
    Cut {
        /// What stopped the walk.
        problem: String,
        /// The last commit delivered.
        last: Option<CommitId>,
    },
}

impl Store {
    /// The tip of a list, checked to be a commit (history walks need one).
    pub(crate) fn commit_tip(&self, id: &str) -> StoreResult<ObjectId> {
        let repo = self.local();
        let tip = self.tip_with(&repo, id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        match repo.find_header(tip) {
            Ok(h) if h.kind() == gix::object::Kind::Commit => Ok(tip),
            Ok(h) => Err(unreadable(id, tip, Problem::NotACommit(ObjectKind::of(h.kind())))),
            Err(e) => Err(unreadable(id, tip, Problem::Missing(Box::new(e)))),
        }
    }

    /// Whether a commit is present in the object database.
    pub fn has_commit(&self, commit: CommitId) -> bool {
        oid(commit).is_some_and(|commit| {
            self.local().find_header(commit).is_ok_and(|h| h.kind() == gix::object::Kind::Commit)
        })
    }

    /// The history entry of one commit (its time, author, trailers), reading
    /// only the commit.
    pub fn entry(&self, commit: CommitId) -> StoreResult<LogEntry> {
        let commit = commit_object(commit)?;
        let repo = self.local();
        let c = repo.find_commit(commit).map_err(|e| git_err("reading a commit", e))?;
        log_entry(commit, &c)
    }

    /// A commit's history entry and the list stored in it (or why it cannot
    /// be read), reading the commit once.
    pub fn entry_and_state(&self, id: &str, commit: CommitId) -> StoreResult<HistoryItem> {
        entry_and_state(&self.local(), id, object_id(id, commit)?)
    }

    /// The first-parent chain from the list's tip, newest first, as
    /// `(commit, [first parent])`, at most `limit` commits; the walk alone,
    /// without building history entries. It ends quietly where the objects
    /// end (a shallow clone).
    pub fn first_parents(
        &self,
        id: &str,
        limit: usize,
    ) -> StoreResult<Vec<(CommitId, Vec<CommitId>)>> {
        let repo = self.local();
        let tip = self.commit_tip(id)?;
        let walk = first_parent_walk(&repo, tip)?;
        Ok(walk
            .take(limit)
            .map_while(Result::ok)
            .map(|info| (cid(&info.id), info.parent_ids.iter().take(1).map(|p| cid(p)).collect()))
            .collect())
    }

    /// The best common ancestor of two commits, if they have one.
    pub fn merge_base(&self, a: CommitId, b: CommitId) -> Option<CommitId> {
        let (a, b) = (oid(a)?, oid(b)?);
        self.local().merge_base(a, b).ok().flatten().map(|id| cid(&id))
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: CommitId, commit: CommitId) -> bool {
        ancestor == commit || self.merge_base(ancestor, commit) == Some(ancestor)
    }

    /// The tasks explicitly reopened (`Reopened:` trailers) by the commits
    /// reachable from `tip` but not from `base`: what one side of a merge
    /// reopened since the two sides parted.
    pub fn reopened_since(
        &self,
        tip: CommitId,
        base: Option<CommitId>,
    ) -> StoreResult<std::collections::HashSet<String>> {
        let tip = commit_object(tip)?;
        let repo = self.local();
        let walk = repo.rev_walk([tip]).with_hidden(base.and_then(oid));
        let walk = walk.all().map_err(|e| git_err("walking history", e))?;
        let mut out = std::collections::HashSet::new();
        for info in walk {
            let Ok(info) = info else { break };
            let Ok(commit) = repo.find_commit(info.id) else { break };
            let entry = log_entry(info.id, &commit)?;
            for (k, v) in &entry.trailers {
                if k.eq_ignore_ascii_case(trailer::REOPENED) {
                    out.insert(v.clone());
                }
            }
        }
        Ok(out)
    }

    /// The list's history from its tip, newest first, following first parents;
    /// at most `limit` entries when given.
    pub fn log(&self, id: &str, limit: Option<usize>) -> StoreResult<Vec<LogEntry>> {
        let repo = self.local();
        let tip = self.commit_tip(id)?;
        let walk = first_parent_walk(&repo, tip)?;
        let mut out = Vec::new();
        for info in walk {
            if limit.is_some_and(|n| out.len() >= n) {
                break;
            }
            // History cut short (a shallow or partial clone) ends the log
            // where the objects end; only a tip that cannot be read is an error.
            let found = info.ok().and_then(|i| repo.find_commit(i.id).ok().map(|c| (i.id, c)));
            let Some((commit_id, commit)) = found else {
                if out.is_empty() {
                    return Err(unreadable(id, tip, Problem::MissingTip));
                }
                break;
            };
            out.push(log_entry(commit_id, &commit)?);
        }
        Ok(out)
    }

    /// Reads every commit reachable from the list's tip (all parents, newest
    /// first) and hands them to `check` in that order, a chunk at a time.
    ///
    /// A pipeline keeps every core busy: a walker thread lists the commits,
    /// reader threads (each with its own handle on this store's repository)
    /// read and parse the chunks' states, and the calling thread runs
    /// `check` on them in walk order as they arrive. An error from `check`
    /// stops everything and is returned.
    pub fn read_history(
        &self,
        id: &str,
        mut check: impl FnMut(&[(CommitId, Vec<CommitId>)], Vec<HistoryItem>) -> StoreResult<()>,
    ) -> StoreResult<HistoryEnd> {
        use std::sync::mpsc;
        type Read = Result<(Vec<(CommitId, Vec<CommitId>)>, Vec<HistoryItem>), String>;
        let tip = self.commit_tip(id)?;
        let readers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let (walk_tx, walk_rx) = mpsc::sync_channel::<Walked>(readers * 2);
        // Shared by the readers; the last one to stop drops it, so that the
        // walker (blocked on a full channel) stops too.
        let walk_rx = std::sync::Mutex::new(Some(walk_rx.into_iter().enumerate()));
        let (read_tx, read_rx) = mpsc::sync_channel::<(usize, Read)>(readers * 2);
        std::thread::scope(|scope| {
            scope.spawn(move || walk_all(&self.local(), tip, &walk_tx));
            for _ in 0..readers {
                let (walk_rx, read_tx) = (&walk_rx, read_tx.clone());
                scope.spawn(move || {
                    let repo = self.local();
                    loop {
                        let next = match walk_rx.lock() {
                            Ok(mut it) => it.as_mut().and_then(|it| it.next()),
                            Err(_) => None,
                        };
                        let Some((n, chunk)) = next else { return };
                        let result = chunk.and_then(|commits| {
                            let read: StoreResult<Vec<_>> = commits
                                .iter()
                                .map(|(c, _)| entry_and_state(&repo, id, *c))
                                .collect();
                            let ids = commits
                                .iter()
                                .map(|(c, ps)| (cid(c), ps.iter().map(|p| cid(p)).collect()))
                                .collect();
                            read.map(|states| (ids, states)).map_err(|e| e.to_string())
                        });
                        if read_tx.send((n, result)).is_err() {
                            // The checker stopped (an error): stop the walk too.
                            if let Ok(mut it) = walk_rx.lock() {
                                it.take();
                            }
                            return;
                        }
                    }
                });
            }
            drop(read_tx);
            let mut waiting: std::collections::BTreeMap<usize, Read> = Default::default();
            let mut expected = 0;
            let mut end = HistoryEnd::Complete;
            let mut last = None;
            for (n, result) in read_rx {
                waiting.insert(n, result);
                // Chunks arrive out of order; check them in walk order.
                while let Some(result) = waiting.remove(&expected) {
                    expected += 1;
                    match result {
                        Ok((commits, states)) => {
                            last = commits.last().map(|(c, _)| *c);
                            check(&commits, states)?;
                        }
                        Err(problem) => end = HistoryEnd::Cut { problem, last },
                    }
                }
            }
            Ok(end)
        })
    }
}

/// A walk of the first-parent chain from `tip`, newest first.
fn first_parent_walk(
    repo: &gix::Repository,
    tip: ObjectId,
) -> StoreResult<gix::revision::Walk<'_>> {
    repo.rev_walk([tip]).first_parent_only().all().map_err(|e| git_err("walking history", e))
}

/// Sends every commit reachable from `tip` (all parents, newest first) in
/// chunks; stops quietly when the receiver goes away, and with the reason
/// when the objects end (a shallow or partial clone).
fn walk_all(repo: &gix::Repository, tip: ObjectId, tx: &std::sync::mpsc::SyncSender<Walked>) {
    let walk = match repo.rev_walk([tip]).all() {
        Ok(w) => w,
        Err(e) => {
            let _ = tx.send(Err(crate::util::text::one_line(&e.to_string())));
            return;
        }
    };
    let mut batch = Vec::with_capacity(CHUNK);
    for info in walk {
        match info {
            Ok(info) => batch.push((info.id, info.parent_ids.iter().copied().collect())),
            Err(e) => {
                if !batch.is_empty() && tx.send(Ok(std::mem::take(&mut batch))).is_err() {
                    return;
                }
                let _ = tx.send(Err(crate::util::text::one_line(&e.to_string())));
                return;
            }
        }
        if batch.len() == CHUNK && tx.send(Ok(std::mem::take(&mut batch))).is_err() {
            return;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
}

fn entry_and_state(repo: &gix::Repository, id: &str, commit: ObjectId) -> StoreResult<HistoryItem> {
    let c = repo.find_commit(commit).map_err(|e| git_err("reading a commit", e))?;
    let entry = log_entry(commit, &c)?;
    let state = commit_state(repo, id, &c);
    Ok((entry, state))
}

fn log_entry(id: ObjectId, commit: &gix::Commit<'_>) -> StoreResult<LogEntry> {
    let decoded = commit.decode().map_err(|e| git_err("reading a commit", e))?;
    let author = decoded.author().map_err(|e| git_err("reading a commit", e))?;
    let committer = decoded.committer().map_err(|e| git_err("reading a commit", e))?;
    let time = committer.time().map(|t| t.seconds).unwrap_or(0);
    let message = decoded.message.to_str_lossy();
    let (subject, trailers) = trailer::parse(&message);
    Ok(LogEntry {
        commit: cid(&id),
        time,
        author: author.name.to_str_lossy().into_owned(),
        email: author.email.to_str_lossy().into_owned(),
        op: trailer::find(&trailers, trailer::OP).map(String::from),
        session: trailer::find(&trailers, trailer::SESSION).map(String::from),
        subject,
        parents: decoded.parents().map(|p| cid(&p)).collect(),
        trailers,
    })
}
