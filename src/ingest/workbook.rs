//! Opening one workbook with calamine, behind guards: the format is decided
//! by the bytes (not the name), zip archives are checked for bombs before
//! anything is inflated, encrypted workbooks are recognised, and xlsx/xlsb
//! sheets are streamed cell by cell into a sparse [`Grid`] with a row cap,
//! so a stray cell in XFD1048576 never allocates the sheet's bounding box.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsb, Xlsx};

mod xls_guard;

use super::grid::{CellValue, Grid, Merge};
use super::header;
use crate::config::Limits;

/// A whole-file fault; `message` is the Swedish reason for the input log.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFault {
    pub message: String,
}

impl FileFault {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

pub const NOT_SPREADSHEET: &str =
    "Filen är inget kalkylark som kan läsas (innehållet är varken xlsx, xlsm, xlsb, xls eller ods).";
pub const CORRUPT: &str =
    "Filen är skadad eller ofullständig och kan inte öppnas; spara om den och lämna in den igen.";
pub const ENCRYPTED: &str =
    "Arbetsboken är lösenordsskyddad (krypterad) och kan inte läsas; spara den utan lösenord och lämna in den igen.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

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

/// The sheets of a workbook that the contract knows, read into grids, in
/// workbook order. Sheets whose names are not wanted are never parsed.
pub fn read_sheets(
    bytes: &[u8],
    wanted: &dyn Fn(&str) -> bool,
    limits: &Limits,
) -> Result<Vec<(String, Grid)>, FileFault> {
    let format = sniff(bytes)?;
    // Text in all the grids of this workbook (see `check_text`).
    let mut text = 0u64;
    match format {
        Format::Xlsx => {
            check_shared_strings(bytes, limits)?;
            let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| open_fault(&e.to_string()))?;
            let mut out = Vec::new();
            for name in wb.sheet_names().into_iter().filter(|n| wanted(n)) {
                let mut grid = stream_sheet!(wb, &name, limits, &mut text);
                if let Ok(merges) = wb.merge_cells_by_sheet_name(&name) {
                    grid.merges = merges.iter().map(to_merge).collect();
                }
                out.push((name, grid));
            }
            Ok(out)
        }
        Format::Xlsb => {
            let mut wb = Xlsb::new(Cursor::new(bytes)).map_err(|e| open_fault(&e.to_string()))?;
            let mut out = Vec::new();
            for name in wb.sheet_names().into_iter().filter(|n| wanted(n)) {
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
                calamine::XlsError::Password => FileFault::new(ENCRYPTED),
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
    wanted: &dyn Fn(&str) -> bool,
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
    for name in names.into_iter().filter(|n| wanted(n)) {
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
        grid.merges = merges(wb, &name);
        out.push((name, grid));
    }
    Ok(out)
}

fn check_size(sheet: &str, row: u32, count: &mut u64, limits: &Limits) -> Result<(), FileFault> {
    *count += 1;
    if row >= limits.max_rader {
        return Err(FileFault::new(format!(
            "Bladet \"{sheet}\" är för stort: det har innehåll på rad {} men gränsen är {} rader per blad.",
            row as u64 + 1,
            limits.max_rader
        )));
    }
    if *count > u64::from(limits.max_rader) * 64 {
        return Err(FileFault::new(format!(
            "Bladet \"{sheet}\" är för stort: fler än {} celler.",
            u64::from(limits.max_rader) * 64
        )));
    }
    Ok(())
}

/// Characters of text the cells of one workbook may hold together: 1 024
/// × the row limit (16 characters a cell at the cell limit). A shared
/// string is stored once in the file but copied into every cell that
/// refers to it, so without this a 500 kB xlsx whose 100 000 cells all
/// refer to one string of 32 767 characters took 3.3 GB.
pub(super) fn text_limit(limits: &Limits) -> u64 {
    u64::from(limits.max_rader) * 1024
}

pub(super) fn too_much_text(limit: u64) -> FileFault {
    FileFault::new(format!(
        "Arbetsbokens celler innehåller sammanlagt mer än {limit} tecken text; filen läses inte."
    ))
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

fn open_fault(detail: &str) -> FileFault {
    let lower = detail.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        return FileFault::new(ENCRYPTED);
    }
    FileFault::new(format!("{CORRUPT} (Tekniskt fel: {detail})"))
}

fn sheet_fault(sheet: &str, detail: &str) -> FileFault {
    FileFault::new(format!(
        "Bladet \"{sheet}\" kan inte läsas; filen är skadad eller ofullständig. (Tekniskt fel: {detail})"
    ))
}

const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decide the format from the content.
fn sniff(bytes: &[u8]) -> Result<Format, FileFault> {
    if bytes.starts_with(CFB_MAGIC) {
        // An encrypted OOXML workbook is a CFB container holding these streams.
        if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo") {
            return Err(FileFault::new(ENCRYPTED));
        }
        return Ok(Format::Xls);
    }
    if !bytes.starts_with(b"PK") {
        return Err(FileFault::new(NOT_SPREADSHEET));
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileFault::new(CORRUPT))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|r| r.ok())
        .map(|c| c.into_owned())
        .collect();
    if names.iter().any(|n| n == "content.xml") {
        Ok(Format::Ods)
    } else if names.iter().any(|n| n == "xl/workbook.bin") {
        Ok(Format::Xlsb)
    } else if names.iter().any(|n| n == "xl/workbook.xml") {
        Ok(Format::Xlsx)
    } else {
        Err(FileFault::new(NOT_SPREADSHEET))
    }
}

/// Refuse an xlsx whose shared-string table declares more strings than a
/// sheet may hold cells: calamine reserves room for the declared
/// `uniqueCount` up front, so a 1 kB file declaring 4 294 967 295 strings
/// asks for 100 GB and aborts the process (an allocation failure is no
/// panic and cannot be caught). Only the start of the part is inflated.
fn check_shared_strings(bytes: &[u8], limits: &Limits) -> Result<(), FileFault> {
    const HEAD: u64 = 64 * 1024;
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileFault::new(CORRUPT))?;
    let max = u64::from(limits.max_rader) * 64;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            continue;
        };
        let name = String::from_utf8_lossy(entry.name_raw())
            .replace('\\', "/")
            .to_lowercase();
        if !name.ends_with("sharedstrings.xml") {
            continue;
        }
        let size = entry.size();
        let mut head = Vec::new();
        if entry.take(HEAD).read_to_end(&mut head).is_err() {
            return Err(FileFault::new(CORRUPT));
        }
        let declared = match sst_unique_count(&head) {
            Some(n) => n,
            // No start tag in the first 64 kB of a larger part: refused
            // rather than trusted (a real one starts within 100 bytes).
            None if size > HEAD => return Err(FileFault::new(CORRUPT)),
            None => 0,
        };
        if declared > max {
            return Err(FileFault::new(format!(
                "Arbetsboken säger sig innehålla {declared} olika texter, fler än ett blad får ha celler ({max}), och läses inte."
            )));
        }
    }
    Ok(())
}

/// The largest `uniqueCount` of any `sst` start tag in `head` (0 when the
/// tags have none or calamine would not parse it), `None` if there is no
/// complete `sst` start tag. Every such tag counts, so a decoy in a comment
/// cannot hide the one calamine reads.
fn sst_unique_count(head: &[u8]) -> Option<u64> {
    let mut pos = 0;
    let mut found: Option<u64> = None;
    while let Some(off) = head[pos..].iter().position(|&b| b == b'<') {
        let start = pos + off + 1;
        let Some(len) = head[start..].iter().position(|&b| b == b'>') else {
            break;
        };
        let tag = &head[start..start + len];
        // Continue inside the tag too: a tag in a comment is still seen.
        pos = start;
        let name_len = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if local != b"sst" {
            continue;
        }
        let n = tag
            .windows(b"uniqueCount".len())
            .position(|w| w == b"uniqueCount")
            .map_or(0, |at| {
                let digits: Vec<u8> = tag[at + b"uniqueCount".len()..]
                    .iter()
                    .copied()
                    .skip_while(|b| {
                        b.is_ascii_whitespace() || *b == b'=' || *b == b'"' || *b == b'\''
                    })
                    .skip_while(|b| *b == b'+' || *b == b'0')
                    .take_while(u8::is_ascii_digit)
                    .collect();
                // More digits than a u64 holds: as large as it gets.
                std::str::from_utf8(&digits)
                    .ok()
                    .filter(|d| !d.is_empty())
                    .map_or(0, |d| d.parse().unwrap_or(u64::MAX))
            });
        found = Some(found.map_or(n, |m| m.max(n)));
    }
    found
}

fn contains_utf16(bytes: &[u8], s: &str) -> bool {
    let needle: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Refuse a zip whose declared inflated size is unreasonable (a zip bomb),
/// before any part of it is inflated. Returns `Ok` for non-zip content.
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), FileFault> {
    if !bytes.starts_with(b"PK") {
        return Ok(());
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileFault::new(CORRUPT))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| FileFault::new(CORRUPT))?;
        total = total.saturating_add(entry.size());
    }
    let packed = bytes.len() as u64;
    let mb = |b: u64| b / (1024 * 1024);
    if total > limits.max_uppackat_mb * 1024 * 1024
        || (total > 10 * 1024 * 1024 && total / packed.max(1) > limits.max_packningsgrad)
    {
        return Err(FileFault::new(format!(
            "Filen packas upp till orimligt mycket ({} MB ur {} kB) och läses inte (misstänkt zip-bomb).",
            mb(total),
            packed / 1024
        )));
    }
    Ok(())
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

/// Whether a sheet name is one of the given contract sheet names.
pub fn sheet_is(name: &str, contract_names: &[&str]) -> bool {
    contract_names.iter().any(|c| header::same(name, c))
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
        let all = |_: &str| true;
        assert!(read_sheets(&xlsx(1), &all, &limits).is_ok());
        let e = read_sheets(&xlsx(2), &all, &limits).unwrap_err();
        assert_eq!(
            e.message,
            "Arbetsbokens celler innehåller sammanlagt mer än 1024 tecken text; filen läses inte."
        );
    }

    #[test]
    fn the_declared_shared_string_count_is_found() {
        let xml = |s: &str| format!("<?xml version=\"1.0\"?>\n<!-- <sst uniqueCount=\"1\"> -->{s}");
        let c = |s: &str| sst_unique_count(xml(s).as_bytes());
        assert_eq!(
            c("<sst xmlns=\"x\" count=\"3\" uniqueCount=\"2\"><si>"),
            Some(2)
        );
        assert_eq!(
            c("<x:sst uniqueCount = '+004294967295'>"),
            Some(4_294_967_295)
        );
        assert_eq!(
            c("<sst uniqueCount=\"99999999999999999999999\">"),
            Some(u64::MAX)
        );
        assert_eq!(c("<sst><si>"), Some(1));
        assert_eq!(sst_unique_count(b"<sst><si>"), Some(0));
        assert_eq!(sst_unique_count(b"<sst count=\"5\"/>"), Some(0));
        assert_eq!(
            c("<sstx uniqueCount=\"5\"><sst uniqueCount=\"6\">"),
            Some(6)
        );
        assert_eq!(
            sst_unique_count(b"<!-- <sst uniqueCount='1'> --><sst uniqueCount='7000000'>"),
            Some(7_000_000)
        );
        assert_eq!(sst_unique_count(b"<sst uniqueCount=\"5\""), None);
        assert_eq!(sst_unique_count(b"no tags at all"), None);
    }
}
