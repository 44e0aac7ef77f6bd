//! Small helpers shared by several modules.

use std::borrow::Cow;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Whether a terminal could act on `c` rather than show it: C0 control
/// characters (ESC starts escape sequences, BEL rings, CR and BS overwrite),
/// DEL, C1 control characters (U+009B is a one-character CSI), and the
/// invisible bidirectional formatting characters (embeddings, overrides,
/// isolates and marks) that reorder what follows them.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` for a terminal: every character a terminal would act on (see
/// [`acts_on_terminal`]) written as Rust writes it, `\u{1b}`, so a file
/// name or cell text from the shared folder is shown, never obeyed.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if acts_on_terminal(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A date as `YYYY-MM-DD`, exactly as chrono's `%Y-%m-%d` writes it, without
/// parsing a format string on every call (dates are shown in every message
/// and report row that names one).
pub fn iso_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

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

/// Write `bytes` to `path`; a failure names the file, in Swedish.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::write(path, bytes).with_context(|| format!("{}: kan inte skrivas", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_and_bidi_characters_are_escaped_for_the_terminal() {
        use super::terminal_safe;
        assert_eq!(terminal_safe("giltig-åäö.xlsx"), "giltig-åäö.xlsx");
        assert!(matches!(
            terminal_safe("vanlig text"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            terminal_safe("styr\u{1b}[31m\u{7}.xlsx"),
            "styr\\u{1b}[31m\\u{7}.xlsx"
        );
        assert_eq!(
            terminal_safe("\u{202e}xslx.exe\u{202c}\u{2066}\u{2069}"),
            "\\u{202e}xslx.exe\\u{202c}\\u{2066}\\u{2069}"
        );
        assert_eq!(
            terminal_safe("a\tb\r\nc\u{0}\u{7f}\u{9b}2J\u{85}"),
            "a\\u{9}b\\u{d}\\u{a}c\\u{0}\\u{7f}\\u{9b}2J\\u{85}"
        );
        // Other invisible or unusual characters are shown as they are.
        assert_eq!(terminal_safe("a\u{a0}b\u{200b}c"), "a\u{a0}b\u{200b}c");
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn iso_date_writes_what_the_format_string_writes() {
        for (y, m, d) in [
            (2026, 11, 26),
            (1, 1, 1),
            (0, 2, 29),
            (9999, 12, 31),
            (10000, 1, 1),
            (-5, 3, 4),
        ] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(super::iso_date(date), date.format("%Y-%m-%d").to_string());
        }
    }
}
