//! Server statistics (`$SYS.SERVER.<id>.STATSZ`): the `ServerStatsMsg` body, the heartbeat that
//! starts at 250ms and doubles up to 10s (Go's `startStatszTimer`/`heartbeatStatsz`), the one-second
//! rate limit on the broadcast subject (`limitStatsz`), and Go's rule that a single server without
//! routes, gateways or leaf nodes sends nothing nobody listens to (`sendStatsz`).

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::envelope::{DataStats, ServerInfo};
use super::subjects::{fmt, SERVER_STATS};
use super::System;
use crate::client::delivery::Fanout;
use crate::server::ServerShared;

/// Go's `statsHBInterval`: the heartbeat's longest period.
pub const STATS_HB_INTERVAL: Duration = Duration::from_secs(10);
/// The first heartbeat period (doubled each time up to the longest).
const FIRST_STATSZ: Duration = Duration::from_millis(250);
/// Go's `defaultStatszRateLimit`.
const STATSZ_RATE_LIMIT: Duration = Duration::from_secs(1);

/// The heartbeat's state (Go's `statsz`, `cstatsz`, `lastStatsz`, `stmr`).
pub struct Timer {
    pub max: Duration,
    pub current: Duration,
    last: Option<Instant>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            max: STATS_HB_INTERVAL,
            current: FIRST_STATSZ,
            last: None,
            task: None,
        }
    }
}

#[derive(Serialize)]
struct KindCounts {
    clients: u64,
    routes: u64,
    gateways: u64,
    leafs: u64,
}

/// Go's `ServerStats`.
#[derive(Serialize)]
struct ServerStats {
    start: String,
    mem: i64,
    cores: usize,
    #[serde(serialize_with = "super::envelope::go_float")]
    cpu: f64,
    connections: usize,
    total_connections: u64,
    active_accounts: usize,
    subscriptions: u32,
    sent: DataStats,
    sent_to_clients: DataStats,
    received: DataStats,
    received_from_clients: DataStats,
    slow_consumers: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    slow_consumer_stats: Option<KindCounts>,
    #[serde(skip_serializing_if = "is_zero")]
    stale_connections: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale_connection_stats: Option<KindCounts>,
    #[serde(skip_serializing_if = "is_zero")]
    stalled_clients: u64,
    #[serde(skip_serializing_if = "is_zero_usize")]
    active_servers: usize,
    #[serde(skip_serializing_if = "is_zero_usize")]
    gomaxprocs: usize,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn is_zero_usize(v: &usize) -> bool {
    *v == 0
}

/// Go's `ServerStatsMsg`.
#[derive(Serialize)]
struct ServerStatsMsg<'a> {
    server: &'a ServerInfo,
    statsz: ServerStats,
}

fn stats(server: &ServerShared) -> ServerStats {
    let st = &server.stats;
    let (mem, cpu) = crate::monitor::proc_stats::mem_and_cpu(server.start);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let accounts = server.accounts.all();
    let (in_m, in_b) = (st.in_msgs.load(Relaxed), st.in_bytes.load(Relaxed));
    let (out_m, out_b) = (st.out_msgs.load(Relaxed), st.out_bytes.load(Relaxed));
    let slow = st.slow_consumers.load(Relaxed);
    let stale = st.stale_connections.load(Relaxed);
    let counts = |clients: u64| {
        (clients != 0).then_some(KindCounts {
            clients,
            routes: 0,
            gateways: 0,
            leafs: 0,
        })
    };
    ServerStats {
        start: crate::monitor::timefmt::rfc3339_nano(server.start_time),
        mem,
        cores,
        cpu,
        connections: server.num_clients(),
        total_connections: st.total_connections.load(Relaxed),
        active_accounts: accounts.iter().filter(|a| a.num_connections() > 0).count(),
        subscriptions: accounts.iter().map(|a| a.sublist.count()).sum(),
        sent: DataStats::plain(out_m, out_b),
        sent_to_clients: DataStats::plain(out_m, out_b),
        received: DataStats::plain(in_m, in_b),
        received_from_clients: DataStats::plain(in_m, in_b),
        slow_consumers: slow,
        slow_consumer_stats: counts(slow),
        stale_connections: stale,
        stale_connection_stats: counts(stale),
        stalled_clients: 0,
        active_servers: 1,
        gomaxprocs: cores,
    }
}

/// Send statsz to `subject` (the broadcast subject or a requester's reply), within `fan`'s batch when
/// given. Go's `sendStatsz`: rate-limited on the broadcast subject, and skipped without interest.
pub fn send(sys: &System, server: &ServerShared, subject: &str, fan: Option<&mut Fanout<'_>>) {
    if limited(sys, server, subject) || !sys.interested(&sys.account, subject) {
        return;
    }
    let msg = ServerStatsMsg {
        server: &sys.server_info(server),
        statsz: stats(server),
    };
    let body = crate::info::go_json(&msg).into_bytes();
    match fan {
        Some(fan) => {
            sys.account.deliver_internal(
                fan,
                server,
                subject.as_bytes(),
                super::NO_REPLY,
                b"",
                &body,
            );
        }
        None => sys.publish(server, subject, &body),
    }
}

/// Go's `limitStatsz`: at most one broadcast per min(1s, current heartbeat period).
fn limited(sys: &System, server: &ServerShared, subject: &str) -> bool {
    if subject != fmt(SERVER_STATS, &[&server.id]) {
        return false;
    }
    let Ok(mut t) = sys.statsz.lock() else {
        return true;
    };
    let interval = STATSZ_RATE_LIMIT.min(t.current);
    if t.last.is_some_and(|l| l.elapsed() < interval) {
        return true;
    }
    t.last = Some(Instant::now());
    false
}

/// A request without a reply forces the next broadcast through (Go's `resetLastStatsz`).
pub fn reset_limit(sys: &System) {
    if let Ok(mut t) = sys.statsz.lock() {
        t.last = None;
    }
}

/// Start the heartbeat.
pub fn start_timer(sys: &Arc<System>) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(sys);
    let task = rt.spawn(async move {
        loop {
            let period = {
                let Some(sys) = weak.upgrade() else { return };
                let Ok(t) = sys.statsz.lock() else { return };
                t.current
            };
            tokio::time::sleep(period).await;
            let Some(sys) = weak.upgrade() else { return };
            if sys.is_stopped() {
                return;
            }
            if let Ok(mut t) = sys.statsz.lock() {
                if t.current < t.max {
                    t.current = (t.current * 2).min(t.max);
                }
            }
            let Some(server) = sys.server() else { return };
            let subject = fmt(SERVER_STATS, &[&server.id]);
            send(&sys, &server, &subject, None);
        }
    });
    if let Ok(mut t) = sys.statsz.lock() {
        t.task = Some(task);
    }
}

pub fn stop(sys: &System) {
    if let Ok(mut t) = sys.statsz.lock() {
        if let Some(task) = t.task.take() {
            task.abort();
        }
    }
}

impl System {
    /// Set the heartbeat's period now and as its longest (Go tests set `sys.statsz`).
    #[doc(hidden)]
    pub fn set_statsz_interval(&self, d: Duration) {
        if let Ok(mut t) = self.statsz.lock() {
            t.max = d;
            t.current = d;
        }
    }
}
