//! The rule author's workbench: scaffolding a new rule, test coverage, and
//! the impact of a rule change on real submissions (`rules diff`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context as _, Result};
use rhai::ASTNode;

use super::definition::SubjectKind;
use super::harness::CaseResult;
use super::{Evaluation, Rule, RuleSet, Status};

/// The cells a test row needs besides the example field (the sheet's identifying columns).
fn identity_cells(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Tjanstanvandning => "\"Tjänst-id\": HR-01, Används: Ja",
        SubjectKind::Katalograd | SubjectKind::EgenKatalograd => {
            "\"Tjänst-id\": HR-01, Kategori: Bastjänst"
        }
        SubjectKind::System => "System: Ekonomisystem",
        SubjectKind::Avsteg => "\"Tjänst-id\": HR-01, Motivering: Exempel",
        SubjectKind::Insats => "Insats: Exempelinsats",
        SubjectKind::Uppfoljningsrapport => "År: 2025",
        SubjectKind::Sakerhetsavvikelse => "Upptäckt: 2026-03-01",
        SubjectKind::Leveransavvikelse => "Kund: KOV",
        SubjectKind::Organisation | SubjectKind::Digitaliseringsplan => "",
    }
}

/// Per kind: the workbook key in test cases, the sheet, a field and its header.
fn kind_example(kind: SubjectKind) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        SubjectKind::Organisation => (
            "verksamhet",
            "Digitaliseringsplan",
            "plan_finns",
            "Plan finns",
        ),
        SubjectKind::Digitaliseringsplan => (
            "verksamhet",
            "Digitaliseringsplan",
            "diarienummer",
            "Diarienummer",
        ),
        SubjectKind::Tjanstanvandning => ("verksamhet", "Tjänster", "kommentar", "Kommentar"),
        SubjectKind::Katalograd | SubjectKind::EgenKatalograd => {
            ("tjänstekatalog", "Tjänster", "serviceniva", "Servicenivå")
        }
        SubjectKind::System => ("verksamhet", "System", "systemagare", "Systemägare"),
        SubjectKind::Avsteg => ("verksamhet", "Avsteg", "diarienummer", "Diarienummer"),
        SubjectKind::Insats => ("verksamhet", "Förändringsinsatser", "ansvarig", "Ansvarig"),
        SubjectKind::Uppfoljningsrapport => (
            "leverantör",
            "Uppföljningsrapport",
            "diarienummer",
            "Diarienummer",
        ),
        SubjectKind::Sakerhetsavvikelse => (
            "leverantör",
            "Säkerhetsavvikelser",
            "beskrivning",
            "Beskrivning",
        ),
        SubjectKind::Leveransavvikelse => (
            "leverantör",
            "Leveransavvikelser",
            "beskrivning",
            "Beskrivning",
        ),
    }
}

/// Write `RNN-slug.yaml` and `.rhai` for a new rule; returns both paths.
pub fn scaffold(
    dir: &Path,
    id: &str,
    titel: &str,
    kind: SubjectKind,
) -> Result<(PathBuf, PathBuf)> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!("id \"{id}\" är ogiltigt (bokstäver, siffror och -)");
    }
    let slug: String = crate::model::name::normalize(titel)
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .take(5)
        .collect::<Vec<_>>()
        .join("-");
    let stem = format!("{id}-{slug}");
    let yaml_path = dir.join(format!("{stem}.yaml"));
    let script_path = dir.join(format!("{stem}.rhai"));
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{id}-"))
            {
                bail!("{}: en regel med id {id} finns redan", e.path().display());
            }
        }
    }
    let (wb, sheet, field, header) = kind_example(kind);
    let title = titel.replace('"', "'");
    let (script, tests) = if kind == SubjectKind::Organisation {
        (
            format!(
                "// {id} {title}\n\
                 // objekt är organisationen; org.plan är dess Digitaliseringsplan (eller ()).\n\
                 if !org.har_verksamhet {{\n    return underlag_saknas(\"Ingen Verksamhet-arbetsbok har lämnats in\");\n}}\n\
                 let plan = org.plan;\n\
                 if saknas(plan) {{\n    return underlag_saknas(\"Bladet Digitaliseringsplan saknas\");\n}}\n\
                 let b = bedomning();\n\
                 b.krav_ja(plan, \"{field}\");\n\
                 b.resultat(\"{header} är Ja\")\n"
            ),
            format!(
                "  - namn: uppfyllt\n    verksamhet:\n      {sheet}: {{\"{header}\": \"Ja\"}}\n    förväntat: uppfyllt\n\
                 \x20 - namn: brist\n    verksamhet:\n      {sheet}: {{\"{header}\": \"Nej\"}}\n    förväntat: brist\n\
                 \x20 - namn: underlag saknas (ingen Verksamhet-arbetsbok)\n    förväntat: underlag saknas\n\
                 \x20 - namn: underlag saknas (bladet Digitaliseringsplan saknas)\n    verksamhet: {{}}\n    förväntat: underlag saknas\n\
                 \x20 - namn: en leverantör bedöms också eftersom regeln gäller alla\n    organisation: {{leverantör: true}}\n    verksamhet:\n      {sheet}: {{\"{header}\": \"Ja\"}}\n    förväntat: uppfyllt\n"
            ),
        )
    } else {
        let other = if wb == "verksamhet" {
            ""
        } else {
            "    organisation: {leverantör: true}\n"
        };
        let ident = identity_cells(kind);
        let row = |v: &str| {
            if kind == SubjectKind::Digitaliseringsplan {
                format!(" {{\"{header}\": \"{v}\"}}")
            } else {
                format!("\n        - {{{ident}, \"{header}\": \"{v}\"}}")
            }
        };
        // Katalograd reads the city's catalogue: no sheet of its own can be missing.
        let missing = if kind == SubjectKind::Katalograd {
            String::new()
        } else {
            format!("  - namn: underlag saknas (bladet saknas)\n{other}    {wb}: {{}}\n    förväntat: underlag saknas\n")
        };
        let not_applicable = if kind == SubjectKind::Digitaliseringsplan {
            String::new()
        } else {
            format!("  - namn: ej tillämplig (inga rader)\n{other}    {wb}:\n      {sheet}: []\n    förväntat: ej tillämplig\n")
        };
        (
            format!(
                "// {id} {title}\n\
                 // objekt är en rad ur bladet {sheet}; fälten heter som i rules/README.md.\n\
                 let b = bedomning();\n\
                 b.krav_finns(objekt, \"{field}\");\n\
                 b.resultat(\"{header} är ifyllt\")\n"
            ),
            format!(
                "  - namn: uppfyllt\n{other}    {wb}:\n      {sheet}:{}\n    förväntat: uppfyllt\n\
                 \x20 - namn: brist\n{other}    {wb}:\n      {sheet}:{}\n    förväntat: brist\n\
                 {missing}{not_applicable}",
                row("Exempelvärde"),
                row("-")
            ),
        )
    };
    let yaml = format!(
        "id: {id}\ntitel: \"{title}\"\nallvarlighet: medel\nobjekt: {kind}\nreferens: \"R: …\"\nparametrar: {{}}\n\
         dokumentation:\n  Vad regeln kontrollerar: |\n    Beskriv vad regeln kontrollerar.\n  Varför: |\n    Beskriv varför (riktlinjen eller planen).\n  Exempel: |\n    Ett exempel på brist.\n  Referens: |\n    Avsnitt i riktlinjen eller planen.\n  Så åtgärdar ni: |\n    Skriv för den som lämnar in: vad ni ändrar i arbetsboken, på vilket blad och i vilken kolumn.\n\
         tester:\n{tests}",
        kind = kind.label()
    );
    std::fs::write(&yaml_path, yaml).with_context(|| yaml_path.display().to_string())?;
    std::fs::write(&script_path, script).with_context(|| script_path.display().to_string())?;
    Ok((yaml_path, script_path))
}

/// What the test cases of one rule exercise.
#[derive(Debug, Clone)]
pub struct RuleCoverage {
    /// The rule id.
    pub id: String,
    /// Statuses some test case of the rule produced, in report order
    /// (regelfel, brist, underlag saknas, uppfyllt, ej tillämplig).
    pub exercised: Vec<Status>,
    /// Of brist, underlag saknas, uppfyllt and ej tillämplig, those no case produced.
    pub never: Vec<Status>,
    /// Script lines holding a statement.
    pub lines: BTreeSet<usize>,
    /// Of those, the lines no test case reached, with their text.
    pub unreached: Vec<(usize, String)>,
}

impl RuleCoverage {
    /// Lines reached by some test case.
    pub fn reached(&self) -> usize {
        self.lines.len() - self.unreached.len()
    }
}

static REACHED: Mutex<Option<HashSet<(String, usize)>>> = Mutex::new(None);

/// Run the test cases (of every rule, or of `only`) with a statement-level
/// debugger hook and report the statuses exercised and the script lines
/// never reached.
#[allow(deprecated)] // rhai marks the debugger API volatile, not deprecated
pub fn coverage(rules: &mut RuleSet, only: Option<&str>) -> (Vec<CaseResult>, Vec<RuleCoverage>) {
    if let Ok(mut g) = REACHED.lock() {
        *g = Some(HashSet::new());
    }
    rules.engine.register_debugger(
        |_, d| d,
        |_, _, _, src, pos| {
            if let (Some(src), Some(line)) = (src, pos.line()) {
                if let Ok(mut g) = REACHED.lock() {
                    g.get_or_insert_with(HashSet::new)
                        .insert((src.to_string(), line));
                }
            }
            Ok(rhai::debugger::DebuggerCommand::StepInto)
        },
    );
    let results = rules.run_tests(only);
    let reached = REACHED
        .lock()
        .ok()
        .and_then(|mut g| g.take())
        .unwrap_or_default();
    let cov = rules
        .rules
        .iter()
        .filter(|r| only.is_none_or(|id| r.def.id.eq_ignore_ascii_case(id)))
        .map(|r| rule_coverage(r, &results, &reached))
        .collect();
    (results, cov)
}

fn rule_coverage(
    r: &Rule,
    results: &[CaseResult],
    reached: &HashSet<(String, usize)>,
) -> RuleCoverage {
    let got: HashSet<Status> = results
        .iter()
        .filter(|c| c.rule == r.def.id)
        .flat_map(|c| c.evaluations.iter().map(|e| e.status))
        .collect();
    let exercised = Status::ALL
        .iter()
        .copied()
        .filter(|s| got.contains(s))
        .collect();
    let never = Status::ALL
        .iter()
        .copied()
        .filter(|s| *s != Status::Regelfel && !got.contains(s))
        .collect();
    let mut lines = BTreeSet::new();
    r.ast.walk(&mut |nodes: &[ASTNode]| {
        if let Some(ASTNode::Stmt(s)) = nodes.last() {
            if let Some(l) = s.position().line() {
                lines.insert(l);
            }
        }
        true
    });
    let src = r.script_display();
    let text: Vec<&str> = r.script_source.lines().collect();
    let unreached = lines
        .iter()
        .filter(|l| !reached.contains(&(src.clone(), **l)))
        .map(|l| {
            (
                *l,
                text.get(l - 1)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    RuleCoverage {
        id: r.def.id.clone(),
        never,
        exercised,
        lines,
        unreached,
    }
}

impl RuleCoverage {
    /// The lines `rules test --coverage` prints for this rule:
    ///
    /// ```text
    /// R01   rader 13/15   statusar: brist, underlag saknas, uppfyllt   aldrig: ej tillämplig
    ///       rad 10 nås inte: b.saknas("Beslutsdatum är inte ifyllt; …", "beslutsdatum");
    /// ```
    pub fn report(&self) -> Vec<String> {
        let names = |v: &[Status]| v.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ");
        let mut head = format!(
            "{:<5} rader {:>7}   statusar: {}",
            self.id,
            format!("{}/{}", self.reached(), self.lines.len()),
            if self.exercised.is_empty() {
                "(inga testfall)".to_string()
            } else {
                names(&self.exercised)
            }
        );
        if !self.never.is_empty() {
            head.push_str(&format!("   aldrig: {}", names(&self.never)));
        }
        let mut out = vec![head];
        for (l, text) in &self.unreached {
            let mut t: String = text.chars().take(100).collect();
            if t.len() < text.len() {
                t.push('…');
            }
            out.push(format!("      rad {l} nås inte: {t}"));
        }
        out
    }
}

/// One (organisation, rule) whose worst status changes.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// The rule id.
    pub rule: String,
    /// The organisation id.
    pub org: String,
    /// The worst status before (`None`: no evaluation).
    pub from: Option<Status>,
    /// The worst status after (`None`: no evaluation).
    pub to: Option<Status>,
}

/// The impact of replacing one rule set with another on the same model.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// Every (organisation, rule) whose worst status changes.
    pub changes: Vec<StatusChange>,
    /// Findings only the new rules produce / only the old rules produced.
    pub appear: Vec<Evaluation>,
    /// Findings only the old rules produced.
    pub disappear: Vec<Evaluation>,
    /// Findings both produce (same organisation, rule, subject and status)
    /// whose message differs: (before, after).
    pub reworded: Vec<(Evaluation, Evaluation)>,
}

fn worst_map(evals: &[Evaluation]) -> BTreeMap<(String, String), Status> {
    let mut m: BTreeMap<(String, String), Status> = BTreeMap::new();
    for e in evals {
        m.entry((e.rule.to_string(), e.org.to_string()))
            .and_modify(|s| *s = s.worst(e.status))
            .or_insert(e.status);
    }
    m
}

/// Compare the evaluations of the old and the new rules.
pub fn diff(old: &[Evaluation], new: &[Evaluation]) -> Diff {
    let (wo, wn) = (worst_map(old), worst_map(new));
    // Organisations in register order (the order evaluations come in).
    let mut order: HashMap<&str, usize> = HashMap::new();
    for e in new.iter().chain(old) {
        let n = order.len();
        order.entry(&*e.org).or_insert(n);
    }
    let mut keys: Vec<_> = wo
        .keys()
        .chain(wn.keys())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    keys.sort_by_key(|(rule, org)| (rule.clone(), order.get(org.as_str()).copied()));
    let changes = keys
        .into_iter()
        .filter_map(|k| {
            let (from, to) = (wo.get(&k).copied(), wn.get(&k).copied());
            (from != to).then_some(StatusChange {
                rule: k.0,
                org: k.1,
                from,
                to,
            })
        })
        .collect();
    let key = |e: &Evaluation| {
        (
            e.org.clone(),
            e.rule.to_string(),
            e.subject.clone(),
            e.status,
        )
    };
    let ko: HashMap<_, &Evaluation> = old
        .iter()
        .filter(|e| e.status.is_finding())
        .map(|e| (key(e), e))
        .collect();
    let kn: HashSet<_> = new
        .iter()
        .filter(|e| e.status.is_finding())
        .map(key)
        .collect();
    Diff {
        changes,
        appear: new
            .iter()
            .filter(|e| e.status.is_finding() && !ko.contains_key(&key(e)))
            .cloned()
            .collect(),
        disappear: old
            .iter()
            .filter(|e| e.status.is_finding() && !kn.contains(&key(e)))
            .cloned()
            .collect(),
        reworded: new
            .iter()
            .filter(|e| e.status.is_finding())
            .filter_map(|e| {
                let before = ko.get(&key(e))?;
                (before.message != e.message).then(|| ((*before).clone(), e.clone()))
            })
            .collect(),
    }
}

/// A status in a diff, or `(ingen bedömning)` where one side made no
/// evaluation.
pub fn outcome_label(s: Option<Status>) -> &'static str {
    s.map_or("(ingen bedömning)", |s| s.label())
}

impl Diff {
    /// Swedish summary lines, one per rule and change, organisations in
    /// register order: "R05: 3 organisationer går från uppfyllt till brist: KOV, TN, GEAB".
    pub fn summary(&self) -> Vec<String> {
        let mut groups: BTreeMap<(String, &'static str, &'static str), Vec<String>> =
            BTreeMap::new();
        for c in &self.changes {
            groups
                .entry((c.rule.clone(), outcome_label(c.from), outcome_label(c.to)))
                .or_default()
                .push(c.org.clone());
        }
        groups
            .into_iter()
            .map(|((rule, from, to), orgs)| {
                let n = orgs.len();
                let what = if n == 1 {
                    "organisation går"
                } else {
                    "organisationer går"
                };
                format!(
                    "{rule}: {n} {what} från {from} till {to}: {}",
                    orgs.join(", ")
                )
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ev(org: &str, subject: &str, status: Status, message: &str) -> Evaluation {
        Evaluation::bare(
            org,
            "R05",
            status,
            crate::rules::Severity::Hog,
            subject,
            message,
        )
    }

    #[test]
    fn diff_groups_changes_in_register_order_and_finds_reworded_findings() {
        use Status::*;
        // Register order: TN before KOV before GEAB (not alphabetical).
        let old = [
            ev("TN", "A1", Brist, "minst 40"),
            ev("KOV", "A2", Brist, "15 tecken, minst 40"),
            ev("GEAB", "A3", Brist, "minst 40"),
            ev("GEAB", "A4", Uppfyllt, ""),
        ];
        let new = [
            ev("TN", "A1", Uppfyllt, ""),
            ev("KOV", "A2", Brist, "15 tecken, minst 20"),
            ev("GEAB", "A3", Uppfyllt, ""),
            ev("GEAB", "A4", Uppfyllt, ""),
        ];
        let d = diff(&old, &new);
        assert_eq!(
            d.summary(),
            ["R05: 2 organisationer går från brist till uppfyllt: TN, GEAB"]
        );
        assert!(d.appear.is_empty());
        assert_eq!(d.disappear.len(), 2);
        assert_eq!(d.reworded.len(), 1);
        assert_eq!(d.reworded[0].0.message.as_ref(), "15 tecken, minst 40");
        assert_eq!(d.reworded[0].1.message.as_ref(), "15 tecken, minst 20");

        let one = diff(&new[..1], &old[..1]);
        assert_eq!(
            one.summary(),
            ["R05: 1 organisation går från uppfyllt till brist: TN"]
        );
        let added = diff(&[], &new[..1]);
        assert_eq!(
            added.summary(),
            ["R05: 1 organisation går från (ingen bedömning) till uppfyllt: TN"]
        );
    }
}
