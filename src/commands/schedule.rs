//! `uppsikt schedule list` and `uppsikt schedule next`.

use anyhow::Result;
use chrono::Utc;

use crate::exit;
use crate::schedule::{human_duration, load_all, Schedule};
use crate::settings::{Overrides, Settings};

fn load(s: &Settings) -> Result<Vec<Schedule>> {
    load_all(&s.schedules).map_err(|e| anyhow::anyhow!("scheman kan inte användas:\n{e}"))
}

/// `uppsikt schedule list`: every schedule with its next three runs (local time).
pub fn list(overrides: &Overrides) -> Result<i32> {
    let s = &Settings::from_overrides(overrides)?;
    let schedules = load(s)?;
    if schedules.is_empty() {
        outln!("Inga scheman i {}", s.schedules.display());
        return Ok(exit::OK);
    }
    let now = Utc::now();
    for (i, sch) in schedules.iter().enumerate() {
        if i > 0 {
            outln!();
        }
        outln!("{}", sch.name);
        if !sch.description.is_empty() {
            outln!("  {}", sch.description);
        }
        outln!(
            "  uttryck:          {} ({})",
            sch.spec.source,
            sch.spec.form.label()
        );
        outln!("  tidszon:          {}", sch.zone.name());
        outln!(
            "  arkiverar indata: {}",
            if sch.archive_inputs { "ja" } else { "nej" }
        );
        outln!("  gallras:          {}", retention_text(sch.retention));
        outln!("  nästa körningar (lokal tid):");
        let next = sch.upcoming(now, 3);
        if next.is_empty() {
            outln!("    ingen kommande körning");
        }
        for t in next {
            outln!("    {}", sch.format_local(t));
        }
    }
    Ok(exit::OK)
}

/// `uppsikt schedule next [NAME]`: the next run of one schedule or of each.
pub fn next(overrides: &Overrides, name: Option<&str>) -> Result<i32> {
    let s = &Settings::from_overrides(overrides)?;
    let schedules = load(s)?;
    let chosen: Vec<&Schedule> = match name {
        Some(n) => match schedules.iter().find(|s| s.name == n) {
            Some(s) => vec![s],
            None => {
                super::say_error(&format!(
                    "uppsikt: inget schema heter {n}; finns: {}",
                    schedules
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                return Ok(exit::UNUSABLE);
            }
        },
        None => schedules.iter().collect(),
    };
    let now = Utc::now();
    let width = chosen
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0);
    for sch in chosen {
        match sch.next_after(now) {
            Some(t) => outln!(
                "{:<width$}  {}  (om {})",
                sch.name,
                sch.format_local(t),
                human_duration(t - now)
            ),
            None => outln!("{:<width$}  ingen kommande körning", sch.name),
        }
    }
    Ok(exit::OK)
}

/// A schedule's retention rule as `schedule list` shows it.
fn retention_text(r: crate::config::Retention) -> String {
    match r.after_days {
        None => "aldrig (gallras_efter_dagar saknas)".to_string(),
        Some(n) if r.archives_too => format!("efter {n} dagar, också körmappar med indata/"),
        Some(n) => format!("efter {n} dagar; körmappar med indata/ behålls"),
    }
}
