//! The published run folders of one schedule in an output root, with what
//! their `manifest.json` says about them (per-date, schedule, end time).
//!
//! Used for the `Historik` sheet (the last runs of the schedule), and for
//! whatever else needs the earlier runs in the order they were published
//! (gallring, the previous-run lookup).
//!
//! A run folder is named `YYYY-MM-DDTHHMMSS_<schedule>` (`manuell` for a
//! run outside a schedule), or `…_<schedule>-N` for a second run started in
//! the same second. Hidden folders still being written (`.pågår-…`) never
//! match, and a symbolic link is never followed, whatever its name. A folder
//! whose manifest is missing or cannot be read is still listed, with the
//! problem in [`EarlierRun::manifest`], so that a caller can skip it with a
//! warning rather than fail.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone as _};

use super::run_folder::STAMP_FORMAT;

/// Length of a run folder's start stamp (`2026-11-26T020000`).
const STAMP_LEN: usize = 17;

/// One published run folder of the schedule.
#[derive(Debug)]
pub struct EarlierRun {
    /// The run folder.
    pub path: PathBuf,
    /// The folder's name (`2026-11-26T020000_nattlig`).
    pub name: String,
    /// The start stamp in the folder's name (the machine's local time).
    pub started: NaiveDateTime,
    /// The number after the schedule for a second run in the same second
    /// (`-2`), 0 for none.
    pub seq: u64,
    /// What the folder's `manifest.json` says, or why it could not be read.
    pub manifest: Result<RunManifest, ManifestError>,
}

impl EarlierRun {
    /// When the run was published: the manifest's end time, or, without a
    /// readable manifest, the start in the folder's name (the best known
    /// lower bound).
    pub fn published(&self) -> DateTime<FixedOffset> {
        match &self.manifest {
            Ok(m) => m.end,
            Err(_) => local_to_fixed(self.started),
        }
    }

    /// The run's per-date, when its manifest could be read.
    pub fn per(&self) -> Option<NaiveDate> {
        self.manifest.as_ref().ok().map(|m| m.per)
    }
}

/// The fields of a run's `manifest.json` that the listing reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunManifest {
    /// `per`: the run's per-date.
    pub per: NaiveDate,
    /// `schema`: the schedule the run belonged to (`manuell` for none).
    pub schedule: String,
    /// `slut`: when the run finished writing its folder.
    pub end: DateTime<FixedOffset>,
    /// `gallrade`: the run folders this run removed, as (name, per-date as
    /// written).
    pub removed: Vec<(String, String)>,
}

/// Why a run folder's `manifest.json` could not be used. The text names
/// the file, in Swedish (it may be shown in a report).
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The folder has no `manifest.json`.
    #[error("{}: saknas", path.display())]
    Missing {
        /// The manifest's path.
        path: PathBuf,
    },
    /// The file is there but could not be read.
    #[error("{}: kan inte läsas ({source})", path.display())]
    Unreadable {
        /// The manifest's path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is no manifest: not JSON, or without a valid `per`,
    /// `schema` or `slut`.
    #[error("{}: är ingen giltig manifestfil ({reason})", path.display())]
    Invalid {
        /// The manifest's path.
        path: PathBuf,
        /// What was wrong, as the JSON parser or the field check says it.
        reason: String,
    },
}

/// The published run folders of `schedule` in `root`, oldest publication
/// first (by [`EarlierRun::published`]; ties by the name's start stamp,
/// then by its sequence number as a number). An unreadable root gives an
/// empty list. Each folder's manifest is read (only its `per`, `schema`
/// and `slut`); a folder without a usable one is listed with the problem.
pub fn list(root: &Path, schedule: &str) -> Vec<EarlierRun> {
    let Ok(rd) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut runs: Vec<EarlierRun> = rd
        .flatten()
        // `file_type` does not follow a symbolic link: a link is no folder.
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let (started, seq) = parse_name(&name, schedule)?;
            let path = e.path();
            let manifest = read_manifest(&path);
            Some(EarlierRun {
                path,
                name,
                started,
                seq,
                manifest,
            })
        })
        .collect();
    runs.sort_by(|a, b| {
        a.published()
            .cmp(&b.published())
            .then(a.started.cmp(&b.started))
            .then(a.seq.cmp(&b.seq))
    });
    runs
}

/// A run folder name's start stamp and sequence number, when it is a run
/// of `schedule`: `<start>_<schedule>` or `<start>_<schedule>-N`. Exact:
/// `…_x_nattlig` is no run of `nattlig`, nor is `…_nattlig-` or `…_nattlig-x`.
pub fn parse_name(name: &str, schedule: &str) -> Option<(NaiveDateTime, u64)> {
    let (stamp, rest) = name.split_at_checked(STAMP_LEN)?;
    let start = NaiveDateTime::parse_from_str(stamp, STAMP_FORMAT).ok()?;
    let rest = rest.strip_prefix('_')?.strip_prefix(schedule)?;
    let seq = match rest.strip_prefix('-') {
        None if rest.is_empty() => 0,
        Some(n) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => n.parse().ok()?,
        _ => return None,
    };
    Some((start, seq))
}

/// The manifest fields as written (strings, checked after parsing).
#[derive(serde::Deserialize)]
struct ManifestFields {
    per: String,
    schema: String,
    slut: String,
    #[serde(default)]
    gallrade: Vec<RemovedFields>,
}

/// One entry of a manifest's `gallrade`.
#[derive(serde::Deserialize)]
struct RemovedFields {
    namn: String,
    per: String,
}

/// Read `per`, `schema` and `slut` from `dir/manifest.json`.
pub fn read_manifest(dir: &Path) -> Result<RunManifest, ManifestError> {
    let path = dir.join("manifest.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ManifestError::Missing { path })
        }
        Err(source) => return Err(ManifestError::Unreadable { path, source }),
    };
    let invalid = |reason: String| ManifestError::Invalid {
        path: path.clone(),
        reason,
    };
    let f: ManifestFields = serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
    let per = NaiveDate::parse_from_str(&f.per, "%Y-%m-%d")
        .map_err(|_| invalid(format!("per: {:?} är inget datum", f.per)))?;
    let end = DateTime::parse_from_rfc3339(&f.slut)
        .map_err(|_| invalid(format!("slut: {:?} är ingen tidpunkt", f.slut)))?;
    Ok(RunManifest {
        per,
        schedule: f.schema,
        end,
        removed: f.gallrade.into_iter().map(|g| (g.namn, g.per)).collect(),
    })
}

/// A folder name's local start time as a fixed-offset time (the earliest
/// reading where a daylight-saving change makes it ambiguous).
fn local_to_fixed(t: NaiveDateTime) -> DateTime<FixedOffset> {
    match Local.from_local_datetime(&t).earliest() {
        Some(l) => l.fixed_offset(),
        // A time skipped by a daylight-saving change: read it as UTC.
        None => t.and_utc().fixed_offset(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::fs;

    fn manifest(per: &str, schema: &str, slut: &str) -> String {
        serde_json::json!({ "program": "uppsikt", "per": per, "schema": schema, "slut": slut, "filer": [] })
            .to_string()
    }

    fn run(root: &Path, name: &str, manifest_json: Option<&str>) {
        let d = root.join(name);
        fs::create_dir(&d).unwrap();
        if let Some(m) = manifest_json {
            fs::write(d.join("manifest.json"), m).unwrap();
        }
    }

    fn names(runs: &[EarlierRun]) -> Vec<&str> {
        runs.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn lists_the_schedules_published_runs_by_end_time_then_name() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        // Started later but published first (the other ran long).
        run(
            r,
            "2026-11-27T020000_nattlig",
            Some(&manifest(
                "2026-11-27",
                "nattlig",
                "2026-11-27T02:05:00+01:00",
            )),
        );
        run(
            r,
            "2026-11-26T020000_nattlig",
            Some(&manifest(
                "2026-11-26",
                "nattlig",
                "2026-11-27T03:00:00+01:00",
            )),
        );
        // The same end time: by start stamp, then the sequence as a number.
        for n in [
            "2026-11-28T020000_nattlig-10",
            "2026-11-28T020000_nattlig-9",
        ] {
            run(
                r,
                n,
                Some(&manifest(
                    "2026-11-28",
                    "nattlig",
                    "2026-11-28T02:05:00+01:00",
                )),
            );
        }
        // The same instant written in another offset ties too.
        run(
            r,
            "2026-11-28T010000_nattlig",
            Some(&manifest("2026-11-28", "nattlig", "2026-11-28T01:05:00Z")),
        );
        // Not runs of `nattlig`, or not published.
        for n in [
            "2026-11-27T060000_kvartal",
            ".pågår-2026-11-29T020000_nattlig-77",
            "2026-11-26T020000_nattlig-x",
            "2026-11-28T020000_x_nattlig",
            "2026-11-28T020000_nattlig-",
            "2026-11-2xT020000_nattlig",
        ] {
            run(
                r,
                n,
                Some(&manifest(
                    "2026-11-28",
                    "nattlig",
                    "2026-11-28T02:05:00+01:00",
                )),
            );
        }
        fs::write(r.join("2026-11-29T020000_nattlig"), "a file").unwrap();
        let runs = list(r, "nattlig");
        assert_eq!(
            names(&runs),
            [
                "2026-11-27T020000_nattlig",
                "2026-11-26T020000_nattlig",
                "2026-11-28T010000_nattlig",
                "2026-11-28T020000_nattlig-9",
                "2026-11-28T020000_nattlig-10",
            ]
        );
        let first = &runs[0];
        assert_eq!(first.per(), NaiveDate::from_ymd_opt(2026, 11, 27));
        let m = first.manifest.as_ref().unwrap();
        assert_eq!(m.schedule, "nattlig");
        assert_eq!(m.end.to_rfc3339(), "2026-11-27T02:05:00+01:00");
        assert_eq!(
            (runs[4].started.to_string().as_str(), runs[4].seq),
            ("2026-11-28 02:00:00", 10)
        );
    }

    #[test]
    fn a_manual_run_is_listed_under_manuell_only() {
        let root = tempfile::tempdir().unwrap();
        let m = manifest("2026-11-26", "manuell", "2026-11-26T10:00:00+01:00");
        run(root.path(), "2026-11-26T095959_manuell", Some(&m));
        assert_eq!(
            names(&list(root.path(), "manuell")),
            ["2026-11-26T095959_manuell"]
        );
        assert!(list(root.path(), "nattlig").is_empty());
        assert!(list(&root.path().join("saknas"), "manuell").is_empty());
    }

    #[test]
    fn missing_and_unreadable_manifests_are_listed_with_the_problem() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        run(r, "2026-11-24T020000_nattlig", None);
        run(r, "2026-11-25T020000_nattlig", Some("{ inte json"));
        run(
            r,
            "2026-11-26T020000_nattlig",
            Some(&manifest("26/11", "nattlig", "2026-11-26T02:05:00+01:00")),
        );
        run(
            r,
            "2026-11-27T020000_nattlig",
            Some(&manifest("2026-11-27", "nattlig", "i går")),
        );
        run(
            r,
            "2026-11-28T020000_nattlig",
            Some(&manifest(
                "2026-11-28",
                "nattlig",
                "2026-11-28T02:05:00+01:00",
            )),
        );
        let runs = list(r, "nattlig");
        // Without a manifest, a run sorts by the start in its name.
        assert_eq!(
            names(&runs),
            [
                "2026-11-24T020000_nattlig",
                "2026-11-25T020000_nattlig",
                "2026-11-26T020000_nattlig",
                "2026-11-27T020000_nattlig",
                "2026-11-28T020000_nattlig",
            ]
        );
        let problems: Vec<String> = runs
            .iter()
            .filter_map(|r| r.manifest.as_ref().err())
            .map(|e| {
                e.to_string()
                    .replace(&r.display().to_string(), "")
                    .replace(std::path::MAIN_SEPARATOR, "/")
            })
            .collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert_eq!(
            problems[0],
            "/2026-11-24T020000_nattlig/manifest.json: saknas"
        );
        assert!(
            problems[1].starts_with(
                "/2026-11-25T020000_nattlig/manifest.json: är ingen giltig manifestfil ("
            ),
            "{}",
            problems[1]
        );
        assert_eq!(
            problems[2],
            "/2026-11-26T020000_nattlig/manifest.json: är ingen giltig manifestfil (per: \"26/11\" är inget datum)"
        );
        assert_eq!(
            problems[3],
            "/2026-11-27T020000_nattlig/manifest.json: är ingen giltig manifestfil (slut: \"i går\" är ingen tidpunkt)"
        );
        assert_eq!(runs[4].per(), NaiveDate::from_ymd_opt(2026, 11, 28));
        assert_eq!(runs[0].per(), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_never_followed() {
        let root = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let m = manifest("2026-11-26", "nattlig", "2026-11-26T02:05:00+01:00");
        fs::write(elsewhere.path().join("manifest.json"), m).unwrap();
        std::os::unix::fs::symlink(
            elsewhere.path(),
            root.path().join("2026-11-26T020000_nattlig"),
        )
        .unwrap();
        assert!(list(root.path(), "nattlig").is_empty());
    }
}
