//! `uppsikt run`: one run of the job, its counts printed.

use anyhow::Result;

use crate::exit;
use crate::rules::{RuleSet, Status};
use crate::settings::{Overrides, Settings};

/// What `uppsikt run` was asked about delivering the feedback.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveryFlags {
    /// `--skicka`: deliver, whatever the schedule says.
    pub send: bool,
    /// `--skicka-alla`: to every organisation with an address, changed or not.
    pub all: bool,
    /// `--torrkorning`: write the outbox and say who would get what; send nothing.
    pub dry_run: bool,
}

/// `uppsikt run`: one run (as `schedule`, if given), its counts printed.
pub fn run(overrides: &Overrides, schedule: Option<&str>, archive: bool) -> Result<i32> {
    run_delivering(overrides, schedule, archive, DeliveryFlags::default())
}

/// [`run`], delivering the feedback when the schedule says so
/// (`skicka_aterkoppling: true`) or `flags` ask for it.
pub fn run_delivering(
    overrides: &Overrides,
    schedule: Option<&str>,
    archive: bool,
    flags: DeliveryFlags,
) -> Result<i32> {
    let settings = &Settings::from_overrides(overrides)?;
    let rules = match RuleSet::load_for_run(&settings.rules) {
        Ok((mut r, problems)) => {
            report_broken_rules(&r, &problems);
            r.limits.run_budget = settings.config.rule_budget();
            r
        }
        Err(e) => anyhow::bail!("regler kan inte användas:\n{e}"),
    };
    let mut deliver = flags.send || flags.all || flags.dry_run;
    let (name, archive, next) = match schedule {
        Some(n) => {
            let schedules = match crate::schedule::load_all(&settings.schedules) {
                Ok(all) => all,
                Err(e) => {
                    // One broken, unrelated schedule file does not stop a run
                    // of another schedule: the files that load are used.
                    let usable = crate::schedule::load_usable(&settings.schedules);
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
                super::say_error(&format!(
                    "uppsikt: inget schema heter {n}; finns: {}",
                    schedules
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                return Ok(exit::UNUSABLE);
            };
            deliver |= s.deliver_feedback;
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
    let request = deliver.then_some(crate::delivery::Request {
        all: flags.all,
        dry_run: flags.dry_run,
    });
    let summary = crate::run::execute_delivering(
        settings,
        &rules,
        &name,
        archive || settings.config.arkivera_indata,
        next,
        request,
    )?;
    out!("{:<6}", "regel");
    for st in Status::ALL {
        out!("{:>16}", st.label());
    }
    outln!();
    for (rule, counts) in &summary.per_rule {
        out!("{rule:<6}");
        for n in counts {
            out!("{n:>16}");
        }
        outln!();
    }
    out!("{:<6}", "totalt");
    for (_, n) in &summary.counts {
        out!("{n:>16}");
    }
    outln!();
    outln!();
    for s in &summary.headline {
        outln!("{}", super::terminal::terminal_safe(s));
    }
    if summary.files_in_error > 0 {
        outln!(
            "{} kunde inte läsas; se bladet Inläsning.",
            if summary.files_in_error == 1 {
                "1 fil".to_string()
            } else {
                format!("{} filer", summary.files_in_error)
            }
        );
    }
    outln!("Körningen skrevs till {}", summary.folder.display());
    if request.is_some() {
        print_delivery(&summary.delivery);
    }
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

/// Who got (or, in a dry run, would get) what: one line per organisation.
fn print_delivery(items: &[crate::delivery::Item]) {
    use crate::delivery::State;
    outln!("Utskick av återkoppling:");
    for i in items {
        let to = if i.mottagare.is_empty() {
            "–".to_string()
        } else {
            i.mottagare.join(", ")
        };
        let what = match i.status {
            State::DryRun => format!(
                "skulle få {} ({} {})",
                i.fil.as_deref().unwrap_or(""),
                i.iakttagelser,
                if i.iakttagelser == 1 {
                    "iakttagelse"
                } else {
                    "iakttagelser"
                }
            ),
            State::Outbox => format!("i utkorgen: {}", i.fil.as_deref().unwrap_or("")),
            State::Failed => format!("misslyckades: {}", i.orsak),
            s => s.label().to_string(),
        };
        outln!("  {:<6} {to}: {what}", i.organisation);
        for r in &i.avvisade {
            outln!("         avvisad adress: {r}");
        }
    }
}
