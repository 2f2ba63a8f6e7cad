//! Read-side questions over the [`Index`]: filtered state, per-subject state and totals, pending
//! counts, last sequences per subject, next/previous match and time lookup. Matches Go's
//! `memStore.filteredStateLocked`, `SubjectsState`, `SubjectsTotals`, `NumPending`,
//! `AllLastSeqs`, `MultiLastSeqs`, `loadNextMsgLocked`, `LoadPrevMsg`, `GetSeqFromTime`; both
//! stores answer through here, so they agree by construction.
//!
//! Subject filters: `""` and `">"` mean all; a filter with `*`/`>` tokens matches as in Go's
//! `matchLiteral`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::index::{span, Index};
use super::types::{SimpleState, StoreError, StoreResult};
use crate::sublist::{is_subset_match, match_literal, subject_has_wildcard};

/// A subject filter, parsed once.
pub(crate) struct Filter<'a> {
    text: &'a str,
    all: bool,
    wild: bool,
}

impl<'a> Filter<'a> {
    pub fn new(filter: &'a str) -> Self {
        let all = filter.is_empty() || filter == ">";
        Filter {
            text: filter,
            all,
            wild: !all && subject_has_wildcard(filter.as_bytes()),
        }
    }

    /// Treats the filter as a literal even if it holds wildcard tokens (Go's `wc == false`).
    pub fn new_with_wc(filter: &'a str, wc: bool) -> Self {
        let mut f = Filter::new(filter);
        f.wild &= wc;
        f
    }

    pub fn is_all(&self) -> bool {
        self.all
    }

    pub fn matches(&self, subj: &str) -> bool {
        if self.all {
            true
        } else if self.wild {
            match_literal(subj.as_bytes(), self.text.as_bytes())
        } else {
            subj == self.text
        }
    }
}

impl<L> Index<L> {
    /// Subjects of the subject index matching `f`, first/last brought up to date.
    fn matching_subjects(&mut self, f: &Filter<'_>) -> Vec<Arc<str>> {
        let keys: Vec<Arc<str>> = if !f.all && !f.wild {
            self.fss
                .get_key_value(f.text)
                .map(|(k, _)| k.clone())
                .into_iter()
                .collect()
        } else {
            self.fss.keys().filter(|k| f.matches(k)).cloned().collect()
        };
        self.refresh_subjects(keys.iter());
        keys
    }

    /// Go `filteredStateLocked`: messages matching `filter` at or after `sseq`. With
    /// `last_per_subject` each matching subject counts once (its last message).
    pub fn filtered_state(
        &mut self,
        sseq: u64,
        filter: &str,
        last_per_subject: bool,
    ) -> SimpleState {
        let sseq = sseq.max(self.first_seq);
        if sseq > self.last_seq {
            return SimpleState::default();
        }
        let f = Filter::new(filter);
        if f.all && sseq <= self.first_seq {
            let msgs = if last_per_subject {
                self.fss.len() as u64
            } else {
                self.len()
            };
            return SimpleState {
                msgs,
                first: self.first_seq,
                last: self.last_seq,
            };
        }
        if f.all && !last_per_subject {
            return self.all_from(sseq);
        }
        let subjects = self.matching_subjects(&f);
        let mut ss = SimpleState::default();
        let mut partial = false;
        for s in &subjects {
            let Some(st) = self.fss.get(&**s) else {
                continue;
            };
            if st.last < sseq {
                continue;
            }
            let (msgs, first) = if last_per_subject {
                (1, st.last)
            } else {
                partial |= st.first < sseq;
                (st.msgs, st.first)
            };
            ss.msgs += msgs;
            if ss.first == 0 || first < ss.first {
                ss.first = first;
            }
            ss.last = ss.last.max(st.last);
        }
        if !partial {
            return ss;
        }
        // Some subject straddles `sseq`: count what lies in [sseq, last] by walking it.
        let (mut msgs, mut first) = (0, 0);
        for (&seq, e) in span(&self.msgs, sseq, ss.last) {
            if f.matches(&e.subj) {
                msgs += 1;
                if first == 0 {
                    first = seq;
                }
            }
        }
        SimpleState {
            msgs,
            first,
            last: ss.last,
        }
    }

    /// Every message in `[sseq, last]` (first_seq < sseq <= last_seq): arithmetic when no message
    /// is missing in between, else a walk of the shorter side of `sseq`.
    fn all_from(&self, sseq: u64) -> SimpleState {
        let total = self.len();
        let span_len = self.last_seq - self.first_seq + 1;
        let msgs = if total == span_len {
            self.last_seq - sseq + 1
        } else if sseq - self.first_seq <= self.last_seq - sseq {
            total - span(&self.msgs, self.first_seq, sseq - 1).count() as u64
        } else {
            span(&self.msgs, sseq, self.last_seq).count() as u64
        };
        let first = self.msgs.range(sseq..).next().map_or(0, |(&s, _)| s);
        let last = self.msgs.keys().next_back().copied().unwrap_or(0);
        SimpleState {
            msgs,
            first,
            last: if msgs == 0 { 0 } else { last },
        }
    }

    /// Go `SubjectsState`: per-subject totals for subjects matching `filter`.
    pub fn subjects_state(&mut self, filter: &str) -> HashMap<String, SimpleState> {
        let f = Filter::new(filter);
        let subjects = self.matching_subjects(&f);
        subjects
            .iter()
            .filter_map(|s| {
                let st = self.fss.get(&**s)?;
                Some((
                    s.to_string(),
                    SimpleState {
                        msgs: st.msgs,
                        first: st.first,
                        last: st.last,
                    },
                ))
            })
            .collect()
    }

    /// Go `SubjectsTotals`: message count per subject matching `filter`.
    pub fn subjects_totals(&self, filter: &str) -> HashMap<String, u64> {
        let f = Filter::new(filter);
        self.fss
            .iter()
            .filter(|(k, _)| f.matches(k))
            .map(|(k, st)| (k.to_string(), st.msgs))
            .collect()
    }

    /// Go `AllLastSeqs`: the last sequence of every subject, ascending.
    pub fn all_last_seqs(&mut self) -> Vec<u64> {
        let keys: Vec<Arc<str>> = self.fss.keys().cloned().collect();
        self.refresh_subjects(keys.iter());
        let mut seqs: Vec<u64> = self.fss.values().map(|s| s.last).collect();
        seqs.sort_unstable();
        seqs
    }

    /// Go `MultiLastSeqs`: the last sequence at or below `max_seq` (0: the last sequence) of every
    /// subject matching any filter, ascending and without duplicates; more than `max_allowed`
    /// (when > 0) is [`StoreError::TooManyResults`].
    pub fn multi_last_seqs(
        &mut self,
        filters: &[String],
        stream_subjects: &[String],
        max_seq: u64,
        max_allowed: usize,
    ) -> StoreResult<Vec<u64>> {
        if self.msgs.is_empty() {
            return Ok(Vec::new());
        }
        if max_seq == 0 && max_allowed == 0 && filter_is_all(filters, stream_subjects) {
            return Ok(self.all_last_seqs());
        }
        let max_seq = if max_seq == 0 { self.last_seq } else { max_seq };
        let mut seen = HashSet::new();
        let mut seqs = Vec::new();
        for filter in filters {
            let f = Filter::new(filter);
            for s in self.matching_subjects(&f) {
                let Some(st) = self.fss.get(&*s) else {
                    continue;
                };
                let found = if st.last <= max_seq {
                    Some(st.last)
                } else if st.msgs > 1 {
                    span(&self.msgs, st.first, max_seq)
                        .rev()
                        .find(|(_, e)| e.subj == s)
                        .map(|(&q, _)| q)
                } else {
                    None
                };
                if let Some(q) = found {
                    if seen.insert(q) {
                        seqs.push(q);
                    }
                }
            }
            if max_allowed > 0 && seqs.len() > max_allowed {
                return Err(StoreError::TooManyResults);
            }
        }
        seqs.sort_unstable();
        Ok(seqs)
    }

    /// Go `loadNextMsgLocked`'s search: the first live sequence `>= start` matching the filter.
    pub fn next_match(&mut self, filter: &str, wc: bool, start: u64) -> Option<u64> {
        let start = start.max(self.first_seq);
        if start > self.last_seq || self.msgs.is_empty() {
            return None;
        }
        let f = Filter::new_with_wc(filter, wc);
        if f.all {
            return self.msgs.range(start..).next().map(|(&s, _)| s);
        }
        // Narrow the walk with the subject index when it is small enough to be cheaper.
        let (mut lo, mut hi) = (start, self.last_seq);
        if !f.wild || self.fss.len() <= 256 {
            let (mut first, mut last, mut any) = (u64::MAX, 0, false);
            for s in self.matching_subjects(&f) {
                let Some(st) = self.fss.get(&*s) else {
                    continue;
                };
                if st.last >= start {
                    any = true;
                    first = first.min(st.first);
                    last = last.max(st.last);
                }
            }
            if !any {
                return None;
            }
            lo = lo.max(first);
            hi = last;
        }
        span(&self.msgs, lo, hi)
            .find(|(_, e)| f.matches(&e.subj))
            .map(|(&s, _)| s)
    }

    /// Go `LoadPrevMsg`'s search: the last live sequence `<= start` matching the filter.
    pub fn prev_match(&self, filter: &str, wc: bool, start: u64) -> Option<u64> {
        if self.msgs.is_empty() || start < self.first_seq {
            return None;
        }
        let f = Filter::new_with_wc(filter, wc || filter.is_empty());
        span(&self.msgs, self.first_seq, start.min(self.last_seq))
            .rev()
            .find(|(_, e)| f.matches(&e.subj))
            .map(|(&s, _)| s)
    }

    /// Go `GetSeqFromTime`: the first sequence whose message time is `>= ts`, or `last_seq + 1`.
    /// Times rise with sequences, so this is a binary search over the sequence range.
    pub fn seq_from_time(&self, ts: i64) -> u64 {
        let Some((&first, fe)) = self.msgs.iter().next() else {
            return self.last_seq + 1;
        };
        if ts <= fe.ts {
            return first;
        }
        let Some((&last, le)) = self.msgs.iter().next_back() else {
            return self.last_seq + 1;
        };
        if ts > le.ts {
            return self.last_seq + 1;
        }
        // Binary search over sequences: the first live message at or after `s` has a time that
        // rises with `s`; find the smallest `s` where it reaches `ts`.
        let at = |s: u64| self.msgs.range(s..).next().map(|(&q, e)| (q, e.ts));
        let (mut lo, mut hi) = (first, last);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match at(mid) {
                Some((_, t)) if t >= ts => hi = mid,
                _ => lo = mid + 1,
            }
        }
        at(lo).map(|(q, _)| q).unwrap_or(self.last_seq + 1)
    }
}

/// Go `filterIsAll`: `[">"]`, or filters that pair up with the stream's subjects.
fn filter_is_all(filters: &[String], stream_subjects: &[String]) -> bool {
    if filters.len() == 1 && filters[0] == ">" {
        return true;
    }
    if filters.len() != stream_subjects.len() {
        return false;
    }
    let mut f: Vec<&String> = filters.iter().collect();
    let mut s: Vec<&String> = stream_subjects.iter().collect();
    f.sort();
    s.sort();
    f.iter()
        .zip(s.iter())
        .all(|(f, s)| is_subset_match(s.as_bytes(), f.as_bytes()))
}
