//! Arbitrary bytes as one file in the shared folder: the same parse as
//! `uppsikt::ingest` runs on a file's bytes (format sniffing, zip-bomb and
//! .ods guards, streaming sheets, classification, every normaliser), with
//! the shipped register. `Err` (a `fel` line) is no finding. A panic is
//! caught as `read_one` catches it (one `fel` line: "Läsaren avbröt"), so
//! the fuzzer goes on to what production cannot survive: an abort (failed
//! allocation, stack overflow), a hang (-timeout), a blown memory limit
//! (-rss_limit_mb). With UPPSIKT_FUZZ_PANICS=1 a panic is a finding too.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use uppsikt::config::{Config, Limits};
use uppsikt::ingest::{parse_bytes_for_fuzzing, IngestOptions};
use uppsikt::model::{Organisation, Period};

fn setup() -> &'static (Vec<Organisation>, IngestOptions) {
    static SETUP: OnceLock<(Vec<Organisation>, IngestOptions)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../uppsikt.yaml");
        let config = Config::load(path.as_ref()).expect("uppsikt.yaml");
        let opts = IngestOptions {
            period: Period::year(2026),
            settle: Duration::ZERO,
            limits: Limits::default(),
            now: SystemTime::now(),
        };
        if std::env::var_os("UPPSIKT_FUZZ_PANICS").is_none() {
            // libfuzzer-sys aborts on any panic; production catches them.
            std::panic::set_hook(Box::new(|_| {}));
        }
        (config.organisationer, opts)
    })
}

fuzz_target!(|data: &[u8]| {
    let (register, opts) = setup();
    let _ = std::panic::catch_unwind(|| parse_bytes_for_fuzzing(data, register, opts));
});
