//! `sync`: fetch, reconcile every list, push what changed; rounds again
//! while the remote moves. And `sync --dry-run`, which moves no ref.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::domain::id::CommitId;

use super::error::SyncError;
use super::reconcile::reconcile;
use super::remote::{fetch_specs, known_remote, pick_remote, remote_prefix};
use super::transport::{
    LISTING, Net, Offer, PUSHING, Pushed, git_text, push, record_taken, remote_tips,
};
use super::types::{Action, ListSync, SyncOptions, SyncProgress, SyncReport, TRACKING_PREFIX};
use crate::store::Store;
use crate::util::text::{escape, one_line};

/// Rounds of fetch, merge and push a sync makes while the remote moves.
const MAX_ROUNDS: u32 = 3;

/// Syncs every list with the remote. A list that cannot be synced (not
/// a list, unreadable, locked, a merge over the size limit, refused by the
/// remote) is skipped with the reason in its row; the others are synced.
pub(crate) fn sync(
    store: &Store,
    session: Option<&str>,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncReport, SyncError> {
    let config = store.read_config()?;
    let remote = pick_remote(store, &config, opts.remote.as_deref());
    known_remote(&config, &remote)?;
    let tracking = format!("{TRACKING_PREFIX}/{remote}");
    let tracked =
        store.with_namespace(&tracking).map_err(|_| SyncError::BadName(escape(&remote)))?;
    let prefix = remote_prefix(store, &config, opts.remote_prefix.as_deref())?;
    let net = Net::new(store, &config, &remote)?;
    let specs = fetch_specs(&config, &prefix, &remote);
    if opts.dry_run {
        return dry_run(store, session, &net, &prefix, &specs);
    }
    // Read before anything moves: a bad value changes nothing.
    let batch = if opts.no_push { None } else { Some(net.push_batch()?) };
    let _lock = store.lock_sync(net.lock_wait())?;
    let mut rows: BTreeMap<String, ListSync> = BTreeMap::new();
    // Lists the remote refused: not offered again this sync.
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut raced: BTreeSet<String> = BTreeSet::new();
    let mut remote_message = None;
    for round in 1..=MAX_ROUNDS {
        net.fetch(&specs, false)?;
        let local = store.list_tips()?;
        let theirs = tracked.list_tips()?;
        let before: HashMap<&str, Option<CommitId>> =
            theirs.iter().map(|(id, tip)| (id.as_str(), *tip)).collect();
        let mut pushing: Vec<Offer> = Vec::new();
        let was_raced = std::mem::take(&mut raced);
        for row in reconcile(store, session, &remote, &local, &theirs, false) {
            if refused.contains(&row.id) {
                continue;
            }
            // A list settled in an earlier round reads as up to date now:
            // its row stays as that round had it.
            let settled = rows.contains_key(&row.id) && !was_raced.contains(&row.id);
            if row.action == Action::UpToDate && settled {
                continue;
            }
            if row.pushed && !opts.no_push {
                match store.tip(&row.id) {
                    Ok(Some(tip)) => {
                        let seen = before.get(row.id.as_str()).copied().flatten();
                        pushing.push((row.id.clone(), tip, seen));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let mut row = row;
                        row.skip(one_line(&e.to_string()));
                        rows.insert(row.id.clone(), row);
                        continue;
                    }
                }
            }
            rows.insert(row.id.clone(), row);
        }
        if opts.no_push {
            for row in rows.values_mut() {
                row.pushed = false;
            }
        }
        if pushing.is_empty() {
            break;
        }
        let Some(batch) = batch else { break };
        let (mut done, mut size) = (0, batch.first);
        while done < pushing.len() {
            let chunk = &pushing[done..pushing.len().min(done + size)];
            let started = std::time::Instant::now();
            let pushed = push(&net, &prefix, chunk)?;
            let took = started.elapsed();
            if pushed.said.is_some() {
                remote_message = pushed.said.clone();
            }
            let mut taken: Vec<Offer> = Vec::new();
            for (id, tip, seen) in chunk {
                match pushed.results.get(&format!("{prefix}/{id}")) {
                    None => {
                        if let Some(row) = rows.get_mut(id) {
                            row.skip("git push did not report on it; sync again");
                        }
                    }
                    Some(Pushed::Taken) => taken.push((id.clone(), *tip, *seen)),
                    Some(Pushed::Raced | Pushed::Unsure(_)) => {
                        raced.insert(id.clone());
                    }
                    Some(Pushed::Refused(reason)) => {
                        refused.insert(id.clone());
                        if let Some(row) = rows.get_mut(id) {
                            row.skip(format!("the remote refused it ({reason})"));
                        }
                    }
                }
            }
            // A fetch may have moved one meanwhile: then that one stands.
            record_taken(&tracked, &taken);
            done += chunk.len();
            progress(SyncProgress { pushed: done, total: pushing.len() });
            size = net.next_batch(batch, chunk.len(), took);
        }
        if raced.is_empty() {
            break;
        }
        if round == MAX_ROUNDS {
            for id in &raced {
                if let Some(row) = rows.get_mut(id) {
                    row.skip(format!(
                        "the remote changed under {MAX_ROUNDS} consecutive attempts to push it; sync again"
                    ));
                }
            }
        }
    }
    // Thousands of lists brought or pushed leave as many loose refs.
    store.pack_loose_refs(&[&tracking, store.namespace()]);
    Ok(SyncReport { remote, lists: rows.into_values().collect(), remote_message })
}

/// `sync --dry-run`: what the remote has comes from `git ls-remote`, and
/// the objects needed to tell what would happen from `git fetch --dry-run`
/// (and, when the remote has no lists, `git push --dry-run`: whether it
/// could take ours at all); no ref moves, here or there.
fn dry_run(
    store: &Store,
    session: Option<&str>,
    net: &Net<'_>,
    prefix: &str,
    specs: &[String],
) -> Result<SyncReport, SyncError> {
    let pattern = format!("{prefix}/*");
    let listed = net.run(LISTING, &["ls-remote", "--refs", net.remote, &pattern])?;
    if !listed.status.success() {
        let message = git_text(&listed);
        let error = SyncError::Fetch { remote: escape(net.remote), message };
        return Err(net.formats_differ(&listed).unwrap_or(error));
    }
    let dir = format!("{prefix}/");
    let mut theirs: Vec<(String, Option<CommitId>)> = Vec::new();
    for (name, tip) in remote_tips(&listed) {
        // Only names directly under the prefix (`ls-remote` matches tails).
        if let Some(id) = name.strip_prefix(&dir).filter(|id| !id.contains('/')) {
            theirs.push((id.to_string(), Some(tip)));
        }
    }
    net.fetch(specs, true)?;
    let local = store.list_tips()?;
    if theirs.is_empty() {
        // Nothing came from the remote to show its object format, which a
        // real sync learns when it pushes: ask a push that sends nothing.
        let offer: Vec<String> = local
            .iter()
            .filter_map(|(id, tip)| Some(format!("{}:{prefix}/{id}", (*tip)?)))
            .take(1)
            .collect();
        if let Some(spec) = offer.first() {
            let out = net.run(PUSHING, &["push", "--dry-run", "--porcelain", net.remote, spec])?;
            if let Some(e) = net.formats_differ(&out).filter(|_| !out.status.success()) {
                return Err(e);
            }
        }
    }
    let lists = reconcile(store, session, net.remote, &local, &theirs, true);
    Ok(SyncReport { remote: net.remote.to_string(), lists, remote_message: None })
}
