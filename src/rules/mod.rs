//! The rule engine (the rules themselves live in `rules/` as YAML + Rhai):
//! loading and validating every rule before any data is read, the sandboxed
//! engine and its API, evaluation, and the rule-test harness.

#[allow(missing_docs)] // documented as it is split (issue 15, the api.rs split)
pub mod api;
mod applicability;
mod compile_error;
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
    format_rhai_error, subject_key, Context, Evaluation, EvaluationJson, Place, RelativeRef,
    Unreadable, AVSTEG_KEY_FIELDS,
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
    /// Why the rule could not be loaded (a run's stand-in, see
    /// [`RuleSet::load_for_run`]): every evaluation of it is `regelfel`
    /// with this text.
    pub broken: Option<String>,
    /// Lines of `print`/`debug` output this rule logged (and suppressed) this run.
    pub printed: Arc<std::sync::atomic::AtomicUsize>,
    /// Script time this rule used this run beyond each subject's allowance
    /// ([`evaluate::SUBJECT_ALLOWANCE_MICROS`]), in microseconds; negative
    /// while within it (the run budget).
    pub script_excess_micros: Arc<std::sync::atomic::AtomicI64>,
    /// `gäller_när`, checked before the script.
    pub applicability: applicability::Applicability,
    /// Subjects this run answered by `gäller_när` and by the script.
    pub answered: evaluate::Answered,
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
#[error("{}", .errors.iter().map(RuleProblem::excerpt).collect::<Vec<_>>().join("\n"))]
pub struct RuleLoadError {
    /// Every problem found, one line each, leading with its file (and
    /// `:line:column` where there is one).
    pub errors: Vec<RuleProblem>,
}

/// One problem of a rule folder, with its place. A cause (an I/O error) is
/// part of the message and not kept as a `source` too, so it is printed once.
///
/// The fields are named for what they hold: `dir` the rule folder, `file`
/// the file the problem is in, `error` the I/O error, `id` the rule id,
/// `other` the file that has the id already, `line` and `column` (one-based)
/// the place in a script, `message` rhai's message.
#[allow(missing_docs)]
#[derive(Debug, thiserror::Error)]
pub enum RuleProblem {
    /// The folder cannot be listed.
    #[error("{}: regelmappen kan inte läsas: {error}", .dir.display())]
    FolderUnreadable { dir: PathBuf, error: std::io::Error },
    /// No `*.yaml` in the folder.
    #[error("{}: inga regler (*.yaml) hittades", .dir.display())]
    NoRules { dir: PathBuf },
    /// A rule file cannot be read.
    #[error("{}: kan inte läsas: {error}", .file.display())]
    Unreadable {
        file: PathBuf,
        error: std::io::Error,
    },
    /// A rule definition that is not valid YAML for a rule (with its line
    /// and column where known).
    #[error(transparent)]
    Definition(#[from] crate::yaml::YamlError),
    /// An id that is not letters, digits and `-`.
    #[error("{}: id \"{id}\" är ogiltigt (bokstäver, siffror och -)", .file.display())]
    BadId { file: PathBuf, id: String },
    /// Two rules with one id.
    #[error("{}: regel-id {id} finns redan i {}", .file.display(), .other.display())]
    DuplicateId {
        file: PathBuf,
        id: String,
        other: PathBuf,
    },
    /// A rule's script cannot be read.
    #[error("{}: skriptet kan inte läsas: {error}", .file.display())]
    ScriptUnreadable {
        file: PathBuf,
        error: std::io::Error,
    },
    /// A malformed `gäller_när` condition.
    #[error("{}: {message}", .file.display())]
    Applicability { file: PathBuf, message: String },
    /// A script that does not compile (`file`: `folder/file.rhai`), with
    /// the line it is on (the excerpt with a caret is [`RuleProblem::excerpt`]).
    #[error("{file}:{line}:{column}: {message}")]
    Script {
        file: String,
        line: usize,
        column: usize,
        message: String,
        source_line: String,
    },
}

impl RuleProblem {
    /// The problem for a person at a terminal: the one-line text, and for a
    /// script error the source line with a caret under the column.
    pub fn excerpt(&self) -> String {
        let mut out = self.to_string();
        if let RuleProblem::Script {
            line,
            column,
            source_line,
            ..
        } = self
        {
            if *line > 0 && !source_line.is_empty() {
                let w = line.to_string().len();
                let pad: String = source_line
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!(
                    "\n{:w$} |\n{line} | {source_line}\n{:w$} | {pad}^",
                    "", ""
                ));
            }
        }
        out
    }
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
                    errors: vec![RuleProblem::FolderUnreadable {
                        dir: dir.to_path_buf(),
                        error: e,
                    }],
                })
            }
        };
        files.sort();
        for yaml_path in files {
            match load_rule(&engine, &yaml_path) {
                Ok(rule) => {
                    if let Some(other) = rules.iter().find(|r| r.def.id == rule.def.id) {
                        errors.push(RuleProblem::DuplicateId {
                            file: yaml_path,
                            id: rule.def.id.clone(),
                            other: other.yaml_path.clone(),
                        });
                    } else {
                        rules.push(rule);
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if rules.is_empty() && errors.is_empty() {
            errors.push(RuleProblem::NoRules {
                dir: dir.to_path_buf(),
            });
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

    /// Load the rule folder for a run: like [`RuleSet::load`], but a rule
    /// that cannot be loaded (bad YAML, a script that does not compile, a
    /// missing script) becomes a stand-in whose every evaluation is
    /// `regelfel` naming the problem, and the other rules run. Only a folder
    /// that cannot be read, has no rules, or has two rules with one id is an
    /// error. The problems are returned beside the set (empty if none).
    pub fn load_for_run(dir: &Path) -> Result<(Self, Vec<RuleProblem>), RuleLoadError> {
        match Self::load(dir) {
            Ok(set) => return Ok((set, Vec::new())),
            Err(e)
                if e.errors.iter().any(|p| {
                    matches!(
                        p,
                        RuleProblem::FolderUnreadable { .. }
                            | RuleProblem::NoRules { .. }
                            | RuleProblem::DuplicateId { .. }
                    )
                }) =>
            {
                return Err(e)
            }
            Err(_) => {}
        }
        let limits = sandbox::Limits::default();
        let engine = sandbox::engine(limits);
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|error| RuleLoadError {
                errors: vec![RuleProblem::FolderUnreadable {
                    dir: dir.to_path_buf(),
                    error,
                }],
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
            .collect();
        files.sort();
        let mut rules: Vec<Rule> = Vec::new();
        let mut problems = Vec::new();
        for yaml_path in files {
            let rule = match load_rule(&engine, &yaml_path) {
                Ok(rule) => rule,
                Err(errors) => {
                    let rule = stand_in(&engine, &yaml_path, &errors);
                    problems.extend(errors);
                    rule
                }
            };
            if let Some(other) = rules.iter().find(|r| r.def.id == rule.def.id) {
                return Err(RuleLoadError {
                    errors: vec![RuleProblem::DuplicateId {
                        file: yaml_path,
                        id: rule.def.id.clone(),
                        other: other.yaml_path.clone(),
                    }],
                });
            }
            rules.push(rule);
        }
        rules.sort_by(|a, b| a.def.id.cmp(&b.def.id));
        Ok((
            Self {
                dir: dir.to_path_buf(),
                rules,
                engine,
                limits,
            },
            problems,
        ))
    }

    /// Say, once per rule, how many `print`/`debug` lines past the cap were
    /// suppressed this run; and, at debug level, how many subjects
    /// `gäller_när` answered without running the script.
    pub fn report_suppressed_prints(&self) {
        let (mut declared, mut scripted) = (0, 0);
        for r in &self.rules {
            let (d, s) = r.answered.get();
            declared += d;
            scripted += s;
        }
        let all = declared + scripted;
        tracing::debug!(
            declarative = declared,
            interpreted = scripted,
            share = if all == 0 {
                0.0
            } else {
                declared as f64 / all as f64
            },
            "subjects answered by gäller_när without the interpreter"
        );
        for r in &self.rules {
            let n = r.printed.load(std::sync::atomic::Ordering::Relaxed);
            if n > sandbox::PRINT_CAP {
                tracing::warn!(
                    target: "uppsikt::regel",
                    regel = %r.def.id,
                    "{} rader till undertrycktes",
                    n - sandbox::PRINT_CAP
                );
            }
        }
    }

    /// The rules that could not be loaded (stand-ins, see [`RuleSet::load_for_run`]).
    pub fn broken(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| r.broken.is_some())
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

/// The scope a rule's script is compiled against: `param` as a constant
/// holding the rule's parameters, so the optimiser (`OptimizationLevel::Full`,
/// see `sandbox`) folds `param.x` and what is computed from constants alone;
/// the other `SCRIPT_VARIABLES` as plain variables, not constants: the
/// optimiser would inline a constant `()` into the compiled script in place
/// of `objekt`, `org` or `per`.
fn compile_scope(params: &Dynamic) -> Scope<'static> {
    let mut scope = Scope::new();
    for v in SCRIPT_VARIABLES {
        if *v == "param" {
            scope.push_constant_dynamic(*v, params.clone());
        } else {
            scope.push_dynamic(*v, Dynamic::UNIT);
        }
    }
    scope
}

/// Compile a rule's script with its parameters folded in (`compile_scope`).
fn compile_script(
    engine: &Engine,
    script: &str,
    display: &str,
    params: &Dynamic,
) -> Result<AST, rhai::ParseError> {
    let mut ast = engine.compile_with_scope(&compile_scope(params), script)?;
    ast.set_source(display);
    Ok(ast)
}

impl Rule {
    /// The rule with other parameters (a test case's `parametrar`): the
    /// script compiled again with them folded in, fresh caches and counters.
    pub fn with_compiled_params(&self, engine: &Engine, params: Dynamic) -> Result<Rule, String> {
        let ast = compile_script(engine, &self.script_source, &self.script_display(), &params)
            .map_err(|e| {
                format!(
                    "{}: {}",
                    self.script_display(),
                    compile_error::swedish(e.err_type())
                )
            })?;
        Ok(Rule {
            def: self.def.clone(),
            yaml_path: self.yaml_path.clone(),
            script_path: self.script_path.clone(),
            yaml_sha256: self.yaml_sha256.clone(),
            script_sha256: self.script_sha256.clone(),
            yaml_source: self.yaml_source.clone(),
            script_source: self.script_source.clone(),
            ast,
            params,
            warm: Default::default(),
            broken: self.broken.clone(),
            printed: Default::default(),
            script_excess_micros: Default::default(),
            applicability: self.applicability.clone(),
            answered: Default::default(),
        })
    }
}

fn load_rule(engine: &Engine, yaml_path: &Path) -> Result<Rule, Vec<RuleProblem>> {
    let text = std::fs::read_to_string(yaml_path).map_err(|error| {
        vec![RuleProblem::Unreadable {
            file: yaml_path.to_path_buf(),
            error,
        }]
    })?;
    let def: RuleDef = yaml::parse(&text, yaml_path).map_err(|e| vec![e.into()])?;
    let mut errors = Vec::new();
    if def.id.is_empty()
        || !def
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(RuleProblem::BadId {
            file: yaml_path.to_path_buf(),
            id: def.id.clone(),
        });
    }
    let applicability = match applicability::Applicability::compile(def.objekt, &def.galler_nar) {
        Ok(a) => a,
        Err(messages) => {
            errors.extend(
                messages
                    .into_iter()
                    .map(|message| RuleProblem::Applicability {
                        file: yaml_path.to_path_buf(),
                        message,
                    }),
            );
            Default::default()
        }
    };
    let script_path = match &def.skript {
        Some(s) => yaml_path.with_file_name(s),
        None => yaml_path.with_extension("rhai"),
    };
    let script = match std::fs::read_to_string(&script_path) {
        Ok(s) => s,
        Err(error) => {
            errors.push(RuleProblem::ScriptUnreadable {
                file: script_path,
                error,
            });
            return Err(errors);
        }
    };
    let display = short_path(&script_path);
    let mut params = Map::new();
    for (k, v) in def.parameter_values() {
        params.insert(k.into(), api::yaml_to_dynamic(&v));
    }
    let params = Dynamic::from_map(params);
    let ast = match compile_script(engine, &script, &display, &params) {
        Ok(ast) => Some(ast),
        Err(e) => {
            let pos = e.position();
            let line = pos.line().unwrap_or(0);
            errors.push(RuleProblem::Script {
                file: display.clone(),
                line,
                column: pos.position().unwrap_or(0),
                message: compile_error::swedish(e.err_type()),
                source_line: line
                    .checked_sub(1)
                    .and_then(|l| script.lines().nth(l))
                    .map(|l| l.trim_end().to_string())
                    .unwrap_or_default(),
            });
            None
        }
    };
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
            params,
            warm: Default::default(),
            broken: None,
            printed: Default::default(),
            script_excess_micros: Default::default(),
            applicability,
            answered: Default::default(),
        }),
        _ => Err(errors),
    }
}

/// The stand-in of a rule that cannot be loaded: its YAML's id, title and
/// severity where they can be read (else the file name's first part, e.g.
/// `R05` of `R05-avsteg.yaml`), no script, and the problems as its
/// `regelfel` text.
fn stand_in(engine: &Engine, yaml_path: &Path, problems: &[RuleProblem]) -> Rule {
    let text = std::fs::read_to_string(yaml_path).unwrap_or_default();
    let loose: Option<yaml::YamlValue> = serde_yaml::from_str(&text).ok();
    let field = |k: &str| -> Option<String> {
        loose
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let stem = yaml_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = field("id")
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or_else(|| stem.split('-').next().unwrap_or(&stem).to_string());
    let allvarlighet = loose
        .as_ref()
        .and_then(|v| v.get("allvarlighet"))
        .and_then(|v| serde_yaml::from_value::<Severity>(v.clone()).ok())
        .unwrap_or(Severity::Hog);
    let script_path = field("skript")
        .map(|s| yaml_path.with_file_name(s))
        .unwrap_or_else(|| yaml_path.with_extension("rhai"));
    let script = std::fs::read_to_string(&script_path).unwrap_or_default();
    let why = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(RULE_ERROR_SEPARATOR);
    Rule {
        def: RuleDef {
            id,
            titel: field("titel").unwrap_or_default(),
            allvarlighet,
            objekt: SubjectKind::Organisation,
            galler: definition::Scope::Alla,
            galler_nar: Vec::new(),
            kraver: Vec::new(),
            referens: field("referens").unwrap_or_default(),
            skript: None,
            parametrar: Default::default(),
            visas_i: Vec::new(),
            dokumentation: Default::default(),
            tester: Vec::new(),
        },
        yaml_path: yaml_path.to_path_buf(),
        yaml_sha256: crate::digest::sha256_hex(text.as_bytes()),
        script_sha256: crate::digest::sha256_hex(script.as_bytes()),
        yaml_source: text.into(),
        script_source: script.into(),
        script_path,
        ast: engine.compile("").unwrap_or_default(),
        params: Dynamic::from_map(Map::new()),
        warm: Default::default(),
        broken: Some(why),
        printed: Default::default(),
        script_excess_micros: Default::default(),
        applicability: Default::default(),
        answered: Default::default(),
    }
}

/// Separates the parts of one `regelfel` text (the script line, the
/// subject and the fields read; several load problems of one rule). Rhai's
/// own messages use " | " (`&str | ImmutableString`), so it is not that.
pub const RULE_ERROR_SEPARATOR: &str = " ¦ ";

/// `folder/file` of a path, for messages that must not depend on where the rule folder is.
fn short_path(p: &Path) -> String {
    match (p.parent().and_then(|d| d.file_name()), p.file_name()) {
        (Some(d), Some(f)) => format!("{}/{}", d.to_string_lossy(), f.to_string_lossy()),
        _ => p.display().to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every problem of a folder is reported, each with its file (and line
    /// and column where there is one), and an I/O cause is printed once.
    #[test]
    fn a_malformed_galler_nar_names_the_file_and_the_condition() {
        let dir = tempfile::tempdir().unwrap();
        let r12 = std::fs::read_to_string("rules/R12-nyttorealisering.yaml").unwrap();
        let bad = r12.replacen("  - fält: status", "  - fält: stat", 1);
        assert_ne!(bad, r12);
        std::fs::write(dir.path().join("R12.yaml"), bad).unwrap();
        std::fs::write(dir.path().join("R12.rhai"), "uppfyllt()").unwrap();
        let e = RuleSet::load(dir.path())
            .err()
            .unwrap()
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            e.contains("R12.yaml: gäller_när, villkor 1 (fält stat): okänt fält på en rad ur bladet Förändringsinsatser"),
            "{e}"
        );
    }

    #[test]
    fn load_problems_carry_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let r00 = std::fs::read_to_string("rules/R00-inlamning-finns.yaml").unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.yaml", &r00);
        write("a.rhai", "let x = ;");
        write("b.yaml", &r00.replacen("id: R00", "id: R 00", 1));
        write("b.rhai", "uppfyllt()");
        write("c.yaml", &r00);
        write("c.rhai", "uppfyllt()");
        write("d.yaml", "id: [");
        write("e.yaml", &r00.replacen("id: R00", "id: R-e", 1));
        write("f.yaml", &r00);
        write("f.rhai", "uppfyllt()");
        let e = RuleSet::load(dir.path()).err().unwrap();
        let folder = dir.path().file_name().unwrap().to_string_lossy();
        let script = e
            .errors
            .iter()
            .find_map(|p| match p {
                RuleProblem::Script {
                    file, line, column, ..
                } => Some((file.clone(), *line, *column)),
                _ => None,
            })
            .unwrap();
        assert_eq!(script, (format!("{folder}/a.rhai"), 1, 9));
        assert!(e.errors.iter().any(
            |p| matches!(p, RuleProblem::BadId { file, id } if file.ends_with("b.yaml") && id == "R 00")
        ));
        assert!(e.errors.iter().any(|p| matches!(
            p,
            RuleProblem::Definition(y) if y.file.ends_with("d.yaml") && y.line.is_some()
        )));
        // a failed to compile, so c is the first R00 and f the second.
        assert!(e.errors.iter().any(|p| matches!(
            p,
            RuleProblem::DuplicateId { file, id, other }
                if file.ends_with("f.yaml") && id == "R00" && other.ends_with("c.yaml")
        )));
        let missing = e
            .errors
            .iter()
            .find(|p| matches!(p, RuleProblem::ScriptUnreadable { .. }))
            .unwrap();
        assert!(std::error::Error::source(missing).is_none());
        let text = missing.to_string();
        assert!(
            text.ends_with(
                "e.rhai: skriptet kan inte läsas: No such file or directory (os error 2)"
            ),
            "{text}"
        );
        // One line a problem, and the script error's excerpt: its line and a caret.
        assert_eq!(e.to_string().lines().count(), e.errors.len() + 3);
        assert!(
            e.to_string().contains("\n1 | let x = ;\n  |         ^"),
            "{e}"
        );
    }
}
