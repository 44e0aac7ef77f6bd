//! The run folder: written under a temporary name in the output root and
//! renamed into place only when every file is complete, under an exclusive
//! lock on the output root (released by the OS if the holder dies).

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// Prefix of a run folder still being written (or left by a crash).
pub const TMP_PREFIX: &str = ".pågår-";
const LOCK_FILE: &str = ".uppsikt.lock";

/// How long a run waits for the output root's lock by default.
pub const DEFAULT_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30 * 60);
/// How often a waiting run says it still waits, by default.
const LOCK_REPORT_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// How a run waits for the output root's lock: at most `limit`, saying so
/// every `report_every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockWait {
    /// Past this the run gives up (exit 2).
    pub limit: std::time::Duration,
    /// How often the wait is logged again.
    pub report_every: std::time::Duration,
}

impl Default for LockWait {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LOCK_WAIT,
            report_every: LOCK_REPORT_EVERY,
        }
    }
}

impl LockWait {
    /// The configuration's `las_max_vantan_sekunder` and `las_paminnelse_sekunder`.
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            limit: std::time::Duration::from_secs(config.las_max_vantan_sekunder),
            report_every: std::time::Duration::from_secs(config.las_paminnelse_sekunder.max(1)),
        }
    }
}

/// How often a waiting run tries the lock.
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// The PID and start the lock file records (`okänd` for what it lacks).
fn holder_of(text: &str) -> (String, String) {
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "okänd".to_string())
    };
    (field("pid "), field("start "))
}

/// `5 min` or `12 s`.
fn minutes(d: std::time::Duration) -> String {
    if d.as_secs() >= 60 {
        format!("{} min", d.as_secs() / 60)
    } else {
        format!("{} s", d.as_secs())
    }
}

/// The output root, locked for one run.
pub struct OutputLock {
    file: File,
    root: PathBuf,
}

impl OutputLock {
    /// Take the output root's lock, waiting while another run holds it (for
    /// at most 30 minutes).
    pub fn acquire(root: &Path) -> Result<Self> {
        Self::acquire_within(root, LockWait::default())
    }

    /// Take the output root's lock, waiting at most `wait.limit` while
    /// another run holds it: the wait is logged with the holder's PID and
    /// start (the lock file records them) and repeated every
    /// `wait.report_every`; past the limit it is an error naming the holder.
    /// The holder is recorded once the lock is ours.
    pub fn acquire_within(root: &Path, wait: LockWait) -> Result<Self> {
        let LockWait {
            limit,
            report_every,
        } = wait;
        fs::create_dir_all(root).map_err(|e| {
            anyhow::anyhow!(
                "{}: utdatamappen kan inte skapas: {}",
                root.display(),
                crate::oserror::swedish(&e)
            )
        })?;
        let path = root.join(LOCK_FILE);
        let mut file = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| {
                anyhow::anyhow!(
                    "{}: låsfilen kan inte öppnas: {}",
                    path.display(),
                    crate::oserror::swedish(&e)
                )
            })?;
        let t0 = std::time::Instant::now();
        let mut next_report = t0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    let (pid, started) = holder_of(&holder);
                    let waited = t0.elapsed();
                    if waited >= limit {
                        anyhow::bail!(
                            "{}: en annan körning (PID {pid}, startad {started}) håller utdatamappen; gav upp efter {} att ha väntat (gränsen är {}). Kontrollera att körningen lever, eller höj las_max_vantan_sekunder i konfigurationen",
                            root.display(),
                            minutes(waited),
                            minutes(limit),
                        );
                    }
                    if std::time::Instant::now() >= next_report {
                        if next_report == t0 {
                            tracing::info!(
                                root = %root.display(),
                                holder_pid = %pid,
                                holder_started = %started,
                                limit_s = limit.as_secs(),
                                "{}: en annan körning (PID {pid}, startad {started}) håller utdatamappen; väntar på den i högst {}",
                                root.display(),
                                minutes(limit),
                            );
                        } else {
                            tracing::info!(
                                root = %root.display(),
                                holder_pid = %pid,
                                holder_started = %started,
                                waited_s = waited.as_secs(),
                                limit_s = limit.as_secs(),
                                "{}: väntar fortfarande; en annan körning (PID {pid}, startad {started}) håller utdatamappen; har väntat {} av högst {}",
                                root.display(),
                                minutes(waited),
                                minutes(limit),
                            );
                        }
                        next_report += report_every;
                    }
                    std::thread::sleep(
                        LOCK_POLL
                            .min(limit.saturating_sub(waited))
                            .max(std::time::Duration::from_millis(10)),
                    );
                }
                Err(fs::TryLockError::Error(e)) => {
                    anyhow::bail!(
                        "{}: kan inte låsa: {}",
                        path.display(),
                        crate::oserror::swedish(&e)
                    )
                }
            }
        }
        // Record the holder for whoever waits next.
        {
            use std::io::{Seek as _, Write as _};
            let _ = file.set_len(0);
            let _ = file.seek(std::io::SeekFrom::Start(0));
            let _ = write!(
                file,
                "pid {}\nstart {}\n",
                std::process::id(),
                chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
            );
            let _ = file.flush();
        }
        tracing::debug!(root = %root.display(), pid = std::process::id(), "output root locked");
        let lock = Self {
            file,
            root: root.to_path_buf(),
        };
        lock.clean_leftovers();
        Ok(lock)
    }

    /// Remove temporary folders of runs that died (we hold the lock, so none is live).
    fn clean_leftovers(&self) {
        let Ok(rd) = fs::read_dir(&self.root) else {
            return;
        };
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                tracing::warn!(path = %e.path().display(), "removing the unfinished folder of an earlier run");
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }

    /// A new temporary folder for a run named `name`.
    pub fn begin(&self, name: &str) -> Result<PendingRun> {
        let tmp = self
            .root
            .join(format!("{TMP_PREFIX}{name}-{}", std::process::id()));
        fs::create_dir_all(&tmp).with_context(|| format!("{}: kan inte skapas", tmp.display()))?;
        Ok(PendingRun {
            tmp,
            root: self.root.clone(),
            name: name.to_string(),
            published: false,
        })
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Logged while still held, so that the log orders holds correctly.
        tracing::debug!(root = %self.root.display(), pid = std::process::id(), "output root unlocked");
        // Let go explicitly rather than only by closing the file: a child
        // forked meanwhile (by another thread) shares the open file until it
        // execs, and would hold the lock that long.
        let _ = self.file.unlock();
    }
}

/// A run folder being written; dropped unpublished, it is removed.
pub struct PendingRun {
    tmp: PathBuf,
    root: PathBuf,
    name: String,
    published: bool,
}

impl PendingRun {
    /// The temporary folder to write the run's files into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Flush the folder and rename it into place; returns the final path.
    pub fn publish(mut self) -> Result<PathBuf> {
        sync_tree(&self.tmp)?;
        let mut target = self.root.join(&self.name);
        let mut n = 2;
        while target.exists() {
            target = self.root.join(format!("{}-{n}", self.name));
            n += 1;
        }
        fs::rename(&self.tmp, &target).with_context(|| {
            format!(
                "{}: kan inte byta namn till {}",
                self.tmp.display(),
                target.display()
            )
        })?;
        if let Ok(dir) = File::open(&self.root) {
            let _ = dir.sync_all();
        }
        self.published = true;
        tracing::debug!(folder = %target.display(), "run folder published");
        Ok(target)
    }
}

impl Drop for PendingRun {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Flush every file below `dir` and the directories themselves: a file's
/// directory entry is only durable once its directory is flushed, and the
/// rename must not reach the disk before the entries it makes visible.
/// The files are flushed from several threads at once: a flush mostly waits
/// for the disk, and the file system commits concurrent flushes together
/// (one at a time took about half a second for 3,000 feedback workbooks).
fn sync_tree(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    collect_tree(dir, &mut files, &mut dirs)?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let flush_all = || -> std::io::Result<()> {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(p) = files.get(i) else { return Ok(()) };
            File::open(p)?.sync_all()?;
        }
    };
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..SYNC_THREADS).map(|_| s.spawn(flush_all)).collect();
        threads.into_iter().try_for_each(|t| {
            t.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("avbröts")))
        })
    })?;
    // Directories after their files, deepest first.
    #[cfg(unix)]
    for d in dirs.iter().rev() {
        File::open(d)?.sync_all()?;
    }
    Ok(())
}

/// Threads flushing a run folder's files (I/O waits, not CPU).
const SYNC_THREADS: usize = 8;

/// Every file and directory below `dir` (`dir` first among the directories).
fn collect_tree(dir: &Path, files: &mut Vec<PathBuf>, dirs: &mut Vec<PathBuf>) -> Result<()> {
    dirs.push(dir.to_path_buf());
    for e in fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect_tree(&p, files, dirs)?;
        } else {
            files.push(p);
        }
    }
    Ok(())
}

/// The start of a run folder's name, as `run::execute` writes it (the
/// machine's local time), e.g. `2026-11-26T020000`.
pub const STAMP_FORMAT: &str = "%Y-%m-%dT%H%M%S";

/// Write `bytes` to `path`; a failure names the file, in Swedish.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    create_file(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: kan inte skrivas: {}",
                path.display(),
                crate::oserror::swedish(&e)
            )
        })
}

/// Create (or truncate) `path` for writing every file of a run folder.
/// With the `test-hooks` feature, `UPPSIKT_TEST_DISKEN_FULL=NAMN:BYTE`
/// makes writes to a file named `NAMN` fail as if the disk were full once
/// `BYTE` bytes have gone through (the full-disk tests).
pub fn create_file(path: &Path) -> std::io::Result<OutFile> {
    Ok(OutFile {
        file: File::create(path)?,
        #[cfg(feature = "test-hooks")]
        left: disk_full_budget(path),
    })
}

/// A file of a run folder being written (see [`create_file`]).
pub struct OutFile {
    file: File,
    /// Test hook: bytes still allowed before writes fail with ENOSPC.
    #[cfg(feature = "test-hooks")]
    left: Option<u64>,
}

impl std::io::Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        #[cfg(feature = "test-hooks")]
        if let Some(left) = self.left.as_mut() {
            if (buf.len() as u64) > *left {
                return Err(std::io::Error::from_raw_os_error(28));
            }
            *left -= buf.len() as u64;
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(feature = "test-hooks")]
fn disk_full_budget(path: &Path) -> Option<u64> {
    let spec = std::env::var("UPPSIKT_TEST_DISKEN_FULL").ok()?;
    let (name, bytes) = spec.rsplit_once(':')?;
    let file = path.file_name()?.to_str()?;
    (file == name).then(|| bytes.parse().ok()).flatten()
}
