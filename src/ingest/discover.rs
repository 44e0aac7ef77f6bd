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

/// Walk `root` and list every entry in a stable (sorted) order. Only the
/// root itself not being readable is an error: the shared folder can change
/// at any moment, so a subfolder or entry that vanishes (or cannot be read)
/// while it is listed is left out with a log line, and the run goes on.
pub fn discover(root: &Path) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    let entries = list(root)?;
    walk(root, entries, &mut out);
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// The entries of `dir`, sorted by name; an entry that cannot be read is left out.
fn list(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
    #[cfg(feature = "test-hooks")]
    hooks::before_listing(dir);
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| match e {
            Ok(e) => Some(e),
            Err(error) => {
                tracing::warn!(
                    folder = %dir.display(),
                    "{}",
                    format!("en post i mappen kan inte läsas och hoppas över: {}", crate::oserror::at(dir, &error))
                );
                None
            }
        })
        .collect();
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn walk(root: &Path, entries: Vec<std::fs::DirEntry>, out: &mut Vec<Found>) {
    for e in entries {
        let path = e.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(error) => {
                // Removed (or renamed) since the folder was listed.
                tracing::warn!(
                    "{}: försvann eller kan inte läsas medan mappen listades ({}); hoppas över i den här körningen",
                    rel,
                    crate::oserror::swedish(&error)
                );
                continue;
            }
        };
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
                match list(&path) {
                    Ok(inner) => walk(root, inner, out),
                    Err(error) => tracing::warn!(
                        "{}/: mappen försvann eller kan inte läsas medan den listades ({}); hoppas över i den här körningen",
                        rel,
                        crate::oserror::swedish(&error)
                    ),
                }
            }
        } else if meta.is_file() {
            out.push(found(skip_reason(&name)));
        } else {
            out.push(found(Some("Ingen vanlig fil; läses inte.".into())));
        }
    }
}

/// Test hooks (feature `test-hooks`): something to do to the shared folder
/// just before a folder is listed, to simulate it changing mid-run.
#[cfg(feature = "test-hooks")]
pub mod hooks {
    use std::path::Path;
    use std::sync::Mutex;

    type Hook = Box<dyn Fn(&Path) + Send + Sync>;
    static BEFORE_LISTING: Mutex<Option<Hook>> = Mutex::new(None);

    /// Call `f` with every folder about to be listed (until replaced).
    pub fn set_before_listing(f: impl Fn(&Path) + Send + Sync + 'static) {
        if let Ok(mut h) = BEFORE_LISTING.lock() {
            *h = Some(Box::new(f));
        }
    }

    pub(super) fn before_listing(dir: &Path) {
        if let Ok(h) = BEFORE_LISTING.lock() {
            if let Some(f) = h.as_ref() {
                f(dir);
            }
        }
    }
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
