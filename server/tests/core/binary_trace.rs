//! `-V` trace lines of message payloads, read from the server process's stderr: `<<- MSG_PAYLOAD: [...]`
//! for published payloads and `->> MSG_PAYLOAD: [...]` for delivered ones, cut to `--max_traced_msg_len`,
//! and tracing that keeps up with concurrent traffic. Go: client.go `traceMsgInternal`.

use futures::StreamExt;
use tokio::time::timeout;

use crate::process::*;
use crate::support::*;

/// Make sure the server has processed everything `nc` sent so far (its subscriptions in particular):
/// `flush` only writes the client's buffer, so wait for one of its own messages to come back.
async fn round_trip(nc: &async_nats::Client) {
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.publish(inbox, "sync".into()).await.unwrap();
    timeout(WAIT, sub.next())
        .await
        .expect("round trip")
        .expect("own message");
}

/// Publish `payload` on `foo` over a raw connection and wait for the server to have read it.
async fn publish_raw(p: &ServerProc, payload: &str) {
    let mut r = Raw::connect_to(p.addr).await;
    r.expect_line("INFO", |l| l.starts_with("INFO {")).await;
    r.send(
        format!(
            "CONNECT {{\"verbose\":false}}\r\nPUB foo {}\r\n{payload}\r\nPING\r\n",
            payload.len()
        )
        .as_bytes(),
    )
    .await;
    r.expect(b"PONG\r\n").await;
}

/// The payload part of the inbound trace line for `payload`'s publication, checked against `want`.
async fn expect_inbound_payload_trace(p: &ServerProc, first_word: &str, want: &str) {
    let line = p
        .wait_for_line(want, |l| {
            l.contains("<<- MSG_PAYLOAD: [\"") && l.contains(first_word)
        })
        .await;
    assert!(line.contains("[TRC]"), "{line}");
    let tail = &line[line.find("<<- MSG_PAYLOAD:").unwrap_or(0)..];
    assert_eq!(tail, want, "trace line: {line}");
}

// go: server/TestTraceMsg
#[tokio::test]
async fn traced_payloads_are_cut_to_max_traced_msg_len() {
    let p = ServerProc::start(&["-V", "--max_traced_msg_len", "10"]).await;
    publish_raw(&p, "normal").await;
    expect_inbound_payload_trace(&p, "normal", "<<- MSG_PAYLOAD: [\"normal\"]").await;
    publish_raw(&p, "over length").await;
    expect_inbound_payload_trace(&p, "over", "<<- MSG_PAYLOAD: [\"over lengt...\"]").await;
    drop(p);

    // 0 (the default) and negative values mean no limit.
    let p = ServerProc::start(&["-V", "--max_traced_msg_len", "0"]).await;
    publish_raw(&p, "unlimited length").await;
    expect_inbound_payload_trace(&p, "unlimited", "<<- MSG_PAYLOAD: [\"unlimited length\"]").await;
    drop(p);
    let p = ServerProc::start(&["-V", "--max_traced_msg_len", "-1"]).await;
    publish_raw(&p, "negative max traced msg len").await;
    expect_inbound_payload_trace(
        &p,
        "negative",
        "<<- MSG_PAYLOAD: [\"negative max traced msg len\"]",
    )
    .await;
}

#[tokio::test]
async fn delivered_payload_traces_are_cut_too() {
    let p = ServerProc::start(&["-V", "--max_traced_msg_len", "5"]).await;
    let mut r = Raw::connect_to(p.addr).await;
    r.expect_line("INFO", |l| l.starts_with("INFO {")).await;
    r.send(b"CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo 11\r\nhello world\r\nPING\r\n")
        .await;
    r.expect(b"MSG foo 1 11\r\nhello world\r\nPONG\r\n").await;
    p.wait_for_line("the delivered payload", |l| {
        l.ends_with("->> MSG_PAYLOAD: [\"hello...\"]")
    })
    .await;
    p.wait_for_line("the published payload", |l| {
        l.ends_with("<<- MSG_PAYLOAD: [\"hello...\"]")
    })
    .await;
}

// go: server/TestTraceMsgDelivery
#[tokio::test]
async fn delivered_messages_are_traced_with_headers_and_payload() {
    let p = ServerProc::start(&["-V"]).await;
    let nc = async_nats::connect(p.url()).await.expect("connect");
    let ncp = async_nats::connect(p.url()).await.expect("connect");

    let mut foo = nc.subscribe("foo").await.unwrap();
    let responder = nc.clone();
    tokio::spawn(async move {
        while let Some(m) = foo.next().await {
            let mut h = async_nats::HeaderMap::new();
            h.insert("A", "1");
            h.insert("B", "2");
            if let Some(reply) = m.reply {
                let _ = responder
                    .publish_with_headers(reply, h, "Hi Traced".into())
                    .await;
            }
        }
    });
    round_trip(&nc).await;
    let mut h = async_nats::HeaderMap::new();
    h.insert("A", "A:1");
    h.insert("B", "B:2");
    let resp = timeout(
        WAIT,
        ncp.request_with_headers("foo", h, "Hello Traced".into()),
    )
    .await
    .expect("in time")
    .expect("answered");
    assert_eq!(&resp.payload[..], b"Hi Traced");
    let line = p
        .wait_for_line("the traced response", |l| {
            l.contains("->> MSG_PAYLOAD:") && l.contains("Hi Traced")
        })
        .await;
    assert!(line.contains("NATS/1.0"), "headers traced: {line}");

    let mut bar = nc.subscribe("bar").await.unwrap();
    let responder = nc.clone();
    tokio::spawn(async move {
        while let Some(m) = bar.next().await {
            if let Some(reply) = m.reply {
                let _ = responder.publish(reply, "Plain Response".into()).await;
            }
        }
    });
    round_trip(&nc).await;
    let resp = timeout(WAIT, ncp.request("bar", "".into()))
        .await
        .expect("in time")
        .expect("answered");
    assert_eq!(&resp.payload[..], b"Plain Response");
    p.wait_for_line("the plain response", |l| {
        l.contains("->> MSG_PAYLOAD: [\"Plain Response\"]")
    })
    .await;
}

// go: server/TestClientTraceRace
#[tokio::test]
async fn tracing_keeps_up_with_concurrent_publishers() {
    let p = ServerProc::start(&["-V"]).await;
    let nc1 = async_nats::connect(p.url()).await.expect("connect");
    let nc2 = async_nats::connect(p.url()).await.expect("connect");
    let total = 10_000;
    let mut sub = nc1.subscribe("foo").await.unwrap();
    round_trip(&nc1).await;

    let other = nc1.clone();
    let side = tokio::spawn(async move {
        for _ in 0..total {
            other.publish("bar", "hello".into()).await.unwrap();
        }
        other.flush().await.unwrap();
    });
    for _ in 0..total {
        nc2.publish("foo", "hello".into()).await.unwrap();
    }
    nc2.flush().await.unwrap();
    let mut got = 0;
    while got < total {
        match timeout(PROC_WAIT, sub.next()).await {
            Ok(Some(_)) => got += 1,
            _ => panic!("only {got} of {total} messages arrived"),
        }
    }
    timeout(PROC_WAIT, side)
        .await
        .expect("side publisher done")
        .unwrap();
    assert!(p.stderr_text().contains("<<- [PUB bar 5]"));
}
