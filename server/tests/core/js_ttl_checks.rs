//! Per-message TTL headers on a stream with and without `allow_msg_ttl`: which error wins, and
//! which values are no TTL at all; against the Go server and rnats.

use serde_json::{json, Value};

use crate::support::*;
use server::Options;

async fn scenario(addr: std::net::SocketAddr) -> Value {
    let nc = async_nats::connect(addr.to_string()).await.unwrap();
    let mut out = json!({});
    for (name, allow) in [("OFF", false), ("ON", true)] {
        let cfg = json!({"name": name, "subjects": [name.to_lowercase()], "storage": "memory", "allow_msg_ttl": allow});
        tokio::time::timeout(
            WAIT,
            nc.request(
                format!("$JS.API.STREAM.CREATE.{name}"),
                cfg.to_string().into(),
            ),
        )
        .await
        .unwrap()
        .unwrap();
        for ttl in [
            "500ms",
            "something",
            "1s",
            "0",
            "never",
            "NEVER",
            "+5",
            "-1",
            "10",
        ] {
            let mut h = async_nats::HeaderMap::new();
            h.insert("Nats-TTL", ttl);
            let m = tokio::time::timeout(
                WAIT,
                nc.request_with_headers(name.to_lowercase(), h, "x".into()),
            )
            .await
            .unwrap()
            .unwrap();
            let v: Value = serde_json::from_slice(&m.payload).unwrap();
            out[format!("{name} {ttl}")] = if v["error"].is_null() {
                json!("stored")
            } else {
                v["error"]["err_code"].clone()
            };
        }
    }
    out
}

#[tokio::test]
async fn ttl_headers_are_checked_in_go_order() {
    let dir = TempDir::new("js-ttl-checks");
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    let h = start(o).await;
    let ours = scenario(h.addr()).await;
    h.shutdown().await;
    let gdir = TempDir::new("js-ttl-checks-go");
    let go = GoServer::start(&["-js", "-sd", &gdir.0.display().to_string()]).await;
    let theirs = scenario(go.client).await;
    assert_eq!(ours, theirs, "rnats (left) and Go (right) differ");
    // An unreadable TTL is invalid before TTLs being off matters.
    assert_eq!(ours["OFF 500ms"], 10165);
    assert_eq!(ours["OFF 1s"], 10166);
    assert_eq!(ours["OFF 0"], 10165);
    assert_eq!(ours["ON NEVER"], "stored");
}
