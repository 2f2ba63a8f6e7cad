//! Reads the JUnit XML that `cargo nextest run --profile ci` writes: one `<testsuite>` per test
//! binary (its name is the binary id) and one `<testcase>` per test (its name is the test path).
//!
//! A small tag scanner is enough for this well-formed, flat format; it handles attributes with
//! entities, self-closing test cases, comments and CDATA output blocks. A case with a
//! `<failure>` or `<error>` child failed (flaky passes carry `<flakyFailure>` and pass), one with
//! `<skipped>` did not run.

use anyhow::{bail, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "passed" => Some(Outcome::Passed),
            "failed" => Some(Outcome::Failed),
            "skipped" => Some(Outcome::Skipped),
            _ => None,
        }
    }
}

/// One test case result.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    /// The test binary id (`server`, `server::bin/rnats-server`, `server::core`).
    pub binary: String,
    /// The test path inside the binary (`sublist::tests::insert_count`).
    pub name: String,
    pub outcome: Outcome,
    pub seconds: f64,
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Attribute `name` of a tag's inner text (`testcase name="x" time="1"`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(p) = rest.find(name) {
        let before_ok = p == 0 || rest.as_bytes()[p - 1].is_ascii_whitespace();
        let after = rest[p + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let q = v.chars().next()?;
                if q == '"' || q == '\'' {
                    let body = &v[1..];
                    return body.find(q).map(|e| unescape(&body[..e]));
                }
            }
        }
        rest = &rest[p + name.len()..];
    }
    None
}

/// Parses JUnit XML text.
pub fn parse(xml: &str) -> Result<Vec<CaseResult>> {
    let mut out = Vec::new();
    let mut suite = String::new();
    let mut saw_root = false;
    let mut closed_root = false;
    let mut case: Option<CaseResult> = None;
    let mut rest = xml;
    while let Some(p) = rest.find('<') {
        rest = &rest[p..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map(|x| x.1).unwrap_or("");
            continue;
        }
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            rest = r.split_once("]]>").map(|x| x.1).unwrap_or("");
            continue;
        }
        let Some(end) = rest.find('>') else {
            bail!("truncated JUnit XML: a tag is not closed");
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (closing, body) = match tag.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, tag),
        };
        let elem = body.split(|c: char| c.is_whitespace()).next().unwrap_or("");
        match (elem, closing) {
            ("testsuites", false) => saw_root = true,
            ("testsuites", true) => closed_root = true,
            ("testsuite", false) => {
                saw_root = true;
                suite = attr(body, "name").unwrap_or_default();
                if self_closing {
                    suite.clear();
                }
            }
            ("testsuite", true) => {
                suite.clear();
                if !xml.contains("<testsuites") {
                    closed_root = true;
                }
            }
            ("testcase", false) => {
                let binary = if suite.is_empty() {
                    attr(body, "classname").unwrap_or_default()
                } else {
                    suite.clone()
                };
                let c = CaseResult {
                    binary,
                    name: attr(body, "name").unwrap_or_default(),
                    outcome: Outcome::Passed,
                    seconds: attr(body, "time")
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0.0),
                };
                if self_closing {
                    out.push(c);
                } else {
                    case = Some(c);
                }
            }
            ("testcase", true) => out.extend(case.take()),
            ("failure" | "error", false) => {
                if let Some(c) = case.as_mut() {
                    c.outcome = Outcome::Failed;
                }
            }
            ("skipped", false) => {
                if let Some(c) = case.as_mut() {
                    if c.outcome == Outcome::Passed {
                        c.outcome = Outcome::Skipped;
                    }
                }
            }
            _ => {}
        }
    }
    if !saw_root {
        bail!("not a JUnit XML file (no <testsuites> or <testsuite> element)");
    }
    if !closed_root || case.is_some() {
        bail!("truncated JUnit XML: the file ends inside a test suite (was the run killed?)");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextest_shape() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="4" failures="1" errors="0" uuid="x" timestamp="t" time="1.0">
  <testsuite name="server" tests="3" disabled="0" errors="0" failures="1">
    <testcase name="sublist::tests::insert" classname="server" timestamp="t" time="0.010">
    </testcase>
    <testcase name="parser::tests::bad&amp;worse" classname="server" time="0.5">
      <failure type="test failure">thread panicked &lt;here&gt;</failure>
      <system-out><![CDATA[<testcase name="fake">]]></system-out>
    </testcase>
    <testcase name="flaky" classname="server" time="0.1"><flakyFailure type="x"/></testcase>
  </testsuite>
  <testsuite name="server::core" tests="1">
    <testcase name="connect_works" classname="server::core" time="1"/>
  </testsuite>
</testsuites>"#;
        let got = parse(xml).unwrap();
        let brief: Vec<(&str, &str, Outcome)> = got
            .iter()
            .map(|c| (c.binary.as_str(), c.name.as_str(), c.outcome))
            .collect();
        assert_eq!(
            brief,
            [
                ("server", "sublist::tests::insert", Outcome::Passed),
                ("server", "parser::tests::bad&worse", Outcome::Failed),
                ("server", "flaky", Outcome::Passed),
                ("server::core", "connect_works", Outcome::Passed),
            ]
        );
        assert_eq!(got[1].seconds, 0.5);
    }

    #[test]
    fn rejects_garbage_and_truncation() {
        assert!(parse("hello").is_err());
        let cut = "<testsuites><testsuite name=\"s\"><testcase name=\"a\">";
        assert!(parse(cut).unwrap_err().to_string().contains("truncated"));
    }

    #[test]
    fn skipped_cases() {
        let xml = "<testsuite name=\"s\"><testcase name=\"a\"><skipped/></testcase></testsuite>";
        assert_eq!(parse(xml).unwrap()[0].outcome, Outcome::Skipped);
    }
}
