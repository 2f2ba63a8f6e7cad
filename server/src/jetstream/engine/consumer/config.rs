//! Consumer config defaults and checks for creation (the core of Go's
//! `setConsumerConfigDefaults` and `checkConsumerCfg`), and small helpers.

use crate::jetstream::api::consumer_config::ConsumerConfig;
use crate::jetstream::api::enums::{AckPolicy, DeliverPolicy, PriorityPolicy, RetentionPolicy};
use crate::jetstream::api::{ApiError, ErrorId, StreamConfig};

/// Go's `JsAckWaitDefault`.
const ACK_WAIT_DEFAULT: i64 = 30_000_000_000;
/// Go's `JSWaitQueueDefaultMax`.
const WAIT_QUEUE_DEFAULT_MAX: i64 = 512;
/// Go's `JsDefaultMaxAckPending`.
const DEFAULT_MAX_ACK_PENDING: i64 = 1000;
/// Go's `JsDeleteWaitTimeDefault`: ephemeral consumers go away after 5s without interest.
const DELETE_WAIT_DEFAULT: i64 = 5_000_000_000;

const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` random base-62 characters (Go's reply tokens).
pub fn random_token(n: usize) -> String {
    let mut r: u64 = rand::random();
    (0..n)
        .map(|_| {
            let c = DIGITS[(r % 62) as usize] as char;
            r /= 62;
            c
        })
        .collect()
}

/// Go's `setConsumerConfigDefaults` for the fields a single server uses.
pub fn set_defaults(cfg: &mut ConsumerConfig, stream: &StreamConfig, server_max_ack_pending: i64) {
    if cfg.max_deliver == 0 || cfg.max_deliver < -1 {
        cfg.max_deliver = -1;
    }
    cfg.max_waiting = cfg.max_waiting.max(0);
    if cfg.max_ack_pending < -1 {
        cfg.max_ack_pending = -1;
    }
    cfg.max_request_batch = cfg.max_request_batch.max(0);
    cfg.max_request_expires = cfg.max_request_expires.max(0);
    cfg.max_request_max_bytes = cfg.max_request_max_bytes.max(0);
    cfg.heartbeat = cfg.heartbeat.max(0);
    cfg.inactive_threshold = cfg.inactive_threshold.max(0);
    if cfg.deliver_subject.is_empty() && cfg.max_waiting == 0 {
        cfg.max_waiting = WAIT_QUEUE_DEFAULT_MAX;
    }
    if cfg.ack_wait == 0 && matches!(cfg.ack_policy, AckPolicy::Explicit | AckPolicy::All) {
        cfg.ack_wait = ACK_WAIT_DEFAULT;
    }
    if let Some(first) = cfg.back_off.first() {
        cfg.ack_wait = *first;
    }
    if cfg.max_ack_pending == 0 {
        cfg.max_ack_pending = stream.consumer_limits.max_ack_pending;
    }
    if cfg.inactive_threshold == 0 {
        cfg.inactive_threshold = stream.consumer_limits.inactive_threshold;
    }
    if cfg.max_ack_pending == 0 && cfg.ack_policy != AckPolicy::None {
        let mut p = DEFAULT_MAX_ACK_PENDING;
        if server_max_ack_pending > 0 && server_max_ack_pending < p {
            p = server_max_ack_pending;
        }
        cfg.max_ack_pending = p;
    }
    if cfg.durable.is_empty() && cfg.inactive_threshold == 0 {
        cfg.inactive_threshold = DELETE_WAIT_DEFAULT;
    }
    if cfg.replicas == 0 {
        cfg.replicas = stream.replicas.max(1);
    }
    cfg.pinned_ttl = cfg.pinned_ttl.max(0);
    if cfg.priority_policy == PriorityPolicy::PinnedClient && cfg.pinned_ttl == 0 {
        cfg.pinned_ttl = super::priority::DEFAULT_PINNED_TTL;
    }
}

/// The checks of Go's `checkConsumerCfg` a single server needs first.
pub fn check(cfg: &ConsumerConfig, stream: &StreamConfig) -> Result<(), ApiError> {
    let invalid = |m: &str| ErrorId::ConsumerInvalidPolicy.with_err(m);
    if cfg.deliver_policy == DeliverPolicy::ByStartSequence && cfg.opt_start_seq == 0 {
        return Err(invalid("consumer deliver policy requires a start sequence"));
    }
    if cfg.deliver_policy == DeliverPolicy::ByStartTime && cfg.opt_start_time.is_none() {
        return Err(invalid("consumer deliver policy requires a start time"));
    }
    if !cfg.deliver_subject.is_empty() {
        if !crate::sublist::is_valid_publish_subject(cfg.deliver_subject.as_bytes()) {
            return Err(ErrorId::ConsumerInvalidDeliverSubject.err());
        }
    } else if stream.retention == RetentionPolicy::WorkQueue
        && cfg.ack_policy != AckPolicy::Explicit
    {
        return Err(ErrorId::ConsumerWQRequiresExplicitAck.err());
    } else if cfg.rate_limit > 0 {
        return Err(ErrorId::ConsumerPullWithRateLimit.err());
    }
    if !cfg.sample_frequency.is_empty() {
        match sample_frequency(&cfg.sample_frequency) {
            Err(e) => return Err(ErrorId::ConsumerInvalidSampling.with_err(e)),
            Ok(f) if f < 0 => return Err(ErrorId::ConsumerInvalidSampling.with_err("<nil>")),
            Ok(_) => {}
        }
    }
    super::priority::check_config(cfg)
}

/// The percentage of acks to sample: `sample_freq` without its `%`, read as Go's `strconv.Atoi`
/// reads it (the error is Go's text).
pub fn sample_frequency(s: &str) -> Result<i64, String> {
    let digits = s.strip_suffix('%').unwrap_or(s);
    let err = |why: &str| {
        format!(
            "strconv.Atoi: parsing {}: {why}",
            crate::gofmt::go_quote(digits.as_bytes())
        )
    };
    let body = digits
        .strip_prefix('-')
        .or_else(|| digits.strip_prefix('+'))
        .unwrap_or(digits);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("invalid syntax"));
    }
    digits.parse::<i64>().map_err(|_| err("value out of range"))
}

/// Go's `checkNewConsumerConfig`: what an update may not change.
pub fn check_update(
    old: &ConsumerConfig,
    new: &ConsumerConfig,
    deliver_has_interest: bool,
) -> Result<(), ApiError> {
    if old == new {
        return Ok(());
    }
    let e = |m: &str| Err(ErrorId::ConsumerCreate.with_err(m));
    if old.deliver_policy != new.deliver_policy {
        return e("deliver policy can not be updated");
    }
    if old.memory_storage != new.memory_storage {
        return e("storage type can not be updated");
    }
    if old.direct != new.direct {
        return e("direct can not be updated");
    }
    if old.sourcing != new.sourcing {
        return e("sourcing can not be updated");
    }
    if old.opt_start_seq != new.opt_start_seq {
        return e("start sequence can not be updated");
    }
    if old.opt_start_time != new.opt_start_time {
        return e("start time can not be updated");
    }
    if old.ack_policy != new.ack_policy {
        return e("ack policy can not be updated");
    }
    if old.replay_policy != new.replay_policy {
        return e("replay policy can not be updated");
    }
    if old.heartbeat != new.heartbeat {
        return e("heart beats can not be updated");
    }
    if old.flow_control != new.flow_control {
        return e("flow control can not be updated");
    }
    if old.deliver_subject != new.deliver_subject {
        if old.deliver_subject.is_empty() {
            return e("can not update pull consumer to push based");
        }
        if new.deliver_subject.is_empty() {
            return e("can not update push consumer to pull based");
        }
        if deliver_has_interest {
            return Err(ErrorId::ConsumerNameExist.err());
        }
    }
    if old.max_waiting != new.max_waiting {
        return e("max waiting can not be updated");
    }
    let lbo = new.back_off.len() as i64;
    if lbo > 0 && new.max_deliver != -1 && lbo > new.max_deliver {
        return Err(ErrorId::ConsumerMaxDeliverBackoff.err());
    }
    Ok(())
}

/// Go's `setStaticConsumerMetadata`: the API level the consumer's features need.
pub fn set_static_metadata(cfg: &mut ConsumerConfig) {
    use crate::jetstream::api::stream_config::{
        JS_REQUIRED_LEVEL_METADATA_KEY, JS_SERVER_LEVEL_METADATA_KEY,
        JS_SERVER_VERSION_METADATA_KEY,
    };
    cfg.metadata.remove(JS_SERVER_VERSION_METADATA_KEY);
    cfg.metadata.remove(JS_SERVER_LEVEL_METADATA_KEY);
    let mut level = 0;
    if cfg.pause_until.is_some_and(|t| !t.is_zero()) {
        level = level.max(1);
    }
    if cfg.priority_policy != PriorityPolicy::None
        || cfg.pinned_ttl != 0
        || !cfg.priority_groups.is_empty()
    {
        level = level.max(1);
    }
    if cfg.ack_policy == AckPolicy::FlowControl {
        level = level.max(4);
    }
    cfg.metadata.insert(
        JS_REQUIRED_LEVEL_METADATA_KEY.to_string(),
        level.to_string(),
    );
}

/// Go's `setDynamicConsumerMetadata`: a copy with the server's version and API level, as answers
/// show the config.
pub fn with_dynamic_metadata(cfg: &ConsumerConfig) -> ConsumerConfig {
    use crate::jetstream::api::stream_config::{
        JS_API_LEVEL, JS_SERVER_LEVEL_METADATA_KEY, JS_SERVER_VERSION_METADATA_KEY,
    };
    let mut c = cfg.clone();
    c.metadata.insert(
        JS_SERVER_VERSION_METADATA_KEY.to_string(),
        crate::consts::VERSION.to_string(),
    );
    c.metadata.insert(
        JS_SERVER_LEVEL_METADATA_KEY.to_string(),
        JS_API_LEVEL.to_string(),
    );
    c
}
