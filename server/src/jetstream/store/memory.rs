//! The memory store (Go `memStore`): messages live in the shared index itself, headers and
//! payload as `Bytes`, so a load is two reference-count bumps. Nothing survives `stop`.

use bytes::Bytes;

use super::engine::{Backend, Engine};
use super::index::{Entry, Index};
use super::shared::{HasShared, Shared};
use super::types::{StorageType, StoreConfig, StoreDiagnostic, StoreResult};

/// Message bytes held in memory.
pub(crate) struct MemBackend;

/// Headers and payload of one message.
pub(crate) struct MemMsg {
    hdr: Bytes,
    msg: Bytes,
}

impl Backend for MemBackend {
    type Loc = MemMsg;
    const KIND: StorageType = StorageType::Memory;

    /// Go `memStoreMsgSize`: subject, headers and payload, plus 16 for sequence and time.
    fn msg_size(slen: usize, hlen: usize, mlen: usize) -> u64 {
        (slen + hlen + mlen + 16) as u64
    }

    fn append(
        &mut self,
        _seq: u64,
        _ts: i64,
        _subj: &str,
        hdr: &[u8],
        msg: &[u8],
        _sync: bool,
    ) -> StoreResult<MemMsg> {
        Ok(MemMsg {
            hdr: Bytes::copy_from_slice(hdr),
            msg: Bytes::copy_from_slice(msg),
        })
    }

    fn read(&mut self, _seq: u64, e: &Entry<MemMsg>) -> StoreResult<Option<(Bytes, Bytes)>> {
        Ok(Some((e.loc.hdr.clone(), e.loc.msg.clone())))
    }

    /// Dropping the entry frees the bytes; readers holding clones keep their copy, as in Go.
    fn remove(
        &mut self,
        _: &mut Index<MemMsg>,
        _: u64,
        _: Entry<MemMsg>,
        _: bool,
    ) -> StoreResult<()> {
        Ok(())
    }

    fn skip(&mut self, _seq: u64, _num: u64, _ts: i64) -> StoreResult<()> {
        Ok(())
    }

    fn floor(
        &mut self,
        _: &mut Index<MemMsg>,
        _: u64,
        _: Vec<(u64, Entry<MemMsg>)>,
    ) -> StoreResult<()> {
        Ok(())
    }

    fn truncate(&mut self, _: &mut Index<MemMsg>, _: Vec<(u64, Entry<MemMsg>)>) -> StoreResult<()> {
        Ok(())
    }

    fn flush(&mut self) -> StoreResult<()> {
        Ok(())
    }

    fn sync(&mut self) -> StoreResult<()> {
        Ok(())
    }

    fn stop(&mut self, _: &Index<MemMsg>) -> StoreResult<()> {
        Ok(())
    }

    fn delete(&mut self) -> StoreResult<()> {
        Ok(())
    }

    fn take_diagnostics(&mut self) -> Vec<StoreDiagnostic> {
        Vec::new()
    }
}

/// Go `memStore`: a stream kept in memory only.
pub struct MemStore {
    inner: Shared<MemBackend>,
}

impl MemStore {
    /// Go `newMemStore`: an empty store; with `cfg.first_seq` the first message gets that
    /// sequence.
    pub fn new(cfg: StoreConfig) -> StoreResult<Self> {
        let mut idx = Index::default();
        if cfg.first_seq > 0 {
            idx.reset_to(cfg.first_seq);
        }
        Ok(MemStore {
            inner: Shared::new(Engine::new(cfg, MemBackend, idx)),
        })
    }
}

impl HasShared for MemStore {
    type B = MemBackend;
    fn shared(&self) -> &Shared<MemBackend> {
        &self.inner
    }
}
