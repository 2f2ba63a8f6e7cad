//! Helpers for the system account tests: a configuration with a system account user and a normal
//! account, the same configuration on the Go server, async-nats clients for both, requests that
//! collect every answer in a window, and the key paths of a JSON document for shape comparisons.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

use crate::support::*;
use server::Options;

/// A system account user and a normal account.
pub const CONF: &str = "accounts {\n  SYS { users [{user: sys, password: sys}] }\n  A { users [{user: a, password: a}] }\n}\nsystem_account: SYS\n";

/// How long to wait for answers that may not come.
pub const QUIET: Duration = Duration::from_millis(300);

/// rnats with `conf` loaded from a file (so a reload can re-read it).
pub async fn start_rust(conf: &str) -> (server::ServerHandle, TempDir) {
    let dir = TempDir::new("sys");
    let path = dir.0.join("sys.conf");
    std::fs::write(&path, conf).unwrap();
    let mut opts = Options::for_test();
    opts.no_system_account = false;
    let digest = server::config::options::load_file(&mut opts, &path).expect("config loads");
    opts.config_digest = digest;
    (start(opts).await, dir)
}

/// The Go server with the same configuration.
pub async fn start_go(conf: &str) -> (GoServer, TempDir) {
    let dir = TempDir::new("sysgo");
    let path = dir.0.join("sys.conf");
    std::fs::write(&path, conf).unwrap();
    let p = path.display().to_string();
    (GoServer::start(&["-c", &p]).await, dir)
}

pub async fn client(addr: SocketAddr, user: &str, pass: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), pass.into())
        .name("sys-test")
        .connect(format!("nats://{addr}"))
        .await
        .expect("async-nats connects")
}

/// Publish `body` (and `headers`) to `subject` with a fresh reply subject; every answer within
/// `window` after the first (or `QUIET` when none comes), parsed as JSON.
pub async fn ask_with(
    nc: &async_nats::Client,
    subject: &str,
    body: &str,
    headers: Option<async_nats::HeaderMap>,
    window: Duration,
) -> Vec<Value> {
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.flush().await.unwrap();
    let subject = subject.to_string();
    match headers {
        Some(h) => nc
            .publish_with_reply_and_headers(subject, inbox, h, body.to_string().into())
            .await
            .unwrap(),
        None => nc
            .publish_with_reply(subject, inbox, body.to_string().into())
            .await
            .unwrap(),
    }
    nc.flush().await.unwrap();
    let mut out = Vec::new();
    let mut wait = QUIET.max(window);
    while let Ok(Some(m)) = tokio::time::timeout(wait, sub.next()).await {
        // A no-responders status is no answer.
        if m.status.is_some() {
            continue;
        }
        let v: Value = serde_json::from_slice(&m.payload)
            .unwrap_or_else(|e| panic!("answer is not JSON ({e}): {:?}", m.payload));
        out.push(v);
        wait = window;
    }
    out
}

/// The single answer to a request (panics when there is none or more than one).
pub async fn ask(nc: &async_nats::Client, subject: &str, body: &str) -> Value {
    let mut got = ask_with(nc, subject, body, None, Duration::from_millis(100)).await;
    assert_eq!(got.len(), 1, "one answer to {subject} {body}: {got:?}");
    got.remove(0)
}

/// Whether a request goes unanswered.
pub async fn unanswered(nc: &async_nats::Client, subject: &str, body: &str) -> bool {
    ask_with(nc, subject, body, None, Duration::from_millis(50))
        .await
        .is_empty()
}

/// Every key path of a JSON document (`data/connections[]/cid`), without values or types.
pub fn key_paths(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}/{k}")
                    };
                    out.insert(p.clone());
                    walk(v, &p, out);
                }
            }
            Value::Array(a) => {
                for v in a {
                    walk(v, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

/// Assert two documents have the same key paths, apart from those under `except`.
pub fn assert_same_keys(what: &str, go: &Value, rust: &Value, except: &[&str]) {
    let keep = |p: &String| {
        !except
            .iter()
            .any(|e| p == e || p.starts_with(&format!("{e}/")) || p.starts_with(&format!("{e}[]")))
    };
    let g: BTreeSet<String> = key_paths(go).into_iter().filter(keep).collect();
    let r: BTreeSet<String> = key_paths(rust).into_iter().filter(keep).collect();
    let missing: Vec<&String> = g.difference(&r).collect();
    let extra: Vec<&String> = r.difference(&g).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: keys only Go has {missing:?}, keys only rnats has {extra:?}\nGo: {go}\nrnats: {rust}"
    );
}

/// Read the next `MSG` from a raw connection: (subject, payload). Skips `PING`s (answering them) and
/// other protocol lines.
pub async fn raw_msg(r: &mut Raw) -> (String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let line = r.read_line().await;
        if line == "PING\r\n" {
            r.stream.write_all(b"PONG\r\n").await.unwrap();
            continue;
        }
        let Some(rest) = line.strip_prefix("MSG ") else {
            continue;
        };
        let parts: Vec<&str> = rest.trim_end().split(' ').collect();
        let n: usize = parts.last().and_then(|n| n.parse().ok()).expect("MSG size");
        while r.buf.len() < n + 2 {
            r.buf.reserve(65536);
            let got = tokio::time::timeout(WAIT, r.stream.read_buf(&mut r.buf))
                .await
                .expect("payload in time")
                .expect("read");
            assert!(got > 0, "connection closed inside a message");
        }
        let payload: Vec<u8> = r.buf.drain(..n + 2).take(n).collect();
        return (parts[0].to_string(), payload);
    }
}

/// The next message as JSON.
pub async fn raw_json(r: &mut Raw) -> (String, Value) {
    let (s, p) = raw_msg(r).await;
    let v = serde_json::from_slice(&p).unwrap_or_else(|e| panic!("{s}: not JSON ({e})"));
    (s, v)
}

/// A raw connection logged in with `connect` (JSON) that has completed a PING/PONG round trip.
pub async fn raw_login(addr: SocketAddr, connect: &str) -> Raw {
    let (mut r, _) = Raw::connect_to_info(addr).await;
    r.send(format!("CONNECT {connect}\r\nPING\r\n").as_bytes())
        .await;
    r.expect(b"PONG\r\n").await;
    r
}

/// Subscribe a raw connection and make sure the subscription is in place.
pub async fn raw_sub(r: &mut Raw, subject: &str, sid: u32) {
    r.send(format!("SUB {subject} {sid}\r\nPING\r\n").as_bytes())
        .await;
    r.expect(b"PONG\r\n").await;
}

/// Nothing more arrives on a raw connection within `QUIET` (a PING still gets its PONG).
pub async fn raw_quiet(r: &mut Raw) {
    let got = r.drain_for(QUIET).await;
    assert!(
        got.is_empty(),
        "unexpected: {:?}",
        String::from_utf8_lossy(&got)
    );
}

pub const SYS_LOGIN: &str = r#"{"verbose":false,"pedantic":false,"user":"sys","pass":"sys"}"#;
