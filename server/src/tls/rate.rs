//! `connection_rate_limit`: at most N TLS handshakes started per second (Go's `rateCounter`). Connections
//! over the limit are told `Connection throttling is active. Please try again later.` and closed; the
//! number refused is logged once a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts TLS connections in one-second windows.
#[derive(Debug)]
pub struct RateCounter {
    limit: i64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    count: i64,
    blocked: u64,
    end: Option<Instant>,
}

impl RateCounter {
    pub fn new(limit: i64) -> Self {
        RateCounter {
            limit,
            state: Mutex::new(State {
                count: 0,
                blocked: 0,
                end: None,
            }),
        }
    }

    /// Whether one more connection fits in the current window (Go's `allow`).
    pub fn allow(&self) -> bool {
        self.allow_at(Instant::now())
    }

    fn allow_at(&self, now: Instant) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return true;
        };
        if s.end.is_none_or(|end| now > end) {
            s.count = 0;
            s.end = Some(now + Duration::from_secs(1));
        } else {
            s.count += 1;
        }
        let allow = s.count < self.limit;
        if !allow {
            s.blocked += 1;
        }
        allow
    }

    /// Connections refused since the last call.
    pub fn take_blocked(&self) -> u64 {
        self.state
            .lock()
            .map(|mut s| std::mem::take(&mut s.blocked))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_per_second_window() {
        let r = RateCounter::new(3);
        let t = Instant::now();
        let got: Vec<bool> = (0..5).map(|_| r.allow_at(t)).collect();
        assert_eq!(got, vec![true, true, true, false, false]);
        assert_eq!(r.take_blocked(), 2);
        assert_eq!(r.take_blocked(), 0);
        assert!(r.allow_at(t + Duration::from_millis(1001)));
    }
}
