//! The rule-test harness: every rule's `tester` are built into a real model
//! (through the same sheet readers as ingestion) and evaluated through the
//! same code path as a run. `uppsikt rules test` prints the outcome.

use std::sync::Arc;

use chrono::NaiveDate;

use super::definition::{Expected, TestCase};
use super::evaluate::{Context, Evaluation};
use super::status::Status;
use super::{Rule, RuleSet};
use crate::ingest::grid::{CellValue, Grid};
use crate::ingest::sheet::{read_key_values, read_table};
use crate::model::records::{self, Katalogtjanst};
use crate::model::*;
use crate::yaml::{self, YamlMapping, YamlValue};

/// The default per-date of a test case.
pub const DEFAULT_PER: &str = "2026-06-30";

/// The outcome of one test case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The rule id.
    pub rule: String,
    /// The case's name.
    pub name: String,
    /// `None` when the case passed; otherwise what differed.
    pub failure: Option<String>,
    /// The worst status the case produced.
    pub got: Status,
    /// Every evaluation the case produced.
    pub evaluations: Vec<Evaluation>,
}

impl RuleSet {
    /// Run the test cases of every rule (or of one).
    pub fn run_tests(&self, only: Option<&str>) -> Vec<CaseResult> {
        self.rules
            .iter()
            .filter(|r| only.is_none_or(|id| r.def.id.eq_ignore_ascii_case(id)))
            .flat_map(|r| r.def.tester.iter().map(move |c| self.run_case(r, c)))
            .collect()
    }

    /// Run one case.
    pub fn run_case(&self, rule: &Rule, case: &TestCase) -> CaseResult {
        let fail = |msg: String| CaseResult {
            rule: rule.def.id.clone(),
            name: case.namn.clone(),
            failure: Some(msg),
            got: Status::Regelfel,
            evaluations: Vec::new(),
        };
        let (model, params) = match build(rule, case) {
            Ok(m) => m,
            Err(e) => return fail(format!("testfallet är felskrivet: {e}")),
        };
        let ctx = Context::new(&model).without_log();
        let Some(org) = model.orgs.first() else {
            return fail("ingen organisation".into());
        };
        // Parameters are folded into the compiled script: a case with its
        // own `parametrar` runs the script compiled with them.
        let evaluations = if case.parametrar.is_empty() {
            self.evaluate_rule_with(rule, &params, org, &ctx)
        } else {
            match rule.with_compiled_params(&self.engine, params.clone()) {
                Ok(r) => self.evaluate_rule_with(&r, &params, org, &ctx),
                Err(e) => return fail(e),
            }
        };
        let got = evaluations
            .iter()
            .map(|e| e.status)
            .fold(Status::EjTillamplig, Status::worst);
        let failure = check(&case.forvantat, got, &evaluations);
        CaseResult {
            rule: rule.def.id.clone(),
            name: case.namn.clone(),
            failure,
            got,
            evaluations,
        }
    }
}

fn check(expected: &Expected, got: Status, evals: &[Evaluation]) -> Option<String> {
    let parse = |s: &str| Status::from_label(s).ok_or_else(|| format!("okänd status \"{s}\""));
    let (status, message, per_subject) = match expected {
        Expected::Status(s) => (s, None, None),
        Expected::Detailed {
            status,
            meddelande,
            objekt,
        } => (status, meddelande.as_ref(), Some(objekt)),
    };
    let want = match parse(status) {
        Ok(s) => s,
        Err(e) => return Some(e),
    };
    let mut problems = Vec::new();
    if want != got {
        problems.push(format!("förväntat {want}, fick {got}"));
    }
    if let Some(m) = message {
        if !evals.iter().any(|e| e.message.contains(m.as_str())) {
            problems.push(format!(
                "inget meddelande innehåller \"{m}\"; meddelanden: {:?}",
                evals.iter().map(|e| &e.message).collect::<Vec<_>>()
            ));
        }
    }
    for (key, st) in per_subject.into_iter().flatten() {
        let want = match parse(st) {
            Ok(s) => s,
            Err(e) => return Some(e),
        };
        match evals.iter().find(|e| *e.subject == **key) {
            Some(e) if e.status == want => {}
            Some(e) => problems.push(format!("objekt {key}: förväntat {want}, fick {}", e.status)),
            None => problems.push(format!("objekt {key} bedömdes inte")),
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

fn build(rule: &Rule, case: &TestCase) -> Result<(Model, rhai::Dynamic), String> {
    let per = NaiveDate::parse_from_str(case.per.as_deref().unwrap_or(DEFAULT_PER), "%Y-%m-%d")
        .map_err(|e| format!("per: {e}"))?;
    let params = rule.with_params(&case.parametrar)?;
    let mut org_map = YamlMapping::new();
    for (k, v) in [
        ("id", "ORG"),
        ("namn", "Testnämnden"),
        ("typ", "nämnd"),
        ("beslutsorgan", "Testnämnden"),
    ] {
        org_map.insert(k.into(), v.into());
    }
    for (k, v) in &case.organisation {
        org_map.insert(k.clone(), v.clone());
    }
    let org: Organisation =
        yaml::from_value(YamlValue::Mapping(org_map), &rule.yaml_path).map_err(|e| e.message)?;
    let period = Period::year(chrono::Datelike::year(&per));
    let file: Arc<str> = format!("test:{}", case.namn).into();
    let inlamning = |typ| Inlamning {
        typ,
        org_id: org.id.clone(),
        period,
        inlamnad: None,
        record: Arc::new(records::Inlamning::from_values(
            Location::new(file.clone(), "Inlämning".into(), 0, 0),
            Vec::new(),
        )),
    };
    let mut w = Vec::new();
    let sheet = |wb: &YamlMapping, name: &str| -> Result<Option<(Arc<str>, Grid)>, String> {
        match wb.iter().find(|(k, _)| {
            k.as_str()
                .is_some_and(|k| crate::ingest::header::same(k, name))
        }) {
            None => Ok(None),
            Some((_, v)) => Ok(Some((name.into(), grid(v)?))),
        }
    };
    let mut od = OrgData::new(Arc::new(org.clone()));
    od.vantar = case.vantar;
    macro_rules! table {
        ($wb:expr, $t:ty, $name:expr) => {
            sheet($wb, $name)?.map(|(n, g)| read_table::<$t>(&file, &n, &g, &mut w))
        };
    }
    if let Some(wb) = &case.verksamhet {
        od.verksamhet = Some(Verksamhet {
            inlamning: inlamning(SubmissionType::Verksamhet),
            plan: sheet(wb, "Digitaliseringsplan")?
                .map(|(n, g)| Arc::new(read_key_values(&file, &n, &g, &mut w, false))),
            tjanster: table!(wb, records::TjanstAnvandning, "Tjänster"),
            system: table!(wb, records::System, "System"),
            avsteg: table!(wb, records::Avsteg, "Avsteg"),
            insatser: table!(wb, records::Forandringsinsats, "Förändringsinsatser"),
            mognad: table!(wb, records::DigitalMognad, "Digital mognad"),
        });
    }
    if let Some(wb) = &case.leverantor {
        od.leverantor = Some(Leverantor {
            inlamning: inlamning(SubmissionType::Leverantor),
            uppfoljning: table!(wb, records::Uppfoljningsrapport, "Uppföljningsrapport"),
            arlig_analys: table!(wb, records::ArligAnalys, "Årlig analys"),
            sakerhetsavvikelser: table!(wb, records::Sakerhetsavvikelse, "Säkerhetsavvikelser"),
            leveransavvikelser: table!(wb, records::Leveransavvikelse, "Leveransavvikelser"),
        });
    }
    if let Some(wb) = &case.tjanstekatalog {
        od.katalog = Some(Tjanstekatalog {
            inlamning: inlamning(SubmissionType::Tjanstekatalog),
            tjanster: table!(wb, Katalogtjanst, "Tjänster"),
        });
    }
    let mut model = Model::new(per, period, vec![od]);
    if !case.katalog.is_empty() {
        let rows = YamlValue::Sequence(
            case.katalog
                .iter()
                .cloned()
                .map(YamlValue::Mapping)
                .collect(),
        );
        let g = grid(&rows)?;
        let other: Arc<str> = "test:katalog".into();
        let extra = read_table::<Katalogtjanst>(&other, &"Tjänster".into(), &g, &mut w);
        model.katalog.extend(extra);
    }
    Ok((model, params))
}

fn cell(v: &YamlValue) -> Option<CellValue> {
    match v {
        YamlValue::Null => None,
        YamlValue::Bool(b) => Some(CellValue::Bool(*b)),
        YamlValue::Number(n) => Some(match n.as_i64() {
            Some(i) => CellValue::Int(i),
            None => CellValue::Float(n.as_f64().unwrap_or(0.0)),
        }),
        YamlValue::String(s) => Some(CellValue::Text(s.clone())),
        _ => Some(CellValue::Text(yaml::to_string(v).trim().to_string())),
    }
}

/// A key–value mapping becomes rows of (key, value); a list of mappings a
/// table with a header row.
fn grid(v: &YamlValue) -> Result<Grid, String> {
    let mut g = Grid::default();
    match v {
        YamlValue::Mapping(m) => {
            for (r, (k, v)) in m.iter().enumerate() {
                let key = k.as_str().ok_or("nycklar ska vara text")?;
                g.insert(r as u32, 0, CellValue::Text(key.to_string()));
                if let Some(c) = cell(v) {
                    g.insert(r as u32, 1, c);
                }
            }
        }
        YamlValue::Sequence(rows) => {
            let mut headers: Vec<String> = Vec::new();
            for row in rows {
                let m = row.as_mapping().ok_or("tabellrader ska vara mappningar")?;
                for k in m.keys() {
                    let k = k.as_str().ok_or("rubriker ska vara text")?;
                    if !headers.iter().any(|h| h == k) {
                        headers.push(k.to_string());
                    }
                }
            }
            for (c, h) in headers.iter().enumerate() {
                g.insert(0, c as u32, CellValue::Text(h.clone()));
            }
            for (r, row) in rows.iter().enumerate() {
                if let Some(m) = row.as_mapping() {
                    for (k, v) in m {
                        let c = headers
                            .iter()
                            .position(|h| Some(h.as_str()) == k.as_str())
                            .unwrap_or(0);
                        if let Some(cv) = cell(v) {
                            g.insert(r as u32 + 1, c as u32, cv);
                        }
                    }
                }
            }
        }
        YamlValue::Null => {}
        _ => {
            return Err(
                "ett blad ska vara en mappning (nyckel–värde) eller en lista av rader".into(),
            )
        }
    }
    Ok(g)
}
