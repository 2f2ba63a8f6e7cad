//! Message counters (`allow_msg_counter`): `Nats-Incr` increments stored as `{"val":"<n>"}` totals
//! per subject, the PubAck's `val`, Go's errors for every refused publish, and totals that survive a
//! restart and add up across sourced counter streams. The answers were checked against the Go server.

use std::time::Duration;

use async_nats::HeaderMap;
use base64::Engine;
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

/// Publish with `headers` and `payload`; the PubAck as JSON text.
async fn publish(
    nc: &async_nats::Client,
    subject: &str,
    headers: &[(&str, &str)],
    payload: &[u8],
) -> String {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.insert(*k, *v);
    }
    let m = tokio::time::timeout(
        WAIT,
        nc.request_with_headers(subject.to_string(), h, payload.to_vec().into()),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    String::from_utf8(m.payload.to_vec()).unwrap()
}

async fn incr(nc: &async_nats::Client, subject: &str, by: &str) -> String {
    publish(nc, subject, &[("Nats-Incr", by)], b"").await
}

fn error(code: u64, text: &str, stream: &str) -> String {
    format!(
        "{{\"error\":{{\"code\":400,\"err_code\":{code},\"description\":\"{text}\"}},\"stream\":\"{stream}\",\"seq\":0}}"
    )
}

/// The last message on `subject`: its body and its headers.
async fn last(nc: &async_nats::Client, stream: &str, subject: &str) -> (String, String) {
    let r = req(
        nc,
        &format!("$JS.API.STREAM.MSG.GET.{stream}"),
        json!({"last_by_subj": subject}),
    )
    .await;
    let b64 = base64::engine::general_purpose::STANDARD;
    let field = |k: &str| {
        r["message"][k]
            .as_str()
            .map(|s| String::from_utf8(b64.decode(s).unwrap()).unwrap())
            .unwrap_or_default()
    };
    (field("data"), field("hdrs"))
}

// go: server/TestJetStreamAllowMsgCounter
#[tokio::test]
async fn increments_keep_a_total_per_subject() {
    let dir = TempDir::new("js-counter");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();

    // Counters off: an increment is refused, and counters cannot be turned on by an update.
    let plain = json!({"name": "N", "subjects": ["n.>"], "storage": "memory"});
    assert!(req(&nc, "$JS.API.STREAM.CREATE.N", plain).await["error"].is_null());
    assert_eq!(
        incr(&nc, "n.x", "1").await,
        error(10168, "message counters is disabled", "N")
    );
    assert_eq!(
        incr(&nc, "n.x", "zz").await,
        error(10171, "message counter increment is invalid", "N")
    );
    let upd = req(
        &nc,
        "$JS.API.STREAM.UPDATE.N",
        json!({"name": "N", "subjects": ["n.>"], "storage": "memory", "allow_msg_counter": true}),
    )
    .await;
    assert_eq!(upd["error"]["err_code"], 10052);
    assert_eq!(
        upd["error"]["description"],
        "stream configuration update can not change message counter setting"
    );

    let cfg =
        json!({"name": "C", "subjects": ["c.>"], "allow_msg_counter": true, "storage": "memory"});
    let created = req(&nc, "$JS.API.STREAM.CREATE.C", cfg).await;
    assert_eq!(created["config"]["allow_msg_counter"], true);

    assert_eq!(
        incr(&nc, "c.a", "5").await,
        r#"{"stream":"C","seq":1,"val":"5"}"#
    );
    assert_eq!(
        incr(&nc, "c.a", "-2").await,
        r#"{"stream":"C","seq":2,"val":"3"}"#
    );
    // Each subject counts on its own; values have no size limit.
    let big = "+100000000000000000000000000000";
    assert_eq!(
        incr(&nc, "c.b", big).await,
        r#"{"stream":"C","seq":3,"val":"100000000000000000000000000000"}"#
    );
    assert_eq!(
        incr(&nc, "c.b", "007").await,
        r#"{"stream":"C","seq":4,"val":"100000000000000000000000000007"}"#
    );
    assert_eq!(last(&nc, "C", "c.a").await.0, r#"{"val":"3"}"#);

    // Refused publishes, with Go's errors; none of them is stored.
    let missing = error(10169, "message counter increment is missing", "C");
    let invalid = error(10171, "message counter increment is invalid", "C");
    assert_eq!(publish(&nc, "c.a", &[], b"").await, missing);
    assert_eq!(publish(&nc, "c.a", &[("Key", "Value")], b"").await, missing);
    assert_eq!(incr(&nc, "c.a", "").await, missing);
    for bad in ["abc", "1_000", "1.5", "0x10"] {
        assert_eq!(incr(&nc, "c.a", bad).await, invalid, "{bad}");
    }
    assert_eq!(
        publish(&nc, "c.a", &[("Nats-Incr", "1")], b"data").await,
        error(10170, "message counter has payload", "C")
    );
    for (k, v) in [
        ("Nats-Expected-Stream", "C"),
        ("Nats-Rollup", "sub"),
        ("Nats-Expected-Last-Sequence", "1"),
        ("Nats-Expected-Last-Subject-Sequence", "1"),
        ("Nats-Expected-Last-Subject-Sequence-Subject", "c.a"),
        ("Nats-Expected-Last-Msg-Id", "x"),
    ] {
        assert_eq!(
            publish(&nc, "c.a", &[("Nats-Incr", "1"), (k, v)], b"").await,
            invalid,
            "{k}"
        );
    }
    assert_eq!(
        publish(&nc, "c.a", &[("Nats-Incr", "1"), ("Nats-TTL", "5s")], b"").await,
        error(10166, "per-message TTL is disabled", "C")
    );

    // De-duplication: the repeat is a duplicate without a value, and counts nothing.
    let dedupe = [("Nats-Incr", "1"), ("Nats-Msg-Id", "m1")];
    assert_eq!(
        publish(&nc, "c.a", &dedupe, b"").await,
        r#"{"stream":"C","seq":5,"val":"4"}"#
    );
    assert_eq!(
        publish(&nc, "c.a", &dedupe, b"").await,
        r#"{"stream":"C","seq":5,"duplicate": true}"#
    );
    // The stored message keeps the publish's headers and holds the total.
    let (data, hdrs) = last(&nc, "C", "c.a").await;
    assert_eq!(data, r#"{"val":"4"}"#);
    // (async-nats writes headers in its map's order.)
    let mut lines: Vec<&str> = hdrs.split("\r\n").collect();
    lines.sort();
    assert_eq!(
        lines,
        ["", "", "NATS/1.0", "Nats-Incr: 1", "Nats-Msg-Id: m1"]
    );
    h.shutdown().await;
}

// go: server/TestJetStreamAllowMsgCounterIncompatibleSettings
#[tokio::test]
async fn counter_streams_refuse_incompatible_settings() {
    let dir = TempDir::new("js-counter-cfg");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let cases = [
        (
            json!({"discard": "new"}),
            "counter stream cannot use discard new",
        ),
        (
            json!({"allow_msg_ttl": true}),
            "counter stream cannot use message TTLs",
        ),
        (
            json!({"retention": "interest"}),
            "counter stream can only use limits retention",
        ),
        (
            json!({"retention": "workqueue"}),
            "counter stream can only use limits retention",
        ),
    ];
    for (extra, text) in cases {
        let mut cfg = json!({"name": "D", "subjects": ["d.>"], "allow_msg_counter": true});
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let r = req(&nc, "$JS.API.STREAM.CREATE.D", cfg).await;
        assert_eq!(r["error"]["err_code"], 10052, "{r}");
        assert_eq!(r["error"]["description"], text);
    }
    h.shutdown().await;
}

#[tokio::test]
async fn totals_survive_a_restart() {
    let dir = TempDir::new("js-counter-restart");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let cfg = json!({"name": "C", "subjects": ["c.>"], "allow_msg_counter": true});
    assert!(req(&nc, "$JS.API.STREAM.CREATE.C", cfg).await["error"].is_null());
    incr(&nc, "c.a", "40").await;
    incr(&nc, "c.a", "2").await;
    drop(nc);
    h.shutdown().await;

    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    assert_eq!(
        incr(&nc, "c.a", "-50").await,
        r#"{"stream":"C","seq":3,"val":"-8"}"#
    );
    h.shutdown().await;
}

// go: server/TestJetStreamAllowMsgCounterSourceAggregates
#[tokio::test]
async fn a_counter_stream_adds_up_its_counter_sources() {
    let dir = TempDir::new("js-counter-sources");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    for (name, subject) in [("O1", "o1.>"), ("O2", "o2.>")] {
        let cfg = json!({"name": name, "subjects": [subject], "allow_msg_counter": true});
        assert!(req(&nc, &format!("$JS.API.STREAM.CREATE.{name}"), cfg).await["error"].is_null());
    }
    let agg = json!({"name": "AGG", "allow_msg_counter": true, "sources": [
        {"name": "O1", "subject_transforms": [{"src": "o1.>", "dest": "total.>"}]},
        {"name": "O2", "subject_transforms": [{"src": "o2.>", "dest": "total.>"}]},
    ]});
    let r = req(&nc, "$JS.API.STREAM.CREATE.AGG", agg).await;
    assert!(r["error"].is_null(), "{r}");

    incr(&nc, "o1.x", "5").await;
    incr(&nc, "o2.x", "10").await;
    incr(&nc, "o1.x", "2").await;
    // O1 says 7, O2 says 10: the aggregate counts 17, however the sourced messages interleave.
    let deadline = tokio::time::Instant::now() + WAIT;
    let (data, hdrs) = loop {
        let got = last(&nc, "AGG", "total.x").await;
        if got.0 == r#"{"val":"17"}"# || tokio::time::Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(data, r#"{"val":"17"}"#);
    assert!(
        hdrs.contains(r#"Nats-Counter-Sources: {"O1":{"o1.x":"7"},"O2":{"o2.x":"10"}}"#),
        "{hdrs}"
    );
    h.shutdown().await;
}
