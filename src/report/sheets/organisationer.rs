//! `Organisationer`: one row per register organisation, told apart: the
//! inlämning state, brister per severity, the overall status from data
//! statuses (`regelfel` counted apart), one narrow symbol column per rule,
//! and the legend below the table.

use std::collections::HashMap;

use anyhow::Result;
use rust_xlsxwriter::{Format, Note, Url, Workbook};

use crate::model::valid_org_id;
use crate::report::headline;
use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::{Severity, Status};

/// The fixed columns, before one column per rule.
pub const HEADERS: [&str; 12] = [
    "Organisation",
    "Namn",
    "Typ",
    "Inlämning",
    "Inlämnad",
    "Orsak (fil som inte kunde läsas)",
    "Brister hög",
    "Brister medel",
    "Brister låg",
    "Samlad status",
    "Regler med regelfel",
    "Iakttagelser",
];

/// The width of a rule's symbol column.
const RULE_WIDTH: f64 = 3.3;

/// The inlämning states.
pub const INLAMNAD: &str = "inlämnad";
/// A file arrived but none could be read.
pub const INLAMNAD_MEN_FEL: &str = "inlämnad men kunde inte läsas";
/// Nothing arrived.
pub const EJ_INLAMNAD: &str = "ej inlämnad";

/// Add the `Organisationer` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    // Row by row (xlsx::streamed_sheet): every write below is in row order.
    let ws = xlsx::streamed_sheet(wb, "Organisationer")?;
    let mut g = Grid::new();
    let rules = &d.rules.rules;
    g.header(ws, 0, 0, &HEADERS, fmt)?;
    // Before any later row is written (streamed sheet).
    ws.set_row_height(0, 45)?;
    // Fixed widths: the print area holds every column. The id links to
    // the feedback workbook by a relative path (works wherever the run
    // folder is copied).
    for (c, w) in [
        (0u16, 13.0),
        (2, 7.0),
        (3, 14.0),
        (4, 11.0),
        (6, 7.0),
        (7, 7.0),
        (8, 7.0),
        (9, 13.0),
        (10, 9.0),
        (11, 11.0),
    ] {
        g.wrap_column(ws, c, w, fmt)?;
    }
    let fixed: f64 = (0..HEADERS.len() as u16)
        .filter(|c| *c != 1 && *c != 5)
        .map(|c| g.width_of(c))
        .sum();
    let ncols = (HEADERS.len() + rules.len()) as f64;
    let room = xlsx::PRINT_WIDTH_BUDGET
        - fixed
        - RULE_WIDTH * rules.len() as f64
        - xlsx::COLUMN_PADDING * ncols;
    let name_w = (room * 0.45).clamp(12.0, 34.0).floor();
    let reason_w = (room - name_w).clamp(12.0, 40.0).floor();
    g.wrap_column(ws, 1, name_w, fmt)?;
    g.wrap_column(ws, 5, reason_w, fmt)?;
    let first_rule = HEADERS.len() as u16;
    for (i, rule) in rules.iter().enumerate() {
        let c = first_rule + i as u16;
        ws.set_column_width(c, RULE_WIDTH)?;
        ws.write_string_with_format(0, c, &rule.def.id, &fmt.header)?;
        let note = Note::new(format!("{}: {}", rule.def.id, rule.def.titel))
            .set_author("uppsikt")
            .add_author_prefix(false);
        ws.insert_note(0, c, &note)?;
    }

    // Brister per organisation and severity; findings per organisation.
    let mut brister: HashMap<&str, [usize; 3]> = HashMap::new();
    let mut findings: HashMap<&str, usize> = HashMap::new();
    for e in d.evaluations.iter().filter(|e| e.status.is_finding()) {
        *findings.entry(&*e.org).or_default() += 1;
        if e.status == Status::Brist {
            let k = match e.severity {
                Severity::Hog => 0,
                Severity::Medel => 1,
                Severity::Lag => 2,
            };
            brister.entry(&*e.org).or_default()[k] += 1;
        }
    }
    let rejected = headline::rejected_files(d);

    let mut r = 0;
    for o in &d.model.orgs {
        r += 1;
        let id = o.org.id.as_str();
        if valid_org_id(id) {
            let link = Url::new(format!("file:///aterkoppling/{id}.xlsx"))
                .set_text(id)
                .set_tip(format!("Återkopplingen till {}", o.org.namn));
            ws.write_url(r, 0, link)?;
        } else {
            g.text(ws, r, 0, id)?;
        }
        g.text(ws, r, 1, &o.org.namn)?;
        g.text(ws, r, 2, o.org.typ.as_str())?;
        let files = rejected.get(id);
        let state = if o.submitted_anything() {
            INLAMNAD
        } else if files.is_some() {
            INLAMNAD_MEN_FEL
        } else {
            EJ_INLAMNAD
        };
        let state_fmt = match state {
            INLAMNAD => None,
            INLAMNAD_MEN_FEL => Some(fmt.status(Status::Brist)),
            _ => Some(fmt.status(Status::UnderlagSaknas)),
        };
        match state_fmt {
            Some(f) => g.text_fmt(ws, r, 3, state, &f.clone().set_text_wrap())?,
            None => g.text(ws, r, 3, state)?,
        }
        if let Some(dt) = o.submitted() {
            g.date(ws, r, 4, dt, fmt)?;
        }
        if let Some(files) = files {
            let text = files
                .iter()
                .map(|f| format!("{}: {}", f.path, f.reason))
                .collect::<Vec<_>>()
                .join("\n");
            g.text(ws, r, 5, &text)?;
        }
        let b = brister.get(id).copied().unwrap_or_default();
        for (k, n) in b.iter().enumerate() {
            g.number(ws, r, 6 + k as u16, *n as f64, None)?;
        }
        if let Some(s) = d.tally.overall_data(id) {
            g.text_fmt(ws, r, 9, s.label(), fmt.status(s))?;
        }
        let errors = d.tally.rules_in_error(id);
        if errors > 0 {
            g.number(ws, r, 10, errors as f64, Some(fmt.status(Status::Regelfel)))?;
        } else {
            g.number(ws, r, 10, 0.0, None)?;
        }
        g.number(
            ws,
            r,
            11,
            findings.get(id).copied().unwrap_or(0) as f64,
            None,
        )?;
        for (i, rule) in rules.iter().enumerate() {
            if let Some(s) = d.tally.worst(id, &rule.def.id) {
                ws.write_string_with_format(
                    r,
                    first_rule + i as u16,
                    xlsx::status_symbol(s),
                    fmt.symbol(s),
                )?;
            }
        }
    }
    let ncols = first_rule + rules.len() as u16;
    // The filter over the fixed columns: its buttons would hide the narrow
    // rule columns' headers.
    xlsx::table_setup(ws, 0, r, first_rule, true)?;
    ws.set_freeze_panes(1, 1)?;

    // The legend, below the table.
    // Unwrapped, so a line runs on over the empty cells to its right.
    let plain = Format::new().set_align(rust_xlsxwriter::FormatAlign::Left);
    let mut lr = r + 2;
    ws.write_string_with_format(lr, 0, "Förklaring", &fmt.title)?;
    let explain = |s: Status| {
        match s {
        Status::Regelfel => "regelfel: regeln kunde inte köras (SLK:s fel, se bladet Regler); räknas i Regler med regelfel, aldrig i samlad status",
        Status::Brist => "brist: kravet är inte uppfyllt",
        Status::UnderlagSaknas => "underlag saknas: uppgifter saknas för att bedöma",
        Status::Uppfyllt => "uppfyllt: kravet är uppfyllt",
        Status::EjTillamplig => "ej tillämplig: regeln gäller inte här",
    }
    };
    for s in [
        Status::Uppfyllt,
        Status::Brist,
        Status::UnderlagSaknas,
        Status::Regelfel,
        Status::EjTillamplig,
    ] {
        lr += 1;
        ws.write_string_with_format(lr, 0, xlsx::status_symbol(s), fmt.symbol(s))?;
        ws.write_string_with_format(lr, 1, explain(s), &plain)?;
    }
    lr += 1;
    ws.write_string_with_format(
        lr,
        1,
        "Samlad status är den sämsta över reglerna av brist > underlag saknas > uppfyllt > ej tillämplig. Regelns titel står i rubrikens kommentar och här nedan.",
        &plain,
    )?;
    lr += 1;
    for rule in rules {
        lr += 1;
        ws.write_string_with_format(lr, 0, &rule.def.id, &plain)?;
        ws.write_string_with_format(lr, 1, &rule.def.titel, &plain)?;
    }
    ws.set_print_area(0, 0, lr, ncols.saturating_sub(1))?;
    xlsx::page_setup(ws, fmt);
    xlsx::end_rows(ws, lr)?;
    Ok(())
}
