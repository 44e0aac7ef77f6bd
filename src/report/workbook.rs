//! `uppsikt-rapport.xlsx`: the report to the kommunstyrelsen (report.md,
//! section 1). Every sheet is Swedish; every text that comes from an input or
//! a rule is written as literal text (never as a formula).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;
use rust_xlsxwriter::{Chart, ChartType, Color, Workbook};

use super::xlsx::{self, Cell, Formats, Grid};
use super::RunData;
use crate::model::records::Avsteg;
use crate::rules::indicators::{
    baseline_org, BASELINE_EFFEKTIVITET_PERCENT, BASELINE_INNOVATION_PERCENT,
};
use crate::rules::{Evaluation, RuleDef, Severity, Status, View};

/// The sheet names, in order.
pub const SHEETS: [&str; 10] = [
    "Sammanfattning",
    "Organisationer",
    "Iakttagelser",
    "Avsteg",
    "Indikatorer",
    "Digital mognad",
    "Inläsning",
    "Inläsningsvarningar",
    "Regler",
    super::sheets::historik::NAME,
];

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

/// Days before `Gäller till` an avsteg is flagged as expiring.
pub const AVSTEG_WARNING_DAYS: i64 = 90;

/// The six DiMiOS areas, as headers and field accessors.
pub use crate::rules::maturity::AREAS as MOGNAD_AREAS;

pub use crate::rules::maturity::values as mognad_values;

/// Whether the report needs every outcome of `rule`, not only its findings
/// (which is all any other table or workbook reads): the rule says so with
/// `visas_i`.
pub fn needs_every_outcome(rule: &RuleDef) -> bool {
    View::ALL.into_iter().any(|v| rule.shown_in(v))
}

/// The rules whose outcomes the `Avsteg` sheet shows beside each avsteg
/// (`visas_i: [Avsteg]`), in rule order.
fn avsteg_rules<'a>(d: &'a RunData<'_>) -> Vec<&'a str> {
    d.rules
        .rules
        .iter()
        .filter(|r| r.def.shown_in(View::Avsteg))
        .map(|r| r.def.id.as_str())
        .collect()
}

/// The evaluations of the rules shown in the `Avsteg` sheet per
/// (organisation, rule, subject), for the avsteg tables (the only lookups by
/// subject).
struct Index<'a> {
    by_subject: HashMap<(&'a str, &'a str, &'a str), Vec<&'a Evaluation>>,
}

impl<'a> Index<'a> {
    fn new(evaluations: &'a [Evaluation], rules: &[&str]) -> Self {
        let mut by_subject: HashMap<(&str, &str, &str), Vec<&Evaluation>> = HashMap::new();
        for e in evaluations.iter().filter(|e| rules.contains(&&*e.rule)) {
            by_subject
                .entry((&*e.org, &*e.rule, e.subject.as_str()))
                .or_default()
                .push(e);
        }
        Self { by_subject }
    }

    /// The evaluation of `rule` for one avsteg row whose subject key is
    /// `key` ([`crate::rules::subject_key`]), preferring the one whose
    /// evidence lies on that row (keys can repeat).
    fn avsteg(&self, org: &str, rule: &str, key: &str, a: &Avsteg) -> Option<&'a Evaluation> {
        let list = self.by_subject.get(&(org, rule, key))?;
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

pub use crate::rules::maturity::by_year as mognad_by_year;

/// Write the kommunstyrelsen's report workbook to `path`.
pub fn write(path: &Path, d: &RunData<'_>) -> Result<()> {
    let mut wb = xlsx::workbook(
        d.settings.per,
        "Uppföljning av riktlinjen för digitalisering",
    )?;
    let fmt = Formats::new();
    let t = std::time::Instant::now();
    let lap = |what: &str| tracing::debug!(seconds = t.elapsed().as_secs_f64(), "report: {what}");
    let shown = avsteg_rules(d);
    let idx = Index::new(d.evaluations, &shown);
    lap("index");
    sammanfattning(&mut wb, d, &fmt)?;
    lap("Sammanfattning");
    organisationer(&mut wb, d, &fmt)?;
    lap("Organisationer");
    iakttagelser(&mut wb, d, &fmt)?;
    lap("Iakttagelser");
    avsteg(&mut wb, d, &fmt, &idx, &shown)?;
    lap("Avsteg");
    indikatorer(&mut wb, d, &fmt)?;
    digital_mognad(&mut wb, d, &fmt)?;
    inlasning(&mut wb, d, &fmt)?;
    inlasningsvarningar(&mut wb, d, &fmt)?;
    regler(&mut wb, d, &fmt)?;
    lap("other sheets");
    super::sheets::historik::write(&mut wb, d, &fmt)?;
    lap("Historik");
    wb.save(path)?;
    lap("saved");
    Ok(())
}

fn rule_ids<'a>(d: &'a RunData<'_>) -> Vec<&'a str> {
    d.rules.rules.iter().map(|r| r.def.id.as_str()).collect()
}

fn sammanfattning(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
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
            Cell::owned(
                d.change
                    .previous
                    .clone()
                    .unwrap_or_else(|| "ingen (första körningen med detta schema)".into()),
            ),
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

fn organisationer(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Organisationer")?;
    let mut g = Grid::new();
    let rules = rule_ids(d);
    let mut headers = vec![
        "Organisation",
        "Namn",
        "Typ",
        "Leverantör",
        "Inlämnad",
        "Samlad status",
    ];
    headers.extend(rules.iter().copied());
    g.header(ws, 0, 0, &headers, fmt)?;
    let mut r = 0;
    for o in &d.model.orgs {
        r += 1;
        let id = o.org.id.as_str();
        g.text(ws, r, 0, id)?;
        g.text(ws, r, 1, &o.org.namn)?;
        g.text(ws, r, 2, o.org.typ.as_str())?;
        g.text(ws, r, 3, if o.org.leverantor { "Ja" } else { "Nej" })?;
        match o.submitted() {
            Some(dt) => g.text(ws, r, 4, &crate::model::iso_date(dt))?,
            None if o.submitted_anything() => g.text(ws, r, 4, "inlämnad, datum saknas")?,
            None => g.text(ws, r, 4, "ej inlämnad")?,
        }
        if let Some(s) = d.tally.overall(id) {
            g.text_fmt(ws, r, 5, s.label(), fmt.status(s))?;
        }
        for (i, rule) in rules.iter().enumerate() {
            if let Some(s) = d.tally.worst(id, rule) {
                g.text_fmt(ws, r, 6 + i as u16, s.label(), fmt.status(s))?;
            }
        }
    }
    let ncols = headers.len() as u16;
    xlsx::table_setup(ws, 0, r, ncols, true)?;
    // Legend to the right of the table.
    let lc = ncols + 1;
    ws.write_string_with_format(0, lc, "Förklaring", &fmt.header)?;
    g.measure(lc, "Förklaring");
    let explain = |s: Status| match s {
        Status::Regelfel => "regeln kunde inte köras (se bladet Regler)",
        Status::Brist => "kravet är inte uppfyllt",
        Status::UnderlagSaknas => "uppgifter saknas för att bedöma",
        Status::Uppfyllt => "kravet är uppfyllt",
        Status::EjTillamplig => "regeln gäller inte här",
    };
    for (i, s) in Status::ALL.iter().enumerate() {
        let row = 1 + i as u32;
        g.text_fmt(ws, row, lc, s.label(), fmt.status(*s))?;
        g.text(ws, row, lc + 1, explain(*s))?;
    }
    g.text(
        ws,
        7,
        lc,
        "Samlad status är den sämsta över reglerna: regelfel > brist > underlag saknas > uppfyllt > ej tillämplig.",
    )?;
    // That note may be long; do not let it widen the legend column.
    g.apply_widths(ws)?;
    ws.set_column_width(lc, 18)?;
    Ok(())
}

fn iakttagelser(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    iakttagelser_with_limit(wb, d, fmt, xlsx::MAX_DATA_ROWS)
}

/// `Iakttagelser`, continued on `Iakttagelser (2)` … after `max_rows` rows.
pub fn iakttagelser_with_limit(
    wb: &mut Workbook,
    d: &RunData<'_>,
    fmt: &Formats,
    max_rows: u32,
) -> Result<()> {
    let titles: HashMap<&str, (&str, &str)> = d
        .rules
        .rules
        .iter()
        .map(|r| {
            (
                r.def.id.as_str(),
                (r.def.titel.as_str(), r.def.referens.as_str()),
            )
        })
        .collect();
    let findings = || {
        d.evaluations
            .iter()
            .enumerate()
            .filter(|(_, e)| e.status.is_finding())
    };
    // Pre-pass for the column widths (capped, so long messages stay readable).
    let mut widths = Grid::new();
    for (_, e) in findings() {
        widths.measure(0, &e.org);
        widths.measure(1, &e.rule);
        if let Some((t, re)) = titles.get(&*e.rule) {
            widths.measure(2, t);
            widths.measure(10, re);
        }
        widths.measure(4, e.status.label());
        widths.measure(5, &e.subject);
        widths.measure(6, &e.message);
        if let Some(l) = &e.evidence {
            widths.measure(7, l.file());
            widths.measure(8, l.sheet());
        }
    }
    let rows = findings().map(|(i, e)| {
        let (title, reference) = titles.get(&*e.rule).copied().unwrap_or(("", ""));
        let (file, sheet, cell) = match &e.evidence {
            Some(l) => (l.file(), l.sheet(), Cell::owned(l.cell())),
            None => ("", "", Cell::s("")),
        };
        vec![
            Cell::s(&e.org),
            Cell::s(&e.rule),
            Cell::s(title),
            Cell::s(e.severity.label()),
            Cell::Styled(e.status.label().into(), e.status),
            Cell::s(&e.subject),
            Cell::s(&e.message),
            Cell::s(file),
            Cell::s(sheet),
            cell,
            Cell::s(reference),
            Cell::s(if d.change.is_new(i) { "Ja" } else { "Nej" }),
        ]
    });
    xlsx::write_long_table(
        wb,
        "Iakttagelser",
        &IAKTTAGELSER_HEADERS,
        &widths,
        fmt,
        rows,
        max_rows,
    )?;
    Ok(())
}

fn avsteg(
    wb: &mut Workbook,
    d: &RunData<'_>,
    fmt: &Formats,
    idx: &Index<'_>,
    shown: &[&str],
) -> Result<()> {
    // Ten or so rows per organisation: streamed (rows in order, as written).
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Avsteg")?;
    let mut g = Grid::new();
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
    let per = d.settings.per;
    let mut r = 0;
    for o in &d.model.orgs {
        let Some(rows) = o.verksamhet.as_ref().and_then(|v| v.avsteg.as_ref()) else {
            continue;
        };
        for a in rows {
            r += 1;
            g.text(ws, r, 0, &o.org.id)?;
            g.text(
                ws,
                r,
                1,
                a.avsteg_id.get().map(String::as_str).unwrap_or(""),
            )?;
            g.text(
                ws,
                r,
                2,
                a.tjanst_id.get().map(String::as_str).unwrap_or(""),
            )?;
            g.text(
                ws,
                r,
                3,
                a.motivering.get().map(String::as_str).unwrap_or(""),
            )?;
            g.text(
                ws,
                r,
                4,
                a.beslutat_av.get().map(String::as_str).unwrap_or(""),
            )?;
            if let Some(dt) = a.beslutsdatum.get() {
                g.text(ws, r, 5, &crate::model::iso_date(*dt))?;
            }
            let gt = a.galler_till.get().copied();
            match gt {
                Some(dt) => g.text(ws, r, 6, &crate::model::iso_date(dt))?,
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
        }
    }
    if r == 0 {
        r = 1;
        g.text(ws, r, 0, "Inga avsteg har rapporterats.")?;
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    Ok(())
}

fn indikatorer(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Indikatorer")?;
    let mut g = Grid::new();
    let headers = [
        "Organisation",
        "Namn",
        "Förändringsinsatser",
        "Innovation, andel av antal (%)",
        "Effektivitet, andel av antal (%)",
        "Innovation, andel av budget (%)",
        "Effektivitet, andel av budget (%)",
        "Extern nytta, andel av antal (%)",
        "Intern nytta, andel av antal (%)",
        "Extern nytta, andel av budget (%)",
        "Intern nytta, andel av budget (%)",
        "Innovation, andel av budget, mot 2020 (procentenheter)",
    ];
    g.header(ws, 0, 0, &headers, fmt)?;
    let names = d.model.names();
    let mut r = 0;
    for i in d.indicators {
        r += 1;
        g.text(ws, r, 0, &i.organisation)?;
        let name = if i.organisation == "STADEN" {
            "Hela staden"
        } else {
            names.get(i.organisation.as_str()).copied().unwrap_or("")
        };
        g.text(ws, r, 1, name)?;
        g.number(ws, r, 2, i.insatser as f64, None)?;
        let vals = [
            i.innovation_antal,
            i.effektivitet_antal,
            i.innovation_budget,
            i.effektivitet_budget,
            i.extern_antal,
            i.intern_antal,
            i.extern_budget,
            i.intern_budget,
        ];
        for (k, v) in vals.iter().enumerate() {
            g.opt_number(ws, r, 3 + k as u16, *v, Some(&fmt.percent))?;
        }
        // The baseline is a share of resources: compared with the budget share.
        g.opt_number(
            ws,
            r,
            11,
            i.innovation_budget
                .map(|v| ((v - BASELINE_INNOVATION_PERCENT) * 10.0).round() / 10.0),
            Some(&fmt.percent),
        )?;
    }
    r += 1;
    g.text(ws, r, 0, "UTGÅNGSLÄGE 2020")?;
    g.text(
        ws,
        r,
        1,
        "Planens utgångsläge 2020: andel av resurserna i Intraservices utvecklingsportfölj",
    )?;
    g.number(ws, r, 5, BASELINE_INNOVATION_PERCENT, Some(&fmt.percent))?;
    g.number(ws, r, 6, BASELINE_EFFEKTIVITET_PERCENT, Some(&fmt.percent))?;
    g.number(ws, r, 11, 0.0, Some(&fmt.percent))?;
    // Beside it, the like-for-like comparison: Intraservice's own budget share.
    let like = baseline_org(d.model).map(|id| {
        (
            id,
            d.indicators.iter().find(|i| i.organisation == id),
            names.get(id).copied().unwrap_or(id),
        )
    });
    if let Some((id, ind, name)) = like {
        r += 1;
        g.text(ws, r, 0, &format!("JÄMFÖRBART {id}"))?;
        g.text(
            ws,
            r,
            1,
            &format!("{name} i dag, andel av budget (jämförbart med utgångsläget 2020)"),
        )?;
        let ib = ind.and_then(|i| i.innovation_budget);
        g.opt_number(ws, r, 5, ib, Some(&fmt.percent))?;
        g.opt_number(
            ws,
            r,
            6,
            ind.and_then(|i| i.effektivitet_budget),
            Some(&fmt.percent),
        )?;
        g.opt_number(
            ws,
            r,
            11,
            ib.map(|v| ((v - BASELINE_INNOVATION_PERCENT) * 10.0).round() / 10.0),
            Some(&fmt.percent),
        )?;
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    let note_row = r + 2;
    ws.write_string(
        note_row,
        0,
        "Indikatorer, inte krav: andelar av förändringsinsatserna per inriktning och nytta, per organisation och för hela staden (STADEN), efter antal och efter budget.",
    )?;
    ws.write_string(
        note_row + 1,
        0,
        "Utgångsläget 2020 (99 % effektivitet, 1 % innovation) är andelen av resurserna i Intraservices utvecklingsportfölj och står därför under andelarna av budget; raden JÄMFÖRBART visar Intraservices egen andel av budget i dag, den jämförelse som motsvarar utgångsläget. Övriga organisationer och STADEN jämförs med samma tal endast som riktmärke.",
    )?;
    Ok(())
}

fn digital_mognad(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
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
        g.text(ws, 1, 0, "Ingen organisation har lämnat DiMiOS-resultat.")?;
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
        g.text(ws, r, 0, "Inga mätningar.")?;
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
        g.text(ws, r, 0, "Alla organisationer har en mätning.")?;
    }
    r = super::sheets::historik::mognad_trend(ws, &mut g, r + 2, d, fmt)?;
    r += 1;
    ws.write_string(
        r,
        0,
        "En indikator, inte ett krav: planen anger att staden har för avsikt att årligen mäta den digitala mognaden (DiMiOS).",
    )?;
    g.apply_widths(ws)?;
    Ok(())
}

fn inlasning(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Inläsning")?;
    let mut g = Grid::new();
    let headers = [
        "Fil",
        "SHA-256",
        "Storlek (byte)",
        "Typ",
        "Organisation",
        "Period",
        "Status",
        "Orsak",
        "Varningar",
    ];
    g.header(ws, 0, 0, &headers, fmt)?;
    let mut r = 0;
    for e in &d.log.entries {
        r += 1;
        g.text(ws, r, 0, &e.path)?;
        g.text(ws, r, 1, e.sha256.as_deref().unwrap_or(""))?;
        g.number(ws, r, 2, e.size as f64, None)?;
        g.text(ws, r, 3, e.typ.map(|t| t.label()).unwrap_or(""))?;
        g.text(ws, r, 4, e.org.as_deref().unwrap_or(""))?;
        g.text(ws, r, 5, e.period.as_deref().unwrap_or(""))?;
        let st = e.status.label();
        if e.status == crate::ingest::FileStatus::Fel {
            g.text_fmt(ws, r, 6, st, fmt.status(Status::Brist))?;
        } else {
            g.text(ws, r, 6, st)?;
        }
        g.text(ws, r, 7, &e.reason)?;
        g.number(ws, r, 8, e.warnings.len() as f64, None)?;
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    Ok(())
}

/// The columns of the `Inläsningsvarningar` sheet.
pub const WARNING_HEADERS: [&str; 6] = ["Fil", "Blad", "Cell", "Hittat", "Förväntat", "Meddelande"];

fn inlasningsvarningar(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let mut widths = Grid::new();
    for w in d.log.warnings() {
        widths.measure(0, w.loc.file());
        widths.measure(1, w.loc.sheet());
        widths.measure(3, &w.found);
        widths.measure(4, &w.expected);
        widths.measure(5, &w.message);
    }
    let rows = d.log.warnings().map(|w| {
        vec![
            Cell::s(w.loc.file()),
            Cell::s(w.loc.sheet()),
            Cell::owned(w.loc.cell()),
            Cell::s(&w.found),
            Cell::s(&w.expected),
            Cell::s(&w.message),
        ]
    });
    xlsx::write_long_table(
        wb,
        "Inläsningsvarningar",
        &WARNING_HEADERS,
        &widths,
        fmt,
        rows,
        xlsx::MAX_DATA_ROWS,
    )?;
    Ok(())
}

/// A rule's parameters as one line of text: `namn = värde; …`.
pub fn parameters_text(p: &crate::yaml::YamlMapping) -> String {
    p.iter()
        .map(|(k, v)| {
            let k = k
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{k:?}"));
            let v = match v {
                serde_yaml::Value::String(s) => s.clone(),
                other => serde_json::to_string(other).unwrap_or_default(),
            };
            format!("{k} = {v}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// At most this many distinct regelfel messages per rule in `Regler`.
const MAX_ERRORS_LISTED: usize = 20;

fn regler(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Regler")?;
    let mut g = Grid::new();
    let headers = [
        "Regel",
        "Titel",
        "Allvarlighet",
        "Objekt",
        "Referens",
        "Parametrar",
        "Skript",
        "Skriptets SHA-256",
        "YAML-filens SHA-256",
        "Regelfel",
        "Fel (fil:rad:kolumn)",
    ];
    g.header(ws, 0, 0, &headers, fmt)?;
    let mut errors: HashMap<&str, (usize, Vec<&str>)> = HashMap::new();
    for e in d
        .evaluations
        .iter()
        .filter(|e| e.status == Status::Regelfel)
    {
        let entry = errors.entry(&*e.rule).or_default();
        entry.0 += 1;
        if entry.1.len() < MAX_ERRORS_LISTED && !entry.1.contains(&e.message.as_str()) {
            entry.1.push(&e.message);
        }
    }
    let mut r = 0;
    for rule in &d.rules.rules {
        r += 1;
        let def = &rule.def;
        g.text(ws, r, 0, &def.id)?;
        g.text(ws, r, 1, &def.titel)?;
        g.text(ws, r, 2, def.allvarlighet.label())?;
        g.text(ws, r, 3, def.objekt.label())?;
        g.text(ws, r, 4, &def.referens)?;
        g.text(ws, r, 5, &parameters_text(&def.parametrar))?;
        // Relative to the rule folder: the same wherever the folder lives.
        let script = rule
            .script_path
            .strip_prefix(&d.rules.dir)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| rule.script_display());
        g.text(ws, r, 6, &script)?;
        g.text(ws, r, 7, &rule.script_sha256)?;
        g.text(ws, r, 8, &rule.yaml_sha256)?;
        let (n, msgs) = errors.get(def.id.as_str()).cloned().unwrap_or_default();
        g.number(ws, r, 9, n as f64, None)?;
        if n > 0 {
            let mut text = msgs.join("\n");
            let distinct_shown = msgs.len();
            if n > distinct_shown && distinct_shown == MAX_ERRORS_LISTED {
                text.push_str("\n… (fler fel finns i Iakttagelser)");
            }
            g.text_fmt(ws, r, 10, &text, &fmt.wrap)?;
        }
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
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

    #[test]
    fn sheet_names_fit() {
        for s in SHEETS {
            assert!(s.chars().count() <= 31);
        }
    }
}
