//! `Iakttagelser`: one row per finding, streamed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::headline;
use crate::report::xlsx::{self, Cell, Formats, Grid};
use crate::report::RunData;
use crate::rules::{Evaluation, RelativeRef, Status};

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
/// An organisation without a readable Verksamhet workbook gets one row
/// saying so (and why, when a file of it was rejected) in place of its
/// `underlag saknas` rows; `resultat.jsonl` still holds every evaluation.
pub fn iakttagelser_with_limit(
    wb: &mut Workbook,
    d: &RunData<'_>,
    fmt: &Formats,
    max_rows: u32,
) -> Result<()> {
    // Per rule id: title, reference and the link to its line on `Regler`.
    let titles: HashMap<&str, (&str, &str, String)> = d
        .rules
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                r.def.id.as_str(),
                (
                    r.def.titel.as_str(),
                    r.def.referens.as_str(),
                    format!("internal:'Regler'!A{}", i + 2),
                ),
            )
        })
        .collect();
    let without = d.model.without_verksamhet();
    let rejected = headline::rejected_files(d);
    let collapsed =
        |e: &Evaluation| e.status == Status::UnderlagSaknas && without.contains(&*e.org);
    let findings = || {
        d.evaluations
            .iter()
            .enumerate()
            .filter(|(_, e)| e.status.is_finding())
    };
    // Pre-pass: the column widths, and per organisation without a
    // Verksamhet workbook its collapsed rows (how many, any new).
    let mut widths = Grid::new();
    let mut summary: HashMap<&str, (usize, bool)> = HashMap::new();
    for (i, e) in findings() {
        if collapsed(e) {
            let s = summary.entry(&*e.org).or_default();
            s.0 += 1;
            s.1 |= d.change.is_new(i);
            continue;
        }
        widths.measure(0, &e.org);
        widths.measure(1, &e.rule);
        widths.measure(4, e.status.label());
        widths.measure(5, &e.subject);
        widths.measure(6, &e.message);
        if e.places.len() > 1 {
            // Several cells (`C2, E2`): a typical list's width, measured
            // without building it twice (the column wraps anyway).
            widths.measure(9, SEVERAL_CELLS_WIDTH);
        }
        if let Some((t, re, _)) = titles.get(&*e.rule) {
            widths.measure(2, t);
            widths.measure(10, re);
        }
        if let Some(l) = &e.evidence {
            widths.measure(7, l.file());
            widths.measure(8, l.sheet());
        }
    }
    if !summary.is_empty() {
        widths.measure(6, &"x".repeat(60));
        widths.measure(2, "Ingen läsbar inlämning");
    }
    widths.measure(4, Status::UnderlagSaknas.label());
    let mut done: Option<&str> = None;
    let rows = findings().filter_map(|(i, e)| {
        if collapsed(e) {
            if done == Some(&*e.org) {
                return None;
            }
            done = Some(&*e.org);
            let (n, new) = summary.get(&*e.org).copied().unwrap_or_default();
            let files = rejected.get(&*e.org);
            let message = match files.and_then(|f| f.first()) {
                Some(f) => format!(
                    "Inlämnad men kunde inte läsas: {} Därför kunde {} inte bedömas (underlag saknas).",
                    f.reason,
                    headline::plural(n, "regel", "regler")
                ),
                None => format!(
                    "Ingen arbetsbok av typen Verksamhet har lämnats in; därför kunde {} inte bedömas (underlag saknas).",
                    headline::plural(n, "regel", "regler")
                ),
            };
            let file = files
                .map(|f| f.iter().map(|e| e.path.as_str()).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            return Some([
                Cell::s(&e.org),
                Cell::Empty,
                Cell::s("Ingen läsbar inlämning"),
                Cell::Empty,
                Cell::Styled(e.status.label().into(), e.status),
                Cell::Empty,
                Cell::owned(message),
                Cell::owned(file),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::s(if new { "Ja" } else { "Nej" }),
            ]);
        }
        let (title, reference, link) = match titles.get(&*e.rule) {
            Some((t, r, l)) => (*t, *r, Some(l.as_str())),
            None => ("", "", None),
        };
        let (file, sheet, mut cell) = match &e.evidence {
            Some(l) => (l.file(), l.sheet(), Cell::owned(l.cell())),
            None => ("", "", Cell::s("")),
        };
        let mut message = Cell::s(&e.message);
        if let Some((cells, each)) = several_cells(e) {
            cell = Cell::owned(cells);
            message = Cell::owned(each);
        }
        let rule = match link {
            Some(l) => Cell::Link(Cow::Borrowed(&*e.rule), Cow::Borrowed(l)),
            None => Cell::s(&e.rule),
        };
        Some([
            Cell::s(&e.org),
            rule,
            Cell::s(title),
            Cell::s(e.severity.label()),
            Cell::Styled(e.status.label().into(), e.status),
            Cell::s(&e.subject),
            message,
            Cell::s(file),
            Cell::s(sheet),
            cell,
            Cell::s(reference),
            Cell::s(if d.change.is_new(i) { "Ja" } else { "Nej" }),
        ])
    });
    xlsx::write_long_table(
        wb,
        "Iakttagelser",
        &IAKTTAGELSER_HEADERS,
        &widths,
        &WRAPPED,
        fmt,
        rows,
        (max_rows, xlsx::LINK_EVERY_ROW),
    )?;
    Ok(())
}

/// A finding resting on several cells: the `Cell` column's text, every
/// cell once (`C2, E2`, as `celler` of `resultat.jsonl`), and the message
/// as each cell with its own problem (`C2: …; E2: …`), as the feedback
/// workbook lists them. `None` when the finding names one place or none
/// (the evidence's cell and the message stand as they are).
pub fn several_cells(e: &Evaluation) -> Option<(String, String)> {
    let first = &e.places.first()?.loc;
    if e.places.len() < 2 {
        return None;
    }
    let cells = e.cell_refs().join(", ");
    let mut each = String::with_capacity(e.message.len() + 6 * e.places.len());
    for (k, p) in e.places.iter().enumerate() {
        if k > 0 {
            each.push_str("; ");
        }
        // Writing into a String cannot fail.
        let _ = write!(
            each,
            "{}",
            RelativeRef {
                first,
                cell: &p.loc
            }
        );
        each.push_str(": ");
        each.push_str(p.problem.trim().trim_end_matches('.'));
    }
    Some((cells, each))
}

/// The width the pre-pass notes for a `Cell` column holding several cells.
const SEVERAL_CELLS_WIDTH: &str = "AB12, AB12";

/// The long text columns of `Iakttagelser` and their widest width:
/// Regeltitel, Objekt, Meddelande, Fil, Cell (several cells), Referens.
const WRAPPED: [(u16, f64); 6] = [
    (2, 28.0),
    (5, 24.0),
    (6, 50.0),
    (7, 26.0),
    (9, 14.0),
    (10, 30.0),
];
