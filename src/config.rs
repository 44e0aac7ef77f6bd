//! `uppsikt.yaml`: paths, the period, settle time, size limits and the
//! register of organisations. Unknown keys are errors with file and line.

use std::collections::HashSet;
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
    /// How many earlier runs of the same schedule the `Historik` sheet shows.
    #[serde(default = "default_history_runs")]
    pub historik_korningar: usize,
    /// The register of expected submitters.
    pub organisationer: Vec<Organisation>,
}

fn default_history_runs() -> usize {
    8
}

fn default_settle() -> u64 {
    60
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
    /// A value that cannot be used.
    #[error("{path}: {message}")]
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
        config.validate().map_err(|message| ConfigError::Invalid {
            path: path.display().to_string(),
            message,
        })?;
        Ok(config)
    }

    /// Register ids valid and unique; names and aliases unambiguous; period parses.
    pub fn validate(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for o in &self.organisationer {
            if !valid_org_id(&o.id) {
                return Err(format!(
                    "organisationer: id \"{}\" är ogiltigt (versaler A–Z, siffror och -)",
                    o.id
                ));
            }
            if !ids.insert(o.id.clone()) {
                return Err(format!(
                    "organisationer: id \"{}\" förekommer två gånger",
                    o.id
                ));
            }
            for n in std::iter::once(&o.namn).chain(&o.alias) {
                if !names.insert(crate::model::name::normalize(n)) {
                    return Err(format!(
                        "organisationer: namnet \"{n}\" ({}) förekommer två gånger",
                        o.id
                    ));
                }
            }
        }
        if let Some(p) = &self.period {
            p.parse::<Period>().map_err(|e| format!("period: {e}"))?;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
