//! Queue group results: one slot per group name, weights for remote queue subscriptions.

use super::*;
use crate::sublist::SublistError;

fn slot_len(r: &SublistResult<Sub>, q: &str) -> usize {
    let i = r.queue_slot(q.as_bytes()).expect("queue slot");
    r.qsubs[i].len()
}

// go: server/TestSublistBasicQueueResults
// go: server/TestSublistBasicQueueResultsNoCache
#[test]
fn queue_groups_get_one_slot_each() {
    for (kind, s) in both() {
        let subject = "foo";
        let sub = new_sub(subject);
        let sub1 = new_qsub(subject, "bar");
        let sub2 = new_qsub(subject, "baz");

        ins(&s, &sub1).unwrap();
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 1, "{kind}");
        assert_eq!(r.qsubs[0].len(), 1, "{kind}");
        assert_eq!(r.qnames.len(), 1, "{kind}");
        verify_qmember(&r, &sub1);

        ins(&s, &sub2).unwrap();
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 2, "{kind}");
        assert_eq!(r.qsubs[0].len(), 1, "{kind}");
        assert_eq!(r.qsubs[1].len(), 1, "{kind}");
        verify_qmember(&r, &sub1);
        verify_qmember(&r, &sub2);

        ins(&s, &sub).unwrap();
        let r = s.match_subject(b"foo");
        assert_eq!(r.psubs.len(), 1, "{kind}");
        assert_eq!(r.qsubs.len(), 2, "{kind}");
        verify_qmember(&r, &sub1);
        verify_qmember(&r, &sub2);
        verify_member(&r.psubs, &sub);

        let sub3 = new_qsub(subject, "bar");
        let sub4 = new_qsub(subject, "baz");
        ins(&s, &sub3).unwrap();
        ins(&s, &sub4).unwrap();
        let r = s.match_subject(b"foo");
        assert_eq!(r.psubs.len(), 1, "{kind}");
        assert_eq!(r.qsubs.len(), 2, "{kind}");
        assert_eq!(r.qsubs[0].len(), 2, "{kind}");
        assert_eq!(r.qsubs[1].len(), 2, "{kind}");
        for x in [&sub1, &sub2, &sub3, &sub4] {
            verify_qmember(&r, x);
        }
        verify_member(&r.psubs, &sub);

        // Now removal.
        rem(&s, &sub).unwrap();
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 2, "{kind}");
        assert_eq!(r.qsubs[0].len(), 2, "{kind}");
        assert_eq!(r.qsubs[1].len(), 2, "{kind}");
        verify_qmember(&r, &sub1);
        verify_qmember(&r, &sub2);

        rem(&s, &sub1).unwrap();
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 2, "{kind}");
        assert_eq!(slot_len(&r, "bar"), 1, "{kind}");
        assert_eq!(slot_len(&r, "baz"), 2, "{kind}");
        verify_qmember(&r, &sub2);
        verify_qmember(&r, &sub3);
        verify_qmember(&r, &sub4);

        rem(&s, &sub3).unwrap(); // last of "bar"
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 1, "{kind}");
        assert_eq!(r.qsubs[0].len(), 2, "{kind}");
        assert_eq!(&*r.qnames[0], b"baz", "{kind}");
        verify_qmember(&r, &sub2);

        rem(&s, &sub2).unwrap();
        rem(&s, &sub4).unwrap();
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert!(r.qsubs.is_empty(), "{kind}");
    }
}

#[test]
fn same_group_on_different_subjects_shares_a_slot() {
    for (kind, s) in both() {
        let a = new_qsub("foo.bar", "workers");
        let b = new_qsub("foo.*", "workers");
        let c = new_qsub("foo.>", "others");
        for x in [&a, &b, &c] {
            ins(&s, x).unwrap();
        }
        let r = s.match_subject(b"foo.bar");
        assert_eq!(r.qsubs.len(), 2, "{kind}");
        assert_eq!(slot_len(&r, "workers"), 2, "{kind}");
        assert_eq!(slot_len(&r, "others"), 1, "{kind}");
        // The same again after a cached result is patched by an insert.
        let d = new_qsub("*.bar", "workers");
        ins(&s, &d).unwrap();
        let r = s.match_subject(b"foo.bar");
        assert_eq!(slot_len(&r, "workers"), 3, "{kind}");
        verify_qmember(&r, &d);
    }
}

// go: server/TestSublistRemoteQueueSubscriptions
// go: server/TestSublistRemoteQueueSubscriptionsNoCache
#[test]
fn weighted_queue_members_are_shadowed_in_results() {
    for (kind, s) in both() {
        let s1 = new_qsub("foo", "bar");
        let s2 = new_qsub("foo", "bar");
        ins(&s, &s1).unwrap();
        ins(&s, &s2).unwrap();

        // Remote queue subscriptions, each standing for ten subscribers.
        let rs1 = new_qsub("foo", "bar");
        let rs2 = new_qsub("foo", "bar");
        s.insert_weighted(b"foo", Some(b"bar"), rs1.clone(), 10)
            .unwrap();
        s.insert_weighted(b"foo", Some(b"bar"), rs2.clone(), 10)
            .unwrap();

        // Shadowed in results only: four stored items.
        assert_eq!(s.count(), 4, "{kind}");
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 1, "{kind}");
        assert_eq!(r.qsubs[0].len(), 22, "{kind}");

        rem(&s, &s1).unwrap();
        rem(&s, &rs1).unwrap();
        assert_eq!(s.count(), 2, "{kind}");
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 1, "{kind}");
        assert_eq!(r.qsubs[0].len(), 11, "{kind}");

        // A new weight shows at once, cached or not.
        let gen = s.genid();
        s.update_queue_weight(b"foo", b"bar", &rs2, 1).unwrap();
        assert!(s.genid() > gen, "{kind}");
        let r = s.match_subject(b"foo");
        assert!(r.psubs.is_empty(), "{kind}");
        assert_eq!(r.qsubs.len(), 1, "{kind}");
        assert_eq!(r.qsubs[0].len(), 2, "{kind}");

        assert_eq!(
            s.update_queue_weight(b"foo", b"bar", &s1, 3),
            Err(SublistError::NotFound),
            "{kind}"
        );
    }
}

#[test]
fn weighted_insert_patches_cached_results_with_its_weight() {
    let s = Sublist::new();
    let local = new_qsub("foo", "bar");
    ins(&s, &local).unwrap();
    assert_eq!(s.match_subject(b"foo").qsubs[0].len(), 1);
    let remote = new_qsub("foo", "bar");
    s.insert_weighted(b"foo", Some(b"bar"), remote, 5).unwrap();
    assert_eq!(s.match_subject(b"foo").qsubs[0].len(), 6);
}
