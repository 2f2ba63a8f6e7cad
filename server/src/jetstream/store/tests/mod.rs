//! Tests of the stores. `basic`, `query` and `limits` form the conformance suite: every test
//! body takes a store factory and runs against both the memory and the file store. The `file_*`
//! modules cover what only the file store has: restarts, crash recovery, damaged bytes,
//! tombstones and compaction on real files.

mod basic;
mod file_compact;
mod file_crypt;
mod file_recovery;
mod limits;
mod query;

use std::ops::Deref;

use super::{FileStore, FileStoreConfig, MemStore, StoreConfig, StreamStore};

/// A store under test, with the directory that keeps a file store's files alive.
pub(super) struct TestStore {
    pub store: Box<dyn StreamStore>,
    /// Kept only so the directory outlives the store.
    pub _dir: Option<tempfile::TempDir>,
}

impl Deref for TestStore {
    type Target = dyn StreamStore;
    fn deref(&self) -> &Self::Target {
        &*self.store
    }
}

/// A factory the conformance bodies take.
pub(super) type Mk = fn(StoreConfig) -> TestStore;

pub(super) fn mem(cfg: StoreConfig) -> TestStore {
    TestStore {
        store: Box::new(MemStore::new(cfg).expect("memory store")),
        _dir: None,
    }
}

/// A file store with small blocks, so tests cross block boundaries and compaction thresholds.
pub(super) fn file(cfg: StoreConfig) -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut fcfg = FileStoreConfig::new(dir.path().join("S"));
    fcfg.block_size = 4096;
    TestStore {
        store: Box::new(FileStore::open(fcfg, cfg).expect("file store")),
        _dir: Some(dir),
    }
}

/// A config with the given stream subjects.
pub(super) fn cfg(subjects: &[&str]) -> StoreConfig {
    StoreConfig {
        name: "TEST".into(),
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// Stores `n` messages on `subj` with payload `msg`, failing the test on an error.
pub(super) fn store_n(s: &dyn StreamStore, subj: &str, msg: &[u8], n: usize) {
    for _ in 0..n {
        s.store_msg(subj, b"", msg, 0).expect("store");
    }
}
