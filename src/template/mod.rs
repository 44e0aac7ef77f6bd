//! Submitter templates (`uppsikt mall`): one xlsx per organisation and kind
//! of workbook it must submit, written from the contract's sheet schemas
//! ([`crate::model::records`]) so they cannot drift from the ingester.
//!
//! A template is what the ingester reads best: the `Inlämning` sheet
//! pre-filled, one sheet per contract sheet with its header row in row 1
//! (instructions as cell notes, never as data rows), dropdowns and value
//! validation on the input cells, and an `Instruktioner` sheet. An untouched
//! template ingests with zero warnings as a valid, empty submission.
//!
//! The writer can also take values ([`Filled`]) and write a filled-in
//! template through the same code: the tests use this for round trips.

mod text;
mod writer;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;

use crate::model::records::{
    ArligAnalys, Avsteg, DigitalMognad, Digitaliseringsplan, Forandringsinsats, Inlamning,
    Katalogtjanst, Leveransavvikelse, Sakerhetsavvikelse, System, TjanstAnvandning,
    Uppfoljningsrapport,
};
use crate::model::{Organisation, Period, Record, SheetSchema};

pub use text::{column_help, Help};

/// The kind of workbook a template is for (`Typ` in the `Inlämning` sheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum TemplateKind {
    /// A förvaltning's or bolag's own report (every organisation).
    Verksamhet,
    /// A supplier's follow-up report (suppliers only).
    #[value(alias = "leverantör")]
    Leverantor,
    /// A supplier's service catalogue (suppliers only).
    #[value(alias = "tjänstekatalog")]
    Tjanstekatalog,
}

impl TemplateKind {
    /// Every kind of template.
    pub const ALL: [TemplateKind; 3] = [
        TemplateKind::Verksamhet,
        TemplateKind::Leverantor,
        TemplateKind::Tjanstekatalog,
    ];

    /// The `Typ` value of the `Inlämning` sheet.
    pub fn label(self) -> &'static str {
        match self {
            TemplateKind::Verksamhet => "Verksamhet",
            TemplateKind::Leverantor => "Leverantör",
            TemplateKind::Tjanstekatalog => "Tjänstekatalog",
        }
    }

    /// The ASCII slug used in file names.
    pub fn slug(self) -> &'static str {
        match self {
            TemplateKind::Verksamhet => "verksamhet",
            TemplateKind::Leverantor => "leverantor",
            TemplateKind::Tjanstekatalog => "tjanstekatalog",
        }
    }

    /// Whether this organisation must submit this kind.
    pub fn applies_to(self, org: &Organisation) -> bool {
        self == TemplateKind::Verksamhet || org.leverantor
    }

    /// The contract sheets of this kind, in template order (after
    /// `Instruktioner` and `Inlämning`).
    pub fn sheets(self) -> &'static [&'static SheetSchema] {
        const V: &[&SheetSchema] = &[
            Digitaliseringsplan::SCHEMA,
            TjanstAnvandning::SCHEMA,
            System::SCHEMA,
            Avsteg::SCHEMA,
            Forandringsinsats::SCHEMA,
            DigitalMognad::SCHEMA,
        ];
        const L: &[&SheetSchema] = &[
            Uppfoljningsrapport::SCHEMA,
            ArligAnalys::SCHEMA,
            Sakerhetsavvikelse::SCHEMA,
            Leveransavvikelse::SCHEMA,
        ];
        const K: &[&SheetSchema] = &[Katalogtjanst::SCHEMA];
        match self {
            TemplateKind::Verksamhet => V,
            TemplateKind::Leverantor => L,
            TemplateKind::Tjanstekatalog => K,
        }
    }
}

/// The `Inlämning` sheet's schema (every template has it).
pub fn inlamning_schema() -> &'static SheetSchema {
    Inlamning::SCHEMA
}

/// The file name of a template: register id and kind only, never uploaded
/// text (ids are validated by the configuration: `A–Z`, digits and `-`).
pub fn file_name(org_id: &str, kind: TemplateKind) -> String {
    format!("{org_id}-{}.xlsx", kind.slug())
}

/// One gemensam tjänst from the current tjänstekataloger, listed in the
/// `Tjänster` sheet of a Verksamhet template.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// The Tjänst-id.
    pub id: String,
    /// The service's name.
    pub namn: Option<String>,
    /// Its category (Bastjänst, …).
    pub kategori: Option<String>,
    /// The supplier.
    pub leverantor: Option<String>,
}

/// The services of the catalogue rows read: valid on `per` (or without
/// dates), one per Tjänst-id, bastjänster first, then by id.
pub fn services_from_catalogue(
    rows: &[std::sync::Arc<Katalogtjanst>],
    per: NaiveDate,
) -> Vec<Service> {
    let mut out: Vec<Service> = Vec::new();
    for r in rows {
        let Some(id) = r.tjanst_id.get() else {
            continue;
        };
        if r.giltig_till.get().is_some_and(|d| *d < per) {
            continue;
        }
        if out.iter().any(|s| &s.id == id) {
            continue;
        }
        out.push(Service {
            id: id.clone(),
            namn: r.tjanst.get().cloned(),
            kategori: r.kategori.get().cloned(),
            leverantor: r.leverantor.get().cloned(),
        });
    }
    let rank = |s: &Service| match s.kategori.as_deref() {
        Some("Bastjänst") => 0,
        Some("Tilläggstjänst") => 1,
        Some("Specialisttjänst") => 2,
        _ => 3,
    };
    out.sort_by(|a, b| (rank(a), &a.id).cmp(&(rank(b), &b.id)));
    out
}

/// A value written into a template cell (for filled-in templates).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A real date cell (serial number with a `yyyy-mm-dd` format).
    Date(NaiveDate),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Cell::Number(n)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}
impl From<i32> for Cell {
    fn from(n: i32) -> Self {
        Cell::Number(f64::from(n))
    }
}
impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

/// Values to write into a template, by contract sheet name and the schema's
/// ASCII column names. Key–value sheets (`Inlämning`, `Digitaliseringsplan`)
/// take [`Filled::key`]; tables take [`Filled::row`]. A `Tjänster` row whose
/// Tjänst-id matches a pre-filled service row fills that row; other rows are
/// appended.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    /// Key–value sheets: sheet → key → value.
    pub keys: BTreeMap<String, BTreeMap<String, Cell>>,
    /// Table sheets: sheet → rows of column → value.
    pub rows: BTreeMap<String, Vec<BTreeMap<String, Cell>>>,
}

impl Filled {
    /// Nothing filled in.
    pub fn new() -> Self {
        Self::default()
    }

    /// A value of a key–value sheet.
    pub fn key(mut self, sheet: &str, name: &str, v: impl Into<Cell>) -> Self {
        self.keys
            .entry(sheet.to_string())
            .or_default()
            .insert(name.to_string(), v.into());
        self
    }

    /// One row of a table sheet.
    pub fn row(mut self, sheet: &str, values: Vec<(&str, Cell)>) -> Self {
        self.rows.entry(sheet.to_string()).or_default().push(
            values
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        self
    }
}

/// Everything one template is written from.
#[derive(Debug, Clone)]
pub struct Template<'a> {
    /// Which kind of workbook.
    pub kind: TemplateKind,
    /// The organisation it is for.
    pub org: &'a Organisation,
    /// The period it is for.
    pub period: Period,
    /// The last day to submit, if known (`--senast`).
    pub deadline: Option<NaiveDate>,
    /// The gemensamma tjänster (Verksamhet: pre-filled `Tjänster` rows; also
    /// the Tjänst-id dropdowns).
    pub services: &'a [Service],
    /// Register ids (the `Kund` dropdown of Leveransavvikelser).
    pub register_ids: Vec<String>,
    /// Values to write (None: an untouched template).
    pub filled: Option<&'a Filled>,
}

impl Template<'_> {
    /// The workbook as xlsx bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        writer::write(self).context("mallen kunde inte skrivas")
    }

    /// Write to `path`, creating parent folders.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(p) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(p)
                .with_context(|| format!("{}: mappen kan inte skapas", p.display()))?;
        }
        let bytes = self.to_bytes()?;
        std::fs::write(path, &bytes)
            .with_context(|| format!("{}: kan inte skrivas", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_an_instruction() {
        let mut all: Vec<&SheetSchema> = vec![inlamning_schema()];
        for k in TemplateKind::ALL {
            all.extend(k.sheets());
        }
        for s in all {
            for c in s.columns {
                assert!(
                    column_help(s.sheet, c.name).is_some(),
                    "no instruction for {} / {}",
                    s.sheet,
                    c.name
                );
            }
        }
    }

    #[test]
    fn file_names_use_the_register_id() {
        assert_eq!(
            file_name("KOV", TemplateKind::Verksamhet),
            "KOV-verksamhet.xlsx"
        );
        assert_eq!(
            file_name("IS", TemplateKind::Leverantor),
            "IS-leverantor.xlsx"
        );
        assert_eq!(
            file_name("IS", TemplateKind::Tjanstekatalog),
            "IS-tjanstekatalog.xlsx"
        );
    }
}
