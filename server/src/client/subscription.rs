//! A subscription: who (the client handle), on what subject and queue, with which sid, and the
//! auto-unsubscribe counters. `SubRef` gives subscriptions pointer identity inside the subject index.
//! Two special kinds live beside client subscriptions: shadow subscriptions, placed in an exporting
//! account for a stream import (Go's `sub.im`), and internal subscriptions whose messages go to a
//! handler instead of an outbox (Go's `sub.icb`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::ClientHandle;
use crate::accounts::imports::StreamImportRt;
use crate::accounts::MsgHandler;
use crate::sublist::Sublist;

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
    /// A shadow subscription: messages are renamed into the importing account's subjects.
    pub import: Option<Arc<StreamImportRt>>,
    /// An internal subscription: messages go to this handler.
    pub handler: Option<Arc<dyn MsgHandler>>,
    /// The shadow subscriptions this one owns in exporting accounts' subject indexes.
    pub shadows: Mutex<Vec<(Arc<Sublist<SubRef>>, SubRef)>>,
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
            import: None,
            handler: None,
            shadows: Mutex::new(Vec::new()),
        }
    }

    /// A shadow of `parent` on `subject` in an exporting account, for `import`.
    pub fn shadow(parent: &Subscription, subject: &[u8], import: Arc<StreamImportRt>) -> Self {
        let mut s = Subscription::new(
            parent.client.clone(),
            subject,
            parent.queue.as_deref(),
            &parent.sid,
        );
        s.import = Some(import);
        // A shadow of an internal subscription runs its handler (sourcing from another account).
        s.handler = parent.handler.clone();
        s
    }

    /// An internal subscription of an account's internal client.
    pub fn internal(
        client: Arc<ClientHandle>,
        subject: &[u8],
        sid: &[u8],
        handler: Arc<dyn MsgHandler>,
    ) -> Self {
        let mut s = Subscription::new(client, subject, None, sid);
        s.handler = Some(handler);
        s
    }

    /// Remove the shadow subscriptions from the exporting accounts.
    pub fn remove_shadows(&self) {
        let shadows = match self.shadows.lock() {
            Ok(mut s) => std::mem::take(&mut *s),
            Err(_) => return,
        };
        for (sl, sh) in shadows {
            sh.close();
            let _ = sl.remove(&sh.subject, sh.queue.as_deref(), &sh);
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
