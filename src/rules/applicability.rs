//! Declarative applicability (`gäller_när` in a rule's YAML): conditions on
//! the subject's fields, checked natively, in order, before the script runs.
//! The first condition that does not hold gives the subject's outcome
//! (`ej tillämplig`, or `underlag saknas` for an empty field when the
//! condition says so) and the script is not run for it.

use super::api::{Evidence, Utfall};
use super::definition::{Condition, DateBound, IfEmpty, SubjectKind};
use super::status::Status;
use crate::model::records::{
    Avsteg, Digitaliseringsplan, Forandringsinsats, Katalogtjanst, Leveransavvikelse,
    Sakerhetsavvikelse, System, TjanstAnvandning, Uppfoljningsrapport,
};
use crate::model::{Kind, Record, SheetSchema, ValueRef};
use crate::yaml::YamlValue;
use chrono::NaiveDate;

/// A rule's `gäller_när`, checked against its subject kind's columns.
#[derive(Debug, Clone, Default)]
pub struct Applicability {
    checks: Vec<Check>,
}

#[derive(Debug, Clone)]
struct Check {
    /// The column's index and ASCII name.
    column: usize,
    name: String,
    test: Test,
    /// `ej tillämplig` when a filled value fails the test.
    message: Template,
    if_empty: Empty,
}

#[derive(Debug, Clone)]
enum Test {
    /// No test of a filled value (only `om_tomt`).
    None,
    /// The value is one of these.
    OneOf(Vec<Expected>),
    /// The value is none of these.
    NoneOf(Vec<Expected>),
    /// A date on or before `per`.
    AtMostPer,
    /// A date on or after `per`.
    AtLeastPer,
}

#[derive(Debug, Clone)]
enum Empty {
    Holds,
    Outcome(Status, Template),
}

/// A value of `är`/`är_inte`: compared as a script's `==` compares the field
/// (text exactly, Ja/Nej as booleans, numbers by value).
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Text(String),
    Bool(bool),
    Number(f64),
}

/// A message with `{fält}` placeholders for the subject's field values.
#[derive(Debug, Clone)]
struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Field(usize),
}

/// The columns of a subject kind's rows (`None`: organisation subjects).
pub fn schema_of(kind: SubjectKind) -> Option<&'static SheetSchema> {
    Some(match kind {
        SubjectKind::Organisation => return None,
        SubjectKind::Digitaliseringsplan => Digitaliseringsplan::SCHEMA,
        SubjectKind::Tjanstanvandning => TjanstAnvandning::SCHEMA,
        SubjectKind::Katalograd | SubjectKind::EgenKatalograd => Katalogtjanst::SCHEMA,
        SubjectKind::System => System::SCHEMA,
        SubjectKind::Avsteg => Avsteg::SCHEMA,
        SubjectKind::Insats => Forandringsinsats::SCHEMA,
        SubjectKind::Uppfoljningsrapport => Uppfoljningsrapport::SCHEMA,
        SubjectKind::Sakerhetsavvikelse => Sakerhetsavvikelse::SCHEMA,
        SubjectKind::Leveransavvikelse => Leveransavvikelse::SCHEMA,
    })
}

fn is_date(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Date | Kind::DateOrYearStart | Kind::DateOrYearEnd
    )
}

impl Applicability {
    /// Check `gäller_när` against the subject kind; each problem is one
    /// Swedish line naming the condition (`gäller_när, villkor 2: …`).
    pub fn compile(kind: SubjectKind, conditions: &[Condition]) -> Result<Self, Vec<String>> {
        if conditions.is_empty() {
            return Ok(Self::default());
        }
        let Some(schema) = schema_of(kind) else {
            return Err(vec![format!(
                "gäller_när kan bara användas när objekt är rader ur ett blad, inte {}",
                kind.label()
            )]);
        };
        let mut errors = Vec::new();
        let mut checks = Vec::new();
        for (i, c) in conditions.iter().enumerate() {
            let at = format!("gäller_när, villkor {} (fält {})", i + 1, c.falt);
            match compile_one(schema, c) {
                Ok(check) => checks.push(check),
                Err(e) => errors.extend(e.into_iter().map(|e| format!("{at}: {e}"))),
            }
        }
        if errors.is_empty() {
            Ok(Self { checks })
        } else {
            Err(errors)
        }
    }

    /// Whether the rule has any condition.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// The outcome of the first condition `row` does not meet, or `None`
    /// when every condition holds (the script decides). `field` reads the
    /// row's field by column index.
    pub fn decide<'a>(
        &self,
        field: &dyn Fn(usize) -> Option<ValueRef<'a>>,
        per: NaiveDate,
    ) -> Option<Utfall> {
        for c in &self.checks {
            let Some(v) = field(c.column) else {
                match &c.if_empty {
                    Empty::Holds => continue,
                    Empty::Outcome(status, t) => {
                        let evidence = if *status == Status::UnderlagSaknas {
                            Evidence::Field(c.name.clone())
                        } else {
                            Evidence::Subject
                        };
                        return Some(utfall(*status, t.render(field), evidence));
                    }
                }
            };
            let holds = match &c.test {
                Test::None => true,
                Test::OneOf(list) => list.iter().any(|e| equals(v, e)),
                Test::NoneOf(list) => !list.iter().any(|e| equals(v, e)),
                // Only date columns are accepted (see `compile_one`).
                Test::AtMostPer => !matches!(v, ValueRef::Date(d) if d > per),
                Test::AtLeastPer => !matches!(v, ValueRef::Date(d) if d < per),
            };
            if !holds {
                return Some(utfall(
                    Status::EjTillamplig,
                    c.message.render(field),
                    Evidence::Subject,
                ));
            }
        }
        None
    }
}

fn utfall(status: Status, message: String, evidence: Evidence) -> Utfall {
    Utfall {
        status,
        message,
        evidence,
        places: Vec::new(),
    }
}

/// `==` as a script compares a field value with a constant.
fn equals(v: ValueRef<'_>, e: &Expected) -> bool {
    match (v, e) {
        (ValueRef::Text(s), Expected::Text(t)) => s == t,
        (ValueRef::Bool(b), Expected::Bool(x)) => b == *x,
        (ValueRef::Int(i), Expected::Number(n)) => i as f64 == *n,
        (ValueRef::Level(l), Expected::Number(n)) => f64::from(l.level()) == *n,
        (ValueRef::Money(m), Expected::Number(n)) => m.kronor() == *n,
        (ValueRef::Percent(p), Expected::Number(n)) => p == *n,
        _ => false,
    }
}

fn compile_one(schema: &'static SheetSchema, c: &Condition) -> Result<Check, Vec<String>> {
    let mut errors = Vec::new();
    let Some((column, col)) = schema.column(&c.falt) else {
        let names: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
        return Err(vec![format!(
            "okänt fält på en rad ur bladet {}; fälten är: {}",
            schema.sheet,
            names.join(", ")
        )]);
    };
    let tests = [
        !c.ar.is_empty(),
        !c.ar_inte.is_empty(),
        c.senast.is_some(),
        c.tidigast.is_some(),
    ]
    .iter()
    .filter(|t| **t)
    .count();
    if tests > 1 {
        errors.push("ange högst en av är, är_inte, senast och tidigast".to_string());
    }
    let expected = |list: &[YamlValue], errors: &mut Vec<String>| -> Vec<Expected> {
        list.iter()
            .filter_map(|v| match expected_value(v, col.kind) {
                Ok(e) => Some(e),
                Err(e) => {
                    errors.push(e);
                    None
                }
            })
            .collect()
    };
    let test = if !c.ar.is_empty() {
        Test::OneOf(expected(&c.ar, &mut errors))
    } else if !c.ar_inte.is_empty() {
        Test::NoneOf(expected(&c.ar_inte, &mut errors))
    } else if let Some(DateBound::Per) = c.senast {
        Test::AtMostPer
    } else if let Some(DateBound::Per) = c.tidigast {
        Test::AtLeastPer
    } else {
        Test::None
    };
    if matches!(test, Test::AtMostPer | Test::AtLeastPer) && !is_date(col.kind) {
        errors.push("senast och tidigast gäller bara datumfält".to_string());
    }
    let message = match (&c.meddelande, &test) {
        (Some(m), _) => template(schema, m, &mut errors),
        (None, Test::None) => Template { parts: Vec::new() },
        (None, _) => {
            errors.push(
                "meddelande saknas (texten för ej tillämplig när villkoret inte uppfylls)"
                    .to_string(),
            );
            Template { parts: Vec::new() }
        }
    };
    let if_empty = match c.om_tomt {
        IfEmpty::Galler => {
            if matches!(test, Test::None) {
                errors.push(
                    "villkoret prövar ingenting: ange är, är_inte, senast eller tidigast, eller om_tomt: ej tillämplig eller underlag saknas"
                        .to_string(),
                );
            }
            if c.meddelande_om_tomt.is_some() {
                errors.push("meddelande_om_tomt används bara med om_tomt: ej tillämplig eller underlag saknas".to_string());
            }
            Empty::Holds
        }
        IfEmpty::EjTillamplig | IfEmpty::UnderlagSaknas => {
            let status = if c.om_tomt == IfEmpty::EjTillamplig {
                Status::EjTillamplig
            } else {
                Status::UnderlagSaknas
            };
            let text = match (&c.meddelande_om_tomt, &c.meddelande) {
                (Some(m), _) => template(schema, m, &mut errors),
                (None, Some(_)) if status == Status::EjTillamplig => message.clone(),
                _ => {
                    errors.push(format!(
                        "meddelande_om_tomt saknas (texten för {} när fältet är tomt)",
                        status.label()
                    ));
                    Template { parts: Vec::new() }
                }
            };
            Empty::Outcome(status, text)
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Check {
        column,
        name: c.falt.clone(),
        test,
        message,
        if_empty,
    })
}

fn expected_value(v: &YamlValue, kind: Kind) -> Result<Expected, String> {
    Ok(match (v, kind) {
        (YamlValue::Bool(b), Kind::Bool) => Expected::Bool(*b),
        (YamlValue::String(s), Kind::Bool) => match s.to_lowercase().as_str() {
            "ja" => Expected::Bool(true),
            "nej" => Expected::Bool(false),
            _ => return Err(format!("\"{s}\" är inget Ja/Nej-värde")),
        },
        (YamlValue::String(s), Kind::Choice(values)) => {
            if !values.contains(&s.as_str()) {
                return Err(format!(
                    "\"{s}\" är inget av fältets värden: {}",
                    values.join(", ")
                ));
            }
            Expected::Text(s.clone())
        }
        (YamlValue::String(s), k) if !is_date(k) && !is_number(k) => Expected::Text(s.clone()),
        (YamlValue::Number(n), k) if is_number(k) => Expected::Number(n.as_f64().unwrap_or(0.0)),
        _ => {
            return Err(format!(
                "värdet {} passar inte fältets slag; är och är_inte jämför text, Ja/Nej och tal",
                yaml_text(v)
            ))
        }
    })
}

fn yaml_text(v: &YamlValue) -> String {
    match v {
        YamlValue::String(s) => format!("\"{s}\""),
        YamlValue::Number(n) => n.to_string(),
        YamlValue::Bool(b) => b.to_string(),
        _ => "(en lista eller tabell)".to_string(),
    }
}

fn is_number(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Int | Kind::Money | Kind::Level | Kind::Percent | Kind::Year
    )
}

/// Parse `text {fält} text`; `{{` and `}}` are literal braces.
fn template(schema: &SheetSchema, text: &str, errors: &mut Vec<String>) -> Template {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match schema.column(name.trim()) {
                    Some((_, col)) if matches!(col.kind, Kind::Money | Kind::Percent) => {
                        errors.push(format!(
                            "{{{name}}} i meddelandet: belopp och procent kan inte visas i gäller_när-meddelanden"
                        ));
                    }
                    Some((i, _)) => {
                        if !lit.is_empty() {
                            parts.push(Part::Text(std::mem::take(&mut lit)));
                        }
                        parts.push(Part::Field(i));
                    }
                    None => errors.push(format!(
                        "{{{name}}} i meddelandet är inget fält på en rad ur bladet {}",
                        schema.sheet
                    )),
                }
            }
            '}' => errors.push("ensam } i meddelandet; skriv }} för en klammer".to_string()),
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Text(lit));
    }
    Template { parts }
}

impl Template {
    /// The text with each `{fält}` as a script's `${objekt.fält}` shows it
    /// (dates ISO, Ja/Nej `true`/`false`, an empty field as nothing).
    fn render<'a>(&self, field: &dyn Fn(usize) -> Option<ValueRef<'a>>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Field(i) => match field(*i) {
                    None => {}
                    Some(ValueRef::Text(s)) => out.push_str(s),
                    Some(ValueRef::Date(d)) => out.push_str(&crate::model::iso_date(d)),
                    Some(ValueRef::Bool(b)) => out.push_str(if b { "true" } else { "false" }),
                    Some(ValueRef::Int(n)) => out.push_str(&n.to_string()),
                    Some(ValueRef::Level(l)) => out.push_str(&l.level().to_string()),
                    // Refused by `template`.
                    Some(ValueRef::Money(_) | ValueRef::Percent(_)) => {}
                },
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn conditions(yaml: &str) -> Vec<Condition> {
        crate::yaml::parse(yaml, Path::new("R99.yaml")).unwrap()
    }

    fn compile(kind: SubjectKind, yaml: &str) -> Result<Applicability, Vec<String>> {
        Applicability::compile(kind, &conditions(yaml))
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    /// Decide over a row given as (column name, value) pairs of `Forandringsinsats`.
    fn decide(
        a: &Applicability,
        row: &[(&str, ValueRef<'static>)],
    ) -> Option<(Status, String, Evidence)> {
        let schema = Forandringsinsats::SCHEMA;
        let values: Vec<(usize, ValueRef<'static>)> = row
            .iter()
            .map(|(n, v)| (schema.column(n).unwrap().0, *v))
            .collect();
        let field = |i: usize| values.iter().find(|(j, _)| *j == i).map(|(_, v)| *v);
        a.decide(&field, day(6, 30))
            .map(|u| (u.status, u.message, u.evidence))
    }

    const STATUS: &str = "- fält: status\n  är: [Pågående, Avslutad]\n  om_tomt: underlag saknas\n  meddelande_om_tomt: Status är inte ifylld\n  meddelande: \"Insatsen har status {status}\"\n";

    #[test]
    fn an_empty_field_gives_its_outcome_before_the_value_test() {
        let a = compile(SubjectKind::Insats, STATUS).unwrap();
        assert_eq!(
            decide(&a, &[]),
            Some((
                Status::UnderlagSaknas,
                "Status är inte ifylld".to_string(),
                Evidence::Field("status".into())
            ))
        );
        assert_eq!(
            decide(&a, &[("status", ValueRef::Text("Planerad"))]),
            Some((
                Status::EjTillamplig,
                "Insatsen har status Planerad".to_string(),
                Evidence::Subject
            ))
        );
        assert_eq!(decide(&a, &[("status", ValueRef::Text("Avslutad"))]), None);
    }

    #[test]
    fn conditions_are_checked_in_order_and_empty_may_hold() {
        let a = compile(
            SubjectKind::Insats,
            "- fält: stadsgemensam\n  är_inte: [Nej]\n  om_tomt: gäller\n  meddelande: inte gemensam\n- fält: slutdatum\n  senast: per\n  om_tomt: gäller\n  meddelande: \"slutar {slutdatum}\"\n",
        )
        .unwrap();
        assert_eq!(decide(&a, &[]), None);
        let late = [
            ("stadsgemensam", ValueRef::Bool(true)),
            ("slutdatum", ValueRef::Date(day(7, 1))),
        ];
        assert_eq!(
            decide(&a, &late).map(|d| d.1),
            Some("slutar 2026-07-01".to_string())
        );
        let both = [
            ("stadsgemensam", ValueRef::Bool(false)),
            ("slutdatum", ValueRef::Date(day(7, 1))),
        ];
        assert_eq!(
            decide(&a, &both).map(|d| d.1),
            Some("inte gemensam".to_string())
        );
        let on_per = [("slutdatum", ValueRef::Date(day(6, 30)))];
        assert_eq!(decide(&a, &on_per), None);
    }

    #[test]
    fn malformed_conditions_are_named_in_swedish() {
        let err = |kind, yaml| compile(kind, yaml).unwrap_err().join("\n");
        assert!(err(SubjectKind::Organisation, STATUS).contains("inte organisation"));
        let e = err(
            SubjectKind::Insats,
            "- fält: staus\n  om_tomt: ej tillämplig\n  meddelande_om_tomt: x\n",
        );
        assert!(e.contains("villkor 1 (fält staus): okänt fält"), "{e}");
        let e = err(
            SubjectKind::Insats,
            "- fält: status\n  är: [Pågånde]\n  om_tomt: gäller\n  meddelande: x\n",
        );
        assert!(e.contains("\"Pågånde\" är inget av fältets värden"), "{e}");
        let e = err(
            SubjectKind::Insats,
            "- fält: status\n  är: [Avslutad]\n  om_tomt: gäller\n",
        );
        assert!(e.contains("meddelande saknas"), "{e}");
        let e = err(
            SubjectKind::Insats,
            "- fält: insats\n  senast: per\n  om_tomt: gäller\n  meddelande: x\n",
        );
        assert!(e.contains("bara datumfält"), "{e}");
        let e = err(SubjectKind::Insats, "- fält: insats\n  om_tomt: gäller\n");
        assert!(e.contains("prövar ingenting"), "{e}");
        let e = err(
            SubjectKind::Insats,
            "- fält: status\n  är: [Avslutad]\n  om_tomt: gäller\n  meddelande: \"{stats}\"\n",
        );
        assert!(e.contains("{stats} i meddelandet är inget fält"), "{e}");
        let e = err(
            SubjectKind::Insats,
            "- fält: status\n  om_tomt: underlag saknas\n",
        );
        assert!(e.contains("meddelande_om_tomt saknas"), "{e}");
    }
}
