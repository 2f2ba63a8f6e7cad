//! JetStream message stores: the [`StreamStore`] trait, the in-memory [`MemStore`] and the
//! on-disk [`FileStore`], modelled on Go's `server/store.go`, `memstore.go` and `filestore.go`.
//!
//! Both stores run one shared engine over one shared index (`engine.rs`, `index.rs`,
//! `query.rs`), so limits, discard policies, purges and pending counts follow Go's rules the same
//! way in both; they differ only in where the bytes live and in the accounted message size
//! (Go's `memStoreMsgSize` vs `fileStoreMsgSize`, see [`StreamStore::msg_size`]).
//!
//! # How the stream layer drives a store
//! - A store is `Send + Sync` with `&self` methods and an internal lock, so the stream task can
//!   write while consumer tasks read through an `Arc<dyn StreamStore>`. No method blocks on
//!   anything but that lock and, for the file store, disk I/O.
//! - Times are Unix nanoseconds (`0` is Go's zero time). `store_msg` stamps the wall clock;
//!   `store_raw_msg` takes the caller's sequence and time (mirrors, restores, replicas).
//! - Nothing runs on its own: the stream layer calls [`StreamStore::expire_msgs`] when
//!   [`StreamStore::next_expiry`] says (max age and per-message TTL), and
//!   [`StreamStore::flush_all_pending`] / [`StreamStore::sync`] on its `sync_interval` timer.
//! - Removed messages are reported through the handler given to
//!   [`StreamStore::register_storage_updates`] (Go's `StorageUpdateHandler`, for account usage),
//!   always called with the store lock released.
//! - Damaged stored data is never served: the message is dropped, counted in
//!   [`StreamState::lost`], and described by [`StreamStore::take_diagnostics`] for advisories.
//!
//! Not here yet: `EncodedStreamState`/`SyncDeleted` (clustering), source
//! tracking, message scheduling and subject delete markers (the stream layer can build markers
//! on the storage updates), and `NumPendingMulti` with a sublist.

pub mod crypt;
mod engine;
pub mod file;
pub mod header;
mod index;
mod memory;
mod query;
mod reads;
mod shared;
mod types;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

pub use file::{FileStore, FileStoreConfig};
pub use memory::MemStore;
pub use types::{
    DiscardPolicy, LostStreamData, SimpleState, StorageType, StorageUpdate, StorageUpdateHandler,
    StoreConfig, StoreDiagnostic, StoreError, StoreMsg, StoreResult, StreamState,
};

/// Go's `StreamStore` interface: the storage of one stream.
///
/// Sequences start at 1 (or the configured `first_seq`) and only grow, except through
/// [`truncate`](Self::truncate). Loads of a missing sequence say [`StoreError::MsgNotFound`]
/// below the last sequence and [`StoreError::Eof`] past it; after `stop` every call that needs
/// data says [`StoreError::Closed`].
pub trait StreamStore: Send + Sync {
    /// Which kind of store this is.
    fn storage_type(&self) -> StorageType;

    /// The accounted size of a message, the unit of `max_bytes` and of [`StreamState::bytes`]
    /// (Go `memStoreMsgSize` = subject + headers + payload + 16; `fileStoreMsgSize` = record size).
    fn msg_size(&self, subject: &str, hdr: &[u8], msg: &[u8]) -> u64;

    /// Go `StoreMsg`: stores a message at the next sequence, stamped now, applying discard-new
    /// checks and then the limits (which may drop older messages). `ttl` is seconds from the
    /// `Nats-TTL` header (0 none, -1 never). Returns `(seq, ts)`. With `sync_always` the file
    /// store makes the write durable before returning.
    fn store_msg(&self, subject: &str, hdr: &[u8], msg: &[u8], ttl: i64)
        -> StoreResult<(u64, i64)>;

    /// Like [`store_msg`](Self::store_msg) but never syncs, even with `sync_always`: for group
    /// commit, the caller stores a batch this way and calls [`sync`](Self::sync) once before
    /// acknowledging any of it.
    fn store_msg_deferred(
        &self,
        subject: &str,
        hdr: &[u8],
        msg: &[u8],
        ttl: i64,
    ) -> StoreResult<(u64, i64)>;

    /// Go `StoreRawMsg`: stores at sequence `seq` (0: the next one; otherwise it must be the
    /// next one, or [`StoreError::SequenceMismatch`]) with time `ts`. `discard_new_check` applies
    /// the discard-new limits (Go skips them for replicated streams, checked upstream).
    #[allow(clippy::too_many_arguments)]
    fn store_raw_msg(
        &self,
        subject: &str,
        hdr: &[u8],
        msg: &[u8],
        seq: u64,
        ts: i64,
        ttl: i64,
        discard_new_check: bool,
    ) -> StoreResult<()>;

    /// Go `SkipMsg`: uses sequence `seq` (0: the next) without a message; returns it.
    fn skip_msg(&self, seq: u64) -> StoreResult<u64>;

    /// Go `SkipMsgNoInterest`: as `skip_msg`, and also moves the last time to now.
    fn skip_msg_no_interest(&self, seq: u64) -> StoreResult<u64>;

    /// Go `SkipMsgs`: uses `num` sequences from `seq` without messages.
    fn skip_msgs(&self, seq: u64, num: u64) -> StoreResult<()>;

    /// Go `FlushAllPending`: hands buffered writes to the OS (no fsync).
    fn flush_all_pending(&self) -> StoreResult<()>;

    /// Flushes and fsyncs everything written so far (the `sync_interval` timer, group commit).
    fn sync(&self) -> StoreResult<()>;

    /// Go `LoadMsg`.
    fn load_msg(&self, seq: u64) -> StoreResult<StoreMsg>;

    /// Go `LoadNextMsg`: the first message with sequence `>= start` whose subject matches
    /// `filter` (`""`/`">"`: any; wildcards only when `wc`). Its sequence is the Go "skip"
    /// value; on [`StoreError::Eof`] Go's skip value is the last sequence.
    fn load_next_msg(&self, filter: &str, wc: bool, start: u64) -> StoreResult<StoreMsg>;

    /// Go `LoadNextMsgMulti`: as `load_next_msg` for any of several filters.
    fn load_next_msg_multi(&self, filters: &[String], start: u64) -> StoreResult<StoreMsg>;

    /// Go `LoadLastMsg`: the newest message on `subject` (a filter; `""`/`">"`: any), or
    /// [`StoreError::MsgNotFound`].
    fn load_last_msg(&self, subject: &str) -> StoreResult<StoreMsg>;

    /// Go `LoadPrevMsg`: the newest message with sequence `<= start` matching `filter`; on
    /// [`StoreError::Eof`] Go's skip value is the first sequence.
    fn load_prev_msg(&self, filter: &str, wc: bool, start: u64) -> StoreResult<StoreMsg>;

    /// Go `RemoveMsg`: `false` when there was no such message.
    fn remove_msg(&self, seq: u64) -> StoreResult<bool>;

    /// Go `EraseMsg`: removes and overwrites the stored bytes with random data.
    fn erase_msg(&self, seq: u64) -> StoreResult<bool>;

    /// Go `Purge`: removes every message; sequences carry on. Returns how many went.
    fn purge(&self) -> StoreResult<u64>;

    /// Go `PurgeEx`: removes messages on `subject` (a filter; `""`: all) below `seq` (0: no
    /// bound; 1 purges nothing), keeping the newest `keep` (0: none). Returns how many went.
    fn purge_ex(&self, subject: &str, seq: u64, keep: u64) -> StoreResult<u64>;

    /// Go `Compact`: removes every message below `seq`; past the end, the next message gets
    /// `seq`. Returns how many went.
    fn compact(&self, seq: u64) -> StoreResult<u64>;

    /// Go `Truncate`: removes every message above `seq`, which becomes the last sequence
    /// (`0` resets the store). For rolling back replicated state.
    fn truncate(&self, seq: u64) -> StoreResult<()>;

    /// Go `GetSeqFromTime`: the first sequence stored at or after `ts`, or last + 1.
    fn get_seq_from_time(&self, ts: i64) -> u64;

    /// Go `FilteredState`: count, first and last of messages `>= seq` matching `subject`.
    fn filtered_state(&self, seq: u64, subject: &str) -> StoreResult<SimpleState>;

    /// Go `SubjectsState`: per-subject totals for subjects matching `filter`.
    fn subjects_state(&self, filter: &str) -> HashMap<String, SimpleState>;

    /// Go `SubjectsTotals`: message counts per subject matching `filter`.
    fn subjects_totals(&self, filter: &str) -> HashMap<String, u64>;

    /// Go `AllLastSeqs`: the last sequence of every subject, ascending.
    fn all_last_seqs(&self) -> StoreResult<Vec<u64>>;

    /// Go `MultiLastSeqs`: last sequences (at most `max_seq`, 0: no bound) of the subjects
    /// matching `filters`, ascending; more than `max_allowed` (0: no bound) is
    /// [`StoreError::TooManyResults`].
    fn multi_last_seqs(
        &self,
        filters: &[String],
        max_seq: u64,
        max_allowed: usize,
    ) -> StoreResult<Vec<u64>>;

    /// Go `SubjectForSeq`.
    fn subject_for_seq(&self, seq: u64) -> StoreResult<Arc<str>>;

    /// Go `NumPending`: `(pending, valid_through)` for messages `>= sseq` matching `filter`;
    /// `last_per_subject` counts each subject once.
    fn num_pending(
        &self,
        sseq: u64,
        filter: &str,
        last_per_subject: bool,
    ) -> StoreResult<(u64, u64)>;

    /// Go `State`: full state including the list of interior deletes.
    fn state(&self) -> StreamState;

    /// Go `FastState`: as `state` without the `deleted` list (its count is filled).
    fn fast_state(&self) -> StreamState;

    /// Go `UpdateConfig`: new limits, enforced at once (older messages may go).
    fn update_config(&self, cfg: &StoreConfig) -> StoreResult<()>;

    /// Drops messages past `max_age` at time `now` (nanoseconds) and messages whose TTL ran out.
    /// Returns how many went.
    fn expire_msgs(&self, now: i64) -> StoreResult<u64>;

    /// When [`expire_msgs`](Self::expire_msgs) next has work, if ever.
    fn next_expiry(&self) -> Option<i64>;

    /// Go `RegisterStorageUpdates`: replaces the storage-update handler.
    fn register_storage_updates(&self, handler: StorageUpdateHandler);

    /// Problems found in stored data since the last call (recovery and reads).
    fn take_diagnostics(&self) -> Vec<StoreDiagnostic>;

    /// The store's files (relative to the stream directory) and their contents, read under the
    /// store lock after a flush so they are consistent, for a stream snapshot (Go `Snapshot`).
    /// With `check_msgs` every stored message is verified first. The memory store has no files
    /// and says so.
    fn snapshot_files(&self, check_msgs: bool) -> StoreResult<Vec<(String, Vec<u8>)>>;

    /// Go `Stop`: flushes and closes; the file store writes its state file for a fast restart.
    /// A stopped memory store has released its messages.
    fn stop(&self) -> StoreResult<()>;

    /// Go `Delete`: removes every message (reported as storage updates) and, for the file store,
    /// its directory.
    fn delete(&self) -> StoreResult<()>;
}
