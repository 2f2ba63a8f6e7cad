//! Server-level behaviour ported from Go's server/server_test.go, server/split_test.go and the test/
//! package (port_test, ping_test, maxpayload_test): version, startup and shutdown, option validation,
//! random ports, ping suppression by client activity, payload size overruns, split PUBs.

use std::time::{Duration, Instant};

use crate::support::*;
use server::consts::{DEFAULT_PORT, VERSION};
use server::{Options, Server};

/// Semantic Versioning 2.0.0 (with Go's optional leading `v`): core, pre-release and build parts.
fn is_semver(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (v, build) = match v.split_once('+') {
        Some((a, b)) => (a, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match v.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (v, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|id| ident(id) && (numeric(id) || !id.bytes().all(|b| b.is_ascii_digit())))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

// go: server/TestSemanticVersion
#[tokio::test]
async fn version_is_semantic() {
    for good in [
        "2.15.1",
        "v1.0.0",
        "1.2.3-beta.1",
        "1.2.3+build.7",
        "0.0.0-rc-1",
    ] {
        assert!(is_semver(good), "{good}");
    }
    for bad in ["2.15", "02.1.1", "1.2.3-", "1.2.3-01", "1.2.x", "1.2.3+"] {
        assert!(!is_semver(bad), "{bad}");
    }
    assert!(is_semver(VERSION), "{VERSION}");
    let h = start_default().await;
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["version"], VERSION);
    h.shutdown().await;
}

// go: server/TestStartupAndShutdown
#[tokio::test]
async fn starts_empty_serves_and_shuts_down() {
    let h = start_default().await;
    assert_eq!(h.num_clients(), 0);
    assert_eq!(h.shared.accounts.global().sublist.count(), 0);
    let r = Raw::quiet(&h).await;
    assert_eq!(h.num_clients(), 1);
    assert_eq!(h.shared.accounts.global().sublist.count(), 0);
    let addr = h.addr();
    drop(r);
    h.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "listener closed after shutdown"
    );
}

#[tokio::test]
async fn concurrent_shutdowns_all_return() {
    let h = start_default().await;
    let _r = Raw::quiet(&h).await;
    let mut calls = Vec::new();
    for _ in 0..32 {
        let s = h.shared.clone();
        calls.push(tokio::spawn(async move { s.shutdown().await }));
    }
    for c in calls {
        tokio::time::timeout(WAIT, c)
            .await
            .expect("shutdown returns")
            .unwrap();
    }
    tokio::time::timeout(WAIT, h.wait_for_shutdown())
        .await
        .expect("shut down");
    assert_eq!(h.num_clients(), 0);
}

// go: server/TestNoDeadlockOnStartFailure
#[tokio::test]
async fn start_returns_when_the_listener_cannot_be_opened() {
    // A port already taken: the client listener cannot be opened.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().unwrap().port();
    let started = Instant::now();
    let res = tokio::time::timeout(
        WAIT,
        Server::start(Options {
            port: i32::from(port),
            ..Options::for_test()
        }),
    )
    .await
    .expect("start returns");
    let err = res.err().expect("start fails");
    assert!(
        err.to_string()
            .starts_with(&format!("Error listening on port: 127.0.0.1:{port}, ")),
        "{err}"
    );
    assert!(started.elapsed() < WAIT);
    drop(taken);
}

// go: server/TestLameDuckOptionsValidation
#[tokio::test]
async fn lame_duck_grace_period_must_be_below_the_duration() {
    let err = Server::start(Options {
        lame_duck_duration: Duration::from_secs(5),
        lame_duck_grace_period: Duration::from_secs(10),
        ..Options::for_test()
    })
    .await
    .err()
    .expect("refused");
    assert_eq!(
        err.to_string(),
        "lame duck grace period (10s) should be strictly lower than lame duck duration (5s)"
    );
    let equal = Server::start(Options {
        lame_duck_duration: Duration::from_secs(5),
        lame_duck_grace_period: Duration::from_secs(5),
        ..Options::for_test()
    })
    .await;
    assert!(equal.is_err(), "equal is refused too");
    let h = start(Options {
        lame_duck_duration: Duration::from_secs(5),
        lame_duck_grace_period: Duration::from_secs(4),
        ..Options::for_test()
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn max_payload_above_max_pending_is_refused() {
    let err = Server::start(Options {
        max_payload: 2048,
        max_pending: 1024,
        ..Options::for_test()
    })
    .await
    .err()
    .expect("refused");
    assert_eq!(
        err.to_string(),
        "max_payload (2048) cannot be higher than max_pending (1024)"
    );
}

// go: test/TestResolveRandomPort
#[tokio::test]
async fn random_port_is_resolved_and_advertised() {
    let h = start(Options {
        port: server::consts::RANDOM_PORT,
        ..Options::for_test()
    })
    .await;
    let port = h.port();
    assert_ne!(i32::from(port), DEFAULT_PORT);
    assert_ne!(port, 0);
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["port"], port, "INFO carries the chosen port");
    h.shutdown().await;
}

// go: test/TestPingSuppresion
#[tokio::test]
async fn client_activity_suppresses_the_next_server_ping() {
    let interval = Duration::from_secs(2);
    let h = start(Options {
        ping_interval: interval,
        ..Options::for_test()
    })
    .await;
    let connected = Instant::now();
    let mut r = Raw::connected(&h, r#"{"verbose":false}"#).await;
    r.expect(b"PING\r\n").await;
    assert!(
        connected.elapsed() >= interval,
        "first PING after {:?}",
        connected.elapsed()
    );
    r.send(b"PONG\r\n").await;
    // Halfway to the next PING, the client pings: the server's next PING is skipped.
    tokio::time::sleep(interval / 2).await;
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    let seen = r.drain_for(interval * 3 / 4).await;
    assert_eq!(String::from_utf8_lossy(&seen), "", "no PING while active");
    h.shutdown().await;
}

// go: test/TestMaxPayloadOverrun
#[tokio::test]
async fn sizes_overrunning_int32_and_int64_are_refused() {
    let h = start(Options {
        max_payload: 10000,
        ..Options::for_test()
    })
    .await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"pedantic":false}"#).await;
    r.send(b"PUB foo 199380988\r\n").await;
    r.expect_close_after(b"-ERR 'Maximum Payload Violation'\r\n")
        .await;
    // Too big for an int64: not a size at all, the connection is dropped.
    let mut r = Raw::connected(&h, r#"{"verbose":false,"pedantic":false}"#).await;
    r.send(b"PUB foo 18446744073709551615123\r\n").await;
    r.expect_close_after(b"").await;
    h.shutdown().await;
}

/// Send `first`, let the server read it on its own, then `rest`; the subscriber must get `want`.
async fn split_pub(first: &[u8], rest: &[u8], want: &[u8]) {
    let h = start_default().await;
    let mut sub = Raw::quiet(&h).await;
    sub.send(b"SUB foo 1\r\nPING\r\n").await;
    sub.expect(b"PONG\r\n").await;
    let mut p = Raw::quiet(&h).await;
    p.send(first).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    p.send(rest).await;
    sub.expect(want).await;
    p.expect_open_and_idle().await;
    h.shutdown().await;
}

// go: server/TestSplitBufferPubOp3
#[tokio::test]
async fn pub_with_reply_split_after_the_control_line() {
    let all = b"PUB foo bar 11\r\nhello world\r\n";
    split_pub(
        &all[..16],
        &all[16..],
        b"MSG foo 1 bar 11\r\nhello world\r\n",
    )
    .await;
}

// go: server/TestSplitBufferPubOp4
#[tokio::test]
async fn pub_split_after_the_control_line() {
    let all = b"PUB foo 11\r\nhello world\r\n";
    split_pub(&all[..12], &all[12..], b"MSG foo 1 11\r\nhello world\r\n").await;
}
