//! What an organisation submitted, after ingestion.

use std::sync::Arc;

use chrono::NaiveDate;

use super::records::*;
use super::{Organisation, Period};

/// The three kinds of workbook (`Typ` in the `Inlämning` sheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubmissionType {
    Verksamhet,
    Leverantor,
    Tjanstekatalog,
}

impl SubmissionType {
    pub fn label(self) -> &'static str {
        match self {
            SubmissionType::Verksamhet => "Verksamhet",
            SubmissionType::Leverantor => "Leverantör",
            SubmissionType::Tjanstekatalog => "Tjänstekatalog",
        }
    }

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
    pub typ: SubmissionType,
    pub org_id: String,
    pub period: Period,
    pub inlamnad: Option<NaiveDate>,
    /// The sheet as read, with provenance.
    pub record: Arc<crate::model::records::Inlamning>,
}

/// A sheet's rows; `None` when the sheet was not in the workbook.
pub type Rows<T> = Option<Vec<Arc<T>>>;

/// A Verksamhet workbook.
#[derive(Debug, Clone)]
pub struct Verksamhet {
    pub inlamning: Inlamning,
    pub plan: Option<Arc<Digitaliseringsplan>>,
    pub tjanster: Rows<TjanstAnvandning>,
    pub system: Rows<System>,
    pub avsteg: Rows<Avsteg>,
    pub insatser: Rows<Forandringsinsats>,
    pub mognad: Rows<DigitalMognad>,
}

/// A Leverantör workbook.
#[derive(Debug, Clone)]
pub struct Leverantor {
    pub inlamning: Inlamning,
    pub uppfoljning: Rows<Uppfoljningsrapport>,
    /// The optional `Årlig analys` sheet (R20).
    pub arlig_analys: Rows<ArligAnalys>,
    pub sakerhetsavvikelser: Rows<Sakerhetsavvikelse>,
    pub leveransavvikelser: Rows<Leveransavvikelse>,
}

/// A Tjänstekatalog workbook.
#[derive(Debug, Clone)]
pub struct Tjanstekatalog {
    pub inlamning: Inlamning,
    pub tjanster: Rows<Katalogtjanst>,
}

/// One register organisation with what it submitted for the period.
#[derive(Debug, Clone)]
pub struct OrgData {
    pub org: Arc<Organisation>,
    pub verksamhet: Option<Verksamhet>,
    pub leverantor: Option<Leverantor>,
    pub katalog: Option<Tjanstekatalog>,
}

impl OrgData {
    pub fn new(org: Arc<Organisation>) -> Self {
        Self {
            org,
            verksamhet: None,
            leverantor: None,
            katalog: None,
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

    pub fn submitted_anything(&self) -> bool {
        self.verksamhet.is_some() || self.leverantor.is_some() || self.katalog.is_some()
    }
}

/// Everything the rules judge: the register with each organisation's data,
/// the union of all catalogues read, the per-date and the period.
#[derive(Debug, Clone)]
pub struct Model {
    pub per: NaiveDate,
    pub period: Period,
    pub orgs: Vec<Arc<OrgData>>,
    pub katalog: Vec<Arc<Katalogtjanst>>,
}

impl Model {
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
