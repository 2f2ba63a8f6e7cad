//! Sublist statistics, the numbers `/subsz` reports (Go `SublistStats` and its `add`).
//!
//! Fan-out is read from the cached results (plain subscribers plus queue groups per cached
//! subject), so it is zero when the cache is off, as in Go.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SublistStats {
    #[serde(rename = "num_subscriptions")]
    pub num_subs: u32,
    pub num_cache: u32,
    pub num_inserts: u64,
    pub num_removes: u64,
    pub num_matches: u64,
    #[serde(serialize_with = "go_float")]
    pub cache_hit_rate: f64,
    pub max_fanout: u32,
    #[serde(serialize_with = "go_float")]
    pub avg_fanout: f64,
    /// Sum of fan-outs over the cached results, kept so [`SublistStats::add`] can average.
    #[serde(skip)]
    pub tot_fanout: u64,
    /// Number of cached results the fan-out was read from.
    #[serde(skip)]
    pub cache_cnt: u64,
    /// Lookups answered from the cache, by `match_subject` and by `has_interest`.
    #[serde(skip)]
    pub cache_hits: u64,
}

/// A float as Go's `encoding/json` writes it: whole numbers without a fraction (`0`, not `0.0`).
fn go_float<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

impl SublistStats {
    /// Folds another sublist's stats into these (one per account, summed for `/subsz`).
    /// Averages are recomputed from the raw totals, not averaged themselves.
    pub fn add(&mut self, other: &SublistStats) {
        self.num_subs += other.num_subs;
        self.num_cache += other.num_cache;
        self.num_inserts += other.num_inserts;
        self.num_removes += other.num_removes;
        self.num_matches += other.num_matches;
        self.cache_hits += other.cache_hits;
        self.max_fanout = self.max_fanout.max(other.max_fanout);
        self.tot_fanout += other.tot_fanout;
        self.cache_cnt += other.cache_cnt;
        if self.tot_fanout > 0 {
            self.avg_fanout = self.tot_fanout as f64 / self.cache_cnt as f64;
        }
        if self.num_matches > 0 {
            self.cache_hit_rate = self.cache_hits as f64 / self.num_matches as f64;
        }
    }
}
