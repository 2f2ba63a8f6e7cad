//! Priority groups of pull consumers (Go's `PriorityPolicy`): `overflow` serves a request only
//! past its `min_pending` / `min_ack_pending`, `pinned_client` serves one client (by its
//! `Nats-Pin-Id`) until it stops asking for `priority_timeout`, `prioritized` serves lower
//! `priority` values first. Matches Go's `nextWaiting`, `popOrPopAndRequeue`,
//! `insertAtPosition`, `assignNewPinId` and the priority checks of `processNextMsgRequest` and
//! `checkConsumerCfg`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::pull::{status, PriorityGroup, WaitingRequest};
use super::{Consumer, State};
use crate::accounts::Account;
use crate::client::delivery::Fanout;
use crate::jetstream::api::consumer_config::ConsumerConfig;
use crate::jetstream::api::enums::PriorityPolicy;
use crate::jetstream::api::{ApiError, ErrorId, GoTime};
use crate::server::ServerShared;

/// Go's `JsDefaultPinnedTTL`.
pub const DEFAULT_PINNED_TTL: i64 = 120_000_000_000;

/// A pin change to announce once the state lock is released.
pub enum PinEvent {
    Pinned { group: String, id: String },
    Unpinned { group: String, reason: &'static str },
}

/// Go's `validGroupName`: `^[a-zA-Z0-9/_=-]{1,16}$`.
pub fn valid_group_name(g: &str) -> bool {
    (1..=16).contains(&g.len())
        && g.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'=' | b'-'))
}

/// The priority part of Go's `checkConsumerCfg`.
pub fn check_config(cfg: &ConsumerConfig) -> Result<(), ApiError> {
    if cfg.priority_policy != PriorityPolicy::None {
        if !cfg.deliver_subject.is_empty() {
            return Err(ErrorId::ConsumerPushWithPriorityGroup.err());
        }
        if cfg.priority_groups.is_empty() {
            return Err(ErrorId::ConsumerPriorityPolicyWithoutGroup.err());
        }
        for g in &cfg.priority_groups {
            if g.is_empty() {
                return Err(ErrorId::ConsumerEmptyGroupName.err());
            }
            if !valid_group_name(g) {
                return Err(ErrorId::ConsumerInvalidGroupName.err());
            }
        }
    } else {
        if !cfg.priority_groups.is_empty() {
            return Err(ErrorId::ConsumerPriorityGroupWithPolicyNone.err());
        }
        if cfg.pinned_ttl > 0 {
            return Err(ErrorId::ConsumerPinnedTTLWithoutPriorityPolicyNone.err());
        }
    }
    Ok(())
}

/// How long a pin lives without a request from its client.
pub fn pinned_ttl(cfg: &ConsumerConfig) -> Duration {
    Duration::from_nanos(cfg.pinned_ttl.max(0) as u64)
}

/// The checks of a request's priority fields that need no state (Go's
/// `processNextMsgRequest`); Some(status) refuses it.
pub fn check_request(cfg: &ConsumerConfig, g: &PriorityGroup) -> Option<Vec<u8>> {
    let policy = cfg.priority_policy;
    if (g.min_pending != 0 || g.min_ack_pending != 0) && policy != PriorityPolicy::Overflow {
        return Some(status(
            400,
            "Bad Request - Not a Overflow Priority consumer",
        ));
    }
    if !g.id.is_empty() && policy != PriorityPolicy::PinnedClient {
        return Some(status(
            400,
            "Bad Request - Not a Pinned Client Priority consumer",
        ));
    }
    if !(0..=9).contains(&g.priority) {
        return Some(status(
            400,
            "Bad Request - Priority must be between 0 and 9",
        ));
    }
    if policy != PriorityPolicy::None {
        if g.group.is_empty() {
            return Some(status(400, "Bad Request - Priority Group missing"));
        }
        if !cfg.priority_groups.contains(&g.group) {
            return Some(status(400, "Bad Request - Invalid Priority Group"));
        }
    }
    None
}

/// Go's `insertAtPosition`: after every request of the same or a better (lower) priority.
pub fn insert_sorted(q: &mut VecDeque<WaitingRequest>, wr: WaitingRequest) {
    let p = wr.priority();
    let at = q.iter().position(|w| w.priority() > p).unwrap_or(q.len());
    q.insert(at, wr);
}

/// Go's `unassignPinId`.
pub fn unpin(s: &mut State) {
    s.pin_id.clear();
    s.pinned_ts = GoTime::ZERO;
    s.pin_deadline = None;
}

fn wrong_pin(wr: &WaitingRequest) -> Vec<u8> {
    format!(
        "NATS/1.0 423 Nats-Wrong-Pin-Id\r\nNats-Pending-Messages: {}\r\nNats-Pending-Bytes: {}\r\n\r\n",
        wr.n, wr.b
    )
    .into_bytes()
}

/// Where a message goes among the waiting requests (Go's `nextWaiting` and the pop that
/// follows): the reply subject, or None when no request may take it now. `npc` is the pending
/// count after this message was taken, as in Go.
#[allow(clippy::too_many_arguments)]
pub fn next_waiting(
    c: &Consumer,
    s: &mut State,
    size: i64,
    npc: i64,
    acc: &Arc<Account>,
    server: &ServerShared,
    fan: &mut Fanout<'_>,
) -> Option<Vec<u8>> {
    let policy = c.cfg.priority_policy;
    let need_new_pin = s.pin_id.is_empty() && policy == PriorityPolicy::PinnedClient;
    let mut cycled = 0usize;
    let mut send = |reply: &[u8], h: &[u8]| acc.deliver_internal(fan, server, reply, None, h, b"");
    loop {
        let wr = s.waiting.front_mut()?;
        if wr.expires.is_some_and(|e| e <= Instant::now()) {
            let h = format!(
                "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: {}\r\nNats-Pending-Bytes: {}\r\n\r\n",
                wr.n, wr.b
            );
            send(&wr.reply, h.as_bytes());
            s.waiting.pop_front();
            continue;
        }
        let mut assigned = false;
        if need_new_pin {
            let old_pin = wr.group.as_ref().is_some_and(|g| !g.id.is_empty());
            if old_pin {
                // A pin from before (most likely an old one): tell the client and drop it.
                let h = wrong_pin(wr);
                send(&wr.reply, &h);
                s.waiting.pop_front();
                continue;
            }
            assigned = true;
            if let Some(g) = wr.group.as_mut().filter(|g| !g.group.is_empty()) {
                let id = crate::jetstream::engine::advisory::event_id();
                g.id = id.clone();
                let group = g.group.clone();
                s.pin_id = id.clone();
                s.pinned_ts = GoTime::now();
                s.pin_deadline = Some(Instant::now() + pinned_ttl(&c.cfg));
                s.pin_group = group.clone();
                s.pin_events.push(PinEvent::Pinned { group, id });
            }
        } else if !s.pin_id.is_empty() {
            match &wr.group {
                Some(g) if g.id == s.pin_id => {}
                Some(g) if !g.id.is_empty() => {
                    let h = wrong_pin(wr);
                    send(&wr.reply, &h);
                    s.waiting.pop_front();
                    continue;
                }
                _ => {
                    // Not the pinned client: it waits its turn behind the others.
                    cycle(&mut s.waiting);
                    cycled += 1;
                    if cycled >= s.waiting.len() {
                        return None;
                    }
                    continue;
                }
            }
        }
        let wr = s.waiting.front_mut()?;
        if policy == PriorityPolicy::Overflow {
            if let Some(g) = &wr.group {
                let limited = g.min_pending > 0 || g.min_ack_pending > 0;
                let reached = (g.min_pending > 0 && g.min_pending <= npc + 1)
                    || (g.min_ack_pending > 0 && g.min_ack_pending <= s.pending.len() as i64);
                if limited && !reached {
                    cycle(&mut s.waiting);
                    cycled += 1;
                    if cycled >= s.waiting.len() {
                        return None;
                    }
                    continue;
                }
            }
        }
        let wr = s.waiting.front_mut()?;
        if wr.b > 0 {
            if size <= wr.b {
                wr.b -= size;
                if wr.b == 0 {
                    wr.n = 1;
                }
            } else {
                let h = format!(
                    "NATS/1.0 409 Message Size Exceeds MaxBytes\r\nNats-Pending-Messages: {}\r\nNats-Pending-Bytes: {}\r\n\r\n",
                    wr.n, wr.b
                );
                send(&wr.reply, h.as_bytes());
                if assigned {
                    unpin(s);
                }
                s.waiting.pop_front();
                continue;
            }
        }
        if !acc.sublist.has_interest(&wr.reply) {
            s.waiting.pop_front();
            continue;
        }
        return pop(&mut s.waiting, policy);
    }
}

/// Go's `waitQueue.cycle`: the head goes to the back.
fn cycle(q: &mut VecDeque<WaitingRequest>) {
    if let Some(wr) = q.pop_front() {
        q.push_back(wr);
    }
}

/// Go's `pop` and `popAndRequeue`: one message for the head request, which then goes to the
/// back (of its priority, when prioritized) while it wants more.
fn pop(q: &mut VecDeque<WaitingRequest>, policy: PriorityPolicy) -> Option<Vec<u8>> {
    let mut wr = q.pop_front()?;
    wr.d += 1;
    wr.n -= 1;
    if let (Some(hb), Some(_)) = (wr.heartbeat, wr.next_heartbeat) {
        wr.next_heartbeat = Some(Instant::now() + hb);
    }
    let reply = wr.reply.clone();
    if wr.n > 0 {
        if policy == PriorityPolicy::Prioritized {
            insert_sorted(q, wr);
        } else {
            q.push_back(wr);
        }
    }
    Some(reply)
}

/// Go's `genHeader(hdr, "Nats-Pin-Id", id)`.
pub fn with_pin_header(hdr: &[u8], id: &str) -> Vec<u8> {
    let mut h = if hdr.len() > 2 {
        hdr[..hdr.len() - 2].to_vec()
    } else {
        b"NATS/1.0\r\n".to_vec()
    };
    h.extend_from_slice(format!("Nats-Pin-Id: {id}\r\n\r\n").as_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_as_go_allows() {
        for ok in ["A", "a-b_c/d=e", "0123456789abcdef"] {
            assert!(valid_group_name(ok), "{ok}");
        }
        for bad in ["", "0123456789abcdefg", "a b", "a.b", "a*", "ä"] {
            assert!(!valid_group_name(bad), "{bad}");
        }
    }

    #[test]
    fn pin_header_joins_existing_headers() {
        assert_eq!(
            with_pin_header(b"", "X"),
            b"NATS/1.0\r\nNats-Pin-Id: X\r\n\r\n".to_vec()
        );
        assert_eq!(
            with_pin_header(b"NATS/1.0\r\nA: b\r\n\r\n", "X"),
            b"NATS/1.0\r\nA: b\r\nNats-Pin-Id: X\r\n\r\n".to_vec()
        );
    }
}
