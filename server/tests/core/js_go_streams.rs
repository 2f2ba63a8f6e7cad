//! Go's single-server stream tests from `jetstream_test.go`, through the wire: stream configs
//! Go refuses (names, subjects, overlaps with other streams and with the API), idempotent
//! creates, discard-new limits, max message size, no-ack streams, message deletes and consumer
//! limits. Requests are raw `$JS.API` JSON so the answers are checked as Go sends them.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;
use server::Options;

fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

async fn setup(name: &str) -> (server::ServerHandle, async_nats::Client, TempDir) {
    let dir = TempDir::new(name);
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    (h, nc, dir)
}

/// A request and its JSON answer.
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

fn err_code(v: &Value) -> Option<u64> {
    v["error"]["err_code"].as_u64()
}

fn err_text(v: &Value) -> String {
    v["error"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Publish with a reply and return the PubAck JSON.
async fn publish(nc: &async_nats::Client, subject: &str, payload: &[u8]) -> Value {
    let m = tokio::time::timeout(
        WAIT,
        nc.request(subject.to_string(), payload.to_vec().into()),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    serde_json::from_slice(&m.payload).expect("PubAck JSON")
}

async fn info(nc: &async_nats::Client, name: &str) -> Value {
    req(nc, &format!("$JS.API.STREAM.INFO.{name}"), json!({})).await
}

// go: server/TestJetStreamAddStreamCanonicalNames
#[tokio::test]
async fn stream_names_with_dots_or_wildcards_are_refused() {
    let (h, nc, _d) = setup("js-go-names").await;
    // A name of several tokens makes an API subject nothing answers, as in Go.
    for name in ["foo.bar", "foo.bar.", "foo.*", "foo.>"] {
        let r = tokio::time::timeout(
            Duration::from_millis(300),
            nc.request(
                format!("$JS.API.STREAM.CREATE.{name}"),
                json!({"name": name, "storage": "memory"})
                    .to_string()
                    .into(),
            ),
        )
        .await;
        assert!(!matches!(r, Ok(Ok(_))), "{name}: no answer expected");
    }
    for name in ["*", ">", "*>", "a*b", "a>b"] {
        let v = create(&nc, json!({"name": name, "storage": "memory"})).await;
        assert_eq!(err_code(&v), Some(10052), "{name}: {v}");
        assert_eq!(
            err_text(&v),
            "stream name is required and can not contain '.', '*', '>', '\\', '/'"
        );
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAddStreamBadSubjects
#[tokio::test]
async fn malformed_stream_subjects_are_invalid_config() {
    let (h, nc, _d) = setup("js-go-badsubj").await;
    for subj in ["foo.bar.", "..", ".*", ".>", " x", "y "] {
        let v = create(
            &nc,
            json!({"name": "MyStream", "storage": "memory", "subjects": [subj]}),
        )
        .await;
        assert_eq!(err_code(&v), Some(10052), "{subj:?}: {v}");
        assert_eq!(err_text(&v), "invalid subject");
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAddStreamSameConfigOK
#[tokio::test]
async fn creating_the_same_stream_twice_is_idempotent() {
    let (h, nc, _d) = setup("js-go-same").await;
    let cfg = json!({"name": "ok", "subjects": ["foo", "bar", "baz.*", "foo.bar.baz.>"], "storage": "memory"});
    let first = create(&nc, cfg.clone()).await;
    assert!(first["error"].is_null(), "{first}");
    assert_eq!(first["did_create"], json!(true));
    let again = create(&nc, cfg).await;
    assert!(again["error"].is_null(), "{again}");
    assert_eq!(again["config"], first["config"]);
    h.shutdown().await;
}

// go: server/TestJetStreamAddStreamOverlappingSubjects
#[tokio::test]
async fn streams_with_overlapping_subjects_are_refused() {
    let (h, nc, _d) = setup("js-go-overlap").await;
    let ok = create(
        &nc,
        json!({"name": "ok", "storage": "memory", "subjects": ["foo", "bar", "baz.*", "foo.bar.baz.>"]}),
    )
    .await;
    assert!(ok["error"].is_null(), "{ok}");
    let cases = [
        json!({"name": "foo"}),
        json!({"name": "a", "subjects": ["baz", "bar"]}),
        json!({"name": "b", "subjects": [">"], "no_ack": true}),
        json!({"name": "c", "subjects": ["baz.33"]}),
        json!({"name": "d", "subjects": ["*.33"], "no_ack": true}),
        json!({"name": "e", "subjects": ["*.>"], "no_ack": true}),
        json!({"name": "f", "subjects": ["foo.bar", "*.bar.>"], "no_ack": true}),
    ];
    for cfg in cases {
        let v = create(&nc, cfg.clone()).await;
        assert_eq!(err_code(&v), Some(10065), "{cfg}: {v}");
        assert_eq!(err_text(&v), "subjects overlap with an existing stream");
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAddStreamOverlapWithJSAPISubjects
#[tokio::test]
async fn streams_may_not_capture_the_api() {
    let (h, nc, _d) = setup("js-go-apioverlap").await;
    for (name, subjects) in [
        ("a", json!(["$JS.API.foo", "$JS.API.bar"])),
        ("b", json!(["$JS.API.>"])),
        ("c", json!(["$JS.API.*"])),
        ("d", json!(["$JS.>"])),
        ("e", json!(["$SYS.>"])),
        ("f", json!(["*.>"])),
        ("g", json!([">"])),
    ] {
        let v = create(
            &nc,
            json!({"name": name, "storage": "memory", "subjects": subjects}),
        )
        .await;
        assert!(v["error"].is_object(), "{name}: {v}");
        let text = err_text(&v);
        assert!(
            text.contains("subjects that overlap with jetstream api")
                || text.contains("subjects that overlap with system api")
                || text.contains("capturing all subjects requires no-ack to be true"),
            "{name}: {text}"
        );
    }
    // Events and advisories may be captured.
    for (name, subj) in [("h", "$JS.EVENT.>"), ("i", "$SYS.ACCOUNT.>")] {
        let v = create(
            &nc,
            json!({"name": name, "storage": "memory", "subjects": [subj]}),
        )
        .await;
        assert!(v["error"].is_null(), "{name}: {v}");
    }
    for name in ["h", "i"] {
        let v = req(&nc, &format!("$JS.API.STREAM.DELETE.{name}"), json!({})).await;
        assert_eq!(v["success"], json!(true), "{v}");
    }
    // Everything, with no acks.
    let v = create(
        &nc,
        json!({"name": "j", "storage": "memory", "subjects": [">"], "no_ack": true}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    h.shutdown().await;
}

// go: server/TestJetStreamAddStreamDiscardNew
#[tokio::test]
async fn discard_new_refuses_past_max_msgs_and_max_bytes() {
    let (h, nc, _d) = setup("js-go-discardnew").await;
    for storage in ["memory", "file"] {
        let v = create(
            &nc,
            json!({"name": "foo", "max_msgs": 10, "max_bytes": 4096, "discard": "new", "storage": storage}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        for i in 0..10 {
            let pa = publish(&nc, "foo", format!("MSG: {}", i + 1).as_bytes()).await;
            assert_eq!(pa["seq"], json!(i + 1), "{pa}");
        }
        let pa = publish(&nc, "foo", b"discard me").await;
        assert_eq!(pa["stream"], json!("foo"), "{pa}");
        assert_eq!(
            pa["error"]["description"],
            json!("maximum messages exceeded")
        );
        let p = req(&nc, "$JS.API.STREAM.PURGE.foo", json!({})).await;
        assert_eq!(p["purged"], json!(10), "{p}");
        let pa = publish(&nc, "foo", &[0u8; 8192]).await;
        assert_eq!(pa["stream"], json!("foo"), "{pa}");
        assert_eq!(pa["error"]["description"], json!("maximum bytes exceeded"));
        let d = req(&nc, "$JS.API.STREAM.DELETE.foo", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAddStreamMaxMsgSize
#[tokio::test]
async fn messages_above_max_msg_size_are_refused() {
    let (h, nc, _d) = setup("js-go-maxmsgsize").await;
    for storage in ["memory", "file"] {
        let v = create(
            &nc,
            json!({"name": "foo", "max_age": 3_600_000_000_000u64, "max_msg_size": 22, "storage": storage}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        let pa = publish(&nc, "foo", b"Hello World!").await;
        assert_eq!(pa["seq"], json!(1), "{pa}");
        let pa = publish(&nc, "foo", b"1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ").await;
        assert_eq!(
            pa["error"]["description"],
            json!("message size exceeds maximum allowed"),
            "{pa}"
        );
        let d = req(&nc, "$JS.API.STREAM.DELETE.foo", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamNoAckStream
#[tokio::test]
async fn no_ack_streams_store_without_answering() {
    let (h, nc, _d) = setup("js-go-noack").await;
    for storage in ["memory", "file"] {
        let v = create(
            &nc,
            json!({"name": "foo", "storage": storage, "no_ack": true}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        let r = tokio::time::timeout(
            Duration::from_millis(250),
            nc.request("foo", "Hello World!".into()),
        )
        .await;
        // No PubAck: the request times out (or async-nats reports no responders never, as the
        // stream is an interested subscriber).
        assert!(
            r.is_err() || r.as_ref().is_ok_and(|x| x.is_err()),
            "no answer expected"
        );
        let i = info(&nc, "foo").await;
        assert_eq!(i["state"]["messages"], json!(1), "{i}");
        let d = req(&nc, "$JS.API.STREAM.DELETE.foo", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamBasicAckPublish
#[tokio::test]
async fn every_publish_is_acknowledged_and_stored() {
    let (h, nc, _d) = setup("js-go-ackpub").await;
    for storage in ["memory", "file"] {
        let v = create(
            &nc,
            json!({"name": "foo", "storage": storage, "subjects": ["foo.*"]}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        for i in 0..50u64 {
            let pa = publish(&nc, "foo.bar", b"Hello World!").await;
            assert_eq!(pa, json!({"stream": "foo", "seq": i + 1}));
        }
        let i = info(&nc, "foo").await;
        assert_eq!(i["state"]["messages"], json!(50), "{i}");
        let d = req(&nc, "$JS.API.STREAM.DELETE.foo", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamDeleteMsg
#[tokio::test]
async fn deletes_keep_counts_bytes_and_first_sequence_right() {
    let (h, nc, _d) = setup("js-go-deletemsg").await;
    for storage in ["memory", "file"] {
        let v = create(
            &nc,
            json!({"name": "foo", "max_age": 3_600_000_000_000u64, "storage": storage}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        for _ in 0..10 {
            publish(&nc, "foo", b"Hello World!").await;
        }
        let st = info(&nc, "foo").await["state"].clone();
        assert_eq!(st["messages"], json!(10));
        let per = st["bytes"].as_u64().unwrap() / 10;
        assert!(per > 0);
        let mut expect_msgs = 10;
        for (seq, first) in [(5u64, 1u64), (1, 2), (10, 2)] {
            let d = req(&nc, "$JS.API.STREAM.MSG.DELETE.foo", json!({"seq": seq})).await;
            assert_eq!(d["success"], json!(true), "delete {seq}: {d}");
            expect_msgs -= 1;
            let st = info(&nc, "foo").await["state"].clone();
            assert_eq!(st["messages"], json!(expect_msgs), "{st}");
            assert_eq!(st["bytes"], json!(per * expect_msgs), "{st}");
            assert_eq!(st["first_seq"], json!(first), "{st}");
            assert_eq!(st["last_seq"], json!(10), "{st}");
            // The first message is there to be fetched.
            let g = req(&nc, "$JS.API.STREAM.MSG.GET.foo", json!({"seq": first})).await;
            assert_eq!(g["message"]["seq"], json!(first), "{g}");
        }
        // A deleted message is gone.
        let d = req(&nc, "$JS.API.STREAM.MSG.DELETE.foo", json!({"seq": 5})).await;
        assert!(d["error"].is_object(), "{d}");
        let r = req(&nc, "$JS.API.STREAM.DELETE.foo", json!({})).await;
        assert_eq!(r["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamMaxConsumers
#[tokio::test]
async fn max_consumers_counts_distinct_consumers_only() {
    let (h, nc, _d) = setup("js-go-maxc").await;
    let v = create(
        &nc,
        json!({"name": "MAXC", "storage": "memory", "subjects": ["in.maxc.>"], "max_consumers": 2}),
    )
    .await;
    assert_eq!(v["config"]["max_consumers"], json!(2), "{v}");
    let durable = |name: &str, filter: &str| json!({"stream_name": "MAXC", "config": {"durable_name": name, "filter_subject": filter, "ack_policy": "explicit", "deliver_policy": "all"}, "action": "create"});
    for _ in 0..2 {
        let c = req(
            &nc,
            "$JS.API.CONSUMER.DURABLE.CREATE.MAXC.maxc_foo",
            durable("maxc_foo", "in.maxc.foo"),
        )
        .await;
        assert!(c["error"].is_null(), "{c}");
    }
    for _ in 0..2 {
        let c = req(
            &nc,
            "$JS.API.CONSUMER.DURABLE.CREATE.MAXC.maxc_baz",
            json!({"stream_name": "MAXC", "config": {"durable_name": "maxc_baz"}, "action": "create"}),
        )
        .await;
        assert!(c["error"].is_null(), "{c}");
    }
    let c = req(
        &nc,
        "$JS.API.CONSUMER.CREATE.MAXC",
        json!({"stream_name": "MAXC", "config": {"deliver_subject": "d", "filter_subject": "in.maxc.bar"}}),
    )
    .await;
    assert_eq!(err_code(&c), Some(10026), "{c}");
    assert_eq!(err_text(&c), "maximum consumers limit reached");
    // Stream info counts the two consumers.
    assert_eq!(info(&nc, "MAXC").await["state"]["consumer_count"], 2);
    h.shutdown().await;
}

#[tokio::test]
async fn updates_cannot_turn_off_ttls_or_schedules_or_change_persist_mode() {
    let (h, nc, _d) = setup("js-update-flags").await;
    let base =
        json!({"name": "T", "subjects": ["t"], "allow_msg_ttl": true, "allow_msg_schedules": true});
    assert!(create(&nc, base.clone()).await["error"].is_null());
    let update = |cfg: Value| {
        let nc = nc.clone();
        async move { req(&nc, "$JS.API.STREAM.UPDATE.T", cfg).await }
    };
    let cases = [
        (
            json!({"name": "T", "subjects": ["t"]}),
            "message TTL status can not be disabled",
        ),
        (
            json!({"name": "T", "subjects": ["t"], "allow_msg_ttl": true}),
            "message schedules can not be disabled",
        ),
        (
            json!({"name": "T", "subjects": ["t"], "allow_msg_ttl": true,
                "allow_msg_schedules": true, "persist_mode": "async"}),
            "stream configuration update can not change persist mode",
        ),
    ];
    for (cfg, text) in cases {
        let r = update(cfg).await;
        assert_eq!(err_code(&r), Some(10052), "{r}");
        assert_eq!(err_text(&r), text);
    }
    assert!(update(base).await["error"].is_null());
    h.shutdown().await;
}
