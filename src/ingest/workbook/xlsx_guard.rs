//! The xlsx shared-string guard: an xlsx whose shared-string table declares
//! more strings than a sheet may hold cells is refused before calamine
//! reserves room for them.

use std::io::{Read, Seek};

use super::cell_limit;
use super::fault::FileFault;
use super::xml::{declared_count, raw_attrs, start_tags, unescape, Tag};
use crate::config::Limits;

/// Refuse an xlsx whose shared-string table declares more strings than a
/// sheet may hold cells: calamine reserves room for the declared
/// `uniqueCount` up front, so a 1 kB file declaring 4 294 967 295 strings
/// asks for 100 GB and aborts the process (an allocation failure is no
/// panic and cannot be caught). Only the part calamine reads is checked
/// (see `shared_strings_parts`), and only its start is inflated.
pub(super) fn check_shared_strings<R: Read + Seek>(
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
            return Err(FileFault::Corrupt);
        }
        let declared = match sst_unique_count(&head)? {
            Some(n) => n,
            // No start tag in the first 64 kB of a larger part: refused
            // rather than trusted (a real one starts within 100 bytes).
            None if size > HEAD => return Err(FileFault::Corrupt),
            None => 0,
        };
        if declared > max {
            return Err(FileFault::SharedStringsDeclared { declared, max });
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
            return Err(FileFault::Corrupt);
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
                return Err(FileFault::Corrupt);
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
        Err(_) => return Err(FileFault::Corrupt),
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

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::ingest::workbook::xml::TAG_MAX;
    use crate::ingest::workbook::CORRUPT;

    /// The shared-string guard on a zip's bytes.
    fn sst_check(bytes: &[u8], limits: &Limits) -> Result<(), FileFault> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        check_shared_strings(&mut archive, limits)
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
                e.to_string().contains("4294967295 olika texter"),
                "{name}: {}",
                e
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
        assert!(e.to_string().starts_with(CORRUPT), "{}", e);
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
        assert!(e.to_string().contains("641 olika texter"), "{}", e);
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
