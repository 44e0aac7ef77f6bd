//! The I/O floor of a run: only the unavoidable work, on all cores.
//!
//!     cargo run --release --example io_floor -- --inputs DIR --run OUTPUTS/<run> --out /tmp/floor
//!
//! Opens every workbook under `--inputs` that the run reads (the run's own
//! discovery, skipped files left out) with calamine and reads every cell
//! of every sheet (in parallel, like `uppsikt run`), then writes what the
//! run at `--run` wrote, in volume: as many JSON lines (and bytes) as its
//! `resultat.jsonl`, a report workbook with as many finding rows as its
//! manifest's `antal_iakttagelser` (constant-memory sheets, continued past
//! Excel's row limit) plus one row per input file, and as many small
//! feedback workbooks as its `aterkoppling/` holds, each with the average
//! number of findings per organisation. Same zip level as the run. No rules,
//! no model, no hashing: the ratio `uppsikt run` / floor is what is left to win
//! (BENCHMARKS.md).

// A benchmark tool: a failed read or write should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufWriter, Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use calamine::Reader;
use rust_xlsxwriter::Workbook;
use uppsikt::report::xlsx::{MAX_DATA_ROWS, ZIP_LEVEL};

/// Read every cell of every sheet; returns the number of cells.
fn read_all(path: &Path) -> u64 {
    let bytes = std::fs::read(path).expect("read file");
    let mut cells = 0u64;
    if let Ok(mut wb) = calamine::Xlsx::new(Cursor::new(&bytes)) {
        for name in wb.sheet_names() {
            let mut r = wb.worksheet_cells_reader(&name).expect("sheet");
            while let Some(c) = r.next_cell().expect("cell") {
                std::hint::black_box(c.get_value());
                cells += 1;
            }
        }
    } else if let Ok(mut wb) = calamine::open_workbook_auto_from_rs(Cursor::new(&bytes)) {
        for name in wb.sheet_names() {
            if let Ok(range) = wb.worksheet_range(&name) {
                cells += range.used_cells().count() as u64;
            }
        }
    }
    cells
}

fn text(i: usize, what: &str, len: usize) -> String {
    let mut s = format!("{what} {i} ");
    while s.len() < len {
        s.push_str("lorem ipsum dolor sit amet ");
    }
    s.truncate(len);
    s
}

/// A report-like workbook: `rows` finding rows of 12 text cells on
/// constant-memory sheets, and one row per input file.
fn report(path: &Path, rows: usize, files: usize) {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(ZIP_LEVEL);
    let mut left = rows;
    let mut part = 0;
    while left > 0 || part == 0 {
        part += 1;
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        ws.set_name(format!("Iakttagelser ({part})")).unwrap();
        let n = left.min(MAX_DATA_ROWS as usize);
        for r in 0..n {
            let i = rows - left + r;
            let row = r as u32 + 1;
            ws.write_string(row, 0, format!("ORG{:05}", i % 10_000))
                .unwrap();
            ws.write_string(row, 1, format!("R{:02}", i % 19)).unwrap();
            ws.write_string(row, 2, text(i % 19, "Titel", 40)).unwrap();
            ws.write_string(row, 3, "hög").unwrap();
            ws.write_string(row, 4, "brist").unwrap();
            ws.write_string(row, 5, format!("SYS-{i}")).unwrap();
            ws.write_string(row, 6, text(i, "Meddelande", 90)).unwrap();
            ws.write_string(row, 7, format!("del{:02}/ORG{:05}.xlsx", i % 50, i))
                .unwrap();
            ws.write_string(row, 8, "System").unwrap();
            ws.write_string(row, 9, format!("C{}", i % 150 + 2))
                .unwrap();
            ws.write_string(row, 10, text(i % 19, "Riktlinjen avsnitt", 30))
                .unwrap();
            ws.write_string(row, 11, "Nej").unwrap();
        }
        left -= n;
    }
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.set_name("Inläsning").unwrap();
    for i in 0..files {
        let row = i as u32 + 1;
        ws.write_string(row, 0, format!("del{:02}/ORG{i:05}.xlsx", i % 50))
            .unwrap();
        ws.write_string(row, 1, format!("{i:064x}")).unwrap();
        ws.write_number(row, 2, 20_000.0).unwrap();
        ws.write_string(row, 6, "inläst").unwrap();
    }
    wb.save(path).expect("save report");
}

/// A feedback-like workbook with `rows` finding rows of 10 cells.
fn feedback(path: &Path, org: usize, rows: usize) {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(ZIP_LEVEL);
    let ws = wb.add_worksheet();
    ws.set_name("Om återkopplingen").unwrap();
    ws.write_string(0, 0, text(org, "Återkoppling", 200))
        .unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Iakttagelser").unwrap();
    for r in 0..rows {
        let row = r as u32 + 1;
        ws.write_string(row, 0, format!("R{:02}", r % 19)).unwrap();
        ws.write_string(row, 1, text(r % 19, "Titel", 40)).unwrap();
        ws.write_string(row, 2, "hög").unwrap();
        ws.write_string(row, 3, "brist").unwrap();
        ws.write_string(row, 4, format!("SYS-{r}")).unwrap();
        ws.write_string(row, 5, text(r, "Meddelande", 90)).unwrap();
        ws.write_string(row, 6, format!("ORG{org:05}.xlsx"))
            .unwrap();
        ws.write_string(row, 7, "System").unwrap();
        ws.write_string(row, 8, format!("C{}", r + 2)).unwrap();
        ws.write_string(row, 9, text(r, "Åtgärda", 120)).unwrap();
    }
    let ws = wb.add_worksheet();
    ws.set_name("Inläsningsvarningar").unwrap();
    ws.write_string(0, 0, "Fil").unwrap();
    wb.save(path).expect("save feedback");
}

fn main() {
    let mut inputs = PathBuf::new();
    let mut run = PathBuf::new();
    let mut out = PathBuf::from("/tmp/uppsikt-floor");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = PathBuf::from(args.next().unwrap_or_default());
        match a.as_str() {
            "--inputs" => inputs = v,
            "--run" => run = v,
            "--out" => out = v,
            other => {
                panic!("unknown argument {other}; use --inputs DIR --run RUN_FOLDER --out DIR")
            }
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).expect("manifest.json"))
            .expect("manifest parses");
    let evaluations = manifest["antal_utvarderingar"]
        .as_u64()
        .expect("antal_utvarderingar") as usize;
    let findings = manifest["antal_iakttagelser"]
        .as_u64()
        .expect("antal_iakttagelser") as usize;
    let jsonl_bytes = std::fs::metadata(run.join("resultat.jsonl"))
        .expect("resultat.jsonl")
        .len() as usize;
    let feedback_books = std::fs::read_dir(run.join("aterkoppling"))
        .expect("aterkoppling/")
        .count();

    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("aterkoppling")).expect("create --out");
    let t0 = Instant::now();

    // 1. Read every cell of every workbook, on all cores.
    // The files the run reads: found as it finds them, skips left out.
    let files: Vec<PathBuf> = uppsikt::ingest::discover::discover(&inputs)
        .expect("read inputs")
        .into_iter()
        .filter(|f| f.skip.is_none())
        .map(|f| f.path)
        .collect();
    let cells: u64 = uppsikt::parallel::map(&files, |p| read_all(p)).iter().sum();
    let t_read = t0.elapsed();

    // 2. Write: the JSON lines and the report on one thread, the feedback
    //    workbooks on every core (as `uppsikt run` does).
    let t1 = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut w = BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(out.join("resultat.jsonl")).expect("create jsonl"),
            );
            let per_line = (jsonl_bytes / evaluations.max(1)).max(2);
            let mut line = String::new();
            for i in 0..evaluations {
                line.clear();
                line.push_str(&format!(
                    "{{\"organisation\":\"ORG{:05}\",\"regel\":\"R{:02}\",\"meddelande\":\"",
                    i % 10_000,
                    i % 19
                ));
                while line.len() + 3 < per_line {
                    line.push('x');
                }
                line.push_str("\"}\n");
                w.write_all(line.as_bytes()).expect("write jsonl");
            }
            w.flush().expect("flush jsonl");
            report(&out.join("uppsikt-rapport.xlsx"), findings, files.len());
        });
        let per_org = findings / feedback_books.max(1);
        let orgs: Vec<usize> = (0..feedback_books).collect();
        uppsikt::parallel::map(&orgs, |&i| {
            feedback(
                &out.join("aterkoppling").join(format!("ORG{i:05}.xlsx")),
                i,
                per_org,
            )
        });
    });
    let t_write = t1.elapsed();
    println!(
        "{}",
        serde_json::json!({
            "filer": files.len(),
            "celler": cells,
            "json_rader": evaluations,
            "rapportrader": findings,
            "aterkopplingar": feedback_books,
            "sekunder": {
                "lasning": t_read.as_secs_f64(),
                "skrivning": t_write.as_secs_f64(),
                "totalt": t0.elapsed().as_secs_f64(),
            }
        })
    );
}
