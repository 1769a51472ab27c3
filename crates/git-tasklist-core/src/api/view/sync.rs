//! The views of `sync`, `init`, and of how a list stands against a remote.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::sync::{Action, SyncReport, Tracking};

/// A conflict a merge resolved.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConflictView {
    /// The task, or null for a field of the list.
    pub task: Option<String>,
    /// The field.
    pub field: String,
    /// The rule that decided it.
    pub rule: String,
}

/// One list's outcome of `sync`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListSyncView {
    /// The list id.
    pub id: String,
    /// Its title, when readable.
    pub title: Option<String>,
    /// What happened.
    pub action: Action,
    /// Whether its tip was pushed.
    pub pushed: bool,
    /// The conflicts a merge resolved.
    pub conflicts: Vec<ConflictView>,
    /// Why it was skipped.
    pub detail: Option<String>,
}

/// The output of `sync`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SyncView {
    /// The remote.
    pub remote: String,
    /// Every list, sorted by id.
    pub lists: Vec<ListSyncView>,
    /// What the remote said when it refused a push (escaped), else null.
    pub remote_message: Option<String>,
    /// How many task lists were skipped (refs that are not lists left out).
    pub skipped: usize,
}

impl SyncView {
    /// The view of a sync report.
    pub fn of(r: &SyncReport) -> SyncView {
        SyncView {
            remote: r.remote.clone(),
            lists: r
                .lists
                .iter()
                .map(|l| ListSyncView {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    action: l.action,
                    pushed: l.pushed,
                    conflicts: l
                        .conflicts
                        .iter()
                        .map(|c| ConflictView {
                            task: c.task.clone(),
                            field: c.field.to_string(),
                            rule: c.rule.to_string(),
                        })
                        .collect(),
                    detail: l.detail.clone(),
                })
                .collect(),
            remote_message: r.remote_message.clone(),
            skipped: r.skipped(),
        }
    }
}

/// The output of `init`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InitView {
    /// The remote.
    pub remote: String,
    /// The fetch refspec of the lists.
    pub refspec: String,
    /// False when it was configured already.
    pub added: bool,
}

/// How a list stands against one remote, as `sync` last fetched it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrackingView {
    /// The remote.
    pub remote: String,
    /// `up_to_date`, `ahead`, `behind`, `diverged` or `local_only`.
    pub state: Tracking,
}

pub(super) fn tracking_views(t: Option<&Vec<(String, Tracking)>>) -> Vec<TrackingView> {
    t.map(|v| {
        v.iter()
            .map(|(remote, state)| TrackingView { remote: remote.clone(), state: *state })
            .collect()
    })
    .unwrap_or_default()
}

/// The remote-tracking state of every list, by list id, then by remote.
pub(crate) type TrackingMap = BTreeMap<String, Vec<(String, Tracking)>>;
