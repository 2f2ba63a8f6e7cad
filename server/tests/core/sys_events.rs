//! Events in the system account (Go's `events_test.go`): connect and disconnect events with the
//! client's details and traffic, the account connection counts beside them and their heartbeat,
//! auth error events, statsz heartbeats and their rate limit, lame duck and shutdown; and the same
//! events' JSON keys as the Go server sends them.

use std::time::Duration;

use serde_json::Value;

use crate::support::*;
use crate::sys_common::*;

fn str_of<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("")
}

fn int_of(v: &Value, path: &str) -> i64 {
    v.pointer(path).and_then(Value::as_i64).unwrap_or(-1)
}

/// Two messages, connect/disconnect event and connection count, in either order.
async fn event_and_conns(sys: &mut Raw, event: &str) -> (Value, Value) {
    let (s1, v1) = raw_json(sys).await;
    let (s2, v2) = raw_json(sys).await;
    let (ev, conns) = if s1 == "$SYS.ACCOUNT.A.SERVER.CONNS" {
        ((s2, v2), (s1, v1))
    } else {
        ((s1, v1), (s2, v2))
    };
    assert_eq!(conns.0, "$SYS.ACCOUNT.A.SERVER.CONNS");
    assert_eq!(ev.0, format!("$SYS.ACCOUNT.A.{event}"));
    (ev.1, conns.1)
}

// go: server/TestSystemAccountNewConnection
#[tokio::test]
async fn connect_and_disconnect_events_carry_the_client_and_its_traffic() {
    let (h, _d) = start_rust(CONF).await;
    let mut sys = raw_login(h.addr(), SYS_LOGIN).await;
    raw_sub(&mut sys, "$SYS.ACCOUNT.A.>", 1).await;

    let mut a = raw_login(
        h.addr(),
        r#"{"verbose":false,"pedantic":false,"user":"a","pass":"a","name":"TEST EVENTS","lang":"go","version":"1.2"}"#,
    )
    .await;
    let (cem, conns) = event_and_conns(&mut sys, "CONNECT").await;
    assert_eq!(str_of(&conns, "/acc"), "A");
    assert_eq!(int_of(&conns, "/conns"), 1);
    assert_eq!(int_of(&conns, "/total_conns"), 1);
    assert_eq!(int_of(&conns, "/leafnodes"), 0);
    assert_eq!(
        str_of(&conns, "/type"),
        "io.nats.server.advisory.v1.account_connections"
    );
    assert_eq!(
        str_of(&cem, "/type"),
        "io.nats.server.advisory.v1.client_connect"
    );
    assert!(str_of(&cem, "/timestamp").ends_with('Z'));
    assert_eq!(str_of(&cem, "/id").len(), 22);
    assert_eq!(str_of(&cem, "/server/id"), h.shared.id);
    assert!(int_of(&cem, "/server/seq") > 0);
    assert_eq!(str_of(&cem, "/client/name"), "TEST EVENTS");
    assert_eq!(str_of(&cem, "/client/lang"), "go");
    assert_eq!(str_of(&cem, "/client/ver"), "1.2");
    assert_eq!(str_of(&cem, "/client/acc"), "A");
    assert_eq!(str_of(&cem, "/client/user"), "a");

    // Ten 11-byte messages published and each received twice.
    a.send(b"SUB foo 1\r\nSUB * 2\r\n").await;
    for _ in 0..10 {
        a.send(b"PUB foo 11\r\nHELLO WORLD\r\n").await;
    }
    a.send(b"PING\r\n").await;
    let mut seen = 0;
    while seen < 20 {
        let (subject, payload) = raw_msg(&mut a).await;
        assert_eq!(
            (subject.as_str(), payload.as_slice()),
            ("foo", &b"HELLO WORLD"[..])
        );
        seen += 1;
    }
    drop(a);

    let (dem, conns) = event_and_conns(&mut sys, "DISCONNECT").await;
    assert_eq!(int_of(&conns, "/conns"), 0);
    assert_eq!(int_of(&conns, "/total_conns"), 0);
    assert_eq!(
        str_of(&dem, "/type"),
        "io.nats.server.advisory.v1.client_disconnect"
    );
    assert_eq!(str_of(&dem, "/id").len(), 22);
    assert_eq!(str_of(&dem, "/server/id"), h.shared.id);
    assert!(int_of(&dem, "/server/seq") > int_of(&cem, "/server/seq"));
    assert_eq!(str_of(&dem, "/client/lang"), "go");
    assert_eq!(int_of(&dem, "/sent/msgs"), 10);
    assert_eq!(int_of(&dem, "/sent/bytes"), 110);
    assert_eq!(int_of(&dem, "/received/msgs"), 20);
    assert_eq!(int_of(&dem, "/received/bytes"), 220);
    assert_eq!(str_of(&dem, "/reason"), "Client Closed");
    assert!(str_of(&dem, "/client/stop").ends_with('Z'));
    h.shutdown().await;
}

async fn bad_login_event(queue: bool) {
    let (h, _d) = start_rust(CONF).await;
    let mut sys = raw_login(h.addr(), SYS_LOGIN).await;
    let sub = if queue {
        "$SYS.SERVER.*.CLIENT.AUTH.ERR queue"
    } else {
        "$SYS.SERVER.*.CLIENT.AUTH.ERR"
    };
    raw_sub(&mut sys, sub, 1).await;
    let mut bad = Raw::connect_to_info(h.addr()).await.0;
    bad.send(br#"CONNECT {"verbose":false,"name":"TEST BAD LOGIN"}"#)
        .await;
    bad.send(b"\r\n").await;
    bad.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    let (subject, dem) = raw_json(&mut sys).await;
    assert_eq!(
        subject,
        format!("$SYS.SERVER.{}.CLIENT.AUTH.ERR", h.shared.id)
    );
    assert_eq!(str_of(&dem, "/reason"), "Authentication Failure");
    assert_eq!(str_of(&dem, "/client/name"), "TEST BAD LOGIN");
    assert_eq!(str_of(&dem, "/client/acc"), "$G");
    h.shutdown().await;
}

// go: server/TestSystemAccountDisconnectBadLogin
#[tokio::test]
async fn a_bad_login_publishes_an_auth_error_event() {
    bad_login_event(false).await;
}

// go: server/TestServerEventsReceivedByQSubs
#[tokio::test]
async fn auth_error_events_reach_queue_subscribers() {
    bad_login_event(true).await;
}

#[tokio::test]
async fn a_failed_login_is_reported_in_the_clients_own_account_too() {
    let conf = "accounts {\n  SYS { users [{user: sys, password: sys}] }\n}\nsystem_account: SYS\nauthorization { users [{user: g, password: g}] }\n";
    let (h, _d) = start_rust(conf).await;
    let mut g = raw_login(
        h.addr(),
        r#"{"verbose":false,"pedantic":false,"user":"g","pass":"g"}"#,
    )
    .await;
    raw_sub(&mut g, "$SYS.ACCOUNT.CLIENT.AUTH.ERR", 1).await;
    let mut bad = Raw::connect_to_info(h.addr()).await.0;
    bad.send(b"CONNECT {\"user\":\"g\",\"pass\":\"wrong\"}\r\n")
        .await;
    bad.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    let (_, ev) = raw_json(&mut g).await;
    assert_eq!(str_of(&ev, "/reason"), "Authentication Failure");
    assert_eq!(str_of(&ev, "/client/user"), "g");
    assert_eq!(str_of(&ev, "/client/acc"), "$G");
    h.shutdown().await;
}

#[tokio::test]
async fn global_account_clients_get_connect_and_disconnect_events_but_no_counts() {
    let conf = "accounts {\n  SYS { users [{user: sys, password: sys}] }\n}\nsystem_account: SYS\nauthorization { users [{user: g, password: g}] }\n";
    let (h, _d) = start_rust(conf).await;
    let mut sys = raw_login(h.addr(), SYS_LOGIN).await;
    raw_sub(&mut sys, "$SYS.ACCOUNT.$G.>", 1).await;
    raw_sub(&mut sys, "$SYS.SERVER.ACCOUNT.*.CONNS", 2).await;
    let g = raw_login(
        h.addr(),
        r#"{"verbose":false,"pedantic":false,"user":"g","pass":"g"}"#,
    )
    .await;
    let (subject, ev) = raw_json(&mut sys).await;
    assert_eq!(subject, "$SYS.ACCOUNT.$G.CONNECT");
    assert_eq!(str_of(&ev, "/client/acc"), "$G");
    drop(g);
    let (subject, _) = raw_json(&mut sys).await;
    assert_eq!(subject, "$SYS.ACCOUNT.$G.DISCONNECT");
    raw_quiet(&mut sys).await;
    h.shutdown().await;
}

#[tokio::test]
async fn account_connection_counts_repeat_until_no_connection_is_left() {
    let (h, _d) = start_rust(CONF).await;
    let sysx = server::sys::of(&h.shared).expect("system services");
    sysx.set_hb_interval(Duration::from_millis(100));
    let mut sys = raw_login(h.addr(), SYS_LOGIN).await;
    raw_sub(&mut sys, "$SYS.ACCOUNT.A.SERVER.CONNS", 1).await;
    let login = r#"{"verbose":false,"pedantic":false,"user":"a","pass":"a"}"#;
    let mut clients = Vec::new();
    for n in 1..=4 {
        clients.push(raw_login(h.addr(), login).await);
        let (_, v) = raw_json(&mut sys).await;
        assert_eq!(int_of(&v, "/conns"), n);
    }
    // With connections, the count repeats on the heartbeat.
    let (_, v) = raw_json(&mut sys).await;
    assert_eq!(int_of(&v, "/conns"), 4);
    for (i, c) in clients.into_iter().enumerate() {
        drop(c);
        // Heartbeats may come between: read until the count drops.
        loop {
            let (_, v) = raw_json(&mut sys).await;
            if int_of(&v, "/conns") == 3 - i as i64 {
                break;
            }
        }
    }
    // At zero the heartbeat stops.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = sys.drain_for(Duration::from_millis(10)).await;
    raw_quiet(&mut sys).await;
    h.shutdown().await;
}

// go: server/TestServerEventsStatszSingleServer
#[tokio::test]
async fn statsz_heartbeat_reaches_a_subscriber() {
    let conf = "accounts { $SYS { users [{user: \"admin\", password: \"p1d\"}]} }\n";
    let (h, _d) = start_rust(conf).await;
    let mut sys = raw_login(
        h.addr(),
        r#"{"verbose":false,"pedantic":false,"user":"admin","pass":"p1d"}"#,
    )
    .await;
    raw_sub(&mut sys, "$SYS.SERVER.*.STATSZ", 1).await;
    let (subject, v) = raw_json(&mut sys).await;
    assert_eq!(subject, format!("$SYS.SERVER.{}.STATSZ", h.shared.id));
    assert_eq!(str_of(&v, "/server/id"), h.shared.id);
    assert_eq!(int_of(&v, "/statsz/connections"), 1);
    h.shutdown().await;
}

// go: server/TestServerEventsStatsZForcedBroadcastNotRateLimited
#[tokio::test]
async fn a_statsz_request_without_reply_broadcasts_despite_the_rate_limit() {
    let (h, _d) = start_rust(CONF).await;
    let sysx = server::sys::of(&h.shared).expect("system services");
    // No heartbeat in the way.
    sysx.set_statsz_interval(Duration::from_secs(3600));
    let mut sys = raw_login(h.addr(), SYS_LOGIN).await;
    let subject = format!("$SYS.SERVER.{}.STATSZ", h.shared.id);
    raw_sub(&mut sys, &subject, 1).await;
    let _ = sys.drain_for(Duration::from_millis(600)).await;
    // Two forced broadcasts within the rate-limit window: both go out.
    for _ in 0..2 {
        sys.send(b"PUB $SYS.REQ.SERVER.PING.STATSZ 0\r\n\r\n").await;
        let (s, v) = raw_json(&mut sys).await;
        assert_eq!(s, subject);
        assert_eq!(str_of(&v, "/server/id"), h.shared.id);
        assert_eq!(int_of(&v, "/statsz/connections"), 1);
    }
    h.shutdown().await;
}

#[tokio::test]
async fn shutdown_and_lame_duck_are_announced() {
    let (h, _d) = start_rust(CONF).await;
    let mut sys = raw_login(h.addr(), SYS_LOGIN).await;
    raw_sub(&mut sys, "$SYS.SERVER.*.SHUTDOWN", 1).await;
    h.shared.shutdown().await;
    let (subject, v) = raw_json(&mut sys).await;
    assert_eq!(subject, format!("$SYS.SERVER.{}.SHUTDOWN", h.shared.id));
    assert_eq!(str_of(&v, "/id"), h.shared.id);
    assert!(int_of(&v, "/seq") > 0);

    let (h, _d) = start_rust(CONF).await;
    let mut sys = raw_login(h.addr(), SYS_LOGIN).await;
    raw_sub(&mut sys, "$SYS.SERVER.*.LAMEDUCK", 1).await;
    let ldm = h.lame_duck();
    let (subject, v) = raw_json(&mut sys).await;
    assert_eq!(subject, format!("$SYS.SERVER.{}.LAMEDUCK", h.shared.id));
    assert_eq!(str_of(&v, "/name"), h.shared.name);
    ldm.abort();
    h.shutdown().await;
}

/// The events' keys as the Go server sends them.
#[tokio::test]
async fn events_have_go_keys() {
    async fn collect(addr: std::net::SocketAddr) -> Vec<(String, Value)> {
        let mut sys = raw_login(addr, SYS_LOGIN).await;
        raw_sub(&mut sys, "$SYS.ACCOUNT.A.>", 1).await;
        raw_sub(&mut sys, "$SYS.SERVER.*.CLIENT.AUTH.ERR", 2).await;
        let mut a = raw_login(
            addr,
            r#"{"verbose":false,"pedantic":false,"user":"a","pass":"a","name":"n","lang":"l","version":"1"}"#,
        )
        .await;
        a.send(b"SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n").await;
        let _ = raw_msg(&mut a).await;
        let mut out = Vec::new();
        for _ in 0..2 {
            out.push(raw_json(&mut sys).await);
        }
        drop(a);
        for _ in 0..2 {
            out.push(raw_json(&mut sys).await);
        }
        let mut bad = Raw::connect_to_info(addr).await.0;
        bad.send(b"CONNECT {\"user\":\"a\",\"pass\":\"x\",\"lang\":\"l\"}\r\n")
            .await;
        out.push(raw_json(&mut sys).await);
        out.sort_by(|x, y| x.0.cmp(&y.0));
        out
    }
    let (h, _d1) = start_rust(CONF).await;
    let (g, _d2) = start_go(CONF).await;
    let rust = collect(h.addr()).await;
    let go = collect(g.client).await;
    let names = |v: &[(String, Value)]| -> Vec<String> {
        v.iter()
            .map(|(s, _)| s.replace(&h.shared.id, "<id>"))
            .collect()
    };
    let go_names: Vec<String> = go
        .iter()
        .map(|(s, v)| s.replace(str_of(v, "/server/id"), "<id>"))
        .collect();
    assert_eq!(names(&rust), go_names);
    for ((s, r), (_, gv)) in rust.iter().zip(&go) {
        assert_same_keys(s, gv, r, &[]);
    }
    h.shutdown().await;
}

const SYS_ONLY: &str = "accounts {\n  $SYS { users [{user: \"admin\", password: \"pwd\"}] }\n}\n";

// go: server/TestServerEventsConnectDisconnectForGlobalAcc
#[tokio::test]
async fn clients_without_credentials_land_in_the_global_account_with_events() {
    let (h, _d) = start_rust(SYS_ONLY).await;
    let mut sys = raw_login(
        h.addr(),
        r#"{"verbose":false,"pedantic":false,"user":"admin","pass":"pwd"}"#,
    )
    .await;
    raw_sub(&mut sys, "$SYS.ACCOUNT.$G.CONNECT", 1).await;
    raw_sub(&mut sys, "$SYS.ACCOUNT.$G.DISCONNECT", 2).await;
    let g = raw_login(h.addr(), r#"{"verbose":false,"pedantic":false}"#).await;
    let (subject, _) = raw_json(&mut sys).await;
    assert_eq!(subject, "$SYS.ACCOUNT.$G.CONNECT");
    drop(g);
    let (subject, _) = raw_json(&mut sys).await;
    assert_eq!(subject, "$SYS.ACCOUNT.$G.DISCONNECT");
    h.shutdown().await;
}

// go: server/TestSystemAccountNoAuthUser
#[tokio::test]
async fn system_account_users_alone_keep_the_global_account_open() {
    let (h, _d) = start_rust(SYS_ONLY).await;
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "valid user/pwd",
            r#""user":"admin","pass":"pwd""#,
            Some("$SYS"),
        ),
        ("invalid pwd", r#""user":"admin","pass":"wrong""#, None),
        ("some token", r#""auth_token":"sometoken""#, None),
        ("user used without pwd", r#""auth_token":"admin""#, None),
        (
            "user with empty password",
            r#""user":"admin","pass":"""#,
            None,
        ),
        ("no user means global account", "", Some("$G")),
    ];
    for (what, creds, account) in cases {
        let sep = if creds.is_empty() { "" } else { "," };
        let connect = format!(r#"{{"verbose":false,"pedantic":false{sep}{creds}}}"#);
        let (mut r, _) = Raw::connect_to_info(h.addr()).await;
        r.send(format!("CONNECT {connect}\r\nPING\r\n").as_bytes())
            .await;
        match account {
            Some(acc) => {
                r.expect(b"PONG\r\n").await;
                let got: Vec<String> = h
                    .shared
                    .clients_snapshot()
                    .iter()
                    .filter_map(|c| c.account().map(|a| a.name.clone()))
                    .collect();
                assert_eq!(got, [acc.to_string()], "{what}");
                drop(r);
                wait_for("client gone", || h.num_clients() == 0).await;
            }
            None => {
                r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
                    .await;
                wait_for("client gone", || h.num_clients() == 0).await;
            }
        }
    }
    h.shutdown().await;
}
