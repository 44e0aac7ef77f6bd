//! The `Historik` sheet (report.md; issue 19 item 4): the brister of the
//! earlier runs of the same schedule beside this run's. One layout
//! throughout, shared with the DiMiOS trend of `Digital mognad`: a row per
//! organisation (or rule, or severity), a column per point in time, oldest
//! left, this run right.

use std::collections::HashSet;

use anyhow::Result;
use rust_xlsxwriter::{Chart, ChartMarker, ChartMarkerType, ChartType, Workbook};

use crate::report::history::RunCounts;
use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;

/// The sheet's name.
pub const NAME: &str = "Historik";

/// The severities, as the count columns' headers (order of [`RunCounts`]).
const SEVERITIES: [&str; 3] = ["Hög", "Medel", "Låg"];

/// Width of a count column, in characters (a date fits).
const COUNT_WIDTH: f64 = 11.0;

/// The points in time the sheet shows: the earlier runs read, then this one.
fn points<'a>(d: &'a RunData<'_>, this: &'a RunCounts) -> Vec<&'a RunCounts> {
    d.history.earlier.iter().chain([this]).collect()
}

/// A point's column label: its per-date, or the run's name where two runs
/// share a per-date.
fn labels(points: &[&RunCounts]) -> Vec<String> {
    let per = |p: &RunCounts| p.per.map(|d| d.to_string()).unwrap_or_default();
    points
        .iter()
        .map(|p| {
            let same = points.iter().filter(|q| per(q) == per(p)).count();
            if same > 1 || p.per.is_none() {
                p.run.clone()
            } else {
                per(p)
            }
        })
        .collect()
}

/// Write the `Historik` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let this = crate::report::history::count(d.run_name, d.settings.per, d.evaluations);
    let points = points(d, &this);
    let labels = labels(&points);
    let n = points.len() as u16;
    let ws = wb.add_worksheet().set_name(NAME)?;
    let mut g = Grid::new();
    g.text_fmt(
        ws,
        0,
        0,
        &format!("Historik: brister per körning av schemat {}", d.schedule),
        &fmt.title,
    )?;
    let intro = if d.history.earlier.is_empty() {
        format!(
            "Det finns ingen tidigare körning av schemat {} att jämföra med; tabellerna visar bara denna körning.",
            d.schedule
        )
    } else {
        let earlier = match d.history.earlier.len() {
            1 => "Den senaste tidigare körningen".to_string(),
            n => format!("De {n} senaste tidigare körningarna"),
        };
        format!(
            "{earlier} av schemat {} och denna (längst till höger), per körningens per-datum. Antal brister per allvarlighet; en rad per organisation, en kolumn per tidpunkt, som i bladet Digital mognad.",
            d.schedule
        )
    };
    ws.write_string(1, 0, &intro)?;
    let mut r = 1;
    for s in &d.history.skipped {
        r += 1;
        ws.write_string(r, 0, xlsx::clip(s).as_ref())?;
    }
    let this_run: Vec<(String, String)> = d
        .gallrade
        .iter()
        .map(|g| (g.namn.clone(), g.per.clone()))
        .collect();
    let gaps = d.history.gaps(&this_run);
    if !gaps.is_empty() {
        r += 1;
        let text = format!(
            "{} inom den visade perioden har gallrats och saknas i tabellerna: {}.",
            if gaps.len() == 1 {
                "1 körning".to_string()
            } else {
                format!("{} körningar", gaps.len())
            },
            gaps.join(", ")
        );
        ws.write_string(r, 0, xlsx::clip(&text).as_ref())?;
    }

    // Per organisation: a group of three columns per point in time.
    r += 2;
    let top = r;
    let header = r + 1;
    g.header(ws, top, 0, &["Organisation", "Namn"], fmt)?;
    ws.write_blank(header, 0, &fmt.header)?;
    ws.write_blank(header, 1, &fmt.header)?;
    for (k, label) in labels.iter().enumerate() {
        let c = 2 + 3 * k as u16;
        ws.merge_range(top, c, top, c + 2, label, &fmt.header)?;
        for (i, s) in SEVERITIES.iter().enumerate() {
            ws.write_string_with_format(header, c + i as u16, *s, &fmt.header)?;
        }
    }
    let names = d.model.names();
    let mut orgs: Vec<&str> = d.model.orgs.iter().map(|o| o.org.id.as_str()).collect();
    let mut seen: HashSet<&str> = orgs.iter().copied().collect();
    // Organisations of earlier runs no longer in the register, after it.
    let mut gone: Vec<&str> = points
        .iter()
        .flat_map(|p| p.organisations.keys().map(String::as_str))
        .filter(|o| seen.insert(o))
        .collect();
    gone.sort_unstable();
    orgs.extend(gone);
    r = header;
    for org in &orgs {
        r += 1;
        g.text(ws, r, 0, org)?;
        g.text(
            ws,
            r,
            1,
            names.get(org).copied().unwrap_or("(inte i registret)"),
        )?;
        for (k, p) in points.iter().enumerate() {
            for (i, v) in p.of(org).iter().enumerate() {
                ws.write_number(r, 2 + 3 * k as u16 + i as u16, f64::from(*v))?;
            }
        }
    }
    let org_last = r.max(header);
    ws.autofilter(header, 0, org_last, 1 + 3 * n)?;
    ws.set_freeze_panes(header + 1, 2)?;
    xlsx::print_setup(ws, header)?;
    xlsx::page_setup(ws, fmt);
    ws.set_repeat_rows(top, header)?;

    // Per rule: the organisations with a brist, a column per point in time.
    r = org_last + 2;
    g.text_fmt(ws, r, 0, "Organisationer med brist per regel", &fmt.title)?;
    r += 1;
    let mut rh = vec!["Regel", "Regeltitel"];
    rh.extend(labels.iter().map(String::as_str));
    g.header(ws, r, 0, &rh, fmt)?;
    for rule in &d.rules.rules {
        r += 1;
        g.text(ws, r, 0, &rule.def.id)?;
        ws.write_string(r, 1, xlsx::clip(&rule.def.titel).as_ref())?;
        for (k, p) in points.iter().enumerate() {
            ws.write_number(r, 2 + k as u16, f64::from(p.orgs_with_brist(&rule.def.id)))?;
        }
    }

    // The city: brister per severity, and the chart of hög, printed
    // together on a page of their own.
    r += 2;
    ws.set_page_breaks(&[r])?;
    g.text_fmt(ws, r, 0, "Staden: brister per allvarlighet", &fmt.title)?;
    r += 1;
    let city_header = r;
    let mut ch = vec!["Allvarlighet", ""];
    ch.extend(labels.iter().map(String::as_str));
    g.header(ws, r, 0, &ch, fmt)?;
    for (i, s) in SEVERITIES.iter().enumerate() {
        r += 1;
        g.text(ws, r, 0, s)?;
        for (k, p) in points.iter().enumerate() {
            let total: u32 = p.organisations.values().map(|c| c[i]).sum();
            ws.write_number(r, 2 + k as u16, f64::from(total))?;
        }
    }
    let hog_row = city_header + 1;
    let mut chart = Chart::new(ChartType::Line);
    chart
        .title()
        .set_name("Stadens brister med allvarlighet hög per körning");
    chart
        .add_series()
        .set_name((NAME, hog_row, 0))
        .set_categories((NAME, city_header, 2, city_header, 1 + n))
        .set_values((NAME, hog_row, 2, hog_row, 1 + n))
        // A marker per run: with no earlier run the line is one point.
        .set_marker(ChartMarker::new().set_type(ChartMarkerType::Circle));
    chart.x_axis().set_name("Per-datum");
    chart.y_axis().set_name("Brister (hög)").set_min(0);
    chart.legend().set_hidden();
    chart.set_width(640).set_height(320);
    ws.insert_chart(r + 2, 0, &chart)?;

    g.apply_widths(ws)?;
    for c in 2..2 + 3 * n {
        ws.set_column_width(c, COUNT_WIDTH)?;
    }
    Ok(())
}

/// The DiMiOS trend in the `Historik` layout, for the `Digital mognad`
/// sheet (issue 19 item 5): a row per organisation with a measurement, a
/// column per year (oldest left), the `Totalt` score in each cell. Written
/// from `first_row` down; returns the row after it.
pub fn mognad_trend(
    ws: &mut rust_xlsxwriter::Worksheet,
    g: &mut Grid,
    first_row: u32,
    d: &RunData<'_>,
    fmt: &Formats,
) -> Result<u32> {
    use crate::rules::maturity::{by_year, values};
    let mut r = first_row;
    g.text_fmt(
        ws,
        r,
        0,
        "Totalt per organisation och år (samma uppställning som bladet Historik: en rad per organisation, en kolumn per tidpunkt)",
        &fmt.title,
    )?;
    let years: Vec<i64> = d.maturity.staden.iter().map(|c| c.ar).collect();
    r += 1;
    let year_labels: Vec<String> = years.iter().map(i64::to_string).collect();
    let mut headers = vec!["Organisation", "Namn"];
    headers.extend(year_labels.iter().map(String::as_str));
    g.header(ws, r, 0, &headers, fmt)?;
    let mut any = false;
    for o in &d.model.orgs {
        let rows = by_year(o);
        if rows.is_empty() {
            continue;
        }
        any = true;
        r += 1;
        g.text(ws, r, 0, &o.org.id)?;
        g.text(ws, r, 1, &o.org.namn)?;
        for (k, y) in years.iter().enumerate() {
            let total = rows.get(y).and_then(|m| values(m)[0]);
            g.opt_number(ws, r, 2 + k as u16, total, Some(&fmt.number))?;
        }
    }
    if !any {
        r += 1;
        g.text(ws, r, 0, "Inga mätningar.")?;
    }
    Ok(r + 1)
}
