//! How each list stands against the remotes' copies `sync` fetched.

use std::collections::BTreeMap;

use crate::domain::id::CommitId;

use super::types::{TRACKING_PREFIX, Tracking};
use crate::domain::model::is_uuid;
use crate::store::{Store, StoreResult};

/// Per list id of `local` (each with its tip), how it stands against each
/// remote whose copies `sync` fetched (`refs/tasklists-remote/<remote>/<id>`),
/// by remote name. Lists with no fetched remote are absent; so is everything
/// when sync never ran. Only ref tips are compared, plus an ancestry check
/// where they differ.
pub(crate) fn tracking(
    store: &Store,
    local: &[(&str, CommitId)],
) -> StoreResult<BTreeMap<String, Vec<(String, Tracking)>>> {
    let dir = format!("{TRACKING_PREFIX}/");
    let mut remotes: BTreeMap<String, BTreeMap<String, CommitId>> = BTreeMap::new();
    for (name, tip) in store.refs_under(&dir)? {
        let Some(rest) = name.strip_prefix(&dir) else { continue };
        let Some((remote, id)) = rest.rsplit_once('/') else { continue };
        if let Some(tip) = tip.filter(|_| is_uuid(id)) {
            remotes.entry(remote.to_string()).or_default().insert(id.to_string(), tip);
        }
    }
    let mut out: BTreeMap<String, Vec<(String, Tracking)>> = BTreeMap::new();
    if remotes.is_empty() {
        return Ok(out);
    }
    for &(id, tip) in local {
        for (remote, theirs) in &remotes {
            let state = match theirs.get(id) {
                None => Tracking::LocalOnly,
                Some(t) if *t == tip => Tracking::UpToDate,
                Some(t) if store.is_ancestor(*t, tip) => Tracking::Ahead,
                Some(t) if store.is_ancestor(tip, *t) => Tracking::Behind,
                Some(_) => Tracking::Diverged,
            };
            out.entry(id.to_string()).or_default().push((remote.clone(), state));
        }
    }
    Ok(out)
}
