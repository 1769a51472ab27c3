//! Snapshot files: text the binary prints (help, errors, `--json`, the
//! schemas, the seed scenario), with what varies between runs redacted by
//! [`redact`] (the one place that says what varies), compared by snapbox with
//! a file under `tests/cli/snapshots/<dir>/`, one file per command or view.
//!
//! A mismatch fails the test with a line diff (an inserted line shows as one
//! added line, not as every later line changed) and writes nothing.
//! `SNAPSHOTS=overwrite cargo test --test cli snapshot` rewrites the files
//! that differ and deletes those no test checks any more; review the result
//! with `git diff`. `SNAPSHOTS` unset or `verify` compares; any other value
//! (snapbox's own `skip` or `ignore` included) fails the test, so no setting
//! lets a snapshot pass unchecked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use snapbox::assert::Action;
use snapbox::data::DataFormat;
use snapbox::{Assert, Data};

use crate::common::TestRepo;

/// The environment variable that says whether to compare or overwrite.
const ACTION_VAR: &str = "SNAPSHOTS";

/// Where the snapshot files are.
pub fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/snapshots")
}

/// What `SNAPSHOTS` asks for: compare (unset or `verify`) or `overwrite`.
pub fn action_from_env() -> Action {
    match std::env::var(ACTION_VAR) {
        Err(std::env::VarError::NotPresent) => Action::Verify,
        Ok(v) if v == "verify" => Action::Verify,
        Ok(v) if v == "overwrite" => Action::Overwrite,
        other => panic!("{ACTION_VAR}={other:?}: use verify (the default) or overwrite"),
    }
}

/// Compares `actual` with the file `path` (exactly, but for line endings);
/// with [`Action::Overwrite`], rewrites the file instead of failing. The
/// error is snapbox's report: the file's name, a line diff and the hint.
pub fn compare(path: &Path, actual: &str, action: Action) -> Result<(), String> {
    let expected = Data::read_from(path, Some(DataFormat::Text)).raw();
    Assert::new()
        .palette(snapbox::report::Palette::plain())
        .action(action)
        .try_eq(Some(&"actual"), Data::text(actual), expected)
        .map_err(|e| {
            format!(
                "{e}to accept: {ACTION_VAR}=overwrite cargo test --test cli snapshot, \
                 then review git diff\n"
            )
        })
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `s` starts with `pat`, where in `pat` `h` is a lowercase hex digit,
/// `d` a decimal digit, and any other character itself.
fn starts_with_pattern(s: &[char], pat: &str) -> bool {
    let pat: Vec<char> = pat.chars().collect();
    s.len() >= pat.len()
        && pat.iter().zip(s).all(|(p, c)| match p {
            'h' => c.is_ascii_digit() || ('a'..='f').contains(c),
            'd' => c.is_ascii_digit(),
            p => p == c,
        })
}

/// Replaces what varies between runs: temp paths (`<TMP>`), UUIDs (`<ID>`),
/// times `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DD HH:MM` (`<TIME>`) and commit
/// ids (`<COMMIT>`: a whole word of 64 lowercase hex digits (SHA-256), or of
/// 7 to 40 that is 12 or 40 long or holds a decimal digit, so English words
/// are left alone).
///
/// Our own rules rather than snapbox's regex redactions: "7 to 40 hex digits
/// holding a decimal digit, as a whole word" needs a look-around, which the
/// `regex` crate does not have.
pub fn redact(text: &str, paths: &[&Path]) -> String {
    let mut text = text.to_string();
    for p in paths {
        text = text.replace(p.to_str().unwrap(), "<TMP>");
    }
    const UUID: &str = "hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh";
    const TIMES: [&str; 2] = ["dddd-dd-ddTdd:dd:ddZ", "dddd-dd-dd dd:dd"];
    let s: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < s.len() {
        let at_start = i == 0 || !is_word(s[i - 1]);
        let ends_word = |n: usize| i + n == s.len() || !is_word(s[i + n]);
        if at_start {
            if starts_with_pattern(&s[i..], UUID) && ends_word(UUID.len()) {
                out.push_str("<ID>");
                i += UUID.len();
                continue;
            }
            if let Some(p) = TIMES.iter().find(|p| starts_with_pattern(&s[i..], p)) {
                out.push_str("<TIME>");
                i += p.len();
                continue;
            }
            let n = s[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || ('a'..='f').contains(*c))
                .count();
            let digit = s[i..i + n].iter().any(char::is_ascii_digit);
            let short = (7..=40).contains(&n) && (n == 12 || n == 40 || digit);
            if ends_word(n) && (short || n == 64) {
                out.push_str("<COMMIT>");
                i += n;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// The snapshot files of one directory, `tests/cli/snapshots/<dir>/`, all
/// checked by one test. [`check`](Self::check) redacts a text and compares it
/// with its file; when the value is dropped (and the test has not already
/// failed), every mismatch is reported at once, and so is a file in the
/// directory that no check named (a snapshot left from a removed case;
/// `SNAPSHOTS=overwrite` deletes it).
pub struct SnapshotFiles<'a> {
    dir: PathBuf,
    action: Action,
    /// The repository the texts come from: its temp path is redacted, and
    /// none of its list ids, commit ids or paths may be left after redaction.
    repo: Option<&'a TestRepo>,
    checked: BTreeSet<String>,
    failures: Vec<String>,
}

impl<'a> SnapshotFiles<'a> {
    /// The files of `tests/cli/snapshots/<dir>/`, for texts that come from no
    /// repository (help texts, schemas).
    pub fn new(dir: &str) -> SnapshotFiles<'a> {
        SnapshotFiles {
            dir: snapshots_dir().join(dir),
            action: action_from_env(),
            repo: None,
            checked: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    /// The files of `tests/cli/snapshots/<dir>/`, for texts from `repo`.
    pub fn of_repo(dir: &str, repo: &'a TestRepo) -> SnapshotFiles<'a> {
        let mut files = SnapshotFiles::new(dir);
        files.repo = Some(repo);
        files
    }

    /// Redacts `text` and compares it with the file `name` (as `create.txt`).
    pub fn check(&mut self, name: &str, text: &str) {
        assert!(self.checked.insert(name.to_string()), "snapshot {name} checked twice");
        let paths: Vec<&Path> = self.repo.map(TestRepo::root).into_iter().collect();
        let text = redact(text, &paths);
        if let Some(repo) = self.repo {
            assert_nothing_run_specific(repo, &text);
        }
        if let Err(e) = compare(&self.dir.join(name), &text, self.action) {
            self.failures.push(e);
        }
    }
}

impl Drop for SnapshotFiles<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let entries = std::fs::read_dir(&self.dir).into_iter().flatten();
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if self.checked.contains(&name) {
                continue;
            }
            let path = self.dir.join(&name);
            if self.action == Action::Overwrite {
                std::fs::remove_file(&path).unwrap();
                eprintln!("Removed {}: no test checks it", path.display());
            } else {
                self.failures.push(format!(
                    "{} is checked by no test: remove it (or run with {ACTION_VAR}=overwrite)",
                    path.display()
                ));
            }
        }
        if !self.failures.is_empty() {
            panic!(
                "{} of the {} snapshots in {} differ or are left over:\n{}",
                self.failures.len(),
                self.checked.len(),
                self.dir.display(),
                self.failures.join("\n")
            );
        }
    }
}

/// Fails when `text` (redacted) still holds one of `repo`'s list ids (or
/// their 8-character prefixes), a commit id (7-character prefix) or its
/// temp path.
fn assert_nothing_run_specific(repo: &TestRepo, text: &str) {
    let root = repo.root().to_str().unwrap();
    assert!(!text.contains(root), "temp path left in:\n{text}");
    let refs = repo.git(&["for-each-ref", "--format=%(refname:lstrip=-1)"]);
    for id in refs.lines().filter(|name| name.len() == 36) {
        assert!(!text.contains(id) && !text.contains(&id[..8]), "id {id} left in:\n{text}");
    }
    for c in repo.git(&["rev-list", "--all"]).lines() {
        assert!(!text.contains(&c[..7]), "commit {c} left in:\n{text}");
    }
}
