//! The values that cross the [`StreamStore`](super::StreamStore) boundary: stored messages, stream
//! and per-subject state, the limits a store enforces, storage-usage updates, diagnostics and
//! errors. Field meanings and error texts follow Go's `server/store.go` (`StoreMsg`,
//! `StreamState`, `SimpleState`, `LostStreamData`, `ErrStore*`), so the API layer can build Go's
//! JSON and error codes on them.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;

/// Go `StorageType`: where a stream keeps its messages. The numeric values are Go's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    /// Go `FileStorage` (22).
    File = 22,
    /// Go `MemoryStorage` (33).
    Memory = 33,
}

/// Go `DiscardPolicy`: what happens when a limit is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DiscardPolicy {
    /// Remove the oldest messages to make room (Go `DiscardOld`, the default).
    #[default]
    Old,
    /// Refuse the new message with [`StoreError::MaxMsgs`], [`StoreError::MaxBytes`] or
    /// [`StoreError::MaxMsgsPerSubject`] (Go `DiscardNew`).
    New,
}

/// The part of Go's `StreamConfig` that a store enforces. Limits `<= 0` mean unlimited, as in Go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreConfig {
    /// Stream name (used in diagnostics only).
    pub name: String,
    /// The stream's subjects; a multi-filter naming exactly these counts as "all" (Go
    /// `filterIsAll`).
    pub subjects: Vec<String>,
    /// Go `MaxMsgs`.
    pub max_msgs: i64,
    /// Go `MaxBytes`, counted in [`StreamStore::msg_size`](super::StreamStore::msg_size) units.
    pub max_bytes: i64,
    /// Go `MaxAge` in nanoseconds; 0 keeps messages forever. Enforced by
    /// [`StreamStore::expire_msgs`](super::StreamStore::expire_msgs).
    pub max_age: i64,
    /// Go `MaxMsgsPer`: messages kept per subject.
    pub max_msgs_per_subject: i64,
    /// Go `MaxMsgSize`: largest header + payload accepted by `store_msg`; the stream layer checks
    /// it first with its own error code, the store only guards itself with
    /// [`StoreError::MsgTooLarge`].
    pub max_msg_size: i32,
    /// Go `Discard`.
    pub discard: DiscardPolicy,
    /// Go `DiscardNewPer`: with [`DiscardPolicy::New`], refuse a message for a subject already at
    /// `max_msgs_per_subject` instead of dropping that subject's oldest.
    pub discard_new_per_subject: bool,
    /// Go `AllowMsgTTL`: honour the `ttl` given to `store_msg`.
    pub allow_msg_ttl: bool,
    /// Go `FirstSeq`: the sequence the first stored message gets in a new, empty store.
    pub first_seq: u64,
    /// Go `Compression` (S2): the file store compresses records written from now on; records
    /// written before a change stay as they are and remain readable.
    pub compress: bool,
}

/// Go `StoreMsg`: one stored message. `hdr` is empty when the message has no headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreMsg {
    pub subject: Arc<str>,
    pub hdr: Bytes,
    pub msg: Bytes,
    pub seq: u64,
    /// Unix time in nanoseconds.
    pub ts: i64,
}

/// Go `SimpleState`: totals for one subject or one filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimpleState {
    pub msgs: u64,
    pub first: u64,
    pub last: u64,
}

/// Go `LostStreamData`: messages dropped because their stored bytes were damaged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LostStreamData {
    pub msgs: Vec<u64>,
    pub bytes: u64,
}

/// Go `StreamState`. Times are Unix nanoseconds, 0 for Go's zero time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamState {
    pub msgs: u64,
    pub bytes: u64,
    pub first_seq: u64,
    pub first_ts: i64,
    pub last_seq: u64,
    pub last_ts: i64,
    pub num_subjects: usize,
    /// Filled by the API layer from `subjects_totals` when asked for; stores leave it empty.
    pub subjects: Option<HashMap<String, u64>>,
    pub num_deleted: usize,
    /// Interior deletes, ascending; only [`StreamStore::state`](super::StreamStore::state) fills it.
    pub deleted: Vec<u64>,
    pub lost: Option<LostStreamData>,
    /// Placeholder as in Go: the stream layer sets its consumer count.
    pub consumers: usize,
}

/// One change in stored messages and bytes (Go `StorageUpdateHandler` arguments). A single
/// message carries its sequence and subject; bulk changes (purge, compact) carry `seq == 0` and
/// no subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageUpdate {
    pub msgs: i64,
    pub bytes: i64,
    pub seq: u64,
    pub subject: Option<Arc<str>>,
}

/// Receives [`StorageUpdate`]s, always called with no store lock held (account usage).
pub type StorageUpdateHandler = Arc<dyn Fn(&StorageUpdate) + Send + Sync>;

/// Something a store noticed about its stored data that an operator should hear about; the
/// stream layer turns these into advisories or log lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreDiagnostic {
    /// A record failed its checksum and was dropped. `seq` is the record's sequence when its
    /// header still read sensibly.
    CorruptRecord {
        block: u32,
        offset: u64,
        seq: Option<u64>,
    },
    /// A block ended in a partial record (a write cut short by a crash); the file was truncated
    /// at `offset`, dropping `bytes` bytes.
    TornTail { block: u32, offset: u64, bytes: u64 },
    /// The state file was missing, stale or damaged, so state was rebuilt from the blocks.
    StateRebuilt { reason: String },
}

/// Errors of the stores. Messages are Go's `ErrStore*` texts where Go has one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("store is closed")]
    Closed,
    #[error("no message found")]
    MsgNotFound,
    #[error("stream store EOF")]
    Eof,
    #[error("maximum messages exceeded")]
    MaxMsgs,
    #[error("maximum bytes exceeded")]
    MaxBytes,
    #[error("maximum messages per subject exceeded")]
    MaxMsgsPerSubject,
    #[error("message too large")]
    MsgTooLarge,
    #[error("wrong storage type")]
    WrongType,
    #[error("expected sequence does not match store")]
    SequenceMismatch,
    #[error("too many matching results for request")]
    TooManyResults,
    #[error("stream state snapshot is corrupt")]
    CorruptState,
    #[error("old update ignored")]
    OldUpdate,
    #[error("bad consumer state encoding")]
    BadConsumerState,
    #[error("invalid store config: {0}")]
    Config(String),
    /// An I/O failure, with the OS error text. After a failed write the store refuses further
    /// writes with the same error, as Go's `werr` does.
    #[error("store I/O error: {0}")]
    Io(String),
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;
