//! Opening one workbook with calamine, behind guards: the format is decided
//! by the bytes (not the name), zip archives are checked for bombs before
//! anything is inflated, encrypted workbooks are recognised, and xlsx/xlsb
//! sheets are streamed cell by cell into a sparse [`Grid`] with a row cap,
//! so a stray cell in XFD1048576 never allocates the sheet's bounding box.
//!
//! One concern per file: [`fault`] the whole-file fault and its messages,
//! [`format`] format detection (running each format's guard), [`xml`] the
//! XML scanner the guards share, [`zip_guard`] the zip-bomb check,
//! [`xlsx_guard`] the shared-string check, [`ods_guard`] and [`xls_guard`]
//! the .ods and .xls pre-scans; this file opens the workbook with calamine.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsb, Xlsx};

mod fault;
mod format;
mod ods_guard;
mod xls_guard;
mod xlsx_guard;
mod xml;
mod zip_guard;

use fault::{open_fault, sheet_fault, too_much_text};
pub use fault::{FileFault, CORRUPT, ENCRYPTED, NOT_SPREADSHEET};
use format::{identify, Format};

use super::grid::{CellValue, Grid, Merge};
use crate::config::Limits;

/// Stream one sheet's cells into a sparse grid, stopping at the size limits
/// (xlsx and xlsb readers share this shape but no trait).
macro_rules! stream_sheet {
    ($wb:expr, $name:expr, $limits:expr, $text:expr) => {{
        let name: &str = $name;
        let mut grid = Grid::default();
        let mut reader = $wb
            .worksheet_cells_reader(name)
            .map_err(|e| sheet_fault(name, &e.to_string()))?;
        let mut count = 0u64;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| sheet_fault(name, &e.to_string()))?
        {
            let (r, c) = cell.get_position();
            check_size(name, r, &mut count, $limits)?;
            check_text(ref_text_len(cell.get_value()), $text, $limits)?;
            if let Some(v) = from_ref(cell.get_value()) {
                grid.insert(r, c, v);
            }
        }
        grid
    }};
}

/// Whether and how a sheet is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Never parsed.
    No,
    /// Its cells.
    Cells,
    /// Its cells and merged regions. Only key-value sheets need the merges
    /// (a value may sit right of a merged key), and calamine finds an
    /// xlsx sheet's merges by parsing the whole sheet a second time.
    CellsAndMerges,
}

/// The sheets of a workbook that the contract knows, read into grids, in
/// workbook order. Sheets whose names are not wanted are never parsed.
pub fn read_sheets(
    bytes: &[u8],
    wanted: &dyn Fn(&str) -> Wanted,
    limits: &Limits,
) -> Result<Vec<(String, Grid)>, FileFault> {
    let format = identify(bytes, limits)?;
    // Text in all the grids of this workbook (see `check_text`).
    let mut text = 0u64;
    match format {
        Format::Xlsx => {
            let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| open_fault(&e.to_string()))?;
            let mut out = Vec::new();
            for name in wb.sheet_names() {
                let how = wanted(&name);
                if how == Wanted::No {
                    continue;
                }
                let mut grid = stream_sheet!(wb, &name, limits, &mut text);
                if how == Wanted::CellsAndMerges {
                    if let Ok(merges) = wb.merge_cells_by_sheet_name(&name) {
                        grid.merges = merges.iter().map(to_merge).collect();
                    }
                }
                out.push((name, grid));
            }
            Ok(out)
        }
        Format::Xlsb => {
            let mut wb = Xlsb::new(Cursor::new(bytes)).map_err(|e| open_fault(&e.to_string()))?;
            let mut out = Vec::new();
            for name in wb
                .sheet_names()
                .into_iter()
                .filter(|n| wanted(n) != Wanted::No)
            {
                let grid = stream_sheet!(wb, &name, limits, &mut text);
                out.push((name, grid));
            }
            Ok(out)
        }
        Format::Ods => {
            let mut wb = Ods::new(Cursor::new(bytes)).map_err(|e| open_fault(&e.to_string()))?;
            read_ranges(&mut wb, wanted, limits, &mut text, |_, _| Vec::new())
        }
        Format::Xls => {
            xls_guard::check_xls(bytes, limits)?;
            let mut wb = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::XlsError::Password => FileFault::Encrypted,
                other => open_fault(&other.to_string()),
            })?;
            let merges = |wb: &Xls<_>, name: &str| {
                wb.merge_cells_by_sheet_name(name)
                    .map(|m| m.iter().map(to_merge).collect())
                    .unwrap_or_default()
            };
            read_ranges(&mut wb, wanted, limits, &mut text, merges)
        }
    }
}

fn read_ranges<R, RS>(
    wb: &mut R,
    wanted: &dyn Fn(&str) -> Wanted,
    limits: &Limits,
    text: &mut u64,
    merges: impl Fn(&R, &str) -> Vec<Merge>,
) -> Result<Vec<(String, Grid)>, FileFault>
where
    R: Reader<RS>,
    RS: Read + Seek,
    R::Error: std::fmt::Display,
{
    let names = wb.sheet_names();
    let mut out = Vec::new();
    for name in names {
        let how = wanted(&name);
        if how == Wanted::No {
            continue;
        }
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_fault(&name, &e.to_string()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut grid = Grid::default();
        let mut count = 0u64;
        for (r, c, v) in range.used_cells() {
            let (r, c) = (r0 + r as u32, c0 + c as u32);
            check_size(&name, r, &mut count, limits)?;
            check_text(data_text_len(v), text, limits)?;
            if let Some(v) = from_data(v) {
                grid.insert(r, c, v);
            }
        }
        if how == Wanted::CellsAndMerges {
            grid.merges = merges(wb, &name);
        }
        out.push((name, grid));
    }
    Ok(out)
}

fn check_size(sheet: &str, row: u32, count: &mut u64, limits: &Limits) -> Result<(), FileFault> {
    *count += 1;
    if row >= limits.max_rader {
        return Err(FileFault::RowLimit {
            sheet: sheet.to_string(),
            row: row as u64 + 1,
            max_rows: limits.max_rader,
        });
    }
    let max = cell_limit(limits);
    if *count > max {
        return Err(FileFault::CellLimit {
            sheet: sheet.to_string(),
            max,
        });
    }
    Ok(())
}

/// Cells one sheet may hold: 64 × the row limit (every guard and the
/// reader count against the same figure).
pub(super) fn cell_limit(limits: &Limits) -> u64 {
    u64::from(limits.max_rader) * 64
}

/// Characters of text the cells of one workbook may hold together: 1 024
/// × the row limit (16 characters a cell at the cell limit). A shared
/// string is stored once in the file but copied into every cell that
/// refers to it, so without this a 500 kB xlsx whose 100 000 cells all
/// refer to one string of 32 767 characters took 3.3 GB.
pub(super) fn text_limit(limits: &Limits) -> u64 {
    u64::from(limits.max_rader) * 1024
}

/// Add a cell's text to the workbook's, before it is copied into a grid.
fn check_text(chars: usize, text: &mut u64, limits: &Limits) -> Result<(), FileFault> {
    *text += chars as u64;
    let limit = text_limit(limits);
    if *text > limit {
        return Err(too_much_text(limit));
    }
    Ok(())
}

fn ref_text_len(v: &DataRef<'_>) -> usize {
    match v {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.chars().count(),
        DataRef::SharedString(s) => s.chars().count(),
        _ => 0,
    }
}

fn data_text_len(v: &Data) -> usize {
    match v {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().count(),
        _ => 0,
    }
}

fn to_merge(d: &calamine::Dimensions) -> Merge {
    Merge {
        first_row: d.start.0,
        first_col: d.start.1,
        last_row: d.end.0,
        last_col: d.end.1,
    }
}

fn from_ref(v: &DataRef<'_>) -> Option<CellValue> {
    Some(match v {
        DataRef::Int(i) => CellValue::Int(*i),
        DataRef::Float(f) => CellValue::Float(*f),
        DataRef::String(s) => CellValue::Text(s.clone()),
        DataRef::SharedString(s) => CellValue::Text((*s).to_string()),
        DataRef::Bool(b) => CellValue::Bool(*b),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(dt) if !d.is_duration() => CellValue::DateTime(dt),
            _ => CellValue::Float(d.as_f64()),
        },
        DataRef::DateTimeIso(s) => CellValue::DateIso(s.clone()),
        DataRef::DurationIso(s) => CellValue::Text(s.clone()),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
        DataRef::Empty => return None,
    })
}

fn from_data(v: &Data) -> Option<CellValue> {
    Some(match v {
        Data::Int(i) => CellValue::Int(*i),
        Data::Float(f) => CellValue::Float(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if !d.is_duration() => CellValue::DateTime(dt),
            _ => CellValue::Float(d.as_f64()),
        },
        Data::DateTimeIso(s) => CellValue::DateIso(s.clone()),
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
        Data::Empty => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_copy_of_a_shared_string_counts_toward_the_text_limit() {
        // One string of 600 characters, shared by the cells that hold it.
        let xlsx = |cells: u16| {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet().set_name("System").unwrap();
            for c in 0..cells {
                ws.write_string(0, c, "x".repeat(600)).unwrap();
            }
            wb.save_to_buffer().unwrap()
        };
        // One row allowed: 1 024 characters of text.
        let limits = Limits {
            max_rader: 1,
            ..Limits::default()
        };
        assert_eq!(text_limit(&limits), 1024);
        let all = |_: &str| Wanted::Cells;
        assert!(read_sheets(&xlsx(1), &all, &limits).is_ok());
        let e = read_sheets(&xlsx(2), &all, &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Arbetsbokens celler innehåller sammanlagt mer än 1024 tecken text; filen läses inte."
        );
    }
}
