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
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
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
