//! Pull requests: `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>` with a batch size or a JSON
//! request, validated and queued as Go's `processNextMsgRequest` and `nextReqFromMsg` do; the
//! delivery task serves the queue.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::Consumer;
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};

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
    // Go's embedded `PriorityGroup`: accepted; priority groups are not served yet.
    #[allow(dead_code)]
    group: String,
    #[allow(dead_code)]
    min_pending: i64,
    #[allow(dead_code)]
    min_ack_pending: i64,
    #[allow(dead_code)]
    id: String,
    #[allow(dead_code)]
    priority: i64,
}

/// Go's `nextReqFromMsg`: (expires, batch, max_bytes, no_wait, heartbeat).
#[allow(clippy::type_complexity)]
fn parse(msg: &[u8]) -> Result<(Option<Duration>, i64, i64, bool, Option<Duration>), String> {
    let req = msg.trim_ascii();
    if req.is_empty() {
        return Ok((None, 1, 0, false, None));
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
        return Ok((expires, r.batch, r.max_bytes, r.no_wait, hb));
    }
    match std::str::from_utf8(req)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        Some(n) => Ok((None, n, 0, false, None)),
        None => Ok((None, 1, 0, false, None)),
    }
}

fn status(code: u16, text: &str) -> Vec<u8> {
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
    let (expires, batch, max_bytes, no_wait, hb) = match parse(body) {
        Ok(v) => v,
        Err(e) => return Some(status(400, &format!("Bad Request - {e}"))),
    };
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
    let Ok(mut s) = c.state.lock() else {
        return None;
    };
    if no_wait {
        let pending = c.num_pending(&s) + s.rdq.len() as u64;
        if pending == 0 && expires.is_none() {
            return Some(status(404, "No Messages"));
        }
    }
    if cfg.max_waiting > 0 && s.waiting.len() as i64 >= cfg.max_waiting {
        if hb.is_none() {
            return Some(status(409, "Exceeded MaxWaiting"));
        }
        return None;
    }
    let now = Instant::now();
    s.waiting.push_back(WaitingRequest {
        reply: reply.to_vec(),
        n: batch.max(1),
        d: 0,
        b: max_bytes.max(0),
        expires: expires.map(|e| now + e),
        no_wait,
        heartbeat: hb,
        next_heartbeat: hb.map(|h| now + h),
    });
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
        assert_eq!(parse(b"").unwrap(), (None, 1, 0, false, None));
        assert_eq!(parse(b" 10 ").unwrap(), (None, 10, 0, false, None));
        assert_eq!(parse(b"junk").unwrap(), (None, 1, 0, false, None));
        let (e, n, b, nw, hb) =
            parse(br#"{"batch":5,"expires":2000000000,"max_bytes":100,"no_wait":true}"#).unwrap();
        assert_eq!(
            (e, n, b, nw, hb),
            (Some(Duration::from_secs(2)), 5, 100, true, None)
        );
        assert_eq!(
            parse(br#"{"batch":1,"expires":1000000000,"idle_heartbeat":600000000}"#).unwrap_err(),
            "heartbeat value too large"
        );
    }
}
