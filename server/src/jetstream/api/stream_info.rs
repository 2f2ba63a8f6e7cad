//! Stream info and state as the API shows them: Go's `StreamInfo`, `StreamState`,
//! `ClusterInfo`, `PeerInfo`, `StreamSourceInfo` (`server/stream.go`, `server/store.go`) and
//! `StoredMsg`, in Go's field order with Go's `omitempty` rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::enums::RetentionPolicy;
use super::errors::ApiError;
use super::gotime::GoTime;
use super::stream_config::{
    is_false, is_zero_u64, ExternalStream, Placement, StreamConfig, StreamSource,
    SubjectTransformConfig,
};

fn is_zero_usize(v: &usize) -> bool {
    *v == 0
}

/// Go's `StreamInfo`: a stream's config, creation time and state. Go always writes
/// `config`, `created`, `state` and `ts`, so reading requires them; that is also how a
/// response without a stream info (an error) reads back as `None`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamInfo {
    pub config: StreamConfig,
    pub created: GoTime,
    pub state: StreamState,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror: Option<StreamSourceInfo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<StreamSourceInfo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternates: Vec<StreamAlternate>,
    /// When the info was gathered.
    #[serde(rename = "ts")]
    pub timestamp: GoTime,
}

/// Go's `StreamState`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamState {
    #[serde(rename = "messages")]
    pub msgs: u64,
    pub bytes: u64,
    pub first_seq: u64,
    #[serde(rename = "first_ts")]
    pub first_time: GoTime,
    pub last_seq: u64,
    #[serde(rename = "last_ts")]
    pub last_time: GoTime,
    #[serde(skip_serializing_if = "is_zero_usize")]
    pub num_subjects: usize,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub subjects: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "is_zero_usize")]
    pub num_deleted: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<LostStreamData>,
    #[serde(rename = "consumer_count")]
    pub consumers: usize,
}

impl StreamState {
    /// The state of a new, empty store: with a first sequence N configured, Go's stores
    /// report first N and last N-1.
    pub fn empty(first_seq: u64) -> StreamState {
        StreamState {
            first_seq,
            last_seq: first_seq.saturating_sub(1),
            ..Default::default()
        }
    }
}

/// Go's `LostStreamData`: messages found missing or corrupt on recovery.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LostStreamData {
    /// Go writes `null` for no messages (a nil slice without `omitempty`).
    pub msgs: Option<Vec<u64>>,
    pub bytes: u64,
}

/// Go's `SimpleState`: counts for a subject filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SimpleState {
    #[serde(rename = "messages")]
    pub msgs: u64,
    #[serde(rename = "first_seq")]
    pub first: u64,
    #[serde(rename = "last_seq")]
    pub last: u64,
}

/// Go's `StreamAlternate`: a mirror that can serve reads for the stream.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamAlternate {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub domain: String,
    pub cluster: String,
}

/// Go's `ClusterInfo`. A single server reports only `leader` (its own name).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterInfo {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub raft_group: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub leader: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_since: Option<GoTime>,
    #[serde(rename = "system_account", skip_serializing_if = "is_false")]
    pub system_acc: bool,
    #[serde(rename = "traffic_account", skip_serializing_if = "String::is_empty")]
    pub traffic_acc: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<PeerInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired: Option<DesiredClusterInfo>,
}

/// Go's `DesiredClusterInfo`: where a moving or rescaling group is headed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DesiredClusterInfo {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<PeerInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<DesiredClusterInfoOrigin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DesiredClusterInfoStatus>,
}

/// Go's `DesiredClusterInfoOrigin`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DesiredClusterInfoOrigin {
    pub replicas: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPolicy>,
}

/// Go's `DesiredClusterInfoStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DesiredClusterInfoStatus {
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub err: String,
}

/// Go's `PeerInfo`: one replica of a clustered stream or consumer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PeerInfo {
    pub name: String,
    pub current: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub offline: bool,
    /// Nanoseconds since the peer was last active.
    pub active: i64,
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub lag: u64,
    pub peer: String,
    #[serde(skip_serializing_if = "is_false")]
    pub pending: bool,
}

/// Go's `StreamSourceInfo`: how a mirror or source is keeping up.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamSourceInfo {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalStream>,
    pub lag: u64,
    /// The highest origin sequence a source took (0: none yet).
    #[serde(skip_serializing_if = "super::stream_config::is_zero_u64")]
    pub seq: u64,
    /// Nanoseconds since the last message or contact; -1 when never active.
    pub active: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub filter_subject: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subject_transforms: Vec<SubjectTransformConfig>,
}

impl StreamSourceInfo {
    /// Go's `sourceInfo` for a source not heard from yet: no lag, `active` -1, the source's
    /// filter and transforms, and its external reference.
    pub fn initial_source(src: &StreamSource) -> StreamSourceInfo {
        StreamSourceInfo {
            name: src.name.clone(),
            external: src.external.clone(),
            lag: 0,
            seq: 0,
            active: -1,
            error: None,
            filter_subject: src.filter_subject.clone(),
            subject_transforms: src.subject_transforms.clone(),
        }
    }

    /// The same for a mirror, whose info shows the filter subject only once its consumer is set
    /// up (Go sets `mirror.sf` in `setupMirrorConsumer`).
    pub fn initial_mirror(mirror: &StreamSource) -> StreamSourceInfo {
        StreamSourceInfo {
            filter_subject: String::new(),
            ..StreamSourceInfo::initial_source(mirror)
        }
    }
}

/// Go's `StoredMsg`: one message as the JSON message-get API returns it; header and data
/// are base64 (standard, padded) as Go writes `[]byte`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredMsg {
    pub subject: String,
    #[serde(rename = "seq")]
    pub sequence: u64,
    #[serde(
        rename = "hdrs",
        skip_serializing_if = "Vec::is_empty",
        with = "base64_bytes"
    )]
    pub header: Vec<u8>,
    #[serde(skip_serializing_if = "Vec::is_empty", with = "base64_bytes")]
    pub data: Vec<u8>,
    pub time: GoTime,
}

/// Go's `[]byte` JSON form: standard base64 with padding; `null` reads as empty.
pub(crate) mod base64_bytes {
    use base64::Engine;
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Vec::new()),
            Some(s) => base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|_| de::Error::custom("illegal base64 data at input byte 0")),
        }
    }
}
