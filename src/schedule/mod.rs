//! Schedules (`schedules/*.yaml`): when the job runs, in which time zone,
//! and whether the run archives its inputs.
//!
//! ```yaml
//! namn: nattlig
//! beskrivning: Nattlig statusrapport till SLK.
//! cron: "0 2 * * *"          # crontab (5 fält) eller med sekunder (6–7 fält)
//! tidszon: Europe/Stockholm  # IANA; standard Europe/Stockholm
//! arkivera_indata: false
//! gallras_efter_dagar: 30    # körmappar äldre än så tas bort; utelämnat: aldrig
//! gallra_arkiv: false        # körmappar med indata/ tas också bort
//! ```
//!
//! Next-run times are computed on the schedule's local wall-clock time
//! ([`expr`]), so a job runs once on both DST nights.

pub mod daemon;
pub mod expr;

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, Datelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

pub use expr::{CronSpec, Form};

/// The time zone when a schedule names none.
pub const DEFAULT_ZONE: Tz = chrono_tz::Europe::Stockholm;

/// One schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The schedule's name (`namn`), part of every run folder's name.
    pub name: String,
    /// What it is for (`beskrivning`).
    pub description: String,
    /// When it runs (`cron`).
    pub spec: CronSpec,
    /// The time zone its times are in (`tidszon`).
    pub zone: Tz,
    /// Whether its runs copy the files read into the run folder (`arkivera_indata`).
    pub archive_inputs: bool,
    /// How long its run folders are kept (`gallras_efter_dagar`, `gallra_arkiv`).
    pub retention: crate::config::Retention,
    /// Whether its runs deliver the feedback to each submitter (`skicka_aterkoppling`).
    pub deliver_feedback: bool,
    /// The file it was read from (empty when built in code).
    pub file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    namn: String,
    #[serde(default)]
    beskrivning: String,
    cron: String,
    #[serde(default)]
    tidszon: Option<String>,
    #[serde(default)]
    arkivera_indata: bool,
    #[serde(default)]
    gallras_efter_dagar: Option<u32>,
    #[serde(default)]
    gallra_arkiv: bool,
    #[serde(default)]
    skicka_aterkoppling: bool,
}

impl Schedule {
    /// A schedule built in code (tests, tools).
    pub fn new(name: &str, cron: &str, zone: &str) -> Result<Self, String> {
        Ok(Self {
            name: check_name(name)?,
            description: String::new(),
            spec: cron.parse()?,
            zone: parse_zone(zone)?,
            archive_inputs: false,
            retention: crate::config::Retention::default(),
            deliver_feedback: false,
            file: PathBuf::new(),
        })
    }

    /// The first run strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.spec.next_after(&self.zone, t)
    }

    /// The next `n` runs after `t`.
    pub fn upcoming(&self, t: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut t = t;
        while out.len() < n {
            match self.next_after(t) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }

    /// `t` in the schedule's local time: `fre 2026-11-27 02:00 CET` (with
    /// seconds for an expression with seconds).
    pub fn format_local(&self, t: DateTime<Utc>) -> String {
        let l = t.with_timezone(&self.zone);
        let fmt = match self.spec.form {
            Form::Crontab => "%Y-%m-%d %H:%M %Z",
            Form::WithSeconds => "%Y-%m-%d %H:%M:%S %Z",
        };
        format!("{} {}", weekday_sv(l.weekday()), l.format(fmt))
    }
}

fn weekday_sv(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "mån",
        Weekday::Tue => "tis",
        Weekday::Wed => "ons",
        Weekday::Thu => "tor",
        Weekday::Fri => "fre",
        Weekday::Sat => "lör",
        Weekday::Sun => "sön",
    }
}

fn check_name(name: &str) -> Result<String, String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(format!(
            "namnet \"{name}\" duger inte: små bokstäver a–z, siffror och _, med en bokstav först (det blir en del av körmappens namn)"
        ));
    }
    if name == "manuell" {
        return Err("namnet \"manuell\" är reserverat för körningar utan schema".into());
    }
    Ok(name.to_string())
}

fn parse_zone(zone: &str) -> Result<Tz, String> {
    zone.trim().parse::<Tz>().map_err(|_| {
        format!("tidszonen \"{zone}\" finns inte (ange ett IANA-namn, t.ex. Europe/Stockholm)")
    })
}

/// Why a schedule folder or file cannot be used, with the file and, where
/// there is one, the line and column.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The schedule folder cannot be listed.
    #[error("{}: schemamappen kan inte läsas", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A schedule file cannot be read.
    #[error("{}:1:1: filen kan inte läsas", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A schedule file says something that cannot be used.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The line (1-based).
        line: usize,
        /// The column (1-based).
        column: usize,
        /// What is wrong, in Swedish.
        message: String,
    },
}

/// Every problem of a schedule folder, one per line (`file:line:col:
/// message`, an OS error after its message).
#[derive(Debug)]
pub struct ScheduleErrors(pub Vec<ScheduleError>);

impl std::fmt::Display for ScheduleErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
            if let Some(cause) = std::error::Error::source(e) {
                write!(f, ": {cause}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScheduleErrors {}

/// The line and column of top-level key `key` in `text` (the column of its
/// value); 1:1 when it is not there.
fn key_position(text: &str, key: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let col = line.len() - rest.trim_start().len() + 1;
            return (i + 1, col);
        }
    }
    (1, 1)
}

/// Read one schedule file.
pub fn load_file(path: &Path) -> Result<Schedule, ScheduleError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScheduleError::Read {
        file: path.to_path_buf(),
        source,
    })?;
    let invalid = |(line, column): (usize, usize), message: String| ScheduleError::Invalid {
        file: path.to_path_buf(),
        line,
        column,
        message,
    };
    let f: ScheduleFile = crate::yaml::parse(&text, path).map_err(|e| {
        let place = (e.line.unwrap_or(1), e.column.unwrap_or(1));
        let msg = e.message;
        let unquoted_star = text.lines().any(|l| {
            l.strip_prefix("cron:")
                .is_some_and(|v| v.trim_start().starts_with('*'))
        });
        if unquoted_star {
            invalid(place, format!("{msg} (sätt cron-uttrycket inom citattecken, t.ex. cron: \"*/5 * * * *\": ett värde som börjar med * läses annars som ett YAML-alias)"))
        } else {
            invalid(place, msg)
        }
    })?;
    let at = |key: &str, msg: String| invalid(key_position(&text, key), msg);
    let name = check_name(f.namn.trim()).map_err(|m| at("namn", m))?;
    let spec: CronSpec = f.cron.parse().map_err(|m| at("cron", m))?;
    let zone = match &f.tidszon {
        Some(z) => parse_zone(z).map_err(|m| at("tidszon", m))?,
        None => DEFAULT_ZONE,
    };
    let s = Schedule {
        name,
        description: f.beskrivning.trim().to_string(),
        spec,
        zone,
        archive_inputs: f.arkivera_indata,
        retention: crate::config::Retention {
            after_days: f.gallras_efter_dagar,
            archives_too: f.gallra_arkiv,
        },
        deliver_feedback: f.skicka_aterkoppling,
        file: path.to_path_buf(),
    };
    if s.next_after(Utc::now()).is_none() {
        return Err(at(
            "cron",
            format!(
                "cron-uttrycket \"{}\" ger ingen kommande körning",
                f.cron.trim()
            ),
        ));
    }
    Ok(s)
}

/// How long the run folders of schedule `name` are kept: its YAML's
/// `gallras_efter_dagar` and `gallra_arkiv`, or for manual runs
/// (`manuell`) the configuration's `gallring.manuell_efter_dagar`. An
/// error (in Swedish) when the schedule folder cannot be used or has no
/// schedule of that name: nothing is then removed.
pub fn retention_for(
    settings: &crate::settings::Settings,
    name: &str,
) -> Result<crate::config::Retention, String> {
    if name == "manuell" {
        return Ok(settings.config.manual_retention());
    }
    // Tolerant as `run --schedule` is: a broken, unrelated schedule file
    // does not cost this schedule its gallring.
    let all = load_usable(&settings.schedules);
    all.iter()
        .find(|s| s.name == name)
        .map(|s| s.retention)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            format!("inget schema heter {name}; finns: {}", names.join(", "))
        })
}

/// Every schedule file of `dir` that loads on its own, sorted by file
/// name; the broken ones left out (`load_all` names them).
pub fn load_usable(dir: &Path) -> Vec<Schedule> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .filter_map(|p| load_file(p).ok())
        .collect()
}

/// Every `*.yaml`/`*.yml` in `dir`, sorted by file name; every problem at
/// once, one line each, `file:line:col: message`.
pub fn load_all(dir: &Path) -> Result<Vec<Schedule>, ScheduleErrors> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| {
            ScheduleErrors(vec![ScheduleError::Folder {
                dir: dir.to_path_buf(),
                source,
            }])
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    let mut errors = Vec::new();
    let mut out: Vec<Schedule> = Vec::new();
    for f in &files {
        match load_file(f) {
            Ok(s) => {
                if let Some(other) = out.iter().find(|o| o.name == s.name) {
                    let (line, column) =
                        key_position(&std::fs::read_to_string(f).unwrap_or_default(), "namn");
                    errors.push(ScheduleError::Invalid {
                        file: f.clone(),
                        line,
                        column,
                        message: format!(
                            "schemat {} finns redan i {}",
                            s.name,
                            other.file.display()
                        ),
                    });
                } else {
                    out.push(s);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ScheduleErrors(errors))
    }
}

/// `3 d 4 h 5 min`, `12 min`, `under en minut`.
pub fn human_duration(d: chrono::Duration) -> String {
    let mins = d.num_minutes();
    if mins < 1 {
        return "under en minut".into();
    }
    let (days, hours, m) = (mins / 1440, (mins / 60) % 24, mins % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} d"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    parts.join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn shipped_schedules_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules");
        let all = load_all(&dir).unwrap();
        let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["kvartal", "nattlig"]);
        assert!(all[0].archive_inputs);
        assert!(!all[1].archive_inputs);
        assert!(all.iter().all(|s| s.zone == DEFAULT_ZONE));
        // The quarterly reports are kept; the nightly runs go after 30 days.
        assert_eq!(all[0].retention, crate::config::Retention::default());
        assert_eq!(
            all[1].retention,
            crate::config::Retention {
                after_days: Some(30),
                archives_too: false
            }
        );
    }

    #[test]
    fn schedule_errors_name_file_line_and_forms() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "a.yaml",
            "namn: a\nbeskrivning: x\ncron: \"0 2 * *\"\n",
        );
        write(
            d.path(),
            "b.yaml",
            "namn: b\ncron: \"0 2 * * *\"\ntidszon: Europe/Göteborg\n",
        );
        write(
            d.path(),
            "c.yaml",
            "namn: c\ncron: \"0 2 * * *\"\nfärg: blå\n",
        );
        write(d.path(), "d.yaml", "namn: Nattlig\ncron: \"0 2 * * *\"\n");
        let e = load_all(d.path()).unwrap_err().to_string();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines.len(), 4, "{e}");
        assert!(
            lines[0].contains("a.yaml:3:7: cron-uttrycket \"0 2 * *\""),
            "{e}"
        );
        assert!(lines[0].contains("crontab med 5 fält") && lines[0].contains("med sekunder"));
        assert!(lines[1].contains("b.yaml:3:10: tidszonen"), "{e}");
        assert!(lines[2].contains("c.yaml:3:1: okänd nyckel `färg`"), "{e}");
        assert!(lines[3].contains("d.yaml:1:7: namnet"), "{e}");
    }

    #[test]
    fn a_broken_file_leaves_the_other_schedules_usable() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "nattlig.yaml",
            "namn: nattlig\ncron: \"0 2 * * *\"\ngallras_efter_dagar: 30\n",
        );
        write(d.path(), "trasig.yaml", "namn: trasig\ncron: \"0 2 * *\"\n");
        write(d.path(), "anteckning.txt", "inget schema\n");
        assert!(load_all(d.path()).is_err());
        let usable = load_usable(d.path());
        assert_eq!(usable.len(), 1);
        assert_eq!(usable[0].name, "nattlig");
        assert_eq!(usable[0].retention.after_days, Some(30));
    }

    #[test]
    fn unquoted_star_gets_a_hint() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "a.yaml", "namn: a\ncron: */5 * * * *\n");
        let e = load_file(&p).unwrap_err().to_string();
        assert!(
            e.contains("a.yaml:2:") && e.contains("inom citattecken"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_names_and_defaults() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.yaml", "namn: x\ncron: \"0 2 * * *\"\n");
        write(d.path(), "b.yml", "namn: x\ncron: \"0 3 * * *\"\n");
        let e = load_all(d.path()).unwrap_err();
        assert!(
            matches!(&e.0[..], [ScheduleError::Invalid { file, line: 1, column: 7, .. }] if file.ends_with("b.yml")),
            "{e}"
        );
        let e = e.to_string();
        assert!(e.contains("b.yml:1:7: schemat x finns redan"), "{e}");
        std::fs::remove_file(d.path().join("b.yml")).unwrap();
        let s = &load_all(d.path()).unwrap()[0];
        assert_eq!(s.zone, DEFAULT_ZONE);
        assert!(!s.archive_inputs);
    }

    #[test]
    fn local_formatting_and_durations() {
        let s = Schedule::new("x", "0 2 * * *", "Europe/Stockholm").unwrap();
        let t: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
        let next = s.upcoming(t, 3);
        let shown: Vec<String> = next.iter().map(|t| s.format_local(*t)).collect();
        assert_eq!(
            shown,
            [
                "fre 2026-11-27 02:00 CET",
                "lör 2026-11-28 02:00 CET",
                "sön 2026-11-29 02:00 CET"
            ]
        );
        assert_eq!(human_duration(chrono::Duration::minutes(1500)), "1 d 1 h");
        assert_eq!(
            human_duration(chrono::Duration::seconds(30)),
            "under en minut"
        );
    }
}
