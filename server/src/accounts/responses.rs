//! Responses to requests that crossed a service import. The exporting account hands the responder a
//! reply subject `_R_.<prefix>.<id>`; one internal wildcard subscription on `_R_.<prefix>.>` catches
//! the answers and delivers them to the requester's own reply subject in the importing account. A
//! singleton response ends the mapping; streamed and chunked ones keep it until the export's response
//! threshold passes without an answer, or until nobody listens on the requester's reply subject (Go's
//! `addRespServiceImport`, `newServiceReply`, `processServiceImportResponse`,
//! `checkExpiredResponses`, `checkForReverseEntries`). Also builds the `Nats-Request-Info` header a
//! service import adds (Go's `getClientInfo`, `setHeader`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::config::ResponseType;
use super::imports::{MsgHandler, PubCtx, ServiceImportRt};
use super::Account;
use crate::client::delivery::{Fanout, Message};

/// The longest the sweeper sleeps. It otherwise wakes every smallest threshold, as Go's expiry timer
/// does, so an entry goes between one and two thresholds of silence; the cap bounds that for entries
/// with a short threshold added while it sleeps.
const SWEEP_MAX: Duration = Duration::from_millis(100);

const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct Entry {
    /// The requester's account.
    dest: Weak<Account>,
    /// The requester's reply subject.
    to: Box<[u8]>,
    response_type: ResponseType,
    threshold: Duration,
    last: Instant,
}

#[derive(Default)]
pub struct Responses {
    /// `_R_.<6 chars>.`, made with the wildcard subscription on first use.
    prefix: OnceLock<Box<[u8]>>,
    map: Mutex<HashMap<Box<[u8]>, Entry>>,
    sweeping: AtomicBool,
}

fn random_chars(n: usize) -> Vec<u8> {
    let mut r: u64 = rand::random();
    (0..n)
        .map(|_| {
            let c = DIGITS[(r % 62) as usize];
            r /= 62;
            c
        })
        .collect()
}

impl Responses {
    /// A new reply subject in `owner` (the exporting account) whose answers go to `to` in `dest`.
    pub fn add(
        &self,
        owner: &Arc<Account>,
        dest: &Arc<Account>,
        to: &[u8],
        response_type: ResponseType,
        threshold: Duration,
    ) -> Vec<u8> {
        let prefix = self.prefix.get_or_init(|| {
            let mut p = b"_R_.".to_vec();
            p.extend(random_chars(6));
            p.push(b'.');
            let mut wc = p.clone();
            wc.push(b'>');
            let handler = Arc::new(ResponseHandler {
                acc: Arc::downgrade(owner),
            });
            owner.subscribe_internal(&wc, handler);
            p.into_boxed_slice()
        });
        let mut reply = prefix.to_vec();
        reply.extend(random_chars(6));
        if let Ok(mut m) = self.map.lock() {
            m.insert(
                reply.clone().into_boxed_slice(),
                Entry {
                    dest: Arc::downgrade(dest),
                    to: to.into(),
                    response_type,
                    threshold,
                    last: Instant::now(),
                },
            );
        }
        self.start_sweeper(owner);
        reply
    }

    /// Reply mappings still awaiting answers.
    pub fn pending(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn remove(&self, reply: &[u8]) {
        if let Ok(mut m) = self.map.lock() {
            m.remove(reply);
        }
    }

    /// Drop mappings idle past their threshold or whose requester went away; a task does it while any
    /// are pending.
    fn start_sweeper(&self, owner: &Arc<Account>) {
        if self.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.sweeping.store(false, Ordering::Release);
            return;
        };
        let acc = Arc::downgrade(owner);
        rt.spawn(async move {
            loop {
                let tick = {
                    let Some(a) = acc.upgrade() else { return };
                    let m = a.responses.map.lock();
                    let Ok(m) = m else { return };
                    m.values()
                        .map(|e| e.threshold)
                        .min()
                        .unwrap_or(SWEEP_MAX)
                        .clamp(Duration::from_millis(10), SWEEP_MAX)
                };
                tokio::time::sleep(tick).await;
                let Some(a) = acc.upgrade() else { return };
                let Ok(mut m) = a.responses.map.lock() else {
                    return;
                };
                let now = Instant::now();
                // Past its threshold an entry goes; so does one idle for a sweep whose requester no
                // longer listens on the reply subject (Go removes the response imports of a reply
                // subject when its interest goes away: `checkForReverseEntries`).
                m.retain(|_, e| {
                    let idle = now.duration_since(e.last);
                    if idle >= e.threshold {
                        return false;
                    }
                    idle < SWEEP_MAX
                        || e.dest
                            .upgrade()
                            .is_some_and(|d| d.sublist.has_interest(&e.to))
                });
                if m.is_empty() {
                    a.responses.sweeping.store(false, Ordering::Release);
                    return;
                }
            }
        });
    }
}

/// The internal `_R_.<prefix>.>` subscription of an exporting account.
struct ResponseHandler {
    acc: Weak<Account>,
}

impl MsgHandler for ResponseHandler {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(acc) = self.acc.upgrade() else {
            return false;
        };
        let (dest, to, rt) = {
            let Ok(map) = acc.responses.map.lock() else {
                return false;
            };
            let Some(e) = map.get(m.subject) else {
                return false;
            };
            (e.dest.clone(), e.to.clone(), e.response_type)
        };
        let Some(dest) = dest.upgrade() else {
            acc.responses.remove(m.subject);
            return false;
        };
        // A response that itself expects an answer gets a mapping the other way (an empty reply, as
        // the server's own answers carry, expects none).
        let reply = m.reply.filter(|r| !r.is_empty()).map(|r| {
            if r.starts_with(b"$JS.ACK.") {
                r.to_vec()
            } else {
                dest.responses.add(
                    &dest,
                    ctx.account,
                    r,
                    ResponseType::Singleton,
                    super::config::DEFAULT_RESPONSE_THRESHOLD,
                )
            }
        });
        let m2 = Message {
            subject: &to,
            reply: reply.as_deref(),
            header_len: m.header_len,
            msg: m.msg,
        };
        let ctx2 = PubCtx {
            server: ctx.server,
            client: ctx.client,
            account: &dest,
            from_service: true,
            chain: ctx.chain,
        };
        let result = dest.sublist.match_subject(&to);
        let delivered = fan.deliver_result(&result, &m2, &ctx2, ctx.client.cid, true);
        // Go's processServiceImport: a singleton answer, an empty message (end of a stream) or an
        // undeliverable one ends the mapping; otherwise the threshold clock restarts.
        let ends = !delivered || rt == ResponseType::Singleton || m.msg.is_empty();
        if let Ok(mut map) = acc.responses.map.lock() {
            if ends {
                map.remove(m.subject);
            } else if let Some(e) = map.get_mut(m.subject) {
                e.last = Instant::now();
            }
        }
        delivered
    }
}

/// Go's `ClientInfo` as a service import puts it in `Nats-Request-Info`.
#[derive(Serialize, Default)]
struct ClientInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    host: String,
    #[serde(skip_serializing_if = "is_zero")]
    id: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    acc: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    svc: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    user: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    lang: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    ver: String,
    #[serde(skip_serializing_if = "is_zero")]
    rtt: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    server: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    client_type: String,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// The `Nats-Request-Info` value for a request crossing `si` (Go's `getClientInfo(share)` plus the
/// server name when the exporter is the system account).
pub fn client_info_header(
    ctx: &PubCtx<'_>,
    si: &ServiceImportRt,
    exporter: &Account,
    m: &Message<'_>,
) -> Vec<u8> {
    // A request already carried through another import keeps its original requester.
    if !ctx.chain.is_empty() {
        if let Some(v) = header_value(
            &m.msg[..m.header_len.min(m.msg.len())],
            b"Nats-Request-Info",
        ) {
            if let Ok(mut val) = serde_json::from_slice::<serde_json::Value>(v) {
                if let Some(o) = val.as_object_mut() {
                    o.insert("svc".into(), ctx.account.name.clone().into());
                }
                if let Ok(b) = serde_json::to_vec(&val) {
                    return b;
                }
            }
        }
    }
    let c = ctx.client;
    let meta = c.meta();
    let mut ci = ClientInfo {
        acc: ctx.account.name.clone(),
        rtt: meta.rtt.map(|d| d.as_nanos() as u64).unwrap_or(0),
        ..ClientInfo::default()
    };
    let is_sys = ctx
        .server
        .accounts
        .system()
        .is_some_and(|s| std::ptr::eq(Arc::as_ptr(&s), exporter));
    if si.share || is_sys {
        ci.server = ctx.server.name.clone();
    }
    if si.share {
        ci.start = Some(crate::monitor::timefmt::rfc3339_nano(c.start));
        ci.host = c.peer.ip().to_string();
        ci.id = c.cid;
        ci.user = c
            .auth
            .lock()
            .ok()
            .and_then(|a| a.as_ref().map(|a| a.user.clone()))
            .unwrap_or_default();
        ci.name = meta.name;
        ci.lang = meta.lang;
        ci.ver = meta.version;
        ci.kind = "Client".into();
        ci.client_type = "nats".into();
    }
    serde_json::to_vec(&ci).unwrap_or_default()
}

/// The value of header `key` in a header block.
fn header_value<'a>(hdr: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    for line in hdr.split(|b| *b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        if line[..colon].eq_ignore_ascii_case(key) {
            let v = &line[colon + 1..];
            let start = v.iter().position(|b| *b != b' ').unwrap_or(v.len());
            return Some(&v[start..]);
        }
    }
    None
}

/// Go's `setHeader`: the message with `key: value` replacing any earlier `key` in its header block
/// (one made when there was none). Returns the new message and header length.
pub fn set_header(m: &Message<'_>, key: &[u8], value: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(m.msg.len() + key.len() + value.len() + 16);
    let hl = m.header_len.min(m.msg.len());
    if hl > 4 {
        // The existing block without its final blank line, minus any old `key` lines.
        let hdr = &m.msg[..hl - 2];
        let mut lines = hdr.split_inclusive(|b| *b == b'\n');
        if let Some(first) = lines.next() {
            out.extend_from_slice(first);
        }
        for line in lines {
            let name_end = line.iter().position(|b| *b == b':').unwrap_or(0);
            if !line[..name_end].eq_ignore_ascii_case(key) {
                out.extend_from_slice(line);
            }
        }
    } else {
        out.extend_from_slice(b"NATS/1.0\r\n");
    }
    out.extend_from_slice(key);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n\r\n");
    let new_hl = out.len();
    out.extend_from_slice(&m.msg[hl..]);
    (out, new_hl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg<'a>(hl: usize, body: &'a [u8]) -> Message<'a> {
        Message {
            subject: b"s",
            reply: None,
            header_len: hl,
            msg: body,
        }
    }

    #[test]
    fn set_header_adds_a_block_or_replaces_the_key() {
        let (m, hl) = set_header(&msg(0, b"hi"), b"K", b"v");
        assert_eq!(m, b"NATS/1.0\r\nK: v\r\n\r\nhi");
        assert_eq!(hl, m.len() - 2);
        let body = b"NATS/1.0\r\nA: 1\r\nK: old\r\n\r\nhi";
        let (m, hl) = set_header(&msg(body.len() - 2, body), b"K", b"v");
        assert_eq!(m, b"NATS/1.0\r\nA: 1\r\nK: v\r\n\r\nhi");
        assert_eq!(&m[hl..], b"hi");
        assert_eq!(header_value(&m[..hl], b"k"), Some(&b"v"[..]));
    }
}
