//! The command line: Swedish help everywhere, options only where they act
//! (issue 18 item 13).

use crate::common::{bin, stderr, stdout, Workspace};

/// Every command path of the binary.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["run"],
    &["check"],
    &["rules"],
    &["rules", "list"],
    &["rules", "explain"],
    &["rules", "test"],
    &["rules", "new"],
    &["rules", "diff"],
    &["schedule"],
    &["schedule", "list"],
    &["schedule", "next"],
    &["daemon"],
    &["gallra"],
    &["mall"],
];

#[test]
fn help_is_swedish_for_every_command() {
    for path in COMMANDS {
        for flag in ["-h", "--help"] {
            let out = std::process::Command::new(bin())
                .args(*path)
                .arg(flag)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{path:?} {flag}");
            let text = stdout(&out);
            assert!(
                text.contains("Användning: uppsikt") && text.contains("\nFlaggor:\n"),
                "{path:?} {flag}: {text}"
            );
            assert!(
                text.contains("Visa hjälp (-h en sammanfattning, --help allt)"),
                "{path:?} {flag}: {text}"
            );
            for english in [
                "Usage",
                "Options",
                "Commands:",
                "Arguments:",
                "Print help",
                "Print version",
                "[default:",
                "[possible values",
                "OPTIONS",
                "COMMAND",
            ] {
                assert!(
                    !text.contains(english),
                    "{path:?} {flag}: {english} in {text}"
                );
            }
        }
    }
}

#[test]
fn an_option_is_refused_where_it_does_nothing() {
    let ws = Workspace::new();
    let out = ws
        .cmd(&["schedule", "next", "--per", "2027-01-01"])
        .output();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "uppsikt: okänd flagga --per för det här kommandot\n\n\
         Användning: uppsikt schedule next [FLAGGOR] [NAMN]\n\n\
         Se uppsikt schedule next --help.\n"
    );
    assert_eq!(stdout(&out), "");
    let plain = |flag: &str| format!("{flag} för det här kommandot");
    for (args, refused) in [
        (
            &["rules", "list", "--vantetid", "0"][..],
            plain("--vantetid"),
        ),
        (
            &["rules", "test", "--period", "2026"][..],
            plain("--period"),
        ),
        (
            &["schedule", "list", "--indata", "x"][..],
            plain("--indata"),
        ),
        (&["mall", "--regler", "x"][..], plain("--regler")),
        (
            &["check", "--utdata", "x"][..],
            format!("{} (menade du --indata?)", plain("--utdata")),
        ),
    ] {
        let out = ws.cmd(args).output();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let first = stderr(&out).lines().next().unwrap_or_default().to_string();
        assert_eq!(
            first,
            format!("uppsikt: okänd flagga {refused}"),
            "{args:?}"
        );
    }
}

#[test]
fn a_misspelt_option_gets_a_suggestion_and_a_bad_value_the_valid_ones() {
    let out = std::process::Command::new(bin())
        .args(["check", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "uppsikt: ogiltigt värde \"xml\" för --format <FORMAT>; möjliga värden: text, json\n"
    );
    let out = std::process::Command::new(bin())
        .args(["run", "--perr", "2026-11-26"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).lines().next(),
        Some("uppsikt: okänd flagga --perr för det här kommandot (menade du --per?)")
    );
}

/// A reader that goes away (`uppsikt run 2>&1 | head -1`) ends nothing: a
/// closed stderr leaves the run to finish and publish with its own status,
/// a closed stdout after a run too; a command whose whole answer is on
/// stdout (`check --format json | head -1`) ends quietly with 141, the
/// status of a command ended by SIGPIPE. Never a panic or an abort (134).
#[test]
fn a_closed_stdout_or_stderr_ends_quietly() {
    use std::process::Stdio;
    let ws = Workspace::new();
    crate::common::fixture::valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let closed = |args: &[&str], close_stdout: bool| {
        let mut c = ws.cmd(args).command();
        c.env("RUST_LOG", "uppsikt=debug")
            .stdout(if close_stdout {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stderr(if close_stdout {
                Stdio::null()
            } else {
                Stdio::piped()
            });
        let mut child = c.spawn().unwrap();
        // The reader goes away before the command says anything.
        drop(child.stdout.take());
        drop(child.stderr.take());
        child.wait().unwrap().code()
    };
    assert_eq!(closed(&["run", "--per", "2026-11-26"], false), Some(0));
    assert_eq!(ws.run_folders().len(), 1, "the run was published");
    assert_eq!(closed(&["run", "--per", "2026-11-26"], true), Some(0));
    assert_eq!(ws.run_folders().len(), 2, "so was the second");
    let left: Vec<_> = std::fs::read_dir(ws.outputs())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".pågår-"))
        .collect();
    assert!(left.is_empty(), "no run left half-written");
    assert_eq!(closed(&["schedule", "list"], true), Some(0));
    assert_eq!(closed(&["--help"], true), Some(0));
    let out = {
        let mut child = ws
            .cmd(&["check", "--format", "json", "--per", "2026-11-26"])
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        child.wait_with_output().unwrap()
    };
    assert_eq!(out.status.code(), Some(141), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "nothing said about it");
}

/// The option names an operator would put in a cron line before they were
/// Swedish: still accepted (hidden aliases), never shown in the help.
const OLD_NAMES: &[&str] = &[
    "--log-format",
    "--config",
    "--inputs",
    "--rules",
    "--outputs",
    "--schedules",
    "--schedule",
    "--no-catch-up",
    "--against",
    "--coverage",
    "--output",
];

/// Option names are Swedish, without å, ä and ö (`--vantetid`), on every
/// command; the old English names still work, hidden.
#[test]
fn option_names_are_swedish_and_the_old_english_ones_still_work() {
    for path in COMMANDS {
        let out = std::process::Command::new(bin())
            .args(*path)
            .arg("--help")
            .output()
            .unwrap();
        let text = stdout(&out);
        for word in text.split(|c: char| c.is_whitespace() || ",.;()[]`".contains(c)) {
            let Some(name) = word.strip_prefix("--") else {
                continue;
            };
            let name = name.split(['=', '<', ':']).next().unwrap_or_default();
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{path:?}: {word}"
            );
            assert!(
                !OLD_NAMES.contains(&format!("--{name}").as_str()),
                "{path:?}: --{name} in\n{text}"
            );
        }
    }

    let ws = Workspace::new();
    crate::common::fixture::valid_verksamhet("KOV", "2026").save(ws.inputs().join("kov.xlsx"));
    let p = |s: &str| ws.path().join(s).display().to_string();
    let out = std::process::Command::new(bin())
        .args(["run", "--per", "2026-11-26", "--vantetid", "0"])
        .args(["--config", &p("uppsikt.yaml"), "--inputs", &p("inputs")])
        .args(["--rules", &p("rules"), "--schedules", &p("schedules")])
        .args(["--outputs", &p("ut"), "--log-format", "json"])
        .args(["--schedule", "nattlig"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for line in stderr(&out).lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "{line}"
        );
    }
    let runs: Vec<String> = std::fs::read_dir(ws.path().join("ut"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].ends_with("_nattlig"), "{runs:?}");
    let out = std::process::Command::new(bin())
        .args([
            "rules",
            "test",
            "R01",
            "--coverage",
            "--config",
            &p("uppsikt.yaml"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("R01"), "{}", stdout(&out));
}
