//! Stream updates that change what a stream is: limits and interest retention swapped under
//! live consumers, a mirror promoted to a normal stream, a stream sealed, `max_bytes` grown
//! against the account's limits. Each scenario runs against the Go server and rnats and the
//! observations are compared.

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

/// An update from the stream's current config with `changes` applied on top.
async fn update(nc: &async_nats::Client, name: &str, changes: Value) -> Value {
    let mut cfg =
        req(nc, &format!("$JS.API.STREAM.INFO.{name}"), json!({})).await["config"].clone();
    for (k, v) in changes.as_object().expect("an object of changes") {
        if v.is_null() {
            cfg.as_object_mut().unwrap().remove(k);
        } else {
            cfg[k] = v.clone();
        }
    }
    req(nc, &format!("$JS.API.STREAM.UPDATE.{name}"), cfg).await
}

/// The error of an answer (code and text), or what the update left in the config.
fn outcome(v: &Value, keys: &[&str]) -> Value {
    if !v["error"].is_null() {
        return json!({"err_code": v["error"]["err_code"], "description": v["error"]["description"]});
    }
    let mut out = json!({});
    for k in keys {
        out[*k] = v["config"][*k].clone();
    }
    out
}

/// The stream's state and which of the sequences 1..=last are still stored.
async fn stored(nc: &async_nats::Client, name: &str) -> Value {
    let info = req(nc, &format!("$JS.API.STREAM.INFO.{name}"), json!({})).await;
    let st = &info["state"];
    let mut seqs = Vec::new();
    for seq in 1..=st["last_seq"].as_u64().unwrap_or(0) {
        let r = req(
            nc,
            &format!("$JS.API.STREAM.MSG.GET.{name}"),
            json!({ "seq": seq }),
        )
        .await;
        if r["error"].is_null() {
            seqs.push(seq);
        }
    }
    json!({"msgs": st["messages"], "first_seq": st["first_seq"], "last_seq": st["last_seq"], "stored": seqs})
}

async fn publish(nc: &async_nats::Client, subject: &str) -> Value {
    let m = tokio::time::timeout(WAIT, nc.request(subject.to_string(), "x".into()))
        .await
        .expect("ack in time")
        .expect("ack");
    serde_json::from_slice(&m.payload).expect("PubAck JSON")
}

/// Pull `n` messages from a durable and return their ack subjects, in order.
async fn fetch(nc: &async_nats::Client, stream: &str, durable: &str, n: usize) -> Vec<String> {
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.publish_with_reply(
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"),
        inbox,
        json!({"batch": n, "expires": 2_000_000_000u64})
            .to_string()
            .into(),
    )
    .await
    .unwrap();
    let mut acks = Vec::new();
    while acks.len() < n {
        let m = tokio::time::timeout(WAIT, futures::StreamExt::next(&mut sub))
            .await
            .expect("message in time")
            .expect("message");
        if let Some(r) = m.reply {
            acks.push(r.to_string());
        }
    }
    acks
}

/// Acknowledge and wait for the server's confirmation (a synchronous ack).
async fn ack(nc: &async_nats::Client, reply: &str) {
    tokio::time::timeout(WAIT, nc.request(reply.to_string(), "+ACK".into()))
        .await
        .expect("ack confirmed in time")
        .expect("ack confirmed");
}

async fn durable(nc: &async_nats::Client, stream: &str, cfg: Value) {
    let name = cfg["durable_name"].as_str().unwrap().to_string();
    let r = req(
        nc,
        &format!("$JS.API.CONSUMER.CREATE.{stream}.{name}"),
        json!({"stream_name": stream, "config": cfg}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
}

/// Limits to interest with two consumers part-way through, back to limits, and the work-queue
/// switches Go refuses.
async fn retention_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    let r = create(
        &nc,
        json!({"name": "TEST", "subjects": ["foo", "bar"], "storage": "memory"}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    durable(
        &nc,
        "TEST",
        json!({"durable_name": "ALL", "ack_policy": "all"}),
    )
    .await;
    durable(
        &nc,
        "TEST",
        json!({"durable_name": "FOO", "ack_policy": "explicit", "filter_subject": "foo"}),
    )
    .await;
    for i in 0..10 {
        publish(&nc, if i % 2 == 0 { "foo" } else { "bar" }).await;
    }
    // ALL acknowledges 1..=6 at once; FOO gets 1, 3, 5 and acknowledges 1 and 5.
    let all = fetch(&nc, "TEST", "ALL", 6).await;
    ack(&nc, &all[5]).await;
    let foo_acks = fetch(&nc, "TEST", "FOO", 3).await;
    ack(&nc, &foo_acks[0]).await;
    ack(&nc, &foo_acks[2]).await;

    out["to interest"] = outcome(
        &update(&nc, "TEST", json!({"retention": "interest"})).await,
        &["retention"],
    );
    out["after interest"] = stored(&nc, "TEST").await;
    // What FOO still holds goes once FOO lets go of it.
    ack(&nc, &foo_acks[1]).await;
    out["after last ack"] = stored(&nc, "TEST").await;
    out["to limits"] = outcome(
        &update(&nc, "TEST", json!({"retention": "limits"})).await,
        &["retention"],
    );
    out["to workqueue"] = outcome(
        &update(&nc, "TEST", json!({"retention": "workqueue"})).await,
        &["retention"],
    );

    // Without consumers the switch purges the stream, and new messages nobody wants are not
    // kept either.
    create(
        &nc,
        json!({"name": "NOC", "subjects": ["noc"], "storage": "file"}),
    )
    .await;
    for _ in 0..3 {
        publish(&nc, "noc").await;
    }
    out["noc to interest"] = outcome(
        &update(&nc, "NOC", json!({"retention": "interest"})).await,
        &["retention"],
    );
    out["noc after switch"] = stored(&nc, "NOC").await;
    out["noc publish"] = publish(&nc, "noc").await;
    out["noc after"] = stored(&nc, "NOC").await;

    create(
        &nc,
        json!({"name": "WQ", "subjects": ["wq"], "storage": "memory", "retention": "workqueue"}),
    )
    .await;
    out["from workqueue"] = outcome(
        &update(&nc, "WQ", json!({"retention": "limits"})).await,
        &["retention"],
    );
    out
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

#[tokio::test]
async fn limits_and_interest_retention_swap_under_live_consumers_as_in_go() {
    let out = compare("js-upd-retention", retention_scenario).await;
    // What the switch must do, spelled out: 3 is still FOO's, 7.. are ALL's.
    assert_eq!(out["after interest"]["stored"], json!([3, 7, 8, 9, 10]));
    assert_eq!(out["after last ack"]["stored"], json!([7, 8, 9, 10]));
    assert_eq!(out["noc after switch"]["first_seq"], 4);
    assert_eq!(out["noc after"]["stored"], json!([]));
    assert_eq!(
        out["to workqueue"]["description"],
        "stream configuration update can not change retention policy to/from workqueue"
    );
    assert_eq!(out["from workqueue"]["err_code"], 10052);
}

/// Promote a mirror: refused while the origin holds the subject, allowed once `how` frees it.
async fn promote_scenario(addr: std::net::SocketAddr, delete_origin: bool) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "O", "subjects": ["foo"], "storage": "file"}),
    )
    .await;
    create(
        &nc,
        json!({"name": "M", "mirror": {"name": "O"}, "storage": "file"}),
    )
    .await;
    out["first"] = publish(&nc, "foo").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while stored(&nc, "M").await["msgs"] != 1 {
        assert!(tokio::time::Instant::now() < deadline, "mirror copy");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    out["overlap"] = outcome(
        &update(&nc, "M", json!({"mirror": null, "subjects": ["foo"]})).await,
        &["subjects", "mirror"],
    );
    // A different mirror is never allowed.
    out["other mirror"] = outcome(
        &update(&nc, "M", json!({"mirror": {"name": "X"}})).await,
        &["mirror"],
    );
    if delete_origin {
        let r = req(&nc, "$JS.API.STREAM.DELETE.O", json!({})).await;
        out["origin deleted"] = r["success"].clone();
    } else {
        out["origin moved"] = outcome(
            &update(&nc, "O", json!({"subjects": ["bar"]})).await,
            &["subjects"],
        );
    }
    out["promote"] = outcome(
        &update(&nc, "M", json!({"mirror": null, "subjects": ["foo"]})).await,
        &["subjects", "mirror"],
    );
    let info = req(&nc, "$JS.API.STREAM.INFO.M", json!({})).await;
    out["mirror info"] = info["mirror"].clone();
    if !delete_origin {
        out["origin publish"] = publish(&nc, "bar").await;
    }
    out["promoted publish"] = publish(&nc, "foo").await;
    // Give a mirror that was not stopped the time to copy the origin's message.
    tokio::time::sleep(Duration::from_millis(300)).await;
    out["after"] = stored(&nc, "M").await;
    // The origin keeps no consumer for a mirror that is gone.
    if !delete_origin {
        let names = req(&nc, "$JS.API.CONSUMER.NAMES.O", json!({})).await;
        out["origin consumers"] = names["total"].clone();
    }
    out
}

// go: server/TestJetStreamPromoteMirrorDeletingOrigin
#[tokio::test]
async fn a_mirror_is_promoted_once_its_deleted_origin_frees_the_subject() {
    let out = compare("js-upd-promote-del", |a| promote_scenario(a, true)).await;
    assert_eq!(out["overlap"]["err_code"], 10065);
    assert_eq!(out["other mirror"]["err_code"], 10055);
    assert_eq!(out["promote"], json!({"subjects": ["foo"], "mirror": null}));
    assert_eq!(out["mirror info"], Value::Null);
    assert_eq!(out["promoted publish"]["seq"], 2);
    assert_eq!(out["after"]["stored"], json!([1, 2]));
}

// go: server/TestJetStreamPromoteMirrorUpdatingOrigin
#[tokio::test]
async fn a_promoted_mirror_stops_following_its_origin() {
    let out = compare("js-upd-promote-upd", |a| promote_scenario(a, false)).await;
    assert_eq!(out["overlap"]["err_code"], 10065);
    assert_eq!(out["origin moved"]["subjects"], json!(["bar"]));
    assert_eq!(out["origin publish"]["seq"], 2);
    // The mirror did not take the origin's second message: its own publish is 2 as well.
    assert_eq!(out["promoted publish"]["seq"], 2);
    assert_eq!(out["after"]["stored"], json!([1, 2]));
}

/// Sealing through an update: the fields a sealed stream must have are forced, and the sealed
/// stream refuses what Go refuses.
async fn seal_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "S", "subjects": ["s.>"], "storage": "memory", "max_age": 3_600_000_000_000u64, "allow_rollup_hdrs": true}),
    )
    .await;
    publish(&nc, "s.1").await;
    out["seal"] = outcome(
        &update(&nc, "S", json!({"sealed": true})).await,
        &[
            "sealed",
            "max_age",
            "discard",
            "deny_delete",
            "deny_purge",
            "allow_rollup_hdrs",
        ],
    );
    out["unseal"] = outcome(
        &update(&nc, "S", json!({"sealed": false})).await,
        &["sealed"],
    );
    out["publish"] = publish(&nc, "s.2").await;
    out["purge"] = req(&nc, "$JS.API.STREAM.PURGE.S", json!({})).await["error"].clone();
    out["delete"] =
        req(&nc, "$JS.API.STREAM.MSG.DELETE.S", json!({"seq": 1})).await["error"].clone();
    out
}

#[tokio::test]
async fn sealing_by_update_forces_the_sealed_settings_as_in_go() {
    let out = compare("js-upd-seal", seal_scenario).await;
    assert_eq!(out["seal"]["deny_purge"], true);
    assert_eq!(out["seal"]["max_age"], 0);
    assert_eq!(out["seal"]["discard"], "new");
}

/// Growing `max_bytes` is checked against the account's file limit; shrinking always passes.
async fn bytes_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::ConnectOptions::with_user_and_password("a".into(), "a".into())
        .connect(addr.to_string())
        .await
        .unwrap();
    let mut out = json!({});
    let mk = |name: &str, subj: &str, max: i64| json!({"name": name, "subjects": [subj], "storage": "file", "max_bytes": max});
    out["one"] = outcome(
        &create(&nc, mk("ONE", "one", 400_000)).await,
        &["max_bytes"],
    );
    out["two"] = outcome(
        &create(&nc, mk("TWO", "two", 400_000)).await,
        &["max_bytes"],
    );
    for (tag, name, max) in [
        ("fits", "ONE", 600_000),
        ("too big", "ONE", 700_000),
        ("shrink", "TWO", 100_000),
        ("regrow", "ONE", 900_000),
        ("unlimited", "ONE", -1),
    ] {
        out[tag] = outcome(
            &update(&nc, name, json!({ "max_bytes": max })).await,
            &["max_bytes"],
        );
    }
    out
}

#[tokio::test]
async fn growing_max_bytes_is_checked_against_the_account_limit_as_in_go() {
    let conf = r#"
listen: "127.0.0.1:-1"
jetstream: {store_dir: "%DIR%"}
accounts: { A: { jetstream: { max_file: 1000000 }, users: [{user: a, password: a}] } }
"#;
    let dir = TempDir::new("js-upd-bytes");
    let path = dir.0.join("a.conf");
    std::fs::write(
        &path,
        conf.replace("%DIR%", &dir.0.join("js").display().to_string()),
    )
    .unwrap();
    let mut o = Options::default();
    server::config::options::load_file(&mut o, &path).expect("config");
    o.no_signals = true;
    o.no_log = true;
    let h = start(o).await;
    let ours = bytes_scenario(h.addr()).await;
    h.shutdown().await;

    let gdir = TempDir::new("js-upd-bytes-go");
    let gpath = gdir.0.join("a.conf");
    std::fs::write(
        &gpath,
        conf.replace("%DIR%", &gdir.0.join("js").display().to_string()),
    )
    .unwrap();
    let go = GoServer::start(&["-c", &gpath.display().to_string()]).await;
    let theirs = bytes_scenario(go.client).await;
    assert_eq!(ours, theirs, "rnats (left) and Go (right) differ");
    assert_eq!(ours["fits"]["max_bytes"], 600_000);
    assert_eq!(ours["too big"]["err_code"], 10047);
    assert_eq!(ours["regrow"]["max_bytes"], 900_000);
}

/// Lowering the stream's consumer limits below what its consumers use is refused, naming them.
async fn consumer_limits_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    create(
        &nc,
        json!({"name": "CL", "subjects": ["cl"], "storage": "memory"}),
    )
    .await;
    durable(
        &nc,
        "CL",
        json!({"durable_name": "BIG", "ack_policy": "explicit", "max_ack_pending": 2000}),
    )
    .await;
    durable(
        &nc,
        "CL",
        json!({"durable_name": "IDLE", "ack_policy": "explicit", "max_ack_pending": 10, "inactive_threshold": 30_000_000_000u64}),
    )
    .await;
    for (tag, limits) in [
        ("pending 500", json!({"max_ack_pending": 500})),
        ("pending 5", json!({"max_ack_pending": 5})),
        (
            "inactive 10s",
            json!({"inactive_threshold": 10_000_000_000u64}),
        ),
        ("pending 5000", json!({"max_ack_pending": 5000})),
        (
            "inactive 60s",
            json!({"inactive_threshold": 60_000_000_000u64}),
        ),
    ] {
        let mut o = outcome(
            &update(&nc, "CL", json!({ "consumer_limits": limits })).await,
            &["consumer_limits"],
        );
        // Go lists the consumers in its map's order.
        if let Some((head, names)) = o["description"].as_str().and_then(|d| d.split_once(": ")) {
            let mut names: Vec<&str> = names.split(", ").collect();
            names.sort();
            o["description"] = json!(format!("{head}: {}", names.join(", ")));
        }
        out[tag] = o;
    }
    out
}

#[tokio::test]
async fn lowered_consumer_limits_name_the_consumers_above_them_as_in_go() {
    let out = compare("js-upd-climits", consumer_limits_scenario).await;
    assert_eq!(
        out["pending 500"]["description"],
        "change to limits violates consumers: BIG"
    );
    assert_eq!(out["pending 500"]["err_code"], 10069);
    assert_eq!(
        out["inactive 10s"]["description"],
        "change to limits violates consumers: IDLE"
    );
    assert_eq!(
        out["pending 5"]["description"],
        "change to limits violates consumers: BIG, IDLE"
    );
    assert_eq!(
        out["pending 5000"]["consumer_limits"]["max_ack_pending"],
        5000
    );
}
