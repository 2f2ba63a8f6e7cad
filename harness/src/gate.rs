//! The CI gate: parity may not fall. It fails when the mapped percentage is below the
//! committed `reports/baseline.json`, when a test mapped in the baseline is no longer mapped,
//! or when any claim or not-applicable entry is invalid. `--update-baseline` rewrites the
//! baseline from the current state, and refuses to lower it unless told to.

use crate::mapping::claims::ClaimError;
use crate::status::{round2, Row, Status, Totals};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The committed floor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The inventory the percentage is computed against.
    pub label: String,
    /// Mapped percentage of applicable tests, two decimals.
    pub mapped_pct: f64,
    pub mapped: usize,
    pub applicable: usize,
    pub updated_at: String,
    pub commit: String,
    /// Every Go test mapped when the baseline was written: none may regress.
    pub mapped_keys: Vec<String>,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "reading {} (create it with `harness gate --update-baseline`)",
                path.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        crate::util::write_atomic(path, text.as_bytes())
    }

    /// The baseline the current state would give.
    pub fn current(
        label: &str,
        rows: &[Row],
        overall: &Totals,
        commit: &str,
        now: &str,
    ) -> Baseline {
        let mut mapped_keys: Vec<String> = rows
            .iter()
            .filter(|r| r.kind == "test" && r.status == Status::Mapped)
            .map(|r| r.key.clone())
            .collect();
        mapped_keys.sort();
        Baseline {
            label: label.to_string(),
            mapped_pct: round2(overall.pct()),
            mapped: overall.mapped,
            applicable: overall.applicable(),
            updated_at: now.to_string(),
            commit: commit.to_string(),
            mapped_keys,
        }
    }
}

/// The gate's findings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    pub failures: Vec<String>,
    pub notes: Vec<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Compares the current state with the baseline.
pub fn check(
    rows: &[Row],
    overall: &Totals,
    problems: &[ClaimError],
    baseline: &Baseline,
) -> Verdict {
    let mut v = Verdict::default();
    for p in problems {
        v.failures.push(format!("invalid claim: {p}"));
    }
    let pct = round2(overall.pct());
    if pct < baseline.mapped_pct {
        v.failures.push(format!(
            "mapped {pct:.2}% ({} of {}) is below the baseline {:.2}% ({} of {})",
            overall.mapped,
            overall.applicable(),
            baseline.mapped_pct,
            baseline.mapped,
            baseline.applicable
        ));
    }
    let status: HashMap<&str, &Row> = rows.iter().map(|r| (r.key.as_str(), r)).collect();
    for key in &baseline.mapped_keys {
        match status.get(key.as_str()) {
            None => v.notes.push(format!(
                "{key} was mapped but is no longer in the inventory"
            )),
            Some(r) => match r.status {
                Status::Mapped => {}
                Status::NotApplicable => v.notes.push(format!(
                    "{key} was mapped and is now not applicable ({})",
                    r.na_reason.as_deref().unwrap_or("")
                )),
                Status::Failing => {
                    let who: Vec<String> = r
                        .claimants
                        .iter()
                        .filter(|c| c.state != "passed")
                        .map(|c| format!("{} ({}:{}) {}", c.path, c.file, c.line, c.state))
                        .collect();
                    v.failures.push(format!(
                        "{key} was mapped and is now failing: {}",
                        who.join("; ")
                    ));
                }
                Status::Unmapped => v.failures.push(format!(
                    "{key} was mapped and is now unmapped (its claim is gone)"
                )),
            },
        }
    }
    if pct > baseline.mapped_pct {
        v.notes.push(format!(
            "mapped {pct:.2}% is above the baseline {:.2}%: raise it with `harness gate --update-baseline`",
            baseline.mapped_pct
        ));
    }
    v
}

/// Decides the new baseline. Invalid claims block it; lowering needs `allow_lower`.
pub fn update(
    current: Baseline,
    old: Option<&Baseline>,
    problems: &[ClaimError],
    allow_lower: bool,
) -> Result<Baseline> {
    if !problems.is_empty() {
        bail!(
            "fix the {} invalid claim(s) before updating the baseline",
            problems.len()
        );
    }
    if let Some(old) = old {
        let lost: Vec<&String> = old
            .mapped_keys
            .iter()
            .filter(|k| !current.mapped_keys.contains(k))
            .collect();
        let lower = current.mapped_pct < old.mapped_pct;
        if (lower || !lost.is_empty()) && !allow_lower {
            let lost: Vec<&str> = lost.iter().map(|s| s.as_str()).collect();
            bail!(
                "the update would lower the baseline ({:.2}% -> {:.2}%, {} test(s) no longer mapped: {}); \
                 pass --allow-lower if that is intended",
                old.mapped_pct,
                current.mapped_pct,
                lost.len(),
                lost.join(", ")
            );
        }
    }
    Ok(current)
}
