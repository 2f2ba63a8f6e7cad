//! `/subsz`, `/varz`, `/healthz`, the index page and the endpoints of subsystems this server does not run
//! (`/routez`, `/gatewayz`, `/leafz`, `/jsz`), ported from Go's monitor_test.go; and every endpoint
//! answering while clients come and go.

use serde_json::Value;

use crate::monitor_common::*;
use crate::support::*;

// go: server/TestSubsz
#[tokio::test]
async fn subsz_counts_inserts_and_matches() {
    let (h, m) = mon_server().await;
    let _c = sub_pub_client(&h).await;
    let v = get_json(m, "/subsz").await;
    assert_eq!(v["num_subscriptions"], 0);
    assert_eq!(v["num_inserts"], 1);
    assert_eq!(v["num_matches"], 1);
    assert!(v.get("subscriptions_list").is_none());
    h.shutdown().await;
}

async fn three_subs(h: &server::ServerHandle) -> Raw {
    let mut c = sub_pub_client(h).await;
    c.send(b"SUB foo.* 11\r\nSUB foo.bar 12\r\nSUB foo.foo 13\r\n")
        .await;
    c.send(b"PUB foo.bar 5\r\nHello\r\nPUB foo.baz 5\r\nHello\r\nPUB foo.foo 5\r\nHello\r\n")
        .await;
    sync_after_msgs(&mut c).await;
    c
}

/// A round trip that skips the messages delivered before it.
async fn sync_after_msgs(c: &mut Raw) {
    c.send(b"PING\r\n").await;
    for _ in 0..64 {
        if next_line(c).await == "PONG\r\n" {
            return;
        }
    }
    panic!("no PONG");
}

// go: server/TestMonitorSubszDetails
#[tokio::test]
async fn subsz_details_list_every_subscription() {
    let (h, m) = mon_server().await;
    let _c = three_subs(&h).await;
    let v = get_json(m, "/subsz?subs=1").await;
    assert_eq!(v["num_subscriptions"], 3);
    assert_eq!(v["total"], 3);
    let list = v["subscriptions_list"].as_array().expect("list");
    assert_eq!(list.len(), 3);
    let mut subjects: Vec<&str> = list
        .iter()
        .map(|s| s["subject"].as_str().unwrap())
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["foo.*", "foo.bar", "foo.foo"]);
    // Accounts are named and tagged with the global account.
    assert!(
        list.iter()
            .all(|s| s["account"] == "$G" && s["account_tag"] == "$G"),
        "{v}"
    );
    h.shutdown().await;
}

// go: server/TestMonitorSubszWithOffsetAndLimit
#[tokio::test]
async fn subsz_offset_and_limit_page_the_details() {
    let (h, m) = mon_server().await;
    let mut c = sub_pub_client(&h).await;
    let mut subs = String::new();
    for i in 0..200 {
        subs.push_str(&format!("SUB foo.{i} {}\r\n", i + 10));
    }
    c.send(subs.as_bytes()).await;
    sync(&mut c).await;
    let v = get_json(m, "/subsz?subs=1&offset=10&limit=100").await;
    assert_eq!(v["num_subscriptions"], 200);
    assert_eq!(v["total"], 200);
    assert_eq!(
        (v["offset"].as_i64(), v["limit"].as_i64()),
        (Some(10), Some(100))
    );
    assert_eq!(v["subscriptions_list"].as_array().unwrap().len(), 100);
    h.shutdown().await;
}

// go: server/TestMonitorSubszOffsetOverflow
#[tokio::test]
async fn subsz_offset_near_the_integer_limit_is_an_empty_page() {
    let (h, m) = mon_server().await;
    let _c = three_subs(&h).await;
    let max = i64::MAX;
    for q in [
        format!("offset={max}&limit=1"),
        format!("offset={max}&limit={max}"),
    ] {
        let v = get_json(m, &format!("/subsz?subs=1&{q}")).await;
        assert!(v.get("subscriptions_list").is_none(), "{q}: {v}");
        assert_eq!(v["total"], 3, "{q}");
    }
    h.shutdown().await;
}

// go: server/TestMonitorSubszTestPubSubject
#[tokio::test]
async fn subsz_test_subject_filters_and_must_be_literal() {
    let (h, m) = mon_server().await;
    let _c = three_subs(&h).await;
    let v = get_json(m, "/subsz?subs=1&test=foo.foo").await;
    assert_eq!(v["total"], 2);
    assert_eq!(v["subscriptions_list"].as_array().unwrap().len(), 2);
    let v = get_json(m, "/subsz?subs=1&test=foo").await;
    assert!(v.get("subscriptions_list").is_none(), "{v}");
    // `>` is sent percent-encoded: the HTTP parser refuses it raw in a request target.
    for (bad, sent) in [
        ("*", "*"),
        ("foo.*", "foo.*"),
        ("foo.>", "foo.%3E"),
        ("foo..bar", "foo..bar"),
    ] {
        let (status, headers, body) = http_get(m, &format!("/subsz?subs=1&test={sent}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            headers
                .iter()
                .any(|h| h.starts_with("content-type: text/plain")),
            "{bad}"
        );
        assert_eq!(
            body,
            format!("invalid test subject, must be valid publish subject: {bad}")
        );
    }
    h.shutdown().await;
}

// go: server/TestMonitorRoutezWithBadParams
#[tokio::test]
async fn routez_bad_subs_is_400() {
    let (h, m) = mon_server().await;
    let (status, headers, _) = http_get(m, "/routez?subs=xxx").await;
    assert_eq!(status, 400);
    assert!(headers
        .iter()
        .any(|h| h == "content-type: text/plain; charset=utf-8"));
    h.shutdown().await;
}

// go: server/TestMonitorHandleVarz
// go: server/TestMonitorClusterEmptyWhenNotDefined
#[tokio::test]
async fn varz_counts_a_client_message() {
    let (h, m) = mon_server().await;
    let v = get_json(m, "/varz").await;
    let start = ts_nanos(v["start"].as_str().unwrap());
    let now = ts_nanos(v["now"].as_str().unwrap());
    assert!(start <= now && now - start < 10_000_000_000, "{v}");
    assert_eq!(v["cluster"], serde_json::json!({}));
    let _c = sub_pub_client(&h).await;
    let v = get_json(m, "/varz").await;
    assert_eq!(v["connections"], 1);
    assert!(v["total_connections"].as_u64().unwrap() >= 1);
    for f in ["in_msgs", "out_msgs", "in_client_msgs", "out_client_msgs"] {
        assert_eq!(v[f], 1, "{f}");
    }
    for f in [
        "in_bytes",
        "out_bytes",
        "in_client_bytes",
        "out_client_bytes",
    ] {
        assert_eq!(v[f], 5, "{f}");
    }
    h.shutdown().await;
}

// go: server/TestMonitorVarzSubscriptionsResetProperly
#[tokio::test]
async fn varz_subscription_count_is_stable_across_polls() {
    let (h, m) = mon_server().await;
    let mut c = sub_pub_client(&h).await;
    c.send(b"SUB a 1\r\nSUB b 2\r\n").await;
    sync(&mut c).await;
    let first = get_json(m, "/varz").await["subscriptions"].clone();
    assert_eq!(first, 2);
    for _ in 0..3 {
        assert_eq!(get_json(m, "/varz").await["subscriptions"], first);
    }
    h.shutdown().await;
}

#[tokio::test]
async fn http_req_stats_count_each_endpoint_request() {
    let (h, m) = mon_server().await;
    let v = get_json(m, "/varz").await;
    // Nothing but this request is counted yet.
    assert_eq!(v["http_req_stats"], serde_json::json!({"/varz": 1}));
    for _ in 0..3 {
        get_json(m, "/connz").await;
        get_json(m, "/subsz").await;
        get_json(m, "/routez").await;
    }
    let _ = http_get(m, "/connz?limit=x").await;
    let v = get_json(m, "/varz").await;
    let stats = &v["http_req_stats"];
    assert_eq!(stats["/varz"], 2);
    assert_eq!(stats["/connz"], 4);
    assert_eq!(stats["/subsz"], 3);
    assert_eq!(stats["/routez"], 3);
    h.shutdown().await;
}

// go: server/TestMonitorHandleRoot
#[tokio::test]
async fn root_is_ascii_html() {
    let (h, m) = mon_server().await;
    let _c = sub_pub_client(&h).await;
    let (status, headers, body) = http_get(m, "/").await;
    assert_eq!(status, 200);
    assert!(body.is_ascii());
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("content-type: text/html")),
        "{headers:?}"
    );
    h.shutdown().await;
}

// go: server/TestMonitorJszNonJszServer
#[tokio::test]
async fn absent_subsystems_answer_empty_like_go() {
    let go = GoServer::start(&["-m", "-1"]).await;
    let (h, m) = mon_server().await;
    let gm = go.monitor.expect("Go monitoring port");
    let strip = |mut v: Value| {
        for k in ["server_id", "now", "server_name"] {
            if let Some(o) = v.as_object_mut() {
                o.remove(k);
            }
        }
        v
    };
    for path in [
        "/routez",
        "/gatewayz",
        "/leafz",
        "/jsz",
        "/jsz?leader-only=true",
        "/jsz?leader-only=x&direct-consumers=y",
        "/jsz?raft=1&offset=z",
    ] {
        let (gs, _, gb) = get(gm, path).await;
        let (rs, _, rb) = get(m, path).await;
        assert_eq!(rs, gs, "{path}: {rb}");
        if gs != 200 {
            assert_eq!(rb, gb, "{path}");
            continue;
        }
        let ours: Value = serde_json::from_str(&rb).unwrap();
        let theirs: Value = serde_json::from_str(&gb).unwrap();
        assert_eq!(ours["server_id"], h.shared.id.as_str(), "{path}");
        assert_eq!(strip(ours), strip(theirs), "{path}");
    }
    h.shutdown().await;
}

// go: server/TestMonitorConcurrentMonitoring
#[tokio::test]
async fn endpoints_answer_concurrently_while_clients_churn() {
    let (h, m) = mon_server().await;
    let addr = h.addr();
    let churn = tokio::spawn(async move {
        for _ in 0..40 {
            let (mut c, _) = Raw::connect_to_info(addr).await;
            c.send(b"CONNECT {\"verbose\":false}\r\nSUB x 1\r\nPUB x 2\r\nhi\r\nPING\r\n")
                .await;
            expect_lines(&mut c, &["MSG x 1 2", "hi", "PONG"]).await;
        }
    });
    let mut tasks = Vec::new();
    for ep in [
        "varz",
        "varz",
        "varz",
        "connz",
        "connz?subs=detail&state=all",
        "subsz?subs=1",
        "subsz",
        "routez",
        "routez",
    ] {
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                let (status, headers, body) = http_get(m, &format!("/{ep}")).await;
                assert_eq!(status, 200, "{ep}");
                assert!(
                    headers
                        .iter()
                        .any(|h| h == "content-type: application/json"),
                    "{ep}"
                );
                serde_json::from_str::<Value>(&body).unwrap_or_else(|e| panic!("{ep}: {e}"));
            }
        }));
    }
    for t in tasks {
        t.await.expect("monitor task");
    }
    churn.await.expect("churn task");
    h.shutdown().await;
}

#[tokio::test]
async fn raftz_ipqueuesz_stacksz_and_debug_vars() {
    let mut o = server::Options::for_test();
    o.http_port = -1;
    let h = start(o).await;
    let (_c, _) = Raw::connect(&h).await;
    let m = h.monitor_addr().unwrap();
    let (status, _, body) = http_get(m, "/raftz").await;
    assert_eq!((status, body.as_str()), (404, "No Raft nodes registered"));
    let (status, _, body) = http_get(m, "/ipqueuesz").await;
    assert_eq!((status, body.as_str()), (200, "{}"));
    let (status, _, body) = http_get(m, "/stacksz").await;
    assert_eq!(status, 200);
    assert!(body.contains("task session cid:"), "{body}");
    let (status, _, body) = http_get(m, "/debug/vars").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["cmdline"].is_array() && v["memstats"]["HeapAlloc"].is_number(),
        "{body}"
    );
    h.shutdown().await;
}
