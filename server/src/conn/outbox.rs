//! The outbound buffer of one connection. Producers (any task) append whole protocol frames under a short lock;
//! the connection's single writer drains it. Pending bytes (buffered plus in flight) are bounded by `max_pending`:
//! crossing it marks the connection a slow consumer, as Go's `queueOutbound` does. Above 3/4 of the bound,
//! producers are asked to stall briefly (Go's "fast producer stall") until the writer drains.

use std::sync::Mutex;

use bytes::BytesMut;
use tokio::sync::Notify;

/// Result of queueing bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    /// Queued. `wake` is true when the buffer was empty, so the writer needs a nudge.
    /// `stall` is true when pending bytes are above 3/4 of max_pending.
    Ok { wake: bool, stall: bool },
    /// Over max_pending: the connection must be closed as a slow consumer.
    SlowConsumer,
    /// The connection is closed; nothing was queued.
    Closed,
}

struct State {
    buf: BytesMut,
    /// Bytes taken by the writer and not yet written.
    inflight: usize,
    closed: bool,
    /// Set once the writer must stop without flushing (slow consumer, write error).
    abort: bool,
}

pub struct Outbox {
    state: Mutex<State>,
    wake: Notify,
    drained: Notify,
    aborted: Notify,
    max_pending: usize,
}

impl Outbox {
    pub fn new(max_pending: i64) -> Self {
        let max_pending = if max_pending <= 0 {
            usize::MAX
        } else {
            max_pending as usize
        };
        Outbox {
            state: Mutex::new(State {
                buf: BytesMut::new(),
                inflight: 0,
                closed: false,
                abort: false,
            }),
            wake: Notify::new(),
            drained: Notify::new(),
            aborted: Notify::new(),
            max_pending,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the buffer half-written in a way that matters more than
        // losing the connection, so recover the guard instead of propagating poison.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Append bytes produced by `fill`, which must write exactly one or more whole frames.
    pub fn queue_with(&self, fill: impl FnOnce(&mut BytesMut)) -> Queued {
        let mut st = self.lock();
        if st.closed {
            return Queued::Closed;
        }
        let was_empty = st.buf.is_empty();
        let before = st.buf.len();
        fill(&mut st.buf);
        let pending = st.buf.len() + st.inflight;
        if pending > self.max_pending {
            st.buf.truncate(before);
            return Queued::SlowConsumer;
        }
        Queued::Ok {
            wake: was_empty,
            stall: pending > self.max_pending / 4 * 3,
        }
    }

    /// Append raw bytes.
    pub fn queue(&self, data: &[u8]) -> Queued {
        self.queue_with(|b| b.extend_from_slice(data))
    }

    /// The slow-consumer bound, as configured.
    pub fn max_pending(&self) -> usize {
        self.max_pending
    }

    /// Wake the writer.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Bytes waiting to be written (buffered and in flight).
    pub fn pending(&self) -> usize {
        let st = self.lock();
        st.buf.len() + st.inflight
    }

    /// Stop accepting bytes. With `flush`, the writer writes what is queued (a final `-ERR`) before closing;
    /// without it, the writer stops at once. Returns false if it was already closed.
    pub fn close(&self, flush: bool) -> bool {
        let mut st = self.lock();
        let first = !st.closed;
        st.closed = true;
        if !flush {
            st.abort = true;
            st.buf.clear();
        }
        drop(st);
        if !flush {
            // Interrupt a write blocked on a peer that does not read.
            self.aborted.notify_one();
        }
        self.wake.notify_one();
        self.drained.notify_waiters();
        first
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Wait until the writer drained below the stall threshold (or the connection closed).
    pub async fn wait_drained(&self) {
        let notified = self.drained.notified();
        {
            let st = self.lock();
            if st.closed || st.buf.len() + st.inflight <= self.max_pending / 4 * 3 {
                return;
            }
        }
        notified.await;
    }

    /// Writer side: take everything queued, swapping in `spare`. `None` means: closed and nothing left to write.
    pub(crate) async fn take(&self, spare: &mut BytesMut) -> Option<BytesMut> {
        loop {
            {
                let mut st = self.lock();
                if st.abort {
                    return None;
                }
                if !st.buf.is_empty() {
                    st.inflight = st.buf.len();
                    let out = std::mem::replace(&mut st.buf, std::mem::take(spare));
                    return Some(out);
                }
                if st.closed {
                    return None;
                }
            }
            self.wake.notified().await;
        }
    }

    /// Writer side: resolves when the connection is closed without flushing.
    pub(crate) async fn aborted(&self) {
        loop {
            let n = self.aborted.notified();
            if self.lock().abort {
                return;
            }
            n.await;
        }
    }

    /// Writer side: the chunk taken last is written.
    pub(crate) fn written(&self) {
        let mut st = self.lock();
        st.inflight = 0;
        drop(st);
        self.drained.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_max_pending_is_a_slow_consumer_and_queues_nothing() {
        let ob = Outbox::new(10);
        assert_eq!(
            ob.queue(b"12345"),
            Queued::Ok {
                wake: true,
                stall: false
            }
        );
        assert_eq!(
            ob.queue(b"123"),
            Queued::Ok {
                wake: false,
                stall: true
            }
        );
        assert_eq!(ob.queue(b"123"), Queued::SlowConsumer);
        assert_eq!(ob.pending(), 8);
    }

    #[test]
    fn closed_outbox_refuses_bytes() {
        let ob = Outbox::new(0);
        assert!(ob.close(true));
        assert!(!ob.close(true));
        assert_eq!(ob.queue(b"x"), Queued::Closed);
    }
}
