//! Ingestion through the real binary: real workbook files in a temporary
//! shared folder, `check --format json` for the input log (input contract,
//! sections 1, 3 and 7).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::common::fixture::{d, valid_verksamhet, Book, E, V};
use crate::common::{entry, results, stderr, zip_of, Workspace};
use crate::row;

const PER: &str = "2026-06-30";

const SYSTEM_HEADERS: &[&str] = &[
    "System",
    "Typ",
    "Tjänst-id",
    "Skyddsbehov",
    "Uppnådd säkerhetsnivå",
    "Senaste riskbedömning",
    "Personuppgifter",
    "Personuppgiftsbiträde",
    "Instruktion till biträde",
    "Systemägare",
];

const MSG_DATE: &str = "ett datum, t.ex. 2026-03-15, 15/3/2026, 15.3.2026 eller 15 mars 2026";
const MSG_LEVEL: &str = "1–4 eller Grund/Förhöjd/Hög/Mycket hög";

/// Run `check --format json`; the exit code and the parsed input log.
fn check(ws: &Workspace) -> (i32, Value) {
    let o = ws
        .cmd(&["check", "--format", "json", "--per", PER])
        .output();
    let code = o.status.code().unwrap_or(-1);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "the binary panicked:\n{err}");
    let j: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "check did not print JSON ({e}); exit {code}\nstdout:\n{}\nstderr:\n{err}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    (code, j)
}

fn status<'a>(j: &'a Value, path: &str) -> &'a str {
    entry(j, path)["status"].as_str().expect("status")
}

fn warnings<'a>(j: &'a Value, path: &str) -> &'a Vec<Value> {
    entry(j, path)["varningar"].as_array().expect("varningar")
}

/// The one warning at this sheet and cell.
fn warning_at<'a>(j: &'a Value, path: &str, sheet: &str, cell: &str) -> &'a Value {
    let hits: Vec<_> = warnings(j, path)
        .iter()
        .filter(|w| w["blad"] == sheet && w["cell"] == cell)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one warning at {sheet}!{cell} in {path}:\n{:#}",
        entry(j, path)
    );
    hits[0]
}

fn assert_no_warnings(j: &Value, path: &str) {
    assert!(
        warnings(j, path).is_empty(),
        "unexpected warnings in {path}:\n{:#}",
        entry(j, path)["varningar"]
    );
}

fn assert_status(j: &Value, path: &str, want: &str) {
    assert_eq!(status(j, path), want, "{:#}", entry(j, path));
}

fn system_row(name: &str) -> Vec<V> {
    row![
        name,
        "Verksamhetsspecifik",
        E,
        2,
        2,
        d(2026, 2, 1),
        "Ja",
        "Nej",
        E,
        "Ägare"
    ]
}

// ---------------------------------------------------------------------------
// Tables: header search, position, column order, names, blank rows
// ---------------------------------------------------------------------------

#[test]
fn header_row_found_below_title_rows_with_blank_rows_skipped() {
    let ws = Workspace::new();
    let mut bad = system_row("Diariet");
    bad[5] = "igår".into();
    valid_verksamhet("KOV", "2026")
        .clear_sheet("System")
        .table_at(
            "System",
            "A1",
            &[
                "Exempeldata – fiktiv",
                "Fyll i ett system per rad. Skyddsbehov anges 1–4.",
                "",
                "",
            ],
            SYSTEM_HEADERS,
            vec![
                system_row("Ekonomi"),
                vec![],
                vec![],
                system_row("HR"),
                vec![],
                bad,
            ],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    assert_status(&j, "kov.xlsx", "inläst");
    // Titles in rows 1–4, header in row 5, data rows 6, 9 and 11.
    let w = warning_at(&j, "kov.xlsx", "System", "F11");
    assert_eq!(w["hittat"], "igår");
    assert_eq!(warnings(&j, "kov.xlsx").len(), 1, "{j:#}");
}

#[test]
fn optional_columns_may_be_left_out_and_are_read_when_present() {
    let ws = Workspace::new();
    // Without Risk accepterad (System) or the benefit columns
    // (Förändringsinsatser), and a Leverantör workbook without Årlig
    // analys: read, with no warning.
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    Book::leverantor("IS", "2026")
        .sheet_table(
            "Uppföljningsrapport",
            &[
                "År",
                "Presenterad för SSG",
                "Presenterad för verksamheterna",
                "Följsamhet beskriven",
                "Störningar och konsekvensanalys",
                "Diarienummer",
            ],
            vec![row![
                2025,
                d(2026, 3, 20),
                d(2026, 3, 25),
                "Ja",
                "Ja",
                "IS-1"
            ]],
        )
        .save(ws.inputs().join("is.xlsx"));
    // With them: an unreadable Risk accepterad is a warning at its cell
    // (K2), like any date; the Årlig analys sheet is read.
    let headers = [SYSTEM_HEADERS, &["Risk accepterad"]].concat();
    let mut late = system_row("Larm");
    late.push("snart".into());
    valid_verksamhet("TN", "2026")
        .clear_sheet("System")
        .sheet_table("System", &headers, vec![late])
        .save(ws.inputs().join("tn.xlsx"));
    Book::leverantor("DMS", "2026")
        .sheet_table(
            "Årlig analys",
            &["År", "Inlämnad till SSG", "Säkerhetsnivå per tjänst"],
            vec![row![2025, d(2025, 10, 28), "Kanske"]],
        )
        .save(ws.inputs().join("dms.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    for p in ["kov.xlsx", "is.xlsx", "tn.xlsx", "dms.xlsx"] {
        assert_status(&j, p, "inläst");
    }
    assert_no_warnings(&j, "kov.xlsx");
    assert_no_warnings(&j, "is.xlsx");
    let w = warning_at(&j, "tn.xlsx", "System", "K2");
    assert_eq!(w["hittat"], "snart");
    assert_eq!(warnings(&j, "tn.xlsx").len(), 1, "{j:#}");
    // Årlig analys: its missing ordinary columns warn (they are not
    // optional), and its Ja/Nej cell is read like any other.
    let w = warning_at(&j, "dms.xlsx", "Årlig analys", "C2");
    assert_eq!(w["hittat"], "Kanske");
    assert!(
        warnings(&j, "dms.xlsx").iter().any(|w| w["meddelande"]
            .as_str()
            .unwrap_or("")
            .contains("Satsningar analyserade")),
        "{j:#}"
    );
}

#[test]
fn table_at_c5_reports_true_a1_cells() {
    let ws = Workspace::new();
    let mut bad = system_row("Diariet");
    bad[5] = "31/2/2026".into(); // Senaste riskbedömning: column C+5 = H
    bad[3] = "Hög?".into(); // Skyddsbehov: column F
    bad[6] = "Kanske".into(); // Personuppgifter: column I
    valid_verksamhet("KOV", "2026")
        .clear_sheet("System")
        .cell("System", "A1", "Exempeldata – fiktiv")
        .table_at(
            "System",
            "C5",
            &[],
            SYSTEM_HEADERS,
            vec![system_row("Ekonomi"), bad],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0);
    let p = "kov.xlsx";
    let w = warning_at(&j, p, "System", "H7");
    assert_eq!(w["fil"], p);
    assert_eq!(w["hittat"], "31/2/2026");
    assert_eq!(w["forvantat"], MSG_DATE);
    assert_eq!(
        w["meddelande"],
        format!("Senaste riskbedömning: \"31/2/2026\" är inget datum ({MSG_DATE})")
    );
    let w = warning_at(&j, p, "System", "F7");
    assert_eq!(
        w["meddelande"],
        format!("Skyddsbehov: \"Hög?\" är ingen säkerhetsnivå ({MSG_LEVEL})")
    );
    assert_eq!(w["hittat"], "Hög?");
    let w = warning_at(&j, p, "System", "I7");
    assert_eq!(
        w["meddelande"],
        "Personuppgifter: \"Kanske\" är inte Ja eller Nej (Ja eller Nej)"
    );
    assert_eq!(w["forvantat"], "Ja eller Nej");
    assert_eq!(warnings(&j, p).len(), 3, "{j:#}");
}

#[test]
fn column_order_is_free_names_normalised_aliases_and_extra_columns_ignored() {
    let ws = Workspace::new();
    // Shuffled, odd spellings, aliases and an unknown column.
    let headers = [
        "  SYSTEMÄGARE: ",
        "Anteckning",
        "Krav på  säkerhetsnivå",
        "system*",
        "uppnådd_säkerhetsnivå",
        "Tjänste-id",
        "Senaste   riskbedömning",
        "typ",
        "INSTRUKTION TILL BITRÄDE",
        "Personuppgiftsbiträde",
        "Personuppgifter",
    ];
    let rows = vec![
        row![
            "Anna",
            "fritt",
            "Hög",
            "Lönesystem",
            "3 - Hög",
            "is-hr",
            d(2026, 1, 10),
            "Gemensam tjänst",
            "J",
            "Ja",
            "X"
        ],
        row![
            "Bo",
            "fritt",
            2,
            "Ärenden",
            "Nivå 2",
            E,
            "2026-01-10",
            "verksamhetsspecifik",
            "Nej",
            "N",
            "ja"
        ],
        row![
            "Cia",
            E,
            "Förhöjd",
            "Karta",
            "oklar",
            E,
            "10 jan 2026",
            "Verksamhetsspecifik",
            E,
            "Nej",
            "Nej"
        ],
    ];
    valid_verksamhet("KOV", "2026")
        .clear_sheet("System")
        .table_at("System", "B3", &["Systemförteckning"], &headers, rows)
        .save(ws.inputs().join("kov.xlsx"));
    let (_, j) = check(&ws);
    assert_status(&j, "kov.xlsx", "inläst");
    // Header in row 4 from column B; "oklar" stands in Uppnådd (column F) of row 7.
    let w = warning_at(&j, "kov.xlsx", "System", "F7");
    assert!(
        w["meddelande"]
            .as_str()
            .unwrap()
            .starts_with("Uppnådd säkerhetsnivå: \"oklar\""),
        "{w:#}"
    );
    // No "Kolumnen … saknas" warnings: every column was recognised.
    assert_eq!(warnings(&j, "kov.xlsx").len(), 1, "{j:#}");
}

#[test]
fn a_missing_column_is_one_warning_and_a_tjanst_id_alias_works() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026")
        .sheet_table(
            "Tjänster",
            &["TjänstID", "Tjänst", "Används"],
            vec![row!["is-hr", "HR-stöd", "Ja"]],
        )
        .sheet_table(
            "Avsteg",
            &[
                "Avstegs-id",
                "Tjänste-id",
                "Motivering",
                "Strategiska samordningsgruppen informerad",
            ],
            vec![row![
                "a1",
                "IS-EK",
                "Egen ekonomifunktion enligt bolagsordningen sedan 2019.",
                "15 mars 2026"
            ]],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (_, j) = check(&ws);
    assert_status(&j, "kov.xlsx", "inläst");
    let w = warnings(&j, "kov.xlsx");
    // Tjänster lacks Kommentar, Avsteg lacks six columns: one warning each, at the header row.
    let missing: Vec<_> = w
        .iter()
        .filter(|w| {
            w["meddelande"]
                .as_str()
                .unwrap()
                .contains("saknas i rubrikraden")
        })
        .collect();
    assert_eq!(missing.len(), 1 + 6, "{w:#?}");
    assert!(missing.iter().any(|w| w["blad"] == "Tjänster"
        && w["meddelande"]
            == "Kolumnen \"Kommentar\" saknas i rubrikraden; dess värden räknas som saknade"
        && w["cell"] == "A1"));
    assert_eq!(w.len(), missing.len(), "{w:#?}");
}

#[test]
fn sheet_names_match_like_headers_and_missing_optional_sheets_are_no_error() {
    let ws = Workspace::new();
    Book::new()
        .key_values(
            " inlämning ",
            &[
                ("TYP:", "verksamhet".into()),
                ("Organisations id", " kov ".into()),
                ("period", 2026.into()),
                ("Inlämnad*", "2 mars 2026".into()),
            ],
        )
        .table_at(
            "SYSTEM",
            "A2",
            &[],
            SYSTEM_HEADERS,
            vec![system_row("Ekonomi")],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0);
    let e = entry(&j, "kov.xlsx");
    assert_eq!(e["status"], "inläst", "{e:#}");
    assert_eq!(e["typ"], "Verksamhet");
    assert_eq!(e["organisation"], "KOV");
    assert_eq!(e["period"], "2026");
    assert_no_warnings(&j, "kov.xlsx");
}

#[test]
fn key_value_sheet_key_in_first_nonempty_column() {
    let ws = Workspace::new();
    Book::new()
        .cell("Inlämning", "A1", "Exempeldata – fiktiv")
        .cell("Inlämning", "B3", "Typ")
        .cell("Inlämning", "C3", "Verksamhet")
        .cell("Inlämning", "B4", "Organisations-id")
        .cell("Inlämning", "C4", "tn")
        .cell("Inlämning", "B5", "Period")
        .cell("Inlämning", "C5", "2026")
        .cell("Inlämning", "B6", "Inlämnad")
        .cell("Inlämning", "C6", "15/3/2026")
        .cell("Digitaliseringsplan", "B2", "Plan finns")
        .cell("Digitaliseringsplan", "C2", "kanske")
        .save(ws.inputs().join("tn.xlsx"));
    let (_, j) = check(&ws);
    let e = entry(&j, "tn.xlsx");
    assert_eq!(e["status"], "inläst", "{e:#}");
    assert_eq!(e["organisation"], "TN");
    let w = warning_at(&j, "tn.xlsx", "Digitaliseringsplan", "C2");
    assert_eq!(
        w["meddelande"],
        "Plan finns: \"kanske\" är inte Ja eller Nej (Ja eller Nej)"
    );
}

#[test]
fn merged_title_and_formula_cells() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026")
        .clear_sheet("Tjänster")
        .merge(
            "Tjänster",
            "A1",
            "D2",
            "Exempeldata – fiktiv: gemensamma tjänster",
        )
        .table_at(
            "Tjänster",
            "A4",
            &[],
            &["Tjänst-id", "Tjänst", "Används", "Kommentar"],
            vec![
                row!["IS-HR", "HR-stöd", V::F("=\"Ja\"".into(), "Ja".into()), E],
                row![
                    "IS-EK",
                    "Ekonomistöd",
                    V::F("=\"Kanske\"".into(), "Kanske".into()),
                    E
                ],
            ],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (_, j) = check(&ws);
    assert_status(&j, "kov.xlsx", "inläst");
    // The cached value of the formula is what is read.
    let w = warning_at(&j, "kov.xlsx", "Tjänster", "C6");
    assert_eq!(w["hittat"], "Kanske");
    assert_eq!(warnings(&j, "kov.xlsx").len(), 1, "{j:#}");
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

#[test]
fn every_accepted_value_form_reads_without_warnings() {
    let ws = Workspace::new();
    let yes = ["Ja", "J", "Yes", "Y", "X", "Sant", "True", "1", " ja "];
    let no = ["Nej", "N", "No", "Falskt", "False", "0", "nej"];
    let dates: Vec<V> = vec![
        d(2026, 3, 15),
        "2026-03-15".into(),
        "2026-03-15 10:30".into(),
        "2026-03-15T10:30:00".into(),
        "15/3/2026".into(),
        "15.3.2026".into(),
        "15 mars 2026".into(),
        "15 mar 2026".into(),
        "1 okt. 2025".into(),
        "3 December 2025".into(),
        "15/03/2026".into(),
        "2026-3-5".into(),
        "15 MARS 2026".into(),
        46096.into(),
    ];
    let levels: Vec<V> = vec![
        1.into(),
        "4".into(),
        "Grund".into(),
        "Förhöjd".into(),
        "hög".into(),
        "Mycket hög".into(),
        "1 - Grund".into(),
        "3 – Hög".into(),
        "2 (Förhöjd)".into(),
    ];
    let placeholders = ["-", "–", "n/a", "N/A", "saknas", "?", "   "];
    let mut rows = Vec::new();
    let n = yes
        .len()
        .max(no.len())
        .max(dates.len())
        .max(levels.len())
        .max(placeholders.len());
    for i in 0..n {
        let yes_v = yes.get(i).map(|s| V::from(*s)).unwrap_or(V::Blank);
        let no_v = no.get(i).map(|s| V::from(*s)).unwrap_or(V::Blank);
        let ph = placeholders.get(i).map(|s| V::from(*s)).unwrap_or(V::Blank);
        rows.push(vec![
            format!("System {i}").into(),
            "Verksamhetsspecifik".into(),
            ph.clone(),
            levels.get(i).cloned().unwrap_or(V::Blank),
            ph.clone(),
            dates.get(i).cloned().unwrap_or(V::Blank),
            yes_v,
            no_v,
            ph.clone(),
            ph,
        ]);
    }
    // Booleans as real cells and 1/0 as numbers.
    rows.push(row![
        "Bool",
        "Gemensam tjänst",
        "is-hr",
        1,
        1,
        d(2026, 1, 1),
        true,
        false,
        1,
        0
    ]);
    let amounts: Vec<V> = vec![
        "1 234,50 kr".into(),
        "1\u{a0}234 SEK".into(),
        "250 000".into(),
        "1.234,5".into(),
        99.5.into(),
        120000.into(),
        "-".into(),
        "n/a".into(),
    ];
    let insatser = amounts
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            row![
                format!("Insats {i}"),
                "Effektivitet",
                "intern",
                "J",
                "N",
                "pågående",
                E,
                a,
                "Ansvarig",
                "31 dec 2026"
            ]
        })
        .collect();
    valid_verksamhet("KOV", "2026")
        .sheet_table("System", SYSTEM_HEADERS, rows)
        .sheet_table(
            "Förändringsinsatser",
            &[
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
            ],
            insatser,
        )
        .key_values(
            "Digitaliseringsplan",
            &[
                ("Plan finns", "X".into()),
                ("Giltig från", "2026".into()),
                ("Giltig till", 2027.into()),
                ("Antal insatser", "3".into()),
            ],
        )
        .table_at(
            "Digital mognad",
            "A2",
            &[],
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
            vec![
                row![2024, 45, "45 %", "0,45", V::Pct(0.45), 50.5, "60%", 0],
                row!["2025", "52,5", 100, E, "-", "n/a", E, E],
            ],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    assert_status(&j, "kov.xlsx", "inläst");
    assert_no_warnings(&j, "kov.xlsx");
}

#[test]
fn unreadable_values_become_warnings_with_exact_messages() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026")
        .sheet_table(
            "Förändringsinsatser",
            &["Insats", "Budget", "Slutdatum", "Status", "Utvärderad"],
            vec![
                row!["A", "mycket", "2026", "Klar", "Kanske"],
                row!["B", "100 kr", "31/13/2026", "Planerad", "Ja"],
            ],
        )
        .table_at(
            "Digital mognad",
            "A1",
            &[],
            &["År", "Totalt"],
            vec![row![2025, "145"]],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    let p = "kov.xlsx";
    let s = "Förändringsinsatser";
    assert_eq!(
        warning_at(&j, p, s, "B2")["meddelande"],
        "Budget: \"mycket\" är inget belopp (ett belopp i kronor, t.ex. 1 234,50 kr)"
    );
    // A year alone is not a date where the column says "date".
    assert_eq!(
        warning_at(&j, p, s, "C2")["meddelande"],
        format!("Slutdatum: \"2026\" är inget datum ({MSG_DATE})")
    );
    assert_eq!(
        warning_at(&j, p, s, "D2")["meddelande"],
        "Status: \"Klar\" är inget giltigt värde (Planerad, Pågående, Avslutad)"
    );
    assert_eq!(
        warning_at(&j, p, s, "E2")["meddelande"],
        "Utvärderad: \"Kanske\" är inte Ja eller Nej (Ja eller Nej)"
    );
    assert_eq!(warning_at(&j, p, s, "C3")["hittat"], "31/13/2026");
    assert!(warning_at(&j, p, "Digital mognad", "B2")["meddelande"]
        .as_str()
        .unwrap()
        .starts_with("Totalt: \"145\" ligger utanför 0–100 %"));
    // Plus one "Kolumnen … saknas" per absent column of Förändringsinsatser (5) and Digital mognad (6).
    let missing = warnings(&j, p)
        .iter()
        .filter(|w| {
            w["meddelande"]
                .as_str()
                .unwrap()
                .contains("saknas i rubrikraden")
        })
        .count();
    assert_eq!(missing, 11);
    assert_eq!(warnings(&j, p).len(), 6 + 11, "{j:#}");
}

// ---------------------------------------------------------------------------
// Classification (section 3)
// ---------------------------------------------------------------------------

#[test]
fn classification_faults_are_fel_with_swedish_reasons() {
    let ws = Workspace::new();
    let i = ws.inputs();
    Book::new()
        .sheet_table("System", SYSTEM_HEADERS, vec![system_row("Ekonomi")])
        .save(i.join("utan-inlamning.xlsx"));
    Book::inlamning("Årsrapport", "KOV", "2026").save(i.join("okand-typ.xlsx"));
    Book::verksamhet("XYZ", "2026").save(i.join("okant-id.xlsx"));
    Book::verksamhet("KOV", "2026")
        .remove_kv("Inlämning", "Organisations-id")
        .kv(
            "Inlämning",
            "Organisation",
            "Kretslopp och vattenförvaltningen",
        )
        .save(i.join("okant-namn.xlsx"));
    Book::verksamhet("KOV", "2026")
        .remove_kv("Inlämning", "Organisations-id")
        .save(i.join("utan-avsandare.xlsx"));
    Book::verksamhet("KOV", "våren 2026").save(i.join("fel-period.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 3, "a file in fel gives exit code 3");
    for p in [
        "utan-inlamning.xlsx",
        "okand-typ.xlsx",
        "okant-id.xlsx",
        "okant-namn.xlsx",
        "utan-avsandare.xlsx",
        "fel-period.xlsx",
    ] {
        assert_status(&j, p, "fel");
        assert!(!entry(&j, p)["orsak"].as_str().unwrap().is_empty());
    }
    let orsak = |p| entry(&j, p)["orsak"].as_str().unwrap().to_string();
    assert!(orsak("utan-inlamning.xlsx").starts_with("Arbetsboken saknar bladet Inlämning"));
    assert_eq!(
        orsak("okand-typ.xlsx"),
        "Okänd Typ \"Årsrapport\" (bladet Inlämning, cell B1); ange Verksamhet, Leverantör eller Tjänstekatalog."
    );
    assert_eq!(
        orsak("okant-id.xlsx"),
        "Organisations-id \"XYZ\" (bladet Inlämning, cell B2) finns inte i registret över organisationer."
    );
    assert_eq!(entry(&j, "okant-id.xlsx")["typ"], "Verksamhet");
    assert!(orsak("okant-namn.xlsx").contains("matchar ingen organisation i registret"));
    assert!(orsak("utan-avsandare.xlsx").contains("Organisations-id och Organisation saknas"));
    assert_eq!(entry(&j, "fel-period.xlsx")["organisation"], "KOV");
}

#[test]
fn a_rejected_file_is_attributed_to_the_organisation_its_path_names() {
    let ws = Workspace::new();
    let i = ws.inputs();
    std::fs::create_dir_all(i.join("nämnder/kov")).unwrap();
    std::fs::create_dir_all(i.join("lev/Intraservice")).unwrap();
    // A corrupt file in the organisation's folder.
    std::fs::write(i.join("nämnder/kov/uppföljning.xlsx"), b"inte en arbetsbok").unwrap();
    // No Inlämning sheet; the id is in the file name.
    Book::new()
        .sheet_table("System", SYSTEM_HEADERS, vec![system_row("Ekonomi")])
        .save(i.join("GSN digital uppföljning 2026.xlsx"));
    // No sender in the sheet; the alias is the folder's name.
    Book::verksamhet("IS", "2026")
        .remove_kv("Inlämning", "Organisations-id")
        .save(i.join("lev/Intraservice/rapport.xlsx"));
    // A corrupt file whose path names nobody stays unattributed.
    std::fs::write(i.join("trasig.xlsx"), b"inte en arbetsbok").unwrap();
    // A file that is read counts by its sheet, whatever its name says.
    Book::verksamhet("TN", "2026").save(i.join("KOV kopia.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 3, "{j:#}");
    for (p, org) in [
        ("nämnder/kov/uppföljning.xlsx", "KOV"),
        ("GSN digital uppföljning 2026.xlsx", "GSN"),
        ("lev/Intraservice/rapport.xlsx", "IS"),
    ] {
        assert_status(&j, p, "fel");
        assert_eq!(entry(&j, p)["organisation"], org, "{p}");
    }
    assert_status(&j, "trasig.xlsx", "fel");
    assert!(entry(&j, "trasig.xlsx")["organisation"].is_null(), "{j:#}");
    assert_status(&j, "KOV kopia.xlsx", "inläst");
    assert_eq!(entry(&j, "KOV kopia.xlsx")["organisation"], "TN");
}

#[test]
fn name_only_matches_register_name_or_alias() {
    let ws = Workspace::new();
    let i = ws.inputs();
    Book::verksamhet("KOV", "2026")
        .remove_kv("Inlämning", "Organisations-id")
        .kv("Inlämning", "Organisation", "  kretslopp OCH  vatten ")
        .save(i.join("alias.xlsx"));
    Book::leverantor("IS", "2026")
        .remove_kv("Inlämning", "Organisations-id")
        .kv("Inlämning", "Organisation", "Nämnden för Intraservice")
        .save(i.join("namn.xlsx"));
    Book::tjanstekatalog("X", "2026")
        .kv("Inlämning", "Organisations-id", E)
        .kv("Inlämning", "Organisation", "Göteborgs Energi AB")
        .save(i.join("tomt-id.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    assert_eq!(entry(&j, "alias.xlsx")["organisation"], "KOV");
    assert_eq!(entry(&j, "namn.xlsx")["organisation"], "IS");
    assert_eq!(entry(&j, "namn.xlsx")["typ"], "Leverantör");
    assert_eq!(entry(&j, "tomt-id.xlsx")["organisation"], "GEAB");
    assert_eq!(entry(&j, "tomt-id.xlsx")["typ"], "Tjänstekatalog");
    for p in ["alias.xlsx", "namn.xlsx", "tomt-id.xlsx"] {
        assert_status(&j, p, "inläst");
    }
}

#[test]
fn duplicates_latest_inlamnad_wins_and_the_other_is_ersatt() {
    let ws = Workspace::new();
    let i = ws.inputs();
    valid_verksamhet("KOV", "2026")
        .kv("Inlämning", "Inlämnad", "10 april 2026")
        .save(i.join("a/kov-ny.xlsx"));
    valid_verksamhet("KOV", "2026")
        .kv("Inlämning", "Inlämnad", d(2026, 3, 1))
        .save(i.join("b/kov-gammal.xlsx"));
    // Another Typ from the same organisation is no duplicate.
    Book::leverantor("KOV", "2026").save(i.join("b/kov-lev.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0);
    assert_status(&j, "a/kov-ny.xlsx", "inläst");
    assert_status(&j, "b/kov-lev.xlsx", "inläst");
    let e = entry(&j, "b/kov-gammal.xlsx");
    assert_eq!(e["status"], "ersatt", "{e:#}");
    assert!(
        e["orsak"].as_str().unwrap().contains("a/kov-ny.xlsx"),
        "{e:#}"
    );
}

#[test]
fn duplicates_tie_on_inlamnad_broken_by_modification_time() {
    let ws = Workspace::new();
    let i = ws.inputs();
    let book = valid_verksamhet("GSN", "2026");
    book.save(i.join("z-forst.xlsx"));
    book.save(i.join("a-sist.xlsx"));
    let now = SystemTime::now();
    set_mtime(&i.join("z-forst.xlsx"), now - Duration::from_secs(7200));
    set_mtime(&i.join("a-sist.xlsx"), now - Duration::from_secs(3600));
    let (_, j) = check(&ws);
    assert_status(&j, "a-sist.xlsx", "inläst");
    assert_status(&j, "z-forst.xlsx", "ersatt");
    assert!(entry(&j, "z-forst.xlsx")["orsak"]
        .as_str()
        .unwrap()
        .contains("a-sist.xlsx"));
}

#[test]
fn dates_in_the_1904_date_system_are_read_as_written() {
    // Which of two duplicates wins depends only on Inlämnad, so this shows
    // how the 1904 date cell was read: 2026-03-25 (right) beats 2026-03-20;
    // read with the 1900 epoch the same serial would be 2022-03-24 and lose.
    let ws = Workspace::new();
    let i = ws.inputs();
    valid_verksamhet("KOV", "2026")
        .kv("Inlämning", "Inlämnad", d(2026, 3, 20))
        .save(i.join("kov-1900.xlsx"));
    valid_verksamhet("KOV", "2026")
        .kv("Inlämning", "Inlämnad", d(2026, 3, 25))
        .date1904()
        .save(i.join("kov-1904.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    assert_no_warnings(&j, "kov-1904.xlsx");
    assert_status(&j, "kov-1904.xlsx", "inläst");
    assert_status(&j, "kov-1900.xlsx", "ersatt");
}

#[test]
fn another_period_is_annan_period() {
    let ws = Workspace::new();
    let i = ws.inputs();
    valid_verksamhet("UBN", "2025").save(i.join("ubn-2025.xlsx"));
    valid_verksamhet("UBN", "2026").save(i.join("ubn-2026.xlsx"));
    valid_verksamhet("MKN", "2026-T1").save(i.join("mkn-t1.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 0);
    let e = entry(&j, "ubn-2025.xlsx");
    assert_eq!(e["status"], "annan period", "{e:#}");
    assert_eq!(e["period"], "2025");
    assert!(e["orsak"].as_str().unwrap().contains("2025"));
    assert_status(&j, "ubn-2026.xlsx", "inläst");
    // A tertial of the year belongs to the annual run.
    assert_status(&j, "mkn-t1.xlsx", "inläst");
    // The other period's file is no duplicate of this period's.
    assert_eq!(j["antal"]["ersatt"], 0);
}

// ---------------------------------------------------------------------------
// Whole-file faults and skipped files (sections 1 and 7)
// ---------------------------------------------------------------------------

/// Every file below `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p.clone());
                out.insert(p, (Vec::new(), m.modified().unwrap()));
            } else {
                out.insert(
                    p.clone(),
                    (std::fs::read(&p).unwrap(), m.modified().unwrap()),
                );
            }
        }
    }
    out
}

fn set_mtime(p: &Path, t: SystemTime) {
    let f = std::fs::OpenOptions::new().append(true).open(p).unwrap();
    f.set_modified(t).unwrap();
}

/// A minimal CFB (OLE2) container whose directory names the stream
/// "EncryptedPackage": what a password-protected xlsx is on disk.
fn fake_encrypted_ooxml() -> Vec<u8> {
    let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    b.resize(512, 0);
    for name in ["EncryptionInfo", "EncryptedPackage"] {
        let mut entry: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        entry.resize(128, 0);
        b.extend(entry);
    }
    b.resize(2048, 0);
    b
}

#[test]
fn a_folder_of_broken_files_is_reported_and_left_untouched() {
    let ws = Workspace::new();
    let i = ws.inputs().join("inkorg");
    std::fs::create_dir_all(&i).unwrap();
    let good = valid_verksamhet("KOV", "2026");
    good.save(i.join("giltig.xlsx"));
    let bytes = good.to_bytes();
    std::fs::write(i.join("avbruten.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(i.join("krypterad.xlsx"), fake_encrypted_ooxml()).unwrap();
    std::fs::copy(
        crate::common::repo().join("tests/fixtures/krypterad.xlsx"),
        i.join("krypterad-på-riktigt.xlsx"),
    )
    .unwrap();
    std::fs::write(
        i.join("brev.docx"),
        "Det här är ett brev, inget kalkylark.\n",
    )
    .unwrap();
    std::fs::write(
        i.join("~$giltig.xlsx"),
        b"\x08Anna A. \x00\x00\x00 owner file",
    )
    .unwrap();
    std::fs::write(i.join(".~lock.giltig.xlsx#"), "Anna,host,2026\n").unwrap();
    std::fs::write(i.join("text.xlsx"), "System;Skyddsbehov\nEkonomi;3\n").unwrap();
    std::fs::write(i.join("tom.xlsx"), b"").unwrap();
    std::fs::write(i.join("kopia.tmp"), b"x").unwrap();
    std::fs::write(i.join(".dold.xlsx"), good.to_bytes()).unwrap();
    // A zip that is no workbook.
    std::fs::write(i.join("arkiv.xlsx"), zip_of(&[("readme.txt", b"hej")])).unwrap();
    // Settle: the files must be older than "now" for a stable comparison.
    let old = SystemTime::now() - Duration::from_secs(600);
    for e in std::fs::read_dir(&i).unwrap().flatten() {
        set_mtime(&e.path(), old);
    }
    let before = snapshot(&ws.inputs());

    let (code, j) = check(&ws);
    assert_eq!(code, 3, "{j:#}");
    assert_status(&j, "inkorg/giltig.xlsx", "inläst");
    for p in [
        "avbruten",
        "krypterad",
        "krypterad-på-riktigt",
        "text",
        "tom",
        "arkiv",
    ] {
        assert_status(&j, &format!("inkorg/{p}.xlsx"), "fel");
    }
    for p in [
        "brev.docx",
        "~$giltig.xlsx",
        ".~lock.giltig.xlsx#",
        "kopia.tmp",
        ".dold.xlsx",
    ] {
        assert_status(&j, &format!("inkorg/{p}"), "ignorerad");
    }
    let orsak = |p: &str| entry(&j, p)["orsak"].as_str().unwrap().to_string();
    assert!(orsak("inkorg/avbruten.xlsx").contains("skadad eller ofullständig"));
    for p in ["inkorg/krypterad.xlsx", "inkorg/krypterad-på-riktigt.xlsx"] {
        assert!(orsak(p).contains("lösenordsskyddad"), "{}", orsak(p));
    }
    assert!(orsak("inkorg/text.xlsx").contains("inget kalkylark"));
    assert!(orsak("inkorg/arkiv.xlsx").contains("inget kalkylark"));
    assert!(orsak("inkorg/brev.docx").contains(".docx"));
    assert!(orsak("inkorg/~$giltig.xlsx").contains("Låsfil från Office"));
    assert_eq!(j["filer"].as_array().unwrap().len(), 12);

    // A full run over the same folder writes nothing there either.
    let o = ws.cmd(&["run", "--per", PER]).output();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_ne!(o.status.code(), Some(101));
    assert!(
        snapshot(&ws.inputs()) == before,
        "the shared folder changed"
    );
}

#[test]
fn a_cell_in_xfd1048576_ends_as_one_line_quickly() {
    let ws = Workspace::new();
    let i = ws.inputs();
    // In a contract sheet: the sheet is too large (row cap), one fel line.
    valid_verksamhet("KOV", "2026")
        .cell("System", "XFD1048576", "slut")
        .save(i.join("vid.xlsx"));
    // In a sheet the contract does not know: never read, the file is read.
    valid_verksamhet("TN", "2026")
        .cell("Blad1", "A1", "början")
        .cell("Blad1", "XFD1048576", "slut")
        .save(i.join("vid-okant-blad.xlsx"));
    // Only those two cells, no Inlämning.
    Book::new()
        .cell("Inlämning", "A1", "Typ")
        .cell("Inlämning", "XFD1048576", "Verksamhet")
        .save(i.join("bara-hörn.xlsx"));
    let t = Instant::now();
    let (code, j) = check(&ws);
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(code, 3);
    assert_eq!(j["filer"].as_array().unwrap().len(), 3);
    let e = entry(&j, "vid.xlsx");
    assert_eq!(e["status"], "fel", "{e:#}");
    assert!(e["orsak"].as_str().unwrap().contains("för stort"), "{e:#}");
    assert_status(&j, "vid-okant-blad.xlsx", "inläst");
    assert_status(&j, "bara-hörn.xlsx", "fel");
}

// ---------------------------------------------------------------------------
// Files saved by LibreOffice (tests/fixtures/)
// ---------------------------------------------------------------------------

/// The fixtures are LibreOffice conversions of `inputs/nämnder/mkn/…`
/// (a fictitious Miljö- och klimatnämnden Verksamhet workbook).
fn libreoffice_fixture(name: &str) {
    let ws = Workspace::new();
    std::fs::copy(
        crate::common::repo().join("tests/fixtures").join(name),
        ws.inputs().join(name),
    )
    .unwrap();
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    let e = entry(&j, name);
    assert_eq!(e["status"], "inläst", "{e:#}");
    assert_eq!(e["typ"], "Verksamhet");
    assert_eq!(e["organisation"], "MKN");
    assert_eq!(e["period"], "2026");
    // The one unreadable value of the source workbook survives the format.
    let w = warning_at(&j, name, "System", "F9");
    assert_eq!(w["hittat"], "i höstas");
    assert_eq!(
        w["meddelande"],
        format!("Senaste riskbedömning: \"i höstas\" är inget datum ({MSG_DATE})")
    );
    assert_eq!(warnings(&j, name).len(), 1, "{e:#}");
}

#[test]
fn ods_saved_by_libreoffice_is_read() {
    libreoffice_fixture("mkn-libreoffice.ods");
}

#[test]
fn xls_saved_by_libreoffice_is_read() {
    libreoffice_fixture("mkn-libreoffice.xls");
}

#[test]
fn xlsx_saved_by_libreoffice_is_read() {
    libreoffice_fixture("mkn-libreoffice.xlsx");
}

// ---------------------------------------------------------------------------
// The committed example data (inputs/, written by examples/gen_examples.rs)
// ---------------------------------------------------------------------------

#[test]
fn the_example_inputs_get_their_documented_statuses() {
    let ws = Workspace::new();
    crate::common::copy_dir(&crate::common::repo().join("inputs"), &ws.inputs());
    let o = ws
        .cmd(&["check", "--format", "json", "--per", "2026-11-26"])
        .output();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    let antal = &j["antal"];
    assert_eq!(antal["inläst"], 19, "{j:#}");
    assert_eq!(antal["ersatt"], 1);
    assert_eq!(antal["annan period"], 1);
    assert_eq!(antal["ignorerad"], 3);
    assert_eq!(antal["fel"], 0);
    assert_status(
        &j,
        "nämnder/gsn/GSN digital uppföljning 2026.xlsx",
        "ersatt",
    );
    assert_status(
        &j,
        "nämnder/ubn/arkiv/ubn-uppföljning-2025.xlsx",
        "annan period",
    );
    assert_status(
        &j,
        "nämnder/kov/~$Digitaliseringsuppföljning KOV 2026.xlsx",
        "ignorerad",
    );
    assert_status(&j, "nämnder/kov/Följebrev.docx", "ignorerad");
    assert_eq!(
        entry(&j, "nämnder/nfs/Funktionsstöd uppföljning.xlsx")["organisation"],
        "NFS"
    );
    let all: Vec<&Value> = j["filer"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["varningar"].as_array().unwrap())
        .collect();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["cell"], "F9");
    assert_eq!(all[0]["hittat"], "i höstas");
    // Every organisation but AVN submitted a Verksamhet workbook.
    let mut orgs: Vec<&str> = j["filer"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "inläst" && f["typ"] == "Verksamhet")
        .map(|f| f["organisation"].as_str().unwrap())
        .collect();
    orgs.sort_unstable();
    assert_eq!(
        orgs,
        [
            "AVON", "BRG", "DMS", "GEAB", "GHAB", "GSN", "IOU", "IS", "KOV", "MKN", "NFS", "TN",
            "UBN"
        ]
    );
}

// ---------------------------------------------------------------------------
// Format by content, settle time
// ---------------------------------------------------------------------------

#[test]
fn the_format_is_decided_by_content_and_extensions_are_case_insensitive() {
    let ws = Workspace::new();
    let i = ws.inputs();
    valid_verksamhet("KOV", "2026").save(i.join("kov.xlsm"));
    valid_verksamhet("TN", "2026").save(i.join("TN.XLSX"));
    // An xlsx that someone renamed to .xls is still read (as xlsx).
    valid_verksamhet("GSN", "2026").save(i.join("gsn-omdöpt.xls"));
    // An .ods name on xlsx content, and a tertial period in lower case.
    valid_verksamhet("UBN", "2026-t2").save(i.join("ubn.ods"));
    Book::verksamhet("MKN", "2026")
        .kv("Inlämning", "Typ", E)
        .save(i.join("utan-typ.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 3, "{j:#}");
    for (p, org) in [
        ("kov.xlsm", "KOV"),
        ("TN.XLSX", "TN"),
        ("gsn-omdöpt.xls", "GSN"),
        ("ubn.ods", "UBN"),
    ] {
        let e = entry(&j, p);
        assert_eq!(e["status"], "inläst", "{e:#}");
        assert_eq!(e["organisation"], org);
        assert_no_warnings(&j, p);
    }
    assert_eq!(entry(&j, "ubn.ods")["period"], "2026-T2");
    let e = entry(&j, "utan-typ.xlsx");
    assert_eq!(e["status"], "fel");
    assert!(
        e["orsak"]
            .as_str()
            .unwrap()
            .starts_with("Typ saknas i bladet Inlämning"),
        "{e:#}"
    );
}

#[test]
fn files_younger_than_the_settle_time_wait() {
    let ws = Workspace::new();
    let i = ws.inputs();
    valid_verksamhet("KOV", "2026").save(i.join("ny.xlsx"));
    valid_verksamhet("TN", "2026").save(i.join("gammal.xlsx"));
    valid_verksamhet("GSN", "2026").save(i.join("framtid.xlsx"));
    let now = SystemTime::now();
    set_mtime(&i.join("gammal.xlsx"), now - Duration::from_secs(7200));
    set_mtime(&i.join("framtid.xlsx"), now + Duration::from_secs(86_400));
    let before = snapshot(&i);
    // Not through Workspace::cmd, which always passes --vantetid 0.
    let o = std::process::Command::new(crate::common::bin())
        .args([
            "check",
            "--format",
            "json",
            "--per",
            PER,
            "--vantetid",
            "600",
        ])
        .arg("--konfiguration")
        .arg(ws.config())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_status(&j, "gammal.xlsx", "inläst");
    for p in ["ny.xlsx", "framtid.xlsx"] {
        let e = entry(&j, p);
        assert_eq!(e["status"], "väntar", "{e:#}");
        assert!(!e["orsak"].as_str().unwrap().is_empty());
        // Never half-read: no hash, no classification.
        assert!(e["typ"].is_null() && e["organisation"].is_null(), "{e:#}");
    }
    assert!(snapshot(&i) == before);
}

// ---------------------------------------------------------------------------
// Values as the rules see them (a full run; R08 and R11 read the levels and
// Ja/Nej values the ingester produced)
// ---------------------------------------------------------------------------

#[test]
fn level_and_ja_nej_forms_reach_the_rules_with_their_meaning() {
    let ws = Workspace::new();
    let sys = |name: &str, skydd: V, uppnadd: V, pu: V, bitr: V, instr: V| {
        row![
            name,
            "Verksamhetsspecifik",
            E,
            skydd,
            uppnadd,
            d(2026, 5, 1),
            pu,
            bitr,
            instr,
            "Ägare"
        ]
    };
    valid_verksamhet("KOV", "2026")
        .sheet_table(
            "System",
            SYSTEM_HEADERS,
            vec![
                sys(
                    "A",
                    "3 - Hög".into(),
                    "Förhöjd".into(),
                    "X".into(),
                    "J".into(),
                    "Nej".into(),
                ),
                sys(
                    "B",
                    "Grund".into(),
                    1.into(),
                    "Ja".into(),
                    "Yes".into(),
                    "sant".into(),
                ),
                sys("C", "Mycket hög".into(), "4".into(), "Nej".into(), E, E),
                sys(
                    "D",
                    "-".into(),
                    2.into(),
                    "1".into(),
                    "True".into(),
                    "n/a".into(),
                ),
                sys(
                    "E",
                    "2 (Förhöjd)".into(),
                    "1 - Grund".into(),
                    "N".into(),
                    "N".into(),
                    E,
                ),
            ],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let o = ws.cmd(&["run", "--per", PER]).output();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let res = results(&ws.run_folders().pop().expect("a run folder"));
    let status = |rule: &str, subject: &str| -> String {
        res.iter()
            .find(|r| r["organisation"] == "KOV" && r["regel"] == rule && r["objekt"] == subject)
            .map(|r| r["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {rule} result for {subject}: {res:#?}"))
    };
    // R08: Uppnådd säkerhetsnivå ≥ Skyddsbehov.
    assert_eq!(status("R08", "A"), "brist"); // 2 < 3
    assert_eq!(status("R08", "B"), "uppfyllt"); // 1 ≥ 1
    assert_eq!(status("R08", "C"), "uppfyllt"); // 4 ≥ 4
    assert_eq!(status("R08", "D"), "underlag saknas"); // "-" is missing, never 0
    assert_eq!(status("R08", "E"), "brist"); // 1 < 2
                                             // R11: Personuppgifter = Ja and Personuppgiftsbiträde = Ja → Instruktion = Ja.
    assert_eq!(status("R11", "A"), "brist"); // X, J, Nej
    assert_eq!(status("R11", "B"), "uppfyllt"); // Ja, Yes, sant
    assert_eq!(status("R11", "D"), "underlag saknas"); // 1, True, n/a
}

#[test]
fn limits_zip_bomb_and_oversized_file_are_fel() {
    use std::io::Write;
    let ws = Workspace::new();
    let i = ws.inputs();
    // A valid workbook plus a 40 MB run of zeros that packs to a few kB.
    let good = valid_verksamhet("KOV", "2026").to_bytes();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(good.as_slice())).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        for k in 0..zin.len() {
            let f = zin.by_index_raw(k).unwrap();
            z.raw_copy_file(f).unwrap();
        }
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/media/image1.bin", opts).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..40 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    std::fs::write(i.join("bomb.xlsx"), out.into_inner()).unwrap();
    // 51 MB (sparse) is over the default 50 MB limit; it is never opened.
    let f = std::fs::File::create(i.join("stor.xlsx")).unwrap();
    f.set_len(51 * 1024 * 1024).unwrap();
    drop(f);
    valid_verksamhet("TN", "2026").save(i.join("tn.xlsx"));
    let (code, j) = check(&ws);
    assert_eq!(code, 3, "{j:#}");
    let e = entry(&j, "bomb.xlsx");
    assert_eq!(e["status"], "fel", "{e:#}");
    assert!(e["orsak"].as_str().unwrap().contains("zip-bomb"), "{e:#}");
    let e = entry(&j, "stor.xlsx");
    assert_eq!(e["status"], "fel", "{e:#}");
    assert!(e["orsak"].as_str().unwrap().contains("för stor"), "{e:#}");
    assert_status(&j, "tn.xlsx", "inläst");
}

#[test]
fn a_title_that_equals_a_column_name_is_not_taken_for_the_header() {
    // The System sheet's only required column is "System"; a title cell
    // "System" above the table must not make the title row the header.
    let ws = Workspace::new();
    let mut bad = system_row("Diariet");
    bad[3] = "Hög?".into();
    valid_verksamhet("KOV", "2026")
        .clear_sheet("System")
        .table_at(
            "System",
            "A1",
            &["System", ""],
            SYSTEM_HEADERS,
            vec![system_row("Ekonomi"), bad],
        )
        .save(ws.inputs().join("kov.xlsx"));
    let (_, j) = check(&ws);
    assert_status(&j, "kov.xlsx", "inläst");
    // Header in row 3: the only warning is the bad level in D5.
    let w = warning_at(&j, "kov.xlsx", "System", "D5");
    assert_eq!(w["hittat"], "Hög?");
    assert_eq!(warnings(&j, "kov.xlsx").len(), 1, "{j:#}");

    // A table of only the required column still has its header found.
    let ws = Workspace::new();
    valid_verksamhet("TN", "2026")
        .clear_sheet("System")
        .table_at(
            "System",
            "A1",
            &["Systemförteckning"],
            &["System"],
            vec![row!["Ekonomi"]],
        )
        .save(ws.inputs().join("tn.xlsx"));
    let (_, j) = check(&ws);
    let w = warnings(&j, "tn.xlsx");
    assert!(!w.is_empty());
    assert!(
        w.iter().all(|w| w["cell"] == "A2"
            && w["meddelande"]
                .as_str()
                .unwrap()
                .contains("saknas i rubrikraden")),
        "{w:#?}"
    );
}
