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
    /// The `Tjänster` sheet (`None` also once [`Model::release_rule_only_sheets`]
    /// has run: only the rules read it).
    pub tjanster: Rows<TjanstAnvandning>,
    /// The `System` sheet (`None` also once [`Model::release_rule_only_sheets`]
    /// has run: only the rules read it).
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

/// [`Model::release_rule_only_sheets`] for some organisations (those whose
/// rules have all run, when no rule can read another organisation's rows).
pub fn release_rule_only_sheets(orgs: &mut [Arc<OrgData>]) -> usize {
    let mut released = 0;
    for o in orgs {
        let Some(v) = Arc::get_mut(o).and_then(|o| o.verksamhet.as_mut()) else {
            continue;
        };
        released += v.system.take().map_or(0, |r| r.len());
        released += v.tjanster.take().map_or(0, |r| r.len());
    }
    released
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

    /// Let go of what only the rules read, once they have run: each
    /// Verksamhet workbook's `System` and `Tjänster` rows, most of the model
    /// (about 150 and 40 rows of an organisation's 230). The writers (report,
    /// feedback, nyttoregister, delivery) never read them, and a run's peak
    /// memory is while they write. An organisation still shared (an `Arc`
    /// held elsewhere) keeps its rows. Returns how many rows were let go.
    pub fn release_rule_only_sheets(&mut self) -> usize {
        release_rule_only_sheets(&mut self.orgs)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::Inlamning as InlamningSheet;
    use crate::model::{Location, Record};

    fn rows<T: Record>(n: u32) -> Rows<T> {
        let at = |r| Location::new("v.xlsx".into(), T::SCHEMA.sheet.into(), r, 0);
        Some(
            (0..n)
                .map(|r| Arc::new(T::from_values(at(r), Vec::new())))
                .collect(),
        )
    }

    fn org(id: &str) -> OrgData {
        let yaml = format!("id: {id}\nnamn: Nämnden {id}\ntyp: nämnd\nbeslutsorgan: Nämnden\n");
        let org: Organisation = crate::yaml::parse(&yaml, std::path::Path::new("t.yaml")).unwrap();
        let record = Arc::new(InlamningSheet::from_values(
            Location::new("v.xlsx".into(), "Inlämning".into(), 0, 0),
            Vec::new(),
        ));
        let mut od = OrgData::new(Arc::new(org));
        od.verksamhet = Some(Verksamhet {
            inlamning: Inlamning {
                typ: SubmissionType::Verksamhet,
                org_id: id.into(),
                period: "2026".parse().unwrap(),
                inlamnad: None,
                record,
            },
            plan: None,
            tjanster: rows(2),
            system: rows(3),
            avsteg: rows(1),
            insatser: rows(4),
            mognad: None,
        });
        od
    }

    #[test]
    fn releasing_the_rule_only_sheets_keeps_what_the_writers_read() {
        let per = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let mut model = Model::new(per, "2026".parse().unwrap(), vec![org("A"), org("B")]);
        // B is still held elsewhere: it keeps its rows.
        let held = model.orgs[1].clone();
        assert_eq!(model.release_rule_only_sheets(), 5);
        let a = model.orgs[0].verksamhet.as_ref().unwrap();
        assert!(a.system.is_none() && a.tjanster.is_none());
        assert_eq!(a.avsteg.as_ref().map(Vec::len), Some(1));
        assert_eq!(a.insatser.as_ref().map(Vec::len), Some(4));
        let b = held.verksamhet.as_ref().unwrap();
        assert_eq!(b.system.as_ref().map(Vec::len), Some(3));
        assert_eq!(b.tjanster.as_ref().map(Vec::len), Some(2));
        drop(held);
        assert_eq!(model.release_rule_only_sheets(), 5);
        assert_eq!(model.release_rule_only_sheets(), 0);
    }
}
