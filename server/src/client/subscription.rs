//! A subscription: who (the client handle), on what subject and queue, with which sid, and the
//! auto-unsubscribe counters. `SubRef` gives subscriptions pointer identity inside the subject index.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use super::ClientHandle;

pub struct Subscription {
    pub client: Arc<ClientHandle>,
    pub subject: Box<[u8]>,
    pub queue: Option<Box<[u8]>>,
    pub sid: Box<[u8]>,
    /// Messages delivered so far (Go's `nm`).
    pub delivered: AtomicU64,
    /// Auto-unsubscribe limit; 0 means none (Go's `max`).
    pub max: AtomicU64,
    closed: AtomicBool,
}

impl Subscription {
    pub fn new(
        client: Arc<ClientHandle>,
        subject: &[u8],
        queue: Option<&[u8]>,
        sid: &[u8],
    ) -> Self {
        Subscription {
            client,
            subject: subject.into(),
            queue: queue.map(Into::into),
            sid: sid.into(),
            delivered: AtomicU64::new(0),
            max: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        }
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Mark closed; returns true the first time.
    pub fn close(&self) -> bool {
        !self.closed.swap(true, Ordering::AcqRel)
    }
}

/// A subscription as stored in the subject index: equality is identity.
#[derive(Clone)]
pub struct SubRef(pub Arc<Subscription>);

impl PartialEq for SubRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SubRef {}

impl std::ops::Deref for SubRef {
    type Target = Subscription;
    fn deref(&self) -> &Subscription {
        &self.0
    }
}
