//! `uppsikt gallra [--schedule NAMN] [--torrkorning]`: the gallring a run
//! of each schedule does at its end, on demand. With `--torrkorning` it
//! prints what would be removed and why and removes nothing (it does not
//! even take the output lock); without it, it takes the lock and removes.

use anyhow::Result;

use crate::exit;
use crate::report::gallring::{self, human_size, Plan, Verdict};
use crate::report::run_folder::{LockWait, OutputLock};
use crate::settings::{Overrides, Settings};

/// `uppsikt gallra`: plan (and unless `dry_run`, carry out) the gallring of
/// `schedule`, or of every schedule and the manual runs.
pub fn gallra(overrides: &Overrides, schedule: Option<&str>, dry_run: bool) -> Result<i32> {
    let settings = Settings::from_overrides(overrides)?;
    let names: Vec<String> = match schedule {
        Some(n) => vec![n.to_string()],
        None => {
            let all = crate::schedule::load_all(&settings.schedules)
                .map_err(|e| anyhow::anyhow!("scheman kan inte användas:\n{e}"))?;
            all.into_iter()
                .map(|s| s.name)
                .chain(std::iter::once("manuell".to_string()))
                .collect()
        }
    };
    let mut rules = Vec::new();
    for n in &names {
        match crate::schedule::retention_for(&settings, n) {
            Ok(r) => rules.push((n.as_str(), r)),
            Err(e) => {
                super::say_error(&format!("uppsikt: {e}"));
                return Ok(exit::UNUSABLE);
            }
        }
    }
    let _lock = if dry_run {
        None
    } else {
        Some(OutputLock::acquire_within(
            &settings.outputs,
            LockWait::of(&settings.config),
        )?)
    };
    let mut removed = Vec::new();
    let mut failed = Vec::new();
    let mut foreign = Vec::new();
    for (name, retention) in rules {
        let plan = gallring::plan(&settings.outputs, name, retention, None);
        let outcome = if dry_run {
            None
        } else {
            Some(gallring::carry_out(&plan))
        };
        print_plan(&plan, outcome.as_ref(), dry_run);
        if let Some((done, not)) = outcome {
            removed.extend(done);
            failed.extend(not);
        } else {
            removed.extend(plan.removals());
        }
        foreign = plan.foreign;
    }
    if !foreign.is_empty() {
        tracing::info!(entries = %foreign.join(", "), "gallring leaves these entries of the output root alone: they are no run folders");
        outln!("Lämnas orörda (inga körmappar): {}", foreign.join(", "));
    }
    let bytes: u64 = removed.iter().map(|r| r.storlek).sum();
    let n = removed.len();
    let folders = folders(n);
    if dry_run {
        outln!(
            "Torrkörning: {n} {folders} ({}) skulle tas bort; inget har tagits bort.",
            human_size(bytes)
        );
    } else {
        outln!("Gallrat: {n} {folders} ({}).", human_size(bytes));
    }
    if failed.is_empty() {
        Ok(exit::OK)
    } else {
        Ok(exit::PARTIAL)
    }
}

/// One schedule's plan: its rule, then each run with what becomes of it
/// and why; failures as they happened when `outcome` is given.
fn print_plan(plan: &Plan, outcome: Option<&gallring::Outcome>, dry_run: bool) {
    let name = &plan.schedule;
    let count = plan.runs.len() + plan.unreadable.len();
    let Some(days) = plan.retention.after_days else {
        let key = if name == "manuell" {
            "gallring.manuell_efter_dagar"
        } else {
            "gallras_efter_dagar"
        };
        outln!(
            "{name}: gallras inte ({key} saknas); {count} {} behålls",
            folders(count)
        );
        return;
    };
    let archives = if plan.retention.archives_too {
        "också körmappar med bevisarkiv"
    } else {
        "körmappar med bevisarkiv behålls"
    };
    match plan.reference {
        Some(at) => outln!(
            "{name}: gallras efter {days} dagar, räknat från per-datum {} ({archives})",
            crate::model::iso_date(at)
        ),
        None => outln!("{name}: gallras efter {days} dagar ({archives}); inga körmappar"),
    }
    for j in &plan.runs {
        let verb = match (j.verdict, outcome) {
            (Verdict::Remove, None) if dry_run => "skulle tas bort",
            (Verdict::Remove, Some((_, failed)))
                if failed.iter().any(|(n, _)| *n == j.run.name) =>
            {
                "kunde inte tas bort"
            }
            (Verdict::Remove, _) => "togs bort",
            _ => "behålls",
        };
        let size = if j.verdict == Verdict::Remove {
            format!(" ({})", human_size(j.size))
        } else {
            String::new()
        };
        outln!("  {verb:<16} {}{size}: {}", j.run.name, j.why);
        if let Some((_, failed)) = outcome {
            for (n, e) in failed.iter().filter(|(n, _)| *n == j.run.name) {
                outln!("  {:<16} {n}: {e}", "");
            }
        }
    }
    for (n, why) in &plan.unreadable {
        outln!("  {:<16} {n}: {why}; tas aldrig bort", "behålls");
    }
}

/// `körmapp` or `körmappar`, for `n`.
fn folders(n: usize) -> &'static str {
    if n == 1 {
        "körmapp"
    } else {
        "körmappar"
    }
}
