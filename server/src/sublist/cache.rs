//! The match cache: subject → shared result, so a repeated publish subject costs one hash
//! lookup and an `Arc` clone.
//!
//! Rules kept (Go `addToCache`, `removeFromCache`, `reduceCacheCount`): the cache holds at
//! most [`CACHE_MAX`] entries and, once past that, is swept down to [`CACHE_SWEEP`]; an insert
//! patches every cached result its subject matches (a new result, readers keep the old one);
//! a remove drops every cached entry its subject matches, to be rebuilt on the next match.
//! Negative results are cached too.

use std::collections::HashMap;
use std::sync::Arc;

use super::result::SublistResult;
use super::subject::{match_literal, subject_is_literal};

/// Go `slCacheMax`: bound on cached subjects.
pub const CACHE_MAX: usize = 1024;
/// Go `slCacheSweep`: size the cache is cut down to once it passes [`CACHE_MAX`].
pub const CACHE_SWEEP: usize = 256;

pub(crate) struct Cache<T> {
    map: HashMap<Box<[u8]>, Arc<SublistResult<T>>>,
}

impl<T> Cache<T> {
    pub(crate) fn new() -> Self {
        Cache {
            map: HashMap::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

impl<T: Clone> Cache<T> {
    #[inline]
    pub(crate) fn get(&self, subject: &[u8]) -> Option<&Arc<SublistResult<T>>> {
        self.map.get(subject)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Arc<SublistResult<T>>> {
        self.map.values()
    }

    /// Stores a freshly computed result, then sweeps if the bound is passed. Go sweeps from a
    /// background goroutine and drops arbitrary entries; here the sweep runs inline under the
    /// same lock and also drops arbitrary (hash-order) entries.
    pub(crate) fn store(&mut self, subject: &[u8], result: Arc<SublistResult<T>>) {
        self.map.insert(Box::from(subject), result);
        if self.map.len() > CACHE_MAX {
            let mut keep = CACHE_SWEEP;
            self.map.retain(|_, _| {
                if keep == 0 {
                    return false;
                }
                keep -= 1;
                true
            });
        }
    }

    /// Adds a newly inserted subscriber to every cached result its subject matches.
    pub(crate) fn on_insert(
        &mut self,
        subject: &[u8],
        queue: Option<&Arc<[u8]>>,
        item: &T,
        weight: u32,
    ) {
        if subject_is_literal(subject) {
            if let Some(r) = self.map.get_mut(subject) {
                *r = Arc::new(r.with_added(queue, item, weight));
            }
            return;
        }
        for (key, r) in self.map.iter_mut() {
            if match_literal(key, subject) {
                *r = Arc::new(r.with_added(queue, item, weight));
            }
        }
    }

    /// Drops every cached result a removed (or re-weighted) subscriber's subject matches.
    pub(crate) fn on_remove(&mut self, subject: &[u8]) {
        if subject_is_literal(subject) {
            self.map.remove(subject);
            return;
        }
        self.map.retain(|key, _| !match_literal(key, subject));
    }
}
