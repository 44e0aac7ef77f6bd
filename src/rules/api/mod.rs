//! The Rhai API rule authors write against (documented in `rules/README.md`):
//! typed rows with ASCII field names, dates, outcomes, the `bedomning()`
//! builder that implements the missing-data principle, and lookups into the
//! catalogue and the register. Missing values are `()`; comparing `()` with
//! `<`, `<=`, `>`, `>=` is an error (never a silent `false`).
//!
//! One concern per file: [`date`] the `Datum` type, [`assessment`] the
//! outcomes and the `bedomning()` builder, [`rows`] the row types and their
//! field access, [`org`] the organisation, catalogue and register, and
//! [`field_log`] the fields a script read (context for a rule error).

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Map};

use crate::model::ValueRef;
use crate::yaml::YamlValue;

mod assessment;
mod date;
mod field_log;
mod org;
mod rows;

pub use assessment::{part_text, Bedomning, Evidence, Plats, Utfall};
pub use date::Datum;
pub use field_log::{field_log_start, field_log_stop, field_log_take, FieldRead};
pub use org::{org_location, Katalog, OrgView, Register};
pub use rows::describe_row;
pub(crate) use rows::unknown_field;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

fn err<T>(msg: impl Into<String>) -> RhaiResult<T> {
    Err(msg.into().into())
}

/// Register the whole API on `engine`.
pub fn register(engine: &mut Engine) {
    engine.set_fast_operators(false);
    date::register(engine);
    register_missing(engine);
    assessment::register(engine);
    rows::register(engine);
    org::register(engine);
}

/// Convert a normalised value for a script: text → string, Ja/Nej → bool,
/// date → `Datum`, integer and säkerhetsnivå → INT, money → kronor (FLOAT),
/// percent → FLOAT, missing → `()`.
pub fn value_ref_to_dynamic(v: Option<ValueRef<'_>>) -> Dynamic {
    match v {
        None => Dynamic::UNIT,
        Some(ValueRef::Text(s)) => Dynamic::from(ImmutableString::from(s)),
        Some(ValueRef::Bool(b)) => Dynamic::from(b),
        Some(ValueRef::Date(d)) => Dynamic::from(Datum(d)),
        Some(ValueRef::Int(i)) => Dynamic::from(i),
        Some(ValueRef::Money(m)) => Dynamic::from(m.kronor()),
        Some(ValueRef::Level(l)) => Dynamic::from(i64::from(l.level())),
        Some(ValueRef::Percent(p)) => Dynamic::from(p),
    }
}

/// Convert a YAML parameter for a script.
pub fn yaml_to_dynamic(v: &YamlValue) -> Dynamic {
    match v {
        YamlValue::Null => Dynamic::UNIT,
        YamlValue::Bool(b) => Dynamic::from(*b),
        YamlValue::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from(i),
            None => Dynamic::from(n.as_f64().unwrap_or(0.0)),
        },
        YamlValue::String(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        YamlValue::Sequence(s) => Dynamic::from_array(s.iter().map(yaml_to_dynamic).collect()),
        YamlValue::Mapping(m) => {
            let mut map = Map::new();
            for (k, v) in m {
                if let Some(k) = k.as_str() {
                    map.insert(k.into(), yaml_to_dynamic(v));
                }
            }
            Dynamic::from_map(map)
        }
        YamlValue::Tagged(t) => yaml_to_dynamic(&t.value),
    }
}

fn opt_dynamic<T: Clone + Send + Sync + 'static>(v: Option<T>) -> Dynamic {
    v.map(Dynamic::from).unwrap_or(Dynamic::UNIT)
}

const UNIT_COMPARE: &str =
    "jämförelse med ett saknat värde (); kontrollera först med saknas(x) eller finns(x)";

/// Punctuation `jamforbart` treats as a space.
const COMPARABLE_SPACES: &[char] = &[':', ';', ',', '.', '\'', '’', '"', '(', ')', '/', '&'];

/// A name in comparable form: `normalisera` after replacing punctuation
/// with spaces ("AB:s" becomes "ab s"). Native, because R05 compares every
/// decision maker with every parameter name for every avsteg.
fn comparable(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| {
            if COMPARABLE_SPACES.contains(&c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    crate::model::name::normalize(&spaced)
}

/// `saknas`, `finns`, `normalisera` and `jamforbart`; `<`, `<=`, `>`, `>=` with `()` on
/// either side are errors.
fn register_missing(engine: &mut Engine) {
    engine.register_fn("saknas", |x: Dynamic| is_missing(&x));
    engine.register_fn("finns", |x: Dynamic| !is_missing(&x));
    engine.register_fn("normalisera", |s: &str| crate::model::name::normalize(s));
    engine.register_fn("jamforbart", comparable);
    for op in ["<", "<=", ">", ">="] {
        engine.register_fn(op, |_: (), _: Datum| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
        engine.register_fn(op, |_: Datum, _: ()| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
        engine.register_fn(op, |_: (), _: i64| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
        engine.register_fn(op, |_: i64, _: ()| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
        engine.register_fn(op, |_: (), _: f64| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
        engine.register_fn(op, |_: f64, _: ()| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
        engine.register_fn(op, |_: (), _: ()| -> RhaiResult<bool> { err(UNIT_COMPARE) });
        engine.register_fn(op, |_: (), _: ImmutableString| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
        engine.register_fn(op, |_: ImmutableString, _: ()| -> RhaiResult<bool> {
            err(UNIT_COMPARE)
        });
    }
}

/// `()` and the empty string are missing.
pub fn is_missing(x: &Dynamic) -> bool {
    x.is_unit()
        || x.clone()
            .into_immutable_string()
            .is_ok_and(|s| s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jamforbart_spaces_out_punctuation_then_normalises() {
        assert_eq!(
            comparable("Kultur-AB:s styrelse (2026)"),
            crate::model::name::normalize("Kultur-AB s styrelse  2026 ")
        );
        assert_eq!(comparable("a/b&c"), comparable("A B C"));
        assert_ne!(comparable("ab"), comparable("a b"));
    }
}
