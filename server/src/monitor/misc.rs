//! Endpoints whose subsystems are not configured on this server: they answer exactly what the Go server
//! answers in that case (`/routez` without a cluster, `/gatewayz` without gateways, `/leafz` without leaf
//! nodes, `/jsz` with JetStream disabled), plus `/accountz`, `/accstatz`, `/healthz` and the index page.

use std::time::SystemTime;

use serde_json::{json, Value};

use super::query::Query;
use super::timefmt::rfc3339_nano;
use super::Monitor;

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

/// Go's `Accountz`.
#[derive(serde::Serialize)]
pub struct Accountz {
    server_id: String,
    now: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    system_account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_detail: Option<crate::sys::accinfo::AccountInfo>,
}

/// `/accountz`: every account's name, or with `acc` that account's detail (Go's `Accountz`).
pub fn accountz(m: &Monitor, q: &Query) -> Result<Accountz, String> {
    let s = &m.server;
    let acc = q.get("acc");
    let mut out = Accountz {
        server_id: s.id.clone(),
        now: now(),
        system_account: s
            .accounts
            .system()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        accounts: None,
        account_detail: None,
    };
    if acc.is_empty() {
        out.accounts = Some(s.accounts.all().iter().map(|a| a.name.clone()).collect());
    } else {
        out.account_detail = Some(
            crate::sys::accinfo::account_info(s, acc)
                .ok_or_else(|| format!("Account {acc} does not exist"))?,
        );
    }
    Ok(out)
}

/// Go's `AccountStatz`.
#[derive(serde::Serialize)]
pub struct AccountStatz {
    server_id: String,
    now: String,
    account_statz: Vec<crate::sys::account_reqs::AccountStat>,
}

/// `/accstatz`: per-account statistics (Go's `AccountStatz`); accounts without connections are
/// listed only with `unused`.
pub fn accstatz(m: &Monitor, q: &Query) -> Result<AccountStatz, String> {
    let unused = q.boolean("unused")?;
    let s = &m.server;
    Ok(AccountStatz {
        server_id: s.id.clone(),
        now: now(),
        account_statz: s
            .accounts
            .all()
            .iter()
            .filter(|a| unused || a.num_connections() > 0)
            .map(|a| crate::sys::account_reqs::account_stat(a))
            .collect(),
    })
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
