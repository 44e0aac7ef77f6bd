//! The value normalisers and name matching on arbitrary input. The first
//! byte picks the cell type; the rest is the cell (text, or the bits of a
//! number). Every column kind and every contract schema is tried on it.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use uppsikt::ingest::grid::CellValue;
use uppsikt::ingest::{header, values};

fn eight(rest: &[u8]) -> [u8; 8] {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(rest) {
        *d = *s;
    }
    b
}

fuzz_target!(|data: &[u8]| {
    let Some((&tag, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let cell = match tag % 7 {
        0 | 1 => CellValue::Text(text.clone()),
        2 => CellValue::DateIso(text.clone()),
        3 => CellValue::Float(f64::from_le_bytes(eight(rest))),
        // The whole range: `money` checks its arithmetic since the fuzz
        // report that found an overflow beyond ±9.2e16.
        4 => CellValue::Int(i64::from_le_bytes(eight(rest))),
        5 => CellValue::Bool(rest.first().is_some_and(|b| b & 1 == 1)),
        _ => {
            let days = i64::from_le_bytes(eight(rest)) % 3_000_000;
            let base = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            let d = base
                .checked_add_signed(chrono::Duration::days(days))
                .unwrap_or(base);
            CellValue::DateTime(d.and_hms_opt(0, 0, 0).unwrap_or_default())
        }
    };
    for kind in values::EVERY_KIND {
        if let Err(e) = values::normalize(*kind, &cell) {
            // The message quotes what the cell held (as shown, trimmed, or
            // read as text) and says what was expected.
            assert!(!e.expected.is_empty());
            let shown = cell.shown();
            assert!(
                [shown.as_str(), shown.trim(), values::text(&cell).as_str()]
                    .contains(&e.found.as_str()),
                "found {:?} for {cell:?}",
                e.found
            );
            assert!(
                e.message.contains(&format!("\"{}\"", e.found)) && e.message.contains(&e.expected)
            );
        }
    }
    let _ = values::text(&cell);
    let _ = cell.shown();
    let n = header::normalize(&text);
    assert!(!n.starts_with(' ') && !n.ends_with(' '));
    for schema in uppsikt::model::records::ALL {
        let _ = header::match_column(schema, &text);
    }
});
