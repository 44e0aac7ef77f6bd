//! Turning a sheet's grid into typed records by its schema: header-row
//! search in the first 20 rows, free column order, aliases, blank rows
//! skipped (tables); key in the first non-empty column, value in the next
//! (key–value sheets). Every unreadable cell becomes missing plus a warning.

use std::sync::Arc;

use super::grid::Grid;
use super::header::match_column;
use super::values::normalize;
use super::warning::CellWarning;
use crate::model::{Layout, Location, Record, SheetSchema, Source, Value};

/// How many rows from the top the header row may stand in.
pub const HEADER_SEARCH_ROWS: u32 = 20;

/// Read a table sheet into records.
pub fn read_table<T: Record>(
    file: &Arc<str>,
    sheet: &Arc<str>,
    grid: &Grid,
    warnings: &mut Vec<CellWarning>,
) -> Vec<Arc<T>> {
    let schema = T::SCHEMA;
    debug_assert_eq!(schema.layout, Layout::Table);
    let source = Source::new(file.clone(), sheet.clone());
    let Some((header_row, columns)) = find_header(schema, grid) else {
        if grid.is_empty() {
            return Vec::new(); // an empty sheet: no rows, nothing to warn about
        }
        warnings.push(CellWarning {
            loc: Location::at(&source, 0, 0),
            found: String::new(),
            expected: format!("en rubrikrad med {}", required_headers(schema)),
            message: format!(
                "Ingen rubrikrad hittades bland de {HEADER_SEARCH_ROWS} första raderna; bladet ska ha rubrikerna {}",
                required_headers(schema)
            ),
        });
        return Vec::new();
    };
    let first_col = columns.iter().flatten().copied().min().unwrap_or(0);
    for (i, col) in columns.iter().enumerate() {
        if col.is_none() && !schema.is_optional(schema.columns[i].name) {
            let header = schema.columns[i].header;
            warnings.push(CellWarning {
                loc: Location::at(&source, header_row, first_col),
                found: String::new(),
                expected: format!("kolumnen \"{header}\""),
                message: format!(
                    "Kolumnen \"{header}\" saknas i rubrikraden; dess värden räknas som saknade"
                ),
            });
        }
    }
    let mut out = Vec::new();
    for (&r, cells) in grid.rows.range(header_row + 1..) {
        let mapped = columns.iter().flatten().any(|c| cells.contains_key(c));
        if !mapped {
            continue; // a blank row (or one with only unknown columns)
        }
        let row_loc = Location::at(&source, r, first_col);
        let values = columns
            .iter()
            .enumerate()
            .map(|(i, col)| match col {
                Some(c) => {
                    let loc = row_loc.with_col(*c);
                    let value = cells
                        .get(c)
                        .and_then(|cell| read_cell(schema, i, cell, &loc, warnings));
                    (value, loc)
                }
                None => (None, row_loc.clone()),
            })
            .collect();
        out.push(Arc::new(T::from_values(row_loc, values)));
    }
    out
}

fn read_cell(
    schema: &SheetSchema,
    i: usize,
    cell: &super::grid::CellValue,
    loc: &Location,
    warnings: &mut Vec<CellWarning>,
) -> Option<Value> {
    match normalize(schema.columns[i].kind, cell) {
        Ok(v) => v,
        Err(e) => {
            warnings.push(CellWarning {
                loc: loc.clone(),
                found: e.found,
                expected: e.expected,
                message: format!("{}: {}", schema.columns[i].header, e.message),
            });
            None
        }
    }
}

fn required_headers(schema: &SheetSchema) -> String {
    schema
        .required
        .iter()
        .filter_map(|n| schema.column(n))
        .map(|(_, c)| format!("\"{}\"", c.header))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The header row and, per schema column, the sheet column it stands in.
///
/// The first row holding the required column names and at least two known
/// column names wins, so a title cell that happens to equal a column name
/// (the title "System" above the System table) is not taken for the header.
/// Failing that, the first row holding the required names, then the row
/// with the most known names.
fn find_header(schema: &SheetSchema, grid: &Grid) -> Option<(u32, Vec<Option<u32>>)> {
    let mut best: Option<(u32, Vec<Option<u32>>, usize)> = None;
    let mut first_required: Option<(u32, Vec<Option<u32>>)> = None;
    let enough = schema.columns.len().min(2);
    for (&r, cells) in grid.rows.range(..HEADER_SEARCH_ROWS) {
        let mut columns = vec![None; schema.columns.len()];
        for (&c, cell) in cells {
            if let super::grid::CellValue::Text(t) = cell {
                if let Some(i) = match_column(schema, t) {
                    if columns[i].is_none() {
                        columns[i] = Some(c);
                    }
                }
            }
        }
        let has_required = schema
            .required
            .iter()
            .all(|n| schema.column(n).is_some_and(|(i, _)| columns[i].is_some()));
        let count = columns.iter().filter(|c| c.is_some()).count();
        if has_required && count >= enough && count > 0 {
            return Some((r, columns));
        }
        if has_required && count > 0 && first_required.is_none() {
            first_required = Some((r, columns.clone()));
        }
        if count >= 2 && best.as_ref().is_none_or(|b| count > b.2) {
            best = Some((r, columns, count));
        }
    }
    first_required.or(best.map(|(r, c, _)| (r, c)))
}

/// Read a key–value sheet into one record.
pub fn read_key_values<T: Record>(
    file: &Arc<str>,
    sheet: &Arc<str>,
    grid: &Grid,
    warnings: &mut Vec<CellWarning>,
    warn_missing_keys: bool,
) -> T {
    let schema = T::SCHEMA;
    debug_assert_eq!(schema.layout, Layout::KeyValue);
    let origin = Location::new(file.clone(), sheet.clone(), 0, 0);
    let mut values: Vec<Option<(Option<Value>, Location)>> = vec![None; schema.columns.len()];
    for (&r, cells) in &grid.rows {
        let Some((&c, key)) = cells.iter().next() else {
            continue;
        };
        let super::grid::CellValue::Text(key) = key else {
            continue;
        };
        let Some(i) = match_column(schema, key) else {
            continue;
        };
        if values[i].is_some() {
            continue; // the first occurrence of a key wins
        }
        let value_col = grid.merge_end_col(r, c).unwrap_or(c) + 1;
        let loc = origin.with_cell(r, value_col);
        let value = cells
            .get(&value_col)
            .and_then(|cell| read_cell(schema, i, cell, &loc, warnings));
        values[i] = Some((value, loc));
    }
    let values = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            v.unwrap_or_else(|| {
                if warn_missing_keys && !schema.is_optional(schema.columns[i].name) {
                    let header = schema.columns[i].header;
                    warnings.push(CellWarning {
                        loc: origin.clone(),
                        found: String::new(),
                        expected: format!("raden \"{header}\""),
                        message: format!(
                            "Nyckeln \"{header}\" saknas i bladet; dess värde räknas som saknat"
                        ),
                    });
                }
                (None, origin.clone())
            })
        })
        .collect();
    T::from_values(origin, values)
}
