//! Conformance: per-subject limits and config updates, discard-new errors, compact/truncate/
//! purge edge cases, skips and last time, max age and per-message TTL, for both stores (ports of
//! Go's `store_test.go` and `memstore_test.go`).

use super::{cfg, file, mem, store_n, Mk};
use crate::jetstream::store::{DiscardPolicy, StoreConfig, StoreError};

const SEC: i64 = 1_000_000_000;

fn now() -> i64 {
    crate::jetstream::store::engine::now_nanos()
}

fn max_per_update(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"", 5);
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (5, 1, 5));
    s.update_config(&StoreConfig {
        max_msgs_per_subject: 1,
        ..cfg(&["foo"])
    })
    .expect("update");
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (1, 5, 5));
    // Below -1 is taken as unlimited.
    s.update_config(&StoreConfig {
        max_msgs_per_subject: -2,
        ..cfg(&["foo"])
    })
    .expect("update");
    store_n(&*s, "foo", b"", 3);
    assert_eq!(s.state().msgs, 4);

    let s = mk(StoreConfig {
        max_msgs_per_subject: 10,
        ..cfg(&["foo"])
    });
    s.update_config(&StoreConfig {
        max_msgs_per_subject: 50,
        ..cfg(&["foo"])
    })
    .expect("update");
    store_n(&*s, "foo", b"", 22);
    assert_eq!(s.subjects_state("foo")["foo"].msgs, 22);
    s.update_config(&StoreConfig {
        max_msgs_per_subject: 10,
        ..cfg(&["foo"])
    })
    .expect("update");
    assert_eq!(s.subjects_state("foo")["foo"].msgs, 10);
}

// go: server/TestStoreMaxMsgsPerUpdateBug
// go: server/TestMemStoreUpdateMaxMsgsPerSubject
#[test]
fn max_per_update_mem() {
    max_per_update(mem)
}

// go: server/TestStoreMaxMsgsPerUpdateBug
#[test]
fn max_per_update_file() {
    max_per_update(file)
}

fn max_per_update_to_one_keeps_newest(mk: Mk) -> u64 {
    let c = StoreConfig {
        max_msgs_per_subject: -1,
        ..cfg(&["foo.*"])
    };
    let s = mk(c.clone());
    s.store_msg("foo.0", b"", b"", 0).expect("store");
    let big = vec![0u8; 64 * 1024];
    let fill = || {
        for i in 1..=9 {
            s.store_msg(&format!("foo.{i}"), b"", &big, 0)
                .expect("store");
        }
    };
    fill();
    let (nseq, _) = s.store_msg("foo.0", b"", b"", 0).expect("store");
    fill();
    let (lseq, _) = s.store_msg("foo.0", b"", b"", 0).expect("store");
    assert_eq!(s.remove_msg(lseq), Ok(true));
    s.update_config(&StoreConfig {
        max_msgs_per_subject: 1,
        ..c
    })
    .expect("update");
    let ss = s.subjects_state("foo.0")["foo.0"];
    assert_eq!((ss.msgs, ss.first, ss.last), (1, nseq, nseq));
    assert_eq!(s.load_last_msg("foo.0").map(|m| m.seq), Ok(nseq));
    assert_eq!(s.load_next_msg("foo.0", false, 0).map(|m| m.seq), Ok(nseq));
    nseq
}

// go: server/TestStoreMaxMsgsPerUpdateToOneRemoveNewest
#[test]
fn max_per_update_to_one_keeps_newest_mem() {
    max_per_update_to_one_keeps_newest(mem);
}

// go: server/TestStoreMaxMsgsPerUpdateToOneRemoveNewest
#[test]
fn max_per_update_to_one_keeps_newest_file() {
    max_per_update_to_one_keeps_newest(file);
}

fn discard_new(mk: Mk) {
    type Case = (fn(&mut StoreConfig), Option<StoreError>);
    let cases: [Case; 8] = [
        (|c| c.max_msgs = 1, Some(StoreError::MaxMsgs)),
        (|c| c.max_bytes = 33, Some(StoreError::MaxBytes)),
        (|c| c.max_msgs_per_subject = 1, None),
        (
            |c| {
                c.discard_new_per_subject = true;
                c.max_msgs_per_subject = 1;
            },
            Some(StoreError::MaxMsgsPerSubject),
        ),
        (
            |c| {
                c.max_msgs = 1;
                c.max_msgs_per_subject = 1;
            },
            None,
        ),
        (
            |c| {
                c.max_bytes = 33;
                c.max_msgs_per_subject = 1;
            },
            None,
        ),
        (
            |c| {
                c.discard_new_per_subject = true;
                c.max_msgs = 1;
                c.max_msgs_per_subject = 1;
            },
            Some(StoreError::MaxMsgsPerSubject),
        ),
        (
            |c| {
                c.discard_new_per_subject = true;
                c.max_bytes = 33;
                c.max_msgs_per_subject = 1;
            },
            Some(StoreError::MaxMsgsPerSubject),
        ),
    ];
    for (i, (tweak, want)) in cases.into_iter().enumerate() {
        let mut c = StoreConfig {
            discard: DiscardPolicy::New,
            ..cfg(&["foo"])
        };
        tweak(&mut c);
        let s = mk(c.clone());
        let ts = now();
        let mut expected = 1;
        let require = |expected: u64| {
            let st = s.state();
            assert_eq!(
                (st.msgs, st.first_seq, st.last_seq),
                (1, expected, expected),
                "case {i}"
            );
        };
        s.store_msg("foo", b"", b"", 0).expect("store");
        let r = s.store_raw_msg("foo", b"", b"", 0, ts, 0, true);
        match &want {
            None => {
                assert_eq!(r, Ok(()), "case {i}");
                expected += 1;
            }
            Some(e) => assert_eq!(r.as_ref().err(), Some(e), "case {i}"),
        }
        require(expected);
        // Without the check (a replica) the message is always taken, and only the per-subject
        // limit removes anything.
        s.store_raw_msg("foo", b"", b"", 0, ts, 0, false)
            .expect("store");
        expected += 1;
        if c.max_msgs_per_subject > 0 {
            require(expected);
        } else {
            let st = s.state();
            assert_eq!(
                (st.msgs, st.first_seq, st.last_seq),
                (2, expected - 1, expected),
                "case {i}"
            );
        }
    }
}

// go: server/TestStoreDiscardNew
#[test]
fn discard_new_mem() {
    assert_eq!(mem(cfg(&[])).msg_size("foo", b"", b""), 19);
    discard_new(mem)
}

// go: server/TestStoreDiscardNew
#[test]
fn discard_new_file() {
    assert_eq!(file(cfg(&[])).msg_size("foo", b"", b""), 33);
    discard_new(file)
}

fn compact_truncate_purge_edges(mk: Mk) {
    for cseq in 2..=4 {
        let s = mk(cfg(&["foo"]));
        store_n(&*s, "foo", b"", 3);
        s.remove_msg(2).expect("remove");
        s.compact(cseq).expect("compact");
        let st = s.state();
        assert_eq!(
            (st.first_seq, st.last_seq),
            (cseq.max(3), 3),
            "compact({cseq})"
        );
        assert!(
            st.deleted.is_empty(),
            "compact({cseq}) left {:?}",
            st.deleted
        );
    }
    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"", 3);
    s.remove_msg(2).expect("remove");
    s.remove_msg(3).expect("remove");
    let st = s.state();
    assert_eq!((st.first_seq, st.last_seq), (1, 3));
    s.compact(2).expect("compact");
    let st = s.state();
    assert_eq!(
        (st.msgs, st.first_seq, st.last_seq, st.first_ts),
        (0, 4, 3, 0)
    );

    for tseq in 0..=1 {
        let s = mk(cfg(&["foo"]));
        store_n(&*s, "foo", b"", 3);
        s.remove_msg(2).expect("remove");
        s.truncate(tseq).expect("truncate");
        let st = s.state();
        assert_eq!(
            (st.first_seq, st.last_seq),
            (tseq.min(1), tseq),
            "truncate({tseq})"
        );
        assert!(st.deleted.is_empty());
    }

    let s = mk(cfg(&["foo"]));
    s.purge().expect("purge");
    let st = s.state();
    assert_eq!((st.first_seq, st.last_seq), (1, 0));
    s.purge_ex("", 0, 0).expect("purge");
    let st = s.state();
    assert_eq!((st.first_seq, st.last_seq), (1, 0));

    let s = mk(cfg(&["foo", "bar"]));
    for _ in 0..5 {
        store_n(&*s, "foo", b"", 1);
        store_n(&*s, "bar", b"", 1);
    }
    let before = s.state();
    for (subj, keep) in [("", 0), (">", 0), ("foo", 0), ("", 3), ("foo", 3)] {
        assert_eq!(
            s.purge_ex(subj, 1, keep),
            Ok(0),
            "purge_ex({subj:?}, 1, {keep})"
        );
        assert_eq!(s.state(), before);
    }

    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"", 50);
    for seq in (2..=50).step_by(2) {
        s.remove_msg(seq).expect("remove");
    }
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (25, 1, 50));
    assert_eq!(s.purge_ex("", 0, 5), Ok(20));
    let st = s.state();
    assert_eq!((st.msgs, st.first_seq, st.last_seq), (5, 41, 50));
}

// go: server/TestStoreCompactCleansUpDmap
// go: server/TestStoreCompactFullyDeletedRange
// go: server/TestStoreTruncateCleansUpDmap
// go: server/TestStorePurgeExZero
// go: server/TestStorePurgeExSequenceOne
// go: server/TestStorePurgeExKeepWithInteriorDeletes
#[test]
fn compact_truncate_purge_edges_mem() {
    compact_truncate_purge_edges(mem)
}

// go: server/TestStoreCompactCleansUpDmap
// go: server/TestStoreCompactFullyDeletedRange
// go: server/TestStoreTruncateCleansUpDmap
// go: server/TestStorePurgeExZero
// go: server/TestStorePurgeExSequenceOne
// go: server/TestStorePurgeExKeepWithInteriorDeletes
#[test]
fn compact_truncate_purge_edges_file() {
    compact_truncate_purge_edges(file)
}

fn skips_and_last_time(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    let old = now() - 30 * 24 * 3600 * SEC;
    s.store_raw_msg("foo", b"", b"", 1, old, 0, false)
        .expect("store");
    assert_eq!((s.fast_state().last_seq, s.fast_state().last_ts), (1, old));
    s.skip_msgs(2, 10).expect("skip");
    assert_eq!((s.fast_state().last_seq, s.fast_state().last_ts), (11, old));
    assert_eq!(s.skip_msg(12), Ok(12));
    assert_eq!((s.fast_state().last_seq, s.fast_state().last_ts), (12, old));
    s.skip_msgs(13, 5).expect("skip");
    assert_eq!((s.fast_state().last_seq, s.fast_state().last_ts), (17, old));
    let newer = old + 15 * 24 * 3600 * SEC;
    s.store_raw_msg("foo", b"", b"", 18, newer, 0, false)
        .expect("store");
    assert_eq!(s.get_seq_from_time(old), 1);
    assert_eq!(s.get_seq_from_time(old + 5 * 24 * 3600 * SEC), 18);
    assert_eq!(s.get_seq_from_time(newer), 18);

    // From empty, the first skip stamps the time and later skips keep it.
    for many in [false, true] {
        let s = mk(cfg(&["foo"]));
        assert_eq!((s.fast_state().last_seq, s.fast_state().last_ts), (0, 0));
        let before = now();
        let n = if many {
            s.skip_msgs(1, 5).expect("skip");
            5
        } else {
            s.skip_msg(0).expect("skip")
        };
        let st = s.fast_state();
        assert_eq!(st.last_seq, n);
        assert!(st.last_ts >= before && st.last_ts <= now());
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_eq!(s.skip_msg(0), Ok(n + 1));
        assert_eq!(s.fast_state().last_ts, st.last_ts);
    }

    // Skips without interest move the time on.
    let s = mk(cfg(&["foo"]));
    assert_eq!(s.skip_msg_no_interest(0), Ok(1));
    let first = s.fast_state();
    assert_eq!((first.msgs, first.last_seq), (0, 1));
    std::thread::sleep(std::time::Duration::from_millis(2));
    assert_eq!(s.skip_msg_no_interest(0), Ok(2));
    let st = s.fast_state();
    assert_eq!((st.msgs, st.last_seq), (0, 2));
    assert!(st.last_ts > first.last_ts);
}

// go: server/TestStoreSkipMsgsCarryForwardLastTime
// go: server/TestStoreSkipMsgsCarryForwardLastTimeFromEmpty
// go: server/TestStoreSkipMsgNoInterestAdvancesLastTime
#[test]
fn skips_and_last_time_mem() {
    skips_and_last_time(mem)
}

// go: server/TestStoreSkipMsgsCarryForwardLastTime
// go: server/TestStoreSkipMsgsCarryForwardLastTimeFromEmpty
// go: server/TestStoreSkipMsgNoInterestAdvancesLastTime
#[test]
fn skips_and_last_time_file() {
    skips_and_last_time(file)
}

fn age_limit(mk: Mk) {
    let max_age = 10_000_000; // 10ms
    let s = mk(StoreConfig {
        max_age,
        ..cfg(&[])
    });
    for _ in 0..2 {
        store_n(&*s, "foo", b"Hello World", 100);
        assert_eq!(s.state().msgs, 100);
        let due = s.next_expiry().expect("an expiry is due");
        assert_eq!(s.expire_msgs(due - 1), Ok(0), "too early");
        assert_eq!(s.expire_msgs(now() + max_age + 1), Ok(100));
        let st = s.state();
        assert_eq!((st.msgs, st.bytes), (0, 0));
        assert_eq!(s.next_expiry(), None);
    }
    // A `never` TTL outlives max age.
    let hdr = b"NATS/1.0\r\nNats-TTL: never\r\n\r\n";
    s.store_msg("foo", hdr, b"keep", -1).expect("store");
    store_n(&*s, "foo", b"go", 1);
    assert_eq!(s.expire_msgs(now() + max_age + 1), Ok(1));
    assert_eq!(
        s.load_last_msg("foo").map(|m| m.msg.to_vec()),
        Ok(b"keep".to_vec())
    );
}

// go: server/TestMemStoreAgeLimit
#[test]
fn age_limit_mem() {
    age_limit(mem)
}

#[test]
fn age_limit_file() {
    age_limit(file)
}

fn message_ttl(mk: Mk) {
    let s = mk(StoreConfig {
        allow_msg_ttl: true,
        ..cfg(&["test"])
    });
    for _ in 0..10 {
        s.store_msg("test", b"", b"", 1).expect("store");
    }
    let st = s.fast_state();
    assert_eq!((st.first_seq, st.last_seq, st.msgs), (1, 10, 10));
    assert_eq!(s.expire_msgs(now() + 2 * SEC), Ok(10));
    let st = s.fast_state();
    assert_eq!((st.first_seq, st.last_seq, st.msgs), (11, 10, 0));

    // TTLs only count while the stream allows them.
    let c = cfg(&["foo"]);
    let s = mk(c.clone());
    let (seq, _) = s.store_msg("foo", b"", b"", 1).expect("store");
    s.expire_msgs(now() + 2 * SEC).expect("expire");
    assert!(s.load_msg(seq).is_ok());
    let on = StoreConfig {
        allow_msg_ttl: true,
        ..c.clone()
    };
    s.update_config(&on).expect("update");
    let (seq, _) = s.store_msg("foo", b"", b"", 1).expect("store");
    s.expire_msgs(now() + 2 * SEC).expect("expire");
    assert!(s.load_msg(seq).is_err());
    s.update_config(&c).expect("update");
    let (seq, _) = s.store_msg("foo", b"", b"", 1).expect("store");
    s.expire_msgs(now() + 2 * SEC).expect("expire");
    assert!(s.load_msg(seq).is_ok());
}

// go: server/TestMemStoreMessageTTL
// go: server/TestStoreUpdateConfigTTLState
#[test]
fn message_ttl_mem() {
    message_ttl(mem)
}

// go: server/TestStoreUpdateConfigTTLState
#[test]
fn message_ttl_file() {
    message_ttl(file)
}

fn lazy_last_seqs(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    store_n(&*s, "foo", b"", 3);
    let f = vec!["foo".to_string()];
    assert_eq!(s.multi_last_seqs(&f, 0, 0), Ok(vec![3]));
    s.remove_msg(3).expect("remove");
    assert_eq!(s.multi_last_seqs(&f, 0, 0), Ok(vec![2]));
    store_n(&*s, "foo", b"", 1);
    assert_eq!(s.load_last_msg("foo").map(|m| m.seq), Ok(4));
    s.remove_msg(4).expect("remove");
    assert_eq!(s.load_last_msg("foo").map(|m| m.seq), Ok(2));
}

// go: server/TestFileStoreMultiLastSeqsAndLoadLastMsgWithLazySubjectState
#[test]
fn lazy_last_seqs_mem() {
    lazy_last_seqs(mem)
}

// go: server/TestFileStoreMultiLastSeqsAndLoadLastMsgWithLazySubjectState
#[test]
fn lazy_last_seqs_file() {
    lazy_last_seqs(file)
}
