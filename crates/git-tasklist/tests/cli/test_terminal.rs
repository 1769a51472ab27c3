//! The terminal side: `--color` and the colour environment, shell completions
//! (alone and through git's bash completion) and the man page that
//! `git tasklist --help` opens.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::{TestRepo, expect_error, stderr, stdout};

const ESC: u8 = 0x1b;

/// The binary with the test environment but without NO_COLOR.
fn colour_cmd(repo: &TestRepo) -> assert_cmd::Command {
    let mut c = repo.cmd();
    c.env_remove("NO_COLOR");
    c
}

fn has_escapes(out: &Output) -> bool {
    out.stdout.contains(&ESC)
}

/// `s` without `ESC [ … m` sequences.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('m').expect("an escape sequence ends with m");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A list with a task in progress, one completed and one pending: every style is used.
fn list_with_states(repo: &TestRepo) -> String {
    let id = repo.create("Plan", &["a", "b", "c"]);
    repo.cmd().args(["-l", &id, "done", "a"]).assert().success();
    repo.cmd().args(["-l", &id, "--session", "s1", "start", "b"]).assert().success();
    id
}

#[test]
fn color_always_colours_a_pipe_never_and_no_color_do_not() {
    let repo = TestRepo::new();
    let id = list_with_states(&repo);
    for args in [vec!["show", id.as_str()], vec!["list"]] {
        let run = |extra: &[&str], env: Option<(&str, &str)>| {
            let mut c = colour_cmd(&repo);
            if let Some((k, v)) = env {
                c.env(k, v);
            }
            c.args(extra).args(&args).assert().success().get_output().clone()
        };
        let always = run(&["--color", "always"], None);
        assert!(has_escapes(&always), "{args:?}: --color always gave no colour");
        let never = run(&["--color", "never"], None);
        assert!(!has_escapes(&never), "{args:?}: --color never gave colour");
        // Colour only adds escapes: the text is the same.
        assert_eq!(strip_sgr(&stdout(&always)), stdout(&never), "{args:?}");
        // auto into a pipe: none, with or without NO_COLOR.
        assert!(!has_escapes(&run(&[], None)), "{args:?}: auto coloured a pipe");
        assert!(!has_escapes(&run(&["--color=auto"], Some(("NO_COLOR", "1")))), "{args:?}");
        // The option beats the environment.
        assert!(has_escapes(&run(&["--color=always"], Some(("NO_COLOR", "1")))), "{args:?}");
    }
    // The option may come after the command too; JSON is never coloured.
    let out = colour_cmd(&repo).args(["show", &id, "--color", "always"]).output().unwrap();
    assert!(has_escapes(&out));
    let out =
        colour_cmd(&repo).args(["--json", "--color", "always", "show", &id]).output().unwrap();
    assert!(out.status.success() && !has_escapes(&out), "{}", stdout(&out));
}

#[test]
fn clicolor_force_colours_a_pipe_unless_no_color_or_never() {
    let repo = TestRepo::new();
    let id = list_with_states(&repo);
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut c = colour_cmd(&repo);
        c.envs(env.iter().copied()).args(extra).args(["show", &id]);
        c.assert().success().get_output().clone()
    };
    assert!(has_escapes(&run(&[("CLICOLOR_FORCE", "1")], &[])));
    assert!(has_escapes(&run(&[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")], &[])));
    assert!(!has_escapes(&run(&[("CLICOLOR_FORCE", "")], &[])), "empty CLICOLOR_FORCE is unset");
    assert!(!has_escapes(&run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[])));
    assert!(!has_escapes(&run(&[("CLICOLOR_FORCE", "1")], &["--color", "never"])));
    assert!(!has_escapes(&run(&[("TERM", "dumb")], &[])), "TERM=dumb into a pipe");
}

/// Runs the binary with `args` on a terminal (a pty from util-linux
/// `script`), in the repository, with a clean environment plus `env`;
/// returns what it printed there.
fn on_terminal(repo: &TestRepo, args: &str, env: &[(&str, &str)]) -> String {
    let bin = assert_cmd::cargo::cargo_bin("git-tasklist");
    let line = format!("'{}' {args}", bin.display());
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", repo.home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .current_dir(&repo.path)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `script` (util-linux) to give the test a terminal: {e}")
        });
    assert!(out.status.success(), "script {line}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn auto_colours_a_terminal_unless_term_dumb_no_color_or_clicolor_zero() {
    let repo = TestRepo::new();
    let id = list_with_states(&repo);
    let show = format!("show {id}");
    let xterm = ("TERM", "xterm-256color");
    assert!(on_terminal(&repo, &show, &[xterm]).contains('\x1b'), "auto on a terminal");
    let plain = on_terminal(&repo, &show, &[("TERM", "dumb")]);
    assert!(!plain.contains('\x1b'), "TERM=dumb: {plain:?}");
    assert!(plain.contains("Plan"), "{plain:?}");
    assert!(!on_terminal(&repo, &show, &[xterm, ("NO_COLOR", "1")]).contains('\x1b'));
    assert!(!on_terminal(&repo, &show, &[xterm, ("CLICOLOR", "0")]).contains('\x1b'));
    assert!(!on_terminal(&repo, &format!("--color never {show}"), &[xterm]).contains('\x1b'));
    assert!(
        on_terminal(&repo, &format!("--color always {show}"), &[("TERM", "dumb")]).contains('\x1b')
    );
}

#[test]
fn invalid_color_is_a_usage_error() {
    let repo = TestRepo::new();
    for args in [&["--color", "bogus", "list"][..], &["list", "--color=yes"], &["--color"]] {
        let out = repo.cmd().args(args).assert().code(2).get_output().clone();
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains("--color"), "{args:?}: {}", stderr(&out));
    }
    let out = repo.cmd().args(["--json", "--color", "bogus", "list"]).assert().code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["exit_code"], 2);
    assert!(v["error"].as_str().unwrap().contains("bogus"), "{v}");
}

#[test]
fn clap_help_and_usage_errors_follow_color() {
    let repo = TestRepo::new();
    let help = |args: &[&str]| colour_cmd(&repo).args(args).assert().success().get_output().clone();
    assert!(has_escapes(&help(&["--color", "always", "--help"])));
    assert!(has_escapes(&help(&["show", "--help", "--color=always"])));
    assert!(!has_escapes(&help(&["--color", "never", "--help"])));
    assert!(!has_escapes(&help(&["--help"])), "auto into a pipe");
    let error = |args: &[&str]| {
        let out = colour_cmd(&repo).args(args).assert().code(2).get_output().clone();
        out.stderr.contains(&ESC)
    };
    assert!(error(&["--color", "always", "frobnicate"]));
    assert!(!error(&["--color", "never", "frobnicate"]));
    assert!(!error(&["frobnicate"]));
    // A JSON usage error is one clean JSON line whatever the colour.
    let out =
        colour_cmd(&repo).args(["--json", "--color", "always", "frobnicate"]).assert().code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["error"], "Unrecognized subcommand 'frobnicate'");
}

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "elvish", "powershell"];

/// A directory that is not in any repository.
fn outside(repo: &TestRepo) -> PathBuf {
    repo.home()
}

/// `git-tasklist completions bash`, run outside any repository.
fn bash_script(repo: &TestRepo) -> String {
    let out = repo.cmd_in(&outside(repo)).args(["completions", "bash"]).assert().success();
    stdout(out.get_output())
}

/// Runs the binary in completion mode, as `shell`'s completion function
/// does, in `dir`: the candidates for the last of `words`, one per line.
fn complete_in(repo: &TestRepo, dir: &Path, shell: &str, words: &[&str]) -> Vec<String> {
    let out = repo
        .cmd_in(dir)
        .env("COMPLETE", shell)
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(out.stderr.is_empty(), "{shell} {words:?}: {}", stderr(&out));
    stdout(&out).lines().map(String::from).collect()
}

/// A candidate's value, without the help the shell shows beside it (after a
/// tab; zsh: after a colon).
fn value(shell: &str, candidate: &str) -> String {
    let sep = if shell == "zsh" { ':' } else { '\t' };
    candidate.split(sep).next().unwrap_or_default().to_string()
}

#[test]
fn completions_for_every_shell_name_the_commands_without_a_repository() {
    let repo = TestRepo::new();
    for shell in SHELLS {
        let out = repo.cmd_in(&outside(&repo)).args(["completions", shell]).assert().success();
        let script = stdout(out.get_output());
        // The script registers git-tasklist and asks the binary on each TAB.
        assert!(script.len() > 100, "{shell}: script too short:\n{script}");
        for word in ["git-tasklist", "COMPLETE", shell] {
            assert!(script.contains(word), "{shell}: script does not mention {word}:\n{script}");
        }
        // What it asks: the commands and options, from outside any repository.
        let first = |s: &String| value(shell, s);
        let cands: Vec<String> = complete_in(&repo, &outside(&repo), shell, &["git-tasklist", ""])
            .iter()
            .map(first)
            .collect();
        for word in ["create", "resume", "handoff"] {
            assert!(cands.iter().any(|c| c == word), "{shell}: no {word} in {cands:?}");
        }
        let cands: Vec<String> =
            complete_in(&repo, &outside(&repo), shell, &["git-tasklist", "show", "--"])
                .iter()
                .map(first)
                .collect();
        for word in ["--session", "--color", "--remote"] {
            assert!(cands.iter().any(|c| c == word), "{shell}: no {word} in {cands:?}");
        }
    }
    assert_eq!(repo.git(&["for-each-ref"]), "");
}

/// Every file under the git directory with its size and modification time.
fn git_dir_state(repo: &TestRepo) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut dirs = vec![repo.git_dir()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                dirs.push(e.path());
            } else {
                out.push((e.path(), meta.len(), meta.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn completion_offers_list_ids_titles_and_task_ids_and_writes_nothing() {
    let repo = TestRepo::new();
    let a = repo.create("Database migration", &["schema", "app-code", "data"]);
    let b = repo.create("Beta plan", &["one"]);
    let before = git_dir_state(&repo);
    let dir = repo.path.clone();
    let values = |shell: &str, words: &[&str]| -> Vec<String> {
        complete_in(&repo, &dir, shell, words)
            .into_iter()
            .map(|c| value(shell, &c))
            .filter(|c| !c.starts_with('-'))
            .collect()
    };
    // A LIST argument: every id; an id prefix; a title prefix (bash escapes its space).
    let mut ids = vec![a.clone(), b.clone()];
    ids.sort();
    for cmd in ["show", "resume", "verify", "log", "next", "handoff", "archive", "watch"] {
        assert_eq!(values("bash", &["git-tasklist", cmd, ""]), ids, "{cmd}");
    }
    assert_eq!(values("bash", &["git-tasklist", "show", &b[..b.len() - 2]]), [b.as_str()]);
    assert_eq!(values("bash", &["git-tasklist", "show", "Datab"]), ["Database\\ migration"]);
    assert_eq!(values("zsh", &["git-tasklist", "show", "datab"]), ["Database migration"]);
    // fish shows the title beside the id.
    let fish = complete_in(&repo, &dir, "fish", &["git-tasklist", "show", &a]);
    assert_eq!(fish, [format!("{a}\tDatabase migration")]);
    // -l, --list=, --from.
    assert_eq!(values("bash", &["git-tasklist", "-l", "Be"]), ["Beta\\ plan"]);
    assert_eq!(values("bash", &["git-tasklist", "next", "--list", ""]), ids);
    assert_eq!(values("bash", &["git-tasklist", "create", "X", "--from", "Beta"]), ["Beta\\ plan"]);
    // Task ids of the list -l or TASKLIST_ID names.
    let tasks = ["schema", "app-code", "data"];
    assert_eq!(values("bash", &["git-tasklist", "-l", &a, "done", ""]), tasks);
    assert_eq!(
        values("bash", &["git-tasklist", "start", "--list=Database migration", "a"]),
        ["app-code"]
    );
    assert_eq!(values("bash", &["git-tasklist", "-l", &a, "add", "new", "--after", "d"]), ["data"]);
    assert_eq!(values("bash", &["git-tasklist", "-l", &b, "update", ""]), ["one"]);
    let out = repo
        .cmd()
        .env("TASKLIST_ID", &b)
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .args(["--", "git-tasklist", "block", ""])
        .assert()
        .success();
    assert!(stdout(out.get_output()).starts_with("one"), "{}", stdout(out.get_output()));
    // A new task's id, an unknown list, no list: nothing to offer, no error.
    assert_eq!(values("bash", &["git-tasklist", "-l", &a, "add", ""]), Vec::<String>::new());
    assert_eq!(values("bash", &["git-tasklist", "-l", "nope", "done", ""]), Vec::<String>::new());
    assert_eq!(values("bash", &["git-tasklist", "done", ""]), Vec::<String>::new());
    // --repo and --namespace are followed.
    let elsewhere = TestRepo::new();
    let c = elsewhere.create("Elsewhere", &["t"]);
    let path = elsewhere.path.to_str().unwrap();
    assert_eq!(values("bash", &["git-tasklist", "--repo", path, "show", ""]), [c.as_str()]);
    assert_eq!(
        values("bash", &["git-tasklist", "--namespace", "refs/none", "show", ""]),
        Vec::<String>::new()
    );
    assert_eq!(git_dir_state(&repo), before, "completion wrote into the repository");
}

#[test]
fn completions_errors_are_usage_errors() {
    let repo = TestRepo::new();
    for args in [&["completions", "tcsh"][..], &["completions"], &["completions", "bash", "zsh"]] {
        let out = repo.cmd().args(args).assert().code(2).get_output().clone();
        assert!(out.stdout.is_empty() && !out.stderr.is_empty(), "{args:?}");
    }
    let out = repo.cmd().args(["--json", "completions", "bash"]).assert().code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["error"], "Completions have no JSON output");
}

/// Runs `script` (bash source) in `bash --norc`, with the completion script
/// at `$COMPLETIONS`; asserts success and returns stdout.
fn run_bash(repo: &TestRepo, completions: &str, script: &str, path: &std::ffi::OsStr) -> String {
    let file = repo.root().join("git-tasklist.bash");
    std::fs::write(&file, completions).unwrap();
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .env_clear()
        .env("PATH", path)
        .env("HOME", repo.home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("COMPLETIONS", &file)
        .current_dir(&repo.path)
        .output()
        .unwrap();
    assert!(out.status.success(), "bash failed:\n{}\n{}", stdout(&out), stderr(&out));
    stdout(&out)
}

/// bash source that defines `t WORD…`: complete the last word as bash would
/// with `FUNC` as the completion function and print `[WORDS] -> REPLIES`.
const COMPLETE_FN: &str = r#"
t() {
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$FUNC" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "[$*] -> ${COMPREPLY[*]}"
}
"#;

/// The replies printed by `t` for `words` (see [`COMPLETE_FN`]).
fn replies<'a>(out: &'a str, words: &str) -> Vec<&'a str> {
    let prefix = format!("[{words}] -> ");
    let line = out.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| {
        panic!("no completion printed for {words}:\n{out}");
    });
    line[prefix.len()..].split_whitespace().collect()
}

#[test]
fn bash_completion_is_valid_and_registers_git_tasklist_and_git_tasklist_shim() {
    let repo = TestRepo::new();
    let script = bash_script(&repo);
    let path = std::env::var_os("PATH").unwrap_or_default();
    run_bash(&repo, &script, "bash -n \"$COMPLETIONS\"", &path);
    let out = run_bash(
        &repo,
        &script,
        "source \"$COMPLETIONS\" && complete -p git-tasklist && declare -F _git_tasklist",
        &path,
    );
    assert!(out.contains("complete ") && out.contains(" git-tasklist"), "{out}");
    assert!(out.contains("_git_tasklist"), "{out}");
}

/// clap_complete spelled the `case` arm of a subcommand differently from the
/// state its word loop computes when the bin name has a hyphen, so nothing
/// after `git-tasklist show` completed.
#[test]
fn bash_completes_subcommand_options_for_the_hyphenated_bin_name() {
    let repo = TestRepo::new();
    let script = bash_script(&repo);
    let func = script.split(" -F ").nth(1).unwrap().split_whitespace().next().unwrap();
    let (_, path) = bin_dir_first_on_path(&repo);
    let body = format!(
        "source \"$COMPLETIONS\"; FUNC={func}; {COMPLETE_FN}
         t git-tasklist cr
         t git-tasklist show --co
         t git-tasklist --color al
         t git-tasklist completions z
         t git-tasklist man --d"
    );
    let out = run_bash(&repo, &script, &body, &path);
    assert_eq!(replies(&out, "git-tasklist cr"), ["create"], "{out}");
    assert_eq!(replies(&out, "git-tasklist show --co"), ["--color"], "{out}");
    assert_eq!(replies(&out, "git-tasklist --color al"), ["always"], "{out}");
    assert_eq!(replies(&out, "git-tasklist completions z"), ["zsh"], "{out}");
    assert_eq!(replies(&out, "git-tasklist man --d"), ["--dir"], "{out}");
}

/// git's own bash completion, which calls `_git_tasklist` for `git tasklist`.
fn git_bash_completion() -> PathBuf {
    let candidates = [
        "/usr/share/bash-completion/completions/git",
        "/usr/share/git/completion/git-completion.bash",
        "/usr/share/git-core/contrib/completion/git-completion.bash",
        "/etc/bash_completion.d/git",
        "/opt/homebrew/etc/bash_completion.d/git-completion.bash",
        "/usr/local/etc/bash_completion.d/git-completion.bash",
    ];
    if let Some(p) = std::env::var_os("GIT_COMPLETION_BASH") {
        return PathBuf::from(p);
    }
    candidates.iter().map(PathBuf::from).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "git's bash completion (git-completion.bash) was not found at {candidates:?}; \
             set GIT_COMPLETION_BASH to its path (Debian's git package installs the first)"
        )
    })
}

/// `<tmp>/bin` holding a `git-tasklist` symlink to the test binary, put first
/// on PATH: what `cargo install` gives, so `git tasklist` runs it.
fn bin_dir_first_on_path(repo: &TestRepo) -> (PathBuf, std::ffi::OsString) {
    let bin = repo.root().join("bin");
    if !bin.exists() {
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("git-tasklist"),
            bin.join("git-tasklist"),
        )
        .unwrap();
    }
    let mut dirs = vec![bin.clone()];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    (bin, std::env::join_paths(dirs).unwrap())
}

#[test]
fn git_tasklist_tab_completes_through_gits_bash_completion() {
    let repo = TestRepo::new();
    let git_completion = git_bash_completion();
    let script = bash_script(&repo);
    let (_, path) = bin_dir_first_on_path(&repo);
    repo.create("Release", &["freeze", "tag"]);
    // What bash does on TAB for `git …`: git's completion is registered as
    // __git_wrap__git_main, which finds the command and calls _git_tasklist.
    let body = format!(
        "source '{}' && source \"$COMPLETIONS\" || exit 1
         FUNC=__git_wrap__git_main; {COMPLETE_FN}
         t git tas
         t git tasklist cr
         t git tasklist re
         t git tasklist show --co
         t git -C . tasklist --color al
         t git tasklist --color=ne
         t git tasklist completions fi
         t git tasklist man --d
         t git tasklist show Rel
         t git tasklist -l Release done fr",
        git_completion.display()
    );
    let out = run_bash(&repo, &script, &body, &path);
    assert_eq!(replies(&out, "git tas"), ["tasklist"], "{out}");
    assert_eq!(replies(&out, "git tasklist cr"), ["create"], "{out}");
    assert_eq!(replies(&out, "git tasklist re"), ["resume"], "{out}");
    assert_eq!(replies(&out, "git tasklist show --co"), ["--color"], "{out}");
    assert_eq!(replies(&out, "git -C . tasklist --color al"), ["always"], "{out}");
    assert_eq!(replies(&out, "git tasklist --color=ne"), ["never"], "{out}");
    assert_eq!(replies(&out, "git tasklist completions fi"), ["fish"], "{out}");
    assert_eq!(replies(&out, "git tasklist man --d"), ["--dir"], "{out}");
    assert_eq!(replies(&out, "git tasklist show Rel"), ["Release"], "{out}");
    assert_eq!(replies(&out, "git tasklist -l Release done fr"), ["freeze"], "{out}");
}

const PAGES: [&str; 5] = ["create", "show", "resume", "completions", "man"];

#[test]
fn man_prints_a_roff_page_listing_the_commands_without_a_repository() {
    let repo = TestRepo::new();
    let out = repo.cmd_in(&outside(&repo)).arg("man").assert().success();
    let page = stdout(out.get_output());
    assert!(page.contains(".TH git-tasklist 1"), "{page}");
    assert!(page.contains(".SH NAME\ngit\\-tasklist \\- Resumable multi\\-session"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for cmd in PAGES.iter().chain(&["list", "add", "update", "start", "done", "block", "next"]) {
        assert!(page.contains(&format!("git\\-tasklist\\-{cmd}(1)")), "no {cmd} in:\n{page}");
    }
    assert!(!page.contains("git\\-tasklist\\-help(1)"), "clap's help command listed");
    // The closing lines are sections of their own, not one run-together
    // paragraph under EXTRA.
    assert!(!page.contains(".SH EXTRA"), "{page}");
    assert!(page.contains(".SH \"EXIT STATUS\"\n.TP\n0\nSuccess.\n"), "{page}");
    assert!(page.contains(".TP\n5\nVerification failed"), "{page}");
    // It names where the documentation is: docs/ of the source, and the tree
    // this binary was built from (a `cargo install --path` checkout).
    assert!(page.contains(".SH \"SEE ALSO\""), "{page}");
    assert!(page.contains("directory of the git\\-tasklist source: commands.md"), "{page}");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs").canonicalize().unwrap();
    let docs = docs.display().to_string().replace('-', "\\-");
    assert!(page.contains(&format!(".RS\n{docs}\n.RE\n")), "{docs} not in:\n{page}");
    let out = repo.cmd().args(["--json", "man"]).assert().code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["error"], "The man page has no JSON output");
    assert_eq!(repo.git(&["for-each-ref"]), "");
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let repo = TestRepo::new();
    let dir = repo.root().join("share/man/man1");
    let out = repo.cmd_in(&outside(&repo)).arg("man").arg("--dir").arg(&dir).assert().success();
    let listed = stdout(out.get_output());
    let top = std::fs::read_to_string(dir.join("git-tasklist.1")).unwrap();
    let printed = repo.cmd_in(&outside(&repo)).arg("man").assert().success();
    assert_eq!(top, stdout(printed.get_output()), "the page written is the page printed");
    for cmd in PAGES {
        let file = dir.join(format!("git-tasklist-{cmd}.1"));
        let page = std::fs::read_to_string(&file).unwrap();
        assert!(page.contains(&format!(".TH git-tasklist-{cmd} 1")), "{cmd}: {page}");
        assert!(page.contains(&format!("git tasklist {cmd}")), "{cmd}: synopsis: {page}");
        assert!(listed.contains(file.to_str().unwrap()), "{cmd} not listed: {listed}");
    }
    assert!(!dir.join("git-tasklist-help.1").exists());
    // No page points to a README a `cargo install` user does not have.
    for e in std::fs::read_dir(&dir).unwrap() {
        let page = std::fs::read_to_string(e.unwrap().path()).unwrap();
        assert!(!page.contains("README"), "{page}");
    }
    let count = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(listed.lines().count(), count, "{listed}");
    // A DIR that cannot be made is one error line.
    let file = repo.root().join("a-file");
    std::fs::write(&file, "").unwrap();
    let err = expect_error(repo.cmd().arg("man").arg("--dir").arg(file.join("man1")), 1);
    assert!(err.contains("Cannot create"), "{err}");
}

/// `man`'s environment for reading the installed page: everything from the
/// test home, a plain pager, no MANPATH, so man-db derives it from PATH.
fn man_env(cmd: &mut Command, repo: &TestRepo, path: &std::ffi::OsStr) {
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", repo.home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "80")
        .env("LC_ALL", "C")
        .current_dir(&repo.path);
}

fn require_man() {
    let found = Command::new("man").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "`man` is not installed: this test reads the installed man page through it; \
         install man-db (`apt-get install man-db`; .ci/run does this)"
    );
}

/// `git tasklist --help` is `man git-tasklist`: after the README's install
/// step (pages in `<bin>/../share/man/man1`), git opens our page.
#[test]
#[ignore = "needs man (man-db): .ci/run installs it"]
fn git_tasklist_help_opens_the_installed_man_page() {
    require_man();
    let repo = TestRepo::new();
    let (bin, path) = bin_dir_first_on_path(&repo);
    let man1 = repo.root().join("share/man/man1");
    let git_tasklist = bin.join("git-tasklist");
    let mut install = Command::new(&git_tasklist);
    man_env(&mut install, &repo, &path);
    let out = install.arg("man").arg("--dir").arg(&man1).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // man-db finds the page through PATH alone (`<dir>/../share/man`).
    let mut where_is = Command::new("man");
    man_env(&mut where_is, &repo, &path);
    let out = where_is.args(["-w", "git-tasklist"]).output().unwrap();
    assert_eq!(
        Path::new(stdout(&out).trim()),
        man1.join("git-tasklist.1"),
        "man -w git-tasklist: {}",
        stderr(&out)
    );

    let mut git = Command::new("git");
    man_env(&mut git, &repo, &path);
    let out = git.args(["tasklist", "--help"]).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "git tasklist --help: {}\n{text}", stderr(&out));
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("NAME git-tasklist - Resumable multi-session task lists"),
        "page not shown:\n{text}"
    );
    assert!(words.contains("SUBCOMMANDS git-tasklist-create(1)"), "{text}");
    assert!(!stderr(&out).contains("No manual entry"), "{}", stderr(&out));

    let mut sub = Command::new("man");
    man_env(&mut sub, &repo, &path);
    let out = sub.arg("git-tasklist-resume").output().unwrap();
    let words = stdout(&out).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("SYNOPSIS git tasklist resume"), "{words}\n{}", stderr(&out));
}
