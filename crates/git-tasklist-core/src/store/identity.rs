//! Who a commit is by: the author and committer, resolved like git once per
//! process.

use super::open::Store;

/// Name and email used when git has no identity configured.
pub(crate) const FALLBACK_IDENTITY: (&str, &str) = ("git-tasklist", "git-tasklist@localhost");

impl Store {
    /// The configured author or committer, else the fallback identity, with
    /// the given time. Resolved like git: `GIT_AUTHOR_*`/`GIT_COMMITTER_*`,
    /// then `author.*`/`committer.*`, then `user.*`, then `EMAIL` for the
    /// address. (gix's own persona lookup is avoided on purpose: it also
    /// computes the local time zone, which scans the zone database on every
    /// process start, and caches a time fixed when the repository is opened.)
    pub(super) fn signature(
        &self,
        repo: &gix::Repository,
        author: bool,
        seconds: i64,
    ) -> gix::actor::Signature {
        let cell = &self.identities[usize::from(!author)];
        let (name, email) = cell.get_or_init(|| Self::identity(repo, author));
        gix::actor::Signature {
            name: name.as_str().into(),
            email: email.as_str().into(),
            time: gix::date::Time::new(seconds, 0),
        }
    }

    /// The author's or committer's name and address (see [`Store::signature`]),
    /// looked up once per process: the configuration is read once too.
    fn identity(repo: &gix::Repository, author: bool) -> (String, String) {
        use gix::bstr::ByteSlice;
        let (env_prefix, section) =
            if author { ("GIT_AUTHOR", "author") } else { ("GIT_COMMITTER", "committer") };
        let config = repo.config_snapshot();
        let lookup = |what: &str| -> Option<String> {
            let from_env = std::env::var(format!("{env_prefix}_{}", what.to_uppercase())).ok();
            from_env
                .or_else(|| {
                    config
                        .string(format!("{section}.{what}").as_str())
                        .map(|v| v.to_str_lossy().into_owned())
                })
                .or_else(|| {
                    config
                        .string(format!("user.{what}").as_str())
                        .map(|v| v.to_str_lossy().into_owned())
                })
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let name = lookup("name").unwrap_or_else(|| FALLBACK_IDENTITY.0.to_string());
        let email = lookup("email")
            .or_else(|| std::env::var("EMAIL").ok().filter(|e| !e.trim().is_empty()))
            .unwrap_or_else(|| FALLBACK_IDENTITY.1.to_string());
        (name, email)
    }
}
