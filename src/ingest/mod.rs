//! Ingestion: the shared folder in, the typed [`Model`] and the input log
//! out. Files are classified by their `Inlämning` sheet, never by name;
//! every whole-file fault is one `fel` line and the run goes on; nothing
//! under the input root is ever written.

pub mod discover;
pub mod grid;
pub mod header;
pub mod identify;
mod log;
pub mod sheet;
pub mod values;
mod warning;
pub mod workbook;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::NaiveDate;

pub use log::{FileEntry, FileStatus, InputLog};
pub use warning::{CellWarning, WarningJson};

use crate::config::Limits;
use crate::model::records::{self, Inlamning as InlamningSheet};
use crate::model::*;
use workbook::FileFault;

/// What ingestion needs to know besides the folder.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub period: Period,
    pub settle: Duration,
    pub limits: Limits,
    /// "Now" for the settle check (the wall clock in production).
    pub now: SystemTime,
}

/// The result of ingesting a folder.
#[derive(Debug)]
pub struct Ingested {
    pub orgs: Vec<OrgData>,
    pub log: InputLog,
    /// The bytes of every file read, by its log path (only with
    /// [`ingest_keeping`]'s `keep_bytes`).
    pub bytes: BTreeMap<String, Arc<[u8]>>,
}

/// A workbook that was read and classified.
#[derive(Debug)]
enum Parsed {
    Verksamhet(Verksamhet),
    Leverantor(Leverantor),
    Tjanstekatalog(Tjanstekatalog),
}

impl Parsed {
    fn inlamning(&self) -> &Inlamning {
        match self {
            Parsed::Verksamhet(v) => &v.inlamning,
            Parsed::Leverantor(v) => &v.inlamning,
            Parsed::Tjanstekatalog(v) => &v.inlamning,
        }
    }
}

thread_local! {
    static IN_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks this thread as inside a workbook reader while it lives: a panic
/// there is caught and logged as one line naming the file, so the process's
/// panic hook ([`in_reader`]) stays silent.
struct ReaderGuard;

impl ReaderGuard {
    fn enter() -> Self {
        IN_READER.with(|c| c.set(true));
        Self
    }
}

impl Drop for ReaderGuard {
    fn drop(&mut self) {
        IN_READER.with(|c| c.set(false));
    }
}

/// Whether this thread is inside a workbook reader (a panic there is
/// caught, and logged with its file, by ingest).
pub fn in_reader() -> bool {
    IN_READER.with(|c| c.get())
}

/// The bytes of the files read, by log path, collected across workers.
type KeptBytes = std::sync::Mutex<BTreeMap<String, Arc<[u8]>>>;

/// Read every file below `root` against the register.
pub fn ingest(
    root: &Path,
    register: &[Organisation],
    opts: &IngestOptions,
) -> std::io::Result<Ingested> {
    ingest_keeping(root, register, opts, false)
}

/// [`ingest`], also keeping the bytes of every file read and hashed
/// (`keep_bytes`) in [`Ingested::bytes`]: the archive writes exactly the
/// bytes that were judged, never reading the shared folder again.
pub fn ingest_keeping(
    root: &Path,
    register: &[Organisation],
    opts: &IngestOptions,
    keep_bytes: bool,
) -> std::io::Result<Ingested> {
    let found = discover::discover(root)?;
    let register: Vec<Arc<Organisation>> = register.iter().cloned().map(Arc::new).collect();
    let kept: KeptBytes = Default::default();

    let progress = crate::parallel::Progress::new("inläsning", "filer", found.len());
    let results = crate::parallel::map_with_progress(&found, Some(&progress), |f| {
        read_one(f, &register, opts, keep_bytes.then_some(&kept))
    });
    progress.finish();

    let mut entries = Vec::with_capacity(found.len());
    let mut parsed: Vec<(usize, Parsed)> = Vec::new();
    for (i, (entry, p)) in results.into_iter().enumerate() {
        entries.push(entry);
        if let Some(p) = p {
            parsed.push((i, p));
        }
    }

    // Period and duplicates: per (organisation, typ), the latest Inlämnad
    // wins, then the latest modification time, then the path.
    let mut groups: BTreeMap<(String, SubmissionType), Vec<(usize, Parsed)>> = BTreeMap::new();
    for (i, p) in parsed {
        let inl = p.inlamning();
        if !opts.period.covers(&inl.period) {
            entries[i].status = FileStatus::AnnanPeriod;
            entries[i].reason = format!(
                "Inlämningen gäller period {}, men körningen bedömer {}; den bedöms inte.",
                inl.period, opts.period
            );
            continue;
        }
        groups
            .entry((inl.org_id.clone(), inl.typ))
            .or_default()
            .push((i, p));
    }
    let mut by_org: BTreeMap<String, OrgData> = register
        .iter()
        .map(|o| (o.id.clone(), OrgData::new(o.clone())))
        .collect();
    for e in entries.iter().filter(|e| e.status == FileStatus::Vantar) {
        if let Some(od) = e.org.as_deref().and_then(|id| by_org.get_mut(id)) {
            od.vantar = true;
        }
    }
    for ((org_id, _), mut group) in groups {
        group.sort_by(|(ia, a), (ib, b)| {
            (
                a.inlamning().inlamnad,
                entries[*ia].modified,
                &entries[*ia].path,
            )
                .cmp(&(
                    b.inlamning().inlamnad,
                    entries[*ib].modified,
                    &entries[*ib].path,
                ))
        });
        let Some((wi, winner)) = group.pop() else {
            continue;
        };
        let winner_path = entries[wi].path.clone();
        for (i, _) in group {
            entries[i].status = FileStatus::Ersatt;
            entries[i].reason = format!("Ersatt av {winner_path} (senare inlämning).");
        }
        if let Some(od) = by_org.get_mut(&org_id) {
            match winner {
                Parsed::Verksamhet(v) => od.verksamhet = Some(v),
                Parsed::Leverantor(v) => od.leverantor = Some(v),
                Parsed::Tjanstekatalog(v) => od.katalog = Some(v),
            }
        }
    }
    let orgs = register
        .iter()
        .filter_map(|o| by_org.remove(&o.id))
        .collect();
    Ok(Ingested {
        orgs,
        log: InputLog { entries },
        bytes: kept.into_inner().unwrap_or_default(),
    })
}

/// Read and classify one file; never panics (a parser panic becomes `fel`).
/// A `fel` file whose own `Inlämning` sheet did not name its organisation,
/// and a `väntar` file (never read), is attributed to the one its path
/// names (for telling people only: it never counts as that organisation's
/// submission; a waiting one sets [`OrgData::vantar`]).
fn read_one(
    f: &discover::Found,
    register: &[Arc<Organisation>],
    opts: &IngestOptions,
    keep: Option<&KeptBytes>,
) -> (FileEntry, Option<Parsed>) {
    let (mut entry, parsed) = read_and_classify(f, register, opts, keep);
    // Only for the files that need it: the path is matched against the
    // whole register, so doing it for every file grew with organisations ×
    // files (about a third of the read phase's CPU at 3,000 organisations).
    if f.skip.is_none()
        && matches!(entry.status, FileStatus::Fel | FileStatus::Vantar)
        && entry.org.is_none()
    {
        entry.org = identify::from_path(&f.rel, register).map(str::to_string);
    }
    (entry, parsed)
}

fn read_and_classify(
    f: &discover::Found,
    register: &[Arc<Organisation>],
    opts: &IngestOptions,
    keep: Option<&KeptBytes>,
) -> (FileEntry, Option<Parsed>) {
    let mut entry = FileEntry::new(f);
    if let Some(reason) = &f.skip {
        entry.status = FileStatus::Ignorerad;
        entry.reason = reason.clone();
        return (entry, None);
    }
    if let Some(m) = f.modified {
        let age = opts.now.duration_since(m).unwrap_or(Duration::ZERO);
        if age < opts.settle || m > opts.now {
            entry.status = FileStatus::Vantar;
            entry.reason = format!(
                "Filen ändrades för {} s sedan och kan fortfarande laddas upp; den läses i en senare körning.",
                age.as_secs()
            );
            return (entry, None);
        }
    }
    let max = opts.limits.max_fil_mb * 1024 * 1024;
    if f.size > max {
        entry.status = FileStatus::Fel;
        entry.reason = format!(
            "Filen är för stor ({} MB; gränsen är {} MB).",
            f.size / (1024 * 1024),
            opts.limits.max_fil_mb
        );
        return (entry, None);
    }
    let bytes = match read_bounded(f) {
        Ok(Some(b)) => b,
        Ok(None) => {
            entry.status = FileStatus::Vantar;
            entry.reason = CHANGED_WHILE_READ.into();
            return (entry, None);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Listed, then gone: moved or replaced right now.
            entry.status = FileStatus::Vantar;
            entry.reason = VANISHED.into();
            return (entry, None);
        }
        Err(e) => {
            entry.status = FileStatus::Fel;
            entry.reason = FileFault::Unreadable {
                detail: crate::oserror::swedish(&e),
            }
            .to_string();
            return (entry, None);
        }
    };
    // A file that changed while we read it is still being written.
    let after = std::fs::symlink_metadata(&f.path)
        .ok()
        .map(|m| (m.is_file(), m.len(), m.modified().ok()));
    if !unchanged(f, bytes.len(), after) {
        entry.status = FileStatus::Vantar;
        entry.reason = CHANGED_WHILE_READ.into();
        return (entry, None);
    }
    entry.sha256 = Some(crate::digest::sha256_hex(&bytes));
    let bytes: Arc<[u8]> = bytes.into();
    if let Some(keep) = keep {
        if let Ok(mut k) = keep.lock() {
            k.insert(f.rel.clone(), bytes.clone());
        }
    }
    let file: Arc<str> = f.rel.clone().into();
    let outcome = {
        let _quiet = ReaderGuard::enter();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parse_workbook(&file, &bytes, register, opts)
        }))
    };
    match outcome {
        Ok(Ok((parsed, warnings))) => {
            let inl = parsed.inlamning();
            entry.status = FileStatus::Inlast;
            entry.typ = Some(inl.typ);
            entry.org = Some(inl.org_id.clone());
            entry.period = Some(inl.period.to_string());
            entry.warnings = warnings;
            (entry, Some(parsed))
        }
        Ok(Err((fault, partial))) => {
            entry.status = FileStatus::Fel;
            entry.reason = fault.to_string();
            if let Some((typ, org, period)) = partial {
                entry.typ = typ;
                entry.org = org;
                entry.period = period;
            }
            (entry, None)
        }
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            tracing::warn!(
                file = %f.rel,
                "läsaren kraschade på filen och den underkänns: {}",
                detail.lines().next().unwrap_or_default()
            );
            entry.status = FileStatus::Fel;
            entry.reason = FileFault::ReaderPanicked { detail }.to_string();
            (entry, None)
        }
    }
}

const CHANGED_WHILE_READ: &str = "Filen ändrades medan den lästes; den läses i en senare körning.";

/// The reason of a file listed and then gone before it was read.
pub const VANISHED: &str =
    "Filen försvann efter att mappen listats (den flyttas eller ersätts just nu); den läses i en senare körning.";

/// Read a discovered file into memory, at most its discovered size plus one
/// byte. The path is opened without following a symbolic link and without
/// blocking (a FIFO swapped in after discovery would otherwise hang the
/// run), and the opened handle must still be the regular file of the
/// discovered size and time; `Ok(None)` when it is not (it changed).
fn read_bounded(f: &discover::Found) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match opts.open(&f.path) {
        Ok(file) => file,
        // O_NOFOLLOW on a symbolic link: ELOOP. The file was swapped.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(None),
        Err(e) => return Err(e),
    };
    let m = file.metadata()?;
    if !unchanged(
        f,
        f.size as usize,
        Some((m.is_file(), m.len(), m.modified().ok())),
    ) {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(f.size).unwrap_or(0));
    file.take(f.size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Whether a file is as discovered: still a regular file with the same
/// size and modification time (`now`: is-file, length, mtime, from a fresh
/// stat), and `read_len` bytes were read, its discovered size.
fn unchanged(
    f: &discover::Found,
    read_len: usize,
    now: Option<(bool, u64, Option<SystemTime>)>,
) -> bool {
    read_len as u64 == f.size && now == Some((true, f.size, f.modified))
}

/// The parse of one file's bytes, exactly as [`ingest`] does it after the
/// file is read (format sniffing, zip-bomb and .ods guards, streaming
/// sheets, classification, normalisation), without the filesystem and
/// without catching panics, for the fuzz targets in `fuzz/`. `Ok` holds the
/// number of cell warnings, `Err` the Swedish reason of the `fel` line.
#[doc(hidden)]
pub fn parse_bytes_for_fuzzing(
    bytes: &[u8],
    register: &[Organisation],
    opts: &IngestOptions,
) -> Result<usize, String> {
    let register: Vec<Arc<Organisation>> = register.iter().cloned().map(Arc::new).collect();
    let file: Arc<str> = "fuzz.xlsx".into();
    parse_workbook(&file, bytes, &register, opts)
        .map(|(_, warnings)| warnings.len())
        .map_err(|(fault, _)| fault.to_string())
}

type Partial = Option<(Option<SubmissionType>, Option<String>, Option<String>)>;

fn parse_workbook(
    file: &Arc<str>,
    bytes: &[u8],
    register: &[Arc<Organisation>],
    opts: &IngestOptions,
) -> Result<(Parsed, Vec<CellWarning>), (FileFault, Partial)> {
    // Every sheet the contract knows; key-value sheets with their merges.
    let wanted = |name: &str| match records::ALL.iter().find(|s| header::same(name, s.sheet)) {
        Some(s) if s.layout == Layout::KeyValue => workbook::Wanted::CellsAndMerges,
        Some(_) => workbook::Wanted::Cells,
        None => workbook::Wanted::No,
    };
    let sheets = workbook::read_sheets(bytes, &wanted, &opts.limits).map_err(|f| (f, None))?;
    let find = |contract: &str| {
        sheets
            .iter()
            .find(|(n, _)| header::same(n, contract))
            .map(|(n, g)| (Arc::<str>::from(n.as_str()), g))
    };
    let mut warnings = Vec::new();
    let Some((inl_name, inl_grid)) = find("Inlämning") else {
        return Err((FileFault::NoInlamning, None));
    };
    let inl: InlamningSheet =
        sheet::read_key_values(file, &inl_name, inl_grid, &mut warnings, false);
    let inlamning = classify(&inl, register, opts)?;
    if inl.period.value.is_none() {
        warnings.push(CellWarning {
            loc: inl.period.loc.clone(),
            found: String::new(),
            expected: "en period, t.ex. 2026 eller 2026-T1".into(),
            message: format!(
                "Period saknas i bladet Inlämning; inlämningen antas gälla körningens period {}",
                opts.period
            ),
        });
    }
    let inlamning = Inlamning {
        record: Arc::new(inl),
        ..inlamning
    };

    let kv = |contract: &str, w: &mut Vec<CellWarning>| {
        find(contract).map(|(n, g)| Arc::new(sheet::read_key_values(file, &n, g, w, true)))
    };
    macro_rules! table {
        ($t:ty, $contract:expr, $w:expr) => {
            find($contract).map(|(n, g)| sheet::read_table::<$t>(file, &n, g, $w))
        };
    }
    let parsed = match inlamning.typ {
        SubmissionType::Verksamhet => Parsed::Verksamhet(Verksamhet {
            plan: kv("Digitaliseringsplan", &mut warnings),
            tjanster: table!(records::TjanstAnvandning, "Tjänster", &mut warnings),
            system: table!(records::System, "System", &mut warnings),
            avsteg: table!(records::Avsteg, "Avsteg", &mut warnings),
            insatser: table!(
                records::Forandringsinsats,
                "Förändringsinsatser",
                &mut warnings
            ),
            mognad: table!(records::DigitalMognad, "Digital mognad", &mut warnings),
            inlamning,
        }),
        SubmissionType::Leverantor => Parsed::Leverantor(Leverantor {
            uppfoljning: table!(
                records::Uppfoljningsrapport,
                "Uppföljningsrapport",
                &mut warnings
            ),
            arlig_analys: table!(records::ArligAnalys, "Årlig analys", &mut warnings),
            sakerhetsavvikelser: table!(
                records::Sakerhetsavvikelse,
                "Säkerhetsavvikelser",
                &mut warnings
            ),
            leveransavvikelser: table!(
                records::Leveransavvikelse,
                "Leveransavvikelser",
                &mut warnings
            ),
            inlamning,
        }),
        SubmissionType::Tjanstekatalog => Parsed::Tjanstekatalog(Tjanstekatalog {
            tjanster: table!(records::Katalogtjanst, "Tjänster", &mut warnings),
            inlamning,
        }),
    };
    Ok((parsed, warnings))
}

/// Typ, organisation and period from the `Inlämning` sheet.
fn classify(
    inl: &InlamningSheet,
    register: &[Arc<Organisation>],
    opts: &IngestOptions,
) -> Result<Inlamning, (FileFault, Partial)> {
    let typ = match inl.typ.get() {
        None => {
            return Err((
                FileFault::NoTyp {
                    at: inl.typ.loc.clone(),
                },
                None,
            ))
        }
        Some(t) => SubmissionType::from_label(t).ok_or_else(|| {
            (
                FileFault::UnknownTyp {
                    typ: t.to_string(),
                    at: inl.typ.loc.clone(),
                },
                None,
            )
        })?,
    };
    let org = match inl.organisations_id.get() {
        Some(id) => register.iter().find(|o| &o.id == id).ok_or_else(|| {
            (
                FileFault::UnknownOrgId {
                    id: id.to_string(),
                    at: inl.organisations_id.loc.clone(),
                },
                Some((Some(typ), None, None)),
            )
        })?,
        None => {
            let name = inl.organisation.get().map(|s| header::normalize(s));
            let hit = name.as_ref().and_then(|n| {
                register.iter().find(|o| {
                    header::normalize(&o.namn) == *n
                        || o.alias.iter().any(|a| header::normalize(a) == *n)
                })
            });
            match (hit, inl.organisation.get()) {
                (Some(o), _) => o,
                (None, Some(n)) => {
                    return Err((
                        FileFault::UnknownOrgName {
                            name: n.to_string(),
                            at: inl.organisation.loc.clone(),
                        },
                        Some((Some(typ), None, None)),
                    ))
                }
                (None, None) => return Err((FileFault::NoOrg, Some((Some(typ), None, None)))),
            }
        }
    };
    let period = match inl.period.get() {
        None => opts.period,
        Some(p) => p.parse::<Period>().map_err(|e| {
            (
                FileFault::BadPeriod {
                    reason: e,
                    at: inl.period.loc.clone(),
                },
                Some((Some(typ), Some(org.id.clone()), None)),
            )
        })?,
    };
    Ok(Inlamning {
        typ,
        org_id: org.id.clone(),
        period,
        inlamnad: inl.inlamnad.get().copied(),
        record: Arc::new(inl.clone()),
    })
}

/// The per-date default: today in Sweden (whatever the machine's time zone).
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Item 16 of issue 18: a file listed and gone before it is read is
    /// `väntar` (it is being moved or replaced), not `fel` with OS text.
    #[test]
    fn a_file_gone_after_listing_is_vantar() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let f = discover::Found {
            path: dir.path().join("borta.xlsx"),
            rel: "borta.xlsx".into(),
            size: 10,
            modified: Some(SystemTime::now() - Duration::from_secs(3600)),
            skip: None,
        };
        let opts = IngestOptions {
            period: Period::year(2026),
            settle: Duration::from_secs(60),
            limits: Default::default(),
            now: SystemTime::now(),
        };
        let (entry, parsed) = read_one(&f, &[], &opts, None);
        assert!(parsed.is_none());
        assert_eq!(entry.status, FileStatus::Vantar);
        assert_eq!(
            entry.reason,
            "Filen försvann efter att mappen listats (den flyttas eller ersätts just nu); den läses i en senare körning."
        );
    }

    fn found(size: u64, modified: Option<SystemTime>) -> discover::Found {
        discover::Found {
            path: "x.xlsx".into(),
            rel: "x.xlsx".into(),
            size,
            modified,
            skip: None,
        }
    }

    #[test]
    fn the_restat_check_catches_every_change() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = t + Duration::from_secs(1);
        let f = found(100, Some(t));
        assert!(unchanged(&f, 100, Some((true, 100, Some(t)))));
        // Grew or shrank after the read, or while it was read.
        assert!(!unchanged(&f, 100, Some((true, 101, Some(t)))));
        assert!(!unchanged(&f, 101, Some((true, 100, Some(t)))));
        assert!(!unchanged(&f, 99, Some((true, 100, Some(t)))));
        // Rewritten with the same size.
        assert!(!unchanged(&f, 100, Some((true, 100, Some(later)))));
        assert!(!unchanged(&f, 100, Some((true, 100, None))));
        // Replaced by a link or a folder, or removed.
        assert!(!unchanged(&f, 100, Some((false, 100, Some(t)))));
        assert!(!unchanged(&f, 100, None));
    }

    #[test]
    fn a_file_that_grew_after_discovery_is_read_only_up_to_one_byte_past() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        std::fs::write(&p, b"0123456789").unwrap();
        let m = std::fs::metadata(&p).unwrap();
        let mut f = found(m.len(), m.modified().ok());
        f.path = p.clone();
        assert_eq!(
            read_bounded(&f).unwrap().as_deref(),
            Some(&b"0123456789"[..])
        );
        // It grows (and its time changes): not read as it was discovered.
        std::fs::write(&p, vec![b'x'; 1 << 20]).unwrap();
        assert_eq!(read_bounded(&f).unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_fifo_swapped_in_after_discovery_is_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        std::fs::write(&p, b"0123456789").unwrap();
        let m = std::fs::metadata(&p).unwrap();
        let mut f = found(m.len(), m.modified().ok());
        f.path = p.clone();
        // Swapped for a link to a file of the same size and time.
        let secret = dir.path().join("hemlig");
        std::fs::write(&secret, b"HEMLIGHET!").unwrap();
        std::fs::File::options()
            .append(true)
            .open(&secret)
            .unwrap()
            .set_modified(m.modified().unwrap())
            .unwrap();
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink(&secret, &p).unwrap();
        assert_eq!(read_bounded(&f).unwrap(), None);
        // Swapped for a FIFO with no writer: no hang.
        std::fs::remove_file(&p).unwrap();
        let status = std::process::Command::new("mkfifo").arg(&p).status();
        if status.is_ok_and(|s| s.success()) {
            assert_eq!(read_bounded(&f).unwrap(), None);
        }
    }
}
