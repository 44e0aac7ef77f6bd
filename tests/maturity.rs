//! Digital maturity (DiMiOS) beside compliance: organisations with two
//! years, one year, none and a malformed value; the report's cells, the
//! manifest's figures, and proof that no rule status depends on the sheet.

use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use serde_json::Value;

use crate::common::fixture::{valid_verksamhet, Book, V};
use crate::common::{stderr, Workspace};

const HEADERS: [&str; 8] = [
    "År",
    "Totalt",
    "Effektivitet",
    "Innovation",
    "Balansering",
    "Organisation",
    "Användare",
    "Teknik",
];

fn dimios(rows: Vec<Vec<V>>) -> impl Fn(Book) -> Book {
    move |b: Book| b.sheet_table("Digital mognad", &HEADERS, rows.clone())
}

fn year(y: i32, vals: [&str; 7]) -> Vec<V> {
    let mut r = vec![V::N(f64::from(y))];
    r.extend(vals.iter().map(|v| V::S((*v).to_string())));
    r
}

/// KOV: 2024 and 2025 (values in several accepted forms); TN: 2025 only;
/// GSN: no sheet; MKN: 2025 with a value over 100 and a word.
fn populate(ws: &Workspace, with_maturity: bool) {
    let kov = dimios(vec![
        year(2024, ["40", "40", "40", "40", "40", "40", "40"]),
        year(2025, ["50 %", "0,45", "55", "50", "50", "50", "50"]),
    ]);
    let tn = dimios(vec![year(2025, ["30", "30", "30", "30", "30", "30", "30"])]);
    let mkn = dimios(vec![year(
        2025,
        ["145", "mycket", "60", "60", "60", "60", "60"],
    )]);
    type Edit<'a> = Option<&'a dyn Fn(Book) -> Book>;
    let books: Vec<(&str, Edit)> = vec![
        ("KOV", Some(&kov)),
        ("TN", Some(&tn)),
        ("GSN", None),
        ("MKN", Some(&mkn)),
    ];
    for (org, f) in books {
        let mut b = valid_verksamhet(org, "2026");
        if with_maturity {
            if let Some(f) = f {
                b = f(b);
            }
        }
        b.save(ws.inputs().join(format!("{org}.xlsx")));
    }
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn at(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
        Some(Data::Float(f)) => f.to_string(),
        Some(d) => d.to_string(),
        None => String::new(),
    }
}

fn rows_with(r: &Range<Data>, col: u32, v: &str) -> Vec<u32> {
    (0..=r.end().map_or(0, |e| e.0))
        .filter(|&i| at(r, i, col) == v)
        .collect()
}

fn run(ws: &Workspace) -> std::path::PathBuf {
    let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    ws.run_folders().pop().unwrap()
}

#[test]
fn maturity_sheet_manifest_and_no_effect_on_rules() {
    let ws = Workspace::new();
    populate(&ws, true);
    let folder = run(&ws);
    let dm = sheet(&folder.join("uppsikt-rapport.xlsx"), "Digital mognad");
    assert_eq!(at(&dm, 0, 0), "Organisation");
    assert_eq!(at(&dm, 0, 2), "År");

    // KOV: latest 2025, Totalt 50 (written "50 %"), Effektivitet 45
    // (written "0,45"), change since 2024: +10 and +5.
    let kov = rows_with(&dm, 0, "KOV")[0];
    assert_eq!(at(&dm, kov, 2), "2025");
    assert_eq!(at(&dm, kov, 3), "50");
    assert_eq!(at(&dm, kov, 4), "45");
    assert_eq!(at(&dm, kov, 10), "2024");
    assert_eq!(at(&dm, kov, 11), "10");
    assert_eq!(at(&dm, kov, 12), "5");
    // TN: one year, no change.
    let tn = rows_with(&dm, 0, "TN")[0];
    assert_eq!(at(&dm, tn, 2), "2025");
    assert_eq!(at(&dm, tn, 10), "");
    // MKN: the malformed values are missing, the rest read.
    let mkn = rows_with(&dm, 0, "MKN")[0];
    assert_eq!(at(&dm, mkn, 3), "");
    assert_eq!(at(&dm, mkn, 4), "");
    assert_eq!(at(&dm, mkn, 5), "60");

    // City means per year: 2024 only KOV (40); 2025 Totalt mean of KOV 50
    // and TN 30 (MKN's Totalt is missing) = 40; Innovation (55+30+60)/3 = 48,3.
    let means = rows_with(&dm, 0, "År")[0];
    assert_eq!(at(&dm, means + 1, 0), "2024");
    assert_eq!(at(&dm, means + 1, 2), "40");
    assert_eq!(at(&dm, means + 2, 0), "2025");
    assert_eq!(at(&dm, means + 2, 1), "3");
    assert_eq!(at(&dm, means + 2, 2), "40");
    assert_eq!(at(&dm, means + 2, 4), "48.3");

    // GSN has no measurement for 2025 and is listed; KOV is not (its
    // second row is in the trend below).
    assert_eq!(rows_with(&dm, 0, "GSN").len(), 1);
    assert_eq!(rows_with(&dm, 0, "KOV").len(), 2);

    // The trend in the Historik layout: a row per organisation with a
    // measurement, a column per year, Totalt in each cell.
    let trend = *rows_with(&dm, 0, "Organisation").last().unwrap();
    assert_eq!([2, 3, 4].map(|c| at(&dm, trend, c)), ["2024", "2025", ""]);
    let trend_rows: Vec<[String; 3]> = (trend + 1..trend + 5)
        .map(|r| [0, 2, 3].map(|c| at(&dm, r, c)))
        .collect();
    assert_eq!(
        trend_rows,
        [
            ["KOV", "40", "50"],
            ["TN", "", "30"],
            ["MKN", "", ""],
            ["", "", ""],
        ]
        .map(|r| r.map(String::from))
    );

    // The malformed cells are warnings with their cells.
    let w = sheet(&folder.join("uppsikt-rapport.xlsx"), "Inläsningsvarningar");
    let mkn_warnings: Vec<(String, String)> = (1..=w.end().unwrap().0)
        .filter(|&r| at(&w, r, 0) == "MKN.xlsx" && at(&w, r, 1) == "Digital mognad")
        .map(|r| (at(&w, r, 2), at(&w, r, 3)))
        .collect();
    assert_eq!(
        mkn_warnings,
        vec![
            ("B2".to_string(), "145".to_string()),
            ("C2".to_string(), "mycket".to_string())
        ]
    );

    // The manifest carries the same figures for other tools.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    let m = &manifest["digital_mognad"];
    assert_eq!(m["forvantat_ar"], 2025);
    let kov_m = m["per_organisation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["organisation"] == "KOV")
        .unwrap();
    assert_eq!(kov_m["ar"], 2025);
    assert_eq!(kov_m["forandring"][0], 10.0);
    assert!(m["utan_matning"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e[0] == "GSN"));

    // No rule status depends on the sheet: the same inputs without it give
    // the same resultat.jsonl.
    let without = Workspace::new();
    populate(&without, false);
    let folder2 = run(&without);
    assert_eq!(
        std::fs::read_to_string(folder.join("resultat.jsonl")).unwrap(),
        std::fs::read_to_string(folder2.join("resultat.jsonl")).unwrap()
    );
}
