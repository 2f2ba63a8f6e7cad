//! The command line end to end on a throwaway workspace: status, claims, record, gate with the
//! nextest JUnit file picked up automatically, and the gate failing when parity falls.

use crate::support::Ws;
use std::process::{Command, Output};

fn harness(ws: &Ws, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harness"))
        .arg("--root")
        .arg(ws.root())
        .args(args)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run harness")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// server/TestA and test/TestA claimed by a unit test and an integration test.
fn claimed_workspace() -> Ws {
    let ws = Ws::new();
    ws.write(
        "server/src/sub.rs",
        "#[cfg(test)]\nmod tests {\n    // go: server/TestA\n    #[test]\n    fn a() {}\n}\n",
    );
    ws.write(
        "server/tests/core/main.rs",
        "// go: test/TestA\n// go: server/TestC\n#[tokio::test]\nasync fn black_box() {}\n",
    );
    ws
}

#[test]
fn status_gate_and_regression() {
    let ws = claimed_workspace();

    // No run recorded: claims are failing, the status still prints, and says why.
    let o = harness(&ws, &["status"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("no test run recorded yet"), "{out}");
    assert!(
        out.contains("mapped 0.00% of applicable Go tests (0 of 6)"),
        "{out}"
    );

    // After a nextest run (its JUnit file in the default place), status and gate pick it up.
    ws.write_junit(&[
        ("server", "sub::tests::a", "passed"),
        ("server::core", "black_box", "passed"),
        ("harness", "unrelated", "failed"),
    ]);
    let o = harness(&ws, &["gate", "--update-baseline"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("recorded run 1: 3 test results from target/nextest/ci/junit.xml"),
        "{out}"
    );
    assert!(out.contains("mapped 50.00% (3 of 6)"), "{out}");
    let baseline =
        std::fs::read_to_string(ws.root().join("reports/baseline.json")).expect("baseline");
    assert!(
        baseline.contains("\"server/TestA\"") && baseline.contains("\"test/TestA\""),
        "{baseline}"
    );

    let o = harness(&ws, &["gate"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("gate passed: mapped 50.00% (3 of 6), baseline 50.00%"),
        "{out}"
    );
    assert!(
        !out.contains("recorded run"),
        "the same JUnit file is not recorded twice: {out}"
    );

    let o = harness(&ws, &["status", "--category", "sublist"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("server/TestC") && out.contains("black_box [passed]"),
        "{out}"
    );

    // A claimant fails in the next run: the gate fails and names it.
    ws.write_junit(&[
        ("server", "sub::tests::a", "passed"),
        ("server::core", "black_box", "failed"),
    ]);
    let o = harness(&ws, &["gate"]);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("gate FAILED"), "{out}");
    assert!(out.contains("is below the baseline 50.00%"), "{out}");
    assert!(
        out.contains("test/TestA was mapped and is now failing: black_box"),
        "{out}"
    );

    // Lowering the baseline is refused without --allow-lower.
    let o = harness(&ws, &["gate", "--update-baseline"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--allow-lower"));
}

#[test]
fn invalid_claims_fail_the_gate_and_show_in_claims() {
    let ws = claimed_workspace();
    ws.write(
        "server/src/typo.rs",
        "// go: server/TestAA\n#[test]\nfn t() {}\n// go:server/TestB\n#[test]\nfn u() {}\n",
    );
    ws.write_junit(&[("server", "typo::t", "passed")]);
    ws.write("reports/baseline.json", "{\"label\":\"v2.15\",\"mapped_pct\":0.0,\"mapped\":0,\"applicable\":6,\"updated_at\":\"t\",\"commit\":\"c\",\"mapped_keys\":[]}");
    let o = harness(&ws, &["gate"]);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("invalid claim: server/src/typo.rs:1: claim by `typo::t`: no Go test `server/TestAA` in inventory v2.15; did you mean `server/TestA`?"), "{out}");
    assert!(
        out.contains("invalid claim: server/src/typo.rs:4: malformed claim `// go:server/TestB`"),
        "{out}"
    );
    let o = harness(&ws, &["claims"]);
    let out = text(&o);
    assert!(
        !o.status.success(),
        "`claims` exits non-zero while any claim is invalid"
    );
    assert!(
        out.contains("sub::tests::a") && out.contains("2 invalid claim(s)"),
        "{out}"
    );
}

#[test]
fn record_reads_a_given_junit_and_rejects_a_truncated_one() {
    let ws = claimed_workspace();
    ws.write(
        "elsewhere.xml",
        &crate::support::junit(&[("server", "sub::tests::a", "passed")]),
    );
    let o = harness(&ws, &["record", "--junit", "elsewhere.xml"]);
    let out = text(&o);
    assert!(
        !o.status.success(),
        "a relative path is taken from the current directory: {out}"
    );
    let path = ws.root().join("elsewhere.xml");
    let o = harness(&ws, &["record", "--junit", path.to_str().expect("utf8")]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("recorded run 1: 1 test results"), "{out}");
    let o = harness(&ws, &["record", "--junit", path.to_str().expect("utf8")]);
    assert!(text(&o).contains("already recorded"), "{}", text(&o));

    ws.write(
        "target/nextest/ci/junit.xml",
        "<testsuites><testsuite name=\"server\"><testcase name=\"x\">",
    );
    let o = harness(&ws, &["gate"]);
    let out = text(&o);
    assert!(!o.status.success());
    assert!(out.contains("truncated JUnit XML"), "{out}");
}

#[test]
fn missing_inventory_and_corrupt_database_messages() {
    let ws = Ws::new();
    std::fs::create_dir_all(ws.root().join("parity-db")).expect("mkdir");
    std::fs::write(ws.root().join("parity-db/parity.sqlite"), vec![7u8; 4096]).expect("junk db");
    let o = harness(&ws, &["status"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("was unusable") && out.contains("rebuilt from the text sources"),
        "{out}"
    );

    std::fs::remove_file(ws.root().join("go-inventory/v2.15.tsv")).expect("rm");
    let o = harness(&ws, &["status"]);
    let out = text(&o);
    assert!(!o.status.success());
    assert!(
        out.contains("go-inventory/v2.15.tsv is missing: run `harness inventory extract"),
        "{out}"
    );
}

#[test]
fn inventory_extract_writes_the_tsv() {
    let ws = Ws::new();
    let src = crate::support::fixture("gotree");
    let o = harness(
        &ws,
        &[
            "inventory",
            "extract",
            "--go-src",
            src.to_str().expect("utf8"),
            "--label",
            "fx",
            "--source",
            "fixture@1",
        ],
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains(
            "fx: 13 tests, 1 benchmarks, 1 fuzz targets from 9 files (3 skip unconditionally)"
        ),
        "{out}"
    );
    let tsv = std::fs::read_to_string(ws.root().join("go-inventory/fx.tsv")).expect("tsv");
    assert!(tsv.contains("# source: fixture@1"), "{tsv}");
}

#[test]
fn record_a_cargo_test_log() {
    let ws = claimed_workspace();
    let log = "     Running unittests src/lib.rs (target/debug/deps/server-0f3a9c)\n\nrunning 1 test\ntest sub::tests::a ... ok\n\n     Running tests/core/main.rs (target/debug/deps/core-1234abcd)\n\nrunning 1 test\ntest black_box ... FAILED\n";
    ws.write("cargo-test.log", log);
    let path = ws.root().join("cargo-test.log");
    let o = harness(&ws, &["record", "--libtest", path.to_str().expect("utf8")]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("recorded run 1: 2 test results"), "{out}");
    let o = harness(&ws, &["--no-junit", "status", "--category", "core"]);
    let out = text(&o);
    assert!(out.contains("sub::tests::a [passed]"), "{out}");
    assert!(out.contains("black_box [failed]"), "{out}");

    // A default JUnit file recorded before the log does not come back to replace it.
    ws.write_junit(&[("server::core", "black_box", "passed")]);
    let o = harness(&ws, &["record"]);
    assert!(text(&o).contains("recorded run 2"), "{}", text(&o));
    let o = harness(&ws, &["record", "--libtest", path.to_str().expect("utf8")]);
    assert!(text(&o).contains("recorded run 3"), "{}", text(&o));
    let o = harness(&ws, &["status", "--category", "core"]);
    let out = text(&o);
    assert!(!out.contains("recorded run"), "{out}");
    assert!(
        out.contains("black_box [failed]"),
        "the latest run wins: {out}"
    );
}

/// `test-run` really runs a workspace's tests and records them: with `cargo test`, and with
/// nextest (the CI path) when it is installed.
#[test]
fn test_run_runs_and_records() {
    let ws = Ws::new();
    ws.write(
        "server/src/sub.rs",
        "#[cfg(test)]\nmod tests {\n    // go: server/TestA\n    #[test]\n    fn passes() {}\n\n    // go: server/TestB\n    #[test]\n    fn fails() {\n        assert_eq!(1 + 1, 3, \"on purpose\");\n    }\n}\n",
    );
    let o = harness(&ws, &["test-run", "--cargo-test"]);
    let out = text(&o);
    assert!(!o.status.success(), "a failing test fails test-run: {out}");
    assert!(out.contains("recorded run 1:"), "{out}");
    assert!(out.contains("│ core"), "the status table follows: {out}");
    let o = harness(&ws, &["--no-junit", "status", "--category", "core"]);
    let out = text(&o);
    assert!(
        out.contains("sub::tests::passes [passed]") && out.contains("sub::tests::fails [failed]"),
        "{out}"
    );

    if Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let config =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.config/nextest.toml");
        ws.write(
            ".config/nextest.toml",
            &std::fs::read_to_string(config).expect("nextest config"),
        );
        let o = harness(&ws, &["test-run"]);
        let out = text(&o);
        assert!(!o.status.success(), "{out}");
        assert!(
            out.contains("recorded run 2:") && out.contains("target/nextest/ci/junit.xml"),
            "{out}"
        );
        let o = harness(&ws, &["status", "--category", "core"]);
        let out = text(&o);
        assert!(
            out.contains("sub::tests::passes [passed]")
                && out.contains("sub::tests::fails [failed]"),
            "{out}"
        );
    } else {
        eprintln!("nextest part skipped: cargo-nextest is not installed");
    }
}
