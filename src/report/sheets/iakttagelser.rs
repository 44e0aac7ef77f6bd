//! `Iakttagelser`: one row per finding, streamed.

use std::collections::HashMap;

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::xlsx::{self, Cell, Formats, Grid};
use crate::report::RunData;

/// The columns of the `Iakttagelser` sheet.
pub const IAKTTAGELSER_HEADERS: [&str; 12] = [
    "Organisation",
    "Regel",
    "Regeltitel",
    "Allvarlighet",
    "Status",
    "Objekt",
    "Meddelande",
    "Fil",
    "Blad",
    "Cell",
    "Referens",
    "Ny",
];

/// Add the `Iakttagelser` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    iakttagelser_with_limit(wb, d, fmt, xlsx::MAX_DATA_ROWS)
}

/// `Iakttagelser`, continued on `Iakttagelser (2)` … after `max_rows` rows.
pub fn iakttagelser_with_limit(
    wb: &mut Workbook,
    d: &RunData<'_>,
    fmt: &Formats,
    max_rows: u32,
) -> Result<()> {
    let titles: HashMap<&str, (&str, &str)> = d
        .rules
        .rules
        .iter()
        .map(|r| {
            (
                r.def.id.as_str(),
                (r.def.titel.as_str(), r.def.referens.as_str()),
            )
        })
        .collect();
    let findings = || {
        d.evaluations
            .iter()
            .enumerate()
            .filter(|(_, e)| e.status.is_finding())
    };
    // Pre-pass for the column widths (capped, so long messages stay readable).
    let mut widths = Grid::new();
    for (_, e) in findings() {
        widths.measure(0, &e.org);
        widths.measure(1, &e.rule);
        if let Some((t, re)) = titles.get(&*e.rule) {
            widths.measure(2, t);
            widths.measure(10, re);
        }
        widths.measure(4, e.status.label());
        widths.measure(5, &e.subject);
        widths.measure(6, &e.message);
        if let Some(l) = &e.evidence {
            widths.measure(7, l.file());
            widths.measure(8, l.sheet());
        }
    }
    let rows = findings().map(|(i, e)| {
        let (title, reference) = titles.get(&*e.rule).copied().unwrap_or(("", ""));
        let (file, sheet, cell) = match &e.evidence {
            Some(l) => (l.file(), l.sheet(), Cell::owned(l.cell())),
            None => ("", "", Cell::s("")),
        };
        vec![
            Cell::s(&e.org),
            Cell::s(&e.rule),
            Cell::s(title),
            Cell::s(e.severity.label()),
            Cell::Styled(e.status.label().into(), e.status),
            Cell::s(&e.subject),
            Cell::s(&e.message),
            Cell::s(file),
            Cell::s(sheet),
            cell,
            Cell::s(reference),
            Cell::s(if d.change.is_new(i) { "Ja" } else { "Nej" }),
        ]
    });
    xlsx::write_long_table(
        wb,
        "Iakttagelser",
        &IAKTTAGELSER_HEADERS,
        &widths,
        fmt,
        rows,
        max_rows,
    )?;
    Ok(())
}
