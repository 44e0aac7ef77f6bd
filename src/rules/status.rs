//! The five outcomes of an evaluation and their worst-first order.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The outcome of one rule on one subject (rules.md, Outcomes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// The requirement is met.
    #[serde(rename = "uppfyllt")]
    Uppfyllt,
    /// The requirement is not met (a finding).
    #[serde(rename = "brist")]
    Brist,
    /// The data the rule needs was not submitted (a finding).
    #[serde(rename = "underlag saknas")]
    UnderlagSaknas,
    /// The rule does not apply to the subject.
    #[serde(rename = "ej tillämplig")]
    EjTillamplig,
    /// The rule itself failed (a finding, for the rule's author).
    #[serde(rename = "regelfel")]
    Regelfel,
}

impl Status {
    /// Every status, worst first.
    pub const ALL: [Status; 5] = [
        Status::Regelfel,
        Status::Brist,
        Status::UnderlagSaknas,
        Status::Uppfyllt,
        Status::EjTillamplig,
    ];

    /// The Swedish label, as reports write it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Uppfyllt => "uppfyllt",
            Status::Brist => "brist",
            Status::UnderlagSaknas => "underlag saknas",
            Status::EjTillamplig => "ej tillämplig",
            Status::Regelfel => "regelfel",
        }
    }

    /// The status a label names.
    pub fn from_label(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|st| st.label() == s.trim().to_lowercase().replace('_', " "))
            .or(match s.trim() {
                "ej tillamplig" | "ej_tillamplig" => Some(Status::EjTillamplig),
                _ => None,
            })
    }

    /// The position in [`Status::ALL`] (worst first).
    pub fn index(self) -> usize {
        usize::from(4 - self.rank())
    }

    /// Severity rank: regelfel > brist > underlag saknas > uppfyllt > ej tillämplig.
    pub fn rank(self) -> u8 {
        match self {
            Status::Regelfel => 4,
            Status::Brist => 3,
            Status::UnderlagSaknas => 2,
            Status::Uppfyllt => 1,
            Status::EjTillamplig => 0,
        }
    }

    /// The worse of two statuses.
    pub fn worst(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// Whether an evaluation with this status is a finding (`Iakttagelser`).
    pub fn is_finding(self) -> bool {
        matches!(
            self,
            Status::Brist | Status::UnderlagSaknas | Status::Regelfel
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Rule severity (`allvarlighet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Severity {
    /// High.
    #[serde(rename = "hög", alias = "hog")]
    Hog,
    /// Medium.
    #[serde(rename = "medel")]
    Medel,
    /// Low.
    #[serde(rename = "låg", alias = "lag")]
    Lag,
}

impl Severity {
    /// The Swedish label (`hög`, `medel`, `låg`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Hog => "hög",
            Severity::Medel => "medel",
            Severity::Lag => "låg",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_worst_first_and_index_finds_each() {
        for (i, st) in Status::ALL.iter().enumerate() {
            assert_eq!(st.index(), i);
        }
        for w in Status::ALL.windows(2) {
            assert_eq!(w[0].worst(w[1]), w[0]);
        }
    }

    #[test]
    fn worst_order() {
        use Status::*;
        assert_eq!(Uppfyllt.worst(EjTillamplig), Uppfyllt);
        assert_eq!(Uppfyllt.worst(UnderlagSaknas), UnderlagSaknas);
        assert_eq!(Brist.worst(UnderlagSaknas), Brist);
        assert_eq!(Brist.worst(Regelfel), Regelfel);
        assert_eq!(EjTillamplig.worst(EjTillamplig), EjTillamplig);
        assert_eq!(Status::from_label("underlag saknas"), Some(UnderlagSaknas));
        assert_eq!(Status::from_label("ej_tillamplig"), Some(EjTillamplig));
        assert_eq!(Status::from_label("Brist"), Some(Brist));
    }
}
