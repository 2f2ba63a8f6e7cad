//! Concurrent use: results handed out are snapshots, and inserts, removes and matches from
//! several threads leave the index and its cache consistent. Thread and loop counts are fixed
//! and small.

use std::sync::Arc;
use std::thread;

use super::*;

fn run_race_on_remove(s: Arc<Sublist<Sub>>, make: fn() -> Sub, check: fn(&SublistResult<Sub>)) {
    let total = 100;
    let subs: Arc<Vec<Sub>> = Arc::new((0..total).map(|_| make()).collect());
    for round in 0..2 {
        for x in subs.iter() {
            ins(&s, x).unwrap();
        }
        if round == 1 {
            s.match_subject(b"foo");
        }
        // From the cache on the second round.
        let r = s.match_subject(b"foo");
        let remover = {
            let (s, subs) = (Arc::clone(&s), Arc::clone(&subs));
            thread::spawn(move || {
                for x in subs.iter() {
                    rem(&s, x).unwrap();
                }
            })
        };
        check(&r);
        remover.join().unwrap();
        // The result is a snapshot: removes did not touch it.
        check(&r);
        assert_eq!(s.count(), 0);
        assert!(s.match_subject(b"foo").is_empty());
    }
}

// go: server/TestSublistRaceOnRemove
// go: server/TestSublistRaceOnRemoveNoCache
#[test]
fn race_on_remove() {
    for (_, s) in both() {
        let s = Arc::new(s);
        run_race_on_remove(
            Arc::clone(&s),
            || new_qsub("foo", "bar"),
            |r| {
                assert_eq!(r.qsubs.len(), 1);
                assert_eq!(r.qsubs[0].len(), 100);
                for q in &r.qsubs[0] {
                    assert_eq!(q.queue(), Some(&b"bar"[..]));
                }
            },
        );
        run_race_on_remove(
            s,
            || new_sub("foo"),
            |r| {
                assert_eq!(r.psubs.len(), 100);
                for p in &r.psubs {
                    assert_eq!(p.subject(), b"foo");
                }
            },
        );
    }
}

// go: server/TestSublistRaceOnInsert
// go: server/TestSublistRaceOnInsertNoCache
#[test]
fn race_on_insert() {
    for (_, s) in both() {
        let s = Arc::new(s);
        let total = 100;
        for plain in [false, true] {
            let subs: Vec<Sub> = (0..total)
                .map(|_| {
                    if plain {
                        new_sub("foo")
                    } else {
                        new_qsub("foo", "bar")
                    }
                })
                .collect();
            let inserter = {
                let s = Arc::clone(&s);
                thread::spawn(move || {
                    for x in &subs {
                        ins(&s, x).unwrap();
                    }
                })
            };
            for _ in 0..1000 {
                let r = s.match_subject(b"foo");
                for q in r.qsubs.iter().flatten() {
                    assert_eq!(q.queue(), Some(&b"bar"[..]));
                }
                for p in &r.psubs {
                    assert_eq!(p.subject(), b"foo");
                }
                assert!(r.qsubs.len() <= 1);
            }
            inserter.join().unwrap();
        }
        let r = s.match_subject(b"foo");
        assert_eq!(r.psubs.len(), total);
        assert_eq!(r.qsubs[0].len(), total);
        assert_eq!(s.count(), 2 * total as u32);
    }
}

// go: server/TestSublistRaceOnMatch
#[test]
fn race_on_match() {
    let s = Arc::new(Sublist::new_no_cache());
    ins(&s, &new_qsub("foo.*", "workers")).unwrap();
    ins(&s, &new_qsub("foo.bar", "workers")).unwrap();
    ins(&s, &new_sub("foo.*")).unwrap();
    ins(&s, &new_sub("foo.bar")).unwrap();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let s = Arc::clone(&s);
            thread::spawn(move || {
                for _ in 0..10 {
                    let r = s.match_subject(b"foo.bar");
                    assert_eq!(r.psubs.len(), 2);
                    for p in &r.psubs {
                        assert!(p.subject().starts_with(b"foo."));
                    }
                    assert_eq!(r.qsubs.len(), 1);
                    assert_eq!(r.qsubs[0].len(), 2);
                    for q in &r.qsubs[0] {
                        assert_eq!(q.queue(), Some(&b"workers"[..]));
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

/// Several writers insert and remove on overlapping literal and wildcard subjects while
/// readers match; afterwards every cached answer must equal a fresh walk of the tree.
#[test]
fn concurrent_writers_keep_the_cache_consistent() {
    const WRITERS: usize = 3;
    const PER_WRITER: usize = 150;
    let patterns = ["foo.0", "foo.1", "foo.2", "foo.*", "foo.>", "*.1", ">"];
    let s = Arc::new(Sublist::new());
    let mut handles = Vec::new();
    for w in 0..WRITERS {
        let s = Arc::clone(&s);
        handles.push(thread::spawn(move || {
            let mut kept = Vec::new();
            for i in 0..PER_WRITER {
                let subj = patterns[(i + w) % patterns.len()];
                let sub = if i % 4 == 0 {
                    new_qsub(subj, "g")
                } else {
                    new_sub(subj)
                };
                ins(&s, &sub).unwrap();
                if i % 2 == 0 {
                    rem(&s, &sub).unwrap();
                } else {
                    kept.push(sub);
                }
            }
            kept
        }));
    }
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let s = Arc::clone(&s);
            thread::spawn(move || {
                for i in 0..2000 {
                    let subj = format!("foo.{}", i % 4);
                    let r = s.match_subject(subj.as_bytes());
                    assert!(r.qsubs.len() <= 1);
                    s.has_interest(subj.as_bytes());
                }
            })
        })
        .collect();
    let mut kept = Vec::new();
    for h in handles {
        kept.extend(h.join().unwrap());
    }
    for r in readers {
        r.join().unwrap();
    }
    assert_eq!(s.count() as usize, kept.len());

    let fresh = Sublist::new_no_cache();
    for x in &kept {
        ins(&fresh, x).unwrap();
    }
    for subj in ["foo.0", "foo.1", "foo.2", "foo.3", "bar.1", "foo.1.x"] {
        let mut a = s.match_subject(subj.as_bytes()).psubs.clone();
        let b = fresh.match_subject(subj.as_bytes());
        let mut b_p = b.psubs.clone();
        let key = |x: &Sub| Arc::as_ptr(&x.0) as usize;
        a.sort_by_key(key);
        b_p.sort_by_key(key);
        assert_eq!(a, b_p, "plain subscribers for {subj}");
        let qa: usize = s
            .match_subject(subj.as_bytes())
            .qsubs
            .iter()
            .map(Vec::len)
            .sum();
        let qb: usize = b.qsubs.iter().map(Vec::len).sum();
        assert_eq!(qa, qb, "queue members for {subj}");
    }
}
