//! The effective settings of one command: the configuration file with the
//! command line's overrides applied.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;

use crate::cli::Common;
use crate::config::Config;
use crate::model::Period;

#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    pub config_path: PathBuf,
    pub inputs: PathBuf,
    pub rules: PathBuf,
    pub outputs: PathBuf,
    pub schedules: PathBuf,
    pub per: NaiveDate,
    /// Whether the per-date was given (otherwise it is today).
    pub per_given: bool,
    pub period: Period,
    pub settle: Duration,
}

impl Settings {
    pub fn from_common(c: &Common) -> Result<Self> {
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

    pub fn ingest_options(&self) -> crate::ingest::IngestOptions {
        crate::ingest::IngestOptions {
            period: self.period,
            settle: self.settle,
            limits: self.config.granser.clone(),
            now: std::time::SystemTime::now(),
        }
    }
}
