//! Mirrors and sources of a stream in another account (`external` with API and deliver
//! prefixes): the consumer create request crosses a service import, deliveries come back through
//! a stream import, flow control through `$JS.FC.>`. The same scenario runs against the Go server
//! and rnats and their observations are compared.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::support::*;
use server::Options;

const CONF: &str = r#"
listen: "127.0.0.1:-1"
jetstream: {store_dir: "%DIR%"}
accounts: {
    PUBLIC_ACCOUNT: {
        jetstream: enabled
        exports: [
            { service: "$JS.API.CONSUMER.CREATE.S.*.public.a", response_type: stream, accounts: ["INTERNAL_ACCOUNT"] },
            { service: "$JS.API.CONSUMER.CREATE.S.*.public.b", response_type: stream, accounts: ["INTERNAL_ACCOUNT"] },
            { service: "$JS.API.CONSUMER.CREATE.S.*.public.c", response_type: stream, accounts: ["INTERNAL_ACCOUNT"] },
            { service: "$JS.API.CONSUMER.CREATE.*", response_type: stream, accounts: ["INTERNAL_ACCOUNT"] },
            { service: "$JS.FC.>" },
            { stream: "shared.public.>", accounts: ["INTERNAL_ACCOUNT"] }
        ]
        users: [ {user: "public", password: "pwd"} ]
    },
    INTERNAL_ACCOUNT: {
        jetstream: enabled
        imports: [
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.API.CONSUMER.CREATE.S.*.public.a" }, to: "JS.PUBLIC_ACCOUNT.CONSUMER.CREATE.S.*.public.a" },
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.API.CONSUMER.CREATE.S.*.public.b" }, to: "JS.PUBLIC_ACCOUNT.CONSUMER.CREATE.S.*.public.b" },
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.API.CONSUMER.CREATE.S.*.public.c" }, to: "JS.PUBLIC_ACCOUNT.CONSUMER.CREATE.S.*.public.c" },
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.API.CONSUMER.CREATE.*" }, to: "JS.PUBLIC_ACCOUNT.CONSUMER.CREATE.*" },
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.FC.>" }, to: "$JS.FC.>" },
            { stream: { account: "PUBLIC_ACCOUNT", subject: "shared.public.>" }, to: "shared.public.>" }
        ]
        users: [ {user: "internal", password: "pwd"} ]
    }
}
"#;

fn write_conf(dir: &TempDir) -> std::path::PathBuf {
    let path = dir.0.join("ext.conf");
    let store = dir.0.join("js").display().to_string();
    std::fs::write(&path, CONF.replace("%DIR%", &store)).unwrap();
    path
}

async fn start_rnats(conf: &std::path::Path) -> server::ServerHandle {
    let mut o = Options::default();
    server::config::options::load_file(&mut o, conf).expect("config");
    o.no_signals = true;
    o.no_log = true;
    start(o).await
}

async fn login(addr: std::net::SocketAddr, user: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), "pwd".into())
        .connect(addr.to_string())
        .await
        .expect("login")
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

async fn create(nc: &async_nats::Client, cfg: Value) {
    let name = cfg["name"].as_str().unwrap_or_default().to_string();
    let r = req(nc, &format!("$JS.API.STREAM.CREATE.{name}"), cfg).await;
    assert!(r["error"].is_null(), "{r}");
}

async fn info(nc: &async_nats::Client, stream: &str) -> Value {
    req(nc, &format!("$JS.API.STREAM.INFO.{stream}"), json!({})).await
}

/// Wait until `stream` holds `n` messages.
async fn wait_msgs(nc: &async_nats::Client, stream: &str, n: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let i = info(nc, stream).await;
        if i["state"]["messages"].as_u64() == Some(n) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{stream} should hold {n} messages: {i}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A stored message: (seq, subject, header lines without the status line, data).
async fn get(
    nc: &async_nats::Client,
    stream: &str,
    seq: u64,
) -> (u64, String, Vec<String>, String) {
    let r = req(
        nc,
        &format!("$JS.API.STREAM.MSG.GET.{stream}"),
        json!({ "seq": seq }),
    )
    .await;
    let m = &r["message"];
    let b64 = |v: &Value| {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str().unwrap_or_default())
                .unwrap_or_default(),
        )
        .unwrap_or_default()
    };
    let hdrs = b64(&m["hdrs"]);
    let mut lines: Vec<String> = hdrs
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    lines.sort();
    (
        m["seq"].as_u64().unwrap_or(0),
        m["subject"].as_str().unwrap_or_default().to_string(),
        lines,
        b64(&m["data"]),
    )
}

/// A `Nats-Stream-Source` value with the origin's identity (a hash of its creation time, which
/// differs between two runs) replaced by its length.
fn normalized_source(line: &str) -> String {
    let mut f: Vec<String> = line.split(' ').map(str::to_string).collect();
    if f.len() == 7 {
        f[6] = format!("<{} chars>", f[6].len());
    }
    f.join(" ")
}

/// The origin's consumers by kind: sourcing consumers are named `JS_MIRROR_<id>...` and
/// `JS_SRC_<id>...` with ids that differ between servers.
fn consumer_kinds(names: &Value) -> Vec<String> {
    let mut k: Vec<String> = names
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str())
                .map(|n| n.split('_').take(2).collect::<Vec<_>>().join("_"))
                .collect()
        })
        .unwrap_or_default();
    k.sort();
    k
}

/// Mirrors with a filter, a transform without destination and one with a destination, a source
/// without filter and a mirror of a missing stream, all in INTERNAL_ACCOUNT of S in
/// PUBLIC_ACCOUNT. Returns what a user sees.
async fn scenario(addr: std::net::SocketAddr) -> Value {
    let pc = login(addr, "public").await;
    let ic = login(addr, "internal").await;
    create(&pc, json!({"name":"S","subjects":["public.>"]})).await;
    let ext = json!({"api":"JS.PUBLIC_ACCOUNT","deliver":"shared.public"});
    create(
        &ic,
        json!({"name":"M1","mirror":{"name":"S","filter_subject":"public.a","external":ext}}),
    )
    .await;
    create(
        &ic,
        json!({"name":"M2","mirror":{"name":"S","subject_transforms":[{"src":"public.b","dest":""}],"external":ext}}),
    )
    .await;
    create(
        &ic,
        json!({"name":"M3","mirror":{"name":"S","subject_transforms":[{"src":"public.c","dest":"public.d"}],"external":ext}}),
    )
    .await;
    create(
        &ic,
        json!({"name":"SRC","subjects":["local"],"sources":[{"name":"S","external":ext}]}),
    )
    .await;
    create(
        &ic,
        json!({"name":"GONE","mirror":{"name":"NOPE","external":ext}}),
    )
    .await;
    let mut h = async_nats::HeaderMap::new();
    h.insert("X-Tag", "one");
    pc.publish_with_headers("public.a", h, "hello a".into())
        .await
        .unwrap();
    pc.publish("public.b", "hello b".into()).await.unwrap();
    pc.publish("public.c", "hello c".into()).await.unwrap();
    pc.flush().await.unwrap();
    for m in ["M1", "M2", "M3"] {
        wait_msgs(&ic, m, 1).await;
    }
    wait_msgs(&ic, "SRC", 3).await;
    let mut out = json!({});
    for (m, seq) in [("M1", 1), ("M2", 2), ("M3", 3)] {
        let (s, subj, hdrs, data) = get(&ic, m, seq).await;
        let i = info(&ic, m).await;
        let mut mi = i["mirror"].clone();
        mi.as_object_mut().map(|o| o.remove("active"));
        out[m] = json!({"seq": s, "subject": subj, "headers": hdrs, "data": data,
            "first_seq": i["state"]["first_seq"], "mirror": mi});
    }
    let mut src = Vec::new();
    for seq in 1..=3 {
        let (s, subj, hdrs, data) = get(&ic, "SRC", seq).await;
        let hdrs: Vec<String> = hdrs.iter().map(|l| normalized_source(l)).collect();
        src.push(json!({"seq": s, "subject": subj, "headers": hdrs, "data": data}));
    }
    out["SRC"] = json!(src);
    let mut si = info(&ic, "SRC").await["sources"].clone();
    for s in si.as_array_mut().into_iter().flatten() {
        s.as_object_mut().map(|o| o.remove("active"));
    }
    out["SRC.sources"] = si;
    // The missing origin's error shows in the mirror's info.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let i = info(&ic, "GONE").await;
        if !i["mirror"]["error"].is_null() {
            out["GONE.error"] = i["mirror"]["error"].clone();
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{i}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let names = req(&pc, "$JS.API.CONSUMER.NAMES.S", json!({})).await;
    out["origin consumers"] = json!(consumer_kinds(&names["consumers"]));
    out
}

// go: server/TestJetStreamMirrorCrossAccountWithFilteredSubjectAndSubjectTransform
#[tokio::test]
async fn cross_account_mirrors_and_sources_match_go() {
    let dir = TempDir::new("js-ext");
    let conf = write_conf(&dir);
    let h = start_rnats(&conf).await;
    let ours = scenario(h.addr()).await;
    h.shutdown().await;

    let gdir = TempDir::new("js-ext-go");
    let gconf = write_conf(&gdir);
    let go = GoServer::start(&["-c", &gconf.display().to_string()]).await;
    let theirs = scenario(go.client).await;
    assert_eq!(ours, theirs, "rnats (left) and Go (right) differ");
    // What the Go test checks, spelled out.
    assert_eq!(ours["M1"]["subject"], "public.a");
    assert_eq!(ours["M2"]["seq"], 2);
    assert_eq!(ours["M3"]["subject"], "public.d");
}

#[tokio::test]
async fn an_external_source_resumes_after_a_restart_without_duplicates() {
    let dir = TempDir::new("js-ext-restart");
    let conf = write_conf(&dir);
    let h = start_rnats(&conf).await;
    let addr = h.addr();
    let pc = login(addr, "public").await;
    let ic = login(addr, "internal").await;
    create(
        &pc,
        json!({"name":"S","subjects":["public.>"],"storage":"file"}),
    )
    .await;
    create(
        &ic,
        json!({"name":"SRC","subjects":["local"],"storage":"file","sources":[{"name":"S","external":{"api":"JS.PUBLIC_ACCOUNT","deliver":"shared.public"}}]}),
    )
    .await;
    // Enough to need flow control answers on the way.
    let body = vec![b'x'; 4096];
    for i in 0..2000 {
        pc.publish(format!("public.{}", i % 7), body.clone().into())
            .await
            .unwrap();
    }
    pc.flush().await.unwrap();
    wait_msgs(&ic, "SRC", 2000).await;
    let (_, subj, hdrs, _) = get(&ic, "SRC", 2000).await;
    assert_eq!(subj, "public.4");
    let src = hdrs
        .iter()
        .find(|l| l.starts_with("Nats-Stream-Source: "))
        .expect("source header");
    assert!(src.starts_with("Nats-Stream-Source: S:"), "{src}");
    assert!(src.contains(" 2000 > > public.4 "), "{src}");
    drop((pc, ic));
    h.shutdown().await;

    let h = start_rnats(&conf).await;
    let addr = h.addr();
    let pc = login(addr, "public").await;
    let ic = login(addr, "internal").await;
    pc.publish("public.new", "after".into()).await.unwrap();
    pc.flush().await.unwrap();
    wait_msgs(&ic, "SRC", 2001).await;
    let (_, subj, _, data) = get(&ic, "SRC", 2001).await;
    assert_eq!((subj.as_str(), data.as_str()), ("public.new", "after"));
    // Nothing more arrives: the restart did not take the origin's messages again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(info(&ic, "SRC").await["state"]["messages"], 2001);
    let i = info(&ic, "SRC").await;
    assert_eq!(i["sources"][0]["lag"], 0, "{i}");
    assert!(i["sources"][0]["active"].as_i64().unwrap_or(-1) >= 0, "{i}");
    h.shutdown().await;
}

#[tokio::test]
async fn removing_an_external_source_stops_following_it() {
    let dir = TempDir::new("js-ext-remove");
    let conf = write_conf(&dir);
    let h = start_rnats(&conf).await;
    let addr = h.addr();
    let pc = login(addr, "public").await;
    let ic = login(addr, "internal").await;
    create(&pc, json!({"name":"S","subjects":["public.>"]})).await;
    let cfg = json!({"name":"SRC","subjects":["local"],"sources":[{"name":"S","external":{"api":"JS.PUBLIC_ACCOUNT","deliver":"shared.public"}}]});
    create(&ic, cfg.clone()).await;
    pc.publish("public.a", "1".into()).await.unwrap();
    pc.flush().await.unwrap();
    wait_msgs(&ic, "SRC", 1).await;
    let mut upd = cfg.clone();
    upd["sources"] = json!([]);
    let r = req(&ic, "$JS.API.STREAM.UPDATE.SRC", upd).await;
    assert!(r["error"].is_null(), "{r}");
    pc.publish("public.a", "2".into()).await.unwrap();
    pc.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(info(&ic, "SRC").await["state"]["messages"], 1);
    // Added back, it goes on after the message it already has.
    create_or_update(&ic, cfg).await;
    wait_msgs(&ic, "SRC", 2).await;
    assert_eq!(get(&ic, "SRC", 2).await.3, "2");
    h.shutdown().await;
}

async fn create_or_update(nc: &async_nats::Client, cfg: Value) {
    let r = req(nc, "$JS.API.STREAM.UPDATE.SRC", cfg).await;
    assert!(r["error"].is_null(), "{r}");
}

/// An account that imports the consumer delete API too, which a promoted mirror could use to
/// remove its consumer from the origin.
const PROMOTE_CONF: &str = r#"
listen: "127.0.0.1:-1"
jetstream: {store_dir: "%DIR%"}
accounts: {
    PUBLIC_ACCOUNT: {
        jetstream: enabled
        exports: [
            { service: "$JS.API.CONSUMER.CREATE.*", response_type: stream, accounts: ["INTERNAL_ACCOUNT"] },
            { service: "$JS.API.CONSUMER.DELETE.*.*", accounts: ["INTERNAL_ACCOUNT"] },
            { service: "$JS.FC.>" },
            { stream: "shared.public.>", accounts: ["INTERNAL_ACCOUNT"] }
        ]
        users: [ {user: "public", password: "pwd"} ]
    },
    INTERNAL_ACCOUNT: {
        jetstream: enabled
        imports: [
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.API.CONSUMER.CREATE.*" }, to: "JS.PUBLIC_ACCOUNT.CONSUMER.CREATE.*" },
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.API.CONSUMER.DELETE.*.*" }, to: "JS.PUBLIC_ACCOUNT.CONSUMER.DELETE.*.*" },
            { service: { account: "PUBLIC_ACCOUNT", subject: "$JS.FC.>" }, to: "$JS.FC.>" },
            { stream: { account: "PUBLIC_ACCOUNT", subject: "shared.public.>" }, to: "shared.public.>" }
        ]
        users: [ {user: "internal", password: "pwd"} ]
    }
}
"#;

/// Promote an external mirror and watch the origin's consumer counts (stream, account).
async fn promote_external(addr: std::net::SocketAddr) -> Value {
    let pc = login(addr, "public").await;
    let ic = login(addr, "internal").await;
    create(&pc, json!({"name":"S","subjects":["public.>"]})).await;
    create(
        &ic,
        json!({"name":"M","mirror":{"name":"S","external":{"api":"JS.PUBLIC_ACCOUNT","deliver":"shared.public"}}}),
    )
    .await;
    pc.publish("public.a", "one".into()).await.unwrap();
    pc.flush().await.unwrap();
    wait_msgs(&ic, "M", 1).await;
    let count = |i: Value| json!([i["state"]["consumer_count"], i["state"]["consumers"]]);
    let acc = |i: Value| i["consumers"].clone();
    let before = json!([
        count(info(&pc, "S").await),
        acc(req(&pc, "$JS.API.INFO", json!({})).await)
    ]);
    let mut cfg = info(&ic, "M").await["config"].clone();
    cfg.as_object_mut().unwrap().remove("mirror");
    cfg["subjects"] = json!(["mine"]);
    let promoted = req(&ic, "$JS.API.STREAM.UPDATE.M", cfg).await;
    // Go asks the origin to delete the consumer but names it by a hash that does not match, so
    // the consumer stays until its inactivity threshold; it is still there a moment later.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = json!([
        count(info(&pc, "S").await),
        acc(req(&pc, "$JS.API.INFO", json!({})).await)
    ]);
    pc.publish("public.a", "two".into()).await.unwrap();
    let ack = req(&ic, "mine", json!("x")).await;
    json!({
        "before": before,
        "promoted mirror": promoted["config"]["mirror"],
        "after": after,
        "own publish": ack,
    })
}

#[tokio::test]
async fn a_promoted_external_mirror_stops_and_its_origin_consumer_counts_as_in_go() {
    let dir = TempDir::new("js-ext-promote");
    let path = dir.0.join("p.conf");
    let store = dir.0.join("js").display().to_string();
    std::fs::write(&path, PROMOTE_CONF.replace("%DIR%", &store)).unwrap();
    let h = start_rnats(&path).await;
    let ours = promote_external(h.addr()).await;
    h.shutdown().await;

    let gdir = TempDir::new("js-ext-promote-go");
    let gpath = gdir.0.join("p.conf");
    let gstore = gdir.0.join("js").display().to_string();
    std::fs::write(&gpath, PROMOTE_CONF.replace("%DIR%", &gstore)).unwrap();
    let go = GoServer::start(&["-c", &gpath.display().to_string()]).await;
    let theirs = promote_external(go.client).await;
    assert_eq!(ours, theirs, "rnats (left) and Go (right) differ");
    // The sourcing consumer counts for the account, not in the origin's consumer_count.
    assert_eq!(ours["before"], json!([[0, null], 1]));
    assert_eq!(ours["own publish"]["seq"], 2);
}
