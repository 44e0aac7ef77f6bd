//! `manifest.json`: the record of one run (report.md).

use std::time::Instant;

use chrono::{DateTime, Local};
use serde::Serialize;

use super::run_data::RunData;
use crate::rules::Status;

#[derive(Serialize)]
struct ManifestFile {
    sokvag: String,
    sha256: Option<String>,
    storlek: u64,
    status: &'static str,
    typ: Option<&'static str>,
    organisation: Option<String>,
    period: Option<String>,
    orsak: String,
    varningar: usize,
}

#[derive(Serialize)]
struct ManifestRule {
    id: String,
    titel: String,
    yaml: String,
    yaml_sha256: String,
    skript: String,
    skript_sha256: String,
    parametrar: serde_json::Value,
}

/// When a run started and how long its phases took, for the manifest.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// When the run started (the run folder's time stamp).
    pub started: DateTime<Local>,
    /// Seconds spent reading the shared folder.
    pub ingest_s: f64,
    /// Seconds spent evaluating the rules.
    pub rules_s: f64,
    /// The run's start, for its total time.
    pub t0: Instant,
}

/// `manifest.json` of a run: what was read, with which rules, what came of
/// it, and `exit`, the run's exit status.
pub fn build(
    d: &RunData<'_>,
    counts: &[(Status, usize)],
    exit: i32,
    timing: &Timing,
    archived: bool,
) -> serde_json::Value {
    let Timing {
        started,
        ingest_s,
        rules_s,
        t0,
    } = *timing;
    let files: Vec<ManifestFile> = d
        .log
        .entries
        .iter()
        .map(|e| ManifestFile {
            sokvag: e.path.clone(),
            sha256: e.sha256.clone(),
            storlek: e.size,
            status: e.status.label(),
            typ: e.typ.map(|t| t.label()),
            organisation: e.org.clone(),
            period: e.period.clone(),
            orsak: e.reason.clone(),
            varningar: e.warnings.len(),
        })
        .collect();
    let rules: Vec<ManifestRule> = d
        .rules
        .rules
        .iter()
        .map(|r| ManifestRule {
            id: r.def.id.clone(),
            titel: r.def.titel.clone(),
            yaml: r.yaml_path.display().to_string(),
            yaml_sha256: r.yaml_sha256.clone(),
            skript: r.script_path.display().to_string(),
            skript_sha256: r.script_sha256.clone(),
            parametrar: serde_json::to_value(&r.def.parametrar).unwrap_or_default(),
        })
        .collect();
    let mut by_status = serde_json::Map::new();
    for (s, n) in counts {
        by_status.insert(s.label().into(), (*n).into());
    }
    serde_json::json!({
        "program": "uppsikt",
        "version": env!("CARGO_PKG_VERSION"),
        "kommandorad": std::env::args().collect::<Vec<_>>(),
        "korning": d.run_name,
        "schema": d.schedule,
        "per": d.settings.per.to_string(),
        "period": d.settings.period.to_string(),
        "start": started.to_rfc3339(),
        "slut": Local::now().to_rfc3339(),
        "tider_sekunder": { "inlasning": ingest_s, "regler": rules_s, "totalt": t0.elapsed().as_secs_f64() },
        "konfiguration": d.settings.config_path.display().to_string(),
        "indata": d.settings.inputs.display().to_string(),
        "arkiverad_indata": archived,
        "arkiv_avvikelser": d.archive_problems,
        "filer": files,
        "regeluppsattning_sha256": d.rules.fingerprint(),
        "regler": rules,
        "antal_per_status": by_status,
        "antal_utvarderingar": d.tally.total(),
        "antal_iakttagelser": d.tally.findings(),
        "nya_iakttagelser": d.change.new_count(),
        "atgardade_iakttagelser": d.change.resolved.len(),
        "foregaende_korning": d.change.previous,
        "foregaende_overhoppade": d.change.skipped,
        "gallrade": d.gallrade,
        "indikatorer": d.indicators,
        "digital_mognad": d.maturity,
        "slutstatus": exit,
        (super::history::MANIFEST_KEY): super::history::count(d.run_name, d.settings.per, d.evaluations).to_manifest(),
    })
}
