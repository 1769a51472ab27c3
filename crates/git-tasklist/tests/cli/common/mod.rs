//! `TestRepo`: a real git repository in a temp dir, the real binary run with a
//! clean environment, and read-backs through the real `git`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

/// The fixed identity every test commit is made with.
pub const NAME: &str = "Test User";
/// The fixed email every test commit is made with.
pub const EMAIL: &str = "test@example.com";

/// Environment shared by the binary and by `git`.
pub fn base_env(home: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ("HOME", home.as_os_str().to_owned()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("NO_COLOR", "1".into()),
        ("LC_ALL", "C".into()),
    ]
}

/// The fixed identity, as `GIT_AUTHOR_*`/`GIT_COMMITTER_*` variables.
pub fn identity_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GIT_AUTHOR_NAME", NAME),
        ("GIT_AUTHOR_EMAIL", EMAIL),
        ("GIT_COMMITTER_NAME", NAME),
        ("GIT_COMMITTER_EMAIL", EMAIL),
    ]
}

/// The object format (`sha1`, `sha256`) and ref format (`files`,
/// `reftable`) every repository a test inits, and the ref format of every
/// clone; from `GIT_TASKLIST_TEST_OBJECT_FORMAT` and
/// `GIT_TASKLIST_TEST_REF_FORMAT` (default: git's own defaults, sha1 and files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formats {
    /// `sha1` or `sha256`.
    pub object: String,
    /// `files` or `reftable`.
    pub refs: String,
}

impl Formats {
    /// The formats the environment asks for.
    pub fn from_env() -> Formats {
        let var = |name: &str, default: &str| {
            std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.into())
        };
        Formats {
            object: var("GIT_TASKLIST_TEST_OBJECT_FORMAT", "sha1"),
            refs: var("GIT_TASKLIST_TEST_REF_FORMAT", "files"),
        }
    }

    /// Every combination: files/reftable × sha1/sha256.
    pub fn all() -> Vec<Formats> {
        let mut all = Vec::new();
        for refs in ["files", "reftable"] {
            for object in ["sha1", "sha256"] {
                all.push(Formats { object: object.into(), refs: refs.into() });
            }
        }
        all
    }

    /// Whether refs are loose files and `packed-refs`: a test that plants
    /// a lock file, an undecodable ref file or counts loose refs needs
    /// this; under reftable it says so and passes (`test_repo_formats`
    /// covers reftable's own lock and refs).
    pub fn files_refs_only(&self, test: &str) -> bool {
        if self.refs == "files" {
            return true;
        }
        eprintln!("{test}: skipped, it plants ref files and the ref format is {}", self.refs);
        false
    }

    /// Hex digits of an object id in this format.
    pub fn hex_len(&self) -> usize {
        if self.object == "sha256" { 64 } else { 40 }
    }

    /// `args` with the format options added to `git init` and `git clone`.
    fn apply<'a>(&'a self, args: &[&'a str]) -> Vec<String> {
        let mut out: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match args.first() {
            Some(&"init") => {
                out.insert(1, format!("--object-format={}", self.object));
                out.insert(1, format!("--ref-format={}", self.refs));
            }
            Some(&"clone") => out.insert(1, format!("--ref-format={}", self.refs)),
            _ => {}
        }
        out
    }
}

/// A temp dir holding `home/`, the repository (`repo/`, or `repo.git` when
/// bare) and room for other directories.
pub struct TestRepo {
    dir: TempDir,
    /// The work tree (or the git dir of a bare repository).
    pub path: PathBuf,
    /// True for `git init --bare`.
    pub bare: bool,
    /// The formats of every repository this test inits or clones.
    pub formats: Formats,
}

/// HEAD, index, work tree and branches: what the tool must never touch.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    index: Option<Vec<u8>>,
    status: String,
    head: String,
    branches: String,
    head_file: String,
}

impl TestRepo {
    /// An empty repository with `main` as the unborn branch.
    pub fn new() -> TestRepo {
        TestRepo::new_with(Formats::from_env())
    }

    /// An empty repository in the given formats.
    pub fn new_with(formats: Formats) -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        let path = dir.path().join("repo");
        let repo = TestRepo { dir, path, bare: false, formats };
        repo.git_in(repo.dir.path(), &["init", "-q", "-b", "main", "repo"]);
        repo
    }

    /// A bare repository (`repo.git`); commands reach it with `--repo`.
    pub fn new_bare() -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        let path = dir.path().join("repo.git");
        let repo = TestRepo { dir, path, bare: true, formats: Formats::from_env() };
        repo.git_in(repo.dir.path(), &["init", "-q", "--bare", "-b", "main", "repo.git"]);
        repo
    }

    /// A repository with one commit on `main`, a staged new file and a dirty
    /// tracked file.
    pub fn with_work() -> TestRepo {
        let repo = TestRepo::new();
        repo.write("README.md", "hello\n");
        repo.git(&["add", "README.md"]);
        repo.git(&["commit", "-q", "-m", "Initial commit"]);
        repo.write("staged.txt", "staged\n");
        repo.git(&["add", "staged.txt"]);
        repo.write("README.md", "hello, dirty\n");
        repo.write("untracked.txt", "untracked\n");
        repo
    }

    /// The temp dir holding everything.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `$HOME` for the commands.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The git directory (`.git`, or the bare repository itself).
    pub fn git_dir(&self) -> PathBuf {
        if self.bare { self.path.clone() } else { self.path.join(".git") }
    }

    /// Writes a file in the work tree.
    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path.join(rel), text).unwrap();
    }

    /// The binary with a clean environment and the fixed identity, run in the
    /// repository (or, for a bare one, with `--repo`).
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = self.cmd_no_identity();
        c.envs(identity_env());
        c
    }

    /// The binary with a clean environment and no identity at all.
    pub fn cmd_no_identity(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::cargo_bin("git-tasklist").unwrap();
        c.env_clear().envs(base_env(&self.home()));
        if self.bare {
            c.current_dir(self.root()).arg("--repo").arg(&self.path);
        } else {
            c.current_dir(&self.path);
        }
        c
    }

    /// The binary run from `dir` (no `--repo`), fixed identity.
    pub fn cmd_in(&self, dir: &Path) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::cargo_bin("git-tasklist").unwrap();
        c.env_clear().envs(base_env(&self.home())).envs(identity_env()).current_dir(dir);
        c
    }

    /// A `std::process::Command` for the binary (for concurrent spawning).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("git-tasklist"));
        c.env_clear().envs(base_env(&self.home())).envs(identity_env());
        if self.bare {
            c.current_dir(self.root()).arg("--repo").arg(&self.path);
        } else {
            c.current_dir(&self.path);
        }
        c
    }

    /// Runs git in `dir` with the test environment; returns its output unchecked.
    pub fn git_output_in(&self, dir: &Path, args: &[&str]) -> Output {
        std::process::Command::new("git")
            .env_clear()
            .envs(base_env(&self.home()))
            .envs(identity_env())
            .current_dir(dir)
            .args(self.formats.apply(args))
            .output()
            .unwrap()
    }

    /// Runs git in `dir`, asserts success and returns stdout.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output_in(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs git in the repository, asserts success and returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.path, args)
    }

    /// Runs git with `stdin` fed from `input`, asserts success and returns stdout.
    pub fn git_stdin(&self, args: &[&str], input: &[u8]) -> String {
        self.git_stdin_in(&self.path, args, input)
    }

    /// [`TestRepo::git_stdin`] in `dir`.
    pub fn git_stdin_in(&self, dir: &Path, args: &[&str], input: &[u8]) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("git")
            .env_clear()
            .envs(base_env(&self.home()))
            .envs(identity_env())
            .current_dir(dir)
            .args(self.formats.apply(args))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&data));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// `create TITLE --task T…`; returns the id (the first line of stdout).
    pub fn create(&self, title: &str, tasks: &[&str]) -> String {
        self.create_with(title, tasks, &[])
    }

    /// `create` with extra arguments (e.g. `--sequential`).
    pub fn create_with(&self, title: &str, tasks: &[&str], extra: &[&str]) -> String {
        let mut c = self.cmd();
        c.arg("create").arg(title);
        for t in tasks {
            c.arg("--task").arg(t);
        }
        c.args(extra);
        created_id(&mut c)
    }

    /// `show --json` of a list.
    pub fn show_json(&self, id: &str) -> Value {
        let out = self.cmd().args(["--json", "show", id]).assert().success().get_output().clone();
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The status of a task, read back through `show --json`.
    pub fn status(&self, id: &str, task: &str) -> String {
        let v = self.show_json(id);
        let t = v["tasks"].as_array().unwrap().iter().find(|t| t["id"] == task).unwrap();
        t["status"].as_str().unwrap().to_string()
    }

    /// The commit `refs/tasklists/<id>` points to (via `git rev-parse`).
    pub fn tip(&self, id: &str) -> String {
        self.git(&["rev-parse", &format!("refs/tasklists/{id}")]).trim().to_string()
    }

    /// Number of commits on a list's ref (`git rev-list --count`).
    pub fn commit_count(&self, id: &str) -> usize {
        self.count_ref(&format!("refs/tasklists/{id}"))
    }

    /// Number of commits reachable from any ref or revision.
    pub fn count_ref(&self, rev: &str) -> usize {
        self.git(&["rev-list", "--count", rev]).trim().parse().unwrap()
    }

    /// `tasklist.toml` at the list's tip (`git show`).
    pub fn file_at(&self, id: &str) -> String {
        self.git(&["show", &format!("refs/tasklists/{id}:tasklist.toml")])
    }

    /// The full message of a commit (`git log -1 --format=%B`).
    pub fn message(&self, rev: &str) -> String {
        self.git(&["log", "-1", "--format=%B", rev])
    }

    /// The trailers of a commit as git parses them.
    pub fn trailers(&self, rev: &str) -> Vec<(String, String)> {
        self.git(&["log", "-1", "--format=%(trailers:only,unfold)", rev])
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once(": ").unwrap();
                (k.to_string(), v.to_string())
            })
            .collect()
    }

    /// Every ref with the object it points to.
    pub fn refs(&self) -> String {
        self.git(&["for-each-ref", "--format=%(objectname) %(refname)"])
    }

    /// HEAD, index, work tree and branches as they are now.
    pub fn snapshot(&self) -> Snapshot {
        let head = {
            let out = self.git_output_in(&self.path, &["rev-parse", "--verify", "-q", "HEAD"]);
            if out.status.success() {
                String::from_utf8(out.stdout).unwrap()
            } else {
                "unborn".into()
            }
        };
        Snapshot {
            index: std::fs::read(self.git_dir().join("index")).ok(),
            status: if self.bare {
                String::new()
            } else {
                self.git(&["status", "--porcelain", "--untracked-files=all"])
            },
            head,
            branches: self.git(&[
                "for-each-ref",
                "--format=%(objectname) %(refname)",
                "refs/heads",
            ]),
            head_file: std::fs::read_to_string(self.git_dir().join("HEAD")).unwrap(),
        }
    }

    /// Asserts `git fsck --strict` passes with no errors or warnings.
    pub fn fsck(&self) {
        let out = self.git_output_in(&self.path, &["fsck", "--strict", "--no-progress"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "git fsck --strict failed: {err}");
        let bad: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("error") || l.starts_with("warning") || l.contains("broken"))
            .collect();
        assert!(bad.is_empty(), "git fsck --strict: {err}");
    }

    /// Writes a commit whose tree holds `tasklist.toml` = `content` with git
    /// plumbing and points `refname` at it; returns the commit id.
    pub fn plant(&self, refname: &str, content: &[u8]) -> String {
        let blob = self.git_stdin(&["hash-object", "-w", "--stdin"], content);
        let tree = self.git_stdin(
            &["mktree"],
            format!("100644 blob {}\ttasklist.toml\n", blob.trim()).as_bytes(),
        );
        let commit = self.git(&["commit-tree", tree.trim(), "-m", "planted"]);
        let commit = commit.trim().to_string();
        self.git(&["update-ref", refname, &commit]);
        commit
    }
}

/// Stdout of an `assert_cmd` output as a string.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Stderr of an `assert_cmd` output as a string.
pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Asserts the process exited with `code` and printed one `Error:` line (plus
/// an optional `Hint:` line) on stderr; returns stderr.
/// Runs a `create` command, asserts success and returns the new list's id
/// (the first line of stdout).
pub fn created_id(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.assert().success().get_output().clone();
    stdout(&out).lines().next().unwrap().to_string()
}

pub fn expect_error(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(!lines.is_empty(), "no error printed");
    assert!(lines[0].starts_with("Error: "), "stderr does not start with 'Error: ': {err}");
    assert!(lines.len() <= 2, "error is more than one line (plus hint): {err}");
    if lines.len() == 2 {
        assert!(lines[1].starts_with("Hint: "), "second line is not a hint: {err}");
    }
    err
}

/// A valid format-1 file for list `id`, with `rest` appended.
pub fn toml_for(id: &str, rest: &str) -> String {
    format!(
        "format = 1\nid = \"{id}\"\ntitle = \"Planted\"\ncreated = 2026-01-01T00:00:00Z\nupdated = 2026-01-01T00:00:00Z\n{rest}"
    )
}
