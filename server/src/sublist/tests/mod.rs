//! Tests of the subject index, most of them ports of Go's `server/sublist_test.go`.
//!
//! Items are `Sub` handles compared by pointer, as the server compares subscriptions; each
//! carries its subject and queue so the concurrency tests can check what they got back.
//! A Go test and its `NoCache` twin are claimed together by one test that runs both kinds.

mod basic;
mod cache;
mod concurrency;
mod interest;
mod model;
mod notify;
mod queues;
mod reverse;
mod subjects;

use std::sync::Arc;

use super::{Sublist, SublistResult};

#[derive(Debug)]
pub(super) struct SubData {
    pub subject: Vec<u8>,
    pub queue: Option<Vec<u8>>,
}

#[derive(Clone, Debug)]
pub(super) struct Sub(pub Arc<SubData>);

impl PartialEq for Sub {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Sub {
    pub fn subject(&self) -> &[u8] {
        &self.0.subject
    }

    pub fn queue(&self) -> Option<&[u8]> {
        self.0.queue.as_deref()
    }
}

pub(super) fn new_sub(subject: &str) -> Sub {
    Sub(Arc::new(SubData {
        subject: subject.as_bytes().to_vec(),
        queue: None,
    }))
}

/// A queue subscription; an empty queue name gives a plain one, as Go's `newQSub`.
pub(super) fn new_qsub(subject: &str, queue: &str) -> Sub {
    if queue.is_empty() {
        return new_sub(subject);
    }
    Sub(Arc::new(SubData {
        subject: subject.as_bytes().to_vec(),
        queue: Some(queue.as_bytes().to_vec()),
    }))
}

pub(super) fn ins(s: &Sublist<Sub>, sub: &Sub) -> Result<(), super::SublistError> {
    s.insert(sub.subject(), sub.queue(), sub.clone())
}

pub(super) fn rem(s: &Sublist<Sub>, sub: &Sub) -> Result<(), super::SublistError> {
    s.remove(sub.subject(), sub.queue(), sub)
}

/// One sublist with the match cache and one without: Go runs most tests on both.
pub(super) fn both() -> [(&'static str, Sublist<Sub>); 2] {
    [
        ("cache", Sublist::new()),
        ("no cache", Sublist::new_no_cache()),
    ]
}

#[track_caller]
pub(super) fn verify_member(list: &[Sub], sub: &Sub) {
    assert!(
        list.contains(sub),
        "subscription on {:?} (queue {:?}) not found in results",
        String::from_utf8_lossy(sub.subject()),
        sub.queue().map(String::from_utf8_lossy)
    );
}

/// The members of `sub`'s queue group in `r` contain `sub`.
#[track_caller]
pub(super) fn verify_qmember(r: &SublistResult<Sub>, sub: &Sub) {
    let q = sub.queue().expect("a queue subscription");
    let slot = r.queue_slot(q).expect("queue group present in results");
    verify_member(&r.qsubs[slot], sub);
}
