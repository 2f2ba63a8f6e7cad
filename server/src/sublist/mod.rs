//! The subject index: which subscribers does a published subject reach?
//!
//! [`Sublist`] stores items (subscriptions, permission entries...) under subjects that may hold
//! wildcards, and answers `match_subject` for literal subjects with every plain subscriber and
//! every queue group member. It is pure (no I/O, no async) and shared as `Arc<Sublist<T>>`:
//! all methods take `&self` and one `RwLock` guards the trie, the cache and the counters that
//! must move together. Item identity is `PartialEq` (the server compares `Arc` pointers).
//!
//! Behaviour follows Go's `server/sublist.go` (`Sublist`): the same validity rules, the same
//! bounded match cache kept in step with inserts and removes, negative results cached and
//! shared, a generation id bumped on every change so callers can keep their own caches, the
//! same stats, and interest notifications for exact subjects.

mod cache;
mod level;
mod notify;
mod result;
mod stats;
mod subject;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use cache::Cache;
use level::{match_level, match_level_for_any, reverse_match_level, Level};
use notify::{notify_key, NotifyMaps};

pub use cache::{CACHE_MAX, CACHE_SWEEP};
pub use notify::InterestNotify;
pub use result::SublistResult;
pub use stats::SublistStats;
pub use subject::{
    is_reserved_queue_name, is_subset_match, is_valid_literal_subject, is_valid_publish_subject,
    is_valid_queue_name, is_valid_subject, is_valid_subject_checked, match_literal, num_tokens,
    subject_has_wildcard, subject_is_literal, subject_matches_filter, subjects_collide, token_at,
    tokens, Tokens, FWC, PWC, SYS_QUEUE_GROUP, TSEP,
};

use subject::{has_no_empty_tokens, is_valid_sublist_subject};

/// Sublist errors; the texts are Go's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SublistError {
    #[error("sublist: invalid subject")]
    InvalidSubject,
    #[error("sublist: no matches found")]
    NotFound,
    #[error("sublist: notification already registered")]
    AlreadyRegistered,
}

/// Everything that changes together under the lock.
struct Inner<T> {
    root: Level<T>,
    cache: Option<Cache<T>>,
    notify: Option<NotifyMaps>,
    count: u32,
    inserts: u64,
    removes: u64,
}

/// A thread-safe subject index with an optional match cache.
pub struct Sublist<T> {
    inner: RwLock<Inner<T>>,
    genid: AtomicU64,
    matches: AtomicU64,
    cache_hits: AtomicU64,
    /// The one empty result every miss shares, so an empty answer costs no allocation.
    empty: Arc<SublistResult<T>>,
}

impl<T> fmt::Debug for Sublist<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Sublist")
            .field("count", &inner.count)
            .field("cache", &inner.cache.as_ref().map(|c| c.len()))
            .field("genid", &self.genid.load(Ordering::Relaxed))
            .finish()
    }
}

impl<T: Clone + PartialEq + Send + Sync> Default for Sublist<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + PartialEq + Send + Sync> Sublist<T> {
    /// A sublist with the match cache on (Go `NewSublistWithCache`).
    pub fn new() -> Self {
        Self::with_cache(true)
    }

    /// A sublist without a match cache (Go `NewSublistNoCache`), for lists whose interest
    /// churns faster than it is read.
    pub fn new_no_cache() -> Self {
        Self::with_cache(false)
    }

    /// Go `NewSublist(enableCache)`.
    pub fn with_cache(enabled: bool) -> Self {
        Sublist {
            inner: RwLock::new(Inner {
                root: Level::default(),
                cache: enabled.then(Cache::new),
                notify: None,
                count: 0,
                inserts: 0,
                removes: 0,
            }),
            genid: AtomicU64::new(0),
            matches: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            empty: Arc::new(SublistResult::default()),
        }
    }

    // A panic elsewhere (say in a notification callback) must not wedge the index: the data
    // under the lock is consistent between statements, so a poisoned lock is used as is.
    fn read(&self) -> RwLockReadGuard<'_, Inner<T>> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<T>> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the match cache is on.
    pub fn cache_enabled(&self) -> bool {
        self.read().cache.is_some()
    }

    /// Adds `item` under `subject`, in queue group `queue` when given. The subject may hold
    /// `*` and a final `>`; an empty token or a token after `>` is
    /// [`SublistError::InvalidSubject`]. Inserting the same item twice stores it twice.
    pub fn insert(
        &self,
        subject: &[u8],
        queue: Option<&[u8]>,
        item: T,
    ) -> Result<(), SublistError> {
        self.insert_weighted(subject, queue, item, 1)
    }

    /// Like [`Sublist::insert`], for a queue member that stands for `weight` subscribers (a
    /// remote queue subscription): it appears `weight` times in match results. Plain
    /// subscriptions ignore the weight.
    pub fn insert_weighted(
        &self,
        subject: &[u8],
        queue: Option<&[u8]>,
        item: T,
        weight: u32,
    ) -> Result<(), SublistError> {
        if !is_valid_sublist_subject(subject) {
            return Err(SublistError::InvalidSubject);
        }
        let mut guard = self.write();
        let inner = &mut *guard;
        let for_cache = inner.cache.is_some().then(|| item.clone());
        let ins = inner.root.insert(subject, queue, item, weight);
        inner.count = inner.count.wrapping_add(1);
        inner.inserts += 1;
        if let (Some(cache), Some(item)) = (inner.cache.as_mut(), for_cache) {
            cache.on_insert(subject, ins.qname.as_ref(), &item, weight);
        }
        self.genid.fetch_add(1, Ordering::Relaxed);
        if let Some(maps) = inner.notify.as_mut() {
            if ins.is_new && maps.has_insert_watchers() && subject_is_literal(subject) {
                maps.on_first_interest(&notify_key(subject, queue));
            }
        }
        Ok(())
    }

    /// Removes one entry equal to `item` from `subject` (and `queue`).
    /// [`SublistError::NotFound`] when there is none.
    pub fn remove(
        &self,
        subject: &[u8],
        queue: Option<&[u8]>,
        item: &T,
    ) -> Result<(), SublistError> {
        let mut guard = self.write();
        self.remove_locked(&mut guard, subject, queue, item, true)
    }

    /// Removes many entries under one lock (Go `RemoveBatch`), for a connection going away.
    /// The cache is dropped and started afresh rather than patched per entry. Every entry is
    /// tried; the first error is returned.
    pub fn remove_batch<'a, I>(&self, items: I) -> Result<(), SublistError>
    where
        I: IntoIterator<Item = (&'a [u8], Option<&'a [u8]>, &'a T)>,
        T: 'a,
    {
        let mut items = items.into_iter().peekable();
        if items.peek().is_none() {
            return Ok(());
        }
        let mut guard = self.write();
        let was_enabled = guard.cache.take().is_some();
        let mut first_err = None;
        for (subject, queue, item) in items {
            if let Err(e) = self.remove_locked(&mut guard, subject, queue, item, false) {
                first_err.get_or_insert(e);
            }
        }
        self.genid.fetch_add(1, Ordering::Relaxed);
        if was_enabled {
            guard.cache = Some(Cache::new());
        }
        first_err.map_or(Ok(()), Err)
    }

    fn remove_locked(
        &self,
        inner: &mut Inner<T>,
        subject: &[u8],
        queue: Option<&[u8]>,
        item: &T,
        update_cache: bool,
    ) -> Result<(), SublistError> {
        if !is_valid_sublist_subject(subject) {
            return Err(SublistError::InvalidSubject);
        }
        let last = inner
            .root
            .remove(tokens(subject), queue, item)
            .ok_or(SublistError::NotFound)?;
        inner.count = inner.count.wrapping_sub(1);
        inner.removes += 1;
        if update_cache {
            if let Some(cache) = inner.cache.as_mut() {
                cache.on_remove(subject);
            }
            self.genid.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(maps) = inner.notify.as_mut() {
            if last && maps.has_remove_watchers() && subject_is_literal(subject) {
                let key = notify_key(subject, queue);
                if maps.watches_removal(&key) && !exact_interest(&inner.root, subject, queue) {
                    maps.on_interest_gone(&key);
                }
            }
        }
        Ok(())
    }

    /// Sets the weight of a queue member inserted with [`Sublist::insert_weighted`] (Go
    /// `UpdateRemoteQSub`); cached results for the subject are dropped and the genid bumped.
    pub fn update_queue_weight(
        &self,
        subject: &[u8],
        queue: &[u8],
        item: &T,
        weight: u32,
    ) -> Result<(), SublistError> {
        let mut guard = self.write();
        let inner = &mut *guard;
        let member = inner
            .root
            .exact_node_mut(subject)
            .and_then(|n| n.qsubs.iter_mut().find(|g| &g.name[..] == queue))
            .and_then(|g| g.members.iter_mut().find(|(s, _)| s == item))
            .ok_or(SublistError::NotFound)?;
        member.1 = weight;
        if let Some(cache) = inner.cache.as_mut() {
            cache.on_remove(subject);
        }
        self.genid.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Everything a literal subject reaches. A cached subject costs a hash lookup and an `Arc`
    /// clone; a subject with an empty token matches nothing (and is not cached). Results of
    /// other subjects, matching or not, are cached when the cache is on.
    pub fn match_subject(&self, subject: &[u8]) -> Arc<SublistResult<T>> {
        self.matches.fetch_add(1, Ordering::Relaxed);
        let cache_enabled = {
            let inner = self.read();
            match &inner.cache {
                Some(cache) => {
                    if let Some(r) = cache.get(subject) {
                        let r = Arc::clone(r);
                        drop(inner);
                        self.cache_hits.fetch_add(1, Ordering::Relaxed);
                        return r;
                    }
                    true
                }
                None => false,
            }
        };
        if !has_no_empty_tokens(subject) {
            return Arc::clone(&self.empty);
        }
        if cache_enabled {
            // The write lock keeps the computed result and the stored one the same: no insert
            // or remove can slip in between.
            let mut guard = self.write();
            let inner = &mut *guard;
            let r = self.collect(&inner.root, subject);
            if let Some(cache) = inner.cache.as_mut() {
                cache.store(subject, Arc::clone(&r));
            }
            r
        } else {
            let inner = self.read();
            self.collect(&inner.root, subject)
        }
    }

    fn collect(&self, root: &Level<T>, subject: &[u8]) -> Arc<SublistResult<T>> {
        let mut r = SublistResult::default();
        match_level(root, tokens(subject), &mut r);
        if r.is_empty() {
            Arc::clone(&self.empty)
        } else {
            Arc::new(r)
        }
    }

    /// Whether anything matches the literal subject; stops at the first subscriber found and
    /// builds no result. Uses a cached result when there is one (negative ones too).
    pub fn has_interest(&self, subject: &[u8]) -> bool {
        self.interest(subject, None)
    }

    /// Plain and queue subscribers interested in the subject (Go `NumInterest`). From a cached
    /// result it counts every entry; otherwise, as Go, it counts only the node that answered
    /// first (a `>` node answers for its whole level).
    pub fn num_interest(&self, subject: &[u8]) -> (usize, usize) {
        let mut counts = (0, 0);
        self.interest(subject, Some(&mut counts));
        counts
    }

    fn interest(&self, subject: &[u8], counts: Option<&mut (usize, usize)>) -> bool {
        let inner = self.read();
        if let Some(r) = inner.cache.as_ref().and_then(|c| c.get(subject)) {
            if let Some(c) = counts {
                c.0 += r.psubs.len();
                c.1 += r.qsubs.iter().map(Vec::len).sum::<usize>();
            }
            let matched = !r.is_empty();
            drop(inner);
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            return matched;
        }
        if !has_no_empty_tokens(subject) {
            return false;
        }
        match_level_for_any(&inner.root, tokens(subject), counts)
    }

    /// Go `ReverseMatch`: the items whose subjects a (possibly wildcard) subject could reach,
    /// e.g. `foo.*` finds `foo.bar` and `foo.baz`. Not cached.
    pub fn reverse_match(&self, subject: &[u8]) -> Arc<SublistResult<T>> {
        let mut r = SublistResult::default();
        {
            let inner = self.read();
            reverse_match_level(Some(&inner.root), tokens(subject), None, &mut r);
        }
        if r.is_empty() {
            Arc::clone(&self.empty)
        } else {
            Arc::new(r)
        }
    }

    /// Generation id, bumped on every insert and remove (once per batch), so a caller can keep
    /// its own result cache and drop it when the id moves.
    pub fn genid(&self) -> u64 {
        self.genid.load(Ordering::Relaxed)
    }

    /// Number of stored items.
    pub fn count(&self) -> u32 {
        self.read().count
    }

    /// Number of cached results.
    pub fn cache_count(&self) -> usize {
        self.read().cache.as_ref().map_or(0, |c| c.len())
    }

    /// Depth of the trie: the most tokens of any stored subject. Zero when empty, which shows
    /// that removes prune the tree.
    pub fn num_levels(&self) -> usize {
        self.read().root.depth()
    }

    /// Appends every stored item (each once, whatever its weight), for monitoring.
    pub fn all(&self, out: &mut Vec<T>) {
        self.read().root.collect_all(out);
    }

    /// Current statistics (Go `Stats`).
    pub fn stats(&self) -> SublistStats {
        let mut st = SublistStats::default();
        {
            let inner = self.read();
            st.num_subs = inner.count;
            st.num_inserts = inner.inserts;
            st.num_removes = inner.removes;
            if let Some(cache) = &inner.cache {
                st.num_cache = u32::try_from(cache.len()).unwrap_or(u32::MAX);
                let (mut tot, mut max, mut cnt) = (0u64, 0usize, 0u64);
                for r in cache.values() {
                    let l = r.fanout();
                    cnt += 1;
                    tot += l as u64;
                    max = max.max(l);
                }
                st.tot_fanout = tot;
                st.cache_cnt = cnt;
                st.max_fanout = u32::try_from(max).unwrap_or(u32::MAX);
                if tot > 0 {
                    st.avg_fanout = tot as f64 / cnt as f64;
                }
            }
        }
        st.num_matches = self.matches.load(Ordering::Relaxed);
        st.cache_hits = self.cache_hits.load(Ordering::Relaxed);
        if st.num_matches > 0 {
            st.cache_hit_rate = st.cache_hits as f64 / st.num_matches as f64;
        }
        st
    }

    /// Calls `notify(true)` when the first plain subscriber on the exact literal `subject`
    /// arrives and `notify(false)` when the last one goes, starting with the current state
    /// right away (Go `RegisterNotification`). Wildcard subscriptions do not count. The
    /// callback runs under the sublist's lock: it must not block or call into the sublist.
    pub fn register_notification(
        &self,
        subject: &[u8],
        notify: InterestNotify,
    ) -> Result<(), SublistError> {
        self.register(subject, None, notify)
    }

    /// As [`Sublist::register_notification`], for members of one queue group.
    pub fn register_queue_notification(
        &self,
        subject: &[u8],
        queue: &[u8],
        notify: InterestNotify,
    ) -> Result<(), SublistError> {
        self.register(subject, Some(queue), notify)
    }

    fn register(
        &self,
        subject: &[u8],
        queue: Option<&[u8]>,
        notify: InterestNotify,
    ) -> Result<(), SublistError> {
        if subject_has_wildcard(subject) {
            return Err(SublistError::InvalidSubject);
        }
        let mut guard = self.write();
        let inner = &mut *guard;
        let has = exact_interest(&inner.root, subject, queue);
        let maps = inner.notify.get_or_insert_with(NotifyMaps::default);
        if !maps.add(notify_key(subject, queue), has, Arc::clone(&notify)) {
            return Err(SublistError::AlreadyRegistered);
        }
        notify(has);
        Ok(())
    }

    /// Stops a notification; false if it was not registered.
    pub fn clear_notification(&self, subject: &[u8], notify: &InterestNotify) -> bool {
        self.clear(subject, None, notify)
    }

    /// Stops a queue notification; false if it was not registered.
    pub fn clear_queue_notification(
        &self,
        subject: &[u8],
        queue: &[u8],
        notify: &InterestNotify,
    ) -> bool {
        self.clear(subject, Some(queue), notify)
    }

    fn clear(&self, subject: &[u8], queue: Option<&[u8]>, notify: &InterestNotify) -> bool {
        let mut inner = self.write();
        let Some(maps) = inner.notify.as_mut() else {
            return false;
        };
        let cleared = maps.clear(&notify_key(subject, queue), notify);
        if maps.is_empty() {
            inner.notify = None;
        }
        cleared
    }

    /// Whether any notification is registered.
    pub fn has_notifications(&self) -> bool {
        self.read().notify.is_some()
    }
}

/// Is there a subscriber on exactly this subject (in this queue group when given)?
fn exact_interest<T>(root: &Level<T>, subject: &[u8], queue: Option<&[u8]>) -> bool {
    let Some(node) = root.exact_node(subject) else {
        return false;
    };
    match queue.filter(|q| !q.is_empty()) {
        None => !node.psubs.is_empty(),
        Some(q) => node.queue_group(q).is_some(),
    }
}
