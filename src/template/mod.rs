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
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::NaiveDate;

use crate::model::records::{
    ArligAnalys, Avsteg, DigitalMognad, Digitaliseringsplan, Forandringsinsats, Inlamning,
    Katalogtjanst, Leveransavvikelse, Sakerhetsavvikelse, System, TjanstAnvandning,
    Uppfoljningsrapport,
};
use crate::model::{Organisation, Period, Record, SheetSchema};
use crate::settings::Settings;

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
    pub id: String,
    pub namn: Option<String>,
    pub kategori: Option<String>,
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
    Text(String),
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
    pub keys: BTreeMap<String, BTreeMap<String, Cell>>,
    pub rows: BTreeMap<String, Vec<BTreeMap<String, Cell>>>,
}

impl Filled {
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
    pub kind: TemplateKind,
    pub org: &'a Organisation,
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
        crate::util::write_file(path, &bytes)
    }
}

/// `uppsikt mall`: one template (`kind` and `org`) or, with `alla`, every
/// template of every register organisation into a folder.
pub fn cli_mall(
    settings: &Settings,
    kind: Option<TemplateKind>,
    org: Option<&str>,
    alla: bool,
    output: Option<&Path>,
    deadline: Option<&str>,
) -> Result<i32> {
    let deadline = deadline
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .with_context(|| format!("--senast \"{d}\" är inget datum (ÅÅÅÅ-MM-DD)"))
        })
        .transpose()?;
    let register = &settings.config.organisationer;
    let jobs: Vec<(&Organisation, TemplateKind, PathBuf)> = if alla {
        if kind.is_some() || org.is_some() {
            anyhow::bail!("--alla skriver alla mallar; ange inte typ eller --org samtidigt");
        }
        let dir = output.map_or_else(|| PathBuf::from("mallar"), Path::to_path_buf);
        register
            .iter()
            .flat_map(|o| {
                TemplateKind::ALL
                    .into_iter()
                    .filter(|k| k.applies_to(o))
                    .map(|k| (o, k, dir.join(file_name(&o.id, k))))
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        let Some(kind) = kind else {
            anyhow::bail!(
                "ange mallens typ (verksamhet, leverantor eller tjanstekatalog) eller --alla"
            );
        };
        let Some(id) = org else {
            anyhow::bail!("ange organisationen med --org ID (ett id ur registret), eller --alla");
        };
        let wanted = id.trim().to_uppercase();
        let Some(o) = register.iter().find(|o| o.id == wanted) else {
            let ids: Vec<&str> = register.iter().map(|o| o.id.as_str()).collect();
            anyhow::bail!(
                "--org \"{id}\" finns inte i registret över organisationer (finns: {})",
                ids.join(", ")
            );
        };
        if !kind.applies_to(o) {
            anyhow::bail!(
                "{} ({}) är ingen leverantör av gemensamma tjänster och lämnar inte in {}",
                o.id,
                o.namn,
                kind.label()
            );
        }
        let path = output.map_or_else(|| PathBuf::from(file_name(&o.id, kind)), Path::to_path_buf);
        vec![(o, kind, path)]
    };

    let services = if jobs
        .iter()
        .any(|(_, k, _)| *k != TemplateKind::Tjanstekatalog)
    {
        current_services(settings)
    } else {
        Vec::new()
    };
    let register_ids: Vec<String> = register.iter().map(|o| o.id.clone()).collect();
    let mut out = std::io::stdout().lock();
    for (o, kind, path) in &jobs {
        let t = Template {
            kind: *kind,
            org: o,
            period: settings.period,
            deadline,
            services: &services,
            register_ids: register_ids.clone(),
            filled: None,
        };
        t.save(path)?;
        let extra = if *kind == TemplateKind::Verksamhet {
            format!(", {} tjänster från tjänstekatalogerna", services.len())
        } else {
            String::new()
        };
        use std::io::Write as _;
        writeln!(
            out,
            "Skrev {} ({}, {} {}, period {}{extra})",
            path.display(),
            kind.label(),
            o.id,
            o.namn,
            settings.period
        )?;
    }
    Ok(0)
}

/// The services of the tjänstekataloger currently in the input folder (an
/// unreadable folder gives a warning and an empty list).
fn current_services(settings: &Settings) -> Vec<Service> {
    match crate::ingest::ingest(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
    ) {
        Ok(read) => {
            let model = crate::model::Model::new(settings.per, settings.period, read.orgs);
            let services = services_from_catalogue(&model.katalog, settings.per);
            if services.is_empty() {
                eprintln!(
                    "uppsikt: varning: inga tjänstekataloger för period {} hittades i {}; bladet Tjänster blir tomt",
                    settings.period,
                    settings.inputs.display()
                );
            }
            services
        }
        Err(e) => {
            eprintln!(
                "uppsikt: varning: {}: indatamappen kan inte läsas ({e}); bladet Tjänster blir tomt",
                settings.inputs.display()
            );
            Vec::new()
        }
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
