//! Delivering one published message to matching subscriptions: encode `MSG`/`HMSG` straight into each
//! subscriber's outbox (no allocation for the frame), count, apply auto-unsubscribe limits, detect slow
//! consumers, and remember which writers to wake once the publisher's read batch is done.
//! Matches Go's `deliverMsg` / `processMsgResults` (client.go).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::{BufMut, BytesMut};

use super::{ClientHandle, ClosedState, SubRef};
use crate::accounts::{Account, PubCtx};
use crate::conn::{Outbox, Queued};
use crate::stats::ServerStats;
use crate::sublist::SublistResult;

/// One message on its way out.
pub struct Message<'a> {
    pub subject: &'a [u8],
    pub reply: Option<&'a [u8]>,
    /// Length of the header block at the start of `msg` (0: no headers).
    pub header_len: usize,
    /// Header block followed by the payload, without the trailing CRLF.
    pub msg: &'a [u8],
}

/// What one publisher's batch accumulates while delivering.
pub struct Fanout<'a> {
    pub stats: &'a ServerStats,
    /// Writers to wake when the batch is done (each once).
    pub touched: Vec<Arc<ClientHandle>>,
    /// A subscriber above 3/4 of its max_pending: the publisher should pause briefly.
    pub stalled: Option<Arc<Outbox>>,
    pub out_msgs: u64,
    pub out_bytes: u64,
    /// Deliveries not yet added to the counters of the account they were made in (Go's
    /// `acc.stats.outMsgs`): kept while publishes stay in one account, so the common case adds
    /// nothing per message.
    acc_out: Option<(Arc<Account>, u64, u64)>,
    /// Cheap random state for choosing queue members.
    pub rng: u64,
    /// Work to finish before the batch's deliveries are released (streams hand their writes to
    /// the OS, so an acknowledged message survives a crash of the process).
    pub finishers: Vec<Arc<dyn BatchFinisher>>,
}

/// Something a delivery batch must complete before its writers are woken.
pub trait BatchFinisher: Send + Sync {
    /// Runs before the batch's writers are woken; what it delivers goes out with the batch.
    fn finish(&self, fan: &mut Fanout<'_>);
}

impl<'a> Fanout<'a> {
    pub fn new(stats: &'a ServerStats, seed: u64) -> Self {
        Fanout {
            stats,
            touched: Vec::new(),
            stalled: None,
            out_msgs: 0,
            out_bytes: 0,
            acc_out: None,
            rng: seed | 1,
            finishers: Vec::new(),
        }
    }

    fn next_rand(&mut self) -> u64 {
        // xorshift64: only used to spread queue deliveries.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }

    /// Wake every touched writer once and flush counters to the server totals. A delivery is activity
    /// for the subscriber's connection (Go's flushClients sets its `last`).
    pub fn finish_batch(&mut self) {
        // A finisher's deliveries may ask for more finishing (an ack captured by a stream).
        while !self.finishers.is_empty() {
            for f in std::mem::take(&mut self.finishers) {
                f.finish(self);
            }
        }
        if !self.touched.is_empty() {
            let now = std::time::SystemTime::now();
            for c in self.touched.drain(..) {
                c.touch_at(now);
                c.out.wake();
            }
        }
        ServerStats::add(&self.stats.out_msgs, std::mem::take(&mut self.out_msgs));
        ServerStats::add(&self.stats.out_bytes, std::mem::take(&mut self.out_bytes));
        self.flush_account_out();
    }

    fn flush_account_out(&mut self) {
        if let Some((acc, msgs, bytes)) = self.acc_out.take() {
            ServerStats::add(&acc.stats.out_msgs, msgs);
            ServerStats::add(&acc.stats.out_bytes, bytes);
        }
    }

    /// Count one delivery of `bytes` made in `acc`.
    fn count_account(&mut self, acc: &Arc<Account>, bytes: u64) {
        match &mut self.acc_out {
            Some((a, m, b)) if Arc::ptr_eq(a, acc) => {
                *m += 1;
                *b += bytes;
            }
            _ => {
                self.flush_account_out();
                self.acc_out = Some((acc.clone(), 1, bytes));
            }
        }
    }

    /// Ask for `f` to run at the end of the batch (once, however often it is asked).
    pub fn finish_with(&mut self, f: Arc<dyn BatchFinisher>) {
        let p = Arc::as_ptr(&f) as *const () as usize;
        if !self
            .finishers
            .iter()
            .any(|g| Arc::as_ptr(g) as *const () as usize == p)
        {
            self.finishers.push(f);
        }
    }

    /// Deliver to every plain subscriber and one member of each queue group.
    /// `publisher` and `echo` implement `echo:false`. Returns whether anyone got it.
    pub fn deliver_result(
        &mut self,
        result: &SublistResult<SubRef>,
        m: &Message<'_>,
        ctx: &PubCtx<'_>,
        publisher: u64,
        echo: bool,
    ) -> bool {
        let mut delivered = false;
        for sub in &result.psubs {
            if !echo && sub.client.cid == publisher {
                continue;
            }
            delivered |= self.deliver(sub, m, ctx);
        }
        for group in &result.qsubs {
            if group.is_empty() {
                continue;
            }
            // Start at a random member and take the first that accepts, as Go does.
            let start = (self.next_rand() % group.len() as u64) as usize;
            for i in 0..group.len() {
                let sub = &group[(start + i) % group.len()];
                if !echo && sub.client.cid == publisher {
                    continue;
                }
                if self.deliver(sub, m, ctx) {
                    delivered = true;
                    break;
                }
            }
        }
        delivered
    }

    /// Deliver to one subscription: an internal one runs its handler, a stream import's shadow delivers
    /// under the importer's subject. Returns false when it was skipped (closed, over its limit, slow
    /// consumer).
    pub fn deliver(&mut self, sub: &SubRef, m: &Message<'_>, ctx: &PubCtx<'_>) -> bool {
        if let Some(h) = &sub.handler {
            if let Some(im) = &sub.import {
                if ctx.from_service {
                    return false;
                }
                let mut buf = Vec::new();
                let renamed = Message {
                    subject: im.deliver_subject(m.subject, &mut buf),
                    reply: m.reply,
                    header_len: m.header_len,
                    msg: m.msg,
                };
                return !sub.is_closed() && h.handle(self, ctx, &renamed);
            }
            return !sub.is_closed() && h.handle(self, ctx, m);
        }
        if let Some(im) = &sub.import {
            // Go's processMsgResults: what came in through a service import is not re-exported.
            if ctx.from_service {
                return false;
            }
            let mut buf = Vec::new();
            let subject = im.deliver_subject(m.subject, &mut buf);
            let renamed = Message {
                subject,
                reply: m.reply,
                header_len: m.header_len,
                msg: m.msg,
            };
            let ok = self.deliver_to_client(sub, &renamed);
            if ok {
                self.count_account(ctx.account, m.msg.len() as u64);
            }
            return ok;
        }
        let ok = self.deliver_to_client(sub, m);
        if ok {
            self.count_account(ctx.account, m.msg.len() as u64);
        }
        ok
    }

    fn deliver_to_client(&mut self, sub: &SubRef, m: &Message<'_>) -> bool {
        let client = &sub.client;
        if sub.is_closed() || client.is_closed() {
            return false;
        }
        // Subscribe denies filter what a wider wildcard or queue subscription would receive, and replies of
        // delivered requests become publishable under allow_responses (Go's deliverMsg).
        let perms = if client.deliver_checks.load(Ordering::Acquire) {
            client.perms()
        } else {
            None
        };
        if let Some(p) = &perms {
            if p.filters_delivery()
                && p.delivery_denied(m.subject, sub.queue.as_deref().unwrap_or(b""))
            {
                return false;
            }
        }
        let n = sub.delivered.fetch_add(1, Ordering::Relaxed) + 1;
        let max = sub.max.load(Ordering::Relaxed);
        if max > 0 && n > max {
            client.remove_sub(sub);
            return false;
        }
        let with_headers = m.header_len > 0 && client.supports_headers();
        let body: &[u8] = if m.header_len > 0 && !with_headers {
            &m.msg[m.header_len.min(m.msg.len())..]
        } else {
            m.msg
        };
        let mut start = 0;
        let queued = client.out.queue_with(|buf| {
            start = buf.len();
            encode_msg(buf, m, &sub.sid, with_headers, body);
            if crate::logging::trace_enabled() {
                // The frame's control line, without CRLF, exactly as written.
                let line_end = buf[start..].iter().position(|b| *b == b'\n').unwrap_or(0);
                let line = String::from_utf8_lossy(&buf[start..start + line_end.saturating_sub(1)])
                    .into_owned();
                let label = client.label();
                super::trace::op(&label, false, &line, &[]);
                // Go's traceMsgDelivery cuts delivered payloads to max_traced_msg_len too.
                super::trace::payload(&label, false, body, crate::logging::max_traced_msg_len());
            }
        });
        let done = match queued {
            Queued::Ok { wake, stall } => {
                if wake {
                    self.touched.push(client.clone());
                }
                if stall && self.stalled.is_none() {
                    self.stalled = Some(client.out.clone());
                }
                let size = body.len() as u64;
                client.stats.out_msgs.fetch_add(1, Ordering::Relaxed);
                client.stats.out_bytes.fetch_add(size, Ordering::Relaxed);
                self.out_msgs += 1;
                self.out_bytes += size;
                if let (Some(p), Some(reply)) = (&perms, m.reply) {
                    p.record_reply(reply);
                }
                true
            }
            Queued::SlowConsumer => {
                self.slow_consumer(client);
                false
            }
            Queued::Closed => false,
        };
        if max > 0 && n == max {
            tracing::debug!(
                "{} - Auto-unsubscribe limit of {} reached for sid '{}'",
                client.label(),
                max,
                String::from_utf8_lossy(&sub.sid)
            );
            client.remove_sub(sub);
        }
        done
    }

    fn slow_consumer(&mut self, client: &Arc<ClientHandle>) {
        if client.close(ClosedState::SlowConsumerPendingBytes, false) {
            self.stats.slow_consumers.fetch_add(1, Ordering::Relaxed);
            if let Some(acc) = client.account() {
                acc.stats.slow_consumers.fetch_add(1, Ordering::Relaxed);
            }
            tracing::info!(
                "{} - Slow Consumer Detected: MaxPending of {} Exceeded",
                client.label(),
                client.out.max_pending()
            );
        }
    }
}

/// `MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n` or the `HMSG` form with `<hdr> <total>`.
pub fn encode_msg(
    buf: &mut BytesMut,
    m: &Message<'_>,
    sid: &[u8],
    with_headers: bool,
    body: &[u8],
) {
    let reply_len = m.reply.map_or(0, |r| r.len() + 1);
    buf.reserve(m.subject.len() + sid.len() + reply_len + body.len() + 32);
    buf.put_slice(if with_headers { b"HMSG " } else { b"MSG " });
    buf.put_slice(m.subject);
    buf.put_u8(b' ');
    buf.put_slice(sid);
    buf.put_u8(b' ');
    if let Some(r) = m.reply {
        buf.put_slice(r);
        buf.put_u8(b' ');
    }
    let mut itoa = itoa::Buffer::new();
    if with_headers {
        buf.put_slice(itoa.format(m.header_len).as_bytes());
        buf.put_u8(b' ');
    }
    buf.put_slice(itoa.format(body.len()).as_bytes());
    buf.put_slice(b"\r\n");
    buf.put_slice(body);
    buf.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(m: &Message<'_>, headers: bool) -> Vec<u8> {
        let mut b = BytesMut::new();
        let body = if m.header_len > 0 && !headers {
            &m.msg[m.header_len..]
        } else {
            m.msg
        };
        encode_msg(&mut b, m, b"1", headers && m.header_len > 0, body);
        b.to_vec()
    }

    #[test]
    fn msg_and_hmsg_frames() {
        let plain = Message {
            subject: b"foo",
            reply: None,
            header_len: 0,
            msg: b"hello",
        };
        assert_eq!(enc(&plain, true), b"MSG foo 1 5\r\nhello\r\n");
        let hdr = Message {
            subject: b"foo",
            reply: Some(b"bar"),
            header_len: 12,
            msg: b"NATS/1.0\r\n\r\nhi",
        };
        assert_eq!(
            enc(&hdr, true),
            b"HMSG foo 1 bar 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
        );
        // A client without headers support gets MSG with the header block stripped.
        assert_eq!(enc(&hdr, false), b"MSG foo 1 bar 2\r\nhi\r\n");
    }
}
