//! Database round trips, recorded runs, and recovery from corrupt or foreign files.

use crate::support::{junit, small_inventory};
use harness::db::Db;
use harness::mapping::claims::{ClaimError, ClaimedTest};
use harness::mapping::junit::{parse, Outcome};
use harness::mapping::notapp::NaEntry;

fn claimant() -> ClaimedTest {
    ClaimedTest {
        file: "server/src/sublist/mod.rs".into(),
        line: 42,
        binary: "server".into(),
        path: "sublist::tests::insert".into(),
        ignored: false,
        claims: vec![("server/TestC".into(), 40), ("server/TestD".into(), 41)],
    }
}

fn loaded(db: &mut Db) {
    let na = vec![NaEntry {
        key: "server/TestB".into(),
        reason: "Windows service control".into(),
        line: 5,
    }];
    let problems = vec![ClaimError {
        file: "server/src/x.rs".into(),
        line: 3,
        message: "no Go test `server/TestZ`".into(),
    }];
    db.load_text(&[small_inventory()], &na, &[claimant()], &problems)
        .expect("load");
}

#[test]
fn text_sources_round_trip() {
    let mut db = Db::open_in_memory().expect("db");
    loaded(&mut db);
    // Loading twice replaces, never duplicates.
    loaded(&mut db);
    let inv = db.inventory("v2.15").expect("query").expect("present");
    assert_eq!(inv, small_inventory());
    assert!(db.inventory("v9").expect("query").is_none());
    let na = db.not_applicable().expect("na");
    assert_eq!(na.len(), 1);
    assert_eq!(
        (na[0].key.as_str(), na[0].reason.as_str()),
        ("server/TestB", "Windows service control")
    );
    assert_eq!(db.claimants().expect("claimants"), [claimant()]);
    let problems = db.problems().expect("problems");
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].to_string(),
        "server/src/x.rs:3: no Go test `server/TestZ`"
    );
}

#[test]
fn runs_are_recorded_and_the_latest_wins() {
    let mut db = Db::open_in_memory().expect("db");
    assert!(db.latest_run().expect("q").is_none());
    let first = parse(&junit(&[
        ("server", "a", "passed"),
        ("server", "b", "failed"),
    ]))
    .expect("junit");
    let id1 = db
        .record_run("t1", "c1", "junit.xml", "f1", &first)
        .expect("record");
    let second = parse(&junit(&[
        ("server", "a", "failed"),
        ("server::core", "x", "skipped"),
    ]))
    .expect("junit");
    let id2 = db
        .record_run("t2", "c2", "junit.xml", "f2", &second)
        .expect("record");
    assert!(id2 > id1);
    let run = db.latest_run().expect("q").expect("run");
    assert_eq!(
        (run.id, run.commit.as_str(), run.fingerprint.as_str()),
        (id2, "c2", "f2")
    );
    assert_eq!((run.passed, run.failed, run.skipped), (0, 1, 1));
    let results = db.run_results(id2).expect("results");
    let brief: Vec<(&str, &str, Outcome)> = results
        .iter()
        .map(|r| (r.binary.as_str(), r.name.as_str(), r.outcome))
        .collect();
    assert_eq!(
        brief,
        [
            ("server", "a", Outcome::Failed),
            ("server::core", "x", Outcome::Skipped)
        ]
    );
    assert_eq!(db.run_results(id1).expect("old run").len(), 2);
}

#[test]
fn old_runs_are_pruned() {
    let mut db = Db::open_in_memory().expect("db");
    let cases = parse(&junit(&[("server", "a", "passed")])).expect("junit");
    let ids: Vec<i64> = (0..25)
        .map(|i| {
            db.record_run("t", "c", "s", &format!("f{i}"), &cases)
                .expect("record")
        })
        .collect();
    assert!(db.run_results(ids[0]).expect("q").is_empty());
    assert_eq!(db.run_results(ids[24]).expect("q").len(), 1);
}

#[test]
fn corrupt_database_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("parity-db/parity.sqlite");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &path,
        b"this is not a database, just junk bytes ....................................",
    )
    .expect("write");
    let mut notes = Vec::new();
    let mut db = Db::open(&path, &mut notes).expect("a corrupt file is rebuilt, not an error");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("unusable") && notes[0].contains("rebuilt"),
        "{notes:?}"
    );
    assert!(
        path.with_extension("sqlite.corrupt").is_file(),
        "the bad file is kept for inspection"
    );
    loaded(&mut db);
    drop(db);
    // Reopening a good file says nothing and keeps the data.
    let mut notes = Vec::new();
    let db = Db::open(&path, &mut notes).expect("reopen");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(db.claimants().expect("claimants").len(), 1);
}

#[test]
fn stale_or_foreign_schemas_are_rebuilt() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("p.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch("CREATE TABLE unrelated (x); PRAGMA user_version = 999;")
            .expect("setup");
    }
    let mut notes = Vec::new();
    let db = Db::open(&path, &mut notes).expect("rebuilt");
    assert!(notes[0].contains("newer than this harness"), "{notes:?}");
    drop(db);
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch("DROP TABLE claims;").expect("drop");
    }
    let mut notes = Vec::new();
    let mut db = Db::open(&path, &mut notes).expect("rebuilt");
    assert!(notes[0].contains("table `claims` is missing"), "{notes:?}");
    loaded(&mut db);
}

#[test]
fn migrations_are_versioned_in_order() {
    let m = harness::db::migrations();
    assert!(!m.is_empty());
    for (i, (v, sql)) in m.iter().enumerate() {
        assert_eq!(*v as usize, i + 1, "versions are 1, 2, 3...");
        assert!(
            sql.contains("CREATE") || sql.contains("ALTER"),
            "migration {v} does something"
        );
    }
}
