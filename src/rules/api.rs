//! The Rhai API rule authors write against (documented in `rules/README.md`):
//! typed rows with ASCII field names, dates, outcomes, the `bedomning()`
//! builder that implements the missing-data principle, and lookups into the
//! catalogue and the register. Missing values are `()`; comparing `()` with
//! `<`, `<=`, `>`, `>=` is an error (never a silent `false`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map};

use super::status::Status;
use crate::model::records::*;
use crate::model::{Location, OrgData, Record, Value, ValueRef};
use crate::yaml::YamlValue;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

fn err<T>(msg: impl Into<String>) -> RhaiResult<T> {
    Err(msg.into().into())
}

/// A date in a rule script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Datum(pub NaiveDate);

/// A place a finding points at: a cell of an input workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Plats(pub Option<Location>);

/// What a finding's evidence refers to, resolved after the script returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// The subject's own row.
    Subject,
    /// A field of the subject, by ASCII name.
    Field(String),
    /// A given place.
    At(Option<Location>),
}

/// The outcome a script returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Utfall {
    pub status: Status,
    pub message: String,
    pub evidence: Evidence,
}

/// Collects failing and unjudgeable conditions of one subject and turns
/// them into one outcome: any failure makes `brist` (the message names
/// every failing and every missing field), else any missing input makes
/// `underlag saknas`, else `uppfyllt`.
#[derive(Debug, Clone, Default)]
pub struct Bedomning {
    brister: Vec<(String, Evidence)>,
    saknas: Vec<(String, Evidence)>,
    noteringar: Vec<String>,
}

impl Bedomning {
    pub fn resultat(&self, ok: &str) -> Utfall {
        if let Some((_, ev)) = self.brister.first() {
            let mut message = join(self.brister.iter().map(|b| b.0.as_str()));
            if !self.saknas.is_empty() {
                message.push_str(". Kan inte bedömas: ");
                message.push_str(&join(self.saknas.iter().map(|b| b.0.as_str())));
            }
            return Utfall {
                status: Status::Brist,
                message,
                evidence: ev.clone(),
            };
        }
        if let Some((_, ev)) = self.saknas.first() {
            return Utfall {
                status: Status::UnderlagSaknas,
                message: join(self.saknas.iter().map(|b| b.0.as_str())),
                evidence: ev.clone(),
            };
        }
        let mut message = ok.to_string();
        for n in &self.noteringar {
            if !message.is_empty() {
                message.push_str(". ");
            }
            message.push_str(n);
        }
        Utfall {
            status: Status::Uppfyllt,
            message,
            evidence: Evidence::Subject,
        }
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts
        .map(|p| p.trim_end_matches('.'))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An organisation with its data, as scripts see it (`org`).
#[derive(Debug, Clone)]
pub struct OrgView(pub Arc<OrgData>);

/// The city's catalogue: every Tjänstekatalog row read, indexed by Tjänst-id.
#[derive(Debug, Clone)]
pub struct Katalog {
    rows: Arc<Vec<Arc<Katalogtjanst>>>,
    by_id: Arc<HashMap<String, usize>>,
}

impl Katalog {
    pub fn new(rows: Vec<Arc<Katalogtjanst>>) -> Self {
        let mut by_id = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if let Some(id) = r.tjanst_id.get() {
                by_id.entry(id.clone()).or_insert(i);
            }
        }
        Self {
            rows: Arc::new(rows),
            by_id: Arc::new(by_id),
        }
    }

    pub fn rows(&self) -> &[Arc<Katalogtjanst>] {
        &self.rows
    }
}

/// The register with every organisation's data (`register`).
#[derive(Debug, Clone)]
pub struct Register(pub Arc<Vec<Arc<OrgData>>>);

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

fn rows_dynamic<T: Record + std::fmt::Debug + Clone>(rows: Option<&Vec<Arc<T>>>) -> Dynamic {
    match rows {
        None => Dynamic::UNIT,
        Some(rows) => Dynamic::from_array(rows.iter().map(|r| Dynamic::from(r.clone())).collect()),
    }
}

fn opt_dynamic<T: Clone + Send + Sync + 'static>(v: Option<T>) -> Dynamic {
    v.map(Dynamic::from).unwrap_or(Dynamic::UNIT)
}

/// Evidence from a script argument: a field name (string) or a `Plats`.
fn evidence_of(arg: Dynamic) -> RhaiResult<Evidence> {
    if arg.is_string() {
        return Ok(Evidence::Field(arg.into_string().unwrap_or_default()));
    }
    if let Some(p) = arg.clone().try_cast::<Plats>() {
        return Ok(Evidence::At(p.0));
    }
    if arg.is_unit() {
        return Ok(Evidence::Subject);
    }
    err(format!(
        "bevis ska vara ett fältnamn eller en plats (rad.plats(\"falt\")), inte {}",
        arg.type_name()
    ))
}

fn outcome(status: Status, message: &str, evidence: Evidence) -> Utfall {
    Utfall {
        status,
        message: message.to_string(),
        evidence,
    }
}

const UNIT_COMPARE: &str =
    "jämförelse med ett saknat värde (); kontrollera först med saknas(x) eller finns(x)";

/// Calls macro `$m` with every row type a script sees, the one list of them.
macro_rules! with_row_types {
    ($m:ident) => {
        $m!(
            Digitaliseringsplan,
            TjanstAnvandning,
            System,
            Avsteg,
            Forandringsinsats,
            DigitalMognad,
            Uppfoljningsrapport,
            ArligAnalys,
            Sakerhetsavvikelse,
            Leveransavvikelse,
            Katalogtjanst
        )
    };
}

/// Register the whole API on `engine`.
pub fn register(engine: &mut Engine) {
    engine.set_fast_operators(false);

    // Dates.
    engine.register_type_with_name::<Datum>("Datum");
    engine.register_fn("datum", |s: &str| -> RhaiResult<Datum> {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Datum)
            .or_else(|_| err(format!("\"{s}\" är inget datum (ÅÅÅÅ-MM-DD)")))
    });
    engine.register_fn("datum", |y: i64, m: i64, d: i64| -> RhaiResult<Datum> {
        i32::try_from(y)
            .ok()
            .and_then(|y| {
                NaiveDate::from_ymd_opt(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
            })
            .map(Datum)
            .map_or_else(|| err(format!("{y}-{m}-{d} är inget datum")), Ok)
    });
    engine.register_fn("plus_dagar", |d: &mut Datum, n: i64| -> RhaiResult<Datum> {
        d.0.checked_add_signed(chrono::Duration::days(n))
            .map(Datum)
            .map_or_else(|| err("datumet hamnar utanför kalendern"), Ok)
    });
    engine.register_fn(
        "plus_manader",
        |d: &mut Datum, n: i64| -> RhaiResult<Datum> {
            let m = Months::new(n.unsigned_abs().min(u32::MAX as u64) as u32);
            let r = if n >= 0 {
                d.0.checked_add_months(m)
            } else {
                d.0.checked_sub_months(m)
            };
            r.map(Datum)
                .map_or_else(|| err("datumet hamnar utanför kalendern"), Ok)
        },
    );
    engine.register_fn("dagar_mellan", |a: Datum, b: Datum| (b.0 - a.0).num_days());
    engine.register_get("ar", |d: &mut Datum| i64::from(d.0.year()));
    engine.register_get("manad", |d: &mut Datum| i64::from(d.0.month()));
    engine.register_get("dag", |d: &mut Datum| i64::from(d.0.day()));
    engine.register_fn("to_string", |d: &mut Datum| crate::util::iso_date(d.0));
    engine.register_fn("to_debug", |d: &mut Datum| crate::util::iso_date(d.0));
    engine.register_fn("==", |a: Datum, b: Datum| a == b);
    engine.register_fn("!=", |a: Datum, b: Datum| a != b);
    engine.register_fn("<", |a: Datum, b: Datum| a < b);
    engine.register_fn("<=", |a: Datum, b: Datum| a <= b);
    engine.register_fn(">", |a: Datum, b: Datum| a > b);
    engine.register_fn(">=", |a: Datum, b: Datum| a >= b);
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

    // Missing values.
    engine.register_fn("saknas", |x: Dynamic| is_missing(&x));
    engine.register_fn("finns", |x: Dynamic| !is_missing(&x));
    engine.register_fn("normalisera", |s: &str| crate::ingest::header::normalize(s));

    // Outcomes (Swedish names, English aliases).
    engine.register_type_with_name::<Utfall>("Utfall");
    engine.register_type_with_name::<Plats>("Plats");
    engine.register_get("status", |u: &mut Utfall| u.status.label().to_string());
    engine.register_get("meddelande", |u: &mut Utfall| u.message.clone());
    for name in ["uppfyllt", "pass"] {
        engine.register_fn(name, || outcome(Status::Uppfyllt, "", Evidence::Subject));
        engine.register_fn(name, |m: &str| {
            outcome(Status::Uppfyllt, m, Evidence::Subject)
        });
    }
    for (name, status) in [
        ("brist", Status::Brist),
        ("fail", Status::Brist),
        ("underlag_saknas", Status::UnderlagSaknas),
        ("missing", Status::UnderlagSaknas),
    ] {
        engine.register_fn(name, move |m: &str| outcome(status, m, Evidence::Subject));
        engine.register_fn(name, move |m: &str, at: Dynamic| -> RhaiResult<Utfall> {
            Ok(outcome(status, m, evidence_of(at)?))
        });
    }
    for name in ["ej_tillamplig", "not_applicable"] {
        engine.register_fn(name, |m: &str| {
            outcome(Status::EjTillamplig, m, Evidence::Subject)
        });
    }

    // The assessment builder.
    engine.register_type_with_name::<Bedomning>("Bedomning");
    engine.register_fn("bedomning", Bedomning::default);
    engine.register_fn("brist", |b: &mut Bedomning, m: &str| {
        b.brister.push((m.to_string(), Evidence::Subject))
    });
    engine.register_fn(
        "brist",
        |b: &mut Bedomning, m: &str, at: Dynamic| -> RhaiResult<()> {
            b.brister.push((m.to_string(), evidence_of(at)?));
            Ok(())
        },
    );
    engine.register_fn("saknas", |b: &mut Bedomning, m: &str| {
        b.saknas.push((m.to_string(), Evidence::Subject))
    });
    engine.register_fn(
        "saknas",
        |b: &mut Bedomning, m: &str, at: Dynamic| -> RhaiResult<()> {
            b.saknas.push((m.to_string(), evidence_of(at)?));
            Ok(())
        },
    );
    engine.register_fn("notering", |b: &mut Bedomning, m: &str| {
        b.noteringar.push(m.to_string())
    });
    engine.register_get("har_brist", |b: &mut Bedomning| !b.brister.is_empty());
    engine.register_get("har_saknat", |b: &mut Bedomning| !b.saknas.is_empty());
    engine.register_fn("resultat", |b: &mut Bedomning| b.resultat(""));
    engine.register_fn("resultat", |b: &mut Bedomning, ok: &str| b.resultat(ok));

    // Rows, each under its Rust name.
    macro_rules! register_rows {
        ($($t:ident),*) => {$(
            register_record::<$t>(engine, stringify!($t));
        )*};
    }
    with_row_types!(register_rows);
    register_where(engine);

    register_org(engine);

    engine.register_type_with_name::<Katalog>("Katalog");
    engine.register_fn("hitta", |k: &mut Katalog, id: &str| {
        let id = crate::ingest::values::id(id);
        opt_dynamic(k.by_id.get(&id).map(|&i| k.rows[i].clone()))
    });
    engine.register_fn("alla", |k: &mut Katalog| -> Array {
        k.rows.iter().map(|r| Dynamic::from(r.clone())).collect()
    });
    // As on arrays, without building one: R07 and R09 ask for every subject.
    engine.register_fn("len", |k: &mut Katalog| k.rows.len() as i64);
    engine.register_fn("is_empty", |k: &mut Katalog| k.rows.is_empty());

    engine.register_type_with_name::<Register>("Register");
    engine.register_fn("hitta", |r: &mut Register, id: &str| {
        let id = crate::ingest::values::id(id);
        opt_dynamic(
            r.0.iter()
                .find(|o| o.org.id == id)
                .map(|o| OrgView(o.clone())),
        )
    });
    engine.register_fn("alla", |r: &mut Register| -> Array {
        r.0.iter()
            .map(|o| Dynamic::from(OrgView(o.clone())))
            .collect()
    });
    engine.register_fn("len", |r: &mut Register| r.0.len() as i64);
    engine.register_fn("is_empty", |r: &mut Register| r.0.is_empty());
}

/// `()` and the empty string are missing.
pub fn is_missing(x: &Dynamic) -> bool {
    x.is_unit()
        || x.clone()
            .into_immutable_string()
            .is_ok_and(|s| s.trim().is_empty())
}

fn header_of<T: Record>(name: &str) -> RhaiResult<&'static str> {
    match T::SCHEMA.column(name) {
        Some((_, c)) => Ok(c.header),
        None => err(unknown_field::<T>(name)),
    }
}

pub(crate) fn unknown_field<T: Record>(name: &str) -> String {
    format!(
        "okänt fält \"{name}\" på en rad ur bladet {}; fälten är: {}",
        T::SCHEMA.sheet,
        T::SCHEMA
            .columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A row field a script read, for the context of a `regelfel` message.
#[derive(Clone)]
pub struct FieldRead {
    record: Arc<dyn ReadRecord>,
    idx: usize,
}

/// A record seen by the field log, whatever its type.
trait ReadRecord: Send + Sync {
    fn sheet(&self) -> &'static str;
    fn location(&self) -> &Location;
    fn field_name(&self, idx: usize) -> &'static str;
    fn field_location(&self, idx: usize) -> &Location;
    fn value(&self, idx: usize) -> Option<Value>;
}

impl<T: Record> ReadRecord for T {
    fn sheet(&self) -> &'static str {
        T::SCHEMA.sheet
    }
    fn location(&self) -> &Location {
        self.row()
    }
    fn field_name(&self, idx: usize) -> &'static str {
        T::SCHEMA.columns.get(idx).map_or("?", |c| c.name)
    }
    fn field_location(&self, idx: usize) -> &Location {
        Record::field_location(self, idx)
    }
    fn value(&self, idx: usize) -> Option<Value> {
        self.field(idx).0
    }
}

impl FieldRead {
    /// The row the field belongs to.
    pub fn row(&self) -> &Location {
        self.record.location()
    }
    /// `Avsteg rad 4`: the sheet and the row of the field's cell (on a
    /// key–value sheet, the row of its key).
    pub fn row_label(&self) -> String {
        let row = self.record.field_location(self.idx).row;
        format!("{} rad {}", self.record.sheet(), row + 1)
    }
    /// The ASCII field name.
    pub fn name(&self) -> &'static str {
        self.record.field_name(self.idx)
    }
    /// The value as the script saw it: `"text"`, `true`, `2026-01-20`, `3`, `()`.
    pub fn script_value(&self) -> String {
        match self.record.value(self.idx) {
            None => "()".into(),
            Some(Value::Text(s)) => {
                let t: String = s.chars().take(60).collect();
                if t.len() < s.len() {
                    format!("{t:?}… ({} tecken)", s.chars().count())
                } else {
                    format!("{t:?}")
                }
            }
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Date(d)) => crate::util::iso_date(d),
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Money(m)) => format!("{:?}", m.kronor()),
            Some(Value::Level(l)) => l.level().to_string(),
            Some(Value::Percent(p)) => format!("{p:?}"),
        }
    }
}

/// At most this many distinct fields are remembered per evaluation.
const MAX_FIELDS_LOGGED: usize = 24;

/// The fields read by the script evaluating on a thread, while logging.
#[derive(Default)]
struct FieldLog {
    on: bool,
    read: Vec<FieldRead>,
}

thread_local! {
    /// The fields read by the script evaluating on this thread.
    static FIELDS_READ: RefCell<FieldLog> = RefCell::new(FieldLog::default());
}

/// Start logging the row fields scripts read on this thread (clears the log).
pub fn field_log_start() {
    FIELDS_READ.with(|f| {
        let mut f = f.borrow_mut();
        f.read.clear();
        f.on = true;
    });
}

/// The distinct fields read since [`field_log_start`], in the order first read.
pub fn field_log_take() -> Vec<FieldRead> {
    FIELDS_READ.with(|f| f.borrow().read.clone())
}

/// Stop logging (the log keeps its buffer for the next evaluation).
pub fn field_log_stop() {
    FIELDS_READ.with(|f| {
        let mut f = f.borrow_mut();
        f.read.clear();
        f.on = false;
    });
}

fn note_read<T: Record>(r: &Arc<T>, idx: usize) {
    FIELDS_READ.with(|f| {
        let f = &mut *f.borrow_mut();
        // Most evaluations read few fields; a full log takes no more.
        if f.on && f.read.len() < MAX_FIELDS_LOGGED {
            let v = &mut f.read;
            let ptr = Arc::as_ptr(r) as *const ();
            let seen = v
                .iter()
                .any(|x| x.idx == idx && Arc::as_ptr(&x.record) as *const () == ptr);
            if !seen {
                v.push(FieldRead {
                    record: r.clone() as Arc<dyn ReadRecord>,
                    idx,
                });
            }
        }
    });
}

/// Getters for every column, `plats`, `rubrik` and the builder's row checks.
fn register_record<T: Record + std::fmt::Debug + Clone>(engine: &mut Engine, name: &str) {
    engine.register_type_with_name::<Arc<T>>(name);
    for (i, col) in T::SCHEMA.columns.iter().enumerate() {
        engine.register_get(col.name, move |r: &mut Arc<T>| {
            note_read(r, i);
            value_ref_to_dynamic(r.field_ref(i))
        });
    }
    // `objekt["skyddsbehov"]`, the field by its name; rhai also calls it for
    // a property without a getter, so a misspelt `objekt.skydsbehov` is this
    // Swedish error, naming the row type's fields.
    engine.register_indexer_get(|r: &mut Arc<T>, f: &str| -> RhaiResult<Dynamic> {
        match T::SCHEMA.column(f) {
            Some((i, _)) => {
                note_read(r, i);
                Ok(value_ref_to_dynamic(r.field_ref(i)))
            }
            None => err(unknown_field::<T>(f)),
        }
    });
    engine.register_fn("plats", |r: &mut Arc<T>| Plats(Some(r.row().clone())));
    engine.register_fn("plats", |r: &mut Arc<T>, f: &str| -> RhaiResult<Plats> {
        match T::SCHEMA.column(f) {
            Some((i, _)) => Ok(Plats(Some(r.field_location(i).clone()))),
            None => err(unknown_field::<T>(f)),
        }
    });
    engine.register_fn("rubrik", |_: &mut Arc<T>, f: &str| -> RhaiResult<String> {
        header_of::<T>(f).map(str::to_string)
    });
    engine.register_fn("to_string", |r: &mut Arc<T>| describe_row(&**r));
    engine.register_fn("to_debug", |r: &mut Arc<T>| describe_row(&**r));
    // The field a check names: its header (an unknown name is an error),
    // noted as read, with its value and cell.
    fn checked<'r, T: Record>(
        r: &'r Arc<T>,
        f: &str,
    ) -> RhaiResult<(&'static str, Option<ValueRef<'r>>, Option<Location>)> {
        let Some((i, col)) = T::SCHEMA.column(f) else {
            return err(unknown_field::<T>(f));
        };
        note_read(r, i);
        let (v, loc) = r.field_parts(i);
        Ok((col.header, v, Some(loc.clone())))
    }
    let krav_finns = |b: &mut Bedomning, r: Arc<T>, f: &str, m: Option<&str>| -> RhaiResult<bool> {
        let (header, v, loc) = checked(&r, f)?;
        let present = !is_missing(&value_ref_to_dynamic(v));
        if !present {
            let msg = m.map_or_else(|| format!("{header} saknas"), str::to_string);
            b.brister.push((msg, Evidence::At(loc)));
        }
        Ok(present)
    };
    engine.register_fn(
        "krav_finns",
        move |b: &mut Bedomning, r: Arc<T>, f: &str| krav_finns(b, r, f, None),
    );
    engine.register_fn(
        "krav_finns",
        move |b: &mut Bedomning, r: Arc<T>, f: &str, m: &str| krav_finns(b, r, f, Some(m)),
    );
    let krav_ja = |b: &mut Bedomning, r: Arc<T>, f: &str, m: Option<&str>| -> RhaiResult<bool> {
        let (header, v, loc) = checked(&r, f)?;
        match v {
            Some(ValueRef::Bool(true)) => Ok(true),
            Some(ValueRef::Bool(false)) => {
                let msg = m.map_or_else(|| format!("{header} är Nej, ska vara Ja"), str::to_string);
                b.brister.push((msg, Evidence::At(loc)));
                Ok(false)
            }
            None => {
                b.saknas
                    .push((format!("{header} är inte ifyllt"), Evidence::At(loc)));
                Ok(false)
            }
            Some(_) => err(format!("fältet {f} är inte ett Ja/Nej-fält")),
        }
    };
    engine.register_fn("krav_ja", move |b: &mut Bedomning, r: Arc<T>, f: &str| {
        krav_ja(b, r, f, None)
    });
    engine.register_fn(
        "krav_ja",
        move |b: &mut Bedomning, r: Arc<T>, f: &str, m: &str| krav_ja(b, r, f, Some(m)),
    );
}

/// `rader.dar(falt, värde)`: the rows whose field `falt` equals `värde`, in
/// order, as `==` would judge it (a missing field equals only `()`). One
/// native pass instead of a script loop that reads the field row by row:
/// R04 looks up its Tjänst-id in every Tjänster and Avsteg row this way.
fn register_where(engine: &mut Engine) {
    engine.register_fn(
        "dar",
        |rows: &mut Array, f: &str, v: Dynamic| -> RhaiResult<Array> {
            let mut out = Array::new();
            for r in rows.iter() {
                if field_equals(r, f, &v)? {
                    out.push(r.clone());
                }
            }
            Ok(out)
        },
    );
}

/// Whether the field `f` of the row `row` equals `v` (see `dar`); a field
/// that does is noted as read (`lästa fält` of a rule error).
fn field_equals(row: &Dynamic, f: &str, v: &Dynamic) -> RhaiResult<bool> {
    macro_rules! row_types {
        ($($t:ident),*) => {$(
            if let Some(r) = row.read_lock::<Arc<$t>>() {
                let Some((i, _)) = <$t>::SCHEMA.column(f) else {
                    return err(unknown_field::<$t>(f));
                };
                let same = same_value(&value_ref_to_dynamic(r.field_ref(i)), v);
                if same {
                    // The rows picked are context for a later rule error.
                    note_read(&r, i);
                }
                return Ok(same);
            }
        )*};
    }
    with_row_types!(row_types);
    err(format!(
        "dar() väljer bland rader ur ett blad, men listan innehåller {}",
        row.type_name()
    ))
}

/// `a == b` for the values a field can hold: text, Ja/Nej, numbers (an
/// integer equals the same float), dates, and `()` equal only to `()`.
fn same_value(a: &Dynamic, b: &Dynamic) -> bool {
    if a.is_unit() || b.is_unit() {
        return a.is_unit() && b.is_unit();
    }
    if let (Some(x), Some(y)) = (
        a.read_lock::<ImmutableString>(),
        b.read_lock::<ImmutableString>(),
    ) {
        return *x == *y;
    }
    if let (Ok(x), Ok(y)) = (a.as_bool(), b.as_bool()) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
        return x == y;
    }
    let number = |d: &Dynamic| d.as_float().ok().or(d.as_int().ok().map(|i| i as f64));
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.read_lock::<Datum>(), b.read_lock::<Datum>()) {
        return *x == *y;
    }
    false
}

/// `System [rad 12]: system=Ekonomi, skyddsbehov=3, …` for error context.
pub fn describe_row<T: Record>(r: &T) -> String {
    let fields: Vec<String> = T::SCHEMA
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            r.field_ref(i)
                .map(|v| format!("{}={}", c.name, v.display()))
        })
        .collect();
    format!(
        "{} rad {}: {}",
        T::SCHEMA.sheet,
        r.row().row + 1,
        fields.join(", ")
    )
}

fn register_org(engine: &mut Engine) {
    engine.register_type_with_name::<OrgView>("Organisation");
    engine.register_get("id", |o: &mut OrgView| o.0.org.id.clone());
    engine.register_get("namn", |o: &mut OrgView| o.0.org.namn.clone());
    engine.register_get("typ", |o: &mut OrgView| o.0.org.typ.as_str().to_string());
    engine.register_get("beslutsorgan", |o: &mut OrgView| {
        o.0.org.beslutsorgan.clone()
    });
    engine.register_get("leverantor", |o: &mut OrgView| o.0.org.leverantor);
    engine.register_get("alias", |o: &mut OrgView| -> Array {
        o.0.org
            .alias
            .iter()
            .map(|a| Dynamic::from(a.clone()))
            .collect()
    });
    engine.register_get("har_verksamhet", |o: &mut OrgView| o.0.verksamhet.is_some());
    engine.register_get("har_leverantor", |o: &mut OrgView| o.0.leverantor.is_some());
    engine.register_get("har_tjanstekatalog", |o: &mut OrgView| {
        o.0.katalog.is_some()
    });
    engine.register_get("inlamnad", |o: &mut OrgView| {
        opt_dynamic(o.0.submitted().map(Datum))
    });
    engine.register_get("plan", |o: &mut OrgView| {
        opt_dynamic(o.0.verksamhet.as_ref().and_then(|v| v.plan.clone()))
    });
    engine.register_get("tjanster", |o: &mut OrgView| {
        rows_dynamic(o.0.verksamhet.as_ref().and_then(|v| v.tjanster.as_ref()))
    });
    engine.register_get("system", |o: &mut OrgView| {
        rows_dynamic(o.0.verksamhet.as_ref().and_then(|v| v.system.as_ref()))
    });
    engine.register_get("avsteg", |o: &mut OrgView| {
        rows_dynamic(o.0.verksamhet.as_ref().and_then(|v| v.avsteg.as_ref()))
    });
    engine.register_get("insatser", |o: &mut OrgView| {
        rows_dynamic(o.0.verksamhet.as_ref().and_then(|v| v.insatser.as_ref()))
    });
    engine.register_get("mognad", |o: &mut OrgView| {
        rows_dynamic(o.0.verksamhet.as_ref().and_then(|v| v.mognad.as_ref()))
    });
    engine.register_get("uppfoljning", |o: &mut OrgView| {
        rows_dynamic(o.0.leverantor.as_ref().and_then(|v| v.uppfoljning.as_ref()))
    });
    // Issue 22: the Leverantör workbook's `Årlig analys` sheet (R20).
    engine.register_get("arlig_analys", |o: &mut OrgView| {
        rows_dynamic(
            o.0.leverantor
                .as_ref()
                .and_then(|v| v.arlig_analys.as_ref()),
        )
    });
    engine.register_get("sakerhetsavvikelser", |o: &mut OrgView| {
        rows_dynamic(
            o.0.leverantor
                .as_ref()
                .and_then(|v| v.sakerhetsavvikelser.as_ref()),
        )
    });
    engine.register_get("leveransavvikelser", |o: &mut OrgView| {
        rows_dynamic(
            o.0.leverantor
                .as_ref()
                .and_then(|v| v.leveransavvikelser.as_ref()),
        )
    });
    engine.register_get("katalog", |o: &mut OrgView| {
        rows_dynamic(o.0.katalog.as_ref().and_then(|v| v.tjanster.as_ref()))
    });
    engine.register_fn("plats", |o: &mut OrgView| Plats(org_location(&o.0)));
    engine.register_fn("to_string", |o: &mut OrgView| o.0.org.id.clone());
    engine.register_fn("to_debug", |o: &mut OrgView| o.0.org.id.clone());
}

/// Where an organisation-level finding points: its Verksamhet workbook's
/// `Inlämning` sheet, else any other workbook it submitted.
pub fn org_location(o: &OrgData) -> Option<Location> {
    o.verksamhet
        .as_ref()
        .map(|v| &v.inlamning)
        .or(o.leverantor.as_ref().map(|v| &v.inlamning))
        .or(o.katalog.as_ref().map(|v| &v.inlamning))
        .map(|i| i.record.row.clone())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tjanst(row: u32, id: Option<&str>, anvands: Option<bool>) -> Dynamic {
        let at = |c| Location::new("t.xlsx".into(), "Tjänster".into(), row, c);
        let values = vec![
            (id.map(|s| Value::Text(s.into())), at(0)),
            (None, at(1)),
            (anvands.map(Value::Bool), at(2)),
            (None, at(3)),
        ];
        Dynamic::from(Arc::new(TjanstAnvandning::from_values(at(0), values)))
    }

    #[test]
    fn dar_picks_the_rows_that_equal_would_pick_in_order() {
        let engine = super::super::sandbox::engine(Default::default());
        let rows: Array = vec![
            tjanst(1, Some("HR-01"), Some(true)),
            tjanst(2, Some("X-01"), None),
            tjanst(3, None, Some(false)),
            tjanst(4, Some("HR-01"), Some(false)),
        ];
        let eval = |script: &str| {
            let mut scope = rhai::Scope::new();
            scope.push("rader", rows.clone());
            engine.eval_with_scope::<Dynamic>(&mut scope, script)
        };
        let int = |script: &str| eval(script).unwrap().as_int().unwrap();
        assert_eq!(int(r#"rader.dar("tjanst_id", "HR-01").len()"#), 2);
        // In sheet order: the second HR-01 row is row 4, Används = Nej.
        assert!(!eval(r#"rader.dar("tjanst_id", "HR-01")[1].anvands"#)
            .unwrap()
            .as_bool()
            .unwrap());
        assert_eq!(int(r#"rader.dar("tjanst_id", "hr-01").len()"#), 0);
        assert_eq!(int(r#"rader.dar("anvands", true).len()"#), 1);
        // A missing field equals only ().
        assert_eq!(int(r#"rader.dar("tjanst_id", ()).len()"#), 1);
        assert_eq!(int(r#"rader.dar("anvands", ()).len()"#), 1);
        assert_eq!(int(r#"rader.dar("tjanst_id", 1).len()"#), 0);
        assert_eq!(int(r#"[].dar("tjanst_id", "HR-01").len()"#), 0);
        let e = eval(r#"rader.dar("tjanstid", "HR-01")"#).unwrap_err();
        assert!(e.to_string().contains("okänt fält \"tjanstid\""), "{e}");
        // A field by its name, and a misspelt one in Swedish.
        assert_eq!(
            eval(r#"rader[0]["tjanst_id"]"#).unwrap().into_string(),
            Ok("HR-01".to_string())
        );
        for misspelt in [r#"rader[0]["tjanstid"]"#, "rader[0].tjanstid"] {
            let e = eval(misspelt).unwrap_err();
            assert!(
                e.to_string().contains(
                    "okänt fält \"tjanstid\" på en rad ur bladet Tjänster; fälten är: tjanst_id, "
                ),
                "{misspelt}: {e}"
            );
        }
        let e = eval(r#"[1, 2].dar("tjanst_id", "HR-01")"#).unwrap_err();
        assert!(e.to_string().contains("dar() väljer bland rader"), "{e}");
    }

    #[test]
    fn catalogue_and_register_count_as_their_arrays_do() {
        let engine = super::super::sandbox::engine(Default::default());
        let eval_with = |katalog: Katalog, register: Register, script: &str| {
            let mut scope = rhai::Scope::new();
            scope.push_constant("katalog", katalog);
            scope.push_constant("register", register);
            engine
                .eval_with_scope::<Dynamic>(&mut scope, script)
                .unwrap()
        };
        let eval = |katalog: Katalog, script: &str| {
            eval_with(katalog, Register(Arc::new(Vec::new())), script)
        };
        let row = |id: &str| {
            let at = |c| Location::new("k.xlsx".into(), "Tjänster".into(), 1, c);
            let mut values: Vec<_> = (0..Katalogtjanst::SCHEMA.columns.len())
                .map(|c| (None, at(c as u32)))
                .collect();
            values[0].0 = Some(Value::Text(id.into()));
            Arc::new(Katalogtjanst::from_values(at(0), values))
        };
        let two = || Katalog::new(vec![row("HR-01"), row("HR-02")]);
        for (script, expected) in [
            ("katalog.len() == katalog.alla().len()", true),
            ("katalog.is_empty() == katalog.alla().is_empty()", true),
            ("katalog.is_empty()", false),
            ("register.is_empty() && register.len() == 0", true),
        ] {
            assert_eq!(eval(two(), script).as_bool(), Ok(expected), "{script}");
        }
        assert_eq!(eval(two(), "katalog.len()").as_int(), Ok(2));
        assert_eq!(
            eval(Katalog::new(Vec::new()), "katalog.is_empty()").as_bool(),
            Ok(true)
        );
        let org = |id: &str| {
            Arc::new(OrgData::new(Arc::new(crate::model::Organisation {
                id: id.into(),
                namn: id.into(),
                typ: crate::model::OrgTyp::Namnd,
                beslutsorgan: "Nämnden".into(),
                leverantor: false,
                alias: Vec::new(),
            })))
        };
        let register = Register(Arc::new(vec![org("KOV"), org("IS")]));
        assert_eq!(
            eval_with(
                two(),
                register,
                "!register.is_empty() && register.len() == 2 && register.len() == register.alla().len()"
            )
            .as_bool(),
            Ok(true)
        );
    }

    #[test]
    fn same_value_is_equality_across_the_field_types() {
        let s = |x: &str| Dynamic::from(ImmutableString::from(x));
        assert!(same_value(&s("a"), &s("a")));
        assert!(!same_value(&s("a"), &s("A")));
        assert!(same_value(&Dynamic::from(3_i64), &Dynamic::from(3.0_f64)));
        assert!(!same_value(&Dynamic::from(3_i64), &s("3")));
        assert!(same_value(&Dynamic::UNIT, &Dynamic::UNIT));
        assert!(!same_value(&Dynamic::UNIT, &s("")));
        let d = |day| Dynamic::from(Datum(NaiveDate::from_ymd_opt(2026, 1, day).unwrap()));
        assert!(same_value(&d(1), &d(1)));
        assert!(!same_value(&d(1), &d(2)));
        assert!(same_value(&Dynamic::from(true), &Dynamic::from(true)));
        assert!(!same_value(&Dynamic::from(true), &Dynamic::from(1_i64)));
    }
}
