//! Publish-side and purge checks as Go's stream tests drive them: per-message TTLs, expected last
//! subject sequence, the duplicate window, look-alike msg id headers, rollups, per-subject limits
//! and purges. Each
//! scenario runs against the Go server and rnats and the observations are compared.

use std::time::Duration;

use serde_json::{json, Value};

use crate::js_stream_go::{compare, create, publish, publish_hdrs, req};

async fn state(nc: &async_nats::Client, name: &str) -> Value {
    let i = req(nc, &format!("$JS.API.STREAM.INFO.{name}"), json!({})).await;
    json!([
        i["state"]["messages"],
        i["state"]["first_seq"],
        i["state"]["last_seq"]
    ])
}

/// An answer reduced to its error code and text, or the sequence it stored.
fn outcome(v: &Value) -> Value {
    if v["error"].is_null() {
        json!({"seq": v["seq"], "duplicate": v["duplicate"]})
    } else {
        json!({"err_code": v["error"]["err_code"], "description": v["error"]["description"]})
    }
}

async fn ttl_scenario(addr: std::net::SocketAddr, storage: &str) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "TEST", "storage": storage, "subjects": ["test"], "allow_msg_ttl": true}),
    )
    .await;
    for _ in 0..10 {
        publish_hdrs(&nc, "test", &[("Nats-TTL", "1s")], "").await;
    }
    out["before"] = state(&nc, "TEST").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    out["after"] = state(&nc, "TEST").await;
    out
}

// go: server/TestJetStreamMessageTTL
#[tokio::test]
async fn messages_expire_by_their_own_ttl_as_in_go() {
    for storage in ["file", "memory"] {
        let out = compare(&format!("js-go-ttl-{storage}"), |a| {
            ttl_scenario(a, storage)
        })
        .await;
        assert_eq!(out["before"], json!([10, 1, 10]));
        assert_eq!(out["after"], json!([0, 11, 10]));
    }
}

async fn ttl_invalid_scenario(addr: std::net::SocketAddr, storage: &str, allow: bool) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "TEST", "storage": storage, "subjects": ["test"], "allow_msg_ttl": allow}),
    )
    .await;
    let ttls: &[&str] = if allow {
        &["500ms", "something", "1s"]
    } else {
        &["1s"]
    };
    for ttl in ttls {
        out[*ttl] = outcome(&publish_hdrs(&nc, "test", &[("Nats-TTL", ttl)], "").await);
    }
    out
}

// go: server/TestJetStreamMessageTTLInvalid
#[tokio::test]
async fn ttls_below_a_second_or_unparsable_are_refused_as_in_go() {
    for storage in ["file", "memory"] {
        let out = compare(&format!("js-go-ttl-bad-{storage}"), |a| {
            ttl_invalid_scenario(a, storage, true)
        })
        .await;
        assert_eq!(out["500ms"]["err_code"], 10165);
        assert_eq!(out["something"]["err_code"], 10165);
        assert_eq!(out["1s"]["seq"], 1);
    }
}

// go: server/TestJetStreamMessageTTLDisabled
#[tokio::test]
async fn ttls_are_refused_where_the_stream_does_not_allow_them_as_in_go() {
    for storage in ["file", "memory"] {
        let out = compare(&format!("js-go-ttl-off-{storage}"), |a| {
            ttl_invalid_scenario(a, storage, false)
        })
        .await;
        assert_eq!(out["1s"]["err_code"], 10166);
    }
}

async fn ttl_never_scenario(addr: std::net::SocketAddr, storage: &str) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "TEST", "storage": storage, "subjects": ["test"], "allow_msg_ttl": true, "max_age": 1_000_000_000u64}),
    )
    .await;
    publish_hdrs(&nc, "test", &[("Nats-TTL", "never")], "").await;
    for _ in 0..10 {
        publish(&nc, "test", "").await;
    }
    out["before"] = state(&nc, "TEST").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    out["after"] = state(&nc, "TEST").await;
    out
}

// go: server/TestJetStreamMessageTTLNeverExpire
#[tokio::test]
async fn a_never_ttl_outlives_max_age_as_in_go() {
    for storage in ["file", "memory"] {
        let out = compare(&format!("js-go-ttl-never-{storage}"), |a| {
            ttl_never_scenario(a, storage)
        })
        .await;
        assert_eq!(out["before"], json!([11, 1, 11]));
        assert_eq!(out["after"], json!([1, 1, 11]));
    }
}

async fn expect_no_msg_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "KV", "subjects": ["KV.>"], "max_msgs_per_subject": 5}),
    )
    .await;
    out["first"] = outcome(&publish(&nc, "KV.22", "hello world").await);
    let none = [("Nats-Expected-Last-Subject-Sequence", "0")];
    out["new subject"] = outcome(&publish_hdrs(&nc, "KV.33", &none, "").await);
    out["used subject"] = outcome(&publish_hdrs(&nc, "KV.22", &none, "").await);
    out["purge"] = req(&nc, "$JS.API.STREAM.PURGE.KV", json!({})).await["success"].clone();
    out["after purge"] = outcome(&publish_hdrs(&nc, "KV.22", &none, "").await);
    out
}

// go: server/TestJetStreamPublishExpectNoMsg
#[tokio::test]
async fn expecting_no_message_on_a_subject_as_in_go() {
    let out = compare("js-go-expect-none", expect_no_msg_scenario).await;
    assert_eq!(out["new subject"]["seq"], 2);
    assert_eq!(out["used subject"]["err_code"], 10071);
    assert_eq!(out["purge"], true);
    assert_eq!(out["after purge"]["seq"], 3);
}

async fn negative_dupe_window_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let r = create(
        &nc,
        json!({"name": "TEST", "retention": "workqueue", "max_consumers": 1, "max_msgs": -1, "max_bytes": -1, "discard": "new", "max_age": 0, "duplicate_window": -1, "max_msgs_per_subject": -1, "max_msg_size": -1, "storage": "file", "num_replicas": 1, "no_ack": false}),
    )
    .await;
    outcome(&r)
}

// go: server/TestJetStreamNegativeDupeWindow
#[tokio::test]
async fn a_negative_duplicate_window_is_refused_as_in_go() {
    let out = compare("js-go-neg-dupe", negative_dupe_window_scenario).await;
    assert_eq!(out["description"], "duplicates window can not be negative");
}

async fn msg_id_lookalikes_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(&nc, json!({"name": "TEST", "subjects": ["ORDERS.*"]})).await;
    let cases: [&[(&str, &str)]; 5] = [
        &[("Nats-Msg-Id", "1")],
        &[("Orig-Nats-Msg-Id", "1")],
        &[("Original-Nats-Msg-Id", "1")],
        &[
            ("Original-Nats-Msg-Id", "1"),
            ("Really-Original-Nats-Msg-Id", "1"),
        ],
        &[("X", "Nats-Msg-Id:1")],
    ];
    let mut acks = Vec::new();
    for hdrs in cases {
        acks.push(outcome(&publish_hdrs(&nc, "ORDERS.test", hdrs, "ok").await));
    }
    out["acks"] = json!(acks);
    out["state"] = state(&nc, "TEST").await;
    out
}

// go: server/TestJetStreamMsgIDHeaderCollision
#[tokio::test]
async fn headers_that_only_look_like_a_msg_id_do_not_deduplicate_as_in_go() {
    let out = compare("js-go-msgid-lookalike", msg_id_lookalikes_scenario).await;
    assert_eq!(out["state"], json!([5, 1, 5]));
}

async fn consumer_pending(
    nc: &async_nats::Client,
    stream: &str,
    name: &str,
    filter: &str,
) -> Value {
    let r = req(
        nc,
        &format!("$JS.API.CONSUMER.CREATE.{stream}.{name}"),
        json!({"stream_name": stream, "config": {"durable_name": name, "filter_subject": filter, "ack_policy": "explicit"}}),
    )
    .await;
    r["num_pending"].clone()
}

async fn rollup_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "S", "subjects": ["S.*"], "allow_rollup_hdrs": true}),
    )
    .await;
    for i in 1..=10 {
        publish(&nc, "S.A", &i.to_string()).await;
        publish(&nc, "S.B", &i.to_string()).await;
    }
    out["before"] = state(&nc, "S").await;
    out["A pending"] = consumer_pending(&nc, "S", "DUR-A", "S.A").await;
    out["rollup"] = outcome(&publish_hdrs(&nc, "S.A", &[("Nats-Rollup", "sub")], "").await);
    let i = req(&nc, "$JS.API.CONSUMER.INFO.S.DUR-A", json!({})).await;
    out["A pending after"] = i["num_pending"].clone();
    out["after"] = state(&nc, "S").await;
    out["B pending"] = consumer_pending(&nc, "S", "DUR-B", "S.B").await;
    out
}

// go: server/TestJetStreamRollup
#[tokio::test]
async fn a_subject_rollup_keeps_only_the_new_message_of_that_subject_as_in_go() {
    let out = compare("js-go-rollup", rollup_scenario).await;
    assert_eq!(out["before"][0], 20);
    assert_eq!(out["A pending"], 10);
    assert_eq!(out["A pending after"], 1);
    assert_eq!(out["after"][0], 11);
    assert_eq!(out["B pending"], 10);
}

/// Publish `n` 1 KiB messages to `subject` without waiting for each acknowledgement, then wait
/// (bounded) until the stream holds `total`.
async fn fill(nc: &async_nats::Client, stream: &str, subject: &str, n: usize, total: u64) {
    let data = vec![0u8; 1024];
    for _ in 0..n {
        nc.publish(subject.to_string(), data.clone().into())
            .await
            .unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while state(nc, stream).await[2] != total {
        assert!(tokio::time::Instant::now() < deadline, "{total} stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn purge(nc: &async_nats::Client, stream: &str, body: Value) -> Value {
    req(nc, &format!("$JS.API.STREAM.PURGE.{stream}"), body).await
}

async fn full_state(nc: &async_nats::Client, name: &str) -> Value {
    let i = req(nc, &format!("$JS.API.STREAM.INFO.{name}"), json!({})).await;
    let st = &i["state"];
    json!({"messages": st["messages"], "first_seq": st["first_seq"], "last_seq": st["last_seq"], "num_deleted": st["num_deleted"]})
}

async fn purge_keep_from_scenario(addr: std::net::SocketAddr, storage: &str) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "TEST", "subjects": ["test"], "storage": storage}),
    )
    .await;
    fill(&nc, "TEST", "test", 10_000, 10_000).await;
    out["before"] = full_state(&nc, "TEST").await;
    out["purge"] = purge(&nc, "TEST", json!({"seq": 9_000})).await;
    out["after"] = full_state(&nc, "TEST").await;
    out
}

// go: server/TestJetStreamPurgeExSeqSimple
#[tokio::test]
async fn a_purge_up_to_a_sequence_keeps_the_rest_as_in_go() {
    for storage in ["file", "memory"] {
        let out = compare(&format!("js-go-purge-seq-{storage}"), |a| {
            purge_keep_from_scenario(a, storage)
        })
        .await;
        assert_eq!(out["before"]["messages"], 10_000);
        assert_eq!(out["purge"]["purged"], 8_999);
        assert_eq!(
            out["after"],
            json!({"messages": 1001, "first_seq": 9000, "last_seq": 10000, "num_deleted": null})
        );
    }
}

async fn purge_gap_scenario(addr: std::net::SocketAddr, storage: &str) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "TEST", "subjects": ["test.*"], "storage": storage}),
    )
    .await;
    fill(&nc, "TEST", "test.start", 1, 1).await;
    fill(&nc, "TEST", "test.mid", 10_000, 10_001).await;
    fill(&nc, "TEST", "test.end", 1, 10_002).await;
    out["before"] = full_state(&nc, "TEST").await;
    out["purge mid"] = purge(&nc, "TEST", json!({"filter": "test.mid"})).await;
    out["after mid"] = full_state(&nc, "TEST").await;
    out["purge seq"] = purge(&nc, "TEST", json!({"seq": 9_000})).await;
    out["after seq"] = full_state(&nc, "TEST").await;
    out
}

// go: server/TestJetStreamPurgeExSeqInInteriorDeleteGap
#[tokio::test]
async fn a_purge_up_to_a_sequence_inside_a_deleted_gap_as_in_go() {
    for storage in ["file", "memory"] {
        let out = compare(&format!("js-go-purge-gap-{storage}"), |a| {
            purge_gap_scenario(a, storage)
        })
        .await;
        assert_eq!(out["before"]["messages"], 10_002);
        assert_eq!(out["after mid"]["messages"], 2);
        assert_eq!(out["after mid"]["num_deleted"], 10_000);
        assert_eq!(
            out["after seq"],
            json!({"messages": 1, "first_seq": 10002, "last_seq": 10002, "num_deleted": null})
        );
    }
}

async fn max_per_subject_scenario(addr: std::net::SocketAddr, storage: &str) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut counts = Vec::new();
    create(
        &nc,
        json!({"name": "TEST", "subjects": ["foo", "bar", "baz.*"], "storage": storage, "max_msgs_per_subject": 5}),
    )
    .await;
    let rounds = [
        ("foo", 1),
        ("foo", 4),
        ("foo", 2),
        ("baz.22", 5),
        ("baz.33", 5),
        ("baz.22", 5),
        ("baz.33", 5),
        ("purge", 0),
        ("foo", 1),
        ("foo", 4),
        ("baz.22", 5),
        ("baz.33", 5),
    ];
    for (subject, n) in rounds {
        if subject == "purge" {
            purge(&nc, "TEST", json!({})).await;
            continue;
        }
        for _ in 0..n {
            publish(&nc, subject, "TSLA").await;
        }
        counts.push(state(&nc, "TEST").await[0].clone());
    }
    json!(counts)
}

// go: server/TestJetStreamMaxMsgsPerSubject
#[tokio::test]
async fn max_msgs_per_subject_keeps_the_newest_per_subject_as_in_go() {
    for storage in ["memory", "file"] {
        let out = compare(&format!("js-go-max-per-{storage}"), |a| {
            max_per_subject_scenario(a, storage)
        })
        .await;
        assert_eq!(out, json!([1, 5, 5, 10, 15, 15, 15, 1, 5, 10, 15]));
    }
}

async fn filtered_names_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    for (i, subjects) in [
        json!(["foo"]),
        json!(["bar"]),
        json!(["baz"]),
        json!(["foo.*", "bar.*"]),
        json!(["foo-1.22", "bar-1.33"]),
    ]
    .into_iter()
    .enumerate()
    {
        create(
            &nc,
            json!({"name": format!("S-{}", i + 1), "subjects": subjects}),
        )
        .await;
    }
    for filter in ["foo", "bar", "baz", "*", ">", "*.*", "*.22"] {
        let r = req(&nc, "$JS.API.STREAM.NAMES", json!({ "subject": filter })).await;
        let mut names: Vec<String> = r["streams"]
            .as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        out[filter] = json!(names);
    }
    out
}

// go: server/TestJetStreamFilteredStreamNames
#[tokio::test]
async fn stream_names_filtered_by_subject_as_in_go() {
    let out = compare("js-go-names-filter", filtered_names_scenario).await;
    let count = |k: &str| out[k].as_array().unwrap().len();
    assert_eq!(out["foo"], json!(["S-1"]));
    assert_eq!(out["bar"], json!(["S-2"]));
    assert_eq!(out["baz"], json!(["S-3"]));
    assert_eq!(count("*"), 3);
    assert_eq!(count(">"), 5);
    assert_eq!(count("*.*"), 2);
    assert_eq!(count("*.22"), 2);
}

async fn purge_times_scenario(addr: std::net::SocketAddr, storage: &str) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(&nc, json!({"name": "DC", "storage": storage})).await;
    for _ in 0..100 {
        publish(&nc, "DC", "OK!").await;
    }
    out["before"] = state(&nc, "DC").await;
    out["purge"] = purge(&nc, "DC", json!({})).await;
    let i = req(&nc, "$JS.API.STREAM.INFO.DC", json!({})).await;
    out["after"] = state(&nc, "DC").await;
    out["first time after purge"] = i["state"]["first_ts"].clone();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let now = std::time::SystemTime::now();
    publish(&nc, "DC", "OK!").await;
    let i = req(&nc, "$JS.API.STREAM.INFO.DC", json!({})).await;
    let ts = |k: &str| {
        server::jetstream::api::GoTime::parse_rfc3339(i["state"][k].as_str().unwrap())
            .unwrap()
            .to_system()
            .unwrap()
    };
    out["republished"] = state(&nc, "DC").await;
    out["first time not before publish"] = json!(ts("first_ts") >= now);
    out["first time is last time"] = json!(i["state"]["first_ts"] == i["state"]["last_ts"]);
    out
}

// go: server/TestJetStreamStreamPurge
#[tokio::test]
async fn a_purge_resets_the_first_time_as_in_go() {
    for storage in ["memory", "file"] {
        let out = compare(&format!("js-go-purge-times-{storage}"), |a| {
            purge_times_scenario(a, storage)
        })
        .await;
        assert_eq!(out["before"][0], 100);
        assert_eq!(out["after"][0], 0);
        assert_eq!(out["first time after purge"], "0001-01-01T00:00:00Z");
        assert_eq!(out["republished"][0], 1);
        assert_eq!(out["first time not before publish"], true);
        assert_eq!(out["first time is last time"], true);
    }
}
