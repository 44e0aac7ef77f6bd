//! uppsikt: the City of Gothenburg's compliance rule engine and reporting
//! job for the guideline on digital development.
//!
//! Data flows one way: **shared folder → [`ingest`] → [`model`] → [`rules`]
//! → [`report`]**, with [`schedule`] and the CLI around it.
//!
//! The modules form layers, and a module uses only modules of lower layers
//! (`tests/layers.rs` checks every `crate::` path against this table):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | leaves | [`yaml`], [`exit`], [`digest`], [`metrics`], [`parallel`] | YAML parsing, exit statuses, SHA-256, process figures, the worker pool |
//! | 1 | [`model`] | the register, submissions and typed records |
//! | 2 | [`config`] | `uppsikt.yaml` |
//! | 3 | [`ingest`] | the shared folder → the model |
//! | 4 | [`rules`], [`settings`] | the Rhai rules; a command's settings |
//! | 5 | [`report`], [`schedule`], [`template`] | what a run writes; schedules and the daemon loop; submitter templates |
//! | 6 | [`run`] | one run: the pipeline in order |
//! | 7 | [`commands`] | what each command does |
//! | 8 | [`cli`] | the command line, parsed and dispatched |
//!
//! ```no_run
//! use uppsikt::{config::Config, ingest, rules};
//! # fn main() -> anyhow::Result<()> {
//! let config = Config::load("uppsikt.yaml".as_ref())?;
//! let per = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
//! let rules = rules::RuleSet::load(&config.sokvagar.regler)?;      // validate first
//! let opts = ingest::IngestOptions {
//!     period: config.period_for(per),
//!     settle: std::time::Duration::from_secs(config.vantetid_sekunder),
//!     limits: config.granser.clone(),
//!     now: std::time::SystemTime::now(),
//! };
//! let read = ingest::ingest(&config.sokvagar.indata, &config.organisationer, &opts)?;
//! let model = uppsikt::model::Model::new(per, opts.period, read.orgs);
//! let results = rules.evaluate(&model);
//! println!("{} evaluations", results.len());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

// mimalloc instead of the system allocator, for every binary that links
// the library (the job, its tests, benchmarks and the I/O floor alike):
// ingest and rule evaluation make many small, short-lived allocations on
// every core, and glibc's per-thread arenas fragment badly where they
// interleave with the long-lived model (BENCHMARKS.md has the figures).
// Feature `mimalloc` (default); the fuzz targets turn it off so that the
// sanitizer sees the system allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod cli;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod digest;
pub mod exit;
// Documented as its files are split (issue 15, the ingest split); the
// allowance goes with that change.
#[allow(missing_docs)]
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod oserror;
pub mod parallel;
pub mod report;
pub mod rules;
pub mod run;
pub mod schedule;
pub mod settings;
pub mod template;
pub mod yaml;
