//! One run of the job: validate rules, ingest, evaluate, and write a new run
//! folder (report.md). The pipeline in order, nothing hidden.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Local};
use serde::Serialize;

use crate::commands::{EXIT_PARTIAL, EXIT_UNUSABLE};
use crate::ingest::{self, FileStatus, InputLog};
use crate::model::Model;
use crate::report::change::{self, Change};
use crate::report::run_folder::{self, OutputLock};
use crate::rules::indicators::{self, Indicator};
use crate::rules::maturity::{self, Maturity};
use crate::rules::{Evaluation, RuleSet, Status};
use crate::settings::Settings;

/// Everything the report writers need about one run.
pub struct RunData<'a> {
    pub settings: &'a Settings,
    pub rules: &'a RuleSet,
    pub model: &'a Model,
    pub log: &'a InputLog,
    pub evaluations: &'a [Evaluation],
    pub indicators: &'a [Indicator],
    /// DiMiOS figures (an indicator, never pass/fail).
    pub maturity: &'a Maturity,
    pub change: &'a Change,
    /// `nattlig`, `kvartal`, … or `manuell`.
    pub schedule: &'a str,
    /// The run folder's final name.
    pub run_name: &'a str,
    /// When the schedule runs next (for the feedback text), if known.
    pub next_run: Option<String>,
}

impl RunData<'_> {
    /// Worst status per (organisation, rule).
    pub fn worst(&self, org: &str, rule: &str) -> Option<Status> {
        self.evaluations
            .iter()
            .filter(|e| e.org == org && &*e.rule == rule)
            .map(|e| e.status)
            .reduce(Status::worst)
    }
}

/// What a finished run reports back (to the CLI and the daemon).
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub folder: PathBuf,
    pub exit: i32,
    pub counts: Vec<(Status, usize)>,
    /// Per rule id: the number of evaluations in each status, in `Status::ALL` order.
    pub per_rule: Vec<(String, [usize; 5])>,
    pub files_in_error: usize,
}

/// `uppsikt run`: returns the exit status.
pub fn run_command(settings: &Settings, schedule: Option<&str>, archive: bool) -> Result<i32> {
    let rules = match RuleSet::load(&settings.rules) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("uppsikt: regler kan inte användas:\n{e}");
            return Ok(EXIT_UNUSABLE);
        }
    };
    let (name, archive, next) = match schedule {
        Some(n) => {
            let schedules = crate::schedule::load_all(&settings.schedules)
                .map_err(|e| anyhow::anyhow!("scheman kan inte användas:\n{e}"))?;
            let Some(s) = schedules.iter().find(|s| s.name == n) else {
                eprintln!(
                    "uppsikt: inget schema heter {n}; finns: {}",
                    schedules
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return Ok(EXIT_UNUSABLE);
            };
            (
                n.to_string(),
                archive || s.archive_inputs,
                s.next_after(chrono::Utc::now()).map(|t| {
                    t.with_timezone(&s.zone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                }),
            )
        }
        None => ("manuell".to_string(), archive, None),
    };
    let summary = execute(
        settings,
        &rules,
        &name,
        archive || settings.config.arkivera_indata,
        next,
        None,
    )?;
    print!("{:<6}", "regel");
    for st in Status::ALL {
        print!("{:>16}", st.label());
    }
    println!();
    for (rule, counts) in &summary.per_rule {
        print!("{rule:<6}");
        for n in counts {
            print!("{n:>16}");
        }
        println!();
    }
    print!("{:<6}", "totalt");
    for (_, n) in &summary.counts {
        print!("{n:>16}");
    }
    println!();
    println!("Körningen skrevs till {}", summary.folder.display());
    Ok(summary.exit)
}

/// A hook to make the writer fail part-way (tests of crash safety).
pub type FailPoint = Option<&'static str>;

/// Ingest, evaluate and write one run folder.
pub fn execute(
    settings: &Settings,
    rules: &RuleSet,
    schedule: &str,
    archive: bool,
    next_run: Option<String>,
    fail_at: FailPoint,
) -> Result<RunSummary> {
    let started: DateTime<Local> = Local::now();
    let t0 = Instant::now();
    let read = ingest::ingest(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
    )
    .with_context(|| format!("{}: indatamappen kan inte läsas", settings.inputs.display()))?;
    let t_ingest = t0.elapsed();
    let model = Model::new(settings.per, settings.period, read.orgs);
    let evaluations = rules.evaluate(&model);
    let t_rules = t0.elapsed() - t_ingest;
    let indicators = indicators::compute(&model);
    let maturity = maturity::compute(&model);

    let lock = OutputLock::acquire(&settings.outputs)?;
    let run_name = format!("{}_{schedule}", started.format("%Y-%m-%dT%H%M%S"));
    let change = change::compare(
        &evaluations,
        &run_folder::previous_runs(&settings.outputs, schedule),
    );
    let pending = lock.begin(&run_name)?;
    let dir = pending.path().to_path_buf();
    let data = RunData {
        settings,
        rules,
        model: &model,
        log: &read.log,
        evaluations: &evaluations,
        indicators: &indicators,
        maturity: &maturity,
        change: &change,
        schedule,
        run_name: &run_name,
        next_run,
    };

    write_results(&dir.join("resultat.jsonl"), &evaluations)?;
    if fail_at == Some("resultat") {
        anyhow::bail!("simulerat fel efter resultat.jsonl");
    }
    crate::report::workbook::write(&dir.join("uppsikt-rapport.xlsx"), &data)?;
    if fail_at == Some("rapport") {
        anyhow::bail!("simulerat fel efter rapporten");
    }
    crate::report::feedback::write_all(&dir.join("aterkoppling"), &data)?;
    let archive_problems = if archive {
        archive_inputs(&settings.inputs, &dir.join("indata"), &read.log)?
    } else {
        Vec::new()
    };
    archive_rules(rules, &dir.join("regler"))?;

    let counts: Vec<(Status, usize)> = Status::ALL
        .iter()
        .map(|s| (*s, evaluations.iter().filter(|e| e.status == *s).count()))
        .collect();
    let per_rule = rules
        .rules
        .iter()
        .map(|r| {
            let mut c = [0usize; 5];
            for e in evaluations.iter().filter(|e| *e.rule == *r.def.id) {
                if let Some(i) = Status::ALL.iter().position(|s| *s == e.status) {
                    c[i] += 1;
                }
            }
            (r.def.id.clone(), c)
        })
        .collect();
    let files_in_error = read.log.count(FileStatus::Fel);
    let exit = if files_in_error > 0 || counts.iter().any(|(s, n)| *s == Status::Regelfel && *n > 0)
    {
        EXIT_PARTIAL
    } else {
        0
    };
    let mut manifest = manifest(
        &data,
        &counts,
        exit,
        started,
        t_ingest.as_secs_f64(),
        t_rules.as_secs_f64(),
        t0,
        archive,
    );
    manifest["arkiv_avvikelser"] = serde_json::json!(archive_problems);
    let f = std::fs::File::create(dir.join("manifest.json"))?;
    serde_json::to_writer_pretty(BufWriter::new(f), &manifest)?;
    let folder = pending.publish()?;
    tracing::info!(
        folder = %folder.display(),
        evaluations = evaluations.len(),
        files = read.log.entries.len(),
        files_in_error,
        exit,
        seconds = t0.elapsed().as_secs_f64(),
        "run finished"
    );
    Ok(RunSummary {
        folder,
        exit,
        counts,
        per_rule,
        files_in_error,
    })
}

fn write_results(path: &Path, evaluations: &[Evaluation]) -> Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    for e in evaluations {
        serde_json::to_writer(&mut w, &e.json())?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}

/// Copy every file read into `dest`, verifying each copy's SHA-256.
fn archive_inputs(root: &Path, dest: &Path, log: &InputLog) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for e in &log.entries {
        let Some(sha) = &e.sha256 else { continue };
        let target = dest.join(&e.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let source = root.join(&e.path);
        let bytes = match std::fs::read(&source) {
            Ok(b) if &crate::util::sha256_hex(&b) == sha => b,
            _ => {
                tracing::warn!(file = %e.path, "the file changed or vanished after it was read; not archived");
                problems.push(format!(
                    "{}: filen ändrades eller försvann efter inläsningen och arkiverades inte",
                    e.path
                ));
                continue;
            }
        };
        std::fs::write(&target, &bytes)?;
        // Keep the modification time: a re-run from the archive resolves
        // duplicates (and the settle time) exactly as this run did.
        if let Some(m) = e.modified {
            std::fs::File::options()
                .write(true)
                .open(&target)?
                .set_modified(m)?;
        }
    }
    Ok(problems)
}

/// Copy the rule files the run used into `dest` (so `rules diff --against` can re-run them).
fn archive_rules(rules: &RuleSet, dest: &Path) -> Result<()> {
    std::fs::create_dir_all(dest)?;
    for r in &rules.rules {
        for p in [&r.yaml_path, &r.script_path] {
            if let Some(name) = p.file_name() {
                std::fs::copy(p, dest.join(name))?;
            }
        }
    }
    Ok(())
}

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

#[allow(clippy::too_many_arguments)]
fn manifest(
    d: &RunData<'_>,
    counts: &[(Status, usize)],
    exit: i32,
    started: DateTime<Local>,
    ingest_s: f64,
    rules_s: f64,
    t0: Instant,
    archived: bool,
) -> serde_json::Value {
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
        "filer": files,
        "regeluppsattning_sha256": d.rules.fingerprint(),
        "regler": rules,
        "antal_per_status": by_status,
        "antal_utvarderingar": d.evaluations.len(),
        "antal_iakttagelser": d.evaluations.iter().filter(|e| e.status.is_finding()).count(),
        "nya_iakttagelser": d.evaluations.iter().filter(|e| e.status.is_finding() && d.change.is_new(e)).count(),
        "atgardade_iakttagelser": d.change.resolved.len(),
        "foregaende_korning": d.change.previous,
        "indikatorer": d.indicators,
        "digital_mognad": d.maturity,
        "slutstatus": exit,
    })
}
