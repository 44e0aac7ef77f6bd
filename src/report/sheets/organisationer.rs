//! `Organisationer`: one row per register organisation.

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::Status;

use super::rule_ids;

/// Add the `Organisationer` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Organisationer")?;
    let mut g = Grid::new();
    let rules = rule_ids(d);
    let mut headers = vec![
        "Organisation",
        "Namn",
        "Typ",
        "Leverantör",
        "Inlämnad",
        "Samlad status",
    ];
    headers.extend(rules.iter().copied());
    g.header(ws, 0, 0, &headers, fmt)?;
    let mut r = 0;
    for o in &d.model.orgs {
        r += 1;
        let id = o.org.id.as_str();
        g.text(ws, r, 0, id)?;
        g.text(ws, r, 1, &o.org.namn)?;
        g.text(ws, r, 2, o.org.typ.as_str())?;
        g.text(ws, r, 3, if o.org.leverantor { "Ja" } else { "Nej" })?;
        match o.submitted() {
            Some(dt) => g.text(ws, r, 4, &crate::model::iso_date(dt))?,
            None if o.submitted_anything() => g.text(ws, r, 4, "inlämnad, datum saknas")?,
            None => g.text(ws, r, 4, "ej inlämnad")?,
        }
        if let Some(s) = d.tally.overall(id) {
            g.text_fmt(ws, r, 5, s.label(), fmt.status(s))?;
        }
        for (i, rule) in rules.iter().enumerate() {
            if let Some(s) = d.tally.worst(id, rule) {
                g.text_fmt(ws, r, 6 + i as u16, s.label(), fmt.status(s))?;
            }
        }
    }
    let ncols = headers.len() as u16;
    xlsx::table_setup(ws, 0, r, ncols, true)?;
    // Legend to the right of the table.
    let lc = ncols + 1;
    ws.write_string_with_format(0, lc, "Förklaring", &fmt.header)?;
    g.measure(lc, "Förklaring");
    let explain = |s: Status| match s {
        Status::Regelfel => "regeln kunde inte köras (se bladet Regler)",
        Status::Brist => "kravet är inte uppfyllt",
        Status::UnderlagSaknas => "uppgifter saknas för att bedöma",
        Status::Uppfyllt => "kravet är uppfyllt",
        Status::EjTillamplig => "regeln gäller inte här",
    };
    for (i, s) in Status::ALL.iter().enumerate() {
        let row = 1 + i as u32;
        g.text_fmt(ws, row, lc, s.label(), fmt.status(*s))?;
        g.text(ws, row, lc + 1, explain(*s))?;
    }
    g.text(
        ws,
        7,
        lc,
        "Samlad status är den sämsta över reglerna: regelfel > brist > underlag saknas > uppfyllt > ej tillämplig.",
    )?;
    // That note may be long; do not let it widen the legend column.
    g.apply_widths(ws)?;
    ws.set_column_width(lc, 18)?;
    Ok(())
}
