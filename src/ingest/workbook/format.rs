//! Format detection: the format is decided by the bytes (not the name),
//! and each zip-based format's guard runs where it is decided.

use std::io::Cursor;

use super::fault::FileFault;
use super::xlsx_guard::check_shared_strings;
use super::zip_guard::check_zip;
use crate::config::Limits;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

pub(super) const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decide the format from the content, and run the guards of a zip-based
/// format on one opened archive before calamine opens it: the declared
/// unpacked size first (nothing is inflated before it), then the .ods
/// content scan or the xlsx shared-string count.
pub(super) fn identify(bytes: &[u8], limits: &Limits) -> Result<Format, FileFault> {
    if bytes.starts_with(CFB_MAGIC) {
        // An encrypted OOXML workbook is a CFB container holding these streams.
        if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo") {
            return Err(FileFault::Encrypted);
        }
        return Ok(Format::Xls);
    }
    if !bytes.starts_with(b"PK") {
        return Err(FileFault::NotSpreadsheet);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileFault::Corrupt)?;
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
        Err(FileFault::NotSpreadsheet)
    }
}

fn contains_utf16(bytes: &[u8], s: &str) -> bool {
    let needle: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}
