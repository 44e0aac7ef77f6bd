//! `uppsikt run`: one run of the job, its counts printed.

use anyhow::Result;

use crate::exit;
use crate::rules::{RuleSet, Status};
use crate::settings::{Overrides, Settings};

/// `uppsikt run`: one run (as `schedule`, if given), its counts printed.
pub fn run(overrides: &Overrides, schedule: Option<&str>, archive: bool) -> Result<i32> {
    let settings = &Settings::from_overrides(overrides)?;
    let rules = match RuleSet::load_for_run(&settings.rules) {
        Ok((mut r, problems)) => {
            report_broken_rules(&r, &problems);
            r.limits.run_budget =
                std::time::Duration::from_secs(settings.config.regel_budget_sekunder);
            r
        }
        Err(e) => anyhow::bail!("regler kan inte användas:\n{e}"),
    };
    let (name, archive, next) = match schedule {
        Some(n) => {
            let schedules = match crate::schedule::load_all(&settings.schedules) {
                Ok(all) => all,
                Err(e) => {
                    // One broken, unrelated schedule file does not stop a run
                    // of another schedule: the files that load are used.
                    let usable = usable_schedules(&settings.schedules);
                    if !usable.iter().any(|s| s.name == n) {
                        anyhow::bail!("scheman kan inte användas:\n{e}");
                    }
                    tracing::warn!("{}", format!(
                        "andra scheman än {n} kan inte användas (körningen går ändå); rätta dem:\n{e}"
                    ));
                    usable
                }
            };
            let Some(s) = schedules.iter().find(|s| s.name == n) else {
                eprintln!(
                    "uppsikt: inget schema heter {n}; finns: {}",
                    schedules
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return Ok(exit::UNUSABLE);
            };
            (
                n.to_string(),
                archive || s.archive_inputs,
                s.next_after(chrono::Utc::now()).map(|t| {
                    t.with_timezone(&s.zone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                }),
            )
        }
        None => ("manuell".to_string(), archive, None),
    };
    let summary = crate::run::execute(
        settings,
        &rules,
        &name,
        archive || settings.config.arkivera_indata,
        next,
    )?;
    print!("{:<6}", "regel");
    for st in Status::ALL {
        print!("{:>16}", st.label());
    }
    println!();
    for (rule, counts) in &summary.per_rule {
        print!("{rule:<6}");
        for n in counts {
            print!("{n:>16}");
        }
        println!();
    }
    print!("{:<6}", "totalt");
    for (_, n) in &summary.counts {
        print!("{n:>16}");
    }
    println!();
    println!("Körningen skrevs till {}", summary.folder.display());
    Ok(summary.exit)
}

/// Say on stderr which rules could not be loaded and why: each is
/// `regelfel` for every organisation, the other rules run.
pub fn report_broken_rules(rules: &RuleSet, problems: &[crate::rules::RuleProblem]) {
    let broken: Vec<&str> = rules.broken().map(|r| r.def.id.as_str()).collect();
    if broken.is_empty() {
        return;
    }
    let text = problems
        .iter()
        .map(crate::rules::RuleProblem::excerpt)
        .collect::<Vec<_>>()
        .join("\n");
    tracing::error!(
        "{} kan inte läsas in och blir regelfel för varje organisation; övriga regler körs:\n{text}",
        if broken.len() == 1 {
            format!("regeln {}", broken[0])
        } else {
            format!("reglerna {}", broken.join(", "))
        }
    );
}

/// Every schedule file of `dir` that loads on its own.
fn usable_schedules(dir: &std::path::Path) -> Vec<crate::schedule::Schedule> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .filter_map(|p| crate::schedule::load_file(p).ok())
        .collect()
}
