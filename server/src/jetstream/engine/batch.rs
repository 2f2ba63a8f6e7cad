//! Atomic batch publish (`allow_atomic`): messages carrying `Nats-Batch-Id` and
//! `Nats-Batch-Sequence` are staged per batch until the one with `Nats-Batch-Commit` (`1`, or
//! `eob` for an end-of-batch marker that is not stored) arrives; then the whole batch is checked
//! and stored with no other publish in between, or nothing is stored. Matches Go's
//! `processJetStreamAtomicBatchMsg` (stream.go) and `checkMsgHeadersPreClusteredProposal`
//! (jetstream_batching.go) for a single server. Staged messages live in memory: a batch that has
//! not committed when the server stops is abandoned.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::counter;
use super::stream::{
    PubState, Stream, EXPECTED_LAST_MSG_ID, EXPECTED_LAST_SEQ, EXPECTED_LAST_SUBJ_SEQ,
    EXPECTED_LAST_SUBJ_SEQ_SUBJ, EXPECTED_STREAM, MSG_ID, MSG_TTL, ROLLUP, STREAM_SOURCE,
};
use crate::jetstream::api::enums::DiscardPolicy;
use crate::jetstream::api::{ApiError, ErrorId};
use crate::jetstream::store::header::slice_header;
use crate::jetstream::store::StoreError;

pub const BATCH_ID: &str = "Nats-Batch-Id";
pub const BATCH_SEQ: &str = "Nats-Batch-Sequence";
pub const BATCH_COMMIT: &str = "Nats-Batch-Commit";
const REQUIRED_API_LEVEL: &str = "Nats-Required-Api-Level";

/// Go's defaults (`streamDefaultMaxAtomicBatch*`, `streamDefaultMaxBatchTimeout`), replaced by
/// `jetstream { limits { batch { ... } } }`.
pub const DEFAULT_INFLIGHT_PER_STREAM: usize = 50;
pub const DEFAULT_INFLIGHT_TOTAL: i64 = 1000;
pub const DEFAULT_MAX_MSGS: u64 = 1000;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The server-wide batch limits in effect.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub per_stream: usize,
    pub total: i64,
    pub max_msgs: u64,
    pub timeout: Duration,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            per_stream: DEFAULT_INFLIGHT_PER_STREAM,
            total: DEFAULT_INFLIGHT_TOTAL,
            max_msgs: DEFAULT_MAX_MSGS,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl BatchLimits {
    /// `jetstream { limits { batch {...} } }`: a value that is not positive keeps Go's default.
    pub fn from_config(l: &crate::jetstream::options::JsLimits) -> Self {
        let d = BatchLimits::default();
        BatchLimits {
            per_stream: usize::try_from(l.batch_inflight_per_stream)
                .ok()
                .filter(|v| *v > 0)
                .unwrap_or(d.per_stream),
            total: Some(l.batch_inflight_total)
                .filter(|v| *v > 0)
                .unwrap_or(d.total),
            max_msgs: u64::try_from(l.batch_max_msgs)
                .ok()
                .filter(|v| *v > 0)
                .unwrap_or(d.max_msgs),
            timeout: if l.batch_timeout.is_zero() {
                d.timeout
            } else {
                l.batch_timeout
            },
        }
    }
}

/// Go's `getBatchId` and `getBatchSequence`: the batch a message belongs to, if any.
pub fn batch_of(hdr: &[u8]) -> Option<(String, u64)> {
    let id = slice_header(BATCH_ID, hdr).filter(|v| !v.is_empty())?;
    Some((
        String::from_utf8_lossy(id).into_owned(),
        batch_seq(hdr).unwrap_or(0),
    ))
}

fn batch_seq(hdr: &[u8]) -> Option<u64> {
    let v = slice_header(BATCH_SEQ, hdr).filter(|v| !v.is_empty())?;
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// A batch message: subject, headers, payload.
pub type BatchMsg = (String, Vec<u8>, Vec<u8>);

/// One staged batch.
struct Staged {
    msgs: Vec<BatchMsg>,
    deadline: Instant,
    generation: u64,
}

/// A stream's inflight batches.
#[derive(Default)]
pub struct Batches {
    map: HashMap<String, Staged>,
    next_generation: u64,
}

/// What a batch message produced: the PubAck (or the empty staging ack) and republished
/// messages.
pub type Outcome = (Option<Vec<u8>>, Vec<BatchMsg>);

impl Stream {
    fn batch_limits(&self) -> (BatchLimits, Option<Arc<super::JetStream>>) {
        match self.jetstream() {
            Some(js) => (js.batch_limits, Some(js)),
            None => (BatchLimits::default(), None),
        }
    }

    /// Forget a batch (Go's `cleanupLocked`): it no longer counts toward the inflight limits.
    fn drop_batch(&self, batches: &mut Batches, id: &str) {
        if batches.map.remove(id).is_some() {
            if let Some(js) = self.jetstream() {
                js.atomic_batches.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    /// Go's `sendStreamBatchAbandonedAdvisory` (in the stream's account). Sent from a task: the
    /// publish path that abandons a batch is inside the publisher's delivery.
    fn abandoned(&self, id: &str, reason: &'static str) {
        let (Some(server), Ok(rt)) = (self.server(), tokio::runtime::Handle::try_current()) else {
            return;
        };
        let (acc, stream, domain, id) = (
            self.account.clone(),
            self.name.clone(),
            self.domain(),
            id.to_string(),
        );
        rt.spawn(async move {
            super::advisory::batch_abandoned(&server, &acc, &stream, &domain, &id, reason);
        });
    }

    /// Go's `processJetStreamAtomicBatchMsg` on a single server.
    pub(crate) fn process_batch_msg(
        self: &Arc<Self>,
        id: &str,
        subject: &str,
        has_reply: bool,
        hdr: &[u8],
        msg: &[u8],
        max_payload: i64,
    ) -> Outcome {
        let cfg = self.config();
        let respond = !cfg.no_ack && has_reply;
        let fail = |e: ApiError| -> Outcome { (respond.then(|| self.error_ack(&e)), Vec::new()) };
        if cfg.sealed {
            return fail(ErrorId::StreamSealed.err());
        }
        let (limits, js) = self.batch_limits();
        if js.as_ref().is_some_and(|j| j.limits_exceeded(cfg.storage)) {
            return fail(ErrorId::InsufficientResources.err());
        }
        if self.account_would_exceed(&cfg, subject, hdr, msg) {
            return fail(ErrorId::AccountResourcesExceeded.err());
        }
        let max_size = cfg.max_msg_size as i64;
        let (hl, ml) = (hdr.len() as i64, msg.len() as i64);
        if max_size >= 0 && (hl > max_size || ml > max_size - hl) {
            return fail(ErrorId::StreamMessageExceedsMaximum.err());
        }
        if !cfg.allow_atomic_publish {
            return fail(ErrorId::AtomicPublishDisabled.err());
        }
        if id.len() > 64 {
            return fail(ErrorId::AtomicPublishInvalidBatchID.err());
        }
        let Some(seq) = batch_seq(hdr) else {
            return fail(ErrorId::AtomicPublishMissingSeq.err());
        };
        let (mut commit, mut eob, mut commit_invalid) = (false, false, false);
        if let Some(c) = slice_header(BATCH_COMMIT, hdr) {
            eob = c == b"eob";
            commit_invalid = !eob && c != b"1";
            commit = true;
        }
        let too_large =
            || ErrorId::AtomicPublishTooLargeBatch.fill(&[("{size}", &limits.max_msgs)]);
        let Ok(mut batches) = self.batches.lock() else {
            return (None, Vec::new());
        };
        if !batches.map.contains_key(id) {
            if seq != 1 {
                let size = if eob { seq - 1 } else { seq };
                if size > limits.max_msgs {
                    return fail(too_large());
                }
                return fail(ErrorId::AtomicPublishIncompleteBatch.err());
            }
            if batches.map.len() + 1 > limits.per_stream {
                return fail(ErrorId::AtomicPublishTooManyInflight.err());
            }
            if let Some(js) = &js {
                if js.atomic_batches.fetch_add(1, Ordering::Relaxed) + 1 > limits.total {
                    js.atomic_batches.fetch_sub(1, Ordering::Relaxed);
                    return fail(ErrorId::AtomicPublishTooManyInflight.err());
                }
            }
            batches.next_generation += 1;
            let generation = batches.next_generation;
            batches.map.insert(
                id.to_string(),
                Staged {
                    msgs: Vec::new(),
                    deadline: Instant::now() + limits.timeout,
                    generation,
                },
            );
            self.watch_batch(id.to_string(), generation, limits.timeout);
        }
        if commit_invalid {
            self.drop_batch(&mut batches, id);
            return fail(ErrorId::AtomicPublishInvalidBatchCommit.err());
        }
        let cleaned;
        let mut hdr = hdr;
        if let Some(level) = slice_header(REQUIRED_API_LEVEL, hdr).filter(|v| !v.is_empty()) {
            let level = String::from_utf8_lossy(level).into_owned();
            if crate::jetstream::api::stream_config::error_on_required_api_level(Some(&level)) {
                self.drop_batch(&mut batches, id);
                drop(batches);
                self.abandoned(id, "unsupported");
                return fail(ErrorId::RequiredApiLevel.err());
            }
            cleaned = super::stream::remove_header(hdr, REQUIRED_API_LEVEL);
            hdr = &cleaned;
        }
        let now = Instant::now();
        let Some(b) = batches.map.get_mut(id) else {
            return fail(ErrorId::AtomicPublishIncompleteBatch.err());
        };
        let expired = now >= b.deadline;
        b.deadline = now + limits.timeout;
        let lseq = b.msgs.len() as u64 + 1;
        if lseq != seq || expired || (seq == 1 && eob) {
            self.drop_batch(&mut batches, id);
            drop(batches);
            self.abandoned(id, "incomplete");
            return fail(ErrorId::AtomicPublishIncompleteBatch.err());
        }
        let size = if eob { seq - 1 } else { seq };
        if size > limits.max_msgs {
            self.drop_batch(&mut batches, id);
            drop(batches);
            self.abandoned(id, "large");
            return fail(too_large());
        }
        b.msgs
            .push((subject.to_string(), hdr.to_vec(), msg.to_vec()));
        if !commit {
            // The empty ack: the message is staged.
            return (respond.then(Vec::new), Vec::new());
        }
        let mut staged = batches.map.remove(id).map(|b| b.msgs).unwrap_or_default();
        if let Some(js) = &js {
            js.atomic_batches.fetch_sub(1, Ordering::Relaxed);
        }
        drop(batches);
        if eob {
            staged.pop();
        }
        // The whole batch is checked and stored under the publish state: nothing interleaves.
        let Ok(mut st) = self.state.lock() else {
            return (None, Vec::new());
        };
        let checked = match self.check_batch(&st, &staged, max_payload) {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        let mut republish = Vec::new();
        let last = checked.len();
        let mut ack = None;
        for (i, (subj, h, m)) in checked.into_iter().enumerate() {
            let is_last = i + 1 == last;
            let h = if is_last && eob {
                counter::set_header(&h, BATCH_COMMIT, "1")
            } else {
                h
            };
            let before = st.last_seq;
            let a = self.process_msg_locked(
                &mut st,
                &subj,
                is_last && respond,
                &h,
                &m,
                max_payload,
                &mut republish,
                false,
            );
            if is_last {
                ack = a;
            } else if st.last_seq == before {
                // Go stops at the first message that could not be stored.
                break;
            }
        }
        (ack, republish)
    }

    /// Go's `checkMsgHeadersPreClusteredProposal` over a whole batch: every consistency check
    /// runs against the stream plus the batch's earlier messages. Returns the messages to store
    /// (counter increments already applied).
    fn check_batch(
        &self,
        st: &PubState,
        staged: &[BatchMsg],
        max_payload: i64,
    ) -> Result<Vec<BatchMsg>, ApiError> {
        let cfg = self.config();
        let state = self.store().fast_state();
        let mut msg_ids: HashSet<String> = HashSet::new();
        let mut counters: HashMap<String, counter::Running> = HashMap::new();
        let mut inflight: HashMap<String, (u64, u64)> = HashMap::new();
        let mut expected: HashMap<String, u64> = HashMap::new();
        let mut out = Vec::with_capacity(staged.len());
        let now = super::stream::now_nanos();
        // Go's `clseq`: the stream's last sequence as each message of the batch would see it.
        for (clseq, (raw_subject, hdr, msg)) in (st.last_seq..).zip(staged) {
            let subject = self.input_subject(raw_subject);
            let subject = subject.as_str();
            let (mut hdr, mut msg) = (hdr.clone(), msg.clone());
            let has = |h: &[u8], k: &str| slice_header(k, h).is_some_and(|v| !v.is_empty());
            if has(&hdr, EXPECTED_LAST_MSG_ID) {
                return Err(ErrorId::AtomicPublishUnsupportedHeaderBatch
                    .fill(&[("{header}", &EXPECTED_LAST_MSG_ID)]));
            }
            let mut incr = None;
            if !hdr.is_empty() {
                if hdr.len() > u16::MAX as usize {
                    return Err(ErrorId::StreamHeaderExceedsMaximum.err());
                }
                incr = match counter::message_incr(&hdr) {
                    Some(Err(())) => return Err(ErrorId::MessageIncrInvalid.err()),
                    Some(Ok(n)) => {
                        counter::check_increment(&hdr, &msg, cfg.allow_msg_counter)?;
                        Some(n)
                    }
                    None => None,
                };
                if let Some(name) = slice_header(EXPECTED_STREAM, &hdr) {
                    if !name.is_empty() && name != cfg.name.as_bytes() {
                        return Err(ErrorId::StreamNotMatch.err());
                    }
                }
                if let Some(v) = slice_header(MSG_TTL, &hdr).filter(|v| !v.is_empty()) {
                    if !cfg.allow_msg_ttl {
                        return Err(ErrorId::MessageTTLDisabled.err());
                    }
                    if super::stream::parse_ttl(v).is_none() {
                        return Err(ErrorId::MessageTTLInvalid.err());
                    }
                }
                if let Some(id) = slice_header(MSG_ID, &hdr).filter(|v| !v.is_empty()) {
                    let id = String::from_utf8_lossy(id).into_owned();
                    let window = now - cfg.duplicates;
                    let known = st.dedupe.get(&id).is_some_and(|(_, ts)| *ts >= window);
                    if msg_ids.contains(&id) || known {
                        return Err(ErrorId::AtomicPublishContainsDuplicateMessage.err());
                    }
                    msg_ids.insert(id);
                }
                // Go checks a batch message's schedule when staging it (the headers the commit
                // stores are computed again then).
                super::schedule::check(&cfg, &**self.store(), subject, &hdr, false)?;
                if has(&hdr, STREAM_SOURCE) {
                    return Err(ErrorId::MessageSourceHdrNotAllowed.err());
                }
            }
            match incr {
                None if cfg.allow_msg_counter => {
                    return Err(ErrorId::MessageIncrMissing.err());
                }
                Some(incr) if cfg.allow_msg_counter => {
                    let mut running = match counters.remove(subject) {
                        Some(r) => r,
                        None => counter::running(&**self.store(), subject)?,
                    };
                    let (h, m, _) = counter::apply(&mut running, subject, &hdr, &msg, incr)?;
                    (hdr, msg) = (h, m);
                    let mut max = max_payload;
                    let ms = cfg.max_msg_size as i64;
                    if ms >= 0 && (max <= 0 || ms < max) {
                        max = ms;
                    }
                    let (hl, ml) = (hdr.len() as i64, msg.len() as i64);
                    if max >= 0 && (hl > max || ml > max - hl) {
                        return Err(ErrorId::StreamMessageExceedsMaximum.err());
                    }
                    counters.insert(subject.to_string(), running);
                }
                _ => {}
            }
            if !hdr.is_empty() {
                if let Some(seq) = parse_u64(&hdr, EXPECTED_LAST_SEQ) {
                    if seq != clseq {
                        return Err(ErrorId::StreamWrongLastSequence.fill(&[("{seq}", &clseq)]));
                    }
                    if !inflight.is_empty() {
                        return Err(ErrorId::StreamWrongLastSequenceConstant.err());
                    }
                }
                if let Some(seq) = parse_u64(&hdr, EXPECTED_LAST_SUBJ_SEQ) {
                    let seq_subj = slice_header(EXPECTED_LAST_SUBJ_SEQ_SUBJ, &hdr)
                        .filter(|v| !v.is_empty())
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                        .unwrap_or_else(|| subject.to_string());
                    if inflight.contains_key(&seq_subj) {
                        return Err(ErrorId::StreamWrongLastSequenceConstant.err());
                    }
                    let fseq = match expected.get(&seq_subj) {
                        Some(f) => *f,
                        None => self
                            .store()
                            .load_last_msg(&seq_subj)
                            .map(|m| m.seq)
                            .unwrap_or(0),
                    };
                    if fseq != seq {
                        return Err(ErrorId::StreamWrongLastSequence.fill(&[("{seq}", &fseq)]));
                    }
                    expected.insert(seq_subj, fseq);
                } else if has(&hdr, EXPECTED_LAST_SUBJ_SEQ_SUBJ) {
                    return Err(ErrorId::StreamExpectedLastSeqPerSubjectInvalid.err());
                }
                if let Some(r) = slice_header(ROLLUP, &hdr).filter(|v| !v.is_empty()) {
                    let failed = |m: String| ErrorId::StreamRollupFailed.with_err(m);
                    if !cfg.allow_rollup || cfg.deny_purge {
                        return Err(failed("rollup not permitted".into()));
                    }
                    match r {
                        b"sub" if inflight.contains_key(subject) => {
                            return Err(failed("batch rollup sub invalid".into()));
                        }
                        b"all" if !inflight.is_empty() => {
                            return Err(failed("batch rollup all invalid".into()));
                        }
                        b"sub" | b"all" => {}
                        other => {
                            let v = String::from_utf8_lossy(other).into_owned();
                            return Err(failed(format!("rollup value invalid: {v:?}")));
                        }
                    }
                }
            }
            let sz = self.store().msg_size(subject, &hdr, &msg);
            let entry = inflight.entry(subject.to_string()).or_insert((0, 0));
            entry.0 += sz;
            entry.1 += 1;
            let subject_ops = entry.1;
            if cfg.discard == DiscardPolicy::New {
                if cfg.max_msgs > 0 || cfg.max_bytes > 0 {
                    let msgs = state.msgs + inflight.values().map(|i| i.1).sum::<u64>();
                    let bytes = state.bytes + inflight.values().map(|i| i.0).sum::<u64>();
                    let e = if cfg.max_msgs > 0 && msgs > cfg.max_msgs as u64 {
                        Some(StoreError::MaxMsgs)
                    } else if cfg.max_bytes > 0 && bytes > cfg.max_bytes as u64 {
                        Some(StoreError::MaxBytes)
                    } else {
                        None
                    };
                    if let Some(e) = e {
                        return Err(ErrorId::StreamStoreFailed.with_err(e));
                    }
                }
                if cfg.discard_new_per && cfg.max_msgs_per > 0 && !has(&hdr, ROLLUP) {
                    let stored = self
                        .store()
                        .subjects_totals(subject)
                        .get(subject)
                        .copied()
                        .unwrap_or(0);
                    if stored + subject_ops > cfg.max_msgs_per as u64 {
                        return Err(
                            ErrorId::StreamStoreFailed.with_err(StoreError::MaxMsgsPerSubject)
                        );
                    }
                }
            }
            out.push((raw_subject.clone(), hdr, msg));
        }
        Ok(out)
    }

    /// Abandon the batch when no message arrived for it within the timeout (Go's cleanup timer).
    fn watch_batch(self: &Arc<Self>, id: String, generation: u64, timeout: Duration) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak = Arc::downgrade(self);
        rt.spawn(async move {
            let mut wait = timeout;
            loop {
                tokio::time::sleep(wait).await;
                let Some(s) = weak.upgrade() else {
                    return;
                };
                let Ok(mut batches) = s.batches.lock() else {
                    return;
                };
                let deadline = match batches.map.get(&id) {
                    Some(b) if b.generation == generation => b.deadline,
                    _ => return,
                };
                let now = Instant::now();
                if now >= deadline {
                    s.drop_batch(&mut batches, &id);
                    drop(batches);
                    s.abandoned(&id, "timeout");
                    return;
                }
                wait = deadline - now;
            }
        });
    }
}

fn parse_u64(hdr: &[u8], key: &str) -> Option<u64> {
    let v = slice_header(key, hdr).filter(|v| !v.is_empty())?;
    std::str::from_utf8(v).ok()?.parse().ok()
}
