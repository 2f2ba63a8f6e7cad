//! The report in headless Chromium: the page loads from disk with no network, the table holds
//! one row per Go test, and the filter, status and category selectors and sorting work through
//! the page's own event handlers. A missing Chromium fails the test and says what to install.

use crate::support::Ws;
use harness::load::{load, Junit, Parity};
use harness::report;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("HARNESS_CHROMIUM") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "HARNESS_CHROMIUM={} does not exist: install Chromium with `apt-get install -y chromium` \
             (Debian) or point HARNESS_CHROMIUM at a Chromium/Chrome binary",
            p.display()
        );
        return p;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "Chromium is not installed, so the report cannot be checked in a browser: \
         install it with `apt-get install -y chromium` (Debian), or point HARNESS_CHROMIUM at a \
         Chromium/Chrome binary"
    );
}

/// Loads `check.html` (which frames `index.html`) and returns the text its script wrote.
fn run_check(dir: &Path, script: &str) -> String {
    let page = format!(
        "<!DOCTYPE html><html><body><pre id=\"out\">pending</pre>\
         <iframe id=\"f\" src=\"index.html\" style=\"width:1400px;height:900px\"></iframe>\
         <script>document.getElementById('f').addEventListener('load', function () {{\
         var out = [], d = this.contentDocument, w = this.contentWindow;\
         try {{ {script} }} catch (e) {{ out.push('error=' + e); }}\
         document.getElementById('out').textContent = out.join(' ');\
         }});</script></body></html>"
    );
    std::fs::write(dir.join("check.html"), page).expect("write check page");
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", dir.join("check.html").display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match child.try_wait().expect("wait chromium") {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 120 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let out = child.wait_with_output().expect("chromium output");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = dom
        .find("<pre id=\"out\">")
        .unwrap_or_else(|| panic!("no result in DOM:\n{dom}"));
    let rest = &dom[start + "<pre id=\"out\">".len()..];
    rest[..rest.find("</pre>").expect("closing pre")].to_string()
}

fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.split(' ')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no `{name}` in `{out}`"))
}

fn report_of(ws: &Ws) -> (Parity, tempfile::TempDir) {
    let parity = load(&ws.layout(), "v2.15", &Junit::None).expect("load");
    let out = tempfile::tempdir().expect("out dir");
    report::write(
        &ws.layout(),
        &parity,
        out.path(),
        "abc123",
        "2026-01-01T00:00:00Z",
    )
    .expect("write report");
    (parity, out)
}

#[test]
fn report_table_filter_and_sort_in_chromium() {
    let ws = Ws::new();
    ws.write(
        "server/src/sub.rs",
        "// go: server/TestA\n#[test]\nfn a() {}\n// go: server/TestB\n#[test]\nfn b() {}\n",
    );
    ws.write(
        "parity-db/not_applicable.tsv",
        "key\treason\nconf/TestLex\tGo-only <lexer> internals\n",
    );
    ws.write(
        "harness/scenarios/s.toml",
        "[[scenario]]\nname = \"pub-sub\"\nabout = \"a <b>message</b> arrives\"\nsteps = [{ sleep = 1 }]\n\n\
         [[scenario]]\nname = \"never-played\"\nabout = \"x\"\nsteps = [{ sleep = 1 }]\n",
    );
    {
        let corpus = harness::scenario::Corpus::load(&ws.layout());
        let s = &corpus.scenarios[0];
        let mut notes = Vec::new();
        let mut db = harness::db::Db::open(&ws.layout().db_file(), &mut notes).expect("db");
        db.record_scenario_run(
            "2026-01-01T00:00:00Z",
            "abc",
            "v2.15.1",
            "v2.15.1",
            "process",
            &[harness::db::ScenarioRecord {
                name: s.name.clone(),
                file: s.file.clone(),
                fingerprint: s.fingerprint.clone(),
                verdict: "differs".into(),
                detail: "rnats: step 1".into(),
                diff: "--- go\n+++ rnats\n-a< PONG\n+a< <PING>\n".into(),
                seconds: 0.1,
            }],
        )
        .expect("record");
    }
    ws.write(
        "reports/bench.json",
        r#"{"format":1,"recorded_at":"2026-01-01T00:00:00Z","commit":"abc","machine":{"cpus":2},
            "go":{"path":"/go","version":"v2.15.1"},"rnats":{"path":"/r","version":"v2.15.1"},"runs":3,
            "results":[{"workload":"pub-only","size":16,"metric":"msgs_per_sec","go":1000000.0,"rnats":2000000.0,"ratio":2.0},
                       {"workload":"request-reply","size":16,"metric":"p99_us","go":90,"rnats":120,"go_p50_us":40,"rnats_p50_us":50,"ratio":0.75}]}"#,
    );
    let junit = ws.root().join("j.xml");
    std::fs::write(
        &junit,
        crate::support::junit(&[
            ("server", "sub::a", "passed"),
            ("server", "sub::b", "failed"),
        ]),
    )
    .expect("junit");
    load(&ws.layout(), "v2.15", &Junit::File(junit)).expect("record");
    let (parity, out) = report_of(&ws);
    let html = std::fs::read_to_string(out.path().join("index.html")).expect("html");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network assets"
    );
    assert!(html.contains("id=\"scenarios\"") && html.contains("data-scenario=\"pub-sub\""));
    assert!(
        html.contains("a &lt;b&gt;message&lt;/b&gt; arrives")
            && html.contains("+a&lt; &lt;PING&gt;"),
        "scenario text and diffs are escaped"
    );
    assert!(html.contains(
        "2 scenarios: 0 same on both servers &middot; 1 differ or fail &middot; 1 not run"
    ));
    assert!(
        html.contains("id=\"bench-chart\"") && html.contains("2.00x") && html.contains("0.75x")
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("parity.json")).expect("json"),
    )
    .expect("parse");
    assert_eq!(json["overall"]["mapped"], 1);
    assert_eq!(
        json["tests"].as_array().map(Vec::len),
        Some(parity.rows.len())
    );

    let unmapped = parity
        .rows
        .iter()
        .filter(|r| r.status.as_str() == "unmapped")
        .count();
    let result = run_check(
        out.path(),
        "function n() { return d.querySelectorAll('#tests tbody tr').length; }\
         out.push('rows=' + n());\
         out.push('headline=' + d.getElementById('headline').textContent.split(' ')[0]);\
         var q = d.getElementById('q'); q.value = 'server/TestA'; q.dispatchEvent(new Event('input'));\
         out.push('q=' + n());\
         out.push('claimant=' + encodeURIComponent(d.querySelector('#tests tbody tr td:nth-child(5)').textContent));\
         q.value = 'lexer'; q.dispatchEvent(new Event('input'));\
         out.push('reason=' + n());\
         q.value = ''; q.dispatchEvent(new Event('input'));\
         var st = d.getElementById('status'); st.value = 'unmapped'; st.dispatchEvent(new Event('change'));\
         out.push('unmapped=' + n());\
         out.push('hash=' + w.location.hash.slice(1));\
         st.value = ''; st.dispatchEvent(new Event('change'));\
         d.querySelector('#cats tr[data-cat=sublist]').click();\
         out.push('sublist=' + n());\
         d.getElementById('cat').value = ''; d.getElementById('cat').dispatchEvent(new Event('change'));\
         var th = d.querySelector('#tests th[data-key=status]');\
         th.click(); out.push('first=' + d.querySelector('#tests tbody tr td:nth-child(4)').textContent);\
         th.click(); out.push('last=' + d.querySelector('#tests tbody tr td:nth-child(4)').textContent);\
         out.push('shown=' + d.getElementById('shown').textContent.split(' ')[0]);\
         out.push('scen=' + d.querySelectorAll('#scen tr[data-scenario]').length);\
         out.push('bars=' + d.querySelectorAll('#bench-chart rect').length);\
         out.push('details=' + d.querySelectorAll('#scen details').length);",
    );
    assert!(!result.contains("error="), "{result}");
    assert_eq!(
        field(&result, "rows"),
        parity.rows.len().to_string(),
        "{result}"
    );
    assert_eq!(field(&result, "headline"), "20.00%", "{result}");
    assert_eq!(field(&result, "q"), "1", "{result}");
    assert_eq!(
        field(&result, "claimant"),
        "sub%3A%3Aa%20(server%2Fsrc%2Fsub.rs%3A3)%20passed",
        "{result}"
    );
    assert_eq!(field(&result, "reason"), "1", "{result}");
    assert_eq!(field(&result, "unmapped"), unmapped.to_string(), "{result}");
    assert_eq!(field(&result, "hash"), "status=unmapped", "{result}");
    assert_eq!(field(&result, "sublist"), "2", "{result}");
    assert_eq!(field(&result, "first"), "failing", "{result}");
    assert_eq!(field(&result, "last"), "unmapped", "{result}");
    assert_eq!(
        field(&result, "shown"),
        parity.rows.len().to_string(),
        "{result}"
    );
    assert_eq!(field(&result, "scen"), "2", "{result}");
    assert_eq!(field(&result, "bars"), "2", "{result}");
    assert_eq!(field(&result, "details"), "1", "{result}");
}

#[test]
fn full_v2_15_report_loads_every_row_in_chromium() {
    let ws = Ws::new();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../go-inventory/v2.15.tsv");
    std::fs::copy(&committed, ws.layout().inventory_file("v2.15")).expect("copy inventory");
    let (parity, out) = report_of(&ws);
    let needle = "testsublistinsertcount";
    let expected = parity
        .rows
        .iter()
        .filter(|r| r.key.to_lowercase().contains(needle))
        .count();
    assert!(expected >= 1);
    let result = run_check(
        out.path(),
        "out.push('rows=' + d.querySelectorAll('#tests tbody tr').length);\
         var q = d.getElementById('q'); q.value = 'TestSublistInsertCount'; q.dispatchEvent(new Event('input'));\
         out.push('q=' + d.querySelectorAll('#tests tbody tr').length);",
    );
    assert_eq!(
        field(&result, "rows"),
        parity.rows.len().to_string(),
        "{result}"
    );
    assert_eq!(parity.rows.len(), 4161 + 326 + 3);
    assert_eq!(field(&result, "q"), expected.to_string(), "{result}");
}
