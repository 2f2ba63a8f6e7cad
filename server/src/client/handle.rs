//! The shared side of a client connection: what publishers on other connections need to deliver to it
//! (outbox, header support, its subscriptions for auto-unsubscribe), its counters, and how to close it.
//! The connection's own session task holds everything else.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use super::{ClosedState, SubRef};
use crate::accounts::Account;
use crate::conn::Outbox;

/// Per-connection counters (Go's client `inMsgs`/`outMsgs`... and stats for /connz).
#[derive(Default)]
pub struct ClientStats {
    pub in_msgs: AtomicU64,
    pub in_bytes: AtomicU64,
    pub out_msgs: AtomicU64,
    pub out_bytes: AtomicU64,
}

/// What a client told us about itself, and what monitoring reports about it.
#[derive(Debug, Clone, Default)]
pub struct ConnMeta {
    pub name: String,
    pub lang: String,
    pub version: String,
    pub rtt: Option<Duration>,
}

pub struct ClientHandle {
    pub cid: u64,
    pub peer: SocketAddr,
    pub out: Arc<Outbox>,
    /// The client asked for headers in CONNECT (and the server supports them).
    pub headers: AtomicBool,
    /// Protocol >= 1 and the first PONG was sent: the client takes async INFO updates.
    pub async_info: AtomicBool,
    /// Authentication is required and CONNECT has not arrived yet (Go's expectConnect without connectReceived).
    pub awaiting_connect: AtomicBool,
    pub stats: ClientStats,
    /// The account this client is bound to (`$G` until a login says otherwise). An internal client
    /// holds its account weakly, as the account owns it.
    account: std::sync::RwLock<AccountRef>,
    pub subs: Mutex<HashMap<Box<[u8]>, SubRef>>,
    close_reason: OnceLock<ClosedState>,
    /// Wakes the session task when someone else closes the connection.
    pub(crate) closed_wake: Notify,
    pub meta: Mutex<ConnMeta>,
    /// The max payload in force for this client; a reload changes it for live connections.
    pub max_payload: AtomicI64,
    /// The max control line in force for this client; a reload changes it for live connections.
    pub max_control_line: AtomicI64,
    pub start: SystemTime,
    /// Last inbound message or subscription activity, in nanoseconds since the Unix epoch.
    pub last_activity: AtomicU64,
    /// The permissions in force (None: everything allowed); replaced by a reload. `perms_gen` changes with it
    /// so the session notices, and `deliver_checks` says whether delivery to this client must consult them.
    pub perms: std::sync::RwLock<Option<Arc<crate::auth::ClientPerms>>>,
    pub perms_gen: AtomicU64,
    pub deliver_checks: AtomicBool,
    /// The CONNECT credentials that logged this client in (with no_auth_user filled in), for reload checks.
    pub auth: Mutex<Option<crate::protocol::ConnectInfo>>,
    /// The nonce sent in INFO (empty when none).
    pub nonce: Mutex<String>,
    /// What the TLS handshake agreed on, for TLS connections.
    pub tls: OnceLock<crate::tls::handshake::TlsState>,
    /// `"<ip>:<port> - cid:<n>"` plus the client's name/lang/version once known, for log lines.
    pub label: Mutex<String>,
}

impl ClientHandle {
    pub fn new(cid: u64, peer: SocketAddr, max_pending: i64, account: Arc<Account>) -> Self {
        Self::with_account(cid, peer, max_pending, AccountRef::Strong(account))
    }

    /// An account's internal client (Go's `createInternalAccountClient`): no connection, cid 0.
    pub fn internal(account: std::sync::Weak<Account>) -> Self {
        let c = Self::with_account(
            0,
            SocketAddr::from(([0, 0, 0, 0], 0)),
            i64::MAX,
            AccountRef::Weak(account),
        );
        c.headers.store(true, Ordering::Relaxed);
        c
    }

    fn with_account(cid: u64, peer: SocketAddr, max_pending: i64, account: AccountRef) -> Self {
        ClientHandle {
            cid,
            peer,
            out: Arc::new(Outbox::new(max_pending)),
            headers: AtomicBool::new(false),
            async_info: AtomicBool::new(false),
            awaiting_connect: AtomicBool::new(false),
            stats: ClientStats::default(),
            account: std::sync::RwLock::new(account),
            subs: Mutex::new(HashMap::new()),
            close_reason: OnceLock::new(),
            closed_wake: Notify::new(),
            label: Mutex::new(format!("{peer} - cid:{cid}")),
            tls: OnceLock::new(),
            perms: std::sync::RwLock::new(None),
            perms_gen: AtomicU64::new(0),
            deliver_checks: AtomicBool::new(false),
            auth: Mutex::new(None),
            nonce: Mutex::new(String::new()),
            meta: Mutex::new(ConnMeta::default()),
            max_payload: AtomicI64::new(0),
            max_control_line: AtomicI64::new(0),
            start: SystemTime::now(),
            last_activity: AtomicU64::new(unix_nanos(SystemTime::now())),
        }
    }

    /// The account this client is bound to (None only for an internal client whose account is gone).
    pub fn account(&self) -> Option<Arc<Account>> {
        let a = self.account.read().unwrap_or_else(|e| e.into_inner());
        match &*a {
            AccountRef::Strong(a) => Some(a.clone()),
            AccountRef::Weak(w) => w.upgrade(),
        }
    }

    /// Bind to another account (login).
    pub fn set_account(&self, account: Arc<Account>) {
        let mut a = self.account.write().unwrap_or_else(|e| e.into_inner());
        *a = AccountRef::Strong(account);
    }

    /// The permissions in force.
    pub fn perms(&self) -> Option<Arc<crate::auth::ClientPerms>> {
        self.perms.read().ok().and_then(|p| p.clone())
    }

    /// Replace the permissions (login, reload).
    pub fn set_perms(&self, perms: Option<Arc<crate::auth::ClientPerms>>) {
        let checks = perms
            .as_ref()
            .is_some_and(|p| p.tracks_replies() || p.has_sub_deny());
        if let Ok(mut p) = self.perms.write() {
            *p = perms;
        }
        self.deliver_checks.store(checks, Ordering::Release);
        self.perms_gen.fetch_add(1, Ordering::AcqRel);
    }

    pub fn touch(&self) {
        self.touch_at(SystemTime::now());
    }

    /// Record activity at `t` (one clock read shared by every subscriber of a delivery batch).
    pub fn touch_at(&self, t: SystemTime) {
        self.last_activity.store(unix_nanos(t), Ordering::Relaxed);
    }

    pub fn last_activity(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_nanos(self.last_activity.load(Ordering::Relaxed))
    }

    pub fn meta(&self) -> ConnMeta {
        self.meta.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn num_subs(&self) -> usize {
        self.subs.lock().map(|s| s.len()).unwrap_or(0)
    }

    pub fn label(&self) -> String {
        self.label.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn supports_headers(&self) -> bool {
        self.headers.load(Ordering::Relaxed)
    }

    /// Close the connection for `reason`. With `flush`, what is queued (a final `-ERR`) is written first.
    /// Returns true if this call closed it.
    pub fn close(&self, reason: ClosedState, flush: bool) -> bool {
        if self.close_reason.set(reason).is_err() {
            return false;
        }
        self.out.close(flush);
        self.closed_wake.notify_one();
        true
    }

    pub fn close_reason(&self) -> Option<ClosedState> {
        self.close_reason.get().copied()
    }

    pub fn is_closed(&self) -> bool {
        self.close_reason.get().is_some()
    }

    /// Remove one subscription from this client and the subject index (auto-unsubscribe, UNSUB).
    pub fn remove_sub(&self, sub: &SubRef) {
        if !sub.close() {
            return;
        }
        if let Ok(mut subs) = self.subs.lock() {
            if subs.get(&sub.sid).is_some_and(|s| s == sub) {
                subs.remove(&sub.sid);
            }
        }
        sub.remove_shadows();
        if let Some(acc) = self.account() {
            let _ = acc.sublist.remove(&sub.subject, sub.queue.as_deref(), sub);
        }
    }

    /// Remove every subscription (connection closed).
    pub fn remove_all_subs(&self) {
        let subs: Vec<SubRef> = match self.subs.lock() {
            Ok(mut s) => s.drain().map(|(_, v)| v).collect(),
            Err(_) => return,
        };
        let acc = self.account();
        for sub in subs {
            sub.close();
            sub.remove_shadows();
            if let Some(acc) = &acc {
                let _ = acc.sublist.remove(&sub.subject, sub.queue.as_deref(), &sub);
            }
        }
    }
}

/// How a client holds its account.
enum AccountRef {
    Strong(Arc<Account>),
    Weak(std::sync::Weak<Account>),
}

fn unix_nanos(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}
