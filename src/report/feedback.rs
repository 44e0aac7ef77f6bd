//! `aterkoppling/<org-id>.xlsx`: one workbook per register organisation with
//! the state of its files, its own findings (every cell each rests on, and
//! what to do) and the cell warnings of its files that count, in plain
//! Swedish and printable (report.md, section 2).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Result;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use super::workbook::{mognad_by_year, MOGNAD_AREAS};
use super::xlsx::{self, Formats};
use super::RunData;
use crate::ingest::workbook::{CORRUPT, ENCRYPTED, NOT_SPREADSHEET};
use crate::ingest::{CellWarning, FileEntry, FileStatus};
use crate::model::{valid_org_id, Location, OrgData};
use crate::rules::{Evaluation, Status};

/// The sheet names of a feedback workbook.
pub const FIRST_SHEET: &str = "Om återkopplingen";
/// The feedback workbook's sheet of findings.
pub const FINDINGS_SHEET: &str = "Iakttagelser";
/// The feedback workbook's sheet of reading warnings.
pub const WARNINGS_SHEET: &str = "Inläsningsvarningar";
/// The feedback workbook's sheet of DiMiOS figures.
pub const MOGNAD_SHEET: &str = "Digital mognad";

/// What a `regelfel` says to the submitter, and nothing more.
pub const RULE_ERROR_TEXT: &str =
    "Regeln kunde inte bedömas på grund av ett fel i regeln; SLK rättar det. Inget för er att göra.";

/// Every organisation's findings and files in the run, grouped once (not
/// searched once per organisation): the feedback workbooks and their
/// delivery read them.
pub struct ByOrg<'a> {
    /// The findings of each organisation, by id.
    pub findings: HashMap<&'a str, Vec<&'a Evaluation>>,
    /// The input files identified as each organisation's, by id.
    pub files: HashMap<&'a str, Vec<&'a FileEntry>>,
}

impl<'a> ByOrg<'a> {
    /// Group `d`'s findings and input files by organisation.
    pub fn of(d: &'a RunData<'_>) -> Self {
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
        Self { findings, files }
    }
}

/// Write one feedback workbook per register organisation into `dir`.
pub fn write_all(dir: &Path, d: &RunData<'_>) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let ByOrg { findings, files } = ByOrg::of(d);
    let none_e: Vec<&Evaluation> = Vec::new();
    let none_f: Vec<&FileEntry> = Vec::new();
    // What every workbook shares, made once: the formats and each rule's
    // advice with its whitespace evened out.
    let fmt = Fmt::new();
    let advice: Vec<String> = d
        .rules
        .rules
        .iter()
        .map(|r| even_whitespace(&r.def.dokumentation.atgard))
        .collect();
    let shared = Shared {
        fmt: &fmt,
        advice: &advice,
    };
    let progress =
        crate::parallel::Progress::new("återkoppling", "arbetsböcker", d.model.orgs.len());
    // With debug logs, the CPU the workbooks took (their threads' own,
    // summed): the phase shares the cores with the report.
    let timed = tracing::enabled!(tracing::Level::DEBUG);
    let cpu_us = std::sync::atomic::AtomicU64::new(0);
    let t = std::time::Instant::now();
    let written = crate::parallel::map_with_progress(&d.model.orgs, Some(&progress), |o| {
        // Only register ids of the safe form become file names.
        if !valid_org_id(&o.org.id) {
            tracing::warn!(org = %o.org.id, "ogiltigt organisations-id; ingen återkoppling skrivs");
            return Ok(());
        }
        let cpu = if timed {
            crate::metrics::thread_cpu_seconds()
        } else {
            0.0
        };
        let id = o.org.id.as_str();
        let mut wb = xlsx::workbook(d.settings.per, &format!("Återkoppling till {}", o.org.namn))?;
        let mine = Mine {
            findings: findings.get(id).unwrap_or(&none_e),
            files: files.get(id).unwrap_or(&none_f),
        };
        write_one(&mut wb, d, o, &mine, &shared)?;
        xlsx::save(&mut wb, &dir.join(format!("{id}.xlsx")))?;
        if timed {
            let us = (crate::metrics::thread_cpu_seconds() - cpu) * 1e6;
            cpu_us.fetch_add(us.round() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    });
    progress.finish();
    tracing::debug!(
        seconds = t.elapsed().as_secs_f64(),
        workbooks = d.model.orgs.len(),
        cpu_seconds = cpu_us.into_inner() as f64 / 1e6,
        "feedback workbooks written"
    );
    written.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(())
}

/// What every feedback workbook of a run shares.
struct Shared<'s> {
    fmt: &'s Fmt,
    /// Each rule's `Så åtgärdar ni`, by [`even_whitespace`], in rule order.
    advice: &'s [String],
}

/// One organisation's share of the run.
struct Mine<'a, 'b> {
    /// Its findings, in evaluation order.
    findings: &'b [&'a Evaluation],
    /// The files that carry its organisation id, in log order.
    files: &'b [&'a FileEntry],
}

impl Mine<'_, '_> {
    /// Whether any of its files was read (counts this period).
    fn anything_read(&self) -> bool {
        self.files.iter().any(|f| f.status == FileStatus::Inlast)
    }

    /// The cell warnings of the files that count (read, this period), in
    /// log order: a superseded file's or another period's do not reach the
    /// submitter.
    fn warnings(&self) -> Vec<&CellWarning> {
        self.files
            .iter()
            .filter(|f| f.status == FileStatus::Inlast)
            .flat_map(|f| f.warnings.iter())
            .collect()
    }
}

/// What the submitter does about a file that was not read, one Swedish
/// advice per kind of fault (the reason itself is shown beside it).
pub fn file_advice(f: &FileEntry) -> String {
    let r = f.reason.as_str();
    match f.status {
        FileStatus::Inlast => String::new(),
        FileStatus::Ersatt => {
            "Inget, om den senare filen är den ni vill ha bedömd; annars lämna in den här igen."
                .into()
        }
        FileStatus::AnnanPeriod => format!(
            "Gäller filen den här perioden: skriv rätt period vid Period på bladet Inlämning{} och lämna in igen.",
            f.period
                .as_deref()
                .map(|p| format!(" (nu \"{p}\")"))
                .unwrap_or_default()
        ),
        FileStatus::Vantar => {
            "Inget: filen ändrades alldeles före körningen och läses vid nästa körning.".into()
        }
        FileStatus::Ignorerad => {
            "Lägg bara de ifyllda arbetsböckerna (.xlsx) i den delade mappen.".into()
        }
        FileStatus::Fel => {
            if r.starts_with(ENCRYPTED) {
                "Arbetsboken är lösenordsskyddad: spara den utan lösenord och lämna in igen.".into()
            } else if r.starts_with(NOT_SPREADSHEET) {
                "Filen är inget kalkylark: spara arbetsboken i Excel som Excel-arbetsbok (.xlsx) och lämna in den igen.".into()
            } else if r.starts_with(CORRUPT) || r.contains("skadad") {
                "Filen kunde inte öppnas: öppna den i Excel, spara den som Excel-arbetsbok (.xlsx) och lämna in igen. Går den inte att öppna: fyll i en ny mall.".into()
            } else if r.contains("för stor")
                || r.contains("fler än")
                || r.contains("orimligt")
                || r.contains("för långa")
            {
                "Arbetsboken är för stor för att läsas: ta bort tomma rader och kolumner och allt utanför tabellerna, spara och lämna in igen.".into()
            } else if r.contains("Inlämning")
                || r.contains("Organisations-id")
                || r.contains("eriod")
            {
                "Rätta bladet Inlämning så som orsaken säger (Typ, Organisations-id och Period som i mallen) och lämna in igen.".into()
            } else if r.starts_with("Filen kunde inte läsas") {
                "Lägg filen i den delade mappen igen; går den fortfarande inte att läsa, kontakta SLK.".into()
            } else {
                "Rätta det som orsaken beskriver och lämna in arbetsboken igen.".into()
            }
        }
    }
}

/// A file's state in the submitter's words.
fn file_state(f: &FileEntry) -> &'static str {
    match f.status {
        FileStatus::Inlast => "läst",
        FileStatus::Ersatt => "ersatt av en senare fil",
        FileStatus::AnnanPeriod => "annan period",
        FileStatus::Vantar => "läses nästa gång",
        FileStatus::Ignorerad => "ignorerad",
        FileStatus::Fel => "kunde inte läsas",
    }
}

/// What the submitter should do about a finding: the rule's `Så åtgärdar
/// ni` text, then where. The cell to fix is named when it lies in one of
/// the organisation's own files; evidence in another organisation's file
/// (a supplier's catalogue row) is named as the source only.
pub fn what_to_do(e: &Evaluation, advice: &str, own_files: &HashSet<&str>) -> String {
    if e.status == Status::Regelfel {
        return String::new();
    }
    what_to_do_evened(e, &even_whitespace(advice), own_files)
}

/// Text with every run of whitespace one space, none at either end.
fn even_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`what_to_do`] with the advice's whitespace already evened out.
fn what_to_do_evened(e: &Evaluation, advice: &str, own_files: &HashSet<&str>) -> String {
    if e.status == Status::Regelfel {
        return String::new();
    }
    let mut out = advice.to_string();
    if out.is_empty() {
        out = match e.status {
            Status::UnderlagSaknas => {
                "Fyll i de uppgifter som saknas och lämna in arbetsboken på nytt.".into()
            }
            _ => "Åtgärda det som meddelandet beskriver och lämna in arbetsboken på nytt.".into(),
        };
    }
    if let Some(l) = &e.evidence {
        if !own_files.contains(l.file()) {
            out.push_str(&format!(
                " Underlaget ({}, bladet {}) kommer från en annan organisations fil; ändra i er egen arbetsbok.",
                l.file(),
                l.sheet()
            ));
        }
    }
    out
}

/// Where to fix one cell, when it is in the organisation's own file.
fn fix_cell(l: &Location, own_files: &HashSet<&str>) -> String {
    if own_files.contains(l.file()) {
        format!("Rätta cell {} på bladet {}.", l.cell(), l.sheet())
    } else {
        String::new()
    }
}

/// A date for a date cell.
fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime> {
    use chrono::Datelike;
    Ok(ExcelDateTime::from_ymd(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
    )?)
}

/// Page set-up of a feedback sheet: A4 landscape, fit to the page width,
/// the header row repeated, header and footer with organisation, per-date
/// and page.
fn print_setup(
    ws: &mut Worksheet,
    d: &RunData<'_>,
    o: &OrgData,
    repeat: Option<u32>,
) -> Result<()> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.7, 0.7, 0.3, 0.3);
    if let Some(r) = repeat {
        ws.set_repeat_rows(r, r)?;
    }
    let esc = |s: &str| s.replace('&', "&&");
    ws.set_header(format!(
        "&L{} ({})&RÅterkoppling per {}",
        esc(&o.org.namn),
        esc(&o.org.id),
        crate::model::iso_date(d.settings.per)
    ));
    ws.set_footer("&Lstadsledningskontoret, uppsikt&Rsida &P av &N");
    Ok(())
}

/// The formats of a feedback workbook.
struct Fmt {
    base: Formats,
    /// Wrapped, top-aligned text.
    wrap: Format,
    /// Wrapped bold text.
    wrap_bold: Format,
    /// Wrapped header cells.
    header: Format,
    /// A date cell (`yyyy-mm-dd`), left-aligned like the text beside it.
    date: Format,
    /// A count, left-aligned like the text beside it.
    count: Format,
    /// A status cell, wrapped and top-aligned, per status.
    status: [Format; 5],
}

impl Fmt {
    fn new() -> Self {
        let base = Formats::new();
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        Self {
            wrap_bold: wrap.clone().set_bold(),
            header: base.header.clone().set_text_wrap(),
            date: base.date.clone().set_align(FormatAlign::Left),
            count: Format::new()
                .set_num_format("0")
                .set_align(FormatAlign::Left),
            wrap,
            status: Status::ALL.map(|s| {
                base.status(s)
                    .clone()
                    .set_text_wrap()
                    .set_align(FormatAlign::Top)
            }),
            base,
        }
    }

    fn status(&self, s: Status) -> &Format {
        &self.status[s.index()]
    }
}

/// Wrapped text in fixed-width columns, with each row made as high as its
/// longest cell needs (neither LibreOffice nor Excel fits a row written
/// without a height reliably).
struct Rows {
    widths: Vec<f64>,
    lines: std::collections::BTreeMap<u32, usize>,
}

impl Rows {
    fn new(ws: &mut Worksheet, widths: &[f64]) -> Result<Self> {
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        Ok(Self {
            widths: widths.to_vec(),
            lines: Default::default(),
        })
    }

    fn text(&mut self, ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Format) -> Result<()> {
        if s.is_empty() {
            ws.write_blank(row, col, f)?;
            return Ok(());
        }
        let s = xlsx::clip(s);
        ws.write_string_with_format(row, col, s.as_ref(), f)?;
        let w = self.widths.get(col as usize).copied().unwrap_or(10.0);
        let n = lines_needed(&s, w);
        let e = self.lines.entry(row).or_insert(1);
        *e = (*e).max(n);
        Ok(())
    }

    fn finish(&self, ws: &mut Worksheet) -> Result<()> {
        for (r, n) in &self.lines {
            if *n > 1 {
                ws.set_row_height(*r, 15.0 * *n as f64)?;
            }
        }
        Ok(())
    }
}

/// How many lines text takes when wrapped in a column `width` characters
/// wide (word wrap, with a margin for proportional type).
fn lines_needed(s: &str, width: f64) -> usize {
    let per_line = (width * 1.05).max(4.0) as usize;
    // No more bytes than fit on a line (so no more characters), one
    // paragraph: one line, as the count below would say.
    if s.len() <= per_line && !s.contains('\n') {
        return 1;
    }
    lines_by_words(s, per_line)
}

/// How many lines of `per_line` characters `s` takes, word by word: the
/// paragraphs (split at `\n`), their words (split at single spaces) and
/// the words' characters (bytes that do not continue one) in one pass.
fn lines_by_words(s: &str, per_line: usize) -> usize {
    // A paragraph's lines so far and the characters used on its last line.
    struct Para {
        lines: usize,
        used: usize,
    }
    let word = |p: &mut Para, n: usize| {
        if p.used > 0 && p.used + 1 + n > per_line {
            p.lines += 1;
            p.used = 0;
        }
        p.used += if p.used > 0 { n + 1 } else { n };
        while p.used > per_line {
            p.lines += 1;
            p.used -= per_line;
        }
    };
    let mut total = 0;
    let mut p = Para { lines: 1, used: 0 };
    let mut chars = 0;
    for &b in s.as_bytes() {
        if b == b' ' {
            word(&mut p, chars);
            chars = 0;
        } else if b == b'\n' {
            word(&mut p, chars);
            chars = 0;
            total += p.lines;
            p = Para { lines: 1, used: 0 };
        } else if b & 0xC0 != 0x80 {
            chars += 1;
        }
    }
    word(&mut p, chars);
    total + p.lines
}

/// A paragraph across columns `0..=last` (merged, wrapped), with a row
/// height for its length (merged cells are not fitted by Excel).
fn paragraph(
    ws: &mut Worksheet,
    row: u32,
    last: u16,
    width: f64,
    s: &str,
    f: &Format,
) -> Result<()> {
    ws.merge_range(row, 0, row, last, xlsx::clip(s).as_ref(), f)?;
    ws.set_row_height(row, 15.0 * lines_needed(s, width) as f64)?;
    Ok(())
}

fn write_one(
    wb: &mut Workbook,
    d: &RunData<'_>,
    o: &OrgData,
    mine: &Mine<'_, '_>,
    shared: &Shared<'_>,
) -> Result<()> {
    let fmt = shared.fmt;
    let id = o.org.id.as_str();
    let own_files: HashSet<&str> = mine.files.iter().map(|e| e.path.as_str()).collect();
    let warnings = mine.warnings();
    let read_any = mine.anything_read();
    let period = d.settings.period.to_string();
    // Nothing readable: that is said once, not as one finding per rule.
    let findings: Vec<&Evaluation> = if read_any {
        mine.findings.to_vec()
    } else {
        Vec::new()
    };
    let nothing = if mine.files.is_empty() {
        format!("Vi har inte fått någon arbetsbok från er för period {period}, så ingen regel har kunnat bedömas. Fyll i mallen (Verksamhet; leverantörer även Leverantör och Tjänstekatalog) och lägg den i den delade mappen.")
    } else {
        format!("Ingen av era arbetsböcker för period {period} har kunnat läsas, så ingen regel har kunnat bedömas. Gör det som står vid varje fil ovan och lämna in igen.")
    };

    // 1. About this feedback: the files first, then each rule's status.
    {
        let ws = wb.add_worksheet().set_name(FIRST_SHEET)?;
        let w = [34.0, 16.0, 48.0, 48.0];
        let total: f64 = w.iter().sum();
        let mut g = Rows::new(ws, &w)?;
        print_setup(ws, d, o, None)?;
        ws.write_string_with_format(
            0,
            0,
            format!("Återkoppling till {} ({id})", o.org.namn).as_str(),
            &fmt.base.title,
        )?;
        let next = match &d.next_run {
            Some(t) => format!("vid nästa körning, {t}"),
            None => "vid nästa körning".to_string(),
        };
        let s1 = format!(
            "Det här är stadsledningskontorets återkoppling på er inlämning för period {period}, bedömd per {} mot stadens riktlinje och plan för digitalisering. Bladet {FINDINGS_SHEET} visar vad som behöver åtgärdas och var, bladet {WARNINGS_SHEET} vilka celler som inte gick att läsa.",
            crate::model::iso_date(d.settings.per)
        );
        let s2 = format!(
            "Rätta uppgifterna i er arbetsbok och lägg den i den delade mappen igen, så bedöms den på nytt {next}."
        );
        paragraph(ws, 1, 3, total, &s1, &fmt.wrap)?;
        paragraph(ws, 2, 3, total, &s2, &fmt.wrap)?;
        // The per-date as a date cell, the counts as numbers.
        ws.write_string_with_format(3, 0, "Bedömd per", &fmt.base.bold)?;
        ws.write_datetime_with_format(3, 1, &excel_date(d.settings.per)?, &fmt.date)?;
        ws.write_string_with_format(4, 0, "Antal iakttagelser", &fmt.base.bold)?;
        ws.write_number_with_format(4, 1, findings.len() as f64, &fmt.count)?;
        ws.write_string_with_format(5, 0, "Antal inläsningsvarningar", &fmt.base.bold)?;
        ws.write_number_with_format(5, 1, warnings.len() as f64, &fmt.count)?;

        let mut r = 7;
        ws.write_string_with_format(
            r,
            0,
            format!("Era filer för period {period}").as_str(),
            &fmt.base.bold,
        )?;
        r += 1;
        for (c, h) in ["Fil", "Läget", "Orsak", "Vad ni behöver göra"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(r, c as u16, *h, &fmt.header)?;
        }
        for f in mine.files {
            r += 1;
            g.text(ws, r, 0, &f.path, &fmt.wrap)?;
            g.text(ws, r, 1, file_state(f), &fmt.wrap)?;
            let reason = match f.status {
                FileStatus::Inlast if f.warnings.is_empty() => "Läst och bedömd.".to_string(),
                FileStatus::Inlast => format!(
                    "Läst och bedömd; {} celler kunde inte läsas (bladet {WARNINGS_SHEET}).",
                    f.warnings.len()
                ),
                _ => f.reason.clone(),
            };
            g.text(ws, r, 2, &reason, &fmt.wrap)?;
            g.text(ws, r, 3, &file_advice(f), &fmt.wrap)?;
        }
        if mine.files.is_empty() {
            r += 1;
            g.text(ws, r, 0, "Ingen fil från er denna period.", &fmt.wrap)?;
        }
        if !read_any {
            r += 2;
            paragraph(ws, r, 3, total, &nothing, &fmt.wrap_bold)?;
        } else {
            r += 2;
            let h = r;
            for (c, t) in ["Regel", "Status", "Allvarlighet"].iter().enumerate() {
                ws.write_string_with_format(r, c as u16, *t, &fmt.header)?;
            }
            for rule in &d.rules.rules {
                r += 1;
                g.text(
                    ws,
                    r,
                    0,
                    &format!("{} {}", rule.def.id, rule.def.titel),
                    &fmt.wrap,
                )?;
                if let Some(s) = d.tally.worst(id, rule.def.id.as_str()) {
                    g.text(ws, r, 1, s.label(), fmt.status(s))?;
                }
                g.text(ws, r, 2, rule.def.allvarlighet.label(), &fmt.wrap)?;
            }
            r += 1;
            if let Some(s) = d.tally.overall(id) {
                g.text(
                    ws,
                    r,
                    0,
                    "Samlad status (sämsta över reglerna)",
                    &fmt.wrap_bold,
                )?;
                g.text(ws, r, 1, s.label(), fmt.status(s))?;
            }
            ws.set_repeat_rows(h, h)?;
        }
        g.finish(ws)?;
    }

    // 2. Findings: one row per cell a finding rests on, with its own problem.
    {
        let ws = wb.add_worksheet().set_name(FINDINGS_SHEET)?;
        let headers = [
            "Regel",
            "Status",
            "Objekt",
            "Meddelande",
            "Fil",
            "Blad",
            "Cell",
            "Vad ni behöver göra",
        ];
        let mut g = Rows::new(ws, &[7.0, 13.0, 14.0, 44.0, 18.0, 14.0, 7.0, 48.0])?;
        print_setup(ws, d, o, Some(0))?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &fmt.header)?;
        }
        let mut r = 0;
        for e in &findings {
            let advice = d
                .rules
                .rules
                .iter()
                .position(|x| *x.def.id == *e.rule)
                .and_then(|i| shared.advice.get(i))
                .map_or("", String::as_str);
            let status_fmt = fmt.status(e.status);
            let row_head = |g: &mut Rows, ws: &mut Worksheet, r: u32| -> Result<()> {
                g.text(ws, r, 0, &e.rule, &fmt.wrap)?;
                g.text(ws, r, 1, e.status.label(), status_fmt)?;
                g.text(ws, r, 2, &e.subject, &fmt.wrap)?;
                Ok(())
            };
            r += 1;
            row_head(&mut g, ws, r)?;
            if e.status == Status::Regelfel {
                g.text(ws, r, 3, RULE_ERROR_TEXT, &fmt.wrap)?;
                continue;
            }
            let todo = what_to_do_evened(e, advice, &own_files);
            // Several problems: each on its own row with its own cell.
            let places: Vec<(&str, &Location)> = if e.places.len() > 1 {
                e.places
                    .iter()
                    .map(|p| (p.problem.as_str(), &p.loc))
                    .collect()
            } else {
                e.evidence.iter().map(|l| (&*e.message, l)).collect()
            };
            if places.is_empty() {
                g.text(ws, r, 3, &e.message, &fmt.wrap)?;
                g.text(ws, r, 7, &todo, &fmt.wrap)?;
                continue;
            }
            for (k, (problem, l)) in places.iter().enumerate() {
                if k > 0 {
                    r += 1;
                    row_head(&mut g, ws, r)?;
                }
                g.text(ws, r, 3, problem, &fmt.wrap)?;
                g.text(ws, r, 4, l.file(), &fmt.wrap)?;
                g.text(ws, r, 5, l.sheet(), &fmt.wrap)?;
                g.text(ws, r, 6, &l.cell(), &fmt.wrap)?;
                let fix = fix_cell(l, &own_files);
                let cell_todo = if k == 0 { format!("{fix} {todo}") } else { fix };
                g.text(ws, r, 7, cell_todo.trim(), &fmt.wrap)?;
            }
        }
        if findings.is_empty() {
            r = 1;
            let none = if read_any {
                "Inga iakttagelser.".to_string()
            } else {
                format!("Inga regler har kunnat bedömas; se bladet {FIRST_SHEET}.")
            };
            g.text(ws, r, 3, &none, &fmt.wrap)?;
        }
        ws.autofilter(0, 0, r.max(1), headers.len() as u16 - 1)?;
        ws.set_freeze_panes(1, 0)?;
        g.finish(ws)?;
    }

    // 3. Cell warnings of the files that count.
    {
        let ws = wb.add_worksheet().set_name(WARNINGS_SHEET)?;
        let headers = [
            "Fil",
            "Blad",
            "Cell att rätta",
            "Hittat",
            "Förväntat",
            "Meddelande",
        ];
        let mut g = Rows::new(ws, &[18.0, 14.0, 9.0, 22.0, 36.0, 56.0])?;
        print_setup(ws, d, o, Some(0))?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &fmt.header)?;
        }
        let mut r = 0;
        for w in warnings.iter().take(xlsx::MAX_DATA_ROWS as usize) {
            r += 1;
            g.text(ws, r, 0, w.loc.file(), &fmt.wrap)?;
            g.text(ws, r, 1, w.loc.sheet(), &fmt.wrap)?;
            g.text(ws, r, 2, &w.loc.cell(), &fmt.wrap)?;
            g.text(ws, r, 3, &w.found, &fmt.wrap)?;
            g.text(ws, r, 4, &w.expected, &fmt.wrap)?;
            g.text(ws, r, 5, &w.message, &fmt.wrap)?;
        }
        if warnings.is_empty() {
            r = 1;
            g.text(ws, r, 0, "Inga inläsningsvarningar.", &fmt.wrap)?;
        }
        ws.autofilter(0, 0, r, headers.len() as u16 - 1)?;
        ws.set_freeze_panes(1, 0)?;
        g.finish(ws)?;
    }

    // 4. Its own DiMiOS rows, if any; a value that could not be read is
    // shown as written, never as a silent blank.
    let years = mognad_by_year(o);
    if !years.is_empty() {
        let unreadable: HashMap<&Location, &CellWarning> =
            warnings.iter().map(|w| (&w.loc, *w)).collect();
        let ws = wb.add_worksheet().set_name(MOGNAD_SHEET)?;
        let mut headers = vec!["År", "Totalt"];
        headers.extend(MOGNAD_AREAS);
        let mut g = Rows::new(ws, &[8.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0])?;
        print_setup(ws, d, o, Some(0))?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &fmt.header)?;
        }
        let mut r = 0;
        let mut notes = Vec::new();
        for (y, m) in &years {
            r += 1;
            ws.write_number(r, 0, *y as f64)?;
            let fields = [
                &m.totalt,
                &m.effektivitet,
                &m.innovation,
                &m.balansering,
                &m.organisation,
                &m.anvandare,
                &m.teknik,
            ];
            for (k, f) in fields.iter().enumerate() {
                let col = 1 + k as u16;
                match (f.get(), unreadable.get(&f.loc)) {
                    (Some(v), _) => {
                        ws.write_number_with_format(r, col, *v, &fmt.base.number)?;
                    }
                    (None, Some(w)) => {
                        g.text(
                            ws,
                            r,
                            col,
                            &format!("{} (kunde inte läsas)", w.found),
                            &fmt.wrap,
                        )?;
                        notes.push(format!(
                            "{} {y}: \"{}\" i cell {} kunde inte läsas; skriv {}.",
                            headers[col as usize],
                            w.found,
                            w.loc.cell(),
                            w.expected
                        ));
                    }
                    (None, None) => {}
                }
            }
        }
        g.finish(ws)?;
        for n in notes {
            r += 2;
            paragraph(ws, r, 7, 106.0, &n, &fmt.wrap)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: FileStatus, reason: &str) -> FileEntry {
        FileEntry {
            path: "mkn.xlsx".into(),
            size: 1,
            modified: None,
            sha256: None,
            status,
            typ: None,
            org: Some("MKN".into()),
            period: Some("2026-T5".into()),
            reason: reason.into(),
            warnings: Vec::new(),
        }
    }

    /// The count as it was written first: paragraphs, words and characters
    /// by `split('\n')`, `split(' ')` and `chars().count()`.
    fn lines_by_splitting(s: &str, width: f64) -> usize {
        let per_line = (width * 1.05).max(4.0) as usize;
        s.split('\n')
            .map(|para| {
                let mut lines = 1;
                let mut used = 0;
                for word in para.split(' ') {
                    let n = word.chars().count();
                    if used > 0 && used + 1 + n > per_line {
                        lines += 1;
                        used = 0;
                    }
                    used += if used > 0 { n + 1 } else { n };
                    while used > per_line {
                        lines += 1;
                        used -= per_line;
                    }
                }
                lines
            })
            .sum()
    }

    /// The one-pass count against the split count, on texts like a
    /// feedback workbook's (a timing, printed; nothing asserted):
    ///     cargo test --release --lib lines_needed_timing -- --ignored --nocapture --test-threads=1
    #[test]
    #[ignore = "a timing, run by hand"]
    fn lines_needed_timing() {
        use crate::report::xlsx::tests::{ns_per_text, sample_texts};
        let texts = sample_texts();
        let widths = [7.0, 14.0, 18.0, 44.0, 48.0];
        let new = ns_per_text(&texts, &widths, &lines_needed);
        let old = ns_per_text(&texts, &widths, &lines_by_splitting);
        println!("lines_needed: split count {old:.1} ns, one pass {new:.1} ns a text");
    }

    proptest::proptest! {
        #[test]
        fn lines_are_counted_as_splitting_counts_them(
            s in "[a-zåäö ÅÄÖé€\n.]{0,160}",
            width in 1.0f64..60.0,
        ) {
            proptest::prop_assert_eq!(lines_needed(&s, width), lines_by_splitting(&s, width));
        }
    }

    #[test]
    fn whitespace_is_evened_out() {
        assert_eq!(
            even_whitespace("  Rätta\n  cellen.\t Sedan "),
            "Rätta cellen. Sedan"
        );
    }

    #[test]
    fn each_fault_kind_gets_its_own_advice() {
        let enc = entry(FileStatus::Fel, ENCRYPTED);
        assert_eq!(
            file_advice(&enc),
            "Arbetsboken är lösenordsskyddad: spara den utan lösenord och lämna in igen."
        );
        let corrupt = entry(FileStatus::Fel, &format!("{CORRUPT} (Tekniskt fel: x)"));
        assert!(file_advice(&corrupt).starts_with("Filen kunde inte öppnas"));
        let other = entry(FileStatus::AnnanPeriod, "Inlämningen gäller period 2026-T5");
        assert!(file_advice(&other).contains("(nu \"2026-T5\")"));
        let not_xlsx = entry(FileStatus::Fel, NOT_SPREADSHEET);
        assert!(file_advice(&not_xlsx).starts_with("Filen är inget kalkylark"));
        let read = entry(FileStatus::Inlast, "");
        assert_eq!(file_advice(&read), "");
    }
}
