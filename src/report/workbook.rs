//! `uppsikt-rapport.xlsx` (being built out: see report.md section 1).

use std::path::Path;

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::run::RunData;

pub fn write(path: &Path, d: &RunData<'_>) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Iakttagelser")?;
    let headers = [
        "Organisation",
        "Regel",
        "Status",
        "Objekt",
        "Meddelande",
        "Fil",
        "Blad",
        "Cell",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    let mut r = 1;
    for e in d.evaluations.iter().filter(|e| e.status.is_finding()) {
        let j = e.json();
        for (c, v) in [
            j.organisation,
            j.regel,
            j.status.label().to_string(),
            j.objekt,
            j.meddelande,
            j.fil,
            j.blad,
            j.cell,
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r, c as u16, v)?;
        }
        r += 1;
    }
    wb.save(path)?;
    Ok(())
}
