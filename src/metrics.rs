//! Process figures for milestone logs and benchmarks (Linux; 0 elsewhere).

/// The resident set size in MiB (Linux; 0 elsewhere), for milestone logs
/// and benchmarks.
pub fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// User + system CPU seconds of this process so far (Linux; 0 elsewhere),
/// for milestone logs and benchmarks: CPU between two milestones over their
/// wall time shows how many cores a phase kept busy.
pub fn cpu_seconds() -> f64 {
    stat_cpu_seconds("/proc/self/stat")
}

/// CPU seconds of the calling thread so far (Linux; 0 elsewhere), for the
/// debug laps of a phase whose threads share the cores: the scheduler's
/// nanoseconds on a CPU (`schedstat`), else user + system ticks.
pub fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(
            || stat_cpu_seconds("/proc/thread-self/stat"),
            |ns| ns as f64 / 1e9,
        )
}

/// utime + stime of a `stat` file of /proc, in seconds.
fn stat_cpu_seconds(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // The fields after the command name, which is in parentheses and may
    // hold spaces; utime and stime are fields 14 and 15 of the line.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Clock ticks: 100 per second on Linux (USER_HZ).
    (ticks(11) + ticks(12)) / 100.0
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn a_thread_counts_its_own_cpu_not_the_process() {
        // Work on another thread shows in the process's figure, not in this
        // thread's (the process's is in ticks, so the work is made long
        // enough to show at all).
        let mine = super::thread_cpu_seconds();
        let spun = std::thread::spawn(|| {
            let start = super::thread_cpu_seconds();
            let mut x = 0u64;
            while super::thread_cpu_seconds() - start < 0.05 {
                x = x.wrapping_add(1);
            }
            (x, super::thread_cpu_seconds() - start)
        })
        .join()
        .unwrap_or_default();
        assert!(spun.1 >= 0.05, "the spinning thread counted {}", spun.1);
        assert!(
            super::thread_cpu_seconds() - mine < spun.1,
            "this thread did not spin"
        );
    }
}
