//! The `$SYS.REQ` subscriptions and their dispatch (Go's `initEventTracking` and `zReq`): a body is
//! decoded as the endpoint's options (a bad one answers 400 with no data), a request meant for
//! another server by its filter gets no answer, the data comes from the same builders as the HTTP
//! monitor, and a failure answers 500 with `"data":null`. Handlers answer within the requester's
//! delivery batch.

use std::sync::{Arc, Weak};

use serde_json::json;

use super::compress::{accept_encoding, Encoding};
use super::envelope::{api_response, ApiError, Data};
use super::gojson::{Decoded, Val};
use super::options::{filtered, to_query, Opts, ServerFacts};
use super::subjects::*;
use super::{account_reqs, header_value, parts, statsz, System};
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::monitor::{connz, misc, subsz, varz, Monitor};
use crate::server::ServerShared;

/// The server endpoints answered on `$SYS.REQ.SERVER.PING.<NAME>` and `$SYS.REQ.SERVER.<id>.<NAME>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Idz,
    Statsz,
    Varz,
    Subsz,
    Connz,
    Routez,
    Gatewayz,
    Leafz,
    Accountz,
    Jsz,
    Healthz,
    Profilez,
    Expvarz,
    Ipqueuesz,
    Raftz,
}

const ENDPOINTS: &[(&str, Endpoint)] = &[
    ("IDZ", Endpoint::Idz),
    ("ROUTEZ", Endpoint::Routez),
    ("GATEWAYZ", Endpoint::Gatewayz),
    ("HEALTHZ", Endpoint::Healthz),
    ("STATSZ", Endpoint::Statsz),
    ("EXPVARZ", Endpoint::Expvarz),
    ("IPQUEUESZ", Endpoint::Ipqueuesz),
    ("RAFTZ", Endpoint::Raftz),
    ("SUBSZ", Endpoint::Subsz),
    ("CONNZ", Endpoint::Connz),
    ("LEAFZ", Endpoint::Leafz),
    ("ACCOUNTZ", Endpoint::Accountz),
    ("JSZ", Endpoint::Jsz),
    ("PROFILEZ", Endpoint::Profilez),
    ("VARZ", Endpoint::Varz),
];

impl Endpoint {
    fn opts(self) -> Opts {
        match self {
            Endpoint::Idz | Endpoint::Statsz => Opts::Statsz,
            Endpoint::Varz => Opts::Varz,
            Endpoint::Subsz => Opts::Subsz,
            Endpoint::Connz => Opts::Connz,
            Endpoint::Routez => Opts::Routez,
            Endpoint::Gatewayz => Opts::Gatewayz,
            Endpoint::Leafz => Opts::Leafz,
            Endpoint::Accountz => Opts::Accountz,
            Endpoint::Jsz => Opts::Jsz,
            Endpoint::Healthz => Opts::Healthz,
            Endpoint::Profilez => Opts::Profilez,
            Endpoint::Expvarz => Opts::Expvarz,
            Endpoint::Ipqueuesz => Opts::Ipqueuesz,
            Endpoint::Raftz => Opts::Raftz,
        }
    }
}

/// The account endpoints on `$SYS.REQ.ACCOUNT.<account>.<NAME>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccEndpoint {
    Subsz,
    Connz,
    Leafz,
    Jsz,
    Info,
    Statz,
    Conns,
}

const ACC_ENDPOINTS: &[(&str, AccEndpoint)] = &[
    ("SUBSZ", AccEndpoint::Subsz),
    ("CONNZ", AccEndpoint::Connz),
    ("LEAFZ", AccEndpoint::Leafz),
    ("JSZ", AccEndpoint::Jsz),
    ("INFO", AccEndpoint::Info),
    ("STATZ", AccEndpoint::Statz),
    ("CONNS", AccEndpoint::Conns),
];

/// What one subscription answers.
#[derive(Debug, Clone, Copy)]
enum Req {
    /// `$SYS.REQ.SERVER.PING`: statsz from every server.
    StatszPing,
    Server(Endpoint),
    Account(AccEndpoint),
    AccPingStatz,
    UserInfo,
    NumSubs,
    DebugSubscribers,
    Reload,
    Kick,
    Ldm,
}

struct Handler {
    sys: Weak<System>,
    req: Req,
}

/// Create every subscription of the system account, in Go's order.
pub fn subscribe_all(sys: &Arc<System>, server: &ServerShared) {
    let h = |req: Req| -> Option<Arc<dyn MsgHandler>> {
        Some(Arc::new(Handler {
            sys: Arc::downgrade(sys),
            req,
        }))
    };
    let id = server.id.as_str();
    sys.subscribe(&format!("$SYS._INBOX.{}.*", sys.hash), None);
    sys.subscribe(&fmt(ACC_CONNS_OLD, &["*"]), None);
    sys.subscribe(&format!("$SYS._INBOX_.{id}"), None);
    sys.subscribe("$SYS.REQ.ACCOUNT.NSUBS", h(Req::NumSubs));
    sys.subscribe(&fmt(SERVER_STATS, &["*"]), None);
    sys.subscribe(&fmt(SHUTDOWN_EVENT, &["*"]), None);
    sys.subscribe(&fmt(LAME_DUCK_EVENT, &["*"]), None);
    sys.subscribe("$SYS.ACCOUNT.*.CLAIMS.UPDATE", None);
    sys.subscribe("$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE", None);
    sys.subscribe(SERVER_STATS_PING_REQ, h(Req::StatszPing));
    for (name, ep) in ENDPOINTS {
        sys.subscribe(&fmt(SERVER_DIRECT_REQ, &[id, name]), h(Req::Server(*ep)));
        sys.subscribe(&fmt(SERVER_PING_REQ, &[name]), h(Req::Server(*ep)));
    }
    for (name, ep) in ACC_ENDPOINTS {
        sys.subscribe(&fmt(ACC_DIRECT_REQ, &["*", name]), h(Req::Account(*ep)));
    }
    sys.subscribe(&fmt(USER_DIRECT_REQ, &["*"]), h(Req::UserInfo));
    sys.subscribe(&fmt(ACC_PING_REQ, &["STATZ"]), h(Req::AccPingStatz));
    sys.subscribe("$SYS.ACCOUNT.*.LEAFNODE.CONNECT", None);
    sys.subscribe(&format!("$SYS.LATENCY.M2.{}", sys.hash), None);
    sys.subscribe(DEBUG_SUBSCRIBERS, h(Req::DebugSubscribers));
    sys.subscribe(&fmt(SERVER_DIRECT_REQ, &[id, "RELOAD"]), h(Req::Reload));
    sys.subscribe(&fmt(SERVER_DIRECT_REQ, &[id, "KICK"]), h(Req::Kick));
    sys.subscribe(&fmt(SERVER_DIRECT_REQ, &[id, "LDM"]), h(Req::Ldm));
}

/// One request as a handler sees it.
pub struct Request<'a> {
    pub subject: &'a str,
    pub reply: &'a str,
    pub header: &'a [u8],
    pub body: &'a [u8],
    pub ctx: &'a PubCtx<'a>,
}

impl MsgHandler for Handler {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(sys) = self.sys.upgrade() else {
            return false;
        };
        let (header, body) = parts(m);
        let subject = String::from_utf8_lossy(m.subject);
        let reply = m.reply.map(String::from_utf8_lossy).unwrap_or_default();
        let r = Request {
            subject: &subject,
            reply: &reply,
            header,
            body,
            ctx,
        };
        let server = ctx.server;
        let answer = match self.req {
            Req::StatszPing | Req::Server(Endpoint::Statsz) => {
                statsz_req(&sys, server, &r, fan);
                None
            }
            Req::Server(Endpoint::Idz) => idz(server, &r),
            Req::Server(ep) => z_req(&sys, server, &r, ep.opts(), |d| {
                server_data(&sys, server, ep, d)
            }),
            Req::Account(ep) => account_reqs::handle(&sys, server, &r, ep),
            Req::AccPingStatz => account_reqs::ping_statz(&sys, server, &r),
            Req::UserInfo => account_reqs::user_info(&sys, server, &r),
            Req::NumSubs => account_reqs::num_subs(server, &r),
            Req::DebugSubscribers => account_reqs::debug_subscribers(server, &r),
            Req::Reload => z_req(&sys, server, &r, Opts::Filter, |_| {
                server.reload().map(|_| Data::Absent).map_err(Fail::untyped)
            }),
            Req::Kick | Req::Ldm => client_req(&sys, server, &r, matches!(self.req, Req::Kick)),
        };
        if let Some(a) = answer {
            if !r.reply.is_empty() {
                let (header, body) = match a.encoding {
                    Some(e) => (
                        format!("NATS/1.0\r\nContent-Encoding: {}\r\n\r\n", e.header_value())
                            .into_bytes(),
                        e.encode(&a.body),
                    ),
                    None => (Vec::new(), a.body),
                };
                sys.account.deliver_internal(
                    fan,
                    server,
                    r.reply.as_bytes(),
                    super::NO_REPLY,
                    &header,
                    &body,
                );
            }
        }
        true
    }
}

/// An answer's body, and the encoding it goes out in when the request asked for one.
pub struct Answer {
    pub body: Vec<u8>,
    pub encoding: Option<Encoding>,
}

impl From<Vec<u8>> for Answer {
    fn from(body: Vec<u8>) -> Answer {
        Answer {
            body,
            encoding: None,
        }
    }
}

/// Why a request's data could not be produced.
pub enum Fail {
    /// Go's `errSkipZreq`: this server does not answer.
    Skip,
    /// An error next to `"data":null` (a typed nil in Go) or without data (an untyped nil).
    Error { text: String, null_data: bool },
}

impl Fail {
    pub fn typed(text: impl Into<String>) -> Fail {
        Fail::Error {
            text: text.into(),
            null_data: true,
        }
    }

    pub fn untyped(text: impl Into<String>) -> Fail {
        Fail::Error {
            text: text.into(),
            null_data: false,
        }
    }
}

/// This server as the request filter sees it.
fn facts<'a>(server: &'a ServerShared, host: &'a str) -> ServerFacts<'a> {
    ServerFacts {
        name: &server.name,
        host,
        cluster: "",
        tags: &[],
        domain: "",
    }
}

/// Go's `zReq`: the answer to send, if any.
pub fn z_req(
    sys: &System,
    server: &ServerShared,
    r: &Request<'_>,
    opts: Opts,
    data: impl FnOnce(&Decoded) -> Result<Data, Fail>,
) -> Option<Answer> {
    if r.reply.is_empty() {
        return None;
    }
    let mut decoded = Decoded::default();
    if !r.body.is_empty() {
        match opts.decode(r.body) {
            Ok(d) => {
                let host = server.info_template().host;
                if filtered(&d, &facts(server, &host)) {
                    return None;
                }
                decoded = d;
            }
            Err(e) => {
                let err = ApiError {
                    code: 400,
                    description: e,
                };
                return Some(
                    api_response(&sys.server_info(server), Data::Absent, Some(err)).into(),
                );
            }
        }
    }
    match data(&decoded) {
        // Go compresses only successful answers, as the request's Accept-Encoding asks.
        Ok(d) => Some(Answer {
            body: api_response(&sys.server_info(server), d, None),
            encoding: if r.header.is_empty() {
                None
            } else {
                accept_encoding(header_value(r.header, "Accept-Encoding"))
            },
        }),
        Err(Fail::Skip) => None,
        Err(Fail::Error { text, null_data }) => {
            let d = if null_data { Data::Null } else { Data::Absent };
            let err = ApiError {
                code: 500,
                description: text,
            };
            Some(api_response(&sys.server_info(server), d, Some(err)).into())
        }
    }
}

/// Go's `statszReq`: no reply means the broadcast subject, forced through the rate limit.
fn statsz_req(sys: &System, server: &ServerShared, r: &Request<'_>, fan: &mut Fanout<'_>) {
    let reply = if r.reply.is_empty() {
        statsz::reset_limit(sys);
        fmt(SERVER_STATS, &[&server.id])
    } else {
        r.reply.to_string()
    };
    if !r.body.is_empty() {
        match Opts::Statsz.decode(r.body) {
            Err(e) => {
                let err = ApiError {
                    code: 400,
                    description: e,
                };
                let b = api_response(&sys.server_info(server), Data::Absent, Some(err));
                sys.account.deliver_internal(
                    fan,
                    server,
                    reply.as_bytes(),
                    super::NO_REPLY,
                    b"",
                    &b,
                );
                return;
            }
            Ok(d) => {
                let host = server.info_template().host;
                if filtered(&d, &facts(server, &host)) {
                    return;
                }
            }
        }
    }
    statsz::send(sys, server, &reply, Some(fan));
}

/// Go's `idzReq`: the bare server identity, no envelope.
fn idz(server: &ServerShared, r: &Request<'_>) -> Option<Answer> {
    if r.reply.is_empty() {
        return None;
    }
    #[derive(serde::Serialize)]
    struct ServerId<'a> {
        name: &'a str,
        host: &'a str,
        id: &'a str,
    }
    let host = server.info_template().host;
    Some(
        crate::info::go_json(&ServerId {
            name: &server.name,
            host: &host,
            id: &server.id,
        })
        .into_bytes()
        .into(),
    )
}

/// Data of a server endpoint.
fn server_data(
    sys: &System,
    server: &ServerShared,
    ep: Endpoint,
    d: &Decoded,
) -> Result<Data, Fail> {
    let Some(m) = sys.monitor() else {
        return Err(Fail::Skip);
    };
    let q = to_query(ep.opts(), d);
    let value = |r: Result<serde_json::Value, String>| match r {
        Ok(v) => Ok(Data::of(&v)),
        Err(e) if e.starts_with("filtered response") => Err(Fail::Skip),
        Err(e) => Err(Fail::typed(e)),
    };
    match ep {
        Endpoint::Varz => Ok(Data::of(&varz::varz(&m))),
        Endpoint::Connz => connz_data(&m, d, d.str("acc")),
        Endpoint::Subsz => subsz::subsz(&m, &q)
            .map(|s| Data::of(&s))
            .map_err(Fail::typed),
        Endpoint::Routez => value(misc::routez(&m, &q)),
        Endpoint::Gatewayz => value(misc::gatewayz(&m, &q)),
        Endpoint::Leafz => value(misc::leafz(&m, &q)),
        Endpoint::Accountz => match d.str("account") {
            "" => value(misc::accountz(&m, &q)),
            acc => account_reqs::accountz_detail(server, acc),
        },
        Endpoint::Jsz => value(misc::jsz(&m, &q)),
        Endpoint::Healthz => Ok(healthz(d)),
        Endpoint::Expvarz => Ok(Data::of(&super::account_reqs::expvarz())),
        Endpoint::Ipqueuesz | Endpoint::Raftz => Ok(Data::Json("{}".into())),
        Endpoint::Profilez => Ok(profilez(d)),
        Endpoint::Idz | Endpoint::Statsz => Err(Fail::Skip),
    }
}

/// `/connz` data, limited to one account's connections when `acc` is set (Go's `Connz` with
/// `Account`): an unknown account answers an empty list without a server id, as Go does.
pub fn connz_data(m: &Monitor, d: &Decoded, acc: &str) -> Result<Data, Fail> {
    if acc.is_empty() {
        return connz::connz(m, &to_query(Opts::Connz, d))
            .map(|c| Data::of(&c))
            .map_err(Fail::typed);
    }
    let mut offset = d.int("offset").max(0);
    let mut limit = d.int("limit");
    if limit <= 0 {
        limit = connz::DEFAULT_CONN_LIST_SIZE;
    }
    if d.uint("cid") > 0 {
        limit = 1;
    }
    if m.server.accounts.get(acc).is_none() {
        #[derive(serde::Serialize)]
        struct Empty {
            server_id: &'static str,
            now: String,
            num_connections: usize,
            total: usize,
            offset: i64,
            limit: i64,
            connections: Option<()>,
        }
        return Ok(Data::of(&Empty {
            server_id: "",
            now: crate::monitor::timefmt::rfc3339_nano(std::time::SystemTime::now()),
            num_connections: 0,
            total: 0,
            offset,
            limit,
            connections: None,
        }));
    }
    // The whole sorted list, then this account's part of it, then the page.
    let mut all = d.clone();
    all.set("offset", Val::Int(0));
    all.set("limit", Val::Int(i64::MAX / 4));
    let mut c = connz::connz(m, &to_query(Opts::Connz, &all)).map_err(Fail::typed)?;
    let account_of = |cid: u64| {
        m.server
            .clients
            .lock()
            .ok()
            .and_then(|cl| cl.get(&cid).cloned())
            .and_then(|c| c.account())
            .map(|a| a.name.clone())
    };
    c.connections.retain(|ci| {
        if ci.stop.is_some() {
            ci.account == acc
        } else {
            account_of(ci.cid).as_deref() == Some(acc)
        }
    });
    let total = c.connections.len();
    if offset as usize > total {
        offset = offset.min(total as i64);
    }
    let start = (offset as usize).min(total);
    let end = start.saturating_add(limit as usize).min(total);
    c.connections = c.connections.drain(start..end).collect();
    c.num_connections = c.connections.len();
    c.total = total;
    c.offset = d.int("offset").max(0);
    c.limit = limit;
    Ok(Data::of(&c))
}

/// Go's `healthz` on a server without JetStream.
fn healthz(d: &Decoded) -> Data {
    let details = d.bool("details");
    let bad = if d.str("account").is_empty() && !d.str("stream").is_empty() {
        Some(format!(
            "{:?} must not be empty when checking stream health",
            "account"
        ))
    } else if d.str("stream").is_empty() && !d.str("consumer").is_empty() {
        Some(format!(
            "{:?} must not be empty when checking consumer health",
            "stream"
        ))
    } else {
        None
    };
    let v = match (bad, details) {
        (None, _) => json!({"status": "ok", "status_code": 200}),
        (Some(e), false) => json!({"status": "error", "status_code": 400, "error": e}),
        (Some(e), true) => json!({
            "status": "error",
            "status_code": 400,
            "errors": [{"type": "BAD_REQUEST", "error": e}],
        }),
    };
    Data::of(&v)
}

/// Go's `profilez`: this server has no Go runtime profiles.
fn profilez(d: &Decoded) -> Data {
    let name = d.str("name");
    let error = match name {
        "" => "Profile name not specified".to_string(),
        "cpu" => {
            let dur = d.int("duration");
            if dur <= 0 || dur > 15_000_000_000 {
                format!(
                    "Duration {} should be between 0s and 15s",
                    crate::gofmt::go_duration(std::time::Duration::from_nanos(dur.max(0) as u64))
                )
            } else {
                "Failed to start CPU profile: profiling is not available".to_string()
            }
        }
        _ => format!("Profile {name:?} not found"),
    };
    Data::of(&json!({"profile": null, "error": error}))
}

/// Go's `kickClient` / `ldmClient`: a body that is not a client request is logged and not answered.
fn client_req(sys: &System, server: &ServerShared, r: &Request<'_>, kick: bool) -> Option<Answer> {
    let cid = match Opts::ClientReq.decode(r.body) {
        Ok(d) => d.uint("cid"),
        Err(e) => {
            // Go logs the LDM request's error with the kick text too.
            tracing::error!("Error unmarshalling kick client request: {e}");
            return None;
        }
    };
    z_req(sys, server, r, Opts::Filter, |_| {
        let client = server
            .clients
            .lock()
            .ok()
            .and_then(|c| c.get(&cid).cloned());
        if kick {
            let Some(c) = client else {
                return Err(Fail::untyped("no such client or leafnode id"));
            };
            c.close(crate::client::ClosedState::Kicked, true);
            return Ok(Data::Absent);
        }
        let Some(c) = client else {
            return Err(Fail::untyped("no such client id"));
        };
        if !c.async_info.load(std::sync::atomic::Ordering::Acquire) {
            return Err(Fail::untyped(
                "client does not support Lame Duck Mode or is not ready to receive the notification",
            ));
        }
        let mut info = server.info_template();
        info.lame_duck_mode = true;
        info.cid = c.cid;
        info.client_ip = c.peer.ip().to_string();
        tracing::debug!("{} - Sending Lame Duck Mode info to client", c.label());
        if c.out.queue(&info.to_proto()) != crate::conn::Queued::Closed {
            c.out.wake();
        }
        Ok(Data::Absent)
    })
}
