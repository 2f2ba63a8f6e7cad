//! Consumer features beyond create/fetch/ack, checked with async-nats and raw API requests: the
//! helpers the consumer feature tests share, and pause and resume (`$JS.API.CONSUMER.PAUSE`),
//! its advisories, and that a paused consumer delivers nothing until its time. Priority groups
//! are in `js_consumer_priority.rs`, reset and pacing in `js_consumer_pacing.rs`.

use std::time::{Duration, SystemTime};

use async_nats::jetstream::{self, stream};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::time::timeout;

use crate::support::*;
use server::jetstream::api::GoTime;
use server::Options;

pub(crate) async fn setup(
    dir: &TempDir,
) -> (server::ServerHandle, async_nats::Client, jetstream::Context) {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    let h = start(o).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let js = jetstream::new(nc.clone());
    (h, nc, js)
}

pub(crate) async fn add_stream(js: &jetstream::Context, name: &str, subjects: &[&str]) {
    js.create_stream(stream::Config {
        name: name.into(),
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
    .await
    .unwrap();
}

/// A JSON API request and its JSON answer.
pub(crate) async fn api(nc: &async_nats::Client, subject: &str, body: Value) -> Value {
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
pub(crate) fn rfc3339_in(d: Duration) -> String {
    GoTime::from_system(SystemTime::now() + d).to_string()
}

pub(crate) async fn create(
    nc: &async_nats::Client,
    stream: &str,
    name: &str,
    config: Value,
) -> Value {
    api(
        nc,
        &format!("$JS.API.CONSUMER.CREATE.{stream}.{name}"),
        json!({"stream_name": stream, "config": config}),
    )
    .await
}

pub(crate) async fn pause(
    nc: &async_nats::Client,
    stream: &str,
    name: &str,
    until: Option<&str>,
) -> Value {
    let body = match until {
        Some(t) => json!({ "pause_until": t }),
        None => Value::Null,
    };
    api(nc, &format!("$JS.API.CONSUMER.PAUSE.{stream}.{name}"), body).await
}

pub(crate) async fn info(nc: &async_nats::Client, stream: &str, name: &str) -> Value {
    api(
        nc,
        &format!("$JS.API.CONSUMER.INFO.{stream}.{name}"),
        Value::Null,
    )
    .await
}

/// The next message on `sub` as JSON, within a few seconds.
pub(crate) async fn next_json(sub: &mut async_nats::Subscriber) -> Value {
    let m = timeout(Duration::from_secs(3), sub.next())
        .await
        .expect("message in time")
        .expect("subscription open");
    serde_json::from_slice(&m.payload).expect("JSON message")
}

pub(crate) fn same_instant(a: &Value, b: &str) -> bool {
    match (
        a.as_str().map(GoTime::parse_rfc3339),
        GoTime::parse_rfc3339(b),
    ) {
        (Some(Ok(a)), Ok(b)) => a.unix_nanos() == b.unix_nanos(),
        _ => false,
    }
}

/// Subscribe `inbox` and send a pull request for `consumer` there.
pub(crate) async fn pull(
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
pub(crate) async fn next_within(
    sub: &mut async_nats::Subscriber,
    wait: Duration,
) -> Option<async_nats::Message> {
    timeout(wait, sub.next()).await.ok().flatten()
}

pub(crate) fn header<'a>(m: &'a async_nats::Message, key: &str) -> Option<&'a str> {
    m.headers.as_ref()?.get(key).map(|v| v.as_str())
}

/// Wait until the consumer has `n` waiting pull requests.
pub(crate) async fn wait_waiting(nc: &async_nats::Client, stream: &str, consumer: &str, n: i64) {
    for _ in 0..200 {
        if info(nc, stream, consumer).await["num_waiting"] == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("expected {n} waiting requests");
}

pub(crate) async fn publish_n(js: &jetstream::Context, subject: &str, n: usize) {
    for i in 0..n {
        js.publish(subject.to_string(), format!("msg-{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

/// Fetch one message from a pull consumer and ack it; its payload.
pub(crate) async fn fetch_one_ack(nc: &async_nats::Client, stream: &str, consumer: &str) -> String {
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

pub(crate) async fn reset(
    nc: &async_nats::Client,
    stream: &str,
    consumer: &str,
    body: &str,
) -> Value {
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

// go: server/TestJetStreamConsumerSurvivesRestart
#[tokio::test]
async fn pause_survives_a_restart_and_still_ends() {
    let dir = TempDir::new("js-pause-restart");
    let (h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    let pause_for = Duration::from_secs(2);
    let deadline = rfc3339_in(pause_for);
    let resume_at = std::time::Instant::now() + pause_for;
    create(
        &nc,
        "TEST",
        "my_consumer",
        json!({"durable_name": "my_consumer", "pause_until": deadline}),
    )
    .await;
    publish_n(&js, "foo", 1).await;
    drop(nc);
    h.shutdown().await;

    let (_h, nc, _js) = setup(&dir).await;
    let i = info(&nc, "TEST", "my_consumer").await;
    assert_eq!(i["paused"], true, "{i}");
    assert!(same_instant(&i["config"]["pause_until"], &deadline), "{i}");
    // The pause still ends on time: a waiting request is then served.
    let mut adv = nc
        .subscribe("$JS.EVENT.ADVISORY.CONSUMER.PAUSE.TEST.my_consumer")
        .await
        .unwrap();
    let mut sub = pull(
        &nc,
        "TEST",
        "my_consumer",
        "r",
        json!({"batch": 1, "expires": 5_000_000_000i64}),
    )
    .await;
    let m = next_within(&mut sub, WAIT)
        .await
        .expect("delivery after the pause");
    assert!(m.status.is_none(), "{:?}", m.status);
    assert!(std::time::Instant::now() >= resume_at);
    assert_eq!(next_json(&mut adv).await["paused"], false);
}

// go: server/TestJetStreamConsumerPauseMetadataRace
#[tokio::test]
async fn concurrent_pause_requests_all_answer() {
    let dir = TempDir::new("js-pause-race");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    create(&nc, "TEST", "CONSUMER", json!({"durable_name": "CONSUMER"})).await;
    let deadline = rfc3339_in(Duration::from_secs(60));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (nc, deadline) = (nc.clone(), deadline.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..50 {
                let r = pause(&nc, "TEST", "CONSUMER", Some(&deadline)).await;
                assert_eq!(r["paused"], true, "{r}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let i = info(&nc, "TEST", "CONSUMER").await;
    assert!(same_instant(&i["config"]["pause_until"], &deadline), "{i}");
    assert_eq!(i["config"]["metadata"]["_nats.req.level"], "1", "{i}");
}
