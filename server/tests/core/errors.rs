//! Protocol errors: the exact `-ERR` texts and whether the connection closes, as the Go server does.

use crate::support::*;
use server::Options;

fn proto_opts() -> Options {
    // Go's test/proto_test.go runs with max_control_line 256.
    Options {
        max_control_line: 256,
        ..Options::for_test()
    }
}

// go: test/TestProtoErr
// go: test/TestPubToArgState
// go: test/TestSubToArgState
#[tokio::test]
async fn unknown_operations_get_unknown_protocol_operation_and_close() {
    let h = start(proto_opts()).await;
    for bad in [
        &b"ZZZ"[..],
        b"PUBS foo 2\r\nok\r\n",
        b"SUBZZZ foo 1\r\n",
        b"RS+ $G foo\r\n",
        b"MSG foo 1 2\r\nok\r\n",
    ] {
        let mut r = Raw::quiet(&h).await;
        r.send(bad).await;
        r.expect_close_after(b"-ERR 'Unknown Protocol Operation'\r\n")
            .await;
    }
    h.shutdown().await;
}

// go: test/TestControlLineMaximums
#[tokio::test]
async fn control_line_over_max_is_an_error_and_closes() {
    let h = start(proto_opts()).await;
    let mut r = Raw::quiet(&h).await;
    let mut line = b"PUB foo ".to_vec();
    line.extend(std::iter::repeat_n(b'2', 320));
    r.send(&line).await;
    r.expect_close_after(b"-ERR 'maximum control line exceeded'\r\n")
        .await;
    h.shutdown().await;
}

// go: test/TestIncompletePubArg
#[tokio::test]
async fn payload_longer_than_declared_is_a_protocol_error() {
    let h = start(proto_opts()).await;
    let mut r = Raw::quiet(&h).await;
    let good = format!("{}\r\n", "A".repeat(10000));
    let bad = "B".repeat(3371);
    let bad2 = format!("{}\r\n", "C".repeat(10000));
    let pub_ = "PUB example 10000\r\n";
    r.send(format!("{pub_}{good}{pub_}{good}{pub_}{bad}{pub_}{bad2}").as_bytes())
        .await;
    let got =
        String::from_utf8_lossy(&r.drain_for(std::time::Duration::from_secs(2)).await).into_owned();
    assert!(got.starts_with("-ERR '"), "expected an -ERR, got {got:?}");
    h.shutdown().await;
}

// go: test/TestMaxPayload
#[tokio::test]
async fn payload_over_max_payload_is_a_violation_and_closes() {
    let h = start(Options {
        max_payload: 1024,
        ..Options::for_test()
    })
    .await;
    let (mut r, info) = Raw::connect(&h).await;
    assert_eq!(info["max_payload"], 1024);
    r.send(b"CONNECT {\"verbose\":false}\r\nPUB foo 1025\r\n")
        .await;
    r.expect_close_after(b"-ERR 'Maximum Payload Violation'\r\n")
        .await;
    // Exactly max_payload is fine.
    let mut ok = Raw::quiet(&h).await;
    ok.send(
        format!(
            "SUB foo 1\r\nPUB foo 1024\r\n{}\r\nPING\r\n",
            "x".repeat(1024)
        )
        .as_bytes(),
    )
    .await;
    ok.expect(format!("MSG foo 1 1024\r\n{}\r\nPONG\r\n", "x".repeat(1024)).as_bytes())
        .await;
    h.shutdown().await;
}

// go: test/TestPedanticSub
#[tokio::test]
async fn invalid_sub_subjects_get_invalid_subject_and_stay_open() {
    let h = start_default().await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"pedantic":true}"#).await;
    for subj in ["foo.", ".foo.", "foo..bar", "foo.>.bar"] {
        r.send(format!("SUB {subj} 1\r\n").as_bytes()).await;
        r.expect(b"-ERR 'Invalid Subject'\r\n").await;
    }
    r.expect_open_and_idle().await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 0);
    h.shutdown().await;
}

// go: test/TestPedanticPub
#[tokio::test]
async fn pedantic_publish_to_invalid_subject_is_an_error_but_stays_open() {
    let h = start_default().await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"pedantic":true}"#).await;
    for subj in ["foo.*", "foo.>", "foo.", ".foo", "foo..*"] {
        r.send(format!("PUB {subj} 2\r\nok\r\n").as_bytes()).await;
        r.expect(b"-ERR 'Invalid Publish Subject'\r\n").await;
    }
    r.expect_open_and_idle().await;
    // Without pedantic, the same publishes are accepted silently.
    let mut q = Raw::quiet(&h).await;
    q.send(b"PUB foo.* 2\r\nok\r\n").await;
    q.expect_open_and_idle().await;
    h.shutdown().await;
}

#[tokio::test]
async fn bad_arguments_close_without_an_error() {
    let h = start_default().await;
    for bad in [
        &b"PUB foo\r\n"[..],
        b"PUB foo bar baz 2\r\n",
        b"PUB foo -1\r\n",
        b"PUB foo abc\r\n",
        b"SUB foo\r\n",
        b"UNSUB \r\n",
    ] {
        let mut r = Raw::quiet(&h).await;
        r.send(bad).await;
        r.expect_close_after(b"").await;
    }
    h.shutdown().await;
}

#[tokio::test]
async fn bad_connect_json_closes_without_an_error() {
    let h = start_default().await;
    let (mut r, _) = Raw::connect(&h).await;
    r.send(b"CONNECT {\"verbose\":false\r\n").await;
    r.expect_close_after(b"").await;
    let (mut r, _) = Raw::connect(&h).await;
    r.send(b"CONNECT {\"verbose\":\"yes\"}\r\n").await;
    r.expect_close_after(b"").await;
    h.shutdown().await;
}

#[tokio::test]
async fn hpub_without_headers_closes_without_an_error() {
    let h = start_default().await;
    let mut r = Raw::connected(&h, r#"{"verbose":false}"#).await;
    r.send(b"HPUB foo 12 14\r\nNATS/1.0\r\n\r\nok\r\n").await;
    r.expect_close_after(b"").await;
    h.shutdown().await;
}

// go: server/TestClientConnectProto
#[tokio::test]
async fn invalid_client_protocol_and_no_responders_without_headers() {
    let h = start_default().await;
    for ok in [0, 1] {
        let mut r = Raw::connected(
            &h,
            &format!(r#"{{"verbose":true,"pedantic":true,"tls_required":false,"protocol":{ok}}}"#),
        )
        .await;
        r.expect(b"+OK\r\n").await;
        r.expect_open_and_idle().await;
    }
    let mut r = Raw::connected(&h, r#"{"protocol":22}"#).await;
    r.expect_close_after(b"-ERR 'invalid client protocol'\r\n")
        .await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"protocol":2}"#).await;
    r.expect_close_after(b"-ERR 'invalid client protocol'\r\n")
        .await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"protocol":-1}"#).await;
    r.expect_close_after(b"-ERR 'invalid client protocol'\r\n")
        .await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"no_responders":true}"#).await;
    r.expect_close_after(b"-ERR 'no responders requires headers support'\r\n")
        .await;
    // An account in CONNECT without operator mode is an authorization failure.
    let mut r = Raw::connected(&h, r#"{"verbose":false,"account":"A"}"#).await;
    r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    h.shutdown().await;
}

#[tokio::test]
async fn err_from_client_closes_and_info_ok_are_ignored() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"INFO {}\r\n+OK\r\n").await;
    r.expect_open_and_idle().await;
    r.send(b"-ERR 'boom'\r\n").await;
    r.expect_close_after(b"").await;
    // An INFO the Go server could not decode closes the connection silently.
    let mut r = Raw::quiet(&h).await;
    r.send(b"INFO {\"port\":\"x\"}\r\n").await;
    r.expect_close_after(b"").await;
    h.shutdown().await;
}

// go: server/TestClientCheckUseOfGWReplyPrefix
#[tokio::test]
async fn reserved_reply_prefixes_are_refused() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"PUB _GR_.anything 2\r\nok\r\n").await;
    r.expect(b"-ERR 'Permissions Violation for Publish to \"_GR_.anything\"'\r\n")
        .await;
    r.send(b"SUB foo 1\r\nPUB foo _GR_.123456.123456.bar 2\r\nok\r\n")
        .await;
    r.expect(
        b"-ERR 'Permissions Violation for Publish with Reply of \"_GR_.123456.123456.bar\"'\r\n",
    )
    .await;
    r.expect_open_and_idle().await;
    h.shutdown().await;
}

#[tokio::test]
async fn garbage_does_not_hurt_other_clients() {
    let h = start_default().await;
    let mut good = Raw::quiet(&h).await;
    good.send(b"SUB foo 1\r\nPING\r\n").await;
    good.expect(b"PONG\r\n").await;
    let mut seed = 0x1234_5678_u64;
    for _ in 0..50 {
        let (mut r, _) = Raw::connect(&h).await;
        let mut junk = Vec::with_capacity(512);
        for _ in 0..512 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            junk.push(seed as u8);
        }
        r.send(&junk).await;
        let _ = r.drain_for(std::time::Duration::from_millis(20)).await;
    }
    let mut p = Raw::quiet(&h).await;
    p.send(b"PUB foo 2\r\nok\r\n").await;
    good.expect(b"MSG foo 1 2\r\nok\r\n").await;
    h.shutdown().await;
}

// go: server/TestClientDenySysGroupSub
#[tokio::test]
async fn reserved_sys_queue_group_is_refused() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"SUB foo _sys_ 1\r\n").await;
    r.expect(b"-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"_sys_\"'\r\n")
        .await;
    r.expect_open_and_idle().await;
    assert_eq!(h.shared.accounts.global().sublist.count(), 0);
    h.shutdown().await;
}

#[tokio::test]
async fn clients_may_not_publish_raft_subjects() {
    let h = start_default().await;
    let mut r = Raw::quiet(&h).await;
    r.send(b"PUB $NRG.foo 2\r\nok\r\n").await;
    r.expect(b"-ERR 'Permissions Violation for Publish to \"$NRG.foo\"'\r\n")
        .await;
    r.expect_open_and_idle().await;
    h.shutdown().await;
}
