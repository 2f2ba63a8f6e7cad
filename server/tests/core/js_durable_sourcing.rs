//! Durable sourcing: a mirror or source that names a durable push consumer the user made on the
//! origin (`consumer: {name, deliver_subject}`) resets that consumer and takes what it delivers,
//! acknowledging through flow control replies. Each scenario runs against the Go server and
//! rnats and the observations are compared.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;
use server::Options;

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

fn error_of(v: &Value) -> Value {
    json!({"err_code": v["error"]["err_code"], "description": v["error"]["description"]})
}

async fn info(nc: &async_nats::Client, name: &str) -> Value {
    req(nc, &format!("$JS.API.STREAM.INFO.{name}"), json!({})).await
}

/// Wait (bounded) until `probe` of the stream info holds, and return that info.
async fn wait_info(nc: &async_nats::Client, name: &str, probe: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let i = info(nc, name).await;
        if probe(&i) || tokio::time::Instant::now() > deadline {
            return i;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

async fn compare<F, Fut>(tag: &str, scenario: F) -> Value
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

/// The configs Go refuses for a durable mirror or source, and the error a consumer that is not
/// acknowledged by flow control leaves in the mirror's and the source's info.
async fn bad_config_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "O", "subjects": ["orig"], "storage": "file", "retention": "workqueue"}),
    )
    .await;
    let r = req(
        &nc,
        "$JS.API.CONSUMER.CREATE.O.C",
        json!({"stream_name": "O", "config": {"durable_name": "C", "deliver_subject": "deliver-subject", "ack_policy": "explicit"}}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    let durable = |name: &str, dsubj: &str| json!({"name": name, "deliver_subject": dsubj});
    let good = durable("C", "deliver-subject");
    let bad: Vec<(&str, Value)> = vec![
        (
            "no name",
            json!({"name": "O", "consumer": durable("", "deliver-subject")}),
        ),
        (
            "no deliver",
            json!({"name": "O", "consumer": durable("C", "")}),
        ),
        (
            "bad name",
            json!({"name": "O", "consumer": durable("C.b", "deliver-subject")}),
        ),
        (
            "bad deliver",
            json!({"name": "O", "consumer": durable("C", "deliver..")}),
        ),
        (
            "start seq",
            json!({"name": "O", "consumer": good, "opt_start_seq": 1}),
        ),
        (
            "start time",
            json!({"name": "O", "consumer": good, "opt_start_time": "2026-01-01T00:00:00Z"}),
        ),
        (
            "filter",
            json!({"name": "O", "consumer": good, "filter_subject": "filter"}),
        ),
    ];
    for (tag, m) in &bad {
        let r = create(&nc, json!({"name": "M", "mirror": m, "storage": "file"})).await;
        out["mirror"][*tag] = error_of(&r);
        let r = create(&nc, json!({"name": "S", "sources": [m], "storage": "file"})).await;
        out["source"][*tag] = error_of(&r);
    }
    let two = json!([
        {"name": "O", "subject_transforms": [{"src": ">", "dest": "a.>"}], "consumer": durable("C", "a")},
        {"name": "O", "subject_transforms": [{"src": ">", "dest": "b.>"}], "consumer": durable("C", "b")},
    ]);
    out["same durable twice"] =
        error_of(&create(&nc, json!({"name": "S", "sources": two, "storage": "file"})).await);

    let r = create(
        &nc,
        json!({"name": "M", "mirror": {"name": "O", "consumer": good}, "storage": "file"}),
    )
    .await;
    out["mirror created"] = r["error"].is_null().into();
    let i = wait_info(&nc, "M", |i| !i["mirror"]["error"].is_null()).await;
    out["mirror error"] = i["mirror"]["error"].clone();
    let r = req(
        &nc,
        "$JS.API.STREAM.UPDATE.M",
        json!({"name": "M", "mirror": {"name": "O", "consumer": good, "subject_transforms": [{"src": ">", "dest": "a.>"}]}, "storage": "file"}),
    )
    .await;
    out["mirror update"] = error_of(&r);
    req(&nc, "$JS.API.STREAM.DELETE.M", json!({})).await;

    let r = create(
        &nc,
        json!({"name": "S", "sources": [{"name": "O", "consumer": good}], "storage": "file"}),
    )
    .await;
    out["source created"] = r["error"].is_null().into();
    let i = wait_info(&nc, "S", |i| !i["sources"][0]["error"].is_null()).await;
    out["source error"] = i["sources"][0]["error"].clone();
    out
}

// go: server/TestJetStreamDurableStreamMirrorAndSourceIncorrectConsumerConfig
#[tokio::test]
async fn durable_mirror_and_source_configs_are_checked_as_in_go() {
    let out = compare("js-durable-bad", bad_config_scenario).await;
    for kind in ["mirror", "source"] {
        let code = if kind == "mirror" { 10213 } else { 10215 };
        for (tag, v) in out[kind].as_object().unwrap() {
            assert_eq!(v["err_code"], code, "{kind} {tag}");
        }
    }
    assert_eq!(out["mirror error"]["err_code"], 10214);
    assert_eq!(out["mirror update"]["err_code"], 10055);
    assert_eq!(out["source error"]["err_code"], 10217);
    assert_eq!(
        out["source error"]["description"],
        "stream source consumer requires flow control ack policy"
    );
}

/// A source fed by a durable flow-control consumer on a work queue: the messages move over and
/// the origin lets them go; a mirror of a limits stream through its own durable copies it all.
async fn durable_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "WQ", "subjects": ["jobs.>"], "storage": "file", "retention": "workqueue"}),
    )
    .await;
    create(
        &nc,
        json!({"name": "LOG", "subjects": ["log.>"], "storage": "memory"}),
    )
    .await;
    for (stream, name, dsubj) in [("WQ", "TAKE", "take.jobs"), ("LOG", "COPY", "copy.log")] {
        let r = req(
            &nc,
            &format!("$JS.API.CONSUMER.CREATE.{stream}.{name}"),
            json!({"stream_name": stream, "config": {"durable_name": name, "deliver_subject": dsubj,
                "ack_policy": "flow_control", "flow_control": true, "idle_heartbeat": 1_000_000_000u64}}),
        )
        .await;
        out[format!("{name} ack policy")] = r["config"]["ack_policy"].clone();
    }
    for i in 0..5 {
        nc.request(format!("jobs.{i}"), "job".into()).await.unwrap();
        nc.request(format!("log.{i}"), "line".into()).await.unwrap();
    }
    create(
        &nc,
        json!({"name": "S", "sources": [{"name": "WQ", "consumer": {"name": "TAKE", "deliver_subject": "take.jobs"}}], "storage": "file"}),
    )
    .await;
    create(
        &nc,
        json!({"name": "M", "mirror": {"name": "LOG", "consumer": {"name": "COPY", "deliver_subject": "copy.log"}}, "storage": "file"}),
    )
    .await;
    let s = wait_info(&nc, "S", |i| i["state"]["messages"] == 5).await;
    let wq = wait_info(&nc, "WQ", |i| i["state"]["messages"] == 0).await;
    let m = wait_info(&nc, "M", |i| i["state"]["messages"] == 5).await;
    for i in 5..7 {
        nc.request(format!("jobs.{i}"), "job".into()).await.unwrap();
    }
    let s2 = wait_info(&nc, "S", |i| i["state"]["messages"] == 7).await;
    let state = |i: &Value| {
        json!([
            i["state"]["messages"],
            i["state"]["first_seq"],
            i["state"]["last_seq"]
        ])
    };
    out["S"] = state(&s);
    out["WQ"] = state(&wq);
    out["M"] = state(&m);
    out["S later"] = state(&s2);
    out["WQ later"] = state(&wait_info(&nc, "WQ", |i| i["state"]["messages"] == 0).await);
    out["source seq"] = s2["sources"][0]["seq"].clone();
    out["source error"] = s2["sources"][0]["error"].clone();
    let m1 = req(&nc, "$JS.API.STREAM.MSG.GET.M", json!({"seq": 1})).await;
    out["mirrored subject"] = m1["message"]["subject"].clone();
    let c = req(&nc, "$JS.API.CONSUMER.INFO.WQ.TAKE", json!({})).await;
    out["TAKE ack floor"] = c["ack_floor"]["stream_seq"].clone();
    out
}

#[tokio::test]
async fn durable_consumers_feed_sources_and_mirrors_as_in_go() {
    let out = compare("js-durable", durable_scenario).await;
    assert_eq!(out["S later"], json!([7, 1, 7]));
    assert_eq!(out["WQ later"][0], 0);
    assert_eq!(out["M"], json!([5, 1, 5]));
    assert_eq!(out["mirrored subject"], "log.0");
}

/// Two filtered sources of one work queue: each gets its own sourcing consumer on the origin,
/// visible there as Go shows it, and each takes its own subjects.
async fn two_sources_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    create(
        &nc,
        json!({"name": "O", "subjects": ["a", "b"], "storage": "file", "retention": "workqueue"}),
    )
    .await;
    create(
        &nc,
        json!({"name": "S", "sources": [{"name": "O", "filter_subject": "a"}, {"name": "O", "filter_subject": "b"}], "storage": "file"}),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let names = loop {
        let n = req(&nc, "$JS.API.CONSUMER.NAMES.O", json!({})).await;
        if n["total"] == 2 || tokio::time::Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for subject in ["a", "b", "a"] {
        nc.request(subject, "x".into()).await.unwrap();
    }
    let s = wait_info(&nc, "S", |i| i["state"]["messages"] == 3).await;
    let o = wait_info(&nc, "O", |i| i["state"]["messages"] == 0).await;
    let prefixes: Vec<String> = names["consumers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str())
                .map(|n| n.split('_').take(2).collect::<Vec<_>>().join("_"))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "origin consumers": names["total"],
        "kinds": prefixes,
        "origin consumer_count": o["state"]["consumer_count"],
        "origin": [o["state"]["messages"], o["state"]["last_seq"]],
        "S": s["state"]["messages"],
        "S subjects": s["state"]["num_subjects"],
    })
}

// go: server/TestJetStreamDurableStreamSourcesWithUniqueConsumerNames
#[tokio::test]
async fn each_source_of_a_work_queue_has_its_own_consumer_as_in_go() {
    let out = compare("js-wq-two-sources", two_sources_scenario).await;
    assert_eq!(out["origin consumers"], 2);
    assert_eq!(out["kinds"], json!(["JS_SRC", "JS_SRC"]));
    assert_eq!(out["origin"], json!([0, 3]));
}

/// What deleting a sourcing stream, or removing its source by an update, leaves on the origin:
/// the durable sourcing consumer of an interest origin goes, the direct one of a limits origin
/// stays until its inactivity threshold (Go asks for it by its stable name, which it does not
/// have).
async fn cleanup_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let names = |v: Value| {
        let mut n: Vec<String> = v["consumers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| n.as_str())
                    .map(|n| n.split('_').take(2).collect::<Vec<_>>().join("_"))
                    .collect()
            })
            .unwrap_or_default();
        n.sort();
        n
    };
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "O", "subjects": ["o"], "storage": "file", "retention": "interest"}),
    )
    .await;
    create(
        &nc,
        json!({"name": "L", "subjects": ["l"], "storage": "file"}),
    )
    .await;
    for name in ["S", "T"] {
        create(
            &nc,
            json!({"name": name, "sources": [{"name": "O"}, {"name": "L"}], "storage": "file"}),
        )
        .await;
    }
    let settle = || tokio::time::sleep(Duration::from_millis(400));
    settle().await;
    let acc = |v: Value| v["consumers"].clone();
    out["O before"] = json!(names(req(&nc, "$JS.API.CONSUMER.NAMES.O", json!({})).await));
    out["account before"] = acc(req(&nc, "$JS.API.INFO", json!({})).await);
    req(&nc, "$JS.API.STREAM.DELETE.S", json!({})).await;
    settle().await;
    out["O after delete"] = json!(names(req(&nc, "$JS.API.CONSUMER.NAMES.O", json!({})).await));
    let mut cfg = info(&nc, "T").await["config"].clone();
    cfg["sources"] = json!([{"name": "L"}]);
    out["update"] = req(&nc, "$JS.API.STREAM.UPDATE.T", cfg).await["error"].clone();
    settle().await;
    out["O after update"] = json!(names(req(&nc, "$JS.API.CONSUMER.NAMES.O", json!({})).await));
    out["account after"] = acc(req(&nc, "$JS.API.INFO", json!({})).await);
    // With no consumer left, the interest origin keeps nothing it is sent.
    nc.request("o", "x".into()).await.unwrap();
    out["O state"] = info(&nc, "O").await["state"]["messages"].clone();
    out
}

#[tokio::test]
async fn deleting_or_dropping_a_source_cleans_up_its_consumer_as_in_go() {
    let out = compare("js-src-cleanup", cleanup_scenario).await;
    assert_eq!(out["O before"], json!(["JS_SRC", "JS_SRC"]));
    assert_eq!(out["O after delete"], json!(["JS_SRC"]));
    assert_eq!(out["O after update"], json!([]));
    assert_eq!(out["account before"], 4);
    assert_eq!(out["O state"], 0);
}
