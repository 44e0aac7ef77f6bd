//! Where a value came from: file, sheet and cell of the shared folder.

use std::fmt;
use std::sync::Arc;

/// The file and sheet a cell is in. One is made per sheet read and shared
/// by every [`Location`] in it, so a location costs 16 bytes, not two
/// string handles per value.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Source {
    /// Path of the file relative to the input root, with `/` separators.
    pub file: Arc<str>,
    /// Sheet name as written in the workbook.
    pub sheet: Arc<str>,
}

impl Source {
    /// A shared source (file and sheet) for the locations of one sheet.
    pub fn new(file: Arc<str>, sheet: Arc<str>) -> Arc<Self> {
        Arc::new(Self { file, sheet })
    }
}

/// A cell in an input workbook. `row` and `col` are zero-based absolute
/// sheet coordinates (A1 = 0, 0), so `cell()` is the sheet's true address.
/// Ordered (and compared) by file, sheet, row and column.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    source: Arc<Source>,
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u32,
}

impl Location {
    /// A location with its own [`Source`]; readers of a whole sheet share
    /// one with [`Location::at`] instead.
    pub fn new(file: Arc<str>, sheet: Arc<str>, row: u32, col: u32) -> Self {
        Self::at(&Source::new(file, sheet), row, col)
    }

    /// A cell of a shared file and sheet.
    pub fn at(source: &Arc<Source>, row: u32, col: u32) -> Self {
        Self {
            source: source.clone(),
            row,
            col,
        }
    }

    /// Path of the file relative to the input root, with `/` separators.
    pub fn file(&self) -> &str {
        &self.source.file
    }

    /// Sheet name as written in the workbook.
    pub fn sheet(&self) -> &str {
        &self.source.sheet
    }

    /// The file and sheet, shared.
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// Whether `other` is on the same row of the same sheet of the same file.
    pub fn same_row(&self, other: &Location) -> bool {
        self.row == other.row && self.source == other.source
    }

    /// The A1 reference of the cell, e.g. `F12`.
    pub fn cell(&self) -> String {
        a1(self.row, self.col)
    }

    /// [`Location::cell`] without the allocation.
    pub fn a1(&self) -> A1 {
        A1 {
            row: self.row,
            col: self.col,
        }
    }

    /// The same row, another column.
    pub fn with_col(&self, col: u32) -> Self {
        Self {
            col,
            ..self.clone()
        }
    }

    /// Another row and column of the same sheet.
    pub fn with_cell(&self, row: u32, col: u32) -> Self {
        Self::at(&self.source, row, col)
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Location")
            .field("file", &self.source.file)
            .field("sheet", &self.source.sheet)
            .field("row", &self.row)
            .field("col", &self.col)
            .finish()
    }
}

impl fmt::Display for Location {
    /// `inputs/kov.xlsx[System]!F12`, the form every message leads with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]!{}", self.file(), self.sheet(), self.a1())
    }
}

/// Column letters for a zero-based column index (0 = A, 26 = AA).
pub fn column_letters(col: u32) -> String {
    let mut buf = [0u8; 7];
    letters(col, &mut buf).to_string()
}

/// The letters of zero-based column `col`, written at the end of `buf`
/// (seven letters reach past any u32).
fn letters(col: u32, buf: &mut [u8; 7]) -> &str {
    let mut n = col as u64 + 1;
    let mut start = buf.len();
    while n > 0 && start > 0 {
        start -= 1;
        buf[start] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    std::str::from_utf8(&buf[start..]).unwrap_or_default()
}

/// A1 reference for zero-based coordinates.
pub fn a1(row: u32, col: u32) -> String {
    A1 { row, col }.to_string()
}

/// An A1 reference that writes itself without allocating (the cell of
/// every line of `resultat.jsonl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct A1 {
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u32,
}

impl A1 {
    /// Append the reference to `out` (what `Display` writes, without the
    /// formatting machinery: the `cell` of every `resultat.jsonl` line).
    pub fn write_to(self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 7];
        out.extend_from_slice(letters(self.col, &mut buf).as_bytes());
        let mut digits = [0u8; 10];
        let mut n = self.row as u64 + 1;
        let mut start = digits.len();
        while n > 0 && start > 0 {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend_from_slice(&digits[start..]);
    }
}

impl fmt::Display for A1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 7];
        f.write_str(letters(self.col, &mut buf))?;
        write!(f, "{}", self.row as u64 + 1)
    }
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
        assert_eq!(column_letters(u32::MAX), "MWLQKWV");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        for (row, col) in [
            (0, 0),
            (9, 25),
            (99, 26),
            (1_048_575, 16_383),
            (u32::MAX, u32::MAX),
        ] {
            let mut out = Vec::new();
            A1 { row, col }.write_to(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), a1(row, col));
        }
    }

    #[test]
    fn display_leads_with_file_and_sheet() {
        let loc = Location::new("a/kov.xlsx".into(), "System".into(), 11, 5);
        assert_eq!(loc.to_string(), "a/kov.xlsx[System]!F12");
        assert_eq!(loc.file(), "a/kov.xlsx");
        assert_eq!(loc.sheet(), "System");
    }

    #[test]
    fn a_location_is_sixteen_bytes_and_shares_its_sheet() {
        assert_eq!(std::mem::size_of::<Location>(), 16);
        let src = Source::new("a.xlsx".into(), "System".into());
        let a = Location::at(&src, 3, 1);
        let b = a.with_col(4);
        assert!(Arc::ptr_eq(a.source(), b.source()));
        assert!(a.same_row(&b));
        assert!(!a.same_row(&a.with_cell(4, 1)));
        // Equal by content, whether shared or not.
        assert_eq!(a, Location::new("a.xlsx".into(), "System".into(), 3, 1));
        assert!(a < Location::new("b.xlsx".into(), "A".into(), 0, 0));
    }
}
