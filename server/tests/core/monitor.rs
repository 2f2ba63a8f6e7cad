//! HTTP monitoring: endpoints, query errors, and JSON shapes compared with the Go server's.

use std::collections::BTreeSet;

use crate::support::*;
use server::Options;

fn mon_opts() -> Options {
    Options {
        http_port: -1,
        ..Options::for_test()
    }
}

/// Every key path of a JSON value (objects recursively; arrays by the union of their elements).
fn key_paths(v: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{prefix}.{k}");
                out.insert(p.clone());
                key_paths(v, &p, out);
            }
        }
        serde_json::Value::Array(a) => {
            for item in a {
                key_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn keys(body: &str) -> BTreeSet<String> {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("bad JSON ({e}): {body}"));
    let mut out = BTreeSet::new();
    key_paths(&v, "", &mut out);
    out
}

#[tokio::test]
async fn json_shapes_match_the_go_server() {
    let go = GoServer::start(&["-m", "-1"]).await;
    // Like the Go server started without options, with a system account (/varz names it).
    let h = start(server::Options {
        no_system_account: false,
        ..mon_opts()
    })
    .await;
    let ours = h.monitor_addr().unwrap();
    let theirs = go.monitor.expect("Go monitoring port");
    // One client with subscriptions on each, so /connz has a connection to describe.
    let mut a = Raw::quiet(&h).await;
    a.send(b"SUB foo 1\r\nSUB bar q 2\r\nPING\r\n").await;
    a.expect(b"PONG\r\n").await;
    let mut b = tokio::net::TcpStream::connect(go.client).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut b,
        b"CONNECT {\"verbose\":false,\"name\":\"n\"}\r\nSUB foo 1\r\nSUB bar q 2\r\nPING\r\n",
    )
    .await
    .unwrap();
    let mut a2 = Raw::connected(&h, r#"{"verbose":false,"name":"n"}"#).await;
    a2.send(b"SUB foo 1\r\nSUB bar q 2\r\nPING\r\n").await;
    a2.expect(b"PONG\r\n").await;
    drop(a);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for path in [
        "/varz",
        "/connz",
        "/connz?subs=detail",
        "/connz?subs=1",
        "/routez",
        "/gatewayz",
        "/leafz",
        "/jsz",
        "/healthz",
        "/accstatz",
        "/subsz",
    ] {
        let (gs, gh, gb) = http_get(theirs, path).await;
        let (rs, rh, rb) = http_get(ours, path).await;
        assert_eq!(rs, gs, "{path}: status");
        assert!(
            rh.contains(&"content-type: application/json".to_string()),
            "{path}: {rh:?}"
        );
        assert!(
            gh.contains(&"access-control-allow-origin: *".to_string())
                == rh.contains(&"access-control-allow-origin: *".to_string())
        );
        assert_eq!(
            keys(&rb),
            keys(&gb),
            "{path}: JSON key sets differ\nrnats: {rb}\ngo: {gb}"
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_and_unknown_paths_answer_like_go() {
    let go = GoServer::start(&["-m", "-1"]).await;
    let h = start(mon_opts()).await;
    let (ours, theirs) = (h.monitor_addr().unwrap(), go.monitor.unwrap());
    for path in [
        "/connz?limit=x",
        "/connz?sort=foo",
        "/connz?sort=stop",
        "/connz?auth=maybe",
        "/connz?cid=-1",
        "/subsz?test=foo.*",
        "/nope",
        "/varz/extra",
        "/healthz",
    ] {
        let (gs, _, gb) = http_get(theirs, path).await;
        let (rs, _, rb) = http_get(ours, path).await;
        assert_eq!((rs, rb.as_str()), (gs, gb.as_str()), "{path}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn connz_reports_clients_sorted_paged_and_closed() {
    let h = start(mon_opts()).await;
    let m = h.monitor_addr().unwrap();
    let mut c1 = Raw::connected(
        &h,
        r#"{"verbose":false,"name":"one","lang":"rust","version":"1.2"}"#,
    )
    .await;
    c1.send(b"SUB foo 1\r\nSUB bar 2\r\nPUB foo 2\r\nok\r\nPING\r\n")
        .await;
    c1.expect(b"MSG foo 1 2\r\nok\r\nPONG\r\n").await;
    let mut c2 = Raw::quiet(&h).await;
    c2.send(b"SUB baz 1\r\nPING\r\n").await;
    c2.expect(b"PONG\r\n").await;

    let (_, _, body) = http_get(m, "/connz?subs=detail").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["num_connections"], 2);
    assert_eq!(v["total"], 2);
    assert_eq!(v["limit"], 1024);
    let first = &v["connections"][0];
    assert_eq!(first["name"], "one");
    assert_eq!(first["lang"], "rust");
    assert_eq!(first["version"], "1.2");
    assert_eq!(first["subscriptions"], 2);
    assert_eq!(first["in_msgs"], 1);
    assert_eq!(first["out_msgs"], 1);
    assert_eq!(
        first["subscriptions_list_detail"].as_array().unwrap().len(),
        2
    );

    let (_, _, body) = http_get(m, "/connz?sort=subs&limit=1").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["num_connections"], 1);
    assert_eq!(v["total"], 2);
    assert_eq!(v["connections"][0]["subscriptions"], 2);

    drop(c1);
    wait_for("closed", || h.num_clients() == 1).await;
    let (_, _, body) = http_get(m, "/connz?state=closed").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["num_connections"], 1);
    assert_eq!(v["connections"][0]["reason"], "Client Closed");
    assert!(v["connections"][0]["stop"].is_string());
    let (_, _, body) = http_get(m, "/varz").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["connections"], 1);
    assert_eq!(v["in_msgs"], 1);
    assert_eq!(v["http_req_stats"]["/connz"], 3);
    h.shutdown().await;
}

#[tokio::test]
async fn metrics_endpoint_is_valid_prometheus_text() {
    let h = start(mon_opts()).await;
    let mut c = Raw::quiet(&h).await;
    c.send(b"SUB foo 1\r\nPUB foo 2\r\nok\r\n").await;
    c.expect(b"MSG foo 1 2\r\nok\r\n").await;
    let (status, headers, body) = http_get(h.monitor_addr().unwrap(), "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("content-type: text/plain; version=0.0.4")),
        "{headers:?}"
    );
    // Every sample line: a metric name, a label set, a number; every family has HELP and TYPE lines.
    let mut families = 0;
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            families += 1;
            assert!(
                rest.ends_with(" gauge") || rest.ends_with(" counter"),
                "{line}"
            );
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (name_labels, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("bad sample {line:?}"));
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("bad value in {line:?}"));
        let name = name_labels.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad name {name}"
        );
        assert!(
            name_labels.ends_with(&format!("{{server_id=\"{}\"}}", h.shared.id)),
            "{line}"
        );
    }
    assert!(families > 40, "only {families} metric families");
    assert!(body.contains("gnatsd_varz_in_msgs{"), "{body}");
    assert!(body.contains("gnatsd_connz_num_connections{"));
    assert!(body.contains("gnatsd_subsz_num_subscriptions{"));
    h.shutdown().await;
}

// go: server/TestMonitorNoPort
#[tokio::test]
async fn no_monitoring_listener_without_http_port() {
    let h = start_default().await;
    assert!(h.monitor_addr().is_none());
    h.shutdown().await;
}

// go: server/TestMonitorHTTPBasePath
#[tokio::test]
async fn base_path_prefixes_every_endpoint() {
    let h = start(Options {
        http_base_path: "/nats".into(),
        ..mon_opts()
    })
    .await;
    let m = h.monitor_addr().unwrap();
    let (status, headers, body) = http_get(m, "/nats").await;
    assert_eq!(status, 200);
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("content-type: text/html")),
        "{headers:?}"
    );
    assert!(body.contains("varz"));
    assert_eq!(http_get(m, "/nats/varz").await.0, 200);
    assert_eq!(http_get(m, "/varz").await.0, 404);
    h.shutdown().await;
}

// go: server/TestMonitorConnzBadParams
#[tokio::test]
async fn connz_bad_parameters_are_400_text() {
    let h = start(mon_opts()).await;
    let m = h.monitor_addr().unwrap();
    for q in [
        "auth=xxx",
        "subs=xxx",
        "offset=xxx",
        "limit=xxx",
        "state=xxx",
    ] {
        let (status, headers, _) = http_get(m, &format!("/connz?{q}")).await;
        assert_eq!(status, 400, "{q}");
        assert!(
            headers
                .iter()
                .any(|h| h == "content-type: text/plain; charset=utf-8"),
            "{q}: {headers:?}"
        );
    }
    h.shutdown().await;
}

// go: server/TestMonitorHealthzStatusOK
#[tokio::test]
async fn healthz_is_ok() {
    let h = start(mon_opts()).await;
    let (status, _, body) = http_get(h.monitor_addr().unwrap(), "/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"status":"ok"}"#);
    h.shutdown().await;
}

// go: server/TestMonitorConnzWithCID
#[tokio::test]
async fn connz_by_cid_returns_one_connection() {
    let h = start(mon_opts()).await;
    let m = h.monitor_addr().unwrap();
    let mut conns = Vec::new();
    for i in 1..=10 {
        let mut r = Raw::quiet(&h).await;
        if i == 5 {
            r.send(b"SUB hello.foo 1\r\nSUB hello.bar 2\r\nPING\r\n")
                .await;
            r.expect(b"PONG\r\n").await;
        }
        conns.push(r);
    }
    let (_, _, body) = http_get(m, "/connz?cid=5").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["num_connections"], 1);
    assert_eq!(v["connections"][0]["cid"], 5);
    assert_eq!(v["connections"][0]["subscriptions"], 2);
    let (_, _, body) = http_get(m, "/connz?cid=100").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["num_connections"], 0);
    assert_eq!(v["connections"].as_array().unwrap().len(), 0);
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortBadRequest
// go: server/TestMonitorConnzSortedByStopOnOpen
// go: server/TestMonitorConnzSortedByReasonOnOpen
#[tokio::test]
async fn connz_sort_errors() {
    let h = start(mon_opts()).await;
    let m = h.monitor_addr().unwrap();
    let _c = Raw::quiet(&h).await;
    let (status, _, body) = http_get(m, "/connz?sort=foo").await;
    assert_eq!(
        (status, body.as_str()),
        (400, "invalid sorting option: foo")
    );
    let (status, _, body) = http_get(m, "/connz?sort=stop").await;
    assert_eq!(
        (status, body.as_str()),
        (400, "sort by stop only valid on closed connections")
    );
    let (status, _, body) = http_get(m, "/connz?sort=reason").await;
    assert_eq!(
        (status, body.as_str()),
        (400, "sort by reason only valid on closed connections")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn connz_shows_the_authorized_user_only_with_auth() {
    let opts = Options {
        username: "alice".into(),
        password: "secret".into(),
        ..mon_opts()
    };
    let h = start(opts).await;
    let m = h.monitor_addr().unwrap();
    let mut c = Raw::connected(&h, r#"{"verbose":false,"user":"alice","pass":"secret"}"#).await;
    c.expect_open_and_idle().await;
    let (_, _, body) = http_get(m, "/connz?auth=1").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["connections"][0]["authorized_user"], "alice", "{body}");
    let (_, _, body) = http_get(m, "/connz").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["connections"][0].get("authorized_user").is_none(),
        "{body}"
    );
    drop(c);
    wait_for("closed", || h.num_clients() == 0).await;
    let (_, _, body) = http_get(m, "/connz?state=closed&auth=true").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["connections"][0]["authorized_user"], "alice", "{body}");
    h.shutdown().await;
}
