//! Limits from user and account JWTs against the server's own: source networks and connect time
//! ranges of a user, and the server's max_subs / max_payload overriding larger account limits.

use serde_json::{json, Value};

use crate::jwt_common::*;

/// `HH:MM:SS` (UTC) of now plus `secs`.
fn hms(secs: i64) -> String {
    let t = (now() + secs).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// Go's `newTimeRange(start, dur)` with start `from` seconds from now (UTC).
fn range(from: i64, dur: i64) -> Value {
    json!({"start": hms(from), "end": hms(from + dur)})
}

// go: server/TestJWTUserLimits
#[tokio::test]
async fn user_source_networks_and_connect_times() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    const HOUR: i64 = 3600;
    // "Now" ranges start a second back so the current second is inside.
    let cases: Vec<(bool, Value)> = vec![
        (true, json!({})),
        (false, json!({"src": ["8.8.8.8/8"]})),
        (true, json!({"src": ["8.8.8.8/0"]})),
        (true, json!({"src": ["127.0.0.1/8"]})),
        (true, json!({"src": ["8.8.8.8/8", "127.0.0.1/8"]})),
        (false, json!({"src": ["8.8.8.8/8", "9.9.9.9/8"]})),
        (true, json!({"times": [range(-1, HOUR)]})),
        (false, json!({"times": [range(HOUR, HOUR)]})),
        (true, json!({"times": [range(HOUR, HOUR), range(-1, HOUR)]})),
        (
            false,
            json!({"times": [range(HOUR, HOUR), range(2 * HOUR, HOUR)]}),
        ),
        (
            false,
            json!({"times": [range(HOUR, 3 * HOUR), range(2 * HOUR, 2 * HOUR)]}),
        ),
        (
            false,
            json!({"times": [range(HOUR, 3 * HOUR), range(2 * HOUR, HOUR)]}),
        ),
        // The end on the next day, before the start.
        (true, json!({"times": [range(-1, 25 * HOUR)]})),
        (true, json!({"times": [range(-1, -HOUR)]})),
    ];
    for (pass, mut limits) in cases {
        if limits.get("times").is_some() {
            limits["times_location"] = json!("UTC");
        }
        let (u, ujwt) = s.user(limits.clone());
        let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
        if pass {
            r.expect(b"+OK\r\nPONG\r\n").await;
        } else {
            r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
                .await;
        }
    }
    h.shutdown().await;
}

#[tokio::test]
async fn connect_time_range_end_closes_the_client() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({"times": [range(-1, 3)], "times_location": "UTC"}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    let line = tokio::time::timeout(std::time::Duration::from_secs(6), async {
        loop {
            let l = r.read_line().await;
            if l != "PING\r\n" {
                return l;
            }
        }
    })
    .await
    .expect("the range ends");
    assert_eq!(line, "-ERR 'User Authentication Expired'\r\n");
    h.shutdown().await;
}

// go: server/TestJWTAccountLimitsSubsButServerOverrides
#[tokio::test]
async fn server_max_subs_overrides_a_larger_account_limit() {
    let s = OpSetup::new(json!({"limits": {"subs": 10}}));
    let h = start_conf(&s.conf(&[], "max_subscriptions: 2")).await;
    let (u, ujwt) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"SUB foo 1\r\nSUB bar 2\r\nSUB baz 3\r\n").await;
    r.expect(b"+OK\r\n+OK\r\n-ERR 'maximum subscriptions exceeded'\r\n")
        .await;
    h.shutdown().await;
}

// go: server/TestJWTAccountLimitsMaxPayloadButServerOverrides
#[tokio::test]
async fn server_max_payload_overrides_a_larger_account_limit() {
    let s = OpSetup::new(json!({"limits": {"payload": 8}}));
    let h = start_conf(&s.conf(&[], "max_payload: 4")).await;
    let (u, ujwt) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"PUB foo 6\r\nXXXXXX\r\n").await;
    r.expect_close_after(b"-ERR 'Maximum Payload Violation'\r\n")
        .await;
    h.shutdown().await;
}

#[tokio::test]
async fn user_payload_and_subscription_limits() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({"subs": 1, "payload": 3}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"SUB a 1\r\nSUB b 2\r\nPUB a 3\r\nabc\r\n").await;
    r.expect(b"+OK\r\n-ERR 'maximum subscriptions exceeded'\r\n+OK\r\nMSG a 1 3\r\nabc\r\n")
        .await;
    r.send(b"PUB a 4\r\nabcd\r\n").await;
    r.expect_close_after(b"-ERR 'Maximum Payload Violation'\r\n")
        .await;
    h.shutdown().await;
}
