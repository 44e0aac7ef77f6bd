//! Operations (issue 18): one fault costs one thing, said in Swedish with
//! its place, never the night's report. One test per numbered item of the
//! issue (item 17, run order, is tested with gallring).

use std::fs;

use crate::common::fixture::valid_verksamhet;
use crate::common::{evaluation, results, stderr, Workspace};

const PER: &str = "2026-11-26";

/// A rule whose script does not compile (`import`) beside the shipped ones.
fn broken_rule(ws: &Workspace) {
    let yaml =
        "id: R90\ntitel: Trasig regel\nallvarlighet: låg\nobjekt: organisation\nreferens: test\n\
                dokumentation:\n  Vad regeln kontrollerar: test\n  Varför: test\n";
    fs::write(ws.path().join("rules/R90-trasig.yaml"), yaml).unwrap();
    fs::write(
        ws.path().join("rules/R90-trasig.rhai"),
        "import \"os\" as os;\nuppfyllt()\n",
    )
    .unwrap();
}

/// Item 1: a rule that does not compile is `regelfel` for every
/// organisation; the other rules run, the run publishes, exit 3; `check`
/// refuses it (exit 2).
#[test]
fn item01_a_broken_rule_costs_that_rule_only() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    broken_rule(&ws);
    let out = ws.cmd(&["run", "--per", PER]).output();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let runs = ws.run_folders();
    assert_eq!(runs.len(), 1, "one complete run folder");
    for f in ["manifest.json", "resultat.jsonl", "uppsikt-rapport.xlsx"] {
        assert!(runs[0].join(f).is_file(), "{f}");
    }
    let res = results(&runs[0]);
    let broken: Vec<_> = res.iter().filter(|e| e["regel"] == "R90").collect();
    let orgs = res.iter().filter(|e| e["regel"] == "R00").count();
    assert!(orgs > 1, "every register organisation is judged");
    assert_eq!(broken.len(), orgs, "R90 once per organisation");
    for e in &broken {
        assert_eq!(e["status"], "regelfel");
        assert_eq!(
            e["meddelande"],
            "Regeln kunde inte läsas in och bedömdes inte: rules/R90-trasig.rhai:1:1: \
             `import` är inte tillåtet i regler; en regel kan inte läsa in moduler eller köra text \
             som kod, skriv logiken direkt i skriptet"
        );
    }
    assert!(res
        .iter()
        .any(|e| e["regel"] == "R00" && e["status"] != "regelfel"));
    // The headline names the rule that could not be loaded, on
    // Sammanfattning and at the end of the terminal output.
    let sentence = "1 regel kunde inte läsas in och bedömdes inte (R90); se bladet Regler.";
    let printed = crate::common::stdout(&out);
    assert!(printed.lines().any(|l| l.trim() == sentence), "{printed}");
    assert!(!printed.contains("kunde inte köras"), "{printed}");
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook(runs[0].join("uppsikt-rapport.xlsx")).unwrap();
    let sam = calamine::Reader::worksheet_range(&mut wb, "Sammanfattning").unwrap();
    let cells: Vec<String> = sam.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(cells.iter().any(|c| c == sentence), "{cells:?}");
    let (_time, logged) = err.split_once(' ').unwrap();
    assert_eq!(
        logged,
        "ERROR uppsikt::commands::run: regeln R90 kan inte läsas in och blir regelfel för varje \
         organisation; övriga regler körs:\n\
         rules/R90-trasig.rhai:1:1: `import` är inte tillåtet i regler; en regel kan inte läsa in \
         moduler eller köra text som kod, skriv logiken direkt i skriptet\n  \
         |\n\
         1 | import \"os\" as os;\n  \
         | ^\n"
    );

    let out = ws.cmd(&["check", "--per", PER]).output();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "uppsikt: regler kan inte användas:\n\
         rules/R90-trasig.rhai:1:1: `import` är inte tillåtet i regler; en regel kan inte läsa in \
         moduler eller köra text som kod, skriv logiken direkt i skriptet\n  \
         |\n\
         1 | import \"os\" as os;\n  \
         | ^\n"
    );
}

/// Item 15: `check` refuses what fails later: a parameter of another type
/// than its tests use, a test case expecting no status, the scaffold's
/// placeholders, an empty register and a limit of 0.
#[test]
fn item15_check_refuses_what_fails_later() {
    let ws = Workspace::new();
    let yaml = "id: R90\ntitel: Ny regel\nallvarlighet: låg\nobjekt: organisation\nreferens: \"R: …\"\n\
                parametrar:\n  max_manader: \"tolv\"\n\
                dokumentation:\n  Vad regeln kontrollerar: |\n    Beskriv vad regeln kontrollerar.\n  Varför: test\n\
                tester:\n  - namn: tolv månader\n    parametrar:\n      max_manader: 12\n    förväntat: godkänd\n";
    fs::write(ws.path().join("rules/R90-ny.yaml"), yaml).unwrap();
    fs::write(ws.path().join("rules/R90-ny.rhai"), "uppfyllt()\n").unwrap();
    let config = fs::read_to_string(ws.config()).unwrap();
    let at = config
        .find("  max_rader:")
        .expect("max_rader in the configuration");
    let end = at + config[at..].find('\n').unwrap();
    let config = format!("{}  max_rader: 0{}", &config[..at], &config[end..]);
    assert!(
        config.contains("max_rader: 0"),
        "the configuration has granser:"
    );
    fs::write(ws.config(), config).unwrap();
    let out = ws.cmd(&["check", "--per", PER]).output();
    assert_eq!(out.status.code(), Some(2));
    let cfg = ws.config().display().to_string();
    let rule = ws.path().join("rules/R90-ny.yaml").display().to_string();
    assert_eq!(
        stderr(&out),
        format!(
            "uppsikt: {cfg}: granser.max_rader: 0 skulle underkänna varje fil; ange ett tal större än 0 \
             eller ta bort nyckeln (standard 100000)\n\
             uppsikt: {rule}: referens har kvar platshållaren \"R: …\" från uppsikt rules new; skriv regelns egen text\n\
             uppsikt: {rule}: dokumentation.Vad regeln kontrollerar har kvar platshållaren \"Beskriv vad regeln \
             kontrollerar\" från uppsikt rules new; skriv regelns egen text\n\
             uppsikt: {rule}: parametern max_manader är en text (tolv) men testfallet \"tolv månader\" ger den \
             ett tal (12); skriv värdet som ett tal\n\
             uppsikt: regel R90 testfall \"tolv månader\" går inte igenom: okänd status \"godkänd\"\n\
             uppsikt: 5 fel i konfigurationen eller reglerna; rätta dem före nästa körning\n"
        )
    );
}

/// Item 2: an alias equal to its own organisation's name after
/// normalisation is accepted with a note from `check`; collisions between
/// organisations are listed all at once, each with its line.
#[test]
fn item02_own_aliases_are_noted_and_collisions_listed_at_once() {
    let ws = Workspace::new();
    let config = fs::read_to_string(ws.config()).unwrap();
    let own = config
        .replacen(
            "alias: [Kretslopp och vatten]",
            "alias: [Kretslopp och vatten, Kretslopp- och vattennämnden]",
            1,
        )
        .replacen(
            "    beslutsorgan: Göteborgs Hamn AB:s styrelse\n",
            "    beslutsorgan: Göteborgs Hamn AB:s styrelse\n    alias: [Göteborgs hamn AB]\n",
            1,
        );
    assert_ne!(own, config);
    fs::write(ws.config(), &own).unwrap();
    let out = ws.cmd(&["check", "--per", PER]).output();
    let cfg = ws.config().display().to_string();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "uppsikt: obs: {cfg}: organisationer: aliaset \"Kretslopp- och vattennämnden\" (KOV) är detsamma \
             som \"Kretslopp och vattennämnden\" och behövs inte; namn jämförs utan skiftläge, bindestreck \
             och extra mellanslag\n\
             uppsikt: obs: {cfg}: organisationer: aliaset \"Göteborgs hamn AB\" (GHAB) är detsamma som \
             \"Göteborgs Hamn AB\" och behövs inte; namn jämförs utan skiftläge, bindestreck och extra mellanslag\n"
        )
    );

    let clashing = own
        .replacen(
            "alias: [Trafikkontoret]",
            "alias: [Trafikkontoret, Kretslopp och vatten]",
            1,
        )
        .replacen(
            "alias: [Göteborgs hamn AB]",
            "alias: [Göteborgs hamn AB, Trafikkontoret]",
            1,
        );
    fs::write(ws.config(), &clashing).unwrap();
    let out = ws.cmd(&["check", "--per", PER]).output();
    assert_eq!(out.status.code(), Some(2));
    // The lines of the alias lists, counted in the file as written.
    let line_of = |id: &str, alias: &str| {
        let lines: Vec<&str> = clashing.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.trim_start().trim_start_matches("- ") == format!("id: {id}"))
            .unwrap();
        start
            + 1
            + lines[start..]
                .iter()
                .position(|l| l.contains("alias:") && l.contains(alias))
                .unwrap()
    };
    let (kov, tn) = (
        line_of("KOV", "Kretslopp och vatten"),
        line_of("TN", "Kretslopp och vatten"),
    );
    let ghab = line_of("GHAB", "Trafikkontoret");
    assert!(kov < tn && tn < ghab);
    assert_eq!(
        stderr(&out),
        format!(
            "uppsikt: {cfg}:{tn}: organisationer: namnet \"Kretslopp och vatten\" (TN) är samma som \
             \"Kretslopp och vatten\" (KOV, rad {kov}); ett namn kan bara höra till en organisation\n\
             {cfg}:{ghab}: organisationer: namnet \"Trafikkontoret\" (GHAB) är samma som \
             \"Trafikkontoret\" (TN, rad {tn}); ett namn kan bara höra till en organisation\n"
        )
    );
    let run = ws.cmd(&["run", "--per", PER]).output();
    assert_eq!(run.status.code(), Some(2));
    assert!(ws.run_folders().is_empty(), "nothing published");
}

/// Item 3 (and 16): a folder removed while the shared folder is listed is
/// left out and the run goes on (test hook: the folder is removed just
/// before it is listed); a file listed and then gone is `väntar`, not `fel`.
#[test]
fn item03_a_folder_removed_during_listing_does_not_abort_the_run() {
    use uppsikt::settings::{Overrides, Settings};
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let gone = ws.inputs().join("borttagen-mapp-item03");
    fs::create_dir_all(&gone).unwrap();
    valid_verksamhet("TN", "2026").save(gone.join("tn.xlsx"));
    let target = gone.clone();
    uppsikt::ingest::discover::hooks::set_before_listing(move |dir| {
        if dir == target {
            let _ = fs::remove_dir_all(dir);
        }
    });
    let settings = Settings::from_overrides(&Overrides {
        config: ws.config(),
        inputs: Some(ws.inputs()),
        outputs: Some(ws.outputs()),
        rules: Some(ws.path().join("rules")),
        schedules: Some(ws.path().join("schedules")),
        per: Some(PER.into()),
        period: None,
        vantetid: Some(0),
    })
    .unwrap();
    let read = uppsikt::ingest::ingest(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
    )
    .expect("the run goes on");
    assert!(!gone.exists(), "the hook removed the folder");
    let paths: Vec<&str> = read.log.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["kov.xlsx"]);
    assert_eq!(read.log.entries[0].status.label(), "inläst");
}

fn library_settings(ws: &Workspace) -> uppsikt::settings::Settings {
    uppsikt::settings::Settings::from_overrides(&uppsikt::settings::Overrides {
        config: ws.config(),
        inputs: Some(ws.inputs()),
        outputs: Some(ws.outputs()),
        rules: Some(ws.path().join("rules")),
        schedules: Some(ws.path().join("schedules")),
        per: Some(PER.into()),
        period: None,
        vantetid: Some(0),
    })
    .unwrap()
}

/// Items 5 and 6: the archive is the judged bytes, written from memory: a
/// FIFO (or a link to /dev/zero) swapped in after reading is never opened;
/// a judged file missing from the archive is named.
#[cfg(unix)]
#[test]
fn item05_06_the_archive_is_the_judged_bytes() {
    let ws = Workspace::new();
    let kov = ws.inputs().join("kov.xlsx");
    valid_verksamhet("KOV", "2026").save(&kov);
    valid_verksamhet("TN", "2026").save(ws.inputs().join("tn.xlsx"));
    let judged = fs::read(&kov).unwrap();
    let s = library_settings(&ws);
    let read = uppsikt::ingest::ingest_keeping(
        &s.inputs,
        &s.config.organisationer,
        &s.ingest_options(),
        true,
    )
    .unwrap();
    // Swap a FIFO in for kov.xlsx and a link to /dev/zero for tn.xlsx.
    fs::remove_file(&kov).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&kov)
        .status()
        .unwrap();
    assert!(status.success());
    fs::remove_file(ws.inputs().join("tn.xlsx")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", ws.inputs().join("tn.xlsx")).unwrap();
    let dest = ws.path().join("arkiv");
    let t0 = std::time::Instant::now();
    let problems = uppsikt::report::archive::inputs(&dest, &read.log, &read.bytes).unwrap();
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(10),
        "no blocking"
    );
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(fs::read(dest.join("kov.xlsx")).unwrap(), judged);

    // A judged file whose bytes are not there is named, not a warning only.
    let mut bytes = read.bytes.clone();
    bytes.remove("tn.xlsx");
    let problems =
        uppsikt::report::archive::inputs(&ws.path().join("arkiv2"), &read.log, &bytes).unwrap();
    assert_eq!(
        problems,
        ["tn.xlsx: filen som bedömdes saknas i arkivet (indata/)"]
    );
}

/// Item 6 through the binary: an archived run (`--arkivera`) publishes the
/// judged bytes and ends 0 when the archive is complete.
#[test]
fn item06_an_archived_run_is_complete() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let out = ws.cmd(&["run", "--per", PER, "--arkivera"]).output();
    let runs = ws.run_folders();
    assert_eq!(runs.len(), 1, "{}", stderr(&out));
    assert_eq!(
        fs::read(runs[0].join("indata/kov.xlsx")).unwrap(),
        fs::read(ws.inputs().join("kov.xlsx")).unwrap()
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(runs[0].join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["arkiv_avvikelser"], serde_json::json!([]));
}

/// Item 7: waiting for the lock names the holder and gives up after the
/// configured limit with exit 2 and a clear message; nothing is published.
#[test]
fn item07_lock_waiting_is_bounded_and_names_the_holder() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let config = fs::read_to_string(ws.config()).unwrap();
    fs::write(ws.config(), format!("las_max_vantan_sekunder: 1\n{config}")).unwrap();
    let held = uppsikt::report::run_folder::OutputLock::acquire(&ws.outputs()).unwrap();
    let out = ws
        .cmd(&["run", "--per", PER])
        .command()
        .env("RUST_LOG", "uppsikt=info")
        .output()
        .unwrap();
    drop(held);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let pid = std::process::id();
    assert!(
        err.contains(&format!(
            "{}: en annan körning (PID {pid}, startad ",
            ws.outputs().display()
        )) && err.contains(") håller utdatamappen; väntar på den i högst 1 s "),
        "{err}"
    );
    let last = err.lines().last().unwrap();
    let prefix = format!(
        "uppsikt: {}: en annan körning (PID {pid}, startad ",
        ws.outputs().display()
    );
    assert!(last.starts_with(&prefix), "{last}");
    assert!(
        last.ends_with(
            "håller utdatamappen; gav upp efter 1 s att ha väntat (gränsen är 1 s). Kontrollera att \
             körningen lever, eller höj las_max_vantan_sekunder i konfigurationen"
        ),
        "{last}"
    );
    assert!(ws.run_folders().is_empty(), "nothing published");
}

/// Item 7: the wait is said again every `las_paminnelse_sekunder` (a
/// minute by default; here a second), each time with the holder's PID and
/// start as the lock file records them.
#[test]
fn item07_lock_waiting_repeats_with_the_holder() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let config = fs::read_to_string(ws.config()).unwrap();
    fs::write(
        ws.config(),
        format!("las_max_vantan_sekunder: 3\nlas_paminnelse_sekunder: 1\n{config}"),
    )
    .unwrap();
    let held = uppsikt::report::run_folder::OutputLock::acquire(&ws.outputs()).unwrap();
    let record = fs::read_to_string(ws.outputs().join(".uppsikt.lock")).unwrap();
    let started = record
        .lines()
        .find_map(|l| l.strip_prefix("start "))
        .expect("the lock file records the start")
        .to_string();
    let out = ws
        .cmd(&["run", "--per", PER, "--loggformat", "json"])
        .command()
        .env("RUST_LOG", "uppsikt=info")
        .output()
        .unwrap();
    drop(held);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let root = ws.outputs().display().to_string();
    let pid = std::process::id();
    let messages: Vec<String> = err
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"));
            v["fields"]["message"].as_str().unwrap().to_string()
        })
        .filter(|m| m.contains("håller utdatamappen"))
        .collect();
    assert_eq!(
        messages[0],
        format!(
            "{root}: en annan körning (PID {pid}, startad {started}) håller utdatamappen; \
             väntar på den i högst 3 s"
        )
    );
    let again = |s: u64| {
        format!(
            "{root}: väntar fortfarande; en annan körning (PID {pid}, startad {started}) håller \
             utdatamappen; har väntat {s} s av högst 3 s"
        )
    };
    let repeats = &messages[1..messages.len() - 1];
    assert!(!repeats.is_empty(), "the wait is said again: {err}");
    for (i, m) in repeats.iter().enumerate() {
        assert!(
            (1..=2).any(|s| *m == again(s)) && repeats[..i].iter().all(|earlier| earlier != m),
            "{m}\n{err}"
        );
    }
    assert_eq!(
        messages.last().unwrap(),
        &format!(
            "uppsikt: {root}: en annan körning (PID {pid}, startad {started}) håller utdatamappen; \
             gav upp efter 3 s att ha väntat (gränsen är 3 s). Kontrollera att körningen lever, \
             eller höj las_max_vantan_sekunder i konfigurationen"
        )
    );
    assert!(ws.run_folders().is_empty(), "nothing published");
}

/// Items 11 and 12: with `--loggformat json` every stderr line is JSON,
/// fatal errors and argument errors too; a reader panic is one line naming
/// the file, with no panic text or backtrace on stderr.
#[test]
fn item11_12_json_logs_are_json_and_a_reader_panic_is_one_line() {
    let ws = Workspace::new();
    let good = valid_verksamhet("KOV", "2026").to_bytes();
    let ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";
    let sheet = format!(
        "<worksheet {ns}><dimension ref=\"A1:XFD1048576\"/><sheetData><row r=\"4294967296\">\
         <c r=\"A4294967296\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>"
    );
    fs::write(
        ws.inputs().join("orimlig.xlsx"),
        crate::hostile::with_part(&good, "xl/worksheets/sheet1.xml", sheet.as_bytes()),
    )
    .unwrap();
    let out = ws
        .cmd(&["check", "--per", PER, "--loggformat", "json"])
        .command()
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        !err.contains("panicked at") && !err.contains("stack backtrace"),
        "{err}"
    );
    for line in err.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        if cfg!(debug_assertions) {
            // calamine's row overflow panics only with overflow checks.
            assert_eq!(v["fields"]["file"], "orimlig.xlsx", "{line}");
            assert!(v["fields"]["message"]
                .as_str()
                .unwrap()
                .starts_with("läsaren kraschade på filen och den underkänns: "));
        }
    }
    if cfg!(debug_assertions) {
        assert_eq!(err.lines().count(), 1, "{err}");
    }

    for args in [
        &["schedule", "next", "--per", PER, "--loggformat", "json"][..],
        &[
            "run",
            "--per",
            PER,
            "--regler",
            "/finns/inte",
            "--loggformat",
            "json",
        ][..],
    ] {
        let out = ws.cmd(args).output();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(!err.is_empty());
        for line in err.lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|_| panic!("{args:?}: not JSON: {line}"));
            assert_eq!(v["level"], "ERROR", "{line}");
        }
    }
}

fn rule_with_script(ws: &Workspace, id: &str, script: &str) {
    let yaml = format!(
        "id: {id}\ntitel: Regel {id}\nallvarlighet: låg\nobjekt: organisation\nreferens: test\n\
         dokumentation:\n  Vad regeln kontrollerar: test\n  Varför: test\n"
    );
    fs::write(ws.path().join(format!("rules/{id}-test.yaml")), yaml).unwrap();
    fs::write(ws.path().join(format!("rules/{id}-test.rhai")), script).unwrap();
}

/// Item 8: `print` in a loop is capped per rule and run, each line names
/// the rule and organisation, and one line says how many were suppressed.
#[test]
fn item08_a_print_flood_is_capped() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    rule_with_script(
        &ws,
        "R90",
        "for i in 0..1000 { print(`rad ${i}`); }\nuppfyllt()",
    );
    let out = ws
        .cmd(&["run", "--per", PER, "--loggformat", "json"])
        .command()
        .env("RUST_LOG", "uppsikt::regel=info")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let runs = ws.run_folders();
    let orgs = results(&runs[0])
        .iter()
        .filter(|e| e["regel"] == "R90")
        .count();
    let lines: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let printed: Vec<_> = lines
        .iter()
        .filter(|v| {
            v["fields"]["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("rad ")
        })
        .collect();
    assert_eq!(printed.len(), 100);
    assert!(printed.iter().all(|v| v["fields"]["regel"] == "R90"
        && !v["fields"]["organisation"].as_str().unwrap().is_empty()));
    let suppressed: Vec<_> = lines
        .iter()
        .filter(|v| {
            v["fields"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("undertrycktes")
        })
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["fields"]["message"],
        format!("{} rader till undertrycktes", orgs * 1000 - 100)
    );
}

/// Item 9: a rule that times out on every subject stops costing time once
/// its run budget is used: the rest of its subjects are `regelfel` at once.
#[test]
fn item09_a_slow_rule_has_a_run_budget() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let config = fs::read_to_string(ws.config()).unwrap();
    fs::write(
        ws.config(),
        format!("regel_budget_sekunder: 0.05\n{config}"),
    )
    .unwrap();
    rule_with_script(&ws, "R90", "loop { }\nuppfyllt()");
    let t0 = std::time::Instant::now();
    let out = ws.cmd(&["run", "--per", PER]).output();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let res = results(&ws.run_folders()[0]);
    let r90: Vec<_> = res.iter().filter(|e| e["regel"] == "R90").collect();
    assert!(r90.len() > 6, "enough organisations to exceed the budget");
    assert!(r90.iter().all(|e| e["status"] == "regelfel"));
    let over: Vec<_> = r90
        .iter()
        .filter(|e| {
            e["meddelande"]
                == "rules/R90-test.rhai: regelns tidsbudget för körningen (0,05 s skripttid utöver 1 ms per objekt) är slut; \
                    objektet bedömdes inte. Gör skriptet snabbare eller höj regel_budget_sekunder"
        })
        .collect();
    assert!(!over.is_empty(), "{r90:?}");
    // Each timed-out subject costs 0.5 s; the budget ends that after ~1 s per worker.
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(r90.len() as u64 / 2),
        "{:?}",
        t0.elapsed()
    );
    let err = stderr(&out);
    assert_eq!(
        err.matches("regelns tidsbudget för körningen").count(),
        1,
        "{err}"
    );
}

/// Item 4: one broken, unrelated schedule file does not stop a run of
/// another schedule (it is logged); `check` still refuses it.
#[test]
fn item04_a_broken_unrelated_schedule_does_not_stop_the_run() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    fs::write(
        ws.path().join("schedules/trasig.yaml"),
        "namn: trasig\nuttryck: [\n",
    )
    .unwrap();
    let out = ws
        .cmd(&["run", "--per", PER, "--schema", "nattlig"])
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let runs = ws.run_folders();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].to_string_lossy().ends_with("_nattlig"));
    assert!(stderr(&out)
        .contains("andra scheman än nattlig kan inte användas (körningen går ändå); rätta dem:\n"));
    assert!(stderr(&out).contains("trasig.yaml"));
    let out = ws
        .cmd(&["run", "--per", PER, "--schema", "trasig"])
        .output();
    assert_eq!(out.status.code(), Some(2));
    let check = ws.cmd(&["check", "--per", PER]).output();
    assert_eq!(check.status.code(), Some(2));
}

/// Item 16: an organisation whose only file is `väntar` (modified just
/// now) is `underlag saknas` on R00, "inlämning pågår", not `brist`; the
/// waiting file is told as the organisation's its name names, and an
/// organisation with nothing at all is still `brist`.
#[test]
fn item16_a_waiting_file_is_a_submission_under_way() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("KOV-verksamhet.xlsx"));
    // Not through Workspace::cmd, which always passes --vantetid 0.
    let out = std::process::Command::new(crate::common::bin())
        .args(["run", "--per", PER, "--vantetid", "3600", "--konfiguration"])
        .arg(ws.config())
        .env("RUST_LOG", "uppsikt=warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let runs = ws.run_folders();
    let res = results(&runs[0]);
    let kov = evaluation(&res, "R00", "KOV");
    assert_eq!(kov["status"], "underlag saknas", "{kov:#}");
    assert_eq!(
        kov["meddelande"],
        "Arbetsböckerna för perioden 2026 har inte lästs ännu, men inlämning pågår: en fil från \
         er väntar (den laddas upp eller ändrades nyss) och läses i en senare körning"
    );
    assert_eq!(evaluation(&res, "R00", "TN")["status"], "brist");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(runs[0].join("manifest.json")).unwrap()).unwrap();
    let inputs = manifest["filer"].as_array().expect("manifest filer");
    let file = inputs
        .iter()
        .find(|e| e["sokvag"] == "KOV-verksamhet.xlsx")
        .expect("KOV-verksamhet.xlsx");
    assert_eq!(file["status"], "väntar", "{file:#}");
    assert_eq!(file["organisation"], "KOV", "{file:#}");
}

/// `check --format json` gives its problems and notes as JSON too, beside
/// the input log (`problem`, `obs`); with problems it reads no inputs and
/// ends 2.
#[test]
fn check_json_carries_problems_and_notes() {
    let ws = Workspace::new();
    let config = fs::read_to_string(ws.config()).unwrap();
    let noted = config.replacen(
        "alias: [Kretslopp och vatten]",
        "alias: [Kretslopp och vatten, Kretslopp- och vattennämnden]",
        1,
    );
    assert_ne!(noted, config);
    fs::write(ws.config(), &noted).unwrap();
    let cfg = ws.config().display().to_string();
    let note = format!(
        "{cfg}: organisationer: aliaset \"Kretslopp- och vattennämnden\" (KOV) är detsamma som \
         \"Kretslopp och vattennämnden\" och behövs inte; namn jämförs utan skiftläge, bindestreck \
         och extra mellanslag"
    );
    let out = ws
        .cmd(&["check", "--format", "json", "--per", PER])
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["obs"], serde_json::json!([note]));
    assert_eq!(j["problem"], serde_json::json!([]));
    assert!(j["filer"].is_array(), "{j:#}");

    let at = noted.find("  max_rader:").expect("max_rader");
    let end = at + noted[at..].find('\n').unwrap();
    fs::write(
        ws.config(),
        format!("{}  max_rader: 0{}", &noted[..at], &noted[end..]),
    )
    .unwrap();
    let out = ws
        .cmd(&["check", "--format", "json", "--per", PER])
        .output();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        j,
        serde_json::json!({
            "problem": [format!(
                "{cfg}: granser.max_rader: 0 skulle underkänna varje fil; ange ett tal större än 0 \
                 eller ta bort nyckeln (standard 100000)"
            )],
            "obs": [note],
        })
    );
}

/// A run whose disk fills under `spec` (`NAMN:BYTE`, the test hook
/// `UPPSIKT_TEST_DISKEN_FULL`), logging JSON: its exit code, its error
/// message and the temporary run folder it wrote in
/// (`<utdata>/.pågår-<start>_manuell-<pid>`, read from the message). Every
/// stderr line must be JSON, exactly one an error, and that one the last.
fn run_on_full_disk(ws: &Workspace, spec: &str) -> (Option<i32>, String, String) {
    let child = ws
        .cmd(&["run", "--per", PER, "--loggformat", "json"])
        .command()
        .env("UPPSIKT_TEST_DISKEN_FULL", spec)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    let events: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}\n{err}")))
        .collect();
    let errors: Vec<_> = events.iter().filter(|e| e["level"] == "ERROR").collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert_eq!(events.last(), Some(errors[0]), "{err}");
    let message = errors[0]["fields"]["message"].as_str().unwrap().to_string();
    // The run folder's temporary name holds its start time.
    let tmp = format!("{}/.pågår-", ws.outputs().display());
    let stamp = message
        .strip_prefix(&format!("uppsikt: {tmp}"))
        .and_then(|r| r.split_once("_manuell-"))
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| panic!("{message}"));
    assert!(
        chrono::NaiveDateTime::parse_from_str(&stamp, uppsikt::report::run_folder::STAMP_FORMAT)
            .is_ok(),
        "{stamp}"
    );
    (
        out.status.code(),
        message,
        format!("{tmp}{stamp}_manuell-{pid}"),
    )
}

/// No run folder published, and nothing but the lock left in the output
/// root (the temporary folder of a failed run is removed).
fn nothing_published_or_left(ws: &Workspace, what: &str) {
    assert!(ws.run_folders().is_empty(), "nothing published ({what})");
    let left: Vec<_> = fs::read_dir(ws.outputs())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".uppsikt.lock")
        .collect();
    assert!(
        left.is_empty(),
        "nothing half-written is left ({what}): {left:?}"
    );
}

/// Item 11, a full disk: a workbook that cannot be saved ends the run with
/// exit 2 and one Swedish line naming the file (the test hook makes the
/// report's save fail as a full disk does, after a few kilobytes); with
/// `--loggformat json` every stderr line is JSON (no `ZipWriter::drop`
/// text from the zip writer inside), and no run folder is published or
/// left half-written.
#[test]
fn item11_a_full_disk_is_one_swedish_line_and_publishes_nothing() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let (code, message, folder) = run_on_full_disk(&ws, "uppsikt-rapport.xlsx:4096");
    assert_eq!(code, Some(2));
    assert_eq!(
        message,
        format!("uppsikt: {folder}/uppsikt-rapport.xlsx: kan inte skrivas: Disken är full")
    );
    nothing_published_or_left(&ws, "the report");

    // A feedback workbook: the message names the file under the folder.
    let (code, message, folder) = run_on_full_disk(&ws, "KOV.xlsx:0");
    assert_eq!(code, Some(2));
    let dir = format!("{folder}/aterkoppling");
    assert_eq!(
        message,
        format!("uppsikt: {dir}: kan inte skrivas\n  orsak: {dir}/KOV.xlsx: Disken är full")
    );
    nothing_published_or_left(&ws, "a feedback workbook");
}

/// Item 11, a full disk under the files that are no workbooks: when
/// `resultat.jsonl` (written while the rules are evaluated) or
/// `manifest.json` (the last file before publishing) cannot be written,
/// the run ends with exit 2 and one Swedish error naming the file, every
/// stderr line is JSON, and nothing is published or left half-written.
#[test]
fn item11_a_full_disk_under_results_or_manifest_publishes_nothing() {
    let ws = Workspace::new();
    valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    for (file, budget) in [("resultat.jsonl", 100), ("manifest.json", 0)] {
        let (code, message, folder) = run_on_full_disk(&ws, &format!("{file}:{budget}"));
        assert_eq!(code, Some(2), "{file}");
        assert_eq!(
            message,
            format!("uppsikt: {folder}/{file}: kan inte skrivas\n  orsak: Disken är full")
        );
        nothing_published_or_left(&ws, file);
    }
}

/// `check --format json` answers in JSON on stdout also when the
/// configuration itself cannot be read (the error is said on stderr too,
/// as one JSON event under `--loggformat json`), and its problem lines are
/// JSON events on stderr under `--loggformat json`.
#[test]
fn check_json_answers_in_json_when_the_configuration_cannot_be_read() {
    let ws = Workspace::new();
    let cfg = ws.config().display().to_string();
    let json_lines = |err: &str| -> Vec<serde_json::Value> {
        err.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}\n{err}")))
            .collect()
    };

    let check_json_logged = || {
        ws.cmd(&[
            "check",
            "--format",
            "json",
            "--per",
            PER,
            "--loggformat",
            "json",
        ])
        .output()
    };

    fs::remove_file(ws.config()).unwrap();
    let out = check_json_logged();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("stdout is not JSON: {}", crate::common::stdout(&out)));
    assert_eq!(
        j,
        serde_json::json!({ "problem": [format!("{cfg}: kan inte läsas: Finns inte")], "obs": [] })
    );
    let events = json_lines(&stderr(&out));
    assert_eq!(events.len(), 1, "{}", stderr(&out));
    assert_eq!(events[0]["level"], "ERROR");
    assert_eq!(
        events[0]["fields"]["message"],
        format!("uppsikt: {cfg}: kan inte läsas\n  orsak: Finns inte")
    );
    // Without --loggformat json the same error is plain text on stderr.
    let out = ws
        .cmd(&["check", "--format", "json", "--per", PER])
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("uppsikt: {cfg}: kan inte läsas\n  orsak: Finns inte\n")
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());

    // A register that does not load: also JSON, the problem in Swedish.
    fs::write(ws.config(), "vantetid_sekunder: 0\n").unwrap();
    let out = check_json_logged();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        j,
        serde_json::json!({
            "problem": [format!("{cfg}:1:1: nyckeln `organisationer` saknas")],
            "obs": []
        })
    );
    json_lines(&stderr(&out));

    // The problems check finds are JSON events on stderr too.
    fs::write(ws.config(), "organisationer: []\n").unwrap();
    let out = check_json_logged();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let problem =
        format!("{cfg}: registret är tomt (organisationer: []); ange minst en organisation");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j, serde_json::json!({ "problem": [problem], "obs": [] }));
    let messages: Vec<String> = json_lines(&stderr(&out))
        .iter()
        .map(|e| e["fields"]["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        messages,
        [
            format!("uppsikt: {problem}"),
            "uppsikt: 1 fel i konfigurationen eller reglerna; rätta dem före nästa körning"
                .to_string()
        ]
    );
}

/// Item 5 through the binary: the archive holds the bytes that were judged.
/// The run reads the shared folder before it takes the output root's lock;
/// the test holds the lock, changes the file while the run waits, and lets
/// go: the run archives what it read, not the file's new content.
#[test]
fn item05_a_file_changed_after_reading_is_archived_as_judged() {
    use std::io::BufRead as _;
    let ws = Workspace::new();
    let kov = ws.inputs().join("kov.xlsx");
    valid_verksamhet("KOV", "2026").save(&kov);
    let judged = fs::read(&kov).unwrap();
    let held = uppsikt::report::run_folder::OutputLock::acquire(&ws.outputs()).unwrap();
    let mut child = ws
        .cmd(&["run", "--per", PER, "--arkivera", "--loggformat", "json"])
        .command()
        .env("RUST_LOG", "uppsikt=info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "the run ended: {log}"
        );
        log.push_str(&line);
        if line.contains("håller utdatamappen; väntar på den") {
            break;
        }
    }
    // Read and judged; now the file changes under the waiting run.
    valid_verksamhet("KOV", "2025").save(&kov);
    assert_ne!(fs::read(&kov).unwrap(), judged);
    drop(held);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{log}{rest}");
    let runs = ws.run_folders();
    assert_eq!(runs.len(), 1);
    assert_eq!(fs::read(runs[0].join("indata/kov.xlsx")).unwrap(), judged);
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(runs[0].join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["arkiv_avvikelser"], serde_json::json!([]));
}
