//! Consumer features beyond create/fetch/ack, checked with async-nats and raw API requests:
//! pause and resume (`$JS.API.CONSUMER.PAUSE`), its advisories, and that a paused consumer
//! delivers nothing until its time; priority groups (overflow, pinned client, prioritized),
//! `$JS.API.CONSUMER.UNPIN` and the pin advisories; `$JS.API.CONSUMER.RESET`; replay at the
//! original pace, the push rate limit and sampled ack metrics.

use std::time::{Duration, SystemTime};

use async_nats::jetstream::{self, stream};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::time::timeout;

use crate::support::*;
use server::jetstream::api::GoTime;
use server::Options;

async fn setup(dir: &TempDir) -> (server::ServerHandle, async_nats::Client, jetstream::Context) {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    let h = start(o).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let js = jetstream::new(nc.clone());
    (h, nc, js)
}

async fn add_stream(js: &jetstream::Context, name: &str, subjects: &[&str]) {
    js.create_stream(stream::Config {
        name: name.into(),
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
    .await
    .unwrap();
}

/// A JSON API request and its JSON answer.
async fn api(nc: &async_nats::Client, subject: &str, body: Value) -> Value {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let m = timeout(WAIT, nc.request(subject.to_string(), body.into()))
        .await
        .expect("answer in time")
        .expect("answer");
    serde_json::from_slice(&m.payload).expect("JSON answer")
}

/// RFC 3339 text for `SystemTime::now() + d`, as Go writes it.
fn rfc3339_in(d: Duration) -> String {
    GoTime::from_system(SystemTime::now() + d).to_string()
}

async fn create(nc: &async_nats::Client, stream: &str, name: &str, config: Value) -> Value {
    api(
        nc,
        &format!("$JS.API.CONSUMER.CREATE.{stream}.{name}"),
        json!({"stream_name": stream, "config": config}),
    )
    .await
}

async fn pause(nc: &async_nats::Client, stream: &str, name: &str, until: Option<&str>) -> Value {
    let body = match until {
        Some(t) => json!({ "pause_until": t }),
        None => Value::Null,
    };
    api(nc, &format!("$JS.API.CONSUMER.PAUSE.{stream}.{name}"), body).await
}

async fn info(nc: &async_nats::Client, stream: &str, name: &str) -> Value {
    api(
        nc,
        &format!("$JS.API.CONSUMER.INFO.{stream}.{name}"),
        Value::Null,
    )
    .await
}

/// The next message on `sub` as JSON, within a few seconds.
async fn next_json(sub: &mut async_nats::Subscriber) -> Value {
    let m = timeout(Duration::from_secs(3), sub.next())
        .await
        .expect("message in time")
        .expect("subscription open");
    serde_json::from_slice(&m.payload).expect("JSON message")
}

fn same_instant(a: &Value, b: &str) -> bool {
    match (
        a.as_str().map(GoTime::parse_rfc3339),
        GoTime::parse_rfc3339(b),
    ) {
        (Some(Ok(a)), Ok(b)) => a.unix_nanos() == b.unix_nanos(),
        _ => false,
    }
}

// go: server/TestJetStreamConsumerPauseViaConfig
#[tokio::test]
async fn pause_until_in_config_at_create_and_not_by_update() {
    let dir = TempDir::new("js-pause-cfg");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;

    let deadline = rfc3339_in(Duration::from_secs(3600));
    let r = create(
        &nc,
        "TEST",
        "my_consumer_1",
        json!({"name": "my_consumer_1", "pause_until": deadline}),
    )
    .await;
    assert!(same_instant(&r["config"]["pause_until"], &deadline), "{r}");
    assert_eq!(r["paused"], true, "{r}");
    assert!(
        r["pause_remaining"].as_i64().unwrap() > 3_500_000_000_000,
        "{r}"
    );
    assert_eq!(r["config"]["metadata"]["_nats.req.level"], "1", "{r}");

    // Update cannot pause: the existing (absent) pause stays.
    let r = create(
        &nc,
        "TEST",
        "my_consumer_2",
        json!({"name": "my_consumer_2"}),
    )
    .await;
    assert!(r["config"].get("pause_until").is_none(), "{r}");
    let mut cfg = r["config"].clone();
    cfg["pause_until"] = json!(rfc3339_in(Duration::from_secs(3600)));
    let r = api(
        &nc,
        "$JS.API.CONSUMER.CREATE.TEST.my_consumer_2",
        json!({"stream_name": "TEST", "config": cfg, "action": "update"}),
    )
    .await;
    assert!(r.get("error").is_none(), "{r}");
    assert!(r["config"].get("pause_until").is_none(), "{r}");
    assert!(r.get("paused").is_none(), "{r}");
}

// go: server/TestJetStreamConsumerPauseResumeViaEndpoint
#[tokio::test]
async fn pause_endpoint_answers_and_resumes() {
    let dir = TempDir::new("js-pause-api");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["TEST"]).await;
    create(&nc, "TEST", "CONSUMER", json!({"durable_name": "CONSUMER"})).await;
    assert!(info(&nc, "TEST", "CONSUMER").await.get("paused").is_none());

    // Pause: the answer and the info say so; the time is kept in UTC.
    let r = pause(&nc, "TEST", "CONSUMER", Some("2099-01-01T01:00:00.5+01:00")).await;
    assert_eq!(
        r["type"],
        "io.nats.jetstream.api.v1.consumer_pause_response"
    );
    assert_eq!(r["paused"], true, "{r}");
    assert_eq!(r["pause_until"], "2099-01-01T00:00:00.5Z", "{r}");
    assert!(r["pause_remaining"].as_i64().unwrap() > 0, "{r}");
    let i = info(&nc, "TEST", "CONSUMER").await;
    assert_eq!(i["paused"], true, "{i}");
    assert_eq!(i["config"]["pause_until"], "2099-01-01T00:00:00.5Z", "{i}");
    assert!(i["pause_remaining"].as_i64().unwrap() > 0, "{i}");

    // An empty request resumes: the zero time, no remaining.
    let r = pause(&nc, "TEST", "CONSUMER", None).await;
    assert_eq!(
        r.to_string(),
        r#"{"pause_until":"0001-01-01T00:00:00Z","paused":false,"type":"io.nats.jetstream.api.v1.consumer_pause_response"}"#
    );
    let i = info(&nc, "TEST", "CONSUMER").await;
    assert!(i.get("paused").is_none(), "{i}");
    assert!(i["config"].get("pause_until").is_none(), "{i}");

    // A time already past is kept in the config but does not pause.
    let r = pause(&nc, "TEST", "CONSUMER", Some("2020-01-01T00:00:00Z")).await;
    assert_eq!(r["paused"], false, "{r}");
    assert_eq!(r["pause_until"], "2020-01-01T00:00:00Z", "{r}");
    let i = info(&nc, "TEST", "CONSUMER").await;
    assert!(i.get("paused").is_none(), "{i}");
    assert_eq!(i["config"]["pause_until"], "2020-01-01T00:00:00Z", "{i}");
}

#[tokio::test]
async fn pause_endpoint_errors_as_go() {
    let dir = TempDir::new("js-pause-err");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["TEST"]).await;
    let tail = r#""paused":false,"pause_until":"0001-01-01T00:00:00Z"}"#;
    let raw = |subject: &'static str, body: &'static str| {
        let nc = nc.clone();
        async move {
            let m = nc.request(subject, body.into()).await.unwrap();
            String::from_utf8(m.payload.to_vec()).unwrap()
        }
    };
    assert_eq!(
        raw("$JS.API.CONSUMER.PAUSE.NO.x", "").await,
        format!(
            r#"{{"type":"io.nats.jetstream.api.v1.consumer_pause_response","error":{{"code":404,"err_code":10059,"description":"stream not found"}},{tail}"#
        )
    );
    assert_eq!(
        raw("$JS.API.CONSUMER.PAUSE.TEST.x", "{}").await,
        format!(
            r#"{{"type":"io.nats.jetstream.api.v1.consumer_pause_response","error":{{"code":404,"err_code":10014,"description":"consumer not found"}},{tail}"#
        )
    );
    assert_eq!(
        raw("$JS.API.CONSUMER.PAUSE.TEST.x", r#"{"pause_until":5}"#).await,
        format!(
            r#"{{"type":"io.nats.jetstream.api.v1.consumer_pause_response","error":{{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number into Go struct field JSApiConsumerPauseRequest.pause_until of type time.Time"}},{tail}"#
        )
    );
    assert_eq!(
        raw("$JS.API.CONSUMER.PAUSE.TEST.x", "[]").await,
        format!(
            r#"{{"type":"io.nats.jetstream.api.v1.consumer_pause_response","error":{{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal array into Go value of type server.JSApiConsumerPauseRequest"}},{tail}"#
        )
    );
}

// go: server/TestJetStreamConsumerPauseViaEndpoint
#[tokio::test]
async fn paused_pull_consumer_delivers_after_the_deadline() {
    let dir = TempDir::new("js-pause-pull");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["pull"]).await;
    create(
        &nc,
        "TEST",
        "pull_consumer",
        json!({"durable_name": "pull_consumer"}),
    )
    .await;
    let stream = js.get_stream("TEST").await.unwrap();
    let c: jetstream::consumer::PullConsumer = stream.get_consumer("pull_consumer").await.unwrap();
    let publish = |n: usize| {
        let js = js.clone();
        async move {
            for _ in 0..n {
                js.publish("pull", "OK".into())
                    .await
                    .unwrap()
                    .await
                    .unwrap();
            }
        }
    };
    let fetch = |wait: Duration| {
        let c = c.clone();
        async move {
            let mut b = c
                .fetch()
                .max_messages(10)
                .expires(wait)
                .messages()
                .await
                .unwrap();
            let mut n = 0;
            while let Some(m) = timeout(wait + WAIT, b.next()).await.unwrap() {
                m.unwrap().ack().await.unwrap();
                n += 1;
            }
            n
        }
    };
    publish(10).await;
    assert_eq!(fetch(Duration::from_secs(1)).await, 10);

    // Paused for 2s: a fetch over the first half gets nothing.
    let pause_for = Duration::from_secs(2);
    let deadline = std::time::Instant::now() + pause_for;
    let r = pause(&nc, "TEST", "pull_consumer", Some(&rfc3339_in(pause_for))).await;
    assert_eq!(r["paused"], true, "{r}");
    publish(10).await;
    assert_eq!(fetch(Duration::from_millis(800)).await, 0);

    // A fetch that outlives the pause gets them once it ends.
    assert_eq!(fetch(Duration::from_secs(3)).await, 10);
    assert!(std::time::Instant::now() >= deadline);

    // Paused far ahead, then resumed at once: deliveries flow again.
    pause(
        &nc,
        "TEST",
        "pull_consumer",
        Some(&rfc3339_in(Duration::from_secs(3600))),
    )
    .await;
    let r = pause(&nc, "TEST", "pull_consumer", None).await;
    assert_eq!(r["paused"], false, "{r}");
    publish(10).await;
    assert_eq!(fetch(Duration::from_secs(1)).await, 10);
}

// go: server/TestJetStreamConsumerPauseViaEndpoint
#[tokio::test]
async fn paused_push_consumer_delivers_after_the_deadline() {
    let dir = TempDir::new("js-pause-push");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["push"]).await;
    let mut sub = nc.subscribe("dpush").await.unwrap();
    create(
        &nc,
        "TEST",
        "push_consumer",
        json!({"durable_name": "push_consumer", "deliver_subject": "dpush"}),
    )
    .await;
    for _ in 0..5 {
        js.publish("push", "OK".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    for _ in 0..5 {
        timeout(WAIT, sub.next()).await.unwrap().unwrap();
    }
    let pause_for = Duration::from_millis(1500);
    let deadline = std::time::Instant::now() + pause_for;
    pause(&nc, "TEST", "push_consumer", Some(&rfc3339_in(pause_for))).await;
    for _ in 0..5 {
        js.publish("push", "OK".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    for _ in 0..5 {
        timeout(WAIT, sub.next()).await.unwrap().unwrap();
        assert!(
            std::time::Instant::now() >= deadline,
            "delivered while paused"
        );
    }
}

// go: server/TestJetStreamConsumerPauseHeartbeats
#[tokio::test]
async fn paused_push_consumer_keeps_sending_heartbeats() {
    let dir = TempDir::new("js-pause-hb");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    js.publish("foo", "x".into()).await.unwrap().await.unwrap();
    let deadline = rfc3339_in(Duration::from_secs(3600));
    let r = create(
        &nc,
        "TEST",
        "my_consumer",
        json!({"name": "my_consumer", "pause_until": deadline,
               "idle_heartbeat": 100_000_000, "deliver_subject": "deliver_subj"}),
    )
    .await;
    assert!(same_instant(&r["config"]["pause_until"], &deadline), "{r}");
    let mut sub = nc.subscribe("deliver_subj").await.unwrap();
    for _ in 0..10 {
        let m = timeout(Duration::from_millis(400), sub.next())
            .await
            .expect("a heartbeat in time")
            .unwrap();
        assert_eq!(m.status, Some(async_nats::StatusCode::IDLE_HEARTBEAT));
        assert_eq!(m.description.as_deref(), Some("Idle Heartbeat"));
    }
}

// go: server/TestJetStreamConsumerPauseAdvisories
#[tokio::test]
async fn pause_advisories_on_create_api_and_resume() {
    let dir = TempDir::new("js-pause-adv");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    let mut adv = nc
        .subscribe("$JS.EVENT.ADVISORY.CONSUMER.PAUSE.TEST.my_consumer")
        .await
        .unwrap();
    nc.flush().await.unwrap();
    let check = |a: &Value, paused: bool, deadline: &str| {
        assert_eq!(
            a["type"], "io.nats.jetstream.advisory.v1.consumer_pause",
            "{a}"
        );
        assert_eq!(a["stream"], "TEST", "{a}");
        assert_eq!(a["consumer"], "my_consumer", "{a}");
        assert_eq!(a["paused"], paused, "{a}");
        assert!(same_instant(&a["pause_until"], deadline), "{a}");
    };

    let deadline = rfc3339_in(Duration::from_secs(1));
    create(
        &nc,
        "TEST",
        "my_consumer",
        json!({"durable_name": "my_consumer", "pause_until": deadline}),
    )
    .await;
    check(&next_json(&mut adv).await, true, &deadline);
    check(&next_json(&mut adv).await, false, &deadline);

    let deadline = rfc3339_in(Duration::from_secs(1));
    let r = pause(&nc, "TEST", "my_consumer", Some(&deadline)).await;
    assert!(same_instant(&r["pause_until"], &deadline), "{r}");
    check(&next_json(&mut adv).await, true, &deadline);
    check(&next_json(&mut adv).await, false, &deadline);

    // Resuming by request says so with the zero time.
    pause(
        &nc,
        "TEST",
        "my_consumer",
        Some(&rfc3339_in(Duration::from_secs(3600))),
    )
    .await;
    next_json(&mut adv).await;
    pause(&nc, "TEST", "my_consumer", None).await;
    check(&next_json(&mut adv).await, false, "0001-01-01T00:00:00Z");
}

/// Subscribe `inbox` and send a pull request for `consumer` there.
async fn pull(
    nc: &async_nats::Client,
    stream: &str,
    consumer: &str,
    inbox: &str,
    body: Value,
) -> async_nats::Subscriber {
    let sub = nc.subscribe(inbox.to_string()).await.unwrap();
    nc.flush().await.unwrap();
    nc.publish_with_reply(
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"),
        inbox.to_string(),
        body.to_string().into(),
    )
    .await
    .unwrap();
    nc.flush().await.unwrap();
    sub
}

/// The next message on `sub` within `wait`, None when there is none.
async fn next_within(
    sub: &mut async_nats::Subscriber,
    wait: Duration,
) -> Option<async_nats::Message> {
    timeout(wait, sub.next()).await.ok().flatten()
}

fn header<'a>(m: &'a async_nats::Message, key: &str) -> Option<&'a str> {
    m.headers.as_ref()?.get(key).map(|v| v.as_str())
}

/// Wait until the consumer has `n` waiting pull requests.
async fn wait_waiting(nc: &async_nats::Client, stream: &str, consumer: &str, n: i64) {
    for _ in 0..200 {
        if info(nc, stream, consumer).await["num_waiting"] == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("expected {n} waiting requests");
}

async fn publish_n(js: &jetstream::Context, subject: &str, n: usize) {
    for i in 0..n {
        js.publish(subject.to_string(), format!("msg-{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

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

/// Fetch one message from a pull consumer and ack it; its payload.
async fn fetch_one_ack(nc: &async_nats::Client, stream: &str, consumer: &str) -> String {
    let inbox = nc.new_inbox();
    let mut sub = pull(
        nc,
        stream,
        consumer,
        &inbox,
        json!({"batch": 1, "expires": 1_000_000_000}),
    )
    .await;
    let m = next_within(&mut sub, WAIT).await.expect("a message");
    assert!(m.status.is_none(), "{:?} {:?}", m.status, m.description);
    let reply = m.reply.clone().expect("ack reply");
    nc.request(reply, "".into()).await.expect("ack answered");
    String::from_utf8(m.payload.to_vec()).unwrap()
}

async fn reset(nc: &async_nats::Client, stream: &str, consumer: &str, body: &str) -> Value {
    let m = timeout(
        WAIT,
        nc.request(
            format!("$JS.API.CONSUMER.RESET.{stream}.{consumer}"),
            body.to_string().into(),
        ),
    )
    .await
    .expect("answer in time")
    .expect("answer");
    serde_json::from_slice(&m.payload).expect("JSON answer")
}

// go: server/TestJetStreamConsumerResetToSequenceConstraintOnStartSeq
#[tokio::test]
async fn reset_not_below_the_start_sequence() {
    let dir = TempDir::new("js-reset-seq");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    create(
        &nc,
        "TEST",
        "CONSUMER",
        json!({"durable_name": "CONSUMER", "ack_policy": "explicit",
        "deliver_policy": "by_start_sequence", "opt_start_seq": 3}),
    )
    .await;
    for i in 1..=4 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");

    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":2}"#).await;
    assert_eq!(
        r,
        json!({"type": "io.nats.jetstream.api.v1.consumer_reset_response",
            "error": {"code": 400, "err_code": 10204, "description": "invalid reset: below start seq"},
            "reset_seq": 0})
    );
    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":3}"#).await;
    assert_eq!(
        r["type"],
        "io.nats.jetstream.api.v1.consumer_reset_response"
    );
    assert_eq!(r["reset_seq"], 3, "{r}");
    assert_eq!(
        r["delivered"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(
        r["ack_floor"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(r["name"], "CONSUMER", "{r}");
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");
}

// go: server/TestJetStreamConsumerResetToSequenceConstraintOnStartTime
#[tokio::test]
async fn reset_not_below_the_start_time() {
    let dir = TempDir::new("js-reset-time");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    for i in 1..=2 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    create(
        &nc,
        "TEST",
        "CONSUMER",
        json!({"durable_name": "CONSUMER", "ack_policy": "explicit",
        "deliver_policy": "by_start_time", "opt_start_time": GoTime::now().to_string()}),
    )
    .await;
    for i in 3..=4 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");
    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":2}"#).await;
    assert_eq!(
        r["error"]["description"], "invalid reset: below start time",
        "{r}"
    );
    assert_eq!(r["error"]["err_code"], 10204, "{r}");
    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":3}"#).await;
    assert_eq!(r["reset_seq"], 3, "{r}");
    assert_eq!(
        r["delivered"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(
        r["ack_floor"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");
}

#[tokio::test]
async fn reset_to_ack_floor_redelivers_and_other_answers() {
    let dir = TempDir::new("js-reset");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "ack_policy": "explicit"}),
    )
    .await;
    for i in 1..=4 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    // Starts at the last message, so its ack floor is just below it.
    create(
        &nc,
        "TEST",
        "L",
        json!({"durable_name": "L", "deliver_policy": "last"}),
    )
    .await;
    assert_eq!(fetch_one_ack(&nc, "TEST", "C").await, "msg1");
    // Delivered but not acknowledged.
    let mut sub = pull(&nc, "TEST", "C", "r1", json!({"batch": 2})).await;
    for _ in 0..2 {
        next_within(&mut sub, WAIT).await.expect("delivery");
    }
    assert_eq!(info(&nc, "TEST", "C").await["num_ack_pending"], 2);

    // No sequence: back to just past the ack floor; pending acks are forgotten.
    let r = reset(&nc, "TEST", "C", "").await;
    assert_eq!(r["reset_seq"], 2, "{r}");
    assert_eq!(r["num_ack_pending"], 0, "{r}");
    assert_eq!(r["num_pending"], 3, "{r}");
    assert_eq!(
        r["delivered"],
        json!({"consumer_seq": 0, "stream_seq": 1}),
        "{r}"
    );
    assert_eq!(fetch_one_ack(&nc, "TEST", "C").await, "msg2");

    // Unknown fields pass as Go's plain decoding lets them; bad types do not.
    assert_eq!(
        reset(&nc, "TEST", "C", r#"{"seq":4,"x":1}"#).await["reset_seq"],
        4
    );
    assert_eq!(fetch_one_ack(&nc, "TEST", "C").await, "msg4");
    assert_eq!(
        reset(&nc, "TEST", "C", r#"{"seq":"x"}"#).await["error"]["description"],
        "invalid JSON: json: cannot unmarshal string into Go struct field JSApiConsumerResetRequest.seq of type uint64"
    );
    // Only deliver policies with a defined start may move.
    assert_eq!(
        reset(&nc, "TEST", "L", r#"{"seq":2}"#).await["error"]["description"],
        "invalid reset: not allowed"
    );
    assert_eq!(reset(&nc, "TEST", "L", "").await["reset_seq"], 4);

    // A consumer that does not exist does not answer.
    let none = timeout(
        Duration::from_millis(500),
        nc.request("$JS.API.CONSUMER.RESET.TEST.NOPE", "".into()),
    )
    .await;
    assert!(
        !matches!(none, Ok(Ok(_))),
        "answered for a missing consumer"
    );
}

/// The gaps between successive messages on `sub`, starting from `from`.
async fn gaps(sub: &mut async_nats::Subscriber, n: usize) -> Vec<Duration> {
    let mut out = Vec::new();
    let mut last = std::time::Instant::now();
    for i in 0..n {
        next_within(sub, WAIT)
            .await
            .unwrap_or_else(|| panic!("message {i}"));
        let now = std::time::Instant::now();
        out.push(now - last);
        last = now;
    }
    out
}

// go: server/TestJetStreamConsumerReplayRate
#[tokio::test]
async fn replay_original_keeps_the_published_gaps() {
    let dir = TempDir::new("js-replay");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "DC", &["DC"]).await;
    // Ten messages with gaps of 20..60ms.
    let mut sent_gaps = Vec::new();
    let mut last = std::time::Instant::now();
    for i in 0..10u64 {
        sent_gaps.push(last.elapsed());
        last = std::time::Instant::now();
        js.publish("DC", "OK!".into()).await.unwrap().await.unwrap();
        tokio::time::sleep(Duration::from_millis(20 + (i * 7) % 40)).await;
    }

    // Instant (the default): a firehose.
    let mut sub = nc.subscribe("d.instant").await.unwrap();
    nc.flush().await.unwrap();
    create(
        &nc,
        "DC",
        "i",
        json!({"name": "i", "deliver_subject": "d.instant"}),
    )
    .await;
    let got = gaps(&mut sub, 10).await;
    let total: Duration = got[1..].iter().sum();
    assert!(
        total < Duration::from_millis(100),
        "instant delivery took {total:?}"
    );

    // Original: each gap as published (the first message at once).
    let mut sub = nc.subscribe("d.original").await.unwrap();
    nc.flush().await.unwrap();
    create(
        &nc,
        "DC",
        "o",
        json!({"name": "o", "deliver_subject": "d.original", "replay_policy": "original"}),
    )
    .await;
    let got = gaps(&mut sub, 10).await;
    for i in 1..10 {
        let (lo, hi) = (
            sent_gaps[i].saturating_sub(Duration::from_millis(10)),
            sent_gaps[i] + Duration::from_millis(25),
        );
        assert!(
            got[i] >= lo && got[i] <= hi,
            "push gap {i}: sent {:?}, got {:?}",
            sent_gaps[i],
            got[i]
        );
    }

    // Pull: each request is answered after the original gap. (A reply inbox of its own: the
    // delivery keeps the message's subject, which a request muxer cannot route.)
    create(
        &nc,
        "DC",
        "PM",
        json!({"durable_name": "PM", "ack_policy": "explicit", "replay_policy": "original"}),
    )
    .await;
    let mut sub = nc.subscribe("pm.reply").await.unwrap();
    nc.flush().await.unwrap();
    for (i, want) in sent_gaps.iter().enumerate() {
        let start = std::time::Instant::now();
        nc.publish_with_reply("$JS.API.CONSUMER.MSG.NEXT.DC.PM", "pm.reply", "".into())
            .await
            .unwrap();
        next_within(&mut sub, WAIT)
            .await
            .unwrap_or_else(|| panic!("pull {i}"));
        let gap = start.elapsed();
        if i == 0 {
            continue;
        }
        let (lo, hi) = (
            want.saturating_sub(Duration::from_millis(10)),
            *want + Duration::from_millis(25),
        );
        assert!(
            gap >= lo && gap <= hi,
            "pull gap {i}: sent {want:?}, got {gap:?}"
        );
    }
}

// go: server/TestJetStreamConsumerReplayRateNoAck
#[tokio::test]
async fn replay_original_without_acks_delivers_everything() {
    let dir = TempDir::new("js-replay-noack");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "DC", &["DC"]).await;
    for i in 0..10u64 {
        js.publish("DC", "Hello World".into())
            .await
            .unwrap()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(i % 5)).await;
    }
    create(
        &nc,
        "DC",
        "derek",
        json!({"durable_name": "derek", "deliver_subject": "d.dc",
        "ack_policy": "none", "replay_policy": "original"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(15)).await;
    let mut sub = nc.subscribe("d.dc").await.unwrap();
    let start = std::time::Instant::now();
    gaps(&mut sub, 10).await;
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "took {:?}",
        start.elapsed()
    );
}

// go: server/TestJetStreamConsumerPullDelayedFirstPullWithReplayOriginal
#[tokio::test]
async fn replay_original_pull_answers_a_late_first_request() {
    let dir = TempDir::new("js-replay-late");
    let (_h, nc, js) = setup(&dir).await;
    for storage in ["memory", "file"] {
        let name = format!("MY_WQ_{storage}");
        api(
            &nc,
            &format!("$JS.API.STREAM.CREATE.{name}"),
            json!({"name": name, "storage": storage}),
        )
        .await;
        js.publish(name.clone(), "Hello World!".into())
            .await
            .unwrap()
            .await
            .unwrap();
        create(
            &nc,
            &name,
            "d",
            json!({"durable_name": "d", "ack_policy": "explicit", "replay_policy": "original"}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(250)).await;
        let mut sub = pull(&nc, &name, "d", &format!("late.{storage}"), json!(1)).await;
        let m = next_within(&mut sub, Duration::from_secs(1))
            .await
            .expect("answered in time");
        assert_eq!(&m.payload[..], b"Hello World!");
    }
}

// go: server/TestJetStreamConsumerRateLimit
#[tokio::test]
async fn rate_limit_throttles_push_delivery() {
    let dir = TempDir::new("js-rate");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "RATELIMIT", &["RATELIMIT"]).await;
    let msg_size = 128 * 1024;
    let payload: Vec<u8> = (0..msg_size).map(|i| (i * 7 % 251) as u8).collect();
    let to_send = 10 * 1024 * 1024 / msg_size;
    for _ in 0..to_send {
        js.publish("RATELIMIT", payload.clone().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let rate_limit: u64 = 100 * 1024 * 1024;
    // Pull consumers may not have a rate limit.
    let r = create(
        &nc,
        "RATELIMIT",
        "to",
        json!({"durable_name": "to", "ack_policy": "explicit", "rate_limit_bps": rate_limit}),
    )
    .await;
    assert_eq!(r["error"]["err_code"], 10086, "{r}");
    assert_eq!(
        r["error"]["description"], "consumer in pull mode can not have rate limit set",
        "{r}"
    );

    let mut sub = nc.subscribe("to").await.unwrap();
    nc.flush().await.unwrap();
    let start = std::time::Instant::now();
    create(
        &nc,
        "RATELIMIT",
        "rate",
        json!({"durable_name": "rate", "deliver_subject": "to",
        "rate_limit_bps": rate_limit, "ack_policy": "none"}),
    )
    .await;
    for i in 0..to_send {
        timeout(Duration::from_secs(5), sub.next())
            .await
            .unwrap_or_else(|_| panic!("message {i} in time"));
    }
    let took = start.elapsed().as_secs_f64();
    let rate = (8 * to_send * msg_size) as f64 / took;
    assert!(
        rate <= rate_limit as f64 * 1.25,
        "{} mbps over the limit",
        rate / (1024.0 * 1024.0)
    );
}

#[tokio::test]
async fn sampled_acks_publish_metrics() {
    let dir = TempDir::new("js-sample");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "S", &["s"]).await;
    for (freq, want) in [
        ("x%", "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"x\": invalid syntax"),
        ("%", "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"\": invalid syntax"),
        ("-5", "failed to parse consumer sampling configuration: <nil>"),
    ] {
        let r = create(&nc, "S", "bad", json!({"durable_name": "bad", "sample_freq": freq})).await;
        assert_eq!(r["error"]["err_code"], 10095, "{r}");
        assert_eq!(r["error"]["description"], want, "{r}");
    }
    let r = create(
        &nc,
        "S",
        "C",
        json!({"durable_name": "C", "ack_policy": "explicit", "sample_freq": "100%"}),
    )
    .await;
    assert_eq!(r["config"]["sample_freq"], "100%", "{r}");
    create(
        &nc,
        "S",
        "N",
        json!({"durable_name": "N", "ack_policy": "explicit"}),
    )
    .await;
    publish_n(&js, "s", 2).await;
    let mut metrics = nc
        .subscribe("$JS.EVENT.METRIC.CONSUMER.ACK.S.*")
        .await
        .unwrap();
    nc.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let got = fetch_one_ack(&nc, "S", "C").await;
    assert_eq!(got, "msg-0");
    let m = next_within(&mut metrics, WAIT).await.expect("ack metric");
    assert_eq!(m.subject.as_str(), "$JS.EVENT.METRIC.CONSUMER.ACK.S.C");
    let v: Value = serde_json::from_slice(&m.payload).unwrap();
    assert_eq!(v["type"], "io.nats.jetstream.metric.v1.consumer_ack", "{v}");
    assert_eq!(
        (v["stream"].as_str(), v["consumer"].as_str()),
        (Some("S"), Some("C")),
        "{v}"
    );
    assert_eq!(
        (
            v["consumer_seq"].as_u64(),
            v["stream_seq"].as_u64(),
            v["deliveries"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{v}"
    );
    let ack_time = v["ack_time"].as_i64().unwrap();
    assert!(ack_time > 0 && ack_time < 5_000_000_000, "{v}");
    // Without sampling, no metric.
    fetch_one_ack(&nc, "S", "N").await;
    assert!(next_within(&mut metrics, Duration::from_millis(300))
        .await
        .is_none());
}
