//! Interest notifications on exact literal subjects.

use std::sync::mpsc::{sync_channel, Receiver, TryRecvError};
use std::sync::Arc;

use super::*;
use crate::sublist::{InterestNotify, SublistError};

/// A one-slot channel fed without blocking, like the buffered Go channel the Go test uses:
/// when the slot is full, further notifications are dropped.
struct Chan {
    rx: Receiver<bool>,
    notify: InterestNotify,
}

fn chan() -> Chan {
    let (tx, rx) = sync_channel(1);
    let notify: InterestNotify = Arc::new(move |b| {
        let _ = tx.try_send(b);
    });
    Chan { rx, notify }
}

impl Chan {
    #[track_caller]
    fn expect(&self, want: bool) {
        assert_eq!(self.rx.try_recv(), Ok(want));
    }

    #[track_caller]
    fn expect_none(&self) {
        assert_eq!(self.rx.try_recv(), Err(TryRecvError::Empty));
    }

    /// Exactly one queued notification, and it is `want`.
    #[track_caller]
    fn expect_one(&self, want: bool) {
        self.expect(want);
        self.expect_none();
    }
}

// go: server/TestSublistRegisterInterestNotification
#[test]
fn interest_notifications() {
    let s = Sublist::new();
    let ch = chan();
    let n = || Arc::clone(&ch.notify);

    // Only literal subjects can be watched. (A nil channel, Go's other error, cannot be
    // expressed here.)
    assert_eq!(
        s.register_notification(b"foo.*", n()),
        Err(SublistError::InvalidSubject)
    );
    assert_eq!(
        s.register_notification(b">", n()),
        Err(SublistError::InvalidSubject)
    );

    // Clearing what is not there.
    assert!(!s.clear_notification(b"foo", &ch.notify));

    s.register_notification(b"foo", n()).unwrap();
    ch.expect_one(false);
    assert_eq!(
        s.register_notification(b"foo", n()),
        Err(SublistError::AlreadyRegistered)
    );
    ch.expect_none();

    let sub = new_sub("foo");
    ins(&s, &sub).unwrap();
    ch.expect(true);
    let sub2 = new_sub("foo");
    ins(&s, &sub2).unwrap();
    ch.expect_none();

    s.register_notification(b"bar", n()).unwrap();
    ch.expect(false);

    let sub3 = new_sub("foo");
    ins(&s, &sub3).unwrap();
    ch.expect_none();

    // Removing literals: only the last one tells.
    rem(&s, &sub).unwrap();
    ch.expect_none();
    rem(&s, &sub2).unwrap();
    ch.expect_none();
    rem(&s, &sub3).unwrap();
    ch.expect(false);

    s.register_notification(b"test.node", n()).unwrap();
    ch.expect_one(false);

    let tn1 = new_sub("test.node.already.exist");
    ins(&s, &tn1).unwrap();
    ch.expect_none();
    let tn2 = new_sub("test.node");
    ins(&s, &tn2).unwrap();
    ch.expect(true);
    let tn3 = new_sub("test.node");
    ins(&s, &tn3).unwrap();
    ch.expect_none();
    rem(&s, &tn1).unwrap();
    ch.expect_none();
    rem(&s, &tn2).unwrap();
    ch.expect_none();
    rem(&s, &tn3).unwrap();
    ch.expect(false);

    assert!(s.clear_notification(b"test.node", &ch.notify));

    let sub4 = new_sub("bar");
    ins(&s, &sub4).unwrap();
    ch.expect(true);

    assert!(s.clear_notification(b"bar", &ch.notify));
    assert!(s.has_notifications());
    assert!(s.clear_notification(b"foo", &ch.notify));
    assert!(!s.has_notifications(), "nothing left registered");

    // Wildcard subscriptions never notify.
    let subpwc = new_sub("*");
    ins(&s, &subpwc).unwrap();
    ch.expect_none();

    s.register_notification(b"foo", n()).unwrap();
    ch.expect(false);
    ins(&s, &sub).unwrap();
    ch.expect(true);
    rem(&s, &sub).unwrap();
    ch.expect(false);
    rem(&s, &subpwc).unwrap();
    ch.expect_none();

    let subfwc = new_sub(">");
    ins(&s, &subfwc).unwrap();
    ch.expect_none();
    ins(&s, &subpwc).unwrap();
    ch.expect_none();
    rem(&s, &subpwc).unwrap();
    ch.expect_none();
    rem(&s, &subfwc).unwrap();
    ch.expect_none();

    // Batch removal notifies too. `sub4` is still in (Go re-inserts it, a no-op on its
    // per-node set; here a second insert would store it twice).
    let subs = [&sub, &sub2, &sub3, &sub4, &subpwc, &subfwc];
    for x in subs.iter().filter(|x| ***x != sub4) {
        ins(&s, x).unwrap();
    }
    ch.expect(true);
    s.remove_batch(subs.iter().map(|x| (x.subject(), x.queue(), *x)))
        .unwrap();
    ch.expect_one(false);
    assert!(!s.has_interest(b"bar"));

    // Queue subscriptions do not count for a plain watcher...
    let qsub = new_qsub("foo.bar.baz", "1");
    ins(&s, &qsub).unwrap();
    ch.expect_none();
    s.register_notification(b"foo.bar.baz", n()).unwrap();
    ch.expect(false);
    let wcqsub = new_qsub("foo.bar.>", "1");
    ins(&s, &wcqsub).unwrap();
    ch.expect_none();
    rem(&s, &qsub).unwrap();
    ch.expect_none();
    rem(&s, &wcqsub).unwrap();
    ch.expect_none();
    ins(&s, &wcqsub).unwrap();
    ch.expect_none();

    // ...and a queue watcher sees only its own group on its exact subject.
    s.register_queue_notification(b"queue.test.node", b"q22", n())
        .unwrap();
    ch.expect_one(false);
    let qsub1 = new_qsub("queue.test.node.already.exist", "queue");
    ins(&s, &qsub1).unwrap();
    ch.expect_none();
    let qsub2 = new_qsub("queue.test.node", "q22");
    ins(&s, &qsub2).unwrap();
    ch.expect(true);
    let qsub3 = new_qsub("queue.test.node", "otherqueue");
    ins(&s, &qsub3).unwrap();
    ch.expect_none();
    let qsub4 = new_qsub("queue.different.node", "q22");
    ins(&s, &qsub4).unwrap();
    ch.expect_none();
    let qsub5 = new_qsub("queue.test.node", "q22");
    ins(&s, &qsub5).unwrap();
    ch.expect_none();
    for x in [&qsub3, &qsub1, &qsub2, &qsub4] {
        rem(&s, x).unwrap();
        ch.expect_none();
    }
    rem(&s, &qsub5).unwrap();
    ch.expect(false);

    assert!(s.clear_queue_notification(b"queue.test.node", b"q22", &ch.notify));

    s.register_queue_notification(b"some.subject", b"queue1", n())
        .unwrap();
    ch.expect_one(false);
    let qsub1 = new_qsub("some.subject", "queue1");
    ins(&s, &qsub1).unwrap();
    ch.expect(true);

    // A second watcher on another group of the same subject.
    let ch2 = chan();
    s.register_queue_notification(b"some.subject", b"queue2", Arc::clone(&ch2.notify))
        .unwrap();
    ch2.expect_one(false);
    let qsub2 = new_qsub("some.subject", "queue2");
    ins(&s, &qsub2).unwrap();
    ch2.expect(true);
    ch.expect_none();

    rem(&s, &qsub1).unwrap();
    ch.expect(false);
    rem(&s, &qsub2).unwrap();
    ch2.expect(false);

    assert!(s.clear_queue_notification(b"some.subject", b"queue1", &ch.notify));
    assert!(s.clear_queue_notification(b"some.subject", b"queue2", &ch2.notify));

    // Notifications never block: a full slot drops the later ones.
    s.register_notification(b"bar", n()).unwrap();
    s.register_notification(b"baz", n()).unwrap();
    ins(&s, &new_sub("baz")).unwrap();
    ins(&s, &new_sub("bar")).unwrap();
    ins(&s, &subpwc).unwrap();
    ch.expect_one(false);
}

#[test]
fn registering_sees_existing_interest() {
    let s = Sublist::new_no_cache();
    let sub = new_sub("foo");
    ins(&s, &sub).unwrap();
    let ch = chan();
    s.register_notification(b"foo", Arc::clone(&ch.notify))
        .unwrap();
    ch.expect(true);
    rem(&s, &sub).unwrap();
    ch.expect(false);
    ins(&s, &sub).unwrap();
    ch.expect(true);
}
