//! `--color`: whether text output is coloured, decided once for our output
//! and for clap's help and usage errors.

use std::ffi::OsString;

use clap::ValueEnum;

/// When to colour text output. `--help` lists the values without these
/// descriptions (`help = None`): a value with help text would switch every
/// command's `--help` to the long layout; `--color`'s own help sums them up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set, CLICOLOR=0 or TERM=dumb;
    /// CLICOLOR_FORCE=1 turns it on even into a pipe.
    #[default]
    #[value(help = None)]
    Auto,
    /// Also into a pipe or a file.
    #[value(help = None)]
    Always,
    /// Never.
    #[value(help = None)]
    Never,
}

impl ColorWhen {
    /// Whether standard output gets colour. `auto` is anstream's decision, the
    /// one clap makes for its own output: NO_COLOR, CLICOLOR_FORCE, CLICOLOR,
    /// TERM and whether stdout is a terminal.
    pub fn stdout(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        }
    }

    /// The same choice for clap's help and error messages.
    pub fn clap(self) -> clap::ColorChoice {
        match self {
            ColorWhen::Auto => clap::ColorChoice::Auto,
            ColorWhen::Always => clap::ColorChoice::Always,
            ColorWhen::Never => clap::ColorChoice::Never,
        }
    }

    /// The last `--color WHEN` / `--color=WHEN` before any `--`, read before
    /// clap parses the line so that clap's own help and usage errors can follow
    /// it too. A missing or invalid value reads as `auto`; clap reports the
    /// invalid one. The parsed option decides our own output.
    pub fn requested(args: impl Iterator<Item = OsString>) -> ColorWhen {
        let mut when = None;
        let mut args = args.skip(1).take_while(|a| a != "--");
        while let Some(arg) = args.next() {
            let value = match arg.to_str() {
                Some("--color") => args.next(),
                Some(a) => a.strip_prefix("--color=").map(OsString::from),
                None => None,
            };
            if let Some(v) = value {
                when = v.to_str().and_then(|v| ColorWhen::from_str(v, false).ok());
            }
        }
        when.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::ColorWhen;

    fn requested(args: &[&str]) -> ColorWhen {
        ColorWhen::requested(args.iter().map(|a| a.into()))
    }

    #[test]
    fn requested_reads_the_last_color_option_before_double_dash() {
        assert_eq!(requested(&["git-tasklist", "list"]), ColorWhen::Auto);
        assert_eq!(requested(&["git-tasklist", "--color", "always", "list"]), ColorWhen::Always);
        assert_eq!(requested(&["git-tasklist", "list", "--color=never"]), ColorWhen::Never);
        assert_eq!(
            requested(&["git-tasklist", "--color=never", "--color", "always"]),
            ColorWhen::Always
        );
        assert_eq!(requested(&["git-tasklist", "--color", "bogus"]), ColorWhen::Auto);
        assert_eq!(requested(&["git-tasklist", "--color"]), ColorWhen::Auto);
        assert_eq!(requested(&["git-tasklist", "--", "--color", "always"]), ColorWhen::Auto);
    }
}
