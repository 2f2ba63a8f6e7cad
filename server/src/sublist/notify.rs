//! Interest notifications: tell a watcher when the first subscriber on an exact literal subject
//! (optionally in one queue group) appears, and when the last one goes.
//!
//! Rules kept (Go `RegisterNotification`, `chkForInsertNotification`,
//! `chkForRemoveNotification`): a watcher sits in the "insert" map while there is no interest
//! and in the "remove" map while there is, moving across each time it is told; wildcard
//! subscriptions never trigger; registering reports the current state at once. A watcher is a
//! callback that must not block and must not call back into the sublist, as it runs under the
//! sublist's write lock (so notifications keep the order of the changes); Go uses a channel
//! with a non-blocking send for the same effect.

use std::collections::HashMap;
use std::sync::Arc;

/// A watcher for [`super::Sublist::register_notification`]: called with `true` when interest
/// appears and `false` when it goes. Identity (for clearing) is the `Arc` allocation.
pub type InterestNotify = Arc<dyn Fn(bool) + Send + Sync>;

fn same(a: &InterestNotify, b: &InterestNotify) -> bool {
    std::ptr::eq(Arc::as_ptr(a).cast::<()>(), Arc::as_ptr(b).cast::<()>())
}

/// Go `keyFromSubjectAndQueue`: the subject, then a space and the queue when there is one.
pub(crate) fn notify_key(subject: &[u8], queue: Option<&[u8]>) -> Vec<u8> {
    let mut key = subject.to_vec();
    if let Some(q) = queue.filter(|q| !q.is_empty()) {
        key.push(b' ');
        key.extend_from_slice(q);
    }
    key
}

#[derive(Default)]
pub(crate) struct NotifyMaps {
    insert: HashMap<Vec<u8>, Vec<InterestNotify>>,
    remove: HashMap<Vec<u8>, Vec<InterestNotify>>,
}

fn take_out(
    map: &mut HashMap<Vec<u8>, Vec<InterestNotify>>,
    key: &[u8],
    n: &InterestNotify,
) -> bool {
    let Some(list) = map.get_mut(key) else {
        return false;
    };
    let Some(i) = list.iter().position(|x| same(x, n)) else {
        return false;
    };
    list.swap_remove(i);
    if list.is_empty() {
        map.remove(key);
    }
    true
}

impl NotifyMaps {
    pub(crate) fn is_empty(&self) -> bool {
        self.insert.is_empty() && self.remove.is_empty()
    }

    pub(crate) fn has_insert_watchers(&self) -> bool {
        !self.insert.is_empty()
    }

    pub(crate) fn has_remove_watchers(&self) -> bool {
        !self.remove.is_empty()
    }

    /// Files a watcher under the map matching the current interest; false if that map already
    /// holds this watcher for this key (Go `ErrAlreadyRegistered`).
    pub(crate) fn add(&mut self, key: Vec<u8>, has_interest: bool, n: InterestNotify) -> bool {
        let map = if has_interest {
            &mut self.remove
        } else {
            &mut self.insert
        };
        let list = map.entry(key).or_default();
        if list.iter().any(|x| same(x, &n)) {
            return false;
        }
        list.push(n);
        true
    }

    /// Removes a watcher from either map; true if it was there.
    pub(crate) fn clear(&mut self, key: &[u8], n: &InterestNotify) -> bool {
        take_out(&mut self.remove, key, n) || take_out(&mut self.insert, key, n)
    }

    /// First interest on `key`: tell its watchers and move them to the remove map.
    pub(crate) fn on_first_interest(&mut self, key: &[u8]) {
        if let Some(list) = self.insert.remove(key) {
            for n in &list {
                n(true);
            }
            self.remove.entry(key.to_vec()).or_default().extend(list);
        }
    }

    /// True when someone waits for interest on `key` to go.
    pub(crate) fn watches_removal(&self, key: &[u8]) -> bool {
        self.remove.contains_key(key)
    }

    /// Interest on `key` is gone: tell its watchers and move them to the insert map.
    pub(crate) fn on_interest_gone(&mut self, key: &[u8]) {
        if let Some(list) = self.remove.remove(key) {
            for n in &list {
                n(false);
            }
            self.insert.entry(key.to_vec()).or_default().extend(list);
        }
    }
}
