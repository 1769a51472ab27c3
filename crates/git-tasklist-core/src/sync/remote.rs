//! Which remote, which ref prefix there, and the fetch refspec `init` adds.

use super::error::SyncError;
use super::transport::{LISTING, Net, git_text, remote_tips};
use super::types::{Initialized, REMOTE_PREFIX_CONFIG_KEY, RemoteLists, TRACKING_PREFIX};
use crate::store::{GitConfig, Store, valid_ref_prefix};
use crate::util::text::escape;

/// The remote to use: `remote`, else the current branch's upstream remote,
/// else `origin`.
pub(super) fn pick_remote(store: &Store, config: &GitConfig, remote: Option<&str>) -> String {
    if let Some(r) = remote {
        return r.to_string();
    }
    let branch = store.head_branch();
    if !branch.is_empty() {
        let up = config.get(&format!("branch.{branch}.remote"));
        if !up.is_empty() && up != "." {
            return up;
        }
    }
    "origin".into()
}

/// The remote side's ref prefix: `given`, else git config
/// `tasklist.remotePrefix`, else the local namespace.
pub(super) fn remote_prefix(
    store: &Store,
    config: &GitConfig,
    given: Option<&str>,
) -> Result<String, SyncError> {
    let prefix = match given {
        Some(p) => p.to_string(),
        None => config.get(REMOTE_PREFIX_CONFIG_KEY),
    };
    let prefix = prefix.trim_end_matches('/').to_string();
    let prefix = if prefix.is_empty() { store.namespace().to_string() } else { prefix };
    let valid = prefix.starts_with("refs/")
        && !prefix.split('/').any(str::is_empty)
        && valid_ref_prefix(&prefix);
    if valid { Ok(prefix) } else { Err(SyncError::BadName(escape(&prefix))) }
}

/// What is known here of `remote`'s lists (default: the remote `sync`
/// would use; when that one is not configured, the first configured one),
/// from git config and the tracking refs alone: no network. `None` when
/// no remote is given and none is configured.
pub fn remote_lists(store: &Store, remote: Option<&str>) -> Result<Option<RemoteLists>, SyncError> {
    let config = store.read_config()?;
    let mut name = pick_remote(store, &config, remote);
    let mut configured = config.has_remote(&name);
    if !configured && remote.is_none() {
        match config.remote_names().into_iter().find(|n| !n.is_empty()) {
            Some(first) => (name, configured) = (first, true),
            None => return Ok(None),
        }
    }
    let tracking = format!("{TRACKING_PREFIX}/{name}/");
    let fetched = store
        .refs_under(&tracking)?
        .iter()
        .filter(|(r, _)| r.strip_prefix(&tracking).is_some_and(|id| !id.contains('/')))
        .count();
    let target = format!(":{TRACKING_PREFIX}/{name}/*");
    let fetch_configured = configured
        && config.get_all(&format!("remote.{name}.fetch")).iter().any(|s| s.ends_with(&target));
    Ok(Some(RemoteLists { remote: name, configured, fetch_configured, fetched }))
}

/// Asks `remote` how many lists it holds (`git ls-remote`, within the
/// network bound) under `prefix` (default: as for sync).
pub fn count_remote_lists(
    store: &Store,
    remote: &str,
    prefix: Option<&str>,
) -> Result<usize, SyncError> {
    let config = store.read_config()?;
    known_remote(&config, remote)?;
    let prefix = remote_prefix(store, &config, prefix)?;
    let net = Net::new(store, &config, remote)?;
    let pattern = format!("{prefix}/*");
    let listed = net.run(LISTING, &["ls-remote", "--refs", remote, &pattern])?;
    if !listed.status.success() {
        return Err(SyncError::Fetch { remote: escape(remote), message: git_text(&listed) });
    }
    let dir = format!("{prefix}/");
    // Only names directly under the prefix (`ls-remote` matches tails).
    Ok(remote_tips(&listed)
        .iter()
        .filter(|(name, _)| name.strip_prefix(&dir).is_some_and(|id| !id.contains('/')))
        .count())
}

/// Checks that `remote` is configured.
pub(super) fn known_remote(config: &GitConfig, remote: &str) -> Result<(), SyncError> {
    if config.has_remote(remote) { Ok(()) } else { Err(SyncError::UnknownRemote(escape(remote))) }
}

/// The fetch refspec that brings the remote's lists into the tracking namespace.
fn fetch_spec(prefix: &str, remote: &str) -> String {
    format!("+{prefix}/*:{TRACKING_PREFIX}/{remote}/*")
}

/// [`fetch_spec`], plus a negative refspec for each configured remote named
/// `<remote>/<x>`: its tracking refs sit inside this remote's
/// (`refs/tasklists-remote/<remote>/<x>/…`), and a fetch of this remote must
/// neither prune nor overwrite them.
pub(super) fn fetch_specs(config: &GitConfig, prefix: &str, remote: &str) -> Vec<String> {
    let mut specs = vec![fetch_spec(prefix, remote)];
    let inner = format!("{remote}/");
    for name in config.remote_names() {
        if let Some(rest) = name.strip_prefix(&inner).filter(|r| !r.is_empty()) {
            specs.push(format!("^{prefix}/{rest}/*"));
        }
    }
    specs
}

/// Adds the glob fetch refspec of the lists to `remote`, so that a plain
/// `git fetch` brings teammates' lists into the tracking namespace.
/// Idempotent; harmless on a remote with no lists (a glob refspec that
/// matches nothing is no error); never a forced refspec into the local
/// namespace (that would destroy unpushed work) and never a push refspec
/// (that would stop a plain `git push` from pushing branches).
pub(crate) fn init(
    store: &Store,
    remote: Option<&str>,
    prefix: Option<&str>,
) -> Result<Initialized, SyncError> {
    let config = store.read_config()?;
    let remote = pick_remote(store, &config, remote);
    known_remote(&config, &remote)?;
    store
        .with_namespace(&format!("{TRACKING_PREFIX}/{remote}"))
        .map_err(|_| SyncError::BadName(escape(&remote)))?;
    let refspec = fetch_spec(&remote_prefix(store, &config, prefix)?, &remote);
    let key = format!("remote.{remote}.fetch");
    let added = !config.get_all(&key).contains(&refspec);
    if added && let Err(message) = store.config_add(&key, &refspec)? {
        return Err(SyncError::Config { remote: escape(&remote), message });
    }
    Ok(Initialized { remote, refspec, added })
}
