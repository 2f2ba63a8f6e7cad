//! Message schedules (`allow_msg_schedules`): Go's `Nats-Schedule` handling in
//! `processJetStreamMsg` (stream.go) and the scheduler of scheduler.go.
//!
//! A schedule is a stored message: `Nats-Schedule` holds `@at <RFC 3339>`, `@every <duration>`
//! or a six-field cron pattern (optionally in `Nats-Schedule-Time-Zone`), and
//! `Nats-Schedule-Target` the subject to publish on. The publish path checks these headers with
//! Go's errors and adds `Nats-Rollup: sub`, so the newest schedule on a subject replaces the
//! previous one. When a schedule fires, its body and headers (or the last message on
//! `Nats-Schedule-Source`) are stored on the target with `Nats-Scheduler` and
//! `Nats-Schedule-Next` (`purge` for a one-shot, which then removes the schedule, or the next
//! fire time), plus `Nats-TTL` and `Nats-Rollup` from `Nats-Schedule-TTL` and
//! `Nats-Schedule-Rollup`. Schedules are found again after a restart by reading the stream.

mod pattern;
mod state;
mod timer;

pub use timer::{recover, start, stored, Schedules};

use super::stream::{MSG_ID, MSG_TTL, ROLLUP};
use crate::jetstream::api::{ApiError, ErrorId, StreamConfig};
use crate::jetstream::store::header::slice_header;
use crate::jetstream::store::StreamStore;
use crate::sublist::{is_valid_publish_subject, subjects_collide};
use pattern::Next;

/// Go `JSSchedulePattern` and friends.
pub const SCHEDULE: &str = "Nats-Schedule";
pub const SCHEDULE_TIME_ZONE: &str = "Nats-Schedule-Time-Zone";
pub const SCHEDULE_TTL: &str = "Nats-Schedule-TTL";
pub const SCHEDULE_ROLLUP: &str = "Nats-Schedule-Rollup";
pub const SCHEDULE_TARGET: &str = "Nats-Schedule-Target";
pub const SCHEDULE_SOURCE: &str = "Nats-Schedule-Source";
/// Go `JSScheduler`: on a produced message, the subject of the schedule that produced it.
pub const SCHEDULER: &str = "Nats-Scheduler";
/// Go `JSScheduleNext`: when the schedule fires again, or `purge` for a one-shot.
pub const SCHEDULE_NEXT: &str = "Nats-Schedule-Next";
pub const SCHEDULE_NEXT_PURGE: &str = "purge";

fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

fn header_str<'a>(key: &str, hdr: &'a [u8]) -> Option<&'a str> {
    slice_header(key, hdr).and_then(|v| std::str::from_utf8(v).ok())
}

/// Go `getHeaderKeyIndex`: where `key` starts a header line followed by `:`, or `None`. Like
/// Go, the search gives up when an occurrence sits in the first two bytes of what is left.
fn key_index(key: &[u8], hdr: &[u8]) -> Option<usize> {
    let mut offset = 0;
    loop {
        let rel = memchr::memmem::find(&hdr[offset..], key)?;
        if rel < 2 {
            return None;
        }
        let index = offset + rel;
        if index + 1 >= hdr.len() || hdr[index - 1] != b'\n' || hdr[index - 2] != b'\r' {
            offset = index + key.len();
            continue;
        }
        if index + key.len() >= hdr.len() {
            return None;
        }
        if hdr[index + key.len()] != b':' {
            offset = index + key.len();
            continue;
        }
        return Some(index);
    }
}

/// Go `emptyHdrLine`: a header block with nothing in it.
const EMPTY_HDR_LINE: usize = b"NATS/1.0\r\n\r\n".len();

/// Go `removeHeaderIfPresent`: every `key` line removed; empty when nothing is left.
fn remove_header(mut hdr: Vec<u8>, key: &str) -> Vec<u8> {
    let key = key.as_bytes();
    loop {
        let Some(start) = key_index(key, &hdr) else {
            return hdr;
        };
        let Some(end) = memchr::memmem::find(&hdr[start..], b"\r\n") else {
            return hdr;
        };
        hdr.drain(start..start + end + 2);
        if hdr.len() <= EMPTY_HDR_LINE {
            return Vec::new();
        }
    }
}

/// Go `removeHeaderIfPrefixPresent`: every line whose name starts with `prefix` removed.
fn remove_header_prefix(mut hdr: Vec<u8>, prefix: &str) -> Vec<u8> {
    let prefix = prefix.as_bytes();
    let mut index = 0;
    loop {
        if index >= hdr.len() {
            return hdr;
        }
        let Some(start) = memchr::memmem::find(&hdr[index..], prefix) else {
            return hdr;
        };
        index += start;
        if index < 1 || hdr[index - 1] != b'\n' {
            index += prefix.len();
            continue;
        }
        let Some(end) = memchr::memmem::find(&hdr[index + prefix.len()..], b"\r\n") else {
            return hdr;
        };
        hdr.drain(index..index + end + prefix.len() + 2);
        if hdr.len() <= EMPTY_HDR_LINE {
            return Vec::new();
        }
    }
}

/// Go `genHeader`: `key: value` appended to the block (a new block when there is none).
pub fn gen_header(hdr: &[u8], key: &str, value: &str) -> Vec<u8> {
    let mut out = if hdr.len() > 2 {
        hdr[..hdr.len() - 2].to_vec()
    } else {
        b"NATS/1.0\r\n".to_vec()
    };
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b": ");
    let value = value.replace(['\r', '\n'], " ");
    out.extend_from_slice(
        value
            .trim_matches(|c: char| c.is_ascii_whitespace())
            .as_bytes(),
    );
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// Go `loadMessageScheduleLocation`: no zone without the header; an empty or unknown zone is
/// an error.
fn schedule_location(hdr: &[u8]) -> Result<Option<pattern::Zone>, ApiError> {
    let Some(tz) = slice_header(SCHEDULE_TIME_ZONE, hdr) else {
        return Ok(None);
    };
    let invalid = || ErrorId::MessageSchedulesTimeZoneInvalid.err();
    if tz.is_empty() {
        return Err(invalid());
    }
    let name = std::str::from_utf8(tz).map_err(|_| invalid())?;
    pattern::load_location(name).map(Some).ok_or_else(invalid)
}

/// Go `nextMessageSchedule`: when the schedule in `hdr` fires, counted from `ts`; `None` when
/// the message is no schedule.
fn next_schedule(hdr: &[u8], ts: i64) -> Result<Option<Next>, ApiError> {
    if hdr.is_empty() {
        return Ok(None);
    }
    let loc = schedule_location(hdr)?;
    let val = header_str(SCHEDULE, hdr).unwrap_or_default();
    pattern::parse_msg_schedule(val, loc.as_ref(), ts, now_nanos())
        .map_err(|_| ErrorId::MessageSchedulesPatternInvalid.err())
}

/// Go `parseMessageTTL` accepting: `never`, a Go duration of at least a second, or whole
/// seconds.
fn valid_ttl(ttl: &str) -> bool {
    if ttl.eq_ignore_ascii_case("never") {
        return true;
    }
    match crate::gofmt::parse_go_duration_signed(ttl) {
        Ok(ns) => ns >= 1_000_000_000,
        Err(_) => !ttl.is_empty() && ttl.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// Go `getMessageScheduleTTL`: the raw `Nats-Schedule-TTL` (empty when absent), or `None` when
/// it is no valid TTL.
fn schedule_ttl(hdr: &[u8]) -> Option<&str> {
    match slice_header(SCHEDULE_TTL, hdr) {
        None | Some([]) => Some(""),
        Some(v) => std::str::from_utf8(v).ok().filter(|t| valid_ttl(t)),
    }
}

/// Go `getRollup`: the `Nats-Rollup` value in lower case.
fn rollup(hdr: &[u8]) -> String {
    header_str(ROLLUP, hdr)
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The schedule checks of Go's `processJetStreamMsg` for a message published on `subject`
/// (sourced messages were checked by their origin). `Ok(Some(hdr))` gives the headers to store
/// instead: a schedule gets `Nats-Rollup: sub`.
pub fn check(
    cfg: &StreamConfig,
    store: &dyn StreamStore,
    subject: &str,
    hdr: &[u8],
    sourced: bool,
) -> Result<Option<Vec<u8>>, ApiError> {
    if sourced || hdr.is_empty() {
        return Ok(None);
    }
    let allowed = cfg.allow_msg_schedules;
    let mut out = None;
    match next_schedule(hdr, now_nanos()) {
        Err(_) if !allowed => return Err(ErrorId::MessageSchedulesDisabled.err()),
        Err(e) => return Err(e),
        Ok(None) => {}
        Ok(Some(_)) => {
            if !allowed {
                return Err(ErrorId::MessageSchedulesDisabled.err());
            }
            let Some(ttl) = schedule_ttl(hdr) else {
                return Err(ErrorId::MessageSchedulesTTLInvalid.err());
            };
            let srollup = slice_header(SCHEDULE_ROLLUP, hdr).unwrap_or_default();
            if !srollup.is_empty() && srollup != b"sub" {
                return Err(ErrorId::MessageSchedulesRollupInvalid.err());
            }
            if !ttl.is_empty() && !cfg.allow_msg_ttl {
                return Err(ErrorId::MessageTTLDisabled.err());
            }
            let target = header_str(SCHEDULE_TARGET, hdr).unwrap_or_default();
            if target.is_empty()
                || !is_valid_publish_subject(target.as_bytes())
                || target == subject
            {
                return Err(ErrorId::MessageSchedulesTargetInvalid.err());
            }
            let source = header_str(SCHEDULE_SOURCE, hdr).unwrap_or_default();
            if !source.is_empty()
                && (source == target
                    || source == subject
                    || !is_valid_publish_subject(source.as_bytes()))
            {
                return Err(ErrorId::MessageSchedulesSourceInvalid.err());
            }
            let in_stream = |s: &str| {
                cfg.subjects
                    .iter()
                    .any(|x| subjects_collide(x.as_bytes(), s.as_bytes()))
            };
            if !in_stream(target) {
                return Err(ErrorId::MessageSchedulesTargetInvalid.err());
            }
            if !source.is_empty() && !in_stream(source) {
                return Err(ErrorId::MessageSchedulesSourceInvalid.err());
            }
            match rollup(hdr).as_str() {
                "" => out = Some(gen_header(hdr, ROLLUP, "sub")),
                "sub" => {}
                _ => return Err(ErrorId::MessageSchedulesRollupInvalid.err()),
            }
        }
    }
    let hdr = out.as_deref().unwrap_or(hdr);
    match slice_header(SCHEDULE_NEXT, hdr).filter(|v| !v.is_empty()) {
        Some(next) => {
            // Clients may only use Nats-Schedule-Next to purge a schedule, naming it in
            // Nats-Scheduler.
            let invalid = || ErrorId::MessageSchedulesSchedulerInvalid.err();
            if next != SCHEDULE_NEXT_PURGE.as_bytes() {
                return Err(invalid());
            }
            let scheduler = header_str(SCHEDULER, hdr).unwrap_or_default();
            if scheduler.is_empty()
                || scheduler == subject
                || !is_valid_publish_subject(scheduler.as_bytes())
            {
                return Err(invalid());
            }
            if !allowed {
                return Err(ErrorId::MessageSchedulesDisabled.err());
            }
            // Only a schedule may be purged this way; a subject without messages passes.
            if let Ok(sm) = store.load_last_msg(scheduler) {
                if slice_header(SCHEDULE, &sm.hdr).is_none_or(<[u8]>::is_empty) {
                    return Err(invalid());
                }
            }
        }
        None => {
            if slice_header(SCHEDULER, hdr).is_some_and(|v| !v.is_empty()) {
                return Err(ErrorId::MessageSchedulesSchedulerInvalid.err());
            }
        }
    }
    Ok(out)
}

/// A message a schedule produces: stored on `subject` as if sourced.
pub struct Fired {
    /// The sequence of the schedule message (messages are stored in this order).
    pub seq: u64,
    pub subject: String,
    pub hdr: Vec<u8>,
    pub msg: Vec<u8>,
}

/// Go `getScheduledMessages`: the messages of the schedules due at `now`. Schedules whose message
/// is gone or no longer valid are forgotten; those produced are in flight until stored.
fn due_messages(st: &mut state::State, store: &dyn StreamStore, now: i64) -> Vec<Fired> {
    let mut out = Vec::new();
    for (ts, seq) in st.due(now) {
        let Ok(sm) = store.load_msg(seq) else {
            st.remove(seq);
            st.drop_entry(ts, seq);
            continue;
        };
        let subj = sm.subject.to_string();
        if st.is_inflight(&subj) {
            continue;
        }
        match fired(&sm.hdr, &sm.msg, &subj, ts, store) {
            Some((target, hdr, msg)) => {
                out.push(Fired {
                    seq,
                    subject: target,
                    hdr,
                    msg,
                });
                st.mark_inflight(&subj);
            }
            None => {
                st.remove(seq);
                st.drop_entry(ts, seq);
            }
        }
    }
    out.sort_by_key(|f| f.seq);
    out
}

/// The message the schedule `hdr`/`msg` on `subj` produces when it fires at `ts`: target,
/// headers and body; `None` when the schedule is not valid.
fn fired(
    hdr: &[u8],
    msg: &[u8],
    subj: &str,
    ts: i64,
    store: &dyn StreamStore,
) -> Option<(String, Vec<u8>, Vec<u8>)> {
    let pattern = header_str(SCHEDULE, hdr).unwrap_or_default();
    if pattern.is_empty() {
        return None;
    }
    let loc = schedule_location(hdr).ok()?;
    let next = pattern::parse_msg_schedule(pattern, loc.as_ref(), ts, now_nanos()).ok()?;
    let ttl = schedule_ttl(hdr)?.to_string();
    let target = header_str(SCHEDULE_TARGET, hdr)
        .unwrap_or_default()
        .to_string();
    if target.is_empty() {
        return None;
    }
    let rollup = header_str(SCHEDULE_ROLLUP, hdr)
        .unwrap_or_default()
        .to_string();
    let source = header_str(SCHEDULE_SOURCE, hdr).unwrap_or_default();
    // The source's last message, or the schedule's own content when the source has none.
    let src = (!source.is_empty())
        .then(|| store.load_last_msg(source).ok())
        .flatten();
    let (h, m) = match &src {
        Some(sm) => (&sm.hdr[..], &sm.msg[..]),
        None => (hdr, msg),
    };
    let mut h = remove_header_prefix(h.to_vec(), "Nats-Schedule");
    h = remove_header_prefix(h, "Nats-Expected-");
    h = remove_header(h, MSG_ID);
    h = remove_header(h, MSG_TTL);
    h = remove_header(h, ROLLUP);
    h = gen_header(&h, SCHEDULER, subj);
    let next_val = match next {
        Some(n) if n.repeat => n.rfc3339(),
        _ => SCHEDULE_NEXT_PURGE.to_string(),
    };
    h = gen_header(&h, SCHEDULE_NEXT, &next_val);
    if !ttl.is_empty() {
        h = gen_header(&h, MSG_TTL, &ttl);
    }
    if !rollup.is_empty() {
        h = gen_header(&h, ROLLUP, &rollup);
    }
    Some((target, h, m.to_vec()))
}

#[cfg(test)]
mod tests;
