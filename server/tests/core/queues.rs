//! Queue groups: one member per group per message, spread across members.

use std::collections::HashMap;

use crate::support::*;

/// Publish `n` messages on `foo` and count deliveries per sid.
async fn count_by_sid(r: &mut Raw, n: usize, expect_total: usize) -> HashMap<String, usize> {
    let mut batch = Vec::new();
    for _ in 0..n {
        batch.extend_from_slice(b"PUB foo 2\r\nok\r\n");
    }
    r.send(&batch).await;
    let mut counts = HashMap::new();
    for _ in 0..expect_total {
        let line = r.expect_line("MSG", |l| l.starts_with("MSG foo ")).await;
        let sid = line.split(' ').nth(2).unwrap().to_string();
        *counts.entry(sid).or_insert(0) += 1;
        r.expect(b"ok\r\n").await;
    }
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    counts
}

// go: test/TestQueueSub
// go: server/TestClientPubWithQueueSub
#[tokio::test]
async fn queue_group_delivers_each_message_to_one_member() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo qgroup1 22\r\nSUB foo qgroup1 32\r\n")
        .await;
    let counts = count_by_sid(&mut r, 100, 100).await;
    assert_eq!(counts.len(), 2, "{counts:?}");
    for (sid, c) in &counts {
        assert!(*c >= 20, "sid {sid} got only {c} of 100: {counts:?}");
    }
    h.shutdown().await;
}

// go: test/TestMultipleQueueSub
#[tokio::test]
async fn each_queue_group_gets_its_own_copy() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo g1 1\r\nSUB foo g1 2\r\nSUB foo g2 3\r\nSUB foo g2 4\r\n")
        .await;
    let counts = count_by_sid(&mut r, 100, 200).await;
    assert_eq!(counts.len(), 4, "{counts:?}");
    assert_eq!(counts["1"] + counts["2"], 100);
    assert_eq!(counts["3"] + counts["4"], 100);
    for (sid, c) in &counts {
        assert!(*c >= 20, "sid {sid} got only {c}: {counts:?}");
    }
    h.shutdown().await;
}

// go: server/TestClientPubWithQueueSubNoEcho
#[tokio::test]
async fn no_echo_publisher_skips_its_own_queue_member() {
    let h = start_default().await;
    let mut me = Raw::connected(&h, r#"{"verbose":false,"echo":false}"#).await;
    me.send(b"SUB foo bar 1\r\nPING\r\n").await;
    me.expect(b"PONG\r\n").await;
    let mut other = Raw::quiet(&h).await;
    other.send(b"SUB foo bar 2\r\nPING\r\n").await;
    other.expect(b"PONG\r\n").await;
    let mut batch = Vec::new();
    for _ in 0..100 {
        batch.extend_from_slice(b"PUB foo 5\r\nHello\r\n");
    }
    batch.extend_from_slice(b"PING\r\n");
    me.send(&batch).await;
    me.expect(b"PONG\r\n").await;
    for _ in 0..100 {
        other.expect(b"MSG foo 2 5\r\nHello\r\n").await;
    }
    h.shutdown().await;
}
