//! Helpers shared by the ported monitoring tests: a server with monitoring on, JSON GETs, the Go tests'
//! "subscribe, publish, receive, unsubscribe" client, and parsers for the times and durations in the JSON.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use server::{Options, ServerHandle};

use crate::support::*;

pub fn mon_opts() -> Options {
    Options {
        http_port: -1,
        ..Options::for_test()
    }
}

pub async fn mon_server() -> (ServerHandle, SocketAddr) {
    let h = start(mon_opts()).await;
    let m = h.monitor_addr().expect("monitoring listener");
    (h, m)
}

/// `http_get` with a chunked body (the Go server chunks large answers) put back together.
pub async fn get(m: SocketAddr, path: &str) -> (u16, Vec<String>, String) {
    let (status, headers, body) = http_get(m, path).await;
    if !headers.iter().any(|h| h == "transfer-encoding: chunked") {
        return (status, headers, body);
    }
    let mut out = String::new();
    let mut rest = body.as_str();
    for _ in 0..body.len() + 1 {
        let (size, after) = rest.split_once("\r\n").expect("chunk size line");
        let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    (status, headers, out)
}

/// GET `path`, expect 200 and a JSON body.
pub async fn get_json(m: SocketAddr, path: &str) -> Value {
    let (status, _, body) = get(m, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: bad JSON ({e}): {body}"))
}

/// The `connections` array of a /connz answer.
pub fn conns(v: &Value) -> Vec<Value> {
    v["connections"].as_array().cloned().unwrap_or_default()
}

/// The next line that is not a server PING (each PING is answered, as a client library does).
pub async fn next_line(r: &mut Raw) -> String {
    for _ in 0..16 {
        let l = r.read_line().await;
        if l != "PING\r\n" {
            return l;
        }
        r.send(b"PONG\r\n").await;
    }
    panic!("only PINGs from the server");
}

/// Expect these lines next, server PINGs aside.
pub async fn expect_lines(r: &mut Raw, lines: &[&str]) {
    for want in lines {
        assert_eq!(next_line(r).await, format!("{want}\r\n"));
    }
}

/// A round trip that tolerates server PINGs before our PONG.
pub async fn sync(r: &mut Raw) {
    r.send(b"PING\r\n").await;
    expect_lines(r, &["PONG"]).await;
}

/// Go's createClientConnSubscribeAndPublish: one message in and out (5 bytes), no subscription left.
pub async fn sub_pub_client(h: &ServerHandle) -> Raw {
    let mut r = Raw::connected(h, r#"{"verbose":false,"pedantic":false}"#).await;
    r.send(b"SUB _INBOX.mon 1\r\nPUB _INBOX.mon 5\r\nHello\r\nUNSUB 1\r\nPING\r\n")
        .await;
    expect_lines(&mut r, &["MSG _INBOX.mon 1 5", "Hello", "PONG"]).await;
    r
}

/// A client that sent a name in CONNECT and completed a round trip.
pub async fn named_client(h: &ServerHandle, name: &str) -> Raw {
    let mut r = Raw::connected(h, &format!(r#"{{"verbose":false,"name":"{name}"}}"#)).await;
    sync(&mut r).await;
    r
}

/// Wait until the closed-connections ring reports `n` entries.
pub async fn wait_closed(m: SocketAddr, n: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let v = get_json(m, "/connz?state=closed").await;
        if v["total"].as_u64() == Some(n as u64) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} closed connections, have {}",
            v["total"]
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Nanoseconds since the epoch of an RFC 3339 UTC time as the monitor writes it (`...Z`).
pub fn ts_nanos(s: &str) -> i128 {
    let s = s
        .strip_suffix('Z')
        .unwrap_or_else(|| panic!("not UTC: {s}"));
    let (date, time) = s.split_once('T').expect("T");
    let d: Vec<i64> = date.split('-').map(|x| x.parse().expect("date")).collect();
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let t: Vec<i64> = hms.split(':').map(|x| x.parse().expect("time")).collect();
    // Days from civil (proleptic Gregorian).
    let (y, mo, da) = (d[0] - i64::from(d[1] <= 2), d[1], d[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2];
    let nanos: i128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().expect("fraction")
    };
    secs as i128 * 1_000_000_000 + nanos
}

/// Nanoseconds of a Go duration string (`1h2m3s`, `1.5ms`, `250µs`, `0s`).
pub fn go_dur_nanos(s: &str) -> f64 {
    let mut total = 0.0;
    let mut rest = s;
    assert!(!rest.is_empty(), "empty duration");
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or_else(|| panic!("no unit in {s:?}"));
        let val: f64 = rest[..n]
            .parse()
            .unwrap_or_else(|_| panic!("bad number in {s:?}"));
        rest = &rest[n..];
        let (unit, len) = [
            ("ns", 1.0),
            ("us", 1e3),
            ("µs", 1e3),
            ("ms", 1e6),
            ("s", 1e9),
            ("m", 60e9),
            ("h", 3600e9),
        ]
        .iter()
        .filter(|(u, _)| rest.starts_with(u))
        .map(|(u, f)| (*f, u.len()))
        .max_by_key(|(_, l)| *l)
        .unwrap_or_else(|| panic!("bad unit in {s:?}"));
        total += val * unit;
        rest = &rest[len..];
    }
    total
}

#[test]
fn parsers_read_go_forms() {
    assert_eq!(ts_nanos("1970-01-01T00:00:01.5Z"), 1_500_000_000);
    assert_eq!(
        ts_nanos("2023-11-14T22:13:20.87819299Z"),
        1_700_000_000_878_192_990
    );
    assert_eq!(go_dur_nanos("1m2s"), 62e9);
    assert_eq!(go_dur_nanos("1.5ms"), 1.5e6);
    assert_eq!(go_dur_nanos("250µs"), 250e3);
    assert_eq!(go_dur_nanos("0s"), 0.0);
}
