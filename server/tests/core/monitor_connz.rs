//! `/connz` on a single server, ported from Go's monitor_test.go: connection details, subscriptions,
//! paging (offset/limit, overflow), lookup by name, RTT and last activity.

use std::time::Duration;

use crate::monitor_common::*;
use crate::support::*;

// go: server/TestMonitorConnz
#[tokio::test]
async fn connz_describes_a_client_connection() {
    let (h, m) = mon_server().await;
    let v = get_json(m, "/connz").await;
    assert_eq!(
        (v["num_connections"].as_u64(), v["total"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(conns(&v).len(), 0);

    let c = sub_pub_client(&h).await;
    let v = get_json(m, "/connz?auth=1").await;
    assert_eq!(v["num_connections"], 1);
    assert_eq!(v["total"], 1);
    assert_eq!(v["limit"], 1024);
    assert_eq!(v["offset"], 0);
    let ci = &conns(&v)[0];
    assert_ne!(ci["cid"], 0);
    assert_eq!(ci["ip"], "127.0.0.1");
    assert_ne!(ci["port"], 0);
    assert_eq!(ci["subscriptions"], 0);
    assert!(ci.get("subscriptions_list").is_none(), "{ci}");
    assert!(ci.get("subscriptions_list_detail").is_none(), "{ci}");
    assert_eq!(
        (
            &ci["in_msgs"],
            &ci["out_msgs"],
            &ci["in_bytes"],
            &ci["out_bytes"]
        ),
        (&1.into(), &1.into(), &5.into(), &5.into())
    );
    let start = ts_nanos(ci["start"].as_str().unwrap());
    let last = ts_nanos(ci["last_activity"].as_str().unwrap());
    assert!(start > 0 && last >= start, "{ci}");
    assert_ne!(ci["uptime"], "");
    assert_ne!(ci["idle"], "");
    // The RTT is estimated from the CONNECT already.
    assert!(go_dur_nanos(ci["rtt"].as_str().expect("rtt")) > 0.0, "{ci}");
    drop(c);
    wait_for("client gone", || h.num_clients() == 0).await;
    let v = get_json(m, "/connz").await;
    assert_eq!(v["num_connections"], 0);
    h.shutdown().await;
}

// go: server/TestMonitorConnzWithSubs
// go: server/TestMonitorConnzWithSubsDetail
#[tokio::test]
async fn connz_lists_subscriptions_plain_and_detailed() {
    let (h, m) = mon_server().await;
    let mut c = sub_pub_client(&h).await;
    c.send(b"SUB hello.foo 7\r\n").await;
    sync(&mut c).await;
    let v = get_json(m, "/connz?subs=1").await;
    let ci = &conns(&v)[0];
    assert_eq!(ci["subscriptions_list"], serde_json::json!(["hello.foo"]));
    assert!(ci.get("subscriptions_list_detail").is_none());
    let v = get_json(m, "/connz?subs=detail").await;
    let ci = &conns(&v)[0];
    let d = ci["subscriptions_list_detail"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{ci}");
    assert_eq!(d[0]["subject"], "hello.foo");
    assert_eq!(d[0]["sid"], "7");
    assert_eq!(d[0]["cid"], ci["cid"]);
    assert!(ci.get("subscriptions_list").is_none());
    h.shutdown().await;
}

// go: server/TestMonitorConnzWithOffsetAndLimit
#[tokio::test]
async fn connz_offset_and_limit_page_the_list() {
    let (h, m) = mon_server().await;
    let v = get_json(m, "/connz?offset=1&limit=1").await;
    assert_eq!(v["connections"], serde_json::json!([]));
    let v = get_json(m, "/connz?offset=-1&limit=-1").await;
    assert_eq!(v["connections"], serde_json::json!([]));
    assert_eq!(
        (v["offset"].as_i64(), v["limit"].as_i64()),
        (Some(0), Some(1024))
    );

    let _c1 = sub_pub_client(&h).await;
    let _c2 = sub_pub_client(&h).await;
    let v = get_json(m, "/connz?offset=1&limit=1").await;
    assert_eq!(
        (v["offset"].as_i64(), v["limit"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(conns(&v).len(), 1);
    assert_eq!(v["num_connections"], 1);
    assert_eq!(v["total"], 2);
    assert_eq!(conns(&v)[0]["cid"], 2);
    let v = get_json(m, "/connz?offset=2&limit=1").await;
    assert_eq!(
        (v["offset"].as_i64(), v["limit"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(conns(&v).len(), 0);
    assert_eq!(v["num_connections"], 0);
    assert_eq!(v["total"], 2);
    h.shutdown().await;
}

// go: server/TestMonitorConnzOffsetOverflow
#[tokio::test]
async fn connz_offset_near_the_integer_limit_is_an_empty_page() {
    let (h, m) = mon_server().await;
    let _c = sub_pub_client(&h).await;
    let max = i64::MAX;
    for q in [
        format!("offset={max}&limit=1"),
        format!("offset={max}&limit={max}"),
    ] {
        let v = get_json(m, &format!("/connz?{q}")).await;
        assert_eq!(v["connections"], serde_json::json!([]), "{q}");
        assert_eq!(v["num_connections"], 0, "{q}");
        assert_eq!(v["total"], 1, "{q}");
    }
    h.shutdown().await;
}

// go: server/TestMonitorConnzWithNamedClient
#[tokio::test]
async fn connz_shows_the_client_name() {
    let (h, m) = mon_server().await;
    let _c = named_client(&h, "test-client").await;
    let v = get_json(m, "/connz").await;
    assert_eq!(conns(&v).len(), 1);
    assert_eq!(conns(&v)[0]["name"], "test-client");
    h.shutdown().await;
}

// go: server/TestMonitorConnzRTT
#[tokio::test]
async fn connz_rtt_is_measured_from_a_server_ping() {
    let mut o = mon_opts();
    // A short ping interval makes the server PING (and so measure the RTT) while the test watches.
    o.ping_interval = Duration::from_millis(200);
    let h = start(o).await;
    let m = h.monitor_addr().unwrap();
    let mut c = named_client(&h, "rtt").await;
    let v = get_json(m, "/connz").await;
    assert_eq!(v["num_connections"], 1);
    // Answer the server's PING, then the RTT is a real round trip.
    c.expect_line("a server PING", |l| l == "PING\r\n").await;
    c.send(b"PONG\r\n").await;
    sync(&mut c).await;
    let v = get_json(m, "/connz").await;
    let rtt = conns(&v)[0]["rtt"].as_str().expect("rtt").to_string();
    let ns = go_dur_nanos(&rtt);
    assert!((100.0..5e9).contains(&ns), "RTT {rtt}");
    h.shutdown().await;
}

// go: server/TestMonitorConnzLastActivity
#[tokio::test]
async fn connz_last_activity_follows_sub_pub_delivery_and_unsub() {
    let (h, m) = mon_server().await;
    let mut foo = named_client(&h, "foo").await;
    let mut bar = named_client(&h, "bar").await;
    let last = |v: &serde_json::Value, name: &str| -> i128 {
        let c = conns(v);
        let ci = c.iter().find(|c| c["name"] == name).expect("named conn");
        ts_nanos(ci["last_activity"].as_str().unwrap())
    };
    let v = get_json(m, "/connz?subs=1").await;
    let (mut foo_la, bar_la) = (last(&v, "foo"), last(&v, "bar"));
    assert!(foo_la > 0 && bar_la > 0);
    assert!(foo_la <= bar_la, "foo is older than bar");
    // The clock must move between activities for the change to show.
    let tick = || tokio::time::sleep(Duration::from_millis(5));

    tick().await;
    foo.send(b"SUB hello.world 1\r\n").await;
    sync(&mut foo).await;
    let v = get_json(m, "/connz?subs=1").await;
    assert_ne!(last(&v, "foo"), foo_la, "SUB updates last activity");
    foo_la = last(&v, "foo");

    tick().await;
    bar.send(b"PUB hello.world 5\r\nHello\r\n").await;
    sync(&mut bar).await;
    expect_lines(&mut foo, &["MSG hello.world 1 5", "Hello"]).await;
    let v = get_json(m, "/connz?subs=1").await;
    assert_ne!(last(&v, "bar"), bar_la, "PUB updates last activity");
    assert_ne!(last(&v, "foo"), foo_la, "delivery updates last activity");
    foo_la = last(&v, "foo");

    tick().await;
    foo.send(b"UNSUB 1\r\n").await;
    sync(&mut foo).await;
    let v = get_json(m, "/connz?subs=1").await;
    assert_ne!(last(&v, "foo"), foo_la, "UNSUB updates last activity");
    h.shutdown().await;
}

// go: server/TestMonitorServerIDs
#[tokio::test]
async fn varz_connz_and_routez_report_the_same_server_id() {
    let (h, m) = mon_server().await;
    let v = get_json(m, "/varz").await;
    let c = get_json(m, "/connz").await;
    let r = get_json(m, "/routez").await;
    let id = v["server_id"].as_str().unwrap();
    assert!(!id.is_empty());
    assert_eq!(c["server_id"], id);
    assert_eq!(r["server_id"], id);
    h.shutdown().await;
}
