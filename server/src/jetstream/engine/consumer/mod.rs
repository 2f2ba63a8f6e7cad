//! A consumer: a cursor over a stream with delivery and ack state (Go's `consumer`, consumer.go).
//! Each consumer has one task that delivers (`deliver.rs`): push consumers to their deliver
//! subject while it has interest, pull consumers to waiting requests (`pull.rs`, served in
//! priority group order by `priority.rs`), paced by `pace.rs` (original replay, rate limit).
//! Acks and flow control replies arrive on internal subscriptions (`ack.rs`) and wake the task;
//! the events a consumer publishes are in `events.rs`.

mod ack;
pub mod check;
pub mod config;
mod deliver;
mod events;
mod pace;
pub mod persist;
pub mod priority;
mod pull;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use tokio::sync::Notify;

use super::Stream;
use crate::client::SubRef;
use crate::jetstream::api::consumer_config::{
    ConsumerConfig, ConsumerInfo, PriorityGroupState, SequenceInfo,
};
use crate::jetstream::api::enums::{AckPolicy, DeliverPolicy, ReplayPolicy};
use crate::jetstream::api::GoTime;
use crate::sublist::{is_subset_match, subject_has_wildcard};

pub use pull::WaitingRequest;

/// Go's `JsFlowControlMaxPending`: bytes a flow-controlled push consumer may have outstanding.
const FLOW_CONTROL_MAX_PENDING: i64 = 32 * 1024 * 1024;

/// One delivered, unacknowledged message (Go's `Pending`).
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// Consumer sequence of the first delivery.
    pub dseq: u64,
    /// When it was (last) delivered, Unix nanoseconds.
    pub ts: i64,
    /// When it is due for redelivery.
    pub deadline: Instant,
}

/// Delivery and ack state (Go's `o.sseq`, `o.dseq`, `o.adflr`, `o.asflr`, `o.pending`, `o.rdc`,
/// `o.rdq`).
pub struct State {
    /// Next stream sequence to look at.
    pub sseq: u64,
    /// Next consumer (delivery) sequence.
    pub dseq: u64,
    pub ack_floor_dseq: u64,
    pub ack_floor_sseq: u64,
    pub pending: BTreeMap<u64, Pending>,
    /// Delivery counts above one, by stream sequence.
    pub redelivered: HashMap<u64, u64>,
    /// Stream sequences due for redelivery, in order.
    pub rdq: VecDeque<u64>,
    /// Remaining stream sequences of a last-per-subject start, then where to resume.
    pub skip_list: Option<(VecDeque<u64>, u64)>,
    /// The last message taken came from the skip list (with its resume point), so a message
    /// held back goes back there.
    pub took_from_skip: Option<u64>,
    pub waiting: VecDeque<WaitingRequest>,
    /// Push: the deliver subject has interest.
    pub active: bool,
    /// Flow control: bytes delivered and not yet confirmed, the window, the outstanding request.
    pub pbytes: i64,
    pub maxpb: i64,
    pub fc_id: Option<String>,
    pub fc_size: i64,
    pub last_delivery: Option<GoTime>,
    pub last_ack: Option<GoTime>,
    /// When a push consumer last delivered or heartbeated, for idle heartbeats.
    pub last_sent: Instant,
    /// When interest or a request was last seen, for `inactive_threshold`.
    pub last_active: Instant,
    pub closed: bool,
    /// Messages that reached max_deliver in this round, for advisories sent after the lock.
    pub max_delivered: Vec<(u64, u64)>,
    /// Stream sequences this consumer no longer needs (ack none), for retention after the lock.
    pub done_with: Vec<u64>,
    /// The running count of messages still to deliver (None: take it from the store).
    pub npc: Option<i64>,
    /// Paused at start: the delivery task announces the resume when the time comes (Go's
    /// unpause timer, `updatePauseState`).
    pub resume_advisory: bool,
    /// The pinned client of a `pinned_client` consumer (Go's `currentPinId`, `pinnedTS`), when
    /// its pin lapses without requests, and the group it was pinned in.
    pub pin_id: String,
    pub pinned_ts: GoTime,
    pub pin_deadline: Option<Instant>,
    pub pin_group: String,
    /// Pin changes to announce after the lock.
    pub pin_events: Vec<priority::PinEvent>,
    /// Original-pace replay and the rate limit.
    pub pace: pace::Pace,
}

pub struct Consumer {
    pub name: String,
    pub stream: Weak<Stream>,
    pub stream_name: String,
    pub cfg: ConsumerConfig,
    pub created: GoTime,
    pub state: Mutex<State>,
    pub wake: Arc<Notify>,
    subs: Mutex<Vec<SubRef>>,
    /// `$JS.ACK.<stream>.<consumer>.` for building ack replies.
    ack_prefix: String,
    filters: Vec<String>,
    /// Messages stored since the delivery task last counted (Go's `npc` updates on new messages),
    /// and whether the count must be taken again from the store.
    npc_delta: std::sync::atomic::AtomicI64,
    npc_stale: std::sync::atomic::AtomicBool,
    /// Where a durable consumer of a file stream keeps its state.
    store_dir: Option<std::path::PathBuf>,
    /// The stream's key when it is encrypted: consumer files are sealed with it.
    store_key: Option<Arc<crate::jetstream::store::crypt::StreamKey>>,
    dirty: std::sync::atomic::AtomicBool,
    last_flush: Mutex<Instant>,
}

impl Consumer {
    /// Create a consumer on `stream` with a checked, defaulted config (Go's `addConsumer`), pick its
    /// starting sequence and start its delivery task.
    pub fn start(stream: &Arc<Stream>, name: String, cfg: ConsumerConfig) -> Arc<Consumer> {
        let c = Self::build(stream, name, cfg, GoTime::now());
        c.select_start();
        if let Some(dir) = &c.store_dir {
            let meta = persist::Meta {
                created: c.created,
                config: c.cfg.clone(),
            };
            if let Err(e) = persist::write_meta(dir, &meta, c.store_key.as_deref()) {
                tracing::error!(
                    "JetStream could not write consumer '{} > {}': {}",
                    c.stream_name,
                    c.name,
                    e
                );
            }
            c.dirty.store(true, std::sync::atomic::Ordering::Release);
        }
        ack::subscribe(&c, stream);
        deliver::spawn(&c);
        c
    }

    /// A durable consumer recovered from disk at start.
    pub fn restore(
        stream: &Arc<Stream>,
        name: String,
        cfg: ConsumerConfig,
        created: GoTime,
        saved: Option<persist::Saved>,
    ) -> Arc<Consumer> {
        let c = Self::build(stream, name, cfg, created);
        match saved {
            Some(saved) => {
                let wait = ack::ack_wait(&c);
                if let Ok(mut s) = c.state.lock() {
                    saved.restore_into(&mut s, wait);
                }
            }
            None => c.select_start(),
        }
        ack::subscribe(&c, stream);
        deliver::spawn(&c);
        c
    }

    /// Go's `updateConfig`: the consumer carries on from its state under the new config. Its
    /// delivery task, subscriptions and waiting requests move to the new instance.
    pub fn update(stream: &Arc<Stream>, old: &Arc<Consumer>, cfg: ConsumerConfig) -> Arc<Consumer> {
        let (saved, waiting, pin) = match old.state.lock() {
            Ok(mut s) => (
                persist::Saved::of(&s),
                std::mem::take(&mut s.waiting),
                (
                    std::mem::take(&mut s.pin_id),
                    s.pinned_ts,
                    s.pin_deadline,
                    std::mem::take(&mut s.pin_group),
                ),
            ),
            Err(_) => (
                persist::Saved::default(),
                Default::default(),
                Default::default(),
            ),
        };
        old.stop();
        let c = Self::build(stream, old.name.clone(), cfg, old.created);
        let wait = ack::ack_wait(&c);
        if let Ok(mut s) = c.state.lock() {
            saved.restore_into(&mut s, wait);
            s.waiting = waiting;
            (s.pin_id, s.pinned_ts, s.pin_deadline, s.pin_group) = pin;
        }
        if let Some(dir) = &c.store_dir {
            let meta = persist::Meta {
                created: c.created,
                config: c.cfg.clone(),
            };
            let _ = persist::write_meta(dir, &meta, c.store_key.as_deref());
            c.dirty.store(true, std::sync::atomic::Ordering::Release);
        }
        ack::subscribe(&c, stream);
        deliver::spawn(&c);
        c
    }

    fn build(
        stream: &Arc<Stream>,
        name: String,
        cfg: ConsumerConfig,
        created: GoTime,
    ) -> Arc<Consumer> {
        let mut filters: Vec<String> = cfg.filter_subjects.clone();
        if !cfg.filter_subject.is_empty() {
            filters.push(cfg.filter_subject.clone());
        }
        let now = Instant::now();
        let store_dir = match (&stream.dir, cfg.durable.is_empty() || cfg.memory_storage) {
            (Some(d), false) => Some(persist::dir(d, &name)),
            _ => None,
        };
        Arc::new(Consumer {
            store_dir,
            store_key: stream.key.clone(),
            npc_delta: std::sync::atomic::AtomicI64::new(0),
            npc_stale: std::sync::atomic::AtomicBool::new(true),
            dirty: std::sync::atomic::AtomicBool::new(false),
            last_flush: Mutex::new(now),
            ack_prefix: format!("$JS.ACK.{}.{}.", stream.name, name),
            name,
            stream: Arc::downgrade(stream),
            stream_name: stream.name.clone(),
            created,
            state: Mutex::new(State {
                sseq: 1,
                dseq: 1,
                ack_floor_dseq: 0,
                ack_floor_sseq: 0,
                pending: BTreeMap::new(),
                redelivered: HashMap::new(),
                rdq: VecDeque::new(),
                skip_list: None,
                took_from_skip: None,
                waiting: VecDeque::new(),
                active: false,
                pbytes: 0,
                maxpb: if cfg.flow_control {
                    FLOW_CONTROL_MAX_PENDING / 16
                } else {
                    0
                },
                fc_id: None,
                fc_size: 0,
                last_delivery: None,
                last_ack: None,
                last_sent: now,
                last_active: now,
                closed: false,
                max_delivered: Vec::new(),
                done_with: Vec::new(),
                npc: None,
                resume_advisory: cfg
                    .pause_until
                    .is_some_and(|t| super::consumer_ctl::remaining(&t) > 0),
                pin_id: String::new(),
                pinned_ts: GoTime::ZERO,
                pin_deadline: None,
                pin_group: String::new(),
                pin_events: Vec::new(),
                pace: pace::Pace::new(cfg.replay_policy == ReplayPolicy::Original),
            }),
            wake: Arc::new(Notify::new()),
            subs: Mutex::new(Vec::new()),
            filters,
            cfg,
        })
    }

    /// State changed: write it soon.
    pub fn mark_dirty(&self) {
        if self.store_dir.is_some() {
            self.dirty.store(true, std::sync::atomic::Ordering::Release);
        }
    }

    /// Write the state if it changed and `force` or the flush interval passed; otherwise when
    /// it should be written next.
    pub fn flush_state(&self, force: bool) -> Option<Instant> {
        let dir = self.store_dir.as_ref()?;
        if !self.dirty.load(std::sync::atomic::Ordering::Acquire) {
            return None;
        }
        let mut last = self.last_flush.lock().ok()?;
        let due = *last + persist::FLUSH_EVERY;
        if !force && Instant::now() < due {
            return Some(due);
        }
        self.dirty
            .store(false, std::sync::atomic::Ordering::Release);
        let saved = persist::Saved::of(&*self.state.lock().ok()?);
        if let Err(e) = persist::write_state(dir, &saved, self.store_key.as_deref()) {
            tracing::error!(
                "JetStream could not write consumer '{} > {}' state: {}",
                self.stream_name,
                self.name,
                e
            );
            self.dirty.store(true, std::sync::atomic::Ordering::Release);
        }
        *last = Instant::now();
        None
    }

    /// While paused (Go's `PauseUntil` ahead), when the pause ends.
    pub fn paused_until(&self) -> Option<Instant> {
        let left = super::consumer_ctl::remaining(&self.cfg.pause_until?);
        (left > 0).then(|| Instant::now() + std::time::Duration::from_nanos(left as u64))
    }

    pub fn is_push(&self) -> bool {
        !self.cfg.deliver_subject.is_empty()
    }

    pub fn is_durable(&self) -> bool {
        !self.cfg.durable.is_empty()
    }

    pub fn filters(&self) -> &[String] {
        &self.filters
    }

    /// Go's `isFilteredMatch`.
    pub fn matches(&self, subject: &str) -> bool {
        self.filters.is_empty()
            || self
                .filters
                .iter()
                .any(|f| f == subject || is_subset_match(subject.as_bytes(), f.as_bytes()))
    }

    /// Go's `selectStartingSeqNo`.
    fn select_start(&self) {
        let Some(stream) = self.stream.upgrade() else {
            return;
        };
        let store = stream.store();
        let st = store.fast_state();
        let cfg = &self.cfg;
        let Ok(mut s) = self.state.lock() else { return };
        let mut sseq = if cfg.opt_start_seq > 0 {
            cfg.opt_start_seq
        } else {
            match cfg.deliver_policy {
                DeliverPolicy::All => st.first_seq,
                DeliverPolicy::Last => {
                    if self.filters.is_empty() {
                        st.last_seq
                    } else {
                        self.filters
                            .iter()
                            .filter_map(|f| store.filtered_state(1, f).ok())
                            .map(|ss| ss.last)
                            .max()
                            .unwrap_or(0)
                    }
                }
                DeliverPolicy::LastPerSubject => {
                    if stream.config().max_msgs_per == 1 {
                        st.first_seq
                    } else {
                        let filters = if self.filters.is_empty() {
                            vec![">".to_string()]
                        } else {
                            self.filters.clone()
                        };
                        let seqs = store.multi_last_seqs(&filters, 0, 0).unwrap_or_default();
                        match seqs.first() {
                            Some(first) => {
                                let first = *first;
                                s.skip_list = Some((seqs.into_iter().collect(), st.last_seq));
                                first
                            }
                            None => st.last_seq,
                        }
                    }
                }
                DeliverPolicy::ByStartTime => match &cfg.opt_start_time {
                    Some(t) => store.get_seq_from_time(t.unix_nanos() as i64),
                    None => st.last_seq + 1,
                },
                _ => st.last_seq + 1,
            }
        };
        if st.first_seq == 0 && cfg.opt_start_seq == 0 {
            sseq = 1;
        } else if sseq > st.last_seq && cfg.opt_start_seq == 0 {
            sseq = st.last_seq + 1;
        } else if sseq < st.first_seq {
            sseq = st.first_seq;
        }
        s.sseq = sseq.max(1);
        s.dseq = 1;
        s.ack_floor_dseq = 0;
        s.ack_floor_sseq = s.sseq - 1;
    }

    /// Messages in the stream this consumer has yet to deliver (Go's `numPending`).
    pub fn num_pending(&self, s: &State) -> u64 {
        let Some(stream) = self.stream.upgrade() else {
            return 0;
        };
        let store = stream.store();
        let lps = self.cfg.deliver_policy == DeliverPolicy::LastPerSubject;
        let from = match &s.skip_list {
            Some((seqs, _)) => {
                // Still replaying last-per-subject: what is left of the list.
                return seqs.len() as u64;
            }
            None => s.sseq,
        };
        if self.filters.is_empty() {
            return store.num_pending(from, "", lps).map(|p| p.0).unwrap_or(0);
        }
        self.filters
            .iter()
            .map(|f| store.num_pending(from, f, lps).map(|p| p.0).unwrap_or(0))
            .sum()
    }

    /// Go's `ConsumerInfo`.
    pub fn info(&self, _server_name: &str) -> ConsumerInfo {
        let s = match self.state.lock() {
            Ok(s) => s,
            Err(e) => e.into_inner(),
        };
        let np = self.num_pending(&s);
        let pause_remaining = self
            .cfg
            .pause_until
            .map_or(0, |t| super::consumer_ctl::remaining(&t));
        let num_redelivered = if self.cfg.max_deliver == 1 {
            0
        } else {
            s.redelivered.len() as i64
        };
        ConsumerInfo {
            stream: self.stream_name.clone(),
            name: self.name.clone(),
            created: self.created,
            config: Some(config::with_dynamic_metadata(&self.cfg)),
            delivered: SequenceInfo {
                consumer: s.dseq.max(1) - 1,
                stream: s.sseq.max(1) - 1,
                last: s.last_delivery,
            },
            ack_floor: SequenceInfo {
                consumer: s.ack_floor_dseq,
                stream: s.ack_floor_sseq,
                last: s.last_ack,
            },
            num_ack_pending: s.pending.len() as i64,
            num_redelivered,
            num_waiting: s.waiting.len() as i64,
            num_pending: np,
            push_bound: self.is_push() && s.active,
            priority_groups: self
                .cfg
                .priority_groups
                .first()
                .map(|g| {
                    vec![PriorityGroupState {
                        group: g.clone(),
                        pinned_client_id: s.pin_id.clone(),
                        pinned_ts: s.pinned_ts,
                    }]
                })
                .unwrap_or_default(),
            paused: pause_remaining > 0,
            pause_remaining,
            timestamp: GoTime::now(),
            ..ConsumerInfo::default()
        }
    }

    /// A message was stored on `subject`: one more pending when it matches, and a wake-up.
    pub fn new_message(&self, subject: &str) {
        if self.matches(subject) {
            self.npc_delta
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        self.wake.notify_one();
    }

    /// The pending count must be taken again (messages removed behind the consumer's back).
    pub fn recount_pending(&self) {
        self.npc_stale
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// The running pending count for ack replies (Go's `npc`): exact after a recount, then kept
    /// by deliveries and new messages.
    pub fn running_pending(&self, s: &mut State) -> i64 {
        use std::sync::atomic::Ordering;
        let delta = self.npc_delta.swap(0, Ordering::AcqRel);
        match s.npc {
            Some(n) if !self.npc_stale.swap(false, Ordering::AcqRel) => n + delta,
            _ => self.num_pending(s) as i64,
        }
    }

    /// A new message is in the stream, a request arrived, or acks made room.
    pub fn signal(&self) {
        self.wake.notify_one();
    }

    /// Stop delivering and drop the internal subscriptions (delete, stream gone, shutdown).
    pub fn stop(&self) {
        self.flush_state(true);
        if let Ok(mut s) = self.state.lock() {
            s.closed = true;
        }
        let subs = self
            .subs
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        if let Some(stream) = self.stream.upgrade() {
            for sub in subs {
                stream.account.unsubscribe_internal(&sub);
            }
        }
        self.wake.notify_one();
    }

    /// Whether this consumer still needs stream sequence `seq` on `subject` (interest retention).
    /// The last stream sequence handed out (0 before the first).
    pub fn delivered_stream_seq(&self) -> u64 {
        self.state
            .lock()
            .map(|s| s.sseq.saturating_sub(1))
            .unwrap_or(0)
    }

    pub fn needs(&self, seq: u64, subject: &str) -> bool {
        if !self.matches(subject) {
            return false;
        }
        let Ok(s) = self.state.lock() else {
            return true;
        };
        if self.cfg.ack_policy == AckPolicy::None {
            return seq >= s.sseq;
        }
        seq > s.ack_floor_sseq && (seq >= s.sseq || s.pending.contains_key(&seq))
    }

    fn ack_reply(&self, sseq: u64, dseq: u64, dc: u64, ts: i64, pending: u64) -> String {
        format!("{}{dc}.{sseq}.{dseq}.{ts}.{pending}", self.ack_prefix)
    }

    fn has_wildcard_filter(&self) -> bool {
        self.filters.len() == 1 && subject_has_wildcard(self.filters[0].as_bytes())
    }
}
