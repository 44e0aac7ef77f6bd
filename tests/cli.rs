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
    for (args, refused) in [
        (&["rules", "list", "--vantetid", "0"][..], "--vantetid"),
        (&["rules", "test", "--period", "2026"][..], "--period"),
        (&["schedule", "list", "--inputs", "x"][..], "--inputs"),
        (&["mall", "--rules", "x"][..], "--rules"),
        (&["check", "--outputs", "x"][..], "--outputs"),
    ] {
        let out = ws.cmd(args).output();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let first = stderr(&out).lines().next().unwrap_or_default().to_string();
        assert_eq!(
            first,
            format!("uppsikt: okänd flagga {refused} för det här kommandot"),
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
