//! `parity-db/not_applicable.tsv`: Go tests that cannot apply to a Rust server, with the reason
//! (see shared PARITY.md for what counts as a true reason). Lines are `key<TAB>reason`; `#`
//! starts a comment; the first non-comment line may be the `key<TAB>reason` column row.

use super::claims::{check_key_syntax, ClaimError};
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaEntry {
    pub key: String,
    pub reason: String,
    pub line: u32,
}

/// Parses the text; malformed lines become problems (reported by the gate), not panics.
pub fn parse(text: &str, origin: &str) -> (Vec<NaEntry>, Vec<ClaimError>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n as u32 + 1;
        let t = line.trim_end_matches([' ', '\r']);
        if t.trim().is_empty() || t.trim_start().starts_with('#') || t == "key\treason" {
            continue;
        }
        let mut problem = |message: String| {
            problems.push(ClaimError {
                file: origin.to_string(),
                line: line_no,
                message,
            })
        };
        let Some((key, reason)) = t.split_once('\t') else {
            problem("expected `<key><TAB><reason>`".into());
            continue;
        };
        let (key, reason) = (key.trim(), reason.trim());
        if let Err(m) = check_key_syntax(key) {
            problem(m);
            continue;
        }
        if reason.is_empty() {
            problem(format!(
                "`{key}` has no reason: say why it cannot apply to a Rust server"
            ));
            continue;
        }
        if !seen.insert(key.to_string()) {
            problem(format!("`{key}` is listed twice"));
            continue;
        }
        entries.push(NaEntry {
            key: key.into(),
            reason: reason.into(),
            line: line_no,
        });
    }
    (entries, problems)
}

/// Reads the file; a missing file is an empty list.
pub fn read(path: &Path, origin: &str) -> Result<(Vec<NaEntry>, Vec<ClaimError>)> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse(&text, origin)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Vec::new(), Vec::new())),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}
