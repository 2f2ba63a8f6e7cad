//! Pacing of deliveries: `replay_policy: original` keeps the gaps between the messages' original
//! timestamps until the consumer catches up with the stream (Go's `o.replay`, `lts`, `lseq` in
//! `loopAndGatherMsgs`), and `rate_limit_bps` throttles a push consumer with a token bucket that
//! holds one maximum message (Go's `rate.Limiter` from `setRateLimit`). Neither sleeps: a
//! message that must wait goes back and the delivery task wakes when it may go.

use std::time::{Duration, Instant};

/// Go's replay threshold: gaps of a millisecond or less are not waited for.
const REPLAY_MIN_GAP: i64 = 1_000_000;

#[derive(Default)]
pub struct Pace {
    /// Replaying at the original pace, up to the stream's last sequence when replay began.
    pub replay: bool,
    pub replay_until: Option<u64>,
    /// Timestamp of the last message let through (Go's `lts`).
    last_ts: i64,
    /// The wait already decided for the next message.
    replay_hold: Option<Instant>,
    /// Token bucket in bytes, and when it was last filled.
    tokens: f64,
    filled: Option<Instant>,
    rate_hold: Option<Instant>,
}

impl Pace {
    pub fn new(replay: bool) -> Pace {
        Pace {
            replay,
            ..Pace::default()
        }
    }

    /// May a message with timestamp `ts` and `size` bytes go now? Err(when) holds it until then.
    /// `rate` is in bytes per second (0: unlimited), `burst` the bucket size.
    pub fn gate(
        &mut self,
        ts: i64,
        size: i64,
        rate: u64,
        burst: i64,
        now: Instant,
    ) -> Result<(), Instant> {
        if self.replay && self.last_ts > 0 {
            match self.replay_hold {
                Some(at) if now < at => return Err(at),
                Some(_) => self.replay_hold = None,
                None => {
                    let gap = ts - self.last_ts;
                    if gap > REPLAY_MIN_GAP {
                        let at = now + Duration::from_nanos(gap as u64);
                        self.replay_hold = Some(at);
                        return Err(at);
                    }
                }
            }
        }
        self.last_ts = ts;
        if rate == 0 {
            return Ok(());
        }
        match self.rate_hold {
            Some(at) if now < at => return Err(at),
            // The bytes were already taken when the wait was decided.
            Some(_) => {
                self.rate_hold = None;
                return Ok(());
            }
            None => {}
        }
        let burst = burst.max(1) as f64;
        let per_sec = rate as f64;
        self.tokens = match self.filled {
            None => burst,
            Some(t) => (self.tokens + now.duration_since(t).as_secs_f64() * per_sec).min(burst),
        };
        self.filled = Some(now);
        self.tokens -= size as f64;
        if self.tokens < 0.0 {
            let at = now + Duration::from_secs_f64(-self.tokens / per_sec);
            self.rate_hold = Some(at);
            return Err(at);
        }
        Ok(())
    }

    /// Nothing more to deliver: replay ends once past where the stream was when it began.
    pub fn caught_up(&mut self, next_seq: u64) {
        if self.replay && self.replay_until.is_some_and(|l| next_seq > l) {
            self.replay = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_waits_the_original_gaps() {
        let mut p = Pace::new(true);
        let t0 = Instant::now();
        assert_eq!(p.gate(1_000_000_000, 10, 0, 0, t0), Ok(()));
        // 500ms later in the original: held for 500ms from now, then let through.
        let at = p.gate(1_500_000_000, 10, 0, 0, t0).unwrap_err();
        assert_eq!(at, t0 + Duration::from_millis(500));
        assert_eq!(
            p.gate(1_500_000_000, 10, 0, 0, t0 + Duration::from_millis(100)),
            Err(at)
        );
        assert_eq!(p.gate(1_500_000_000, 10, 0, 0, at), Ok(()));
        // Gaps of a millisecond or less are not waited for.
        assert_eq!(p.gate(1_500_900_000, 10, 0, 0, at), Ok(()));
        p.replay_until = Some(3);
        p.caught_up(3);
        assert!(p.replay);
        p.caught_up(4);
        assert!(!p.replay);
        assert_eq!(p.gate(9_000_000_000, 10, 0, 0, at), Ok(()));
    }

    #[test]
    fn rate_limit_spends_a_full_bucket_then_waits() {
        let mut p = Pace::new(false);
        let t0 = Instant::now();
        // 1000 bytes/s, bucket of 1000: ten 100-byte messages go at once.
        for _ in 0..10 {
            assert_eq!(p.gate(0, 100, 1000, 1000, t0), Ok(()));
        }
        let at = p.gate(0, 100, 1000, 1000, t0).unwrap_err();
        assert_eq!(at, t0 + Duration::from_millis(100));
        assert_eq!(p.gate(0, 100, 1000, 1000, at), Ok(()));
        // The bucket refills with time.
        let later = at + Duration::from_millis(500);
        for _ in 0..5 {
            assert_eq!(p.gate(0, 100, 1000, 1000, later), Ok(()));
        }
        assert!(p.gate(0, 100, 1000, 1000, later).is_err());
    }
}
