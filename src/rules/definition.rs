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
    Verksamhet,
    Leverantor,
    Tjanstekatalog,
    Digitaliseringsplan,
    Tjanster,
    System,
    Avsteg,
    Forandringsinsatser,
    Uppfoljningsrapport,
    Sakerhetsavvikelser,
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
    #[default]
    Alla,
    /// Only the suppliers of gemensamma tjänster (`leverantör: true`).
    Leverantorer,
}

/// The fixed documentation headings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documentation {
    #[serde(rename = "Vad regeln kontrollerar")]
    pub vad: String,
    #[serde(rename = "Varför")]
    pub varfor: String,
    #[serde(rename = "Exempel", default)]
    pub exempel: String,
    #[serde(rename = "Referens", default)]
    pub referens: String,
}

/// Expected outcome of a test case: a status, or a status plus message text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    Status(String),
    Detailed {
        status: String,
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
    #[serde(default, rename = "leverantör", alias = "leverantor")]
    pub leverantor: Option<YamlMapping>,
    #[serde(default, rename = "tjänstekatalog", alias = "tjanstekatalog")]
    pub tjanstekatalog: Option<YamlMapping>,
    /// Rows of other suppliers' catalogues (the city's catalogue).
    #[serde(default)]
    pub katalog: Vec<YamlMapping>,
    /// Parameter overrides.
    #[serde(default)]
    pub parametrar: YamlMapping,
    #[serde(rename = "förväntat", alias = "forvantat")]
    pub forvantat: Expected,
}

/// A rule's YAML file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub titel: String,
    pub allvarlighet: Severity,
    pub objekt: SubjectKind,
    #[serde(default, rename = "gäller", alias = "galler")]
    pub galler: Scope,
    #[serde(default, rename = "kräver", alias = "kraver")]
    pub kraver: Vec<Requirement>,
    pub referens: String,
    /// The script file, relative to the YAML (default: same name, `.rhai`).
    #[serde(default)]
    pub skript: Option<String>,
    #[serde(default)]
    pub parametrar: YamlMapping,
    pub dokumentation: Documentation,
    #[serde(default)]
    pub tester: Vec<TestCase>,
}

impl RuleDef {
    /// Parameters as YAML values, keyed by name.
    pub fn parameter_values(&self) -> Vec<(String, YamlValue)> {
        self.parametrar
            .iter()
            .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v.clone())))
            .collect()
    }
}
