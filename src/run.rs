//! One run of the job: validate rules, ingest, evaluate, and write a new run
//! folder (report.md). The pipeline in order, nothing hidden.

use std::collections::HashMap;
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
    /// The evaluations the writers need one by one: every finding and every
    /// outcome of the avsteg rules, in register, rule and subject order. The
    /// others went to `resultat.jsonl` as they were made and live on only
    /// in [`RunData::tally`], so memory is bounded by the findings.
    pub evaluations: &'a [Evaluation],
    /// Counts and worst statuses over every evaluation of the run.
    pub tally: &'a Tally,
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

/// Figures over every evaluation of a run, gathered while the evaluations
/// stream to `resultat.jsonl`.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The rule ids, in rule order (the index of the other fields).
    pub rules: Vec<String>,
    /// Per rule, the count per status in `Status::ALL` order.
    pub per_rule: Vec<[usize; Status::ALL.len()]>,
    /// Per organisation, its worst status per rule (`None`: not evaluated).
    pub worst: HashMap<String, Vec<Option<Status>>>,
}

impl Tally {
    pub fn new(rules: &RuleSet) -> Self {
        Self {
            rules: rules.rules.iter().map(|r| r.def.id.clone()).collect(),
            per_rule: vec![[0; Status::ALL.len()]; rules.rules.len()],
            worst: HashMap::new(),
        }
    }

    /// Add one organisation's tally (see [`OrgTally`]).
    fn merge(&mut self, org: &str, t: OrgTally) {
        for (sum, c) in self.per_rule.iter_mut().zip(&t.per_rule) {
            for (a, b) in sum.iter_mut().zip(c) {
                *a += b;
            }
        }
        let slots = self
            .worst
            .entry(org.to_string())
            .or_insert_with(|| vec![None; t.per_rule.len()]);
        for (slot, s) in slots.iter_mut().zip(t.worst()) {
            *slot = match (*slot, s) {
                (Some(a), Some(b)) => Some(a.worst(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// How many evaluations in all.
    pub fn total(&self) -> usize {
        self.per_rule.iter().flatten().sum()
    }

    /// How many evaluations are findings.
    pub fn findings(&self) -> usize {
        self.status_counts()
            .iter()
            .filter(|(s, _)| s.is_finding())
            .map(|(_, n)| n)
            .sum()
    }

    /// The worst status of `rule` for `org`.
    pub fn worst(&self, org: &str, rule: &str) -> Option<Status> {
        let i = self.rules.iter().position(|r| r == rule)?;
        self.worst.get(org).and_then(|v| v[i])
    }

    /// An organisation's worst status over every rule.
    pub fn overall(&self, org: &str) -> Option<Status> {
        self.worst
            .get(org)?
            .iter()
            .flatten()
            .copied()
            .reduce(Status::worst)
    }

    /// How many evaluations of `rule` ended in `status`.
    pub fn count(&self, rule: &str, status: Status) -> usize {
        self.rules
            .iter()
            .position(|x| x == rule)
            .map_or(0, |r| self.per_rule[r][status.index()])
    }

    /// The number of evaluations per status, in `Status::ALL` order.
    pub fn status_counts(&self) -> Vec<(Status, usize)> {
        Status::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, self.per_rule.iter().map(|c| c[i]).sum()))
            .collect()
    }
}

/// The counts of one organisation's evaluations per rule and status, made
/// where they are made (on a worker) and merged into the [`Tally`] once per
/// organisation.
#[derive(Debug, Clone)]
struct OrgTally {
    per_rule: Vec<[usize; Status::ALL.len()]>,
}

impl OrgTally {
    fn new(rules: usize) -> Self {
        Self {
            per_rule: vec![[0; Status::ALL.len()]; rules],
        }
    }

    /// Count one evaluation of the rule at index `rule`.
    fn add(&mut self, rule: usize, status: Status) {
        if let Some(c) = self.per_rule.get_mut(rule) {
            c[status.index()] += 1;
        }
    }

    /// The worst status per rule: the first in `Status::ALL` (worst first)
    /// with a count.
    fn worst(&self) -> impl Iterator<Item = Option<Status>> + '_ {
        self.per_rule
            .iter()
            .map(|c| c.iter().position(|n| *n > 0).map(|i| Status::ALL[i]))
    }
}

/// What a finished run reports back (to the CLI and the daemon).
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub folder: PathBuf,
    pub exit: i32,
    pub counts: Vec<(Status, usize)>,
    /// Per rule id: the number of evaluations in each status, in `Status::ALL` order.
    pub per_rule: Vec<(String, [usize; Status::ALL.len()])>,
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
    tracing::info!(
        files = read.log.entries.len(),
        read = read.log.count(FileStatus::Inlast),
        seconds = t_ingest.as_secs_f64(),
        rss_mb = crate::util::rss_mb(),
        cpu_seconds = crate::util::cpu_seconds(),
        "files read"
    );
    let model = Model::new(settings.per, settings.period, read.orgs);

    let lock = OutputLock::acquire(&settings.outputs)?;
    let run_name = format!("{}_{schedule}", started.format(run_folder::STAMP_FORMAT));
    let pending = lock.begin(&run_name)?;
    let dir = pending.path().to_path_buf();

    // Evaluate and stream every evaluation to resultat.jsonl as it is made,
    // while another thread reads the previous run's findings.
    let t_rules0 = Instant::now();
    let candidates: Vec<PathBuf> = run_folder::previous_runs(&settings.outputs, schedule)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let (evaluated, previous) = std::thread::scope(|s| {
        let previous = s.spawn(|| change::previous_findings(&candidates));
        let evaluated = evaluate_streaming(rules, &model, &dir.join("resultat.jsonl"));
        let previous = previous.join().unwrap_or_else(|_| {
            tracing::warn!(
                run = %candidates.first().map(|p| p.display().to_string()).unwrap_or_default(),
                "reading the previous run failed; every finding is reported as new"
            );
            None
        });
        (evaluated, previous)
    });
    let (evaluations, tally) = evaluated?;
    let t_rules = t_rules0.elapsed();
    tracing::info!(
        evaluations = tally.total(),
        kept = evaluations.len(),
        seconds = t_rules.as_secs_f64(),
        rss_mb = crate::util::rss_mb(),
        cpu_seconds = crate::util::cpu_seconds(),
        "rules evaluated"
    );
    if fail_at == Some("resultat") {
        anyhow::bail!("simulerat fel efter resultat.jsonl");
    }
    let indicators = indicators::compute(&model);
    let maturity = maturity::compute(&model);
    let t_change = Instant::now();
    let change = change::compare_with(&evaluations, previous);
    tracing::info!(
        previous = change.previous.as_deref().unwrap_or(""),
        resolved = change.resolved.len(),
        seconds = t_change.elapsed().as_secs_f64(),
        cpu_seconds = crate::util::cpu_seconds(),
        "compared with the previous run"
    );
    let data = RunData {
        settings,
        rules,
        model: &model,
        log: &read.log,
        evaluations: &evaluations,
        tally: &tally,
        indicators: &indicators,
        maturity: &maturity,
        change: &change,
        schedule,
        run_name: &run_name,
        next_run,
    };

    // The report on one thread while the feedback workbooks use every core.
    let t_write = Instant::now();
    let (report, feedback) = std::thread::scope(|s| {
        let report = s.spawn(|| {
            let r = crate::report::workbook::write(&dir.join("uppsikt-rapport.xlsx"), &data);
            tracing::info!(
                seconds = t_write.elapsed().as_secs_f64(),
                rss_mb = crate::util::rss_mb(),
                cpu_seconds = crate::util::cpu_seconds(),
                "report written"
            );
            r
        });
        let feedback = crate::report::feedback::write_all(&dir.join("aterkoppling"), &data);
        let report = report
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("rapportskrivaren avbröts")));
        (report, feedback)
    });
    report?;
    if fail_at == Some("rapport") {
        anyhow::bail!("simulerat fel efter rapporten");
    }
    feedback?;
    tracing::info!(
        seconds = t_write.elapsed().as_secs_f64(),
        rss_mb = crate::util::rss_mb(),
        cpu_seconds = crate::util::cpu_seconds(),
        "report and feedback written"
    );
    let archive_problems = if archive {
        archive_inputs(&settings.inputs, &dir.join("indata"), &read.log)?
    } else {
        Vec::new()
    };
    archive_rules(rules, &dir.join("regler"))?;

    let counts = tally.status_counts();
    let per_rule = tally
        .rules
        .iter()
        .cloned()
        .zip(tally.per_rule.iter().copied())
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
    crate::util::write_file(
        &dir.join("manifest.json"),
        &serde_json::to_vec_pretty(&manifest)?,
    )?;
    let folder = pending.publish()?;
    tracing::info!(
        folder = %folder.display(),
        evaluations = tally.total(),
        files = read.log.entries.len(),
        files_in_error,
        exit,
        seconds = t0.elapsed().as_secs_f64(),
        cpu_seconds = crate::util::cpu_seconds(),
        "run finished"
    );
    // Hundreds of MB in millions of small allocations: freeing them took a
    // third of a second at 3,000 organisations that nobody needs to wait
    // for (a one-shot run exits meanwhile; the daemon sleeps till its next run).
    let garbage = (model, evaluations, change, read.log, tally);
    // (Should no thread start, the closure and all it holds is freed here.)
    let _ = std::thread::Builder::new()
        .name("uppsikt-free".into())
        .spawn(move || drop(garbage));
    Ok(RunSummary {
        folder,
        exit,
        counts,
        per_rule,
        files_in_error,
    })
}

/// Organisations evaluated per batch and worker thread: enough to keep every
/// core busy, few enough that a batch's evaluations stay small.
const ORGS_PER_WORKER_BATCH: usize = 16;

/// Evaluate every rule on every organisation (in parallel, in batches),
/// writing each evaluation to `path` in register, rule and subject order
/// (the order of [`RuleSet::evaluate`]). Returns the evaluations the
/// writers need one by one (findings and avsteg outcomes) and the tally of all.
fn evaluate_streaming(
    rules: &RuleSet,
    model: &Model,
    path: &Path,
) -> Result<(Vec<Evaluation>, Tally)> {
    let ctx = crate::rules::Context::new(model);
    let keep_all: Vec<bool> = rules
        .rules
        .iter()
        .map(|r| crate::report::workbook::needs_every_outcome(&r.def.id))
        .collect();
    let cannot_write = || format!("{}: kan inte skrivas", path.display());
    let file = std::fs::File::create(path).with_context(cannot_write)?;
    let progress = crate::parallel::Progress::new("regler", "organisationer", model.orgs.len());
    let batch = crate::parallel::workers() * ORGS_PER_WORKER_BATCH;
    type Batch = Vec<(String, serde_json::Result<Evaluated>)>;
    // Workers evaluate batch k+1 while this consumer writes and tallies batch k.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
    let result = std::thread::scope(|s| {
        let consumer = s.spawn(move || -> Result<(Vec<Evaluation>, Tally)> {
            let mut tally = Tally::new(rules);
            let mut kept = Vec::new();
            let mut w = BufWriter::with_capacity(1 << 20, file);
            for done in rx {
                for (org, one) in done {
                    let (evals, json, t) = one?;
                    w.write_all(&json).with_context(cannot_write)?;
                    tally.merge(&org, t);
                    kept.extend(evals);
                }
            }
            w.flush().with_context(cannot_write)?;
            Ok((kept, tally))
        });
        for orgs in model.orgs.chunks(batch.max(1)) {
            let done = crate::parallel::map_with_progress(orgs, Some(&progress), |o| {
                (o.org.id.clone(), evaluate_org(rules, &ctx, &keep_all, o))
            });
            if tx.send(done).is_err() {
                break; // the consumer failed; its error is returned below
            }
        }
        drop(tx);
        consumer
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("resultatskrivaren avbröts")))
    });
    progress.finish();
    result
}

/// One organisation's evaluations to keep, the JSON lines of all, and the
/// tally of all.
type Evaluated = (Vec<Evaluation>, Vec<u8>, OrgTally);

/// Evaluate every rule on organisation `o`; the evaluations not kept
/// (`keep_all` per rule, else findings only) are dropped here, on the
/// worker that made them.
fn evaluate_org(
    rules: &RuleSet,
    ctx: &crate::rules::Context,
    keep_all: &[bool],
    o: &std::sync::Arc<crate::model::OrgData>,
) -> serde_json::Result<Evaluated> {
    let mut kept = Vec::new();
    let mut json = Vec::new();
    let mut t = OrgTally::new(rules.rules.len());
    for (i, r) in rules.rules.iter().enumerate() {
        for e in rules.evaluate_rule(r, o, ctx) {
            e.write_json_line(&mut json)?;
            t.add(i, e.status);
            if e.status.is_finding() || keep_all[i] {
                kept.push(e);
            }
        }
    }
    Ok((kept, json, t))
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
    std::fs::create_dir_all(dest)
        .with_context(|| format!("{}: mappen kan inte skapas", dest.display()))?;
    for r in &rules.rules {
        for (p, text) in [
            (&r.yaml_path, &r.yaml_source),
            (&r.script_path, &r.script_source),
        ] {
            if let Some(name) = p.file_name() {
                crate::util::write_file(&dest.join(name), text.as_bytes())?;
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
        "antal_utvarderingar": d.tally.total(),
        "antal_iakttagelser": d.tally.findings(),
        "nya_iakttagelser": d.change.new_count(),
        "atgardade_iakttagelser": d.change.resolved.len(),
        "foregaende_korning": d.change.previous,
        "indikatorer": d.indicators,
        "digital_mognad": d.maturity,
        "slutstatus": exit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_tallies_merge_into_counts_and_worst_statuses() {
        let mut tally = Tally {
            rules: vec!["R01".into(), "R02".into()],
            per_rule: vec![[0; Status::ALL.len()]; 2],
            worst: HashMap::new(),
        };
        let mut kov = OrgTally::new(2);
        kov.add(0, Status::Uppfyllt);
        kov.add(1, Status::Uppfyllt);
        kov.add(1, Status::Brist);
        tally.merge("KOV", kov);
        let mut is = OrgTally::new(2);
        is.add(1, Status::EjTillamplig);
        tally.merge("IS", is);
        // The same organisation again (merging is additive).
        let mut kov2 = OrgTally::new(2);
        kov2.add(0, Status::UnderlagSaknas);
        tally.merge("KOV", kov2);

        assert_eq!(tally.total(), 5);
        assert_eq!(tally.count("R01", Status::Uppfyllt), 1);
        assert_eq!(tally.count("R01", Status::UnderlagSaknas), 1);
        assert_eq!(tally.count("R02", Status::Brist), 1);
        assert_eq!(tally.count("R02", Status::EjTillamplig), 1);
        assert_eq!(tally.worst("KOV", "R01"), Some(Status::UnderlagSaknas));
        assert_eq!(tally.worst("KOV", "R02"), Some(Status::Brist));
        assert_eq!(tally.worst("IS", "R01"), None);
        assert_eq!(tally.overall("KOV"), Some(Status::Brist));
        assert_eq!(tally.overall("IS"), Some(Status::EjTillamplig));
        assert_eq!(tally.overall("SAKNAS"), None);
        let sum: usize = tally.status_counts().iter().map(|(_, n)| n).sum();
        assert_eq!(sum, 5);
    }
}
