//! Match results: plain subscribers plus one list per queue group.
//!
//! A result is immutable once shared (`Arc`), because the cache hands the same result to many
//! readers; an insert that touches a cached subject builds a new result (Go `copyResult` and
//! `addSubToResult`).

use std::sync::Arc;

/// What a subject matched: every plain subscriber, and the members of each queue group.
///
/// `qsubs[i]` holds the members of group `qnames[i]`; a member inserted with a weight above one
/// (a remote queue subscription standing for several subscribers) appears that many times.
#[derive(Debug, Clone, PartialEq)]
pub struct SublistResult<T> {
    pub psubs: Vec<T>,
    pub qsubs: Vec<Vec<T>>,
    pub qnames: Vec<Arc<[u8]>>,
}

impl<T> Default for SublistResult<T> {
    fn default() -> Self {
        SublistResult {
            psubs: Vec::new(),
            qsubs: Vec::new(),
            qnames: Vec::new(),
        }
    }
}

impl<T: Clone> SublistResult<T> {
    /// True when nothing matched.
    pub fn is_empty(&self) -> bool {
        self.psubs.is_empty() && self.qsubs.is_empty()
    }

    /// Index of the slot for queue group `name`, if the result has one (Go `findQSlot`).
    pub fn queue_slot(&self, name: &[u8]) -> Option<usize> {
        self.qnames.iter().position(|q| &q[..] == name)
    }

    /// Index of the slot for queue group `name`, opening an empty one at the end if needed.
    pub(crate) fn queue_slot_or_open(&mut self, name: &Arc<[u8]>) -> usize {
        match self.queue_slot(name) {
            Some(i) => i,
            None => {
                self.qnames.push(Arc::clone(name));
                self.qsubs.push(Vec::new());
                self.qsubs.len() - 1
            }
        }
    }

    /// Appends `weight` copies of a queue member to its group. A zero weight adds nothing and
    /// opens no group, so a result never holds an empty queue slot.
    pub(crate) fn push_queue_member(&mut self, name: &Arc<[u8]>, item: &T, weight: u32) {
        if weight == 0 {
            return;
        }
        let slot = self.queue_slot_or_open(name);
        let members = &mut self.qsubs[slot];
        for _ in 0..weight {
            members.push(item.clone());
        }
    }

    /// A copy of this result with one more subscriber (Go `addSubToResult`).
    pub(crate) fn with_added(
        &self,
        queue: Option<&Arc<[u8]>>,
        item: &T,
        weight: u32,
    ) -> SublistResult<T> {
        let mut r = self.clone();
        match queue {
            None => r.psubs.push(item.clone()),
            Some(name) => r.push_queue_member(name, item, weight),
        }
        r
    }

    /// Number of plain subscribers plus queue groups: the fan-out Go's stats count.
    pub(crate) fn fanout(&self) -> usize {
        self.psubs.len() + self.qsubs.len()
    }
}
