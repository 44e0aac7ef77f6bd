//! Change since the previous run of the same schedule: which findings are
//! new, which were resolved. Compared by (organisation, rule, subject).

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::rules::{Evaluation, EvaluationJson};

/// A finding's identity as one string, written into `buf`: organisation,
/// rule and subject separated by NUL. Organisation and rule ids never hold
/// a NUL, so the first two separate the parts whatever the subject holds.
fn write_key<'b>(buf: &'b mut String, o: &str, r: &str, s: &str) -> &'b str {
    buf.clear();
    buf.push_str(o);
    buf.push('\0');
    buf.push_str(r);
    buf.push('\0');
    buf.push_str(s);
    buf
}

/// The comparison with the previous run.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The previous run folder's name, if there was one.
    pub previous: Option<String>,
    /// Newer published runs of the schedule passed over because their
    /// `resultat.jsonl` could not be read (a gap in the comparison).
    pub skipped: Vec<String>,
    /// Per evaluation compared (by index): whether it is a new finding.
    new: Vec<bool>,
    /// Findings of the previous run that are no longer findings.
    pub resolved: Vec<EvaluationJson>,
}

impl Change {
    /// Whether the evaluation at `index` of those compared is a new finding:
    /// the previous run had no finding for its organisation, rule and
    /// subject (every finding is new without a previous run; an evaluation
    /// that is no finding is never new).
    pub fn is_new(&self, index: usize) -> bool {
        self.new.get(index).copied().unwrap_or(false)
    }

    /// How many of the findings are new.
    pub fn new_count(&self) -> usize {
        self.new.iter().filter(|n| **n).count()
    }

    /// The previous run as `Sammanfattning` names it, saying so when newer
    /// runs were passed over (in Swedish).
    pub fn describe_previous(&self) -> String {
        let mut s = self
            .previous
            .clone()
            .unwrap_or_else(|| "ingen (första körningen med detta schema)".into());
        if !self.skipped.is_empty() {
            s.push_str(&format!(
                " (nyare körningar vars resultat inte kunde läsas hoppades över: {})",
                self.skipped.join(", ")
            ));
        }
        s
    }
}

/// The findings of a previous run, as [`previous_findings`] keeps them:
/// each finding's key and where its line starts in `resultat.jsonl`, in
/// file order. The full records are read back only for the findings that
/// were resolved (usually few), so the previous run costs its keys in
/// memory, not all of its findings.
#[derive(Debug)]
pub struct PreviousFindings {
    /// The run folder's name.
    run: Option<String>,
    path: PathBuf,
    findings: Vec<(Box<str>, u64)>,
    /// Newer candidates passed over: their results could not be read.
    skipped: Vec<String>,
}

/// Call `f` with every non-blank line of a JSON-lines file and the byte
/// offset where the line starts, one line at a time (a run's evaluations
/// can run to millions).
fn each_line(
    path: &Path,
    mut f: impl FnMut(&str, u64) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut reader = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    let mut line = String::new();
    let mut offset = 0u64;
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return Ok(());
        }
        if !line.trim().is_empty() {
            f(&line, offset)?;
        }
        offset += n as u64;
    }
}

fn invalid(e: serde_json::Error) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e)
}

/// The fields of a `resultat.jsonl` line that identify a finding; the
/// rest of the line is still checked as JSON when it is parsed.
#[derive(serde::Deserialize)]
struct KeyFields<'a> {
    status: crate::rules::Status,
    #[serde(borrow)]
    organisation: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    regel: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    objekt: std::borrow::Cow<'a, str>,
}

/// The findings of the newest readable run among `candidates` (newest
/// first): the half of the comparison that does not need this run's
/// evaluations, so it can run while they are made.
pub fn previous_findings(candidates: &[PathBuf]) -> Option<PreviousFindings> {
    let mut skipped = Vec::new();
    for p in candidates {
        match finding_keys(p) {
            Ok(mut f) => {
                f.skipped = skipped;
                return Some(f);
            }
            Err(e) => {
                tracing::warn!(run = %p.display(), error = %e, "the results of an earlier run cannot be read; comparing with the one before it");
                skipped.push(
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                );
            }
        }
    }
    None
}

/// The key and line offset of every finding in a run's `resultat.jsonl`.
fn finding_keys(run: &Path) -> std::io::Result<PreviousFindings> {
    let path = run.join("resultat.jsonl");
    let mut findings = Vec::new();
    each_line(&path, |line, at| {
        if quick_status(line).is_some_and(|s| NOT_FINDINGS.contains(&s)) {
            return Ok(()); // most lines: no need to parse them
        }
        let k: KeyFields = serde_json::from_str(line).map_err(invalid)?;
        if k.status.is_finding() {
            let mut key = String::new();
            write_key(&mut key, &k.organisation, &k.regel, &k.objekt);
            findings.push((key.into_boxed_str(), at));
        }
        Ok(())
    })?;
    Ok(PreviousFindings {
        run: run.file_name().map(|n| n.to_string_lossy().into_owned()),
        path,
        findings,
        skipped: Vec::new(),
    })
}

/// The `status` of a `resultat.jsonl` line, found without parsing the line
/// (a run's lines run to millions, and most are no findings): the text
/// after the first `"status":"`, up to the next quote. That is the key of
/// the line's own `status` field, as every line is one flat object: inside
/// a JSON string each `"` is escaped, so `":"` cannot occur there. `None`
/// when the line has no such key; the caller then parses the line.
fn quick_status(line: &str) -> Option<&str> {
    const KEY: &str = "\"status\":\"";
    let rest = &line[line.find(KEY)? + KEY.len()..];
    rest.get(..rest.find('"')?)
}

/// The status labels (as `resultat.jsonl` writes them) that are no finding.
const NOT_FINDINGS: [&str; 2] = ["uppfyllt", "ej tillämplig"];

/// The lines of `path` that start at `offsets` (in file order), as records.
fn read_lines_at(path: &Path, offsets: &[u64]) -> std::io::Result<Vec<EvaluationJson>> {
    let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut line = String::new();
    let mut out = Vec::with_capacity(offsets.len());
    let mut pos = 0u64;
    for &at in offsets {
        // Relative: the reader keeps its buffer when the line is in it.
        let by = i64::try_from(at).unwrap_or(i64::MAX) - i64::try_from(pos).unwrap_or(i64::MAX);
        reader.seek_relative(by)?;
        line.clear();
        pos = at + reader.read_line(&mut line)? as u64;
        out.push(serde_json::from_str(&line).map_err(invalid)?);
    }
    Ok(out)
}

/// Compare with the findings [`previous_findings`] returned.
pub fn compare_with(evaluations: &[Evaluation], previous: Option<PreviousFindings>) -> Change {
    let Some(previous) = previous else {
        return Change {
            new: evaluations.iter().map(|e| e.status.is_finding()).collect(),
            ..Change::default()
        };
    };
    let (new, offsets) = {
        // Each previous finding's key: whether it is done with (still a
        // finding now, or already listed as resolved).
        let mut before: HashMap<&str, bool> = previous
            .findings
            .iter()
            .map(|(k, _)| (&**k, false))
            .collect();
        let mut key = String::new();
        let new: Vec<bool> = evaluations
            .iter()
            .map(|e| {
                if !e.status.is_finding() {
                    return false;
                }
                match before.get_mut(write_key(&mut key, &e.org, &e.rule, &e.subject)) {
                    Some(done) => {
                        *done = true;
                        false
                    }
                    None => true,
                }
            })
            .collect();
        // The first line of each previous finding that is not done with.
        let offsets: Vec<u64> = previous
            .findings
            .iter()
            .filter(|(k, _)| before.insert(k, true) == Some(false))
            .map(|(_, at)| *at)
            .collect();
        (new, offsets)
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
        previous: previous.run,
        skipped: previous.skipped,
        new,
        resolved,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::{Severity, Status};

    fn compare(evaluations: &[Evaluation], candidates: &[PathBuf]) -> Change {
        compare_with(evaluations, previous_findings(candidates))
    }

    fn eval(org: &str, subject: &str, status: Status) -> Evaluation {
        Evaluation::bare(
            org,
            "R08",
            status,
            Severity::Hog,
            subject,
            &format!("{subject}: {}", status.label()),
        )
    }

    #[test]
    fn the_quick_status_is_the_status_field_whatever_the_fields_before_hold() {
        for status in Status::ALL {
            // The organisation and the rule come before the status field
            // in a line: one quotes another status field, the other ends
            // in a backslash right before the real key.
            let mut e = eval(r#"x","status":"brist","y":"z"#, "Ekonomi", status);
            e.rule = "R08\\".into();
            let mut line = Vec::new();
            e.write_json_line(&mut line);
            let line = String::from_utf8(line).unwrap();
            assert_eq!(quick_status(&line), Some(status.label()), "{line}");
            assert_eq!(
                NOT_FINDINGS.contains(&status.label()),
                !status.is_finding(),
                "{status:?}"
            );
        }
        assert_eq!(quick_status(r#"{"organisation":"KOV"}"#), None);
        assert_eq!(quick_status(r#"{"status":"brist"#), None);
    }

    #[test]
    fn every_resolved_finding_is_read_back_once_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut before = vec![eval("KOV", "Ekonomi", Status::Brist)];
        // Many lines between the resolved ones (past the reader's buffer),
        // and one key twice.
        before.extend((0..300).map(|i| eval("KOV", &format!("S{i}"), Status::Uppfyllt)));
        before.push(eval("IS", "HR", Status::UnderlagSaknas));
        before.push(eval("KOV", "Ekonomi", Status::Brist));
        before.push(eval("TN", "Lön", Status::Brist));
        let mut jsonl = Vec::new();
        for e in &before {
            e.write_json_line(&mut jsonl);
        }
        std::fs::write(dir.path().join("resultat.jsonl"), jsonl).unwrap();
        let now = [eval("TN", "Lön", Status::Brist)];
        let change = compare(&now, &[dir.path().to_path_buf()]);
        let resolved: Vec<(&str, &str, Status)> = change
            .resolved
            .iter()
            .map(|r| (r.organisation.as_str(), r.objekt.as_str(), r.status))
            .collect();
        assert_eq!(
            resolved,
            [
                ("KOV", "Ekonomi", Status::Brist),
                ("IS", "HR", Status::UnderlagSaknas)
            ]
        );
        assert!(!change.is_new(0));
    }

    #[test]
    fn flags_exactly_the_findings_the_previous_run_did_not_have() {
        let dir = tempfile::tempdir().unwrap();
        let before = [
            eval("KOV", "Ekonomi", Status::Brist),
            eval("KOV", "HR", Status::UnderlagSaknas),
            eval("KOV", "Lön", Status::Uppfyllt),
            eval("IS", "Ekonomi", Status::Brist),
        ];
        let mut jsonl = Vec::new();
        for e in &before {
            e.write_json_line(&mut jsonl);
        }
        std::fs::write(dir.path().join("resultat.jsonl"), jsonl).unwrap();
        let now = [
            eval("KOV", "Ekonomi", Status::Brist), // still a finding
            eval("KOV", "HR", Status::Uppfyllt),   // resolved
            eval("KOV", "Lön", Status::Brist),     // new
            eval("IS", "Ekonomi", Status::UnderlagSaknas), // still a finding
            eval("IS", "HR", Status::Brist),       // new
        ];
        let change = compare(&now, &[dir.path().to_path_buf()]);
        let flags: Vec<bool> = (0..now.len()).map(|i| change.is_new(i)).collect();
        assert_eq!(flags, [false, false, true, false, true]);
        assert_eq!(change.new_count(), 2);
        assert!(!change.is_new(now.len()));
        let resolved: Vec<(&str, &str)> = change
            .resolved
            .iter()
            .map(|r| (r.organisation.as_str(), r.objekt.as_str()))
            .collect();
        assert_eq!(resolved, [("KOV", "HR")]);

        // Without a previous run every finding is new.
        let first = compare(&now, &[dir.path().join("saknas")]);
        assert_eq!(first.previous, None);
        let flags: Vec<bool> = (0..now.len()).map(|i| first.is_new(i)).collect();
        assert_eq!(flags, [true, false, true, true, true]);
        assert_eq!(first.new_count(), 4);
    }

    /// A newer run whose results cannot be read is passed over, and the
    /// comparison says so.
    #[test]
    fn an_unreadable_newer_run_is_skipped_and_named() {
        let root = tempfile::tempdir().unwrap();
        let older = root.path().join("2026-11-24T020000_nattlig");
        let newer = root.path().join("2026-11-25T020000_nattlig");
        std::fs::create_dir(&older).unwrap();
        std::fs::create_dir(&newer).unwrap();
        let mut jsonl = Vec::new();
        eval("KOV", "Ekonomi", Status::Brist).write_json_line(&mut jsonl);
        std::fs::write(older.join("resultat.jsonl"), jsonl).unwrap();
        std::fs::write(newer.join("resultat.jsonl"), "{ inte json\n").unwrap();
        let now = [eval("KOV", "Ekonomi", Status::Brist)];
        let change = compare(&now, &[newer, older]);
        assert_eq!(
            change.previous.as_deref(),
            Some("2026-11-24T020000_nattlig")
        );
        assert_eq!(change.skipped, ["2026-11-25T020000_nattlig"]);
        assert_eq!(change.new_count(), 0);
        assert_eq!(
            change.describe_previous(),
            "2026-11-24T020000_nattlig (nyare körningar vars resultat inte kunde läsas hoppades över: 2026-11-25T020000_nattlig)"
        );
        assert_eq!(
            Change::default().describe_previous(),
            "ingen (första körningen med detta schema)"
        );
    }
}
