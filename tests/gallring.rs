//! Gallring (issue 23) and the previous run (issue 18 item 17): a run of
//! a schedule removes that schedule's old run folders once it is published,
//! and nothing else; the previous run is the newest published one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::common::{copy_dir, published, stderr, stdout, Workspace};

/// A workspace with one submission, whose rule folder holds only R08
/// (fast runs; the rules play no part here).
fn workspace() -> Workspace {
    let ws = Workspace::new();
    crate::common::fixture::valid_verksamhet("KOV", "2026").save(ws.inputs().join("KOV.xlsx"));
    for e in std::fs::read_dir(ws.path().join("rules"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with("R08") && e.path().is_file() {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    ws
}

/// Run `schedule` with per-date `per`; the new run folder.
fn run(ws: &Workspace, schedule: &str, per: &str) -> PathBuf {
    run_logged(ws, schedule, per).0
}

/// [`run`], with its info log (stderr).
fn run_logged(ws: &Workspace, schedule: &str, per: &str) -> (PathBuf, String) {
    let before = ws.run_folders();
    let out = ws
        .cmd(&["run", "--schema", schedule, "--per", per])
        .command()
        .env("RUST_LOG", "uppsikt=info")
        .output()
        .unwrap();
    (published(ws, &before, &out), stderr(&out))
}

fn manifest(run: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap()
}

/// Move `run` to the name `name` in the same root, its manifest saying it
/// was a run with per-date `per` that ended at `end` (RFC 3339).
fn backdate(run: &Path, name: &str, per: &str, end: &str) -> PathBuf {
    let to = run.parent().unwrap().join(name);
    std::fs::rename(run, &to).unwrap();
    let mut m = manifest(&to);
    m["korning"] = name.into();
    m["per"] = per.into();
    m["slut"] = end.into();
    std::fs::write(
        to.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
    to
}

/// A copy of `run` under `name`, backdated as [`backdate`] does.
fn copy_as(run: &Path, name: &str, per: &str, end: &str) -> PathBuf {
    let tmp = run.parent().unwrap().join(format!("kopia-{name}"));
    copy_dir(run, &tmp);
    backdate(&tmp, name, per, end)
}

/// The bytes of every file below `dir`.
fn size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                size(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

/// The names of every entry of the output root but the lock file.
fn entries(ws: &Workspace) -> BTreeSet<String> {
    std::fs::read_dir(ws.outputs())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".uppsikt.lock")
        .collect()
}

/// The values of the Sammanfattning rows whose first cell is `key`.
fn facts(report: &Path, key: &str) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(report).unwrap();
    let r = wb.worksheet_range("Sammanfattning").unwrap();
    r.rows()
        .filter(|row| matches!(row.first(), Some(Data::String(s)) if s == key))
        // The label spans columns A–B; the value stands in C.
        .map(|row| row.get(2).map(|d| d.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn a_nightly_run_removes_only_old_nightly_runs_and_lists_them() {
    let ws = workspace();
    let out = ws.outputs();
    // Run folders written by the program, then moved into the past.
    let quarterly = run(&ws, "kvartal", "2026-06-15");
    assert!(quarterly.join("indata").is_dir());
    let quarterly = backdate(
        &quarterly,
        "2026-06-15T060000_kvartal",
        "2026-06-15",
        "2026-06-15T06:05:00+02:00",
    );
    let nightly = run(&ws, "nattlig", "2026-08-01");
    let old = backdate(
        &nightly,
        "2026-08-01T020000_nattlig",
        "2026-08-01",
        "2026-08-01T02:05:00+02:00",
    );
    let archived = copy_as(
        &old,
        "2026-08-02T020000_nattlig",
        "2026-08-02",
        "2026-08-02T02:05:00+02:00",
    );
    std::fs::create_dir(archived.join("indata")).unwrap();
    std::fs::write(archived.join("indata").join("KOV.xlsx"), "bevis").unwrap();
    let older = copy_as(
        &old,
        "2026-09-01T020000_nattlig",
        "2026-09-01",
        "2026-09-01T02:05:00+02:00",
    );
    // Manifests that cannot be read: broken JSON, and none at all.
    let broken = copy_as(
        &old,
        "2026-09-02T020000_nattlig",
        "2026-09-02",
        "2026-09-02T02:05:00+02:00",
    );
    std::fs::write(broken.join("manifest.json"), "{ \"schema\": ").unwrap();
    let no_manifest = copy_as(
        &old,
        "2026-09-03T020000_nattlig",
        "2026-09-03",
        "2026-09-03T02:05:00+02:00",
    );
    std::fs::remove_file(no_manifest.join("manifest.json")).unwrap();
    // The previous run: old too, but one of the newest two.
    let previous = copy_as(
        &old,
        "2026-10-01T020000_nattlig",
        "2026-10-01",
        "2026-10-01T02:05:00+02:00",
    );
    // Foreign things: a folder, a file, and a symlink named like a run
    // pointing at an old nightly run outside the output root.
    std::fs::create_dir(out.join("privat")).unwrap();
    std::fs::write(out.join("privat").join("anteckning.txt"), "min").unwrap();
    std::fs::write(out.join("LÄSMIG.txt"), "rör inte").unwrap();
    let outside = ws.path().join("utanför");
    copy_dir(&old, &outside);
    std::os::unix::fs::symlink(&outside, out.join("2026-07-01T020000_nattlig")).unwrap();
    let expected: Vec<serde_json::Value> = [&older, &old]
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            serde_json::json!({ "namn": name, "per": &name[..10], "storlek": size(p) })
        })
        .collect();
    let before = entries(&ws);

    let (new, log) = run_logged(&ws, "nattlig", "2026-11-26");
    // What is no run folder is mentioned once.
    let mentions: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("gallring leaves these entries of the output root alone"))
        .collect();
    assert_eq!(mentions.len(), 1, "{log}");
    assert!(
        mentions[0].contains("2026-07-01T020000_nattlig, LÄSMIG.txt, privat"),
        "{log}"
    );

    let new_name = new.file_name().unwrap().to_string_lossy().into_owned();
    let mut kept = before.clone();
    kept.remove("2026-08-01T020000_nattlig");
    kept.remove("2026-09-01T020000_nattlig");
    kept.insert(new_name.clone());
    assert_eq!(entries(&ws), kept);
    for p in [&quarterly, &archived, &broken, &no_manifest, &previous] {
        assert!(p.join("resultat.jsonl").is_file(), "{}", p.display());
    }
    assert!(outside.join("manifest.json").is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("privat").join("anteckning.txt")).unwrap(),
        "min"
    );
    let m = manifest(&new);
    assert_eq!(m["gallrade"], serde_json::Value::Array(expected));
    assert_eq!(m["foregaende_korning"], "2026-10-01T020000_nattlig");
    let report = new.join("uppsikt-rapport.xlsx");
    let listed = facts(&report, "Gallrad körmapp");
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(
        listed[0].starts_with("2026-09-01T020000_nattlig (per-datum 2026-09-01, "),
        "{listed:?}"
    );

    // A quarterly run removes nothing: the schedule has no rule.
    let before = entries(&ws);
    let q = run(&ws, "kvartal", "2026-12-15");
    assert_eq!(manifest(&q)["gallrade"], serde_json::json!([]));
    assert_eq!(
        facts(&q.join("uppsikt-rapport.xlsx"), "Gallrade körmappar"),
        ["inga"]
    );
    let mut now = before;
    now.insert(q.file_name().unwrap().to_string_lossy().into_owned());
    assert_eq!(entries(&ws), now);
}

#[test]
fn a_run_folder_whose_manifest_cannot_be_read_is_never_removed() {
    let ws = workspace();
    let first = run(&ws, "nattlig", "2026-01-10");
    let unreadable = backdate(
        &first,
        "2026-01-10T020000_nattlig",
        "2026-01-10",
        "2026-01-10T02:05:00+01:00",
    );
    let other = copy_as(
        &unreadable,
        "2026-01-11T020000_nattlig",
        "2026-01-11",
        "2026-01-11T02:05:00+01:00",
    );
    let folder = copy_as(
        &unreadable,
        "2026-01-12T020000_nattlig",
        "2026-01-12",
        "2026-01-12T02:05:00+01:00",
    );
    // Not JSON; a manifest naming another schedule; a manifest that is a folder.
    std::fs::write(unreadable.join("manifest.json"), [0xff, 0xfe, 0x00]).unwrap();
    std::fs::write(
        other.join("manifest.json"),
        r#"{"schema":"kvartal","per":"2026-01-11","slut":"2026-01-11T02:05:00+01:00"}"#,
    )
    .unwrap();
    std::fs::remove_file(folder.join("manifest.json")).unwrap();
    std::fs::create_dir(folder.join("manifest.json")).unwrap();
    for per in ["2026-11-25", "2026-11-26"] {
        let r = run(&ws, "nattlig", per);
        assert_eq!(manifest(&r)["gallrade"], serde_json::json!([]));
    }
    for p in [&unreadable, &other, &folder] {
        assert!(p.join("resultat.jsonl").is_file(), "{}", p.display());
    }
}

/// Issue 18 item 17: a run that started first but was published last is
/// the previous run of the next one, whatever the names say.
#[test]
fn the_previous_run_is_the_newest_published_not_the_newest_name() {
    let ws = workspace();
    let started_first = run(&ws, "nattlig", "2026-11-25");
    let started_second = run(&ws, "nattlig", "2026-11-25");
    assert!(started_first < started_second);
    // The first-named run published last (as when the second took the
    // output lock first).
    let end_second = manifest(&started_second)["slut"]
        .as_str()
        .unwrap()
        .to_string();
    let later =
        chrono::DateTime::parse_from_rfc3339(&end_second).unwrap() + chrono::Duration::seconds(5);
    let mut m = manifest(&started_first);
    m["slut"] = later.to_rfc3339().into();
    std::fs::write(
        started_first.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
    let next = run(&ws, "nattlig", "2026-11-26");
    assert_eq!(
        manifest(&next)["foregaende_korning"],
        started_first
            .file_name()
            .unwrap()
            .to_string_lossy()
            .as_ref()
    );
}

/// The names on the lines of `out` that start with `verb` (after the indent).
fn listed(out: &str, verb: &str) -> BTreeSet<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("  ")?.strip_prefix(verb))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|n| n.trim_end_matches(':').to_string())
        .collect()
}

#[test]
fn gallra_dry_run_lists_what_gallra_then_removes_and_removes_nothing() {
    let ws = workspace();
    let first = run(&ws, "nattlig", "2026-08-01");
    let old = backdate(
        &first,
        "2026-08-01T020000_nattlig",
        "2026-08-01",
        "2026-08-01T02:05:00+02:00",
    );
    for (name, per) in [
        ("2026-09-01T020000_nattlig", "2026-09-01"),
        ("2026-09-02T020000_nattlig", "2026-09-02"),
        ("2026-11-20T020000_nattlig", "2026-11-20"),
        ("2026-11-26T020000_nattlig", "2026-11-26"),
    ] {
        copy_as(&old, name, per, &format!("{per}T02:05:00+01:00"));
    }
    let archived = ws.outputs().join("2026-09-02T020000_nattlig");
    std::fs::create_dir(archived.join("indata")).unwrap();
    let quarterly = run(&ws, "kvartal", "2026-03-15");
    backdate(
        &quarterly,
        "2026-03-15T060000_kvartal",
        "2026-03-15",
        "2026-03-15T06:05:00+01:00",
    );
    let before = entries(&ws);

    let dry = ws
        .cmd(&["gallra", "--schema", "nattlig", "--torrkorning"])
        .output();
    let text = stdout(&dry);
    assert_eq!(dry.status.code(), Some(0), "{text}{}", stderr(&dry));
    assert_eq!(entries(&ws), before, "a dry run removed something");
    let would = listed(&text, "skulle tas bort");
    assert_eq!(
        would,
        BTreeSet::from([
            "2026-08-01T020000_nattlig".to_string(),
            "2026-09-01T020000_nattlig".to_string()
        ]),
        "{text}"
    );
    assert!(
        text.starts_with(
            "nattlig: gallras efter 30 dagar, räknat från per-datum 2026-11-26 (körmappar med bevisarkiv behålls)\n"
        ),
        "{text}"
    );
    let why = text
        .lines()
        .find(|l| l.contains("2026-09-01T020000_nattlig"))
        .unwrap();
    assert!(
        why.ends_with(
            ": per-datum 2026-09-01 ligger 86 dagar före 2026-11-26 (gallras efter 30 dagar)"
        ),
        "{why}"
    );
    assert!(text.contains(
        "  behålls          2026-09-02T020000_nattlig: per-datum 2026-09-02 ligger 85 dagar före 2026-11-26, men körmappen har ett bevisarkiv (indata/) och schemat gallrar inte arkiv\n"
    ), "{text}");
    assert!(
        text.ends_with("skulle tas bort; inget har tagits bort.\n"),
        "{text}"
    );

    let real = ws.cmd(&["gallra"]).output();
    let text = stdout(&real);
    assert_eq!(real.status.code(), Some(0), "{text}{}", stderr(&real));
    let gone: BTreeSet<String> = before.difference(&entries(&ws)).cloned().collect();
    assert_eq!(gone, would, "{text}");
    assert_eq!(listed(&text, "togs bort"), would, "{text}");
    assert!(
        text.contains("kvartal: gallras inte (gallras_efter_dagar saknas); 1 körmapp behålls\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "manuell: gallras inte (gallring.manuell_efter_dagar saknas); 0 körmappar behålls\n"
        ),
        "{text}"
    );
    assert!(text.starts_with("kvartal: "), "{text}");
    assert!(text.contains("\nGallrat: 2 körmappar ("), "{text}");
}

/// Manual runs are kept unless the configuration says
/// `gallring.manuell_efter_dagar`; then a manual run removes old manual runs.
#[test]
fn manual_runs_go_only_when_the_configuration_says() {
    let ws = workspace();
    let manual = |per: &str| -> PathBuf {
        let before: BTreeSet<PathBuf> = ws.run_folders().into_iter().collect();
        let out = ws.cmd(&["run", "--per", per]).output();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let new: Vec<PathBuf> = ws
            .run_folders()
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        new[0].clone()
    };
    let first = manual("2026-01-01");
    let old = backdate(
        &first,
        "2026-01-01T020000_manuell",
        "2026-01-01",
        "2026-01-01T02:05:00+01:00",
    );
    copy_as(
        &old,
        "2026-01-02T020000_manuell",
        "2026-01-02",
        "2026-01-02T02:05:00+01:00",
    );
    let kept = manual("2026-11-26");
    assert_eq!(manifest(&kept)["gallrade"], serde_json::json!([]));
    assert!(old.is_dir());

    let config = std::fs::read_to_string(ws.config()).unwrap();
    assert!(config.contains("manuell_efter_dagar: null"));
    std::fs::write(
        ws.config(),
        config.replace("manuell_efter_dagar: null", "manuell_efter_dagar: 10"),
    )
    .unwrap();
    let removing = manual("2026-11-27");
    let m = manifest(&removing);
    let gone: Vec<&str> = m["gallrade"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["namn"].as_str().unwrap())
        .collect();
    // The newest two (this run and the one before) stay.
    assert_eq!(
        gone,
        ["2026-01-02T020000_manuell", "2026-01-01T020000_manuell"]
    );
    assert!(!old.exists());
    assert!(kept.is_dir());
}
