//! Scenarios end to end: the process backend (readiness, logs, timeouts, cleanup after a panic) with
//! stand-in server scripts; the corpus and its claims in the parity database; `harness run` refusing
//! broken files; and small scenarios played against the Go server and rnats, including a deliberate
//! difference. Tests that need the Go server or an rnats build say SKIPPED when one is missing.

use crate::support::{go_server, rnats_server, Ws};
use harness::backend::process::ProcessServer;
use harness::backend::{BackendKind, Server, ServerKind, ServerSpec};
use harness::db::{Db, ScenarioRecord};
use harness::load::{load, Junit};
use harness::scenario::command::{self, RunArgs, Which};
use harness::scenario::format::parse;
use harness::scenario::suite::{self, SuiteConfig, Verdict};
use harness::scenario::Corpus;
use harness::status::Status;
use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Writes an executable script standing in for a server binary.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    p
}

/// A stand-in that writes its ports file like a real server, then sleeps.
const READY: &str = r#"dir=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--ports_file_dir" ]; then dir="$2"; fi
  shift
done
echo "stand-in server starting" >&2
printf '{"nats":["nats://127.0.0.1:1"]}' > "$dir/standin_$$.ports"
exec sleep 30"#;

/// Starts a server, retrying when another test's fork briefly holds the fresh script open.
fn start(spec: &ServerSpec) -> anyhow::Result<ProcessServer> {
    let mut last = None;
    for _ in 0..20 {
        match ProcessServer::start(spec) {
            Err(e) if format!("{e:#}").contains("Text file busy") => {
                last = Some(e);
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
    Err(last.expect("an error"))
}

fn gone(pid: u32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn process_backend_reads_the_ports_file_and_stops_on_drop() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = script(dir.path(), "ready.sh", READY);
    let s = start(&ServerSpec::new(ServerKind::Go, &bin)).expect("starts");
    assert_eq!(s.client_addr().to_string(), "127.0.0.1:1");
    assert!(s.log().contains("stand-in server starting"), "{}", s.log());
    let pid = s.pid().expect("running");
    assert!(!gone(pid));
    drop(s);
    assert!(gone(pid), "the server process {pid} outlived its owner");

    // A binary named relative to the current directory still starts: the server runs elsewhere.
    let cwd = std::env::current_dir().expect("cwd");
    let up = "../".repeat(cwd.components().count() - 1);
    let relative = PathBuf::from(format!(
        "{up}{}",
        bin.display().to_string().trim_start_matches('/')
    ));
    assert!(
        relative.is_relative() && relative.is_file(),
        "{}",
        relative.display()
    );
    let s =
        start(&ServerSpec::new(ServerKind::Go, &relative)).expect("starts from a relative path");
    assert!(s.pid().is_some());
}

#[test]
fn no_process_is_left_after_a_panic() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = script(dir.path(), "ready.sh", READY);
    let seen = Arc::new(Mutex::new(None));
    let seen2 = seen.clone();
    let h = std::thread::spawn(move || {
        let s = start(&ServerSpec::new(ServerKind::Rust, &bin)).expect("starts");
        *seen2.lock().expect("lock") = s.pid();
        panic!("a scenario blew up while its server ran");
    });
    assert!(h.join().is_err());
    let pid = seen.lock().expect("lock").expect("a pid was seen");
    assert!(gone(pid), "the server process {pid} survived the panic");
}

#[test]
fn a_server_that_fails_to_start_shows_its_log() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = script(
        dir.path(),
        "fail.sh",
        "echo 'boom: cannot listen on the port' >&2\nexit 3",
    );
    let e = format!(
        "{:#}",
        start(&ServerSpec::new(ServerKind::Rust, &bin))
            .err()
            .expect("fails")
    );
    assert!(
        e.contains("exited at startup") && e.contains("boom: cannot listen"),
        "{e}"
    );
}

#[test]
fn a_server_that_hangs_times_out_and_is_killed() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = script(
        dir.path(),
        "hang.sh",
        "echo \"hanging as $$\" >&2\nexec sleep 30",
    );
    let mut spec = ServerSpec::new(ServerKind::Go, &bin);
    spec.ready_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let e = format!("{:#}", start(&spec).err().expect("times out"));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        e.contains("not ready within 300ms") && e.contains("hanging as"),
        "{e}"
    );
    let pid: u32 = e
        .split("hanging as ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .expect("pid in the log");
    assert!(gone(pid), "the hung server {pid} was left running");
}

#[test]
fn the_container_backend_says_why_it_cannot_run() {
    let e = BackendKind::Container
        .available()
        .expect_err("no container runtime here");
    assert!(e.to_string().contains("--backend process"), "{e}");
}

const CLAIMING: &str = r#"
[[scenario]]
name = "s-one"
about = "claims server/TestA"
go = ["server/TestA"]
steps = [{ sleep = 1 }]

[[scenario]]
name = "s-two"
about = "claims server/TestB"
go = ["server/TestB"]
steps = [{ sleep = 1 }]
"#;

fn record(ws: &Ws, results: &[(&str, &str)]) {
    let corpus = Corpus::load(&ws.layout());
    let records: Vec<ScenarioRecord> = results
        .iter()
        .map(|(name, verdict)| {
            let s = corpus
                .scenarios
                .iter()
                .find(|s| s.name == *name)
                .expect("scenario");
            ScenarioRecord {
                name: s.name.clone(),
                file: s.file.clone(),
                fingerprint: s.fingerprint.clone(),
                verdict: verdict.to_string(),
                detail: String::new(),
                diff: if *verdict == "differs" {
                    "--- go\n+++ rnats\n-a\n+b\n".into()
                } else {
                    String::new()
                },
                seconds: 0.1,
            }
        })
        .collect();
    let mut notes = Vec::new();
    let mut db = Db::open(&ws.layout().db_file(), &mut notes).expect("db");
    db.record_scenario_run(
        "2026-01-01T00:00:00Z",
        "abc",
        "v2.15.1",
        "v2.15.1",
        "process",
        &records,
    )
    .expect("record");
}

fn status_of(ws: &Ws, key: &str) -> (Status, Vec<String>) {
    let p = load(&ws.layout(), "v2.15", &Junit::None).expect("load");
    let row = p.rows.iter().find(|r| r.key == key).expect("row");
    (
        row.status,
        row.claimants
            .iter()
            .map(|c| format!("{} {}", c.path, c.state))
            .collect(),
    )
}

#[test]
fn scenario_claims_count_only_when_same_on_both_servers() {
    let ws = Ws::new();
    ws.write("harness/scenarios/claims.toml", CLAIMING);
    // Not played yet: claimed, so failing, and said so.
    let p = load(&ws.layout(), "v2.15", &Junit::None).expect("load");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("2 claiming scenario(s) have no current result")),
        "{:?}",
        p.notes
    );
    assert_eq!(
        status_of(&ws, "server/TestA"),
        (Status::Failing, vec!["s-one not run".to_string()])
    );

    record(&ws, &[("s-one", "same"), ("s-two", "differs")]);
    assert_eq!(
        status_of(&ws, "server/TestA"),
        (Status::Mapped, vec!["s-one passed".to_string()])
    );
    assert_eq!(
        status_of(&ws, "server/TestB"),
        (Status::Failing, vec!["s-two failed".to_string()])
    );
    let p = load(&ws.layout(), "v2.15", &Junit::None).expect("load");
    let two = p
        .scenarios
        .iter()
        .find(|s| s.name == "s-two")
        .expect("view");
    assert_eq!(
        (two.state.as_str(), two.verdict.as_deref()),
        ("failed", Some("differs"))
    );
    assert!(two.diff.contains("+b"));

    // A later filtered run updates only the scenarios it played.
    record(&ws, &[("s-two", "same")]);
    assert_eq!(status_of(&ws, "server/TestA").0, Status::Mapped);
    assert_eq!(status_of(&ws, "server/TestB").0, Status::Mapped);

    // Editing a scenario makes its result stale until it is played again.
    ws.write(
        "harness/scenarios/claims.toml",
        &CLAIMING.replace(
            "{ sleep = 1 }]\n\n[[scenario]]",
            "{ sleep = 2 }]\n\n[[scenario]]",
        ),
    );
    assert_eq!(
        status_of(&ws, "server/TestA"),
        (Status::Failing, vec!["s-one not run".to_string()])
    );
    let p = load(&ws.layout(), "v2.15", &Junit::None).expect("load");
    assert_eq!(
        p.scenarios
            .iter()
            .find(|s| s.name == "s-one")
            .map(|s| s.state.as_str()),
        Some("stale")
    );

    // The database records the claimant's kind.
    let conn = rusqlite::Connection::open(ws.layout().db_file()).expect("open");
    let kinds: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM claimants WHERE kind = 'scenario'",
            [],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(kinds, 2);
}

#[test]
fn broken_scenario_files_are_problems_with_their_line() {
    let ws = Ws::new();
    ws.write("harness/scenarios/a.toml", "[[scenario]]\nname = \"dup\"\nabout = \"x\"\ngo = [\"server/TestNope\"]\nsteps = [{ sleep = 1 }]\n");
    ws.write(
        "harness/scenarios/b.toml",
        "[[scenario]]\nname = \"dup\"\nabout = \"x\"\nsteps = [{ sleep = 1 }]\n",
    );
    ws.write(
        "harness/scenarios/c.toml",
        "[[scenario]]\nname = \"c\"\nabout = \"x\"\nsteps = [\n  { open = \"a\" \n]\n",
    );
    ws.write(
        "harness/scenarios/known-differences.tsv",
        "name\treason\nghost\tno such scenario\n",
    );
    let p = load(&ws.layout(), "v2.15", &Junit::None).expect("load");
    let text: Vec<String> = p.problems.iter().map(|e| e.to_string()).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("harness/scenarios/b.toml:2: scenario `dup` is also defined at harness/scenarios/a.toml:2"), "{text:?}");
    assert!(has("harness/scenarios/c.toml:"), "{text:?}");
    assert!(
        has("harness/scenarios/known-differences.tsv:2: no scenario `ghost`"),
        "{text:?}"
    );
    assert!(
        has("harness/scenarios/a.toml:4: claim by `dup`: no Go test `server/TestNope`"),
        "{text:?}"
    );
}

fn args(filter: Option<&str>) -> RunArgs {
    RunArgs {
        which: Which::Both,
        filter: filter.map(str::to_string),
        backend: BackendKind::Process,
        jobs: 2,
        release: false,
        verbose: false,
        record: false,
    }
}

#[test]
fn run_refuses_broken_files_and_empty_selections() {
    let ws = Ws::new();
    ws.write(
        "harness/scenarios/bad.toml",
        "[[scenario]]\nname = \"x\"\nabout = \"x\"\nsteps = [{ open = \"a\", lien = 1 }]\n",
    );
    let e = format!(
        "{:#}",
        command::run(&ws.layout(), &args(None)).expect_err("refused")
    );
    assert!(
        e.contains("harness/scenarios/bad.toml:4:") && e.contains("lien"),
        "{e}"
    );
    ws.write(
        "harness/scenarios/bad.toml",
        "[[scenario]]\nname = \"x\"\nabout = \"x\"\nsteps = [{ sleep = 1 }]\n",
    );
    let e = format!(
        "{:#}",
        command::run(&ws.layout(), &args(Some("zzz"))).expect_err("refused")
    );
    assert!(e.contains("no scenario matches \"zzz\""), "{e}");
}

/// The scenarios played against both servers below.
const SMALL: &str = r#"
[[scenario]]
name = "basic"
about = "pub/sub on one connection"
steps = [
  { open = "a" },
  { recv = "a", info = true },
  { send = "a", lines = ['CONNECT {"verbose":false}', "SUB foo 1", "PUB foo 5", "hello", "PING"] },
  { recv = "a", msg = "MSG foo 1 5", data = "hello" },
  { recv = "a", line = "PONG" },
]

[[scenario]]
name = "deliberate"
about = "only a server built with Go says so in INFO"
steps = [
  { open = "a" },
  { recv = "a", match = 'INFO \{.*"go":"go1\..*' },
]

[[scenario]]
name = "wrong"
about = "expects what no server sends"
steps = [
  { open = "a" },
  { recv = "a", info = true },
  { send = "a", lines = ["PING"] },
  { recv = "a", line = "NOPE" },
]
"#;

#[test]
fn small_scenarios_against_both_servers() {
    let (Some(go), Some(rust)) = (
        go_server("small_scenarios_against_both_servers"),
        rnats_server("small_scenarios_against_both_servers"),
    ) else {
        return;
    };
    let scenarios = parse(SMALL, "small.toml").expect("parse");
    let cfg = SuiteConfig {
        servers: vec![(ServerKind::Go, go), (ServerKind::Rust, rust)],
        backend: BackendKind::Process,
        jobs: 3,
        known: HashMap::new(),
    };
    let out = suite::run(&scenarios, &cfg, &|_| {});
    let by = |n: &str| out.iter().find(|o| o.name == n).expect("outcome");

    let basic = by("basic");
    assert_eq!(
        basic.verdict,
        Verdict::Same,
        "{}\n{}",
        basic.detail,
        basic.diff
    );
    assert_eq!(basic.sides.len(), 2);
    assert_eq!(basic.sides[0].transcript, basic.sides[1].transcript);
    assert!(basic.sides[0]
        .transcript
        .iter()
        .any(|l| l == "a< MSG foo 1 5 \"hello\""));

    // An expectation only the Go server meets is caught, with a diff ending in the reason.
    let d = by("deliberate");
    assert_eq!(d.verdict, Verdict::Differs, "{}", d.detail);
    assert!(
        d.detail.starts_with("rnats: step 2 (small.toml:"),
        "{}",
        d.detail
    );
    assert!(
        d.diff.starts_with("--- go\n+++ rnats\n") && d.diff.contains("\n+!! step 2"),
        "{}",
        d.diff
    );

    // An expectation the Go server misses makes the scenario itself wrong.
    let w = by("wrong");
    assert_eq!(w.verdict, Verdict::Error);
    assert!(w.detail.contains("fails on the Go server"), "{}", w.detail);
}

#[test]
fn monitoring_and_restart_against_the_go_server() {
    let Some(go) = go_server("monitoring_and_restart_against_the_go_server") else {
        return;
    };
    let text = r#"
[[scenario]]
name = "varz"
about = "monitoring shape and a restart on the same ports"
monitor = true
steps = [
  { http = "/varz" },
  { http = "/no/such/page", status = 404 },
  { open = "a" },
  { recv = "a", info = true },
  { restart = true },
  { recv = "a", closed = true },
  { open = "b" },
  { recv = "b", info = true },
  { http = "/varz" },
]
"#;
    let sc = parse(text, "m.toml").expect("parse");
    let cfg = SuiteConfig {
        servers: vec![(ServerKind::Go, go)],
        backend: BackendKind::Process,
        jobs: 1,
        known: HashMap::new(),
    };
    let out = suite::run(&sc, &cfg, &|_| {});
    let o = &out[0];
    assert_eq!(
        o.verdict,
        Verdict::Passed,
        "{}\n{:?}",
        o.detail,
        o.sides[0].transcript
    );
    let t = &o.sides[0].transcript;
    assert!(t.contains(&"http: GET /varz -> 200".to_string()), "{t:?}");
    assert!(t.contains(&"http< .server_id: string".to_string()), "{t:?}");
    assert!(
        t.contains(&"http: GET /no/such/page -> 404".to_string()),
        "{t:?}"
    );
    assert!(t.contains(&"server: restarted".to_string()), "{t:?}");
    assert_eq!(
        t.iter()
            .filter(|l| l.as_str() == "http: GET /varz -> 200")
            .count(),
        2
    );
}

#[test]
fn bench_smoke_with_tiny_counts() {
    let (Some(go), Some(rust)) = (
        go_server("bench_smoke_with_tiny_counts"),
        rnats_server("bench_smoke_with_tiny_counts"),
    ) else {
        return;
    };
    let cfg = harness::bench::BenchConfig {
        go_bin: go,
        rust_bin: rust,
        scale: 0.0001,
        runs: 1,
        filter: Some("pub-only".into()),
    };
    let rows = harness::bench::run(&cfg, |_| {}).expect("bench runs");
    assert_eq!(rows.len(), harness::bench::SIZES.len());
    let meta = harness::bench::BenchMeta {
        recorded_at: "2026-01-01T00:00:00Z".into(),
        commit: "abc".into(),
        go_version: "v2.15.1".into(),
        rust_version: "v2.15.1".into(),
        sink_msgs_per_sec: Some(1.0),
    };
    let v = harness::bench::to_json(&cfg, &rows, &meta);
    assert_eq!(v["format"], 1);
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    for r in results {
        assert_eq!(r["workload"], "pub-only");
        assert_eq!(r["metric"], "msgs_per_sec");
        assert!(r["go"].as_f64().is_some_and(|x| x > 0.0), "{r}");
        assert!(r["ratio"].as_f64().is_some_and(|x| x > 0.0), "{r}");
    }
}

#[test]
fn bench_measures_idle_connection_memory_and_the_load_generator_ceiling() {
    let (Some(go), Some(rust)) = (
        go_server("bench_measures_idle_connection_memory"),
        rnats_server("bench_measures_idle_connection_memory"),
    ) else {
        return;
    };
    let cfg = harness::bench::BenchConfig {
        go_bin: go,
        rust_bin: rust,
        scale: 0.0001,
        runs: 1,
        filter: Some("idle".into()),
    };
    let rows = harness::bench::run(&cfg, |_| {}).expect("bench runs");
    assert_eq!(rows.len(), 1);
    for o in [&rows[0].go, &rows[0].rust] {
        match o {
            harness::bench::load::Outcome::Memory { rss_kib } => {
                assert!(*rss_kib > 1024, "{rss_kib} KiB")
            }
            other => panic!("expected a memory outcome, got {other}"),
        }
    }
    let sink = harness::bench::load::sink_rate(16, 20_000).expect("sink");
    assert!(sink > 0.0);
}
