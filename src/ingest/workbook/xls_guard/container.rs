//! The CFB (OLE2) container: the sector tables rebuilt the way calamine
//! builds them, the chain check, and the `Workbook` stream taken out.

use super::{u16_at, u32_at, u32s, FileFault};

const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

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
pub(super) fn workbook_stream(bytes: &[u8]) -> Result<Option<Vec<u8>>, FileFault> {
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

#[cfg(test)]
mod tests {
    use super::super::check_xls;
    use super::*;
    use crate::config::Limits;

    /// A CFB header with one FAT sector (sector 0) and `fat` as its table.
    pub(crate) fn cfb_with_fat(fat: &[u32], dir_start: u32) -> Vec<u8> {
        let mut b = crate::ingest::workbook::format::CFB_MAGIC.to_vec();
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
        assert!(e.to_string().contains("går i ring"), "{}", e);
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
            e.to_string().contains("fler sektorer än filen har"),
            "{}",
            e
        );
    }
}
