//! Atomic batch publish (`allow_atomic`) through the wire: staging with empty acks, the commit
//! PubAck with `batch` and `count`, `eob` commits, gaps, limits and timeouts from
//! `jetstream { limits { batch {...} } }`, the consistency checks run over the whole batch
//! (duplicates, expected sequences, rollups, unsupported headers, discard new), counters inside
//! a batch and the stored messages after a restart. Expected answers were taken from the Go
//! server 2.15.1.

use std::time::Duration;

use async_nats::HeaderMap;
use serde_json::{json, Value};

use crate::support::*;
use server::Options;

fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

async fn req(nc: &async_nats::Client, subject: &str, body: Value) -> Value {
    let m = tokio::time::timeout(
        WAIT,
        nc.request(subject.to_string(), body.to_string().into()),
    )
    .await
    .expect("answer in time")
    .expect("answer");
    serde_json::from_slice(&m.payload).expect("JSON answer")
}

async fn create(nc: &async_nats::Client, cfg: Value) {
    let name = cfg["name"].as_str().unwrap_or_default().to_string();
    let r = req(nc, &format!("$JS.API.STREAM.CREATE.{name}"), cfg).await;
    assert!(r["error"].is_null(), "{r}");
}

fn headers(hdrs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in hdrs {
        h.insert(*k, *v);
    }
    h
}

/// Publish with headers and a reply; the raw answer (empty for a staged message).
async fn hpub(
    nc: &async_nats::Client,
    subject: &str,
    hdrs: &[(&str, &str)],
    body: &[u8],
) -> String {
    let m = tokio::time::timeout(
        WAIT,
        nc.request_with_headers(subject.to_string(), headers(hdrs), body.to_vec().into()),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    String::from_utf8_lossy(&m.payload).into_owned()
}

/// Publish without a reply.
async fn hpub_noreply(nc: &async_nats::Client, subject: &str, hdrs: &[(&str, &str)]) {
    nc.publish_with_headers(subject.to_string(), headers(hdrs), "".into())
        .await
        .unwrap();
}

/// A batch message's headers.
fn b<'a>(id: &'a str, seq: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("Nats-Batch-Id", id), ("Nats-Batch-Sequence", seq)]
}

fn with<'a>(
    mut h: Vec<(&'a str, &'a str)>,
    more: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    h.extend_from_slice(more);
    h
}

fn err(stream: &str, code: u16, err_code: u32, text: &str) -> String {
    format!(
        r#"{{"error":{{"code":{code},"err_code":{err_code},"description":"{text}"}},"stream":"{stream}","seq":0}}"#
    )
}

fn incomplete(stream: &str) -> String {
    err(stream, 400, 10176, "atomic publish batch is incomplete")
}

async fn msg(nc: &async_nats::Client, stream: &str, seq: u64) -> (String, String, String) {
    use base64::Engine;
    let r = req(
        nc,
        &format!("$JS.API.STREAM.MSG.GET.{stream}"),
        json!({ "seq": seq }),
    )
    .await;
    let b64 = |v: &Value| {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str().unwrap_or_default())
                .unwrap_or_default(),
        )
        .unwrap_or_default()
    };
    let m = &r["message"];
    (
        m["subject"].as_str().unwrap_or_default().to_string(),
        sorted_headers(&b64(&m["hdrs"])),
        b64(&m["data"]),
    )
}

/// A header block's lines after the status line, sorted (the client sends them in any order).
fn sorted_headers(h: &str) -> String {
    let mut lines: Vec<&str> = h.split("\r\n").skip(1).filter(|l| !l.is_empty()).collect();
    lines.sort();
    lines.join("|")
}

async fn msgs(nc: &async_nats::Client, stream: &str) -> u64 {
    let r = req(nc, &format!("$JS.API.STREAM.INFO.{stream}"), json!({})).await;
    r["state"]["messages"].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn a_batch_is_staged_then_committed_and_survives_a_restart() {
    let dir = TempDir::new("js-batch-basic");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(&nc, json!({"name":"NA","subjects":["na"]})).await;
    assert_eq!(
        hpub(&nc, "na", &b("uuid", "1"), b"").await,
        err("NA", 400, 10174, "atomic publish is disabled")
    );
    create(
        &nc,
        json!({"name":"TEST","subjects":["foo.*"],"storage":"file","allow_atomic":true}),
    )
    .await;
    let missing_seq = err("TEST", 400, 10175, "atomic publish sequence is missing");
    assert_eq!(
        hpub(&nc, "foo.0", &[("Nats-Batch-Id", "uuid")], b"").await,
        missing_seq
    );
    assert_eq!(hpub(&nc, "foo.0", &b("uuid", "x"), b"").await, missing_seq);
    let long = "x".repeat(65);
    assert_eq!(
        hpub(&nc, "foo.0", &b(&long, "1"), b"").await,
        err("TEST", 400, 10179, "atomic publish batch ID is invalid")
    );
    // A batch must start at 1.
    assert_eq!(
        hpub(&nc, "foo.0", &b("uuid", "2"), b"").await,
        incomplete("TEST")
    );
    // Staged messages get an empty ack and are not in the stream yet.
    for i in 1..=4 {
        let seq = i.to_string();
        let subj = format!("foo.{i}");
        assert_eq!(
            hpub(&nc, &subj, &b("uuid", &seq), subj.as_bytes()).await,
            ""
        );
    }
    assert_eq!(msgs(&nc, "TEST").await, 0);
    assert_eq!(
        hpub(
            &nc,
            "foo.5",
            &with(b("uuid", "5"), &[("Nats-Batch-Commit", "1")]),
            b"foo.5"
        )
        .await,
        r#"{"stream":"TEST","seq":5,"batch":"uuid","count":5}"#
    );
    assert_eq!(msgs(&nc, "TEST").await, 5);
    // The headers stay on the stored messages.
    let (subj, hdrs, data) = msg(&nc, "TEST", 5).await;
    assert_eq!((subj.as_str(), data.as_str()), ("foo.5", "foo.5"));
    assert_eq!(
        hdrs,
        "Nats-Batch-Commit: 1|Nats-Batch-Id: uuid|Nats-Batch-Sequence: 5"
    );
    // The id can be used again once committed; a one-message batch commits at once.
    assert_eq!(
        hpub(
            &nc,
            "foo.6",
            &with(b("uuid", "1"), &[("Nats-Batch-Commit", "1")]),
            b""
        )
        .await,
        r#"{"stream":"TEST","seq":6,"batch":"uuid","count":1}"#
    );
    drop(nc);
    h.shutdown().await;

    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    assert_eq!(msgs(&nc, "TEST").await, 6);
    for i in 1..=5u64 {
        let (subj, _, data) = msg(&nc, "TEST", i).await;
        assert_eq!(subj, format!("foo.{i}"));
        assert_eq!(data, format!("foo.{i}"));
    }
    h.shutdown().await;
}

#[tokio::test]
async fn gaps_abandon_the_batch_and_nothing_is_stored() {
    let dir = TempDir::new("js-batch-gaps");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    for (storage, retention) in [("file", "limits"), ("memory", "workqueue")] {
        let name = format!("T{storage}");
        create(&nc, json!({"name":name,"subjects":[format!("{storage}.>")],"storage":storage,"retention":retention,"allow_atomic":true})).await;
        let subj = format!("{storage}.a");
        hpub_noreply(&nc, &subj, &b("uuid", "1")).await;
        assert_eq!(
            hpub(&nc, &subj, &b("uuid", "3"), b"").await,
            incomplete(&name)
        );
        // The batch is gone: its next message is not a start either.
        assert_eq!(
            hpub(
                &nc,
                &subj,
                &with(b("uuid", "2"), &[("Nats-Batch-Commit", "1")]),
                b""
            )
            .await,
            incomplete(&name)
        );
        assert_eq!(msgs(&nc, &name).await, 0);
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAtomicBatchPublishCommitEobMaxBatchSize
#[tokio::test]
async fn an_end_of_batch_commit_is_not_stored_or_counted() {
    let dir = TempDir::new("js-batch-eob");
    let mut o = js_opts(&dir);
    o.js.limits.batch_max_msgs = 3;
    let h = start(o).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(
        &nc,
        json!({"name":"TEST","subjects":["foo"],"storage":"file","allow_atomic":true}),
    )
    .await;
    // Committing at once with eob is an incomplete batch.
    assert_eq!(
        hpub(
            &nc,
            "foo",
            &with(b("uuid0", "1"), &[("Nats-Batch-Commit", "eob")]),
            b""
        )
        .await,
        incomplete("TEST")
    );
    for seq in ["1", "2", "3"] {
        hpub_noreply(&nc, "foo", &b("uuid", seq)).await;
    }
    assert_eq!(
        hpub(
            &nc,
            "foo",
            &with(b("uuid", "4"), &[("Nats-Batch-Commit", "eob")]),
            b"ignored"
        )
        .await,
        r#"{"stream":"TEST","seq":3,"batch":"uuid","count":3}"#
    );
    assert_eq!(msgs(&nc, "TEST").await, 3);
    // The last stored message carries the commit header.
    assert_eq!(
        msg(&nc, "TEST", 3).await.1,
        "Nats-Batch-Commit: 1|Nats-Batch-Id: uuid|Nats-Batch-Sequence: 3"
    );
    assert_eq!(
        msg(&nc, "TEST", 2).await.1,
        "Nats-Batch-Id: uuid|Nats-Batch-Sequence: 2"
    );
    // One more than the maximum is too large, even with an eob commit.
    for seq in ["1", "2", "3"] {
        hpub_noreply(&nc, "foo", &b("uuid2", seq)).await;
    }
    let too_large = err("TEST", 400, 10199, "atomic publish batch is too large: 3");
    assert_eq!(hpub(&nc, "foo", &b("uuid2", "4"), b"").await, too_large);
    // An unknown batch's eob at max+1 would hold max messages: incomplete, not too large.
    assert_eq!(
        hpub(
            &nc,
            "foo",
            &with(b("uuid3", "4"), &[("Nats-Batch-Commit", "eob")]),
            b""
        )
        .await,
        incomplete("TEST")
    );
    assert_eq!(hpub(&nc, "foo", &b("uuid3", "5"), b"").await, too_large);
    assert_eq!(msgs(&nc, "TEST").await, 3);
    h.shutdown().await;
}

#[tokio::test]
async fn inflight_limits_and_the_batch_timeout() {
    let dir = TempDir::new("js-batch-limits");
    let mut o = js_opts(&dir);
    o.js.limits.batch_inflight_per_stream = 1;
    o.js.limits.batch_inflight_total = 2;
    o.js.limits.batch_timeout = Duration::from_millis(500);
    let h = start(o).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    for n in ["A", "B", "D"] {
        create(
            &nc,
            json!({"name":n,"subjects":[n.to_lowercase()],"allow_atomic":true}),
        )
        .await;
    }
    let too_many = |s: &str| err(s, 429, 10210, "atomic publish too many inflight");
    assert_eq!(hpub(&nc, "a", &b("x", "1"), b"").await, "");
    assert_eq!(hpub(&nc, "a", &b("y", "1"), b"").await, too_many("A"));
    assert_eq!(hpub(&nc, "b", &b("x", "1"), b"").await, "");
    assert_eq!(hpub(&nc, "d", &b("x", "1"), b"").await, too_many("D"));
    // Abandoned after the timeout: the slots free up and the batch is gone.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(hpub(&nc, "a", &b("x", "2"), b"").await, incomplete("A"));
    assert_eq!(hpub(&nc, "d", &b("x", "1"), b"").await, "");
    assert_eq!(
        hpub(
            &nc,
            "d",
            &with(b("x", "2"), &[("Nats-Batch-Commit", "1")]),
            b""
        )
        .await,
        r#"{"stream":"D","seq":2,"batch":"x","count":2}"#
    );
    h.shutdown().await;
}

#[tokio::test]
async fn batch_limits_are_read_from_the_config_file() {
    let dir = TempDir::new("js-batch-conf");
    let conf = dir.0.join("batch.conf");
    std::fs::write(
        &conf,
        "jetstream { limits { batch { max_inflight_per_stream: 10, max_inflight_total: 20, max_msgs: 100, timeout: \"5s\" } } }\n",
    )
    .unwrap();
    let mut o = Options::default();
    server::config::options::load_file(&mut o, &conf).expect("config");
    assert_eq!(o.js.limits.batch_inflight_per_stream, 10);
    assert_eq!(o.js.limits.batch_inflight_total, 20);
    assert_eq!(o.js.limits.batch_max_msgs, 100);
    assert_eq!(o.js.limits.batch_timeout, Duration::from_secs(5));
}

// go: server/TestJetStreamAtomicBatchPublishCommitUnsupported
#[tokio::test]
async fn unsupported_commits_and_api_levels_reject_the_batch() {
    let dir = TempDir::new("js-batch-commit");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(
        &nc,
        json!({"name":"TEST","subjects":["foo"],"storage":"memory","allow_atomic":true}),
    )
    .await;
    for commit in ["", "unsupported", "0"] {
        assert_eq!(hpub(&nc, "foo", &b("uuid", "1"), b"").await, "");
        assert_eq!(
            hpub(
                &nc,
                "foo",
                &with(b("uuid", "2"), &[("Nats-Batch-Commit", commit)]),
                b""
            )
            .await,
            err("TEST", 400, 10200, "atomic publish batch commit is invalid")
        );
        // No batch is left behind.
        assert_eq!(
            hpub(&nc, "foo", &b("uuid", "3"), b"").await,
            incomplete("TEST")
        );
    }
    let commit = with(b("uuid", "1"), &[("Nats-Batch-Commit", "1")]);
    let max = i64::MAX.to_string();
    assert_eq!(
        hpub(
            &nc,
            "foo",
            &with(commit.clone(), &[("Nats-Required-Api-Level", &max)]),
            b""
        )
        .await,
        err("TEST", 412, 10185, "JetStream minimum api level required")
    );
    assert_eq!(
        hpub(
            &nc,
            "foo",
            &with(commit, &[("Nats-Required-Api-Level", "0")]),
            b""
        )
        .await,
        r#"{"stream":"TEST","seq":1,"batch":"uuid","count":1}"#
    );
    // The level header is not stored.
    assert_eq!(
        msg(&nc, "TEST", 1).await.1,
        "Nats-Batch-Commit: 1|Nats-Batch-Id: uuid|Nats-Batch-Sequence: 1"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn consistency_checks_run_over_the_whole_batch() {
    let dir = TempDir::new("js-batch-checks");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(
        &nc,
        json!({"name":"A","subjects":["a.>"],"allow_atomic":true,"allow_rollup_hdrs":true}),
    )
    .await;
    let c1 = [("Nats-Batch-Commit", "1")];
    // Duplicates inside the batch and with the stream.
    let dup = err(
        "A",
        400,
        10201,
        "atomic publish batch contains duplicate message id",
    );
    hpub_noreply(&nc, "a.1", &with(b("b1", "1"), &[("Nats-Msg-Id", "m1")])).await;
    assert_eq!(
        hpub(
            &nc,
            "a.1",
            &with(b("b1", "2"), &[("Nats-Msg-Id", "m1"), c1[0]]),
            b""
        )
        .await,
        dup
    );
    assert_eq!(
        hpub(
            &nc,
            "a.1",
            &with(b("b2", "1"), &[("Nats-Msg-Id", "m2"), c1[0]]),
            b""
        )
        .await,
        r#"{"stream":"A","seq":1,"batch":"b2","count":1}"#
    );
    assert_eq!(
        hpub(
            &nc,
            "a.1",
            &with(b("b3", "1"), &[("Nats-Msg-Id", "m2"), c1[0]]),
            b""
        )
        .await,
        dup
    );
    assert_eq!(
        hpub(
            &nc,
            "a.1",
            &with(b("b4", "1"), &[("Nats-Expected-Last-Msg-Id", "m2"), c1[0]]),
            b""
        )
        .await,
        err(
            "A",
            400,
            10177,
            "atomic publish unsupported header used: Nats-Expected-Last-Msg-Id"
        )
    );
    // Only the first message may expect the last sequence.
    assert_eq!(
        hpub(
            &nc,
            "a.1",
            &with(b("b5", "1"), &[("Nats-Expected-Last-Sequence", "1"), c1[0]]),
            b""
        )
        .await,
        r#"{"stream":"A","seq":2,"batch":"b5","count":1}"#
    );
    hpub_noreply(&nc, "a.1", &b("b6", "1")).await;
    assert_eq!(
        hpub(
            &nc,
            "a.1",
            &with(b("b6", "2"), &[("Nats-Expected-Last-Sequence", "3"), c1[0]]),
            b""
        )
        .await,
        err("A", 400, 10164, "wrong last sequence")
    );
    assert_eq!(
        hpub(
            &nc,
            "a.1",
            &with(b("b7", "1"), &[("Nats-Expected-Last-Sequence", "1"), c1[0]]),
            b""
        )
        .await,
        err("A", 400, 10071, "wrong last sequence: 2")
    );
    // A subject written earlier in the batch cannot be expected on.
    hpub_noreply(&nc, "a.q", &b("b8", "1")).await;
    assert_eq!(
        hpub(
            &nc,
            "a.q",
            &with(
                b("b8", "2"),
                &[("Nats-Expected-Last-Subject-Sequence", "0"), c1[0]]
            ),
            b""
        )
        .await,
        err("A", 400, 10164, "wrong last sequence")
    );
    // Rollups only where they cannot undo the batch's own messages.
    hpub_noreply(&nc, "a.r", &b("b9", "1")).await;
    assert_eq!(
        hpub(
            &nc,
            "a.r",
            &with(b("b9", "2"), &[("Nats-Rollup", "all"), c1[0]]),
            b""
        )
        .await,
        err("A", 500, 10111, "batch rollup all invalid")
    );
    hpub_noreply(&nc, "a.r", &b("b10", "1")).await;
    assert_eq!(
        hpub(
            &nc,
            "a.r",
            &with(b("b10", "2"), &[("Nats-Rollup", "sub"), c1[0]]),
            b""
        )
        .await,
        err("A", 500, 10111, "batch rollup sub invalid")
    );
    // Per-message rules still apply.
    assert_eq!(
        hpub(
            &nc,
            "a.r",
            &with(b("b11", "1"), &[("Nats-TTL", "5s"), c1[0]]),
            b""
        )
        .await,
        err("A", 400, 10166, "per-message TTL is disabled")
    );
    assert_eq!(
        hpub(
            &nc,
            "a.r",
            &with(b("b12", "1"), &[("Nats-Incr", "1"), c1[0]]),
            b""
        )
        .await,
        err("A", 400, 10168, "message counters is disabled")
    );
    assert_eq!(
        hpub(
            &nc,
            "a.r",
            &with(b("b13", "1"), &[("Nats-Expected-Stream", "Z"), c1[0]]),
            b""
        )
        .await,
        err("A", 400, 10060, "expected stream does not match")
    );
    // Nothing of the failed batches was stored.
    assert_eq!(msgs(&nc, "A").await, 2);

    // Discard new counts the whole batch against the limits.
    create(
        &nc,
        json!({"name":"DN","subjects":["dn"],"allow_atomic":true,"discard":"new","max_msgs":2}),
    )
    .await;
    hpub_noreply(&nc, "dn", &b("d1", "1")).await;
    hpub_noreply(&nc, "dn", &b("d1", "2")).await;
    assert_eq!(
        hpub(&nc, "dn", &with(b("d1", "3"), &c1), b"").await,
        err("DN", 503, 10077, "maximum messages exceeded")
    );
    assert_eq!(msgs(&nc, "DN").await, 0);
    h.shutdown().await;
}

// go: server/TestJetStreamAtomicBatchPublishExpectedSeq
#[tokio::test]
async fn a_one_message_batch_may_expect_the_last_sequence() {
    let dir = TempDir::new("js-batch-expseq");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(
        &nc,
        json!({"name":"TEST","subjects":["foo"],"storage":"file","allow_atomic":true}),
    )
    .await;
    assert_eq!(
        hpub(&nc, "foo", &[], b"hello").await,
        r#"{"stream":"TEST","seq":1}"#
    );
    assert_eq!(
        hpub(
            &nc,
            "foo",
            &[("Nats-Expected-Last-Sequence", "1")],
            b"hello"
        )
        .await,
        r#"{"stream":"TEST","seq":2}"#
    );
    assert_eq!(
        hpub(
            &nc,
            "foo",
            &with(
                b("uuid", "1"),
                &[
                    ("Nats-Expected-Last-Sequence", "2"),
                    ("Nats-Batch-Commit", "1")
                ]
            ),
            b""
        )
        .await,
        r#"{"stream":"TEST","seq":3,"batch":"uuid","count":1}"#
    );
    h.shutdown().await;
}

// go: server/TestJetStreamAtomicBatchPublishExpectedLastSubjectSequence
#[tokio::test]
async fn batch_messages_expect_last_sequences_of_other_subjects() {
    let dir = TempDir::new("js-batch-expsubj");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(
        &nc,
        json!({"name":"TEST","subjects":["foo.*"],"storage":"file","allow_atomic":true}),
    )
    .await;
    hpub(&nc, "foo.A", &[], b"").await;
    hpub(&nc, "foo.B", &[], b"").await;
    assert_eq!(
        hpub(
            &nc,
            "foo.A",
            &with(
                b("uuid", "1"),
                &[
                    ("Nats-Expected-Last-Sequence", "2"),
                    ("Nats-Expected-Last-Subject-Sequence", "1"),
                    ("Nats-Expected-Last-Subject-Sequence-Subject", "foo.A"),
                ]
            ),
            b""
        )
        .await,
        ""
    );
    assert_eq!(
        hpub(
            &nc,
            "foo.B",
            &with(
                b("uuid", "2"),
                &[
                    ("Nats-Batch-Commit", "1"),
                    ("Nats-Expected-Last-Subject-Sequence", "2"),
                    ("Nats-Expected-Last-Subject-Sequence-Subject", "foo.B"),
                ]
            ),
            b""
        )
        .await,
        r#"{"stream":"TEST","seq":4,"batch":"uuid","count":2}"#
    );
    h.shutdown().await;
}

// go: server/TestJetStreamAtomicBatchPublishExpectedLastSubjectSequenceOwnership
#[tokio::test]
async fn expected_subject_sequences_with_wildcard_filters_in_a_batch() {
    let dir = TempDir::new("js-batch-ownership");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(
        &nc,
        json!({"name":"EVENTS","subjects":["events.>"],"storage":"memory","allow_atomic":true}),
    )
    .await;
    let entry = "diary.entry_BBBBBBBBBBBBBBBBBBBBBBBB";
    let old_day = "diary-day.day_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
    let target_day = "diary-day.day_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let mutation = "mutation.mut_DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD";
    let mut entities: Vec<String> = (1..=19).map(|i| format!("seed.entity_{i:02}")).collect();
    entities[10] = target_day.into();
    entities[17] = entry.into();
    entities[18] = old_day.into();
    for (i, e) in entities.iter().enumerate() {
        assert_eq!(
            hpub(&nc, &format!("events.{e}.balance"), &[], b"").await,
            format!(r#"{{"stream":"EVENTS","seq":{}}}"#, i + 1)
        );
    }
    let batch = [entry, old_day, target_day, mutation];
    let expected = ["18", "19", "11", "0"];
    for (i, e) in batch.iter().enumerate() {
        let filter = format!("events.{e}.*");
        let seq = (i + 1).to_string();
        let mut h = with(
            b("uuid", &seq),
            &[
                ("Nats-Expected-Last-Subject-Sequence-Subject", &filter),
                ("Nats-Expected-Last-Subject-Sequence", expected[i]),
            ],
        );
        let subj = format!("events.{e}.balance");
        if i == batch.len() - 1 {
            h.push(("Nats-Batch-Commit", "1"));
            assert_eq!(
                hpub(&nc, &subj, &h, b"").await,
                r#"{"stream":"EVENTS","seq":23,"batch":"uuid","count":4}"#
            );
        } else if i == 0 {
            assert_eq!(hpub(&nc, &subj, &h, b"").await, "");
        } else {
            hpub_noreply(&nc, &subj, &h).await;
        }
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAtomicBatchPublishCounterSingleServer
#[tokio::test]
async fn counter_increments_in_a_batch_store_running_totals() {
    let dir = TempDir::new("js-batch-counter");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    for storage in ["file", "memory"] {
        let name = format!("T{storage}");
        let subj = format!("{storage}.foo");
        create(&nc, json!({"name":name,"subjects":[subj],"storage":storage,"allow_atomic":true,"allow_msg_counter":true})).await;
        hpub_noreply(&nc, &subj, &with(b("uuid", "1"), &[("Nats-Incr", "1")])).await;
        assert_eq!(
            hpub(
                &nc,
                &subj,
                &with(
                    b("uuid", "2"),
                    &[("Nats-Batch-Commit", "1"), ("Nats-Incr", "2")]
                ),
                b""
            )
            .await,
            format!(r#"{{"stream":"{name}","seq":2,"batch":"uuid","count":2}}"#)
        );
        assert_eq!(msg(&nc, &name, 1).await.2, r#"{"val":"1"}"#);
        assert_eq!(msg(&nc, &name, 2).await.2, r#"{"val":"3"}"#);
        assert_eq!(
            hpub(&nc, &subj, &[("Nats-Incr", "5")], b"").await,
            format!(r#"{{"stream":"{name}","seq":3,"val":"8"}}"#)
        );
        assert_eq!(msg(&nc, &name, 3).await.2, r#"{"val":"8"}"#);
        // Every message of a batch on a counter stream must increment.
        assert_eq!(
            hpub(
                &nc,
                &subj,
                &with(b("u2", "1"), &[("Nats-Batch-Commit", "1")]),
                b""
            )
            .await,
            format!(
                r#"{{"error":{{"code":400,"err_code":10169,"description":"message counter increment is missing"}},"stream":"{name}","seq":0}}"#
            )
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn committed_batches_follow_retention_transforms_and_republish() {
    use futures::StreamExt;
    let dir = TempDir::new("js-batch-paths");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let c1 = ("Nats-Batch-Commit", "1");
    // Interest retention without consumers keeps nothing, but the batch is acknowledged.
    create(&nc, json!({"name":"I","subjects":["i"],"allow_atomic":true,"retention":"interest","storage":"memory"})).await;
    assert_eq!(hpub(&nc, "i", &b("x", "1"), b"").await, "");
    assert_eq!(
        hpub(&nc, "i", &with(b("x", "2"), &[c1]), b"").await,
        r#"{"stream":"I","seq":2,"batch":"x","count":2}"#
    );
    let r = req(&nc, "$JS.API.STREAM.INFO.I", json!({})).await;
    assert_eq!(
        (
            r["state"]["messages"].as_u64(),
            r["state"]["last_seq"].as_u64()
        ),
        (Some(0), Some(2))
    );
    // The input transform applies to each message of the batch.
    create(&nc, json!({"name":"T","subjects":["t.*"],"allow_atomic":true,"subject_transform":{"src":"t.*","dest":"tt.{{wildcard(1)}}"}})).await;
    hpub_noreply(&nc, "t.a", &b("x", "1")).await;
    assert_eq!(
        hpub(&nc, "t.b", &with(b("x", "2"), &[c1]), b"").await,
        r#"{"stream":"T","seq":2,"batch":"x","count":2}"#
    );
    assert_eq!(msg(&nc, "T", 1).await.0, "tt.a");
    assert_eq!(msg(&nc, "T", 2).await.0, "tt.b");
    // Every committed message is republished, none while staged.
    create(&nc, json!({"name":"R","subjects":["r.>"],"allow_atomic":true,"republish":{"src":"r.>","dest":"rp.>"}})).await;
    let mut sub = nc.subscribe("rp.>").await.unwrap();
    nc.flush().await.unwrap();
    assert_eq!(hpub(&nc, "r.a", &b("x", "1"), b"one").await, "");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), sub.next())
            .await
            .is_err(),
        "nothing republished before the commit"
    );
    assert_eq!(
        hpub(&nc, "r.b", &with(b("x", "2"), &[c1]), b"two").await,
        r#"{"stream":"R","seq":2,"batch":"x","count":2}"#
    );
    for (subj, seq, body) in [("rp.a", "1", "one"), ("rp.b", "2", "two")] {
        let m = tokio::time::timeout(WAIT, sub.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.subject.as_str(), subj);
        assert_eq!(m.payload.as_ref(), body.as_bytes());
        let h = m.headers.unwrap();
        assert_eq!(h.get("Nats-Sequence").map(|v| v.as_str()), Some(seq));
        assert_eq!(h.get("Nats-Batch-Sequence").map(|v| v.as_str()), Some(seq));
    }
    // A stream that stops allowing batches refuses them again.
    let r = req(
        &nc,
        "$JS.API.STREAM.UPDATE.R",
        json!({"name":"R","subjects":["r.>"]}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(
        hpub(&nc, "r.a", &b("y", "1"), b"").await,
        err("R", 400, 10174, "atomic publish is disabled")
    );
    h.shutdown().await;
}

async fn advisory(sub: &mut async_nats::Subscriber) -> Value {
    use futures::StreamExt;
    let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("advisory in time")
        .expect("advisory");
    serde_json::from_slice(&m.payload).expect("JSON advisory")
}

// go: server/TestJetStreamAtomicBatchPublishAdvisories
#[tokio::test]
async fn abandoned_batches_are_advised_in_the_account_and_the_system_account() {
    let dir = TempDir::new("js-batch-adv");
    let conf = dir.0.join("adv.conf");
    std::fs::write(
        &conf,
        format!(
            "listen: \"127.0.0.1:-1\"\njetstream {{ store_dir: {:?}, limits {{ batch {{ timeout: 1s }} }} }}\n\
             accounts {{\n  $SYS {{ users = [ {{ user: admin, pass: s3cr3t }} ] }}\n  \
             A {{ jetstream: enabled, users = [ {{ user: a, pass: a }} ] }}\n}}\n",
            dir.0.join("js").display().to_string()
        ),
    )
    .unwrap();
    let mut o = Options::default();
    server::config::options::load_file(&mut o, &conf).expect("config");
    o.no_signals = true;
    o.no_log = true;
    let h = start(o).await;
    let port = h.port();
    let login = |user: &str, pass: &str| {
        async_nats::ConnectOptions::with_user_and_password(user.into(), pass.into())
            .connect(format!("127.0.0.1:{port}"))
    };
    let nc = login("a", "a").await.unwrap();
    let sys = login("admin", "s3cr3t").await.unwrap();
    create(
        &nc,
        json!({"name":"TEST","subjects":["foo"],"storage":"file","allow_atomic":true}),
    )
    .await;
    let mut acc_sub = nc
        .subscribe("$JS.EVENT.ADVISORY.STREAM.BATCH_ABANDONED.*")
        .await
        .unwrap();
    let mut sys_sub = sys
        .subscribe("$JS.EVENT.ADVISORY.STREAM.BATCH_ABANDONED.*")
        .await
        .unwrap();
    nc.flush().await.unwrap();
    sys.flush().await.unwrap();
    let check = |adv: &Value, reason: &str, account: Option<&str>| {
        assert_eq!(
            adv["type"],
            "io.nats.jetstream.advisory.v1.stream_batch_abandoned"
        );
        assert_eq!(adv["stream"], "TEST");
        assert_eq!(adv["batch"], "uuid");
        assert_eq!(adv["reason"], reason, "{adv}");
        match account {
            Some(a) => assert_eq!(adv["account"], a),
            None => assert!(adv.get("account").is_none(), "{adv}"),
        }
        assert!(adv["id"].as_str().is_some_and(|s| !s.is_empty()));
    };
    // A gap.
    hpub_noreply(&nc, "foo", &b("uuid", "1")).await;
    hpub_noreply(&nc, "foo", &b("uuid", "3")).await;
    check(&advisory(&mut acc_sub).await, "incomplete", None);
    check(&advisory(&mut sys_sub).await, "incomplete", Some("A"));
    // Too large: the commit of message 1002 (the default limit is 1000).
    for seq in 1..1002 {
        hpub_noreply(&nc, "foo", &b("uuid", &seq.to_string())).await;
    }
    let ack = hpub(
        &nc,
        "foo",
        &with(b("uuid", "1002"), &[("Nats-Batch-Commit", "1")]),
        b"",
    )
    .await;
    assert_eq!(
        ack,
        err(
            "TEST",
            400,
            10199,
            "atomic publish batch is too large: 1000"
        )
    );
    check(&advisory(&mut acc_sub).await, "large", None);
    check(&advisory(&mut sys_sub).await, "large", Some("A"));
    // Timed out.
    hpub_noreply(&nc, "foo", &b("uuid", "1")).await;
    check(&advisory(&mut acc_sub).await, "timeout", None);
    check(&advisory(&mut sys_sub).await, "timeout", Some("A"));
    // An API level this server does not support.
    hpub_noreply(
        &nc,
        "foo",
        &with(b("uuid", "1"), &[("Nats-Required-Api-Level", "1000000")]),
    )
    .await;
    check(&advisory(&mut acc_sub).await, "unsupported", None);
    check(&advisory(&mut sys_sub).await, "unsupported", Some("A"));
    assert_eq!(msgs(&nc, "TEST").await, 0);
    h.shutdown().await;
}

#[tokio::test]
async fn mirrors_and_sources_drop_the_batch_headers() {
    let dir = TempDir::new("js-batch-mirror");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create(
        &nc,
        json!({"name":"TEST","subjects":["foo"],"allow_atomic":true}),
    )
    .await;
    create(&nc, json!({"name":"M","mirror":{"name":"TEST"}})).await;
    create(&nc, json!({"name":"S","sources":[{"name":"TEST"}]})).await;
    hpub_noreply(&nc, "foo", &with(b("id", "1"), &[("A", "1")])).await;
    let ack = hpub(
        &nc,
        "foo",
        &with(b("id", "2"), &[("Nats-Batch-Commit", "1")]),
        b"x",
    )
    .await;
    assert_eq!(ack, r#"{"stream":"TEST","seq":2,"batch":"id","count":2}"#);
    let (_, h1, _) = msg(&nc, "TEST", 1).await;
    assert_eq!(h1, "A: 1|Nats-Batch-Id: id|Nats-Batch-Sequence: 1");
    let deadline = tokio::time::Instant::now() + WAIT;
    while (msgs(&nc, "M").await < 2 || msgs(&nc, "S").await < 2)
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(msg(&nc, "M", 1).await.1, "A: 1");
    assert_eq!(
        msg(&nc, "M", 2).await,
        ("foo".into(), String::new(), "x".into())
    );
    // The source header ends with the origin's hash.
    let (s1, s2) = (msg(&nc, "S", 1).await.1, msg(&nc, "S", 2).await.1);
    assert!(
        s1.starts_with("A: 1|Nats-Stream-Source: TEST 1 > > foo "),
        "{s1}"
    );
    assert!(
        s2.starts_with("Nats-Stream-Source: TEST 2 > > foo "),
        "{s2}"
    );
    assert_eq!(s1.matches('|').count(), 1, "{s1}");
    assert!(!s2.contains('|'), "{s2}");
    h.shutdown().await;
}

/// Batches carrying schedules: with schedules off the batch is refused whole; with them on, a
/// bad schedule fails the commit and a good one is stored with its rollup.
async fn batch_schedules(nc: &async_nats::Client) -> Value {
    let mut out = json!({});
    create(
        nc,
        json!({"name":"OFF","subjects":["off.>"],"allow_atomic":true}),
    )
    .await;
    create(
        nc,
        json!({"name":"ON","subjects":["on.>"],"allow_atomic":true,"allow_msg_schedules":true}),
    )
    .await;
    let sched = [
        ("Nats-Schedule", "@at 2100-01-01T00:00:00Z"),
        ("Nats-Schedule-Target", "on.t"),
    ];
    hpub_noreply(nc, "off.a", &b("x", "1")).await;
    out["off"] = json!(
        hpub(
            nc,
            "off.s",
            &with(with(b("x", "2"), &sched), &[("Nats-Batch-Commit", "1")]),
            b""
        )
        .await
    );
    out["off.msgs"] = json!(msgs(nc, "OFF").await);
    hpub_noreply(nc, "on.a", &b("y", "1")).await;
    let bad = [
        ("Nats-Schedule", "@at 2100-01-01T00:00:00Z"),
        ("Nats-Schedule-Target", "on.bad"),
    ];
    out["bad"] = json!(
        hpub(
            nc,
            "on.bad",
            &with(with(b("y", "2"), &bad), &[("Nats-Batch-Commit", "1")]),
            b""
        )
        .await
    );
    out["bad.msgs"] = json!(msgs(nc, "ON").await);
    hpub_noreply(nc, "on.a", &b("z", "1")).await;
    out["good"] = json!(
        hpub(
            nc,
            "on.s",
            &with(with(b("z", "2"), &sched), &[("Nats-Batch-Commit", "1")]),
            b""
        )
        .await
    );
    out["good.msgs"] = json!(msgs(nc, "ON").await);
    let (subject, hdrs, _) = msg(nc, "ON", 2).await;
    out["good.stored"] = json!([subject, hdrs.contains("Nats-Rollup: sub")]);
    out
}

#[tokio::test]
async fn schedules_in_a_batch_are_checked_before_the_commit() {
    let dir = TempDir::new("js-batch-sched");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let ours = batch_schedules(&nc).await;
    h.shutdown().await;
    let gdir = TempDir::new("js-batch-sched-go");
    let g = GoServer::start(&["-js", "-sd", &gdir.0.display().to_string()]).await;
    let gnc = async_nats::connect(format!("nats://{}", g.client))
        .await
        .unwrap();
    let theirs = batch_schedules(&gnc).await;
    assert_eq!(ours, theirs, "rnats (left) and Go (right) differ");
    assert_eq!(ours["off.msgs"], 0);
    assert_eq!(ours["bad.msgs"], 0);
    assert_eq!(ours["good.msgs"], 2);
    assert_eq!(ours["good.stored"], json!(["on.s", true]));
}
