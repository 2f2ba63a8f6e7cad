//! JetStream settings of the server configuration beyond `jetstream: true` and `store_dir` (Go's
//! `JetStreamMaxMemory`, `JetStreamMaxStore`, `JetStreamDomain`, `SyncInterval`, `SyncAlways`,
//! `NoJetStreamStrict`, `JetStreamLimits` ... in opts.go).

use std::time::Duration;

/// Go's `defaultSyncInterval`: how often file stores are synced to disk by default.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(120);

/// Server-wide JetStream limits (Go's `JSLimitOpts`); 0 means Go's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsLimits {
    pub max_ack_pending: i64,
    pub max_ha_assets: i64,
    pub max_request_batch: i64,
    pub duplicates: Duration,
    /// `batch { max_inflight_per_stream, max_inflight_total, max_msgs, timeout }`.
    pub batch_inflight_per_stream: i64,
    pub batch_inflight_total: i64,
    pub batch_max_msgs: i64,
    pub batch_timeout: Duration,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsOptions {
    /// `max_memory_store`; None: 75% of system memory.
    pub max_memory: Option<i64>,
    /// `max_file_store`; None: 75% of the available disk.
    pub max_store: Option<i64>,
    pub domain: String,
    /// `strict: false`.
    pub no_strict: bool,
    /// `sync_interval`; None: the default.
    pub sync_interval: Option<Duration>,
    /// `sync_interval: always`.
    pub sync_always: bool,
    pub unique_tag: String,
    pub limits: JsLimits,
    pub max_buffered_size: i64,
    pub max_buffered_msgs: i64,
    pub request_queue_limit: i64,
    /// `key` / `ek` / `encryption_key`: at-rest encryption of file streams when not empty.
    pub encryption_key: String,
    /// `prev_key` / `prev_ek` / `prev_encryption_key`: the key stores may have been written with.
    pub prev_encryption_key: String,
    /// `cipher`; ChaCha20-Poly1305 by default, as Go.
    pub cipher: crate::jetstream::store::crypt::Cipher,
}
