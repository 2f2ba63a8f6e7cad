//! The subject trie: one [`Level`] per token position, one [`Node`] per distinct token, and
//! separate slots for the `*` and `>` nodes so a match walks at most three ways per token.
//!
//! Rules kept: a node exists only while it or something below it holds a subscriber (remove
//! prunes bottom-up, Go `pruneNode`); a leaf has no `next` level. Callers validate subjects
//! first, so every walk here sees non-empty tokens. Walks take a [`Tokens`] iterator rather
//! than a token vector, so matching allocates nothing per token.
//!
//! Matches Go's `matchLevel`, `matchLevelForAny`, `addNodeToResults`, `removeFromNode`,
//! `reverseMatchLevel`, `getAllNodes`, `collectAllSubs` and `visitLevel`.

use std::collections::HashMap;
use std::sync::Arc;

use super::result::SublistResult;
use super::subject::{is_fwc, is_pwc, tokens, Tokens};

/// The members of one queue group at one node, each with its weight: a remote queue
/// subscription stands for that many subscribers and appears that many times in results.
pub(crate) struct QueueGroup<T> {
    pub name: Arc<[u8]>,
    pub members: Vec<(T, u32)>,
}

impl<T> QueueGroup<T> {
    fn total_weight(&self) -> u64 {
        self.members.iter().map(|(_, w)| u64::from(*w)).sum()
    }
}

pub(crate) struct Node<T> {
    pub next: Option<Box<Level<T>>>,
    pub psubs: Vec<T>,
    pub qsubs: Vec<QueueGroup<T>>,
}

impl<T> Default for Node<T> {
    fn default() -> Self {
        Node {
            next: None,
            psubs: Vec::new(),
            qsubs: Vec::new(),
        }
    }
}

pub(crate) struct Level<T> {
    nodes: HashMap<Box<[u8]>, Node<T>>,
    pwc: Option<Box<Node<T>>>,
    fwc: Option<Box<Node<T>>>,
}

impl<T> Default for Level<T> {
    fn default() -> Self {
        Level {
            nodes: HashMap::new(),
            pwc: None,
            fwc: None,
        }
    }
}

/// What an insert changed, for the cache and the interest notifications.
pub(crate) struct Inserted {
    /// First plain subscriber at this node, or first member of this queue group.
    pub is_new: bool,
    /// The node's shared copy of the queue name, so cached results can share it too.
    pub qname: Option<Arc<[u8]>>,
}

impl<T> Node<T> {
    fn has_subs(&self) -> bool {
        !self.psubs.is_empty() || !self.qsubs.is_empty()
    }

    fn is_empty(&self) -> bool {
        !self.has_subs() && self.next.as_ref().is_none_or(|l| l.is_empty())
    }

    pub(crate) fn queue_group(&self, name: &[u8]) -> Option<&QueueGroup<T>> {
        self.qsubs.iter().find(|g| &g.name[..] == name)
    }

    /// Go counts members, not weights, when it reads a node for `NumInterest`.
    fn count_into(&self, counts: &mut Option<&mut (usize, usize)>) {
        if let Some(c) = counts.as_deref_mut() {
            c.0 += self.psubs.len();
            c.1 += self.qsubs.iter().map(|g| g.members.len()).sum::<usize>();
        }
    }

    fn add(&mut self, queue: Option<&[u8]>, item: T, weight: u32) -> Inserted {
        match queue {
            None => {
                self.psubs.push(item);
                Inserted {
                    is_new: self.psubs.len() == 1,
                    qname: None,
                }
            }
            Some(q) => {
                let (slot, is_new) = match self.qsubs.iter().position(|g| &g.name[..] == q) {
                    Some(i) => (i, false),
                    None => {
                        self.qsubs.push(QueueGroup {
                            name: Arc::from(q),
                            members: Vec::new(),
                        });
                        (self.qsubs.len() - 1, true)
                    }
                };
                let group = &mut self.qsubs[slot];
                group.members.push((item, weight));
                Inserted {
                    is_new,
                    qname: Some(Arc::clone(&group.name)),
                }
            }
        }
    }
}

impl<T: PartialEq> Node<T> {
    /// Removes one entry equal to `item`; `Some(last)` when found, where `last` says the node
    /// has no plain subscriber left (or, for a queue member, its group is gone).
    fn remove_item(&mut self, queue: Option<&[u8]>, item: &T) -> Option<bool> {
        match queue {
            None => {
                let i = self.psubs.iter().position(|s| s == item)?;
                self.psubs.remove(i);
                Some(self.psubs.is_empty())
            }
            Some(q) => {
                let g = self.qsubs.iter().position(|g| &g.name[..] == q)?;
                let members = &mut self.qsubs[g].members;
                let i = members.iter().position(|(s, _)| s == item)?;
                members.remove(i);
                if members.is_empty() {
                    self.qsubs.remove(g);
                    return Some(true);
                }
                Some(false)
            }
        }
    }
}

impl<T> Level<T> {
    fn num_nodes(&self) -> usize {
        self.nodes.len() + usize::from(self.pwc.is_some()) + usize::from(self.fwc.is_some())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.num_nodes() == 0
    }

    fn node(&self, t: &[u8]) -> Option<&Node<T>> {
        if is_pwc(t) {
            self.pwc.as_deref()
        } else if is_fwc(t) {
            self.fwc.as_deref()
        } else {
            self.nodes.get(t)
        }
    }

    fn node_mut(&mut self, t: &[u8]) -> Option<&mut Node<T>> {
        if is_pwc(t) {
            self.pwc.as_deref_mut()
        } else if is_fwc(t) {
            self.fwc.as_deref_mut()
        } else {
            self.nodes.get_mut(t)
        }
    }

    fn node_entry(&mut self, t: &[u8]) -> &mut Node<T> {
        if is_pwc(t) {
            self.pwc.get_or_insert_with(Box::default)
        } else if is_fwc(t) {
            self.fwc.get_or_insert_with(Box::default)
        } else {
            self.nodes.entry(Box::from(t)).or_default()
        }
    }

    fn prune(&mut self, t: &[u8]) {
        if is_pwc(t) {
            self.pwc = None;
        } else if is_fwc(t) {
            self.fwc = None;
        } else {
            self.nodes.remove(t);
        }
    }

    /// Adds a subscriber under a validated subject, creating the path as needed.
    pub(crate) fn insert(
        &mut self,
        subject: &[u8],
        queue: Option<&[u8]>,
        item: T,
        weight: u32,
    ) -> Inserted {
        let mut level = self;
        let mut toks = tokens(subject);
        let mut t = toks.next().unwrap_or_default();
        loop {
            let node = level.node_entry(t);
            match toks.next() {
                None => return node.add(queue, item, weight),
                Some(nt) => {
                    level = node.next.get_or_insert_with(Box::default);
                    t = nt;
                }
            }
        }
    }

    /// The node whose subject is exactly `subject` (wildcard tokens name the wildcard nodes).
    pub(crate) fn exact_node(&self, subject: &[u8]) -> Option<&Node<T>> {
        let mut toks = tokens(subject);
        let mut node = self.node(toks.next()?)?;
        for t in toks {
            node = node.next.as_deref()?.node(t)?;
        }
        Some(node)
    }

    pub(crate) fn exact_node_mut(&mut self, subject: &[u8]) -> Option<&mut Node<T>> {
        let mut toks = tokens(subject);
        let mut node = self.node_mut(toks.next()?)?;
        for t in toks {
            node = node.next.as_deref_mut()?.node_mut(t)?;
        }
        Some(node)
    }

    /// Every subscriber in this level and below, each once (Go `collectAllSubs`).
    pub(crate) fn collect_all(&self, out: &mut Vec<T>)
    where
        T: Clone,
    {
        let wild = self.pwc.iter().chain(self.fwc.iter()).map(|b| &**b);
        for n in self.nodes.values().chain(wild) {
            out.extend(n.psubs.iter().cloned());
            for g in &n.qsubs {
                out.extend(g.members.iter().map(|(s, _)| s.clone()));
            }
            if let Some(next) = &n.next {
                next.collect_all(out);
            }
        }
    }

    /// Depth of the deepest populated level below and including this one (Go `visitLevel`).
    pub(crate) fn depth(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        let wild = self.pwc.iter().chain(self.fwc.iter()).map(|b| &**b);
        let below = self
            .nodes
            .values()
            .chain(wild)
            .filter_map(|n| n.next.as_deref())
            .map(Level::depth)
            .max()
            .unwrap_or(0);
        1 + below
    }
}

impl<T: PartialEq> Level<T> {
    /// Removes one subscriber under a validated subject and prunes nodes left empty.
    /// `Some(last)` when found; see [`Node::remove_item`] for `last`.
    pub(crate) fn remove(
        &mut self,
        mut toks: Tokens<'_>,
        queue: Option<&[u8]>,
        item: &T,
    ) -> Option<bool> {
        let t = toks.next()?;
        let node = self.node_mut(t)?;
        let last = if toks.is_done() {
            node.remove_item(queue, item)?
        } else {
            let next = node.next.as_deref_mut()?;
            let last = next.remove(toks, queue, item)?;
            if next.is_empty() {
                node.next = None;
            }
            last
        };
        if node.is_empty() {
            self.prune(t);
        }
        Some(last)
    }
}

/// Adds a node's subscribers to a result (Go `addNodeToResults`).
pub(crate) fn add_node_to_result<T: Clone>(n: &Node<T>, out: &mut SublistResult<T>) {
    out.psubs.extend_from_slice(&n.psubs);
    for g in &n.qsubs {
        if g.total_weight() == 0 {
            continue;
        }
        let slot = out.queue_slot_or_open(&g.name);
        let members = &mut out.qsubs[slot];
        for (item, w) in &g.members {
            for _ in 0..*w {
                members.push(item.clone());
            }
        }
    }
}

/// Collects every subscriber matching the literal tokens (Go `matchLevel`). `*` recurses
/// with the remaining tokens; `>` adds its node at every level it is passed.
pub(crate) fn match_level<T: Clone>(
    l: &Level<T>,
    mut toks: Tokens<'_>,
    out: &mut SublistResult<T>,
) {
    let mut level = Some(l);
    let mut pwc: Option<&Node<T>> = None;
    let mut n: Option<&Node<T>> = None;
    while let Some(t) = toks.next() {
        let Some(l) = level else {
            return;
        };
        if let Some(f) = &l.fwc {
            add_node_to_result(f, out);
        }
        pwc = l.pwc.as_deref();
        if let Some(next) = pwc.and_then(|p| p.next.as_deref()) {
            match_level(next, toks, out);
        }
        n = l.nodes.get(t);
        level = n.and_then(|n| n.next.as_deref());
    }
    if let Some(n) = n {
        add_node_to_result(n, out);
    }
    if let Some(p) = pwc {
        add_node_to_result(p, out);
    }
}

/// Stops at the first subscriber found (Go `matchLevelForAny`). With `counts`, adds the
/// plain and queue members of the node that answered, as Go's `NumInterest` does: a `>`
/// node answers for its whole level, so deeper matches are not counted.
pub(crate) fn match_level_for_any<T>(
    l: &Level<T>,
    mut toks: Tokens<'_>,
    mut counts: Option<&mut (usize, usize)>,
) -> bool {
    let mut level = Some(l);
    let mut pwc: Option<&Node<T>> = None;
    let mut n: Option<&Node<T>> = None;
    while let Some(t) = toks.next() {
        let Some(l) = level else {
            return false;
        };
        if let Some(f) = &l.fwc {
            f.count_into(&mut counts);
            return true;
        }
        pwc = l.pwc.as_deref();
        if let Some(next) = pwc.and_then(|p| p.next.as_deref()) {
            if match_level_for_any(next, toks, counts.as_deref_mut()) {
                return true;
            }
        }
        n = l.nodes.get(t);
        level = n.and_then(|n| n.next.as_deref());
    }
    if let Some(n) = n {
        n.count_into(&mut counts);
        if n.has_subs() {
            return true;
        }
    }
    if let Some(p) = pwc {
        p.count_into(&mut counts);
        return p.has_subs();
    }
    false
}

/// Go `reverseMatchLevel`: subscribers whose subjects a wildcard `subject` could reach.
///
/// The walk keeps Go's exact traversal, including its shortcuts: a level holding `>` yields
/// everything below it, and a `*` branch carries the parent node along. Leaf-node permission
/// checks depend on this answer, so it is kept as Go gives it. `None` stands for an empty level.
pub(crate) fn reverse_match_level<'a, T: Clone>(
    l: Option<&'a Level<T>>,
    mut toks: Tokens<'_>,
    mut n: Option<&'a Node<T>>,
    out: &mut SublistResult<T>,
) {
    let mut level = l;
    while let Some(t) = toks.next() {
        let Some(l) = level else {
            // An empty level: nothing below can match.
            return;
        };
        if is_fwc(t) {
            all_nodes(l, out);
            return;
        }
        if is_pwc(t) {
            for node in l.nodes.values() {
                reverse_match_level(node.next.as_deref(), toks, Some(node), out);
            }
            if let Some(p) = &l.pwc {
                reverse_match_level(p.next.as_deref(), toks, n, out);
            }
            if l.fwc.is_some() {
                all_nodes(l, out);
            }
            return;
        }
        if l.fwc.is_some() {
            all_nodes(l, out);
            return;
        } else if let Some(p) = &l.pwc {
            reverse_match_level(p.next.as_deref(), toks, n, out);
        }
        n = l.nodes.get(t);
        match n {
            None => break,
            Some(node) => level = node.next.as_deref(),
        }
    }
    if let Some(n) = n {
        add_node_to_result(n, out);
    }
}

/// Go `getAllNodes`: the wildcard nodes of this level, and every literal node with its
/// literal descendants.
fn all_nodes<T: Clone>(l: &Level<T>, out: &mut SublistResult<T>) {
    if let Some(p) = &l.pwc {
        add_node_to_result(p, out);
    }
    if let Some(f) = &l.fwc {
        add_node_to_result(f, out);
    }
    for n in l.nodes.values() {
        add_node_to_result(n, out);
        if let Some(next) = &n.next {
            all_nodes(next, out);
        }
    }
}
