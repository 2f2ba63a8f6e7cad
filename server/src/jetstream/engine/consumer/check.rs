//! Go's `checkConsumerCfg` for one server, run on a config whose defaults are already set (Go
//! sets them first too): names, replicas, ack wait and backoff, description and metadata sizes,
//! push and pull rules, ack-pending and request limits, filters and the deliver policy's start
//! options. The first failing rule answers, in Go's order.

use crate::jetstream::api::consumer_config::ConsumerConfig;
use crate::jetstream::api::enums::{AckPolicy, DeliverPolicy, RetentionPolicy};
use crate::jetstream::api::stream_check::is_valid_asset_name;
use crate::jetstream::api::{ApiError, ErrorId, StreamConfig};
use crate::sublist::{is_subset_match, is_valid_subject, subject_is_literal};

/// Go's `JSMaxDescriptionLen`.
pub const MAX_DESCRIPTION_LEN: usize = 4 * 1024;
/// Go's `JSMaxMetadataLen`.
pub const MAX_METADATA_LEN: usize = 128 * 1024;

/// The limits a consumer config is held to: the server's `jetstream.limits` and the account's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub server_max_ack_pending: i64,
    pub server_max_request_batch: i64,
    pub account_max_ack_pending: i64,
}

/// Go's `deliveryFormsCycle`: a deliver subject the stream would store again.
fn forms_cycle(stream: &StreamConfig, deliver: &str) -> bool {
    stream
        .subjects
        .iter()
        .any(|s| is_subset_match(deliver.as_bytes(), s.as_bytes()))
}

pub fn go_rules(
    cfg: &ConsumerConfig,
    stream: &StreamConfig,
    limits: &Limits,
) -> Result<(), ApiError> {
    let invalid_cfg = |m: &str| Err(ErrorId::StreamInvalidConfig.with_err(m));
    if !cfg.name.is_empty() && !is_valid_asset_name(&cfg.name) {
        return invalid_cfg("consumer name can not contain '.', '*', '>', '\\', '/'");
    }
    if !cfg.durable.is_empty() && !is_valid_asset_name(&cfg.durable) {
        return invalid_cfg("consumer durable name can not contain '.', '*', '>', '\\', '/'");
    }
    let stream_replicas = stream.replicas.max(1);
    if cfg.replicas > 0 && cfg.replicas > stream_replicas {
        return Err(ErrorId::ConsumerReplicasExceedsStream.err());
    }
    if cfg.replicas < 0 {
        return Err(ErrorId::ReplicasCountCannotBeNegative.err());
    }
    if matches!(
        stream.retention,
        RetentionPolicy::Interest | RetentionPolicy::WorkQueue
    ) && cfg.replicas != 0
        && cfg.replicas != stream_replicas
    {
        return Err(ErrorId::ConsumerReplicasShouldMatchStream.err());
    }
    if cfg.back_off.iter().any(|b| *b < 0) {
        return Err(ErrorId::ConsumerBackOffNegative.err());
    }
    if cfg.ack_wait < 0 {
        return Err(ErrorId::ConsumerAckWaitNegative.err());
    }
    let lbo = cfg.back_off.len() as i64;
    if lbo > 0 && cfg.max_deliver != -1 && lbo > cfg.max_deliver {
        return Err(ErrorId::ConsumerMaxDeliverBackoff.err());
    }
    if cfg.description.len() > MAX_DESCRIPTION_LEN {
        return Err(ErrorId::ConsumerDescriptionTooLong.fill(&[("{max}", &MAX_DESCRIPTION_LEN)]));
    }
    if !cfg.deliver_subject.is_empty() {
        let d = cfg.deliver_subject.as_bytes();
        if !subject_is_literal(d) {
            return Err(ErrorId::ConsumerDeliverToWildcards.err());
        }
        if !is_valid_subject(d) {
            return Err(ErrorId::ConsumerInvalidDeliverSubject.err());
        }
        if forms_cycle(stream, &cfg.deliver_subject) {
            return Err(ErrorId::ConsumerDeliverCycle.err());
        }
        if cfg.max_waiting != 0 {
            return Err(ErrorId::ConsumerPushMaxWaiting.err());
        }
        if cfg.max_ack_pending > 0 && cfg.ack_policy == AckPolicy::None {
            return Err(ErrorId::ConsumerMaxPendingAckPolicyRequired.err());
        }
        if cfg.heartbeat > 0 && cfg.heartbeat < 100_000_000 {
            return Err(ErrorId::ConsumerSmallHeartbeat.err());
        }
    } else {
        if cfg.ack_policy == AckPolicy::None && stream.retention == RetentionPolicy::WorkQueue {
            return Err(ErrorId::ConsumerPullRequiresAck.err());
        }
        if cfg.rate_limit > 0 {
            return Err(ErrorId::ConsumerPullWithRateLimit.err());
        }
        if cfg.max_waiting < 0 {
            return Err(ErrorId::ConsumerMaxWaitingNegative.err());
        }
        if cfg.heartbeat > 0 {
            return Err(ErrorId::ConsumerHBRequiresPush.err());
        }
        if cfg.flow_control {
            return Err(ErrorId::ConsumerFCRequiresPush.err());
        }
        if cfg.max_request_batch < 0 {
            return Err(ErrorId::ConsumerMaxRequestBatchNegative.err());
        }
        if cfg.max_request_expires != 0 && cfg.max_request_expires < 1_000_000 {
            return Err(ErrorId::ConsumerMaxRequestExpiresTooSmall.err());
        }
        if limits.server_max_request_batch > 0
            && cfg.max_request_batch > limits.server_max_request_batch
        {
            return Err(ErrorId::ConsumerMaxRequestBatchExceeded
                .fill(&[("{limit}", &limits.server_max_request_batch)]));
        }
    }
    for limit in [
        limits.server_max_ack_pending,
        limits.account_max_ack_pending,
        stream.consumer_limits.max_ack_pending,
    ] {
        if limit > 0 && cfg.max_ack_pending > limit {
            return Err(ErrorId::ConsumerMaxPendingAckExcess.fill(&[("{limit}", &limit)]));
        }
    }
    let it = stream.consumer_limits.inactive_threshold;
    if it > 0 && cfg.inactive_threshold > it {
        return Err(ErrorId::ConsumerInactiveThresholdExcess.fill(&[(
            "{limit}",
            &crate::gofmt::go_duration(std::time::Duration::from_nanos(it as u64)),
        )]));
    }
    if cfg.direct {
        if cfg.deliver_subject.is_empty() {
            return Err(ErrorId::ConsumerDirectRequiresPush.err());
        }
        if !cfg.durable.is_empty() {
            return Err(ErrorId::ConsumerDirectRequiresEphemeral.err());
        }
    }
    if !cfg.filter_subject.is_empty() && !cfg.filter_subjects.is_empty() {
        return Err(ErrorId::ConsumerDuplicateFilterSubjects.err());
    }
    if !cfg.filter_subject.is_empty() && !is_valid_subject(cfg.filter_subject.as_bytes()) {
        return invalid_cfg("invalid subject");
    }
    if cfg.filter_subjects.iter().any(String::is_empty) {
        return Err(ErrorId::ConsumerEmptyFilter.err());
    }
    let filters: Vec<&str> = if cfg.filter_subject.is_empty() {
        cfg.filter_subjects.iter().map(String::as_str).collect()
    } else {
        vec![cfg.filter_subject.as_str()]
    };
    for (i, f) in filters.iter().enumerate() {
        if !is_valid_subject(f.as_bytes()) {
            return invalid_cfg("invalid subject");
        }
        for (j, g) in filters.iter().enumerate() {
            if i != j && is_subset_match(f.as_bytes(), g.as_bytes()) {
                return Err(ErrorId::ConsumerOverlappingSubjectFilters.err());
            }
        }
    }
    start_options(cfg)?;
    if cfg.flow_control && cfg.heartbeat == 0 {
        return Err(ErrorId::ConsumerWithFlowControlNeedsHeartbeats.err());
    }
    if !cfg.durable.is_empty() && !cfg.name.is_empty() && cfg.name != cfg.durable {
        return Err(ErrorId::ConsumerCreateDurableAndNameMismatch.err());
    }
    let meta: usize = cfg.metadata.iter().map(|(k, v)| k.len() + v.len()).sum();
    if meta > MAX_METADATA_LEN {
        return Err(ErrorId::ConsumerMetadataLength
            .fill(&[("{limit}", &format!("{}KB", MAX_METADATA_LEN / 1024))]));
    }
    Ok(())
}

/// The deliver policy's start options (Go's switch on `DeliverPolicy` in `checkConsumerCfg`).
fn start_options(cfg: &ConsumerConfig) -> Result<(), ApiError> {
    let bad = |dp: &str, start: &str| {
        Err(ErrorId::ConsumerInvalidPolicy.with_err(format!(
            "consumer delivery policy is deliver {dp}, but optional start {start} is also set"
        )))
    };
    let not_set = |dp: &str, what: &str| {
        Err(ErrorId::ConsumerInvalidPolicy.with_err(format!(
            "consumer delivery policy is deliver {dp}, but optional {what} is not set"
        )))
    };
    let (seq, time) = (cfg.opt_start_seq > 0, cfg.opt_start_time.is_some());
    let plain = |dp: &str| {
        if seq {
            return bad(dp, "sequence");
        }
        if time {
            return bad(dp, "time");
        }
        Ok(())
    };
    match cfg.deliver_policy {
        DeliverPolicy::All => plain("all"),
        DeliverPolicy::Last => plain("last"),
        DeliverPolicy::New => plain("new"),
        DeliverPolicy::LastPerSubject => {
            plain("last per subject")?;
            if cfg.filter_subject.is_empty() && cfg.filter_subjects.is_empty() {
                return not_set("last per subject", "filter subject");
            }
            Ok(())
        }
        DeliverPolicy::ByStartSequence => {
            if cfg.opt_start_seq == 0 {
                return not_set("by start sequence", "start sequence");
            }
            if time {
                return bad("by start sequence", "time");
            }
            Ok(())
        }
        DeliverPolicy::ByStartTime => {
            if !time {
                return not_set("by start time", "start time");
            }
            if cfg.opt_start_seq != 0 {
                return bad("by start time", "start sequence");
            }
            Ok(())
        }
    }
}
