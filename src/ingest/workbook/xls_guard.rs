//! Guards for an .xls file (BIFF records in a CFB/OLE2 container), run
//! before calamine opens it.
//!
//! calamine 0.38 parses an .xls whole in `Xls::new`: every sheet becomes a
//! dense range from its first to its last cell (`Range::from_sparse`), the
//! formulas a second one, and whatever the records declare is believed.
//! Memory that calamine would take is an allocation that cannot be caught
//! (the kernel kills the run, or the allocator aborts it), and a crafted
//! file of a few kB is enough: one cell record at row 24 838, column 25 443
//! asks for 600 million cells, 24 GB (`fuzz/regressions/xls-dimension-oom.xls`).
//!
//! So this module reads the file the way calamine will, without building
//! anything from it: it rebuilds the sector tables, takes out the
//! `Workbook` (or `Book`) stream following the same chains with loop and
//! length checks, walks its BIFF records (type, length) and, for each sheet
//! calamine will parse, adds up what calamine will allocate from them:
//!
//! - the used area (rows × columns from the first to the last cell of the
//!   cell records calamine keeps: NUMBER, RK, MULRK, LABEL, RSTRING,
//!   LABELSST, BOOLERR, FORMULA and its STRING; BLANK and MULBLANK are
//!   skipped by calamine and cost nothing), and the same for formulas;
//! - the room a DIMENSIONS record makes calamine reserve;
//! - the number of cell records, shared strings and sheets;
//! - the text calamine builds: inline strings (calamine reserves their
//!   declared length), a copy of a shared string for every cell that refers
//!   to it, defined names, and an upper bound of every formula's text and
//!   of the work of building it (some formula tokens insert at the start of
//!   the text, so a long formula costs its length squared).
//!
//! What calamine itself refuses before it allocates (a broken header, a
//! chain pointing past the last sector, no `Workbook` stream, an encrypted
//! workbook) is left to calamine, whose error then becomes the `fel` line
//! as before. Anything malformed that calamine would read in an
//! undetermined way, and every limit passed, is refused here with one
//! Swedish reason. The pass is linear in the size of the stream and
//! allocates no more than the stream's size.
//!
//! Every rule mirrors calamine 0.38 (`cfb.rs`, `xls.rs`); a change of the
//! calamine version must be checked against them.

use std::collections::HashMap;

use super::FileFault;
use crate::config::Limits;

const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

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

/// The limits of one .xls workbook, from the configured row limit.
#[derive(Debug, Clone, Copy)]
pub struct XlsLimits {
    /// Cell records per sheet, the used area of a sheet (values, and
    /// formulas separately), and shared strings per workbook.
    pub cells: u64,
    /// The used areas of all sheets together.
    pub area_total: u64,
    /// Characters of text that calamine builds for the whole workbook.
    pub text: u64,
}

impl XlsLimits {
    pub fn new(limits: &Limits) -> Self {
        Self {
            cells: super::cell_limit(limits),
            area_total: super::cell_limit(limits),
            text: super::text_limit(limits),
        }
    }
}

/// Refuse an .xls that would make calamine allocate beyond the limits, or
/// that it would read in an undetermined way. Input that calamine refuses
/// before it allocates passes to calamine.
pub fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), FileFault> {
    check_cfb_chains(bytes)?;
    let stream = match workbook_stream(bytes)? {
        Some(s) => s,
        None => return Ok(()),
    };
    check_biff(&stream, &XlsLimits::new(limits))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

// ---------------------------------------------------------------------
// The container
// ---------------------------------------------------------------------

/// The sector allocation table as calamine builds it (`Cfb::new`), from
/// the header, the DIFAT in it and the DIFAT chain. `Ok(None)` where
/// calamine refuses the file first. Sectors are read as calamine reads them
/// the first time: cut short at the end of the file.
struct Fat<'a> {
    bytes: &'a [u8],
    /// Sector size: 512 or 4096.
    size: usize,
    /// calamine's `maxid`: the file's length over the sector size.
    maxid: usize,
    table: Vec<u32>,
    /// Whether a DIFAT or FAT sector reaches past the end of the file (a
    /// second read of one gives zeros, not the short first read).
    short: bool,
}

impl<'a> Fat<'a> {
    fn read(bytes: &'a [u8]) -> Result<Option<Self>, FileFault> {
        let Some(head) = bytes.get(..512) else {
            return Ok(None);
        };
        let size: usize = match u16_at(head, 30) {
            Some(0x09) => 512,
            // calamine reads the rest of a 4096-byte header sector.
            Some(0x0C) if bytes.len() >= 4096 => 4096,
            _ => return Ok(None),
        };
        if u16_at(head, 32) != Some(0x06) {
            return Ok(None);
        }
        let maxid = bytes.len() / size;
        let mut fat = Fat {
            bytes,
            size,
            maxid,
            table: Vec::new(),
            short: false,
        };
        let mut difat: Vec<u32> = u32s(&head[76..512]).collect();
        let mut id = u32_at(head, 68).unwrap_or(ENDOFCHAIN);
        let mut steps = 0usize;
        while id < RESERVED {
            steps += 1;
            if steps > maxid + 1 {
                return Ok(None);
            }
            let Some(s) = fat.first_read(id) else {
                return Ok(None);
            };
            difat.extend(u32s(s));
            let Some(next) = difat.pop() else {
                return Ok(None);
            };
            id = next;
        }
        let ids: Vec<u32> = difat.into_iter().filter(|id| *id < DIFSECT).collect();
        // Each FAT sector is a sector of the file: a table listing more
        // would make calamine's table larger than the file (the same
        // sector listed again and again), up to 127 times its size.
        if ids.len() > maxid + 1 {
            return Err(FileFault::corrupt(
                "filens sektortabell räknar upp fler sektorer än filen har.",
            ));
        }
        for id in ids {
            let Some(s) = fat.first_read(id) else {
                return Ok(None);
            };
            fat.table.extend(u32s(s));
        }
        Ok(Some(fat))
    }

    /// A sector as calamine's first read of it: `None` past `maxid`, cut
    /// short (or empty) at the end of the file.
    fn first_read(&mut self, id: u32) -> Option<&'a [u8]> {
        let id = id as usize;
        if id > self.maxid {
            return None;
        }
        let start = self.size + id * self.size;
        let end = start + self.size;
        if end > self.bytes.len() {
            self.short = true;
        }
        Some(
            self.bytes
                .get(start.min(self.bytes.len())..end.min(self.bytes.len()))
                .unwrap_or(&[]),
        )
    }
}

/// Refuse a CFB (.xls) container whose sector allocation table has a
/// cycle. calamine follows a chain until it ends, appending every sector
/// to a buffer with no bound (the directory chain is read "to the end"), so
/// a 4 kB file whose chain loops grows without limit until the process is
/// killed (found by `fuzz/`, target `workbook`). The table is rebuilt the
/// way calamine 0.38 builds it (`cfb.rs`); what calamine itself would
/// refuse is left to calamine.
pub fn check_cfb_chains(bytes: &[u8]) -> Result<(), FileFault> {
    let Some(fat) = Fat::read(bytes)? else {
        return Ok(());
    };
    let fat = &fat.table;
    // Each sector has at most one successor: a walk from every sector,
    // marking sectors on the current path (1) and finished ones (2).
    let mut state = vec![0u8; fat.len()];
    let mut path = Vec::new();
    for start in 0..fat.len() {
        let mut cur = start;
        while cur < fat.len() && state[cur] == 0 {
            state[cur] = 1;
            path.push(cur);
            cur = fat[cur] as usize;
        }
        if cur < fat.len() && state[cur] == 1 {
            return Err(FileFault::corrupt(
                "en kedja i filens sektortabell går i ring.",
            ));
        }
        for p in path.drain(..) {
            state[p] = 2;
        }
    }
    Ok(())
}

/// Why a stream could not be taken out the way calamine takes it.
enum Miss {
    /// calamine returns an error (and tries the next name).
    Error,
    /// calamine panics (the panic is caught; nothing more is parsed).
    Panic,
}

/// Sectors of one size, read strictly: a sector must lie wholly inside its
/// data. calamine reads a sector that reaches past the end of the file
/// short the first time and padded with zeros afterwards, and mini sectors
/// past the mini stream from wherever its reader happens to be; what it
/// would make of them cannot be known here, so such a file is refused.
struct Sectors<'a> {
    data: &'a [u8],
    /// Where sector 0 starts in `data`.
    base: usize,
    size: usize,
    maxid: usize,
}

impl<'a> Sectors<'a> {
    fn get(&self, id: u32) -> Result<Result<&'a [u8], Miss>, FileFault> {
        let id = id as usize;
        if id > self.maxid {
            return Ok(Err(Miss::Error));
        }
        let start = self.base + id * self.size;
        match self.data.get(start..start + self.size) {
            Some(s) => Ok(Ok(s)),
            None => Err(FileFault::corrupt(
                "filen tar slut mitt i en sektor som används.",
            )),
        }
    }

    /// calamine's `get_chain`: sectors from `id` along `table` until the
    /// end of the chain or `len` bytes. The table has no cycles, so the
    /// chain is at most as long as the table.
    fn chain(
        &self,
        mut id: u32,
        table: &[u32],
        len: usize,
    ) -> Result<Result<Vec<u8>, Miss>, FileFault> {
        let mut out = Vec::new();
        let mut steps = 0usize;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > table.len() + 1 {
                return Err(FileFault::corrupt(
                    "en kedja i filens sektortabell tar inte slut.",
                ));
            }
            let sector = match self.get(id)? {
                Ok(s) => s,
                Err(miss) => return Ok(Err(miss)),
            };
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            match table.get(id as usize) {
                Some(next) => id = *next,
                None => return Ok(Err(Miss::Panic)),
            }
        }
        Ok(Ok(out))
    }
}

/// One directory entry: name, first sector, length.
struct Entry {
    name: String,
    start: u32,
    len: usize,
}

/// The `Workbook` stream (or, failing that, `Book`) as calamine takes it
/// out of the container; `Ok(None)` where calamine fails before it parses
/// any record.
fn workbook_stream(bytes: &[u8]) -> Result<Option<Vec<u8>>, FileFault> {
    let Some(fat) = Fat::read(bytes)? else {
        return Ok(None);
    };
    if fat.short {
        return Err(FileFault::corrupt("filen tar slut mitt i sektortabellen."));
    }
    let head = &bytes[..512];
    let big = Sectors {
        data: bytes,
        base: fat.size,
        size: fat.size,
        maxid: fat.maxid,
    };
    let dir_start = u32_at(head, 48).unwrap_or(ENDOFCHAIN);
    let dirs = match big.chain(dir_start, &fat.table, usize::MAX)? {
        Ok(d) => d,
        Err(_) => return Ok(None),
    };
    let entries: Vec<Entry> = dirs
        .chunks_exact(128)
        .map(|c| {
            let units: Vec<u16> = c[..64]
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]))
                .collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(l) = name.find('\0') {
                name.truncate(l);
            }
            let len = if fat.size == 512 {
                u32_at(c, 120).map_or(0, |v| v as usize)
            } else {
                c.get(120..128).map_or(0, |s| {
                    let v = u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]);
                    usize::try_from(v).unwrap_or(usize::MAX)
                })
            };
            Entry {
                name,
                start: u32_at(c, 116).unwrap_or(ENDOFCHAIN),
                len,
            }
        })
        .collect();
    let version = u16_at(head, 26).unwrap_or(0);
    match entries.first() {
        None => return Ok(None),
        Some(root) if version != 3 && root.start == ENDOFCHAIN => return Ok(None),
        Some(_) => {}
    }
    let mini_fat_len = u32_at(head, 64).unwrap_or(0) as usize;
    let (mini_table, ministream) = if mini_fat_len > 0 {
        let root = &entries[0];
        let ministream = match big.chain(root.start, &fat.table, root.len)? {
            Ok(s) => s,
            Err(_) => return Ok(None),
        };
        let mini_fat_start = u32_at(head, 60).unwrap_or(ENDOFCHAIN);
        let minifat = match big.chain(mini_fat_start, &fat.table, mini_fat_len * fat.size)? {
            Ok(s) => s,
            Err(_) => return Ok(None),
        };
        (u32s(&minifat).collect::<Vec<u32>>(), ministream)
    } else {
        (Vec::new(), Vec::new())
    };
    let mini = Sectors {
        data: &ministream,
        base: 0,
        size: 64,
        maxid: fat.maxid * 8,
    };
    for name in ["Workbook", "Book"] {
        let Some(e) = entries
            .iter()
            .find(|e| e.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
        else {
            continue;
        };
        let got = if e.len == 0 {
            // calamine reads the first (mini) sector and keeps none of it.
            if e.start == ENDOFCHAIN || e.start as usize <= mini.maxid {
                Ok(Vec::new())
            } else {
                Err(Miss::Error)
            }
        } else if e.len < 4096 {
            mini.chain(e.start, &mini_table, e.len)?
        } else {
            big.chain(e.start, &fat.table, e.len)?
        };
        match got {
            Ok(s) => return Ok(Some(s)),
            Err(Miss::Error) => continue,
            Err(Miss::Panic) => return Ok(None),
        }
    }
    Ok(None)
}

// ---------------------------------------------------------------------
// The BIFF records
// ---------------------------------------------------------------------

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
struct Globals {
    /// Each BOUNDSHEET: where calamine starts parsing it, and its name.
    sheets: Vec<(usize, String)>,
    /// Characters of each shared string.
    sst: Vec<u32>,
    /// Whether calamine treats the file as BIFF5 or earlier.
    pre_biff8: bool,
    /// Most bytes a sheet name or a defined name takes in UTF-8.
    sheet_name_max: u64,
    name_max: u64,
    /// Text of the defined names (the name, its formula and the sheet's
    /// name calamine puts in front), as an upper bound.
    names_text: u64,
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
            return Err(FileFault::new(format!(
                "Arbetsboken innehåller fler än {max} olika texter, fler än ett blad får ha celler, och läses inte."
            )));
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
fn globals(stream: &[u8], lim: &XlsLimits) -> Result<Option<Globals>, FileFault> {
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
                    return Err(FileFault::new(format!(
                        "Arbetsboken har fler än {MAX_SHEETS} blad och läses inte."
                    )));
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
                    return Err(FileFault::new(format!(
                        "Arbetsbokens tabell med delade texter är delad i {} delar, fler än {MAX_SST_CONTINUES}; filen läses inte.",
                        r.cont.len()
                    )));
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

/// An upper bound of the text calamine builds for one formula
/// (`parse_formula`, on `rgce` = the record from byte 20) and of the bytes
/// it moves doing so. Every token is walked with the length calamine gives
/// it; the text each adds is bounded from above, and a token that inserts
/// into or splits the text is counted as moving all of it.
fn formula_cost(rgce: &[u8], g: &Globals) -> (u64, u64) {
    // calamine's message for a formula it cannot read.
    const FALLBACK: u64 = 160;
    let Some(cce) = u16_at(rgce, 0) else {
        return (FALLBACK, 0);
    };
    let Some(mut t) = rgce.get(2..2 + usize::from(cce)) else {
        return (FALLBACK, 0);
    };
    let pre8 = g.pre_biff8;
    let mut len: u64 = 0;
    let mut work: u64 = 0;
    // Skip `n` operand bytes; a short token makes calamine panic.
    macro_rules! skip {
        ($n:expr) => {{
            let n: usize = $n;
            match t.get(n..) {
                Some(rest) => t = rest,
                None => break,
            }
        }};
    }
    while let Some((&ptg, rest)) = t.split_first() {
        t = rest;
        match ptg {
            0x3a | 0x5a | 0x7a | 0x3c | 0x5c | 0x7c => {
                len += g.sheet_name_max + 32;
                skip!(6);
            }
            0x3b | 0x5b | 0x7b | 0x3d | 0x5d | 0x7d => {
                len += g.sheet_name_max + 32;
                skip!(10);
            }
            0x01 => skip!(4),
            // Binary operators split off the right operand and write it back.
            0x03..=0x11 => {
                work += 2 * len;
                len += 2;
            }
            // Unary plus and minus, parentheses: insert at an operand's start.
            0x12 | 0x13 | 0x15 => {
                work += len;
                len += 2;
            }
            0x14 => len += 1,
            0x16 => {}
            0x17 => {
                let Some(&cch) = t.first() else { break };
                let cch = usize::from(cch);
                len += 2 + 3 * cch as u64;
                if pre8 {
                    skip!(1 + cch);
                } else {
                    let Some(&flags) = t.get(1) else { break };
                    skip!(2 + if flags & 1 != 0 { 2 * cch } else { cch });
                }
            }
            0x18 => skip!(5),
            0x19 => {
                let Some(&etpg) = t.first() else { break };
                skip!(1);
                match etpg {
                    0x01 | 0x02 | 0x08 | 0x20 | 0x21 => skip!(2),
                    0x04 => {
                        let Some(n) = u16_at(t, 0) else { break };
                        skip!(2 + 2 * (usize::from(n) + 1));
                    }
                    0x10 => {
                        work += 2 * len;
                        len += 5;
                        skip!(2);
                    }
                    0x40 | 0x41 => {
                        // One insertion at an operand's start per character.
                        let Some(&cch) = t.get(1) else { break };
                        let cch = u64::from(cch);
                        work += cch * (len + cch);
                        len += cch;
                        skip!(2);
                    }
                    _ => break,
                }
            }
            0x1C => {
                len += 13;
                skip!(1);
            }
            0x1D => {
                len += 5;
                skip!(1);
            }
            0x1E => {
                len += 5;
                skip!(2);
            }
            // A number: Rust writes 5e-324 with all its 326 characters.
            0x1F => {
                len += 330;
                skip!(8);
            }
            0x20 | 0x40 | 0x60 => {
                len += 10;
                skip!(7);
            }
            // Functions split off their arguments and join them with commas.
            0x21 | 0x41 | 0x61 => {
                work += 2 * len;
                len += 64 + 255;
                skip!(2);
            }
            0x22 | 0x42 | 0x62 => {
                work += 2 * len;
                len += 64 + 255;
                skip!(3);
            }
            0x23 | 0x43 | 0x63 => {
                len += g.name_max;
                skip!(4);
            }
            0x24 | 0x44 | 0x64 => {
                len += 16;
                skip!(if pre8 { 3 } else { 4 });
            }
            0x25 | 0x45 | 0x65 => {
                len += 32;
                skip!(if pre8 { 6 } else { 8 });
            }
            0x2A | 0x4A | 0x6A => {
                len += 5;
                skip!(if pre8 { 3 } else { 4 });
            }
            0x2B | 0x4B | 0x6B => {
                len += 5;
                skip!(if pre8 { 6 } else { 8 });
            }
            0x39 | 0x59 => {
                len += 10;
                skip!(6);
            }
            _ => break,
        }
    }
    (len + FALLBACK, work)
}

/// Walk the workbook stream and refuse it if calamine would allocate
/// beyond the limits.
fn check_biff(stream: &[u8], lim: &XlsLimits) -> Result<(), FileFault> {
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
            return Err(FileFault::new(format!(
                "Bladet \"{name}\" anger en storlek på {} celler, mer än ett xls-blad kan ha (65536 rader × 256 kolumner); filen läses inte.",
                cost.reserved
            )));
        }
        for (what, a) in [("värden", cost.values), ("formler", cost.formulas)] {
            if a.cells() > lim.cells {
                return Err(FileFault::new(format!(
                    "Bladet \"{name}\" sträcker sig över {} celler ({}–{}), fler än gränsen {} celler per blad; filen läses inte.",
                    a.cells(),
                    crate::model::a1(a.first_row, a.first_col),
                    crate::model::a1(a.last_row, a.last_col),
                    lim.cells
                )));
            }
            if a.count > lim.cells {
                return Err(FileFault::new(format!(
                    "Bladet \"{name}\" är för stort: fler än {} celler med {what}; filen läses inte.",
                    lim.cells
                )));
            }
            area_total = area_total.saturating_add(a.cells());
        }
        if area_total > lim.area_total {
            return Err(FileFault::new(format!(
                "Arbetsbokens blad sträcker sig tillsammans över fler än {} celler; filen läses inte.",
                lim.area_total
            )));
        }
        text = text.saturating_add(cost.text);
        formula_text = formula_text.saturating_add(cost.formula_text);
        formula_work = formula_work.saturating_add(cost.formula_work);
        if text > lim.text || formula_text > lim.text {
            return Err(super::too_much_text(lim.text));
        }
        if formula_work > MAX_FORMULA_WORK {
            return Err(FileFault::new(
                "Arbetsbokens formler är för långa och för många för att läsas; filen läses inte.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::CORRUPT;
    use super::*;

    /// A CFB header with one FAT sector (sector 0) and `fat` as its table.
    pub(crate) fn cfb_with_fat(fat: &[u32], dir_start: u32) -> Vec<u8> {
        let mut b = super::super::CFB_MAGIC.to_vec();
        b.resize(512, 0);
        b[24..26].copy_from_slice(&0x3Eu16.to_le_bytes()); // minor version
        b[26..28].copy_from_slice(&3u16.to_le_bytes()); // version 3
        b[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes()); // byte order
        b[30..32].copy_from_slice(&9u16.to_le_bytes()); // 512-byte sectors
        b[32..34].copy_from_slice(&6u16.to_le_bytes()); // 64-byte mini sectors
        b[44..48].copy_from_slice(&1u32.to_le_bytes()); // one FAT sector
        b[48..52].copy_from_slice(&dir_start.to_le_bytes());
        b[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes()); // no mini FAT
        b[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes()); // no DIFAT chain
        for i in 0..109 {
            let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
            b[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        let mut table = vec![0xFFFF_FFFFu32; 128];
        table[..fat.len()].copy_from_slice(fat);
        b.extend(table.iter().flat_map(|v| v.to_le_bytes()));
        b.resize(512 * 4, 0);
        b
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn a_looping_cfb_chain_is_refused_and_a_straight_one_is_not() {
        // Sector 0 is the table; the directory starts at 1, which loops 1→2→1.
        let looped = cfb_with_fat(&[0xFFFF_FFFD, 2, 1], 1);
        let e = check_cfb_chains(&looped).unwrap_err();
        assert!(e.message.contains("går i ring"), "{}", e.message);
        // calamine on it would grow without bound; refused before it runs.
        let limits = Limits::default();
        assert!(check_xls(&looped, &limits).is_err());
        let straight = cfb_with_fat(&[0xFFFF_FFFD, 2, ENDOFCHAIN], 1);
        assert!(check_cfb_chains(&straight).is_ok());
        // The LibreOffice .xls fixture passes.
        assert!(check_cfb_chains(&fixture("tests/fixtures/mkn-libreoffice.xls")).is_ok());
    }

    #[test]
    fn a_table_listing_more_fat_sectors_than_the_file_has_is_refused() {
        let mut b = cfb_with_fat(&[0xFFFF_FFFD, ENDOFCHAIN], 1);
        // The header's DIFAT lists sector 0 109 times: a 2 kB file whose
        // table calamine would build 109 sectors long.
        for i in 0..109 {
            b[76 + 4 * i..80 + 4 * i].copy_from_slice(&0u32.to_le_bytes());
        }
        let e = check_cfb_chains(&b).unwrap_err();
        assert!(
            e.message.contains("fler sektorer än filen har"),
            "{}",
            e.message
        );
    }

    // --- BIFF streams built in code -------------------------------------

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
            e.message,
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
        assert!(e.message.contains("MULRK"), "{}", e.message);
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
            e.message.contains("mer än ett xls-blad kan ha"),
            "{}",
            e.message
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
        assert!(e.message.contains("fler än 100 celler"), "{}", e.message);
        // Two sheets of 10 × 10 pass alone; together they pass the total.
        let square = [number(0, 0), number(9, 9)].concat();
        assert!(check_biff(&workbook(&[], &[("A", square.clone())]), &small).is_ok());
        let e = check_biff(
            &workbook(&[], &[("A", square.clone()), ("B", square)]),
            &small,
        )
        .unwrap_err();
        assert!(e.message.contains("tillsammans"), "{}", e.message);
        // 101 shared strings.
        let strings: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
        let e = check_biff(&workbook(&sst(&refs), &[("S", number(0, 0))]), &small).unwrap_err();
        assert!(e.message.contains("olika texter"), "{}", e.message);
        // More sheets than a workbook may have.
        let many: Vec<(&str, Vec<u8>)> = (0..=MAX_SHEETS).map(|_| ("S", Vec::new())).collect();
        let e = check_biff(&workbook(&[], &many), &lim()).unwrap_err();
        assert_eq!(
            e.message,
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
        assert!(e.message.contains("tecken text"), "{}", e.message);
        // An index past the table makes no cell (calamine skips it).
        let far = [label_sst(0, 0, 1), label_sst(60_000, 250, 2)].concat();
        assert!(check_biff(&workbook(&globals, &[("S", far)]), &small).is_ok());
        // A LABEL declaring 65 535 characters it does not have: calamine
        // reserves them all.
        let label = rec(0x0204, &[0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0]);
        let e = check_biff(&workbook(&[], &[("S", label)]), &small).unwrap_err();
        assert!(e.message.contains("tecken text"), "{}", e.message);
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
            e.message.contains("längre än det som finns kvar"),
            "{}",
            e.message
        );
        // A NUMBER record too short for its value: named with its sheet.
        let s = workbook(&[], &[("S", rec(0x0203, &[0; 8]))]);
        let e = check_biff(&s, &lim()).unwrap_err();
        assert!(
            e.message
                .starts_with("Bladet \"S\" kan inte läsas; filen är skadad eller ofullständig.")
                && e.message.contains("för kort"),
            "{}",
            e.message
        );
        // A sheet starting past the end of the stream.
        let mut s = workbook(&[], &[("S", number(0, 0))]);
        let at = 4 + 8 + 4;
        s[at..at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
        assert!(check_biff(&s, &lim())
            .unwrap_err()
            .message
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
        assert!(e.message.contains("överlappar"), "{}", e.message);
    }

    #[test]
    fn formula_text_and_work_are_bounded() {
        let g = Globals {
            sheets: Vec::new(),
            sst: Vec::new(),
            pre_biff8: false,
            sheet_name_max: 31 * 3,
            name_max: 255 * 3,
            names_text: 0,
        };
        let rgce = |tokens: &[u8]| {
            let mut v = (tokens.len() as u16).to_le_bytes().to_vec();
            v.extend(tokens);
            v
        };
        // =A1+1: small.
        let (text, work) = formula_cost(&rgce(&[0x24, 0, 0, 0, 0xC0, 0x1E, 1, 0, 0x03]), &g);
        assert!(text < 400 && work < 400, "{text} {work}");
        // A name followed by 10 000 unary pluses: each inserts at the start.
        let mut t = vec![0x23, 1, 0, 0, 0];
        t.extend(std::iter::repeat_n(0x12, 10_000));
        let (text, work) = formula_cost(&rgce(&t), &g);
        assert!(text >= 20_000 && work >= 10_000 * 765, "{text} {work}");
        // 255 spaces inserted one by one, 2 000 times.
        let mut t = vec![0x1E, 1, 0];
        for _ in 0..2000 {
            t.extend([0x19, 0x40, 0x00, 0xFF]);
        }
        let (text, work) = formula_cost(&rgce(&t), &g);
        assert!(text >= 2000 * 255, "{text}");
        assert!(work > 1 << 33, "{work}");
        // A token cut short ends the walk (calamine panics there).
        let (text, _) = formula_cost(&rgce(&[0x1F, 0, 0]), &g);
        assert!(text <= 330 + 160, "{text}");
    }

    #[test]
    fn the_libreoffice_fixture_and_its_stream_pass() {
        let xls = fixture("tests/fixtures/mkn-libreoffice.xls");
        let stream = workbook_stream(&xls).unwrap().expect("a Workbook stream");
        assert_eq!(stream.len(), 8890);
        let g = globals(&stream, &lim()).unwrap().unwrap();
        assert_eq!(g.sheets.len(), 7);
        assert_eq!(g.sheets[0].1, "Inlämning");
        assert!(!g.sst.is_empty());
        assert!(check_xls(&xls, &Limits::default()).is_ok());
    }

    #[test]
    fn the_fuzzed_dimension_file_is_refused_before_calamine() {
        let xls = fixture("fuzz/regressions/xls-dimension-oom.xls");
        let e = check_xls(&xls, &Limits::default()).unwrap_err();
        assert!(
            e.message
                .starts_with("Bladet \"Digitaliseringsplan\" sträcker sig över"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_stream_in_sectors_past_the_end_of_the_file_is_refused() {
        let xls = fixture("tests/fixtures/mkn-libreoffice.xls");
        // Cut the file inside the last directory sector.
        let cut = &xls[..512 * 25 + 100];
        let e = check_xls(cut, &Limits::default()).unwrap_err();
        assert!(e.message.starts_with(CORRUPT), "{}", e.message);
        // The other fuzz findings end as a refusal, never a panic.
        for f in ["xls-cfb-chain-loop.xls", "xls-cfb-slice-panic.xls"] {
            let b = fixture(&format!("fuzz/regressions/{f}"));
            let e = check_xls(&b, &Limits::default()).unwrap_err();
            assert!(e.message.starts_with(CORRUPT), "{f}: {}", e.message);
        }
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn fixture() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/mkn-libreoffice.xls"
        ))
        .unwrap()
    }

    proptest! {
        /// The guard never panics on a damaged real file: bytes changed
        /// anywhere (container or records), or the file cut anywhere.
        #[test]
        fn never_panics_on_a_damaged_xls(
            changes in prop::collection::vec((0usize..13_312, any::<u8>()), 1..16),
            cut in 0usize..=13_312,
        ) {
            let mut b = fixture();
            for (at, v) in changes {
                b[at] = v;
            }
            let _ = check_xls(&b, &Limits::default());
            b.truncate(cut);
            let _ = check_xls(&b, &Limits::default());
        }

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

        /// Nor on formulas of arbitrary tokens; the bound is never below
        /// the fallback message.
        #[test]
        fn never_panics_on_arbitrary_formulas(rgce in prop::collection::vec(any::<u8>(), 0..200)) {
            let g = Globals {
                sheets: Vec::new(),
                sst: Vec::new(),
                pre_biff8: false,
                sheet_name_max: 93,
                name_max: 765,
                names_text: 0,
            };
            let (text, _) = formula_cost(&rgce, &g);
            prop_assert!(text >= 160);
        }
    }
}

/// The guard against calamine itself: whenever the guard lets a damaged
/// file through, calamine's ranges stay within the limits. Ignored: a
/// guard that misses lets calamine allocate without bound, so run it under
/// a memory cap, e.g.
/// `(ulimit -v 4000000; PROPTEST_CASES=20000 cargo test --lib agrees_with_calamine -- --ignored)`.
#[cfg(test)]
mod differential {
    use super::*;
    use calamine::{Reader, Xls};
    use proptest::prelude::*;

    proptest! {
        #[test]
        #[ignore = "run under a memory cap (see the module)"]
        fn agrees_with_calamine(
            // The Workbook stream lies in bytes 1 536..10 752 of the file;
            // the header, the table and the directory around it.
            changes in prop::collection::vec(
                (prop_oneof![3 => 1_536usize..10_752, 1 => 0usize..13_312], any::<u8>()),
                1..8,
            ),
        ) {
            let mut b = std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/mkn-libreoffice.xls"
            ))
            .unwrap();
            for (at, v) in changes {
                b[at] = v;
            }
            let limits = Limits { max_rader: 100, ..Limits::default() };
            let max = XlsLimits::new(&limits).cells;
            if check_xls(&b, &limits).is_err() {
                return Ok(());
            }
            let opened = std::panic::catch_unwind(|| {
                Xls::new(std::io::Cursor::new(b.clone())).ok().map(|mut wb| {
                    let mut total = 0u64;
                    for name in wb.sheet_names() {
                        let area = |(r, c): (usize, usize)| (r * c) as u64;
                        let values = wb.worksheet_range(&name).map(|r| area(r.get_size())).unwrap_or(0);
                        let formulas = wb.worksheet_formula(&name).map(|r| area(r.get_size())).unwrap_or(0);
                        total += values + formulas;
                    }
                    total
                })
            });
            if let Ok(Some(total)) = opened {
                prop_assert!(total <= max, "calamine built {total} cells, the limit is {max}");
            }
        }
    }
}
