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
