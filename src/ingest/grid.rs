//! A sheet as read: its non-empty cells at their true (absolute) positions,
//! plus merged regions. Sparse, so a stray far-away cell costs nothing.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

/// One cell's content, independent of the file format.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Text(String),
    Float(f64),
    Int(i64),
    Bool(bool),
    /// A number with a date format (the workbook's date system applied).
    DateTime(NaiveDateTime),
    /// ISO 8601 text from an .ods date cell.
    DateIso(String),
    /// A formula error such as `#N/A`.
    Error(String),
}

impl CellValue {
    /// The cell as a person would read it, for warnings.
    pub fn shown(&self) -> String {
        match self {
            CellValue::Text(s) => s.clone(),
            CellValue::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", *f as i64)
                } else {
                    f.to_string().replace('.', ",")
                }
            }
            CellValue::Int(i) => i.to_string(),
            CellValue::Bool(true) => "SANT".into(),
            CellValue::Bool(false) => "FALSKT".into(),
            CellValue::DateTime(d) => crate::model::iso_date(d.date()),
            CellValue::DateIso(s) => s.clone(),
            CellValue::Error(e) => e.clone(),
        }
    }
}

/// A merged region, zero-based inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

/// The non-empty cells of one sheet.
#[derive(Debug, Default, Clone)]
pub struct Grid {
    pub rows: BTreeMap<u32, BTreeMap<u32, CellValue>>,
    pub merges: Vec<Merge>,
}

impl Grid {
    pub fn insert(&mut self, row: u32, col: u32, v: CellValue) {
        if let CellValue::Text(s) = &v {
            if s.trim().is_empty() {
                return;
            }
        }
        self.rows.entry(row).or_default().insert(col, v);
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&CellValue> {
        self.rows.get(&row).and_then(|r| r.get(&col))
    }

    /// The last column of the merged region starting at this cell, if any.
    pub fn merge_end_col(&self, row: u32, col: u32) -> Option<u32> {
        self.merges
            .iter()
            .find(|m| m.first_row == row && m.first_col == col)
            .map(|m| m.last_col)
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
