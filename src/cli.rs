//! The command line (clap derive): `run`, `check`, `rules`, `schedule`, `mall`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::exit;
use crate::settings::Overrides;

/// uppsikt: SLK:s uppsikt över riktlinjen för digital utveckling.
///
/// Reads the submitted workbooks in the shared folder, evaluates the Rhai
/// rules in `rules/`, and writes the report to the kommunstyrelsen, feedback
/// to every submitter and machine-readable results.
#[derive(Debug, Parser)]
#[command(name = "uppsikt", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Log format on stderr (filter with RUST_LOG, e.g. RUST_LOG=uppsikt=debug).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the job: read the shared folder, evaluate every rule, write a new run folder.
    ///
    /// Exit status: 0 completed; 2 nothing produced (bad configuration or
    /// rules); 3 completed, but some files were `fel` or some evaluations `regelfel`.
    Run {
        #[command(flatten)]
        common: Overrides,
        /// Run as this schedule (its name goes into the run folder and manifest).
        #[arg(long)]
        schedule: Option<String>,
        /// Copy every file read into the run folder's `indata/`.
        #[arg(long)]
        arkivera: bool,
    },
    /// Validate configuration, rules and schedules, and print the input log.
    ///
    /// Exit status: 0 every file read; 3 some file is `fel`; 2 bad configuration, rules or schedule.
    Check {
        #[command(flatten)]
        common: Overrides,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Work with the rules: list, explain, test (with coverage), scaffold a new rule, diff a rule change.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Show the schedules and their next run times.
    Schedule {
        #[command(subcommand)]
        command: ScheduleCommand,
    },
    /// Run every schedule at its times (a long-running process).
    Daemon {
        #[command(flatten)]
        common: Overrides,
        /// Do not catch up on a scheduled time missed while the daemon was down.
        #[arg(long)]
        no_catch_up: bool,
    },
    /// Write submitter templates (xlsx) from the contract: one organisation and kind, or all.
    ///
    /// `uppsikt mall verksamhet --org KOV -o KOV-verksamhet.xlsx`; `uppsikt mall --alla -o DIR`
    /// writes every organisation's Verksamhet template and, for suppliers, also
    /// Leverantör and Tjänstekatalog (named `ID-typ.xlsx`). The Tjänster sheet of a
    /// Verksamhet template lists the services of the tjänstekataloger in the input folder.
    Mall {
        /// The kind of workbook: verksamhet, leverantor or tjanstekatalog.
        #[arg(value_enum)]
        typ: Option<crate::template::TemplateKind>,
        /// The organisation's register id, e.g. KOV.
        #[arg(long)]
        org: Option<String>,
        /// Every template of every register organisation (into the folder -o, default `mallar`).
        #[arg(long)]
        alla: bool,
        /// The file to write (with --alla: the folder); default `ID-typ.xlsx`.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        /// The last day to submit, ÅÅÅÅ-MM-DD (shown on the Instruktioner sheet).
        #[arg(long)]
        senast: Option<String>,
        #[command(flatten)]
        common: Overrides,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

impl From<Format> for commands::check::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => Self::Text,
            Format::Json => Self::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// List every rule: id, title, severity, subject kind.
    List {
        #[command(flatten)]
        common: Overrides,
    },
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. R05.
        id: String,
        #[command(flatten)]
        common: Overrides,
    },
    /// Run every rule's test cases; exit 1 on a failure.
    Test {
        /// Only this rule.
        id: Option<String>,
        /// Also report, per rule, the statuses its cases exercise and the script lines they never reach.
        #[arg(long)]
        coverage: bool,
        #[command(flatten)]
        common: Overrides,
    },
    /// Scaffold a new rule (YAML + Rhai) with documentation headings and one test case per status.
    New {
        /// The new rule's id, e.g. R22.
        id: String,
        /// Its Swedish title.
        #[arg(long)]
        titel: String,
        /// What one evaluation is about: organisation, digitaliseringsplan, tjanstanvandning,
        /// katalograd, egen_katalograd, system, avsteg, insats, uppfoljningsrapport,
        /// sakerhetsavvikelse, leveransavvikelse.
        #[arg(long)]
        objekt: String,
        #[command(flatten)]
        common: Overrides,
    },
    /// Show what a rule change does: evaluate the same inputs with the configured rules
    /// (or a past run's rules) and with `--rules NEW_DIR`, and list the status changes.
    Diff {
        /// A past run folder: its archived rules (`regler/`), inputs (`indata/`, if archived) and per-date are used.
        #[arg(long)]
        against: Option<PathBuf>,
        /// Also write the comparison as an xlsx.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        #[command(flatten)]
        common: Overrides,
    },
}

#[derive(Debug, Subcommand)]
enum ScheduleCommand {
    /// Every schedule with its expression, time zone and next three runs (local time).
    List {
        #[command(flatten)]
        common: Overrides,
    },
    /// The next run of one schedule (or of every schedule).
    Next {
        name: Option<String>,
        #[command(flatten)]
        common: Overrides,
    },
}

/// Parse arguments, run, and return the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => exit::UNUSABLE,
            };
        }
    };
    init_logging(cli.log_format);
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            for line in error_lines(&e) {
                eprintln!("{line}");
            }
            exit::UNUSABLE
        }
    }
}

/// An error for the terminal: the error itself, then each cause on a line
/// of its own (`  orsak: …`), a cause that an earlier line already says
/// left out.
fn error_lines(e: &anyhow::Error) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for (i, cause) in e.chain().enumerate() {
        let text = cause.to_string();
        if lines.iter().any(|l| l.contains(&text)) {
            continue;
        }
        lines.push(if i == 0 {
            format!("uppsikt: {text}")
        } else {
            format!("  orsak: {text}")
        });
    }
    lines
}

/// Run the command parsed.
fn dispatch(cmd: Command) -> anyhow::Result<i32> {
    match cmd {
        Command::Run {
            common,
            schedule,
            arkivera,
        } => commands::run::run(&common, schedule.as_deref(), arkivera),
        Command::Check { common, format } => commands::check::check(&common, format.into()),
        Command::Rules { command } => match command {
            RulesCommand::List { common } => commands::rules::list(&common),
            RulesCommand::Explain { id, common } => commands::rules::explain(&common, &id),
            RulesCommand::Test {
                id,
                coverage,
                common,
            } => commands::rules::test(&common, id.as_deref(), coverage),
            RulesCommand::New {
                id,
                titel,
                objekt,
                common,
            } => commands::rules::new(&common, &id, &titel, &objekt),
            RulesCommand::Diff {
                against,
                output,
                common,
            } => commands::rules::diff(&common, against.as_deref(), output.as_deref()),
        },
        Command::Schedule { command } => match command {
            ScheduleCommand::List { common } => commands::schedule::list(&common),
            ScheduleCommand::Next { name, common } => {
                commands::schedule::next(&common, name.as_deref())
            }
        },
        Command::Daemon {
            common,
            no_catch_up,
        } => commands::daemon::daemon(&common, !no_catch_up),
        Command::Mall {
            typ,
            org,
            alla,
            output,
            senast,
            common,
        } => commands::mall::mall(
            &common,
            typ,
            org.as_deref(),
            alla,
            output.as_deref(),
            senast.as_deref(),
        ),
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("uppsikt=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::error_lines;
    use anyhow::Context as _;

    fn missing_file() -> anyhow::Error {
        std::fs::read("/finns/inte")
            .context("/finns/inte: kan inte läsas")
            .unwrap_err()
    }

    #[test]
    fn an_error_prints_one_cause_per_line() {
        let e = missing_file().context("indata kan inte användas");
        let lines = error_lines(&e);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0], "uppsikt: indata kan inte användas");
        assert_eq!(lines[1], "  orsak: /finns/inte: kan inte läsas");
        assert!(lines[2].starts_with("  orsak: "), "{lines:?}");
        assert!(lines[2].contains("os error 2"), "{lines:?}");
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::fs::read("/finns/inte").unwrap_err();
        let text = io.to_string();
        let e = anyhow::Error::new(io).context(format!("/finns/inte: kan inte läsas: {text}"));
        assert_eq!(
            error_lines(&e),
            [format!("uppsikt: /finns/inte: kan inte läsas: {text}")]
        );
        let config = uppsikt_config_error();
        let lines = error_lines(&config);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0], "uppsikt: /finns/inte.yaml: kan inte läsas");
        assert_eq!(lines.iter().filter(|l| l.contains("os error 2")).count(), 1);
    }

    fn uppsikt_config_error() -> anyhow::Error {
        crate::config::Config::load(std::path::Path::new("/finns/inte.yaml"))
            .map(|_| ())
            .unwrap_err()
            .into()
    }
}
