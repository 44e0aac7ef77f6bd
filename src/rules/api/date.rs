//! Dates in a rule script: `datum(…)`, arithmetic, parts and comparison.

use chrono::{Datelike, Months, NaiveDate};
use rhai::Engine;

use super::{err, RhaiResult};

/// A date in a rule script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Datum(pub NaiveDate);

/// `datum`, `plus_dagar`, `plus_manader`, `dagar_mellan`, the parts and comparisons.
pub(super) fn register(engine: &mut Engine) {
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
    engine.register_fn("to_string", |d: &mut Datum| crate::model::iso_date(d.0));
    engine.register_fn("to_debug", |d: &mut Datum| crate::model::iso_date(d.0));
    engine.register_fn("==", |a: Datum, b: Datum| a == b);
    engine.register_fn("!=", |a: Datum, b: Datum| a != b);
    engine.register_fn("<", |a: Datum, b: Datum| a < b);
    engine.register_fn("<=", |a: Datum, b: Datum| a <= b);
    engine.register_fn(">", |a: Datum, b: Datum| a > b);
    engine.register_fn(">=", |a: Datum, b: Datum| a >= b);
}
