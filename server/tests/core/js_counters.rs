//! Message counters (`allow_msg_counter`): `Nats-Incr` publishes, the stored `{"val":"<n>"}`
//! bodies and their headers, the PubAck's `"val"`, the errors Go sends for missing, invalid or
//! incompatible increments, the counter stream config rules, mirrors and sources of counter
//! streams, and totals kept across a restart. Answers are compared as the Go server sends them.

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

async fn setup_with(
    name: &str,
    f: impl FnOnce(&mut Options),
) -> (server::ServerHandle, async_nats::Client, TempDir) {
    let dir = TempDir::new(name);
    let mut o = js_opts(&dir);
    f(&mut o);
    let h = start(o).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    (h, nc, dir)
}

async fn setup(name: &str) -> (server::ServerHandle, async_nats::Client, TempDir) {
    setup_with(name, |_| {}).await
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

async fn create(nc: &async_nats::Client, cfg: Value) -> Value {
    let name = cfg["name"].as_str().unwrap_or_default().to_string();
    req(nc, &format!("$JS.API.STREAM.CREATE.{name}"), cfg).await
}

async fn create_ok(nc: &async_nats::Client, cfg: Value) {
    let v = create(nc, cfg).await;
    assert!(v.get("error").is_none(), "{v}");
}

/// Publish with headers and a reply; the raw PubAck text.
async fn publish(
    nc: &async_nats::Client,
    subject: &str,
    hdrs: &[(&str, &str)],
    body: &str,
) -> String {
    let mut h = async_nats::HeaderMap::new();
    for (k, v) in hdrs {
        h.insert(*k, *v);
    }
    let m = tokio::time::timeout(
        WAIT,
        nc.request_with_headers(subject.to_string(), h, body.as_bytes().to_vec().into()),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    String::from_utf8(m.payload.to_vec()).unwrap()
}

async fn incr(nc: &async_nats::Client, subject: &str, by: &str) -> String {
    publish(nc, subject, &[("Nats-Incr", by)], "").await
}

fn err_ack(stream: &str, code: u64, err_code: u64, text: &str) -> String {
    format!(
        r#"{{"error":{{"code":{code},"err_code":{err_code},"description":"{text}"}},"stream":"{stream}","seq":0}}"#
    )
}

/// A stored message read back with `STREAM.MSG.GET`: subject, headers and body as text.
async fn get(
    nc: &async_nats::Client,
    stream: &str,
    q: Value,
) -> Option<(String, u64, String, String)> {
    let v = req(nc, &format!("$JS.API.STREAM.MSG.GET.{stream}"), q).await;
    let m = v.get("message")?;
    let b64 = |k: &str| {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(m[k].as_str().unwrap_or_default())
            .unwrap();
        String::from_utf8(raw).unwrap()
    };
    Some((
        m["subject"].as_str().unwrap().to_string(),
        m["seq"].as_u64().unwrap(),
        b64("hdrs"),
        b64("data"),
    ))
}

async fn last_body(nc: &async_nats::Client, stream: &str, subject: &str) -> (u64, String) {
    let (_, seq, _, data) = get(nc, stream, json!({"last_by_subj": subject}))
        .await
        .expect("a last message");
    (seq, data)
}

/// Wait until `stream` holds message `seq`.
async fn wait_msg(
    nc: &async_nats::Client,
    stream: &str,
    seq: u64,
) -> (String, u64, String, String) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(m) = get(nc, stream, json!({"seq": seq})).await {
            return m;
        }
        assert!(tokio::time::Instant::now() < deadline, "{stream} seq {seq}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

// go: server/TestJetStreamAllowMsgCounter
#[tokio::test]
async fn counter_stream_increments_rejects_and_dedupes_as_go() {
    let (h, nc, _d) = setup("js-cnt-basic").await;
    create_ok(&nc, json!({"name": "TEST", "subjects": ["foo"]})).await;
    // Not a counter stream: a plain headers publish is stored, an increment is refused.
    assert_eq!(
        publish(&nc, "foo", &[("Key", "Value")], "").await,
        r#"{"stream":"TEST","seq":1}"#
    );
    assert_eq!(
        incr(&nc, "foo", "1").await,
        err_ack("TEST", 400, 10168, "message counters is disabled")
    );
    let upd = req(
        &nc,
        "$JS.API.STREAM.UPDATE.TEST",
        json!({"name": "TEST", "subjects": ["foo"], "allow_msg_counter": true}),
    )
    .await;
    assert_eq!(
        upd["error"],
        json!({"code": 500, "err_code": 10052, "description": "stream configuration update can not change message counter setting"})
    );

    let del = req(&nc, "$JS.API.STREAM.DELETE.TEST", json!({})).await;
    assert_eq!(del["success"], json!(true), "{del}");
    create_ok(
        &nc,
        json!({"name": "TEST", "subjects": ["foo"], "allow_msg_counter": true}),
    )
    .await;
    let missing = err_ack("TEST", 400, 10169, "message counter increment is missing");
    assert_eq!(publish(&nc, "foo", &[], "").await, missing);
    assert_eq!(publish(&nc, "foo", &[("Key", "Value")], "").await, missing);
    assert_eq!(
        publish(&nc, "foo", &[("Nats-Incr", "1")], "data").await,
        err_ack("TEST", 400, 10170, "message counter has payload")
    );
    let invalid = err_ack("TEST", 400, 10171, "message counter increment is invalid");
    assert_eq!(incr(&nc, "foo", "bogus").await, invalid);

    for (by, seq, total) in [
        ("1", 1, "1"),
        ("2", 2, "3"),
        ("-3", 3, "0"),
        ("1", 4, "1"),
        ("-1", 5, "0"),
    ] {
        assert_eq!(
            incr(&nc, "foo", by).await,
            format!(r#"{{"stream":"TEST","seq":{seq},"val":"{total}"}}"#)
        );
        assert_eq!(
            last_body(&nc, "TEST", "foo").await,
            (seq, format!(r#"{{"val":"{total}"}}"#))
        );
    }

    // A duplicate is acknowledged without a value and does not count again.
    let dd = [("Nats-Incr", "1"), ("Nats-Msg-Id", "dedupe")];
    assert_eq!(
        publish(&nc, "foo", &dd, "").await,
        r#"{"stream":"TEST","seq":6,"val":"1"}"#
    );
    assert_eq!(
        publish(&nc, "foo", &dd, "").await,
        r#"{"stream":"TEST","seq":6,"duplicate": true}"#
    );
    assert_eq!(
        last_body(&nc, "TEST", "foo").await,
        (6, r#"{"val":"1"}"#.to_string())
    );

    for hdr in [
        "Nats-Rollup",
        "Nats-Expected-Last-Sequence",
        "Nats-Expected-Last-Subject-Sequence",
        "Nats-Expected-Last-Subject-Sequence-Subject",
        "Nats-Expected-Last-Msg-Id",
        "Nats-Expected-Stream",
    ] {
        assert_eq!(
            publish(&nc, "foo", &[("Nats-Incr", "1"), (hdr, "1")], "").await,
            invalid,
            "{hdr}"
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn increments_are_big_signed_integers_per_subject() {
    let (h, nc, _d) = setup("js-cnt-big").await;
    create_ok(
        &nc,
        json!({"name": "C", "subjects": ["foo", "bar"], "allow_msg_counter": true}),
    )
    .await;
    let invalid = err_ack("C", 400, 10171, "message counter increment is invalid");
    for bad in ["bogus", "+", "-", "1_0", "0x10", "1.5", "+-1", "1e3"] {
        assert_eq!(incr(&nc, "foo", bad).await, invalid, "{bad}");
    }
    // An empty Nats-Incr is a missing one.
    assert_eq!(
        incr(&nc, "foo", "").await,
        err_ack("C", 400, 10169, "message counter increment is missing")
    );
    assert_eq!(
        incr(&nc, "foo", "+5").await,
        r#"{"stream":"C","seq":1,"val":"5"}"#
    );
    assert_eq!(
        incr(&nc, "foo", "-007").await,
        r#"{"stream":"C","seq":2,"val":"-2"}"#
    );
    assert_eq!(
        incr(&nc, "foo", "123456789012345678901234567890").await,
        r#"{"stream":"C","seq":3,"val":"123456789012345678901234567888"}"#
    );
    // Each subject counts on its own.
    assert_eq!(
        incr(&nc, "bar", "-3").await,
        r#"{"stream":"C","seq":4,"val":"-3"}"#
    );
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"C","seq":5,"val":"123456789012345678901234567889"}"#
    );
    // Stored as Go stores it: the publish headers as sent, the total as a JSON string.
    let (subj, seq, hdrs, data) = get(&nc, "C", json!({"seq": 4})).await.unwrap();
    assert_eq!((subj.as_str(), seq), ("bar", 4));
    assert_eq!(hdrs, "NATS/1.0\r\nNats-Incr: -3\r\n\r\n");
    assert_eq!(data, r#"{"val":"-3"}"#);
    // A TTL is refused as on any stream without TTLs.
    assert_eq!(
        publish(&nc, "foo", &[("Nats-Incr", "1"), ("Nats-TTL", "1s")], "").await,
        err_ack("C", 400, 10166, "per-message TTL is disabled")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn non_counter_streams_check_the_increment_syntax_only() {
    let (h, nc, _d) = setup("js-cnt-plain").await;
    create_ok(&nc, json!({"name": "N", "subjects": ["n"]})).await;
    assert_eq!(
        incr(&nc, "n", "x").await,
        err_ack("N", 400, 10171, "message counter increment is invalid")
    );
    assert_eq!(
        incr(&nc, "n", "1").await,
        err_ack("N", 400, 10168, "message counters is disabled")
    );
    // An empty increment is no increment.
    assert_eq!(incr(&nc, "n", "").await, r#"{"stream":"N","seq":1}"#);
    h.shutdown().await;
}

#[tokio::test]
async fn deletes_and_purges_restart_from_what_is_left() {
    let (h, nc, _d) = setup("js-cnt-purge").await;
    create_ok(
        &nc,
        json!({"name": "C", "subjects": ["foo"], "allow_msg_counter": true}),
    )
    .await;
    incr(&nc, "foo", "5").await;
    assert_eq!(
        incr(&nc, "foo", "2").await,
        r#"{"stream":"C","seq":2,"val":"7"}"#
    );
    // Deleting the last message: the next increment builds on the one before it.
    let d = req(&nc, "$JS.API.STREAM.MSG.DELETE.C", json!({"seq": 2})).await;
    assert_eq!(d["success"], json!(true), "{d}");
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"C","seq":3,"val":"6"}"#
    );
    assert_eq!(
        incr(&nc, "foo", "0").await,
        r#"{"stream":"C","seq":4,"val":"6"}"#
    );
    // Purging the subject starts the count again from zero.
    let p = req(&nc, "$JS.API.STREAM.PURGE.C", json!({"filter": "foo"})).await;
    assert_eq!(p["purged"], json!(3), "{p}");
    assert_eq!(
        incr(&nc, "foo", "2").await,
        r#"{"stream":"C","seq":5,"val":"2"}"#
    );
    h.shutdown().await;
}

// go: server/TestJetStreamAllowMsgCounterMaxPayloadAndSize
#[tokio::test]
async fn new_totals_obey_max_payload_and_max_msg_size() {
    let (h, nc, _d) = setup_with("js-cnt-size", |o| o.max_payload = 1024).await;
    let mut cfg = json!({"name": "TEST", "subjects": ["foo"], "allow_msg_counter": true});
    create_ok(&nc, cfg.clone()).await;
    let too_big = err_ack("TEST", 400, 10054, "message size exceeds maximum allowed");
    let huge = "1".repeat(500);
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"TEST","seq":1,"val":"1"}"#
    );
    assert_eq!(incr(&nc, "foo", &huge).await, too_big);
    assert_eq!(
        incr(&nc, "foo", "-2").await,
        r#"{"stream":"TEST","seq":2,"val":"-1"}"#
    );
    assert_eq!(incr(&nc, "foo", &format!("-{huge}")).await, too_big);
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"TEST","seq":3,"val":"0"}"#
    );
    // 26 header bytes and 11 body bytes fit exactly; the next total does not.
    cfg["max_msg_size"] = json!(37);
    let u = req(&nc, "$JS.API.STREAM.UPDATE.TEST", cfg).await;
    assert!(u.get("error").is_none(), "{u}");
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"TEST","seq":4,"val":"1"}"#
    );
    assert_eq!(incr(&nc, "foo", "10").await, too_big);
    h.shutdown().await;
}

// go: server/TestJetStreamAllowMsgCounterIncompatibleSettings
#[tokio::test]
async fn counter_streams_refuse_incompatible_settings() {
    let (h, nc, _d) = setup("js-cnt-cfg").await;
    let base = json!({"name": "TEST", "subjects": ["foo"], "allow_msg_counter": true});
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
            json!({"allow_msg_schedules": true}),
            "counter stream cannot use message schedules",
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
        let mut cfg = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let v = create(&nc, cfg).await;
        assert_eq!(
            v["error"],
            json!({"code": 500, "err_code": 10052, "description": text}),
            "{extra}"
        );
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAllowMsgCounterMirror
#[tokio::test]
async fn mirrors_copy_counter_messages_verbatim() {
    let (h, nc, _d) = setup("js-cnt-mirror").await;
    create_ok(
        &nc,
        json!({"name": "O", "subjects": ["foo"], "allow_msg_counter": true}),
    )
    .await;
    let v = create(
        &nc,
        json!({"name": "M", "mirror": {"name": "O"}, "allow_msg_counter": true}),
    )
    .await;
    assert_eq!(
        v["error"],
        json!({"code": 400, "err_code": 10173, "description": "stream mirrors can not also calculate counters"})
    );
    create_ok(&nc, json!({"name": "M", "mirror": {"name": "O"}})).await;
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"O","seq":1,"val":"1"}"#
    );
    let (subj, _, hdrs, data) = wait_msg(&nc, "M", 1).await;
    assert_eq!(subj, "foo");
    assert_eq!(hdrs, "NATS/1.0\r\nNats-Incr: 1\r\n\r\n");
    assert_eq!(data, r#"{"val":"1"}"#);
    h.shutdown().await;
}

fn transform_sources(dest: &str) -> Value {
    json!([
        {"name": "O1", "subject_transforms": [{"src": "foo.*", "dest": dest}]},
        {"name": "O2", "subject_transforms": [{"src": "foo.*", "dest": dest}]},
    ])
}

// go: server/TestJetStreamAllowMsgCounterSourceAggregates
#[tokio::test]
async fn counter_sources_aggregate_per_origin() {
    let (h, nc, _d) = setup("js-cnt-agg").await;
    create_ok(
        &nc,
        json!({"name": "O1", "subjects": ["foo.1"], "allow_msg_counter": true}),
    )
    .await;
    create_ok(
        &nc,
        json!({"name": "O2", "subjects": ["foo.2"], "allow_msg_counter": true}),
    )
    .await;
    create_ok(
        &nc,
        json!({"name": "M", "subjects": ["agg"], "allow_msg_counter": true, "sources": transform_sources("agg")}),
    )
    .await;
    assert_eq!(
        incr(&nc, "foo.1", "1").await,
        r#"{"stream":"O1","seq":1,"val":"1"}"#
    );
    wait_msg(&nc, "M", 1).await;
    assert_eq!(
        incr(&nc, "foo.2", "2").await,
        r#"{"stream":"O2","seq":1,"val":"2"}"#
    );
    let (subj, _, hdrs, data) = wait_msg(&nc, "M", 2).await;
    assert_eq!(subj, "agg");
    assert_eq!(data, r#"{"val":"3"}"#);
    assert!(
        hdrs.starts_with("NATS/1.0\r\nNats-Incr: 2\r\nNats-Stream-Source: O2 1 foo.* agg foo.2 "),
        "{hdrs:?}"
    );
    assert!(
        hdrs.ends_with(
            "\r\nNats-Counter-Sources: {\"O1\":{\"foo.1\":\"1\"},\"O2\":{\"foo.2\":\"2\"}}\r\n\r\n"
        ),
        "{hdrs:?}"
    );
    // A new origin total adds only the difference, stored as the Nats-Incr of the copy.
    assert_eq!(
        incr(&nc, "foo.1", "4").await,
        r#"{"stream":"O1","seq":2,"val":"5"}"#
    );
    let (_, _, hdrs, data) = wait_msg(&nc, "M", 3).await;
    assert_eq!(data, r#"{"val":"7"}"#);
    assert!(hdrs.starts_with("NATS/1.0\r\nNats-Incr: 4\r\n"), "{hdrs:?}");
    assert!(hdrs.contains("\"O1\":{\"foo.1\":\"5\"}"), "{hdrs:?}");
    // A local increment keeps the source totals in its headers.
    assert_eq!(
        incr(&nc, "agg", "10").await,
        r#"{"stream":"M","seq":4,"val":"17"}"#
    );
    let (_, _, hdrs, _) = get(&nc, "M", json!({"seq": 4})).await.unwrap();
    assert_eq!(
        hdrs,
        "NATS/1.0\r\nNats-Incr: 10\r\nNats-Counter-Sources: {\"O1\":{\"foo.1\":\"5\"},\"O2\":{\"foo.2\":\"2\"}}\r\n\r\n"
    );
    h.shutdown().await;
}

// go: server/TestJetStreamAllowMsgCounterSourceVerbatim
#[tokio::test]
async fn non_counter_sources_store_counter_messages_verbatim() {
    let (h, nc, _d) = setup("js-cnt-verb").await;
    create_ok(
        &nc,
        json!({"name": "O1", "subjects": ["foo.1"], "allow_msg_counter": true}),
    )
    .await;
    create_ok(
        &nc,
        json!({"name": "O2", "subjects": ["foo.2"], "allow_msg_counter": true}),
    )
    .await;
    create_ok(
        &nc,
        json!({"name": "M", "sources": transform_sources("foo")}),
    )
    .await;
    incr(&nc, "foo.1", "1").await;
    assert_eq!(wait_msg(&nc, "M", 1).await.3, r#"{"val":"1"}"#);
    incr(&nc, "foo.2", "2").await;
    let (subj, _, hdrs, data) = wait_msg(&nc, "M", 2).await;
    assert_eq!((subj.as_str(), data.as_str()), ("foo", r#"{"val":"2"}"#));
    assert!(!hdrs.contains("Nats-Counter-Sources"), "{hdrs:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn file_stream_totals_survive_a_restart() {
    let dir = TempDir::new("js-cnt-restart");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create_ok(
        &nc,
        json!({"name": "C", "subjects": ["c.>"], "allow_msg_counter": true, "storage": "file"}),
    )
    .await;
    incr(&nc, "c.a", "40").await;
    incr(&nc, "c.b", "-5").await;
    assert_eq!(
        incr(&nc, "c.a", "2").await,
        r#"{"stream":"C","seq":3,"val":"42"}"#
    );
    drop(nc);
    h.shutdown().await;

    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    assert_eq!(
        incr(&nc, "c.a", "1").await,
        r#"{"stream":"C","seq":4,"val":"43"}"#
    );
    assert_eq!(
        incr(&nc, "c.b", "1").await,
        r#"{"stream":"C","seq":5,"val":"-4"}"#
    );
    assert_eq!(
        last_body(&nc, "C", "c.a").await,
        (4, r#"{"val":"43"}"#.to_string())
    );
    h.shutdown().await;
}

// go: server/TestJetStreamAllowMsgCounterSourceStartingAboveZero
#[tokio::test]
async fn sources_added_later_contribute_their_whole_totals() {
    let (h, nc, _d) = setup("js-cnt-above").await;
    for (name, subj) in [("O1", "foo.1"), ("O2", "foo.2")] {
        create_ok(
            &nc,
            json!({"name": name, "subjects": [subj], "allow_msg_counter": true, "max_msgs_per_subject": 1}),
        )
        .await;
    }
    for i in 1..=5u64 {
        assert_eq!(
            incr(&nc, "foo.1", "1").await,
            format!(r#"{{"stream":"O1","seq":{i},"val":"{i}"}}"#)
        );
        assert_eq!(
            incr(&nc, "foo.2", "2").await,
            format!(r#"{{"stream":"O2","seq":{i},"val":"{}"}}"#, 2 * i)
        );
    }
    let mut cfg = json!({"name": "M", "subjects": ["foo"], "allow_msg_counter": true});
    create_ok(&nc, cfg.clone()).await;
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"M","seq":1,"val":"1"}"#
    );
    cfg["sources"] = transform_sources("foo");
    let u = req(&nc, "$JS.API.STREAM.UPDATE.M", cfg).await;
    assert!(u.get("error").is_none(), "{u}");
    let mut incrs = Vec::new();
    for seq in 2..=3 {
        let (subj, _, hdrs, _) = wait_msg(&nc, "M", seq).await;
        assert_eq!(subj, "foo");
        let line = hdrs.lines().find(|l| l.starts_with("Nats-Incr: ")).unwrap();
        incrs.push(line.to_string());
    }
    incrs.sort();
    assert_eq!(incrs, ["Nats-Incr: 10", "Nats-Incr: 5"]);
    // The origins' totals are counted once; a local increment adds to them.
    assert_eq!(
        incr(&nc, "foo", "1").await,
        r#"{"stream":"M","seq":4,"val":"17"}"#
    );
    let (_, _, hdrs, data) = get(&nc, "M", json!({"seq": 4})).await.unwrap();
    assert_eq!(data, r#"{"val":"17"}"#);
    assert_eq!(
        hdrs,
        "NATS/1.0\r\nNats-Incr: 1\r\nNats-Counter-Sources: {\"O1\":{\"foo.1\":\"5\"},\"O2\":{\"foo.2\":\"10\"}}\r\n\r\n"
    );
    h.shutdown().await;
}

// go: server/TestJetStreamCounterNullSourcesHeaderDoesNotPanic
#[tokio::test]
async fn a_null_origin_in_counter_sources_is_kept_then_filled() {
    let (h, nc, _d) = setup("js-cnt-null").await;
    create_ok(
        &nc,
        json!({"name": "O1", "subjects": ["foo.*"], "allow_msg_counter": true, "storage": "memory"}),
    )
    .await;
    incr(&nc, "foo.1", "5").await;
    let mut cfg =
        json!({"name": "M", "subjects": ["foo"], "allow_msg_counter": true, "storage": "memory"});
    create_ok(&nc, cfg.clone()).await;
    let hdrs = [
        ("Nats-Incr", "1"),
        ("Nats-Counter-Sources", r#"{"O1":null}"#),
    ];
    assert_eq!(
        publish(&nc, "foo", &hdrs, "").await,
        r#"{"stream":"M","seq":1,"val":"1"}"#
    );
    let (_, _, stored, _) = get(&nc, "M", json!({"seq": 1})).await.unwrap();
    // Stored as sent (the client orders the two headers as it likes).
    assert!(
        stored.contains("\r\nNats-Counter-Sources: {\"O1\":null}\r\n"),
        "{stored:?}"
    );
    cfg["sources"] =
        json!([{"name": "O1", "subject_transforms": [{"src": "foo.*", "dest": "foo"}]}]);
    let u = req(&nc, "$JS.API.STREAM.UPDATE.M", cfg).await;
    assert!(u.get("error").is_none(), "{u}");
    let (_, _, hdrs, data) = wait_msg(&nc, "M", 2).await;
    assert_eq!(data, r#"{"val":"6"}"#);
    assert!(
        hdrs.ends_with("\r\nNats-Counter-Sources: {\"O1\":{\"foo.1\":\"5\"}}\r\n\r\n"),
        "{hdrs:?}"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn an_unreadable_sources_header_breaks_the_counter_until_purged() {
    let (h, nc, _d) = setup("js-cnt-broken").await;
    create_ok(
        &nc,
        json!({"name": "B", "subjects": ["b"], "allow_msg_counter": true}),
    )
    .await;
    // The first total stores the client's sources header as sent.
    let garbage = [("Nats-Incr", "1"), ("Nats-Counter-Sources", "garbage")];
    assert_eq!(
        publish(&nc, "b", &garbage, "").await,
        r#"{"stream":"B","seq":1,"val":"1"}"#
    );
    let broken = err_ack("B", 400, 10172, "message counter is broken");
    assert_eq!(incr(&nc, "b", "1").await, broken);
    let p = req(&nc, "$JS.API.STREAM.PURGE.B", json!({})).await;
    assert_eq!(p["purged"], json!(1), "{p}");
    let sources = [
        ("Nats-Incr", "1"),
        ("Nats-Counter-Sources", r#"{"X":{"s":"1"}}"#),
    ];
    assert_eq!(
        publish(&nc, "b", &sources, "").await,
        r#"{"stream":"B","seq":2,"val":"1"}"#
    );
    // Later totals carry the stored sources, whatever the client sends.
    let other = [("Nats-Incr", "2"), ("Nats-Counter-Sources", "{}")];
    assert_eq!(
        publish(&nc, "b", &other, "").await,
        r#"{"stream":"B","seq":3,"val":"3"}"#
    );
    let (_, _, hdrs, _) = get(&nc, "B", json!({"seq": 3})).await.unwrap();
    assert!(
        hdrs.contains("\r\nNats-Counter-Sources: {\"X\":{\"s\":\"1\"}}\r\n"),
        "{hdrs:?}"
    );
    h.shutdown().await;
}
