//! The store logic both stores share: limits, discard policies, removals, purges, compaction,
//! truncation, expiry and message loading, over an [`Index`] and a [`Backend`] that keeps the
//! bytes (in memory, or in block files). Every rule here is Go's `memStore`/`fileStore` rule
//! (`storeRawMsg`, `enforce*Limit`, `PurgeEx`, `Compact`, `Truncate`, `expireMsgs`), so the two
//! stores cannot drift apart.
//!
//! The engine runs under the store's lock and never calls out: storage updates are queued in
//! `updates` and delivered by the caller once the lock is released.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;

use super::header::{message_ttl, slice_header, ROLLUP_HEADER};
use super::index::{span, Entry, Index};
use super::query::Filter;
use super::types::{
    DiscardPolicy, LostStreamData, StorageType, StorageUpdate, StoreConfig, StoreDiagnostic,
    StoreError, StoreResult,
};

/// Where a store keeps message bytes. Index bookkeeping is the engine's; a backend only stores,
/// reads back and records removals durably.
pub(crate) trait Backend: Send + 'static {
    type Loc: Send + Sync + 'static;
    const KIND: StorageType;

    /// Accounted size of a message (Go `memStoreMsgSize` / `fileStoreMsgSize`).
    fn msg_size(slen: usize, hlen: usize, mlen: usize) -> u64;
    /// Keeps a new message; `sync` asks for it to be durable before returning.
    fn append(
        &mut self,
        seq: u64,
        ts: i64,
        subj: &str,
        hdr: &[u8],
        msg: &[u8],
        sync: bool,
    ) -> StoreResult<Self::Loc>;
    /// Reads a message back: `Ok(None)` when its bytes are damaged (the engine drops it).
    fn read(&mut self, seq: u64, e: &Entry<Self::Loc>) -> StoreResult<Option<(Bytes, Bytes)>>;
    /// Records that `seq` (already out of the index) is gone; `secure` overwrites its bytes.
    fn remove(
        &mut self,
        idx: &mut Index<Self::Loc>,
        seq: u64,
        e: Entry<Self::Loc>,
        secure: bool,
    ) -> StoreResult<()>;
    /// Records sequences `seq..seq + num` as used without a message.
    fn skip(&mut self, seq: u64, num: u64, ts: i64) -> StoreResult<()>;
    /// Records that every sequence below `floor` is gone; `removed` left the index for it.
    fn floor(
        &mut self,
        idx: &mut Index<Self::Loc>,
        floor: u64,
        removed: Vec<(u64, Entry<Self::Loc>)>,
    ) -> StoreResult<()>;
    /// Records that everything after `idx.last_seq` is gone (`removed` left the index for it).
    fn truncate(
        &mut self,
        idx: &mut Index<Self::Loc>,
        removed: Vec<(u64, Entry<Self::Loc>)>,
    ) -> StoreResult<()>;
    fn flush(&mut self) -> StoreResult<()>;
    fn sync(&mut self) -> StoreResult<()>;
    /// Clean shutdown: persist what makes the next start fast.
    fn stop(&mut self, idx: &Index<Self::Loc>) -> StoreResult<()>;
    /// Removes everything the backend keeps.
    fn delete(&mut self) -> StoreResult<()>;
    fn take_diagnostics(&mut self) -> Vec<StoreDiagnostic>;

    /// Go's `Compression`: whether records written from now on are compressed (stores that
    /// keep records as they are ignore it).
    fn set_compress(&mut self, _on: bool) {}
    /// The backend's files (paths relative to the stream directory) with their contents, after
    /// a flush, for a stream snapshot. Stores without files cannot be snapshotted.
    fn snapshot_files(&mut self) -> StoreResult<Vec<(String, Vec<u8>)>> {
        Err(StoreError::Io("no impl".into()))
    }
}

/// Shared store state and logic, generic over the backend.
pub(crate) struct Engine<B: Backend> {
    pub idx: Index<B::Loc>,
    pub cfg: StoreConfig,
    pub be: B,
    pub closed: bool,
    /// Per-message TTL deadlines `(expires_ns, seq)` when `allow_msg_ttl` (Go's hash wheel).
    pub ttls: BTreeSet<(i64, u64)>,
    /// Storage updates waiting for the lock to be released.
    pub updates: Vec<StorageUpdate>,
    pub lost: Option<LostStreamData>,
    /// First write failure; later writes fail with it (Go `werr`).
    pub werr: Option<StoreError>,
    pub sync_always: bool,
}

const NANOS: i64 = 1_000_000_000;

pub(crate) fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

fn sanitize(mut cfg: StoreConfig) -> StoreConfig {
    if cfg.max_msgs_per_subject < -1 {
        cfg.max_msgs_per_subject = -1;
    }
    cfg
}

impl<B: Backend> Engine<B> {
    pub fn new(cfg: StoreConfig, be: B, idx: Index<B::Loc>) -> Self {
        let mut e = Engine {
            idx,
            cfg: sanitize(cfg),
            be,
            closed: false,
            ttls: BTreeSet::new(),
            updates: Vec::new(),
            lost: None,
            werr: None,
            sync_always: false,
        };
        e.rebuild_ttls();
        e
    }

    pub(crate) fn check_open(&self) -> StoreResult<()> {
        if self.closed {
            return Err(StoreError::Closed);
        }
        Ok(())
    }

    fn check_write(&self) -> StoreResult<()> {
        self.check_open()?;
        match &self.werr {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Hands buffered writes to the OS (and with `sync` to the disk). A failure is remembered
    /// like any write failure (Go's `werr`): the stream stops taking writes.
    pub fn flush_pending(&mut self, sync: bool) -> StoreResult<()> {
        if self.closed {
            return Ok(());
        }
        self.check_write()?;
        let r = if sync {
            self.be.sync()
        } else {
            self.be.flush()
        };
        self.note(r)
    }

    /// Remembers a write failure so later writes fail the same way.
    fn note<T>(&mut self, r: StoreResult<T>) -> StoreResult<T> {
        if let Err(e @ StoreError::Io(_)) = &r {
            self.werr = Some(e.clone());
        }
        r
    }

    fn rebuild_ttls(&mut self) {
        self.ttls.clear();
        if self.cfg.allow_msg_ttl {
            for (&seq, e) in &self.idx.msgs {
                if e.ttl > 0 {
                    self.ttls.insert((e.ts.saturating_add(e.ttl * NANOS), seq));
                }
            }
        }
    }

    /// Go `storeRawMsg`: checks discard-new limits, stores, then enforces the limits.
    #[allow(clippy::too_many_arguments)]
    pub fn store_raw(
        &mut self,
        subj: &str,
        hdr: &[u8],
        msg: &[u8],
        seq: u64,
        ts: i64,
        ttl: i64,
        discard_new_check: bool,
        sync: bool,
    ) -> StoreResult<u64> {
        self.check_write()?;
        if self.cfg.max_msg_size > 0 && hdr.len() + msg.len() > self.cfg.max_msg_size as usize {
            return Err(StoreError::MsgTooLarge);
        }
        let size = B::msg_size(subj.len(), hdr.len(), msg.len());
        let maxp = self.cfg.max_msgs_per_subject;
        let ss = if subj.is_empty() {
            None
        } else {
            self.idx.subject_state(subj)
        };
        let at_subject_limit = maxp > 0 && ss.is_some_and(|s| s.msgs >= maxp as u64);
        if discard_new_check && self.cfg.discard == DiscardPolicy::New {
            // A rollup may pass: it purges the subject's older messages right after.
            if at_subject_limit
                && self.cfg.discard_new_per_subject
                && slice_header(ROLLUP_HEADER, hdr).is_none()
            {
                return Err(StoreError::MaxMsgsPerSubject);
            }
            // At the subject limit the subject's oldest is replaced, so totals do not grow.
            if self.cfg.max_msgs > 0
                && self.idx.len() >= self.cfg.max_msgs as u64
                && !at_subject_limit
            {
                return Err(StoreError::MaxMsgs);
            }
            if self.cfg.max_bytes > 0 && self.idx.bytes + size > self.cfg.max_bytes as u64 {
                if !at_subject_limit {
                    return Err(StoreError::MaxBytes);
                }
                let first = ss.map(|s| s.first).unwrap_or(0);
                let freed = self.idx.msgs.get(&first).map(|e| e.size).unwrap_or(0);
                if freed < size {
                    return Err(StoreError::MaxBytes);
                }
            }
        }
        let seq = if seq != self.idx.last_seq + 1 {
            if seq > 0 {
                return Err(StoreError::SequenceMismatch);
            }
            self.idx.last_seq + 1
        } else {
            seq
        };
        let r = self
            .be
            .append(seq, ts, subj, hdr, msg, sync || self.sync_always);
        let loc = self.note(r)?;
        let subject = self.idx.intern(subj);
        // The entry keeps the TTL that expiry uses: the given one when TTLs are on, otherwise the
        // header's (Go reads the header when TTLs are switched on later, and for `never`).
        let kept_ttl = if self.cfg.allow_msg_ttl && ttl != 0 {
            ttl
        } else if hdr.is_empty() {
            0
        } else {
            message_ttl(hdr)
        };
        self.idx
            .insert(seq, ts, subject.clone(), size, kept_ttl, loc);

        if maxp > 0 && ss.is_some_and(|s| s.msgs + 1 > maxp as u64) {
            self.enforce_per_subject(subj)?;
        }
        self.enforce_msg_limit()?;
        self.enforce_bytes_limit()?;
        if self.cfg.allow_msg_ttl && ttl > 0 {
            self.ttls.insert((ts.saturating_add(ttl * NANOS), seq));
        }
        self.updates.push(StorageUpdate {
            msgs: 1,
            bytes: size as i64,
            seq,
            subject: Some(subject),
        });
        Ok(seq)
    }

    /// Go `enforcePerSubjectLimit`: drops the subject's oldest until it is within the limit.
    fn enforce_per_subject(&mut self, subj: &str) -> StoreResult<()> {
        let maxp = self.cfg.max_msgs_per_subject;
        if maxp <= 0 {
            return Ok(());
        }
        while let Some(ss) = self.idx.subject_state(subj) {
            if ss.msgs <= maxp as u64 || !self.remove(ss.first, false, true)? {
                break;
            }
        }
        Ok(())
    }

    /// Go `enforceMsgLimit`: with discard old, drops the oldest messages past `max_msgs`.
    fn enforce_msg_limit(&mut self) -> StoreResult<()> {
        if self.cfg.discard != DiscardPolicy::Old || self.cfg.max_msgs <= 0 {
            return Ok(());
        }
        while self.idx.len() > self.cfg.max_msgs as u64 {
            if !self.remove(self.idx.first_seq, false, true)? {
                break;
            }
        }
        Ok(())
    }

    /// Go `enforceBytesLimit`: with discard old, drops the oldest messages past `max_bytes`.
    fn enforce_bytes_limit(&mut self) -> StoreResult<()> {
        if self.cfg.discard != DiscardPolicy::Old || self.cfg.max_bytes <= 0 {
            return Ok(());
        }
        while self.idx.bytes > self.cfg.max_bytes as u64 {
            if !self.remove(self.idx.first_seq, false, true)? {
                break;
            }
        }
        Ok(())
    }

    /// Removes one message; `report` queues its storage update.
    pub fn remove(&mut self, seq: u64, secure: bool, report: bool) -> StoreResult<bool> {
        self.check_open()?;
        let Some(e) = self.idx.remove(seq) else {
            return Ok(false);
        };
        if e.ttl > 0 {
            self.ttls.remove(&(e.ts.saturating_add(e.ttl * NANOS), seq));
        }
        if report {
            self.updates.push(StorageUpdate {
                msgs: -1,
                bytes: -(e.size as i64),
                seq,
                subject: Some(e.subj.clone()),
            });
        }
        let r = self.be.remove(&mut self.idx, seq, e, secure);
        self.note(r)?;
        Ok(true)
    }

    /// Go `skipMsg` / `SkipMsgs`: uses sequences without storing anything.
    pub fn skip(&mut self, seq: u64, num: u64, no_interest: bool) -> StoreResult<u64> {
        self.check_write()?;
        let seq = if seq != self.idx.last_seq + 1 {
            if seq > 0 {
                return Err(StoreError::SequenceMismatch);
            }
            self.idx.last_seq + 1
        } else {
            seq
        };
        if num == 0 {
            return Ok(seq);
        }
        let last = seq + num - 1;
        self.idx.last_seq = last;
        if no_interest || self.idx.last_ts == 0 {
            self.idx.last_ts = now_nanos();
        }
        if self.idx.msgs.is_empty() {
            self.idx.first_seq = last + 1;
            self.idx.first_ts = 0;
        }
        let r = self.be.skip(seq, num, self.idx.last_ts);
        self.note(r)?;
        Ok(seq)
    }

    fn report_bulk(&mut self, removed: &[(u64, Entry<B::Loc>)]) {
        let bytes: u64 = removed.iter().map(|(_, e)| e.size).sum();
        self.updates.push(StorageUpdate {
            msgs: -(removed.len() as i64),
            bytes: -(bytes as i64),
            seq: 0,
            subject: None,
        });
    }

    fn take_all(&mut self) -> Vec<(u64, Entry<B::Loc>)> {
        std::mem::take(&mut self.idx.msgs).into_iter().collect()
    }

    /// Go `purge`: removes every message; the next one gets `last_seq + 1`.
    pub fn purge(&mut self) -> StoreResult<u64> {
        self.check_write()?;
        let fseq = self.idx.last_seq + 1;
        self.purge_to(fseq)
    }

    fn purge_to(&mut self, fseq: u64) -> StoreResult<u64> {
        let removed = self.take_all();
        self.report_bulk(&removed);
        let n = removed.len() as u64;
        self.idx.reset_to(fseq);
        self.ttls.clear();
        let r = self.be.floor(&mut self.idx, fseq, removed);
        self.note(r)?;
        Ok(n)
    }

    /// Go `Compact`: removes every message below `seq`.
    pub fn compact(&mut self, seq: u64) -> StoreResult<u64> {
        self.check_write()?;
        if seq == 0 {
            return self.purge();
        }
        if self.idx.first_seq > seq {
            return Ok(0);
        }
        if seq > self.idx.last_seq {
            return self.purge_to(seq);
        }
        let seqs: Vec<u64> = self.idx.msgs.range(..seq).map(|(&s, _)| s).collect();
        let mut removed = Vec::with_capacity(seqs.len());
        for s in seqs {
            if let Some(e) = self.idx.remove(s) {
                if e.ttl > 0 {
                    self.ttls.remove(&(e.ts.saturating_add(e.ttl * NANOS), s));
                }
                removed.push((s, e));
            }
        }
        self.report_bulk(&removed);
        let n = removed.len() as u64;
        let r = self.be.floor(&mut self.idx, seq, removed);
        self.note(r)?;
        Ok(n)
    }

    /// Go `PurgeEx`: removes messages matching `subject` below `seq` (0: any), keeping the newest
    /// `keep` (0: none).
    pub fn purge_ex(&mut self, subject: &str, seq: u64, keep: u64) -> StoreResult<u64> {
        self.check_write()?;
        if seq == 1 {
            return Ok(0);
        }
        if subject.is_empty() || subject == ">" {
            if keep == 0 && seq == 0 {
                return self.purge();
            }
            if seq > 1 {
                return self.compact(seq);
            }
        }
        let ss = self.idx.filtered_state(1, subject, false);
        if ss.msgs == 0 {
            return Ok(0);
        }
        let maxp = if keep > 0 {
            if keep >= ss.msgs {
                return Ok(0);
            }
            ss.msgs - keep
        } else {
            0
        };
        let last = if seq >= 1 { seq - 1 } else { ss.last };
        let f = Filter::new(subject);
        let targets: Vec<u64> = span(&self.idx.msgs, ss.first, last)
            .filter(|(_, e)| f.matches(&e.subj))
            .map(|(&s, _)| s)
            .take(if maxp > 0 { maxp as usize } else { usize::MAX })
            .collect();
        let (mut purged, mut bytes, mut low) = (0u64, 0u64, None);
        for s in targets {
            let size = self.idx.msgs.get(&s).map(|e| e.size).unwrap_or(0);
            let subj = self.idx.msgs.get(&s).map(|e| e.subj.clone());
            if self.remove(s, false, false)? {
                purged += 1;
                bytes += size;
                low.get_or_insert((s, subj));
            }
        }
        if purged > 0 {
            let (seq, subject) = match (purged, low) {
                (1, Some((s, subj))) => (s, subj),
                _ => (0, None),
            };
            self.updates.push(StorageUpdate {
                msgs: -(purged as i64),
                bytes: -(bytes as i64),
                seq,
                subject,
            });
        }
        Ok(purged)
    }

    /// Go `Truncate`: removes every message above `seq`, which becomes the last sequence.
    /// `seq == 0` resets the store completely.
    pub fn truncate(&mut self, seq: u64) -> StoreResult<()> {
        self.check_write()?;
        let (first, first_ts) = (self.idx.first_seq, self.idx.first_ts);
        let last_ts = if seq == 0 {
            now_nanos()
        } else {
            self.idx
                .msgs
                .get(&seq)
                .map(|e| e.ts)
                .unwrap_or(self.idx.last_ts)
        };
        let above: Vec<u64> = self.idx.msgs.range(seq + 1..).map(|(&s, _)| s).collect();
        let mut removed = Vec::with_capacity(above.len());
        for s in above.into_iter().rev() {
            if let Some(e) = self.idx.remove(s) {
                if e.ttl > 0 {
                    self.ttls.remove(&(e.ts.saturating_add(e.ttl * NANOS), s));
                }
                removed.push((s, e));
            }
        }
        self.report_bulk(&removed);
        self.idx.last_seq = seq;
        self.idx.last_ts = last_ts;
        if seq == 0 {
            self.idx.first_seq = 0;
            self.idx.first_ts = 0;
        } else if self.idx.msgs.is_empty() {
            // Go leaves the first sequence where it was.
            self.idx.first_seq = first;
            self.idx.first_ts = first_ts;
        }
        let r = self.be.truncate(&mut self.idx, removed);
        self.note(r)
    }

    /// Go `expireMsgs` with an explicit clock: drops messages older than `max_age` (except those
    /// whose TTL is `never`) and messages whose own TTL ran out. Returns how many went.
    pub fn expire(&mut self, now: i64) -> StoreResult<u64> {
        self.check_open()?;
        let mut gone = Vec::new();
        if self.cfg.max_age > 0 {
            let cutoff = now.saturating_sub(self.cfg.max_age);
            for (&s, e) in &self.idx.msgs {
                if e.ts > cutoff {
                    break;
                }
                if e.ttl >= 0 {
                    gone.push(s);
                }
            }
        }
        while let Some(&(exp, s)) = self.ttls.first() {
            if exp > now {
                break;
            }
            self.ttls.pop_first();
            gone.push(s);
        }
        let mut n = 0;
        for s in gone {
            if self.remove(s, false, true)? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// When `expire` next has work: the oldest message's `max_age` deadline or the earliest TTL.
    pub fn next_expiry(&self) -> Option<i64> {
        let age = (self.cfg.max_age > 0)
            .then(|| {
                self.idx
                    .msgs
                    .values()
                    .find(|e| e.ttl >= 0)
                    .map(|e| e.ts.saturating_add(self.cfg.max_age))
            })
            .flatten();
        let ttl = self.ttls.first().map(|&(t, _)| t);
        match (age, ttl) {
            (Some(a), Some(t)) => Some(a.min(t)),
            (a, t) => a.or(t),
        }
    }

    /// Go `UpdateConfig`: applies new limits and enforces them at once.
    pub fn update_config(&mut self, cfg: &StoreConfig) -> StoreResult<()> {
        self.check_open()?;
        let old_maxp = self.cfg.max_msgs_per_subject;
        let had_ttl = self.cfg.allow_msg_ttl;
        self.cfg = sanitize(cfg.clone());
        self.be.set_compress(self.cfg.compress);
        if self.cfg.allow_msg_ttl != had_ttl {
            self.rebuild_ttls();
        }
        self.enforce_msg_limit()?;
        self.enforce_bytes_limit()?;
        let maxp = self.cfg.max_msgs_per_subject;
        if maxp > 0 && (old_maxp <= 0 || maxp < old_maxp) {
            let over: Vec<Arc<str>> = self
                .idx
                .fss
                .iter()
                .filter(|(_, s)| s.msgs > maxp as u64)
                .map(|(k, _)| k.clone())
                .collect();
            for s in over {
                self.enforce_per_subject(&s)?;
            }
        }
        if self.cfg.max_age != 0 || self.cfg.allow_msg_ttl {
            self.expire(now_nanos())?;
        }
        Ok(())
    }

    /// Go `Stop`: flushes, lets the backend persist its state, and closes.
    pub fn stop(&mut self) -> StoreResult<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        if B::KIND == StorageType::Memory {
            // Memory cannot come back: stopping releases it, as Go's memstore purges.
            let removed = self.take_all();
            self.report_bulk(&removed);
            let next = self.idx.last_seq + 1;
            self.idx.reset_to(next);
        }
        if self.werr.is_some() {
            return Ok(());
        }
        self.be.stop(&self.idx)
    }
}
