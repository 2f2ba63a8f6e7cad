//! Conformance: subject state and totals, pending counts, last sequences per subject, next and
//! previous loads and time lookups, for both stores (ports of Go's `store_test.go` and
//! `memstore_test.go`).

use std::collections::HashMap;

use super::{cfg, file, mem, store_n, Mk};
use crate::jetstream::store::{SimpleState, StoreConfig, StoreError, StreamStore};
use crate::sublist::is_subset_match;

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn next_wildcard_start_before_first_match(mk: Mk) {
    let s = mk(cfg(&["bar.*", "foo.*"]));
    for i in 0..100 {
        s.store_msg(&format!("bar.{i}"), b"", b"", 0)
            .expect("store");
    }
    assert_eq!(s.store_msg("foo.1", b"", b"", 0).map(|r| r.0), Ok(101));
    let sm = s.load_next_msg("foo.*", true, 1).expect("next");
    assert_eq!((&*sm.subject, sm.seq), ("foo.1", 101));
    assert_eq!(
        s.load_next_msg("foo.*", true, 102).err(),
        Some(StoreError::Eof)
    );
    // Go reports the last sequence as the skip value on EOF.
    assert_eq!(s.fast_state().last_seq, 101);
}

// go: server/TestStoreLoadNextMsgWildcardStartBeforeFirstMatch
#[test]
fn next_wildcard_start_before_first_match_mem() {
    next_wildcard_start_before_first_match(mem)
}

// go: server/TestStoreLoadNextMsgWildcardStartBeforeFirstMatch
#[test]
fn next_wildcard_start_before_first_match_file() {
    next_wildcard_start_before_first_match(file)
}

fn subject_state_consistency(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    let check = |msgs: u64, first: u64, last: u64| {
        let ss = s.subjects_state("foo")["foo"];
        assert_eq!(ss, SimpleState { msgs, first, last });
        assert_eq!(s.load_next_msg("foo", false, 0).map(|m| m.seq), Ok(first));
        assert_eq!(s.load_last_msg("foo").map(|m| m.seq), Ok(last));
    };
    store_n(&*s, "foo", b"", 4);
    check(4, 1, 4);
    assert_eq!(s.remove_msg(1), Ok(true));
    check(3, 2, 4);
    assert_eq!(s.remove_msg(4), Ok(true));
    check(2, 2, 3);
    assert_eq!(s.remove_msg(2), Ok(true));
    check(1, 3, 3);
    store_n(&*s, "foo", b"", 3);
    check(4, 3, 7);
    for seq in [7, 3, 5] {
        assert_eq!(s.remove_msg(seq), Ok(true));
    }
    check(1, 6, 6);
    store_n(&*s, "foo", b"", 1);
    assert_eq!(s.remove_msg(8), Ok(true));
    store_n(&*s, "foo", b"", 1);
    check(2, 6, 9);
}

// go: server/TestStoreSubjectStateConsistency
#[test]
fn subject_state_consistency_mem() {
    subject_state_consistency(mem)
}

// go: server/TestStoreSubjectStateConsistency
#[test]
fn subject_state_consistency_file() {
    subject_state_consistency(file)
}

fn load_prev(mk: Mk) {
    let s = mk(cfg(&["foo.*", "bar.*"]));
    for subj in ["foo.1", "bar.1", "foo.2", "bar.2", "foo.3"] {
        s.store_msg(subj, b"", b"ZZZ", 0).expect("store");
    }
    let m = s.load_prev_msg("", false, 5).expect("prev");
    assert_eq!((&*m.subject, m.seq), ("foo.3", 5));
    let m = s.load_prev_msg("foo.2", false, 5).expect("prev");
    assert_eq!((&*m.subject, m.seq), ("foo.2", 3));
    let m = s.load_prev_msg("foo.*", true, 5).expect("prev");
    assert_eq!((&*m.subject, m.seq), ("foo.3", 5));
    assert_eq!(
        s.load_prev_msg("baz.*", true, 5).err(),
        Some(StoreError::Eof)
    );
    // Go's skip value on EOF is the first sequence.
    assert_eq!(s.fast_state().first_seq, 1);
}

// go: server/TestStoreMsgLoadPrevMsg
#[test]
fn load_prev_mem() {
    load_prev(mem)
}

// go: server/TestStoreMsgLoadPrevMsg
#[test]
fn load_prev_file() {
    load_prev(file)
}

fn seq_from_time(mk: Mk) {
    let s = mk(cfg(&["foo"]));
    let mut start = 0;
    for i in 0..10 {
        let (_, ts) = s.store_msg("foo", b"", b"", 0).expect("store");
        if i == 1 {
            start = ts;
        }
    }
    for seq in 4..=7 {
        s.remove_msg(seq).expect("remove");
    }
    assert_eq!(s.get_seq_from_time(start), 2);

    let s = mk(cfg(&["foo"]));
    let mut start = 0;
    for i in 0..3 {
        let (_, ts) = s.store_msg("foo", b"", b"", 0).expect("store");
        if i == 1 {
            start = ts;
        }
    }
    s.remove_msg(3).expect("remove");
    assert_eq!(s.get_seq_from_time(start), 2);

    // A time between two halves, with the newest messages deleted.
    let s = mk(cfg(&["*"]));
    for i in 1..=1000i64 {
        let ts = if i <= 500 { i } else { 1_000_000 + i };
        s.store_raw_msg("A", b"", b"OK", 0, ts, 0, true)
            .expect("store");
    }
    for seq in 900..=1000 {
        s.remove_msg(seq).expect("remove");
    }
    assert_eq!(s.get_seq_from_time(1000), 501);
    assert_eq!(s.get_seq_from_time(2_000_000), 1001);
    assert_eq!(s.get_seq_from_time(0), 1);
}

// go: server/TestStoreGetSeqFromTimeWithInteriorDeletesGap
// go: server/TestStoreGetSeqFromTimeWithTrailingDeletes
// go: server/TestMemStoreGetSeqFromTimeWithLastDeleted
#[test]
fn seq_from_time_mem() {
    seq_from_time(mem)
}

// go: server/TestStoreGetSeqFromTimeWithInteriorDeletesGap
// go: server/TestStoreGetSeqFromTimeWithTrailingDeletes
#[test]
fn seq_from_time_file() {
    seq_from_time(file)
}

fn subjects_totals(mk: Mk) {
    let s = mk(cfg(&["*.*"]));
    let (mut fmap, mut bmap) = (HashMap::new(), HashMap::new());
    for _ in 0..3000 {
        let (ft, m) = if rand::random::<bool>() {
            ("foo", &mut fmap)
        } else {
            ("bar", &mut bmap)
        };
        let dt = rand::random::<u32>() % 100;
        *m.entry(dt).or_insert(0u64) += 1;
        s.store_msg(&format!("{ft}.{dt}"), b"", b"Hello World", 0)
            .expect("store");
    }
    for (dt, total) in &fmap {
        let subj = format!("foo.{dt}");
        assert_eq!(s.subjects_totals(&subj).get(&subj), Some(total));
    }
    for (prefix, m) in [("foo.*", &fmap), ("bar.*", &bmap)] {
        let st = s.subjects_totals(prefix);
        assert_eq!(st.len(), m.len(), "{prefix}");
        assert_eq!(
            st.values().sum::<u64>(),
            m.values().sum::<u64>(),
            "{prefix}"
        );
    }
    assert_eq!(s.subjects_totals("*.*").len(), fmap.len() + bmap.len());
}

// go: server/TestMemStoreSubjectsTotals
#[test]
fn subjects_totals_mem() {
    subjects_totals(mem)
}

#[test]
fn subjects_totals_file() {
    subjects_totals(file)
}

/// What `filtered_state` must say, by loading every message.
fn brute_state(s: &dyn StreamStore, sseq: u64, filter: &str, last_only: bool) -> SimpleState {
    let last = s.fast_state().last_seq;
    let mut ss = SimpleState::default();
    let mut seen = std::collections::HashSet::new();
    for seq in (sseq.max(1)..=last).rev() {
        let Ok(m) = s.load_msg(seq) else { continue };
        if !is_subset_match(m.subject.as_bytes(), filter.as_bytes()) {
            continue;
        }
        if last_only && !seen.insert(m.subject.clone()) {
            continue;
        }
        ss.msgs += 1;
        ss.last = ss.last.max(seq);
        ss.first = seq;
    }
    ss
}

fn num_pending(mk: Mk) {
    let s = mk(cfg(&["*.*.*.*"]));
    let tok = ["foo", "bar", "baz"];
    let pick = || tok[rand::random::<usize>() % 3];
    for _ in 0..5000 {
        let subj = format!("{}.{}.{}.{}", pick(), pick(), pick(), pick());
        s.store_msg(&subj, b"", b"Hello World", 0).expect("store");
    }
    let last = s.fast_state().last_seq;
    let starts = [0, 1, 2, 200, 444, 555, 2222, 3888, 4321, 4999];
    let filters = [
        "foo.>",
        "*.bar.>",
        "foo.bar.*.baz",
        "*.foo.bar.*",
        "foo.foo.bar.baz",
    ];
    for filter in filters {
        for start in starts {
            let (np, through) = s.num_pending(start, filter, false).expect("pending");
            let ss = s.filtered_state(start, filter).expect("filtered");
            assert_eq!(through, last);
            assert_eq!(ss.msgs, np, "{filter} from {start}");
            assert_eq!(
                ss,
                brute_state(&*s, start, filter, false),
                "{filter} from {start}"
            );
            let (np, _) = s.num_pending(start, filter, true).expect("pending");
            assert_eq!(
                np,
                brute_state(&*s, start, filter, true).msgs,
                "last-per-subject {filter} from {start}"
            );
        }
    }
}

/// The unfiltered count from a start inside the stream, with and without gaps on either side.
fn num_pending_all(mk: Mk) {
    let s = mk(cfg(&["a.*"]));
    for i in 0..1000 {
        s.store_msg(&format!("a.{}", i % 7), b"", b"x", 0)
            .expect("store");
    }
    let starts = [0, 1, 2, 100, 499, 500, 501, 900, 1000, 1001];
    let check = |s: &dyn StreamStore| {
        for start in starts {
            for filter in ["", ">", "a.*"] {
                let got = s.filtered_state(start, filter).expect("filtered");
                let brute = if filter.is_empty() { ">" } else { filter };
                let want = brute_state(s, start, brute, false);
                assert_eq!(
                    (got.msgs, got.first),
                    (want.msgs, want.first),
                    "{filter:?} from {start}"
                );
                // As in Go, a start at or before the first message reports the stream's last
                // sequence even when that message is gone.
                if start > s.fast_state().first_seq {
                    assert_eq!(got.last, want.last, "{filter:?} from {start}");
                }
            }
        }
    };
    check(&*s);
    for seq in [3, 50, 51, 400] {
        s.remove_msg(seq).expect("remove low");
    }
    check(&*s);
    for seq in [600, 777, 950, 999] {
        s.remove_msg(seq).expect("remove high");
    }
    check(&*s);
    s.remove_msg(1000).expect("remove last");
    check(&*s);
}

#[test]
fn num_pending_all_mem() {
    num_pending_all(mem)
}

#[test]
fn num_pending_all_file() {
    num_pending_all(file)
}

// go: server/TestMemStoreNumPending
#[test]
fn num_pending_mem() {
    num_pending(mem)
}

#[test]
fn num_pending_file() {
    num_pending(file)
}

fn multi_last_seqs(mk: Mk) {
    let s = mk(cfg(&["foo.*", "bar.*"]));
    for _ in 0..33 {
        for subj in ["foo.foo", "foo.bar", "foo.baz"] {
            s.store_msg(subj, b"", b"abc", 0).expect("store");
        }
    }
    for _ in 0..33 {
        for subj in ["bar.foo", "bar.bar", "bar.baz"] {
            s.store_msg(subj, b"", b"abc", 0).expect("store");
        }
    }
    let q = |f: &[&str], max: u64| s.multi_last_seqs(&strs(f), max, 0).expect("multi");
    assert_eq!(q(&["foo.*"], 3), vec![1, 2, 3]);
    assert_eq!(q(&["foo.*"], 0), vec![97, 98, 99]);
    assert_eq!(q(&["bar.*"], 0), vec![196, 197, 198]);
    assert_eq!(q(&["bar.*"], 99), Vec::<u64>::new());
    assert_eq!(q(&["foo.foo", "foo.bar", "foo.baz"], 3), vec![1, 2, 3]);
    assert_eq!(q(&["foo.foo", "foo.bar", "foo.baz"], 0), vec![97, 98, 99]);
    assert_eq!(
        q(&["bar.foo", "bar.bar", "bar.baz"], 0),
        vec![196, 197, 198]
    );
    assert_eq!(q(&["bar.foo", "bar.bar", "bar.baz"], 99), Vec::<u64>::new());
    assert_eq!(q(&["foo.foo"], 3), vec![1]);
    assert_eq!(q(&["foo.*", "foo.bar"], 3), vec![1, 2, 3]);
    assert_eq!(q(&["bar.>", "bar.bar", "bar.baz"], 0), vec![196, 197, 198]);
    assert_eq!(q(&[">"], 0), vec![97, 98, 99, 196, 197, 198]);
    assert_eq!(q(&[">"], 99), vec![97, 98, 99]);

    let s = mk(cfg(&["foo.*"]));
    for i in 1..=100 {
        s.store_msg(&format!("foo.{i}"), b"", b"abc", 0)
            .expect("store");
    }
    assert_eq!(
        s.multi_last_seqs(&strs(&["foo.*"]), 0, 10),
        Err(StoreError::TooManyResults)
    );
}

// go: server/TestMemStoreMultiLastSeqs
// go: server/TestMemStoreMultiLastSeqsMaxAllowed
#[test]
fn multi_last_seqs_mem() {
    multi_last_seqs(mem)
}

#[test]
fn multi_last_seqs_file() {
    multi_last_seqs(file)
}

fn all_last_seqs_and_subject_for_seq(mk: Mk) {
    let s = mk(StoreConfig {
        max_msgs_per_subject: 50,
        ..cfg(&["*.*"])
    });
    let subjs = [
        "foo.foo", "foo.bar", "foo.baz", "bar.foo", "bar.bar", "bar.baz",
    ];
    for _ in 0..5000 {
        s.store_msg(subjs[rand::random::<usize>() % 6], b"", b"abc", 0)
            .expect("store");
    }
    let mut expected: Vec<u64> = subjs
        .iter()
        .map(|subj| s.load_last_msg(subj).expect("last").seq)
        .collect();
    expected.sort_unstable();
    assert_eq!(s.all_last_seqs(), Ok(expected));

    let s = mk(cfg(&["foo.>"]));
    assert_eq!(s.store_msg("foo.bar", b"", b"", 0).map(|r| r.0), Ok(1));
    assert_eq!(s.subject_for_seq(0).err(), Some(StoreError::MsgNotFound));
    assert_eq!(s.subject_for_seq(1).as_deref(), Ok("foo.bar"));
    assert_eq!(s.subject_for_seq(2).err(), Some(StoreError::MsgNotFound));
}

// go: server/TestMemStoreAllLastSeqs
// go: server/TestMemStoreSubjectForSeq
#[test]
fn all_last_seqs_mem() {
    all_last_seqs_and_subject_for_seq(mem)
}

#[test]
fn all_last_seqs_file() {
    all_last_seqs_and_subject_for_seq(file)
}
