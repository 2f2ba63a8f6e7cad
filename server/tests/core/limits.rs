//! Connection, subscription and buffer limits, and slow consumers.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::support::*;
use server::Options;

// go: server/TestMaxConnections
#[tokio::test]
async fn connections_over_max_get_an_error_after_info() {
    let h = start(Options {
        max_connections: 1,
        ..Options::for_test()
    })
    .await;
    let _first = Raw::quiet(&h).await;
    let (mut second, _) = Raw::connect(&h).await;
    second
        .expect_close_after(b"-ERR 'maximum connections exceeded'\r\n")
        .await;
    assert_eq!(h.num_clients(), 1);
    h.shutdown().await;
}

// go: server/TestMaxConnectionsPreventsAll
#[tokio::test]
async fn negative_max_connections_refuses_everyone() {
    let h = start(Options {
        max_connections: -1,
        ..Options::for_test()
    })
    .await;
    let (mut r, _) = Raw::connect(&h).await;
    r.expect_close_after(b"-ERR 'maximum connections exceeded'\r\n")
        .await;
    h.shutdown().await;
}

// go: server/TestMaxSubscriptions
#[tokio::test]
async fn subscriptions_over_max_get_an_error_and_stay_open() {
    let h = start(Options {
        max_subs: 10,
        ..Options::for_test()
    })
    .await;
    let mut r = Raw::quiet(&h).await;
    for i in 0..10 {
        r.send(format!("SUB foo.{i} {i}\r\n").as_bytes()).await;
    }
    r.send(b"SUB foo.22 22\r\n").await;
    r.expect(b"-ERR 'maximum subscriptions exceeded'\r\n").await;
    r.expect_open_and_idle().await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 10);
    h.shutdown().await;
}

// go: server/TestNoClientLeakOnSlowConsumer
#[tokio::test]
async fn subscriber_that_never_reads_becomes_a_slow_consumer() {
    let h = start(Options {
        max_pending: 64 * 1024,
        // The server refuses a max_payload above max_pending, as Go's validateOptions does.
        max_payload: 64 * 1024,
        ..Options::for_test()
    })
    .await;
    let mut slow = Raw::quiet(&h).await;
    slow.send(b"SUB foo 1\r\nPING\r\n").await;
    slow.expect(b"PONG\r\n").await;
    let mut p = Raw::quiet(&h).await;
    let msg = format!("PUB foo 1024\r\n{}\r\n", "x".repeat(1024));
    let chunk = msg.repeat(64);
    // Bounded: at most 64 MiB is offered; the kernel's socket buffers hold only a few MiB of it.
    for _ in 0..1024 {
        p.send(chunk.as_bytes()).await;
        if h.shared.stats.slow_consumers.load(Ordering::Relaxed) > 0 {
            break;
        }
    }
    wait_for("slow consumer detected", || {
        h.shared.stats.slow_consumers.load(Ordering::Relaxed) == 1
    })
    .await;
    wait_for("slow consumer removed", || h.num_clients() == 1).await;
    // The publisher is unaffected.
    p.expect_open_and_idle().await;
    assert_eq!(
        h.shared.accounts.global().sublist.count(),
        0,
        "slow consumer's subscription removed"
    );
    drop(slow);
    h.shutdown().await;
}

// go: server/TestClientMaxPending
#[tokio::test]
async fn max_pending_above_int32_still_delivers() {
    let h = start(Options {
        max_pending: i32::MAX as i64 + 1,
        ..Options::for_test()
    })
    .await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nPUB foo 3\r\nmsg\r\n").await;
    r.expect(b"MSG foo 1 3\r\nmsg\r\n").await;
    h.shutdown().await;
}

#[tokio::test]
async fn thousand_connections_open_and_close_and_server_keeps_serving() {
    let h = start_default().await;
    for _ in 0..10 {
        let mut conns = Vec::new();
        for _ in 0..100 {
            conns.push(Raw::connect_only(&h).await);
        }
        drop(conns);
    }
    wait_for("all closed", || h.num_clients() == 0).await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nPUB foo 2\r\nok\r\n").await;
    r.expect(b"MSG foo 1 2\r\nok\r\n").await;
    let _ = Duration::ZERO;
    h.shutdown().await;
}

// go: server/TestClientSlowConsumerWithoutConnect
#[tokio::test]
async fn write_deadline_makes_a_slow_consumer_even_without_connect() {
    let h = start(Options {
        write_deadline: Duration::from_millis(100),
        ..Options::for_test()
    })
    .await;
    let mut slow = Raw::connect_only(&h).await;
    slow.send(b"SUB foo 1\r\n").await;
    let mut p = Raw::quiet(&h).await;
    wait_for("sub registered", || {
        h.shared.accounts.global().sublist.count() == 1
    })
    .await;
    let msg = format!("PUB foo 10000\r\n{}\r\n", "x".repeat(10000));
    for _ in 0..10_000 {
        p.send(msg.as_bytes()).await;
        if h.shared.stats.slow_consumers.load(Ordering::Relaxed) > 0 {
            break;
        }
    }
    wait_for("one slow consumer", || {
        h.shared.stats.slow_consumers.load(Ordering::Relaxed) == 1
    })
    .await;
    p.expect_open_and_idle().await;
    drop(slow);
    h.shutdown().await;
}
