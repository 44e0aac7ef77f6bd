//! `Inläsning`: every file seen and what became of it.

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::Status;

/// The columns of `Inläsning`: what a printed page needs first; the
/// fingerprint and size last, outside the print area.
pub const HEADERS: [&str; 9] = [
    "Fil",
    "Typ",
    "Organisation",
    "Period",
    "Status",
    "Orsak",
    "Varningar",
    "SHA-256",
    "Storlek (byte)",
];

/// The printed columns: `Fil` … `Varningar`.
const PRINTED: u16 = 7;

/// Add the `Inläsning` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    // Row by row (xlsx::streamed_sheet): every write below is in row order.
    let ws = xlsx::streamed_sheet(wb, "Inläsning")?;
    let mut g = Grid::new();
    g.header(ws, 0, 0, &HEADERS, fmt)?;
    g.measure(1, "Tjänstekatalog");
    g.measure(2, "ORGANISATION");
    g.measure(3, "2026-T1");
    g.measure(4, "annan period");
    g.measure(6, "1000");
    for e in &d.log.entries {
        g.measure(0, &e.path);
        g.measure(5, &e.reason);
    }
    g.wrap_within_budget(ws, PRINTED, &[(0, 50.0), (5, 80.0)], fmt)?;
    let mut r = 0;
    for e in &d.log.entries {
        r += 1;
        g.text(ws, r, 0, &e.path)?;
        g.text(ws, r, 1, e.typ.map(|t| t.label()).unwrap_or(""))?;
        g.text(ws, r, 2, e.org.as_deref().unwrap_or(""))?;
        g.text(ws, r, 3, e.period.as_deref().unwrap_or(""))?;
        let st = e.status.label();
        if e.status == crate::ingest::FileStatus::Fel {
            g.text_fmt(ws, r, 4, st, fmt.status(Status::Brist))?;
        } else {
            g.text(ws, r, 4, st)?;
        }
        g.text(ws, r, 5, &e.reason)?;
        g.number(ws, r, 6, e.warnings.len() as f64, None)?;
        g.text(ws, r, 7, e.sha256.as_deref().unwrap_or(""))?;
        g.number(ws, r, 8, e.size as f64, None)?;
    }
    xlsx::table_setup(ws, 0, r, HEADERS.len() as u16, true)?;
    g.apply_widths(ws)?;
    ws.set_print_area(0, 0, r, PRINTED - 1)?;
    xlsx::page_setup(ws, fmt);
    xlsx::end_rows(ws, r)?;
    Ok(())
}
