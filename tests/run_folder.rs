//! The run folder is published whole or not at all: a writer that fails
//! half-way, a process killed at random points, and concurrent runs never
//! leave a folder with a final name that is incomplete; the shared folder is
//! never touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use uppsikt::cli::Common;
use uppsikt::rules::RuleSet;
use uppsikt::settings::Settings;

use crate::common::fixture::{d, valid_verksamhet};
use crate::common::{bin, Workspace};
use crate::row;

fn populate(ws: &Workspace) {
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
    Settings::from_common(&Common {
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
            out.insert(p, (uppsikt::util::sha256_hex(&bytes), mtime));
        }
    }
    out
}

/// A published run folder is complete: its manifest parses and every file it
/// names exists.
fn assert_complete(run: &Path) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).expect("manifest.json"))
            .expect("manifest parses");
    assert!(manifest["slutstatus"].is_number(), "{}", run.display());
    for f in ["resultat.jsonl", "uppsikt-rapport.xlsx", "aterkoppling"] {
        assert!(run.join(f).exists(), "{} lacks {f}", run.display());
    }
}

#[test]
fn a_writer_failing_half_way_leaves_no_run_folder() {
    let ws = Workspace::new();
    populate(&ws);
    let s = settings(&ws);
    let rules = RuleSet::load(&s.rules).unwrap();
    for point in ["resultat", "rapport"] {
        let err = uppsikt::run::execute(&s, &rules, "manuell", false, None, Some(point));
        assert!(err.is_err(), "{point}: simulated failure");
        assert!(
            ws.run_folders().is_empty(),
            "{point}: no folder with a final name"
        );
        let leftovers: Vec<_> = std::fs::read_dir(ws.outputs())
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .collect();
        assert!(leftovers.is_empty(), "{point}: temporary folder removed");
    }
    let ok = uppsikt::run::execute(&s, &rules, "manuell", false, None, None).unwrap();
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
            .map(|_| {
                scope.spawn(|| uppsikt::run::execute(&s, &rules, "nattlig", false, None, None))
            })
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
        let mut child = Command::new(bin())
            .args(["run", "--per", "2026-11-26", "--vantetid", "0", "--config"])
            .arg(ws.config())
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
                uppsikt::util::sha256_hex(&std::fs::read(&copy).unwrap()),
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
            "--inputs",
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
