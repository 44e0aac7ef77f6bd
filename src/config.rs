//! `uppsikt.yaml`: paths, the period, settle time, size limits and the
//! register of organisations. Unknown keys are errors with file and line.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{valid_org_id, Organisation, Period};
use crate::yaml::{self, YamlError};

/// Size limits for input files (input contract, section 7).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest file read, in MB.
    pub max_fil_mb: u64,
    /// Most rows a sheet may have.
    pub max_rader: u32,
    /// Largest declared unpacked size of a zip-based workbook, in MB.
    pub max_uppackat_mb: u64,
    /// Largest ratio of unpacked to packed size for archives over 10 MB unpacked.
    pub max_packningsgrad: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_fil_mb: 50,
            max_rader: 100_000,
            max_uppackat_mb: 500,
            max_packningsgrad: 200,
        }
    }
}

/// Where things are. Relative paths are taken from the configuration file's folder.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Paths {
    /// The shared folder the submissions are read from.
    pub indata: PathBuf,
    /// The rule folder.
    pub regler: PathBuf,
    /// The output root, where run folders are written.
    pub utdata: PathBuf,
    /// The schedule folder.
    pub scheman: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            indata: "inputs".into(),
            regler: "rules".into(),
            utdata: "outputs".into(),
            scheman: "schedules".into(),
        }
    }
}

/// The job configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where things are.
    #[serde(default)]
    pub sokvagar: Paths,
    /// The period judged; default: the calendar year of the per-date.
    #[serde(default)]
    pub period: Option<String>,
    /// Files younger than this are skipped as `väntar` (may still be uploading).
    #[serde(default = "default_settle")]
    pub vantetid_sekunder: u64,
    /// Limits on what one input file may make the reader do.
    #[serde(default)]
    pub granser: Limits,
    /// Copy every file read into the run folder's `indata/`.
    #[serde(default)]
    pub arkivera_indata: bool,
    /// Removal of old run folders (`gallring`); schedules have their own.
    #[serde(default)]
    pub gallring: Gallring,
    /// Delivery of the feedback by e-mail (issue 21); none: only an
    /// outbox, and only when a run is asked to deliver.
    #[serde(default)]
    pub epost: Option<Email>,
    /// How many earlier runs of the same schedule the `Historik` sheet shows.
    #[serde(default = "default_history_runs")]
    pub historik_korningar: usize,
    /// How long a run waits for another run's lock on the output root
    /// before it gives up (exit 2), in seconds (default 30 minutes).
    #[serde(default = "default_lock_wait")]
    pub las_max_vantan_sekunder: u64,
    /// How often a run waiting for the lock logs that it still waits, in
    /// seconds (default a minute).
    #[serde(default = "default_lock_reminder")]
    pub las_paminnelse_sekunder: u64,
    /// Script time one rule may use in one run beyond 1 ms per subject, in
    /// seconds (default 10; fractions allowed, e.g. 0.5); past it the rule's
    /// remaining subjects are `regelfel`.
    #[serde(default = "default_rule_budget")]
    pub regel_budget_sekunder: f64,
    /// The register of expected submitters.
    pub organisationer: Vec<Organisation>,
}

/// `gallring:` in the configuration: retention of runs without a schedule.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Gallring {
    /// Manual runs (`manuell`) older than this many days are removed at the
    /// end of a later manual run; none: never removed automatically.
    pub manuell_efter_dagar: Option<u32>,
}

/// How long the run folders of one schedule are kept: the schedule's
/// `gallras_efter_dagar` and `gallra_arkiv`, or for manual runs the
/// configuration's `gallring.manuell_efter_dagar`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Runs whose per-date lies more than this many days before the newest
    /// run's are removed; none: never removed automatically.
    pub after_days: Option<u32>,
    /// Whether runs holding an evidence archive (`indata/`) are removed too.
    pub archives_too: bool,
}

impl Config {
    /// The retention of manual runs.
    pub fn manual_retention(&self) -> Retention {
        Retention {
            after_days: self.gallring.manuell_efter_dagar,
            archives_too: false,
        }
    }
}

/// How the SMTP connection is secured (`epost.tls`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// STARTTLS on a plain connection (port 587), required.
    #[default]
    #[serde(rename = "starttls")]
    Starttls,
    /// TLS from the first byte (port 465).
    #[serde(rename = "tls")]
    Implicit,
    /// No encryption: only for a relay on the same machine or a test.
    #[serde(rename = "ingen")]
    None,
}

/// `epost:` in `uppsikt.yaml`: the sender, the SMTP relay (optional: without
/// `server` a delivering run only writes its outbox) and where recipients
/// may come from. The password is never in the file, only the name of the
/// environment variable that holds it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// The sender, e.g. `Stadsledningskontoret <uppsikt@stadshuset.goteborg.se>`.
    pub avsandare: String,
    /// Whom the submitters ask (named in every message), e.g. an address.
    #[serde(default)]
    pub kontakt: Option<String>,
    /// The SMTP relay's host name; none: outbox only.
    #[serde(default)]
    pub server: Option<String>,
    /// Its port (default 587 with STARTTLS, 465 with TLS, 25 without).
    #[serde(default)]
    pub port: Option<u16>,
    /// STARTTLS (default), implicit TLS, or none.
    #[serde(default)]
    pub tls: SmtpTls,
    /// A PEM file of CA certificates to trust besides the public roots
    /// (e.g. the city's own CA that signed the relay's certificate);
    /// relative to the configuration file's folder.
    #[serde(default)]
    pub ca_fil: Option<PathBuf>,
    /// The user name to log in with, if the relay wants one.
    #[serde(default)]
    pub anvandare: Option<String>,
    /// The environment variable holding the password (with `anvandare`).
    #[serde(default)]
    pub losenord_miljovariabel: Option<String>,
    /// Seconds before a connection or command gives up.
    #[serde(default = "default_smtp_timeout")]
    pub tidsgrans_sekunder: u64,
    /// Whether the `E-post` cell of an organisation's own `Inlämning` sheet
    /// is also a recipient (only within `tillatna_domaner`).
    #[serde(default)]
    pub inlamningens_adress: bool,
    /// The domains an address from an uploaded file may have.
    #[serde(default)]
    pub tillatna_domaner: Vec<String>,
}

fn default_smtp_timeout() -> u64 {
    30
}

impl Email {
    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Implicit => 465,
            SmtpTls::None => 25,
        })
    }

    /// What is wrong with the section, if anything (the addresses
    /// themselves are checked where the messages are built).
    fn check(&self) -> Result<(), String> {
        if self.avsandare.trim().is_empty() {
            return Err("epost: avsandare saknas".into());
        }
        if self.anvandare.is_some() != self.losenord_miljovariabel.is_some() {
            return Err(
                "epost: anvandare och losenord_miljovariabel anges tillsammans (lösenordet hämtas ur miljövariabeln, aldrig ur filen)"
                    .into(),
            );
        }
        if self.inlamningens_adress && self.tillatna_domaner.is_empty() {
            return Err("epost: inlamningens_adress kräver tillatna_domaner (adresser ur inlämnade filer får bara gå till stadens domäner)".into());
        }
        for d in &self.tillatna_domaner {
            let d = d.trim();
            if d.is_empty() || d.contains('@') || d.contains(char::is_whitespace) {
                return Err(format!(
                    "epost: tillatna_domaner: \"{d}\" är ingen domän (t.ex. goteborg.se)"
                ));
            }
        }
        if self.tidsgrans_sekunder == 0 {
            return Err("epost: tidsgrans_sekunder måste vara minst 1".into());
        }
        Ok(())
    }
}

fn default_history_runs() -> usize {
    8
}

fn default_settle() -> u64 {
    60
}

fn default_lock_wait() -> u64 {
    30 * 60
}

fn default_lock_reminder() -> u64 {
    60
}

fn default_rule_budget() -> f64 {
    10.0
}

/// The line (1-based) of `needle` within organisation `id`'s entry of a
/// configuration file: the first line after `id: ID` that holds it.
fn yaml_line(text: &str, id: &str, needle: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| {
        let l = l.trim_start().trim_start_matches("- ").trim();
        l == format!("id: {id}") || l == format!("id: \"{id}\"") || l == format!("id: '{id}'")
    })?;
    lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| {
            // The whole name, not the start of a longer one.
            l.match_indices(needle).any(|(i, _)| {
                !l[i + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            })
        })
        .map(|(i, _)| i + 1)
}

/// A configuration problem: exit status 2, nothing written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read (the OS error is the source, not repeated
    /// in the message).
    #[error("{path}: kan inte läsas")]
    Io {
        /// The configuration file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid YAML of the expected shape.
    #[error(transparent)]
    Yaml(#[from] YamlError),
    /// Values that cannot be used (one a line, each starting `:LINE: ` or
    /// `: ` to follow the file's path).
    #[error("{}", .message.lines().map(|l| format!("{path}{l}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The configuration file.
        path: String,
        /// What is wrong, in Swedish.
        message: String,
    },
}

impl Config {
    /// Load and validate; relative paths become relative to the file's folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut config: Config = yaml::parse(&text, path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for p in [
            &mut config.sokvagar.indata,
            &mut config.sokvagar.regler,
            &mut config.sokvagar.utdata,
            &mut config.sokvagar.scheman,
        ] {
            if p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        }
        if let Some(ca) = config.epost.as_mut().and_then(|e| e.ca_fil.as_mut()) {
            if ca.is_relative() && !base.as_os_str().is_empty() {
                *ca = base.join(&*ca);
            }
        }
        config
            .validate_in(Some(&text))
            .map_err(|message| ConfigError::Invalid {
                path: path.display().to_string(),
                message,
            })?;
        Ok(config)
    }

    /// Register ids valid and unique; names and aliases unambiguous; period parses.
    pub fn validate(&self) -> Result<(), String> {
        self.validate_in(None)
    }

    /// [`Config::validate`] with the file's text, so that each problem names
    /// its line. Every register problem is listed at once, one a line; an
    /// alias equal (after normalisation) to its own organisation's name or
    /// another of its aliases is no problem (see [`Config::register_notes`]).
    pub fn validate_in(&self, text: Option<&str>) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut ids: HashMap<&str, usize> = HashMap::new();
        // normalised name → (organisation id, the name as written)
        let mut names: HashMap<String, (&str, &str)> = HashMap::new();
        let at = |id: &str, needle: &str| -> String {
            text.and_then(|t| yaml_line(t, id, needle))
                .map(|l| format!(":{l}: "))
                .unwrap_or_else(|| ": ".to_string())
        };
        if !(self.regel_budget_sekunder > 0.0 && self.regel_budget_sekunder <= 86_400.0) {
            problems.push(format!(
                ": regel_budget_sekunder: {} går inte att använda (ett antal sekunder över 0, högst 86400)",
                self.regel_budget_sekunder
            ));
        }
        for o in &self.organisationer {
            if !valid_org_id(&o.id) {
                problems.push(format!(
                    "{}organisationer: id \"{}\" är ogiltigt (versaler A–Z, siffror och -)",
                    at(&o.id, &o.id),
                    o.id
                ));
            }
            let n = ids.entry(o.id.as_str()).or_default();
            *n += 1;
            if *n == 2 {
                problems.push(format!(
                    ": organisationer: id \"{}\" förekommer flera gånger",
                    o.id
                ));
            }
            let mut own = HashSet::new();
            for n in std::iter::once(&o.namn).chain(&o.alias) {
                let key = crate::model::name::normalize(n);
                if !own.insert(key.clone()) {
                    continue; // the organisation's own name again: a note from check
                }
                match names.get(&key) {
                    Some((other, written)) if *other != o.id => problems.push(format!(
                        "{}organisationer: namnet \"{n}\" ({}) är samma som \"{written}\" ({other}{}); ett namn kan bara höra till en organisation",
                        at(&o.id, n),
                        o.id,
                        text.and_then(|t| yaml_line(t, other, written))
                            .map(|l| format!(", rad {l}"))
                            .unwrap_or_default(),
                    )),
                    Some(_) => {}
                    None => {
                        names.insert(key, (o.id.as_str(), n.as_str()));
                    }
                }
            }
        }
        if let Some(p) = &self.period {
            if let Err(e) = p.parse::<Period>() {
                problems.push(format!(": period: {e}"));
            }
        }
        if let Some(e) = &self.epost {
            if let Err(m) = e.check() {
                problems.push(m);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Aliases that say nothing new: equal (after normalisation) to their
    /// organisation's name or to another of its aliases. Accepted; `check`
    /// mentions them.
    pub fn register_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for o in &self.organisationer {
            let mut seen: Vec<(String, &str)> = Vec::new();
            for n in std::iter::once(&o.namn).chain(&o.alias) {
                let key = crate::model::name::normalize(n);
                match seen.iter().find(|(k, _)| *k == key) {
                    Some((_, first)) => notes.push(format!(
                        "organisationer: aliaset \"{n}\" ({}) är detsamma som \"{first}\" och behövs inte; namn jämförs utan skiftläge, bindestreck och extra mellanslag",
                        o.id
                    )),
                    None => seen.push((key, n.as_str())),
                }
            }
        }
        notes
    }

    /// The configured period, or the calendar year of `per`.
    pub fn period_for(&self, per: chrono::NaiveDate) -> Period {
        use chrono::Datelike;
        self.period
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(Period::year(per.year()))
    }
}

impl Config {
    /// The script time one rule may use in one run (`regel_budget_sekunder`).
    pub fn rule_budget(&self) -> std::time::Duration {
        std::time::Duration::try_from_secs_f64(self.regel_budget_sekunder)
            .unwrap_or(std::time::Duration::from_secs(10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Manual runs are kept unless `gallring.manuell_efter_dagar` says otherwise.
    #[test]
    fn manual_runs_are_kept_unless_the_configuration_says() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("uppsikt.yaml");
        std::fs::write(&path, "organisationer: []\n").expect("written");
        let c = Config::load(&path).expect("loads");
        assert_eq!(c.manual_retention(), Retention::default());
        std::fs::write(
            &path,
            "organisationer: []\ngallring:\n  manuell_efter_dagar: 7\n",
        )
        .expect("written");
        let c = Config::load(&path).expect("loads");
        assert_eq!(
            c.manual_retention(),
            Retention {
                after_days: Some(7),
                archives_too: false
            }
        );
        std::fs::write(&path, "organisationer: []\ngallring:\n  efter_dagar: 7\n")
            .expect("written");
        let Err(e) = Config::load(&path) else {
            panic!("an unknown gallring key loaded");
        };
        assert!(e.to_string().contains("efter_dagar"), "{e}");
    }

    /// The `epost` section's rules: the password only through a variable,
    /// addresses from uploads only with allowed domains.
    #[test]
    fn epost_section_is_checked() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("uppsikt.yaml");
        let register = "organisationer:\n  - id: KOV\n    namn: K\n    typ: nämnd\n    beslutsorgan: K\n    epost: [a@goteborg.se]\n";
        let load = |epost: &str| {
            std::fs::write(&path, format!("{register}epost:\n{epost}")).expect("written");
            Config::load(&path).map_err(|e| e.to_string())
        };
        let ok = load("  avsandare: s@goteborg.se\n  server: smtp.goteborg.se\n").expect("valid");
        let email = ok.epost.expect("an epost section");
        assert_eq!((email.port(), email.tls), (587, SmtpTls::Starttls));
        assert_eq!(ok.organisationer[0].epost, ["a@goteborg.se"]);
        let err = load("  avsandare: s@goteborg.se\n  anvandare: u\n").unwrap_err();
        assert!(err.ends_with("epost: anvandare och losenord_miljovariabel anges tillsammans (lösenordet hämtas ur miljövariabeln, aldrig ur filen)"), "{err}");
        let err = load("  avsandare: s@goteborg.se\n  inlamningens_adress: true\n").unwrap_err();
        assert!(err.ends_with("epost: inlamningens_adress kräver tillatna_domaner (adresser ur inlämnade filer får bara gå till stadens domäner)"), "{err}");
        let err = load("  avsandare: s@goteborg.se\n  losenord: hemligt\n").unwrap_err();
        assert!(err.contains("losenord"), "{err}");
    }

    /// A cause is printed once, also where the whole chain is printed.
    #[test]
    fn a_load_error_prints_its_cause_once() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let missing = dir.path().join("saknas.yaml");
        let bad = dir.path().join("fel.yaml");
        std::fs::write(&bad, "foo: [\n").expect("written");
        for path in [missing, bad] {
            let Err(e) = Config::load(&path) else {
                panic!("{} loaded", path.display());
            };
            let chain = format!("{:#}", anyhow::Error::new(e));
            let cause = chain.rsplit(": ").next().unwrap_or_default();
            assert_eq!(chain.matches(cause).count(), 1, "{chain}");
            assert!(chain.starts_with(&path.display().to_string()), "{chain}");
        }
    }
}
