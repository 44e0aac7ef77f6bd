//! Integration tests: one test binary driving the real `uppsikt` binary over
//! real workbook files in temporary folders. Fixtures are built in code
//! (`common::fixture`) so they are readable; a few saved files live in
//! `tests/fixtures/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod common;
#[cfg(target_os = "linux")]
mod concurrency;
mod delivery;
mod feedback;
#[cfg(unix)]
mod gallring;
mod history;
mod hostile;
mod ingest;
mod layers;
mod maturity;
mod operations;
mod report;
mod rules;
mod run_folder;
mod schedule;
mod template;
mod workbench;
