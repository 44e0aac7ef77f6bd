//! The run folder is published whole or not at all: a writer that fails
//! half-way, a process killed at random points, and concurrent runs never
//! leave a folder with a final name that is incomplete; the shared folder is
//! never touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use uppsikt::rules::RuleSet;
use uppsikt::run::FailPoint;
use uppsikt::settings::{Overrides, Settings};

use crate::common::fixture::{d, valid_verksamhet};
use crate::common::Workspace;
use crate::row;

/// Five valid Verksamhet workbooks in the workspace's input folder.
pub(crate) fn populate(ws: &Workspace) {
    for (i, org) in ["KOV", "TN", "GSN", "UBN", "MKN"].iter().enumerate() {
        valid_verksamhet(org, "2026")
            .sheet_table(
                "System",
                &[
                    "System",
                    "Skyddsbehov",
                    "Uppnådd säkerhetsnivå",
                    "Senaste riskbedömning",
                ],
                vec![row![format!("System {i}"), 3, 2, d(2026, 5, 1)]],
            )
            .save(ws.inputs().join(format!("{org}.xlsx")));
    }
}

fn settings(ws: &Workspace) -> Settings {
    Settings::from_overrides(&Overrides {
        config: ws.config(),
        inputs: Some(ws.inputs()),
        outputs: Some(ws.outputs()),
        rules: Some(ws.path().join("rules")),
        schedules: Some(ws.path().join("schedules")),
        per: Some("2026-11-26".into()),
        period: None,
        vantetid: Some(0),
    })
    .expect("settings")
}

/// Every file below `dir` with its bytes' hash and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (String, SystemTime)> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            let bytes = std::fs::read(&p).unwrap();
            let mtime = e.metadata().unwrap().modified().unwrap();
            out.insert(p, (uppsikt::digest::sha256_hex(&bytes), mtime));
        }
    }
    out
}

/// A published run folder is complete: its manifest parses and names this
/// folder and its schedule; `resultat.jsonl` holds one JSON object per
/// evaluation the manifest counts; the report and every feedback workbook
/// open; every file the manifest lists with a SHA-256 has those bytes (the
/// rules in `regler/`; the inputs in `indata/` when archived, else in the
/// input folder, which these tests never change).
pub(crate) fn assert_complete(run: &Path) {
    use calamine::Reader;
    let at = run.display();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).expect("manifest.json"))
            .expect("manifest parses");
    assert!(manifest["slutstatus"].is_number(), "{at}");
    let name = run.file_name().unwrap().to_string_lossy().into_owned();
    let korning = manifest["korning"].as_str().expect("korning");
    let schema = manifest["schema"].as_str().expect("schema");
    assert!(
        name == korning
            || name
                .strip_prefix(korning)
                .and_then(|n| n.strip_prefix('-'))
                .is_some_and(|n| n.parse::<u32>().is_ok()),
        "{at}: the manifest names run {korning}"
    );
    assert!(
        korning.ends_with(&format!("_{schema}")),
        "{at}: {korning} vs {schema}"
    );
    for f in ["resultat.jsonl", "uppsikt-rapport.xlsx", "aterkoppling"] {
        assert!(run.join(f).exists(), "{at} lacks {f}");
    }

    let results = std::fs::read_to_string(run.join("resultat.jsonl")).unwrap();
    for line in results.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{at}: resultat.jsonl line {line:?}: {e}"));
        assert!(
            v["regel"].is_string() && v["status"].is_string(),
            "{at}: {line}"
        );
    }
    assert_eq!(
        results.lines().count() as u64,
        manifest["antal_utvarderingar"]
            .as_u64()
            .expect("antal_utvarderingar"),
        "{at}: one line per evaluation"
    );

    let report: calamine::Xlsx<_> = calamine::open_workbook(run.join("uppsikt-rapport.xlsx"))
        .unwrap_or_else(|e| panic!("{at}: the report does not open: {e}"));
    assert!(
        report.sheet_names().iter().any(|s| s == "Sammanfattning"),
        "{at}: {:?}",
        report.sheet_names()
    );
    let mut feedback = 0;
    for e in std::fs::read_dir(run.join("aterkoppling"))
        .unwrap()
        .flatten()
    {
        let _: calamine::Xlsx<_> = calamine::open_workbook(e.path())
            .unwrap_or_else(|err| panic!("{}: does not open: {err}", e.path().display()));
        feedback += 1;
    }
    assert!(feedback > 0, "{at}: no feedback workbooks");

    let sha = |p: &Path| {
        uppsikt::digest::sha256_hex(
            &std::fs::read(p).unwrap_or_else(|e| panic!("{at}: {}: {e}", p.display())),
        )
    };
    let rules = manifest["regler"].as_array().expect("regler");
    assert!(!rules.is_empty(), "{at}: no rules listed");
    for r in rules {
        for (path, hash) in [("yaml", "yaml_sha256"), ("skript", "skript_sha256")] {
            let file = Path::new(r[path].as_str().unwrap()).file_name().unwrap();
            assert_eq!(
                sha(&run.join("regler").join(file)),
                r[hash].as_str().unwrap(),
                "{at}: regler/{}",
                file.to_string_lossy()
            );
        }
    }
    let inputs = if manifest["arkiverad_indata"].as_bool() == Some(true) {
        run.join("indata")
    } else {
        PathBuf::from(manifest["indata"].as_str().expect("indata"))
    };
    let mut hashed = 0;
    for f in manifest["filer"].as_array().expect("filer") {
        if let Some(hash) = f["sha256"].as_str() {
            let p = inputs.join(f["sokvag"].as_str().unwrap());
            assert_eq!(sha(&p), hash, "{at}: {}", p.display());
            hashed += 1;
        }
    }
    assert!(hashed > 0, "{at}: no input file was hashed");
}

#[test]
fn a_writer_failing_half_way_leaves_no_run_folder() {
    let ws = Workspace::new();
    populate(&ws);
    let s = settings(&ws);
    let rules = RuleSet::load(&s.rules).unwrap();
    for point in [FailPoint::AfterResults, FailPoint::AfterReport] {
        let err = uppsikt::run::execute_failing_at(&s, &rules, "manuell", false, None, point);
        assert!(err.is_err(), "{point:?}: simulated failure");
        assert!(
            ws.run_folders().is_empty(),
            "{point:?}: no folder with a final name"
        );
        let leftovers: Vec<_> = std::fs::read_dir(ws.outputs())
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .collect();
        assert!(leftovers.is_empty(), "{point:?}: temporary folder removed");
    }
    let ok = uppsikt::run::execute(&s, &rules, "manuell", false, None).unwrap();
    assert_complete(&ok.folder);
}

#[test]
fn concurrent_runs_do_not_interleave() {
    let ws = Workspace::new();
    populate(&ws);
    let s = settings(&ws);
    let rules = RuleSet::load(&s.rules).unwrap();
    let folders: Vec<PathBuf> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| uppsikt::run::execute(&s, &rules, "nattlig", false, None)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap().folder)
            .collect()
    });
    assert_eq!(
        ws.run_folders().len(),
        3,
        "three separate folders: {folders:?}"
    );
    for f in &folders {
        assert_complete(f);
    }
    let first = std::fs::read(folders[0].join("resultat.jsonl")).unwrap();
    for f in &folders[1..] {
        assert_eq!(
            std::fs::read(f.join("resultat.jsonl")).unwrap(),
            first,
            "deterministic results"
        );
    }
}

#[test]
fn killing_the_process_never_leaves_a_half_run_that_looks_whole() {
    let ws = Workspace::new();
    populate(&ws);
    let before = snapshot(&ws.inputs());
    // Delays spread over a run's lifetime (a debug build takes a few hundred ms).
    for delay_ms in [0u64, 15, 40, 80, 120, 180, 250, 350, 500, 700] {
        let mut child = ws
            .cmd(&["run", "--per", "2026-11-26"])
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        for run in ws.run_folders() {
            assert_complete(&run);
        }
    }
    // The next run cleans up leftovers and completes.
    let out = ws.cmd(&["run", "--per", "2026-11-26"]).output();
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let leftovers: Vec<_> = std::fs::read_dir(ws.outputs())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".pågår-"))
        .collect();
    assert!(leftovers.is_empty(), "leftovers cleaned: {leftovers:?}");
    for run in ws.run_folders() {
        assert_complete(&run);
    }
    assert_eq!(
        snapshot(&ws.inputs()),
        before,
        "the shared folder is untouched"
    );
}

#[test]
fn a_run_repeats_from_its_own_archive() {
    let ws = Workspace::new();
    populate(&ws);
    // A superseded duplicate: the tie on Inlämnad is broken by mtime, which
    // the archive must keep for the re-run to agree.
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("KOV-äldre.xlsx"));
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(ws.inputs().join("KOV-äldre.xlsx"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    let out = ws
        .cmd(&["run", "--per", "2026-11-26", "--arkivera"])
        .output();
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let first = ws.run_folders().pop().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.join("manifest.json")).unwrap()).unwrap();
    // Every file read is archived with the hash the manifest records.
    for f in manifest["filer"].as_array().unwrap() {
        if let Some(sha) = f["sha256"].as_str() {
            let copy = first.join("indata").join(f["sokvag"].as_str().unwrap());
            assert_eq!(
                uppsikt::digest::sha256_hex(&std::fs::read(&copy).unwrap()),
                sha
            );
        }
    }
    let indata = first.join("indata");
    let again = ws
        .cmd(&[
            "run",
            "--per",
            "2026-11-26",
            "--indata",
            indata.to_str().unwrap(),
        ])
        .output();
    assert!(again.status.success(), "{}", crate::common::stderr(&again));
    let second = ws.run_folders().pop().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        std::fs::read_to_string(first.join("resultat.jsonl")).unwrap(),
        std::fs::read_to_string(second.join("resultat.jsonl")).unwrap(),
        "the same results from the archive"
    );
}
