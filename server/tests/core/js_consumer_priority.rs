//! Priority groups of pull consumers against rnats, as Go's tests drive them: config checks,
//! the priority fields of pull requests, `overflow` thresholds, `pinned_client` pins with their
//! `Nats-Pin-Id` header, 423 answers, pin timeout and `$JS.API.CONSUMER.UNPIN`, and
//! `prioritized` ordering.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use tokio::time::timeout;

use crate::js_consumer_features::*;
use crate::support::*;

/// What a case expects: success, or an error or status code with its text.
type Expect = Option<(u16, &'static str)>;

#[tokio::test]
async fn priority_config_checked_as_go() {
    let dir = TempDir::new("js-prio-cfg");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo.>", "bar", "baz"]).await;
    let cases: &[(&str, Value, Expect)] = &[
        ("PINNED", json!({"priority_groups": ["A"], "priority_policy": "pinned_client"}), None),
        ("OVERFLOW", json!({"priority_groups": ["A"], "priority_policy": "overflow"}), None),
        ("PRIO", json!({"priority_groups": ["A", "b/=-_9"], "priority_policy": "prioritized"}), None),
        ("NOGROUP", json!({"priority_policy": "pinned_client"}),
            Some((10159, "Setting PriorityPolicy requires at least one PriorityGroup to be set"))),
        ("NOGROUP", json!({"priority_policy": "overflow", "priority_groups": []}),
            Some((10159, "Setting PriorityPolicy requires at least one PriorityGroup to be set"))),
        ("EMPTY", json!({"priority_policy": "overflow", "priority_groups": [""]}),
            Some((10161, "Group name cannot be an empty string"))),
        ("LONG", json!({"priority_policy": "overflow", "priority_groups": ["abcdefghijklmnopq"]}),
            Some((10162, "Valid priority group name must match A-Z, a-z, 0-9, -_/=)+ and may not exceed 16 characters"))),
        ("NONE", json!({"priority_timeout": 10_000_000_000i64}),
            Some((10197, "PinnedTTL cannot be set when PriorityPolicy is none"))),
        ("NONEG", json!({"priority_groups": ["A"]}),
            Some((10196, "consumer can not have priority groups when policy is none"))),
        ("PUSH", json!({"priority_groups": ["A"], "priority_policy": "overflow", "deliver_subject": "x"}),
            Some((10178, "priority groups can not be used with push consumers"))),
    ];
    for (name, extra, want) in cases {
        let mut cfg =
            json!({"durable_name": name, "filter_subject": "foo.>", "ack_policy": "explicit"});
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let r = api(
            &nc,
            &format!("$JS.API.CONSUMER.DURABLE.CREATE.TEST.{name}"),
            json!({"stream_name": "TEST", "config": cfg, "action": "create"}),
        )
        .await;
        match want {
            None => assert!(r.get("error").is_none(), "{name}: {r}"),
            Some((code, text)) => {
                assert_eq!(r["error"]["err_code"], *code, "{name}: {r}");
                assert_eq!(r["error"]["description"], *text, "{name}: {r}");
            }
        }
    }
    // A pinned consumer gets Go's default pin timeout and shows its group state.
    let i = info(&nc, "TEST", "PINNED").await;
    assert_eq!(i["config"]["priority_timeout"], 120_000_000_000i64, "{i}");
    assert_eq!(i["config"]["metadata"]["_nats.req.level"], "1", "{i}");
    assert_eq!(
        i["priority_groups"],
        json!([{"group": "A", "pinned_ts": "0001-01-01T00:00:00Z"}]),
        "{i}"
    );
    let i = info(&nc, "TEST", "OVERFLOW").await;
    assert!(i["config"].get("priority_timeout").is_none(), "{i}");
}

// go: server/TestJetStreamConsumerPriorityPullRequests
// go: server/TestJetStreamConsumerInvalidPriorityGroupRequestNotServed
#[tokio::test]
async fn pull_request_priority_fields_checked_as_go() {
    let dir = TempDir::new("js-prio-req");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["pinned.>", "overflow.>"]).await;
    create(
        &nc,
        "TEST",
        "STANDARD",
        json!({"durable_name": "STANDARD", "ack_policy": "explicit"}),
    )
    .await;
    create(
        &nc,
        "TEST",
        "PINNED",
        json!({"durable_name": "PINNED", "filter_subject": "pinned.>",
        "priority_groups": ["A"], "priority_policy": "pinned_client", "ack_policy": "explicit",
        "priority_timeout": 10_000_000_000i64}),
    )
    .await;
    create(
        &nc,
        "TEST",
        "OVERFLOW",
        json!({"durable_name": "OVERFLOW", "filter_subject": "overflow.>",
        "priority_groups": ["A"], "priority_policy": "overflow", "ack_policy": "explicit"}),
    )
    .await;
    for i in 0..50 {
        js.publish("pinned.1", format!("msg-{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
        js.publish("overflow.1", format!("msg-{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let req = |extra: Value| {
        let mut r = json!({"batch": 1, "expires": 1_000_000_000});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let cases: Vec<(&str, Value, Expect)> = vec![
        ("PINNED", req(json!({"group": "A"})), None),
        (
            "PINNED",
            req(json!({})),
            Some((400, "Bad Request - Priority Group missing")),
        ),
        (
            "PINNED",
            req(json!({"group": "Bad"})),
            Some((400, "Bad Request - Invalid Priority Group")),
        ),
        (
            "OVERFLOW",
            req(json!({"group": "A", "id": "PINNED-ID"})),
            Some((400, "Bad Request - Not a Pinned Client Priority consumer")),
        ),
        (
            "STANDARD",
            req(json!({"group": "A", "id": "PINNED-ID"})),
            Some((400, "Bad Request - Not a Pinned Client Priority consumer")),
        ),
        (
            "OVERFLOW",
            req(json!({"group": "A", "min_pending": 1000})),
            Some((408, "Request Timeout")),
        ),
        (
            "OVERFLOW",
            req(json!({"group": "A", "min_pending": 10})),
            None,
        ),
        (
            "OVERFLOW",
            req(json!({"group": "A", "min_pending": 10, "min_ack_pending": 5})),
            None,
        ),
        (
            "PINNED",
            req(json!({"group": "A", "min_pending": 10})),
            Some((400, "Bad Request - Not a Overflow Priority consumer")),
        ),
        (
            "STANDARD",
            req(json!({"group": "A", "min_pending": 10})),
            Some((400, "Bad Request - Not a Overflow Priority consumer")),
        ),
        (
            "STANDARD",
            req(json!({"min_pending": 1})),
            Some((400, "Bad Request - Not a Overflow Priority consumer")),
        ),
        (
            "STANDARD",
            req(json!({"priority": 10})),
            Some((400, "Bad Request - Priority must be between 0 and 9")),
        ),
        (
            "PINNED",
            req(json!({"group": "A", "priority": -1})),
            Some((400, "Bad Request - Priority must be between 0 and 9")),
        ),
    ];
    for (i, (consumer, body, want)) in cases.into_iter().enumerate() {
        let inbox = format!("reply.{i}");
        let mut sub = pull(&nc, "TEST", consumer, &inbox, body.clone()).await;
        let m = next_within(&mut sub, Duration::from_secs(3))
            .await
            .unwrap_or_else(|| panic!("case {i} {consumer} {body}: no answer"));
        match want {
            None => {
                assert!(
                    m.status.is_none(),
                    "case {i}: {:?} {:?}",
                    m.status,
                    m.description
                );
                assert!(m.payload.starts_with(b"msg-"), "case {i}");
            }
            Some((code, text)) => {
                assert_eq!(
                    m.status.map(|s| s.as_u16()),
                    Some(code),
                    "case {i} {consumer} {body}"
                );
                assert_eq!(
                    m.description.as_deref(),
                    Some(text),
                    "case {i} {consumer} {body}"
                );
                if code == 400 {
                    // Refused requests are not queued: nothing else comes.
                    assert!(
                        next_within(&mut sub, Duration::from_millis(300))
                            .await
                            .is_none(),
                        "case {i}"
                    );
                }
            }
        }
    }
    assert_eq!(info(&nc, "TEST", "STANDARD").await["num_waiting"], 0);
}

// go: server/TestJetStreamConsumerPinned
#[tokio::test]
async fn pinned_client_takes_all_until_its_pin_lapses_or_is_unpinned() {
    let dir = TempDir::new("js-pinned");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo.>", "bar", "baz"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "filter_subject": "foo.>",
        "priority_groups": ["A"], "priority_policy": "pinned_client", "ack_policy": "explicit",
        "priority_timeout": 2_000_000_000}),
    )
    .await;
    for i in 0..100 {
        let mut headers = async_nats::HeaderMap::new();
        if i % 2 == 0 {
            headers.insert("Some-Header", "Value");
        }
        js.publish_with_headers(format!("foo.{i}"), headers, format!("msg-{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    // Both first requests are gone before the pin lapses, so a later one takes the next pin.
    let req = json!({"batch": 3, "expires": 1_500_000_000i64, "group": "A"});
    let mut one = pull(&nc, "TEST", "C", "ONE", req.clone()).await;
    let mut two = pull(&nc, "TEST", "C", "TWO", req.clone()).await;

    // The first request is pinned: its messages carry the pin, with or without other headers.
    let m = next_within(&mut one, WAIT).await.expect("pinned delivery");
    let pinned = header(&m, "Nats-Pin-Id").expect("Nats-Pin-Id").to_string();
    assert_eq!(pinned.len(), 22);
    assert_eq!(header(&m, "Some-Header"), Some("Value"));
    assert!(next_within(&mut two, Duration::from_millis(500))
        .await
        .is_none());
    let m = next_within(&mut one, WAIT).await.expect("pinned delivery");
    assert_eq!(header(&m, "Nats-Pin-Id"), Some(pinned.as_str()));
    assert_eq!(header(&m, "Some-Header"), None);
    assert!(next_within(&mut two, Duration::from_millis(300))
        .await
        .is_none());
    let i = info(&nc, "TEST", "C").await;
    assert_eq!(
        i["priority_groups"][0]["pinned_client_id"],
        pinned.as_str(),
        "{i}"
    );

    // A wrong pin id is refused at once.
    let bad = json!({"batch": 3, "expires": 250_000_000, "group": "A", "id": "WRONG"});
    let mut three = pull(&nc, "TEST", "C", "THREE", bad.clone()).await;
    let m = next_within(&mut three, WAIT).await.expect("423");
    assert_eq!(m.status.map(|s| s.as_u16()), Some(423));
    assert_eq!(m.description.as_deref(), Some("Nats-Pin-Id mismatch"));

    // The pinned id is served.
    let good = json!({"batch": 3, "expires": 250_000_000, "group": "A", "id": pinned});
    let mut four = pull(&nc, "TEST", "C", "FOUR", good).await;
    let m = next_within(&mut four, WAIT).await.expect("pinned delivery");
    assert_eq!(header(&m, "Nats-Pin-Id"), Some(pinned.as_str()));

    // Once the pinned client stops asking, the pin lapses and another request takes it.
    let mut adv = nc
        .subscribe("$JS.EVENT.ADVISORY.CONSUMER.*.TEST.C")
        .await
        .unwrap();
    nc.flush().await.unwrap();
    let mut five = pull(
        &nc,
        "TEST",
        "C",
        "FIVE",
        json!({"batch": 3, "expires": 50_000_000_000i64, "group": "A"}),
    )
    .await;
    let m = next_within(&mut five, Duration::from_secs(5))
        .await
        .expect("delivery after the pin lapsed");
    let new_pin = header(&m, "Nats-Pin-Id").expect("new pin").to_string();
    assert_ne!(new_pin, pinned);
    let a = timeout(WAIT, adv.next()).await.unwrap().unwrap();
    assert_eq!(
        a.subject.as_str(),
        "$JS.EVENT.ADVISORY.CONSUMER.UNPINNED.TEST.C"
    );
    let v: Value = serde_json::from_slice(&a.payload).unwrap();
    assert_eq!(
        v["type"],
        "io.nats.jetstream.advisory.v1.consumer_group_unpinned"
    );
    assert_eq!(
        (v["group"].as_str(), v["reason"].as_str()),
        (Some("A"), Some("timeout")),
        "{v}"
    );
    let a = timeout(WAIT, adv.next()).await.unwrap().unwrap();
    assert_eq!(
        a.subject.as_str(),
        "$JS.EVENT.ADVISORY.CONSUMER.PINNED.TEST.C"
    );
    let v: Value = serde_json::from_slice(&a.payload).unwrap();
    assert_eq!(
        v["type"],
        "io.nats.jetstream.advisory.v1.consumer_group_pinned"
    );
    assert_eq!(v["pinned_id"], new_pin.as_str(), "{v}");
    assert_eq!(v["account"], "$G", "{v}");

    // Unpin by request: an advisory, and the next request (even one naming an old pin) is answered.
    let r = api(&nc, "$JS.API.CONSUMER.UNPIN.TEST.C", json!({"group": "A"})).await;
    assert_eq!(
        r,
        json!({"type": "io.nats.jetstream.api.v1.consumer_unpin_response"})
    );
    let a = timeout(WAIT, adv.next()).await.unwrap().unwrap();
    assert_eq!(
        a.subject.as_str(),
        "$JS.EVENT.ADVISORY.CONSUMER.UNPINNED.TEST.C"
    );
    let v: Value = serde_json::from_slice(&a.payload).unwrap();
    assert_eq!(v["reason"], "admin", "{v}");
    let mut six = pull(&nc, "TEST", "C", "SIX", bad).await;
    let m = next_within(&mut six, WAIT).await.expect("an answer");
    assert_eq!(m.status.map(|s| s.as_u16()), Some(423));
    assert_eq!(m.description.as_deref(), Some("Nats-Wrong-Pin-Id"));
    assert_eq!(header(&m, "Nats-Pending-Messages"), Some("3"));
}

// go: server/TestJetStreamConsumerPinnedTTL
#[tokio::test]
async fn pinned_ttl_passes_the_pin_to_a_waiting_request() {
    let dir = TempDir::new("js-pinned-ttl");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "filter_subject": "foo",
        "priority_groups": ["A"], "priority_policy": "pinned_client", "ack_policy": "explicit",
        "priority_timeout": 1_000_000_000}),
    )
    .await;
    publish_n(&js, "foo", 10).await;
    let req = json!({"batch": 1, "expires": 10_000_000_000i64, "group": "A"});
    let mut first = pull(&nc, "TEST", "C", "FIRST", req.clone()).await;
    let m = next_within(&mut first, WAIT).await.expect("first");
    let pin = header(&m, "Nats-Pin-Id").unwrap().to_string();

    // Still pinned to the first: the second waits until the pin lapses.
    let mut second = pull(&nc, "TEST", "C", "SECOND", req.clone()).await;
    assert!(next_within(&mut second, Duration::from_millis(400))
        .await
        .is_none());
    let m = next_within(&mut second, Duration::from_secs(3))
        .await
        .expect("second");
    let pin2 = header(&m, "Nats-Pin-Id").unwrap().to_string();
    assert_ne!(pin2, pin);

    // Again, now with the pin set on a request already waiting.
    let mut third = pull(&nc, "TEST", "C", "THIRD", req).await;
    let m = next_within(&mut third, Duration::from_secs(3))
        .await
        .expect("third");
    let pin3 = header(&m, "Nats-Pin-Id").unwrap();
    assert!(pin3 != pin && pin3 != pin2);
}

#[tokio::test]
async fn unpin_endpoint_errors_as_go() {
    let dir = TempDir::new("js-unpin");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo.>"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "priority_groups": ["A"],
        "priority_policy": "pinned_client", "ack_policy": "explicit"}),
    )
    .await;
    let raw = |subject: &'static str, body: &'static str| {
        let nc = nc.clone();
        async move {
            let m = nc.request(subject, body.into()).await.unwrap();
            String::from_utf8(m.payload.to_vec()).unwrap()
        }
    };
    let t = r#"{"type":"io.nats.jetstream.api.v1.consumer_unpin_response""#;
    let cases = [
        (
            "$JS.API.CONSUMER.UNPIN.TEST.C",
            "",
            r#""error":{"code":400,"err_code":10025,"description":"invalid JSON: unexpected end of JSON input"}}"#,
        ),
        (
            "$JS.API.CONSUMER.UNPIN.TEST.C",
            "{}",
            r#""error":{"code":400,"err_code":10025,"description":"invalid JSON: consumer group not specified"}}"#,
        ),
        (
            "$JS.API.CONSUMER.UNPIN.TEST.C",
            r#"{"group":5}"#,
            r#""error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number into Go struct field JSApiConsumerUnpinRequest.group of type string"}}"#,
        ),
        (
            "$JS.API.CONSUMER.UNPIN.TEST.C",
            "{\"group\":\"group    name\\r\\n\"}",
            r#""error":{"code":400,"err_code":10162,"description":"Valid priority group name must match A-Z, a-z, 0-9, -_/=)+ and may not exceed 16 characters"}}"#,
        ),
        (
            "$JS.API.CONSUMER.UNPIN.NOT_EXIST.C",
            r#"{"group":"A"}"#,
            r#""error":{"code":404,"err_code":10059,"description":"stream not found"}}"#,
        ),
        (
            "$JS.API.CONSUMER.UNPIN.TEST.NOT_EXIST",
            r#"{"group":"A","other":1}"#,
            r#""error":{"code":404,"err_code":10014,"description":"consumer not found"}}"#,
        ),
        (
            "$JS.API.CONSUMER.UNPIN.TEST.C",
            r#"{"group":"B"}"#,
            r#""error":{"code":400,"err_code":10160,"description":"Provided priority group does not exist for this consumer"}}"#,
        ),
    ];
    for (subject, body, want) in cases {
        assert_eq!(
            raw(subject, body).await,
            format!("{t},{want}"),
            "{subject} {body}"
        );
    }
    assert_eq!(
        raw("$JS.API.CONSUMER.UNPIN.TEST.C", r#"{"group":"A"}"#).await,
        format!("{t}}}")
    );
}

// go: server/TestJetStreamConsumerOverflow
#[tokio::test]
async fn overflow_requests_wait_for_their_thresholds() {
    let dir = TempDir::new("js-overflow");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo.>", "bar", "baz"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "filter_subject": "foo.>",
        "priority_groups": ["A"], "priority_policy": "overflow", "ack_policy": "explicit"}),
    )
    .await;
    publish_n(&js, "foo.1", 1).await;
    let req = |extra: Value| {
        let mut r = json!({"batch": 1, "expires": 90_000_000_000i64});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let short = Duration::from_millis(500);

    // Nothing unacknowledged: a min_ack_pending request waits.
    let mut ack_pending1 = pull(
        &nc,
        "TEST",
        "C",
        "ackPending",
        req(json!({"group": "A", "min_ack_pending": 1})),
    )
    .await;
    assert!(next_within(&mut ack_pending1, short).await.is_none());
    // One pending: min_pending 1 is served.
    let mut pending1 = pull(
        &nc,
        "TEST",
        "C",
        "single",
        req(json!({"group": "A", "min_pending": 1})),
    )
    .await;
    assert!(next_within(&mut pending1, WAIT).await.is_some());

    publish_n(&js, "foo.1", 2).await;
    let mut pending10 = pull(
        &nc,
        "TEST",
        "C",
        "overflow",
        req(json!({"group": "A", "min_pending": 10})),
    )
    .await;
    assert!(next_within(&mut pending10, short).await.is_none());
    // A request without thresholds is served.
    let mut plain = pull(&nc, "TEST", "C", "plain1", req(json!({}))).await;
    assert!(next_within(&mut plain, WAIT).await.is_some());

    // Past the threshold, the waiting request is served.
    publish_n(&js, "foo.1", 100).await;
    assert!(next_within(&mut pending10, WAIT).await.is_some());

    // Few unacknowledged: min_ack_pending 50 waits, until a big batch leaves many unacknowledged.
    let mut ack_pending50 = pull(
        &nc,
        "TEST",
        "C",
        "ackPending50",
        req(json!({"group": "A", "min_ack_pending": 50})),
    )
    .await;
    assert!(next_within(&mut ack_pending50, short).await.is_none());
    let mut big = pull(
        &nc,
        "TEST",
        "C",
        "plain2",
        json!({"batch": 200, "expires": 90_000_000_000i64, "group": "A"}),
    )
    .await;
    assert!(next_within(&mut big, WAIT).await.is_some());
    assert!(next_within(&mut ack_pending50, WAIT).await.is_some());
}

// go: server/TestJetStreamConsumerPrioritized
#[tokio::test]
async fn prioritized_requests_served_lowest_priority_first() {
    let dir = TempDir::new("js-prioritized");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    create(
        &nc,
        "TEST",
        "CONSUMER",
        json!({"durable_name": "CONSUMER", "ack_policy": "none",
        "filter_subject": "foo", "priority_groups": ["A"], "priority_policy": "prioritized"}),
    )
    .await;
    let req = |priority: i64, batch: i64| json!({"batch": batch, "expires": 10_000_000_000i64, "group": "A", "priority": priority});
    let short = Duration::from_millis(200);

    // Out of range.
    for p in [10, -5] {
        let mut sub = pull(&nc, "TEST", "CONSUMER", "invalid", req(p, 1)).await;
        let m = next_within(&mut sub, WAIT).await.unwrap();
        assert_eq!(m.status.map(|s| s.as_u16()), Some(400));
    }

    // Ordering: 1, then 2 (twice), then 3.
    let mut p3 = pull(&nc, "TEST", "CONSUMER", "priority3", req(3, 1)).await;
    let mut p1 = pull(&nc, "TEST", "CONSUMER", "priority1", req(1, 1)).await;
    let mut p2 = pull(&nc, "TEST", "CONSUMER", "priority2", req(2, 2)).await;
    wait_waiting(&nc, "TEST", "CONSUMER", 3).await;
    publish_n(&js, "foo", 1).await;
    assert!(next_within(&mut p3, short).await.is_none());
    assert!(next_within(&mut p2, short).await.is_none());
    assert!(next_within(&mut p1, WAIT).await.is_some());
    publish_n(&js, "foo", 1).await;
    assert!(next_within(&mut p3, short).await.is_none());
    assert!(next_within(&mut p2, WAIT).await.is_some());
    publish_n(&js, "foo", 1).await;
    assert!(next_within(&mut p2, WAIT).await.is_some());
    assert!(next_within(&mut p3, short).await.is_none());
    publish_n(&js, "foo", 1).await;
    assert!(next_within(&mut p3, WAIT).await.is_some());

    // A better priority takes over from a request still wanting more.
    let mut s3 = pull(&nc, "TEST", "CONSUMER", "dyn3", req(3, 3)).await;
    wait_waiting(&nc, "TEST", "CONSUMER", 1).await;
    publish_n(&js, "foo", 1).await;
    assert!(next_within(&mut s3, WAIT).await.is_some());
    let mut s2 = pull(&nc, "TEST", "CONSUMER", "dyn2", req(2, 2)).await;
    wait_waiting(&nc, "TEST", "CONSUMER", 2).await;
    publish_n(&js, "foo", 1).await;
    assert!(next_within(&mut s2, WAIT).await.is_some());
    let mut s1 = pull(&nc, "TEST", "CONSUMER", "dyn1", req(1, 1)).await;
    wait_waiting(&nc, "TEST", "CONSUMER", 3).await;
    publish_n(&js, "foo", 3).await;
    assert!(next_within(&mut s1, WAIT).await.is_some());
    assert!(next_within(&mut s2, WAIT).await.is_some());
    assert!(next_within(&mut s3, WAIT).await.is_some());
}

/// A stream `TEST` on `foo` with a pinned-client consumer `C` in group `A`.
async fn pinned_consumer(
    nc: &async_nats::Client,
    js: &async_nats::jetstream::Context,
    ttl_ns: i64,
) {
    add_stream(js, "TEST", &["foo"]).await;
    let r = create(
        nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "filter_subject": "foo", "priority_groups": ["A"],
            "priority_policy": "pinned_client", "ack_policy": "explicit", "priority_timeout": ttl_ns}),
    )
    .await;
    assert!(r.get("error").is_none(), "{r}");
}

async fn unpin(nc: &async_nats::Client) {
    let r = api(nc, "$JS.API.CONSUMER.UNPIN.TEST.C", json!({"group": "A"})).await;
    assert!(r.get("error").is_none(), "{r}");
}

// go: server/TestJetStreamConsumerPinnedPlainRequestNoPanic
#[tokio::test]
async fn pinned_consumer_serves_a_plain_request() {
    let dir = TempDir::new("js-pinned-plain");
    let (_h, nc, js) = setup(&dir).await;
    pinned_consumer(&nc, &js, 10_000_000_000).await;
    js.publish("foo", "msg".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let mut sub = pull(&nc, "TEST", "C", "PLAIN", json!(1)).await;
    let m = next_within(&mut sub, Duration::from_secs(2))
        .await
        .expect("delivered");
    assert_eq!(&m.payload[..], b"msg");
    nc.flush().await.unwrap();
}

// go: server/TestJetStreamConsumerUnpinNoMessages
#[tokio::test]
async fn unpinned_client_gets_423_and_the_other_takes_the_pin() {
    let dir = TempDir::new("js-unpin-nomsg");
    let (_h, nc, js) = setup(&dir).await;
    pinned_consumer(&nc, &js, 30_000_000_000).await;
    let req = json!({"batch": 30, "expires": 60_000_000_000i64, "group": "A"});
    let mut one = pull(&nc, "TEST", "C", "ONE", req.clone()).await;
    let mut two = pull(&nc, "TEST", "C", "TWO", req).await;
    publish_n(&js, "foo", 2).await;
    let m = next_within(&mut one, WAIT).await.expect("first");
    let pin = header(&m, "Nats-Pin-Id").expect("pinned").to_string();
    next_within(&mut one, WAIT).await.expect("second");
    assert!(next_within(&mut two, Duration::from_millis(500))
        .await
        .is_none());

    unpin(&nc).await;
    publish_n(&js, "foo", 2).await;
    // The old pinned request learns it lost the pin; the other one takes a new pin.
    let m = next_within(&mut one, WAIT).await.expect("423");
    assert_eq!(m.status.map(|s| s.as_u16()), Some(423));
    let m = next_within(&mut two, WAIT).await.expect("delivery");
    assert!(m.payload.starts_with(b"msg-"));
    let new_pin = header(&m, "Nats-Pin-Id").expect("pinned");
    assert_ne!(new_pin, pin);
}

// go: server/TestJetStreamConsumerUnpinPickDifferentRequest
#[tokio::test]
async fn unpin_hands_the_pin_to_a_different_request() {
    let dir = TempDir::new("js-unpin-diff");
    let (_h, nc, js) = setup(&dir).await;
    pinned_consumer(&nc, &js, 30_000_000_000).await;
    publish_n(&js, "foo", 1).await;
    let req = json!({"batch": 5, "expires": 15_000_000_000i64, "group": "A"});
    let mut first = pull(&nc, "TEST", "C", "FIRST", req.clone()).await;
    let m = next_within(&mut first, WAIT).await.expect("first");
    let pin = header(&m, "Nats-Pin-Id").expect("pinned").to_string();
    let mut second = pull(&nc, "TEST", "C", "SECOND", req).await;
    assert!(next_within(&mut second, Duration::from_millis(500))
        .await
        .is_none());

    unpin(&nc).await;
    // Nothing to deliver: the old pinned request hears nothing yet.
    assert!(next_within(&mut first, Duration::from_millis(500))
        .await
        .is_none());
    publish_n(&js, "foo", 1).await;
    let m = next_within(&mut first, WAIT).await.expect("423");
    assert_eq!(m.status.map(|s| s.as_u16()), Some(423));
    assert_eq!(header(&m, "Nats-Pin-Id"), None);
    let m = next_within(&mut second, WAIT).await.expect("delivery");
    let new_pin = header(&m, "Nats-Pin-Id").expect("pinned");
    assert!(!new_pin.is_empty() && new_pin != pin);
}

/// The pinned client id in the consumer's info, empty when none.
async fn pinned_id(nc: &async_nats::Client) -> String {
    let i = info(nc, "TEST", "C").await;
    i["priority_groups"][0]["pinned_client_id"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

// go: server/TestJetStreamConsumerPinnedUnsetsAfterAtMostPinnedTTL
#[tokio::test]
async fn pin_lapses_after_its_ttl_even_while_the_request_waits() {
    for publish in [true, false] {
        let dir = TempDir::new("js-pin-lapse");
        let (_h, nc, js) = setup(&dir).await;
        add_stream(&js, "TEST", &["foo"]).await;
        if publish {
            js.publish("foo", "".into()).await.unwrap().await.unwrap();
        }
        create(
            &nc,
            "TEST",
            "C",
            json!({"durable_name": "C", "filter_subject": "foo", "priority_groups": ["A"],
                "priority_policy": "pinned_client", "ack_policy": "explicit",
                "priority_timeout": 1_000_000_000}),
        )
        .await;
        let mut sub = pull(
            &nc,
            "TEST",
            "C",
            "ONE",
            json!({"batch": 2, "expires": 2_000_000_000i64, "group": "A"}),
        )
        .await;
        // The pin holds steady for a while...
        let start = std::time::Instant::now();
        let mut pin = String::new();
        while start.elapsed() < Duration::from_millis(750) {
            let now = pinned_id(&nc).await;
            if pin.is_empty() {
                pin = now;
            } else {
                assert_eq!(now, pin, "publish={publish}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if publish {
            assert!(!pin.is_empty());
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // ...but not past its TTL, though the request is still waiting.
        assert_eq!(pinned_id(&nc).await, "", "publish={publish}");
        if publish {
            let m = next_within(&mut sub, Duration::from_millis(200))
                .await
                .expect("the message");
            assert_eq!(header(&m, "Nats-Pin-Id"), Some(pin.as_str()));
            assert_eq!(m.subject.as_str(), "foo");
        }
        let m = next_within(&mut sub, Duration::from_secs(3))
            .await
            .expect("timeout");
        assert_eq!(m.status.map(|s| s.as_u16()), Some(408));
        assert_eq!(m.description.as_deref(), Some("Request Timeout"));
    }
}

// go: server/TestJetStreamConsumerPinnedUnsubscribeOnPinned
#[tokio::test]
async fn pin_passes_on_when_the_pinned_client_goes_away() {
    let dir = TempDir::new("js-pin-gone");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo.>", "bar", "baz"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "filter_subject": "foo.>", "priority_groups": ["A"],
            "priority_policy": "pinned_client", "ack_policy": "explicit",
            "priority_timeout": 1_000_000_000}),
    )
    .await;
    js.publish("foo.1", "hello".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let req = json!({"batch": 3, "expires": 5_000_000_000i64, "idle_heartbeat": 250_000_000,
        "group": "A"});
    let mut one = pull(&nc, "TEST", "C", "ONE", req.clone()).await;
    let mut two = pull(&nc, "TEST", "C", "TWO", req).await;
    let m = next_within(&mut one, WAIT).await.expect("pinned");
    assert!(header(&m, "Nats-Pin-Id").is_some_and(|p| !p.is_empty()));

    one.unsubscribe().await.unwrap();
    nc.flush().await.unwrap();
    js.publish("foo.1", "hello".into())
        .await
        .unwrap()
        .await
        .unwrap();
    // Heartbeats while the pin of the gone client lives, then the message with a new pin.
    let m = next_within(&mut two, Duration::from_secs(1))
        .await
        .expect("heartbeat");
    assert_eq!(m.status.map(|s| s.as_u16()), Some(100));
    for _ in 0..20 {
        let m = next_within(&mut two, Duration::from_secs(1))
            .await
            .expect("heartbeat or message");
        if m.status.is_some_and(|s| s.as_u16() == 100) {
            continue;
        }
        assert!(header(&m, "Nats-Pin-Id").is_some_and(|p| !p.is_empty()));
        return;
    }
    panic!("no message after the pin lapsed");
}

// go: server/TestJetStreamConsumerPinnedStandbyMaxBytesNotEroded
#[tokio::test]
async fn standby_request_keeps_its_max_bytes_while_the_pinned_one_is_served() {
    let dir = TempDir::new("js-pin-standby");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo.>"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "filter_subject": "foo.>", "priority_groups": ["A"],
            "priority_policy": "pinned_client", "ack_policy": "explicit",
            "priority_timeout": 30_000_000_000i64}),
    )
    .await;
    let mut a = pull(
        &nc,
        "TEST",
        "C",
        "RA",
        json!({"batch": 100000, "expires": 30_000_000_000i64, "group": "A"}),
    )
    .await;
    let mut b = pull(
        &nc,
        "TEST",
        "C",
        "RB",
        json!({"batch": 100, "max_bytes": 500, "expires": 30_000_000_000i64, "group": "A"}),
    )
    .await;
    wait_waiting(&nc, "TEST", "C", 2).await;
    for _ in 0..50 {
        js.publish("foo.bar", vec![0u8; 200].into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let mut to_a = 0;
    while next_within(&mut a, Duration::from_millis(250))
        .await
        .is_some()
    {
        to_a += 1;
    }
    assert_eq!(to_a, 50);
    if let Some(m) = next_within(&mut b, Duration::from_millis(500)).await {
        panic!(
            "standby request answered: {:?} {:?}",
            m.status, m.description
        );
    }
}

// go: server/TestJetStreamConsumerPinnedMaxBytesRejectDoesNotOrphanPin
#[tokio::test]
async fn max_bytes_refusal_releases_the_pin_it_just_took() {
    let dir = TempDir::new("js-pin-maxbytes");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo.>"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "filter_subject": "foo.>", "priority_groups": ["A"],
            "priority_policy": "pinned_client", "ack_policy": "explicit",
            "priority_timeout": 30_000_000_000i64}),
    )
    .await;
    js.publish("foo.bar", vec![0u8; 200].into())
        .await
        .unwrap()
        .await
        .unwrap();
    let mut a = pull(
        &nc,
        "TEST",
        "C",
        "RA",
        json!({"batch": 1, "max_bytes": 10, "expires": 30_000_000_000i64, "group": "A"}),
    )
    .await;
    let m = next_within(&mut a, WAIT).await.expect("409");
    assert_eq!(m.status.map(|s| s.as_u16()), Some(409));
    assert_eq!(
        m.description.as_deref(),
        Some("Message Size Exceeds MaxBytes")
    );
    let mut b = pull(
        &nc,
        "TEST",
        "C",
        "RB",
        json!({"batch": 1, "expires": 30_000_000_000i64, "group": "A"}),
    )
    .await;
    let m = next_within(&mut b, WAIT).await.expect("the message");
    assert_eq!(m.subject.as_str(), "foo.bar");
    assert!(m.status.is_none());
    assert_eq!(m.payload.len(), 200);
}
