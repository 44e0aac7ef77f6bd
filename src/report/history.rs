//! Compliance over time (issue 19): the brister of the earlier runs of the
//! same schedule, read from their `resultat.jsonl`, beside this run's, for
//! the report's `Historik` sheet.
//!
//! Each run keeps its own counts in its `manifest.json` (key `historik`),
//! so a later run reads a few kilobytes per earlier run. A run without them
//! (written before issue 19) is counted from its `resultat.jsonl`, which can
//! run to hundreds of megabytes: streamed one line at a time, a line parsed
//! only when it holds `"status":"brist"` (a substring search).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead as _;
use std::path::Path;

use chrono::NaiveDate;

use super::earlier_runs::{self, EarlierRun};
use crate::rules::{Evaluation, Severity, Status};

/// The brister of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// The run folder's name.
    pub run: String,
    /// The run's per-date.
    pub per: Option<NaiveDate>,
    /// Per organisation, its brister by severity (hög, medel, låg).
    pub organisations: HashMap<String, [u32; 3]>,
    /// Per rule, the organisations with at least one `brist`.
    pub rules: HashMap<String, u32>,
}

impl RunCounts {
    /// The brister of organisation `org` (hög, medel, låg; zeros when it had none).
    pub fn of(&self, org: &str) -> [u32; 3] {
        self.organisations.get(org).copied().unwrap_or_default()
    }

    /// The organisations with a `brist` of `rule`.
    pub fn orgs_with_brist(&self, rule: &str) -> u32 {
        self.rules.get(rule).copied().unwrap_or_default()
    }

    /// The city's brister of severity hög.
    pub fn total_hog(&self) -> u32 {
        self.organisations.values().map(|c| c[0]).sum()
    }
}

/// The key of the summary a run writes into its `manifest.json`.
pub const MANIFEST_KEY: &str = "historik";

impl RunCounts {
    /// The summary a run keeps in its `manifest.json` under
    /// [`MANIFEST_KEY`], so that later runs need not read its
    /// `resultat.jsonl`: `brister` per organisation with a brist
    /// (`{"KOV": {"hög": 2, "medel": 0, "låg": 1}}`) and
    /// `organisationer_med_brist` per rule with a brist.
    pub fn to_manifest(&self) -> serde_json::Value {
        let orgs: BTreeMap<&str, serde_json::Value> = self
            .organisations
            .iter()
            .map(|(o, c)| {
                (
                    o.as_str(),
                    serde_json::json!({ "hög": c[0], "medel": c[1], "låg": c[2] }),
                )
            })
            .collect();
        let rules: BTreeMap<&str, u32> = self.rules.iter().map(|(r, n)| (r.as_str(), *n)).collect();
        serde_json::json!({ "brister": orgs, "organisationer_med_brist": rules })
    }

    /// The counts from a manifest's summary ([`RunCounts::to_manifest`]);
    /// `None` when the manifest has none (a run before issue 19) or it is
    /// malformed. Only the summary is built; the rest of the manifest (its
    /// file list runs to megabytes) is skipped by the parser.
    fn from_manifest(run: &EarlierRun, manifest: &[u8]) -> Option<Self> {
        #[derive(serde::Deserialize)]
        struct Severities {
            #[serde(rename = "hög")]
            hog: u32,
            medel: u32,
            #[serde(rename = "låg")]
            lag: u32,
        }
        #[derive(serde::Deserialize)]
        struct Summary {
            brister: HashMap<String, Severities>,
            organisationer_med_brist: HashMap<String, u32>,
        }
        #[derive(serde::Deserialize)]
        struct Manifest {
            historik: Option<Summary>,
        }
        let s = serde_json::from_slice::<Manifest>(manifest)
            .ok()?
            .historik?;
        Some(RunCounts {
            run: run.name.clone(),
            per: run.per(),
            organisations: s
                .brister
                .into_iter()
                .map(|(o, c)| (o, [c.hog, c.medel, c.lag]))
                .collect(),
            rules: s.organisationer_med_brist,
        })
    }
}

/// The summary in a run folder's `manifest.json`, if it has one.
fn summary_of(run: &EarlierRun) -> Option<RunCounts> {
    let bytes = std::fs::read(run.path.join("manifest.json")).ok()?;
    RunCounts::from_manifest(run, &bytes)
}

/// The history the `Historik` sheet shows.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The earlier runs read, oldest first (at most the configured number).
    pub earlier: Vec<RunCounts>,
    /// The runs passed over, each with the reason in Swedish.
    pub skipped: Vec<String>,
    /// Runs of the schedule that gallring removed (name, per-date as
    /// written), as the later runs' manifests list them (`gallrade`).
    pub removed: Vec<(String, String)>,
}

impl History {
    /// The removed runs (with `also`, those this run removes) whose
    /// per-date lies within the span shown: from the oldest earlier run
    /// shown on. Gaps in the history, each as `name (per-datum …)`.
    pub fn gaps(&self, also: &[(String, String)]) -> Vec<String> {
        let Some(first) = self.earlier.first().and_then(|r| r.per) else {
            return Vec::new();
        };
        let from = crate::model::iso_date(first);
        let mut gaps: Vec<&(String, String)> = self
            .removed
            .iter()
            .chain(also)
            .filter(|(_, per)| per.as_str() > from.as_str())
            .collect();
        gaps.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        gaps.dedup();
        gaps.iter()
            .map(|(name, per)| format!("{name} (per-datum {per})"))
            .collect()
    }
}

/// The column of a severity in [`RunCounts::organisations`].
fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Hog => 0,
        Severity::Medel => 1,
        Severity::Lag => 2,
    }
}

/// Count the brister of `evaluations` (this run's kept evaluations, which
/// include every finding).
pub fn count(run: &str, per: NaiveDate, evaluations: &[Evaluation]) -> RunCounts {
    let mut c = Counter::default();
    for e in evaluations.iter().filter(|e| e.status == Status::Brist) {
        c.add(&e.org, &e.rule, e.severity);
    }
    c.finish(run.to_string(), Some(per))
}

#[derive(Default)]
struct Counter {
    organisations: HashMap<String, [u32; 3]>,
    rule_orgs: HashSet<(String, String)>,
}

impl Counter {
    fn add(&mut self, org: &str, rule: &str, severity: Severity) {
        match self.organisations.get_mut(org) {
            Some(c) => c[severity_index(severity)] += 1,
            None => {
                let mut c = [0; 3];
                c[severity_index(severity)] = 1;
                self.organisations.insert(org.to_string(), c);
            }
        }
        if !self
            .rule_orgs
            .contains(&(rule.to_string(), org.to_string()))
        {
            self.rule_orgs.insert((rule.to_string(), org.to_string()));
        }
    }

    fn finish(self, run: String, per: Option<NaiveDate>) -> RunCounts {
        let mut rules: BTreeMap<String, u32> = BTreeMap::new();
        for (rule, _) in self.rule_orgs {
            *rules.entry(rule).or_default() += 1;
        }
        RunCounts {
            run,
            per,
            organisations: self.organisations,
            rules: rules.into_iter().collect(),
        }
    }
}

/// The fields of a `brist` line that the history counts.
#[derive(serde::Deserialize)]
struct BristFields<'a> {
    status: Status,
    #[serde(borrow)]
    organisation: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    regel: std::borrow::Cow<'a, str>,
    allvarlighet: Severity,
}

/// Whether a `resultat.jsonl` line may be a `brist`: it holds the text
/// `"status":"brist"`. Every line is one flat object whose strings escape
/// each `"`, so a line without it is certainly no `brist`; a line with it
/// is parsed to be sure.
fn may_be_brist(finder: &memchr::memmem::Finder<'_>, line: &[u8]) -> bool {
    finder.find(line).is_some()
}

/// The text [`may_be_brist`] looks for.
const BRIST_NEEDLE: &[u8] = b"\"status\":\"brist\"";

/// The brister in a run folder's `resultat.jsonl`. An error names the file
/// and the line, in Swedish.
pub fn read_run(run: &EarlierRun) -> Result<RunCounts, String> {
    let path = run.path.join("resultat.jsonl");
    let file = std::fs::File::open(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("{}: saknas", path.display())
        } else {
            format!("{}: kan inte läsas ({e})", path.display())
        }
    })?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut c = Counter::default();
    let mut line = Vec::new();
    let mut n = 0u64;
    let finder = memchr::memmem::Finder::new(BRIST_NEEDLE);
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{}: kan inte läsas ({e})", path.display()))?;
        if read == 0 {
            break;
        }
        n += 1;
        if !may_be_brist(&finder, &line) {
            continue;
        }
        let f: BristFields = serde_json::from_slice(&line).map_err(|e| {
            format!(
                "{}, rad {n}: är ingen giltig resultatrad ({e})",
                path.display()
            )
        })?;
        if f.status == Status::Brist {
            c.add(&f.organisation, &f.regel, f.allvarlighet);
        }
    }
    Ok(c.finish(run.name.clone(), run.per()))
}

/// The history of `schedule` in the output root `root`: the last `max`
/// readable earlier runs (oldest first), each run without a usable
/// manifest or `resultat.jsonl` skipped with its reason (logged as a
/// warning too). Never fails.
pub fn read(root: &Path, schedule: &str, max: usize) -> History {
    let mut history = History::default();
    if max == 0 {
        return history;
    }
    let runs = earlier_runs::list(root, schedule);
    history.removed = runs
        .iter()
        .filter_map(|r| r.manifest.as_ref().ok())
        .flat_map(|m| m.removed.iter().cloned())
        .collect();
    // Newest first, until `max` are read.
    for run in runs.iter().rev() {
        if history.earlier.len() == max {
            break;
        }
        let counted = match &run.manifest {
            Err(e) => Err(e.to_string()),
            Ok(_) => summary_of(run).map_or_else(|| read_run(run), Ok),
        };
        match counted {
            Ok(c) => history.earlier.push(c),
            Err(reason) => {
                tracing::warn!(run = %run.path.display(), "an earlier run is left out of the history: {reason}");
                history
                    .skipped
                    .push(format!("{} hoppades över: {reason}", run.name));
            }
        }
    }
    history.earlier.reverse();
    history.skipped.reverse();
    history
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn eval(org: &str, rule: &str, status: Status, severity: Severity) -> Evaluation {
        Evaluation::bare(org, rule, status, severity, "Ekonomi", "m")
    }

    fn write_run(root: &Path, name: &str, per: &str, slut: &str, evals: &[Evaluation]) {
        let d = root.join(name);
        std::fs::create_dir(&d).unwrap();
        let m = serde_json::json!({ "per": per, "schema": "kvartal", "slut": slut });
        std::fs::write(d.join("manifest.json"), m.to_string()).unwrap();
        let mut jsonl = Vec::new();
        for e in evals {
            e.write_json_line(&mut jsonl);
        }
        std::fs::write(d.join("resultat.jsonl"), jsonl).unwrap();
    }

    #[test]
    fn counts_brister_by_severity_and_organisations_per_rule() {
        let evals = [
            eval("KOV", "R08", Status::Brist, Severity::Hog),
            eval("KOV", "R08", Status::Brist, Severity::Hog),
            eval("KOV", "R18", Status::Brist, Severity::Lag),
            eval("KOV", "R09", Status::UnderlagSaknas, Severity::Hog),
            eval("TN", "R08", Status::Brist, Severity::Hog),
            eval("TN", "R10", Status::Brist, Severity::Medel),
            eval("IS", "R08", Status::Uppfyllt, Severity::Hog),
        ];
        let per = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let c = count("nu", per, &evals);
        assert_eq!(c.of("KOV"), [2, 0, 1]);
        assert_eq!(c.of("TN"), [1, 1, 0]);
        assert_eq!(c.of("IS"), [0, 0, 0]);
        assert_eq!(c.orgs_with_brist("R08"), 2);
        assert_eq!(c.orgs_with_brist("R18"), 1);
        assert_eq!(c.orgs_with_brist("R09"), 0);
        assert_eq!(c.total_hog(), 3);

        // Read back from a run folder, the same counts.
        let root = tempfile::tempdir().unwrap();
        write_run(
            root.path(),
            "2026-03-31T060000_kvartal",
            "2026-03-31",
            "2026-03-31T06:01:00+02:00",
            &evals,
        );
        let h = read(root.path(), "kvartal", 8);
        assert!(h.skipped.is_empty(), "{:?}", h.skipped);
        assert_eq!(h.earlier.len(), 1);
        let read_back = &h.earlier[0];
        assert_eq!(read_back.run, "2026-03-31T060000_kvartal");
        assert_eq!(read_back.per, Some(per));
        assert_eq!(read_back.organisations, c.organisations);
        assert_eq!(read_back.rules, c.rules);

        // With the summary in the manifest, the results are not read.
        let d = root.path().join("2026-03-31T060000_kvartal");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap())
                .unwrap();
        m[MANIFEST_KEY] = c.to_manifest();
        assert_eq!(
            m[MANIFEST_KEY]["brister"]["KOV"],
            serde_json::json!({ "hög": 2, "medel": 0, "låg": 1 })
        );
        std::fs::write(d.join("manifest.json"), m.to_string()).unwrap();
        std::fs::remove_file(d.join("resultat.jsonl")).unwrap();
        let h = read(root.path(), "kvartal", 8);
        assert!(h.skipped.is_empty(), "{:?}", h.skipped);
        assert_eq!(h.earlier[0].organisations, c.organisations);
        assert_eq!(h.earlier[0].rules, c.rules);
    }

    #[test]
    fn keeps_the_last_runs_and_skips_unreadable_ones_with_a_reason() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        for q in 1..=4 {
            let evals: Vec<Evaluation> = (0..q)
                .map(|_| eval("KOV", "R08", Status::Brist, Severity::Hog))
                .collect();
            write_run(
                r,
                &format!("2026-0{q}-01T060000_kvartal"),
                &format!("2026-0{q}-01"),
                &format!("2026-0{q}-01T06:01:00+01:00"),
                &evals,
            );
        }
        // A run whose results are no JSON, and one without a manifest.
        let bad = r.join("2026-05-01T060000_kvartal");
        std::fs::create_dir(&bad).unwrap();
        std::fs::write(
            bad.join("manifest.json"),
            r#"{"per":"2026-05-01","schema":"kvartal","slut":"2026-05-01T06:01:00+01:00"}"#,
        )
        .unwrap();
        std::fs::write(bad.join("resultat.jsonl"), "{\"status\":\"brist\",\n").unwrap();
        std::fs::create_dir(r.join("2026-06-01T060000_kvartal")).unwrap();

        let h = read(r, "kvartal", 3);
        let hog: Vec<u32> = h.earlier.iter().map(RunCounts::total_hog).collect();
        assert_eq!(hog, [2, 3, 4]);
        let skipped: Vec<String> = h
            .skipped
            .iter()
            .map(|s| s.replace(&r.display().to_string(), ""))
            .collect();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(
            skipped[0].starts_with("2026-05-01T060000_kvartal hoppades över: /2026-05-01T060000_kvartal/resultat.jsonl, rad 1: är ingen giltig resultatrad ("),
            "{}",
            skipped[0]
        );
        assert_eq!(
            skipped[1],
            "2026-06-01T060000_kvartal hoppades över: /2026-06-01T060000_kvartal/manifest.json: saknas"
        );
        assert!(read(r, "kvartal", 0).earlier.is_empty());
        assert!(read(r, "nattlig", 8).earlier.is_empty());
    }

    /// A removed run counts as a gap only within the span shown (after the
    /// oldest earlier run shown), whichever manifest lists it, once.
    #[test]
    fn gaps_are_the_removed_runs_within_the_span() {
        let run = |name: &str, per: &str| RunCounts {
            run: name.into(),
            per: NaiveDate::parse_from_str(per, "%Y-%m-%d").ok(),
            ..Default::default()
        };
        let h = History {
            earlier: vec![
                run("2026-03-01T020000_nattlig", "2026-03-01"),
                run("2026-06-01T020000_nattlig", "2026-06-01"),
            ],
            skipped: Vec::new(),
            removed: vec![
                ("2026-01-01T020000_nattlig".into(), "2026-01-01".into()),
                ("2026-04-01T020000_nattlig".into(), "2026-04-01".into()),
            ],
        };
        let this_run = [
            (
                "2026-04-01T020000_nattlig".to_string(),
                "2026-04-01".to_string(),
            ),
            (
                "2026-05-01T020000_nattlig".to_string(),
                "2026-05-01".to_string(),
            ),
        ];
        assert_eq!(
            h.gaps(&this_run),
            [
                "2026-04-01T020000_nattlig (per-datum 2026-04-01)",
                "2026-05-01T020000_nattlig (per-datum 2026-05-01)"
            ]
        );
        assert!(History::default().gaps(&this_run).is_empty());
    }
}
