//! The extractor on our fixture tree, on bad input, on the committed v2.15 inventory, and on
//! the Debian nats-server 2.9.10 source when it is installed.

use crate::support::fixture;
use harness::inventory::extract::extract;
use harness::inventory::{Inventory, Kind};
use std::path::Path;

fn run(root: &Path) -> anyhow::Result<harness::inventory::extract::Extracted> {
    extract(root, "fx", "fixture", &mut |_, _| {})
}

fn row<'a>(inv: &'a Inventory, key: &str) -> &'a harness::inventory::GoTest {
    inv.tests
        .iter()
        .find(|t| t.key() == key)
        .unwrap_or_else(|| {
            panic!(
                "{key} missing from {:?}",
                inv.tests.iter().map(|t| t.key()).collect::<Vec<_>>()
            )
        })
}

#[test]
fn fixture_tree_keys_kinds_tags_and_skips() {
    let got = run(&fixture("gotree")).expect("extract fixture");
    let inv = &got.inventory;
    let keys: Vec<String> = inv.tests.iter().map(|t| t.key()).collect();
    assert_eq!(
        keys,
        [
            "conf/TestLexBasic",
            "logger/TestSame",
            "server/BenchmarkAlpha",
            "server/FuzzAlpha",
            "server/TestAlphaCondSkip",
            "server/TestAlphaOne",
            "server/TestAlphaSkipped",
            "server/TestBetaWindows",
            "server/TestOddMultiLine",
            "server/TestOddSpacing",
            "server/TestOddUnnamed",
            "server/TestOldStyleTags",
            "server/TestShared",
            "server/sub/TestSub",
            "test/TestShared",
        ],
        "TestMain, methods, helpers, lowercase names, raw strings, comments, non-test files, \
         testdata and _dirs must not appear"
    );
    assert_eq!(got.files, 9);
    assert_eq!(row(inv, "server/BenchmarkAlpha").kind, Kind::Benchmark);
    assert_eq!(row(inv, "server/FuzzAlpha").kind, Kind::Fuzz);
    // Skips: only an unconditional first statement counts.
    let skipping: Vec<String> = inv
        .tests
        .iter()
        .filter(|t| t.skips)
        .map(|t| t.key())
        .collect();
    assert_eq!(
        skipping,
        [
            "conf/TestLexBasic",
            "server/TestAlphaSkipped",
            "server/TestOddSpacing"
        ]
    );
    // Build constraints: //go:build, old // +build lines, file-name GOOS, merged duplicates.
    assert_eq!(row(inv, "server/TestAlphaOne").build, "!skip_alpha_tests");
    assert_eq!(
        row(inv, "server/TestOldStyleTags").build,
        "(linux || darwin) && !skip_old"
    );
    assert_eq!(row(inv, "server/TestBetaWindows").build, "windows");
    assert_eq!(row(inv, "server/TestOddSpacing").build, "");
    assert_eq!(row(inv, "logger/TestSame").build, "(!windows) || (windows)");
    assert_eq!(row(inv, "logger/TestSame").file, "logger/same_test.go");
    assert_eq!(inv.also.len(), 1);
    assert!(
        inv.also[0].contains("logger/same_windows_test.go:7"),
        "{:?}",
        inv.also
    );
    // Same name in two packages: two keys, each with its own file and line.
    assert_eq!(row(inv, "test/TestShared").file, "test/dup_test.go");
    assert_eq!(row(inv, "server/TestShared").file, "server/alpha_test.go");
    assert_eq!(row(inv, "server/TestAlphaOne").line, 11);
    assert_eq!(row(inv, "server/TestOddMultiLine").line, 9);
}

#[test]
fn tsv_round_trip_is_exact() {
    let inv = run(&fixture("gotree")).expect("extract").inventory;
    let text = inv.to_tsv();
    let back = Inventory::from_tsv(&text, "mem").expect("parse back");
    assert_eq!(back, inv);
    assert_eq!(back.to_tsv(), text);
}

#[test]
fn non_utf8_bytes_are_replaced_and_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("server")).expect("mkdir");
    let mut bytes =
        b"package server\n\n// caf\xe9 \xff\nfunc TestAfterBadBytes(t *testing.T) {}\n".to_vec();
    bytes.extend_from_slice(b"func TestSecond(t *testing.T) { t.Skip() }\n");
    std::fs::write(dir.path().join("server/bad_test.go"), bytes).expect("write");
    let got = run(dir.path()).expect("non-UTF-8 is a warning, not an error");
    let keys: Vec<String> = got.inventory.tests.iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["server/TestAfterBadBytes", "server/TestSecond"]);
    assert!(got.inventory.tests[1].skips);
    assert_eq!(got.warnings.len(), 1);
    assert!(
        got.warnings[0].contains("server/bad_test.go: not valid UTF-8"),
        "{:?}",
        got.warnings
    );
}

#[test]
fn empty_tree_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("README.md"), "nothing here").expect("write");
    let err = run(dir.path())
        .expect_err("an empty tree must fail")
        .to_string();
    assert!(err.contains("no *_test.go files"), "{err}");
    let err = run(&dir.path().join("missing"))
        .expect_err("a missing dir must fail")
        .to_string();
    assert!(err.contains("is not a directory"), "{err}");
}

#[test]
fn unreadable_test_file_stops_extraction_and_names_it() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("server")).expect("mkdir");
    std::fs::write(
        dir.path().join("server/good_test.go"),
        "package server\nfunc TestGood(t *testing.T) {}\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(
        dir.path().join("server/nowhere.go"),
        dir.path().join("server/broken_test.go"),
    )
    .expect("symlink");
    let err = format!("{:#}", run(dir.path()).expect_err("must fail"));
    assert!(err.contains("cannot read server/broken_test.go"), "{err}");
    assert!(err.contains("nothing written"), "{err}");
}

#[test]
fn committed_v2_15_inventory_has_every_go_test() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../go-inventory/v2.15.tsv");
    let inv = Inventory::read(&path).expect("committed inventory");
    assert_eq!(inv.label, "v2.15");
    assert!(
        inv.source
            .contains("1787eee035cf0253c201fa0f05afad92b6f296dc"),
        "{}",
        inv.source
    );
    // 4,163 Test functions: two logger names are defined once for !windows and once for windows.
    assert_eq!(inv.count(Kind::Test), 4161);
    assert_eq!(inv.count(Kind::Test) + inv.also.len(), 4163);
    assert_eq!(inv.count(Kind::Benchmark), 326);
    assert_eq!(inv.count(Kind::Fuzz), 3);
    let tests = || inv.tests.iter().filter(|t| t.kind == Kind::Test);
    assert_eq!(tests().filter(|t| t.skips).count(), 30);
    assert_eq!(tests().filter(|t| t.package == "server").count(), 3543);
    assert_eq!(tests().filter(|t| t.package == "test").count(), 363);
    assert_eq!(tests().filter(|t| t.package == "conf").count(), 94);
    assert_eq!(tests().filter(|t| t.package == "server/stree").count(), 60);
    assert!(!inv.tests.iter().any(|t| t.name == "TestMain"));
    assert!(
        !inv.tests.iter().any(|t| t.category == "other"),
        "every test has a category"
    );
    // Duplicate names across packages are distinct keys.
    for name in [
        "TestSubsz",
        "TestGatewaySendAllSubs",
        "TestSeedSolicitWorks",
    ] {
        assert!(inv
            .tests
            .iter()
            .any(|t| t.key() == format!("server/{name}")));
        assert!(inv.tests.iter().any(|t| t.key() == format!("test/{name}")));
    }
    assert_eq!(
        tests()
            .filter(|t| t.build.contains("include_js_long_tests"))
            .count(),
        7
    );
}

#[test]
fn committed_inventory_matches_the_go_source_when_present() {
    let src = Path::new("/tmp/ns");
    if !src.join("server/const.go").is_file() {
        eprintln!("skipped: no nats-server 2.15 tree at /tmp/ns to re-extract");
        return;
    }
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../go-inventory/v2.15.tsv");
    let committed = Inventory::read(&committed).expect("committed inventory");
    let fresh = extract(src, "v2.15", &committed.source, &mut |_, _| {}).expect("extract");
    assert_eq!(
        fresh.inventory.tests, committed.tests,
        "go-inventory/v2.15.tsv is stale"
    );
}

const DEBIAN_SRC: &str = "/usr/share/gocode/src/github.com/nats-io/nats-server";

#[test]
fn debian_2_9_10_source_when_installed() {
    let root = Path::new(DEBIAN_SRC);
    if !root.join("server").is_dir() {
        eprintln!(
            "skipped: Debian nats-server source not installed \
             (apt-get install golang-github-nats-io-nats-server-dev)"
        );
        return;
    }
    let mut calls = 0;
    let got =
        extract(root, "v2.9.10", "debian", &mut |_, _| calls += 1).expect("extract Debian source");
    let inv = &got.inventory;
    assert_eq!(calls, got.files, "progress is reported per file");
    assert_eq!(got.files, 94);
    assert_eq!(inv.version, "2.9.10");
    assert_eq!(inv.count(Kind::Test) + inv.also.len(), 2114);
    assert_eq!(inv.count(Kind::Benchmark), 231);
    assert_eq!(inv.count(Kind::Fuzz), 0);
    let count = |pkg: &str| {
        inv.tests
            .iter()
            .filter(|t| t.kind == Kind::Test && t.package == pkg)
            .count()
    };
    assert_eq!(count("server"), 1673);
    assert_eq!(count("test"), 322);
    assert_eq!(count("conf"), 86);
    assert_eq!(count("internal/ldap"), 4);
    assert_eq!(count("server/pse"), 2);
    // 2.9.10 still used `// +build` lines next to `//go:build`.
    let js = inv
        .tests
        .iter()
        .find(|t| t.key() == "server/TestJetStreamAddStream")
        .expect("js test");
    assert_eq!(js.build, "!skip_js_tests");
    assert_eq!(js.category, "js-api");
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
}
