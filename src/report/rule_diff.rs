//! The review workbook of `rules diff -o`: the status changes, the findings
//! that appear and disappear, and the reworded messages of a rule change.

use std::path::Path;

use anyhow::Result;

use super::xlsx::{table_setup, Formats, Grid};
use crate::rules::workbench::{outcome_label, Diff};
use crate::rules::Evaluation;

/// Write `diff` as an xlsx for review (`rules diff -o`).
pub fn write(diff: &Diff, path: &Path) -> Result<()> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    table(
        &mut wb,
        "Statusändringar",
        &["Regel", "Organisation", "Från", "Till"],
        diff.changes.iter().map(|c| {
            [&c.rule, &c.org, outcome_label(c.from), outcome_label(c.to)]
                .map(str::to_string)
                .to_vec()
        }),
    )?;
    let finding = |e: &Evaluation, before: Option<&str>| {
        let j = e.json();
        let mut row = vec![j.regel, j.organisation, j.objekt, j.status.label().into()];
        row.extend(before.map(str::to_string));
        row.extend([j.meddelande, j.fil, j.blad, j.cell]);
        row
    };
    for (name, list) in [
        ("Nya iakttagelser", &diff.appear),
        ("Försvunna iakttagelser", &diff.disappear),
    ] {
        table(
            &mut wb,
            name,
            &[
                "Regel",
                "Organisation",
                "Objekt",
                "Status",
                "Meddelande",
                "Fil",
                "Blad",
                "Cell",
            ],
            list.iter().map(|e| finding(e, None)),
        )?;
    }
    table(
        &mut wb,
        "Ändrade meddelanden",
        &[
            "Regel",
            "Organisation",
            "Objekt",
            "Status",
            "Före",
            "Efter",
            "Fil",
            "Blad",
            "Cell",
        ],
        diff.reworded
            .iter()
            .map(|(before, after)| finding(after, Some(&before.message))),
    )?;
    super::xlsx::save(&mut wb, path)?;
    Ok(())
}

/// A sheet with the report's header row, filter and frozen panes, and one
/// row of text per item, written as the report writes text (literal, never
/// a formula; clipped to what a cell holds; columns as wide as they need).
fn table(
    wb: &mut rust_xlsxwriter::Workbook,
    name: &str,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    let ws = wb.add_worksheet().set_name(name)?;
    let mut g = Grid::new();
    g.header(ws, 0, 0, headers, &Formats::new())?;
    let mut last = 0;
    for (i, row) in rows.enumerate() {
        last = i as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            g.text(ws, last, c as u16, v)?;
        }
    }
    g.apply_widths(ws)?;
    table_setup(ws, 0, last, headers.len() as u16, true)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Severity, Status};

    fn ev(org: &str, subject: &str, status: Status, message: &str) -> Evaluation {
        Evaluation::bare(org, "R05", status, Severity::Hog, subject, message)
    }

    #[test]
    fn the_review_workbook_takes_a_message_longer_than_a_cell_holds() {
        use calamine::{open_workbook, Reader, Xlsx};
        let long = "x".repeat(40_000);
        let diff = Diff {
            appear: vec![ev("KOV", "A1", Status::Brist, &long)],
            ..Diff::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diff.xlsx");
        write(&diff, &path).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let range = wb.worksheet_range("Nya iakttagelser").unwrap();
        let cell = range.get_value((1, 4)).unwrap().to_string();
        assert!(cell.ends_with("(avkortad)"), "{}", &cell[cell.len() - 30..]);
        assert!(cell.chars().count() <= 32_767);
    }
}
