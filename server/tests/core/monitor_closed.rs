//! Closed connections in `/connz?state=closed|all`, ported from Go's monitor_test.go and
//! closed_conns_test.go: the bounded ring, what a closed entry keeps (subscriptions, times, reason) and the
//! closed-only sort keys. The reasons are compared with the Go server's for the same misbehaviour.

use std::time::Duration;

use serde_json::Value;

use crate::monitor_common::*;
use crate::support::*;

fn cids(v: &Value) -> Vec<u64> {
    conns(v)
        .iter()
        .map(|c| c["cid"].as_u64().unwrap())
        .collect()
}

// go: server/TestMonitorClosedConnzWithSubsDetail
// go: server/TestClosedConnsSubsAccounting
#[tokio::test]
async fn closed_connection_keeps_its_subscriptions() {
    let (h, m) = mon_server().await;
    let mut c = sub_pub_client(&h).await;
    let mut subs = String::new();
    for i in 0..10 {
        subs.push_str(&format!("SUB foo.{i} {}\r\n", i + 10));
    }
    c.send(subs.as_bytes()).await;
    sync(&mut c).await;
    drop(c);
    wait_closed(m, 1).await;
    let v = get_json(m, "/connz?state=closed&subs=detail").await;
    let ci = &conns(&v)[0];
    assert_eq!(ci["subscriptions"], 10);
    let d = ci["subscriptions_list_detail"].as_array().expect("detail");
    assert_eq!(d.len(), 10, "{ci}");
    assert!(d.iter().any(|s| s["subject"] == "foo.3"));
    assert!(ci.get("subscriptions_list").is_none());
    h.shutdown().await;
}

// go: server/TestMonitorConnzWithStateForClosedConns
#[tokio::test]
async fn state_selects_open_closed_or_all() {
    let (h, m) = mon_server().await;
    let mut open = Vec::new();
    for _ in 0..10 {
        let mut c = sub_pub_client(&h).await;
        c.send(b"SUB hello.closed.conns 2\r\n").await;
        sync(&mut c).await;
        drop(c);
        let mut c = sub_pub_client(&h).await;
        c.send(b"SUB hello.open.conns 2\r\n").await;
        sync(&mut c).await;
        open.push(c);
    }
    wait_closed(m, 10).await;
    let len = |v: &Value| conns(v).len();
    assert_eq!(len(&get_json(m, "/connz?state=open").await), 10);
    assert_eq!(len(&get_json(m, "/connz?state=closed").await), 10);
    assert_eq!(len(&get_json(m, "/connz?state=ALL").await), 20);
    // Odd cids were closed, even ones are open.
    assert_eq!(len(&get_json(m, "/connz?cid=1&state=open").await), 0);
    assert_eq!(len(&get_json(m, "/connz?cid=1&state=closed").await), 1);
    assert_eq!(len(&get_json(m, "/connz?cid=1&state=ALL").await), 1);
    let v = get_json(m, "/connz?cid=1&state=closed&subs=true").await;
    let ci = &conns(&v)[0];
    assert_eq!(ci["subscriptions"], 1);
    assert_eq!(
        ci["subscriptions_list"],
        serde_json::json!(["hello.closed.conns"])
    );
    let v = get_json(m, "/connz?cid=1&state=closed&subs=false").await;
    let ci = &conns(&v)[0];
    assert_eq!(ci["subscriptions"], 1);
    assert!(ci.get("subscriptions_list").is_none(), "{ci}");
    assert_eq!(len(&get_json(m, "/connz?cid=2&state=open").await), 1);
    assert_eq!(len(&get_json(m, "/connz?cid=2&state=all").await), 1);
    assert_eq!(len(&get_json(m, "/connz?cid=2&state=closed").await), 0);
    h.shutdown().await;
}

// go: server/TestClosedConnsAccounting
#[tokio::test]
async fn closed_ring_keeps_the_newest_max_closed_clients() {
    let h = start(server::Options {
        max_closed_clients: 10,
        ..mon_opts()
    })
    .await;
    let m = h.monitor_addr().unwrap();
    drop(sub_pub_client(&h).await);
    wait_closed(m, 1).await;
    assert_eq!(cids(&get_json(m, "/connz?state=closed").await), vec![1]);
    for _ in 0..21 {
        drop(sub_pub_client(&h).await);
        // One at a time, so the ring order is the close order.
        wait_for("closed", || h.num_clients() == 0).await;
    }
    wait_closed(m, 10).await;
    let v = get_json(m, "/connz?state=closed").await;
    assert_eq!(cids(&v), (13..=22).collect::<Vec<u64>>());
    h.shutdown().await;
}

// go: server/TestMonitorConnzClosedConnsRace
// go: server/TestConnzClosedSubsDetailNoSharedMutation
#[tokio::test]
async fn concurrent_closed_queries_with_and_without_subs_agree() {
    let (h, m) = mon_server().await;
    for _ in 0..100 {
        let mut c = sub_pub_client(&h).await;
        c.send(b"SUB foo.bar 3\r\n").await;
        sync(&mut c).await;
        drop(c);
    }
    wait_closed(m, 100).await;
    let mut tasks = Vec::new();
    for (i, q) in ["subs=true", "", "subs=detail", ""].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                let v = get_json(m, &format!("/connz?state=closed&{q}")).await;
                assert_eq!(conns(&v).len(), 100, "{q}");
                for ci in conns(&v) {
                    let plain = ci.get("subscriptions_list");
                    let detail = ci.get("subscriptions_list_detail");
                    match i {
                        0 => assert!(plain.is_some() && detail.is_none(), "{q}: {ci}"),
                        2 => assert!(plain.is_none() && detail.is_some(), "{q}: {ci}"),
                        _ => assert!(plain.is_none() && detail.is_none(), "{q}: {ci}"),
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("query task");
    }
    // A detail query leaves nothing behind for a plain one.
    let v = get_json(m, "/connz?state=closed&limit=1").await;
    assert!(conns(&v)[0].get("subscriptions_list_detail").is_none());
    h.shutdown().await;
}

// go: server/TestMonitorConnzClosedConnsBadClient
#[tokio::test]
async fn a_client_gone_before_connect_has_sane_times() {
    let (h, m) = mon_server().await;
    drop(tokio::net::TcpStream::connect(h.addr()).await.unwrap());
    wait_closed(m, 1).await;
    let v = get_json(m, "/connz?state=closed").await;
    let ci = &conns(&v)[0];
    let start = ts_nanos(ci["start"].as_str().unwrap());
    let stop = ts_nanos(ci["stop"].as_str().expect("stop"));
    let last = ts_nanos(ci["last_activity"].as_str().unwrap());
    assert!(last > 0, "{ci}");
    let idle = go_dur_nanos(ci["idle"].as_str().unwrap());
    assert!(
        idle <= (stop - start) as f64,
        "idle {idle} longer than uptime: {ci}"
    );
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortedByUptimeClosedConn
#[tokio::test]
async fn closed_uptime_sort_uses_stop_minus_start() {
    let (h, m) = mon_server().await;
    // Uptimes of 100ms, 700ms and 350ms: start order and uptime order disagree.
    for ms in [100u64, 700, 350] {
        let c = sub_pub_client(&h).await;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        drop(c);
        wait_for("closed", || h.num_clients() == 0).await;
    }
    wait_closed(m, 3).await;
    let v = get_json(m, "/connz?state=closed&sort=uptime").await;
    assert_eq!(cids(&v), vec![1, 3, 2], "{v}");
    let ups: Vec<i128> = conns(&v)
        .iter()
        .map(|c| ts_nanos(c["stop"].as_str().unwrap()) - ts_nanos(c["start"].as_str().unwrap()))
        .collect();
    assert!(ups.windows(2).all(|w| w[0] <= w[1]), "{ups:?}");
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortedByStopTimeClosedConn
#[tokio::test]
async fn closed_stop_sort_puts_the_latest_close_first() {
    let (h, m) = mon_server().await;
    let mut cs: Vec<Option<Raw>> = Vec::new();
    for _ in 0..4 {
        cs.push(Some(sub_pub_client(&h).await));
    }
    for (n, i) in [3usize, 1, 4, 2].into_iter().enumerate() {
        drop(cs[i - 1].take());
        wait_for("closed", || h.num_clients() == 3 - n).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    wait_closed(m, 4).await;
    let v = get_json(m, "/connz?state=closed&sort=stop").await;
    assert_eq!(cids(&v), vec![2, 4, 1, 3], "{v}");
    h.shutdown().await;
}

/// Close connections for three different reasons, in an order that is not the reasons' order.
async fn close_for_reasons(client: std::net::SocketAddr) {
    // Maximum payload, client closed, parser error, client closed, maximum payload.
    for what in [0, 1, 2, 1, 0] {
        let (mut c, _) = Raw::connect_to_info(client).await;
        c.send(b"CONNECT {\"verbose\":false}\r\n").await;
        match what {
            0 => c.send(b"PUB foo 99999999\r\n").await,
            2 => c.send(b"XYZZY\r\n").await,
            _ => {
                c.send(b"PING\r\n").await;
                expect_lines(&mut c, &["PONG"]).await;
                drop(c);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        }
        let _ = c.drain_for(WAIT).await;
    }
}

// go: server/TestMonitorConnzSortedByReason
#[tokio::test]
async fn closed_reasons_match_go_and_sort_by_reason() {
    let go = GoServer::start(&["-m", "-1"]).await;
    let (h, m) = mon_server().await;
    let gm = go.monitor.expect("Go monitoring port");
    close_for_reasons(go.client).await;
    close_for_reasons(h.addr()).await;
    wait_closed(m, 5).await;
    wait_closed(gm, 5).await;
    let reasons = |v: &Value| -> Vec<String> {
        conns(v)
            .iter()
            .map(|c| c["reason"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let ours = get_json(m, "/connz?state=closed").await;
    let theirs = get_json(gm, "/connz?state=closed").await;
    assert_eq!(reasons(&ours), reasons(&theirs));
    let ours = reasons(&get_json(m, "/connz?state=closed&sort=reason").await);
    let mut sorted = ours.clone();
    sorted.sort();
    assert_eq!(ours, sorted);
    assert_eq!(
        ours,
        reasons(&get_json(gm, "/connz?state=closed&sort=reason").await)
    );
    h.shutdown().await;
}
