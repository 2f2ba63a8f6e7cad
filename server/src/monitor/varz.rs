//! `/varz`: general server information and statistics, with Go's field names, order and types
//! (monitor.go `Varz`). Subsystems that do not exist yet report what Go reports when they are not configured.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value};

use super::timefmt::{rfc3339_nano, uptime};
use super::Monitor;

#[derive(Serialize, Default)]
pub struct KindStats {
    pub clients: u64,
    pub routes: u64,
    pub gateways: u64,
    pub leafs: u64,
}

#[derive(Serialize, Default)]
pub struct DiskIoWaitStats {
    pub waiters: u64,
    pub waits: u64,
    pub wait_time: u64,
    pub max_wait_time: u64,
}

#[derive(Serialize)]
pub struct Varz {
    pub server_id: String,
    pub server_name: String,
    pub version: String,
    pub proto: i32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub git_commit: String,
    pub go: String,
    pub host: String,
    pub port: i32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub auth_required: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub tls_required: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub tls_verify: bool,
    pub max_connections: i32,
    pub ping_interval: u128,
    pub ping_max: i32,
    pub http_host: String,
    pub http_port: i32,
    pub http_base_path: String,
    pub https_port: i32,
    pub auth_timeout: f64,
    pub max_control_line: i32,
    pub max_payload: i32,
    pub max_pending: i64,
    pub cluster: Map<String, Value>,
    pub gateway: Map<String, Value>,
    pub leaf: Map<String, Value>,
    pub mqtt: Map<String, Value>,
    pub websocket: Map<String, Value>,
    pub jetstream: Map<String, Value>,
    pub tls_timeout: f64,
    pub write_deadline: u128,
    pub start: String,
    pub now: String,
    pub uptime: String,
    pub mem: i64,
    pub cores: usize,
    pub gomaxprocs: usize,
    pub cpu: f64,
    pub connections: usize,
    pub total_connections: u64,
    pub routes: usize,
    pub remotes: usize,
    pub leafnodes: usize,
    pub in_msgs: u64,
    pub in_bytes: u64,
    pub in_client_msgs: u64,
    pub in_client_bytes: u64,
    pub out_msgs: u64,
    pub out_bytes: u64,
    pub out_client_msgs: u64,
    pub out_client_bytes: u64,
    pub slow_consumers: u64,
    pub stale_connections: u64,
    pub stalled_clients: u64,
    pub subscriptions: u32,
    pub http_req_stats: BTreeMap<String, u64>,
    pub config_load_time: String,
    pub config_digest: String,
    pub feature_flags: BTreeMap<String, bool>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub system_account: String,
    pub slow_consumer_stats: KindStats,
    pub stale_connection_stats: KindStats,
    pub disk_io_wait_stats: DiskIoWaitStats,
    /// Expiry of the client TLS certificate (Go's `omitzero`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert_not_after: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

pub fn varz(m: &Monitor) -> Varz {
    let s = &m.server;
    let o = s.opts();
    let info = s.info_template();
    let st = &s.stats;
    let load = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    let (mem, cpu) = super::proc_stats::mem_and_cpu(s.start);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let start = s.start_time;
    let mut flags = BTreeMap::new();
    for f in ["js_ack_fc_v2", "js_api_reply_v2", "js_snapshot_sources"] {
        flags.insert(f.to_string(), false);
    }
    flags.insert("js_raft_delete_range".to_string(), true);
    Varz {
        server_id: s.id.clone(),
        server_name: s.name.clone(),
        version: info.version.clone(),
        proto: info.proto,
        git_commit: info.git_commit.clone(),
        go: info.go.clone(),
        host: info.host.clone(),
        port: info.port,
        auth_required: info.auth_required,
        tls_required: info.tls_required,
        tls_verify: info.tls_verify,
        max_connections: o.max_connections,
        ping_interval: o.ping_interval.as_nanos(),
        ping_max: o.max_pings_out,
        http_host: m.http_host.clone(),
        http_port: m.http_port,
        http_base_path: o.http_base_path.clone(),
        https_port: o.https_port,
        auth_timeout: o.auth_timeout.as_secs_f64(),
        max_control_line: o.max_control_line,
        max_payload: o.max_payload,
        max_pending: o.max_pending,
        cluster: Map::new(),
        gateway: Map::new(),
        leaf: Map::new(),
        mqtt: Map::new(),
        websocket: Map::new(),
        jetstream: s
            .jetstream
            .get()
            .map(|js| super::jsz::varz_section(js))
            .unwrap_or_default(),
        tls_timeout: o.tls_timeout,
        write_deadline: o.write_deadline.as_nanos(),
        start: rfc3339_nano(start),
        now: rfc3339_nano(SystemTime::now()),
        uptime: uptime(s.start.elapsed()),
        mem,
        cores,
        gomaxprocs: cores,
        cpu,
        connections: s.num_clients(),
        total_connections: load(&st.total_connections),
        routes: 0,
        remotes: 0,
        leafnodes: 0,
        in_msgs: load(&st.in_msgs),
        in_bytes: load(&st.in_bytes),
        in_client_msgs: load(&st.in_msgs),
        in_client_bytes: load(&st.in_bytes),
        out_msgs: load(&st.out_msgs),
        out_bytes: load(&st.out_bytes),
        out_client_msgs: load(&st.out_msgs),
        out_client_bytes: load(&st.out_bytes),
        slow_consumers: load(&st.slow_consumers),
        stale_connections: load(&st.stale_connections),
        stalled_clients: 0,
        subscriptions: s.accounts.all().iter().map(|a| a.sublist.count()).sum(),
        http_req_stats: m.req_stats(),
        config_load_time: rfc3339_nano(s.config_time()),
        config_digest: o.config_digest.clone(),
        feature_flags: flags,
        system_account: s
            .accounts
            .system()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        slow_consumer_stats: KindStats {
            clients: load(&st.slow_consumers),
            ..KindStats::default()
        },
        stale_connection_stats: KindStats {
            clients: load(&st.stale_connections),
            ..KindStats::default()
        },
        disk_io_wait_stats: DiskIoWaitStats::default(),
        tls_cert_not_after: o
            .tls_config
            .as_ref()
            .and_then(|t| t.cert_not_after)
            .map(super::timefmt::rfc3339_nano),
    }
}
