//! The `git-tasklist` binary: all behaviour lives in the library.

fn main() -> std::process::ExitCode {
    git_tasklist::cli::main()
}
