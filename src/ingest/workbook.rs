//! Opening one workbook with calamine, behind guards: the format is decided
//! by the bytes (not the name), zip archives are checked for bombs before
//! anything is inflated, encrypted workbooks are recognised, and xlsx/xlsb
//! sheets are streamed cell by cell into a sparse [`Grid`] with a row cap,
//! so a stray cell in XFD1048576 never allocates the sheet's bounding box.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsb, Xlsx};

mod xls_guard;

use super::grid::{CellValue, Grid, Merge};
use crate::config::Limits;

/// A whole-file fault; `message` is the Swedish reason for the input log.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFault {
    pub message: String,
    /// For a damaged file: the technical detail the message ends with, so
    /// that [`FileFault::in_sheet`] can say which sheet it is in.
    detail: Option<String>,
}

impl FileFault {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            detail: None,
        }
    }

    /// A damaged file, with the technical detail of what is wrong.
    pub(super) fn corrupt(detail: &str) -> Self {
        Self {
            message: format!("{CORRUPT} (Tekniskt fel: {detail})"),
            detail: Some(detail.to_string()),
        }
    }

    /// A damaged part of sheet `sheet`: the message names the sheet (other
    /// faults already say what they are about and are kept as they are).
    pub(super) fn in_sheet(self, sheet: &str) -> Self {
        match &self.detail {
            Some(detail) => sheet_fault(sheet, detail),
            None => self,
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
        return Err(FileFault::new(format!(
            "Bladet \"{sheet}\" är för stort: det har innehåll på rad {} men gränsen är {} rader per blad.",
            row as u64 + 1,
            limits.max_rader
        )));
    }
    let max = cell_limit(limits);
    if *count > max {
        return Err(FileFault::new(format!(
            "Bladet \"{sheet}\" är för stort: fler än {max} celler."
        )));
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
    FileFault::corrupt(detail)
}

fn sheet_fault(sheet: &str, detail: &str) -> FileFault {
    FileFault::new(format!(
        "Bladet \"{sheet}\" kan inte läsas; filen är skadad eller ofullständig. (Tekniskt fel: {detail})"
    ))
}

const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decide the format from the content, and run the guards of a zip-based
/// format on one opened archive before calamine opens it: the declared
/// unpacked size first (nothing is inflated before it), then the .ods
/// content scan or the xlsx shared-string count.
fn identify(bytes: &[u8], limits: &Limits) -> Result<Format, FileFault> {
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
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileFault::new(CORRUPT))?;
    check_zip(&mut archive, bytes.len() as u64, limits)?;
    let has = |name: &str| archive.index_for_name(name).is_some();
    if has("content.xml") {
        super::ods_guard::check_ods(&mut archive, limits)?;
        Ok(Format::Ods)
    } else if has("xl/workbook.bin") {
        Ok(Format::Xlsb)
    } else if has("xl/workbook.xml") {
        check_shared_strings(&mut archive, limits)?;
        Ok(Format::Xlsx)
    } else {
        Err(FileFault::new(NOT_SPREADSHEET))
    }
}

/// Refuse an xlsx whose shared-string table declares more strings than a
/// sheet may hold cells: calamine reserves room for the declared
/// `uniqueCount` up front, so a 1 kB file declaring 4 294 967 295 strings
/// asks for 100 GB and aborts the process (an allocation failure is no
/// panic and cannot be caught). Only the part calamine reads is checked
/// (see `shared_strings_parts`), and only its start is inflated.
fn check_shared_strings<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(), FileFault> {
    const HEAD: u64 = 64 * 1024;
    let max = cell_limit(limits);
    for name in shared_strings_parts(archive)? {
        let Ok(entry) = archive.by_name(&name) else {
            continue;
        };
        let size = entry.size();
        let mut head = Vec::new();
        if entry.take(HEAD).read_to_end(&mut head).is_err() {
            return Err(FileFault::new(CORRUPT));
        }
        let declared = match sst_unique_count(&head)? {
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

/// The zip entries calamine may read as the shared-string table, as it
/// finds it (0.38, `read_package_relationships` and `read_shared_strings`):
/// the directory of the `officeDocument` target in `_rels/.rels`, plus
/// `sharedStrings.xml`, looked up case-insensitively with `\` read as `/`
/// (the last entry of the same normalised name wins), else by exact name.
///
/// Every `officeDocument` relationship found counts (also one inside a
/// comment), so the set holds calamine's part even where this scan reads
/// the XML differently. Where the relationships cannot be made out, every
/// entry named `…sharedStrings.xml` counts instead. Either set has more
/// than a few members only in a hostile file, which is refused.
fn shared_strings_parts<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<Vec<String>, FileFault> {
    const RELS_MAX: u64 = 256 * 1024;
    const MAX_PARTS: usize = 16;
    let too_many = || FileFault::corrupt("för många delade texttabeller (sharedStrings.xml)");
    let mut cache: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for name in archive.file_names() {
        let Ok(name) = name else {
            return Err(FileFault::new(CORRUPT));
        };
        let key = name.replace('\\', "/").to_ascii_lowercase();
        cache.insert(key, name.into_owned());
    }
    let lookup = |path: &str| -> String {
        cache
            .get(&path.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| path.to_string())
    };
    let mut dirs: Vec<String> = Vec::new();
    let resolved = match archive.by_name(&lookup("_rels/.rels")) {
        Ok(rels) => {
            let size = rels.size();
            let mut xml = Vec::new();
            if rels.take(RELS_MAX).read_to_end(&mut xml).is_err() {
                return Err(FileFault::new(CORRUPT));
            }
            let (targets, complete) = office_document_targets(&xml);
            for target in targets {
                let dir = target.rfind('/').map_or("", |i| &target[..=i]);
                let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
                if dirs.len() > MAX_PARTS {
                    return Err(too_many());
                }
            }
            complete && !dirs.is_empty() && xml.len() as u64 == size
        }
        // Without the package relationships calamine opens nothing.
        Err(zip::result::ZipError::FileNotFound) => return Ok(Vec::new()),
        Err(_) => return Err(FileFault::new(CORRUPT)),
    };
    let mut parts: Vec<String> = if resolved {
        dirs.iter()
            .map(|d| lookup(&format!("{d}sharedStrings.xml")))
            .collect()
    } else {
        cache
            .iter()
            .filter(|(k, _)| k.ends_with("sharedstrings.xml"))
            .map(|(_, v)| v.clone())
            .collect()
    };
    parts.sort();
    parts.dedup();
    if parts.len() > MAX_PARTS {
        return Err(too_many());
    }
    Ok(parts)
}

/// The longest tag name that is read; longer names are none of ours.
const NAME_MAX: usize = 64;
/// The longest start tag whose attributes are read (a real `sst` or
/// `Relationship` tag is a few hundred bytes).
const TAG_MAX: usize = 4096;

/// One start tag found by `start_tags`.
enum Tag<'a> {
    /// The attributes (what follows the name, up to the closing `>`).
    Complete(&'a [u8]),
    /// No `>` before the end of the text.
    Unterminated,
    /// No `>` within `TAG_MAX` bytes.
    TooLong,
}

/// Every start tag in `xml` whose local name is `local`, in a scan that is
/// linear in `xml` (bar `TAG_MAX` per matching tag): each `<` is looked at,
/// even one inside a comment or another tag, so no decoy can hide a tag
/// calamine's XML reader sees. The tag ends at the first `>` outside
/// quotes, as in quick-xml.
fn start_tags<'a>(xml: &'a [u8], local: &'a [u8]) -> impl Iterator<Item = Tag<'a>> + 'a {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while let Some(off) = xml.get(pos..)?.iter().position(|&b| b == b'<') {
            let start = pos + off + 1;
            let name_len = xml[start..]
                .iter()
                .take(NAME_MAX + 1)
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>' | b'<'))
                .unwrap_or(xml.len() - start);
            // Continue after the name: a `<` inside this tag is seen too.
            pos = start;
            if name_len > NAME_MAX {
                continue;
            }
            let name = &xml[start..start + name_len];
            if name.rsplit(|&b| b == b':').next() != Some(local) {
                continue;
            }
            let attrs = &xml[start + name_len..];
            let end = tag_end(&attrs[..attrs.len().min(TAG_MAX)]);
            return Some(match end {
                Some(end) => Tag::Complete(&attrs[..end]),
                None if attrs.len() > TAG_MAX => Tag::TooLong,
                None => Tag::Unterminated,
            });
        }
        None
    })
}

/// Where a tag ends in `attrs` (what follows its name): at the first `>`
/// outside quotes, as in quick-xml (a `>` in a quoted value does not end it).
pub(super) fn tag_end(attrs: &[u8]) -> Option<usize> {
    let mut quote = None;
    attrs.iter().position(|&b| match quote {
        Some(q) => {
            if b == q {
                quote = None;
            }
            false
        }
        None if b == b'"' || b == b'\'' => {
            quote = Some(b);
            false
        }
        None => b == b'>',
    })
}

/// The attributes of a start tag as calamine reads them (`RawAttrIter`):
/// key up to `=`, then a quoted value; malformed input ends the list.
pub(super) fn raw_attrs(tag: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = tag.get(pos..)?;
        let key_start = pos + rest.iter().position(|b| !b.is_ascii_whitespace())?;
        let eq = key_start + tag[key_start..].iter().position(|&b| b == b'=')?;
        let key = tag[key_start..eq].trim_ascii_end();
        let mut v = eq + 1;
        while tag.get(v).is_some_and(u8::is_ascii_whitespace) {
            v += 1;
        }
        let quote = *tag.get(v).filter(|q| matches!(q, b'"' | b'\''))?;
        let val_start = v + 1;
        let val_len = tag[val_start..]
            .iter()
            .position(|&b| b == quote)
            .unwrap_or(tag.len() - val_start);
        pos = val_start + val_len + 1;
        Some((key, &tag[val_start..val_start + val_len]))
    })
}

/// The `Target` of every `Relationship` of type `officeDocument` in a
/// package relationships part, unescaped (and as written, should the
/// unescaping differ). Every such tag counts, and so does every `Target`
/// in it. `false` with them if a `Relationship` tag was too long to read.
fn office_document_targets(xml: &[u8]) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut complete = true;
    for tag in start_tags(xml, b"Relationship") {
        let tag = match tag {
            Tag::Complete(t) => t,
            // quick-xml fails at the end of the part: calamine opens nothing.
            Tag::Unterminated => continue,
            Tag::TooLong => {
                complete = false;
                continue;
            }
        };
        let office = raw_attrs(tag)
            .any(|(k, v)| k == b"Type" && v.ends_with(b"/relationships/officeDocument"));
        if !office {
            continue;
        }
        for (_, v) in raw_attrs(tag).filter(|(k, _)| *k == b"Target") {
            let raw = String::from_utf8_lossy(v);
            if let Some(t) = unescape(&raw) {
                out.push(t);
            }
            out.push(raw.into_owned());
        }
    }
    (out, complete)
}

/// XML's predefined entities and character references, as quick-xml
/// unescapes an attribute; `None` where it would fail.
pub(super) fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';')? + amp;
        let ent = &rest[amp + 1..semi];
        out.push(match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => {
                let n = match ent.strip_prefix("#x") {
                    Some(h) => u32::from_str_radix(h, 16).ok()?,
                    None => ent.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(n)?
            }
        });
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The largest `uniqueCount` of any `sst` start tag in `head` (0 when the
/// tags have none or calamine would not parse it), `None` if there is no
/// complete `sst` start tag. Every such tag counts, so a decoy in a comment
/// cannot hide the one calamine reads. An `sst` start tag longer than
/// `TAG_MAX` is refused (a real one is a few hundred bytes).
fn sst_unique_count(head: &[u8]) -> Result<Option<u64>, FileFault> {
    let mut found: Option<u64> = None;
    for tag in start_tags(head, b"sst") {
        let tag = match tag {
            Tag::Complete(t) => t,
            Tag::Unterminated => break,
            Tag::TooLong => {
                return Err(FileFault::corrupt(
                    "orimligt lång sst-tagg i sharedStrings.xml",
                ))
            }
        };
        // The attribute by its exact key, as calamine looks it up (not the
        // text `uniqueCount` anywhere in the tag: `x="uniqueCount"` is a
        // value, `xuniqueCount` another key). Every such key counts.
        let n = raw_attrs(tag)
            .filter(|(k, _)| *k == b"uniqueCount")
            .map(|(_, v)| declared_count(v))
            .max()
            .unwrap_or(0);
        found = Some(found.map_or(n, |m| m.max(n)));
    }
    Ok(found)
}

/// A declared count as calamine would read it at most: a leading `+` and
/// zeros skipped, then the digits (more than a u64 holds: as large as it
/// gets); 0 when there are none.
pub(super) fn declared_count(v: &[u8]) -> u64 {
    let v = v.trim_ascii();
    let v = v.strip_prefix(b"+").unwrap_or(v);
    let digits: &[u8] = {
        let start = v.iter().position(|b| *b != b'0').unwrap_or(v.len());
        let len = v[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        &v[start..start + len]
    };
    std::str::from_utf8(digits)
        .ok()
        .filter(|d| !d.is_empty())
        .map_or(0, |d| d.parse().unwrap_or(u64::MAX))
}

fn contains_utf16(bytes: &[u8], s: &str) -> bool {
    let needle: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Refuse a zip whose declared inflated size is unreasonable (a zip bomb),
/// before any part of it is inflated (`packed`: the file's size).
fn check_zip<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    packed: u64,
    limits: &Limits,
) -> Result<(), FileFault> {
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| FileFault::new(CORRUPT))?;
        total = total.saturating_add(entry.size());
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared-string guard on a zip's bytes.
    fn sst_check(bytes: &[u8], limits: &Limits) -> Result<(), FileFault> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        check_shared_strings(&mut archive, limits)
    }

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
            e.message,
            "Arbetsbokens celler innehåller sammanlagt mer än 1024 tecken text; filen läses inte."
        );
    }

    #[test]
    fn the_declared_shared_string_count_is_found() {
        let xml = |s: &str| format!("<?xml version=\"1.0\"?>\n<!-- <sst uniqueCount=\"1\"> -->{s}");
        let c = |s: &str| sst_unique_count(xml(s).as_bytes()).unwrap();
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
        let raw = |s: &[u8]| sst_unique_count(s).unwrap();
        assert_eq!(raw(b"<sst><si>"), Some(0));
        assert_eq!(raw(b"<sst count=\"5\"/>"), Some(0));
        assert_eq!(
            c("<sstx uniqueCount=\"5\"><sst uniqueCount=\"6\">"),
            Some(6)
        );
        assert_eq!(
            raw(b"<!-- <sst uniqueCount='1'> --><sst uniqueCount='7000000'>"),
            Some(7_000_000)
        );
        assert_eq!(raw(b"<sst uniqueCount=\"5\""), None);
        assert_eq!(raw(b"no tags at all"), None);
        // A `>` in a quoted value does not end the tag (as in quick-xml).
        assert_eq!(raw(b"<sst a=\"x>y\" uniqueCount=\"9\">"), Some(9));
        // A decoy start tag inside another tag is seen too.
        assert_eq!(
            raw(b"<x a=\"<sst uniqueCount='8'>\"><sst uniqueCount='2'>"),
            Some(8)
        );
        // Only the attribute itself counts, not its name elsewhere in the tag.
        assert_eq!(
            raw(b"<sst x=\"uniqueCount\" uniqueCount=\"4294967295\">"),
            Some(4_294_967_295)
        );
        assert_eq!(
            raw(b"<sst xuniqueCount=\"0\" uniqueCount=\"4294967295\">"),
            Some(4_294_967_295)
        );
        assert_eq!(raw(b"<sst count=\"uniqueCount=9\">"), Some(0));
        // An `sst` tag longer than any real one is refused.
        let long = format!("<sst a=\"{}\" uniqueCount=\"1\">", "x".repeat(TAG_MAX));
        assert!(sst_unique_count(long.as_bytes()).is_err());
        // A long tag of another name is no concern.
        let other = format!("<x a=\"{}\"><sst uniqueCount=\"3\">", "x".repeat(TAG_MAX));
        assert_eq!(raw(other.as_bytes()), Some(3));
    }

    const NS: &str = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";

    fn rels(workbook: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"{workbook}\"/></Relationships>"
        )
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            for (name, content) in entries {
                // Stored: deflating megabytes is slow in a debug build.
                z.start_file(
                    *name,
                    zip::write::SimpleFileOptions::default()
                        .compression_method(zip::CompressionMethod::Stored),
                )
                .unwrap();
                z.write_all(content).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    fn sst_of(unique: u64) -> String {
        format!("<sst {NS} count=\"1\" uniqueCount=\"{unique}\"><si><t>a</t></si></sst>")
    }

    #[test]
    fn only_the_shared_strings_part_calamine_reads_is_checked() {
        let limits = Limits {
            max_rader: 10,
            ..Limits::default()
        };
        let huge = sst_of(4_294_967_295);
        let small = sst_of(3);
        let check = |entries: &[(&str, &[u8])]| sst_check(&zip_of(entries), &limits);
        // The usual place, matched case-insensitively and with `\`.
        let r = rels("xl/workbook.xml");
        for name in [
            "xl/sharedStrings.xml",
            "XL/SHAREDSTRINGS.XML",
            "xl\\sharedStrings.xml",
        ] {
            let e = check(&[("_rels/.rels", r.as_bytes()), (name, huge.as_bytes())]).unwrap_err();
            assert!(
                e.message.contains("4294967295 olika texter"),
                "{name}: {}",
                e.message
            );
        }
        // A part calamine never reads is not looked at.
        assert!(check(&[
            ("_rels/.rels", r.as_bytes()),
            ("xl/sharedStrings.xml", small.as_bytes()),
            ("other/sharedStrings.xml", huge.as_bytes()),
        ])
        .is_ok());
        // The workbook elsewhere (leading `/`, escaped): its directory's part.
        let moved = rels("/w&#x6F;rk/book.xml");
        assert!(check(&[
            ("_rels/.rels", moved.as_bytes()),
            ("xl/sharedStrings.xml", small.as_bytes()),
            ("work/sharedstrings.xml", huge.as_bytes()),
        ])
        .is_err());
        assert!(check(&[
            ("_rels/.rels", moved.as_bytes()),
            ("xl/sharedStrings.xml", huge.as_bytes()),
            ("work/sharedstrings.xml", small.as_bytes()),
        ])
        .is_ok());
        // A decoy relationship in a comment cannot hide the real one.
        let decoy = rels("xl/workbook.xml").replace(
            "<Relationship ",
            "<!-- <Relationship Type=\"x/relationships/officeDocument\" Target=\"a/b\" Id=\"",
        );
        assert!(check(&[
            ("_rels/.rels", decoy.as_bytes()),
            ("xl/sharedStrings.xml", huge.as_bytes()),
        ])
        .is_err());
        // Relationships that cannot be made out: every candidate counts.
        assert!(check(&[
            ("_rels/.rels", b"<Relationships/>".as_slice()),
            ("x/sharedStrings.xml", huge.as_bytes()),
        ])
        .is_err());
        // Without package relationships calamine opens nothing.
        assert!(check(&[("xl/sharedStrings.xml", huge.as_bytes())]).is_ok());
    }

    /// A shared-string part of nothing but `<`, and many of them: the scan
    /// is linear (a quadratic one takes minutes on each 64 kB head).
    #[test]
    fn a_hostile_shared_strings_part_is_scanned_in_linear_time() {
        let limits = Limits {
            max_rader: 10,
            ..Limits::default()
        };
        let lts = vec![b'<'; 1024 * 1024];
        let r = rels("xl/workbook.xml");
        let others: Vec<String> = (0..100)
            .map(|i| format!("d{i}/sharedStrings.xml"))
            .collect();
        let mut entries: Vec<(&str, &[u8])> = vec![("_rels/.rels", r.as_bytes())];
        entries.extend(others.iter().map(|n| (n.as_str(), lts.as_slice())));
        // No `sst` tag at the start of a large part: refused.
        let mut all = entries.clone();
        all.push(("xl/sharedStrings.xml", &lts));
        let e = sst_check(&zip_of(&all), &limits).unwrap_err();
        assert!(e.message.starts_with(CORRUPT), "{}", e.message);
        // A real start tag, then `<` to the end: read and passed.
        let ok = [sst_of(3).as_bytes(), &lts].concat();
        let mut all = entries.clone();
        all.push(("xl/sharedStrings.xml", &ok));
        assert!(sst_check(&zip_of(&all), &limits).is_ok());
        // The same with a declared count too large: refused for it.
        let big = [sst_of(641).as_bytes(), &lts].concat();
        let mut all = entries.clone();
        all.push(("xl/sharedStrings.xml", &big));
        let e = sst_check(&zip_of(&all), &limits).unwrap_err();
        assert!(e.message.contains("641 olika texter"), "{}", e.message);
        // `<sst` over and over, never closed within a tag's length.
        let ssts = b"<sst ".repeat(200_000);
        let mut all = entries.clone();
        all.push(("xl/sharedStrings.xml", &ssts));
        assert!(sst_check(&zip_of(&all), &limits).is_err());
        // Relationships that cannot be made out, with hundreds of parts
        // that might be read: refused without reading them.
        let mut all: Vec<(&str, &[u8])> = vec![("_rels/.rels", &lts)];
        all.extend(others.iter().map(|n| (n.as_str(), lts.as_slice())));
        assert!(sst_check(&zip_of(&all), &limits).is_err());
        // Hostile package relationships are scanned in linear time too.
        let rel_tags = b"<Relationship ".repeat(18_000);
        let mut all: Vec<(&str, &[u8])> = vec![("_rels/.rels", &rel_tags)];
        all.push(("xl/sharedStrings.xml", &ok));
        assert!(sst_check(&zip_of(&all), &limits).is_ok());
    }
}
