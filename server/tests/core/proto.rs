//! Publish/subscribe over the raw protocol: MSG framing, wildcards, auto-unsubscribe, echo, headers.

use crate::support::*;

// go: test/TestProtoBasics
// go: server/TestClientSimplePubSub
#[tokio::test]
async fn pub_reaches_literal_and_wildcard_subscribers() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nPUB foo 5\r\nhello\r\n").await;
    r.expect(b"MSG foo 1 5\r\nhello\r\n").await;
    r.send(b"SUB * 2\r\nPUB foo 2\r\nok\r\nPING\r\n").await;
    let got = String::from_utf8(r.drain_for(std::time::Duration::from_millis(200)).await).unwrap();
    let mut msgs: Vec<&str> = got
        .split_inclusive("ok\r\n")
        .filter(|m| m.starts_with("MSG"))
        .collect();
    msgs.sort();
    assert_eq!(
        msgs,
        vec!["MSG foo 1 2\r\nok\r\n", "MSG foo 2 2\r\nok\r\n"],
        "{got:?}"
    );
    assert!(got.ends_with("PONG\r\n"));
    h.shutdown().await;
}

// go: server/TestClientSimplePubSubWithReply
// go: server/TestClientNoBodyPubSubWithReply
#[tokio::test]
async fn reply_subject_and_empty_body_are_delivered() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nPUB foo bar 5\r\nhello\r\nPUB foo bar 0\r\n\r\n")
        .await;
    r.expect(b"MSG foo 1 bar 5\r\nhello\r\nMSG foo 1 bar 0\r\n\r\n")
        .await;
    h.shutdown().await;
}

// go: test/TestUnsubMax
// go: server/TestClientUnSubMax
#[tokio::test]
async fn unsub_with_max_stops_after_max_messages() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 22\r\nUNSUB 22 2\r\n").await;
    for _ in 0..100 {
        r.send(b"PUB foo 2\r\nok\r\n").await;
    }
    r.send(b"PING\r\n").await;
    r.expect(b"MSG foo 22 2\r\nok\r\nMSG foo 22 2\r\nok\r\nPONG\r\n")
        .await;
    assert_eq!(
        h.shared.accounts.global().sublist.count(),
        0,
        "auto-unsubscribed"
    );
    h.shutdown().await;
}

// go: server/TestClientUnSub
#[tokio::test]
async fn unsub_stops_delivery() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nSUB foo 2\r\nUNSUB 1\r\nPUB foo 2\r\nok\r\nPING\r\n")
        .await;
    r.expect(b"MSG foo 2 2\r\nok\r\nPONG\r\n").await;
    h.shutdown().await;
}

// go: server/TestClientAutoUnsubExactReceived
// go: server/TestClientUnsubAfterAutoUnsub
#[tokio::test]
async fn auto_unsubscribe_exact_and_late_unsub() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nUNSUB 1 1\r\nPUB foo 2\r\nok\r\nPUB foo 2\r\nok\r\nPING\r\n")
        .await;
    r.expect(b"MSG foo 1 2\r\nok\r\nPONG\r\n").await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 0);
    // UNSUB with a max not above what was already delivered unsubscribes at once.
    r.send(b"SUB bar 2\r\nPUB bar 2\r\nok\r\nPUB bar 2\r\nok\r\nPING\r\n")
        .await;
    r.expect(b"MSG bar 2 2\r\nok\r\nMSG bar 2 2\r\nok\r\nPONG\r\n")
        .await;
    r.send(b"UNSUB 2 1\r\nPUB bar 2\r\nok\r\nPING\r\n").await;
    r.expect(b"PONG\r\n").await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 0);
    h.shutdown().await;
}

// go: server/TestClientPubSubNoEcho
#[tokio::test]
async fn echo_false_suppresses_own_messages() {
    let h = start_default().await;
    let mut me = Raw::connected(&h, r#"{"verbose":false,"echo":false}"#).await;
    let mut other = Raw::quiet(&h).await;
    other.send(b"SUB foo 9\r\nPING\r\n").await;
    other.expect(b"PONG\r\n").await;
    me.send(b"SUB foo 1\r\nPUB foo 2\r\nok\r\nPING\r\n").await;
    me.expect(b"PONG\r\n").await;
    other.expect(b"MSG foo 9 2\r\nok\r\n").await;
    h.shutdown().await;
}

// go: test/TestDuplicateProtoSub
#[tokio::test]
async fn duplicate_sid_keeps_one_subscription() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nSUB foo 1\r\nPING\r\n").await;
    r.expect(b"PONG\r\n").await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 1);
    r.send(b"PUB foo 2\r\nok\r\nPING\r\n").await;
    r.expect(b"MSG foo 1 2\r\nok\r\nPONG\r\n").await;
    h.shutdown().await;
}

// go: server/TestClientRemoveSubsOnDisconnect
#[tokio::test]
async fn subscriptions_are_removed_on_disconnect() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nSUB bar 2\r\nPING\r\n").await;
    r.expect(b"PONG\r\n").await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 2);
    drop(r);
    wait_for("subs removed", || {
        h.shared.accounts.global().sublist.count() == 0
    })
    .await;
    wait_for("client gone", || h.num_clients() == 0).await;
    h.shutdown().await;
}

// go: server/TestClientHeaderDeliverMsg
#[tokio::test]
async fn hpub_is_delivered_as_hmsg_to_header_clients() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nok\r\nPING\r\n")
        .await;
    r.expect(b"HMSG foo 1 12 14\r\nNATS/1.0\r\n\r\nok\r\nPONG\r\n")
        .await;
    r.send(b"HPUB foo reply 12 14\r\nNATS/1.0\r\n\r\nok\r\nPING\r\n")
        .await;
    r.expect(b"HMSG foo 1 reply 12 14\r\nNATS/1.0\r\n\r\nok\r\nPONG\r\n")
        .await;
    h.shutdown().await;
}

// go: server/TestClientHeaderDeliverStrippedMsg
// go: server/TestClientHeaderDeliverQueueSubStrippedMsg
#[tokio::test]
async fn headers_are_stripped_for_clients_without_header_support() {
    let h = start_default().await;
    let mut plain = Raw::connected(&h, r#"{"verbose":false}"#).await;
    plain.send(b"SUB foo 1\r\nSUB foo bar 2\r\nPING\r\n").await;
    plain.expect(b"PONG\r\n").await;
    let mut p = Raw::quiet(&h).await;
    p.send(b"HPUB foo 12 14\r\nNATS/1.0\r\n\r\nok\r\nPING\r\n")
        .await;
    p.expect(b"PONG\r\n").await;
    plain.send(b"PING\r\n").await;
    let got =
        String::from_utf8(plain.drain_for(std::time::Duration::from_millis(200)).await).unwrap();
    assert!(got.contains("MSG foo 1 2\r\nok\r\n"), "{got:?}");
    assert!(got.contains("MSG foo 2 2\r\nok\r\n"), "{got:?}");
    assert!(!got.contains("NATS/1.0"), "{got:?}");
    h.shutdown().await;
}

// go: server/TestClientNoResponderSupport
#[tokio::test]
async fn no_responders_gets_503_status() {
    let h = start_default().await;
    let mut r = Raw::connected(
        &h,
        r#"{"verbose":false,"headers":true,"no_responders":true}"#,
    )
    .await;
    r.send(b"SUB reply 1\r\nPUB foo reply 2\r\nok\r\nPING\r\n")
        .await;
    r.expect(b"HMSG reply 1 35 35\r\nNATS/1.0 503\r\nNats-Subject: foo\r\n\r\n\r\nPONG\r\n")
        .await;
    h.shutdown().await;
}

// go: server/TestTwoTokenPubMatchSingleTokenSub
#[tokio::test]
async fn two_token_pub_does_not_match_single_token_sub() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo 1\r\nPUB foo.bar 5\r\nhello\r\nPING\r\n")
        .await;
    r.expect(b"PONG\r\n").await;
    h.shutdown().await;
}

// go: server/TestWildcardCharsInLiteralSubjectWorks
#[tokio::test]
async fn wildcard_characters_inside_literal_tokens_work() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    for subj in [
        "foo.bar,*,>,baz",
        "foo.bar,*.>",
        "foo.bar.*>",
        "foo.bar>",
        "foo.*bar",
    ] {
        r.send(format!("SUB {subj} 1\r\nPUB {subj} 2\r\nok\r\nUNSUB 1\r\nPING\r\n").as_bytes())
            .await;
        r.expect(format!("MSG {subj} 1 2\r\nok\r\nPONG\r\n").as_bytes())
            .await;
    }
    h.shutdown().await;
}
