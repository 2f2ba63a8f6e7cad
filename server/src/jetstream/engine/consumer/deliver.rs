//! The delivery task of a consumer (Go's `loopAndGatherMsgs`, `getNextMsg`, `deliverMsg`,
//! `processWaiting`, `checkPending`, `sendIdleHeartbeat`, `sendFlowControl`): wakes on new
//! messages, requests, acks and its own timers, and delivers what it can in one batch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{ack::ack_wait, Consumer, Pending, State};
use crate::client::delivery::Fanout;
use crate::jetstream::api::enums::{AckPolicy, PriorityPolicy};
use crate::jetstream::api::GoTime;
use crate::jetstream::store::StoreMsg;

/// How often a push consumer without interest looks again.
const INTEREST_POLL: Duration = Duration::from_millis(50);

pub fn spawn(c: &Arc<Consumer>) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(c);
    let wake = c.wake.clone();
    rt.spawn(async move {
        loop {
            let wake_at = {
                let Some(c) = weak.upgrade() else { return };
                match pump(&c) {
                    Step::Stop => return,
                    Step::Wait(at) => at,
                }
            };
            let notified = wake.notified();
            match wake_at {
                Some(at) => {
                    let _ = tokio::time::timeout_at(at.into(), notified).await;
                }
                None => notified.await,
            }
        }
    });
}

enum Step {
    Stop,
    Wait(Option<Instant>),
}

fn earliest(a: Option<Instant>, b: Instant) -> Option<Instant> {
    Some(a.map_or(b, |a| a.min(b)))
}

fn header_block(lines: &[(&str, String)], status: &str) -> Vec<u8> {
    let mut h = format!("NATS/1.0{status}\r\n");
    for (k, v) in lines {
        h.push_str(k);
        h.push_str(": ");
        h.push_str(v);
        h.push_str("\r\n");
    }
    h.push_str("\r\n");
    h.into_bytes()
}

/// One round of work. Returns when to run again (None: only when woken).
fn pump(c: &Arc<Consumer>) -> Step {
    let Some(stream) = c.stream.upgrade() else {
        return Step::Stop;
    };
    let Some(server) = stream.server() else {
        return Step::Stop;
    };
    let acc = stream.account.clone();
    let mut fan = Fanout::new(&server.stats, rand::random());
    let mut delete_me = false;
    let mut resumed = false;
    let mut wake: Option<Instant> = None;
    {
        let Ok(mut s) = c.state.lock() else {
            return Step::Stop;
        };
        if s.closed {
            return Step::Stop;
        }
        let now = Instant::now();
        // Ack deadlines passed: queue for redelivery (Go's checkPending).
        if c.cfg.ack_policy != AckPolicy::None {
            let due: Vec<u64> = s
                .pending
                .iter()
                .filter(|(_, p)| p.deadline <= now)
                .map(|(k, _)| *k)
                .collect();
            for seq in due {
                if !s.rdq.contains(&seq) {
                    s.rdq.push_back(seq);
                }
            }
        }
        // Pull requests: expiry, heartbeats, lost interest.
        if !c.is_push() {
            let mut keep = std::collections::VecDeque::new();
            while let Some(mut wr) = s.waiting.pop_front() {
                if wr.expires.is_some_and(|e| e <= now) {
                    let h = header_block(
                        &[
                            ("Nats-Pending-Messages", wr.n.to_string()),
                            ("Nats-Pending-Bytes", wr.b.to_string()),
                        ],
                        " 408 Request Timeout",
                    );
                    acc.deliver_internal(&mut fan, &server, &wr.reply, None, &h, b"");
                    continue;
                }
                if !acc.sublist.has_interest(&wr.reply) {
                    continue;
                }
                if let (Some(hb), Some(at)) = (wr.heartbeat, wr.next_heartbeat) {
                    if at <= now {
                        send_heartbeat(c, &s, &acc, &server, &mut fan, &wr.reply);
                        wr.next_heartbeat = Some(now + hb);
                    }
                }
                keep.push_back(wr);
            }
            s.waiting = keep;
        } else {
            let interest = acc.sublist.has_interest(c.cfg.deliver_subject.as_bytes());
            s.active = interest;
        }
        if s.active || !s.waiting.is_empty() {
            s.last_active = now;
        }
        // A pin whose client stopped asking lapses (Go's pinned TTL timer).
        if let Some(at) = s.pin_deadline {
            if at <= now && !s.pin_id.is_empty() {
                let group = std::mem::take(&mut s.pin_group);
                super::priority::unpin(&mut s);
                s.pin_events.push(super::priority::PinEvent::Unpinned {
                    group,
                    reason: "timeout",
                });
            } else {
                wake = earliest(wake, at);
            }
        }
        let mut npc = c.running_pending(&mut s);
        // Paused: nothing is delivered until the time comes (heartbeats and expiry go on).
        let paused = c.paused_until();
        match paused {
            Some(at) => wake = earliest(wake, at),
            None => {
                if s.resume_advisory {
                    s.resume_advisory = false;
                    resumed = true;
                }
                if s.pace.replay && s.pace.replay_until.is_none() {
                    s.pace.replay_until = Some(stream.store().fast_state().last_seq);
                }
                if let Some(at) = deliver_all(c, &mut s, &stream, &acc, &server, &mut fan, &mut npc)
                {
                    wake = earliest(wake, at);
                }
            }
        }
        s.npc = Some(npc.max(0));
        // End of stream for no-wait requests (Go's processWaiting(eos=true)); a paused
        // consumer has nothing more to give them.
        if !c.is_push() {
            let has_more = paused.is_none() && (!s.rdq.is_empty() || npc > 0);
            if !has_more {
                let mut keep = std::collections::VecDeque::new();
                while let Some(wr) = s.waiting.pop_front() {
                    if wr.no_wait && (wr.expires.is_none() || wr.d > 0) {
                        let h = header_block(&[], " 404 No Messages");
                        acc.deliver_internal(&mut fan, &server, &wr.reply, None, &h, b"");
                        continue;
                    }
                    keep.push_back(wr);
                }
                s.waiting = keep;
            }
        }
        // Idle heartbeats of a push consumer.
        if c.is_push() && c.cfg.heartbeat > 0 {
            let hb = Duration::from_nanos(c.cfg.heartbeat as u64);
            if s.active && now.duration_since(s.last_sent) >= hb {
                let subj = c.cfg.deliver_subject.clone().into_bytes();
                send_heartbeat(c, &s, &acc, &server, &mut fan, &subj);
                // Acks come with flow control replies: ask for one when deliveries are
                // outstanding (Go's sendFlowControl on the heartbeat).
                if c.cfg.ack_policy == AckPolicy::FlowControl
                    && !s.pending.is_empty()
                    && s.fc_id.is_none()
                {
                    send_flow_control(c, &mut s, &acc, &server, &mut fan, &subj);
                }
                s.last_sent = now;
            }
            wake = earliest(wake, s.last_sent + hb);
        }
        // Timers: ack deadlines, request expiry and heartbeats, interest polling.
        if c.cfg.ack_policy != AckPolicy::None {
            if let Some(d) = s.pending.values().map(|p| p.deadline).min() {
                wake = earliest(wake, d.max(now + Duration::from_millis(1)));
            }
        }
        for wr in &s.waiting {
            if let Some(e) = wr.expires {
                wake = earliest(wake, e);
            }
            if let Some(h) = wr.next_heartbeat {
                wake = earliest(wake, h);
            }
        }
        if c.is_push() && !s.active {
            wake = earliest(wake, now + INTEREST_POLL);
        }
        // Inactive threshold: an idle consumer removes itself.
        if c.cfg.inactive_threshold > 0 {
            let t = Duration::from_nanos(c.cfg.inactive_threshold as u64);
            let idle = if c.is_push() {
                !s.active
            } else {
                s.waiting.is_empty()
            };
            if idle {
                if now.duration_since(s.last_active) >= t {
                    delete_me = true;
                } else {
                    wake = earliest(wake, s.last_active + t);
                }
            }
        }
    }
    fan.finish_batch();
    let (exceeded, done_with, pin_events) = c
        .state
        .lock()
        .map(|mut s| {
            (
                std::mem::take(&mut s.max_delivered),
                std::mem::take(&mut s.done_with),
                std::mem::take(&mut s.pin_events),
            )
        })
        .unwrap_or_default();
    for e in pin_events {
        crate::jetstream::engine::advisory::pin_event(&server, &acc, c, &e, &stream.domain());
    }
    if stream.config().retention != crate::jetstream::api::enums::RetentionPolicy::Limits {
        for seq in done_with {
            stream.ack_msg(c, seq);
        }
    }
    if resumed {
        crate::jetstream::engine::advisory::consumer_pause(
            &server,
            &acc,
            &c.stream_name,
            &c.name,
            c.cfg.pause_until,
            &stream.domain(),
        );
    }
    for (seq, dc) in exceeded {
        c.delivery_advisory(
            seq,
            dc,
            crate::jetstream::engine::advisory::DeliveryEvent::MaxDeliveries,
        );
    }
    if delete_me {
        stream.remove_consumer(&c.name);
        return Step::Stop;
    }
    if let Some(due) = c.flush_state(false) {
        wake = earliest(wake, due);
    }
    Step::Wait(wake)
}

fn send_heartbeat(
    c: &Consumer,
    s: &State,
    acc: &Arc<crate::accounts::Account>,
    server: &crate::server::ServerShared,
    fan: &mut Fanout<'_>,
    subject: &[u8],
) {
    let mut lines = vec![
        ("Nats-Last-Consumer", (s.dseq.max(1) - 1).to_string()),
        ("Nats-Last-Stream", (s.sseq.max(1) - 1).to_string()),
    ];
    if let Some(fc) = &s.fc_id {
        lines.push(("Nats-Consumer-Stalled", fc.clone()));
    }
    let _ = c;
    let h = header_block(&lines, " 100 Idle Heartbeat");
    acc.deliver_internal(fan, server, subject, None, &h, b"");
}

/// Go's `sendFlowControl`: a request the receiver answers on a fresh `$JS.FC` reply.
fn send_flow_control(
    c: &Consumer,
    s: &mut State,
    acc: &Arc<crate::accounts::Account>,
    server: &crate::server::ServerShared,
    fan: &mut Fanout<'_>,
    subject: &[u8],
) {
    let fc = format!(
        "$JS.FC.{}.{}.{}",
        c.stream_name,
        c.name,
        crate::jetstream::engine::consumer::config::random_token(4)
    );
    s.fc_size = s.pbytes;
    s.fc_id = Some(fc.clone());
    let h = b"NATS/1.0 100 FlowControl Request\r\n\r\n";
    acc.deliver_internal(fan, server, subject, Some(fc.as_bytes()), h, b"");
}

/// The next message to deliver and its delivery count (Go's `getNextMsg`).
fn next_msg(
    c: &Consumer,
    s: &mut State,
    stream: &crate::jetstream::engine::Stream,
) -> Option<(StoreMsg, u64)> {
    let store = stream.store();
    while let Some(seq) = s.rdq.pop_front() {
        if !s.pending.contains_key(&seq) {
            continue;
        }
        let dc = s.redelivered.get(&seq).copied().unwrap_or(1) + 1;
        if c.cfg.max_deliver > 0 && dc as i64 > c.cfg.max_deliver {
            // Delivered as often as allowed: no longer pending (Go's notifyDeliveryExceeded,
            // sent once the state lock is released).
            s.max_delivered.push((seq, dc - 1));
            if let Some(p) = s.pending.remove(&seq) {
                if s.pending.is_empty() || p.dseq == s.ack_floor_dseq + 1 {
                    s.ack_floor_dseq = s.ack_floor_dseq.max(p.dseq);
                    s.ack_floor_sseq = s.ack_floor_sseq.max(seq);
                }
            }
            continue;
        }
        match store.load_msg(seq) {
            Ok(m) => {
                s.redelivered.insert(seq, dc);
                return Some((m, dc));
            }
            Err(_) => {
                s.pending.remove(&seq);
                continue;
            }
        }
    }
    if c.cfg.ack_policy != AckPolicy::None
        && c.cfg.max_ack_pending > 0
        && s.pending.len() as i64 >= c.cfg.max_ack_pending
    {
        return None;
    }
    s.took_from_skip = None;
    if let Some((seqs, resume)) = &mut s.skip_list {
        let seq = seqs.pop_front()?;
        s.took_from_skip = Some(*resume);
        if seqs.is_empty() {
            s.sseq = *resume + 1;
            s.skip_list = None;
        } else {
            s.sseq = seq + 1;
        }
        return store.load_msg(seq).ok().map(|m| (m, 1));
    }
    let filters = c.filters();
    let r = match filters.len() {
        0 => store.load_next_msg("", false, s.sseq),
        1 => store.load_next_msg(&filters[0], c.has_wildcard_filter(), s.sseq),
        _ => store.load_next_msg_multi(filters, s.sseq),
    };
    match r {
        Ok(m) => {
            s.sseq = m.seq + 1;
            Some((m, 1))
        }
        Err(_) => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn deliver_all(
    c: &Arc<Consumer>,
    s: &mut State,
    stream: &crate::jetstream::engine::Stream,
    acc: &Arc<crate::accounts::Account>,
    server: &crate::server::ServerShared,
    fan: &mut Fanout<'_>,
    npc: &mut i64,
) -> Option<Instant> {
    let rate = c.cfg.rate_limit / 8;
    let burst = match stream.config().max_msg_size {
        n if n > 0 => i64::from(n),
        _ => i64::from(server.opts().max_payload),
    };
    // Bounded per round so a huge backlog does not starve the runtime; the task runs again at once.
    for _ in 0..4096 {
        if c.is_push() {
            if !s.active || (s.maxpb > 0 && s.pbytes > s.maxpb) {
                return None;
            }
        } else if s.waiting.is_empty() {
            return None;
        }
        let Some((m, dc)) = next_msg(c, s, stream) else {
            s.pace.caught_up(s.sseq);
            return None;
        };
        if dc == 1 {
            *npc -= 1;
        }
        let dseq = s.dseq;
        let reply = c.ack_reply(m.seq, dseq, dc, m.ts, (*npc).max(0) as u64);
        let (mut hdr, payload): (Vec<u8>, &[u8]) = if c.cfg.headers_only {
            let mut h = if m.hdr.is_empty() {
                b"NATS/1.0\r\n\r\n".to_vec()
            } else {
                m.hdr.to_vec()
            };
            h.truncate(h.len() - 2);
            h.extend_from_slice(format!("Nats-Msg-Size: {}\r\n\r\n", m.msg.len()).as_bytes());
            (h, &[][..])
        } else {
            (m.hdr.to_vec(), &m.msg[..])
        };
        let size = (m.subject.len() + reply.len() + hdr.len() + payload.len()) as i64;
        if let Err(at) = s.pace.gate(m.ts, size, rate, burst, Instant::now()) {
            // Not yet: it goes back and the task wakes when it may go.
            hold_back(s, &m, dc, npc);
            return Some(at);
        }
        let dsubj: Vec<u8> = if c.is_push() {
            c.cfg.deliver_subject.clone().into_bytes()
        } else {
            let Some(reply_to) = super::priority::next_waiting(c, s, size, *npc, acc, server, fan)
            else {
                // No request may take it now: put it back for later.
                unwind(s, &m, dc, npc);
                return None;
            };
            reply_to
        };
        if !c.is_push() && c.cfg.priority_policy == PriorityPolicy::PinnedClient {
            hdr = super::priority::with_pin_header(&hdr, &s.pin_id);
        }
        acc.deliver_as(
            fan,
            server,
            &dsubj,
            m.subject.as_bytes(),
            Some(reply.as_bytes()),
            &hdr,
            payload,
        );
        s.dseq += 1;
        c.mark_dirty();
        let now = Instant::now();
        s.last_sent = now;
        s.last_delivery = Some(GoTime::now());
        if c.cfg.ack_policy == AckPolicy::None {
            s.ack_floor_dseq = dseq;
            s.ack_floor_sseq = m.seq;
            // Retention is told once the state lock is released (other consumers get asked).
            s.done_with.push(m.seq);
        } else {
            let wait = match c.cfg.back_off.as_slice() {
                [] => ack_wait(c),
                b => {
                    let i = (s.redelivered.get(&m.seq).copied().unwrap_or(1) as usize - 1)
                        .min(b.len() - 1);
                    Duration::from_nanos(b[i].max(0) as u64)
                }
            };
            let entry = s.pending.entry(m.seq).or_insert(Pending {
                dseq,
                ts: 0,
                deadline: now,
            });
            entry.ts = GoTime::now().unix_nanos() as i64;
            entry.deadline = now + wait;
        }
        if s.maxpb > 0 {
            s.pbytes += size;
            // Go's needFlowControl: past half the window, or (acks by flow control) at the
            // ack pending limit.
            let at_max_pending = c.cfg.ack_policy == AckPolicy::FlowControl
                && c.cfg.max_ack_pending > 0
                && s.pending.len() as i64 >= c.cfg.max_ack_pending;
            if s.fc_id.is_none() && (s.pbytes > s.maxpb / 2 || at_max_pending) {
                send_flow_control(c, s, acc, server, fan, &dsubj);
            }
        }
    }
    // More to do: come back at once.
    c.signal();
    None
}

/// A message that must wait (replay gap, rate limit) goes back to be taken first next time,
/// into the last-per-subject list when it came from there.
fn hold_back(s: &mut State, m: &StoreMsg, dc: u64, npc: &mut i64) {
    match (dc, s.took_from_skip.take()) {
        (1, Some(resume)) => {
            match &mut s.skip_list {
                Some((seqs, _)) => seqs.push_front(m.seq),
                None => s.skip_list = Some(([m.seq].into(), resume)),
            }
            *npc += 1;
        }
        _ => unwind(s, m, dc, npc),
    }
}

/// A message taken but not delivered goes back (Go's `didNotDeliver` bookkeeping).
fn unwind(s: &mut State, m: &StoreMsg, dc: u64, npc: &mut i64) {
    if dc == 1 {
        if m.seq + 1 == s.sseq {
            s.sseq = m.seq;
        }
        *npc += 1;
    } else if !s.rdq.contains(&m.seq) {
        if let Some(n) = s.redelivered.get_mut(&m.seq) {
            *n -= 1;
        }
        s.rdq.push_front(m.seq);
    }
}
