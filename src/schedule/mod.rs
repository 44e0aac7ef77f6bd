//! Schedules (`schedules/*.yaml`): being built (issue 5).

pub mod daemon;

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::settings::Settings;

/// One schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    pub archive_inputs: bool,
}

impl Schedule {
    pub fn next_after(&self, _t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }
}

pub fn load_all(_dir: &Path) -> Result<Vec<Schedule>, String> {
    Ok(Vec::new())
}

pub fn cli_list(_s: &Settings) -> Result<i32> {
    anyhow::bail!("schedule list är inte byggt ännu")
}

pub fn cli_next(_s: &Settings, _name: Option<&str>) -> Result<i32> {
    anyhow::bail!("schedule next är inte byggt ännu")
}
