//! A rule's YAML file: metadata, parameters, documentation and test cases.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::status::Severity;
use crate::yaml::{YamlMapping, YamlValue};

/// What one evaluation of a rule is about (`objekt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// Each register organisation (`objekt` is the organisation itself).
    Organisation,
    /// The organisation's `Digitaliseringsplan` sheet.
    Digitaliseringsplan,
    /// Each row of the organisation's `Tjänster` sheet.
    Tjanstanvandning,
    /// Each row of every Tjänstekatalog read (the city's catalogue), per organisation.
    Katalograd,
    /// Each row of the organisation's own Tjänstekatalog.
    EgenKatalograd,
    /// Each row of `System`.
    System,
    /// Each row of `Avsteg`.
    Avsteg,
    /// Each row of `Förändringsinsatser`.
    Insats,
    /// Each row of `Uppföljningsrapport`.
    Uppfoljningsrapport,
    /// Each row of `Säkerhetsavvikelser`.
    Sakerhetsavvikelse,
    /// Each row of `Leveransavvikelser`.
    Leveransavvikelse,
}

impl SubjectKind {
    /// The name in the YAML (`objekt`).
    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Organisation => "organisation",
            SubjectKind::Digitaliseringsplan => "digitaliseringsplan",
            SubjectKind::Tjanstanvandning => "tjanstanvandning",
            SubjectKind::Katalograd => "katalograd",
            SubjectKind::EgenKatalograd => "egen_katalograd",
            SubjectKind::System => "system",
            SubjectKind::Avsteg => "avsteg",
            SubjectKind::Insats => "insats",
            SubjectKind::Uppfoljningsrapport => "uppfoljningsrapport",
            SubjectKind::Sakerhetsavvikelse => "sakerhetsavvikelse",
            SubjectKind::Leveransavvikelse => "leveransavvikelse",
        }
    }

    /// The data this kind of subject is read from: when it was not
    /// submitted, the rule is `underlag saknas` for the organisation.
    pub fn implied_requirement(self) -> Option<Requirement> {
        Some(match self {
            SubjectKind::Organisation | SubjectKind::Katalograd => return None,
            SubjectKind::Digitaliseringsplan => Requirement::Digitaliseringsplan,
            SubjectKind::Tjanstanvandning => Requirement::Tjanster,
            SubjectKind::EgenKatalograd => Requirement::Katalog,
            SubjectKind::System => Requirement::System,
            SubjectKind::Avsteg => Requirement::Avsteg,
            SubjectKind::Insats => Requirement::Forandringsinsatser,
            SubjectKind::Uppfoljningsrapport => Requirement::Uppfoljningsrapport,
            SubjectKind::Sakerhetsavvikelse => Requirement::Sakerhetsavvikelser,
            SubjectKind::Leveransavvikelse => Requirement::Leveransavvikelser,
        })
    }
}

/// A workbook or sheet a rule needs (`kraver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// A Verksamhet workbook.
    Verksamhet,
    /// A Leverantör workbook.
    Leverantor,
    /// A Tjänstekatalog workbook.
    Tjanstekatalog,
    /// The `Digitaliseringsplan` sheet.
    Digitaliseringsplan,
    /// The `Tjänster` sheet.
    Tjanster,
    /// The `System` sheet.
    System,
    /// The `Avsteg` sheet.
    Avsteg,
    /// The `Förändringsinsatser` sheet.
    Forandringsinsatser,
    /// The `Uppföljningsrapport` sheet.
    Uppfoljningsrapport,
    /// The `Säkerhetsavvikelser` sheet.
    Sakerhetsavvikelser,
    /// The `Leveransavvikelser` sheet.
    Leveransavvikelser,
    /// The `Tjänster` sheet of the organisation's own Tjänstekatalog.
    Katalog,
}

impl Requirement {
    /// Swedish description used in `underlag saknas` messages.
    pub fn describe(self) -> &'static str {
        match self {
            Requirement::Verksamhet => {
                "ingen arbetsbok av typen Verksamhet har lämnats in för perioden"
            }
            Requirement::Leverantor => {
                "ingen arbetsbok av typen Leverantör har lämnats in för perioden"
            }
            Requirement::Tjanstekatalog => {
                "ingen arbetsbok av typen Tjänstekatalog har lämnats in för perioden"
            }
            Requirement::Digitaliseringsplan => "bladet Digitaliseringsplan saknas i inlämningen",
            Requirement::Tjanster => "bladet Tjänster saknas i inlämningen",
            Requirement::System => "bladet System saknas i inlämningen",
            Requirement::Avsteg => "bladet Avsteg saknas i inlämningen",
            Requirement::Forandringsinsatser => "bladet Förändringsinsatser saknas i inlämningen",
            Requirement::Uppfoljningsrapport => "bladet Uppföljningsrapport saknas i inlämningen",
            Requirement::Sakerhetsavvikelser => "bladet Säkerhetsavvikelser saknas i inlämningen",
            Requirement::Leveransavvikelser => "bladet Leveransavvikelser saknas i inlämningen",
            Requirement::Katalog => "bladet Tjänster saknas i tjänstekatalogen",
        }
    }

    /// The workbook a sheet lives in (checked first).
    pub fn workbook(self) -> Requirement {
        match self {
            Requirement::Digitaliseringsplan
            | Requirement::Tjanster
            | Requirement::System
            | Requirement::Avsteg
            | Requirement::Forandringsinsatser => Requirement::Verksamhet,
            Requirement::Uppfoljningsrapport
            | Requirement::Sakerhetsavvikelser
            | Requirement::Leveransavvikelser => Requirement::Leverantor,
            Requirement::Katalog => Requirement::Tjanstekatalog,
            wb => wb,
        }
    }
}

/// Which organisations a rule concerns (`galler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every register organisation.
    #[default]
    Alla,
    /// Only the suppliers of gemensamma tjänster (`leverantör: true`).
    Leverantorer,
}

/// A part of the report that shows every outcome of a rule, not only its
/// findings (`visas_i`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum View {
    /// The report's `Avsteg` sheet: the rule's outcome beside each avsteg.
    Avsteg,
}

impl View {
    /// Every view, in the order the YAML names them.
    pub const ALL: [View; 1] = [View::Avsteg];

    /// The name in the YAML.
    pub fn label(self) -> &'static str {
        match self {
            View::Avsteg => "Avsteg",
        }
    }
}

impl TryFrom<String> for View {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        View::ALL
            .into_iter()
            .find(|v| v.label() == s.trim())
            .ok_or_else(|| {
                let known: Vec<&str> = View::ALL.iter().map(|v| v.label()).collect();
                format!("\"{s}\" är ingen känd vy (kända: {})", known.join(", "))
            })
    }
}

impl From<View> for String {
    fn from(v: View) -> Self {
        v.label().to_string()
    }
}

/// One condition of `gäller_när`: a field of the subject and what its value
/// must be for the rule to apply.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The field (ASCII name, as scripts write it).
    #[serde(rename = "fält", alias = "falt")]
    pub falt: String,
    /// The rule applies when the value is one of these.
    #[serde(default, rename = "är", alias = "ar")]
    pub ar: Vec<YamlValue>,
    /// The rule applies when the value is none of these.
    #[serde(default, rename = "är_inte", alias = "ar_inte")]
    pub ar_inte: Vec<YamlValue>,
    /// The rule applies when the date is on or before this.
    #[serde(default)]
    pub senast: Option<DateBound>,
    /// The rule applies when the date is on or after this.
    #[serde(default)]
    pub tidigast: Option<DateBound>,
    /// The `ej tillämplig` message when a filled value fails the test.
    #[serde(default)]
    pub meddelande: Option<String>,
    /// What an empty field means.
    pub om_tomt: IfEmpty,
    /// The message when the field is empty (default for `ej tillämplig`:
    /// `meddelande`).
    #[serde(default)]
    pub meddelande_om_tomt: Option<String>,
}

/// What an empty field means for a `gäller_när` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IfEmpty {
    /// The condition holds (the next one, or the script, decides).
    #[serde(rename = "gäller", alias = "galler")]
    Galler,
    /// `ej tillämplig`.
    #[serde(rename = "ej tillämplig", alias = "ej_tillamplig")]
    EjTillamplig,
    /// `underlag saknas`, pointing at the field's cell.
    #[serde(rename = "underlag saknas", alias = "underlag_saknas")]
    UnderlagSaknas,
}

/// The date a `senast`/`tidigast` condition compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateBound {
    /// The run's per-date.
    #[serde(rename = "per")]
    Per,
}

/// The fixed documentation headings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documentation {
    /// What the rule checks.
    #[serde(rename = "Vad regeln kontrollerar")]
    pub vad: String,
    /// Why (the guideline's reason).
    #[serde(rename = "Varför")]
    pub varfor: String,
    /// Examples of each outcome.
    #[serde(rename = "Exempel", default)]
    pub exempel: String,
    /// Where in the guideline.
    #[serde(rename = "Referens", default)]
    pub referens: String,
    /// What the submitter does about a finding, written for them: the
    /// feedback's "Vad ni behöver göra".
    #[serde(rename = "Så åtgärdar ni", default)]
    pub atgard: String,
}

/// Expected outcome of a test case: a status, or a status plus message text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    /// Only the status (the label, e.g. `brist`).
    Status(String),
    /// A status and more.
    Detailed {
        /// The expected status.
        status: String,
        /// Text the message must contain.
        #[serde(default)]
        meddelande: Option<String>,
        /// Expected status per subject key, where a case has several.
        #[serde(default)]
        objekt: BTreeMap<String, String>,
    },
}

/// One test case (`tester`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// The case's name.
    pub namn: String,
    /// The per-date (default 2026-06-30).
    #[serde(default)]
    pub per: Option<String>,
    /// Register fields of the organisation under test (defaults: a nämnd `ORG`).
    #[serde(default)]
    pub organisation: YamlMapping,
    /// Sheets of the organisation's Verksamhet workbook; absent = not submitted.
    #[serde(default)]
    pub verksamhet: Option<YamlMapping>,
    /// Sheets of the organisation's Leverantör workbook; absent = not submitted.
    #[serde(default, rename = "leverantör", alias = "leverantor")]
    pub leverantor: Option<YamlMapping>,
    /// Sheets of the organisation's Tjänstekatalog; absent = not submitted.
    #[serde(default, rename = "tjänstekatalog", alias = "tjanstekatalog")]
    pub tjanstekatalog: Option<YamlMapping>,
    /// A file of the organisation is `väntar` (`väntar: true`): its
    /// submission may be under way (`org.inlamning_pagar`).
    #[serde(default, rename = "väntar", alias = "vantar")]
    pub vantar: bool,
    /// Rows of other suppliers' catalogues (the city's catalogue).
    #[serde(default)]
    pub katalog: Vec<YamlMapping>,
    /// Parameter overrides.
    #[serde(default)]
    pub parametrar: YamlMapping,
    /// The expected outcome.
    #[serde(rename = "förväntat", alias = "forvantat")]
    pub forvantat: Expected,
}

/// A rule's YAML file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// The rule id, e.g. `R05`.
    pub id: String,
    /// The Swedish title.
    pub titel: String,
    /// How serious a finding is.
    pub allvarlighet: Severity,
    /// What one evaluation is about.
    pub objekt: SubjectKind,
    /// Which organisations the rule concerns.
    #[serde(default, rename = "gäller", alias = "galler")]
    pub galler: Scope,
    /// Conditions on the subject checked natively before the script
    /// (`rules/README.md`, "gäller_när"); the first one not met is the
    /// subject's outcome.
    #[serde(default, rename = "gäller_när", alias = "galler_nar")]
    pub galler_nar: Vec<Condition>,
    /// Workbooks or sheets the rule needs (`underlag saknas` without them).
    #[serde(default, rename = "kräver", alias = "kraver")]
    pub kraver: Vec<Requirement>,
    /// The guideline's section.
    pub referens: String,
    /// The script file, relative to the YAML (default: same name, `.rhai`).
    #[serde(default)]
    pub skript: Option<String>,
    /// Parameters the script reads (`param`).
    #[serde(default)]
    pub parametrar: YamlMapping,
    /// The parts of the report that show every outcome of the rule beside
    /// the data it judged, e.g. `visas_i: [Avsteg]`.
    #[serde(default)]
    pub visas_i: Vec<View>,
    /// The documentation headings.
    pub dokumentation: Documentation,
    /// The test cases.
    #[serde(default)]
    pub tester: Vec<TestCase>,
}

impl RuleDef {
    /// Whether `view` shows every outcome of the rule.
    pub fn shown_in(&self, view: View) -> bool {
        self.visas_i.contains(&view)
    }

    /// Parameters as YAML values, keyed by name.
    pub fn parameter_values(&self) -> Vec<(String, YamlValue)> {
        self.parametrar
            .iter()
            .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const BASE: &str = "id: R99\ntitel: t\nallvarlighet: hög\nobjekt: avsteg\nreferens: r\ndokumentation:\n  Vad regeln kontrollerar: x\n  Varför: y\n";

    fn parse(extra: &str) -> Result<RuleDef, crate::yaml::YamlError> {
        crate::yaml::parse(&format!("{BASE}{extra}"), Path::new("R99.yaml"))
    }

    #[test]
    fn visas_i_names_the_views_that_show_every_outcome() {
        assert!(parse("visas_i: [Avsteg]\n").unwrap().shown_in(View::Avsteg));
        assert!(!parse("").unwrap().shown_in(View::Avsteg));
        assert!(!parse("visas_i: []\n").unwrap().shown_in(View::Avsteg));
    }

    #[test]
    fn an_unknown_view_is_a_swedish_load_error_with_its_place() {
        let e = parse("visas_i: [Avsteg, Avstg]\n").unwrap_err();
        assert_eq!(e.file, "R99.yaml");
        assert_eq!(e.line, Some(9), "{e}");
        assert_eq!(
            e.to_string(),
            "R99.yaml:9:10: visas_i: \"Avstg\" är ingen känd vy (kända: Avsteg)"
        );
    }
}
