//! Cell-level warnings: a value that could not be read became missing.

use std::fmt;

use serde::Serialize;

use crate::model::Location;

/// A cell whose content could not be read, or a column or key that is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct CellWarning {
    pub loc: Location,
    /// What the cell held (empty for a missing column or key).
    pub found: String,
    /// What is expected there, in Swedish.
    pub expected: String,
    /// The whole Swedish message (without the location).
    pub message: String,
}

impl fmt::Display for CellWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// The JSON form of a warning (`check --format json`, manifest).
#[derive(Debug, Serialize)]
pub struct WarningJson<'a> {
    pub fil: &'a str,
    pub blad: &'a str,
    pub cell: String,
    pub hittat: &'a str,
    pub forvantat: &'a str,
    pub meddelande: &'a str,
}

impl CellWarning {
    pub fn json(&self) -> WarningJson<'_> {
        WarningJson {
            fil: self.loc.file(),
            blad: self.loc.sheet(),
            cell: self.loc.cell(),
            hittat: &self.found,
            forvantat: &self.expected,
            meddelande: &self.message,
        }
    }
}
