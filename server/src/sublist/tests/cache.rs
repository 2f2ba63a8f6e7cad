//! The match cache: kept in step with inserts and removes, bounded, shared results, stats.

use std::sync::Arc;

use super::*;
use crate::sublist::{SublistStats, CACHE_MAX, CACHE_SWEEP};

// go: server/TestSublistCache
#[test]
fn cache_follows_inserts_and_removes_and_stays_bounded() {
    let s = Sublist::new();
    let sub = new_sub("a.b.c.d");
    let psub = new_sub("a.b.*.d");
    let fsub = new_sub("a.b.>");
    ins(&s, &sub).unwrap();
    assert_eq!(s.match_subject(b"a.b.c.d").psubs.len(), 1);
    ins(&s, &psub).unwrap();
    ins(&s, &fsub).unwrap();
    assert_eq!(s.count(), 3);
    assert_eq!(s.match_subject(b"a.b.c.d").psubs.len(), 3);
    rem(&s, &sub).unwrap();
    assert_eq!(s.count(), 2);
    rem(&s, &fsub).unwrap();
    assert_eq!(s.count(), 1);
    rem(&s, &psub).unwrap();
    assert_eq!(s.count(), 0);
    assert_eq!(
        s.cache_count(),
        0,
        "removes drop the cached results they touch"
    );
    assert!(s.match_subject(b"a.b.c.d").psubs.is_empty());

    for i in 0..2 * CACHE_MAX {
        s.match_subject(format!("foo-{i}\n").as_bytes());
        assert!(
            s.cache_count() <= CACHE_MAX,
            "cache grew to {}",
            s.cache_count()
        );
    }

    // Adding under a wildcard patches the cached results it covers.
    let s = Sublist::new();
    ins(&s, &new_sub("foo.*")).unwrap();
    ins(&s, &new_sub("foo.bar")).unwrap();
    assert_eq!(s.match_subject(b"foo.baz").psubs.len(), 1);
    assert_eq!(s.match_subject(b"foo.bar").psubs.len(), 2);
    ins(&s, &new_sub("foo.>")).unwrap();
    assert_eq!(s.match_subject(b"foo.bar").psubs.len(), 3);
    assert_eq!(s.match_subject(b"foo.baz").psubs.len(), 2);
}

#[test]
fn sweep_cuts_the_cache_down() {
    let s: Sublist<Sub> = Sublist::new();
    for i in 0..=CACHE_MAX {
        s.match_subject(format!("s.{i}").as_bytes());
    }
    assert_eq!(s.cache_count(), CACHE_SWEEP);
}

#[test]
fn cached_match_shares_the_result() {
    let s = Sublist::new();
    ins(&s, &new_sub("foo.bar")).unwrap();
    ins(&s, &new_sub("foo.*")).unwrap();
    let r1 = s.match_subject(b"foo.bar");
    let r2 = s.match_subject(b"foo.bar");
    assert!(Arc::ptr_eq(&r1, &r2), "second match comes from the cache");
    assert_eq!(s.stats().cache_hits, 1);

    // Without a cache every match builds its own result.
    let n = Sublist::new_no_cache();
    ins(&n, &new_sub("foo.bar")).unwrap();
    assert!(!Arc::ptr_eq(
        &n.match_subject(b"foo.bar"),
        &n.match_subject(b"foo.bar")
    ));
}

#[test]
fn insert_makes_a_new_result_and_leaves_old_readers_alone() {
    let s = Sublist::new();
    let a = new_sub("foo");
    ins(&s, &a).unwrap();
    let before = s.match_subject(b"foo");
    let b = new_sub("foo");
    ins(&s, &b).unwrap();
    assert_eq!(
        before.psubs,
        vec![a.clone()],
        "a handed-out result never changes"
    );
    let after = s.match_subject(b"foo");
    assert_eq!(after.psubs.len(), 2);
    assert_eq!(s.cache_count(), 1, "patched in place, not dropped");
}

#[test]
fn unrelated_changes_keep_cached_results() {
    let s = Sublist::new();
    ins(&s, &new_sub("foo")).unwrap();
    let r1 = s.match_subject(b"foo");
    let other = new_sub("bar.*");
    ins(&s, &other).unwrap();
    rem(&s, &other).unwrap();
    assert!(Arc::ptr_eq(&r1, &s.match_subject(b"foo")));
}

#[test]
fn cached_wildcard_subject_is_patched_by_matching_inserts() {
    // A match on a subject holding `>` is cached under that subject too.
    let s = Sublist::new();
    let f = new_sub("a.>");
    ins(&s, &f).unwrap();
    assert_eq!(s.match_subject(b"a.>").psubs, vec![f.clone()]);
    let g = new_sub(">");
    ins(&s, &g).unwrap();
    assert_eq!(s.match_subject(b"a.>").psubs.len(), 2);
}

// go: server/TestSublistSharedEmptyResult
#[test]
fn empty_results_are_shared() {
    let s: Sublist<Sub> = Sublist::new();
    let r1 = s.match_subject(b"foo");
    assert!(r1.psubs.is_empty() && r1.qsubs.is_empty());
    let r2 = s.match_subject(b"bar");
    assert!(r2.psubs.is_empty() && r2.qsubs.is_empty());
    assert!(Arc::ptr_eq(&r1, &r2));
}

// go: server/TestSublistNoCacheStats
#[test]
fn no_cache_stats_report_no_cache() {
    let s = Sublist::new_no_cache();
    for subj in ["foo", "bar", "baz", "foo.bar.baz"] {
        ins(&s, &new_sub(subj)).unwrap();
    }
    s.match_subject(b"a.b.c");
    s.match_subject(b"bar");
    let st = s.stats();
    assert_eq!(st.num_cache, 0);
    assert_eq!(st.num_subs, 4);
    assert_eq!(st.num_matches, 2);
    assert_eq!(st.cache_hit_rate, 0.0);
}

// go: server/TestSublistAddCacheHitRate
#[test]
fn summed_stats_recompute_the_hit_rate() {
    let sl1 = Sublist::new();
    ins(&sl1, &new_sub("foo")).unwrap();
    for _ in 0..4 {
        sl1.match_subject(b"foo");
    }
    let st1 = sl1.stats();
    assert_eq!(st1.cache_hit_rate, 0.75);

    let sl2 = Sublist::new();
    ins(&sl2, &new_sub("bar")).unwrap();
    for _ in 0..4 {
        sl2.match_subject(b"bar");
    }
    let st2 = sl2.stats();
    assert_eq!(st2.cache_hit_rate, 0.75);

    let mut total = SublistStats::default();
    total.add(&st1);
    total.add(&st2);
    assert_eq!(total.cache_hit_rate, 0.75);
    assert_eq!(total.num_matches, 8);
    assert_eq!(total.num_subs, 2);
}

#[test]
fn stats_count_changes_and_fanout() {
    let s = Sublist::new();
    let subs = [
        new_sub("foo"),
        new_sub("foo"),
        new_qsub("foo", "q"),
        new_sub("bar"),
    ];
    for x in &subs {
        ins(&s, x).unwrap();
    }
    rem(&s, &subs[3]).unwrap();
    s.match_subject(b"foo"); // fan-out 3: two plain and one group
    s.match_subject(b"bar"); // fan-out 0
    let st = s.stats();
    assert_eq!(st.num_subs, 3);
    assert_eq!(st.num_inserts, 4);
    assert_eq!(st.num_removes, 1);
    assert_eq!(st.num_cache, 2);
    assert_eq!(st.max_fanout, 3);
    assert_eq!(st.avg_fanout, 1.5);

    let json = serde_json::to_value(&st).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "avg_fanout",
            "cache_hit_rate",
            "max_fanout",
            "num_cache",
            "num_inserts",
            "num_matches",
            "num_removes",
            "num_subscriptions"
        ]
    );
    assert_eq!(json["num_subscriptions"], 3);
}
