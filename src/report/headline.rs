//! The report's title and headline: a few Swedish sentences computed from
//! the run, shown at the top of `Sammanfattning` and at the end of the
//! run's standard output (report.md, section 1).

use std::collections::{BTreeSet, HashMap};

use super::RunData;
use crate::ingest::{FileEntry, FileStatus};
use crate::rules::{Severity, Status};

/// The report's title: `Uppsikt digitalisering per 2026-11-26 (period 2026)`.
pub fn title(d: &RunData<'_>) -> String {
    format!(
        "Uppsikt digitalisering per {} (period {})",
        crate::model::iso_date(d.settings.per),
        d.settings.period
    )
}

/// The figures the headline is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Organisations in the register.
    pub organisations: usize,
    /// Organisations with at least one workbook read.
    pub submitted: usize,
    /// Of those, the ones without a `brist` of severity hög.
    pub submitted_without_high: usize,
    /// Files in `fel`.
    pub files_in_error: usize,
    /// The organisations those files could be attributed to.
    pub orgs_with_errors: usize,
    /// Files in `fel` attributed to nobody.
    pub files_unattributed: usize,
    /// The previous run compared with, if any.
    pub previous: Option<String>,
    /// Findings new since the previous run.
    pub new: usize,
    /// Findings resolved since the previous run.
    pub resolved: usize,
    /// The rules that could not be loaded (every evaluation `regelfel`),
    /// in rule order.
    pub rules_not_loaded: Vec<String>,
    /// The other rules with at least one `regelfel`, in rule order.
    pub rules_in_error: Vec<String>,
    /// Archived files missing from or differing in the archive.
    pub archive_problems: Vec<String>,
}

/// How many archive problems the headline names before "och N till".
const ARCHIVE_NAMED: usize = 3;

impl Figures {
    /// The figures of a run.
    pub fn of(d: &RunData<'_>) -> Self {
        let with_high: BTreeSet<&str> = d
            .evaluations
            .iter()
            .filter(|e| e.status == Status::Brist && e.severity == Severity::Hog)
            .map(|e| &*e.org)
            .collect();
        let submitted: Vec<&str> = d
            .model
            .orgs
            .iter()
            .filter(|o| o.submitted_anything())
            .map(|o| o.org.id.as_str())
            .collect();
        let errors: Vec<&FileEntry> = d
            .log
            .entries
            .iter()
            .filter(|e| e.status == FileStatus::Fel)
            .collect();
        let rules_not_loaded: Vec<String> = d.rules.broken().map(|r| r.def.id.clone()).collect();
        let orgs_with_errors: BTreeSet<&str> =
            errors.iter().filter_map(|e| e.org.as_deref()).collect();
        Self {
            organisations: d.model.orgs.len(),
            submitted: submitted.len(),
            submitted_without_high: submitted
                .iter()
                .filter(|id| !with_high.contains(*id))
                .count(),
            files_in_error: errors.len(),
            orgs_with_errors: orgs_with_errors.len(),
            files_unattributed: errors.iter().filter(|e| e.org.is_none()).count(),
            previous: d.change.previous.clone(),
            new: d.change.new_count(),
            resolved: d.change.resolved.len(),
            rules_in_error: d
                .tally
                .rules
                .iter()
                .filter(|r| d.tally.count(r, Status::Regelfel) > 0 && !rules_not_loaded.contains(r))
                .cloned()
                .collect(),
            rules_not_loaded,
            archive_problems: d.archive_problems.to_vec(),
        }
    }

    /// The headline: three to six Swedish sentences.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = vec![format!(
            "{} av {} organisationer har lämnat in.",
            self.submitted, self.organisations
        )];
        if self.submitted > 0 {
            let of = if self.submitted == 1 {
                "av den"
            } else {
                "av de"
            };
            out.push(format!(
                "{} {of} {} som lämnat in har ingen brist av hög allvarlighet.",
                self.submitted_without_high, self.submitted
            ));
        }
        if self.files_in_error > 0 {
            let files = plural(self.files_in_error, "inlämnad fil", "inlämnade filer");
            let mut s = if self.orgs_with_errors > 0 {
                format!(
                    "{files} från {} kunde inte läsas",
                    plural(self.orgs_with_errors, "organisation", "organisationer")
                )
            } else {
                format!("{files} kunde inte läsas")
            };
            if self.files_unattributed > 0 && self.orgs_with_errors > 0 {
                s.push_str(&format!(
                    " ({} utan känd organisation)",
                    self.files_unattributed
                ));
            }
            s.push('.');
            out.push(s);
        }
        match &self.previous {
            Some(_) => out.push(format!(
                "{} sedan förra körningen, {} åtgärdade.",
                plural(self.new, "ny iakttagelse", "nya iakttagelser"),
                self.resolved
            )),
            None => {
                out.push("Ingen tidigare körning med samma schema att jämföra med.".to_string())
            }
        }
        if !self.rules_not_loaded.is_empty() {
            out.push(format!(
                "{} kunde inte läsas in och bedömdes inte ({}); se bladet Regler.",
                plural(self.rules_not_loaded.len(), "regel", "regler"),
                self.rules_not_loaded.join(", ")
            ));
        }
        if !self.rules_in_error.is_empty() {
            out.push(format!(
                "{} kunde inte köras ({}).",
                plural(self.rules_in_error.len(), "regel", "regler"),
                self.rules_in_error.join(", ")
            ));
        }
        if !self.archive_problems.is_empty() {
            let n = self.archive_problems.len();
            let mut named = self.archive_problems[..n.min(ARCHIVE_NAMED)].join("; ");
            if n > ARCHIVE_NAMED {
                named.push_str(&format!(
                    "; och {} till (manifest.json, arkiv_avvikelser)",
                    n - ARCHIVE_NAMED
                ));
            }
            out.push(format!(
                "{} saknas eller avviker: {named}.",
                plural(n, "arkiverad fil", "arkiverade filer")
            ));
        }
        out
    }
}

/// `1 regel`, `2 regler`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Per organisation id, its files in `fel` (attributed by their sheet or
/// their path), in path order.
pub fn rejected_files<'a>(d: &'a RunData<'_>) -> HashMap<&'a str, Vec<&'a FileEntry>> {
    let mut out: HashMap<&str, Vec<&FileEntry>> = HashMap::new();
    for e in d.log.entries.iter().filter(|e| e.status == FileStatus::Fel) {
        if let Some(org) = e.org.as_deref() {
            out.entry(org).or_default().push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> Figures {
        Figures {
            organisations: 40,
            submitted: 35,
            submitted_without_high: 13,
            files_in_error: 7,
            orgs_with_errors: 4,
            files_unattributed: 0,
            previous: Some("2026-11-25T020000_nattlig".into()),
            new: 12,
            resolved: 5,
            rules_not_loaded: vec![],
            rules_in_error: vec!["R05".into()],
            archive_problems: vec![],
        }
    }

    #[test]
    fn rules_not_loaded_and_archive_problems_are_named() {
        let f = Figures {
            rules_not_loaded: vec!["R90".into(), "R91".into()],
            archive_problems: vec!["tn.xlsx: filen som bedömdes saknas i arkivet (indata/)".into()],
            ..figures()
        };
        assert_eq!(
            f.sentences()[4..],
            [
                "2 regler kunde inte läsas in och bedömdes inte (R90, R91); se bladet Regler.",
                "1 regel kunde inte köras (R05).",
                "1 arkiverad fil saknas eller avviker: tn.xlsx: filen som bedömdes saknas i \
                 arkivet (indata/).",
            ]
        );
        let many = Figures {
            rules_not_loaded: vec!["R90".into()],
            rules_in_error: vec![],
            archive_problems: (1..=5).map(|i| format!("f{i}.xlsx: x")).collect(),
            ..figures()
        };
        assert_eq!(
            many.sentences()[4..],
            [
                "1 regel kunde inte läsas in och bedömdes inte (R90); se bladet Regler.",
                "5 arkiverade filer saknas eller avviker: f1.xlsx: x; f2.xlsx: x; f3.xlsx: x; \
                 och 2 till (manifest.json, arkiv_avvikelser).",
            ]
        );
    }

    #[test]
    fn the_headline_says_what_matters_in_swedish() {
        assert_eq!(
            figures().sentences(),
            [
                "35 av 40 organisationer har lämnat in.",
                "13 av de 35 som lämnat in har ingen brist av hög allvarlighet.",
                "7 inlämnade filer från 4 organisationer kunde inte läsas.",
                "12 nya iakttagelser sedan förra körningen, 5 åtgärdade.",
                "1 regel kunde inte köras (R05).",
            ]
        );
    }

    #[test]
    fn singulars_and_what_is_left_out() {
        let f = Figures {
            files_in_error: 2,
            orgs_with_errors: 1,
            files_unattributed: 1,
            previous: None,
            new: 1,
            rules_in_error: vec![],
            ..figures()
        };
        assert_eq!(
            f.sentences()[2..],
            [
                "2 inlämnade filer från 1 organisation kunde inte läsas (1 utan känd organisation).",
                "Ingen tidigare körning med samma schema att jämföra med.",
            ]
        );
        let none = Figures {
            submitted: 0,
            files_in_error: 1,
            orgs_with_errors: 0,
            files_unattributed: 1,
            ..f
        };
        assert_eq!(
            none.sentences()[..2],
            [
                "0 av 40 organisationer har lämnat in.",
                "1 inlämnad fil kunde inte läsas.",
            ]
        );
    }
}
