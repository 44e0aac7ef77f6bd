//! Value normalisers (input contract, section 7). Each turns one cell into a
//! typed [`Value`], `Ok(None)` for an empty cell or a placeholder, or an error
//! that says in Swedish what was expected.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::grid::CellValue;
use crate::model::{Kind, Money, Sakerhetsniva, Value};

/// Why a cell could not be read: the text that follows the location in a
/// warning, e.g. `"Hög?" är ingen säkerhetsnivå (1–4 eller …)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    /// What the cell held, as shown.
    pub found: String,
    /// What was expected there, in Swedish.
    pub expected: String,
    /// The whole message.
    pub message: String,
}

impl Unreadable {
    fn new(found: &str, what: &str, expected: &str) -> Self {
        Self {
            found: found.to_string(),
            expected: expected.to_string(),
            message: format!("\"{found}\" {what} ({expected})"),
        }
    }
}

pub const EXPECT_BOOL: &str = "Ja eller Nej";
pub const EXPECT_DATE: &str =
    "ett datum, t.ex. 2026-03-15, 15/3/2026, 15.3.2026 eller 15 mars 2026";
pub const EXPECT_DATE_OR_YEAR: &str =
    "ett datum, t.ex. 2026-03-15, 15/3/2026 eller 15 mars 2026, eller ett årtal";
pub const EXPECT_LEVEL: &str = "1–4 eller Grund/Förhöjd/Hög/Mycket hög";
pub const EXPECT_INT: &str = "ett heltal, t.ex. 3";
pub const EXPECT_MONEY: &str = "ett belopp i kronor, t.ex. 1 234,50 kr";
pub const EXPECT_PERCENT: &str = "en procentsats 0–100, t.ex. 45, 45 % eller 0,45";
pub const EXPECT_YEAR: &str = "ett årtal, t.ex. 2025";

const PLACEHOLDERS: &[&str] = &["-", "–", "—", "n/a", "saknas", "?"];

/// Whether a text means "no value".
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || PLACEHOLDERS.iter().any(|p| t.eq_ignore_ascii_case(p))
}

/// Normalise one cell for a column of the given kind.
pub fn normalize(kind: Kind, cell: &CellValue) -> Result<Option<Value>, Unreadable> {
    if let CellValue::Text(s) | CellValue::DateIso(s) = cell {
        if is_placeholder(s) {
            return Ok(None);
        }
    }
    match kind {
        Kind::Text => Ok(Some(Value::Text(text(cell)))),
        Kind::Id => Ok(Some(Value::Text(id(&text(cell))))),
        Kind::Bool => boolean(cell).map(|b| Some(Value::Bool(b))),
        Kind::Date => date(cell, None).map(|d| Some(Value::Date(d))),
        Kind::DateOrYearStart => date(cell, Some(true)).map(|d| Some(Value::Date(d))),
        Kind::DateOrYearEnd => date(cell, Some(false)).map(|d| Some(Value::Date(d))),
        Kind::Int => int(cell).map(|i| Some(Value::Int(i))),
        Kind::Money => money(cell).map(|m| Some(Value::Money(m))),
        Kind::Level => level(cell).map(|l| Some(Value::Level(l))),
        Kind::Choice(options) => choice(cell, options).map(|s| Some(Value::Text(s))),
        Kind::Percent => percent(cell).map(|p| Some(Value::Percent(p))),
        Kind::Year => year(cell).map(|y| Some(Value::Int(y))),
    }
}

/// A cell as trimmed text (numbers without a needless `.0`, dates as ISO).
pub fn text(cell: &CellValue) -> String {
    match cell {
        CellValue::Text(s) => s.trim().to_string(),
        CellValue::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        CellValue::Bool(true) => "Ja".into(),
        CellValue::Bool(false) => "Nej".into(),
        other => other.shown().trim().to_string(),
    }
}

/// An id: trimmed, upper-cased.
pub fn id(s: &str) -> String {
    s.trim().to_uppercase()
}

pub fn boolean(cell: &CellValue) -> Result<bool, Unreadable> {
    let bad = |f: &str| Unreadable::new(f, "är inte Ja eller Nej", EXPECT_BOOL);
    match cell {
        CellValue::Bool(b) => Ok(*b),
        CellValue::Int(1) => Ok(true),
        CellValue::Int(0) => Ok(false),
        CellValue::Float(f) if *f == 1.0 => Ok(true),
        CellValue::Float(f) if *f == 0.0 => Ok(false),
        CellValue::Text(s) => match s.trim().to_lowercase().as_str() {
            "ja" | "j" | "yes" | "y" | "x" | "sant" | "true" | "1" => Ok(true),
            "nej" | "n" | "no" | "falskt" | "false" | "0" => Ok(false),
            _ => Err(bad(s.trim())),
        },
        other => Err(bad(&other.shown())),
    }
}

/// Days from the Excel 1900 epoch (serial 0 = 1899-12-30, which absorbs
/// Excel's fictitious 1900-02-29).
fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?
        .checked_add_days(chrono::Days::new(serial.floor() as u64))
}

/// Swedish month names, January first.
const MONTH_NAMES: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// Abbreviations accepted besides the full names.
const MONTH_ABBREVIATIONS: &[(&str, u32)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("okt", 10),
    ("nov", 11),
    ("dec", 12),
];

/// The month a Swedish name or abbreviation (lower case) stands for.
fn month_number(name: &str) -> Option<u32> {
    match MONTH_NAMES.iter().position(|n| *n == name) {
        Some(i) => Some(i as u32 + 1),
        None => MONTH_ABBREVIATIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m),
    }
}

/// The Swedish name of month `m` (1–12), as the date parser reads it.
pub fn month_name(m: u32) -> Option<&'static str> {
    MONTH_NAMES
        .get(usize::try_from(m).ok()?.checked_sub(1)?)
        .copied()
}

/// Parse a date. `year_means_start`: `Some(true)` accepts a year alone as
/// 1 January, `Some(false)` as 31 December, `None` rejects a year alone.
pub fn date(cell: &CellValue, year_means_start: Option<bool>) -> Result<NaiveDate, Unreadable> {
    let expected = if year_means_start.is_some() {
        EXPECT_DATE_OR_YEAR
    } else {
        EXPECT_DATE
    };
    let bad = |f: &str| Unreadable::new(f, "är inget datum", expected);
    let from_year = |y: i64| -> Option<NaiveDate> {
        let start = year_means_start?;
        if !(1900..=2200).contains(&y) {
            return None;
        }
        let y = y as i32;
        if start {
            NaiveDate::from_ymd_opt(y, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, 12, 31)
        }
    };
    match cell {
        CellValue::DateTime(dt) => Ok(dt.date()),
        CellValue::Int(i) => from_year(*i)
            .or_else(|| {
                if *i >= 10_000 {
                    from_serial(*i as f64)
                } else {
                    None
                }
            })
            .ok_or_else(|| bad(&i.to_string())),
        CellValue::Float(f) => {
            let as_year = if f.fract() == 0.0 {
                from_year(*f as i64)
            } else {
                None
            };
            as_year
                .or_else(|| {
                    if *f >= 10_000.0 {
                        from_serial(*f)
                    } else {
                        None
                    }
                })
                .ok_or_else(|| bad(&cell.shown()))
        }
        CellValue::Text(s) | CellValue::DateIso(s) => {
            let t = s.trim();
            if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
                return t
                    .parse::<i64>()
                    .ok()
                    .and_then(from_year)
                    .ok_or_else(|| bad(t));
            }
            parse_date_text(t).ok_or_else(|| bad(t))
        }
        other => Err(bad(&other.shown())),
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn parse_date_text(t: &str) -> Option<NaiveDate> {
    // ISO, possibly with a time part: 2026-03-15, 2026-03-15T10:00, 2026-03-15 10:00.
    let first = t.split(['T', ' ']).next().unwrap_or(t);
    let parts: Vec<&str> = first.split('-').collect();
    if parts.len() == 3 && parts[0].len() == 4 {
        if let Some(d) = ymd(parts[0], parts[1], parts[2]) {
            return Some(d);
        }
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(dt.date());
    }
    // Day first: 15/3/2026, 15.3.2026 (time part dropped).
    let first = t.split(' ').next().unwrap_or(t);
    for sep in ['/', '.'] {
        let parts: Vec<&str> = first.split(sep).collect();
        if parts.len() == 3 {
            return ymd(parts[2], parts[1], parts[0]);
        }
    }
    // 15 mars 2026, 15 mar 2026, 15 mar. 2026.
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() == 3 {
        let day = words[0].trim_end_matches('.');
        let month = words[1].trim_end_matches('.').to_lowercase();
        let m = month_number(&month)?;
        return ymd(words[2], &m.to_string(), day);
    }
    None
}

/// Strip thousands separators and a currency suffix; decimal comma to point.
fn clean_number(s: &str) -> Option<String> {
    let mut t = s.trim().to_lowercase();
    for suffix in ["kronor", "sek", "kr.", "kr", ":-", "%"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end().to_string();
            break;
        }
    }
    let t: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    let t = if t.contains(',') {
        // 1.234,50 → 1234.50 ; 1234,50 → 1234.50
        t.replace('.', "").replace(',', ".")
    } else {
        t
    };
    let body = t.strip_prefix('-').unwrap_or(&t);
    let ok = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.matches('.').count() <= 1
        && body.chars().any(|c| c.is_ascii_digit());
    ok.then_some(t)
}

pub fn int(cell: &CellValue) -> Result<i64, Unreadable> {
    let bad = |f: &str| Unreadable::new(f, "är inget heltal", EXPECT_INT);
    match cell {
        CellValue::Int(i) => Ok(*i),
        CellValue::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(*f as i64),
        CellValue::Text(s) => clean_number(s)
            .and_then(|t| t.parse::<i64>().ok())
            .ok_or_else(|| bad(s.trim())),
        other => Err(bad(&other.shown())),
    }
}

pub fn money(cell: &CellValue) -> Result<Money, Unreadable> {
    let bad = |f: &str| Unreadable::new(f, "är inget belopp", EXPECT_MONEY);
    let from_f64 = |f: f64| {
        (f.is_finite() && f.abs() < 9e15).then(|| Money {
            ore: (f * 100.0).round() as i64,
        })
    };
    match cell {
        CellValue::Int(i) => i
            .checked_mul(100)
            .map(|ore| Money { ore })
            .ok_or_else(|| bad(&i.to_string())),
        CellValue::Float(f) => from_f64(*f).ok_or_else(|| bad(&cell.shown())),
        CellValue::Text(s) => clean_number(s)
            .and_then(|t| t.parse::<f64>().ok())
            .and_then(from_f64)
            .ok_or_else(|| bad(s.trim())),
        other => Err(bad(&other.shown())),
    }
}

pub fn level(cell: &CellValue) -> Result<Sakerhetsniva, Unreadable> {
    let bad = |f: &str| Unreadable::new(f, "är ingen säkerhetsnivå", EXPECT_LEVEL);
    match cell {
        CellValue::Int(i) => u8::try_from(*i)
            .ok()
            .and_then(Sakerhetsniva::new)
            .ok_or_else(|| bad(&i.to_string())),
        CellValue::Float(f) if f.fract() == 0.0 && (1.0..=4.0).contains(f) => {
            Sakerhetsniva::new(*f as u8).ok_or_else(|| bad(&cell.shown()))
        }
        CellValue::Text(s) => level_text(s).ok_or_else(|| bad(s.trim())),
        other => Err(bad(&other.shown())),
    }
}

fn level_text(s: &str) -> Option<Sakerhetsniva> {
    let t = super::header::normalize(s);
    let t = t.strip_prefix("nivå ").unwrap_or(&t);
    let label = |l: &str| {
        Sakerhetsniva::LABELS
            .iter()
            .position(|x| super::header::normal_chars(x).eq(l.trim().chars()))
            .and_then(|i| Sakerhetsniva::new(i as u8 + 1))
    };
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return label(t);
    }
    let n = Sakerhetsniva::new(digits.parse().ok()?)?;
    let rest = t[digits.len()..].trim().trim_start_matches([' ', '(', '.']);
    let rest = rest.trim_end_matches(')').trim();
    if rest.is_empty() {
        return Some(n);
    }
    // `1 - Grund`: the label, if given, must agree with the number.
    (label(rest) == Some(n)).then_some(n)
}

pub fn choice(cell: &CellValue, options: &[&str]) -> Result<String, Unreadable> {
    let t = text(cell);
    options
        .iter()
        .find(|o| super::header::same(o, &t))
        .map(|o| o.to_string())
        .ok_or_else(|| Unreadable::new(&t, "är inget giltigt värde", &options.join(", ")))
}

pub fn percent(cell: &CellValue) -> Result<f64, Unreadable> {
    let bad = |f: &str| Unreadable::new(f, "är ingen procentsats", EXPECT_PERCENT);
    let (shown, raw, had_sign) = match cell {
        CellValue::Int(i) => (i.to_string(), *i as f64, false),
        CellValue::Float(f) => (cell.shown(), *f, false),
        CellValue::Text(s) => {
            let t = s.trim();
            let v = clean_number(t)
                .and_then(|c| c.parse::<f64>().ok())
                .ok_or_else(|| bad(t))?;
            (t.to_string(), v, t.ends_with('%'))
        }
        other => return Err(bad(&other.shown())),
    };
    // A fraction (0,45 or a percentage-formatted cell) means 45 %.
    let v = if !had_sign && raw > 0.0 && raw < 1.0 {
        raw * 100.0
    } else {
        raw
    };
    let v = (v * 1000.0).round() / 1000.0;
    if !(0.0..=100.0).contains(&v) || !v.is_finite() {
        return Err(Unreadable::new(
            &shown,
            "ligger utanför 0–100 %",
            EXPECT_PERCENT,
        ));
    }
    Ok(v)
}

pub fn year(cell: &CellValue) -> Result<i64, Unreadable> {
    let bad = |f: &str| Unreadable::new(f, "är inget årtal", EXPECT_YEAR);
    let y = match cell {
        CellValue::DateTime(d) => Some(i64::from(d.year())),
        _ => int(cell).ok(),
    };
    y.filter(|y| (1900..=2200).contains(y))
        .ok_or_else(|| bad(&text(cell)))
}

/// One of every value kind (a choice among a few options), for the
/// property tests here and the fuzz target in `fuzz/`.
#[doc(hidden)]
pub const EVERY_KIND: &[Kind] = &[
    Kind::Text,
    Kind::Id,
    Kind::Bool,
    Kind::Date,
    Kind::DateOrYearStart,
    Kind::DateOrYearEnd,
    Kind::Int,
    Kind::Money,
    Kind::Level,
    Kind::Choice(&["Gemensam tjänst", "Verksamhetsspecifik", "Ja", "Nej"]),
    Kind::Percent,
    Kind::Year,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> CellValue {
        CellValue::Text(s.into())
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn ja_nej() {
        for y in ["Ja", "j", "YES", "y", "X", "Sant", "true", "1", " ja "] {
            assert_eq!(boolean(&t(y)), Ok(true), "{y}");
        }
        for n in ["Nej", "N", "no", "Falskt", "FALSE", "0"] {
            assert_eq!(boolean(&t(n)), Ok(false), "{n}");
        }
        assert_eq!(boolean(&CellValue::Float(1.0)), Ok(true));
        assert_eq!(boolean(&CellValue::Bool(false)), Ok(false));
        let e = boolean(&t("Kanske")).unwrap_err();
        assert_eq!(e.message, "\"Kanske\" är inte Ja eller Nej (Ja eller Nej)");
        assert_eq!(normalize(Kind::Bool, &t("")), Ok(None));
        assert_eq!(normalize(Kind::Bool, &t("n/a")), Ok(None));
    }

    #[test]
    fn dates() {
        assert_eq!(date(&t("2026-03-15"), None), Ok(d(2026, 3, 15)));
        assert_eq!(date(&t("2026-03-15 10:30"), None), Ok(d(2026, 3, 15)));
        assert_eq!(date(&t("2026-03-15T10:30:00"), None), Ok(d(2026, 3, 15)));
        assert_eq!(date(&t("15/3/2026"), None), Ok(d(2026, 3, 15)));
        assert_eq!(date(&t("15.3.2026"), None), Ok(d(2026, 3, 15)));
        assert_eq!(date(&t("15 mars 2026"), None), Ok(d(2026, 3, 15)));
        assert_eq!(date(&t("15 mar 2026"), None), Ok(d(2026, 3, 15)));
        assert_eq!(date(&t("1 Okt. 2025"), None), Ok(d(2025, 10, 1)));
        assert_eq!(date(&CellValue::Float(46096.0), None), Ok(d(2026, 3, 15)));
        assert!(date(&t("2026"), None).is_err());
        assert_eq!(date(&t("2026"), Some(true)), Ok(d(2026, 1, 1)));
        assert_eq!(
            date(&CellValue::Float(2026.0), Some(false)),
            Ok(d(2026, 12, 31))
        );
        let e = date(&t("31/2/2026"), None).unwrap_err();
        assert_eq!(
            e.message,
            "\"31/2/2026\" är inget datum (ett datum, t.ex. 2026-03-15, 15/3/2026, 15.3.2026 eller 15 mars 2026)"
        );
        assert!(date(&t("igår"), None).is_err());
    }

    #[test]
    fn numbers_and_money() {
        assert_eq!(money(&t("1 234,50 kr")), Ok(Money { ore: 123_450 }));
        assert_eq!(money(&t("1\u{a0}234 SEK")), Ok(Money { ore: 123_400 }));
        assert_eq!(money(&t("1.234,5")), Ok(Money { ore: 123_450 }));
        assert_eq!(money(&CellValue::Float(99.995)), Ok(Money { ore: 10_000 }));
        assert!(money(&t("mycket")).is_err());
        assert_eq!(int(&t("12")), Ok(12));
        assert_eq!(int(&CellValue::Float(3.0)), Ok(3));
        assert!(int(&CellValue::Float(3.5)).is_err());
    }

    #[test]
    fn levels() {
        let l = |n| Sakerhetsniva::new(n);
        assert_eq!(level(&t("3")).ok(), l(3));
        assert_eq!(level(&CellValue::Float(2.0)).ok(), l(2));
        assert_eq!(level(&t("Grund")).ok(), l(1));
        assert_eq!(level(&t("mycket hög")).ok(), l(4));
        assert_eq!(level(&t("1 - Grund")).ok(), l(1));
        assert_eq!(level(&t("3 – Hög")).ok(), l(3));
        assert!(level(&t("2 - Hög")).is_err());
        assert!(level(&t("5")).is_err());
        let e = level(&t("Hög?")).unwrap_err();
        assert_eq!(
            e.message,
            "\"Hög?\" är ingen säkerhetsnivå (1–4 eller Grund/Förhöjd/Hög/Mycket hög)"
        );
    }

    #[test]
    fn percents() {
        assert_eq!(percent(&t("45")), Ok(45.0));
        assert_eq!(percent(&t("45 %")), Ok(45.0));
        assert_eq!(percent(&t("0,45")), Ok(45.0));
        assert_eq!(percent(&CellValue::Float(0.455)), Ok(45.5));
        assert!(percent(&t("145")).is_err());
        assert!(percent(&t("mycket")).is_err());
    }

    #[test]
    fn placeholders_are_missing() {
        for p in ["-", "–", "n/a", "N/A", "saknas", "?", "  "] {
            assert_eq!(normalize(Kind::Text, &t(p)), Ok(None), "{p}");
        }
        assert_eq!(
            normalize(Kind::Id, &t(" kov ")),
            Ok(Some(Value::Text("KOV".into())))
        );
        assert_eq!(
            normalize(Kind::Choice(&["Gemensam tjänst"]), &t("gemensam  TJÄNST")),
            Ok(Some(Value::Text("Gemensam tjänst".into())))
        );
    }
}

/// Properties of the normalisers over generated input: they never panic,
/// read back what the template writes, and refuse what the contract does
/// not allow (issue 7; `docs/fuzzing.md`).
#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> CellValue {
        CellValue::Text(s.into())
    }

    /// Any text, weighted towards the shapes the parsers look for.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9 ,.:/+-]{0,24}",
            "[0-9]{1,4}[-/. ][0-9]{1,3}[-/. ][0-9]{1,5}( [0-9:]{0,8})?",
            "[0-9]{1,2}\\.? [a-zåäö]{2,9}\\.? [0-9]{2,5}",
            "-?[0-9 \u{a0}\u{202f}]{0,20}([,.][0-9]{0,4})? ?(kr|kronor|sek|SEK|:-|%)?",
            "(nivå )?[0-9]{0,4} ?[-–(.]? ?(grund|förhöjd|hög|mycket hög|Grund|HÖG)?\\)?",
        ]
    }

    fn any_cell() -> impl Strategy<Value = CellValue> {
        prop_oneof![
            any_text().prop_map(CellValue::Text),
            any_text().prop_map(CellValue::DateIso),
            any::<f64>().prop_map(CellValue::Float),
            (-1e16f64..1e16).prop_map(CellValue::Float),
            any::<i64>().prop_map(CellValue::Int),
            any::<bool>().prop_map(CellValue::Bool),
            (any::<i32>(), 0u32..86_400).prop_map(|(days, secs)| {
                let base = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
                let d = base
                    .checked_add_signed(chrono::Duration::days(i64::from(days) % 2_000_000))
                    .unwrap_or(base);
                CellValue::DateTime(
                    d.and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60)
                        .unwrap_or_default(),
                )
            }),
            any::<String>().prop_map(CellValue::Error),
        ]
    }

    /// A date the template can hold (the contract's years).
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1900i32..=2200, 1u32..=12, 1u32..=31)
            .prop_filter_map("a real day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
    }

    /// Öre as the template formats an amount: `1 234,50 kr`.
    fn kronor(ore: i64) -> String {
        let digits = (ore.abs() / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        let sign = if ore < 0 { "-" } else { "" };
        format!("{sign}{grouped},{:02} kr", ore.abs() % 100)
    }

    proptest! {
        #[test]
        fn never_panics(cell in any_cell(), k in 0..EVERY_KIND.len()) {
            let r = normalize(EVERY_KIND[k], &cell);
            if let Err(e) = r {
                // The message quotes what the cell held (as shown, trimmed,
                // or read as text) and says what was expected.
                prop_assert!(!e.expected.is_empty());
                let shown = cell.shown();
                prop_assert!(
                    [shown.as_str(), shown.trim(), text(&cell).as_str()].contains(&e.found.as_str()),
                    "found {:?} for {:?}", e.found, cell
                );
                prop_assert!(e.message.contains(&format!("\"{}\"", e.found)), "{}", e.message);
                prop_assert!(e.message.contains(&e.expected), "{}", e.message);
            }
            let _ = text(&cell);
            let _ = cell.shown();
        }

        #[test]
        fn a_date_reads_back_in_every_written_form(d in any_date(), start in any::<bool>()) {
            let iso = d.format("%Y-%m-%d").to_string();
            prop_assert_eq!(date(&t(&iso), None), Ok(d));
            prop_assert_eq!(date(&CellValue::DateIso(iso.clone()), None), Ok(d));
            prop_assert_eq!(date(&t(&format!("{iso}T10:30:00")), None), Ok(d));
            prop_assert_eq!(date(&t(&format!(" {iso} 10:30 ")), None), Ok(d));
            let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default();
            prop_assert_eq!(date(&CellValue::DateTime(noon), None), Ok(d));
            prop_assert_eq!(date(&CellValue::DateTime(noon), Some(start)), Ok(d));
            let (day, month, year) = (d.day(), d.month(), d.year());
            prop_assert_eq!(date(&t(&format!("{day}/{month}/{year}")), None), Ok(d));
            prop_assert_eq!(date(&t(&format!("{day}.{month}.{year}")), None), Ok(d));
            let name = month_name(month).unwrap_or_default();
            prop_assert_eq!(date(&t(&format!("{day} {name} {year}")), None), Ok(d));
            // As a date cell with no date format: the Excel serial number.
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
            let serial = (d - epoch).num_days();
            if serial >= 10_000 {
                prop_assert_eq!(date(&CellValue::Float(serial as f64), None), Ok(d));
                prop_assert_eq!(date(&CellValue::Float(serial as f64 + 0.75), None), Ok(d));
                prop_assert_eq!(date(&CellValue::Int(serial), None), Ok(d));
            }
            prop_assert_eq!(normalize(Kind::Date, &t(&iso)), Ok(Some(Value::Date(d))));
        }

        #[test]
        fn a_year_alone_is_a_date_only_where_the_column_allows_it(y in 1900i64..=2200) {
            let s = y.to_string();
            prop_assert!(date(&t(&s), None).is_err());
            let first = NaiveDate::from_ymd_opt(y as i32, 1, 1);
            let last = NaiveDate::from_ymd_opt(y as i32, 12, 31);
            prop_assert_eq!(date(&t(&s), Some(true)).ok(), first);
            prop_assert_eq!(date(&t(&s), Some(false)).ok(), last);
            prop_assert_eq!(date(&CellValue::Int(y), Some(true)).ok(), first);
            prop_assert_eq!(date(&CellValue::Float(y as f64), Some(false)).ok(), last);
            prop_assert_eq!(year(&t(&s)), Ok(y));
            prop_assert_eq!(year(&CellValue::Float(y as f64)), Ok(y));
        }

        #[test]
        fn impossible_dates_are_refused(y in 1900i32..=2200, m in 13u32..100, d in 32u32..100) {
            let ok = date(&t(&format!("{y}-{m:02}-01")), None).is_err();
            prop_assert!(ok);
            let ok = date(&t(&format!("{y}-01-{d}")), None).is_err();
            prop_assert!(ok);
            let ok = date(&t(&format!("{d}/1/{y}")), None).is_err();
            prop_assert!(ok);
            let ok = date(&t(&format!("1.{m}.{y}")), None).is_err();
            prop_assert!(ok);
            let ok = date(&t(&format!("{y}")), None).is_err();
            prop_assert!(ok);
        }

        #[test]
        fn ja_nej_read_back_in_any_case_and_padding(
            yes in any::<bool>(),
            upper in proptest::collection::vec(any::<bool>(), 3),
            pad in "[ \t]{0,3}",
        ) {
            let word: String = if yes { "ja" } else { "nej" }
                .chars()
                .zip(upper.iter().chain(std::iter::repeat(&false)))
                .map(|(c, u)| if *u { c.to_ascii_uppercase() } else { c })
                .collect();
            let cell = t(&format!("{pad}{word}{pad}"));
            prop_assert_eq!(boolean(&cell), Ok(yes));
            prop_assert_eq!(normalize(Kind::Bool, &cell), Ok(Some(Value::Bool(yes))));
            prop_assert_eq!(boolean(&CellValue::Bool(yes)), Ok(yes));
            prop_assert_eq!(text(&CellValue::Bool(yes)), if yes { "Ja" } else { "Nej" });
        }

        #[test]
        fn anything_else_is_not_ja_nej(s in "[a-zåäö]{2,12}") {
            let known = ["ja", "yes", "sant", "true", "nej", "no", "falskt", "false"];
            prop_assume!(!known.contains(&s.as_str()) && !is_placeholder(&s));
            prop_assert!(boolean(&t(&s)).is_err());
            prop_assert!(normalize(Kind::Bool, &t(&s)).is_err());
        }

        #[test]
        fn levels_read_back_as_the_template_writes_them(n in 1u8..=4, sep in "( - | – | \\(|\\. | )") {
            let want = Sakerhetsniva::new(n);
            let label = Sakerhetsniva::LABELS[usize::from(n - 1)];
            let close = if sep.contains('(') { ")" } else { "" };
            prop_assert_eq!(level(&t(&format!("{n}{sep}{label}{close}"))).ok(), want);
            prop_assert_eq!(level(&t(&format!("{n}{sep}{}{close}", label.to_uppercase()))).ok(), want);
            prop_assert_eq!(level(&t(label)).ok(), want);
            prop_assert_eq!(level(&t(&format!("Nivå {n}"))).ok(), want);
            prop_assert_eq!(level(&t(&n.to_string())).ok(), want);
            prop_assert_eq!(level(&CellValue::Int(i64::from(n))).ok(), want);
            prop_assert_eq!(level(&CellValue::Float(f64::from(n))).ok(), want);
            // A label that disagrees with the number is refused.
            let other = Sakerhetsniva::LABELS[usize::from(n % 4)];
            let ok = level(&t(&format!("{n} - {other}"))).is_err();
            prop_assert!(ok);
        }

        #[test]
        fn levels_outside_one_to_four_are_refused(n in any::<i64>()) {
            prop_assume!(!(1..=4).contains(&n));
            prop_assert!(level(&CellValue::Int(n)).is_err());
            prop_assert!(level(&CellValue::Float(n as f64)).is_err());
            prop_assert!(level(&t(&n.to_string())).is_err());
            prop_assert!(level(&CellValue::Float(2.5)).is_err());
        }

        #[test]
        // Excel holds 15 significant digits; number cells beyond are refused.
        fn integers_read_back(i in -999_999_999_999_999i64..=999_999_999_999_999) {
            prop_assert_eq!(int(&t(&i.to_string())), Ok(i));
            prop_assert_eq!(int(&CellValue::Int(i)), Ok(i));
            prop_assert_eq!(int(&CellValue::Float(i as f64)), Ok(i));
            prop_assert_eq!(text(&CellValue::Float(i as f64)), i.to_string());
            prop_assert!(int(&CellValue::Float(i as f64 + 0.5)).is_err());
            let ok = int(&t(&format!("{i},5"))).is_err();
            prop_assert!(ok);
        }

        #[test]
        fn amounts_read_back_as_the_template_formats_them(ore in -(1i64 << 50)..(1i64 << 50)) {
            let want = Money { ore };
            let shown = kronor(ore);
            prop_assert_eq!(money(&t(&shown)), Ok(want), "{}", shown);
            prop_assert_eq!(money(&t(&shown.replace(' ', "\u{a0}"))), Ok(want));
            prop_assert_eq!(money(&t(&shown.replace(" kr", " SEK"))), Ok(want));
            prop_assert_eq!(money(&t(&shown.replace(" kr", ""))), Ok(want));
            // As a number cell (whole kronor exactly; öre to the nearest öre).
            prop_assert_eq!(money(&CellValue::Int(ore / 100)), Ok(Money { ore: ore / 100 * 100 }));
            if ore.abs() < 1i64 << 40 {
                prop_assert_eq!(money(&CellValue::Float(ore as f64 / 100.0)), Ok(want));
            }
        }

        #[test]
        fn non_amounts_are_refused(s in "[a-zåäö]{1,10}|[0-9]{1,3}[,.][0-9]{1,3}[,.][0-9]{1,3}[,.][0-9]{1,3}") {
            // Two decimal separators of the same kind, or no digits at all.
            let commas = s.matches(',').count();
            let dots = s.matches('.').count();
            prop_assume!(s.chars().all(char::is_alphabetic) || commas >= 2 || (commas == 0 && dots >= 2));
            prop_assume!(!is_placeholder(&s));
            prop_assert!(money(&t(&s)).is_err(), "{}", s);
        }

        #[test]
        fn percentages_stay_within_zero_to_hundred(cell in any_cell()) {
            if let Ok(p) = percent(&cell) {
                prop_assert!((0.0..=100.0).contains(&p), "{p}");
            }
            if let Ok(y) = year(&cell) {
                prop_assert!((1900..=2200).contains(&y));
            }
        }
    }
}
