//! [`Tasklists`]: the library API every front end calls. Each method is one
//! command's whole work and returns data; the CLI, the MCP server, the hooks
//! and the board only parse their input, call one method, and render the
//! result (as text, or as a [`crate::view`] for programs).

use std::path::Path;
use std::sync::Arc;

use crate::api::error::{Error, Result};
use crate::domain::id::CommitId;
use crate::domain::model::session_ok;
use crate::domain::model::{Status, TaskId};
use crate::domain::op::{NewTask, Op, TaskChange};
use crate::store::{self, Committed, ListEntry, LogEntry, Snapshot, Store, SummaryEntry};
use crate::workflow::accept::{self, AcceptedNow};
use crate::workflow::command::{Action, Command, Plain, Words};
use crate::workflow::handoff::{self, HandedOff};
use crate::workflow::plan::{self, CreateRequest, Created};
use crate::workflow::resume::{self, Briefing};
use crate::workflow::template::{self, Template, TemplateResult};
use crate::workflow::verify::{self, Expect, Verdict};

/// A repository's task lists, as seen by one session (or by none).
///
/// `Send + Sync`: an async server shares one between its tasks.
pub struct Tasklists {
    pub(super) store: Store,
    session: Option<String>,
    /// How commands and choices are worded in what calls return.
    words: Arc<dyn Words>,
    /// What [`Tasklists::board`] read of each list it showed, by id: a
    /// long-running board re-reads only the lists whose tips moved.
    board_reads: std::sync::Mutex<BoardReads>,
}

/// The board's reads by list id: the list at its tip and its last commit.
type BoardReads = std::collections::HashMap<String, (Snapshot, Option<LogEntry>)>;

/// A change that went through (or was a no-op), with where it landed.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The list id.
    pub id: String,
    /// The commit (or the unchanged tip) and the states before and after.
    pub committed: Committed,
}

impl Tasklists {
    /// Opens the repository at or above `repo` (default: the current
    /// directory, honouring `GIT_DIR`), with the lists under `namespace`
    /// (default: env, git config, then `refs/tasklists`).
    pub fn open(repo: Option<&Path>, namespace: Option<&str>) -> Result<Tasklists> {
        let store = Store::open(repo, namespace)?;
        Ok(Tasklists {
            store,
            session: None,
            words: Arc::new(Plain),
            board_reads: Default::default(),
        })
    }

    /// The same repository, with the commands and choices that briefings,
    /// checks and handoff documents name worded by `words` (default:
    /// [`Plain`], which names no command line).
    pub fn with_words(mut self, words: Arc<dyn Words>) -> Tasklists {
        self.words = words;
        self
    }

    /// The same repository, with writes starting git's own housekeeping
    /// when it is due (`git gc --auto` once loose objects pass `gc.auto`,
    /// `git pack-refs` once the namespace's loose refs pile up). Off by
    /// default: a program using the library decides whether it spawns git.
    pub fn with_housekeeping(mut self, on: bool) -> Tasklists {
        self.store.set_housekeeping(on);
        self
    }

    /// The same repository seen by `session`, which tags every commit and
    /// owns the tasks it starts; `None` for no session.
    pub fn with_session(mut self, session: Option<&str>) -> Result<Tasklists> {
        self.set_session(session)?;
        Ok(self)
    }

    /// Changes the session (see [`Tasklists::with_session`]).
    pub fn set_session(&mut self, session: Option<&str>) -> Result<()> {
        if let Some(s) = session
            && !session_ok(s)
        {
            return Err(Error::InvalidSession(s.to_string()));
        }
        self.session = session.map(String::from);
        Ok(())
    }

    /// The session, if any.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// The namespace the lists live under (`refs/tasklists` by default),
    /// without a trailing slash.
    pub fn namespace(&self) -> &str {
        self.store.namespace()
    }

    /// The repository's git directories: this worktree's, then the one all
    /// worktrees share (the same for a plain repository).
    pub fn git_dirs(&self) -> [&Path; 2] {
        [self.store.git_dir(), self.store.common_dir()]
    }

    /// The working tree of this worktree, if it has one (not for bare repos).
    pub fn workdir(&self) -> Option<&Path> {
        self.store.workdir()
    }

    /// The branch checked out (`None` on a detached HEAD).
    pub fn current_branch(&self) -> Option<String> {
        self.store.current_branch()
    }

    /// The full ref name of a list.
    pub fn ref_name(&self, id: &str) -> String {
        self.store.ref_name(id)
    }

    /// Resolves a full id, a unique id prefix or an exact title to an id.
    pub fn resolve(&self, list: &str) -> Result<String> {
        Ok(self.store.resolve(list)?)
    }

    /// Creates a list.
    pub fn create(&self, req: &CreateRequest) -> Result<Created> {
        Ok(plan::create(&self.store, req, self.session())?)
    }

    /// Adds a task to `list`, at the end or after `after`.
    pub fn add(&self, list: &str, task: NewTask, after: Option<TaskId>) -> Result<Changed> {
        self.write(list, &Op::AddTask { task, after })
    }

    /// Changes one task's status and/or note.
    pub fn update(&self, list: &str, task: &TaskId, change: TaskChange) -> Result<Changed> {
        if change.status.is_none() && change.note.is_none() {
            return Err(Error::NothingToChange);
        }
        self.write(list, &Op::Update { task: task.clone(), change })
    }

    /// [`Tasklists::update`] with `remote` as the arbiter of the claim (see
    /// [`crate::sync`]); `remote` `None` is the default remote.
    pub fn update_synced(
        &self,
        list: &str,
        task: &TaskId,
        change: TaskChange,
        remote: Option<&str>,
    ) -> Result<Changed> {
        if change.status.is_none() && change.note.is_none() {
            return Err(Error::NothingToChange);
        }
        let id = self.resolve(list)?;
        let op = Op::Update { task: task.clone(), change };
        let committed = crate::sync::claim(&self.store, self.session(), remote, &id, &op)?;
        Ok(Changed { id, committed })
    }

    /// Blocks a task, recording `reason` as its note.
    pub fn block(
        &self,
        list: &str,
        task: &TaskId,
        reason: &str,
        mut change: TaskChange,
    ) -> Result<Changed> {
        if reason.trim().is_empty() {
            return Err(Error::EmptyReason);
        }
        change.status = Some(Status::Blocked);
        change.note = Some(reason.to_string());
        self.update(list, task, change)
    }

    /// Archives (`true`) or unarchives a list.
    pub fn archive(&self, list: &str, archived: bool) -> Result<Changed> {
        self.write(list, &Op::Archive { archived })
    }

    /// Records a handoff note and commits the rendered `HANDOFF.md` with it.
    pub fn handoff(&self, list: &str, note: &str) -> Result<(String, HandedOff)> {
        let id = self.resolve(list)?;
        let done = handoff::record(&self.store, &id, note, self.session(), &*self.words)?;
        Ok((id, done))
    }

    /// A list at its tip.
    pub fn show(&self, list: &str) -> Result<Snapshot> {
        let id = self.resolve(list)?;
        Ok(self.store.read(&id)?)
    }

    /// The lists `continued_in` names (those that continue a list, `create --from`), each with its
    /// title, or `None` where that list cannot be read here (not fetched yet).
    pub fn continuations(&self, continued_in: &[String]) -> Vec<(String, Option<String>)> {
        continued_in
            .iter()
            .map(|id| (id.clone(), self.store.read(id).ok().map(|s| s.list.title)))
            .collect()
    }

    /// The next step on a list for this session: the task, who else holds
    /// it, or why nothing can start.
    pub fn next(&self, list: &str) -> Result<crate::api::view::NextView> {
        let snap = self.show(list)?;
        Ok(crate::api::view::NextView::new(&snap.list, self.session()))
    }

    /// Every list's summary, sorted by id, from the summary index (checked
    /// against the refs; a list whose ref moved is read again); unreadable
    /// ones carry their error (archived ones are in here too:
    /// [`crate::api::view::ListsView`] leaves them out unless asked).
    pub fn list(&self) -> Result<Vec<SummaryEntry>> {
        Ok(self.store.summaries()?)
    }

    /// [`Tasklists::list`] of the lists that are not archived: the index
    /// leaves archived ones unread where it can, but one may still be in
    /// the answer (filter on the summary's `archived`).
    pub fn list_open(&self) -> Result<Vec<SummaryEntry>> {
        Ok(self.store.open_summaries()?)
    }

    /// What the summary index did in this process so far (lists read from
    /// git, lists served from the index, full checks of the refs).
    pub fn index_stats(&self) -> store::IndexStats {
        self.store.index_stats()
    }

    /// A list's history, newest first (at most `limit` entries).
    pub fn log(&self, list: &str, limit: Option<usize>) -> Result<(String, Vec<LogEntry>)> {
        let id = self.resolve(list)?;
        let entries = self.store.log(&id, limit)?;
        Ok((id, entries))
    }

    /// The briefing a new session needs.
    pub fn resume(&self, list: &str) -> Result<Briefing> {
        let id = self.resolve(list)?;
        Ok(resume::resume(&self.store, &id, self.session(), &*self.words)?)
    }

    /// The persistence checks over the whole history, and the state now
    /// (`Err` when the tip cannot be read, which the verdict reports too).
    pub fn verify(
        &self,
        list: &str,
        expects: &[Expect],
    ) -> Result<(String, Verdict, Option<Snapshot>)> {
        let id = self.resolve(list)?;
        let now = self.store.read(&id).ok();
        let verdict = verify::verify(&self.store, &id, expects, &*self.words)?;
        Ok((id, verdict, now))
    }

    /// Accepts the verification failure of a commit of the list's history
    /// (a full id or a unique prefix of at least four hex digits) with a
    /// note saying why: one commit (`Op: accept`); nothing is rewritten.
    pub fn accept(&self, list: &str, commit: &str, note: &str) -> Result<(String, AcceptedNow)> {
        let id = self.resolve(list)?;
        let done = accept::accept(&self.store, &id, commit, note, self.session())?;
        Ok((id, done))
    }

    /// Exchanges every list with a git remote: fetch, then per list a new
    /// copy, a fast-forward, a merge or a push (see [`crate::sync`]).
    pub fn sync(&self, opts: &crate::sync::SyncOptions) -> Result<crate::sync::SyncReport> {
        Ok(crate::sync::sync(&self.store, self.session(), opts, &mut |_| {})?)
    }

    /// [`Tasklists::sync`], telling `progress` how far its pushing has
    /// come after each `git push` (a first sync of many lists pushes them
    /// in batches).
    pub fn sync_with_progress(
        &self,
        opts: &crate::sync::SyncOptions,
        progress: &mut dyn FnMut(crate::sync::SyncProgress),
    ) -> Result<crate::sync::SyncReport> {
        Ok(crate::sync::sync(&self.store, self.session(), opts, progress)?)
    }

    /// Adds the lists' glob fetch refspec to a remote (see [`crate::sync`]).
    pub fn init(
        &self,
        remote: Option<&str>,
        prefix: Option<&str>,
    ) -> Result<crate::sync::Initialized> {
        Ok(crate::sync::init(&self.store, remote, prefix)?)
    }

    /// The lists as last fetched from `remote` (its remote-tracking copies).
    /// A remote that is neither configured nor was ever fetched from is
    /// an error (`unknown_remote`).
    pub fn remote(&self, remote: &str) -> Result<Tasklists> {
        let ns = format!("{}/{remote}", crate::sync::TRACKING_PREFIX);
        let store = self
            .store
            .with_namespace(&ns)
            .map_err(|_| crate::sync::SyncError::BadName(crate::util::text::escape(remote)))?;
        let known = crate::sync::remote_lists(&self.store, Some(remote))?
            .is_some_and(|r| r.configured || r.fetched > 0);
        if !known {
            let name = crate::util::text::escape(remote);
            return Err(crate::sync::SyncError::UnknownRemote(name).into());
        }
        Ok(Tasklists {
            store,
            session: self.session.clone(),
            words: self.words.clone(),
            board_reads: Default::default(),
        })
    }

    /// What is known here of a remote's lists, without the network (whether
    /// its fetch refspec is configured, how many lists a fetch brought):
    /// `None` when no remote is configured.
    pub fn remote_lists(&self, remote: Option<&str>) -> Result<Option<crate::sync::RemoteLists>> {
        Ok(crate::sync::remote_lists(&self.store, remote)?)
    }

    /// How many lists `remote` holds, asked over the network (`git
    /// ls-remote`, within sync's network timeout).
    pub fn count_remote_lists(&self, remote: &str) -> Result<usize> {
        Ok(crate::sync::count_remote_lists(&self.store, remote, None)?)
    }

    /// Creates a list from the Claude Code task files in `dir` (see
    /// [`crate::interop::claude_tasks`]), in one commit.
    pub fn import_claude(
        &self,
        dir: &Path,
        title: Option<&str>,
    ) -> Result<crate::interop::claude_tasks::Imported> {
        Ok(crate::interop::claude_tasks::import(&self.store, dir, title, self.session())?)
    }

    /// Records a task event of Claude Code's own task tools (created, or
    /// completed) as [`Op::Mirror`] does, in one commit (none when nothing
    /// changes): on `list`, else on the mirror list of Claude Code session
    /// `claude_session` ([`crate::interop::claude_tasks::mirror`]), which the first
    /// event creates.
    pub fn mirror_claude_task(
        &self,
        list: Option<&str>,
        claude_session: &str,
        subject: &str,
        description: Option<&str>,
        completed: bool,
    ) -> Result<Changed> {
        use crate::interop::claude_tasks::mirror;
        let (id, create) = match list {
            Some(q) => (self.resolve(q)?, None),
            None => {
                let id = mirror::list_id(claude_session);
                let seed = crate::domain::op::ListSeed {
                    id: id.clone(),
                    title: mirror::title(claude_session),
                    branch: self.store.current_branch(),
                };
                (id, Some(seed))
            }
        };
        let op = Op::Mirror {
            title: subject.to_string(),
            note: description.map(String::from),
            completed,
            create,
        };
        let committed = self.store.transact(&id, &op, self.session(), &store::no_files)?;
        Ok(Changed { id, committed })
    }

    /// Archives Claude Code session `claude_session`'s mirror list when
    /// every task in it is settled (it then stays out of `list` and the
    /// session-start briefing). `None` when there is no such list, or it
    /// still has open tasks, or it is archived already.
    pub fn archive_settled_mirror(&self, claude_session: &str) -> Result<Option<Changed>> {
        let id = crate::interop::claude_tasks::mirror::list_id(claude_session);
        let snap = match self.store.read(&id) {
            Ok(snap) => snap,
            Err(store::StoreError::ListNotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if snap.list.archived || !snap.list.all_settled() {
            return Ok(None);
        }
        self.archive(&id, true).map(Some)
    }

    /// Writes `list` into `dir` as Claude Code task files (see
    /// [`crate::interop::claude_tasks::export`]); returns the list as exported too.
    pub fn export_claude(
        &self,
        list: &str,
        dir: &Path,
        force: bool,
    ) -> Result<(Snapshot, crate::interop::claude_tasks::Exported)> {
        let snap = self.show(list)?;
        let done = crate::interop::claude_tasks::export(&snap.list, dir, force)?;
        Ok((snap, done))
    }

    /// The board's index: every list with its counts, the tasks in progress
    /// and blocked, the next task, its last commit and its remote-tracking
    /// state; unreadable lists as such; archived ones only when `all`.
    pub fn board(&self, all: bool) -> Result<crate::api::view::BoardView> {
        // The summaries say which lists are archived and where each tip is:
        // only the others are read, and of those only the ones whose tip
        // moved since this board last read them.
        let mut reads =
            self.board_reads.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default();
        let mut kept = BoardReads::with_capacity(reads.len());
        let mut hidden = 0;
        let mut entries = Vec::new();
        for e in self.list()? {
            let result = match e.result {
                Ok(s) if s.summary.archived && !all => {
                    hidden += 1;
                    continue;
                }
                Ok(s) => match reads.remove(&e.id) {
                    Some(read) if read.0.tip == s.tip => {
                        kept.insert(e.id.clone(), read.clone());
                        Ok(read.0)
                    }
                    _ => self.store.read_at(&e.id, s.tip).inspect(|snap| {
                        let last = self.store.entry(snap.tip).ok();
                        kept.insert(e.id.clone(), (snap.clone(), last));
                    }),
                },
                Err(err) => Err(err),
            };
            entries.push(ListEntry { id: e.id, result });
        }
        // The tracking state is a garnish: the board works without it. It
        // is shown for the lists read, at the tips they were read at.
        let local: Vec<(&str, CommitId)> = entries
            .iter()
            .filter_map(|e| e.result.as_ref().ok().map(|s| (e.id.as_str(), s.tip)))
            .collect();
        let tracking = crate::sync::tracking(&self.store, &local).unwrap_or_default();
        let last = |s: &Snapshot| match kept.get(&s.list.id) {
            Some((read, last)) if read.tip == s.tip => last.clone(),
            _ => self.store.entry(s.tip).ok(),
        };
        let ns = self.store.namespace();
        let view = crate::api::view::BoardView::new(
            &entries,
            hidden,
            ns,
            all,
            self.session(),
            last,
            &tracking,
        );
        // The lists shown this time (a list archived since drops out).
        if let Ok(mut r) = self.board_reads.lock() {
            *r = kept;
        }
        Ok(view)
    }

    /// A list's page on the board: the list, its next step, the last
    /// `history` commits, the committed handoff document and the resume command.
    pub fn board_list(
        &self,
        list: &str,
        history: usize,
    ) -> Result<crate::api::view::BoardListView> {
        let snap = self.show(list)?;
        let id = snap.list.id.clone();
        let mut log = self.store.log(&id, Some(history.saturating_add(1)))?;
        let complete = log.len() <= history;
        log.truncate(history);
        let max = handoff::MAX_DOCUMENT_BYTES as u64;
        let doc = self
            .store
            .file_at(&id, snap.tip, handoff::HANDOFF_FILE, max)
            .map_err(|e| e.to_string());
        let resume = self.words.command(&Command::new(self.store.namespace(), &id, Action::Resume));
        let tracking = crate::sync::tracking(&self.store, &[(&id, snap.tip)]).unwrap_or_default();
        Ok(crate::api::view::BoardListView::new(
            &snap,
            &self.ref_name(&id),
            self.session(),
            &log,
            complete,
            doc,
            resume,
            &tracking,
        ))
    }

    /// The templates `create` can use: the repository's own, then the built-ins.
    pub fn templates(&self) -> Vec<TemplateResult<Template>> {
        template::available(self.store.workdir())
    }

    fn write(&self, list: &str, op: &Op) -> Result<Changed> {
        let id = self.resolve(list)?;
        let committed = self.store.transact(&id, op, self.session(), &store::no_files)?;
        Ok(Changed { id, committed })
    }
}
