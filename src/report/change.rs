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
    let f = std::fs::File::open(run.join("resultat.jsonl"))?;
    let mut out = Vec::new();
    for line in std::io::BufReader::new(f).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(&line) {
            Ok(e) => out.push(e),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        }
    }
    Ok(out)
}

/// Compare with the newest readable earlier run among `candidates` (newest first).
pub fn compare(evaluations: &[Evaluation], candidates: &[PathBuf]) -> Change {
    let now: BTreeSet<FindingKey> = evaluations
        .iter()
        .filter(|e| e.status.is_finding())
        .map(|e| key_of(&e.org, &e.rule, &e.subject))
        .collect();
    let Some((run, previous)) = candidates
        .iter()
        .find_map(|p| read_results(p).ok().map(|r| (p, r)))
    else {
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
        previous: run.file_name().map(|n| n.to_string_lossy().into_owned()),
        new: now.difference(&before).cloned().collect(),
        resolved,
    }
}
