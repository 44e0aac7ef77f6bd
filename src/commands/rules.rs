//! `uppsikt rules`: list, explain, test (with coverage), scaffold a new
//! rule, and diff a rule change.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};

use super::load_rules;
use super::terminal::terminal_safe;
use crate::exit;
use crate::ingest;
use crate::rules::{workbench, RuleSet};
use crate::settings::{Overrides, Settings};

/// `rules list`: every rule's id, severity, subject kind and title.
pub fn list(overrides: &Overrides) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    let rules = load_rules(&Settings::from_overrides(overrides)?)?;
    writeln!(out, "{:<5} {:<8} {:<20} titel", "id", "allv.", "objekt")?;
    for r in &rules.rules {
        writeln!(
            out,
            "{:<5} {:<8} {:<20} {}",
            r.def.id,
            r.def.allvarlighet.label(),
            r.def.objekt.label(),
            r.def.titel
        )?;
    }
    Ok(exit::OK)
}

/// `rules explain ID`: a rule's documentation.
pub fn explain(overrides: &Overrides, id: &str) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    let settings = Settings::from_overrides(overrides)?;
    let rules = load_rules(&settings)?;
    let Some(r) = rules.get(id) else {
        no_such_rule(&rules, &settings, id);
        return Ok(exit::UNUSABLE);
    };
    let d = &r.def;
    writeln!(out, "{} {}\n", d.id, d.titel)?;
    writeln!(out, "Allvarlighet: {}", d.allvarlighet.label())?;
    writeln!(out, "Objekt: {}", d.objekt.label())?;
    writeln!(out, "Referens: {}", d.referens)?;
    if !d.parametrar.is_empty() {
        writeln!(
            out,
            "Parametrar:\n{}",
            indent(&crate::yaml::to_string(&d.parametrar))
        )?;
    }
    for (h, t) in [
        ("Vad regeln kontrollerar", &d.dokumentation.vad),
        ("Varför", &d.dokumentation.varfor),
        ("Exempel", &d.dokumentation.exempel),
        ("Referens", &d.dokumentation.referens),
        ("Så åtgärdar ni", &d.dokumentation.atgard),
    ] {
        if !t.trim().is_empty() {
            writeln!(out, "\n## {h}\n\n{}", t.trim_end())?;
        }
    }
    Ok(exit::OK)
}

/// `rules test [ID]`: every rule's (or one rule's) test cases, with
/// `coverage` the script lines and statuses they reach.
pub fn test(overrides: &Overrides, id: Option<&str>, coverage: bool) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    let settings = Settings::from_overrides(overrides)?;
    let mut rules = load_rules(&settings)?;
    if let Some(i) = id {
        if rules.get(i).is_none() {
            no_such_rule(&rules, &settings, i);
            return Ok(exit::UNUSABLE);
        }
    }
    let (results, cov) = if coverage {
        let (r, c) = workbench::coverage(&mut rules, id);
        (r, Some(c))
    } else {
        (rules.run_tests(id), None)
    };
    let mut failed = 0;
    for r in &results {
        match &r.failure {
            None => writeln!(out, "ok    {} {}", r.rule, r.name)?,
            Some(f) => {
                failed += 1;
                writeln!(out, "FEL   {} {}\n      {f}", r.rule, r.name)?;
                for e in &r.evaluations {
                    match rules.error_excerpt(&e.message) {
                        Some(x) if e.status == crate::rules::Status::Regelfel => {
                            writeln!(out, "      - {} [{}]:", e.subject, e.status)?;
                            for l in x.lines() {
                                writeln!(out, "          {l}")?;
                            }
                        }
                        _ => writeln!(out, "      - {} [{}]: {}", e.subject, e.status, e.message)?,
                    }
                }
            }
        }
    }
    let untested: Vec<_> = rules
        .rules
        .iter()
        .filter(|r| id.is_none() && r.def.tester.is_empty())
        .map(|r| r.def.id.as_str())
        .collect();
    if !untested.is_empty() {
        writeln!(out, "\nRegler utan testfall: {}", untested.join(", "))?;
    }
    if let Some(cov) = cov {
        writeln!(
            out,
            "\nTäckning: skriptrader som testfallen når, statusar de ger, och statusar inget testfall ger"
        )?;
        for c in &cov {
            for l in c.report() {
                writeln!(out, "{l}")?;
            }
        }
        let (reached, lines) = cov
            .iter()
            .fold((0, 0), |(a, b), c| (a + c.reached(), b + c.lines.len()));
        let complete = cov
            .iter()
            .filter(|c| c.unreached.is_empty() && c.never.is_empty())
            .count();
        writeln!(
            out,
            "Totalt {reached}/{lines} rader nådda; {complete} av {} regler når alla rader och ger alla statusar",
            cov.len()
        )?;
    }
    writeln!(
        out,
        "\n{} passed, {} failed",
        results.len() - failed,
        failed
    )?;
    Ok(if failed > 0 {
        exit::TESTS_FAILED
    } else {
        exit::OK
    })
}

/// `rules new ID`: scaffold a rule's YAML and Rhai script.
pub fn new(overrides: &Overrides, id: &str, titel: &str, objekt: &str) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    let settings = Settings::from_overrides(overrides)?;
    let kind: crate::rules::SubjectKind = crate::yaml::from_value(
        crate::yaml::YamlValue::String(objekt.to_string()),
        std::path::Path::new("--objekt"),
    )
    .map_err(|_| {
        anyhow::anyhow!("--objekt \"{objekt}\" är inget känt objekt; se uppsikt rules new --help")
    })?;
    let (y, r) = workbench::scaffold(&settings.rules, id, titel, kind)?;
    writeln!(out, "Skapade {} och {}", y.display(), r.display())?;
    writeln!(
        out,
        "Redigera dem och kör sedan: uppsikt rules test {id} och uppsikt check"
    )?;
    Ok(exit::OK)
}

/// `rules diff`: the configured (or a past run's) rules against `--rules`.
pub fn diff(overrides: &Overrides, against: Option<&Path>, output: Option<&Path>) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    diff_to(overrides, against, output, &mut out)
}

fn diff_to(
    common: &Overrides,
    against: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
    out: &mut impl Write,
) -> Result<i32> {
    let mut settings = Settings::from_overrides(common)?;
    let new_dir = settings.rules.clone();
    let old_dir = match against {
        Some(run) => {
            let manifest: serde_json::Value = serde_json::from_slice(
                &std::fs::read(run.join("manifest.json"))
                    .with_context(|| format!("{}: manifest.json saknas", run.display()))?,
            )?;
            if common.per.is_none() {
                if let Some(per) = manifest["per"]
                    .as_str()
                    .and_then(|p| chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
                {
                    settings.per = per;
                }
            }
            if common.period.is_none() {
                if let Some(p) = manifest["period"].as_str().and_then(|p| p.parse().ok()) {
                    settings.period = p;
                }
            }
            if common.inputs.is_none() {
                if run.join("indata").is_dir() {
                    settings.inputs = run.join("indata");
                    settings.settle = std::time::Duration::ZERO;
                } else {
                    writeln!(
                        out,
                        "Obs: {} arkiverade inte sina indata (uppsikt run --arkivera); jämförelsen görs på nuvarande indata i {}.",
                        terminal_safe(&run.display().to_string()),
                        terminal_safe(&settings.inputs.display().to_string())
                    )?;
                }
            }
            run.join("regler")
        }
        None => settings.config.sokvagar.regler.clone(),
    };
    if old_dir == new_dir {
        anyhow::bail!(
            "ange de nya reglerna med --regler KATALOG (nu jämförs {} med sig själv)",
            new_dir.display()
        );
    }
    let old = RuleSet::load(&old_dir).map_err(|e| anyhow::anyhow!("{}: {e}", old_dir.display()))?;
    let new = load_rules(&settings)?;
    let read = ingest::ingest(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
    )
    .with_context(|| format!("{}: indatamappen kan inte läsas", settings.inputs.display()))?;
    let model = crate::model::Model::new(settings.per, settings.period, read.orgs);
    let d = workbench::diff(&old.evaluate(&model), &new.evaluate(&model));
    writeln!(
        out,
        "Jämför {} (före) med {} (efter), per {}, indata {}",
        old_dir.display(),
        new_dir.display(),
        settings.per,
        settings.inputs.display()
    )?;
    let summary = d.summary();
    if summary.is_empty() {
        writeln!(out, "Ingen organisation byter status.")?;
    }
    for line in summary {
        writeln!(out, "{}", terminal_safe(&line))?;
    }
    for (what, list) in [
        ("Nya iakttagelser", &d.appear),
        ("Försvunna iakttagelser", &d.disappear),
    ] {
        if !list.is_empty() {
            writeln!(out, "\n{what} ({}):", list.len())?;
            for e in list {
                writeln!(
                    out,
                    "  {} {} {} [{}]: {}",
                    e.rule,
                    terminal_safe(&e.org),
                    terminal_safe(&e.subject),
                    e.status,
                    terminal_safe(&e.message)
                )?;
            }
        }
    }
    if !d.reworded.is_empty() {
        writeln!(
            out,
            "\nÄndrade meddelanden, samma status ({}):",
            d.reworded.len()
        )?;
        for (before, after) in &d.reworded {
            writeln!(
                out,
                "  {} {} {} [{}]:\n    före:  {}\n    efter: {}",
                after.rule,
                terminal_safe(&after.org),
                terminal_safe(&after.subject),
                after.status,
                terminal_safe(&before.message),
                terminal_safe(&after.message)
            )?;
        }
    }
    if let Some(p) = output {
        crate::report::rule_diff::write(&d, p)?;
        writeln!(out, "\nSkrev {}", p.display())?;
    }
    Ok(exit::OK)
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The error for a rule id that is not in the rule folder, with the folder
/// and the ids that are.
fn no_such_rule(rules: &RuleSet, settings: &Settings, id: &str) {
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.def.id.as_str()).collect();
    super::say_error(&format!(
        "uppsikt: ingen regel med id {} i {}; där finns {}",
        terminal_safe(id),
        settings.rules.display(),
        ids.join(", ")
    ));
}
