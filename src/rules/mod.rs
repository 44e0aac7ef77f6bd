//! The rule engine (the rules themselves live in `rules/` as YAML + Rhai):
//! loading and validating every rule before any data is read, the sandboxed
//! engine and its API, evaluation, and the rule-test harness.

#[allow(missing_docs)] // documented as it is split (issue 15, the api.rs split)
pub mod api;
pub mod definition;
mod evaluate;
pub mod harness;
pub mod indicators;
pub mod maturity;
pub mod sandbox;
pub mod status;
pub mod workbench;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::{Dynamic, Engine, Map, Scope, AST};

pub use definition::{RuleDef, SubjectKind, View};
pub use evaluate::{
    format_rhai_error, subject_key, Context, Evaluation, EvaluationJson, AVSTEG_KEY_FIELDS,
};
pub use status::{Severity, Status};

use crate::yaml;

/// One loaded, compiled rule.
pub struct Rule {
    /// The rule's YAML.
    pub def: RuleDef,
    /// Where the YAML was read from.
    pub yaml_path: PathBuf,
    /// Where the script was read from.
    pub script_path: PathBuf,
    /// SHA-256 of the YAML as loaded.
    pub yaml_sha256: String,
    /// SHA-256 of the script as loaded.
    pub script_sha256: String,
    /// The YAML and the script exactly as loaded: error excerpts and the run's
    /// archive use these, never the files, which may have changed since.
    pub yaml_source: Arc<str>,
    /// The script as loaded.
    pub script_source: Arc<str>,
    /// The compiled script.
    pub ast: AST,
    /// Parameters as the script sees them (`param`).
    pub params: Dynamic,
    /// The script's function resolution, kept between evaluations.
    pub warm: evaluate::WarmCaches,
}

impl Rule {
    /// The script path as shown in messages: the rule folder's name and the
    /// file (`rules/R05-avsteg-motiverat.rhai`), the same wherever the folder is.
    pub fn script_display(&self) -> String {
        short_path(&self.script_path)
    }

    /// Replace parameter values (used by rule tests).
    pub fn with_params(&self, overrides: &crate::yaml::YamlMapping) -> Result<Dynamic, String> {
        let mut map: Map = self.params.clone().try_cast::<Map>().unwrap_or_default();
        for (k, v) in overrides {
            let k = k.as_str().unwrap_or_default();
            if !map.contains_key(k) {
                return Err(format!("okänd parameter \"{k}\" för {}", self.def.id));
            }
            map.insert(k.into(), api::yaml_to_dynamic(v));
        }
        Ok(Dynamic::from_map(map))
    }
}

/// All rules of a folder, validated and compiled, with the engine they run in.
pub struct RuleSet {
    /// The rule folder.
    pub dir: PathBuf,
    /// The rules, in id order.
    pub rules: Vec<Rule>,
    /// The Rhai engine (sandboxed) the rules run in.
    pub engine: Engine,
    /// The limits of each evaluation.
    pub limits: sandbox::Limits,
}

/// Why a rule folder cannot be used (exit status 2, nothing written).
#[derive(Debug, thiserror::Error)]
#[error("{}", .errors.join("\n"))]
pub struct RuleLoadError {
    /// One line per problem, each leading with `file:line:column`.
    pub errors: Vec<String>,
}

/// The variables every script may use (strict variables checks against them).
pub const SCRIPT_VARIABLES: &[&str] = &[
    "objekt", "org", "katalog", "register", "per", "period", "param",
];

impl RuleSet {
    /// Load every `*.yaml` in `dir` and its script; report every problem at once.
    pub fn load(dir: &Path) -> Result<Self, RuleLoadError> {
        let limits = sandbox::Limits::default();
        let engine = sandbox::engine(limits);
        let mut errors = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
                .collect(),
            Err(e) => {
                return Err(RuleLoadError {
                    errors: vec![format!(
                        "{}: regelmappen kan inte läsas: {e}",
                        dir.display()
                    )],
                })
            }
        };
        files.sort();
        let mut template = Scope::new();
        // Plain variables, not constants: the optimiser would inline a
        // constant `()` into the compiled script.
        for v in SCRIPT_VARIABLES {
            template.push_dynamic(*v, Dynamic::UNIT);
        }
        for yaml_path in files {
            match load_rule(&engine, &template, &yaml_path) {
                Ok(rule) => {
                    if let Some(other) = rules.iter().find(|r| r.def.id == rule.def.id) {
                        errors.push(format!(
                            "{}: regel-id {} finns redan i {}",
                            yaml_path.display(),
                            rule.def.id,
                            other.yaml_path.display()
                        ));
                    } else {
                        rules.push(rule);
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if rules.is_empty() && errors.is_empty() {
            errors.push(format!("{}: inga regler (*.yaml) hittades", dir.display()));
        }
        if !errors.is_empty() {
            return Err(RuleLoadError { errors });
        }
        rules.sort_by(|a, b| a.def.id.cmp(&b.def.id));
        Ok(Self {
            dir: dir.to_path_buf(),
            rules,
            engine,
            limits,
        })
    }

    /// The rule with id `id`.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.def.id.eq_ignore_ascii_case(id))
    }

    /// A fingerprint of the whole rule set: SHA-256 over every file's hash.
    pub fn fingerprint(&self) -> String {
        let mut all = String::new();
        for r in &self.rules {
            all.push_str(&r.yaml_sha256);
            all.push_str(&r.script_sha256);
        }
        crate::digest::sha256_hex(all.as_bytes())
    }
}

fn load_rule(engine: &Engine, template: &Scope, yaml_path: &Path) -> Result<Rule, Vec<String>> {
    let text = std::fs::read_to_string(yaml_path)
        .map_err(|e| vec![format!("{}: kan inte läsas: {e}", yaml_path.display())])?;
    let def: RuleDef = yaml::parse(&text, yaml_path).map_err(|e| vec![e.to_string()])?;
    let mut errors = Vec::new();
    if def.id.is_empty()
        || !def
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(format!(
            "{}: id \"{}\" är ogiltigt (bokstäver, siffror och -)",
            yaml_path.display(),
            def.id
        ));
    }
    let script_path = match &def.skript {
        Some(s) => yaml_path.with_file_name(s),
        None => yaml_path.with_extension("rhai"),
    };
    let script = match std::fs::read_to_string(&script_path) {
        Ok(s) => s,
        Err(e) => {
            errors.push(format!(
                "{}: skriptet kan inte läsas: {e}",
                script_path.display()
            ));
            return Err(errors);
        }
    };
    let display = short_path(&script_path);
    let ast = match engine.compile_with_scope(template, &script) {
        Ok(mut ast) => {
            ast.set_source(display.as_str());
            Some(ast)
        }
        Err(e) => {
            let pos = e.position();
            let mut msg = e.to_string();
            if let Some(i) = msg.find(" (line ") {
                msg.truncate(i);
            }
            errors.push(format!(
                "{display}:{}:{}: {msg}",
                pos.line().unwrap_or(0),
                pos.position().unwrap_or(0)
            ));
            None
        }
    };
    let mut params = Map::new();
    for (k, v) in def.parameter_values() {
        params.insert(k.into(), api::yaml_to_dynamic(&v));
    }
    match (ast, errors.is_empty()) {
        (Some(ast), true) => Ok(Rule {
            yaml_sha256: crate::digest::sha256_hex(text.as_bytes()),
            script_sha256: crate::digest::sha256_hex(script.as_bytes()),
            yaml_source: text.into(),
            script_source: script.into(),
            def,
            yaml_path: yaml_path.to_path_buf(),
            script_path,
            ast,
            params: Dynamic::from_map(params),
            warm: Default::default(),
        }),
        _ => Err(errors),
    }
}

/// `folder/file` of a path, for messages that must not depend on where the rule folder is.
fn short_path(p: &Path) -> String {
    match (p.parent().and_then(|d| d.file_name()), p.file_name()) {
        (Some(d), Some(f)) => format!("{}/{}", d.to_string_lossy(), f.to_string_lossy()),
        _ => p.display().to_string(),
    }
}
