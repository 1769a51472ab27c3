//! Partial clones (`git clone --filter=blob:none`): a list's blob that is
//! not here is fetched on demand from the promisor remote, through git
//! (gix does not fetch missing objects itself).

use gix::ObjectId;

use super::types::BoxError;
use crate::util::text::one_line;

/// The promisor remote of a partial clone (`extensions.partialClone`, or
/// the first remote with `promisor = true`), `None` for a full repository.
fn promisor_remote(repo: &gix::Repository) -> Option<String> {
    let config = repo.config_snapshot();
    if let Some(name) = config.string("extensions.partialClone") {
        return Some(String::from_utf8_lossy(&name).into_owned());
    }
    let file = config.plumbing();
    let sections = file.sections_by_name("remote")?;
    for section in sections {
        let promisor = section.value("promisor").is_some_and(|v| {
            gix::config::Boolean::try_from(AsRef::<gix::bstr::BStr>::as_ref(&v)).is_ok_and(|b| b.0)
        });
        if let (true, Some(name)) = (promisor, section.header().subsection_name()) {
            return Some(String::from_utf8_lossy(name).into_owned());
        }
    }
    None
}

/// Brings object `oid` into a partial clone from its promisor remote. `Ok`
/// when it is here now; an error naming the remote when the fetch failed;
/// `None` when the repository is not a partial clone (a missing object is
/// then simply missing).
pub(crate) fn fetch_missing(repo: &gix::Repository, oid: ObjectId) -> Option<Result<(), BoxError>> {
    let remote = promisor_remote(repo)?;
    // `cat-file -t` on a missing object of a partial clone makes git fetch it.
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(repo.git_dir())
        .args(["cat-file", "-t"])
        .arg(oid.to_string())
        .stdin(std::process::Stdio::null())
        .output();
    Some(match out {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "it is not in this partial clone and fetching it from promisor remote '{remote}' failed: {}",
            one_line(String::from_utf8_lossy(&out.stderr).trim())
        )
        .into()),
        Err(e) => Err(format!(
            "it is not in this partial clone and git could not be run to fetch it from promisor remote '{remote}': {e}"
        )
        .into()),
    })
}
