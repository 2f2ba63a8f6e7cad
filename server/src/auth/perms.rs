//! One connection's permissions, built from a user's [`Permissions`] (Go's `setPermissions`): allow and
//! deny subject indexes for publish and subscribe, queue-qualified subscribe entries (`"foo.* q"`), the
//! delivery-time deny filter for wildcard or queue subscriptions that overlap a deny (Go's `mperms`,
//! `checkDenySub`), and reply subjects the connection may answer (Go's `allow_responses`).
//! Deny always wins over allow; no allow list allows everything, an empty one nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Permissions, ResponsePermission};
use crate::sublist::{
    is_subset_match, is_valid_subject, subject_has_wildcard, subjects_collide, Sublist,
    SublistResult,
};

/// Bound of the delivery deny cache (Go's maxDenyPermCacheSize).
const MAX_DENY_CACHE: usize = 256;
/// Replies recorded between prunes (Go's replyPermLimit) and the prune period (Go's replyPruneTime).
const REPLY_PERM_LIMIT: usize = 4096;
const REPLY_PRUNE_TIME: Duration = Duration::from_secs(1);

/// Entries of a permission index carry nothing: the index only answers "does anything match".
type PermList = Sublist<u32>;

/// Delivery deny decisions by (subject, queue).
type DenyCache = HashMap<(Vec<u8>, Vec<u8>), bool>;

struct Replies {
    map: HashMap<Vec<u8>, (Instant, i64)>,
    since_prune: usize,
    last_prune: Instant,
}

pub struct ClientPerms {
    pub_allow: Option<PermList>,
    pub_deny: Option<PermList>,
    sub_allow: Option<PermList>,
    sub_deny: Option<PermList>,
    /// Subjects of the subscribe denies (Go's `darray`).
    deny_subjects: Vec<Vec<u8>>,
    resp: Option<ResponsePermission>,
    /// The permissions as given, for `$SYS.REQ.USER.INFO`.
    source: Permissions,
    /// The delivery deny filter is on (Go's `mperms != nil`).
    deny_filter: AtomicBool,
    deny_cache: Mutex<DenyCache>,
    replies: Mutex<Replies>,
}

/// `"subject"` or `"subject queue"` (Go's `splitSubjectQueue`).
pub fn split_subject_queue(sq: &str) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    let vals: Vec<&str> = sq.split_whitespace().collect();
    let bad = || format!("invalid subject-queue {sq:?}");
    match vals.as_slice() {
        [s] if is_valid_subject(s.as_bytes()) => Ok((s.as_bytes().to_vec(), None)),
        [s, q] if is_valid_subject(s.as_bytes()) && is_valid_subject(q.as_bytes()) => {
            Ok((s.as_bytes().to_vec(), Some(q.as_bytes().to_vec())))
        }
        _ => Err(bad()),
    }
}

/// Go's `queueMatches`: no queue entries match any queue; otherwise the name or a wildcard covering it.
fn queue_matches(queue: &[u8], r: &SublistResult<u32>) -> bool {
    if r.qnames.is_empty() {
        return true;
    }
    r.qnames
        .iter()
        .any(|q| &q[..] == queue || (subject_has_wildcard(q) && is_subset_match(queue, q)))
}

impl ClientPerms {
    /// Build from a user's permissions; invalid entries are logged under `label` and skipped, as Go does.
    pub fn new(p: &Permissions, label: &str) -> ClientPerms {
        let mut n = 0u32;
        let mut next = || {
            n += 1;
            n
        };
        let (mut pub_allow, mut pub_deny, mut sub_allow, mut sub_deny) = (None, None, None, None);
        let mut deny_subjects = Vec::new();
        if let Some(pp) = &p.publish {
            if let Some(allow) = &pp.allow {
                let sl = PermList::new();
                for s in allow {
                    if !is_valid_subject(s.as_bytes())
                        || sl.insert(s.as_bytes(), None, next()).is_err()
                    {
                        tracing::error!("{label} - invalid publish subject {s:?}");
                    }
                }
                pub_allow = Some(sl);
            }
            if let Some(deny) = pp.deny.as_ref().filter(|d| !d.is_empty()) {
                let sl = PermList::new();
                for s in deny {
                    let subject = if is_valid_subject(s.as_bytes()) {
                        s.as_bytes().to_vec()
                    } else {
                        match split_subject_queue(s) {
                            Ok((subj, _)) => {
                                tracing::error!("{label} - queue qualifier is not valid for publish deny subject {s:?}");
                                subj
                            }
                            Err(_) => {
                                tracing::error!("{label} - invalid publish deny subject {s:?}");
                                continue;
                            }
                        }
                    };
                    if sl.insert(&subject, None, next()).is_err() {
                        tracing::error!("{label} - invalid publish deny subject {s:?}");
                    }
                }
                pub_deny = Some(sl);
            }
        }
        if let Some(sp) = &p.subscribe {
            if let Some(allow) = sp.allow.as_ref().filter(|a| !a.is_empty()) {
                let sl = PermList::new_no_cache();
                for s in allow {
                    match split_subject_queue(s) {
                        Ok((subj, q)) => {
                            if sl.insert(&subj, q.as_deref(), next()).is_err() {
                                tracing::error!("{label} - invalid subscribe allow subject {s:?}");
                            }
                        }
                        Err(e) => tracing::error!("{label} - {e}"),
                    }
                }
                sub_allow = Some(sl);
            }
            if let Some(deny) = sp.deny.as_ref().filter(|d| !d.is_empty()) {
                let sl = PermList::new();
                for s in deny {
                    match split_subject_queue(s) {
                        Ok((subj, q)) => {
                            if sl.insert(&subj, q.as_deref(), next()).is_err() {
                                tracing::error!("{label} - invalid subscribe deny subject {s:?}");
                                continue;
                            }
                            deny_subjects.push(subj);
                        }
                        Err(e) => tracing::error!("{label} - {e}"),
                    }
                }
                sub_deny = Some(sl);
            }
        }
        ClientPerms {
            pub_allow,
            pub_deny,
            sub_allow,
            sub_deny,
            deny_subjects,
            resp: p.response.clone(),
            source: p.clone(),
            deny_filter: AtomicBool::new(false),
            deny_cache: Mutex::new(HashMap::new()),
            replies: Mutex::new(Replies {
                map: HashMap::new(),
                since_prune: 0,
                last_prune: Instant::now(),
            }),
        }
    }

    /// The permissions these were built from.
    pub fn source(&self) -> &Permissions {
        &self.source
    }

    /// Publish permission by the allow and deny lists alone.
    fn pub_allowed_static(&self, subject: &[u8]) -> bool {
        let mut allowed = true;
        if let Some(a) = &self.pub_allow {
            allowed = a.num_interest(subject).0 != 0;
        }
        if allowed {
            if let Some(d) = &self.pub_deny {
                allowed = d.num_interest(subject).0 == 0;
            }
        }
        allowed
    }

    /// Go's `pubAllowed`: the lists, then a reply subject this connection was sent (each use counts).
    pub fn pub_allowed(&self, subject: &[u8]) -> bool {
        if self.pub_allowed_static(subject) {
            return true;
        }
        let Some(resp) = &self.resp else {
            return false;
        };
        let Ok(mut r) = self.replies.lock() else {
            return false;
        };
        let Some(entry) = r.map.get_mut(subject) else {
            return false;
        };
        entry.1 += 1;
        let expired = resp.expires_ns > 0 && entry.0.elapsed().as_nanos() > resp.expires_ns as u128;
        if (resp.max_msgs > 0 && entry.1 > resp.max_msgs) || expired {
            r.map.remove(subject);
            return false;
        }
        true
    }

    /// Whether publishing has any restriction at all.
    pub fn restricts_publish(&self) -> bool {
        self.pub_allow.is_some() || self.pub_deny.is_some()
    }

    /// Go's `canSubscribe`: allow (queue-qualified entries only admit their queues), then deny. A permitted
    /// wildcard or queue subscription that overlaps a deny turns on the delivery deny filter.
    pub fn can_subscribe(&self, subject: &[u8], queue: Option<&[u8]>) -> bool {
        let queue = queue.filter(|q| !q.is_empty());
        let mut allowed = true;
        if let Some(a) = &self.sub_allow {
            let r = a.match_subject(subject);
            allowed = !r.psubs.is_empty();
            if let Some(q) = queue {
                if !r.qsubs.is_empty() {
                    allowed = queue_matches(q, &r);
                }
            }
        }
        if allowed {
            if let Some(d) = &self.sub_deny {
                let r = d.match_subject(subject);
                allowed = r.psubs.is_empty();
                if let Some(q) = queue {
                    if allowed && !r.qsubs.is_empty() {
                        allowed = !queue_matches(q, &r);
                    }
                }
            }
        }
        if allowed
            && !self.deny_filter.load(Ordering::Relaxed)
            && (queue.is_some() || subject_has_wildcard(subject))
            && self
                .deny_subjects
                .iter()
                .any(|d| subjects_collide(d, subject))
        {
            self.deny_filter.store(true, Ordering::Release);
        }
        allowed
    }

    /// Whether subscribe denies exist (delivery may need filtering).
    pub fn has_sub_deny(&self) -> bool {
        self.sub_deny.is_some()
    }

    /// Whether delivery to a subscription (plain or in `queue`) must check the deny filter.
    pub fn filters_delivery(&self) -> bool {
        self.deny_filter.load(Ordering::Acquire)
    }

    /// Go's `checkDenySub`: true when `subject` may not be delivered to a subscription in `queue`.
    pub fn delivery_denied(&self, subject: &[u8], queue: &[u8]) -> bool {
        let Some(d) = &self.sub_deny else {
            return false;
        };
        let key = (subject.to_vec(), queue.to_vec());
        if let Ok(c) = self.deny_cache.lock() {
            if let Some(v) = c.get(&key) {
                return *v;
            }
        }
        let r = d.match_subject(subject);
        let mut denied = !r.psubs.is_empty();
        if !denied && !queue.is_empty() && !r.qsubs.is_empty() {
            denied = queue_matches(queue, &r);
        }
        if let Ok(mut c) = self.deny_cache.lock() {
            if c.len() >= MAX_DENY_CACHE {
                let drop: Vec<_> = c.keys().take(32).cloned().collect();
                for k in drop {
                    c.remove(&k);
                }
            }
            c.insert(key, denied);
        }
        denied
    }

    /// Whether replies of delivered messages are tracked (allow_responses).
    pub fn tracks_replies(&self) -> bool {
        self.resp.is_some()
    }

    /// A message with `reply` was delivered to this connection: it may answer it (Go's deliverMsg bookkeeping).
    pub fn record_reply(&self, reply: &[u8]) {
        let Some(resp) = &self.resp else { return };
        if self.pub_allowed_static(reply) {
            return;
        }
        let Ok(mut r) = self.replies.lock() else {
            return;
        };
        r.map.insert(reply.to_vec(), (Instant::now(), 0));
        r.since_prune += 1;
        if r.since_prune > REPLY_PERM_LIMIT || r.last_prune.elapsed() > REPLY_PRUNE_TIME {
            let (mm, ttl) = (resp.max_msgs, resp.expires_ns);
            let now = Instant::now();
            r.map.retain(|_, (t, n)| {
                !((mm > 0 && *n >= mm)
                    || (ttl > 0 && now.duration_since(*t).as_nanos() > ttl as u128))
            });
            r.since_prune = 0;
            r.last_prune = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::SubjectPermission;

    fn sp(allow: &[&str], deny: &[&str]) -> Option<SubjectPermission> {
        let v = |l: &[&str]| (!l.is_empty()).then(|| l.iter().map(|s| s.to_string()).collect());
        Some(SubjectPermission {
            allow: v(allow),
            deny: v(deny),
        })
    }

    #[test]
    fn deny_wins_and_queue_entries_admit_only_their_queue() {
        let p = Permissions {
            publish: sp(&["foo.*"], &["foo.bar"]),
            subscribe: sp(&["foo.>", "bar v1"], &["foo.baz"]),
            response: None,
        };
        let c = ClientPerms::new(&p, "");
        assert!(c.pub_allowed(b"foo.x"));
        assert!(!c.pub_allowed(b"foo.bar"));
        assert!(!c.pub_allowed(b"baz"));
        assert!(c.can_subscribe(b"foo.x", None));
        assert!(!c.can_subscribe(b"foo.baz", None));
        assert!(!c.can_subscribe(b"bar", None));
        assert!(c.can_subscribe(b"bar", Some(b"v1")));
        assert!(!c.can_subscribe(b"bar", Some(b"v2")));
        // A wildcard subscription overlapping a deny is allowed but filtered at delivery.
        assert!(!c.filters_delivery());
        assert!(c.can_subscribe(b"foo.*", None));
        assert!(c.filters_delivery());
        assert!(c.delivery_denied(b"foo.baz", b""));
        assert!(!c.delivery_denied(b"foo.bar", b""));
    }

    #[test]
    fn responses_allowed_once_then_refused() {
        let mut p = Permissions {
            response: Some(ResponsePermission::default()),
            ..Permissions::default()
        };
        p.validate_response();
        let c = ClientPerms::new(&p, "");
        assert!(!c.pub_allowed(b"_INBOX.1"));
        c.record_reply(b"_INBOX.1");
        assert!(c.pub_allowed(b"_INBOX.1"));
        assert!(!c.pub_allowed(b"_INBOX.1"));
    }
}
