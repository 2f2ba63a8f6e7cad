//! Consumer control requests beside create/info/delete: `$JS.API.CONSUMER.PAUSE.<stream>.<consumer>`
//! (Go's `jsConsumerPauseRequest`) and `$JS.API.CONSUMER.UNPIN.<stream>.<consumer>`
//! (`jsConsumerUnpinRequest`). A pause is a config change carried out as Go's `updateConfig`
//! does, so it persists with the consumer and survives a restart; an unpin drops the pinned
//! client of a group so the next request takes the pin.

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

/// Go reads an unpin request with plain `json.Unmarshal`: unknown fields pass, an empty body is
/// an error.
fn decode_unpin(body: &[u8]) -> Result<UnpinRequest, String> {
    const NAME: &str = "JSApiConsumerUnpinRequest";
    if body.trim_ascii().is_empty() {
        return Err("unexpected end of JSON input".into());
    }
    let known = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(m)) => {
            let kept: serde_json::Map<String, serde_json::Value> = m
                .into_iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("group"))
                .collect();
            serde_json::Value::Object(kept).to_string().into_bytes()
        }
        _ => body.to_vec(),
    };
    crate::jetstream::api::decode::decode_request(&known, NAME).map_err(|e| e.to_string())
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
    let req = match decode_unpin(body) {
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
