//! The report's `Utskick` sheet: per organisation, the delivery of its
//! feedback as planned when the report was written (a delivering run only).
//! Sending happens after the run folder is published, so the outcome of
//! each send is in the run folder's `utskick.json` and `manifest.json`,
//! not here; the sheet says so.

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use super::super::xlsx::{self, Formats, Grid};
use super::super::RunData;

/// The sheet's name.
pub const SHEET: &str = "Utskick";

/// One organisation's planned delivery, as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The organisation id.
    pub organisation: String,
    /// Its name.
    pub namn: String,
    /// The planned status (`planerad`, `oförändrad`, `saknar adress`,
    /// `i utkorgen`, `torrkörning`).
    pub status: &'static str,
    /// The recipients, comma-separated.
    pub mottagare: String,
    /// Addresses left out, comma-separated.
    pub avvisade: String,
    /// Findings in its feedback.
    pub iakttagelser: usize,
}

/// The columns.
pub const HEADERS: [&str; 6] = [
    "Organisations-id",
    "Organisation",
    "Utskick",
    "Mottagare",
    "Iakttagelser",
    "Avvisade adresser",
];

/// Write the `Utskick` sheet when the run delivers (`d.utskick` is set).
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let Some(rows) = &d.utskick else {
        return Ok(());
    };
    let ws = wb.add_worksheet().set_name(SHEET)?;
    let mut g = Grid::new();
    g.header(ws, 0, 0, &HEADERS, fmt)?;
    let mut r = 0;
    for row in rows {
        r += 1;
        g.text(ws, r, 0, &row.organisation)?;
        g.text(ws, r, 1, &row.namn)?;
        g.text(ws, r, 2, row.status)?;
        g.text(ws, r, 3, &row.mottagare)?;
        g.number(ws, r, 4, row.iakttagelser as f64, None)?;
        g.text(ws, r, 5, &row.avvisade)?;
    }
    xlsx::table_setup(ws, 0, r, HEADERS.len() as u16, true)?;
    g.apply_widths(ws)?;
    xlsx::page_setup(ws, fmt);
    ws.write_string(
        r + 2,
        0,
        "Läget när rapporten skrevs: meddelandena skickas först när körningsmappen är publicerad.",
    )?;
    ws.write_string(r + 3, 0, "Vad som faktiskt skickades (skickad eller misslyckad, med orsak) och varför en adress avvisades står i körningsmappens utskick.json.")?;
    Ok(())
}
