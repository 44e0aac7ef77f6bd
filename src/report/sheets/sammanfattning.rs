//! `Sammanfattning`: the headline, key figures, per-rule counts and chart,
//! the change since the previous run and the run's facts.

use std::collections::BTreeSet;

use anyhow::Result;
use rust_xlsxwriter::{Chart, ChartType, Color, Workbook};

use crate::report::xlsx::{self, Cell, Formats, Grid};
use crate::report::RunData;
use crate::rules::{Severity, Status};

/// Add the `Sammanfattning` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Sammanfattning")?;
    let mut g = Grid::new();
    let findings = d.tally.findings();
    let new = d.change.new_count();
    let submitted = d
        .model
        .orgs
        .iter()
        .filter(|o| o.submitted_anything())
        .count();
    let with_high: BTreeSet<&str> = d
        .evaluations
        .iter()
        .filter(|e| e.status == Status::Brist && e.severity == Severity::Hog)
        .map(|e| &*e.org)
        .collect();
    let no_high = d
        .model
        .orgs
        .iter()
        .filter(|o| !with_high.contains(o.org.id.as_str()))
        .count();
    let read = d.log.count(crate::ingest::FileStatus::Inlast);
    let errors = d.log.count(crate::ingest::FileStatus::Fel);

    g.header(ws, 0, 0, &["Uppgift", "Värde"], fmt)?;
    let facts: Vec<(&str, Cell)> = vec![
        (
            "Per-datum",
            Cell::owned(crate::model::iso_date(d.settings.per)),
        ),
        ("Period", Cell::owned(d.settings.period.to_string())),
        ("Schema", Cell::s(d.schedule)),
        ("Programversion", Cell::s(env!("CARGO_PKG_VERSION"))),
        (
            "Regeluppsättningens fingeravtryck (SHA-256)",
            Cell::owned(d.rules.fingerprint()),
        ),
        ("Antal regler", Cell::Number(d.rules.rules.len() as f64)),
        (
            "Filer i indatamappen",
            Cell::Number(d.log.entries.len() as f64),
        ),
        ("Filer inlästa", Cell::Number(read as f64)),
        ("Filer med fel", Cell::Number(errors as f64)),
        (
            "Organisationer i registret",
            Cell::Number(d.model.orgs.len() as f64),
        ),
        (
            "Organisationer som lämnat in",
            Cell::Number(submitted as f64),
        ),
        (
            "Organisationer utan brist av allvarlighet hög",
            Cell::Number(no_high as f64),
        ),
        ("Iakttagelser", Cell::Number(findings as f64)),
        (
            "Föregående körning",
            Cell::owned(d.change.describe_previous()),
        ),
        (
            "Nya iakttagelser sedan föregående körning",
            Cell::Number(new as f64),
        ),
        (
            "Åtgärdade iakttagelser sedan föregående körning",
            Cell::Number(d.change.resolved.len() as f64),
        ),
    ];
    let mut facts = facts;
    facts.extend(
        crate::report::gallring::summary_lines(d.gallrade)
            .into_iter()
            .map(|(k, v)| (k, Cell::owned(v))),
    );
    let mut r = 1u32;
    for (k, v) in &facts {
        g.text_fmt(ws, r, 0, k, &fmt.bold)?;
        match v {
            Cell::Text(s) => g.text(ws, r, 1, s)?,
            Cell::Number(n) => g.number(ws, r, 1, *n, None)?,
            _ => {}
        }
        r += 1;
    }

    // Status counts per rule.
    r += 1;
    g.text_fmt(ws, r, 0, "Utfall per regel", &fmt.title)?;
    r += 1;
    let table_header = r;
    let mut headers = vec!["Regel", "Titel", "Allvarlighet"];
    headers.extend(Status::ALL.iter().map(|s| s.label()));
    headers.push("Iakttagelser");
    g.header(ws, r, 0, &headers, fmt)?;
    for rule in &d.rules.rules {
        r += 1;
        let id = rule.def.id.as_str();
        g.text(ws, r, 0, id)?;
        g.text(ws, r, 1, &rule.def.titel)?;
        g.text(ws, r, 2, rule.def.allvarlighet.label())?;
        let mut f = 0;
        for (i, s) in Status::ALL.iter().enumerate() {
            let n = d.tally.count(id, *s);
            if s.is_finding() {
                f += n;
            }
            g.number(ws, r, 3 + i as u16, n as f64, None)?;
        }
        g.number(ws, r, 3 + Status::ALL.len() as u16, f as f64, None)?;
    }
    let table_last = r;
    xlsx::table_setup(ws, table_header, table_last, headers.len() as u16, false)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_repeat_rows(table_header, table_header)?;

    // Chart: findings per rule, stacked by status.
    if !d.rules.rules.is_empty() {
        let mut chart = Chart::new(ChartType::ColumnStacked);
        chart.title().set_name("Iakttagelser per regel");
        for (i, s) in Status::ALL.iter().enumerate() {
            if !s.is_finding() {
                continue;
            }
            let col = 3 + i as u16;
            chart
                .add_series()
                .set_name(("Sammanfattning", table_header, col))
                .set_categories(("Sammanfattning", table_header + 1, 0, table_last, 0))
                .set_values(("Sammanfattning", table_header + 1, col, table_last, col))
                .set_format(
                    rust_xlsxwriter::ChartFormat::new().set_solid_fill(
                        rust_xlsxwriter::ChartSolidFill::new()
                            .set_color(Color::RGB(xlsx::status_chart_color(*s))),
                    ),
                );
        }
        chart.x_axis().set_name("Regel");
        chart.y_axis().set_name("Antal");
        chart.set_width(640).set_height(360);
        // To the right of every table on the sheet.
        ws.insert_chart(1, 10, &chart)?;
    }

    // Resolved findings since the previous run.
    r += 2;
    g.text_fmt(
        ws,
        r,
        0,
        &format!(
            "Åtgärdade sedan föregående körning ({})",
            d.change.previous.as_deref().unwrap_or("ingen")
        ),
        &fmt.title,
    )?;
    r += 1;
    let rh = [
        "Organisation",
        "Regel",
        "Objekt",
        "Tidigare status",
        "Tidigare meddelande",
        "Fil",
        "Blad",
        "Cell",
    ];
    g.header(ws, r, 0, &rh, fmt)?;
    if d.change.resolved.is_empty() {
        r += 1;
        g.text(ws, r, 0, "Inga.")?;
    }
    for e in &d.change.resolved {
        r += 1;
        g.text(ws, r, 0, &e.organisation)?;
        g.text(ws, r, 1, &e.regel)?;
        g.text(ws, r, 2, &e.objekt)?;
        g.text_fmt(ws, r, 3, e.status.label(), fmt.status(e.status))?;
        g.text(ws, r, 4, &e.meddelande)?;
        g.text(ws, r, 5, &e.fil)?;
        g.text(ws, r, 6, &e.blad)?;
        g.text(ws, r, 7, &e.cell)?;
    }
    g.apply_widths(ws)?;
    Ok(())
}
