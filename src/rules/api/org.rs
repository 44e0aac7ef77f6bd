//! The organisation a rule evaluates (`org`), the city's catalogue
//! (`katalog`) and the register of every organisation (`register`).

use std::collections::HashMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine};

use super::{opt_dynamic, Datum, Plats};
use crate::model::records::Katalogtjanst;
use crate::model::{Location, OrgData, Record};

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

fn rows_dynamic<T: Record + std::fmt::Debug + Clone>(rows: Option<&Vec<Arc<T>>>) -> Dynamic {
    match rows {
        None => Dynamic::UNIT,
        Some(rows) => Dynamic::from_array(rows.iter().map(|r| Dynamic::from(r.clone())).collect()),
    }
}

/// `Organisation`, `Katalog` and `Register` with their lookups.
pub(super) fn register(engine: &mut Engine) {
    register_org(engine);
    register_catalogue(engine);
    register_register(engine);
}

/// `katalog.hitta(id)`, `alla()`, `len()`, `is_empty()`.
fn register_catalogue(engine: &mut Engine) {
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
}

/// `register.hitta(id)`, `alla()`, `len()`, `is_empty()`.
fn register_register(engine: &mut Engine) {
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
    engine.register_get("inlamning_pagar", |o: &mut OrgView| o.0.vantar);
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
    // The Leverantör workbook's `Årlig analys` sheet (R20).
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
    use crate::model::Value;

    #[test]
    fn catalogue_and_register_count_as_their_arrays_do() {
        let engine = crate::rules::sandbox::engine(Default::default());
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
                epost: Vec::new(),
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
}
