//! `Indikatorer`: the guideline's indicator shares and the 2020 baseline.

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::indicators::{
    baseline_org, BASELINE_EFFEKTIVITET_PERCENT, BASELINE_INNOVATION_PERCENT,
};

/// Add the `Indikatorer` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    // Row by row (xlsx::streamed_sheet): every write below is in row order
    // (the notes' heights are set before their rows are written).
    let ws = xlsx::streamed_sheet(wb, "Indikatorer")?;
    let mut g = Grid::new();
    let headers = [
        "Organisation",
        "Namn",
        "Förändringsinsatser",
        "Innovation, andel av antal (%)",
        "Effektivitet, andel av antal (%)",
        "Innovation, andel av budget (%)",
        "Effektivitet, andel av budget (%)",
        "Extern nytta, andel av antal (%)",
        "Intern nytta, andel av antal (%)",
        "Extern nytta, andel av budget (%)",
        "Intern nytta, andel av budget (%)",
        "Innovation, andel av budget, mot 2020 (procentenheter)",
    ];
    g.header(ws, 0, 0, &headers, fmt)?;
    // Long headers over numbers: narrow columns with wrapped headers.
    g.wrap_column(ws, 0, 20.0, fmt)?;
    g.wrap_column(ws, 1, 34.0, fmt)?;
    for c in 2..headers.len() as u16 {
        g.wrap_column(ws, c, 15.0, fmt)?;
    }
    ws.set_row_height(0, 60)?;
    let names = d.model.names();
    let mut r = 0;
    for i in d.indicators {
        r += 1;
        g.text(ws, r, 0, &i.organisation)?;
        let name = if i.organisation == "STADEN" {
            "Hela staden"
        } else {
            names.get(i.organisation.as_str()).copied().unwrap_or("")
        };
        g.text(ws, r, 1, name)?;
        g.number(ws, r, 2, i.insatser as f64, None)?;
        let vals = [
            i.innovation_antal,
            i.effektivitet_antal,
            i.innovation_budget,
            i.effektivitet_budget,
            i.extern_antal,
            i.intern_antal,
            i.extern_budget,
            i.intern_budget,
        ];
        for (k, v) in vals.iter().enumerate() {
            g.opt_number(ws, r, 3 + k as u16, *v, Some(&fmt.percent))?;
        }
        // The baseline is a share of resources: compared with the budget share.
        g.opt_number(
            ws,
            r,
            11,
            i.innovation_budget
                .map(|v| ((v - BASELINE_INNOVATION_PERCENT) * 10.0).round() / 10.0),
            Some(&fmt.percent),
        )?;
    }
    r += 1;
    g.text(ws, r, 0, "UTGÅNGSLÄGE 2020")?;
    g.text(
        ws,
        r,
        1,
        "Planens utgångsläge 2020: andel av resurserna i Intraservices utvecklingsportfölj",
    )?;
    g.number(ws, r, 5, BASELINE_INNOVATION_PERCENT, Some(&fmt.percent))?;
    g.number(ws, r, 6, BASELINE_EFFEKTIVITET_PERCENT, Some(&fmt.percent))?;
    g.number(ws, r, 11, 0.0, Some(&fmt.percent))?;
    // Beside it, the like-for-like comparison: Intraservice's own budget share.
    let like = baseline_org(d.model).map(|id| {
        (
            id,
            d.indicators.iter().find(|i| i.organisation == id),
            names.get(id).copied().unwrap_or(id),
        )
    });
    if let Some((id, ind, name)) = like {
        r += 1;
        g.text(ws, r, 0, &format!("JÄMFÖRBART {id}"))?;
        g.text(
            ws,
            r,
            1,
            &format!("{name} i dag, andel av budget (jämförbart med utgångsläget 2020)"),
        )?;
        let ib = ind.and_then(|i| i.innovation_budget);
        g.opt_number(ws, r, 5, ib, Some(&fmt.percent))?;
        g.opt_number(
            ws,
            r,
            6,
            ind.and_then(|i| i.effektivitet_budget),
            Some(&fmt.percent),
        )?;
        g.opt_number(
            ws,
            r,
            11,
            ib.map(|v| ((v - BASELINE_INNOVATION_PERCENT) * 10.0).round() / 10.0),
            Some(&fmt.percent),
        )?;
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    xlsx::page_setup(ws, fmt);
    // The notes span the table and wrap, so they print whole.
    let note = fmt
        .wrap
        .clone()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let last_col = headers.len() as u16 - 1;
    let note_row = r + 2;
    ws.set_row_height(note_row, 30)?;
    ws.set_row_height(note_row + 1, 45)?;
    ws.merge_range(
        note_row,
        0,
        note_row,
        last_col,
        "Indikatorer, inte krav: andelar av förändringsinsatserna per inriktning och nytta, per organisation och för hela staden (STADEN), efter antal och efter budget.",
        &note,
    )?;
    ws.merge_range(
        note_row + 1,
        0,
        note_row + 1,
        last_col,
        "Utgångsläget 2020 (99 % effektivitet, 1 % innovation) är andelen av resurserna i Intraservices utvecklingsportfölj och står därför under andelarna av budget; raden JÄMFÖRBART visar Intraservices egen andel av budget i dag, den jämförelse som motsvarar utgångsläget. Övriga organisationer och STADEN jämförs med samma tal endast som riktmärke.",
        &note,
    )?;
    xlsx::end_rows(ws, note_row + 1)?;
    Ok(())
}
