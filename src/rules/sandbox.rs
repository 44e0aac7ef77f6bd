//! The sandboxed Rhai engine: no modules, no `eval`, no file or network
//! access, `print`/`debug` to tracing, limits on operations, call depth,
//! expression depth and data sizes, and a wall-clock budget per evaluation.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::{Dynamic, Engine};

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
        }
    }
}

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
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
pub fn engine(limits: Limits) -> Engine {
    let mut e = Engine::new();
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
    // No engine-wide string interner: with the `sync` feature it sits behind
    // one lock that every worker takes for string constants and variable
    // names, and rhai waits 10 ms whenever another worker holds it; rule
    // evaluation then ran on about one core of two (docs/benchmark-history.md).
    e.set_max_strings_interned(0);
    e.disable_symbol("eval");
    e.on_print(|s| tracing::info!(target: "uppsikt::regel", "{s}"));
    e.on_debug(
        |s, src, pos| tracing::debug!(target: "uppsikt::regel", "{}:{pos}: {s}", src.unwrap_or("")),
    );
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
