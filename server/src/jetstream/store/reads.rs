//! The read side of the [`Engine`]: loading messages by sequence, next/previous/last match, and
//! stream state (Go `LoadMsg`, `LoadNextMsg`, `LoadPrevMsg`, `LoadLastMsg`, `State`). A record
//! whose bytes fail their check is never returned: it is dropped from the store, counted as
//! lost, and the search moves on.

use super::engine::{Backend, Engine};
use super::query::Filter;
use super::types::{SimpleState, StoreError, StoreMsg, StoreResult, StreamState};

impl<B: Backend> Engine<B> {
    /// Reads `seq`; a damaged record is dropped from the store and reported as lost.
    pub(crate) fn read(&mut self, seq: u64) -> StoreResult<Option<StoreMsg>> {
        let Some(e) = self.idx.msgs.get(&seq) else {
            return Ok(None);
        };
        match self.be.read(seq, e)? {
            Some((hdr, msg)) => Ok(Some(StoreMsg {
                subject: e.subj.clone(),
                hdr,
                msg,
                seq,
                ts: e.ts,
            })),
            None => {
                let lost = self.lost.get_or_insert_with(Default::default);
                lost.msgs.push(seq);
                lost.bytes += e.size;
                self.remove(seq, false, true)?;
                Ok(None)
            }
        }
    }

    /// Go `LoadMsg`.
    pub fn load(&mut self, seq: u64) -> StoreResult<StoreMsg> {
        self.check_open()?;
        match self.read(seq)? {
            Some(m) => Ok(m),
            None if seq <= self.idx.last_seq => Err(StoreError::MsgNotFound),
            None => Err(StoreError::Eof),
        }
    }

    /// Go `LoadNextMsg`: the first message at or after `start` matching the filter.
    pub fn load_next(&mut self, filter: &str, wc: bool, start: u64) -> StoreResult<StoreMsg> {
        self.check_open()?;
        let mut from = start;
        while let Some(s) = self.idx.next_match(filter, wc, from) {
            if let Some(m) = self.read(s)? {
                return Ok(m);
            }
            from = s + 1;
        }
        Err(StoreError::Eof)
    }

    /// `LoadNextMsgMulti`: the first message at or after `start` matching any filter.
    pub fn load_next_multi(&mut self, filters: &[String], start: u64) -> StoreResult<StoreMsg> {
        self.check_open()?;
        let mut from = start;
        loop {
            let next = filters
                .iter()
                .filter_map(|f| self.idx.next_match(f, true, from))
                .min();
            let Some(s) = next else {
                return Err(StoreError::Eof);
            };
            if let Some(m) = self.read(s)? {
                return Ok(m);
            }
            from = s + 1;
        }
    }

    /// Go `LoadPrevMsg`: the last message at or before `start` matching the filter.
    pub fn load_prev(&mut self, filter: &str, wc: bool, start: u64) -> StoreResult<StoreMsg> {
        self.check_open()?;
        let mut from = start;
        while let Some(s) = self.idx.prev_match(filter, wc, from) {
            if let Some(m) = self.read(s)? {
                return Ok(m);
            }
            if s == 0 {
                break;
            }
            from = s - 1;
        }
        Err(StoreError::Eof)
    }

    /// Go `LoadLastMsg`: the newest message on `subject` (a filter; `""`/`">"` mean any).
    pub fn load_last(&mut self, subject: &str) -> StoreResult<StoreMsg> {
        self.check_open()?;
        loop {
            let f = Filter::new(subject);
            let last = if f.is_all() {
                self.idx.msgs.keys().next_back().copied()
            } else {
                let ss: SimpleState = self.idx.filtered_state(1, subject, true);
                (ss.msgs > 0).then_some(ss.last)
            };
            let Some(s) = last else {
                return Err(StoreError::MsgNotFound);
            };
            if let Some(m) = self.read(s)? {
                return Ok(m);
            }
        }
    }

    /// Go `State` (`with_deleted`) or `FastState`.
    pub fn state(&self, with_deleted: bool) -> StreamState {
        let i = &self.idx;
        let deleted = if with_deleted {
            i.deleted()
        } else {
            Vec::new()
        };
        StreamState {
            msgs: i.len(),
            bytes: i.bytes,
            first_seq: i.first_seq,
            first_ts: i.first_ts,
            last_seq: i.last_seq,
            last_ts: i.last_ts,
            num_subjects: i.fss.len(),
            subjects: None,
            num_deleted: if with_deleted {
                deleted.len()
            } else {
                i.num_deleted()
            },
            deleted,
            lost: self.lost.clone(),
            consumers: 0,
        }
    }
}
