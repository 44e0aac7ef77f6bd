//! `uppsikt-rapport.xlsx`: the report to the kommunstyrelsen (report.md,
//! section 1). Every sheet is Swedish; every text that comes from an input or
//! a rule is written as literal text (never as a formula).

use std::path::Path;

use anyhow::Result;

use super::sheets::{self, avsteg::Index};
use super::xlsx::{self, Formats};
use super::RunData;
use crate::rules::{RuleDef, View};

pub use super::sheets::avsteg::{avsteg_flag, AVSTEG_WARNING_DAYS};
pub use super::sheets::iakttagelser::{iakttagelser_with_limit, IAKTTAGELSER_HEADERS};
pub use super::sheets::inlasningsvarningar::WARNING_HEADERS;
pub use super::sheets::regler::parameters_text;

/// The sheet names, in order.
pub const SHEETS: [&str; 10] = [
    "Sammanfattning",
    "Organisationer",
    "Iakttagelser",
    "Avsteg",
    "Indikatorer",
    "Digital mognad",
    "Inläsning",
    "Inläsningsvarningar",
    "Regler",
    super::sheets::historik::NAME,
];

/// The six DiMiOS areas, as headers and field accessors.
pub use crate::rules::maturity::AREAS as MOGNAD_AREAS;

pub use crate::rules::maturity::values as mognad_values;

/// Whether the report needs every outcome of `rule`, not only its findings
/// (which is all any other table or workbook reads): the rule says so with
/// `visas_i`.
pub fn needs_every_outcome(rule: &RuleDef) -> bool {
    View::ALL.into_iter().any(|v| rule.shown_in(v))
}

pub use crate::rules::maturity::by_year as mognad_by_year;

/// Write the kommunstyrelsen's report workbook to `path`.
pub fn write(path: &Path, d: &RunData<'_>) -> Result<()> {
    let mut wb = xlsx::workbook(
        d.settings.per,
        "Uppföljning av riktlinjen för digitalisering",
    )?;
    let fmt = Formats::new().with_page(
        &super::headline::title(d),
        "Göteborgs Stad, rapport till kommunstyrelsen",
    );
    let t = std::time::Instant::now();
    let cpu = crate::metrics::thread_cpu_seconds();
    let lap = |what: &str| {
        tracing::debug!(
            seconds = t.elapsed().as_secs_f64(),
            thread_cpu_seconds = crate::metrics::thread_cpu_seconds() - cpu,
            rss_mb = crate::metrics::rss_mb(),
            "report: {what}"
        )
    };
    sheets::sammanfattning::write(&mut wb, d, &fmt)?;
    lap("Sammanfattning");
    sheets::organisationer::write(&mut wb, d, &fmt)?;
    lap("Organisationer");
    sheets::iakttagelser::write(&mut wb, d, &fmt)?;
    lap("Iakttagelser");
    // The index lives only while `Avsteg` is written: at 10,000
    // organisations it is some tens of MB, which the sheets after it and
    // the saving (the report's peak of memory) reuse.
    let shown = sheets::avsteg::avsteg_rules(d);
    let idx = Index::new(d.evaluations, &shown);
    lap("index");
    sheets::avsteg::write(&mut wb, d, &fmt, &idx, &shown)?;
    drop(idx);
    lap("Avsteg");
    sheets::indikatorer::write(&mut wb, d, &fmt)?;
    sheets::digital_mognad::write(&mut wb, d, &fmt)?;
    sheets::inlasning::write(&mut wb, d, &fmt)?;
    sheets::inlasningsvarningar::write(&mut wb, d, &fmt)?;
    sheets::regler::write(&mut wb, d, &fmt)?;
    sheets::utskick::write(&mut wb, d, &fmt)?;
    lap("other sheets");
    super::sheets::historik::write(&mut wb, d, &fmt)?;
    lap("Historik");
    xlsx::save(&mut wb, path)?;
    lap("saved");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit() {
        for s in SHEETS {
            assert!(s.chars().count() <= 31);
        }
    }
}
