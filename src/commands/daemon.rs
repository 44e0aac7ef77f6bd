//! `uppsikt daemon`: the scheduler ([`crate::schedule::daemon::run_loop`])
//! on the system clock, running real runs in the workspace.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, TimeZone, Utc};

use crate::exit;
use crate::schedule::daemon::{run_loop, JobError, Jobs, LoopOptions, RunOutcome, SystemClock};
use crate::schedule::Schedule;
use crate::settings::{Overrides, Settings};

/// Real runs in the workspace of `overrides`: configuration, rules and
/// schedules are re-read for every run.
pub struct WorkspaceJobs {
    /// The configuration file and the command line's overrides.
    pub overrides: Overrides,
}

impl Jobs for WorkspaceJobs {
    fn schedules(&mut self) -> Result<Vec<Schedule>, String> {
        let settings = Settings::from_overrides(&self.overrides).map_err(|e| format!("{e:#}"))?;
        crate::schedule::load_all(&settings.schedules).map_err(|e| e.to_string())
    }

    fn last_run(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let settings = Settings::from_overrides(&self.overrides).ok()?;
        last_run_in(&settings.outputs, name)
    }

    fn run(
        &mut self,
        schedule: &Schedule,
        next: Option<DateTime<Utc>>,
    ) -> Result<RunOutcome, JobError> {
        let settings = Settings::from_overrides(&self.overrides)?;
        let rules = match crate::rules::RuleSet::load_for_run(&settings.rules) {
            Ok((mut r, problems)) => {
                super::run::report_broken_rules(&r, &problems);
                r.limits.run_budget = settings.config.rule_budget();
                r
            }
            Err(e) => {
                tracing::error!(schedule = %schedule.name, "rules cannot be used; nothing produced:\n{e}");
                return Ok(RunOutcome {
                    exit: exit::UNUSABLE,
                    ..RunOutcome::default()
                });
            }
        };
        let archive = schedule.archive_inputs || settings.config.arkivera_indata;
        let next = next.map(|t| {
            t.with_timezone(&schedule.zone)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        });
        let delivery = schedule
            .deliver_feedback
            .then_some(crate::delivery::Request::default());
        let s = crate::run::execute_delivering(
            &settings,
            &rules,
            &schedule.name,
            archive,
            next,
            delivery,
        )?;
        Ok(RunOutcome {
            exit: s.exit,
            folder: Some(s.folder),
            counts: s
                .counts
                .iter()
                .map(|(st, n)| (st.label().to_string(), *n))
                .collect(),
            files_in_error: s.files_in_error,
        })
    }
}

/// When the newest run folder of `name` in `root` was started (its name is
/// the machine's local time, as `run::execute` writes it).
pub fn last_run_in(root: &Path, name: &str) -> Option<DateTime<Utc>> {
    let (start, _) = crate::report::earlier_runs::list(root, name)
        .into_iter()
        .map(|r| (r.started, r.seq))
        .max()?;
    chrono::Local
        .from_local_datetime(&start)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `uppsikt daemon`: run until the process is stopped.
pub fn daemon(c: &Overrides, catch_up: bool) -> Result<i32> {
    // A configuration that cannot be read is an error at start, not later.
    Settings::from_overrides(c)?;
    let opts = LoopOptions {
        catch_up,
        ..LoopOptions::default()
    };
    let clock = SystemClock {
        stop: opts.stop.clone(),
    };
    // SIGTERM/SIGINT set the stop flag: a run in progress finishes and is
    // published, then the loop ends and the daemon exits 0.
    let stop = opts.stop.clone();
    ctrlc::set_handler(move || {
        tracing::info!("stop requested; finishing the current run, if any");
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    })?;
    let mut jobs = WorkspaceJobs {
        overrides: c.clone(),
    };
    run_loop(&mut jobs, &clock, &opts)?;
    tracing::info!("daemon stopped");
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    #[test]
    fn last_run_is_read_from_folder_names() {
        let d = tempfile::tempdir().unwrap();
        for n in [
            "2026-11-20T020001_nattlig",
            "2026-11-25T020003_nattlig",
            "2026-11-25T020003_nattlig-2",
            "2026-11-26T090000_kvartal",
            "2026-11-26T100000_x_nattlig",
            ".pågår-2026-11-26T110000_nattlig-1",
        ] {
            std::fs::create_dir(d.path().join(n)).unwrap();
        }
        let naive: NaiveDateTime = "2026-11-25T02:00:03".parse().unwrap();
        let expect = chrono::Local
            .from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(last_run_in(d.path(), "nattlig"), Some(expect));
        assert_eq!(last_run_in(d.path(), "veckovis"), None);
    }
}
