//! The rule engine through the binary: hostile rules end in `regelfel`
//! (or a compile error) without stopping the run; rule files change the
//! outcome without a rebuild.

use std::fs;

use crate::common::fixture::{d, valid_verksamhet};
use crate::common::{evaluation, results, stderr, stdout, Workspace};
use crate::row;

fn hostile_rule(ws: &Workspace, id: &str, script: &str) {
    let yaml = format!(
        "id: {id}\ntitel: Fientlig regel {id}\nallvarlighet: låg\nobjekt: organisation\nreferens: test\n\
         dokumentation:\n  Vad regeln kontrollerar: test\n  Varför: test\n"
    );
    fs::write(ws.path().join(format!("rules/{id}-fientlig.yaml")), yaml).unwrap();
    fs::write(ws.path().join(format!("rules/{id}-fientlig.rhai")), script).unwrap();
}

/// One organisation (KOV) with a system below its skyddsbehov.
fn inputs_with_a_gap(ws: &Workspace) {
    valid_verksamhet("KOV", "2026")
        .sheet_table(
            "System",
            &[
                "System",
                "Skyddsbehov",
                "Uppnådd säkerhetsnivå",
                "Senaste riskbedömning",
            ],
            vec![row!["Ekonomisystem", 3, 2, d(2026, 5, 1)]],
        )
        .save(ws.inputs().join("kov.xlsx"));
}

#[test]
fn hostile_rules_end_in_regelfel_and_the_run_goes_on() {
    let ws = Workspace::new();
    inputs_with_a_gap(&ws);
    hostile_rule(&ws, "R90", "loop { }\nuppfyllt()");
    hostile_rule(&ws, "R91", "fn f(x) { f(x + 1) }\nf(0)");
    hostile_rule(&ws, "R92", "let s = \"xxxxxxxx\";\nloop { s += s; }");
    hostile_rule(&ws, "R93", "throw \"avsiktligt fel\";");
    hostile_rule(&ws, "R94", "let a = [];\nloop { a.push(1); }");
    let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let runs = ws.run_folders();
    assert_eq!(runs.len(), 1);
    let res = results(&runs[0]);
    for id in ["R90", "R91", "R92", "R93", "R94"] {
        let of_rule: Vec<_> = res.iter().filter(|e| e["regel"] == id).collect();
        assert!(!of_rule.is_empty(), "{id} evaluated");
        for e in of_rule {
            assert_eq!(e["status"], "regelfel", "{id}: {e}");
            let m = e["meddelande"].as_str().unwrap();
            assert!(
                m.contains(&format!("{id}-fientlig.rhai:")),
                "{id} message names the script: {m}"
            );
        }
    }
    let msg = |id: &str| {
        res.iter()
            .find(|e| e["regel"] == id)
            .and_then(|e| e["meddelande"].as_str())
            .unwrap()
            .to_string()
    };
    assert!(
        msg("R90").contains("för många operationer") || msg("R90").contains("tidsgränsen"),
        "{}",
        msg("R90")
    );
    assert!(
        msg("R91").contains("rekursion") || msg("R91").contains("Stack overflow"),
        "{}",
        msg("R91")
    );
    assert!(msg("R92").contains("för stor data"), "{}", msg("R92"));
    assert!(msg("R93").contains("avsiktligt fel"), "{}", msg("R93"));
    assert!(
        msg("R93").starts_with("rules/R93-fientlig.rhai:1:"),
        "{}",
        msg("R93")
    );
    // The other rules are still evaluated and reported.
    let r08 = evaluation(&res, "R08", "KOV");
    assert_eq!(r08["status"], "brist");
    assert_eq!(r08["cell"], "C2");
}

/// `import` and `eval` do not compile: the rule is `regelfel` for every
/// organisation, the other rules run (issue 18), and `check` refuses it.
#[test]
fn import_and_eval_are_compile_errors_that_cost_their_rule() {
    for (script, what) in [
        ("import \"x\" as y;\nuppfyllt()", "import"),
        ("eval(\"1\")", "eval"),
    ] {
        let ws = Workspace::new();
        hostile_rule(&ws, "R95", script);
        let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
        assert_eq!(out.status.code(), Some(3), "{what}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("R95-fientlig.rhai:1:"), "{what}: {err}");
        let runs = ws.run_folders();
        assert_eq!(runs.len(), 1, "{what}: the run is published");
        let res = results(&runs[0]);
        assert!(res
            .iter()
            .filter(|e| e["regel"] == "R95")
            .all(|e| e["status"] == "regelfel"));
        let check = ws.cmd(&["check"]).output();
        assert_eq!(check.status.code(), Some(2));
    }
}

#[test]
fn a_misspelt_field_is_a_regelfel_not_a_pass() {
    let ws = Workspace::new();
    inputs_with_a_gap(&ws);
    fs::write(
        ws.path().join("rules/R08-sakerhetsniva-uppnadd.rhai"),
        "if objekt.skyddsbehv > 1 { brist(\"x\") } else { uppfyllt() }",
    )
    .unwrap();
    let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let res = results(&ws.run_folders()[0]);
    let e = evaluation(&res, "R08", "KOV");
    assert_eq!(e["status"], "regelfel");
    // In Swedish, at the `.` before the misspelt name, with the row
    // type's fields.
    let m = e["meddelande"].as_str().unwrap();
    assert!(
        m.starts_with(
            "rules/R08-sakerhetsniva-uppnadd.rhai:1:10: okänt fält \"skyddsbehv\" på en rad ur bladet System; fälten är: system, "
        ) && m.contains(", skyddsbehov, ")
            && m.contains(" ¦ skript: if objekt.skyddsbehv > 1 {"),
        "{m}"
    );
}

#[test]
fn comparing_a_missing_value_is_a_regelfel() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026")
        .sheet_table(
            "System",
            &["System", "Skyddsbehov"],
            vec![row!["Ekonomisystem", 3]],
        )
        .save(ws.inputs().join("kov.xlsx"));
    fs::write(
        ws.path().join("rules/R08-sakerhetsniva-uppnadd.rhai"),
        "if objekt.uppnadd_sakerhetsniva < objekt.skyddsbehov { brist(\"x\") } else { uppfyllt() }",
    )
    .unwrap();
    let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    let res = results(&ws.run_folders()[0]);
    let e = evaluation(&res, "R08", "KOV");
    assert_eq!(e["status"], "regelfel", "{}", stdout(&out));
    assert!(
        e["meddelande"].as_str().unwrap().contains("saknat värde"),
        "{e}"
    );
}
