//! `Inläsningsvarningar`: every cell warning, streamed.

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::xlsx::{self, Cell, Formats, Grid};
use crate::report::RunData;

/// The columns of the `Inläsningsvarningar` sheet.
pub const WARNING_HEADERS: [&str; 6] = ["Fil", "Blad", "Cell", "Hittat", "Förväntat", "Meddelande"];

/// Add the `Inläsningsvarningar` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let mut widths = Grid::new();
    for w in d.log.warnings() {
        widths.measure(0, w.loc.file());
        widths.measure(1, w.loc.sheet());
        widths.measure(3, &w.found);
        widths.measure(4, &w.expected);
        widths.measure(5, &w.message);
    }
    let rows = d.log.warnings().map(|w| {
        vec![
            Cell::s(w.loc.file()),
            Cell::s(w.loc.sheet()),
            Cell::owned(w.loc.cell()),
            Cell::s(&w.found),
            Cell::s(&w.expected),
            Cell::s(&w.message),
        ]
    });
    xlsx::write_long_table(
        wb,
        "Inläsningsvarningar",
        &WARNING_HEADERS,
        &widths,
        &[(0, 50.0), (3, 40.0), (4, 50.0), (5, 60.0)],
        fmt,
        rows,
        (xlsx::MAX_DATA_ROWS, xlsx::LINK_EVERY_ROW),
    )?;
    Ok(())
}
