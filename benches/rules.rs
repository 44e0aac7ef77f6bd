//! Rhai micro-benchmark: the full rule catalogue per organisation.
//!
//!     cargo bench --bench rules                 # the example submissions in inputs/
//!     cargo bench --bench rules -- /tmp/uc300   # a corpus from examples/gen_corpus.rs
//!
//! Loads `rules/`, ingests the corpus once (not timed), then times
//! `RuleSet::evaluate_rule` for every rule on every organisation, single
//! threaded (per-organisation cost) and on all cores (`RuleSet::evaluate`:
//! the same evaluation in parallel, without the JSON lines and tallies that
//! `uppsikt run` streams alongside; `scripts/bench.sh` measures those), and
//! prints evaluations/s. No criterion: the
//! dependency list stays lean, and a run of the whole catalogue over
//! hundreds of organisations is long enough to time with `Instant`.

// A benchmark: a missing corpus should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use uppsikt::config::Config;
use uppsikt::model::Model;
use uppsikt::rules::{Context, RuleSet};

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `cargo bench` passes `--bench`; the first other argument is the corpus.
    let corpus = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.to_path_buf());
    let rounds: u32 = std::env::var("UPPSIKT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);

    let config = Config::load(&corpus.join("uppsikt.yaml")).expect("uppsikt.yaml in the corpus");
    let rules = RuleSet::load(&repo.join("rules")).expect("rules/ loads");
    let per = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let opts = uppsikt::ingest::IngestOptions {
        period: config.period_for(per),
        settle: Duration::ZERO,
        limits: config.granser.clone(),
        now: std::time::SystemTime::now(),
    };
    let t = Instant::now();
    let read = uppsikt::ingest::ingest(
        &corpus.join(&config.sokvagar.indata),
        &config.organisationer,
        &opts,
    )
    .expect("the corpus reads");
    let model = Model::new(per, opts.period, read.orgs);
    let orgs = model.orgs.len();
    println!(
        "korpus {}: {} organisationer, {} filer, {} regler (inläsning {:.2} s, ej mätt nedan)",
        corpus.display(),
        orgs,
        read.log.entries.len(),
        rules.rules.len(),
        t.elapsed().as_secs_f64()
    );

    // Single thread: the catalogue per organisation.
    let ctx = Context::new(&model);
    let mut best = f64::MAX;
    let mut evaluations = 0usize;
    let mut per_rule = vec![Duration::ZERO; rules.rules.len()];
    for _ in 0..rounds {
        let t = Instant::now();
        evaluations = 0;
        for o in &model.orgs {
            for (i, r) in rules.rules.iter().enumerate() {
                let tr = Instant::now();
                evaluations += std::hint::black_box(rules.evaluate_rule(r, o, &ctx)).len();
                per_rule[i] += tr.elapsed();
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "1 tråd:     {evaluations} utvärderingar på {best:.3} s = {:.0} utvärderingar/s, {:.1} µs per organisation och hela katalogen",
        evaluations as f64 / best,
        best * 1e6 / orgs.max(1) as f64
    );

    // All cores (the evaluation alone; the run also streams JSON lines).
    let mut best_all = f64::MAX;
    let mut cpu_all = 0.0;
    for _ in 0..rounds {
        let t = Instant::now();
        let c = uppsikt::metrics::cpu_seconds();
        let n = std::hint::black_box(rules.evaluate(&model)).len();
        assert_eq!(n, evaluations);
        let wall = t.elapsed().as_secs_f64();
        if wall < best_all {
            best_all = wall;
            cpu_all = uppsikt::metrics::cpu_seconds() - c;
        }
    }
    println!(
        "alla kärnor ({}): {:.3} s = {:.0} utvärderingar/s (skalning {:.2}×; CPU {:.2} s, {:.1} µs CPU per utvärdering)",
        uppsikt::parallel::workers(),
        best_all,
        evaluations as f64 / best_all,
        best / best_all,
        cpu_all,
        cpu_all * 1e6 / evaluations.max(1) as f64
    );

    // Per rule, summed over the rounds: where the script time goes.
    println!("per regel (1 tråd, andel av tiden):");
    let total: f64 = per_rule.iter().map(Duration::as_secs_f64).sum();
    let mut order: Vec<usize> = (0..per_rule.len()).collect();
    order.sort_by(|a, b| per_rule[*b].cmp(&per_rule[*a]));
    for i in order {
        println!(
            "  {:<5} {:>5.1} %",
            rules.rules[i].def.id,
            100.0 * per_rule[i].as_secs_f64() / total.max(f64::MIN_POSITIVE)
        );
    }
}
