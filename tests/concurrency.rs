//! Concurrency on one output root, across real processes: two `run`s and a
//! `daemon` started together never interleave their writes and lose no run;
//! SIGTERM lets the daemon finish the run in progress; a lock holder killed
//! with SIGKILL leaves no lock behind, neither for a run started afterwards
//! nor for one already waiting.
//!
//! Nothing here is decided by a sleep. Where the outcome depends on who holds
//! the lock, the test arranges it: it holds the output root's lock itself
//! (so every process is seen waiting before any may proceed), or it freezes
//! a holder with SIGSTOP and checks that the holder is frozen before
//! publishing. Timeouts are only safety nets that fail with the logs.
//!
//! The processes log JSON to files (`RUST_LOG` with the lock's debug events
//! from `report::run_folder`: `output root locked`, `run folder published`,
//! `output root unlocked`), which the tests read for what each process did
//! and when it held the lock.

use std::fs::File;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::common::Workspace;
use crate::run_folder::{assert_complete, populate};

const LOG_FILTER: &str = "uppsikt=info,uppsikt::report::run_folder=debug";
/// Part of the line a run logs when it starts waiting for the lock (the
/// whole line names the root and the holder).
const WAITING: &str = "håller utdatamappen; väntar på den i högst";
const LOCKED: &str = "output root locked";
const PUBLISHED: &str = "run folder published";
const UNLOCKED: &str = "output root unlocked";
const DAEMON: &str = "uppsikt::schedule::daemon";
/// A safety net only: a debug run takes well under a second.
const SAFETY: Duration = Duration::from_secs(60);

/// A workspace whose only schedule, `snabb`, fires every two seconds.
fn daemon_workspace() -> Workspace {
    let ws = Workspace::new();
    populate(&ws);
    let dir = ws.path().join("schedules");
    for f in ["nattlig.yaml", "kvartal.yaml"] {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
    std::fs::write(
        dir.join("snabb.yaml"),
        "namn: snabb\nbeskrivning: Test.\ncron: \"*/2 * * * * *\"\ntidszon: UTC\n",
    )
    .unwrap();
    ws
}

/// One log line of a process.
#[derive(Debug, Clone)]
struct Event {
    at: DateTime<Utc>,
    target: String,
    message: String,
    fields: serde_json::Value,
}

impl Event {
    fn is(&self, message: &str) -> bool {
        self.message == message
    }
    fn field(&self, name: &str) -> &str {
        self.fields[name].as_str().unwrap_or_default()
    }
}

/// A running `uppsikt` with its stderr in a log file; killed if dropped
/// while still running (a failing test leaves no process behind).
struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
    status: Option<ExitStatus>,
}

impl Proc {
    fn spawn(ws: &Workspace, name: &str, args: &[&str]) -> Proc {
        let log = ws.path().join(format!("{name}.log"));
        let mut cmd = ws.cmd(args).command();
        // Only `run` takes --per (the daemon judges by each run's own date).
        if args.first() == Some(&"run") {
            cmd.args(["--per", "2026-11-26"]);
        }
        let child = cmd
            .args(["--loggformat", "json"])
            .env("RUST_LOG", LOG_FILTER)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Proc {
            name: name.to_string(),
            child,
            log,
            status: None,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The log lines written so far (a line being written is skipped).
    fn events(&self) -> Vec<Event> {
        self.log_text()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| Event {
                at: v["timestamp"].as_str().unwrap().parse().unwrap(),
                target: v["target"].as_str().unwrap_or_default().to_string(),
                message: v["fields"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                fields: v["fields"].clone(),
            })
            .collect()
    }

    fn count(&self, target: &str, message: &str) -> usize {
        self.events()
            .iter()
            .filter(|e| e.target == target && e.is(message))
            .count()
    }

    fn has(&self, message: &str) -> bool {
        self.events().iter().any(|e| e.is(message))
    }

    /// Whether some event's message contains `part`.
    fn mentions(&self, part: &str) -> bool {
        self.events().iter().any(|e| e.message.contains(part))
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().unwrap();
        }
        self.status
    }

    /// Poll until `done` holds; fails if the process exits first or the
    /// safety net runs out.
    fn wait_until(&mut self, what: &str, done: impl Fn(&Proc) -> bool) {
        let t0 = Instant::now();
        while !done(self) {
            if let Some(st) = self.exited() {
                if done(self) {
                    return;
                }
                panic!(
                    "{} exited ({st}) before {what}:\n{}",
                    self.name,
                    self.log_text()
                );
            }
            assert!(
                t0.elapsed() < SAFETY,
                "{}: no {what} after {SAFETY:?}:\n{}",
                self.name,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Wait for the process to exit (safety net: [`SAFETY`]).
    fn wait_exit(&mut self, what: &str) -> ExitStatus {
        let t0 = Instant::now();
        loop {
            if let Some(st) = self.exited() {
                return st;
            }
            if t0.elapsed() >= SAFETY {
                let _ = self.child.kill();
                panic!(
                    "{} has not exited {SAFETY:?} after {what}:\n{}",
                    self.name,
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn signal(&self, sig: &str) {
        let st = Command::new("kill")
            .args(["-s", sig, &self.pid().to_string()])
            .status()
            .expect("kill");
        assert!(st.success(), "kill -s {sig} {}", self.pid());
    }

    /// SIGKILL and reap: once reaped, the kernel has closed its files.
    fn kill_and_reap(&mut self) -> ExitStatus {
        self.child.kill().unwrap();
        let st = self.child.wait().unwrap();
        self.status = Some(st);
        st
    }

    /// Every thread of the process is stopped (after SIGSTOP).
    fn frozen(&self) -> bool {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid())) else {
            return false;
        };
        tasks.flatten().all(|t| {
            std::fs::read_to_string(t.path().join("stat")).is_ok_and(|s| {
                // `pid (comm) S …`: the state follows the last ')'.
                s.rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('T'))
            })
        })
    }

    /// The process's temporary run folder, if it has one now.
    fn pending(&self, ws: &Workspace) -> Option<PathBuf> {
        let suffix = format!("-{}", self.pid());
        std::fs::read_dir(ws.outputs())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(".pågår-") && n.ends_with(&suffix))
            .map(|n| ws.outputs().join(n))
    }

    /// Freeze the process (SIGSTOP) while it holds the output root's lock,
    /// with its run folder still temporary; returns that folder, or `None`
    /// when the process exited first. A run that publishes before every
    /// thread has stopped is let go (SIGCONT) and the next one awaited.
    fn freeze_holding_lock(&mut self, ws: &Workspace) -> Option<PathBuf> {
        let t0 = Instant::now();
        loop {
            if self.exited().is_some() {
                return None;
            }
            if self.pending(ws).is_some() {
                self.signal("STOP");
                let t1 = Instant::now();
                while !self.frozen() {
                    if self.exited().is_some() {
                        return None;
                    }
                    assert!(t1.elapsed() < SAFETY, "{} does not stop", self.name);
                    std::thread::yield_now();
                }
                // Frozen with the folder still temporary: between taking the
                // lock (before the folder is made) and publishing (renaming
                // it), so it holds the lock.
                if let Some(tmp) = self.pending(ws) {
                    return Some(tmp);
                }
                self.signal("CONT");
            }
            assert!(
                t0.elapsed() < SAFETY,
                "{}: never caught holding the lock:\n{}",
                self.name,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The output root's lock file, opened as the binary opens it.
fn lock_file(ws: &Workspace) -> File {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(ws.outputs().join(".uppsikt.lock"))
        .unwrap()
}

/// Whether some process holds the output root's lock (taken and let go at
/// once if not: explicitly, as a child forked meanwhile by another test's
/// thread shares the open file until it execs).
fn lock_is_held(ws: &Workspace) -> bool {
    let f = lock_file(ws);
    match f.try_lock() {
        Ok(()) => {
            f.unlock().unwrap();
            false
        }
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(e)) => panic!("try_lock: {e}"),
    }
}

fn leftovers(ws: &Workspace) -> Vec<String> {
    std::fs::read_dir(ws.outputs())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pågår-"))
        .collect()
}

fn manifest(run: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap()
}

fn rfc3339(v: &serde_json::Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// One hold of the output root's lock, from a process's log.
#[derive(Debug)]
struct Hold {
    process: String,
    locked: DateTime<Utc>,
    unlocked: DateTime<Utc>,
    published: Vec<PathBuf>,
}

/// Every hold of the lock in a process's log: each `locked` is followed by
/// its `unlocked` before the next `locked`, and every published folder lies
/// inside a hold.
fn holds(p: &Proc) -> Vec<Hold> {
    let (done, open) = holds_and_open(p);
    assert!(open.is_none(), "{}: exited holding the lock", p.name);
    done
}

/// The finished holds of a process's log, and the hold still open at its
/// end (a process killed while holding the lock).
fn holds_and_open(p: &Proc) -> (Vec<Hold>, Option<Hold>) {
    let mut out: Vec<Hold> = Vec::new();
    let mut open: Option<Hold> = None;
    for e in p.events() {
        if e.is(LOCKED) {
            assert!(
                open.is_none(),
                "{}: locked twice:\n{}",
                p.name,
                p.log_text()
            );
            open = Some(Hold {
                process: p.name.clone(),
                locked: e.at,
                unlocked: e.at,
                published: Vec::new(),
            });
        } else if e.is(PUBLISHED) {
            let h = open.as_mut().unwrap_or_else(|| {
                panic!("{}: published without the lock:\n{}", p.name, p.log_text())
            });
            h.published.push(PathBuf::from(e.field("folder")));
        } else if e.is(UNLOCKED) {
            let mut h = open
                .take()
                .unwrap_or_else(|| panic!("{}: unlocked twice:\n{}", p.name, p.log_text()));
            h.unlocked = e.at;
            out.push(h);
        }
    }
    (out, open)
}

/// The holds of all processes do not overlap in time, each published one
/// folder, and together they account for exactly the run folders on disk;
/// each manifest's `slut` (written under the lock) lies inside the hold that
/// published it and its `start` (taken before reading the inputs, so before
/// the lock) does not lie after it.
fn assert_serialised(ws: &Workspace, procs: &[&Proc]) -> Vec<Hold> {
    let mut all: Vec<Hold> = procs.iter().flat_map(|p| holds(p)).collect();
    all.sort_by_key(|h| h.locked);
    for w in all.windows(2) {
        assert!(
            w[0].unlocked <= w[1].locked,
            "two runs held the output root at once: {:#?}",
            &w
        );
    }
    let mut published: Vec<PathBuf> = Vec::new();
    for h in &all {
        assert_eq!(h.published.len(), 1, "one folder per hold: {h:#?}");
        let run = &h.published[0];
        let m = manifest(run);
        let (start, slut) = (rfc3339(&m["start"]), rfc3339(&m["slut"]));
        assert!(
            h.locked <= slut && slut <= h.unlocked,
            "{}: slut {slut} outside its hold {h:#?}",
            run.display()
        );
        assert!(
            start <= h.locked,
            "{}: start {start} after {h:#?}",
            run.display()
        );
        published.push(run.clone());
    }
    published.sort();
    assert_eq!(
        published,
        ws.run_folders(),
        "the folders published are the folders on disk"
    );
    all
}

fn schedule_of(run: &Path) -> String {
    manifest(run)["schema"].as_str().unwrap().to_string()
}

#[test]
fn two_runs_and_a_daemon_never_interleave_and_lose_no_run() {
    let ws = daemon_workspace();
    // Hold the lock while all three start, so all three are seen contending
    // for it (each logs that it waits) before any may write.
    let gate = lock_file(&ws);
    gate.lock().unwrap();
    let mut daemon = Proc::spawn(&ws, "daemon", &["daemon"]);
    let mut runs = [
        Proc::spawn(&ws, "run1", &["run"]),
        Proc::spawn(&ws, "run2", &["run"]),
    ];
    // The daemon waits inside its first scheduled run.
    daemon.wait_until("its first run waiting for the lock", |p| {
        p.mentions(WAITING)
    });
    for r in &mut runs {
        r.wait_until("waiting for the lock", |p| p.mentions(WAITING));
    }
    assert!(ws.run_folders().is_empty() && leftovers(&ws).is_empty());
    gate.unlock().unwrap();
    drop(gate);

    daemon.wait_until("a finished run", |p| p.count(DAEMON, "run finished") >= 1);
    daemon.signal("TERM");
    let st = daemon.wait_exit("SIGTERM");
    assert_eq!(st.code(), Some(0), "daemon: {st}\n{}", daemon.log_text());
    assert!(daemon.has("daemon stopped"), "{}", daemon.log_text());
    for r in &mut runs {
        let st = r.wait_exit("the daemon stopped");
        assert_eq!(st.code(), Some(0), "{}: {st}\n{}", r.name, r.log_text());
    }

    // No run lost: every run the daemon started finished and was published,
    // and so was each `run`.
    let started = daemon.count(DAEMON, "run started");
    assert!(started >= 1);
    assert_eq!(
        daemon.count(DAEMON, "run finished"),
        started,
        "{}",
        daemon.log_text()
    );
    let folders = ws.run_folders();
    assert_eq!(folders.len(), 2 + started, "{folders:#?}");
    let by_schedule = |s: &str| folders.iter().filter(|f| schedule_of(f) == s).count();
    assert_eq!(by_schedule("manuell"), 2, "{folders:#?}");
    assert_eq!(by_schedule("snabb"), started, "{folders:#?}");
    for f in &folders {
        assert_complete(f);
    }
    assert!(leftovers(&ws).is_empty(), "{:?}", leftovers(&ws));

    // No two runs wrote at once, and each process published what it ran.
    let procs = [&daemon, &runs[0], &runs[1]];
    let holds = assert_serialised(&ws, &procs);
    for h in &holds {
        let want = if h.process == "daemon" {
            "snabb"
        } else {
            "manuell"
        };
        assert_eq!(schedule_of(&h.published[0]), want, "{h:#?}");
    }
    assert_eq!(holds.iter().filter(|h| h.process == "run1").count(), 1);
    assert_eq!(holds.iter().filter(|h| h.process == "run2").count(), 1);
}

#[test]
fn sigterm_lets_the_daemon_finish_the_run_in_progress() {
    let ws = daemon_workspace();
    let gate = lock_file(&ws);
    gate.lock().unwrap();
    let mut daemon = Proc::spawn(&ws, "daemon", &["daemon"]);
    daemon.wait_until("its first run waiting for the lock", |p| {
        p.mentions(WAITING)
    });
    // Stop it in the middle of that run.
    daemon.signal("TERM");
    daemon.wait_until("the stop request logged", |p| {
        p.has("stop requested; finishing the current run, if any")
    });
    assert!(daemon.exited().is_none(), "{}", daemon.log_text());
    gate.unlock().unwrap();
    drop(gate);

    let st = daemon.wait_exit("SIGTERM and the lock let go");
    assert_eq!(st.code(), Some(0), "{st}\n{}", daemon.log_text());
    assert_eq!(
        daemon.count(DAEMON, "run started"),
        1,
        "{}",
        daemon.log_text()
    );
    let finished: Vec<Event> = daemon
        .events()
        .into_iter()
        .filter(|e| e.target == DAEMON && e.is("run finished"))
        .collect();
    assert_eq!(finished.len(), 1, "{}", daemon.log_text());
    assert_eq!(finished[0].fields["exit"], 0);
    let folders = ws.run_folders();
    assert_eq!(folders.len(), 1, "{folders:#?}");
    assert_eq!(schedule_of(&folders[0]), "snabb");
    assert_complete(&folders[0]);
    assert!(leftovers(&ws).is_empty(), "{:?}", leftovers(&ws));
    assert_serialised(&ws, &[&daemon]);
}

#[test]
fn a_run_killed_holding_the_lock_does_not_block_the_next() {
    let ws = Workspace::new();
    populate(&ws);
    // A run caught holding the lock (a fast one may publish before it is
    // caught: then another is started).
    let mut caught = None;
    for attempt in 0..10 {
        let mut holder = Proc::spawn(&ws, &format!("holder{attempt}"), &["run"]);
        if let Some(tmp) = holder.freeze_holding_lock(&ws) {
            caught = Some((holder, tmp));
            break;
        }
        assert_eq!(holder.wait_exit("its run").code(), Some(0));
        for f in ws.run_folders() {
            std::fs::remove_dir_all(f).unwrap();
        }
    }
    let (mut holder, tmp) = caught.expect("no run caught holding the lock in 10 attempts");
    assert!(lock_is_held(&ws), "the frozen run holds the lock");
    let st = holder.kill_and_reap();
    assert_eq!(st.signal(), Some(9), "killed by SIGKILL: {st}");
    assert!(
        tmp.exists(),
        "the dead run's folder stays until the next run"
    );
    assert!(ws.run_folders().is_empty());
    assert!(!lock_is_held(&ws), "the OS let the dead holder's lock go");

    let mut next = Proc::spawn(&ws, "next", &["run"]);
    let st = next.wait_exit("starting with the holder dead");
    assert_eq!(st.code(), Some(0), "{st}\n{}", next.log_text());
    assert!(
        !next.mentions(WAITING),
        "the next run waited for a dead holder:\n{}",
        next.log_text()
    );
    assert!(!tmp.exists(), "the dead run's folder is removed");
    assert!(leftovers(&ws).is_empty(), "{:?}", leftovers(&ws));
    let folders = ws.run_folders();
    assert_eq!(folders.len(), 1, "{folders:#?}");
    assert_complete(&folders[0]);
    assert_serialised(&ws, &[&next]);
}

#[test]
fn a_run_waiting_for_a_daemon_killed_mid_run_proceeds() {
    let ws = daemon_workspace();
    let mut daemon = Proc::spawn(&ws, "daemon", &["daemon"]);
    // The daemon fires every two seconds: catch one of its runs holding the lock.
    let tmp = daemon
        .freeze_holding_lock(&ws)
        .unwrap_or_else(|| panic!("the daemon exited:\n{}", daemon.log_text()));
    assert!(lock_is_held(&ws), "the frozen daemon holds the lock");

    let mut waiter = Proc::spawn(&ws, "waiter", &["run"]);
    waiter.wait_until("waiting for the lock", |p| p.mentions(WAITING));
    // The frozen holder cannot let go before this.
    let killed_at = Utc::now();
    let st = daemon.kill_and_reap();
    assert_eq!(st.signal(), Some(9), "killed by SIGKILL: {st}");

    let st = waiter.wait_exit("its lock holder was killed");
    assert_eq!(st.code(), Some(0), "{st}\n{}", waiter.log_text());
    assert!(!tmp.exists(), "the killed run's folder is removed");
    assert!(leftovers(&ws).is_empty(), "{:?}", leftovers(&ws));
    // The daemon's runs published before it was killed, and the waiter's.
    let folders = ws.run_folders();
    for f in &folders {
        assert_complete(f);
    }
    let daemon_runs = daemon.events().iter().filter(|e| e.is(PUBLISHED)).count();
    assert_eq!(folders.len(), daemon_runs + 1, "{folders:#?}");
    assert_eq!(
        folders
            .iter()
            .filter(|f| schedule_of(f) == "manuell")
            .count(),
        1
    );
    // The killed hold never logged its end; the waiter took the lock only
    // after the kill, and no hold of either overlaps another.
    let (mut all, killed) = holds_and_open(&daemon);
    let killed = killed.unwrap_or_else(|| panic!("the daemon was killed holding the lock"));
    let waited = holds(&waiter);
    assert_eq!(waited.len(), 1, "{waited:#?}");
    assert!(
        waited[0].locked >= killed_at && waited[0].locked > killed.locked,
        "the waiter locked before the holder was killed: {waited:#?} {killed:#?}"
    );
    all.extend(waited);
    all.sort_by_key(|h| h.locked);
    for w in all.windows(2) {
        assert!(w[0].unlocked <= w[1].locked, "overlap: {w:#?}");
    }
}
