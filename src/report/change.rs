//! Change since the previous run of the same schedule: which findings are
//! new, which were resolved. Compared by (organisation, rule, subject).

use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::rules::{Evaluation, EvaluationJson};

/// A finding's identity as one string: organisation, rule and subject
/// separated by NUL. Organisation and rule ids never hold a NUL, so the
/// first two separate the parts whatever the subject holds.
fn joined_key(o: &str, r: &str, s: &str) -> Box<str> {
    let mut k = String::with_capacity(o.len() + r.len() + s.len() + 2);
    k.push_str(o);
    k.push('\0');
    k.push_str(r);
    k.push('\0');
    k.push_str(s);
    k.into_boxed_str()
}

/// The comparison with the previous run.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The previous run folder's name, if there was one.
    pub previous: Option<String>,
    /// The keys of the previous run's findings (`None`: no previous run).
    before: Option<HashSet<Box<str>>>,
    /// Findings of the previous run that are no longer findings.
    pub resolved: Vec<EvaluationJson>,
}

impl Change {
    /// Whether a finding is new: the previous run had no finding for its
    /// organisation, rule and subject (always true without a previous run;
    /// never true for an evaluation that is no finding).
    pub fn is_new(&self, e: &Evaluation) -> bool {
        e.status.is_finding()
            && self
                .before
                .as_ref()
                .is_none_or(|b| !b.contains(&joined_key(&e.org, &e.rule, &e.subject)))
    }
}

/// The findings of a previous run, as [`previous_findings`] keeps them:
/// each finding's key and where its line starts in `resultat.jsonl`, in
/// file order. The full records are read back only for the findings that
/// were resolved (usually few), so the previous run costs its keys in
/// memory, not all of its findings.
#[derive(Debug, Default)]
pub struct PreviousFindings {
    path: PathBuf,
    findings: Vec<(Box<str>, u64)>,
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
pub fn previous_findings(candidates: &[PathBuf]) -> Option<(Option<String>, PreviousFindings)> {
    candidates.iter().find_map(|p| {
        finding_keys(p)
            .ok()
            .map(|r| (p.file_name().map(|n| n.to_string_lossy().into_owned()), r))
    })
}

/// The key and line offset of every finding in a run's `resultat.jsonl`
/// (every line is still checked as JSON, as [`read_results_where`] does).
fn finding_keys(run: &Path) -> std::io::Result<PreviousFindings> {
    let path = run.join("resultat.jsonl");
    let f = std::fs::File::open(&path)?;
    let mut findings = Vec::new();
    let mut reader = std::io::BufReader::with_capacity(1 << 16, f);
    let mut line = String::new();
    let mut offset = 0u64;
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            break;
        }
        let at = offset;
        offset += n as u64;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |e| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        let st: StatusOnly = serde_json::from_str(&line).map_err(bad)?;
        if st.status.is_finding() {
            let e: EvaluationJson = serde_json::from_str(&line).map_err(bad)?;
            findings.push((joined_key(&e.organisation, &e.regel, &e.objekt), at));
        }
    }
    Ok(PreviousFindings { path, findings })
}

/// The lines of `path` that start at `offsets`, as records.
fn read_lines_at(path: &Path, offsets: &[u64]) -> std::io::Result<Vec<EvaluationJson>> {
    use std::io::{Seek, SeekFrom};
    let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut line = String::new();
    let mut out = Vec::with_capacity(offsets.len());
    for &at in offsets {
        reader.seek(SeekFrom::Start(at))?;
        line.clear();
        reader.read_line(&mut line)?;
        let e = serde_json::from_str(&line)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        out.push(e);
    }
    Ok(out)
}

/// Compare with the findings [`previous_findings`] returned.
pub fn compare_with(
    evaluations: &[Evaluation],
    previous: Option<(Option<String>, PreviousFindings)>,
) -> Change {
    let Some((run, previous)) = previous else {
        return Change::default();
    };
    let offsets: Vec<u64> = {
        let before: HashSet<&str> = previous.findings.iter().map(|(k, _)| &**k).collect();
        // The previous findings that are still findings now.
        let still: HashSet<Box<str>> = evaluations
            .iter()
            .filter(|e| e.status.is_finding())
            .map(|e| joined_key(&e.org, &e.rule, &e.subject))
            .filter(|k| before.contains(&**k))
            .collect();
        let mut seen = HashSet::new();
        previous
            .findings
            .iter()
            .filter(|(k, _)| !still.contains(k) && seen.insert(&**k))
            .map(|(_, at)| *at)
            .collect()
    };
    let resolved = match read_lines_at(&previous.path, &offsets) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(
                file = %previous.path.display(),
                "the previous run's resolved findings could not be read back: {e}"
            );
            Vec::new()
        }
    };
    Change {
        previous: run,
        before: Some(previous.findings.into_iter().map(|(k, _)| k).collect()),
        resolved,
    }
}
