//! Reads the plain output of `cargo test` (libtest's default format), for machines without
//! cargo-nextest: `Running <source> (<artifact>)` opens a test binary, `test <path> ... ok`
//! gives a result. The artifact's crate name is turned into the nextest binary id the claims
//! use (`server`, `server::bin/rnats-server`, `server::core`), so both sources match alike.
//!
//! Robust to what libtest mixes in: captured output blocks, failure summaries, doc tests
//! (skipped: they claim nothing), benches, and `--quiet` dots (which carry no names, so a quiet
//! log yields no results and says so).

use super::junit::{CaseResult, Outcome};
use super::workspace::{members, read_package};
use anyhow::{bail, Result};
use std::collections::HashMap;
use std::path::Path;

/// Crate name of each test artifact in the workspace -> nextest binary id.
pub fn binary_ids(root: &Path) -> Result<HashMap<String, String>> {
    let mut ids = HashMap::new();
    let krate = |s: &str| s.replace('-', "_");
    for dir in members(root)? {
        let pkg = read_package(root, &dir)?;
        if pkg.has_lib {
            ids.insert(krate(&pkg.name), pkg.name.clone());
        }
        for (bin, _) in &pkg.bins {
            ids.insert(krate(bin), format!("{}::bin/{bin}", pkg.name));
        }
        let tests = root.join(&dir).join("tests");
        for entry in std::fs::read_dir(&tests).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let p = entry.path();
            let target = if p.is_dir() && p.join("main.rs").is_file() {
                Some(name)
            } else {
                name.strip_suffix(".rs").map(str::to_string)
            };
            if let Some(t) = target {
                ids.insert(krate(&t), format!("{}::{t}", pkg.name));
            }
        }
    }
    Ok(ids)
}

/// The crate name in `(target/debug/deps/server-0123abcd)`.
fn artifact_crate(line: &str) -> Option<String> {
    let inner = line.rsplit_once('(')?.1.strip_suffix(')')?;
    let file = inner.rsplit(['/', '\\']).next()?;
    let file = file.strip_suffix(".exe").unwrap_or(file);
    let (name, hash) = file.rsplit_once('-')?;
    hash.chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| name.to_string())
}

/// Parses `cargo test` output; `ids` maps crate names to binary ids (see [`binary_ids`]).
pub fn parse(output: &str, ids: &HashMap<String, String>) -> Result<Vec<CaseResult>> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut saw_binary = false;
    for line in output.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Running ") {
            saw_binary = true;
            current = artifact_crate(rest).map(|c| ids.get(&c).cloned().unwrap_or(c));
            continue;
        }
        if t.starts_with("Doc-tests ") {
            current = None;
            continue;
        }
        let Some(bin) = &current else { continue };
        let Some(rest) = t.strip_prefix("test ") else {
            continue;
        };
        let Some((name, verdict)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let name = name.trim_end_matches(" - should panic").trim();
        let outcome = match verdict.trim() {
            "ok" => Outcome::Passed,
            "FAILED" => Outcome::Failed,
            v if v.starts_with("ignored") => Outcome::Skipped,
            _ => continue, // bench lines and the like
        };
        out.push(CaseResult {
            binary: bin.clone(),
            name: name.to_string(),
            outcome,
            seconds: 0.0,
        });
    }
    if !saw_binary {
        bail!("no `Running ...` line: not the output of `cargo test`");
    }
    if out.is_empty()
        && output
            .lines()
            .any(|l| l.trim_start().starts_with("running "))
    {
        bail!("no `test <name> ... ok` lines: was `cargo test` run with --quiet?");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_test_output() {
        let ids: HashMap<String, String> = [
            ("server", "server"),
            ("rnats_server", "server::bin/rnats-server"),
            ("core", "server::core"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let log = "   Compiling server v0.1.0
     Running unittests src/lib.rs (target/debug/deps/server-0f3a9c)

running 3 tests
test sublist::tests::insert ... ok
test parser::tests::bad ... FAILED
test slow::tests::big ... ignored, takes minutes
test parser::tests::panics - should panic ... ok

failures:

---- parser::tests::bad stdout ----
test fake ... ok inside captured output is after the failures header but still has a binary
     Running unittests src/main.rs (target/debug/deps/rnats_server-77aa)
test flags::tests::v ... ok
     Running tests/core/main.rs (target/debug/deps/core-1234abcd)
test pubsub::works ... ok
   Doc-tests server
test src/lib.rs - Sublist (line 10) ... ok
";
        let got = parse(log, &ids).unwrap();
        let brief: Vec<(&str, &str, Outcome)> = got
            .iter()
            .map(|c| (c.binary.as_str(), c.name.as_str(), c.outcome))
            .collect();
        assert_eq!(
            brief,
            [
                ("server", "sublist::tests::insert", Outcome::Passed),
                ("server", "parser::tests::bad", Outcome::Failed),
                ("server", "slow::tests::big", Outcome::Skipped),
                ("server", "parser::tests::panics", Outcome::Passed),
                (
                    "server::bin/rnats-server",
                    "flags::tests::v",
                    Outcome::Passed
                ),
                ("server::core", "pubsub::works", Outcome::Passed),
            ]
        );
        assert!(parse("hello", &ids).is_err());
        let quiet = "     Running unittests src/lib.rs (target/debug/deps/server-0f3a9c)\n\nrunning 3 tests\n...\n";
        assert!(parse(quiet, &ids)
            .unwrap_err()
            .to_string()
            .contains("--quiet"));
    }
}
