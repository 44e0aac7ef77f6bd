//! Discovery of the shared folder: every file below the root (any depth),
//! classified by name into candidates and skipped files. Never follows
//! symbolic links and never writes anything.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Extensions read as workbooks (case-insensitive).
pub const READABLE: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// One file found.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// Relative to the root, `/`-separated.
    pub rel: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// Why it is skipped, if it is (status `ignorerad`).
    pub skip: Option<String>,
}

/// Walk `root` and list every entry in a stable (sorted) order.
pub fn discover(root: &Path) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Found>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let meta = std::fs::symlink_metadata(&path)?;
        let name = e.file_name().to_string_lossy().into_owned();
        let found = |skip: Option<String>| Found {
            path: path.clone(),
            rel: rel.clone(),
            size: meta.len(),
            modified: meta.modified().ok(),
            skip,
        };
        if meta.file_type().is_symlink() {
            out.push(found(Some(
                "Symbolisk länk; uppsikt följer inga länkar i den delade mappen.".into(),
            )));
        } else if meta.is_dir() {
            if name.starts_with('.') {
                out.push(found(Some("Dold mapp; läses inte.".into())));
            } else {
                walk(root, &path, out)?;
            }
        } else if meta.is_file() {
            out.push(found(skip_reason(&name)));
        } else {
            out.push(found(Some("Ingen vanlig fil; läses inte.".into())));
        }
    }
    Ok(())
}

/// Why a file of this name is not read, or `None` when it is a candidate.
pub fn skip_reason(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    if name.starts_with("~$") {
        return Some("Låsfil från Office (arbetsboken är öppen hos någon); läses inte.".into());
    }
    if name.starts_with(".~lock.") {
        return Some(
            "Låsfil från LibreOffice (arbetsboken är öppen hos någon); läses inte.".into(),
        );
    }
    if name.starts_with('.') {
        return Some("Dold fil; läses inte.".into());
    }
    if lower.ends_with(".tmp") {
        return Some("Tillfällig fil; läses inte.".into());
    }
    let ext = Path::new(&lower)
        .extension()
        .map(|e| e.to_string_lossy().into_owned());
    match ext {
        Some(e) if READABLE.contains(&e.as_str()) => None,
        Some(e) => Some(format!(
            "Filtypen .{e} läses inte (bara .xlsx, .xlsm, .xls, .xlsb och .ods)."
        )),
        None => Some(
            "Filen har ingen filändelse och läses inte (bara .xlsx, .xlsm, .xls, .xlsb och .ods)."
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_by_name() {
        assert!(skip_reason("~$plan.xlsx").unwrap().contains("Office"));
        assert!(skip_reason(".~lock.plan.xlsx#")
            .unwrap()
            .contains("LibreOffice"));
        assert!(skip_reason(".hidden.xlsx").unwrap().contains("Dold"));
        assert!(skip_reason("x.TMP").unwrap().contains("Tillfällig"));
        assert!(skip_reason("brev.docx").unwrap().contains(".docx"));
        assert!(skip_reason("README").is_some());
        for ok in ["a.xlsx", "B.XLSM", "c.xls", "d.xlsb", "e.ods"] {
            assert_eq!(skip_reason(ok), None, "{ok}");
        }
    }
}
