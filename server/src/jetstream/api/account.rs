//! Account-level JetStream JSON: Go's `JetStreamAccountLimits`, `JetStreamTier`,
//! `JetStreamAccountStats` and `JetStreamAPIStats` (`server/jetstream.go`), what
//! `$JS.API.INFO` reports; plus Go's tier naming (`tierName`, `isSameTier`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::stream_config::is_zero_u64;

/// Go's `JetStreamAccountLimits`; -1 is unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JetStreamAccountLimits {
    pub max_memory: i64,
    #[serde(rename = "max_storage")]
    pub max_store: i64,
    pub max_streams: i64,
    pub max_consumers: i64,
    pub max_ack_pending: i64,
    pub memory_max_stream_bytes: i64,
    #[serde(rename = "storage_max_stream_bytes")]
    pub store_max_stream_bytes: i64,
    pub max_bytes_required: bool,
}

impl JetStreamAccountLimits {
    /// The limits of an account with JetStream enabled and nothing configured: all unlimited.
    pub const UNLIMITED: JetStreamAccountLimits = JetStreamAccountLimits {
        max_memory: -1,
        max_store: -1,
        max_streams: -1,
        max_consumers: -1,
        max_ack_pending: -1,
        memory_max_stream_bytes: -1,
        store_max_stream_bytes: -1,
        max_bytes_required: false,
    };
}

impl Default for JetStreamAccountLimits {
    /// Go's zero value (all 0), as a decoded empty object gives.
    fn default() -> Self {
        JetStreamAccountLimits {
            max_memory: 0,
            max_store: 0,
            max_streams: 0,
            max_consumers: 0,
            max_ack_pending: 0,
            memory_max_stream_bytes: 0,
            store_max_stream_bytes: 0,
            max_bytes_required: false,
        }
    }
}

/// Go's `JetStreamTier`: usage and limits of one tier (or of the whole account).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct JetStreamTier {
    pub memory: u64,
    #[serde(rename = "storage")]
    pub store: u64,
    pub reserved_memory: u64,
    #[serde(rename = "reserved_storage")]
    pub reserved_store: u64,
    pub streams: i64,
    pub consumers: i64,
    pub limits: JetStreamAccountLimits,
}

/// Go's `JetStreamAPIStats`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct JetStreamApiStats {
    pub level: i64,
    pub total: u64,
    pub errors: u64,
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub inflight: u64,
}

/// Go's `JetStreamAccountStats`: the embedded tier's fields first, then domain, API and tiers.
/// `api` is always written, so reading requires it (an error response reads as no stats).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct JetStreamAccountStats {
    #[serde(flatten)]
    pub tier: JetStreamTier,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    pub api: JetStreamApiStats,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tiers: BTreeMap<String, JetStreamTier>,
}

/// Go's `tierName`: `R<replicas>`, with 0 counted as 1.
pub fn tier_name(replicas: i64) -> String {
    format!("R{}", if replicas == 0 { 1 } else { replicas })
}

/// Go's `isSameTier`: replica counts compared with anything below 1 taken as 1.
pub fn is_same_tier(a: i64, b: i64) -> bool {
    a.max(1) == b.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_info_body_matches_go() {
        // Go 2.15.1, fresh server with two streams after four API calls.
        let stats = JetStreamAccountStats {
            tier: JetStreamTier {
                streams: 2,
                limits: JetStreamAccountLimits::UNLIMITED,
                ..Default::default()
            },
            api: JetStreamApiStats {
                level: 5,
                total: 4,
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            crate::info::go_json(&stats),
            r#"{"memory":0,"storage":0,"reserved_memory":0,"reserved_storage":0,"streams":2,"consumers":0,"limits":{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,"max_bytes_required":false},"api":{"level":5,"total":4,"errors":0}}"#
        );
    }

    #[test]
    fn tiers_like_go() {
        assert_eq!(tier_name(0), "R1");
        assert_eq!(tier_name(3), "R3");
        assert!(is_same_tier(0, 1));
        assert!(is_same_tier(-1, 1));
        assert!(!is_same_tier(1, 3));
    }
}
