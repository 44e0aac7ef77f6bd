//! Shared helpers: a fluent runner for the binary and a temp workspace.
#![allow(dead_code)]

pub mod fixture;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The path of the built binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_uppsikt"))
}

/// The repository root (for the shipped rules, schedules and config).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary workspace with `inputs/`, `outputs/`, a copy of the shipped
/// rules and schedules, and a configuration file.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// A workspace with the shipped configuration (register), rules and schedules.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Self { dir };
        std::fs::create_dir_all(ws.inputs()).unwrap();
        std::fs::create_dir_all(ws.outputs()).unwrap();
        copy_dir(&repo().join("rules"), &ws.path().join("rules"));
        copy_dir(&repo().join("schedules"), &ws.path().join("schedules"));
        std::fs::copy(repo().join("uppsikt.yaml"), ws.config()).unwrap();
        ws
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn inputs(&self) -> PathBuf {
        self.path().join("inputs")
    }
    pub fn outputs(&self) -> PathBuf {
        self.path().join("outputs")
    }
    pub fn config(&self) -> PathBuf {
        self.path().join("uppsikt.yaml")
    }

    /// A command for the binary with `--konfiguration` set and settle time 0 (where
    /// the command takes one).
    pub fn cmd(&self, args: &[&str]) -> Run {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            config: self.config(),
        }
    }

    /// The run folders written so far (final names only), sorted.
    pub fn run_folders(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.outputs())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .collect();
        v.sort();
        v
    }
}

/// A prepared invocation.
pub struct Run {
    args: Vec<String>,
    config: PathBuf,
}

impl Run {
    pub fn arg(mut self, a: &str) -> Self {
        self.args.push(a.to_string());
        self
    }

    /// The command: the arguments, the workspace config, settle time 0 and
    /// warnings-only logs (callers may add to it, e.g. pipes or a log filter).
    pub fn command(&self) -> Command {
        let mut c = Command::new(bin());
        c.args(&self.args)
            .arg("--konfiguration")
            .arg(&self.config)
            .env("RUST_LOG", "uppsikt=warn");
        // Only the commands that read the shared folder take --vantetid.
        let words: Vec<&str> = self.args.iter().take(2).map(String::as_str).collect();
        if matches!(
            words.as_slice(),
            ["run", ..] | ["check", ..] | ["daemon", ..] | ["mall", ..] | ["rules", "diff"]
        ) {
            c.arg("--vantetid").arg("0");
        }
        c
    }

    /// Run and return the output.
    pub fn output(self) -> Output {
        self.command().output().expect("run uppsikt")
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    if !from.exists() {
        return;
    }
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Every evaluation of a run folder's `resultat.jsonl`.
pub fn results(run: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.join("resultat.jsonl"))
        .expect("resultat.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The evaluation of rule `regel` for organisation `org` among `res` (the
/// first, for a rule with several subjects).
pub fn evaluation<'a>(
    res: &'a [serde_json::Value],
    regel: &str,
    org: &str,
) -> &'a serde_json::Value {
    res.iter()
        .find(|e| e["regel"] == regel && e["organisation"] == org)
        .unwrap_or_else(|| panic!("no {regel} evaluation for {org}: {res:#?}"))
}

/// A zip archive of `entries` (name, content), deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, content) in entries {
            z.start_file(
                *name,
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
            z.write_all(content).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// The input-log line of one file (path relative to inputs/) in the JSON
/// of `check --format json`.
pub fn entry<'a>(j: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    j["filer"]
        .as_array()
        .expect("filer")
        .iter()
        .find(|f| f["sokvag"] == path)
        .unwrap_or_else(|| panic!("{path} not in the input log:\n{j:#}"))
}

/// A Verksamhet workbook for `org` (handed in on `inlamnad`) with a
/// `System` sheet: rows of (System, Skyddsbehov, Uppnådd säkerhetsnivå),
/// names written as literal text whatever they look like. R08 finds a
/// brist (hög) where the level reached is below the need.
pub fn systems_verksamhet(path: &Path, org: &str, inlamnad: &str, systems: &[(&str, u8, u8)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    // A fixed creation time, so the same rows give the same bytes.
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 10, 1).unwrap();
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let ws = wb.add_worksheet().set_name("Inlämning").unwrap();
    for (r, (k, v)) in [
        ("Typ", "Verksamhet"),
        ("Organisations-id", org),
        ("Period", "2026"),
        ("Inlämnad", inlamnad),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(r as u32, 0, *k).unwrap();
        ws.write_string(r as u32, 1, *v).unwrap();
    }
    let ws = wb.add_worksheet().set_name("System").unwrap();
    for (c, h) in ["System", "Typ", "Skyddsbehov", "Uppnådd säkerhetsnivå"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (name, need, got)) in systems.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *name).unwrap();
        ws.write_string(r, 1, "Verksamhetsspecifik").unwrap();
        ws.write_number(r, 2, *need as f64).unwrap();
        ws.write_number(r, 3, *got as f64).unwrap();
    }
    wb.save(path).unwrap();
}

/// A workspace whose rule folder holds only the rules whose file names
/// start with `prefix` (e.g. `R08`), so counts are exact.
pub fn workspace_with_only(prefix: &str) -> Workspace {
    let ws = Workspace::new();
    for e in std::fs::read_dir(ws.path().join("rules"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(prefix) && e.path().is_file() {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    ws
}

/// `uppsikt run --per PER` in `ws`, which must succeed (exit 0); the run
/// folder it published (the one that was not there before).
pub fn run_ok(ws: &Workspace, per: &str) -> PathBuf {
    let before = ws.run_folders();
    let out = ws.cmd(&["run", "--per", per]).output();
    published(ws, &before, &out)
}

/// The run folder a finished `uppsikt run` (`out`, which must have
/// succeeded: exit 0) published: the one not among `before`.
pub fn published(ws: &Workspace, before: &[PathBuf], out: &std::process::Output) -> PathBuf {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    let new: Vec<PathBuf> = ws
        .run_folders()
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    new[0].clone()
}
