//! Polling for change: a [`Fingerprint`] of every ref a view is made from
//! (the lists' tips and their remote-tracking copies), and a [`Poller`] that
//! says whether it moved since it last looked. `watch` and the board both
//! redraw on it, so they see the same changes.

use crate::api::error::Result;
use crate::api::tasklists::Tasklists;
use crate::domain::id::CommitId;

/// Every ref the views read, with its tip: equal fingerprints mean every
/// view would come out the same (the refs are compared, not a hash of them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    lists: Vec<(String, Option<CommitId>)>,
    tracking: Vec<(String, Option<CommitId>)>,
}

impl Tasklists {
    /// The state of every list ref and remote-tracking copy now, for
    /// pollers (see [`Poller`]); a cheap read of refs, no list is parsed.
    pub fn fingerprint(&self) -> Result<Fingerprint> {
        let lists = self.store.list_tips()?;
        let tracking = self.store.refs_under(&format!("{}/", crate::sync::TRACKING_PREFIX))?;
        Ok(Fingerprint { lists, tracking })
    }
}

/// Tells whether the lists changed since it last looked.
#[derive(Debug, Default)]
pub struct Poller {
    last: Option<Fingerprint>,
}

impl Poller {
    /// A poller that has seen nothing yet.
    pub fn new() -> Poller {
        Poller::default()
    }

    /// Whether the refs moved since the last successful look (the first look
    /// counts as a change). When they cannot be read, the error is returned
    /// and the state seen last is kept.
    pub fn changed(&mut self, tl: &Tasklists) -> Result<bool> {
        let now = tl.fingerprint()?;
        if self.last.as_ref() == Some(&now) {
            return Ok(false);
        }
        self.last = Some(now);
        Ok(true)
    }

    /// Whether a look has succeeded yet (before that, every change is the first).
    pub fn primed(&self) -> bool {
        self.last.is_some()
    }
}
