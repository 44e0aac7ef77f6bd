//! The one place that touches serde_yaml (deprecated upstream): swapping in a
//! maintained fork means changing this file only.

use std::fmt;
use std::path::Path;

use serde::de::DeserializeOwned;

/// A YAML value, for free-form parts such as rule parameters and test data.
pub type YamlValue = serde_yaml::Value;
/// A YAML mapping, for rule parameters and test data.
pub type YamlMapping = serde_yaml::Mapping;

/// A YAML error with the file and, where known, line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The file.
    pub file: String,
    /// The line (1-based), if known.
    pub line: Option<usize>,
    /// The column (1-based), if known.
    pub column: Option<usize>,
    /// What is wrong, in Swedish.
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Parse `text` (read from `file`, for messages) into `T`.
pub fn parse<T: DeserializeOwned>(text: &str, file: &Path) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| {
        let loc = e.location();
        let mut message = e.to_string();
        // serde_yaml appends " at line L column C"; the prefix carries it already.
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        YamlError {
            file: file.display().to_string(),
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
            message: swedish(&message),
        }
    })
}

/// Convert a YAML value into `T` (no position is known then).
pub fn from_value<T: DeserializeOwned>(v: YamlValue, file: &Path) -> Result<T, YamlError> {
    serde_yaml::from_value(v).map_err(|e| YamlError {
        file: file.display().to_string(),
        line: None,
        column: None,
        message: swedish(&e.to_string()),
    })
}

/// Serialise to YAML text.
pub fn to_string<T: serde::Serialize>(v: &T) -> String {
    serde_yaml::to_string(v).unwrap_or_default()
}

fn swedish(m: &str) -> String {
    if let Some(rest) = m.strip_prefix("unknown field ") {
        return format!("okänd nyckel {rest}");
    }
    if let Some(rest) = m.strip_prefix("missing field ") {
        return format!("nyckeln {rest} saknas");
    }
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct S {
        a: i32,
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let e = parse::<S>("a: 1\nbb: 2\n", Path::new("x.yaml")).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("x.yaml:2:1: okänd nyckel `bb`"), "{s}");
    }
}
