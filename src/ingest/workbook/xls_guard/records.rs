//! The BIFF records of the workbook stream: the globals (sheets, shared
//! strings, names), each sheet's cells as calamine keeps them, and the
//! limits checked against what calamine would allocate from them.

use std::collections::HashMap;

use super::formula::formula_cost;
use super::{u16_at, u32_at, FileFault, XlsLimits};
use crate::ingest::workbook::fault::too_much_text;
use crate::model::A1;

/// The cells of a BIFF8 sheet: 65 536 rows × 256 columns. A DIMENSIONS
/// record may not declare more (calamine reserves room for what it
/// declares, and a legitimate file never declares more).
const BIFF8_GRID: u64 = 65_536 * 256;
/// Most sheets in a workbook (each costs calamine a parse and a range).
const MAX_SHEETS: usize = 1024;
/// Most bytes moved while calamine builds the formulas' text (≈ a second).
const MAX_FORMULA_WORK: u64 = 1 << 33;
/// Most CONTINUE records of the shared-string table: calamine takes each
/// off the front of a list, moving the rest (n² / 2 moves of 16 bytes; at
/// this limit the same 2³³ bytes). Excel fills each record, so a 50 MB
/// file has some 6 000.
const MAX_SST_CONTINUES: usize = 32_768;

/// The shared-string table's record type.
const SST: u16 = 0x00FC;

/// One record as calamine's `RecordIter` yields it: its type, its data and
/// the CONTINUE records (0x003C) that follow it.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    /// Where the record starts in the stream (for messages).
    at: usize,
    /// The data of the CONTINUE records (kept only for the SST).
    cont: Vec<&'a [u8]>,
}

struct Records<'a> {
    stream: &'a [u8],
    pos: usize,
    /// The record type whose CONTINUE data is kept (only the SST needs it).
    keep_cont_of: Option<u16>,
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8], pos: usize, keep_cont_of: Option<u16>) -> Self {
        Self {
            stream,
            pos,
            keep_cont_of,
        }
    }

    fn next(&mut self) -> Result<Option<Record<'a>>, FileFault> {
        let rest = &self.stream[self.pos..];
        if rest.len() < 4 {
            return if rest.is_empty() {
                Ok(None)
            } else {
                Err(self.truncated(self.pos))
            };
        }
        let at = self.pos;
        let typ = u16::from_le_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_le_bytes([rest[2], rest[3]]));
        if rest.len() < len + 4 {
            return Err(self.truncated(at));
        }
        let data = &rest[4..4 + len];
        self.pos += 4 + len;
        let mut cont = Vec::new();
        // calamine appends the CONTINUE records that follow (while more
        // than a record header is left).
        loop {
            let next = &self.stream[self.pos..];
            if next.len() <= 4 || u16::from_le_bytes([next[0], next[1]]) != 0x003C {
                break;
            }
            let clen = usize::from(u16::from_le_bytes([next[2], next[3]]));
            if next.len() < clen + 4 {
                return Err(self.truncated(self.pos));
            }
            if Some(typ) == self.keep_cont_of {
                cont.push(&next[4..4 + clen]);
            }
            self.pos += 4 + clen;
        }
        Ok(Some(Record {
            typ,
            data,
            at,
            cont,
        }))
    }

    fn truncated(&self, at: usize) -> FileFault {
        FileFault::corrupt(&format!(
            "posten på byte {at} i arbetsbokens ström är längre än det som finns kvar av strömmen."
        ))
    }
}

fn short_record(r: &Record<'_>, name: &str) -> FileFault {
    FileFault::corrupt(&format!(
        "posten {name} (0x{:04X}) på byte {} är för kort ({} byte).",
        r.typ,
        r.at,
        r.data.len()
    ))
}

/// What the workbook globals (up to the first EOF) tell.
pub(super) struct Globals {
    /// Each BOUNDSHEET: where calamine starts parsing it, and its name.
    pub(super) sheets: Vec<(usize, String)>,
    /// Characters of each shared string.
    pub(super) sst: Vec<u32>,
    /// Whether calamine treats the file as BIFF5 or earlier.
    pub(super) pre_biff8: bool,
    /// Most bytes a sheet name or a defined name takes in UTF-8.
    pub(super) sheet_name_max: u64,
    pub(super) name_max: u64,
    /// Text of the defined names (the name, its formula and the sheet's
    /// name calamine puts in front), as an upper bound.
    pub(super) names_text: u64,
}

/// calamine's BIFF version from a BOF record (`parse_bof`): `true` for
/// BIFF5 and earlier.
fn bof_pre_biff8(data: &[u8]) -> bool {
    let version = u16_at(data, 0).unwrap_or(0x0600);
    let dt = u16_at(data, 2).unwrap_or(0);
    match version {
        0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500 => true,
        0 => dt == 0x1000,
        _ => false,
    }
}

/// The sheet name of a BOUNDSHEET record, for the messages (calamine's
/// decoding of a non-Unicode name may differ; the length does not).
fn sheet_name(data: &[u8], pre_biff8: bool) -> (String, u64) {
    let cch = data.get(6).copied().unwrap_or(0);
    let (high, chars) = if pre_biff8 {
        (false, data.get(7..).unwrap_or(&[]))
    } else {
        (
            data.get(7).is_some_and(|f| f & 1 != 0),
            data.get(8..).unwrap_or(&[]),
        )
    };
    let mut name = if high {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(usize::from(cch))
            .map(|u| u16::from_le_bytes([u[0], u[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        chars
            .iter()
            .take(usize::from(cch))
            .map(|&b| char::from(b))
            .collect()
    };
    name.retain(|c| c != '\0');
    (name, 3 * u64::from(cch))
}

/// The character count of every string in an SST record, read exactly as
/// calamine's `parse_sst` reads them (across CONTINUE records); refused
/// beyond `max` strings.
fn sst_lengths(r: &Record<'_>, max: u64) -> Result<Vec<u32>, FileFault> {
    struct Cur<'a, 'b> {
        data: &'a [u8],
        cont: &'b [&'a [u8]],
    }
    impl Cur<'_, '_> {
        fn next_cont(&mut self) -> bool {
            match self.cont.split_first() {
                Some((first, rest)) => {
                    self.data = first;
                    self.cont = rest;
                    true
                }
                None => false,
            }
        }
        fn skip(&mut self, mut len: usize) -> bool {
            while len > 0 {
                if self.data.is_empty() && !self.next_cont() {
                    return false;
                }
                let l = len.min(self.data.len());
                self.data = &self.data[l..];
                len -= l;
            }
            true
        }
    }
    let bad = |what: &str| {
        FileFault::corrupt(&format!("tabellen med delade texter är felaktig ({what})."))
    };
    let Some(data) = r.data.get(8..) else {
        return Err(short_record(r, "SST"));
    };
    let mut cur = Cur {
        data,
        cont: &r.cont,
    };
    let mut out = Vec::new();
    while !cur.data.is_empty() || cur.next_cont() {
        if out.len() as u64 >= max {
            return Err(FileFault::XlsSharedStrings { max });
        }
        if cur.data.is_empty() {
            out.push(0);
            continue;
        }
        if cur.data.len() < 3 {
            return Err(bad("en text saknar sitt huvud"));
        }
        let cch = u16::from_le_bytes([cur.data[0], cur.data[1]]);
        let flags = cur.data[2];
        cur.data = &cur.data[3..];
        let mut high = flags & 0x1 != 0;
        let mut runs = 0usize;
        if flags & 0x8 != 0 {
            let Some(n) = u16_at(cur.data, 0) else {
                return Err(bad("formateringen saknas"));
            };
            runs = usize::from(n);
            cur.data = &cur.data[2..];
        }
        let mut ext = 0usize;
        if flags & 0x4 != 0 {
            let Some(n) = u32_at(cur.data, 0) else {
                return Err(bad("tilläggsdata saknas"));
            };
            // calamine reads an i32 and converts it to usize.
            ext = n as i32 as isize as usize;
            cur.data = &cur.data[4..];
        }
        let mut left = usize::from(cch);
        while left > 0 {
            let (l, at) = if high {
                let l = (cur.data.len() / 2).min(left);
                (l, 2 * l)
            } else {
                let l = cur.data.len().min(left);
                (l, l)
            };
            cur.data = &cur.data[at..];
            left -= l;
            if left > 0 {
                if !cur.next_cont() {
                    return Err(bad("en text tar slut för tidigt"));
                }
                let Some(&f) = cur.data.first() else {
                    return Err(bad("en fortsättning är tom"));
                };
                high = f & 0x1 != 0;
                cur.data = &cur.data[1..];
            }
        }
        if !cur.skip(runs * 4) || !cur.skip(ext) {
            return Err(bad("en text tar slut för tidigt"));
        }
        out.push(u32::from(cch));
    }
    Ok(out)
}

/// The workbook globals, as calamine's first pass reads them: records from
/// the start of the stream to the first EOF. `Ok(None)` for an encrypted
/// workbook (calamine stops at FILEPASS; the caller reports it).
pub(super) fn globals(stream: &[u8], lim: &XlsLimits) -> Result<Option<Globals>, FileFault> {
    let mut g = Globals {
        sheets: Vec::new(),
        sst: Vec::new(),
        pre_biff8: false,
        sheet_name_max: 4,
        name_max: 5,
        names_text: 0,
    };
    let mut names: u64 = 0;
    let mut records = Records::new(stream, 0, Some(SST));
    while let Some(r) = records.next()? {
        match r.typ {
            // FILEPASS: encrypted; calamine stops here (and panics on a
            // record too short to hold the flag).
            0x002F if r.data.len() < 2 || u16_at(r.data, 0) != Some(0) => return Ok(None),
            0x0809 => {
                if r.data.len() < 2 {
                    return Err(short_record(&r, "BOF"));
                }
                g.pre_biff8 = bof_pre_biff8(r.data);
            }
            0x0085 => {
                if r.data.len() < 6 {
                    return Err(short_record(&r, "BOUNDSHEET"));
                }
                if g.sheets.len() >= MAX_SHEETS {
                    return Err(FileFault::XlsSheets { max: MAX_SHEETS });
                }
                let pos = u32_at(r.data, 0).unwrap_or(0) as usize;
                let (name, bytes) = sheet_name(r.data, g.pre_biff8);
                g.sheet_name_max = g.sheet_name_max.max(bytes);
                g.sheets.push((pos, name));
            }
            0x0018 => {
                if r.data.len() < 4 {
                    return Err(short_record(&r, "LBL"));
                }
                let bytes = 3 * u64::from(r.data[3]);
                g.name_max = g.name_max.max(bytes);
                g.names_text = g.names_text.saturating_add(bytes + 64);
                names += 1;
            }
            SST => {
                if r.cont.len() > MAX_SST_CONTINUES {
                    return Err(FileFault::XlsSharedStringParts {
                        parts: r.cont.len(),
                        max: MAX_SST_CONTINUES,
                    });
                }
                g.sst = sst_lengths(&r, lim.cells)?;
            }
            0x000A => break,
            _ => {}
        }
    }
    // Every defined name may get a sheet's name in front of its formula.
    g.names_text = g
        .names_text
        .saturating_add(names.saturating_mul(g.sheet_name_max + 1));
    Ok(Some(g))
}

/// The bounding box of the cells of one range, and their number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Area {
    count: u64,
    first_row: u32,
    last_row: u32,
    first_col: u32,
    last_col: u32,
}

impl Area {
    /// Add `n` cells on `row`, in columns `first_col..=last_col`.
    fn add(&mut self, row: u32, first_col: u32, last_col: u32, n: u64) {
        if n == 0 {
            return;
        }
        if self.count == 0 {
            *self = Area {
                count: 0,
                first_row: row,
                last_row: row,
                first_col,
                last_col,
            };
        }
        self.count = self.count.saturating_add(n);
        self.first_row = self.first_row.min(row);
        self.last_row = self.last_row.max(row);
        self.first_col = self.first_col.min(first_col);
        self.last_col = self.last_col.max(last_col);
    }

    /// Cells of the dense range calamine builds (`Range::from_sparse`).
    fn cells(&self) -> u64 {
        if self.count == 0 {
            return 0;
        }
        u64::from(self.last_row - self.first_row + 1)
            * u64::from(self.last_col - self.first_col + 1)
    }
}

/// What calamine allocates for one sheet.
#[derive(Debug, Clone, Copy, Default)]
struct SheetCost {
    values: Area,
    formulas: Area,
    /// The largest reservation a DIMENSIONS record asks for.
    reserved: u64,
    text: u64,
    formula_text: u64,
    formula_work: u64,
    /// Bytes of the stream read for this sheet.
    scanned: u64,
}

/// Parse one sheet from `pos` the way calamine's second pass does, adding
/// up what it costs.
fn sheet_cost(stream: &[u8], pos: usize, g: &Globals) -> Result<SheetCost, FileFault> {
    let mut cost = SheetCost::default();
    let mut records = Records::new(stream, pos, None);
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut fmla_pos = (0u32, 0u32);
    let cell = |r: &Record<'_>| {
        (
            u32::from(u16_at(r.data, 0).unwrap_or(0)),
            u32::from(u16_at(r.data, 2).unwrap_or(0)),
        )
    };
    while let Some(r) = records.next()? {
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let need = |n: usize, name: &str| {
            if r.data.len() < n {
                Err(short_record(&r, name))
            } else {
                Ok(())
            }
        };
        match r.typ {
            0x0809 => {
                if seen_bof {
                    depth += 1;
                } else {
                    seen_bof = true;
                }
            }
            0x0200 => cost.reserved = cost.reserved.max(dimensions(&r)?),
            // NUMBER, BOOLERR, RK
            0x0203 | 0x0205 | 0x027E => {
                need(
                    match r.typ {
                        0x0203 => 14,
                        0x0205 => 8,
                        _ => 10,
                    },
                    "cell",
                )?;
                let (row, col) = cell(&r);
                cost.values.add(row, col, col, 1);
            }
            // LABEL, RSTRING: calamine reserves the declared length.
            0x0204 | 0x00D6 => {
                need(8, "LABEL")?;
                let (row, col) = cell(&r);
                cost.values.add(row, col, col, 1);
                cost.text += u64::from(u16_at(r.data, 6).unwrap_or(0));
            }
            // STRING: the text of the formula before it, at its cell.
            0x0207 => {
                need(2, "STRING")?;
                cost.values.add(fmla_pos.0, fmla_pos.1, fmla_pos.1, 1);
                cost.text += u64::from(u16_at(r.data, 0).unwrap_or(0));
            }
            // LABELSST: a copy of the shared string, if it exists.
            0x00FD => {
                need(10, "LABELSST")?;
                let i = u32_at(r.data, 6).unwrap_or(u32::MAX) as usize;
                if let Some(&len) = g.sst.get(i) {
                    let (row, col) = cell(&r);
                    cost.values.add(row, col, col, 1);
                    cost.text += u64::from(len);
                }
            }
            0x00BD => {
                need(6, "MULRK")?;
                let row = u32::from(u16_at(r.data, 0).unwrap_or(0));
                let first = u16_at(r.data, 2).unwrap_or(0);
                let last = u16_at(r.data, r.data.len() - 2).unwrap_or(0);
                // calamine's length check, in its (wrapping) u16 arithmetic.
                let declared = usize::from(last.wrapping_sub(first).wrapping_add(1));
                if r.data.len() != 6 + 6 * declared {
                    return Err(short_record(&r, "MULRK"));
                }
                let n = (r.data.len() - 6) / 6;
                if n > 0 {
                    let first = u32::from(first);
                    cost.values.add(row, first, first + n as u32 - 1, n as u64);
                }
            }
            0x000A => break,
            0x0006 => {
                need(20, "FORMULA")?;
                let (row, col) = cell(&r);
                fmla_pos = (row, col);
                cost.values.add(row, col, col, 1);
                cost.formulas.add(row, col, col, 1);
                let (text, work) = formula_cost(&r.data[20..], g);
                cost.formula_text = cost.formula_text.saturating_add(text);
                cost.formula_work = cost.formula_work.saturating_add(work);
            }
            _ => {}
        }
    }
    cost.scanned = (records.pos - pos) as u64;
    Ok(cost)
}

/// The cells a DIMENSIONS record makes calamine reserve
/// (`cells.reserve(rows * cols)`), computed as calamine computes it.
fn dimensions(r: &Record<'_>) -> Result<u64, FileFault> {
    let d = r.data;
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (
            u32::from(u16_at(d, 0).unwrap_or(0)),
            u32::from(u16_at(d, 2).unwrap_or(0)),
            u32::from(u16_at(d, 4).unwrap_or(0)),
            u32::from(u16_at(d, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(d, 0).unwrap_or(0),
            u32_at(d, 4).unwrap_or(0),
            u32::from(u16_at(d, 8).unwrap_or(0)),
            u32::from(u16_at(d, 10).unwrap_or(0)),
        ),
        _ => return Err(short_record(r, "DIMENSIONS")),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if rl >= 1 && cl >= 1 {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    // calamine computes `(end - start + 1) as usize` in u32 for both rows
    // and columns. A last row (column) before the first overflows there: a
    // panic with overflow checks (caught by ingest), a wrap without. One
    // before the first (`rf == rl` or `cf == cl`, both at least 1) wraps to
    // 0 and reserves nothing; further before wraps to billions. Mirror the
    // wrapping arithmetic exactly so the guard refuses what calamine would
    // over-reserve and nothing else.
    let rows = u64::from(end.0.wrapping_sub(start.0).wrapping_add(1));
    let cols = u64::from(end.1.wrapping_sub(start.1).wrapping_add(1));
    Ok(rows.saturating_mul(cols))
}

/// Walk the workbook stream and refuse it if calamine would allocate
/// beyond the limits.
pub(super) fn check_biff(stream: &[u8], lim: &XlsLimits) -> Result<(), FileFault> {
    let Some(g) = globals(stream, lim)? else {
        return Ok(());
    };
    let mut text = g.names_text;
    let mut formula_text: u64 = 0;
    let mut formula_work: u64 = 0;
    let mut area_total: u64 = 0;
    let mut scanned: u64 = 0;
    let mut seen: HashMap<usize, SheetCost> = HashMap::new();
    for (pos, name) in &g.sheets {
        if *pos > stream.len() {
            return Err(FileFault::corrupt(&format!(
                "bladet \"{name}\" börjar på byte {pos}, efter strömmens slut ({} byte).",
                stream.len()
            )));
        }
        let cost = match seen.get(pos) {
            Some(c) => *c,
            None => {
                let c = sheet_cost(stream, *pos, &g).map_err(|e| e.in_sheet(name))?;
                // Legitimate sheets are separate parts of the stream; sheets
                // that start inside each other make calamine (and this
                // check) read the same records again and again.
                scanned += c.scanned;
                if scanned > 2 * stream.len() as u64 + 4096 {
                    return Err(FileFault::corrupt("bladen i filen överlappar varandra."));
                }
                seen.insert(*pos, c);
                c
            }
        };
        if cost.reserved > BIFF8_GRID {
            return Err(FileFault::XlsDimensions {
                sheet: name.clone(),
                cells: cost.reserved,
            });
        }
        for (what, a) in [("värden", cost.values), ("formler", cost.formulas)] {
            if a.cells() > lim.cells {
                return Err(FileFault::XlsArea {
                    sheet: name.clone(),
                    cells: a.cells(),
                    first: A1 {
                        row: a.first_row,
                        col: a.first_col,
                    },
                    last: A1 {
                        row: a.last_row,
                        col: a.last_col,
                    },
                    max: lim.cells,
                });
            }
            if a.count > lim.cells {
                return Err(FileFault::XlsCellCount {
                    sheet: name.clone(),
                    what,
                    max: lim.cells,
                });
            }
            area_total = area_total.saturating_add(a.cells());
        }
        if area_total > lim.area_total {
            return Err(FileFault::XlsWorkbookArea {
                max: lim.area_total,
            });
        }
        text = text.saturating_add(cost.text);
        formula_text = formula_text.saturating_add(cost.formula_text);
        formula_work = formula_work.saturating_add(cost.formula_work);
        if text > lim.text || formula_text > lim.text {
            return Err(too_much_text(lim.text));
        }
        if formula_work > MAX_FORMULA_WORK {
            return Err(FileFault::XlsFormulas);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    fn bof() -> Vec<u8> {
        rec(0x0809, &[0x00, 0x06, 0x10, 0x00, 0, 0, 0, 0])
    }

    fn eof() -> Vec<u8> {
        rec(0x000A, &[])
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0, 0]);
        d.extend(1.5f64.to_le_bytes());
        rec(0x0203, &d)
    }

    fn label_sst(row: u16, col: u16, i: u32) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0, 0]);
        d.extend(i.to_le_bytes());
        rec(0x00FD, &d)
    }

    fn dims(rows: u32, cols: u16) -> Vec<u8> {
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(rows.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(cols.to_le_bytes());
        d.extend([0, 0]);
        rec(0x0200, &d)
    }

    fn sst(strings: &[&str]) -> Vec<u8> {
        let mut d = (strings.len() as u32).to_le_bytes().to_vec();
        d.extend((strings.len() as u32).to_le_bytes());
        for s in strings {
            d.extend((s.len() as u16).to_le_bytes());
            d.push(0);
            d.extend(s.as_bytes());
        }
        rec(0x00FC, &d)
    }

    /// A workbook stream: globals (with `extra` records), then one sheet
    /// named `name` per body.
    fn workbook(extra: &[u8], sheets: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let boundsheet = |pos: u32, name: &str| {
            let mut d = pos.to_le_bytes().to_vec();
            d.extend([0, 0, name.len() as u8, 0]);
            d.extend(name.as_bytes());
            rec(0x0085, &d)
        };
        // Globals length with placeholder positions, then the real ones.
        let globals = |positions: &[u32]| {
            let mut g = bof();
            for ((name, _), pos) in sheets.iter().zip(positions) {
                g.extend(boundsheet(*pos, name));
            }
            g.extend(extra);
            g.extend(eof());
            g
        };
        let mut pos = globals(&vec![0; sheets.len()]).len() as u32;
        let mut positions = Vec::new();
        let mut bodies = Vec::new();
        for (_, body) in sheets {
            positions.push(pos);
            let mut s = bof();
            s.extend(body);
            s.extend(eof());
            pos += s.len() as u32;
            bodies.extend(s);
        }
        let mut out = globals(&positions);
        out.extend(bodies);
        out
    }

    fn lim() -> XlsLimits {
        XlsLimits::new(&Limits::default())
    }

    /// [`check_biff`] of a workbook with one sheet of `body`, default limits.
    fn one_sheet(body: Vec<u8>) -> Result<(), FileFault> {
        check_biff(&workbook(&[], &[("S", body)]), &lim())
    }

    #[test]
    fn a_cell_far_out_is_refused_with_the_sheets_area() {
        let body = [number(0, 0), number(24_838, 25_443)].concat();
        let s = workbook(&[], &[("Inlämning", number(1, 1)), ("System", body)]);
        let e = check_biff(&s, &lim()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Bladet \"System\" sträcker sig över 632003516 celler (A1–AKPP24839), fler än gränsen 6400000 celler per blad; filen läses inte."
        );
        // The same two cells close together pass.
        let body = [number(0, 0), number(99, 20)].concat();
        assert!(check_biff(&workbook(&[], &[("System", body)]), &lim()).is_ok());
    }

    #[test]
    fn the_area_starts_at_the_first_cell_not_at_a1() {
        // 65 000 rows × 1 column far down the sheet: a small range.
        let body = [number(500, 200), number(65_499, 200)].concat();
        assert!(check_biff(&workbook(&[], &[("System", body)]), &lim()).is_ok());
        // 200 columns wide, 65 000 rows down: 13 million cells.
        let body = [number(500, 0), number(65_499, 199)].concat();
        assert!(check_biff(&workbook(&[], &[("System", body)]), &lim()).is_err());
    }

    #[test]
    fn mulrk_formula_and_its_string_count_and_blanks_do_not() {
        // MULRK: row 0, columns 1..=3 in one record.
        let mulrk = |row: u16, first: u16, n: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(first.to_le_bytes());
            for _ in 0..n {
                d.extend([0u8; 6]);
            }
            d.extend((first + n - 1).to_le_bytes());
            rec(0x00BD, &d)
        };
        let formula = |row: u16, col: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(col.to_le_bytes());
            d.extend([0; 16]);
            d.extend([0, 0]); // cce = 0
            rec(0x0006, &d)
        };
        let blank = |row: u16, col: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(col.to_le_bytes());
            d.extend([0, 0]);
            rec(0x0201, &d)
        };
        assert!(one_sheet([number(0, 0), mulrk(1, 1, 3)].concat()).is_ok());
        assert!(one_sheet([number(0, 0), mulrk(60_000, 250, 3)].concat()).is_err());
        assert!(one_sheet([number(0, 0), formula(60_000, 250)].concat()).is_err());
        assert!(one_sheet([number(0, 0), blank(60_000, 250)].concat()).is_ok());
        // A STRING record lands on the cell of the formula before it, and
        // on A1 with no formula before it.
        let string = rec(0x0207, &[1, 0, 0, b'x']);
        assert!(one_sheet([number(60_000, 250), string.clone()].concat()).is_err());
        assert!(one_sheet([formula(60_000, 250), string].concat()).is_ok());
        // A MULRK whose length does not match its columns: calamine fails.
        let mut bad = mulrk(0, 1, 3);
        bad.truncate(bad.len() - 1);
        bad[2] -= 1;
        let e = one_sheet(bad).unwrap_err();
        assert!(e.to_string().contains("MULRK"), "{}", e);
    }

    #[test]
    fn embedded_substreams_are_skipped_like_calamine_skips_them() {
        // A chart inside the sheet (BOF … EOF) with a cell far out.
        let body = [
            number(0, 0),
            bof(),
            number(60_000, 250),
            eof(),
            number(1, 1),
        ]
        .concat();
        assert!(one_sheet(body).is_ok());
    }

    #[test]
    fn a_dimensions_record_beyond_biff8s_grid_is_refused() {
        let ok = [dims(65_536, 256), number(0, 0)].concat();
        assert!(one_sheet(ok).is_ok());
        let big = [dims(4_000_000_000, 256), number(0, 0)].concat();
        let e = one_sheet(big).unwrap_err();
        assert!(
            e.to_string().contains("mer än ett xls-blad kan ha"),
            "{}",
            e
        );
        // A last row before the first (calamine's subtraction wraps).
        let mut d = 10u32.to_le_bytes().to_vec();
        d.extend(5u32.to_le_bytes());
        d.extend([0, 0, 4, 0, 0, 0]);
        let inverted = [rec(0x0200, &d), number(0, 0)].concat();
        assert!(one_sheet(inverted).is_err());
        // A DIMENSIONS record of a length calamine refuses.
        let odd = [rec(0x0200, &[0; 12]), number(0, 0)].concat();
        assert!(one_sheet(odd).is_err());
    }

    /// A BIFF8 DIMENSIONS record's data: first row, last row + 1, first
    /// column, last column + 1.
    fn dims_data(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut d = rf.to_le_bytes().to_vec();
        d.extend(rl.to_le_bytes());
        d.extend(cf.to_le_bytes());
        d.extend(cl.to_le_bytes());
        d.extend([0, 0]);
        d
    }

    fn reserved(data: &[u8]) -> u64 {
        let r = Record {
            typ: 0x0200,
            data,
            at: 0,
            cont: Vec::new(),
        };
        dimensions(&r).unwrap()
    }

    #[test]
    fn dimensions_wrap_as_calamines_do() {
        // Ordinary: rows 0..10, columns 0..4.
        assert_eq!(reserved(&dims_data(0, 10, 0, 4)), 40);
        // No last row or column: one cell at the start.
        assert_eq!(reserved(&dims_data(3, 0, 2, 0)), 1);
        // `cf == cl >= 1`: the last column is one before the first, and
        // calamine's `end - start + 1` wraps to 0 columns (no panic here).
        assert_eq!(reserved(&dims_data(0, 10, 4, 4)), 0);
        assert_eq!(reserved(&dims_data(0, 10, 1, 1)), 0);
        // `rf == rl >= 1`: the same for rows.
        assert_eq!(reserved(&dims_data(5, 5, 0, 4)), 0);
        assert_eq!(reserved(&dims_data(1, 1, 0, 1)), 0);
        // Both at once.
        assert_eq!(reserved(&dims_data(7, 7, 9, 9)), 0);
        // Further before the first: rows wrap to billions.
        assert_eq!(
            reserved(&dims_data(10, 5, 0, 4)),
            u64::from(4u32.wrapping_sub(10).wrapping_add(1)) * 4
        );
        // A first column beyond 0xFF counts from 0, as in calamine.
        assert_eq!(reserved(&dims_data(0, 2, 0x100, 3)), 6);
        // The sheets holding them are read, as calamine reads them.
        for d in [dims_data(0, 10, 4, 4), dims_data(5, 5, 0, 4)] {
            let body = [rec(0x0200, &d), number(0, 0)].concat();
            assert!(one_sheet(body).is_ok());
        }
    }

    #[test]
    fn too_many_cells_sheets_and_shared_strings_are_refused() {
        let small = XlsLimits {
            cells: 100,
            area_total: 150,
            text: 1000,
        };
        // 101 cell records on the same cell: one cell of area, 101 records.
        let body: Vec<u8> = (0..101).flat_map(|_| number(0, 0)).collect();
        let e = check_biff(&workbook(&[], &[("S", body)]), &small).unwrap_err();
        assert!(e.to_string().contains("fler än 100 celler"), "{}", e);
        // Two sheets of 10 × 10 pass alone; together they pass the total.
        let square = [number(0, 0), number(9, 9)].concat();
        assert!(check_biff(&workbook(&[], &[("A", square.clone())]), &small).is_ok());
        let e = check_biff(
            &workbook(&[], &[("A", square.clone()), ("B", square)]),
            &small,
        )
        .unwrap_err();
        assert!(e.to_string().contains("tillsammans"), "{}", e);
        // 101 shared strings.
        let strings: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
        let e = check_biff(&workbook(&sst(&refs), &[("S", number(0, 0))]), &small).unwrap_err();
        assert!(e.to_string().contains("olika texter"), "{}", e);
        // More sheets than a workbook may have.
        let many: Vec<(&str, Vec<u8>)> = (0..=MAX_SHEETS).map(|_| ("S", Vec::new())).collect();
        let e = check_biff(&workbook(&[], &many), &lim()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Arbetsboken har fler än {MAX_SHEETS} blad och läses inte.")
        );
    }

    #[test]
    fn every_copy_of_a_shared_string_counts_as_text() {
        let small = XlsLimits {
            cells: 100_000,
            area_total: 200_000,
            text: 10_000,
        };
        let long = "x".repeat(1000);
        let globals = sst(&[long.as_str(), "kort"]);
        // Nine copies of 1 000 characters, in nine cells: 9 000.
        let nine: Vec<u8> = (0..9).flat_map(|r| label_sst(r, 0, 0)).collect();
        assert!(check_biff(&workbook(&globals, &[("S", nine)]), &small).is_ok());
        let eleven: Vec<u8> = (0..11).flat_map(|r| label_sst(r, 0, 0)).collect();
        let e = check_biff(&workbook(&globals, &[("S", eleven)]), &small).unwrap_err();
        assert!(e.to_string().contains("tecken text"), "{}", e);
        // An index past the table makes no cell (calamine skips it).
        let far = [label_sst(0, 0, 1), label_sst(60_000, 250, 2)].concat();
        assert!(check_biff(&workbook(&globals, &[("S", far)]), &small).is_ok());
        // A LABEL declaring 65 535 characters it does not have: calamine
        // reserves them all.
        let label = rec(0x0204, &[0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0]);
        let e = check_biff(&workbook(&[], &[("S", label)]), &small).unwrap_err();
        assert!(e.to_string().contains("tecken text"), "{}", e);
    }

    #[test]
    fn the_shared_strings_are_read_across_continue_records() {
        // One 6-character string split over the SST and a CONTINUE, whose
        // first byte is the flags of the rest; then "ab".
        let mut d = 2u32.to_le_bytes().to_vec();
        d.extend(2u32.to_le_bytes());
        d.extend([6, 0, 0, b'a', b'b', b'c']);
        let mut s = rec(0x00FC, &d);
        s.extend(rec(
            0x003C,
            &[1, b'd', 0, b'e', 0, b'f', 0, 2, 0, 0, b'a', b'b'],
        ));
        let mut r = Records::new(&s, 0, Some(SST));
        let whole = r.next().unwrap().unwrap();
        assert_eq!(sst_lengths(&whole, 10).unwrap(), vec![6, 2]);
        // A string declaring 9 characters that has 6: it runs past the last
        // CONTINUE, and the records themselves are whole.
        let mut d = 1u32.to_le_bytes().to_vec();
        d.extend(1u32.to_le_bytes());
        d.extend([9, 0, 0, b'a', b'b', b'c']);
        let mut s = rec(0x00FC, &d);
        s.extend(rec(0x003C, &[1, b'd', 0, b'e', 0, b'f', 0]));
        let short = Records::new(&s, 0, Some(SST)).next().unwrap().unwrap();
        assert!(sst_lengths(&short, 10).is_err());
    }

    #[test]
    fn malformed_records_are_refused_and_encrypted_files_left_to_calamine() {
        // A record longer than the stream.
        let mut s = workbook(&[], &[("S", number(0, 0))]);
        s.extend([0x03, 0x02, 0xFF, 0xFF, 0]);
        // (after the last sheet's EOF: calamine never reads it)
        assert!(check_biff(&s, &lim()).is_ok());
        let mut body = number(0, 0);
        body.extend([0x03, 0x02, 0x40, 0x00, 1, 2]);
        let s = workbook(&[], &[("S", body)]);
        // The sheet's EOF is swallowed by the long record; it runs out.
        let e = check_biff(&s, &lim()).unwrap_err();
        assert!(
            e.to_string().contains("längre än det som finns kvar"),
            "{}",
            e
        );
        // A NUMBER record too short for its value: named with its sheet.
        let s = workbook(&[], &[("S", rec(0x0203, &[0; 8]))]);
        let e = check_biff(&s, &lim()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("Bladet \"S\" kan inte läsas; filen är skadad eller ofullständig.")
                && e.to_string().contains("för kort"),
            "{}",
            e
        );
        // A sheet starting past the end of the stream.
        let mut s = workbook(&[], &[("S", number(0, 0))]);
        let at = 4 + 8 + 4;
        s[at..at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
        assert!(check_biff(&s, &lim())
            .unwrap_err()
            .to_string()
            .contains("efter strömmens slut"));
        // FILEPASS: encrypted; whatever follows is not read.
        let filepass = rec(0x002F, &[1, 0, 1, 0]);
        let s = workbook(
            &filepass,
            &[("S", [number(0, 0), number(65_000, 255)].concat())],
        );
        assert!(check_biff(&s, &lim()).is_ok());
        // Garbage of any kind never panics.
        for n in 0..64 {
            let g: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
            let _ = check_biff(&g, &lim());
        }
    }

    #[test]
    fn overlapping_sheets_are_refused() {
        // One long sheet; BOUNDSHEET records all pointing at its start are
        // read once, records pointing one cell record apart inside it
        // would make calamine read it again from each.
        let mut body = bof();
        body.extend((0..2000).flat_map(|r| number(r, 0)));
        body.extend(eof());
        let build = |offsets: &[u32]| {
            let mut out = bof();
            let start = (out.len() + 13 * offsets.len() + 4) as u32;
            for off in offsets {
                let mut d = (start + off).to_le_bytes().to_vec();
                d.extend([0, 0, 1, 0, b'S']);
                out.extend(rec(0x0085, &d));
            }
            out.extend(eof());
            assert_eq!(out.len() as u32, start);
            out.extend(&body);
            out
        };
        assert!(check_biff(&build(&[0; 200]), &lim()).is_ok());
        let apart: Vec<u32> = (0..200).map(|i| 12 + 18 * i).collect();
        let e = check_biff(&build(&apart), &lim()).unwrap_err();
        assert!(e.to_string().contains("överlappar"), "{}", e);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::config::Limits;
    use proptest::prelude::*;

    proptest! {
        /// Nor on a workbook stream of arbitrary records.
        #[test]
        fn never_panics_on_arbitrary_records(
            records in prop::collection::vec(
                (
                    prop::sample::select(vec![
                        0x0809u16, 0x000A, 0x0085, 0x00FC, 0x003C, 0x0200, 0x0203,
                        0x0204, 0x00D6, 0x0205, 0x0207, 0x027E, 0x00FD, 0x00BD,
                        0x0006, 0x0018, 0x002F, 0x00E5, 0x0201,
                    ]),
                    prop::collection::vec(any::<u8>(), 0..40),
                ),
                0..40,
            ),
        ) {
            let mut s = Vec::new();
            for (typ, data) in records {
                s.extend(typ.to_le_bytes());
                s.extend((data.len() as u16).to_le_bytes());
                s.extend(data);
            }
            let _ = check_biff(&s, &XlsLimits::new(&Limits::default()));
        }
    }
}
