//! `Sammanfattning`: the title and headline in words, the key figures, the
//! per-rule counts, the chart of findings, the change since the previous
//! run and, last, the run's facts ("Om körningen").

use std::collections::HashMap;

use anyhow::Result;
use rust_xlsxwriter::{Chart, ChartType, Color, Format, Url, Workbook, Worksheet};

use crate::report::headline::{self, Figures};
use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::Status;

/// Column widths: A (ids), B (titles and messages, wrapped), C, then the
/// numbers. Their sum stays far below the print budget.
const WIDTHS: [f64; 9] = [12.0, 44.0, 16.0, 12.0, 12.0, 12.0, 12.0, 12.0, 13.0];

/// Add the `Sammanfattning` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Sammanfattning")?;
    let mut g = Grid::new();
    for (c, w) in WIDTHS.iter().enumerate() {
        if c == 1 {
            g.wrap_column(ws, 1, *w, fmt)?;
        } else {
            ws.set_column_width(c as u16, *w)?;
        }
    }
    let label = fmt.bold.clone().set_text_wrap();
    let fig = Figures::of(d);

    // Title and headline.
    ws.write_string_with_format(0, 0, headline::title(d), &fmt.title)?;
    let mut r = 1u32;
    for s in fig.sentences() {
        ws.write_string(r, 0, s)?;
        r += 1;
    }

    // Key figures.
    r += 1;
    ws.write_string_with_format(r, 0, "Nyckeltal", &fmt.title)?;
    let without_verksamhet = d.model.without_verksamhet().len();
    let read = d.log.count(crate::ingest::FileStatus::Inlast);
    let key: [(&str, usize); 9] = [
        ("Organisationer i registret", fig.organisations),
        ("Organisationer som lämnat in", fig.submitted),
        (
            "Organisationer som lämnat in utan brist av allvarlighet hög",
            fig.submitted_without_high,
        ),
        (
            "Organisationer utan läsbar arbetsbok av typen Verksamhet",
            without_verksamhet,
        ),
        ("Filer inlästa", read),
        ("Filer med fel", fig.files_in_error),
        ("Iakttagelser", d.tally.findings()),
        ("Nya iakttagelser sedan föregående körning", fig.new),
        (
            "Åtgärdade iakttagelser sedan föregående körning",
            fig.resolved,
        ),
    ];
    for (k, v) in key {
        r += 1;
        fact_label(ws, r, k, &label)?;
        g.number(ws, r, 2, v as f64, None)?;
    }
    r += 1;
    fact_label(ws, r, "Föregående körning", &label)?;
    g.text(ws, r, 2, &d.change.describe_previous())?;

    // Status counts per rule.
    r += 2;
    ws.write_string_with_format(r, 0, "Utfall per regel", &fmt.title)?;
    r += 1;
    ws.write_string(
        r,
        0,
        "Antalen gäller bedömda objekt (t.ex. ett system, en tjänst eller ett avsteg), inte organisationer.",
    )?;
    r += 1;
    let table_header = r;
    let mut headers = vec!["Regel", "Titel", "Allvarlighet"];
    headers.extend(Status::ALL.iter().map(|s| s.label()));
    headers.push("Iakttagelser");
    for (i, h) in headers.iter().enumerate() {
        let f = if i >= 3 {
            &fmt.header_right
        } else {
            &fmt.header
        };
        ws.write_string_with_format(r, i as u16, *h, f)?;
    }
    for (i, rule) in d.rules.rules.iter().enumerate() {
        r += 1;
        let id = rule.def.id.as_str();
        rule_link(ws, r, id, i)?;
        g.text(ws, r, 1, &rule.def.titel)?;
        g.text(ws, r, 2, rule.def.allvarlighet.label())?;
        let mut f = 0;
        for (k, s) in Status::ALL.iter().enumerate() {
            let n = d.tally.count(id, *s);
            if s.is_finding() {
                f += n;
            }
            g.number(ws, r, 3 + k as u16, n as f64, None)?;
        }
        g.number(ws, r, 3 + Status::ALL.len() as u16, f as f64, None)?;
    }
    ws.set_row_height(table_header, 30)?;

    // The chart's table: findings per rule of organisations that submitted
    // a Verksamhet workbook; the others apart, in one sentence.
    r += 2;
    ws.write_string_with_format(
        r,
        0,
        "Iakttagelser per regel hos organisationer som lämnat in",
        &fmt.title,
    )?;
    let without = d.model.without_verksamhet();
    let finding_statuses = [Status::Brist, Status::UnderlagSaknas, Status::Regelfel];
    let mut per_rule: HashMap<&str, [usize; 3]> = HashMap::new();
    for e in d.evaluations.iter().filter(|e| !without.contains(&*e.org)) {
        if let Some(k) = finding_statuses.iter().position(|s| *s == e.status) {
            per_rule.entry(&*e.rule).or_default()[k] += 1;
        }
    }
    r += 1;
    ws.write_string(
        r,
        0,
        format!(
            "{} utan läsbar arbetsbok av typen Verksamhet visas inte här: för dem saknas underlag för varje regel (se bladet Organisationer).",
            headline::plural(without.len(), "organisation", "organisationer")
        ),
    )?;
    r += 1;
    let chart_header = r;
    ws.set_row_height(r, 30)?;
    ws.write_string_with_format(r, 0, "Regel", &fmt.header)?;
    for (k, s) in finding_statuses.iter().enumerate() {
        ws.write_string_with_format(r, 2 + k as u16, s.label(), &fmt.header_right)?;
    }
    let mut max = 0;
    for rule in &d.rules.rules {
        r += 1;
        let id = rule.def.id.as_str();
        g.text(ws, r, 0, id)?;
        let counts = per_rule.get(id).copied().unwrap_or_default();
        max = max.max(counts.iter().sum::<usize>());
        for (k, n) in counts.iter().enumerate() {
            g.number(ws, r, 2 + k as u16, *n as f64, None)?;
        }
    }
    let chart_last = r;
    if !d.rules.rules.is_empty() {
        let mut chart = Chart::new(ChartType::ColumnStacked);
        chart
            .title()
            .set_name("Iakttagelser per regel (organisationer som lämnat in)");
        for (k, s) in finding_statuses.iter().enumerate() {
            let col = 2 + k as u16;
            chart
                .add_series()
                .set_name(("Sammanfattning", chart_header, col))
                .set_categories(("Sammanfattning", chart_header + 1, 0, chart_last, 0))
                .set_values(("Sammanfattning", chart_header + 1, col, chart_last, col))
                .set_format(
                    rust_xlsxwriter::ChartFormat::new().set_solid_fill(
                        rust_xlsxwriter::ChartSolidFill::new()
                            .set_color(Color::RGB(xlsx::status_chart_color(*s))),
                    ),
                );
        }
        chart.x_axis().set_name("Regel");
        chart
            .y_axis()
            .set_name("Antal")
            .set_num_format("0")
            .set_min(0)
            .set_major_unit(whole_step(max) as f64);
        chart.set_width(760).set_height(340);
        r += 2;
        ws.insert_chart(r, 0, &chart)?;
        r += 18;
    }

    // Resolved findings since the previous run.
    r += 2;
    ws.write_string_with_format(
        r,
        0,
        format!(
            "Åtgärdade sedan föregående körning ({})",
            d.change.previous.as_deref().unwrap_or("ingen")
        ),
        &fmt.title,
    )?;
    r += 1;
    let rh = [
        "Organisation",
        "Tidigare meddelande",
        "Regel",
        "Objekt",
        "Tidigare status",
        "Fil",
        "Blad",
        "Cell",
    ];
    g.header(ws, r, 0, &rh, fmt)?;
    ws.set_row_height(r, 30)?;
    if d.change.resolved.is_empty() {
        r += 1;
        g.text(ws, r, 0, "Inga.")?;
    }
    for e in &d.change.resolved {
        r += 1;
        g.text(ws, r, 0, &e.organisation)?;
        g.text(ws, r, 1, &e.meddelande)?;
        g.text(ws, r, 2, &e.regel)?;
        g.text(ws, r, 3, &e.objekt)?;
        g.text_fmt(ws, r, 4, e.status.label(), fmt.status(e.status))?;
        g.text(ws, r, 5, &e.fil)?;
        g.text(ws, r, 6, &e.blad)?;
        g.text(ws, r, 7, &e.cell)?;
    }

    // The run's facts, last.
    r += 2;
    ws.write_string_with_format(r, 0, "Om körningen", &fmt.title)?;
    r += 1;
    fact_label(ws, r, "Per-datum", &label)?;
    g.date(ws, r, 2, d.settings.per, fmt)?;
    // (Not the run folder's name: two runs over the same inputs give the
    // same report contents.)
    let facts: [(&str, String); 5] = [
        ("Period", d.settings.period.to_string()),
        ("Schema", d.schedule.to_string()),
        ("Programversion", env!("CARGO_PKG_VERSION").to_string()),
        (
            "Regeluppsättningens fingeravtryck (SHA-256)",
            d.rules.fingerprint(),
        ),
        ("Antal regler", d.rules.rules.len().to_string()),
    ];
    for (k, v) in facts {
        r += 1;
        fact_label(ws, r, k, &label)?;
        if k == "Antal regler" {
            g.number(ws, r, 2, d.rules.rules.len() as f64, None)?;
        } else {
            g.text(ws, r, 2, &v)?;
        }
    }
    r += 1;
    fact_label(ws, r, "Filer i indatamappen", &label)?;
    g.number(ws, r, 2, d.log.entries.len() as f64, None)?;
    for (k, v) in crate::report::gallring::summary_lines(d.gallrade) {
        r += 1;
        fact_label(ws, r, k, &label)?;
        g.text(ws, r, 2, &v)?;
    }
    // Printed as it stands: no repeated rows (the sheet has several tables).
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    xlsx::page_setup(ws, fmt);
    Ok(())
}

/// A key figure's or fact's label, over columns A and B.
fn fact_label(ws: &mut Worksheet, r: u32, text: &str, f: &Format) -> Result<()> {
    ws.merge_range(r, 0, r, 1, text, f)?;
    Ok(())
}

/// A rule id linking to its row on `Regler` (the `i`th rule is on row i + 2).
fn rule_link(ws: &mut Worksheet, r: u32, id: &str, i: usize) -> Result<()> {
    let url = Url::new(format!("internal:'Regler'!A{}", i + 2)).set_text(id);
    ws.write_url(r, 0, url)?;
    Ok(())
}

/// A whole-number step for an axis up to `max`: 1, 2, 5, 10, 20, 50, …
/// giving at most ten steps.
pub fn whole_step(max: usize) -> usize {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if max <= step * m * 10 {
                return step * m;
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_whole_numbers() {
        assert_eq!(whole_step(0), 1);
        assert_eq!(whole_step(3), 1);
        assert_eq!(whole_step(10), 1);
        assert_eq!(whole_step(11), 2);
        assert_eq!(whole_step(68), 10);
        assert_eq!(whole_step(1054), 200);
    }
}
