//! A minimal parallel map over a slice on all cores (scoped threads), order
//! kept, and a std-only progress line for long steps.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The number of worker threads: `available_parallelism`.
pub fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Apply `f` to every item on up to `available_parallelism` threads; the
/// result keeps the input order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with_progress(items, None, f)
}

/// [`map`], ticking `progress` once per item done.
pub fn map_with_progress<T: Sync, R: Send>(
    items: &[T],
    progress: Option<&Progress>,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = workers().min(items.len().max(1));
    let tick = || {
        if let Some(p) = progress {
            p.add(1);
        }
    };
    if workers <= 1 {
        return items
            .iter()
            .map(|x| {
                let r = f(x);
                tick();
                r
            })
            .collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let r = f(&items[i]);
                if let Ok(mut guard) = results.lock() {
                    guard[i] = Some(r);
                }
                tick();
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// A one-line progress indicator on stderr (`inläsning: 1200/3009 filer`),
/// redrawn at most once per percent; silent when stderr is not a terminal,
/// so logs and pipes never see it.
pub struct Progress {
    label: &'static str,
    unit: &'static str,
    total: usize,
    done: AtomicUsize,
    shown: AtomicUsize,
    on: bool,
}

impl Progress {
    /// A progress line for `total` items, shown only on a terminal.
    pub fn new(label: &'static str, unit: &'static str, total: usize) -> Self {
        Self::with_terminal(label, unit, total, std::io::stderr().is_terminal())
    }

    /// As [`Progress::new`], deciding explicitly whether to draw.
    pub fn with_terminal(label: &'static str, unit: &'static str, total: usize, on: bool) -> Self {
        Self {
            label,
            unit,
            total,
            done: AtomicUsize::new(0),
            shown: AtomicUsize::new(usize::MAX),
            on,
        }
    }

    /// How many are done so far.
    pub fn done(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }

    /// `n` more done.
    pub fn add(&self, n: usize) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if !self.on {
            return;
        }
        let pct = (done * 100).checked_div(self.total).unwrap_or(100);
        let prev = self.shown.load(Ordering::Relaxed);
        if prev != pct
            && self
                .shown
                .compare_exchange(prev, pct, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r{}: {done}/{} {} ({pct} %)   ",
                self.label, self.total, self.unit
            );
            let _ = err.flush();
        }
    }

    /// End the line (the next log line starts on a fresh one).
    pub fn finish(&self) {
        if self.on && self.shown.load(Ordering::Relaxed) != usize::MAX {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "\r{}: {}/{} {} klart          ",
                self.label,
                self.done(),
                self.total,
                self.unit
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&v, |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn progress_counts_every_item() {
        let p = super::Progress::with_terminal("test", "st", 500, false);
        let v: Vec<u32> = (0..500).collect();
        let out = super::map_with_progress(&v, Some(&p), |x| x + 1);
        assert_eq!(out.len(), 500);
        assert_eq!(p.done(), 500);
    }
}
