//! Mirror and source checks of Go's `checkStreamCfgLocked` (`server/stream.go`): durable
//! sourcing consumers, transforms, external prefixes, origin limits and source cycles; and the
//! filter checks Go's `addStreamWithAssignmentAndMode` makes afterwards.

use std::collections::{HashSet, VecDeque};

use super::errors::{ApiError, ErrorId};
use super::stream_check::{
    collide, invalid, is_valid_asset_name, pedantic, subset, valid_subject, StreamCheckContext,
};
use super::stream_config::{StreamConfig, StreamSource};
use crate::sublist::subject_is_literal;

/// Bound on the source-graph walk; Go's walk has none, but it ends long before this.
const MAX_CYCLE_VISITS: usize = 100_000;

/// A durable consumer for sourcing must have a plain name and a literal deliver subject, and
/// cannot be combined with a start position or a filter.
fn durable_source_ok(src: &StreamSource) -> Result<(), ()> {
    let Some(c) = &src.consumer else {
        return Ok(());
    };
    if !is_valid_asset_name(&c.name)
        || !subject_is_literal(c.deliver_subject.as_bytes())
        || !valid_subject(&c.deliver_subject)
        || src.opt_start_seq != 0
        || src.opt_start_time.is_some()
        || !src.filter_subject.is_empty()
    {
        return Err(());
    }
    Ok(())
}

pub(super) fn check_mirror(
    cfg: &mut StreamConfig,
    ctx: &dyn StreamCheckContext,
    pedantic_mode: bool,
    stream_subs: &mut Vec<String>,
    delivery_prefixes: &mut Vec<String>,
    api_prefixes: &mut Vec<String>,
) -> Result<(), ApiError> {
    let Some(mirror) = cfg.mirror.clone() else {
        return Ok(());
    };
    if cfg.first_seq > 0 {
        return Err(ErrorId::MirrorWithFirstSeq.err());
    }
    if !cfg.subjects.is_empty() {
        return Err(ErrorId::MirrorWithSubjects.err());
    }
    if !cfg.sources.is_empty() {
        return Err(ErrorId::MirrorWithSources.err());
    }
    if cfg.allow_msg_counter {
        return Err(ErrorId::MirrorWithCounters.err());
    }
    if cfg.allow_atomic_publish {
        return Err(ErrorId::MirrorWithAtomicPublish.err());
    }
    if cfg.allow_batch_publish {
        return Err(ErrorId::MirrorWithBatchPublish.err());
    }
    if cfg.allow_msg_schedules {
        return Err(ErrorId::MirrorWithMsgSchedules.err());
    }
    if durable_source_ok(&mirror).is_err() {
        return Err(ErrorId::MirrorDurableConsumerCfgInvalid.err());
    }
    if !mirror.filter_subject.is_empty() && !mirror.subject_transforms.is_empty() {
        return Err(ErrorId::MirrorMultipleFiltersNotAllowed.err());
    }
    if cfg.subject_delete_marker_ttl > 0 {
        return Err(invalid("subject delete markers forbidden on mirrors"));
    }
    for (outer, tr) in mirror.subject_transforms.iter().enumerate() {
        if !tr.source.is_empty() && !valid_subject(&tr.source) {
            return Err(ErrorId::MirrorInvalidSubjectFilter
                .with_err(format!("invalid subject {}", tr.source)));
        }
        if let Err(e) = ctx.validate_mapping(&tr.source, &tr.destination) {
            return Err(ErrorId::MirrorInvalidTransformDestination.with_err(e));
        }
        for (inner, other) in mirror.subject_transforms.iter().enumerate() {
            if inner != outer && collide(&tr.source, &other.source) {
                return Err(ErrorId::MirrorOverlappingSubjectFilters.err());
            }
        }
    }
    match &mirror.external {
        None => {
            if !is_valid_asset_name(&mirror.name) {
                return Err(ErrorId::MirrorInvalidStreamName.err());
            }
            // The origin need not exist; when it does, its limits and direct get apply.
            if let Some(origin) = ctx.stream_config(&mirror.name) {
                stream_subs.extend(origin.subjects.iter().cloned());
                if cfg.max_msg_size > 0
                    && origin.max_msg_size > 0
                    && cfg.max_msg_size < origin.max_msg_size
                {
                    return Err(ErrorId::MirrorMaxMessageSizeTooBig.err());
                }
                if pedantic_mode && cfg.mirror_direct != origin.allow_direct {
                    return Err(pedantic(
                        "origin stream has direct get set, mirror has it disabled",
                    ));
                }
                cfg.mirror_direct = origin.allow_direct;
            }
        }
        Some(ext) => {
            if !ext.deliver_prefix.is_empty() {
                delivery_prefixes.push(ext.deliver_prefix.clone());
            }
            if !ext.api_prefix.is_empty() {
                api_prefixes.push(ext.api_prefix.clone());
            }
        }
    }
    Ok(())
}

pub(super) fn check_sources(
    cfg: &StreamConfig,
    ctx: &dyn StreamCheckContext,
    stream_subs: &mut Vec<String>,
    delivery_prefixes: &mut Vec<String>,
    api_prefixes: &mut Vec<String>,
) -> Result<(), ApiError> {
    if !cfg.sources.is_empty() && cfg.allow_msg_schedules {
        return Err(ErrorId::SourceWithMsgSchedules.err());
    }
    let mut index_names = HashSet::new();
    let mut consumer_names = HashSet::new();
    for src in &cfg.sources {
        if !is_valid_asset_name(&src.name) {
            return Err(ErrorId::SourceInvalidStreamName.err());
        }
        if !index_names.insert(src.index_name()) {
            return Err(ErrorId::SourceDuplicateDetected.err());
        }
        if !src.filter_subject.is_empty() && !src.subject_transforms.is_empty() {
            return Err(ErrorId::SourceMultipleFiltersNotAllowed.err());
        }
        for tr in &src.subject_transforms {
            if !tr.source.is_empty() && !valid_subject(&tr.source) {
                return Err(ErrorId::SourceInvalidSubjectFilter
                    .with_err(format!("invalid subject {}", tr.source)));
            }
            if let Err(e) = ctx.validate_mapping(&tr.source, &tr.destination) {
                return Err(ErrorId::SourceInvalidTransformDestination.with_err(e));
            }
        }
        for (outer, tr) in src.subject_transforms.iter().enumerate() {
            for (inner, other) in src.subject_transforms.iter().enumerate() {
                if inner != outer && subset(&tr.source, &other.source) {
                    return Err(ErrorId::SourceOverlappingSubjectFilters.err());
                }
            }
        }
        if src.consumer.is_some() {
            if durable_source_ok(src).is_err() {
                return Err(ErrorId::SourceDurableConsumerCfgInvalid.err());
            }
            if !consumer_names.insert(src.consumer_name()) {
                return Err(ErrorId::SourceDurableConsumerDuplicateDetected.err());
            }
        }
        match &src.external {
            None => {
                if let Some(origin) = ctx.stream_config(&src.name) {
                    stream_subs.extend(origin.subjects.iter().cloned());
                    if cfg.max_msg_size > 0
                        && origin.max_msg_size > 0
                        && cfg.max_msg_size < origin.max_msg_size
                    {
                        return Err(ErrorId::SourceMaxMessageSizeTooBig.err());
                    }
                }
            }
            Some(ext) => {
                if !ext.deliver_prefix.is_empty() {
                    delivery_prefixes.push(ext.deliver_prefix.clone());
                }
                if !ext.api_prefix.is_empty() {
                    api_prefixes.push(ext.api_prefix.clone());
                }
            }
        }
    }
    Ok(())
}

/// Walk the sources and mirrors reachable from the new config; reaching a stream already
/// seen is a cycle when the subjects really loop back (for mirrors, always).
pub(super) fn check_cycles(
    cfg: &StreamConfig,
    ctx: &dyn StreamCheckContext,
) -> Result<(), ApiError> {
    let mut to_visit: VecDeque<StreamConfig> = VecDeque::from([cfg.clone()]);
    let mut visited: HashSet<String> = HashSet::new();
    let overlaps = |subjects: &[String], filter: &str| {
        filter.is_empty() || subjects.iter().any(|s| collide(s, filter))
    };
    let mut visits = 0;
    while let Some(cur) = to_visit.pop_front() {
        visits += 1;
        if visits > MAX_CYCLE_VISITS {
            break;
        }
        visited.insert(cur.name.clone());
        for src in &cur.sources {
            if src.external.is_some() {
                continue;
            }
            if visited.contains(&src.name) {
                if overlaps(&cur.subjects, &src.filter_subject) {
                    return Err(invalid("detected cycle"));
                }
            } else if let Some(next) = ctx.stream_config(&src.name) {
                to_visit.push_back(next);
            }
        }
        if let Some(m) = &cur.mirror {
            if m.external.is_none() {
                if visited.contains(&m.name) {
                    return Err(invalid("detected cycle"));
                }
                if let Some(next) = ctx.stream_config(&m.name) {
                    to_visit.push_back(next);
                }
            }
        }
    }
    Ok(())
}

/// The filter and transform checks Go's `addStreamWithAssignmentAndMode` makes after the
/// config check; a failure is Go's `NewJSStreamCreateError` (500, 10049) with its text.
pub fn check_source_filters(
    cfg: &StreamConfig,
    ctx: &dyn StreamCheckContext,
) -> Result<(), ApiError> {
    let fail = |msg: String| Err(ErrorId::StreamCreate.with_err(msg));
    if let Some(m) = &cfg.mirror {
        if m.subject_transforms.is_empty() {
            if !m.filter_subject.is_empty() && !valid_subject(&m.filter_subject) {
                return fail(format!(
                    "subject filter '{}' for the mirror invalid subject",
                    m.filter_subject
                ));
            }
        } else {
            for st in &m.subject_transforms {
                if !st.source.is_empty() && !valid_subject(&st.source) {
                    return fail(format!(
                        "invalid subject transform source '{}' for the mirror: invalid subject",
                        st.source
                    ));
                }
                if !st.destination.is_empty() {
                    if let Err(e) = ctx.subject_transform(&st.source, &st.destination) {
                        return fail(format!(
                            "subject transform from '{}' to '{}' for the mirror: {e}",
                            st.source, st.destination
                        ));
                    }
                }
            }
        }
    }
    for s in &cfg.sources {
        if s.subject_transforms.is_empty() {
            if !s.filter_subject.is_empty() && !valid_subject(&s.filter_subject) {
                return fail(format!(
                    "subject filter '{}' for the source: invalid subject",
                    s.filter_subject
                ));
            }
        } else {
            for st in &s.subject_transforms {
                if !st.source.is_empty() && !valid_subject(&st.source) {
                    return fail(format!(
                        "subject filter '{}' for the source: invalid subject",
                        st.source
                    ));
                }
                if !st.destination.is_empty() {
                    if let Err(e) = ctx.subject_transform(&st.source, &st.destination) {
                        return fail(format!(
                            "subject transform from '{}' to '{}' for the source: {e}",
                            st.source, st.destination
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
