//! `completions`: the shell completion script for `git-tasklist`, generated
//! from the clap definition so it never drifts from the real options.

use std::io::Write;

use clap::Args;
use clap_complete::Shell;

use super::error::CliResult;

/// Print the shell completion script for SHELL to stdout
///
/// bash: `git tasklist completions bash > ~/.local/share/bash-completion/completions/git-tasklist`
/// with the bash-completion package, or source the script from ~/.bashrc after git's own
/// completion. It completes `git-tasklist …` and, through git's completion, `git tasklist …`.
///
/// zsh: `git tasklist completions zsh > ~/.zfunc/_git-tasklist`, with `fpath+=~/.zfunc` before
/// `compinit` in ~/.zshrc.
///
/// fish: `git tasklist completions fish > ~/.config/fish/completions/git-tasklist.fish`.
///
/// elvish, powershell: source the output from the shell's startup file.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for
    #[arg(value_enum)]
    shell: Shell,
}

/// The name completions are generated for: the binary git runs for `git tasklist`.
const BIN_NAME: &str = "git-tasklist";

/// Defines `_git_tasklist`, the function git's bash completion
/// (contrib/completion/git-completion.bash) calls for `git tasklist …`. It
/// hands the words from `tasklist` up to the cursor on to clap's completer
/// `_git__tasklist` as if `git-tasklist …` had been typed. git's completion
/// has split the line into `words`/`cword`/`cur` and set `__git_cmd_idx` to
/// the index of `tasklist` (git 2.32 and later; older ones are searched). It
/// keeps `--color=al` as one word where bash splits at `=`: the option goes
/// before the cursor so the value completes. It registers `git` with
/// `-o nospace`, which clap's completer does not expect, so the space after a
/// completed word is turned back on.
const GIT_BASH_SHIM: &str = r#"
# `git tasklist <TAB>`: git's bash completion calls _git_tasklist.
_git_tasklist() {
    local i start="${__git_cmd_idx-}" word="${cur-}"
    if [[ -z "$start" ]]; then
        for ((i = 1; i < cword; i++)); do
            if [[ "${words[i]}" == tasklist ]]; then
                start=$i
                break
            fi
        done
    fi
    [[ -n "$start" ]] || return 0
    local COMP_WORDS=(git-tasklist "${words[@]:start+1:cword-start-1}")
    if [[ "$word" == --*=* ]]; then
        COMP_WORDS+=("${word%%=*}")
        word="${word#*=}"
    fi
    COMP_WORDS+=("$word")
    local COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    compopt +o nospace 2>/dev/null
    _git__tasklist git-tasklist "$word" "${COMP_WORDS[COMP_CWORD-1]}"
}
"#;

/// Writes the completion script for `a.shell` to `out`.
/// (`cmd` is the whole command line's clap command, from the dispatcher.)
pub fn run(a: CompletionsArgs, mut cmd: clap::Command, out: &mut dyn Write) -> CliResult {
    // Generated into memory: clap_complete panics when its writer fails, and
    // stdout can fail (`git tasklist completions bash | head`).
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, BIN_NAME, &mut script);
    if a.shell == Shell::Bash {
        let script = fix_bash_states(&String::from_utf8_lossy(&script));
        out.write_all(script.as_bytes())?;
        out.write_all(GIT_BASH_SHIM.as_bytes())?;
    } else {
        out.write_all(&script)?;
    }
    Ok(())
}

/// Works around clap_complete's bash output for a bin name with a hyphen
/// (clap-rs/clap#6421): its word loop names the state after `git-tasklist show`
/// `git__tasklist__subcmd__show`, but the `case` arm that completes the
/// subcommand's options is spelled `git__subcmd__tasklist__subcmd__show`, so
/// nothing after a subcommand ever completed. Spelling the arms the loop's way
/// fixes it; once clap_complete does, this replaces nothing.
fn fix_bash_states(script: &str) -> String {
    script.replace(&BIN_NAME.replace('-', "__subcmd__"), &BIN_NAME.replace('-', "__"))
}
