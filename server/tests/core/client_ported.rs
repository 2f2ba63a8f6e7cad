//! Client connection behaviour ported from Go's server/client_test.go and closed_conns_test.go: what a
//! closed connection leaves behind, the connection's log label, close reasons, slow consumers from
//! max_pending, IPv6 clients, and large backlogs to a slow reader.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use server::client::{ClientHandle, ClosedState};
use server::{Options, ServerHandle};
use tokio::io::AsyncReadExt;

use crate::support::*;

/// The server's handle of its only client, once it is registered.
async fn only_client(h: &ServerHandle) -> Arc<ClientHandle> {
    wait_for("one registered client", || h.num_clients() == 1).await;
    let clients = h.shared.clients.lock().expect("clients");
    clients.values().next().cloned().expect("a client")
}

// go: server/TestClientDoesNotAddSubscriptionsWhenConnectionClosed
#[tokio::test]
async fn subs_after_the_connection_is_closed_are_not_added() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    // The client's -ERR closes the connection; the SUBs behind it in the same buffer must add nothing.
    r.send(b"-ERR 'closing'\r\nSUB foo 1\r\nSUB bar 2\r\n")
        .await;
    r.expect_close_after(b"").await;
    wait_for("client gone", || h.num_clients() == 0).await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 0);
    h.shutdown().await;
}

// go: server/TestClientMapRemoval
#[tokio::test]
async fn a_client_closed_by_the_server_leaves_the_client_map() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    let c = only_client(&h).await;
    c.close(ClosedState::ServerShutdown, true);
    r.expect_close_after(b"").await;
    wait_for("client map empty", || h.num_clients() == 0).await;
    h.shutdown().await;
}

// go: server/TestUnsubRace
#[tokio::test]
async fn unsubscribe_while_messages_flow() {
    let h = start_default().await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let ncp = async_nats::connect(h.client_url()).await.unwrap();
    let mut sub = nc.subscribe("foo").await.unwrap();
    nc.flush().await.unwrap();
    let publisher = tokio::spawn(async move {
        for _ in 0..10_000 {
            ncp.publish("foo", "hello".into()).await.unwrap();
        }
        ncp.flush().await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(5)).await;
    sub.unsubscribe().await.unwrap();
    nc.flush().await.unwrap();
    tokio::time::timeout(WAIT, publisher)
        .await
        .expect("publisher done")
        .unwrap();
    wait_for("subscription removed", || {
        h.shared.accounts.global().sublist.count() == 0
    })
    .await;
    // Both connections and the server carry on.
    assert_eq!(h.num_clients(), 2);
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nPUB foo 2\r\nok\r\n").await;
    r.expect(b"MSG foo 1 2\r\nok\r\n").await;
    h.shutdown().await;
}

// go: server/TestPBNotIncreasedOnMaxPending
#[tokio::test]
async fn a_frame_over_max_pending_is_not_queued_and_the_client_is_dropped() {
    // The INFO fits; a 1024-byte payload framed as MSG does not.
    let h = start(Options {
        max_pending: 1024,
        max_payload: 1024,
        ..Options::for_test()
    })
    .await;
    let mut sub = Raw::quiet(&h).await;
    sub.send(b"SUB foo 1\r\nPING\r\n").await;
    sub.expect(b"PONG\r\n").await;
    let mut p = Raw::quiet(&h).await;
    p.send(format!("PUB foo 1024\r\n{}\r\nPING\r\n", "x".repeat(1024)).as_bytes())
        .await;
    p.expect(b"PONG\r\n").await;
    // Nothing of the message reaches the subscriber: it is closed as a slow consumer.
    sub.expect_close_after(b"").await;
    assert_eq!(h.shared.stats.slow_consumers.load(Ordering::Relaxed), 1);
    p.expect_open_and_idle().await;
    h.shutdown().await;

    // A max_pending below the INFO's size: even the INFO is not sent.
    let h = start(Options {
        max_pending: 100,
        max_payload: 100,
        ..Options::for_test()
    })
    .await;
    let mut r = Raw::connect_only(&h).await;
    r.expect_close_after(b"").await;
    wait_for("slow consumer counted", || {
        h.shared.stats.slow_consumers.load(Ordering::Relaxed) == 1
    })
    .await;
    wait_for("client gone", || h.num_clients() == 0).await;
    h.shutdown().await;
}

// go: server/TestClientIPv6Address
#[tokio::test]
async fn ipv6_clients_of_an_any_address_listener_are_labelled_in_brackets() {
    let h = start(Options {
        host: "0.0.0.0".into(),
        ..Options::for_test()
    })
    .await;
    let v6 = std::net::SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, h.port()));
    let Ok(stream) = tokio::net::TcpStream::connect(v6).await else {
        // As the Go test: a host without IPv6 loopback cannot run it.
        eprintln!("skipped: no IPv6 loopback");
        h.shutdown().await;
        return;
    };
    let mut r = Raw {
        stream,
        buf: Vec::new(),
    };
    let info = r.read_line().await;
    assert!(info.contains("\"client_ip\":\"::1\""), "{info}");
    let c = only_client(&h).await;
    assert!(c.label().starts_with("[::1]:"), "{}", c.label());
    drop(r);
    wait_for("client gone", || h.num_clients() == 0).await;

    // IPv4 clients of the same listener still show as IPv4.
    let v4 = std::net::SocketAddr::from(([127, 0, 0, 1], h.port()));
    let (_r4, info) = Raw::connect_to_info(v4).await;
    assert_eq!(info["client_ip"], "127.0.0.1");
    let c = only_client(&h).await;
    assert!(c.label().starts_with("127.0.0.1:"), "{}", c.label());
    h.shutdown().await;
}

// go: server/TestConnectionStringWithLogConnectionInfo
#[tokio::test]
async fn connection_label_is_set_by_the_first_connect_only() {
    let h = start_default().await;
    let (mut r, info) = Raw::connect(&h).await;
    let cid = info["client_id"].as_u64().unwrap();
    let connect = br#"CONNECT {"verbose":false,"pedantic":false,"version":"1.0.0","lang":"go","name":"test-client"}"#;
    r.send(&[&connect[..], b"\r\nPING\r\n"].concat()).await;
    r.expect(b"PONG\r\n").await;
    let c = only_client(&h).await;
    let port = r.stream.local_addr().unwrap().port();
    let first = c.label();
    assert_eq!(
        first,
        format!("127.0.0.1:{port} - cid:{cid} - \"v1.0.0:go:test-client\"")
    );
    for _ in 0..3 {
        r.send(&[&connect[..], b"\r\n"].concat()).await;
    }
    r.expect_open_and_idle().await;
    assert_eq!(c.label(), first);
    r.send(br#"CONNECT {"verbose":false,"pedantic":false,"version":"1.0.0","lang":"go","name":"test-client:new"}"#)
        .await;
    r.send(b"\r\n").await;
    r.expect_open_and_idle().await;
    assert_eq!(c.label(), first, "a later CONNECT does not change it");
    h.shutdown().await;
}

// go: server/TestClosedMaxPayload
#[tokio::test]
async fn max_payload_violation_closes_with_max_payload_exceeded() {
    let h = start(Options {
        max_payload: 100,
        ..Options::for_test()
    })
    .await;
    let (mut r, _) = Raw::connect(&h).await;
    let c = only_client(&h).await;
    r.send(b"PUB foo.bar 1024\r\n").await;
    r.expect_close_after(b"-ERR 'Maximum Payload Violation'\r\n")
        .await;
    wait_for("client gone", || h.num_clients() == 0).await;
    assert_eq!(c.close_reason(), Some(ClosedState::MaxPayloadExceeded));
    assert_eq!(
        ClosedState::MaxPayloadExceeded.to_string(),
        "Maximum Message Payload Exceeded"
    );
    h.shutdown().await;
}

// go: server/TestClientFlushOutboundNoSlowConsumer
#[tokio::test]
async fn a_backlog_over_64_mib_drains_to_a_slow_reader_without_slow_consumer() {
    const MB: usize = 1024 * 1024;
    let h = start(Options {
        max_pending: 140 * MB as i64,
        max_payload: 16 * MB as i32,
        write_deadline: Duration::from_secs(30),
        ..Options::for_test()
    })
    .await;
    let mut sub = Raw::quiet(&h).await;
    sub.send(b"SUB test 1\r\nPING\r\n").await;
    sub.expect(b"PONG\r\n").await;
    let sub_client = only_client(&h).await;

    // 8 x 16 MiB while the subscriber reads nothing: more than 64 MiB queues up for it.
    let mut p = Raw::quiet(&h).await;
    let mut frame = format!("PUB test {}\r\n", 16 * MB).into_bytes();
    frame.resize(frame.len() + 16 * MB, b'z');
    frame.extend_from_slice(b"\r\n");
    for _ in 0..8 {
        p.send(&frame).await;
    }
    wait_for("more than 64 MiB pending", || {
        sub_client.out.pending() > 64 * MB
    })
    .await;

    // Now read everything: 8 whole messages, in order.
    let head = format!("MSG test 1 {}\r\n", 16 * MB);
    let msg_len = head.len() + 16 * MB + 2;
    let total = 8 * msg_len;
    let mut got = 0usize;
    let mut chunk = vec![0u8; 1 << 20];
    let mut window = std::mem::take(&mut sub.buf);
    while got + window.len() < total {
        let n = tokio::time::timeout(Duration::from_secs(30), sub.stream.read(&mut chunk))
            .await
            .expect("data keeps flowing")
            .expect("read");
        assert!(
            n > 0,
            "closed after {} of {total} bytes",
            got + window.len()
        );
        window.extend_from_slice(&chunk[..n]);
        // Check each message's frame as it completes, then drop it.
        while window.len() >= msg_len {
            assert!(
                window.starts_with(head.as_bytes()),
                "message {}",
                got / msg_len
            );
            assert!(window[head.len()..msg_len - 2].iter().all(|b| *b == b'z'));
            assert_eq!(&window[msg_len - 2..msg_len], b"\r\n");
            window.drain(..msg_len);
            got += msg_len;
        }
    }
    assert_eq!(got + window.len(), total);
    assert_eq!(h.shared.stats.slow_consumers.load(Ordering::Relaxed), 0);
    p.expect_open_and_idle().await;
    h.shutdown().await;
}
