//! Direct message gets as Go's stream tests drive them: by sequence, last and next by subject,
//! and from a start time. Each scenario
//! runs against the Go server and rnats and the observations are compared.

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use serde_json::{json, Map, Value};

use crate::support::*;
use server::jetstream::api::GoTime;
use server::Options;

pub(crate) async fn req(nc: &async_nats::Client, subject: &str, body: Value) -> Value {
    let m = tokio::time::timeout(
        WAIT,
        nc.request(subject.to_string(), body.to_string().into()),
    )
    .await
    .expect("answer in time")
    .expect("answer");
    serde_json::from_slice(&m.payload).expect("JSON answer")
}

pub(crate) async fn create(nc: &async_nats::Client, cfg: Value) -> Value {
    let name = cfg["name"].as_str().unwrap_or_default().to_string();
    req(nc, &format!("$JS.API.STREAM.CREATE.{name}"), cfg).await
}

pub(crate) async fn publish(nc: &async_nats::Client, subject: &str, payload: &str) -> Value {
    let m = tokio::time::timeout(
        WAIT,
        nc.request(subject.to_string(), payload.to_string().into()),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    serde_json::from_slice(&m.payload).expect("PubAck JSON")
}

pub(crate) async fn publish_hdrs(
    nc: &async_nats::Client,
    subject: &str,
    hdrs: &[(&str, &str)],
    payload: &str,
) -> Value {
    let mut h = async_nats::HeaderMap::new();
    for (k, v) in hdrs {
        h.insert(*k, *v);
    }
    let m = tokio::time::timeout(
        WAIT,
        nc.request_with_headers(subject.to_string(), h, payload.to_string().into()),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    serde_json::from_slice(&m.payload).expect("PubAck JSON")
}

/// RFC 3339 text of a point in time, as Go writes it.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    GoTime::from_system(t).to_string()
}

/// What a user sees of a message: status line, payload and headers, the time stamp reduced to
/// whether it is there.
pub(crate) fn seen(m: &async_nats::Message) -> Value {
    let mut hdrs = Map::new();
    if let Some(h) = &m.headers {
        for (k, vs) in h.iter() {
            let k = k.to_string();
            let v: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
            let v = if k == "Nats-Time-Stamp" {
                json!(!v.is_empty())
            } else {
                json!(v.join(","))
            };
            hdrs.insert(k, v);
        }
    }
    let data = if m.payload.len() > 64 {
        json!(format!("{} bytes", m.payload.len()))
    } else {
        json!(String::from_utf8_lossy(&m.payload))
    };
    json!({
        "status": m.status.map(|s| s.as_u16()),
        "description": m.description,
        "data": data,
        "headers": hdrs,
    })
}

/// One direct get; `None` sends an empty request.
async fn dget(nc: &async_nats::Client, stream: &str, body: Option<Value>) -> Value {
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let m = tokio::time::timeout(
        WAIT,
        nc.request(format!("$JS.API.DIRECT.GET.{stream}"), payload.into()),
    )
    .await
    .expect("answer in time")
    .expect("answer");
    let mut v = seen(&m);
    v["subject is the stored subject"] = json!(m.headers.as_ref().and_then(|h| h
        .get("Nats-Subject")
        .map(|s| s.as_str() == m.subject.as_str())));
    v
}

/// All answers to a direct get that may answer with several messages: everything up to and
/// including the first status message, and anything that follows within a short while.
async fn dget_all(nc: &async_nats::Client, stream: &str, body: Value) -> Vec<Value> {
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.publish_with_reply(
        format!("$JS.API.DIRECT.GET.{stream}"),
        inbox,
        body.to_string().into(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let m = tokio::time::timeout_at(deadline, sub.next())
            .await
            .expect("answer in time")
            .expect("answer");
        let done = m.status.is_some();
        out.push(seen(&m));
        if done {
            break;
        }
    }
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(100), sub.next()).await {
        out.push(seen(&m));
    }
    out
}

pub(crate) fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

pub(crate) async fn compare<F, Fut>(tag: &str, scenario: F) -> Value
where
    F: Fn(std::net::SocketAddr) -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let dir = TempDir::new(tag);
    let h = start(js_opts(&dir)).await;
    let ours = scenario(h.addr()).await;
    h.shutdown().await;
    let gdir = TempDir::new(&format!("{tag}-go"));
    let go = GoServer::start(&["-js", "-sd", &gdir.0.display().to_string()]).await;
    let theirs = scenario(go.client).await;
    assert_eq!(ours, theirs, "rnats (left) and Go (right) differ");
    ours
}

async fn direct_get_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    let r = create(
        &nc,
        json!({"name": "DSMG", "storage": "memory", "subjects": ["foo", "bar", "baz"], "max_msgs_per_subject": 1, "allow_direct": true}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    for s in ["foo", "bar", "baz"] {
        publish(&nc, s, s).await;
    }
    for s in ["foo", "bar", "baz"] {
        out[s] = dget(&nc, "DSMG", Some(json!({ "last_by_subj": s }))).await;
    }
    out["nil"] = dget(&nc, "DSMG", None).await;
    out["empty"] = dget(&nc, "DSMG", Some(json!({}))).await;
    out["both"] = dget(&nc, "DSMG", Some(json!({"seq": 1, "last_by_subj": "foo"}))).await;
    out["missing subject"] = dget(&nc, "DSMG", Some(json!({"last_by_subj": "foobar"}))).await;
    out["missing seq"] = dget(&nc, "DSMG", Some(json!({"seq": 22}))).await;
    out
}

// go: server/TestJetStreamDirectMsgGet
#[tokio::test]
async fn direct_get_by_last_subject_and_its_errors_as_in_go() {
    let out = compare("js-go-dget", direct_get_scenario).await;
    for (i, s) in ["foo", "bar", "baz"].iter().enumerate() {
        let m = &out[*s];
        assert_eq!(m["data"], *s);
        assert_eq!(m["headers"]["Nats-Stream"], "DSMG");
        assert_eq!(m["headers"]["Nats-Sequence"], (i + 1).to_string());
        assert_eq!(m["headers"]["Nats-Subject"], *s);
        assert_eq!(m["headers"]["Nats-Time-Stamp"], true);
        assert_eq!(m["subject is the stored subject"], false);
    }
    for (k, status, desc) in [
        ("nil", 408, "Empty Request"),
        ("empty", 408, "Empty Request"),
        ("both", 408, "Bad Request"),
        ("missing subject", 404, "Message Not Found"),
        ("missing seq", 404, "Message Not Found"),
    ] {
        assert_eq!(out[k]["status"], status, "{k}");
        assert_eq!(out[k]["description"], desc, "{k}");
        assert_eq!(out[k]["data"], "", "{k}");
    }
}

async fn direct_get_next_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "DSMG", "storage": "memory", "subjects": ["foo", "bar", "baz"], "allow_direct": true}),
    )
    .await;
    publish(&nc, "foo", "foo").await;
    for _ in 0..10 {
        publish(&nc, "bar", "bar").await;
    }
    for _ in 0..10 {
        publish(&nc, "baz", "baz").await;
    }
    publish(&nc, "foo", "foo").await;
    for (seq, subj) in [
        (0, "foo"),
        (1, "foo"),
        (2, "foo"),
        (2, "bar"),
        (5, "baz"),
        (14, "baz"),
    ] {
        let m = dget(&nc, "DSMG", Some(json!({"seq": seq, "next_by_subj": subj}))).await;
        out[format!("{seq} {subj}")] =
            json!([m["headers"]["Nats-Sequence"], m["headers"]["Nats-Subject"]]);
    }
    out
}

// go: server/TestJetStreamDirectMsgGetNext
#[tokio::test]
async fn direct_get_next_by_subject_from_a_sequence_as_in_go() {
    let out = compare("js-go-dget-next", direct_get_next_scenario).await;
    assert_eq!(out["0 foo"], json!(["1", "foo"]));
    assert_eq!(out["1 foo"], json!(["1", "foo"]));
    assert_eq!(out["2 foo"], json!(["22", "foo"]));
    assert_eq!(out["2 bar"], json!(["2", "bar"]));
    assert_eq!(out["5 baz"], json!(["12", "baz"]));
    assert_eq!(out["14 baz"], json!(["14", "baz"]));
}

async fn get_as_of_time_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "TEST", "subjects": ["foo.*"], "allow_direct": true}),
    )
    .await;
    let get = |body: Value| {
        let nc = nc.clone();
        async move {
            let m = dget(&nc, "TEST", Some(body)).await;
            json!([m["status"], m["description"], m["headers"]["Nats-Sequence"]])
        }
    };
    let t0 = rfc3339(SystemTime::now());
    out["with last"] = get(json!({"start_time": t0, "last_by_subj": "foo.1"})).await;
    out["with seq"] = get(json!({"start_time": t0, "seq": 1})).await;
    out["empty stream"] = get(json!({ "start_time": t0 })).await;
    publish(&nc, "foo.1", "").await;
    out["t0"] = get(json!({ "start_time": t0 })).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let t1 = rfc3339(SystemTime::now());
    tokio::time::sleep(Duration::from_millis(5)).await;
    publish(&nc, "foo.2", "").await;
    out["t0 again"] = get(json!({ "start_time": t0 })).await;
    out["t0 next foo.2"] = get(json!({"start_time": t0, "next_by_subj": "foo.2"})).await;
    out["t1"] = get(json!({ "start_time": t1 })).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let t2 = rfc3339(SystemTime::now());
    out["t2"] = get(json!({ "start_time": t2 })).await;
    out
}

// go: server/TestJetStreamMsgDirectGetAsOfTime
#[tokio::test]
async fn direct_get_by_start_time_as_in_go() {
    let out = compare("js-go-dget-time", get_as_of_time_scenario).await;
    assert_eq!(out["with last"][1], "Bad Request");
    assert_eq!(out["with seq"][1], "Bad Request");
    assert_eq!(out["empty stream"][1], "Message Not Found");
    assert_eq!(out["t0"][2], "1");
    assert_eq!(out["t0 again"][2], "1");
    assert_eq!(out["t0 next foo.2"][2], "2");
    assert_eq!(out["t1"][2], "2");
    assert_eq!(out["t2"][1], "Message Not Found");
}

async fn start_time_single_scenario(addr: std::net::SocketAddr, storage: &str) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    create(
        &nc,
        json!({"name": "TEST", "subjects": ["foo"], "allow_direct": true, "storage": storage}),
    )
    .await;
    publish(&nc, "foo", "message").await;
    let r = req(&nc, "$JS.API.STREAM.MSG.GET.TEST", json!({"seq": 1})).await;
    let t = GoTime::parse_rfc3339(r["message"]["time"].as_str().unwrap()).unwrap();
    let future = rfc3339(t.to_system().unwrap() + Duration::from_secs(10));
    json!(
        dget_all(
            &nc,
            "TEST",
            json!({"start_time": future, "next_by_subj": "foo", "batch": 1})
        )
        .await
    )
}

// go: server/TestJetStreamDirectGetStartTimeSingleMsg
#[tokio::test]
async fn direct_get_batch_from_a_future_start_time_finds_nothing_as_in_go() {
    for storage in ["file", "memory"] {
        let out = compare(&format!("js-go-start-future-{storage}"), |a| {
            start_time_single_scenario(a, storage)
        })
        .await;
        assert_eq!(out.as_array().unwrap().len(), 1);
        assert_eq!(out[0]["status"], 404);
    }
}
