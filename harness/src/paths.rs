//! Where the harness reads and writes, relative to the workspace root.
//!
//! Everything hangs off one root so tests can point the harness at a temporary tree.

use std::path::{Path, PathBuf};

/// The label of the Go source the percentages are computed against.
pub const PRIMARY_LABEL: &str = "v2.15";

/// Paths of the harness's inputs and outputs under a workspace root.
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }

    /// The workspace this harness was built in (parent of the harness package).
    pub fn from_build() -> Layout {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        Layout::new(manifest.parent().unwrap_or(manifest))
    }

    pub fn inventory_dir(&self) -> PathBuf {
        self.root.join("go-inventory")
    }
    pub fn inventory_file(&self, label: &str) -> PathBuf {
        self.inventory_dir().join(format!("{label}.tsv"))
    }
    pub fn db_file(&self) -> PathBuf {
        self.root.join("parity-db/parity.sqlite")
    }
    pub fn not_applicable_file(&self) -> PathBuf {
        self.root.join("parity-db/not_applicable.tsv")
    }
    pub fn reports_dir(&self) -> PathBuf {
        self.root.join("reports")
    }
    /// Where `harness test-run --libtest` saves the `cargo test` output it records.
    pub fn libtest_log(&self) -> PathBuf {
        self.root.join("target/harness/cargo-test.log")
    }
    /// Scenario files (`*.toml`).
    pub fn scenarios_dir(&self) -> PathBuf {
        self.root.join("harness/scenarios")
    }
    /// Reviewed scenario differences: `name<TAB>reason`.
    pub fn known_differences_file(&self) -> PathBuf {
        self.scenarios_dir().join("known-differences.tsv")
    }
    /// What `harness bench` writes and the report shows.
    pub fn bench_file(&self) -> PathBuf {
        self.reports_dir().join("bench.json")
    }
    pub fn baseline_file(&self) -> PathBuf {
        self.reports_dir().join("baseline.json")
    }
    /// The JUnit file that `cargo nextest run --profile ci` writes (see .config/nextest.toml).
    /// nextest keeps its store under `<root>/target/nextest` by default; a `CARGO_TARGET_DIR`
    /// elsewhere is also looked at, and the newest file present wins.
    pub fn default_junit(&self) -> PathBuf {
        let mut candidates = vec![self.root.join("target/nextest/ci/junit.xml")];
        if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
            candidates.push(self.root.join(dir).join("nextest/ci/junit.xml"));
        }
        let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        candidates
            .iter()
            .filter(|p| p.is_file())
            .max_by_key(|p| modified(p))
            .unwrap_or(&candidates[0])
            .clone()
    }
}
