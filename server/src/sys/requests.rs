//! The `$SYS.REQ` subscriptions and their dispatch (Go's `initEventTracking` and `zReq`): a body is
//! decoded as the endpoint's options (a bad one answers 400 with no data), a request meant for
//! another server by its filter gets no answer, the data comes from the same builders as the HTTP
//! monitor, and a failure answers 500 with `"data":null`. Handlers answer within the requester's
//! delivery batch.

use std::sync::{Arc, Weak};

use super::compress::{accept_encoding, Encoding};
use super::envelope::{api_response, ApiError, Data};
use super::gojson::Decoded;
use super::options::{filtered, Opts, ServerFacts};
use super::server_reqs::{client_req, server_data};
use super::subjects::*;
use super::{account_reqs, header_value, parts, statsz, System};
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
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
    pub fn opts(self) -> Opts {
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
