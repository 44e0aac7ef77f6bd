//! Reporting periods: `2026` (annual) or `2026-T1` … `2026-T3` (tertial).

use std::fmt;
use std::str::FromStr;

/// The period a submission concerns: a year, or one tertial (T1–T3) of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The calendar year.
    pub year: i32,
    /// The tertial (1–3), or `None` for the whole year.
    pub tertial: Option<u8>,
}

impl Period {
    /// The whole of `year`.
    pub fn year(year: i32) -> Self {
        Self {
            year,
            tertial: None,
        }
    }

    /// Whether a submission for `submitted` belongs to a run judging `self`:
    /// the same period, or a tertial of the run's year when the run is annual.
    pub fn covers(&self, submitted: &Period) -> bool {
        self == submitted || (self.tertial.is_none() && self.year == submitted.year)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tertial {
            Some(t) => write!(f, "{}-T{}", self.year, t),
            None => write!(f, "{}", self.year),
        }
    }
}

impl FromStr for Period {
    type Err = String;

    /// Accepts `2026`, `2026-T1`, `2026 T2`, `2026-t3`, `2026.0` (a numeric cell).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("\"{s}\" är ingen period (ÅÅÅÅ eller ÅÅÅÅ-T1, -T2, -T3)");
        let t = s.trim();
        let t = t.strip_suffix(".0").unwrap_or(t);
        let (y, rest) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
        if y.len() != 4 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let rest = rest.trim_start_matches(['-', ' ', '_']).trim();
        if rest.is_empty() {
            return Ok(Self::year(year));
        }
        let n = rest
            .strip_prefix(['T', 't'])
            .and_then(|n| n.trim().parse::<u8>().ok())
            .filter(|n| (1..=3).contains(n))
            .ok_or_else(bad)?;
        Ok(Self {
            year,
            tertial: Some(n),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert_eq!("2026".parse::<Period>(), Ok(Period::year(2026)));
        assert_eq!("2026.0".parse::<Period>(), Ok(Period::year(2026)));
        let t2 = Period {
            year: 2026,
            tertial: Some(2),
        };
        assert_eq!("2026-T2".parse::<Period>(), Ok(t2));
        assert_eq!("2026 t2".parse::<Period>(), Ok(t2));
        assert_eq!(t2.to_string(), "2026-T2");
        assert!("2026-T4".parse::<Period>().is_err());
        assert!("26".parse::<Period>().is_err());
        assert!("hösten".parse::<Period>().is_err());
    }

    #[test]
    fn annual_run_covers_its_tertials() {
        let y = Period::year(2026);
        assert!(y.covers(&"2026-T1".parse().unwrap()));
        assert!(!y.covers(&Period::year(2025)));
        let t1: Period = "2026-T1".parse().unwrap();
        assert!(!t1.covers(&y));
    }
}
