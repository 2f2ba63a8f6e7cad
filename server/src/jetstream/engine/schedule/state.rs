//! The schedules a stream holds and when they are due: Go's `MsgScheduling` (scheduler.go) with
//! an ordered set in place of the timed hash wheel.
//!
//! One schedule per subject: the latest schedule message stored on it. A schedule is due at its
//! time; once its message is produced it stays "in flight" (not produced again) until the stored
//! message moves it on (`Nats-Schedule-Next`) or a new schedule replaces it. The timer keeps
//! Go's rules: it fires at least 250ms after it is set, and a reset never pushes a pending
//! deadline later (so steady publishing cannot starve it).

use std::collections::{BTreeSet, HashMap, HashSet};

/// Go: never fire sooner than this after arming, to spare the ingest path.
pub const MIN_FIRE_IN: i64 = 250_000_000;

#[derive(Default)]
pub struct State {
    /// Subject → (sequence of its schedule message, when it fires).
    schedules: HashMap<String, (u64, i64)>,
    seq_to_subj: HashMap<u64, String>,
    /// (fire time, sequence), earliest first.
    queue: BTreeSet<(i64, u64)>,
    inflight: HashSet<String>,
    /// Set while due schedules are produced: resets wait until the round is over.
    pub running: bool,
    /// When the timer fires (Unix nanoseconds).
    pub deadline: Option<i64>,
}

impl State {
    /// Go's `add` without the timer reset: the schedule of `subj` is now message `seq`.
    pub fn init(&mut self, seq: u64, subj: &str, ts: i64) {
        if let Some((old_seq, old_ts)) = self.schedules.get(subj).copied() {
            self.seq_to_subj.remove(&old_seq);
            self.queue.remove(&(old_ts, old_seq));
        }
        self.queue.insert((ts, seq));
        self.schedules.insert(subj.to_string(), (seq, ts));
        self.seq_to_subj.insert(seq, subj.to_string());
        self.inflight.remove(subj);
    }

    /// Go's `update`: the schedule of `subj` fires next at `ts`. True when there was one.
    pub fn update(&mut self, subj: &str, ts: i64) -> bool {
        let Some(entry) = self.schedules.get_mut(subj) else {
            return false;
        };
        self.queue.remove(&(entry.1, entry.0));
        self.queue.insert((ts, entry.0));
        entry.1 = ts;
        self.inflight.remove(subj);
        true
    }

    pub fn mark_inflight(&mut self, subj: &str) {
        if self.schedules.contains_key(subj) {
            self.inflight.insert(subj.to_string());
        }
    }

    pub fn is_inflight(&self, subj: &str) -> bool {
        self.inflight.contains(subj)
    }

    /// Go's `remove`: forget the schedule whose message is `seq`.
    pub fn remove(&mut self, seq: u64) {
        if let Some(subj) = self.seq_to_subj.get(&seq).cloned() {
            self.remove_subject(&subj);
        }
    }

    pub fn remove_subject(&mut self, subj: &str) {
        if let Some((seq, ts)) = self.schedules.remove(subj) {
            self.queue.remove(&(ts, seq));
            self.seq_to_subj.remove(&seq);
            self.inflight.remove(subj);
        }
    }

    /// Drop one queue entry (a due entry whose schedule is gone or invalid).
    pub fn drop_entry(&mut self, ts: i64, seq: u64) {
        self.queue.remove(&(ts, seq));
    }

    /// Forget everything (a rescan follows).
    pub fn clear(&mut self) {
        self.schedules.clear();
        self.seq_to_subj.clear();
        self.queue.clear();
        self.inflight.clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.schedules.len()
    }

    /// The entries due at `now`, earliest first.
    pub fn due(&self, now: i64) -> Vec<(i64, u64)> {
        self.queue
            .iter()
            .take_while(|(ts, _)| *ts <= now)
            .copied()
            .collect()
    }

    /// When the schedule of `subj` fires.
    #[cfg(test)]
    pub fn fires_at(&self, subj: &str) -> Option<i64> {
        self.schedules.get(subj).map(|(_, ts)| *ts)
    }

    /// Go's `resetTimer`: arm the timer for the earliest schedule, at least 250ms out, unless a
    /// round is running or an earlier deadline is already set. True when the deadline moved.
    pub fn reset_timer(&mut self, now: i64) -> bool {
        if self.running {
            return false;
        }
        let Some(&(next, _)) = self.queue.first() else {
            return false;
        };
        let fire_in = next.saturating_sub(now).max(MIN_FIRE_IN);
        let deadline = now.saturating_add(fire_in);
        if self.deadline.is_some_and(|d| deadline > d) {
            return false;
        }
        self.deadline = Some(deadline);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_schedule_on_a_subject_replaces_the_old_one() {
        let mut s = State::default();
        s.init(1, "foo.a", 10);
        s.mark_inflight("foo.a");
        s.init(5, "foo.a", 20);
        assert_eq!(s.len(), 1);
        assert!(!s.is_inflight("foo.a"));
        assert_eq!(s.due(100), vec![(20, 5)]);
        s.remove(1);
        assert_eq!(
            s.len(),
            1,
            "a replaced sequence no longer names the schedule"
        );
        s.remove(5);
        assert_eq!(s.len(), 0);
        assert!(s.due(100).is_empty());
    }

    #[test]
    fn update_moves_the_fire_time_and_clears_in_flight() {
        let mut s = State::default();
        s.init(1, "foo.a", 10);
        s.mark_inflight("foo.a");
        assert!(s.update("foo.a", 50));
        assert!(!s.is_inflight("foo.a"));
        assert_eq!(s.fires_at("foo.a"), Some(50));
        assert!(!s.update("foo.none", 50));
        assert!(s.due(49).is_empty());
    }

    #[test]
    fn the_timer_never_moves_later_and_waits_at_least_250ms() {
        let mut s = State::default();
        s.init(1, "a", 0);
        assert!(s.reset_timer(1_000_000_000));
        assert_eq!(s.deadline, Some(1_000_000_000 + MIN_FIRE_IN));
        // A reset later on would push the deadline out: it stays.
        assert!(!s.reset_timer(1_100_000_000));
        assert_eq!(s.deadline, Some(1_000_000_000 + MIN_FIRE_IN));
        s.running = true;
        s.deadline = None;
        assert!(!s.reset_timer(0), "no reset while a round runs");
    }
}
