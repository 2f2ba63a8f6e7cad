//! The official async-nats client against rnats: pub/sub, queue groups, request/reply, headers,
//! no-responders, auto-unsubscribe, echo off, max payload and lame duck mode.

use std::time::Duration;

use futures::StreamExt;
use tokio::time::timeout;

use crate::support::*;
use server::Options;

async fn connect(url: &str) -> async_nats::Client {
    async_nats::connect(url).await.expect("async-nats connects")
}

#[tokio::test]
async fn pub_sub_and_queue_groups() {
    let h = start_default().await;
    let nc = connect(&h.client_url()).await;
    let mut sub = nc.subscribe("foo").await.unwrap();
    let mut q1 = nc.queue_subscribe("work", "g".into()).await.unwrap();
    let mut q2 = nc.queue_subscribe("work", "g".into()).await.unwrap();
    nc.flush().await.unwrap();
    nc.publish("foo", "hello".into()).await.unwrap();
    let m = timeout(WAIT, sub.next()).await.unwrap().unwrap();
    assert_eq!(m.subject.as_str(), "foo");
    assert_eq!(&m.payload[..], b"hello");

    for _ in 0..20 {
        nc.publish("work", "w".into()).await.unwrap();
    }
    nc.flush().await.unwrap();
    let mut got = 0;
    while got < 20 {
        tokio::select! {
            Some(_) = q1.next() => got += 1,
            Some(_) = q2.next() => got += 1,
            _ = tokio::time::sleep(WAIT) => panic!("only {got} of 20 queue messages"),
        }
    }
    // Exactly 20: nothing more arrives.
    assert!(timeout(Duration::from_millis(100), q1.next())
        .await
        .is_err());
    assert!(timeout(Duration::from_millis(100), q2.next())
        .await
        .is_err());
    h.shutdown().await;
}

#[tokio::test]
async fn request_reply_and_headers() {
    let h = start_default().await;
    let nc = connect(&h.client_url()).await;
    let mut svc = nc.subscribe("svc").await.unwrap();
    let responder = nc.clone();
    tokio::spawn(async move {
        while let Some(m) = svc.next().await {
            let mut hdrs = async_nats::HeaderMap::new();
            hdrs.insert(
                "X-Echo",
                m.headers
                    .as_ref()
                    .and_then(|h| h.get("X-Req"))
                    .map(|v| v.as_str())
                    .unwrap_or("none"),
            );
            if let Some(reply) = m.reply {
                responder
                    .publish_with_headers(reply, hdrs, m.payload)
                    .await
                    .unwrap();
            }
        }
    });
    nc.flush().await.unwrap();
    let mut hdrs = async_nats::HeaderMap::new();
    hdrs.insert("X-Req", "42");
    let resp = nc
        .request_with_headers("svc", hdrs, "ping".into())
        .await
        .expect("request answered");
    assert_eq!(&resp.payload[..], b"ping");
    assert_eq!(resp.headers.unwrap().get("X-Echo").unwrap().as_str(), "42");
    h.shutdown().await;
}

#[tokio::test]
async fn request_without_responders_fails_fast() {
    let h = start_default().await;
    let nc = connect(&h.client_url()).await;
    let err = timeout(WAIT, nc.request("nobody.home", "x".into()))
        .await
        .expect("no timeout")
        .unwrap_err();
    assert_eq!(
        err.kind(),
        async_nats::RequestErrorKind::NoResponders,
        "{err:?}"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn auto_unsubscribe_after_max_messages() {
    let h = start_default().await;
    let nc = connect(&h.client_url()).await;
    let mut sub = nc.subscribe("foo").await.unwrap();
    sub.unsubscribe_after(3).await.unwrap();
    for i in 0..10 {
        nc.publish("foo", format!("{i}").into()).await.unwrap();
    }
    nc.flush().await.unwrap();
    let mut got = Vec::new();
    while let Ok(Some(m)) = timeout(Duration::from_secs(1), sub.next()).await {
        got.push(String::from_utf8(m.payload.to_vec()).unwrap());
    }
    assert_eq!(got, vec!["0", "1", "2"]);
    wait_for("server removed the sub", || {
        h.shared.accounts.global().sublist.count() == 0
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn no_echo_client_does_not_get_its_own_messages() {
    let h = start_default().await;
    let nc = async_nats::ConnectOptions::new()
        .no_echo()
        .connect(h.client_url())
        .await
        .unwrap();
    let other = connect(&h.client_url()).await;
    let mut mine = nc.subscribe("foo").await.unwrap();
    let mut theirs = other.subscribe("foo").await.unwrap();
    nc.flush().await.unwrap();
    other.flush().await.unwrap();
    // Both subscriptions come from different connections: wait until the server holds both.
    wait_for("both subscriptions", || {
        h.shared.accounts.global().sublist.count() == 2
    })
    .await;
    nc.publish("foo", "x".into()).await.unwrap();
    nc.flush().await.unwrap();
    assert!(timeout(WAIT, theirs.next()).await.unwrap().is_some());
    assert!(
        timeout(Duration::from_millis(200), mine.next())
            .await
            .is_err(),
        "echo off"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn client_learns_max_payload_from_info() {
    let h = start(Options {
        max_payload: 1024,
        ..Options::for_test()
    })
    .await;
    let nc = connect(&h.client_url()).await;
    assert_eq!(nc.server_info().max_payload, 1024);
    let err = nc.publish("foo", vec![0u8; 2048].into()).await.unwrap_err();
    assert_eq!(
        err.kind(),
        async_nats::client::PublishErrorKind::MaxPayloadExceeded
    );
    h.shutdown().await;
}

#[tokio::test]
async fn lame_duck_mode_sends_ldm_info_then_closes_clients() {
    let opts = Options {
        lame_duck_duration: Duration::from_millis(400),
        lame_duck_grace_period: Duration::from_millis(100),
        ..Options::for_test()
    };
    let h = start(opts).await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"protocol":1}"#).await;
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    r.expect_line("connect INFO", |l| l.contains("\"connect_info\":true"))
        .await;
    let ldm = h.lame_duck();
    r.expect_line("ldm INFO", |l| {
        l.starts_with("INFO {") && l.contains("\"ldm\":true")
    })
    .await;
    // New connections are refused.
    wait_for("listener closed", || {
        std::net::TcpStream::connect(h.addr()).is_err()
    })
    .await;
    r.expect_close_after(b"").await;
    ldm.await.unwrap();
    h.wait_for_shutdown().await;
}
