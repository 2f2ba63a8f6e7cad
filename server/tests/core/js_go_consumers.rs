//! Go's single-server pull consumer tests from `jetstream_test.go`, over the wire: next-message
//! requests one at a time and in batches (waiting requests filled as messages arrive), and acks
//! that ask for more (`+NXT`, with a count or a request body).

use std::time::{Duration, Instant};

use futures::StreamExt;
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

async fn send(nc: &async_nats::Client, subject: &str, payload: String) {
    let m = tokio::time::timeout(WAIT, nc.request(subject.to_string(), payload.into()))
        .await
        .expect("ack in time")
        .expect("ack");
    let v: Value = serde_json::from_slice(&m.payload).expect("PubAck");
    assert!(v["error"].is_null(), "{v}");
}

/// Go's `workerModeConfig`: a durable that delivers everything and wants explicit acks.
async fn worker(nc: &async_nats::Client, stream: &str, name: &str) {
    let v = req(
        nc,
        &format!("$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{name}"),
        json!({"stream_name": stream, "config": {"durable_name": name, "deliver_policy": "all", "ack_policy": "explicit"}}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
}

/// The stream sequence in an ack reply `$JS.ACK.<stream>.<consumer>.<dc>.<sseq>.<dseq>.<ts>.<pending>`.
fn sseq_of(reply: &str) -> u64 {
    reply
        .split('.')
        .nth(5)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0)
}

async fn ack_floor(nc: &async_nats::Client, stream: &str, name: &str) -> u64 {
    let v = req(
        nc,
        &format!("$JS.API.CONSUMER.INFO.{stream}.{name}"),
        json!({}),
    )
    .await;
    v["ack_floor"]["stream_seq"].as_u64().unwrap_or(0)
}

// go: server/TestJetStreamBasicWorkQueue
#[tokio::test]
async fn next_requests_deliver_in_order_and_wait_for_new_messages() {
    let (h, nc, _d) = setup("js-go-wq").await;
    for storage in ["memory", "file"] {
        let v = req(
            &nc,
            "$JS.API.STREAM.CREATE.MY_MSG_SET",
            json!({"name": "MY_MSG_SET", "storage": storage, "subjects": ["foo", "bar"]}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        worker(&nc, "MY_MSG_SET", "WQ").await;
        for _ in 0..100 {
            send(&nc, "bar", "Hello World!".into()).await;
        }
        let next = "$JS.API.CONSUMER.MSG.NEXT.MY_MSG_SET.WQ";
        // Old-style requests (a subscription per request, as Go's test client makes them): the
        // delivered message keeps the stream subject, so a muxed inbox could not route it.
        let get_next = |seq: u64| {
            let nc = nc.clone();
            async move {
                let inbox = nc.new_inbox();
                let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
                nc.publish_with_reply(next, inbox, "".into()).await.unwrap();
                let m = tokio::time::timeout(WAIT, sub.next())
                    .await
                    .unwrap_or_else(|_| panic!("seq {seq} in time"))
                    .expect("message");
                assert_eq!(m.subject.as_str(), "bar");
                let reply = m.reply.expect("ack reply");
                assert_eq!(sseq_of(reply.as_str()), seq, "{reply}");
            }
        };
        for seq in 1..=100 {
            get_next(seq).await;
        }
        // A request waits for a message published later.
        let delay = Duration::from_millis(50);
        let pubc = nc.clone();
        let late = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            send(&pubc, "bar", "Hello World!".into()).await;
        });
        let t = Instant::now();
        get_next(101).await;
        assert!(t.elapsed() >= delay, "received too quickly");
        late.await.unwrap();
        // Requests and publishes interleaved.
        let pubc = nc.clone();
        let more = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            for _ in 0..100 {
                send(&pubc, "bar", "Hello World!".into()).await;
            }
        });
        for seq in 102..202 {
            get_next(seq).await;
        }
        more.await.unwrap();
        let d = req(&nc, "$JS.API.STREAM.DELETE.MY_MSG_SET", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamAckNext
#[tokio::test]
async fn ack_next_acks_and_asks_for_more() {
    let (h, nc, _d) = setup("js-go-acknext").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.ACKNXT",
        json!({"name": "ACKNXT", "storage": "memory"}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    let v = req(
        &nc,
        "$JS.API.CONSUMER.DURABLE.CREATE.ACKNXT.worker",
        json!({"stream_name": "ACKNXT", "config": {"durable_name": "worker", "ack_policy": "explicit"}}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    for i in 0..12 {
        send(&nc, "ACKNXT", format!("msg {i}")).await;
    }
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.publish_with_reply(
        "$JS.API.CONSUMER.MSG.NEXT.ACKNXT.worker",
        inbox.clone(),
        "1".into(),
    )
    .await
    .unwrap();
    // A plain +NXT asks for one more.
    let m = recv(&mut sub).await;
    assert_eq!(&m.payload[..], b"msg 0");
    nc.publish_with_reply(m.reply.unwrap(), inbox.clone(), "+NXT".into())
        .await
        .unwrap();
    let m = recv(&mut sub).await;
    assert_eq!(&m.payload[..], b"msg 1");
    // Only that one came.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), sub.next())
            .await
            .is_err(),
        "one message only"
    );
    assert_eq!(ack_floor(&nc, "ACKNXT", "worker").await, 1);
    // +NXT with a count, then with a request body.
    let reply = m.reply.unwrap();
    nc.publish_with_reply(reply.clone(), inbox.clone(), "+NXT 5".into())
        .await
        .unwrap();
    for i in 2..=6 {
        let m = recv(&mut sub).await;
        assert_eq!(m.payload, format!("msg {i}").as_bytes());
    }
    nc.publish_with_reply(reply, inbox.clone(), "+NXT {\"batch\": 5}".into())
        .await
        .unwrap();
    for i in 7..=11 {
        let m = recv(&mut sub).await;
        assert_eq!(m.payload, format!("msg {i}").as_bytes());
    }
    assert_eq!(ack_floor(&nc, "ACKNXT", "worker").await, 2);
    h.shutdown().await;
}

async fn recv(sub: &mut async_nats::Subscriber) -> async_nats::Message {
    tokio::time::timeout(Duration::from_millis(500), sub.next())
        .await
        .expect("message in time")
        .expect("message")
}

/// Messages waiting on `sub` after `within`.
async fn count_within(sub: &mut async_nats::Subscriber, want: usize, within: Duration) -> usize {
    let deadline = tokio::time::Instant::now() + within;
    let mut n = 0;
    while n < want {
        match tokio::time::timeout_at(deadline, sub.next()).await {
            Ok(Some(_)) => n += 1,
            _ => break,
        }
    }
    // Nothing beyond the batch.
    if tokio::time::timeout(Duration::from_millis(50), sub.next())
        .await
        .is_ok()
    {
        n += 1;
    }
    n
}

// go: server/TestJetStreamWorkQueueRequestBatch
#[tokio::test]
async fn a_batch_request_is_filled_now_or_as_messages_arrive() {
    let (h, nc, _d) = setup("js-go-wqbatch").await;
    for storage in ["memory", "file"] {
        let v = req(
            &nc,
            "$JS.API.STREAM.CREATE.MY_MSG_SET",
            json!({"name": "MY_MSG_SET", "storage": storage, "subjects": ["foo", "bar"]}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        worker(&nc, "MY_MSG_SET", "WQ").await;
        for _ in 0..100 {
            send(&nc, "bar", "Hello World!".into()).await;
        }
        let next = "$JS.API.CONSUMER.MSG.NEXT.MY_MSG_SET.WQ";
        let inbox = nc.new_inbox();
        let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
        nc.publish_with_reply(next, inbox, "50".into())
            .await
            .unwrap();
        assert_eq!(
            count_within(&mut sub, 50, Duration::from_millis(500)).await,
            50
        );
        // A request waiting before the messages exist.
        let inbox = nc.new_inbox();
        let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
        let p = req(&nc, "$JS.API.STREAM.PURGE.MY_MSG_SET", json!({})).await;
        assert_eq!(p["success"], json!(true));
        nc.publish_with_reply(next, inbox, "50".into())
            .await
            .unwrap();
        nc.flush().await.unwrap();
        for _ in 0..100 {
            send(&nc, "bar", "Hello World!".into()).await;
        }
        assert_eq!(
            count_within(&mut sub, 50, Duration::from_millis(500)).await,
            50
        );
        let d = req(&nc, "$JS.API.STREAM.DELETE.MY_MSG_SET", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

/// A status reply's code and description (async-nats parses the status line).
fn status_of(m: &async_nats::Message) -> (u16, String) {
    (
        m.status.map(|s| s.as_u16()).unwrap_or(0),
        m.description.clone().unwrap_or_default(),
    )
}

/// Send a pull request with `body` and wait for the first thing to come back on its inbox.
async fn pull_once(nc: &async_nats::Client, subject: &str, body: Value) -> async_nats::Message {
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.publish_with_reply(subject.to_string(), inbox, body.to_string().into())
        .await
        .unwrap();
    tokio::time::timeout(WAIT, sub.next())
        .await
        .expect("answer in time")
        .expect("answer")
}

async fn durable(nc: &async_nats::Client, stream: &str, cfg: Value) -> Value {
    let name = cfg["durable_name"].as_str().unwrap_or_default().to_string();
    req(
        nc,
        &format!("$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{name}"),
        json!({"stream_name": stream, "config": cfg}),
    )
    .await
}

// go: server/TestJetStreamConsumerPullMaxWaitingOfOne
#[tokio::test]
async fn max_waiting_of_one_times_out_and_refuses_a_second_request() {
    let (h, nc, _d) = setup("js-go-maxwait1").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        json!({"name": "TEST", "subjects": ["TEST.A"]}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    let c = durable(
        &nc,
        "TEST",
        json!({"durable_name": "dur", "max_waiting": 1, "ack_policy": "explicit"}),
    )
    .await;
    assert!(c["error"].is_null(), "{c}");
    let next = "$JS.API.CONSUMER.MSG.NEXT.TEST.dur";
    let m = pull_once(&nc, next, json!({"batch": 1, "expires": 250_000_000})).await;
    assert_eq!(status_of(&m).0, 408);
    // One request waiting, then another one is refused.
    let inbox = nc.new_inbox();
    let _waiting = nc.subscribe(inbox.clone()).await.unwrap();
    nc.publish_with_reply(next, inbox, json!({"batch": 1}).to_string().into())
        .await
        .unwrap();
    let m = pull_once(&nc, next, json!({"batch": 1, "expires": 250_000_000})).await;
    assert_eq!(status_of(&m), (409, "Exceeded MaxWaiting".to_string()));
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerPullMaxWaiting
#[tokio::test]
async fn max_waiting_can_not_be_updated() {
    let (h, nc, _d) = setup("js-go-maxwait").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        json!({"name": "TEST", "subjects": ["test.*"]}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    let c = durable(
        &nc,
        "TEST",
        json!({"durable_name": "dur", "ack_policy": "explicit", "max_waiting": 10}),
    )
    .await;
    assert!(c["error"].is_null(), "{c}");
    let u = req(
        &nc,
        "$JS.API.CONSUMER.CREATE.TEST.dur",
        json!({"stream_name": "TEST", "config": {"durable_name": "dur", "ack_policy": "explicit", "max_waiting": 1}, "action": "update"}),
    )
    .await;
    let text = u["error"]["description"].as_str().unwrap_or_default();
    assert!(text.contains("can not be updated"), "{u}");
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerPullRequestMaximums
#[tokio::test]
async fn pull_requests_past_the_consumer_maximums_get_409() {
    let (h, nc, _d) = setup("js-go-pullmax").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        json!({"name": "TEST", "storage": "memory"}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    let c = durable(
        &nc,
        "TEST",
        json!({"durable_name": "dlc", "max_batch": 10, "max_bytes": 10_000, "max_expires": 1_000_000_000, "ack_policy": "explicit"}),
    )
    .await;
    assert!(c["error"].is_null(), "{c}");
    let next = "$JS.API.CONSUMER.MSG.NEXT.TEST.dlc";
    let m = pull_once(&nc, next, json!({"batch": 11, "expires": 100_000_000})).await;
    assert_eq!(
        status_of(&m),
        (409, "Exceeded MaxRequestBatch of 10".into())
    );
    let m = pull_once(
        &nc,
        next,
        json!({"batch": 1, "expires": 600_000_000_000u64}),
    )
    .await;
    assert_eq!(
        status_of(&m),
        (409, "Exceeded MaxRequestExpires of 1s".into())
    );
    let m = pull_once(
        &nc,
        next,
        json!({"batch": 10, "max_bytes": 20_000, "expires": 600_000_000_000u64}),
    )
    .await;
    assert_eq!(status_of(&m).0, 409);
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerPullNoAck
#[tokio::test]
async fn a_pull_consumer_may_ack_nothing() {
    let (h, nc, _d) = setup("js-go-pullnoack").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        json!({"name": "TEST", "subjects": ["ORDERS.*"]}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    let c = durable(
        &nc,
        "TEST",
        json!({"durable_name": "dlc", "ack_policy": "none"}),
    )
    .await;
    assert!(c["error"].is_null(), "{c}");
    assert_eq!(c["config"]["ack_policy"], json!("none"));
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerPullTimeoutHeaders
#[tokio::test]
async fn request_timeouts_say_what_was_left_of_the_request() {
    let (h, nc, _d) = setup("js-go-pullhdrs").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        json!({"name": "TEST", "subjects": ["foo.>"]}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    let c = durable(
        &nc,
        "TEST",
        json!({"durable_name": "dlc", "ack_policy": "explicit"}),
    )
    .await;
    assert!(c["error"].is_null(), "{c}");
    for (s, p) in [("foo.foo", "foo"), ("foo.bar", "bar"), ("foo.else", "baz")] {
        nc.publish(s, p.into()).await.unwrap();
    }
    nc.flush().await.unwrap();
    let (batch, max_bytes) = (50usize, 1024usize);
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    let body = json!({"batch": batch, "expires": 100_000_000, "max_bytes": max_bytes});
    nc.publish_with_reply(
        "$JS.API.CONSUMER.MSG.NEXT.TEST.dlc",
        inbox.clone(),
        body.to_string().into(),
    )
    .await
    .unwrap();
    let (mut msgs, mut bytes) = (0usize, 0usize);
    loop {
        let m = tokio::time::timeout(Duration::from_millis(350), sub.next())
            .await
            .expect("all messages in time")
            .expect("message");
        if m.status.is_some() {
            assert_eq!(status_of(&m), (408, "Request Timeout".into()));
            let hdrs = m.headers.as_ref().expect("headers");
            assert_eq!(
                hdrs.get("Nats-Pending-Messages").map(|v| v.to_string()),
                Some((batch - msgs).to_string())
            );
            assert_eq!(
                hdrs.get("Nats-Pending-Bytes").map(|v| v.to_string()),
                Some((max_bytes - bytes).to_string())
            );
            break;
        }
        msgs += 1;
        // As Go's test counts it: data, reply and subject (these messages carry no headers).
        assert!(m.headers.is_none());
        bytes += m.payload.len() + m.reply.as_ref().map_or(0, |r| r.len()) + m.subject.len();
    }
    assert_eq!(msgs, 3);
    h.shutdown().await;
}

fn err_of(v: &Value) -> (u64, String) {
    (
        v["error"]["err_code"].as_u64().unwrap_or(0),
        v["error"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

async fn ephemeral(nc: &async_nats::Client, stream: &str, cfg: Value) -> Value {
    req(
        nc,
        &format!("$JS.API.CONSUMER.CREATE.{stream}"),
        json!({"stream_name": stream, "config": cfg}),
    )
    .await
}

// go: server/TestJetStreamConsumerCreate
#[tokio::test]
async fn consumer_configs_go_refuses_on_a_work_queue() {
    let (h, nc, _d) = setup("js-go-ccreate").await;
    for storage in ["memory", "file"] {
        let v = req(
            &nc,
            "$JS.API.STREAM.CREATE.foo",
            json!({"name": "foo", "storage": storage, "subjects": ["foo", "bar"], "retention": "workqueue"}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        let pull_ack = (
            10084,
            "consumer in pull mode requires explicit ack policy on workqueue stream".to_string(),
        );
        let no_config = req(
            &nc,
            "$JS.API.CONSUMER.CREATE.foo",
            json!({"stream_name": "foo"}),
        )
        .await;
        assert_eq!(err_of(&no_config), pull_ack);
        assert_eq!(err_of(&ephemeral(&nc, "foo", json!({})).await), pull_ack);
        let wildcards = (10079, "consumer deliver subject has wildcards".to_string());
        let cycle = (10081, "consumer deliver subject forms a cycle".to_string());
        for (deliver, want) in [
            ("foo.*", &wildcards),
            ("foo", &cycle),
            ("bar", &cycle),
            ("*", &wildcards),
        ] {
            let v = ephemeral(&nc, "foo", json!({"deliver_subject": deliver})).await;
            assert_eq!(&err_of(&v), want, "{deliver}");
        }
        let now = "2026-01-01T00:00:00Z";
        let v = ephemeral(
            &nc,
            "foo",
            json!({"deliver_subject": "A", "opt_start_seq": 1, "opt_start_time": now}),
        )
        .await;
        assert_eq!(
            err_of(&v),
            (
                10094,
                "consumer delivery policy is deliver all, but optional start sequence is also set"
                    .into()
            )
        );
        let v = ephemeral(
            &nc,
            "foo",
            json!({"deliver_subject": "A", "opt_start_time": now}),
        )
        .await;
        assert_eq!(
            err_of(&v),
            (
                10094,
                "consumer delivery policy is deliver all, but optional start time is also set"
                    .into()
            )
        );
        // A push consumer with interest, then deleted.
        let delivery = nc.new_inbox();
        let _sub = nc.subscribe(delivery.clone()).await.unwrap();
        nc.flush().await.unwrap();
        let v = ephemeral(
            &nc,
            "foo",
            json!({"deliver_subject": delivery, "ack_policy": "explicit"}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        let name = v["name"].as_str().unwrap().to_string();
        let d = req(
            &nc,
            &format!("$JS.API.CONSUMER.DELETE.foo.{name}"),
            json!({}),
        )
        .await;
        assert_eq!(d["success"], json!(true));
        // A durable twice, then with only its deliver subject changed while inactive.
        let dcfg = |deliver: &str| json!({"stream_name": "foo", "config": {"durable_name": "ddd", "deliver_subject": deliver, "ack_policy": "explicit"}});
        for _ in 0..2 {
            let v = req(
                &nc,
                "$JS.API.CONSUMER.DURABLE.CREATE.foo.ddd",
                dcfg(&delivery),
            )
            .await;
            assert!(v["error"].is_null(), "{v}");
        }
        drop(_sub);
        let _sub2 = nc.subscribe("d.d.d").await.unwrap();
        nc.flush().await.unwrap();
        let v = req(
            &nc,
            "$JS.API.CONSUMER.DURABLE.CREATE.foo.ddd",
            dcfg("d.d.d"),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        assert_eq!(v["config"]["deliver_subject"], json!("d.d.d"));
        let d = req(&nc, "$JS.API.STREAM.DELETE.foo", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerWithNameAndDurable
#[tokio::test]
async fn durable_and_name_must_agree() {
    let (h, nc, _d) = setup("js-go-namedur").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.foo",
        json!({"name": "foo", "description": "foo asset"}),
    )
    .await;
    assert_eq!(v["config"]["description"], json!("foo asset"));
    let ok = req(
        &nc,
        "$JS.API.CONSUMER.CREATE.foo.consumer",
        json!({"stream_name": "foo", "config": {"deliver_subject": "to", "durable_name": "consumer", "name": "consumer", "ack_policy": "none"}}),
    )
    .await;
    assert!(ok["error"].is_null(), "{ok}");
    // Through the legacy endpoint the name in the body is checked against the durable.
    let bad = ephemeral(
        &nc,
        "foo",
        json!({"deliver_subject": "to", "name": "name", "ack_policy": "none", "durable_name": "durable"}),
    )
    .await;
    assert_eq!(
        err_of(&bad).1,
        "consumer expected to be ephemeral but a durable name was set in request"
    );
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerAndStreamDescriptions
#[tokio::test]
async fn descriptions_are_kept_and_limited() {
    let (h, nc, _d) = setup("js-go-descr").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.foo",
        json!({"name": "foo", "description": "foo asset"}),
    )
    .await;
    assert_eq!(v["config"]["description"], json!("foo asset"));
    let c = ephemeral(
        &nc,
        "foo",
        json!({"description": "analytics", "deliver_subject": "to", "ack_policy": "none"}),
    )
    .await;
    assert_eq!(c["config"]["description"], json!("analytics"), "{c}");
    let big = "x".repeat(4097);
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.bar",
        json!({"name": "bar", "description": big}),
    )
    .await;
    assert!(err_of(&v).1.contains("description is too long"), "{v}");
    let c = ephemeral(
        &nc,
        "foo",
        json!({"description": big, "deliver_subject": "to", "ack_policy": "none"}),
    )
    .await;
    assert_eq!(
        err_of(&c),
        (
            10107,
            "consumer description is too long, maximum allowed is 4096".into()
        )
    );
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerWithMultipleStartOptions
#[tokio::test]
async fn deliver_last_with_a_filter_is_accepted() {
    let (h, nc, _d) = setup("js-go-multistart").await;
    for storage in ["memory", "file"] {
        let v = req(
            &nc,
            "$JS.API.STREAM.CREATE.my_stream",
            json!({"name": "my_stream", "subjects": ["foo.>"], "storage": storage}),
        )
        .await;
        assert!(v["error"].is_null(), "{v}");
        let c = req(
            &nc,
            "$JS.API.CONSUMER.CREATE.my_stream",
            json!({"stream_name": "my_stream", "config": {"durable_name": "d", "deliver_policy": "last", "filter_subject": "foo.22", "ack_policy": "explicit"}}),
        )
        .await;
        // The legacy ephemeral endpoint refuses a durable name, as Go's does.
        assert_eq!(err_of(&c).0, 10020, "{c}");
        let c = req(
            &nc,
            "$JS.API.CONSUMER.DURABLE.CREATE.my_stream.d",
            json!({"stream_name": "my_stream", "config": {"durable_name": "d", "deliver_policy": "last", "filter_subject": "foo.22", "ack_policy": "explicit"}}),
        )
        .await;
        assert!(c["error"].is_null(), "{c}");
        let d = req(&nc, "$JS.API.STREAM.DELETE.my_stream", json!({})).await;
        assert_eq!(d["success"], json!(true));
    }
    h.shutdown().await;
}

// go: server/TestJetStreamConsumerSingleTokenSubject
#[tokio::test]
async fn a_filter_in_the_subject_must_match_the_config() {
    let (h, nc, _d) = setup("js-go-singletok").await;
    let v = req(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        json!({"name": "TEST", "subjects": ["foo"]}),
    )
    .await;
    assert!(v["error"].is_null(), "{v}");
    let c = req(
        &nc,
        "$JS.API.CONSUMER.CREATE.TEST.name.not_filter_subject",
        json!({"stream_name": "TEST", "config": {"filter_subject": "foo", "name": "name"}}),
    )
    .await;
    assert_eq!(err_of(&c).0, 10131, "{c}");
    h.shutdown().await;
}
