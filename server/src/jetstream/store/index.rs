//! The in-memory index both stores keep: every live message by sequence (with its subject, time,
//! accounted size and a backend location), per-subject totals, and the stream counters.
//!
//! The rule it keeps is Go's stream-state bookkeeping (`memStore.storeRawMsg`,
//! `removeMsgNoCB`, `updateFirstSeq`, `removeSeqPerSubject`, `recalculateForSubj`): `first_seq`
//! is the lowest live sequence, or `last_seq + 1` when the store is empty; `last_seq` never moves
//! back except through `truncate`; a subject's first/last are recomputed lazily after a removal.
//! The memory store keeps the payload in the location; the file store keeps a block offset.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One live message.
pub(crate) struct Entry<L> {
    pub subj: Arc<str>,
    pub ts: i64,
    /// Accounted size (the store's `msg_size`).
    pub size: u64,
    /// Seconds to live from `ts`; 0 none, negative never (exempt from `max_age`).
    pub ttl: i64,
    pub loc: L,
}

/// Per-subject totals with Go's lazy first/last flags.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SubjState {
    pub msgs: u64,
    pub first: u64,
    pub last: u64,
    pub first_stale: bool,
    pub last_stale: bool,
}

/// Messages by sequence, subjects, and stream counters.
pub(crate) struct Index<L> {
    pub msgs: BTreeMap<u64, Entry<L>>,
    pub fss: HashMap<Arc<str>, SubjState>,
    pub bytes: u64,
    pub first_seq: u64,
    pub first_ts: i64,
    pub last_seq: u64,
    pub last_ts: i64,
}

impl<L> Default for Index<L> {
    fn default() -> Self {
        Index {
            msgs: BTreeMap::new(),
            fss: HashMap::new(),
            bytes: 0,
            first_seq: 0,
            first_ts: 0,
            last_seq: 0,
            last_ts: 0,
        }
    }
}

impl<L> Index<L> {
    pub fn len(&self) -> u64 {
        self.msgs.len() as u64
    }

    /// The shared subject string for `subj`, so every message of a subject holds one allocation.
    pub fn intern(&self, subj: &str) -> Arc<str> {
        match self.fss.get_key_value(subj) {
            Some((k, _)) => k.clone(),
            None => Arc::from(subj),
        }
    }

    /// Adds message `seq` (the caller has checked it is `last_seq + 1`).
    pub fn insert(&mut self, seq: u64, ts: i64, subj: Arc<str>, size: u64, ttl: i64, loc: L) {
        if self.msgs.is_empty() {
            self.first_seq = seq;
            self.first_ts = ts;
        }
        self.bytes += size;
        self.last_seq = seq;
        self.last_ts = ts;
        if !subj.is_empty() {
            match self.fss.get_mut(&*subj) {
                Some(ss) => {
                    ss.msgs += 1;
                    ss.last = seq;
                    ss.last_stale = false;
                }
                None => {
                    let ss = SubjState {
                        msgs: 1,
                        first: seq,
                        last: seq,
                        ..Default::default()
                    };
                    self.fss.insert(subj.clone(), ss);
                }
            }
        }
        self.msgs.insert(
            seq,
            Entry {
                subj,
                ts,
                size,
                ttl,
                loc,
            },
        );
    }

    /// Removes message `seq`, keeping counters, first sequence and subject totals right.
    pub fn remove(&mut self, seq: u64) -> Option<Entry<L>> {
        let e = self.msgs.remove(&seq)?;
        self.bytes = self.bytes.saturating_sub(e.size);
        if seq == self.first_seq {
            self.advance_first();
        }
        self.remove_from_subject(&e.subj, seq);
        Some(e)
    }

    /// Go `updateFirstSeq`: the first sequence moves to the lowest live message.
    fn advance_first(&mut self) {
        match self.msgs.iter().next() {
            Some((&s, e)) => {
                self.first_seq = s;
                self.first_ts = e.ts;
            }
            None => {
                self.first_seq = self.last_seq + 1;
                self.first_ts = 0;
            }
        }
    }

    /// Go `removeSeqPerSubject`.
    fn remove_from_subject(&mut self, subj: &str, seq: u64) {
        let Some(ss) = self.fss.get_mut(subj) else {
            return;
        };
        if ss.msgs <= 1 {
            self.fss.remove(subj);
            return;
        }
        ss.msgs -= 1;
        if ss.msgs == 1 {
            if !ss.last_stale && seq != ss.last {
                ss.first = ss.last;
                ss.first_stale = false;
                return;
            }
            if !ss.first_stale && seq != ss.first {
                ss.last = ss.first;
                ss.last_stale = false;
                return;
            }
        }
        ss.first_stale |= seq == ss.first;
        ss.last_stale |= seq == ss.last;
    }

    /// The totals of a subject, first/last recomputed if a removal left them stale.
    pub fn subject_state(&mut self, subj: &str) -> Option<SubjState> {
        let ss = self.fss.get_mut(subj)?;
        if ss.first_stale || ss.last_stale {
            recalc(&self.msgs, subj, ss);
        }
        Some(*ss)
    }

    /// Brings every stale subject up to date (before a read-only walk over `fss`).
    pub fn refresh_subjects<'a>(&mut self, subjects: impl IntoIterator<Item = &'a Arc<str>>) {
        for s in subjects {
            if let Some(ss) = self.fss.get_mut(&**s) {
                if ss.first_stale || ss.last_stale {
                    recalc(&self.msgs, s, ss);
                }
            }
        }
    }

    /// Forgets every message; the next one gets sequence `first`.
    pub fn reset_to(&mut self, first: u64) {
        self.msgs.clear();
        self.fss.clear();
        self.bytes = 0;
        self.first_seq = first;
        self.first_ts = 0;
        self.last_seq = first.saturating_sub(1);
    }

    /// Interior deletes between first and last sequence, ascending.
    pub fn deleted(&self) -> Vec<u64> {
        let mut out = Vec::new();
        if self.last_seq < self.first_seq {
            return out;
        }
        // Sequence 0 is never a message (a reset store has first = last = 0).
        let mut next = self.first_seq.max(1);
        for &s in self.msgs.keys() {
            out.extend(next..s);
            next = s + 1;
        }
        out.extend(next..=self.last_seq);
        out
    }

    /// Number of interior deletes (Go `FastState`'s `NumDeleted`).
    pub fn num_deleted(&self) -> usize {
        if self.last_seq > self.first_seq {
            (self.last_seq - self.first_seq + 1).saturating_sub(self.len()) as usize
        } else {
            0
        }
    }
}

/// Go `recalculateForSubj`: walks from the stale end towards the other to find the subject.
fn recalc<L>(msgs: &BTreeMap<u64, Entry<L>>, subj: &str, ss: &mut SubjState) {
    if ss.first_stale {
        if let Some((&s, _)) = span(msgs, ss.first + 1, ss.last).find(|(_, e)| &*e.subj == subj) {
            ss.first = s;
            ss.first_stale = false;
            if ss.msgs == 1 {
                ss.last = s;
                ss.last_stale = false;
                return;
            }
        }
    }
    if ss.last_stale && ss.last > 0 {
        if let Some((&s, _)) = span(msgs, ss.first, ss.last - 1)
            .rev()
            .find(|(_, e)| &*e.subj == subj)
        {
            ss.last = s;
            ss.last_stale = false;
            if ss.msgs == 1 {
                ss.first = s;
                ss.first_stale = false;
            }
        }
    }
}

/// Messages with `lo <= seq <= hi`; empty (never a panic) when `lo > hi`.
pub(crate) fn span<L>(
    msgs: &BTreeMap<u64, Entry<L>>,
    lo: u64,
    hi: u64,
) -> std::collections::btree_map::Range<'_, u64, Entry<L>> {
    if lo <= hi {
        msgs.range(lo..=hi)
    } else {
        msgs.range(0..0)
    }
}
