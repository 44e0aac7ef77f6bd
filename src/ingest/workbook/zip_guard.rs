//! The zip-bomb check: a zip whose declared inflated size is unreasonable
//! is refused before any part of it is inflated.

use std::io::{Read, Seek};

use super::fault::FileFault;
use crate::config::Limits;

/// Refuse a zip whose declared inflated size is unreasonable (a zip bomb),
/// before any part of it is inflated (`packed`: the file's size).
pub(super) fn check_zip<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    packed: u64,
    limits: &Limits,
) -> Result<(), FileFault> {
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| FileFault::Corrupt)?;
        total = total.saturating_add(entry.size());
    }
    let mb = |b: u64| b / (1024 * 1024);
    if total > limits.max_uppackat_mb * 1024 * 1024
        || (total > 10 * 1024 * 1024 && total / packed.max(1) > limits.max_packningsgrad)
    {
        return Err(FileFault::ZipBomb {
            unpacked_mb: mb(total),
            packed_kb: packed / 1024,
        });
    }
    Ok(())
}
