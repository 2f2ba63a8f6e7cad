//! [`StreamConfig`] and the structs inside it, as Go's `server/stream.go` declares them.
//!
//! Field order is Go's declaration order and every `omitempty` is a `skip_serializing_if`, so
//! the config serializes (through `info::go_json`) to the bytes Go's `json.Marshal` writes.
//! Durations are `i64` nanoseconds (Go `time.Duration`), times are [`GoTime`]. A missing field
//! reads as Go's zero value; the defaults Go fills in live in `stream_check`.
//! The `_nats.*` metadata keys the server adds are set here, as `jetstream_versioning.go` does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::enums::{DiscardPolicy, PersistMode, RetentionPolicy, StorageType, StoreCompression};
use super::gotime::GoTime;

pub(crate) fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}
pub(crate) fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}
pub(crate) fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}
pub(crate) fn is_false(v: &bool) -> bool {
    !*v
}
fn is_default_persist(v: &PersistMode) -> bool {
    *v == PersistMode::Default
}

/// Go's `StreamConfig`: what a stream stores, how much, and where it comes from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamConfig {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    pub retention: RetentionPolicy,
    pub max_consumers: i64,
    pub max_msgs: i64,
    pub max_bytes: i64,
    /// Nanoseconds; 0 is no limit.
    pub max_age: i64,
    #[serde(rename = "max_msgs_per_subject")]
    pub max_msgs_per: i64,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub max_msg_size: i32,
    pub discard: DiscardPolicy,
    pub storage: StorageType,
    #[serde(rename = "num_replicas")]
    pub replicas: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub no_ack: bool,
    /// Nanoseconds.
    #[serde(rename = "duplicate_window", skip_serializing_if = "is_zero_i64")]
    pub duplicates: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror: Option<StreamSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<StreamSource>,
    pub compression: StoreCompression,
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub first_seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_transform: Option<SubjectTransformConfig>,
    #[serde(rename = "republish", skip_serializing_if = "Option::is_none")]
    pub republish: Option<RePublish>,
    pub allow_direct: bool,
    pub mirror_direct: bool,
    #[serde(rename = "discard_new_per_subject", skip_serializing_if = "is_false")]
    pub discard_new_per: bool,
    pub sealed: bool,
    pub deny_delete: bool,
    pub deny_purge: bool,
    #[serde(rename = "allow_rollup_hdrs")]
    pub allow_rollup: bool,
    pub consumer_limits: StreamConsumerLimits,
    pub allow_msg_ttl: bool,
    /// Nanoseconds.
    #[serde(skip_serializing_if = "is_zero_i64")]
    pub subject_delete_marker_ttl: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub allow_msg_counter: bool,
    #[serde(rename = "allow_atomic", skip_serializing_if = "is_false")]
    pub allow_atomic_publish: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub allow_msg_schedules: bool,
    #[serde(skip_serializing_if = "is_default_persist")]
    pub persist_mode: PersistMode,
    #[serde(rename = "allow_batched", skip_serializing_if = "is_false")]
    pub allow_batch_publish: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// Go's `StreamConfigRequest`: a config plus the request-scoped `pedantic` flag.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamConfigRequest {
    #[serde(flatten)]
    pub config: StreamConfig,
    #[serde(default, skip_serializing_if = "is_false")]
    pub pedantic: bool,
}

/// Go's `StreamConsumerLimits`: defaults for consumers of the stream.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamConsumerLimits {
    /// Nanoseconds.
    #[serde(skip_serializing_if = "is_zero_i64")]
    pub inactive_threshold: i64,
    #[serde(skip_serializing_if = "is_zero_i64")]
    pub max_ack_pending: i64,
}

/// Go's `SubjectTransformConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SubjectTransformConfig {
    #[serde(rename = "src")]
    pub source: String,
    #[serde(rename = "dest")]
    pub destination: String,
}

/// Go's `RePublish`: republish stored messages to another subject.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RePublish {
    #[serde(rename = "src", skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(rename = "dest")]
    pub destination: String,
    #[serde(skip_serializing_if = "is_false")]
    pub headers_only: bool,
}

/// Go's `Placement` (`jetstream_cluster.go`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Placement {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub preferred: String,
}

impl Placement {
    /// Go compares with `reflect.DeepEqual(p, &Placement{})`, where a nil and an empty tag
    /// list differ; after a JSON round trip an empty list is never kept, so emptiness is the test.
    pub fn is_empty(&self) -> bool {
        self.cluster.is_empty() && self.tags.is_empty() && self.preferred.is_empty()
    }
}

/// Go's `StreamSource`: a mirror or a source of a stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamSource {
    pub name: String,
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub opt_start_seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opt_start_time: Option<GoTime>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub filter_subject: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subject_transforms: Vec<SubjectTransformConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalStream>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<StreamConsumerSource>,
}

impl StreamSource {
    /// Go's `composeIName`: the index name that tells two sources of one stream apart: the
    /// name (with hashes of the external API prefix and the durable consumer name), then the
    /// filters and the destinations, each list joined by form feeds, `>` standing for empty.
    pub fn index_name(&self) -> String {
        let mut iname = self.name.clone();
        if let Some(ext) = &self.external {
            iname.push(':');
            iname.push_str(&go_hash(&ext.api_prefix));
        }
        if let Some(c) = &self.consumer {
            iname.push_str(":C=");
            iname.push_str(&go_hash(&c.name));
        }
        let or_all = |s: &str| {
            if s.is_empty() {
                ">".to_string()
            } else {
                s.to_string()
            }
        };
        let (source, destination) = if self.subject_transforms.is_empty() {
            (or_all(&self.filter_subject), ">".to_string())
        } else {
            let sources: Vec<String> = self
                .subject_transforms
                .iter()
                .map(|t| or_all(&t.source))
                .collect();
            let dests: Vec<String> = self
                .subject_transforms
                .iter()
                .map(|t| or_all(&t.destination))
                .collect();
            (sources.join("\u{c}"), dests.join("\u{c}"))
        };
        format!("{iname} {source} {destination}")
    }

    /// Go's `composeCName`: the stream (and external API prefix hash) and the durable consumer
    /// name, for detecting one consumer used by two sources.
    pub fn consumer_name(&self) -> String {
        let mut iname = self.name.clone();
        if let Some(ext) = &self.external {
            iname.push(':');
            iname.push_str(&go_hash(&ext.api_prefix));
        }
        let c = self.consumer.as_ref().map_or("", |c| c.name.as_str());
        format!("{iname} {c}")
    }
}

/// Go's `getHash`: eight base-62 digits taken from the SHA-256 of the text, one per byte.
pub fn go_hash(s: &str) -> String {
    use sha2::Digest;
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let sum = sha2::Sha256::digest(s.as_bytes());
    sum[..8]
        .iter()
        .map(|b| char::from(DIGITS[usize::from(b % 62)]))
        .collect()
}

/// Go's `StreamConsumerSource`: a durable consumer used to source from a stream.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamConsumerSource {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub deliver_subject: String,
}

/// Go's `ExternalStream`: a source in another account or domain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalStream {
    #[serde(rename = "api")]
    pub api_prefix: String,
    #[serde(rename = "deliver")]
    pub deliver_prefix: String,
}

impl ExternalStream {
    /// Go's `Domain()`: the second token of the API prefix (`$JS.<domain>.API`).
    pub fn domain(&self) -> &str {
        self.api_prefix.split('.').nth(1).unwrap_or("")
    }
}

/// The API level this server implements (Go `JSApiLevel`).
pub const JS_API_LEVEL: u32 = 5;
/// Metadata key for the API level an asset needs (Go `JSRequiredLevelMetadataKey`).
pub const JS_REQUIRED_LEVEL_METADATA_KEY: &str = "_nats.req.level";
/// Metadata key for the server version, added to responses only.
pub const JS_SERVER_VERSION_METADATA_KEY: &str = "_nats.ver";
/// Metadata key for the server API level, added to responses only.
pub const JS_SERVER_LEVEL_METADATA_KEY: &str = "_nats.level";

impl StreamConfig {
    /// Go's `setStaticStreamMetadata`: drop the response-only keys and record the API level
    /// the config's features need.
    pub fn set_static_metadata(&mut self) {
        delete_dynamic_metadata(&mut self.metadata);
        let mut level = 0;
        if self.allow_msg_ttl || self.subject_delete_marker_ttl > 0 {
            level = level.max(1);
        }
        if self.allow_msg_counter
            || self.allow_atomic_publish
            || self.allow_msg_schedules
            || self.persist_mode == PersistMode::Async
        {
            level = level.max(2);
        }
        if self.allow_batch_publish {
            level = level.max(4);
        }
        self.metadata.insert(
            JS_REQUIRED_LEVEL_METADATA_KEY.to_string(),
            level.to_string(),
        );
    }

    /// Go's `setDynamicStreamMetadata`: a copy with the server's version and API level added,
    /// as every response shows the config.
    pub fn with_dynamic_metadata(&self, server_version: &str) -> StreamConfig {
        let mut cfg = self.clone();
        cfg.metadata.insert(
            JS_SERVER_VERSION_METADATA_KEY.to_string(),
            server_version.to_string(),
        );
        cfg.metadata.insert(
            JS_SERVER_LEVEL_METADATA_KEY.to_string(),
            JS_API_LEVEL.to_string(),
        );
        cfg
    }

    /// Go's `copyStreamMetadata`: before comparing a new config with the stored one, take the
    /// stored required level (or none) and drop the response-only keys.
    pub fn copy_metadata_from(&mut self, prev: Option<&StreamConfig>) {
        delete_dynamic_metadata(&mut self.metadata);
        match prev.and_then(|p| p.metadata.get(JS_REQUIRED_LEVEL_METADATA_KEY)) {
            Some(v) => {
                self.metadata
                    .insert(JS_REQUIRED_LEVEL_METADATA_KEY.to_string(), v.clone());
            }
            None => {
                self.metadata.remove(JS_REQUIRED_LEVEL_METADATA_KEY);
            }
        }
    }
}

/// Go's `deleteDynamicMetadata`.
pub fn delete_dynamic_metadata(metadata: &mut BTreeMap<String, String>) {
    metadata.remove(JS_SERVER_VERSION_METADATA_KEY);
    metadata.remove(JS_SERVER_LEVEL_METADATA_KEY);
}

/// Go's `getRequiredApiLevel`: the required level as written, or `""`.
pub fn get_required_api_level(metadata: &BTreeMap<String, String>) -> &str {
    metadata
        .get(JS_REQUIRED_LEVEL_METADATA_KEY)
        .map_or("", String::as_str)
}

/// Go's `supportsRequiredApiLevel`: an asset whose required level is above ours (or not a
/// number) cannot be served by this server.
pub fn supports_required_api_level(metadata: &BTreeMap<String, String>) -> bool {
    match metadata.get(JS_REQUIRED_LEVEL_METADATA_KEY) {
        Some(l) if !l.is_empty() => l.parse::<i64>().is_ok_and(|l| l <= i64::from(JS_API_LEVEL)),
        _ => true,
    }
}

/// Go's `errorOnRequiredApiLevel`: the `Nats-Required-Api-Level` header value, if given,
/// must be a number no higher than our level.
pub fn error_on_required_api_level(header_value: Option<&str>) -> bool {
    match header_value {
        None | Some("") => false,
        Some(v) => v
            .parse::<i64>()
            .map_or(true, |l| i64::from(JS_API_LEVEL) < l),
    }
}

#[cfg(test)]
mod tests;
