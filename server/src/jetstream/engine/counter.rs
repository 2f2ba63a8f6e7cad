//! Message counters (`allow_msg_counter`): Go's `Nats-Incr` handling in `processJetStreamMsg`.
//!
//! A publish carries `Nats-Incr: <integer>` and no payload; the stream stores
//! `{"val":"<total>"}` where the total is the last stored value on the same subject plus the
//! increment. Sourced counter messages carry the origin's total instead: the stream keeps the last
//! total it saw per origin stream and subject in `Nats-Counter-Sources` and adds the difference.

use std::collections::BTreeMap;

use num_bigint::BigInt;

use super::stream::{
    EXPECTED_LAST_MSG_ID, EXPECTED_LAST_SEQ, EXPECTED_LAST_SUBJ_SEQ, EXPECTED_LAST_SUBJ_SEQ_SUBJ,
    EXPECTED_STREAM, MSG_INCR, ROLLUP, STREAM_SOURCE,
};
use crate::jetstream::api::{ApiError, ErrorId};
use crate::jetstream::store::header::slice_header;
use crate::jetstream::store::StreamStore;

/// Go `JSMessageCounterSources`.
pub const COUNTER_SOURCES: &str = "Nats-Counter-Sources";

/// Go `CounterSources`: origin stream → origin subject → last total seen. An origin may hold a
/// JSON `null` (Go's nil inner map), which is written back as it was read.
type Sources = BTreeMap<String, Option<BTreeMap<String, String>>>;

#[derive(serde::Deserialize)]
struct CounterValue {
    #[serde(default)]
    val: Option<String>,
}

/// Go `getMessageIncr`: `None` when the header is absent or empty, `Some(Err)` when the value is
/// not a base-10 integer (`big.Int.SetString(v, 10)`: an optional sign, then digits only).
pub fn message_incr(hdr: &[u8]) -> Option<Result<BigInt, ()>> {
    let v = slice_header(MSG_INCR, hdr).filter(|v| !v.is_empty())?;
    let digits = match v[0] {
        b'+' | b'-' => &v[1..],
        _ => v,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Some(Err(()));
    }
    Some(BigInt::parse_bytes(v.strip_prefix(b"+").unwrap_or(v), 10).ok_or(()))
}

/// Go's `initial.SetString(s, 10)` with the result ignored: the value of the leading sign and
/// digits (zero when there are none).
fn lenient(s: &str) -> BigInt {
    let b = s.as_bytes();
    let (neg, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let v = BigInt::parse_bytes(&rest[..n], 10).unwrap_or_default();
    if neg {
        -v
    } else {
        v
    }
}

fn counter_value(body: &[u8]) -> Result<String, ApiError> {
    serde_json::from_slice::<Option<CounterValue>>(body)
        .map(|v| v.and_then(|v| v.val).unwrap_or_default())
        .map_err(|_| ErrorId::MessageCounterBroken.err())
}

/// Go `setHeader`: replace the value of `key` (keeping one space after the colon when present),
/// or append `key: val` when the block has no such header.
pub fn set_header(hdr: &[u8], key: &str, val: &str) -> Vec<u8> {
    let k = key.as_bytes();
    let mut from = 0;
    while let Some(p) = memchr::memmem::find(&hdr[from..], k) {
        let pos = from + p;
        let end = pos + k.len();
        let line_start = pos >= 2 && &hdr[pos - 2..pos] == b"\r\n";
        if line_start && hdr.get(end) == Some(&b':') {
            let mut vs = end + 1;
            if hdr.get(vs) == Some(&b' ') {
                vs += 1;
            }
            let Some(ve) = memchr::memchr(b'\r', &hdr[vs..]) else {
                return hdr.to_vec();
            };
            let mut out = Vec::with_capacity(hdr.len() + val.len());
            out.extend_from_slice(&hdr[..vs]);
            out.extend_from_slice(val.as_bytes());
            out.extend_from_slice(&hdr[vs + ve..]);
            return out;
        }
        from = pos + 1;
    }
    let mut out = hdr.strip_suffix(b"\r\n").unwrap_or(hdr).to_vec();
    if out.is_empty() {
        out.extend_from_slice(b"NATS/1.0\r\n");
    }
    out.extend_from_slice(k);
    out.extend_from_slice(b": ");
    out.extend_from_slice(val.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// A subject's running counter: the last stored total and the totals seen per origin.
#[derive(Default, Clone)]
pub struct Running {
    total: BigInt,
    sources: Option<Sources>,
}

/// The running counter held by a stored counter message (its body and `Nats-Counter-Sources`).
pub fn running_from(hdr: &[u8], msg: &[u8]) -> Result<Running, ApiError> {
    let val = counter_value(msg)?;
    let mut sources = None;
    if let Some(ncs) = slice_header(COUNTER_SOURCES, hdr).filter(|v| !v.is_empty()) {
        sources = serde_json::from_slice::<Option<Sources>>(ncs)
            .map_err(|_| ErrorId::MessageCounterBroken.err())?;
    }
    Ok(Running {
        total: lenient(&val),
        sources,
    })
}

/// The running counter of `subject` in the store (zero when the subject has no message).
pub fn running(store: &dyn StreamStore, subject: &str) -> Result<Running, ApiError> {
    match store.load_last_msg(subject) {
        Ok(last) => running_from(&last.hdr, &last.msg),
        Err(_) => Ok(Running::default()),
    }
}

/// Go's checks on a published (not sourced) `Nats-Incr`: only on counter streams, without a
/// payload and without the headers that expect or replace earlier messages.
pub fn check_increment(hdr: &[u8], msg: &[u8], allowed: bool) -> Result<(), ApiError> {
    if !allowed {
        return Err(ErrorId::MessageIncrDisabled.err());
    }
    if !msg.is_empty() {
        return Err(ErrorId::MessageIncrPayload.err());
    }
    let present = |k: &str| slice_header(k, hdr).is_some_and(|v| !v.is_empty());
    if [
        ROLLUP,
        EXPECTED_STREAM,
        EXPECTED_LAST_MSG_ID,
        EXPECTED_LAST_SUBJ_SEQ_SUBJ,
        EXPECTED_LAST_SEQ,
        EXPECTED_LAST_SUBJ_SEQ,
    ]
    .into_iter()
    .any(present)
    {
        return Err(ErrorId::MessageIncrInvalid.err());
    }
    Ok(())
}

/// The message a counter stream stores for `incr` on `subject`, advancing `running`: the
/// headers (with `Nats-Counter-Sources` and, for a sourced total, `Nats-Incr` rewritten to the
/// difference), the body `{"val":"<total>"}` and the total.
pub fn apply(
    running: &mut Running,
    subject: &str,
    hdr: &[u8],
    msg: &[u8],
    mut incr: BigInt,
) -> Result<(Vec<u8>, Vec<u8>, String), ApiError> {
    let mut hdr = hdr.to_vec();
    if let Some(src) = slice_header(STREAM_SOURCE, &hdr).filter(|v| !v.is_empty()) {
        let src = String::from_utf8_lossy(src).into_owned();
        let fields: Vec<&str> = src.split(' ').collect();
        let orig_stream = fields[0].to_string();
        let orig_subj = fields.get(4).copied().unwrap_or(subject).to_string();
        let sourced = lenient(&counter_value(msg)?);
        let per = running
            .sources
            .get_or_insert_with(Sources::new)
            .entry(orig_stream)
            .or_default()
            .get_or_insert_with(BTreeMap::new);
        let previous = per
            .insert(orig_subj, sourced.to_string())
            .map(|p| lenient(&p))
            .unwrap_or_default();
        incr = sourced - previous;
        hdr = set_header(&hdr, MSG_INCR, &incr.to_string());
    }
    running.total += incr;
    let total = running.total.to_string();
    let body = format!("{{\"val\":\"{total}\"}}").into_bytes();
    if let Some(s) = running.sources.as_ref().filter(|s| !s.is_empty()) {
        let json = serde_json::to_string(s).map_err(|_| ErrorId::MessageCounterBroken.err())?;
        hdr = set_header(&hdr, COUNTER_SOURCES, &json);
    }
    Ok((hdr, body, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(v: &str) -> Option<Result<BigInt, ()>> {
        message_incr(format!("NATS/1.0\r\nNats-Incr: {v}\r\n\r\n").as_bytes())
    }

    #[test]
    fn incr_values_follow_big_int_set_string() {
        assert_eq!(incr("1"), Some(Ok(BigInt::from(1))));
        assert_eq!(incr("+7"), Some(Ok(BigInt::from(7))));
        assert_eq!(incr("-007"), Some(Ok(BigInt::from(-7))));
        assert_eq!(incr(""), None);
        for bad in [
            "bogus", "+", "-", "1_000", "0x10", "1.5", "+-1", "1e3", "1 ",
        ] {
            assert_eq!(incr(bad), Some(Err(())), "{bad}");
        }
        let big = "123456789012345678901234567890";
        assert_eq!(incr(big).unwrap().unwrap().to_string(), big);
    }

    #[test]
    fn lenient_takes_the_leading_integer() {
        assert_eq!(lenient("12abc"), BigInt::from(12));
        assert_eq!(lenient("-3"), BigInt::from(-3));
        assert_eq!(lenient(""), BigInt::from(0));
        assert_eq!(lenient("x"), BigInt::from(0));
    }

    #[test]
    fn set_header_replaces_or_appends() {
        let h = b"NATS/1.0\r\nNats-Incr: 100\r\nA: b\r\n\r\n";
        assert_eq!(
            set_header(h, "Nats-Incr", "5"),
            b"NATS/1.0\r\nNats-Incr: 5\r\nA: b\r\n\r\n"
        );
        assert_eq!(
            set_header(h, "X", "{}"),
            b"NATS/1.0\r\nNats-Incr: 100\r\nA: b\r\nX: {}\r\n\r\n"
        );
    }
}
