//! Schedules: `uppsikt schedule list/next`, validation in `uppsikt check`,
//! and the daemon loop driven by a fake clock over real runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use uppsikt::commands::daemon::WorkspaceJobs;
use uppsikt::schedule::daemon::{run_loop, Clock, LoopOptions};
use uppsikt::schedule::{load_all, Schedule};
use uppsikt::settings::Overrides;

use crate::common::{stderr, stdout, Workspace};

/// A clock for the daemon tests: `sleep_until` jumps to the time at once.
struct FakeClock {
    now: Mutex<DateTime<Utc>>,
}

impl FakeClock {
    fn new(t: DateTime<Utc>) -> Self {
        Self { now: Mutex::new(t) }
    }
    fn set(&self, t: DateTime<Utc>) {
        if let Ok(mut n) = self.now.lock() {
            *n = t;
        }
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().map(|n| *n).unwrap_or_default()
    }
    fn sleep_until(&self, t: DateTime<Utc>) {
        if let Ok(mut n) = self.now.lock() {
            if t > *n {
                *n = t;
            }
        }
    }
}

/// The next three runs of every shipped schedule as `schedule list` shows them.
fn expected_lines(dir: &Path, now: DateTime<Utc>) -> Vec<String> {
    load_all(dir)
        .unwrap()
        .iter()
        .flat_map(|s: &Schedule| {
            s.upcoming(now, 3)
                .into_iter()
                .map(|t| s.format_local(t))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn schedule_list_prints_the_next_runs_in_local_time() {
    let ws = Workspace::new();
    let before = expected_lines(&ws.path().join("schedules"), Utc::now());
    let o = ws.cmd(&["schedule", "list"]).output();
    let after = expected_lines(&ws.path().join("schedules"), Utc::now());
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    for want in [
        "nattlig",
        "kvartal",
        "0 2 * * *",
        "0 6 15 3,6,9,12 *",
        "Europe/Stockholm",
        "arkiverar indata: ja",
        "arkiverar indata: nej",
        "gallras:          efter 30 dagar; körmappar med indata/ behålls",
        "gallras:          aldrig (gallras_efter_dagar saknas)",
        "nästa körningar (lokal tid)",
    ] {
        assert!(out.contains(want), "{want} saknas:\n{out}");
    }
    // Every next run, in the schedule's local time (02:00 / 06:00 and CET/CEST).
    let shown = if before.iter().all(|l| out.contains(l.as_str())) {
        before
    } else {
        after
    };
    assert_eq!(shown.len(), 6);
    for line in &shown {
        assert!(out.contains(line.as_str()), "{line} saknas:\n{out}");
        assert!(line.ends_with(" CET") || line.ends_with(" CEST"), "{line}");
    }
    assert_eq!(out.matches(" 02:00 CE").count(), 3, "{out}");
    assert_eq!(out.matches(" 06:00 CE").count(), 3, "{out}");
}

#[test]
fn schedule_next_one_or_all() {
    let ws = Workspace::new();
    let o = ws.cmd(&["schedule", "next", "nattlig"]).output();
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(
        out.starts_with("nattlig  ") && out.contains(" 02:00 CE") && out.contains("(om "),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1);

    let o = ws.cmd(&["schedule", "next"]).output();
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));

    let o = ws.cmd(&["schedule", "next", "veckovis"]).output();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("inget schema heter veckovis; finns: kvartal, nattlig"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_rejects_a_bad_schedule_with_file_and_line() {
    let ws = Workspace::new();
    std::fs::write(
        ws.path().join("schedules/trasig.yaml"),
        "namn: trasig\nbeskrivning: Fel antal fält.\ncron: \"0 2 * *\"\n",
    )
    .unwrap();
    std::fs::write(
        ws.path().join("schedules/okand.yaml"),
        "namn: okand\ncron: \"0 2 * * *\"\ntidzon: UTC\n",
    )
    .unwrap();
    let o = ws.cmd(&["check"]).output();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("trasig.yaml:3:7: cron-uttrycket \"0 2 * *\" kan inte tolkas"),
        "{err}"
    );
    assert!(
        err.contains("crontab med 5 fält") && err.contains("cron med sekunder, 6 eller 7 fält"),
        "{err}"
    );
    assert!(
        err.contains("okand.yaml:3:1: okänd nyckel `tidzon`"),
        "{err}"
    );

    // Both forms accepted; the shipped ones pass.
    std::fs::write(
        ws.path().join("schedules/trasig.yaml"),
        "namn: trasig\ncron: \"0 0 2 * * Mon-Fri\"\n",
    )
    .unwrap();
    std::fs::remove_file(ws.path().join("schedules/okand.yaml")).unwrap();
    let o = ws.cmd(&["check"]).output();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn run_as_a_schedule_names_the_folder_after_it() {
    let ws = Workspace::new();
    let o = ws.cmd(&["run", "--schema", "nattlig"]).output();
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(3),
        "{}",
        stderr(&o)
    );
    let folders = ws.run_folders();
    assert_eq!(folders.len(), 1);
    assert!(folders[0].to_string_lossy().ends_with("_nattlig"));
}

fn names(ws: &Workspace) -> Vec<String> {
    ws.run_folders()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn daemon_fires_twice_without_overlap_and_catches_up_after_downtime() {
    let ws = Workspace::new();
    for f in ["nattlig.yaml", "kvartal.yaml"] {
        std::fs::remove_file(ws.path().join("schedules").join(f)).unwrap();
    }
    std::fs::write(
        ws.path().join("schedules/tiny.yaml"),
        "namn: tiny\nbeskrivning: Test.\ncron: \"*/5 * * * *\"\ntidszon: UTC\n",
    )
    .unwrap();
    let overrides = Overrides {
        config: ws.config(),
        vantetid: Some(0),
        ..Overrides::default()
    };
    let t0 = Utc::now();
    let clock = FakeClock::new(t0);
    let mut jobs = WorkspaceJobs {
        overrides: overrides.clone(),
    };

    // Up: fires twice, at consecutive five-minute marks, one after the other.
    let opts = LoopOptions {
        max_runs: Some(2),
        ..LoopOptions::default()
    };
    let fired = run_loop(&mut jobs, &clock, &opts).unwrap();
    assert_eq!(fired.len(), 2, "{fired:?}");
    assert!(fired.iter().all(|f| !f.catch_up && f.schedule == "tiny"));
    assert!(fired[0].due > t0 && fired[0].due <= t0 + Duration::minutes(5));
    assert_eq!(fired[1].due - fired[0].due, Duration::minutes(5));
    assert!(fired[0].ended <= fired[1].started, "overlap: {fired:?}");
    for f in &fired {
        let o = f.outcome.as_ref().expect("run completed");
        assert!(o.exit == 0 || o.exit == 3, "{o:?}");
        assert!(o.folder.as_ref().unwrap().exists());
    }
    let n = names(&ws);
    assert_eq!(n.len(), 2, "{n:?}");
    assert!(n.iter().all(|n| n.contains("_tiny")), "{n:?}");

    // Down for a day, then up again: one catch-up run at once.
    clock.set(t0 + Duration::days(1));
    let opts = LoopOptions {
        max_runs: Some(1),
        ..LoopOptions::default()
    };
    let fired = run_loop(&mut jobs, &clock, &opts).unwrap();
    assert_eq!(fired.len(), 1);
    assert!(fired[0].catch_up, "{fired:?}");
    assert_eq!(fired[0].started, t0 + Duration::days(1));
    assert_eq!(names(&ws).len(), 3);

    // Without catch-up: waits for the next mark.
    clock.set(t0 + Duration::days(2));
    let opts = LoopOptions {
        catch_up: false,
        max_runs: Some(1),
        ..LoopOptions::default()
    };
    let fired = run_loop(&mut jobs, &clock, &opts).unwrap();
    assert_eq!(fired.len(), 1);
    assert!(!fired[0].catch_up);
    assert!(fired[0].started > t0 + Duration::days(2));
    assert_eq!(names(&ws).len(), 4);
    // Nothing half-written left behind.
    let leftovers: Vec<_> = std::fs::read_dir(ws.outputs())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".pågår-"))
        .collect();
    assert!(leftovers.is_empty());
}
