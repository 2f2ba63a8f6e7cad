//! Acks and flow control replies: the internal subscriptions `$JS.ACK.<stream>.<consumer>.>` and
//! `$JS.FC.<stream>.<consumer>.*`, processed as Go's `processAck`, `processAckMsg`,
//! `processNak`, `processTerm`, `moveAckFloor` and `processFlowControl` do.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::{Consumer, State};
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::jetstream::api::enums::AckPolicy;
use crate::jetstream::api::GoTime;
use crate::jetstream::engine::advisory::DeliveryEvent;
use crate::jetstream::engine::Stream;

/// Subscribe the consumer's ack, flow control and (pull) next subjects.
pub fn subscribe(c: &Arc<Consumer>, stream: &Arc<Stream>) {
    let acc = &stream.account;
    let mut subs = Vec::new();
    let ack = format!("$JS.ACK.{}.{}.>", stream.name, c.name);
    let h: Arc<dyn MsgHandler> = Arc::new(AckHandler {
        consumer: Arc::downgrade(c),
    });
    subs.extend(acc.subscribe_internal(ack.as_bytes(), h));
    if c.cfg.flow_control {
        let fc = format!("$JS.FC.{}.{}.*", stream.name, c.name);
        let h: Arc<dyn MsgHandler> = Arc::new(FlowControlHandler {
            consumer: Arc::downgrade(c),
        });
        subs.extend(acc.subscribe_internal(fc.as_bytes(), h));
    }
    if !c.is_push() {
        let next = format!("$JS.API.CONSUMER.MSG.NEXT.{}.{}", stream.name, c.name);
        let h: Arc<dyn MsgHandler> = Arc::new(super::pull::NextHandler {
            consumer: Arc::downgrade(c),
        });
        subs.extend(acc.subscribe_internal(next.as_bytes(), h));
    }
    if let Ok(mut s) = c.subs.lock() {
        *s = subs;
    }
}

struct AckHandler {
    consumer: Weak<Consumer>,
}

/// The numbers of an ack reply subject (Go's `ackReplyInfo`): delivery count, stream and
/// consumer sequences.
fn parse_ack_subject(subject: &[u8]) -> Option<(u64, u64, u64)> {
    let s = std::str::from_utf8(subject).ok()?;
    let toks: Vec<&str> = s.split('.').collect();
    // $JS.ACK.<stream>.<consumer>.<dc>.<sseq>.<dseq>.<ts>.<pending> (v1, 9 tokens), or the v2
    // form with domain and account hash in front (12 tokens, with a trailing token).
    let base = match toks.len() {
        9 => 4,
        n if n >= 11 => 6,
        _ => return None,
    };
    let num = |i: usize| toks.get(i).and_then(|t| t.parse::<u64>().ok());
    Some((num(base)?, num(base + 1)?, num(base + 2)?))
}

impl MsgHandler for AckHandler {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(c) = self.consumer.upgrade() else {
            return false;
        };
        let Some((dc, sseq, dseq)) = parse_ack_subject(m.subject) else {
            return true;
        };
        let hl = m.header_len.min(m.msg.len());
        let body = m.msg[hl..].trim_ascii();
        let respond = process(&c, body, sseq, dseq, dc, m.reply);
        if let (Some(reply), true) = (m.reply, respond) {
            // Go answers an ack that has a reply (a sync ack) with an empty message.
            ctx.account
                .deliver_internal(fan, ctx.server, reply, None, b"", b"");
        }
        true
    }
}

/// Apply one ack; true when a reply should confirm it.
fn process(
    c: &Arc<Consumer>,
    body: &[u8],
    sseq: u64,
    dseq: u64,
    dc: u64,
    reply: Option<&[u8]>,
) -> bool {
    let kind = body.split(|b| *b == b' ').next().unwrap_or(b"");
    match kind {
        b"" | b"+ACK" => {
            ack(c, sseq, dseq, dc);
            true
        }
        b"+NXT" => {
            ack(c, sseq, dseq, dc);
            if let Some(r) = reply {
                let rest = body.get(4..).unwrap_or(b"");
                if let Some(err) = super::pull::request(c, r, rest) {
                    tracing::debug!("next request refused: {}", String::from_utf8_lossy(&err));
                }
            }
            false
        }
        b"-NAK" => {
            nak(c, sseq, dc, body.get(4..).unwrap_or(b"").trim_ascii());
            c.delivery_advisory(sseq, dc, DeliveryEvent::Nak { consumer_seq: dseq });
            true
        }
        b"+WPI" => {
            progress(c, sseq);
            true
        }
        b"+TERM" => {
            term(c, sseq, dseq);
            let reason = String::from_utf8_lossy(body.get(5..).unwrap_or(b"").trim_ascii());
            c.delivery_advisory(
                sseq,
                dc,
                DeliveryEvent::Terminated {
                    consumer_seq: dseq,
                    reason: &reason,
                },
            );
            true
        }
        _ => false,
    }
}

/// Go's `moveAckFloor`.
fn move_ack_floor(s: &mut State, dseq: u64, sseq: u64) {
    if s.pending.is_empty() {
        s.ack_floor_dseq = s.dseq - 1;
        s.ack_floor_sseq = s.sseq - 1;
    } else if dseq == s.ack_floor_dseq + 1 {
        s.ack_floor_dseq = dseq;
        s.ack_floor_sseq = sseq;
        if let Some((ss, p)) = s.pending.range(sseq + 1..s.sseq).next() {
            if p.dseq > 0 {
                s.ack_floor_dseq = p.dseq - 1;
                s.ack_floor_sseq = ss - 1;
            }
        }
    }
}

/// Go's `shouldSample`: whether this ack is one of the `sample_freq` percent reported.
fn should_sample(c: &Consumer) -> bool {
    let f = super::config::sample_frequency(&c.cfg.sample_frequency).unwrap_or(0);
    match f {
        ..=0 => false,
        100.. => true,
        _ => rand::random::<u32>() % 100 <= f as u32,
    }
}

/// Go's `processAckMsg`.
fn ack(c: &Arc<Consumer>, sseq: u64, dseq: u64, dc: u64) {
    let mut acked = Vec::new();
    let mut sample = None;
    {
        let Ok(mut s) = c.state.lock() else { return };
        if sseq >= s.sseq && !c.cfg.flow_control {
            return;
        }
        s.last_ack = Some(GoTime::now());
        match c.cfg.ack_policy {
            AckPolicy::Explicit => {
                if let Some(p) = s.pending.get(&sseq) {
                    if !c.cfg.sample_frequency.is_empty() && should_sample(c) {
                        // Go's sampleAck: the time since delivery, with the ack's own sequences.
                        sample = Some(GoTime::now().unix_nanos() as i64 - p.ts);
                    }
                }
                if let Some(p) = s.pending.remove(&sseq) {
                    move_ack_floor(&mut s, p.dseq, sseq);
                    acked.push(sseq);
                }
                s.redelivered.remove(&sseq);
                s.rdq.retain(|q| *q != sseq);
            }
            AckPolicy::All | AckPolicy::FlowControl => {
                if dseq <= s.ack_floor_dseq || sseq <= s.ack_floor_sseq {
                    return;
                }
                s.ack_floor_dseq = dseq;
                s.ack_floor_sseq = sseq;
                let below: Vec<u64> = s.pending.range(..=sseq).map(|(k, _)| *k).collect();
                for q in below {
                    s.pending.remove(&q);
                    s.redelivered.remove(&q);
                    acked.push(q);
                }
                s.rdq.retain(|q| *q > sseq);
            }
            AckPolicy::None => return,
        }
    }
    c.mark_dirty();
    if let Some(delay) = sample {
        c.ack_metric(sseq, dseq, dc, delay);
    }
    if let Some(stream) = c.stream.upgrade() {
        for seq in acked {
            stream.ack_msg(c, seq);
        }
    }
    c.signal();
}

/// Go's `processNak`: redeliver now, or after the given delay.
fn nak(c: &Arc<Consumer>, sseq: u64, dc: u64, arg: &[u8]) {
    let delay = parse_nak_delay(arg);
    let Ok(mut s) = c.state.lock() else { return };
    if sseq >= s.sseq {
        return;
    }
    let Some(p) = s.pending.get_mut(&sseq) else {
        return;
    };
    match delay {
        Some(d) if !d.is_zero() => {
            p.deadline = Instant::now() + d;
        }
        _ => {
            p.deadline = Instant::now();
            if !s.rdq.contains(&sseq) {
                s.rdq.push_back(sseq);
            }
        }
    }
    let _ = dc;
    drop(s);
    c.signal();
}

/// A `-NAK` argument: `{"delay": <ns>}` or a Go duration.
fn parse_nak_delay(arg: &[u8]) -> Option<Duration> {
    if arg.is_empty() {
        return None;
    }
    if arg[0] == b'{' {
        #[derive(serde::Deserialize)]
        struct D {
            delay: i64,
        }
        let d: D = serde_json::from_slice(arg).ok()?;
        return (d.delay > 0).then(|| Duration::from_nanos(d.delay as u64));
    }
    crate::gofmt::parse_go_duration(std::str::from_utf8(arg).ok()?).ok()
}

/// Go's `progressUpdate`: the ack wait starts again.
fn progress(c: &Consumer, sseq: u64) {
    let Ok(mut s) = c.state.lock() else { return };
    let wait = ack_wait(c);
    if let Some(p) = s.pending.get_mut(&sseq) {
        p.deadline = Instant::now() + wait;
    }
}

/// Go's `processTerm`: no more deliveries of this message.
fn term(c: &Arc<Consumer>, sseq: u64, dseq: u64) {
    {
        let Ok(mut s) = c.state.lock() else { return };
        if let Some(p) = s.pending.remove(&sseq) {
            move_ack_floor(&mut s, p.dseq, sseq);
        }
        s.redelivered.remove(&sseq);
        s.rdq.retain(|q| *q != sseq);
        let _ = dseq;
    }
    c.mark_dirty();
    if let Some(stream) = c.stream.upgrade() {
        stream.ack_msg(c, sseq);
    }
    c.signal();
}

/// The ack wait of a consumer (Go's default 30s).
pub fn ack_wait(c: &Consumer) -> Duration {
    if c.cfg.ack_wait > 0 {
        Duration::from_nanos(c.cfg.ack_wait as u64)
    } else {
        Duration::from_secs(30)
    }
}

struct FlowControlHandler {
    consumer: Weak<Consumer>,
}

impl MsgHandler for FlowControlHandler {
    fn handle(&self, _fan: &mut Fanout<'_>, _ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(c) = self.consumer.upgrade() else {
            return false;
        };
        {
            let Ok(mut s) = c.state.lock() else {
                return true;
            };
            if s.fc_id.as_deref().map(str::as_bytes) != Some(m.subject) {
                return true;
            }
            let limit = super::FLOW_CONTROL_MAX_PENDING;
            if s.maxpb < limit {
                s.maxpb = (s.maxpb * 2).min(limit);
            }
            s.pbytes = (s.pbytes - s.fc_size).max(0);
            s.fc_id = None;
            s.fc_size = 0;
        }
        c.signal();
        if c.cfg.ack_policy == AckPolicy::FlowControl {
            // The reply says what the receiver has taken: everything up to it is acknowledged.
            let hdr = &m.msg[..m.header_len.min(m.msg.len())];
            let num = |name: &str| {
                crate::jetstream::store::header::slice_header(name, hdr)
                    .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok())
                    .unwrap_or(0)
            };
            let (dseq, sseq) = (num("Nats-Last-Consumer"), num("Nats-Last-Stream"));
            if sseq > 0 {
                ack(&c, sseq, dseq, 1);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_subjects_in_both_forms() {
        assert_eq!(
            parse_ack_subject(b"$JS.ACK.S.C.1.22.3.1700000000000000000.0"),
            Some((1, 22, 3))
        );
        assert_eq!(
            parse_ack_subject(b"$JS.ACK.dom.ACCHASH.S.C.2.5.4.1700000000000000000.7.tok"),
            Some((2, 5, 4))
        );
        assert_eq!(parse_ack_subject(b"$JS.ACK.S.C.x.1.1.1.1"), None);
        assert_eq!(parse_ack_subject(b"$JS.ACK.S.C"), None);
    }

    #[test]
    fn nak_delays() {
        assert_eq!(parse_nak_delay(b""), None);
        assert_eq!(
            parse_nak_delay(br#"{"delay":2000000000}"#),
            Some(Duration::from_secs(2))
        );
        assert_eq!(parse_nak_delay(b"500ms"), Some(Duration::from_millis(500)));
    }
}
