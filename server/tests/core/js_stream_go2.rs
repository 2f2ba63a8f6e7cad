//! Republish and subject transforms as Go's stream tests drive them: which stored messages are
//! republished where, with what headers, and the configurations refused as cycles. Each scenario
//! runs against the Go server and rnats and the observations are compared.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};

use crate::js_stream_go::{compare, create, publish, req, seen};
use crate::support::*;

fn error_of(v: &Value) -> Value {
    json!({"err_code": v["error"]["err_code"], "description": v["error"]["description"]})
}

/// Create `cfg`, listen on `listen`, publish 100 messages of 512 bytes to `subject`, and report
/// what arrived on `listen` (beyond the stream's own subjects).
async fn republish_scenario(
    addr: std::net::SocketAddr,
    cfg: Value,
    listen: &'static str,
    subject: &'static str,
) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let r = create(&nc, cfg).await;
    assert!(r["error"].is_null(), "{r}");
    let mut sub = nc.subscribe(listen).await.unwrap();
    nc.flush().await.unwrap();
    let data = "Z".repeat(512);
    for _ in 0..100 {
        publish(&nc, subject, &data).await;
    }
    let mut got = Vec::new();
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(300), sub.next()).await {
        let mut v = seen(&m);
        v["subject"] = json!(m.subject.as_str());
        got.push(v);
    }
    json!(got)
}

fn republish_cfg(subjects: Value, src: Option<&str>, dest: &str, headers_only: bool) -> Value {
    let mut rp = json!({"dest": dest, "headers_only": headers_only});
    if let Some(s) = src {
        rp["src"] = json!(s);
    }
    json!({"name": "Stream1", "storage": "memory", "subjects": subjects, "republish": rp})
}

/// Every republished message carries the whole payload and the stream's headers, chained by
/// `Nats-Last-Sequence`.
fn assert_full_republish(out: &Value, subject: &str, stored: &str) {
    let got = out.as_array().unwrap();
    assert_eq!(got.len(), 100);
    let mut last = "0".to_string();
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m["subject"], subject);
        assert_eq!(m["data"], "512 bytes");
        assert_eq!(m["headers"]["Nats-Stream"], "Stream1");
        assert_eq!(m["headers"]["Nats-Subject"], stored);
        assert_eq!(m["headers"]["Nats-Sequence"], (i + 1).to_string());
        assert_eq!(m["headers"]["Nats-Last-Sequence"], last);
        last = (i + 1).to_string();
    }
}

// go: server/TestJetStreamStreamRepublishOneTokenMatch
#[tokio::test]
async fn republish_of_a_one_token_subject_as_in_go() {
    let out = compare("js-go-rp-one", |a| {
        republish_scenario(
            a,
            republish_cfg(json!(["one", "four"]), Some("one"), "uno", false),
            "uno",
            "one",
        )
    })
    .await;
    assert_full_republish(&out, "uno", "one");
}

// go: server/TestJetStreamStreamRepublishMultiTokenMatch
#[tokio::test]
async fn republish_of_a_multi_token_wildcard_as_in_go() {
    let out = compare("js-go-rp-multi", |a| {
        republish_scenario(
            a,
            republish_cfg(
                json!(["one.>", "four.>"]),
                Some("one.two.>"),
                "uno.dos.>",
                false,
            ),
            "uno.dos.>",
            "one.two.three",
        )
    })
    .await;
    assert_full_republish(&out, "uno.dos.three", "one.two.three");
}

// go: server/TestJetStreamStreamRepublishAnySubjectMatch
#[tokio::test]
async fn republish_without_a_source_takes_every_subject_as_in_go() {
    let out = compare("js-go-rp-any", |a| {
        republish_scenario(
            a,
            republish_cfg(json!(["one.>", "four.>"]), None, "uno.dos.>", false),
            "uno.dos.>",
            "one.two.three",
        )
    })
    .await;
    assert_full_republish(&out, "uno.dos.one.two.three", "one.two.three");
}

// go: server/TestJetStreamStreamRepublishMultiTokenNoMatch
#[tokio::test]
async fn republish_skips_multi_token_subjects_outside_its_source_as_in_go() {
    let out = compare("js-go-rp-multi-no", |a| {
        republish_scenario(
            a,
            republish_cfg(
                json!(["one.>", "four.>"]),
                Some("one.two.>"),
                "uno.dos.>",
                true,
            ),
            "uno.dos.>",
            "four.five.six",
        )
    })
    .await;
    assert_eq!(out, json!([]));
}

// go: server/TestJetStreamStreamRepublishOneTokenNoMatch
#[tokio::test]
async fn republish_skips_one_token_subjects_outside_its_source_as_in_go() {
    let out = compare("js-go-rp-one-no", |a| {
        republish_scenario(
            a,
            republish_cfg(json!(["one", "four"]), Some("one"), "uno", true),
            "uno",
            "four",
        )
    })
    .await;
    assert_eq!(out, json!([]));
}

// go: server/TestJetStreamStreamRepublishHeadersOnly
#[tokio::test]
async fn republish_of_headers_only_carries_the_size_not_the_payload_as_in_go() {
    let out = compare("js-go-rp-hdrs", |a| {
        republish_scenario(
            a,
            json!({"name": "RPC", "storage": "memory", "subjects": ["foo", "bar", "baz"], "republish": {"dest": "RP.>", "headers_only": true}}),
            "RP.>",
            "foo",
        )
    })
    .await;
    let got = out.as_array().unwrap();
    assert_eq!(got.len(), 100);
    let mut last = "0".to_string();
    for m in got {
        assert_eq!(m["data"], "");
        assert_eq!(m["headers"]["Nats-Msg-Size"], "512");
        assert_eq!(m["headers"]["Nats-Last-Sequence"], last);
        last = m["headers"]["Nats-Sequence"].as_str().unwrap().to_string();
    }
}

async fn cycle_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    for (src, dest) in [
        ("foo.>", "foo.>"),
        ("bar.bar", "foo.bar"),
        ("baz", "bar.bar"),
    ] {
        let r = create(
            &nc,
            json!({"name": "RPC", "storage": "memory", "subjects": ["foo.>", "bar.*", "baz"], "republish": {"src": src, "dest": dest}}),
        )
        .await;
        out[format!("{src} -> {dest}")] = json!([r["type"], error_of(&r)]);
    }
    out
}

// go: server/TestJetStreamStreamRepublishCycle
#[tokio::test]
async fn republish_into_the_streams_own_subjects_is_a_cycle_as_in_go() {
    let out = compare("js-go-rp-cycle", cycle_scenario).await;
    for (k, v) in out.as_object().unwrap() {
        assert_eq!(
            v[0], "io.nats.jetstream.api.v1.stream_create_response",
            "{k}"
        );
        assert!(
            v[1]["description"]
                .as_str()
                .unwrap()
                .contains("republish destination forms a cycle"),
            "{k}: {v}"
        );
    }
}

async fn implicit_republish_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    let mut cfg = json!({"name": "TEST", "subjects": ["a.>", "c.>"], "subject_transform": {"src": "a.>", "dest": "b.>"}, "republish": {"dest": ">"}});
    out["both"] = error_of(&create(&nc, cfg.clone()).await);
    cfg["subjects"] = json!(["a.>"]);
    out["transformed only"] = error_of(&create(&nc, cfg.clone()).await);
    let mut sub = nc.subscribe("b.>").await.unwrap();
    nc.flush().await.unwrap();
    publish(&nc, "a.hello", "").await;
    out["republished on"] = match tokio::time::timeout(WAIT, sub.next()).await {
        Ok(Some(m)) => json!(m.subject.as_str()),
        _ => json!("nothing"),
    };
    cfg["subjects"] = json!(["c.>"]);
    out["update to c"] = error_of(&req(&nc, "$JS.API.STREAM.UPDATE.TEST", cfg).await);
    out
}

// go: server/TestJetStreamImplicitRePublishAfterSubjectTransform
#[tokio::test]
async fn republish_of_everything_after_a_transform_as_in_go() {
    let out = compare("js-go-rp-transform", implicit_republish_scenario).await;
    let cycle = json!({"err_code": 10052, "description": "stream configuration for republish destination forms a cycle"});
    assert_eq!(out["both"], cycle);
    assert_eq!(out["transformed only"]["err_code"], Value::Null);
    assert_eq!(out["republished on"], "b.hello");
    assert_eq!(out["update to c"], cycle);
}

async fn input_transform_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let r = create(
        &nc,
        json!({"name": "T1", "subjects": ["foo"], "subject_transform": {"src": ">", "dest": "transformed.>"}, "storage": "memory"}),
    )
    .await;
    let ack = publish(&nc, "foo", "OK").await;
    let m = req(&nc, "$JS.API.STREAM.MSG.GET.T1", json!({"seq": 1})).await;
    json!({"create": error_of(&r), "ack": ack, "subject": m["message"]["subject"]})
}

// go: server/TestJetStreamInputTransform
#[tokio::test]
async fn stored_messages_take_the_transformed_subject_as_in_go() {
    let out = compare("js-go-input-transform", input_transform_scenario).await;
    assert_eq!(out["create"]["err_code"], Value::Null);
    assert_eq!(out["subject"], "transformed.foo");
}
