//! `Inläsning`: every file seen and what became of it.

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::Status;

/// Add the `Inläsning` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Inläsning")?;
    let mut g = Grid::new();
    let headers = [
        "Fil",
        "SHA-256",
        "Storlek (byte)",
        "Typ",
        "Organisation",
        "Period",
        "Status",
        "Orsak",
        "Varningar",
    ];
    g.header(ws, 0, 0, &headers, fmt)?;
    let mut r = 0;
    for e in &d.log.entries {
        r += 1;
        g.text(ws, r, 0, &e.path)?;
        g.text(ws, r, 1, e.sha256.as_deref().unwrap_or(""))?;
        g.number(ws, r, 2, e.size as f64, None)?;
        g.text(ws, r, 3, e.typ.map(|t| t.label()).unwrap_or(""))?;
        g.text(ws, r, 4, e.org.as_deref().unwrap_or(""))?;
        g.text(ws, r, 5, e.period.as_deref().unwrap_or(""))?;
        let st = e.status.label();
        if e.status == crate::ingest::FileStatus::Fel {
            g.text_fmt(ws, r, 6, st, fmt.status(Status::Brist))?;
        } else {
            g.text(ws, r, 6, st)?;
        }
        g.text(ws, r, 7, &e.reason)?;
        g.number(ws, r, 8, e.warnings.len() as f64, None)?;
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    Ok(())
}
