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

/// serde_yaml's English message in Swedish, naming the key (serde_yaml
/// prefixes the key's path, `objekt: …`) and the form expected.
fn swedish(m: &str) -> String {
    // "path.to.key: message" (the path has no spaces; messages do).
    let (path, msg) = match m.split_once(": ") {
        Some((p, rest)) if !p.contains(' ') && !p.is_empty() => (Some(p), rest),
        _ => (None, m),
    };
    let key = path.map(|p| format!("{p}: ")).unwrap_or_default();
    let one_of = |list: &str| list.replace("`", "");
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        return match rest.split_once(", expected one of ") {
            Some((k, valid)) => {
                format!("{key}okänd nyckel {k}; giltiga nycklar: {}", one_of(valid))
            }
            None => match rest.split_once(", expected ") {
                Some((k, valid)) => {
                    format!("{key}okänd nyckel {k}; giltig nyckel: {}", one_of(valid))
                }
                None => match rest.split_once(", there are no fields") {
                    Some((k, _)) => format!("{key}okänd nyckel {k}; här får inga nycklar stå"),
                    None => format!("{key}okänd nyckel {rest}"),
                },
            },
        };
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("{key}nyckeln {rest} saknas");
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        return match rest.split_once(", expected one of ") {
            Some((v, valid)) => format!("{key}okänt värde {v}; giltiga värden: {}", one_of(valid)),
            None => match rest.split_once(", expected ") {
                Some((v, valid)) => {
                    format!("{key}okänt värde {v}; giltigt värde: {}", one_of(valid))
                }
                None => format!("{key}okänt värde {rest}"),
            },
        };
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let got = kind(got);
        let name = path.and_then(|p| p.rsplit('.').next()).unwrap_or("nyckeln");
        return if expected.starts_with("a YAML tag") || expected.starts_with("enum") {
            format!("{key}ska vara ett enda värde, inte {got}; skriv t.ex. `{name}: organisation`")
        } else {
            format!("{key}ska vara {}, inte {got}", expected_kind(expected))
        };
    }
    if let Some(rest) = msg.strip_prefix("duplicate field ") {
        return format!("{key}nyckeln {rest} står två gånger");
    }
    if let Some(rest) = msg.strip_prefix("duplicate entry with key ") {
        return format!("{key}nyckeln {rest} står två gånger");
    }
    if msg.contains("did not find expected")
        || msg.contains("while parsing")
        || msg.contains("while scanning")
    {
        return format!(
            "{key}YAML-filen går inte att tolka här ({msg}); kontrollera indragningen och att varje nyckel följs av :"
        );
    }
    m.to_string()
}

/// serde's name of what it got, in Swedish (`sequence` → `en lista`).
fn kind(got: &str) -> String {
    let (what, value) = got.split_once(' ').unwrap_or((got, ""));
    let sv = match what {
        "sequence" => "en lista",
        "map" => "en tabell",
        "string" => "en text",
        "integer" | "floating" => "ett tal",
        "boolean" => "ett sanningsvärde",
        "unit" => "tomt",
        _ => return got.to_string(),
    };
    if value.is_empty() {
        sv.to_string()
    } else {
        format!("{sv} ({value})")
    }
}

/// serde's name of what it expected, in Swedish.
fn expected_kind(expected: &str) -> String {
    let e = expected.trim();
    if e.starts_with("a sequence") {
        "en lista, t.ex. [a, b]".into()
    } else if e.starts_with("a string") {
        "en text".into()
    } else if matches!(
        e,
        "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "usize" | "f64"
    ) || e.starts_with("an integer")
        || e.starts_with("a number")
    {
        "ett tal".into()
    } else if e.starts_with("a boolean") {
        "ja eller nej (true/false)".into()
    } else if e.starts_with("a map") || e.starts_with("struct") {
        "en tabell med nycklar".into()
    } else {
        e.to_string()
    }
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
