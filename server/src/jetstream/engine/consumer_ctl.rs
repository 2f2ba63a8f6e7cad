//! Consumer control requests beside create/info/delete: `$JS.API.CONSUMER.PAUSE.<stream>.<consumer>`
//! (Go's `jsConsumerPauseRequest`) and `$JS.API.CONSUMER.UNPIN.<stream>.<consumer>`
//! (`jsConsumerUnpinRequest`), `$JS.API.CONSUMER.RESET.<stream>.<consumer>` (the consumer's own
//! `processResetReq`). A pause is a config change carried out as Go's `updateConfig` does, so it
//! persists with the consumer and survives a restart; an unpin drops the pinned client of a
//! group so the next request takes the pin; a reset starts delivery again from a sequence.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::consumer::{config, Consumer};
use super::{JetStream, JsAccount};
use crate::info::go_json;
use crate::jetstream::api::responses::{types, ApiResponse};
use crate::jetstream::api::{ErrorId, GoTime};

/// Go's `JSApiConsumerPauseRequest`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PauseRequest {
    pause_until: GoTime,
}

/// Go's `JSApiConsumerPauseResponse`.
#[derive(Serialize)]
struct PauseResponse {
    #[serde(flatten)]
    response: ApiResponse,
    paused: bool,
    pause_until: GoTime,
    #[serde(skip_serializing_if = "is_zero")]
    pause_remaining: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Go's `isJSONObjectOrArray`: only such bodies are decoded; anything else is a resume.
fn is_json_object_or_array(body: &[u8]) -> bool {
    body.iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

/// Nanoseconds until `t`, or 0 when it has passed.
pub fn remaining(t: &GoTime) -> i64 {
    let left = t.unix_nanos() - GoTime::now().unix_nanos();
    left.clamp(0, i64::MAX as i128) as i64
}

/// Pause the consumer until the given time, or resume it (zero or no time).
pub fn pause(
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    stream_name: &str,
    name: &str,
    body: &[u8],
) -> String {
    let kind = types::CONSUMER_PAUSE;
    let err = |e| super::api::err_json(kind, e);
    let mut req = PauseRequest::default();
    if is_json_object_or_array(body) {
        match crate::jetstream::api::decode::decode_request(body, "JSApiConsumerPauseRequest") {
            Ok(r) => req = r,
            Err(e) => return err(ErrorId::InvalidJSON.with_err(e)),
        }
    }
    let Some(stream) = jsa.stream(stream_name) else {
        return err(ErrorId::StreamNotFound.err());
    };
    let Some(existing) = stream.consumer(name) else {
        return err(ErrorId::ConsumerNotFound.err());
    };
    let until = req.pause_until.utc();
    let mut cfg = existing.cfg.clone();
    cfg.pause_until = (!until.is_zero()).then_some(until);
    config::set_static_metadata(&mut cfg);
    let changed =
        existing.cfg.pause_until.unwrap_or_default() != cfg.pause_until.unwrap_or_default();
    let pause_until = cfg.pause_until;
    if existing.cfg != cfg {
        let c = Consumer::update(&stream, &existing, cfg);
        stream.add_consumer(c);
    }
    if changed {
        if let Some(server) = stream.server() {
            super::advisory::consumer_pause(
                &server,
                &jsa.account,
                stream_name,
                name,
                pause_until,
                &js.domain,
            );
        }
    }
    let left = remaining(&until);
    go_json(&PauseResponse {
        response: ApiResponse::new(kind),
        paused: left > 0,
        pause_until: until,
        pause_remaining: left,
    })
}

/// Go's `JSApiConsumerUnpinRequest`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct UnpinRequest {
    group: String,
}

/// Go reads unpin and reset requests with plain `json.Unmarshal`: unknown fields pass, an empty
/// body is an error. `field` is the one field the request has.
fn decode_lenient<T: serde::de::DeserializeOwned>(
    body: &[u8],
    field: &str,
    go_name: &str,
) -> Result<T, String> {
    if body.trim_ascii().is_empty() {
        return Err("unexpected end of JSON input".into());
    }
    let known = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(m)) => {
            let kept: serde_json::Map<String, serde_json::Value> = m
                .into_iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(field))
                .collect();
            serde_json::Value::Object(kept).to_string().into_bytes()
        }
        _ => body.to_vec(),
    };
    crate::jetstream::api::decode::decode_request(&known, go_name).map_err(|e| e.to_string())
}

/// Drop the pinned client of a priority group (reason `admin`).
pub fn unpin(
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    stream_name: &str,
    name: &str,
    body: &[u8],
) -> String {
    use super::consumer::priority;
    let kind = types::CONSUMER_UNPIN;
    let err = |e| super::api::err_json(kind, e);
    let req: UnpinRequest = match decode_lenient(body, "group", "JSApiConsumerUnpinRequest") {
        Ok(r) => r,
        Err(e) => return err(ErrorId::InvalidJSON.with_err(e)),
    };
    if req.group.is_empty() {
        return err(ErrorId::InvalidJSON.with_err("consumer group not specified"));
    }
    if !priority::valid_group_name(&req.group) {
        return err(ErrorId::ConsumerInvalidGroupName.err());
    }
    let Some(stream) = jsa.stream(stream_name) else {
        return err(ErrorId::StreamNotFound.err());
    };
    let Some(c) = stream.consumer(name) else {
        return err(ErrorId::ConsumerNotFound.err());
    };
    if !c.cfg.priority_groups.contains(&req.group) {
        return err(ErrorId::ConsumerInvalidPriorityGroup.err());
    }
    if let Ok(mut s) = c.state.lock() {
        priority::unpin(&mut s);
    }
    if let Some(server) = stream.server() {
        super::advisory::pin_event(
            &server,
            &jsa.account,
            &c,
            &priority::PinEvent::Unpinned {
                group: req.group,
                reason: "admin",
            },
            &js.domain,
        );
    }
    c.signal();
    go_json(&ApiResponse::new(kind))
}

/// Go's `JSApiConsumerResetRequest`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetRequest {
    seq: u64,
}

/// Go's `JSApiConsumerResetResponse`: the consumer info and where it starts again.
#[derive(Serialize)]
struct ResetResponse {
    #[serde(flatten)]
    response: ApiResponse,
    #[serde(flatten)]
    info: Option<crate::jetstream::api::consumer_config::ConsumerInfo>,
    reset_seq: u64,
}

/// Reset a consumer to `seq`, or to just past its ack floor when none is given. None when the
/// consumer does not exist: the request is its own and nobody answers.
pub fn reset(jsa: &Arc<JsAccount>, stream_name: &str, name: &str, body: &[u8]) -> Option<String> {
    let kind = types::CONSUMER_RESET;
    let stream = jsa.stream(stream_name)?;
    let c = stream.consumer(name)?;
    let err = |e| super::api::err_json(kind, e);
    let mut req = ResetRequest::default();
    if !body.is_empty() {
        match decode_lenient(body, "seq", "JSApiConsumerResetRequest") {
            Ok(r) => req = r,
            Err(e) => return Some(err(ErrorId::InvalidJSON.with_err(e))),
        }
    }
    let seq = match reset_to(&stream, &c, req.seq) {
        Ok(seq) => seq,
        Err(e) => return Some(err(ErrorId::ConsumerInvalidReset.with_err(e))),
    };
    Some(go_json(&ResetResponse {
        response: ApiResponse::new(kind),
        info: Some(c.info("")),
        reset_seq: seq,
    }))
}

/// Go's `resetStartingSeqLocked` and `resetLocalStartingSeq`: pending and redelivery state are
/// dropped and delivery starts again at the sequence.
fn reset_to(stream: &Arc<super::Stream>, c: &Arc<Consumer>, seq: u64) -> Result<u64, &'static str> {
    use crate::jetstream::api::enums::{DeliverPolicy, RetentionPolicy};
    let Ok(mut s) = c.state.lock() else {
        return Err("not allowed");
    };
    let seq = if seq == 0 {
        s.ack_floor_sseq + 1
    } else {
        match c.cfg.deliver_policy {
            DeliverPolicy::All => seq,
            DeliverPolicy::ByStartSequence if seq < c.cfg.opt_start_seq => {
                return Err("below start seq")
            }
            DeliverPolicy::ByStartSequence => seq,
            DeliverPolicy::ByStartTime => {
                let ts = c.cfg.opt_start_time.map_or(0, |t| t.unix_nanos() as i64);
                if seq < stream.store().get_seq_from_time(ts) {
                    return Err("below start time");
                }
                seq
            }
            _ => return Err("not allowed"),
        }
    }
    .max(1);
    let old_floor = s.ack_floor_sseq;
    s.pending.clear();
    s.redelivered.clear();
    s.rdq.clear();
    s.skip_list = None;
    s.sseq = seq;
    s.dseq = 1;
    s.ack_floor_dseq = 0;
    s.ack_floor_sseq = seq - 1;
    s.last_delivery = None;
    s.last_ack = None;
    drop(s);
    c.recount_pending();
    c.mark_dirty();
    // Messages behind the new floor may have lost their last interest (Go's
    // checkStateForInterestStream).
    if stream.config().retention == RetentionPolicy::Interest && seq > old_floor + 1 {
        stream.drop_acked_by(c, old_floor + 1);
    }
    c.signal();
    Ok(seq)
}
