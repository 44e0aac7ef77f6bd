//! A pre-scan of an .ods file's `content.xml` before calamine parses it:
//! calamine expands repeated rows and cells (up to 100 million cells) and
//! parses every sheet up front, so a tiny file declaring billions of cells,
//! or content a million rows down, would cost gigabytes. The scan only
//! counts, with plain byte searches, and never builds the sheet.

use std::io::{Read, Seek};

use super::cell_limit;
use super::fault::FileFault;
use super::xml::{declared_count, raw_attrs, tag_end, unescape};
use crate::config::Limits;

/// Refuse an .ods whose sheets declare content beyond the row limit or more
/// value cells than a sheet may hold (the caller has seen `content.xml`).
pub fn check_ods<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(), FileFault> {
    let Ok(entry) = archive.by_name("content.xml") else {
        return Ok(());
    };
    // The declared size was already checked against the unpack limit.
    let cap = limits.max_uppackat_mb * 1024 * 1024;
    let mut xml = Vec::new();
    if entry.take(cap + 1).read_to_end(&mut xml).is_err() {
        return Err(FileFault::Corrupt);
    }
    scan(&xml, u64::from(limits.max_rader), cell_limit(limits))
}

/// The largest value of the attribute `name` in a start tag's attributes, read as
/// calamine reads it at most: the key exactly (spaces around `=` allowed),
/// the value unescaped, a leading `+` allowed; `None` when absent.
fn attr_u64(attrs: &[u8], name: &[u8]) -> Option<u64> {
    raw_attrs(attrs)
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| {
            let text = String::from_utf8_lossy(v);
            let text = unescape(&text).unwrap_or_else(|| text.into_owned());
            declared_count(text.as_bytes())
        })
        .max()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `xml` with its comments and CDATA sections blanked out: calamine's XML
/// reader sees no tags in them, so neither may the scan (a row start tag in
/// a comment would otherwise stand in for the real one after it, and a
/// table start tag would restart the counts). An unterminated one runs to
/// the end. Borrowed when there is none, as in every file LibreOffice writes.
fn without_comments(xml: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const KINDS: [(&[u8], &[u8]); 2] = [(b"<!--", b"-->"), (b"<![CDATA[", b"]]>")];
    if !KINDS.iter().any(|(open, _)| find(xml, open).is_some()) {
        return std::borrow::Cow::Borrowed(xml);
    }
    let mut out = xml.to_vec();
    let mut pos = 0;
    while let Some((start, close)) = KINDS
        .iter()
        .filter_map(|(open, close)| find(&out[pos..], open).map(|o| (pos + o, *close)))
        .min_by_key(|(start, _)| *start)
    {
        let end = find(&out[start..], close).map_or(out.len(), |e| start + e + close.len());
        out[start..end].fill(b' ');
        pos = end;
    }
    std::borrow::Cow::Owned(out)
}

/// Walk `<table:table>` / `<table:table-row>` / `<table:table-cell>` tags.
fn scan(xml: &[u8], max_rows: u64, max_cells: u64) -> Result<(), FileFault> {
    let xml = &*without_comments(xml);
    let mut pos = 0;
    let mut row: u64 = 0; // rows seen in the current table
    let mut cells: u64 = 0; // value cells declared in the current table
    let mut used_cols: u64 = 0; // columns up to the last value in the table
    let mut area: u64 = 0; // the current table's area from A1 to its last value
    let mut earlier_area: u64 = 0; // the areas of the tables before it
    let mut sheet = String::new();
    while let Some(off) = find(&xml[pos..], b"<table:table") {
        let start = pos + off;
        let Some(end_off) = tag_end(&xml[start..]) else {
            break;
        };
        let tag = &xml[start..start + end_off + 1];
        pos = start + end_off + 1;
        let name_end = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            .unwrap_or(tag.len());
        let attrs = &tag[name_end..];
        match &tag[..name_end] {
            b"<table:table" => {
                earlier_area = earlier_area.saturating_add(area);
                area = 0;
                row = 0;
                cells = 0;
                used_cols = 0;
                sheet = raw_attrs(attrs)
                    .find(|(k, _)| *k == b"table:name")
                    .map(|(_, v)| {
                        let v = String::from_utf8_lossy(v);
                        unescape(&v).unwrap_or_else(|| v.into_owned())
                    })
                    .unwrap_or_default();
            }
            b"<table:table-row" => {
                let repeat = attr_u64(attrs, b"table:number-rows-repeated").unwrap_or(1);
                // The row's cells: up to its end tag, or the next row if that
                // comes first (none if self-closing).
                let self_closing = tag.ends_with(b"/>");
                let body_end = if self_closing {
                    pos
                } else {
                    [&b"</table:table-row>"[..], b"<table:table-row"]
                        .iter()
                        .filter_map(|t| find(&xml[pos..], t))
                        .min()
                        .map_or(xml.len(), |e| pos + e)
                };
                let (value_cells, width) = count_value_cells(&xml[pos..body_end]);
                if value_cells > 0 {
                    if row + 1 > max_rows || (repeat > 1 && row + repeat > max_rows) {
                        return Err(too_big(&sheet, max_rows));
                    }
                    cells = cells.saturating_add(value_cells.saturating_mul(repeat));
                    // calamine fills the gaps of every row up to its last
                    // value, and then every row up to the widest: the area
                    // from A1 to the last value, not the values, is what
                    // it allocates.
                    used_cols = used_cols.max(width);
                    area = row.saturating_add(repeat).saturating_mul(used_cols);
                    if cells > max_cells {
                        return Err(FileFault::OdsCellsDeclared {
                            sheet: sheet.to_string(),
                            max: max_cells,
                        });
                    }
                    if area > max_cells {
                        // Name the corner, so the submitter can find what is far out.
                        let last_col =
                            u32::try_from(used_cols.saturating_sub(1)).unwrap_or(u32::MAX);
                        let rows = row.saturating_add(repeat);
                        return Err(FileFault::OdsArea {
                            sheet: sheet.to_string(),
                            last_col,
                            rows,
                            max: max_cells,
                        });
                    }
                    // calamine reads every sheet before any is used.
                    if earlier_area.saturating_add(area) > max_cells {
                        return Err(FileFault::OdsWorkbookArea {
                            sheet: sheet.to_string(),
                            max: max_cells,
                        });
                    }
                }
                row = row.saturating_add(repeat);
                pos = body_end;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Value cells in a row body, counting column repeats, and the columns up
/// to the last value. Covered (merged-over) cells occupy columns and may
/// hold values like any other; a cell counts as a value if it has a value
/// type, a formula, or content (calamine keeps a formula-only cell).
fn count_value_cells(body: &[u8]) -> (u64, u64) {
    let mut n: u64 = 0;
    let mut col: u64 = 0;
    let mut width: u64 = 0;
    let mut pos = 0;
    while let Some(off) = find(&body[pos..], b"-cell") {
        let name_end = pos + off + b"-cell".len();
        pos = name_end;
        let is_cell = body[..name_end].ends_with(b"<table:table-cell")
            || body[..name_end].ends_with(b"<table:covered-table-cell");
        if !is_cell
            || !body
                .get(name_end)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        {
            continue;
        }
        let end = tag_end(&body[name_end..]).map_or(body.len(), |e| name_end + e + 1);
        let tag = &body[name_end..end];
        let repeat = attr_u64(tag, b"table:number-columns-repeated")
            .unwrap_or(1)
            .max(1);
        let has_value = find(tag, b"office:value-type").is_some()
            || find(tag, b"table:formula").is_some()
            || (!tag.ends_with(b"/>") && body[end..].starts_with(b"<text:p"));
        col = col.saturating_add(repeat);
        if has_value {
            n = n.saturating_add(repeat);
            width = col;
        }
        pos = end;
    }
    (n, width)
}

fn too_big(sheet: &str, max_rows: u64) -> FileFault {
    FileFault::OdsRowLimit {
        sheet: sheet.to_string(),
        max_rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &str) -> Vec<u8> {
        format!(
            "<office:body><table:table table:name=\"System\">{rows}</table:table></office:body>"
        )
        .into_bytes()
    }

    const CELL: &str =
        "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";

    #[test]
    fn small_sheets_pass() {
        let xml = table(&format!("<table:table-row>{CELL}{CELL}</table:table-row>").repeat(10));
        assert!(scan(&xml, 100_000, 6_400_000).is_ok());
    }

    #[test]
    fn billions_of_declared_cells_are_refused() {
        let rows = "<table:table-row table:number-rows-repeated=\"50000\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>";
        let e = scan(&table(rows), 100_000, 6_400_000).unwrap_err();
        assert!(e.to_string().contains("fler än 6400000 celler"), "{}", e);
    }

    #[test]
    fn content_far_down_is_refused_but_empty_repeats_are_not() {
        let far = format!(
            "<table:table-row>{CELL}</table:table-row><table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell/></table:table-row><table:table-row>{CELL}</table:table-row>"
        );
        let e = scan(&table(&far), 100_000, 6_400_000).unwrap_err();
        assert!(e.to_string().contains("bortom rad 100000"), "{}", e);
        let trailing_empty = format!(
            "<table:table-row>{CELL}</table:table-row><table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>"
        );
        assert!(scan(&table(&trailing_empty), 100_000, 6_400_000).is_ok());
    }

    #[test]
    fn the_area_up_to_the_last_value_counts_not_the_values() {
        // Two values per row, in A and XFD: 16 384 columns for 400 rows is
        // 6.5 million cells for calamine, from 800 values.
        let wide = format!(
            "<table:table-row table:number-rows-repeated=\"400\">{CELL}<table:table-cell table:number-columns-repeated=\"16382\"/>{CELL}</table:table-row>"
        );
        let e = scan(&table(&wide), 100_000, 6_400_000).unwrap_err();
        assert!(
            e.to_string().contains("till kolumn XFD och rad 400"),
            "{}",
            e
        );
        // The same one row at a time.
        let rows = format!(
            "<table:table-row>{CELL}<table:table-cell table:number-columns-repeated=\"16382\"/>{CELL}</table:table-row>"
        )
        .repeat(400);
        assert!(scan(&table(&rows), 100_000, 6_400_000).is_err());
        // Fewer rows pass.
        let few = format!(
            "<table:table-row table:number-rows-repeated=\"300\">{CELL}<table:table-cell table:number-columns-repeated=\"16382\"/>{CELL}</table:table-row>"
        );
        assert!(scan(&table(&few), 100_000, 6_400_000).is_ok());
    }

    #[test]
    fn repeats_are_read_as_calamine_reads_them() {
        // Spaces around `=`, a `+`, a character reference, the name as a
        // decoy in another value, a `>` inside a quoted value: each still
        // declares 16 384 columns or 1 000 rows.
        for cell_attrs in [
            "table:number-columns-repeated = \"16384\"",
            "table:number-columns-repeated=\"+16384\"",
            "table:number-columns-repeated=\"&#49;6384\"",
            "x=\"table:number-columns-repeated=1\" table:number-columns-repeated=\"16384\"",
            "x=\"a>b\" table:number-columns-repeated=\"16384\"",
        ] {
            let rows = format!(
                "<table:table-row table:number-rows-repeated=\"1000\"><table:table-cell {cell_attrs} office:value-type=\"float\" office:value=\"1\"/></table:table-row>"
            );
            assert!(
                scan(&table(&rows), 100_000, 6_400_000).is_err(),
                "{cell_attrs}"
            );
        }
        let rows = format!(
            "<table:table-row x=\"a>b\" table:number-rows-repeated=\"1000000\">{CELL}</table:table-row>"
        );
        let e = scan(&table(&rows), 100_000, 6_400_000).unwrap_err();
        assert!(e.to_string().contains("bortom rad 100000"), "{}", e);
        assert!(e.to_string().contains("\"System\""), "{}", e);
    }

    #[test]
    fn tags_in_comments_and_cdata_are_no_tags() {
        let big = format!(
            "<table:table-row table:number-rows-repeated=\"1000000\">{CELL}</table:table-row>"
        );
        // A decoy row start in a comment must not stand in for the real row.
        for decoy in [
            "<!-- <table:table-row> -->",
            "<![CDATA[ <table:table-row> ]]>",
        ] {
            let e = scan(&table(&format!("{decoy}{big}")), 100_000, 6_400_000).unwrap_err();
            assert!(
                e.to_string().contains("bortom rad 100000"),
                "{decoy}: {}",
                e
            );
        }
        // A table start in a comment does not restart the counts: two
        // halves of 90 000 rows are one sheet of 180 000.
        let half = format!(
            "<table:table-row table:number-rows-repeated=\"90000\">{CELL}</table:table-row>"
        );
        let split = table(&format!(
            "{half}<!-- <table:table table:name=\"x\"> -->{half}"
        ));
        let e = scan(&split, 100_000, 6_400_000).unwrap_err();
        assert!(e.to_string().contains("bortom rad 100000"), "{}", e);
        // An unterminated comment hides the rest; a closed one hides nothing else.
        let row = format!("<table:table-row>{CELL}</table:table-row>");
        assert!(scan(&table(&format!("<!-- x -->{row}")), 100_000, 6_400_000).is_ok());
        assert_eq!(&*without_comments(b"a<!-- b"), b"a      ");
        assert_eq!(&*without_comments(b"a<!--b-->c"), b"a        c");
    }

    #[test]
    fn sheets_together_may_not_exceed_one_sheets_cells() {
        // Two sheets of 5 000 × 1 000 cells: each passes, both do not.
        let rows = "<table:table-row table:number-rows-repeated=\"5000\"><table:table-cell table:number-columns-repeated=\"1000\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>";
        let one = format!("<table:table table:name=\"A\">{rows}</table:table>");
        assert!(scan(one.as_bytes(), 100_000, 6_400_000).is_ok());
        let two = format!("{one}{}", one.replace("\"A\"", "\"B\""));
        let e = scan(two.as_bytes(), 100_000, 6_400_000).unwrap_err();
        assert!(
            e.to_string()
                .contains("tillsammans över fler än 6400000 celler")
                && e.to_string().contains("\"B\""),
            "{}",
            e
        );
    }

    #[test]
    fn covered_and_formula_cells_count() {
        let covered = "<table:table-row table:number-rows-repeated=\"1000\"><table:covered-table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>";
        assert!(scan(&table(covered), 100_000, 6_400_000).is_err());
        let formula = "<table:table-row table:number-rows-repeated=\"1000\"><table:table-cell table:number-columns-repeated=\"16384\" table:formula=\"of:=1\"/></table:table-row>";
        assert!(scan(&table(formula), 100_000, 6_400_000).is_err());
    }
}
