//! The Go test inventory: every `TestXxx`, `BenchmarkXxx` and `FuzzXxx` of a nats-server tree,
//! keyed by (package dir, name), and its diffable text form `go-inventory/<label>.tsv`.
//!
//! The TSV is the source of truth that the database is rebuilt from; it is written sorted so
//! that a new upstream snapshot shows up as a readable diff.

pub mod category;
pub mod extract;
mod golex;

use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::Path;

/// What kind of Go test function this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Test,
    Benchmark,
    Fuzz,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Test => "test",
            Kind::Benchmark => "benchmark",
            Kind::Fuzz => "fuzz",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "test" => Some(Kind::Test),
            "benchmark" => Some(Kind::Benchmark),
            "fuzz" => Some(Kind::Fuzz),
            _ => None,
        }
    }
}

/// One Go test function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoTest {
    /// Package directory relative to the nats-server root (`server`, `server/stree`, `.`).
    pub package: String,
    pub name: String,
    pub kind: Kind,
    /// File relative to the nats-server root.
    pub file: String,
    pub line: u32,
    pub category: String,
    /// The file's build constraint (`//go:build` expression, file-name GOOS/GOARCH); empty if none.
    pub build: String,
    /// The body starts with an unconditional `t.Skip`.
    pub skips: bool,
}

impl GoTest {
    /// The claim key: `package/Name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.package, self.name)
    }
}

/// A whole inventory with where it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub label: String,
    /// Version string of the Go tree (`VERSION` in server/const.go) when known.
    pub version: String,
    /// Where the tree came from (repository and commit) when known.
    pub source: String,
    /// Sorted by (package, name); keys are unique.
    pub tests: Vec<GoTest>,
    /// Second definitions of a key under other build constraints, for the record.
    pub also: Vec<String>,
}

const COLUMNS: &str = "package\tname\tkind\tfile\tline\tcategory\tbuild\tskips";

fn clean(field: &str) -> String {
    field.replace(['\t', '\n', '\r'], " ")
}

impl Inventory {
    pub fn count(&self, kind: Kind) -> usize {
        self.tests.iter().filter(|t| t.kind == kind).count()
    }

    /// The TSV text: `#` header lines, a column row, then one sorted row per test.
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# Go test inventory of nats-server, written by `harness inventory extract`.\n",
        );
        out.push_str("# Do not edit by hand: re-run the extractor on a new source tree instead.\n");
        let _ = writeln!(out, "# label: {}", clean(&self.label));
        let _ = writeln!(out, "# version: {}", clean(&self.version));
        let _ = writeln!(out, "# source: {}", clean(&self.source));
        let _ = writeln!(
            out,
            "# counts: {} tests, {} benchmarks, {} fuzz targets ({} second definitions below)",
            self.count(Kind::Test),
            self.count(Kind::Benchmark),
            self.count(Kind::Fuzz),
            self.also.len()
        );
        for a in &self.also {
            let _ = writeln!(out, "# also: {}", clean(a));
        }
        out.push_str(COLUMNS);
        out.push('\n');
        for t in &self.tests {
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                clean(&t.package),
                clean(&t.name),
                t.kind.as_str(),
                clean(&t.file),
                t.line,
                clean(&t.category),
                clean(&t.build),
                if t.skips { "skip" } else { "" }
            );
        }
        out
    }

    /// Parses the TSV text; `origin` names the file in error messages.
    pub fn from_tsv(text: &str, origin: &str) -> Result<Inventory> {
        let mut inv = Inventory::default();
        let mut seen_columns = false;
        let mut keys = std::collections::HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let at = || format!("{origin}:{}", i + 1);
            if let Some(meta) = line.strip_prefix("# ") {
                if let Some((k, v)) = meta.split_once(": ") {
                    match k {
                        "label" => inv.label = v.to_string(),
                        "version" => inv.version = v.to_string(),
                        "source" => inv.source = v.to_string(),
                        "also" => inv.also.push(v.to_string()),
                        _ => {}
                    }
                }
                continue;
            }
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if !seen_columns {
                if line != COLUMNS {
                    bail!(
                        "{}: expected the column row `{}`",
                        at(),
                        COLUMNS.replace('\t', " ")
                    );
                }
                seen_columns = true;
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 8 {
                bail!(
                    "{}: expected 8 tab-separated fields, found {}",
                    at(),
                    f.len()
                );
            }
            let kind =
                Kind::parse(f[2]).with_context(|| format!("{}: bad kind `{}`", at(), f[2]))?;
            let line_no = f[4]
                .parse()
                .with_context(|| format!("{}: bad line number `{}`", at(), f[4]))?;
            let t = GoTest {
                package: f[0].to_string(),
                name: f[1].to_string(),
                kind,
                file: f[3].to_string(),
                line: line_no,
                category: f[5].to_string(),
                build: f[6].to_string(),
                skips: f[7] == "skip",
            };
            if !keys.insert(t.key()) {
                bail!("{}: duplicate key {}", at(), t.key());
            }
            inv.tests.push(t);
        }
        if !seen_columns {
            bail!("{origin}: not an inventory file (no column row)");
        }
        inv.tests
            .sort_by(|a, b| (&a.package, &a.name).cmp(&(&b.package, &b.name)));
        Ok(inv)
    }

    pub fn read(path: &Path) -> Result<Inventory> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading inventory {}", path.display()))?;
        let mut inv = Inventory::from_tsv(&text, &path.display().to_string())?;
        if inv.label.is_empty() {
            inv.label = label_of(path);
        }
        Ok(inv)
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::util::write_atomic(path, self.to_tsv().as_bytes())
    }
}

/// The label of an inventory file: its name without `.tsv`.
pub fn label_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
