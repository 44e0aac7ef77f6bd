//! Digital maturity (DiMiOS, plan för digitalisering: "har för avsikt att
//! årligen" measure it): an indicator beside compliance, never pass/fail.
//! Computed once per run for the report, the feedback workbooks and the
//! manifest.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::records::DigitalMognad;
use crate::model::{Model, OrgData};

/// The six areas, in the order of the input sheet (after `Totalt`).
pub const AREAS: [&str; 6] = [
    "Effektivitet",
    "Innovation",
    "Balansering",
    "Organisation",
    "Användare",
    "Teknik",
];

/// `Totalt` then the six areas of one DiMiOS row.
pub fn values(m: &DigitalMognad) -> [Option<f64>; 7] {
    [
        m.totalt.get().copied(),
        m.effektivitet.get().copied(),
        m.innovation.get().copied(),
        m.balansering.get().copied(),
        m.organisation.get().copied(),
        m.anvandare.get().copied(),
        m.teknik.get().copied(),
    ]
}

/// An organisation's DiMiOS rows by year (the last row wins a tie).
pub fn by_year(o: &OrgData) -> BTreeMap<i64, &DigitalMognad> {
    let mut out = BTreeMap::new();
    if let Some(rows) = o.verksamhet.as_ref().and_then(|v| v.mognad.as_ref()) {
        for m in rows {
            if let Some(y) = m.ar.get() {
                out.insert(*y, m.as_ref());
            }
        }
    }
    out
}

/// One organisation's latest measurement and its change since the year before.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OrgMaturity {
    /// The organisation id.
    pub organisation: String,
    /// The year of its latest measurement.
    pub ar: i64,
    /// Totalt then the six areas.
    pub varden: [Option<f64>; 7],
    /// The most recent earlier year measured, if any.
    pub jamfort_med_ar: Option<i64>,
    /// Change per value since that year (percentage points).
    pub forandring: [Option<f64>; 7],
}

/// The city's mean per value and year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CityMean {
    /// The year.
    pub ar: i64,
    /// How many organisations measured that year.
    pub organisationer: usize,
    /// The mean of Totalt, then the six areas.
    pub medel: [Option<f64>; 7],
}

/// The maturity figures of a run.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Maturity {
    /// The year the per-date's previous year (Y−1) measurements are expected for.
    pub forvantat_ar: i64,
    /// Each organisation's latest measurement.
    pub per_organisation: Vec<OrgMaturity>,
    /// The city's means per year.
    pub staden: Vec<CityMean>,
    /// Organisations without a measurement for Y−1, with their latest year.
    pub utan_matning: Vec<(String, Option<i64>)>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Compute the figures for every register organisation.
pub fn compute(model: &Model) -> Maturity {
    let expected = i64::from(chrono::Datelike::year(&model.per)) - 1;
    let mut out = Maturity {
        forvantat_ar: expected,
        ..Maturity::default()
    };
    let mut city: BTreeMap<i64, ([f64; 7], [usize; 7], usize)> = BTreeMap::new();
    for o in &model.orgs {
        let years = by_year(o);
        for (yr, m) in &years {
            let e = city.entry(*yr).or_insert(([0.0; 7], [0; 7], 0));
            e.2 += 1;
            for (k, v) in values(m).iter().enumerate() {
                if let Some(v) = v {
                    e.0[k] += v;
                    e.1[k] += 1;
                }
            }
        }
        if !years.contains_key(&expected) {
            out.utan_matning
                .push((o.org.id.clone(), years.keys().next_back().copied()));
        }
        let Some((latest_year, latest)) = years.iter().next_back() else {
            continue;
        };
        let now = values(latest);
        let prev = years.range(..latest_year).next_back();
        let mut change = [None; 7];
        if let Some((_, p)) = prev {
            let before = values(p);
            for k in 0..7 {
                change[k] = match (now[k], before[k]) {
                    (Some(a), Some(b)) => Some(round1(a - b)),
                    _ => None,
                };
            }
        }
        out.per_organisation.push(OrgMaturity {
            organisation: o.org.id.clone(),
            ar: *latest_year,
            varden: now,
            jamfort_med_ar: prev.map(|(y, _)| *y),
            forandring: change,
        });
    }
    out.staden = city
        .into_iter()
        .map(|(ar, (sum, n, orgs))| {
            let mut medel = [None; 7];
            for k in 0..7 {
                medel[k] = (n[k] > 0).then(|| round1(sum[k] / n[k] as f64));
            }
            CityMean {
                ar,
                organisationer: orgs,
                medel,
            }
        })
        .collect();
    out
}
