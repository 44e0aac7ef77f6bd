//! `aterkoppling/<org-id>.xlsx` (being built out: see report.md section 2).

use std::path::Path;

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::model::valid_org_id;
use crate::run::RunData;

pub fn write_all(dir: &Path, d: &RunData<'_>) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for o in &d.model.orgs {
        if !valid_org_id(&o.org.id) {
            continue;
        }
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("Iakttagelser")?;
        let mut r = 0;
        for e in d
            .evaluations
            .iter()
            .filter(|e| e.org == o.org.id && e.status.is_finding())
        {
            ws.write_string(r, 0, e.rule.to_string())?;
            ws.write_string(r, 1, &e.message)?;
            r += 1;
        }
        wb.save(dir.join(format!("{}.xlsx", o.org.id)))?;
    }
    Ok(())
}
