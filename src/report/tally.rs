//! The figures of a run over every evaluation, gathered while the
//! evaluations stream to `resultat.jsonl` (only findings and the outcomes the
//! report shows one by one are kept).

use std::collections::HashMap;

use crate::rules::{RuleSet, Status};

/// Figures over every evaluation of a run, gathered while the evaluations
/// stream to `resultat.jsonl`.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The rule ids, in rule order (the index of the other fields).
    pub rules: Vec<String>,
    /// Per rule, the count per status in `Status::ALL` order.
    pub per_rule: Vec<[usize; Status::ALL.len()]>,
    /// Per organisation, its worst status per rule (`None`: not evaluated).
    pub worst: HashMap<String, Vec<Option<Status>>>,
    /// Per organisation, its worst status per rule among the data statuses
    /// (every status but `regelfel`, which is SLK's problem, not the
    /// organisation's).
    pub worst_data: HashMap<String, Vec<Option<Status>>>,
}

impl Tally {
    /// An empty tally over the rules of `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        Self {
            rules: rules.rules.iter().map(|r| r.def.id.clone()).collect(),
            per_rule: vec![[0; Status::ALL.len()]; rules.rules.len()],
            worst: HashMap::new(),
            worst_data: HashMap::new(),
        }
    }

    /// Add one organisation's tally (see [`OrgTally`]).
    pub fn merge(&mut self, org: &str, t: OrgTally) {
        for (sum, c) in self.per_rule.iter_mut().zip(&t.per_rule) {
            for (a, b) in sum.iter_mut().zip(c) {
                *a += b;
            }
        }
        let fold = |slots: &mut Vec<Option<Status>>,
                    worst: &mut dyn Iterator<Item = Option<Status>>| {
            for (slot, s) in slots.iter_mut().zip(worst) {
                *slot = match (*slot, s) {
                    (Some(a), Some(b)) => Some(a.worst(b)),
                    (a, b) => a.or(b),
                };
            }
        };
        let n = t.per_rule.len();
        fold(
            self.worst
                .entry(org.to_string())
                .or_insert_with(|| vec![None; n]),
            &mut t.worst(false),
        );
        fold(
            self.worst_data
                .entry(org.to_string())
                .or_insert_with(|| vec![None; n]),
            &mut t.worst(true),
        );
    }

    /// An organisation's worst data status over every rule (`regelfel`
    /// left out): its overall status.
    pub fn overall_data(&self, org: &str) -> Option<Status> {
        self.worst_data
            .get(org)?
            .iter()
            .flatten()
            .copied()
            .reduce(Status::worst)
    }

    /// How many rules ended in `regelfel` for `org` (at least once).
    pub fn rules_in_error(&self, org: &str) -> usize {
        self.worst.get(org).map_or(0, |v| {
            v.iter().filter(|s| **s == Some(Status::Regelfel)).count()
        })
    }

    /// How many evaluations in all.
    pub fn total(&self) -> usize {
        self.per_rule.iter().flatten().sum()
    }

    /// How many evaluations are findings.
    pub fn findings(&self) -> usize {
        self.status_counts()
            .iter()
            .filter(|(s, _)| s.is_finding())
            .map(|(_, n)| n)
            .sum()
    }

    /// The worst status of `rule` for `org`.
    pub fn worst(&self, org: &str, rule: &str) -> Option<Status> {
        let i = self.rules.iter().position(|r| r == rule)?;
        self.worst.get(org).and_then(|v| v[i])
    }

    /// An organisation's worst status over every rule.
    pub fn overall(&self, org: &str) -> Option<Status> {
        self.worst
            .get(org)?
            .iter()
            .flatten()
            .copied()
            .reduce(Status::worst)
    }

    /// How many evaluations of `rule` ended in `status`.
    pub fn count(&self, rule: &str, status: Status) -> usize {
        self.rules
            .iter()
            .position(|x| x == rule)
            .map_or(0, |r| self.per_rule[r][status.index()])
    }

    /// The number of evaluations per status, in `Status::ALL` order.
    pub fn status_counts(&self) -> Vec<(Status, usize)> {
        Status::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, self.per_rule.iter().map(|c| c[i]).sum()))
            .collect()
    }
}

/// The counts of one organisation's evaluations per rule and status, made
/// where they are made (on a worker) and merged into the [`Tally`] once per
/// organisation.
#[derive(Debug, Clone)]
pub struct OrgTally {
    per_rule: Vec<[usize; Status::ALL.len()]>,
}

impl OrgTally {
    /// No evaluations yet, of `rules` rules.
    pub fn new(rules: usize) -> Self {
        Self {
            per_rule: vec![[0; Status::ALL.len()]; rules],
        }
    }

    /// Count one evaluation of the rule at index `rule`.
    pub fn add(&mut self, rule: usize, status: Status) {
        if let Some(c) = self.per_rule.get_mut(rule) {
            c[status.index()] += 1;
        }
    }

    /// The worst status per rule: the first in `Status::ALL` (worst first)
    /// with a count.
    /// With `data_only`, `regelfel` is left out.
    fn worst(&self, data_only: bool) -> impl Iterator<Item = Option<Status>> + '_ {
        self.per_rule.iter().map(move |c| {
            c.iter()
                .enumerate()
                .position(|(i, n)| *n > 0 && !(data_only && Status::ALL[i] == Status::Regelfel))
                .map(|i| Status::ALL[i])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_tallies_merge_into_counts_and_worst_statuses() {
        let mut tally = Tally {
            rules: vec!["R01".into(), "R02".into()],
            per_rule: vec![[0; Status::ALL.len()]; 2],
            worst: HashMap::new(),
            worst_data: HashMap::new(),
        };
        let mut kov = OrgTally::new(2);
        kov.add(0, Status::Uppfyllt);
        kov.add(1, Status::Uppfyllt);
        kov.add(1, Status::Brist);
        tally.merge("KOV", kov);
        let mut is = OrgTally::new(2);
        is.add(1, Status::EjTillamplig);
        tally.merge("IS", is);
        // The same organisation again (merging is additive).
        let mut kov2 = OrgTally::new(2);
        kov2.add(0, Status::UnderlagSaknas);
        tally.merge("KOV", kov2);

        assert_eq!(tally.total(), 5);
        assert_eq!(tally.count("R01", Status::Uppfyllt), 1);
        assert_eq!(tally.count("R01", Status::UnderlagSaknas), 1);
        assert_eq!(tally.count("R02", Status::Brist), 1);
        assert_eq!(tally.count("R02", Status::EjTillamplig), 1);
        assert_eq!(tally.worst("KOV", "R01"), Some(Status::UnderlagSaknas));
        assert_eq!(tally.worst("KOV", "R02"), Some(Status::Brist));
        assert_eq!(tally.worst("IS", "R01"), None);
        assert_eq!(tally.overall("KOV"), Some(Status::Brist));
        assert_eq!(tally.overall("IS"), Some(Status::EjTillamplig));
        assert_eq!(tally.overall("SAKNAS"), None);
        // A rule error is counted apart, never the organisation's status.
        let mut gsn = OrgTally::new(2);
        gsn.add(0, Status::Regelfel);
        gsn.add(1, Status::Brist);
        gsn.add(1, Status::Regelfel);
        tally.merge("GSN", gsn);
        assert_eq!(tally.overall("GSN"), Some(Status::Regelfel));
        assert_eq!(tally.overall_data("GSN"), Some(Status::Brist));
        assert_eq!(tally.rules_in_error("GSN"), 2);
        assert_eq!(tally.overall_data("KOV"), Some(Status::Brist));
        assert_eq!(tally.rules_in_error("KOV"), 0);
        let sum: usize = tally.status_counts().iter().map(|(_, n)| n).sum();
        assert_eq!(sum, 8);
    }
}
