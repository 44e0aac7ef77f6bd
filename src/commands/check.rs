//! `uppsikt check`: configuration, rules, schedules and the input log.

use std::io::Write;

use anyhow::{Context as _, Result};

use super::load_rules;
use super::terminal::terminal_safe;
use crate::exit;
use crate::ingest::{self, FileStatus, Ingested};
use crate::rules::RuleSet;
use crate::settings::{Overrides, Settings};

/// How `check` prints the input log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for a terminal.
    Text,
    /// JSON for a program.
    Json,
}

/// `uppsikt check`: validate configuration, rules and schedules, and print
/// the input log.
pub fn check(overrides: &Overrides, format: Format) -> Result<i32> {
    let checked = checked(overrides, format);
    if let (Format::Json, Err(e)) = (format, &checked) {
        // A program reading stdout gets JSON for this too (the error is
        // also on stderr, as for every command).
        let problem = crate::oserror::causes(e).join(": ");
        let j = serde_json::json!({ "problem": [problem], "obs": [] });
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &j)?;
        writeln!(out)?;
    }
    checked
}

/// [`check`] up to its input log; an error here is one that keeps the
/// configuration, rules, schedules or shared folder from being read.
fn checked(overrides: &Overrides, format: Format) -> Result<i32> {
    let settings = Settings::from_overrides(overrides)?;
    let rules = load_rules(&settings)?;
    crate::schedule::load_all(&settings.schedules)
        .map_err(|e| anyhow::anyhow!("scheman kan inte användas:\n{e}"))?;
    let (problems, notes) = strict_problems(&settings, &rules);
    for n in &notes {
        super::say_warning(&format!("uppsikt: obs: {n}"));
    }
    if !problems.is_empty() {
        for p in &problems {
            super::say_error(&format!("uppsikt: {p}"));
        }
        super::say_error(&format!(
            "uppsikt: {} fel i konfigurationen eller reglerna; rätta dem före nästa körning",
            problems.len()
        ));
        if format == Format::Json {
            // No input log: the folder is not read with unusable rules.
            let mut out = std::io::stdout().lock();
            let j = serde_json::json!({ "problem": problems, "obs": notes });
            serde_json::to_writer_pretty(&mut out, &j)?;
            writeln!(out)?;
        }
        return Ok(exit::UNUSABLE);
    }
    let read = ingest::ingest(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
    )
    .with_context(|| format!("{}: indatamappen kan inte läsas", settings.inputs.display()))?;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let mut j = check_json(&settings, &read);
            j["problem"] = serde_json::json!(problems);
            j["obs"] = serde_json::json!(notes);
            serde_json::to_writer_pretty(&mut out, &j)?;
            writeln!(out)?;
        }
        Format::Text => print_log(&mut out, &read)?,
    }
    Ok(if read.log.has_errors() {
        exit::PARTIAL
    } else {
        exit::OK
    })
}

/// What `check` refuses beyond what loading refuses (each a line naming
/// its file), and notes that do not fail it: failing rule tests, the
/// scaffold's placeholders left in a rule, a parameter whose type differs
/// from what the rule's tests give it, an empty register and limits of 0.
pub fn strict_problems(settings: &Settings, rules: &RuleSet) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let config = settings.config_path.display();
    let notes: Vec<String> = settings
        .config
        .register_notes()
        .into_iter()
        .map(|n| format!("{config}: {n}"))
        .collect();
    if settings.config.organisationer.is_empty() {
        problems.push(format!(
            "{config}: registret är tomt (organisationer: []); ange minst en organisation"
        ));
    }
    let g = &settings.config.granser;
    for (key, value) in [
        ("max_fil_mb", g.max_fil_mb),
        ("max_rader", u64::from(g.max_rader)),
        ("max_uppackat_mb", g.max_uppackat_mb),
        ("max_packningsgrad", g.max_packningsgrad),
    ] {
        if value == 0 {
            problems.push(format!(
                "{config}: granser.{key}: 0 skulle underkänna varje fil; ange ett tal större än 0 eller ta bort nyckeln (standard {})",
                default_limit(key)
            ));
        }
    }
    for rule in &rules.rules {
        let yaml = rule.yaml_path.display();
        let def = &rule.def;
        let texts = [
            ("referens", def.referens.as_str()),
            (
                "dokumentation.Vad regeln kontrollerar",
                def.dokumentation.vad.as_str(),
            ),
            ("dokumentation.Varför", def.dokumentation.varfor.as_str()),
            ("dokumentation.Exempel", def.dokumentation.exempel.as_str()),
            (
                "dokumentation.Referens",
                def.dokumentation.referens.as_str(),
            ),
        ];
        for (key, text) in texts {
            if let Some(p) = SCAFFOLD_PLACEHOLDERS.iter().find(|p| text.contains(*p)) {
                problems.push(format!(
                    "{yaml}: {key} har kvar platshållaren \"{p}\" från uppsikt rules new; skriv regelns egen text"
                ));
            }
        }
        for case in &def.tester {
            for (k, v) in &case.parametrar {
                let Some(name) = k.as_str() else { continue };
                let Some(own) = def.parametrar.get(name) else {
                    continue; // an unknown parameter fails the case itself
                };
                if yaml_kind(own) != yaml_kind(v) {
                    problems.push(format!(
                        "{yaml}: parametern {name} är {} ({}) men testfallet \"{}\" ger den {} ({}); skriv värdet som {}",
                        yaml_kind(own),
                        yaml_text(own),
                        case.namn,
                        yaml_kind(v),
                        yaml_text(v),
                        yaml_kind(v),
                    ));
                }
            }
        }
    }
    for r in rules.run_tests(None) {
        if let Some(f) = &r.failure {
            problems.push(format!(
                "regel {} testfall \"{}\" går inte igenom: {}",
                r.rule,
                r.name,
                f.replace('\n', " ")
            ));
        }
    }
    (problems, notes)
}

/// The texts `uppsikt rules new` writes for the author to replace.
const SCAFFOLD_PLACEHOLDERS: &[&str] = &[
    "R: …",
    "Beskriv vad regeln kontrollerar",
    "Beskriv varför",
    "Ett exempel på brist.",
    "Avsnitt i riktlinjen eller planen.",
];

fn default_limit(key: &str) -> u64 {
    let d = crate::config::Limits::default();
    match key {
        "max_fil_mb" => d.max_fil_mb,
        "max_rader" => u64::from(d.max_rader),
        "max_uppackat_mb" => d.max_uppackat_mb,
        _ => d.max_packningsgrad,
    }
}

/// The kind of a YAML value, in Swedish.
fn yaml_kind(v: &crate::yaml::YamlValue) -> &'static str {
    use crate::yaml::YamlValue as V;
    match v {
        V::Null => "tom",
        V::Bool(_) => "ett sanningsvärde",
        V::Number(_) => "ett tal",
        V::String(_) => "en text",
        V::Sequence(_) => "en lista",
        V::Mapping(_) => "en tabell",
        V::Tagged(_) => "ett taggat värde",
    }
}

fn yaml_text(v: &crate::yaml::YamlValue) -> String {
    serde_yaml::to_string(v)
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

fn check_json(settings: &Settings, read: &Ingested) -> serde_json::Value {
    let files: Vec<_> = read
        .log
        .entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "sokvag": e.path,
                "status": e.status.label(),
                "typ": e.typ.map(|t| t.label()),
                "organisation": e.org,
                "period": e.period,
                "orsak": e.reason,
                "sha256": e.sha256,
                "storlek": e.size,
                "varningar": e.warnings.iter().map(|w| w.json()).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "indata": settings.inputs.display().to_string(),
        "per": settings.per.to_string(),
        "period": settings.period.to_string(),
        "filer": files,
        "antal": {
            "inläst": read.log.count(FileStatus::Inlast),
            "ersatt": read.log.count(FileStatus::Ersatt),
            "annan period": read.log.count(FileStatus::AnnanPeriod),
            "ignorerad": read.log.count(FileStatus::Ignorerad),
            "väntar": read.log.count(FileStatus::Vantar),
            "fel": read.log.count(FileStatus::Fel),
        },
    })
}

/// The input log as text for a terminal. Names, reasons and warnings carry
/// text from the shared folder (file names, sheet names, cell values), so
/// control and bidirectional formatting characters in them are escaped
/// ([`terminal_safe`]): shown as `\u{1b}`, never obeyed by the terminal.
fn print_log(out: &mut impl Write, read: &Ingested) -> Result<()> {
    let paths: Vec<_> = read
        .log
        .entries
        .iter()
        .map(|e| terminal_safe(&e.path))
        .collect();
    let width = paths
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 60);
    writeln!(
        out,
        "{:<width$}  {:<12} {:<14} {:<8} {:<8} {:>4}  orsak",
        "fil", "status", "typ", "org", "period", "varn"
    )?;
    for (e, path) in read.log.entries.iter().zip(&paths) {
        writeln!(
            out,
            "{:<width$}  {:<12} {:<14} {:<8} {:<8} {:>4}  {}",
            path,
            e.status.label(),
            e.typ.map(|t| t.label()).unwrap_or("-"),
            terminal_safe(e.org.as_deref().unwrap_or("-")),
            terminal_safe(e.period.as_deref().unwrap_or("-")),
            e.warnings.len(),
            terminal_safe(&e.reason)
        )?;
    }
    let warnings: Vec<_> = read.log.warnings().collect();
    if !warnings.is_empty() {
        writeln!(out, "\nVarningar ({}):", warnings.len())?;
        for w in warnings {
            writeln!(out, "  {}", terminal_safe(&w.to_string()))?;
        }
    }
    writeln!(
        out,
        "\n{} filer: {} inlästa, {} ersatta, {} annan period, {} ignorerade, {} väntar, {} fel",
        read.log.entries.len(),
        read.log.count(FileStatus::Inlast),
        read.log.count(FileStatus::Ersatt),
        read.log.count(FileStatus::AnnanPeriod),
        read.log.count(FileStatus::Ignorerad),
        read.log.count(FileStatus::Vantar),
        read.log.count(FileStatus::Fel),
    )?;
    Ok(())
}
