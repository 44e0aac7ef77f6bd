//! The rule author's workbench through the binary: `rules diff` against a
//! past run, `rules new` scaffolds that pass `check` and `rules test`
//! unchanged, `rules test --tackning`, and the runtime error format.

use std::fs;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::common::fixture::{d, valid_verksamhet, AVSTEG_HEADERS};
use crate::common::{copy_dir, evaluation, results, stderr, stdout, Workspace};
use crate::row;

/// A Verksamhet workbook whose one Avsteg row is correct in every respect
/// but the length of its Motivering (`chars` characters).
fn avsteg_book(ws: &Workspace, org: &str, beslutat_av: &str, chars: usize) {
    let motivering: String = "Avsteget motiveras med lokala behov här"
        .chars()
        .cycle()
        .take(chars)
        .collect();
    assert_eq!(motivering.chars().count(), chars);
    valid_verksamhet(org, "2026")
        .sheet_table(
            "Avsteg",
            AVSTEG_HEADERS,
            vec![row![
                format!("AV-{org}-1"),
                "IS-HR",
                motivering,
                d(2026, 1, 10),
                beslutat_av,
                d(2026, 2, 1),
                "N-2026-017",
                "Ja",
                d(2026, 2, 15),
                d(2027, 12, 31)
            ]],
        )
        .save(ws.inputs().join(format!("{org} 2026.xlsx")));
}

/// Summary lines of `rules diff` ("R05: …").
fn summary_lines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| {
            l.len() > 4
                && l.starts_with('R')
                && l[1..3].chars().all(|c| c.is_ascii_digit())
                && l[3..].starts_with(": ")
        })
        .collect()
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open diff xlsx");
    let range = wb.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Motiveringar of 15, 25, 25, 45 and 25 characters: with `min_tecken` 40,
/// KOV, TN, GSN and GEAB are brist and UBN uppfyllt; with 20, only KOV.
fn five_organisations(ws: &Workspace) -> PathBuf {
    avsteg_book(ws, "KOV", "Kretslopp och vattennämnden", 15);
    avsteg_book(ws, "TN", "Trafiknämnden", 25);
    avsteg_book(ws, "GSN", "Grundskolenämnden", 25);
    avsteg_book(ws, "UBN", "Utbildningsnämnden", 45);
    avsteg_book(ws, "GEAB", "Göteborg Energi AB:s styrelse", 25);
    let out = ws
        .cmd(&["run", "--per", "2026-11-26", "--arkivera"])
        .output();
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "run: {}",
        stderr(&out)
    );
    let runs = ws.run_folders();
    assert_eq!(runs.len(), 1);
    let run = runs[0].clone();
    assert!(run.join("regler").is_dir(), "the run archived its rules");
    assert!(
        run.join("indata").is_dir(),
        "--arkivera archived the inputs"
    );
    let r05: Vec<(String, String)> = results(&run)
        .iter()
        .filter(|e| e["regel"] == "R05")
        .filter(|e| {
            ["KOV", "TN", "GSN", "UBN", "GEAB"].contains(&e["organisation"].as_str().unwrap())
        })
        .map(|e| {
            (
                e["organisation"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        r05,
        [
            ("KOV", "brist"),
            ("TN", "brist"),
            ("GSN", "brist"),
            ("UBN", "uppfyllt"),
            ("GEAB", "brist"),
        ]
        .map(|(o, s)| (o.to_string(), s.to_string())),
        "only the Motivering length decides R05 here"
    );
    run
}

#[test]
fn rules_diff_against_a_run_names_the_organisations_whose_status_changes() {
    let ws = Workspace::new();
    let run = five_organisations(&ws);

    // The rule author copies the rules and lowers R05's threshold.
    let copy = ws.path().join("regler-ny");
    copy_dir(&ws.path().join("rules"), &copy);
    let yaml = copy.join("R05-avsteg-motiverat-beslutat.yaml");
    fs::write(&yaml, text_with(&yaml, "min_tecken: 40", "min_tecken: 20")).unwrap();

    // The inputs folder changes after the run: the diff must use the archive.
    fs::remove_file(ws.inputs().join("TN 2026.xlsx")).unwrap();

    let xlsx = ws.path().join("diff.xlsx");
    let text = rules_diff(&ws, Some(&copy), &run, Some(&xlsx));
    assert_eq!(
        summary_lines(&text),
        ["R05: 3 organisationer går från brist till uppfyllt: TN, GSN, GEAB"],
        "{text}"
    );
    assert!(
        text.contains("per 2026-11-26"),
        "per-date from the manifest: {text}"
    );
    assert!(text.contains("Försvunna iakttagelser (3):"), "{text}");
    assert!(!text.contains("Nya iakttagelser"), "{text}");

    // The xlsx holds the same changes.
    assert!(xlsx.is_file(), "{text}");
    let changes = sheet_rows(&xlsx, "Statusändringar");
    assert_eq!(changes[0], ["Regel", "Organisation", "Från", "Till"]);
    assert_eq!(
        changes[1..],
        [
            ["R05", "TN", "brist", "uppfyllt"],
            ["R05", "GSN", "brist", "uppfyllt"],
            ["R05", "GEAB", "brist", "uppfyllt"],
        ]
        .map(|r| r.map(str::to_string).to_vec())
    );
    let gone = sheet_rows(&xlsx, "Försvunna iakttagelser");
    assert_eq!(gone.len(), 4, "{gone:?}");
    let gone_subjects: Vec<(&str, &str)> = gone[1..]
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        gone_subjects,
        [
            ("TN", "AV-TN-1"),
            ("GSN", "AV-GSN-1"),
            ("GEAB", "AV-GEAB-1")
        ]
    );
    for r in &gone[1..] {
        assert_eq!(r[0], "R05");
        assert_eq!(r[3], "brist");
        assert!(r[4].contains("minst 40 krävs"), "{r:?}");
        assert_eq!(r[6], "Avsteg");
        assert_eq!(r[7], "C2", "evidence: the Motivering cell");
    }
    let new = sheet_rows(&xlsx, "Nya iakttagelser");
    assert_eq!(new.len(), 1, "header only: {new:?}");
    // KOV stays brist, with the new threshold in its message.
    assert!(
        text.contains("Ändrade meddelanden, samma status (1):"),
        "{text}"
    );
    assert!(
        text.contains(
            "  R05 KOV AV-KOV-1 [brist]:\n    \
             före:  Motivering har 15 tecken, minst 40 krävs; motivera avsteget utförligt\n    \
             efter: Motivering har 15 tecken, minst 20 krävs; motivera avsteget utförligt\n"
        ),
        "{text}"
    );
    let reworded = sheet_rows(&xlsx, "Ändrade meddelanden");
    assert_eq!(reworded.len(), 2, "{reworded:?}");
    assert_eq!(reworded[1][..4], ["R05", "KOV", "AV-KOV-1", "brist"]);
    assert!(reworded[1][5].contains("minst 20"), "{reworded:?}");

    // Raising it instead: UBN's 45 characters are not enough for 50.
    fs::write(&yaml, text_with(&yaml, "min_tecken: 20", "min_tecken: 50")).unwrap();
    let text = rules_diff(&ws, Some(&copy), &run, None);
    assert_eq!(
        summary_lines(&text),
        ["R05: 1 organisation går från uppfyllt till brist: UBN"],
        "{text}"
    );
    assert!(
        text.contains("R05 UBN AV-UBN-1 [brist]: Motivering har 45 tecken, minst 50 krävs"),
        "{text}"
    );

    // The configured rules against the run's own: nothing changes.
    let text = rules_diff(&ws, None, &run, None);
    assert!(text.contains("Ingen organisation byter status."), "{text}");
    assert!(summary_lines(&text).is_empty(), "{text}");
}

/// `rules diff [--regler R] --mot RUN [-o XLSX]`, which must succeed;
/// its standard output.
fn rules_diff(ws: &Workspace, rules: Option<&Path>, run: &Path, xlsx: Option<&Path>) -> String {
    let mut args = vec!["rules", "diff"];
    if let Some(r) = rules {
        args.extend(["--regler", r.to_str().unwrap()]);
    }
    args.extend(["--mot", run.to_str().unwrap()]);
    if let Some(x) = xlsx {
        args.extend(["-o", x.to_str().unwrap()]);
    }
    let out = ws.cmd(&args).output();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    text
}

fn text_with(path: &Path, from: &str, to: &str) -> String {
    let t = fs::read_to_string(path).unwrap();
    assert!(t.contains(from), "{from} in {}", path.display());
    t.replace(from, to)
}

#[test]
fn rules_diff_without_new_rules_is_refused() {
    let ws = Workspace::new();
    let out = ws.cmd(&["rules", "diff"]).output();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--regler"), "{}", stderr(&out));
}

#[test]
fn rules_new_scaffolds_pass_rules_test_and_check_flags_their_placeholders() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let kinds = [
        ("R22", "system", "Systemägare är angiven"),
        ("R23", "organisation", "Planen finns \"på riktigt\""),
        ("R24", "digitaliseringsplan", "Planen har diarienummer"),
        ("R25", "avsteg", "Avsteg har diarienummer"),
        ("R26", "tjanstanvandning", "Tjänster är kommenterade"),
        ("R27", "katalograd", "Katalogen anger servicenivå"),
        ("R28", "egen_katalograd", "Egen katalog anger servicenivå"),
        ("R29", "insats", "Insatsen har en ansvarig"),
        ("R30", "uppfoljningsrapport", "Rapporten har diarienummer"),
        ("R31", "sakerhetsavvikelse", "Avvikelsen är beskriven"),
        (
            "R32",
            "leveransavvikelse",
            "Leveransavvikelsen är beskriven",
        ),
    ];
    for (id, kind, titel) in kinds {
        let out = ws
            .cmd(&["rules", "new", id, "--titel", titel, "--objekt", kind])
            .output();
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        assert!(stdout(&out).contains("Skapade"), "{}", stdout(&out));
    }
    let made: Vec<String> = fs::read_dir(ws.path().join("rules"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("R22-") || n.starts_with("R23-"))
        .collect();
    assert!(
        made.contains(&"R22-systemagare-ar-angiven.yaml".to_string()),
        "{made:?}"
    );
    assert!(
        made.iter()
            .any(|n| n.starts_with("R23-") && n.ends_with(".rhai")),
        "{made:?}"
    );

    // check refuses a scaffold until its placeholders are replaced (issue 18).
    let check = ws.cmd(&["check"]).output();
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("R22-systemagare-ar-angiven.yaml: referens har kvar platshållaren \"R: …\" från uppsikt rules new; skriv regelns egen text"),
        "{}",
        stderr(&check)
    );

    let test = ws.cmd(&["rules", "test"]).output();
    let text = stdout(&test);
    assert_eq!(test.status.code(), Some(0), "{text}\n{}", stderr(&test));
    for (id, kind, _) in kinds {
        let ok = text
            .lines()
            .filter(|l| l.starts_with(&format!("ok    {id} ")))
            .count();
        assert!(ok >= 2, "{id} ({kind}) has passing cases: {text}");
    }
    assert!(text.contains(" 0 failed"), "{text}");

    // Coverage of one scaffold: every line reached, every status but
    // ej tillämplig exercised where the kind allows it.
    let cov = ws.cmd(&["rules", "test", "R22", "--tackning"]).output();
    let text = stdout(&cov);
    assert_eq!(cov.status.code(), Some(0), "{text}");
    assert!(!text.contains("ok    R05"), "only R22's cases run: {text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("R22 "))
        .unwrap_or_else(|| panic!("coverage line for R22: {text}"));
    assert!(line.contains("rader     3/3"), "{line}");
    assert!(
        line.contains("statusar: brist, underlag saknas, uppfyllt, ej tillämplig"),
        "{line}"
    );
    assert!(!line.contains("aldrig"), "{line}");

    // Every scaffold's cases reach every line of its script.
    let cov = ws.cmd(&["rules", "test", "--tackning"]).output();
    let text = stdout(&cov);
    for (id, kind, _) in kinds {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id}: {text}"));
        let counts = line
            .split("rader")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap();
        let (reached, all) = counts.split_once('/').unwrap();
        assert_eq!(reached, all, "{id} ({kind}): {line}");
    }

    // The scaffolds run without regelfel on a real workbook.
    let run = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let res = results(&ws.run_folders()[0]);
    for (id, ..) in kinds {
        assert!(res.iter().any(|e| e["regel"] == id), "{id} was evaluated");
    }
    // A second scaffold with a taken id is refused.
    let again = ws
        .cmd(&["rules", "new", "R22", "--titel", "x", "--objekt", "system"])
        .output();
    assert_ne!(again.status.code(), Some(0));
    assert!(stderr(&again).contains("finns redan"), "{}", stderr(&again));
}

#[test]
fn coverage_names_unreached_lines_and_statuses_never_produced() {
    let ws = Workspace::new();
    let out = ws.cmd(&["rules", "test", "--tackning"]).output();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Every shipped rule has a coverage line.
    for i in 0..=21 {
        let id = format!("R{i:02} ");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&id) && l.contains("rader")),
            "{id}: {text}"
        );
    }
    assert!(text.contains("nås inte: "), "{text}");
    assert!(text.contains("Totalt "), "{text}");
}

fn write_rule(ws: &Workspace, id: &str, objekt: &str, tests: &str, script: &str) {
    let yaml = format!(
        "id: {id}\ntitel: Felande regel {id}\nallvarlighet: låg\nobjekt: {objekt}\nreferens: test\n\
         dokumentation:\n  Vad regeln kontrollerar: test\n  Varför: test\n{tests}"
    );
    fs::write(ws.path().join(format!("rules/{id}-felande.yaml")), yaml).unwrap();
    fs::write(ws.path().join(format!("rules/{id}-felande.rhai")), script).unwrap();
}

const DIVIDES: &str = "// R90 delar med noll\n\
    let n = objekt.motivering.len();\n\
    if finns(objekt.beslutsdatum) {\n\
    \x20   n += 1;\n\
    }\n\
    let kvot = n / 0;\n\
    uppfyllt()\n";

#[test]
fn a_runtime_error_names_line_column_subject_and_the_fields_read() {
    let ws = Workspace::new();
    avsteg_book(&ws, "KOV", "Kretslopp och vattennämnden", 15);
    write_rule(
        &ws,
        "R90",
        "avsteg",
        "tester:\n  - namn: delar med noll\n    verksamhet:\n      Avsteg:\n        - {Avsteg-id: A1, Tjänst-id: HR-01, Motivering: Kort motivering}\n    förväntat: uppfyllt\n",
        DIVIDES,
    );
    write_rule(
        &ws,
        "R91",
        "organisation",
        "",
        "let p = org.plan;\nif p.plan_finns {\n    throw `planen finns men ${p.diarienummer} duger inte`;\n}\nuppfyllt()\n",
    );

    // In resultat.jsonl: one line, file:line:col first.
    let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let res = results(&ws.run_folders()[0]);
    let e = evaluation(&res, "R90", "KOV");
    assert_eq!(e["status"], "regelfel");
    assert_eq!(e["cell"], "A2", "evidence: the subject's row");
    let m = e["meddelande"].as_str().unwrap();
    assert_eq!(
        m,
        "rules/R90-felande.rhai:6:14: division med noll: 16 / 0 \
         ¦ skript: let kvot = n / 0; \
         ¦ objekt: KOV, Avsteg rad 2 (AV-KOV-1) \
         ¦ lästa fält: motivering = \"Avsteget motive\", beslutsdatum = 2026-02-01"
    );
    let e = evaluation(&res, "R91", "KOV");
    let m = e["meddelande"].as_str().unwrap();
    assert!(
        m.starts_with("rules/R91-felande.rhai:3:5: planen finns men N-2026-001 duger inte"),
        "{m}"
    );
    assert!(m.contains(" ¦ objekt: organisation KOV ¦ "), "{m}");
    assert!(
        m.ends_with(
            " ¦ lästa fält: plan_finns (Digitaliseringsplan rad 1) = true, \
             diarienummer (Digitaliseringsplan rad 5) = \"N-2026-001\""
        ),
        "{m}"
    );

    // In the log: the excerpt with a caret, once per script position.
    let err = stderr(&out);
    let at = err
        .find("regelfel i R90")
        .unwrap_or_else(|| panic!("R90 logged: {err}"));
    assert_eq!(err.matches("regelfel i R90").count(), 1, "{err}");
    let excerpt: Vec<&str> = err[at..].lines().take(7).collect();
    assert_eq!(
        excerpt[1..],
        [
            "rules/R90-felande.rhai:6:14: division med noll: 16 / 0",
            "  |",
            "6 | let kvot = n / 0;",
            "  |              ^",
            "  = objekt: KOV, Avsteg rad 2 (AV-KOV-1)",
            "  = lästa fält: motivering = \"Avsteget motive\", beslutsdatum = 2026-02-01",
        ],
        "{err}"
    );

    // In `rules test`: the same excerpt under the failing case.
    let test = ws.cmd(&["rules", "test", "R90"]).output();
    let text = stdout(&test);
    assert_eq!(test.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "      - A1 [regelfel]:\n\
             \x20         rules/R90-felande.rhai:6:14: division med noll: 15 / 0\n\
             \x20           |\n\
             \x20         6 | let kvot = n / 0;\n\
             \x20           |              ^\n\
             \x20           = objekt: ORG, Avsteg rad 2 (A1)\n\
             \x20           = lästa fält: motivering = \"Kort motivering\", beslutsdatum = ()\n"
        ),
        "{text}"
    );
}

#[test]
fn an_unknown_rule_id_names_the_folder_and_the_ids_there() {
    let ws = Workspace::new();
    for args in [
        &["rules", "explain", "R99"][..],
        &["rules", "test", "R99"][..],
    ] {
        let out = ws.cmd(args).output();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        let folder = ws.path().join("rules");
        assert!(
            err.contains(&format!(
                "ingen regel med id R99 i {}; där finns R00, R01, ",
                folder.display()
            )),
            "{err}"
        );
    }
    let ok = ws.cmd(&["rules", "explain", "R05"]).output();
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn evidence_naming_an_unknown_field_is_a_regelfel_on_the_subjects_row() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    write_rule(&ws, "R90", "system", "", "brist(\"fel\", \"skydsbehov\")");
    let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let res = results(&ws.run_folders()[0]);
    let e = evaluation(&res, "R90", "KOV");
    assert_eq!(e["status"], "regelfel", "{e}");
    let m = e["meddelande"].as_str().unwrap();
    assert!(
        m.contains("bevis: okänt fält \"skydsbehov\" på en rad ur bladet System; fälten är:")
            && m.contains("skyddsbehov"),
        "{m}"
    );
    // The row of the subject, not nothing.
    assert_eq!(e["fil"], "kov.xlsx", "{e}");
    assert_eq!(e["blad"], "System", "{e}");
    assert_eq!(e["cell"], "A2", "{e}");
}
