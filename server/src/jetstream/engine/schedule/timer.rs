//! The scheduler of one stream: the schedules it tracks as messages are stored (Go's
//! `storeRawMsg` scheduling block), the task that fires due schedules (Go's `runMsgScheduling`)
//! and the rebuild from the stored messages at open and after a restore.
//!
//! Produced messages go through the stream's publish path as sourced messages, as Go's
//! `processJetStreamMsg(..., sourced=true)` does: they are not checked again, consumers see them
//! and republish applies.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::state::State;
use super::{
    due_messages, header_str, next_schedule, now_nanos, SCHEDULER, SCHEDULE_NEXT,
    SCHEDULE_NEXT_PURGE,
};
use crate::jetstream::api::{GoTime, StreamConfig};
use crate::jetstream::engine::Stream;
use crate::jetstream::store::header::slice_header;

/// A stream's schedules and the wake-up of its timer task.
#[derive(Default)]
pub struct Schedules {
    state: Mutex<State>,
    wake: tokio::sync::Notify,
    started: AtomicBool,
}

impl Schedules {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-arm the timer after a change; wake the task when the deadline moved earlier.
    fn reset(&self, st: &mut State) {
        if st.reset_timer(now_nanos()) {
            self.wake.notify_one();
        }
    }
}

/// Go's scheduling bookkeeping for a stored message: a schedule (re)places the one on its
/// subject, any other message not produced by a schedule ends it, and a produced message moves
/// its schedule to `Nats-Schedule-Next`.
fn track(st: &mut State, seq: u64, ts: i64, subject: &str, hdr: &[u8]) -> bool {
    let mut changed = false;
    match next_schedule(hdr, ts) {
        Ok(Some(next)) => {
            st.init(seq, subject, next.at);
            changed = true;
        }
        _ if header_str(SCHEDULER, hdr).unwrap_or_default().is_empty() => {
            st.remove_subject(subject)
        }
        _ => {}
    }
    let next = header_str(SCHEDULE_NEXT, hdr).unwrap_or_default();
    if !next.is_empty() && next != SCHEDULE_NEXT_PURGE {
        let scheduler = header_str(SCHEDULER, hdr).unwrap_or_default();
        if let Ok(t) = GoTime::parse_rfc3339(next) {
            if !scheduler.is_empty() {
                let at = t.unix_nanos().clamp(i64::MIN as i128, i64::MAX as i128) as i64;
                changed |= st.update(scheduler, at);
            }
        }
    }
    changed
}

/// After the publish path stored message `seq` (or skipped it, `None`): track schedules, and
/// when rollups and purges are allowed, let a `Nats-Schedule-Next: purge` remove the schedule
/// named in `Nats-Scheduler` (Go's `processJetStreamMsgWithRollup`).
pub fn stored(s: &Stream, cfg: &StreamConfig, at: Option<(u64, i64)>, subject: &str, hdr: &[u8]) {
    if let (Some((seq, ts)), true) = (at, cfg.allow_msg_schedules) {
        let mut st = s.schedules.lock();
        if track(&mut st, seq, ts, subject, hdr) {
            s.schedules.reset(&mut st);
        }
    }
    if cfg.allow_rollup
        && !cfg.deny_purge
        && slice_header(SCHEDULE_NEXT, hdr) == Some(SCHEDULE_NEXT_PURGE.as_bytes())
    {
        let scheduler = header_str(SCHEDULER, hdr).unwrap_or_default();
        if !scheduler.is_empty() {
            let _ = s.store().purge_ex(scheduler, 0, 0);
        }
    }
}

/// Rebuild the schedules from the stored messages, oldest first (open, restore).
pub fn recover(s: &Stream) {
    if !s.config().allow_msg_schedules {
        return;
    }
    let store = s.store().clone();
    let mut st = s.schedules.lock();
    rebuild(&mut st, &*store);
    s.schedules.reset(&mut st);
}

/// The schedules of the stored messages, as tracking them one by one as they were stored gives.
pub(super) fn rebuild(st: &mut State, store: &dyn crate::jetstream::store::StreamStore) {
    st.clear();
    let mut seq = store.fast_state().first_seq.max(1);
    while let Ok(sm) = store.load_next_msg(">", true, seq) {
        track(st, sm.seq, sm.ts, &sm.subject, &sm.hdr);
        seq = sm.seq + 1;
    }
}

/// Start scheduling on a stream that allows schedules (at open, and when an update allows
/// them): find the stored schedules and run the timer task while the stream lives.
pub fn start(s: &Arc<Stream>) {
    if !s.config().allow_msg_schedules || s.schedules.started.swap(true, Ordering::AcqRel) {
        return;
    }
    recover(s);
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(s);
    let sched = s.schedules.clone();
    rt.spawn(async move {
        loop {
            let now = now_nanos();
            let deadline = sched.lock().deadline;
            if deadline.is_some_and(|d| d <= now) {
                let Some(s) = weak.upgrade() else { return };
                if s.is_stopped() {
                    return;
                }
                run(&s);
                continue;
            }
            // Look in at least once a second whether the stream is still there.
            let wait = deadline.map_or(1_000_000_000, |d| (d - now).min(1_000_000_000));
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_nanos(wait.max(1) as u64)) => {}
                _ = sched.wake.notified() => {}
            }
            match weak.upgrade() {
                Some(s) if !s.is_stopped() => {}
                _ => return,
            }
        }
    });
}

/// One round of the timer: produce the due schedules' messages, then re-arm.
fn run(s: &Stream) {
    let store = s.store().clone();
    let fired = {
        let mut st = s.schedules.lock();
        st.running = true;
        due_messages(&mut st, &*store, now_nanos())
    };
    if !fired.is_empty() {
        let server = s.server();
        for f in &fired {
            let mut republish = Vec::new();
            let _ = s.process_msg(&f.subject, false, &f.hdr, &f.msg, 0, &mut republish, true);
            if let Some(server) = &server {
                for (subj, h, p) in republish {
                    s.account
                        .publish_internal(server, subj.as_bytes(), None, &h, &p);
                }
            }
        }
        if let Err(e) = s.write_out() {
            tracing::error!(
                "JetStream failed to store a msg on stream '{} > {}': {}",
                s.account.name,
                s.name,
                e
            );
        }
    }
    let mut st = s.schedules.lock();
    st.running = false;
    st.deadline = None;
    st.reset_timer(now_nanos());
}
