//! Status arithmetic and the gate's pass/fail decisions.

use crate::support::small_inventory;
use harness::gate::{check, update, Baseline};
use harness::mapping::claims::{ClaimError, ClaimedTest};
use harness::mapping::junit::{CaseResult, Outcome};
use harness::mapping::notapp::NaEntry;
use harness::mapping::ResultIndex;
use harness::status::{rows, totals, Row, Status, Totals};

fn claimant(path: &str, keys: &[&str], ignored: bool) -> ClaimedTest {
    ClaimedTest {
        file: "server/src/a.rs".into(),
        line: 1,
        binary: "server".into(),
        path: path.into(),
        ignored,
        claims: keys.iter().map(|k| (k.to_string(), 1)).collect(),
    }
}

fn result(path: &str, outcome: Outcome) -> CaseResult {
    CaseResult {
        binary: "server".into(),
        name: path.into(),
        outcome,
        seconds: 0.0,
    }
}

fn na(key: &str) -> NaEntry {
    NaEntry {
        key: key.into(),
        reason: "cannot apply".into(),
        line: 1,
    }
}

fn status_of(rows: &[Row], key: &str) -> Status {
    rows.iter()
        .find(|r| r.key == key)
        .map(|r| r.status)
        .expect(key)
}

/// server/TestA: two claimants, both pass -> mapped. server/TestB: one of two fails -> failing.
/// server/TestC: claimant did not run -> failing. server/TestD: claimant ignored -> failing.
/// test/TestA: not applicable. conf/TestLex: unmapped. server/BenchmarkX: claimed, passes.
fn scenario() -> (Vec<Row>, Totals, Vec<(String, Totals)>) {
    let claimants = [
        claimant("a::one", &["server/TestA", "server/TestB"], false),
        claimant("a::two", &["server/TestA"], false),
        claimant("a::three", &["server/TestB"], false),
        claimant("a::four", &["server/TestC"], false),
        claimant("a::five", &["server/TestD"], true),
        claimant("a::bench", &["server/BenchmarkX"], false),
    ];
    let results = ResultIndex::new(&[
        result("a::one", Outcome::Passed),
        result("a::two", Outcome::Passed),
        result("a::three", Outcome::Failed),
        result("a::five", Outcome::Passed),
        result("a::bench", Outcome::Passed),
    ]);
    let rows = rows(
        &small_inventory(),
        &[na("test/TestA")],
        &claimants,
        Some(&results),
    );
    let (overall, cats) = totals(&rows);
    (rows, overall, cats)
}

#[test]
fn statuses_follow_the_rules() {
    let (rows, overall, cats) = scenario();
    assert_eq!(status_of(&rows, "server/TestA"), Status::Mapped);
    assert_eq!(status_of(&rows, "server/TestB"), Status::Failing);
    assert_eq!(status_of(&rows, "server/TestC"), Status::Failing);
    assert_eq!(status_of(&rows, "server/TestD"), Status::Failing);
    assert_eq!(status_of(&rows, "test/TestA"), Status::NotApplicable);
    assert_eq!(status_of(&rows, "conf/TestLex"), Status::Unmapped);
    assert_eq!(status_of(&rows, "server/BenchmarkX"), Status::Mapped);
    let b = rows.iter().find(|r| r.key == "server/TestB").expect("row");
    let states: Vec<&str> = b.claimants.iter().map(|c| c.state.as_str()).collect();
    assert_eq!(states, ["passed", "failed"]);
    let d = rows.iter().find(|r| r.key == "server/TestD").expect("row");
    assert_eq!(d.claimants[0].state, "ignored");
    assert_eq!(
        rows.iter()
            .find(|r| r.key == "server/TestC")
            .expect("row")
            .claimants[0]
            .state,
        "not run"
    );

    // Benchmarks are outside the numbers: 6 tests, 1 n/a, 5 applicable, 1 mapped.
    assert_eq!(
        overall,
        Totals {
            total: 6,
            mapped: 1,
            failing: 3,
            not_applicable: 1,
            unmapped: 1
        }
    );
    assert_eq!(overall.applicable(), 5);
    assert!((overall.pct() - 20.0).abs() < 1e-9);
    let names: Vec<&str> = cats.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        ["core", "sublist", "config"],
        "categories in table order"
    );
    assert_eq!(
        cats[0].1,
        Totals {
            total: 3,
            mapped: 1,
            failing: 1,
            not_applicable: 1,
            unmapped: 0
        }
    );
    assert!((cats[0].1.pct() - 50.0).abs() < 1e-9);
    assert_eq!(cats[2].1.pct(), 0.0);
}

#[test]
fn without_a_recorded_run_every_claim_is_failing() {
    let claimants = [claimant("a::one", &["server/TestA"], false)];
    let rows = rows(&small_inventory(), &[], &claimants, None);
    assert_eq!(status_of(&rows, "server/TestA"), Status::Failing);
    let (overall, _) = totals(&rows);
    assert_eq!(overall.mapped, 0);
}

#[test]
fn empty_denominator_is_zero_percent() {
    assert_eq!(Totals::default().pct(), 0.0);
    let all_na = Totals {
        total: 2,
        not_applicable: 2,
        ..Totals::default()
    };
    assert_eq!(all_na.pct(), 0.0);
}

fn baseline(pct: f64, keys: &[&str]) -> Baseline {
    Baseline {
        label: "v2.15".into(),
        mapped_pct: pct,
        mapped: keys.len(),
        applicable: 5,
        updated_at: "t".into(),
        commit: "c".into(),
        mapped_keys: keys.iter().map(|k| k.to_string()).collect(),
    }
}

#[test]
fn gate_passes_at_or_above_the_baseline() {
    let (rows, overall, _) = scenario();
    let v = check(&rows, &overall, &[], &baseline(20.0, &["server/TestA"]));
    assert!(v.passed(), "{v:?}");
    let v = check(&rows, &overall, &[], &baseline(10.0, &[]));
    assert!(v.passed(), "{v:?}");
    assert!(
        v.notes.iter().any(|n| n.contains("above the baseline")),
        "{v:?}"
    );
}

#[test]
fn gate_fails_below_the_baseline() {
    let (rows, overall, _) = scenario();
    let v = check(&rows, &overall, &[], &baseline(20.01, &[]));
    assert!(!v.passed());
    assert_eq!(v.failures.len(), 1);
    assert!(
        v.failures[0].contains("mapped 20.00% (1 of 5) is below the baseline 20.01%"),
        "{v:?}"
    );
}

#[test]
fn gate_fails_when_a_mapped_test_regresses() {
    let (rows, overall, _) = scenario();
    let v = check(
        &rows,
        &overall,
        &[],
        &baseline(
            0.0,
            &[
                "server/TestB",
                "conf/TestLex",
                "test/TestA",
                "server/TestGone",
            ],
        ),
    );
    assert_eq!(v.failures.len(), 2, "{v:?}");
    assert!(
        v.failures[0].starts_with(
            "server/TestB was mapped and is now failing: a::three (server/src/a.rs:1) failed"
        ),
        "{v:?}"
    );
    assert!(
        v.failures[1].starts_with("conf/TestLex was mapped and is now unmapped"),
        "{v:?}"
    );
    // Moving to not-applicable or leaving the inventory is said, not failed.
    assert!(v
        .notes
        .iter()
        .any(|n| n.contains("test/TestA was mapped and is now not applicable")));
    assert!(v
        .notes
        .iter()
        .any(|n| n.contains("server/TestGone was mapped but is no longer in the inventory")));
}

#[test]
fn gate_fails_on_invalid_claims() {
    let (rows, overall, _) = scenario();
    let problem = ClaimError {
        file: "server/src/a.rs".into(),
        line: 3,
        message: "no Go test `server/TestZ`".into(),
    };
    let v = check(
        &rows,
        &overall,
        std::slice::from_ref(&problem),
        &baseline(0.0, &[]),
    );
    assert_eq!(
        v.failures,
        ["invalid claim: server/src/a.rs:3: no Go test `server/TestZ`"]
    );
    let err = update(
        Baseline::current("v2.15", &rows, &overall, "c", "t"),
        None,
        &[problem],
        false,
    )
    .expect_err("invalid claims block a baseline update");
    assert!(err.to_string().contains("1 invalid claim"));
}

#[test]
fn baseline_update_raises_and_refuses_to_lower() {
    let (rows, overall, _) = scenario();
    let current = Baseline::current("v2.15", &rows, &overall, "abc", "now");
    assert_eq!(current.mapped_pct, 20.0);
    assert_eq!(
        current.mapped_keys,
        ["server/TestA"],
        "benchmarks are not in the baseline"
    );
    let raised = update(current.clone(), Some(&baseline(10.0, &[])), &[], false).expect("raise");
    assert_eq!(raised, current);
    let err = update(
        current.clone(),
        Some(&baseline(30.0, &["server/TestA", "server/TestB"])),
        &[],
        false,
    )
    .expect_err("lowering needs --allow-lower");
    let msg = err.to_string();
    assert!(
        msg.contains("30.00% -> 20.00%")
            && msg.contains("server/TestB")
            && msg.contains("--allow-lower"),
        "{msg}"
    );
    let lowered = update(
        current.clone(),
        Some(&baseline(30.0, &["server/TestB"])),
        &[],
        true,
    )
    .expect("allowed");
    assert_eq!(lowered.mapped_pct, 20.0);

    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("reports/baseline.json");
    current.write(&path).expect("write");
    assert_eq!(Baseline::read(&path).expect("read"), current);
}
