//! File store only: sealed and compressed records on real files. A flipped byte is found like a
//! checksum failure, a wrong key serves nothing, erasing keeps the store readable, and neither
//! subjects nor payloads reach the disk in plaintext.

use std::path::Path;
use std::sync::Arc;

use super::cfg;
use crate::jetstream::store::crypt::{Cipher, StreamKey};
use crate::jetstream::store::{
    FileStore, FileStoreConfig, StoreConfig, StoreDiagnostic, StoreError, StreamStore,
};

fn open(dir: &Path, c: &StoreConfig, key: u8) -> FileStore {
    let mut f = FileStoreConfig::new(dir.join("S"));
    f.block_size = 4096;
    f.key = Some(Arc::new(StreamKey::new(Cipher::Aes, &[key; 32])));
    FileStore::open(f, c.clone()).expect("open")
}

fn payload(i: u64) -> Vec<u8> {
    format!("secret-{i:03}-{}", "x".repeat(200)).into_bytes()
}

fn block_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("S/msgs/1.blk")).expect("block 1")
}

#[test]
fn sealed_compressed_records_round_trip_and_hide_plaintext() {
    let d = tempfile::tempdir().expect("dir");
    let c = StoreConfig {
        compress: true,
        ..cfg(&["orders.*"])
    };
    let s = open(d.path(), &c, 1);
    for i in 1..=40 {
        s.store_msg("orders.new", b"", &payload(i), 0)
            .expect("store");
    }
    assert!(s.erase_msg(7).expect("erase"));
    s.flush_all_pending().expect("flush");
    drop(s); // a crash: rebuilt from the blocks
    let raw = block_bytes(d.path());
    for needle in [&b"orders.new"[..], b"secret-0", b"xxxxxxxx"] {
        assert!(!raw.windows(needle.len()).any(|w| w == needle));
    }
    let s = open(d.path(), &c, 1);
    assert_eq!(s.state().msgs, 39);
    assert_eq!(s.load_msg(7).err(), Some(StoreError::MsgNotFound));
    assert_eq!(s.load_msg(40).expect("load").msg, payload(40));
    assert!(!s
        .take_diagnostics()
        .iter()
        .any(|d| matches!(d, StoreDiagnostic::CorruptRecord { .. })));
    s.stop().expect("stop");
    // A clean restart goes through the sealed state file.
    let s = open(d.path(), &c, 1);
    assert_eq!(s.load_msg(1).expect("load").msg, payload(1));
    s.stop().expect("stop");
}

#[test]
fn a_flipped_byte_or_a_wrong_key_serves_nothing() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c, 1);
    for i in 1..=10 {
        s.store_msg("foo", b"", &payload(i), 0).expect("store");
    }
    s.flush_all_pending().expect("flush");
    drop(s);
    // Another key: every record fails authentication; none is served.
    let s = open(d.path(), &c, 2);
    assert_eq!(s.state().msgs, 0);
    assert!(s.load_msg(1).is_err());
    assert!(!s
        .take_diagnostics()
        .iter()
        .any(|d| matches!(d, StoreDiagnostic::TornTail { .. })));
    drop(s);
    // Nothing was cut off: the right key reads everything again.
    let s = open(d.path(), &c, 1);
    assert_eq!(s.state().msgs, 10);
    drop(s);
    // Flip one byte inside the third record's ciphertext: only that message is lost.
    let mut raw = block_bytes(d.path());
    let rec = raw.len() / 10;
    raw[2 * rec + rec / 2] ^= 0x04;
    std::fs::write(d.path().join("S/msgs/1.blk"), &raw).expect("write");
    let s = open(d.path(), &c, 1);
    assert_eq!(s.state().msgs, 9);
    assert!(s
        .take_diagnostics()
        .iter()
        .any(|d| matches!(d, StoreDiagnostic::CorruptRecord { block: 1, .. })));
    assert!(s.load_msg(3).is_err());
    assert_eq!(s.load_msg(4).expect("load").msg, payload(4));
}
