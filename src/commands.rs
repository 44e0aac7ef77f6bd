//! What each CLI command does; each returns the process exit status.

use std::io::Write;

use anyhow::{Context as _, Result};

use crate::cli::{Command, Format, RulesCommand, ScheduleCommand};
use crate::ingest::{self, FileStatus, Ingested};
use crate::rules::{workbench, RuleSet};
use crate::settings::Settings;
use crate::util::terminal_safe;

/// Exit status: nothing produced (bad command line, configuration or rules).
pub const EXIT_UNUSABLE: i32 = 2;
/// Exit status: completed, but some files were `fel` or evaluations `regelfel`.
pub const EXIT_PARTIAL: i32 = 3;

pub fn dispatch(cmd: Command) -> Result<i32> {
    match cmd {
        Command::Run {
            common,
            schedule,
            arkivera,
        } => {
            let settings = Settings::from_common(&common)?;
            crate::run::run_command(&settings, schedule.as_deref(), arkivera)
        }
        Command::Check { common, format } => check(&common, format),
        Command::Rules { command } => rules(command),
        Command::Schedule { command } => match command {
            ScheduleCommand::List { common } => {
                let s = Settings::from_common(&common)?;
                crate::schedule::cli_list(&s)
            }
            ScheduleCommand::Next { name, common } => {
                let s = Settings::from_common(&common)?;
                crate::schedule::cli_next(&s, name.as_deref())
            }
        },
        Command::Daemon {
            common,
            no_catch_up,
        } => crate::schedule::daemon::cli_daemon(&common, !no_catch_up),
        Command::Mall {
            typ,
            org,
            alla,
            output,
            senast,
            common,
        } => mall(
            &common,
            typ,
            org.as_deref(),
            alla,
            output.as_deref(),
            senast.as_deref(),
        ),
    }
}

/// `mall`: write submitter templates (see [`crate::template`]).
fn mall(
    common: &crate::cli::Common,
    typ: Option<crate::template::TemplateKind>,
    org: Option<&str>,
    alla: bool,
    output: Option<&std::path::Path>,
    senast: Option<&str>,
) -> Result<i32> {
    let settings = Settings::from_common(common)?;
    crate::template::cli_mall(&settings, typ, org, alla, output, senast)
}

fn load_rules(settings: &Settings) -> Result<RuleSet> {
    RuleSet::load(&settings.rules).map_err(|e| anyhow::anyhow!("regler kan inte användas:\n{e}"))
}

fn check(common: &crate::cli::Common, format: Format) -> Result<i32> {
    let settings = Settings::from_common(common)?;
    load_rules(&settings)?;
    crate::schedule::load_all(&settings.schedules)
        .map_err(|e| anyhow::anyhow!("scheman kan inte användas:\n{e}"))?;
    let read = ingest::ingest(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
    )
    .with_context(|| format!("{}: indatamappen kan inte läsas", settings.inputs.display()))?;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &check_json(&settings, &read))?;
            writeln!(out)?;
        }
        Format::Text => print_log(&mut out, &read)?,
    }
    Ok(if read.log.has_errors() {
        EXIT_PARTIAL
    } else {
        0
    })
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

fn rules(cmd: RulesCommand) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    match cmd {
        RulesCommand::List { common } => {
            let rules = load_rules(&Settings::from_common(&common)?)?;
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
            Ok(0)
        }
        RulesCommand::Explain { id, common } => {
            let settings = Settings::from_common(&common)?;
            let rules = load_rules(&settings)?;
            let Some(r) = rules.get(&id) else {
                no_such_rule(&rules, &settings, &id);
                return Ok(EXIT_UNUSABLE);
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
            ] {
                if !t.trim().is_empty() {
                    writeln!(out, "\n## {h}\n\n{}", t.trim_end())?;
                }
            }
            Ok(0)
        }
        RulesCommand::Test {
            id,
            coverage,
            common,
        } => {
            let settings = Settings::from_common(&common)?;
            let mut rules = load_rules(&settings)?;
            if let Some(i) = id.as_deref() {
                if rules.get(i).is_none() {
                    no_such_rule(&rules, &settings, i);
                    return Ok(EXIT_UNUSABLE);
                }
            }
            let (results, cov) = if coverage {
                let (r, c) = workbench::coverage(&mut rules, id.as_deref());
                (r, Some(c))
            } else {
                (rules.run_tests(id.as_deref()), None)
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
                                _ => writeln!(
                                    out,
                                    "      - {} [{}]: {}",
                                    e.subject, e.status, e.message
                                )?,
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
            Ok(if failed > 0 { 1 } else { 0 })
        }
        RulesCommand::New {
            id,
            titel,
            objekt,
            common,
        } => {
            let settings = Settings::from_common(&common)?;
            let kind: crate::rules::SubjectKind = crate::yaml::from_value(
                crate::yaml::YamlValue::String(objekt.clone()),
                std::path::Path::new("--objekt"),
            )
            .map_err(|_| {
                anyhow::anyhow!(
                    "--objekt \"{objekt}\" är inget känt objekt; se uppsikt rules new --help"
                )
            })?;
            let (y, r) = workbench::scaffold(&settings.rules, &id, &titel, kind)?;
            writeln!(out, "Skapade {} och {}", y.display(), r.display())?;
            writeln!(
                out,
                "Redigera dem och kör sedan: uppsikt rules test {id} och uppsikt check"
            )?;
            Ok(0)
        }
        RulesCommand::Diff {
            against,
            output,
            common,
        } => rules_diff(&common, against.as_deref(), output.as_deref(), &mut out),
    }
}

/// `rules diff`: the configured (or a past run's) rules against `--rules`.
fn rules_diff(
    common: &crate::cli::Common,
    against: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
    out: &mut impl Write,
) -> Result<i32> {
    let mut settings = Settings::from_common(common)?;
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
            "ange de nya reglerna med --rules KATALOG (nu jämförs {} med sig själv)",
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
        d.write_xlsx(p)?;
        writeln!(out, "\nSkrev {}", p.display())?;
    }
    Ok(0)
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
    eprintln!(
        "uppsikt: ingen regel med id {} i {}; där finns {}",
        terminal_safe(id),
        settings.rules.display(),
        ids.join(", ")
    );
}
