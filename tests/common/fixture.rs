//! A small, readable builder for contract workbooks (input contract,
//! sections 3–6), written with rust_xlsxwriter. Used by the integration
//! tests and, through `#[path]`, by `examples/gen_examples.rs`.
//!
//! ```ignore
//! use crate::common::fixture::{d, Book};
//! use crate::row;
//! Book::verksamhet("KOV", "2026")
//!     .sheet_table("System", &["System", "Skyddsbehov", "Uppnådd säkerhetsnivå"],
//!                  vec![row!["Ekonomisystem", "Hög", 2]])
//!     .save(&path);
//! ```
//!
//! Cells are [`V`]: text, number, a real date cell (serial number with a
//! date format), a percentage-formatted number, a boolean, a formula with a
//! cached result, or blank. Tables may stand anywhere ([`Book::table_at`]),
//! with title rows above them, so the ingester's tolerances can be exercised.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook};

/// One cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    /// Nothing written.
    Blank,
    /// A text cell.
    S(String),
    /// A numeric cell.
    N(f64),
    /// A real date cell: an Excel serial number with a `yyyy-mm-dd` format.
    D(u16, u8, u8),
    /// A number with a percentage format (`0.45` shows as `45%`).
    Pct(f64),
    /// A boolean cell (TRUE/FALSE).
    B(bool),
    /// A formula with its cached result (text).
    F(String, String),
}

impl From<&str> for V {
    fn from(s: &str) -> Self {
        V::S(s.to_string())
    }
}
impl From<String> for V {
    fn from(s: String) -> Self {
        V::S(s)
    }
}
impl From<&String> for V {
    fn from(s: &String) -> Self {
        V::S(s.clone())
    }
}
impl From<f64> for V {
    fn from(n: f64) -> Self {
        V::N(n)
    }
}
impl From<i32> for V {
    fn from(n: i32) -> Self {
        V::N(f64::from(n))
    }
}
impl From<i64> for V {
    fn from(n: i64) -> Self {
        V::N(n as f64)
    }
}
impl From<bool> for V {
    fn from(b: bool) -> Self {
        V::B(b)
    }
}
impl<T: Into<V>> From<Option<T>> for V {
    fn from(o: Option<T>) -> Self {
        o.map_or(V::Blank, Into::into)
    }
}

/// A real date cell.
pub fn d(y: u16, m: u8, day: u8) -> V {
    V::D(y, m, day)
}

/// A blank cell.
pub const E: V = V::Blank;

/// A row of cells from mixed values: `row!["Ekonomi", d(2026, 3, 1), 3, E]`.
#[macro_export]
macro_rules! row {
    ($($v:expr),* $(,)?) => {
        vec![$($crate::common::fixture::V::from($v)),*]
    };
}

/// One sheet: its cells (zero-based row, column) and merged ranges.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    cells: Vec<(u32, u16, V)>,
    merges: Vec<(u32, u16, u32, u16, String)>,
    /// For key–value sheets: the rows written so far (for [`Book::kv`]).
    kv_rows: Vec<(String, u32)>,
}

impl Sheet {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            cells: Vec::new(),
            merges: Vec::new(),
            kv_rows: Vec::new(),
        }
    }

    fn set(&mut self, row: u32, col: u16, v: V) {
        self.cells.retain(|(r, c, _)| !(*r == row && *c == col));
        self.cells.push((row, col, v));
    }

    fn next_row(&self) -> u32 {
        self.cells.iter().map(|(r, _, _)| r + 1).max().unwrap_or(0)
    }
}

/// A workbook under construction.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub sheets: Vec<Sheet>,
    /// Use the 1904 date system (old Mac Excel): date cells are written as
    /// 1904 serial numbers and `xl/workbook.xml` says `date1904="1"`.
    pub date1904: bool,
}

/// `"C5"` → (row 4, column 2), zero-based.
pub fn a1(cell: &str) -> (u32, u16) {
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let digits = &cell[letters.len()..];
    let col = letters
        .to_ascii_uppercase()
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    let row: u32 = digits.parse().expect("A1 reference");
    (row - 1, col as u16)
}

impl Book {
    /// An empty workbook (no sheets at all).
    pub fn new() -> Self {
        Self::default()
    }

    /// A workbook with an `Inlämning` sheet of the given Typ; `Inlämnad` is
    /// a real date cell, 2026-03-02 (change it with [`Book::kv`]).
    pub fn inlamning(typ: &str, org: &str, period: &str) -> Self {
        Self::new().key_values(
            "Inlämning",
            &[
                ("Typ", typ.into()),
                ("Organisations-id", org.into()),
                ("Period", period.into()),
                ("Inlämnad", d(2026, 3, 2)),
            ],
        )
    }

    /// A `Verksamhet` workbook (only its `Inlämning` sheet so far).
    pub fn verksamhet(org: &str, period: &str) -> Self {
        Self::inlamning("Verksamhet", org, period)
    }

    /// A `Leverantör` workbook (only its `Inlämning` sheet so far).
    pub fn leverantor(org: &str, period: &str) -> Self {
        Self::inlamning("Leverantör", org, period)
    }

    /// A `Tjänstekatalog` workbook (only its `Inlämning` sheet so far).
    pub fn tjanstekatalog(org: &str, period: &str) -> Self {
        Self::inlamning("Tjänstekatalog", org, period)
    }

    fn sheet_mut(&mut self, name: &str) -> &mut Sheet {
        if let Some(i) = self.sheets.iter().position(|s| s.name == name) {
            &mut self.sheets[i]
        } else {
            self.sheets.push(Sheet::new(name));
            self.sheets.last_mut().expect("just pushed")
        }
    }

    /// A key–value sheet: keys in column A, values in column B, from row 1
    /// (appended below what the sheet already holds).
    pub fn key_values(mut self, name: &str, pairs: &[(&str, V)]) -> Self {
        for (k, v) in pairs {
            self = self.kv(name, k, v.clone());
        }
        self
    }

    /// Set one key's value in a key–value sheet (replacing the value of a
    /// key written earlier by this builder, else appending a row);
    /// `V::Blank` leaves the value empty.
    pub fn kv(mut self, sheet: &str, key: &str, value: impl Into<V>) -> Self {
        let s = self.sheet_mut(sheet);
        let row = match s.kv_rows.iter().find(|(k, _)| k == key) {
            Some((_, r)) => *r,
            None => {
                let r = s.next_row();
                s.kv_rows.push((key.to_string(), r));
                s.set(r, 0, key.into());
                r
            }
        };
        s.set(row, 1, value.into());
        self
    }

    /// Remove a key row written by this builder (e.g. to drop
    /// `Organisations-id` and classify by name only).
    pub fn remove_kv(mut self, sheet: &str, key: &str) -> Self {
        let s = self.sheet_mut(sheet);
        if let Some(i) = s.kv_rows.iter().position(|(k, _)| k == key) {
            let (_, r) = s.kv_rows.remove(i);
            s.cells.retain(|(row, _, _)| *row != r);
        }
        self
    }

    /// A table sheet with its header in row 1, column A. Replaces whatever
    /// the sheet held before (it keeps its place among the sheets).
    pub fn sheet_table(self, name: &str, headers: &[&str], rows: Vec<Vec<V>>) -> Self {
        self.clear_sheet(name)
            .table_at(name, "A1", &[], headers, rows)
    }

    /// Empty a sheet (keeping its place), creating it if needed.
    pub fn clear_sheet(mut self, name: &str) -> Self {
        let s = self.sheet_mut(name);
        s.cells.clear();
        s.merges.clear();
        s.kv_rows.clear();
        self
    }

    /// Remove a sheet altogether.
    pub fn drop_sheet(mut self, name: &str) -> Self {
        self.sheets.retain(|s| s.name != name);
        self
    }

    /// A table whose first title row (if any) stands at `top_left` (A1
    /// notation); the `titles` rows come first, one per row, then the header
    /// row, then the data rows. An empty `Vec` as a row is a blank row.
    /// Adds to what the sheet already holds (see [`Book::clear_sheet`]).
    pub fn table_at(
        mut self,
        name: &str,
        top_left: &str,
        titles: &[&str],
        headers: &[&str],
        rows: Vec<Vec<V>>,
    ) -> Self {
        let (mut r, c0) = a1(top_left);
        let s = self.sheet_mut(name);
        for t in titles {
            if !t.is_empty() {
                s.set(r, c0, (*t).into());
            }
            r += 1;
        }
        for (i, h) in headers.iter().enumerate() {
            s.set(r, c0 + i as u16, (*h).into());
        }
        for row in rows {
            r += 1;
            for (i, v) in row.into_iter().enumerate() {
                if v != V::Blank {
                    s.set(r, c0 + i as u16, v);
                }
            }
        }
        self
    }

    /// Write one cell (A1 notation) of a sheet, creating the sheet if needed.
    pub fn cell(mut self, sheet: &str, at: &str, v: impl Into<V>) -> Self {
        let (r, c) = a1(at);
        self.sheet_mut(sheet).set(r, c, v.into());
        self
    }

    /// Write one cell by zero-based row and column.
    pub fn cell_rc(mut self, sheet: &str, row: u32, col: u16, v: impl Into<V>) -> Self {
        self.sheet_mut(sheet).set(row, col, v.into());
        self
    }

    /// Merge a range (e.g. `"A1:D1"`) holding a text in its top-left cell.
    pub fn merge(mut self, sheet: &str, from: &str, to: &str, text: &str) -> Self {
        let (r0, c0) = a1(from);
        let (r1, c1) = a1(to);
        self.sheet_mut(sheet)
            .merges
            .push((r0, c0, r1, c1, text.to_string()));
        self
    }

    /// Switch the workbook to the 1904 date system.
    pub fn date1904(mut self) -> Self {
        self.date1904 = true;
        self
    }

    /// An (otherwise empty) sheet with this name.
    pub fn empty_sheet(mut self, name: &str) -> Self {
        self.sheet_mut(name);
        self
    }

    /// The workbook as xlsx bytes (deterministic: fixed document dates).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        let created = ExcelDateTime::from_ymd(2026, 1, 1).expect("date");
        wb.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&created)
                .set_author("uppsikt (fiktiva testdata)"),
        );
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let pct = Format::new().set_num_format("0%");
        let plain = Format::new();
        for sheet in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(&sheet.name).expect("sheet name");
            let mut cells = sheet.cells.clone();
            cells.sort_by_key(|(r, c, _)| (*r, *c));
            for (r, c, v) in cells {
                match v {
                    V::Blank => Ok(&mut *ws),
                    V::S(s) => ws.write_string(r, c, s),
                    V::N(n) => ws.write_number(r, c, n),
                    V::D(y, m, day) => {
                        let dt = ExcelDateTime::from_ymd(y, m, day).expect("date");
                        if self.date1904 {
                            // 1462 days between the 1900 and 1904 epochs.
                            ws.write_number_with_format(r, c, dt.to_excel() - 1462.0, &date)
                        } else {
                            ws.write_datetime_with_format(r, c, &dt, &date)
                        }
                    }
                    V::Pct(n) => ws.write_number_with_format(r, c, n, &pct),
                    V::B(b) => ws.write_boolean(r, c, b),
                    V::F(f, result) => ws.write_formula(r, c, Formula::new(f).set_result(result)),
                }
                .expect("write cell");
            }
            for (r0, c0, r1, c1, text) in &sheet.merges {
                ws.merge_range(*r0, *c0, *r1, *c1, text, &plain)
                    .expect("merge");
            }
            if sheet.cells.iter().any(|(_, c, _)| *c < 16) {
                ws.set_column_range_width(0, 12, 22.0).expect("width");
            }
        }
        let bytes = wb.save_to_buffer().expect("xlsx");
        if self.date1904 {
            set_date1904(&bytes)
        } else {
            bytes
        }
    }

    /// Save as xlsx, creating parent folders.
    pub fn save(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).expect("create folder");
        }
        std::fs::write(path, self.to_bytes()).expect("write workbook");
    }
}

/// Rewrite an xlsx so that its workbook uses the 1904 date system.
fn set_date1904(bytes: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zout = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).expect("entry");
            let name = f.name().expect("entry name").to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("read entry");
            if name == "xl/workbook.xml" {
                let xml = String::from_utf8(data).expect("utf-8");
                assert!(xml.contains("<workbookPr"), "no workbookPr");
                data = xml
                    .replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
                    .into_bytes();
            }
            zout.start_file(name, opts).expect("start");
            zout.write_all(&data).expect("write entry");
        }
        zout.finish().expect("finish");
    }
    out.into_inner()
}

/// The `Avsteg` sheet's columns, in the contract's order.
pub const AVSTEG_HEADERS: &[&str] = &[
    "Avsteg-id",
    "Tjänst-id",
    "Motivering",
    "Dialog med leverantör",
    "Beslutat av",
    "Beslutsdatum",
    "Diarienummer",
    "Rapporterat i uppföljning",
    "SSG informerad",
    "Gäller till",
];

/// A complete, valid Verksamhet workbook with every sheet filled in and no
/// compliance gaps (a starting point other tests can modify).
pub fn valid_verksamhet(org: &str, period: &str) -> Book {
    Book::verksamhet(org, period)
        .key_values(
            "Digitaliseringsplan",
            &[
                ("Plan finns", "Ja".into()),
                ("Dokumentnamn", "Digitaliseringsplan 2026".into()),
                ("Beslutad av", "Nämnden".into()),
                ("Beslutsdatum", d(2026, 1, 20)),
                ("Diarienummer", "N-2026-001".into()),
                ("Giltig från", 2026.into()),
                ("Giltig till", 2026.into()),
                ("Antal insatser", 2.into()),
                ("Effekter beskrivna", "Ja".into()),
                ("Ingår i budget eller verksamhetsplan", "Ja".into()),
            ],
        )
        .sheet_table(
            "Tjänster",
            &["Tjänst-id", "Tjänst", "Används", "Kommentar"],
            vec![row!["IS-HR", "HR-stöd", "Ja", E]],
        )
        .sheet_table(
            "System",
            &[
                "System",
                "Typ",
                "Tjänst-id",
                "Skyddsbehov",
                "Uppnådd säkerhetsnivå",
                "Senaste riskbedömning",
                "Personuppgifter",
                "Personuppgiftsbiträde",
                "Instruktion till biträde",
                "Systemägare",
            ],
            vec![row![
                "Ärendesystem",
                "Verksamhetsspecifik",
                E,
                2,
                2,
                d(2026, 2, 1),
                "Ja",
                "Nej",
                E,
                "Systemägare A"
            ]],
        )
        .sheet_table(
            "Förändringsinsatser",
            &[
                "Insats",
                "Inriktning",
                "Nytta",
                "Kostnads- och nyttoanalys",
                "Nyttorealiseringsplan",
                "Status",
                "Utvärderad",
                "Budget",
                "Ansvarig",
                "Slutdatum",
            ],
            vec![row![
                "E-tjänst",
                "Innovation",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                250000,
                "Projektledare B",
                d(2026, 12, 31)
            ]],
        )
}
