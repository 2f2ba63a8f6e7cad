//! `harness report`: `reports/index.html` (one self-contained page, no network assets) and
//! `reports/parity.json` (the same facts for machines).
//!
//! The page embeds the data as JSON and renders the test table in the browser, so filtering and
//! sorting ~4,500 rows needs no server. The scenario section comes from the database (latest
//! recorded `harness diff`); the benchmark section appears when `reports/bench.json` exists.

mod html;
mod sections;

use crate::inventory::category;
use crate::load::Parity;
use crate::paths::Layout;
use crate::status::round2;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The machine-readable report.
pub fn to_json(p: &Parity, commit: &str, built_at: &str) -> Value {
    let totals = |t: &crate::status::Totals| {
        json!({
            "total": t.total,
            "mapped": t.mapped,
            "failing": t.failing,
            "not_applicable": t.not_applicable,
            "unmapped": t.unmapped,
            "applicable": t.applicable(),
            "mapped_pct": round2(t.pct()),
        })
    };
    let categories: Vec<Value> = p
        .categories
        .iter()
        .map(|(c, t)| {
            let mut v = totals(t);
            v["category"] = json!(c);
            v["title"] = json!(category::title(c));
            v
        })
        .collect();
    json!({
        "label": p.label,
        "go_version": p.version,
        "go_source": p.source,
        "commit": commit,
        "built_at": built_at,
        "run": p.run.as_ref().map(|r| json!({
            "id": r.id,
            "recorded_at": r.recorded_at,
            "commit": r.commit,
            "source": r.source,
            "passed": r.passed,
            "failed": r.failed,
            "skipped": r.skipped,
        })),
        "overall": totals(&p.overall),
        "categories": categories,
        "benchmarks": p.benchmarks,
        "fuzz_targets": p.fuzz,
        "problems": p.problems.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        "scenarios": p.scenarios,
        "tests": p.rows,
    })
}

fn optional_json(path: &Path) -> Result<Option<Value>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Writes index.html and parity.json into `out_dir`; returns their paths.
pub fn write(
    layout: &Layout,
    p: &Parity,
    out_dir: &Path,
    commit: &str,
    built_at: &str,
) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let data = to_json(p, commit, built_at);
    let bench = optional_json(&layout.bench_file())?;
    let page = html::page(p, &data, bench.as_ref(), commit, built_at)?;
    let html_path = out_dir.join("index.html");
    let json_path = out_dir.join("parity.json");
    crate::util::write_atomic(&html_path, page.as_bytes())?;
    let mut text = serde_json::to_string_pretty(&data)?;
    text.push('\n');
    crate::util::write_atomic(&json_path, text.as_bytes())?;
    Ok((html_path, json_path))
}
