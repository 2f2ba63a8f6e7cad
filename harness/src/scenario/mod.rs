//! Black-box scenarios: the same conversation played against the Go server and rnats, compared after
//! normalization. Files live in `harness/scenarios/*.toml` (format in `format`), reviewed differences
//! in `harness/scenarios/known-differences.tsv`.
//!
//! A scenario may claim Go tests (`go = [...]`); such a claim counts as passed only while the latest
//! recorded run of that scenario, with the same content, gave `same` on both servers (see `load`).

pub mod client;
pub mod command;
pub mod diff;
pub mod format;
pub mod http;
pub mod normalize;
pub mod play;
pub mod status;
pub mod suite;

use std::collections::HashMap;

use crate::mapping::claims::{ClaimError, ClaimedTest};
use crate::paths::Layout;
pub use format::{FormatError, Scenario};

/// The claimant "binary" of scenario claims in the database and in result matching.
pub const SCENARIO_BINARY: &str = "scenario";

/// Every scenario of the workspace, the known differences, and every problem with either.
#[derive(Debug, Default)]
pub struct Corpus {
    pub scenarios: Vec<Scenario>,
    /// name -> (reason, line in the known-differences file)
    pub known: HashMap<String, (String, u32)>,
    pub errors: Vec<FormatError>,
}

impl Corpus {
    pub fn load(layout: &Layout) -> Corpus {
        let (scenarios, mut errors) = format::load_dir(&layout.scenarios_dir(), &layout.root);
        let shown = "harness/scenarios/known-differences.tsv";
        let (entries, known_errors) = format::read_known(&layout.known_differences_file(), shown);
        errors.extend(known_errors);
        let mut known = HashMap::new();
        for (name, reason, line) in entries {
            if !scenarios.iter().any(|s| s.name == name) {
                errors.push(FormatError {
                    file: shown.into(),
                    line,
                    message: format!("no scenario `{name}`"),
                });
            }
            known.insert(name, (reason, line));
        }
        Corpus {
            scenarios,
            known,
            errors,
        }
    }

    /// The scenarios whose name contains `filter` (all without one).
    pub fn select(&self, filter: Option<&str>) -> Vec<Scenario> {
        self.scenarios
            .iter()
            .filter(|s| filter.is_none_or(|f| s.name.contains(f)))
            .cloned()
            .collect()
    }

    /// The claims of every scenario, as claimants of kind `scenario`.
    pub fn claimants(&self) -> Vec<ClaimedTest> {
        self.scenarios
            .iter()
            .filter(|s| !s.go.is_empty())
            .map(|s| ClaimedTest {
                file: s.file.clone(),
                line: s.line,
                binary: SCENARIO_BINARY.into(),
                path: s.name.clone(),
                ignored: false,
                claims: s.go.clone(),
            })
            .collect()
    }

    /// Format errors as claim problems (the gate fails while any exist).
    pub fn problems(&self) -> Vec<ClaimError> {
        self.errors
            .iter()
            .map(|e| ClaimError {
                file: e.file.clone(),
                line: e.line,
                message: e.message.clone(),
            })
            .collect()
    }

    pub fn known_reasons(&self) -> HashMap<String, String> {
        self.known
            .iter()
            .map(|(k, (r, _))| (k.clone(), r.clone()))
            .collect()
    }
}
