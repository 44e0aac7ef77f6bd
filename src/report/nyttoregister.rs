//! `nyttoregister.xlsx` (report.md 1b; issue 19 item 2): the city's
//! register of the benefits of its change initiatives, built from the
//! `Förändringsinsatser` sheets the förvaltningar already submit (with the
//! optional benefit columns where present), at no extra reporting cost.

use std::path::Path;

use anyhow::Result;
use chrono::{Datelike as _, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use super::xlsx::{self, Formats, Grid};
use super::RunData;
use crate::model::records::{Forandringsinsats, INRIKTNINGAR, NYTTOR};

/// The file's name in the run folder.
pub const FILE: &str = "nyttoregister.xlsx";

/// The register sheet's columns.
pub const HEADERS: [&str; 20] = [
    "Organisation",
    "Namn",
    "Insats",
    "Inriktning",
    "Nytta",
    "Status",
    "Stadsgemensam",
    "Kostnads- och nyttoanalys",
    "Nyttorealiseringsplan",
    "Utvärderad",
    "Budget (kr)",
    "Ansvarig",
    "Slutdatum",
    "Förväntad nytta",
    "Nyttomått",
    "Utgångsvärde",
    "Målvärde",
    "Utfall",
    "Nytta mätt",
    "Andel av planerad nytta",
];

/// Each column's width in characters (long text wraps): 240 in all, so the
/// sheet prints legibly on A4 landscape.
const WIDTHS: [f64; 20] = [
    12.0, 16.0, 20.0, 12.0, 8.0, 9.0, 10.0, 13.0, 13.0, 11.0, 11.0, 13.0, 11.0, 18.0, 14.0, 10.0,
    9.0, 8.0, 10.0, 12.0,
];

/// The header row as printed: the contract's names, broken where a column
/// is narrower than its name.
const SHOWN_HEADERS: [&str; 20] = [
    "Organisation",
    "Namn",
    "Insats",
    "Inriktning",
    "Nytta",
    "Status",
    "Stads-\ngemensam",
    "Kostnads- och\nnyttoanalys",
    "Nyttorealise-\nringsplan",
    "Utvärderad",
    "Budget (kr)",
    "Ansvarig",
    "Slutdatum",
    "Förväntad nytta",
    "Nyttomått",
    "Utgångs-\nvärde",
    "Målvärde",
    "Utfall",
    "Nytta mätt",
    "Andel av\nplanerad\nnytta",
];

/// The columns whose text wraps.
const WRAPPED: [u16; 5] = [1, 2, 11, 13, 14];

/// Lines a text needs in a wrapped column `width` characters wide (roughly:
/// by characters, not words).
fn lines(text: &str, width: f64) -> u32 {
    let per_line = (width - 1.0).max(1.0);
    text.lines()
        .map(|l| ((l.chars().count() as f64) / per_line).ceil().max(1.0) as u32)
        .sum::<u32>()
        .max(1)
}

/// A benefit measure (`Utgångsvärde`, `Målvärde`, `Utfall`) as a number,
/// when its text is one: an optional sign, digits with an optional decimal
/// comma or point and spaces between digit groups, optionally followed by a
/// unit (`12 dagar`, `85 %`, `1 200 kr`). Anything else (`ca 40`, `hög`)
/// is no number; the text is kept as written either way (docs/readings.md).
pub fn measure(text: &str) -> Option<f64> {
    number_and_unit(text).map(|(v, _)| v)
}

/// [`measure`]'s number and the unit after it (empty for a bare number).
fn number_and_unit(text: &str) -> Option<(f64, &str)> {
    let t = text.trim();
    let body_end = t
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '-' | '+' | ',' | '.' | ' ' | '\u{a0}')))
        .map_or(t.len(), |(i, _)| i);
    let (number, unit) = t.split_at(body_end);
    // A unit starts after a space or directly (`85%`), never with a digit.
    if unit.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = number
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if digits.is_empty() || !digits.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let v = digits.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some((v, unit.trim()))
}

/// The share of the planned benefit reached: how far `Utfall` has come from
/// `Utgångsvärde` towards `Målvärde` ((utfall − utgång) / (mål − utgång));
/// 1 is the target reached, above 1 beyond it, below 0 a change away from
/// it. `None` without all three numbers, or when the target equals the
/// starting value.
pub fn share_reached(utgang: Option<f64>, mal: Option<f64>, utfall: Option<f64>) -> Option<f64> {
    let (u, m, f) = (utgang?, mal?, utfall?);
    let span = m - u;
    (span != 0.0).then(|| (f - u) / span)
}

/// One register row: the organisation and its insats.
struct Row<'a> {
    org: &'a str,
    name: &'a str,
    insats: &'a Forandringsinsats,
}

fn ja_nej(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "Ja",
        Some(false) => "Nej",
        None => "",
    }
}

fn date(ws: &mut Worksheet, row: u32, col: u16, d: NaiveDate, f: &Format) -> Result<()> {
    let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
    ws.write_datetime_with_format(row, col, &x, f)?;
    Ok(())
}

/// Write `nyttoregister.xlsx` to `path`.
pub fn write(path: &Path, d: &RunData<'_>) -> Result<()> {
    let t = std::time::Instant::now();
    let cpu = crate::metrics::thread_cpu_seconds();
    write_register(path, d)?;
    tracing::debug!(
        seconds = t.elapsed().as_secs_f64(),
        thread_cpu_seconds = crate::metrics::thread_cpu_seconds() - cpu,
        "register written"
    );
    Ok(())
}

/// [`write`], untimed.
fn write_register(path: &Path, d: &RunData<'_>) -> Result<()> {
    let mut wb = xlsx::workbook(d.settings.per, "Nyttoregister")?;
    let fmt = Formats::new();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0");
    let share = Format::new().set_num_format("0%");
    let mut rows: Vec<Row<'_>> = Vec::new();
    for o in &d.model.orgs {
        let Some(v) = &o.verksamhet else { continue };
        for insats in v.insatser.iter().flatten() {
            rows.push(Row {
                org: &o.org.id,
                name: &o.org.namn,
                insats,
            });
        }
    }
    // The city's common initiatives first, then register and sheet order.
    rows.sort_by_key(|r| r.insats.stadsgemensam.value != Some(true));

    // Row by row to a temporary file, as the report's long tables: the
    // register has a row per insats (tens of thousands at 3,000
    // organisations), which a sheet in memory would hold until saved.
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Nyttoregister")?;
    let mut g = Grid::new();
    let header = fmt.header.clone().set_text_wrap();
    for (c, h) in SHOWN_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
    }
    ws.set_row_height(0, 45)?;
    let mut r = 0u32;
    for row in &rows {
        let i = row.insats;
        r += 1;
        g.text(ws, r, 0, row.org)?;
        g.text_fmt(ws, r, 1, row.name, &fmt.wrap)?;
        let texts = [
            (2, i.insats.value.as_deref()),
            (3, i.inriktning.value.as_deref()),
            (4, i.nytta.value.as_deref()),
            (5, i.status.value.as_deref()),
            (6, Some(ja_nej(i.stadsgemensam.value))),
            (7, Some(ja_nej(i.kostnads_och_nyttoanalys.value))),
            (8, Some(ja_nej(i.nyttorealiseringsplan.value))),
            (9, Some(ja_nej(i.utvarderad.value))),
            (11, i.ansvarig.value.as_deref()),
            (13, i.forvantad_nytta.value.as_deref()),
            (14, i.nyttomatt.value.as_deref()),
        ];
        let mut height = lines(row.name, WIDTHS[1]);
        for (c, t) in texts {
            if let Some(t) = t {
                if WRAPPED.contains(&c) {
                    height = height.max(lines(t, WIDTHS[c as usize]));
                    g.text_fmt(ws, r, c, t, &fmt.wrap)?;
                } else {
                    g.text(ws, r, c, t)?;
                }
            }
        }
        if let Some(b) = i.budget.value {
            g.number(ws, r, 10, b.kronor(), Some(&money))?;
        }
        if let Some(s) = i.slutdatum.value {
            date(ws, r, 12, s, &date_fmt)?;
        }
        let mut numbers = [None; 3];
        for (k, (c, v)) in [(15, &i.utgangsvarde), (16, &i.malvarde), (17, &i.utfall)]
            .into_iter()
            .enumerate()
        {
            let Some(t) = v.value.as_deref() else {
                continue;
            };
            let read = number_and_unit(t);
            numbers[k] = read.map(|(v, _)| v);
            // A bare number is written as a number; with a unit or as
            // words, as the text it was written.
            match read {
                Some((v, "")) => g.number(ws, r, c, v, None)?,
                _ => g.text(ws, r, c, t)?,
            }
        }
        if height > 1 {
            ws.set_row_height(r, 15 * height)?;
        }
        if let Some(m) = i.nytta_matt.value {
            date(ws, r, 18, m, &date_fmt)?;
        }
        if let Some(s) = share_reached(numbers[0], numbers[1], numbers[2]) {
            ws.write_number_with_format(r, 19, s, &share)?;
        }
    }
    if rows.is_empty() {
        r = 1;
        g.text(
            ws,
            r,
            0,
            "Ingen organisation har lämnat förändringsinsatser.",
        )?;
    }
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    xlsx::table_setup(ws, 0, r, HEADERS.len() as u16, true)?;
    ws.set_freeze_panes(1, 3)?;
    xlsx::end_rows(ws, r)?;

    summary(&mut wb, &rows, &fmt, &money)?;
    xlsx::save(&mut wb, path)?;
    Ok(())
}

/// The `Sammanställning` sheet: the plan's two balance goals, inriktning ×
/// nytta, with the number of insatser and their budget in each cell.
fn summary(wb: &mut Workbook, rows: &[Row<'_>], fmt: &Formats, money: &Format) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Sammanställning")?;
    let mut g = Grid::new();
    ws.write_string_with_format(
        0,
        0,
        "Förändringsinsatser per inriktning och nytta (planens två balansmål)",
        &fmt.title,
    )?;
    let cell = |inr: Option<&str>, nytta: Option<&str>| -> (f64, f64) {
        rows.iter()
            .filter(|r| inr.is_none_or(|x| r.insats.inriktning.value.as_deref() == Some(x)))
            .filter(|r| nytta.is_none_or(|x| r.insats.nytta.value.as_deref() == Some(x)))
            .fold((0.0, 0.0), |(n, b), r| {
                (
                    n + 1.0,
                    b + r.insats.budget.value.map_or(0.0, |m| m.kronor()),
                )
            })
    };
    let mut r = 2;
    for (title, budget) in [("Budget (kr)", true), ("Antal insatser", false)] {
        let mut headers = vec![title];
        headers.extend(NYTTOR.iter().copied());
        headers.push("Totalt");
        g.header(ws, r, 0, &headers, fmt)?;
        let inriktningar = INRIKTNINGAR.iter().map(|i| Some(*i)).chain([None]);
        for inr in inriktningar {
            r += 1;
            g.text_fmt(ws, r, 0, inr.unwrap_or("Totalt"), &fmt.bold)?;
            let nyttor = NYTTOR.iter().map(|n| Some(*n)).chain([None]);
            for (k, nytta) in nyttor.enumerate() {
                let (n, b) = cell(inr, nytta);
                let v = if budget { b } else { n };
                let f = if budget { money } else { &fmt.integer };
                g.number(ws, r, 1 + k as u16, v, Some(f))?;
            }
        }
        r += 3;
    }
    ws.write_string(
        r - 1,
        0,
        "Insatser utan inriktning eller nytta räknas bara i totalen.",
    )?;
    g.apply_widths(ws)?;
    xlsx::print_setup(ws, 2)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_headers_are_the_contracts_names_broken() {
        for (shown, name) in SHOWN_HEADERS.iter().zip(HEADERS) {
            assert_eq!(shown.replace("-\n", "").replace('\n', " "), name);
        }
    }

    #[test]
    fn a_measure_is_a_number_with_or_without_its_unit() {
        assert_eq!(measure("12"), Some(12.0));
        assert_eq!(measure(" 12,5 "), Some(12.5));
        assert_eq!(measure("0.85"), Some(0.85));
        assert_eq!(measure("-3"), Some(-3.0));
        assert_eq!(measure("1 200 kr"), Some(1200.0));
        assert_eq!(measure("85 %"), Some(85.0));
        assert_eq!(measure("85%"), Some(85.0));
        assert_eq!(measure("12 dagar"), Some(12.0));
        assert_eq!(measure("ca 40"), None);
        assert_eq!(measure("hög"), None);
        assert_eq!(measure(""), None);
        assert_eq!(measure("12 av 20"), None);
        assert_eq!(measure("1,2,3"), None);
    }

    #[test]
    fn the_share_reached_runs_from_the_start_to_the_target() {
        // From 40 days towards 10: 25 is half way.
        assert_eq!(share_reached(Some(40.0), Some(10.0), Some(25.0)), Some(0.5));
        assert_eq!(
            share_reached(Some(0.0), Some(200.0), Some(250.0)),
            Some(1.25)
        );
        assert_eq!(share_reached(Some(10.0), Some(20.0), Some(5.0)), Some(-0.5));
        assert_eq!(share_reached(Some(10.0), Some(10.0), Some(10.0)), None);
        assert_eq!(share_reached(Some(10.0), Some(20.0), None), None);
        assert_eq!(share_reached(None, Some(20.0), Some(15.0)), None);
    }
}
