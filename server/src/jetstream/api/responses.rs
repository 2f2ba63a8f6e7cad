//! Requests and responses of the stream API (`server/jetstream_api.go`).
//!
//! Go builds every response by embedding `ApiResponse` (`type`, `error`) and often
//! `ApiPaged` and a `*StreamInfo`; embedded fields are written inline, in embedding order,
//! and a nil `*StreamInfo` writes nothing. Here that is `#[serde(flatten)]`, which keeps
//! the order. The `type` strings are Go's `io.nats.jetstream.api.v1.*` names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::account::JetStreamAccountStats;
use super::consumer_config::ConsumerInfo;
use super::errors::ApiError;
use super::gotime::GoTime;
use super::stream_config::{is_false, is_zero_u64, StreamConfig};
use super::stream_info::{StoredMsg, StreamInfo, StreamState};

/// Response `type` strings.
pub mod types {
    pub const SYSTEM: &str = "io.nats.jetstream.api.v1.system_response";
    pub const OVERLOADED: &str = "io.nats.jetstream.api.v1.system_overloaded";
    pub const ACCOUNT_INFO: &str = "io.nats.jetstream.api.v1.account_info_response";
    pub const STREAM_CREATE: &str = "io.nats.jetstream.api.v1.stream_create_response";
    pub const STREAM_UPDATE: &str = "io.nats.jetstream.api.v1.stream_update_response";
    pub const STREAM_DELETE: &str = "io.nats.jetstream.api.v1.stream_delete_response";
    pub const STREAM_INFO: &str = "io.nats.jetstream.api.v1.stream_info_response";
    pub const STREAM_NAMES: &str = "io.nats.jetstream.api.v1.stream_names_response";
    pub const STREAM_LIST: &str = "io.nats.jetstream.api.v1.stream_list_response";
    pub const STREAM_PURGE: &str = "io.nats.jetstream.api.v1.stream_purge_response";
    pub const STREAM_SNAPSHOT: &str = "io.nats.jetstream.api.v1.stream_snapshot_response";
    pub const STREAM_RESTORE: &str = "io.nats.jetstream.api.v1.stream_restore_response";
    pub const STREAM_REMOVE_PEER: &str = "io.nats.jetstream.api.v1.stream_remove_peer_response";
    pub const STREAM_LEADER_STEPDOWN: &str =
        "io.nats.jetstream.api.v1.stream_leader_stepdown_response";
    pub const MSG_DELETE: &str = "io.nats.jetstream.api.v1.stream_msg_delete_response";
    pub const MSG_GET: &str = "io.nats.jetstream.api.v1.stream_msg_get_response";
    pub const ACCOUNT_PURGE: &str = "io.nats.jetstream.api.v1.account_purge_response";
    pub const CONSUMER_CREATE: &str = "io.nats.jetstream.api.v1.consumer_create_response";
    pub const CONSUMER_INFO: &str = "io.nats.jetstream.api.v1.consumer_info_response";
    pub const CONSUMER_PAUSE: &str = "io.nats.jetstream.api.v1.consumer_pause_response";
    pub const CONSUMER_UNPIN: &str = "io.nats.jetstream.api.v1.consumer_unpin_response";
    pub const CONSUMER_RESET: &str = "io.nats.jetstream.api.v1.consumer_reset_response";
}

/// Request subjects. A trailing `*` is the stream name token.
pub mod subjects {
    pub const ALL: &str = "$JS.API.>";
    pub const PREFIX: &str = "$JS.API";
    pub const ACCOUNT_INFO: &str = "$JS.API.INFO";
    pub const STREAM_CREATE: &str = "$JS.API.STREAM.CREATE.*";
    pub const STREAM_UPDATE: &str = "$JS.API.STREAM.UPDATE.*";
    pub const STREAM_NAMES: &str = "$JS.API.STREAM.NAMES";
    pub const STREAM_LIST: &str = "$JS.API.STREAM.LIST";
    pub const STREAM_INFO: &str = "$JS.API.STREAM.INFO.*";
    pub const STREAM_DELETE: &str = "$JS.API.STREAM.DELETE.*";
    pub const STREAM_PURGE: &str = "$JS.API.STREAM.PURGE.*";
    pub const STREAM_SNAPSHOT: &str = "$JS.API.STREAM.SNAPSHOT.*";
    pub const STREAM_RESTORE: &str = "$JS.API.STREAM.RESTORE.*";
    pub const MSG_DELETE: &str = "$JS.API.STREAM.MSG.DELETE.*";
    pub const MSG_GET: &str = "$JS.API.STREAM.MSG.GET.*";
    pub const DIRECT_GET: &str = "$JS.API.DIRECT.GET.*";
    pub const DIRECT_GET_LAST_BY_SUBJECT: &str = "$JS.API.DIRECT.GET.*.>";
    pub const STREAM_LEADER_STEPDOWN: &str = "$JS.API.STREAM.LEADER.STEPDOWN.*";
    pub const STREAM_REMOVE_PEER: &str = "$JS.API.STREAM.PEER.REMOVE.*";
}

/// Page size of `STREAM.NAMES` (Go `JSApiNamesLimit`).
pub const JS_API_NAMES_LIMIT: i64 = 1024;
/// Page size of `STREAM.LIST` (Go `JSApiListLimit`).
pub const JS_API_LIST_LIMIT: i64 = 256;
/// Most subjects a stream info request may detail (Go `JSMaxSubjectDetails`).
pub const JS_MAX_SUBJECT_DETAILS: usize = 100_000;

/// The stream name of a `$JS.API.STREAM.<op>.<name>` subject (Go `streamNameFromSubject`:
/// the fifth token; the `STREAM.MSG.*` handlers take the sixth).
pub fn stream_name_from_subject(subject: &str) -> &str {
    subject.split('.').nth(4).unwrap_or("")
}

/// Go's `ApiResponse`: what every response starts with.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApiResponse {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

impl ApiResponse {
    /// A response of this type without an error.
    pub fn new(kind: &str) -> ApiResponse {
        ApiResponse {
            kind: kind.to_string(),
            error: None,
        }
    }

    /// A response of this type carrying `error`.
    pub fn err(kind: &str, error: ApiError) -> ApiResponse {
        ApiResponse {
            kind: kind.to_string(),
            error: Some(error),
        }
    }
}

/// Go's `ApiPaged`: paging of list responses; always written, even when 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiPaged {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// Go's `ApiPagedRequest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiPagedRequest {
    pub offset: i64,
}

/// Go's `JSApiAccountInfoResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountInfoResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(flatten)]
    pub stats: Option<JetStreamAccountStats>,
}

/// Go's `JSApiStreamCreateResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamCreateResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(flatten)]
    pub info: Option<StreamInfo>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub did_create: bool,
}

/// Go's `JSApiStreamUpdateResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamUpdateResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(flatten)]
    pub info: Option<StreamInfo>,
}

/// Go's `JSApiStreamDeleteResponse` (and the other `success`-only responses).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SuccessResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(default, skip_serializing_if = "is_false")]
    pub success: bool,
}

/// Go's `JSApiStreamInfoRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamInfoRequest {
    pub offset: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub deleted_details: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subjects_filter: String,
}

/// Go's `JSApiStreamInfoResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamInfoResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(flatten)]
    pub paged: ApiPaged,
    #[serde(flatten)]
    pub info: Option<StreamInfo>,
}

/// Go's `JSApiStreamNamesRequest` (and `JSApiStreamListRequest`, the same shape).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamNamesRequest {
    pub offset: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
}

/// Go's `JSApiStreamNamesResponse`. `streams` is `null` when Go's slice is nil.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StreamNamesResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(flatten)]
    pub paged: ApiPaged,
    #[serde(default)]
    pub streams: Option<Vec<String>>,
}

/// Go's `JSApiStreamListResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamListResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(flatten)]
    pub paged: ApiPaged,
    #[serde(default)]
    pub streams: Option<Vec<StreamInfo>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub offline: BTreeMap<String, String>,
}

/// Go's `JSApiStreamPurgeRequest`: everything, up to a sequence, by subject, or keep N.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamPurgeRequest {
    #[serde(rename = "seq", skip_serializing_if = "is_zero_u64")]
    pub sequence: u64,
    #[serde(rename = "filter", skip_serializing_if = "String::is_empty")]
    pub subject: String,
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub keep: u64,
}

/// Go's `JSApiStreamPurgeResponse`; `purged` is always written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StreamPurgeResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(default, skip_serializing_if = "is_false")]
    pub success: bool,
    #[serde(default)]
    pub purged: u64,
}

/// Go's `JSApiMsgDeleteRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MsgDeleteRequest {
    pub seq: u64,
    #[serde(skip_serializing_if = "is_false")]
    pub no_erase: bool,
}

/// Go's `JSApiMsgGetRequest`: by sequence, last or next by subject, or a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MsgGetRequest {
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub seq: u64,
    #[serde(rename = "last_by_subj", skip_serializing_if = "String::is_empty")]
    pub last_for: String,
    #[serde(rename = "next_by_subj", skip_serializing_if = "String::is_empty")]
    pub next_for: String,
    #[serde(skip_serializing_if = "is_zero_i64_ref")]
    pub batch: i64,
    #[serde(skip_serializing_if = "is_zero_i64_ref")]
    pub max_bytes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<GoTime>,
    #[serde(rename = "multi_last", skip_serializing_if = "Vec::is_empty")]
    pub multi_last_for: Vec<String>,
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub up_to_seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up_to_time: Option<GoTime>,
    #[serde(rename = "no_hdr", skip_serializing_if = "is_false")]
    pub no_headers: bool,
}

fn is_zero_i64_ref(v: &i64) -> bool {
    *v == 0
}

/// Go's `JSApiMsgGetResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MsgGetResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<StoredMsg>,
}

/// Go's `JSApiStreamSnapshotResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StreamSnapshotResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<StreamConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<StreamState>,
}

/// Go's `JSApiConsumerCreateResponse` and `JSApiConsumerInfoResponse` (the same shape).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConsumerInfoResponse {
    #[serde(flatten)]
    pub response: ApiResponse,
    #[serde(flatten)]
    pub info: Option<ConsumerInfo>,
}

/// Go's `PubAck`: the reply to a message stored in a stream. `stream` and `seq` are always
/// written and required when reading, so an error reply reads back without an ack.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PubAck {
    pub stream: String,
    #[serde(rename = "seq")]
    pub sequence: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub duplicate: bool,
    #[serde(rename = "val", default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    #[serde(rename = "batch", default, skip_serializing_if = "String::is_empty")]
    pub batch_id: String,
    #[serde(rename = "count", default, skip_serializing_if = "is_zero_u64")]
    pub batch_size: u64,
}

/// Go's `JSPubAckResponse`: an error or a [`PubAck`], the error first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PubAckResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
    #[serde(flatten)]
    pub ack: Option<PubAck>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::info::go_json;

    #[test]
    fn pub_ack_error_reply_has_no_ack_fields() {
        let r = PubAckResponse {
            error: Some(super::super::ErrorId::StreamNotFound.err()),
            ack: None,
        };
        let text = go_json(&r);
        assert_eq!(
            text,
            r#"{"error":{"code":404,"err_code":10059,"description":"stream not found"}}"#
        );
        let back: PubAckResponse = serde_json::from_str(&text).expect("read back");
        assert_eq!(back, r);
    }

    #[test]
    fn stream_name_is_the_fifth_token() {
        assert_eq!(stream_name_from_subject("$JS.API.STREAM.CREATE.foo"), "foo");
        assert_eq!(
            stream_name_from_subject("$JS.API.STREAM.MSG.GET.foo"),
            "GET"
        );
        assert_eq!(stream_name_from_subject("$JS.API.INFO"), "");
    }
}
