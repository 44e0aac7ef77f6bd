//! Indicators from P: Målområden (never pass/fail): the shares of
//! Förändringsinsatser aimed at Innovation vs Effektivitet and at Extern vs
//! Intern nytta, by count and by budget, per organisation and city-wide.

use serde::Serialize;

use crate::model::records::Forandringsinsats;
use crate::model::Model;

/// The plan's 2020 baseline: "av den existerande portföljens samtliga
/// resurser var 99 procent allokerade för ökad effektivitet och en procent
/// för innovation". A share of resources (so compared with the budget
/// shares, not the count shares) in Intraservice's development portfolio.
pub const BASELINE_INNOVATION_PERCENT: f64 = 1.0;
/// The plan's 2020 baseline share of effektivitet, in percent.
pub const BASELINE_EFFEKTIVITET_PERCENT: f64 = 99.0;
/// Whose portfolio the baseline describes (matched against the register's
/// names and aliases, after normalisation).
pub const BASELINE_PORTFOLIO: &str = "Intraservice";

/// The register id of the organisation whose portfolio the 2020 baseline
/// describes: the first whose name or an alias is, or ends in,
/// [`BASELINE_PORTFOLIO`] ("Nämnden för Intraservice", alias "Intraservice").
pub fn baseline_org(model: &Model) -> Option<&str> {
    let want = crate::model::name::normalize(BASELINE_PORTFOLIO);
    model
        .orgs
        .iter()
        .find(|o| {
            std::iter::once(&o.org.namn)
                .chain(&o.org.alias)
                .any(|n| crate::model::name::normalize(n).ends_with(&want))
        })
        .map(|o| o.org.id.as_str())
}

/// Shares in percent; `None` where nothing was classified.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Indicator {
    /// Organisation id, or `STADEN` for the whole city.
    pub organisation: String,
    /// The number of förändringsinsatser.
    pub insatser: usize,
    /// Innovation share by count.
    pub innovation_antal: Option<f64>,
    /// Effektivitet share by count.
    pub effektivitet_antal: Option<f64>,
    /// Innovation share by budget.
    pub innovation_budget: Option<f64>,
    /// Effektivitet share by budget.
    pub effektivitet_budget: Option<f64>,
    /// Share aimed at Extern, by count.
    pub extern_antal: Option<f64>,
    /// Share aimed at Intern, by count.
    pub intern_antal: Option<f64>,
    /// Share aimed at Extern, by budget.
    pub extern_budget: Option<f64>,
    /// Share aimed at Intern, by budget.
    pub intern_budget: Option<f64>,
}

#[derive(Default)]
struct Tally {
    n: usize,
    count: [f64; 4], // innovation, effektivitet, extern, intern
    budget: [f64; 4],
}

impl Tally {
    fn add(&mut self, i: &Forandringsinsats) {
        self.n += 1;
        let b = i.budget.get().map(|m| m.kronor()).unwrap_or(0.0);
        let mut put = |k: usize| {
            self.count[k] += 1.0;
            self.budget[k] += b;
        };
        match i.inriktning.get().map(String::as_str) {
            Some("Innovation") => put(0),
            Some("Effektivitet") => put(1),
            _ => {}
        }
        match i.nytta.get().map(String::as_str) {
            Some("Extern") => put(2),
            Some("Intern") => put(3),
            _ => {}
        }
    }

    fn indicator(&self, org: &str) -> Indicator {
        let share = |a: f64, b: f64| (a + b > 0.0).then(|| (a / (a + b) * 1000.0).round() / 10.0);
        Indicator {
            organisation: org.to_string(),
            insatser: self.n,
            innovation_antal: share(self.count[0], self.count[1]),
            effektivitet_antal: share(self.count[1], self.count[0]),
            innovation_budget: share(self.budget[0], self.budget[1]),
            effektivitet_budget: share(self.budget[1], self.budget[0]),
            extern_antal: share(self.count[2], self.count[3]),
            intern_antal: share(self.count[3], self.count[2]),
            extern_budget: share(self.budget[2], self.budget[3]),
            intern_budget: share(self.budget[3], self.budget[2]),
        }
    }
}

/// One row per organisation that submitted Förändringsinsatser, then the city (`STADEN`).
pub fn compute(model: &Model) -> Vec<Indicator> {
    let mut city = Tally::default();
    let mut out = Vec::new();
    for o in &model.orgs {
        let Some(rows) = o.verksamhet.as_ref().and_then(|v| v.insatser.as_ref()) else {
            continue;
        };
        let mut t = Tally::default();
        for r in rows {
            t.add(r);
            city.add(r);
        }
        out.push(t.indicator(&o.org.id));
    }
    out.push(city.indicator("STADEN"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrgData, Organisation, Period};
    use std::sync::Arc;

    fn org(id: &str, namn: &str, alias: &[&str]) -> OrgData {
        let yaml = format!(
            "id: {id}\nnamn: {namn}\ntyp: nämnd\nbeslutsorgan: {namn}\nalias: [{}]\n",
            alias.join(", ")
        );
        let o: Organisation =
            crate::yaml::parse(&yaml, std::path::Path::new("t.yaml")).expect("organisation");
        OrgData::new(Arc::new(o))
    }

    #[test]
    fn the_baseline_belongs_to_intraservice_by_name_or_alias() {
        let per = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
        let model = |orgs| Model::new(per, Period::year(2026), orgs);
        let m = model(vec![
            org("KOV", "Kretslopp och vattennämnden", &[]),
            org("IS", "Nämnden för Intraservice", &[]),
        ]);
        assert_eq!(baseline_org(&m), Some("IS"));
        let m = model(vec![org("X", "Servicenämnden", &["INTRASERVICE"])]);
        assert_eq!(baseline_org(&m), Some("X"));
        let m = model(vec![org("KOV", "Kretslopp och vattennämnden", &[])]);
        assert_eq!(baseline_org(&m), None);
    }
}
