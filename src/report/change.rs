//! Change since the previous run of the same schedule: which findings are
//! new, which were resolved. Compared by (organisation, rule, subject).

use std::collections::{BTreeSet, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::rules::{Evaluation, EvaluationJson};

/// A finding's identity across runs.
pub type FindingKey = (String, String, String);

fn key_of(o: &str, r: &str, s: &str) -> FindingKey {
    (o.to_string(), r.to_string(), s.to_string())
}

/// The comparison with the previous run.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The previous run folder's name, if there was one.
    pub previous: Option<String>,
    /// Keys of findings now that the previous run did not have.
    pub new: HashSet<FindingKey>,
    /// Findings of the previous run that are no longer findings.
    pub resolved: Vec<EvaluationJson>,
}

impl Change {
    /// Whether a finding is new (always true without a previous run).
    pub fn is_new(&self, e: &Evaluation) -> bool {
        self.new.contains(&key_of(&e.org, &e.rule, &e.subject))
    }
}

/// Read a run folder's `resultat.jsonl`.
pub fn read_results(run: &Path) -> std::io::Result<Vec<EvaluationJson>> {
    read_results_where(run, false, |_| true)
}

/// The one field [`read_results_where`] looks at before parsing a whole line.
#[derive(serde::Deserialize)]
struct StatusOnly {
    status: crate::rules::Status,
}

/// The lines of a run folder's `resultat.jsonl` that `keep` accepts, read
/// one at a time (a run's evaluations can run to millions; its findings
/// are a fraction of them). With `finding_only`, lines that are not
/// findings are skipped before they are turned into records.
pub fn read_results_where(
    run: &Path,
    finding_only: bool,
    keep: impl Fn(&EvaluationJson) -> bool,
) -> std::io::Result<Vec<EvaluationJson>> {
    let f = std::fs::File::open(run.join("resultat.jsonl"))?;
    let mut out = Vec::new();
    let mut reader = std::io::BufReader::with_capacity(1 << 16, f);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let bad = |e| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        // Most lines are not findings: look at the status alone first (the
        // whole line is still checked as JSON) and build the full record
        // only for the lines that can pass `keep`.
        if !finding_only {
            let e: EvaluationJson = serde_json::from_str(&line).map_err(bad)?;
            if keep(&e) {
                out.push(e);
            }
            continue;
        }
        let st: StatusOnly = serde_json::from_str(&line).map_err(bad)?;
        if st.status.is_finding() {
            let e: EvaluationJson = serde_json::from_str(&line).map_err(bad)?;
            if keep(&e) {
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// Compare with the newest readable earlier run among `candidates` (newest first).
pub fn compare(evaluations: &[Evaluation], candidates: &[PathBuf]) -> Change {
    compare_with(evaluations, previous_findings(candidates))
}

/// The findings of the newest readable run among `candidates` (newest
/// first) and that run's folder name: the half of [`compare`] that does
/// not need this run's evaluations, so it can run while they are made.
pub fn previous_findings(candidates: &[PathBuf]) -> Option<(Option<String>, Vec<EvaluationJson>)> {
    candidates.iter().find_map(|p| {
        read_results_where(p, true, |e| e.status.is_finding())
            .ok()
            .map(|r| (p.file_name().map(|n| n.to_string_lossy().into_owned()), r))
    })
}

/// Compare with the findings [`previous_findings`] returned.
pub fn compare_with(
    evaluations: &[Evaluation],
    previous: Option<(Option<String>, Vec<EvaluationJson>)>,
) -> Change {
    let now: BTreeSet<FindingKey> = evaluations
        .iter()
        .filter(|e| e.status.is_finding())
        .map(|e| key_of(&e.org, &e.rule, &e.subject))
        .collect();
    let Some((run, previous)) = previous else {
        return Change {
            previous: None,
            new: now.into_iter().collect(),
            resolved: Vec::new(),
        };
    };
    let before: BTreeSet<FindingKey> = previous
        .iter()
        .filter(|e| e.status.is_finding())
        .map(|e| key_of(&e.organisation, &e.regel, &e.objekt))
        .collect();
    let mut seen = HashSet::new();
    let resolved = previous
        .into_iter()
        .filter(|e| e.status.is_finding())
        .filter(|e| {
            let k = key_of(&e.organisation, &e.regel, &e.objekt);
            !now.contains(&k) && seen.insert(k)
        })
        .collect();
    Change {
        previous: run,
        new: now.difference(&before).cloned().collect(),
        resolved,
    }
}
