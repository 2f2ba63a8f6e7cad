//! File store only: restarts with and without the state file, a stale or damaged state file,
//! torn tails, flipped bits found on recovery and on read, tombstones and floors surviving a
//! crash, and sequences that never go back. Files are real; a crash is a store dropped without
//! `stop` after its writes were flushed.

use std::path::{Path, PathBuf};

use super::cfg;
use crate::jetstream::store::{
    FileStore, FileStoreConfig, StoreConfig, StoreDiagnostic, StoreError, StreamState, StreamStore,
};

fn fcfg(dir: &Path) -> FileStoreConfig {
    let mut f = FileStoreConfig::new(dir.join("S"));
    f.block_size = 2048;
    f
}

fn open(dir: &Path, c: &StoreConfig) -> FileStore {
    FileStore::open(fcfg(dir), c.clone()).expect("open")
}

/// Drops the store as a crash would leave it: written data reached the OS, no state file.
fn crash(s: FileStore) {
    s.flush_all_pending().expect("flush");
    drop(s);
}

fn blocks(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<(u32, PathBuf)> = std::fs::read_dir(dir.join("S/msgs"))
        .expect("msgs dir")
        .filter_map(|e| {
            let p = e.ok()?.path();
            let id = p
                .file_name()?
                .to_str()?
                .strip_suffix(".blk")?
                .parse()
                .ok()?;
            Some((id, p))
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, p)| p).collect()
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("S/msgs/index.db")
}

fn rebuilt(diags: &[StoreDiagnostic]) -> bool {
    diags
        .iter()
        .any(|d| matches!(d, StoreDiagnostic::StateRebuilt { .. }))
}

fn msg(i: u64) -> Vec<u8> {
    format!("[{i:08}] Hello World!").into_bytes()
}

// go: server/TestFileStoreBasicWriteMsgsAndRestore
#[test]
fn write_and_restore() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c);
    for i in 1..=100 {
        assert_eq!(s.store_msg("foo", b"", &msg(i), 0).map(|r| r.0), Ok(i));
    }
    let size = s.msg_size("foo", b"", &msg(22));
    assert_eq!(s.state().bytes, 100 * size);
    s.stop().expect("stop");
    assert_eq!(
        s.store_msg("foo", b"", b"no work", 0).err(),
        Some(StoreError::Closed)
    );

    let s = open(d.path(), &c);
    assert!(
        s.take_diagnostics().is_empty(),
        "clean restart needs no rebuild"
    );
    assert_eq!((s.state().msgs, s.state().bytes), (100, 100 * size));
    for i in 101..=200 {
        assert_eq!(s.store_msg("foo", b"", &msg(i), 0).map(|r| r.0), Ok(i));
    }
    s.stop().expect("stop");
    let s = open(d.path(), &c);
    assert_eq!((s.state().msgs, s.state().bytes), (200, 200 * size));
    assert_eq!(s.load_msg(150).map(|m| m.msg.to_vec()), Ok(msg(150)));
    s.purge().expect("purge");
    s.stop().expect("stop");

    let s = open(d.path(), &c);
    assert_eq!((s.state().msgs, s.state().bytes), (0, 0));
    let (seq, _) = s.store_msg("foo", b"", b"Hello", 0).expect("store");
    assert_eq!(seq, 201);
    s.remove_msg(seq).expect("remove");
    s.stop().expect("stop");
    let s = open(d.path(), &c);
    assert_eq!(s.state().first_seq, seq + 1);
}

/// The same state after a clean restart and after a crash (rebuilt from blocks).
fn same_after_restart_and_crash(dir: &Path, c: &StoreConfig, want: &StreamState) {
    let s = open(dir, c);
    assert_eq!(&s.state(), want, "after clean restart");
    crash(s);
    assert!(!state_file(dir).exists());
    let s = open(dir, c);
    assert!(rebuilt(&s.take_diagnostics()));
    assert_eq!(&s.state(), want, "after rebuild");
    s.stop().expect("stop");
}

// go: server/TestFileStoreRemovePartialRecovery
// go: server/TestFileStoreRemoveOutOfOrderRecovery
#[test]
fn removals_survive_restart_and_crash() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c);
    for _ in 0..100 {
        s.store_msg("foo", b"", b"Hello World", 0).expect("store");
    }
    for i in 1..=50 {
        s.remove_msg(i).expect("remove");
    }
    let st = s.state();
    assert_eq!(st.msgs, 50);
    s.stop().expect("stop");
    same_after_restart_and_crash(d.path(), &c, &st);

    let d = tempfile::tempdir().expect("dir");
    let s = open(d.path(), &c);
    for _ in 0..100 {
        s.store_msg("foo", b"", b"Hello World", 0).expect("store");
    }
    for i in (2..=100).step_by(2) {
        assert_eq!(s.remove_msg(i), Ok(true));
    }
    let st = s.state();
    assert_eq!(st.msgs, 50);
    s.stop().expect("stop");
    same_after_restart_and_crash(d.path(), &c, &st);
    let s = open(d.path(), &c);
    assert!(s.load_msg(1).is_ok());
    for i in (2..=100).step_by(2) {
        assert!(s.load_msg(i).is_err(), "seq {i} came back");
    }
}

// go: server/TestFileStoreEraseAndNoIndexRecovery
#[test]
fn erase_survives_crash_and_leaves_no_plaintext() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c);
    for i in 1..=100 {
        s.store_msg("foo", b"", &msg(i), 0).expect("store");
    }
    for i in (2..=100).step_by(2) {
        assert_eq!(s.erase_msg(i), Ok(true));
    }
    crash(s);
    let all: Vec<u8> = blocks(d.path())
        .iter()
        .flat_map(|p| std::fs::read(p).expect("read"))
        .collect();
    assert!(
        memchr::memmem::find(&all, &msg(2)).is_none(),
        "erased payload still on disk"
    );
    assert!(memchr::memmem::find(&all, &msg(3)).is_some());
    let s = open(d.path(), &c);
    assert_eq!(s.state().msgs, 50);
    for i in (2..=100).step_by(2) {
        assert!(s.load_msg(i).is_err(), "seq {i} came back");
    }
}

#[test]
fn stale_or_damaged_state_file_is_rebuilt() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c);
    super::store_n(&s, "foo", b"abc", 30);
    s.stop().expect("stop");
    let old = std::fs::read(state_file(d.path())).expect("state file written on stop");

    let s = open(d.path(), &c);
    super::store_n(&s, "foo", b"abc", 30);
    s.remove_msg(3).expect("remove");
    let want = s.state();
    s.stop().expect("stop");
    std::fs::write(state_file(d.path()), &old).expect("put stale state back");
    let s = open(d.path(), &c);
    assert!(rebuilt(&s.take_diagnostics()));
    assert_eq!(s.state(), want);
    s.stop().expect("stop");

    let mut bytes = std::fs::read(state_file(d.path())).expect("state file");
    let at = bytes.len() / 2;
    bytes[at] ^= 0x10;
    std::fs::write(state_file(d.path()), &bytes).expect("write");
    let s = open(d.path(), &c);
    assert!(rebuilt(&s.take_diagnostics()));
    assert_eq!(s.state(), want);
}

#[test]
fn torn_tail_is_cut_and_sequences_continue() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c);
    for i in 1..=10 {
        s.store_msg("foo", b"", &msg(i), 0).expect("store");
    }
    crash(s);
    let last = blocks(d.path()).pop().expect("a block");
    let len = std::fs::metadata(&last).expect("meta").len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&last)
        .expect("open");
    f.set_len(len - 5).expect("tear");
    drop(f);

    let s = open(d.path(), &c);
    let diags = s.take_diagnostics();
    assert!(
        diags
            .iter()
            .any(|d| matches!(d, StoreDiagnostic::TornTail { .. })),
        "{diags:?}"
    );
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (9, 1, 9));
    assert_eq!(s.load_msg(10).err(), Some(StoreError::Eof));
    let rec = s.msg_size("foo", b"", &msg(10));
    assert_eq!(
        std::fs::metadata(&last).expect("meta").len() % rec,
        0,
        "tail not cut"
    );
    assert_eq!(s.store_msg("foo", b"", &msg(10), 0).map(|r| r.0), Ok(10));
    s.stop().expect("stop");
    let s = open(d.path(), &c);
    assert_eq!(s.load_msg(10).map(|m| m.msg.to_vec()), Ok(msg(10)));
}

/// Flips one bit in the middle of record `seq` (all records the same size).
fn flip_record(dir: &Path, s: &FileStore, seq: u64) {
    let rec = s.msg_size("foo", b"", &msg(1)) as usize;
    let per_block = 2048 / rec;
    let path = &blocks(dir)[(seq as usize - 1) / per_block];
    let mut bytes = std::fs::read(path).expect("read");
    let at = ((seq as usize - 1) % per_block) * rec + rec / 2;
    bytes[at] ^= 0x04;
    std::fs::write(path, &bytes).expect("write");
}

// go: server/TestFileStoreBitRot
#[test]
fn flipped_bit_found_on_read_and_on_recovery() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    let s = open(d.path(), &c);
    for i in 1..=100 {
        s.store_msg("foo", b"", &msg(i), 0).expect("store");
    }
    s.flush_all_pending().expect("flush");
    assert_eq!(s.check_msgs(), Ok(None));
    flip_record(d.path(), &s, 20);
    // On read: never served, dropped, reported.
    assert_eq!(s.load_msg(20).err(), Some(StoreError::MsgNotFound));
    assert_eq!(
        s.take_diagnostics(),
        vec![StoreDiagnostic::CorruptRecord {
            block: 1 + 19 / (2048 / s.msg_size("foo", b"", &msg(1)) as u32),
            offset: (19 % (2048 / s.msg_size("foo", b"", &msg(1))))
                * s.msg_size("foo", b"", &msg(1)),
            seq: Some(20),
        }]
    );
    let st = s.state();
    assert_eq!(st.msgs, 99);
    assert_eq!(st.lost.as_ref().map(|l| l.msgs.clone()), Some(vec![20]));
    // Found by a full check too.
    flip_record(d.path(), &s, 55);
    let lost = s.check_msgs().expect("check").expect("lost data");
    assert_eq!(lost.msgs, vec![20, 55]);
    s.stop().expect("stop");
    // Restart: clean, nothing more lost.
    let s = open(d.path(), &c);
    assert_eq!(s.state().msgs, 98);
    crash(s);

    // On recovery from blocks: the damaged record is skipped and reported, the rest is kept.
    let s = open(d.path(), &c);
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (98, 1, 100));
    flip_record(d.path(), &s, 70);
    crash(s);
    let s = open(d.path(), &c);
    let diags = s.take_diagnostics();
    assert!(
        diags
            .iter()
            .any(|d| matches!(d, StoreDiagnostic::CorruptRecord { seq: Some(70), .. })),
        "{diags:?}"
    );
    let st = s.state();
    assert_eq!(st.msgs, 97);
    assert_eq!(st.lost.map(|l| l.msgs), Some(vec![70]));
    assert!(s.load_msg(71).is_ok() && s.load_msg(69).is_ok());
}

// go: server/TestFileStoreReloadAndLoseLastSequence
// go: server/TestFileStoreReloadAndLoseLastSequenceWithSkipMsgs
#[test]
fn skips_only_survive_restarts() {
    for many in [false, true] {
        let d = tempfile::tempdir().expect("dir");
        let c = cfg(&["foo.*"]);
        let s = open(d.path(), &c);
        if many {
            s.skip_msgs(0, 22).expect("skip");
        } else {
            for _ in 0..22 {
                s.skip_msg(0).expect("skip");
            }
        }
        for _ in 0..5 {
            s.stop().expect("stop");
            let r = open(d.path(), &c);
            let st = r.fast_state();
            assert_eq!((st.first_seq, st.last_seq), (23, 22));
            crash(r);
            let r = open(d.path(), &c);
            assert_eq!(
                (r.fast_state().first_seq, r.fast_state().last_seq),
                (23, 22)
            );
            r.stop().expect("stop");
        }
    }
}

#[test]
fn sequences_never_go_back() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo"]);
    // Everything removed one by one, across blocks.
    let s = open(d.path(), &c);
    super::store_n(&s, "foo", &msg(0), 100);
    for i in 1..=100 {
        s.remove_msg(i).expect("remove");
    }
    crash(s);
    let s = open(d.path(), &c);
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (0, 101, 100));
    // Skips after that.
    s.skip_msgs(101, 10).expect("skip");
    s.skip_msg(0).expect("skip");
    crash(s);
    let s = open(d.path(), &c);
    assert_eq!((s.state().first_seq, s.state().last_seq), (112, 111));
    // Purge of everything.
    super::store_n(&s, "foo", &msg(0), 20);
    s.purge().expect("purge");
    crash(s);
    let s = open(d.path(), &c);
    assert_eq!((s.state().first_seq, s.state().last_seq), (132, 131));
    assert_eq!(s.store_msg("foo", b"", b"x", 0).map(|r| r.0), Ok(132));
    // Compact past the end.
    s.compact(500).expect("compact");
    crash(s);
    let s = open(d.path(), &c);
    assert_eq!((s.state().first_seq, s.state().last_seq), (500, 499));
    // A configured first sequence in a new store.
    let d2 = tempfile::tempdir().expect("dir");
    let c2 = StoreConfig {
        first_seq: 1000,
        ..cfg(&["foo"])
    };
    crash(open(d2.path(), &c2));
    let s = open(d2.path(), &c2);
    assert_eq!(s.store_msg("foo", b"", b"x", 0).map(|r| r.0), Ok(1000));
}

// go: server/TestFileStorePurgeExNoTombsOnBlockRemoval
#[test]
fn purge_ex_with_stale_state_file() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo.>"]);
    let mut f = fcfg(d.path());
    f.block_size = 1024;
    let s = FileStore::open(f.clone(), c.clone()).expect("open");
    for _ in 0..100 {
        s.store_msg("foo.1", b"", &[0u8; 20], 0).expect("store");
    }
    s.store_msg("foo.2", b"", &[0u8; 20], 0).expect("store");
    let many = blocks(d.path()).len();
    assert!(many >= 5, "{many} blocks");
    s.stop().expect("stop");
    let old = std::fs::read(state_file(d.path())).expect("state file");
    let s = FileStore::open(f.clone(), c.clone()).expect("open");
    assert_eq!(s.purge_ex("foo.1", 0, 0), Ok(100));
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq), (1, 101));
    assert!(blocks(d.path()).len() < many, "emptied blocks kept");
    s.stop().expect("stop");
    std::fs::write(state_file(d.path()), &old).expect("put old state back");
    let s = FileStore::open(f, c).expect("open");
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (1, 101, 101));
}

#[test]
fn purge_ex_compact_and_truncate_survive_crash() {
    let d = tempfile::tempdir().expect("dir");
    let c = cfg(&["foo", "bar"]);
    let s = open(d.path(), &c);
    for i in 0..200u64 {
        let subj = if i % 2 == 0 { "foo" } else { "bar" };
        s.store_msg(subj, b"", &msg(i), 0).expect("store");
    }
    assert_eq!(s.purge_ex("foo", 0, 10), Ok(90));
    let want = s.state();
    crash(s);
    let s = open(d.path(), &c);
    assert_eq!(s.state(), want);
    assert_eq!(s.subjects_totals("foo").get("foo"), Some(&10));

    assert_eq!(s.compact(150), Ok(74));
    let want = s.state();
    crash(s);
    let s = open(d.path(), &c);
    assert_eq!(s.state(), want);
    assert_eq!(s.state().first_seq, 150);

    s.truncate(180).expect("truncate");
    let want = s.state();
    assert_eq!(want.last_seq, 180);
    crash(s);
    let s = open(d.path(), &c);
    assert_eq!(s.state(), want);
    assert_eq!(s.store_msg("foo", b"", b"x", 0).map(|r| r.0), Ok(181));
}
