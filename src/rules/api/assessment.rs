//! What a script returns: an outcome (`uppfyllt`, `brist` …) with its
//! evidence, and the `bedomning()` builder that implements the missing-data
//! principle.

use rhai::{Dynamic, Engine};

use super::{err, RhaiResult};
use crate::model::Location;
use crate::rules::status::Status;

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
    /// Every problem the message names with its own evidence, in order
    /// (from the `bedomning()` builder); empty for an outcome made directly,
    /// whose one place is `evidence`.
    pub places: Vec<(String, Evidence)>,
}

/// Collects failing and unjudgeable conditions of one subject and turns
/// them into one outcome: any failure makes `brist` (the message names
/// every failing and every missing field), else any missing input makes
/// `underlag saknas`, else `uppfyllt`.
#[derive(Debug, Clone, Default)]
pub struct Bedomning {
    pub(super) brister: Vec<(String, Evidence)>,
    pub(super) saknas: Vec<(String, Evidence)>,
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
                places: self.brister.iter().chain(&self.saknas).cloned().collect(),
            };
        }
        if let Some((_, ev)) = self.saknas.first() {
            return Utfall {
                status: Status::UnderlagSaknas,
                message: join(self.saknas.iter().map(|b| b.0.as_str())),
                evidence: ev.clone(),
                places: self.saknas.clone(),
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
            places: Vec::new(),
        }
    }
}

/// A problem's text as it appears in a joined message.
pub fn part_text(problem: &str) -> &str {
    problem.trim_end_matches('.')
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts.map(part_text).collect::<Vec<_>>().join("; ")
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
        places: Vec::new(),
    }
}

/// The outcome constructors (Swedish names, English aliases) and the builder.
pub(super) fn register(engine: &mut Engine) {
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
}
