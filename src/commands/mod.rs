//! What each command does, one file per command group. Each takes the
//! [`Overrides`](crate::settings::Overrides) the CLI filled and returns the
//! process exit status ([`crate::exit`]); the CLI ([`crate::cli`]) parses the
//! command line and calls them.

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

/// Whether stderr carries JSON log events (`--log-format json`), set once
/// by the CLI before a command runs.
static JSON_LOG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Say on stderr as JSON log events (`--log-format json`) from now on.
pub fn log_as_json(on: bool) {
    JSON_LOG.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// A line for the person running the command (`uppsikt: …`) on stderr:
/// as it is, or with JSON logs as one JSON event (`ERROR`).
pub(crate) fn say_error(line: &str) {
    if JSON_LOG.load(std::sync::atomic::Ordering::Relaxed) {
        tracing::error!("{line}");
    } else {
        eprintln!("{line}");
    }
}

/// [`say_error`] for a warning or a note (`WARN` as JSON).
pub(crate) fn say_warning(line: &str) {
    if JSON_LOG.load(std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!("{line}");
    } else {
        eprintln!("{line}");
    }
}
