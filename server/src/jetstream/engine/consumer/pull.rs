//! Pull requests: `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>` with a batch size or a JSON
//! request, validated and queued as Go's `processNextMsgRequest` and `nextReqFromMsg` do; the
//! delivery task serves the queue.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::Consumer;
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::jetstream::api::enums::PriorityPolicy;

/// Go's `waitingRequest`.
pub struct WaitingRequest {
    pub reply: Vec<u8>,
    /// Messages still wanted.
    pub n: i64,
    /// Messages delivered so far.
    pub d: i64,
    /// Bytes still allowed (0: no limit).
    pub b: i64,
    pub expires: Option<Instant>,
    pub no_wait: bool,
    pub heartbeat: Option<Duration>,
    pub next_heartbeat: Option<Instant>,
    /// The priority group fields of a JSON request (Go's `*PriorityGroup`, nil for a plain one).
    pub group: Option<PriorityGroup>,
}

impl WaitingRequest {
    /// Go's `insertAtPosition` order: a request without priority ranks last.
    pub fn priority(&self) -> i64 {
        self.group
            .as_ref()
            .map_or(i64::from(i32::MAX), |g| g.priority)
    }
}

/// Go's `PriorityGroup`, embedded in a pull request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PriorityGroup {
    pub group: String,
    pub min_pending: i64,
    pub min_ack_pending: i64,
    pub id: String,
    pub priority: i64,
}

/// Go's `JSApiConsumerGetNextRequest` (durations in nanoseconds).
#[derive(Deserialize, Default)]
#[serde(default)]
struct NextRequest {
    expires: i64,
    batch: i64,
    max_bytes: i64,
    no_wait: bool,
    idle_heartbeat: i64,
    group: String,
    min_pending: i64,
    min_ack_pending: i64,
    id: String,
    priority: i64,
}

/// A pull request as Go's `nextReqFromMsg` reads it.
#[derive(Debug, PartialEq)]
struct Parsed {
    expires: Option<Duration>,
    batch: i64,
    max_bytes: i64,
    no_wait: bool,
    heartbeat: Option<Duration>,
    group: Option<PriorityGroup>,
}

impl Parsed {
    fn batch(n: i64) -> Parsed {
        Parsed {
            expires: None,
            batch: n,
            max_bytes: 0,
            no_wait: false,
            heartbeat: None,
            group: None,
        }
    }
}

/// Go's `nextReqFromMsg`.
fn parse(msg: &[u8]) -> Result<Parsed, String> {
    let req = msg.trim_ascii();
    if req.is_empty() {
        return Ok(Parsed::batch(1));
    }
    if req[0] == b'{' {
        let r: NextRequest =
            crate::jetstream::api::decode::decode_request(req, "JSApiConsumerGetNextRequest")
                .map_err(|e| e.to_string())?;
        let hb = (r.idle_heartbeat > 0).then(|| Duration::from_nanos(r.idle_heartbeat as u64));
        if r.idle_heartbeat > 0 && r.idle_heartbeat.saturating_mul(2) > r.expires {
            return Err("heartbeat value too large".into());
        }
        let expires = (r.expires > 0).then(|| Duration::from_nanos(r.expires as u64));
        return Ok(Parsed {
            expires,
            batch: r.batch,
            max_bytes: r.max_bytes,
            no_wait: r.no_wait,
            heartbeat: hb,
            group: Some(PriorityGroup {
                group: r.group,
                min_pending: r.min_pending,
                min_ack_pending: r.min_ack_pending,
                id: r.id,
                priority: r.priority,
            }),
        });
    }
    match std::str::from_utf8(req)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        Some(n) => Ok(Parsed::batch(n)),
        None => Ok(Parsed::batch(1)),
    }
}

pub(super) fn status(code: u16, text: &str) -> Vec<u8> {
    format!("NATS/1.0 {code} {text}\r\n\r\n").into_bytes()
}

/// The internal subscription on a pull consumer's next subject.
pub struct NextHandler {
    pub consumer: Weak<Consumer>,
}

impl MsgHandler for NextHandler {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(c) = self.consumer.upgrade() else {
            return false;
        };
        let Some(reply) = m.reply else {
            return true;
        };
        let hl = m.header_len.min(m.msg.len());
        if let Some(err) = request(&c, reply, &m.msg[hl..]) {
            ctx.account
                .deliver_internal(fan, ctx.server, reply, None, &err, b"");
        }
        true
    }
}

/// Queue a pull request; Some(status header) when it is refused at once.
pub fn request(c: &Arc<Consumer>, reply: &[u8], body: &[u8]) -> Option<Vec<u8>> {
    if c.is_push() {
        return Some(status(409, "Consumer is push based"));
    }
    let req = match parse(body) {
        Ok(v) => v,
        Err(e) => return Some(status(400, &format!("Bad Request - {e}"))),
    };
    let (expires, batch, max_bytes, no_wait, hb) = (
        req.expires,
        req.batch,
        req.max_bytes,
        req.no_wait,
        req.heartbeat,
    );
    let cfg = &c.cfg;
    if cfg.max_request_batch > 0 && batch > cfg.max_request_batch {
        return Some(status(
            409,
            &format!("Exceeded MaxRequestBatch of {}", cfg.max_request_batch),
        ));
    }
    if let Some(e) = expires {
        if cfg.max_request_expires > 0 && e.as_nanos() as i64 > cfg.max_request_expires {
            return Some(status(
                409,
                &format!(
                    "Exceeded MaxRequestExpires of {}",
                    crate::gofmt::go_duration(Duration::from_nanos(cfg.max_request_expires as u64))
                ),
            ));
        }
    }
    if max_bytes > 0 && cfg.max_request_max_bytes > 0 && max_bytes > cfg.max_request_max_bytes {
        return Some(status(
            409,
            &format!(
                "Exceeded MaxRequestMaxBytes of {}",
                cfg.max_request_max_bytes
            ),
        ));
    }
    if let Some(g) = &req.group {
        if let Some(refused) = super::priority::check_request(cfg, g) {
            return Some(refused);
        }
    }
    let Ok(mut s) = c.state.lock() else {
        return None;
    };
    if let Some(g) = &req.group {
        if cfg.priority_policy != PriorityPolicy::None && !s.pin_id.is_empty() {
            if g.id == s.pin_id {
                // The pinned client is still asking: its pin lives on.
                s.pin_deadline = Some(Instant::now() + super::priority::pinned_ttl(cfg));
            } else if !g.id.is_empty() {
                return Some(status(423, "Nats-Pin-Id mismatch"));
            }
        }
    }
    if no_wait {
        let pending = c.num_pending(&s) + s.rdq.len() as u64;
        if pending == 0 && expires.is_none() {
            return Some(status(404, "No Messages"));
        }
        if pending > 0 {
            let batch_pending: i64 = s.waiting.iter().map(|w| w.n).sum();
            if pending < batch_pending.max(0) as u64 {
                return Some(status(408, "Requests Pending"));
            }
        }
    }
    if cfg.max_waiting > 0 && s.waiting.len() as i64 >= cfg.max_waiting {
        if hb.is_none() {
            return Some(status(409, "Exceeded MaxWaiting"));
        }
        return None;
    }
    let now = Instant::now();
    let wr = WaitingRequest {
        reply: reply.to_vec(),
        n: batch.max(1),
        d: 0,
        b: max_bytes.max(0),
        expires: expires.map(|e| now + e),
        no_wait,
        heartbeat: hb,
        next_heartbeat: hb.map(|h| now + h),
        group: req.group,
    };
    if cfg.priority_policy == PriorityPolicy::Prioritized {
        super::priority::insert_sorted(&mut s.waiting, wr);
    } else {
        s.waiting.push_back(wr);
    }
    s.last_active = now;
    drop(s);
    c.signal();
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_requests_as_go_reads_them() {
        assert_eq!(parse(b"").unwrap(), Parsed::batch(1));
        assert_eq!(parse(b" 10 ").unwrap(), Parsed::batch(10));
        assert_eq!(parse(b"junk").unwrap(), Parsed::batch(1));
        let p =
            parse(br#"{"batch":5,"expires":2000000000,"max_bytes":100,"no_wait":true}"#).unwrap();
        assert_eq!(
            (p.expires, p.batch, p.max_bytes, p.no_wait, p.heartbeat),
            (Some(Duration::from_secs(2)), 5, 100, true, None)
        );
        // A JSON request always carries a priority group, empty or not.
        assert_eq!(p.group, Some(PriorityGroup::default()));
        let p = parse(br#"{"batch":1,"group":"A","id":"x","min_pending":2,"priority":3}"#).unwrap();
        assert_eq!(
            p.group,
            Some(PriorityGroup {
                group: "A".into(),
                min_pending: 2,
                min_ack_pending: 0,
                id: "x".into(),
                priority: 3
            })
        );
        assert_eq!(
            parse(br#"{"batch":1,"expires":1000000000,"idle_heartbeat":600000000}"#).unwrap_err(),
            "heartbeat value too large"
        );
    }
}
