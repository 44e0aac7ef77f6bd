//! The xlsx writer of the templates (rust_xlsxwriter). Every contract sheet
//! is written from its [`SheetSchema`]: table sheets get their header row in
//! row 1 with one note per column, validation on the data rows and a frozen
//! header; key–value sheets get keys in column A, validated value cells in
//! column B and an explanation in column C (never read by the ingester,
//! which takes the value from the column right after the key).

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Note, ProtectionOptions, Workbook,
    Worksheet, XlsxError,
};

use super::text::{kind_hint, note_text, sheet_purpose};
use super::{Cell, Template, TemplateKind};
use crate::model::records::INLAMNING_TYPER;
use crate::model::{column_letters, Kind, Layout, Sakerhetsniva, SheetSchema};

/// How many data rows below the header get validation (more when a sheet is
/// pre-filled with more rows).
pub const DATA_ROWS: u32 = 500;

/// The hidden sheet that holds the dropdown lists too long for a literal.
const LISTS_SHEET: &str = "Listor";

/// The säkerhetsnivå dropdown: `1 - Grund` … (the ingester accepts these).
fn level_labels() -> Vec<String> {
    Sakerhetsniva::LABELS
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{} - {l}", i + 1))
        .collect()
}

struct Styles {
    title: Format,
    heading: Format,
    para: Format,
    header: Format,
    given: Format,
    input: Format,
    input_date: Format,
    input_money: Format,
    input_percent: Format,
    hint: Format,
}

/// Input cells: yellow, as the instructions say, and unlocked (the sheets
/// are protected, without a password, so the grey given cells stay put).
fn input() -> Format {
    Format::new()
        .set_background_color(0xFFF2CC)
        .set_border(FormatBorder::Thin)
        .set_border_color(0xBFBFBF)
        .set_unlocked()
}

impl Styles {
    /// The input format of a value of `kind`: its number format on yellow.
    fn input_for(&self, kind: Option<Kind>) -> &Format {
        match kind {
            Some(Kind::Date) => &self.input_date,
            Some(Kind::Money) => &self.input_money,
            Some(Kind::Percent) => &self.input_percent,
            _ => &self.input,
        }
    }

    fn new() -> Self {
        let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color(0xBFBFBF);
        Self {
            title: Format::new().set_bold().set_font_size(14),
            heading: Format::new().set_bold().set_font_size(12),
            para: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            header: border(
                Format::new()
                    .set_bold()
                    .set_background_color(0xD9E1F2)
                    .set_text_wrap()
                    .set_align(FormatAlign::Top),
            ),
            given: border(Format::new().set_background_color(0xEDEDED)),
            input: input(),
            input_date: input().set_num_format("yyyy-mm-dd"),
            // Kronor without decimals; a percentage is written 0–100, so
            // the sign is text (Excel's % format would multiply by 100).
            input_money: input().set_num_format("#,##0 \"kr\""),
            input_percent: input().set_num_format("General\" %\""),
            hint: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959))
                .set_text_wrap()
                .set_align(FormatAlign::Top),
        }
    }
}

/// The dropdown lists kept on the hidden `Listor` sheet.
struct Lists {
    /// `Listor!$A$2:$A$n`: the catalogue's Tjänst-ids.
    services: Option<String>,
    /// `Listor!$B$2:$B$n`: the register ids.
    orgs: Option<String>,
}

pub fn write(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let st = Styles::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "Mall: {} – {} ({}), period {}",
                t.kind.label(),
                t.org.namn,
                t.org.id,
                t.period
            ))
            .set_author("Stadsledningskontoret, Göteborgs Stad")
            .set_company("Göteborgs Stad"),
    );

    instructions(wb.add_worksheet().set_name("Instruktioner")?, t, &st)?;

    let lists = Lists {
        services: (!t.services.is_empty() && t.kind != TemplateKind::Tjanstekatalog)
            .then(|| format!("{LISTS_SHEET}!$A$2:$A${}", t.services.len() + 1)),
        orgs: (t.kind == TemplateKind::Leverantor && !t.register_ids.is_empty())
            .then(|| format!("{LISTS_SHEET}!$B$2:$B${}", t.register_ids.len() + 1)),
    };

    let inl = super::inlamning_schema();
    let given: BTreeMap<&str, Cell> = [
        ("typ", Cell::Text(t.kind.label().into())),
        ("organisations_id", Cell::Text(t.org.id.clone())),
        ("organisation", Cell::Text(t.org.namn.clone())),
        ("period", Cell::Text(t.period.to_string())),
    ]
    .into_iter()
    .collect();
    key_value_sheet(wb.add_worksheet(), inl, &given, t, &st)?;

    for schema in t.kind.sheets() {
        let ws = wb.add_worksheet();
        match schema.layout {
            Layout::KeyValue => key_value_sheet(ws, schema, &BTreeMap::new(), t, &st)?,
            Layout::Table => table_sheet(ws, schema, t, &lists, &st)?,
        }
    }

    if lists.services.is_some() || lists.orgs.is_some() {
        let ws = wb.add_worksheet().set_name(LISTS_SHEET)?;
        ws.write_string(0, 0, "Tjänst-id")?;
        ws.write_string(0, 1, "Organisations-id")?;
        if lists.services.is_some() {
            for (i, s) in t.services.iter().enumerate() {
                ws.write_string(i as u32 + 1, 0, &s.id)?;
            }
        }
        if lists.orgs.is_some() {
            for (i, id) in t.register_ids.iter().enumerate() {
                ws.write_string(i as u32 + 1, 1, id)?;
            }
        }
        ws.set_hidden(true);
    }
    wb.save_to_buffer()
}

/// The `Instruktioner` sheet: what to submit, how, where and by when.
fn instructions(ws: &mut Worksheet, t: &Template, st: &Styles) -> Result<(), XlsxError> {
    ws.set_column_width(0, 86)?;
    let mut lines: Vec<(&Format, String)> = Vec::new();
    let mut p = |f, s: String| lines.push((f, s));
    p(
        &st.title,
        format!(
            "Inlämning {} – {} ({}), period {}",
            t.kind.label(),
            t.org.namn,
            t.org.id,
            t.period
        ),
    );
    p(&st.para, "Det här är stadsledningskontorets mall för er inlämning enligt riktlinjen för digital utveckling. Fyll i den och lämna in den; uppgifterna läses automatiskt och ni får återkoppling.".into());
    p(&st.para, String::new());
    p(&st.heading, "Vad ni ska lämna in".into());
    let what = match t.kind {
        TemplateKind::Verksamhet => "Alla nämnder och bolag lämnar in en arbetsbok av typen Verksamhet för varje period: er digitaliseringsplan, vilka av stadens gemensamma tjänster ni använder, era system, era avsteg och era förändringsinsatser.",
        TemplateKind::Leverantor => "Som leverantör av gemensamma tjänster lämnar ni, utöver er Verksamhet-arbetsbok och er tjänstekatalog, in den här arbetsboken av typen Leverantör: er uppföljningsrapport, er årliga analys till strategiska samordningsgruppen, säkerhetsavvikelser och leveransavvikelser.",
        TemplateKind::Tjanstekatalog => "Som leverantör av gemensamma tjänster lämnar ni, utöver er Verksamhet-arbetsbok och er Leverantör-arbetsbok, in er tjänstekatalog i den här arbetsboken av typen Tjänstekatalog. Katalogen används för att lista tjänsterna i alla förvaltningars och bolags mallar.",
    };
    p(&st.para, what.into());
    let katalog = t.kind == TemplateKind::Tjanstekatalog;
    let mut sheets: Vec<&str> = vec!["Inlämning"];
    sheets.extend(t.kind.sheets().iter().map(|s| s.sheet));
    for s in sheets {
        p(&st.para, format!("• {s}: {}", sheet_purpose(s, katalog)));
    }
    p(&st.para, String::new());
    p(&st.heading, "Så fyller ni i".into());
    for s in [
        "• Gula celler fyller ni i: svarscellerna i bladen med en uppgift per rad, och kolumnerna under rubrikraden i tabellbladen. Grå celler är redan ifyllda och är låsta (bladen är skyddade utan lösenord); ni kan ändå lägga till och ta bort rader i tabellerna.",
        "• Varje kolumnrubrik har en kommentar (håll muspekaren över rubriken) som förklarar vad som ska stå i kolumnen, med ett exempel.",
        "• Där det finns en lista (t.ex. Ja/Nej, status eller säkerhetsnivå) väljer ni värdet i listan. Datum skrivs ÅÅÅÅ-MM-DD, t.ex. 2026-03-15. Procent skrivs som ett tal 0–100, t.ex. 45.",
        "• Skriv en sak per rad, med början direkt under rubrikraden. Ändra inte bladens namn eller kolumnrubrikerna, och lägg inte till rader ovanför rubrikraden.",
        "• Vet ni inte svaret, lämna cellen tom. En tom cell betyder att uppgiften saknas; skriv inte Nej om ni inte vet.",
        "• Har ni inget att rapportera i ett blad (t.ex. inga avsteg), lämna bladet tomt under rubrikraden. Ta inte bort bladet.",
    ] {
        p(&st.para, s.into());
    }
    p(&st.para, String::new());
    p(&st.heading, "Var och när ni lämnar in".into());
    p(&st.para, "• Spara arbetsboken i formatet .xlsx och lägg den i den gemensamma inlämningsmappen som stadsledningskontoret har anvisat. Ni får döpa filen som ni vill och lägga den i en egen undermapp: det är bladet Inlämning som visar vem filen kommer från och vad den innehåller.".into());
    p(
        &st.para,
        match t.deadline {
            Some(d) => format!(
                "• Lämna in senast {} {} {}.",
                d.day(),
                crate::ingest::values::month_name(d.month()).unwrap_or_default(),
                d.year()
            ),
            None => format!(
                "• Lämna in senast det datum som stadsledningskontoret har meddelat för period {}.",
                t.period
            ),
        },
    );
    p(&st.para, "• Skriv dagens datum i Inlämnad i bladet Inlämning. Vill ni rätta något lämnar ni in en ny fil med ett senare datum i Inlämnad; den senaste inlämningen gäller och ersätter den tidigare.".into());
    p(&st.para, "• Filen läses vid nästa körning. Därefter får ni återkoppling med de brister och saknade uppgifter som hittades, med hänvisning till blad och cell.".into());
    p(
        &st.para,
        "• Har ni frågor, kontakta stadsledningskontoret.".into(),
    );
    for (i, (f, s)) in lines.iter().enumerate() {
        if s.is_empty() {
            continue;
        }
        ws.write_string_with_format(i as u32, 0, s, f)?;
        let chars = s.chars().count();
        if chars > 86 {
            ws.set_row_height(i as u32, 15.0 * chars.div_ceil(84) as f64)?;
        }
    }
    ws.set_active(true);
    page_setup(ws, t, "Instruktioner", true)?;
    Ok(())
}

/// A key–value sheet: a header row, then one row per key (column A), its
/// value cell (B, highlighted and validated) and an explanation (C).
fn key_value_sheet(
    ws: &mut Worksheet,
    schema: &SheetSchema,
    given: &BTreeMap<&str, Cell>,
    t: &Template,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(schema.sheet)?;
    let filled = t.filled.and_then(|f| f.keys.get(schema.sheet));
    ws.write_string_with_format(0, 0, "Uppgift", &st.header)?;
    ws.write_string_with_format(0, 1, "Svar", &st.header)?;
    ws.write_string_with_format(0, 2, "Förklaring", &st.header)?;
    let mut key_width = 10usize;
    for (i, c) in schema.columns.iter().enumerate() {
        let r = i as u32 + 1;
        key_width = key_width.max(c.header.chars().count());
        ws.write_string_with_format(r, 0, c.header, &st.header)?;
        let note = note_text(schema, c.name, c.kind).replace('\n', " ");
        ws.write_string_with_format(r, 2, &note, &st.hint)?;
        // The explanation wraps in its column: the row as high as it needs.
        let lines = note.chars().count().div_ceil(72);
        if lines > 1 {
            ws.set_row_height(r, 15.0 * lines as f64)?;
        }
        ws.insert_note(r, 0, &header_note(&note))?;
        let value = filled
            .and_then(|f| f.get(c.name))
            .or_else(|| given.get(c.name));
        let is_given = given.contains_key(c.name);
        let (plain, date) = if is_given {
            (&st.given, &st.given)
        } else {
            (st.input_for(Some(c.kind)), &st.input_date)
        };
        match value {
            Some(v) => write_cell(ws, r, 1, v, plain, date)?,
            None => {
                ws.write_blank(r, 1, plain)?;
            }
        }
        let dv = if schema.sheet == "Inlämning" && c.name == "typ" {
            list_validation(c.header, INLAMNING_TYPER, "Välj typ i listan.")?
        } else if c.name == "e_post" {
            Some(
                DataValidation::new()
                    .allow_custom(Formula::new(format!("ISNUMBER(SEARCH(\"@\",B{}))", r + 1)))
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_input_title(title(c.header))?
                    .set_input_message("Skriv en e-postadress, t.ex. anna.andersson@goteborg.se.")?
                    .set_error_title("Ingen e-postadress")?
                    .set_error_message(
                        "Det här ser inte ut som en e-postadress (den ska innehålla @).",
                    )?,
            )
        } else {
            validation(c.header, c.kind, &format!("B{}", r + 1), None)?
        };
        if let Some(dv) = dv {
            ws.add_data_validation(r, 1, r, 1, &dv)?;
        }
    }
    ws.set_column_width(0, (key_width + 4) as f64)?;
    ws.set_column_width(1, 30)?;
    ws.set_column_width(2, 70)?;
    ws.set_freeze_panes(1, 0)?;
    page_setup(ws, t, schema.sheet, true)?;
    protect(ws);
    Ok(())
}

/// A4, fit to the page width, header row repeated, header and footer
/// with the template and page.
fn page_setup(
    ws: &mut Worksheet,
    t: &Template,
    sheet: &str,
    landscape: bool,
) -> Result<(), XlsxError> {
    if landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.7, 0.7, 0.3, 0.3);
    let esc = |s: &str| s.replace('&', "&&");
    ws.set_header(format!(
        "&L{} – {} ({}), period {}&R{}",
        t.kind.label(),
        esc(&t.org.namn),
        esc(&t.org.id),
        t.period,
        esc(sheet)
    ));
    ws.set_footer("&Lstadsledningskontoret&Rsida &P av &N");
    Ok(())
}

/// Protect a sheet without a password: the locked cells (headers, keys,
/// given values) cannot be changed; the yellow input cells can, and rows
/// can be inserted and deleted, sorted and filtered.
fn protect(ws: &mut Worksheet) {
    ws.protect_with_options(&ProtectionOptions {
        insert_rows: true,
        delete_rows: true,
        format_columns: true,
        format_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    });
}

/// One row of a table sheet: values by the schema's ASCII column names
/// (plus the info columns `_kategori`, `_leverantor` of pre-filled services).
type Row = BTreeMap<String, Cell>;

/// A table sheet: header row 1 with notes, (pre-)filled rows, validation
/// on the data rows, frozen header.
fn table_sheet(
    ws: &mut Worksheet,
    schema: &SheetSchema,
    t: &Template,
    lists: &Lists,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(schema.sheet)?;
    let usage = t.kind == TemplateKind::Verksamhet && schema.sheet == "Tjänster";

    // Pre-filled rows (the services a Verksamhet answers Ja/Nej for), then
    // filled-in values merged by Tjänst-id or appended.
    let mut rows: Vec<Row> = Vec::new();
    if usage {
        for s in t.services {
            let mut r = Row::new();
            r.insert("tjanst_id".into(), Cell::Text(s.id.clone()));
            if let Some(n) = &s.namn {
                r.insert("tjanst".into(), Cell::Text(n.clone()));
            }
            if let Some(k) = &s.kategori {
                r.insert("_kategori".into(), Cell::Text(k.clone()));
            }
            if let Some(l) = &s.leverantor {
                r.insert("_leverantor".into(), Cell::Text(l.clone()));
            }
            rows.push(r);
        }
    }
    let prefilled = rows.len();
    if let Some(filled) = t.filled.and_then(|f| f.rows.get(schema.sheet)) {
        for fr in filled {
            let hit = match fr.get("tjanst_id") {
                Some(id) if usage => rows[..prefilled]
                    .iter_mut()
                    .find(|r| r.get("tjanst_id") == Some(id)),
                _ => None,
            };
            match hit {
                Some(r) => r.extend(fr.clone()),
                None => rows.push(fr.clone()),
            }
        }
    }

    // Header: the contract's columns, then (Verksamhet Tjänster) two info
    // columns the ingester ignores.
    let mut headers: Vec<(String, String, Option<Kind>)> = schema
        .columns
        .iter()
        .map(|c| (c.name.to_string(), c.header.to_string(), Some(c.kind)))
        .collect();
    if usage {
        headers.push(("_kategori".into(), "Kategori".into(), None));
        headers.push(("_leverantor".into(), "Levereras av".into(), None));
    }
    let last_row = DATA_ROWS.max(rows.len() as u32 + 100);
    let mut header_lines = 1;
    for (ci, (name, header, kind)) in headers.iter().enumerate() {
        let col = ci as u16;
        ws.write_string_with_format(0, col, header, &st.header)?;
        let note = match kind {
            Some(k) => note_text(schema, name, *k),
            None if name == "_kategori" => "Tjänstens kategori i tjänstekatalogen. Bastjänster är obligatoriska; använder ni inte en bastjänst behövs ett beslutat avsteg. Läses inte in; ändra inte.".into(),
            None => "Den förvaltning som levererar tjänsten. Läses inte in; ändra inte.".into(),
        };
        ws.insert_note(0, col, &header_note(&note))?;

        // Width: the header's longest word (the header wraps; the example
        // is in its note), and pre-filled values, so the sheet prints at
        // a readable size.
        let longest_word = header.split(' ').map(|w| w.chars().count()).max();
        let mut width = (longest_word.unwrap_or(0) + 3).max(12);
        for r in &rows {
            if let Some(Cell::Text(s)) = r.get(name) {
                width = width.max(s.chars().count() + 2);
            }
        }
        if matches!(kind, Some(Kind::Level)) {
            width = width.max(16);
        }
        if matches!(kind, Some(Kind::Date)) {
            width = width.max(13);
        }
        // The contract's columns are input (yellow, unlocked, with their
        // number format) all the way down, so rows can be added anywhere.
        if kind.is_some() {
            ws.set_column_format(col, st.input_for(*kind))?;
        }
        let width = width.clamp(10, 30);
        header_lines = header_lines.max(header.chars().count().div_ceil(width - 1));
        ws.set_column_width(col, width as f64)?;

        let Some(kind) = kind else {
            continue;
        };
        let id_list = match (kind, name.as_str()) {
            (Kind::Id, "tjanst_id") if schema.sheet != "Tjänster" => lists.services.as_deref(),
            (Kind::Id, "kund") => lists.orgs.as_deref(),
            _ => None,
        };
        let cell = format!("{}2", column_letters(u32::from(col)));
        if let Some(dv) = validation(header, *kind, &cell, id_list)? {
            ws.add_data_validation(1, col, last_row, col, &dv)?;
        }
    }

    // The rows: pre-filled service cells grey, the answers highlighted.
    for (ri, r) in rows.iter().enumerate() {
        let row = ri as u32 + 1;
        for (ci, (name, _, kind)) in headers.iter().enumerate() {
            let col = ci as u16;
            let in_prefill = ri < prefilled;
            let given = in_prefill
                && matches!(
                    name.as_str(),
                    "tjanst_id" | "tjanst" | "_kategori" | "_leverantor"
                );
            let (plain, date) = if given || kind.is_none() {
                (&st.given, &st.given)
            } else {
                (st.input_for(*kind), &st.input_date)
            };
            match r.get(name) {
                Some(v) => {
                    write_cell(ws, row, col, v, plain, date)?;
                }
                None if in_prefill => {
                    ws.write_blank(row, col, plain)?;
                }
                None => {}
            }
        }
    }
    ws.set_row_height(0, 15.0 * header_lines as f64)?;
    ws.set_freeze_panes(1, 0)?;
    page_setup(ws, t, schema.sheet, true)?;
    ws.set_repeat_rows(0, 0)?;
    // Print the header and the rows filled in, with room for a few more.
    ws.set_print_area(0, 0, rows.len() as u32 + 10, headers.len() as u16 - 1)?;
    protect(ws);
    Ok(())
}

/// The note on a header (or key) cell: the column's instruction.
fn header_note(text: &str) -> Note {
    Note::new(text)
        .set_author("Stadsledningskontoret")
        .add_author_prefix(false)
        .set_width(320)
        .set_height(150)
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: &Cell,
    plain: &Format,
    date: &Format,
) -> Result<(), XlsxError> {
    match v {
        Cell::Text(s) => ws.write_string_with_format(row, col, s, plain)?,
        Cell::Number(n) => ws.write_number_with_format(row, col, *n, plain)?,
        Cell::Date(d) => {
            let dt = excel_date(*d)?;
            ws.write_datetime_with_format(row, col, &dt, date)?
        }
    };
    Ok(())
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        d.month() as u8,
        d.day() as u8,
    )
}

/// An input title fits Excel's 32 characters.
fn title(header: &str) -> String {
    header.chars().take(32).collect()
}

/// A message fits Excel's 255 characters.
fn message(s: &str) -> String {
    s.chars().take(255).collect()
}

fn list_validation(
    header: &str,
    items: &[impl AsRef<str>],
    input: &str,
) -> Result<Option<DataValidation>, XlsxError> {
    let shown: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    Ok(Some(
        DataValidation::new()
            .allow_list_strings(items)?
            .set_input_title(title(header))?
            .set_input_message(message(input))?
            .set_error_title("Ogiltigt värde")?
            .set_error_message(message(&format!(
                "Välj ett av värdena i listan: {}.",
                shown.join(", ")
            )))?,
    ))
}

/// The data validation of a column (or key–value cell) of the given kind;
/// `cell` is the first validated cell (for custom formulas), `id_list` a
/// range of allowed ids (a dropdown that still accepts other values).
fn validation(
    header: &str,
    kind: Kind,
    cell: &str,
    id_list: Option<&str>,
) -> Result<Option<DataValidation>, XlsxError> {
    let hint = kind_hint(kind);
    let with_msgs = |dv: DataValidation, error: &str| -> Result<DataValidation, XlsxError> {
        dv.set_input_title(title(header))?
            .set_input_message(message(hint))?
            .set_error_title("Ogiltigt värde")?
            .set_error_message(message(error))
    };
    let date_range = || -> Result<(ExcelDateTime, ExcelDateTime), XlsxError> {
        Ok((
            ExcelDateTime::from_ymd(2000, 1, 1)?,
            ExcelDateTime::from_ymd(2100, 12, 31)?,
        ))
    };
    Ok(Some(match kind {
        Kind::Text => return Ok(None),
        Kind::Id => match id_list {
            Some(range) => DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_input_title(title(header))?
                .set_input_message("Välj id i listan (eller skriv ett annat id).")?
                .set_error_title("Okänt id")?
                .set_error_message(
                    "Id:t finns inte i listan. Kontrollera stavningen; välj Ja för att behålla det ändå.",
                )?,
            None => return Ok(None),
        },
        Kind::Bool => return list_validation(header, &["Ja", "Nej"], hint),
        Kind::Choice(items) => {
            return list_validation(header, items, &format!("Välj i listan: {}.", items.join(", ")))
        }
        Kind::Level => return list_validation(header, &level_labels(), hint),
        Kind::Date => {
            let (from, to) = date_range()?;
            with_msgs(
                DataValidation::new().allow_date(DataValidationRule::Between(from, to)),
                "Det här är inget datum. Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-03-15.",
            )?
        }
        Kind::DateOrYearStart | Kind::DateOrYearEnd => with_msgs(
            DataValidation::new().allow_custom(Formula::new(format!(
                "AND(ISNUMBER({cell}),OR(AND({cell}>=1900,{cell}<=2200),{cell}>=36526))"
            ))),
            "Skriv ett datum som ÅÅÅÅ-MM-DD, t.ex. 2026-01-01, eller bara ett årtal, t.ex. 2026.",
        )?,
        Kind::Int => with_msgs(
            DataValidation::new().allow_whole_number(DataValidationRule::Between(0, 1_000_000)),
            "Skriv ett heltal, t.ex. 3.",
        )?,
        Kind::Year => with_msgs(
            DataValidation::new().allow_whole_number(DataValidationRule::Between(2000, 2100)),
            "Skriv ett årtal med fyra siffror, t.ex. 2026.",
        )?,
        Kind::Money => with_msgs(
            DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            "Skriv ett belopp i kronor med bara siffror, t.ex. 250000.",
        )?,
        Kind::Percent => with_msgs(
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100.0)),
            "Skriv en procentsats mellan 0 och 100, t.ex. 45.",
        )?,
    }))
}
