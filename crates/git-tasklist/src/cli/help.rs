//! `git tasklist --help`: the commands grouped by what they are for, and the
//! global options under a heading of their own.
//!
//! clap lists subcommands in one flat section and has no heading per
//! subcommand, so the top-level help has a template of its own whose command
//! section is written here from the clap definition (names and one-line
//! abouts): it cannot drift from the real commands, and a command missing
//! from [`GROUPS`] still shows, under "Other commands".

use std::fmt::Write as _;

/// The heading of the options every command takes (`--repo`, `-l`, …).
pub const GLOBAL_OPTIONS: &str = "Global options";

/// The commands by what they are for, in the order the help shows them.
pub const GROUPS: &[(&str, &[&str])] = &[
    ("Plan & work", &["create", "add", "update", "start", "done", "block", "next"]),
    ("Hand over", &["resume", "verify", "handoff"]),
    ("Teammates", &["sync", "init"]),
    ("Agents", &["install", "mcp", "hook", "import", "export"]),
    ("Look", &["list", "show", "log", "watch", "serve"]),
    ("Housekeeping", &["archive", "unarchive", "templates", "demo", "completions", "man", "help"]),
];

/// `cmd` (the whole command line) with the grouped top-level help.
pub fn grouped(cmd: clap::Command) -> clap::Command {
    // A built copy has clap's own `help` subcommand, so that it is listed
    // too; the command itself stays unbuilt for the completion and man
    // page generators, which build it their way.
    let mut built = cmd.clone();
    built.build();
    let template = template(&built);
    cmd.help_template(template)
}

/// The top-level help template: about, usage, the grouped commands, the
/// global options, the closing lines.
fn template(cmd: &clap::Command) -> String {
    let styles = cmd.get_styles();
    let (header, literal) = (styles.get_header(), styles.get_literal());
    let visible: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    let width = visible.iter().map(|s| s.get_name().len()).max().unwrap_or(0);
    let mut text = String::from("{about-with-newline}\n{usage-heading} {usage}\n");
    let grouped: Vec<&str> = GROUPS.iter().flat_map(|(_, names)| names.iter().copied()).collect();
    let others: Vec<&str> =
        visible.iter().map(|s| s.get_name()).filter(|n| !grouped.contains(n)).collect();
    let groups = GROUPS.iter().copied().chain(Some(("Other commands", &others[..])));
    for (heading, names) in groups {
        let rows: Vec<&&clap::Command> =
            names.iter().filter_map(|n| visible.iter().find(|s| s.get_name() == *n)).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(text, "\n{header}{heading}:{header:#}\n");
        for sub in rows {
            let name = sub.get_name();
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            let pad = " ".repeat(width - name.len());
            let _ = writeln!(text, "  {literal}{name}{literal:#}{pad}  {about}");
        }
    }
    let _ = write!(text, "\n{header}{GLOBAL_OPTIONS}:{header:#}\n{{options}}{{after-help}}");
    text
}
