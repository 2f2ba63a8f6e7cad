//! Stream config validation and defaults: Go's `checkStreamCfgLocked` (`server/stream.go`),
//! for a single, non-clustered server.
//!
//! The checks run in Go's order and each failure is Go's error, so a config with several
//! faults reports the same one Go does. What the check needs from the running server (limits,
//! the account's other streams, subject-transform parsing) comes in through
//! [`StreamCheckContext`]. Mirrors and sources are checked in `source_check`. Also here: the
//! request-level checks of Go's `jsStreamCreateRequest`.

use std::collections::HashSet;

use super::errors::{ApiError, ErrorId};
use super::source_check::{check_cycles, check_mirror, check_sources};
use super::stream_config::StreamConfig;
use crate::gofmt::{go_duration, go_quote};
use crate::sublist::{
    is_subset_match, is_valid_publish_subject, is_valid_subject, subjects_collide,
};

/// Longest stream or consumer name (Go `JSMaxNameLen`).
pub const JS_MAX_NAME_LEN: usize = 255;
/// Longest description (Go `JSMaxDescriptionLen`).
pub const JS_MAX_DESCRIPTION_LEN: usize = 4 * 1024;
/// Most metadata, keys plus values (Go `JSMaxMetadataLen`).
pub const JS_MAX_METADATA_LEN: usize = 128 * 1024;
/// Most replicas a stream may ask for (Go `StreamMaxReplicas`).
pub const STREAM_MAX_REPLICAS: i64 = 5;
/// Default duplicate window, 2 minutes in nanoseconds (Go `StreamDefaultDuplicatesWindow`).
pub const STREAM_DEFAULT_DUPLICATES_WINDOW: i64 = 120_000_000_000;
/// The JetStream API subject prefix (Go `JSApiPrefix`).
pub const JS_API_PREFIX: &str = "$JS.API";

const MS_100: i64 = 100_000_000;
const SECOND: i64 = 1_000_000_000;

/// What the stream config check needs from the server and the account.
pub trait StreamCheckContext {
    /// The server's cap on the duplicate window in nanoseconds (Go
    /// `JetStreamLimits.Duplicates`, `max_duplicate_window`); 0 is no cap.
    fn max_duplicates_window(&self) -> i64;

    /// The config of the account's stream with this name, if it exists.
    fn stream_config(&self, name: &str) -> Option<StreamConfig>;

    /// Go's `Account.maxBytesLimits`: whether the selected account limits require `max_bytes`,
    /// and the most bytes one stream of this storage type may hold (0 is no limit).
    fn max_bytes_limits(&self, cfg: &StreamConfig) -> (bool, i64);

    /// Go's `ValidateMapping(src, dest)`: `Err` holds Go's error text.
    fn validate_mapping(&self, src: &str, dest: &str) -> Result<(), String>;

    /// Go's `NewSubjectTransform(src, dest)`: `Err` holds Go's error text.
    fn subject_transform(&self, src: &str, dest: &str) -> Result<(), String>;
}

/// Go's `isValidName`: non-empty, no whitespace, `.`, `*` or `>`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains([' ', '\t', '\r', '\n', '\u{c}', '.', '*', '>'])
}

/// Go's `isValidAssetName`: a valid name without path separators either.
pub fn is_valid_asset_name(name: &str) -> bool {
    is_valid_name(name) && !name.contains(['\\', '/'])
}

pub(super) fn invalid(msg: impl Into<String>) -> ApiError {
    ErrorId::StreamInvalidConfig.with_err(msg.into())
}

pub(super) fn pedantic(msg: &str) -> ApiError {
    ErrorId::Pedantic.with_err(msg)
}

pub(super) fn collide(a: &str, b: &str) -> bool {
    subjects_collide(a.as_bytes(), b.as_bytes())
}

pub(super) fn subset(subject: &str, test: &str) -> bool {
    is_subset_match(subject.as_bytes(), test.as_bytes())
}

pub(super) fn valid_subject(s: &str) -> bool {
    is_valid_subject(s.as_bytes())
}

/// Go's `checkStreamCfg`: validate `config` and return it with Go's defaults filled in.
pub fn check_stream_config(
    config: &StreamConfig,
    ctx: &dyn StreamCheckContext,
    pedantic_mode: bool,
) -> Result<StreamConfig, ApiError> {
    if !is_valid_asset_name(&config.name) {
        return Err(invalid(
            "stream name is required and can not contain '.', '*', '>', '\\', '/'",
        ));
    }
    if config.name.len() > JS_MAX_NAME_LEN {
        return Err(invalid(format!(
            "stream name is too long, maximum allowed is {JS_MAX_NAME_LEN}"
        )));
    }
    if config.description.len() > JS_MAX_DESCRIPTION_LEN {
        return Err(invalid(format!(
            "stream description is too long, maximum allowed is {JS_MAX_DESCRIPTION_LEN}"
        )));
    }
    let metadata_len: usize = config.metadata.iter().map(|(k, v)| k.len() + v.len()).sum();
    if metadata_len > JS_MAX_METADATA_LEN {
        return Err(invalid(format!(
            "stream metadata exceeds maximum size of {JS_MAX_METADATA_LEN} bytes"
        )));
    }

    let mut cfg = config.clone();
    // Retention, discard, compression and storage cannot hold out-of-range values here, so
    // Go's "invalid retention" family of checks has nothing to catch.
    check_limits_and_windows(&mut cfg, ctx, pedantic_mode)?;
    check_features(&mut cfg, pedantic_mode)?;

    let mut stream_subs: Vec<String> = Vec::new();
    let mut delivery_prefixes: Vec<String> = Vec::new();
    let mut api_prefixes: Vec<String> = Vec::new();

    if cfg.mirror.is_some() {
        check_mirror(
            &mut cfg,
            ctx,
            pedantic_mode,
            &mut stream_subs,
            &mut delivery_prefixes,
            &mut api_prefixes,
        )?;
    }
    check_sources(
        &cfg,
        ctx,
        &mut stream_subs,
        &mut delivery_prefixes,
        &mut api_prefixes,
    )?;

    for pfx in &delivery_prefixes {
        if !is_valid_publish_subject(pfx.as_bytes()) {
            return Err(ErrorId::StreamInvalidExternalDeliverySubj.fill(&[("{prefix}", pfx)]));
        }
        for sub in &stream_subs {
            if collide(sub, &format!("{pfx}.{sub}")) {
                return Err(ErrorId::StreamExternalDelPrefixOverlaps
                    .fill(&[("{prefix}", pfx), ("{subject}", sub)]));
            }
        }
    }
    for pfx in &api_prefixes {
        if !is_valid_publish_subject(pfx.as_bytes()) {
            return Err(invalid(format!(
                "stream external api prefix {} must be a valid subject without wildcards",
                go_quote(pfx.as_bytes())
            )));
        }
        if collide(pfx, JS_API_PREFIX) {
            return Err(ErrorId::StreamExternalApiOverlap
                .fill(&[("{prefix}", pfx), ("{subject}", &JS_API_PREFIX)]));
        }
    }

    check_cycles(&cfg, ctx)?;
    check_subjects(&mut cfg)?;

    let (required, limit) = ctx.max_bytes_limits(&cfg);
    if required && cfg.max_bytes <= 0 {
        return Err(ErrorId::StreamMaxBytesRequired.err());
    } else if limit > 0 && cfg.max_bytes > limit {
        return Err(ErrorId::StreamMaxStreamBytesExceeded.err());
    }

    if let Some(tr) = &cfg.subject_transform {
        if !tr.source.is_empty() && !valid_subject(&tr.source) {
            return Err(ErrorId::StreamTransformInvalidSource
                .with_err(format!("invalid subject {}", tr.source)));
        }
        if let Err(e) = ctx.validate_mapping(&tr.source, &tr.destination) {
            return Err(ErrorId::StreamTransformInvalidDestination.with_err(e));
        }
    }

    check_republish(&mut cfg, ctx, pedantic_mode)?;

    if cfg.placement.as_ref().is_some_and(|p| p.is_empty()) {
        cfg.placement = None;
    }
    if cfg
        .placement
        .as_ref()
        .is_some_and(|p| !p.preferred.is_empty())
    {
        return Err(invalid("preferred server not permitted in placement"));
    }
    Ok(cfg)
}

/// Replicas, the numeric limits (0 or below -1 become -1), max age and the duplicate window.
fn check_limits_and_windows(
    cfg: &mut StreamConfig,
    ctx: &dyn StreamCheckContext,
    pedantic_mode: bool,
) -> Result<(), ApiError> {
    if cfg.replicas == 0 {
        cfg.replicas = 1;
    }
    if cfg.replicas > STREAM_MAX_REPLICAS {
        return Err(invalid(format!(
            "maximum replicas is {STREAM_MAX_REPLICAS}"
        )));
    }
    if cfg.replicas < 0 {
        return Err(ErrorId::ReplicasCountCannotBeNegative.err());
    }
    fn unlimited(v: &mut i64, pedantic_mode: bool, msg: &str) -> Result<(), ApiError> {
        if *v == 0 || *v < -1 {
            if pedantic_mode && *v < -1 {
                return Err(pedantic(msg));
            }
            *v = -1;
        }
        Ok(())
    }
    unlimited(
        &mut cfg.max_msgs,
        pedantic_mode,
        "max_msgs must be set to -1",
    )?;
    unlimited(
        &mut cfg.max_msgs_per,
        pedantic_mode,
        "max_msgs_per_subject must be set to -1",
    )?;
    unlimited(
        &mut cfg.max_bytes,
        pedantic_mode,
        "max_bytes must be set to -1",
    )?;
    let mut max_msg_size = i64::from(cfg.max_msg_size);
    unlimited(
        &mut max_msg_size,
        pedantic_mode,
        "max_msg_size must be set to -1",
    )?;
    cfg.max_msg_size = i32::try_from(max_msg_size).unwrap_or(-1);
    unlimited(
        &mut cfg.max_consumers,
        pedantic_mode,
        "max_consumers must be set to -1",
    )?;

    if cfg.max_age < 0 {
        return Err(invalid("max age can not be negative"));
    }
    if cfg.max_age != 0 && cfg.max_age < MS_100 {
        return Err(invalid("max age needs to be >= 100ms"));
    }

    let lim_dups = ctx.max_duplicates_window();
    if cfg.duplicates == 0 && cfg.mirror.is_none() && cfg.sources.is_empty() {
        let mut max_window = STREAM_DEFAULT_DUPLICATES_WINDOW;
        if lim_dups > 0 && max_window > lim_dups {
            if pedantic_mode {
                return Err(pedantic(
                    "duplicate window limits are higher than current limits",
                ));
            }
            max_window = lim_dups;
        }
        if cfg.max_age != 0 && cfg.max_age < max_window {
            if pedantic_mode {
                return Err(pedantic("duplicate window cannot be bigger than max age"));
            }
            cfg.duplicates = cfg.max_age;
        } else {
            cfg.duplicates = max_window;
        }
    }
    if cfg.duplicates < 0 {
        return Err(invalid("duplicates window can not be negative"));
    }
    if cfg.max_age != 0 && cfg.duplicates > cfg.max_age {
        return Err(invalid("duplicates window can not be larger then max age"));
    }
    if lim_dups > 0 && cfg.duplicates > lim_dups {
        let lim = go_duration(std::time::Duration::from_nanos(lim_dups.unsigned_abs()));
        return Err(invalid(format!(
            "duplicates window can not be larger then server limit of {lim}"
        )));
    }
    if cfg.duplicates > 0 && cfg.duplicates < MS_100 {
        return Err(invalid("duplicates window needs to be >= 100ms"));
    }
    Ok(())
}

/// Roll-ups, counters, discard-new-per-subject, delete markers, schedules and persist mode.
fn check_features(cfg: &mut StreamConfig, pedantic_mode: bool) -> Result<(), ApiError> {
    use super::enums::{DiscardPolicy, PersistMode, RetentionPolicy, StorageType};

    if cfg.deny_purge && cfg.allow_rollup {
        return Err(invalid("roll-ups require the purge permission"));
    }
    if cfg.allow_msg_counter {
        if cfg.discard == DiscardPolicy::New {
            return Err(invalid("counter stream cannot use discard new"));
        }
        if cfg.allow_msg_ttl {
            return Err(invalid("counter stream cannot use message TTLs"));
        }
        if cfg.allow_msg_schedules {
            return Err(invalid("counter stream cannot use message schedules"));
        }
        if cfg.retention != RetentionPolicy::Limits {
            return Err(invalid("counter stream can only use limits retention"));
        }
    }
    if cfg.discard_new_per {
        if cfg.discard != DiscardPolicy::New {
            return Err(invalid(
                "discard new per subject requires discard new policy to be set",
            ));
        }
        if cfg.max_msgs_per <= 0 {
            return Err(invalid(
                "discard new per subject requires max msgs per subject > 0",
            ));
        }
    }
    if cfg.subject_delete_marker_ttl > 0 {
        if cfg.subject_delete_marker_ttl < SECOND {
            return Err(invalid(
                "subject delete marker TTL must be at least 1 second",
            ));
        }
        if !cfg.allow_msg_ttl {
            if pedantic_mode {
                return Err(invalid(
                    "subject delete marker cannot be set if message TTLs are disabled",
                ));
            }
            cfg.allow_msg_ttl = true;
        }
        if !cfg.allow_rollup {
            if pedantic_mode {
                return Err(invalid(
                    "subject delete marker cannot be set if roll-ups are disabled",
                ));
            }
            cfg.allow_rollup = true;
            cfg.deny_purge = false;
        }
    } else if cfg.subject_delete_marker_ttl < 0 {
        return Err(invalid("subject delete marker TTL must not be negative"));
    }
    if cfg.allow_msg_schedules {
        if cfg.discard == DiscardPolicy::New {
            return Err(invalid("message scheduling cannot use discard new"));
        }
        if !cfg.allow_rollup {
            if pedantic_mode {
                return Err(invalid(
                    "message scheduling cannot be set if roll-ups are disabled",
                ));
            }
            cfg.allow_rollup = true;
            cfg.deny_purge = false;
        }
    }
    if cfg.persist_mode == PersistMode::Async {
        if cfg.storage != StorageType::File {
            return Err(invalid(
                "async persist mode is only supported on file storage",
            ));
        }
        if cfg.replicas > 1 {
            return Err(invalid(
                "async persist mode is not supported on replicated streams",
            ));
        }
        if cfg.allow_atomic_publish {
            return Err(invalid(
                "async persist mode is not supported with atomic batch publish",
            ));
        }
    }
    Ok(())
}

/// The stream's own subjects: default to the name, then validity, duplicates, the capture-all
/// and API-space rules, and overlap between the stream's subjects.
fn check_subjects(cfg: &mut StreamConfig) -> Result<(), ApiError> {
    if cfg.subjects.is_empty() {
        if cfg.mirror.is_none() && cfg.sources.is_empty() {
            cfg.subjects.push(cfg.name.clone());
        }
    } else {
        if cfg.mirror.is_some() {
            return Err(ErrorId::MirrorWithSubjects.err());
        }
        let mut seen: HashSet<&str> = HashSet::new();
        for (i, subj) in cfg.subjects.iter().enumerate() {
            if !valid_subject(subj) {
                return Err(invalid("invalid subject"));
            }
            if seen.contains(subj.as_str()) {
                return Err(invalid("duplicate subjects detected"));
            }
            if subj == ">" {
                if !cfg.no_ack {
                    return Err(invalid("capturing all subjects requires no-ack to be true"));
                }
                if cfg.replicas != 1 {
                    return Err(invalid("capturing all subjects requires replicas of 1"));
                }
            }
            if !cfg.no_ack {
                for ns in ["$JS.>", "$JSC.>", "$NRG.>"] {
                    // Streams on $JS.EVENT.> may predate this rule, so they stay allowed.
                    if collide(subj, ns) && !subset(subj, "$JS.EVENT.>") {
                        return Err(invalid(
                            "subjects that overlap with jetstream api require no-ack to be true",
                        ));
                    }
                }
                if collide(subj, "$SYS.>") && !subset(subj, "$SYS.ACCOUNT.>") {
                    return Err(invalid(
                        "subjects that overlap with system api require no-ack to be true",
                    ));
                }
            }
            for other in &cfg.subjects[i + 1..] {
                if collide(other, subj) {
                    return Err(invalid(format!(
                        "subject {} overlaps with {}",
                        go_quote(subj.as_bytes()),
                        go_quote(other.as_bytes())
                    )));
                }
            }
            seen.insert(subj);
        }
    }
    if cfg.subjects.is_empty() && cfg.sources.is_empty() && cfg.mirror.is_none() {
        return Err(invalid(
            "stream needs at least one configured subject or be a source/mirror",
        ));
    }
    Ok(())
}

fn check_republish(
    cfg: &mut StreamConfig,
    ctx: &dyn StreamCheckContext,
    pedantic_mode: bool,
) -> Result<(), ApiError> {
    let transform = cfg.subject_transform.clone();
    let subjects = cfg.subjects.clone();
    let Some(rp) = cfg.republish.as_mut() else {
        return Ok(());
    };
    if rp.source.is_empty() {
        if pedantic_mode {
            return Err(pedantic("republish source can not be empty"));
        }
        rp.source = ">".to_string();
    }
    // '>' to '>' would loop, unless the stream's single subject is transformed elsewhere:
    // then the transform's destination is what gets republished.
    if let Some(tr) = &transform {
        if rp.destination == ">"
            && rp.source == ">"
            && subjects.len() == 1
            && tr.source == subjects[0]
        {
            if pedantic_mode {
                return Err(pedantic("implicit republish based on subject transform"));
            }
            rp.source = tr.destination.clone();
            rp.destination = tr.destination.clone();
        }
    }
    if subjects.iter().any(|s| collide(&rp.destination, s)) {
        return Err(invalid(
            "stream configuration for republish destination forms a cycle",
        ));
    }
    if ctx.subject_transform(&rp.source, &rp.destination).is_err() {
        return Err(invalid(format!(
            "stream configuration for republish with transform from '{}' to '{}' not valid",
            rp.source, rp.destination
        )));
    }
    Ok(())
}

/// The checks Go's `jsStreamCreateRequest` makes before the config check: the subject's
/// stream name against the body's, path separators, sealed, and mirror direct without a mirror.
pub fn check_create_request(subject_stream: &str, cfg: &StreamConfig) -> Result<(), ApiError> {
    if subject_stream != cfg.name {
        return Err(ErrorId::StreamMismatch.err());
    }
    if subject_stream.contains(['\\', '/']) {
        return Err(ErrorId::StreamNameContainsPathSeparators.err());
    }
    if cfg.sealed {
        return Err(invalid("stream configuration for create can not be sealed"));
    }
    if cfg.mirror_direct && cfg.mirror.is_none() {
        return Err(invalid("stream has no mirror but does have mirror direct"));
    }
    Ok(())
}

/// Go's `jsAccount.subjectsOverlap`: does any of `subjects` collide with a subject of one of
/// the `others` streams (the new stream itself excluded by the caller)?
pub fn subjects_overlap<'a>(
    subjects: &[String],
    others: impl IntoIterator<Item = &'a StreamConfig>,
) -> bool {
    others.into_iter().any(|o| {
        o.subjects
            .iter()
            .any(|s| subjects.iter().any(|t| collide(t, s)))
    })
}
