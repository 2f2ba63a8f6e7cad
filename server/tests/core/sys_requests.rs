//! What `$SYS.REQ` requests answer (Go's `events_test.go`): a normal account sees only its own
//! connections, user info with permissions, account statistics and subscriptions, request filters,
//! and the gated server operations (reload, lame duck a client, kick a client).

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

use crate::sys_common::*;

fn conns(v: &Value) -> Vec<u64> {
    v["data"]["connections"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["cid"].as_u64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_normal_account_sees_only_its_own_connections() {
    let (h, _d) = start_rust(CONF).await;
    let sys = client(h.addr(), "sys", "sys").await;
    let a1 = client(h.addr(), "a", "a").await;
    let a2 = client(h.addr(), "a", "a").await;
    let a_cids = [a1.server_info().client_id, a2.server_info().client_id];
    for subject in ["$SYS.REQ.SERVER.PING.CONNZ", "$SYS.REQ.ACCOUNT.PING.CONNZ"] {
        let v = ask(&a1, subject, "").await;
        let mut got = conns(&v);
        got.sort();
        assert_eq!(got, a_cids, "{subject}: {v}");
        assert_eq!(v["data"]["total"], 2);
        assert_eq!(v["data"]["server_id"], h.shared.id.as_str());
    }
    // Paging applies within the account.
    let v = ask(
        &a1,
        "$SYS.REQ.SERVER.PING.CONNZ",
        r#"{"limit":1,"offset":1}"#,
    )
    .await;
    assert_eq!(conns(&v), [a_cids[1]]);
    assert_eq!(v["data"]["total"], 2);
    assert_eq!(v["data"]["limit"], 1);
    assert_eq!(v["data"]["offset"], 1);
    // The system account user sees every connection on the server.
    let v = ask(&sys, "$SYS.REQ.SERVER.PING.CONNZ", "").await;
    assert_eq!(v["data"]["total"], 3);
    // And the account's connections by name.
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.A.CONNZ", "").await;
    assert_eq!(v["data"]["total"], 2);
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.SYS.CONNZ", "").await;
    assert_eq!(conns(&v), [sys.server_info().client_id]);
    h.shutdown().await;
}

#[tokio::test]
async fn user_info_names_the_user_account_and_permissions() {
    let conf = "accounts {\n  SYS { users [{user: sys, password: sys}] }\n  A { users [{user: a, password: a, permissions: {publish: {allow: [\"$SYS.REQ.USER.INFO\", \"foo.>\"], deny: [\"foo.bar\"]}, subscribe: {allow: \"_INBOX.>\"}}}] }\n}\nsystem_account: SYS\n";
    let (h, _d) = start_rust(conf).await;
    let a = client(h.addr(), "a", "a").await;
    let v = ask(&a, "$SYS.REQ.USER.INFO", "").await;
    assert_eq!(v["data"]["user"], "a");
    assert_eq!(v["data"]["account"], "A");
    assert_eq!(v["data"]["account_name"], "A");
    let p = &v["data"]["permissions"];
    assert_eq!(
        p["publish"]["allow"],
        serde_json::json!(["$SYS.REQ.USER.INFO", "foo.>"])
    );
    assert_eq!(p["publish"]["deny"], serde_json::json!(["foo.bar"]));
    assert_eq!(p["subscribe"]["allow"], serde_json::json!(["_INBOX.>"]));
    assert!(v.get("error").is_none());
    let sys = client(h.addr(), "sys", "sys").await;
    let v = ask(&sys, "$SYS.REQ.USER.INFO", "").await;
    assert_eq!(
        v["data"],
        serde_json::json!({"user": "sys", "account": "SYS", "account_name": "SYS"})
    );
    h.shutdown().await;
}

#[tokio::test]
async fn account_statistics_and_subscriptions_by_request() {
    let conf = "accounts {\n  SYS { users [{user: sys, password: sys}] }\n  A { users [{user: a, password: a}] }\n  UNUSED {}\n}\nsystem_account: SYS\n";
    let (h, _d) = start_rust(conf).await;
    let sys = client(h.addr(), "sys", "sys").await;
    let a = client(h.addr(), "a", "a").await;
    let before = ask(&sys, "$SYS.REQ.ACCOUNT.A.SUBSZ", "").await["data"]["num_subscriptions"]
        .as_u64()
        .unwrap();
    let _s = a.subscribe("foo").await.unwrap();
    a.flush().await.unwrap();
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.A.SUBSZ", "").await;
    assert_eq!(v["data"]["num_subscriptions"].as_u64(), Some(before + 1));
    let list = v["data"]["subscriptions_list"].as_array().unwrap();
    assert!(list.iter().any(|s| s["subject"] == "foo"), "{v}");

    let v = ask(&sys, "$SYS.REQ.ACCOUNT.A.STATZ", "").await;
    let st = &v["data"]["account_statz"][0];
    assert_eq!(
        (st["acc"].as_str(), st["conns"].as_i64()),
        (Some("A"), Some(1))
    );
    assert_eq!(st["total_conns"], 1);
    assert_eq!(st["slow_consumers"], 0);
    // Every account with connections answers the ping; a filter narrows it.
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.PING.STATZ", "").await;
    let accs: Vec<&str> = v["data"]["account_statz"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["acc"].as_str())
        .collect();
    assert_eq!(accs, ["A", "SYS"]);
    let v = ask(
        &sys,
        "$SYS.REQ.ACCOUNT.PING.STATZ",
        r#"{"accounts":["SYS"]}"#,
    )
    .await;
    assert_eq!(v["data"]["account_statz"][0]["acc"], "SYS");
    assert_eq!(v["data"]["account_statz"].as_array().unwrap().len(), 1);
    // An account without connections answers only when unused ones are asked for.
    assert!(unanswered(&sys, "$SYS.REQ.ACCOUNT.UNUSED.STATZ", "").await);
    assert!(
        unanswered(
            &sys,
            "$SYS.REQ.ACCOUNT.PING.STATZ",
            r#"{"accounts":["UNUSED"]}"#
        )
        .await
    );
    let v = ask(
        &sys,
        "$SYS.REQ.ACCOUNT.UNUSED.STATZ",
        r#"{"accounts":["UNUSED"],"include_unused":true}"#,
    )
    .await;
    assert_eq!(v["data"]["account_statz"][0]["conns"], 0);
    assert_eq!(v["data"]["account_statz"][0]["acc"], "UNUSED");
    // From inside the account, the ping is about the account itself.
    let v = ask(&a, "$SYS.REQ.ACCOUNT.PING.STATZ", "").await;
    assert_eq!(v["data"]["account_statz"][0]["acc"], "A");
    assert_eq!(v["data"]["account_statz"].as_array().unwrap().len(), 1);
    // Connection counts on request, only for accounts with connections.
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.A.CONNS", "").await;
    assert_eq!(
        (v["acc"].as_str(), v["conns"].as_i64()),
        (Some("A"), Some(1))
    );
    assert!(unanswered(&sys, "$SYS.REQ.ACCOUNT.UNUSED.CONNS", "").await);
    assert!(unanswered(&sys, "$SYS.REQ.ACCOUNT.A.CONNS", r#"{"acc":"B"}"#).await);
    h.shutdown().await;
}

#[tokio::test]
async fn account_info_lists_exports_and_imports() {
    let conf = "accounts {\n  SYS { users [{user: sys, password: sys}] }\n  E { exports [{service: \"req.*\"}] }\n  I { imports [{service: {account: E, subject: \"req.1\"}}] }\n}\nsystem_account: SYS\n";
    let (h, _d) = start_rust(conf).await;
    let sys = client(h.addr(), "sys", "sys").await;
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.E.INFO", "").await;
    let d = &v["data"];
    assert_eq!(d["account_name"], "E");
    assert_eq!(
        d["exports"],
        serde_json::json!([{"subject": "req.*", "type": "service", "response_type": "Singleton"}])
    );
    // The four system imports every account has.
    assert_eq!(d["imports"].as_array().unwrap().len(), 4);
    assert_eq!(d["subscriptions"], 4);
    assert_eq!(
        (d["complete"].as_bool(), d["expired"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(d["client_connections"], 0);
    assert_eq!(d["jetstream_enabled"], false);
    assert_eq!(v["server"]["name"], h.shared.name.as_str());
    assert!(v["server"]["seq"].as_u64() >= Some(1));
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.I.INFO", "").await;
    let imports = v["data"]["imports"].as_array().unwrap();
    assert_eq!(imports.len(), 5);
    let own = imports
        .iter()
        .find(|i| i["subject"] == "req.1")
        .expect("req.1 import");
    assert_eq!(
        (own["account"].as_str(), own["type"].as_str()),
        (Some("E"), Some("service"))
    );
    assert_eq!(v["data"]["subscriptions"], 5);
    let v = ask(&sys, "$SYS.REQ.ACCOUNT.SYS.INFO", "").await;
    assert_eq!(v["data"]["is_system"], true);
    h.shutdown().await;
}

// go: server/TestSubszPagination
#[tokio::test]
async fn account_subscriptions_page_and_filter() {
    let (h, _d) = start_rust(CONF).await;
    let sys = client(h.addr(), "sys", "sys").await;
    let a = client(h.addr(), "a", "a").await;
    let mut subs = Vec::new();
    for i in 0..100 {
        subs.push(a.subscribe(format!("foo.{i}")).await.unwrap());
    }
    a.flush().await.unwrap();
    let v = ask(
        &sys,
        "$SYS.REQ.ACCOUNT.A.SUBSZ",
        r#"{"subscriptions":true,"limit":10}"#,
    )
    .await;
    assert_eq!(
        v["data"]["subscriptions_list"].as_array().unwrap().len(),
        10
    );
    let total = v["data"]["total"].as_u64().unwrap();
    assert!((100..=110).contains(&total), "total {total}");
    for _ in 0..10 {
        subs.push(a.subscribe("bar.*").await.unwrap());
    }
    a.flush().await.unwrap();
    let v = ask(
        &sys,
        "$SYS.REQ.ACCOUNT.A.SUBSZ",
        r#"{"subscriptions":true,"limit":5,"test":"bar.A"}"#,
    )
    .await;
    assert_eq!(v["data"]["subscriptions_list"].as_array().unwrap().len(), 5);
    assert_eq!(v["data"]["total"], 10);
    h.shutdown().await;
}

// go: server/TestServerEventsPingStatsZFilter
#[tokio::test]
async fn statsz_pings_for_other_servers_are_not_answered() {
    let (h, _d) = start_rust(CONF).await;
    let sys = client(h.addr(), "sys", "sys").await;
    for body in [
        r#"{"cluster":"DOESNOTEXIST"}"#,
        r#"{"host":"DOESNOTEXIST"}"#,
        r#"{"server_name":"DOESNOTEXIST"}"#,
        "{\n  \"cluster\": \"DOESNOTEXIST\"\n}",
        "{\n  \"host\": \"DOESNOTEXIST\"\n}",
        "{\n  \"server_name\": \"DOESNOTEXIST\"\n}",
    ] {
        assert!(
            unanswered(&sys, "$SYS.REQ.SERVER.PING", body).await,
            "{body}"
        );
    }
    // A filter this server matches is answered.
    let body = format!(r#"{{"server_name":"{}"}}"#, &h.shared.name[..4]);
    assert_eq!(
        ask(&sys, "$SYS.REQ.SERVER.PING", &body).await["server"]["id"],
        h.shared.id.as_str()
    );
    h.shutdown().await;
}

// go: server/TestServerEventsPingStatsZFailFilter
#[tokio::test]
async fn a_malformed_statsz_ping_is_a_bad_request() {
    let (h, _d) = start_rust(CONF).await;
    let sys = client(h.addr(), "sys", "sys").await;
    let v = ask(&sys, "$SYS.REQ.SERVER.PING", "{MALFORMEDJSON").await;
    assert_eq!(v["error"]["code"], 400);
    assert_eq!(
        v["error"]["description"],
        "invalid character 'M' looking for beginning of object key string"
    );
    h.shutdown().await;
}

// go: server/TestServerEventsHealthZJetStreamNotEnabled
#[tokio::test]
async fn healthz_without_jetstream_is_ok() {
    let conf = "accounts {\n  $SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }\n}\n";
    let (h, _d) = start_rust(conf).await;
    let sys = client(h.addr(), "admin", "s3cr3t!").await;
    let v = ask(
        &sys,
        &format!("$SYS.REQ.SERVER.{}.HEALTHZ", h.shared.id),
        "",
    )
    .await;
    assert_eq!(v["data"]["status"], "ok");
    assert_eq!(v["data"]["status_code"], 200);
    assert!(v["data"].get("error").is_none());
    h.shutdown().await;
}

// go: server/TestServerEventsReload
#[tokio::test]
async fn reload_by_request_is_for_the_system_account_only() {
    let conf = |ping: &str| {
        format!("listen: \"127.0.0.1:-1\"\naccounts: {{\n  $SYS {{ users [{{user: \"admin\", password: \"p1d\"}}]}}\n  test {{ users [{{user: \"foo\", password: \"bar\"}}]}}\n}}\nping_interval: \"{ping}\"\n")
    };
    let (h, dir) = start_rust(&conf("100ms")).await;
    let subject = format!("$SYS.REQ.SERVER.{}.RELOAD", h.shared.id);
    let test = client(h.addr(), "foo", "bar").await;
    assert!(unanswered(&test, &subject, "").await);
    assert_eq!(h.shared.opts().ping_interval, Duration::from_millis(100));

    let sys = client(h.addr(), "admin", "p1d").await;
    std::fs::write(dir.0.join("sys.conf"), conf("200ms")).unwrap();
    let v = ask(&sys, &subject, "").await;
    assert!(v.get("data").is_none() && v.get("error").is_none(), "{v}");
    assert_eq!(h.shared.opts().ping_interval, Duration::from_millis(200));

    std::fs::write(dir.0.join("sys.conf"), "garbage and nonsense").unwrap();
    let v = ask(&sys, &subject, "").await;
    assert!(v.get("data").is_none(), "{v}");
    assert_eq!(
        v["error"]["description"],
        "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'n' instead.'"
    );
    assert_eq!(h.shared.opts().ping_interval, Duration::from_millis(200));
    h.shutdown().await;
}

// go: server/TestServerEventsLDMKick
#[tokio::test]
async fn lame_duck_and_kick_one_client_by_id() {
    let (h, _d) = start_rust(CONF).await;
    let sys = client(h.addr(), "sys", "sys").await;
    let mut target = raw_login(
        h.addr(),
        r#"{"verbose":false,"pedantic":false,"protocol":1,"user":"a","pass":"a","name":"TEST EVENTS LDM+KICK"}"#,
    )
    .await;
    // The first PONG made it ready for async INFO.
    let cid = h
        .shared
        .clients_snapshot()
        .iter()
        .find(|c| c.meta().name == "TEST EVENTS LDM+KICK")
        .map(|c| c.cid)
        .expect("target registered");
    let _ = target.read_line().await; // the INFO that follows the first PONG
                                      // Other clients come and go meanwhile.
    let churn = {
        let addr = h.addr();
        tokio::spawn(async move {
            for _ in 0..50 {
                let c = client(addr, "a", "a").await;
                drop(c);
            }
        })
    };
    let body = format!(r#"{{"cid":{cid}}}"#);
    let v = ask(&sys, &format!("$SYS.REQ.SERVER.{}.LDM", h.shared.id), &body).await;
    assert!(v.get("error").is_none(), "{v}");
    let info = target.read_line().await;
    assert!(
        info.starts_with("INFO ") && info.contains("\"ldm\":true"),
        "{info}"
    );

    let v = ask(
        &sys,
        &format!("$SYS.REQ.SERVER.{}.KICK", h.shared.id),
        &body,
    )
    .await;
    assert!(v.get("error").is_none(), "{v}");
    target.expect_close_after(b"").await;
    // Unknown ids are errors; a body that is not a request is not answered.
    let v = ask(
        &sys,
        &format!("$SYS.REQ.SERVER.{}.KICK", h.shared.id),
        r#"{"cid":999999}"#,
    )
    .await;
    assert_eq!(v["error"]["description"], "no such client or leafnode id");
    let v = ask(
        &sys,
        &format!("$SYS.REQ.SERVER.{}.LDM", h.shared.id),
        r#"{"cid":999999}"#,
    )
    .await;
    assert_eq!(v["error"]["description"], "no such client id");
    assert!(unanswered(&sys, &format!("$SYS.REQ.SERVER.{}.KICK", h.shared.id), "").await);
    churn.await.unwrap();
    h.shutdown().await;
}

#[tokio::test]
async fn requests_with_headers_are_answered() {
    let (h, _d) = start_rust(CONF).await;
    let sys = client(h.addr(), "sys", "sys").await;
    let mut hdrs = async_nats::HeaderMap::new();
    hdrs.insert("header", "for header sake");
    for (ep, field) in [
        ("VARZ", "system_account"),
        ("SUBSZ", "num_subscriptions"),
        ("CONNZ", "connections"),
        ("ROUTEZ", "routes"),
        ("GATEWAYZ", "outbound_gateways"),
        ("LEAFZ", "leafs"),
        ("ACCOUNTZ", "accounts"),
        ("JSZ", "disabled"),
        ("HEALTHZ", "status"),
        ("EXPVARZ", "memstats"),
    ] {
        let got = ask_with(
            &sys,
            &format!("$SYS.REQ.SERVER.PING.{ep}"),
            "",
            Some(hdrs.clone()),
            Duration::from_millis(50),
        )
        .await;
        assert_eq!(got.len(), 1, "{ep}");
        assert!(!got[0]["data"][field].is_null(), "{ep}: {}", got[0]);
    }
    // Subscriptions of a normal account see no system requests.
    let a = client(h.addr(), "a", "a").await;
    let mut spy = a.subscribe("$SYS.>").await.unwrap();
    a.flush().await.unwrap();
    let _ = ask(&sys, "$SYS.REQ.SERVER.PING.VARZ", "").await;
    assert!(tokio::time::timeout(QUIET, spy.next()).await.is_err());
    h.shutdown().await;
}

/// Inflate a gzip member made of stored deflate blocks, checking its framing.
fn gunzip_stored(g: &[u8]) -> Vec<u8> {
    assert_eq!(&g[..4], &[0x1f, 0x8b, 8, 0], "gzip header");
    let mut i = 10;
    let mut out = Vec::new();
    loop {
        let head = g[i];
        assert_eq!(head & 0b110, 0, "stored block");
        let len = u16::from_le_bytes([g[i + 1], g[i + 2]]) as usize;
        let nlen = u16::from_le_bytes([g[i + 3], g[i + 4]]);
        assert_eq!(!(len as u16), nlen);
        out.extend_from_slice(&g[i + 5..i + 5 + len]);
        i += 5 + len;
        if head & 1 == 1 {
            break;
        }
    }
    let size = u32::from_le_bytes([g[i + 4], g[i + 5], g[i + 6], g[i + 7]]);
    assert_eq!(size as usize, out.len());
    out
}

#[tokio::test]
async fn answers_have_gos_message_line_and_requested_encoding() {
    let (h, _d) = start_rust(CONF).await;
    let mut s = raw_login(
        h.addr(),
        r#"{"verbose":false,"pedantic":false,"headers":true,"user":"sys","pass":"sys"}"#,
    )
    .await;
    raw_sub(&mut s, "_INBOX.1", 1).await;
    // The server's own messages carry an empty reply: two spaces before the size, as Go sends.
    s.send(b"PUB $SYS.REQ.SERVER.PING.IDZ _INBOX.1 0\r\n\r\n")
        .await;
    let line = s.read_line().await;
    assert!(line.starts_with("MSG _INBOX.1 1  "), "{line:?}");
    let n: usize = line.trim_end().rsplit(' ').next().unwrap().parse().unwrap();
    s.expect_line("the IDZ payload", |l| l.len() == n + 2).await;

    let hdr = "NATS/1.0\r\nAccept-Encoding: gzip\r\n\r\n";
    s.send(
        format!(
            "HPUB $SYS.REQ.SERVER.PING.HEALTHZ _INBOX.1 {} {}\r\n{hdr}\r\n",
            hdr.len(),
            hdr.len()
        )
        .as_bytes(),
    )
    .await;
    let line = s.read_line().await;
    let parts: Vec<&str> = line.trim_end().split(' ').collect();
    assert_eq!(&parts[..3], ["HMSG", "_INBOX.1", "1"], "{line:?}");
    let (hl, total): (usize, usize) = (
        parts[parts.len() - 2].parse().unwrap(),
        parts[parts.len() - 1].parse().unwrap(),
    );
    while s.buf.len() < total + 2 {
        let more = s.drain_for(Duration::from_millis(50)).await;
        s.buf.extend(more);
    }
    let frame: Vec<u8> = s.buf.drain(..total + 2).collect();
    assert_eq!(&frame[..hl], b"NATS/1.0\r\nContent-Encoding: gzip\r\n\r\n");
    let body = gunzip_stored(&frame[hl..total]);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["data"]["status"], "ok");
    h.shutdown().await;
}

// go: server/TestClientUserInfoReq
#[tokio::test]
async fn user_info_for_a_no_auth_user_and_a_system_user() {
    let conf = "listen: 127.0.0.1:-1\nPERMS = {\n  publish = { allow: \"$SYS.REQ.>\", deny: \"$SYS.REQ.ACCOUNT.>\" }\n  subscribe = \"_INBOX.>\"\n  allow_responses: true\n}\naccounts: {\n  A: { users: [ { user: dlc, password: pass, permissions: $PERMS } ] }\n  $SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }\n}\nno_auth_user: dlc\n";
    let (h, _d) = start_rust(conf).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let v = ask(&nc, "$SYS.REQ.USER.INFO", "").await;
    assert_eq!(
        v["data"],
        serde_json::json!({
            "user": "dlc",
            "account": "A",
            "account_name": "A",
            "permissions": {
                "publish": {"allow": ["$SYS.REQ.>"], "deny": ["$SYS.REQ.ACCOUNT.>"]},
                "subscribe": {"allow": ["_INBOX.>"]},
                "responses": {"max": 1, "ttl": 120_000_000_000u64},
            },
        })
    );
    let admin = client(h.addr(), "admin", "s3cr3t!").await;
    let v = ask(&admin, "$SYS.REQ.USER.INFO", "").await;
    assert_eq!(
        v["data"],
        serde_json::json!({"user": "admin", "account": "$SYS", "account_name": "$SYS"})
    );
    h.shutdown().await;
}

#[tokio::test]
async fn debug_subscribers_counts_an_accounts_subscriptions() {
    let conf = "accounts {\n  SYS {\n    users [{user: sys, password: sys}]\n    exports [{service: \"$SYS.DEBUG.SUBSCRIBERS\"}]\n  }\n  FOO {\n    users [{user: foo, password: foo}]\n    imports [{service: {account: SYS, subject: \"$SYS.DEBUG.SUBSCRIBERS\"}}]\n  }\n}\nsystem_account: SYS\n";
    let (h, _d) = start_rust(conf).await;
    let nc = client(h.addr(), "foo", "foo").await;
    let count = |body: &'static str| {
        let nc = nc.clone();
        async move {
            let r = nc
                .request("$SYS.DEBUG.SUBSCRIBERS", body.into())
                .await
                .expect("an answer");
            String::from_utf8_lossy(&r.payload)
                .parse::<i64>()
                .expect("a number")
        }
    };
    assert_eq!(count("foo.bar").await, 0);
    let mut subs = Vec::new();
    for i in 1..=10 {
        subs.push(nc.subscribe(format!("foo.bar.{i}")).await.unwrap());
        subs.push(nc.queue_subscribe("foo.baz", "QG.11".into()).await.unwrap());
    }
    for i in 1..=5 {
        subs.push(
            nc.queue_subscribe(format!("foo.bar.{i}"), "QG.22".into())
                .await
                .unwrap(),
        );
    }
    nc.flush().await.unwrap();
    assert_eq!(count("foo.bar.*").await, 15);
    assert_eq!(count("foo.bar.2").await, 2);
    assert_eq!(count("foo.bar.2 QG.22").await, 1);
    assert_eq!(count("foo.baz").await, 10);
    assert_eq!(count("foo.baz QG.11").await, 10);
    assert_eq!(count("foo.> QG.22").await, 5);
    assert_eq!(count("").await, 0);
    h.shutdown().await;
}
