//! `has_interest` and `num_interest`: answered from the cache when possible, else by a walk
//! that stops at the first subscriber.

use super::*;

fn hits(s: &Sublist<Sub>) -> u64 {
    s.stats().cache_hits
}

/// Plain subscriptions, then queue subscriptions in two groups, on one subject pattern:
/// `(subject pattern, [(published subject, expected)])`.
const WILDCARD_CASES: &[(&str, &[(&str, bool)])] = &[
    (
        "foo.*",
        &[("foo", false), ("foo.bar", true), ("foo.bar.baz", false)],
    ),
    (
        "foo.>",
        &[("foo", false), ("foo.bar", true), ("foo.bar.baz", true)],
    ),
    (
        "*.>",
        &[("foo", false), ("foo.bar", true), ("foo.baz", true)],
    ),
    (
        "*.bar",
        &[("foo", false), ("foo.bar", true), ("foo.baz", false)],
    ),
    ("*", &[("foo", true), ("foo.bar", false)]),
];

// go: server/TestSublistHasInterest
#[test]
fn has_interest() {
    let sl = Sublist::new();
    let foo = new_sub("foo");
    ins(&sl, &foo).unwrap();

    // Nothing cached yet.
    assert!(sl.has_interest(b"foo"));
    assert!(!sl.has_interest(b"bar"));
    assert_eq!(hits(&sl), 0);

    // A match fills the cache; later calls are answered from it.
    sl.match_subject(b"foo");
    assert_eq!(hits(&sl), 0);
    for i in 1..=5 {
        assert!(sl.has_interest(b"foo"));
        assert_eq!(hits(&sl), i);
    }

    // Negative results are cached too.
    let before = hits(&sl);
    sl.match_subject(b"bar");
    assert!(!sl.has_interest(b"bar"));
    assert_eq!(hits(&sl), before + 1);

    rem(&sl, &foo).unwrap();
    assert!(!sl.has_interest(b"foo"));

    // Wildcards, plain and then queue subscriptions.
    for (pattern, cases) in WILDCARD_CASES {
        let sub = new_sub(pattern);
        ins(&sl, &sub).unwrap();
        for (subj, want) in *cases {
            assert_eq!(sl.has_interest(subj.as_bytes()), *want, "{pattern}: {subj}");
        }
        rem(&sl, &sub).unwrap();
        for (subj, _) in *cases {
            assert!(
                !sl.has_interest(subj.as_bytes()),
                "{pattern} removed: {subj}"
            );
        }
    }

    // Queues on a literal subject: interest lasts until the last group goes.
    let q1 = new_qsub("foo", "bar");
    ins(&sl, &q1).unwrap();
    assert!(sl.has_interest(b"foo"));
    assert!(!sl.has_interest(b"foo.bar"));
    let q2 = new_qsub("foo", "baz");
    ins(&sl, &q2).unwrap();
    assert!(sl.has_interest(b"foo"));
    assert!(!sl.has_interest(b"foo.bar"));
    rem(&sl, &q1).unwrap();
    assert!(sl.has_interest(b"foo"));
    assert!(!sl.has_interest(b"foo.bar"));
    rem(&sl, &q2).unwrap();
    assert!(!sl.has_interest(b"foo"));
    assert!(!sl.has_interest(b"foo.bar"));

    for (pattern, cases) in WILDCARD_CASES {
        let q1 = new_qsub(pattern, "bar");
        let q2 = new_qsub(pattern, "baz");
        ins(&sl, &q1).unwrap();
        for (subj, want) in *cases {
            assert_eq!(
                sl.has_interest(subj.as_bytes()),
                *want,
                "{pattern}/bar: {subj}"
            );
        }
        ins(&sl, &q2).unwrap();
        for (subj, want) in *cases {
            assert_eq!(
                sl.has_interest(subj.as_bytes()),
                *want,
                "{pattern}/+baz: {subj}"
            );
        }
        rem(&sl, &q1).unwrap();
        for (subj, want) in *cases {
            assert_eq!(
                sl.has_interest(subj.as_bytes()),
                *want,
                "{pattern}/baz: {subj}"
            );
        }
        rem(&sl, &q2).unwrap();
        for (subj, _) in *cases {
            assert!(
                !sl.has_interest(subj.as_bytes()),
                "{pattern} queues removed: {subj}"
            );
        }
    }
}

#[test]
fn has_interest_without_cache_and_with_bad_subjects() {
    let sl = Sublist::new_no_cache();
    ins(&sl, &new_sub(">")).unwrap();
    assert!(sl.has_interest(b"a.b"));
    for bad in ["", ".a", "a.", "a..b"] {
        assert!(!sl.has_interest(bad.as_bytes()), "{bad:?}");
    }
    assert_eq!(hits(&sl), 0);
}

// go: server/TestSublistHasInterestOverlapping
#[test]
fn has_interest_overlapping() {
    let sl = Sublist::new();
    ins(&sl, &new_sub("stream.A.child")).unwrap();
    ins(&sl, &new_sub("stream.*")).unwrap();
    assert!(sl.has_interest(b"stream.A.child"));
    assert!(sl.has_interest(b"stream.A"));
}

// go: server/TestSublistNumInterest
#[test]
fn num_interest() {
    let sl = Sublist::new();
    let foo = new_sub("foo");
    ins(&sl, &foo).unwrap();
    let expect = |subj: &str, np: usize, nq: usize| {
        assert_eq!(sl.num_interest(subj.as_bytes()), (np, nq), "{subj}");
    };

    expect("foo", 1, 0);
    expect("bar", 0, 0);
    assert_eq!(hits(&sl), 0);

    sl.match_subject(b"foo");
    assert_eq!(hits(&sl), 0);
    for i in 1..=5 {
        expect("foo", 1, 0);
        assert_eq!(hits(&sl), i);
    }

    let before = hits(&sl);
    sl.match_subject(b"bar");
    expect("bar", 0, 0);
    assert_eq!(hits(&sl), before + 1);

    rem(&sl, &foo).unwrap();
    expect("foo", 0, 0);

    // Plain wildcard subscriptions.
    let plain: &[(&str, &[(&str, usize)])] = &[
        ("foo.*", &[("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 0)]),
        ("foo.>", &[("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 1)]),
        ("*.>", &[("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 1)]),
        ("*.bar", &[("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 0)]),
        ("*", &[("foo", 1), ("foo.bar", 0)]),
    ];
    for (pattern, cases) in plain {
        let sub = new_sub(pattern);
        ins(&sl, &sub).unwrap();
        for (subj, n) in *cases {
            expect(subj, *n, 0);
        }
        rem(&sl, &sub).unwrap();
        for (subj, _) in *cases {
            expect(subj, 0, 0);
        }
    }

    // Queue subscriptions: one in "bar", two in "baz", removed one by one.
    let groups: &[(&str, &[&str])] = &[
        ("foo", &["foo.bar"]),
        ("foo.*", &["foo", "foo.bar.baz"]),
        ("foo.>", &["foo"]),
    ];
    for (pattern, never) in groups {
        let matching: &[&str] = match *pattern {
            "foo" => &["foo"],
            "foo.*" => &["foo.bar"],
            _ => &["foo.bar", "foo.bar.baz"],
        };
        let q1 = new_qsub(pattern, "bar");
        let q2 = new_qsub(pattern, "baz");
        let q3 = new_qsub(pattern, "baz");
        let check = |nq: usize| {
            for subj in matching {
                expect(subj, 0, nq);
            }
            for subj in *never {
                expect(subj, 0, 0);
            }
        };
        ins(&sl, &q1).unwrap();
        check(1);
        ins(&sl, &q2).unwrap();
        check(2);
        ins(&sl, &q3).unwrap();
        check(3);
        rem(&sl, &q1).unwrap();
        check(2);
        rem(&sl, &q2).unwrap();
        check(1);
        rem(&sl, &q3).unwrap();
        check(0);
    }

    let single: &[(&str, &[(&str, usize)])] = &[
        ("*.>", &[("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 1)]),
        ("*.bar", &[("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 0)]),
        ("*", &[("foo", 1), ("foo.bar", 0)]),
    ];
    for (pattern, cases) in single {
        let q = new_qsub(pattern, "bar");
        ins(&sl, &q).unwrap();
        for (subj, n) in *cases {
            expect(subj, 0, *n);
        }
        rem(&sl, &q).unwrap();
    }
}
