//! The lock around an [`Engine`] and the one [`StreamStore`] implementation both stores use.
//! The rule it keeps: the engine runs under the lock, and storage-update handlers run after the
//! lock is released (Go calls its `scb` outside `ms.mu` too), so a handler may call back into
//! the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::engine::{now_nanos, Backend, Engine};
use super::types::{
    SimpleState, StorageType, StorageUpdateHandler, StoreConfig, StoreDiagnostic, StoreError,
    StoreMsg, StoreResult, StreamState,
};
use super::StreamStore;

/// An engine behind its lock, with the storage-update handler beside it.
pub(crate) struct Shared<B: Backend> {
    engine: Mutex<Engine<B>>,
    handler: RwLock<Option<StorageUpdateHandler>>,
}

impl<B: Backend> Shared<B> {
    pub fn new(engine: Engine<B>) -> Self {
        Shared {
            engine: Mutex::new(engine),
            handler: RwLock::new(None),
        }
    }

    /// Runs `f` under the lock, then hands queued storage updates to the handler.
    pub fn with<R>(&self, f: impl FnOnce(&mut Engine<B>) -> R) -> R {
        let (r, updates) = {
            let mut g = self.engine.lock().unwrap_or_else(PoisonError::into_inner);
            let r = f(&mut g);
            (r, std::mem::take(&mut g.updates))
        };
        if !updates.is_empty() {
            let h = self
                .handler
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            if let Some(h) = h {
                for u in &updates {
                    h(u);
                }
            }
        }
        r
    }
}

/// Gives the shared implementation access to a store's engine.
pub(crate) trait HasShared: Send + Sync {
    type B: Backend;
    fn shared(&self) -> &Shared<Self::B>;
}

impl<T: HasShared> StreamStore for T {
    fn storage_type(&self) -> StorageType {
        T::B::KIND
    }

    fn msg_size(&self, subject: &str, hdr: &[u8], msg: &[u8]) -> u64 {
        T::B::msg_size(subject.len(), hdr.len(), msg.len())
    }

    fn store_msg(
        &self,
        subject: &str,
        hdr: &[u8],
        msg: &[u8],
        ttl: i64,
    ) -> StoreResult<(u64, i64)> {
        self.shared().with(|e| {
            let ts = now_nanos();
            let seq = e.store_raw(subject, hdr, msg, 0, ts, ttl, true, false)?;
            Ok((seq, ts))
        })
    }

    fn store_msg_deferred(
        &self,
        subject: &str,
        hdr: &[u8],
        msg: &[u8],
        ttl: i64,
    ) -> StoreResult<(u64, i64)> {
        self.shared().with(|e| {
            let ts = now_nanos();
            let always = std::mem::replace(&mut e.sync_always, false);
            let r = e.store_raw(subject, hdr, msg, 0, ts, ttl, true, false);
            e.sync_always = always;
            Ok((r?, ts))
        })
    }

    fn store_raw_msg(
        &self,
        subject: &str,
        hdr: &[u8],
        msg: &[u8],
        seq: u64,
        ts: i64,
        ttl: i64,
        discard_new_check: bool,
    ) -> StoreResult<()> {
        self.shared().with(|e| {
            e.store_raw(subject, hdr, msg, seq, ts, ttl, discard_new_check, false)
                .map(|_| ())
        })
    }

    fn skip_msg(&self, seq: u64) -> StoreResult<u64> {
        self.shared().with(|e| e.skip(seq, 1, false))
    }

    fn skip_msg_no_interest(&self, seq: u64) -> StoreResult<u64> {
        self.shared().with(|e| e.skip(seq, 1, true))
    }

    fn skip_msgs(&self, seq: u64, num: u64) -> StoreResult<()> {
        self.shared().with(|e| e.skip(seq, num, false).map(|_| ()))
    }

    fn flush_all_pending(&self) -> StoreResult<()> {
        self.shared().with(|e| e.flush_pending(false))
    }

    fn sync(&self) -> StoreResult<()> {
        self.shared().with(|e| e.flush_pending(true))
    }

    fn load_msg(&self, seq: u64) -> StoreResult<StoreMsg> {
        self.shared().with(|e| e.load(seq))
    }

    fn load_next_msg(&self, filter: &str, wc: bool, start: u64) -> StoreResult<StoreMsg> {
        self.shared().with(|e| e.load_next(filter, wc, start))
    }

    fn load_next_msg_multi(&self, filters: &[String], start: u64) -> StoreResult<StoreMsg> {
        self.shared().with(|e| e.load_next_multi(filters, start))
    }

    fn load_last_msg(&self, subject: &str) -> StoreResult<StoreMsg> {
        self.shared().with(|e| e.load_last(subject))
    }

    fn load_prev_msg(&self, filter: &str, wc: bool, start: u64) -> StoreResult<StoreMsg> {
        self.shared().with(|e| e.load_prev(filter, wc, start))
    }

    fn remove_msg(&self, seq: u64) -> StoreResult<bool> {
        self.shared().with(|e| e.remove(seq, false, true))
    }

    fn erase_msg(&self, seq: u64) -> StoreResult<bool> {
        self.shared().with(|e| e.remove(seq, true, true))
    }

    fn purge(&self) -> StoreResult<u64> {
        self.shared().with(|e| e.purge())
    }

    fn purge_ex(&self, subject: &str, seq: u64, keep: u64) -> StoreResult<u64> {
        self.shared().with(|e| e.purge_ex(subject, seq, keep))
    }

    fn compact(&self, seq: u64) -> StoreResult<u64> {
        self.shared().with(|e| e.compact(seq))
    }

    fn truncate(&self, seq: u64) -> StoreResult<()> {
        self.shared().with(|e| e.truncate(seq))
    }

    fn get_seq_from_time(&self, ts: i64) -> u64 {
        self.shared().with(|e| e.idx.seq_from_time(ts))
    }

    fn filtered_state(&self, seq: u64, subject: &str) -> StoreResult<SimpleState> {
        self.shared()
            .with(|e| Ok(e.idx.filtered_state(seq, subject, false)))
    }

    fn subjects_state(&self, filter: &str) -> HashMap<String, SimpleState> {
        self.shared().with(|e| e.idx.subjects_state(filter))
    }

    fn subjects_totals(&self, filter: &str) -> HashMap<String, u64> {
        self.shared().with(|e| e.idx.subjects_totals(filter))
    }

    fn all_last_seqs(&self) -> StoreResult<Vec<u64>> {
        self.shared().with(|e| Ok(e.idx.all_last_seqs()))
    }

    fn multi_last_seqs(
        &self,
        filters: &[String],
        max_seq: u64,
        max_allowed: usize,
    ) -> StoreResult<Vec<u64>> {
        self.shared().with(|e| {
            let subjects = e.cfg.subjects.clone();
            e.idx
                .multi_last_seqs(filters, &subjects, max_seq, max_allowed)
        })
    }

    fn subject_for_seq(&self, seq: u64) -> StoreResult<Arc<str>> {
        self.shared().with(|e| {
            e.idx
                .msgs
                .get(&seq)
                .map(|m| m.subj.clone())
                .ok_or(StoreError::MsgNotFound)
        })
    }

    fn num_pending(
        &self,
        sseq: u64,
        filter: &str,
        last_per_subject: bool,
    ) -> StoreResult<(u64, u64)> {
        self.shared().with(|e| {
            let ss = e.idx.filtered_state(sseq, filter, last_per_subject);
            Ok((ss.msgs, e.idx.last_seq))
        })
    }

    fn state(&self) -> StreamState {
        self.shared().with(|e| e.state(true))
    }

    fn fast_state(&self) -> StreamState {
        self.shared().with(|e| e.state(false))
    }

    fn update_config(&self, cfg: &StoreConfig) -> StoreResult<()> {
        self.shared().with(|e| e.update_config(cfg))
    }

    fn expire_msgs(&self, now: i64) -> StoreResult<u64> {
        self.shared().with(|e| e.expire(now))
    }

    fn next_expiry(&self) -> Option<i64> {
        self.shared().with(|e| e.next_expiry())
    }

    fn register_storage_updates(&self, handler: StorageUpdateHandler) {
        *self
            .shared()
            .handler
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(handler);
    }

    fn take_diagnostics(&self) -> Vec<StoreDiagnostic> {
        self.shared().with(|e| e.be.take_diagnostics())
    }

    fn snapshot_files(&self, check_msgs: bool) -> StoreResult<Vec<(String, Vec<u8>)>> {
        self.shared().with(|e| {
            if e.closed {
                return Err(StoreError::Closed);
            }
            if check_msgs {
                let seqs: Vec<u64> = e.idx.msgs.keys().copied().collect();
                for seq in seqs {
                    match e.load(seq) {
                        Ok(_) | Err(StoreError::MsgNotFound) => {}
                        Err(err) => return Err(err),
                    }
                }
            }
            e.be.snapshot_files()
        })
    }

    fn stop(&self) -> StoreResult<()> {
        self.shared().with(|e| e.stop())
    }

    fn delete(&self) -> StoreResult<()> {
        self.shared().with(|e| {
            if !e.closed {
                e.purge()?;
            }
            e.closed = true;
            e.be.delete()
        })
    }
}
