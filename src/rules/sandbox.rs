//! The sandboxed Rhai engine: no modules, no `eval`, no file or network
//! access, `print`/`debug` to tracing, limits on operations, call depth,
//! expression depth and data sizes, and a wall-clock budget per evaluation.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, CorePackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{Dynamic, Engine, OptimizationLevel};

/// Limits per evaluation of one rule on one subject.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Script operations per evaluation.
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Bytes of one string.
    pub max_string_size: usize,
    /// Elements of one array.
    pub max_array_size: usize,
    /// Entries of one map.
    pub max_map_size: usize,
    /// Wall-clock time per evaluation.
    pub wall_clock: Duration,
    /// Accumulated script time of one rule in one run, after which its
    /// remaining subjects are `regelfel` without running the script.
    pub run_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_operations: 1_000_000,
            max_call_levels: 32,
            max_string_size: 100_000,
            max_array_size: 10_000,
            max_map_size: 10_000,
            wall_clock: Duration::from_millis(500),
            run_budget: Duration::from_secs(10),
        }
    }
}

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static SPEAKER: std::cell::RefCell<Option<Speaker>> = const { std::cell::RefCell::new(None) };
}

/// Lines of `print`/`debug` output one rule may log in one run; the rest
/// are counted and reported as one line at the end of the run.
pub const PRINT_CAP: usize = 100;

/// Who is speaking when a script prints: the rule, the organisation and
/// the rule's count of lines printed this run.
#[derive(Clone)]
pub struct Speaker {
    /// The rule id.
    pub rule: std::sync::Arc<str>,
    /// The organisation id.
    pub org: std::sync::Arc<str>,
    /// Lines the rule printed this run (shared by every worker).
    pub printed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// Run `f` with `speaker` as the one whose prints are logged.
pub fn speaking<R>(speaker: Speaker, f: impl FnOnce() -> R) -> R {
    SPEAKER.with(|s| *s.borrow_mut() = Some(speaker));
    let r = f();
    SPEAKER.with(|s| *s.borrow_mut() = None);
    r
}

/// Log a script's `print`/`debug` line with its rule and organisation,
/// up to [`PRINT_CAP`] lines per rule and run.
fn say(text: &str, debug: bool) {
    SPEAKER.with(|s| {
        let s = s.borrow();
        let (rule, org) = match s.as_ref() {
            Some(sp) => {
                let n = sp
                    .printed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= PRINT_CAP {
                    return;
                }
                (sp.rule.to_string(), sp.org.to_string())
            }
            None => (String::new(), String::new()),
        };
        if debug {
            tracing::debug!(target: "uppsikt::regel", regel = %rule, organisation = %org, "{text}");
        } else {
            tracing::info!(target: "uppsikt::regel", regel = %rule, organisation = %org, "{text}");
        }
    });
}

/// Run `f` with a wall-clock deadline for scripts evaluated on this thread.
pub fn with_deadline<R>(budget: Duration, f: impl FnOnce() -> R) -> R {
    DEADLINE.with(|d| d.set(Some(Instant::now() + budget)));
    let r = f();
    DEADLINE.with(|d| d.set(None));
    r
}

/// The message a script stopped by the wall clock ends with.
pub const TIME_OUT: &str = "tidsgränsen för en regelkörning överskreds";

/// Build the engine with the rule API registered.
///
/// The engine starts from `Engine::new_raw()` (no packages, no module
/// resolver, no print/debug output) and gets only the standard packages
/// the rule language needs: the core (operators, text basics, `for` over
/// ranges and lists, function pointers for `filter`/`map`/`reduce`),
/// comparisons, lists, maps and the text methods (`to_lower`, `trim`,
/// `replace`, `split`, …). Left out: mathematics (`sqrt`, `sin`,
/// `parse_int`, `to_float`, …), bit fields, byte blobs and time
/// (`timestamp`): no shipped rule uses them, and a script calling one fails
/// with "funktionen … finns inte".
pub fn engine(limits: Limits) -> Engine {
    let mut e = Engine::new_raw();
    for package in [
        CorePackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
    ] {
        e.register_global_module(package);
    }
    e.set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(512)
        .set_max_functions(256)
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true);
    // Scripts are compiled with their rule's parameters as the constant
    // `param` (`rules::compile_scope`): the full optimiser folds `param.x`,
    // and calls of the API's pure functions on constants, once per rule.
    e.set_optimization_level(OptimizationLevel::Full);
    // No engine-wide string interner (`new_raw` has none; said here because
    // `Engine::new` turns it on): with the `sync` feature it sits behind
    // one lock that every worker takes for string constants and variable
    // names, and rhai waits 10 ms whenever another worker holds it; rule
    // evaluation then ran on about one core of two (docs/benchmark-history.md).
    e.set_max_strings_interned(0);
    e.disable_symbol("eval");
    e.on_print(|s| say(s, false));
    e.on_debug(|s, src, pos| say(&format!("{}:{pos}: {s}", src.unwrap_or("")), true));
    e.on_progress(|ops| {
        if ops % 512 != 0 {
            return None;
        }
        let late = DEADLINE.with(|d| d.get().is_some_and(|t| Instant::now() > t));
        late.then(|| Dynamic::from(TIME_OUT))
    });
    super::api::register(&mut e);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_language_has_its_packages_and_nothing_more() {
        let e = engine(Limits::default());
        // What the shipped rules use: text, lists, maps, closures, ranges.
        let got: String = e
            .eval(
                r#"let t = " AbC. "; t.trim(); t.replace(".", "");
                   let n = 0; for i in 0..3 { n += i; }
                   let l = ["x", "y"].map(|s| s.to_upper()).reduce(|a, b| a + b, "");
                   `${t.to_lower()} ${n} ${l} ${#{a: 1}.keys().len()} ${"a b".split(" ").len()}`"#,
            )
            .unwrap();
        assert_eq!(got, "abc 3 XY 1 2");
        // Mathematics, bit fields and blobs are not part of it.
        for (script, name) in [
            ("sqrt(4.0)", "sqrt"),
            ("parse_int(\"5\")", "parse_int"),
            ("5.get_bit(0)", "get_bit"),
            ("blob(2)", "blob"),
        ] {
            let err = e.eval::<Dynamic>(script).unwrap_err();
            let msg = crate::rules::format_rhai_error("rules/R99.rhai", &err);
            assert!(
                msg.starts_with("rules/R99.rhai:1:")
                    && msg.contains(&format!("funktionen {name} "))
                    && msg.contains("finns inte"),
                "{script}: {msg}"
            );
        }
    }

    #[test]
    fn run_time_errors_are_swedish() {
        let e = engine(Limits::default());
        for (script, want) in [
            ("let a = [1, 2]; a[5]", "rules/R99.rhai:1:19: index 5 ligger utanför listan, som har 2 element"),
            ("let n = 16; n / 0", "rules/R99.rhai:1:15: division med noll: 16 / 0"),
            ("let d = 5; d.dag", "rules/R99.rhai:1:14: egenskapen dag finns inte för ett värde av typen i64; kontrollera namnet (rules/README.md, avsnitt 7)"),
            ("let a = 1; for x in a { }", "rules/R99.rhai:1:21: for-loopen behöver en lista eller ett intervall att gå igenom"),
            ("let m = #{a: 1}; m.b.c", "rules/R99.rhai:1:20: egenskapen b finns inte; kontrollera fältnamnet (rules/README.md, avsnitt 7)"),
        ] {
            let err = e.eval::<Dynamic>(script).unwrap_err();
            assert_eq!(crate::rules::format_rhai_error("rules/R99.rhai", &err), want, "{script}");
        }
    }
}
