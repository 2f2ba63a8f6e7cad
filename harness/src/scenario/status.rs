//! Each scenario's standing from its latest recorded result: what the report shows and what its Go
//! claims count as. A result recorded for other content (the scenario was edited since) is stale
//! and counts as not run.

use serde::Serialize;

use super::{Corpus, SCENARIO_BINARY};
use crate::db::LatestScenario;
use crate::mapping::junit::{CaseResult, Outcome};

/// A scenario with its latest result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioView {
    pub name: String,
    pub file: String,
    pub line: u32,
    pub about: String,
    pub go: Vec<String>,
    /// `passed` (same on both), `failed` (differs or error), `not run`, `stale`.
    pub state: String,
    pub verdict: Option<String>,
    pub recorded_at: Option<String>,
    pub commit: Option<String>,
    pub go_server: Option<String>,
    pub rust_server: Option<String>,
    pub detail: String,
    pub diff: String,
    /// The reviewed reason when listed in known-differences.tsv.
    pub known: Option<String>,
}

/// Views of every scenario in the corpus, and results for the claim matcher (binary `scenario`,
/// name = scenario name) for those that ran with their current content.
pub fn views(corpus: &Corpus, latest: &[LatestScenario]) -> (Vec<ScenarioView>, Vec<CaseResult>) {
    let mut out = Vec::new();
    let mut results = Vec::new();
    for s in &corpus.scenarios {
        let last = latest.iter().find(|l| l.record.name == s.name);
        let current = last.filter(|l| l.record.fingerprint == s.fingerprint);
        let state = match (last, current) {
            (None, _) => "not run",
            (Some(_), None) => "stale",
            (_, Some(l)) if l.record.verdict == "same" => "passed",
            (_, Some(_)) => "failed",
        };
        if let Some(l) = current {
            results.push(CaseResult {
                binary: SCENARIO_BINARY.into(),
                name: s.name.clone(),
                outcome: if state == "passed" {
                    Outcome::Passed
                } else {
                    Outcome::Failed
                },
                seconds: l.record.seconds,
            });
        }
        out.push(ScenarioView {
            name: s.name.clone(),
            file: s.file.clone(),
            line: s.line,
            about: s.about.clone(),
            go: s.go.iter().map(|(k, _)| k.clone()).collect(),
            state: state.into(),
            verdict: last.map(|l| l.record.verdict.clone()),
            recorded_at: last.map(|l| l.recorded_at.clone()),
            commit: last.map(|l| l.commit.clone()),
            go_server: last.map(|l| l.go_server.clone()),
            rust_server: last.map(|l| l.rust_server.clone()),
            detail: last.map(|l| l.record.detail.clone()).unwrap_or_default(),
            diff: last.map(|l| l.record.diff.clone()).unwrap_or_default(),
            known: corpus.known.get(&s.name).map(|(r, _)| r.clone()),
        });
    }
    (out, results)
}
