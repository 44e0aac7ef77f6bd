//! Hostile files and hostile text (issue 7, SECURITY.md): each hostile file
//! ends as one `fel`, `väntar` or `ignorerad` line with a Swedish reason,
//! the rest of the run completes, in bounded time; uploaded text reaches
//! the report only as literal cell text and never names a file.
//!
//! Cases already covered in `tests/ingest.rs` (a truncated xlsx, fake and
//! real encrypted workbooks, a zip bomb, a 51 MB file, a cell in
//! XFD1048576, lock files, a future modification time) are not repeated.
//!
//! The files are built in code. `write_hostile_folder` (ignored) writes all
//! of them to `$UPPSIKT_HOSTILE_DIR` for the memory measurement in
//! SECURITY.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::common::fixture::{valid_verksamhet, Book};
use crate::common::{entry, zip_of, Workspace};
use crate::row;

const PER: &str = "2026-06-30";

/// Run the binary, killing it after `limit`: a hang fails the test instead
/// of stalling the suite. Returns the exit code and stdout.
fn run_bounded(ws: &Workspace, args: &[&str], limit: Duration) -> (i32, Vec<u8>, String) {
    let mut child = ws
        .cmd(args)
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start uppsikt");
    // Drain the pipes while waiting, so a full pipe cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        out.read_to_end(&mut b).ok();
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        err.read_to_end(&mut b).ok();
        String::from_utf8_lossy(&b).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("uppsikt {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = t_out.join().unwrap();
    let stderr = t_err.join().unwrap();
    // A parser panic is caught per file (and shows in its reason); the
    // process itself must not die of one.
    assert_ne!(status.code(), Some(101), "uppsikt panicked:\n{stderr}");
    assert!(
        status.code().is_some(),
        "uppsikt was killed ({status}):\n{stderr}"
    );
    (status.code().unwrap_or(-1), stdout, stderr)
}

/// Beside the hostile files already in `inputs/`, a valid workbook; then
/// `check` within `limit` must report `fel` for some file (exit 3) and still
/// read the valid one. Returns the input log.
fn check_beside_valid(ws: &Workspace, limit: Duration) -> Value {
    valid_verksamhet("GSN", "2026").save(ws.inputs().join("giltig.xlsx"));
    let (code, j) = check(ws, limit);
    assert_eq!(code, 3, "{j:#}");
    one_line(&j, "giltig.xlsx", "inläst");
    j
}

/// `check --format json` within `limit`: exit code and input log.
fn check(ws: &Workspace, limit: Duration) -> (i32, Value) {
    let (code, out, err) = run_bounded(ws, &["check", "--format", "json", "--per", PER], limit);
    let j = serde_json::from_slice(&out).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); exit {code}\n{}\n{err}",
            String::from_utf8_lossy(&out)
        )
    });
    (code, j)
}

/// The file is one line with this status and, unless read, a Swedish
/// reason (no parser panic); returns the reason.
fn one_line(j: &Value, path: &str, status: &str) -> String {
    let reason = one_line_any(j, path, status);
    assert!(
        !reason.contains("Läsaren avbröt"),
        "{path}: a parser panicked: {reason}"
    );
    reason
}

/// As [`one_line`], a caught parser panic allowed.
fn one_line_any(j: &Value, path: &str, status: &str) -> String {
    let e = entry(j, path);
    assert_eq!(e["status"], status, "{path}: {e:#}");
    let n = j["filer"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["sokvag"] == path)
        .count();
    assert_eq!(n, 1, "{path} is listed {n} times");
    let reason = e["orsak"].as_str().unwrap_or_default().to_string();
    if status == "inläst" {
        return reason;
    }
    assert!(!reason.trim().is_empty(), "{path}: no reason");
    assert!(
        reason.contains(['å', 'ä', 'ö']) || reason.contains("kan inte") || reason.contains("fil"),
        "{path}: reason not Swedish: {reason}"
    );
    reason
}

/// The same xlsx with one part replaced (or added).
pub(crate) fn with_part(xlsx: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let n = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if n != name {
            parts.push((n, data));
        }
    }
    parts.push((name.to_string(), content.to_vec()));
    let refs: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_of(&refs)
}

fn part(xlsx: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

// ---------------------------------------------------------------------------
// Builders: each writes its hostile files into `dir` and returns their names
// with the status each must end in.
// ---------------------------------------------------------------------------

/// A minimal .ods by hand: `mimetype` and `content.xml` with these tables.
fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("mimetype", stored).unwrap();
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        z.start_file("META-INF/manifest.xml", stored).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("content.xml", deflated).unwrap();
        z.write_all(content.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn ods_text_cell(s: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{s}</text:p></table:table-cell>"#
    )
}

fn ods_inlamning(org: &str) -> String {
    let row = |k: &str, v: &str| {
        format!(
            "<table:table-row>{}{}</table:table-row>",
            ods_text_cell(k),
            ods_text_cell(v)
        )
    };
    format!(
        r#"<table:table table:name="Inlämning">{}{}{}</table:table>"#,
        row("Typ", "Verksamhet"),
        row("Organisations-id", org),
        row("Period", "2026")
    )
}

const ODS_BILLION: &str = r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;

fn ods_files(dir: &Path) -> Vec<(String, &'static str)> {
    // 1 048 576 × 16 384 = 17 billion declared value cells, in a contract sheet…
    let billions = ods(&format!(
        r#"{}<table:table table:name="System">{ODS_BILLION}</table:table>"#,
        ods_inlamning("KOV")
    ));
    // … and in a sheet the contract does not know (calamine parses all).
    let unknown = ods(&format!(
        r#"{}<table:table table:name="Blad1">{ODS_BILLION}</table:table>"#,
        ods_inlamning("TN")
    ));
    // One value a million rows down, after repeated empty rows.
    let far = ods(&format!(
        r#"{}<table:table table:name="System"><table:table-row>{}</table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row><table:table-row>{}</table:table-row></table:table>"#,
        ods_inlamning("MKN"),
        ods_text_cell("System"),
        ods_text_cell("långt ner")
    ));
    // Repeated *empty* rows and columns only: no content, nothing to refuse.
    let empty = ods(&format!(
        r#"{}<table:table table:name="System"><table:table-row>{}</table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>"#,
        ods_inlamning("UBN"),
        ods_text_cell("System")
    ));
    // Two values per row, in A and XFD, on 10 000 distinct rows: 20 000
    // values, but calamine fills every row to XFD (164 million cells).
    let wide_row = format!(
        "<table:table-row>{}<table:table-cell table:number-columns-repeated=\"16382\"/>{}</table:table-row>",
        ods_text_cell("System"),
        ods_text_cell("XFD")
    );
    let wide = ods(&format!(
        r#"{}<table:table table:name="System">{}</table:table>"#,
        ods_inlamning("AVON"),
        wide_row.repeat(10_000)
    ));
    let mut out = Vec::new();
    for (name, bytes, want) in [
        ("ods-bred.ods", wide, "fel"),
        ("ods-miljarder.ods", billions, "fel"),
        ("ods-miljarder-okant-blad.ods", unknown, "fel"),
        ("ods-langt-ner.ods", far, "fel"),
        ("ods-tomma-upprepningar.ods", empty, "inläst"),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
        out.push((name.to_string(), want));
    }
    out
}

/// An xlsx with a valid `Inlämning` and `rows` filled rows in `System`
/// (header included), written in constant memory.
fn xlsx_rows(path: &Path, org: &str, rows: u32) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.set_name("Inlämning").unwrap();
    for (r, (k, v)) in [
        ("Typ", "Verksamhet"),
        ("Organisations-id", org),
        ("Period", "2026"),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(r as u32, 0, *k).unwrap();
        ws.write_string(r as u32, 1, *v).unwrap();
    }
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.set_name("System").unwrap();
    ws.write_string(0, 0, "System").unwrap();
    for r in 1..rows {
        ws.write_number(r, 0, f64::from(r)).unwrap();
    }
    wb.save(path).unwrap();
}

fn row_files(dir: &Path, million: bool) -> Vec<(String, &'static str)> {
    let mut out = vec![
        ("rader-100000.xlsx".to_string(), "inläst"),
        ("rader-100001.xlsx".to_string(), "fel"),
    ];
    xlsx_rows(&dir.join(&out[0].0), "KOV", 100_000);
    xlsx_rows(&dir.join(&out[1].0), "TN", 100_001);
    if million {
        out.push(("rader-1048576.xlsx".to_string(), "fel"));
        xlsx_rows(&dir.join(&out[2].0), "MKN", 1_048_576);
    }
    out
}

const SYSTEM_HEADERS: &[&str] = &[
    "System",
    "Typ",
    "Skyddsbehov",
    "Uppnådd säkerhetsnivå",
    "Senaste riskbedömning",
    "Systemägare",
];

/// 32 767 characters (Excel's cell maximum), not all ASCII.
fn longest_cell() -> String {
    let mut s: String = "åäö-".repeat(8_191);
    s.push_str("slut");
    s.insert(0, 'ö');
    s.truncate(s.char_indices().nth(32_767).map_or(s.len(), |(i, _)| i));
    assert_eq!(s.chars().count(), 32_767);
    s
}

/// A Verksamhet workbook whose one system has a 32 767-character name and
/// the same text in its date column (`Senaste riskbedömning`, E2).
fn longest_cell_workbook(org: &str) -> Book {
    let long = longest_cell();
    valid_verksamhet(org, "2026").sheet_table(
        "System",
        SYSTEM_HEADERS,
        vec![row![
            long.as_str(),
            "Verksamhetsspecifik",
            3,
            1,
            long.as_str(),
            "Anna"
        ]],
    )
}

/// Sheet XML parts that are not what they claim to be.
fn malformed_sheets() -> Vec<(&'static str, &'static str, String)> {
    let deep = format!(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{}{}</sheetData></worksheet>",
        "<row><c><is>".repeat(100_000),
        "</is></c></row>".repeat(100_000)
    );
    let laughs = {
        let mut dtd = String::from("<!DOCTYPE worksheet [<!ENTITY l0 \"hahahahahaha\">");
        for i in 1..10 {
            let prev = format!("&l{};", i - 1).repeat(10);
            dtd.push_str(&format!("<!ENTITY l{i} \"{prev}\">"));
        }
        dtd.push(']');
        dtd.push('>');
        format!(
            "<?xml version=\"1.0\"?>{dtd}<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&l9;</t></is></c></row></sheetData></worksheet>"
        )
    };
    let ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";
    vec![
        ("xml-djupt.xlsx", "xl/worksheets/sheet1.xml", deep),
        ("xml-skrattare.xlsx", "xl/worksheets/sheet1.xml", laughs),
        (
            "xml-avbruten.xlsx",
            "xl/worksheets/sheet1.xml",
            format!("<worksheet {ns}><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Typ</t"),
        ),
        (
            "xml-skrap.xlsx",
            "xl/worksheets/sheet1.xml",
            "\u{0}\u{1}<<<>>>&&&;;; <worksheet <c r=\"".to_string(),
        ),
        (
            "xml-orimlig-cell.xlsx",
            "xl/worksheets/sheet1.xml",
            format!("<worksheet {ns}><dimension ref=\"A1:XFD1048576\"/><sheetData><row r=\"4294967296\"><c r=\"A4294967296\" t=\"inlineStr\"><is><t>x</t></is></c></row><row r=\"-1\"><c r=\"ZZZZZZZZ1\"><v>1</v></c></row></sheetData></worksheet>"),
        ),
        (
            "xml-delade-strangar.xlsx",
            "xl/sharedStrings.xml",
            format!("<sst {ns} count=\"4294967295\" uniqueCount=\"4294967295\"><si><t>Typ</t></si></sst>"),
        ),
        (
            "xml-arbetsbok.xlsx",
            "xl/workbook.xml",
            format!("<workbook {ns}><sheets><sheet name=\"Inlämning\" sheetId=\"1\" r:id=\"rId999\" xmlns:r=\"x\"/><sheet"),
        ),
    ]
}

fn malformed_files(dir: &Path) -> Vec<(String, &'static str)> {
    let good = valid_verksamhet("KOV", "2026").to_bytes();
    let mut out = Vec::new();
    for (name, part_name, content) in malformed_sheets() {
        std::fs::write(
            dir.join(name),
            with_part(&good, part_name, content.as_bytes()),
        )
        .unwrap();
        out.push((name.to_string(), "fel"));
    }
    // Invalid UTF-8 in a cell.
    let sheet = part(&good, "xl/worksheets/sheet1.xml").into_bytes();
    let mut bad = sheet.clone();
    if let Some(i) = sheet.windows(3).position(|w| w == b"<v>") {
        bad.splice(i + 3..i + 3, [0xff, 0xfe, 0xc3]);
    }
    std::fs::write(
        dir.join("xml-utf8.xlsx"),
        with_part(&good, "xl/worksheets/sheet1.xml", &bad),
    )
    .unwrap();
    out.push(("xml-utf8.xlsx".into(), "fel"));
    out
}

/// Cut the same workbook at many offsets, and damage it in the middle.
fn truncated_files(dir: &Path) -> Vec<(String, &'static str)> {
    let good = valid_verksamhet("KOV", "2026").to_bytes();
    let n = good.len();
    let mut out = Vec::new();
    for at in [
        1,
        2,
        3,
        4,
        29,
        30,
        31,
        100,
        1_000,
        n / 4,
        n / 3,
        n * 2 / 3,
        n - 100,
        n - 23,
        n - 22,
        n - 10,
        n - 1,
    ] {
        let name = format!("avkortad-{at:05}.xlsx");
        std::fs::write(dir.join(&name), &good[..at]).unwrap();
        out.push((name, "fel"));
    }
    // Zeros over the middle, the directory at the end intact.
    let mut holed = good.clone();
    holed[n / 3..n / 3 + 512].fill(0);
    std::fs::write(dir.join("hal-i-mitten.xlsx"), &holed).unwrap();
    out.push(("hal-i-mitten.xlsx".into(), "fel"));
    out
}

// ---------------------------------------------------------------------------
// Hostile files
// ---------------------------------------------------------------------------

#[test]
fn an_ods_declaring_billions_of_cells_is_one_fel_line() {
    let ws = Workspace::new();
    let files = ods_files(&ws.inputs());
    let j = check_beside_valid(&ws, Duration::from_secs(60));
    for (name, want) in &files {
        let reason = one_line(&j, name, want);
        if *want == "fel" {
            assert!(reason.contains("för stort"), "{name}: {reason}");
        }
    }
    assert!(one_line(&j, "ods-bred.ods", "fel").contains("celler"));
    assert!(one_line(&j, "ods-miljarder-okant-blad.ods", "fel").contains("Blad1"));
    assert!(one_line(&j, "ods-langt-ner.ods", "fel").contains("bortom rad 100000"));
}

#[test]
fn the_row_limit_is_exact_and_a_full_million_rows_is_bounded() {
    let ws = Workspace::new();
    let files = row_files(&ws.inputs(), true);
    let (code, j) = check(&ws, Duration::from_secs(120));
    assert_eq!(code, 3, "{j:#}");
    for (name, want) in &files {
        one_line(&j, name, want);
    }
    for name in ["rader-100001.xlsx", "rader-1048576.xlsx"] {
        let reason = one_line(&j, name, "fel");
        assert!(
            reason.contains("rad 100001 men gränsen är 100000 rader"),
            "{name}: {reason}"
        );
    }
}

#[test]
fn a_cell_of_32767_characters_is_read_whole() {
    let ws = Workspace::new();
    let long = longest_cell();
    longest_cell_workbook("KOV").save(ws.inputs().join("lang.xlsx"));
    let (code, j) = check(&ws, Duration::from_secs(60));
    assert_eq!(code, 0, "{j:#}");
    one_line(&j, "lang.xlsx", "inläst");
    let w = entry(&j, "lang.xlsx")["varningar"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["cell"] == "E2")
        .expect("a warning for the date column")
        .clone();
    assert_eq!(
        w["hittat"].as_str().unwrap(),
        long,
        "the cell was not read whole"
    );

    // The report holds the system name whole and the over-long warning
    // message clipped, and opens.
    let (code, _, err) = run_bounded(&ws, &["run", "--per", PER], Duration::from_secs(120));
    assert!(code == 0 || code == 3, "exit {code}: {err}");
    let report = ws
        .run_folders()
        .last()
        .unwrap()
        .join("uppsikt-rapport.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&report).unwrap();
    let iak = wb.worksheet_range("Iakttagelser").unwrap();
    assert!(
        iak.used_cells().any(|(_, _, v)| v.to_string() == long),
        "the 32 767-character name is not in Iakttagelser"
    );
    let warn = wb.worksheet_range("Inläsningsvarningar").unwrap();
    let msg = warn
        .used_cells()
        .map(|(_, _, v)| v.to_string())
        .find(|s| s.starts_with("Senaste riskbedömning"))
        .expect("the warning row");
    assert!(msg.chars().count() <= 32_767 && msg.ends_with("(avkortad)"));
}

#[test]
fn malformed_xml_inside_an_xlsx_is_one_fel_line() {
    let ws = Workspace::new();
    let files = malformed_files(&ws.inputs());
    let j = check_beside_valid(&ws, Duration::from_secs(60));
    for (name, want) in &files {
        if name == "xml-orimlig-cell.xlsx" {
            // calamine's cell-reference parser overflows on row 4294967296
            // (a panic with overflow checks, caught at the file boundary;
            // without them the row wraps and is judged as read).
            one_line_any(&j, name, want);
        } else {
            one_line(&j, name, want);
        }
    }
    assert_eq!(j["filer"].as_array().unwrap().len(), files.len() + 1);
    let sst = one_line(&j, "xml-delade-strangar.xlsx", "fel");
    assert!(sst.contains("4294967295 olika texter"), "{sst}");
}

#[test]
fn a_file_truncated_mid_zip_at_any_offset_is_one_fel_line() {
    let ws = Workspace::new();
    let files = truncated_files(&ws.inputs());
    let j = check_beside_valid(&ws, Duration::from_secs(60));
    for (name, want) in &files {
        let reason = one_line(&j, name, want);
        assert!(
            reason.contains("skadad") || reason.contains("inget kalkylark"),
            "{name}: {reason}"
        );
    }
}

/// Shared-string parts of nothing but `<`: a quadratic scan of each part's
/// first 64 kB took seconds, and of hundreds of them minutes. Returns the
/// files with the status each must end in.
fn shared_strings_files(dir: &Path) -> Vec<(String, &'static str)> {
    let good = valid_verksamhet("KOV", "2026").to_bytes();
    let lts = vec![b'<'; 65 * 1024];
    // Hundreds of parts calamine never reads (under 10 MB unpacked, so no
    // zip-bomb refusal comes first): the workbook is read.
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(&good)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = (0..zin.len())
        .map(|i| {
            let mut f = zin.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect();
    parts.extend((0..140).map(|i| (format!("d{i}/sharedStrings.xml"), lts.clone())));
    let refs: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    std::fs::write(dir.join("manga-delade-tabeller.xlsx"), zip_of(&refs)).unwrap();
    // The part calamine reads, 1 MB of `<`: damaged.
    let lt_part = with_part(&good, "xl/sharedStrings.xml", &vec![b'<'; 1024 * 1024]);
    std::fs::write(dir.join("delade-tabellen-bara-lt.xlsx"), lt_part).unwrap();
    vec![
        ("manga-delade-tabeller.xlsx".into(), "inläst"),
        ("delade-tabellen-bara-lt.xlsx".into(), "fel"),
    ]
}

#[test]
fn shared_string_parts_of_only_angle_brackets_are_scanned_in_bounded_time() {
    let ws = Workspace::new();
    let files = shared_strings_files(&ws.inputs());
    let (code, j) = check(&ws, Duration::from_secs(60));
    assert_eq!(code, 3, "{j:#}");
    for (name, want) in &files {
        let reason = one_line(&j, name, want);
        if *want == "fel" {
            assert!(reason.contains("skadad"), "{name}: {reason}");
        }
    }
}

/// A CFB (.xls) container whose directory chain loops 1 → 2 → 1: calamine
/// would append sectors without end (found by fuzzing; SECURITY.md).
fn looping_cfb() -> Vec<u8> {
    let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    b.resize(512, 0);
    let mut put = |at: usize, v: &[u8]| b[at..at + v.len()].copy_from_slice(v);
    put(24, &0x3Eu16.to_le_bytes());
    put(26, &3u16.to_le_bytes());
    put(28, &0xFFFEu16.to_le_bytes());
    put(30, &9u16.to_le_bytes()); // 512-byte sectors
    put(32, &6u16.to_le_bytes());
    put(44, &1u32.to_le_bytes()); // one FAT sector: sector 0
    put(48, &1u32.to_le_bytes()); // the directory starts at sector 1
    put(60, &0xFFFF_FFFEu32.to_le_bytes());
    put(68, &0xFFFF_FFFEu32.to_le_bytes());
    for i in 0..109u32 {
        let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
        put(76 + 4 * i as usize, &v.to_le_bytes());
    }
    let mut fat = vec![0xFFFF_FFFFu32; 128];
    fat[..3].copy_from_slice(&[0xFFFF_FFFD, 2, 1]);
    b.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    b.resize(512 * 4, 0);
    b
}

#[test]
fn an_xls_whose_sector_chain_loops_is_one_fel_line() {
    let ws = Workspace::new();
    std::fs::write(ws.inputs().join("slinga.xls"), looping_cfb()).unwrap();
    let j = check_beside_valid(&ws, Duration::from_secs(30));
    let reason = one_line(&j, "slinga.xls", "fel");
    assert!(reason.contains("går i ring"), "{reason}");
}

/// The .xls files `fuzz/` found (docs/fuzzing.md), as committed.
fn fuzzed_xls() -> [(&'static str, &'static [u8]); 3] {
    [
        (
            "xls-dimension-oom.xls",
            include_bytes!("../fuzz/regressions/xls-dimension-oom.xls"),
        ),
        (
            "xls-cfb-chain-loop.xls",
            include_bytes!("../fuzz/regressions/xls-cfb-chain-loop.xls"),
        ),
        (
            "xls-cfb-slice-panic.xls",
            include_bytes!("../fuzz/regressions/xls-cfb-slice-panic.xls"),
        ),
    ]
}

#[test]
fn an_xls_with_a_cell_far_out_is_one_fel_line_before_calamine_allocates() {
    // 13 kB: a cell at row 24 839, column 25 444 of one sheet; calamine
    // would fill the 632 million cells from A1 to it (24 GB, the run killed).
    let ws = Workspace::new();
    for (name, bytes) in fuzzed_xls() {
        std::fs::write(ws.inputs().join(name), bytes).unwrap();
    }
    std::fs::copy(
        crate::common::repo().join("tests/fixtures/mkn-libreoffice.xls"),
        ws.inputs().join("mkn-libreoffice.xls"),
    )
    .unwrap();
    let j = check_beside_valid(&ws, Duration::from_secs(60));
    let reason = one_line(&j, "xls-dimension-oom.xls", "fel");
    assert_eq!(
        reason,
        "Bladet \"Digitaliseringsplan\" sträcker sig över 632003516 celler (A1–AKPP24839), fler än gränsen 6400000 celler per blad; filen läses inte."
    );
    let reason = one_line(&j, "xls-cfb-chain-loop.xls", "fel");
    assert!(reason.contains("går i ring"), "{reason}");
    // Cut off inside its sectors: refused by the guard, no longer a
    // caught panic in calamine.
    let reason = one_line(&j, "xls-cfb-slice-panic.xls", "fel");
    assert!(reason.starts_with("Filen är skadad"), "{reason}");
    // The rest of the run completes: a real .xls is read (and the xlsx,
    // see `check_beside_valid`).
    one_line(&j, "mkn-libreoffice.xls", "inläst");
    assert_eq!(j["filer"].as_array().unwrap().len(), 5, "{j:#}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_shared_folder_are_ignored_and_never_read() {
    use std::os::unix::fs::symlink;
    let ws = Workspace::new();
    let outside = ws.path().join("utanför");
    std::fs::create_dir_all(outside.join("mapp")).unwrap();
    valid_verksamhet("KOV", "2026").save(outside.join("hemlig.xlsx"));
    valid_verksamhet("TN", "2026").save(outside.join("mapp/tn.xlsx"));
    // A FIFO with no writer: reading it would hang the run.
    let fifo = outside.join("rör");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made_fifo, "mkfifo {}", fifo.display());
    let i = ws.inputs();
    symlink(outside.join("hemlig.xlsx"), i.join("länk.xlsx")).unwrap();
    symlink("../utanför/hemlig.xlsx", i.join("relativ.xlsx")).unwrap();
    symlink(outside.join("mapp"), i.join("mapp")).unwrap();
    symlink("/etc", i.join("etc")).unwrap();
    symlink("slinga.xlsx", i.join("slinga.xlsx")).unwrap();
    symlink(outside.join("finns-inte.xlsx"), i.join("bruten.xlsx")).unwrap();
    symlink(&fifo, i.join("rör.xlsx")).unwrap();
    let (code, j) = check(&ws, Duration::from_secs(30));
    assert_eq!(code, 0, "{j:#}");
    let names = [
        "länk.xlsx",
        "relativ.xlsx",
        "mapp",
        "etc",
        "slinga.xlsx",
        "bruten.xlsx",
        "rör.xlsx",
    ];
    for name in &names {
        let reason = one_line(&j, name, "ignorerad");
        assert!(reason.contains("Symbolisk länk"), "{name}: {reason}");
        assert!(entry(&j, name)["sha256"].is_null(), "{name} was read");
    }
    assert_eq!(j["filer"].as_array().unwrap().len(), names.len(), "{j:#}");
    assert_eq!(j["antal"]["inläst"], 0);
}

#[test]
fn a_growing_file_is_one_line_and_the_run_completes() {
    let ws = Workspace::new();
    valid_verksamhet("GSN", "2026").save(ws.inputs().join("giltig.xlsx"));
    let path = ws.inputs().join("växande.xlsx");
    std::fs::write(&path, valid_verksamhet("KOV", "2026").to_bytes()).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
            let chunk = vec![b'x'; 4096];
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || n < 5 {
                f.write_all(&chunk).unwrap();
                f.flush().unwrap();
                n += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(20));
    let (code, j) = check(&ws, Duration::from_secs(60));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert!(code == 0 || code == 3, "{j:#}");
    let st = entry(&j, "växande.xlsx")["status"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(st == "väntar" || st == "fel", "{st}");
    one_line(&j, "växande.xlsx", &st);
    one_line(&j, "giltig.xlsx", "inläst");
}

// ---------------------------------------------------------------------------
// Hostile text
// ---------------------------------------------------------------------------

/// Text a person could upload, each a way to attack a file system, a
/// terminal, a reader's eye or a spreadsheet.
fn hostile_texts() -> Vec<String> {
    vec![
        "../../../etc/passwd".into(),
        "..\\..\\Windows\\win.ini".into(),
        "noll\u{0}tecken".into(),
        "styr\u{1}\u{7}\u{8}\u{1b}[2J\u{1b}[31mröd\u{1b}[0m".into(),
        "\u{202e}xslx.exe\u{202c} höger-till-vänster".into(),
        format!("lång-{}", "å".repeat(295)),
        "=1+1".into(),
        "+1+2".into(),
        "-1+2".into(),
        "@SUM(A1:A9)".into(),
        "\t=2+2".into(),
        "\r=3+3".into(),
        "=HYPERLINK(\"http://example.invalid/\",\"Klicka här\")".into(),
        "=cmd|' /C calc'!A0".into(),
    ]
}

/// What the ingester keeps of a text cell: trimmed.
fn as_read(s: &str) -> String {
    s.trim().to_string()
}

fn all_sheet_xml(path: &Path) -> Vec<(String, String)> {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let names: Vec<String> = z
        .file_names()
        .filter_map(|r| r.ok())
        .map(|c| c.into_owned())
        .collect();
    names
        .into_iter()
        .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
        .map(|n| {
            let mut s = String::new();
            z.by_name(&n).unwrap().read_to_string(&mut s).unwrap();
            (n, s)
        })
        .collect()
}

fn assert_no_formulas(path: &Path) {
    for (name, xml) in all_sheet_xml(path) {
        assert!(
            !xml.contains("<f>") && !xml.contains("<f "),
            "{}: {name} has a formula",
            path.display()
        );
    }
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    for s in wb.sheet_names() {
        assert!(s.chars().count() <= 31, "sheet name {s} is too long");
    }
}

fn cell_texts(path: &Path, sheet: &str) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let r = wb.worksheet_range(sheet).unwrap();
    r.used_cells()
        .filter_map(|(_, _, v)| match v {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn hostile_text_stays_literal_text_and_never_names_a_file() {
    let ws = Workspace::new();
    let texts = hostile_texts();
    // As system names (an R08 finding each: Skyddsbehov 3, uppnått 1), as a
    // date that is no date (a warning quoting it) and as Systemägare.
    let rows = texts
        .iter()
        .map(|t| {
            row![
                t.as_str(),
                "Verksamhetsspecifik",
                3,
                1,
                t.as_str(),
                t.as_str()
            ]
        })
        .collect();
    let book = valid_verksamhet("KOV", "2026").sheet_table("System", SYSTEM_HEADERS, rows);
    // The System sheet named with tabs and odd case: it still matches.
    let bytes = book.to_bytes();
    let wbxml = part(&bytes, "xl/workbook.xml");
    assert!(wbxml.contains("name=\"System\""));
    let bytes = with_part(
        &bytes,
        "xl/workbook.xml",
        wbxml
            .replace("name=\"System\"", "name=\"&#9;SYSTEM&#9;\"")
            .as_bytes(),
    );
    std::fs::write(ws.inputs().join("kov.xlsx"), bytes).unwrap();
    // An organisation name that matches nothing: quoted in the fel reason.
    let hostile_org = "../\u{202e}=1+1\u{1b}[2J";
    Book::inlamning("Verksamhet", "", "2026")
        .remove_kv("Inlämning", "Organisations-id")
        .kv("Inlämning", "Organisation", hostile_org)
        .save(ws.inputs().join("okand-org.xlsx"));
    // A sheet name of 300 characters and one with control characters
    // (hand-edited: Excel would refuse them): never contract sheets.
    let bytes = valid_verksamhet("TN", "2026")
        .empty_sheet("Blad1")
        .to_bytes();
    let wbxml = part(&bytes, "xl/workbook.xml");
    let bytes = with_part(
        &bytes,
        "xl/workbook.xml",
        wbxml
            .replace(
                "name=\"Blad1\"",
                &format!("name=\"{}&#1;../=1+1\"", "ö".repeat(300)),
            )
            .as_bytes(),
    );
    std::fs::write(ws.inputs().join("bladnamn.xlsx"), bytes).unwrap();
    // File names that look like formulas, escapes or another extension,
    // and a path of more than 300 characters.
    let odd_names = [
        "=HYPERLINK(\"x\",\"y\").xlsx",
        "+cmd.xlsx",
        "-2+3.xlsx",
        "@SUM(A1).xlsx",
        "\u{202e}xslx.exe.xlsx",
        "styr\u{1b}[31m\u{7}.xlsx",
        "\tflik.xlsx",
    ];
    for n in odd_names {
        std::fs::write(ws.inputs().join(n), "inget kalkylark").unwrap();
    }
    let deep = ws
        .inputs()
        .join("ä".repeat(100))
        .join("ö".repeat(100))
        .join(format!("{}.xlsx", "å".repeat(100)));
    std::fs::create_dir_all(deep.parent().unwrap()).unwrap();
    std::fs::write(&deep, "inget kalkylark").unwrap();
    let deep_rel = deep
        .strip_prefix(ws.inputs())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(deep_rel.chars().count() > 300);

    let (code, j) = check(&ws, Duration::from_secs(60));
    assert_eq!(code, 3, "some files are fel: {j:#}");
    one_line(&j, "kov.xlsx", "inläst");
    one_line(&j, "bladnamn.xlsx", "inläst");
    let reason = one_line(&j, "okand-org.xlsx", "fel");
    assert!(reason.contains(hostile_org), "{reason}");
    for n in odd_names {
        one_line(&j, n, "fel");
    }
    one_line(&j, &deep_rel, "fel");
    // The warnings name the sheet as it is written, tabs and all.
    let warns = entry(&j, "kov.xlsx")["varningar"].as_array().unwrap();
    let found: Vec<&str> = warns
        .iter()
        .filter(|w| w["cell"].as_str().is_some_and(|c| c.starts_with('E')))
        .map(|w| {
            assert_eq!(w["blad"], "\tSYSTEM\t");
            w["hittat"].as_str().unwrap()
        })
        .collect();
    for t in &texts {
        assert!(
            found.contains(&as_read(t).as_str()),
            "no warning quotes {t:?}"
        );
    }

    let (code, _, err) = run_bounded(&ws, &["run", "--per", PER], Duration::from_secs(120));
    assert!(code == 0 || code == 3, "exit {code}: {err}");
    let folder = ws.run_folders().last().unwrap().clone();
    let report = folder.join("uppsikt-rapport.xlsx");
    assert_no_formulas(&report);
    // Literal text in the report: findings, warnings and the input log.
    let iak = cell_texts(&report, "Iakttagelser");
    let warn = cell_texts(&report, "Inläsningsvarningar");
    let log = cell_texts(&report, "Inläsning");
    for t in &texts {
        let t = as_read(t);
        assert!(iak.contains(&t), "{t:?} not literal in Iakttagelser");
        assert!(
            warn.contains(&t),
            "{t:?} not literal in Inläsningsvarningar"
        );
    }
    assert!(warn.iter().any(|s| s == "\tSYSTEM\t"));
    for n in odd_names {
        assert!(log.iter().any(|s| s == n), "{n:?} not literal in Inläsning");
    }
    assert!(log.iter().any(|s| s.contains(hostile_org)));
    // Feedback files: named by register ids only, no formulas.
    let feedback: Vec<PathBuf> = std::fs::read_dir(folder.join("aterkoppling"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(!feedback.is_empty());
    for p in &feedback {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let stem = name.strip_suffix(".xlsx").expect(".xlsx");
        assert!(
            !stem.is_empty()
                && stem
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "feedback file {name}"
        );
        assert_no_formulas(p);
    }
    let kov = cell_texts(&folder.join("aterkoppling/KOV.xlsx"), "Iakttagelser");
    for t in &texts {
        assert!(kov.contains(&as_read(t)), "{t:?} not literal in KOV.xlsx");
    }
    // Nothing was written outside the run folder.
    let mut stray = Vec::new();
    for e in std::fs::read_dir(ws.path()).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if !["inputs", "outputs", "rules", "schedules", "uppsikt.yaml"].contains(&n.as_str()) {
            stray.push(n);
        }
    }
    assert!(stray.is_empty(), "written outside: {stray:?}");
}

#[test]
fn check_as_text_shows_control_and_bidi_characters_escaped() {
    let ws = Workspace::new();
    let esc = "\u{1b}[2J\u{1b}[31m\u{7}\u{9b}1m\u{202e}";
    // A file name, a cell text quoted by a warning, an organisation name
    // quoted by a fel reason, each with escape sequences and an override.
    let row = row![
        "Ekonomi",
        "Verksamhetsspecifik",
        3,
        1,
        format!("i höstas{esc}").as_str(),
        "Anna"
    ];
    valid_verksamhet("KOV", "2026")
        .sheet_table("System", SYSTEM_HEADERS, vec![row])
        .save(ws.inputs().join(format!("kov{esc}.xlsx")));
    Book::inlamning("Verksamhet", "", "2026")
        .remove_kv("Inlämning", "Organisations-id")
        .kv("Inlämning", "Organisation", format!("okänd{esc}"))
        .save(ws.inputs().join("okand-org.xlsx"));
    std::fs::write(ws.inputs().join("styr\u{1b}]0;titel\u{7}.xlsx"), b"inget").unwrap();
    let (code, out, err) = run_bounded(&ws, &["check", "--per", PER], Duration::from_secs(60));
    assert_eq!(code, 3, "{err}");
    let text = String::from_utf8(out).unwrap();
    assert!(
        !text.contains(|c: char| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "raw control characters reach the terminal:\n{text:?}"
    );
    let shown = "\\u{1b}[2J\\u{1b}[31m\\u{7}\\u{9b}1m\\u{202e}";
    assert!(text.contains(&format!("kov{shown}.xlsx")), "{text}");
    assert!(text.contains(&format!("i höstas{shown}")), "{text}");
    assert!(text.contains(&format!("okänd{shown}")), "{text}");
    assert!(text.contains("styr\\u{1b}]0;titel\\u{7}.xlsx"), "{text}");
    // The JSON format keeps the text as it is (escaped by JSON itself).
    let (_, j) = check(&ws, Duration::from_secs(60));
    entry(&j, &format!("kov{esc}.xlsx"));
}

#[test]
fn a_register_id_that_is_a_path_is_refused_by_validation() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let original = std::fs::read_to_string(ws.config()).unwrap();
    assert!(original.contains("- id: KOV\n"));
    for bad in [
        "\"../x\"",
        "\"KOV/../../x\"",
        "\"..\"",
        "kov",
        "\"K O V\"",
        "\"KOV\\u0000\"",
        "\"=1+1\"",
        "\"\"",
        "\"\\u202eKOV\"",
    ] {
        std::fs::write(
            ws.config(),
            original.replace("- id: KOV\n", &format!("- id: {bad}\n")),
        )
        .unwrap();
        for cmd in [&["check", "--per", PER][..], &["run", "--per", PER][..]] {
            let (code, _, err) = run_bounded(&ws, cmd, Duration::from_secs(30));
            assert_eq!(code, 2, "{bad} {cmd:?} was accepted: {err}");
            assert!(err.contains("är ogiltigt"), "{bad}: {err}");
        }
    }
    assert!(ws.run_folders().is_empty());
    assert_eq!(
        std::fs::read_dir(ws.outputs()).unwrap().count(),
        0,
        "a refused configuration wrote to the output folder"
    );
}

/// Writes every hostile file above into `$UPPSIKT_HOSTILE_DIR` (for the
/// memory measurement in SECURITY.md):
/// `UPPSIKT_HOSTILE_DIR=/tmp/hostile cargo test --test main write_hostile_folder -- --ignored`
#[test]
#[ignore = "writes the hostile folder for a manual measurement"]
fn write_hostile_folder() {
    let dir = PathBuf::from(std::env::var("UPPSIKT_HOSTILE_DIR").expect("UPPSIKT_HOSTILE_DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut n = ods_files(&dir).len();
    n += row_files(&dir, true).len();
    n += malformed_files(&dir).len();
    n += truncated_files(&dir).len();
    n += shared_strings_files(&dir).len();
    std::fs::write(dir.join("slinga.xls"), looping_cfb()).unwrap();
    n += 1;
    for (name, bytes) in fuzzed_xls() {
        std::fs::write(dir.join(name), bytes).unwrap();
        n += 1;
    }
    longest_cell_workbook("AVON").save(dir.join("lang.xlsx"));
    eprintln!("{} files in {}", n + 1, dir.display());
}
