//! Cron expressions and next-run computation on local wall-clock time.
//!
//! Two forms are accepted:
//!
//! * **crontab** (5 fields: minute hour day-of-month month day-of-week), with
//!   crontab's meaning: day-of-week 0 or 7 = Sunday, 1 = Monday … 6 =
//!   Saturday, and when both day fields are restricted (neither starts with
//!   `*`) a day matches if *either* matches (Vixie cron);
//! * the **cron crate's** form (6 or 7 fields: second minute hour
//!   day-of-month month day-of-week [year], or `@daily` etc.), with that
//!   crate's meaning: day-of-week 1 = Sunday … 7 = Saturday, both day fields
//!   must match.
//!
//! The cron crate only parses. Matching is done here on the schedule's local
//! date and time, and each matching local time is mapped to one UTC instant:
//! a time that does not exist (the spring-forward gap) maps to the first
//! instant after the gap; a time that exists twice (the fall-back hour) maps
//! to the earlier one. So a job fires exactly once on both DST nights,
//! unlike `cron::Schedule::after`, which skips the first and fires twice on
//! the second.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use cron::TimeUnitSpec;

/// Which form an expression was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// 5 fields, crontab meaning.
    Crontab,
    /// 6–7 fields (or `@daily` …), the cron crate's meaning.
    WithSeconds,
}

impl Form {
    /// The form's Swedish name.
    pub fn label(self) -> &'static str {
        match self {
            Form::Crontab => "crontab",
            Form::WithSeconds => "med sekunder",
        }
    }
}

/// A parsed expression: the set of values of every field.
#[derive(Debug, Clone)]
pub struct CronSpec {
    /// The expression as written.
    pub source: String,
    /// Which form it was written in.
    pub form: Form,
    seconds: Vec<u32>,
    minutes: Vec<u32>,
    hours: Vec<u32>,
    days_of_month: BTreeSet<u32>,
    months: BTreeSet<u32>,
    /// Indexed by days from Sunday (0 = Sunday … 6 = Saturday).
    weekdays: [bool; 7],
    years: BTreeSet<u32>,
    /// Crontab: both day fields restricted, so either may match.
    days_either: bool,
}

const FORM_CRONTAB: &str =
    "crontab med 5 fält (minut timme dag månad veckodag; veckodag 0 eller 7 = söndag, 1 = måndag)";
const FORM_SECONDS: &str = "cron med sekunder, 6 eller 7 fält (sekund minut timme dag månad veckodag [år]; veckodag 1 = söndag … 7 = lördag)";

impl FromStr for CronSpec {
    type Err = String;

    /// Parse either form; when neither parses, say which forms were tried.
    fn from_str(expr: &str) -> Result<Self, String> {
        let e = expr.trim();
        let crontab = parse_crontab(e);
        if let Ok(spec) = crontab {
            return Ok(spec);
        }
        let seconds = parse_with_seconds(e);
        if let Ok(spec) = seconds {
            return Ok(spec);
        }
        Err(format!(
            "cron-uttrycket \"{e}\" kan inte tolkas. Provade former: {FORM_CRONTAB}: {}; {FORM_SECONDS}: {}",
            crontab.err().unwrap_or_default(),
            seconds.err().unwrap_or_default()
        ))
    }
}

fn parse_crontab(e: &str) -> Result<CronSpec, String> {
    let fields: Vec<&str> = e.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("har {} fält, inte 5", fields.len()));
    }
    let weekdays = crontab_weekdays(fields[4])?;
    let names = if weekdays.iter().all(|d| *d) {
        "*".to_string()
    } else {
        const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
        (0..7)
            .filter(|&d| weekdays[d])
            .map(|d| NAMES[d])
            .collect::<Vec<_>>()
            .join(",")
    };
    // Let the cron crate parse the other four fields (same syntax in both forms).
    let translated = format!(
        "0 {} {} {} {} {names}",
        fields[0], fields[1], fields[2], fields[3]
    );
    let parsed = cron::Schedule::from_str(&translated).map_err(crate_error)?;
    let starred = |f: &str| f.starts_with('*') || f.starts_with('?');
    let mut spec = from_cron(e, Form::Crontab, &parsed);
    spec.weekdays = weekdays;
    spec.days_either = !starred(fields[2]) && !starred(fields[4]);
    Ok(spec)
}

fn parse_with_seconds(e: &str) -> Result<CronSpec, String> {
    let n = e.split_whitespace().count();
    if !e.starts_with('@') && !(6..=7).contains(&n) {
        return Err(format!("har {n} fält, inte 6 eller 7"));
    }
    let parsed = cron::Schedule::from_str(e).map_err(crate_error)?;
    Ok(from_cron(e, Form::WithSeconds, &parsed))
}

/// The cron crate's message on one line: it may quote the expression with a
/// caret line; only the message itself is kept.
fn crate_error(err: cron::error::Error) -> String {
    let text = err.to_string();
    let last = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.chars().all(|c| c == '^'))
        .unwrap_or("");
    format!("fältet kan inte tolkas ({last})")
}

fn from_cron(source: &str, form: Form, s: &cron::Schedule) -> CronSpec {
    let mut weekdays = [false; 7];
    for quartz in s.days_of_week().iter() {
        // The cron crate: 1 = Sunday … 7 = Saturday.
        if let Some(w) = weekdays.get_mut(quartz.wrapping_sub(1) as usize) {
            *w = true;
        }
    }
    CronSpec {
        source: source.to_string(),
        form,
        seconds: s.seconds().iter().collect(),
        minutes: s.minutes().iter().collect(),
        hours: s.hours().iter().collect(),
        days_of_month: s.days_of_month().iter().collect(),
        months: s.months().iter().collect(),
        weekdays,
        years: s.years().iter().collect(),
        days_either: false,
    }
}

/// A crontab day-of-week field as a set indexed from Sunday: numbers 0–7
/// (0 and 7 = Sunday), names, ranges, lists and steps.
pub fn crontab_weekdays(field: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    let bad = |item: &str, why: &str| {
        format!("veckodagen \"{item}\" {why} (0–7 där 0 och 7 = söndag, eller sun–sat)")
    };
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => {
                let step: u32 = s
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=7).contains(n))
                    .ok_or_else(|| bad(item, "har ett ogiltigt steg"))?;
                (b.trim(), step)
            }
            None => (item.trim(), 1),
        };
        let (lo, hi) = if base == "*" || base == "?" {
            (0, 7)
        } else if let Some((a, b)) = base.split_once('-') {
            let a = weekday_value(a).ok_or_else(|| bad(item, "finns inte"))?;
            let b = weekday_value(b).ok_or_else(|| bad(item, "finns inte"))?;
            // `fri-sun` is written 5-7; a name range ending on Sunday means 7.
            let b = if b == 0 && a > 0 { 7 } else { b };
            if a > b {
                return Err(bad(item, "är ett baklänges intervall"));
            }
            (a, b)
        } else {
            let a = weekday_value(base).ok_or_else(|| bad(item, "finns inte"))?;
            // `N/step` means from N to the end.
            (a, if step > 1 { 7 } else { a })
        };
        for d in (lo..=hi).step_by(step as usize) {
            days[(d % 7) as usize] = true;
        }
    }
    Ok(days)
}

fn weekday_value(s: &str) -> Option<u32> {
    let s = s.trim().to_ascii_lowercase();
    if let Ok(n) = s.parse::<u32>() {
        return (n <= 7).then_some(n);
    }
    Some(match s.as_str() {
        "sun" | "sunday" => 0,
        "mon" | "monday" => 1,
        "tue" | "tues" | "tuesday" => 2,
        "wed" | "wednesday" => 3,
        "thu" | "thurs" | "thursday" => 4,
        "fri" | "friday" => 5,
        "sat" | "saturday" => 6,
        _ => return None,
    })
}

impl CronSpec {
    /// Whether the expression matches local date `d` (year, month and days).
    pub fn matches_date(&self, d: NaiveDate) -> bool {
        let dom = self.days_of_month.contains(&d.day());
        let dow = self.weekdays[d.weekday().num_days_from_sunday() as usize];
        let day = if self.days_either {
            dom || dow
        } else {
            dom && dow
        };
        day && self.months.contains(&d.month()) && self.years.contains(&(d.year() as u32))
    }

    /// The first scheduled instant strictly after `t`, in zone `tz`.
    pub fn next_after<Z: TimeZone>(&self, tz: &Z, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.with_timezone(tz).naive_local();
        let last_year = (*self.years.iter().next_back()?).min(9999) as i32;
        let mut date = local.date();
        while date.year() <= last_year {
            if !self.years.contains(&(date.year() as u32)) {
                date = NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)?;
                continue;
            }
            if !self.months.contains(&date.month()) {
                date = first_of_next_month(date)?;
                continue;
            }
            if self.matches_date(date) {
                for &h in &self.hours {
                    for &m in &self.minutes {
                        for &s in &self.seconds {
                            let time = NaiveTime::from_hms_opt(h, m, s)?;
                            // Local times up to `local` map to instants up to `t`.
                            if date == local.date() && time <= local.time() {
                                continue;
                            }
                            let at = to_utc(tz, date.and_time(time))?;
                            if at > t {
                                return Some(at);
                            }
                        }
                    }
                }
            }
            date = date.succ_opt()?;
        }
        None
    }
}

fn first_of_next_month(d: NaiveDate) -> Option<NaiveDate> {
    if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    }
}

/// The instant of local wall-clock time `local` in `tz`: the earlier one when
/// it occurs twice, the first instant after the gap when it does not occur.
pub fn to_utc<Z: TimeZone>(tz: &Z, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(d) => Some(d.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            Some(a.min(b))
        }
        LocalResult::None => {
            // Transitions fall on whole minutes: the first whole local minute
            // that exists again is the end of the gap (at most 48 hours on).
            let mut probe = local.with_second(0)?.with_nanosecond(0)?;
            for _ in 0..(48 * 60) {
                probe += Duration::minutes(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(d) => return Some(d.with_timezone(&Utc)),
                    LocalResult::Ambiguous(a, b) => {
                        let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                        return Some(a.min(b));
                    }
                    LocalResult::None => {}
                }
            }
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::Weekday;
    use chrono_tz::Europe::Stockholm;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn spec(e: &str) -> CronSpec {
        e.parse().unwrap()
    }

    fn days(e: &str) -> Vec<Weekday> {
        let s = spec(e);
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        (0..7)
            .map(|i| monday + Duration::days(i))
            .filter(|d| s.matches_date(*d))
            .map(|d| d.weekday())
            .collect()
    }

    #[test]
    fn crontab_weekdays_mean_what_they_mean_in_crontab() {
        use Weekday::*;
        assert_eq!(days("0 2 * * 1-5"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("0 2 * * 0"), [Sun]);
        assert_eq!(days("0 2 * * 7"), [Sun]);
        assert_eq!(days("0 2 * * 6,0"), [Sat, Sun]);
        assert_eq!(days("0 2 * * 5-7"), [Fri, Sat, Sun]);
        assert_eq!(days("0 2 * * 1"), [Mon]);
        assert_eq!(days("0 2 * * */2"), [Tue, Thu, Sat, Sun]);
        assert_eq!(days("0 2 * * 1-5/2"), [Mon, Wed, Fri]);
        assert_eq!(days("0 2 * * 1/3"), [Mon, Thu, Sun]);
        assert_eq!(days("0 2 * * mon-fri"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("0 2 * * fri-sun"), [Fri, Sat, Sun]);
        assert_eq!(days("0 2 * * MON,wed"), [Mon, Wed]);
        assert_eq!(days("0 2 * * *").len(), 7);
        assert_eq!(days("0 2 * * 0-7").len(), 7);
    }

    #[test]
    fn crontab_weekday_errors() {
        for bad in ["0 2 * * 8", "0 2 * * 5-1", "0 2 * * mån", "0 2 * * 1/0"] {
            let e = bad.parse::<CronSpec>().unwrap_err();
            assert!(e.contains("veckodagen"), "{bad}: {e}");
        }
    }

    #[test]
    fn seconds_form_keeps_the_cron_crate_numbering() {
        use Weekday::*;
        // The cron crate: 1 = Sunday, 2 = Monday … 7 = Saturday.
        assert_eq!(days("0 0 2 * * 2-6"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("0 0 2 * * 1"), [Sun]);
        assert_eq!(days("0 0 2 * * Mon-Fri"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(spec("0 0 2 * * * 2027").form, Form::WithSeconds);
        assert_eq!(spec("@daily").form, Form::WithSeconds);
        assert_eq!(spec("0 2 * * *").form, Form::Crontab);
        assert!("0 0 2 * * 0".parse::<CronSpec>().is_err());
    }

    #[test]
    fn crontab_day_fields_either_when_both_restricted() {
        // 1st of the month or any Monday (crontab), November 2026.
        let s = spec("0 2 1 * 1");
        let matching: Vec<u32> = (1..=30)
            .filter(|d| s.matches_date(NaiveDate::from_ymd_opt(2026, 11, *d).unwrap()))
            .collect();
        assert_eq!(matching, [1, 2, 9, 16, 23, 30]);
        // Day field starred: both must hold (every day, then Mondays only).
        let s = spec("0 2 */1 * 1");
        assert!(!s.matches_date(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()));
    }

    #[test]
    fn neither_form_names_both_forms() {
        let e = "0 2 * *".parse::<CronSpec>().unwrap_err();
        assert!(e.contains("crontab med 5 fält"), "{e}");
        assert!(e.contains("cron med sekunder"), "{e}");
        assert!(e.contains("har 4 fält"), "{e}");
        let e = "61 2 * * *".parse::<CronSpec>().unwrap_err();
        assert!(e.contains("Provade former"), "{e}");
        assert!(e.contains("'61' specified"), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }

    #[test]
    fn next_after_is_strict_and_in_local_time() {
        let s = spec("0 2 * * *");
        // 2026-11-26 01:00 UTC = 02:00 CET.
        let t = utc("2026-11-26T01:00:00Z");
        assert_eq!(
            s.next_after(&Stockholm, t),
            Some(utc("2026-11-27T01:00:00Z"))
        );
        assert_eq!(s.next_after(&Stockholm, t - Duration::seconds(1)), Some(t));
        // Summer: 02:00 CEST = 00:00 UTC.
        assert_eq!(
            s.next_after(&Stockholm, utc("2026-07-01T12:00:00Z")),
            Some(utc("2026-07-02T00:00:00Z"))
        );
    }

    #[test]
    fn never_matching_expression_has_no_next_run() {
        assert_eq!(
            spec("0 0 30 2 *").next_after(&Stockholm, utc("2026-01-01T00:00:00Z")),
            None
        );
        assert_eq!(
            spec("0 0 0 1 1 * 2020").next_after(&Stockholm, utc("2026-01-01T00:00:00Z")),
            None
        );
    }

    /// Every run of `e` in (from, to].
    fn runs(e: &str, from: &str, to: &str) -> Vec<DateTime<Utc>> {
        let s = spec(e);
        let mut t = utc(from);
        let mut out = Vec::new();
        while let Some(n) = s.next_after(&Stockholm, t) {
            if n > utc(to) {
                break;
            }
            out.push(n);
            t = n;
        }
        out
    }

    #[test]
    fn spring_forward_runs_once_right_after_the_gap() {
        // 2026-03-29: 02:00 CET → 03:00 CEST (01:00 UTC).
        let r = runs("30 2 * * *", "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z");
        assert_eq!(r, [utc("2026-03-29T01:00:00Z")]);
        let r = runs(
            "*/15 2 * * *",
            "2026-03-28T12:00:00Z",
            "2026-03-29T12:00:00Z",
        );
        assert_eq!(r, [utc("2026-03-29T01:00:00Z")]);
        let r = runs("30 3 * * *", "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z");
        assert_eq!(r, [utc("2026-03-29T01:30:00Z")]);
    }

    #[test]
    fn fall_back_runs_once_at_the_first_occurrence() {
        // 2026-10-25: 03:00 CEST → 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC.
        let r = runs("30 2 * * *", "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z");
        assert_eq!(r, [utc("2026-10-25T00:30:00Z")]);
        let r = runs("30 3 * * *", "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z");
        assert_eq!(r, [utc("2026-10-25T02:30:00Z")]);
        // Asked from inside the second 02:xx hour: nothing more that night.
        let s = spec("30 2 * * *");
        assert_eq!(
            s.next_after(&Stockholm, utc("2026-10-25T01:10:00Z")),
            Some(utc("2026-10-26T01:30:00Z"))
        );
    }

    #[test]
    fn the_cron_crate_alone_gets_dst_nights_wrong() {
        // Why matching is done here: documents the crate's behaviour.
        let s = cron::Schedule::from_str("0 30 2 * * *").unwrap();
        let from = utc("2026-03-28T12:00:00Z").with_timezone(&Stockholm);
        let spring: Vec<_> = s
            .after(&from)
            .take_while(|t| *t < utc("2026-03-29T12:00:00Z"))
            .collect();
        assert!(spring.is_empty(), "{spring:?}");
        let from = utc("2026-10-24T12:00:00Z").with_timezone(&Stockholm);
        let autumn: Vec<_> = s
            .after(&from)
            .take_while(|t| *t < utc("2026-10-25T12:00:00Z"))
            .collect();
        assert_eq!(autumn.len(), 2, "{autumn:?}");
    }
}
