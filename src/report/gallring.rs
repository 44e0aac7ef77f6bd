//! Gallring (issue 23): the published run folders of one schedule in the
//! output root, in publication order, and which of them are removed under
//! the schedule's retention rule ([`Retention`]).
//!
//! Safety rules: a folder is removed only if its name is a run-folder name
//! of that schedule ([`earlier_runs::parse_name`]), it is a real directory (never
//! a symlink, which is never followed), and it holds a readable
//! `manifest.json` naming that schedule with a per-date. The newest two
//! published runs are always kept, and a run holding an evidence archive
//! (`indata/`) unless the schedule says `gallra_arkiv: true`. Anything else
//! in the output root is left alone and mentioned once in the log.
//!
//! [`plan`] decides (it removes nothing, so a dry run shows exactly what
//! [`carry_out`] then removes); the caller holds the output lock.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{earlier_runs, run_folder};
use crate::config::Retention;

/// A published run folder of one schedule, as its `manifest.json` says.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRun {
    /// The folder's name.
    pub name: String,
    /// The folder.
    pub path: PathBuf,
    /// The run's per-date (`per` in its manifest).
    pub per: NaiveDate,
    /// When the run finished (`slut`), if its manifest says.
    pub end: Option<DateTime<FixedOffset>>,
    /// The start stamp and sequence number of its name.
    pub stamp: (NaiveDateTime, u64),
    /// Whether it holds an evidence archive (`indata/`).
    pub archive: bool,
}

impl PublishedRun {
    /// Publication order: by end time, then by name (a run without an end
    /// time counts as older than any with one).
    fn order_key(&self) -> (Option<DateTime<FixedOffset>>, (NaiveDateTime, u64)) {
        (self.end, self.stamp)
    }
}

/// What an output root holds for one schedule.
#[derive(Debug, Default)]
pub struct Scan {
    /// The schedule's published runs, newest published first.
    pub runs: Vec<PublishedRun>,
    /// Folders named as runs of the schedule whose manifest cannot be used
    /// (name, why, in Swedish): never removed.
    pub unreadable: Vec<(String, String)>,
    /// Entries that are no run folder at all (foreign files and folders,
    /// symlinks): left alone.
    pub foreign: Vec<String>,
}

/// The published runs of `schedule` in `root` (as
/// [`earlier_runs::list`] finds them) and what else is there. Never
/// follows a symlink; an unreadable root is an empty scan.
pub fn scan(root: &Path, schedule: &str) -> Scan {
    let mut out = Scan::default();
    for r in earlier_runs::list(root, schedule) {
        let usable = match r.manifest {
            Ok(m) if m.schedule == schedule => Ok(m),
            Ok(m) => Err(format!(
                "manifest.json anger schemat \"{}\", inte {schedule}",
                m.schedule
            )),
            Err(e) => Err(e.to_string()),
        };
        let real_manifest =
            fs::symlink_metadata(r.path.join("manifest.json")).is_ok_and(|m| m.is_file());
        match usable {
            Ok(_) if !real_manifest => out
                .unreadable
                .push((r.name, "manifest.json är ingen vanlig fil".into())),
            Ok(m) => out.runs.push(PublishedRun {
                archive: fs::symlink_metadata(r.path.join("indata")).is_ok(),
                name: r.name,
                path: r.path,
                per: m.per,
                end: Some(m.end),
                stamp: (r.started, r.seq),
            }),
            Err(why) => out.unreadable.push((r.name, why)),
        }
    }
    out.runs.sort_by_key(|r| std::cmp::Reverse(r.order_key()));
    out.unreadable.sort();
    // Whatever else is in the root: left alone, mentioned in the log.
    if let Ok(rd) = fs::read_dir(root) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue; // the lock file and runs being written
            }
            let dir = e.file_type().is_ok_and(|t| t.is_dir());
            let ours = earlier_runs::parse_name(&name, schedule).is_some();
            if !dir || !(ours || looks_like_a_run(&name)) {
                out.foreign.push(name);
            }
        }
    }
    out.foreign.sort();
    out
}

/// Whether `name` is a run-folder name of some schedule: `<start>_<name>`.
fn looks_like_a_run(name: &str) -> bool {
    name.split_once('_').is_some_and(|(stamp, rest)| {
        NaiveDateTime::parse_from_str(stamp, run_folder::STAMP_FORMAT).is_ok() && !rest.is_empty()
    })
}

/// What becomes of one published run under the retention rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Removed: its per-date lies more than the rule's days before the reference.
    Remove,
    /// Kept: one of the newest two runs of the schedule.
    Newest,
    /// Kept: its per-date is within the rule's days.
    Recent,
    /// Kept: it holds an evidence archive and the schedule keeps archives.
    Archive,
    /// Kept: the schedule has no retention rule.
    NoRule,
}

/// How many of the newest published runs are always kept.
pub const KEEP_NEWEST: usize = 2;

/// The verdict on each of `runs` (newest published first), judged against
/// the per-date `reference` under `retention`. `pending` runs not among
/// `runs` count as the newest (1 at the end of a run, before the new run is
/// published; 0 on demand).
pub fn decide(
    runs: &[PublishedRun],
    reference: NaiveDate,
    retention: Retention,
    pending: usize,
) -> Vec<Verdict> {
    runs.iter()
        .enumerate()
        .map(|(i, r)| {
            let Some(days) = retention.after_days else {
                return Verdict::NoRule;
            };
            if i + pending < KEEP_NEWEST {
                Verdict::Newest
            } else if (reference - r.per).num_days() <= i64::from(days) {
                Verdict::Recent
            } else if r.archive && !retention.archives_too {
                Verdict::Archive
            } else {
                Verdict::Remove
            }
        })
        .collect()
}

/// A run folder removed (as `manifest.json` lists it under `gallrade`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The folder's name.
    pub namn: String,
    /// Its per-date.
    pub per: String,
    /// Its size in bytes.
    pub storlek: u64,
}

/// One run of the plan with its verdict and the reason, in Swedish.
#[derive(Debug, Clone)]
pub struct Judged {
    /// The run.
    pub run: PublishedRun,
    /// What becomes of it.
    pub verdict: Verdict,
    /// Why, in Swedish.
    pub why: String,
    /// Its size in bytes (counted only for runs to remove; else 0).
    pub size: u64,
}

/// What a gallring of one schedule will do.
#[derive(Debug, Default)]
pub struct Plan {
    /// The schedule.
    pub schedule: String,
    /// The per-date ages are counted from.
    pub reference: Option<NaiveDate>,
    /// The rule applied.
    pub retention: Retention,
    /// Every published run of the schedule, newest published first.
    pub runs: Vec<Judged>,
    /// Folders named as runs of the schedule whose manifest cannot be used.
    pub unreadable: Vec<(String, String)>,
    /// Entries of the output root that are no run folder.
    pub foreign: Vec<String>,
}

impl Plan {
    /// The runs to remove.
    pub fn to_remove(&self) -> impl Iterator<Item = &Judged> {
        self.runs.iter().filter(|j| j.verdict == Verdict::Remove)
    }

    /// Mention, in one log line, what in the output root is no run folder
    /// and so is left alone (call once per gallring).
    pub fn log_left_alone(&self) {
        if !self.foreign.is_empty() {
            tracing::info!(entries = %self.foreign.join(", "), "gallring leaves these entries of the output root alone: they are no run folders");
        }
    }

    /// The runs to remove as the manifest lists them.
    pub fn removals(&self) -> Vec<Removed> {
        self.to_remove().map(removed).collect()
    }
}

fn removed(j: &Judged) -> Removed {
    Removed {
        namn: j.run.name.clone(),
        per: crate::model::iso_date(j.run.per),
        storlek: j.size,
    }
}

/// Plan the gallring of `schedule` in `root` under `retention`. At the end
/// of a run, `new_run` is the per-date of the run about to be published
/// (it counts as the newest and is the reference); on demand (`None`) the
/// reference is the per-date of the newest published run. Logs each folder
/// kept for an unusable manifest; [`Plan::log_left_alone`] logs the rest.
pub fn plan(root: &Path, schedule: &str, retention: Retention, new_run: Option<NaiveDate>) -> Plan {
    let scan = scan(root, schedule);
    plan_from(scan, schedule, retention, new_run)
}

/// [`plan`] over a [`scan`] already made.
pub fn plan_from(
    scan: Scan,
    schedule: &str,
    retention: Retention,
    new_run: Option<NaiveDate>,
) -> Plan {
    let reference = new_run.or(scan.runs.first().map(|r| r.per));
    let verdicts = match reference {
        Some(at) => decide(&scan.runs, at, retention, usize::from(new_run.is_some())),
        None => Vec::new(),
    };
    let days = retention.after_days.unwrap_or_default();
    let at = reference.map(crate::model::iso_date).unwrap_or_default();
    let runs: Vec<Judged> = scan
        .runs
        .into_iter()
        .zip(verdicts)
        .map(|(run, verdict)| {
            let per = crate::model::iso_date(run.per);
            let age = reference.map(|r| (r - run.per).num_days()).unwrap_or(0);
            let why = match verdict {
                Verdict::Remove => format!(
                    "per-datum {per} ligger {age} dagar före {at} (gallras efter {days} dagar)"
                ),
                Verdict::Newest => "en av de två nyaste körningarna".to_string(),
                Verdict::Recent => format!("per-datum {per}, inom {days} dagar från {at}"),
                Verdict::Archive => format!(
                    "per-datum {per} ligger {age} dagar före {at}, men körmappen har ett bevisarkiv (indata/) och schemat gallrar inte arkiv"
                ),
                Verdict::NoRule => "schemat har ingen gallringsregel".to_string(),
            };
            let size = if verdict == Verdict::Remove {
                tree_size(&run.path)
            } else {
                0
            };
            Judged {
                run,
                verdict,
                why,
                size,
            }
        })
        .collect();
    for (name, why) in &scan.unreadable {
        tracing::warn!(folder = %name, reason = %why, schedule, "a run folder whose manifest cannot be used is never removed");
    }
    Plan {
        schedule: schedule.to_string(),
        reference,
        retention,
        runs,
        unreadable: scan.unreadable,
        foreign: scan.foreign,
    }
}

/// What a gallring did: the folders removed, and those that could not be
/// (name, error).
pub type Outcome = (Vec<Removed>, Vec<(String, String)>);

/// Remove the runs `plan` says to remove; returns those removed and those
/// that could not be (name, error). A folder that turned into something
/// else than a real directory since the plan is left alone.
pub fn carry_out(plan: &Plan) -> Outcome {
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for j in plan.to_remove() {
        let path = &j.run.path;
        let real_dir = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        if !real_dir {
            failed.push((
                j.run.name.clone(),
                "är ingen vanlig mapp längre".to_string(),
            ));
            continue;
        }
        // remove_dir_all removes symlinks inside the folder, never what they point to.
        match fs::remove_dir_all(path) {
            Ok(()) => {
                tracing::info!(folder = %j.run.name, per = %j.run.per, bytes = j.size, "run folder removed (gallring)");
                done.push(removed(j));
            }
            Err(e) => {
                tracing::warn!(folder = %j.run.name, error = %e, "the run folder could not be removed (gallring)");
                failed.push((j.run.name.clone(), e.to_string()));
            }
        }
    }
    (done, failed)
}

/// The bytes of every file below `dir`, symlinks counted as themselves.
pub fn tree_size(dir: &Path) -> u64 {
    let Ok(rd) = fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => tree_size(&e.path()),
            _ => fs::symlink_metadata(e.path()).map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// A size for people: `14,2 MB`, `830 kB`, `512 byte`.
pub fn human_size(bytes: u64) -> String {
    const K: f64 = 1000.0;
    let b = bytes as f64;
    let (n, unit) = if b >= K * K * K {
        (b / (K * K * K), "GB")
    } else if b >= K * K {
        (b / (K * K), "MB")
    } else if b >= K {
        (b / K, "kB")
    } else {
        return format!("{bytes} byte");
    };
    format!("{n:.1} {unit}").replace('.', ",")
}

/// The lines "Om körningen" on `Sammanfattning` shows for the folders a run
/// removed: one per folder (`namn (per-datum …, storlek)`), or one saying
/// none was.
pub fn summary_lines(removed: &[Removed]) -> Vec<(&'static str, String)> {
    if removed.is_empty() {
        return vec![("Gallrade körmappar", "inga".to_string())];
    }
    removed
        .iter()
        .map(|r| {
            (
                "Gallrad körmapp",
                format!(
                    "{} (per-datum {}, {})",
                    r.namn,
                    r.per,
                    human_size(r.storlek)
                ),
            )
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn run(name: &str, per: &str, archive: bool) -> PublishedRun {
        PublishedRun {
            name: name.into(),
            path: PathBuf::from(name),
            per: date(per),
            end: None,
            stamp: earlier_runs::parse_name(name, "nattlig").unwrap(),
            archive,
        }
    }

    const THIRTY: Retention = Retention {
        after_days: Some(30),
        archives_too: false,
    };

    #[test]
    fn old_runs_go_but_the_newest_two_and_archives_stay() {
        let runs = [
            run("2026-11-25T020000_nattlig", "2026-09-01", false),
            run("2026-11-24T020000_nattlig", "2026-09-01", false),
            run("2026-11-23T020000_nattlig", "2026-10-27", false),
            run("2026-11-22T020000_nattlig", "2026-10-26", false),
            run("2026-11-21T020000_nattlig", "2026-08-01", true),
        ];
        use Verdict::*;
        // On demand: the newest two are kept whatever their per-date;
        // exactly 30 days is within, 31 days is past.
        assert_eq!(
            decide(&runs, date("2026-11-26"), THIRTY, 0),
            [Newest, Newest, Recent, Remove, Archive]
        );
        // At the end of a run the new run is the first of the two.
        assert_eq!(
            decide(&runs, date("2026-11-26"), THIRTY, 1),
            [Newest, Remove, Recent, Remove, Archive]
        );
        let all = Retention {
            archives_too: true,
            ..THIRTY
        };
        assert_eq!(
            decide(&runs, date("2026-11-26"), all, 1),
            [Newest, Remove, Recent, Remove, Remove]
        );
        assert_eq!(
            decide(&runs, date("2026-11-26"), Retention::default(), 1),
            [NoRule; 5]
        );
    }

    fn write_run(root: &Path, name: &str, manifest: Option<&str>) {
        let dir = root.join(name);
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("resultat.jsonl"), "{}\n").unwrap();
        if let Some(m) = manifest {
            fs::write(dir.join("manifest.json"), m).unwrap();
        }
    }

    fn manifest(schedule: &str, per: &str, end: &str) -> String {
        format!(r#"{{"schema":"{schedule}","per":"{per}","slut":"{end}"}}"#)
    }

    #[test]
    fn scan_orders_by_publication_and_sets_aside_what_it_cannot_use() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        // Started first, published last.
        write_run(
            r,
            "2026-11-26T020000_nattlig",
            Some(&manifest(
                "nattlig",
                "2026-11-26",
                "2026-11-26T02:10:00+01:00",
            )),
        );
        write_run(
            r,
            "2026-11-26T020001_nattlig",
            Some(&manifest(
                "nattlig",
                "2026-11-26",
                "2026-11-26T02:05:00+01:00",
            )),
        );
        write_run(r, "2026-11-25T020000_nattlig", None);
        write_run(r, "2026-11-24T020000_nattlig", Some("{ not json"));
        write_run(
            r,
            "2026-11-23T020000_nattlig",
            Some(&manifest(
                "kvartal",
                "2026-11-23",
                "2026-11-23T02:05:00+01:00",
            )),
        );
        write_run(
            r,
            "2026-09-15T060000_kvartal",
            Some(&manifest(
                "kvartal",
                "2026-09-15",
                "2026-09-15T06:05:00+02:00",
            )),
        );
        fs::create_dir(r.join("privat")).unwrap();
        fs::write(r.join("anteckning.txt"), "x").unwrap();
        fs::create_dir(r.join(".pågår-2026-11-27T020000_nattlig-1")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            r.join("2026-11-26T020000_nattlig"),
            r.join("2026-11-20T020000_nattlig"),
        )
        .unwrap();
        let s = scan(r, "nattlig");
        let names: Vec<&str> = s.runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["2026-11-26T020000_nattlig", "2026-11-26T020001_nattlig"]
        );
        let unreadable: Vec<&str> = s.unreadable.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            unreadable,
            [
                "2026-11-23T020000_nattlig",
                "2026-11-24T020000_nattlig",
                "2026-11-25T020000_nattlig"
            ]
        );
        assert_eq!(
            s.unreadable[0].1,
            "manifest.json anger schemat \"kvartal\", inte nattlig"
        );
        let mut foreign = vec!["anteckning.txt", "privat"];
        if cfg!(unix) {
            foreign.insert(0, "2026-11-20T020000_nattlig");
        }
        assert_eq!(s.foreign, foreign);
    }

    #[test]
    fn a_plan_removes_only_its_runs_and_says_why() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        for (name, per) in [
            ("2026-11-25T020000_nattlig", "2026-11-25"),
            ("2026-11-24T020000_nattlig", "2026-11-24"),
            ("2026-09-01T020000_nattlig", "2026-09-01"),
        ] {
            write_run(
                r,
                name,
                Some(&manifest("nattlig", per, &format!("{per}T02:05:00+01:00"))),
            );
        }
        write_run(r, "2026-08-01T020000_nattlig", None);
        let p = plan(r, "nattlig", THIRTY, Some(date("2026-11-26")));
        let gone = p.removals();
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].namn, "2026-09-01T020000_nattlig");
        assert_eq!(gone[0].per, "2026-09-01");
        assert_eq!(
            gone[0].storlek,
            tree_size(&r.join("2026-09-01T020000_nattlig"))
        );
        assert!(gone[0].storlek > 0);
        assert_eq!(
            p.runs[2].why,
            "per-datum 2026-09-01 ligger 86 dagar före 2026-11-26 (gallras efter 30 dagar)"
        );
        let (done, failed) = carry_out(&p);
        assert_eq!(done, gone);
        assert!(failed.is_empty());
        assert!(!r.join("2026-09-01T020000_nattlig").exists());
        assert!(r.join("2026-08-01T020000_nattlig").exists());
        assert!(r.join("2026-11-24T020000_nattlig").exists());
    }

    #[test]
    fn sizes_read_in_swedish() {
        assert_eq!(human_size(512), "512 byte");
        assert_eq!(human_size(14_230_000), "14,2 MB");
        assert_eq!(
            summary_lines(&[Removed {
                namn: "2026-09-01T020000_nattlig".into(),
                per: "2026-09-01".into(),
                storlek: 830_000
            }]),
            [(
                "Gallrad körmapp",
                "2026-09-01T020000_nattlig (per-datum 2026-09-01, 830,0 kB)".to_string()
            )]
        );
        assert_eq!(
            summary_lines(&[]),
            [("Gallrade körmappar", "inga".to_string())]
        );
    }
}
