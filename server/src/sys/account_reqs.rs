//! Requests about accounts and users: `$SYS.REQ.ACCOUNT.<account>.<CONNZ|SUBSZ|LEAFZ|JSZ|INFO|STATZ|CONNS>`,
//! `$SYS.REQ.ACCOUNT.PING.STATZ`, `$SYS.REQ.USER.<account>.INFO` (reached through the import every
//! account has of `$SYS.REQ.USER.INFO`), and the small debug services (`$SYS.REQ.ACCOUNT.NSUBS`,
//! `$SYS.DEBUG.SUBSCRIBERS`). Also the statistics `STATZ` and the connection events share (Go's
//! `statz`).

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use serde::Serialize;

use super::accinfo::account_info;
use super::envelope::{api_response, ApiError, Data, DataStats};
use super::gojson::{self, Val};
use super::options::Opts;
use super::requests::{z_req, AccEndpoint, Answer, Fail, Request};
use super::server_reqs::connz_data;
use super::{header_value, System};
use crate::accounts::Account;
use crate::auth::{Permissions, SubjectPermission};
use crate::monitor::timefmt::rfc3339_nano;
use crate::server::ServerShared;
use crate::sublist::{is_subset_match, is_valid_literal_subject};

/// Go's `AccountStat`.
#[derive(Serialize, Clone, Debug)]
pub struct AccountStat {
    pub acc: String,
    pub name: String,
    pub conns: i32,
    pub leafnodes: i32,
    pub total_conns: i32,
    pub num_subscriptions: u32,
    pub sent: DataStats,
    pub received: DataStats,
    pub slow_consumers: i64,
}

/// Go's `Account.statz`.
pub fn account_stat(acc: &Account) -> AccountStat {
    let s = &acc.stats;
    let conns = acc.num_connections().max(0);
    AccountStat {
        acc: acc.name.clone(),
        name: acc.name.clone(),
        conns,
        leafnodes: 0,
        total_conns: conns,
        num_subscriptions: acc.sublist.count(),
        sent: DataStats::by_kind(s.out_msgs.load(Relaxed), s.out_bytes.load(Relaxed)),
        received: DataStats::by_kind(s.in_msgs.load(Relaxed), s.in_bytes.load(Relaxed)),
        slow_consumers: s.slow_consumers.load(Relaxed) as i64,
    }
}

#[derive(Serialize)]
struct AccountStatz {
    server_id: String,
    now: String,
    account_statz: Vec<AccountStat>,
}

/// Go's `AccountStatz`: the named accounts (all when none), those without connections only with
/// `include_unused`. None when that leaves nothing to say and unused ones were not asked for (Go's
/// `errSkipZreq`).
fn account_statz(server: &ServerShared, names: &[String], unused: bool) -> Option<Data> {
    let accounts: Vec<Arc<Account>> = if names.is_empty() {
        server.accounts.all()
    } else {
        names
            .iter()
            .filter_map(|n| server.accounts.get(n))
            .collect()
    };
    let list: Vec<AccountStat> = accounts
        .iter()
        .filter(|a| unused || a.num_connections() > 0)
        .map(|a| account_stat(a))
        .collect();
    if list.is_empty() && !unused {
        return None;
    }
    Some(Data::of(&AccountStatz {
        server_id: server.id.clone(),
        now: rfc3339_nano(std::time::SystemTime::now()),
        account_statz: list,
    }))
}

/// The account token of `$SYS.REQ.ACCOUNT.<account>.<NAME>`.
fn account_of(subject: &str) -> Result<&str, String> {
    let tokens: Vec<&str> = subject.split('.').collect();
    if tokens.len() != 5 {
        return Err(format!("subject {subject:?} is malformed"));
    }
    Ok(tokens[3])
}

/// `$SYS.REQ.ACCOUNT.<account>.<NAME>`.
pub fn handle(
    sys: &System,
    server: &ServerShared,
    r: &Request<'_>,
    ep: AccEndpoint,
) -> Option<Answer> {
    let acc = match account_of(r.subject) {
        Ok(a) => a.to_string(),
        Err(e) => {
            return z_req(sys, server, r, Opts::AccInfo, |_| Err(Fail::untyped(e)));
        }
    };
    match ep {
        AccEndpoint::Subsz => z_req(sys, server, r, Opts::Subsz, |d| {
            let mut d = d.clone();
            d.set("subscriptions", Val::Bool(true));
            d.set("account", Val::Str(acc.clone()));
            let m = sys.monitor().ok_or(Fail::Skip)?;
            let q = super::options::to_query(Opts::Subsz, &d);
            crate::monitor::subsz::subsz(&m, &q)
                .map(|s| Data::of(&s))
                .map_err(Fail::typed)
        }),
        AccEndpoint::Connz => z_req(sys, server, r, Opts::Connz, |d| {
            let m = sys.monitor().ok_or(Fail::Skip)?;
            connz_data(&m, d, &acc)
        }),
        AccEndpoint::Leafz => z_req(sys, server, r, Opts::Leafz, |d| {
            let mut d = d.clone();
            d.set("account", Val::Str(acc.clone()));
            let m = sys.monitor().ok_or(Fail::Skip)?;
            let q = super::options::to_query(Opts::Leafz, &d);
            crate::monitor::misc::leafz(&m, &q)
                .map(|v| Data::of(&v))
                .map_err(Fail::typed)
        }),
        AccEndpoint::Jsz => z_req(sys, server, r, Opts::Jsz, |_| {
            Err(Fail::typed("jetstream not enabled"))
        }),
        AccEndpoint::Info => z_req(sys, server, r, Opts::AccInfo, |_| {
            account_info(server, &acc)
                .map(|v| Data::of(&v))
                .ok_or_else(|| Fail::typed(format!("Account {acc} does not exist")))
        }),
        AccEndpoint::Statz => z_req(sys, server, r, Opts::AccountStatz, |d| {
            if acc == "PING" {
                return Err(Fail::Skip);
            }
            account_statz(server, std::slice::from_ref(&acc), d.bool("include_unused"))
                .ok_or(Fail::Skip)
        }),
        AccEndpoint::Conns => {
            conns_request(sys, server, r, &acc);
            None
        }
    }
}

/// Go's `connsRequest`: the account's connection count to the reply, when it has local connections.
fn conns_request(sys: &System, server: &ServerShared, r: &Request<'_>, acc: &str) {
    if !r.body.is_empty() {
        let fields = [gojson::field("acc", gojson::Kind::Str, "string")];
        match gojson::decode("accNumConnsReq", &fields, r.body) {
            Ok(d) if d.str("acc") == acc => {}
            Ok(_) => {
                tracing::error!("Error unmarshalled account does not match subject");
                return;
            }
            Err(e) => {
                tracing::error!("Error unmarshalling account connections request message: {e}");
                return;
            }
        }
    }
    let Some(a) = server.accounts.get(acc) else {
        return;
    };
    if a.num_connections() > 0 && !r.reply.is_empty() {
        super::events::send_conns_update(sys, server, &a, &[r.reply.to_string()]);
    }
}

/// `$SYS.REQ.ACCOUNT.PING.STATZ`.
pub fn ping_statz(sys: &System, server: &ServerShared, r: &Request<'_>) -> Option<Answer> {
    z_req(sys, server, r, Opts::AccountStatz, |d| {
        account_statz(server, d.list("accounts"), d.bool("include_unused")).ok_or(Fail::Skip)
    })
}

/// Go's `UserInfo`.
#[derive(Serialize)]
struct UserInfo {
    user: String,
    account: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    account_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    user_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<PublicPermissions>,
}

#[derive(Serialize, Default)]
struct PublicSubjects {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allow: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deny: Vec<String>,
}

#[derive(Serialize)]
struct PublicResponses {
    max: i64,
    ttl: i64,
}

/// Go's `publicPermissions`.
#[derive(Serialize)]
struct PublicPermissions {
    publish: PublicSubjects,
    subscribe: PublicSubjects,
    #[serde(skip_serializing_if = "Option::is_none")]
    responses: Option<PublicResponses>,
}

fn public_permissions(p: &Permissions) -> PublicPermissions {
    let side = |s: &Option<SubjectPermission>| {
        let s = s.clone().unwrap_or_default();
        PublicSubjects {
            allow: s.allow.unwrap_or_default(),
            deny: s.deny.unwrap_or_default(),
        }
    };
    PublicPermissions {
        publish: side(&p.publish),
        subscribe: side(&p.subscribe),
        responses: p.response.as_ref().map(|r| PublicResponses {
            max: r.max_msgs,
            ttl: r.expires_ns,
        }),
    }
}

/// `$SYS.REQ.USER.<account>.INFO`: who the requester is (Go's `userInfoReq`), from the request info a
/// service import adds.
pub fn user_info(sys: &System, server: &ServerShared, r: &Request<'_>) -> Option<Answer> {
    if r.reply.is_empty() {
        return None;
    }
    let fields = [
        gojson::field("acc", gojson::Kind::Str, "string"),
        gojson::field("user", gojson::Kind::Str, "string"),
        gojson::field("name_tag", gojson::Kind::Str, "string"),
    ];
    let ci = if r.header.is_empty() {
        Ok(gojson::Decoded::default())
    } else {
        let v = header_value(r.header, "Nats-Request-Info").unwrap_or(b"");
        gojson::decode("ClientInfo", &fields, v)
    };
    let Ok(ci) = ci else {
        let err = ApiError {
            code: 400,
            description: String::new(),
        };
        return Some(api_response(&sys.server_info(server), Data::Absent, Some(err)).into());
    };
    let account = ci.str("acc").to_string();
    let account_name = if account.is_empty() {
        String::new()
    } else {
        server
            .accounts
            .get(&account)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let info = UserInfo {
        user: ci.str("user").to_string(),
        account,
        account_name,
        user_name: ci.str("name_tag").to_string(),
        permissions: r.ctx.client.perms().map(|p| public_permissions(p.source())),
    };
    Some(api_response(&sys.server_info(server), Data::of(&info), None).into())
}

/// Go's `totalSubs` and its wildcard variant: client subscriptions on `subject` (and `queue`).
fn count_subs(acc: &Account, subject: &str, queue: Option<&[u8]>) -> i32 {
    let client = |s: &crate::client::SubRef| s.handler.is_none();
    let in_queue = |s: &crate::client::SubRef| queue.is_none_or(|q| s.queue.as_deref() == Some(q));
    let n = if is_valid_literal_subject(subject.as_bytes()) {
        let r = acc.sublist.match_subject(subject.as_bytes());
        let plain = if queue.is_none() {
            r.psubs.iter().filter(|s| client(s)).count()
        } else {
            0
        };
        plain
            + r.qsubs
                .iter()
                .flatten()
                .filter(|s| client(s) && in_queue(s))
                .count()
    } else {
        let mut all = Vec::new();
        acc.sublist.all(&mut all);
        all.iter()
            .filter(|s| client(s) && in_queue(s))
            .filter(|s| is_subset_match(&s.subject, subject.as_bytes()))
            .count()
    };
    n as i32
}

/// `$SYS.REQ.ACCOUNT.NSUBS` (Go's `nsubsRequest`): the local count for another server.
pub fn num_subs(server: &ServerShared, r: &Request<'_>) -> Option<Answer> {
    let fields = [
        gojson::field("acc", gojson::Kind::Str, "string"),
        gojson::field("subject", gojson::Kind::Str, "string"),
        gojson::field("queue", gojson::Kind::Str, "[]uint8"),
    ];
    if r.body.is_empty() {
        tracing::error!("request requires a body");
        return None;
    }
    let d = match gojson::decode("accNumSubsReq", &fields, r.body) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!("Error unmarshalling account nsubs request message: {e}");
            return None;
        }
    };
    let acc = server.accounts.get(d.str("acc"))?;
    if acc.num_connections() == 0 {
        return None;
    }
    // Go sends the queue as base64 ([]byte).
    let queue = match d.str("queue") {
        "" => None,
        q => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(q).ok()
        }
    };
    Some(
        count_subs(&acc, d.str("subject"), queue.as_deref())
            .to_string()
            .into_bytes()
            .into(),
    )
}

/// `$SYS.DEBUG.SUBSCRIBERS` (Go's `debugSubscribers`): `subject [queue]` in the payload, the count of
/// client subscriptions back, for the requester's account.
pub fn debug_subscribers(server: &ServerShared, r: &Request<'_>) -> Option<Answer> {
    let fields = [
        gojson::field("acc", gojson::Kind::Str, "string"),
        gojson::field("svc", gojson::Kind::Str, "string"),
    ];
    let ci = if r.header.is_empty() {
        gojson::Decoded::default()
    } else {
        let v = header_value(r.header, "Nats-Request-Info").unwrap_or(b"");
        gojson::decode("ClientInfo", &fields, v).ok()?
    };
    let acc = if !ci.str("svc").is_empty() {
        server.accounts.get(ci.str("svc"))
    } else if !ci.str("acc").is_empty() {
        server.accounts.get(ci.str("acc"))
    } else {
        r.ctx.client.account().or_else(|| server.accounts.system())
    }?;
    let text = String::from_utf8_lossy(r.body);
    let mut args = text.split_whitespace();
    let Some(subject) = args.next() else {
        return Some(b"0".to_vec().into());
    };
    let queue = args.next().map(|q| q.as_bytes().to_vec());
    Some(
        count_subs(&acc, subject, queue.as_deref())
            .to_string()
            .into_bytes()
            .into(),
    )
}
