//! The daemon: runs every schedule at its times, one run at a time.
//!
//! [`run_loop`] is the whole scheduler, as a library function over a
//! [`Clock`] and a [`Jobs`] (what a run is), so tests drive it with a clock
//! of their own instead of sleeping. `uppsikt daemon`
//! (`commands::daemon`) wires it to the system clock and real runs.
//!
//! * Before every decision the schedules are re-read (and before every run,
//!   the configuration and rules too); a schedule that no longer loads is
//!   logged and the last good set is kept.
//! * One run at a time: when several are due, the earliest goes first and the
//!   others wait their turn. Times that pass while a schedule's own run is
//!   going are collapsed into one run afterwards.
//! * Catch-up: on start, a schedule whose time passed since its last run
//!   folder (`YYYY-MM-DDTHHMMSS_<namn>` in the output root) runs once at once.
//! * Stopping: the loop stops between runs when the stop flag is set.
//!   `uppsikt daemon` sets it on SIGTERM/SIGINT (the `ctrlc` crate), so a run
//!   in progress, or waiting for the output root's lock, is finished and
//!   published before the daemon exits 0. A daemon killed outright (SIGKILL)
//!   leaves only its `.pågår-…` folder, which the next run removes, and its
//!   lock goes with the process (see `report::run_folder`): a half-written
//!   run is never visible and never blocks the next.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::Schedule;

/// The time source of the daemon.
pub trait Clock {
    /// The time now.
    fn now(&self) -> DateTime<Utc>;
    /// Return at `t` (or soon after), or earlier when asked to stop.
    fn sleep_until(&self, t: DateTime<Utc>);
}

/// The system clock. Sleeps in slices of a second so that a stop request is
/// noticed at once and a suspended machine's wall-clock jump soon after.
pub struct SystemClock {
    /// Set to stop sleeping at once.
    pub stop: Arc<AtomicBool>,
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, t: DateTime<Utc>) {
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let left = t - Utc::now();
            if left <= Duration::zero() {
                return;
            }
            let slice = left.min(Duration::seconds(1));
            std::thread::sleep(slice.to_std().unwrap_or_default());
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    /// The run's exit status ([`crate::exit`]): OK, UNUSABLE (nothing produced) or PARTIAL.
    pub exit: i32,
    /// The published run folder, if one was written.
    pub folder: Option<PathBuf>,
    /// (status, count) of the evaluations.
    pub counts: Vec<(String, usize)>,
    /// How many files were `fel`.
    pub files_in_error: usize,
}

/// Why the daemon cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// No schedule can be read at start (every problem, one per line).
    #[error("scheman kan inte användas:\n{0}")]
    Schedules(String),
    /// The schedule folder holds no schedule.
    #[error("inga scheman att köra")]
    NoSchedules,
}

/// Why one run failed (the run's own error, with its causes).
pub type JobError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What the daemon schedules and runs.
pub trait Jobs {
    /// Read the schedules (called before every decision).
    fn schedules(&mut self) -> Result<Vec<Schedule>, String>;
    /// When the last run of `name` started, if there was one (for catch-up).
    fn last_run(&mut self, name: &str) -> Option<DateTime<Utc>>;
    /// Run `schedule` now; `next` is its following run.
    fn run(
        &mut self,
        schedule: &Schedule,
        next: Option<DateTime<Utc>>,
    ) -> Result<RunOutcome, JobError>;
}

/// Whether a schedule missed a time while the daemon was down: its first
/// time after the last run, if that has passed by `now`.
pub fn missed(
    schedule: &Schedule,
    last_run: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    schedule.next_after(last_run?).filter(|t| *t <= now)
}

/// When to stop and what to do on start.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// Run once at start a schedule whose time passed while the daemon was down.
    pub catch_up: bool,
    /// Stop after this many runs (tests).
    pub max_runs: Option<usize>,
    /// Stop when the next thing to do lies after this time (tests).
    pub until: Option<DateTime<Utc>>,
    /// Stop between runs when set.
    pub stop: Arc<AtomicBool>,
    /// Re-read the schedules at least this often while waiting.
    pub reload_every: Duration,
}

impl Default for LoopOptions {
    fn default() -> Self {
        Self {
            catch_up: true,
            max_runs: None,
            until: None,
            stop: Arc::new(AtomicBool::new(false)),
            reload_every: Duration::minutes(5),
        }
    }
}

/// One run the loop made.
#[derive(Debug, Clone)]
pub struct Fired {
    /// The schedule's name.
    pub schedule: String,
    /// The scheduled time it ran for.
    pub due: DateTime<Utc>,
    /// Clock times at start and end.
    pub started: DateTime<Utc>,
    /// Clock time at the end.
    pub ended: DateTime<Utc>,
    /// Started at once on start for a time missed while down.
    pub catch_up: bool,
    /// `None` when the run failed with an error.
    pub outcome: Option<RunOutcome>,
}

/// The scheduler. Returns every run made, when a stop condition is met.
/// Fails only when no usable schedule can be read at start.
pub fn run_loop(
    jobs: &mut dyn Jobs,
    clock: &dyn Clock,
    opts: &LoopOptions,
) -> Result<Vec<Fired>, DaemonError> {
    let start = clock.now();
    let mut schedules = jobs.schedules().map_err(DaemonError::Schedules)?;
    if schedules.is_empty() {
        return Err(DaemonError::NoSchedules);
    }
    // Per schedule: the time up to which its runs are accounted for.
    let mut cursor: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut catching_up: HashMap<String, DateTime<Utc>> = HashMap::new();
    for s in &schedules {
        let last = if opts.catch_up {
            jobs.last_run(&s.name)
        } else {
            None
        };
        match missed(s, last, start) {
            Some(m) => {
                tracing::info!(schedule = %s.name, missed = %s.format_local(m), "a scheduled time passed while the daemon was down; catching up once");
                cursor.insert(s.name.clone(), last.unwrap_or(start));
                catching_up.insert(s.name.clone(), m);
            }
            None => {
                cursor.insert(s.name.clone(), start);
            }
        }
        tracing::info!(
            schedule = %s.name,
            cron = %s.spec.source,
            zone = %s.zone.name(),
            next = %s.next_after(start).map(|t| s.format_local(t)).unwrap_or_default(),
            "schedule loaded"
        );
    }
    tracing::info!(
        schedules = schedules.len(),
        catch_up = opts.catch_up,
        "daemon started"
    );

    let mut fired: Vec<Fired> = Vec::new();
    let mut last_error: Option<String> = None;
    loop {
        if opts.stop.load(Ordering::SeqCst) {
            tracing::info!("stop requested; daemon exits");
            break;
        }
        if opts.max_runs.is_some_and(|m| fired.len() >= m) {
            break;
        }
        match jobs.schedules() {
            Ok(s) if !s.is_empty() => {
                schedules = s;
                last_error = None;
            }
            Ok(_) => {
                let e = "inga scheman att köra".to_string();
                if last_error.as_deref() != Some(e.as_str()) {
                    tracing::error!("no schedules any more; keeping the last ones read");
                    last_error = Some(e);
                }
            }
            Err(e) => {
                if last_error.as_deref() != Some(e.as_str()) {
                    tracing::error!("schedules cannot be used; keeping the last good ones:\n{e}");
                    last_error = Some(e);
                }
            }
        }
        let now = clock.now();
        // The earliest due time of every schedule (new ones count from now).
        let mut best: Option<(&Schedule, DateTime<Utc>)> = None;
        for s in &schedules {
            let from = *cursor.entry(s.name.clone()).or_insert(now);
            let Some(due) = s.next_after(from) else {
                continue;
            };
            if due > now {
                // Nothing due: the time up to now is accounted for.
                cursor.insert(s.name.clone(), now);
            }
            if best.is_none_or(|(_, b)| due < b) {
                best = Some((s, due));
            }
        }
        let Some((schedule, due)) = best else {
            tracing::warn!("no schedule has a coming run; waiting");
            let wake = now + opts.reload_every;
            if opts.until.is_some_and(|u| wake > u) {
                break;
            }
            clock.sleep_until(wake);
            continue;
        };
        if due > now {
            if opts.until.is_some_and(|u| due > u) {
                break;
            }
            clock.sleep_until(due.min(now + opts.reload_every));
            continue;
        }

        // Due: run it; the others wait their turn.
        let schedule = schedule.clone();
        let catch_up = catching_up.remove(&schedule.name).is_some();
        let started = clock.now();
        cursor.insert(schedule.name.clone(), due.max(started));
        let next = schedule.next_after(started);
        tracing::info!(
            schedule = %schedule.name,
            due = %schedule.format_local(due),
            catch_up,
            archive = schedule.archive_inputs,
            "run started"
        );
        let t0 = std::time::Instant::now();
        let result = jobs.run(&schedule, next);
        let seconds = t0.elapsed().as_secs_f64();
        let ended = clock.now();
        let outcome = match result {
            Ok(o) => {
                let counts = o
                    .counts
                    .iter()
                    .map(|(s, n)| format!("{s}={n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let folder = o
                    .folder
                    .as_ref()
                    .map(|f| f.display().to_string())
                    .unwrap_or_default();
                if o.exit == crate::exit::OK {
                    tracing::info!(schedule = %schedule.name, exit = o.exit, seconds, counts = %counts, files_in_error = o.files_in_error, folder = %folder, "run finished");
                } else {
                    tracing::warn!(schedule = %schedule.name, exit = o.exit, seconds, counts = %counts, files_in_error = o.files_in_error, folder = %folder, "run finished with problems");
                }
                Some(o)
            }
            Err(e) => {
                let e = with_causes(&*e);
                tracing::error!(schedule = %schedule.name, seconds, "run failed; nothing published: {e}");
                None
            }
        };
        if let Some(n) = next {
            tracing::info!(schedule = %schedule.name, next = %schedule.format_local(n), "next run");
        }
        fired.push(Fired {
            schedule: schedule.name.clone(),
            due,
            started,
            ended,
            catch_up,
            outcome,
        });
    }
    Ok(fired)
}

/// An error and its causes on one line (for the log), a cause that the
/// text already says left out.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let t = c.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cause = c.source();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::rc::Rc;
    use std::sync::Mutex;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// A clock for tests: `sleep_until` jumps to the time at once.
    struct FakeClock {
        now: Mutex<DateTime<Utc>>,
    }

    impl FakeClock {
        fn new(t: DateTime<Utc>) -> Self {
            Self { now: Mutex::new(t) }
        }
        fn advance(&self, d: Duration) {
            if let Ok(mut n) = self.now.lock() {
                *n += d;
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

    /// Schedules in code; runs counted; each run takes `run_time` on the clock.
    struct FakeJobs {
        schedules: Vec<Schedule>,
        clock: Rc<FakeClock>,
        run_time: Duration,
        last: HashMap<String, DateTime<Utc>>,
        runs: Vec<(String, DateTime<Utc>)>,
    }

    impl FakeJobs {
        fn new(clock: &Rc<FakeClock>, schedules: &[(&str, &str)]) -> Self {
            Self {
                schedules: schedules
                    .iter()
                    .map(|(n, c)| Schedule::new(n, c, "Europe/Stockholm").unwrap())
                    .collect(),
                clock: clock.clone(),
                run_time: Duration::minutes(1),
                last: HashMap::new(),
                runs: Vec::new(),
            }
        }
    }

    impl Jobs for FakeJobs {
        fn schedules(&mut self) -> Result<Vec<Schedule>, String> {
            Ok(self.schedules.clone())
        }
        fn last_run(&mut self, name: &str) -> Option<DateTime<Utc>> {
            self.last.get(name).copied()
        }
        fn run(
            &mut self,
            s: &Schedule,
            _next: Option<DateTime<Utc>>,
        ) -> Result<RunOutcome, JobError> {
            let now = self.clock.now();
            self.runs.push((s.name.clone(), now));
            self.last.insert(s.name.clone(), now);
            self.clock.advance(self.run_time);
            Ok(RunOutcome::default())
        }
    }

    struct ClockRef(Rc<FakeClock>);
    impl Clock for ClockRef {
        fn now(&self) -> DateTime<Utc> {
            self.0.now()
        }
        fn sleep_until(&self, t: DateTime<Utc>) {
            self.0.sleep_until(t)
        }
    }

    /// Drive the daemon over (from, to]; the times each schedule started.
    fn drive(schedules: &[(&str, &str)], from: &str, to: &str) -> Vec<(String, DateTime<Utc>)> {
        let clock = Rc::new(FakeClock::new(utc(from)));
        let mut jobs = FakeJobs::new(&clock, schedules);
        let opts = LoopOptions {
            until: Some(utc(to)),
            ..LoopOptions::default()
        };
        let fired = run_loop(&mut jobs, &ClockRef(clock.clone()), &opts).unwrap();
        assert_eq!(fired.len(), jobs.runs.len());
        jobs.runs
    }

    fn times(runs: &[(String, DateTime<Utc>)], name: &str) -> Vec<DateTime<Utc>> {
        runs.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, t)| *t)
            .collect()
    }

    /// A DST night: from noon the day before to noon the day after.
    fn dst_night(day: &str, expect_0230: &str, expect_0330: &str) {
        let from = format!("{day}T12:00:00Z");
        let d: chrono::NaiveDate = day.parse().unwrap();
        let to = format!("{}T12:00:00Z", d + Duration::days(2));
        let runs = drive(
            &[("a0230", "30 2 * * *"), ("a0330", "30 3 * * *")],
            &from,
            &to,
        );
        let night_start = utc(&format!("{}T20:00:00Z", day));
        let night_end = night_start + Duration::hours(12);
        let in_night = |name: &str| -> Vec<DateTime<Utc>> {
            times(&runs, name)
                .into_iter()
                .filter(|t| *t > night_start && *t < night_end)
                .collect()
        };
        assert_eq!(
            in_night("a0230"),
            [utc(expect_0230)],
            "02:30 job, {day}: {runs:?}"
        );
        assert_eq!(
            in_night("a0330"),
            [utc(expect_0330)],
            "03:30 job, {day}: {runs:?}"
        );
        // Two days, two runs each, nothing else.
        assert_eq!(times(&runs, "a0230").len(), 2, "{runs:?}");
        assert_eq!(times(&runs, "a0330").len(), 2, "{runs:?}");
    }

    #[test]
    fn dst_spring_2026_runs_once_after_the_gap() {
        // 2026-03-29 02:00 CET → 03:00 CEST (01:00 UTC).
        dst_night("2026-03-28", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z");
    }

    #[test]
    fn dst_autumn_2026_runs_once() {
        // 2026-10-25 03:00 CEST → 02:00 CET (01:00 UTC); first 02:30 = 00:30 UTC.
        dst_night("2026-10-24", "2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z");
    }

    #[test]
    fn dst_spring_2027_runs_once_after_the_gap() {
        dst_night("2027-03-27", "2027-03-28T01:00:00Z", "2027-03-28T01:30:00Z");
    }

    #[test]
    fn dst_autumn_2027_runs_once() {
        dst_night("2027-10-30", "2027-10-31T00:30:00Z", "2027-10-31T02:30:00Z");
    }

    #[test]
    fn a_second_due_job_waits_its_turn() {
        let clock = Rc::new(FakeClock::new(utc("2026-11-26T12:00:00Z")));
        let mut jobs = FakeJobs::new(&clock, &[("b", "0 2 * * *"), ("a", "0 2 * * *")]);
        jobs.run_time = Duration::minutes(40);
        let opts = LoopOptions {
            until: Some(utc("2026-11-27T12:00:00Z")),
            ..LoopOptions::default()
        };
        let fired = run_loop(&mut jobs, &ClockRef(clock.clone()), &opts).unwrap();
        assert_eq!(fired.len(), 2, "{fired:?}");
        assert_eq!(fired[0].started, utc("2026-11-27T01:00:00Z"));
        assert_eq!(fired[1].due, utc("2026-11-27T01:00:00Z"));
        assert_eq!(fired[1].started, fired[0].ended);
        assert_eq!(fired[1].started, utc("2026-11-27T01:40:00Z"));
    }

    #[test]
    fn times_passing_during_a_long_run_collapse_into_one() {
        let clock = Rc::new(FakeClock::new(utc("2026-11-26T12:00:00Z")));
        let mut jobs = FakeJobs::new(&clock, &[("q", "*/5 * * * *")]);
        jobs.run_time = Duration::minutes(17);
        let opts = LoopOptions {
            max_runs: Some(3),
            ..LoopOptions::default()
        };
        let fired = run_loop(&mut jobs, &ClockRef(clock.clone()), &opts).unwrap();
        let started: Vec<_> = fired.iter().map(|f| f.started).collect();
        assert_eq!(
            started,
            [
                utc("2026-11-26T12:05:00Z"),
                utc("2026-11-26T12:22:00Z"),
                utc("2026-11-26T12:39:00Z")
            ]
        );
        for w in fired.windows(2) {
            assert!(w[0].ended <= w[1].started);
        }
    }

    #[test]
    fn catch_up_once_after_downtime() {
        let clock = Rc::new(FakeClock::new(utc("2026-11-26T12:00:00Z")));
        let mut jobs = FakeJobs::new(&clock, &[("n", "0 2 * * *")]);
        // Last ran three nights ago: several times missed, one catch-up run.
        jobs.last.insert("n".into(), utc("2026-11-23T01:00:05Z"));
        let opts = LoopOptions {
            until: Some(utc("2026-11-27T12:00:00Z")),
            ..LoopOptions::default()
        };
        let fired = run_loop(&mut jobs, &ClockRef(clock.clone()), &opts).unwrap();
        assert_eq!(fired.len(), 2, "{fired:?}");
        assert!(fired[0].catch_up);
        assert_eq!(fired[0].started, utc("2026-11-26T12:00:00Z"));
        assert_eq!(fired[0].due, utc("2026-11-24T01:00:00Z"));
        assert!(!fired[1].catch_up);
        assert_eq!(fired[1].started, utc("2026-11-27T01:00:00Z"));
    }

    #[test]
    fn no_catch_up_when_off_or_up_to_date() {
        for (catch_up, last) in [
            (false, "2026-11-23T01:00:05Z"),
            (true, "2026-11-26T01:00:05Z"),
        ] {
            let clock = Rc::new(FakeClock::new(utc("2026-11-26T12:00:00Z")));
            let mut jobs = FakeJobs::new(&clock, &[("n", "0 2 * * *")]);
            jobs.last.insert("n".into(), utc(last));
            let opts = LoopOptions {
                catch_up,
                until: Some(utc("2026-11-27T12:00:00Z")),
                ..LoopOptions::default()
            };
            let fired = run_loop(&mut jobs, &ClockRef(clock.clone()), &opts).unwrap();
            assert_eq!(fired.len(), 1, "{fired:?}");
            assert!(!fired[0].catch_up);
            assert_eq!(fired[0].started, utc("2026-11-27T01:00:00Z"));
        }
    }

    #[test]
    fn stop_flag_ends_the_loop() {
        let clock = Rc::new(FakeClock::new(utc("2026-11-26T12:00:00Z")));
        let mut jobs = FakeJobs::new(&clock, &[("n", "0 2 * * *")]);
        let opts = LoopOptions::default();
        opts.stop.store(true, Ordering::SeqCst);
        let fired = run_loop(&mut jobs, &ClockRef(clock), &opts).unwrap();
        assert!(fired.is_empty());
    }

    #[test]
    fn a_failed_run_is_logged_with_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("x.xlsx: kan inte skrivas")]
        struct Write(#[source] std::io::Error);
        #[derive(Debug, thiserror::Error)]
        #[error("y.xlsx: borta")]
        struct Said(#[source] std::io::Error);
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "borta");
        assert_eq!(with_causes(&Write(io())), "x.xlsx: kan inte skrivas: borta");
        assert_eq!(with_causes(&Said(io())), "y.xlsx: borta");
    }
}
