//! The report workbook and the feedback workbooks, read back with calamine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use rust_xlsxwriter::Workbook;

use crate::common::{stderr, stdout, Workspace};

const PER: &str = "2026-11-26";

/// A Verksamhet workbook for KOV with a `System` sheet: rows of
/// (System, Skyddsbehov, Uppnådd säkerhetsnivå).
fn verksamhet(path: &Path, org: &str, systems: &[(&str, u8, u8)]) {
    crate::common::systems_verksamhet(path, org, "2026-10-01", systems);
}

const FORMULA_LIKE: [&str; 3] = ["=HYPERLINK(\"x\")", "+cmd", "@SUM(A1)"];

fn systems(fixed: bool) -> Vec<(&'static str, u8, u8)> {
    vec![
        ("Ekonomi", 3, if fixed { 3 } else { 2 }),
        (FORMULA_LIKE[0], 2, 1),
        (FORMULA_LIKE[1], 2, 1),
        (FORMULA_LIKE[2], 2, 1),
        ("Diarium", 2, 2),
    ]
}

/// A workspace whose rule folder holds only R08 (the other rules are
/// written elsewhere), so counts are exact.
fn workspace() -> Workspace {
    crate::common::workspace_with_only("R08")
}

fn run(ws: &Workspace) -> PathBuf {
    crate::common::run_ok(ws, PER)
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(name)
        .unwrap_or_else(|e| panic!("{}: sheet {name}: {e}", path.display()))
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        // Date cells, as the reader sees them (ÅÅÅÅ-MM-DD).
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|t| t.date().to_string())
            .unwrap_or_default(),
        other => other.to_string(),
    }
}

/// Cell text at absolute (row, col), zero-based.
fn at(r: &Range<Data>, row: u32, col: u32) -> String {
    r.get_value((row, col)).map(text).unwrap_or_default()
}

fn row(r: &Range<Data>, row: u32) -> Vec<String> {
    let (_, end) = (r.start().unwrap_or((0, 0)), r.end().unwrap_or((0, 0)));
    (0..=end.1).map(|c| at(r, row, c)).collect()
}

fn header(r: &Range<Data>) -> Vec<String> {
    let mut h = row(r, 0);
    while h.last().is_some_and(|s| s.is_empty()) {
        h.pop();
    }
    h
}

/// Rows (absolute index) whose column `col` equals `value`.
fn find_rows(r: &Range<Data>, col: u32, value: &str) -> Vec<u32> {
    let end = r.end().unwrap_or((0, 0)).0;
    (0..=end).filter(|i| at(r, *i, col) == value).collect()
}

/// The value of a key figure or fact on Sammanfattning (label over A:B,
/// value in C).
fn fact(r: &Range<Data>, key: &str) -> String {
    let rows = find_rows(r, 0, key);
    assert_eq!(rows.len(), 1, "fact {key}");
    at(r, rows[0], 2)
}

fn zip_entry(path: &Path, name: &str) -> String {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn register_size(ws: &Workspace) -> usize {
    let cfg = std::fs::read_to_string(ws.config()).unwrap();
    cfg.lines()
        .filter(|l| l.trim_start().starts_with("- id:"))
        .count()
}

#[test]
fn report_workbook_sheets_findings_and_change() {
    let ws = workspace();
    let input = ws.inputs().join("kov verksamhet.xlsx");
    verksamhet(&input, "KOV", &systems(false));
    let first = run(&ws);
    let report = first.join("uppsikt-rapport.xlsx");
    assert!(report.is_file());

    // Every sheet, in order.
    let names = sheet_names(&report);
    assert_eq!(
        names,
        [
            "Sammanfattning",
            "Organisationer",
            "Iakttagelser",
            "Avsteg",
            "Indikatorer",
            "Digital mognad",
            "Inläsning",
            "Inläsningsvarningar",
            "Regler",
            "Historik",
        ]
    );

    // Iakttagelser: headers, the known finding with file and cell, Ny = Ja.
    let iak = sheet(&report, "Iakttagelser");
    assert_eq!(
        header(&iak),
        [
            "Organisation",
            "Regel",
            "Regeltitel",
            "Allvarlighet",
            "Status",
            "Objekt",
            "Meddelande",
            "Fil",
            "Blad",
            "Cell",
            "Referens",
            "Ny"
        ]
    );
    let ekonomi = find_rows(&iak, 5, "Ekonomi");
    assert_eq!(ekonomi.len(), 1, "{:?}", iak);
    let r = ekonomi[0];
    assert_eq!(at(&iak, r, 0), "KOV");
    assert_eq!(at(&iak, r, 1), "R08");
    assert_eq!(at(&iak, r, 2), "Säkerhetsnivå uppnådd");
    assert_eq!(at(&iak, r, 3), "hög");
    assert_eq!(at(&iak, r, 4), "brist");
    assert!(
        at(&iak, r, 6).contains("lägre än skyddsbehovet"),
        "{}",
        at(&iak, r, 6)
    );
    assert_eq!(at(&iak, r, 7), "kov verksamhet.xlsx");
    assert_eq!(at(&iak, r, 8), "System");
    assert_eq!(at(&iak, r, 9), "D2");
    assert!(at(&iak, r, 10).starts_with("R: Nämnder och bolagsstyrelser"));
    assert_eq!(at(&iak, r, 11), "Ja");
    // The uppfyllt row is not a finding.
    assert!(find_rows(&iak, 5, "Diarium").is_empty());
    // Formula-looking text stays literal text.
    for (i, name) in FORMULA_LIKE.iter().enumerate() {
        let rows = find_rows(&iak, 5, name);
        assert_eq!(rows.len(), 1, "{name} not found literally");
        assert_eq!(at(&iak, rows[0], 9), format!("D{}", i + 3));
    }
    let xml = zip_entry(&report, "xl/worksheets/sheet3.xml");
    assert!(
        !xml.contains("<f>") && !xml.contains("<f "),
        "a formula was written"
    );
    assert!(xml.contains("HYPERLINK"));
    assert!(xml.contains("+cmd") && xml.contains("@SUM(A1)"));

    // Organisationer: one row per register organisation, KOV's R08 status.
    let org = sheet(&report, "Organisationer");
    let h = header(&org);
    assert_eq!(
        h,
        [
            "Organisation",
            "Namn",
            "Typ",
            "Inlämning",
            "Inlämnad",
            "Orsak (fil som inte kunde läsas)",
            "Brister hög",
            "Brister medel",
            "Brister låg",
            "Samlad status",
            "Regler med regelfel",
            "Iakttagelser",
            "R08"
        ]
    );
    let kov = find_rows(&org, 0, "KOV");
    assert_eq!(kov.len(), 1);
    assert_eq!(at(&org, kov[0], 3), "inlämnad");
    assert!(matches!(
        org.get_value((kov[0], 4)),
        Some(Data::DateTime(_))
    ));
    assert_eq!(at(&org, kov[0], 4), "2026-10-01");
    // Four brister of R08 (severity hög), one finding per subject.
    assert_eq!(row(&org, kov[0])[6..12], ["4", "0", "0", "brist", "0", "4"]);
    assert_eq!(at(&org, kov[0], 12), "✗");
    let tn = find_rows(&org, 0, "TN");
    assert_eq!(at(&org, tn[0], 3), "ej inlämnad");
    assert_eq!(at(&org, tn[0], 9), "underlag saknas");
    assert_eq!(at(&org, tn[0], 12), "?");
    // The legend is below the table, the rule's title with it.
    let legend = find_rows(&org, 0, "Förklaring");
    assert_eq!(legend.len(), 1);
    assert!(legend[0] > tn[0]);
    let r08_title = find_rows(&org, 0, "R08");
    assert_eq!(
        at(&org, *r08_title.last().unwrap(), 1),
        "Säkerhetsnivå uppnådd"
    );
    let n_orgs = register_size(&ws);
    let org_rows = (1..legend[0])
        .filter(|r| !at(&org, *r, 0).is_empty() && !at(&org, *r, 1).is_empty())
        .count();
    assert_eq!(org_rows, n_orgs);

    // Sammanfattning: counts.
    let sam = sheet(&report, "Sammanfattning");
    assert_eq!(
        at(&sam, 0, 0),
        "Uppsikt digitalisering per 2026-11-26 (period 2026)"
    );
    assert_eq!(
        at(&sam, 1, 0),
        format!("1 av {n_orgs} organisationer har lämnat in.")
    );
    assert_eq!(fact(&sam, "Per-datum"), PER);
    assert_eq!(fact(&sam, "Period"), "2026");
    assert_eq!(fact(&sam, "Schema"), "manuell");
    assert_eq!(fact(&sam, "Programversion"), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        fact(&sam, "Regeluppsättningens fingeravtryck (SHA-256)").len(),
        64
    );
    assert_eq!(fact(&sam, "Organisationer i registret"), n_orgs.to_string());
    assert_eq!(fact(&sam, "Organisationer som lämnat in"), "1");
    assert_eq!(fact(&sam, "Filer inlästa"), "1");
    assert_eq!(fact(&sam, "Filer med fel"), "0");
    assert_eq!(fact(&sam, "Iakttagelser"), (4 + n_orgs - 1).to_string());
    assert_eq!(
        fact(
            &sam,
            "Organisationer som lämnat in utan brist av allvarlighet hög"
        ),
        "0"
    );
    assert_eq!(
        fact(&sam, "Nya iakttagelser sedan föregående körning"),
        (4 + n_orgs - 1).to_string()
    );
    assert_eq!(
        fact(&sam, "Åtgärdade iakttagelser sedan föregående körning"),
        "0"
    );
    // The per-rule table: R08 brist 4, uppfyllt 1.
    // (The second table of rules is the chart's.)
    let hdr = find_rows(&sam, 0, "Regel");
    assert_eq!(hdr.len(), 2);
    let cols = row(&sam, hdr[0]);
    let col = |name: &str| cols.iter().position(|c| c == name).unwrap() as u32;
    let r08 = hdr[0] + 1;
    assert_eq!(at(&sam, r08, 0), "R08");
    assert_eq!(at(&sam, r08, col("brist")), "4");
    assert_eq!(at(&sam, r08, col("uppfyllt")), "1");
    assert_eq!(
        at(&sam, r08, col("underlag saknas")),
        (n_orgs - 1).to_string()
    );
    // A chart is there.
    let ct = zip_entry(&report, "[Content_Types].xml");
    assert!(ct.contains("/xl/charts/chart1.xml"));

    // Inläsning and Regler.
    let inl = sheet(&report, "Inläsning");
    assert_eq!(
        header(&inl),
        [
            "Fil",
            "Typ",
            "Organisation",
            "Period",
            "Status",
            "Orsak",
            "Varningar",
            "SHA-256",
            "Storlek (byte)"
        ]
    );
    assert_eq!(at(&inl, 1, 0), "kov verksamhet.xlsx");
    assert_eq!(at(&inl, 1, 7).len(), 64);
    assert_eq!(at(&inl, 1, 1), "Verksamhet");
    assert_eq!(at(&inl, 1, 2), "KOV");
    assert_eq!(at(&inl, 1, 4), "inläst");
    let varn = sheet(&report, "Inläsningsvarningar");
    assert_eq!(
        header(&varn),
        ["Fil", "Blad", "Cell", "Hittat", "Förväntat", "Meddelande"]
    );
    let reg = sheet(&report, "Regler");
    assert_eq!(at(&reg, 0, 0), "Regel");
    assert_eq!(at(&reg, 1, 0), "R08");
    assert_eq!(at(&reg, 1, 2), "hög");
    assert_eq!(at(&reg, 1, 9).len(), 64);
    let avs = sheet(&report, "Avsteg");
    assert_eq!(
        header(&avs)[..10],
        [
            "Organisation",
            "Avsteg-id",
            "Tjänst-id",
            "Motivering",
            "Beslutat av",
            "Beslutsdatum",
            "Gäller till",
            "Giltighet",
            // No rule of this rule folder (R08 only) has `visas_i: [Avsteg]`,
            // so no rule's columns stand beside the avsteg.
            "Fil",
            "Rad"
        ]
    );
    let ind = sheet(&report, "Indikatorer");
    assert_eq!(at(&ind, 0, 0), "Organisation");
    assert!(!find_rows(&ind, 0, "STADEN").is_empty());
    // The 2020 baseline is a share of resources: it stands under the budget
    // shares (columns F, G), not the count shares, with Intraservice's own
    // budget share beside it (the register's IS).
    let base = find_rows(&ind, 0, "UTGÅNGSLÄGE 2020");
    assert_eq!(base.len(), 1);
    assert_eq!(header(&ind)[5], "Innovation, andel av budget (%)");
    assert_eq!(at(&ind, base[0], 3), "");
    assert_eq!(at(&ind, base[0], 5), "1");
    assert_eq!(at(&ind, base[0], 6), "99");
    assert!(at(&ind, base[0], 1).contains("Intraservices utvecklingsportfölj"));
    assert_eq!(at(&ind, base[0] + 1, 0), "JÄMFÖRBART IS");
    let dm = sheet(&report, "Digital mognad");
    assert_eq!(header(&dm)[..4], ["Organisation", "Namn", "År", "Totalt"]);

    // Feedback for every register organisation.
    let fb = first.join("aterkoppling");
    let n_files = std::fs::read_dir(&fb).unwrap().count();
    assert_eq!(n_files, n_orgs);
    let kov_fb = fb.join("KOV.xlsx");
    assert_eq!(
        sheet_names(&kov_fb)[..3],
        ["Om återkopplingen", "Iakttagelser", "Inläsningsvarningar"]
    );
    let about = sheet(&kov_fb, "Om återkopplingen");
    assert!(
        at(&about, 2, 0).contains("vid nästa körning"),
        "{}",
        at(&about, 2, 0)
    );
    let r08_about = find_rows(&about, 0, "R08 Säkerhetsnivå uppnådd");
    assert_eq!(at(&about, r08_about[0], 1), "brist");
    // The files come first: KOV's one file, read.
    let files = find_rows(&about, 0, "Fil");
    assert_eq!(files.len(), 1);
    assert_eq!(at(&about, files[0] + 1, 0), "kov verksamhet.xlsx");
    assert_eq!(at(&about, files[0] + 1, 1), "läst");
    let kf = sheet(&kov_fb, "Iakttagelser");
    let e = find_rows(&kf, 2, "Ekonomi");
    assert_eq!(e.len(), 1);
    assert_eq!(at(&kf, e[0], 6), "D2");
    assert!(at(&kf, e[0], 7).starts_with("Rätta cell D2 på bladet System."));
    assert!(find_rows(&kf, 2, FORMULA_LIKE[0]).len() == 1);

    // Second run with Ekonomi fixed: one resolved, nothing new.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    verksamhet(&input, "KOV", &systems(true));
    let second = run(&ws);
    let report2 = second.join("uppsikt-rapport.xlsx");
    let sam2 = sheet(&report2, "Sammanfattning");
    assert_eq!(
        fact(&sam2, "Nya iakttagelser sedan föregående körning"),
        "0"
    );
    assert_eq!(
        fact(&sam2, "Åtgärdade iakttagelser sedan föregående körning"),
        "1"
    );
    assert_eq!(
        fact(&sam2, "Föregående körning"),
        first.file_name().unwrap().to_string_lossy()
    );
    // The resolved finding is listed.
    let resolved = find_rows(&sam2, 3, "Ekonomi");
    assert_eq!(resolved.len(), 1);
    assert_eq!(at(&sam2, resolved[0], 0), "KOV");
    assert_eq!(at(&sam2, resolved[0], 2), "R08");
    assert_eq!(at(&sam2, resolved[0], 4), "brist");
    let iak2 = sheet(&report2, "Iakttagelser");
    assert!(find_rows(&iak2, 5, "Ekonomi").is_empty());
    let ny = (1..=iak2.end().unwrap().0)
        .filter(|r| at(&iak2, *r, 11) == "Ja")
        .count();
    assert_eq!(ny, 0);
}

#[test]
fn report_contents_do_not_depend_on_the_clock() {
    // Two workspaces, same inputs and per-date: identical sheet contents.
    let read_all = |p: &Path| -> Vec<(String, Vec<Vec<String>>)> {
        let mut wb: Xlsx<_> = open_workbook(p).unwrap();
        let names = wb.sheet_names();
        names
            .into_iter()
            .map(|n| {
                let r = wb.worksheet_range(&n).unwrap();
                let rows = r.rows().map(|row| row.iter().map(text).collect()).collect();
                (n, rows)
            })
            .collect()
    };
    let mut all = Vec::new();
    for _ in 0..2 {
        let ws = workspace();
        verksamhet(&ws.inputs().join("kov.xlsx"), "KOV", &systems(false));
        let folder = run(&ws);
        let report = folder.join("uppsikt-rapport.xlsx");
        all.push((read_all(&report), zip_entry(&report, "docProps/core.xml")));
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    assert_eq!(all[0].0, all[1].0);
    assert_eq!(all[0].1, all[1].1);
    assert!(all[0].1.contains("2026-11-26T00:00:00Z"));
}

/// Write a table sheet: header row then rows of text (empty = no cell).
fn table(wb: &mut Workbook, name: &str, headers: &[&str], rows: &[Vec<&str>]) {
    let ws = wb.add_worksheet().set_name(name).unwrap();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
}

fn inlamning(wb: &mut Workbook, org: &str) {
    let ws = wb.add_worksheet().set_name("Inlämning").unwrap();
    for (r, (k, v)) in [
        ("Typ", "Verksamhet"),
        ("Organisations-id", org),
        ("Period", "2026"),
        ("Inlämnad", "2026-10-01"),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(r as u32, 0, *k).unwrap();
        ws.write_string(r as u32, 1, *v).unwrap();
    }
}

#[test]
fn report_avsteg_mognad_rule_errors_and_feedback_warnings() {
    let ws = workspace();
    // Three test rules of our own, each shown in the Avsteg sheet
    // (`visas_i: [Avsteg]`): one judging each Avsteg row (as R06), one that
    // always fails (as R07) and one judging the organisation, never a row
    // (as R05), so the side-by-side columns and the Regler errors can be
    // checked whatever the shipped rules are.
    let rules = ws.path().join("rules");
    let yaml_of = |id: &str, title: &str, objekt: &str| {
        format!(
            "id: {id}\ntitel: {title}\nallvarlighet: medel\nobjekt: {objekt}\nreferens: \"R: Avsteg från riktlinjen\"\nvisas_i: [Avsteg]\nparametrar: {{min: 3}}\ndokumentation:\n  Vad regeln kontrollerar: test\n  Varför: test\n"
        )
    };
    let yaml = |id: &str, title: &str| yaml_of(id, title, "avsteg");
    std::fs::write(
        rules.join("R05-test.yaml"),
        yaml_of("R05", "Organisationen finns", "organisation"),
    )
    .unwrap();
    std::fs::write(rules.join("R05-test.rhai"), "uppfyllt()\n").unwrap();
    std::fs::write(rules.join("R06-test.yaml"), yaml("R06", "Avsteg har id")).unwrap();
    std::fs::write(
        rules.join("R06-test.rhai"),
        "if saknas(objekt.avsteg_id) { brist(\"Avsteg-id saknas\") } else { uppfyllt() }\n",
    )
    .unwrap();
    std::fs::write(rules.join("R07-test.yaml"), yaml("R07", "Alltid fel")).unwrap();
    std::fs::write(
        rules.join("R07-test.rhai"),
        "let x = 1;\nthrow \"trasigt\";\n",
    )
    .unwrap();

    let mut wb = Workbook::new();
    inlamning(&mut wb, "KOV");
    table(
        &mut wb,
        "Avsteg",
        &[
            "Avsteg-id",
            "Tjänst-id",
            "Motivering",
            "Beslutat av",
            "Gäller till",
        ],
        &[
            vec![
                "A-1",
                "BAS1",
                "=1+1 inte en formel",
                "Kretslopp och vattennämnden",
                "2026-12-31",
            ],
            vec![
                "A-2",
                "BAS2",
                "Gammalt",
                "Kretslopp och vattennämnden",
                "2026-01-01",
            ],
            vec!["", "BAS3", "Utan id", "", ""],
        ],
    );
    table(
        &mut wb,
        "Digital mognad",
        &[
            "År",
            "Totalt",
            "Effektivitet",
            "Innovation",
            "Balansering",
            "Organisation",
            "Användare",
            "Teknik",
        ],
        &[
            vec!["2024", "40", "40", "40", "40", "40", "40", "40"],
            vec!["2025", "50", "45", "55", "50", "50", "50", "50"],
        ],
    );
    table(
        &mut wb,
        "System",
        &["System", "Skyddsbehov", "Uppnådd säkerhetsnivå"],
        &[vec!["Ekonomi", "2", "inte en nivå"]],
    );
    wb.save(ws.inputs().join("kov.xlsx")).unwrap();
    let mut wb = Workbook::new();
    inlamning(&mut wb, "TN");
    table(
        &mut wb,
        "Digital mognad",
        &[
            "År",
            "Totalt",
            "Effektivitet",
            "Innovation",
            "Balansering",
            "Organisation",
            "Användare",
            "Teknik",
        ],
        &[vec!["2024", "30", "30", "30", "30", "30", "30", "30"]],
    );
    wb.save(ws.inputs().join("tn.xlsx")).unwrap();

    // A regelfel makes the exit status 3, the report is still written.
    let out = ws.cmd(&["run", "--per", PER]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let folder = ws.run_folders().last().unwrap().clone();
    let report = folder.join("uppsikt-rapport.xlsx");

    // Avsteg: every row, R06 matched by avsteg-id / tjänst-id, flags.
    let avs = sheet(&report, "Avsteg");
    let h = header(&avs);
    assert_eq!(
        h[8..],
        [
            "R05 status",
            "R05 meddelande",
            "R06 status",
            "R06 meddelande",
            "R07 status",
            "R07 meddelande",
            "Fil",
            "Rad"
        ],
        "the rules shown beside each avsteg, in rule order"
    );
    let col = |name: &str| h.iter().position(|c| c == name).unwrap() as u32;
    let a1 = find_rows(&avs, 1, "A-1")[0];
    assert_eq!(at(&avs, a1, 0), "KOV");
    assert_eq!(at(&avs, a1, col("Motivering")), "=1+1 inte en formel");
    assert_eq!(at(&avs, a1, col("Gäller till")), "2026-12-31");
    assert_eq!(at(&avs, a1, col("Giltighet")), "Går ut inom 90 dagar");
    assert_eq!(at(&avs, a1, col("R06 status")), "uppfyllt");
    assert_eq!(at(&avs, a1, col("R07 status")), "regelfel");
    assert!(at(&avs, a1, col("R07 meddelande")).contains("trasigt"));
    assert_eq!(at(&avs, a1, col("R05 status")), "ej bedömd");
    let a2 = find_rows(&avs, 1, "A-2")[0];
    assert_eq!(at(&avs, a2, col("Giltighet")), "Utgånget");
    let a3 = find_rows(&avs, 2, "BAS3")[0];
    assert_eq!(at(&avs, a3, col("Gäller till")), "tills vidare");
    assert_eq!(at(&avs, a3, col("Giltighet")), "");
    assert_eq!(at(&avs, a3, col("R06 status")), "brist");
    assert_eq!(at(&avs, a3, col("R06 meddelande")), "Avsteg-id saknas");
    assert_eq!(at(&avs, a3, col("Rad")), "4");
    // Three rules beside each avsteg still print within 240 units.
    let pos = sheet_names(&report)
        .iter()
        .position(|n| n == "Avsteg")
        .unwrap();
    let xml = zip_entry(&report, &format!("xl/worksheets/sheet{}.xml", pos + 1));
    let sum: f64 = column_widths(&xml, h.len() as u32).iter().sum();
    assert!(sum <= 241.0, "Avsteg: print width {sum} > 240");
    assert!(matches!(
        avs.get_value((a1, col("Gäller till"))),
        Some(Data::DateTime(_))
    ));

    // Regler: parameters as text and the error with file:line:column.
    let reg = sheet(&report, "Regler");
    let r07 = find_rows(&reg, 0, "R07")[0];
    assert_eq!(at(&reg, r07, 5), "min = 3");
    assert_eq!(at(&reg, r07, 6), "R07-test.rhai");
    assert_eq!(at(&reg, r07, 7), "3");
    let err = at(&reg, r07, 8);
    assert!(err.contains("R07-test.rhai:2:"), "{err}");
    assert!(err.contains("trasigt"), "{err}");
    let r06 = find_rows(&reg, 0, "R06")[0];
    assert_eq!(at(&reg, r06, 7), "0");

    // Digital mognad: KOV's latest year with the change since 2024, TN's
    // only year; the city means; TN is listed as missing 2025, KOV is not.
    let dm = sheet(&report, "Digital mognad");
    let kov = find_rows(&dm, 0, "KOV");
    let kov_main = kov[0];
    assert_eq!(at(&dm, kov_main, 2), "2025");
    assert_eq!(at(&dm, kov_main, 3), "50");
    assert_eq!(at(&dm, kov_main, 10), "2024");
    assert_eq!(at(&dm, kov_main, 11), "10");
    assert_eq!(at(&dm, kov_main, 13), "15");
    let means = find_rows(&dm, 0, "År");
    assert_eq!(means.len(), 1);
    assert_eq!(at(&dm, means[0] + 1, 0), "2024");
    assert_eq!(at(&dm, means[0] + 1, 1), "2");
    assert_eq!(at(&dm, means[0] + 1, 2), "35");
    assert_eq!(at(&dm, means[0] + 2, 0), "2025");
    assert_eq!(at(&dm, means[0] + 2, 2), "50");
    // KOV in the main table and the trend; TN in the main table, the
    // missing list and the trend.
    assert_eq!(kov.len(), 2);
    assert_eq!(find_rows(&dm, 0, "TN").len(), 3);
    let ct = zip_entry(&report, "[Content_Types].xml");
    assert!(ct.contains("/xl/charts/chart2.xml"), "line chart missing");

    // Warnings: the report lists them; KOV's feedback has its own, TN none.
    let varn = sheet(&report, "Inläsningsvarningar");
    let bad = (1..=varn.end().unwrap().0)
        .find(|r| at(&varn, *r, 3) == "inte en nivå")
        .expect("warning for the bad level");
    assert_eq!(at(&varn, bad, 0), "kov.xlsx");
    assert_eq!(at(&varn, bad, 1), "System");
    assert_eq!(at(&varn, bad, 2), "C2");
    let kov_fb = folder.join("aterkoppling").join("KOV.xlsx");
    let fw = sheet(&kov_fb, "Inläsningsvarningar");
    assert_eq!(
        header(&fw),
        [
            "Fil",
            "Blad",
            "Cell att rätta",
            "Hittat",
            "Förväntat",
            "Meddelande"
        ]
    );
    assert!(
        (1..=fw.end().unwrap().0).any(|r| at(&fw, r, 2) == "C2" && at(&fw, r, 3) == "inte en nivå")
    );
    assert!(sheet_names(&kov_fb).contains(&"Digital mognad".to_string()));
    let tn_fb = folder.join("aterkoppling").join("TN.xlsx");
    let tw = sheet(&tn_fb, "Inläsningsvarningar");
    assert_eq!(at(&tw, 1, 0), "Inga inläsningsvarningar.");
    // An organisation that submitted nothing still gets its feedback.
    let gsn = sheet(
        &folder.join("aterkoppling").join("GSN.xlsx"),
        "Om återkopplingen",
    );
    assert!(at(&gsn, 0, 0).contains("GSN"));
}

/// The widths of a sheet's columns 1..=`last` (one-based), from its XML
/// (Excel's default width where a column has none).
fn column_widths(xml: &str, last: u32) -> Vec<f64> {
    let mut w = vec![8.43; last as usize];
    for col in xml.split("<col ").skip(1) {
        let attr = |name: &str| -> Option<String> {
            let i = col
                .find(&format!(" {name}=\""))
                .or_else(|| col.starts_with(&format!("{name}=\"")).then_some(0))?;
            let rest = &col[i..];
            let start = rest.find('"')? + 1;
            let end = start + rest[start..].find('"')?;
            Some(rest[start..end].to_string())
        };
        let (Some(min), Some(max), Some(width)) = (attr("min"), attr("max"), attr("width")) else {
            continue;
        };
        let (min, max): (u32, u32) = (min.parse().unwrap(), max.parse().unwrap());
        for c in min..=max.min(last) {
            w[c as usize - 1] = width.parse().unwrap();
        }
    }
    w
}

/// Zero-based column of an A1 column name (`A` = 0, `AH` = 33).
fn col_index(name: &str) -> u32 {
    name.bytes()
        .take_while(u8::is_ascii_uppercase)
        .fold(0, |n, b| n * 26 + (b - b'A' + 1) as u32)
        - 1
}

#[test]
fn report_reads_at_a_glance_and_prints_legibly() {
    let ws = workspace();
    let i = ws.inputs();
    verksamhet(&i.join("kov verksamhet.xlsx"), "KOV", &systems(false));
    // GSN's file arrived but is corrupt: its folder names it.
    std::fs::create_dir_all(i.join("gsn")).unwrap();
    std::fs::write(i.join("gsn/uppföljning.xlsx"), b"inte en arbetsbok").unwrap();
    let out = ws.cmd(&["run", "--per", PER]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let folder = ws.run_folders().last().unwrap().clone();
    let report = folder.join("uppsikt-rapport.xlsx");
    let n = register_size(&ws);

    // The title and the headline, computed from the run.
    let headline = [
        format!("1 av {n} organisationer har lämnat in."),
        "0 av den 1 som lämnat in har ingen brist av hög allvarlighet.".to_string(),
        "1 inlämnad fil från 1 organisation kunde inte läsas.".to_string(),
        "Ingen tidigare körning med samma schema att jämföra med.".to_string(),
    ];
    let sam = sheet(&report, "Sammanfattning");
    assert_eq!(
        at(&sam, 0, 0),
        "Uppsikt digitalisering per 2026-11-26 (period 2026)"
    );
    for (k, s) in headline.iter().enumerate() {
        assert_eq!(&at(&sam, 1 + k as u32, 0), s);
    }
    assert_eq!(at(&sam, 5, 0), "", "no more sentences");
    assert_eq!(fact(&sam, "Filer med fel"), "1");
    assert!(matches!(
        sam.get_value((find_rows(&sam, 0, "Per-datum")[0], 2)),
        Some(Data::DateTime(_))
    ));
    // "Om körningen" comes after every table.
    assert!(find_rows(&sam, 0, "Om körningen")[0] > find_rows(&sam, 0, "Regel")[1]);

    // The terminal ends with the same sentences and the run folder.
    let so = stdout(&out);
    let tail: Vec<&str> = so.lines().rev().take(6).collect::<Vec<_>>();
    let mut want: Vec<String> = headline.to_vec();
    want.push("1 fil kunde inte läsas; se bladet Inläsning.".into());
    want.push(format!("Körningen skrevs till {}", folder.display()));
    want.reverse();
    assert_eq!(tail, want, "{so}");

    // Organisationer: a corrupt file is "inlämnad men kunde inte läsas",
    // with the file and the reason.
    let org = sheet(&report, "Organisationer");
    let gsn = find_rows(&org, 0, "GSN")[0];
    assert_eq!(at(&org, gsn, 3), "inlämnad men kunde inte läsas");
    assert!(
        at(&org, gsn, 5).starts_with("gsn/uppföljning.xlsx: "),
        "{}",
        at(&org, gsn, 5)
    );
    let tn = find_rows(&org, 0, "TN")[0];
    assert_eq!(at(&org, tn, 3), "ej inlämnad");
    let inl = sheet(&report, "Inläsning");
    let f = find_rows(&inl, 0, "gsn/uppföljning.xlsx")[0];
    assert_eq!(at(&inl, f, 2), "GSN");
    assert_eq!(at(&inl, f, 4), "fel");

    // Iakttagelser: one row for an organisation without a Verksamhet
    // workbook, saying why; resultat.jsonl keeps every evaluation.
    let iak = sheet(&report, "Iakttagelser");
    let tn_rows = find_rows(&iak, 0, "TN");
    assert_eq!(tn_rows.len(), 1);
    assert_eq!(
        at(&iak, tn_rows[0], 6),
        "Ingen arbetsbok av typen Verksamhet har lämnats in; därför kunde 1 regel inte bedömas (underlag saknas)."
    );
    let gsn_rows = find_rows(&iak, 0, "GSN");
    assert_eq!(gsn_rows.len(), 1);
    assert!(at(&iak, gsn_rows[0], 6).starts_with("Inlämnad men kunde inte läsas: "));
    assert_eq!(at(&iak, gsn_rows[0], 7), "gsn/uppföljning.xlsx");
    let results = crate::common::results(&folder);
    assert!(results
        .iter()
        .any(|r| r["organisation"] == "TN" && r["status"] == "underlag saknas"));

    // Every sheet prints A4 landscape within 240 character units, with a
    // header and footer; the long text columns wrap.
    let wbxml = zip_entry(&report, "xl/workbook.xml");
    let styles = zip_entry(&report, "xl/styles.xml");
    let xfs: Vec<&str> = styles
        .split("<cellXfs")
        .nth(1)
        .unwrap()
        .split("</cellXfs>")
        .next()
        .unwrap()
        .split("<xf ")
        .skip(1)
        .collect();
    let names = sheet_names(&report);
    for (k, name) in names.iter().enumerate() {
        let xml = zip_entry(&report, &format!("xl/worksheets/sheet{}.xml", k + 1));
        assert!(
            xml.contains("orientation=\"landscape\"") && xml.contains("paperSize=\"9\""),
            "{name}: not A4 landscape"
        );
        assert!(
            xml.contains("sida &amp;P av &amp;N") && xml.contains("Uppsikt digitalisering"),
            "{name}: no header/footer"
        );
        // The print area's last column, else the used range's.
        let quoted = if name.contains(' ') {
            format!("'{name}'")
        } else {
            name.clone()
        };
        let area = wbxml
            .split("<definedName name=\"_xlnm.Print_Area\"")
            .skip(1)
            .find_map(|d| {
                let v = d.split('>').nth(1)?.split('<').next()?;
                v.starts_with(&format!("{quoted}!")).then(|| v.to_string())
            });
        let last = match area {
            Some(a) => col_index(a.rsplit(":$").next().unwrap()),
            None => {
                let dim = xml.split("<dimension ref=\"").nth(1).unwrap();
                let dim = dim.split('"').next().unwrap();
                col_index(dim.rsplit(':').next().unwrap())
            }
        };
        let widths = column_widths(&xml, last + 1);
        let sum: f64 = widths.iter().sum();
        assert!(sum <= 240.0 + 1.0, "{name}: print width {sum} > 240");
    }
    // Iakttagelser's Meddelande (G) and Inläsning's Orsak (F) wrap.
    let wraps = |sheet_no: usize, col: u32| {
        let xml = zip_entry(&report, &format!("xl/worksheets/sheet{sheet_no}.xml"));
        let col_xml = xml
            .split("<col ")
            .skip(1)
            .find(|c| {
                let num = |a: &str| -> u32 {
                    c.split(&format!("{a}=\""))
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap()
                };
                num("min") <= col && col <= num("max")
            })
            .unwrap_or_else(|| panic!("no <col> for column {col} of sheet {sheet_no}"));
        let style: usize = col_xml
            .split("style=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .unwrap_or_else(|| panic!("column {col} of sheet {sheet_no} has no style"));
        xfs[style].contains("wrapText=\"1\"")
    };
    let pos = |n: &str| names.iter().position(|s| s == n).unwrap() + 1;
    assert!(wraps(pos("Iakttagelser"), 7), "Meddelande does not wrap");
    assert!(wraps(pos("Inläsning"), 6), "Orsak does not wrap");
    // Dates are date cells: KOV's submission and the avsteg dates.
    let kov = find_rows(&org, 0, "KOV")[0];
    assert!(matches!(org.get_value((kov, 4)), Some(Data::DateTime(_))));
    // Links: the rule id to its row on Regler; the organisation to its
    // feedback workbook, relatively.
    let iak_xml = zip_entry(
        &report,
        &format!("xl/worksheets/sheet{}.xml", pos("Iakttagelser")),
    );
    assert!(
        iak_xml.contains("location=\"'Regler'!A2\""),
        "no link to Regler"
    );
    let org_rels = zip_entry(
        &report,
        &format!(
            "xl/worksheets/_rels/sheet{}.xml.rels",
            pos("Organisationer")
        ),
    );
    assert!(
        org_rels.contains("Target=\"aterkoppling/KOV.xlsx\""),
        "{org_rels}"
    );

    // One rule in regelfel leaves every organisation's overall status as
    // it was, and is counted apart.
    let status_of = |report: &Path| -> Vec<(String, String)> {
        let org = sheet(report, "Organisationer");
        let legend = find_rows(&org, 0, "Förklaring")[0];
        (1..legend)
            .filter(|r| !at(&org, *r, 1).is_empty())
            .map(|r| (at(&org, r, 0), at(&org, r, 9)))
            .collect()
    };
    let before = status_of(&report);
    let rules = ws.path().join("rules");
    std::fs::write(
        rules.join("R90-trasig.yaml"),
        "id: R90\ntitel: Alltid fel\nallvarlighet: hög\nobjekt: organisation\nreferens: \"R: test\"\ndokumentation:\n  Vad regeln kontrollerar: test\n  Varför: test\n",
    )
    .unwrap();
    std::fs::write(rules.join("R90-trasig.rhai"), "throw \"trasigt\";\n").unwrap();
    let out = ws.cmd(&["run", "--per", PER]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report2 = ws
        .run_folders()
        .last()
        .unwrap()
        .join("uppsikt-rapport.xlsx");
    assert_ne!(report2, report);
    assert_eq!(status_of(&report2), before);
    let org2 = sheet(&report2, "Organisationer");
    let kov2 = find_rows(&org2, 0, "KOV")[0];
    assert_eq!(at(&org2, kov2, 9), "brist");
    assert_eq!(at(&org2, kov2, 10), "1");
    assert_eq!(at(&org2, 0, 13), "R90");
    assert_eq!(at(&org2, kov2, 13), "!");
    assert!(stdout(&out).contains("1 regel kunde inte köras (R90)."));
}

/// Writes KOV's Verksamhet workbook (with findings) into `ws`'s inputs,
/// beside whatever the test put there, and runs: the run's output and the
/// folder it published.
fn run_with_kov(ws: &Workspace) -> (std::process::Output, PathBuf) {
    verksamhet(
        &ws.inputs().join("kov verksamhet.xlsx"),
        "KOV",
        &systems(false),
    );
    let out = ws.cmd(&["run", "--per", PER]).output();
    let folder = ws
        .run_folders()
        .pop()
        .unwrap_or_else(|| panic!("no run folder: {}", stderr(&out)));
    (out, folder)
}

/// `Organisationer` and `Inläsning` are written row by row
/// (`xlsx::streamed_sheet`), where rust_xlsxwriter drops a write to a row
/// above the last one written: every cell is there, read back, from the
/// header (and its height) through the first and the last organisation to
/// the legend's last line; texts stay in the shared string table.
#[test]
fn streamed_sheets_keep_every_cell() {
    let ws = workspace();
    let (out, folder) = run_with_kov(&ws);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // rust_xlsxwriter's only trace of a dropped cell.
    assert!(
        !stderr(&out).contains("previously written row"),
        "{}",
        stderr(&out)
    );
    let report = folder.join("uppsikt-rapport.xlsx");
    let org = sheet(&report, "Organisationer");
    assert_eq!(header(&org).len(), 13);
    assert_eq!(at(&org, 0, 0), "Organisation");
    assert_eq!(at(&org, 0, 11), "Iakttagelser");
    assert_eq!(at(&org, 0, 12), "R08");
    let cfg = std::fs::read_to_string(ws.config()).unwrap();
    let ids: Vec<&str> = cfg
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- id:"))
        .map(|s| s.trim().trim_matches('"'))
        .collect();
    assert!(ids.len() >= 3, "{ids:?}");
    let n = ids.len() as u32;
    let listed: Vec<String> = (1..=n).map(|r| at(&org, r, 0)).collect();
    assert_eq!(listed, ids);
    // The first and the last organisation's rows are complete: the state,
    // the counts, the overall status and the rule's symbol.
    for r in [1, n] {
        let cells = row(&org, r);
        assert!(!cells[1].is_empty(), "row {r}: {cells:?}");
        assert!(!cells[3].is_empty(), "row {r}: {cells:?}");
        assert_eq!(cells[6..9], ["0", "0", "0"], "row {r}: {cells:?}");
        assert!(!cells[9].is_empty(), "row {r}: {cells:?}");
        assert!(!cells[12].is_empty(), "row {r}: {cells:?}");
    }
    let kov = find_rows(&org, 0, "KOV")[0];
    assert_eq!(row(&org, kov)[6..12], ["4", "0", "0", "brist", "0", "4"]);
    // The legend: one row free, the title, five symbols, the note, one row
    // free, then each rule with its title (the sheet's last row).
    assert!(at(&org, n + 1, 0).is_empty());
    assert_eq!(at(&org, n + 2, 0), "Förklaring");
    for k in 3..=7 {
        assert!(!at(&org, n + k, 0).is_empty(), "legend row {k}");
        assert!(!at(&org, n + k, 1).is_empty(), "legend row {k}");
    }
    assert!(at(&org, n + 8, 1).starts_with("Samlad status är"));
    assert_eq!(at(&org, n + 10, 0), "R08");
    assert_eq!(at(&org, n + 10, 1), "Säkerhetsnivå uppnådd");
    assert_eq!(org.end().unwrap().0, n + 10);
    // The header row's height, set before the first organisation's row.
    let xml = zip_entry(&report, "xl/worksheets/sheet2.xml");
    let first = &xml[xml.find("<row r=\"1\"").unwrap()..];
    assert!(
        first[..first.find('>').unwrap()].contains("ht=\"45\""),
        "{}",
        &first[..80]
    );
    assert!(!xml.contains("inlineStr"));

    let inl = sheet(&report, "Inläsning");
    assert_eq!(at(&inl, 0, 0), "Fil");
    assert_eq!(at(&inl, 0, 8), "Storlek (byte)");
    assert_eq!(at(&inl, 1, 0), "kov verksamhet.xlsx");
    assert_eq!(at(&inl, 1, 7).len(), 64);
    assert!(at(&inl, 1, 8).parse::<u64>().unwrap() > 0);
    assert_eq!(inl.end().unwrap().0, 1);
}

/// Every sheet of every workbook a run writes numbers its rows once and
/// upwards. rust_xlsxwriter writes the last row of a row-by-row sheet a
/// second time when that row has a height of its own (an empty `<row>`
/// with the same number, which a strict reader such as Excel may take for
/// a damaged sheet): every row-by-row sheet ends with `xlsx::end_rows`.
/// Tall last rows here: `Iakttagelser`'s last finding, `Indikatorer`'s last
/// note (45 pt), and `Inläsning`'s, a rejected file sorted last whose long
/// name and reason wrap.
#[test]
fn every_sheet_numbers_its_rows_once_and_in_order() {
    let ws = workspace();
    let late = ws.inputs().join("zz");
    std::fs::create_dir_all(&late).unwrap();
    std::fs::write(
        late.join("zz-trasig-uppföljning-med-ett-mycket-långt-filnamn-2026.xlsx"),
        b"PK\x03\x04 inte en arbetsbok",
    )
    .unwrap();
    let (out, folder) = run_with_kov(&ws);
    // The rejected file makes the exit 3; the run is published.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let mut books = vec![folder.clone()];
    let mut sheets = 0;
    while let Some(p) = books.pop() {
        if p.is_dir() {
            books.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|e| e != "xlsx") {
            continue;
        }
        let mut z = zip::ZipArchive::new(std::fs::File::open(&p).unwrap()).unwrap();
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            let name = String::from_utf8_lossy(e.name_raw()).into_owned();
            if !(name.starts_with("xl/worksheets/sheet") && name.ends_with(".xml")) {
                continue;
            }
            let mut xml = String::new();
            e.read_to_string(&mut xml).unwrap();
            let rows: Vec<u32> = xml
                .split("<row r=\"")
                .skip(1)
                .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
                .collect();
            assert!(
                rows.windows(2).all(|w| w[0] < w[1]),
                "{} {name}: rows {:?}",
                p.display(),
                &rows[rows.len().saturating_sub(4)..]
            );
            sheets += 1;
        }
    }
    // The report's sheets, the register's two and the feedback's.
    assert!(sheets >= 14, "{sheets} sheets");
}
