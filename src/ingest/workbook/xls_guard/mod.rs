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

//!
//! The parts: [`container`] takes the workbook stream out of the CFB
//! container, [`records`] walks its BIFF records and adds up each sheet's
//! cost, and [`formula`] bounds what one formula's tokens cost.

use super::FileFault;
use crate::config::Limits;

mod container;
mod formula;
mod records;

pub use container::check_cfb_chains;
use container::workbook_stream;
use records::check_biff;

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

#[cfg(test)]
mod tests {
    use super::super::CORRUPT;
    use super::records::globals;
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn lim() -> XlsLimits {
        XlsLimits::new(&Limits::default())
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
            e.to_string()
                .starts_with("Bladet \"Digitaliseringsplan\" sträcker sig över"),
            "{}",
            e
        );
    }

    #[test]
    fn a_stream_in_sectors_past_the_end_of_the_file_is_refused() {
        let xls = fixture("tests/fixtures/mkn-libreoffice.xls");
        // Cut the file inside the last directory sector.
        let cut = &xls[..512 * 25 + 100];
        let e = check_xls(cut, &Limits::default()).unwrap_err();
        assert!(e.to_string().starts_with(CORRUPT), "{}", e);
        // The other fuzz findings end as a refusal, never a panic.
        for f in ["xls-cfb-chain-loop.xls", "xls-cfb-slice-panic.xls"] {
            let b = fixture(&format!("fuzz/regressions/{f}"));
            let e = check_xls(&b, &Limits::default()).unwrap_err();
            assert!(e.to_string().starts_with(CORRUPT), "{f}: {}", e);
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
