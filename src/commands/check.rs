//! `uppsikt check`: configuration, rules, schedules and the input log.

use std::io::Write;

use anyhow::{Context as _, Result};

use super::load_rules;
use super::terminal::terminal_safe;
use crate::exit;
use crate::ingest::{self, FileStatus, Ingested};
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
    let settings = Settings::from_overrides(overrides)?;
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
        exit::PARTIAL
    } else {
        exit::OK
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
