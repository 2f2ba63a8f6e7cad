//! `$JS.API.STREAM.MSG.GET`: Go's request checks (`start_time` excludes `seq` and
//! `last_by_subj`), lookups by time, and `no_hdr`; against the Go server and rnats.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;
use server::Options;

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

async fn raw(nc: &async_nats::Client, subject: &str, body: &str) -> async_nats::Message {
    tokio::time::timeout(
        WAIT,
        nc.request(subject.to_string(), body.to_string().into()),
    )
    .await
    .expect("answer in time")
    .expect("answer")
}

/// The sequence found, or the error code.
async fn get(nc: &async_nats::Client, body: Value) -> Value {
    let m = raw(nc, "$JS.API.STREAM.MSG.GET.TEST", &body.to_string()).await;
    let v: Value = serde_json::from_slice(&m.payload).expect("JSON");
    if v["error"].is_null() {
        v["message"]["seq"].clone()
    } else {
        json!({"err_code": v["error"]["err_code"], "description": v["error"]["description"]})
    }
}

fn rfc3339(t: std::time::SystemTime) -> String {
    let nanos = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i64;
    server::jetstream::api::GoTime::from_unix_nanos(nanos).to_string()
}

async fn as_of_time_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    raw(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        &json!({"name": "TEST", "subjects": ["foo.*"], "allow_direct": true}).to_string(),
    )
    .await;
    let mut out = json!({});
    let t0 = rfc3339(std::time::SystemTime::now());
    out["time and last"] = get(&nc, json!({"start_time": t0, "last_by_subj": "foo.1"})).await;
    out["time and seq"] = get(&nc, json!({"start_time": t0, "seq": 1})).await;
    out["empty stream"] = get(&nc, json!({ "start_time": t0 })).await;
    raw(&nc, "foo.1", "").await;
    out["t0 one"] = get(&nc, json!({ "start_time": t0 })).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let t1 = rfc3339(std::time::SystemTime::now());
    raw(&nc, "foo.2", "").await;
    out["t0 two"] = get(&nc, json!({ "start_time": t0 })).await;
    out["t0 next foo.2"] = get(&nc, json!({"start_time": t0, "next_by_subj": "foo.2"})).await;
    out["t1"] = get(&nc, json!({ "start_time": t1 })).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let t2 = rfc3339(std::time::SystemTime::now());
    out["t2"] = get(&nc, json!({ "start_time": t2 })).await;
    // The other checks Go makes on the request.
    out["nothing"] = get(&nc, json!({})).await;
    out["batch"] = get(&nc, json!({"seq": 1, "batch": 2})).await;
    out["last and next"] = get(
        &nc,
        json!({"last_by_subj": "foo.1", "next_by_subj": "foo.2"}),
    )
    .await;
    out
}

// go: server/TestJetStreamMsgGetAsOfTime
#[tokio::test]
async fn message_get_by_start_time_as_in_go() {
    let out = compare("js-msgget-time", as_of_time_scenario).await;
    assert_eq!(out["time and last"]["err_code"], 10003);
    assert_eq!(out["time and seq"]["err_code"], 10003);
    assert_eq!(out["empty stream"]["err_code"], 10037);
    assert_eq!(out["t0 one"], 1);
    assert_eq!(out["t0 two"], 1);
    assert_eq!(out["t0 next foo.2"], 2);
    assert_eq!(out["t1"], 2);
    assert_eq!(out["t2"]["err_code"], 10037);
}

/// A header line's value, if the header block has it.
fn header(block: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(block)
        .split("\r\n")
        .skip(1)
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
}

async fn no_headers_scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    raw(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        &json!({"name": "TEST", "subjects": ["foo"], "storage": "file", "allow_direct": true})
            .to_string(),
    )
    .await;
    let mut h = async_nats::HeaderMap::new();
    h.insert("test", "something");
    tokio::time::timeout(
        WAIT,
        nc.request_with_headers("foo", h, vec![1u8, 2, 3, 4, 5].into()),
    )
    .await
    .unwrap()
    .unwrap();
    let mut out = json!({});
    for no_hdr in [false, true] {
        let m = raw(
            &nc,
            "$JS.API.STREAM.MSG.GET.TEST",
            &format!(r#"{{"seq":1,"no_hdr":{no_hdr}}}"#),
        )
        .await;
        let v: Value = serde_json::from_slice(&m.payload).unwrap();
        let hdrs = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            v["message"]["hdrs"].as_str().unwrap_or(""),
        )
        .unwrap_or_default();
        out[format!("msg get {no_hdr}")] = json!({
            "data": v["message"]["data"],
            "hdrs present": v["message"].get("hdrs").is_some(),
            "test": header(&hdrs, "test"),
        });
        for (tag, subject, body) in [
            (
                "direct",
                "$JS.API.DIRECT.GET.TEST",
                format!(r#"{{"seq":1,"no_hdr":{no_hdr}}}"#),
            ),
            (
                "direct last",
                "$JS.API.DIRECT.GET.TEST.foo",
                format!(r#"{{"no_hdr":{no_hdr}}}"#),
            ),
        ] {
            let m = raw(&nc, subject, &body).await;
            let block: Vec<u8> = m
                .headers
                .as_ref()
                .map(|h| {
                    let mut b = b"NATS/1.0\r\n".to_vec();
                    for (k, vs) in h.iter() {
                        for v in vs {
                            b.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
                        }
                    }
                    b
                })
                .unwrap_or_default();
            out[format!("{tag} {no_hdr}")] = json!({
                "data": m.payload.to_vec(),
                "test": header(&block, "test"),
                "stream": header(&block, "Nats-Stream"),
                "seq": header(&block, "Nats-Sequence"),
                "has time": header(&block, "Nats-Time-Stamp").is_some(),
            });
        }
    }
    out
}

// go: server/TestJetStreamGetNoHeaders
#[tokio::test]
async fn no_hdr_leaves_the_headers_out_of_message_and_direct_gets_as_in_go() {
    let out = compare("js-msgget-nohdr", no_headers_scenario).await;
    assert_eq!(out["msg get false"]["test"], "something");
    assert_eq!(out["msg get true"]["hdrs present"], false);
    assert_eq!(out["direct false"]["test"], "something");
    assert_eq!(out["direct true"]["test"], Value::Null);
    assert_eq!(out["direct true"]["stream"], Value::Null);
    assert_eq!(out["direct last true"]["has time"], false);
    assert_eq!(out["direct last true"]["data"], json!([1, 2, 3, 4, 5]));
}
