//! The submitter's loop (issue 17): a template filled in with realistic
//! mistakes, run, and the feedback workbook read back; a password-protected
//! upload; warnings of a superseded file.

use std::path::{Path, PathBuf};

use calamine::{Data, Range, Reader as _};
use chrono::NaiveDate;

use uppsikt::config::Config;
use uppsikt::model::{Organisation, Period};
use uppsikt::template::{Cell, Filled, Template, TemplateKind};

use crate::common::fixture::{d, valid_verksamhet};
use crate::common::{results, stderr, stdout, Workspace};

const PER: &str = "2026-06-30";

fn run(ws: &Workspace) -> PathBuf {
    let o = ws.cmd(&["run", "--per", PER]).output();
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    ws.run_folders().pop().expect("a run folder")
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb = calamine::open_workbook_auto(path).expect("open");
    wb.worksheet_range(name).expect("sheet")
}

fn at(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Every row of a sheet as its cells' texts.
fn rows(r: &Range<Data>) -> Vec<Vec<String>> {
    let (h, w) = r.end().map_or((0, 0), |(h, w)| (h + 1, w + 1));
    (0..h)
        .map(|i| (0..w).map(|c| at(r, i, c)).collect())
        .collect()
}

#[test]
fn a_filled_template_with_mistakes_gets_feedback_naming_every_cell_and_value() {
    let ws = Workspace::new();
    let reg: Vec<Organisation> = Config::load(&ws.config()).expect("config").organisationer;
    let mkn = reg.iter().find(|o| o.id == "MKN").expect("MKN in register");
    let t = |s: &str| Cell::Text(s.into());
    let date = |y, m, day| Cell::Date(NaiveDate::from_ymd_opt(y, m, day).expect("date"));
    let filled = Filled::new()
        .key("Inlämning", "inlamnad", date(2026, 3, 2))
        .row(
            "System",
            vec![
                ("system", t("Miljöportal")),
                ("typ", t("Verksamhetsspecifik")),
                ("skyddsbehov", t("2 - Förhöjd")),
                ("uppnadd_sakerhetsniva", t("2 - Förhöjd")),
                ("senaste_riskbedomning", t("förra hösten")),
                ("personuppgifter", t("Nej")),
                ("systemagare", t("Avdelningschef")),
            ],
        )
        .row(
            "Avsteg",
            vec![
                ("avsteg_id", t("AV-1")),
                ("tjanst_id", t("IS-HR")),
                ("motivering", t("Bättre system finns")),
                ("dialog_med_leverantor", date(2026, 1, 10)),
                ("beslutat_av", t("Förvaltningsdirektör")),
                ("beslutsdatum", date(2026, 2, 15)),
                ("rapporterat_i_uppfoljning", t("Ja")),
                ("ssg_informerad", date(2026, 2, 1)),
            ],
        )
        .row(
            "Förändringsinsatser",
            vec![
                ("insats", t("Digital tillsyn")),
                ("inriktning", t("Effektivitet")),
                ("nytta", t("Intern")),
                ("kostnads_och_nyttoanalys", t("Ja")),
                ("status", t("Planerad")),
                ("budget", t("ca 2 miljoner")),
                ("ansvarig", t("Projektledare")),
                ("slutdatum", date(2026, 12, 31)),
            ],
        )
        .row(
            "Digital mognad",
            vec![("ar", 2025.into()), ("totalt", 140.into())],
        );
    Template {
        kind: TemplateKind::Verksamhet,
        org: mkn,
        period: Period::year(2026),
        deadline: NaiveDate::from_ymd_opt(2026, 3, 31),
        services: &[],
        register_ids: reg.iter().map(|o| o.id.clone()).collect(),
        filled: Some(&filled),
    }
    .save(&ws.inputs().join("mkn/mkn-2026.xlsx"))
    .expect("save");

    let folder = run(&ws);
    let fb = folder.join("aterkoppling/MKN.xlsx");

    // The first sheet: the one file, read; no rejected file.
    let about = rows(&sheet(&fb, "Om återkopplingen"));
    let file_rows: Vec<&Vec<String>> = about
        .iter()
        .filter(|r| r[0] == "mkn/mkn-2026.xlsx")
        .collect();
    assert_eq!(file_rows.len(), 1, "{about:#?}");
    assert_eq!(file_rows[0][1], "läst");
    assert!(!about.iter().flatten().any(|c| c == "kunde inte läsas"));

    // Findings: R05 names both cells, each with its own problem.
    let iak = rows(&sheet(&fb, "Iakttagelser"));
    let r05: Vec<&Vec<String>> = iak.iter().filter(|r| r[0] == "R05").collect();
    let cells: Vec<&str> = r05.iter().map(|r| r[6].as_str()).collect();
    assert_eq!(cells, ["C2", "E2"], "{iak:#?}");
    assert!(
        r05[0][3].starts_with("Motivering har 19 tecken"),
        "{}",
        r05[0][3]
    );
    assert!(
        r05[1][3].starts_with("Beslutat av \"Förvaltningsdirektör\" är en tjänsteperson"),
        "{}",
        r05[1][3]
    );
    assert!(r05[0][7].starts_with("Rätta cell C2 på bladet Avsteg. På bladet Avsteg"));
    assert_eq!(r05[1][7], "Rätta cell E2 på bladet Avsteg.");

    // The report's Iakttagelser: one row for R05 naming both cells, the
    // message each cell with its own problem.
    let report = sheet(&folder.join("uppsikt-rapport.xlsx"), "Iakttagelser");
    let report_rows = rows(&report);
    let r05_report: Vec<&Vec<String>> = report_rows
        .iter()
        .filter(|r| r[0] == "MKN" && r[1] == "R05")
        .collect();
    assert_eq!(r05_report.len(), 1, "{report_rows:#?}");
    assert_eq!(r05_report[0][9], "C2, E2");
    let message = &r05_report[0][6];
    assert!(
        message.starts_with("C2: Motivering har 19 tecken"),
        "{message}"
    );
    assert!(
        message.contains("; E2: Beslutat av \"Förvaltningsdirektör\" är en tjänsteperson"),
        "{message}"
    );
    // A finding on one cell keeps its message and cell as they are.
    let r10_report = report_rows
        .iter()
        .find(|r| r[0] == "MKN" && r[1] == "R10")
        .expect("R10 on the report");
    assert_eq!(r10_report[9], "F2");
    assert!(r10_report[6].starts_with("Senaste riskbedömning"));

    // The feedback's per-date is a date cell (yyyy-mm-dd), its counts numbers.
    let about_range = sheet(&fb, "Om återkopplingen");
    assert_eq!(at(&about_range, 3, 0), "Bedömd per");
    match about_range.get_value((3, 1)) {
        Some(Data::DateTime(dt)) => assert_eq!(
            dt.as_datetime().expect("a date").date(),
            NaiveDate::from_ymd_opt(2026, 6, 30).expect("date")
        ),
        other => panic!("Bedömd per is not a date cell: {other:?}"),
    }
    assert_eq!(at(&about_range, 4, 0), "Antal iakttagelser");
    let count = |row| match about_range.get_value((row, 1)) {
        Some(Data::Float(v)) => *v as usize,
        other => panic!("not a number: {other:?}"),
    };
    // One report row per finding: as many as the feedback counts.
    let mkn_findings = report_rows.iter().filter(|r| r[0] == "MKN").count();
    assert!(mkn_findings >= 2, "{report_rows:#?}");
    assert_eq!(count(4), mkn_findings);
    assert_eq!(at(&about_range, 5, 0), "Antal inläsningsvarningar");
    assert_eq!(count(5), rows(&sheet(&fb, "Inläsningsvarningar")).len() - 1);

    // R10: the unreadable date is explained where it bites.
    let r10 = iak.iter().find(|r| r[0] == "R10").expect("R10 finding");
    assert_eq!(
        r10[3],
        "Senaste riskbedömning \"förra hösten\" kunde inte läsas (cell F2); skriv ett datum, t.ex. 2026-03-15, 15/3/2026, 15.3.2026 eller 15 mars 2026"
    );
    assert_eq!(r10[6], "F2");

    // The amount and the out-of-range percentage are named with what they held.
    let warn = rows(&sheet(&fb, "Inläsningsvarningar"));
    let held = |v: &str| {
        warn.iter()
            .find(|r| r[3] == v)
            .map(|r| (r[1].clone(), r[2].clone()))
    };
    assert_eq!(
        held("ca 2 miljoner"),
        Some(("Förändringsinsatser".into(), "H2".into()))
    );
    assert_eq!(held("140"), Some(("Digital mognad".into(), "B2".into())));
    let dm = rows(&sheet(&fb, "Digital mognad"));
    assert_eq!(dm[1][1], "140 (kunde inte läsas)");

    // resultat.jsonl: cell is the first of celler.
    let res = results(&folder);
    let r05 = res
        .iter()
        .find(|e| e["regel"] == "R05" && e["organisation"] == "MKN")
        .expect("R05");
    assert_eq!(r05["cell"], "C2");
    assert_eq!(r05["celler"], serde_json::json!(["C2", "E2"]));
    let r10 = res
        .iter()
        .find(|e| e["regel"] == "R10" && e["organisation"] == "MKN")
        .expect("R10");
    assert_eq!(r10["celler"], serde_json::json!(["F2"]));
}

#[test]
fn a_password_protected_upload_is_named_first_with_what_to_do() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.inputs().join("kov")).unwrap();
    std::fs::copy(
        crate::common::repo().join("tests/fixtures/krypterad.xlsx"),
        ws.inputs().join("kov/KOV 2026.xlsx"),
    )
    .unwrap();
    let folder = run(&ws);
    let fb = folder.join("aterkoppling/KOV.xlsx");
    let about = rows(&sheet(&fb, "Om återkopplingen"));
    let row = about
        .iter()
        .find(|r| r[0] == "kov/KOV 2026.xlsx")
        .unwrap_or_else(|| panic!("the file is named: {about:#?}"));
    assert_eq!(row[1], "kunde inte läsas");
    assert_eq!(
        row[3],
        "Arbetsboken är lösenordsskyddad: spara den utan lösenord och lämna in igen."
    );
    // Nothing readable: said once, not one finding per rule.
    let once: Vec<&String> = about
        .iter()
        .flatten()
        .filter(|c| c.starts_with("Ingen av era arbetsböcker för period 2026 har kunnat läsas"))
        .collect();
    assert_eq!(once.len(), 1, "{about:#?}");
    let iak = rows(&sheet(&fb, "Iakttagelser"));
    assert_eq!(iak.len(), 2, "{iak:#?}");
    assert_eq!(
        iak[1][3],
        "Inga regler har kunnat bedömas; se bladet Om återkopplingen."
    );
}

#[test]
fn warnings_of_a_superseded_file_do_not_reach_the_feedback() {
    let ws = Workspace::new();
    // An earlier upload with an unreadable level, then a clean one.
    valid_verksamhet("KOV", "2026")
        .kv("Inlämning", "Inlämnad", d(2026, 3, 1))
        .cell("System", "D2", "ganska hög")
        .save(ws.inputs().join("kov-forsta.xlsx"));
    valid_verksamhet("KOV", "2026")
        .kv("Inlämning", "Inlämnad", d(2026, 3, 5))
        .save(ws.inputs().join("kov-andra.xlsx"));
    let folder = run(&ws);
    let fb = folder.join("aterkoppling/KOV.xlsx");
    let warn = rows(&sheet(&fb, "Inläsningsvarningar"));
    assert_eq!(warn[1][0], "Inga inläsningsvarningar.", "{warn:#?}");
    assert!(!warn.iter().flatten().any(|c| c == "ganska hög"));
    let about = rows(&sheet(&fb, "Om återkopplingen"));
    let first = about
        .iter()
        .find(|r| r[0] == "kov-forsta.xlsx")
        .expect("the superseded file is listed");
    assert_eq!(first[1], "ersatt av en senare fil");
    assert!(first[2].contains("kov-andra.xlsx"), "{}", first[2]);
    // The report still lists it (it is the kommunstyrelsen's audit trail).
    let report = rows(&sheet(
        &folder.join("uppsikt-rapport.xlsx"),
        "Inläsningsvarningar",
    ));
    assert!(report.iter().flatten().any(|c| c == "ganska hög"));
}
