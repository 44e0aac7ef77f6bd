//! The effective settings of one command: the configuration file with the
//! command line's overrides applied.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;

use crate::config::Config;
use crate::model::Period;

/// Options that override `uppsikt.yaml` (the CLI fills the ones a command
/// takes; see `cli.rs`).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The job configuration.
    pub config: PathBuf,
    /// The shared folder to read (overrides the configuration).
    pub inputs: Option<PathBuf>,
    /// The rule folder (overrides the configuration).
    pub rules: Option<PathBuf>,
    /// The output root (overrides the configuration).
    pub outputs: Option<PathBuf>,
    /// The schedule folder (overrides the configuration).
    pub schedules: Option<PathBuf>,
    /// The date the run judges by, ÅÅÅÅ-MM-DD (default: today).
    pub per: Option<String>,
    /// The period judged, e.g. 2026 or 2026-T2 (default: the configuration's, else the year of --per).
    pub period: Option<String>,
    /// Settle time in seconds: files modified more recently are skipped as `väntar`.
    pub vantetid: Option<u64>,
}

/// The settings one command works with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file as read.
    pub config: Config,
    /// Where it was read from.
    pub config_path: PathBuf,
    /// The shared folder to read.
    pub inputs: PathBuf,
    /// The rule folder.
    pub rules: PathBuf,
    /// The output root (run folders).
    pub outputs: PathBuf,
    /// The schedule folder.
    pub schedules: PathBuf,
    /// The date the run judges by.
    pub per: NaiveDate,
    /// Whether the per-date was given (otherwise it is today).
    pub per_given: bool,
    /// The period judged.
    pub period: Period,
    /// Files modified more recently than this are skipped as `väntar`.
    pub settle: Duration,
}

impl Settings {
    /// The configuration file named in `c`, with `c`'s overrides applied.
    pub fn from_overrides(c: &Overrides) -> Result<Self> {
        let config = Config::load(&c.config)?;
        let per = match &c.per {
            Some(p) => NaiveDate::parse_from_str(p.trim(), "%Y-%m-%d")
                .with_context(|| format!("--per \"{p}\" är inget datum (ÅÅÅÅ-MM-DD)"))?,
            None => crate::ingest::today(),
        };
        let period = match &c.period {
            Some(p) => p
                .parse::<Period>()
                .map_err(|e| anyhow::anyhow!("--period: {e}"))?,
            None => config.period_for(per),
        };
        Ok(Self {
            inputs: c
                .inputs
                .clone()
                .unwrap_or_else(|| config.sokvagar.indata.clone()),
            rules: c
                .rules
                .clone()
                .unwrap_or_else(|| config.sokvagar.regler.clone()),
            outputs: c
                .outputs
                .clone()
                .unwrap_or_else(|| config.sokvagar.utdata.clone()),
            schedules: c
                .schedules
                .clone()
                .unwrap_or_else(|| config.sokvagar.scheman.clone()),
            settle: Duration::from_secs(c.vantetid.unwrap_or(config.vantetid_sekunder)),
            per,
            per_given: c.per.is_some(),
            period,
            config_path: c.config.clone(),
            config,
        })
    }

    /// The options of one ingest of the shared folder, as of now.
    pub fn ingest_options(&self) -> crate::ingest::IngestOptions {
        crate::ingest::IngestOptions {
            period: self.period,
            settle: self.settle,
            limits: self.config.granser.clone(),
            now: std::time::SystemTime::now(),
        }
    }
}
