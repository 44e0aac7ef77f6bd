//! One run of the job: ingest, evaluate (streaming every evaluation to
//! `resultat.jsonl`), and write a new run folder (report.md). The pipeline
//! in order, nothing hidden; what each step writes lives in [`crate::report`].

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Local};

use crate::exit;
use crate::ingest::{self, FileStatus};
use crate::model::Model;
use crate::report::change;
use crate::report::history;
use crate::report::run_folder::{self, OutputLock};
use crate::report::{archive, gallring, manifest, OrgTally, RunData, Tally};
use crate::rules::indicators;
use crate::rules::maturity;
use crate::rules::{Evaluation, RuleSet, Status};
use crate::settings::Settings;

/// What a finished run reports back (to the CLI and the daemon).
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The published run folder.
    pub folder: PathBuf,
    /// The run's exit status ([`crate::exit`]).
    pub exit: i32,
    /// The number of evaluations per status, in `Status::ALL` order.
    pub counts: Vec<(Status, usize)>,
    /// Per rule id: the number of evaluations in each status, in `Status::ALL` order.
    pub per_rule: Vec<(String, [usize; Status::ALL.len()])>,
    /// How many files of the shared folder were `fel`.
    pub files_in_error: usize,
    /// Per organisation, what became of its feedback's delivery (empty
    /// when the run was not asked to deliver).
    pub delivery: Vec<crate::delivery::Item>,
    /// The report's headline sentences (Swedish), for the terminal.
    pub headline: Vec<String>,
}

/// A cause of a [`RunError`]: an OS error, or a writer's own error chain.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a run produced nothing: its run folder is never published.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The shared folder cannot be read.
    #[error("{}: indatamappen kan inte läsas", dir.display())]
    Inputs {
        /// The shared folder.
        dir: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The output root cannot be locked, or the run folder cannot be
    /// created or published (the cause names the folder).
    #[error(transparent)]
    RunFolder(Cause),
    /// A file or folder of the run folder cannot be written.
    #[error("{}: kan inte skrivas", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: Cause,
    },
    /// A writer thread stopped part-way (a bug; its panic is in the log).
    #[error("{}: {what} avbröts", path.display())]
    Aborted {
        /// Which writer.
        what: &'static str,
        /// What it wrote.
        path: PathBuf,
    },
    /// A failure made on purpose (test hooks), after the step named.
    #[error("simulerat fel efter {0}")]
    Simulated(&'static str),
}

/// A [`RunError::Write`] of `path`.
fn cannot_write(path: &Path) -> impl FnOnce(Cause) -> RunError + '_ {
    move |source| RunError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Test hooks, public only with the `test-hooks` feature (which only the
/// integration tests turn on, through the crate's dev-dependency on itself).
mod hooks {
    /// Where a run can be made to fail part-way, for tests of crash safety:
    /// the run folder must then never appear under its final name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
    pub enum FailPoint {
        /// After `resultat.jsonl` is written.
        AfterResults,
        /// After the report workbook is written.
        AfterReport,
    }
}

#[cfg(feature = "test-hooks")]
pub use hooks::FailPoint;

/// Ingest, evaluate and write one run folder.
pub fn execute(
    settings: &Settings,
    rules: &RuleSet,
    schedule: &str,
    archive: bool,
    next_run: Option<String>,
) -> Result<RunSummary, RunError> {
    execute_failing(settings, rules, schedule, archive, next_run, None, None)
}

/// [`execute`], delivering the feedback as `delivery` asks (none: no
/// delivery): the outbox is written into the run folder, and messages are
/// sent only after the folder is published.
pub fn execute_delivering(
    settings: &Settings,
    rules: &RuleSet,
    schedule: &str,
    archive: bool,
    next_run: Option<String>,
    delivery: Option<crate::delivery::Request>,
) -> Result<RunSummary, RunError> {
    execute_failing(settings, rules, schedule, archive, next_run, delivery, None)
}

/// [`execute`], failing at `fail_at` (feature `test-hooks`).
#[cfg(feature = "test-hooks")]
pub fn execute_failing_at(
    settings: &Settings,
    rules: &RuleSet,
    schedule: &str,
    archive: bool,
    next_run: Option<String>,
    fail_at: FailPoint,
) -> Result<RunSummary, RunError> {
    execute_failing(
        settings,
        rules,
        schedule,
        archive,
        next_run,
        None,
        Some(fail_at),
    )
}

fn execute_failing(
    settings: &Settings,
    rules: &RuleSet,
    schedule: &str,
    archive: bool,
    next_run: Option<String>,
    delivery: Option<crate::delivery::Request>,
    fail_at: Option<hooks::FailPoint>,
) -> Result<RunSummary, RunError> {
    let started: DateTime<Local> = Local::now();
    let t0 = Instant::now();
    let read = ingest::ingest_keeping(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
        archive,
    )
    .map_err(|source| RunError::Inputs {
        dir: settings.inputs.clone(),
        source,
    })?;
    let t_ingest = t0.elapsed();
    tracing::info!(
        files = read.log.entries.len(),
        read = read.log.count(FileStatus::Inlast),
        seconds = t_ingest.as_secs_f64(),
        rss_mb = crate::metrics::rss_mb(),
        cpu_seconds = crate::metrics::cpu_seconds(),
        "files read"
    );
    let mut model = Model::new(settings.per, settings.period, read.orgs);

    let lock = OutputLock::acquire_within(
        &settings.outputs,
        run_folder::LockWait::of(&settings.config),
    )
    .map_err(|e| RunError::RunFolder(e.into()))?;
    let run_name = format!("{}_{schedule}", started.format(run_folder::STAMP_FORMAT));
    let pending = lock
        .begin(&run_name)
        .map_err(|e| RunError::RunFolder(e.into()))?;
    let dir = pending.path().to_path_buf();

    // Evaluate and stream every evaluation to resultat.jsonl as it is made,
    // while another thread reads the previous run's findings.
    let t_rules0 = Instant::now();
    // The schedule's published runs, newest published first (not by name:
    // a run that started first may have published last). The previous run
    // is the newest of them that can be read.
    let published = gallring::scan(&settings.outputs, schedule);
    let candidates: Vec<PathBuf> = published.runs.iter().map(|r| r.path.clone()).collect();
    // Gallring: decided now, under the lock, so that the manifest and the
    // report list it; carried out once the new run is published.
    let retention = crate::schedule::retention_for(settings, schedule).unwrap_or_else(|e| {
        tracing::warn!(schedule, error = %e, "no gallring: the schedule's retention rule cannot be read");
        Default::default()
    });
    let gallring_plan = gallring::plan_from(published, schedule, retention, Some(settings.per));
    gallring_plan.log_left_alone();
    let gallrade = gallring_plan.removals();
    let history_runs = settings.config.historik_korningar;
    let (evaluated, previous, history) = std::thread::scope(|s| {
        let previous = s.spawn(|| change::previous_findings(&candidates));
        let history = s.spawn(|| {
            let t = Instant::now();
            let h = history::read(&settings.outputs, schedule, history_runs);
            tracing::info!(
                runs = h.earlier.len(),
                skipped = h.skipped.len(),
                seconds = t.elapsed().as_secs_f64(),
                "earlier runs read for the history"
            );
            h
        });
        let evaluated =
            evaluate_streaming(rules, &mut model, &read.log, &dir.join("resultat.jsonl"));
        let previous = previous.join().unwrap_or_else(|_| {
            tracing::warn!(
                run = %candidates.first().map(|p| p.display().to_string()).unwrap_or_default(),
                "reading the previous run failed; every finding is reported as new"
            );
            None
        });
        let history = history.join().unwrap_or_else(|_| {
            tracing::warn!("reading the earlier runs failed; the history shows this run only");
            history::History::default()
        });
        (evaluated, previous, history)
    });
    let (evaluations, tally) = evaluated?;
    rules.report_suppressed_prints();
    let t_rules = t_rules0.elapsed();
    tracing::info!(
        evaluations = tally.total(),
        kept = evaluations.len(),
        seconds = t_rules.as_secs_f64(),
        rss_mb = crate::metrics::rss_mb(),
        cpu_seconds = crate::metrics::cpu_seconds(),
        "rules evaluated"
    );
    if fail_at == Some(hooks::FailPoint::AfterResults) {
        return Err(RunError::Simulated("resultat.jsonl"));
    }
    let indicators = indicators::compute(&model);
    let maturity = maturity::compute(&model);
    // What only the rules read goes before the writers, whose work is the
    // run's peak of memory.
    let released = model.release_rule_only_sheets();
    tracing::debug!(
        rows = released,
        rss_mb = crate::metrics::rss_mb(),
        "rows only the rules read released"
    );
    let t_change = Instant::now();
    let change = change::compare_with(&evaluations, previous);
    tracing::info!(
        previous = change.previous.as_deref().unwrap_or(""),
        resolved = change.resolved.len(),
        seconds = t_change.elapsed().as_secs_f64(),
        cpu_seconds = crate::metrics::cpu_seconds(),
        "compared with the previous run"
    );
    // The archive first (its problems are in the headline): the judged
    // bytes, from memory, verified by hash.
    let archive_problems = if archive {
        let dest = dir.join("indata");
        let problems = archive::inputs(&dest, &read.log, &read.bytes)
            .map_err(|e| cannot_write(&dest)(e.into()))?;
        for p in &problems {
            tracing::error!("arkivet är ofullständigt: {p}");
        }
        problems
    } else {
        Vec::new()
    };

    let mut data = RunData {
        settings,
        rules,
        model: &model,
        log: &read.log,
        evaluations: &evaluations,
        tally: &tally,
        indicators: &indicators,
        maturity: &maturity,
        change: &change,
        history: &history,
        schedule,
        run_name: &run_name,
        next_run,
        gallrade: &gallrade,
        archive_problems: &archive_problems,
        utskick: None,
    };
    // Who gets a message, decided before anything is written (the report
    // shows it); messages that will not go over SMTP say so already.
    let mut utskick = Vec::new();
    if let Some(req) = delivery {
        utskick = crate::delivery::plan(&data, &settings.outputs, req);
        crate::delivery::settle_offline(&mut utskick, req, settings.config.epost.as_ref());
        data.utskick = Some(crate::delivery::report_rows(&utskick, &model));
    }
    let data = data;

    let headline = crate::report::headline::Figures::of(&data).sentences();

    // The report and the register each on a thread of their own while the
    // feedback workbooks use every core.
    let t_write = Instant::now();
    let report_path = dir.join("uppsikt-rapport.xlsx");
    let register_path = dir.join(crate::report::nyttoregister::FILE);
    let feedback_dir = dir.join("aterkoppling");
    let (report, feedback) = std::thread::scope(|s| {
        let register = s.spawn(|| {
            crate::report::nyttoregister::write(&register_path, &data)
                .map_err(|e| cannot_write(&register_path)(e.into()))
        });
        let report = s.spawn(|| {
            let r = crate::report::workbook::write(&report_path, &data)
                .map_err(|e| cannot_write(&report_path)(e.into()));
            tracing::info!(
                seconds = t_write.elapsed().as_secs_f64(),
                rss_mb = crate::metrics::rss_mb(),
                cpu_seconds = crate::metrics::cpu_seconds(),
                "report written"
            );
            r
        });
        let feedback = crate::report::feedback::write_all(&feedback_dir, &data)
            .map_err(|e| cannot_write(&feedback_dir)(e.into()));
        let report = report.join().unwrap_or_else(|_| {
            Err(RunError::Aborted {
                what: "rapportskrivaren",
                path: report_path.clone(),
            })
        });
        let register = register.join().unwrap_or_else(|_| {
            Err(RunError::Aborted {
                what: "registerskrivaren",
                path: register_path.clone(),
            })
        });
        (report.and(register), feedback)
    });
    report?;
    if fail_at == Some(hooks::FailPoint::AfterReport) {
        return Err(RunError::Simulated("rapporten"));
    }
    feedback?;
    tracing::info!(
        seconds = t_write.elapsed().as_secs_f64(),
        rss_mb = crate::metrics::rss_mb(),
        cpu_seconds = crate::metrics::cpu_seconds(),
        "report and feedback written"
    );
    if delivery.is_some() {
        let outbox = dir.join(crate::delivery::OUTBOX_DIR);
        crate::delivery::outbox::write_all(&dir, &data, &mut utskick)
            .map_err(|e| cannot_write(&outbox)(e.into()))?;
    }
    let rules_dest = dir.join("regler");
    archive::rules(rules, &rules_dest).map_err(|e| cannot_write(&rules_dest)(e.into()))?;

    let counts = tally.status_counts();
    let per_rule = tally
        .rules
        .iter()
        .cloned()
        .zip(tally.per_rule.iter().copied())
        .collect();
    let files_in_error = read.log.count(FileStatus::Fel);
    let exit = if files_in_error > 0
        || !archive_problems.is_empty()
        || counts.iter().any(|(s, n)| *s == Status::Regelfel && *n > 0)
    {
        exit::PARTIAL
    } else {
        exit::OK
    };
    let timing = manifest::Timing {
        started,
        ingest_s: t_ingest.as_secs_f64(),
        rules_s: t_rules.as_secs_f64(),
        t0,
    };
    let mut manifest = manifest::build(&data, &counts, exit, &timing, archive);
    manifest["utskick"] = match delivery {
        Some(_) => serde_json::to_value(&utskick).map_err(|e| cannot_write(&dir)(e.into()))?,
        None => serde_json::Value::Null,
    };
    let manifest_path = dir.join("manifest.json");
    let manifest =
        serde_json::to_vec_pretty(&manifest).map_err(|e| cannot_write(&manifest_path)(e.into()))?;
    crate::report::run_folder::create_file(&manifest_path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &manifest))
        .map_err(|e| cannot_write(&manifest_path)(e.into()))?;
    let folder = pending
        .publish()
        .map_err(|e| RunError::RunFolder(e.into()))?;
    remove_old_runs(&gallring_plan, &gallrade, &folder);
    // Sending only now: a crash while sending never loses the report.
    let mut exit = exit;
    if delivery.is_some() {
        match crate::delivery::send_and_record(
            &folder,
            &run_name,
            settings.config.epost.as_ref(),
            &mut utskick,
        ) {
            Ok(false) => {}
            Ok(true) => exit = exit.max(exit::PARTIAL),
            Err(e) => {
                tracing::error!(folder = %folder.display(), error = %e, "the delivery record could not be written");
                exit = exit.max(exit::PARTIAL);
            }
        }
    }
    tracing::info!(
        folder = %folder.display(),
        evaluations = tally.total(),
        files = read.log.entries.len(),
        files_in_error,
        exit,
        seconds = t0.elapsed().as_secs_f64(),
        cpu_seconds = crate::metrics::cpu_seconds(),
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
        delivery: utskick,
        headline,
    })
}

/// Carry out the gallring planned for a run now published in `folder`
/// (the output lock still held). Should a folder not go, the manifest is
/// rewritten to list only those removed, with the failures under
/// `gallring_fel` (the report already written still lists the plan).
fn remove_old_runs(plan: &gallring::Plan, planned: &[gallring::Removed], folder: &Path) {
    if planned.is_empty() {
        return;
    }
    let (done, failed) = gallring::carry_out(plan);
    tracing::info!(
        removed = done.len(),
        bytes = done.iter().map(|r| r.storlek).sum::<u64>(),
        failed = failed.len(),
        "gallring done"
    );
    if failed.is_empty() {
        return;
    }
    let path = folder.join("manifest.json");
    let rewritten = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|mut m| {
            m["gallrade"] = serde_json::json!(done);
            m["gallring_fel"] = failed
                .iter()
                .map(|(namn, fel)| serde_json::json!({ "namn": namn, "fel": fel }))
                .collect();
            serde_json::to_vec_pretty(&m).ok()
        });
    let tmp = folder.join(".manifest.json.ny");
    let ok = rewritten.is_some_and(|bytes| {
        std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_ok()
    });
    if !ok {
        tracing::warn!(manifest = %path.display(), "the manifest could not be corrected after a failed gallring; it lists the folders planned");
    }
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
    model: &mut Model,
    log: &crate::ingest::InputLog,
    path: &Path,
) -> Result<(Vec<Evaluation>, Tally), RunError> {
    // Findings on cells ingest could not read say what the cell held.
    let unreadable = log
        .entries
        .iter()
        .filter(|e| e.status == FileStatus::Inlast)
        .flat_map(|e| &e.warnings)
        .map(|w| {
            (
                w.loc.clone(),
                crate::rules::Unreadable {
                    found: w.found.clone(),
                    expected: w.expected.clone(),
                },
            )
        });
    let ctx = crate::rules::Context::new(model).with_unreadable(unreadable);
    // A script reaches another organisation's data only through `register`
    // (there is no `eval`). When no rule names it, what only the rules read
    // of an organisation goes as soon as its rules have run, and the
    // evaluations kept reuse that memory (at 10,000 organisations the kept
    // evaluations and the model together make the run's peak).
    let release_early = !rules
        .rules
        .iter()
        .any(|r| r.script_source.contains("register"));
    let ctx = if release_early {
        ctx.without_register()
    } else {
        ctx
    };
    let mut released = 0;
    let keep_all: Vec<bool> = rules
        .rules
        .iter()
        .map(|r| crate::report::workbook::needs_every_outcome(&r.def))
        .collect();
    let file =
        crate::report::run_folder::create_file(path).map_err(|e| cannot_write(path)(e.into()))?;
    let total = model.orgs.len();
    let progress = crate::parallel::Progress::new("regler", "organisationer", total);
    let batch = crate::parallel::workers() * ORGS_PER_WORKER_BATCH;
    type Batch = Vec<(String, Evaluated)>;
    let buffers = JsonBuffers::default();
    // Workers evaluate batch k+1 while this consumer writes and tallies batch k.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
    let result = std::thread::scope(|s| {
        let buffers = &buffers;
        let consumer = s.spawn(move || -> Result<(Vec<Evaluation>, Tally), RunError> {
            let mut tally = Tally::new(rules);
            let mut kept = Vec::new();
            let mut messages = Messages::default();
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let mut seen = 0;
            for done in rx {
                for (org, one) in done {
                    let (evals, json, t) = one;
                    w.write_all(&json)
                        .map_err(|e| cannot_write(path)(e.into()))?;
                    buffers.give_back(json);
                    tally.merge(&org, t);
                    seen += 1;
                    reserve_extrapolated(&mut kept, evals.len(), seen, total);
                    kept.extend(evals.into_iter().map(|e| messages.share(e)));
                }
            }
            w.flush().map_err(|e| cannot_write(path)(e.into()))?;
            tracing::debug!(
                kept = kept.len(),
                distinct_messages = messages.0.len(),
                "kept evaluations share their messages"
            );
            Ok((kept, tally))
        });
        let mut start = 0;
        while start < total {
            let end = (start + batch.max(1)).min(total);
            let orgs = &mut model.orgs[start..end];
            let done = crate::parallel::map_with_progress(orgs, Some(&progress), |o| {
                let json = buffers.take();
                (
                    o.org.id.clone(),
                    evaluate_org(rules, &ctx, &keep_all, o, json),
                )
            });
            if release_early {
                released += crate::model::release_rule_only_sheets(orgs);
            }
            if tx.send(done).is_err() {
                break; // the consumer failed; its error is returned below
            }
            start = end;
        }
        drop(tx);
        consumer.join().unwrap_or_else(|_| {
            Err(RunError::Aborted {
                what: "resultatskrivaren",
                path: path.to_path_buf(),
            })
        })
    });
    progress.finish();
    tracing::debug!(
        rows = released,
        "rows only the rules read released as each organisation was evaluated"
    );
    result
}

/// Make room in `kept` for `more` elements, extrapolating from the `seen`
/// organisations of `total` (with an eighth to spare) when it is full,
/// rather than doubling: at 10,000 organisations the kept evaluations are
/// about 170 MB, and the doubling from a million to two copied 126 MB into
/// a fresh 252 MB, the evaluation phase's peak. The estimate is capped at
/// sixteen times what is needed now, so one odd early organisation cannot
/// ask for an absurd allocation (untouched capacity costs address space,
/// not memory).
fn reserve_extrapolated<T>(kept: &mut Vec<T>, more: usize, seen: usize, total: usize) {
    let need = kept.len() + more;
    if need <= kept.capacity() {
        return;
    }
    let estimate = need.saturating_mul(total.max(seen)) / seen.max(1);
    let target = estimate
        .saturating_add(estimate / 8)
        .min(need.saturating_mul(16))
        .max(need);
    kept.reserve_exact(target - kept.len());
}

/// One copy of each distinct message among the kept evaluations. Messages
/// repeat a lot (on the 300-organisation benchmark 39,395 findings have
/// 2,107 distinct messages, 144 bytes on average), and at 10,000
/// organisations the 1.4 million kept evaluations are held through the
/// writers, the run's peak of memory.
#[derive(Default)]
struct Messages(std::collections::HashSet<Arc<str>>);

impl Messages {
    /// `e` with its message shared with every earlier one of the same text.
    fn share(&mut self, mut e: Evaluation) -> Evaluation {
        match self.0.get(&*e.message) {
            Some(m) => e.message = m.clone(),
            None => {
                self.0.insert(e.message.clone());
            }
        }
        e
    }
}

/// One organisation's evaluations to keep, the JSON lines of all, and the
/// tally of all.
type Evaluated = (Vec<Evaluation>, Vec<u8>, OrgTally);

/// The buffers an organisation's JSON lines are written into (a few hundred
/// KB each at the benchmark's sizes), handed back by the writer once
/// written, so the workers reuse warm memory instead of growing a fresh
/// buffer per organisation: the allocator returned those to the kernel and
/// every new one cost page faults and zeroing (about a twelfth of a large
/// run's CPU, BENCHMARKS.md).
#[derive(Default)]
struct JsonBuffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl JsonBuffers {
    /// An empty buffer, warm if one was given back.
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut free| free.pop())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// A buffer whose lines are written, for reuse.
    fn give_back(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        if let Ok(mut free) = self.0.lock() {
            free.push(buffer);
        }
    }
}

/// Evaluate every rule on organisation `o`, writing the JSON lines into
/// `json` (empty); the evaluations not kept (`keep_all` per rule, else
/// findings only) are dropped here, on the worker that made them.
fn evaluate_org(
    rules: &RuleSet,
    ctx: &crate::rules::Context,
    keep_all: &[bool],
    o: &std::sync::Arc<crate::model::OrgData>,
    mut json: Vec<u8>,
) -> Evaluated {
    let mut kept = Vec::new();
    let mut t = OrgTally::new(rules.rules.len());
    for (i, r) in rules.rules.iter().enumerate() {
        for e in rules.evaluate_rule(r, o, ctx) {
            e.write_json_line(&mut json);
            t.add(i, e.status);
            if e.status.is_finding() || keep_all[i] {
                kept.push(e);
            }
        }
    }
    (kept, json, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;

    fn eval(subject: &str, message: &str) -> Evaluation {
        Evaluation {
            org: "KOV".into(),
            rule: "R01".into(),
            status: Status::Brist,
            severity: Severity::Medel,
            subject: subject.into(),
            message: String::from(message).into(),
            evidence: None,
            places: Box::default(),
        }
    }

    #[test]
    fn kept_evaluations_grow_by_extrapolation_not_doubling() {
        let mut kept: Vec<u64> = Vec::new();
        // After 1 of 100 organisations with 10 kept: room for 10 × 100 and
        // an eighth, capped at 16 × 10.
        reserve_extrapolated(&mut kept, 10, 1, 100);
        assert_eq!(kept.capacity(), 160);
        kept.extend(0..10);
        // Room left: nothing moves.
        reserve_extrapolated(&mut kept, 150, 2, 100);
        assert_eq!(kept.capacity(), 160);
        kept.extend(0..150);
        // Full after 40 of 100 with 170 needed: 170 × 100 / 40 = 425, + 53.
        reserve_extrapolated(&mut kept, 10, 40, 100);
        assert_eq!(kept.capacity(), 478);
        // More organisations than announced never shrinks the request
        // below what is needed.
        let mut few: Vec<u64> = vec![0; 4];
        few.shrink_to_fit();
        reserve_extrapolated(&mut few, 3, 9, 5);
        assert!(few.capacity() >= 7);
    }

    #[test]
    fn kept_evaluations_share_one_copy_of_each_message() {
        let mut m = Messages::default();
        let kept: Vec<Evaluation> = [("a", "Saknas"), ("b", "Fel"), ("c", "Saknas")]
            .into_iter()
            .map(|(s, t)| m.share(eval(s, t)))
            .collect();
        assert!(Arc::ptr_eq(&kept[0].message, &kept[2].message));
        assert!(!Arc::ptr_eq(&kept[0].message, &kept[1].message));
        // Nothing else of an evaluation changes.
        assert_eq!(kept[2], eval("c", "Saknas"));
        assert_eq!(m.0.len(), 2);
    }
}
