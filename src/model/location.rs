//! Where a value came from: file, sheet and cell of the shared folder.

use std::fmt;
use std::sync::Arc;

/// A cell in an input workbook. `row` and `col` are zero-based absolute
/// sheet coordinates (A1 = 0, 0), so `cell()` is the sheet's true address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Path of the file relative to the input root, with `/` separators.
    pub file: Arc<str>,
    /// Sheet name as written in the workbook.
    pub sheet: Arc<str>,
    pub row: u32,
    pub col: u32,
}

impl Location {
    pub fn new(file: Arc<str>, sheet: Arc<str>, row: u32, col: u32) -> Self {
        Self {
            file,
            sheet,
            row,
            col,
        }
    }

    /// The A1 reference of the cell, e.g. `F12`.
    pub fn cell(&self) -> String {
        a1(self.row, self.col)
    }

    /// The same row, another column.
    pub fn with_col(&self, col: u32) -> Self {
        Self {
            col,
            ..self.clone()
        }
    }
}

impl fmt::Display for Location {
    /// `inputs/kov.xlsx[System]!F12`, the form every message leads with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]!{}", self.file, self.sheet, self.cell())
    }
}

/// Column letters for a zero-based column index (0 = A, 26 = AA).
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A1 reference for zero-based coordinates.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(4, 2), "C5");
        assert_eq!(a1(11, 5), "F12");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn display_leads_with_file_and_sheet() {
        let loc = Location::new("a/kov.xlsx".into(), "System".into(), 11, 5);
        assert_eq!(loc.to_string(), "a/kov.xlsx[System]!F12");
    }
}
