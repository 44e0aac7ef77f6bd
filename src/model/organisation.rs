//! The register of expected submitters (input contract, section 2).

use serde::{Deserialize, Serialize};

/// `nämnd` or `bolag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgTyp {
    /// A nämnd (committee).
    #[serde(rename = "nämnd")]
    Namnd,
    /// A bolag (municipal company).
    #[serde(rename = "bolag")]
    Bolag,
}

impl OrgTyp {
    /// The register's spelling: `nämnd` or `bolag`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgTyp::Namnd => "nämnd",
            OrgTyp::Bolag => "bolag",
        }
    }
}

/// One organisation of the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Short stable id (`KOV`, `IS`, `GEAB`): upper-case letters, digits, `-`.
    pub id: String,
    /// The organisation's Swedish name.
    pub namn: String,
    /// Nämnd or bolag.
    pub typ: OrgTyp,
    /// The body that adopts its plan and decides avsteg.
    pub beslutsorgan: String,
    /// True for the three suppliers of gemensamma tjänster.
    #[serde(default, rename = "leverantör", alias = "leverantor")]
    pub leverantor: bool,
    /// Other names its submissions may use.
    #[serde(default)]
    pub alias: Vec<String>,
    /// Addresses that receive its feedback (`epost`, maintained by SLK;
    /// used only when feedback is delivered, `crate::delivery`-side).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub epost: Vec<String>,
}

/// Whether `id` is a valid register id; only such ids become file names.
pub fn valid_org_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_org_id("KOV"));
        assert!(valid_org_id("SDN-NO2"));
        assert!(!valid_org_id("../x"));
        assert!(!valid_org_id("kov"));
        assert!(!valid_org_id(""));
        assert!(!valid_org_id("-A"));
    }
}
