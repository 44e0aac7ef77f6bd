//! What each command does, one file per command group. Each takes the
//! [`Overrides`](crate::settings::Overrides) the CLI filled and returns the
//! process exit status ([`crate::exit`]); the CLI ([`crate::cli`]) parses the
//! command line and calls them.

/// `println!` that never panics: a closed stdout (`uppsikt … | head -1`)
/// ends nothing; the command goes on and ends with its own status.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `print!` that never panics (see [`outln`]).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

pub mod check;
pub mod daemon;
pub mod gallra;
pub mod mall;
pub mod rules;
pub mod run;
pub mod schedule;
pub mod terminal;

use anyhow::Result;

use crate::rules::RuleSet;
use crate::settings::Settings;

/// The rules of `settings`, or why they cannot be used.
fn load_rules(settings: &Settings) -> Result<RuleSet> {
    RuleSet::load(&settings.rules).map_err(|e| anyhow::anyhow!("regler kan inte användas:\n{e}"))
}

/// Whether stderr carries JSON log events (`--loggformat json`), set once
/// by the CLI before a command runs.
static JSON_LOG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Say on stderr as JSON log events (`--loggformat json`) from now on.
pub fn log_as_json(on: bool) {
    JSON_LOG.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// A line for the person running the command (`uppsikt: …`) on stderr:
/// as it is, or with JSON logs as one JSON event (`ERROR`).
pub(crate) fn say_error(line: &str) {
    if JSON_LOG.load(std::sync::atomic::Ordering::Relaxed) {
        tracing::error!("{line}");
    } else {
        quiet_stderr_line(line);
    }
}

/// [`say_error`] for a warning or a note (`WARN` as JSON).
pub(crate) fn say_warning(line: &str) {
    if JSON_LOG.load(std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!("{line}");
    } else {
        quiet_stderr_line(line);
    }
}

/// A line on stderr; a closed stderr is not an error (`eprintln!` would panic).
pub fn quiet_stderr_line(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}
