//! The system account's services: `$SYS.REQ.*` requests answered with monitoring data, and the
//! events the server publishes (client connect/disconnect, account connection counts, statsz
//! heartbeats, auth errors, shutdown). Started once the server exists when it has a system account
//! (Go's `setSystemAccount` → `initEventTracking`, `startStatszTimer`). Handlers are internal
//! subscriptions of the system account that answer within the requester's delivery batch; events
//! are published from the point they happen. The exports and imports that let other accounts reach
//! some of these services are added with the configured ones (see [`exports`]).

pub(crate) mod accinfo;
pub(crate) mod account_reqs;
mod claims;
pub mod compress;
pub mod envelope;
pub mod events;
pub mod exports;
pub mod gojson;
pub mod options;
mod requests;
pub(crate) mod server_reqs;
mod statsz;
pub mod subjects;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

use crate::accounts::{Account, MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::client::SubRef;
use crate::monitor::Monitor;
use crate::server::ServerShared;
use envelope::{Nuid, ServerInfo};

/// The reply of the server's own messages: Go's send loop gives them an empty, not an absent, reply,
/// so their `MSG` line has two spaces before the size.
pub const NO_REPLY: Option<&[u8]> = Some(b"");

/// Go's `eventsHBInterval`: how often an account with connections repeats its connection count.
pub const EVENTS_HB_INTERVAL: Duration = Duration::from_secs(30);

/// The system account's live state (Go's `internal`).
pub struct System {
    server: Weak<ServerShared>,
    pub account: Arc<Account>,
    /// Go's `shash`: this server's name hashed, for server-targeted inbox and latency subjects.
    pub hash: String,
    seq: AtomicU64,
    nuid: Mutex<Nuid>,
    /// The handler of subscriptions that only listen for other servers' events; messages to them alone
    /// are not interest.
    listener: Arc<dyn MsgHandler>,
    subs: Mutex<Vec<SubRef>>,
    pub(crate) statsz: Mutex<statsz::Timer>,
    /// Accounts whose connection-count heartbeat is running (Go's `ctmr`).
    acc_timers: Mutex<HashMap<String, tokio::task::JoinHandle<()>>>,
    hb_interval_ns: AtomicU64,
    stopped: AtomicBool,
}

/// Messages for the listener subscriptions: events of other servers, which a single server only
/// counts as delivered.
struct Listener;

impl MsgHandler for Listener {
    fn handle(&self, _fan: &mut Fanout<'_>, _ctx: &PubCtx<'_>, _m: &Message<'_>) -> bool {
        true
    }
}

/// Start the system account's services on `server` (nothing without a system account).
pub fn start(server: &Arc<ServerShared>) {
    let Some(account) = server.accounts.system() else {
        return;
    };
    let sys = Arc::new(System {
        server: Arc::downgrade(server),
        hash: envelope::server_hash(&server.name),
        account,
        seq: AtomicU64::new(0),
        nuid: Mutex::new(Nuid::new()),
        listener: Arc::new(Listener),
        subs: Mutex::new(Vec::new()),
        statsz: Mutex::new(statsz::Timer::new()),
        acc_timers: Mutex::new(HashMap::new()),
        hb_interval_ns: AtomicU64::new(EVENTS_HB_INTERVAL.as_nanos() as u64),
        stopped: AtomicBool::new(false),
    });
    if server.sys.set(sys.clone()).is_err() {
        return;
    }
    requests::subscribe_all(&sys, server);
    claims::subscribe(&sys, server);
    statsz::start_timer(&sys);
}

/// The system services of `server`, when it has a system account.
pub fn of(server: &ServerShared) -> Option<&Arc<System>> {
    server.sys.get()
}

impl System {
    pub fn server(&self) -> Option<Arc<ServerShared>> {
        self.server.upgrade()
    }

    /// Subscribe in the system account; `handler` None makes a listener subscription.
    fn subscribe(&self, subject: &str, handler: Option<Arc<dyn MsgHandler>>) {
        let h = handler.unwrap_or_else(|| self.listener.clone());
        if let Some(sub) = self.account.subscribe_internal(subject.as_bytes(), h) {
            if let Ok(mut s) = self.subs.lock() {
                s.push(sub);
            }
        } else {
            tracing::error!("Error setting up internal tracking: invalid subject {subject:?}");
        }
    }

    /// The next event id (Go's `nextEventID`).
    pub fn next_event_id(&self) -> String {
        self.nuid
            .lock()
            .map(|mut n| n.next_id())
            .unwrap_or_default()
    }

    /// Go's send loop stamp: who we are, the next sequence number and the time.
    pub fn server_info(&self, server: &ServerShared) -> ServerInfo {
        let info = server.info_template();
        ServerInfo {
            name: server.name.clone(),
            host: info.host,
            id: server.id.clone(),
            ver: crate::consts::VERSION.to_string(),
            feature_flags: envelope::feature_flags(),
            seq: self.seq.fetch_add(1, Ordering::Relaxed) + 1,
            time: crate::monitor::timefmt::rfc3339_nano(SystemTime::now()),
            ..ServerInfo::default()
        }
    }

    /// Whether anything but our own listeners would receive `subject` in `acc`.
    pub fn interested(&self, acc: &Account, subject: &str) -> bool {
        let r = acc.sublist.match_subject(subject.as_bytes());
        let real = |s: &SubRef| match &s.handler {
            Some(h) => !std::ptr::addr_eq(Arc::as_ptr(h), Arc::as_ptr(&self.listener)),
            None => true,
        };
        r.psubs.iter().any(real) || r.qsubs.iter().flatten().any(real)
    }

    /// Publish a server-originated message in the system account.
    pub fn publish(&self, server: &ServerShared, subject: &str, payload: &[u8]) {
        self.account
            .publish_internal(server, subject.as_bytes(), NO_REPLY, b"", payload);
    }

    /// The monitoring context: the HTTP monitor when it runs, else one without a listener.
    pub fn monitor(&self) -> Option<Arc<Monitor>> {
        let server = self.server()?;
        if let Some(m) = server.monitor.get().and_then(Weak::upgrade) {
            return Some(m);
        }
        Some(Arc::new(Monitor::detached(server)))
    }

    /// How often an account's connection count repeats while it has connections.
    pub fn hb_interval(&self) -> Duration {
        Duration::from_nanos(self.hb_interval_ns.load(Ordering::Relaxed))
    }

    /// Change the connection-count heartbeat (Go tests shorten `eventsHBInterval`).
    #[doc(hidden)]
    pub fn set_hb_interval(&self, d: Duration) {
        self.hb_interval_ns
            .store(d.as_nanos() as u64, Ordering::Relaxed);
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// Stop timers (server shutdown).
    fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        if let Ok(mut t) = self.acc_timers.lock() {
            for (_, h) in t.drain() {
                h.abort();
            }
        }
        statsz::stop(self);
    }
}

/// Split a delivered message into its header block and payload.
fn parts<'a>(m: &Message<'a>) -> (&'a [u8], &'a [u8]) {
    let hl = m.header_len.min(m.msg.len());
    (&m.msg[..hl], &m.msg[hl..])
}

/// The value of header `key` in a header block.
fn header_value<'a>(hdr: &'a [u8], key: &str) -> Option<&'a [u8]> {
    for line in hdr.split(|b| *b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        if line[..colon].eq_ignore_ascii_case(key.as_bytes()) {
            let v = &line[colon + 1..];
            let start = v.iter().position(|b| *b != b' ').unwrap_or(v.len());
            return Some(&v[start..]);
        }
    }
    None
}
