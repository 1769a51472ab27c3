//! Per list, what the local and the remote tips call for: nothing, a new
//! copy, a fast-forward, a push, or a merge (written through the store).

use std::collections::BTreeMap;

use crate::domain::id::CommitId;

use super::error::SyncError;
use super::types::{Action, ListSync};
use crate::domain::merge::{self, Conflict, Reopened};
use crate::domain::model::{TaskList, is_uuid};
use crate::domain::op::{Applied, Ctx, OpName};
use crate::domain::trailer;
use crate::store::{Store, StoreError, no_files};
use crate::util::text::{escape, one_line};

/// Decides and applies, per list, what the local and remote tips call for.
/// Only the refs are compared; a list is read only when it is created,
/// fast-forwarded, merged or pushed (for its title), never when it is up to date. A list's failure is its own row.
pub(super) fn reconcile(
    store: &Store,
    session: Option<&str>,
    remote: &str,
    local: &[(String, Option<CommitId>)],
    theirs: &[(String, Option<CommitId>)],
    dry_run: bool,
) -> Vec<ListSync> {
    let mut ids: BTreeMap<&str, Tips> = BTreeMap::new();
    for (id, tip) in local {
        ids.entry(id.as_str()).or_default().0 = Some(*tip);
    }
    for (id, tip) in theirs {
        ids.entry(id.as_str()).or_default().1 = Some(*tip);
    }
    let mut out = Vec::with_capacity(ids.len());
    for (id, tips) in ids {
        let mut item = ListSync::new(id);
        if !is_uuid(id) {
            item.skip("its name is not a list id (a UUID); left alone");
        } else if let Err(e) = settle(store, session, remote, id, tips, dry_run, &mut item) {
            item.skip(one_line(&e.to_string()));
        }
        out.push(item);
    }
    out
}

/// A list's tip here and on the remote: `None` when there is no ref, `Some(None)`
/// when the ref cannot be resolved.
type Tips = (Option<Option<CommitId>>, Option<Option<CommitId>>);

/// What one list calls for, done (unless `dry_run`) and recorded in `item`.
fn settle(
    store: &Store,
    session: Option<&str>,
    remote: &str,
    id: &str,
    (mine, other): Tips,
    dry_run: bool,
    item: &mut ListSync,
) -> Result<(), SyncError> {
    match (mine, other) {
        (None, None) => {}
        (Some(None), _) => item.skip("its ref here cannot be resolved"),
        (_, Some(None)) => item.skip("the remote's ref cannot be resolved"),
        (None, Some(Some(o))) => match store.read_at(id, o) {
            Err(e) => item.skip(format!("the remote's copy is unreadable: {e}")),
            Ok(s) => {
                item.title = Some(s.list.title);
                item.action = Action::New;
                if !dry_run && !store.move_ref(id, o, None, "sync: new")? {
                    item.skip("it was created here meanwhile; sync again");
                }
            }
        },
        (Some(Some(m)), None) => {
            item.title = store.read_at(id, m).ok().map(|s| s.list.title);
            item.action = Action::Pushed;
            item.pushed = true;
        }
        (Some(Some(m)), Some(Some(o))) if m == o => {}
        (Some(Some(m)), Some(Some(o))) if store.is_ancestor(o, m) => {
            item.title = store.read_at(id, m).ok().map(|s| s.list.title);
            item.action = Action::Pushed;
            item.pushed = true;
        }
        (Some(Some(m)), Some(Some(o))) => match (store.read_at(id, m), store.read_at(id, o)) {
            (_, Err(e)) => item.skip(format!("the remote's copy is unreadable: {e}")),
            (Err(e), _) => item.skip(e.to_string()),
            (Ok(_), Ok(theirs)) if store.is_ancestor(m, o) => {
                item.title = Some(theirs.list.title);
                item.action = Action::FastForward;
                if !dry_run && !store.move_ref(id, o, Some(m), "sync: fast-forward")? {
                    item.skip("it changed here meanwhile; sync again");
                }
            }
            (Ok(mine), Ok(theirs)) => {
                item.title = Some(mine.list.title.clone());
                item.action = Action::Merged;
                item.pushed = true;
                item.conflicts = if dry_run {
                    plan_merge(store, m, &mine.list, o, &theirs.list)?.conflicts
                } else {
                    merge_into(store, session, remote, id, o)?
                };
            }
        },
    }
    Ok(())
}

/// The merge of our state at `tip` with theirs at `remote_tip`.
fn plan_merge(
    store: &Store,
    tip: CommitId,
    ours: &TaskList,
    remote_tip: CommitId,
    theirs: &TaskList,
) -> Result<merge::Merged, SyncError> {
    let base_commit = store.merge_base(tip, remote_tip);
    let base = base_commit.and_then(|b| store.read_at(&ours.id, b).ok()).map(|s| s.list);
    let reopened = Reopened {
        ours: store.reopened_since(tip, base_commit)?,
        theirs: store.reopened_since(remote_tip, base_commit)?,
    };
    Ok(merge::merge(base.as_ref(), ours, theirs, &reopened))
}

/// Merges the remote's tip into the local list with a two-parent commit
/// (`Op: merge`, one `Conflict:` trailer per conflict), through the store's
/// write path: a lost race merges again on the new local tip.
pub(super) fn merge_into(
    store: &Store,
    session: Option<&str>,
    remote: &str,
    id: &str,
    remote_tip: CommitId,
) -> Result<Vec<Conflict>, SyncError> {
    let theirs = store.read_at(id, remote_tip)?.list;
    let resolved = std::cell::RefCell::new(Vec::new());
    let change = |before: Option<&TaskList>, ctx: &Ctx| -> Result<Applied, SyncError> {
        // The write path reads an existing list (it was just read too).
        let ours = before.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        let tip = ctx.tip;
        // A failure to plan the merge (history that cannot be read) is that
        // failure, named as such: never a list that is not there.
        let merged = match tip {
            Some(tip) => plan_merge(store, tip, ours, remote_tip, &theirs)?,
            None => merge::merge(None, ours, &theirs, &Reopened::default()),
        };
        let mut trailers = vec![(trailer::MERGED, remote_tip.to_string())];
        for c in &merged.conflicts {
            let what = match &c.task {
                Some(t) => format!("{t} {}: {}", c.field, c.rule),
                None => format!("{}: {}", c.field, c.rule),
            };
            trailers.push((trailer::CONFLICT, what));
        }
        let n = merged.conflicts.len();
        *resolved.borrow_mut() = merged.conflicts;
        let mut list = merged.list;
        list.updated = list.updated.max(ctx.now);
        let subject = format!(
            "{}: merge {remote} ({n} conflict{} resolved)",
            escape(&list.title),
            if n == 1 { "" } else { "s" }
        );
        Ok(Applied { trailers, ..Applied::new(list, OpName::Merge, subject) })
    };
    store.transact_with(id, false, session, change, &no_files, &[remote_tip])?;
    Ok(resolved.into_inner())
}
