//! Message counters (`allow_msg_counter`): a publish carries `Nats-Incr: <integer>` and no payload,
//! and the stream stores the subject's new total as `{"val":"<n>"}` (Go's `processJetStreamMsg`
//! counter steps and `CounterValue`). Values are integers of any size, as Go's `big.Int`. A message
//! sourced from another counter stream adds the difference to what that source said last, kept per
//! origin stream and subject in the `Nats-Counter-Sources` header.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use serde::Deserialize;

use super::stream::{
    EXPECTED_LAST_MSG_ID, EXPECTED_LAST_SEQ, EXPECTED_LAST_SUBJ_SEQ, EXPECTED_LAST_SUBJ_SEQ_SUBJ,
    EXPECTED_STREAM, MSG_INCR, ROLLUP, STREAM_SOURCE,
};
use crate::jetstream::api::{ApiError, ErrorId};
use crate::jetstream::store::header::slice_header;
use crate::jetstream::store::StreamStore;

pub const COUNTER_SOURCES: &str = "Nats-Counter-Sources";

/// Go's `CounterValue`.
#[derive(Deserialize)]
struct CounterValue {
    val: String,
}

/// Origin stream → origin subject → the last total it sent (Go's `CounterSources`).
type Sources = BTreeMap<String, BTreeMap<String, String>>;

/// Go's `big.Int.SetString(s, 10)`: an optional sign and decimal digits, nothing else.
fn parse_big(s: &[u8]) -> Option<BigInt> {
    let digits = match s.first() {
        Some(b'+') | Some(b'-') => &s[1..],
        _ => s,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    BigInt::parse_bytes(s, 10)
}

/// Go's `getMessageIncr`: None without the header (or with it empty), an error when it is not an
/// integer.
pub fn incr(hdr: &[u8]) -> Result<Option<BigInt>, ApiError> {
    match slice_header(MSG_INCR, hdr) {
        None | Some(b"") => Ok(None),
        Some(v) => parse_big(v)
            .map(Some)
            .ok_or_else(|| ErrorId::MessageIncrInvalid.err()),
    }
}

/// The checks Go makes on an increment published (not sourced) to a stream: counters allowed, no
/// payload, and none of the headers that make no sense with a counter.
pub fn check_publish(allowed: bool, hdr: &[u8], msg: &[u8]) -> Result<(), ApiError> {
    if !allowed {
        return Err(ErrorId::MessageIncrDisabled.err());
    }
    if !msg.is_empty() {
        return Err(ErrorId::MessageIncrPayload.err());
    }
    let non_empty = |k: &str| slice_header(k, hdr).is_some_and(|v| !v.is_empty());
    let number = |k: &str| {
        slice_header(k, hdr)
            .and_then(|v| std::str::from_utf8(v).ok())
            .is_some_and(|v| v.parse::<u64>().is_ok())
    };
    if non_empty(ROLLUP)
        || non_empty(EXPECTED_STREAM)
        || non_empty(EXPECTED_LAST_MSG_ID)
        || non_empty(EXPECTED_LAST_SUBJ_SEQ_SUBJ)
        || number(EXPECTED_LAST_SEQ)
        || number(EXPECTED_LAST_SUBJ_SEQ)
    {
        return Err(ErrorId::MessageIncrInvalid.err());
    }
    Ok(())
}

/// Apply `incr` to the last total stored on `subject`: the headers and body to store, and the
/// new total for the PubAck.
pub fn apply(
    store: &dyn StreamStore,
    subject: &str,
    hdr: &[u8],
    msg: &[u8],
    mut incr: BigInt,
) -> Result<(Vec<u8>, Vec<u8>, String), ApiError> {
    let broken = || ErrorId::MessageCounterBroken.err();
    let mut total = BigInt::from(0);
    let mut sources = Sources::new();
    if let Ok(last) = store.load_last_msg(subject) {
        let v: CounterValue = serde_json::from_slice(&last.msg).map_err(|_| broken())?;
        total = parse_big(v.val.as_bytes()).unwrap_or_default();
        if let Some(cs) = slice_header(COUNTER_SOURCES, &last.hdr).filter(|v| !v.is_empty()) {
            sources = serde_json::from_slice(cs).map_err(|_| broken())?;
        }
    }
    let mut hdr = hdr.to_vec();
    if let Some(src) = slice_header(STREAM_SOURCE, &hdr).filter(|v| !v.is_empty()) {
        // A sourced total: count what changed since that origin's previous total.
        let src = String::from_utf8_lossy(src).into_owned();
        let fields: Vec<&str> = src.split(' ').collect();
        let origin_subject = fields.get(4).copied().unwrap_or(subject);
        let v: CounterValue = serde_json::from_slice(msg).map_err(|_| broken())?;
        let sourced = parse_big(v.val.as_bytes()).unwrap_or_default();
        let per_subject = sources.entry(fields[0].to_string()).or_default();
        let previous = per_subject
            .insert(origin_subject.to_string(), sourced.to_string())
            .and_then(|p| parse_big(p.as_bytes()))
            .unwrap_or_default();
        incr = sourced - previous;
        hdr = set_header(&hdr, MSG_INCR, &incr.to_string());
    }
    total += incr;
    let val = total.to_string();
    let body = format!("{{\"val\":\"{val}\"}}").into_bytes();
    if !sources.is_empty() {
        let json = serde_json::to_string(&sources).map_err(|_| broken())?;
        hdr = set_header(&hdr, COUNTER_SOURCES, &json);
    }
    Ok((hdr, body, val))
}

/// Go's `setHeader`: replace the value of `key` in place, or add it at the end.
fn set_header(hdr: &[u8], key: &str, value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(hdr.len() + key.len() + value.len() + 4);
    let mut replaced = false;
    let mut lines = hdr.split_inclusive(|b| *b == b'\n');
    match lines.next() {
        Some(first) => out.extend_from_slice(first),
        None => out.extend_from_slice(b"NATS/1.0\r\n"),
    }
    for line in lines {
        if line == b"\r\n" {
            continue;
        }
        let name_end = line.iter().position(|b| *b == b':').unwrap_or(0);
        if !replaced && name_end > 0 && line[..name_end].eq_ignore_ascii_case(key.as_bytes()) {
            out.extend_from_slice(format!("{key}: {value}\r\n").as_bytes());
            replaced = true;
        } else {
            out.extend_from_slice(line);
        }
    }
    if !replaced {
        out.extend_from_slice(format!("{key}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_go_big_int_reads_them() {
        for ok in ["1", "+5", "-17", "007", "123456789012345678901234567890"] {
            assert!(parse_big(ok.as_bytes()).is_some(), "{ok}");
        }
        for bad in ["", "+", "1_000", "1.5", " 1", "0x10", "abc", "1e3"] {
            assert!(parse_big(bad.as_bytes()).is_none(), "{bad}");
        }
    }

    #[test]
    fn headers_are_replaced_or_added() {
        let h = b"NATS/1.0\r\nNats-Incr: 5\r\nA: b\r\n\r\n";
        assert_eq!(
            set_header(h, MSG_INCR, "7"),
            b"NATS/1.0\r\nNats-Incr: 7\r\nA: b\r\n\r\n".to_vec()
        );
        assert_eq!(
            set_header(h, COUNTER_SOURCES, "{}"),
            b"NATS/1.0\r\nNats-Incr: 5\r\nA: b\r\nNats-Counter-Sources: {}\r\n\r\n".to_vec()
        );
    }
}
