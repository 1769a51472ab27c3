//! Claims with the remote as the arbiter (`update --sync`).

use super::error::SyncError;
use super::reconcile::merge_into;
use super::remote::{known_remote, pick_remote, remote_prefix};
use super::transport::{FETCHING, Net, Pushed, push};
use super::types::TRACKING_PREFIX;
use crate::domain::op::Op;
use crate::store::{Committed, Store, StoreError};
use crate::util::text::escape;

/// Fetch-apply-push rounds a claim makes before giving up.
const MAX_CLAIM_ROUNDS: u32 = 8;

/// Claims a task with the remote as the arbiter: fetch the list, apply the
/// change on top of the remote's tip (merged with this clone's first), push
/// that commit — the remote's refusal of a non-fast-forward push is the
/// compare-and-swap — and only then make it here. A push that lost the race
/// fetches and applies the change again on the new remote tip; the pending
/// claim is never merged with someone else's. When another session now
/// holds the task, the error names it and no claim is left here; a push the
/// remote refuses for another reason is an error with its own words.
pub(crate) fn claim(
    store: &Store,
    session: Option<&str>,
    remote: Option<&str>,
    id: &str,
    op: &Op,
) -> Result<Committed, SyncError> {
    let config = store.read_config()?;
    let remote = pick_remote(store, &config, remote);
    known_remote(&config, &remote)?;
    let prefix = remote_prefix(store, &config, None)?;
    let tracking = format!("{TRACKING_PREFIX}/{remote}");
    let tracked =
        store.with_namespace(&tracking).map_err(|_| SyncError::BadName(escape(&remote)))?;
    let net = Net::new(store, &config, &remote)?;
    let _lock = store.lock_sync(net.lock_wait())?;
    for _ in 0..MAX_CLAIM_ROUNDS {
        let spec = format!("+{prefix}/{id}:{tracking}/{id}");
        let fetched = net.run(FETCHING, &["fetch", "--quiet", "--no-tags", &remote, &spec])?;
        // A list the remote does not have yet is offered as it is here.
        let theirs = if fetched.status.success() { tracked.tip(id)? } else { None };
        let ours = store.tip(id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?;
        let base = match theirs {
            None => ours,
            Some(r) if store.is_ancestor(ours, r) => {
                store.move_ref(id, r, Some(ours), "sync: fast-forward")?;
                r
            }
            Some(r) if store.is_ancestor(r, ours) => ours,
            Some(r) => {
                merge_into(store, session, &remote, id, r)?;
                store.tip(id)?.ok_or_else(|| StoreError::ListNotFound(escape(id)))?
            }
        };
        let Some(done) = store.commit_on(id, base, op, session)? else {
            // Nothing to change (already claimed by this session).
            let snap = store.read(id)?;
            return Ok(Committed {
                list: snap.list,
                tip: snap.tip,
                changed: false,
                retries: 0,
                before: None,
            });
        };
        let pushed = push(&net, &prefix, &[(id.to_string(), done.tip, theirs)])?;
        match pushed.results.get(&format!("{prefix}/{id}")) {
            Some(Pushed::Raced | Pushed::Unsure(_)) => continue,
            Some(Pushed::Refused(reason)) => {
                return Err(SyncError::Rejected {
                    remote: escape(&remote),
                    list: escape(id),
                    reason: reason.clone(),
                    message: pushed.said,
                });
            }
            Some(Pushed::Taken) | None => {}
        }
        let _ = tracked.move_ref(id, done.tip, theirs, "sync: pushed");
        // The remote took it: make it here too.
        let now = store.tip(id)?;
        if now == Some(base) && store.move_ref(id, done.tip, Some(base), "sync: claim")? {
            return Ok(done);
        }
        merge_into(store, session, &remote, id, done.tip)?;
        return Ok(done);
    }
    Err(SyncError::Raced { remote: escape(&remote), attempts: MAX_CLAIM_ROUNDS })
}
