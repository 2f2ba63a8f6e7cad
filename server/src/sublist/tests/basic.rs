//! Insert, match and remove: plain subjects, wildcards, pruning, invalid subjects, batches.

use super::*;
use crate::sublist::SublistError;

// go: server/TestSublistInit
#[test]
fn new_sublist_is_empty() {
    let s: Sublist<Sub> = Sublist::new();
    assert_eq!(s.count(), 0);
    assert!(s.cache_enabled());
    assert!(!Sublist::<Sub>::new_no_cache().cache_enabled());
}

// go: server/TestSublistInsertCount
// go: server/TestSublistInsertCountNoCache
#[test]
fn insert_counts() {
    for (kind, s) in both() {
        for subj in ["foo", "bar", "foo.bar"] {
            ins(&s, &new_sub(subj)).unwrap();
        }
        assert_eq!(s.count(), 3, "{kind}");
    }
}

// go: server/TestSublistSimple
// go: server/TestSublistSimpleNoCache
#[test]
fn simple_match() {
    for (kind, s) in both() {
        let sub = new_sub("foo");
        ins(&s, &sub).unwrap();
        let r = s.match_subject(b"foo");
        assert_eq!(r.psubs.len(), 1, "{kind}");
        verify_member(&r.psubs, &sub);
    }
}

// go: server/TestSublistSimpleMultiTokens
// go: server/TestSublistSimpleMultiTokensNoCache
#[test]
fn simple_multi_token_match() {
    for (kind, s) in both() {
        let sub = new_sub("foo.bar.baz");
        ins(&s, &sub).unwrap();
        let r = s.match_subject(b"foo.bar.baz");
        assert_eq!(r.psubs.len(), 1, "{kind}");
        verify_member(&r.psubs, &sub);
    }
}

// go: server/TestSublistPartialWildcard
// go: server/TestSublistPartialWildcardNoCache
#[test]
fn partial_wildcard_in_the_middle() {
    for (kind, s) in both() {
        let lsub = new_sub("a.b.c");
        let psub = new_sub("a.*.c");
        ins(&s, &lsub).unwrap();
        ins(&s, &psub).unwrap();
        let r = s.match_subject(b"a.b.c");
        assert_eq!(r.psubs.len(), 2, "{kind}");
        verify_member(&r.psubs, &lsub);
        verify_member(&r.psubs, &psub);
    }
}

// go: server/TestSublistPartialWildcardAtEnd
// go: server/TestSublistPartialWildcardAtEndNoCache
#[test]
fn partial_wildcard_at_the_end() {
    for (kind, s) in both() {
        let lsub = new_sub("a.b.c");
        let psub = new_sub("a.b.*");
        ins(&s, &lsub).unwrap();
        ins(&s, &psub).unwrap();
        let r = s.match_subject(b"a.b.c");
        assert_eq!(r.psubs.len(), 2, "{kind}");
        verify_member(&r.psubs, &lsub);
        verify_member(&r.psubs, &psub);
    }
}

// go: server/TestSublistFullWildcard
// go: server/TestSublistFullWildcardNoCache
#[test]
fn full_wildcard() {
    for (kind, s) in both() {
        let lsub = new_sub("a.b.c");
        let fsub = new_sub("a.>");
        ins(&s, &lsub).unwrap();
        ins(&s, &fsub).unwrap();
        let r = s.match_subject(b"a.b.c");
        assert_eq!(r.psubs.len(), 2, "{kind}");
        verify_member(&r.psubs, &lsub);
        verify_member(&r.psubs, &fsub);

        // A `>` token in the matched subject is only compared with `>` subscriptions.
        let r = s.match_subject(b"a.>");
        assert_eq!(r.psubs, vec![fsub.clone()], "{kind}");
    }
}

#[test]
fn full_wildcard_needs_at_least_one_token() {
    for (kind, s) in both() {
        let fsub = new_sub("a.>");
        let all = new_sub(">");
        ins(&s, &fsub).unwrap();
        ins(&s, &all).unwrap();
        assert_eq!(s.match_subject(b"a").psubs, vec![all.clone()], "{kind}");
        assert_eq!(s.match_subject(b"a.b.c.d.e").psubs.len(), 2, "{kind}");
        assert_eq!(s.match_subject(b"b.c").psubs, vec![all.clone()], "{kind}");
    }
}

// go: server/TestSublistRemove
// go: server/TestSublistRemoveNoCache
#[test]
fn remove() {
    for (kind, s) in both() {
        let sub = new_sub("a.b.c.d");
        ins(&s, &sub).unwrap();
        assert_eq!(s.count(), 1, "{kind}");
        assert_eq!(s.match_subject(b"a.b.c.d").psubs.len(), 1, "{kind}");
        assert_eq!(rem(&s, &new_sub("a.b.c")), Err(SublistError::NotFound));
        assert_eq!(s.count(), 1, "{kind}");
        rem(&s, &sub).unwrap();
        assert_eq!(s.count(), 0, "{kind}");
        assert!(s.match_subject(b"a.b.c.d").psubs.is_empty(), "{kind}");
    }
}

#[test]
fn remove_compares_items_not_subjects() {
    for (kind, s) in both() {
        let sub = new_sub("foo");
        ins(&s, &sub).unwrap();
        let other = new_sub("foo");
        assert_eq!(rem(&s, &other), Err(SublistError::NotFound), "{kind}");
        // Right subject and item but the wrong queue is not a match either.
        assert_eq!(
            s.remove(b"foo", Some(b"q"), &sub),
            Err(SublistError::NotFound)
        );
        assert_eq!(s.count(), 1, "{kind}");
        assert_eq!(rem(&s, &sub), Ok(()));
        assert_eq!(rem(&s, &sub), Err(SublistError::NotFound), "{kind}");
    }
}

// go: server/TestSublistRemoveWildcard
// go: server/TestSublistRemoveWildcardNoCache
#[test]
fn remove_wildcards() {
    for (kind, s) in both() {
        let sub = new_sub("a.b.c.d");
        let psub = new_sub("a.b.*.d");
        let fsub = new_sub("a.b.>");
        for x in [&sub, &psub, &fsub] {
            ins(&s, x).unwrap();
        }
        assert_eq!(s.count(), 3, "{kind}");
        assert_eq!(s.match_subject(b"a.b.c.d").psubs.len(), 3, "{kind}");
        rem(&s, &sub).unwrap();
        assert_eq!(s.count(), 2, "{kind}");
        rem(&s, &fsub).unwrap();
        assert_eq!(s.count(), 1, "{kind}");
        rem(&s, &psub).unwrap();
        assert_eq!(s.count(), 0, "{kind}");
        assert!(s.match_subject(b"a.b.c.d").psubs.is_empty(), "{kind}");
    }
}

// go: server/TestSublistRemoveCleanup
// go: server/TestSublistRemoveCleanupNoCache
#[test]
fn remove_prunes_the_tree() {
    for (kind, s) in both() {
        let sub = new_sub("a.b.c.d.e.f");
        assert_eq!(s.num_levels(), 0, "{kind}");
        ins(&s, &sub).unwrap();
        assert_eq!(s.num_levels(), 6, "{kind}");
        rem(&s, &sub).unwrap();
        assert_eq!(s.num_levels(), 0, "{kind}");
    }
}

// go: server/TestSublistRemoveCleanupWildcards
// go: server/TestSublistRemoveCleanupWildcardsNoCache
#[test]
fn remove_prunes_wildcard_nodes() {
    for (kind, s) in both() {
        let sub = new_sub("a.b.*.d.e.>");
        assert_eq!(s.num_levels(), 0, "{kind}");
        ins(&s, &sub).unwrap();
        assert_eq!(s.num_levels(), 6, "{kind}");
        rem(&s, &sub).unwrap();
        assert_eq!(s.num_levels(), 0, "{kind}");
    }
}

#[test]
fn remove_keeps_shared_prefixes() {
    let s = Sublist::new();
    let deep = new_sub("a.b.c");
    let short = new_sub("a");
    ins(&s, &deep).unwrap();
    ins(&s, &short).unwrap();
    rem(&s, &deep).unwrap();
    assert_eq!(s.num_levels(), 1);
    assert_eq!(s.match_subject(b"a").psubs, vec![short]);
    assert!(s.match_subject(b"a.b.c").is_empty());
}

// Go's plistMin: above this many plain subscribers on one node Go switches to a list.
const PLIST_MIN: usize = 256;

// go: server/TestSublistRemoveWithLargeSubs
// go: server/TestSublistRemoveWithLargeSubsNoCache
#[test]
fn remove_from_a_large_node() {
    for (kind, s) in both() {
        for _ in 0..PLIST_MIN * 2 {
            ins(&s, &new_sub("foo")).unwrap();
        }
        let r = s.match_subject(b"foo");
        assert_eq!(r.psubs.len(), PLIST_MIN * 2, "{kind}");
        // One in the middle, the first and the last.
        rem(&s, &r.psubs[PLIST_MIN]).unwrap();
        rem(&s, &r.psubs[0]).unwrap();
        rem(&s, &r.psubs[r.psubs.len() - 1]).unwrap();
        let r2 = s.match_subject(b"foo");
        assert_eq!(r2.psubs.len(), PLIST_MIN * 2 - 3, "{kind}");
        for gone in [
            &r.psubs[PLIST_MIN],
            &r.psubs[0],
            &r.psubs[r.psubs.len() - 1],
        ] {
            assert!(!r2.psubs.contains(gone), "{kind}");
        }
    }
}

// go: server/TestSublistInvalidSubjectsInsert
// go: server/TestSublistInvalidSubjectsInsertNoCache
#[test]
fn insert_rejects_invalid_subjects() {
    for (kind, s) in both() {
        // Empty tokens anywhere, and `>` that is not the last token.
        for bad in [
            ".foo",
            "foo.",
            "foo..bar",
            "foo.bar..baz",
            "foo.>.bar",
            "",
            ".",
        ] {
            assert_eq!(
                ins(&s, &new_sub(bad)),
                Err(SublistError::InvalidSubject),
                "{kind}: {bad:?}"
            );
        }
        assert_eq!(s.count(), 0, "{kind}");
        assert_eq!(s.num_levels(), 0, "{kind}: a failed insert leaves no nodes");
    }
}

#[test]
fn insert_accepts_what_the_sublist_allows() {
    // The sublist checks only token shape; whitespace is the protocol layer's concern.
    let s = Sublist::new();
    for ok in ["*", ">", "foo.*.>", "*.*", "foo bar", "foo*.>"] {
        assert_eq!(ins(&s, &new_sub(ok)), Ok(()), "{ok:?}");
    }
    assert_eq!(s.count(), 6);
}

// go: server/TestSublistBadSubjectOnRemove
// go: server/TestSublistBadSubjectOnRemoveNoCache
#[test]
fn remove_rejects_invalid_subjects() {
    for (kind, s) in both() {
        let bad = new_sub("a.b..d");
        assert_eq!(ins(&s, &bad), Err(SublistError::InvalidSubject), "{kind}");
        assert_eq!(rem(&s, &bad), Err(SublistError::InvalidSubject), "{kind}");
        assert_eq!(
            rem(&s, &new_sub("a.>.b")),
            Err(SublistError::InvalidSubject),
            "{kind}"
        );
    }
}

// go: server/TestSublistTwoTokenPubMatchSingleTokenSub
// go: server/TestSublistTwoTokenPubMatchSingleTokenSubNoCache
#[test]
fn two_token_publish_does_not_match_one_token_sub() {
    for (kind, s) in both() {
        let sub = new_sub("foo");
        ins(&s, &sub).unwrap();
        assert_eq!(s.match_subject(b"foo").psubs, vec![sub.clone()], "{kind}");
        assert!(s.match_subject(b"foo.bar").psubs.is_empty(), "{kind}");
    }
}

// go: server/TestSublistInsertWithWildcardsAsLiterals
// go: server/TestSublistInsertWithWildcardsAsLiteralsNoCache
#[test]
fn wildcard_chars_inside_tokens_are_literals_on_insert() {
    for (kind, s) in both() {
        for subj in ["foo.*-", "foo.>-"] {
            ins(&s, &new_sub(subj)).unwrap();
            assert!(
                s.match_subject(b"foo.bar").psubs.is_empty(),
                "{kind}: {subj}"
            );
            assert_eq!(
                s.match_subject(subj.as_bytes()).psubs.len(),
                1,
                "{kind}: {subj}"
            );
        }
    }
}

// go: server/TestSublistRemoveWithWildcardsAsLiterals
// go: server/TestSublistRemoveWithWildcardsAsLiteralsNoCache
#[test]
fn wildcard_chars_inside_tokens_are_literals_on_remove() {
    for (kind, s) in both() {
        for subj in ["foo.*-", "foo.>-"] {
            let sub = new_sub(subj);
            ins(&s, &sub).unwrap();
            assert_eq!(rem(&s, &new_sub("foo.bar")), Err(SublistError::NotFound));
            assert_eq!(s.count(), 1, "{kind}: {subj}");
            rem(&s, &sub).unwrap();
            assert_eq!(s.count(), 0, "{kind}: {subj}");
        }
    }
}

// go: server/TestSublistMatchWithEmptyTokens
#[test]
fn subjects_with_empty_tokens_match_nothing() {
    for (kind, s) in both() {
        ins(&s, &new_sub(">")).unwrap();
        ins(&s, &new_qsub(">", "queue")).unwrap();
        for subj in [
            ".foo",
            "..foo",
            "foo..",
            "foo.",
            "foo..bar",
            "foo...bar",
            "",
        ] {
            let r = s.match_subject(subj.as_bytes());
            assert!(r.psubs.is_empty(), "{kind}: {subj:?}");
            assert!(r.qsubs.is_empty(), "{kind}: {subj:?}");
        }
        // Not cached either.
        assert_eq!(s.cache_count(), 0, "{kind}");
    }
}

// go: server/TestSublistNoCacheRemoveBatch
#[test]
fn remove_batch_does_not_turn_the_cache_on() {
    let s = Sublist::new_no_cache();
    ins(&s, &new_sub("foo")).unwrap();
    let sub = new_sub("bar");
    ins(&s, &sub).unwrap();
    s.remove_batch([(sub.subject(), sub.queue(), &sub)])
        .unwrap();
    for _ in 0..10 {
        s.match_subject(b"foo");
    }
    assert!(!s.cache_enabled());
    assert_eq!(s.cache_count(), 0);
}

// go: server/TestSublistRemoveBatchWithError
#[test]
fn remove_batch_removes_all_it_can_and_reports_the_first_error() {
    let s = Sublist::new_no_cache();
    let (sub1, sub2, sub3) = (new_sub("foo"), new_sub("bar"), new_sub("baz"));
    for x in [&sub1, &sub2, &sub3] {
        ins(&s, x).unwrap();
    }
    let absent = new_sub("not.inserted");
    let batch = [&absent, &sub1, &sub3];
    let err = s.remove_batch(batch.iter().map(|x| (x.subject(), x.queue(), *x)));
    assert_eq!(err, Err(SublistError::NotFound));
    assert_eq!(s.count(), 1);
    assert_eq!(s.match_subject(b"bar").psubs, vec![sub2]);
    assert!(s.match_subject(b"foo").psubs.is_empty());
    assert!(s.match_subject(b"baz").psubs.is_empty());
}

#[test]
fn remove_batch_with_cache_starts_a_fresh_cache() {
    let s = Sublist::new();
    let a = new_sub("a");
    let b = new_sub("b");
    ins(&s, &a).unwrap();
    ins(&s, &b).unwrap();
    s.match_subject(b"a");
    s.match_subject(b"b");
    assert_eq!(s.cache_count(), 2);
    let gen = s.genid();
    s.remove_batch([(a.subject(), a.queue(), &a)]).unwrap();
    assert!(s.cache_enabled());
    assert_eq!(s.cache_count(), 0);
    assert_eq!(s.genid(), gen + 1, "one bump per batch");
    assert!(s.match_subject(b"a").is_empty());
    assert_eq!(s.match_subject(b"b").psubs, vec![b]);
    // An empty batch changes nothing.
    s.remove_batch(std::iter::empty()).unwrap();
    assert_eq!(s.genid(), gen + 1);
}

// go: server/TestSublistAll
#[test]
fn all_returns_every_item() {
    let s = Sublist::new_no_cache();
    let subs = [
        new_sub("foo.bar.baz"),
        new_sub("foo"),
        new_sub("baz"),
        new_qsub("foo.*", "q"),
        new_sub(">"),
    ];
    for x in &subs {
        ins(&s, x).unwrap();
    }
    let mut out = Vec::new();
    s.all(&mut out);
    assert_eq!(out.len(), subs.len());
    for x in &subs {
        verify_member(&out, x);
    }
}

#[test]
fn genid_moves_on_every_change() {
    let s = Sublist::new();
    let sub = new_sub("foo");
    let g0 = s.genid();
    ins(&s, &sub).unwrap();
    assert_eq!(s.genid(), g0 + 1);
    s.match_subject(b"foo");
    assert_eq!(s.genid(), g0 + 1, "a match is not a change");
    assert!(ins(&s, &new_sub("foo..")).is_err());
    assert_eq!(s.genid(), g0 + 1, "a failed insert is not a change");
    rem(&s, &sub).unwrap();
    assert_eq!(s.genid(), g0 + 2);
    assert!(rem(&s, &sub).is_err());
    assert_eq!(s.genid(), g0 + 2, "a failed remove is not a change");
}

#[test]
fn errors_read_as_go() {
    assert_eq!(
        SublistError::InvalidSubject.to_string(),
        "sublist: invalid subject"
    );
    assert_eq!(
        SublistError::NotFound.to_string(),
        "sublist: no matches found"
    );
    assert_eq!(
        SublistError::AlreadyRegistered.to_string(),
        "sublist: notification already registered"
    );
}

#[test]
fn long_subjects_match_without_token_limit() {
    // More tokens than any fixed token buffer would hold.
    let lit: Vec<String> = (0..100).map(|i| format!("t{i}")).collect();
    let literal = lit.join(".");
    let mut wild = lit.clone();
    wild[50] = "*".into();
    wild.truncate(99);
    wild.push(">".into());
    let wildcard = wild.join(".");
    for (kind, s) in both() {
        let a = new_sub(&literal);
        let b = new_sub(&wildcard);
        ins(&s, &a).unwrap();
        ins(&s, &b).unwrap();
        let r = s.match_subject(literal.as_bytes());
        assert_eq!(r.psubs.len(), 2, "{kind}");
        assert_eq!(s.num_levels(), 100, "{kind}");
    }
}

#[test]
fn sublist_is_shareable_across_threads() {
    fn assert_send_sync<X: Send + Sync>() {}
    assert_send_sync::<Sublist<Sub>>();
    assert_send_sync::<Arc<SublistResult<Sub>>>();
}
