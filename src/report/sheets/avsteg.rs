//! `Avsteg`: every avsteg with the outcomes of the rules shown beside it.

use anyhow::Result;
use chrono::NaiveDate;
use rust_xlsxwriter::Workbook;

use crate::model::records::Avsteg;
use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::{Evaluation, Status, View};

/// Days before `Gäller till` an avsteg is flagged as expiring.
pub const AVSTEG_WARNING_DAYS: i64 = 90;

/// The rules whose outcomes the `Avsteg` sheet shows beside each avsteg
/// (`visas_i: [Avsteg]`), in rule order.
pub fn avsteg_rules<'a>(d: &'a RunData<'_>) -> Vec<&'a str> {
    d.rules
        .rules
        .iter()
        .filter(|r| r.def.shown_in(View::Avsteg))
        .map(|r| r.def.id.as_str())
        .collect()
}

/// The evaluations of the rules shown in the `Avsteg` sheet, ordered by
/// (organisation, rule, subject) and within one key as evaluated, for the
/// avsteg tables (the only lookups by subject). A sorted list of
/// references: at 10,000 organisations a map with a list per key cost some
/// 60 MB at the report's peak, this about an eighth of it.
pub struct Index<'a> {
    by_subject: Vec<&'a Evaluation>,
}

impl<'a> Index<'a> {
    /// The index over the evaluations of `rules`.
    pub fn new(evaluations: &'a [Evaluation], rules: &[&str]) -> Self {
        let mut by_subject: Vec<&Evaluation> = evaluations
            .iter()
            .filter(|e| rules.contains(&&*e.rule))
            .collect();
        // Stable: evaluations of one key stay in the order they were made.
        by_subject.sort_by(|x, y| Self::key(x).cmp(&Self::key(y)));
        Self { by_subject }
    }

    fn key(e: &Evaluation) -> (&str, &str, &str) {
        (&e.org, &e.rule, &e.subject)
    }

    /// The evaluation of `rule` for one avsteg row whose subject key is
    /// `key` ([`crate::rules::subject_key`]), preferring the one whose
    /// evidence lies on that row (keys can repeat).
    pub(crate) fn avsteg(
        &self,
        org: &str,
        rule: &str,
        key: &str,
        a: &Avsteg,
    ) -> Option<&'a Evaluation> {
        let wanted = (org, rule, key);
        let from = self.by_subject.partition_point(|e| Self::key(e) < wanted);
        let to = from + self.by_subject[from..].partition_point(|e| Self::key(e) == wanted);
        let list = &self.by_subject[from..to];
        list.iter()
            .find(|e| e.evidence.as_ref().is_some_and(|l| l.same_row(&a.row)))
            .or(list.first())
            .copied()
    }
}

/// `Utgånget`, `Går ut inom 90 dagar` or empty.
pub fn avsteg_flag(galler_till: Option<NaiveDate>, per: NaiveDate) -> &'static str {
    match galler_till {
        Some(d) if d < per => "Utgånget",
        Some(d) if (d - per).num_days() <= AVSTEG_WARNING_DAYS => "Går ut inom 90 dagar",
        _ => "",
    }
}

/// Add the `Avsteg` sheet.
pub fn write(
    wb: &mut Workbook,
    d: &RunData<'_>,
    fmt: &Formats,
    idx: &Index<'_>,
    shown: &[&str],
) -> Result<()> {
    // Ten or so rows per organisation: streamed (rows in order, as written).
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Avsteg")?;
    let mut g = Grid::streaming();
    let mut headers: Vec<String> = [
        "Organisation",
        "Avsteg-id",
        "Tjänst-id",
        "Motivering",
        "Beslutat av",
        "Beslutsdatum",
        "Gäller till",
        "Giltighet",
    ]
    .map(String::from)
    .to_vec();
    for rule in shown {
        headers.push(format!("{rule} status"));
        headers.push(format!("{rule} meddelande"));
    }
    let file_col = headers.len() as u16;
    headers.extend(["Fil".to_string(), "Rad".to_string()]);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    g.header(ws, 0, 0, &headers, fmt)?;
    // Fixed widths, the text wrapped: the rules' messages share what the
    // other columns leave of the print budget.
    let fixed: [(u16, f64); 9] = [
        (0, 13.0),
        (1, 12.0),
        (2, 10.0),
        (3, 23.0),
        (4, 14.0),
        (5, 12.0),
        (6, 12.0),
        (7, 12.0),
        (file_col, 16.0),
    ];
    for (c, w) in fixed {
        g.wrap_column(ws, c, w, fmt)?;
    }
    g.wrap_column(ws, file_col + 1, 6.0, fmt)?;
    let ncols = headers.len() as f64;
    let others: f64 = fixed.iter().map(|(_, w)| w).sum::<f64>() + 6.0 + 11.0 * shown.len() as f64;
    let room = xlsx::PRINT_WIDTH_BUDGET - others - xlsx::COLUMN_PADDING * ncols;
    let message_w = (room / shown.len().max(1) as f64).floor().clamp(12.0, 40.0);
    for i in 0..shown.len() as u16 {
        g.wrap_column(ws, 8 + 2 * i, 11.0, fmt)?;
        g.wrap_column(ws, 9 + 2 * i, message_w, fmt)?;
    }
    ws.set_row_height(0, 30)?;
    let per = d.settings.per;
    let mut r = 0;
    for o in &d.model.orgs {
        let Some(rows) = o.verksamhet.as_ref().and_then(|v| v.avsteg.as_ref()) else {
            continue;
        };
        for a in rows {
            r += 1;
            g.text(ws, r, 0, &o.org.id)?;
            for (c, field) in [
                (1, &a.avsteg_id),
                (2, &a.tjanst_id),
                (3, &a.motivering),
                (4, &a.beslutat_av),
            ] {
                g.text(ws, r, c, field.get().map(String::as_str).unwrap_or(""))?;
            }
            if let Some(dt) = a.beslutsdatum.get() {
                g.date(ws, r, 5, *dt, fmt)?;
            }
            let gt = a.galler_till.get().copied();
            match gt {
                Some(dt) => g.date(ws, r, 6, dt, fmt)?,
                None => g.text(ws, r, 6, "tills vidare")?,
            }
            let flag = avsteg_flag(gt, per);
            match flag {
                "Utgånget" => g.text_fmt(ws, r, 7, flag, fmt.status(Status::Brist))?,
                "" => {}
                _ => g.text_fmt(ws, r, 7, flag, fmt.status(Status::UnderlagSaknas))?,
            }
            let key = crate::rules::subject_key(&**a, crate::rules::AVSTEG_KEY_FIELDS);
            for (i, rule) in shown.iter().enumerate() {
                let c = 8 + 2 * i as u16;
                match idx.avsteg(&o.org.id, rule, &key, a) {
                    Some(e) => {
                        g.text_fmt(ws, r, c, e.status.label(), fmt.status(e.status))?;
                        g.text(ws, r, c + 1, &e.message)?;
                    }
                    None => g.text(ws, r, c, "ej bedömd")?,
                }
            }
            g.text(ws, r, file_col, a.row.file())?;
            g.number(ws, r, file_col + 1, (a.row.row + 1) as f64, None)?;
            g.row_done(ws, r);
        }
    }
    if r == 0 {
        r = 1;
        g.text(ws, r, 0, "Inga avsteg har rapporterats.")?;
        g.row_done(ws, r);
    }
    g.rows_done(ws)?;
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    xlsx::page_setup(ws, fmt);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn avsteg_flags() {
        let per = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(avsteg_flag(None, per), "");
        assert_eq!(
            avsteg_flag(NaiveDate::from_ymd_opt(2026, 11, 25), per),
            "Utgånget"
        );
        assert_eq!(avsteg_flag(Some(per), per), "Går ut inom 90 dagar");
        assert_eq!(
            avsteg_flag(NaiveDate::from_ymd_opt(2027, 2, 24), per),
            "Går ut inom 90 dagar"
        );
        assert_eq!(avsteg_flag(NaiveDate::from_ymd_opt(2027, 2, 25), per), "");
    }
}
