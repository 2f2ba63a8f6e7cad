//! The common first step of status, report and gate: rebuild the database from the text
//! sources, record the latest JUnit results when they are new, and compute every status.

use crate::db::{Db, RunInfo};
use crate::inventory::Inventory;
use crate::mapping::claims::{ClaimError, ClaimedTest};
use crate::mapping::{self, junit, notapp, workspace, ResultIndex};
use crate::paths::Layout;
use crate::scenario::status::ScenarioView;
use crate::scenario::Corpus;
use crate::status::{self, Row, Totals};
use crate::util;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Where results come from.
#[derive(Clone, Debug)]
pub enum Junit {
    /// The default nextest `ci` profile file, when present and not yet recorded.
    Auto,
    /// A given file, which must exist and parse.
    File(PathBuf),
    /// A saved `cargo test` log (libtest's plain output), for machines without nextest.
    Libtest(PathBuf),
    /// Use only what the database already holds.
    None,
}

/// Everything status, report and gate need.
#[derive(Debug)]
pub struct Parity {
    pub label: String,
    pub version: String,
    pub source: String,
    pub rows: Vec<Row>,
    pub overall: Totals,
    pub categories: Vec<(String, Totals)>,
    pub benchmarks: usize,
    pub fuzz: usize,
    pub claimants: Vec<ClaimedTest>,
    pub problems: Vec<ClaimError>,
    pub run: Option<RunInfo>,
    /// Every scenario with its latest recorded result.
    pub scenarios: Vec<ScenarioView>,
    /// Things worth saying (rebuilt database, recorded run, no results yet).
    pub notes: Vec<String>,
}

fn read_inventories(layout: &Layout, label: &str) -> Result<Vec<Inventory>> {
    let dir = layout.inventory_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    if !files.iter().any(|p| crate::inventory::label_of(p) == label) {
        bail!(
            "{} is missing: run `harness inventory extract --go-src <nats-server tree> --label {label}`",
            layout.inventory_file(label).display()
        );
    }
    files.iter().map(|p| Inventory::read(p)).collect()
}

/// Records `path` (JUnit XML, or a `cargo test` log when `libtest`) unless it is already
/// recorded: as the latest run, or, when `auto` picked the file up, as any kept run, so an
/// old default JUnit file never replaces results recorded after it. Returns a note.
pub fn record_file(
    db: &mut Db,
    layout: &Layout,
    path: &Path,
    libtest: bool,
    auto: bool,
) -> Result<Option<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let fingerprint = format!("{:016x}", util::fnv64(&bytes));
    let seen = if auto {
        db.has_fingerprint(&fingerprint)?
    } else {
        db.latest_run()?
            .is_some_and(|r| r.fingerprint == fingerprint)
    };
    if seen {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&bytes);
    let results = if libtest {
        let ids = mapping::libtest::binary_ids(&layout.root)?;
        mapping::libtest::parse(&text, &ids)
            .with_context(|| format!("reading cargo test output {}", path.display()))?
    } else {
        junit::parse(&text).with_context(|| format!("reading JUnit {}", path.display()))?
    };
    let shown = path
        .strip_prefix(&layout.root)
        .unwrap_or(path)
        .display()
        .to_string();
    let id = db.record_run(
        &util::now_utc(),
        &util::git_commit(&layout.root),
        &shown,
        &fingerprint,
        &results,
    )?;
    Ok(Some(format!(
        "recorded run {id}: {} test results from {shown}",
        results.len()
    )))
}

/// Rebuilds the database from text, records results per `junit`, and computes statuses for
/// the inventory `label`.
pub fn load(layout: &Layout, label: &str, junit: &Junit) -> Result<Parity> {
    let mut notes = Vec::new();
    let inventories = read_inventories(layout, label)?;
    let primary = inventories
        .iter()
        .find(|i| i.label == label)
        .context("primary inventory vanished")?;
    let na_shown = "parity-db/not_applicable.tsv";
    let (na, mut problems) = notapp::read(&layout.not_applicable_file(), na_shown)?;
    let scan = workspace::scan(&layout.root)?;
    problems.extend(scan.errors.iter().cloned());
    let corpus = Corpus::load(layout);
    problems.extend(corpus.problems());
    let mut claimants = scan.tests.clone();
    claimants.extend(corpus.claimants());
    problems.extend(mapping::validate(primary, &claimants, &na, na_shown));

    let mut db = Db::open(&layout.db_file(), &mut notes)?;
    db.load_text(&inventories, &na, &claimants, &problems)?;
    match junit {
        Junit::File(path) | Junit::Libtest(path) => {
            if !path.is_file() {
                bail!("no test results file at {}", path.display());
            }
            let libtest = matches!(junit, Junit::Libtest(_));
            match record_file(&mut db, layout, path, libtest, false)? {
                Some(n) => notes.push(n),
                None => notes.push(format!("{} is already recorded", path.display())),
            }
        }
        Junit::Auto => {
            let path = layout.default_junit();
            if path.is_file() {
                notes.extend(record_file(&mut db, layout, &path, false, true)?);
            }
        }
        Junit::None => {}
    }

    // Everything below reads back from the database.
    let inv = db
        .inventory(label)?
        .context("inventory missing from the database after loading it")?;
    let na = db.not_applicable()?;
    let claimants = db.claimants()?;
    let problems = db.problems()?;
    let run = db.latest_run()?;
    let (scenarios, scenario_results) =
        crate::scenario::status::views(&corpus, &db.latest_scenario_results()?);
    let index = match &run {
        Some(r) => {
            let mut results = db.run_results(r.id)?;
            results.extend(scenario_results);
            Some(ResultIndex::new(&results))
        }
        None => {
            notes.push(
                "no test run recorded yet: claims count as failing until one is \
                 (`cargo nextest run --workspace --profile ci`, or `harness test-run`)"
                    .into(),
            );
            (!scenario_results.is_empty()).then(|| ResultIndex::new(&scenario_results))
        }
    };
    let unplayed = scenarios
        .iter()
        .filter(|s| !s.go.is_empty() && matches!(s.state.as_str(), "not run" | "stale"))
        .count();
    if unplayed > 0 {
        notes.push(format!(
            "{unplayed} claiming scenario(s) have no current result: their claims count as \
             failing until `harness diff` records one"
        ));
    }
    let rows = status::rows(&inv, &na, &claimants, index.as_ref());
    let (overall, categories) = status::totals(&rows);
    Ok(Parity {
        label: inv.label.clone(),
        version: inv.version.clone(),
        source: inv.source.clone(),
        benchmarks: inv.count(crate::inventory::Kind::Benchmark),
        fuzz: inv.count(crate::inventory::Kind::Fuzz),
        rows,
        overall,
        categories,
        claimants,
        problems,
        run,
        scenarios,
        notes,
    })
}
