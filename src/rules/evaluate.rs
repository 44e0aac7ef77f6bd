//! Evaluation: for each rule and organisation, check scope and required
//! data, enumerate the subjects, run the script on each, and turn its
//! outcome (or error) into an [`Evaluation`] with evidence.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

use rhai::Caches;
use rhai::{Dynamic, EvalAltResult, ImmutableString, Scope};
use serde::Serialize;

use super::api::{self, Datum, Evidence, Katalog, OrgView, Register, Utfall};
use super::definition::{Requirement, Scope as RuleScope, SubjectKind};
use super::status::{Severity, Status};
use super::{Rule, RuleSet};
use crate::model::{Location, Model, OrgData, Record, ValueRef};

/// Script time each interpreted subject may take without touching its
/// rule's run budget (`regel_budget_sekunder` counts only the time beyond
/// this per subject). Ordinary subjects take a few microseconds, a
/// hundredfold slower machine still stays within it, and a script that
/// runs to the 500 ms time-out spends the budget almost at full rate.
pub const SUBJECT_ALLOWANCE_MICROS: i64 = 1_000;

/// One evaluation of one rule on one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The organisation's id, shared by all its evaluations of a rule.
    pub org: Arc<str>,
    /// The rule id.
    pub rule: Arc<str>,
    /// The outcome.
    pub status: Status,
    /// The rule's severity.
    pub severity: Severity,
    /// The subject's key (a Tjänst-id, a system name, the organisation id …).
    /// Boxed, as `places`: 1.4 million evaluations are kept at 10,000
    /// organisations, and each of the two saves 8 bytes of every one.
    pub subject: Box<str>,
    /// The Swedish message (empty when uppfyllt).
    pub message: Arc<str>,
    /// The cell the outcome rests on, if any.
    pub evidence: Option<Location>,
    /// Every problem the message names with the cell it rests on, in order
    /// (the first one's cell is `evidence`); empty when the outcome names
    /// one place only.
    pub places: Box<[Place]>,
}

/// One problem of a finding and the cell it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The cell.
    pub loc: Location,
    /// The problem, as the message words it.
    pub problem: String,
}

impl Evaluation {
    /// Every cell the outcome rests on, in order, each once: the places'
    /// cells, or the evidence alone.
    pub fn cells(&self) -> Vec<&Location> {
        let mut out: Vec<&Location> = Vec::new();
        for l in self
            .places
            .iter()
            .map(|p| &p.loc)
            .chain(self.evidence.as_ref())
        {
            if !out.contains(&l) {
                out.push(l);
            }
        }
        out
    }

    /// The `celler` of the JSON line: each cell as its A1 reference, with
    /// its sheet (`Blad!A1`) or file and sheet (`fil[Blad]!A1`) when those
    /// differ from the first cell's.
    pub fn cell_refs(&self) -> Vec<String> {
        let cells = self.cells();
        let Some(first) = cells.first() else {
            return Vec::new();
        };
        cells
            .iter()
            .map(|l| RelativeRef { first, cell: l }.to_string())
            .collect()
    }
}

/// A cell as `celler` words it relative to the first cell of its finding:
/// `A1`, with the sheet (`Blad!A1`) or file and sheet (`fil[Blad]!A1`)
/// when those differ from the first cell's. Writes without allocating.
pub struct RelativeRef<'a> {
    /// The finding's first cell.
    pub first: &'a Location,
    /// The cell to write.
    pub cell: &'a Location,
}

impl std::fmt::Display for RelativeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (first, l) = (self.first, self.cell);
        if l.file() != first.file() {
            write!(f, "{l}")
        } else if l.sheet() != first.sheet() {
            write!(f, "{}!{}", l.sheet(), l.a1())
        } else {
            write!(f, "{}", l.a1())
        }
    }
}

/// The JSON line of `resultat.jsonl` (report.md, section 3).
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Clone)]
pub struct EvaluationJson {
    /// The organisation id.
    pub organisation: String,
    /// The rule id.
    pub regel: String,
    /// The outcome.
    pub status: Status,
    /// The rule's severity.
    pub allvarlighet: Severity,
    /// The subject's key.
    pub objekt: String,
    /// The Swedish message.
    pub meddelande: String,
    /// The file of the evidence cell (empty if none).
    pub fil: String,
    /// Its sheet.
    pub blad: String,
    /// Its A1 reference.
    pub cell: String,
    /// Every cell the outcome rests on, in order (`cell` is the first); a
    /// cell on another sheet is written `Blad!A1`, in another file
    /// `fil[Blad]!A1`. Missing in lines written before it existed.
    #[serde(default)]
    pub celler: Vec<String>,
}

/// [`JSON_FIELDS`] and the `{"key":` / `,"key":` prefixes the line writer
/// writes, from one list.
macro_rules! json_fields {
    ($first:literal $(, $rest:literal)* $(,)?) => {
        /// The keys of a `resultat.jsonl` line, in order: the fields of
        /// [`EvaluationJson`], which serde writes (a test holds the two
        /// together).
        #[cfg(test)]
        const JSON_FIELDS: [&str; 10] = [$first $(, $rest)*];
        /// Each key with what comes before it and its colon.
        const KEY_PREFIXES: [&str; 10] =
            [concat!("{\"", $first, "\":") $(, concat!(",\"", $rest, "\":"))*];
    };
}

json_fields!(
    "organisation",
    "regel",
    "status",
    "allvarlighet",
    "objekt",
    "meddelande",
    "fil",
    "blad",
    "cell",
    "celler",
);

/// Append `s` to `out` as a JSON string, escaped exactly as serde_json
/// escapes it: `"` and `\\` with a backslash, the control characters
/// U+0000–U+001F as `\b \t \n \f \r` or `\u00xx` (lower-case hex),
/// everything else (DEL and non-ASCII included) raw.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_json_escaped(out, s);
    out.push(b'"');
}

/// The inside of [`push_json_str`], for a string written in pieces.
fn push_json_escaped(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether any byte of `w` is below 0x20, a quote or a backslash (each
    // test exact for "any byte", the classic bit tricks).
    let special = |w: u64| {
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
        (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
            | zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            != 0
    };
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight plain bytes at a time (most text has nothing to escape).
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            if !special(u64::from_ne_bytes(w)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        i += 1;
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        let i = i - 1;
        out.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

/// Append `"key":` for the `i`th of [`JSON_FIELDS`], after a `{` or `,`.
fn push_key(out: &mut Vec<u8>, i: usize) {
    out.extend_from_slice(KEY_PREFIXES[i].as_bytes());
}

impl RelativeRef<'_> {
    /// Append the reference to `out` as a JSON string (what `Display`
    /// writes, escaped as serde_json would, without formatting).
    fn push_json(&self, out: &mut Vec<u8>) {
        let (first, l) = (self.first, self.cell);
        out.push(b'"');
        if l.file() != first.file() {
            push_json_escaped(out, l.file());
            out.push(b'[');
            push_json_escaped(out, l.sheet());
            out.extend_from_slice(b"]!");
        } else if l.sheet() != first.sheet() {
            push_json_escaped(out, l.sheet());
            out.push(b'!');
        }
        l.a1().write_to(out);
        out.push(b'"');
    }
}

impl Evaluation {
    /// Append this evaluation's line of `resultat.jsonl` (with its newline):
    /// byte for byte what serde_json writes for [`Evaluation::json`], by
    /// hand, as the workers write millions of lines. Writing to a `Vec`
    /// cannot fail; the `Result` is the callers' serde_json error type.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let ev = self.evidence.as_ref();
        push_key(out, 0);
        push_json_str(out, &self.org);
        push_key(out, 1);
        push_json_str(out, &self.rule);
        push_key(out, 2);
        push_json_str(out, self.status.label());
        push_key(out, 3);
        push_json_str(out, self.severity.label());
        push_key(out, 4);
        push_json_str(out, &self.subject);
        push_key(out, 5);
        push_json_str(out, &self.message);
        push_key(out, 6);
        push_json_str(out, ev.map(|l| l.file()).unwrap_or(""));
        push_key(out, 7);
        push_json_str(out, ev.map(|l| l.sheet()).unwrap_or(""));
        push_key(out, 8);
        out.push(b'"');
        if let Some(l) = ev {
            l.a1().write_to(out);
        }
        out.push(b'"');
        push_key(out, 9);
        out.push(b'[');
        if self.places.is_empty() {
            // The usual line: the evidence alone, relative to itself.
            if let Some(l) = ev {
                RelativeRef { first: l, cell: l }.push_json(out);
            }
        } else {
            let cells = self.cells();
            if let Some(first) = cells.first() {
                for (i, l) in cells.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    RelativeRef { first, cell: l }.push_json(out);
                }
            }
        }
        out.extend_from_slice(b"]}\n");
    }

    /// The evaluation as its `resultat.jsonl` line.
    pub fn json(&self) -> EvaluationJson {
        EvaluationJson {
            organisation: self.org.to_string(),
            regel: self.rule.to_string(),
            status: self.status,
            allvarlighet: self.severity,
            objekt: self.subject.to_string(),
            meddelande: self.message.to_string(),
            fil: self
                .evidence
                .as_ref()
                .map(|l| l.file().to_string())
                .unwrap_or_default(),
            blad: self
                .evidence
                .as_ref()
                .map(|l| l.sheet().to_string())
                .unwrap_or_default(),
            cell: self.evidence.as_ref().map(|l| l.cell()).unwrap_or_default(),
            celler: self.cell_refs(),
        }
    }
}

/// Everything a script sees besides its subject and organisation, and the
/// rule errors already logged in this evaluation pass.
pub struct Context {
    /// The city's catalogue of gemensamma tjänster.
    pub katalog: Katalog,
    /// The register of organisations.
    pub register: Register,
    /// The per-date.
    pub per: Datum,
    /// The period, e.g. `2026` or `2026-T2`.
    pub period: String,
    /// Script positions whose `regelfel` has been logged (`None`: do not log).
    logged: Option<Mutex<HashSet<String>>>,
    /// The cells ingest could not read, by cell: what each held and what
    /// was expected (see [`Context::with_unreadable`]).
    unreadable: HashMap<Location, Unreadable>,
}

/// A cell ingest could not read: what it held and what was expected.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// What the cell held, as shown.
    pub found: String,
    /// What was expected there, in Swedish (e.g. `ett heltal, t.ex. 3`).
    pub expected: String,
}

impl Context {
    /// The context of evaluating `model`.
    pub fn new(model: &Model) -> Self {
        Self {
            katalog: Katalog::new(model.katalog.clone()),
            register: Register(Arc::new(model.orgs.clone())),
            per: Datum(model.per),
            period: model.period.to_string(),
            logged: Some(Mutex::new(HashSet::new())),
            unreadable: HashMap::new(),
        }
    }

    /// Explain findings on unreadable cells: when a problem of a finding
    /// rests on one of these cells, its text in the message becomes what
    /// the cell held and what was expected there.
    pub fn with_unreadable(
        mut self,
        cells: impl IntoIterator<Item = (Location, Unreadable)>,
    ) -> Self {
        self.unreadable.extend(
            cells
                .into_iter()
                .filter(|(_, u)| !u.found.trim().is_empty()),
        );
        self
    }

    /// An empty `register`, for rules none of which names it: the context
    /// then holds no organisation, and each one's data can go as soon as
    /// its rules have run.
    pub fn without_register(mut self) -> Self {
        self.register = Register(Arc::new(Vec::new()));
        self
    }

    /// Do not log rule errors (rule tests print them themselves).
    pub fn without_log(mut self) -> Self {
        self.logged = None;
        self
    }
}

/// Function resolution caches of one rule's script, kept between calls of
/// [`RuleSet::evaluate_rule`]: one per worker thread that evaluated the
/// rule. A cache belongs to its rule (the script's own functions are part of
/// what it resolves), so it lives and dies with the [`Rule`].
#[derive(Default)]
pub struct WarmCaches(Mutex<Vec<Caches>>);

impl WarmCaches {
    fn take(&self) -> Caches {
        self.0
            .lock()
            .ok()
            .and_then(|mut v| v.pop())
            .unwrap_or_default()
    }

    fn put(&self, caches: Caches) {
        if let Ok(mut v) = self.0.lock() {
            v.push(caches);
        }
    }
}

/// How many subjects of a rule `gäller_när` answered and how many went to
/// the script (counted per rule and organisation, added once).
#[derive(Default)]
pub struct Answered {
    declared: std::sync::atomic::AtomicU64,
    scripted: std::sync::atomic::AtomicU64,
}

impl Answered {
    fn add(&self, declared: u64, scripted: u64) {
        self.declared.fetch_add(declared, Relaxed);
        self.scripted.fetch_add(scripted, Relaxed);
    }

    /// (answered by `gäller_när`, answered by the script) so far.
    pub fn get(&self) -> (u64, u64) {
        (self.declared.load(Relaxed), self.scripted.load(Relaxed))
    }
}

/// The scope and caches the subjects of one rule and organisation share.
struct Runner {
    scope: Scope<'static>,
    /// The scope's length with the shared constants only.
    base: usize,
    caches: Caches,
    source: Option<ImmutableString>,
}

/// A subject with what evaluation needs to know of it.
struct Subject {
    key: String,
    value: Dynamic,
    record: Option<Arc<dyn ErasedRecord>>,
}

/// A record seen through its schema, whatever its type.
trait ErasedRecord: Send + Sync {
    fn row(&self) -> &Location;
    fn field_location(&self, name: &str) -> Option<Location>;
    /// The Swedish error for a field name the row type does not have.
    fn unknown_field(&self, name: &str) -> String;
    /// The column header of the field at `loc`, if one of its fields is there.
    fn header_at(&self, loc: &Location) -> Option<&'static str>;
    /// Field `idx` of the row's schema.
    fn value(&self, idx: usize) -> Option<ValueRef<'_>>;
}

impl<T: Record> ErasedRecord for T {
    fn row(&self) -> &Location {
        Record::row(self)
    }
    fn field_location(&self, name: &str) -> Option<Location> {
        Self::SCHEMA
            .column(name)
            .map(|(i, _)| Record::field_location(self, i).clone())
    }
    fn unknown_field(&self, name: &str) -> String {
        api::unknown_field::<T>(name)
    }
    fn header_at(&self, loc: &Location) -> Option<&'static str> {
        Self::SCHEMA
            .columns
            .iter()
            .enumerate()
            .find(|(i, _)| Record::field_location(self, *i) == loc)
            .map(|(_, c)| c.header)
    }
    fn value(&self, idx: usize) -> Option<ValueRef<'_>> {
        self.field_ref(idx)
    }
}

/// The fields whose first present value names an Avsteg row.
pub const AVSTEG_KEY_FIELDS: &[&str] = &["avsteg_id", "tjanst_id"];

/// The key a row subject is known by in the results: the first of
/// `key_fields` that has a value, else `rad N`.
pub fn subject_key<T: Record>(r: &T, key_fields: &[&str]) -> String {
    key_fields
        .iter()
        .find_map(|f| {
            let (i, _) = T::SCHEMA.column(f)?;
            r.field_ref(i).map(|v| v.display())
        })
        .unwrap_or_else(|| format!("rad {}", r.row().row + 1))
}

fn rows<T: Record + std::fmt::Debug + Clone>(rows: &[Arc<T>], key_fields: &[&str]) -> Vec<Subject> {
    rows.iter()
        .map(|r| {
            let key = subject_key(&**r, key_fields);
            Subject {
                key,
                value: Dynamic::from(r.clone()),
                record: Some(r.clone() as Arc<dyn ErasedRecord>),
            }
        })
        .collect()
}

/// Whether the data a requirement names was submitted.
fn present(o: &OrgData, req: Requirement) -> bool {
    let v = o.verksamhet.as_ref();
    let l = o.leverantor.as_ref();
    match req {
        Requirement::Verksamhet => v.is_some(),
        Requirement::Leverantor => l.is_some(),
        Requirement::Tjanstekatalog => o.katalog.is_some(),
        Requirement::Digitaliseringsplan => v.is_some_and(|v| v.plan.is_some()),
        Requirement::Tjanster => v.is_some_and(|v| v.tjanster.is_some()),
        Requirement::System => v.is_some_and(|v| v.system.is_some()),
        Requirement::Avsteg => v.is_some_and(|v| v.avsteg.is_some()),
        Requirement::Forandringsinsatser => v.is_some_and(|v| v.insatser.is_some()),
        Requirement::Uppfoljningsrapport => l.is_some_and(|l| l.uppfoljning.is_some()),
        Requirement::Sakerhetsavvikelser => l.is_some_and(|l| l.sakerhetsavvikelser.is_some()),
        Requirement::Leveransavvikelser => l.is_some_and(|l| l.leveransavvikelser.is_some()),
        Requirement::Katalog => o.katalog.as_ref().is_some_and(|k| k.tjanster.is_some()),
    }
}

fn subjects(kind: SubjectKind, o: &Arc<OrgData>, ctx: &Context) -> Vec<Subject> {
    let v = o.verksamhet.as_ref();
    let l = o.leverantor.as_ref();
    let empty = Vec::new;
    match kind {
        SubjectKind::Organisation => vec![Subject {
            key: o.org.id.clone(),
            value: Dynamic::from(OrgView(o.clone())),
            record: None,
        }],
        SubjectKind::Digitaliseringsplan => match v.and_then(|v| v.plan.clone()) {
            Some(p) => vec![Subject {
                key: o.org.id.clone(),
                value: Dynamic::from(p.clone()),
                record: Some(p as Arc<dyn ErasedRecord>),
            }],
            None => empty(),
        },
        SubjectKind::Tjanstanvandning => rows(
            v.and_then(|v| v.tjanster.as_deref()).unwrap_or(&[]),
            &["tjanst_id", "tjanst"],
        ),
        SubjectKind::Katalograd => rows(ctx.katalog.rows(), &["tjanst_id", "tjanst"]),
        SubjectKind::EgenKatalograd => rows(
            o.katalog
                .as_ref()
                .and_then(|k| k.tjanster.as_deref())
                .unwrap_or(&[]),
            &["tjanst_id", "tjanst"],
        ),
        SubjectKind::System => rows(
            v.and_then(|v| v.system.as_deref()).unwrap_or(&[]),
            &["system"],
        ),
        SubjectKind::Avsteg => rows(
            v.and_then(|v| v.avsteg.as_deref()).unwrap_or(&[]),
            AVSTEG_KEY_FIELDS,
        ),
        SubjectKind::Insats => rows(
            v.and_then(|v| v.insatser.as_deref()).unwrap_or(&[]),
            &["insats"],
        ),
        SubjectKind::Uppfoljningsrapport => rows(
            l.and_then(|l| l.uppfoljning.as_deref()).unwrap_or(&[]),
            &["ar"],
        ),
        SubjectKind::Sakerhetsavvikelse => rows(
            l.and_then(|l| l.sakerhetsavvikelser.as_deref())
                .unwrap_or(&[]),
            &["avvikelse_id", "tjanst_id"],
        ),
        SubjectKind::Leveransavvikelse => rows(
            l.and_then(|l| l.leveransavvikelser.as_deref())
                .unwrap_or(&[]),
            &["avvikelse_id", "kund"],
        ),
    }
}

impl RuleSet {
    /// Evaluate every rule on every organisation of the model (in parallel
    /// across organisations); the result is in register and rule order.
    pub fn evaluate(&self, model: &Model) -> Vec<Evaluation> {
        let ctx = Context::new(model);
        crate::parallel::map(&model.orgs, |o| {
            self.rules
                .iter()
                .flat_map(|r| self.evaluate_rule(r, o, &ctx))
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect()
    }

    /// Log a rule error as an excerpt (`rules/README.md`, "Regelfel"),
    /// once per script position and evaluation pass; every subject's error
    /// is in the results.
    fn log_rule_error(&self, ctx: &Context, e: &Evaluation) {
        let Some(logged) = &ctx.logged else { return };
        // Group by script position (the message may hold data values).
        let head = e.message.split(": ").next().unwrap_or_default();
        let first = logged
            .lock()
            .map(|mut l| l.insert(format!("{}\u{0}{head}", e.rule)))
            .unwrap_or(false);
        if first {
            let text = self
                .error_excerpt(&e.message)
                .unwrap_or_else(|| e.message.to_string());
            tracing::warn!(
                target: "uppsikt::regel",
                "regelfel i {} (visas för första objektet med felet; alla finns i resultatet):\n{text}",
                e.rule
            );
        }
    }

    /// Evaluate one rule for one organisation.
    pub fn evaluate_rule(&self, rule: &Rule, o: &Arc<OrgData>, ctx: &Context) -> Vec<Evaluation> {
        self.evaluate_rule_with(rule, &rule.params, o, ctx)
    }

    /// [`RuleSet::evaluate_rule`] with other parameters than the rule's own
    /// (a test case's `parametrar`).
    pub fn evaluate_rule_with(
        &self,
        rule: &Rule,
        params: &Dynamic,
        o: &Arc<OrgData>,
        ctx: &Context,
    ) -> Vec<Evaluation> {
        let id: Arc<str> = rule.def.id.as_str().into();
        let org: Arc<str> = o.org.id.as_str().into();
        let org_level = |status: Status, message: String| Evaluation {
            org: org.clone(),
            rule: id.clone(),
            status,
            severity: rule.def.allvarlighet,
            subject: o.org.id.as_str().into(),
            message: message.into(),
            evidence: api::org_location(o),
            places: Box::default(),
        };
        if let Some(why) = &rule.broken {
            return vec![org_level(Status::Regelfel, broken_message(why))];
        }
        if rule.def.galler == RuleScope::Leverantorer && !o.org.leverantor {
            return vec![org_level(
                Status::EjTillamplig,
                "Regeln gäller bara leverantörer av gemensamma tjänster.".into(),
            )];
        }
        let mut needed: Vec<Requirement> =
            rule.def.objekt.implied_requirement().into_iter().collect();
        needed.extend(rule.def.kraver.iter().copied());
        for req in needed.iter().flat_map(|r| [r.workbook(), *r]) {
            if !present(o, req) {
                let mut m = req.describe().to_string();
                if let Some(c) = m.get_mut(0..1) {
                    c.make_ascii_uppercase();
                }
                return vec![org_level(
                    Status::UnderlagSaknas,
                    format!("Underlag saknas: {m}."),
                )];
            }
        }
        let subjects = subjects(rule.def.objekt, o, ctx);
        if subjects.is_empty() {
            return vec![org_level(
                Status::EjTillamplig,
                format!(
                    "Inga objekt av slaget {} att bedöma.",
                    rule.def.objekt.label()
                ),
            )];
        }
        let org_view = Dynamic::from(OrgView(o.clone()));
        // One scope per rule and organisation: the constants every subject
        // shares are pushed once, and the scope is rewound to them after
        // each subject (a script's own `let`s go with it). Constants cannot
        // be changed by a script, so no subject sees another's state.
        let mut scope = Scope::new();
        scope.push_constant("katalog", ctx.katalog.clone());
        scope.push_constant("register", ctx.register.clone());
        scope.push_constant("per", ctx.per);
        scope.push_constant("period", ctx.period.clone());
        scope.push_constant_dynamic("param", params.clone());
        scope.push_constant_dynamic("org", org_view.clone());
        let base = scope.len();
        let mut runner = Runner {
            scope,
            base,
            caches: rule.warm.take(),
            source: rule.ast.source().map(ImmutableString::from),
        };
        let speaker = super::sandbox::Speaker {
            rule: id.clone(),
            org: org.clone(),
            printed: rule.printed.clone(),
        };
        let (mut declared, mut scripted) = (0, 0);
        let budget = self.limits.run_budget;
        let budget_micros = i64::try_from(budget.as_micros()).unwrap_or(i64::MAX);
        let out = subjects
            .into_iter()
            .map(|s| {
                let decided = match &s.record {
                    Some(r) if !rule.applicability.is_empty() => {
                        rule.applicability.decide(&|i| r.value(i), ctx.per.0)
                    }
                    _ => None,
                };
                if decided.is_some() {
                    declared += 1;
                } else {
                    scripted += 1;
                }
                let ran = if let Some(u) = decided {
                    Ok(u)
                } else if rule.script_excess_micros.load(Relaxed) >= budget_micros {
                    Err(self.over_budget(rule, budget))
                } else {
                    let t0 = std::time::Instant::now();
                    let r = super::sandbox::speaking(speaker.clone(), || {
                        self.run_script(rule, &s, &org_view, &mut runner)
                    });
                    // Only what a subject takes beyond its allowance counts:
                    // a rule that is merely slowed down (a busy machine, a
                    // large corpus) never reaches the budget.
                    let micros = i64::try_from(t0.elapsed().as_micros()).unwrap_or(i64::MAX);
                    rule.script_excess_micros
                        .fetch_add(micros - SUBJECT_ALLOWANCE_MICROS, Relaxed);
                    r
                };
                let (status, message, evidence, places) = match ran {
                    Ok(u) => {
                        let evidence = resolve(&u.evidence, &s, o).and_then(|ev| {
                            let places = u
                                .places
                                .iter()
                                .map(|(m, ev)| {
                                    Ok(resolve(ev, &s, o)?.map(|loc| Place {
                                        loc,
                                        problem: api::part_text(m).to_string(),
                                    }))
                                })
                                .collect::<Result<Vec<_>, String>>()?;
                            Ok((ev, places.into_iter().flatten().collect::<Vec<_>>()))
                        });
                        match evidence {
                            Ok((ev, places)) => {
                                let mut message = u.message;
                                let places = if u.status.is_finding() {
                                    explain_unreadable(ctx, &s, &mut message, ev.as_ref(), places)
                                } else {
                                    places
                                };
                                (u.status, message, ev, places)
                            }
                            Err(e) => (
                                Status::Regelfel,
                                one_line(
                                    &format!("{}: {e}", rule.script_display()),
                                    None,
                                    &s,
                                    &org_view,
                                    &[],
                                ),
                                s.record.as_ref().map(|r| r.row().clone()),
                                Vec::new(),
                            ),
                        }
                    }
                    Err(e) => (
                        Status::Regelfel,
                        e,
                        s.record.as_ref().map(|r| r.row().clone()),
                        Vec::new(),
                    ),
                };
                let e = Evaluation {
                    org: org.clone(),
                    rule: id.clone(),
                    status,
                    severity: rule.def.allvarlighet,
                    subject: s.key.into(),
                    message: message.into(),
                    evidence,
                    places: places.into(),
                };
                if status == Status::Regelfel {
                    self.log_rule_error(ctx, &e);
                }
                e
            })
            .collect();
        rule.warm.put(runner.caches);
        rule.answered.add(declared, scripted);
        out
    }

    /// The `regelfel` text of a subject not run because the rule used up
    /// its run budget (logged once per rule, as every regelfel position is).
    fn over_budget(&self, rule: &Rule, budget: std::time::Duration) -> String {
        format!(
            "{}: regelns tidsbudget för körningen ({} s skripttid utöver {} ms per objekt) är slut; objektet bedömdes inte. Gör skriptet snabbare eller höj regel_budget_sekunder",
            rule.script_display(),
            budget.as_secs_f64().to_string().replace('.', ","),
            SUBJECT_ALLOWANCE_MICROS / 1000
        )
    }

    fn run_script(
        &self,
        rule: &Rule,
        s: &Subject,
        org: &Dynamic,
        runner: &mut Runner,
    ) -> Result<Utfall, String> {
        runner.scope.rewind(runner.base);
        runner.caches.rewind_fn_resolution_caches(1);
        runner
            .scope
            .push_constant_dynamic("objekt", s.value.clone());
        // What `Engine::eval_ast_with_scope` does, minus the fresh function
        // resolution cache it makes for every call: the cache is kept per
        // rule (see `WarmCaches`), so a script's calls are resolved once per
        // worker instead of once per subject.
        let mut global = self.engine.new_global_runtime_state();
        global.source = runner.source.clone();
        global.lib.push(rule.ast.shared_lib().clone());
        api::field_log_start();
        #[allow(deprecated)]
        // rhai's internals API; the crate enables `internals` (via `debugging`)
        let result = super::sandbox::with_deadline(self.limits.wall_clock, || {
            self.engine.eval_statements_raw(
                &mut global,
                &mut runner.caches,
                &mut runner.scope,
                rule.ast.statements(),
            )
        });
        let failure = |head: String, line: Option<usize>| {
            let read = api::field_log_take();
            let source = line.and_then(|l| script_line(rule, l));
            Err(one_line(&head, source.as_deref(), s, org, &read))
        };
        let outcome = match result {
            Ok(d) => match d.try_cast::<Utfall>() {
                Some(u) => Ok(u),
                None => failure(
                    format!(
                        "{}: skriptet returnerade inget utfall; avsluta med t.ex. uppfyllt(), brist(\"…\") eller b.resultat()",
                        rule.script_display()
                    ),
                    None,
                ),
            },
            Err(e) => failure(
                format_rhai_error(&rule.script_display(), &e),
                error_position(&e).line(),
            ),
        };
        api::field_log_stop();
        outcome
    }

    /// The multi-line form of a `regelfel` message of this rule set: the
    /// script line with a caret under the error position, then the subject
    /// and the fields the script read (see `rules/README.md`, "Regelfel").
    /// `None` when the message does not start with one of its scripts' paths.
    pub fn error_excerpt(&self, message: &str) -> Option<String> {
        let mut parts = message.split(SEP);
        let head = parts.next()?;
        let rule = self
            .rules
            .iter()
            .find(|r| head.starts_with(&format!("{}:", r.script_display())))?;
        let rest = &head[rule.script_display().len() + 1..];
        let mut nums = rest.splitn(3, ':');
        let line = nums.next().and_then(|n| n.parse::<usize>().ok());
        let col = line.and(nums.next()).and_then(|n| n.parse::<usize>().ok());
        let mut out = head.to_string();
        if let Some(l) = line {
            if let Some(text) = script_line(rule, l) {
                let w = l.to_string().len();
                out.push_str(&format!("\n{:w$} |\n{l} | {text}", ""));
                if let Some(c) = col {
                    // Copy tabs so the caret lines up however tabs are shown.
                    let pad: String = text
                        .chars()
                        .take(c.saturating_sub(1))
                        .map(|ch| if ch == '\t' { '\t' } else { ' ' })
                        .collect();
                    out.push_str(&format!("\n{:w$} | {pad}^", ""));
                }
            }
        }
        let w = line.map_or(1, |l| l.to_string().len());
        for p in parts.filter(|p| !p.starts_with(SOURCE)) {
            out.push_str(&format!("\n{:w$} = {p}", ""));
        }
        Some(out)
    }
}

/// The `regelfel` text of a rule that could not be loaded.
pub fn broken_message(why: &str) -> String {
    format!("Regeln kunde inte läsas in och bedömdes inte: {why}")
}

/// Separates the parts of a one-line `regelfel` message: not " | ", which
/// Rhai's own messages use (`&str | ImmutableString | String`).
const SEP: &str = super::RULE_ERROR_SEPARATOR;
const SOURCE: &str = "skript: ";

/// `rules/R05-….rhai:12:5: msg ¦ skript: <line 12> ¦ objekt: KOV, Avsteg rad 4 (A1) ¦ lästa fält: motivering = "…"`
fn one_line(
    head: &str,
    source: Option<&str>,
    s: &Subject,
    org: &Dynamic,
    read: &[api::FieldRead],
) -> String {
    let mut out = head.to_string();
    if let Some(src) = source {
        out.push_str(SEP);
        out.push_str(SOURCE);
        out.push_str(src.trim());
    }
    let org_id = org
        .clone()
        .try_cast::<OrgView>()
        .map(|o| o.0.org.id.clone())
        .unwrap_or_default();
    out.push_str(SEP);
    out.push_str("objekt: ");
    match &s.record {
        Some(r) => {
            let row = r.row();
            let label = format!("{} rad {}", row.sheet(), row.row + 1);
            out.push_str(&format!("{org_id}, {label}"));
            if !s.key.starts_with("rad ") {
                out.push_str(&format!(" ({})", s.key));
            }
        }
        None => out.push_str(&format!("organisation {}", s.key)),
    }
    if !read.is_empty() {
        let own = s.record.as_ref().map(|r| r.row());
        let fields: Vec<String> = read
            .iter()
            .map(|f| {
                let same_row = own.is_some_and(|o| o.same_row(f.row()));
                if same_row {
                    format!("{} = {}", f.name(), f.script_value())
                } else {
                    format!("{} ({}) = {}", f.name(), f.row_label(), f.script_value())
                }
            })
            .collect();
        out.push_str(SEP);
        out.push_str("lästa fält: ");
        out.push_str(&fields.join(", "));
    }
    // One line for resultat.jsonl, whatever the script or the data hold.
    out.replace(['\n', '\r'], " ")
}

/// Line `n` (1-based) of a rule's script as it was loaded.
fn script_line(rule: &Rule, n: usize) -> Option<String> {
    rule.script_source
        .lines()
        .nth(n.checked_sub(1)?)
        .map(|l| l.trim_end().to_string())
}

/// `rules/R05.rhai:12:5: message`, with Rhai's own position suffix removed.
/// An error inside a script function (`fn`) points at the failing line in
/// the function and names the function and the line that called it.
pub fn format_rhai_error(file: &str, e: &EvalAltResult) -> String {
    let pos = error_position(e);
    let mut e = e;
    let mut calls: Vec<(&str, rhai::Position)> = Vec::new();
    while let EvalAltResult::ErrorInFunctionCall(name, _, inner, pos) = e {
        calls.push((name.as_str(), *pos));
        e = inner;
    }
    let mut msg = match e {
        EvalAltResult::ErrorTerminated(..) => super::sandbox::TIME_OUT.to_string(),
        EvalAltResult::ErrorTooManyOperations(..) => {
            "för många operationer (trolig oändlig loop)".to_string()
        }
        EvalAltResult::ErrorStackOverflow(..) => "för djup rekursion".to_string(),
        EvalAltResult::ErrorDataTooLarge(what, ..) => format!("för stor data: {what}"),
        EvalAltResult::ErrorFunctionNotFound(signature, ..) => {
            format!("funktionen {signature} finns inte (regelspråkets funktioner: rules/README.md, avsnitt 7)")
        }
        // `throw` and the API's own errors: the message as written.
        EvalAltResult::ErrorRuntime(v, _) => v.to_string(),
        other => swedish_runtime_error(other).unwrap_or_else(|| other.to_string()),
    };
    if let Some(i) = msg.find(" (line ") {
        msg.truncate(i);
    }
    if let (Some((outer, at)), Some((inner, _))) = (calls.first(), calls.last()) {
        let line = at
            .line()
            .map(|l| format!(" på rad {l}"))
            .unwrap_or_default();
        if outer == inner {
            msg.push_str(&format!(" (i funktionen {inner}, anropad{line})"));
        } else {
            msg.push_str(&format!(
                " (i funktionen {inner}, via {outer} anropad{line})"
            ));
        }
    }
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}: {msg}"),
        (Some(l), None) => format!("{file}:{l}: {msg}"),
        _ => format!("{file}: {msg}"),
    }
}

/// Rhai's other run-time errors in Swedish, with what the author can check;
/// `None` for the rare ones left as Rhai words them.
fn swedish_runtime_error(e: &EvalAltResult) -> Option<String> {
    Some(match e {
        EvalAltResult::ErrorPropertyNotFound(name, _) => format!(
            "egenskapen {name} finns inte; kontrollera fältnamnet (rules/README.md, avsnitt 7)"
        ),
        EvalAltResult::ErrorIndexNotFound(index, _) => format!("ogiltigt index: {index}"),
        EvalAltResult::ErrorIndexingType(what, _) => {
            format!("{what} kan inte indexeras med [ ]")
        }
        EvalAltResult::ErrorArrayBounds(len, index, _) => {
            format!("index {index} ligger utanför listan, som har {len} element")
        }
        EvalAltResult::ErrorStringBounds(len, index, _) => {
            format!("index {index} ligger utanför texten, som har {len} tecken")
        }
        EvalAltResult::ErrorFor(_) => {
            "for-loopen behöver en lista eller ett intervall att gå igenom".to_string()
        }
        EvalAltResult::ErrorMismatchDataType(expected, actual, _)
        | EvalAltResult::ErrorMismatchOutputType(expected, actual, _) => {
            match (actual.is_empty(), expected.is_empty()) {
                (false, false) => format!("fel datatyp: {actual} (väntade {expected})"),
                (true, false) => format!("fel datatyp (väntade {expected})"),
                _ => format!("fel datatyp: {actual}"),
            }
        }
        EvalAltResult::ErrorAssignmentToConstant(name, _) => {
            format!("{name} är en konstant och kan inte ändras; kopiera värdet med let först")
        }
        EvalAltResult::ErrorNonPureMethodCallOnConstant(name, _) => format!(
            "{name} kan inte anropas på en konstant (objekt, org, param …); kopiera värdet med let först"
        ),
        EvalAltResult::ErrorArithmetic(text, _) => {
            let (kind, expr) = text.split_once(": ").unwrap_or((text.as_str(), ""));
            let kind = if kind.contains("by zero") {
                "division med noll"
            } else if kind.ends_with("overflow") {
                "talet blev för stort"
            } else {
                "räknefel"
            };
            if expr.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}: {expr}")
            }
        }
        EvalAltResult::ErrorDotExpr(text, _) => {
            // "Unknown property 'p' - a getter is not registered for type 't'"
            let quoted: Vec<&str> = text.split('\'').skip(1).step_by(2).collect();
            match (text.starts_with("Unknown property"), quoted.as_slice()) {
                (true, [prop, ty]) => format!(
                    "egenskapen {prop} finns inte för ett värde av typen {ty}; kontrollera namnet (rules/README.md, avsnitt 7)"
                ),
                _ => return None,
            }
        }
        EvalAltResult::ErrorUnboundThis(_) => "this används utanför en metod".to_string(),
        EvalAltResult::ErrorTooManyVariables(_) => "för många variabler".to_string(),
        _ => return None,
    })
}

/// Where an error happened: inside script functions, the innermost known position.
fn error_position(e: &EvalAltResult) -> rhai::Position {
    let mut e = e;
    let mut pos = e.position();
    while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = e {
        if !inner.position().is_none() {
            pos = inner.position();
        }
        e = inner;
    }
    pos
}

/// Join a finding with the cell warnings of its cells: each problem (or,
/// for an outcome with one place, the whole message) resting on a cell
/// ingest could not read is reworded to say what the cell held and what
/// was expected, e.g. `Budget "ca 2 miljoner" kunde inte läsas (cell I4);
/// skriv ett belopp i kronor, t.ex. 1 234,50 kr`. Returns the places with
/// their problems reworded the same way.
fn explain_unreadable(
    ctx: &Context,
    s: &Subject,
    message: &mut String,
    evidence: Option<&Location>,
    mut places: Vec<Place>,
) -> Vec<Place> {
    if ctx.unreadable.is_empty() {
        return places;
    }
    let explain = |loc: &Location| -> Option<String> {
        let u = ctx.unreadable.get(loc)?;
        let header = s.record.as_ref().and_then(|r| r.header_at(loc));
        let what = header.map_or_else(|| "Värdet".to_string(), str::to_string);
        Some(format!(
            "{what} \"{}\" kunde inte läsas (cell {}); skriv {}",
            u.found.trim(),
            loc.cell(),
            u.expected
        ))
    };
    if places.is_empty() {
        if let Some(text) = evidence.and_then(explain) {
            *message = text;
        }
        return places;
    }
    let mut done: HashSet<Location> = HashSet::new();
    for p in &mut places {
        let Some(text) = explain(&p.loc) else {
            continue;
        };
        if done.insert(p.loc.clone()) {
            *message = message.replacen(p.problem.as_str(), &text, 1);
        } else {
            // A second problem on the same cell: the first already says it.
            let later = format!("; {}", p.problem);
            *message = if message.contains(&later) {
                message.replacen(&later, "", 1)
            } else {
                message.replacen(&format!("{}; ", p.problem), "", 1)
            };
        }
        p.problem = text;
    }
    places
}

fn resolve(ev: &Evidence, s: &Subject, o: &OrgData) -> Result<Option<Location>, String> {
    Ok(match ev {
        Evidence::At(l) => l.clone(),
        Evidence::Subject => match &s.record {
            Some(r) => Some(r.row().clone()),
            None => api::org_location(o),
        },
        Evidence::Field(name) => match &s.record {
            Some(r) => Some(
                r.field_location(name)
                    .ok_or_else(|| format!("bevis: {}", r.unknown_field(name)))?,
            ),
            None => api::org_location(o),
        },
    })
}

#[cfg(test)]
impl Evaluation {
    /// An evaluation without evidence or places, for unit tests.
    pub(crate) fn bare(
        org: &str,
        rule: &str,
        status: Status,
        severity: Severity,
        subject: &str,
        message: &str,
    ) -> Self {
        Self {
            org: org.into(),
            rule: rule.into(),
            status,
            severity,
            subject: subject.into(),
            message: message.into(),
            evidence: None,
            places: Box::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_without_register_holds_no_organisation() {
        let yaml = "id: KOV\nnamn: Nämnden\ntyp: nämnd\nbeslutsorgan: Nämnden\n";
        let org: crate::model::Organisation =
            crate::yaml::parse(yaml, std::path::Path::new("t.yaml")).unwrap();
        let per = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let model = Model::new(
            per,
            "2026".parse().unwrap(),
            vec![crate::model::OrgData::new(Arc::new(org))],
        );
        let ctx = Context::new(&model);
        assert_eq!(Arc::strong_count(&model.orgs[0]), 2);
        let ctx = ctx.without_register();
        // The organisation is the model's alone again: its data can go.
        assert_eq!(Arc::strong_count(&model.orgs[0]), 1);
        assert!(ctx.register.0.is_empty());
    }

    /// The line as serde_json wrote it before the hand-written writer: the
    /// reference for the byte-identity tests and the timing below.
    fn serde_json_line(e: &Evaluation, out: &mut Vec<u8>) {
        #[derive(Serialize)]
        struct Line<'a> {
            organisation: &'a str,
            regel: &'a str,
            status: Status,
            allvarlighet: Severity,
            objekt: &'a str,
            meddelande: &'a str,
            fil: &'a str,
            blad: &'a str,
            cell: Cell,
            celler: Vec<String>,
        }
        struct Cell(Option<crate::model::A1>);
        impl Serialize for Cell {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.0 {
                    Some(a1) => s.collect_str(&a1),
                    None => s.serialize_str(""),
                }
            }
        }
        let ev = e.evidence.as_ref();
        serde_json::to_writer(
            &mut *out,
            &Line {
                organisation: &e.org,
                regel: &e.rule,
                status: e.status,
                allvarlighet: e.severity,
                objekt: &e.subject,
                meddelande: &e.message,
                fil: ev.map(|l| l.file()).unwrap_or(""),
                blad: ev.map(|l| l.sheet()).unwrap_or(""),
                cell: Cell(ev.map(Location::a1)),
                celler: e.cell_refs(),
            },
        )
        .unwrap();
        out.push(b'\n');
    }

    /// Both writers and `json()` agree on `e`'s line.
    fn assert_line(e: &Evaluation) {
        let mut line = Vec::new();
        e.write_json_line(&mut line);
        let mut old = Vec::new();
        serde_json_line(e, &mut old);
        let line = String::from_utf8(line).unwrap();
        assert_eq!(line, String::from_utf8(old).unwrap());
        assert_eq!(line, serde_json::to_string(&e.json()).unwrap() + "\n");
        let back: EvaluationJson = serde_json::from_str(&line).unwrap();
        assert_eq!(back, e.json());
    }

    fn place(file: &str, sheet: &str, row: u32, col: u32) -> Place {
        Place {
            loc: Location::new(file.into(), sheet.into(), row, col),
            problem: "p".into(),
        }
    }

    #[test]
    fn the_keys_are_the_fields_of_evaluation_json_in_order() {
        let e = Evaluation {
            org: "".into(),
            rule: "".into(),
            status: Status::EjTillamplig,
            severity: Severity::Lag,
            subject: "".into(),
            message: "".into(),
            evidence: None,
            places: Box::default(),
        };
        let text = serde_json::to_string(&e.json()).unwrap();
        let mut at = 0;
        for key in JSON_FIELDS {
            let k = format!("\"{key}\":");
            let found = text[at..]
                .find(&k)
                .unwrap_or_else(|| panic!("{key} in {text}"));
            at += found + k.len();
        }
        assert_line(&e);
    }

    #[test]
    fn tricky_lines_are_what_serde_json_writes() {
        let every_control: String = (0u8..0x20).map(char::from).collect();
        let texts = [
            "",
            "\"",
            "\\",
            "a\\\"b\"\\",
            every_control.as_str(),
            "\u{7f}\u{80}åäö ÅÄÖ € 𝄞 \u{202e}\u{2028}\u{2029}\u{feff}",
            "</script>\u{0}",
            "slut\\",
        ];
        for t in texts {
            let mut e = Evaluation {
                org: t.into(),
                rule: "R05".into(),
                status: Status::UnderlagSaknas,
                severity: Severity::Medel,
                subject: t.into(),
                message: format!("{t}{t}").into(),
                evidence: Some(Location::new(t.into(), t.into(), 0, 0)),
                places: Box::default(),
            };
            assert_line(&e);
            e.places = vec![
                place(t, t, 3, 1),
                place(t, "Blad \"2\"", 4, 27),
                place("b\\c.xlsx", t, 1_048_575, 16_383),
                place(t, t, 3, 1),
            ]
            .into();
            e.evidence = Some(e.places[0].loc.clone());
            assert_line(&e);
            e.evidence = None;
            e.places = Box::default();
            assert_line(&e);
        }
    }

    proptest::proptest! {
        #[test]
        fn generated_lines_are_what_serde_json_writes(
            texts in proptest::collection::vec("(\\PC|[\\x00-\\x1f\"\\\\\\x7f]){0,12}", 6),
            cells in proptest::collection::vec((0usize..3, 0u32..2_000_000, 0u32..20_000), 0..5),
            evidence in proptest::bool::ANY,
            status in 0usize..5,
        ) {
            let files = [texts[3].as_str(), "a.xlsx", texts[3].as_str()];
            let sheets = [texts[4].as_str(), texts[5].as_str(), "Blad"];
            let places: Vec<Place> = cells
                .iter()
                .map(|&(i, row, col)| place(files[i], sheets[i], row, col))
                .collect();
            let e = Evaluation {
                org: texts[0].as_str().into(),
                rule: texts[1].as_str().into(),
                status: Status::ALL[status],
                severity: [Severity::Hog, Severity::Medel, Severity::Lag][status % 3],
                subject: texts[2].as_str().into(),
                message: format!("{}{}", texts[5], texts[0]).into(),
                evidence: if evidence {
                    places.first().map(|p| p.loc.clone()).or_else(|| {
                        Some(Location::new(files[0].into(), sheets[0].into(), 7, 3))
                    })
                } else {
                    None
                },
                places: if evidence { places.into() } else { Box::default() },
            };
            assert_line(&e);
        }
    }

    /// The hand-written line writer against the serde_json one it replaced,
    /// on a mix of lines like the benchmark's (most `uppfyllt` with one
    /// cell, some findings with Swedish messages and several cells):
    ///
    ///     cargo test --release --lib json_line_timing -- --ignored --nocapture
    #[test]
    #[ignore = "a timing, run by hand"]
    fn json_line_timing() {
        use std::time::Instant;
        let mut lines = Vec::new();
        for i in 0..1_000u32 {
            let mut e = Evaluation {
                org: format!("org-{:04}", i % 97).into(),
                rule: format!("R{:02}", i % 22).into(),
                status: Status::ALL[(i % 5) as usize],
                severity: Severity::Medel,
                subject: format!("Tjänst {i} \"e-tjänst\"").into(),
                message: if i % 4 == 0 {
                    String::new()
                } else {
                    format!(
                        "Systemet saknar åtgärdsplan för sårbarhet {i}; se rad {}\nåtgärda.",
                        i * 3
                    )
                }
                .into(),
                evidence: Some(Location::new(
                    format!("inkommet/org-{:04}.xlsx", i % 97).into(),
                    "System".into(),
                    i % 500,
                    i % 30,
                )),
                places: Box::default(),
            };
            if i % 10 == 0 {
                e.places = vec![
                    place("inkommet/a.xlsx", "System", i, 2),
                    place("inkommet/a.xlsx", "Avsteg", i, 4),
                    place("inkommet/b.xlsx", "Tjänster", i, 5),
                ]
                .into();
            }
            lines.push(e);
        }
        let rounds = 500;
        let mut out = Vec::with_capacity(1 << 20);
        let mut time = |f: &dyn Fn(&Evaluation, &mut Vec<u8>)| {
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = Instant::now();
                for _ in 0..rounds / 5 {
                    for e in &lines {
                        f(e, &mut out);
                    }
                    out.clear();
                }
                best = best.min(t.elapsed().as_secs_f64());
            }
            best
        };
        let old = time(&|e, out| serde_json_line(e, out));
        let new = time(&|e, out| e.write_json_line(out));
        let n = (lines.len() * rounds / 5) as f64;
        println!(
            "{} lines a timing, best of 5: serde_json {:.0} ns/line, hand-written {:.0} ns/line, ratio {:.2}",
            n,
            old / n * 1e9,
            new / n * 1e9,
            old / new
        );
    }

    #[test]
    fn the_streamed_json_line_is_the_evaluation_json() {
        let mut e = Evaluation {
            org: "KOV".into(),
            rule: "R05".into(),
            status: Status::Brist,
            severity: Severity::Hog,
            subject: "A-1 \"citat\"\n\u{202e}".into(),
            message: "Motivering saknas".into(),
            evidence: Some(Location::new("kov.xlsx".into(), "Avsteg".into(), 4, 2)),
            places: Box::default(),
        };
        for evidence in [true, false] {
            if !evidence {
                e.evidence = None;
                e.status = Status::Uppfyllt;
            }
            let mut line = Vec::new();
            e.write_json_line(&mut line);
            let want = serde_json::to_string(&e.json()).unwrap() + "\n";
            assert_eq!(String::from_utf8(line).unwrap(), want);
        }
    }
}
