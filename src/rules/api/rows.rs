//! The row types a script sees: getters for every column, `plats`,
//! `rubrik`, the builder's row checks (`krav_finns`, `krav_ja`) and
//! `rader.dar(…)`.

use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, ImmutableString};

use super::field_log::note_read;
use super::{err, is_missing, value_ref_to_dynamic, Bedomning, Datum, Evidence, Plats, RhaiResult};
use crate::model::records::*;
use crate::model::{Location, Record, ValueRef};

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

/// Every row type, and `dar` on a list of rows.
pub(super) fn register(engine: &mut Engine) {
    // Rows, each under its Rust name.
    macro_rules! register_rows {
        ($($t:ident),*) => {$(
            register_record::<$t>(engine, stringify!($t));
        )*};
    }
    with_row_types!(register_rows);
    register_where(engine);
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::Value;

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
        let engine = crate::rules::sandbox::engine(Default::default());
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
