//! Monitoring with accounts (Go's `monitor_test.go` and the Go binary's answers): `/accountz` and an
//! account's detail, `/accstatz` with per-account traffic, `/subsz` over every account with `acc`,
//! `/connz` showing each client's account and filtering by account and user (closed connections
//! remember their account), `/varz` naming the system account.

use serde_json::Value;

use crate::accounts::{acc_server, login, sync};
use crate::monitor_common::get_json;
use crate::support::*;
use server::ServerHandle;

/// A server from config `text` with monitoring on; the monitoring address.
async fn mon_acc_server(text: &str) -> (ServerHandle, std::net::SocketAddr, TempDir) {
    let (h, d) = acc_server(&format!("http: \"127.0.0.1:-1\"\n{text}")).await;
    let m = h.monitor_addr().expect("monitoring");
    (h, m, d)
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("name").to_string())
        .collect();
    n.sort();
    n
}

// go: server/TestMonitorAccountz
#[tokio::test]
async fn accountz_lists_the_reserved_accounts_and_details_the_system_one() {
    let h = start(server::Options {
        http_port: -1,
        no_system_account: false,
        ..server::Options::for_test()
    })
    .await;
    let m = h.monitor_addr().unwrap();
    let a = get_json(m, "/accountz").await;
    assert_eq!(a["server_id"], h.shared.id.as_str());
    assert_eq!(names(&a["accounts"]), ["$G", "$SYS"]);
    assert_eq!(a["system_account"], "$SYS");
    let a = get_json(m, "/accountz?acc=$SYS").await;
    let d = &a["account_detail"];
    assert_eq!(d["account_name"], "$SYS");
    assert_eq!(d["name_tag"], "$SYS");
    assert_eq!(d["is_system"], true);
    assert_eq!(a["system_account"], "$SYS");
    assert!(a.get("accounts").is_none());
}

// go: server/TestMonitorAccountStatz
#[tokio::test]
async fn accstatz_with_unused_lists_accounts_without_connections() {
    let h = start(server::Options {
        http_port: -1,
        no_system_account: false,
        ..server::Options::for_test()
    })
    .await;
    let m = h.monitor_addr().unwrap();
    let a = get_json(m, "/accstatz?unused=1").await;
    assert_eq!(a["server_id"], h.shared.id.as_str());
    let list = a["account_statz"].as_array().expect("list");
    assert_eq!(list.len(), 2);
    for acc in list {
        assert!(acc["acc"] == "$G" || acc["acc"] == "$SYS", "{acc}");
        assert_eq!(acc["name"], acc["acc"]);
        assert_eq!(acc["conns"], 0);
    }
    // Without `unused` only accounts with connections are listed.
    let a = get_json(m, "/accstatz").await;
    assert_eq!(a["account_statz"], serde_json::json!([]));
}

const TWO_ACCOUNTS: &str = "
no_system_account: true
accounts {
  A { users = [ {user: a, password: a} ] }
  B { users = [ {user: b, password: b} ] }
}
";

/// Go's `createClientConnWithUserSubscribeAndPublish`: a client that has been through a round trip
/// of its own (subscribe, publish, receive, unsubscribe).
async fn client(h: &ServerHandle, user: &str) -> Raw {
    let mut c = login(h, user, user).await;
    c.send(b"SUB _INBOX.x 99\r\nPUB _INBOX.x 5\r\nHello\r\n")
        .await;
    c.expect(b"MSG _INBOX.x 99 5\r\nHello\r\n").await;
    sync(&mut c, "UNSUB 99\r\n").await;
    c
}

// go: server/TestMonitorSubszMultiAccount
#[tokio::test]
async fn subsz_covers_every_account_and_filters_by_one() {
    let (h, m, _d) = mon_acc_server(TWO_ACCOUNTS).await;
    let mut a = client(&h, "a").await;
    let mut b = client(&h, "b").await;
    for c in [&mut a, &mut b] {
        sync(c, "SUB foo.* 1\r\nSUB foo.bar 2\r\nSUB foo.foo 3\r\n").await;
        c.send(b"PUB foo.bar 5\r\nHello\r\nPUB foo.baz 5\r\nHello\r\nPUB foo.foo 5\r\nHello\r\nPING\r\n")
            .await;
        // Five deliveries to its own subscriptions, then the PONG.
        while c.read_line().await != "PONG\r\n" {}
    }
    let sz = get_json(m, "/subsz?subs=1").await;
    assert_eq!(
        (&sz["num_subscriptions"], &sz["total"]),
        (&6.into(), &6.into())
    );
    let list = sz["subscriptions_list"].as_array().expect("list");
    assert_eq!(list.len(), 6);
    assert!(list
        .iter()
        .all(|s| s["account"] == "A" || s["account"] == "B"));
    let sz = get_json(m, "/subsz?subs=1&acc=A").await;
    assert_eq!(
        (&sz["num_subscriptions"], &sz["total"]),
        (&3.into(), &3.into())
    );
    let list = sz["subscriptions_list"].as_array().expect("list");
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|s| s["account"] == "A"));
}

// go: server/TestMonitorSubszMultiAccountWithOffsetAndLimit
#[tokio::test]
async fn subsz_pages_over_many_subscriptions() {
    let h = start(server::Options {
        http_port: -1,
        ..server::Options::for_test()
    })
    .await;
    let m = h.monitor_addr().unwrap();
    let mut a = Raw::quiet(&h).await;
    let mut b = Raw::quiet(&h).await;
    for c in [&mut a, &mut b] {
        let ops: String = (0..200).map(|i| format!("SUB foo.{i} {i}\r\n")).collect();
        sync(c, &ops).await;
    }
    let sz = get_json(m, "/subsz?subs=1&offset=10&limit=100").await;
    assert_eq!(sz["num_subscriptions"], 400);
    assert_eq!(sz["total"], 400);
    assert_eq!((&sz["offset"], &sz["limit"]), (&10.into(), &100.into()));
    assert_eq!(
        sz["subscriptions_list"].as_array().expect("list").len(),
        100
    );
}

const EXPORTS_IMPORTS: &str = "
accounts {
  foo {
    users = [{user: f, password: f}]
    exports = [
      {stream: \"foo.>\"}
      {service: \"svc\", response: stream}
      {service: \"priv.*\", accounts: [bar]}
    ]
  }
  bar {
    users = [{user: b, password: b}]
    imports = [
      {stream: {account: foo, subject: \"foo.>\"}, prefix: imp}
      {service: {account: foo, subject: svc}, to: req}
      {service: {account: foo, subject: \"priv.x\"}, share: true}
    ]
  }
}
authorization { users = [ {user: g, password: g} ] }
";

/// Not a Go test of its own: `/connz` with accounts, as the Go binary answers it — the account (not
/// for `$G`) and its name tag with `auth`, `acc` and `user` filters over open and closed connections.
#[tokio::test]
async fn connz_shows_and_filters_by_account() {
    let (h, m, _d) = mon_acc_server(EXPORTS_IMPORTS).await;
    let _f = login(&h, "f", "f").await;
    let mut b = login(&h, "b", "b").await;
    sync(&mut b, "SUB imp.foo.x 1\r\n").await;
    let g = login(&h, "g", "g").await;
    let view = |c: &Value| {
        (
            c["authorized_user"].as_str().unwrap_or("").to_string(),
            c["account"].as_str().unwrap_or("").to_string(),
            c["name_tag"].as_str().unwrap_or("").to_string(),
        )
    };
    let cz = get_json(m, "/connz?auth=1").await;
    let got: Vec<_> = cz["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(view)
        .collect();
    let want = |u: &str, a: &str, t: &str| (u.to_string(), a.to_string(), t.to_string());
    assert_eq!(
        got,
        [
            want("f", "foo", "foo"),
            want("b", "bar", "bar"),
            want("g", "", "$G")
        ]
    );
    let cz = get_json(m, "/connz?acc=bar").await;
    assert_eq!(
        (&cz["total"], &cz["num_connections"]),
        (&1.into(), &1.into())
    );
    let cz = get_json(m, "/connz?user=f").await;
    assert_eq!(cz["connections"].as_array().unwrap().len(), 1);

    drop(b);
    drop(g);
    wait_for("closed", || h.shared.closed_clients().len() == 2).await;
    let cz = get_json(m, "/connz?state=closed&auth=1").await;
    let got: Vec<_> = cz["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(view)
        .collect();
    // A closed connection keeps its account, but not the global one (nor its name tag).
    assert_eq!(got, [want("b", "bar", "bar"), want("g", "", "")]);
    let cz = get_json(m, "/connz?state=closed&acc=bar").await;
    assert_eq!(cz["total"], 1);
    let cz = get_json(m, "/connz?state=closed&acc=$G").await;
    assert_eq!(cz["total"], 0);
    // The user filter leaves Go's total as it was.
    let cz = get_json(m, "/connz?state=closed&user=b").await;
    assert_eq!(
        (&cz["total"], cz["connections"].as_array().unwrap().len()),
        (&2.into(), 1)
    );
    // An unknown account: an empty answer without a server id or list.
    let cz = get_json(m, "/connz?acc=nope").await;
    assert_eq!(cz["server_id"], "");
    assert_eq!(cz["connections"], Value::Null);
    assert_eq!(cz["total"], 0);
}

/// Not a Go test of its own: an account's detail in `/accountz` as the Go binary gives it (exports,
/// stream imports with their local subject, service imports with `to`), its traffic in `/accstatz`
/// and the subscriptions an import adds in `/subsz`.
#[tokio::test]
async fn account_detail_traffic_and_subscriptions() {
    let (h, m, _d) = mon_acc_server(EXPORTS_IMPORTS).await;
    let mut f = login(&h, "f", "f").await;
    let mut b = login(&h, "b", "b").await;
    sync(&mut b, "SUB imp.foo.x 1\r\n").await;
    sync(&mut f, "PUB foo.x 2\r\nhi\r\n").await;
    b.expect(b"MSG imp.foo.x 1 2\r\nhi\r\n").await;

    let a = get_json(m, "/accountz").await;
    assert_eq!(names(&a["accounts"]), ["$G", "$SYS", "bar", "foo"]);
    let d = &get_json(m, "/accountz?acc=foo").await["account_detail"];
    assert_eq!(d["account_name"], "foo");
    assert!(d.get("is_system").is_none());
    assert_eq!(
        (&d["client_connections"], &d["jetstream_enabled"]),
        (&1.into(), &false.into())
    );
    let exports = d["exports"].as_array().expect("exports");
    let find = |subject: &str| {
        exports
            .iter()
            .find(|e| e["subject"] == subject)
            .unwrap_or_else(|| panic!("export {subject}"))
            .clone()
    };
    assert_eq!(
        find("svc"),
        serde_json::json!({"subject": "svc", "type": "service", "response_type": "Streamed"})
    );
    assert_eq!(
        find("priv.*"),
        serde_json::json!({"subject": "priv.*", "type": "service", "response_type": "Singleton", "approved_accounts": ["bar"]})
    );
    assert_eq!(
        find("foo.>"),
        serde_json::json!({"subject": "foo.>", "type": "stream"})
    );
    let d = &get_json(m, "/accountz?acc=bar").await["account_detail"];
    let imports = d["imports"].as_array().expect("imports");
    assert!(imports.contains(&serde_json::json!({
        "subject": "foo.>", "account": "foo", "local_subject": "imp.foo.>", "type": "stream",
        "invalid": false, "share": false, "tracking": false
    })));
    assert!(imports.contains(&serde_json::json!({
        "subject": "svc", "account": "foo", "to": "req", "local_subject": "req", "type": "service",
        "invalid": false, "share": false, "tracking": false
    })));
    assert!(imports.contains(&serde_json::json!({
        "subject": "priv.x", "account": "foo", "to": "priv.x", "local_subject": "priv.x",
        "type": "service", "invalid": false, "share": true, "tracking": false
    })));
    let e = crate::monitor_common::get(m, "/accountz?acc=nope").await;
    assert_eq!((e.0, e.2.as_str()), (400, "Account nope does not exist"));

    // foo received one message and sent it (to bar's import); bar neither published nor is counted
    // for what its import delivered.
    let st = get_json(m, "/accstatz").await;
    let stat = |acc: &str| {
        st["account_statz"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["acc"] == acc)
            .unwrap_or_else(|| panic!("{acc} listed"))
            .clone()
    };
    let (foo, bar) = (stat("foo"), stat("bar"));
    assert_eq!(
        (&foo["received"]["msgs"], &foo["received"]["bytes"]),
        (&1.into(), &2.into())
    );
    assert_eq!(
        (&foo["sent"]["msgs"], &foo["sent"]["bytes"]),
        (&1.into(), &2.into())
    );
    assert_eq!(
        (&bar["received"]["msgs"], &bar["sent"]["msgs"]),
        (&0.into(), &0.into())
    );
    assert_eq!((&foo["conns"], &foo["total_conns"]), (&1.into(), &1.into()));

    // The shadow of bar's subscription lives in foo's index, listed under bar (its client's account).
    let sz = get_json(m, "/subsz?subs=1&acc=foo").await;
    let list = sz["subscriptions_list"].as_array().expect("list");
    assert!(list
        .iter()
        .any(|s| s["subject"] == "foo.x" && s["account"] == "bar" && s["sid"] == "1"));
    let v = get_json(m, "/varz").await;
    assert_eq!(v["system_account"], "$SYS");
}

/// Not a Go test of its own: without a system account `/varz` and `/accountz` name none, as the Go
/// binary's omit it.
#[tokio::test]
async fn no_system_account_is_named_when_there_is_none() {
    let (_h, m, _d) = mon_acc_server("no_system_account: true\naccounts { A {} }\n").await;
    let a = get_json(m, "/accountz").await;
    assert!(a.get("system_account").is_none());
    assert_eq!(names(&a["accounts"]), ["$G", "A"]);
    assert!(get_json(m, "/varz").await.get("system_account").is_none());
}
