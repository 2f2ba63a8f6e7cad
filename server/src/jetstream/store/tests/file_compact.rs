//! File store only: blocks with many deletes are compacted, emptied blocks are deleted, and
//! what recovery needs (tombstones, floors, the last sequence) survives both, across a crash.

use std::path::Path;

use super::cfg;
use crate::jetstream::store::{FileStore, FileStoreConfig, StoreConfig, StreamStore};

fn open(dir: &Path, c: &StoreConfig) -> FileStore {
    let mut f = FileStoreConfig::new(dir.join("S"));
    f.block_size = 4096;
    FileStore::open(f, c.clone()).expect("open")
}

fn disk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir.join("S/msgs"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".blk"))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn num_blocks(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("S/msgs"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".blk"))
        .count()
}

fn crash_and_reopen(dir: &Path, c: &StoreConfig, s: FileStore) -> FileStore {
    s.flush_all_pending().expect("flush");
    drop(s);
    open(dir, c)
}

#[test]
fn sparse_blocks_are_compacted_and_stay_correct() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo.*"]);
    let s = open(d.path(), &c);
    let payload = vec![7u8; 100];
    for i in 0..1000u64 {
        s.store_msg(&format!("foo.{}", i % 10), b"", &payload, 0)
            .expect("store");
    }
    s.flush_all_pending().expect("flush");
    let before = disk_bytes(d.path());
    // Remove nine in ten: every block ends up mostly dead and is rewritten.
    for seq in 1..=1000u64 {
        if seq % 10 != 0 {
            s.remove_msg(seq).expect("remove");
        }
    }
    s.flush_all_pending().expect("flush");
    let after = disk_bytes(d.path());
    assert!(
        after * 2 < before,
        "blocks not compacted: {before} -> {after} bytes"
    );
    let want = s.state();
    assert_eq!(want.msgs, 100);
    for seq in (10..=1000).step_by(10) {
        assert_eq!(s.load_msg(seq).map(|m| m.msg.len()), Ok(100), "seq {seq}");
    }
    let s = crash_and_reopen(d.path(), &c, s);
    assert_eq!(s.state(), want);
    for seq in (10..=1000).step_by(10) {
        assert!(s.load_msg(seq).is_ok(), "seq {seq} lost after compaction");
        assert!(s.load_msg(seq - 1).is_err(), "seq {} came back", seq - 1);
    }
}

#[test]
fn emptied_blocks_are_deleted_and_first_seq_holds() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c);
    super::store_n(&s, "foo", &[1u8; 200], 200);
    let full = num_blocks(d.path());
    assert!(full > 5, "expected several blocks, got {full}");
    for seq in 1..=150 {
        s.remove_msg(seq).expect("remove");
    }
    assert!(num_blocks(d.path()) < full, "emptied blocks still on disk");
    let want = s.state();
    assert_eq!((want.msgs, want.first_seq, want.last_seq), (50, 151, 200));
    let s = crash_and_reopen(d.path(), &c, s);
    assert_eq!(s.state(), want);
    // Removing the rest, including the last message, keeps the last sequence.
    for seq in 151..=200 {
        s.remove_msg(seq).expect("remove");
    }
    let s = crash_and_reopen(d.path(), &c, s);
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (0, 201, 200));
    assert!(
        num_blocks(d.path()) <= 2,
        "{} blocks left",
        num_blocks(d.path())
    );
}

#[test]
fn interleaved_removals_across_blocks_survive_crash() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["a", "b"]);
    let s = open(d.path(), &c);
    let mut live = std::collections::BTreeSet::new();
    for round in 0..20u64 {
        for i in 0..30u64 {
            let (seq, _) = s
                .store_msg(
                    if i % 2 == 0 { "a" } else { "b" },
                    b"",
                    &[round as u8; 50],
                    0,
                )
                .expect("store");
            live.insert(seq);
        }
        // Remove a spread of older messages each round.
        let victims: Vec<u64> = live.iter().copied().step_by(3).take(20).collect();
        for v in victims {
            assert_eq!(s.remove_msg(v), Ok(true));
            live.remove(&v);
        }
    }
    let want = s.state();
    assert_eq!(want.msgs, live.len() as u64);
    let s = crash_and_reopen(d.path(), &c, s);
    assert_eq!(s.state(), want);
    for &seq in &live {
        assert!(s.load_msg(seq).is_ok(), "live seq {seq} missing");
    }
    s.stop().expect("stop");
    let s = open(d.path(), &c);
    assert_eq!(s.state(), want);
}
