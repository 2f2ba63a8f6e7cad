//! Recorded scenario runs: one row per `harness diff` (both servers), one result per scenario, and
//! the latest result of each scenario for claims and the report. Old runs are pruned like test runs.

use rusqlite::params;

use super::{Db, KEEP_RUNS};
use anyhow::Result;

/// One scenario's result as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRecord {
    pub name: String,
    pub file: String,
    pub fingerprint: String,
    /// `same`, `differs` or `error`.
    pub verdict: String,
    pub detail: String,
    pub diff: String,
    pub seconds: f64,
}

/// The newest recorded result of a scenario, with its run.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestScenario {
    pub run: i64,
    pub recorded_at: String,
    pub commit: String,
    pub go_server: String,
    pub rust_server: String,
    pub record: ScenarioRecord,
}

impl Db {
    /// Stores a scenario run; returns its id.
    pub fn record_scenario_run(
        &mut self,
        recorded_at: &str,
        commit: &str,
        go_server: &str,
        rust_server: &str,
        backend: &str,
        results: &[ScenarioRecord],
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO scenario_runs (recorded_at, commit_id, go_server, rust_server, backend)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![recorded_at, commit, go_server, rust_server, backend],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut row = tx.prepare(
                "INSERT OR REPLACE INTO scenario_results VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for r in results {
                row.execute(params![
                    id,
                    r.name,
                    r.file,
                    r.fingerprint,
                    r.verdict,
                    r.detail,
                    r.diff,
                    r.seconds
                ])?;
            }
        }
        tx.execute(
            "DELETE FROM scenario_results WHERE run <= ?1",
            [id - KEEP_RUNS],
        )?;
        tx.execute("DELETE FROM scenario_runs WHERE id <= ?1", [id - KEEP_RUNS])?;
        tx.commit()?;
        Ok(id)
    }

    /// For every scenario name ever recorded (in kept runs), its newest result.
    pub fn latest_scenario_results(&self) -> Result<Vec<LatestScenario>> {
        let mut q = self.conn.prepare(
            "SELECT r.run, u.recorded_at, u.commit_id, u.go_server, u.rust_server,
                    r.name, r.file, r.fingerprint, r.verdict, r.detail, r.diff, r.seconds
             FROM scenario_results r
             JOIN (SELECT name, MAX(run) AS run FROM scenario_results GROUP BY name) l
               ON r.name = l.name AND r.run = l.run
             JOIN scenario_runs u ON u.id = r.run
             ORDER BY r.name",
        )?;
        let rows = q.query_map([], |r| {
            Ok(LatestScenario {
                run: r.get(0)?,
                recorded_at: r.get(1)?,
                commit: r.get(2)?,
                go_server: r.get(3)?,
                rust_server: r.get(4)?,
                record: ScenarioRecord {
                    name: r.get(5)?,
                    file: r.get(6)?,
                    fingerprint: r.get(7)?,
                    verdict: r.get(8)?,
                    detail: r.get(9)?,
                    diff: r.get(10)?,
                    seconds: r.get(11)?,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
