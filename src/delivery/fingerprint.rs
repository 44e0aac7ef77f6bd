//! An organisation's feedback as one fingerprint: its findings and its
//! cell warnings, so a delivery can tell whether anything changed since
//! what was last sent to it.

use crate::ingest::FileEntry;
use crate::rules::Evaluation;

/// The SHA-256 (hex) of an organisation's findings and warnings, in a
/// canonical order: the same feedback always gives the same fingerprint,
/// whatever order the run produced it in, and any change to a finding
/// (its rule, status, subject, message or cell) or a warning changes it.
pub fn of(findings: &[&Evaluation], files: &[&FileEntry]) -> String {
    let mut lines: Vec<String> = Vec::with_capacity(findings.len());
    for e in findings {
        let place = e
            .evidence
            .as_ref()
            .map(|l| format!("{}\u{1f}{}\u{1f}{}", l.file(), l.sheet(), l.cell()))
            .unwrap_or_default();
        lines.push(format!(
            "F\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            e.rule,
            e.status.label(),
            e.subject,
            e.message,
            place
        ));
    }
    for f in files {
        for w in &f.warnings {
            lines.push(format!(
                "V\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
                w.loc.file(),
                w.loc.sheet(),
                w.loc.cell(),
                w.message
            ));
        }
    }
    lines.sort_unstable();
    crate::digest::sha256_hex(lines.join("\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Severity, Status};

    fn finding(rule: &str, subject: &str, message: &str) -> Evaluation {
        Evaluation::bare("KOV", rule, Status::Brist, Severity::Hog, subject, message)
    }

    #[test]
    fn the_same_feedback_in_any_order_and_any_change_shows() {
        let a = finding("R08", "System A", "Uppnådd nivå 2 är lägre än 3");
        let b = finding("R10", "System A", "Riskbedömningen är äldre än ett år");
        let fp = of(&[&a, &b], &[]);
        assert_eq!(fp, of(&[&b, &a], &[]));
        assert_eq!(fp.len(), 64);
        let a2 = finding("R08", "System A", "Uppnådd nivå 1 är lägre än 3");
        assert_ne!(fp, of(&[&a2, &b], &[]));
        assert_ne!(fp, of(&[&a], &[]));
        let mut c = a.clone();
        c.status = Status::UnderlagSaknas;
        assert_ne!(fp, of(&[&c, &b], &[]));
        assert_ne!(of(&[], &[]), fp);
    }
}
