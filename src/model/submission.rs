//! What an organisation submitted, after ingestion.

use std::sync::Arc;

use chrono::NaiveDate;

use super::records::*;
use super::{Organisation, Period};

/// The three kinds of workbook (`Typ` in the `Inlämning` sheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubmissionType {
    /// The organisation's own workbook (plan, services, systems, avsteg, …).
    Verksamhet,
    /// A supplier's workbook (follow-up, deviations).
    Leverantor,
    /// A supplier's catalogue of gemensamma tjänster.
    Tjanstekatalog,
}

impl SubmissionType {
    /// The name as the `Typ` cell and messages write it.
    pub fn label(self) -> &'static str {
        match self {
            SubmissionType::Verksamhet => "Verksamhet",
            SubmissionType::Leverantor => "Leverantör",
            SubmissionType::Tjanstekatalog => "Tjänstekatalog",
        }
    }

    /// The type a `Typ` cell names, in any case and with or without diacritics.
    pub fn from_label(s: &str) -> Option<Self> {
        match crate::model::name::normalize(s).as_str() {
            "verksamhet" => Some(Self::Verksamhet),
            "leverantör" | "leverantor" => Some(Self::Leverantor),
            "tjänstekatalog" | "tjanstekatalog" => Some(Self::Tjanstekatalog),
            _ => None,
        }
    }
}

/// The `Inlämning` facts of one read workbook.
#[derive(Debug, Clone)]
pub struct Inlamning {
    /// Which kind of workbook.
    pub typ: SubmissionType,
    /// The register id it was submitted for.
    pub org_id: String,
    /// The period it concerns.
    pub period: Period,
    /// The date it was submitted, if given.
    pub inlamnad: Option<NaiveDate>,
    /// The sheet as read, with provenance.
    pub record: Arc<crate::model::records::Inlamning>,
}

/// A sheet's rows; `None` when the sheet was not in the workbook.
pub type Rows<T> = Option<Vec<Arc<T>>>;

/// A Verksamhet workbook.
#[derive(Debug, Clone)]
pub struct Verksamhet {
    /// Its `Inlämning` sheet.
    pub inlamning: Inlamning,
    /// The `Digitaliseringsplan` sheet.
    pub plan: Option<Arc<Digitaliseringsplan>>,
    /// The `Tjänster` sheet.
    pub tjanster: Rows<TjanstAnvandning>,
    /// The `System` sheet.
    pub system: Rows<System>,
    /// The `Avsteg` sheet.
    pub avsteg: Rows<Avsteg>,
    /// The `Förändringsinsatser` sheet.
    pub insatser: Rows<Forandringsinsats>,
    /// The `Digital mognad` sheet.
    pub mognad: Rows<DigitalMognad>,
}

/// A Leverantör workbook.
#[derive(Debug, Clone)]
pub struct Leverantor {
    /// Its `Inlämning` sheet.
    pub inlamning: Inlamning,
    /// The `Uppföljningsrapport` sheet.
    pub uppfoljning: Rows<Uppfoljningsrapport>,
    /// The optional `Årlig analys` sheet (R20).
    pub arlig_analys: Rows<ArligAnalys>,
    /// The `Säkerhetsavvikelser` sheet.
    pub sakerhetsavvikelser: Rows<Sakerhetsavvikelse>,
    /// The `Leveransavvikelser` sheet.
    pub leveransavvikelser: Rows<Leveransavvikelse>,
}

/// A Tjänstekatalog workbook.
#[derive(Debug, Clone)]
pub struct Tjanstekatalog {
    /// Its `Inlämning` sheet.
    pub inlamning: Inlamning,
    /// The `Tjänster` sheet: the supplier's services.
    pub tjanster: Rows<Katalogtjanst>,
}

/// One register organisation with what it submitted for the period.
#[derive(Debug, Clone)]
pub struct OrgData {
    /// The organisation.
    pub org: Arc<Organisation>,
    /// Its Verksamhet workbook, if one was read.
    pub verksamhet: Option<Verksamhet>,
    /// Its Leverantör workbook, if one was read.
    pub leverantor: Option<Leverantor>,
    /// Its Tjänstekatalog workbook, if one was read.
    pub katalog: Option<Tjanstekatalog>,
    /// A file its path attributes to it is `väntar` (still uploading,
    /// changed while read, or gone after listing): its submission may be
    /// under way. Never a submission in itself.
    pub vantar: bool,
}

impl OrgData {
    /// An organisation that has submitted nothing (yet).
    pub fn new(org: Arc<Organisation>) -> Self {
        Self {
            org,
            verksamhet: None,
            leverantor: None,
            katalog: None,
            vantar: false,
        }
    }

    /// The earliest `Inlämnad` date of its read workbooks, if any.
    pub fn submitted(&self) -> Option<NaiveDate> {
        [
            self.verksamhet.as_ref().map(|v| &v.inlamning),
            self.leverantor.as_ref().map(|v| &v.inlamning),
            self.katalog.as_ref().map(|v| &v.inlamning),
        ]
        .into_iter()
        .flatten()
        .filter_map(|i| i.inlamnad)
        .min()
    }

    /// Whether any workbook of it was read.
    pub fn submitted_anything(&self) -> bool {
        self.verksamhet.is_some() || self.leverantor.is_some() || self.katalog.is_some()
    }
}

/// Everything the rules judge: the register with each organisation's data,
/// the union of all catalogues read, the per-date and the period.
#[derive(Debug, Clone)]
pub struct Model {
    /// The date the run judges by.
    pub per: NaiveDate,
    /// The period judged.
    pub period: Period,
    /// Every register organisation, in register order.
    pub orgs: Vec<Arc<OrgData>>,
    /// Every row of every Tjänstekatalog read (the city's catalogue).
    pub katalog: Vec<Arc<Katalogtjanst>>,
}

impl Model {
    /// The ids of register organisations without a readable Verksamhet
    /// workbook (every rule on them is `underlag saknas`).
    pub fn without_verksamhet(&self) -> std::collections::HashSet<&str> {
        self.orgs
            .iter()
            .filter(|o| o.verksamhet.is_none())
            .map(|o| o.org.id.as_str())
            .collect()
    }

    /// Organisation names by register id.
    pub fn names(&self) -> std::collections::HashMap<&str, &str> {
        self.orgs
            .iter()
            .map(|o| (o.org.id.as_str(), o.org.namn.as_str()))
            .collect()
    }

    /// Build the model: one entry per register organisation (register order)
    /// and the catalogue as the union of every catalogue read.
    pub fn new(per: NaiveDate, period: Period, orgs: Vec<OrgData>) -> Self {
        let katalog = orgs
            .iter()
            .filter_map(|o| o.katalog.as_ref())
            .filter_map(|k| k.tjanster.as_ref())
            .flatten()
            .cloned()
            .collect();
        Self {
            per,
            period,
            orgs: orgs.into_iter().map(Arc::new).collect(),
            katalog,
        }
    }
}
