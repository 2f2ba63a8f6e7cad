//! `/connz?sort=...` on open connections, ported from Go's monitor_test.go: every sort key orders the
//! connections the way Go's `Connz` does (cid and start ascending; counters, last activity and RTT
//! descending; uptime ascending; idle time descending).

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

fn nums(v: &Value, field: &str) -> Vec<u64> {
    conns(v)
        .iter()
        .map(|c| {
            c[field]
                .as_u64()
                .unwrap_or_else(|| panic!("{field} in {c}"))
        })
        .collect()
}

fn assert_non_increasing<T: PartialOrd + std::fmt::Debug>(what: &str, xs: &[T]) {
    assert!(
        xs.windows(2).all(|w| w[0] >= w[1]),
        "{what} not descending: {xs:?}"
    );
}

fn assert_non_decreasing<T: PartialOrd + std::fmt::Debug>(what: &str, xs: &[T]) {
    assert!(
        xs.windows(2).all(|w| w[0] <= w[1]),
        "{what} not ascending: {xs:?}"
    );
}

/// Let the wall clock move so that successive activities get distinct timestamps.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}

// go: server/TestMonitorConnzDefaultSorted
// go: server/TestMonitorConnzSortedByCid
// go: server/TestMonitorConnzSortedByStart
#[tokio::test]
async fn default_cid_and_start_sorts_are_ascending_by_cid() {
    let (h, m) = mon_server().await;
    let mut keep = Vec::new();
    for _ in 0..4 {
        keep.push(sub_pub_client(&h).await);
    }
    for path in ["/connz", "/connz?sort=cid", "/connz?sort=start"] {
        let v = get_json(m, path).await;
        assert_eq!(cids(&v), vec![1, 2, 3, 4], "{path}");
        let starts: Vec<i128> = conns(&v)
            .iter()
            .map(|c| ts_nanos(c["start"].as_str().unwrap()))
            .collect();
        assert_non_decreasing(path, &starts);
    }
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortedByBytesAndMsgs
#[tokio::test]
async fn counter_sorts_put_the_busiest_connection_first() {
    let (h, m) = mon_server().await;
    let mut keep = vec![sub_pub_client(&h).await];
    let mut keep2 = Vec::new();
    for _ in 0..3 {
        keep2.push(sub_pub_client(&h).await);
    }
    // The last connection sends and receives 100 more messages than the others.
    let busy = keep2.last_mut().unwrap();
    busy.send(b"SUB foo 9\r\n").await;
    for _ in 0..100 {
        busy.send(b"PUB foo 11\r\nHello World\r\n").await;
    }
    busy.send(b"UNSUB 9\r\n").await;
    for _ in 0..100 {
        expect_lines(busy, &["MSG foo 9 11", "Hello World"]).await;
    }
    sync(busy).await;
    keep.append(&mut keep2);
    for (sort, field) in [
        ("bytes_to", "out_bytes"),
        ("msgs_to", "out_msgs"),
        ("bytes_from", "in_bytes"),
        ("msgs_from", "in_msgs"),
    ] {
        let v = get_json(m, &format!("/connz?sort={sort}")).await;
        assert_eq!(cids(&v)[0], 4, "{sort}: {v}");
        assert_non_increasing(sort, &nums(&v, field));
    }
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortedByPending
// go: server/TestMonitorConnzSortedBySubs
#[tokio::test]
async fn subs_and_pending_sorts_are_descending() {
    let (h, m) = mon_server().await;
    let mut keep = Vec::new();
    for _ in 0..4 {
        keep.push(sub_pub_client(&h).await);
    }
    // The third connection holds the most subscriptions.
    keep[2]
        .send(b"SUB hello.world 1\r\nSUB hello.other 2\r\n")
        .await;
    sync(&mut keep[2]).await;
    keep[0].send(b"SUB hello.world 1\r\n").await;
    sync(&mut keep[0]).await;
    let v = get_json(m, "/connz?sort=subs").await;
    assert_eq!(&cids(&v)[..2], &[3, 1], "{v}");
    assert_non_increasing("subs", &nums(&v, "subscriptions"));
    let v = get_json(m, "/connz?sort=pending").await;
    assert_eq!(conns(&v).len(), 4);
    assert_non_increasing("pending", &nums(&v, "pending_bytes"));
    h.shutdown().await;
}

/// Four clients, then activity from them in the order 2, 4, 1, 3.
async fn clients_active_in_order(h: &server::ServerHandle) -> Vec<Raw> {
    let mut keep = Vec::new();
    for _ in 0..4 {
        keep.push(sub_pub_client(h).await);
    }
    for i in [2usize, 4, 1, 3] {
        tick().await;
        let c = &mut keep[i - 1];
        c.send(b"SUB hello.world 1\r\n").await;
        sync(c).await;
    }
    keep
}

// go: server/TestMonitorConnzSortedByLast
#[tokio::test]
async fn last_sort_puts_the_most_recent_activity_first() {
    let (h, m) = mon_server().await;
    let _keep = clients_active_in_order(&h).await;
    let v = get_json(m, "/connz?sort=last").await;
    assert_eq!(cids(&v), vec![3, 1, 4, 2]);
    let last: Vec<i128> = conns(&v)
        .iter()
        .map(|c| ts_nanos(c["last_activity"].as_str().unwrap()))
        .collect();
    assert_non_increasing("last_activity", &last);
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortedByIdle
#[tokio::test]
async fn idle_sort_puts_the_longest_idle_first() {
    let (h, m) = mon_server().await;
    let _keep = clients_active_in_order(&h).await;
    let v = get_json(m, "/connz?sort=idle").await;
    assert_eq!(cids(&v), vec![2, 4, 1, 3]);
    let idle: Vec<f64> = conns(&v)
        .iter()
        .map(|c| go_dur_nanos(c["idle"].as_str().unwrap()))
        .collect();
    assert_non_increasing("idle", &idle);
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortedByUptime
#[tokio::test]
async fn uptime_sort_puts_the_youngest_first() {
    let (h, m) = mon_server().await;
    let mut keep = Vec::new();
    for _ in 0..4 {
        keep.push(sub_pub_client(&h).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let v = get_json(m, "/connz?sort=uptime").await;
    assert_eq!(cids(&v), vec![4, 3, 2, 1]);
    let now = ts_nanos(v["now"].as_str().unwrap());
    let ups: Vec<i128> = conns(&v)
        .iter()
        .map(|c| now - ts_nanos(c["start"].as_str().unwrap()))
        .collect();
    assert_non_decreasing("uptime", &ups);
    h.shutdown().await;
}

// go: server/TestMonitorConnzSortByRTT
#[tokio::test]
async fn rtt_sort_is_descending() {
    let (h, m) = mon_server().await;
    let mut keep = Vec::new();
    for _ in 0..10 {
        keep.push(sub_pub_client(&h).await);
    }
    let v = get_json(m, "/connz?sort=rtt").await;
    assert_eq!(v["num_connections"], 10);
    let rtts: Vec<f64> = conns(&v)
        .iter()
        .map(|c| go_dur_nanos(c["rtt"].as_str().unwrap()))
        .collect();
    assert_non_increasing("rtt", &rtts);
    h.shutdown().await;
}
