//! Compliance over time (issue 19): the `Historik` sheet over several runs
//! of the same schedule with advancing per-dates, read back with calamine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Range, Reader, Xlsx};

use crate::common::Workspace;

/// A Verksamhet workbook with a `System` sheet of (System, Skyddsbehov,
/// Uppnådd säkerhetsnivå): R08 finds a brist (hög) where the level reached
/// is below the need.
fn verksamhet(path: &Path, org: &str, systems: &[(&str, u8, u8)]) {
    crate::common::systems_verksamhet(path, org, "2026-03-01", systems);
}

/// A workspace whose rule folder holds only R08, so the counts are exact.
fn workspace() -> Workspace {
    crate::common::workspace_with_only("R08")
}

fn run(ws: &Workspace, per: &str) -> PathBuf {
    crate::common::run_ok(ws, per)
}

fn historik(folder: &Path) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(folder.join("uppsikt-rapport.xlsx")).unwrap();
    wb.worksheet_range("Historik").unwrap()
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::DateTime(x) => x.as_datetime().unwrap().date().to_string(),
        other => other.to_string(),
    }
}

fn at(r: &Range<Data>, row: u32, col: u32) -> String {
    r.get_value((row, col)).map(text).unwrap_or_default()
}

fn find_row(r: &Range<Data>, col: u32, value: &str) -> u32 {
    let end = r.end().unwrap().0;
    let rows: Vec<u32> = (0..=end).filter(|i| at(r, *i, col) == value).collect();
    assert_eq!(rows.len(), 1, "{value}: {rows:?}");
    rows[0]
}

/// What the sheet shows: the column labels of the per-rule table, each
/// organisation's (hög, medel, låg) per point in time, the organisations
/// with a brist of R08 per point, and the city's hög per point.
struct Shown {
    labels: Vec<String>,
    orgs: Vec<(String, Vec<[u32; 3]>)>,
    r08: Vec<u32>,
    city_hog: Vec<u32>,
}

fn shown(r: &Range<Data>, orgs: &[&str]) -> Shown {
    let rule_header = find_row(r, 0, "Regel");
    let mut labels = Vec::new();
    let mut c = 2;
    while !at(r, rule_header, c).is_empty() {
        labels.push(at(r, rule_header, c));
        c += 1;
    }
    let n = labels.len() as u32;
    let num = |row: u32, col: u32| at(r, row, col).parse::<u32>().unwrap();
    let org_header = find_row(r, 0, "Organisation");
    let orgs = orgs
        .iter()
        .map(|o| {
            let row = find_row(r, 0, o);
            assert!(row > org_header && row < rule_header);
            let per_point = (0..n)
                .map(|k| {
                    [
                        num(row, 2 + 3 * k),
                        num(row, 3 + 3 * k),
                        num(row, 4 + 3 * k),
                    ]
                })
                .collect();
            (o.to_string(), per_point)
        })
        .collect();
    // The per-date labels head each group of three count columns too.
    for (k, l) in labels.iter().enumerate() {
        assert_eq!(&at(r, org_header, 2 + 3 * k as u32), l);
        assert_eq!(
            [0, 1, 2].map(|i| at(r, org_header + 1, 2 + 3 * k as u32 + i)),
            ["Hög", "Medel", "Låg"]
        );
    }
    let r08 = (0..n).map(|k| num(find_row(r, 0, "R08"), 2 + k)).collect();
    let city_hog = (0..n).map(|k| num(find_row(r, 0, "Hög"), 2 + k)).collect();
    Shown {
        labels,
        orgs,
        r08,
        city_hog,
    }
}

#[test]
fn historik_counts_each_run_over_four_quarters() {
    let ws = workspace();
    let kov = ws.inputs().join("kov.xlsx");
    let tn = ws.inputs().join("tn.xlsx");

    // Q1: KOV two brister, TN one.
    verksamhet(
        &kov,
        "KOV",
        &[("Ekonomi", 3, 2), ("HR", 2, 1), ("Lön", 2, 2)],
    );
    verksamhet(&tn, "TN", &[("Trafik", 2, 1)]);
    let q1 = run(&ws, "2026-03-31");
    let h = historik(&q1);
    assert_eq!(
        at(&h, 1, 0),
        "Det finns ingen tidigare körning av schemat manuell att jämföra med; tabellerna visar bara denna körning."
    );
    let s = shown(&h, &["KOV", "TN"]);
    assert_eq!(s.labels, ["2026-03-31"]);
    assert_eq!(s.orgs[0].1, [[2, 0, 0]]);
    assert_eq!(s.city_hog, [3]);

    // Q2: KOV fixes Ekonomi.
    verksamhet(
        &kov,
        "KOV",
        &[("Ekonomi", 3, 3), ("HR", 2, 1), ("Lön", 2, 2)],
    );
    run(&ws, "2026-06-30");
    // Q3: TN introduces a second brist.
    verksamhet(&tn, "TN", &[("Trafik", 2, 1), ("Parkering", 3, 1)]);
    run(&ws, "2026-09-30");
    // Q4: TN stops submitting.
    std::fs::remove_file(&tn).unwrap();
    let q4 = run(&ws, "2026-12-31");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(q4.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["historik"],
        serde_json::json!({
            "brister": { "KOV": { "hög": 1, "medel": 0, "låg": 0 } },
            "organisationer_med_brist": { "R08": 1 }
        })
    );

    let h = historik(&q4);
    assert!(
        at(&h, 1, 0).starts_with("De 3 senaste tidigare körningarna av schemat manuell och denna"),
        "{}",
        at(&h, 1, 0)
    );
    let s = shown(&h, &["KOV", "TN", "GSN"]);
    assert_eq!(
        s.labels,
        ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]
    );
    assert_eq!(s.orgs[0].1, [[2, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]]);
    assert_eq!(s.orgs[1].1, [[1, 0, 0], [1, 0, 0], [2, 0, 0], [0, 0, 0]]);
    assert_eq!(
        s.orgs[2].1,
        [[0, 0, 0]; 4],
        "an organisation that never submitted"
    );
    assert_eq!(s.r08, [2, 2, 2, 1]);
    assert_eq!(s.city_hog, [3, 2, 3, 1]);

    // At most `historik_korningar` (here 4) earlier runs; one whose manifest cannot
    // be read is skipped with a warning in the sheet, and the run goes on.
    // (Each run keeps its counts in its manifest: the earlier runs'
    // resultat.jsonl are read only without them, as the unit tests show.)
    let cfg = std::fs::read_to_string(ws.config()).unwrap();
    assert!(cfg.contains("\nhistorik_korningar: 8\n"));
    let cfg = cfg.replace("\nhistorik_korningar: 8\n", "\nhistorik_korningar: 4\n");
    std::fs::write(ws.config(), cfg).unwrap();
    // (The oldest: a run without a readable manifest is placed by the start
    // in its name, and these runs start within the same second.)
    std::fs::write(q1.join("manifest.json"), "{ inte json").unwrap();
    let q5 = run(&ws, "2027-03-31");
    let h = historik(&q5);
    let s = shown(&h, &["KOV", "TN"]);
    assert_eq!(
        s.labels,
        ["2026-06-30", "2026-09-30", "2026-12-31", "2027-03-31"]
    );
    // (In 2027 the 2026 workbooks are of another period: no brist.)
    assert_eq!(s.city_hog, [2, 3, 1, 0]);
    let q1_name = q1.file_name().unwrap().to_string_lossy().into_owned();
    let warning = at(&h, 2, 0);
    assert!(
        warning.starts_with(&format!("{q1_name} hoppades över: "))
            && warning.ends_with(")")
            && warning.contains("manifest.json: är ingen giltig manifestfil ("),
        "{warning}"
    );
}

/// The `Förändringsinsatser` headers of the input contract, and the
/// optional benefit columns.
const INSATS_HEADERS: [&str; 10] = [
    "Insats",
    "Inriktning",
    "Nytta",
    "Kostnads- och nyttoanalys",
    "Nyttorealiseringsplan",
    "Status",
    "Utvärderad",
    "Budget",
    "Ansvarig",
    "Slutdatum",
];
const BENEFIT_HEADERS: [&str; 7] = [
    "Stadsgemensam",
    "Förväntad nytta",
    "Nyttomått",
    "Utgångsvärde",
    "Målvärde",
    "Utfall",
    "Nytta mätt",
];

#[test]
fn nyttoregister_rows_and_no_warning_without_the_benefit_columns() {
    use crate::common::fixture::{d, valid_verksamhet, E};
    use crate::common::{evaluation, results};
    use crate::row;

    let ws = Workspace::new();
    let headers: Vec<&str> = INSATS_HEADERS
        .iter()
        .chain(&BENEFIT_HEADERS)
        .copied()
        .collect();
    valid_verksamhet("KOV", "2026")
        .sheet_table(
            "Förändringsinsatser",
            &headers,
            vec![
                row![
                    "Lokal rapportering",
                    "Effektivitet",
                    "Intern",
                    "Ja",
                    "Nej",
                    "Pågående",
                    "Nej",
                    100000,
                    "Controller A",
                    d(2026, 12, 31),
                    "Nej",
                    E,
                    E,
                    E,
                    E,
                    E,
                    E
                ],
                row![
                    "Gemensam e-arkivering",
                    "Effektivitet",
                    "Intern",
                    "Ja",
                    "Ja",
                    "Avslutad",
                    "Ja",
                    500000,
                    "Arkivarie C",
                    d(2025, 6, 30),
                    "Ja",
                    "Kortare handläggning",
                    "Handläggningstid (dagar)",
                    40,
                    10,
                    "25 dagar",
                    d(2026, 9, 1)
                ],
            ],
        )
        .save(ws.inputs().join("kov.xlsx"));
    // The contract's columns only: valid, no warning, R19 ej tillämplig.
    valid_verksamhet("TN", "2026").save(ws.inputs().join("tn.xlsx"));
    let folder = run(&ws, "2026-11-26");

    let mut wb: Xlsx<_> = open_workbook(folder.join("nyttoregister.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["Nyttoregister", "Sammanställning"]);
    let reg = wb.worksheet_range("Nyttoregister").unwrap();
    let header: Vec<String> = (0..21)
        .map(|c| at(&reg, 0, c).replace("-\n", "").replace('\n', " "))
        .collect();
    assert_eq!(&header[..3], ["Organisation", "Namn", "Insats"]);
    assert_eq!(header[19], "Andel av planerad nytta");
    // The common initiative first, whatever its place in the sheet.
    let first: Vec<String> = (0..20).map(|c| at(&reg, 1, c)).collect();
    assert_eq!(
        first,
        [
            "KOV",
            "Kretslopp och vattennämnden",
            "Gemensam e-arkivering",
            "Effektivitet",
            "Intern",
            "Avslutad",
            "Ja",
            "Ja",
            "Ja",
            "Ja",
            "500000",
            "Arkivarie C",
            "2025-06-30",
            "Kortare handläggning",
            "Handläggningstid (dagar)",
            "40",
            "10",
            "25 dagar",
            "2026-09-01",
            // From 40 towards 10 days, at 25: half way.
            "0.5",
        ]
    );
    assert!(matches!(reg.get_value((1, 12)), Some(Data::DateTime(_))));
    assert!(matches!(reg.get_value((1, 15)), Some(Data::Float(_))));
    let rows: Vec<(String, String)> = (1..=4).map(|r| (at(&reg, r, 0), at(&reg, r, 2))).collect();
    assert_eq!(
        rows,
        [
            ("KOV".into(), "Gemensam e-arkivering".into()),
            ("KOV".into(), "Lokal rapportering".into()),
            ("TN".into(), "E-tjänst".into()),
            (String::new(), String::new()),
        ]
    );
    // The balance goals: budget per inriktning × nytta.
    let sum = wb.worksheet_range("Sammanställning").unwrap();
    let budget_header = find_row(&sum, 0, "Budget (kr)");
    assert_eq!(
        [1, 2, 3].map(|c| at(&sum, budget_header, c)),
        ["Intern", "Extern", "Totalt"]
    );
    let row_of = |label: &str| {
        let r = (budget_header..budget_header + 4)
            .find(|r| at(&sum, *r, 0) == label)
            .unwrap();
        [1, 2, 3].map(|c| at(&sum, r, c))
    };
    assert_eq!(row_of("Effektivitet"), ["600000", "0", "600000"]);
    assert_eq!(row_of("Innovation"), ["0", "250000", "250000"]);
    assert_eq!(row_of("Totalt"), ["600000", "250000", "850000"]);

    // Without the optional columns: no warning for TN's workbook, and R19
    // is ej tillämplig.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    let tn = manifest["filer"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["organisation"] == "TN")
        .unwrap();
    assert_eq!(tn["status"], "inläst");
    assert_eq!(tn["varningar"], 0, "{tn:#}");
    let res = results(&folder);
    assert_eq!(evaluation(&res, "R19", "TN")["status"], "ej tillämplig");
    // KOV's common initiative is followed up.
    let kov_r19: Vec<&str> = res
        .iter()
        .filter(|e| e["regel"] == "R19" && e["organisation"] == "KOV")
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(kov_r19, ["ej tillämplig", "uppfyllt"]);
}
