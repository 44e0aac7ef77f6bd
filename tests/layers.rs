//! The one-way layering of `src/`: a top-level module names (`crate::x`)
//! only modules of a lower layer, so the code reads bottom-up without a
//! cycle. Adding e.g. `use crate::run::...` in `report/` fails here.

use std::path::Path;

/// The layers from the leaves up. A module may use its own items and those
/// of any lower layer, never its own layer's other modules or a higher one.
/// (The order — `model`, `config`, `yaml`, `exit` → `ingest`,
/// `rules` → `report`, `schedule`, `template` → `run` → `commands` → `cli`
/// — refined where the code has a real one-way dependency: `config` reads
/// `model`'s types, `rules`' test harness reads `ingest`'s sheet reader.)
const LAYERS: &[&[&str]] = &[
    // Leaf utilities: no `crate::` imports at all.
    &["yaml", "exit", "digest", "metrics", "parallel", "oserror"],
    &["model"],
    &["config"],
    &["ingest"],
    &["rules", "settings"],
    &["report", "schedule", "template"],
    &["delivery"],
    &["run"],
    &["commands"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `crate::x…` path named in `text` outside comments, as `x…`.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let path: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push(path);
            rest = after;
        }
    }
    out
}

/// The imports of `module` (whose source is `text`) against the layer order.
fn violations(module: &str, text: &str) -> Vec<String> {
    let Some(own) = layer(module) else {
        return vec![format!("{module}: not in the layer table")];
    };
    let mut out = Vec::new();
    for path in crate_paths(text) {
        let target = path.split("::").next().unwrap_or_default();
        if target == module || target.is_empty() {
            continue;
        }
        match layer(target) {
            Some(l) if l < own => {}
            Some(_) => out.push(format!("{module} uses crate::{path}")),
            None => out.push(format!(
                "{module} uses crate::{path} (not in the layer table)"
            )),
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_uses_one_of_its_own_or_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs");
        if module == "lib" || module == "main" || module == "bin" {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(f).unwrap();
        found.extend(
            violations(module, &text)
                .into_iter()
                .map(|v| format!("{}: {v}", rel.display())),
        );
    }
    assert!(checked > 50, "only {checked} files under {}", src.display());
    assert!(
        found.is_empty(),
        "imports against the layer order:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_catches_an_upward_import_and_ignores_comments() {
    let text = "use crate::rules::Status;\n// see crate::run\nfn f() { crate::run::execute(); }\n";
    assert_eq!(
        violations("report", text),
        ["report uses crate::run::execute"]
    );
    assert_eq!(
        violations("rules", "use crate::report::xlsx;"),
        ["rules uses crate::report::xlsx"]
    );
    assert_eq!(
        violations("report", "use crate::schedule::Schedule;"),
        ["report uses crate::schedule::Schedule"]
    );
    assert_eq!(
        violations("model", "use crate::ingest::header::normalize;"),
        ["model uses crate::ingest::header::normalize"]
    );
}
