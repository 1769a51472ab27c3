//! The JSON schema of every view.

use std::collections::BTreeMap;

use super::agents::{ExportView, ImportView, InstallView};
use super::board::{BoardListView, BoardView};
use super::error::ErrorView;
use super::history::{LogView, ResumeView, VerifyView};
use super::list::{ChangeView, HandoffView, ListView, ListsView, NextView};
use super::sync::{InitView, SyncView};
use super::templates::TemplatesView;

/// The JSON schema of every view, by name: what `--json` prints and what the
/// MCP tools declare as their output schema (JSON Schema 2020-12, as JSON).
pub fn schemas() -> BTreeMap<&'static str, serde_json::Value> {
    let mut out = BTreeMap::new();
    out.insert("list", schemars::schema_for!(ListView));
    out.insert("change", schemars::schema_for!(ChangeView));
    out.insert("handoff", schemars::schema_for!(HandoffView));
    out.insert("lists", schemars::schema_for!(ListsView));
    out.insert("next", schemars::schema_for!(NextView));
    out.insert("log", schemars::schema_for!(LogView));
    out.insert("verify", schemars::schema_for!(VerifyView));
    out.insert("resume", schemars::schema_for!(ResumeView));
    out.insert("templates", schemars::schema_for!(TemplatesView));
    out.insert("error", schemars::schema_for!(ErrorView));
    out.insert("sync", schemars::schema_for!(SyncView));
    out.insert("init", schemars::schema_for!(InitView));
    out.insert("import", schemars::schema_for!(ImportView));
    out.insert("export", schemars::schema_for!(ExportView));
    out.insert("install", schemars::schema_for!(InstallView));
    out.insert("board", schemars::schema_for!(BoardView));
    out.insert("board_list", schemars::schema_for!(BoardListView));
    out.into_iter().map(|(name, schema)| (name, schema.to_value())).collect()
}
