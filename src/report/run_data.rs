//! What the report writers get about one run.

use super::change::Change;
use super::history::History;
use super::tally::Tally;
use crate::ingest::InputLog;
use crate::model::Model;
use crate::rules::indicators::Indicator;
use crate::rules::maturity::Maturity;
use crate::rules::{Evaluation, RuleSet};
use crate::settings::Settings;

/// Everything the report writers need about one run.
pub struct RunData<'a> {
    /// The settings of the run.
    pub settings: &'a Settings,
    /// The rules evaluated.
    pub rules: &'a RuleSet,
    /// What was read.
    pub model: &'a Model,
    /// Every file of the shared folder and what became of it.
    pub log: &'a InputLog,
    /// The evaluations the writers need one by one: every finding and every
    /// outcome of the avsteg rules, in register, rule and subject order. The
    /// others went to `resultat.jsonl` as they were made and live on only
    /// in [`RunData::tally`], so memory is bounded by the findings.
    pub evaluations: &'a [Evaluation],
    /// Counts and worst statuses over every evaluation of the run.
    pub tally: &'a Tally,
    /// The indicators of the guideline's goals.
    pub indicators: &'a [Indicator],
    /// DiMiOS figures (an indicator, never pass/fail).
    pub maturity: &'a Maturity,
    /// The comparison with the previous run of the same schedule.
    pub change: &'a Change,
    /// The earlier runs of the same schedule, for the `Historik` sheet.
    pub history: &'a History,
    /// `nattlig`, `kvartal`, … or `manuell`.
    pub schedule: &'a str,
    /// The run folder's final name.
    pub run_name: &'a str,
    /// When the schedule runs next (for the feedback text), if known.
    pub next_run: Option<String>,
    /// The run folders of the schedule this run removes once it is
    /// published (gallring; `gallrade` in the manifest).
    pub gallrade: &'a [super::gallring::Removed],
    /// Archived files missing from or differing in `indata/`
    /// (`arkiv_avvikelser` in the manifest; empty without an archive).
    pub archive_problems: &'a [String],
    /// Per organisation, the delivery of its feedback as planned when the
    /// report is written (`None`: the run does not deliver).
    pub utskick: Option<Vec<super::sheets::utskick::Row>>,
}
