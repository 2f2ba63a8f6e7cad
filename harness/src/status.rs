//! Status arithmetic (pure): each Go test ends in exactly one status (shared PARITY.md).
//!
//! `mapped` needs every claimant to have passed in the recorded run; a claimant that failed,
//! was skipped, is `#[ignore]`d or did not run makes the test `failing`. The percentage is
//! mapped / (tests - not applicable); benchmarks and fuzz targets are listed but not counted.

use crate::inventory::{category, Inventory, Kind};
use crate::mapping::claims::ClaimedTest;
use crate::mapping::notapp::NaEntry;
use crate::mapping::{ResultIndex, RunState};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unmapped,
    Mapped,
    Failing,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unmapped => "unmapped",
            Status::Mapped => "mapped",
            Status::Failing => "failing",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// A Rust test claiming a Go test, and how it fared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimantView {
    pub file: String,
    pub line: u32,
    pub binary: String,
    pub path: String,
    pub state: String,
}

/// One Go test with its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub key: String,
    pub package: String,
    pub name: String,
    pub kind: &'static str,
    pub category: String,
    pub file: String,
    pub line: u32,
    pub build: String,
    pub skips: bool,
    pub status: Status,
    pub claimants: Vec<ClaimantView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub na_reason: Option<String>,
}

/// Counts over Go tests (kind `test` only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub total: usize,
    pub mapped: usize,
    pub failing: usize,
    pub not_applicable: usize,
    pub unmapped: usize,
}

impl Totals {
    fn add(&mut self, s: Status) {
        self.total += 1;
        match s {
            Status::Mapped => self.mapped += 1,
            Status::Failing => self.failing += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Unmapped => self.unmapped += 1,
        }
    }

    pub fn applicable(&self) -> usize {
        self.total - self.not_applicable
    }

    /// Mapped percentage of applicable tests (0 when none apply).
    pub fn pct(&self) -> f64 {
        if self.applicable() == 0 {
            0.0
        } else {
            self.mapped as f64 * 100.0 / self.applicable() as f64
        }
    }
}

/// Gives every inventory entry its status. `results` is `None` when no run was recorded.
pub fn rows(
    inv: &Inventory,
    na: &[NaEntry],
    claimants: &[ClaimedTest],
    results: Option<&ResultIndex>,
) -> Vec<Row> {
    let na: HashMap<&str, &str> = na
        .iter()
        .map(|e| (e.key.as_str(), e.reason.as_str()))
        .collect();
    let mut by_key: HashMap<&str, Vec<ClaimantView>> = HashMap::new();
    for c in claimants {
        let state = if c.ignored {
            "ignored".to_string()
        } else {
            results
                .map_or(RunState::NotRun, |r| r.state_of(&c.binary, &c.path))
                .as_str()
                .to_string()
        };
        for (key, _) in &c.claims {
            by_key.entry(key).or_default().push(ClaimantView {
                file: c.file.clone(),
                line: c.line,
                binary: c.binary.clone(),
                path: c.path.clone(),
                state: state.clone(),
            });
        }
    }
    inv.tests
        .iter()
        .map(|t| {
            let key = t.key();
            let claimants = by_key.remove(key.as_str()).unwrap_or_default();
            let na_reason = na.get(key.as_str()).map(|r| r.to_string());
            let status = if na_reason.is_some() {
                Status::NotApplicable
            } else if claimants.is_empty() {
                Status::Unmapped
            } else if claimants.iter().all(|c| c.state == "passed") {
                Status::Mapped
            } else {
                Status::Failing
            };
            Row {
                key,
                package: t.package.clone(),
                name: t.name.clone(),
                kind: t.kind.as_str(),
                category: t.category.clone(),
                file: t.file.clone(),
                line: t.line,
                build: t.build.clone(),
                skips: t.skips,
                status,
                claimants,
                na_reason,
            }
        })
        .collect()
}

/// Overall totals and totals per category (in the category table's order), tests only.
pub fn totals(rows: &[Row]) -> (Totals, Vec<(String, Totals)>) {
    let mut overall = Totals::default();
    let mut per: BTreeMap<(usize, String), Totals> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.kind == Kind::Test.as_str()) {
        overall.add(r.status);
        per.entry((category::order(&r.category), r.category.clone()))
            .or_default()
            .add(r.status);
    }
    (overall, per.into_iter().map(|((_, c), t)| (c, t)).collect())
}

/// Rounds a percentage to two decimals, the precision the baseline keeps.
pub fn round2(pct: f64) -> f64 {
    (pct * 100.0).round() / 100.0
}
