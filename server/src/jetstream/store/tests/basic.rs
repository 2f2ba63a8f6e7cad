//! Conformance: storing, loading, limits by count and size, purge, compact, erase, deletes and
//! truncation, for both stores (ports of Go's `memstore_test.go` and `store_test.go`).

use super::{cfg, file, mem, store_n, Mk};
use crate::jetstream::store::{DiscardPolicy, StoreConfig, StoreError};

fn now() -> i64 {
    crate::jetstream::store::engine::now_nanos()
}

fn basics(mk: Mk) {
    let s = mk(cfg(&[]));
    let before = now();
    let (seq, ts) = s.store_msg("foo", b"", b"Hello World", 0).expect("store");
    assert_eq!(seq, 1);
    assert!(ts >= before && ts <= now(), "timestamp {ts} not current");
    let st = s.state();
    assert_eq!(st.msgs, 1);
    assert_eq!(st.bytes, s.msg_size("foo", b"", b"Hello World"));
    let sm = s.load_msg(1).expect("load");
    assert_eq!(&*sm.subject, "foo");
    assert_eq!(&sm.msg[..], b"Hello World");
    assert_eq!((sm.seq, sm.ts), (1, ts));
}

// go: server/TestMemStoreBasics
#[test]
fn basics_mem() {
    basics(mem)
}

#[test]
fn basics_file() {
    basics(file)
}

fn msg_limit(mk: Mk) {
    let s = mk(StoreConfig {
        max_msgs: 10,
        ..cfg(&[])
    });
    store_n(&*s, "foo", b"Hello World", 10);
    assert_eq!(s.state().msgs, 10);
    s.store_msg("foo", b"", b"Hello World", 0).expect("store");
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (10, 2, 11));
    assert_eq!(s.load_msg(1).err(), Some(StoreError::MsgNotFound));
}

// go: server/TestMemStoreMsgLimit
#[test]
fn msg_limit_mem() {
    msg_limit(mem)
}

#[test]
fn msg_limit_file() {
    msg_limit(file)
}

fn bytes_limit(mk: Mk) {
    let msg = vec![0u8; 512];
    let size = mk(cfg(&[])).msg_size("foo", b"", &msg);
    let to_store = 1024u64;
    let s = mk(StoreConfig {
        max_bytes: (size * to_store) as i64,
        ..cfg(&[])
    });
    store_n(&*s, "foo", &msg, to_store as usize);
    let st = s.state();
    assert_eq!((st.msgs, st.bytes), (to_store, size * to_store));
    store_n(&*s, "foo", &msg, 10);
    let st = s.state();
    assert_eq!((st.msgs, st.bytes), (to_store, size * to_store));
    assert_eq!((st.first_seq, st.last_seq), (11, to_store + 10));
}

// go: server/TestMemStoreBytesLimit
#[test]
fn bytes_limit_mem() {
    bytes_limit(mem)
}

#[test]
fn bytes_limit_file() {
    bytes_limit(file)
}

fn bytes_limit_discard_new(mk: Mk) {
    let msg = [0u8; 7];
    let probe = mk(cfg(&[]));
    let size = probe.msg_size("tiny", b"", &msg);
    // Room for exactly three messages, as Go's 100 bytes are for its memory store.
    let s = mk(StoreConfig {
        max_bytes: (size * 3 + size / 2) as i64,
        discard: DiscardPolicy::New,
        ..cfg(&[])
    });
    for i in 0..10 {
        let r = s.store_msg("tiny", b"", &msg, 0);
        if i < 3 {
            r.expect("store within limit");
        } else {
            assert_eq!(r.err(), Some(StoreError::MaxBytes), "message {i}");
        }
    }
    let st = s.state();
    assert_eq!((st.msgs, st.bytes), (3, size * 3));
}

// go: server/TestMemStoreBytesLimitWithDiscardNew
#[test]
fn bytes_limit_discard_new_mem() {
    bytes_limit_discard_new(mem)
}

#[test]
fn bytes_limit_discard_new_file() {
    bytes_limit_discard_new(file)
}

fn time_stamps(mk: Mk) {
    let s = mk(cfg(&[]));
    let mut last = now() - 1;
    for _ in 0..10 {
        std::thread::sleep(std::time::Duration::from_micros(5));
        s.store_msg("foo", b"", b"Hello World", 0).expect("store");
    }
    for seq in 1..=10 {
        let sm = s.load_msg(seq).expect("load");
        assert!(sm.ts > last, "seq {seq}: ts {} not after {last}", sm.ts);
        last = sm.ts;
    }
}

// go: server/TestMemStoreTimeStamps
#[test]
fn time_stamps_mem() {
    time_stamps(mem)
}

#[test]
fn time_stamps_file() {
    time_stamps(file)
}

fn purge_and_compact(mk: Mk) {
    let s = mk(cfg(&[]));
    store_n(&*s, "foo", b"Hello World", 10);
    assert_eq!(s.purge(), Ok(10));
    let st = s.state();
    assert_eq!(
        (st.msgs, st.bytes, st.first_seq, st.last_seq),
        (0, 0, 11, 10)
    );

    let s = mk(cfg(&[]));
    store_n(&*s, "foo", b"Hello World", 10);
    assert_eq!(s.compact(6), Ok(5));
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq), (5, 6));
    // Compacting past the end resets first so the next message gets that sequence.
    assert_eq!(s.compact(100), Ok(5));
    assert_eq!(s.state().first_seq, 100);
    assert_eq!(s.store_msg("foo", b"", b"x", 0).map(|r| r.0), Ok(100));
}

// go: server/TestMemStorePurge
// go: server/TestMemStoreCompact
#[test]
fn purge_and_compact_mem() {
    purge_and_compact(mem)
}

#[test]
fn purge_and_compact_file() {
    purge_and_compact(file)
}

fn erase_and_headers(mk: Mk) {
    let s = mk(cfg(&[]));
    let (hdr, msg) = (b"name:derek".as_slice(), b"Hello World".as_slice());
    s.store_msg("foo", hdr, msg, 0).expect("store");
    let sm = s.load_msg(1).expect("load");
    assert_eq!((&sm.hdr[..], &sm.msg[..]), (hdr, msg));
    assert_eq!(s.erase_msg(1), Ok(true));
    assert_eq!(s.load_msg(1).err(), Some(StoreError::MsgNotFound));
    assert_eq!(s.erase_msg(1), Ok(false));
}

// go: server/TestMemStoreEraseMsg
// go: server/TestMemStoreMsgHeaders
#[test]
fn erase_and_headers_mem() {
    let s = mem(cfg(&[]));
    assert_eq!(
        s.msg_size("foo", b"name:derek", b"Hello World"),
        3 + 10 + 11 + 16
    );
    erase_and_headers(mem)
}

#[test]
fn erase_and_headers_file() {
    let s = file(cfg(&[]));
    // Go's file record: 22 fixed, subject, 4 + headers, payload, 8 checksum.
    assert_eq!(
        s.msg_size("foo", b"name:derek", b"Hello World"),
        22 + 3 + 4 + 10 + 11 + 8
    );
    erase_and_headers(file)
}

fn state_deleted(mk: Mk) {
    let s = mk(cfg(&[]));
    for i in 1..=10 {
        s.store_msg("foo", b"", format!("[{i:08}] Hello World!").as_bytes(), 0)
            .expect("store");
    }
    assert!(s.state().deleted.is_empty());
    let mut expected = Vec::new();
    for seq in (2..10).step_by(2) {
        s.remove_msg(seq).expect("remove");
        expected.push(seq);
    }
    assert_eq!(s.state().deleted, expected);
    s.remove_msg(1).expect("remove");
    s.remove_msg(3).expect("remove");
    let st = s.state();
    assert_eq!(st.deleted, expected[2..].to_vec());
    assert_eq!(st.first_seq, 5);
    s.purge().expect("purge");
    assert!(s.state().deleted.is_empty());
}

// go: server/TestMemStoreStreamStateDeleted
#[test]
fn state_deleted_mem() {
    state_deleted(mem)
}

#[test]
fn state_deleted_file() {
    state_deleted(file)
}

fn truncate(mk: Mk) {
    let s = mk(cfg(&[]));
    store_n(&*s, "foo", b"ok", 49);
    store_n(&*s, "bar", b"ok", 51);
    assert_eq!(s.state().msgs, 100);
    s.truncate(50).expect("truncate");
    assert_eq!(s.state().msgs, 50);
    for seq in [10, 20, 30, 40] {
        s.remove_msg(seq).expect("remove");
    }
    s.truncate(25).expect("truncate");
    let st = s.state();
    assert_eq!((st.msgs, st.num_subjects, st.last_seq), (23, 1, 25));
    assert_eq!(st.deleted, vec![10, 20]);
    assert_eq!(s.store_msg("foo", b"", b"ok", 0).map(|r| r.0), Ok(26));
}

// go: server/TestMemStoreStreamTruncate
#[test]
fn truncate_mem() {
    truncate(mem)
}

#[test]
fn truncate_file() {
    truncate(file)
}

fn truncate_reset(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"Hello World", 1000);
    s.truncate(0).expect("reset");
    let st = s.state();
    assert_eq!(
        (
            st.msgs,
            st.bytes,
            st.first_seq,
            st.last_seq,
            st.num_subjects,
            st.num_deleted
        ),
        (0, 0, 0, 0, 0, 0)
    );
    store_n(&*s, "foo", b"Hello World", 1000);
    let st = s.state();
    let size = s.msg_size("foo", b"", b"Hello World");
    assert_eq!(
        (
            st.msgs,
            st.bytes,
            st.first_seq,
            st.last_seq,
            st.num_subjects,
            st.num_deleted
        ),
        (1000, 1000 * size, 1, 1000, 1, 0)
    );
}

// go: server/TestMemStoreStreamTruncateReset
#[test]
fn truncate_reset_mem() {
    assert_eq!(mem(cfg(&[])).msg_size("foo", b"", b"Hello World"), 30);
    truncate_reset(mem)
}

#[test]
fn truncate_reset_file() {
    truncate_reset(file)
}

fn purge_ex_subject_and_compact_subjects(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"", 100);
    assert_eq!(s.purge_ex("foo", 0, 0), Ok(100));
    assert_eq!(s.state().msgs, 0);

    let s = mk(cfg(&["foo.*"]));
    for i in 0..1000 {
        s.store_msg(&format!("foo.{i}"), b"", b"Hello World", 0)
            .expect("store");
    }
    assert_eq!(s.compact(501), Ok(500));
    assert_eq!(s.state().num_subjects, 500);
}

// go: server/TestMemStorePurgeExWithSubject
// go: server/TestMemStoreStreamCompactMultiBlockSubjectInfo
#[test]
fn purge_ex_subject_mem() {
    purge_ex_subject_and_compact_subjects(mem)
}

#[test]
fn purge_ex_subject_file() {
    purge_ex_subject_and_compact_subjects(file)
}

fn initial_first_seq(mk: Mk) {
    let s = mk(StoreConfig {
        first_seq: 1000,
        ..cfg(&[])
    });
    assert_eq!(s.store_msg("A", b"", b"OK", 0).map(|r| r.0), Ok(1000));
    assert_eq!(s.store_msg("B", b"", b"OK", 0).map(|r| r.0), Ok(1001));
    let st = s.fast_state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (2, 1000, 1001));
}

// go: server/TestMemStoreInitialFirstSeq
#[test]
fn initial_first_seq_mem() {
    initial_first_seq(mem)
}

#[test]
fn initial_first_seq_file() {
    initial_first_seq(file)
}

fn skip_msgs(mk: Mk) {
    let s = mk(cfg(&["*"]));
    assert_eq!(s.skip_msgs(10, 100), Err(StoreError::SequenceMismatch));
    s.skip_msgs(1, 100).expect("skip");
    let st = s.state();
    assert_eq!((st.first_seq, st.last_seq), (101, 100));
    s.skip_msgs(101, 100_000).expect("skip");
    let st = s.state();
    assert_eq!((st.first_seq, st.last_seq), (100_101, 100_100));

    let s = mk(cfg(&["*"]));
    s.store_msg("foo", b"", b"", 0).expect("store");
    s.skip_msgs(2, 10).expect("skip");
    let st = s.state();
    assert_eq!(
        (st.first_seq, st.last_seq, st.msgs, st.num_deleted),
        (1, 11, 1, 10)
    );
    assert_eq!(st.deleted.len(), 10);
    let st = s.fast_state();
    assert_eq!(
        (st.first_seq, st.last_seq, st.msgs, st.num_deleted),
        (1, 11, 1, 10)
    );
}

// go: server/TestMemStoreSkipMsgs
#[test]
fn skip_msgs_mem() {
    skip_msgs(mem)
}

#[test]
fn skip_msgs_file() {
    skip_msgs(file)
}

fn deletes_and_first_seq(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"abc", 10);
    s.remove_msg(2).expect("remove");
    s.remove_msg(9).expect("remove");
    assert_eq!(s.purge_ex("", 9, 0), Ok(7));
    let st = s.fast_state();
    assert_eq!((st.first_seq, st.last_seq, st.msgs), (10, 10, 1));

    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"abc", 10);
    for seq in 1..=10 {
        s.remove_msg(seq).expect("remove");
    }
    let st = s.fast_state();
    assert_eq!((st.first_seq, st.last_seq, st.msgs), (11, 10, 0));
}

// go: server/TestMemStorePurgeExWithDeletedMsgs
// go: server/TestMemStoreDeleteAllFirstSequenceCheck
#[test]
fn deletes_and_first_seq_mem() {
    deletes_and_first_seq(mem)
}

#[test]
fn deletes_and_first_seq_file() {
    deletes_and_first_seq(file)
}

fn random_deletes_counted(mk: Mk) {
    let s = mk(cfg(&["*"]));
    store_n(&*s, "A", b"OK", 2000);
    let mut gone = std::collections::BTreeSet::new();
    while gone.len() < 1000 {
        gone.insert(rand::random::<u64>() % 2000 + 1);
    }
    for &seq in &gone {
        assert_eq!(s.remove_msg(seq), Ok(true));
    }
    let st = s.state();
    let interior: Vec<u64> = gone
        .iter()
        .copied()
        .filter(|&q| q >= st.first_seq && q <= st.last_seq)
        .collect();
    assert_eq!(st.deleted, interior);
    assert_eq!(s.fast_state().num_deleted, interior.len());
    assert_eq!(st.msgs, 1000);
}

// go: server/TestMemStoreDeleteBlocks
#[test]
fn random_deletes_counted_mem() {
    random_deletes_counted(mem)
}

#[test]
fn random_deletes_counted_file() {
    random_deletes_counted(file)
}
