//! Endpoints whose subsystems are not configured on this server: they answer exactly what the Go server
//! answers in that case (`/routez` without a cluster, `/gatewayz` without gateways, `/leafz` without leaf
//! nodes, `/jsz` with JetStream disabled), plus `/accountz`, `/accstatz`, `/healthz` and the index page.

use std::time::SystemTime;

use serde_json::{json, Value};

use super::query::Query;
use super::timefmt::rfc3339_nano;
use super::Monitor;
use crate::consts::{GLOBAL_ACCOUNT, SYSTEM_ACCOUNT};

pub(crate) fn now() -> String {
    rfc3339_nano(SystemTime::now())
}

pub fn routez(m: &Monitor, q: &Query) -> Result<Value, String> {
    q.subs("subs")?;
    Ok(json!({
        "server_id": m.server.id,
        "server_name": m.server.name,
        "now": now(),
        "num_routes": 0,
        "routes": [],
    }))
}

pub fn gatewayz(m: &Monitor, q: &Query) -> Result<Value, String> {
    q.subs("subs")?;
    q.boolean("accs")?;
    Ok(json!({
        "server_id": m.server.id,
        "now": now(),
        "outbound_gateways": {},
        "inbound_gateways": {},
    }))
}

pub fn leafz(m: &Monitor, q: &Query) -> Result<Value, String> {
    q.boolean("subs")?;
    Ok(json!({
        "server_id": m.server.id,
        "now": now(),
        "leafnodes": 0,
        "leafs": [],
    }))
}

pub fn jsz(m: &Monitor, q: &Query) -> Result<Value, String> {
    // Go's HandleJsz decodes in this order; the first bad parameter answers.
    for b in [
        "accounts",
        "streams",
        "consumers",
        "direct-consumers",
        "config",
    ] {
        q.boolean(b)?;
    }
    q.int("offset")?;
    q.int("limit")?;
    let leader_only = q.boolean("leader-only")?;
    q.boolean("raft")?;
    q.boolean("stream-leader-only")?;
    if let Some(js) = m.server.jetstream.get() {
        let flag = |k: &str| q.boolean(k).unwrap_or(false);
        return Ok(super::jsz::jsz(
            m,
            js,
            flag("accounts"),
            flag("streams"),
            flag("consumers"),
            q.get("acc"),
        ));
    }
    // Without JetStream this server is never a leader: Go's Jsz answers errSkipZreq.
    if leader_only && m.server.jetstream.get().is_none() {
        return Err("filtered response: not leader".into());
    }
    Ok(json!({
        "memory": 0,
        "storage": 0,
        "reserved_memory": 0,
        "reserved_storage": 0,
        "accounts": 0,
        "ha_assets": 0,
        "api": {"level": 0, "total": 0, "errors": 0},
        "server_id": m.server.id,
        "now": now(),
        "disabled": true,
        "config": {"max_memory": 0, "max_storage": 0},
        "streams": 0,
        "consumers": 0,
        "messages": 0,
        "bytes": 0,
        "total": 0,
    }))
}

pub fn accountz(m: &Monitor, q: &Query) -> Result<Value, String> {
    let acc = q.get("acc");
    if acc.is_empty() {
        return Ok(json!({
            "server_id": m.server.id,
            "now": now(),
            "system_account": SYSTEM_ACCOUNT,
            "accounts": [SYSTEM_ACCOUNT, GLOBAL_ACCOUNT],
        }));
    }
    Err(format!("Account {acc} does not exist"))
}

/// `/accstatz`: per-account statistics; accounts without connections are listed only with `unused`.
pub fn accstatz(m: &Monitor, q: &Query) -> Result<Value, String> {
    use std::sync::atomic::Ordering::Relaxed;
    let unused = q.boolean("unused")?;
    let s = &m.server;
    let conns = s.num_clients();
    let traffic = |msgs: u64, bytes: u64| {
        json!({
            "msgs": msgs,
            "bytes": bytes,
            "gateways": {"msgs": 0, "bytes": 0},
            "routes": {"msgs": 0, "bytes": 0},
            "leafs": {"msgs": 0, "bytes": 0},
        })
    };
    let mut list = Vec::new();
    if conns > 0 || unused {
        list.push(json!({
            "acc": GLOBAL_ACCOUNT,
            "name": GLOBAL_ACCOUNT,
            "conns": conns,
            "leafnodes": 0,
            "total_conns": conns,
            "num_subscriptions": s.accounts.global().sublist.count(),
            "sent": traffic(s.stats.out_msgs.load(Relaxed), s.stats.out_bytes.load(Relaxed)),
            "received": traffic(s.stats.in_msgs.load(Relaxed), s.stats.in_bytes.load(Relaxed)),
            "slow_consumers": s.stats.slow_consumers.load(Relaxed),
        }));
    }
    Ok(json!({
        "server_id": s.id,
        "now": now(),
        "account_statz": list,
    }))
}

/// `/healthz`: ok while the server runs; JetStream checks answer as a server without JetStream does.
pub fn healthz(_m: &Monitor, q: &Query) -> Result<Value, String> {
    for b in [
        "js-enabled",
        "js-enabled-only",
        "js-server-only",
        "js-meta-only",
        "details",
    ] {
        q.boolean(b)?;
    }
    Ok(json!({"status": "ok"}))
}

/// The HTML index at the base path, linking every endpoint.
pub fn root_html(base: &str) -> String {
    let links = [
        ("General", "varz"),
        ("JetStream", "jsz"),
        ("Connections", "connz"),
        ("Accounts", "accountz"),
        ("Account Stats", "accstatz"),
        ("Subscriptions", "subsz"),
        ("Routes", "routez"),
        ("LeafNodes", "leafz"),
        ("Gateways", "gatewayz"),
        ("Raft Groups", "raftz"),
        ("Health Probe", "healthz"),
        ("Expvar", "debug/vars"),
    ];
    let mut body = String::new();
    for (name, path) in links {
        body.push_str(&format!(
            "\t<a href=.{base}{path}>{name}<span class=\"endpoint\"> /{path}</span></a>\n"
        ));
    }
    format!(
        "<html lang=\"en\">\n\t<head>\n\t<title>rnats monitoring</title>\n\t</head>\n\t<body>\n\t<a href=https://github.com/nats-io/nats-server class='version'>v{}</a>\n\t<br/>\n{}\t</body>\n</html>",
        crate::consts::VERSION,
        body
    )
}
