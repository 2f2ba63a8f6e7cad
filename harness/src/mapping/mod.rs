//! Mapping Go tests to ours: claims scanned from Rust sources, the not-applicable list, their
//! validation against the inventory, and matching claimants to recorded test results.

pub mod claims;
pub mod junit;
pub mod libtest;
pub mod notapp;
pub mod rustlex;
pub mod workspace;

use crate::inventory::Inventory;
use claims::{ClaimError, ClaimedTest};
use junit::{CaseResult, Outcome};
use notapp::NaEntry;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Edit distance, for "did you mean" hints on mistyped claim keys.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.len() / 4).max(2);
    candidates
        .map(|c| {
            (
                levenshtein(&name.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Checks every claim and not-applicable entry against the inventory. Returns the problems.
pub fn validate(
    inv: &Inventory,
    tests: &[ClaimedTest],
    na: &[NaEntry],
    na_file: &str,
) -> Vec<ClaimError> {
    let keys: HashSet<String> = inv.tests.iter().map(|t| t.key()).collect();
    let packages: BTreeSet<&str> = inv.tests.iter().map(|t| t.package.as_str()).collect();
    let mut by_pkg: HashMap<&str, Vec<&str>> = HashMap::new();
    for t in &inv.tests {
        by_pkg.entry(&t.package).or_default().push(&t.name);
    }
    let na_keys: HashSet<&str> = na.iter().map(|e| e.key.as_str()).collect();
    let check = |key: &str| -> Option<String> {
        if keys.contains(key) {
            return None;
        }
        let (pkg, name) = key.rsplit_once('/').unwrap_or(("", key));
        if !packages.contains(pkg) {
            let known: Vec<&str> = packages.iter().copied().collect();
            return Some(format!(
                "unknown Go package dir `{pkg}` in `{key}` (inventory {} has: {})",
                inv.label,
                known.join(", ")
            ));
        }
        let hint = by_pkg
            .get(pkg)
            .and_then(|names| suggest(name, names.iter().copied()))
            .map(|s| format!("; did you mean `{pkg}/{s}`?"))
            .unwrap_or_default();
        Some(format!(
            "no Go test `{key}` in inventory {}{hint}",
            inv.label
        ))
    };
    let mut problems = Vec::new();
    for t in tests {
        for (key, line) in &t.claims {
            let message = match check(key) {
                Some(m) => format!("claim by `{}`: {m}", t.path),
                None if na_keys.contains(key.as_str()) => format!(
                    "`{key}` is claimed by `{}` but listed in {na_file} as not applicable; keep one",
                    t.path
                ),
                None => continue,
            };
            problems.push(ClaimError {
                file: t.file.clone(),
                line: *line,
                message,
            });
        }
    }
    for e in na {
        if let Some(m) = check(&e.key) {
            problems.push(ClaimError {
                file: na_file.to_string(),
                line: e.line,
                message: m,
            });
        }
    }
    problems
}

/// How a claimant fared in the recorded run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Passed,
    Failed,
    Skipped,
    NotRun,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Passed => "passed",
            RunState::Failed => "failed",
            RunState::Skipped => "skipped",
            RunState::NotRun => "not run",
        }
    }
}

/// Recorded results, indexed for matching claimants.
pub struct ResultIndex {
    exact: HashMap<(String, String), Outcome>,
    /// package name -> (test path segments, outcome), for the fallback match.
    by_package: HashMap<String, Vec<(Vec<String>, Outcome)>>,
}

fn package_of(binary: &str) -> &str {
    binary.split("::").next().unwrap_or(binary)
}

impl ResultIndex {
    pub fn new(results: &[CaseResult]) -> ResultIndex {
        let mut exact = HashMap::new();
        let mut by_package: HashMap<String, Vec<(Vec<String>, Outcome)>> = HashMap::new();
        for r in results {
            exact.insert((r.binary.clone(), r.name.clone()), r.outcome);
            by_package
                .entry(package_of(&r.binary).to_string())
                .or_default()
                .push((r.name.split("::").map(str::to_string).collect(), r.outcome));
        }
        ResultIndex { exact, by_package }
    }

    /// Finds the claimant's result: first by exact (binary, path); else, within the same
    /// package, a case with the same path in another binary, or whose path and ours end alike
    /// over at least two segments (a module the scanner placed differently). Several matches
    /// count as passed only if all passed.
    pub fn state_of(&self, binary: &str, path: &str) -> RunState {
        let to_state = |o: Outcome| match o {
            Outcome::Passed => RunState::Passed,
            Outcome::Failed => RunState::Failed,
            Outcome::Skipped => RunState::Skipped,
        };
        if let Some(o) = self.exact.get(&(binary.to_string(), path.to_string())) {
            return to_state(*o);
        }
        let want: Vec<&str> = path.split("::").collect();
        let Some(cases) = self.by_package.get(package_of(binary)) else {
            return RunState::NotRun;
        };
        let mut best = 0;
        let mut found: Vec<Outcome> = Vec::new();
        for (segs, outcome) in cases {
            let k = segs
                .iter()
                .rev()
                .zip(want.iter().rev())
                .take_while(|(a, b)| a == *b)
                .count();
            let whole = k == segs.len() && k == want.len();
            let suffix = k >= 2 && k == segs.len().min(want.len());
            if !(whole || suffix) || k < best {
                continue;
            }
            if k > best {
                best = k;
                found.clear();
            }
            found.push(*outcome);
        }
        if found.is_empty() {
            RunState::NotRun
        } else if found.contains(&Outcome::Failed) {
            RunState::Failed
        } else if found.iter().all(|o| *o == Outcome::Passed) {
            RunState::Passed
        } else {
            RunState::Skipped
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(binary: &str, name: &str, outcome: Outcome) -> CaseResult {
        CaseResult {
            binary: binary.into(),
            name: name.into(),
            outcome,
            seconds: 0.0,
        }
    }

    #[test]
    fn matching_exact_and_fallback() {
        let idx = ResultIndex::new(&[
            case("server", "sublist::tests::insert", Outcome::Passed),
            case(
                "server::bin/rnats-server",
                "flags::tests::parse",
                Outcome::Failed,
            ),
            case("server::core", "pubsub::works", Outcome::Passed),
            case("server::other", "works", Outcome::Passed),
        ]);
        assert_eq!(
            idx.state_of("server", "sublist::tests::insert"),
            RunState::Passed
        );
        // Placed in the lib by the scanner, but compiled into the binary.
        assert_eq!(
            idx.state_of("server", "flags::tests::parse"),
            RunState::Failed
        );
        // Same tail over two segments in the right package.
        assert_eq!(
            idx.state_of("server::core", "core::pubsub::works"),
            RunState::Passed
        );
        // A bare fn name elsewhere is not the same test.
        assert_eq!(idx.state_of("server::edge", "x::works"), RunState::NotRun);
        assert_eq!(
            idx.state_of("server", "missing::tests::x"),
            RunState::NotRun
        );
        assert_eq!(
            idx.state_of("other", "sublist::tests::insert"),
            RunState::NotRun
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest(
                "TestSublistInsrtCount",
                ["TestSublistInsertCount", "TestOther"].into_iter()
            ),
            Some("TestSublistInsertCount")
        );
        assert_eq!(
            suggest("TestZzz", ["TestSublistInsertCount"].into_iter()),
            None
        );
    }
}
