//! `aterkoppling/<org-id>.xlsx`: one workbook per register organisation with
//! its own findings and cell warnings, in plain Swedish (report.md, section 2).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use super::workbook::{mognad_by_year, mognad_values, MOGNAD_AREAS};
use super::xlsx::{self, Formats, Grid};
use super::RunData;
use crate::ingest::FileEntry;
use crate::model::{valid_org_id, OrgData};
use crate::rules::{Evaluation, Status};

/// The sheet names of a feedback workbook.
pub const FIRST_SHEET: &str = "Om återkopplingen";
/// The feedback workbook's sheet of findings.
pub const FINDINGS_SHEET: &str = "Iakttagelser";
/// The feedback workbook's sheet of reading warnings.
pub const WARNINGS_SHEET: &str = "Inläsningsvarningar";
/// The feedback workbook's sheet of DiMiOS figures.
pub const MOGNAD_SHEET: &str = "Digital mognad";

/// Write one feedback workbook per register organisation into `dir`.
pub fn write_all(dir: &Path, d: &RunData<'_>) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let fmt = Formats::new();
    // Each organisation's findings and files, found once (not once per organisation).
    let mut findings: HashMap<&str, Vec<&Evaluation>> = HashMap::new();
    for e in d.evaluations.iter().filter(|e| e.status.is_finding()) {
        findings.entry(&*e.org).or_default().push(e);
    }
    let mut files: HashMap<&str, Vec<&FileEntry>> = HashMap::new();
    for e in &d.log.entries {
        if let Some(org) = e.org.as_deref() {
            files.entry(org).or_default().push(e);
        }
    }
    let none_e: Vec<&Evaluation> = Vec::new();
    let none_f: Vec<&FileEntry> = Vec::new();
    let progress =
        crate::parallel::Progress::new("återkoppling", "arbetsböcker", d.model.orgs.len());
    let written = crate::parallel::map_with_progress(&d.model.orgs, Some(&progress), |o| {
        // Only register ids of the safe form become file names.
        if !valid_org_id(&o.org.id) {
            tracing::warn!(org = %o.org.id, "ogiltigt organisations-id; ingen återkoppling skrivs");
            return Ok(());
        }
        let id = o.org.id.as_str();
        let mut wb = xlsx::workbook(d.settings.per, &format!("Återkoppling till {}", o.org.namn))?;
        let mine = Mine {
            findings: findings.get(id).unwrap_or(&none_e),
            files: files.get(id).unwrap_or(&none_f),
        };
        write_one(&mut wb, d, o, &mine, &fmt)?;
        wb.save(dir.join(format!("{id}.xlsx")))?;
        Ok(())
    });
    progress.finish();
    written.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(())
}

/// One organisation's share of the run.
struct Mine<'a, 'b> {
    /// Its findings, in evaluation order.
    findings: &'b [&'a Evaluation],
    /// The files that carry its organisation id.
    files: &'b [&'a FileEntry],
}

/// What the submitter should do about a finding, in plain Swedish. The cell
/// to fix is named only when it lies in one of the organisation's own files
/// (evidence can point into a supplier's catalogue).
pub fn what_to_do(e: &Evaluation, own_files: &HashSet<&str>) -> String {
    let place = e
        .evidence
        .as_ref()
        .filter(|l| own_files.contains(l.file()))
        .map(|l| {
            format!(
                " Rätta cell {} på bladet {} i filen {}.",
                l.cell(),
                l.sheet(),
                l.file()
            )
        })
        .unwrap_or_default();
    match e.status {
        Status::Brist => format!(
            "Åtgärda det som meddelandet beskriver och lämna in arbetsboken på nytt.{place}"
        ),
        Status::UnderlagSaknas => format!(
            "Fyll i de uppgifter som saknas (se meddelandet) och lämna in arbetsboken på nytt.{place}"
        ),
        Status::Regelfel => "Inget för er att göra: regeln kunde inte köras och stadsledningskontoret rättar den.".into(),
        Status::Uppfyllt | Status::EjTillamplig => String::new(),
    }
}

fn write_one(
    wb: &mut Workbook,
    d: &RunData<'_>,
    o: &OrgData,
    mine: &Mine<'_, '_>,
    fmt: &Formats,
) -> Result<()> {
    let id = o.org.id.as_str();
    let findings = mine.findings;
    let own_files: HashSet<&str> = mine.files.iter().map(|e| e.path.as_str()).collect();
    // Log order, as `mine.files` keeps it (every path appears once in the log).
    let warnings: Vec<_> = mine.files.iter().flat_map(|e| e.warnings.iter()).collect();

    // 1. About this feedback.
    {
        let ws = wb.add_worksheet().set_name(FIRST_SHEET)?;
        let mut g = Grid::new();
        g.text_fmt(
            ws,
            0,
            0,
            &format!("Återkoppling till {} ({id})", o.org.namn),
            &fmt.title,
        )?;
        let next = match &d.next_run {
            Some(t) => format!("nästa körning, {t}"),
            None => "vid nästa körning".to_string(),
        };
        let next_phrase = if d.next_run.is_some() {
            format!("vid {next}")
        } else {
            next
        };
        let s1 = format!(
            "Det här är stadsledningskontorets återkoppling på er inlämning för period {}, bedömd per {} mot stadens riktlinje och plan för digitalisering; bladet {FINDINGS_SHEET} visar vad som behöver åtgärdas och bladet {WARNINGS_SHEET} vilka celler som inte gick att läsa.",
            d.settings.period,
            crate::model::iso_date(d.settings.per)
        );
        let s2 = format!(
            "Rätta uppgifterna i er arbetsbok och lägg den i den delade mappen igen, så bedöms den på nytt {next_phrase}."
        );
        ws.write_string(1, 0, s1.as_str())?;
        ws.write_string(2, 0, s2.as_str())?;
        let summary = format!(
            "Antal iakttagelser: {}. Antal inläsningsvarningar: {}.",
            findings.len(),
            warnings.len()
        );
        ws.write_string(3, 0, summary.as_str())?;
        let h = 5;
        g.header(ws, h, 0, &["Regel", "Titel", "Allvarlighet", "Status"], fmt)?;
        let mut r = h;
        for rule in &d.rules.rules {
            r += 1;
            g.text(ws, r, 0, &rule.def.id)?;
            g.text(ws, r, 1, &rule.def.titel)?;
            g.text(ws, r, 2, rule.def.allvarlighet.label())?;
            if let Some(s) = d.tally.worst(id, rule.def.id.as_str()) {
                g.text_fmt(ws, r, 3, s.label(), fmt.status(s))?;
            }
        }
        r += 1;
        if let Some(s) = d.tally.overall(id) {
            g.text_fmt(ws, r, 1, "Samlad status (sämsta över reglerna)", &fmt.bold)?;
            g.text_fmt(ws, r, 3, s.label(), fmt.status(s))?;
        }
        xlsx::table_setup(ws, h, r.saturating_sub(1).max(h), 4, true)?;
        g.apply_widths(ws)?;
        // The two sentences are long: keep column A readable, not huge.
        ws.set_column_width(0, 12)?;
    }

    // 2. Findings.
    {
        let ws = wb.add_worksheet().set_name(FINDINGS_SHEET)?;
        let mut g = Grid::new();
        let headers = [
            "Regel",
            "Titel",
            "Allvarlighet",
            "Status",
            "Objekt",
            "Meddelande",
            "Fil",
            "Blad",
            "Cell",
            "Vad ni behöver göra",
        ];
        g.header(ws, 0, 0, &headers, fmt)?;
        let mut r = 0;
        for e in findings {
            r += 1;
            // An evaluation's rule id is its rule's, exactly.
            let title = d
                .rules
                .rules
                .iter()
                .find(|x| *x.def.id == *e.rule)
                .map_or("", |x| x.def.titel.as_str());
            g.text(ws, r, 0, &e.rule)?;
            g.text(ws, r, 1, title)?;
            g.text(ws, r, 2, e.severity.label())?;
            g.text_fmt(ws, r, 3, e.status.label(), fmt.status(e.status))?;
            g.text(ws, r, 4, &e.subject)?;
            g.text(ws, r, 5, &e.message)?;
            if let Some(l) = &e.evidence {
                g.text(ws, r, 6, l.file())?;
                g.text(ws, r, 7, l.sheet())?;
                g.text(ws, r, 8, &l.cell())?;
            }
            g.text(ws, r, 9, &what_to_do(e, &own_files))?;
        }
        if findings.is_empty() {
            r = 1;
            g.text(ws, r, 0, "Inga iakttagelser.")?;
        }
        xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
        g.apply_widths(ws)?;
    }

    // 3. Cell warnings.
    {
        let ws = wb.add_worksheet().set_name(WARNINGS_SHEET)?;
        let mut g = Grid::new();
        let headers = [
            "Fil",
            "Blad",
            "Cell att rätta",
            "Hittat",
            "Förväntat",
            "Meddelande",
        ];
        g.header(ws, 0, 0, &headers, fmt)?;
        let mut r = 0;
        for w in warnings.iter().take(xlsx::MAX_DATA_ROWS as usize) {
            r += 1;
            g.text(ws, r, 0, w.loc.file())?;
            g.text(ws, r, 1, w.loc.sheet())?;
            g.text(ws, r, 2, &w.loc.cell())?;
            g.text(ws, r, 3, &w.found)?;
            g.text(ws, r, 4, &w.expected)?;
            g.text(ws, r, 5, &w.message)?;
        }
        if warnings.is_empty() {
            r = 1;
            g.text(ws, r, 0, "Inga inläsningsvarningar.")?;
        }
        xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
        g.apply_widths(ws)?;
    }

    // 4. Its own DiMiOS rows, if any.
    let years = mognad_by_year(o);
    if !years.is_empty() {
        let ws = wb.add_worksheet().set_name(MOGNAD_SHEET)?;
        let mut g = Grid::new();
        let mut headers = vec!["År", "Totalt"];
        headers.extend(MOGNAD_AREAS);
        g.header(ws, 0, 0, &headers, fmt)?;
        let mut r = 0;
        for (y, m) in &years {
            r += 1;
            g.number(ws, r, 0, *y as f64, None)?;
            for (k, v) in mognad_values(m).iter().enumerate() {
                g.opt_number(ws, r, 1 + k as u16, *v, Some(&fmt.number))?;
            }
        }
        xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
        g.apply_widths(ws)?;
    }
    Ok(())
}
