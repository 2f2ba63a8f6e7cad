//! Keepalive: server PINGs, stale connections, and client PINGs answered in order.

use std::time::Duration;

use crate::support::*;
use server::Options;

fn ping_opts() -> Options {
    // Go's test/ping_test.go: 50ms interval, 2 outstanding pings allowed.
    Options {
        ping_interval: Duration::from_millis(50),
        max_pings_out: 2,
        ..Options::for_test()
    }
}

// go: test/TestPingInterval
#[tokio::test]
async fn unanswered_pings_make_a_stale_connection() {
    let h = start(ping_opts()).await;
    let mut r = Raw::connected(&h, r#"{"verbose":false}"#).await;
    r.expect(b"PING\r\n").await;
    r.expect(b"PING\r\n").await;
    r.expect_close_after(b"-ERR 'Stale Connection'\r\n").await;
    wait_for("stale counted", || {
        h.shared
            .stats
            .stale_connections
            .load(std::sync::atomic::Ordering::Relaxed)
            == 1
    })
    .await;
    h.shutdown().await;
}

// go: test/TestUnpromptedPong
#[tokio::test]
async fn unprompted_pongs_do_not_reset_the_ping_count() {
    let h = start(ping_opts()).await;
    let mut r = Raw::connected(&h, r#"{"verbose":false}"#).await;
    r.send(&b"PONG\r\n".repeat(100)).await;
    r.expect(b"PING\r\n").await;
    r.expect(b"PING\r\n").await;
    r.expect_close_after(b"-ERR 'Stale Connection'\r\n").await;
    h.shutdown().await;
}

#[tokio::test]
async fn answered_pings_keep_the_connection() {
    let h = start(ping_opts()).await;
    let mut r = Raw::connected(&h, r#"{"verbose":false}"#).await;
    for _ in 0..6 {
        r.expect(b"PING\r\n").await;
        r.send(b"PONG\r\n").await;
    }
    r.expect_open_and_idle().await;
    h.shutdown().await;
}

// go: server/TestClientPing
#[tokio::test]
async fn client_ping_is_answered_after_earlier_messages() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPING\r\n")
        .await;
    r.expect(b"MSG foo 1 1\r\na\r\nMSG foo 1 1\r\nb\r\nPONG\r\n")
        .await;
    h.shutdown().await;
}
