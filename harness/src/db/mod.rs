//! The parity database (`parity-db/parity.sqlite`, not committed): migrations by version from
//! `parity-db/schema.sql`, a rebuild of the text-derived tables, and recorded test runs.
//!
//! The database never holds the only copy of anything but past runs: a corrupt file or one
//! from a newer schema is moved aside and rebuilt from text (and the latest JUnit file).

mod scenarios;
pub use scenarios::{LatestScenario, ScenarioRecord};

use crate::inventory::{GoTest, Inventory, Kind};
use crate::mapping::claims::{ClaimError, ClaimedTest};
use crate::mapping::junit::{CaseResult, Outcome};
use crate::mapping::notapp::NaEntry;
use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};

const SCHEMA: &str = include_str!("../../../parity-db/schema.sql");
const TABLES: &[&str] = &[
    "inventory_meta",
    "inventory",
    "not_applicable",
    "claimants",
    "claims",
    "problems",
    "runs",
    "results",
    "scenario_runs",
    "scenario_results",
];
/// Runs kept in the database; older ones are pruned when a new run is recorded.
const KEEP_RUNS: i64 = 20;

/// The schema's migrations as (version, SQL), in order.
pub fn migrations() -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    for line in SCHEMA.lines() {
        if let Some(v) = line.strip_prefix("-- version:") {
            if let Ok(v) = v.trim().parse() {
                out.push((v, String::new()));
                continue;
            }
        }
        if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

/// One recorded run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    pub id: i64,
    pub recorded_at: String,
    pub commit: String,
    pub source: String,
    pub fingerprint: String,
    pub passed: i64,
    pub failed: i64,
    pub skipped: i64,
}

pub struct Db {
    conn: Connection,
    pub path: Option<PathBuf>,
}

fn prepare(conn: &Connection) -> Result<()> {
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        bail!("integrity check failed: {check}");
    }
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let all = migrations();
    let latest = all.last().map_or(0, |m| m.0);
    if version > latest {
        bail!("schema version {version} is newer than this harness knows ({latest})");
    }
    for (v, sql) in all.iter().filter(|m| m.0 > version) {
        conn.execute_batch(&format!(
            "BEGIN;\n{sql}\nPRAGMA user_version = {v};\nCOMMIT;"
        ))
        .with_context(|| format!("applying schema migration {v}"))?;
    }
    for t in TABLES {
        let found: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [t],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_none() {
            bail!("table `{t}` is missing");
        }
    }
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    Ok(())
}

impl Db {
    /// Opens (creating or migrating) the database at `path`. A corrupt or unusable file is
    /// moved to `<path>.corrupt` and a fresh one made; `notes` says so.
    pub fn open(path: &Path, notes: &mut Vec<String>) -> Result<Db> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let attempt = || -> Result<Connection> {
            let conn = Connection::open(path)?;
            prepare(&conn)?;
            Ok(conn)
        };
        let conn = match attempt() {
            Ok(c) => c,
            Err(e) => {
                let aside = path.with_extension("sqlite.corrupt");
                std::fs::rename(path, &aside)
                    .with_context(|| format!("moving unusable {} aside", path.display()))?;
                notes.push(format!(
                    "{} was unusable ({e:#}); moved to {} and rebuilt from the text sources",
                    path.display(),
                    aside.display()
                ));
                attempt().with_context(|| format!("creating {}", path.display()))?
            }
        };
        Ok(Db {
            conn,
            path: Some(path.to_path_buf()),
        })
    }

    pub fn open_in_memory() -> Result<Db> {
        let conn = Connection::open_in_memory()?;
        prepare(&conn)?;
        Ok(Db { conn, path: None })
    }

    /// Replaces everything derived from text: inventories, not-applicable list, claims, problems.
    pub fn load_text(
        &mut self,
        inventories: &[Inventory],
        na: &[NaEntry],
        claimants: &[ClaimedTest],
        problems: &[ClaimError],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM claims; DELETE FROM claimants; DELETE FROM problems;
             DELETE FROM not_applicable; DELETE FROM inventory; DELETE FROM inventory_meta;",
        )?;
        {
            let mut meta = tx.prepare("INSERT INTO inventory_meta VALUES (?1, ?2, ?3, ?4)")?;
            let mut row =
                tx.prepare("INSERT INTO inventory VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
            for inv in inventories {
                meta.execute(params![
                    inv.label,
                    inv.version,
                    inv.source,
                    inv.also.join("\n")
                ])?;
                for t in &inv.tests {
                    row.execute(params![
                        inv.label,
                        t.package,
                        t.name,
                        t.kind.as_str(),
                        t.file,
                        t.line,
                        t.category,
                        t.build,
                        t.skips
                    ])?;
                }
            }
            let mut na_row = tx.prepare("INSERT INTO not_applicable VALUES (?1, ?2)")?;
            for e in na {
                na_row.execute(params![e.key, e.reason])?;
            }
            let mut who = tx.prepare(
                "INSERT INTO claimants (kind, file, line, binary, path, ignored)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut claim = tx.prepare("INSERT OR IGNORE INTO claims VALUES (?1, ?2, ?3)")?;
            for c in claimants {
                let kind = if c.binary == crate::scenario::SCENARIO_BINARY {
                    "scenario"
                } else {
                    "rust-test"
                };
                who.execute(params![kind, c.file, c.line, c.binary, c.path, c.ignored])?;
                let id = tx.last_insert_rowid();
                for (key, line) in &c.claims {
                    claim.execute(params![key, id, line])?;
                }
            }
            let mut problem = tx.prepare("INSERT INTO problems VALUES (?1, ?2, ?3)")?;
            for p in problems {
                problem.execute(params![p.file, p.line, p.message])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a run and its results; returns the run id.
    pub fn record_run(
        &mut self,
        recorded_at: &str,
        commit: &str,
        source: &str,
        fingerprint: &str,
        results: &[CaseResult],
    ) -> Result<i64> {
        let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count() as i64;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO runs (recorded_at, commit_id, source, fingerprint, passed, failed, skipped)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                recorded_at,
                commit,
                source,
                fingerprint,
                count(Outcome::Passed),
                count(Outcome::Failed),
                count(Outcome::Skipped)
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            // A binary may report the same name twice (retries): the last word wins.
            let mut row =
                tx.prepare("INSERT OR REPLACE INTO results VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for r in results {
                row.execute(params![id, r.binary, r.name, r.outcome.as_str(), r.seconds])?;
            }
        }
        tx.execute("DELETE FROM results WHERE run <= ?1", [id - KEEP_RUNS])?;
        tx.execute("DELETE FROM runs WHERE id <= ?1", [id - KEEP_RUNS])?;
        tx.commit()?;
        Ok(id)
    }

    pub fn latest_run(&self) -> Result<Option<RunInfo>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, recorded_at, commit_id, source, fingerprint, passed, failed, skipped
                 FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(RunInfo {
                        id: r.get(0)?,
                        recorded_at: r.get(1)?,
                        commit: r.get(2)?,
                        source: r.get(3)?,
                        fingerprint: r.get(4)?,
                        passed: r.get(5)?,
                        failed: r.get(6)?,
                        skipped: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether any kept run was recorded from content with this fingerprint.
    pub fn has_fingerprint(&self, fingerprint: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM runs WHERE fingerprint = ?1 LIMIT 1",
                [fingerprint],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn run_results(&self, run: i64) -> Result<Vec<CaseResult>> {
        let mut q = self
            .conn
            .prepare("SELECT binary, name, outcome, seconds FROM results WHERE run = ?1 ORDER BY binary, name")?;
        let rows = q.query_map([run], |r| {
            let outcome: String = r.get(2)?;
            Ok(CaseResult {
                binary: r.get(0)?,
                name: r.get(1)?,
                outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Failed),
                seconds: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn inventory(&self, label: &str) -> Result<Option<Inventory>> {
        let meta: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT version, source, also FROM inventory_meta WHERE label = ?1",
                [label],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((version, source, also)) = meta else {
            return Ok(None);
        };
        let mut q = self.conn.prepare(
            "SELECT package, name, kind, file, line, category, build, skips FROM inventory
             WHERE label = ?1 ORDER BY package, name",
        )?;
        let rows = q.query_map([label], |r| {
            let kind: String = r.get(2)?;
            Ok(GoTest {
                package: r.get(0)?,
                name: r.get(1)?,
                kind: Kind::parse(&kind).unwrap_or(Kind::Test),
                file: r.get(3)?,
                line: r.get(4)?,
                category: r.get(5)?,
                build: r.get(6)?,
                skips: r.get(7)?,
            })
        })?;
        Ok(Some(Inventory {
            label: label.to_string(),
            version,
            source,
            tests: rows.collect::<rusqlite::Result<_>>()?,
            also: also.lines().map(str::to_string).collect(),
        }))
    }

    pub fn not_applicable(&self) -> Result<Vec<NaEntry>> {
        let mut q = self
            .conn
            .prepare("SELECT key, reason FROM not_applicable ORDER BY key")?;
        let rows = q.query_map([], |r| {
            Ok(NaEntry {
                key: r.get(0)?,
                reason: r.get(1)?,
                line: 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn claimants(&self) -> Result<Vec<ClaimedTest>> {
        let mut q = self.conn.prepare(
            "SELECT id, file, line, binary, path, ignored FROM claimants ORDER BY file, line",
        )?;
        let mut claims = self
            .conn
            .prepare("SELECT key, line FROM claims WHERE claimant = ?1 ORDER BY line")?;
        let heads = q
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    ClaimedTest {
                        file: r.get(1)?,
                        line: r.get(2)?,
                        binary: r.get(3)?,
                        path: r.get(4)?,
                        ignored: r.get(5)?,
                        claims: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (id, mut c) in heads {
            c.claims = claims
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            out.push(c);
        }
        Ok(out)
    }

    pub fn problems(&self) -> Result<Vec<ClaimError>> {
        let mut q = self
            .conn
            .prepare("SELECT file, line, message FROM problems ORDER BY file, line")?;
        let rows = q.query_map([], |r| {
            Ok(ClaimError {
                file: r.get(0)?,
                line: r.get(1)?,
                message: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
