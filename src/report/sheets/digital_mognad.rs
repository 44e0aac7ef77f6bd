//! `Digital mognad`: DiMiOS results per organisation and the city's means.

use anyhow::Result;
use rust_xlsxwriter::{Chart, ChartType, Workbook};

use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::maturity::AREAS as MOGNAD_AREAS;

/// Add the `Digital mognad` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Digital mognad")?;
    let mut g = Grid::new();
    let mut headers = vec!["Organisation", "Namn", "År", "Totalt"];
    headers.extend(MOGNAD_AREAS);
    headers.push("Jämfört med år");
    let change_headers: Vec<String> = std::iter::once("Totalt")
        .chain(MOGNAD_AREAS)
        .map(|a| format!("Förändring {a}"))
        .collect();
    headers.extend(change_headers.iter().map(String::as_str));
    g.header(ws, 0, 0, &headers, fmt)?;
    // Fixed widths (18 columns on one page): narrow number columns under
    // wrapped headers.
    g.wrap_column(ws, 0, 14.0, fmt)?;
    g.wrap_column(ws, 1, 26.0, fmt)?;
    for c in 2..headers.len() as u16 {
        g.wrap_column(ws, c, 11.0, fmt)?;
    }
    ws.set_row_height(0, 60)?;
    let plain = rust_xlsxwriter::Format::new().set_align(rust_xlsxwriter::FormatAlign::Left);
    let m = d.maturity;
    let names = d.model.names();
    let name = |id: &str| names.get(id).copied().unwrap_or_default();
    let mut r = 0;
    for o in &m.per_organisation {
        r += 1;
        g.text(ws, r, 0, &o.organisation)?;
        g.text(ws, r, 1, name(&o.organisation))?;
        g.number(ws, r, 2, o.ar as f64, None)?;
        for (k, v) in o.varden.iter().enumerate() {
            g.opt_number(ws, r, 3 + k as u16, *v, Some(&fmt.number))?;
        }
        if let Some(py) = o.jamfort_med_ar {
            g.number(ws, r, 10, py as f64, None)?;
            for (k, v) in o.forandring.iter().enumerate() {
                g.opt_number(ws, r, 11 + k as u16, *v, Some(&fmt.number))?;
            }
        }
    }
    let main_last = r.max(1);
    if r == 0 {
        ws.write_string_with_format(
            1,
            0,
            "Ingen organisation har lämnat DiMiOS-resultat.",
            &plain,
        )?;
    }
    xlsx::table_setup(ws, 0, main_last, headers.len() as u16, true)?;

    // The city's mean per area and year.
    r = main_last + 2;
    g.text_fmt(ws, r, 0, "Stadens medelvärde per område och år", &fmt.title)?;
    r += 1;
    let mean_header = r;
    let mut mh = vec!["År", "Organisationer", "Totalt"];
    mh.extend(MOGNAD_AREAS);
    g.header(ws, r, 0, &mh, fmt)?;
    for c in &m.staden {
        r += 1;
        g.number(ws, r, 0, c.ar as f64, None)?;
        g.number(ws, r, 1, c.organisationer as f64, None)?;
        for (k, mean) in c.medel.iter().enumerate() {
            g.opt_number(ws, r, 2 + k as u16, *mean, Some(&fmt.number))?;
        }
    }
    let mean_last = r;
    if !m.staden.is_empty() {
        let mut chart = Chart::new(ChartType::Line);
        chart
            .title()
            .set_name("Stadens medelvärde per område (DiMiOS)");
        for k in 0..7u16 {
            let col = 2 + k;
            chart
                .add_series()
                .set_name(("Digital mognad", mean_header, col))
                .set_categories(("Digital mognad", mean_header + 1, 0, mean_last, 0))
                .set_values(("Digital mognad", mean_header + 1, col, mean_last, col));
        }
        chart.x_axis().set_name("År");
        chart.y_axis().set_name("Procent").set_min(0).set_max(100);
        chart.set_width(640).set_height(360);
        ws.insert_chart(mean_last + 2, 0, &chart)?;
        r = mean_last + 2 + 20;
    } else {
        r += 1;
        ws.write_string_with_format(r, 0, "Inga mätningar.", &plain)?;
    }

    // Organisations without a measurement for Y−1.
    r += 2;
    g.text_fmt(
        ws,
        r,
        0,
        &format!("Organisationer utan mätning för {}", m.forvantat_ar),
        &fmt.title,
    )?;
    r += 1;
    g.header(ws, r, 0, &["Organisation", "Namn", "Senaste mätår"], fmt)?;
    for (id, latest) in &m.utan_matning {
        r += 1;
        g.text(ws, r, 0, id)?;
        g.text(ws, r, 1, name(id))?;
        match latest {
            Some(l) => g.number(ws, r, 2, *l as f64, None)?,
            None => g.text(ws, r, 2, "ingen mätning")?,
        }
    }
    if m.utan_matning.is_empty() {
        r += 1;
        ws.write_string_with_format(r, 0, "Alla organisationer har en mätning.", &plain)?;
    }
    r = crate::report::sheets::historik::mognad_trend(ws, &mut g, r + 2, d, fmt)?;
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        "En indikator, inte ett krav: planen anger att staden har för avsikt att årligen mäta den digitala mognaden (DiMiOS).",
        &plain,
    )?;
    g.apply_widths(ws)?;
    xlsx::page_setup(ws, fmt);
    Ok(())
}
