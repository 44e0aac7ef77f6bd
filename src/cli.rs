//! The command line (clap derive): `run`, `check`, `rules`, `schedule`,
//! `daemon`, `gallra`, `mall`. Everything a person reads here is Swedish: the help
//! texts, clap's own headings (through [`swedish`]) and the argument errors
//! (through [`error_text`]). Each subcommand takes only the options that act
//! on it.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::exit;
use crate::settings::Overrides;

/// uppsikt: SLK:s uppsikt över riktlinjen för digital utveckling.
///
/// Läser arbetsböckerna i den delade mappen, bedömer dem med reglerna i
/// regelmappen (`rules/`) och skriver rapporten till kommunstyrelsen, återkoppling till
/// varje inlämnare och maskinläsbara resultat.
#[derive(Debug, Parser)]
#[command(
    name = "uppsikt",
    version,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Loggformat på stderr: text eller json (filtrera med RUST_LOG, t.ex. RUST_LOG=uppsikt=debug).
    #[arg(long = "loggformat", alias = "log-format", global = true, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT", hide_default_value = true, hide_possible_values = true)]
    log_format: LogFormat,

    /// Visa hjälp (-h en sammanfattning, --help allt).
    #[arg(short = 'h', long = "help", global = true, action = ArgAction::Help)]
    help: Option<bool>,

    /// Visa versionen.
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

/// `--konfiguration`: every subcommand reads the configuration.
#[derive(Debug, Clone, clap::Args)]
struct ConfigArg {
    /// Jobbets konfiguration (standard: uppsikt.yaml).
    #[arg(
        long = "konfiguration",
        alias = "config",
        default_value = "uppsikt.yaml",
        value_name = "FIL",
        hide_default_value = true
    )]
    config: PathBuf,
}

/// `--indata`: the shared folder.
#[derive(Debug, Clone, clap::Args)]
struct InputsArg {
    /// Den delade mappen som läses (i stället för konfigurationens).
    #[arg(long = "indata", alias = "inputs", value_name = "MAPP")]
    inputs: Option<PathBuf>,
}

/// `--regler`: the rule folder.
#[derive(Debug, Clone, clap::Args)]
struct RulesArg {
    /// Regelmappen (i stället för konfigurationens).
    #[arg(long = "regler", alias = "rules", value_name = "MAPP")]
    rules: Option<PathBuf>,
}

/// `--utdata`: the output root.
#[derive(Debug, Clone, clap::Args)]
struct OutputsArg {
    /// Utdatamappen där körningsmapparna skrivs (i stället för konfigurationens).
    #[arg(long = "utdata", alias = "outputs", value_name = "MAPP")]
    outputs: Option<PathBuf>,
}

/// `--scheman`: the schedule folder.
#[derive(Debug, Clone, clap::Args)]
struct SchedulesArg {
    /// Schemamappen (i stället för konfigurationens).
    #[arg(long = "scheman", alias = "schedules", value_name = "MAPP")]
    schedules: Option<PathBuf>,
}

/// `--per` and `--period`: what a run judges.
#[derive(Debug, Clone, clap::Args)]
struct JudgingArgs {
    /// Datumet som bedömningen avser, ÅÅÅÅ-MM-DD (standard: i dag).
    #[arg(long, value_name = "DATUM")]
    per: Option<String>,
    /// Perioden som bedöms, t.ex. 2026 eller 2026-T2 (standard: konfigurationens, annars året för --per).
    #[arg(long, value_name = "PERIOD")]
    period: Option<String>,
}

/// `--vantetid`: the settle time.
#[derive(Debug, Clone, clap::Args)]
struct SettleArg {
    /// Väntetid i sekunder: filer som ändrats senare än så hoppas över som `väntar`.
    #[arg(long, value_name = "SEKUNDER")]
    vantetid: Option<u64>,
}

/// Every option group of a command that runs the job (`run`, `daemon`).
#[derive(Debug, Clone, clap::Args)]
struct JobArgs {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    inputs: InputsArg,
    #[command(flatten)]
    rules: RulesArg,
    #[command(flatten)]
    outputs: OutputsArg,
    #[command(flatten)]
    schedules: SchedulesArg,
    #[command(flatten)]
    judging: JudgingArgs,
    #[command(flatten)]
    settle: SettleArg,
}

impl JobArgs {
    fn overrides(&self) -> Overrides {
        With::new(&self.config)
            .inputs(&self.inputs)
            .rules(&self.rules)
            .outputs(&self.outputs)
            .schedules(&self.schedules)
            .judging(&self.judging)
            .settle(&self.settle)
            .0
    }
}

impl ConfigArg {
    fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            ..Overrides::default()
        }
    }
}

/// The overrides of a command from the option groups it takes.
struct With(Overrides);

impl With {
    fn new(c: &ConfigArg) -> Self {
        Self(c.overrides())
    }
    fn inputs(mut self, a: &InputsArg) -> Self {
        self.0.inputs = a.inputs.clone();
        self
    }
    fn rules(mut self, a: &RulesArg) -> Self {
        self.0.rules = a.rules.clone();
        self
    }
    fn outputs(mut self, a: &OutputsArg) -> Self {
        self.0.outputs = a.outputs.clone();
        self
    }
    fn schedules(mut self, a: &SchedulesArg) -> Self {
        self.0.schedules = a.schedules.clone();
        self
    }
    fn judging(mut self, a: &JudgingArgs) -> Self {
        self.0.per = a.per.clone();
        self.0.period = a.period.clone();
        self
    }
    fn settle(mut self, a: &SettleArg) -> Self {
        self.0.vantetid = a.vantetid;
        self
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Kör jobbet: läs den delade mappen, bedöm varje regel och skriv en ny körningsmapp.
    ///
    /// Slutstatus: 0 klar; 2 inget skrevs (felaktig konfiguration, låset kunde
    /// inte tas); 3 klar, men några filer är `fel`, några bedömningar `regelfel`
    /// eller någon regel kunde inte läsas in.
    Run {
        #[command(flatten)]
        job: JobArgs,
        /// Kör som detta schema (namnet står i körningsmappen och manifestet).
        #[arg(long = "schema", alias = "schedule", value_name = "NAMN")]
        schedule: Option<String>,
        /// Kopiera varje bedömd fil till körningsmappens `indata/`.
        #[arg(long)]
        arkivera: bool,
        /// Leverera återkopplingen: skriv utkorgen utskick/<id>.eml och skicka över SMTP när epost.server är inställd, bara till dem vars återkoppling ändrats sedan den senast skickades.
        #[arg(long)]
        skicka: bool,
        /// Som --skicka, men till varje organisation med adress, även när återkopplingen är oförändrad.
        #[arg(long)]
        skicka_alla: bool,
        /// Skriv utkorgen och visa vem som skulle få vad; skicka ingenting.
        #[arg(long)]
        torrkorning: bool,
    },
    /// Granska konfiguration, regler (med deras tester) och scheman, och visa indataloggen.
    ///
    /// Slutstatus: 0 allt går att läsa; 3 någon fil är `fel`; 2 felaktig
    /// konfiguration, en regel som inte kan läsas in eller vars test inte går
    /// igenom, eller ett felaktigt schema.
    Check {
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        inputs: InputsArg,
        #[command(flatten)]
        rules: RulesArg,
        #[command(flatten)]
        schedules: SchedulesArg,
        #[command(flatten)]
        judging: JudgingArgs,
        #[command(flatten)]
        settle: SettleArg,
        /// Utdataformat: text eller json.
        #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMAT", hide_default_value = true, hide_possible_values = true)]
        format: Format,
    },
    /// Arbeta med reglerna: lista, förklara, testa (med täckning), skapa en ny regel, jämför en regeländring.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Visa schemana och deras nästa körningar.
    Schedule {
        #[command(subcommand)]
        command: ScheduleCommand,
    },
    /// Kör varje schema på dess tider (en process som körs tills den stoppas).
    Daemon {
        #[command(flatten)]
        job: JobArgs,
        /// Hoppa över en schemalagd tid som missades medan tjänsten var nere.
        #[arg(long = "utan-ikappkorning", alias = "no-catch-up")]
        no_catch_up: bool,
    },
    /// Gallra gamla körningsmappar enligt schemanas gallringsregler (gallras_efter_dagar).
    ///
    /// Samma gallring som en lyckad körning gör i sitt slut, på begäran: körningsmappar
    /// vars per-datum ligger mer än schemats antal dagar före den nyaste körningens tas
    /// bort; de två nyaste behålls alltid, och mappar med bevisarkiv (`indata/`) om inte
    /// schemat säger `gallra_arkiv: true`. Manuella körningar gallras bara om
    /// konfigurationen anger `gallring.manuell_efter_dagar`. Med `--torrkorning` visas vad
    /// som skulle tas bort och varför, och inget tas bort.
    ///
    /// Slutstatus: 0 klar; 2 felaktig konfiguration eller okänt schema; 3 någon mapp
    /// kunde inte tas bort.
    Gallra {
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        outputs: OutputsArg,
        #[command(flatten)]
        schedules: SchedulesArg,
        /// Bara detta schema (`manuell` för körningar utan schema); utan: alla scheman och de manuella körningarna.
        #[arg(long = "schema", alias = "schedule", value_name = "NAMN")]
        schedule: Option<String>,
        /// Visa vad som skulle tas bort och varför, utan att ta bort något.
        #[arg(long)]
        torrkorning: bool,
    },
    /// Skriv inlämningsmallar (xlsx) enligt kontraktet: en organisation och typ, eller alla.
    ///
    /// `uppsikt mall verksamhet --org KOV -o KOV-verksamhet.xlsx`; `uppsikt mall --alla -o MAPP`
    /// skriver varje organisations Verksamhet-mall och, för leverantörer, även
    /// Leverantör och Tjänstekatalog (med namnen `ID-typ.xlsx`). Bladet Tjänster i en
    /// Verksamhet-mall listar tjänsterna i tjänstekatalogerna i indatamappen.
    Mall {
        /// Arbetsbokens typ: verksamhet, leverantor eller tjanstekatalog.
        #[arg(value_enum, value_name = "TYP", hide_possible_values = true)]
        typ: Option<crate::template::TemplateKind>,
        /// Organisationens id i registret, t.ex. KOV.
        #[arg(long, value_name = "ID")]
        org: Option<String>,
        /// Alla mallar för alla organisationer i registret (till mappen -o, standard `mallar`).
        #[arg(long)]
        alla: bool,
        /// Filen som skrivs (med --alla: mappen); standard `ID-typ.xlsx`.
        #[arg(long = "ut", short = 'o', alias = "output", value_name = "SÖKVÄG")]
        output: Option<PathBuf>,
        /// Sista dag för inlämning, ÅÅÅÅ-MM-DD (visas på bladet Instruktioner).
        #[arg(long, value_name = "DATUM")]
        senast: Option<String>,
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        inputs: InputsArg,
        #[command(flatten)]
        judging: JudgingArgs,
        #[command(flatten)]
        settle: SettleArg,
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
    /// Lista varje regel: id, titel, allvarlighetsgrad, vad den bedömer.
    List {
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Visa en regels dokumentation.
    Explain {
        /// Regelns id, t.ex. R05.
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Kör varje regels testfall; slutstatus 1 om något inte går igenom.
    Test {
        /// Bara denna regel.
        #[arg(value_name = "ID")]
        id: Option<String>,
        /// Visa också, per regel, vilka statusar testfallen prövar och vilka skriptrader de aldrig når.
        #[arg(long = "tackning", alias = "coverage")]
        coverage: bool,
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Skapa en ny regel (YAML + Rhai) med dokumentationsrubriker och ett testfall per status.
    New {
        /// Den nya regelns id, t.ex. R22.
        #[arg(value_name = "ID")]
        id: String,
        /// Dess svenska titel.
        #[arg(long, value_name = "TITEL")]
        titel: String,
        /// Vad en bedömning gäller: organisation, digitaliseringsplan, tjanstanvandning,
        /// katalograd, egen_katalograd, system, avsteg, insats, uppfoljningsrapport,
        /// sakerhetsavvikelse, leveransavvikelse.
        #[arg(long, value_name = "OBJEKT")]
        objekt: String,
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Visa vad en regeländring gör: bedöm samma indata med de konfigurerade reglerna
    /// (eller en tidigare körnings regler) och med `--regler NY_MAPP`, och lista statusändringarna.
    Diff {
        /// En tidigare körningsmapp: dess arkiverade regler (`regler/`), indata (`indata/`, om arkiverade) och datum används.
        #[arg(long = "mot", alias = "against", value_name = "MAPP")]
        against: Option<PathBuf>,
        /// Skriv också jämförelsen som xlsx.
        #[arg(long = "ut", short = 'o', alias = "output", value_name = "FIL")]
        output: Option<PathBuf>,
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        inputs: InputsArg,
        #[command(flatten)]
        rules: RulesArg,
        #[command(flatten)]
        judging: JudgingArgs,
        #[command(flatten)]
        settle: SettleArg,
    },
}

#[derive(Debug, Subcommand)]
enum ScheduleCommand {
    /// Varje schema med uttryck, tidszon och de tre nästa körningarna (lokal tid).
    List {
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        schedules: SchedulesArg,
    },
    /// Nästa körning för ett schema (eller för varje schema).
    Next {
        /// Schemats namn (utan: alla scheman).
        #[arg(value_name = "NAMN")]
        name: Option<String>,
        #[command(flatten)]
        config: ConfigArg,
        #[command(flatten)]
        schedules: SchedulesArg,
    },
}

/// clap's command with Swedish headings and usage lines, every subcommand too.
fn swedish(cmd: clap::Command, path: &str) -> clap::Command {
    let has_sub = cmd.has_subcommands();
    let positionals: Vec<String> = cmd
        .get_positionals()
        .map(|a| {
            let name = a
                .get_value_names()
                .and_then(|n| n.first())
                .map(|n| n.to_string())
                .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
            if a.is_required_set() {
                format!(" <{name}>")
            } else {
                format!(" [{name}]")
            }
        })
        .collect();
    let mut usage = format!("{path} [FLAGGOR]{}", positionals.concat());
    let mut template = String::from("{before-help}{about-with-newline}\nAnvändning: {usage}\n");
    if has_sub {
        usage.push_str(" <KOMMANDO>");
        template.push_str("\nKommandon:\n{subcommands}\n");
    }
    if !positionals.is_empty() {
        template.push_str("\nArgument:\n{positionals}\n");
    }
    template.push_str("\nFlaggor:\n{options}{after-help}");
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = cmd
        .override_usage(usage)
        .help_template(template)
        .subcommand_value_name("KOMMANDO");
    for name in names {
        let sub_path = format!("{path} {name}");
        cmd = cmd.mut_subcommand(name, |s| swedish(s, &sub_path));
    }
    cmd
}

/// The Swedish text of an argument error (clap's own texts are English).
fn error_text(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| -> Option<String> {
        e.get(k).map(|v| match v {
            ContextValue::String(s) => s.clone(),
            ContextValue::Strings(s) => s.join(", "),
            ContextValue::StyledStr(s) => s.to_string(),
            ContextValue::StyledStrs(s) => s
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            ContextValue::Number(n) => n.to_string(),
            ContextValue::Bool(b) => b.to_string(),
            _ => String::new(),
        })
    };
    let arg = ctx(ContextKind::InvalidArg).unwrap_or_default();
    let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
    let mut text = match e.kind() {
        ErrorKind::UnknownArgument => {
            let mut t = format!("okänd flagga {arg} för det här kommandot");
            if let Some(s) = ctx(ContextKind::SuggestedArg) {
                t.push_str(&format!(" (menade du {s}?)"));
            }
            t
        }
        ErrorKind::InvalidSubcommand => {
            let sub = ctx(ContextKind::InvalidSubcommand).unwrap_or_default();
            let mut t = format!("okänt kommando {sub}");
            if let Some(s) = ctx(ContextKind::SuggestedSubcommand) {
                t.push_str(&format!(" (menade du {s}?)"));
            }
            t
        }
        ErrorKind::InvalidValue => {
            let mut t = if value.is_empty() {
                format!("{arg} behöver ett värde")
            } else {
                format!("ogiltigt värde \"{value}\" för {arg}")
            };
            if let Some(valid) = ctx(ContextKind::ValidValue) {
                t.push_str(&format!("; möjliga värden: {valid}"));
            }
            t
        }
        ErrorKind::ValueValidation => {
            format!("ogiltigt värde \"{value}\" för {arg}")
        }
        ErrorKind::MissingRequiredArgument => format!("saknas: {arg}"),
        ErrorKind::MissingSubcommand => "ett kommando behövs".to_string(),
        ErrorKind::ArgumentConflict => {
            let other = ctx(ContextKind::PriorArg).unwrap_or_default();
            format!("{arg} kan inte kombineras med {other}")
        }
        ErrorKind::TooManyValues => {
            format!("för många värden: \"{value}\"")
        }
        _ => "felaktiga argument".to_string(),
    };
    if let Some(usage) = ctx(ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        text.push_str(&format!(
            "\n\nAnvändning: {usage}\n\nSe {} --help.",
            command_path(usage)
        ));
    }
    text
}

/// `uppsikt rules test` from a usage line `uppsikt rules test [FLAGGOR] [ID]`.
fn command_path(usage: &str) -> String {
    usage
        .split_whitespace()
        .take_while(|w| !w.starts_with('[') && !w.starts_with('<'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the command line asks for JSON logs (looked at before clap
/// parses, so that its errors are JSON too).
fn wants_json() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let flag = |a: &str| a == "--loggformat" || a == "--log-format";
    args.windows(2).any(|w| flag(&w[0]) && w[1] == "json")
        || args
            .iter()
            .any(|a| a == "--loggformat=json" || a == "--log-format=json")
}

/// A panic is one log line (message and place), no backtrace; a panic
/// inside a workbook reader is caught and logged by ingest with its file,
/// so it says nothing here.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if crate::ingest::in_reader() {
            return;
        }
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(place = %place, "internt fel (panik): {msg}");
    }));
}

/// Print a fatal error: each line as it is, or with `--loggformat json` as
/// one JSON log event.
fn fatal(lines: &[String]) {
    if wants_json() {
        tracing::error!("{}", lines.join("\n"));
    } else {
        for line in lines {
            commands::quiet_stderr_line(line);
        }
    }
}

/// Parse arguments, run, and return the exit status.
pub fn main() -> i32 {
    let json = wants_json();
    init_logging(if json {
        LogFormat::Json
    } else {
        LogFormat::Text
    });
    commands::log_as_json(json);
    install_panic_hook();
    let parsed = swedish(Cli::command(), "uppsikt")
        .try_get_matches()
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    exit::OK
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    exit::UNUSABLE
                }
                _ => {
                    fatal(&[format!("uppsikt: {}", error_text(&e))]);
                    exit::UNUSABLE
                }
            };
        }
    };
    // Logging was set up from the raw arguments, before clap (see wants_json).
    let _ = cli.log_format;
    match dispatch(cli.command) {
        Ok(code) => code,
        // stdout closed by its reader (`uppsikt check | head -1`): nothing
        // more to say, and no one to say it to; the status a shell gives a
        // command ended by SIGPIPE.
        Err(e) if is_broken_pipe(&e) => exit::BROKEN_PIPE,
        Err(e) => {
            fatal(&error_lines(&e));
            exit::UNUSABLE
        }
    }
}

/// Whether `e` is a write to a pipe whose reader has gone.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = match c.downcast_ref::<std::io::Error>() {
            Some(io) => Some(io.kind()),
            None => c
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind),
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// An error for the terminal: the error itself, then each cause on a line
/// of its own (`  orsak: …`), in Swedish, each said once
/// ([`crate::oserror::causes`]).
fn error_lines(e: &anyhow::Error) -> Vec<String> {
    crate::oserror::causes(e)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                format!("uppsikt: {c}")
            } else {
                format!("  orsak: {c}")
            }
        })
        .collect()
}

/// Run the command parsed.
fn dispatch(cmd: Command) -> anyhow::Result<i32> {
    match cmd {
        Command::Run {
            job,
            schedule,
            arkivera,
            skicka,
            skicka_alla,
            torrkorning,
        } => {
            let o = job.overrides();
            commands::run::run_delivering(
                &o,
                schedule.as_deref(),
                arkivera,
                commands::run::DeliveryFlags {
                    send: skicka,
                    all: skicka_alla,
                    dry_run: torrkorning,
                },
            )
        }
        Command::Gallra {
            config,
            outputs,
            schedules,
            schedule,
            torrkorning,
        } => {
            let o = With::new(&config).outputs(&outputs).schedules(&schedules).0;
            commands::gallra::gallra(&o, schedule.as_deref(), torrkorning)
        }
        Command::Check {
            config,
            inputs,
            rules,
            schedules,
            judging,
            settle,
            format,
        } => {
            let o = With::new(&config)
                .inputs(&inputs)
                .rules(&rules)
                .schedules(&schedules)
                .judging(&judging)
                .settle(&settle)
                .0;
            commands::check::check(&o, format.into())
        }
        Command::Rules { command } => match command {
            RulesCommand::List { config, rules } => {
                commands::rules::list(&With::new(&config).rules(&rules).0)
            }
            RulesCommand::Explain { id, config, rules } => {
                commands::rules::explain(&With::new(&config).rules(&rules).0, &id)
            }
            RulesCommand::Test {
                id,
                coverage,
                config,
                rules,
            } => {
                commands::rules::test(&With::new(&config).rules(&rules).0, id.as_deref(), coverage)
            }
            RulesCommand::New {
                id,
                titel,
                objekt,
                config,
                rules,
            } => commands::rules::new(&With::new(&config).rules(&rules).0, &id, &titel, &objekt),
            RulesCommand::Diff {
                against,
                output,
                config,
                inputs,
                rules,
                judging,
                settle,
            } => {
                let o = With::new(&config)
                    .inputs(&inputs)
                    .rules(&rules)
                    .judging(&judging)
                    .settle(&settle)
                    .0;
                commands::rules::diff(&o, against.as_deref(), output.as_deref())
            }
        },
        Command::Schedule { command } => match command {
            ScheduleCommand::List { config, schedules } => {
                commands::schedule::list(&With::new(&config).schedules(&schedules).0)
            }
            ScheduleCommand::Next {
                name,
                config,
                schedules,
            } => commands::schedule::next(
                &With::new(&config).schedules(&schedules).0,
                name.as_deref(),
            ),
        },
        Command::Daemon { job, no_catch_up } => {
            let o = job.overrides();
            commands::daemon::daemon(&o, !no_catch_up)
        }
        Command::Mall {
            typ,
            org,
            alla,
            output,
            senast,
            config,
            inputs,
            judging,
            settle,
        } => {
            let o = With::new(&config)
                .inputs(&inputs)
                .judging(&judging)
                .settle(&settle)
                .0;
            commands::mall::mall(
                &o,
                typ,
                org.as_deref(),
                alla,
                output.as_deref(),
                senast.as_deref(),
            )
        }
    }
}

/// stderr for the log: a closed stderr (`uppsikt run 2>&1 | head -1`) is
/// not an error, so the run goes on. (tracing-subscriber reports a failed
/// write with `eprintln!`, which panics on a closed stderr, and the panic's
/// own log line then aborts the process.)
struct QuietStderr;

impl std::io::Write for QuietStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("uppsikt=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| QuietStderr)
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
        assert_eq!(lines[2], "  orsak: Finns inte");
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
        assert_eq!(lines[1], "  orsak: Finns inte");
    }

    #[test]
    fn a_cause_naming_the_same_path_is_said_on_its_line() {
        let e =
            anyhow::anyhow!("/ut/a.xlsx: Disken är full").context("/ut/a.xlsx: kan inte skrivas");
        assert_eq!(
            error_lines(&e),
            ["uppsikt: /ut/a.xlsx: kan inte skrivas: Disken är full"]
        );
        let e =
            anyhow::anyhow!("/ut/b/KOV.xlsx: Disken är full").context("/ut/b: kan inte skrivas");
        assert_eq!(
            error_lines(&e),
            [
                "uppsikt: /ut/b: kan inte skrivas",
                "  orsak: /ut/b/KOV.xlsx: Disken är full"
            ]
        );
    }

    fn uppsikt_config_error() -> anyhow::Error {
        crate::config::Config::load(std::path::Path::new("/finns/inte.yaml"))
            .map(|_| ())
            .unwrap_err()
            .into()
    }
}
