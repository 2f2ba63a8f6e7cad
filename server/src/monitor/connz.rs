//! `/connz`: open and recently closed client connections, sorted and paged as Go's `Connz` does,
//! with the same option rules and error texts (monitor.go).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::query::Query;
use super::timefmt::{rfc3339_nano, uptime};
use super::Monitor;
use crate::client::ClientHandle;

pub const DEFAULT_CONN_LIST_SIZE: i64 = 1024;

#[derive(Serialize, Clone)]
pub struct SubDetail {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account_tag: String,
    pub subject: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub qgroup: String,
    pub sid: String,
    pub msgs: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub max: u64,
    pub cid: u64,
}

impl SubDetail {
    /// A subscription as monitoring shows it; `account` is filled only where Go fills it (/subsz).
    pub fn of(s: &crate::client::Subscription, cid: u64, account: &str) -> SubDetail {
        SubDetail {
            account: account.to_string(),
            account_tag: account.to_string(),
            subject: String::from_utf8_lossy(&s.subject).into_owned(),
            qgroup: s
                .queue
                .as_deref()
                .map(|q| String::from_utf8_lossy(q).into_owned())
                .unwrap_or_default(),
            sid: String::from_utf8_lossy(&s.sid).into_owned(),
            msgs: s.delivered.load(Ordering::Relaxed),
            max: s.max.load(Ordering::Relaxed),
            cid,
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Serialize, Clone)]
pub struct ConnInfo {
    pub cid: u64,
    pub kind: String,
    #[serde(rename = "type")]
    pub kind_type: String,
    pub ip: String,
    pub port: u16,
    pub start: String,
    pub last_activity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rtt: String,
    pub uptime: String,
    pub idle: String,
    pub pending_bytes: usize,
    pub in_msgs: u64,
    pub out_msgs: u64,
    pub in_bytes: u64,
    pub out_bytes: u64,
    pub subscriptions: u32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub lang: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tls_version: String,
    #[serde(rename = "tls_cipher_suite", skip_serializing_if = "String::is_empty")]
    pub tls_cipher: String,
    /// The client's certificate, shown with `auth=true` only (Go's `makePeerCerts`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tls_peer_certs: Vec<TlsPeerCert>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tls_first: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub authorized_user: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account: String,
    #[serde(rename = "subscriptions_list", skip_serializing_if = "Vec::is_empty")]
    pub subs: Vec<String>,
    #[serde(
        rename = "subscriptions_list_detail",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub subs_detail: Vec<SubDetail>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name_tag: String,
    // Sort keys, not serialized.
    #[serde(skip)]
    pub rtt_nanos: u128,
    #[serde(skip)]
    pub start_t: Option<SystemTime>,
    #[serde(skip)]
    pub last_t: Option<SystemTime>,
    #[serde(skip)]
    pub stop_t: Option<SystemTime>,
    /// The client's account when the snapshot was taken (a closed connection remembers it).
    #[serde(skip)]
    pub acc_name: String,
}

/// Go's `TLSPeerCert`.
#[derive(Serialize, Clone, Debug)]
pub struct TlsPeerCert {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    #[serde(rename = "spki_sha256", skip_serializing_if = "String::is_empty")]
    pub subject_pki_sha256: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cert_sha256: String,
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[derive(Serialize)]
pub struct Connz {
    pub server_id: String,
    pub now: String,
    pub num_connections: usize,
    pub total: usize,
    pub offset: i64,
    pub limit: i64,
    /// None only for an unknown account filter (Go leaves the list nil: `null`).
    pub connections: Option<Vec<ConnInfo>>,
}

/// A snapshot of one client for /connz (and for the closed-connections ring).
pub fn conn_info(c: &Arc<ClientHandle>, now: SystemTime) -> ConnInfo {
    let meta = c.meta();
    let last = c.last_activity();
    let rtt = meta.rtt.unwrap_or_default();
    // Go reports the RTT as a duration string truncated to microseconds when above one.
    let rtt_shown = if rtt > Duration::from_micros(1) {
        Duration::from_micros(rtt.as_micros() as u64)
    } else {
        rtt
    };
    ConnInfo {
        cid: c.cid,
        kind: "Client".into(),
        kind_type: "nats".into(),
        ip: c.peer.ip().to_string(),
        port: c.peer.port(),
        start: rfc3339_nano(c.start),
        last_activity: rfc3339_nano(last),
        stop: None,
        reason: String::new(),
        rtt: crate::gofmt::go_duration(rtt_shown),
        uptime: uptime(now.duration_since(c.start).unwrap_or_default()),
        idle: uptime(now.duration_since(last).unwrap_or_default()),
        pending_bytes: c.out.pending(),
        in_msgs: c.stats.in_msgs.load(Ordering::Relaxed),
        out_msgs: c.stats.out_msgs.load(Ordering::Relaxed),
        in_bytes: c.stats.in_bytes.load(Ordering::Relaxed),
        out_bytes: c.stats.out_bytes.load(Ordering::Relaxed),
        subscriptions: c.num_subs() as u32,
        name: meta.name,
        lang: meta.lang,
        version: meta.version,
        tls_version: c
            .tls
            .get()
            .map(|t| t.version.to_string())
            .unwrap_or_default(),
        tls_cipher: c.tls.get().map(|t| t.cipher.clone()).unwrap_or_default(),
        tls_peer_certs: c
            .tls
            .get()
            .and_then(|t| t.peer.as_ref())
            .map(|p| {
                vec![TlsPeerCert {
                    subject: crate::tls::dn::name_string(&p.info.subject),
                    subject_pki_sha256: sha256_hex(&p.info.raw_spki),
                    cert_sha256: sha256_hex(&p.der),
                }]
            })
            .unwrap_or_default(),
        tls_first: c.tls.get().is_some_and(|t| t.first),
        authorized_user: raw_auth_user(c),
        account: String::new(),
        subs: Vec::new(),
        subs_detail: Vec::new(),
        name_tag: String::new(),
        rtt_nanos: rtt.as_nanos(),
        start_t: Some(c.start),
        last_t: Some(last),
        stop_t: None,
        acc_name: c.account().map(|a| a.name.clone()).unwrap_or_default(),
    }
}

/// Go's `getRawAuthUser`: the nkey, the user name, or `[REDACTED]` for a token.
fn raw_auth_user(c: &ClientHandle) -> String {
    let Ok(auth) = c.auth.lock() else {
        return String::new();
    };
    match auth.as_ref() {
        Some(ci) if !ci.nkey.is_empty() => ci.nkey.clone(),
        Some(ci) if !ci.user.is_empty() => ci.user.clone(),
        Some(ci) if !ci.auth_token.is_empty() => "[REDACTED]".into(),
        _ => String::new(),
    }
}

pub fn sub_details(c: &ClientHandle) -> Vec<SubDetail> {
    let Ok(subs) = c.subs.lock() else {
        return Vec::new();
    };
    let mut out: Vec<SubDetail> = subs.values().map(|s| SubDetail::of(s, c.cid, "")).collect();
    out.sort_by(|a, b| a.sid.cmp(&b.sid));
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Closed,
    All,
}

pub fn connz(m: &Monitor, q: &Query) -> Result<Connz, String> {
    // Go's HandleConnz decodes every parameter first (the first bad one answers), then Connz checks the sort.
    let sort = q.get("sort").to_string();
    let auth = q.boolean("auth")?;
    let (subs, subs_detail) = q.subs("subs")?;
    let mut offset = q.int("offset")?;
    let mut limit = q.int("limit")?;
    let cid = q.uint64("cid")?;
    let state_text = q.get("state").to_string();
    let state = match q.get("state").to_ascii_lowercase().as_str() {
        "" | "open" => State::Open,
        "closed" => State::Closed,
        "any" | "all" => State::All,
        _ => return Err(format!("Error decoding state for {state_text}")),
    };
    let user = q.get("user").to_string();
    let acc = q.get("acc").to_string();
    let valid = [
        "",
        "cid",
        "start",
        "subs",
        "pending",
        "msgs_to",
        "msgs_from",
        "bytes_to",
        "bytes_from",
        "last",
        "idle",
        "uptime",
        "stop",
        "reason",
        "rtt",
    ];
    if !valid.contains(&sort.as_str()) {
        return Err(format!("invalid sorting option: {sort}"));
    }
    if offset < 0 {
        offset = 0;
    }
    if limit <= 0 {
        limit = DEFAULT_CONN_LIST_SIZE;
    }
    if sort == "stop" && state != State::Closed {
        return Err("sort by stop only valid on closed connections".into());
    }
    if sort == "reason" && state != State::Closed {
        return Err("sort by reason only valid on closed connections".into());
    }
    if cid > 0 {
        limit = 1;
    }
    let now = SystemTime::now();
    let server = &m.server;
    // Go's Connz answers an unknown account with an empty, unidentified list.
    if !acc.is_empty() && server.accounts.get(&acc).is_none() {
        return Ok(Connz {
            server_id: String::new(),
            now: rfc3339_nano(now),
            num_connections: 0,
            total: 0,
            offset,
            limit,
            connections: None,
        });
    }
    let mut conns: Vec<ConnInfo> = Vec::new();
    // Go counts the total before filtering by user.
    let mut user_skipped = 0;
    if state != State::Closed {
        let clients: Vec<Arc<ClientHandle>> = server
            .clients
            .lock()
            .map(|c| c.values().cloned().collect())
            .unwrap_or_default();
        for c in clients.iter().filter(|c| cid == 0 || c.cid == cid) {
            let mut ci = conn_info(c, now);
            if !acc.is_empty() && ci.acc_name != acc {
                continue;
            }
            if !user.is_empty() && ci.authorized_user != user {
                user_skipped += 1;
                continue;
            }
            if subs || subs_detail {
                let details = sub_details(c);
                if subs_detail {
                    ci.subs_detail = details;
                } else {
                    ci.subs = details.into_iter().map(|d| d.subject).collect();
                }
            }
            if auth {
                // Go's Connz: the account unless it is the global one, and its name tag always.
                if ci.acc_name != crate::consts::GLOBAL_ACCOUNT {
                    ci.account = ci.acc_name.clone();
                }
                ci.name_tag = ci.acc_name.clone();
            } else {
                ci.authorized_user.clear();
                ci.tls_peer_certs.clear();
            }
            conns.push(ci);
        }
    }
    if state != State::Open {
        for mut cc in server.closed_clients() {
            if cid > 0 && cc.cid != cid {
                continue;
            }
            // Go's closedClient keeps the account only when it is not the global one.
            let cc_acc = if cc.acc_name == crate::consts::GLOBAL_ACCOUNT {
                ""
            } else {
                cc.acc_name.as_str()
            };
            if !acc.is_empty() && cc_acc != acc {
                continue;
            }
            if !user.is_empty() && cc.authorized_user != user {
                user_skipped += 1;
                continue;
            }
            if auth {
                if !cc_acc.is_empty() {
                    cc.account = cc_acc.to_string();
                    if server.accounts.get(cc_acc).is_some() {
                        cc.name_tag = cc_acc.to_string();
                    }
                }
            } else {
                cc.authorized_user.clear();
            }
            // Go keeps no peer certificates for closed connections.
            cc.tls_peer_certs.clear();
            if !subs && !subs_detail {
                cc.subs.clear();
                cc.subs_detail.clear();
            } else if subs && !subs_detail {
                cc.subs = cc.subs_detail.iter().map(|d| d.subject.clone()).collect();
                cc.subs_detail.clear();
            } else {
                cc.subs.clear();
            }
            conns.push(cc);
        }
    }
    let total = if cid > 0 {
        conns.len().min(1)
    } else {
        conns.len() + user_skipped
    };
    sort_conns(&mut conns, &sort, now);
    let start = (offset as usize).min(conns.len());
    let end = (start + limit as usize).min(conns.len());
    let page: Vec<ConnInfo> = conns.drain(start..end).collect();
    Ok(Connz {
        server_id: server.id.clone(),
        now: rfc3339_nano(now),
        num_connections: page.len(),
        total,
        offset,
        limit,
        connections: Some(page),
    })
}

fn sort_conns(c: &mut [ConnInfo], by: &str, now: SystemTime) {
    // Go's SortByUptime: a closed connection's uptime ends at its stop time.
    let up = |x: &ConnInfo| {
        let start = x.start_t.unwrap_or(now);
        x.stop_t
            .unwrap_or(now)
            .duration_since(start)
            .unwrap_or_default()
    };
    match by {
        "" | "cid" | "start" => c.sort_by_key(|x| x.cid),
        "subs" => c.sort_by_key(|x| std::cmp::Reverse(x.subscriptions)),
        "pending" => c.sort_by_key(|x| std::cmp::Reverse(x.pending_bytes)),
        "msgs_to" => c.sort_by_key(|x| std::cmp::Reverse(x.out_msgs)),
        "msgs_from" => c.sort_by_key(|x| std::cmp::Reverse(x.in_msgs)),
        "bytes_to" => c.sort_by_key(|x| std::cmp::Reverse(x.out_bytes)),
        "bytes_from" => c.sort_by_key(|x| std::cmp::Reverse(x.in_bytes)),
        "last" => c.sort_by_key(|x| std::cmp::Reverse(x.last_t)),
        "idle" => c.sort_by_key(|x| x.last_t),
        "uptime" => c.sort_by_key(up),
        "stop" => c.sort_by_key(|x| std::cmp::Reverse(x.stop_t)),
        "reason" => c.sort_by_key(|x| x.reason.clone()),
        "rtt" => c.sort_by_key(|x| std::cmp::Reverse(x.rtt_nanos)),
        _ => {}
    }
}
