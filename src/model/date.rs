//! Dates as every message, report row and rule shows them.

/// A date as `YYYY-MM-DD`, exactly as chrono's `%Y-%m-%d` writes it, without
/// parsing a format string on every call (dates are shown in every message
/// and report row that names one).
pub fn iso_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_date_writes_what_the_format_string_writes() {
        for (y, m, d) in [
            (2026, 11, 26),
            (1, 1, 1),
            (0, 2, 29),
            (9999, 12, 31),
            (10000, 1, 1),
            (-5, 3, 4),
        ] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(super::iso_date(date), date.format("%Y-%m-%d").to_string());
        }
    }
}
